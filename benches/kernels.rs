//! Kernel benchmarks (divan): the inner loops an evaluation spends its time in, each on
//! generated data of a fixed shape. End-to-end runs against peers are `scripts/bench/run`.
//!
//! `cargo bench --bench kernels` runs them; `cargo test` does not.

use divan::{black_box, Bencher};
use mlguard::io::chunks::{for_each_plain_record, Chunk};
use mlguard::io::decode::Fields;
use mlguard::metrics::intervals::{ranking_bootstrap, Bootstrap};
use mlguard::metrics::ranked::{Ranked, Score, ScoreColumn};
use mlguard::metrics::ranking::roc_auc;
use mlguard::metrics::row::{Prediction, Row};
use mlguard::metrics::scores::{binary_grid, ScoreOptions};
use mlguard::metrics::EvalState;

fn main() {
    divan::main();
}

/// A small deterministic generator (xorshift), so every run sees the same data.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A score with six decimals, higher for positives.
    fn score(&mut self, positive: bool) -> u32 {
        let base = (self.next() % 700_001) as u32;
        if positive {
            base + 299_999
        } else {
            base
        }
    }
}

/// `rows` lines of the benchmark file's shape: id, timestamp, segment, label, prediction, score.
fn csv_chunk(rows: usize) -> Chunk {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let segments = ["web", "android", "ios", "partner"];
    let mut data = Vec::with_capacity(rows * 40);
    for i in 0..rows {
        let label = g.next().is_multiple_of(2);
        let score = g.score(label);
        let pred = score >= 500_000;
        data.extend_from_slice(
            format!(
                "{i},{},{},{},{},0.{score:06}\n",
                1_767_225_600 + 3 * i,
                segments[i % 4],
                u8::from(label),
                u8::from(pred)
            )
            .as_bytes(),
        );
    }
    Chunk::new(2, data)
}

/// Splitting a 4 MB-class chunk of plain CSV into records and fields.
#[divan::bench(args = [100_000])]
fn csv_chunk_parsing(bencher: Bencher, rows: usize) {
    let chunk = csv_chunk(rows);
    bencher
        .counter(divan::counter::BytesCount::of_slice(chunk.data()))
        .bench(|| {
            let mut fields = 0usize;
            for_each_plain_record(&chunk, b',', |rec, _, n| {
                fields += n + rec.field(5).len();
                Ok::<(), ()>(())
            })
            .unwrap();
            black_box(fields)
        });
}

/// Counting rows (label, prediction, six-decimal score) into an evaluation state.
#[divan::bench(args = [100_000])]
fn rows_into_eval_state(bencher: Bencher, rows: usize) {
    let mut g = Gen(7);
    let data: Vec<(&str, &str, u32)> = (0..rows)
        .map(|_| {
            let label = g.next().is_multiple_of(2);
            let s = g.score(label);
            (
                if label { "1" } else { "0" },
                if s >= 500_000 { "1" } else { "0" },
                s,
            )
        })
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(rows))
        .bench(|| {
            let mut state = EvalState::default();
            for &(label, pred, s) in &data {
                let row = Row {
                    label,
                    prediction: Prediction::Label(pred),
                    score: Some(Score {
                        value: f64::from(s) / 1e6,
                        grid: Some(s),
                    }),
                    proba: &[],
                };
                state.push(&row).unwrap();
            }
            black_box(state.rows())
        });
}

/// Ranked scores of positives and negatives, `rows` in all.
fn ranked_pair(rows: usize) -> (Ranked, Ranked) {
    let (pos, neg) = score_columns(rows);
    (pos.into_ranked(), neg.into_ranked())
}

/// The score columns of positives and negatives, `rows` in all.
fn score_columns(rows: usize) -> (ScoreColumn, ScoreColumn) {
    let mut g = Gen(11);
    let (mut pos, mut neg) = (ScoreColumn::default(), ScoreColumn::default());
    for _ in 0..rows {
        let label = g.next().is_multiple_of(2);
        let s = g.score(label);
        let score = Score {
            value: f64::from(s) / 1e6,
            grid: Some(s),
        };
        if label {
            pos.push(score);
        } else {
            neg.push(score);
        }
    }
    (pos, neg)
}

/// The score metrics of a segment of 2.5M rows straight from its two grid tables: the
/// calibration, log-loss and Brier sums, exact ROC AUC and AP, and (with `replicates`) the
/// bootstrap.
#[divan::bench(args = [0, 1000])]
fn segment_scores_from_grid(bencher: Bencher, replicates: usize) {
    let (mut pos, mut neg) = score_columns(2_500_000);
    assert!(pos.settle_grid() && neg.settle_grid());
    let tables = [neg.grid_table().unwrap(), pos.grid_table().unwrap()];
    let opts = ScoreOptions {
        detail: false,
        ..ScoreOptions::default()
    };
    let boot = Bootstrap {
        replicates,
        ..Bootstrap::default()
    };
    bencher.bench(|| black_box(binary_grid(tables, 1, &opts, boot, &mut Vec::new())));
}

/// Exact ROC AUC over ranked scores (one sweep over the distinct values).
#[divan::bench(args = [100_000, 1_000_000])]
fn exact_auc(bencher: Bencher, rows: usize) {
    let (pos, neg) = ranked_pair(rows);
    bencher.bench(|| black_box(roc_auc(&pos, &neg)));
}

/// Bootstrap intervals of ROC AUC and average precision (100 replicates).
#[divan::bench(args = [100_000])]
fn bootstrap(bencher: Bencher, rows: usize) {
    let (pos, neg) = ranked_pair(rows);
    let auc = roc_auc(&pos, &neg);
    let boot = Bootstrap {
        replicates: 100,
        ..Bootstrap::default()
    };
    bencher.bench(|| black_box(ranking_bootstrap(&pos, &neg, (auc, None), boot)));
}
