//! Hand-written SVG plotting: a plot frame with linear scales, axes with grid lines and tick
//! labels, and compact path data. Enough for line charts, bars and heatmaps without a plotting
//! crate; coordinates are written with one decimal so a 200-point curve stays a few kilobytes.

use maud::{html, Markup};

/// Series colours: muted, distinguishable, and readable on white (Tableau 10).
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
    "#ff9da7", "#bab0ac",
];

/// The colour of series `i`.
pub fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The dash pattern of series `i`: solid for the first ten, then dashed, so twenty series stay
/// distinguishable.
pub fn dash(i: usize) -> &'static str {
    if i < PALETTE.len() {
        "none"
    } else {
        "5 3"
    }
}

/// A number for SVG attributes: one decimal, no trailing `.0`.
pub fn f(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A plot area inside an SVG canvas, with linear scales from data to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
    /// Margin left of the plot area (for y tick labels).
    pub left: f64,
    /// Margin right of it.
    pub right: f64,
    /// Margin above it.
    pub top: f64,
    /// Margin below it (for x tick labels).
    pub bottom: f64,
    /// Data range along x.
    pub x: (f64, f64),
    /// Data range along y.
    pub y: (f64, f64),
}

impl Frame {
    /// A frame for data in the unit square, the usual case.
    pub fn unit(width: f64, height: f64) -> Frame {
        Frame {
            width,
            height,
            left: 44.0,
            right: 14.0,
            top: 12.0,
            bottom: 38.0,
            x: (0.0, 1.0),
            y: (0.0, 1.0),
        }
    }

    /// The pixel x of a data value.
    pub fn px(&self, v: f64) -> f64 {
        let span = (self.x.1 - self.x.0).max(1e-12);
        self.left + (v - self.x.0) / span * (self.width - self.left - self.right)
    }

    /// The pixel y of a data value.
    pub fn py(&self, v: f64) -> f64 {
        let span = (self.y.1 - self.y.0).max(1e-12);
        self.height - self.bottom - (v - self.y.0) / span * (self.height - self.top - self.bottom)
    }

    /// The plot area's right edge.
    pub fn x_end(&self) -> f64 {
        self.width - self.right
    }

    /// The plot area's bottom edge.
    pub fn y_end(&self) -> f64 {
        self.height - self.bottom
    }

    /// `viewBox` of the canvas.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", f(self.width), f(self.height))
    }

    /// Path data through data points.
    pub fn path(&self, points: impl IntoIterator<Item = (f64, f64)>) -> String {
        let mut d = String::new();
        for (i, (x, y)) in points.into_iter().enumerate() {
            d.push(if i == 0 { 'M' } else { 'L' });
            d.push_str(&f(self.px(x)));
            d.push(' ');
            d.push_str(&f(self.py(y)));
        }
        d
    }
}

/// Ticks from `lo` to `hi` in `n` equal steps.
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..=n)
        .map(|i| lo + (hi - lo) * i as f64 / n as f64)
        .collect()
}

/// A round upper end for data up to `max` (> 0) and the ticks from 0 to it: at most five steps
/// of 1, 2, 2.5 or 5 times a power of ten.
pub fn nice_ticks(max: f64) -> (f64, Vec<f64>) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let magnitude = 10f64.powf((max / 5.0).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| max / s <= 5.0)
        .unwrap_or(10.0 * magnitude);
    let n = (max / step - 1e-9).ceil().max(1.0) as usize;
    let top = step * n as f64;
    (top, (0..=n).map(|i| step * i as f64).collect())
}

/// A tick label: as few decimals as the step needs.
pub fn tick_label(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else if ((r * 10.0) - (r * 10.0).round()).abs() < 1e-9 {
        format!("{r:.1}")
    } else if ((r * 100.0) - (r * 100.0).round()).abs() < 1e-9 {
        format!("{r:.2}")
    } else {
        format!("{r:.3}")
    }
}

/// Grid lines, tick labels and axis titles of a frame.
pub fn axes(frame: &Frame, xticks: &[f64], yticks: &[f64], xlabel: &str, ylabel: &str) -> Markup {
    let mid_y = (frame.top + frame.y_end()) / 2.0;
    let mid_x = (frame.left + frame.x_end()) / 2.0;
    html! {
        g.grid {
            @for &t in yticks {
                line x1=(f(frame.left)) x2=(f(frame.x_end())) y1=(f(frame.py(t))) y2=(f(frame.py(t))) {}
                text.tick x=(f(frame.left - 6.0)) y=(f(frame.py(t) + 3.5)) text-anchor="end" { (tick_label(t)) }
            }
            @for &t in xticks {
                line x1=(f(frame.px(t))) x2=(f(frame.px(t))) y1=(f(frame.top)) y2=(f(frame.y_end())) {}
                text.tick x=(f(frame.px(t))) y=(f(frame.y_end() + 14.0)) text-anchor="middle" { (tick_label(t)) }
            }
        }
        rect.frame x=(f(frame.left)) y=(f(frame.top)) width=(f(frame.x_end() - frame.left)) height=(f(frame.y_end() - frame.top)) {}
        text.axis x=(f(mid_x)) y=(f(frame.height - 6.0)) text-anchor="middle" { (xlabel) }
        text.axis x="12" y=(f(mid_y)) text-anchor="middle" transform=(format!("rotate(-90 12 {})", f(mid_y))) { (ylabel) }
    }
}

/// Interpolates between white and the accent colour: `t` in [0, 1].
pub fn shade(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let (r0, g0, b0) = (247.0, 249.0, 252.0);
    let (r1, g1, b1) = (37.0, 79.0, 125.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(r0, r1), mix(g0, g1), mix(b0, b1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_and_formats() {
        let fr = Frame::unit(100.0, 100.0);
        assert_eq!(fr.px(0.0), fr.left);
        assert_eq!(fr.px(1.0), fr.x_end());
        assert_eq!(fr.py(0.0), fr.y_end());
        assert_eq!(f(1.04), "1");
        assert_eq!(f(1.25), "1.3");
        assert_eq!(tick_label(0.2), "0.2");
        assert_eq!(tick_label(1.0), "1");
        assert_eq!(shade(0.0), "#f7f9fc");
        assert_eq!(fr.path([(0.0, 0.0), (1.0, 1.0)]), "M44 62L86 12");
        let (top, t) = nice_ticks(0.62);
        assert!((top - 0.8).abs() < 1e-12 && t.len() == 5);
        let (top, t) = nice_ticks(0.09);
        assert!((top - 0.1).abs() < 1e-12 && t.len() == 6, "{top} {t:?}");
    }
}
