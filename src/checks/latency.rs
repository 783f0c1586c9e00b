//! Latency service-level objectives (`--latency-slo-ms`): a quantile of the per-row latency
//! must not exceed a bound, e.g. `--latency-slo-ms 250` (p95) or `--latency-slo-ms p99=400`.
//!
//! Each objective is a threshold check `latency:pNN` on the histogram of
//! [`LatencyHistogram`], whose quantiles are within 0.5% (relative) of the exact ones. A run
//! without any latency (every cell empty) fails the objective: it cannot be shown to hold.

use thiserror::Error;

use super::{Check, CheckDetail, CheckId, CheckStatus, ThresholdDetail};
use crate::metrics::latency::LatencyHistogram;

/// A latency objective that cannot be parsed.
#[derive(Debug, Error, PartialEq)]
pub enum LatencyError {
    /// Not `MS` or `pNN=MS`.
    #[error("--latency-slo-ms {0:?} must be MS or pNN=MS with MS a number of milliseconds > 0 and NN a percentile in (0, 100], e.g. --latency-slo-ms 250 or --latency-slo-ms p99=400")]
    Syntax(String),
    /// An objective without a latency column.
    #[error("--latency-slo-ms {0} needs the latency column (add --latency-col COL, or latency = \"COL\" under [columns] in mlguard.toml)")]
    NoColumn(String),
}

/// One objective: the `quantile` of the latency is at most `ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencySlo {
    /// The percentile as written, e.g. `p95`.
    pub name: String,
    /// The quantile in (0, 1].
    pub quantile: f64,
    /// The bound in milliseconds.
    pub ms: f64,
}

impl LatencySlo {
    /// Parses `MS` (the p95) or `pNN=MS`.
    pub fn parse(raw: &str) -> Result<LatencySlo, LatencyError> {
        let err = || LatencyError::Syntax(raw.to_string());
        let (name, ms) = match raw.split_once('=') {
            Some((name, ms)) => (name.trim().to_ascii_lowercase(), ms),
            None => ("p95".to_string(), raw),
        };
        let percent: f64 = name
            .strip_prefix('p')
            .and_then(|p| p.parse().ok())
            .filter(|p: &f64| *p > 0.0 && *p <= 100.0)
            .ok_or_else(err)?;
        let ms: f64 = ms
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v > 0.0)
            .ok_or_else(err)?;
        Ok(LatencySlo {
            name,
            quantile: percent / 100.0,
            ms,
        })
    }
}

/// The check of one objective on the latencies of `column`.
pub fn check(slo: &LatencySlo, latency: &LatencyHistogram) -> Check {
    let value = latency.quantile(slo.quantile);
    let (status, message) = match value {
        None => (
            CheckStatus::Fail,
            format!(
                "no latencies were read (every cell empty), so the objective {} <= {} ms cannot be checked",
                slo.name, slo.ms
            ),
        ),
        Some(v) if v <= slo.ms => (
            CheckStatus::Pass,
            format!(
                "latency {} = {v:.2} ms meets the objective of {} ms",
                slo.name, slo.ms
            ),
        ),
        Some(v) => (
            CheckStatus::Fail,
            format!(
                "latency {} = {v:.2} ms exceeds the objective of {} ms by {:.2} ms",
                slo.name,
                slo.ms,
                v - slo.ms
            ),
        ),
    };
    Check {
        id: CheckId::Latency {
            percentile: slo.name.clone(),
        },
        kind: "threshold",
        status,
        message,
        detail: CheckDetail::Threshold(ThresholdDetail {
            metric: format!("latency.{}_ms", slo.name),
            op: "<=",
            threshold: slo.ms,
            value,
            interval: None,
            compared: "value",
            segment: None,
            rows: latency.count,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let p95 = LatencySlo::parse("250").unwrap();
        assert_eq!(
            (p95.name.as_str(), p95.quantile, p95.ms),
            ("p95", 0.95, 250.0)
        );
        let p99 = LatencySlo::parse("P99=400").unwrap();
        assert_eq!(
            (p99.name.as_str(), p99.quantile, p99.ms),
            ("p99", 0.99, 400.0)
        );
        assert!((LatencySlo::parse("p99.9=1").unwrap().quantile - 0.999).abs() < 1e-12);
        for bad in [
            "", "x", "p0=1", "p101=1", "p95=-1", "p95=0", "q95=1", "p95=inf",
        ] {
            assert!(LatencySlo::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fails_above_the_bound_and_without_latencies() {
        let mut h = LatencyHistogram::default();
        for ms in 1..=100 {
            h.push(f64::from(ms));
        }
        let slo = |raw| LatencySlo::parse(raw).unwrap();
        assert_eq!(check(&slo("p95=100"), &h).status, CheckStatus::Pass);
        assert_eq!(check(&slo("p95=90"), &h).status, CheckStatus::Fail);
        assert_eq!(
            check(&slo("p95=90"), &LatencyHistogram::default()).status,
            CheckStatus::Fail
        );
    }
}
