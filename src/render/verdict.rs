//! The verdict's list of what failed the gate, as every renderer shows it first: one line per
//! failing check, except that repeated failures of one check — worse windows, weak segments of
//! one column, one per-segment rule, per-class probability drift — are folded into one line
//! with their count and the worst few places. The full list stays in the report's checks.
//!
//! Which failures repeat one check is decided on the typed [`CheckId`] by an exhaustive
//! `match`, so a new kind of check must say whether it repeats before the code compiles.

use std::collections::HashMap;

use crate::checks::{Check, CheckDetail, CheckId, CheckStatus};
use crate::report::Report;
use crate::text::{count, four_decimals};

/// Places named in a folded line.
pub const WORST_SHOWN: usize = 3;

/// One line of the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictLine {
    /// The worst status among the failures it stands for.
    pub status: CheckStatus,
    /// The line: a failing check's message, or a folded summary.
    pub text: String,
    /// How many failing checks it stands for.
    pub checks: usize,
    /// The id of the check it stands for, or of the repeated check it folds (`window:worse`,
    /// `segment:COLUMN:weak`, `rule:RULE`, `drift:proba`).
    pub id: String,
}

/// A check that can fail in many places, each place a check of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repeated {
    /// Windows worse than the rows before them.
    WorseWindows,
    /// Weak segments of one column.
    WeakSegments(String),
    /// One rule applied to every segment.
    SegmentRule(String),
    /// Per-class probability drift.
    ProbaDrift,
}

/// The repeated check `id` is one place of, if it is one.
fn repeated(id: &CheckId) -> Option<Repeated> {
    match id {
        CheckId::WorseWindow { .. } => Some(Repeated::WorseWindows),
        CheckId::WeakSegment { segment } => Some(Repeated::WeakSegments(segment.column.clone())),
        CheckId::Rule {
            rule,
            segment: Some(_),
        } => Some(Repeated::SegmentRule(rule.clone())),
        CheckId::ProbaDrift { .. } => Some(Repeated::ProbaDrift),
        CheckId::Rule { segment: None, .. }
        | CheckId::Missing
        | CheckId::LabelDelay
        | CheckId::GradualChange
        | CheckId::ScoreChange
        | CheckId::SegmentScores { .. }
        | CheckId::Duplicates
        | CheckId::DuplicateIds
        | CheckId::ConflictingLabels
        | CheckId::Classes
        | CheckId::Imbalance
        | CheckId::LabelNoise
        | CheckId::InvalidScores
        | CheckId::DegeneratePredictions
        | CheckId::PredictionDistribution
        | CheckId::ScoreOutliers
        | CheckId::ScoreSaturation
        | CheckId::ProbabilitySums
        | CheckId::ScoreDrift
        | CheckId::EstimatedDrop
        | CheckId::PredictionDrift
        | CheckId::LabelDrift
        | CheckId::AccuracyRegression
        | CheckId::PairedRegression
        | CheckId::MaxDrop { .. }
        | CheckId::SegmentsOf { .. }
        | CheckId::ChangePoint
        | CheckId::Windows
        | CheckId::Overfitting
        | CheckId::Baseline
        | CheckId::Calibration
        | CheckId::Threshold
        | CheckId::Latency { .. }
        | CheckId::SegmentDrop { .. }
        | CheckId::SegmentMix { .. }
        | CheckId::InvertedScores { .. }
        | CheckId::ClassPermutation
        | CheckId::ScoreResolution
        | CheckId::FeatureQuality { .. }
        | CheckId::FeatureDrift { .. }
        | CheckId::Features => None,
    }
}

impl Repeated {
    /// The id a folded line goes by.
    fn id(&self) -> String {
        match self {
            Repeated::WorseWindows => CheckId::Windows.to_string(),
            Repeated::WeakSegments(column) => CheckId::SegmentsOf {
                column: column.clone(),
            }
            .to_string(),
            Repeated::SegmentRule(rule) => format!("rule:{rule}"),
            Repeated::ProbaDrift => "drift:proba".to_string(),
        }
    }
}

/// Where a repeated check failed, and how badly: higher is worse.
fn place(check: &Check) -> (String, f64, String) {
    let name = match &check.id {
        CheckId::WorseWindow { start } => start.clone(),
        CheckId::WeakSegment { segment }
        | CheckId::Rule {
            segment: Some(segment),
            ..
        } => format!("{}={}", segment.column, segment.value),
        CheckId::ProbaDrift { class } => format!("class '{class}'"),
        other => other.to_string(),
    };
    match &check.detail {
        CheckDetail::Threshold(d) => {
            let margin = match d.value {
                Some(v) if d.op == "<=" => v - d.threshold,
                Some(v) => d.threshold - v,
                None => f64::INFINITY,
            };
            let value = d.value.map_or("null".to_string(), four_decimals);
            let metric = d.metric.rsplit('.').next().unwrap_or(&d.metric);
            (name, margin, format!("{metric} {value}"))
        }
        CheckDetail::Statistical(d) => {
            let effect = d.effect_size.unwrap_or(0.0);
            let evidence = match d.effect {
                "difference" => format!("accuracy {} lower", four_decimals(effect)),
                other => format!("{} {}", other.replace('_', " "), four_decimals(effect)),
            };
            (name, effect, evidence)
        }
    }
}

/// The folded line of `n` failures of a repeated check, the worst places first.
fn folded(kind: &Repeated, checks: &[&Check]) -> String {
    let mut places: Vec<(String, f64, String)> = checks.iter().map(|c| place(c)).collect();
    places.sort_by(|a, b| b.1.total_cmp(&a.1));
    let n = checks.len();
    let what = match kind {
        Repeated::WorseWindows => {
            format!("{} are worse than the rows before them", count(n, "window"))
        }
        Repeated::WeakSegments(column) => format!("{} of {column} are weak", count(n, "segment")),
        Repeated::SegmentRule(rule) => match &checks[0].detail {
            CheckDetail::Threshold(d) => format!(
                "{} is {} {} in {}",
                d.metric,
                if d.op == "<=" {
                    "above the maximum"
                } else {
                    "below the minimum"
                },
                four_decimals(d.threshold),
                count(n, "segment")
            ),
            CheckDetail::Statistical(_) => {
                format!("rule {rule} fails in {}", count(n, "segment"))
            }
        },
        Repeated::ProbaDrift => format!(
            "probabilities of {} drifted against the reference",
            count(n, "class")
        ),
    };
    let worst: Vec<String> = places
        .iter()
        .take(WORST_SHOWN)
        .map(|(name, _, evidence)| format!("{name} ({evidence})"))
        .collect();
    let rest = n.saturating_sub(WORST_SHOWN);
    let more = if rest > 0 {
        format!("; {rest} more among the checks")
    } else {
        String::new()
    };
    format!("{what}; worst: {}{more}", worst.join(", "))
}

/// The verdict's lines: the gate's failures in order, repeated failures of one check folded
/// into one line at the place of the first.
pub fn lines(report: &Report) -> Vec<VerdictLine> {
    let by_id: HashMap<String, &Check> = report
        .checks
        .iter()
        .map(|c| (c.id.to_string(), c))
        .collect();
    let failing: Vec<Failure> = report
        .gate
        .failures
        .iter()
        .map(|f| Failure {
            id: &f.id,
            message: &f.message,
            status: f.status,
            check: by_id.get(&f.id).copied(),
        })
        .collect();
    fold(&failing)
}

/// One failure to fold: a failing check, or a gate failure whose check is not in the report.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    /// The check's id.
    pub id: &'a str,
    /// What happened, in one sentence.
    pub message: &'a str,
    /// The check's status.
    pub status: CheckStatus,
    /// The check, when the report has it.
    pub check: Option<&'a Check>,
}

impl<'a> Failure<'a> {
    /// The failure of `check`.
    pub fn of(check: &'a Check, id: &'a str) -> Failure<'a> {
        Failure {
            id,
            message: &check.message,
            status: check.status,
            check: Some(check),
        }
    }
}

/// `failing` in order, repeated failures of one check folded into one line at the place of the
/// first. Every renderer that lists failures one per line folds them here.
pub fn fold(failing: &[Failure<'_>]) -> Vec<VerdictLine> {
    let mut groups: HashMap<Repeated, Vec<&Check>> = HashMap::new();
    for failure in failing {
        if let Some(c) = failure.check {
            if let Some(kind) = repeated(&c.id) {
                groups.entry(kind).or_default().push(c);
            }
        }
    }
    let mut out = Vec::new();
    let mut shown: Vec<Repeated> = Vec::new();
    for failure in failing {
        let kind = failure.check.and_then(|c| repeated(&c.id));
        match kind {
            Some(kind) if groups[&kind].len() > 1 => {
                if shown.contains(&kind) {
                    continue;
                }
                let members = &groups[&kind];
                out.push(VerdictLine {
                    status: members
                        .iter()
                        .map(|c| c.status)
                        .max()
                        .unwrap_or(failure.status),
                    text: folded(&kind, members),
                    checks: members.len(),
                    id: kind.id(),
                });
                shown.push(kind);
            }
            _ => out.push(VerdictLine {
                status: failure.status,
                text: failure.message.to_string(),
                checks: 1,
                id: failure.id.to_string(),
            }),
        }
    }
    out
}
