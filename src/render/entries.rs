//! Checks and findings as the JSON contract shows them.
//!
//! Every renderer (and `mlguard diff`, which reads saved JSON reports) needs the same few facts
//! of a check — its status, metric, threshold, value and interval — and of a finding — its code,
//! title, severity, details and remedies. Renderers take them from the typed checks and
//! findings ([`CheckEntry::of`], [`FindingEntry::of`]); only a saved report's JSON is read back
//! ([`CheckEntry::from_json`], [`FindingEntry::from_json`]), and both give the same entries.

use serde_json::{Map, Value};

use crate::checks::{Check, CheckDetail, CheckStatus};
use crate::diagnosis::{Finding, Severity};

/// The facts of one check that renderers show.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckEntry {
    /// Stable identifier.
    pub id: String,
    /// `threshold` or `statistical`.
    pub kind: String,
    /// The outcome.
    pub status: CheckStatus,
    /// What happened, in one sentence.
    pub message: String,
    /// The metric checked, if any.
    pub metric: Option<String>,
    /// `>=` or `<=`, for threshold rules.
    pub op: Option<String>,
    /// The rule's threshold.
    pub threshold: Option<f64>,
    /// The metric's value (None also when it is null).
    pub value: Option<f64>,
    /// Its 95% interval.
    pub interval: Option<[f64; 2]>,
    /// What was compared with the threshold: `value`, `lower` or `upper`.
    pub compared: Option<String>,
    /// The segment (column, value) the check applies to.
    pub segment: Option<(String, String)>,
    /// Rows behind the value.
    pub rows: Option<u64>,
}

fn status_of(text: &str) -> CheckStatus {
    match text {
        "pass" => CheckStatus::Pass,
        "warn" => CheckStatus::Warn,
        "skip" => CheckStatus::Skip,
        _ => CheckStatus::Fail,
    }
}

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(Value::as_str).map(String::from)
}

fn interval(v: Option<&Value>) -> Option<[f64; 2]> {
    let pair = v?.as_array()?;
    match pair.as_slice() {
        [lo, hi] => Some([lo.as_f64()?, hi.as_f64()?]),
        _ => None,
    }
}

impl CheckEntry {
    /// Reads a check from its JSON form; None when it is not an object with an id.
    pub fn from_json(v: &Value) -> Option<CheckEntry> {
        let map = v.as_object()?;
        let segment = map.get("segment").and_then(Value::as_object).map(|s| {
            (
                text(s, "column").unwrap_or_default(),
                text(s, "value").unwrap_or_default(),
            )
        });
        Some(CheckEntry {
            id: text(map, "id")?,
            kind: text(map, "kind").unwrap_or_default(),
            status: status_of(&text(map, "status").unwrap_or_default()),
            message: text(map, "message").unwrap_or_default(),
            metric: text(map, "metric"),
            op: text(map, "op"),
            threshold: map.get("threshold").and_then(Value::as_f64),
            value: map.get("value").and_then(Value::as_f64),
            interval: interval(map.get("interval")),
            compared: text(map, "compared"),
            segment,
            rows: map.get("rows").and_then(Value::as_u64),
        })
    }

    /// The entry of a check.
    pub fn of(check: &Check) -> CheckEntry {
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        let mut entry = CheckEntry {
            id: check.id.to_string(),
            kind: check.kind.to_string(),
            status: check.status,
            message: check.message.clone(),
            metric: None,
            op: None,
            threshold: None,
            value: None,
            interval: None,
            compared: None,
            segment: None,
            rows: None,
        };
        if let CheckDetail::Threshold(d) = &check.detail {
            entry.metric = Some(d.metric.clone());
            entry.op = Some(d.op.to_string());
            entry.threshold = finite(Some(d.threshold));
            entry.value = finite(d.value);
            entry.interval = d
                .interval
                .filter(|[lo, hi]| lo.is_finite() && hi.is_finite());
            entry.compared = Some(d.compared.to_string());
            entry.segment = d
                .segment
                .as_ref()
                .map(|s| (s.column.clone(), s.value.clone()));
            entry.rows = Some(d.rows);
        }
        entry
    }

    /// Every check of a list, in order.
    pub fn all(checks: &[Check]) -> Vec<CheckEntry> {
        checks.iter().map(CheckEntry::of).collect()
    }

    /// The rule in words, e.g. `f1 ≥ 0.8500` or `recall ≥ 0.7000 [segment=partner]`.
    pub fn rule(&self) -> String {
        let mut out = match (&self.metric, &self.op, self.threshold) {
            (Some(m), Some(op), Some(t)) => {
                let op = match op.as_str() {
                    ">=" => "≥",
                    "<=" => "≤",
                    other => other,
                };
                format!("{m} {op} {t:.4}")
            }
            (Some(m), _, _) => m.clone(),
            _ => self.id.clone(),
        };
        if let Some((column, value)) = &self.segment {
            out.push_str(&format!(" [{column}={value}]"));
        }
        out
    }

    /// The signed distance of the compared value from the threshold (negative: on the failing
    /// side), when both are known.
    pub fn margin(&self) -> Option<f64> {
        let compared = match (self.compared.as_deref(), self.interval) {
            (Some("lower"), Some([lo, _])) => lo,
            (Some("upper"), Some([_, hi])) => hi,
            _ => self.value?,
        };
        let t = self.threshold?;
        match self.op.as_deref() {
            Some("<=") => Some(t - compared),
            _ => Some(compared - t),
        }
    }

    /// Whether the threshold lies inside the interval (the outcome is within sampling noise).
    pub fn within_noise(&self) -> Option<bool> {
        let [lo, hi] = self.interval?;
        let t = self.threshold?;
        Some(lo <= t && t <= hi)
    }
}

/// The word for a status.
pub fn status_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "pass",
        CheckStatus::Warn => "warn",
        CheckStatus::Skip => "skip",
        CheckStatus::Fail => "fail",
    }
}

/// Checks ordered for people: failures first, then warnings, skips and passes, each in report
/// order.
pub fn by_urgency(checks: &[CheckEntry]) -> Vec<&CheckEntry> {
    let rank = |s: CheckStatus| match s {
        CheckStatus::Fail => 0,
        CheckStatus::Warn => 1,
        CheckStatus::Skip => 2,
        CheckStatus::Pass => 3,
    };
    let mut out: Vec<&CheckEntry> = checks.iter().collect();
    out.sort_by_key(|c| rank(c.status));
    out
}

/// A diagnosis finding, whatever fields it has.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingEntry {
    /// Stable code.
    pub code: String,
    /// What was found.
    pub title: String,
    /// Its severity, when the finding has one.
    pub severity: Option<String>,
    /// What to do about it: the `remedies` (or `remedy`) field, when there is one.
    pub remedies: Vec<String>,
    /// Every other field, as (name, text), in the finding's order.
    pub details: Vec<(String, String)>,
}

/// A JSON value as one line of text.
fn flat(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_string(),
        Value::Array(items) => items.iter().map(flat).collect::<Vec<_>>().join("; "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", flat(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Whether a value shows nothing: null, or an empty string, list or object.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A number, short: integers as such, others to 4 significant decimals.
fn short_number(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Some(x) => format!("{x:.4}"),
        None => flat(v),
    }
}

/// An object of numbers as `name = value` pairs.
fn numbers(v: &Value) -> String {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} = {}", short_number(v)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Example line numbers, the first ten.
fn lines(v: &Value) -> String {
    let all: Vec<String> = v
        .as_array()
        .map(|a| a.iter().map(short_number).collect())
        .unwrap_or_default();
    let mut out = all.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > 10 {
        out.push_str(&format!(", … ({} in all)", all.len()));
    }
    out
}

/// A finding's evidence as details: what the checks said and where (the raw numbers stay in
/// the JSON report).
fn evidence(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(because) = v.get("because").filter(|b| !is_empty(b)) {
        out.push(("evidence".to_string(), flat(because)));
    } else if let Some(checks) = v.get("checks").filter(|c| !is_empty(c)) {
        out.push(("checks".to_string(), flat(checks)));
    }
    if let Some(loc) = v.get("location").and_then(Value::as_object) {
        let place: Vec<String> = loc
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                Value::Object(s) => format!(
                    "{k} {}={}",
                    s.get("column").map(flat).unwrap_or_default(),
                    s.get("value").map(flat).unwrap_or_default()
                ),
                other => format!("{k} {}", flat(other)),
            })
            .collect();
        if !place.is_empty() {
            out.push(("where".to_string(), place.join(", ")));
        }
    }
    if out.is_empty() {
        out.push(("evidence".to_string(), flat(v)));
    }
    out
}

impl FindingEntry {
    /// Reads a finding from its JSON form.
    pub fn from_json(v: &Value) -> Option<FindingEntry> {
        let map = v.as_object()?;
        let mut entry = FindingEntry {
            code: text(map, "code").unwrap_or_default(),
            title: text(map, "title").unwrap_or_default(),
            severity: text(map, "severity"),
            remedies: Vec::new(),
            details: Vec::new(),
        };
        for (key, value) in map {
            match key.as_str() {
                "code" | "title" | "severity" => {}
                "remedies" | "remedy" => match value {
                    Value::Array(items) => entry.remedies.extend(items.iter().map(flat)),
                    Value::Null => {}
                    other => entry.remedies.push(flat(other)),
                },
                _ if is_empty(value) => {}
                "evidence" if value.is_object() => entry.details.extend(evidence(value)),
                "confidence" => entry.details.push((
                    key.clone(),
                    value
                        .as_f64()
                        .map_or_else(|| flat(value), |c| format!("{c:.2}")),
                )),
                "fix" if value.is_object() => entry.details.push((key.clone(), numbers(value))),
                "rows" => entry.details.push(("lines".to_string(), lines(value))),
                _ => entry.details.push((key.clone(), flat(value))),
            }
        }
        Some(entry)
    }

    /// The entry of a finding: the same as [`FindingEntry::from_json`] of its JSON form.
    pub fn of(f: &Finding) -> FindingEntry {
        let severity = match f.severity {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let mut details = vec![("category".to_string(), f.category.name().to_string())];
        if f.confidence.is_finite() {
            details.push(("confidence".to_string(), format!("{:.2}", f.confidence)));
        }
        let e = &f.evidence;
        let mut evidence = Vec::new();
        if !e.because.is_empty() {
            evidence.push(("evidence".to_string(), e.because.join("; ")));
        } else if !e.checks.is_empty() {
            evidence.push(("checks".to_string(), e.checks.join("; ")));
        }
        let loc = &e.location;
        let mut place: Vec<String> = Vec::new();
        if let Some(s) = &loc.segment {
            place.push(format!("segment {}={}", s.column, s.value));
        }
        if let Some(w) = &loc.window {
            place.push(format!("window {w}"));
        }
        if let Some(c) = &loc.class {
            place.push(format!("class {c}"));
        }
        if !place.is_empty() {
            evidence.push(("where".to_string(), place.join(", ")));
        }
        if evidence.is_empty() {
            let v = serde_json::to_value(e).unwrap_or(Value::Null);
            evidence.push(("evidence".to_string(), flat(&v)));
        }
        details.extend(evidence);
        let short = |x: f64| -> String {
            if !x.is_finite() {
                "-".to_string()
            } else if x.fract() == 0.0 && x.abs() < 1e15 {
                format!("{x:.0}")
            } else {
                format!("{x:.4}")
            }
        };
        if !f.fix.0.is_empty() {
            let pairs: Vec<String> = f
                .fix
                .iter()
                .map(|(k, v)| format!("{k} = {}", short(*v)))
                .collect();
            details.push(("fix".to_string(), pairs.join(", ")));
        }
        if !f.rows.is_empty() {
            let mut out = f
                .rows
                .iter()
                .take(10)
                .map(|&r| short(r as f64))
                .collect::<Vec<_>>()
                .join(", ");
            if f.rows.len() > 10 {
                out.push_str(&format!(", … ({} in all)", f.rows.len()));
            }
            details.push(("lines".to_string(), out));
        }
        FindingEntry {
            code: f.code.clone(),
            title: f.title.clone(),
            severity: Some(severity.to_string()),
            remedies: f.remedies.clone(),
            details,
        }
    }

    /// Every finding of a list, in order.
    pub fn all(findings: &[Finding]) -> Vec<FindingEntry> {
        findings.iter().map(FindingEntry::of).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_threshold_check() {
        let c = CheckEntry::from_json(&json!({
            "id": "rule:min:f1=0.8", "kind": "threshold", "status": "fail",
            "message": "m", "metric": "f1", "op": ">=", "threshold": 0.8, "value": 0.7,
            "interval": [0.65, 0.82], "compared": "value",
            "segment": {"column": "country", "value": "fr"}, "rows": 10
        }))
        .unwrap();
        assert_eq!(c.status, CheckStatus::Fail);
        assert_eq!(c.rule(), "f1 ≥ 0.8000 [country=fr]");
        assert!((c.margin().unwrap() + 0.1).abs() < 1e-12);
        assert_eq!(c.within_noise(), Some(true));
    }

    #[test]
    fn reads_any_finding() {
        let f = FindingEntry::from_json(&json!({
            "code": "X1", "title": "t", "severity": "warning", "evidence": {"psi": 0.3},
            "remedies": ["retrain", "check the feed"], "extra": null
        }))
        .unwrap();
        assert_eq!(f.severity.as_deref(), Some("warning"));
        assert_eq!(f.remedies.len(), 2);
        assert_eq!(
            f.details,
            vec![("evidence".to_string(), "psi: 0.3".to_string())]
        );
    }

    #[test]
    fn typed_entries_equal_the_entries_of_their_json() {
        use crate::checks::{CheckId, Location, SegmentRef, StatisticalDetail, ThresholdDetail};
        use crate::diagnosis::{Category, Evidence};
        use crate::ordered_map::OrderedMap;
        let seg = SegmentRef {
            column: "region".into(),
            value: "eu".into(),
        };
        let checks = vec![
            Check {
                id: CheckId::MaxDrop {
                    metric: "f1".into(),
                },
                kind: "threshold",
                status: CheckStatus::Fail,
                message: "m".into(),
                detail: CheckDetail::Threshold(ThresholdDetail {
                    metric: "f1".into(),
                    op: ">=",
                    threshold: f64::NAN,
                    value: Some(0.5),
                    interval: Some([0.4, 0.6]),
                    compared: "value",
                    segment: Some(seg.clone()),
                    rows: 7,
                }),
            },
            Check {
                id: CheckId::Windows,
                kind: "statistical",
                status: CheckStatus::Pass,
                message: "n".into(),
                detail: CheckDetail::Statistical(StatisticalDetail {
                    test: "t",
                    statistic: Some(1.0),
                    p_value: None,
                    effect_size: None,
                    effect: "e",
                    n: 3,
                    n_reference: None,
                    location: Location::default(),
                    values: OrderedMap::default(),
                }),
            },
        ];
        for c in &checks {
            let json = CheckEntry::from_json(&serde_json::to_value(c).unwrap()).unwrap();
            assert_eq!(CheckEntry::of(c), json);
        }
        let finding = Finding {
            code: "deployment.version_gap".into(),
            severity: Severity::Warning,
            category: Category::Deployment,
            title: "t".into(),
            confidence: 0.75,
            evidence: Evidence {
                checks: vec!["a".into(), "b".into()],
                because: vec!["x".into(), "y".into()],
                location: Location {
                    segment: Some(seg),
                    window: Some("w".into()),
                    class: None,
                    feature: None,
                },
                values: OrderedMap::default(),
            },
            remedies: vec!["r".into()],
            fix: OrderedMap(vec![("threshold".into(), 0.25), ("rows".into(), 12.0)]),
            rows: (1..=12).collect(),
            explains: Vec::new(),
        };
        let json = FindingEntry::from_json(&serde_json::to_value(&finding).unwrap()).unwrap();
        assert_eq!(FindingEntry::of(&finding), json);
    }
}
