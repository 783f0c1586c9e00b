//! Score-based metrics of a finished evaluation: ROC AUC, average precision, log loss, Brier,
//! calibration, curves, score histograms and threshold analysis, for a binary score (or a pair
//! of probability columns) and for per-class probabilities (one-vs-rest).

use serde::Serialize;

use super::calibration::{Binner, Calibration};
use super::intervals::{ranking_replicates, ranking_replicates_of, Bootstrap, RankingReplicates};
use super::probabilistic::{log_loss_term, GridTerms, Sum, GRID_TERMS_FROM};
use super::ranked::{GridTable, Ranked, GRID_SCALE};
use super::ranking::{
    average_precision, pr_curve, ranking_values, ranking_values_of, roc_auc, roc_curve, summarize,
    GridSweep, PrPoint, RocPoint, ThresholdTargets, Thresholds,
};
use super::samples::ScoreSamples;
use crate::ordered_map::OrderedMap;

/// Points kept per curve.
pub const CURVE_POINTS: usize = 200;
/// Bins of the score histograms.
pub const HISTOGRAM_BINS: usize = 20;
/// Classes beyond which per-class curves are not kept (the report stays small).
const MAX_CLASS_CURVES: usize = 50;

/// Options of the score metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreOptions {
    /// Equal-width calibration bins.
    pub calibration_bins: usize,
    /// Threshold analysis targets.
    pub targets: ThresholdTargets,
    /// Binary scores: also the curves, histograms, threshold analysis and score distribution.
    /// Segments and windows, whose reports show only the metrics, leave them out (and may
    /// leave the ranked scores of each class empty too, see [`binary_grid`]).
    pub detail: bool,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            calibration_bins: 15,
            targets: ThresholdTargets::default(),
            detail: true,
        }
    }
}

/// Scalar score metrics (null when the input has no scores).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ScoreMetrics {
    /// ROC AUC (multiclass: macro one-vs-rest).
    pub roc_auc: Option<f64>,
    /// Average precision (multiclass: macro one-vs-rest).
    pub average_precision: Option<f64>,
    /// Log loss.
    pub log_loss: Option<f64>,
    /// Brier score (binary: mean squared error of the positive-class probability; multiclass:
    /// mean over rows of the summed squared error over classes).
    pub brier: Option<f64>,
    /// Expected calibration error.
    pub ece: Option<f64>,
    /// Maximum calibration error.
    pub mce: Option<f64>,
}

/// ROC and precision–recall curves of one class against the rest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassCurves {
    /// ROC curve.
    pub roc: Vec<RocPoint>,
    /// Precision–recall curve.
    pub pr: Vec<PrPoint>,
}

/// Score histograms by true class.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Histograms {
    /// Equal-width bins over [0, 1] (the last one closed).
    pub bins: usize,
    /// `positive_class` (binary: the positive-class score) or `true_class` (multiclass: the
    /// probability given to the row's own class).
    pub basis: &'static str,
    /// Counts per bin, per true class.
    pub by_class: OrderedMap<Vec<u64>>,
}

/// Curves for plotting.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Curves {
    /// Binary ROC curve (null for multiclass: see `per_class`).
    pub roc: Option<Vec<RocPoint>>,
    /// Binary precision–recall curve (null for multiclass).
    pub pr: Option<Vec<PrPoint>>,
    /// Multiclass one-vs-rest curves per class.
    pub per_class: OrderedMap<ClassCurves>,
    /// Score histograms.
    pub histograms: Histograms,
}

/// One-vs-rest ranking metrics of a class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassRanking {
    /// ROC AUC.
    pub roc_auc: Option<f64>,
    /// Average precision.
    pub average_precision: Option<f64>,
}

/// Everything computed from scores.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreResults {
    /// Scalar metrics.
    pub metrics: ScoreMetrics,
    /// Calibration.
    pub calibration: Calibration,
    /// Curves.
    pub curves: Curves,
    /// Threshold analysis (binary).
    pub thresholds: Option<Thresholds>,
    /// Per-class one-vs-rest ranking (multiclass), in label order.
    pub per_class: Vec<(String, ClassRanking)>,
    /// Macro and weighted one-vs-rest ranking (multiclass).
    pub averages: Option<(ClassRanking, ClassRanking)>,
    /// Bootstrap intervals of the ranking metrics, keyed by metric path.
    pub intervals: Vec<(String, [f64; 2])>,
    /// Binary: the ranked scores of positive and of negative rows.
    pub sorted: (Ranked, Ranked),
    /// The distribution of the scores the drift and outlier checks test: the positive-class
    /// score (binary) or the top-label confidence (multiclass). Binary scores leave it empty
    /// and set [`distribution_of_classes`](Self::distribution_of_classes) instead.
    pub distribution: Ranked,
    /// Binary: the distribution is the union of [`sorted`](Self::sorted), made when a check
    /// first reads it (see [`Profile::distribution`](crate::checks::statistical::Profile::distribution)):
    /// made here it would double the memory of the scores while the segments are finished.
    pub distribution_of_classes: bool,
    /// Multiclass: each probability column's values over all rows, by column (class) name, in
    /// column order; empty for binary scores.
    pub proba: Vec<(String, Ranked)>,
}

fn histogram_bin(p: f64) -> usize {
    ((p * HISTOGRAM_BINS as f64) as usize).min(HISTOGRAM_BINS - 1)
}

/// A class of the evaluation and where its samples are.
pub struct ScoredClass {
    /// Class name.
    pub name: String,
    /// Its id in the sample store (None when it never occurred as a label).
    pub id: Option<usize>,
}

/// The exact ranking results: everything (with curves and thresholds), or the two values.
enum Ranking {
    Summary(Box<super::ranking::RankingSummary>),
    Values((Option<f64>, Option<f64>)),
}

/// The calibration bins and the log-loss and Brier sums of binary scores.
struct ClassSums {
    binner: Binner,
    log_loss: Sum,
    brier: Sum,
}

impl ClassSums {
    fn new(opts: &ScoreOptions) -> ClassSums {
        ClassSums {
            binner: Binner::new(opts.calibration_bins),
            log_loss: Sum::default(),
            brier: Sum::default(),
        }
    }

    /// Adds `n` rows scored `s` (met in ascending order; `bin` is the cursor of the class's
    /// walk up the bins), whose log-loss term is `term`.
    #[inline(always)]
    fn add(&mut self, bin: &mut usize, s: f64, is_pos: bool, n: u64, term: f64) {
        let y = if is_pos { 1.0 } else { 0.0 };
        self.binner.add_ascending(bin, s, is_pos, n);
        self.log_loss.add(n as f64 * term);
        self.brier.add(n as f64 * (s - y) * (s - y));
    }
}

/// Per-class score histograms (with `opts.detail`), the calibration bins, and the log-loss and
/// Brier sums of binary scores, class `pos` being the positive one.
fn class_sums(
    per_class: &[Ranked],
    classes: &[ScoredClass],
    pos: usize,
    opts: &ScoreOptions,
) -> (Vec<(String, Vec<u64>)>, ClassSums) {
    let mut histograms = Vec::new();
    let mut sums = ClassSums::new(opts);
    for (i, (class, ranked)) in classes.iter().zip(per_class).enumerate() {
        let is_pos = i == pos;
        let mut hist = vec![0u64; HISTOGRAM_BINS];
        let terms = (ranked.len() >= GRID_TERMS_FROM).then(GridTerms::get);
        let mut bin = 0;
        for (s, n) in ranked.iter() {
            if opts.detail {
                hist[histogram_bin(s)] += n;
            }
            let term = match terms {
                Some(terms) => terms.term(s, is_pos),
                None => log_loss_term(if is_pos { s } else { 1.0 - s }),
            };
            sums.add(&mut bin, s, is_pos, n, term);
        }
        if opts.detail {
            histograms.push((class.name.clone(), hist));
        }
    }
    (histograms, sums)
}

/// Adds one class's grid table, ascending, to the sums of [`class_sums`] (without histograms).
fn add_grid_class<T: Copy + Into<u64>>(sums: &mut ClassSums, table: &[T], is_pos: bool) {
    let terms = GridTerms::get();
    let mut bin = 0;
    for (k, &n) in table.iter().enumerate() {
        let n: u64 = n.into();
        if n > 0 {
            let s = k as f64 / f64::from(GRID_SCALE);
            sums.add(&mut bin, s, is_pos, n, terms.at(k, is_pos));
        }
    }
}

/// [`binary`] without detail (for segments and windows), straight from the grid tables of
/// counts of two classes (`tables[i]` is class `i`'s, in label order; `pos` is 0 or 1): the
/// same sums in the same order give the same results, without first turning a million counts
/// per class into ranked lists. The ranked scores (`sorted`) are left empty.
pub fn binary_grid(
    tables: [GridTable<'_>; 2],
    pos: usize,
    opts: &ScoreOptions,
    boot: Bootstrap,
    warnings: &mut Vec<String>,
) -> ScoreResults {
    use GridTable::{Bytes, Full};
    match tables {
        [Bytes(a), Bytes(b)] => grid_pair(a, b, pos, opts, boot, warnings),
        [Bytes(a), Full(b)] => grid_pair(a, b, pos, opts, boot, warnings),
        [Full(a), Bytes(b)] => grid_pair(a, b, pos, opts, boot, warnings),
        [Full(a), Full(b)] => grid_pair(a, b, pos, opts, boot, warnings),
    }
}

/// [`binary_grid`] over the tables of class 0 (`a`) and class 1 (`b`).
fn grid_pair<A, B>(
    a: &[A],
    b: &[B],
    pos: usize,
    opts: &ScoreOptions,
    boot: Bootstrap,
    warnings: &mut Vec<String>,
) -> ScoreResults
where
    A: Copy + Into<u64> + Sync,
    B: Copy + Into<u64> + Sync,
{
    let total_a: u64 = a.iter().map(|&c| c.into()).sum();
    let total_b: u64 = b.iter().map(|&c| c.into()).sum();
    let sums = || {
        let mut sums = ClassSums::new(opts);
        add_grid_class(&mut sums, a, pos == 0);
        add_grid_class(&mut sums, b, pos == 1);
        sums
    };
    let (sums, ((auc, ap), replicates)) = rayon::join(sums, || match pos {
        0 => grid_ranking((a, total_a), (b, total_b), boot),
        _ => grid_ranking((b, total_b), (a, total_a), boot),
    });
    lean_results(
        sums,
        (total_a + total_b) as f64,
        (auc, ap),
        replicates,
        warnings,
    )
}

/// The exact ROC AUC and AP and the bootstrap replicates of the positive and negative grid
/// tables (each with its total), the two sweeps at once.
fn grid_ranking<P, N>(
    (pos, p): (&[P], u64),
    (neg, n): (&[N], u64),
    boot: Bootstrap,
) -> ((Option<f64>, Option<f64>), RankingReplicates)
where
    P: Copy + Into<u64> + Sync,
    N: Copy + Into<u64> + Sync,
{
    rayon::join(
        || ranking_values_of(p, n, GridSweep::new(pos, neg)),
        || ranking_replicates_of(p, n, GridSweep::new(pos, neg), boot),
    )
}

/// The results of [`binary`] without detail (which [`binary`] completes with its detail).
fn lean_results(
    sums: ClassSums,
    rows: f64,
    (auc, ap): (Option<f64>, Option<f64>),
    replicates: RankingReplicates,
    warnings: &mut Vec<String>,
) -> ScoreResults {
    if auc.is_none() {
        warnings.push(UNDEFINED_RANKING.to_string());
    }
    let calibration = sums.binner.finish("positive_class");
    ScoreResults {
        metrics: ScoreMetrics {
            roc_auc: auc,
            average_precision: ap,
            log_loss: Some(sums.log_loss.value() / rows),
            brier: Some(sums.brier.value() / rows),
            ece: Some(calibration.ece),
            mce: Some(calibration.mce),
        },
        calibration,
        curves: Curves {
            roc: None,
            pr: None,
            per_class: OrderedMap::default(),
            histograms: Histograms {
                bins: HISTOGRAM_BINS,
                basis: "positive_class",
                by_class: OrderedMap(Vec::new()),
            },
        },
        thresholds: None,
        per_class: Vec::new(),
        averages: None,
        intervals: replicates.intervals((auc, ap)),
        distribution: Ranked::default(),
        distribution_of_classes: false,
        proba: Vec::new(),
        sorted: (Ranked::default(), Ranked::default()),
    }
}

/// The warning when only one class has scores.
const UNDEFINED_RANKING: &str =
    "roc_auc and average_precision are undefined: only one class occurs among the labels";

/// Binary score metrics from the positive-class scores of each class (in label order, aligned
/// with `classes`); `pos` is the positive class's position among them (or past the end).
pub fn binary(
    per_class: Vec<Ranked>,
    classes: &[ScoredClass],
    pos: usize,
    opts: &ScoreOptions,
    boot: Bootstrap,
    warnings: &mut Vec<String>,
) -> ScoreResults {
    // The negative scores: the one negative class's, or (rarely) several classes' merged.
    let negatives: Vec<usize> = (0..per_class.len()).filter(|&i| i != pos).collect();
    let merged_negatives = (negatives.len() > 1).then(|| {
        negatives.iter().fold(Ranked::default(), |all, &i| {
            Ranked::merge(all, per_class[i].clone())
        })
    });
    let empty = Ranked::default();
    let pos_ref = per_class.get(pos).unwrap_or(&empty);
    let neg_ref = match (&merged_negatives, negatives.first()) {
        (Some(merged), _) => merged,
        (None, Some(&i)) => &per_class[i],
        (None, None) => &empty,
    };
    // Three passes that only read the scores run at once: the per-class sums, the exact
    // ranking sweep, and the bootstrap replicates.
    let ((histograms, sums), (summary, replicates)) = rayon::join(
        || class_sums(&per_class, classes, pos, opts),
        || {
            rayon::join(
                || match opts.detail {
                    true => Ranking::Summary(Box::new(summarize(
                        pos_ref,
                        neg_ref,
                        opts.targets,
                        CURVE_POINTS,
                    ))),
                    false => Ranking::Values(ranking_values(pos_ref, neg_ref)),
                },
                || ranking_replicates(pos_ref, neg_ref, boot),
            )
        },
    );
    let mut per_class = per_class;
    let pos_scores = per_class
        .get_mut(pos)
        .map(std::mem::take)
        .unwrap_or_default();
    let neg_scores = match (merged_negatives, negatives.first()) {
        (Some(merged), _) => merged,
        (None, Some(&i)) => std::mem::take(&mut per_class[i]),
        (None, None) => Ranked::default(),
    };
    let n = (pos_scores.total() + neg_scores.total()) as f64;
    let (auc, ap, roc, pr, thresholds) = match summary {
        Ranking::Summary(s) => (
            s.roc_auc,
            s.average_precision,
            Some(s.roc),
            Some(s.pr),
            Some(s.thresholds),
        ),
        Ranking::Values((auc, ap)) => (auc, ap, None, None, None),
    };
    let mut results = lean_results(sums, n, (auc, ap), replicates, warnings);
    results.curves.roc = roc;
    results.curves.pr = pr;
    results.curves.histograms.by_class = OrderedMap(histograms);
    results.thresholds = thresholds;
    results.distribution_of_classes = opts.detail;
    results.sorted = (pos_scores, neg_scores);
    results
}

/// Multiclass score metrics from per-class probability columns. `columns[j]` is the position in
/// `classes` of probability column j's class (columns are in label order); `column_of[i]` the
/// probability column of class i.
pub fn multiclass(
    samples: ScoreSamples,
    classes: &[ScoredClass],
    column_names: &[String],
    column_of: &[usize],
    opts: &ScoreOptions,
    warnings: &mut Vec<String>,
) -> ScoreResults {
    let k = samples.width().max(1);
    let mut binner = Binner::new(opts.calibration_bins);
    let (mut log_loss, mut brier) = (Sum::default(), Sum::default());
    let mut histograms = Vec::new();
    let mut n = 0usize;
    let mut confidences = Vec::new();
    for (i, class) in classes.iter().enumerate() {
        let own = column_of[i];
        let mut hist = vec![0u64; HISTOGRAM_BINS];
        // Rows in a canonical order, so that floating-point sums do not depend on the order the
        // rows arrived or were merged in (one pass, chunks and shards agree to the last bit).
        let mut rows: Vec<&[f64]> = match class.id {
            Some(id) => samples.of_class(id).collect(),
            None => Vec::new(),
        };
        rows.sort_unstable_by(|a, b| {
            a.iter()
                .zip(b.iter())
                .map(|(x, y)| x.total_cmp(y))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for row in rows {
            n += 1;
            let mut best = 0;
            let mut sq = 0.0;
            for (j, &p) in row.iter().enumerate() {
                if p > row[best] {
                    best = j;
                }
                let y = if j == own { 1.0 } else { 0.0 };
                sq += (p - y) * (p - y);
            }
            brier.add(sq);
            log_loss.add(log_loss_term(row[own]));
            binner.add(row[best], best == own);
            confidences.push(row[best]);
            hist[histogram_bin(row[own])] += 1;
        }
        histograms.push((class.name.clone(), hist));
    }

    // One-vs-rest ranking per probability column. Each class's rows are laid out column after
    // column, and the columns ranked from the last: a column's values are given back as soon as
    // they are ranked, so the rows and the ranked columns are not all held at once.
    let mut by_class: Vec<(Vec<f64>, usize)> = (samples.into_classes().into_iter())
        .map(|parts| {
            let values: usize = parts.iter().map(Vec::len).sum();
            let mut columns = Vec::with_capacity(values);
            for j in 0..k {
                let rows = parts.iter().flat_map(|part| part.chunks_exact(k));
                columns.extend(rows.map(|row| row[j]));
            }
            (columns, values / k)
        })
        .collect();
    let mut per_column: Vec<(ClassRanking, u64)> = Vec::with_capacity(k);
    let mut proba = Vec::with_capacity(k);
    let mut curves = Vec::new();
    for (j, name) in column_names.iter().enumerate().rev() {
        let mut pos = Vec::new();
        let mut neg = Vec::new();
        for (i, class) in classes.iter().enumerate() {
            let Some((values, rows)) = class.id.and_then(|id| by_class.get_mut(id)) else {
                continue;
            };
            let target = if column_of[i] == j {
                &mut pos
            } else {
                &mut neg
            };
            let column = j * *rows..(j + 1) * *rows;
            target.extend_from_slice(values.get(column).unwrap_or_default());
            values.truncate(j * *rows);
            values.shrink_to_fit();
        }
        let pos_count = pos.len() as u64;
        let (pos, neg) = (Ranked::from_values(pos), Ranked::from_values(neg));
        let ranking = ClassRanking {
            roc_auc: roc_auc(&pos, &neg),
            average_precision: average_precision(&pos, &neg),
        };
        if column_names.len() <= MAX_CLASS_CURVES {
            curves.push((
                name.clone(),
                ClassCurves {
                    roc: roc_curve(&pos, &neg, CURVE_POINTS),
                    pr: pr_curve(&pos, &neg, CURVE_POINTS),
                },
            ));
        }
        per_column.push((ranking, pos_count));
        proba.push((name.clone(), Ranked::merge(pos, neg)));
    }
    // Back in column order.
    per_column.reverse();
    proba.reverse();
    curves.reverse();
    let undefined: Vec<&str> = column_names
        .iter()
        .zip(&per_column)
        .filter(|(_, (r, _))| r.roc_auc.is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    if !undefined.is_empty() {
        warnings.push(format!(
            "one-vs-rest roc_auc and average_precision are undefined for class {} (it never or always occurs); the macro averages leave it out",
            undefined.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
        ));
    }
    let average = |get: fn(&ClassRanking) -> Option<f64>, weighted: bool| -> Option<f64> {
        let (mut sum, mut weight) = (0.0, 0.0);
        for (r, support) in &per_column {
            if let Some(v) = get(r) {
                let w = if weighted { *support as f64 } else { 1.0 };
                sum += w * v;
                weight += w;
            }
        }
        (weight > 0.0).then(|| sum / weight)
    };
    let macro_avg = ClassRanking {
        roc_auc: average(|r| r.roc_auc, false),
        average_precision: average(|r| r.average_precision, false),
    };
    let weighted = ClassRanking {
        roc_auc: average(|r| r.roc_auc, true),
        average_precision: average(|r| r.average_precision, true),
    };
    let calibration = binner.finish("top_label");
    let per_class = column_names
        .iter()
        .cloned()
        .zip(per_column.into_iter().map(|(r, _)| r))
        .collect();
    ScoreResults {
        metrics: ScoreMetrics {
            roc_auc: macro_avg.roc_auc,
            average_precision: macro_avg.average_precision,
            log_loss: Some(log_loss.value() / n.max(1) as f64),
            brier: Some(brier.value() / n.max(1) as f64),
            ece: Some(calibration.ece),
            mce: Some(calibration.mce),
        },
        calibration,
        curves: Curves {
            roc: None,
            pr: None,
            per_class: OrderedMap(curves),
            histograms: Histograms {
                bins: HISTOGRAM_BINS,
                basis: "true_class",
                by_class: OrderedMap(histograms),
            },
        },
        thresholds: None,
        per_class,
        averages: Some((macro_avg, weighted)),
        intervals: Vec::new(),
        sorted: (Ranked::default(), Ranked::default()),
        distribution: Ranked::from_values(confidences),
        distribution_of_classes: false,
        proba,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Two classes' grid tables with scattered and shared points, and their ranked lists.
    fn tables(seed: u64) -> ([Vec<u32>; 2], [Ranked; 2]) {
        let mut rng = StdRng::seed_from_u64(seed);
        let len = GRID_SCALE as usize + 1;
        let mut t = [vec![0u32; len], vec![0u32; len]];
        for _ in 0..4000 {
            let k = rng.gen_range(0..len);
            let class = rng.gen_range(0..3);
            for (c, table) in t.iter_mut().enumerate() {
                if class == 2 || class == c {
                    table[k] += rng.gen_range(1..5);
                }
            }
        }
        t[0][0] += 3;
        t[1][len - 1] += 2;
        let ranked = |table: &[u32]| Ranked {
            values: (0..len)
                .filter(|&k| table[k] > 0)
                .map(|k| k as f64 / f64::from(GRID_SCALE))
                .collect(),
            counts: table
                .iter()
                .filter(|&&c| c > 0)
                .map(|&c| u64::from(c))
                .collect(),
        };
        let r = [ranked(&t[0]), ranked(&t[1])];
        (t, r)
    }

    #[test]
    fn grid_tables_give_what_ranked_lists_give() {
        let opts = ScoreOptions {
            detail: false,
            ..ScoreOptions::default()
        };
        let boot = Bootstrap {
            replicates: 200,
            ..Bootstrap::default()
        };
        let classes = [("a", 0), ("b", 1)].map(|(name, id)| ScoredClass {
            name: name.into(),
            id: Some(id),
        });
        for seed in [1, 2] {
            let (t, r) = tables(seed);
            for pos in [0, 1] {
                let mut w1 = Vec::new();
                let full = binary(r.to_vec(), &classes, pos, &opts, boot, &mut w1);
                let bytes: Vec<Vec<u8>> = t
                    .iter()
                    .map(|t| t.iter().map(|&c| u8::try_from(c).unwrap()).collect())
                    .collect();
                use GridTable::{Bytes, Full};
                for tables in [
                    [Full(&t[0]), Full(&t[1])],
                    [Bytes(&bytes[0]), Bytes(&bytes[1])],
                    [Bytes(&bytes[0]), Full(&t[1])],
                    [Full(&t[0]), Bytes(&bytes[1])],
                ] {
                    let mut w2 = Vec::new();
                    let grid = binary_grid(tables, pos, &opts, boot, &mut w2);
                    assert_eq!(grid.metrics, full.metrics);
                    assert_eq!(grid.calibration, full.calibration);
                    assert_eq!(grid.intervals, full.intervals);
                    assert_eq!(grid.curves, full.curves);
                    assert_eq!(w1, w2);
                    assert_eq!(grid.intervals.len(), 2);
                }
            }
        }
    }
}
