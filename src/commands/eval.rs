//! `mlguard eval`: read a predictions file, evaluate it, render the report; with
//! `--save-state`, also save the scan's mergeable state.

use std::path::Path;

use crate::engine;
use crate::render::progress::TerminalProgress;
use crate::scan::state::SavedState;
use crate::settings::EvalSettings;
use crate::{Error, ExitStatus};

/// Runs `mlguard eval`.
pub fn run(settings: &EvalSettings) -> Result<ExitStatus, Error> {
    let mut inputs = vec![Path::new(&settings.input.path)];
    inputs.extend(settings.config.as_deref());
    let progress = TerminalProgress::new(settings.output.quiet);
    let scan = engine::scan_input(settings, &progress)?;
    let scan = match &settings.output.save_state {
        Some(path) => {
            let read = engine::read_settings(settings);
            let mut saved = SavedState::from_scan(scan, &settings.input.path, &read);
            saved.save(path, &inputs)?;
            if saved.scan.is_header_only() {
                // An empty shard: its state is all there is to give (merges add nothing from it).
                if !settings.output.quiet {
                    eprintln!(
                        "mlguard: note: {} holds no data rows; saved its empty state to {} and \
                         wrote no report (merge it with the other shards' states)",
                        settings.input.path,
                        path.display()
                    );
                }
                return Ok(ExitStatus::Passed);
            }
            saved.scan
        }
        None => scan,
    };
    let references = engine::open_references(settings, &scan, &progress)?;
    let report = engine::report(settings, &settings.input.path, scan, references)?;
    let feature_rows = match &settings.diagnosis.export_issues {
        Some(path) => feature_issue_rows(settings, &report, path)?,
        None => Vec::new(),
    };
    super::deliver(&report, settings, &inputs, &feature_rows)
}

/// The issues export's rows behind the feature findings (the input read again), with a note
/// when some cannot be listed.
fn feature_issue_rows(
    settings: &EvalSettings,
    report: &crate::report::Report,
    path: &Path,
) -> Result<Vec<crate::render::issues::IssueRow>, Error> {
    let found = engine::rows::faulty_feature_rows(settings, report)?;
    if !settings.output.quiet {
        if found.unread {
            eprintln!(
                "mlguard: note: {} lists no rows for the feature findings: {} cannot be read \
                 a second time (pass a CSV, TSV or JSON Lines file)",
                path.display(),
                settings.input.path
            );
        }
        if found.left_out > 0 {
            eprintln!(
                "mlguard: note: {} lists the first {} rows behind the feature findings; {} \
                 more were left out",
                path.display(),
                engine::rows::MAX_FEATURE_ROWS,
                found.left_out
            );
        }
    }
    Ok(crate::render::issues::feature_rows(&found))
}
