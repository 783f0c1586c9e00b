//! `mlguard diff` for people: the text and Markdown forms of a [`ReportDiff`] (its JSON form is
//! the struct itself). Both lead with the headline metrics — old, new, delta, better or worse,
//! beyond noise or not — then show only what moved beyond noise among the other metrics and the
//! segments, then new and resolved findings, checks that changed status and the `--max-drop`
//! rules with the verdict.

use std::io::{self, Write};

use super::clip::{clip, more, LABEL, MESSAGE};
use super::markdown::escape;
use super::style::Style;
use crate::diff::{Change, Direction, MetricChange, ReportDiff, Side};
use crate::text::count;

/// Rows shown at most of the segment and check lists.
const MAX_ROWS: usize = 50;

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"))
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

fn change_word(c: Change) -> &'static str {
    match c {
        Change::Improved => "better",
        Change::Worsened => "worse",
        Change::Unchanged => "same",
        Change::Appeared => "now defined",
        Change::Disappeared => "now null",
        Change::Undefined => "null",
    }
}

fn noise_word(m: &MetricChange) -> &'static str {
    match (m.change, m.beyond_noise) {
        (Change::Unchanged, _) => "",
        (_, Some(true)) => "beyond noise",
        (_, Some(false)) => "within noise",
        (_, None) => "no interval",
    }
}

fn metric_name(m: &MetricChange) -> String {
    match m.direction {
        Direction::LowerIsBetter => format!("{} (lower is better)", m.metric),
        Direction::HigherIsBetter => m.metric.clone(),
    }
}

/// The metrics shown: every headline (top-level) metric, and any other that moved beyond noise
/// or has a rule; and how many others are not shown.
fn shown_metrics(diff: &ReportDiff) -> (Vec<&MetricChange>, usize) {
    let ruled = |m: &MetricChange| diff.rules.iter().any(|r| r.metric == m.metric);
    let shown: Vec<&MetricChange> = diff
        .metrics
        .iter()
        .filter(|m| {
            (!m.metric.contains('.') && m.change != Change::Undefined)
                || m.beyond_noise == Some(true)
                || ruled(m)
        })
        .collect();
    let hidden = diff.metrics.len() - shown.len();
    (shown, hidden)
}

/// Segment metrics that moved beyond noise, worst first; and segments in one report only.
fn segment_moves(diff: &ReportDiff) -> Vec<(String, &MetricChange)> {
    let mut moves: Vec<(String, &MetricChange)> = diff
        .segments
        .iter()
        .flat_map(|s| {
            s.metrics
                .iter()
                .filter(|m| m.beyond_noise == Some(true))
                .map(move |m| (format!("{}={}", s.column, s.segment), m))
        })
        .collect();
    moves.sort_by_key(|(_, m)| m.change != Change::Worsened);
    moves
}

fn side_facts(s: &Side) -> String {
    let mut facts = Vec::new();
    if let Some(i) = &s.input {
        facts.push(clip(i, MESSAGE).into_owned());
    }
    if let Some(r) = s.rows {
        facts.push(count(r, "row"));
    }
    if let Some(t) = &s.task {
        facts.push(t.clone());
    }
    if let Some(p) = s.gate_passed {
        facts.push(format!("gate {}", if p { "PASS" } else { "FAIL" }));
    }
    if let Some(v) = &s.version {
        facts.push(format!("mlguard {v}"));
    }
    facts.join(" · ")
}

/// Writes the text comparison.
pub fn text(diff: &ReportDiff, out: &mut dyn Write, style: Style) -> io::Result<()> {
    writeln!(out, "{}", style.heading("mlguard diff"))?;
    writeln!(
        out,
        "  old  {}  {}",
        clip(&diff.old.file, MESSAGE),
        style.dim(&side_facts(&diff.old))
    )?;
    writeln!(
        out,
        "  new  {}  {}",
        clip(&diff.new.file, MESSAGE),
        style.dim(&side_facts(&diff.new))
    )?;
    for n in &diff.notes {
        writeln!(out, "  {} {n}", style.warn("!"))?;
    }
    writeln!(out)?;

    let (shown, hidden) = shown_metrics(diff);
    let width = shown
        .iter()
        .map(|m| metric_name(m).chars().count().min(48))
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "{}",
        style.heading(&format!(
            "{:<w$}  {:>8}  {:>8}  {:>8}",
            "Metrics",
            "old",
            "new",
            "delta",
            w = width + 2
        ))
    )?;
    for m in &shown {
        let word = change_word(m.change);
        let word = match m.change {
            Change::Improved => style.good(&format!("{word:<6}")),
            Change::Worsened | Change::Disappeared => style.bad(&format!("{word:<6}")),
            _ => format!("{word:<6}"),
        };
        writeln!(
            out,
            "  {:<width$}  {:>8}  {:>8}  {:>8}  {word}  {}",
            clip(&metric_name(m), 48),
            num(m.old),
            num(m.new),
            signed(m.delta),
            style.dim(noise_word(m))
        )?;
    }
    if hidden > 0 {
        writeln!(
            out,
            "  {}",
            style.dim(&format!("{hidden} other metrics did not move beyond noise (--format json lists every metric)"))
        )?;
    }

    writeln!(out)?;
    writeln!(out, "{}", style.heading("Segments"))?;
    let moves = segment_moves(diff);
    let only: Vec<String> = diff
        .segments
        .iter()
        .filter_map(|s| match (s.old_rows, s.new_rows) {
            (None, Some(r)) => Some(format!(
                "new segment {}={} ({})",
                clip(&s.column, LABEL),
                clip(&s.segment, LABEL),
                count(r, "row")
            )),
            (Some(r), None) => Some(format!(
                "gone segment {}={} (had {})",
                clip(&s.column, LABEL),
                clip(&s.segment, LABEL),
                count(r, "row")
            )),
            _ => None,
        })
        .collect();
    if moves.is_empty() && only.is_empty() {
        writeln!(
            out,
            "  {}",
            style.dim(if diff.segments.is_empty() {
                "no segments in the reports"
            } else {
                "no segment metric moved beyond noise"
            })
        )?;
    }
    let name_w = moves
        .iter()
        .take(MAX_ROWS)
        .map(|(n, _)| clip(n, LABEL).chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let metric_w = moves
        .iter()
        .take(MAX_ROWS)
        .map(|(_, m)| m.metric.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    if !moves.is_empty() {
        writeln!(
            out,
            "  {}",
            style.dim(&format!(
                "{:<name_w$}  {:<metric_w$}  {:>8}  {:>8}  {:>8}   (moved beyond noise)",
                "segment", "metric", "old", "new", "delta"
            ))
        )?;
    }
    for (name, m) in moves.iter().take(MAX_ROWS) {
        let word = match m.change {
            Change::Worsened => style.bad("worse"),
            Change::Improved => style.good("better"),
            c => change_word(c).to_string(),
        };
        writeln!(
            out,
            "  {:<name_w$}  {:<metric_w$}  {:>8}  {:>8}  {:>8}  {word}",
            clip(name, LABEL),
            m.metric,
            num(m.old),
            num(m.new),
            signed(m.delta)
        )?;
    }
    if let Some(n) = more(moves.len(), MAX_ROWS) {
        writeln!(out, "  {}", style.dim(&format!("… {n} more")))?;
    }
    for line in only.iter().take(MAX_ROWS) {
        writeln!(out, "  {line}")?;
    }
    if let Some(n) = more(only.len(), MAX_ROWS) {
        writeln!(out, "  {}", style.dim(&format!("… {n} more")))?;
    }

    writeln!(out)?;
    writeln!(out, "{}", style.heading("Findings"))?;
    if diff.findings.new.is_empty() && diff.findings.resolved.is_empty() {
        writeln!(out, "  {}", style.dim("no new or resolved findings"))?;
    }
    for f in diff.findings.new.iter().take(MAX_ROWS) {
        writeln!(
            out,
            "  {}  {}  {}",
            style.bad("new     "),
            clip(&f.code, LABEL),
            clip(&f.title, MESSAGE)
        )?;
    }
    for f in diff.findings.resolved.iter().take(MAX_ROWS) {
        writeln!(
            out,
            "  {}  {}  {}",
            style.good("resolved"),
            clip(&f.code, LABEL),
            clip(&f.title, MESSAGE)
        )?;
    }

    writeln!(out)?;
    writeln!(out, "{}", style.heading("Checks"))?;
    if diff.checks.is_empty() {
        writeln!(out, "  {}", style.dim("no check changed status"))?;
    }
    for c in diff.checks.iter().take(MAX_ROWS) {
        let from = c.old.unwrap_or("(added)");
        let to = c.new.unwrap_or("(removed)");
        let to = match to {
            "fail" => style.bad(to),
            "pass" => style.good(to),
            other => other.to_string(),
        };
        writeln!(out, "  {from} → {to}  {}", clip(&c.message, MESSAGE))?;
    }
    if let Some(n) = more(diff.checks.len(), MAX_ROWS) {
        writeln!(out, "  {}", style.dim(&format!("… {n} more")))?;
    }

    writeln!(out)?;
    if diff.rules.is_empty() {
        let worse = diff.worse_beyond_noise();
        let note = if worse == 0 {
            "(no --max-drop rules given)".to_string()
        } else {
            format!(
                "(no --max-drop rules given), but {worse} {} worse beyond noise: add --max-drop METRIC=DELTA to fail on them",
                if worse == 1 { "metric is" } else { "metrics are" }
            )
        };
        let note = if worse == 0 {
            style.dim(&note)
        } else {
            style.bad(&note)
        };
        writeln!(out, "Verdict: {} {note}", style.good("PASS"))?;
        return Ok(());
    }
    writeln!(out, "{}", style.heading("Rules"))?;
    for r in &diff.rules {
        let mark = if r.passed {
            style.good("pass")
        } else {
            style.bad("FAIL")
        };
        writeln!(out, "  {mark}  {}", r.message)?;
    }
    let broken = diff.rules.iter().filter(|r| !r.passed).count();
    writeln!(out)?;
    writeln!(
        out,
        "Verdict: {} {}",
        if diff.passed {
            style.good("PASS")
        } else {
            style.bad("FAIL")
        },
        style.dim(&format!(
            "({broken} of {} --max-drop rules broken)",
            diff.rules.len()
        ))
    )
}

fn md_row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// Writes the Markdown comparison (for a pull-request comment).
pub fn markdown(diff: &ReportDiff, out: &mut dyn Write) -> io::Result<()> {
    let mut md = String::new();
    let broken = diff.rules.iter().filter(|r| !r.passed).count();
    let worse = diff.worse_beyond_noise();
    let verdict = if diff.rules.is_empty() && worse > 0 {
        format!(
            "⚠️ mlguard diff: {worse} {} worse beyond noise (no --max-drop rules given)",
            if worse == 1 { "metric" } else { "metrics" }
        )
    } else if diff.rules.is_empty() {
        "✅ mlguard diff".to_string()
    } else if diff.passed {
        format!(
            "✅ mlguard diff: all {} --max-drop rules hold",
            diff.rules.len()
        )
    } else {
        format!(
            "❌ mlguard diff: {broken} of {} --max-drop rules broken",
            diff.rules.len()
        )
    };
    md.push_str(&format!("### {verdict}\n\n"));
    md.push_str(&format!(
        "**old** {} ({})  \n**new** {} ({})\n",
        escape(&diff.old.file, MESSAGE),
        escape(&side_facts(&diff.old), MESSAGE),
        escape(&diff.new.file, MESSAGE),
        escape(&side_facts(&diff.new), MESSAGE)
    ));
    for n in &diff.notes {
        md.push_str(&format!("\n> ⚠️ {}\n", escape(n, MESSAGE)));
    }
    let (shown, hidden) = shown_metrics(diff);
    md.push_str("\n| metric | old | new | Δ | change | noise |\n|---|---:|---:|---:|---|---|\n");
    for m in &shown {
        let mark = match m.change {
            Change::Improved => "🟢 better",
            Change::Worsened => "🔴 worse",
            Change::Disappeared => "🔴 now null",
            c => change_word(c),
        };
        md.push_str(&md_row(&[
            escape(&metric_name(m), LABEL),
            num(m.old),
            num(m.new),
            signed(m.delta),
            mark.to_string(),
            noise_word(m).to_string(),
        ]));
        md.push('\n');
    }
    if hidden > 0 {
        md.push_str(&format!(
            "\n{hidden} other metrics did not move beyond noise.\n"
        ));
    }
    let moves = segment_moves(diff);
    if !moves.is_empty() {
        md.push_str("\n#### Segments that moved beyond noise\n\n| segment | metric | old | new | Δ | change |\n|---|---|---:|---:|---:|---|\n");
        for (name, m) in moves.iter().take(MAX_ROWS) {
            md.push_str(&md_row(&[
                escape(name, LABEL),
                escape(&m.metric, LABEL),
                num(m.old),
                num(m.new),
                signed(m.delta),
                change_word(m.change).to_string(),
            ]));
            md.push('\n');
        }
        if let Some(n) = more(moves.len(), MAX_ROWS) {
            md.push_str(&format!("\n… {n} more\n"));
        }
    }
    md.push_str("\n#### Findings\n\n");
    if diff.findings.new.is_empty() && diff.findings.resolved.is_empty() {
        md.push_str("_No new or resolved findings._\n");
    }
    for (word, list) in [
        ("new", &diff.findings.new),
        ("resolved", &diff.findings.resolved),
    ] {
        for f in list.iter().take(MAX_ROWS) {
            md.push_str(&format!(
                "- {word}: **{}** {}\n",
                escape(&f.code, LABEL),
                escape(&f.title, MESSAGE)
            ));
        }
    }
    if !diff.checks.is_empty() {
        md.push_str("\n#### Checks that changed\n\n| was | now | check |\n|---|---|---|\n");
        for c in diff.checks.iter().take(MAX_ROWS) {
            md.push_str(&md_row(&[
                c.old.unwrap_or("(added)").to_string(),
                c.new.unwrap_or("(removed)").to_string(),
                escape(&c.message, MESSAGE),
            ]));
            md.push('\n');
        }
        if let Some(n) = more(diff.checks.len(), MAX_ROWS) {
            md.push_str(&format!("\n… {n} more\n"));
        }
    }
    if !diff.rules.is_empty() {
        md.push_str("\n#### Rules\n\n");
        for r in &diff.rules {
            let mark = if r.passed { "✅" } else { "❌" };
            md.push_str(&format!("- {mark} {}\n", escape(&r.message, MESSAGE)));
        }
    }
    out.write_all(md.as_bytes())
}

/// The format of `mlguard diff` (its `--format`; the variants' comments are its help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A readable comparison.
    Text,
    /// Markdown for a pull-request comment.
    Markdown,
    /// One JSON object.
    Json,
}
