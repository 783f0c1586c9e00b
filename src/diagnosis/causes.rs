//! The cause mapping, as data: which check outcomes are which signals, and which signals —
//! alone or combined — point to which finding code with which confidence.
//!
//! Two tables drive the diagnosis. [`signal_of`] turns every check that warned or failed into a
//! signal by its kind. [`CAUSES`] lists, in order, the signals a cause requires (`all`), the ones
//! that rule it out (`none`), its confidence and the simpler findings it makes redundant
//! (`supersedes`): a metric drop with score drift and stable labels is serving skew, and then
//! the score drift alone need not be reported again. The README documents both tables.

/// What a check that warned or failed says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Rows skipped as invalid.
    Missing,
    /// Labels missing in one segment or period.
    LabelDelay,
    /// Repeated rows.
    Duplicates,
    /// Repeated ids.
    DuplicateIds,
    /// One id, several labels.
    ConflictingLabels,
    /// Classes on one side only.
    UnseenClasses,
    /// A very rare class.
    Imbalance,
    /// More confidently contradicted labels than the model's uncertainty explains.
    LabelNoise,
    /// A metric worse than in the reference run.
    MetricDrop,
    /// The estimated performance of rows awaiting labels below the reference's.
    EstimatedDrop,
    /// Scores (or class probabilities) drifted against the reference.
    ScoreDrift,
    /// Predicted classes drifted against the reference.
    PredictionDrift,
    /// Labels drifted against the reference.
    LabelShift,
    /// A segment worse than the rest.
    WeakSegment,
    /// A model version or environment worse than the rest.
    VersionGap,
    /// One class predicted (almost) always.
    Collapse,
    /// Predicted shares far from label shares.
    PredictionBias,
    /// Outlying or malformed outputs.
    AbnormalOutputs,
    /// Scores at exactly 0 or 1.
    Saturation,
    /// A step change in the error rate over time.
    StepChange,
    /// The error rate rose over many windows.
    GradualChange,
    /// Windows worse than the rows before them.
    DegradedWindow,
    /// Much better on the training predictions.
    Overfitting,
    /// No better than a constant prediction.
    Underfitting,
    /// High calibration error.
    Miscalibration,
    /// A much better threshold exists.
    Threshold,
    /// Latency above its objective.
    Latency,
    /// A segment worse than it was in the reference.
    SegmentDrop,
    /// A segment whose scores moved against the reference.
    SegmentScores,
    /// The overall metric moved with the mix of segments, each segment stable.
    MixShift,
    /// Scores that rank the classes backwards.
    InvertedScores,
    /// Predictions mapped to other classes.
    ClassPermutation,
    /// Scores that lost their resolution.
    ScoreResolution,
    /// An input feature broken against the reference.
    BrokenFeature,
    /// An input feature whose distribution moved.
    FeatureDrift,
}

use Signal::*;

use crate::checks::CheckId;

/// The signal a warning or failure of a check gives, if any: an exhaustive `match`, so a new
/// check kind must be mapped (or explicitly given no signal) to compile. Weak segments of a
/// `--version-col` or `--env-col` column are turned into [`Signal::VersionGap`] by the
/// diagnosis.
pub fn signal_of(id: &CheckId) -> Option<Signal> {
    Some(match id {
        CheckId::Missing => Missing,
        CheckId::LabelDelay => LabelDelay,
        CheckId::Duplicates => Duplicates,
        CheckId::DuplicateIds => DuplicateIds,
        CheckId::ConflictingLabels => ConflictingLabels,
        CheckId::Classes => UnseenClasses,
        CheckId::Imbalance => Imbalance,
        CheckId::LabelNoise => LabelNoise,
        CheckId::AccuracyRegression | CheckId::PairedRegression | CheckId::MaxDrop { .. } => {
            MetricDrop
        }
        CheckId::ScoreDrift | CheckId::ProbaDrift { .. } | CheckId::ScoreChange => ScoreDrift,
        CheckId::EstimatedDrop => EstimatedDrop,
        CheckId::PredictionDrift => PredictionDrift,
        CheckId::LabelDrift => LabelShift,
        CheckId::WeakSegment { .. } | CheckId::SegmentsOf { .. } => WeakSegment,
        CheckId::SegmentDrop { .. } => SegmentDrop,
        CheckId::SegmentScores { .. } => SegmentScores,
        CheckId::SegmentMix { .. } => MixShift,
        CheckId::InvertedScores { .. } => InvertedScores,
        CheckId::ClassPermutation => ClassPermutation,
        CheckId::ScoreResolution => ScoreResolution,
        CheckId::DegeneratePredictions => Collapse,
        CheckId::PredictionDistribution => PredictionBias,
        CheckId::ScoreOutliers | CheckId::ProbabilitySums | CheckId::InvalidScores => {
            AbnormalOutputs
        }
        CheckId::ScoreSaturation => Saturation,
        CheckId::ChangePoint => StepChange,
        CheckId::GradualChange => GradualChange,
        CheckId::WorseWindow { .. } | CheckId::Windows => DegradedWindow,
        CheckId::Overfitting => Overfitting,
        CheckId::FeatureQuality { .. } => BrokenFeature,
        CheckId::FeatureDrift { .. } => FeatureDrift,
        CheckId::Features => return None,
        CheckId::Baseline => Underfitting,
        CheckId::Calibration => Miscalibration,
        CheckId::Threshold => Threshold,
        CheckId::Latency { .. } => Latency,
        // A release rule is the user's own bar: its failure fails the gate and names no cause.
        CheckId::Rule { .. } => return None,
    })
}

/// One row of the cause table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cause {
    /// The finding code (documented in the catalogue).
    pub code: &'static str,
    /// Signals that must all be present.
    pub all: &'static [Signal],
    /// Signals that rule the cause out.
    pub none: &'static [Signal],
    /// Signals of which at least one must be present (none listed: no such condition) — the
    /// evidence of change a deployment finding needs.
    pub any: &'static [Signal],
    /// How strongly the signals point to this cause, 0..1.
    pub confidence: f64,
    /// Findings this one makes redundant when it is raised.
    pub supersedes: &'static [&'static str],
}

const fn cause(
    code: &'static str,
    all: &'static [Signal],
    none: &'static [Signal],
    confidence: f64,
    supersedes: &'static [&'static str],
) -> Cause {
    Cause {
        code,
        all,
        none,
        any: &[],
        confidence,
        supersedes,
    }
}

/// A cause that also needs one of the `any` signals.
const fn cause_if(
    code: &'static str,
    all: &'static [Signal],
    any: &'static [Signal],
    confidence: f64,
    supersedes: &'static [&'static str],
) -> Cause {
    Cause {
        code,
        all,
        none: &[],
        any,
        confidence,
        supersedes,
    }
}

/// Signals that show a change: against the reference, or over time. A deployment finding
/// needs one of them; the same symptom present from the first window with none of these is a
/// training finding.
const CHANGED: &[Signal] = &[
    MetricDrop,
    GradualChange,
    ScoreDrift,
    PredictionDrift,
    StepChange,
    DegradedWindow,
];

/// The cause table. Combinations come first; a cause with one required signal that a check
/// raised in several places (segments, windows, classes) gives one finding per place. Which
/// root explains which symptom away is [`super::explain::ROOTS`].
pub const CAUSES: &[Cause] = &[
    // A feature broken by the pipeline (missing, constant, not numbers): the data fault comes
    // before what it does to the outputs.
    cause("data.broken_feature", &[BrokenFeature], &[], 0.9, &[]),
    cause("data.feature_drift", &[FeatureDrift], &[], 0.75, &[]),
    cause(
        "deployment.inverted_scores",
        &[InvertedScores],
        &[],
        0.95,
        &[],
    ),
    cause(
        "deployment.class_permutation",
        &[ClassPermutation],
        &[],
        0.9,
        &[],
    ),
    cause("data.population_shift", &[MixShift], &[], 0.85, &[]),
    // One segment's scores moved while the class mix held: that segment is served by other
    // outputs (another model, a broken feature for its traffic). Before the overall serving
    // skew, so that the finding keeps the segment.
    cause(
        "deployment.serving_skew",
        &[SegmentScores],
        &[LabelShift, MixShift],
        0.85,
        &[
            "deployment.score_drift",
            "deployment.prediction_drift",
            "data.concept_drift",
        ],
    ),
    cause(
        "deployment.serving_skew",
        &[MetricDrop, ScoreDrift],
        &[LabelShift],
        0.85,
        &[
            "deployment.score_drift",
            "deployment.prediction_drift",
            "data.concept_drift",
        ],
    ),
    cause(
        "deployment.serving_skew",
        &[MetricDrop, PredictionDrift],
        &[LabelShift, ScoreDrift],
        0.75,
        &["deployment.prediction_drift", "data.concept_drift"],
    ),
    cause(
        "data.prior_shift",
        &[MetricDrop, LabelShift],
        &[ScoreDrift],
        0.85,
        &[
            "data.concept_drift",
            "training.prediction_bias",
            "deployment.prediction_drift",
        ],
    ),
    cause(
        "data.label_noise",
        &[MetricDrop, LabelNoise],
        &[],
        0.8,
        &["data.concept_drift"],
    ),
    cause("data.label_noise", &[LabelNoise], &[], 0.7, &[]),
    cause(
        "data.prior_shift",
        &[LabelShift],
        &[],
        0.6,
        &[
            "training.prediction_bias",
            "deployment.prediction_drift",
            "deployment.score_drift",
        ],
    ),
    cause("deployment.score_drift", &[ScoreDrift], &[], 0.5, &[]),
    cause(
        "deployment.prediction_drift",
        &[PredictionDrift],
        &[LabelShift],
        0.5,
        &[],
    ),
    cause(
        "data.concept_drift",
        &[MetricDrop],
        &[
            ScoreDrift,
            PredictionDrift,
            LabelShift,
            LabelNoise,
            WeakSegment,
            SegmentDrop,
            VersionGap,
            StepChange,
            GradualChange,
            Collapse,
            MixShift,
        ],
        0.4,
        &[],
    ),
    cause_if(
        "deployment.collapse",
        &[Collapse],
        CHANGED,
        0.9,
        &[
            "training.prediction_bias",
            "training.underfitting",
            "training.threshold",
        ],
    ),
    // One class predicted from the first row, with no reference and no change over time: the
    // model as trained, not its serving.
    cause(
        "training.underfitting",
        &[Collapse],
        &[],
        0.8,
        &["training.prediction_bias", "training.threshold"],
    ),
    cause("deployment.step_change", &[StepChange], &[], 0.9, &[]),
    // A rise over days with the outputs unchanged: the relation between inputs and labels
    // moved (a deployment fault breaks at one time).
    cause(
        "data.concept_drift",
        &[GradualChange],
        &[ScoreDrift],
        0.85,
        &[],
    ),
    cause(
        "deployment.serving_skew",
        &[GradualChange, ScoreDrift],
        &[],
        0.8,
        &[],
    ),
    cause(
        "deployment.score_resolution",
        &[ScoreResolution],
        &[],
        0.85,
        &[],
    ),
    cause(
        "deployment.degraded_window",
        &[DegradedWindow],
        &[],
        0.75,
        &[],
    ),
    cause("deployment.version_gap", &[VersionGap], &[], 0.8, &[]),
    cause("data.segment_degraded", &[SegmentDrop], &[], 0.8, &[]),
    cause("data.weak_segment", &[WeakSegment], &[], 0.6, &[]),
    cause("training.overfitting", &[Overfitting], &[], 0.75, &[]),
    cause("training.underfitting", &[Underfitting], &[], 0.7, &[]),
    cause(
        "training.miscalibration",
        &[Miscalibration, Saturation],
        &[],
        0.8,
        &["deployment.saturated_scores"],
    ),
    cause("training.miscalibration", &[Miscalibration], &[], 0.75, &[]),
    cause("training.threshold", &[Threshold], &[], 0.6, &[]),
    cause(
        "training.prediction_bias",
        &[PredictionBias],
        &[LabelShift],
        0.5,
        &[],
    ),
    cause(
        "deployment.abnormal_outputs",
        &[AbnormalOutputs],
        &[],
        0.6,
        &[],
    ),
    cause("deployment.saturated_scores", &[Saturation], &[], 0.5, &[]),
    cause("deployment.latency", &[Latency], &[], 0.9, &[]),
    cause("data.label_delay", &[LabelDelay], &[], 0.9, &[]),
    cause("data.estimated_drop", &[EstimatedDrop], &[], 0.7, &[]),
    cause("data.missing_values", &[Missing], &[], 0.9, &[]),
    cause("data.duplicate_rows", &[Duplicates], &[], 0.9, &[]),
    cause("data.duplicate_ids", &[DuplicateIds], &[], 0.9, &[]),
    cause(
        "data.conflicting_labels",
        &[ConflictingLabels],
        &[],
        0.95,
        &[],
    ),
    cause("data.unseen_classes", &[UnseenClasses], &[], 0.7, &[]),
    cause("data.class_imbalance", &[Imbalance], &[], 0.6, &[]),
];

#[cfg(test)]
mod tests {
    use super::super::catalog;
    use super::*;

    #[test]
    fn every_cause_and_superseded_code_is_documented() {
        for c in CAUSES {
            assert!(catalog::info(c.code).is_some(), "{} undocumented", c.code);
            for s in c.supersedes {
                assert!(catalog::info(s).is_some(), "{s} undocumented");
            }
        }
        for code in catalog::CODES {
            assert!(
                CAUSES.iter().any(|c| c.code == code.code),
                "{} is never raised",
                code.code
            );
        }
    }

    #[test]
    fn check_ids_map_to_signals() {
        let class = "cat".to_string();
        assert_eq!(signal_of(&CheckId::ProbaDrift { class }), Some(ScoreDrift));
        let metric = "f1".to_string();
        assert_eq!(signal_of(&CheckId::MaxDrop { metric }), Some(MetricDrop));
        let start = "2026-03-04T12:00:00Z".to_string();
        assert_eq!(
            signal_of(&CheckId::WorseWindow { start }),
            Some(DegradedWindow)
        );
        let rule = CheckId::Rule {
            rule: "min:f1=0.8".into(),
            segment: None,
        };
        assert_eq!(signal_of(&rule), None);
    }
}
