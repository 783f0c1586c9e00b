//! The HTML report: one self-contained page to attach to a review — the verdict with what
//! failed (folded as [`verdict`](super::verdict) folds it), the diagnosis on the first screen,
//! then the failed rules, headline metrics with intervals, ROC and precision–recall curves, the
//! reliability diagram, score histograms, the confusion matrix, metrics per segment, metrics
//! over time (with `--time-col` or `--window`), every check and the warnings.
//!
//! The page needs nothing outside itself: styles are inline, charts are inline SVG drawn by
//! [`plot`] and [`charts`], there are no fonts, images or external scripts, and a
//! Content-Security-Policy forbids loading anything. Its one small inline script (allowed by its
//! hash) only records script errors and blocked loads on the root element, so a headless
//! browser test can read them from the DOM. Markup is written with maud, which escapes every
//! interpolated string, so labels, segment names, paths and messages from the input always show
//! as text. Input strings are clipped and long lists capped, so the page stays well under 1 MB
//! for any input.

mod charts;
mod plot;
mod timeline;

pub(crate) use timeline::WindowFlags;

use std::io::{self, Write};

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::clip::{clip, more, LABEL, MESSAGE};
use super::entries::{by_urgency, status_word, CheckEntry, FindingEntry};
use super::headline::{
    feature_rows, headline, interval, latency_cells, num, task_name, FEATURES_SHOWN,
    FEATURE_COLUMNS,
};
use super::verdict;
use crate::checks::CheckStatus;
use crate::report::Report;
use crate::text::{count, four_decimals, noun, thousands};

const STYLE: &str = include_str!("html/style.css");
const SELFCHECK: &str = include_str!("html/selfcheck.js");
/// The CSP hash of [`SELFCHECK`]; after editing the script, regenerate it with
/// `openssl dgst -sha256 -binary src/render/html/selfcheck.js | base64`
/// (the browser test fails while it is stale).
const SELFCHECK_HASH: &str = "sha256-nuZOYt9GflPKr5Xw7FX7sSc0QCzEo+pW+gbbc4VdbH0=";

/// Rows shown at most in the page's tables and lists.
const MAX_FAILED: usize = 50;
const MAX_VERDICT_LINES: usize = 12;
const MAX_CHECKS: usize = 200;
const MAX_CLASS_ROWS: usize = 100;
const MAX_FINDINGS: usize = 100;
const MAX_WARNINGS: usize = 50;
const MAX_SEGMENT_COLUMNS: usize = 6;
const MAX_RELIABILITY_ROWS: usize = 20;

fn pill(status: CheckStatus) -> Markup {
    html! { span class=(format!("pill {}", status_word(status))) { (status_word(status)) } }
}

fn more_note(total: usize, max: usize, what: &str) -> Markup {
    html! {
        @if let Some(n) = more(total, max) {
            p.note { "… " (n) " more " (what) " (the JSON report has them all)" }
        }
    }
}

fn header(report: &Report, checks: &[CheckEntry]) -> Markup {
    let input = &report.results.input;
    let path = if input.path == "-" {
        "<stdin>"
    } else {
        &input.path
    };
    let passed = report.gate.passed;
    let failing = report.gate.failures.len();
    html! {
        header.top {
            div {
                h1 { "Model evaluation: " (clip(path, MESSAGE)) }
                p.facts {
                    (thousands(input.rows)) " " (noun(input.rows, "row")) " · " (task_name(report)) " · "
                    (count(report.results.labels.len(), "class"))
                    @if let Some(pos) = &report.results.pos_label { " · positive class " strong { (clip(pos, LABEL)) } }
                    @if input.rows_awaiting_labels > 0 { " · " (thousands(input.rows_awaiting_labels)) " " (noun(input.rows_awaiting_labels, "row")) " awaiting labels" }
                    @if input.rows_skipped > input.rows_awaiting_labels { " · " (thousands(input.rows_skipped - input.rows_awaiting_labels)) " " (noun(input.rows_skipped - input.rows_awaiting_labels, "row")) " skipped" }
                }
                p.command {
                    span.mono { (clip(&report.run.command, MESSAGE)) }
                    @if let Some(config) = &report.run.config { " · config: " span.mono { (clip(config, MESSAGE)) } }
                }
            }
        }
        div class=(if passed { "verdict pass" } else { "verdict fail" }) {
            span.badge { (if passed { "PASS" } else { "FAIL" }) }
            div {
                div.what {
                    @if checks.is_empty() { "No release rules were given." }
                    @else if passed && checks.len() == 1 { "The one check meets the release gate." }
                    @else if passed { "All " (checks.len()) " checks meet the release gate." }
                    @else { (failing) " of " (count(checks.len(), "check")) (if failing == 1 { " fails" } else { " fail" }) " the release gate." }
                }
                div.muted {
                    "Gate fails on: " (serde_json::to_value(report.gate.fail_on).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default())
                    @let warns = checks.iter().filter(|c| c.status == CheckStatus::Warn).count();
                    @if warns > 0 { " · " (warns) " within sampling noise (warn)" }
                    @let skips = checks.iter().filter(|c| c.status == CheckStatus::Skip).count();
                    @if skips > 0 { " · " (skips) " skipped" }
                }
                @let why = verdict::lines(report);
                @if !why.is_empty() {
                    ul.why {
                        @for line in why.iter().take(MAX_VERDICT_LINES) { li { (clip(&line.text, MESSAGE)) } }
                        @if why.len() > MAX_VERDICT_LINES { li.muted { "… " (why.len() - MAX_VERDICT_LINES) " more under Failed rules" } }
                    }
                }
            }
        }
    }
}

fn nav(report: &Report, checks: &[CheckEntry]) -> Markup {
    let scores = report.results.curves.is_some();
    html! {
        nav.toc {
            a href="#diagnosis" { "Diagnosis" }
            @if !report.gate.failures.is_empty() { a href="#failed" { "Failed rules" } }
            @if report.results.estimated.is_some() { a href="#estimated" { "Estimated" } }
            a href="#metrics" { "Metrics" }
            @if scores { a href="#curves" { "Curves" } a href="#calibration" { "Calibration" } a href="#scores" { "Score distributions" } }
            a href="#confusion" { "Confusion matrix" }
            a href="#classes" { "Per class" }
            @if !report.results.segments.0.is_empty() { a href="#segments" { "Segments" } }
            @if report.results.windows.as_ref().is_some_and(|w| !w.is_empty()) { a href="#windows" { "Over time" } }
            @if report.results.audit.is_some() { a href="#audit" { "Row audit" } }
            @if report.results.latency.is_some() { a href="#latency" { "Latency" } }
            @if report.results.features.is_some() { a href="#features" { "Features" } }
            @if !checks.is_empty() { a href="#checks" { "Checks" } }
            @if !report.results.warnings.is_empty() { a href="#warnings" { "Warnings" } }
        }
    }
}

fn failed(report: &Report, checks: &[CheckEntry]) -> Markup {
    let failing: Vec<&CheckEntry> = report
        .gate
        .failures
        .iter()
        .filter_map(|f| checks.iter().find(|c| c.id == f.id))
        .collect();
    if failing.is_empty() {
        return html! {};
    }
    html! {
        h2 #failed { "Failed rules" }
        table {
            thead { tr { th { "status" } th { "rule" } th.n { "value" } th.n { "threshold" } th { "95% interval" } th { "value · interval · threshold" } } }
            tbody {
                @for c in failing.iter().take(MAX_FAILED) {
                    tr {
                        td { (pill(c.status)) }
                        td.label { (clip(&c.rule(), MESSAGE)) div.note { (clip(&c.message, MESSAGE)) } }
                        td.n { (num(c.value)) }
                        td.n { @if let (Some(op), Some(t)) = (&c.op, c.threshold) { (if op == "<=" { "≤ " } else { "≥ " }) (four_decimals(t)) } }
                        td.n { (interval(c.interval)) }
                        td { (charts::interval_strip(c)) }
                    }
                }
            }
        }
        (more_note(failing.len(), MAX_FAILED, "failed rules"))
    }
}

fn metrics(report: &Report, checks: &[CheckEntry]) -> Markup {
    // A card shows the worst outcome of the overall rules on its metric.
    let outcome = |key: &str| {
        checks
            .iter()
            .filter(|c| c.segment.is_none() && c.metric.as_deref() == Some(key))
            .map(|c| c.status)
            .max()
    };
    html! {
        h2 #metrics { "Headline metrics" }
        div.cards {
            @for h in headline(report) {
                div class=(match outcome(h.key) { Some(s) => format!("card {}", status_word(s)), None => "card".to_string() }) {
                    div.name { (h.name) }
                    div.value { (num(h.value)) }
                    @if h.interval.is_some() {
                        div.ci { "95% CI " (interval(h.interval)) }
                    } @else {
                        div.ci.none { "no interval" }
                    }
                }
            }
        }
        @if let Some(t) = &report.results.thresholds {
            h3 { "Decision thresholds" }
            table {
                thead { tr { th { "operating point" } th.n { "threshold" } th.n { "precision" } th.n { "recall" } th.n { "f1" } th.n { "false positive rate" } } }
                tbody {
                    @for (name, p) in [("current threshold", &t.current), ("best f1", &t.best_f1), ("best Youden's J", &t.youden)] {
                        @if let Some(p) = p {
                            tr { td { (name) } td.n { (four_decimals(p.threshold)) } td.n { (format!("{:.4}", p.precision)) } td.n { (format!("{:.4}", p.recall)) } td.n { (format!("{:.4}", p.f1)) } td.n { (format!("{:.4}", p.fpr)) } }
                        }
                    }
                    @for (name, target) in [("precision", &t.target_precision), ("recall", &t.target_recall)] {
                        @if let Some(target) = target {
                            @if let Some(p) = &target.point {
                                tr { td { (name) " ≥ " (target.target) } td.n { (four_decimals(p.threshold)) } td.n { (format!("{:.4}", p.precision)) } td.n { (format!("{:.4}", p.recall)) } td.n { (format!("{:.4}", p.f1)) } td.n { (format!("{:.4}", p.fpr)) } }
                            } @else {
                                tr { td { (name) " ≥ " (target.target) } td colspan="5" .muted { "not reachable at any threshold" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn diagnosis(report: &Report) -> Markup {
    let findings = FindingEntry::all(&report.findings);
    html! {
        h2 #diagnosis { "Diagnosis" }
        @if findings.is_empty() {
            div.empty { "No findings: the diagnosis has nothing to report for this evaluation." }
        } @else {
            div.findings {
                @for f in findings.iter().take(MAX_FINDINGS) {
                    @let level = match f.severity.as_deref() { Some("error") => "finding error", Some("info") => "finding info", _ => "finding" };
                    div class=(level) {
                        div.code { (clip(&f.code, LABEL)) @if let Some(s) = &f.severity { " · " (clip(s, LABEL)) } }
                        div.title { (clip(&f.title, MESSAGE)) }
                        @if !f.details.is_empty() {
                            dl {
                                @for (k, v) in &f.details { dt { (clip(k, LABEL)) } dd { (clip(v, MESSAGE)) } }
                            }
                        }
                        @if !f.remedies.is_empty() {
                            div.note { "What to do" }
                            ul { @for r in &f.remedies { li { (clip(r, MESSAGE)) } } }
                        }
                    }
                }
            }
            (more_note(findings.len(), MAX_FINDINGS, "findings"))
        }
    }
}

fn curves(report: &Report) -> Markup {
    let (Some(roc), Some(pr)) = (charts::roc(report), charts::pr(report)) else {
        return html! {};
    };
    let binary = report.results.pos_label.is_some();
    html! {
        h2 #curves { "ROC and precision–recall curves" }
        div.grid2 {
            figure {
                figcaption { "ROC curve" @if !binary { "s (one vs rest)" } }
                p.sub { "True against false positive rate over all thresholds; the dashed diagonal is a random model." }
                (roc)
            }
            figure {
                figcaption { "Precision–recall curve" @if !binary { "s (one vs rest)" } }
                p.sub { "Precision against recall over all thresholds" @if binary { "; the dashed line is the positive rate" } "." }
                (pr)
            }
        }
    }
}

fn calibration(report: &Report) -> Markup {
    let Some(cal) = &report.results.calibration else {
        return html! {};
    };
    let per_class = report
        .results
        .curves
        .as_ref()
        .is_some_and(|c| c.histograms.basis == "true_class");
    html! {
        h2 #calibration { "Calibration" }
        div.grid2 {
            figure {
                figcaption { "Reliability diagram" }
                p.sub {
                    "The model is " strong { (cal.direction) } ": ECE " (format!("{:.4}", cal.ece)) ", MCE " (format!("{:.4}", cal.mce)) " over " (cal.bins) " bins. "
                    "Points below the diagonal claim more than they deliver."
                }
                (charts::reliability(cal))
            }
            @if per_class {
                figure {
                    figcaption { "Reliability table" }
                    p.sub { "Top-label confidence against accuracy per bin (bins without rows left out)." }
                    (reliability_table(cal))
                }
            } @else {
                figure #scores {
                    figcaption { "Score distributions by true class" }
                    p.sub { "The positive-class score of each row, by its true class: the less overlap, the better the separation." }
                    // Reference histograms (the scores of a previous release) are passed here once
                    // the report carries reference data; `charts::histograms` already draws them.
                    (charts::histograms(report, None).unwrap_or_default())
                }
            }
        }
        @if per_class {
            h2 #scores { "Score distributions" }
            p.note { "The probability each row gives its own class, per true class: mass near 1 is confident and right." }
            (charts::histograms(report, None).unwrap_or_default())
        }
        (PreEscaped("<!-- mlguard:reference-histograms: score histograms of the reference data go here once the report carries them -->"))
    }
}

/// The non-empty bins of the reliability table.
fn reliability_table(cal: &crate::metrics::calibration::Calibration) -> Markup {
    let rows: Vec<_> = cal.table.iter().filter(|b| b.count > 0).collect();
    html! {
        table {
            thead { tr { th { "bin" } th.n { "rows" } th.n { "mean confidence" } th.n { "observed" } th.n { "gap" } } }
            tbody {
                @for b in rows.iter().take(MAX_RELIABILITY_ROWS) {
                    tr {
                        td { (format!("{:.3}–{:.3}", b.lower, b.upper)) }
                        td.n { (b.count) }
                        td.n { (num(b.mean_confidence)) }
                        td.n { (num(b.observed_frequency)) }
                        td.n { @if let (Some(c), Some(o)) = (b.mean_confidence, b.observed_frequency) { (format!("{:+.4}", o - c)) } }
                    }
                }
            }
        }
        (more_note(rows.len(), MAX_RELIABILITY_ROWS, "bins"))
    }
}

fn confusion(report: &Report) -> Markup {
    let m = &report.results.metrics.labels;
    let scores = report.results.calibration.is_some() && report.results.pos_label.is_none();
    html! {
        h2 #confusion { "Confusion matrix" }
        figure {
            figcaption { "Rows are true labels, columns predicted labels" }
            p.sub { "Each cell is shaded by its share of the true class's rows, so the diagonal reads as recall per class." }
            (charts::confusion(report))
        }
        h3 #classes { "Per-class metrics" }
        table {
            thead { tr {
                th { "class" } th.n { "precision" } th.n { "recall" } th.n { "f1" } th.n { "support" }
                @if scores { th.n { "roc auc (ovr)" } th.n { "average precision (ovr)" } }
            } }
            tbody {
                @for (name, c) in m.per_class.iter().take(MAX_CLASS_ROWS) {
                    tr {
                        td.label { (clip(name, LABEL)) }
                        td.n { (format!("{:.4}", c.precision)) } td.n { (format!("{:.4}", c.recall)) } td.n { (format!("{:.4}", c.f1)) } td.n { (c.support) }
                        @if scores { td.n { (num(c.roc_auc)) } td.n { (num(c.average_precision)) } }
                    }
                }
            }
        }
        (more_note(m.per_class.0.len(), MAX_CLASS_ROWS, "classes"))
    }
}

fn segments(report: &Report, checks: &[CheckEntry]) -> Markup {
    if report.results.segments.0.is_empty() {
        return html! {};
    }
    html! {
        h2 #segments { "Metrics per segment" }
        p.note { "Bars show each segment's value with its 95% interval; the dotted line is the overall value and a dashed red line a segment rule's threshold. Bar colours follow the rule's outcome; grey bars are segments too small to gate." }
        @for (column, segs) in report.results.segments.iter().take(MAX_SEGMENT_COLUMNS) {
            h3 { "By " (clip(column, LABEL)) span.muted { " · " (count(segs.0.len(), "segment")) } }
            div.grid2 {
                @for metric in charts::segment_metrics(report, column, checks) {
                    figure {
                        figcaption { (metric) }
                        (charts::segment_bars(report, column, segs, &metric, checks))
                    }
                }
            }
        }
        (more_note(report.results.segments.0.len(), MAX_SEGMENT_COLUMNS, "segment columns"))
    }
}

/// Metrics per time (or row) window, with the window checks' findings marked.
fn windows(report: &Report) -> Markup {
    let Some(ws) = report.results.windows.as_deref().filter(|w| !w.is_empty()) else {
        return html! {};
    };
    let flags = WindowFlags::of(report);
    html! {
        h2 #windows { "Metrics over time" }
        figure {
            figcaption { "Metrics per window" span.muted { " · " (count(ws.len(), "window")) } }
            p.sub {
                "Each window's metrics, with its rows in the strip below."
                @if !flags.worse.is_empty() { " Shaded windows are significantly worse than the rows before them." }
                @if flags.change.is_some() { " The dashed line marks where the error rate rose." }
            }
            (timeline::chart(ws, &flags))
        }
    }
}

/// Suspect rows shown in the row audit.
const MAX_SUSPECTS: usize = 20;

fn audit(report: &Report) -> Markup {
    let Some(a) = &report.results.audit else {
        return html! {};
    };
    let estimated = |exact: bool| if exact { "" } else { " (estimated)" };
    let d = &a.duplicates;
    html! {
        h2 #audit { "Row audit" }
        table {
            tbody {
                tr {
                    td { "rows identical to an earlier row" }
                    td.n { (thousands(d.duplicate_rows)) " of " (thousands(d.rows_checked)) (estimated(d.exact)) }
                }
                @if let Some(ids) = &a.ids {
                    tr {
                        td { "ids in " span.mono { (clip(&ids.column, LABEL)) } }
                        td.n {
                            (thousands(ids.distinct)) " distinct, " (thousands(ids.duplicate_ids)) " on several rows, "
                            (thousands(ids.conflicting_ids)) " with conflicting labels" (estimated(ids.exact))
                        }
                    }
                }
                @if let Some(li) = &a.label_issues {
                    tr {
                        td { "likely label errors" }
                        td.n { (thousands(li.suspects)) " (" (format!("{:.2}", 100.0 * li.noise_rate)) "% of rows)" }
                    }
                }
                @if let Some(r) = &a.recalibration {
                    tr {
                        td { "recalibration (" (r.method) ")" }
                        td.n { "ECE " (format!("{:.4}", r.ece_before)) " → " (format!("{:.4}", r.ece_after)) " on " (thousands(r.eval_rows)) " held-out rows" }
                    }
                }
            }
        }
        @if let Some(li) = a.label_issues.as_ref().filter(|li| !li.rows.is_empty()) {
            figure {
                figcaption { "Most suspicious rows" }
                table {
                    thead { tr { th.n { "line" } th { "label" } th { "suggested" } th.n { "p(label)" } th.n { "p(suggested)" } } }
                    tbody {
                        @for r in li.rows.iter().take(MAX_SUSPECTS) {
                            tr {
                                td.n { (r.line) }
                                td.label { (clip(&r.label, LABEL)) }
                                td.label { (clip(&r.suggested, LABEL)) }
                                td.n { (format!("{:.4}", r.p_label)) }
                                td.n { (format!("{:.4}", r.p_suggested)) }
                            }
                        }
                    }
                }
                (more_note(li.rows.len(), MAX_SUSPECTS, "suspect rows"))
            }
        }
    }
}

/// Windows shown in the estimated performance's table.
const MAX_ESTIMATED_WINDOWS: usize = 50;

/// The estimated performance of the rows awaiting labels, when there is one.
fn estimated(report: &Report) -> Markup {
    let Some(e) = &report.results.estimated else {
        return html! {};
    };
    let realised = |name: &str| e.labelled.as_ref().and_then(|c| *c.realised.get(name)?);
    html! {
        h2 #estimated { "Estimated performance of the rows awaiting labels" }
        p.sub {
            (thousands(e.overall.rows)) " " (noun(e.overall.rows, "row")) " awaiting labels · confidence-based estimate: scores calibrated ("
            (serde_json::to_value(e.calibration).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default())
            ") on " (thousands(e.reference_rows)) " reference rows"
        }
        table {
            thead { tr { th { "metric" } th.n { "estimated" } th { "95% interval" } @if e.labelled.is_some() { th.n { "realised on labelled rows" } } } }
            tbody {
                @for (name, v) in e.overall.values() {
                    tr {
                        td { (name.replace('_', " ")) }
                        td.n { (num(v)) }
                        td { (interval(e.overall.intervals.get(name).copied())) }
                        @if e.labelled.is_some() { td.n { (num(realised(name))) } }
                    }
                }
            }
        }
        @for caveat in &e.caveats { p.note { "⚠ " (clip(caveat, MESSAGE)) } }
        @if let Some(windows) = e.windows.as_ref().filter(|w| !w.is_empty()) {
            h3 { "By window" }
            table {
                thead { tr { th { "window" } th.n { "awaiting labels" } th.n { "accuracy" } th.n { "f1" } th { "f1 95% interval" } th.n { "roc auc" } } }
                tbody {
                    @for w in windows.iter().take(MAX_ESTIMATED_WINDOWS) {
                        tr {
                            td.mono { (w.start) }
                            td.n { (thousands(w.metrics.rows)) }
                            td.n { (num(w.metrics.accuracy)) }
                            td.n { (num(w.metrics.f1)) }
                            td { (interval(w.metrics.intervals.get("f1").copied())) }
                            td.n { (num(w.metrics.roc_auc)) }
                        }
                    }
                }
            }
            (more_note(windows.len(), MAX_ESTIMATED_WINDOWS, "windows"))
        }
    }
}

fn latency(report: &Report) -> Markup {
    let Some(l) = &report.results.latency else {
        return html! {};
    };
    let cells = latency_cells(l);
    html! {
        h2 #latency { "Serving latency" }
        p.sub {
            "Column " span.mono { (clip(&l.column, LABEL)) } " · " (thousands(l.rows)) " " (noun(l.rows, "row")) " · "
            (thousands(l.missing)) " missing"
        }
        table {
            thead { tr { @for (name, _) in &cells { th.n { (name) } } } }
            tbody { tr { @for (_, value) in &cells { td.n { (value) } } } }
        }
    }
}

/// The input features, with `--feature-cols`, most drifted first.
fn features(report: &Report) -> Markup {
    let Some(features) = &report.results.features else {
        return html! {};
    };
    let rows = feature_rows(features);
    html! {
        h2 #features { "Input features" }
        p.sub { (thousands(rows.len() as u64)) " " (noun(rows.len() as u64, "feature")) ", most drifted first (PSI against the reference)" }
        p.note { "Bars: each bin's share of the reference (outlined) and of the current rows (filled), in the reference's deciles for numbers and the commonest categories otherwise." }
        table {
            thead { tr { @for (i, name) in FEATURE_COLUMNS.iter().enumerate() {
                @if i < 2 { th { (name) } } @else { th.n { (name) } }
            } th { "against the reference" } } }
            tbody { @for row in rows.iter().take(FEATURES_SHOWN) { tr {
                @for (i, cell) in row.iter().enumerate() {
                    @if i == 0 { td.mono { (clip(cell, LABEL)) } } @else if i == 1 { td { (cell) } } @else { td.n { (cell) } }
                }
                td { @if let Some(d) = features.get(&row[0]).and_then(|r| r.drift.as_ref()) { (charts::feature_bins(&d.bins)) } }
            } } }
        }
    }
}

fn all_checks(checks: &[CheckEntry]) -> Markup {
    if checks.is_empty() {
        return html! {};
    }
    html! {
        h2 #checks { "Checks" }
        table {
            thead { tr { th { "status" } th { "rule" } th { "what happened" } } }
            tbody {
                @for c in by_urgency(checks).into_iter().take(MAX_CHECKS) {
                    tr { td { (pill(c.status)) } td.label title=(clip(&c.id, MESSAGE)) { (clip(&c.rule(), MESSAGE)) } td.msg { (clip(&c.message, MESSAGE)) } }
                }
            }
        }
        (more_note(checks.len(), MAX_CHECKS, "checks"))
    }
}

fn warnings(report: &Report) -> Markup {
    if report.results.warnings.is_empty() {
        return html! {};
    }
    html! {
        h2 #warnings { "Warnings" }
        ul.warnings { @for w in report.results.warnings.iter().take(MAX_WARNINGS) { li { (clip(w, MESSAGE)) } } }
        (more_note(report.results.warnings.len(), MAX_WARNINGS, "warnings"))
    }
}

fn footer(report: &Report) -> Markup {
    let c = &report.results.input.columns;
    html! {
        footer {
            "Columns: label " span.mono { (clip(&c.label, LABEL)) }
            @if let Some(p) = &c.prediction { " · prediction " span.mono { (clip(p, LABEL)) } }
            @if let Some(s) = &c.score { " · score " span.mono { (clip(s, LABEL)) } }
            @if !c.proba.is_empty() { " · " (c.proba.len()) " probability columns" }
            br;
            "Written by " (report.tool.name) " " (report.tool.version) " (report schema " (report.schema_version) "). "
            "Intervals are 95%: Wilson for proportions, a seeded bootstrap otherwise."
        }
    }
}

/// The page.
pub fn page(report: &Report) -> Markup {
    let checks = CheckEntry::all(&report.checks);
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src '{SELFCHECK_HASH}'; img-src data:; base-uri 'none'; form-action 'none'"
    );
    let path = if report.results.input.path == "-" {
        "<stdin>"
    } else {
        &report.results.input.path
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta http-equiv="Content-Security-Policy" content=(csp);
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (if report.gate.passed { "PASS" } else { "FAIL" }) " · mlguard · " (clip(path, LABEL)) }
                script { (PreEscaped(SELFCHECK)) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    (header(report, &checks))
                    (nav(report, &checks))
                    // The diagnosis on the first screen, before the long lists.
                    (diagnosis(report))
                    (failed(report, &checks))
                    (estimated(report))
                    (metrics(report, &checks))
                    (curves(report))
                    (calibration(report))
                    (confusion(report))
                    (segments(report, &checks))
                    (windows(report))
                    (audit(report))
                    (latency(report))
                    (features(report))
                    (all_checks(&checks))
                    (warnings(report))
                    (footer(report))
                }
            }
        }
    }
}

/// Writes the HTML report.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(page(report).into_string().as_bytes())?;
    writeln!(out)
}
