//! Ranking metrics from sorted scores: ROC AUC, average precision, ROC and precision–recall
//! curves, and the thresholds that optimise F1, Youden's J or meet a precision/recall target.
//!
//! Everything walks the distinct thresholds from the highest score down ([`Sweep`]), counting
//! true and false positives at `score >= threshold`, as scikit-learn's `_binary_clf_curve` does.
//! ROC AUC is the Mann–Whitney statistic with ties counted one half, summed exactly in integers
//! (equal to scikit-learn's trapezoidal area over its ROC curve); average precision is the
//! step-wise sum Σ (R_k − R_{k−1}) P_k of `average_precision_score`. Curves are reduced to a
//! bounded number of points in two streaming passes, so no per-threshold table is ever held.

use serde::Serialize;

use super::ranked::Ranked;

/// True and false positives when predicting positive at `score >= threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// The threshold (a score that occurs).
    pub threshold: f64,
    /// Positives scored at or above it.
    pub tp: u64,
    /// Negatives scored at or above it.
    pub fp: u64,
}

/// Distinct thresholds from the highest down, over the ranked positive and negative scores.
pub struct Sweep<'a> {
    pos: &'a Ranked,
    neg: &'a Ranked,
    i: usize,
    j: usize,
    tp: u64,
    fp: u64,
}

impl<'a> Sweep<'a> {
    /// A sweep over ranked scores.
    pub fn new(pos: &'a Ranked, neg: &'a Ranked) -> Sweep<'a> {
        Sweep {
            pos,
            neg,
            i: pos.values.len(),
            j: neg.values.len(),
            tp: 0,
            fp: 0,
        }
    }
}

impl Iterator for Sweep<'_> {
    type Item = Step;

    #[inline]
    fn next(&mut self) -> Option<Step> {
        let (pv, nv) = (&self.pos.values, &self.neg.values);
        let top = match (self.i, self.j) {
            (0, 0) => return None,
            (0, j) => nv[j - 1],
            (i, 0) => pv[i - 1],
            (i, j) => pv[i - 1].max(nv[j - 1]),
        };
        if self.i > 0 && pv[self.i - 1] == top {
            self.i -= 1;
            self.tp += self.pos.counts[self.i];
        }
        if self.j > 0 && nv[self.j - 1] == top {
            self.j -= 1;
            self.fp += self.neg.counts[self.j];
        }
        Some(Step {
            threshold: top,
            tp: self.tp,
            fp: self.fp,
        })
    }
}

/// ROC AUC of ranked scores; `None` unless both classes occur.
pub fn roc_auc(pos: &Ranked, neg: &Ranked) -> Option<f64> {
    let (p, n) = (u128::from(pos.total()), u128::from(neg.total()));
    if p == 0 || n == 0 {
        return None;
    }
    // Twice the Mann–Whitney U: each positive counts 2 per negative below it, 1 per tie.
    let mut u2: u128 = 0;
    let (mut tp, mut fp) = (0u128, 0u128);
    for s in Sweep::new(pos, neg) {
        let (dp, dn) = (s.tp as u128 - tp, s.fp as u128 - fp);
        u2 += dp * (2 * (n - s.fp as u128) + dn);
        tp = s.tp as u128;
        fp = s.fp as u128;
    }
    Some(u2 as f64 / (2 * p * n) as f64)
}

/// Average precision of ranked scores; `None` unless both classes occur.
pub fn average_precision(pos: &Ranked, neg: &Ranked) -> Option<f64> {
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let p = pos.total() as f64;
    let mut ap = 0.0;
    let mut prev_recall = 0.0;
    for s in Sweep::new(pos, neg) {
        let recall = s.tp as f64 / p;
        ap += (recall - prev_recall) * (s.tp as f64 / (s.tp + s.fp) as f64);
        prev_recall = recall;
    }
    Some(ap)
}

/// A point of a ROC curve.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct RocPoint {
    /// False positive rate.
    pub fpr: f64,
    /// True positive rate.
    pub tpr: f64,
    /// Score threshold (null for the origin, where nothing is predicted positive).
    pub threshold: Option<f64>,
}

/// A point of a precision–recall curve.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct PrPoint {
    /// Recall.
    pub recall: f64,
    /// Precision.
    pub precision: f64,
    /// Score threshold (null for the start at recall 0).
    pub threshold: Option<f64>,
}

/// Keeps at most `max` points of a curve given by a replayable iterator of (x, y, threshold),
/// spaced evenly along its (Manhattan) length, always keeping both ends.
fn reduce<I, F>(points: F, max: usize) -> Vec<(f64, f64, Option<f64>)>
where
    I: Iterator<Item = (f64, f64, Option<f64>)>,
    F: Fn() -> I,
{
    let mut total = 0.0;
    let mut count = 0usize;
    let mut prev: Option<(f64, f64)> = None;
    for (x, y, _) in points() {
        if let Some((px, py)) = prev {
            total += (x - px).abs() + (y - py).abs();
        }
        prev = Some((x, y));
        count += 1;
    }
    let mut out = Vec::with_capacity(max.min(count));
    if count <= max {
        out.extend(points());
        return out;
    }
    let spacing = total / (max - 1) as f64;
    let mut walked = 0.0;
    let mut next_mark = 0.0;
    let mut prev: Option<(f64, f64)> = None;
    for (k, (x, y, t)) in points().enumerate() {
        if let Some((px, py)) = prev {
            walked += (x - px).abs() + (y - py).abs();
        }
        prev = Some((x, y));
        let last = k + 1 == count;
        if last || (walked >= next_mark && out.len() < max - 1) {
            out.push((x, y, t));
            while next_mark <= walked {
                next_mark += spacing;
            }
        }
    }
    out
}

/// The ROC curve, at most `max` points.
pub fn roc_curve(pos: &Ranked, neg: &Ranked, max: usize) -> Vec<RocPoint> {
    let (p, n) = (pos.total().max(1) as f64, neg.total().max(1) as f64);
    let points = || {
        std::iter::once((0.0, 0.0, None)).chain(
            Sweep::new(pos, neg)
                .map(move |s| (s.fp as f64 / n, s.tp as f64 / p, Some(s.threshold))),
        )
    };
    reduce(points, max)
        .into_iter()
        .map(|(fpr, tpr, threshold)| RocPoint {
            fpr,
            tpr,
            threshold,
        })
        .collect()
}

/// The precision–recall curve, at most `max` points.
pub fn pr_curve(pos: &Ranked, neg: &Ranked, max: usize) -> Vec<PrPoint> {
    let p = pos.total().max(1) as f64;
    let points = || {
        std::iter::once((0.0, 1.0, None)).chain(Sweep::new(pos, neg).map(move |s| {
            (
                s.tp as f64 / p,
                s.tp as f64 / (s.tp + s.fp) as f64,
                Some(s.threshold),
            )
        }))
    };
    reduce(points, max)
        .into_iter()
        .map(|(recall, precision, threshold)| PrPoint {
            recall,
            precision,
            threshold,
        })
        .collect()
}

/// The outcome of predicting positive at `score >= threshold`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct OperatingPoint {
    /// The threshold.
    pub threshold: f64,
    /// Precision at it.
    pub precision: f64,
    /// Recall at it.
    pub recall: f64,
    /// F1 at it.
    pub f1: f64,
    /// False positive rate at it.
    pub fpr: f64,
}

impl OperatingPoint {
    fn at(s: &Step, p: u64, n: u64) -> OperatingPoint {
        let precision = s.tp as f64 / (s.tp + s.fp).max(1) as f64;
        let recall = if p == 0 { 0.0 } else { s.tp as f64 / p as f64 };
        OperatingPoint {
            threshold: s.threshold,
            precision,
            recall,
            f1: 2.0 * s.tp as f64 / (s.tp + s.fp + p).max(1) as f64,
            fpr: if n == 0 { 0.0 } else { s.fp as f64 / n as f64 },
        }
    }
}

/// A threshold chosen to meet a target.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct TargetPoint {
    /// The target asked for.
    pub target: f64,
    /// The chosen operating point, null when no threshold meets the target.
    pub point: Option<OperatingPoint>,
}

/// Threshold analysis of a binary score.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Thresholds {
    /// The threshold behind the evaluated predictions, when they were derived from the score.
    pub current: Option<OperatingPoint>,
    /// The threshold that maximises F1.
    pub best_f1: Option<OperatingPoint>,
    /// The threshold that maximises Youden's J = TPR − FPR.
    pub youden: Option<OperatingPoint>,
    /// The lowest threshold whose precision meets `--target-precision`.
    pub target_precision: Option<TargetPoint>,
    /// The highest threshold whose recall meets `--target-recall`.
    pub target_recall: Option<TargetPoint>,
}

/// Targets for the threshold analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ThresholdTargets {
    /// The threshold predictions were derived with, if they were.
    pub current: Option<f64>,
    /// `--target-precision`.
    pub precision: Option<f64>,
    /// `--target-recall`.
    pub recall: Option<f64>,
}

/// Finds the best-F1, best-J and target thresholds in one sweep.
pub fn thresholds(pos: &Ranked, neg: &Ranked, targets: ThresholdTargets) -> Thresholds {
    let (p, n) = (pos.total(), neg.total());
    let mut best_f1: Option<(f64, Step)> = None;
    let mut youden: Option<(f64, Step)> = None;
    let mut at_precision: Option<Step> = None;
    let mut at_recall: Option<Step> = None;
    let mut current: Option<Step> = None;
    for s in Sweep::new(pos, neg) {
        let f1 = 2.0 * s.tp as f64 / (s.tp + s.fp + p) as f64;
        if best_f1.is_none_or(|(b, _)| f1 > b) {
            best_f1 = Some((f1, s));
        }
        let j = s.tp as f64 / p.max(1) as f64 - s.fp as f64 / n.max(1) as f64;
        if youden.is_none_or(|(b, _)| j > b) {
            youden = Some((j, s));
        }
        if let Some(target) = targets.precision {
            if s.tp as f64 / (s.tp + s.fp) as f64 >= target {
                at_precision = Some(s);
            }
        }
        if let (Some(target), None) = (targets.recall, at_recall) {
            if p > 0 && s.tp as f64 / p as f64 >= target {
                at_recall = Some(s);
            }
        }
        if let Some(t) = targets.current {
            if s.threshold >= t {
                current = Some(s);
            }
        }
    }
    let point = |s: Step| OperatingPoint::at(&s, p, n);
    let current = targets.current.map(|t| {
        let s = current.unwrap_or(Step {
            threshold: t,
            tp: 0,
            fp: 0,
        });
        OperatingPoint {
            threshold: t,
            ..point(s)
        }
    });
    Thresholds {
        current,
        best_f1: best_f1.map(|(_, s)| point(s)),
        youden: youden.map(|(_, s)| point(s)),
        target_precision: targets.precision.map(|target| TargetPoint {
            target,
            point: at_precision.map(point),
        }),
        target_recall: targets.recall.map(|target| TargetPoint {
            target,
            point: at_recall.map(point),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: &[f64]) -> Ranked {
        Ranked::from_values(v.to_vec())
    }

    #[test]
    fn auc_counts_ties_as_half() {
        // positives 0.4, 0.8; negatives 0.1, 0.4 -> pairs: (0.4>0.1)=1, (0.4=0.4)=.5,
        // (0.8>0.1)=1, (0.8>0.4)=1 -> 3.5/4
        assert_eq!(roc_auc(&r(&[0.4, 0.8]), &r(&[0.1, 0.4])), Some(0.875));
        assert_eq!(roc_auc(&r(&[0.5, 0.5]), &r(&[0.5])), Some(0.5));
        assert_eq!(roc_auc(&r(&[0.5]), &r(&[])), None);
    }

    #[test]
    fn average_precision_is_the_step_sum() {
        // sklearn: average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333...
        let ap = average_precision(&r(&[0.35, 0.8]), &r(&[0.1, 0.4])).unwrap();
        assert!((ap - 0.8333333333333333).abs() < 1e-15);
    }

    #[test]
    fn curves_keep_both_ends_and_the_bound() {
        let pos = r(&(0..1000)
            .map(|i| 0.5 + i as f64 / 2000.0)
            .collect::<Vec<_>>());
        let neg = r(&(0..1000).map(|i| i as f64 / 1500.0).collect::<Vec<_>>());
        let roc = roc_curve(&pos, &neg, 200);
        assert!(roc.len() <= 200 && roc.len() > 100);
        assert_eq!((roc[0].fpr, roc[0].tpr), (0.0, 0.0));
        let last = roc.last().unwrap();
        assert_eq!((last.fpr, last.tpr), (1.0, 1.0));
        let pr = pr_curve(&pos, &neg, 200);
        assert!(pr.len() <= 200);
        assert_eq!(pr.last().unwrap().recall, 1.0);
    }

    #[test]
    fn threshold_analysis() {
        let pos = r(&[0.6, 0.7, 0.9]);
        let neg = r(&[0.1, 0.2, 0.65]);
        let t = thresholds(
            &pos,
            &neg,
            ThresholdTargets {
                current: Some(0.5),
                precision: Some(1.0),
                recall: Some(1.0),
            },
        );
        let best = t.best_f1.unwrap();
        assert_eq!(best.threshold, 0.6);
        assert!((best.f1 - 6.0 / 7.0).abs() < 1e-15);
        assert_eq!(t.target_precision.unwrap().point.unwrap().threshold, 0.7);
        assert_eq!(t.target_recall.unwrap().point.unwrap().threshold, 0.6);
        let current = t.current.unwrap();
        assert_eq!((current.threshold, current.recall), (0.5, 1.0));
    }
}
