//! One module per subcommand; each is glue over the engine: choose the inputs, run, render.

pub mod diff;
pub mod eval;
pub mod explain;
pub mod merge;
pub mod profile;

use std::path::Path;

use crate::io::output::write_atomic;
use crate::render;
use crate::report::Report;
use crate::settings::EvalSettings;
use crate::{Error, ExitStatus};

/// Writes a report's outputs (the issues export, every `--output-FORMAT` file, then the main
/// report) and maps the gate to the exit status.
pub fn deliver(
    report: &Report,
    settings: &EvalSettings,
    inputs: &[&Path],
) -> Result<ExitStatus, Error> {
    if let Some(path) = &settings.diagnosis.export_issues {
        let rows = render::issues::rows_of(report);
        write_atomic(path, &render::issues::render(&rows), inputs)?;
    }
    // Every extra report is written before standard output, so a closed pipe loses none.
    for (format, path) in &settings.output.files {
        write_atomic(path, &render::render_as(report, *format, false), inputs)?;
    }
    let bytes = render::render_as(report, settings.output.format, settings.output.color);
    match &settings.output.path {
        Some(path) => {
            write_atomic(path, &bytes, inputs)?;
        }
        None => crate::write_stdout(&bytes)?,
    }
    Ok(if report.gate.passed {
        ExitStatus::Passed
    } else {
        ExitStatus::GateFailed
    })
}
