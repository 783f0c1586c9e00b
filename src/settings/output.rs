//! Where and how the report is written (`[output]`): its format, further formats of the same
//! evaluation, colour, progress, and the saved state.

use std::path::PathBuf;

use super::{choice, SettingsError};
use crate::cli::{ReportArgs, StateArgs};
use crate::config::OutputSection;

pub use crate::render::ReportFormat;

pub use crate::render::style::ColorChoice;

/// Where and how the report goes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    /// The format.
    pub format: ReportFormat,
    /// A file, or standard output.
    pub path: Option<PathBuf>,
    /// Whether the text report uses colour.
    pub color: bool,
    /// Further reports of the same evaluation, each written to its file (`--output-FORMAT`).
    pub files: Vec<(ReportFormat, PathBuf)>,
    /// No progress bar.
    pub quiet: bool,
    /// Where to also write the run's mergeable state (`--save-state`).
    pub save_state: Option<PathBuf>,
    /// The GitHub Actions job summary the Markdown report is appended to: `$GITHUB_STEP_SUMMARY`,
    /// for the `github` format only.
    pub step_summary: Option<PathBuf>,
}

/// The `--output-FORMAT` files, refusing two outputs on one path.
fn output_files(
    args: &ReportArgs,
    state: &StateArgs,
) -> Result<Vec<(ReportFormat, PathBuf)>, SettingsError> {
    let files: Vec<(ReportFormat, PathBuf)> = [
        (ReportFormat::Text, &args.output_text),
        (ReportFormat::Json, &args.output_json),
        (ReportFormat::Markdown, &args.output_markdown),
        (ReportFormat::Junit, &args.output_junit),
        (ReportFormat::Html, &args.output_html),
    ]
    .into_iter()
    .filter_map(|(format, path)| Some((format, path.clone()?)))
    .collect();
    let mut seen: Vec<&PathBuf> = args.output.output.iter().collect();
    for path in files.iter().map(|(_, p)| p).chain(&state.save_state) {
        if seen.contains(&path) {
            return Err(SettingsError::SameOutput(path.clone()));
        }
        seen.push(path);
    }
    Ok(files)
}

/// Where the `github` format appends its job summary: the file GitHub Actions names in
/// `$GITHUB_STEP_SUMMARY`, when it is set.
fn step_summary(format: ReportFormat) -> Option<PathBuf> {
    if format != ReportFormat::Github {
        return None;
    }
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The report's output and the saved state.
pub(super) fn resolve(
    args: &ReportArgs,
    state: &StateArgs,
    file: &OutputSection,
) -> Result<OutputSpec, SettingsError> {
    let format =
        choice(args.format, "[output] format", file.format.as_ref())?.unwrap_or(ReportFormat::Text);
    let path = args.output.output.clone();
    Ok(OutputSpec {
        format,
        color: format == ReportFormat::Text && args.color.decide(path.is_none()),
        files: output_files(args, state)?,
        path,
        quiet: args.output.quiet,
        save_state: state.save_state.clone(),
        step_summary: step_summary(format),
    })
}
