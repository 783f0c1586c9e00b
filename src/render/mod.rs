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

impl ReportFormat {
    /// The format a file name's extension names (`.txt`, `.json`, `.md`, `.xml` for JUnit,
    /// `.html`), for callers that save a report without naming its format.
    pub fn for_path(path: &std::path::Path) -> Option<ReportFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "txt" | "text" => Some(ReportFormat::Text),
            "json" => Some(ReportFormat::Json),
            "md" | "markdown" => Some(ReportFormat::Markdown),
            "xml" => Some(ReportFormat::Junit),
            "html" | "htm" => Some(ReportFormat::Html),
            _ => None,
        }
    }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::ReportFormat;

    #[test]
    fn a_file_name_names_its_format() {
        for (name, format) in [
            ("r.txt", Some(ReportFormat::Text)),
            ("out/r.JSON", Some(ReportFormat::Json)),
            ("r.md", Some(ReportFormat::Markdown)),
            ("junit.xml", Some(ReportFormat::Junit)),
            ("r.html", Some(ReportFormat::Html)),
            ("r.pdf", None),
            ("report", None),
        ] {
            assert_eq!(ReportFormat::for_path(Path::new(name)), format, "{name}");
        }
    }
}
