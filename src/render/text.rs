//! The text report: for people at a terminal. What a reader needs first opens it — the command,
//! the verdict with what failed the gate (repeated failures of one check folded into one line)
//! and the diagnosis — then the details: per-class rows in the spirit of scikit-learn's
//! `classification_report`, the headline metrics, the confusion matrix, warnings, segments and
//! every check; the verdict's line closes it, for a terminal that shows the end.

use std::io::{self, Write};

use super::clip::clip;
use super::headline::{feature_rows, latency_cells, FEATURES_SHOWN, FEATURE_COLUMNS};
use super::style::Style;
use super::verdict;
use crate::metrics::ranking::OperatingPoint;
use crate::report::Report;
use crate::text::{count, four_decimals, thousands};

/// Formats an optional metric with four decimals, `-` when undefined.
fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"))
}

/// The metric's 95% interval, dimmed, or nothing.
fn interval(report: &Report, key: &str, style: Style) -> String {
    match report.results.intervals.get(key) {
        Some([lo, hi]) => format!("  {}", style.dim(&format!("95% CI [{lo:.4}, {hi:.4}]"))),
        None => String::new(),
    }
}

fn point(p: &OperatingPoint) -> String {
    format!(
        "{}: precision {:.4}, recall {:.4}, f1 {:.4}",
        four_decimals(p.threshold),
        p.precision,
        p.recall,
        p.f1
    )
}

/// The score metrics, calibration and threshold sections.
fn render_scores(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let Some(cal) = &report.results.calibration else {
        return Ok(());
    };
    let s = &report.results.metrics.scores;
    writeln!(out, "{}", style.heading("Scores"))?;
    let (auc_name, ap_name) = if report.results.pos_label.is_some() {
        ("roc auc", "average precision")
    } else {
        ("roc auc (macro ovr)", "average precision (macro ovr)")
    };
    for (name, v, key) in [
        (auc_name, s.roc_auc, "roc_auc"),
        (ap_name, s.average_precision, "average_precision"),
        ("log loss", s.log_loss, "log_loss"),
        ("brier", s.brier, "brier"),
        ("mce", s.mce, "mce"),
    ] {
        writeln!(
            out,
            "  {name:<30} {}{}",
            num(v),
            interval(report, key, style)
        )?;
    }
    writeln!(
        out,
        "  {:<30} {}  {}",
        format!("ece ({})", count(cal.bins, "bin")),
        num(s.ece),
        style.dim(cal.direction)
    )?;
    writeln!(out)?;
    if let Some(t) = &report.results.thresholds {
        writeln!(out, "{}", style.heading("Thresholds"))?;
        if let Some(p) = &t.current {
            writeln!(out, "  {:<22} {}", "current", point(p))?;
        }
        if let Some(p) = &t.best_f1 {
            writeln!(out, "  {:<22} {}", "best f1", point(p))?;
        }
        if let Some(p) = &t.youden {
            writeln!(out, "  {:<22} {}", "best youden j", point(p))?;
        }
        for (name, target) in [
            ("precision", &t.target_precision),
            ("recall", &t.target_recall),
        ] {
            if let Some(target) = target {
                let label = format!("{name} >= {}", target.target);
                match &target.point {
                    Some(p) => writeln!(out, "  {label:<22} {}", point(p))?,
                    None => writeln!(out, "  {label:<22} not reachable at any threshold")?,
                }
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Writes the text report.
pub fn render(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let m = &report.results.metrics.labels;
    let input = &report.results.input;
    writeln!(out, "{}", style.heading(&report.run.command))?;
    let mut facts = format!(
        "{}, {} task, {}",
        count(input.rows, "row"),
        serde_json::to_value(report.results.task)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        count(report.results.labels.len(), "class")
    );
    if input.rows_awaiting_labels > 0 {
        facts.push_str(&format!(
            ", {} awaiting labels",
            count(input.rows_awaiting_labels, "row")
        ));
    }
    let invalid = input.rows_skipped - input.rows_awaiting_labels;
    if invalid > 0 {
        facts.push_str(&format!(", {} skipped", count(invalid, "row")));
    }
    if let Some(pos) = &report.results.pos_label {
        facts.push_str(&format!(", positive class '{pos}'"));
    }
    writeln!(out, "{}", style.dim(&facts))?;
    let c = &input.columns;
    let mut cols = format!("label={}", c.label);
    if let Some(p) = &c.prediction {
        cols.push_str(&format!(" prediction={p}"));
    }
    if let Some(s) = &c.score {
        cols.push_str(&format!(" score={s}"));
    }
    if !c.proba.is_empty() {
        cols.push_str(&format!(" proba={}", c.proba.join(",")));
    }
    if let Some(w) = &c.weight {
        cols.push_str(&format!(" weight={w}"));
    }
    writeln!(out, "{}", style.dim(&format!("columns: {cols}")))?;
    if let Some(config) = &report.run.config {
        writeln!(out, "{}", style.dim(&format!("config: {config}")))?;
    }
    // What a reader needs first: the verdict, then the diagnosis; the details follow.
    writeln!(out)?;
    render_verdict(report, out, style)?;
    render_diagnosis(report, out, style)?;
    writeln!(out)?;
    render_estimated(report, out, style)?;
    if input.rows == 0 && input.rows_awaiting_labels > 0 {
        // Nothing is measured until labels arrive: what can be said without them follows.
        writeln!(
            out,
            "{}",
            style.dim("No row has its label yet: the metrics wait for the labels.")
        )?;
        return render_tail(report, out, style);
    }

    // Per-class table.
    let width = report
        .results
        .labels
        .iter()
        .map(|l| l.chars().count())
        .chain(["weighted avg".len()])
        .max()
        .unwrap_or(12)
        .min(40);
    writeln!(
        out,
        "{:>width$}  {:>9}  {:>9}  {:>9}  {:>9}",
        "", "precision", "recall", "f1-score", "support"
    )?;
    for (label, cm) in m.per_class.iter() {
        let shown: String = label.chars().take(width).collect();
        writeln!(
            out,
            "{:>width$}  {:>9.4}  {:>9.4}  {:>9.4}  {:>9}",
            shown, cm.precision, cm.recall, cm.f1, cm.support
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:>width$}  {:>9}  {:>9}  {:>9}  {:>9}",
        "accuracy",
        "",
        "",
        num(m.accuracy),
        input.rows
    )?;
    for (name, avg) in [("macro avg", &m.macro_avg), ("weighted avg", &m.weighted)] {
        writeln!(
            out,
            "{:>width$}  {:>9}  {:>9}  {:>9}  {:>9}",
            name,
            num(avg.precision),
            num(avg.recall),
            num(avg.f1),
            input.rows
        )?;
    }
    writeln!(out)?;

    writeln!(out, "{}", style.heading("Metrics"))?;
    let headline = if report.results.pos_label.is_some() {
        "positive class"
    } else {
        "macro"
    };
    let beta_name = format!("f{} score", m.beta);
    let rows: Vec<(String, Option<f64>)> = vec![
        ("accuracy".into(), m.accuracy),
        ("balanced accuracy".into(), m.balanced_accuracy),
        (format!("precision ({headline})"), m.precision),
        (format!("recall ({headline})"), m.recall),
        (format!("f1 ({headline})"), m.f1),
        ("specificity".into(), m.specificity),
        ("mcc".into(), m.mcc),
        ("cohen kappa".into(), m.cohen_kappa),
    ];
    let mut rows = rows;
    if m.beta != 1.0 {
        rows.push((format!("{beta_name} ({headline})"), m.fbeta));
    }
    let keys = [
        "accuracy",
        "balanced_accuracy",
        "precision",
        "recall",
        "f1",
        "specificity",
        "mcc",
        "cohen_kappa",
        "fbeta",
    ];
    for ((name, v), key) in rows.into_iter().zip(keys) {
        if name == "specificity" && v.is_none() {
            continue;
        }
        writeln!(
            out,
            "  {name:<30} {}{}",
            num(v),
            interval(report, key, style)
        )?;
    }
    writeln!(out)?;

    render_scores(report, out, style)?;

    writeln!(
        out,
        "{} {}",
        style.heading("Confusion matrix"),
        style.dim("(rows = true label, columns = predicted label)")
    )?;
    let cm = &m.confusion_matrix;
    let cell = cm
        .matrix
        .iter()
        .flatten()
        .map(|v| v.to_string().len())
        .chain(cm.labels.iter().map(|l| l.chars().count().min(12)))
        .max()
        .unwrap_or(1)
        .max(3);
    let lw = cm
        .labels
        .iter()
        .map(|l| l.chars().count().min(20))
        .max()
        .unwrap_or(1);
    write!(out, "  {:>lw$}", "")?;
    for l in &cm.labels {
        let shown: String = l.chars().take(12).collect();
        write!(out, " {shown:>cell$}")?;
    }
    writeln!(out)?;
    for (l, row) in cm.labels.iter().zip(&cm.matrix) {
        let shown: String = l.chars().take(20).collect();
        write!(out, "  {shown:>lw$}")?;
        for v in row {
            write!(out, " {v:>cell$}")?;
        }
        writeln!(out)?;
    }

    render_tail(report, out, style)
}

/// The warnings, segments, latency, features and checks, and the verdict's line.
fn render_tail(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    if !report.results.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", style.heading("Warnings"))?;
        for w in &report.results.warnings {
            writeln!(out, "  {} {w}", style.warn("!"))?;
        }
    }
    render_segments(report, out, style)?;
    render_latency(report, out, style)?;
    render_features(report, out, style)?;
    render_checks(report, out, style)?;
    writeln!(out)?;
    verdict_line(report, out, style)
}

/// The input features, with `--feature-cols`, most drifted first.
fn render_features(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let Some(features) = &report.results.features else {
        return Ok(());
    };
    let rows = feature_rows(features);
    writeln!(out)?;
    writeln!(
        out,
        "{} {}",
        style.heading("Features"),
        style.dim(&format!(
            "({}, most drifted first)",
            count(rows.len() as u64, "feature")
        ))
    )?;
    let width = rows
        .iter()
        .map(|r| r[0].chars().count().min(30))
        .max()
        .unwrap_or(7)
        .max(7);
    let [name, kind, missing, distinct, psi, stat] = FEATURE_COLUMNS;
    writeln!(
        out,
        "  {name:<width$}  {kind:<11}  {missing:>8}  {distinct:>8}  {psi:>7}  {stat:>9}"
    )?;
    for [name, kind, missing, distinct, psi, stat] in rows.iter().take(FEATURES_SHOWN) {
        let shown: String = name.chars().take(30).collect();
        writeln!(
            out,
            "  {shown:<width$}  {kind:<11}  {missing:>8}  {distinct:>8}  {psi:>7}  {stat:>9}"
        )?;
    }
    if rows.len() > FEATURES_SHOWN {
        writeln!(
            out,
            "  {}",
            style.dim(&format!(
                "… {} more in the JSON report",
                rows.len() - FEATURES_SHOWN
            ))
        )?;
    }
    Ok(())
}

/// Serving latency, with `--latency-col`.
fn render_latency(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let Some(l) = &report.results.latency else {
        return Ok(());
    };
    writeln!(out)?;
    writeln!(
        out,
        "{} {}",
        style.heading("Latency"),
        style.dim(&format!(
            "({}, {}, {} missing)",
            l.column,
            count(l.rows, "row"),
            l.missing
        ))
    )?;
    let cells: Vec<String> = latency_cells(l)
        .iter()
        .map(|(name, value)| format!("{name} {value}"))
        .collect();
    writeln!(out, "  {}", cells.join("  "))
}

/// Windows shown in the estimated performance's table.
const ESTIMATED_WINDOWS_SHOWN: usize = 12;

/// The estimated performance of the rows awaiting labels, when there is one.
fn render_estimated(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let Some(e) = &report.results.estimated else {
        return Ok(());
    };
    writeln!(
        out,
        "{} {}",
        style.heading(&format!(
            "Estimated performance of the {} awaiting labels",
            count(e.overall.rows, "row")
        )),
        style.dim(&format!(
            "(CBPE: scores calibrated on {} reference rows, {})",
            thousands(e.reference_rows),
            serde_json::to_value(e.calibration)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        ))
    )?;
    let ci = |m: &crate::results::EstimatedMetrics, key: &str| match m.intervals.get(key) {
        Some([lo, hi]) => format!("  {}", style.dim(&format!("95% [{lo:.4}, {hi:.4}]"))),
        None => String::new(),
    };
    for (name, v) in e.overall.values() {
        writeln!(
            out,
            "  {:<30} {}{}",
            name.replace('_', " "),
            num(v),
            ci(&e.overall, name)
        )?;
    }
    if let Some(check) = &e.labelled {
        let parts: Vec<String> = check
            .estimated
            .values()
            .iter()
            .filter_map(|(name, est)| {
                let real = (*check.realised.get(name)?)?;
                Some(format!(
                    "{} {:.4} estimated, {real:.4} realised",
                    name.replace('_', " "),
                    (*est)?
                ))
            })
            .collect();
        writeln!(
            out,
            "  {}",
            style.dim(&format!(
                "on the {} whose labels arrived: {}",
                count(check.estimated.rows, "row"),
                parts.join("; ")
            ))
        )?;
    }
    for caveat in &e.caveats {
        writeln!(out, "  {} {caveat}", style.warn("!"))?;
    }
    if let Some(windows) = e.windows.as_ref().filter(|w| !w.is_empty()) {
        writeln!(
            out,
            "  {:<25}  {:>9}  {:>8}  {:>8}  {:>8}",
            "window", "awaiting", "accuracy", "f1", "roc auc"
        )?;
        for w in windows.iter().take(ESTIMATED_WINDOWS_SHOWN) {
            writeln!(
                out,
                "  {:<25}  {:>9}  {:>8}  {:>8}  {:>8}",
                w.start,
                w.metrics.rows,
                num(w.metrics.accuracy),
                num(w.metrics.f1),
                num(w.metrics.roc_auc)
            )?;
        }
        if windows.len() > ESTIMATED_WINDOWS_SHOWN {
            writeln!(
                out,
                "  {}",
                style.dim(&format!(
                    "… {} more in the JSON report",
                    count((windows.len() - ESTIMATED_WINDOWS_SHOWN) as u64, "window")
                ))
            )?;
        }
    }
    writeln!(out)
}

/// Per-segment headline metrics.
fn render_segments(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    for (column, segments) in report.results.segments.iter() {
        writeln!(out)?;
        writeln!(out, "{}", style.heading(&format!("Segments by {column}")))?;
        let width = segments
            .iter()
            .map(|(v, _)| v.chars().count().min(30))
            .max()
            .unwrap_or(5)
            .max(7);
        writeln!(
            out,
            "  {:<width$}  {:>8}  {:>8}  {:>8}  {:>8}",
            "segment", "rows", "accuracy", "f1", "roc auc"
        )?;
        for (value, seg) in segments.iter() {
            let shown: String = value.chars().take(30).collect();
            let (acc, f1, auc) = seg.metrics.as_ref().map_or((None, None, None), |m| {
                (m.labels.accuracy, m.labels.f1, m.scores.roc_auc)
            });
            let note = match &seg.reason {
                Some(reason) => format!("  {}", style.dim(&format!("skipped: {reason}"))),
                None => String::new(),
            };
            writeln!(
                out,
                "  {shown:<width$}  {:>8}  {:>8}  {:>8}  {:>8}{note}",
                seg.rows,
                num(acc),
                num(f1),
                num(auc)
            )?;
        }
    }
    Ok(())
}

/// Findings shown per category in the text report, and remedies per finding.
const MAX_TEXT_FINDINGS: usize = 12;
const MAX_TEXT_REMEDIES: usize = 3;

/// The diagnosis: findings grouped by category, in ranking order.
fn render_diagnosis(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    use crate::diagnosis::{Category, Severity};
    if report.findings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", style.heading("Diagnosis"))?;
    // Categories in the order of their leading finding (findings come most urgent first).
    let mut order: Vec<Category> = Vec::new();
    for f in &report.findings {
        if !order.contains(&f.category) {
            order.push(f.category);
        }
    }
    for category in order {
        let of: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.category == category)
            .collect();
        if of.is_empty() {
            continue;
        }
        writeln!(out, "  {}", style.heading(category.name()))?;
        for f in of.iter().take(MAX_TEXT_FINDINGS) {
            let mark = match f.severity {
                Severity::Error => style.bad("ERROR"),
                Severity::Warning => style.warn("warn "),
                Severity::Info => style.dim("info "),
            };
            writeln!(
                out,
                "    {mark}  {} {}",
                f.title,
                style.dim(&format!("[{}, confidence {:.2}]", f.code, f.confidence))
            )?;
            if let Some(because) = f.evidence.because.first() {
                writeln!(out, "           {}", style.dim(&clip(because, 200)))?;
            }
            if !f.explains.is_empty() {
                let explained = f.explains.join(", ");
                writeln!(
                    out,
                    "           {}",
                    style.dim(&clip(&format!("explains: {explained}"), 200))
                )?;
            }
            for r in f.remedies.iter().take(MAX_TEXT_REMEDIES) {
                writeln!(out, "           → {}", clip(r, 200))?;
            }
            if !f.rows.is_empty() {
                let lines: Vec<String> = f.rows.iter().take(10).map(|l| l.to_string()).collect();
                writeln!(
                    out,
                    "           {}",
                    style.dim(&format!("lines {}", lines.join(", ")))
                )?;
            }
        }
        if of.len() > MAX_TEXT_FINDINGS {
            writeln!(
                out,
                "    {}",
                style.dim(&format!("… {} more", of.len() - MAX_TEXT_FINDINGS))
            )?;
        }
    }
    writeln!(
        out,
        "  {}",
        style.dim("mlguard explain CODE describes a finding in full")
    )
}

/// Every check, in order.
fn render_checks(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    use crate::checks::CheckStatus;
    if report.checks.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", style.heading("Checks"))?;
    for c in &report.checks {
        let mark = match c.status {
            CheckStatus::Pass => style.good("pass"),
            CheckStatus::Warn => style.warn("warn"),
            CheckStatus::Fail => style.bad("FAIL"),
            CheckStatus::Skip => style.dim("skip"),
        };
        writeln!(out, "  {mark}  {}", c.message)?;
    }
    Ok(())
}

/// `Verdict: PASS|FAIL (N checks, M failing the gate)`.
fn verdict_line(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let verdict = if report.gate.passed {
        style.good("PASS")
    } else {
        style.bad("FAIL")
    };
    if report.checks.is_empty() {
        writeln!(out, "Verdict: {verdict} {}", style.dim("(no rules given)"))
    } else {
        writeln!(
            out,
            "Verdict: {verdict} {}",
            style.dim(&format!(
                "({}, {} failing the gate)",
                count(report.checks.len(), "check"),
                report.gate.failures.len()
            ))
        )
    }
}

/// The verdict and what failed the gate, repeated failures of one check folded into one line.
fn render_verdict(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    verdict_line(report, out, style)?;
    for line in verdict::lines(report) {
        writeln!(out, "  {} {}", style.bad("✗"), line.text)?;
    }
    Ok(())
}
