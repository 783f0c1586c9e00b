//! What confident learning would flag if the labels were drawn from the model's own
//! probabilities: the baseline that separates label errors from ordinary uncertainty.
//!
//! Confident learning marks a row labelled y as suspect when another class j reaches its
//! threshold t_j while p_y stays below t_y. Even with perfect labels some rows are suspect —
//! a calibrated model that says 0.9 is wrong one time in ten. If the labels followed the
//! model's probabilities, the number of suspects would be a sum of independent Bernoulli
//! variables, one per row: the row is suspect with probability q = Σ p_y over the labels y under
//! which it would be. Its mean and variance are the baseline; the excess of the observed count
//! over it estimates the label noise the model cannot explain.

use rayon::prelude::*;

use super::accumulator::EvalState;
use super::ranked::{CountsView, Ranked};

/// Expected suspects under calibrated labels, and the variance of that count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NoiseBaseline {
    /// Expected number of suspect rows.
    pub expected: f64,
    /// Variance of the number of suspect rows.
    pub variance: f64,
}

/// Fixed-point scale of the sums: 2^53 per unit, so that integer addition — exact and
/// order-free — gives the same bits whatever the order rows were merged in.
const SCALE: f64 = 9_007_199_254_740_992.0;

/// Sums of q and q(1 − q) in fixed point.
#[derive(Debug, Clone, Copy, Default)]
struct FixedSums {
    expected: u128,
    variance: u128,
}

impl FixedSums {
    #[inline]
    fn add(&mut self, q: f64, count: u64) {
        let q = q.clamp(0.0, 1.0);
        self.expected += u128::from(fixed(q * SCALE)) * u128::from(count);
        self.variance += u128::from(fixed(q * (1.0 - q) * SCALE)) * u128::from(count);
    }

    fn plus(self, other: FixedSums) -> FixedSums {
        FixedSums {
            expected: self.expected + other.expected,
            variance: self.variance + other.variance,
        }
    }

    fn baseline(self) -> NoiseBaseline {
        NoiseBaseline {
            expected: self.expected as f64 / SCALE,
            variance: self.variance as f64 / SCALE,
        }
    }
}

/// `x.round()` for x in [0, 2⁵³] (halves away from zero), without a library call: the
/// truncation and the fraction it leaves are exact.
#[inline]
fn fixed(x: f64) -> u64 {
    let whole = x as u64;
    whole + u64::from(x - whole as f64 >= 0.5)
}

/// Binary, with the thresholds of confident learning computed from `sorted` itself (the mean
/// score of the positive rows, the mean of 1 − score of the negative rows).
pub fn binary_auto(sorted: &(Ranked, Ranked)) -> Option<NoiseBaseline> {
    let mean = |r: &Ranked, f: &dyn Fn(f64) -> f64| {
        let n = r.total();
        (n > 0).then(|| r.iter().map(|(v, c)| f(v) * c as f64).sum::<f64>() / n as f64)
    };
    let t_pos = mean(&sorted.0, &|p| p)?;
    let t_neg = mean(&sorted.1, &|p| 1.0 - p)?;
    Some(binary(t_pos, t_neg, sorted))
}

/// Binary: `t_pos` and `t_neg` the thresholds of the positive and negative class, `sorted` the
/// ranked positive-class scores of the positive and of the negative rows.
pub fn binary(t_pos: f64, t_neg: f64, sorted: &(Ranked, Ranked)) -> NoiseBaseline {
    // Integer sums are exact in any order: the scores are summed in parallel stretches.
    const STRETCH: usize = 1 << 16;
    let stretch = |(values, counts): (&[f64], CountsView<'_>)| {
        let mut b = FixedSums::default();
        for (&p, c) in values.iter().zip(counts.iter()) {
            // Suspect if labelled negative: p ≥ t_pos and 1 − p < t_neg (probability 1 − p);
            // suspect if labelled positive: 1 − p ≥ t_neg and p < t_pos (probability p).
            let mut q = 0.0;
            if p >= t_pos && 1.0 - p < t_neg {
                q += 1.0 - p;
            }
            if 1.0 - p >= t_neg && p < t_pos {
                q += p;
            }
            if q != 0.0 {
                b.add(q, c);
            }
        }
        b
    };
    [&sorted.0, &sorted.1]
        .into_par_iter()
        .flat_map(|r| {
            r.values.par_chunks(STRETCH).enumerate().map(|(k, values)| {
                let from = k * STRETCH;
                (values, r.counts.view().slice(from..from + values.len()))
            })
        })
        .map(stretch)
        .reduce(FixedSums::default, FixedSums::plus)
        .baseline()
}

/// Multiclass: `thresholds` per probability column (NaN for a class without rows).
pub fn multiclass(state: &EvalState, thresholds: &[f64]) -> Option<NoiseBaseline> {
    let width = state.samples.width();
    if width < 2 || width != thresholds.len() {
        return None;
    }
    let mut b = FixedSums::default();
    for t in 0..state.classes.keys().len() {
        for row in state.samples.of_class(t) {
            let mut q = 0.0;
            for y in 0..width {
                if !thresholds[y].is_finite() || row[y] >= thresholds[y] {
                    continue;
                }
                let other = row
                    .iter()
                    .enumerate()
                    .any(|(j, &p)| j != y && thresholds[j].is_finite() && p >= thresholds[j]);
                if other {
                    q += row[y];
                }
            }
            b.add(q, 1);
        }
    }
    Some(b.baseline())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_rounding_is_rounding() {
        let tricky = [
            0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            3.4999999999999996,
            4_503_599_627_370_495.5,
            SCALE,
            0.1 * SCALE,
            (1.0 / 3.0) * SCALE,
        ];
        for x in tricky {
            assert_eq!(fixed(x), x.round() as u64, "{x}");
        }
    }

    #[test]
    fn binary_baseline_sums_the_probability_of_each_suspect_label() {
        // t_pos = 0.6, t_neg = 2/3 (the audit's example). Score 0.9: suspect if negative
        // (0.9 ≥ 0.6, 0.1 < 2/3), q = 0.1. Score 0.1: suspect if positive, q = 0.1. Score 0.7:
        // suspect if negative, q = 0.3. Scores 0.8: q = 0.2; 0.2: q = 0.2.
        let pos = Ranked::from_values(vec![0.9, 0.8, 0.1]);
        let neg = Ranked::from_values(vec![0.1, 0.2, 0.7]);
        let b = binary(0.6, 2.0 / 3.0, &(pos, neg));
        let qs = [0.1, 0.2, 0.1, 0.1, 0.2, 0.3];
        let expected: f64 = qs.iter().sum();
        let variance: f64 = qs.iter().map(|q| q * (1.0 - q)).sum();
        assert!((b.expected - expected).abs() < 1e-12, "{b:?}");
        assert!((b.variance - variance).abs() < 1e-12, "{b:?}");
        // The same rows in another order give the same bits.
        let pos = Ranked::from_values(vec![0.1, 0.9, 0.8]);
        let neg = Ranked::from_values(vec![0.7, 0.1, 0.2]);
        assert_eq!(binary(0.6, 2.0 / 3.0, &(pos, neg)), b);
    }
}
