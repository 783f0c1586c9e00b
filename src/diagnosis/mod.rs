//! Diagnosis: from the checks of a report to findings that name a likely cause — data, training
//! or deployment — with the evidence and remedies, computed from the data where it allows.
//!
//! The stage reads the finished report only (its checks, metrics, thresholds and row audit), so
//! it is the same for one pass and for merged shards. Which check outcomes mean which cause is
//! data ([`causes::SIGNALS`], [`causes::CAUSES`]); what each code means is data too
//! ([`catalog::CODES`], printed by `mlguard explain`).

pub mod catalog;
pub mod causes;
pub mod explain;
pub mod fixes;
pub mod shape;

use serde::Serialize;

use crate::checks::{Check, CheckDetail, CheckId, CheckStatus, Location};
use crate::ordered_map::OrderedMap;
use crate::results::Results;
pub use catalog::Category;
use causes::{signal_of, Cause, Signal, CAUSES};

/// How urgent a finding is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; not a fault by itself.
    Info,
    /// From checks that warned.
    Warning,
    /// From checks that failed.
    Error,
}

/// What a finding rests on.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Evidence {
    /// The ids of the checks behind the finding.
    pub checks: Vec<String>,
    /// What those checks said.
    pub because: Vec<String>,
    /// Where: segment, window, class.
    pub location: Location,
    /// The numbers of each check: statistic, p-value, effect size and the rest, by check id.
    pub values: OrderedMap<OrderedMap<f64>>,
}

/// One diagnosis finding.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// Stable code, `category.name` (see `mlguard explain`).
    pub code: String,
    /// `info`, `warning` or `error`.
    pub severity: Severity,
    /// `data`, `training` or `deployment`.
    pub category: Category,
    /// What was found, and where.
    pub title: String,
    /// How strongly the evidence points to this cause, 0..1.
    pub confidence: f64,
    /// The numbers and checks behind it.
    pub evidence: Evidence,
    /// What to do, most useful first; computed remedies come before standard advice.
    pub remedies: Vec<String>,
    /// The numbers of the computed remedy (a threshold and the metrics it gives, fitted
    /// recalibration parameters and the error they leave, …), empty when none was computed.
    pub fix: OrderedMap<f64>,
    /// Line numbers of example rows (the issues export lists them all).
    pub rows: Vec<u64>,
    /// The codes of the findings this root cause explains: symptoms whose evidence it took
    /// (label noise and a lower accuracy after a break in the model, …), not reported apart.
    pub explains: Vec<String>,
}

/// How many example rows a finding lists.
pub const MAX_FINDING_ROWS: usize = 20;

/// Columns whose weak segments are deployment problems (model version, environment).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiagnosisContext {
    /// `--version-col` and `--env-col` names.
    pub deployment_columns: Vec<String>,
}

/// A check that warned or failed, and what it signals.
#[derive(Debug, Clone, Copy)]
pub struct Instance<'a> {
    /// The signal.
    pub signal: Signal,
    /// The check.
    pub check: &'a Check,
}

/// The signals of a report's checks.
fn instances<'a>(checks: &'a [Check], ctx: &DiagnosisContext) -> Vec<Instance<'a>> {
    checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Warn | CheckStatus::Fail))
        .filter_map(|check| {
            let mut signal = signal_of(&check.id)?;
            if matches!(signal, Signal::WeakSegment | Signal::SegmentDrop) {
                if let CheckDetail::Statistical(d) = &check.detail {
                    let column = d.location.segment.as_ref().map(|s| s.column.as_str());
                    if column.is_some_and(|c| ctx.deployment_columns.iter().any(|d| d == c)) {
                        signal = Signal::VersionGap;
                    }
                }
            }
            Some(Instance { signal, check })
        })
        .collect()
}

/// The location of a check, if it has one.
fn location_of(check: &Check) -> Location {
    match &check.detail {
        CheckDetail::Statistical(d) => d.location.clone(),
        CheckDetail::Threshold(d) => Location {
            segment: d.segment.clone(),
            ..Location::default()
        },
    }
}

/// The numbers of a check, by name.
fn numbers_of(check: &Check) -> OrderedMap<f64> {
    let mut out = Vec::new();
    match &check.detail {
        CheckDetail::Statistical(d) => {
            out.extend(d.statistic.map(|v| ("statistic".to_string(), v)));
            out.extend(d.p_value.map(|v| ("p_value".to_string(), v)));
            out.extend(d.effect_size.map(|v| (d.effect.to_string(), v)));
            out.push(("n".to_string(), d.n as f64));
            out.extend(d.n_reference.map(|v| ("n_reference".to_string(), v as f64)));
            out.extend(d.values.iter().cloned());
        }
        CheckDetail::Threshold(d) => {
            out.extend(d.value.map(|v| ("value".to_string(), v)));
            out.push(("threshold".to_string(), d.threshold));
            out.push(("rows".to_string(), d.rows as f64));
        }
    }
    OrderedMap(out)
}

/// A short text for a location, if any.
fn place(loc: &Location) -> Option<String> {
    if let Some(feature) = &loc.feature {
        // A feature moved from a time on: "since", in its segment if confined to one.
        let rest = place(&Location {
            feature: None,
            window: None,
            ..loc.clone()
        });
        let since = loc
            .window
            .as_ref()
            .map_or_else(String::new, |w| format!(" since {w}"));
        return Some(match rest {
            Some(rest) => format!("feature {feature}, {rest}{since}"),
            None => format!("feature {feature}{since}"),
        });
    }
    if let Some(s) = &loc.segment {
        return Some(match &loc.window {
            Some(w) => format!("{}={} from {w}", s.column, s.value),
            None => format!("{}={}", s.column, s.value),
        });
    }
    if let Some(w) = &loc.window {
        return Some(format!("at {w}"));
    }
    loc.class.as_ref().map(|c| format!("class {c}"))
}

/// The finding a cause raises from the checks behind it.
fn raise(cause: &Cause, behind: &[Instance<'_>], results: &Results) -> Finding {
    let info = catalog::info(cause.code).expect("every cause is in the catalogue");
    let mut evidence = Evidence::default();
    for i in behind {
        // Keys stay unique when one check id was raised in several places.
        let id = i.check.id.to_string();
        let key = if evidence.checks.contains(&id) {
            match place(&location_of(i.check)) {
                Some(p) => format!("{id} {p}"),
                None => format!("{id} #{}", evidence.checks.len() + 1),
            }
        } else {
            id.clone()
        };
        evidence.checks.push(id);
        evidence.because.push(i.check.message.clone());
        evidence.values.0.push((key, numbers_of(i.check)));
        if evidence.location == Location::default() {
            evidence.location = location_of(i.check);
        }
    }
    let failed = behind.iter().any(|i| i.check.status == CheckStatus::Fail);
    let severity = if failed {
        Severity::Error
    } else {
        Severity::Warning
    }
    .min(cause_ceiling(cause.code));
    let title = title_of(info.summary, &evidence.location);
    let computed = fixes::compute(cause.code, results, &evidence);
    let mut remedies = computed.remedies;
    remedies.extend(info.remedies.iter().map(|r| r.to_string()));
    Finding {
        code: cause.code.to_string(),
        severity,
        category: info.category,
        title,
        confidence: cause.confidence,
        evidence,
        remedies,
        fix: computed.values,
        rows: computed.rows,
        explains: Vec::new(),
    }
}

/// A finding's title: the code's summary and its place.
fn title_of(summary: &str, location: &Location) -> String {
    match place(location) {
        Some(p) => format!("{summary} ({p})"),
        None => summary.to_string(),
    }
}

/// How much a severity weighs in the ranking: a warning the evidence points to firmly ranks
/// above an error it points to weakly.
fn weight(severity: Severity) -> f64 {
    match severity {
        Severity::Error => 1.0,
        Severity::Warning => 0.9,
        Severity::Info => 0.5,
    }
}

/// The ranking key of a finding: its confidence times the weight of its severity.
pub fn rank(f: &Finding) -> f64 {
    f.confidence * weight(f.severity)
}

/// The highest severity a code may have: facts about the data that are not faults by
/// themselves stay informational.
fn cause_ceiling(code: &str) -> Severity {
    match code {
        // Which threshold is best depends on the costs of each error, which the data does not
        // say: the F1-best threshold is information, not a fault.
        "data.class_imbalance" | "training.threshold" => Severity::Info,
        _ => Severity::Error,
    }
}

/// The findings of a run's checks: root causes with the symptoms they explain, ordered by
/// [`rank`] (confidence times the weight of the severity), strongest first.
pub fn diagnose(results: &Results, checks: &[Check], ctx: &DiagnosisContext) -> Vec<Finding> {
    let found = instances(checks, ctx);
    let present = |s: &Signal| found.iter().any(|i| i.signal == *s);
    let mut findings: Vec<Finding> = Vec::new();
    let mut superseded: Vec<&str> = Vec::new();
    for cause in CAUSES {
        let raised = findings.iter().any(|f| f.code == cause.code);
        if raised
            || !cause.all.iter().all(present)
            || cause.none.iter().any(present)
            || !(cause.any.is_empty() || cause.any.iter().any(present))
        {
            continue;
        }
        if let [only] = cause.all {
            // One finding per check group: a check raised in several places of one group
            // (worse windows) is one finding whose evidence lists them all.
            let of: Vec<Instance<'_>> = found
                .iter()
                .filter(|i| i.signal == *only)
                .copied()
                .collect();
            let mut groups: Vec<CheckId> = Vec::new();
            for i in &of {
                let group = i.check.id.group();
                if !groups.contains(&group) {
                    groups.push(group);
                }
            }
            for group in groups {
                let behind: Vec<Instance<'_>> = of
                    .iter()
                    .filter(|i| i.check.id.group() == group)
                    .copied()
                    .collect();
                findings.push(raise(cause, &behind, results));
            }
        } else {
            let behind: Vec<Instance<'_>> = found
                .iter()
                .filter(|i| cause.all.contains(&i.signal))
                .copied()
                .collect();
            findings.push(raise(cause, &behind, results));
        }
        superseded.extend(cause.supersedes);
    }
    // A superseded code leaves unless it was located in time or in a segment: a concept drift
    // that rose over days is not the unplaced drift another cause makes redundant.
    findings.retain(|f| {
        let loc = &f.evidence.location;
        !superseded.contains(&f.code.as_str()) || loc.window.is_some() || loc.segment.is_some()
    });
    let noise_first = results
        .calibration
        .as_ref()
        .and_then(shape::noise_floor_fits_better)
        .unwrap_or(true);
    explain::explain_away(&mut findings, noise_first);
    for f in &mut findings {
        // A root may have taken a place from what it explains: title and remedies follow it.
        if let Some(info) = catalog::info(&f.code) {
            f.title = title_of(info.summary, &f.evidence.location);
            let computed = fixes::compute(&f.code, results, &f.evidence);
            f.remedies = computed.remedies;
            f.remedies
                .extend(info.remedies.iter().map(|r| r.to_string()));
            f.fix = computed.values;
            f.rows = computed.rows;
        }
        f.explains.dedup();
    }
    findings.sort_by(|a, b| {
        rank(b)
            .total_cmp(&rank(a))
            .then(b.severity.cmp(&a.severity))
            .then(a.code.cmp(&b.code))
    });
    findings
}
