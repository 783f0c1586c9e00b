//! The identity of a check: what it tests and where, as a type.
//!
//! Every check the program can run is one variant of [`CheckId`]; the place it looked (a class,
//! a segment, a window, a metric, a latency percentile, a rule) is the variant's data. The
//! diagnosis maps ids to signals with an exhaustive `match`, so a new check that is not mapped
//! does not compile, and no code tells checks apart by the text of their id. The text form
//! (`data:missing`, `segment:region=eu:weak`, `window:2026-03-04T12:00:00Z:worse`, …) is what
//! reports show and the JSON contract keeps; it is produced here and only here.

use std::fmt;

use serde::{Serialize, Serializer};

use super::SegmentRef;

/// What a check tests, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckId {
    /// `data:missing`: rows skipped as invalid.
    Missing,
    /// `data:label_delay`: labels missing in one segment or period more than elsewhere.
    LabelDelay,
    /// `data:duplicates`: repeated rows.
    Duplicates,
    /// `data:ids`: repeated ids.
    DuplicateIds,
    /// `data:conflicting_labels`: one id, several labels.
    ConflictingLabels,
    /// `data:classes`: classes on one side only (labels or predictions).
    Classes,
    /// `data:imbalance`: a very rare class.
    Imbalance,
    /// `data:label_noise`: more confidently contradicted labels than the scores explain.
    LabelNoise,
    /// `sanity:invalid_scores`: rows skipped for scores outside [0, 1] or not numbers.
    InvalidScores,
    /// `sanity:degenerate_predictions`: one class predicted (almost) always.
    DegeneratePredictions,
    /// `sanity:prediction_distribution`: predicted shares far from label shares.
    PredictionDistribution,
    /// `sanity:score_outliers`: outlying scores.
    ScoreOutliers,
    /// `sanity:score_saturation`: scores at exactly 0 or 1.
    ScoreSaturation,
    /// `sanity:probability_sums`: per-class probabilities that do not sum to 1.
    ProbabilitySums,
    /// `drift:score`: the score distribution against the reference.
    ScoreDrift,
    /// `estimated:drop`: the estimated performance of rows awaiting labels against the
    /// reference's.
    EstimatedDrop,
    /// `drift:proba:CLASS`: one class's probabilities against the reference.
    ProbaDrift {
        /// The class.
        class: String,
    },
    /// `drift:prediction`: predicted shares against the reference.
    PredictionDrift,
    /// `drift:label`: label shares (priors) against the reference.
    LabelDrift,
    /// `regression:accuracy`: accuracy against the reference.
    AccuracyRegression,
    /// `regression:paired`: McNemar's test on the ids both runs share.
    PairedRegression,
    /// `regression:max_drop:METRIC`: a `--max-drop` rule.
    MaxDrop {
        /// The metric's dotted path.
        metric: String,
    },
    /// `segment:COLUMN=VALUE:weak`: one segment worse than the rest.
    WeakSegment {
        /// The segment.
        segment: SegmentRef,
    },
    /// `segment:COLUMN:weak`: no segment of a column is weak (the passing check).
    SegmentsOf {
        /// The segment column.
        column: String,
    },
    /// `window:change_point`: a step change in the error rate over time.
    ChangePoint,
    /// `window:score_change`: the time the binary scores changed most.
    ScoreChange,
    /// `window:gradual_change`: the error rate rose over many windows (a ramp), in place of a
    /// step change.
    GradualChange,
    /// `window:START:worse`: one window worse than the rows before it.
    WorseWindow {
        /// The window's start, as reported.
        start: String,
    },
    /// `window:worse`: no window is worse than the rows before it (the passing check).
    Windows,
    /// `segment:COLUMN=VALUE:drop`: one segment worse than it was in the reference.
    SegmentDrop {
        /// The segment.
        segment: SegmentRef,
    },
    /// `segment:COLUMN=VALUE:scores`: one segment's scores moved against the same segment in
    /// the reference.
    SegmentScores {
        /// The segment.
        segment: SegmentRef,
    },
    /// `segment:COLUMN:mix`: the overall accuracy moved with the mix of the column's segments
    /// while each segment kept its reference accuracy.
    SegmentMix {
        /// The segment column.
        column: String,
    },
    /// `sanity:inverted_scores` or `sanity:inverted_scores[COLUMN=VALUE]`: scores that rank
    /// the classes backwards (the other class's probability, or 1 − p), overall or in one
    /// segment.
    InvertedScores {
        /// The segment, when only one segment's scores are inverted.
        segment: Option<SegmentRef>,
    },
    /// `sanity:class_permutation`: predictions systematically mapped to another class.
    ClassPermutation,
    /// `sanity:score_resolution`: scores that lost their resolution (rounded or truncated).
    ScoreResolution,
    /// `feature:NAME:quality`: a feature broken against the reference (missing, constant, not
    /// numbers).
    FeatureQuality {
        /// The feature column.
        feature: String,
    },
    /// `feature:NAME:drift`: a feature's distribution moved against the reference.
    FeatureDrift {
        /// The feature column.
        feature: String,
    },
    /// `features`: the summary of the feature checks.
    Features,
    /// `training:overfitting`: much better on the training predictions.
    Overfitting,
    /// `training:baseline`: no better than a constant prediction.
    Baseline,
    /// `training:calibration`: calibration error.
    Calibration,
    /// `training:threshold`: a much better decision threshold exists.
    Threshold,
    /// `latency:NAME`: a latency objective (`p95`, …).
    Latency {
        /// The percentile's name.
        percentile: String,
    },
    /// `rule:RULE` or `rule:RULE[COLUMN=VALUE]`: a release rule.
    Rule {
        /// The rule as written, e.g. `min:f1=0.8`.
        rule: String,
        /// The segment a per-segment rule was applied to.
        segment: Option<SegmentRef>,
    },
}

impl CheckId {
    /// The group whose failures form one finding: the id itself, except that every worse
    /// window is one group (one degraded period, not a finding per window).
    pub fn group(&self) -> CheckId {
        match self {
            CheckId::WorseWindow { .. } => CheckId::Windows,
            other => other.clone(),
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fixed = match self {
            CheckId::Missing => "data:missing",
            CheckId::LabelDelay => "data:label_delay",
            CheckId::Duplicates => "data:duplicates",
            CheckId::DuplicateIds => "data:ids",
            CheckId::ConflictingLabels => "data:conflicting_labels",
            CheckId::Classes => "data:classes",
            CheckId::Imbalance => "data:imbalance",
            CheckId::LabelNoise => "data:label_noise",
            CheckId::InvalidScores => "sanity:invalid_scores",
            CheckId::DegeneratePredictions => "sanity:degenerate_predictions",
            CheckId::PredictionDistribution => "sanity:prediction_distribution",
            CheckId::ScoreOutliers => "sanity:score_outliers",
            CheckId::ScoreSaturation => "sanity:score_saturation",
            CheckId::ProbabilitySums => "sanity:probability_sums",
            CheckId::ScoreDrift => "drift:score",
            CheckId::EstimatedDrop => "estimated:drop",
            CheckId::PredictionDrift => "drift:prediction",
            CheckId::LabelDrift => "drift:label",
            CheckId::AccuracyRegression => "regression:accuracy",
            CheckId::PairedRegression => "regression:paired",
            CheckId::ChangePoint => "window:change_point",
            CheckId::GradualChange => "window:gradual_change",
            CheckId::ScoreChange => "window:score_change",
            CheckId::Windows => "window:worse",
            CheckId::ClassPermutation => "sanity:class_permutation",
            CheckId::ScoreResolution => "sanity:score_resolution",
            CheckId::Overfitting => "training:overfitting",
            CheckId::Features => "features",
            CheckId::FeatureQuality { feature } => return write!(f, "feature:{feature}:quality"),
            CheckId::FeatureDrift { feature } => return write!(f, "feature:{feature}:drift"),
            CheckId::Baseline => "training:baseline",
            CheckId::Calibration => "training:calibration",
            CheckId::Threshold => "training:threshold",
            CheckId::ProbaDrift { class } => return write!(f, "drift:proba:{class}"),
            CheckId::MaxDrop { metric } => return write!(f, "regression:max_drop:{metric}"),
            CheckId::WeakSegment { segment } => {
                return write!(f, "segment:{}={}:weak", segment.column, segment.value)
            }
            CheckId::SegmentsOf { column } => return write!(f, "segment:{column}:weak"),
            CheckId::SegmentDrop { segment } => {
                return write!(f, "segment:{}={}:drop", segment.column, segment.value)
            }
            CheckId::SegmentMix { column } => return write!(f, "segment:{column}:mix"),
            CheckId::SegmentScores { segment } => {
                return write!(f, "segment:{}={}:scores", segment.column, segment.value)
            }
            CheckId::InvertedScores { segment } => {
                return match segment {
                    Some(s) => write!(f, "sanity:inverted_scores[{}={}]", s.column, s.value),
                    None => write!(f, "sanity:inverted_scores"),
                }
            }
            CheckId::WorseWindow { start } => return write!(f, "window:{start}:worse"),
            CheckId::Latency { percentile } => return write!(f, "latency:{percentile}"),
            CheckId::Rule { rule, segment } => {
                return match segment {
                    Some(s) => write!(f, "rule:{rule}[{}={}]", s.column, s.value),
                    None => write!(f, "rule:{rule}"),
                }
            }
        };
        f.write_str(fixed)
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_are_the_report_ids() {
        let seg = SegmentRef {
            column: "region".into(),
            value: "eu".into(),
        };
        assert_eq!(CheckId::Missing.to_string(), "data:missing");
        assert_eq!(
            CheckId::WeakSegment {
                segment: seg.clone()
            }
            .to_string(),
            "segment:region=eu:weak"
        );
        assert_eq!(
            CheckId::WorseWindow {
                start: "2026-03-04T12:00:00Z".into()
            }
            .to_string(),
            "window:2026-03-04T12:00:00Z:worse"
        );
        assert_eq!(
            CheckId::Rule {
                rule: "min:f1=0.8".into(),
                segment: Some(seg)
            }
            .to_string(),
            "rule:min:f1=0.8[region=eu]"
        );
        assert_eq!(
            serde_json::to_string(&CheckId::ProbaDrift {
                class: "cat".into()
            })
            .unwrap(),
            "\"drift:proba:cat\""
        );
    }

    #[test]
    fn every_worse_window_is_one_group() {
        let a = CheckId::WorseWindow { start: "a".into() };
        let b = CheckId::WorseWindow { start: "b".into() };
        assert_eq!(a.group(), b.group());
        assert_ne!(CheckId::ChangePoint.group(), a.group());
    }
}
