//! The rendering layer: each renderer takes a finished [`Report`](crate::report::Report) and a
//! writer, and decides only how the report looks.

pub mod clip;
pub mod diff;
pub mod entries;
pub mod github;
pub mod headline;
pub mod html;
pub mod issues;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod style;
pub mod text;
pub mod verdict;

use crate::report::Report;
use style::Style;

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
    /// GitHub Actions annotations, and the Markdown report appended to $GITHUB_STEP_SUMMARY.
    Github,
}

/// Renders the report in `format` (colour applies to text only).
pub fn render_as(report: &Report, format: ReportFormat, color: bool) -> Vec<u8> {
    let mut buf = Vec::new();
    let result = match format {
        ReportFormat::Text => text::render(report, &mut buf, Style { color }),
        ReportFormat::Json => json::render(report, &mut buf),
        ReportFormat::Markdown => markdown::render(report, &mut buf),
        ReportFormat::Junit => junit::render(report, &mut buf),
        ReportFormat::Html => html::render(report, &mut buf),
        ReportFormat::Github => github::render(report, &mut buf),
    };
    result.expect("writing to memory cannot fail");
    buf
}
