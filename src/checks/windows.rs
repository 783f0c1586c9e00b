//! Checks over time windows: windows significantly worse than the ones before them, and the
//! point where the error rate changed.
//!
//! The change point is the maximum of the CUSUM of errors minus their expected count,
//! S_j = Σ_{i≤j} (e_i − n_i ē) (Page 1954), over the fine windows; the rates before and after it
//! are compared by a two-proportion z-test whose p-value is Bonferroni-corrected for the
//! positions searched, and it fails only when significant and the rate moved by at least the
//! minimum effect. Worse windows use a one-sided two-proportion z-test against all earlier rows
//! with Benjamini–Hochberg control across windows at a tenth of the significance level; the z statistics are divided by the square
//! root of the windows' dispersion, the quasi-binomial factor by which window accuracies vary
//! more than independent rows would (McCullagh & Nelder 1989, §4.5), estimated robustly from
//! successive windows' differences as their median squared z over 0.4549 (the median of χ²₁)
//! and never below 1: rows of one window share hours, traffic mix and users, so clean data
//! varies more between windows than a binomial model says, while a step or one broken window
//! moves only one or two of the differences and barely moves their median.

use super::statistical::StatOptions;
use super::{Check, CheckDetail, CheckId, CheckStatus, Location, StatisticalDetail};
use crate::ordered_map::OrderedMap;
use crate::stats::{benjamini_hochberg, normal_two_sided};
use crate::text::count;

/// Rows and correct predictions of one window, with its start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowCounts {
    /// The window's start, as shown to users.
    pub start: String,
    /// Rows.
    pub rows: u64,
    /// Correct predictions.
    pub correct: u64,
    /// Rows left out for a missing label.
    pub labels_missing: u64,
    /// Distinct binary scores (report windows only).
    pub distinct_scores: Option<u64>,
    /// Binary scores per equal-width bin over [0, 1] (report windows only; empty without
    /// binary scores).
    pub score_bins: Vec<u64>,
    /// Classes whose rows mostly go to one other class (report windows only; see
    /// [`super::faults::permutation_of`]).
    pub mapping: Vec<(String, String)>,
}

/// `NAME = 1.2e-5` for a p- or q-value, or `NAME < 1e-300` when a double cannot tell it from 0.
fn sci(name: &str, p: f64) -> String {
    if p < 1e-300 {
        format!("{name} < 1e-300")
    } else {
        format!("{name} = {p:.1e}")
    }
}

fn z_test(e1: u64, n1: u64, e2: u64, n2: u64) -> (f64, f64, f64) {
    let (p1, p2) = (e1 as f64 / n1 as f64, e2 as f64 / n2 as f64);
    let pooled = (e1 + e2) as f64 / (n1 + n2) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    let z = if se > 0.0 { (p1 - p2) / se } else { 0.0 };
    (z, p1, p2)
}

fn check(id: CheckId, status: CheckStatus, message: String, detail: StatisticalDetail) -> Check {
    Check {
        id,
        kind: "statistical",
        status,
        message,
        detail: CheckDetail::Statistical(detail),
    }
}

fn detail(test: &'static str, n: u64) -> StatisticalDetail {
    StatisticalDetail {
        test,
        statistic: None,
        p_value: None,
        effect_size: None,
        effect: "difference",
        n,
        n_reference: None,
        location: Location::default(),
        values: OrderedMap::default(),
    }
}

/// The change point of the error rate over fine windows.
pub fn change_point(windows: &[WindowCounts], opts: &StatOptions) -> Check {
    let n: u64 = windows.iter().map(|w| w.rows).sum();
    let errors: u64 = windows.iter().map(|w| w.rows - w.correct).sum();
    let mut d = detail("cusum", n);
    if windows.len() < 2 || n < opts.min_rows {
        return check(
            CheckId::ChangePoint,
            CheckStatus::Skip,
            format!(
                "change point not searched: {}, {}",
                count(windows.len(), "window"),
                count(n, "row")
            ),
            d,
        );
    }
    let rate = errors as f64 / n as f64;
    let (mut s, mut best, mut at) = (0.0f64, 0.0f64, 0usize);
    for (j, w) in windows[..windows.len() - 1].iter().enumerate() {
        s += (w.rows - w.correct) as f64 - w.rows as f64 * rate;
        if s.abs() > best {
            best = s.abs();
            at = j;
        }
    }
    let (before, after) = windows.split_at(at + 1);
    let sum = |ws: &[WindowCounts]| {
        (
            ws.iter().map(|w| w.rows - w.correct).sum::<u64>(),
            ws.iter().map(|w| w.rows).sum::<u64>(),
        )
    };
    let ((e1, n1), (e2, n2)) = (sum(before), sum(after));
    let (z, r2, r1) = z_test(e2, n2, e1, n1);
    let p = (normal_two_sided(z) * (windows.len() - 1) as f64).min(1.0);
    let effect = (r2 - r1).abs();
    let start = after[0].start.clone();
    d.statistic = Some(best);
    d.p_value = Some(p);
    d.effect_size = Some(effect);
    d.n_reference = Some(n1);
    d.n = n2;
    d.location.window = Some(start.clone());
    d.values = OrderedMap(vec![
        ("error_rate_before".into(), r1),
        ("error_rate_after".into(), r2),
        ("z".into(), z),
    ]);
    let changed = p < opts.alpha && effect >= opts.min_effect;
    if changed && r2 > r1 {
        if let Some(ramp) = ramp(windows, opts.min_rows) {
            return gradual_change(windows, &ramp, p, opts);
        }
    }
    let direction = if r2 > r1 { "rose" } else { "fell" };
    check(
        CheckId::ChangePoint,
        if changed && r2 > r1 {
            CheckStatus::Fail
        } else {
            CheckStatus::Pass
        },
        if changed {
            format!(
                "the error rate {direction} from {:.4} to {:.4} starting at {start} ({} before, {n2} after; {}, Bonferroni over {})",
                r1,
                r2,
                count(n1, "row"),
                sci("p", p),
                count(windows.len() - 1, "position")
            )
        } else {
            format!(
                "no change in the error rate of {:.4} or more between windows (largest at {start}: {:.4} → {:.4}, p = {:.4})",
                opts.min_effect, r1, r2, p
            )
        },
        d,
    )
}

/// A rise of the error rate fitted as a ramp: flat at `before` up to window `from`, linear to
/// `after` at window `to`, flat after.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ramp {
    from: usize,
    to: usize,
    before: f64,
    after: f64,
    /// How much better the ramp fits than the best step, in units of χ²₁ (weighted squared
    /// error over the binomial variance and the windows' dispersion).
    gain: f64,
}

/// χ²₁ at p = 0.001: how much better a ramp must fit than a step to be called gradual.
const RAMP_GAIN: f64 = 10.83;
/// The least share of the windows a ramp must span to be told from a step (a rollout over a
/// few hours is a step).
const RAMP_MIN_SHARE: f64 = 0.1;

/// Prefix sums of the weighted moments of the error rates (weight: rows; abscissa: index).
struct Moments {
    w: Vec<f64>,
    wx: Vec<f64>,
    wxx: Vec<f64>,
    wy: Vec<f64>,
    wxy: Vec<f64>,
    wyy: Vec<f64>,
}

impl Moments {
    fn of(windows: &[WindowCounts]) -> Moments {
        let n = windows.len();
        let mut m = Moments {
            w: vec![0.0; n + 1],
            wx: vec![0.0; n + 1],
            wxx: vec![0.0; n + 1],
            wy: vec![0.0; n + 1],
            wxy: vec![0.0; n + 1],
            wyy: vec![0.0; n + 1],
        };
        for (i, win) in windows.iter().enumerate() {
            let w = win.rows as f64;
            let y = if win.rows > 0 {
                (win.rows - win.correct) as f64 / w
            } else {
                0.0
            };
            let x = i as f64;
            m.w[i + 1] = m.w[i] + w;
            m.wx[i + 1] = m.wx[i] + w * x;
            m.wxx[i + 1] = m.wxx[i] + w * x * x;
            m.wy[i + 1] = m.wy[i] + w * y;
            m.wxy[i + 1] = m.wxy[i] + w * x * y;
            m.wyy[i + 1] = m.wyy[i] + w * y * y;
        }
        m
    }

    /// Sums over windows `a..b` of (w, w·x, w·x², w·y, w·x·y).
    fn range(&self, a: usize, b: usize) -> [f64; 5] {
        [
            self.w[b] - self.w[a],
            self.wx[b] - self.wx[a],
            self.wxx[b] - self.wxx[a],
            self.wy[b] - self.wy[a],
            self.wxy[b] - self.wxy[a],
        ]
    }

    /// The weighted least-squares fit of `y = r1 + (r2 − r1)·g` with g = 0 up to window
    /// `from`, (x − from)/(to − from) between, 1 from window `to`: (r1, r2, squared error).
    fn fit(&self, from: usize, to: usize) -> (f64, f64, f64) {
        let n = self.w.len() - 1;
        let len = (to - from) as f64;
        let a = from as f64;
        let [w0, _, _, wy0, _] = self.range(0, from + 1);
        let [wr, wxr, wxxr, wyr, wxyr] = self.range(from + 1, to);
        let [w1, _, _, wy1, _] = self.range(to, n);
        // Sums of w·g, w·g², w·g·y.
        let sg = (wxr - a * wr) / len + w1;
        let sgg = (wxxr - 2.0 * a * wxr + a * a * wr) / (len * len) + w1;
        let sgy = (wxyr - a * wyr) / len + wy1;
        let (sw, sy) = (w0 + wr + w1, wy0 + wyr + wy1);
        let syy = self.wyy[n];
        // Normal equations in (c, d) for y = c + d·g.
        let det = sw * sgg - sg * sg;
        if det.abs() < 1e-12 * sw * sw.max(1.0) {
            return (sy / sw, sy / sw, syy - sy * sy / sw);
        }
        let d = (sw * sgy - sg * sy) / det;
        let c = (sy - d * sg) / sw;
        let sse = syy - c * sy - d * sgy;
        (c, c + d, sse.max(0.0))
    }
}

/// The best ramp-shaped rise of the error rate over the windows, when it fits much better than
/// any step and spans at least [`RAMP_MIN_SHARE`] of them; `None` for a step.
fn ramp(windows: &[WindowCounts], min_rows: u64) -> Option<Ramp> {
    let n = windows.len();
    if n < 10 {
        return None;
    }
    let m = Moments::of(windows);
    let (rows, errors): (u64, u64) = windows
        .iter()
        .fold((0, 0), |(r, e), w| (r + w.rows, e + w.rows - w.correct));
    let rate = errors as f64 / rows.max(1) as f64;
    let variance = rate * (1.0 - rate);
    if variance <= 0.0 {
        return None;
    }
    let mut step = f64::INFINITY;
    let mut best: Option<(f64, usize, usize, f64, f64)> = None;
    for from in 0..n - 1 {
        for to in from + 1..n {
            let (r1, r2, sse) = m.fit(from, to);
            if to == from + 1 {
                step = step.min(sse);
            }
            if r2 > r1 && best.is_none_or(|b| sse < b.0) {
                best = Some((sse, from, to, r1, r2));
            }
        }
    }
    let (sse, from, to, before, after) = best?;
    let phi = dispersion(windows, min_rows);
    let gain = (step - sse) / variance / phi;
    let long = (to - from) as f64 >= (RAMP_MIN_SHARE * n as f64).max(2.0);
    (long && gain >= RAMP_GAIN).then_some(Ramp {
        from,
        to,
        before,
        after,
        gain,
    })
}

/// `window:gradual_change`: the error rate rose over many windows rather than at one.
fn gradual_change(windows: &[WindowCounts], ramp: &Ramp, p: f64, opts: &StatOptions) -> Check {
    let rows_from: u64 = windows[ramp.from + 1..].iter().map(|w| w.rows).sum();
    let rows_before: u64 = windows[..=ramp.from].iter().map(|w| w.rows).sum();
    let onset = windows[ramp.from + 1].start.clone();
    let end = windows[ramp.to].start.clone();
    let mut d = detail("ramp_fit", rows_from);
    d.statistic = Some(ramp.gain);
    d.p_value = Some(p);
    d.effect_size = Some(ramp.after - ramp.before);
    d.n_reference = Some(rows_before);
    d.location.window = Some(onset.clone());
    d.values = OrderedMap(vec![
        ("error_rate_before".into(), ramp.before),
        ("error_rate_after".into(), ramp.after),
        ("ramp_windows".into(), (ramp.to - ramp.from) as f64),
        ("step_vs_ramp_chi2".into(), ramp.gain),
    ]);
    let status = if ramp.after - ramp.before >= opts.min_effect {
        CheckStatus::Fail
    } else {
        CheckStatus::Warn
    };
    check(
        CheckId::GradualChange,
        status,
        format!(
            "the error rate rose gradually from {:.4} to {:.4} between {onset} and {end} ({} windows; a ramp fits better than any step by χ² = {:.1}, {})",
            ramp.before,
            ramp.after,
            ramp.to - ramp.from,
            ramp.gain,
            sci("p", p)
        ),
        d,
    )
}

/// The least KS distance between the scores before and after a split that counts as a change.
const SCORE_CHANGE: f64 = 0.1;

/// `window:score_change`: the time the binary scores changed — the split of the report
/// windows whose scores before and after differ most (two-sample KS on 100-bin histograms,
/// Bonferroni over the splits); fails from a distance of 0.1 when significant. `None` without
/// binary scores or with fewer than two windows.
pub fn score_change(windows: &[WindowCounts], opts: &StatOptions) -> Option<Check> {
    let bins = windows.iter().map(|w| w.score_bins.len()).max()?;
    if bins == 0 || windows.len() < 2 {
        return None;
    }
    let mut total = vec![0u64; bins];
    for w in windows {
        for (t, c) in total.iter_mut().zip(&w.score_bins) {
            *t += c;
        }
    }
    let mut before = vec![0u64; bins];
    let mut best: Option<(f64, f64, usize, u64, u64)> = None;
    for (i, w) in windows[..windows.len() - 1].iter().enumerate() {
        for (b, c) in before.iter_mut().zip(&w.score_bins) {
            *b += c;
        }
        let after: Vec<u64> = total.iter().zip(&before).map(|(t, b)| t - b).collect();
        let (n1, n2) = (before.iter().sum::<u64>(), after.iter().sum::<u64>());
        if n1 < opts.min_rows || n2 < opts.min_rows {
            continue;
        }
        if let Some((d, p)) = crate::stats::ks_histograms(&before, &after) {
            if best.is_none_or(|b| d > b.0) {
                best = Some((d, p, i + 1, n1, n2));
            }
        }
    }
    let (d, p, at, n1, n2) = best?;
    let p = (p * (windows.len() - 1) as f64).min(1.0);
    let start = windows[at].start.clone();
    let mut det = detail("ks", n2);
    det.effect = "ks_distance";
    det.statistic = Some(d);
    det.p_value = Some(p);
    det.effect_size = Some(d);
    det.n_reference = Some(n1);
    det.location.window = Some(start.clone());
    let changed = p < opts.alpha && d >= SCORE_CHANGE;
    Some(check(
        CheckId::ScoreChange,
        if changed {
            CheckStatus::Fail
        } else {
            CheckStatus::Pass
        },
        if changed {
            format!(
                "the scores changed at {start}: KS D = {} between the {} before and the {} after ({}, Bonferroni over {})",
                crate::text::four_decimals(d),
                count(n1, "row"),
                count(n2, "row"),
                sci("p", p),
                count(windows.len() - 1, "split")
            )
        } else {
            format!(
                "the scores held over time (largest change at {start}: KS D = {}, p = {:.4})",
                crate::text::four_decimals(d),
                p
            )
        },
        det,
    ))
}

/// The false-discovery level of the worse-window family is `alpha` divided by this: every
/// window is another look at the same run, and a healthy run must pass in far more than 95% of
/// cases (at `alpha` = 0.05, about one healthy run in 200 shows a worse window).
const WINDOW_ALPHA_DIVISOR: f64 = 10.0;

/// The median of the χ² distribution with one degree of freedom.
const CHI2_1_MEDIAN: f64 = 0.454_936_423_119_572_8;

/// Windows needed to estimate the dispersion; with fewer it is taken as 1.
const DISPERSION_MIN_WINDOWS: usize = 5;

/// How much more window accuracies vary than independent rows would: the median of the
/// squared z statistics of successive windows' accuracy differences (windows with `min_rows`
/// rows or more), over the median of χ²₁, and at least 1. Successive differences make a step
/// change or one broken window move only one or two terms, so they barely move the median.
pub fn dispersion(windows: &[WindowCounts], min_rows: u64) -> f64 {
    let used: Vec<&WindowCounts> = windows
        .iter()
        .filter(|w| w.rows >= min_rows.max(1))
        .collect();
    if used.len() < DISPERSION_MIN_WINDOWS {
        return 1.0;
    }
    let mut squared: Vec<f64> = used
        .windows(2)
        .map(|pair| {
            let (a, b) = (pair[0], pair[1]);
            let (z, _, _) = z_test(a.correct, a.rows, b.correct, b.rows);
            z * z
        })
        .collect();
    squared.sort_by(f64::total_cmp);
    let k = squared.len();
    let median = if k % 2 == 1 {
        squared[k / 2]
    } else {
        (squared[k / 2 - 1] + squared[k / 2]) / 2.0
    };
    (median / CHI2_1_MEDIAN).max(1.0)
}

/// Windows whose accuracy is significantly below all earlier rows.
pub fn worse_windows(windows: &[WindowCounts], opts: &StatOptions) -> Vec<Check> {
    let phi = dispersion(windows, opts.min_rows);
    let mut tested = Vec::new();
    let (mut seen_rows, mut seen_correct) = (0u64, 0u64);
    for w in windows {
        if seen_rows >= opts.min_rows && w.rows >= opts.min_rows {
            let (z, acc, before) = z_test(w.correct, w.rows, seen_correct, seen_rows);
            let z = z / phi.sqrt();
            let p = if z < 0.0 {
                normal_two_sided(z) / 2.0
            } else {
                1.0 - normal_two_sided(z) / 2.0
            };
            tested.push((w, z, acc, before, p, seen_rows));
        }
        seen_rows += w.rows;
        seen_correct += w.correct;
    }
    let q = benjamini_hochberg(&tested.iter().map(|t| t.4).collect::<Vec<_>>());
    let mut out = Vec::new();
    for ((w, z, acc, before, p, earlier), q) in tested.iter().zip(&q) {
        let drop = before - acc;
        if !(*q < opts.alpha / WINDOW_ALPHA_DIVISOR && drop >= opts.min_effect) {
            continue;
        }
        let mut d = detail("two_proportion_z", w.rows);
        d.statistic = Some(*z);
        d.p_value = Some(*p);
        d.effect_size = Some(drop);
        d.n_reference = Some(*earlier);
        d.location.window = Some(w.start.clone());
        d.values = OrderedMap(vec![
            ("accuracy".into(), *acc),
            ("earlier_accuracy".into(), *before),
            ("q_value".into(), *q),
            ("dispersion".into(), phi),
        ]);
        out.push(check(
            CheckId::WorseWindow {
                start: w.start.clone(),
            },
            CheckStatus::Fail,
            format!(
                "window {} is worse than the rows before it: accuracy {:.4} vs {:.4} ({} vs {}), {:.4} lower, BH {}",
                w.start,
                acc,
                before,
                count(w.rows, "row"),
                earlier,
                drop,
                sci("q", *q)
            ),
            d,
        ));
    }
    if out.is_empty() {
        let mut d = detail("two_proportion_z", windows.iter().map(|w| w.rows).sum());
        d.values = OrderedMap(vec![
            ("windows_tested".into(), tested.len() as f64),
            ("dispersion".into(), phi),
        ]);
        out.push(check(
            CheckId::Windows,
            CheckStatus::Pass,
            format!(
                "no window has accuracy significantly below the rows before it by {:.4} or more ({} tested)",
                opts.min_effect,
                tested.len()
            ),
            d,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(rates: &[(u64, u64)]) -> Vec<WindowCounts> {
        rates
            .iter()
            .enumerate()
            .map(|(i, &(rows, correct))| WindowCounts {
                start: format!("w{i}"),
                rows,
                correct,
                ..WindowCounts::default()
            })
            .collect()
    }

    #[test]
    fn finds_a_collapse_and_its_start() {
        let mut w = vec![(1000, 900); 10];
        w.extend(vec![(1000, 500); 5]);
        let c = change_point(&windows(&w), &StatOptions::default());
        assert_eq!(c.status, CheckStatus::Fail, "{}", c.message);
        assert!(c.message.contains("starting at w10"), "{}", c.message);
        let worse = worse_windows(&windows(&w), &StatOptions::default());
        assert_eq!(worse[0].id.to_string(), "window:w10:worse");
    }

    #[test]
    fn a_rise_over_many_windows_is_gradual_and_located_at_its_onset() {
        // Accuracy 0.9 for 10 windows, falling by 0.02 a window for 15, then 0.6.
        let mut w = vec![(1000, 900); 10];
        w.extend((1..=15).map(|k| (1000, 900 - 20 * k)));
        w.extend(vec![(1000, 600); 5]);
        let c = change_point(&windows(&w), &StatOptions::default());
        assert_eq!(c.id, CheckId::GradualChange, "{}", c.message);
        assert_eq!(c.status, CheckStatus::Fail);
        let CheckDetail::Statistical(d) = &c.detail else {
            panic!("statistical")
        };
        assert_eq!(d.location.window.as_deref(), Some("w10"), "{}", c.message);
        let before = d.values.get("error_rate_before").unwrap();
        let after = d.values.get("error_rate_after").unwrap();
        assert!(
            (before - 0.1).abs() < 1e-9 && (after - 0.4).abs() < 1e-9,
            "{before} {after}"
        );
        // The same rise at once stays a step.
        let mut step = vec![(1000, 900); 10];
        step.extend(vec![(1000, 600); 20]);
        let c = change_point(&windows(&step), &StatOptions::default());
        assert_eq!(c.id, CheckId::ChangePoint, "{}", c.message);
        assert!(c.message.contains("starting at w10"), "{}", c.message);
    }

    #[test]
    fn scores_that_move_at_one_window_are_a_score_change_there() {
        let bins = |centre: usize| {
            let mut h = vec![0u64; 100];
            for (k, c) in h.iter_mut().enumerate().skip(centre - 10).take(21) {
                *c = 30 - (k as i64 - centre as i64).unsigned_abs();
            }
            h
        };
        let mut w = windows(&[(460, 414); 12]);
        for (i, win) in w.iter_mut().enumerate() {
            win.score_bins = bins(if i < 7 { 40 } else { 55 });
        }
        let c = score_change(&w, &StatOptions::default()).unwrap();
        assert_eq!(c.status, CheckStatus::Fail, "{}", c.message);
        assert!(c.message.contains("changed at w7"), "{}", c.message);
        for win in &mut w {
            win.score_bins = bins(40);
        }
        let c = score_change(&w, &StatOptions::default()).unwrap();
        assert_eq!(c.status, CheckStatus::Pass, "{}", c.message);
        // Without scores there is nothing to test.
        assert!(score_change(&windows(&[(460, 414); 12]), &StatOptions::default()).is_none());
    }

    #[test]
    fn stable_windows_pass() {
        let w = vec![(1000, 900), (1000, 905), (1000, 895), (1000, 902)];
        let c = change_point(&windows(&w), &StatOptions::default());
        assert_eq!(c.status, CheckStatus::Pass, "{}", c.message);
        assert_eq!(
            worse_windows(&windows(&w), &StatOptions::default())[0].status,
            CheckStatus::Pass
        );
    }

    #[test]
    fn dispersion_is_one_for_binomial_windows_and_grows_with_extra_variation() {
        // Window accuracies exactly at the mean: no extra variation.
        let even = windows(&[(1000, 900); 12]);
        assert_eq!(dispersion(&even, 100), 1.0);
        // Accuracies alternating 0.85 / 0.95 on 1,000 rows: residuals of about ±5.3 sd.
        let spread: Vec<(u64, u64)> = (0..12)
            .map(|i| (1000, if i % 2 == 0 { 850 } else { 950 }))
            .collect();
        let phi = dispersion(&windows(&spread), 100);
        assert!(phi > 20.0, "{phi}");
        // One broken window among stable ones barely moves the median.
        let mut one = vec![(1000, 900); 11];
        one.push((1000, 500));
        assert!(dispersion(&windows(&one), 100) < 2.0);
    }

    #[test]
    fn an_outage_window_is_worse_even_with_overdispersed_neighbours() {
        let mut w: Vec<(u64, u64)> = (0..20)
            .map(|i| (200, if i % 2 == 0 { 176 } else { 184 }))
            .collect();
        w[12] = (200, 100);
        let worse = worse_windows(&windows(&w), &StatOptions::default());
        assert_eq!(worse.len(), 1, "{worse:?}");
        assert_eq!(worse[0].status, CheckStatus::Fail);
        assert_eq!(worse[0].id.to_string(), "window:w12:worse");
    }
}
