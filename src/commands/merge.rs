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
/// `command` is the command line as the report echoes it.
pub fn run(args: &MergeArgs, command: Option<String>) -> Result<ExitStatus, Error> {
    let paths: Vec<PathBuf> = args.states.iter().map(PathBuf::from).collect();
    let mut merged = merge_states(&paths)?;
    // How the shards were read decides how a --reference file is read too.
    let mut settings = EvalSettings::for_merge(args, &merged.read)?;
    settings.command = command;
    engine::configure_threads(&settings.input);
    let mut inputs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    inputs.extend(settings.config.as_deref());
    if let Some(path) = &settings.output.save_state {
        merged.save(path, &inputs)?;
    }
    let name = merged.input.clone();
    let progress = TerminalProgress::new(settings.output.quiet);
    let references = engine::open_references(&settings, &merged.scan, &progress)?;
    let report = engine::report(&settings, &name, merged.scan, references)?;
    super::deliver(&report, &settings, &inputs, &[])
}
