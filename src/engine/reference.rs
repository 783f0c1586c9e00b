//! Reading a reference run: `--reference` and `--train` take either a data file, evaluated
//! with the run's column roles and metric options, or a profile saved by `mlguard profile`
//! (told apart by content); `mlguard profile` saves the profile of a data file.

use std::io::{BufReader, Read};

use serde_json::Value;

use crate::checks::profile::{is_report, looks_like_profile, ProfileError, SavedProfile};
use crate::checks::statistical::{Profile, SegmentCounts};
use crate::io::Problem;
use crate::label::LabelKey;
use crate::metrics::audit::IdOutcomes;
use crate::metrics::intervals::Bootstrap;
use crate::metrics::ranked::Ranked;
use crate::metrics::{Evaluation, FinishOptions};
use crate::results::{MetricValues, Metrics, SCORE_BINS};
use crate::scan::{scan, Progress, WindowSpec};
use crate::settings::{EvalSettings, InputSpec};
use crate::Error;

use super::Reference;

/// A data file evaluated as a reference: its evaluation, segment counts, ids' outcomes and
/// features' summaries.
type Evaluated = (
    Evaluation,
    Vec<SegmentCounts>,
    Option<IdOutcomes>,
    Option<crate::features::FeatureState>,
);

/// Bytes read from the start of a reference to tell a profile from data.
const HEAD_BYTES: u64 = 256;

/// Evaluates a data file with the settings' column roles and metric options (no bootstrap),
/// with the rows and correct predictions of each segment of the run's segment columns (none
/// when the file lacks one of them), its ids' outcomes and its features' summaries.
fn evaluate(
    settings: &EvalSettings,
    path: &str,
    finish: &FinishOptions,
    progress: &dyn Progress,
) -> Result<Evaluated, Error> {
    let input = InputSpec {
        path: path.to_string(),
        header_only_ok: false,
        ..settings.input.clone()
    };
    let read = |segments: &[String]| {
        scan(
            &input,
            &settings.columns,
            (settings.rules, &super::pair_rule(finish)),
            segments,
            &WindowSpec::default(),
            progress,
        )
    };
    let mut scan = match read(&settings.segments) {
        Err(e)
            if matches!(
                *e.problem,
                Problem::UnknownColumn {
                    flag: "--segment-col",
                    ..
                }
            ) =>
        {
            read(&[])?
        }
        other => other?,
    };
    let opts = FinishOptions {
        bootstrap: Bootstrap {
            replicates: 0,
            ..finish.bootstrap
        },
        ..finish.clone()
    };
    scan.state.settle();
    let segment_columns = std::mem::take(&mut scan.state.columns);
    let features = scan.features.take();
    let mut evaluation = scan
        .state
        .overall
        .finish(&opts)
        .map_err(|e| Problem::from(e).at(path, None))?;
    // A weighted run compares with the reference's weighted metrics.
    if let Some(weighted) = scan.weighted.take() {
        super::finish::weigh(weighted, &mut evaluation)
            .map_err(|e| Problem::from(e).at(path, None))?;
    }
    let fixed = FinishOptions {
        task: Some(evaluation.task),
        pos_label: evaluation.pos_label.as_deref().and_then(LabelKey::parse),
        ..opts
    };
    let mut segments = Vec::new();
    for (column, states) in scan.segment_columns.iter().zip(segment_columns) {
        for (value, mut state) in states.states {
            let rows = state.rows();
            let scores = state
                .score_shape(SCORE_BINS)
                .map(|s| s.bins)
                .unwrap_or_default();
            let Ok(e) = state.without_scores().finish(&fixed) else {
                continue;
            };
            let m = &e.metrics.confusion_matrix.matrix;
            segments.push(SegmentCounts {
                column: column.clone(),
                value: value.to_string(),
                rows,
                correct: (0..m.len()).map(|i| m[i][i]).sum(),
                scores,
            });
        }
    }
    let ids = scan
        .state
        .audit
        .id_outcomes(evaluation.pos_label.as_deref());
    Ok((evaluation, segments, ids, features))
}

/// The report's `metrics` object of an evaluation, as JSON read back from its text, so that a
/// data file and a profile saved from it give the very same values.
fn metrics_json(evaluation: &Evaluation) -> Value {
    let text = serde_json::to_string(&Metrics::of(evaluation)).expect("metrics serialise");
    serde_json::from_str(&text).expect("metrics read back")
}

/// The saved profile of a data file.
pub fn saved_profile(
    settings: &EvalSettings,
    path: &str,
    finish: &FinishOptions,
    progress: &dyn Progress,
) -> Result<(SavedProfile, Option<IdOutcomes>), Error> {
    data_profile(settings, path, finish, progress).map(|(saved, ids, _)| (saved, ids))
}

/// The saved profile of a data file, its ids' outcomes, and its binary scores of positive rows
/// and of negative rows (empty without them).
fn data_profile(
    settings: &EvalSettings,
    path: &str,
    finish: &FinishOptions,
    progress: &dyn Progress,
) -> Result<(SavedProfile, Option<IdOutcomes>, Vec<Ranked>), Error> {
    let (mut evaluation, segments, ids, features) = evaluate(settings, path, finish, progress)?;
    let mut profile = Profile::take_from(&mut evaluation);
    profile.settle_distribution();
    let by_class = std::mem::take(&mut profile.by_class);
    profile.segments = segments;
    let mut saved = SavedProfile::new(
        &profile,
        evaluation.task,
        evaluation.pos_label.clone(),
        metrics_json(&evaluation),
    );
    saved.weight_col = settings.columns.weight.clone();
    saved.features = features;
    Ok((saved, ids, by_class))
}

/// What a reference file is, judged by its first bytes (and, for JSON, its first record).
fn saved_reference(path: &str) -> Result<Option<SavedProfile>, Error> {
    if path == "-" {
        return Ok(None);
    }
    let Ok(file) = std::fs::File::open(path) else {
        // The data reader reports the problem with its usual message.
        return Ok(None);
    };
    let mut head = Vec::new();
    if file.take(HEAD_BYTES).read_to_end(&mut head).is_err() {
        return Ok(None);
    }
    if looks_like_profile(&head) {
        let text = std::fs::read(path).map_err(|e| ProfileError::Invalid {
            path: path.to_string(),
            what: e.to_string(),
        })?;
        return Ok(Some(SavedProfile::parse(&text, path)?));
    }
    if head.trim_ascii_start().starts_with(b"{") {
        if let Ok(file) = std::fs::File::open(path) {
            let first = serde_json::Deserializer::from_reader(BufReader::new(file))
                .into_iter::<Value>()
                .next();
            if let Some(Ok(first)) = first {
                if is_report(&first) {
                    return Err(ProfileError::Report {
                        path: path.to_string(),
                    }
                    .into());
                }
            }
        }
    }
    Ok(None)
}

/// The reference of `--reference` (or `--train`): a saved profile, or a data file evaluated
/// with the input's settings.
pub fn load(
    settings: &EvalSettings,
    path: &str,
    finish: &FinishOptions,
    progress: &dyn Progress,
) -> Result<Reference, Error> {
    let (saved, ids, scores_by_class) = match saved_reference(path)? {
        Some(saved) => {
            saved.check_weights(settings.columns.weight.as_deref(), path)?;
            (saved, None, Vec::new())
        }
        None => data_profile(settings, path, finish, progress)?,
    };
    let mut saved = saved;
    let features = saved.features.take();
    let (profile, metrics) = saved.into_profile();
    Ok(Reference {
        profile,
        metrics: MetricValues::from_json(&metrics),
        ids,
        features,
        scores_by_class,
    })
}
