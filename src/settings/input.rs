//! What to read and how: the text format, invalid rows and worker threads (`[input]`).

use super::{choice, SettingsError};
use crate::cli::ReadingArgs;
use crate::config::InputSection;
use crate::io::format::{Format, InputFormat};
pub use crate::scan::InputSpec;

fn delimiter(raw: &str) -> Result<u8, SettingsError> {
    match raw {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        s if s.len() == 1 => Ok(s.as_bytes()[0]),
        s => Err(SettingsError::Delimiter(s.to_string())),
    }
}

/// Resolves how `path` is read; `header_only_ok` when its state is saved.
pub(super) fn resolve(
    args: &ReadingArgs,
    file: &InputSection,
    path: &str,
    header_only_ok: bool,
) -> Result<InputSpec, SettingsError> {
    let named = choice(args.input_format, "[input] format", file.format.as_ref())?;
    let format = match (named, args.delimiter.as_ref().or(file.delimiter.as_ref())) {
        (Some(InputFormat::Jsonl), _) => Some(Format::JsonLines),
        (_, Some(d)) => Some(Format::Delimited {
            delimiter: delimiter(d)?,
        }),
        (named, None) => named.map(Format::from),
    };
    Ok(InputSpec {
        path: path.to_string(),
        format,
        skip_invalid: args.skip_invalid || file.skip_invalid.unwrap_or(false),
        threads: args.threads.threads.unwrap_or(0),
        header_only_ok,
        skip_rows: args.skip_rows.or(file.skip_rows).unwrap_or(0),
    })
}
