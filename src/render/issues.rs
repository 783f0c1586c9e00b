//! The issues export (`--export-issues FILE.csv`): one CSV row per input row behind a
//! row-level finding, with its line number and the reason, safe to open in a spreadsheet.
//!
//! Cells come from the input (labels, ids), so a cell that a spreadsheet would run as a formula
//! — one beginning with `=`, `+`, `-`, `@`, a tab or a carriage return — is prefixed with `'`
//! (the OWASP recommendation for CSV injection). Numbers written by mlguard are not touched.

use std::borrow::Cow;

use crate::features::rows::FaultyRowsFound;
use crate::report::Report;
use crate::text::count;

/// One row of the export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueRow {
    /// The row's line in the input.
    pub line: u64,
    /// The finding code it belongs to.
    pub finding: String,
    /// Why the row is listed.
    pub reason: String,
    /// Its label, as written.
    pub label: Option<String>,
    /// The label the model suggests instead (suspected label errors).
    pub suggested: Option<String>,
    /// Its id (`--id-col`).
    pub id: Option<String>,
}

/// The rows behind the report's row-level findings (suspected label errors, repeated rows,
/// repeated and conflicting ids), in finding order, each list in its own order.
pub fn rows_of(report: &Report) -> Vec<IssueRow> {
    let Some(audit) = report.results.audit.as_ref() else {
        return Vec::new();
    };
    let raised = |code: &str| report.findings.iter().any(|f| f.code == code);
    let mut out = Vec::new();
    if let (Some(li), true) = (audit.label_issues.as_ref(), raised("data.label_noise")) {
        out.extend(li.rows.iter().map(|r| IssueRow {
            line: r.line,
            finding: "data.label_noise".to_string(),
            reason: format!(
                "the model gives the label {:.4} and '{}' {:.4}",
                r.p_label, r.suggested, r.p_suggested
            ),
            label: Some(r.label.clone()),
            suggested: Some(r.suggested.clone()),
            id: None,
        }));
    }
    if raised("data.duplicate_rows") {
        out.extend(audit.duplicates.lines.iter().map(|&line| IssueRow {
            line,
            finding: "data.duplicate_rows".to_string(),
            reason: "repeats an earlier row field for field".to_string(),
            ..IssueRow::default()
        }));
    }
    if let Some(ids) = audit.ids.as_ref() {
        for (code, conflicting) in [
            ("data.conflicting_labels", true),
            ("data.duplicate_ids", false),
        ] {
            if !raised(code) {
                continue;
            }
            for e in ids.examples.iter().filter(|e| e.conflicting == conflicting) {
                let reason = if conflicting {
                    format!("id with different labels: {}", e.labels.join(", "))
                } else {
                    format!("id on {}", count(e.lines.len(), "row"))
                };
                out.extend(e.lines.iter().map(|&line| IssueRow {
                    line,
                    finding: code.to_string(),
                    reason: reason.clone(),
                    label: None,
                    suggested: None,
                    id: Some(e.id.clone()),
                }));
            }
        }
    }
    out
}

/// The rows at fault behind the feature findings, feature by feature, each in line order.
pub fn feature_rows(found: &FaultyRowsFound) -> Vec<IssueRow> {
    found
        .features
        .iter()
        .flat_map(|f| {
            f.rows.iter().map(|r| IssueRow {
                line: r.line,
                finding: f.finding.clone(),
                reason: f.rule.reason(&f.feature, &r.cell),
                label: None,
                suggested: None,
                id: r.id.clone(),
            })
        })
        .collect()
}

/// The export's columns.
pub const HEADER: [&str; 6] = ["line", "finding", "reason", "label", "suggested", "id"];

/// A cell made safe for spreadsheets.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// The export as CSV bytes, rows in the given order.
pub fn render(rows: &[IssueRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)
        .expect("writing to memory cannot fail");
    for r in rows {
        let line = r.line.to_string();
        let cells = [
            Cow::Borrowed(line.as_str()),
            Cow::Borrowed(r.finding.as_str()),
            neutralise(&r.reason),
            neutralise(r.label.as_deref().unwrap_or("")),
            neutralise(r.suggested.as_deref().unwrap_or("")),
            neutralise(r.id.as_deref().unwrap_or("")),
        ];
        w.write_record(cells.iter().map(|c| c.as_bytes()))
            .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_quoting_survives() {
        let rows = vec![IssueRow {
            line: 7,
            finding: "data.label_noise".to_string(),
            reason: "label contradicted, p = 0.97".into(),
            label: Some("=HYPERLINK(\"http://x\",\"y\")".into()),
            suggested: Some("+1".into()),
            id: Some("a,\"b\"\nc".into()),
        }];
        let text = String::from_utf8(render(&rows)).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[0], "7");
        assert_eq!(&rec[3], "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(&rec[4], "'+1");
        assert_eq!(&rec[5], "a,\"b\"\nc");
        for c in ["-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(c).starts_with('\''), "{c}");
        }
        assert_eq!(neutralise("cat"), "cat");
    }
}
