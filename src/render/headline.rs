//! The headline metrics every report format leads with, with their 95% intervals: the same list,
//! names and order in Markdown, HTML and JUnit, so readers of each see the same numbers.

use crate::metrics::latency::LatencySummary;
use crate::report::Report;

/// One headline metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Its path in the JSON `metrics` (and `intervals`).
    pub key: &'static str,
    /// Its name for people.
    pub name: String,
    /// Its value (None when it cannot be computed for this input).
    pub value: Option<f64>,
    /// Its 95% interval, when one is known.
    pub interval: Option<[f64; 2]>,
}

/// The headline metrics of a report: label metrics, then score metrics when there are scores.
pub fn headline(report: &Report) -> Vec<Headline> {
    let m = &report.results.metrics.labels;
    let s = &report.results.metrics.scores;
    let binary = report.results.pos_label.is_some();
    let avg = if binary { "" } else { " (macro)" };
    let mut rows: Vec<(&'static str, String, Option<f64>)> = vec![
        ("accuracy", "accuracy".into(), m.accuracy),
        (
            "balanced_accuracy",
            "balanced accuracy".into(),
            m.balanced_accuracy,
        ),
        ("precision", format!("precision{avg}"), m.precision),
        ("recall", format!("recall{avg}"), m.recall),
        ("f1", format!("f1{avg}"), m.f1),
    ];
    if m.beta != 1.0 {
        rows.push(("fbeta", format!("f{} score{avg}", m.beta), m.fbeta));
    }
    if binary {
        rows.push(("specificity", "specificity".into(), m.specificity));
    }
    rows.push(("mcc", "mcc".into(), m.mcc));
    rows.push(("cohen_kappa", "cohen kappa".into(), m.cohen_kappa));
    if report.results.calibration.is_some() {
        let ovr = if binary { "" } else { " (macro ovr)" };
        rows.extend([
            ("roc_auc", format!("roc auc{ovr}"), s.roc_auc),
            (
                "average_precision",
                format!("average precision{ovr}"),
                s.average_precision,
            ),
            ("log_loss", "log loss".into(), s.log_loss),
            ("brier", "brier".into(), s.brier),
            ("ece", "ece".into(), s.ece),
            ("mce", "mce".into(), s.mce),
        ]);
    }
    rows.into_iter()
        .map(|(key, name, value)| Headline {
            key,
            name,
            value,
            interval: report.results.intervals.get(key).copied(),
        })
        .collect()
}

/// A metric with four decimals, `-` when undefined.
pub fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"))
}

/// An interval as `[lo, hi]` with four decimals, empty when unknown.
pub fn interval(v: Option<[f64; 2]>) -> String {
    v.map_or_else(String::new, |[lo, hi]| format!("[{lo:.4}, {hi:.4}]"))
}

/// The task's name as in the JSON report.
pub fn task_name(report: &Report) -> String {
    serde_json::to_value(report.results.task)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The columns of the features table every format shows.
pub const FEATURE_COLUMNS: [&str; 6] =
    ["feature", "kind", "missing", "distinct", "psi", "ks / chi²"];

/// Features listed at most in a report, most drifted first.
pub const FEATURES_SHOWN: usize = 15;

/// The rows of the features table every format shows: most drifted first (by PSI against the
/// reference), else in their order; each the cells of [`FEATURE_COLUMNS`].
pub fn feature_rows(
    features: &crate::ordered_map::OrderedMap<crate::features::compare::FeatureReport>,
) -> Vec<[String; 6]> {
    use crate::features::compare::{FeatureKind, FeatureReport};
    let psi = |r: &FeatureReport| r.drift.as_ref().map_or(0.0, |d| d.psi);
    let mut rows: Vec<_> = features.iter().collect();
    rows.sort_by(|a, b| psi(&b.1).total_cmp(&psi(&a.1)));
    rows.into_iter()
        .map(|(name, r)| {
            let (psi, stat) = match &r.drift {
                Some(d) => (format!("{:.3}", d.psi), format!("{:.3}", d.statistic)),
                None => ("-".to_string(), "-".to_string()),
            };
            let kind = match r.kind {
                FeatureKind::Numeric => "numeric",
                FeatureKind::Categorical => "categorical",
            };
            [
                name.clone(),
                kind.to_string(),
                format!("{:.1}%", 100.0 * r.shape.missing_share),
                r.shape.distinct.to_string(),
                psi,
                stat,
            ]
        })
        .collect()
}

/// The serving-latency figures every format shows, in order: (name, value in ms or `-`).
pub fn latency_cells(l: &LatencySummary) -> [(&'static str, String); 5] {
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.1} ms"));
    [
        ("mean", ms(l.mean_ms)),
        ("p50", ms(l.p50_ms)),
        ("p95", ms(l.p95_ms)),
        ("p99", ms(l.p99_ms)),
        ("max", ms(l.max_ms)),
    ]
}
