//! Estimated performance of a binary classifier on rows whose labels have not arrived yet, by
//! confidence-based performance estimation (CBPE, as NannyML's documentation describes it).
//!
//! The model's scores are calibrated on a labelled reference, either by isotonic regression
//! (pool-adjacent-violators over the distinct scores, weighted by their counts; Zadrozny & Elkan
//! 2002) or by Platt scaling (a logistic regression of the label on logit(score); Platt 1999),
//! whichever has the lower held-out log loss under 5-fold cross-validation. The calibrated
//! probability c(s) of a current row is the chance that it is positive, so the expected
//! confusion matrix of the current rows is TP = Σ c and FP = Σ (1 − c) over the predicted
//! positives, FN = Σ c and TN = Σ (1 − c) over the predicted negatives; accuracy, precision,
//! recall and F1 follow from it. The estimated ROC AUC counts every current row as c(s) of a
//! positive and 1 − c(s) of a negative, ties by equal score. Point estimates are exact: the
//! calibration is applied to every distinct current score.
//!
//! The 95% percentile intervals are for the metric the current rows will show once their labels
//! arrive. Each bootstrap replicate refits the calibration (the method chosen on the full
//! reference) on a Poisson bootstrap of the reference (each count redrawn as Poisson(count)),
//! then draws the realised confusion matrix given that calibration: TP and FN are normal with
//! the mean and variance of their sums of independent Bernoulli labels, clamped to the rows of
//! their predicted class. The ROC AUC is that of a draw of the labels themselves: in each bin of
//! the current scores (below), the positives are drawn from its rows and their calibrated
//! probability (binomial, or normal when its variance n·c·(1 − c) exceeds 9), and the bins are
//! ranked by their scores. (The Hanley & McNeil (1982) standard error would be too narrow here:
//! it is about sampling scores for fixed classes, not labels for fixed scores.)
//!
//! Two approximations keep the replicates independent of the data's size, both corrected to
//! first order. The current scores of each predicted class (and of both classes together, for
//! the ROC AUC) are summarised in at most [`CURRENT_BINS`] bins of adjacent scores with nearly
//! equal row counts, and a replicate's calibration is evaluated at each bin's mean score; a
//! reference with more than [`REFERENCE_GROUPS`] distinct scores is grouped the same way (each
//! group keeping its positive and negative counts and its mean score and mean logit) for the
//! replicates' refits. Every replicate is then shifted by the gap between the exact point
//! estimate and the same binned computation with the calibration fitted on the unresampled
//! groups, so that binning moves neither the centre of the interval nor the point estimate.
//! With fewer distinct scores than those limits nothing is binned. The replicates draw from
//! generators seeded by the seed and the replicate's number, so the intervals are reproducible
//! whatever the number of threads.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Binomial, Distribution, StandardNormal};
use rayon::prelude::*;
use serde::Serialize;
use statrs::function::gamma::{gamma_ur, ln_gamma};

use super::calibration::Binner;
use super::intervals::percentile_interval;
use super::ranked::{CountsView, Ranked};
use super::recalibrate::ECE_BINS;
use super::recalibrate::{logit, sigmoid};

/// Folds of the cross-validation that chooses the calibration method.
pub const FOLDS: usize = 5;
/// The current scores of a predicted class are summarised in at most about this many bins for
/// the bootstrap replicates.
pub const CURRENT_BINS: usize = 2048;
/// A reference with more distinct scores than this is grouped into about this many groups for
/// the bootstrap replicates' refits.
pub const REFERENCE_GROUPS: usize = 8192;

/// Probabilities are clipped this far from 0 and 1 before taking logarithms.
const CLIP: f64 = 1e-12;
/// Poisson means above this are drawn from the normal approximation N(c, c) (skewness 1/√c).
const NORMAL_ABOVE: f64 = 10_000.0;
/// Current lists shorter than this (both predicted classes together) are swept on one thread.
const SEQUENTIAL_BELOW: usize = 1 << 16;

/// How the scores were calibrated on the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Isotonic regression: a non-decreasing step function of the score (pool-adjacent-violators).
    Isotonic,
    /// Platt scaling: σ(a · logit(score) + b).
    Platt,
}

/// A NaN score is read as 0.5.
fn clean(score: f64) -> f64 {
    if score.is_nan() {
        0.5
    } else {
        score
    }
}

/// Weighted points along the score axis, in ascending order of score: distinct reference scores,
/// or groups of adjacent ones.
#[derive(Debug, Clone, Default)]
struct Points {
    /// The score (a group's mean score).
    x: Vec<f64>,
    /// logit(score) (a group's mean logit).
    z: Vec<f64>,
    /// Positive rows.
    pos: Vec<f64>,
    /// Negative rows.
    neg: Vec<f64>,
}

impl Points {
    fn push(&mut self, x: f64, z: f64, pos: f64, neg: f64) {
        self.x.push(x);
        self.z.push(z);
        self.pos.push(pos);
        self.neg.push(neg);
    }

    fn len(&self) -> usize {
        self.x.len()
    }

    /// The points whose position modulo [`FOLDS`] is not `fold`.
    fn without_fold(&self, fold: usize) -> Points {
        let mut out = Points::default();
        for i in (0..self.len()).filter(|i| i % FOLDS != fold) {
            out.push(self.x[i], self.z[i], self.pos[i], self.neg[i]);
        }
        out
    }

    /// Adjacent points grouped into groups of at least `total / groups` rows (non-finite scores
    /// each alone), with their mean score and mean logit.
    fn grouped(&self, groups: usize) -> Points {
        let total: f64 = self.pos.iter().sum::<f64>() + self.neg.iter().sum::<f64>();
        let per = (total / groups as f64).ceil().max(1.0);
        let mut out = Points::default();
        let (mut sx, mut sz, mut p, mut n) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..self.len() {
            let (x, w) = (self.x[i], self.pos[i] + self.neg[i]);
            if !x.is_finite() {
                if p + n > 0.0 {
                    out.push(sx / (p + n), sz / (p + n), p, n);
                    (sx, sz, p, n) = (0.0, 0.0, 0.0, 0.0);
                }
                out.push(x, self.z[i], self.pos[i], self.neg[i]);
                continue;
            }
            sx += x * w;
            sz += self.z[i] * w;
            p += self.pos[i];
            n += self.neg[i];
            if p + n >= per {
                out.push(sx / (p + n), sz / (p + n), p, n);
                (sx, sz, p, n) = (0.0, 0.0, 0.0, 0.0);
            }
        }
        if p + n > 0.0 {
            out.push(sx / (p + n), sz / (p + n), p, n);
        }
        out
    }
}

/// A fitted monotone map from score to P(positive).
#[derive(Debug, Clone, PartialEq)]
enum Map {
    /// Blocks of the pool-adjacent-violators fit: the first and last fitted score of each block
    /// and its positive share, in ascending order (no blocks: 0.5 everywhere).
    Isotonic {
        lo: Vec<f64>,
        hi: Vec<f64>,
        p: Vec<f64>,
    },
    /// σ(a · logit(score) + b).
    Platt { a: f64, b: f64 },
}

impl Map {
    /// The map of `method` fitted on weighted points; Platt's Newton iterations start at `start`.
    fn fit(
        method: Method,
        x: &[f64],
        z: &[f64],
        pos: &[f64],
        neg: &[f64],
        start: (f64, f64),
    ) -> Map {
        match method {
            Method::Isotonic => pav(x, pos, neg),
            Method::Platt => {
                let (a, b) = fit_platt(z, pos, neg, start);
                Map::Platt { a, b }
            }
        }
    }

    /// P(positive) at a (non-NaN) score. Isotonic: the value of the block whose fitted scores
    /// span the score; in a gap between two blocks, the block with the nearer fitted score (the
    /// lower one on a tie); below the first or above the last fitted score, the end block.
    #[inline]
    fn apply(&self, s: f64) -> f64 {
        match self {
            Map::Isotonic { lo, hi, p } => {
                if p.is_empty() {
                    return 0.5;
                }
                // The first block ending at or above the score.
                let j = hi.partition_point(|&h| h < s);
                if j == p.len() {
                    p[j - 1]
                } else if j == 0 || s >= lo[j] {
                    p[j]
                } else if s - hi[j - 1] <= lo[j] - s {
                    p[j - 1]
                } else {
                    p[j]
                }
            }
            Map::Platt { a, b } => sigmoid(a * logit(s) + b),
        }
    }

    /// P(positive) at a point whose logit is known (for Platt, which needs no other).
    #[inline]
    fn apply_point(&self, x: f64, z: f64) -> f64 {
        match self {
            Map::Platt { a, b } => sigmoid(a * z + b),
            _ => self.apply(x),
        }
    }

    /// Platt's parameters, or the identity's.
    fn platt(&self) -> (f64, f64) {
        match self {
            Map::Platt { a, b } => (*a, *b),
            Map::Isotonic { .. } => (1.0, 0.0),
        }
    }
}

/// Isotonic regression by pool-adjacent-violators: each point's positive share, weighted by its
/// rows, made non-decreasing by pooling adjacent blocks whose shares are out of order (or equal).
/// Points without rows are skipped.
fn pav(x: &[f64], pos: &[f64], neg: &[f64]) -> Map {
    let (mut lo, mut hi, mut sp, mut sw) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..x.len() {
        let w = pos[i] + neg[i];
        if w <= 0.0 {
            continue;
        }
        lo.push(x[i]);
        hi.push(x[i]);
        sp.push(pos[i]);
        sw.push(w);
        while sp.len() >= 2 {
            let k = sp.len() - 1;
            // share[k − 1] ≥ share[k], without dividing.
            if sp[k - 1] * sw[k] < sp[k] * sw[k - 1] {
                break;
            }
            hi[k - 1] = hi[k];
            sp[k - 1] += sp[k];
            sw[k - 1] += sw[k];
            lo.pop();
            hi.pop();
            sp.pop();
            sw.pop();
        }
    }
    let p = sp.iter().zip(&sw).map(|(p, w)| p / w).collect();
    Map::Isotonic { lo, hi, p }
}

/// Fits σ(a·z + b) to weighted positive and negative rows by Newton's method with step halving,
/// starting at `start`. A class without rows gives the constant of the other (clipped), no rows
/// at all 0.5.
fn fit_platt(z: &[f64], pos: &[f64], neg: &[f64], start: (f64, f64)) -> (f64, f64) {
    let p: f64 = pos.iter().sum();
    let n: f64 = neg.iter().sum();
    if p <= 0.0 || n <= 0.0 {
        let rate = if p + n > 0.0 { p / (p + n) } else { 0.5 };
        return (0.0, logit(rate));
    }
    // The log loss and its gradient and Hessian at (a, b), in one pass.
    let eval = |a: f64, b: f64| -> [f64; 6] {
        let mut s = [0.0; 6];
        for i in 0..z.len() {
            let (zi, pi, ni) = (z[i], pos[i], neg[i]);
            let m = a * zi + b;
            let e = (-m.abs()).exp();
            let soft = e.ln_1p();
            let sig = if m >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            // −log σ(m) = softplus(−m), −log(1 − σ(m)) = softplus(m).
            s[0] += pi * ((-m).max(0.0) + soft) + ni * (m.max(0.0) + soft);
            let w = pi + ni;
            let r = w * sig - pi;
            let h = w * sig * (1.0 - sig);
            s[1] += r * zi;
            s[2] += r;
            s[3] += h * zi * zi;
            s[4] += h * zi;
            s[5] += h;
        }
        s
    };
    let (mut a, mut b) = start;
    let mut at = eval(a, b);
    if !at[0].is_finite() {
        (a, b) = (1.0, 0.0);
        at = eval(a, b);
    }
    for _ in 0..100 {
        let [loss, ga, gb, haa, hab, hbb] = at;
        let det = haa * hbb - hab * hab;
        if det.is_nan() || det <= 1e-300 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        let mut step = 1.0;
        let mut next = None;
        for _ in 0..40 {
            let (na, nb) = (a - step * da, b - step * db);
            let e = eval(na, nb);
            if e[0].is_finite() && e[0] <= loss {
                next = Some((na, nb, e));
                break;
            }
            step /= 2.0;
        }
        let Some((na, nb, e)) = next else {
            break;
        };
        let gain = loss - e[0];
        let moved = (step * da).abs() + (step * db).abs();
        (a, b, at) = (na, nb, e);
        if gain <= 1e-12 * e[0].max(1.0) || moved < 1e-12 {
            break;
        }
    }
    (a, b)
}

/// Poisson(c) for a count c that is resampled in every replicate, set up once.
#[derive(Debug, Clone)]
enum Poisson {
    Zero,
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Inversion by a search from the mode outwards (about 0.8 √c steps): one uniform number
    /// per draw.
    Search {
        mean: f64,
        mode: u64,
        /// P(X = mode).
        at_mode: f64,
        /// P(X < mode).
        below: f64,
    },
}

impl Poisson {
    /// Poisson(c) for a whole count c ≥ 0.
    fn new(c: f64) -> Poisson {
        if c <= 0.0 {
            Poisson::Zero
        } else if c > NORMAL_ABOVE {
            Poisson::Normal {
                mean: c,
                sd: c.sqrt(),
            }
        } else {
            let mode = c.floor();
            Poisson::Search {
                mean: c,
                mode: mode as u64,
                at_mode: (mode * c.ln() - c - ln_gamma(mode + 1.0)).exp(),
                below: if mode >= 1.0 { gamma_ur(mode, c) } else { 0.0 },
            }
        }
    }

    #[inline]
    fn draw(&self, rng: &mut StdRng) -> f64 {
        match *self {
            Poisson::Zero => 0.0,
            Poisson::Normal { mean, sd } => {
                let z: f64 = StandardNormal.sample(rng);
                (mean + z * sd).max(0.0).round()
            }
            Poisson::Search {
                mean,
                mode,
                at_mode,
                below,
            } => {
                let u: f64 = rng.gen();
                let (mut k, mut p) = (mode, at_mode);
                if u < below {
                    // cdf = P(X ≤ k − 1); step down while u lies below it.
                    let mut cdf = below;
                    while k > 0 {
                        p *= k as f64 / mean;
                        k -= 1;
                        cdf -= p;
                        if u >= cdf {
                            break;
                        }
                    }
                } else {
                    // cdf = P(X ≤ k); step up while u lies at or above it.
                    let mut cdf = below + at_mode;
                    while u >= cdf && p > 0.0 {
                        k += 1;
                        p *= mean / k as f64;
                        cdf += p;
                    }
                }
                k as f64
            }
        }
    }
}

/// A monotone map from score to P(positive), fitted on a labelled reference.
///
/// It keeps what the bootstrap replicates of [`estimate`] need to refit it: the reference's
/// distinct scores (or, past [`REFERENCE_GROUPS`] of them, groups of adjacent ones) with their
/// positive and negative counts, and the same method fitted on those groups.
#[derive(Debug, Clone)]
pub struct Calibrator {
    method: Method,
    map: Map,
    /// The held-out log loss of each method, isotonic then Platt.
    log_losses: [f64; 2],
    ece: f64,
    range: [f64; 2],
    /// The reference as the replicates resample it.
    groups: Points,
    /// Poisson(count) of each group's positive and negative count.
    resample: Vec<(Poisson, Poisson)>,
    /// The chosen method fitted on `groups` as they are.
    base: Map,
    /// The replicates' refitted maps, once [`prepare`](Calibrator::prepare)d for a number of
    /// replicates and a seed: every estimate made with them shares them (the calibration's
    /// uncertainty is the same for every part of the data).
    replicas: Option<(u64, Vec<Option<Map>>)>,
}

impl Calibrator {
    /// Fits isotonic regression and Platt scaling on the reference's scores of positive rows and
    /// of negative rows, and keeps the one with the lower held-out log loss under [`FOLDS`]-fold
    /// cross-validation (Platt on a tie). A distinct score's fold is its position in the merged
    /// ascending list of distinct reference scores modulo [`FOLDS`]: the positive and negative
    /// rows of a score stay together and every fold spans the whole score range. Reference rows
    /// with a NaN score are left out. `None` when either class has no rows.
    pub fn fit(positives: &Ranked, negatives: &Ranked) -> Option<Calibrator> {
        let mut points = Points::default();
        for_each_merged(
            (&positives.values, positives.counts.view()),
            (&negatives.values, negatives.counts.view()),
            |v, p, n| {
                if !v.is_nan() {
                    points.push(v, logit(v), p as f64, n as f64);
                }
            },
        );
        if points.pos.iter().sum::<f64>() <= 0.0 || points.neg.iter().sum::<f64>() <= 0.0 {
            return None;
        }
        // Held-out predictions of both methods, fold by fold.
        let folds: Vec<(Map, Map)> = (0..FOLDS)
            .into_par_iter()
            .map(|k| {
                let train = points.without_fold(k);
                let isotonic = pav(&train.x, &train.pos, &train.neg);
                let (a, b) = fit_platt(&train.z, &train.pos, &train.neg, (1.0, 0.0));
                (isotonic, Map::Platt { a, b })
            })
            .collect();
        let mut losses = [0.0f64; 2];
        let mut binners = [Binner::new(ECE_BINS), Binner::new(ECE_BINS)];
        let mut rows = 0.0;
        for i in 0..points.len() {
            let (x, z, p, n) = (points.x[i], points.z[i], points.pos[i], points.neg[i]);
            let (isotonic, platt) = &folds[i % FOLDS];
            for (m, map) in [isotonic, platt].into_iter().enumerate() {
                let c = map.apply_point(x, z);
                let clipped = c.clamp(CLIP, 1.0 - CLIP);
                losses[m] -= p * clipped.ln() + n * (1.0 - clipped).ln();
                binners[m].add_many(c, true, p as u64);
                binners[m].add_many(c, false, n as u64);
            }
            rows += p + n;
        }
        let log_losses = losses.map(|l| l / rows);
        let (method, chosen) = if log_losses[0] < log_losses[1] {
            (Method::Isotonic, 0)
        } else {
            (Method::Platt, 1)
        };
        let ece = binners
            .into_iter()
            .nth(chosen)
            .map_or(0.0, |b| b.finish("positive_class").ece);
        let map = Map::fit(
            method,
            &points.x,
            &points.z,
            &points.pos,
            &points.neg,
            (1.0, 0.0),
        );
        let range = [points.x[0], points.x[points.len() - 1]];
        let (groups, base) = if points.len() > REFERENCE_GROUPS {
            let groups = points.grouped(REFERENCE_GROUPS);
            let base = Map::fit(
                method,
                &groups.x,
                &groups.z,
                &groups.pos,
                &groups.neg,
                map.platt(),
            );
            (groups, base)
        } else {
            (points, map.clone())
        };
        let resample = groups
            .pos
            .iter()
            .zip(&groups.neg)
            .map(|(&p, &n)| (Poisson::new(p), Poisson::new(n)))
            .collect();
        Some(Calibrator {
            method,
            map,
            log_losses,
            ece,
            range,
            groups,
            resample,
            base,
            replicas: None,
        })
    }

    /// Refits the calibration of `replicates` bootstrap replicates drawn from `seed` once, for
    /// every [`estimate`] made with the same number and seed (each part of the data — window,
    /// segment — then costs only its own sums).
    pub fn prepare(&mut self, replicates: usize, seed: u64) {
        let maps = (0..replicates)
            .into_par_iter()
            .map(|r| self.refit(replicate_seed(seed, r)))
            .collect();
        self.replicas = Some((seed, maps));
    }

    /// The chosen method refitted on a Poisson bootstrap of the reference drawn from `seed`;
    /// `None` when the draw leaves a class empty.
    fn refit(&self, seed: u64) -> Option<Map> {
        let mut rng = StdRng::seed_from_u64(seed);
        let g = &self.groups;
        let (mut pos, mut neg) = (Vec::with_capacity(g.len()), Vec::with_capacity(g.len()));
        for (p, n) in &self.resample {
            pos.push(p.draw(&mut rng));
            neg.push(n.draw(&mut rng));
        }
        if pos.iter().all(|&p| p == 0.0) || neg.iter().all(|&n| n == 0.0) {
            return None;
        }
        Some(Map::fit(
            self.method,
            &g.x,
            &g.z,
            &pos,
            &neg,
            self.base.platt(),
        ))
    }

    /// The method chosen.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The calibrated probability of a score, in [0, 1]. Isotonic: the value of the block whose
    /// fitted scores span the score; in a gap between two blocks, the block with the nearer
    /// fitted score (the lower one on a tie); below the first or above the last fitted score,
    /// the end block. Platt: σ(a · logit(score) + b), the score clipped 10⁻¹² from 0 and 1.
    /// A NaN score is read as 0.5.
    pub fn apply(&self, score: f64) -> f64 {
        self.map.apply(clean(score))
    }

    /// The expected calibration error (10 equal-width bins) of the chosen method's
    /// cross-validated predictions on the reference.
    pub fn held_out_ece(&self) -> f64 {
        self.ece
    }

    /// The chosen method's held-out log loss per reference row (probabilities clipped 10⁻¹²
    /// from 0 and 1).
    pub fn held_out_log_loss(&self) -> f64 {
        self.held_out_log_loss_of(self.method)
    }

    /// The held-out log loss per reference row of either method, chosen or not.
    pub fn held_out_log_loss_of(&self, method: Method) -> f64 {
        match method {
            Method::Isotonic => self.log_losses[0],
            Method::Platt => self.log_losses[1],
        }
    }

    /// Platt's slope and intercept (a, b) when Platt scaling was chosen.
    pub fn platt_parameters(&self) -> Option<(f64, f64)> {
        match self.map {
            Map::Platt { a, b } => Some((a, b)),
            Map::Isotonic { .. } => None,
        }
    }

    /// The reference's score range [min, max].
    pub fn range(&self) -> [f64; 2] {
        self.range
    }
}

/// Calls `f(value, count in a, count in b)` for every distinct value of two ascending lists,
/// in ascending order (`f64::total_cmp`).
fn for_each_merged(a: List<'_>, b: List<'_>, mut f: impl FnMut(f64, u64, u64)) {
    use std::cmp::Ordering;
    let (mut i, mut j) = (0, 0);
    while i < a.0.len() || j < b.0.len() {
        let order = if i == a.0.len() {
            Ordering::Greater
        } else if j == b.0.len() {
            Ordering::Less
        } else {
            a.0[i].total_cmp(&b.0[j])
        };
        match order {
            Ordering::Less => {
                f(a.0[i], a.1.get(i), 0);
                i += 1;
            }
            Ordering::Greater => {
                f(b.0[j], 0, b.1.get(j));
                j += 1;
            }
            Ordering::Equal => {
                f(a.0[i], a.1.get(i), b.1.get(j));
                i += 1;
                j += 1;
            }
        }
    }
}

/// The current rows to estimate: their scores split by predicted class.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    /// Scores of the rows predicted positive.
    pub predicted_positive: &'a Ranked,
    /// Scores of the rows predicted negative.
    pub predicted_negative: &'a Ranked,
}

/// Estimated performance of the current rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Current rows.
    pub rows: u64,
    /// Estimated accuracy, (TP + TN) / rows (null without rows).
    pub accuracy: Option<f64>,
    /// Estimated precision, TP / (TP + FP) (null without predicted positives).
    pub precision: Option<f64>,
    /// Estimated recall, TP / (TP + FN) (null when no positives are expected).
    pub recall: Option<f64>,
    /// Estimated F1, 2TP / (2TP + FP + FN) (null when its denominator is 0).
    pub f1: Option<f64>,
    /// Estimated ROC AUC (null when no positives or no negatives are expected).
    pub roc_auc: Option<f64>,
    /// 95% intervals of the metric the current rows will show once labelled, by metric name
    /// (`accuracy`, `precision`, `recall`, `f1`, `roc_auc`), for the metrics that are defined.
    pub intervals: Vec<(String, [f64; 2])>,
    /// Share of the current rows whose score lies outside the reference's score range (NaN
    /// scores included).
    pub outside_reference_range: f64,
}

/// Sums over current rows under a calibration.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    /// Σ c over the predicted positives (expected TP) and Σ c(1 − c).
    tp: f64,
    tp_var: f64,
    /// Σ c over the predicted negatives (expected FN) and Σ c(1 − c).
    fn_: f64,
    fn_var: f64,
    /// Expected positive and negative mass of all rows.
    p_mass: f64,
    n_mass: f64,
    /// Σ over ascending scores of P_v · (negative mass below v + N_v / 2).
    auc_num: f64,
    /// Rows outside the reference's range.
    outside: u64,
}

impl Sums {
    /// One row group of `np` predicted positives and `nn` predicted negatives with calibrated
    /// probability `c`, above every group added so far.
    #[inline]
    fn add(&mut self, c: f64, np: f64, nn: f64) {
        let v = c * (1.0 - c);
        self.tp += np * c;
        self.tp_var += np * v;
        self.fn_ += nn * c;
        self.fn_var += nn * v;
        let m = np + nn;
        let (pv, nv) = (m * c, m * (1.0 - c));
        self.auc_num += pv * (self.n_mass + nv / 2.0);
        self.p_mass += pv;
        self.n_mass += nv;
    }

    /// The sums of `self` followed by `above` (whose scores all lie above).
    fn then(self, above: Sums) -> Sums {
        Sums {
            tp: self.tp + above.tp,
            tp_var: self.tp_var + above.tp_var,
            fn_: self.fn_ + above.fn_,
            fn_var: self.fn_var + above.fn_var,
            p_mass: self.p_mass + above.p_mass,
            n_mass: self.n_mass + above.n_mass,
            auc_num: self.auc_num + above.auc_num + above.p_mass * self.n_mass,
            outside: self.outside + above.outside,
        }
    }

    fn auc(&self) -> Option<f64> {
        (self.p_mass > 0.0 && self.n_mass > 0.0)
            .then(|| (self.auc_num / (self.p_mass * self.n_mass)).clamp(0.0, 1.0))
    }
}

type List<'a> = (&'a [f64], CountsView<'a>);

/// A list split into its scores below `at` and the rest.
fn split_at_value(list: List<'_>, at: f64) -> (List<'_>, List<'_>) {
    let (values, counts) = list;
    let k = values.partition_point(|v| v.total_cmp(&at).is_lt());
    (
        (&values[..k], counts.slice(0..k)),
        (&values[k..], counts.slice(k..values.len())),
    )
}

/// The exact sums over every distinct current score, split by score across threads.
fn exact(map: &Map, range: [f64; 2], pos: List<'_>, neg: List<'_>) -> Sums {
    if pos.0.len() + neg.0.len() <= SEQUENTIAL_BELOW {
        let mut s = Sums::default();
        for_each_merged(pos, neg, |v, np, nn| {
            s.add(map.apply(clean(v)), np as f64, nn as f64);
            if v.is_nan() || v < range[0] || v > range[1] {
                s.outside += np + nn;
            }
        });
        return s;
    }
    let longer = if pos.0.len() >= neg.0.len() { pos } else { neg };
    let at = longer.0[longer.0.len() / 2];
    let ((pl, pr), (nl, nr)) = (split_at_value(pos, at), split_at_value(neg, at));
    let (below, above) = rayon::join(|| exact(map, range, pl, nl), || exact(map, range, pr, nr));
    below.then(above)
}

/// Summarises ascending (score, rows) pairs in bins of adjacent scores of at least `per` rows
/// (non-finite scores each alone): (mean score, rows) per bin.
struct Binning {
    per: u64,
    rows: u64,
    sum: f64,
    bins: Vec<(f64, f64)>,
}

impl Binning {
    /// Bins for `distinct` values of `total` rows: every value its own bin when they are few.
    fn new(distinct: usize, total: u64) -> Binning {
        let per = if distinct <= CURRENT_BINS {
            1
        } else {
            total.div_ceil(CURRENT_BINS as u64).max(1)
        };
        Binning {
            per,
            rows: 0,
            sum: 0.0,
            bins: Vec::with_capacity(distinct.min(CURRENT_BINS + 16)),
        }
    }

    fn flush(&mut self) {
        if self.rows > 0 {
            self.bins
                .push((self.sum / self.rows as f64, self.rows as f64));
            (self.rows, self.sum) = (0, 0.0);
        }
    }

    #[inline]
    fn add(&mut self, v: f64, n: u64) {
        if n == 0 {
            return;
        }
        if !v.is_finite() {
            self.flush();
            self.bins.push((v, n as f64));
            return;
        }
        self.rows += n;
        self.sum += v * n as f64;
        if self.rows >= self.per {
            self.flush();
        }
    }

    fn finish(mut self) -> Vec<(f64, f64)> {
        self.flush();
        self.bins
    }
}

/// The current rows summarised for the replicates.
struct Bins {
    /// Bins of the predicted positives and of the predicted negatives.
    pos: Vec<(f64, f64)>,
    neg: Vec<(f64, f64)>,
    /// Bins of all rows, for the ROC AUC.
    all: Vec<(f64, f64)>,
}

fn bins_of(list: &Ranked) -> Vec<(f64, f64)> {
    let mut b = Binning::new(list.len(), list.total());
    for (v, n) in list.iter() {
        b.add(v, n);
    }
    b.finish()
}

impl Bins {
    fn new(pos: &Ranked, neg: &Ranked) -> Bins {
        let ((pos_bins, neg_bins), all) = rayon::join(
            || rayon::join(|| bins_of(pos), || bins_of(neg)),
            || {
                let mut b = Binning::new(pos.len() + neg.len(), pos.total() + neg.total());
                for_each_merged(
                    (&pos.values, pos.counts.view()),
                    (&neg.values, neg.counts.view()),
                    |v, np, nn| b.add(v, np + nn),
                );
                b.finish()
            },
        );
        Bins {
            pos: pos_bins,
            neg: neg_bins,
            all,
        }
    }

    /// The sums under a calibration, evaluated at the bins' mean scores.
    fn sums(&self, map: &Map) -> Sums {
        let mut s = Sums::default();
        for &(v, n) in &self.pos {
            let c = map.apply(clean(v));
            s.tp += n * c;
            s.tp_var += n * c * (1.0 - c);
        }
        for &(v, n) in &self.neg {
            let c = map.apply(clean(v));
            s.fn_ += n * c;
            s.fn_var += n * c * (1.0 - c);
        }
        let mut ranking = Sums::default();
        for &(v, n) in &self.all {
            ranking.add(map.apply(clean(v)), n, 0.0);
        }
        s.p_mass = ranking.p_mass;
        s.n_mass = ranking.n_mass;
        s.auc_num = ranking.auc_num;
        s
    }
}

/// Accuracy, precision, recall and F1 of a confusion matrix with `tp` of `n_pos` predicted
/// positives and `fn_` of `n_neg` predicted negatives truly positive.
fn metrics(tp: f64, fn_: f64, n_pos: f64, n_neg: f64) -> [Option<f64>; 4] {
    let fp = n_pos - tp;
    let tn = n_neg - fn_;
    let n = n_pos + n_neg;
    let f1_den = 2.0 * tp + fp + fn_;
    [
        (n > 0.0).then(|| (tp + tn) / n),
        (n_pos > 0.0).then(|| tp / n_pos),
        (tp + fn_ > 0.0).then(|| tp / (tp + fn_)),
        (f1_den > 0.0).then(|| 2.0 * tp / f1_den),
    ]
}

/// The ROC AUC of one draw of the labels still to come: in each bin of all current rows, the
/// positives drawn from its rows and their calibrated probability (binomial; normal when its
/// variance exceeds 9), the bins' rows ranked by their scores (a bin's own pairs count half).
/// `None` when the draw leaves a class empty.
fn drawn_auc(bins: &Bins, map: &Map, rng: &mut StdRng) -> Option<f64> {
    let (mut p_mass, mut n_mass, mut num) = (0.0, 0.0, 0.0);
    for &(v, n) in &bins.all {
        let c = map.apply(clean(v)).clamp(0.0, 1.0);
        let (mean, var) = (n * c, n * c * (1.0 - c));
        let k = if var > 9.0 {
            let z: f64 = StandardNormal.sample(rng);
            (mean + z * var.sqrt()).round().clamp(0.0, n)
        } else {
            Binomial::new(n as u64, c).map_or(mean, |b| b.sample(rng) as f64)
        };
        num += k * (n_mass + (n - k) / 2.0);
        p_mass += k;
        n_mass += n - k;
    }
    (p_mass > 0.0 && n_mass > 0.0).then(|| num / (p_mass * n_mass))
}

/// What is added to a replicate's binned sums: the gap between the exact sums and the binned ones
/// under the calibration fitted on the unresampled reference groups.
#[derive(Debug, Clone, Copy, Default)]
struct Shift {
    tp: f64,
    tp_var: f64,
    fn_: f64,
    fn_var: f64,
    auc: f64,
}

/// The realised metrics of one bootstrap replicate: accuracy, precision, recall, F1, ROC AUC
/// (`None` when the resampled reference lacks a class).
fn replicate(
    map: Option<&Map>,
    bins: &Bins,
    shift: &Shift,
    (n_pos, n_neg): (f64, f64),
    seed: u64,
) -> Option<[Option<f64>; 5]> {
    let map = map?;
    let mut rng = StdRng::seed_from_u64(seed);
    let s = bins.sums(map);
    let tp = (s.tp + shift.tp).clamp(0.0, n_pos);
    let fn_ = (s.fn_ + shift.fn_).clamp(0.0, n_neg);
    let tp_sd = (s.tp_var + shift.tp_var).max(0.0).sqrt();
    let fn_sd = (s.fn_var + shift.fn_var).max(0.0).sqrt();
    let [z1, z2]: [f64; 2] = std::array::from_fn(|_| StandardNormal.sample(&mut rng));
    let drawn_tp = (tp + z1 * tp_sd).clamp(0.0, n_pos);
    let drawn_fn = (fn_ + z2 * fn_sd).clamp(0.0, n_neg);
    let [accuracy, precision, recall, f1] = metrics(drawn_tp, drawn_fn, n_pos, n_neg);
    let roc_auc = drawn_auc(bins, map, &mut rng).map(|a| (a + shift.auc).clamp(0.0, 1.0));
    Some([accuracy, precision, recall, f1, roc_auc])
}

/// Mixed into the seed of the draws of the labels still to come.
const LABEL_DRAWS: u64 = 0x6c61_6265_6c73_0001;

/// The seed of replicate `r`.
fn replicate_seed(seed: u64, r: usize) -> u64 {
    // SplitMix64's finaliser over the seed and the replicate's number.
    let mut z = seed ^ (r as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The estimated performance of the current rows under `calibrator`, with 95% intervals from
/// `replicates` bootstrap replicates (none for 0) drawn from `seed`. The reference the
/// replicates resample is the one kept by the calibrator. `None` when there are no current rows.
pub fn estimate(
    calibrator: &Calibrator,
    current: Current<'_>,
    replicates: usize,
    seed: u64,
) -> Option<Estimate> {
    let (pos, neg) = (current.predicted_positive, current.predicted_negative);
    let (n_pos, n_neg) = (pos.total(), neg.total());
    let rows = n_pos + n_neg;
    if rows == 0 {
        return None;
    }
    let (exact_sums, bins) = rayon::join(
        || {
            exact(
                &calibrator.map,
                calibrator.range,
                (&pos.values, pos.counts.view()),
                (&neg.values, neg.counts.view()),
            )
        },
        || (replicates > 0).then(|| Bins::new(pos, neg)),
    );
    let (n_pos, n_neg) = (n_pos as f64, n_neg as f64);
    let tp = exact_sums.tp.clamp(0.0, n_pos);
    let fn_ = exact_sums.fn_.clamp(0.0, n_neg);
    let [accuracy, precision, recall, f1] = metrics(tp, fn_, n_pos, n_neg);
    let roc_auc = exact_sums.auc();
    let point = [accuracy, precision, recall, f1, roc_auc];
    let mut intervals = Vec::new();
    if let Some(bins) = bins {
        let base = bins.sums(&calibrator.base);
        let shift = Shift {
            tp: exact_sums.tp - base.tp,
            tp_var: exact_sums.tp_var - base.tp_var,
            fn_: exact_sums.fn_ - base.fn_,
            fn_var: exact_sums.fn_var - base.fn_var,
            auc: match (roc_auc, base.auc()) {
                (Some(e), Some(b)) => e - b,
                _ => 0.0,
            },
        };
        // The refitted calibrations: prepared once for every part, or fitted here.
        let fitted;
        let maps: &[Option<Map>] = match &calibrator.replicas {
            Some((s, maps)) if *s == seed && maps.len() == replicates => maps,
            _ => {
                fitted = (0..replicates)
                    .into_par_iter()
                    .map(|r| calibrator.refit(replicate_seed(seed, r)))
                    .collect::<Vec<_>>();
                &fitted
            }
        };
        // The labels still to come are drawn from their own generators, apart from those of
        // the calibrations'.
        let label_seed = seed.rotate_left(32) ^ LABEL_DRAWS;
        let draws: Vec<Option<[Option<f64>; 5]>> = (0..replicates)
            .into_par_iter()
            .map(|r| {
                replicate(
                    maps[r].as_ref(),
                    &bins,
                    &shift,
                    (n_pos, n_neg),
                    replicate_seed(label_seed, r),
                )
            })
            .collect();
        const NAMES: [&str; 5] = ["accuracy", "precision", "recall", "f1", "roc_auc"];
        for (m, name) in NAMES.iter().enumerate() {
            if point[m].is_none() {
                continue;
            }
            let values: Vec<f64> = draws.iter().flatten().filter_map(|d| d[m]).collect();
            if let Some(interval) = percentile_interval(values) {
                intervals.push((name.to_string(), interval));
            }
        }
    }
    Some(Estimate {
        rows,
        accuracy,
        precision,
        recall,
        f1,
        roc_auc,
        intervals,
        outside_reference_range: exact_sums.outside as f64 / rows as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::ranking::roc_auc;
    use rand_distr::Beta;

    /// Rows of scores drawn by `score`, rounded to `decimals`, each positive with probability
    /// `truth(score)`: (positive scores, negative scores).
    fn labelled(
        rng: &mut StdRng,
        rows: usize,
        decimals: i32,
        mut score: impl FnMut(&mut StdRng) -> f64,
        truth: impl Fn(f64) -> f64,
    ) -> (Vec<f64>, Vec<f64>) {
        let scale = 10f64.powi(decimals);
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        for _ in 0..rows {
            let s = (score(rng).clamp(0.0, 1.0) * scale).round() / scale;
            if rng.gen::<f64>() < truth(s) {
                pos.push(s);
            } else {
                neg.push(s);
            }
        }
        (pos, neg)
    }

    fn fitted(pos: Vec<f64>, neg: Vec<f64>) -> Calibrator {
        Calibrator::fit(&Ranked::from_values(pos), &Ranked::from_values(neg)).unwrap()
    }

    /// Realised accuracy, F1 and ROC AUC of labelled current rows predicted positive at 0.5.
    fn realised(pos: &[f64], neg: &[f64]) -> (f64, Option<f64>, Option<f64>) {
        let tp = pos.iter().filter(|&&s| s >= 0.5).count() as f64;
        let fn_ = pos.len() as f64 - tp;
        let fp = neg.iter().filter(|&&s| s >= 0.5).count() as f64;
        let tn = neg.len() as f64 - fp;
        let f1 = (2.0 * tp + fp + fn_ > 0.0).then(|| 2.0 * tp / (2.0 * tp + fp + fn_));
        let auc = roc_auc(
            &Ranked::from_values(pos.to_vec()),
            &Ranked::from_values(neg.to_vec()),
        );
        ((tp + tn) / (tp + tn + fp + fn_), f1, auc)
    }

    /// The current rows of labelled scores split by prediction (positive at 0.5).
    fn split(pos: &[f64], neg: &[f64]) -> (Ranked, Ranked) {
        let all = pos.iter().chain(neg).copied();
        let (p, n): (Vec<f64>, Vec<f64>) = all.partition(|&s| s >= 0.5);
        (Ranked::from_values(p), Ranked::from_values(n))
    }

    fn interval(e: &Estimate, name: &str) -> [f64; 2] {
        e.intervals.iter().find(|(n, _)| n == name).unwrap().1
    }

    #[test]
    fn pav_pools_the_violation() {
        // Shares 0, 1, 0, 1 with weights 1, 1, 3, 1: the middle two pool to 1/4.
        let map = pav(
            &[0.1, 0.2, 0.3, 0.4],
            &[0.0, 1.0, 0.0, 1.0],
            &[1.0, 0.0, 3.0, 0.0],
        );
        let Map::Isotonic { lo, hi, p } = &map else {
            panic!("isotonic");
        };
        assert_eq!(lo, &[0.1, 0.2, 0.4]);
        assert_eq!(hi, &[0.1, 0.3, 0.4]);
        assert_eq!(p, &[0.0, 0.25, 1.0]);
        for (s, want) in [
            (-1.0, 0.0),
            (0.1, 0.0),
            (0.12, 0.0),
            (0.18, 0.25),
            (0.25, 0.25),
            (0.3, 0.25),
            (0.33, 0.25),
            (0.38, 1.0),
            (2.0, 1.0),
        ] {
            assert_eq!(map.apply(s), want, "{s}");
        }
        // Equal shares pool too; points without rows are skipped.
        let map = pav(&[0.1, 0.2, 0.3], &[1.0, 0.0, 2.0], &[1.0, 0.0, 2.0]);
        assert_eq!(
            map,
            Map::Isotonic {
                lo: vec![0.1],
                hi: vec![0.3],
                p: vec![0.5]
            }
        );
    }

    #[test]
    fn a_step_in_the_calibration_chooses_isotonic() {
        let mut rng = StdRng::seed_from_u64(3);
        let truth = |s: f64| if s < 0.5 { 0.2 } else { 0.8 };
        let (pos, neg) = labelled(&mut rng, 20_000, 3, |r| r.gen(), truth);
        let c = fitted(pos, neg);
        assert_eq!(c.method(), Method::Isotonic);
        assert!(c.held_out_log_loss() < c.held_out_log_loss_of(Method::Platt));
        assert!((c.apply(0.2) - 0.2).abs() < 0.03, "{}", c.apply(0.2));
        assert!((c.apply(0.8) - 0.8).abs() < 0.03, "{}", c.apply(0.8));
        assert!(c.held_out_ece() < 0.03, "{}", c.held_out_ece());
    }

    #[test]
    fn platt_recovers_a_known_miscalibration() {
        let mut rng = StdRng::seed_from_u64(5);
        let truth = |s: f64| sigmoid(2.0 * logit(s));
        let (pos, neg) = labelled(&mut rng, 20_000, 6, |r| r.gen_range(0.01..0.99), truth);
        let c = fitted(pos, neg);
        assert_eq!(c.method(), Method::Platt);
        let (a, b) = c.platt_parameters().unwrap();
        assert!((a - 2.0).abs() < 0.15, "{a}");
        assert!(b.abs() < 0.08, "{b}");
        for s in [0.05, 0.2, 0.4, 0.5, 0.7, 0.9] {
            assert!((c.apply(s) - truth(s)).abs() < 0.03, "{s}: {}", c.apply(s));
        }
        assert!(c.held_out_ece() < 0.03, "{}", c.held_out_ece());
        let [lo, hi] = c.range();
        assert!(
            (0.01..0.011).contains(&lo) && (0.989..=0.99).contains(&hi),
            "{lo} {hi}"
        );
        // Scores outside [0, 1] and NaN are read without failing.
        assert!(c.apply(7.0) > 0.99 && c.apply(-3.0) < 0.01);
        assert_eq!(c.apply(f64::NAN), c.apply(0.5));
    }

    #[test]
    fn estimates_follow_the_realised_metrics() {
        let mut rng = StdRng::seed_from_u64(11);
        let (pos, neg) = labelled(&mut rng, 20_000, 3, |r| r.gen(), |s| s);
        let c = fitted(pos, neg);
        // Covariate shift: the current scores lean towards 0.
        let beta = Beta::new(2.0, 4.0).unwrap();
        let (pos, neg) = labelled(&mut rng, 50_000, 4, |r| beta.sample(r), |s| s);
        let (pp, pn) = split(&pos, &neg);
        let current = Current {
            predicted_positive: &pp,
            predicted_negative: &pn,
        };
        let e = estimate(&c, current, 200, 1).unwrap();
        let (accuracy, f1, auc) = realised(&pos, &neg);
        let (f1, auc) = (f1.unwrap(), auc.unwrap());
        assert_eq!(e.rows, 50_000);
        assert!(
            (e.accuracy.unwrap() - accuracy).abs() < 0.01,
            "{e:?} {accuracy}"
        );
        assert!((e.f1.unwrap() - f1).abs() < 0.02, "{e:?} {f1}");
        assert!((e.roc_auc.unwrap() - auc).abs() < 0.01, "{e:?} {auc}");
        // One draw of labels: coverage is the next test's; here the intervals are tight and
        // about the realised value (within twice their width).
        for (name, value) in [("accuracy", accuracy), ("f1", f1), ("roc_auc", auc)] {
            let [lo, hi] = interval(&e, name);
            let width = hi - lo;
            assert!(width > 0.0 && width < 0.05, "{name}: {lo}..{hi}");
            assert!(
                lo - width <= value && value <= hi + width,
                "{name}: {value} in {lo}..{hi}"
            );
        }
        assert_eq!(e.intervals.len(), 5);
        assert_eq!(e.outside_reference_range, 0.0);
    }

    #[test]
    fn prepared_replicates_give_the_same_estimate() {
        let mut rng = StdRng::seed_from_u64(29);
        let (pos, neg) = labelled(&mut rng, 3_000, 3, |r| r.gen(), |s| s);
        let mut c = fitted(pos, neg);
        let (pos, neg) = labelled(&mut rng, 2_000, 3, |r| r.gen(), |s| s);
        let (pp, pn) = split(&pos, &neg);
        let run = |c: &Calibrator, seed| {
            let current = Current {
                predicted_positive: &pp,
                predicted_negative: &pn,
            };
            estimate(c, current, 50, seed).unwrap()
        };
        let fresh = run(&c, 3);
        c.prepare(50, 3);
        assert_eq!(run(&c, 3), fresh);
        // Prepared for another seed, the replicates are refitted for this one.
        c.prepare(50, 4);
        assert_eq!(run(&c, 3), fresh);
        assert_ne!(run(&c, 4).intervals, fresh.intervals);
    }

    #[test]
    fn intervals_cover_the_realised_metrics() {
        let mut rng = StdRng::seed_from_u64(17);
        let (pos, neg) = labelled(&mut rng, 5_000, 3, |r| r.gen(), |s| s);
        let c = fitted(pos, neg);
        let (mut windows, mut accuracy_in, mut f1_in, mut auc_in) = (0, 0, 0, 0);
        for w in 0..100 {
            let beta = Beta::new(rng.gen_range(0.5..4.0), rng.gen_range(0.5..4.0)).unwrap();
            let (pos, neg) = labelled(&mut rng, 2_000, 3, |r| beta.sample(r), |s| s);
            let (pp, pn) = split(&pos, &neg);
            let current = Current {
                predicted_positive: &pp,
                predicted_negative: &pn,
            };
            let e = estimate(&c, current, 100, w).unwrap();
            let (accuracy, f1, auc) = realised(&pos, &neg);
            let inside = |name: &str, v: f64| {
                let [lo, hi] = interval(&e, name);
                usize::from(lo <= v && v <= hi)
            };
            let (Some(f1), Some(auc)) = (f1, auc) else {
                continue;
            };
            windows += 1;
            accuracy_in += inside("accuracy", accuracy);
            f1_in += inside("f1", f1);
            auc_in += inside("roc_auc", auc);
        }
        assert!(windows >= 95, "{windows}");
        let share = |k: usize| k as f64 / windows as f64;
        assert!(
            share(accuracy_in) >= 0.85,
            "accuracy {accuracy_in}/{windows}"
        );
        assert!(share(f1_in) >= 0.85, "f1 {f1_in}/{windows}");
        assert!(share(auc_in) >= 0.8, "roc_auc {auc_in}/{windows}");
    }

    #[test]
    fn binned_replicates_centre_on_the_exact_estimate() {
        // More distinct scores than the bins and groups hold.
        let mut rng = StdRng::seed_from_u64(23);
        let truth = |s: f64| sigmoid(1.5 * logit(s) - 0.3);
        let (pos, neg) = labelled(&mut rng, 60_000, 9, |r| r.gen(), truth);
        let c = fitted(pos, neg);
        assert!(c.groups.len() <= REFERENCE_GROUPS + 1, "{}", c.groups.len());
        let (pos, neg) = labelled(&mut rng, 100_000, 9, |r| r.gen::<f64>().powi(2), truth);
        let (pp, pn) = split(&pos, &neg);
        let bins = Bins::new(&pp, &pn);
        assert!(bins.pos.len() <= CURRENT_BINS + 1 && bins.all.len() <= CURRENT_BINS + 1);
        let s = exact(
            &c.map,
            c.range,
            (&pp.values, pp.counts.view()),
            (&pn.values, pn.counts.view()),
        );
        let b = bins.sums(&c.base);
        assert!(
            (s.tp - b.tp).abs() < 0.002 * pp.total() as f64,
            "{s:?} {b:?}"
        );
        assert!(
            (s.fn_ - b.fn_).abs() < 0.002 * pn.total() as f64,
            "{s:?} {b:?}"
        );
        assert!((s.auc().unwrap() - b.auc().unwrap()).abs() < 0.002);
        let current = Current {
            predicted_positive: &pp,
            predicted_negative: &pn,
        };
        let e = estimate(&c, current, 200, 9).unwrap();
        let (accuracy, f1, auc) = realised(&pos, &neg);
        for (name, point, value) in [
            ("accuracy", e.accuracy, accuracy),
            ("f1", e.f1, f1.unwrap()),
            ("roc_auc", e.roc_auc, auc.unwrap()),
        ] {
            let [lo, hi] = interval(&e, name);
            let point = point.unwrap();
            assert!((0.5 * (lo + hi) - point).abs() < 0.25 * (hi - lo), "{name}");
            assert!(lo <= value && value <= hi, "{name}: {value} in {lo}..{hi}");
        }
    }

    #[test]
    fn edge_cases() {
        let r = |v: Vec<f64>| Ranked::from_values(v);
        assert!(Calibrator::fit(&r(vec![0.2, 0.7]), &r(vec![])).is_none());
        assert!(Calibrator::fit(&r(vec![]), &r(vec![0.2, 0.7])).is_none());
        let c = fitted(
            vec![0.5, 0.6, 0.7, 0.8, 0.8, 0.9],
            vec![0.2, 0.3, 0.3, 0.4, 0.5, 0.6],
        );
        assert_eq!(c.range(), [0.2, 0.9]);
        let empty = r(vec![]);
        let none = Current {
            predicted_positive: &empty,
            predicted_negative: &empty,
        };
        assert!(estimate(&c, none, 50, 1).is_none());
        // Every row predicted positive: precision defined, no expected false negatives.
        let high = r(vec![0.1, 0.6, 0.7, 0.95, 0.95]);
        let all_positive = Current {
            predicted_positive: &high,
            predicted_negative: &empty,
        };
        let e = estimate(&c, all_positive, 50, 1).unwrap();
        assert_eq!(e.rows, 5);
        let precision = e.precision.unwrap();
        assert_eq!(e.accuracy, Some(precision));
        assert_eq!(e.recall, Some(1.0));
        assert_eq!(interval(&e, "recall"), [1.0, 1.0]);
        // 0.1 and 0.95 (twice) lie outside [0.2, 0.9].
        assert!((e.outside_reference_range - 0.6).abs() < 1e-12);
        // Every row predicted negative: no precision, and no interval for it.
        let all_negative = Current {
            predicted_positive: &empty,
            predicted_negative: &high,
        };
        let e = estimate(&c, all_negative, 50, 1).unwrap();
        assert_eq!(e.precision, None);
        assert!(e.intervals.iter().all(|(n, _)| n != "precision"));
        assert_eq!(e.f1, Some(0.0));
        // No replicates: point estimates only.
        let e = estimate(&c, all_positive, 0, 1).unwrap();
        assert!(e.intervals.is_empty() && e.accuracy.is_some());
    }

    #[test]
    fn estimates_are_reproducible() {
        let mut rng = StdRng::seed_from_u64(29);
        let (pos, neg) = labelled(&mut rng, 3_000, 2, |r| r.gen(), |s| s);
        let c = fitted(pos, neg);
        let (pos, neg) = labelled(&mut rng, 3_000, 3, |r| r.gen(), |s| s);
        let (pp, pn) = split(&pos, &neg);
        let current = Current {
            predicted_positive: &pp,
            predicted_negative: &pn,
        };
        let a = estimate(&c, current, 100, 7).unwrap();
        assert_eq!(a, estimate(&c, current, 100, 7).unwrap());
        assert_ne!(a, estimate(&c, current, 100, 8).unwrap());
        let json = serde_json::to_value(&a).unwrap();
        assert!(json["intervals"][0][0] == "accuracy", "{json}");
        assert_eq!(serde_json::to_value(Method::Isotonic).unwrap(), "isotonic");
    }

    #[test]
    fn poisson_draws_have_the_poisson_moments() {
        let mut rng = StdRng::seed_from_u64(31);
        for c in [1.0, 4.0, 37.0, 500.0, 20_000.0] {
            let d = Poisson::new(c);
            let n = 100_000;
            let draws: Vec<f64> = (0..n).map(|_| d.draw(&mut rng)).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            assert!(
                (mean - c).abs() < 5.0 * (c / n as f64).sqrt(),
                "{c}: {mean}"
            );
            assert!(
                (var - c).abs() < 5.0 * c * (2.0 / n as f64).sqrt(),
                "{c}: {var}"
            );
        }
        let d = Poisson::new(3.0);
        let zeros = (0..100_000).filter(|_| d.draw(&mut rng) == 0.0).count() as f64 / 1e5;
        assert!((zeros - (-3f64).exp()).abs() < 0.004, "{zeros}");
        assert_eq!(Poisson::new(0.0).draw(&mut rng), 0.0);
    }
}
