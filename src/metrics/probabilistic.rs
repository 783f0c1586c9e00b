//! Proper scoring rules of probabilities: log loss and the Brier score, as scikit-learn 1.9
//! defines them. Log loss clips each probability to [eps, 1 − eps] (eps = 2.22e-16, the f64
//! machine epsilon) and does not renormalise rows; the binary Brier score is the mean squared
//! difference between the positive-class probability and the outcome, the multiclass one the
//! mean over rows of the summed squared error over classes (scikit-learn's `brier_score_loss`
//! with its default `scale_by_half="auto"`). Sums are compensated (Neumaier) so that the result
//! does not depend on the order rows arrive in beyond the last bit.

use std::sync::OnceLock;

use rayon::prelude::*;

use super::ranked::GRID_SCALE;

/// A compensated (Neumaier) sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    /// Adds a value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// The sum.
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// The log-loss term of the probability given to the true class.
#[inline]
pub fn log_loss_term(p_true: f64) -> f64 {
    let eps = f64::EPSILON;
    -p_true.clamp(eps, 1.0 - eps).ln()
}

/// Distinct scores of one class beyond which [`GridTerms`] pay for their set-up.
pub const GRID_TERMS_FROM: usize = 100_000;

/// The log-loss terms of every score with at most six decimals, for both outcomes, computed
/// once per run (16 MB): an evaluation with a million distinct scores in each of several states
/// would otherwise take a logarithm per distinct score per state. A look-up gives exactly what
/// [`log_loss_term`] gives, so whether it is used never changes a result.
pub struct GridTerms {
    /// `log_loss_term(k / 10⁶)` at k.
    positive: Vec<f64>,
    /// `log_loss_term(1 − k / 10⁶)` at k.
    negative: Vec<f64>,
}

impl GridTerms {
    /// The shared table, computed on first use.
    pub fn get() -> &'static GridTerms {
        static TERMS: OnceLock<GridTerms> = OnceLock::new();
        TERMS.get_or_init(|| {
            let table = |f: fn(f64) -> f64| -> Vec<f64> {
                (0..=GRID_SCALE)
                    .into_par_iter()
                    .map(|k| log_loss_term(f(f64::from(k) / f64::from(GRID_SCALE))))
                    .collect()
            };
            let (positive, negative) = rayon::join(|| table(|s| s), || table(|s| 1.0 - s));
            GridTerms { positive, negative }
        })
    }

    /// `log_loss_term(k / 10⁶)` when the row is positive, else `log_loss_term(1 − k / 10⁶)`.
    #[inline]
    pub fn at(&self, k: usize, positive: bool) -> f64 {
        if positive {
            self.positive[k]
        } else {
            self.negative[k]
        }
    }

    /// `log_loss_term(s)` when the row is positive, else `log_loss_term(1 − s)`.
    #[inline]
    pub fn term(&self, s: f64, positive: bool) -> f64 {
        // The grid point s stands for, if it is one (s is in [0, 1]).
        let k = (s * f64::from(GRID_SCALE) + 0.5) as u32;
        let on_grid = k <= GRID_SCALE && f64::from(k) / f64::from(GRID_SCALE) == s;
        match (on_grid, positive) {
            (true, true) => self.positive[k as usize],
            (true, false) => self.negative[k as usize],
            (false, true) => log_loss_term(s),
            (false, false) => log_loss_term(1.0 - s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_keeps_small_terms() {
        let mut s = Sum::default();
        s.add(1e16);
        for _ in 0..10 {
            s.add(1.0);
        }
        s.add(-1e16);
        assert_eq!(s.value(), 10.0);
    }

    #[test]
    fn log_loss_clips() {
        assert_eq!(log_loss_term(0.0), -f64::EPSILON.ln());
        assert_eq!(log_loss_term(1.0), -(1.0 - f64::EPSILON).ln());
    }

    #[test]
    fn grid_terms_are_the_terms() {
        let terms = GridTerms::get();
        let scale = f64::from(GRID_SCALE);
        let grid = (0..=GRID_SCALE)
            .step_by(997)
            .chain([1, 499_999, 500_000, 999_999, GRID_SCALE]);
        for k in grid {
            let s = f64::from(k) / scale;
            assert_eq!(
                terms.term(s, true).to_bits(),
                log_loss_term(s).to_bits(),
                "{s}"
            );
            assert_eq!(
                terms.term(s, false).to_bits(),
                log_loss_term(1.0 - s).to_bits(),
                "{s}"
            );
        }
        for s in [0.1234567, 1e-9, 0.3 + 1e-12, 1.0 - 1e-12] {
            assert_eq!(terms.term(s, true), log_loss_term(s), "{s}");
            assert_eq!(terms.term(s, false), log_loss_term(1.0 - s), "{s}");
        }
    }
}
