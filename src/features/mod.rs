//! Input features: a summary of each feature column in bounded memory, merged exactly across
//! workers and shards, and what it says against a reference (data quality and drift; see
//! [`compare`]).
//!
//! A feature's cells are counted as missing (empty, `NA`, `null`…), as numbers, or as other
//! text. Numbers go into a [`LogHistogram`]: buckets of relative width 2% (DDSketch's
//! logarithmic mapping, α = 0.01), so every quantile and distance read from it is exact up to a
//! relative error of 1% of the value, whatever the row count, and two histograms merge by
//! adding counts. Text values are counted exactly up to [`MAX_CATEGORIES`] distinct values per
//! feature; beyond that, the rest are counted together as overflow (numbers then without a
//! look-up: their histogram has them). Whether a feature is
//! numeric or categorical is decided when the report is made — numeric when at least 99% of
//! its non-missing cells are numbers, unless `--categorical-cols` names it — so that workers
//! and shards need not agree on it while reading.

pub mod compare;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::ranked::Ranked;

/// Distinct text values counted exactly per feature.
pub const MAX_CATEGORIES: usize = 1000;

/// Relative accuracy of the numeric histogram (α): a bucket spans values within ±α of its
/// representative.
pub const RELATIVE_ACCURACY: f64 = 0.01;

/// Values closer to zero than this share the zero bucket.
const MIN_MAGNITUDE: f64 = 1e-9;

/// ln γ, γ = (1 + α) / (1 − α).
fn ln_gamma() -> f64 {
    ((1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)).ln()
}

/// The bucket index of the smallest magnitude, so that positive keys start at 1.
fn offset() -> i32 {
    (MIN_MAGNITUDE.ln() / ln_gamma()).ceil() as i32 - 1
}

/// Numbers in logarithmic buckets of relative width 2α: bounded memory (a few hundred buckets
/// for values spanning a few orders of magnitude), exact merges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogHistogram {
    /// Counts by bucket key: 0 for values near zero, `k > 0` for positive values and `-k` for
    /// their negatives, ordered as the values are.
    buckets: BTreeMap<i32, u64>,
    /// Values counted.
    pub count: u64,
    /// The smallest value.
    pub min: Option<f64>,
    /// The largest value.
    pub max: Option<f64>,
}

impl LogHistogram {
    /// The bucket key of `v`.
    fn key(v: f64) -> i32 {
        let magnitude = v.abs();
        if magnitude < MIN_MAGNITUDE {
            return 0;
        }
        let index = ((magnitude.ln() / ln_gamma()).ceil() as i32 - offset()).max(1);
        if v < 0.0 {
            -index
        } else {
            index
        }
    }

    /// The value a bucket stands for (within α of every value in it).
    fn value(key: i32) -> f64 {
        if key == 0 {
            return 0.0;
        }
        let gamma = ln_gamma().exp();
        let i = key.abs() + offset();
        let magnitude = 2.0 * gamma.powi(i) / (gamma + 1.0);
        if key < 0 {
            -magnitude
        } else {
            magnitude
        }
    }

    /// Counts `v` (a finite number).
    pub fn push(&mut self, v: f64) {
        *self.buckets.entry(Self::key(v)).or_insert(0) += 1;
        self.count += 1;
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &LogHistogram) {
        for (&k, &c) in &other.buckets {
            *self.buckets.entry(k).or_insert(0) += c;
        }
        self.count += other.count;
        self.min = match (self.min, other.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// The buckets as a ranked sample: each bucket's value and count, in value order.
    pub fn ranked(&self) -> Ranked {
        Ranked {
            values: self.buckets.keys().map(|&k| Self::value(k)).collect(),
            counts: self.buckets.values().copied().collect(),
        }
    }

    /// Values counted in buckets wholly below `low` or above `high` (so beyond them by more
    /// than the histogram's accuracy).
    pub fn outside(&self, low: f64, high: f64) -> u64 {
        let (below, above) = (Self::key(low), Self::key(high));
        self.buckets
            .iter()
            .filter(|(&k, _)| k < below || k > above)
            .map(|(_, &c)| c)
            .sum()
    }

    /// The number of buckets with values (distinct values, up to the accuracy).
    pub fn distinct(&self) -> usize {
        self.buckets.len()
    }
}

/// Text values and their counts, exact up to [`MAX_CATEGORIES`] distinct ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Categories {
    /// Count by value.
    pub counts: BTreeMap<String, u64>,
    /// Cells whose value arrived once the table was full.
    pub overflow: u64,
}

impl Categories {
    fn push(&mut self, value: &str) {
        if let Some(c) = self.counts.get_mut(value) {
            *c += 1;
        } else if self.counts.len() < MAX_CATEGORIES {
            self.counts.insert(value.to_string(), 1);
        } else {
            self.overflow += 1;
        }
    }

    fn merge(&mut self, other: &Categories) {
        for (value, &c) in &other.counts {
            if let Some(mine) = self.counts.get_mut(value) {
                *mine += c;
            } else if self.counts.len() < MAX_CATEGORIES {
                self.counts.insert(value.clone(), c);
            } else {
                self.overflow += c;
            }
        }
        self.overflow += other.overflow;
    }

    /// Cells counted.
    pub fn total(&self) -> u64 {
        self.counts.values().sum::<u64>() + self.overflow
    }
}

/// One feature column's summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureSummary {
    /// Cells read.
    pub rows: u64,
    /// Empty or missing-value cells.
    pub missing: u64,
    /// Cells that are numbers.
    pub numbers: LogHistogram,
    /// Every non-missing cell's text (numbers too, so that a feature read as categorical
    /// keeps them).
    pub text: Categories,
}

impl FeatureSummary {
    /// Counts one cell.
    pub fn push(&mut self, cell: &str) {
        self.rows += 1;
        let cell = cell.trim();
        if crate::label::is_missing(cell) {
            self.missing += 1;
            return;
        }
        if let Ok(v) = cell.parse::<f64>() {
            if v.is_finite() {
                self.numbers.push(v);
                // A number is one more value of a full table without looking it up: a feature
                // with that many distinct numbers is numeric, and its histogram has it.
                if self.text.overflow > 0 {
                    self.text.overflow += 1;
                    return;
                }
            }
        }
        self.text.push(cell);
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &FeatureSummary) {
        self.rows += other.rows;
        self.missing += other.missing;
        self.numbers.merge(&other.numbers);
        self.text.merge(&other.text);
    }

    /// Non-missing cells.
    pub fn present(&self) -> u64 {
        self.rows - self.missing
    }
}

/// Segment values whose features are summarised on their own, per segment column.
pub const MAX_SEGMENT_VALUES: usize = 32;

/// The features of the rows of one segment value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentFeatures {
    /// The segment column.
    pub column: String,
    /// The segment value.
    pub value: String,
    /// One summary per feature, in the features' order.
    pub summaries: Vec<FeatureSummary>,
}

/// The summaries of every feature column, in the order the features were named, overall and
/// per segment value (the first [`MAX_SEGMENT_VALUES`] values of each segment column), so that
/// a feature that broke in one segment can be located there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureState {
    /// Feature name and summary.
    pub features: Vec<(String, FeatureSummary)>,
    /// Per segment value.
    #[serde(default)]
    pub segments: Vec<SegmentFeatures>,
}

impl FeatureState {
    /// Empty summaries of `names`.
    pub fn new(names: &[String]) -> FeatureState {
        FeatureState {
            features: names
                .iter()
                .map(|n| (n.clone(), FeatureSummary::default()))
                .collect(),
            segments: Vec::new(),
        }
    }

    /// Adds the counts of `other` (the same features).
    pub fn merge(&mut self, other: &FeatureState) {
        for ((_, mine), (_, theirs)) in self.features.iter_mut().zip(&other.features) {
            mine.merge(theirs);
        }
        for theirs in &other.segments {
            match self
                .segments
                .iter_mut()
                .find(|s| s.column == theirs.column && s.value == theirs.value)
            {
                Some(mine) => {
                    for (m, t) in mine.summaries.iter_mut().zip(&theirs.summaries) {
                        m.merge(t);
                    }
                }
                None => {
                    let values = self
                        .segments
                        .iter()
                        .filter(|s| s.column == theirs.column)
                        .count();
                    if values < MAX_SEGMENT_VALUES {
                        self.segments.push(theirs.clone());
                    }
                }
            }
        }
        // A stable order whatever the order of the merges.
        self.segments
            .sort_by(|a, b| (&a.column, &a.value).cmp(&(&b.column, &b.value)));
    }

    /// The summaries of segment `column`=`value`'s rows, made when first asked for (`None`
    /// beyond [`MAX_SEGMENT_VALUES`] values of the column).
    pub fn segment_mut(&mut self, column: &str, value: &str) -> Option<&mut Vec<FeatureSummary>> {
        let at = match self
            .segments
            .iter()
            .position(|s| s.column == column && s.value == value)
        {
            Some(at) => at,
            None => {
                let values = self.segments.iter().filter(|s| s.column == column).count();
                if values >= MAX_SEGMENT_VALUES {
                    return None;
                }
                self.segments.push(SegmentFeatures {
                    column: column.to_string(),
                    value: value.to_string(),
                    summaries: vec![FeatureSummary::default(); self.features.len()],
                });
                self.segments.len() - 1
            }
        };
        Some(&mut self.segments[at].summaries)
    }

    /// The summaries of segment `column`=`value`.
    pub fn segment(&self, column: &str, value: &str) -> Option<&[FeatureSummary]> {
        self.segments
            .iter()
            .find(|s| s.column == column && s.value == value)
            .map(|s| s.summaries.as_slice())
    }

    /// The summary of `name`.
    pub fn get(&self, name: &str) -> Option<&FeatureSummary> {
        self.features
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_values_within_their_accuracy_and_in_order() {
        let mut h = LogHistogram::default();
        let values = [-250.0, -1.5, 0.0, 1e-12, 0.003, 1.0, 1.0204, 37.5, 1e6];
        for v in values {
            h.push(v);
        }
        let r = h.ranked();
        assert!(r.values.windows(2).all(|w| w[0] < w[1]), "{:?}", r.values);
        for v in values {
            let rep = LogHistogram::value(LogHistogram::key(v));
            assert!(
                (rep - v).abs() <= RELATIVE_ACCURACY * v.abs() + MIN_MAGNITUDE,
                "{v} stands as {rep}"
            );
        }
        assert_eq!(h.count, 9);
        assert_eq!((h.min, h.max), (Some(-250.0), Some(1e6)));
        assert_eq!(h.outside(-2.0, 40.0), 2);
    }

    #[test]
    fn merged_summaries_equal_one_pass() {
        let cells: Vec<String> = (0..3000)
            .map(|i| match i % 7 {
                0 => String::new(),
                1 => format!("cat{}", i % 5),
                _ => format!("{}", (i as f64) * 0.37 - 200.0),
            })
            .collect();
        let mut whole = FeatureSummary::default();
        cells.iter().for_each(|c| whole.push(c));
        let (mut a, mut b) = (FeatureSummary::default(), FeatureSummary::default());
        cells[..1234].iter().for_each(|c| a.push(c));
        cells[1234..].iter().for_each(|c| b.push(c));
        a.merge(&b);
        assert_eq!(a.rows, whole.rows);
        assert_eq!(a.missing, whole.missing);
        assert_eq!(a.numbers.ranked().counts, whole.numbers.ranked().counts);
        assert_eq!(a.text.counts.len(), whole.text.counts.len());
    }
}
