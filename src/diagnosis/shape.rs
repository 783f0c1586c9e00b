//! Label noise or an over-confident model? Both make confidently contradicted labels more
//! frequent than the scores promise, and both raise the expected calibration error. They leave
//! different reliability curves: an over-confident model's observed frequency still tends to 0
//! and 1 at its most extreme scores (a temperature: observed = σ(a · logit(score)), a < 1),
//! while labels flipped at random put a floor under it and a ceiling over it that no score
//! escapes (observed = ε + (1 − 2ε) · score).
//!
//! [`noise_floor_fits_better`] fits both one-parameter curves to the reliability table by
//! binomial likelihood and tells which fits better by a clear margin.

use crate::metrics::calibration::Calibration;

/// Log-likelihood units by which the noise curve must beat the temperature curve (a likelihood
/// ratio of about e² ≈ 7).
const MARGIN: f64 = 2.0;

/// The binomial log-likelihood of the table's bins under `curve` (score → probability).
fn log_likelihood(bins: &[(f64, f64, f64)], curve: impl Fn(f64) -> f64) -> f64 {
    bins.iter()
        .map(|&(c, o, n)| {
            let p = curve(c).clamp(1e-9, 1.0 - 1e-9);
            n * (o * p.ln() + (1.0 - o) * (1.0 - p).ln())
        })
        .sum()
}

/// The best log-likelihood of a one-parameter family over `grid`.
fn best(
    bins: &[(f64, f64, f64)],
    grid: impl Iterator<Item = f64>,
    curve: impl Fn(f64, f64) -> f64,
) -> f64 {
    grid.map(|t| log_likelihood(bins, |c| curve(t, c)))
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Whether a label-noise floor explains the reliability table better than a temperature.
/// `None` when the table cannot tell (fewer than three non-empty bins).
pub fn noise_floor_fits_better(cal: &Calibration) -> Option<bool> {
    let bins: Vec<(f64, f64, f64)> = cal
        .table
        .iter()
        .filter_map(|b| {
            let (c, o) = (b.mean_confidence?, b.observed_frequency?);
            (b.count > 0).then_some((c, o, b.count as f64))
        })
        .collect();
    if bins.len() < 3 {
        return None;
    }
    let logit = |p: f64| {
        let p = p.clamp(1e-6, 1.0 - 1e-6);
        (p / (1.0 - p)).ln()
    };
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    let temperature = best(&bins, (1..=400).map(|i| i as f64 * 0.01), |a, c| {
        sigmoid(a * logit(c))
    });
    let noise = best(&bins, (0..=490).map(|i| i as f64 * 0.001), |e, c| {
        e + (1.0 - 2.0 * e) * c
    });
    Some(noise > temperature + MARGIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::calibration::ReliabilityBin;

    fn table(curve: impl Fn(f64) -> f64) -> Calibration {
        let table = (0..10)
            .map(|i| {
                let c = (i as f64 + 0.5) / 10.0;
                ReliabilityBin {
                    lower: i as f64 / 10.0,
                    upper: (i + 1) as f64 / 10.0,
                    count: 2000,
                    mean_confidence: Some(c),
                    observed_frequency: Some(curve(c)),
                }
            })
            .collect();
        Calibration {
            bins: 10,
            basis: "positive_class",
            ece: 0.1,
            mce: 0.2,
            direction: "over-confident",
            table,
        }
    }

    #[test]
    fn a_floor_is_noise_and_a_temperature_is_not() {
        let noisy = table(|c| 0.15 + 0.7 * c);
        assert_eq!(noise_floor_fits_better(&noisy), Some(true));
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let hot = table(|c| 1.0 / (1.0 + (-logit(c) / 3.0).exp()));
        assert_eq!(noise_floor_fits_better(&hot), Some(false));
    }
}
