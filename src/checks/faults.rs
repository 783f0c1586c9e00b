//! Checks for serving faults that leave a signature of their own in the outputs: scores that
//! rank the classes backwards, predictions mapped to other classes, and scores that lost their
//! resolution. Each reads finished numbers (metrics, segments, report windows), never rows.

use super::statistical::{detail, fmt, stat, Profile};
use super::windows::WindowCounts;
use super::{Check, CheckId, CheckStatus, SegmentRef};
use crate::ordered_map::OrderedMap;
use crate::results::{Metrics, Results};

/// ROC AUC below which scores count as ranking backwards (with its upper 95% bound below 0.5).
const INVERTED_AUC: f64 = 0.4;

/// Fewest rows of each class for a ranking to be judged.
const MIN_CLASS_ROWS: u64 = 10;

/// The standard error of a ROC AUC (Hanley & McNeil 1982).
fn auc_se(a: f64, n_pos: u64, n_neg: u64) -> f64 {
    let (np, nn) = (n_pos as f64, n_neg as f64);
    let q1 = a / (2.0 - a);
    let q2 = 2.0 * a * a / (1.0 + a);
    ((a * (1.0 - a) + (np - 1.0) * (q1 - a * a) + (nn - 1.0) * (q2 - a * a)) / (np * nn))
        .max(0.0)
        .sqrt()
}

/// Rows of the positive class and of the others, from a binary confusion matrix.
fn class_rows(m: &Metrics, pos_label: Option<&str>) -> Option<(u64, u64)> {
    let cm = &m.labels.confusion_matrix;
    let pos = cm
        .labels
        .iter()
        .position(|l| Some(l.as_str()) == pos_label)?;
    let rows: Vec<u64> = cm.matrix.iter().map(|r| r.iter().sum()).collect();
    let n_pos = rows[pos];
    Some((n_pos, rows.iter().sum::<u64>() - n_pos))
}

/// A ranking that is backwards beyond noise: (auc, upper bound, positives, negatives).
fn backwards(m: &Metrics, pos_label: Option<&str>) -> Option<(f64, f64, u64, u64)> {
    let auc = m.scores.roc_auc?;
    let (n_pos, n_neg) = class_rows(m, pos_label)?;
    if n_pos < MIN_CLASS_ROWS || n_neg < MIN_CLASS_ROWS {
        return None;
    }
    let upper = auc + 1.96 * auc_se(auc, n_pos, n_neg);
    (auc < INVERTED_AUC && upper < 0.5).then_some((auc, upper, n_pos, n_neg))
}

/// Binary scores that rank the classes backwards: overall, or else in the segments (versions,
/// environments) whose scores are backwards while the rest rank well.
pub fn inverted_scores(results: &Results) -> Vec<Check> {
    let pos = results.pos_label.as_deref();
    let Some(auc) = results.metrics.scores.roc_auc.filter(|_| pos.is_some()) else {
        return Vec::new();
    };
    let mut d = detail("hanley_mcneil", "roc_auc", results.input.rows);
    if let Some((auc, upper, n_pos, n_neg)) = backwards(&results.metrics, pos) {
        d.statistic = Some(auc);
        d.effect_size = Some(auc);
        d.values = OrderedMap(vec![
            ("roc_auc".into(), auc),
            ("roc_auc_upper".into(), upper),
            ("roc_auc_reversed".into(), 1.0 - auc),
            ("positives".into(), n_pos as f64),
            ("negatives".into(), n_neg as f64),
        ]);
        let accuracy = results.metrics.labels.accuracy.unwrap_or(f64::NAN);
        return vec![stat(
            CheckId::InvertedScores { segment: None },
            CheckStatus::Fail,
            format!(
                "the scores rank the classes backwards: ROC AUC {} (upper 95% bound {}), while 1 − score would give {}{}: the score column looks like the other class's probability, not {}'s",
                fmt(auc),
                fmt(upper),
                fmt(1.0 - auc),
                if accuracy > 0.5 {
                    format!(", and the predictions are right on {:.1}% of rows", accuracy * 100.0)
                } else {
                    String::new()
                },
                pos.unwrap_or("the positive class")
            ),
            d,
        )];
    }
    let mut out = Vec::new();
    for (column, values) in results.segments.iter() {
        for (value, seg) in values.iter() {
            let Some(m) = seg.metrics.as_ref().filter(|_| !seg.skipped) else {
                continue;
            };
            let Some((seg_auc, upper, n_pos, n_neg)) = backwards(m, pos) else {
                continue;
            };
            // The rest ranks well: the fault is this segment's.
            if auc <= 0.5 {
                continue;
            }
            let segment = SegmentRef {
                column: column.clone(),
                value: value.clone(),
            };
            let mut d = detail("hanley_mcneil", "roc_auc", seg.rows);
            d.statistic = Some(seg_auc);
            d.effect_size = Some(seg_auc);
            d.location.segment = Some(segment.clone());
            d.values = OrderedMap(vec![
                ("roc_auc".into(), seg_auc),
                ("roc_auc_upper".into(), upper),
                ("overall_roc_auc".into(), auc),
                ("positives".into(), n_pos as f64),
                ("negatives".into(), n_neg as f64),
            ]);
            out.push(stat(
                CheckId::InvertedScores {
                    segment: Some(segment),
                },
                CheckStatus::Fail,
                format!(
                    "the scores of {column}={value} rank the classes backwards: ROC AUC {} (upper 95% bound {}) against {} overall ({}): they look like 1 − p or the other class's probability",
                    fmt(seg_auc),
                    fmt(upper),
                    fmt(auc),
                    crate::text::count(seg.rows, "row")
                ),
                d,
            ));
        }
    }
    out
}

/// The classes of a confusion matrix whose rows go mostly to one other class: (true,
/// predicted) pairs, when at least two classes are so mapped.
pub fn permutation_of(labels: &[String], matrix: &[Vec<u64>]) -> Vec<(String, String)> {
    let mut mapped = Vec::new();
    for (i, row) in matrix.iter().enumerate() {
        let n: u64 = row.iter().sum();
        if n < MIN_CLASS_ROWS {
            continue;
        }
        let Some((j, &top)) = row.iter().enumerate().max_by_key(|(_, &c)| c) else {
            continue;
        };
        if j != i && 2 * top >= n {
            mapped.push((labels[i].clone(), labels[j].clone()));
        }
    }
    if mapped.len() >= 2 {
        mapped
    } else {
        Vec::new()
    }
}

/// `a→b, b→a`.
fn mapping_text(mapping: &[(String, String)]) -> String {
    mapping
        .iter()
        .map(|(a, b)| format!("{a}→{b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Predictions systematically mapped to other classes: in the overall confusion matrix, or
/// from one report window on (in at least half the windows from there).
pub fn class_permutation(results: &Results, windows: Option<&[WindowCounts]>) -> Check {
    let cm = &results.metrics.labels.confusion_matrix;
    let mut d = detail("confusion", "classes", results.input.rows);
    if results.input.rows == 0 {
        return stat(
            CheckId::ClassPermutation,
            CheckStatus::Skip,
            "needs labelled rows".into(),
            d,
        );
    }
    let overall = permutation_of(&cm.labels, &cm.matrix);
    let (mapping, since) = if !overall.is_empty() {
        (overall, None)
    } else {
        let ws = windows.unwrap_or(&[]);
        let first = ws.iter().position(|w| !w.mapping.is_empty());
        match first {
            Some(i) => {
                let after = &ws[i..];
                let hit = after.iter().filter(|w| !w.mapping.is_empty()).count();
                if 2 * hit >= after.len() && i > 0 {
                    (ws[i].mapping.clone(), Some(ws[i].start.clone()))
                } else {
                    (Vec::new(), None)
                }
            }
            None => (Vec::new(), None),
        }
    };
    if mapping.is_empty() {
        return stat(
            CheckId::ClassPermutation,
            CheckStatus::Pass,
            "no class has most of its rows predicted as one other class".into(),
            d,
        );
    }
    d.effect_size = Some(mapping.len() as f64);
    d.location.class = Some(mapping_text(&mapping));
    d.location.window = since.clone();
    d.values = OrderedMap(vec![("classes_mapped".into(), mapping.len() as f64)]);
    stat(
        CheckId::ClassPermutation,
        CheckStatus::Fail,
        format!(
            "predictions are mapped to other classes{}: most rows of each class go to one other ({}) — a class-order or label-encoding fault, not a weak model",
            since.map_or(String::new(), |s| format!(" from {s} on")),
            mapping_text(&mapping)
        ),
        d,
    )
}

/// Share of rows with a distinct score from which a window counts as full resolution.
const FULL_RESOLUTION: f64 = 0.8;
/// Share below which a window counts as having lost it.
const LOST_RESOLUTION: f64 = 0.3;
/// Fewest rows of a window judged.
const MIN_WINDOW_ROWS: u64 = 30;

/// Scores that lost their resolution: from one report window on, few distinct scores where
/// the earlier windows had nearly one per row; without windows, against the reference.
pub fn score_resolution(
    windows: Option<&[WindowCounts]>,
    profile: &Profile,
    reference: Option<&Profile>,
) -> Option<Check> {
    let ratio = |w: &WindowCounts| w.distinct_scores.map(|d| d as f64 / w.rows.max(1) as f64);
    let judged: Vec<(&WindowCounts, f64)> = windows
        .unwrap_or(&[])
        .iter()
        .filter(|w| w.rows >= MIN_WINDOW_ROWS)
        .filter_map(|w| Some((w, ratio(w)?)))
        .collect();
    let mut d = detail("distinct_share", "share", profile.rows);
    if judged.len() >= 2 {
        // Full resolution up to a window, lost from it on; or lost from the window after it,
        // when the change fell within that window (a partly rounded window).
        let split = |skip: usize| {
            (1..judged.len().saturating_sub(skip)).find(|&i| {
                judged[..i].iter().all(|(_, r)| *r >= FULL_RESOLUTION)
                    && judged[i + skip..].iter().all(|(_, r)| *r < LOST_RESOLUTION)
            })
        };
        if let Some((i, skip)) = split(0)
            .map(|i| (i, 0))
            .or_else(|| split(1).map(|i| (i, 1)))
        {
            let w = judged[i].0;
            let (lost, after) = judged[i + skip];
            let before = judged[..i].iter().map(|(_, r)| r).sum::<f64>() / i as f64;
            d.effect_size = Some(after);
            d.location.window = Some(w.start.clone());
            d.values = OrderedMap(vec![
                ("distinct_share_before".into(), before),
                ("distinct_share_after".into(), after),
                (
                    "distinct_scores_after".into(),
                    lost.distinct_scores.unwrap_or(0) as f64,
                ),
            ]);
            return Some(stat(
                CheckId::ScoreResolution,
                CheckStatus::Warn,
                format!(
                    "the scores lost their resolution from {}: {} distinct scores for {} in window {} ({:.0}% of rows) against {:.0}% before — rounded or truncated scores",
                    w.start,
                    lost.distinct_scores.unwrap_or(0),
                    crate::text::count(lost.rows, "row"),
                    lost.start,
                    after * 100.0,
                    before * 100.0
                ),
                d,
            ));
        }
        return Some(stat(
            CheckId::ScoreResolution,
            CheckStatus::Pass,
            "the scores keep their resolution in every window".into(),
            d,
        ));
    }
    let share = |p: &Profile| {
        p.distribution_pairs()
            .map(|pairs| pairs.count() as f64 / p.rows.max(1) as f64)
    };
    let (now, before) = (share(profile)?, share(reference?)?);
    d.values = OrderedMap(vec![
        ("distinct_share".into(), now),
        ("reference_distinct_share".into(), before),
    ]);
    d.effect_size = Some(now);
    let lost = before >= FULL_RESOLUTION && now < LOST_RESOLUTION && profile.rows >= 100;
    Some(stat(
        CheckId::ScoreResolution,
        if lost {
            CheckStatus::Warn
        } else {
            CheckStatus::Pass
        },
        if lost {
            format!(
                "the scores lost their resolution: {:.0}% of rows have a distinct score against {:.0}% in the reference — rounded or truncated scores",
                now * 100.0,
                before * 100.0
            )
        } else {
            "the scores keep the reference's resolution".into()
        },
        d,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shift_by_one_is_a_permutation_and_confusion_is_not() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let shifted = vec![vec![2, 90, 8], vec![5, 3, 92], vec![88, 6, 6]];
        assert_eq!(permutation_of(&labels, &shifted).len(), 3);
        let confused = vec![vec![60, 40, 0], vec![30, 70, 0], vec![0, 5, 95]];
        assert!(permutation_of(&labels, &confused).is_empty());
    }

    #[test]
    fn scores_rounded_from_within_a_window_lose_their_resolution_from_that_window() {
        let window = |i: usize, distinct: u64| WindowCounts {
            start: format!("w{i}"),
            rows: 400,
            correct: 360,
            distinct_scores: Some(distinct),
            ..WindowCounts::default()
        };
        // Full resolution, one window rounded from its middle (250 of 400 distinct), then 11.
        let mut w: Vec<WindowCounts> = (0..6).map(|i| window(i, 400)).collect();
        w.push(window(6, 250));
        w.extend((7..12).map(|i| window(i, 11)));
        let profile = Profile {
            rows: 4800,
            correct: 4320,
            labels: Vec::new(),
            label_counts: Vec::new(),
            pred_counts: Vec::new(),
            distribution: None,
            by_class: Vec::new(),
            proba: Vec::new(),
            segments: Vec::new(),
            ..Profile::default()
        };
        let c = score_resolution(Some(&w), &profile, None).unwrap();
        assert_eq!(c.status, CheckStatus::Warn, "{}", c.message);
        assert!(c.message.contains("from w6"), "{}", c.message);
        // Windows that never settle below the lost share are not a loss.
        w[7].distinct_scores = Some(200);
        let c = score_resolution(Some(&w), &profile, None).unwrap();
        assert_eq!(c.status, CheckStatus::Pass, "{}", c.message);
    }

    #[test]
    fn auc_standard_error_shrinks_with_rows() {
        assert!(auc_se(0.3, 1000, 1000) < auc_se(0.3, 50, 50));
        assert!(auc_se(0.3, 50, 50) > 0.0);
    }
}
