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

/// How the report was made: the command and the configuration file behind it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Run {
    /// The command line with the inputs and the flags that shaped the report (not those that
    /// only chose its format, destinations or colour), e.g.
    /// `mlguard eval preds.csv --segment-col country --min f1=0.8`.
    pub command: String,
    /// The configuration file read (`mlguard.toml` in the current directory, or `--config`);
    /// null when none was.
    pub config: Option<String>,
}

/// Everything `mlguard eval` reports.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Layout version of this report.
    pub schema_version: u32,
    /// The program.
    pub tool: Tool,
    /// How the report was made.
    pub run: Run,
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
