//! Score-based metrics of a finished evaluation: ROC AUC, average precision, log loss, Brier,
//! calibration, curves, score histograms and threshold analysis, for a binary score (or a pair
//! of probability columns) and for per-class probabilities (one-vs-rest).

use serde::Serialize;

use super::calibration::{Binner, Calibration};
use super::intervals::{ranking_replicates, Bootstrap};
use super::probabilistic::{log_loss_term, GridTerms, Sum, GRID_TERMS_FROM};
use super::ranked::Ranked;
use super::ranking::{
    average_precision, pr_curve, ranking_values, roc_auc, roc_curve, summarize, PrPoint, RocPoint,
    ThresholdTargets, Thresholds,
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
    /// Segments and windows, whose reports show only the metrics, leave them out.
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
    /// score (binary) or the top-label confidence (multiclass).
    pub distribution: Ranked,
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

/// Per-class score histograms (with `opts.detail`), the calibration bins, and the log-loss and
/// Brier sums of binary scores, class `pos` being the positive one.
fn class_sums(
    per_class: &[Ranked],
    classes: &[ScoredClass],
    pos: usize,
    opts: &ScoreOptions,
) -> (Vec<(String, Vec<u64>)>, Binner, Sum, Sum) {
    let mut histograms = Vec::new();
    let mut binner = Binner::new(opts.calibration_bins);
    let (mut log_loss, mut brier) = (Sum::default(), Sum::default());
    for (i, (class, ranked)) in classes.iter().zip(per_class).enumerate() {
        let is_pos = i == pos;
        let y = if is_pos { 1.0 } else { 0.0 };
        let mut hist = vec![0u64; HISTOGRAM_BINS];
        let terms = (ranked.len() >= GRID_TERMS_FROM).then(GridTerms::get);
        let mut bin = 0;
        for (s, n) in ranked.iter() {
            if opts.detail {
                hist[histogram_bin(s)] += n;
            }
            binner.add_ascending(&mut bin, s, is_pos, n);
            let term = match terms {
                Some(terms) => terms.term(s, is_pos),
                None => log_loss_term(if is_pos { s } else { 1.0 - s }),
            };
            log_loss.add(n as f64 * term);
            brier.add(n as f64 * (s - y) * (s - y));
        }
        if opts.detail {
            histograms.push((class.name.clone(), hist));
        }
    }
    (histograms, binner, log_loss, brier)
}

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
    let ((histograms, binner, log_loss, brier), (summary, replicates)) = rayon::join(
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
    let distribution = if opts.detail {
        Ranked::union(pos_ref, neg_ref)
    } else {
        Ranked::default()
    };
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
    if auc.is_none() {
        warnings.push(
            "roc_auc and average_precision are undefined: only one class occurs among the labels"
                .to_string(),
        );
    }
    let calibration = binner.finish("positive_class");
    ScoreResults {
        metrics: ScoreMetrics {
            roc_auc: auc,
            average_precision: ap,
            log_loss: Some(log_loss.value() / n),
            brier: Some(brier.value() / n),
            ece: Some(calibration.ece),
            mce: Some(calibration.mce),
        },
        calibration,
        curves: Curves {
            roc,
            pr,
            per_class: OrderedMap::default(),
            histograms: Histograms {
                bins: HISTOGRAM_BINS,
                basis: "positive_class",
                by_class: OrderedMap(histograms),
            },
        },
        thresholds,
        per_class: Vec::new(),
        averages: None,
        intervals: replicates.intervals((auc, ap)),
        distribution,
        proba: Vec::new(),
        sorted: (pos_scores, neg_scores),
    }
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
        let values = class.id.map_or(&[][..], |id| samples.of_class(id));
        // Rows in a canonical order, so that floating-point sums do not depend on the order the
        // rows arrived or were merged in (one pass, chunks and shards agree to the last bit).
        let mut rows: Vec<&[f64]> = values.chunks_exact(k).collect();
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

    // One-vs-rest ranking per probability column.
    let mut per_column: Vec<(ClassRanking, u64)> = Vec::with_capacity(k);
    let mut proba = Vec::with_capacity(k);
    let mut curves = Vec::new();
    for (j, name) in column_names.iter().enumerate() {
        let mut pos = Vec::new();
        let mut neg = Vec::new();
        for (i, class) in classes.iter().enumerate() {
            let values = class.id.map_or(&[][..], |id| samples.of_class(id));
            let target = if column_of[i] == j {
                &mut pos
            } else {
                &mut neg
            };
            target.extend(values.chunks_exact(k).map(|row| row[j]));
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
        proba,
    }
}
