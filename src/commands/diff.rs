//! `mlguard diff`: read two saved JSON reports, compare them, render the comparison.

use crate::diff::{compare, read_report};
use crate::io::output::write_atomic;
use crate::render::{self, style::Style};
use crate::settings::{DiffFormat, DiffSettings};
use crate::{Error, ExitStatus};

/// Runs `mlguard diff`.
pub fn run(settings: &DiffSettings) -> Result<ExitStatus, Error> {
    let old = read_report(&settings.old)?;
    let new = read_report(&settings.new)?;
    let diff = compare(&settings.old, &old, &settings.new, &new, &settings.max_drop)?;
    let mut buf = Vec::new();
    let result = match settings.format {
        DiffFormat::Text => render::diff::text(
            &diff,
            &mut buf,
            Style {
                color: settings.color,
            },
        ),
        DiffFormat::Markdown => render::diff::markdown(&diff, &mut buf),
        DiffFormat::Json => serde_json::to_writer_pretty(&mut buf, &diff)
            .map_err(std::io::Error::from)
            .and_then(|()| {
                use std::io::Write;
                writeln!(buf)
            }),
    };
    result.expect("writing to memory cannot fail");
    match &settings.output {
        Some(path) => write_atomic(path, &buf, &[&settings.old, &settings.new])?,
        None => crate::write_stdout(&buf)?,
    }
    Ok(if diff.passed {
        ExitStatus::Passed
    } else {
        ExitStatus::GateFailed
    })
}
