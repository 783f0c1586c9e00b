//! `mlguard merge`: read the saved states of shards, merge them in the order given, and finish
//! the merged state into the report `mlguard eval` gives for the whole input.
//!
//! The flags that decide how rows are read (columns, segments, windows, score reading) were fixed
//! when each shard was read and are taken from the states; the report flags apply here. Line
//! numbers in the merged report (skipped rows) are line numbers within their shard.

use std::path::{Path, PathBuf};

use crate::cli::MergeArgs;
use crate::engine;
use crate::render::progress::TerminalProgress;
use crate::scan::state::{merged_input_name, SavedState, StateError};
use crate::settings::EvalSettings;
use crate::{Error, ExitStatus};

/// Refuses flags that only apply when an input is read.
fn refuse_read_flags(args: &MergeArgs) -> Result<(), StateError> {
    let a = &args.eval;
    let given = [
        ("--label-col", a.label_col.is_some()),
        ("--pred-col", a.pred_col.is_some()),
        ("--score-col", a.score_col.is_some()),
        ("--proba-prefix", a.proba_prefix.is_some()),
        ("--time-col", a.time_col.is_some()),
        ("--window", a.window.is_some()),
        ("--segment-col", !a.segment_cols.is_empty()),
        ("--input-format", a.input_format.is_some()),
        ("--delimiter", a.delimiter.is_some()),
        ("--skip-invalid", a.skip_invalid),
        ("--scores-are-logits", a.scores_are_logits),
        ("--threshold", a.threshold.is_some()),
    ];
    match given.into_iter().find(|(_, set)| *set) {
        Some((flag, _)) => Err(StateError::ReadFlag(flag)),
        None => Ok(()),
    }
}

/// Loads and merges the state files in order.
pub fn merge_states(paths: &[PathBuf]) -> Result<SavedState, StateError> {
    let (first, rest) = paths.split_first().expect("clap requires one state");
    let mut merged = SavedState::load(first)?;
    for path in rest {
        let next = SavedState::load(path)?;
        merged.merge(first, &next, path)?;
    }
    merged.input = merged_input_name(paths);
    Ok(merged)
}

/// Runs `mlguard merge`.
pub fn run(args: &MergeArgs) -> Result<ExitStatus, Error> {
    refuse_read_flags(args)?;
    let mut settings = EvalSettings::from_args(&args.eval)?;
    let paths: Vec<PathBuf> = std::iter::once(&args.eval.input)
        .chain(&args.more)
        .map(PathBuf::from)
        .collect();
    engine::configure_threads(&settings.input);
    let merged = merge_states(&paths)?;
    // How the shards were read decides how a --reference file is read too.
    settings.columns = merged.read.columns.clone();
    settings.segments = merged.read.segments.clone();
    settings.windows = merged.read.windows.clone();
    settings.rules = merged.read.rules;
    let mut inputs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    inputs.extend(settings.config.as_deref());
    if let Some(path) = &settings.output.save_state {
        merged.save(path, &inputs)?;
    }
    let name = merged.input.clone();
    let progress = TerminalProgress::new(settings.output.quiet);
    let references = engine::open_references(&settings, &merged.scan, &progress)?;
    let report = engine::report(&settings, &name, merged.scan, references)?;
    super::deliver(&report, &settings, &inputs)
}
