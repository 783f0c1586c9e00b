//! Comparing two saved JSON reports (`mlguard diff OLD.json NEW.json`): what changed between two
//! releases of a model, and whether the change is more than sampling noise.
//!
//! The reports are read as JSON values, through the keys of the JSON contract (which are only
//! ever added), so reports of older and newer versions of mlguard compare as long as both carry
//! the metric.
//!
//! - **Metrics.** Every scalar of `metrics` in either report (class supports and `beta` left
//!   out), with its delta and whether that is an improvement: higher is better for every metric
//!   except `log_loss`, `brier`, `ece` and `mce`, where lower is better.
//! - **Beyond noise.** A change is *beyond noise* when the new value falls outside the old
//!   report's 95% interval of the metric, or the old value outside the new report's interval;
//!   it is *within noise* when each value lies inside the other's interval (where that interval
//!   is known); and *unknown* when neither report has an interval for the metric. Both
//!   intervals are the reports' own (`intervals`, and `segments.<col>.<value>.intervals`).
//!   This is deliberately simple and conservative: it flags changes a reader should look at,
//!   and is not a significance test of the difference.
//! - **Segments.** The headline metrics of every segment present in both reports, by the same
//!   rule; segments present in only one report are listed.
//! - **Findings** by `code`: new (only in the new report) and resolved (only in the old one).
//! - **Checks** by `id` whose status changed, and checks added or removed.
//! - **Rules.** `--max-drop METRIC=DELTA` fails the comparison when METRIC drops by more than
//!   DELTA (for a lower-is-better metric: rises by more than DELTA). A rule on a metric that is
//!   null in either report fails — it cannot be shown to hold.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

pub use crate::checks::max_drop::{Direction, MaxDrop};
use crate::checks::suggest::unknown_metric_hint;
use crate::results::MetricValues;

/// Version of the diff's JSON layout.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// Segment metrics compared.
const SEGMENT_METRICS: [&str; 10] = [
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier",
    "ece",
];

/// Changes smaller than this are no change (rounding of the saved JSON).
const EPSILON: f64 = 1e-12;

/// Why two reports cannot be compared.
#[derive(Debug, Error)]
pub enum DiffError {
    /// The file cannot be read.
    #[error("{}: cannot read the report: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{}: line {line}, column {column}: not valid JSON: {message} (diff compares reports written by mlguard eval --format json)", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file is JSON but not an mlguard report.
    #[error("{}: not an mlguard JSON report: {what} (write one with mlguard eval --format json)", path.display())]
    NotReport {
        /// The file.
        path: PathBuf,
        /// What is missing.
        what: String,
    },
    /// A `--max-drop` rule on a metric neither report has.
    #[error("unknown metric '{metric}' in --max-drop {metric}=… ({hint})")]
    UnknownMetric {
        /// The name given.
        metric: String,
        /// The names most likely meant, and a few of the valid names.
        hint: String,
    },
}

/// How a metric moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Moved the good way.
    Improved,
    /// Moved the bad way.
    Worsened,
    /// Did not move.
    Unchanged,
    /// Null before, a value now.
    Appeared,
    /// A value before, null now.
    Disappeared,
    /// Null in both.
    Undefined,
}

/// One metric in both reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricChange {
    /// Metric path in the JSON `metrics`.
    pub metric: String,
    /// Higher or lower is better.
    pub direction: Direction,
    /// The old value.
    pub old: Option<f64>,
    /// The new value.
    pub new: Option<f64>,
    /// new − old.
    pub delta: Option<f64>,
    /// How it moved.
    pub change: Change,
    /// Whether the change is beyond sampling noise (null: no interval to judge by).
    pub beyond_noise: Option<bool>,
    /// The old report's 95% interval.
    pub old_interval: Option<[f64; 2]>,
    /// The new report's 95% interval.
    pub new_interval: Option<[f64; 2]>,
}

/// One segment's metrics in both reports (or in one of them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentChange {
    /// The segment column.
    pub column: String,
    /// The segment value.
    pub segment: String,
    /// Rows in the old report (null: the segment is new).
    pub old_rows: Option<u64>,
    /// Rows in the new report (null: the segment is gone).
    pub new_rows: Option<u64>,
    /// Its headline metrics (empty unless the segment is in both reports).
    pub metrics: Vec<MetricChange>,
}

/// A finding, by code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRef {
    /// Stable code.
    pub code: String,
    /// What was found.
    pub title: String,
}

/// New and resolved findings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingChanges {
    /// Codes only in the new report.
    pub new: Vec<FindingRef>,
    /// Codes only in the old report.
    pub resolved: Vec<FindingRef>,
}

/// A check whose status changed, or that exists in one report only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckChange {
    /// The check's id.
    pub id: String,
    /// Its old status (null: added).
    pub old: Option<&'static str>,
    /// Its new status (null: removed).
    pub new: Option<&'static str>,
    /// Its message in the new report (the old one when removed).
    pub message: String,
}

/// The outcome of a `--max-drop` rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOutcome {
    /// The metric.
    pub metric: String,
    /// The largest drop allowed.
    pub max_drop: f64,
    /// The drop (old − new; new − old for lower-is-better metrics), null when not computable.
    pub drop: Option<f64>,
    /// Whether the rule holds.
    pub passed: bool,
    /// What happened, in one sentence.
    pub message: String,
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// The report file.
    pub file: String,
    /// The input the report evaluated.
    pub input: Option<String>,
    /// Rows evaluated.
    pub rows: Option<u64>,
    /// binary or multiclass.
    pub task: Option<String>,
    /// Whether its gate passed.
    pub gate_passed: Option<bool>,
    /// The mlguard version that wrote it.
    pub version: Option<String>,
}

/// Everything `mlguard diff` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDiff {
    /// Layout version of this diff.
    pub schema_version: u32,
    /// The earlier report.
    pub old: Side,
    /// The later report.
    pub new: Side,
    /// Caveats (different tasks or classes).
    pub notes: Vec<String>,
    /// Every metric of either report.
    pub metrics: Vec<MetricChange>,
    /// Segments of either report.
    pub segments: Vec<SegmentChange>,
    /// New and resolved findings.
    pub findings: FindingChanges,
    /// Checks whose status changed, added or removed.
    pub checks: Vec<CheckChange>,
    /// `--max-drop` rules.
    pub rules: Vec<RuleOutcome>,
    /// Whether every rule holds.
    pub passed: bool,
}

impl ReportDiff {
    /// Metrics of the whole input that got worse beyond noise.
    pub fn worse_beyond_noise(&self) -> usize {
        self.metrics
            .iter()
            .filter(|m| m.change == Change::Worsened && m.beyond_noise == Some(true))
            .count()
    }
}

/// Reads a saved report, checking it is an mlguard report.
pub fn read_report(path: &Path) -> Result<Value, DiffError> {
    let text = std::fs::read_to_string(path).map_err(|source| DiffError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| DiffError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or("")
            .to_string(),
    })?;
    let not = |what: &str| DiffError::NotReport {
        path: path.to_path_buf(),
        what: what.to_string(),
    };
    let map = value.as_object().ok_or_else(|| not("not a JSON object"))?;
    if !map.get("metrics").is_some_and(Value::is_object) {
        return Err(not("no \"metrics\" object"));
    }
    if !map.get("schema_version").is_some_and(Value::is_u64) {
        return Err(not("no \"schema_version\""));
    }
    Ok(value)
}

fn interval_of(intervals: Option<&Value>, path: &str) -> Option<[f64; 2]> {
    let pair = intervals?.get(path)?.as_array()?;
    match pair.as_slice() {
        [lo, hi] => Some([lo.as_f64()?, hi.as_f64()?]),
        _ => None,
    }
}

fn inside(v: f64, [lo, hi]: [f64; 2]) -> bool {
    lo - EPSILON <= v && v <= hi + EPSILON
}

/// Compares one metric; `old`/`new` are the metrics objects, `*_intervals` their intervals.
fn compare_metric(
    path: &str,
    old: &MetricValues,
    new: &MetricValues,
    old_intervals: Option<&Value>,
    new_intervals: Option<&Value>,
) -> MetricChange {
    let o = old.get(path).flatten();
    let n = new.get(path).flatten();
    let direction = Direction::of(path);
    let old_interval = interval_of(old_intervals, path);
    let new_interval = interval_of(new_intervals, path);
    let delta = match (o, n) {
        (Some(o), Some(n)) => Some(n - o),
        _ => None,
    };
    let change = match (o, n, delta) {
        (_, _, Some(d)) if d.abs() <= EPSILON => Change::Unchanged,
        (_, _, Some(d)) => {
            if (d > 0.0) == (direction == Direction::HigherIsBetter) {
                Change::Improved
            } else {
                Change::Worsened
            }
        }
        (None, Some(_), _) => Change::Appeared,
        (Some(_), None, _) => Change::Disappeared,
        _ => Change::Undefined,
    };
    let beyond_noise = match (o, n) {
        (Some(o), Some(n)) if old_interval.is_some() || new_interval.is_some() => Some(
            change != Change::Unchanged
                && (old_interval.is_some_and(|ci| !inside(n, ci))
                    || new_interval.is_some_and(|ci| !inside(o, ci))),
        ),
        _ => None,
    };
    MetricChange {
        metric: path.to_string(),
        direction,
        old: o,
        new: n,
        delta,
        change,
        beyond_noise,
        old_interval,
        new_interval,
    }
}

/// The scalar metric paths of both reports: the new report's order, then the old one's extras.
fn metric_paths(old: &MetricValues, new: &MetricValues) -> Vec<String> {
    let mut paths: Vec<String> = new.names().into_iter().map(String::from).collect();
    for p in old.names() {
        if !paths.iter().any(|q| q == p) {
            paths.push(p.to_string());
        }
    }
    paths.retain(|p| p != "beta" && !p.ends_with(".support"));
    paths
}

fn side(file: &Path, report: &Value) -> Side {
    let text = |ptr: &str| {
        report
            .pointer(ptr)
            .and_then(Value::as_str)
            .map(String::from)
    };
    Side {
        file: file.display().to_string(),
        input: text("/input/path"),
        rows: report.pointer("/input/rows").and_then(Value::as_u64),
        task: text("/task"),
        gate_passed: report.pointer("/gate/passed").and_then(Value::as_bool),
        version: text("/tool/version"),
    }
}

fn segments(old: &Value, new: &Value) -> Vec<SegmentChange> {
    let empty = serde_json::Map::new();
    let columns = |r: &Value| {
        r.get("segments")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (old_cols, new_cols) = (columns(old), columns(new));
    let mut out = Vec::new();
    let mut names: Vec<&String> = new_cols.keys().collect();
    names.extend(old_cols.keys().filter(|k| !new_cols.contains_key(*k)));
    for column in names {
        let o = old_cols
            .get(column)
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let n = new_cols
            .get(column)
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let mut values: Vec<&String> = n.keys().collect();
        values.extend(o.keys().filter(|k| !n.contains_key(*k)));
        for value in values {
            let (os, ns) = (o.get(value), n.get(value));
            let rows = |s: Option<&Value>| s.and_then(|s| s.get("rows")).and_then(Value::as_u64);
            let metrics = match (os, ns) {
                (Some(os), Some(ns)) => {
                    let (ov, nv) = (MetricValues::from_json(os), MetricValues::from_json(ns));
                    SEGMENT_METRICS
                        .iter()
                        .map(|m| {
                            compare_metric(m, &ov, &nv, os.get("intervals"), ns.get("intervals"))
                        })
                        .filter(|c| c.change != Change::Undefined)
                        .collect()
                }
                _ => Vec::new(),
            };
            out.push(SegmentChange {
                column: column.clone(),
                segment: value.clone(),
                old_rows: rows(os),
                new_rows: rows(ns),
                metrics,
            });
        }
    }
    out
}

fn findings(old: &Value, new: &Value) -> FindingChanges {
    let list = |r: &Value| -> Vec<FindingRef> {
        r.get("findings")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|f| {
                        Some(FindingRef {
                            code: f.get("code")?.as_str()?.to_string(),
                            title: f
                                .get("title")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (o, n) = (list(old), list(new));
    let mut changes = FindingChanges::default();
    for f in &n {
        if !o.iter().any(|x| x.code == f.code) && !changes.new.iter().any(|x| x.code == f.code) {
            changes.new.push(f.clone());
        }
    }
    for f in &o {
        if !n.iter().any(|x| x.code == f.code) && !changes.resolved.iter().any(|x| x.code == f.code)
        {
            changes.resolved.push(f.clone());
        }
    }
    changes
}

/// A check's id, status and message as saved.
struct SavedCheck {
    id: String,
    status: &'static str,
    message: String,
}

fn saved_checks(report: &Value) -> Vec<SavedCheck> {
    let status = |s: &str| match s {
        "pass" => "pass",
        "warn" => "warn",
        "skip" => "skip",
        _ => "fail",
    };
    report
        .get("checks")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|c| {
                    Some(SavedCheck {
                        id: c.get("id")?.as_str()?.to_string(),
                        status: status(c.get("status").and_then(Value::as_str).unwrap_or("")),
                        message: c
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn checks(old: &Value, new: &Value) -> Vec<CheckChange> {
    let (o, n) = (saved_checks(old), saved_checks(new));
    let mut out = Vec::new();
    for c in &n {
        match o.iter().find(|x| x.id == c.id) {
            Some(prev) if prev.status == c.status => {}
            prev => out.push(CheckChange {
                id: c.id.clone(),
                old: prev.map(|p| p.status),
                new: Some(c.status),
                message: c.message.clone(),
            }),
        }
    }
    for c in o.iter().filter(|c| !n.iter().any(|x| x.id == c.id)) {
        out.push(CheckChange {
            id: c.id.clone(),
            old: Some(c.status),
            new: None,
            message: c.message.clone(),
        });
    }
    out
}

fn rule_outcome(rule: &MaxDrop, change: Option<&MetricChange>) -> RuleOutcome {
    let fmt = |v: f64| format!("{v:.4}");
    let m = &rule.metric;
    let (drop, passed, message) = match change.map(|c| (c.old, c.new, c.direction)) {
        Some((Some(o), Some(n), direction)) => {
            let drop = direction.worsening(o, n);
            let verb = match direction {
                Direction::HigherIsBetter => "dropped",
                Direction::LowerIsBetter => "rose",
            };
            let passed = drop <= rule.delta + EPSILON;
            let message = if drop <= 0.0 {
                format!("{m} did not get worse ({} → {})", fmt(o), fmt(n))
            } else if passed {
                format!(
                    "{m} {verb} by {} ({} → {}), within the allowed {}",
                    fmt(drop),
                    fmt(o),
                    fmt(n),
                    fmt(rule.delta)
                )
            } else {
                format!(
                    "{m} {verb} by {} ({} → {}), more than the allowed {}",
                    fmt(drop),
                    fmt(o),
                    fmt(n),
                    fmt(rule.delta)
                )
            };
            (Some(drop), passed, message)
        }
        _ => {
            let which = match change.map(|c| (c.old.is_some(), c.new.is_some())) {
                Some((true, false)) => "the new report",
                Some((false, true)) => "the old report",
                _ => "both reports",
            };
            (
                None,
                false,
                format!(
                    "{m} is null in {which}, so the rule --max-drop {m}={} cannot be checked",
                    rule.delta
                ),
            )
        }
    };
    RuleOutcome {
        metric: m.clone(),
        max_drop: rule.delta,
        drop,
        passed,
        message,
    }
}

/// Compares two reports. `rules` name metrics of either report (else an error listing them).
pub fn compare(
    old_file: &Path,
    old: &Value,
    new_file: &Path,
    new: &Value,
    rules: &[MaxDrop],
) -> Result<ReportDiff, DiffError> {
    let null = Value::Null;
    let om = MetricValues::from_json(old.get("metrics").unwrap_or(&null));
    let nm = MetricValues::from_json(new.get("metrics").unwrap_or(&null));
    let paths = metric_paths(&om, &nm);
    let metrics: Vec<MetricChange> = paths
        .iter()
        .map(|p| compare_metric(p, &om, &nm, old.get("intervals"), new.get("intervals")))
        .collect();
    let mut outcomes = Vec::new();
    for rule in rules {
        if om.get(&rule.metric).is_none() && nm.get(&rule.metric).is_none() {
            let names: Vec<&str> = paths.iter().map(String::as_str).collect();
            return Err(DiffError::UnknownMetric {
                metric: rule.metric.clone(),
                hint: unknown_metric_hint(&rule.metric, &names),
            });
        }
        let change = metrics
            .iter()
            .find(|c| c.metric == rule.metric)
            .cloned()
            .unwrap_or_else(|| compare_metric(&rule.metric, &om, &nm, None, None));
        outcomes.push(rule_outcome(rule, Some(&change)));
    }
    let (os, ns) = (side(old_file, old), side(new_file, new));
    let mut notes = Vec::new();
    if os.task != ns.task {
        notes.push(format!(
            "the reports evaluate different tasks ({} and {})",
            os.task.as_deref().unwrap_or("?"),
            ns.task.as_deref().unwrap_or("?")
        ));
    }
    if old.get("labels") != new.get("labels") {
        notes.push("the reports have different classes; per-class metrics of a class in one report only are compared with null".to_string());
    }
    if old.get("pos_label") != new.get("pos_label") {
        notes.push("the reports have different positive classes".to_string());
    }
    Ok(ReportDiff {
        schema_version: DIFF_SCHEMA_VERSION,
        old: os,
        new: ns,
        notes,
        metrics,
        segments: segments(old, new),
        findings: findings(old, new),
        checks: checks(old, new),
        passed: outcomes.iter().all(|r| r.passed),
        rules: outcomes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(f1: f64, log_loss: f64, ci: [f64; 2]) -> Value {
        json!({
            "schema_version": 1, "task": "binary", "labels": ["0", "1"], "pos_label": "1",
            "metrics": {"f1": f1, "beta": 1.0, "log_loss": log_loss, "roc_auc": null,
                        "per_class": {"1": {"recall": f1, "support": 10}}},
            "intervals": {"f1": ci},
            "checks": [], "findings": [], "gate": {"passed": true}
        })
    }

    #[test]
    fn directions() {
        assert_eq!(Direction::of("log_loss"), Direction::LowerIsBetter);
        assert_eq!(Direction::of("ece"), Direction::LowerIsBetter);
        assert_eq!(Direction::of("macro.f1"), Direction::HigherIsBetter);
        assert_eq!(
            Direction::of("per_class.brier.recall"),
            Direction::HigherIsBetter
        );
    }

    #[test]
    fn deltas_noise_and_rules() {
        let old = report(0.80, 0.30, [0.78, 0.82]);
        let new = report(0.75, 0.25, [0.73, 0.77]);
        let rules = [
            MaxDrop::parse("f1=0.02").unwrap(),
            MaxDrop::parse("log_loss=0").unwrap(),
        ];
        let d = compare(Path::new("a"), &old, Path::new("b"), &new, &rules).unwrap();
        let f1 = d.metrics.iter().find(|m| m.metric == "f1").unwrap();
        assert_eq!(f1.change, Change::Worsened);
        assert_eq!(f1.beyond_noise, Some(true));
        let ll = d.metrics.iter().find(|m| m.metric == "log_loss").unwrap();
        assert_eq!(ll.change, Change::Improved);
        assert_eq!(ll.beyond_noise, None);
        assert!(d
            .metrics
            .iter()
            .all(|m| m.metric != "beta" && !m.metric.ends_with("support")));
        assert!(!d.rules[0].passed && d.rules[1].passed && !d.passed);
        // Within noise: each value inside the other's interval.
        let near = report(0.805, 0.30, [0.78, 0.83]);
        let d = compare(Path::new("a"), &old, Path::new("b"), &near, &[]).unwrap();
        let f1 = d.metrics.iter().find(|m| m.metric == "f1").unwrap();
        assert_eq!(
            (f1.change, f1.beyond_noise),
            (Change::Improved, Some(false))
        );
    }

    #[test]
    fn null_metrics_fail_rules_and_unknown_ones_are_errors() {
        let old = report(0.8, 0.3, [0.7, 0.9]);
        let d = compare(
            Path::new("a"),
            &old,
            Path::new("b"),
            &old,
            &[MaxDrop::parse("roc_auc=0.1").unwrap()],
        )
        .unwrap();
        assert!(!d.passed);
        let err = compare(
            Path::new("a"),
            &old,
            Path::new("b"),
            &old,
            &[MaxDrop::parse("nope=0.1").unwrap()],
        );
        assert!(matches!(err, Err(DiffError::UnknownMetric { .. })));
        assert!(MaxDrop::parse("f1=-1").is_err() && MaxDrop::parse("f1").is_err());
    }
}
