//! The check stage: release rules, objectives and statistical and health checks on the
//! finished measurements, in the order the report lists them.
//!
//! Rules resolve their dotted metric paths on the typed metrics ([`MetricValues`]); statistical
//! checks compare the run's profile with the reference's; health checks read the results.
//! Nothing here reads a file or renders anything.

use crate::checks::faults;
use crate::checks::health;
use crate::checks::latency as latency_checks;
use crate::checks::max_drop;
use crate::checks::paired::paired_regression;
use crate::checks::proba_drift::proba_drift;
use crate::checks::rules::{self, Rule, RuleError, Scope, Subject};
use crate::checks::statistical::{self, Profile};
use crate::checks::windows as window_checks;
use crate::checks::{Check, SegmentRef};
use crate::metrics::noise::NoiseBaseline;
use crate::ordered_map::OrderedMap;
use crate::results::{EstimatedMetrics, MetricValues, Results};
use crate::settings::EvalSettings;

use super::finish::Finished;
use super::References;

/// Checks every rule on the overall metrics or on every segment.
fn run_rules(
    rules_list: &[Rule],
    results: &Results,
    overall: &MetricValues,
    settings: &EvalSettings,
) -> Result<Vec<Check>, RuleError> {
    let gate_on = settings.gate.gate_on;
    let mut checks = Vec::new();
    for rule in rules_list {
        if overall.get(&rule.metric).is_none() {
            return Err(RuleError::unknown(&rule.metric, rule.flag(), overall));
        }
        match rule.scope {
            Scope::Overall => {
                let interval = |path: &str| {
                    results.intervals.get(path).copied().or_else(|| {
                        let name = path.strip_prefix("estimated.")?;
                        results
                            .estimated
                            .as_ref()?
                            .overall
                            .intervals
                            .get(name)
                            .copied()
                    })
                };
                let subject = Subject {
                    metrics: overall,
                    interval: &interval,
                    rows: results.input.rows,
                    segment: None,
                    skip: None,
                };
                checks.push(rules::check(rule, &subject, gate_on));
            }
            Scope::EverySegment => {
                if results.segments.0.is_empty() {
                    return Err(RuleError::NoSegments(rule.id()));
                }
                for (column, segments) in results.segments.iter() {
                    for (value, seg) in segments.iter() {
                        let metrics = seg.metrics.as_ref().map(|m| m.values()).unwrap_or_default();
                        let interval = |path: &str| seg.intervals.get(path).copied();
                        let subject = Subject {
                            metrics: &metrics,
                            interval: &interval,
                            rows: seg.rows,
                            segment: Some(SegmentRef {
                                column: column.clone(),
                                value: value.clone(),
                            }),
                            skip: seg.reason.clone(),
                        };
                        checks.push(rules::check(rule, &subject, gate_on));
                    }
                }
            }
        }
    }
    Ok(checks)
}

/// The estimated metrics of the rows awaiting labels by their dotted paths (`estimated.f1`),
/// null when nothing was estimated, so that rules on them always resolve.
fn estimated_values(results: &Results) -> Vec<(String, Option<f64>)> {
    let metrics = results.estimated.as_ref().map(|e| &e.overall);
    EstimatedMetrics::default()
        .values()
        .into_iter()
        .map(|(name, _)| {
            let value = metrics.and_then(|m| m.values().into_iter().find(|v| v.0 == name)?.1);
            (format!("estimated.{name}"), value)
        })
        .collect()
}

/// The data and training checks of the results.
fn health_checks(
    results: &Results,
    train: Option<&Profile>,
    noise: Option<NoiseBaseline>,
    identifying: bool,
    settings: &EvalSettings,
) -> Vec<Check> {
    let families = settings.checks.families;
    let (opts, stat) = (&settings.checks.health, &settings.checks.stat);
    let mut out = Vec::new();
    if families.data {
        let empty = OrderedMap::default();
        let skipped = results.audit.as_ref().map_or(&empty, |a| &a.skipped);
        out.push(health::missing(results, skipped, opts));
        out.push(health::invalid_scores(results, skipped, opts));
        if let Some(audit) = &results.audit {
            out.push(health::duplicates(
                &audit.duplicates,
                identifying,
                &results.segments,
                opts,
                stat,
            ));
            if let Some(ids) = &audit.ids {
                out.extend(health::ids(ids, opts));
            }
        }
        out.push(health::label_noise(results, noise, opts, stat));
        out.push(health::classes(results));
        out.push(health::imbalance(results, opts));
    }
    if families.training {
        if let Some(t) = train {
            out.push(health::overfitting(results, t, stat));
        }
        out.push(health::baseline(results, train, stat));
        out.push(health::calibration(results, opts, stat));
        out.push(health::threshold(results, opts, stat));
    }
    out
}

/// Every check of a run, in report order: release rules, `--max-drop` rules, latency
/// objectives, output sanity, weak segments, windows, comparisons with the reference, and the
/// data and training checks. The latency summary is added to the results here.
pub fn assess(
    settings: &EvalSettings,
    finished: &mut Finished,
    references: References,
) -> Result<Vec<Check>, RuleError> {
    let families = settings.checks.families;
    let stat_opts = &settings.checks.stat;
    if let Some(reference) = &references.reference {
        finished.results.estimated = super::estimated::estimated(
            finished,
            &reference.scores_by_class,
            settings.rules.threshold,
            settings.finish.bootstrap,
        );
    }
    if let (None, Some(waiting)) = (&finished.results.estimated, &finished.waiting) {
        finished.results.warnings.push(format!(
            "{} awaiting labels have scores: estimating their performance needs a --reference \
             data file with labels and scores",
            crate::text::count(waiting.rows(), "row")
        ));
    }
    let results = &finished.results;
    let mut overall = results.metrics.values();
    overall.extend(estimated_values(results));
    let mut checks = run_rules(&settings.gate.rules, results, &overall, settings)?;
    if let Some(reference) = &references.reference {
        let interval = |path: &str| results.intervals.get(path).copied();
        let subject = Subject {
            metrics: &overall,
            interval: &interval,
            rows: results.input.rows,
            segment: None,
            skip: None,
        };
        let max_drop = &settings.checks.max_drop;
        checks.extend(max_drop::checks(
            max_drop,
            &reference.metrics,
            &subject,
            settings.gate.gate_on,
        )?);
    }
    if let (Some(latency), Some(column)) = (&finished.latency, &settings.columns.latency) {
        finished.results.latency = Some(latency.summary(column));
        let slo = &settings.checks.latency_slo;
        checks.extend(slo.iter().map(|s| latency_checks::check(s, latency)));
    }
    let results = &finished.results;
    checks.append(&mut finished.sanity);
    let profile = &finished.profile;
    if families.sanity {
        let coarse = finished.window_counts.as_ref().map(|(c, _)| c.as_slice());
        checks.extend(faults::inverted_scores(results));
        checks.push(faults::class_permutation(results, coarse));
        let reference_profile = references.reference.as_ref().map(|r| &r.profile);
        checks.extend(faults::score_resolution(coarse, profile, reference_profile));
    }
    if families.segments {
        let before = references
            .reference
            .as_ref()
            .filter(|_| families.reference)
            .map(|r| &r.profile);
        checks.extend(statistical::weak_segments(
            &results.segments,
            profile.rows,
            profile.correct,
            before.map_or(&[], |p| p.segments.as_slice()),
            stat_opts,
        ));
        if let Some(before) = before {
            checks.extend(statistical::segment_scores(
                &results.segments,
                &before.segments,
                &settings.diagnosis.context.deployment_columns,
                stat_opts,
            ));
            checks.extend(statistical::segment_mix(
                &results.segments,
                profile,
                before,
                &settings.diagnosis.context.deployment_columns,
                stat_opts,
            ));
        }
    }
    if let (Some((coarse, fine)), true) = (&finished.window_counts, families.windows) {
        checks.extend(window_checks::worse_windows(coarse, stat_opts));
        checks.push(window_checks::change_point(fine, stat_opts));
        checks.extend(window_checks::score_change(coarse, stat_opts));
    }
    if let (Some(reference), Some(estimated)) = (&references.reference, &results.estimated) {
        checks.extend(crate::checks::estimated::estimated_drop(
            estimated,
            &reference.metrics,
            &reference.profile,
            stat_opts,
        ));
    }
    if let (Some(reference), true) = (&references.reference, families.reference) {
        checks.extend(statistical::against_reference(
            profile,
            &reference.profile,
            stat_opts,
        ));
        checks.extend(proba_drift(profile, &reference.profile, stat_opts));
        if let (Some(cur), Some(before)) = (&finished.current_ids, &reference.ids) {
            checks.push(paired_regression(cur, before, stat_opts));
        }
    }
    if families.data {
        let fine = finished.window_counts.as_ref().map(|(_, f)| f.as_slice());
        let health = &settings.checks.health;
        checks.extend(crate::checks::labels::label_delay(
            results,
            fine,
            health.share_warn,
            health.share_fail,
            stat_opts,
        ));
    }
    if let Some(current) = finished.features.take() {
        let reference = references
            .reference
            .as_ref()
            .and_then(|r| r.features.as_ref());
        let categorical = &settings.columns.categorical;
        let mut reports = Vec::new();
        let mut reference_distinct = Vec::new();
        for (name, summary) in &current.features {
            let before = reference.and_then(|r| r.get(name));
            let report = crate::features::compare::report(
                summary,
                before,
                categorical.iter().any(|c| c == name),
            );
            reference_distinct
                .push(before.map(|b| crate::features::compare::shape(b, report.kind).distinct));
            reports.push((name.clone(), report));
        }
        let reports = OrderedMap(reports);
        let segments: Vec<Option<SegmentRef>> = reports
            .0
            .iter()
            .enumerate()
            .map(|(k, (_, r))| {
                let reference = reference?;
                let (column, value) = crate::features::compare::located_segment(
                    &current,
                    reference,
                    k,
                    r.kind,
                    (stat_opts.alpha, stat_opts.psi_warn, stat_opts.min_rows),
                )?;
                Some(SegmentRef { column, value })
            })
            .collect();
        // The report of each feature in the one segment it moved in, against the same
        // segment of the reference: a fault confined to a small segment is found there.
        let segment_reports: Vec<Option<crate::features::compare::FeatureReport>> = reports
            .0
            .iter()
            .zip(&segments)
            .enumerate()
            .map(|(k, ((name, r), segment))| {
                let s = segment.as_ref()?;
                let now = current.segment(&s.column, &s.value)?.get(k)?;
                let reference = reference?;
                let rk = reference.features.iter().position(|(n, _)| n == name)?;
                let before = crate::features::compare::segment_reference(
                    reference,
                    (&s.column, &s.value),
                    rk,
                    stat_opts.min_rows,
                );
                let mut report = crate::features::compare::report(
                    now,
                    Some(before),
                    categorical.iter().any(|c| c == name),
                );
                report.kind = r.kind;
                Some(report)
            })
            .collect();
        let mut reports = reports;
        if let Some(reference) = reference {
            explain_features(
                &mut reports,
                &current,
                reference,
                &reference_distinct,
                stat_opts,
            );
        }
        if families.data {
            checks.extend(crate::checks::features::features(
                &mut reports,
                &reference_distinct,
                (&segments, &segment_reports),
                stat_opts,
            ));
        }
        finished.results.features = Some(reports);
    }
    let results = &finished.results;
    checks.extend(health_checks(
        results,
        references.train.as_ref(),
        finished.noise_baseline.take(),
        finished.identifying,
        settings,
    ));
    Ok(checks)
}

/// Adds to each feature's report the window from which it moved (when it is broken or moved
/// overall and the rows have windows) and the share of the mean score's shift its change
/// explains.
fn explain_features(
    reports: &mut OrderedMap<crate::features::compare::FeatureReport>,
    current: &crate::features::FeatureState,
    reference: &crate::features::FeatureState,
    reference_distinct: &[Option<u64>],
    opts: &statistical::StatOptions,
) {
    use crate::checks::features::moved;
    use crate::features::compare::{moved_since, score_shift_explained, shape};
    let alpha = opts.alpha / reports.0.len().max(1) as f64;
    for (k, (name, r)) in reports.0.iter_mut().enumerate() {
        let Some(rk) = reference.features.iter().position(|(n, _)| n == name) else {
            continue;
        };
        let before = &reference.features[rk].1;
        if let (Some(now), Some(then)) = (current.scores.get(k), reference.scores.get(rk)) {
            r.score_shift_explained = score_shift_explained(
                (now, &current.score_moments),
                (then, &reference.score_moments),
            );
        }
        let Some(windows) = &current.windows else {
            continue;
        };
        if !moved(
            name,
            r,
            reference_distinct.get(k).copied().flatten(),
            alpha,
            opts,
        ) {
            continue;
        }
        // Windows are compared in coarse buckets, the reference's distinct values too.
        let distinct = Some(shape(&before.coarsened(), r.kind).distinct);
        let level = alpha / windows.windows.len().max(1) as f64;
        let start = moved_since(windows, k, before, r.kind, opts.min_rows, |w| {
            moved(name, w, distinct, level, opts)
        });
        r.since = start.map(|key| super::finish::window_label(windows.width, key));
        r.since_width = start.map(|_| windows.units());
        r.since_start = start.map(|key| key * windows.units());
    }
}
