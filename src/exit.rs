//! Exit statuses, one meaning each, so CI can act on them.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: evaluated, and the gate passed (or there were no rules).
    Passed = 0,
    /// 1: evaluated, and the gate failed.
    GateFailed = 1,
    /// 2: usage or input error; nothing was evaluated.
    Error = 2,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status as u8)
    }
}

/// The exit codes as documented in `--help` and the README.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  evaluated, and the gate passed: no rule and no check failed (warnings pass)
  1  evaluated, and the gate failed: a rule or a check failed
  2  usage or input error (the message names the file, the line and the fix)";
