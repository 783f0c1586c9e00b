//! Proper scoring rules of probabilities: log loss and the Brier score, as scikit-learn 1.9
//! defines them. Log loss clips each probability to [eps, 1 − eps] (eps = 2.22e-16, the f64
//! machine epsilon) and does not renormalise rows; the binary Brier score is the mean squared
//! difference between the positive-class probability and the outcome, the multiclass one the
//! mean over rows of the summed squared error over classes (scikit-learn's `brier_score_loss`
//! with its default `scale_by_half="auto"`). Sums are compensated (Neumaier) so that the result
//! does not depend on the order rows arrive in beyond the last bit.

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
}
