//! The estimated performance of the rows awaiting labels against the reference's realised
//! performance: a drop beyond the estimate's own uncertainty, with what moved (the scores, the
//! mix of segments) — the warning that comes before the labels do.

use super::statistical::{detail, stat, Profile, StatOptions};
use super::{Check, CheckId, CheckStatus};
use crate::results::{Estimated, MetricValues};
use crate::text::{count, decimal};

/// The metrics compared, in the order a drop is looked for.
const COMPARED: [&str; 3] = ["f1", "accuracy", "roc_auc"];

/// The check of an estimate against the reference's metrics (`reference`) and profile (for what
/// moved); `None` when no compared metric has both an estimate and a reference value.
///
/// A metric drops when its interval's upper end lies below the reference's value and the point
/// estimate is `min_effect` or more below it; the largest drop is reported. It warns, and fails
/// from twice `min_effect` — unless the estimate is not trusted, which only warns.
pub fn estimated_drop(
    estimated: &Estimated,
    reference: &MetricValues,
    before: &Profile,
    opts: &StatOptions,
) -> Option<Check> {
    let e = &estimated.overall;
    let mut d = detail("interval", "drop", e.rows);
    d.n_reference = Some(before.rows);
    let mut compared = 0;
    let mut worst: Option<(&str, f64, f64, [f64; 2])> = None;
    for name in COMPARED {
        let value = e
            .values()
            .into_iter()
            .find(|v| v.0 == name)
            .and_then(|v| v.1);
        let (Some(value), Some(Some(was)), Some(&[lo, hi])) =
            (value, reference.get(name), e.intervals.get(name))
        else {
            continue;
        };
        compared += 1;
        let drop = was - value;
        d.values.0.push((format!("{name}_estimated"), value));
        d.values.0.push((format!("{name}_reference"), was));
        if hi < was && drop >= opts.min_effect && worst.is_none_or(|w| drop > w.2 - w.1) {
            worst = Some((name, value, was, [lo, hi]));
        }
    }
    if compared == 0 {
        return None;
    }
    let Some((name, value, was, [lo, hi])) = worst else {
        return Some(stat(
            CheckId::EstimatedDrop,
            CheckStatus::Pass,
            format!(
                "the estimated performance of the {} awaiting labels is not below the \
                 reference's beyond the estimate's uncertainty",
                count(e.rows, "row")
            ),
            d,
        ));
    };
    let drop = was - value;
    d.effect_size = Some(drop);
    let status = if drop >= 2.0 * opts.min_effect && estimated.trusted {
        CheckStatus::Fail
    } else {
        CheckStatus::Warn
    };
    let mut message = format!(
        "estimated {name} of the {} awaiting labels is {} (95% interval [{}, {}]) against {} in \
         the reference: a drop of {} beyond the estimate's uncertainty",
        count(e.rows, "row"),
        decimal(value),
        decimal(lo),
        decimal(hi),
        decimal(was),
        decimal(drop)
    );
    let moved = what_moved(estimated, before);
    if !moved.is_empty() {
        message.push_str(&format!("; what moved: {}", moved.join(", ")));
    }
    if !estimated.trusted {
        message.push_str(" (the estimate may not be trusted: see estimated.caveats)");
    }
    Some(stat(CheckId::EstimatedDrop, status, message, d))
}

/// What moved between the reference and the rows awaiting labels: their mean score, their mean
/// confidence, and the segment value whose share of the rows changed most (by at least 10
/// points).
fn what_moved(estimated: &Estimated, before: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    // Read as pairs: the reference's binary scores are not merged into one list for this.
    let mean_of = |f: &dyn Fn(f64) -> f64| {
        let n: u64 = before.distribution_pairs()?.map(|(_, c)| c).sum();
        let pairs = before.distribution_pairs()?;
        (n > 0).then(|| pairs.map(|(v, c)| f(v) * c as f64).sum::<f64>() / n as f64)
    };
    let was = mean_of(&|v| v);
    if let Some(was) = was {
        let now = estimated.mean_score;
        if (now - was).abs() >= 0.02 {
            out.push(format!(
                "the mean score ({} against {})",
                decimal(now),
                decimal(was)
            ));
        }
    }
    let was = mean_of(&|v| v.max(1.0 - v));
    if let Some(was) = was {
        let now = estimated.mean_confidence;
        if (now - was).abs() >= 0.02 {
            out.push(format!(
                "the scores' confidence (mean max(score, 1 − score) {} against {})",
                decimal(now),
                decimal(was)
            ));
        }
    }
    let mut best: Option<(f64, String)> = None;
    for (column, values) in estimated.segments.iter() {
        let total_now: u64 = values.iter().map(|(_, m)| m.rows).sum();
        let total_before: u64 = before
            .segments
            .iter()
            .filter(|s| s.column == *column)
            .map(|s| s.rows)
            .sum();
        if total_now == 0 || total_before == 0 {
            continue;
        }
        for (value, m) in values.iter() {
            let share_now = m.rows as f64 / total_now as f64;
            let share_before = before
                .segments
                .iter()
                .find(|s| s.column == *column && s.value == *value)
                .map_or(0.0, |s| s.rows as f64 / total_before as f64);
            let change = share_now - share_before;
            if change.abs() >= 0.1 && best.as_ref().is_none_or(|b| change.abs() > b.0) {
                best = Some((
                    change.abs(),
                    format!(
                        "the mix of segments ({column}={value}: {:.0}% of the rows awaiting \
                         labels against {:.0}% of the reference)",
                        100.0 * share_now,
                        100.0 * share_before
                    ),
                ));
            }
        }
    }
    out.extend(best.map(|b| b.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ordered_map::OrderedMap;
    use crate::results::EstimatedMetrics;

    fn estimated(f1: f64, interval: [f64; 2], trusted: bool) -> Estimated {
        Estimated {
            method: "cbpe",
            calibration: crate::metrics::estimate::Method::Isotonic,
            reference_rows: 1000,
            reference_ece: 0.01,
            outside_reference_range: 0.0,
            mean_score: 0.5,
            mean_confidence: 0.8,
            overall: EstimatedMetrics {
                rows: 500,
                f1: Some(f1),
                intervals: OrderedMap(vec![("f1".into(), interval)]),
                ..EstimatedMetrics::default()
            },
            windows: None,
            segments: OrderedMap::default(),
            labelled: None,
            trusted,
            caveats: Vec::new(),
        }
    }

    fn profile() -> Profile {
        Profile {
            rows: 1000,
            correct: 800,
            labels: vec!["0".into(), "1".into()],
            label_counts: vec![500, 500],
            pred_counts: vec![500, 500],
            distribution: None,
            by_class: Vec::new(),
            proba: Vec::new(),
            segments: Vec::new(),
            ..Profile::default()
        }
    }

    #[test]
    fn a_drop_beyond_the_interval_warns_or_fails_and_noise_passes() {
        let reference = MetricValues::from_pairs(vec![("f1".into(), Some(0.8))]);
        let opts = StatOptions::default();
        let check = |f1, interval, trusted| {
            estimated_drop(
                &estimated(f1, interval, trusted),
                &reference,
                &profile(),
                &opts,
            )
            .unwrap()
            .status
        };
        assert_eq!(check(0.6, [0.55, 0.65], true), CheckStatus::Fail);
        assert_eq!(check(0.6, [0.55, 0.65], false), CheckStatus::Warn);
        assert_eq!(check(0.72, [0.69, 0.76], true), CheckStatus::Warn);
        // Within the interval: noise, whatever the point estimate.
        assert_eq!(check(0.7, [0.6, 0.81], true), CheckStatus::Pass);
        assert_eq!(check(0.78, [0.76, 0.79], true), CheckStatus::Pass);
    }
}
