//! The JUnit XML report, for the test views of Jenkins, GitLab and other CI systems.
//!
//! Each check is a `testcase` of the suite `mlguard.checks`: a failed rule is a `failure` whose
//! message is the check's sentence and whose text lists value, threshold, interval and rows; a
//! skipped check is `skipped` with its reason; a warning passes with its message in
//! `system-out` — unless the gate counts warnings (`--fail-on warning`), when it is a failure
//! too, so that the test view and the exit code agree. Findings of the diagnosis are the suite
//! `mlguard.findings`: each passes with its details in `system-out`, except a finding of
//! severity `error`, which fails. The suite's properties carry the input and the headline
//! metrics.
//!
//! The output follows the JUnit schema Jenkins' xUnit plugin validates against (junit-10.xsd),
//! which GitLab also reads: `testsuites` (name, tests, failures, errors, time) holding
//! `testsuite`s (name, tests, failures, errors, skipped, time) holding `properties` and
//! `testcase`s (name, classname, time). Nothing is timed, so every time is 0. Characters XML
//! cannot hold (most control characters) are replaced by U+FFFD.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::entries::{CheckEntry, FindingEntry};
use super::headline::{headline, interval, num, task_name};
use crate::checks::gate::FailOn;
use crate::checks::CheckStatus;
use crate::report::Report;

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes multi-line text for element content, keeping its line breaks.
fn escape_text(text: &str) -> String {
    escape(text).replace("&#10;", "\n")
}

/// What a testcase reports beyond passing.
enum Outcome {
    Pass(Option<String>),
    Failure {
        kind: String,
        message: String,
        text: String,
    },
    Skipped(String),
}

struct Case {
    name: String,
    classname: String,
    outcome: Outcome,
}

fn check_case(c: &CheckEntry, counted: bool) -> Case {
    let mut text = String::new();
    if let Some(m) = &c.metric {
        let _ = writeln!(text, "metric: {m}");
    }
    if c.threshold.is_some() || c.value.is_some() {
        let _ = writeln!(text, "value: {}", num(c.value));
    }
    if let (Some(op), Some(t)) = (&c.op, c.threshold) {
        let _ = writeln!(text, "threshold: {op} {}", crate::text::four_decimals(t));
    }
    if let Some(compared) = &c.compared {
        if compared != "value" {
            let _ = writeln!(text, "compared: the interval's {compared} end");
        }
    }
    if c.interval.is_some() {
        let _ = writeln!(text, "95% interval: {}", interval(c.interval));
    }
    if let Some(rows) = c.rows {
        let _ = writeln!(text, "rows: {rows}");
    }
    if let Some((column, value)) = &c.segment {
        let _ = writeln!(text, "segment: {column}={value}");
    }
    let outcome = match c.status {
        CheckStatus::Fail => Outcome::Failure {
            kind: c.kind.clone(),
            message: c.message.clone(),
            text,
        },
        CheckStatus::Warn if counted => Outcome::Failure {
            kind: "warning".to_string(),
            message: c.message.clone(),
            text,
        },
        CheckStatus::Warn => Outcome::Pass(Some(format!("warning: {}\n{text}", c.message))),
        CheckStatus::Skip => Outcome::Skipped(c.message.clone()),
        CheckStatus::Pass => Outcome::Pass(None),
    };
    Case {
        name: c.id.clone(),
        classname: format!(
            "mlguard.{}",
            if c.kind.is_empty() { "check" } else { &c.kind }
        ),
        outcome,
    }
}

fn finding_case(f: &FindingEntry, name: String) -> Case {
    let mut text = f.title.clone();
    text.push('\n');
    if let Some(s) = &f.severity {
        let _ = writeln!(text, "severity: {s}");
    }
    for (k, v) in &f.details {
        let _ = writeln!(text, "{k}: {v}");
    }
    for r in &f.remedies {
        let _ = writeln!(text, "remedy: {r}");
    }
    let outcome = if f.severity.as_deref() == Some("error") {
        Outcome::Failure {
            kind: "finding".to_string(),
            message: f.title.clone(),
            text,
        }
    } else {
        Outcome::Pass(Some(text))
    };
    Case {
        name,
        classname: "mlguard.findings".to_string(),
        outcome,
    }
}

fn count(cases: &[Case]) -> (usize, usize) {
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failure { .. }))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Skipped(_)))
        .count();
    (failures, skipped)
}

fn write_suite(xml: &mut String, name: &str, properties: &[(String, String)], cases: &[Case]) {
    let (failures, skipped) = count(cases);
    let _ = write!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\"",
        escape(name),
        cases.len()
    );
    if properties.is_empty() && cases.is_empty() {
        xml.push_str("/>\n");
        return;
    }
    xml.push_str(">\n");
    if !properties.is_empty() {
        xml.push_str("    <properties>\n");
        for (k, v) in properties {
            let _ = writeln!(
                xml,
                "      <property name=\"{}\" value=\"{}\"/>",
                escape(k),
                escape(v)
            );
        }
        xml.push_str("    </properties>\n");
    }
    for case in cases {
        let _ = write!(
            xml,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
            escape(&case.name),
            escape(&case.classname)
        );
        match &case.outcome {
            Outcome::Pass(None) => xml.push_str("/>\n"),
            Outcome::Pass(Some(out)) => {
                let _ = writeln!(
                    xml,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    escape_text(out)
                );
            }
            Outcome::Failure {
                kind,
                message,
                text,
            } => {
                let _ = writeln!(
                    xml,
                    ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                    escape(kind),
                    escape(message),
                    escape_text(text)
                );
            }
            Outcome::Skipped(reason) => {
                let _ = writeln!(
                    xml,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    escape(reason)
                );
            }
        }
    }
    xml.push_str("  </testsuite>\n");
}

/// The suite's properties: what was evaluated, the verdict and the headline metrics.
fn properties(report: &Report) -> Vec<(String, String)> {
    let mut props = vec![
        (
            "mlguard.version".to_string(),
            report.tool.version.to_string(),
        ),
        ("input".to_string(), report.results.input.path.clone()),
        ("rows".to_string(), report.results.input.rows.to_string()),
        ("task".to_string(), task_name(report)),
        (
            "gate".to_string(),
            if report.gate.passed { "pass" } else { "fail" }.to_string(),
        ),
    ];
    for h in headline(report) {
        props.push((format!("metrics.{}", h.key), num(h.value)));
        if h.interval.is_some() {
            props.push((format!("intervals.{}", h.key), interval(h.interval)));
        }
    }
    props
}

/// Writes the JUnit XML report.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let counted = report.gate.fail_on == FailOn::Warning;
    let checks: Vec<Case> = CheckEntry::all(&report.checks)
        .iter()
        .map(|c| check_case(c, counted))
        .collect();
    let mut seen: Vec<&str> = Vec::new();
    let entries = FindingEntry::all(&report.findings);
    let findings: Vec<Case> = entries
        .iter()
        .map(|f| {
            let n = seen.iter().filter(|c| **c == f.code).count();
            seen.push(&f.code);
            let name = if n == 0 {
                f.code.clone()
            } else {
                format!("{} #{}", f.code, n + 1)
            };
            finding_case(f, name)
        })
        .collect();
    let (f1, _) = count(&checks);
    let (f2, _) = count(&findings);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"mlguard\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"0\">",
        checks.len() + findings.len(),
        f1 + f2
    );
    write_suite(&mut xml, "mlguard.checks", &properties(report), &checks);
    write_suite(&mut xml, "mlguard.findings", &[], &findings);
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn findings_are_testcases_that_fail_only_on_errors() {
        let info = FindingEntry::from_json(&json!({
            "code": "DRIFT", "title": "scores <drifted>", "severity": "warning",
            "remedies": ["retrain"]
        }))
        .unwrap();
        let error = FindingEntry::from_json(&json!({
            "code": "COLLAPSE", "title": "the model collapsed", "severity": "error"
        }))
        .unwrap();
        let cases = vec![
            finding_case(&info, info.code.clone()),
            finding_case(&error, error.code.clone()),
        ];
        let mut xml = String::new();
        write_suite(&mut xml, "mlguard.findings", &[], &cases);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let suite = doc.root_element();
        assert_eq!(suite.attribute("tests"), Some("2"));
        assert_eq!(suite.attribute("failures"), Some("1"));
        let out = doc
            .descendants()
            .find(|n| n.has_tag_name("system-out"))
            .unwrap();
        let text = out.text().unwrap();
        assert!(text.contains("scores <drifted>") && text.contains("remedy: retrain"));
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(failure.attribute("type"), Some("finding"));
    }

    #[test]
    fn escapes_and_replaces_what_xml_cannot_hold() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("x\u{1}y\u{FFFF}"), "x\u{FFFD}y\u{FFFD}");
        assert_eq!(escape("l1\nl2"), "l1&#10;l2");
        assert_eq!(escape_text("l1\nl2"), "l1\nl2");
    }
}
