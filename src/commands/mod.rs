//! One module per subcommand; each is glue over the engine: choose the inputs, run, render.

pub mod completions;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod man;
pub mod merge;
pub mod profile;

use std::path::Path;

use crate::io::output::{append, write_atomic};
use crate::render;
use crate::report::Report;
use crate::settings::EvalSettings;
use crate::{Error, ExitStatus};

/// Writes a report's outputs (the issues export, with `feature_rows` after the report's own,
/// every `--output-FORMAT` file, the GitHub job summary, then the main report) and maps the
/// gate to the exit status.
pub fn deliver(
    report: &Report,
    settings: &EvalSettings,
    inputs: &[&Path],
    feature_rows: &[render::issues::IssueRow],
) -> Result<ExitStatus, Error> {
    if let Some(path) = &settings.diagnosis.export_issues {
        let mut rows = render::issues::rows_of(report);
        rows.extend_from_slice(feature_rows);
        write_atomic(path, &render::issues::render(&rows), inputs)?;
    }
    // Every extra report is written before standard output, so a closed pipe loses none.
    for (format, path) in &settings.output.files {
        write_atomic(path, &render::render_as(report, *format, false), inputs)?;
    }
    // The job summary is shared by every step of the job: the report is added, never replaces.
    if let Some(path) = &settings.output.step_summary {
        // A leading blank line keeps the report's heading off the end of an earlier step's text.
        let mut markdown = b"\n".to_vec();
        markdown.extend(render::render_as(
            report,
            render::ReportFormat::Markdown,
            false,
        ));
        append(path, &markdown, inputs)?;
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
