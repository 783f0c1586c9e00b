//! Where and how the report is written (`[output]`): its format, further formats of the same
//! evaluation, colour, progress, and the saved state.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{choice, SettingsError};
use crate::cli::{ReportArgs, StateArgs};
use crate::config::OutputSection;

/// The report format (`--format`; the variants' comments are its help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// A readable report.
    Text,
    /// One JSON object (a stable contract).
    Json,
    /// Markdown for a pull-request comment or CI job summary (under 65,000 characters).
    Markdown,
    /// JUnit XML for CI test views (Jenkins, GitLab).
    Junit,
    /// One self-contained HTML page with charts.
    Html,
}

/// When to colour text output (`--color`; the variants' comments are its help).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal when NO_COLOR is unset.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether text written to standard output (`to_stdout`) or a file is coloured.
    pub(super) fn decide(self, to_stdout: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_stdout
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

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
    })
}
