//! The report's charts as inline SVG: ROC and precision–recall curves, the reliability diagram,
//! score histograms by class, the confusion-matrix heatmap, metrics per segment as bars with
//! their intervals and rule thresholds, the interval strip of a rule, and a feature's shares
//! against the reference. Every label from the
//! input is clipped and escaped (maud escapes all text), and per-class plots are capped at
//! [`MAX_CLASS_PLOTS`] classes so the page stays small for any input.

use maud::{html, Markup};

use super::plot::{axes, color, dash, f, nice_ticks, shade, tick_label, ticks, Frame};
use crate::checks::CheckStatus;
use crate::metrics::calibration::Calibration;
use crate::metrics::ranking::OperatingPoint;
use crate::ordered_map::OrderedMap;
use crate::render::clip::{clip, LABEL};
use crate::render::entries::{status_word, CheckEntry};
use crate::report::{Report, SegmentReport};
use crate::text::{self, count};

/// Classes drawn at most in per-class charts (curves, histograms).
pub const MAX_CLASS_PLOTS: usize = 20;
/// Classes drawn at most in the confusion-matrix heatmap.
pub const MAX_MATRIX: usize = 30;
/// Segments drawn at most per segment chart.
pub const MAX_SEGMENT_BARS: usize = 25;
/// Metrics charted at most per segment column.
pub const MAX_SEGMENT_METRICS: usize = 4;

/// One line of a chart.
struct Series {
    name: String,
    points: Vec<(f64, f64)>,
    index: usize,
}

fn legend(items: &[(String, usize)]) -> Markup {
    html! {
        ul.legend {
            @for (name, i) in items {
                li {
                    span.swatch style=(format!("background:{}", color(*i))) {}
                    (name)
                }
            }
        }
    }
}

/// A note under a chart that leaves classes out.
fn capped_note(total: usize, shown: usize, what: &str) -> Markup {
    html! {
        @if total > shown {
            p.note { "Showing the first " (shown) " of " (total) " " (what) "; the JSON report has them all." }
        }
    }
}

fn curve_chart(
    label: &str,
    series: &[Series],
    extra: Markup,
    xlabel: &str,
    ylabel: &str,
) -> Markup {
    let frame = Frame::unit(440.0, 340.0);
    let grid = ticks(0.0, 1.0, 5);
    html! {
        svg.chart viewBox=(frame.view_box()) role="img" aria-label=(label) {
            (axes(&frame, &grid, &grid, xlabel, ylabel))
            (extra)
            @for s in series {
                path.curve d=(frame.path(s.points.iter().copied())) stroke=(color(s.index)) stroke-dasharray=(dash(s.index)) {
                    title { (s.name) }
                }
            }
        }
    }
}

fn point_marks(frame: &Frame, points: &[(&str, (f64, f64))]) -> Markup {
    html! {
        @for (name, (x, y)) in points {
            g.mark {
                circle cx=(f(frame.px(*x))) cy=(f(frame.py(*y))) r="4" { title { (name) } }
                text x=(f(frame.px(*x) + 7.0)) y=(f(frame.py(*y) + 12.0)) { (name) }
            }
        }
    }
}

fn operating_points(report: &Report) -> Vec<(&'static str, OperatingPoint)> {
    let Some(t) = &report.results.thresholds else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(p) = t.current {
        out.push(("current", p));
    }
    if let Some(p) = t.best_f1 {
        out.push(("best f1", p));
    }
    out
}

fn class_items(
    report: &Report,
    get: fn(&crate::metrics::classification::ClassMetrics) -> Option<f64>,
    what: &str,
) -> Vec<(String, usize)> {
    let per_class = &report.results.metrics.labels.per_class;
    report
        .results
        .curves
        .as_ref()
        .map(|c| {
            c.per_class
                .iter()
                .take(MAX_CLASS_PLOTS)
                .enumerate()
                .map(|(i, (name, _))| {
                    let v = per_class.get(name).and_then(get);
                    let v = v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
                    (format!("{} ({what} {v})", clip(name, LABEL)), i)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The ROC curve (binary) or one-vs-rest ROC curves per class (multiclass).
pub fn roc(report: &Report) -> Option<Markup> {
    let curves = report.results.curves.as_ref()?;
    let frame = Frame::unit(440.0, 340.0);
    let diagonal = html! {
        path.ref d=(frame.path([(0.0, 0.0), (1.0, 1.0)])) {}
    };
    if let Some(points) = &curves.roc {
        let auc = report.results.metrics.scores.roc_auc;
        let name = format!(
            "ROC curve (AUC {})",
            auc.map_or("-".into(), |a| format!("{a:.4}"))
        );
        let series = [Series {
            name: name.clone(),
            points: points.iter().map(|p| (p.fpr, p.tpr)).collect(),
            index: 0,
        }];
        let marks: Vec<(&str, (f64, f64))> = operating_points(report)
            .into_iter()
            .map(|(n, p)| (n, (p.fpr, p.recall)))
            .collect();
        let extra = html! { (diagonal) (point_marks(&frame, &marks)) };
        return Some(html! {
            (curve_chart("ROC curve", &series, extra, "false positive rate", "true positive rate"))
            (legend(&[(name, 0)]))
        });
    }
    if curves.per_class.0.is_empty() {
        return None;
    }
    let series: Vec<Series> = curves
        .per_class
        .iter()
        .take(MAX_CLASS_PLOTS)
        .enumerate()
        .map(|(i, (name, c))| Series {
            name: clip(name, LABEL).into_owned(),
            points: c.roc.iter().map(|p| (p.fpr, p.tpr)).collect(),
            index: i,
        })
        .collect();
    Some(html! {
        (curve_chart("One-vs-rest ROC curves", &series, diagonal, "false positive rate", "true positive rate"))
        (legend(&class_items(report, |c| c.roc_auc, "AUC")))
        (capped_note(curves.per_class.0.len(), series.len(), "classes"))
    })
}

/// The precision–recall curve (binary) or one-vs-rest curves per class (multiclass).
pub fn pr(report: &Report) -> Option<Markup> {
    let curves = report.results.curves.as_ref()?;
    let frame = Frame::unit(440.0, 340.0);
    let rows = report.results.input.rows.max(1) as f64;
    if let Some(points) = &curves.pr {
        let ap = report.results.metrics.scores.average_precision;
        let name = format!(
            "precision–recall curve (AP {})",
            ap.map_or("-".into(), |a| format!("{a:.4}"))
        );
        let prevalence = report
            .results
            .pos_label
            .as_deref()
            .and_then(|p| report.results.metrics.labels.per_class.get(p))
            .map_or(0.0, |c| c.support as f64 / rows);
        let series = [Series {
            name: name.clone(),
            points: points.iter().map(|p| (p.recall, p.precision)).collect(),
            index: 0,
        }];
        let marks: Vec<(&str, (f64, f64))> = operating_points(report)
            .into_iter()
            .map(|(n, p)| (n, (p.recall, p.precision)))
            .collect();
        let extra = html! {
            path.ref d=(frame.path([(0.0, prevalence), (1.0, prevalence)])) {
                title { "a random model: precision = prevalence " (format!("{prevalence:.3}")) }
            }
            (point_marks(&frame, &marks))
        };
        return Some(html! {
            (curve_chart("Precision–recall curve", &series, extra, "recall", "precision"))
            (legend(&[(name, 0)]))
        });
    }
    if curves.per_class.0.is_empty() {
        return None;
    }
    let series: Vec<Series> = curves
        .per_class
        .iter()
        .take(MAX_CLASS_PLOTS)
        .enumerate()
        .map(|(i, (name, c))| Series {
            name: clip(name, LABEL).into_owned(),
            points: c.pr.iter().map(|p| (p.recall, p.precision)).collect(),
            index: i,
        })
        .collect();
    Some(html! {
        (curve_chart("One-vs-rest precision–recall curves", &series, html! {}, "recall", "precision"))
        (legend(&class_items(report, |c| c.average_precision, "AP")))
        (capped_note(curves.per_class.0.len(), series.len(), "classes"))
    })
}

/// The reliability diagram: observed frequency against mean predicted probability per bin, with
/// the rows per bin underneath.
pub fn reliability(cal: &Calibration) -> Markup {
    let mut frame = Frame::unit(440.0, 400.0);
    frame.bottom = 130.0;
    let counts = Frame {
        top: frame.y_end() + 62.0,
        bottom: 22.0,
        y: (0.0, 1.0),
        ..frame
    };
    let grid = ticks(0.0, 1.0, 5);
    let max = cal.table.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    // Tooltips for up to 50 bins; `--calibration-bins` allows 1000, which would bloat the page.
    let few = cal.table.len() <= 50;
    let xlabel = if cal.basis == "top_label" {
        "top-label confidence (mean per bin)"
    } else {
        "predicted probability (mean per bin)"
    };
    let filled: Vec<(f64, f64)> = cal
        .table
        .iter()
        .filter_map(|b| Some((b.mean_confidence?, b.observed_frequency?)))
        .collect();
    html! {
        svg.chart viewBox=(frame.view_box()) role="img" aria-label="Reliability diagram" {
            (axes(&frame, &grid, &grid, "", "observed frequency"))
            path.ref d=(frame.path([(0.0, 0.0), (1.0, 1.0)])) {}
            @for b in &cal.table {
                @if let (Some(conf), Some(freq)) = (b.mean_confidence, b.observed_frequency) {
                    line.gap x1=(f(frame.px(conf))) x2=(f(frame.px(conf))) y1=(f(frame.py(conf))) y2=(f(frame.py(freq))) {}
                }
            }
            path.curve d=(frame.path(filled.iter().copied())) stroke=(color(0)) {}
            @for b in &cal.table {
                @if let (Some(conf), Some(freq)) = (b.mean_confidence, b.observed_frequency) {
                    circle.dot cx=(f(frame.px(conf))) cy=(f(frame.py(freq))) r=(if few { "3.5" } else { "2" }) fill=(color(0)) {
                        @if few { title { (format!("bin [{:.3}, {:.3}]: {}, mean probability {conf:.3}, observed {freq:.3}", b.lower, b.upper, count(b.count, "row"))) } }
                    }
                }
            }
            @for b in &cal.table {
                @let h = (b.count as f64 / max) * (counts.y_end() - counts.top);
                @if b.count > 0 {
                    rect.count x=(f(counts.px(b.lower) + 0.5)) y=(f(counts.y_end() - h)) width=(f((counts.px(b.upper) - counts.px(b.lower) - 1.0).max(0.5))) height=(f(h)) {
                        @if few { title { (format!("[{:.3}, {:.3}]: {}", b.lower, b.upper, count(b.count, "row"))) } }
                    }
                }
            }
            line.axisline x1=(f(counts.left)) x2=(f(counts.x_end())) y1=(f(counts.y_end())) y2=(f(counts.y_end())) {}
            @for &t in &grid {
                text.tick x=(f(counts.px(t))) y=(f(counts.y_end() + 14.0)) text-anchor="middle" { (tick_label(t)) }
            }
            text.tick x=(f(counts.left - 6.0)) y=(f(counts.top + 8.0)) text-anchor="end" { (max as u64) }
            text.axis x=(f((frame.left + frame.x_end()) / 2.0)) y=(f(frame.y_end() + 28.0)) text-anchor="middle" { (xlabel) }
            text.axis x="12" y=(f((counts.top + counts.y_end()) / 2.0)) text-anchor="middle" transform=(format!("rotate(-90 12 {})", f((counts.top + counts.y_end()) / 2.0))) { "rows" }
        }
    }
}

/// A histogram as a closed step path over [0, 1], as shares of its total.
fn step_points(counts: &[u64]) -> Vec<(f64, f64)> {
    let total: u64 = counts.iter().sum();
    let n = counts.len().max(1) as f64;
    let mut pts = vec![(0.0, 0.0)];
    for (i, &c) in counts.iter().enumerate() {
        let share = if total == 0 {
            0.0
        } else {
            c as f64 / total as f64
        };
        pts.push((i as f64 / n, share));
        pts.push(((i + 1) as f64 / n, share));
    }
    pts.push((1.0, 0.0));
    pts
}

fn max_share(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return 0.0;
    }
    counts
        .iter()
        .map(|&c| c as f64 / total as f64)
        .fold(0.0, f64::max)
}

/// Score histograms by true class. `reference` holds the same histograms of a reference run,
/// drawn as dashed outlines; nothing passes them yet (see the page's reference placeholder).
pub fn histograms(report: &Report, reference: Option<&OrderedMap<Vec<u64>>>) -> Option<Markup> {
    let h = &report.results.curves.as_ref()?.histograms;
    let classes: Vec<&(String, Vec<u64>)> = h.by_class.iter().take(MAX_CLASS_PLOTS).collect();
    let threshold = report
        .results
        .thresholds
        .as_ref()
        .and_then(|t| t.current.map(|p| p.threshold));
    let xlabel = if h.basis == "true_class" {
        "probability given to the true class"
    } else {
        "score of the positive class"
    };
    let chart = |items: &[(usize, &(String, Vec<u64>))], width: f64, height: f64| -> Markup {
        let top = items
            .iter()
            .map(|(_, (_, c))| max_share(c))
            .chain(
                reference
                    .iter()
                    .flat_map(|r| r.iter().map(|(_, c)| max_share(c))),
            )
            .fold(0.0, f64::max);
        let (top, yticks) = nice_ticks(top);
        let mut frame = Frame::unit(width, height);
        frame.y = (0.0, top);
        html! {
            svg.chart viewBox=(frame.view_box()) role="img" aria-label="Score histogram" {
                (axes(&frame, &ticks(0.0, 1.0, 5), &yticks, xlabel, "share of the class"))
                @if let Some(t) = threshold {
                    line.threshold x1=(f(frame.px(t))) x2=(f(frame.px(t))) y1=(f(frame.top)) y2=(f(frame.y_end())) {
                        title { (format!("decision threshold {}", text::decimal(t))) }
                    }
                }
                @for (i, (name, counts)) in items {
                    path.hist d=(frame.path(step_points(counts))) stroke=(color(*i)) fill=(color(*i)) {
                        title { (clip(name, LABEL)) ": " (count(counts.iter().sum::<u64>(), "row")) }
                    }
                    @if let Some(r) = reference.and_then(|r| r.get(name)) {
                        path.refhist d=(frame.path(step_points(r))) stroke=(color(*i)) {}
                    }
                }
            }
        }
    };
    let items: Vec<(usize, &(String, Vec<u64>))> = classes.iter().copied().enumerate().collect();
    let total = h.by_class.0.len();
    if h.basis != "true_class" {
        let names: Vec<(String, usize)> = items
            .iter()
            .map(|(i, (n, c))| {
                (
                    format!(
                        "true class {} ({})",
                        clip(n, LABEL),
                        count(c.iter().sum::<u64>(), "row")
                    ),
                    *i,
                )
            })
            .collect();
        return Some(html! {
            (chart(&items, 440.0, 300.0))
            (legend(&names))
        });
    }
    Some(html! {
        div.multiples {
            @for item in &items {
                figure.small {
                    figcaption title=(clip(&item.1 .0, 80)) { (clip(&item.1 .0, LABEL)) span.muted { " · " (count(item.1 .1.iter().sum::<u64>(), "row")) } }
                    (chart(std::slice::from_ref(item), 260.0, 190.0))
                }
            }
        }
        (capped_note(total, items.len(), "classes"))
    })
}

/// The confusion matrix as a heatmap: each cell coloured by its share of the true class's rows
/// (so the diagonal reads as per-class recall), with the count written in it.
pub fn confusion(report: &Report) -> Markup {
    let cm = &report.results.metrics.labels.confusion_matrix;
    let n = cm.labels.len().min(MAX_MATRIX);
    let cell = (480.0 / n.max(1) as f64).clamp(16.0, 84.0);
    let room = if cell >= 40.0 { 14 } else { 8 };
    let short = |s: &str| clip(s, room).into_owned();
    let longest = cm
        .labels
        .iter()
        .take(n)
        .map(|l| short(l).chars().count())
        .max()
        .unwrap_or(1);
    // Short column labels stand upright; longer ones are slanted.
    let upright = longest as f64 * 7.0 <= cell;
    let left = (longest as f64 * 7.0 + 40.0).clamp(56.0, 130.0);
    let top = if upright {
        44.0
    } else {
        30.0 + longest as f64 * 5.5
    };
    let width = left + cell * n as f64 + 10.0;
    let height = top + cell * n as f64 + 10.0;
    html! {
        svg.chart.heatmap viewBox=(format!("0 0 {} {}", f(width), f(height))) style=(format!("max-width:{}px", f(width * 1.25))) role="img" aria-label="Confusion matrix" {
            text.axis x=(f(left + cell * n as f64 / 2.0)) y="14" text-anchor="middle" { "predicted label" }
            text.axis x="12" y=(f(top + cell * n as f64 / 2.0)) text-anchor="middle" transform=(format!("rotate(-90 12 {})", f(top + cell * n as f64 / 2.0))) { "true label" }
            @for (j, name) in cm.labels.iter().take(n).enumerate() {
                @let x = left + cell * (j as f64 + 0.5);
                @if upright {
                    text.tick x=(f(x)) y=(f(top - 8.0)) text-anchor="middle" {
                        title { (clip(name, 80)) }
                        (short(name))
                    }
                } @else {
                    text.tick x=(f(x)) y=(f(top - 8.0)) text-anchor="start" transform=(format!("rotate(-40 {} {})", f(x), f(top - 8.0))) {
                        title { (clip(name, 80)) }
                        (short(name))
                    }
                }
            }
            @for (i, (name, row)) in cm.labels.iter().zip(&cm.matrix).take(n).enumerate() {
                @let total: u64 = row.iter().sum();
                @let y = top + cell * i as f64;
                text.tick x=(f(left - 8.0)) y=(f(y + cell / 2.0 + 4.0)) text-anchor="end" {
                    title { (clip(name, 80)) }
                    (short(name))
                }
                @for (j, &count) in row.iter().take(n).enumerate() {
                    @let share = if total == 0 { 0.0 } else { count as f64 / total as f64 };
                    @let x = left + cell * j as f64;
                    rect.cell x=(f(x)) y=(f(y)) width=(f(cell)) height=(f(cell)) fill=(shade(share)) {
                        title { (format!("true {} → predicted {}: {} ({:.1}%)", clip(name, 24), clip(&cm.labels[j], 24), text::count(count, "row"), share * 100.0)) }
                    }
                    @if cell >= 26.0 {
                        text.count x=(f(x + cell / 2.0)) y=(f(y + cell / 2.0 + if cell >= 44.0 { 0.0 } else { 4.0 })) text-anchor="middle" fill=(if share > 0.5 { "#ffffff" } else { "#1f2933" }) { (count) }
                        @if cell >= 44.0 {
                            text.share x=(f(x + cell / 2.0)) y=(f(y + cell / 2.0 + 14.0)) text-anchor="middle" fill=(if share > 0.5 { "#e3ebf5" } else { "#616e7c" }) { (format!("{:.0}%", share * 100.0)) }
                        }
                    }
                }
            }
        }
        (capped_note(cm.labels.len(), n, "classes"))
    }
}

/// The metrics to chart per segment of a column: those with segment rules, else a default set.
pub fn segment_metrics(report: &Report, column: &str, checks: &[CheckEntry]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in checks {
        if let (Some((col, _)), Some(m)) = (&c.segment, &c.metric) {
            if col == column && !out.contains(m) {
                out.push(m.clone());
            }
        }
    }
    let mut defaults = vec!["accuracy", "f1"];
    if report.results.calibration.is_some() {
        defaults.push("roc_auc");
    }
    for d in defaults {
        if !out.iter().any(|m| m == d) {
            out.push(d.to_string());
        }
    }
    out.truncate(MAX_SEGMENT_METRICS);
    out
}

/// One metric of every segment of a column as horizontal bars, with 95% intervals as whiskers,
/// the overall value as a dotted line and each segment rule's threshold as a dashed line. A
/// bar's colour is its rule check's status; segments too small to gate are hatched.
pub fn segment_bars(
    report: &Report,
    column: &str,
    segments: &OrderedMap<SegmentReport>,
    metric: &str,
    checks: &[CheckEntry],
) -> Markup {
    let shown: Vec<&(String, SegmentReport)> = segments.iter().take(MAX_SEGMENT_BARS).collect();
    let values: Vec<(Option<f64>, Option<[f64; 2]>)> = shown
        .iter()
        .map(|(_, seg)| {
            let v = seg
                .metrics
                .as_ref()
                .and_then(|m| m.values().get(metric).flatten());
            (v, seg.intervals.get(metric).copied())
        })
        .collect();
    let overall = report.results.metrics.values().get(metric).flatten();
    let rules: Vec<(String, f64)> = {
        let mut r: Vec<(String, f64)> = Vec::new();
        for c in checks {
            if c.segment.as_ref().is_some_and(|(col, _)| col == column)
                && c.metric.as_deref() == Some(metric)
            {
                if let (Some(op), Some(t)) = (&c.op, c.threshold) {
                    if !r.iter().any(|(o, x)| o == op && *x == t) {
                        r.push((op.clone(), t));
                    }
                }
            }
        }
        r
    };
    let mut lo = 0.0f64;
    let mut hi = 1.0f64;
    for (v, ci) in &values {
        for x in v.iter().chain(ci.iter().flatten()) {
            lo = lo.min(*x);
            hi = hi.max(*x);
        }
    }
    for (_, t) in &rules {
        lo = lo.min(*t);
        hi = hi.max(*t);
    }
    if lo < 0.0 {
        lo = lo.min(-1.0).floor();
    }
    if hi > 1.0 {
        hi = hi.ceil();
    }
    let row = 24.0;
    let longest = shown
        .iter()
        .map(|(name, _)| clip(name, 20).chars().count())
        .max()
        .unwrap_or(1);
    let frame = Frame {
        width: 480.0,
        height: 34.0 + row * shown.len() as f64 + 34.0,
        left: (longest as f64 * 7.0 + 18.0).clamp(56.0, 160.0),
        right: 48.0,
        top: 34.0,
        bottom: 34.0,
        x: (lo, hi),
        y: (0.0, 1.0),
    };
    let status_of = |value: &str| -> Option<CheckStatus> {
        checks
            .iter()
            .filter(|c| {
                c.metric.as_deref() == Some(metric)
                    && c.segment
                        .as_ref()
                        .is_some_and(|(col, v)| col == column && v == value)
            })
            .map(|c| c.status)
            .max()
    };
    html! {
        svg.chart.bars viewBox=(frame.view_box()) role="img" aria-label=(format!("{metric} by segment")) {
            @for t in ticks(lo, hi, 5) {
                line.gridline x1=(f(frame.px(t))) x2=(f(frame.px(t))) y1=(f(frame.top - 4.0)) y2=(f(frame.y_end())) {}
                text.tick x=(f(frame.px(t))) y=(f(frame.y_end() + 14.0)) text-anchor="middle" { (tick_label(t)) }
            }
            text.axis x=(f((frame.left + frame.x_end()) / 2.0)) y=(f(frame.height - 4.0)) text-anchor="middle" { (metric) }
            @for (i, ((name, seg), (v, ci))) in shown.iter().zip(&values).enumerate() {
                @let y = frame.top + row * i as f64;
                @let status = status_of(name);
                @let class = match (seg.skipped, status) {
                    (true, _) => "bar small",
                    (false, Some(s)) => status_word(s),
                    (false, None) => "bar",
                };
                g {
                    text.tick x=(f(frame.left - 8.0)) y=(f(y + row / 2.0 + 4.0)) text-anchor="end" {
                        title { (clip(name, 80)) ": " (count(seg.rows, "row")) @if let Some(r) = &seg.reason { " (not gated: " (clip(r, 120)) ")" } }
                        (clip(name, 20))
                    }
                    @if let Some(v) = v {
                        rect class=(format!("bar {class}")) x=(f(frame.px(lo.max(0.0).min(*v)))) y=(f(y + 5.0)) width=(f((frame.px(*v) - frame.px(lo.max(0.0).min(*v))).abs().max(1.0))) height=(f(row - 10.0)) {
                            title { (format!("{metric} = {v:.4}")) @if let Some([a, b]) = ci { (format!(" (95% interval [{a:.4}, {b:.4}])")) } ", " (count(seg.rows, "row")) }
                        }
                        @if let Some([a, b]) = ci {
                            line.whisker x1=(f(frame.px(*a))) x2=(f(frame.px(*b))) y1=(f(y + row / 2.0)) y2=(f(y + row / 2.0)) {}
                            line.whisker x1=(f(frame.px(*a))) x2=(f(frame.px(*a))) y1=(f(y + row / 2.0 - 4.0)) y2=(f(y + row / 2.0 + 4.0)) {}
                            line.whisker x1=(f(frame.px(*b))) x2=(f(frame.px(*b))) y1=(f(y + row / 2.0 - 4.0)) y2=(f(y + row / 2.0 + 4.0)) {}
                        }
                        text.value x=(f(frame.x_end() + 6.0)) y=(f(y + row / 2.0 + 4.0)) { (format!("{v:.3}")) }
                    } @else {
                        text.value x=(f(frame.px(lo.max(0.0)) + 4.0)) y=(f(y + row / 2.0 + 4.0)) { "undefined" }
                    }
                }
            }
            @if let Some(o) = overall {
                line.overall x1=(f(frame.px(o))) x2=(f(frame.px(o))) y1=(f(frame.top - 4.0)) y2=(f(frame.y_end())) {
                    title { (format!("overall {metric} = {o:.4}")) }
                }
            }
            @for (op, t) in &rules {
                line.threshold x1=(f(frame.px(*t))) x2=(f(frame.px(*t))) y1=(f(frame.top - 18.0)) y2=(f(frame.y_end())) {
                    title { (format!("rule: {metric} {op} {t}")) }
                }
                text.threshold-label x=(f(frame.px(*t))) y=(f(frame.top - 22.0)) text-anchor="middle" { (if op == "<=" { "max " } else { "min " }) (t) }
            }
        }
        p.note {
            @if let Some(o) = overall { "Dotted: overall " (format!("{o:.4}")) ". " }
            @for (op, t) in &rules { "Dashed: rule " (metric) " " (if op == "<=" { "≤ " } else { "≥ " }) (t) ". " }
        }
        (capped_note(segments.0.len(), shown.len(), "segments"))
    }
}

/// A rule's value, 95% interval and threshold on a small axis.
pub fn interval_strip(c: &CheckEntry) -> Markup {
    let (Some(t), Some(v)) = (c.threshold, c.value) else {
        return html! {};
    };
    let mut lo = v.min(t);
    let mut hi = v.max(t);
    if let Some([a, b]) = c.interval {
        lo = lo.min(a);
        hi = hi.max(b);
    }
    let pad = ((hi - lo) * 0.25).max(0.01);
    let frame = Frame {
        width: 180.0,
        height: 30.0,
        left: 6.0,
        right: 6.0,
        top: 4.0,
        bottom: 10.0,
        x: (lo - pad, hi + pad),
        y: (0.0, 1.0),
    };
    let y = 15.0;
    html! {
        svg.strip viewBox=(frame.view_box()) role="img" aria-label=(format!("value {v:.4} against threshold {t}")) {
            line.axisline x1=(f(frame.left)) x2=(f(frame.x_end())) y1=(f(y)) y2=(f(y)) {}
            @if let Some([a, b]) = c.interval {
                line.ci x1=(f(frame.px(a))) x2=(f(frame.px(b))) y1=(f(y)) y2=(f(y)) {}
            }
            line.threshold x1=(f(frame.px(t))) x2=(f(frame.px(t))) y1="3" y2="27" {}
            circle class=(format!("dot {}", status_word(c.status))) cx=(f(frame.px(v))) cy=(f(y)) r="4" {}
        }
    }
}

/// A feature's shares per bin, current against reference, as small paired bars: the
/// reference's outlined, the current rows' filled.
pub fn feature_bins(bins: &crate::features::compare::Bins) -> Markup {
    const W: f64 = 132.0;
    const H: f64 = 30.0;
    let n = bins.labels.len();
    if n == 0 {
        return html! {};
    }
    let top = bins
        .reference
        .iter()
        .chain(&bins.current)
        .fold(0.0f64, |a, &b| a.max(b))
        .max(1e-12);
    let slot = W / n as f64;
    let bar = (slot / 2.0 - 0.5).max(0.5);
    let height = |share: f64| (H - 2.0) * share / top;
    html! {
        svg.bins viewBox=(format!("0 0 {W} {H}")) width=(W) height=(H) role="img" aria-label="shares per bin, reference against current" {
            @for (i, label) in bins.labels.iter().enumerate() {
                @let (r, c) = (bins.reference[i], bins.current[i]);
                @let x = slot * i as f64;
                rect.refbin x=(f(x + 0.25)) y=(f(H - height(r))) width=(f(bar)) height=(f(height(r))) {
                    title { (clip(label, LABEL)) ": reference " (text::decimal(r)) }
                }
                rect.curbin x=(f(x + 0.25 + bar)) y=(f(H - height(c))) width=(f(bar)) height=(f(height(c))) {
                    title { (clip(label, LABEL)) ": now " (text::decimal(c)) }
                }
            }
        }
    }
}
