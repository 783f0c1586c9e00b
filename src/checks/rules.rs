//! Release rules: `--min METRIC=VALUE` and `--max METRIC=VALUE`.
//!
//! A rule names any scalar of the JSON `metrics` object by its dotted path (`f1`, `macro.f1`,
//! `per_class.cat.recall`), optionally prefixed with `segment:` to apply to every segment. Rules
//! are resolved on the typed metrics ([`MetricValues`]), whose paths are the JSON object's, so
//! every metric the report shows can be gated on. A rule on a metric that is null for the input
//! fails loudly; a value whose confidence interval reaches across the threshold is said to be
//! within sampling noise.

use thiserror::Error;

use super::suggest;
use super::{Check, CheckDetail, CheckId, CheckStatus, SegmentRef, ThresholdDetail};
use crate::results::MetricValues;

/// Which side of the threshold passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The metric must be at least the threshold.
    Min,
    /// The metric must be at most the threshold.
    Max,
}

/// Where a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole input.
    Overall,
    /// Every segment of every segment column.
    EverySegment,
}

/// A release rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Metric path in the JSON `metrics`.
    pub metric: String,
    /// Min or max.
    pub bound: Bound,
    /// The threshold.
    pub threshold: f64,
    /// Where it applies.
    pub scope: Scope,
}

/// What a rule compares with its threshold (`--gate-on`; the variants' comments are its help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GateOn {
    /// The metric's value.
    Value,
    /// The lower end of its 95% interval (strict: the bar must be met beyond noise).
    Lower,
    /// The upper end of its 95% interval (lenient: fail only when clearly below).
    Upper,
}

/// A rule that cannot be parsed or names no metric.
#[derive(Debug, Error, PartialEq)]
pub enum RuleError {
    /// Not of the form METRIC=VALUE.
    #[error("rule '{0}' is not of the form METRIC=VALUE (e.g. --min f1=0.85 or --min segment:recall=0.7)")]
    Syntax(String),
    /// The value is not a number.
    #[error("rule '{0}': the threshold is not a finite number")]
    Value(String),
    /// The metric does not exist.
    #[error("unknown metric '{metric}' in {flag} {metric}=… ({hint})")]
    UnknownMetric {
        /// The name given.
        metric: String,
        /// The flag.
        flag: &'static str,
        /// The names most likely meant, and a few of the valid names.
        hint: String,
    },
    /// A parameter of a metric named as if it were one.
    #[error(
        "'{name}' in {flag} {name}=… is a parameter (set with --{name}), not a metric \
         (gate on {metric} instead, e.g. {flag} {metric}=0.8)"
    )]
    NotAMetric {
        /// The parameter's name.
        name: String,
        /// The flag.
        flag: &'static str,
        /// The metric the parameter shapes.
        metric: &'static str,
    },
    /// A comparison written into the rule that contradicts its flag (`--min f1<=0.9`).
    #[error("{}", contradiction(.raw, *.written))]
    Operator {
        /// The rule as written.
        raw: String,
        /// The bound the comparison written means.
        written: Bound,
    },
    /// A `--max-drop` rule that cannot be parsed.
    #[error(
        "--max-drop {0:?} must be METRIC=DELTA with DELTA a number >= 0 (e.g. --max-drop f1=0.02)"
    )]
    MaxDropSyntax(String),
    /// A segment rule without segment columns.
    #[error("rule '{0}' applies to segments, but no segment column was given (add --segment-col COLUMN)")]
    NoSegments(String),
}

impl RuleError {
    /// A rule of `flag` on `metric`, which `metrics` does not have: suggests the names most
    /// likely meant and lists a few valid ones. `beta`, the F-beta score's parameter, is refused
    /// as a parameter.
    pub fn unknown(metric: &str, flag: &'static str, metrics: &MetricValues) -> RuleError {
        if metric.eq_ignore_ascii_case("beta") {
            return RuleError::NotAMetric {
                name: "beta".to_string(),
                flag,
                metric: "fbeta",
            };
        }
        RuleError::UnknownMetric {
            metric: metric.to_string(),
            flag,
            hint: suggest::unknown_metric_hint(metric, &metrics.names()),
        }
    }
}

/// The message of a rule whose comparison contradicts its flag: what the flag means and the
/// flag that means what was written.
fn contradiction(raw: &str, written: Bound) -> String {
    let (op, flag, means, fix) = match written {
        Bound::Min => (">=", "--max", "<=", "--min"),
        Bound::Max => ("<=", "--min", ">=", "--max"),
    };
    let (name, value) = raw.split_once('=').unwrap_or((raw, ""));
    let metric = name.trim_end().trim_end_matches(['<', '>']).trim();
    let value = value.trim();
    format!("rule '{raw}' compares with '{op}' but {flag} means {metric} {means} VALUE (write {fix} {metric}={value})")
}

impl Rule {
    /// Parses `METRIC=VALUE` or `segment:METRIC=VALUE`. `METRIC>=VALUE` is accepted for a
    /// `--min` rule and `METRIC<=VALUE` for a `--max` rule, which mean the same; the other way
    /// round is refused with the flag that means it.
    pub fn parse(raw: &str, bound: Bound) -> Result<Rule, RuleError> {
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| RuleError::Syntax(raw.to_string()))?;
        let name = name.trim_end();
        let (name, written) = match (name.strip_suffix('>'), name.strip_suffix('<')) {
            (Some(n), _) => (n, Some(Bound::Min)),
            (_, Some(n)) => (n, Some(Bound::Max)),
            _ => (name, None),
        };
        if let Some(written) = written.filter(|w| *w != bound) {
            return Err(RuleError::Operator {
                raw: raw.to_string(),
                written,
            });
        }
        let (scope, metric) = match name.trim().strip_prefix("segment:") {
            Some(rest) => (Scope::EverySegment, rest.trim()),
            None => (Scope::Overall, name.trim()),
        };
        if metric.is_empty() {
            return Err(RuleError::Syntax(raw.to_string()));
        }
        let threshold: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| RuleError::Value(raw.to_string()))?;
        Ok(Rule {
            metric: metric.to_string(),
            bound,
            threshold,
            scope,
        })
    }

    /// The flag spelling of the rule.
    pub fn flag(&self) -> &'static str {
        match self.bound {
            Bound::Min => "--min",
            Bound::Max => "--max",
        }
    }

    /// The rule as written, e.g. `min:segment:f1=0.8`.
    pub fn id(&self) -> String {
        let bound = match self.bound {
            Bound::Min => "min",
            Bound::Max => "max",
        };
        let scope = match self.scope {
            Scope::Overall => "",
            Scope::EverySegment => "segment:",
        };
        format!("{bound}:{scope}{}={}", self.metric, self.threshold)
    }
}

/// Checks a rule against one set of metrics and intervals.
pub struct Subject<'a> {
    /// The metrics by dotted path.
    pub metrics: &'a MetricValues,
    /// Intervals keyed by metric path.
    pub interval: &'a dyn Fn(&str) -> Option<[f64; 2]>,
    /// Rows behind the metrics.
    pub rows: u64,
    /// The segment, for segment rules.
    pub segment: Option<SegmentRef>,
    /// Why the subject is skipped (e.g. too few rows), if it is.
    pub skip: Option<String>,
}

fn fmt(v: f64) -> String {
    crate::text::four_decimals(v)
}

/// Checks `rule` on `subject`.
pub fn check(rule: &Rule, subject: &Subject<'_>, gate_on: GateOn) -> Check {
    let value = subject.metrics.get(&rule.metric).flatten();
    let interval = (subject.interval)(&rule.metric);
    let (op, word) = match rule.bound {
        Bound::Min => (">=", "minimum"),
        Bound::Max => ("<=", "maximum"),
    };
    let compared_name = match (gate_on, interval) {
        (GateOn::Lower, Some(_)) => "lower",
        (GateOn::Upper, Some(_)) => "upper",
        _ => "value",
    };
    let place = subject
        .segment
        .as_ref()
        .map(|s| format!(" in segment {}={}", s.column, s.value))
        .unwrap_or_default();
    let id = CheckId::Rule {
        rule: rule.id(),
        segment: subject.segment.clone(),
    };
    let passes = |x: f64| match rule.bound {
        Bound::Min => x >= rule.threshold,
        Bound::Max => x <= rule.threshold,
    };
    let (status, message) = if let Some(reason) = &subject.skip {
        (
            CheckStatus::Skip,
            format!("{}{place} not checked: {reason}", rule.metric),
        )
    } else {
        match value {
            None => (
                CheckStatus::Fail,
                format!(
                    "{}{place} cannot be computed for this input (null), so the rule {} {} cannot pass",
                    rule.metric,
                    op,
                    fmt(rule.threshold)
                ),
            ),
            Some(v) => {
                let compared = match (compared_name, interval) {
                    ("lower", Some([lo, _])) => lo,
                    ("upper", Some([_, hi])) => hi,
                    _ => v,
                };
                let noisy = interval.is_some_and(|[lo, hi]| lo <= rule.threshold && rule.threshold <= hi);
                let ci = interval
                    .map(|[lo, hi]| format!(" (95% interval [{}, {}])", fmt(lo), fmt(hi)))
                    .unwrap_or_default();
                let what = if compared_name == "value" {
                    format!("{} = {}", rule.metric, fmt(v))
                } else {
                    format!("{} {} bound = {}", rule.metric, compared_name, fmt(compared))
                };
                if passes(compared) {
                    if noisy && compared_name == "value" {
                        (
                            CheckStatus::Warn,
                            format!(
                                "{what}{place} meets the {word} {}, but within sampling noise at n = {}{ci}",
                                fmt(rule.threshold),
                                subject.rows
                            ),
                        )
                    } else {
                        (
                            CheckStatus::Pass,
                            format!("{what}{place} meets the {word} {}{ci}", fmt(rule.threshold)),
                        )
                    }
                } else {
                    let margin = (compared - rule.threshold).abs();
                    let side = if rule.bound == Bound::Min { "below" } else { "above" };
                    let noise = if noisy {
                        format!(", but within sampling noise at n = {}", subject.rows)
                    } else if interval.is_some() {
                        ", beyond sampling noise".to_string()
                    } else {
                        String::new()
                    };
                    (
                        CheckStatus::Fail,
                        format!(
                            "{what}{place} is {side} the {word} {} by {}{ci}{noise}",
                            fmt(rule.threshold),
                            fmt(margin)
                        ),
                    )
                }
            }
        }
    };
    Check {
        id,
        kind: "threshold",
        status,
        message,
        detail: CheckDetail::Threshold(ThresholdDetail {
            metric: rule.metric.clone(),
            op,
            threshold: rule.threshold,
            value,
            interval,
            compared: compared_name,
            segment: subject.segment.clone(),
            rows: subject.rows,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules() {
        let r = Rule::parse("f1=0.85", Bound::Min).unwrap();
        assert_eq!(
            (r.metric.as_str(), r.threshold, r.scope),
            ("f1", 0.85, Scope::Overall)
        );
        let r = Rule::parse("segment:macro.f1 = 0.7", Bound::Max).unwrap();
        assert_eq!(
            (r.metric.as_str(), r.scope),
            ("macro.f1", Scope::EverySegment)
        );
        assert!(matches!(
            Rule::parse("f1", Bound::Min),
            Err(RuleError::Syntax(_))
        ));
        assert!(matches!(
            Rule::parse("f1=x", Bound::Min),
            Err(RuleError::Value(_))
        ));
        assert!(matches!(
            Rule::parse("f1=nan", Bound::Min),
            Err(RuleError::Value(_))
        ));
    }

    #[test]
    fn a_comparison_that_agrees_with_the_flag_is_accepted() {
        let r = Rule::parse("f1>=0.9", Bound::Min).unwrap();
        assert_eq!((r.metric.as_str(), r.threshold), ("f1", 0.9));
        let r = Rule::parse("segment:ece <= 0.1", Bound::Max).unwrap();
        assert_eq!(
            (r.metric.as_str(), r.threshold, r.scope),
            ("ece", 0.1, Scope::EverySegment)
        );
        let err = Rule::parse("f1<=0.9", Bound::Min).unwrap_err();
        assert!(err.to_string().ends_with("(write --max f1=0.9)"), "{err}");
        let err = Rule::parse("ece>=0.1", Bound::Max).unwrap_err();
        assert!(err.to_string().ends_with("(write --min ece=0.1)"), "{err}");
    }

    #[test]
    fn unknown_names_suggest_and_beta_is_a_parameter() {
        let m = MetricValues::from_pairs(vec![
            ("accuracy".into(), Some(0.9)),
            ("f1".into(), Some(0.8)),
            ("fbeta".into(), Some(0.8)),
        ]);
        let err = RuleError::unknown("F1", "--min", &m).to_string();
        assert!(err.contains("did you mean 'f1'?"), "{err}");
        let err = RuleError::unknown("beta", "--min", &m);
        assert!(matches!(err, RuleError::NotAMetric { .. }), "{err}");
        assert!(err.to_string().contains("--min fbeta="), "{err}");
    }

    fn subject(m: &MetricValues, interval: Option<[f64; 2]>) -> Check {
        let f = move |_: &str| interval;
        let s = Subject {
            metrics: m,
            interval: &f,
            rows: 100,
            segment: None,
            skip: None,
        };
        check(
            &Rule::parse("f1=0.8", Bound::Min).unwrap(),
            &s,
            GateOn::Value,
        )
    }

    fn f1(v: Option<f64>) -> MetricValues {
        MetricValues::from_pairs(vec![("f1".into(), v)])
    }

    #[test]
    fn statuses() {
        let m = f1(Some(0.75));
        let c = subject(&m, Some([0.7, 0.85]));
        assert_eq!(c.status, CheckStatus::Fail);
        assert!(
            c.message.contains("within sampling noise at n = 100"),
            "{}",
            c.message
        );
        let c = subject(&m, Some([0.7, 0.78]));
        assert!(c.message.contains("beyond sampling noise"), "{}", c.message);
        let m = f1(Some(0.82));
        assert_eq!(subject(&m, Some([0.78, 0.86])).status, CheckStatus::Warn);
        assert_eq!(subject(&m, Some([0.81, 0.86])).status, CheckStatus::Pass);
        let m = f1(None);
        let c = subject(&m, None);
        assert_eq!(c.status, CheckStatus::Fail);
        assert!(c.message.contains("null"));
    }
}
