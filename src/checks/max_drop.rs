//! `--max-drop METRIC=DELTA` in `mlguard eval`: a metric may be worse than in the reference run
//! by at most DELTA (a drop for higher-is-better metrics, a rise for `log_loss`, `brier`, `ece`
//! and `mce` — the direction `mlguard diff` uses, [`Direction`]).
//!
//! Each rule becomes a release rule on the current metrics whose bound is the reference's value
//! moved by DELTA (`>= reference − DELTA`, or `<= reference + DELTA`), judged exactly as
//! `--min`/`--max` are (with `--gate-on` and the noise-aware verdicts), under the id
//! `regression:max_drop:METRIC`. A metric that is null here or in the reference fails: the rule
//! cannot be shown to hold.

use serde::Serialize;

use super::rules::{self, Bound, GateOn, Rule, RuleError, Scope, Subject};
use super::{Check, CheckDetail, CheckId, CheckStatus, ThresholdDetail};
use crate::results::MetricValues;

/// Metrics where lower is better; every other metric is higher-is-better.
const LOWER_IS_BETTER: [&str; 4] = ["log_loss", "brier", "ece", "mce"];

/// Whether higher or lower values of a metric are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better (accuracy, f1, roc_auc, …).
    HigherIsBetter,
    /// Lower is better (log_loss, brier, ece, mce).
    LowerIsBetter,
}

impl Direction {
    /// The direction of a metric path, judged by its last component (`per_class.x.recall`).
    pub fn of(path: &str) -> Direction {
        let last = path.rsplit('.').next().unwrap_or(path);
        if LOWER_IS_BETTER.contains(&last) || LOWER_IS_BETTER.contains(&path) {
            Direction::LowerIsBetter
        } else {
            Direction::HigherIsBetter
        }
    }

    /// How much worse `new` is than `old` (negative when it is better): a drop for
    /// higher-is-better metrics, a rise for lower-is-better ones.
    pub fn worsening(self, old: f64, new: f64) -> f64 {
        match self {
            Direction::HigherIsBetter => old - new,
            Direction::LowerIsBetter => new - old,
        }
    }

    /// The worst value a metric may take when it may get worse than `old` by at most `delta`.
    pub fn worst_allowed(self, old: f64, delta: f64) -> f64 {
        match self {
            Direction::HigherIsBetter => old - delta,
            Direction::LowerIsBetter => old + delta,
        }
    }
}

/// A `--max-drop METRIC=DELTA` rule.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxDrop {
    /// Metric path in the JSON `metrics`.
    pub metric: String,
    /// The largest drop allowed (a rise, for lower-is-better metrics).
    pub delta: f64,
}

impl MaxDrop {
    /// Parses `METRIC=DELTA`.
    pub fn parse(raw: &str) -> Result<MaxDrop, RuleError> {
        let err = || RuleError::MaxDropSyntax(raw.to_string());
        let (metric, delta) = raw.split_once('=').ok_or_else(err)?;
        let delta: f64 = delta.trim().parse().map_err(|_| err())?;
        if metric.trim().is_empty() || !delta.is_finite() || delta < 0.0 {
            return Err(err());
        }
        Ok(MaxDrop {
            metric: metric.trim().to_string(),
            delta,
        })
    }
}

/// The check of one `--max-drop` rule; the metric must exist in `subject.metrics`.
pub fn check(
    rule: &MaxDrop,
    reference: &MetricValues,
    subject: &Subject<'_>,
    gate_on: GateOn,
) -> Check {
    let direction = Direction::of(&rule.metric);
    let bound = match direction {
        Direction::HigherIsBetter => Bound::Min,
        Direction::LowerIsBetter => Bound::Max,
    };
    let id = CheckId::MaxDrop {
        metric: rule.metric.clone(),
    };
    let worse = match direction {
        Direction::HigherIsBetter => "drop",
        Direction::LowerIsBetter => "rise",
    };
    let Some(old) = reference.get(&rule.metric).flatten() else {
        return Check {
            id,
            kind: "threshold",
            status: CheckStatus::Fail,
            message: format!(
                "{} is null or absent in the reference, so --max-drop {}={} cannot be checked",
                rule.metric, rule.metric, rule.delta
            ),
            detail: CheckDetail::Threshold(ThresholdDetail {
                metric: rule.metric.clone(),
                op: if bound == Bound::Min { ">=" } else { "<=" },
                threshold: f64::NAN,
                value: subject.metrics.get(&rule.metric).flatten(),
                interval: (subject.interval)(&rule.metric),
                compared: "value",
                segment: None,
                rows: subject.rows,
            }),
        };
    };
    let as_rule = Rule {
        metric: rule.metric.clone(),
        bound,
        threshold: direction.worst_allowed(old, rule.delta),
        scope: Scope::Overall,
    };
    let mut out = rules::check(&as_rule, subject, gate_on);
    out.id = id;
    out.message = format!(
        "{} (reference {:.4}, largest {worse} allowed {})",
        out.message, old, rule.delta
    );
    out
}

/// The checks of every rule; a metric the current metrics do not have is an error that lists
/// the valid names.
pub fn checks(
    list: &[MaxDrop],
    reference: &MetricValues,
    subject: &Subject<'_>,
    gate_on: GateOn,
) -> Result<Vec<Check>, RuleError> {
    list.iter()
        .map(|rule| {
            if subject.metrics.get(&rule.metric).is_none() {
                return Err(RuleError::unknown(
                    &rule.metric,
                    "--max-drop",
                    subject.metrics,
                ));
            }
            Ok(check(rule, reference, subject, gate_on))
        })
        .collect()
}
