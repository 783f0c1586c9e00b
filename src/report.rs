//! The report: the finished result of a run, as data.
//!
//! Its JSON form is a contract CI users depend on: keys are only ever added, never renamed or
//! dropped (a test pins them). A metric that cannot be computed is `null`, never absent and never
//! NaN. Renderers take a finished [`Report`] and decide how it looks.

use serde::Serialize;

use crate::checks::gate::Gate;
use crate::checks::Check;
use crate::metrics::audit::AuditSummary;
use crate::metrics::calibration::Calibration;
use crate::metrics::classification::ClassificationMetrics;
use crate::metrics::latency::LatencySummary;
use crate::metrics::ranking::Thresholds;
use crate::metrics::scores::{Curves, ScoreMetrics};
use crate::metrics::Task;
use crate::ordered_map::OrderedMap;

/// Every metric, label-based and score-based, in one flat object.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Metrics {
    /// Metrics of labels and predictions.
    #[serde(flatten)]
    pub labels: ClassificationMetrics,
    /// Metrics of scores or probabilities (null without them).
    #[serde(flatten)]
    pub scores: ScoreMetrics,
}

/// Version of the JSON report's layout; bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The program that wrote the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tool {
    /// Always "mlguard".
    pub name: &'static str,
    /// The version of mlguard.
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "mlguard",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The columns that played each role.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Columns {
    /// The label column.
    pub label: String,
    /// The prediction column (null when predictions were derived from scores).
    pub prediction: Option<String>,
    /// The binary score column.
    pub score: Option<String>,
    /// Per-class probability columns, in label order.
    pub proba: Vec<String>,
}

/// What was read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputSummary {
    /// The input as named on the command line (`-` for stdin).
    pub path: String,
    /// Rows evaluated.
    pub rows: u64,
    /// Rows skipped as invalid (`--skip-invalid`).
    pub rows_skipped: u64,
    /// Column roles.
    pub columns: Columns,
}

pub use crate::diagnosis::Finding;

/// The metrics of one segment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SegmentReport {
    /// Rows in the segment.
    pub rows: u64,
    /// Whether rules skip the segment (too few rows, or metrics undefined).
    pub skipped: bool,
    /// Why it is skipped.
    pub reason: Option<String>,
    /// The segment's metrics (the same keys as the overall `metrics`).
    #[serde(flatten)]
    pub metrics: Option<Metrics>,
    /// 95% confidence intervals of the segment's metrics.
    pub intervals: OrderedMap<[f64; 2]>,
}

/// The metrics of one time (or row) window.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WindowReport {
    /// First instant (RFC 3339, UTC) or first line of the window.
    pub start: String,
    /// End (exclusive).
    pub end: String,
    /// Rows in the window.
    pub rows: u64,
    /// Accuracy.
    pub accuracy: Option<f64>,
    /// F1 (binary: of the positive class; multiclass: macro).
    pub f1: Option<f64>,
    /// ROC AUC (null without scores, or with one class in the window).
    pub roc_auc: Option<f64>,
}

/// Everything `mlguard eval` reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Layout version of this report.
    pub schema_version: u32,
    /// The program.
    pub tool: Tool,
    /// What was read.
    pub input: InputSummary,
    /// Binary or multiclass.
    pub task: Task,
    /// The positive class (binary), else null.
    pub pos_label: Option<String>,
    /// Classes in label order.
    pub labels: Vec<String>,
    /// The metrics.
    pub metrics: Metrics,
    /// Calibration of the scores (null without scores).
    pub calibration: Option<Calibration>,
    /// Curves and histograms for plotting (null without scores).
    pub curves: Option<Curves>,
    /// Threshold analysis of a binary score (null otherwise).
    pub thresholds: Option<Thresholds>,
    /// 95% confidence intervals, keyed by metric path.
    pub intervals: OrderedMap<[f64; 2]>,
    /// Metrics per segment: column → segment value → metrics.
    pub segments: OrderedMap<OrderedMap<SegmentReport>>,
    /// Metrics per time (or row) window, in order (null without `--time-col` or `--window`).
    pub windows: Option<Vec<WindowReport>>,
    /// Serving latency (null without `--latency-col`).
    pub latency: Option<LatencySummary>,
    /// Things the user should know about these numbers.
    pub warnings: Vec<String>,
    /// The row audit: duplicates, ids, likely label errors, recalibration.
    pub audit: Option<AuditSummary>,
    /// Checks run.
    pub checks: Vec<Check>,
    /// Diagnosis findings.
    pub findings: Vec<Finding>,
    /// The release verdict.
    pub gate: Gate,
}
