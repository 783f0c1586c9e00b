//! `mlguard eval`: read a predictions file, compute the metrics overall and per segment, check
//! the release rules, render the report.

use std::path::Path;

use serde_json::Value;

use crate::checks::gate::Gate;
use crate::checks::health;
use crate::checks::latency as latency_checks;
use crate::checks::max_drop;
use crate::checks::paired::paired_regression;
use crate::checks::rules::{self, lookup, metric_names, Rule, RuleError, Scope, Subject};
use crate::checks::statistical::{self, Profile};
use crate::checks::windows::{self as window_checks, WindowCounts};
use crate::checks::{Check, SegmentRef};
use crate::diagnosis::diagnose;
use crate::io::output::write_atomic;
use crate::io::time::{format_time, WindowWidth};
use crate::io::Problem;
use crate::label::{sort_labels, LabelKey};
use crate::metrics::audit::{multiclass_issues, AuditSummary, IdOutcomes};
use crate::metrics::intervals::Bootstrap;
use crate::metrics::noise::{self, NoiseBaseline};
use crate::metrics::segments::{SegmentColumn, SegmentedState};
use crate::metrics::windows::WindowColumn;
use crate::metrics::{EvalState, Evaluation, FinishOptions, MetricsError, Task};
use crate::ordered_map::OrderedMap;
use crate::pipeline::{scan, Scan};
use crate::render::progress::TerminalProgress;
use crate::render::{self, style::Style};
use crate::report::{
    Columns, InputSummary, Metrics, Report, SegmentReport, Tool, WindowReport, SCHEMA_VERSION,
};
use crate::settings::{EvalSettings, InputSpec, ReportFormat, SettingsError};
use crate::shard::{self, ReadSettings};
use crate::{Error, ExitStatus};
use rayon::prelude::*;

/// The metrics of an evaluation in their report form.
fn metrics_of(evaluation: &Evaluation) -> Metrics {
    Metrics {
        labels: evaluation.metrics.clone(),
        scores: evaluation
            .scores
            .as_ref()
            .map(|s| s.metrics.clone())
            .unwrap_or_default(),
    }
}

/// Orders segment values naturally: numerically when all are numbers, else by name.
fn ordered_segments(column: SegmentColumn) -> Vec<(String, EvalState)> {
    let mut keyed: Vec<(LabelKey, String, EvalState)> = column
        .states
        .into_iter()
        .map(|(k, s)| {
            let key = LabelKey::parse(&k).unwrap_or_else(|| LabelKey::Text(k.clone()));
            (key, k.into(), s)
        })
        .collect();
    let mut sorted: Vec<LabelKey> = keyed.iter().map(|(k, _, _)| k.clone()).collect();
    sort_labels(&mut sorted);
    keyed.sort_by_key(|(k, raw, _)| (sorted.iter().position(|s| s == k), raw.clone()));
    keyed.into_iter().map(|(_, raw, s)| (raw, s)).collect()
}

/// What is computed from the overall state alone.
struct OverallPart {
    evaluation: Evaluation,
    current_ids: Option<IdOutcomes>,
    audit: AuditSummary,
    noise_baseline: Option<NoiseBaseline>,
    profile: Profile,
    sanity: Vec<Check>,
}

/// Evaluates every segment, in parallel, with the overall task and positive class.
fn segment_reports(
    columns: Vec<SegmentColumn>,
    names: &[String],
    task: Task,
    pos_label: Option<LabelKey>,
    opts: &FinishOptions,
    min_rows: u64,
) -> OrderedMap<OrderedMap<SegmentReport>> {
    let mut fixed = opts.clone();
    fixed.task = Some(task);
    fixed.pos_label = pos_label;
    fixed.scores.detail = false;
    let jobs: Vec<(usize, String, EvalState)> = columns
        .into_iter()
        .enumerate()
        .flat_map(|(c, column)| {
            ordered_segments(column)
                .into_iter()
                .map(move |(value, state)| (c, value, state))
        })
        .collect();
    let reports: Vec<(usize, String, SegmentReport)> = jobs
        .into_par_iter()
        .map(|(c, value, seg)| {
            let rows = seg.rows();
            let report = match seg.finish(&fixed) {
                Ok(e) => SegmentReport {
                    rows,
                    skipped: rows < min_rows,
                    reason: (rows < min_rows)
                        .then(|| format!("{rows} rows, fewer than --min-segment-rows {min_rows}")),
                    metrics: Some(metrics_of(&e)),
                    intervals: e.intervals,
                },
                Err(err) => SegmentReport {
                    rows,
                    skipped: true,
                    reason: Some(err.to_string()),
                    metrics: None,
                    intervals: OrderedMap::default(),
                },
            };
            (c, value, report)
        })
        .collect();
    let mut out: Vec<(String, OrderedMap<SegmentReport>)> = names
        .iter()
        .map(|n| (n.clone(), OrderedMap::default()))
        .collect();
    for (c, value, report) in reports {
        out[c].1 .0.push((value, report));
    }
    OrderedMap(out)
}

/// A label for a window boundary: an instant, or a line number.
fn window_label(width: WindowWidth, key: i64) -> String {
    match width {
        WindowWidth::Seconds(s) => format_time(key * s),
        WindowWidth::Rows(r) => format!("line {}", key * r),
    }
}

/// Widths the report groups automatic windows into, smallest first.
const NICE_WIDTHS: [i64; 11] = [
    3600, 7200, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600, 2_592_000, 7_776_000,
    31_536_000,
];
/// At most this many windows in the report.
const MAX_REPORT_WINDOWS: i64 = 50;

/// The windows of the report, and the fine windows' counts for the change point.
fn window_reports(
    column: WindowColumn,
    task: Task,
    pos_label: Option<LabelKey>,
    opts: &FinishOptions,
) -> (Vec<WindowReport>, Vec<WindowCounts>, Vec<WindowCounts>) {
    let mut fixed = opts.clone();
    fixed.task = Some(task);
    fixed.pos_label = pos_label;
    fixed.bootstrap.replicates = 0;
    fixed.scores.detail = false;
    let base = column.width;
    let units = column.units();
    let counts: Vec<WindowCounts> = column
        .states
        .par_iter()
        .map(|(&key, state)| {
            let rows = state.rows();
            let correct = state
                .without_scores()
                .finish(&fixed)
                .map(|e| {
                    let m = &e.metrics.confusion_matrix.matrix;
                    (0..m.len()).map(|i| m[i][i]).sum()
                })
                .unwrap_or(0);
            WindowCounts {
                start: window_label(base, key),
                rows,
                correct,
            }
        })
        .collect();
    let (first, last) = match (column.states.keys().next(), column.states.keys().last()) {
        (Some(&a), Some(&b)) => (a, b),
        _ => return (Vec::new(), Vec::new(), counts),
    };
    let span = (last - first + 1) * units;
    let factor = match (column.auto, base) {
        (true, WindowWidth::Seconds(_)) => NICE_WIDTHS
            .iter()
            .find(|&&w| w % units == 0 && (span + w - 1) / w <= MAX_REPORT_WINDOWS)
            .map_or_else(
                || (span / units + MAX_REPORT_WINDOWS - 1) / MAX_REPORT_WINDOWS,
                |w| w / units,
            ),
        _ => 1,
    }
    .max(1);
    let width = match base {
        WindowWidth::Seconds(s) => WindowWidth::Seconds(s * factor),
        WindowWidth::Rows(r) => WindowWidth::Rows(r * factor),
    };
    let mut grouped: std::collections::BTreeMap<i64, EvalState> = Default::default();
    for (key, state) in column.states {
        match grouped.get_mut(&key.div_euclid(factor)) {
            Some(s) => s.merge(&state),
            None => {
                grouped.insert(key.div_euclid(factor), state);
            }
        }
    }
    let finished: Vec<(WindowReport, WindowCounts)> = grouped
        .into_par_iter()
        .map(|(key, state)| {
            let rows = state.rows();
            let e = state.finish(&fixed).ok();
            let correct = e.as_ref().map_or(0, |e| {
                let m = &e.metrics.confusion_matrix.matrix;
                (0..m.len()).map(|i| m[i][i]).sum()
            });
            let start = window_label(width, key);
            let report = WindowReport {
                start: start.clone(),
                end: window_label(width, key + 1),
                rows,
                accuracy: e.as_ref().and_then(|e| e.metrics.accuracy),
                f1: e.as_ref().and_then(|e| e.metrics.f1),
                roc_auc: e
                    .as_ref()
                    .and_then(|e| e.scores.as_ref())
                    .and_then(|s| s.metrics.roc_auc),
            };
            (
                report,
                WindowCounts {
                    start,
                    rows,
                    correct,
                },
            )
        })
        .collect();
    let (reports, report_counts) = finished.into_iter().unzip();
    (reports, report_counts, counts)
}

/// Checks every rule on the overall metrics or on every segment.
fn run_rules(
    rules_list: &[Rule],
    report: &Report,
    settings: &EvalSettings,
) -> Result<Vec<Check>, RuleError> {
    let overall = serde_json::to_value(&report.metrics).expect("metrics serialise");
    let gate_on = settings.gate.gate_on;
    let mut checks = Vec::new();
    for rule in rules_list {
        if lookup(&overall, &rule.metric).is_none() {
            let names = metric_names(&overall);
            let shown = names.len().min(80);
            let mut valid = names[..shown].join(", ");
            if names.len() > shown {
                valid.push_str(&format!(", … ({} more)", names.len() - shown));
            }
            return Err(RuleError::UnknownMetric {
                metric: rule.metric.clone(),
                flag: rule.flag(),
                valid,
            });
        }
        match rule.scope {
            Scope::Overall => {
                let interval = |path: &str| report.intervals.get(path).copied();
                let subject = Subject {
                    metrics: &overall,
                    interval: &interval,
                    rows: report.input.rows,
                    segment: None,
                    skip: None,
                };
                checks.push(rules::check(rule, &subject, gate_on));
            }
            Scope::EverySegment => {
                if report.segments.0.is_empty() {
                    return Err(RuleError::NoSegments(rule.id()));
                }
                for (column, segments) in report.segments.iter() {
                    for (value, seg) in segments.iter() {
                        let metrics = seg
                            .metrics
                            .as_ref()
                            .map(|m| serde_json::to_value(m).expect("metrics serialise"))
                            .unwrap_or(Value::Null);
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

/// The data and training checks of a report.
fn health_checks(
    report: &Report,
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
        let skipped = report.audit.as_ref().map_or(&empty, |a| &a.skipped);
        out.push(health::missing(report, skipped, opts));
        out.push(health::invalid_scores(report, skipped, opts));
        if let Some(audit) = &report.audit {
            out.push(health::duplicates(&audit.duplicates, identifying, opts));
            if let Some(ids) = &audit.ids {
                out.extend(health::ids(ids, opts));
            }
        }
        out.push(health::label_noise(report, noise, opts, stat));
        out.push(health::classes(report));
        out.push(health::imbalance(report, opts));
    }
    if families.training {
        if let Some(t) = train {
            out.push(health::overfitting(report, t, stat));
        }
        out.push(health::baseline(report, train, stat));
        out.push(health::calibration(report, opts, stat));
        out.push(health::threshold(report, opts, stat));
    }
    out
}

/// Builds the report for the settings' input.
pub fn build_report(settings: &EvalSettings) -> Result<Report, Error> {
    let progress = TerminalProgress::new(settings.output.quiet);
    let scan = scan_input(settings, &progress)?;
    report_from_scan(settings, &settings.input.path, scan, &progress)
}

/// Uses `--threads` worker threads for finishing too.
pub fn configure_threads(input: &InputSpec) {
    if input.threads > 0 {
        // Only the first call configures the pool; later ones (tests) keep it.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(input.threads)
            .build_global();
    }
}

/// The first half of an evaluation: reads the settings' input into a mergeable state.
pub fn scan_input(settings: &EvalSettings, progress: &TerminalProgress) -> Result<Scan, Error> {
    let input = &settings.input;
    configure_threads(input);
    Ok(scan(
        input,
        &settings.columns,
        settings.rules,
        &settings.segments,
        &settings.windows,
        progress,
    )?)
}

/// The settings a scan was read with, saved with its state.
pub fn read_settings(settings: &EvalSettings) -> ReadSettings {
    ReadSettings {
        columns: settings.columns.clone(),
        segments: settings.segments.clone(),
        windows: settings.windows.clone(),
        rules: settings.rules,
    }
}

/// The second half of an evaluation: finishes a scanned (or merged) state into the report of
/// `input_name`.
pub fn report_from_scan(
    settings: &EvalSettings,
    input_name: &str,
    scan: Scan,
    progress: &TerminalProgress,
) -> Result<Report, Error> {
    let mut finish = settings.finish.clone();
    if scan.plan.prediction.is_none() && scan.plan.score.is_some() {
        finish.scores.targets.current = Some(settings.rules.threshold);
    }
    let SegmentedState {
        overall,
        columns,
        windows,
        audit,
        ..
    } = scan.state;
    let classes = overall.classes.keys().to_vec();
    // The task and positive class, from the labels alone, so that segments can be finished
    // while the overall scores are.
    let (task, pos_label) = overall
        .without_scores()
        .finish(&FinishOptions {
            bootstrap: Bootstrap {
                replicates: 0,
                ..finish.bootstrap
            },
            ..finish.clone()
        })
        .map(|e| (e.task, e.pos_label.as_deref().and_then(LabelKey::parse)))
        .map_err(|e| Problem::from(e).at(input_name, None))?;
    let multi_issues = (task == Task::Multiclass)
        .then(|| multiclass_issues(&overall))
        .flatten();
    let multi_noise = multi_issues.as_ref().and_then(|issues| {
        let keys = overall.classes.keys();
        let by_column: Vec<f64> = overall
            .proba_ids
            .iter()
            .map(|&id| {
                issues
                    .thresholds
                    .iter()
                    .find(|(k, _)| *k == keys[id as usize])
                    .map_or(f64::NAN, |t| t.1)
            })
            .collect();
        noise::multiclass(&overall, &by_column)
    });
    let min_rows = settings.gate.min_segment_rows;
    let names = &scan.segment_columns;
    let window_pos = pos_label.clone();
    let stat_opts = &settings.checks.stat;
    let families = settings.checks.families;
    let proba: Vec<LabelKey> = scan.plan.proba.iter().map(|c| c.class.clone()).collect();
    let id_col = settings.columns.id.as_deref();
    // Everything that reads only the overall result runs while the segments are finished, and
    // the recalibration fits (which read only the audit's sample) while both are.
    let overall_part = || {
        let (evaluation, recalibration) = rayon::join(
            || overall.finish(&finish),
            || audit.recalibration(pos_label.as_ref(), &proba),
        );
        let mut evaluation = evaluation?;
        // The audit, the label-noise baseline and the outlier check read the score
        // distributions, which the profile below takes over.
        let current_ids = audit.id_outcomes(evaluation.pos_label.as_deref());
        let (audit, (noise_baseline, outliers)) = rayon::join(
            || {
                let known = (classes.as_slice(), proba.as_slice());
                audit.summary(&evaluation, known, multi_issues, id_col, recalibration)
            },
            || {
                rayon::join(
                    || match task {
                        Task::Multiclass => multi_noise,
                        Task::Binary => evaluation
                            .scores
                            .as_ref()
                            .and_then(|s| noise::binary_auto(&s.sorted)),
                    },
                    || {
                        families
                            .sanity
                            .then(|| statistical::outliers_of(&evaluation))
                            .flatten()
                    },
                )
            },
        );
        let profile = Profile::take_from(&mut evaluation);
        let sanity = if families.sanity {
            statistical::sanity_with(&evaluation, &profile, stat_opts, outliers)
        } else {
            Vec::new()
        };
        Ok::<_, MetricsError>(OverallPart {
            evaluation,
            current_ids,
            audit,
            noise_baseline,
            profile,
            sanity,
        })
    };
    let ((overall_part, segments), windows) = rayon::join(
        || {
            rayon::join(overall_part, || {
                segment_reports(columns, names, task, pos_label.clone(), &finish, min_rows)
            })
        },
        || windows.map(|w| window_reports(w, task, window_pos, &finish)),
    );
    let OverallPart {
        evaluation,
        current_ids,
        audit,
        noise_baseline,
        profile,
        sanity,
    } = overall_part.map_err(|e| Problem::from(e).at(input_name, None))?;
    let mut stat_checks = sanity;
    if families.segments {
        stat_checks.extend(statistical::weak_segments(
            &segments,
            profile.rows,
            profile.correct,
            stat_opts,
        ));
    }
    if let (Some((_, coarse, fine)), true) = (&windows, families.windows) {
        stat_checks.extend(window_checks::worse_windows(coarse, stat_opts));
        stat_checks.push(window_checks::change_point(fine, stat_opts));
    }
    let train = match (&settings.checks.train, families.training) {
        (Some(path), true) => {
            Some(super::profile::load_reference(settings, path, &finish, progress)?.0)
        }
        _ => None,
    };
    let max_drop = &settings.checks.max_drop;
    let reference = match &settings.checks.reference {
        Some(path) if families.reference || !max_drop.is_empty() => Some(
            super::profile::load_reference(settings, path, &finish, progress)?,
        ),
        _ => None,
    };
    if let (Some((reference, _, ref_ids)), true) = (&reference, families.reference) {
        stat_checks.extend(statistical::against_reference(
            &profile, reference, stat_opts,
        ));
        if let (Some(cur), Some(before)) = (&current_ids, ref_ids) {
            stat_checks.push(paired_regression(cur, before, stat_opts));
        }
    }
    let scan_latency = scan.latency;
    let mut warnings = scan.warnings;
    if scan.rows_skipped > 0 {
        let lines: Vec<String> = scan.skipped.iter().map(|(l, _)| l.to_string()).collect();
        warnings.push(format!(
            "skipped {} invalid rows (--skip-invalid); first at lines {}: {}",
            scan.rows_skipped,
            lines.join(", "),
            scan.skipped.first().map_or("", |(_, p)| {
                // The problem without its "how to fix" hint, which names --skip-invalid.
                p.rsplit_once(" (").map_or(p.as_str(), |(what, _)| what)
            })
        ));
    }
    warnings.extend(evaluation.warnings.iter().cloned());
    let metrics = metrics_of(&evaluation);
    let h = &scan.header;
    let scores = evaluation.scores;
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        input: InputSummary {
            path: input_name.to_string(),
            rows: evaluation.rows,
            rows_skipped: scan.rows_skipped,
            columns: Columns {
                label: h[scan.plan.label].clone(),
                prediction: scan.plan.prediction.map(|i| h[i].clone()),
                score: scan.plan.score.map(|i| h[i].clone()),
                proba: scan.plan.proba.iter().map(|c| c.name.clone()).collect(),
            },
        },
        task: evaluation.task,
        pos_label: evaluation.pos_label,
        labels: evaluation.labels,
        metrics,
        calibration: scores.as_ref().map(|s| s.calibration.clone()),
        curves: scores.as_ref().map(|s| s.curves.clone()),
        thresholds: scores.and_then(|s| s.thresholds),
        intervals: evaluation.intervals,
        segments,
        windows: windows.map(|(reports, _, _)| reports),
        latency: None,
        warnings,
        audit: Some(audit),
        checks: Vec::new(),
        findings: Vec::new(),
        gate: Gate::decide(&[], settings.gate.fail_on),
    };
    report.checks = run_rules(&settings.gate.rules, &report, settings)
        .map_err(|e| Error::Settings(SettingsError::Rule(e)))?;
    if let Some((_, reference_metrics, _)) = &reference {
        let overall = serde_json::to_value(&report.metrics).expect("metrics serialise");
        let interval = |path: &str| report.intervals.get(path).copied();
        let subject = Subject {
            metrics: &overall,
            interval: &interval,
            rows: report.input.rows,
            segment: None,
            skip: None,
        };
        let drops = max_drop::checks(max_drop, reference_metrics, &subject, settings.gate.gate_on)
            .map_err(|e| Error::Settings(SettingsError::Rule(e)))?;
        report.checks.extend(drops);
    }
    if let (Some(latency), Some(column)) = (&scan_latency, &settings.columns.latency) {
        report.latency = Some(latency.summary(column));
        let slo = &settings.checks.latency_slo;
        report
            .checks
            .extend(slo.iter().map(|s| latency_checks::check(s, latency)));
    }
    report.checks.extend(stat_checks);
    // Rows can only be told apart by a column beyond labels, predictions, scores and segments
    // (an id, a time, a feature): without one, identical rows are expected, not duplicates.
    let roles = 1
        + usize::from(scan.plan.prediction.is_some())
        + usize::from(scan.plan.score.is_some())
        + scan.plan.proba.len()
        + scan.segment_columns.len();
    let identifying = scan.header.len() > roles;
    let health_checks = health_checks(
        &report,
        train.as_ref(),
        noise_baseline,
        identifying,
        settings,
    );
    report.checks.extend(health_checks);
    report.gate = Gate::decide(&report.checks, settings.gate.fail_on);
    report.findings = diagnose(&report, &settings.diagnosis.context);
    Ok(report)
}

/// Renders the report in the requested format.
pub fn render_report(report: &Report, settings: &EvalSettings) -> Vec<u8> {
    render_as(report, settings.output.format, settings.output.color)
}

/// Renders the report in `format` (colour applies to text only).
pub fn render_as(report: &Report, format: ReportFormat, color: bool) -> Vec<u8> {
    let mut buf = Vec::new();
    let result = match format {
        ReportFormat::Text => render::text::render(report, &mut buf, Style { color }),
        ReportFormat::Json => render::json::render(report, &mut buf),
        ReportFormat::Markdown => render::markdown::render(report, &mut buf),
        ReportFormat::Junit => render::junit::render(report, &mut buf),
        ReportFormat::Html => render::html::render(report, &mut buf),
    };
    result.expect("writing to memory cannot fail");
    buf
}

/// Runs `mlguard eval`.
pub fn run(settings: &EvalSettings) -> Result<ExitStatus, Error> {
    let input = Path::new(&settings.input.path);
    let mut inputs = vec![input];
    inputs.extend(settings.config.as_deref());
    let progress = TerminalProgress::new(settings.output.quiet);
    let scan = scan_input(settings, &progress)?;
    if let Some(path) = &settings.output.save_state {
        let read = read_settings(settings);
        shard::save_scan(path, &inputs, &scan, &settings.input.path, &read)?;
        if scan.is_header_only() {
            // An empty shard: its state is all there is to give (merges add nothing from it).
            if !settings.output.quiet {
                eprintln!(
                    "mlguard: note: {} holds no data rows; saved its empty state to {} and \
                     wrote no report (merge it with the other shards' states)",
                    settings.input.path,
                    path.display()
                );
            }
            return Ok(ExitStatus::Passed);
        }
    }
    let report = report_from_scan(settings, &settings.input.path, scan, &progress)?;
    deliver(&report, settings, &inputs)
}

/// Writes the report's outputs and maps the gate to the exit status.
pub fn deliver(
    report: &Report,
    settings: &EvalSettings,
    inputs: &[&Path],
) -> Result<ExitStatus, Error> {
    if let Some(path) = &settings.diagnosis.export_issues {
        let rows = render::issues::rows_of(report);
        write_atomic(path, &render::issues::render(&rows), inputs)?;
    }
    // Every extra report is written before standard output, so a closed pipe loses none.
    for (format, path) in &settings.output.files {
        write_atomic(path, &render_as(report, *format, false), inputs)?;
    }
    let bytes = render_report(report, settings);
    match &settings.output.path {
        Some(path) => {
            write_atomic(path, &bytes, inputs)?;
        }
        None => crate::write_stdout(&bytes)?,
    }
    Ok(if report.gate.passed {
        ExitStatus::Passed
    } else {
        ExitStatus::GateFailed
    })
}
