//! Checks: release rules on metrics (and, later, statistical tests), each producing a
//! [`Check`] value — findings are data; renderers decide how they look.

pub mod estimated;
pub mod faults;
pub mod features;
pub mod gate;
pub mod health;
pub mod id;
pub mod labels;
pub mod latency;
pub mod max_drop;
pub mod paired;
pub mod proba_drift;
pub mod profile;
pub mod rules;
pub mod statistical;
pub mod suggest;
pub mod windows;

use serde::Serialize;

use crate::ordered_map::OrderedMap;
pub use id::CheckId;

/// Status of a check.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The check passed.
    Pass,
    /// Not run, with a reason.
    Skip,
    /// Worth a look; fails the gate only with `--fail-on warning`.
    Warn,
    /// Failed.
    Fail,
}

/// Where a check applies.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SegmentRef {
    /// The segment column.
    pub column: String,
    /// The segment value.
    pub value: String,
}

/// The details of a threshold rule's check.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ThresholdDetail {
    /// The metric's path in the JSON `metrics`.
    pub metric: String,
    /// `>=` for `--min`, `<=` for `--max`.
    pub op: &'static str,
    /// The rule's threshold.
    pub threshold: f64,
    /// The metric's value (null when it cannot be computed for this input).
    pub value: Option<f64>,
    /// Its 95% confidence interval, when one is known.
    pub interval: Option<[f64; 2]>,
    /// What was compared with the threshold: `value`, `lower` or `upper`.
    pub compared: &'static str,
    /// The segment the rule was applied to, for per-segment rules.
    pub segment: Option<SegmentRef>,
    /// Rows behind the value.
    pub rows: u64,
}

/// One check: a release rule or a statistical test.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// What the check tests and where; shown as a stable text identifier.
    pub id: CheckId,
    /// `threshold` or `statistical`.
    pub kind: &'static str,
    /// The outcome.
    pub status: CheckStatus,
    /// What happened, in one sentence.
    pub message: String,
    /// Kind-specific details.
    #[serde(flatten)]
    pub detail: CheckDetail,
}

/// The details of a check, by kind.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum CheckDetail {
    /// A release rule.
    Threshold(ThresholdDetail),
    /// A statistical test.
    Statistical(StatisticalDetail),
}

/// Where in the data a statistical check looked.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Location {
    /// A segment.
    pub segment: Option<SegmentRef>,
    /// A time window (its start).
    pub window: Option<String>,
    /// A class.
    pub class: Option<String>,
    /// An input feature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
}

/// The details of a statistical check.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StatisticalDetail {
    /// The test or measure: `chi_square`, `ks`, `two_proportion_z`, `robust_z`, `share`, …
    pub test: &'static str,
    /// The test statistic.
    pub statistic: Option<f64>,
    /// Its p-value, where the test has one.
    pub p_value: Option<f64>,
    /// The effect size the status also depends on.
    pub effect_size: Option<f64>,
    /// What the effect size measures (`psi`, `cohens_w`, `difference`, `share`, …).
    pub effect: &'static str,
    /// Rows tested (the current data, or the segment).
    pub n: u64,
    /// Rows compared with (the reference, or the rest of the data).
    pub n_reference: Option<u64>,
    /// Where.
    pub location: Location,
    /// Further numbers behind the verdict, by name.
    pub values: OrderedMap<f64>,
}
