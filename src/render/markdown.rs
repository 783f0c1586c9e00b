//! The Markdown report: for a pull-request comment or a CI job summary (GitHub-flavoured
//! Markdown). It leads with the verdict, the command and what failed the gate (repeated
//! failures of one check folded into one line), then the diagnosis, the failed rules, the
//! headline metrics with their intervals and the warnings; the full tables (every check, per-class
//! metrics, segments, the confusion matrix, time windows) follow folded in `<details>` blocks.
//!
//! A comment is capped at 65,536 characters, so the report is kept under [`LIMIT`] whatever the
//! input: long tables stop with a note "… N more", input strings are clipped, and once the budget
//! is spent the remaining sections are left out with a note pointing to the JSON report. Every
//! string from the input is escaped so that it shows as text: Markdown and HTML syntax, table
//! pipes and `@mentions` in a label cannot format, link, ping or inject.

use std::io::{self, Write};

use super::clip::{clip, LABEL, MESSAGE};
use super::entries::{by_urgency, status_word, CheckEntry, FindingEntry};
use super::headline::{
    feature_rows, headline, interval, latency_cells, num, task_name, FEATURES_SHOWN,
    FEATURE_COLUMNS,
};
use super::html::WindowFlags;
use super::verdict;
use crate::checks::CheckStatus;
use crate::report::Report;
use crate::text::{count, four_decimals, noun, thousands};

/// The most characters (counted as bytes, which is never fewer) a Markdown report has.
pub const LIMIT: usize = 65_000;
/// Room kept for the notes, closing tags and footer written after the budget runs out.
const RESERVE: usize = 1_500;
/// Rows shown of each table.
const MAX_FAILED: usize = 30;
const MAX_CHECKS: usize = 100;
const MAX_CLASSES: usize = 50;
const MAX_SEGMENTS: usize = 50;
const MAX_SEGMENT_COLUMNS: usize = 10;
const MAX_WINDOWS: usize = 50;
const MAX_FINDINGS: usize = 30;
const MAX_WARNINGS: usize = 20;
/// Largest confusion matrix shown as a table.
const MAX_MATRIX: usize = 12;

/// Escapes text from the input for Markdown (inline, table cells included), after clipping it.
pub fn escape(text: &str, max: usize) -> String {
    let text = clip(text, max);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            // With brackets escaped no link or image can form, so parentheses stay as they are.
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn label(text: &str) -> String {
    escape(text, LABEL)
}

fn message(text: &str) -> String {
    escape(text, MESSAGE)
}

/// The report text, within its budget.
struct Doc {
    text: String,
    /// Whether anything was left out for lack of room.
    cut: bool,
}

impl Doc {
    fn fits(&self, line: &str) -> bool {
        self.text.len() + line.len() + 1 + RESERVE <= LIMIT
    }

    /// Adds a line if it fits the budget.
    fn line(&mut self, line: &str) -> bool {
        if self.fits(line) {
            self.text.push_str(line);
            self.text.push('\n');
            true
        } else {
            self.cut = true;
            false
        }
    }

    /// Adds a short line from the reserve (notes, closing tags, footer).
    fn force(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// A table: the header, then rows while they fit, then "… N more" if rows were left out.
    fn table(
        &mut self,
        header: &[&str],
        right: &[bool],
        rows: &[Vec<String>],
        max: usize,
        what: &str,
    ) {
        let head = format!("| {} |", header.join(" | "));
        let rule: Vec<&str> = right
            .iter()
            .map(|&r| if r { "---:" } else { "---" })
            .collect();
        if !self.line(&head) || !self.line(&format!("|{}|", rule.join("|"))) {
            return;
        }
        let mut shown = 0;
        for row in rows.iter().take(max) {
            if !self.line(&format!("| {} |", row.join(" | "))) {
                break;
            }
            shown += 1;
        }
        if shown < rows.len() {
            self.force("");
            self.force(&format!(
                "… {} more {what} (the JSON report has them all)",
                rows.len() - shown
            ));
        }
    }
}

fn status_mark(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "✅ pass",
        CheckStatus::Warn => "⚠️ warn",
        CheckStatus::Skip => "⏭️ skip",
        CheckStatus::Fail => "❌ fail",
    }
}

fn signed(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| {
        if x < 0.0 {
            format!("−{:.4}", -x)
        } else {
            format!("+{x:.4}")
        }
    })
}

/// What a failed check's numbers say about noise, or its message when it has no numbers.
fn noise_note(c: &CheckEntry) -> String {
    if c.threshold.is_some() && c.value.is_none() && c.kind == "threshold" {
        return "metric is null for this input".to_string();
    }
    match c.within_noise() {
        Some(true) => match c.rows {
            Some(n) => format!("within sampling noise (n = {n})"),
            None => "within sampling noise".to_string(),
        },
        Some(false) => "beyond sampling noise".to_string(),
        None if c.kind != "threshold" => message(&c.message),
        None => String::new(),
    }
}

fn summary(report: &Report, checks: &[CheckEntry]) -> String {
    let input = &report.results.input;
    let path = if input.path == "-" {
        "<stdin>"
    } else {
        &input.path
    };
    let mut facts = vec![
        format!("**{}**", escape(path, MESSAGE)),
        format!("{} {}", thousands(input.rows), noun(input.rows, "row")),
        task_name(report),
    ];
    if input.rows_awaiting_labels > 0 {
        facts.push(format!(
            "{} {} awaiting labels",
            thousands(input.rows_awaiting_labels),
            noun(input.rows_awaiting_labels, "row")
        ));
    }
    let invalid = input.rows_skipped - input.rows_awaiting_labels;
    if invalid > 0 {
        facts.push(format!(
            "{} {} skipped",
            thousands(invalid),
            noun(invalid, "row")
        ));
    }
    if let Some(pos) = &report.results.pos_label {
        facts.push(format!("positive class {}", label(pos)));
    } else {
        facts.push(count(report.results.labels.len(), "class"));
    }
    if checks.is_empty() {
        facts.push("no rules given".to_string());
    } else {
        facts.push(format!(
            "{}, {} failing the gate",
            count(checks.len(), "check"),
            report.gate.failures.len()
        ));
    }
    facts.join(" · ")
}

/// The command behind the report, and the configuration file read.
fn invocation(report: &Report) -> String {
    let mut line = format!("command: {}", message(&report.run.command));
    if let Some(config) = &report.run.config {
        line.push_str(&format!(" · config: {}", message(config)));
    }
    line
}

/// What failed the gate, repeated failures of one check folded into one line.
fn verdict_list(doc: &mut Doc, report: &Report) {
    let lines = verdict::lines(report);
    if lines.is_empty() || !doc.line("") {
        return;
    }
    let mut shown = 0;
    for line in &lines {
        if !doc.line(&format!(
            "- {} {}",
            status_mark(line.status),
            message(&line.text)
        )) {
            break;
        }
        shown += 1;
    }
    if shown < lines.len() {
        doc.force(&format!("- … {} more", lines.len() - shown));
    }
}

fn failed_rules(doc: &mut Doc, report: &Report, checks: &[CheckEntry]) {
    let failing: Vec<&CheckEntry> = report
        .gate
        .failures
        .iter()
        .filter_map(|f| checks.iter().find(|c| c.id == f.id))
        .collect();
    if failing.is_empty() || !doc.line("") || !doc.line("#### Failed rules") || !doc.line("") {
        return;
    }
    let rows: Vec<Vec<String>> = failing
        .iter()
        .map(|c| {
            let threshold = match (&c.op, c.threshold) {
                (Some(op), Some(t)) => format!(
                    "{} {}",
                    if op == "<=" { "≤" } else { "≥" },
                    four_decimals(t)
                ),
                _ => String::new(),
            };
            vec![
                status_mark(c.status).to_string(),
                label(&c.rule()),
                num(c.value),
                threshold,
                signed(c.margin()),
                interval(c.interval),
                noise_note(c),
            ]
        })
        .collect();
    doc.table(
        &[
            "",
            "rule",
            "value",
            "threshold",
            "margin",
            "95% interval",
            "note",
        ],
        &[false, false, true, true, true, false, false],
        &rows,
        MAX_FAILED,
        "failed rules",
    );
}

fn metrics(doc: &mut Doc, report: &Report) {
    if !doc.line("") || !doc.line("#### Metrics") || !doc.line("") {
        return;
    }
    let rows: Vec<Vec<String>> = headline(report)
        .into_iter()
        .map(|h| vec![h.name, num(h.value), interval(h.interval)])
        .collect();
    doc.table(
        &["metric", "value", "95% interval"],
        &[false, true, false],
        &rows,
        usize::MAX,
        "metrics",
    );
    let mut notes = Vec::new();
    if let Some(cal) = &report.results.calibration {
        notes.push(format!(
            "calibration: **{}** (ece {:.4} over {})",
            cal.direction,
            cal.ece,
            count(cal.bins, "bin")
        ));
    }
    if let Some(t) = &report.results.thresholds {
        for (name, p) in [
            ("current threshold", &t.current),
            ("best f1", &t.best_f1),
            ("best youden j", &t.youden),
        ] {
            if let Some(p) = p {
                notes.push(format!(
                    "{name}: threshold {} gives precision {:.4}, recall {:.4}, f1 {:.4}",
                    four_decimals(p.threshold),
                    p.precision,
                    p.recall,
                    p.f1
                ));
            }
        }
        for (name, target) in [
            ("precision", &t.target_precision),
            ("recall", &t.target_recall),
        ] {
            if let Some(target) = target {
                notes.push(match &target.point {
                    Some(p) => format!(
                        "{name} ≥ {}: threshold {} gives precision {:.4}, recall {:.4}",
                        target.target,
                        four_decimals(p.threshold),
                        p.precision,
                        p.recall
                    ),
                    None => format!("{name} ≥ {}: not reachable at any threshold", target.target),
                });
            }
        }
    }
    if !notes.is_empty() && doc.line("") {
        for n in notes {
            if !doc.line(&format!("- {n}")) {
                break;
            }
        }
    }
}

fn diagnosis(doc: &mut Doc, report: &Report) {
    if !doc.line("") || !doc.line("#### Diagnosis") || !doc.line("") {
        return;
    }
    let findings = FindingEntry::all(&report.findings);
    if findings.is_empty() {
        doc.line("_No findings._");
        return;
    }
    let mut shown = 0;
    for f in findings.iter().take(MAX_FINDINGS) {
        let severity = f
            .severity
            .as_deref()
            .map(|s| format!(" ({})", label(s)))
            .unwrap_or_default();
        let mut lines = vec![format!(
            "- **{}**{severity} {}",
            label(&f.code),
            message(&f.title)
        )];
        for (k, v) in &f.details {
            lines.push(format!("  - {}: {}", label(k), message(v)));
        }
        for r in &f.remedies {
            lines.push(format!("  - remedy: {}", message(r)));
        }
        let block = lines.join("\n");
        if !doc.line(&block) {
            break;
        }
        shown += 1;
    }
    if shown < findings.len() {
        doc.force(&format!("- … {} more findings", findings.len() - shown));
    }
}

fn warnings(doc: &mut Doc, report: &Report) {
    if report.results.warnings.is_empty()
        || !doc.line("")
        || !doc.line("#### Warnings")
        || !doc.line("")
    {
        return;
    }
    let mut shown = 0;
    for w in report.results.warnings.iter().take(MAX_WARNINGS) {
        if !doc.line(&format!("- {}", message(w))) {
            break;
        }
        shown += 1;
    }
    if shown < report.results.warnings.len() {
        doc.force(&format!(
            "- … {} more warnings",
            report.results.warnings.len() - shown
        ));
    }
}

/// Opens a folded section; false when it does not fit.
fn open_details(doc: &mut Doc, summary: &str) -> bool {
    doc.line("") && doc.line(&format!("<details><summary>{summary}</summary>")) && doc.line("")
}

fn close_details(doc: &mut Doc) {
    doc.force("");
    doc.force("</details>");
}

fn all_checks(doc: &mut Doc, checks: &[CheckEntry]) {
    if checks.is_empty() {
        return;
    }
    let mut counts = Vec::new();
    for s in [
        CheckStatus::Fail,
        CheckStatus::Warn,
        CheckStatus::Skip,
        CheckStatus::Pass,
    ] {
        let n = checks.iter().filter(|c| c.status == s).count();
        if n > 0 {
            counts.push(format!("{n} {}", status_word(s)));
        }
    }
    if !open_details(doc, &format!("All checks ({})", counts.join(", "))) {
        return;
    }
    let rows: Vec<Vec<String>> = by_urgency(checks)
        .into_iter()
        .map(|c| vec![status_mark(c.status).to_string(), message(&c.message)])
        .collect();
    doc.table(
        &["status", "check"],
        &[false, false],
        &rows,
        MAX_CHECKS,
        "checks",
    );
    close_details(doc);
}

fn per_class(doc: &mut Doc, report: &Report) {
    let m = &report.results.metrics.labels;
    if !open_details(
        doc,
        &format!(
            "Per-class metrics ({})",
            count(m.per_class.0.len(), "class")
        ),
    ) {
        return;
    }
    let scores = report.results.calibration.is_some();
    let mut header = vec!["class", "precision", "recall", "f1", "support"];
    let mut right = vec![false, true, true, true, true];
    if scores && report.results.pos_label.is_none() {
        header.extend(["roc auc (ovr)", "average precision (ovr)"]);
        right.extend([true, true]);
    }
    let rows: Vec<Vec<String>> = m
        .per_class
        .iter()
        .map(|(name, c)| {
            let mut row = vec![
                label(name),
                format!("{:.4}", c.precision),
                format!("{:.4}", c.recall),
                format!("{:.4}", c.f1),
                c.support.to_string(),
            ];
            if header.len() > 5 {
                row.extend([num(c.roc_auc), num(c.average_precision)]);
            }
            row
        })
        .collect();
    doc.table(&header, &right, &rows, MAX_CLASSES, "classes");
    close_details(doc);
}

fn confusion(doc: &mut Doc, report: &Report) {
    let cm = &report.results.metrics.labels.confusion_matrix;
    if cm.labels.len() > MAX_MATRIX {
        return;
    }
    if !open_details(
        doc,
        "Confusion matrix (rows = true label, columns = predicted label)",
    ) {
        return;
    }
    let names: Vec<String> = cm.labels.iter().map(|l| label(l)).collect();
    let mut header: Vec<&str> = vec!["true ↓ · predicted →"];
    header.extend(names.iter().map(String::as_str));
    let right = vec![true; header.len()];
    let rows: Vec<Vec<String>> = names
        .iter()
        .zip(&cm.matrix)
        .map(|(name, row)| {
            let mut cells = vec![format!("**{name}**")];
            cells.extend(row.iter().map(u64::to_string));
            cells
        })
        .collect();
    doc.table(&header, &right, &rows, MAX_MATRIX, "classes");
    close_details(doc);
}

fn segments(doc: &mut Doc, report: &Report, checks: &[CheckEntry]) {
    let columns = &report.results.segments.0;
    for (column, segs) in columns.iter().take(MAX_SEGMENT_COLUMNS) {
        let summary = format!(
            "Segments by {} ({})",
            label(column),
            count(segs.0.len(), "segment")
        );
        if !open_details(doc, &summary) {
            return;
        }
        let rows: Vec<Vec<String>> = segs
            .iter()
            .map(|(value, seg)| {
                let (acc, f1, auc) = seg.metrics.as_ref().map_or((None, None, None), |m| {
                    (m.labels.accuracy, m.labels.f1, m.scores.roc_auc)
                });
                let worst = checks
                    .iter()
                    .filter(|c| {
                        c.segment
                            .as_ref()
                            .is_some_and(|(col, v)| col == column && v == value)
                    })
                    .map(|c| c.status)
                    .max();
                let note = match (&seg.reason, worst) {
                    (Some(reason), _) => format!("skipped: {}", message(reason)),
                    (None, Some(s)) => status_mark(s).to_string(),
                    (None, None) => String::new(),
                };
                vec![
                    label(value),
                    seg.rows.to_string(),
                    num(acc),
                    num(f1),
                    num(auc),
                    note,
                ]
            })
            .collect();
        doc.table(
            &["segment", "rows", "accuracy", "f1", "roc auc", "rules"],
            &[false, true, true, true, true, false],
            &rows,
            MAX_SEGMENTS,
            "segments",
        );
        close_details(doc);
    }
    if columns.len() > MAX_SEGMENT_COLUMNS {
        doc.force("");
        doc.force(&format!(
            "… {} more segment columns",
            columns.len() - MAX_SEGMENT_COLUMNS
        ));
    }
}

fn windows(doc: &mut Doc, report: &Report) {
    let Some(ws) = report.results.windows.as_deref().filter(|w| !w.is_empty()) else {
        return;
    };
    let flags = WindowFlags::of(report);
    let summary = match &flags.change {
        Some((at, _)) => format!(
            "Metrics per window ({}; the error rate rose from {})",
            count(ws.len(), "window"),
            label(at)
        ),
        None => format!("Metrics per window ({})", count(ws.len(), "window")),
    };
    if !open_details(doc, &summary) {
        return;
    }
    let change = flags.change_index(ws);
    let auc = ws.iter().any(|w| w.roc_auc.is_some());
    // Rows still waiting for their labels, per window, when any are.
    let waiting = ws.iter().any(|w| w.labels_missing > 0);
    let rows: Vec<Vec<String>> = ws
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut notes = Vec::new();
            if flags.is_worse(w) {
                notes.push("❌ worse than earlier rows");
            }
            if change == Some(i) {
                notes.push("**change point**");
            }
            let mut row = vec![label(&w.start), w.rows.to_string()];
            if waiting {
                row.push(w.labels_missing.to_string());
            }
            row.extend([num(w.accuracy), num(w.f1)]);
            if auc {
                row.push(num(w.roc_auc));
            }
            row.push(notes.join(", "));
            row
        })
        .collect();
    let mut header = vec!["window start", "rows"];
    let mut right = vec![false, true];
    if waiting {
        header.push("awaiting labels");
        right.push(true);
    }
    header.extend(["accuracy", "f1"]);
    right.extend([true, true]);
    if auc {
        header.push("roc auc");
        right.push(true);
    }
    header.push("checks");
    right.push(false);
    let (header, right) = (header.as_slice(), right.as_slice());
    doc.table(header, right, &rows, MAX_WINDOWS, "windows");
    close_details(doc);
}

/// Suspect rows shown in the row audit.
const MAX_SUSPECTS: usize = 10;

/// The row audit: duplicates, ids, likely label errors and the best recalibration.
fn audit(doc: &mut Doc, report: &Report) {
    let Some(a) = &report.results.audit else {
        return;
    };
    if !open_details(doc, "Row audit") {
        return;
    }
    let estimated = |exact: bool| if exact { "" } else { " (estimated)" };
    let d = &a.duplicates;
    let mut rows = vec![vec![
        "rows identical to an earlier row".to_string(),
        format!(
            "{} of {}{}",
            thousands(d.duplicate_rows),
            thousands(d.rows_checked),
            estimated(d.exact)
        ),
    ]];
    if let Some(ids) = &a.ids {
        rows.push(vec![
            format!("ids in {}", label(&ids.column)),
            format!(
                "{} distinct, {} on several rows, {} with conflicting labels{}",
                thousands(ids.distinct),
                thousands(ids.duplicate_ids),
                thousands(ids.conflicting_ids),
                estimated(ids.exact)
            ),
        ]);
    }
    if let Some(li) = &a.label_issues {
        rows.push(vec![
            "likely label errors".to_string(),
            format!(
                "{} ({:.2}% of rows)",
                thousands(li.suspects),
                100.0 * li.noise_rate
            ),
        ]);
    }
    if let Some(r) = &a.recalibration {
        rows.push(vec![
            format!("recalibration ({})", r.method),
            format!(
                "ECE {:.4} → {:.4} on {} held-out rows",
                r.ece_before,
                r.ece_after,
                thousands(r.eval_rows)
            ),
        ]);
    }
    doc.table(
        &["checked", "found"],
        &[false, true],
        &rows,
        rows.len(),
        "facts",
    );
    if let Some(li) = a.label_issues.as_ref().filter(|li| !li.rows.is_empty()) {
        if doc.line("") && doc.line("Most suspicious rows:") && doc.line("") {
            let rows: Vec<Vec<String>> = li
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.line.to_string(),
                        label(&r.label),
                        label(&r.suggested),
                        format!("{:.4}", r.p_label),
                        format!("{:.4}", r.p_suggested),
                    ]
                })
                .collect();
            doc.table(
                &["line", "label", "suggested", "p(label)", "p(suggested)"],
                &[true, false, false, true, true],
                &rows,
                MAX_SUSPECTS,
                "suspect rows",
            );
        }
    }
    close_details(doc);
}

/// Serving latency, with `--latency-col`.
fn latency(doc: &mut Doc, report: &Report) {
    let Some(l) = &report.results.latency else {
        return;
    };
    let summary = format!(
        "Latency of {} ({} {}, {} missing)",
        label(&l.column),
        thousands(l.rows),
        noun(l.rows, "row"),
        thousands(l.missing)
    );
    if !open_details(doc, &summary) {
        return;
    }
    let cells = latency_cells(l);
    let header: Vec<&str> = cells.iter().map(|(name, _)| *name).collect();
    let right = vec![true; header.len()];
    let row: Vec<String> = cells.into_iter().map(|(_, value)| value).collect();
    doc.table(&header, &right, &[row], 1, "rows");
    close_details(doc);
}

/// The input features, with `--feature-cols`, most drifted first.
fn features(doc: &mut Doc, report: &Report) {
    let Some(features) = &report.results.features else {
        return;
    };
    let rows = feature_rows(features);
    let summary = format!(
        "Features ({}, most drifted first)",
        thousands(rows.len() as u64)
    );
    if !open_details(doc, &summary) {
        return;
    }
    let right = [false, false, true, true, true, true];
    let shown: Vec<Vec<String>> = rows
        .iter()
        .take(FEATURES_SHOWN)
        .map(|r| {
            let mut r = r.to_vec();
            r[0] = label(&r[0]);
            r
        })
        .collect();
    doc.table(&FEATURE_COLUMNS, &right, &shown, rows.len(), "features");
    close_details(doc);
}

/// The estimated performance of the rows awaiting labels, when there is one.
fn estimated(doc: &mut Doc, report: &Report) {
    let Some(e) = &report.results.estimated else {
        return;
    };
    let heading = format!(
        "#### Estimated performance of the {} {} awaiting labels",
        thousands(e.overall.rows),
        noun(e.overall.rows, "row")
    );
    if !doc.line("") || !doc.line(&heading) || !doc.line("") {
        return;
    }
    let realised = |name: &str| {
        e.labelled
            .as_ref()
            .and_then(|c| *c.realised.get(name)?)
            .map_or(String::new(), |v| format!("{v:.4}"))
    };
    let mut header = vec!["metric", "estimated", "95% interval"];
    if e.labelled.is_some() {
        header.push("realised on labelled rows");
    }
    let rows: Vec<Vec<String>> = e
        .overall
        .values()
        .iter()
        .map(|(name, v)| {
            let mut row = vec![
                name.replace('_', " "),
                num(*v),
                interval(e.overall.intervals.get(name).copied()),
            ];
            if e.labelled.is_some() {
                row.push(realised(name));
            }
            row
        })
        .collect();
    let align: Vec<bool> = header
        .iter()
        .map(|h| *h != "metric" && *h != "95% interval")
        .collect();
    doc.table(&header, &align, &rows, usize::MAX, "estimated metrics");
    let mut notes = vec![format!(
        "confidence-based estimate: scores calibrated ({}) on {} reference rows",
        serde_json::to_value(e.calibration)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        thousands(e.reference_rows)
    )];
    notes.extend(e.caveats.iter().map(|c| format!("⚠️ {}", message(c))));
    if doc.line("") {
        for n in notes {
            if !doc.line(&format!("- {n}")) {
                break;
            }
        }
    }
}

/// Writes the Markdown report.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let checks = CheckEntry::all(&report.checks);
    let mut doc = Doc {
        text: String::new(),
        cut: false,
    };
    let verdict = if report.gate.passed {
        "✅ mlguard: PASS"
    } else {
        "❌ mlguard: FAIL"
    };
    doc.line(&format!("### {verdict}"));
    doc.line("");
    doc.line(&summary(report, &checks));
    doc.line("");
    doc.line(&invocation(report));
    // The verdict and the diagnosis first; the details follow.
    verdict_list(&mut doc, report);
    diagnosis(&mut doc, report);
    failed_rules(&mut doc, report, &checks);
    estimated(&mut doc, report);
    if report.results.input.rows > 0 || report.results.input.rows_awaiting_labels == 0 {
        metrics(&mut doc, report);
    }
    warnings(&mut doc, report);
    all_checks(&mut doc, &checks);
    if report.results.input.rows > 0 || report.results.input.rows_awaiting_labels == 0 {
        per_class(&mut doc, report);
        confusion(&mut doc, report);
    }
    segments(&mut doc, report, &checks);
    windows(&mut doc, report);
    audit(&mut doc, report);
    latency(&mut doc, report);
    features(&mut doc, report);
    doc.force("");
    if doc.cut {
        doc.force(&format!(
            "_Some details were left out to keep this report under {LIMIT} characters; the JSON report has everything._"
        ));
        doc.force("");
    }
    doc.force(&format!(
        "<sub>{} {} · report schema {}</sub>",
        report.tool.name, report.tool.version, report.schema_version
    ));
    out.write_all(doc.text.as_bytes())
}
