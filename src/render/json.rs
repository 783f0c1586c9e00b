//! The JSON report: the report's data as one pretty-printed object.

use std::io::{self, Write};

use crate::report::Report;

/// Writes the report as JSON followed by a newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
