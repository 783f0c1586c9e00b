//! Data and training checks: what the diagnosis needs beyond the statistical anomaly checks —
//! skipped rows, class coverage, imbalance, the fit against training predictions and a trivial
//! baseline, calibration and the decision threshold.
//!
//! Every check reads finished numbers (the report's metrics, intervals, calibration and
//! thresholds, the training run's profile), never rows, so the checks of a merged run equal
//! those of one pass. Thresholds are those documented in the finding catalogue
//! (`src/diagnosis/catalog.rs`) and in the README.

use super::statistical::{detail, fmt, p_is, stat, Profile, StatOptions};
use super::{labels, Check, CheckId, CheckStatus};
use crate::metrics::audit::{Duplicates, IdSummary};
use crate::metrics::noise::NoiseBaseline;
use crate::ordered_map::OrderedMap;
use crate::results::Results;
use crate::results::SegmentReport;
use crate::stats::normal_two_sided;
use crate::text::{count, noun};

/// Thresholds of the data and training checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthOptions {
    /// Share of skipped (or duplicate) rows from which a check warns.
    pub share_warn: f64,
    /// Share of skipped (or duplicate) rows from which a check fails.
    pub share_fail: f64,
    /// Smallest class share below which the labels count as severely imbalanced.
    pub imbalance_share: f64,
    /// ECE from which calibration warns.
    pub ece_warn: f64,
    /// ECE from which calibration fails.
    pub ece_fail: f64,
    /// F1 gain of the best threshold over the current predictions from which the threshold
    /// check warns.
    pub threshold_gain: f64,
    /// Excess share of likely label errors from which the label-noise check warns.
    pub noise_warn: f64,
    /// Excess share of likely label errors from which the label-noise check fails.
    pub noise_fail: f64,
}

impl Default for HealthOptions {
    fn default() -> Self {
        HealthOptions {
            share_warn: 0.01,
            share_fail: 0.10,
            imbalance_share: 0.01,
            ece_warn: 0.05,
            ece_fail: 0.25,
            threshold_gain: 0.05,
            noise_warn: 0.05,
            noise_fail: 0.10,
        }
    }
}

/// Graded by a share: fail from `fail`, warn from `warn`.
fn by_share(share: f64, warn: f64, fail: f64) -> CheckStatus {
    if share >= fail {
        CheckStatus::Fail
    } else if share >= warn {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    }
}

/// Rows skipped as invalid, against the rows read.
pub fn missing(results: &Results, by_reason: &OrderedMap<u64>, opts: &HealthOptions) -> Check {
    let skipped = results.input.rows_skipped;
    let read = results.input.rows + skipped;
    // Invalid scores are the model's output, not the data: `sanity:invalid_scores` has them.
    // A log none of whose rows has a label yet is waiting for them all, which is normal input;
    // otherwise rows without labels are missing data, unless `data:label_delay` places them
    // (the latest rows, one segment), which the diagnosis then says.
    let invalid = by_reason.get("invalid_score").copied().unwrap_or(0);
    let waiting = if results.input.rows == 0 {
        results.input.rows_awaiting_labels
    } else {
        0
    };
    let missing = skipped.saturating_sub(invalid + waiting);
    let share = missing as f64 / read.max(1) as f64;
    let mut d = detail("share", "share", read);
    d.effect_size = Some(share);
    d.values = OrderedMap(vec![
        ("skipped".into(), skipped as f64),
        ("missing".into(), missing as f64),
    ]);
    d.values
        .0
        .extend(by_reason.iter().map(|(k, v)| (k.clone(), *v as f64)));
    let status = by_share(share, opts.share_warn, opts.share_fail);
    let message = if missing == 0 {
        "no row was skipped for a missing or unreadable label or prediction".to_string()
    } else {
        format!(
            "{missing} of {} ({:.2}%) were skipped for a missing or unreadable label or prediction",
            count(read, "row"),
            share * 100.0
        )
    };
    stat(CheckId::Missing, status, message, d)
}

/// Rows skipped because the model's score or probability was not a number in [0, 1] (NaN,
/// infinite, out of range): malformed model output.
pub fn invalid_scores(
    results: &Results,
    by_reason: &OrderedMap<u64>,
    opts: &HealthOptions,
) -> Check {
    let read = results.input.rows + results.input.rows_skipped;
    let invalid = by_reason.get("invalid_score").copied().unwrap_or(0);
    let share = invalid as f64 / read.max(1) as f64;
    let mut d = detail("share", "share", read);
    d.effect_size = Some(share);
    d.values = OrderedMap(vec![("invalid_scores".into(), invalid as f64)]);
    let status = if invalid == 0 {
        CheckStatus::Pass
    } else {
        by_share(share, opts.share_warn, opts.share_fail).max(CheckStatus::Warn)
    };
    let message = if invalid == 0 {
        "every score and probability read is a finite number in [0, 1]".to_string()
    } else {
        format!(
            "{invalid} of {} ({:.2}%) had a score or probability that is not a finite number in [0, 1] (skipped)",
            count(read, "row"),
            share * 100.0
        )
    };
    stat(CheckId::InvalidScores, status, message, d)
}

/// Identical rows, from the row audit. `identifying`: whether the file has a column beyond the
/// labels, predictions, scores and segments (an id, a time) that tells rows apart; without one,
/// identical rows are expected and the check is skipped.
pub fn duplicates(
    d: &Duplicates,
    identifying: bool,
    segments: &OrderedMap<OrderedMap<SegmentReport>>,
    opts: &HealthOptions,
    stat_opts: &StatOptions,
) -> Check {
    let share = d.duplicate_rows as f64 / d.rows_checked.max(1) as f64;
    let mut det = detail("share", "share", d.rows_checked);
    if !identifying {
        return stat(
            CheckId::Duplicates,
            CheckStatus::Skip,
            "no column read tells rows apart (they are labels, predictions, scores and segments), so identical rows are expected; add an id or time column (--id-col, --time-col) to find duplicates".into(),
            det,
        );
    }
    det.effect_size = Some(share);
    det.values = OrderedMap(vec![("duplicate_rows".into(), d.duplicate_rows as f64)]);
    let mut status = by_share(share, opts.share_warn, opts.share_fail);
    if d.rows_checked < SMALL_FILE && status == CheckStatus::Fail {
        // A handful of rows gives a share but not a rate worth failing a release on.
        status = CheckStatus::Warn;
    }
    // Where the copies gather: the segment value holding most of them beyond its share.
    let cells = d.segments.iter().flat_map(|(column, values)| {
        let rows = segments.get(column);
        values.iter().filter_map(move |(value, dups)| {
            let seg = rows?.get(value)?;
            Some((column, value, *dups, seg.rows))
        })
    });
    let place = (status != CheckStatus::Pass)
        .then(|| labels::concentrated_segment(cells, (d.duplicate_rows, d.rows_checked), stat_opts))
        .flatten();
    let mut message = if d.duplicate_rows == 0 {
        "no row repeats an earlier row".to_string()
    } else {
        format!(
            "{}{} of {} ({:.2}%) repeat an earlier row field for field{}",
            if d.exact { "" } else { "about " },
            d.duplicate_rows,
            count(d.rows_checked, "row"),
            share * 100.0,
            if d.exact {
                ""
            } else {
                " (estimated from a sample of records)"
            }
        )
    };
    if let Some(p) = place {
        message.push_str(&format!(
            "; {} of them in {} ({:.2}% of its rows against {:.2}% elsewhere)",
            p.missing,
            p.text,
            p.share() * 100.0,
            p.rest_share * 100.0
        ));
        det.location = p.location.clone();
        det.values.0.extend([
            ("place_duplicate_rows".into(), p.missing as f64),
            ("place_share".into(), p.share()),
            ("rest_share".into(), p.rest_share),
        ]);
    }
    stat(CheckId::Duplicates, status, message, det)
}

/// Repeated ids and ids with conflicting labels, from the row audit.
pub fn ids(ids: &IdSummary, opts: &HealthOptions) -> Vec<Check> {
    let about = if ids.exact { "" } else { "about " };
    let mut dup = detail("count", "share", ids.distinct);
    let dup_share = ids.duplicate_ids as f64 / ids.distinct.max(1) as f64;
    dup.effect_size = Some(dup_share);
    dup.values = OrderedMap(vec![("duplicate_ids".into(), ids.duplicate_ids as f64)]);
    let dup_status = if ids.duplicate_ids > 0 {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    let dup_message = if ids.duplicate_ids == 0 {
        format!("every {} is unique", ids.column)
    } else {
        format!(
            "{about}{} of {} {} {} appear on more than one row",
            ids.duplicate_ids,
            ids.distinct,
            ids.column,
            noun(ids.distinct, "value")
        )
    };
    let mut conflict = detail("count", "share", ids.distinct);
    let share = ids.conflicting_ids as f64 / ids.distinct.max(1) as f64;
    conflict.effect_size = Some(share);
    conflict.values = OrderedMap(vec![("conflicting_ids".into(), ids.conflicting_ids as f64)]);
    let conflict_status = if ids.conflicting_ids == 0 {
        CheckStatus::Pass
    } else if share >= opts.share_warn {
        CheckStatus::Fail
    } else {
        CheckStatus::Warn
    };
    let conflict_message = if ids.conflicting_ids == 0 {
        format!("no {} carries two different labels", ids.column)
    } else {
        format!(
            "{about}{} {} {} different labels on different rows ({:.2}% of the ids)",
            ids.conflicting_ids,
            ids.column,
            if ids.conflicting_ids == 1 {
                "value carries"
            } else {
                "values carry"
            },
            share * 100.0
        )
    };
    vec![
        stat(CheckId::DuplicateIds, dup_status, dup_message, dup),
        stat(
            CheckId::ConflictingLabels,
            conflict_status,
            conflict_message,
            conflict,
        ),
    ]
}

/// Likely label errors beyond what the model's own uncertainty explains.
pub fn label_noise(
    results: &Results,
    baseline: Option<NoiseBaseline>,
    opts: &HealthOptions,
    stat_opts: &StatOptions,
) -> Check {
    let n = results.input.rows;
    let mut d = detail("z", "excess_rate", n);
    let issues = results.audit.as_ref().and_then(|a| a.label_issues.as_ref());
    let (Some(issues), Some(b)) = (issues, baseline) else {
        return stat(
            CheckId::LabelNoise,
            CheckStatus::Skip,
            "needs scores or probabilities".into(),
            d,
        );
    };
    if n < stat_opts.min_rows {
        return stat(
            CheckId::LabelNoise,
            CheckStatus::Skip,
            format!("fewer than {}", count(stat_opts.min_rows, "row")),
            d,
        );
    }
    if b.variance <= 0.0 {
        // Scores of exactly 0 or 1 claim certainty: every error is a "suspect", and the test
        // cannot tell a wrong label from a wrong certainty (an over-fitted model's).
        return stat(
            CheckId::LabelNoise,
            CheckStatus::Skip,
            "not tested: every score is exactly 0 or 1, so a wrong label cannot be told from \
             the model's own wrong certainty (confident learning needs probabilities)"
                .into(),
            d,
        );
    }
    let observed = issues.suspects as f64;
    let excess = (observed - b.expected) / n as f64;
    let z = (observed - b.expected) / b.variance.sqrt();
    let p = if z > 0.0 {
        normal_two_sided(z.min(40.0)) / 2.0
    } else {
        1.0 - normal_two_sided(z) / 2.0
    };
    d.statistic = Some(z.min(1e6));
    d.p_value = Some(p);
    d.effect_size = Some(excess);
    d.values = OrderedMap(vec![
        ("suspects".into(), observed),
        ("expected_suspects".into(), b.expected),
        ("noise_rate".into(), issues.noise_rate),
    ]);
    let status = graded(p, excess, stat_opts.alpha, opts.noise_warn, opts.noise_fail);
    stat(
        CheckId::LabelNoise,
        status,
        format!(
            "{} ({:.2}%) {} mislabelled by confident learning against {:.1} expected from the model's own uncertainty: {:.2}% excess ({}; warns from {:.0}%, fails from {:.0}%)",
            count(issues.suspects, "row"),
            issues.noise_rate * 100.0,
            if issues.suspects == 1 { "looks" } else { "look" },
            b.expected,
            excess * 100.0,
            p_is("p", p),
            opts.noise_warn * 100.0,
            opts.noise_fail * 100.0
        ),
        d,
    )
}

/// Fail when significant and the effect reaches `fail`, warn when it reaches `warn`.
fn graded(p: f64, effect: f64, alpha: f64, warn: f64, fail: f64) -> CheckStatus {
    if p < alpha && effect >= fail {
        CheckStatus::Fail
    } else if p < alpha && effect >= warn {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    }
}

/// The confusion matrix of the report: (labels, matrix[true][predicted]).
fn confusion(results: &Results) -> (&[String], &[Vec<u64>]) {
    let cm = &results.metrics.labels.confusion_matrix;
    (&cm.labels, &cm.matrix)
}

/// Classes predicted but never among the labels, and labelled classes never predicted.
pub fn classes(results: &Results) -> Check {
    let (labels, m) = confusion(results);
    let k = m.len();
    let true_counts: Vec<u64> = m.iter().map(|r| r.iter().sum()).collect();
    let pred_counts: Vec<u64> = (0..k).map(|j| m.iter().map(|r| r[j]).sum()).collect();
    let only_predicted: Vec<&str> = (0..k)
        .filter(|&i| true_counts[i] == 0 && pred_counts[i] > 0)
        .map(|i| labels[i].as_str())
        .collect();
    let never_predicted: Vec<&str> = (0..k)
        .filter(|&i| true_counts[i] > 0 && pred_counts[i] == 0)
        .map(|i| labels[i].as_str())
        .collect();
    let mut d = detail("count", "classes", results.input.rows);
    d.effect_size = Some((only_predicted.len() + never_predicted.len()) as f64);
    d.values = OrderedMap(vec![
        (
            "predicted_never_labelled".into(),
            only_predicted.len() as f64,
        ),
        (
            "labelled_never_predicted".into(),
            never_predicted.len() as f64,
        ),
    ]);
    if let Some(first) = only_predicted.first().or(never_predicted.first()) {
        d.location.class = Some(first.to_string());
    }
    let mut parts = Vec::new();
    if !only_predicted.is_empty() {
        parts.push(format!(
            "predicted but never a label: {}",
            only_predicted.join(", ")
        ));
    }
    if !never_predicted.is_empty() {
        parts.push(format!(
            "labelled but never predicted: {}",
            never_predicted.join(", ")
        ));
    }
    let (status, message) = if parts.is_empty() {
        (
            CheckStatus::Pass,
            "every labelled class is predicted and every predicted class occurs among the labels"
                .to_string(),
        )
    } else {
        (CheckStatus::Warn, parts.join("; "))
    };
    stat(CheckId::Classes, status, message, d)
}

/// The smallest class share among the labels.
pub fn imbalance(results: &Results, opts: &HealthOptions) -> Check {
    let (labels, m) = confusion(results);
    let counts: Vec<u64> = m.iter().map(|r| r.iter().sum()).collect();
    let n: u64 = counts.iter().sum();
    let smallest = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .min_by_key(|(_, &c)| c);
    let mut d = detail("share", "share", n);
    let Some((i, &c)) = smallest.filter(|_| counts.iter().filter(|&&c| c > 0).count() > 1) else {
        d.values = OrderedMap::default();
        return stat(
            CheckId::Imbalance,
            CheckStatus::Skip,
            "fewer than two classes among the labels".into(),
            d,
        );
    };
    let share = c as f64 / n as f64;
    let largest = *counts.iter().max().unwrap_or(&0);
    d.effect_size = Some(share);
    d.location.class = Some(labels[i].clone());
    d.values = OrderedMap(vec![
        ("smallest_share".into(), share),
        ("imbalance_ratio".into(), largest as f64 / c as f64),
    ]);
    let status = if share < opts.imbalance_share {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    stat(
        CheckId::Imbalance,
        status,
        format!(
            "the rarest class {} makes up {:.2}% of the labels ({c} of {}; {:.0}:1 against the largest)",
            labels[i],
            share * 100.0,
            count(n, "row"),
            largest as f64 / c as f64
        ),
        d,
    )
}

/// Fewer rows and a share-based data check warns at most.
const SMALL_FILE: u64 = 100;

/// ROC AUC below this is too weak a ranking to call the model fit.
pub const WEAK_AUC: f64 = 0.6;

/// One-sided two-proportion z-test that `a` is above `b`: (z, p).
fn above(a_correct: u64, a_n: u64, b_correct: u64, b_n: u64) -> (f64, f64) {
    let (p1, p2) = (a_correct as f64 / a_n as f64, b_correct as f64 / b_n as f64);
    let pooled = (a_correct + b_correct) as f64 / (a_n + b_n) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / a_n as f64 + 1.0 / b_n as f64)).sqrt();
    let z = if se > 0.0 { (p1 - p2) / se } else { 0.0 };
    let p = if z > 0.0 {
        normal_two_sided(z) / 2.0
    } else {
        1.0 - normal_two_sided(z) / 2.0
    };
    (z, p)
}

/// Rows and correct rows of the results.
fn correct_of(results: &Results) -> (u64, u64) {
    let (_, m) = confusion(results);
    let correct = (0..m.len()).map(|i| m[i][i]).sum();
    (results.input.rows, correct)
}

/// Accuracy on the training predictions against accuracy here.
pub fn overfitting(results: &Results, train: &Profile, opts: &StatOptions) -> Check {
    let (n, correct) = correct_of(results);
    let mut d = detail("two_proportion_z", "difference", n);
    d.n_reference = Some(train.rows);
    if n < opts.min_rows || train.rows < opts.min_rows {
        return stat(
            CheckId::Overfitting,
            CheckStatus::Skip,
            format!(
                "too few rows to compare with the training predictions ({n} here, {} in training; at least {} each)",
                train.rows, opts.min_rows
            ),
            d,
        );
    }
    let (train_acc, acc) = (
        train.correct as f64 / train.rows as f64,
        correct as f64 / n as f64,
    );
    let gap = train_acc - acc;
    let (z, p) = above(train.correct, train.rows, correct, n);
    d.statistic = Some(z);
    d.p_value = Some(p);
    d.effect_size = Some(gap);
    d.values = OrderedMap(vec![
        ("train_accuracy".into(), train_acc),
        ("accuracy".into(), acc),
    ]);
    // A flexible model fitted on little data often loses a few points on new rows: a gap
    // from the minimum effect warns, one of twice that fails.
    let status = if p >= opts.alpha || gap < opts.min_effect {
        CheckStatus::Pass
    } else if gap >= 2.0 * opts.min_effect {
        CheckStatus::Fail
    } else {
        CheckStatus::Warn
    };
    stat(
        CheckId::Overfitting,
        status,
        format!(
            "training accuracy {} vs {} here: a gap of {} ({}; warns from {}, fails from {} when significant)",
            fmt(train_acc),
            fmt(acc),
            fmt(gap),
            p_is("p", p),
            fmt(opts.min_effect),
            fmt(2.0 * opts.min_effect)
        ),
        d,
    )
}

/// Whether the model beats a constant prediction: balanced accuracy against 1/k and, with
/// scores, ROC AUC against 0.5, each by its 95% interval; with training predictions, their
/// accuracy against the majority share.
pub fn baseline(results: &Results, train: Option<&Profile>, opts: &StatOptions) -> Check {
    let m = &results.metrics;
    let classes = confusion(results)
        .1
        .iter()
        .filter(|r| r.iter().sum::<u64>() > 0)
        .count()
        .max(1);
    let chance = 1.0 / classes as f64;
    let mut d = detail("interval", "margin", results.input.rows);
    if results.input.rows < opts.min_rows || classes < 2 {
        return stat(
            CheckId::Baseline,
            CheckStatus::Skip,
            format!(
                "needs at least {} and two classes among the labels",
                count(opts.min_rows, "row")
            ),
            d,
        );
    }
    // Each reason is (text, whether the model is not even significantly better).
    let mut reasons: Vec<(String, bool)> = Vec::new();
    let mut values = vec![("chance".into(), chance)];
    let auc = m.scores.roc_auc;
    if let Some(auc) = auc {
        values.push(("roc_auc".into(), auc));
        let lo = results.intervals.get("roc_auc").map_or(auc, |i| i[0]);
        if auc < WEAK_AUC {
            reasons.push((
                format!("ROC AUC {} is below {WEAK_AUC}", fmt(auc)),
                lo <= 0.5,
            ));
        }
    }
    if let Some(bal) = m.labels.balanced_accuracy {
        values.push(("balanced_accuracy".into(), bal));
        let lo = results
            .intervals
            .get("balanced_accuracy")
            .map_or(bal, |i| i[0]);
        // With scores, a good ranking makes a poor balanced accuracy a threshold problem.
        if !auc.is_some_and(|a| a >= WEAK_AUC) && bal < chance + opts.min_effect {
            reasons.push((
                format!(
                    "balanced accuracy {} is within {} of the {} of a constant prediction",
                    fmt(bal),
                    fmt(opts.min_effect),
                    fmt(chance)
                ),
                lo <= chance,
            ));
        }
        d.effect_size = Some(bal - chance);
    }
    // With a good ranking, accuracy near the majority share is what a rare class gives (a
    // fraud model at 2% positives is 98% right by predicting none), not underfitting.
    let ranking_ok = auc.is_some_and(|a| a >= WEAK_AUC);
    if let Some(t) = train.filter(|t| t.rows >= opts.min_rows && !ranking_ok) {
        let top = t.label_counts.iter().copied().max().unwrap_or(0);
        let majority = top as f64 / t.rows as f64;
        let acc = t.correct as f64 / t.rows as f64;
        values.push(("train_accuracy".into(), acc));
        values.push(("train_majority_share".into(), majority));
        if acc < majority + opts.min_effect {
            // Not even significantly better than the majority: one-sided binomial z-test.
            let se = (majority * (1.0 - majority) / t.rows as f64).sqrt();
            let z = if se > 0.0 { (acc - majority) / se } else { 0.0 };
            let not_better = normal_two_sided(z) / 2.0 >= opts.alpha || z <= 0.0;
            reasons.push((
                format!(
                    "on its training data the model reaches accuracy {} against {} for always predicting the majority class",
                    fmt(acc),
                    fmt(majority)
                ),
                not_better,
            ));
        }
    }
    d.values = OrderedMap(values);
    let status = if reasons.iter().any(|(_, not_better)| *not_better) {
        CheckStatus::Fail
    } else if reasons.is_empty() {
        CheckStatus::Pass
    } else {
        CheckStatus::Warn
    };
    let message = if reasons.is_empty() {
        match (auc, m.labels.balanced_accuracy) {
            (Some(a), _) => format!(
                "the model beats a constant prediction: ROC AUC {} (at least {WEAK_AUC})",
                fmt(a)
            ),
            (None, Some(b)) => format!(
                "the model beats a constant prediction: balanced accuracy {} against {} for a constant prediction (at least {} above)",
                fmt(b),
                fmt(chance),
                fmt(opts.min_effect)
            ),
            (None, None) => "the model beats a constant prediction".to_string(),
        }
    } else {
        reasons
            .iter()
            .map(|(r, _)| r.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    stat(CheckId::Baseline, status, message, d)
}

/// The Hosmer–Lemeshow statistic of a reliability table: Σ n_b (o_b − c_b)² / (c_b (1 − c_b))
/// over its non-empty bins, and the bins (its degrees of freedom under the hypothesis that the
/// probabilities are calibrated, for a model not fitted on these rows).
fn hosmer_lemeshow(cal: &crate::metrics::calibration::Calibration) -> (f64, f64) {
    let mut stat = 0.0;
    let mut bins = 0.0;
    for b in &cal.table {
        let (Some(c), Some(o)) = (b.mean_confidence, b.observed_frequency) else {
            continue;
        };
        if b.count == 0 {
            continue;
        }
        // A bin of scores at 0 or 1 has no binomial variance; a floor of one row's worth
        // keeps a single contradicted row from counting as infinitely unlikely.
        let var = (c * (1.0 - c)).max(1.0 / b.count as f64 / 4.0);
        stat += b.count as f64 * (o - c).powi(2) / var;
        bins += 1.0;
    }
    (stat, bins)
}

/// Expected calibration error against its thresholds, when the miscalibration is beyond
/// sampling noise: on a few hundred rows a perfectly calibrated model shows an ECE of several
/// hundredths, so the check needs the Hosmer–Lemeshow test to reject calibration too.
pub fn calibration(results: &Results, opts: &HealthOptions, stat_opts: &StatOptions) -> Check {
    let n = results.input.rows;
    let mut d = detail("ece", "ece", n);
    let Some(cal) = results.calibration.as_ref() else {
        return stat(
            CheckId::Calibration,
            CheckStatus::Skip,
            "no scores or probabilities to calibrate".into(),
            d,
        );
    };
    if n < stat_opts.min_rows {
        return stat(
            CheckId::Calibration,
            CheckStatus::Skip,
            format!("fewer than {}", count(stat_opts.min_rows, "row")),
            d,
        );
    }
    let (hl, bins) = hosmer_lemeshow(cal);
    let p = crate::stats::chi_square_sf(hl, bins);
    d.statistic = Some(cal.ece);
    d.p_value = Some(p);
    d.effect_size = Some(cal.ece);
    d.values = OrderedMap(vec![
        ("mce".into(), cal.mce),
        ("hosmer_lemeshow".into(), hl),
        ("df".into(), bins),
    ]);
    let significant = p < stat_opts.alpha;
    let status = if significant {
        by_share(cal.ece, opts.ece_warn, opts.ece_fail)
    } else {
        CheckStatus::Pass
    };
    stat(
        CheckId::Calibration,
        status,
        format!(
            "expected calibration error {} ({}; Hosmer–Lemeshow {}{}; warns from {}, fails from {} when significant)",
            fmt(cal.ece),
            cal.direction,
            p_is("p", p),
            if significant { "" } else { ", within sampling noise" },
            fmt(opts.ece_warn),
            fmt(opts.ece_fail)
        ),
        d,
    )
}

/// F1 at the best-F1 threshold against the F1 of the evaluated predictions (binary scores).
pub fn threshold(results: &Results, opts: &HealthOptions, stat_opts: &StatOptions) -> Check {
    let n = results.input.rows;
    let mut d = detail("difference", "f1_gain", n);
    let best = results.thresholds.as_ref().and_then(|t| t.best_f1.as_ref());
    let (Some(best), Some(f1)) = (best, results.metrics.labels.f1) else {
        return stat(
            CheckId::Threshold,
            CheckStatus::Skip,
            "needs a binary score".into(),
            d,
        );
    };
    if n < stat_opts.min_rows {
        return stat(
            CheckId::Threshold,
            CheckStatus::Skip,
            format!("fewer than {}", count(stat_opts.min_rows, "row")),
            d,
        );
    }
    let gain = best.f1 - f1;
    d.effect_size = Some(gain);
    let current = results
        .thresholds
        .as_ref()
        .and_then(|t| t.current.as_ref())
        .map(|c| c.threshold);
    d.values = OrderedMap(vec![
        ("f1".into(), f1),
        ("best_threshold".into(), best.threshold),
        ("best_f1".into(), best.f1),
        ("best_precision".into(), best.precision),
        ("best_recall".into(), best.recall),
    ]);
    if let Some(c) = current {
        d.values.0.push(("current_threshold".into(), c));
    }
    let status = if gain >= opts.threshold_gain {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    stat(
        CheckId::Threshold,
        status,
        format!(
            "F1 {} at the best threshold {} against {} for the evaluated predictions (gain {}; warns from {})",
            fmt(best.f1),
            crate::text::decimal(best.threshold),
            fmt(f1),
            fmt(gain),
            fmt(opts.threshold_gain)
        ),
        d,
    )
}
