//! The results of a run: every measurement the checks, the diagnosis and the renderers read.
//!
//! The engine finishes the scanned state into one [`Results`] value before any check runs;
//! checks and the diagnosis read it, never the report they end up in, so the stages run one
//! way. Its fields are the first keys of the JSON report (see [`crate::report`]): extend, never
//! rename or drop.

use serde::Serialize;

use crate::metrics::audit::AuditSummary;
use crate::metrics::calibration::Calibration;
use crate::metrics::classification::ClassificationMetrics;
use crate::metrics::latency::LatencySummary;
use crate::metrics::ranking::Thresholds;
use crate::metrics::scores::{Curves, ScoreMetrics};
use crate::metrics::waiting::WaitingSplit;
use crate::metrics::{Evaluation, Task};
use crate::ordered_map::OrderedMap;

/// Every metric, label-based and score-based, in one flat object.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Metrics {
    /// Metrics of labels and predictions.
    #[serde(flatten)]
    pub labels: ClassificationMetrics,
    /// Metrics of scores or probabilities (null without them).
    #[serde(flatten)]
    pub scores: ScoreMetrics,
}

/// The columns that played each role.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Columns {
    /// The label column.
    pub label: String,
    /// The prediction column (null when predictions were derived from scores).
    pub prediction: Option<String>,
    /// The binary score column.
    pub score: Option<String>,
    /// Per-class probability columns, in label order.
    pub proba: Vec<String>,
    /// The sample weight column (`--weight-col`); absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
}

/// What was read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputSummary {
    /// The input as named on the command line (`-` for stdin).
    pub path: String,
    /// Rows evaluated.
    pub rows: u64,
    /// Rows left out of the metrics: those waiting for their labels, and those skipped as
    /// invalid (`--skip-invalid`).
    pub rows_skipped: u64,
    /// Of those, the rows whose label is missing: not arrived yet, counted per segment and
    /// window (`labels_missing`).
    pub rows_awaiting_labels: u64,
    /// Column roles.
    pub columns: Columns,
    /// The sum of the rows' weights (`--weight-col`); absent without weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_weight: Option<f64>,
}

/// The metrics of one segment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SegmentReport {
    /// Rows in the segment.
    pub rows: u64,
    /// Whether rules skip the segment (too few rows, or metrics undefined).
    pub skipped: bool,
    /// Why it is skipped.
    pub reason: Option<String>,
    /// The segment's metrics (the same keys as the overall `metrics`).
    #[serde(flatten)]
    pub metrics: Option<Metrics>,
    /// 95% confidence intervals of the segment's metrics.
    pub intervals: OrderedMap<[f64; 2]>,
    /// Rows of the segment left out for a missing label (`--skip-invalid`).
    pub labels_missing: u64,
    /// Binary scores: counts in [`SCORE_BINS`] equal-width bins over [0, 1] (empty without
    /// binary scores), for comparing a segment's scores with its reference.
    #[serde(skip)]
    pub score_histogram: Vec<u64>,
    /// Binary scores: the log loss the segment's scores would give were they calibrated, and
    /// its standard error.
    #[serde(skip)]
    pub calibrated_log_loss: Option<(f64, f64)>,
    /// Binary scores of the segment's rows awaiting labels, by predicted class.
    #[serde(skip)]
    pub waiting: Option<WaitingSplit>,
}

/// The bins of a segment's score histogram.
pub const SCORE_BINS: usize = 100;

/// The metrics of one time (or row) window.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WindowReport {
    /// First instant (RFC 3339, UTC) or first line of the window.
    pub start: String,
    /// End (exclusive).
    pub end: String,
    /// Rows in the window.
    pub rows: u64,
    /// Accuracy.
    pub accuracy: Option<f64>,
    /// F1 (binary: of the positive class; multiclass: macro).
    pub f1: Option<f64>,
    /// ROC AUC (null without scores, or with one class in the window).
    pub roc_auc: Option<f64>,
    /// Rows of the window left out for a missing label (`--skip-invalid`).
    pub labels_missing: u64,
    /// Binary scores of the window's rows awaiting labels, by predicted class.
    #[serde(skip)]
    pub waiting: Option<WaitingSplit>,
}

/// Estimated performance of rows awaiting labels (see [`crate::metrics::estimate`]).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct EstimatedMetrics {
    /// Rows estimated: those awaiting labels that have a binary score and a prediction.
    pub rows: u64,
    /// Estimated accuracy.
    pub accuracy: Option<f64>,
    /// Estimated precision of the positive class.
    pub precision: Option<f64>,
    /// Estimated recall of the positive class.
    pub recall: Option<f64>,
    /// Estimated F1 of the positive class.
    pub f1: Option<f64>,
    /// Estimated ROC AUC.
    pub roc_auc: Option<f64>,
    /// 95% intervals for the value each metric will take once the labels arrive (the
    /// calibration's own uncertainty included), by metric.
    pub intervals: OrderedMap<[f64; 2]>,
}

impl EstimatedMetrics {
    /// The metrics by name, in report order.
    pub fn values(&self) -> [(&'static str, Option<f64>); 5] {
        [
            ("accuracy", self.accuracy),
            ("precision", self.precision),
            ("recall", self.recall),
            ("f1", self.f1),
            ("roc_auc", self.roc_auc),
        ]
    }
}

/// The estimated performance of one window.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EstimatedWindow {
    /// First instant (RFC 3339, UTC) or first line of the window.
    pub start: String,
    /// End (exclusive).
    pub end: String,
    /// Its estimate.
    #[serde(flatten)]
    pub metrics: EstimatedMetrics,
}

/// The estimator run on the rows whose labels did arrive, as if they had not: how far its
/// estimate is from what the labels say.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EstimatorCheck {
    /// What the estimator says of the labelled rows.
    pub estimated: EstimatedMetrics,
    /// Their realised metrics, by name.
    pub realised: OrderedMap<Option<f64>>,
    /// Estimated minus realised, by name.
    pub error: OrderedMap<f64>,
    /// Metrics whose realised value misses the estimate beyond chance: outside its interval
    /// widened from 95% to 99% (Bonferroni over the five metrics judged).
    pub outside_interval: Vec<String>,
}

/// Performance estimated for the rows awaiting labels: their scores calibrated on the labelled
/// reference, the expected confusion matrix of the calibrated probabilities
/// (confidence-based performance estimation).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Estimated {
    /// `cbpe`: confidence-based performance estimation.
    pub method: &'static str,
    /// How the reference's scores were calibrated: `isotonic` or `platt` (the one with the
    /// lower cross-validated log loss on the reference).
    pub calibration: crate::metrics::estimate::Method,
    /// Labelled reference rows the calibration was fitted on.
    pub reference_rows: u64,
    /// Expected calibration error of the fitted calibration on held-out reference rows.
    pub reference_ece: f64,
    /// Share of the estimated rows whose score lies outside the reference's range of scores.
    pub outside_reference_range: f64,
    /// The mean score of the rows awaiting labels.
    pub mean_score: f64,
    /// Their mean confidence: the mean of max(score, 1 − score).
    pub mean_confidence: f64,
    /// The estimate over every row awaiting its label.
    #[serde(flatten)]
    pub overall: EstimatedMetrics,
    /// Per window (null without windows).
    pub windows: Option<Vec<EstimatedWindow>>,
    /// Per segment: column → segment value → estimate.
    pub segments: OrderedMap<OrderedMap<EstimatedMetrics>>,
    /// The estimator against the labels that did arrive (null when no row has both).
    pub labelled: Option<EstimatorCheck>,
    /// Whether nothing says the estimate cannot be trusted.
    pub trusted: bool,
    /// Why it may not be (empty when trusted).
    pub caveats: Vec<String>,
}

/// Every measurement of a run, in the order the JSON report shows them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Results {
    /// What was read.
    pub input: InputSummary,
    /// Binary or multiclass.
    pub task: Task,
    /// The positive class (binary), else null.
    pub pos_label: Option<String>,
    /// Classes in label order.
    pub labels: Vec<String>,
    /// The metrics.
    pub metrics: Metrics,
    /// Calibration of the scores (null without scores).
    pub calibration: Option<Calibration>,
    /// Curves and histograms for plotting (null without scores).
    pub curves: Option<Curves>,
    /// Threshold analysis of a binary score (null otherwise).
    pub thresholds: Option<Thresholds>,
    /// 95% confidence intervals, keyed by metric path.
    pub intervals: OrderedMap<[f64; 2]>,
    /// Metrics per segment: column → segment value → metrics.
    pub segments: OrderedMap<OrderedMap<SegmentReport>>,
    /// Metrics per time (or row) window, in order (null without `--time-col` or `--window`).
    pub windows: Option<Vec<WindowReport>>,
    /// Serving latency (null without `--latency-col`).
    pub latency: Option<LatencySummary>,
    /// Things the user should know about these numbers.
    pub warnings: Vec<String>,
    /// The row audit: duplicates, ids, likely label errors, recalibration.
    pub audit: Option<AuditSummary>,
    /// The input features (`--feature-cols`), by name: shape, and drift against the reference.
    pub features: Option<OrderedMap<crate::features::compare::FeatureReport>>,
    /// Estimated performance of the rows awaiting labels (binary scores and a labelled
    /// `--reference`; null otherwise).
    pub estimated: Option<Estimated>,
}

/// Every scalar metric by its dotted path (`f1`, `macro.recall`, `per_class.cat.f1`), in the
/// order of the JSON `metrics` object: what release rules, `--max-drop` and their error
/// messages name. The confusion matrix is not a scalar and has no paths, and `beta`, the
/// F-beta score's parameter, is not a metric.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricValues(Vec<(String, Option<f64>)>);

impl MetricValues {
    /// Builds the values from `(path, value)` pairs; a non-finite value is null, as in JSON.
    pub fn from_pairs(pairs: Vec<(String, Option<f64>)>) -> MetricValues {
        MetricValues(
            pairs
                .into_iter()
                .map(|(k, v)| (k, v.filter(|x| x.is_finite())))
                .collect(),
        )
    }

    /// Adds `(path, value)` pairs after the others; a non-finite value is null.
    pub fn extend(&mut self, pairs: Vec<(String, Option<f64>)>) {
        self.0.extend(MetricValues::from_pairs(pairs).0);
    }

    /// The metric at `path`: `None` when there is no such metric, `Some(None)` when it is null.
    pub fn get(&self, path: &str) -> Option<Option<f64>> {
        self.0.iter().find(|(k, _)| k == path).map(|(_, v)| *v)
    }

    /// The values of a saved JSON `metrics` object (a saved profile's, a saved report's): every
    /// number and null by its dotted path, in the object's order; the confusion matrix has none.
    pub fn from_json(metrics: &serde_json::Value) -> MetricValues {
        use serde_json::Value;
        fn walk(v: &Value, prefix: &str, out: &mut Vec<(String, Option<f64>)>) {
            if let Value::Object(map) = v {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    match v {
                        // `beta` is the F-beta score's parameter, not a metric to gate on.
                        Value::Number(_) if path == "beta" => {}
                        Value::Number(n) => out.push((path, n.as_f64())),
                        Value::Null => out.push((path, None)),
                        Value::Object(_) if k != "confusion_matrix" => walk(v, &path, out),
                        _ => {}
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(metrics, "", &mut out);
        MetricValues(out)
    }

    /// Every path, in order.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }
}

impl Metrics {
    /// The metrics of an evaluation in their report form.
    pub fn of(evaluation: &Evaluation) -> Metrics {
        Metrics {
            labels: evaluation.metrics.clone(),
            scores: evaluation
                .scores
                .as_ref()
                .map(|s| s.metrics.clone())
                .unwrap_or_default(),
        }
    }

    /// Every scalar metric by its dotted path.
    pub fn values(&self) -> MetricValues {
        let l = &self.labels;
        let mut out: Vec<(String, Option<f64>)> = Vec::new();
        let mut put = |path: String, v: Option<f64>| out.push((path, v));
        for (name, v) in [
            ("accuracy", l.accuracy),
            ("balanced_accuracy", l.balanced_accuracy),
            ("precision", l.precision),
            ("recall", l.recall),
            ("f1", l.f1),
            ("fbeta", l.fbeta),
            ("mcc", l.mcc),
            ("cohen_kappa", l.cohen_kappa),
            ("specificity", l.specificity),
        ] {
            put(name.to_string(), v);
        }
        for (group, a) in [
            ("macro", &l.macro_avg),
            ("micro", &l.micro),
            ("weighted", &l.weighted),
        ] {
            for (name, v) in [
                ("precision", a.precision),
                ("recall", a.recall),
                ("f1", a.f1),
                ("roc_auc", a.roc_auc),
                ("average_precision", a.average_precision),
            ] {
                put(format!("{group}.{name}"), v);
            }
        }
        for (class, c) in l.per_class.iter() {
            for (name, v) in [
                ("precision", Some(c.precision)),
                ("recall", Some(c.recall)),
                ("f1", Some(c.f1)),
                ("support", Some(c.support as f64)),
                ("roc_auc", c.roc_auc),
                ("average_precision", c.average_precision),
            ] {
                put(format!("per_class.{class}.{name}"), v);
            }
        }
        let s = &self.scores;
        for (name, v) in [
            ("roc_auc", s.roc_auc),
            ("average_precision", s.average_precision),
            ("log_loss", s.log_loss),
            ("brier", s.brier),
            ("ece", s.ece),
            ("mce", s.mce),
        ] {
            put(name.to_string(), v);
        }
        MetricValues::from_pairs(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn saved_metrics_resolve_dotted_labels() {
        let m = MetricValues::from_json(&json!({"f1": 0.5, "roc_auc": null, "macro": {"f1": 0.4},
            "per_class": {"0.5": {"recall": 0.25}, "0": {"recall": 0.75}},
            "confusion_matrix": {"labels": ["0"], "matrix": [[1]]}}));
        assert_eq!(m.get("f1"), Some(Some(0.5)));
        assert_eq!(m.get("roc_auc"), Some(None));
        assert_eq!(m.get("macro.f1"), Some(Some(0.4)));
        assert_eq!(m.get("per_class.0.5.recall"), Some(Some(0.25)));
        assert_eq!(m.get("per_class.0.recall"), Some(Some(0.75)));
        assert_eq!(m.get("macro"), None);
        assert_eq!(m.get("nope"), None);
        assert!(!m.names().iter().any(|n| n.starts_with("confusion_matrix")));
        let m = MetricValues::from_json(&json!({"f1": 0.5, "beta": 2.0, "fbeta": 0.4}));
        assert_eq!(m.names(), ["f1", "fbeta"]);
    }
}
