//! Where labels are missing: rows left out for an empty label (`--skip-invalid`), located in
//! one segment or in one period — labels that have not arrived yet (a label delay, most often
//! the latest rows) or never arrive for one part of the traffic.
//!
//! Every segment value is tested against the rest of the rows, and every contiguous run of
//! windows against the windows outside it, by a one-sided two-proportion z-test on the share
//! of rows without a label, Bonferroni-corrected for the number of places tried. The place
//! with the most excess missing labels (its missing rows beyond what the rest's share gives)
//! is reported. Missing labels spread evenly are `data:missing`'s alone.

use super::statistical::{detail, p_is, stat, StatOptions};
use super::windows::WindowCounts;
use super::{Check, CheckId, CheckStatus, Location, SegmentRef};
use crate::ordered_map::OrderedMap;
use crate::results::Results;
use crate::stats::normal_two_sided;
use crate::text::count;

/// How many times the rest's share of missing labels a place must reach.
const RATIO: f64 = 2.0;

/// The significance a window next to the place must reach to join it.
const ALPHA_NEIGHBOUR: f64 = 0.01;

/// A place where rows of some kind (without a label, duplicated) are more common than
/// elsewhere.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Place {
    pub(crate) location: Location,
    /// How the place reads in a message.
    pub(crate) text: String,
    /// Rows of the place of that kind.
    pub(crate) missing: u64,
    /// Rows of the place.
    pub(crate) rows: u64,
    /// The share of such rows outside the place.
    pub(crate) rest_share: f64,
    pub(crate) z: f64,
    pub(crate) p: f64,
}

impl Place {
    pub(crate) fn share(&self) -> f64 {
        self.missing as f64 / self.rows.max(1) as f64
    }

    /// Rows of the kind beyond what the rest's share gives the place.
    pub(crate) fn excess(&self) -> f64 {
        self.missing as f64 - self.rows as f64 * self.rest_share
    }
}

/// One-sided two-proportion z-test of `m1` of `n1` against `m2` of `n2`: (z, p).
fn z_test(m1: u64, n1: u64, m2: u64, n2: u64) -> (f64, f64) {
    if n1 == 0 || n2 == 0 {
        return (0.0, 1.0);
    }
    let (p1, p2) = (m1 as f64 / n1 as f64, m2 as f64 / n2 as f64);
    let pooled = (m1 + m2) as f64 / (n1 + n2) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    if se <= 0.0 {
        return (0.0, 1.0);
    }
    let z = (p1 - p2) / se;
    let p = if z > 0.0 {
        normal_two_sided(z) / 2.0
    } else {
        1.0
    };
    (z, p)
}

/// Whether a place stands out: significant after `tries` tries, at least [`RATIO`] times the
/// rest's share and `min_effect` above it, on `min_rows` rows or more.
fn stands_out(place: &Place, tries: usize, opts: &StatOptions) -> bool {
    let share = place.share();
    place.rows >= opts.min_rows
        && (place.p * tries as f64).min(1.0) < opts.alpha
        && share >= RATIO * place.rest_share
        && share - place.rest_share >= opts.min_effect
}

/// The segment value where rows of a kind gather most beyond the rest's share, when one stands
/// out (significant after Bonferroni over the values, twice the rest's share and
/// `min_effect` above it): `cells` are (column, value, rows of the kind, rows), `total` the
/// rows of the kind and all rows.
pub(crate) fn concentrated_segment<'a>(
    cells: impl Iterator<Item = (&'a String, &'a String, u64, u64)>,
    total: (u64, u64),
    opts: &StatOptions,
) -> Option<Place> {
    let places = places_of(cells, total.0, total.1);
    let tries = places.len().max(1);
    places
        .into_iter()
        .filter(|p| stands_out(p, tries, opts))
        .max_by(|a, b| a.excess().total_cmp(&b.excess()))
}

/// The segment values whose labels are missing more than the rest's.
fn segment_places(results: &Results, missing: u64, total: u64) -> Vec<Place> {
    let cells = results.segments.iter().flat_map(|(column, values)| {
        values.iter().map(move |(value, seg)| {
            (
                column,
                value,
                seg.labels_missing,
                seg.rows + seg.labels_missing,
            )
        })
    });
    places_of(cells, missing, total)
}

/// Each segment value's rows of a kind against the rest's.
fn places_of<'a>(
    cells: impl Iterator<Item = (&'a String, &'a String, u64, u64)>,
    missing: u64,
    total: u64,
) -> Vec<Place> {
    let mut out = Vec::new();
    for (column, value, m, n) in cells {
        let (rest_m, rest_n) = (missing.saturating_sub(m), total.saturating_sub(n));
        let (z, p) = z_test(m, n, rest_m, rest_n);
        out.push(Place {
            location: Location {
                segment: Some(SegmentRef {
                    column: column.clone(),
                    value: value.clone(),
                }),
                ..Location::default()
            },
            text: format!("segment {column}={value}"),
            missing: m,
            rows: n,
            rest_share: rest_m as f64 / rest_n.max(1) as f64,
            z,
            p,
        });
    }
    out
}

/// The run of windows whose labels are missing most against the windows outside it (the most
/// significant of all runs), and how many runs were tried.
fn period_place(windows: &[WindowCounts]) -> Option<(Place, usize)> {
    let n = windows.len();
    if n < 2 {
        return None;
    }
    let mut sum_m = vec![0u64; n + 1];
    let mut sum_n = vec![0u64; n + 1];
    for (i, w) in windows.iter().enumerate() {
        sum_m[i + 1] = sum_m[i] + w.labels_missing;
        sum_n[i + 1] = sum_n[i] + w.rows + w.labels_missing;
    }
    let (missing, total) = (sum_m[n], sum_n[n]);
    let mut best: Option<(f64, usize, usize)> = None;
    for a in 0..n {
        for b in a + 1..=n {
            if b - a == n {
                continue;
            }
            let (m, t) = (sum_m[b] - sum_m[a], sum_n[b] - sum_n[a]);
            let (z, _) = z_test(m, t, missing - m, total - t);
            if best.is_none_or(|(bz, _, _)| z > bz) {
                best = Some((z, a, b));
            }
        }
    }
    let (_, mut a, mut b) = best?;
    // The most significant run can start after the first affected window (a share that
    // rises over days): the run grows by each neighbour whose own share stands out against
    // the windows left outside.
    let outside = |a: usize, b: usize| {
        let m = missing - (sum_m[b] - sum_m[a]);
        let t = total - (sum_n[b] - sum_n[a]);
        (m, t)
    };
    let affected = |i: usize, a: usize, b: usize| {
        let w = &windows[i];
        let (m, t) = outside(a, b);
        let (m, t) = (m - w.labels_missing, t - (w.rows + w.labels_missing));
        let share = w.labels_missing as f64 / (w.rows + w.labels_missing).max(1) as f64;
        let (_, p) = z_test(w.labels_missing, w.rows + w.labels_missing, m, t);
        t > 0 && p < ALPHA_NEIGHBOUR && share >= RATIO * (m as f64 / t as f64)
    };
    while a > 0 && b - (a - 1) < n && affected(a - 1, a, b) {
        a -= 1;
    }
    while b < n && (b + 1) - a < n && affected(b, a, b) {
        b += 1;
    }
    let (m, t) = (sum_m[b] - sum_m[a], sum_n[b] - sum_n[a]);
    let (z, p) = z_test(m, t, missing - m, total - t);
    let text = if b == n {
        format!("the rows since {} (the latest)", windows[a].start)
    } else {
        format!("the rows from {} to {}", windows[a].start, windows[b].start)
    };
    let place = Place {
        location: Location {
            window: Some(windows[a].start.clone()),
            ..Location::default()
        },
        text,
        missing: m,
        rows: t,
        rest_share: (missing - m) as f64 / (total - t).max(1) as f64,
        z,
        p,
    };
    Some((place, n * (n + 1) / 2 - 1))
}

/// `data:label_delay`: rows without a label, concentrated in one segment or period. `None`
/// when no label was missing.
pub fn label_delay(
    results: &Results,
    windows: Option<&[WindowCounts]>,
    share_warn: f64,
    share_fail: f64,
    opts: &StatOptions,
) -> Option<Check> {
    let missing = results
        .audit
        .as_ref()
        .and_then(|a| a.skipped.get("missing_label").copied())
        .unwrap_or(0);
    if missing == 0 {
        return None;
    }
    let total = results.input.rows + missing;
    let segments = segment_places(results, missing, total);
    let tries = segments.len().max(1);
    let mut candidates: Vec<Place> = segments
        .into_iter()
        .filter(|p| stands_out(p, tries, opts))
        .collect();
    if let Some((period, tries)) = windows.and_then(period_place) {
        if stands_out(&period, tries, opts) {
            candidates.push(period);
        }
    }
    let best = candidates
        .into_iter()
        .max_by(|a, b| a.excess().total_cmp(&b.excess()));
    let share = missing as f64 / total as f64;
    let mut d = detail("two_proportion_z", "share", total);
    d.values = OrderedMap(vec![
        ("labels_missing".into(), missing as f64),
        ("share".into(), share),
    ]);
    let Some(place) = best else {
        d.effect_size = Some(share);
        let message = format!(
            "{missing} of {} ({:.2}%) have no label, spread over the segments and windows",
            count(total, "row"),
            share * 100.0
        );
        return Some(stat(CheckId::LabelDelay, CheckStatus::Pass, message, d));
    };
    d.statistic = Some(place.z);
    d.p_value = Some(place.p);
    d.effect_size = Some(place.share() - place.rest_share);
    d.effect = "difference";
    d.n = place.rows;
    d.n_reference = Some(total - place.rows);
    d.location = place.location.clone();
    d.values.0.extend([
        ("place_labels_missing".into(), place.missing as f64),
        ("place_share".into(), place.share()),
        ("rest_share".into(), place.rest_share),
        ("excess_labels_missing".into(), place.excess().max(0.0)),
    ]);
    let status = if share >= share_fail {
        CheckStatus::Fail
    } else if share >= share_warn {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    }
    .max(CheckStatus::Warn);
    let message = format!(
        "labels are missing for {:.2}% of {} ({} of {}) against {:.2}% elsewhere ({}): its metrics rest on the labelled rows only",
        place.share() * 100.0,
        place.text,
        place.missing,
        count(place.rows, "row"),
        place.rest_share * 100.0,
        p_is("p", place.p)
    );
    Some(stat(CheckId::LabelDelay, status, message, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(missing: &[u64]) -> Vec<WindowCounts> {
        missing
            .iter()
            .enumerate()
            .map(|(i, &m)| WindowCounts {
                start: format!("w{i}"),
                rows: 1000 - m,
                correct: 900 - m.min(900),
                labels_missing: m,
                ..WindowCounts::default()
            })
            .collect()
    }

    #[test]
    fn the_latest_windows_without_labels_are_the_place() {
        let w = windows(&[0, 0, 0, 0, 0, 0, 0, 0, 200, 600, 1000]);
        let (place, tries) = period_place(&w).unwrap();
        assert_eq!(place.location.window.as_deref(), Some("w8"));
        assert_eq!(place.missing, 1800);
        assert!(place.text.contains("since w8"), "{}", place.text);
        assert_eq!(tries, 11 * 12 / 2 - 1);
        assert!(stands_out(&place, tries, &StatOptions::default()));
    }

    #[test]
    fn missing_labels_spread_evenly_stand_out_nowhere() {
        let w = windows(&[50, 48, 52, 50, 49, 51, 50, 50]);
        let (place, tries) = period_place(&w).unwrap();
        assert!(!stands_out(&place, tries, &StatOptions::default()));
    }
}
