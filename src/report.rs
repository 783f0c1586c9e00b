//! The report: the finished result of a run, as data.
//!
//! Its JSON form is a contract CI users depend on: keys are only ever added, never renamed or
//! dropped (a test pins them). A metric that cannot be computed is `null`, never absent and never
//! NaN. The measurements come first ([`Results`], flattened), then the checks, the diagnosis and
//! the verdict. Renderers take a finished [`Report`] and decide how it looks.

use serde::Serialize;

use crate::checks::gate::Gate;
use crate::checks::Check;
pub use crate::diagnosis::Finding;
pub use crate::results::{Columns, InputSummary, Metrics, Results, SegmentReport, WindowReport};

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

/// Everything `mlguard eval` reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Layout version of this report.
    pub schema_version: u32,
    /// The program.
    pub tool: Tool,
    /// The measurements: input, task, metrics, intervals, segments, windows, audit, warnings.
    #[serde(flatten)]
    pub results: Results,
    /// Checks run.
    pub checks: Vec<Check>,
    /// Diagnosis findings.
    pub findings: Vec<Finding>,
    /// The release verdict.
    pub gate: Gate,
}
