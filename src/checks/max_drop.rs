//! `--max-drop METRIC=DELTA` in `mlguard eval`: a metric may be worse than in the reference run
//! by at most DELTA (a drop for higher-is-better metrics, a rise for `log_loss`, `brier`, `ece`
//! and `mce` — the direction `mlguard diff` uses, [`Direction`]).
//!
//! Each rule becomes a release rule on the current metrics whose bound is the reference's value
//! moved by DELTA (`>= reference − DELTA`, or `<= reference + DELTA`), judged exactly as
//! `--min`/`--max` are (with `--gate-on` and the noise-aware verdicts), under the id
//! `regression:max_drop:METRIC`. A metric that is null here or in the reference fails: the rule
//! cannot be shown to hold.

use serde_json::Value;

use super::rules::{self, lookup, metric_names, Bound, GateOn, Rule, RuleError, Scope, Subject};
use super::{Check, CheckDetail, CheckStatus, ThresholdDetail};
use crate::diff::{Direction, MaxDrop};

/// The check of one `--max-drop` rule; the metric must exist in `subject.metrics`.
pub fn check(rule: &MaxDrop, reference: &Value, subject: &Subject<'_>, gate_on: GateOn) -> Check {
    let direction = Direction::of(&rule.metric);
    let bound = match direction {
        Direction::HigherIsBetter => Bound::Min,
        Direction::LowerIsBetter => Bound::Max,
    };
    let id = format!("regression:max_drop:{}", rule.metric);
    let worse = match direction {
        Direction::HigherIsBetter => "drop",
        Direction::LowerIsBetter => "rise",
    };
    let Some(old) = lookup(reference, &rule.metric).flatten() else {
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
                value: lookup(subject.metrics, &rule.metric).flatten(),
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
    reference: &Value,
    subject: &Subject<'_>,
    gate_on: GateOn,
) -> Result<Vec<Check>, RuleError> {
    list.iter()
        .map(|rule| {
            if lookup(subject.metrics, &rule.metric).is_none() {
                let names = metric_names(subject.metrics);
                let shown = names.len().min(80);
                let mut valid = names[..shown].join(", ");
                if names.len() > shown {
                    valid.push_str(&format!(", … ({} more)", names.len() - shown));
                }
                return Err(RuleError::UnknownMetric {
                    metric: rule.metric.clone(),
                    flag: "--max-drop",
                    valid,
                });
            }
            Ok(check(rule, reference, subject, gate_on))
        })
        .collect()
}
