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

/// [`Sweep`] over two tables of counts per grid point (index k stands for the score k / 10⁶,
/// as in [`ScoreColumn`](super::ranked::ScoreColumn)): the same steps as a sweep over the
/// ranked lists the tables would become, without building them.
pub struct GridSweep<'a, P, N> {
    pos: &'a [P],
    neg: &'a [N],
    k: usize,
    tp: u64,
    fp: u64,
}

impl<'a, P, N> GridSweep<'a, P, N> {
    /// A sweep over grid tables of equal length (of one-byte or full counts).
    pub fn new(pos: &'a [P], neg: &'a [N]) -> GridSweep<'a, P, N> {
        assert_eq!(pos.len(), neg.len(), "grid tables have one length");
        GridSweep {
            pos,
            neg,
            k: pos.len(),
            tp: 0,
            fp: 0,
        }
    }
}

impl<P: Copy + Into<u64>, N: Copy + Into<u64>> Iterator for GridSweep<'_, P, N> {
    type Item = Step;

    #[inline]
    fn next(&mut self) -> Option<Step> {
        while self.k > 0 {
            self.k -= 1;
            let (p, n): (u64, u64) = (self.pos[self.k].into(), self.neg[self.k].into());
            if p | n != 0 {
                self.tp += p;
                self.fp += n;
                return Some(Step {
                    threshold: self.k as f64 / f64::from(super::ranked::GRID_SCALE),
                    tp: self.tp,
                    fp: self.fp,
                });
            }
        }
        None
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

/// ROC AUC and average precision in one sweep, computed exactly as [`summarize`] computes
/// them (the same sums in the same order), without its curves and thresholds.
pub fn ranking_values(pos: &Ranked, neg: &Ranked) -> (Option<f64>, Option<f64>) {
    ranking_values_of(pos.total(), neg.total(), Sweep::new(pos, neg))
}

/// [`ranking_values`] over the steps of a sweep of `p` positives and `n` negatives.
pub fn ranking_values_of(
    p: u64,
    n: u64,
    steps: impl Iterator<Item = Step>,
) -> (Option<f64>, Option<f64>) {
    if p == 0 || n == 0 {
        return (None, None);
    }
    let pf = p as f64;
    // Below 2³¹ rows a class, every product dp · (2(n − fp) + dn) ≤ 3pn fits in 64 bits.
    let small = p < 1 << 31 && n < 1 << 31;
    let (mut u2, mut ap) = (0u128, 0.0);
    let (mut tp, mut fp, mut prev_recall) = (0u64, 0u64, 0.0);
    for s in steps {
        let (dp, dn) = (s.tp - tp, s.fp - fp);
        u2 += if small {
            u128::from(dp * (2 * (n - s.fp) + dn))
        } else {
            u128::from(dp) * (2 * u128::from(n - s.fp) + u128::from(dn))
        };
        let recall = s.tp as f64 / pf;
        ap += (recall - prev_recall) * (s.tp as f64 / (s.tp + s.fp) as f64);
        prev_recall = recall;
        tp = s.tp;
        fp = s.fp;
    }
    let auc = u2 as f64 / (2 * u128::from(p) * u128::from(n)) as f64;
    (Some(auc), Some(ap))
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

/// Finds the best-F1, best-J and target thresholds step by step.
struct ThresholdFinder {
    p: u64,
    n: u64,
    targets: ThresholdTargets,
    best_f1: Option<(f64, Step)>,
    youden: Option<(f64, Step)>,
    at_precision: Option<Step>,
    at_recall: Option<Step>,
    current: Option<Step>,
}

impl ThresholdFinder {
    fn new(p: u64, n: u64, targets: ThresholdTargets) -> ThresholdFinder {
        ThresholdFinder {
            p,
            n,
            targets,
            best_f1: None,
            youden: None,
            at_precision: None,
            at_recall: None,
            current: None,
        }
    }

    #[inline]
    fn step(&mut self, s: Step) {
        let (p, n) = (self.p, self.n);
        let f1 = 2.0 * s.tp as f64 / (s.tp + s.fp + p) as f64;
        if self.best_f1.is_none_or(|(b, _)| f1 > b) {
            self.best_f1 = Some((f1, s));
        }
        let j = s.tp as f64 / p.max(1) as f64 - s.fp as f64 / n.max(1) as f64;
        if self.youden.is_none_or(|(b, _)| j > b) {
            self.youden = Some((j, s));
        }
        if let Some(target) = self.targets.precision {
            if s.tp as f64 / (s.tp + s.fp) as f64 >= target {
                self.at_precision = Some(s);
            }
        }
        if let (Some(target), None) = (self.targets.recall, self.at_recall) {
            if p > 0 && s.tp as f64 / p as f64 >= target {
                self.at_recall = Some(s);
            }
        }
        if let Some(t) = self.targets.current {
            if s.threshold >= t {
                self.current = Some(s);
            }
        }
    }

    fn finish(self) -> Thresholds {
        let (p, n, targets) = (self.p, self.n, self.targets);
        let point = |s: Step| OperatingPoint::at(&s, p, n);
        let current = targets.current.map(|t| {
            let s = self.current.unwrap_or(Step {
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
            best_f1: self.best_f1.map(|(_, s)| point(s)),
            youden: self.youden.map(|(_, s)| point(s)),
            target_precision: targets.precision.map(|target| TargetPoint {
                target,
                point: self.at_precision.map(point),
            }),
            target_recall: targets.recall.map(|target| TargetPoint {
                target,
                point: self.at_recall.map(point),
            }),
        }
    }
}

/// Finds the best-F1, best-J and target thresholds in one sweep.
pub fn thresholds(pos: &Ranked, neg: &Ranked, targets: ThresholdTargets) -> Thresholds {
    let mut finder = ThresholdFinder::new(pos.total(), neg.total(), targets);
    for s in Sweep::new(pos, neg) {
        finder.step(s);
    }
    finder.finish()
}

/// Picks at most `max` points of a curve of known length and point count, spaced evenly along
/// it, keeping both ends.
struct Sampler {
    count: usize,
    max: usize,
    spacing: f64,
    walked: f64,
    next_mark: f64,
    prev: Option<(f64, f64)>,
    seen: usize,
    out: Vec<(f64, f64, Option<f64>)>,
}

impl Sampler {
    fn new(length: f64, count: usize, max: usize) -> Sampler {
        Sampler {
            count,
            max,
            spacing: length / (max - 1) as f64,
            walked: 0.0,
            next_mark: 0.0,
            prev: None,
            seen: 0,
            out: Vec::with_capacity(max.min(count)),
        }
    }

    #[inline]
    fn push(&mut self, x: f64, y: f64, t: Option<f64>) {
        if let Some((px, py)) = self.prev {
            self.walked += (x - px).abs() + (y - py).abs();
        }
        self.prev = Some((x, y));
        self.seen += 1;
        let last = self.seen == self.count;
        if self.count <= self.max {
            self.out.push((x, y, t));
        } else if last || (self.walked >= self.next_mark && self.out.len() < self.max - 1) {
            self.out.push((x, y, t));
            while self.next_mark <= self.walked {
                self.next_mark += self.spacing;
            }
        }
    }
}

/// Everything the binary report needs from the ranked scores, in two sweeps.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingSummary {
    /// ROC AUC.
    pub roc_auc: Option<f64>,
    /// Average precision.
    pub average_precision: Option<f64>,
    /// Threshold analysis.
    pub thresholds: Thresholds,
    /// ROC curve.
    pub roc: Vec<RocPoint>,
    /// Precision–recall curve.
    pub pr: Vec<PrPoint>,
}

/// Computes ROC AUC, average precision, thresholds and both curves: one sweep for the values
/// and the curves' lengths, one to sample the curves.
pub fn summarize(
    pos: &Ranked,
    neg: &Ranked,
    targets: ThresholdTargets,
    max: usize,
) -> RankingSummary {
    let (p, n) = (pos.total(), neg.total());
    let (pf, nf) = (p.max(1) as f64, n.max(1) as f64);
    let mut finder = ThresholdFinder::new(p, n, targets);
    let (mut u2, mut ap) = (0u128, 0.0);
    let (mut tp, mut fp, mut prev_recall) = (0u64, 0u64, 0.0);
    let (mut roc_len, mut pr_len, mut steps) = (0.0, 0.0, 0usize);
    let (mut last_roc, mut last_pr) = ((0.0, 0.0), (0.0, 1.0));
    for s in Sweep::new(pos, neg) {
        let (dp, dn) = (u128::from(s.tp - tp), u128::from(s.fp - fp));
        u2 += dp * (2 * u128::from(n - s.fp) + dn);
        let recall = s.tp as f64 / pf;
        let precision = s.tp as f64 / (s.tp + s.fp) as f64;
        ap += (recall - prev_recall) * precision;
        prev_recall = recall;
        let roc_pt = (s.fp as f64 / nf, recall);
        roc_len += (roc_pt.0 - last_roc.0).abs() + (roc_pt.1 - last_roc.1).abs();
        pr_len += (recall - last_pr.0).abs() + (precision - last_pr.1).abs();
        last_roc = roc_pt;
        last_pr = (recall, precision);
        finder.step(s);
        tp = s.tp;
        fp = s.fp;
        steps += 1;
    }
    let both = p > 0 && n > 0;
    let mut roc = Sampler::new(roc_len, steps + 1, max);
    let mut pr = Sampler::new(pr_len, steps + 1, max);
    roc.push(0.0, 0.0, None);
    pr.push(0.0, 1.0, None);
    for s in Sweep::new(pos, neg) {
        let recall = s.tp as f64 / pf;
        roc.push(s.fp as f64 / nf, recall, Some(s.threshold));
        pr.push(
            recall,
            s.tp as f64 / (s.tp + s.fp) as f64,
            Some(s.threshold),
        );
    }
    RankingSummary {
        roc_auc: both.then(|| u2 as f64 / (2 * u128::from(p) * u128::from(n)) as f64),
        average_precision: both.then_some(ap),
        thresholds: finder.finish(),
        roc: roc
            .out
            .into_iter()
            .map(|(fpr, tpr, threshold)| RocPoint {
                fpr,
                tpr,
                threshold,
            })
            .collect(),
        pr: pr
            .out
            .into_iter()
            .map(|(recall, precision, threshold)| PrPoint {
                recall,
                precision,
                threshold,
            })
            .collect(),
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
    fn one_summary_equals_the_separate_sweeps() {
        let pos = r(&(0..500)
            .map(|i| ((i * 37) % 101) as f64 / 100.0)
            .collect::<Vec<_>>());
        let neg = r(&(0..700)
            .map(|i| ((i * 53) % 89) as f64 / 120.0)
            .collect::<Vec<_>>());
        let targets = ThresholdTargets {
            current: Some(0.5),
            precision: Some(0.8),
            recall: Some(0.9),
        };
        let s = summarize(&pos, &neg, targets, 50);
        assert_eq!(s.roc_auc, roc_auc(&pos, &neg));
        assert_eq!(s.average_precision, average_precision(&pos, &neg));
        assert_eq!((s.roc_auc, s.average_precision), ranking_values(&pos, &neg));
        assert_eq!(s.thresholds, thresholds(&pos, &neg, targets));
        assert_eq!(s.roc, roc_curve(&pos, &neg, 50));
        assert_eq!(s.pr, pr_curve(&pos, &neg, 50));
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
