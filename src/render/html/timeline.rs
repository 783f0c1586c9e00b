//! Metrics over time: accuracy, F1 and ROC AUC per window as lines with points on a time (or
//! line-number) axis, the rows of each window as light bars in a strip below, the windows that
//! failed a `window:…:worse` check shaded, and a dashed marker where the failed
//! `window:change_point` check found the error rate rising. The checks are read through their
//! JSON form (`id`, `status`, `location.window`), as the other renderers read checks. Points and
//! tooltips are left out for long series, and at most [`MAX_WINDOWS`] windows are drawn, so the
//! page stays small.

use maud::{html, Markup};

use super::plot::{axes, color, f, nice_ticks, tick_label, ticks, Frame};
use crate::render::clip::{clip, LABEL};
use crate::report::{Report, WindowReport};
use crate::text::count;
use crate::time::{format_time, parse_time};

/// Windows drawn at most.
pub const MAX_WINDOWS: usize = 500;
/// Windows drawn with points at most.
const MAX_POINTS: usize = 60;
/// Windows with tooltips at most.
const MAX_TIPS: usize = 150;

/// What the failed window checks say.
#[derive(Debug, Default)]
pub struct WindowFlags {
    /// Starts of the windows worse than the rows before them.
    pub worse: Vec<String>,
    /// Where the error rate changed, and the check's message.
    pub change: Option<(String, String)>,
}

impl WindowFlags {
    /// Reads the failed window checks of a report.
    pub fn of(report: &Report) -> WindowFlags {
        let mut out = WindowFlags::default();
        for check in &report.checks {
            let Ok(v) = serde_json::to_value(check) else {
                continue;
            };
            let (Some(id), true) = (v["id"].as_str(), v["status"] == "fail") else {
                continue;
            };
            let at = v["location"]["window"].as_str().map(String::from);
            if id == "window:change_point" {
                let message = v["message"].as_str().unwrap_or_default().to_string();
                out.change = at.map(|at| (at, message));
            } else if let Some(middle) = id
                .strip_prefix("window:")
                .and_then(|r| r.strip_suffix(":worse"))
            {
                out.worse.push(at.unwrap_or_else(|| middle.to_string()));
            }
        }
        out
    }

    /// Whether a window failed a `worse` check.
    pub fn is_worse(&self, w: &WindowReport) -> bool {
        self.worse.contains(&w.start)
    }

    /// The window the change point falls in.
    pub fn change_index(&self, windows: &[WindowReport]) -> Option<usize> {
        let (at, _) = self.change.as_ref()?;
        windows.iter().position(|w| w.start == *at).or_else(|| {
            let p = position(at)?;
            windows.iter().position(|w| {
                matches!((position(&w.start), position(&w.end)), (Some(a), Some(b)) if a <= p && p < b)
            })
        })
    }
}

/// A window boundary on the axis: seconds since the epoch, or a line number (`line N`).
pub fn position(label: &str) -> Option<f64> {
    match label.strip_prefix("line ") {
        Some(n) => n.parse::<u64>().ok().map(|n| n as f64),
        None => parse_time(label.as_bytes()).map(|t| t as f64),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Axis {
    Time,
    Lines,
    /// Boundaries that are neither: one slot per window.
    Index,
}

/// Time steps between ticks: a minute to a year.
const STEPS: [i64; 16] = [
    60, 300, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600,
    2_419_200, 7_862_400, 31_449_600,
];

/// Ticks (position, label) along the axis, at most about eight.
fn x_ticks(axis: Axis, shown: &[WindowReport], (x0, x1): (f64, f64)) -> Vec<(f64, String)> {
    let span = x1 - x0;
    match axis {
        Axis::Time => {
            let step = STEPS
                .iter()
                .copied()
                .find(|&s| span / s as f64 <= 8.0)
                .unwrap_or(STEPS[15]);
            let first = (x0 as i64).div_euclid(step) * step
                + if (x0 as i64).rem_euclid(step) == 0 {
                    0
                } else {
                    step
                };
            (0..)
                .map(|i| first + i * step)
                .take_while(|&t| t as f64 <= x1)
                .map(|t| {
                    let text = format_time(t);
                    let label = if t % 86_400 == 0 {
                        text[..10].to_string()
                    } else {
                        text[11..16].to_string()
                    };
                    (t as f64, label)
                })
                .collect()
        }
        Axis::Lines => {
            let (_, nice) = nice_ticks(span.max(1.0));
            let step = (nice[1] - nice[0]).max(1.0);
            let first = (x0 / step).ceil() * step;
            (0..)
                .map(|i| first + i as f64 * step)
                .take_while(|&t| t <= x1)
                .map(|t| (t, tick_label(t)))
                .collect()
        }
        Axis::Index => {
            let k = shown.len().div_ceil(8).max(1);
            (0..shown.len())
                .step_by(k)
                .map(|i| (i as f64, clip(&shown[i].start, 16).into_owned()))
                .collect()
        }
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"))
}

/// Path data through the points of a series, broken where a value is missing.
fn broken_path(frame: &Frame, points: impl Iterator<Item = (f64, Option<f64>)>) -> String {
    let mut d = String::new();
    let mut run = Vec::new();
    for (x, v) in points {
        match v {
            Some(v) => run.push((x, v)),
            None => d.push_str(&frame.path(run.drain(..))),
        }
    }
    d.push_str(&frame.path(run));
    d
}

/// The chart, its legend and notes (`windows` is not empty).
pub fn chart(windows: &[WindowReport], flags: &WindowFlags) -> Markup {
    let shown = &windows[..windows.len().min(MAX_WINDOWS)];
    let kind = |s: &str| s.starts_with("line ");
    let bounds: Option<Vec<(f64, f64)>> = shown
        .iter()
        .map(|w| match (position(&w.start), position(&w.end)) {
            (Some(a), Some(b)) if a < b && kind(&w.start) == kind(&shown[0].start) => Some((a, b)),
            _ => None,
        })
        .collect();
    let (axis, slots) = match bounds {
        Some(b) if kind(&shown[0].start) => (Axis::Lines, b),
        Some(b) => (Axis::Time, b),
        None => (
            Axis::Index,
            (0..shown.len())
                .map(|i| (i as f64, i as f64 + 1.0))
                .collect(),
        ),
    };
    let x = (
        slots[0].0,
        slots.iter().map(|s| s.1).fold(slots[0].1, f64::max),
    );
    let mut frame = Frame::unit(960.0, 400.0);
    frame.top = 24.0;
    frame.bottom = 122.0;
    frame.x = x;
    let max_rows = shown.iter().map(|w| w.rows).max().unwrap_or(0).max(1) as f64;
    let strip = Frame {
        top: frame.y_end() + 18.0,
        bottom: 38.0,
        y: (0.0, max_rows),
        ..frame
    };
    let xlabel = match axis {
        Axis::Time => "window start (UTC)",
        Axis::Lines => "first line of the window",
        Axis::Index => "window",
    };
    let mut series: Vec<(&str, usize, Vec<Option<f64>>)> = vec![
        ("accuracy", 0, shown.iter().map(|w| w.accuracy).collect()),
        ("f1", 3, shown.iter().map(|w| w.f1).collect()),
        ("roc auc", 2, shown.iter().map(|w| w.roc_auc).collect()),
    ];
    series.retain(|(_, _, v)| v.iter().any(Option::is_some));
    let change = flags.change.as_ref().and_then(|(at, message)| {
        let x = match axis {
            Axis::Index => flags.change_index(shown).map(|i| i as f64),
            _ => position(at).filter(|p| (x.0..=x.1).contains(p)),
        }?;
        Some((x, at, message))
    });
    let worse = shown.iter().filter(|w| flags.is_worse(w)).count();
    let mid = |s: &(f64, f64)| (s.0 + s.1) / 2.0;
    let width = |s: &(f64, f64)| (frame.px(s.1) - frame.px(s.0)).max(0.5);
    let rows_mid = (strip.top + strip.y_end()) / 2.0;
    html! {
        svg.chart.timeline viewBox=(frame.view_box()) role="img" aria-label="Metrics over time" {
            @for (w, s) in shown.iter().zip(&slots) {
                @if flags.is_worse(w) {
                    rect.worse x=(f(frame.px(s.0))) y=(f(frame.top)) width=(f(width(s))) height=(f(frame.y_end() - frame.top)) {}
                }
            }
            (axes(&frame, &[], &ticks(0.0, 1.0, 5), xlabel, "metric value"))
            @for (t, label) in x_ticks(axis, shown, x) {
                line.gridline x1=(f(frame.px(t))) x2=(f(frame.px(t))) y1=(f(frame.top)) y2=(f(frame.y_end())) {}
                @let anchor = if frame.px(t) > frame.x_end() - 30.0 { "end" } else { "middle" };
                text.tick x=(f(frame.px(t))) y=(f(strip.y_end() + 14.0)) text-anchor=(anchor) { (label) }
            }
            @for (w, s) in shown.iter().zip(&slots) {
                @let h = w.rows as f64 / max_rows * (strip.y_end() - strip.top);
                rect class=(if flags.is_worse(w) { "count worse" } else { "count" }) x=(f(frame.px(s.0) + 0.5)) y=(f(strip.y_end() - h)) width=(f((width(s) - 1.0).max(0.5))) height=(f(h)) {}
            }
            line.axisline x1=(f(strip.left)) x2=(f(strip.x_end())) y1=(f(strip.y_end())) y2=(f(strip.y_end())) {}
            text.tick x=(f(strip.left - 6.0)) y=(f(strip.top + 8.0)) text-anchor="end" { (max_rows as u64) }
            text.axis x="12" y=(f(rows_mid)) text-anchor="middle" transform=(format!("rotate(-90 12 {})", f(rows_mid))) { "rows" }
            @if let Some((cx, at, message)) = change {
                @let px = frame.px(cx);
                @let right = px > (frame.left + frame.x_end()) / 2.0;
                line.change x1=(f(px)) x2=(f(px)) y1=(f(frame.top - 6.0)) y2=(f(strip.y_end())) {
                    title { (clip(message, 400)) }
                }
                text.change-label x=(f(if right { px - 5.0 } else { px + 5.0 })) y=(f(frame.top - 8.0)) text-anchor=(if right { "end" } else { "start" }) {
                    "change point · " (clip(at, LABEL))
                }
            }
            @for (name, i, values) in &series {
                path.curve d=(broken_path(&frame, slots.iter().map(mid).zip(values.iter().copied()))) stroke=(color(*i)) {
                    title { (name) }
                }
                @if shown.len() <= MAX_POINTS {
                    g fill=(color(*i)) {
                        @for (s, v) in slots.iter().zip(values) {
                            @if let Some(v) = v {
                                circle.dot cx=(f(frame.px(mid(s)))) cy=(f(frame.py(*v))) r="3" {}
                            }
                        }
                    }
                }
            }
            @for (w, s) in shown.iter().zip(&slots).take(if shown.len() <= MAX_TIPS { MAX_TIPS } else { 0 }) {
                rect.slot x=(f(frame.px(s.0))) y=(f(frame.top)) width=(f(width(s))) height=(f(strip.y_end() - frame.top)) {
                    title {
                        (clip(&w.start, LABEL)) " – " (clip(&w.end, LABEL)) ": " (count(w.rows, "row")) " · accuracy " (num(w.accuracy)) " · f1 " (num(w.f1))
                        @if w.roc_auc.is_some() { " · roc auc " (num(w.roc_auc)) }
                        @if flags.is_worse(w) { " · worse than the rows before it" }
                    }
                }
            }
        }
        ul.legend {
            @for (name, i, _) in &series {
                li { span.swatch style=(format!("background:{}", color(*i))) {} (name) }
            }
            li { span.swatch.rows {} "rows per window" }
            @if worse > 0 { li { span.swatch.band {} "worse than the rows before it (" (count(worse, "window")) ")" } }
            @if change.is_some() { li { span.swatch.change {} "change point of the error rate" } }
        }
        @if let Some((_, message)) = &flags.change {
            p.note { "Change point: " (clip(message, 400)) }
        }
        @if windows.len() > shown.len() {
            p.note { "Showing the first " (shown.len()) " of " (windows.len()) " windows; the JSON report has them all." }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_time_ticks() {
        assert_eq!(position("line 1000"), Some(1000.0));
        assert_eq!(position("1970-01-02T00:00:00Z"), Some(86_400.0));
        assert_eq!(position("<b>"), None);
        let t = x_ticks(Axis::Time, &[], (0.0, 6.0 * 86_400.0));
        assert_eq!(t.len(), 7);
        assert_eq!(t[1].1, "1970-01-02");
        let t = x_ticks(Axis::Time, &[], (3600.0, 2.0 * 86_400.0));
        assert_eq!(t[0].1, "06:00");
    }
}
