//! The feature checks: a feature broken against the reference (`feature:NAME:quality`: its
//! missing share rose, it turned constant, its cells stopped being numbers), a feature whose
//! distribution moved (`feature:NAME:drift`), and one summary (`features`).
//!
//! Many features are tested at once, so each test's p-value is compared with α divided by the
//! number of features (Bonferroni), and a significant result also needs an effect: PSI from
//! `psi_warn` (`psi_fail` fails), a KS distance of 0.1, 5% of the rows beyond the reference's
//! range, a new category holding 5% of the rows, or a missing share up `--min-effect`.

use super::statistical::{detail, fmt_p, stat, StatOptions};
use super::{Check, CheckId, CheckStatus, Location, SegmentRef, StatisticalDetail};
use crate::features::compare::{FeatureKind, FeatureReport};
use crate::features::rows::{FaultyRows, RowRule};
use crate::features::{LogHistogram, MAX_SEGMENT_VALUES};
use crate::ordered_map::OrderedMap;
use crate::stats;

/// Share of a numeric feature's cells that are not numbers from which it is broken.
const NOT_NUMBERS_SHARE: f64 = 0.01;

/// Share of the cells one value must hold for a feature to be near-constant…
const NEAR_CONSTANT_SHARE: f64 = 0.5;

/// …and by how much more than the reference's commonest value.
const NEAR_CONSTANT_RISE: f64 = 0.3;

/// KS distance from which a significant numeric drift warns.
const KS_EFFECT: f64 = 0.1;

/// Share of rows (beyond the reference's range, or in new categories) from which a significant
/// drift warns.
const SHARE_EFFECT: f64 = 0.05;

/// A value as a message shows it: four significant digits, no exponent for everyday sizes.
fn number(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if (1e-3..1e7).contains(&v.abs()) {
        let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{v:.digits$}")
    } else {
        format!("{v:.3e}")
    }
}

/// A feature's place: its name, and the window it started to move from.
fn located(feature: &str, r: &FeatureReport) -> Location {
    Location {
        feature: Some(feature.to_string()),
        window: r.since.clone(),
        ..Location::default()
    }
}

/// " since W" when the feature started to move in the data.
fn since(r: &FeatureReport) -> String {
    r.since
        .as_ref()
        .map_or_else(String::new, |w| format!(" since {w}"))
}

/// Whether feature `name` is broken or moved against the reference, at level `alpha`.
pub fn moved(
    name: &str,
    r: &FeatureReport,
    reference_distinct: Option<u64>,
    alpha: f64,
    opts: &StatOptions,
) -> bool {
    quality(name, r, reference_distinct, alpha, opts).is_some()
        || drift(name, r, None, alpha, opts).is_some()
}

/// "{lead}explains N% of the shift of the mean score" when the feature's change explains
/// some of it, else nothing.
fn explained(r: &FeatureReport, lead: &str) -> String {
    match r.score_shift_explained {
        Some(e) if e >= 0.05 => format!(
            "{lead}explains {:.0}% of the shift of the mean score",
            100.0 * e.min(1.0)
        ),
        _ => String::new(),
    }
}

/// A `feature:NAME:quality` check.
fn broken(name: &str, status: CheckStatus, message: String, det: StatisticalDetail) -> Check {
    stat(
        CheckId::FeatureQuality {
            feature: name.to_string(),
        },
        status,
        message,
        det,
    )
}

/// The one-sided two-proportion z-test of a share `p1` of `n1` rows above `p0` of `n0`:
/// (z, p-value); `None` when both shares are 0 or 1.
fn share_rose(p1: f64, n1: f64, p0: f64, n0: f64) -> Option<(f64, f64)> {
    let pooled = (p1 * n1 + p0 * n0) / (n1 + n0);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n0)).sqrt();
    (se > 0.0).then(|| {
        let z = (p1 - p0) / se;
        (z, stats::normal_two_sided(z) / 2.0)
    })
}

/// A check, and the rows at fault behind it when rows show the fault.
type Found = (Check, Option<RowRule>);

/// The value that took over a feature, as a rule for its rows: its text, and its bucket when
/// the feature is numeric.
fn value_rule(r: &FeatureReport, text: String) -> RowRule {
    let key = (r.kind == FeatureKind::Numeric)
        .then(|| text.parse::<f64>().ok().map(LogHistogram::key))
        .flatten();
    RowRule::Value { text, key }
}

/// The quality problem of one feature, if any.
fn quality(
    name: &str,
    r: &FeatureReport,
    reference_distinct: Option<u64>,
    alpha: f64,
    opts: &StatOptions,
) -> Option<Found> {
    let s = &r.shape;
    let present = s.rows - s.missing;
    let mut det = detail("two_proportion_z", "difference", s.rows);
    det.location = located(name, r);
    if let Some(d) = &r.drift {
        det.n_reference = Some(d.reference_rows);
        // A surge of missing values.
        let (p1, p0) = (s.missing_share, d.reference_missing_share);
        let (n1, n0) = (s.rows as f64, d.reference_rows as f64);
        let rose = share_rose(p1, n1, p0, n0).filter(|_| p1 - p0 >= opts.min_effect);
        if let Some((z, p)) = rose {
            if p < alpha {
                det.statistic = Some(z);
                det.p_value = Some(p);
                det.effect_size = Some(p1 - p0);
                det.values = OrderedMap(vec![
                    ("missing_share".into(), p1),
                    ("reference_missing_share".into(), p0),
                ]);
                let status = if p1 - p0 >= 4.0 * opts.min_effect {
                    CheckStatus::Fail
                } else {
                    CheckStatus::Warn
                };
                let message = format!(
                    "feature '{name}' is missing in {:.1}% of the rows against {:.1}% in the reference{} (p = {}){}",
                    100.0 * p1,
                    100.0 * p0,
                    since(r),
                    fmt_p(p),
                    explained(r, "; it ")
                );
                return Some((broken(name, status, message, det), Some(RowRule::Missing)));
            }
        }
        // Set to a constant.
        if s.distinct == 1 && reference_distinct.is_some_and(|d| d > 1) && present >= opts.min_rows
        {
            let value = match r.kind {
                FeatureKind::Numeric => s.min.map(number).unwrap_or_default(),
                FeatureKind::Categorical => {
                    s.top.0.first().map(|(v, _)| v.clone()).unwrap_or_default()
                }
            };
            let mut det = detail("share", "share", s.rows);
            det.location = located(name, r);
            det.effect_size = Some(1.0);
            det.n_reference = Some(d.reference_rows);
            let message = format!(
                "feature '{name}' holds one value ({value}) in every row{}, where the reference has {} distinct values{}",
                since(r),
                reference_distinct.unwrap_or(0),
                explained(r, "; it ")
            );
            let rule = match (r.kind, s.min) {
                (FeatureKind::Numeric, Some(v)) => RowRule::Value {
                    text: value,
                    key: Some(LogHistogram::key(v)),
                },
                _ => value_rule(r, value),
            };
            return Some((broken(name, CheckStatus::Fail, message, det), Some(rule)));
        }
    }
    // Near-constant: one value took over a large share of the rows.
    if let Some(d) = &r.drift {
        let (p1, p0) = (s.top_share, d.reference_top_share);
        let (n1, n0) = (present as f64, (d.reference_rows as f64).max(1.0));
        let took_over =
            p1 >= NEAR_CONSTANT_SHARE && p1 - p0 >= NEAR_CONSTANT_RISE && present >= opts.min_rows;
        if let Some((z, p)) = share_rose(p1, n1, p0, n0).filter(|_| took_over) {
            if p < alpha {
                let mut det = detail("two_proportion_z", "difference", s.rows);
                det.location = located(name, r);
                det.statistic = Some(z);
                det.p_value = Some(p);
                det.effect_size = Some(p1 - p0);
                det.n_reference = Some(d.reference_rows);
                det.values = OrderedMap(vec![
                    ("top_share".into(), p1),
                    ("reference_top_share".into(), p0),
                ]);
                let message = format!(
                    "feature '{name}' holds one value ({}) in {:.1}% of its cells{}, where no value of the reference holds more than {:.1}% (p = {}){}",
                    s.top_value.as_deref().unwrap_or_default(),
                    100.0 * p1,
                    since(r),
                    100.0 * p0,
                    fmt_p(p),
                    explained(r, "; it ")
                );
                let rule = s.top_value.clone().map(|v| value_rule(r, v));
                return Some((broken(name, CheckStatus::Fail, message, det), rule));
            }
        }
    }
    // Cells that are not numbers in a numeric feature.
    if r.kind == FeatureKind::Numeric && present > 0 {
        let share = s.not_numbers as f64 / present as f64;
        if share >= NOT_NUMBERS_SHARE {
            let mut det = detail("share", "share", s.rows);
            det.location = located(name, r);
            det.effect_size = Some(share);
            let message = format!(
                "feature '{name}' is numeric but {:.1}% of its cells ({}) are not numbers",
                100.0 * share,
                s.not_numbers
            );
            let status = if share >= 5.0 * NOT_NUMBERS_SHARE {
                CheckStatus::Fail
            } else {
                CheckStatus::Warn
            };
            return Some((broken(name, status, message, det), Some(RowRule::NotNumber)));
        }
    }
    None
}

/// The drift of one feature, if significant and large enough; `segment`: the one segment
/// value the drift is confined to, if any.
fn drift(
    name: &str,
    r: &FeatureReport,
    segment: Option<&SegmentRef>,
    alpha: f64,
    opts: &StatOptions,
) -> Option<Found> {
    let d = r.drift.as_ref()?;
    if r.shape.rows < opts.min_rows || d.reference_rows < opts.min_rows || d.p_value >= alpha {
        return None;
    }
    let out_of_range = d.out_of_range_share.unwrap_or(0.0);
    let new_share: f64 = d.new_categories.0.iter().map(|(_, s)| s).sum();
    let moved = d.psi >= opts.psi_warn
        || (r.kind == FeatureKind::Numeric && d.statistic >= KS_EFFECT)
        || out_of_range >= SHARE_EFFECT
        || new_share >= SHARE_EFFECT;
    if !moved {
        return None;
    }
    let mut det = detail(d.test, "psi", r.shape.rows);
    det.statistic = Some(d.statistic);
    det.p_value = Some(d.p_value);
    det.effect_size = Some(d.psi);
    det.n_reference = Some(d.reference_rows);
    det.location = located(name, r);
    det.location.segment = segment.cloned();
    let mut values = vec![("js".to_string(), d.js)];
    values.extend(d.wasserstein.map(|w| ("wasserstein".to_string(), w)));
    values.extend(
        d.out_of_range_share
            .map(|s| ("out_of_range_share".to_string(), s)),
    );
    values.push(("new_category_share".to_string(), new_share));
    values.extend(
        r.score_shift_explained
            .map(|e| ("score_shift_explained".to_string(), e)),
    );
    det.values = OrderedMap(values);
    let status = if d.psi >= opts.psi_fail {
        CheckStatus::Fail
    } else {
        CheckStatus::Warn
    };
    let how = match r.kind {
        FeatureKind::Numeric if out_of_range >= SHARE_EFFECT => format!(
            "{:.1}% of its values lie beyond the reference's range [{}, {}]{} (a unit or scale change?)",
            100.0 * out_of_range,
            d.reference_min.map_or_else(String::new, number),
            d.reference_max.map_or_else(String::new, number),
            d.outside_scale.map_or_else(String::new, |k| format!(
                ", about {}× its median",
                stats::significant(k, 2)
            )),
        ),
        FeatureKind::Numeric => format!("KS D = {:.3}", d.statistic),
        FeatureKind::Categorical if new_share >= SHARE_EFFECT => format!(
            "{:.1}% of the rows have categories the reference never had ({})",
            100.0 * new_share,
            d.new_categories
                .0
                .iter()
                .take(3)
                .map(|(k, _)| format!("'{k}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FeatureKind::Categorical => format!("chi-square {:.1}", d.statistic),
    };
    let place = segment.map_or_else(String::new, |s| {
        format!(" in {}={} only", s.column, s.value)
    });
    let message = format!(
        "feature '{name}' moved against the reference{place}{}{}: {how}; PSI {:.3}, Jensen–Shannon {:.3} (p = {})",
        since(r),
        explained(r, ", which "),
        d.psi,
        d.js,
        fmt_p(d.p_value),
    );
    // Rows show a fault when values left the reference's range or categories are new.
    let rule = match (r.kind, d.reference_min, d.reference_max) {
        (FeatureKind::Numeric, Some(low), Some(high)) if out_of_range >= SHARE_EFFECT => {
            Some(RowRule::Outside { low, high })
        }
        (FeatureKind::Categorical, ..) if new_share >= SHARE_EFFECT => Some(RowRule::NewCategory(
            d.new_categories.0.iter().map(|(k, _)| k.clone()).collect(),
        )),
        _ => None,
    };
    let check = stat(
        CheckId::FeatureDrift {
            feature: name.to_string(),
        },
        status,
        message,
        det,
    );
    Some((check, rule))
}

/// A feature check dated to a window, with that window's width (`window_width`, in seconds
/// or rows) among its numbers: the diagnosis matches it with changes found at about that time.
fn with_window_width(mut check: Check, r: &FeatureReport) -> Check {
    if let (Some(width), super::CheckDetail::Statistical(d)) = (r.since_width, &mut check.detail) {
        d.values.0.push(("window_width".to_string(), width as f64));
    }
    check
}

/// The feature checks of `reports` (`reference_distinct`: each feature's distinct values in
/// the reference, by position; `segments`: the segment each feature's drift is confined to,
/// and the feature's report in that segment against the same segment of the reference). A
/// feature that did not move overall is tested in its segment, at α over the features and
/// [`MAX_SEGMENT_VALUES`] values. Each report whose check found rows at fault is given them
/// (`faulty_rows`).
pub fn features(
    reports: &mut OrderedMap<FeatureReport>,
    reference_distinct: &[Option<u64>],
    (segments, segment_reports): (&[Option<SegmentRef>], &[Option<FeatureReport>]),
    opts: &StatOptions,
) -> Vec<Check> {
    let n = reports.0.len().max(1);
    let alpha = opts.alpha / n as f64;
    let mut checks = Vec::new();
    let (mut broken, mut drifted) = (0, 0);
    for (i, (name, r)) in reports.0.iter_mut().enumerate() {
        let reference = reference_distinct.get(i).copied().flatten();
        let segment = segments.get(i).and_then(Option::as_ref);
        let in_segment = segment.zip(segment_reports.get(i).and_then(Option::as_ref));
        let (check, rule) = if let Some(found) = quality(name, r, reference, alpha, opts) {
            broken += 1;
            found
        } else if let Some(found) = drift(name, r, segment, alpha, opts) {
            drifted += 1;
            found
        } else if let Some(found) = in_segment.and_then(|(s, sr)| {
            let level = alpha / MAX_SEGMENT_VALUES as f64;
            drift(name, sr, Some(s), level, opts)
        }) {
            drifted += 1;
            found
        } else {
            continue;
        };
        // A drift confined to a segment is looked for there only.
        let confined = matches!(check.id, CheckId::FeatureDrift { .. })
            .then(|| segment.map(|s| (s.column.clone(), s.value.clone())))
            .flatten();
        r.faulty_rows = rule.map(|rule| FaultyRows {
            rule,
            segment: confined,
            since: r.since_start,
        });
        checks.push(with_window_width(check, r));
    }
    let compared = reports.0.iter().filter(|(_, r)| r.drift.is_some()).count();
    let mut det = detail(
        "summary",
        "count",
        reports.0.first().map_or(0, |(_, r)| r.shape.rows),
    );
    det.values = OrderedMap(vec![
        ("features".into(), reports.0.len() as f64),
        ("compared".into(), compared as f64),
        ("broken".into(), broken as f64),
        ("drifted".into(), drifted as f64),
    ]);
    let message = if compared == 0 {
        format!(
            "{} features summarised; no reference to compare them with (pass --reference)",
            reports.0.len()
        )
    } else {
        format!(
            "{} features compared with the reference: {broken} broken, {drifted} drifted",
            compared
        )
    };
    let status = if compared == 0 && broken == 0 {
        CheckStatus::Skip
    } else {
        CheckStatus::Pass
    };
    checks.push(stat(CheckId::Features, status, message, det));
    checks
}
