//! The settings of `mlguard diff`: two reports, `--max-drop` rules, the format and colour.

use std::path::PathBuf;

use super::SettingsError;
use crate::cli::DiffArgs;
use crate::diff::MaxDrop;

/// The format of `mlguard diff` (its `--format`; the variants' comments are its help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A readable comparison.
    Text,
    /// Markdown for a pull-request comment.
    Markdown,
    /// One JSON object.
    Json,
}

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
