//! The release verdict: which checks fail the gate, given `--fail-on`.

use serde::Serialize;

use super::{Check, CheckStatus};

/// Which check statuses fail the gate (`--fail-on`; the variants' comments are its help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Failed checks.
    Error,
    /// Failed checks and warnings.
    Warning,
    /// Nothing: always exit 0 (report-only runs).
    Never,
}

/// A gate failure: the check that failed and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GateFailure {
    /// The failing check's id.
    pub id: String,
    /// Its status.
    pub status: CheckStatus,
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
    /// What fails the gate.
    pub fail_on: FailOn,
}

impl Gate {
    /// The verdict over `checks`.
    pub fn decide(checks: &[Check], fail_on: FailOn) -> Gate {
        let fails = |s: CheckStatus| match fail_on {
            FailOn::Error => s == CheckStatus::Fail,
            FailOn::Warning => matches!(s, CheckStatus::Fail | CheckStatus::Warn),
            FailOn::Never => false,
        };
        let failures: Vec<GateFailure> = checks
            .iter()
            .filter(|c| fails(c.status))
            .map(|c| GateFailure {
                id: c.id.to_string(),
                status: c.status,
                message: c.message.clone(),
            })
            .collect();
        Gate {
            passed: failures.is_empty(),
            failures,
            fail_on,
        }
    }
}
