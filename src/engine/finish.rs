//! The finish stage: a scanned (or merged) state into every measurement of the run.
//!
//! The overall metrics, every segment and every window are finished in parallel; what reads
//! the overall score distributions (the row audit, the label-noise baseline, the output sanity
//! checks) runs while they are still in place. The result is one [`Results`] value and the
//! figures the check stage compares (the run's [`Profile`], id outcomes, noise baseline,
//! window counts), nothing else: no file is read and no rule is judged here.

use rayon::prelude::*;

use crate::checks::faults::permutation_of;
use crate::checks::statistical::{self, Profile};
use crate::checks::windows::WindowCounts;
use crate::checks::Check;
use crate::io::Problem;
use crate::label::{default_positive, negative_partner, sort_labels, LabelKey};
use crate::metrics::audit::{multiclass_issues, AuditSummary, IdOutcomes, SkipReason};
use crate::metrics::intervals::Bootstrap;
use crate::metrics::latency::LatencyHistogram;
use crate::metrics::noise::{self, NoiseBaseline};
use crate::metrics::ranked::Ranked;
use crate::metrics::segments::{SegmentColumn, SegmentedState};
use crate::metrics::waiting::WaitingSplit;
use crate::metrics::weighted::WeightTotals;
use crate::metrics::windows::WindowColumn;
use crate::metrics::{EvalState, Evaluation, FinishOptions, MetricsError, Task, WeightedState};
use crate::ordered_map::OrderedMap;
use crate::results::{
    Columns, InputSummary, Metrics, Results, SegmentReport, WindowReport, SCORE_BINS,
};
use crate::scan::Scan;
use crate::settings::EvalSettings;
use crate::text::count;
use crate::time::{format_time, WindowWidth};
use crate::Error;

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

/// The profile of a log none of whose rows has a label yet, for the comparisons that need no
/// labels (score and prediction drift): its rows, predicted classes and scores are those of the
/// rows awaiting labels; it counts no label and no correct prediction.
fn waiting_profile(profile: &mut Profile, waiting: &WaitingSplit, pos: Option<&str>) {
    profile.rows = waiting.rows();
    profile.correct = 0;
    profile.label_counts = vec![0; profile.labels.len()];
    profile.pred_counts = profile
        .labels
        .iter()
        .map(|l| match Some(l.as_str()) == pos {
            true => waiting.positive.total(),
            false => waiting.negative.total(),
        })
        .collect();
    profile.distribution = Some(Ranked::union(&waiting.positive, &waiting.negative));
}

/// How the scores of rows awaiting labels are split by predicted class: binary runs only, once
/// the positive class is known.
#[derive(Clone)]
struct WaitingRule {
    /// The positive class, in a binary run.
    pos: Option<LabelKey>,
    /// The threshold derived predictions are cut at.
    threshold: f64,
}

impl WaitingRule {
    /// The state's scores of rows awaiting labels, split (taken out of the state); `None`
    /// when there are none or the run is not binary.
    fn split(&self, state: &mut EvalState) -> Option<WaitingSplit> {
        let waiting = state.take_waiting();
        let pos = self.pos.as_ref()?;
        (!waiting.is_empty()).then(|| waiting.split(pos, self.threshold))
    }
}

/// Evaluates every segment, in parallel, with the overall task and positive class.
fn segment_reports(
    columns: Vec<SegmentColumn>,
    names: &[String],
    task: Task,
    pos_label: Option<LabelKey>,
    opts: &FinishOptions,
    min_rows: u64,
    waiting: &WaitingRule,
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
        .map(|(c, value, mut seg)| {
            let rows = seg.rows();
            let labels_missing = seg.labels_missing();
            let waiting = waiting.split(&mut seg);
            let shape = seg.score_shape(SCORE_BINS);
            let calibrated_log_loss = shape
                .as_ref()
                .map(|s| (s.calibrated_log_loss, s.calibrated_log_loss_se));
            let score_histogram = shape.map(|s| s.bins).unwrap_or_default();
            let report = match seg.finish(&fixed) {
                Ok(e) => SegmentReport {
                    rows,
                    labels_missing,
                    score_histogram,
                    calibrated_log_loss,
                    skipped: rows < min_rows,
                    reason: (rows < min_rows).then(|| {
                        format!(
                            "{}, fewer than --min-segment-rows {min_rows}",
                            count(rows, "row")
                        )
                    }),
                    metrics: Some(Metrics::of(&e)),
                    intervals: e.intervals,
                    waiting,
                },
                Err(err) => SegmentReport {
                    rows,
                    skipped: true,
                    reason: Some(if rows == 0 && labels_missing > 0 {
                        "no row has its label yet".to_string()
                    } else {
                        err.to_string()
                    }),
                    metrics: None,
                    intervals: OrderedMap::default(),
                    labels_missing,
                    score_histogram,
                    calibrated_log_loss,
                    waiting,
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
pub(crate) fn window_label(width: WindowWidth, key: i64) -> String {
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
    waiting: &WaitingRule,
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
                labels_missing: state.labels_missing(),
                ..WindowCounts::default()
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
    // The windows of each report window, merged in order (the report windows in parallel).
    let mut parts: std::collections::BTreeMap<i64, Vec<EvalState>> = Default::default();
    for (key, state) in column.states {
        parts.entry(key.div_euclid(factor)).or_default().push(state);
    }
    let finished: Vec<(WindowReport, WindowCounts)> = parts
        .into_par_iter()
        .map(|(key, parts)| {
            let mut parts = parts.into_iter();
            let mut state = parts.next().expect("a report window holds a window");
            parts.for_each(|part| state.merge(&part));
            (key, state)
        })
        .map(|(key, mut state)| {
            let rows = state.rows();
            let labels_missing = state.labels_missing();
            let waiting = waiting.split(&mut state);
            let score_bins = state
                .score_shape(SCORE_BINS)
                .map(|s| s.bins)
                .unwrap_or_default();
            let distinct_scores = state.distinct_scores();
            let e = state.finish(&fixed).ok();
            let mapping = e.as_ref().map_or_else(Vec::new, |e| {
                let cm = &e.metrics.confusion_matrix;
                permutation_of(&cm.labels, &cm.matrix)
            });
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
                labels_missing,
                waiting,
            };
            (
                report,
                WindowCounts {
                    start,
                    rows,
                    correct,
                    labels_missing,
                    distinct_scores,
                    score_bins,
                    mapping,
                },
            )
        })
        .collect();
    let (reports, report_counts) = finished.into_iter().unzip();
    (reports, report_counts, counts)
}

/// Every measurement of a run, and what the checks compare beyond them.
pub struct Finished {
    /// The measurements, as the report shows them.
    pub results: Results,
    /// The run's counts and score distributions, for comparisons with a reference.
    pub profile: Profile,
    /// Whether each id was predicted right (with `--id-col`), for the paired test.
    pub current_ids: Option<IdOutcomes>,
    /// The label-noise baseline of the scores, when they allow one.
    pub noise_baseline: Option<NoiseBaseline>,
    /// The output sanity checks, run while the score distributions were in place.
    pub sanity: Vec<Check>,
    /// The report's windows' counts and the fine windows' counts (for the change point).
    pub window_counts: Option<(Vec<WindowCounts>, Vec<WindowCounts>)>,
    /// The serving latencies, with `--latency-col`.
    pub latency: Option<LatencyHistogram>,
    /// Whether a column beyond the roles tells rows apart (an id, a time, a feature): without
    /// one, identical rows are expected, not duplicates.
    pub identifying: bool,
    /// The input features' summaries, with `--feature-cols`.
    pub features: Option<crate::features::FeatureState>,
    /// Binary scores of the rows awaiting labels, by predicted class (for estimating their
    /// performance).
    pub waiting: Option<WaitingSplit>,
}

/// The finish options of a scan: the settings' own, with the threshold the scores were cut
/// at when the input has scores and no prediction column.
pub fn finish_options(settings: &EvalSettings, scan: &Scan) -> FinishOptions {
    let mut finish = settings.finish.clone();
    if scan.plan.prediction.is_none() && scan.plan.score.is_some() {
        finish.scores.targets.current = Some(settings.rules.threshold);
    }
    finish
}

/// Finishes a scanned (or merged) state of `input_name` into the run's measurements.
pub fn finish(settings: &EvalSettings, input_name: &str, scan: Scan) -> Result<Finished, Error> {
    let finish = finish_options(settings, &scan);
    // The scores of rows awaiting labels are settled first: they decide what the labels do not.
    // The windows are finished before the overall table of scores is made, so that their
    // tables and the overall one are not held at once.
    let mut state = scan.state;
    state.settle_waiting();
    let windows = state.windows.take();
    let overall = &state.overall;
    let classes = overall.classes.keys().to_vec();
    let waiting = state.audit.skipped(SkipReason::MissingLabel);
    // A binary log with scores none of whose rows has a label yet is reported with its
    // metrics null, for what can be said without labels (estimated performance, drift).
    let unlabelled = (overall.rows == 0 && waiting > 0)
        .then(|| {
            let no_labels =
                || Error::from(Problem::NoLabelsYet { rows: waiting }.at(input_name, None));
            if overall.waiting.is_empty() || settings.finish.task == Some(Task::Multiclass) {
                return Err(no_labels());
            }
            let mut classes = overall.waiting.predicted_classes();
            if let Some(pos) = &finish.pos_label {
                if !classes.contains(pos) {
                    classes.push(pos.clone());
                }
            }
            let pos = finish
                .pos_label
                .clone()
                .or_else(|| default_positive(&classes))
                .or_else(|| classes.is_empty().then(|| LabelKey::parse("1")).flatten())
                .ok_or_else(no_labels)?;
            for class in [Some(pos.clone()), negative_partner(&pos)]
                .into_iter()
                .flatten()
            {
                if !classes.contains(&class) {
                    classes.push(class);
                }
            }
            if classes.len() > 2 {
                return Err(no_labels());
            }
            sort_labels(&mut classes);
            Ok((classes, pos))
        })
        .transpose()?;
    // The task and positive class, from the labels alone, so that segments can be finished
    // while the overall scores are.
    let (task, pos_label) = match &unlabelled {
        Some((_, pos)) => (Task::Binary, Some(pos.clone())),
        None => overall
            .without_scores()
            .finish(&FinishOptions {
                bootstrap: Bootstrap {
                    replicates: 0,
                    ..finish.bootstrap
                },
                ..finish.clone()
            })
            .map(|e| (e.task, e.pos_label.as_deref().and_then(LabelKey::parse)))
            .map_err(|e| Problem::from(e).at(input_name, None))?,
    };
    let multi_issues = (task == Task::Multiclass)
        .then(|| multiclass_issues(overall))
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
        noise::multiclass(overall, &by_column)
    });
    let waiting_rule = WaitingRule {
        pos: (task == Task::Binary).then(|| pos_label.clone()).flatten(),
        threshold: settings.rules.threshold,
    };
    let windows =
        windows.map(|w| window_reports(w, task, pos_label.clone(), &finish, &waiting_rule));
    state.settle();
    let SegmentedState {
        mut overall,
        columns,
        audit,
        ..
    } = state;
    let waiting_overall = waiting_rule.split(&mut overall);
    let min_rows = settings.gate.min_segment_rows;
    let names = &scan.segment_columns;
    let stat_opts = &settings.checks.stat;
    let families = settings.checks.families;
    let proba: Vec<LabelKey> = scan.plan.proba.iter().map(|c| c.class.clone()).collect();
    let id_col = settings.columns.id.as_deref();
    // Everything that reads only the overall result runs while the segments are finished, and
    // the recalibration fits (which read only the audit's sample) while both are.
    let overall_part = || {
        let (evaluation, recalibration) = rayon::join(
            || match &unlabelled {
                Some((classes, pos)) => Ok(Evaluation::unlabelled(classes, pos, finish.beta)),
                None => overall.finish(&finish),
            },
            || audit.recalibration(pos_label.as_ref(), &proba),
        );
        let mut evaluation = evaluation?;
        // The audit, the label-noise baseline and the outlier check read the score
        // distributions, which the profile below takes over.
        let current_ids = audit.id_outcomes(evaluation.pos_label.as_deref());
        let (audit, (noise_baseline, outliers)) = rayon::join(
            || {
                let known = (classes.as_slice(), proba.as_slice());
                let mut summary =
                    audit.summary(&evaluation, known, multi_issues, id_col, recalibration);
                summary.duplicates.segments = audit.duplicates_by_segment(names);
                summary
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
        let mut profile = Profile::take_from(&mut evaluation);
        let sanity = if families.sanity {
            statistical::sanity_with(&evaluation, &profile, stat_opts, outliers)
        } else {
            Vec::new()
        };
        if let (Some(_), Some(waiting)) = (&unlabelled, &waiting_overall) {
            waiting_profile(&mut profile, waiting, evaluation.pos_label.as_deref());
        }
        Ok::<_, MetricsError>(OverallPart {
            evaluation,
            current_ids,
            audit,
            noise_baseline,
            profile,
            sanity,
        })
    };
    let (overall_part, segments) = rayon::join(overall_part, || {
        let rule = &waiting_rule;
        segment_reports(
            columns,
            names,
            task,
            pos_label.clone(),
            &finish,
            min_rows,
            rule,
        )
    });
    let OverallPart {
        mut evaluation,
        current_ids,
        audit,
        noise_baseline,
        profile,
        sanity,
    } = overall_part.map_err(|e| Problem::from(e).at(input_name, None))?;
    let scan_latency = scan.latency;
    let features = scan.features;
    let weights = match scan.weighted {
        Some(weighted) => Some(
            weigh(weighted, &mut evaluation).map_err(|e| Problem::from(e).at(input_name, None))?,
        ),
        None => None,
    };
    let mut warnings = scan.warnings;
    let invalid = scan.rows_skipped.saturating_sub(waiting);
    if invalid > 0 {
        let lines: Vec<String> = scan.skipped.iter().map(|(l, _)| l.to_string()).collect();
        warnings.push(format!(
            "skipped {} (--skip-invalid); first at lines {}: {}",
            count(invalid, "invalid row"),
            lines.join(", "),
            scan.skipped.first().map_or("", |(_, p)| {
                // The problem without its "how to fix" hint, which names --skip-invalid.
                p.rsplit_once(" (").map_or(p.as_str(), |(what, _)| what)
            })
        ));
    }
    warnings.extend(evaluation.warnings.iter().cloned());
    if let Some((column, totals)) = &weights {
        warnings.push(weights_note(column, totals));
    }
    let metrics = Metrics::of(&evaluation);
    let h = &scan.header;
    let scores = evaluation.scores;
    let (window_reports, window_counts) = match windows {
        Some((reports, coarse, fine)) => (Some(reports), Some((coarse, fine))),
        None => (None, None),
    };
    // Rows can only be told apart by a column beyond labels, predictions, scores and segments
    // (an id, a time, a feature): without one, identical rows are expected, not duplicates.
    let roles = 1
        + usize::from(scan.plan.prediction.is_some())
        + usize::from(scan.plan.score.is_some())
        + scan.plan.proba.len()
        + scan.segment_columns.len()
        + usize::from(weights.is_some());
    let identifying = scan.columns_compared.unwrap_or(scan.header.len()) > roles;
    let results = Results {
        input: InputSummary {
            path: input_name.to_string(),
            rows: evaluation.rows,
            rows_skipped: scan.rows_skipped,
            rows_awaiting_labels: waiting,
            columns: Columns {
                label: h[scan.plan.label].clone(),
                prediction: scan.plan.prediction.map(|i| h[i].clone()),
                score: scan.plan.score.map(|i| h[i].clone()),
                proba: scan.plan.proba.iter().map(|c| c.name.clone()).collect(),
                weight: weights.as_ref().map(|(column, _)| column.clone()),
            },
            total_weight: weights.as_ref().map(|(_, totals)| totals.total),
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
        windows: window_reports,
        latency: None,
        warnings,
        audit: Some(audit),
        features: None,
        estimated: None,
    };
    Ok(Finished {
        features,
        waiting: waiting_overall,
        results,
        profile,
        current_ids,
        noise_baseline,
        sanity,
        window_counts,
        latency: scan_latency,
        identifying,
    })
}

/// Weighs the metrics of `evaluation` by the rows' weights: the weight column and the totals.
pub fn weigh(
    weighted: WeightedState,
    evaluation: &mut Evaluation,
) -> Result<(String, WeightTotals), MetricsError> {
    let column = weighted.column().to_string();
    let totals = weighted.apply(evaluation)?;
    Ok((column, totals))
}

/// What a weighted report says about its weights: which numbers they weigh and which they
/// do not.
fn weights_note(column: &str, totals: &WeightTotals) -> String {
    let zero = if totals.zero_rows > 0 {
        format!(", {} of weight 0", count(totals.zero_rows, "row"))
    } else {
        String::new()
    };
    format!(
        "metrics are weighted by column '{column}' (total weight {}{zero}), as scikit-learn's \
         sample_weight; row counts, supports, confusion_matrix.matrix, segments, windows, \
         curves, thresholds, calibration (ece, mce), the statistical checks, the row audit and \
         the diagnosis count rows unweighted, and intervals are left out",
        crate::text::decimal(totals.total)
    )
}
