//! The report: the finished result of a run, as data.
//!
//! Its JSON form is a contract CI users depend on: keys are only ever added, never renamed or
//! dropped (a test pins them). A metric that cannot be computed is `null`, never absent and never
//! NaN. Renderers take a finished [`Report`] and decide how it looks.

use serde::Serialize;

use crate::metrics::calibration::Calibration;
use crate::metrics::classification::ClassificationMetrics;
use crate::metrics::ranking::Thresholds;
use crate::metrics::scores::{Curves, ScoreMetrics};
use crate::metrics::Task;

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

/// Status of a check.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The check passed.
    Pass,
    /// Worth a look; fails the gate only with `--fail-on warning`.
    Warn,
    /// Failed.
    Fail,
    /// Not run, with a reason.
    Skip,
}

/// One check: a release rule or a statistical test.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// Stable identifier.
    pub id: String,
    /// `threshold` or `statistical`.
    pub kind: String,
    /// The outcome.
    pub status: CheckStatus,
    /// What happened, in one sentence.
    pub message: String,
}

/// A gate failure: the check that failed and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GateFailure {
    /// The failing check's id.
    pub id: String,
    /// Its message.
    pub message: String,
}

/// The release verdict.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gate {
    /// Whether the gate passed.
    pub passed: bool,
    /// The checks that failed it.
    pub failures: Vec<GateFailure>,
}

/// A diagnosis finding (filled by the diagnosis stage).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// Stable code.
    pub code: String,
    /// What was found.
    pub title: String,
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
    /// Things the user should know about these numbers.
    pub warnings: Vec<String>,
    /// Checks run.
    pub checks: Vec<Check>,
    /// Diagnosis findings.
    pub findings: Vec<Finding>,
    /// The release verdict.
    pub gate: Gate,
}
