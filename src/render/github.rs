//! The report as GitHub Actions workflow commands: annotations that the workflow run's page and
//! a pull request's checks show beside the job.
//!
//! Each failed check is an `::error` and each warning check a `::warning` (an `::error` when
//! the gate counts warnings, `--fail-on warning`, so the annotations and the exit code agree);
//! repeated failures of one check (worse windows, weak segments of one column, a per-segment
//! rule, per-class probability drift) are one annotation with their count and the worst places,
//! folded as the verdict folds them ([`super::verdict`]);
//! each finding of severity `error` or `warning` is an annotation of that level, with its first
//! remedy; each warning about the input is a `::warning`. A plain verdict line ends the output.
//! Passing and skipped checks and informational findings are left to the other formats.
//!
//! The format is GitHub's "workflow commands" (docs.github.com, "Workflow commands for GitHub
//! Actions"): `::LEVEL title=TITLE::MESSAGE` on a line of its own. A message escapes `%`, `\r`
//! and `\n` as `%25`, `%0D` and `%0A`; a property such as the title also escapes `:` and `,`
//! (`%3A`, `%2C`), as GitHub's own toolkit (`@actions/core`) does. Since no line break survives
//! escaping, no text from the input can start a command of its own.

use std::io::{self, Write};

use super::entries::FindingEntry;
use super::verdict::{self, Failure};
use crate::checks::gate::FailOn;
use crate::checks::CheckStatus;
use crate::report::Report;
use crate::text::count;

/// The level of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Error,
    Warning,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// Escapes a command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(out: &mut dyn Write, level: Level, title: &str, message: &str) -> io::Result<()> {
    writeln!(
        out,
        "::{} title={}::{}",
        level.command(),
        escape_property(title),
        escape_data(message)
    )
}

/// Writes the report as workflow commands.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let counted = report.gate.fail_on == FailOn::Warning;
    let ids: Vec<String> = report.checks.iter().map(|c| c.id.to_string()).collect();
    let failing: Vec<Failure> = report
        .checks
        .iter()
        .zip(&ids)
        .filter(|(c, _)| matches!(c.status, CheckStatus::Fail | CheckStatus::Warn))
        .map(|(c, id)| Failure::of(c, id))
        .collect();
    for line in verdict::fold(&failing) {
        let level = match line.status {
            CheckStatus::Warn if !counted => Level::Warning,
            _ => Level::Error,
        };
        annotation(out, level, &format!("mlguard {}", line.id), &line.text)?;
    }
    for finding in FindingEntry::all(&report.findings) {
        let level = match finding.severity.as_deref() {
            Some("error") => Level::Error,
            Some("warning") => Level::Warning,
            _ => continue,
        };
        let mut message = finding.title.clone();
        if let Some(remedy) = finding.remedies.first() {
            message.push_str(&format!(" (remedy: {remedy})"));
        }
        message.push_str(&format!(
            "; run `mlguard explain {}` for causes and remedies",
            finding.code
        ));
        annotation(out, level, &format!("mlguard {}", finding.code), &message)?;
    }
    for warning in &report.results.warnings {
        annotation(out, Level::Warning, "mlguard input", warning)?;
    }
    let verdict = if report.gate.passed { "PASS" } else { "FAIL" };
    if report.checks.is_empty() {
        writeln!(out, "mlguard: {verdict} (no rules given)")
    } else {
        writeln!(
            out,
            "mlguard: {verdict} ({}, {} failing the gate)",
            count(report.checks.len(), "check"),
            report.gate.failures.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_escape_percent_and_line_breaks() {
        assert_eq!(escape_data("100% sure\r\nnext"), "100%25 sure%0D%0Anext");
        assert_eq!(escape_data("a::b"), "a::b");
    }

    #[test]
    fn properties_also_escape_colons_and_commas() {
        assert_eq!(
            escape_property("rule:min:f1=0.9, 5%"),
            "rule%3Amin%3Af1=0.9%2C 5%25"
        );
    }

    #[test]
    fn an_annotation_is_one_line() {
        let mut out = Vec::new();
        annotation(&mut out, Level::Warning, "t:1", "line 1\nline 2").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning title=t%3A1::line 1%0Aline 2\n"
        );
    }
}
