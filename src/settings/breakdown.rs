//! The report's breakdown: segment columns (`[columns] segments`, plus the deployment columns,
//! which are compared like segments) and time windows (`[columns] time`, `[checks] window`).

use super::SettingsError;
use crate::cli::BreakdownArgs;
use crate::config::{ChecksSection, ColumnsSection};
use crate::scan::WindowSpec;
use crate::time::parse_window;

/// The segment columns and the windows.
pub(super) fn resolve(
    args: &BreakdownArgs,
    (columns, checks): (&ColumnsSection, &ChecksSection),
    deployment_columns: &[String],
) -> Result<(Vec<String>, WindowSpec), SettingsError> {
    let mut segments = if args.segment_cols.is_empty() {
        columns.segments.clone().unwrap_or_default()
    } else {
        args.segment_cols.clone()
    };
    for col in deployment_columns {
        if !segments.contains(col) {
            segments.push(col.clone());
        }
    }
    let width = match args.window.as_ref().or(checks.window.as_ref()) {
        Some(spec) => Some(parse_window(spec).ok_or_else(|| SettingsError::Choice {
            key: "--window",
            value: spec.clone(),
            choices:
                "a width such as 30m, 1h, 6h, 1d, 7d, or a row count such as 10000rows".to_string(),
        })?),
        None => None,
    };
    let windows = WindowSpec {
        time_col: args.time_col.clone().or_else(|| columns.time.clone()),
        width,
    };
    Ok((segments, windows))
}
