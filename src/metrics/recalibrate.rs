//! Recalibration remedies fitted on a sample of rows: what a simple post-hoc correction of the
//! scores would do to the calibration error.
//!
//! Binary scores get Platt scaling (a logistic regression of the label on logit(score), two
//! parameters; Platt 1999) and temperature scaling (the logit divided by one parameter, Guo et
//! al. 2017); multiclass probabilities get temperature scaling of their logarithms (softmax of
//! log p / T). Each is fitted by Newton's method on the log loss of one half of the sample and
//! judged by the expected calibration error (10 equal-width bins, as [`Binner`]) on the other
//! half, before and after; the method with the lower error afterwards is named.

use serde::Serialize;

use super::calibration::Binner;
use crate::ordered_map::OrderedMap;

/// Bins of the calibration error compared before and after.
pub const ECE_BINS: usize = 10;

/// Probabilities are clipped this far from 0 and 1 before taking logarithms.
const CLIP: f64 = 1e-12;

/// Rows a half needs before a fit is worth reporting.
pub const MIN_HALF_ROWS: usize = 20;

/// The chosen recalibration and what it would change.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Recalibration {
    /// `platt` or `temperature`.
    pub method: &'static str,
    /// The fitted parameters (`slope` and `intercept` for Platt, `temperature`).
    pub params: OrderedMap<f64>,
    /// Rows the method was fitted on.
    pub fit_rows: u64,
    /// Rows the calibration error was measured on.
    pub eval_rows: u64,
    /// Expected calibration error of the evaluation rows as they are.
    pub ece_before: f64,
    /// Expected calibration error of the evaluation rows after the method.
    pub ece_after: f64,
    /// Whether the sample held every row of the input.
    pub exact: bool,
    /// Every method tried → its calibration error after.
    pub alternatives: OrderedMap<f64>,
}

/// One binary row: the positive-class score, the outcome, and which half it is in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryRow {
    /// The positive-class score.
    pub score: f64,
    /// Whether the row is of the positive class.
    pub positive: bool,
    /// Whether the row is in the half the methods are fitted on.
    pub fit: bool,
}

pub(crate) fn logit(p: f64) -> f64 {
    let p = p.clamp(CLIP, 1.0 - CLIP);
    (p / (1.0 - p)).ln()
}

pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Fits σ(a·z + b) to the outcomes by Newton's method (b fixed at 0 when `intercept` is false).
pub fn fit_logistic(z: &[f64], y: &[bool], intercept: bool) -> (f64, f64) {
    let loss = |a: f64, b: f64| -> f64 {
        z.iter()
            .zip(y)
            .map(|(&z, &y)| {
                let m = a * z + b;
                // −log σ(m) = log(1 + e^−m), stably.
                let s = if y { -m } else { m };
                s.max(0.0) + (-s.abs()).exp().ln_1p()
            })
            .sum()
    };
    let (mut a, mut b) = (1.0, 0.0);
    let mut current = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&z, &y) in z.iter().zip(y) {
            let p = sigmoid(a * z + b);
            let r = p - f64::from(u8::from(y));
            let w = (p * (1.0 - p)).max(1e-12);
            ga += r * z;
            gb += r;
            haa += w * z * z;
            hab += w * z;
            hbb += w;
        }
        let (da, db) = if intercept {
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-300 {
                break;
            }
            ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det)
        } else if haa > 0.0 {
            (ga / haa, 0.0)
        } else {
            break;
        };
        let mut step = 1.0;
        let mut improved = false;
        for _ in 0..30 {
            let (na, nb) = (a - step * da, b - step * db);
            let l = loss(na, nb);
            if l.is_finite() && l <= current {
                improved = current - l > 1e-12 * current.abs().max(1.0);
                a = na;
                b = nb;
                current = l;
                break;
            }
            step /= 2.0;
        }
        if !improved {
            break;
        }
    }
    (a, b)
}

/// The expected calibration error of positive-class scores.
pub fn binary_ece(rows: impl Iterator<Item = (f64, bool)>) -> f64 {
    let mut bins = Binner::new(ECE_BINS);
    for (p, y) in rows {
        bins.add(p.clamp(0.0, 1.0), y);
    }
    bins.finish("positive_class").ece
}

/// The top-label expected calibration error of probability rows (`width` values each).
pub fn top_label_ece<'a>(rows: impl Iterator<Item = (&'a [f64], usize)>) -> f64 {
    let mut bins = Binner::new(ECE_BINS);
    for (p, y) in rows {
        let (top, conf) = argmax(p);
        bins.add(conf.clamp(0.0, 1.0), top == y);
    }
    bins.finish("top_label").ece
}

/// The first index of the largest value, and the value.
fn argmax(p: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &v) in p.iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best
}

fn pick(
    candidates: Vec<(&'static str, OrderedMap<f64>, f64)>,
    fit_rows: usize,
    eval_rows: usize,
    ece_before: f64,
    exact: bool,
) -> Option<Recalibration> {
    let alternatives = OrderedMap(
        candidates
            .iter()
            .map(|(name, _, ece)| (name.to_string(), *ece))
            .collect(),
    );
    let (method, params, ece_after) = candidates.into_iter().min_by(|a, b| a.2.total_cmp(&b.2))?;
    Some(Recalibration {
        method,
        params,
        fit_rows: fit_rows as u64,
        eval_rows: eval_rows as u64,
        ece_before,
        ece_after,
        exact,
        alternatives,
    })
}

/// Three computations at once.
fn join3<A: Send, B: Send, C: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
    c: impl FnOnce() -> C + Send,
) -> (A, B, C) {
    let (a, (b, c)) = rayon::join(a, || rayon::join(b, c));
    (a, b, c)
}

/// Platt and temperature scaling of binary scores (`exact`: the rows are every row of the
/// input). `None` when a half has too few rows or the fit half a single class.
pub fn binary(rows: &[BinaryRow], exact: bool) -> Option<Recalibration> {
    let (fit, eval): (Vec<&BinaryRow>, Vec<&BinaryRow>) = rows.iter().partition(|r| r.fit);
    if fit.len() < MIN_HALF_ROWS || eval.len() < MIN_HALF_ROWS {
        return None;
    }
    let positives = fit.iter().filter(|r| r.positive).count();
    if positives == 0 || positives == fit.len() {
        return None;
    }
    let z: Vec<f64> = fit.iter().map(|r| logit(r.score)).collect();
    let y: Vec<bool> = fit.iter().map(|r| r.positive).collect();
    let after = |a: f64, b: f64| {
        binary_ece(
            eval.iter()
                .map(|r| (sigmoid(a * logit(r.score) + b), r.positive)),
        )
    };
    // The two fits, each with its held-out error, and the error before run at once.
    let (((slope, intercept), platt_ece), (inverse_t, temperature_ece), before) = join3(
        || {
            let (slope, intercept) = fit_logistic(&z, &y, true);
            ((slope, intercept), after(slope, intercept))
        },
        || {
            let (inverse_t, _) = fit_logistic(&z, &y, false);
            (inverse_t, after(inverse_t, 0.0))
        },
        || binary_ece(eval.iter().map(|r| (r.score, r.positive))),
    );
    let candidates = vec![
        (
            "platt",
            OrderedMap(vec![
                ("slope".to_string(), slope),
                ("intercept".to_string(), intercept),
            ]),
            platt_ece,
        ),
        (
            "temperature",
            OrderedMap(vec![("temperature".to_string(), 1.0 / inverse_t)]),
            temperature_ece,
        ),
    ];
    pick(candidates, fit.len(), eval.len(), before, exact)
}

/// softmax(s · log p) of one row, into `out`.
fn tempered(p: &[f64], s: f64, out: &mut Vec<f64>) {
    out.clear();
    out.extend(p.iter().map(|&v| s * v.max(CLIP).ln()));
    let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in out.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in out.iter_mut() {
        *v /= sum;
    }
}

/// Fits the inverse temperature s of softmax(s · log p) by Newton's method on the log loss
/// (convex in s: the derivative is Σ E_q[log p] − log p_y, the second derivative Σ Var_q[log p]).
pub fn fit_inverse_temperature(rows: &[(&[f64], usize)]) -> f64 {
    let mut s = 1.0f64;
    let mut q = Vec::new();
    for _ in 0..100 {
        let (mut g, mut h) = (0.0, 0.0);
        for &(p, y) in rows {
            tempered(p, s, &mut q);
            let (mut mean, mut square) = (0.0, 0.0);
            for (&qi, &pi) in q.iter().zip(p) {
                let l = pi.max(CLIP).ln();
                mean += qi * l;
                square += qi * l * l;
            }
            g += mean - p[y].max(CLIP).ln();
            h += (square - mean * mean).max(0.0);
        }
        if h <= 0.0 {
            break;
        }
        let next = (s - g / h).clamp(s / 4.0, s * 4.0).clamp(1e-3, 1e3);
        let done = (next - s).abs() < 1e-10 * s;
        s = next;
        if done {
            break;
        }
    }
    s
}

/// Temperature scaling of multiclass probabilities: rows of `width` values with the label's
/// column and whether the row is in the fit half.
pub fn multiclass(rows: &[(&[f64], usize, bool)], exact: bool) -> Option<Recalibration> {
    let fit: Vec<(&[f64], usize)> = rows.iter().filter(|r| r.2).map(|r| (r.0, r.1)).collect();
    let eval: Vec<(&[f64], usize)> = rows.iter().filter(|r| !r.2).map(|r| (r.0, r.1)).collect();
    if fit.len() < MIN_HALF_ROWS || eval.len() < MIN_HALF_ROWS {
        return None;
    }
    let s = fit_inverse_temperature(&fit);
    let before = top_label_ece(eval.iter().copied());
    let scaled: Vec<Vec<f64>> = eval
        .iter()
        .map(|(p, _)| {
            let mut q = Vec::new();
            tempered(p, s, &mut q);
            q
        })
        .collect();
    let after = top_label_ece(scaled.iter().zip(&eval).map(|(q, e)| (q.as_slice(), e.1)));
    let candidates = vec![(
        "temperature",
        OrderedMap(vec![("temperature".to_string(), 1.0 / s)]),
        after,
    )];
    pick(candidates, fit.len(), eval.len(), before, exact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, Normal};

    /// Rows whose scores are sigmoid(factor · true logit): over-confident for factor > 1.
    fn miscalibrated(factor: f64, n: usize) -> Vec<BinaryRow> {
        let mut rng = StdRng::seed_from_u64(7);
        let normal = Normal::new(0.0, 1.5).unwrap();
        (0..n)
            .map(|i| {
                let z: f64 = normal.sample(&mut rng);
                let positive = rng.gen::<f64>() < sigmoid(z);
                BinaryRow {
                    score: sigmoid(factor * z),
                    positive,
                    fit: i % 2 == 0,
                }
            })
            .collect()
    }

    #[test]
    fn binary_methods_recover_the_factor() {
        let rows = miscalibrated(2.0, 40_000);
        let r = binary(&rows, true).unwrap();
        let t = r.alternatives.get("temperature").unwrap();
        assert!(r.ece_after < r.ece_before / 3.0, "{r:?}");
        assert!(*t < r.ece_before);
        let params = |name: &str| {
            let z: Vec<f64> = rows
                .iter()
                .filter(|r| r.fit)
                .map(|r| logit(r.score))
                .collect();
            let y: Vec<bool> = rows.iter().filter(|r| r.fit).map(|r| r.positive).collect();
            fit_logistic(&z, &y, name == "platt")
        };
        let (slope, intercept) = params("platt");
        assert!((slope - 0.5).abs() < 0.03, "{slope}");
        assert!(intercept.abs() < 0.05, "{intercept}");
        let (inverse_t, _) = params("temperature");
        assert!((1.0 / inverse_t - 2.0).abs() < 0.1, "{inverse_t}");
    }

    #[test]
    fn multiclass_temperature_recovers_the_factor() {
        let mut rng = StdRng::seed_from_u64(11);
        let normal = Normal::new(0.0, 1.2).unwrap();
        let mut data: Vec<(Vec<f64>, usize, bool)> = Vec::new();
        for i in 0..30_000 {
            let logits: Vec<f64> = (0..3).map(|_| normal.sample(&mut rng)).collect();
            let mut truth = Vec::new();
            tempered(
                &logits.iter().map(|l| l.exp()).collect::<Vec<_>>(),
                1.0,
                &mut truth,
            );
            let u: f64 = rng.gen();
            let mut acc = 0.0;
            let y = truth
                .iter()
                .position(|&p| {
                    acc += p;
                    u < acc
                })
                .unwrap_or(2);
            // Over-confident by 2: softmax(2 · logits).
            let mut shown = Vec::new();
            tempered(
                &logits.iter().map(|l| l.exp()).collect::<Vec<_>>(),
                2.0,
                &mut shown,
            );
            data.push((shown, y, i % 2 == 0));
        }
        let rows: Vec<(&[f64], usize, bool)> = data
            .iter()
            .map(|(p, y, f)| (p.as_slice(), *y, *f))
            .collect();
        let r = multiclass(&rows, true).unwrap();
        let t = *r.params.get("temperature").unwrap();
        assert!((t - 2.0).abs() < 0.1, "{t}");
        assert!(r.ece_after < r.ece_before / 2.0, "{r:?}");
    }

    #[test]
    fn too_few_rows_give_nothing() {
        let rows = miscalibrated(2.0, 30);
        assert!(binary(&rows, true).is_none());
    }
}
