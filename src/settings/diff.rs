//! The settings of `mlguard diff`: two reports, `--max-drop` rules, the format and colour.

use std::path::PathBuf;

use super::SettingsError;
use crate::cli::DiffArgs;
use crate::diff::MaxDrop;

pub use crate::render::diff::DiffFormat;

/// Everything `mlguard diff` needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffSettings {
    /// The earlier report.
    pub old: PathBuf,
    /// The later report.
    pub new: PathBuf,
    /// `--max-drop` rules.
    pub max_drop: Vec<MaxDrop>,
    /// The format.
    pub format: DiffFormat,
    /// A file, or standard output.
    pub output: Option<PathBuf>,
    /// Whether the text comparison uses colour.
    pub color: bool,
}

impl DiffSettings {
    /// Validates the flags of `mlguard diff`.
    pub fn from_args(args: &DiffArgs) -> Result<DiffSettings, SettingsError> {
        Ok(DiffSettings {
            old: args.old.clone(),
            new: args.new.clone(),
            max_drop: args
                .max_drop
                .iter()
                .map(|r| MaxDrop::parse(r))
                .collect::<Result<_, _>>()?,
            format: args.format,
            output: args.output.clone(),
            color: args.format == DiffFormat::Text && args.color.decide(args.output.is_none()),
        })
    }
}
