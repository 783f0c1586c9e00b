//! Serving latency (`--latency-col`): a small, mergeable histogram of per-row latencies in
//! milliseconds, and its summary (count, missing, mean, p50, p95, p99, max).
//!
//! The histogram is log-bucketed as in DDSketch (Masson, Rim & Lee, VLDB 2019): a latency
//! x > 0 falls in bucket i = ⌈ln x / ln γ⌉ with γ = (1 + α) / (1 − α), and a bucket stands for
//! the value 2γⁱ / (γ + 1), which is within a relative error α of every value in the bucket.
//! With α = 0.005 every quantile it returns is within **0.5%** (relative) of a latency of the
//! input at that rank, whatever the distribution and the row count; latencies below 1 ns
//! (1e-6 ms) share one bucket that stands for 0. Count, missing cells, minimum and maximum are
//! exact; the sum behind the mean is kept exactly in whole picoseconds, so the mean is exact to
//! a picosecond. Buckets and sums merge by addition: merging any split of the rows gives the
//! state of one pass, bit for bit.
//!
//! Quantiles use the nearest-rank definition: the p-quantile of n latencies is the
//! ⌈p·n⌉-th smallest (the smallest for p = 0).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The relative error of every quantile.
pub const RELATIVE_ERROR: f64 = 0.005;
/// Latencies below this (ms) count as 0.
const ZERO_BELOW_MS: f64 = 1e-6;
/// The largest latency accepted, in ms (about 31 years): larger values are input errors.
pub const MAX_LATENCY_MS: f64 = 1e12;
/// Picoseconds per millisecond.
const PS_PER_MS: f64 = 1e9;

fn gamma() -> f64 {
    (1.0 + RELATIVE_ERROR) / (1.0 - RELATIVE_ERROR)
}

/// Latencies seen so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyHistogram {
    /// Rows with a latency.
    pub count: u64,
    /// Rows whose latency cell was empty.
    pub missing: u64,
    /// Latencies below 1 ns.
    pub zeros: u64,
    /// Rows per bucket index.
    pub buckets: BTreeMap<i32, u64>,
    /// The smallest latency (ms), when any.
    pub min: Option<f64>,
    /// The largest latency (ms), when any.
    pub max: Option<f64>,
    /// The sum of the latencies in whole picoseconds.
    pub sum_ps: u128,
}

/// The summary of the latencies in the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencySummary {
    /// The latency column.
    pub column: String,
    /// Rows with a latency.
    pub rows: u64,
    /// Rows whose latency cell was empty.
    pub missing: u64,
    /// Mean latency (ms), null without latencies.
    pub mean_ms: Option<f64>,
    /// Median latency (ms, within 0.5%).
    pub p50_ms: Option<f64>,
    /// 95th percentile (ms, within 0.5%).
    pub p95_ms: Option<f64>,
    /// 99th percentile (ms, within 0.5%).
    pub p99_ms: Option<f64>,
    /// The largest latency (ms, exact).
    pub max_ms: Option<f64>,
}

impl LatencyHistogram {
    /// Counts one latency in ms, which must be finite, >= 0 and at most [`MAX_LATENCY_MS`].
    #[inline]
    pub fn push(&mut self, ms: f64) {
        debug_assert!((0.0..=MAX_LATENCY_MS).contains(&ms));
        self.count += 1;
        self.sum_ps += (ms * PS_PER_MS).round() as u128;
        self.min = Some(self.min.map_or(ms, |m| m.min(ms)));
        self.max = Some(self.max.map_or(ms, |m| m.max(ms)));
        if ms < ZERO_BELOW_MS {
            self.zeros += 1;
        } else {
            let i = (ms.ln() / gamma().ln()).ceil() as i32;
            *self.buckets.entry(i).or_insert(0) += 1;
        }
    }

    /// Counts a row without a latency.
    #[inline]
    pub fn push_missing(&mut self) {
        self.missing += 1;
    }

    /// Adds another histogram's rows.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        self.count += other.count;
        self.missing += other.missing;
        self.zeros += other.zeros;
        self.sum_ps += other.sum_ps;
        for (&i, &c) in &other.buckets {
            *self.buckets.entry(i).or_insert(0) += c;
        }
        self.min = match (self.min, other.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// The mean latency (ms).
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum_ps as f64 / PS_PER_MS / self.count as f64)
    }

    /// The nearest-rank `q`-quantile (q in [0, 1]), within [`RELATIVE_ERROR`].
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let (min, max) = (self.min?, self.max?);
        if rank <= self.zeros {
            return Some(0.0f64.clamp(min, max));
        }
        let mut seen = self.zeros;
        let g = gamma();
        for (&i, &c) in &self.buckets {
            seen += c;
            if seen >= rank {
                let value = 2.0 * g.powi(i) / (g + 1.0);
                return Some(value.clamp(min, max));
            }
        }
        Some(max)
    }

    /// The report's summary.
    pub fn summary(&self, column: &str) -> LatencySummary {
        LatencySummary {
            column: column.to_string(),
            rows: self.count,
            missing: self.missing,
            mean_ms: self.mean(),
            p50_ms: self.quantile(0.5),
            p95_ms: self.quantile(0.95),
            p99_ms: self.quantile(0.99),
            max_ms: self.max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(sorted: &[f64], q: f64) -> f64 {
        let n = sorted.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        sorted[rank - 1]
    }

    #[test]
    fn quantiles_are_within_the_relative_error() {
        // A skewed spread over six orders of magnitude, and a few exact zeros.
        let mut values: Vec<f64> = (0..20_000u64)
            .map(|i| {
                let u = ((i * 7919) % 20_000) as f64 / 20_000.0;
                0.01 * (1e6f64).powf(u * u)
            })
            .collect();
        values.extend([0.0; 7]);
        let mut h = LatencyHistogram::default();
        for &v in &values {
            h.push(v);
        }
        values.sort_by(f64::total_cmp);
        for q in [0.0, 0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
            let (est, truth) = (h.quantile(q).unwrap(), exact(&values, q));
            assert!(
                (est - truth).abs() <= RELATIVE_ERROR * truth + 1e-12,
                "q {q}: {est} vs {truth}"
            );
        }
        assert_eq!(h.max, Some(*values.last().unwrap()));
        assert_eq!(h.min, Some(0.0));
    }

    #[test]
    fn merging_any_split_equals_one_pass() {
        let values: Vec<f64> = (0..1000)
            .map(|i| (i as f64 * 0.37).sin().abs() * 300.0)
            .collect();
        let mut one = LatencyHistogram::default();
        values.iter().for_each(|&v| one.push(v));
        one.push_missing();
        for cut in [0, 1, 500, 999, 1000] {
            let (mut a, mut b) = (LatencyHistogram::default(), LatencyHistogram::default());
            values[..cut].iter().for_each(|&v| a.push(v));
            values[cut..].iter().for_each(|&v| b.push(v));
            b.push_missing();
            b.merge(&a);
            assert_eq!(b, one, "cut {cut}");
        }
        assert!(LatencyHistogram::default().quantile(0.5).is_none());
        let text = serde_json::to_string(&one).unwrap();
        assert_eq!(
            serde_json::from_str::<LatencyHistogram>(&text).unwrap(),
            one
        );
    }
}
