//! One resolved, validated configuration for a run.
//!
//! Raw flags are turned into typed settings here and only here: formats, column roles, score
//! rules, metric options and where and how the report is written (colour included) are decided
//! once, so the rest of the program never looks at a flag.

use std::io::IsTerminal;
use std::path::PathBuf;

use thiserror::Error;

use crate::cli::{ColorArg, EvalArgs, InputFormatArg, ReportFormatArg, TaskArg};
use crate::io::columns::ColumnFlags;
use crate::io::decode::ScoreRules;
use crate::io::format::Format;
use crate::label::LabelKey;
use crate::metrics::ranking::ThresholdTargets;
use crate::metrics::scores::ScoreOptions;
use crate::metrics::{FinishOptions, Task};

/// A flag value that cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum SettingsError {
    /// The delimiter is not one byte.
    #[error("--delimiter {0:?} must be a single character such as ',', ';' or '\\t'")]
    Delimiter(String),
    /// Beta is negative or not finite.
    #[error("--beta {0} must be a finite number >= 0 (e.g. 0.5 or 2)")]
    Beta(f64),
    /// The threshold is outside [0, 1].
    #[error("--threshold {0} must be a probability in [0, 1]")]
    Threshold(f64),
    /// A probability target outside [0, 1].
    #[error("{flag} {value} must be a proportion in [0, 1]")]
    Target {
        /// The flag.
        flag: &'static str,
        /// The value.
        value: f64,
    },
    /// Too few or too many calibration bins.
    #[error("--calibration-bins {0} must be between 1 and 1000")]
    Bins(usize),
    /// The positive label is empty.
    #[error("--pos-label must name a class (got {0:?})")]
    PosLabel(String),
}

/// What to read.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSpec {
    /// Path, or `-` for standard input.
    pub path: String,
    /// The text format, when fixed by flags.
    pub format: Option<Format>,
    /// Skip invalid rows instead of failing.
    pub skip_invalid: bool,
}

/// The report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Readable text.
    Text,
    /// JSON.
    Json,
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
}

/// Everything `mlguard eval` needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalSettings {
    /// The input.
    pub input: InputSpec,
    /// Column roles given by flags.
    pub columns: ColumnFlags,
    /// Score reading and thresholding.
    pub rules: ScoreRules,
    /// Metric options.
    pub finish: FinishOptions,
    /// The report.
    pub output: OutputSpec,
}

fn delimiter(raw: &str) -> Result<u8, SettingsError> {
    match raw {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        s if s.len() == 1 => Ok(s.as_bytes()[0]),
        s => Err(SettingsError::Delimiter(s.to_string())),
    }
}

fn color(arg: ColorArg, to_stdout: bool) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            to_stdout
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

impl EvalSettings {
    /// Validates and resolves the flags of `mlguard eval`.
    pub fn from_args(args: &EvalArgs) -> Result<EvalSettings, SettingsError> {
        let format = match (args.input_format, &args.delimiter) {
            (Some(InputFormatArg::Jsonl), _) => Some(Format::JsonLines),
            (_, Some(d)) => Some(Format::Delimited {
                delimiter: delimiter(d)?,
            }),
            (Some(InputFormatArg::Tsv), None) => Some(Format::TSV),
            (Some(InputFormatArg::Csv), None) => Some(Format::CSV),
            (None, None) => None,
        };
        if !(args.beta.is_finite() && args.beta >= 0.0) {
            return Err(SettingsError::Beta(args.beta));
        }
        if !(0.0..=1.0).contains(&args.threshold) {
            return Err(SettingsError::Threshold(args.threshold));
        }
        for (flag, value) in [
            ("--target-precision", args.target_precision),
            ("--target-recall", args.target_recall),
        ] {
            if let Some(value) = value {
                if !(0.0..=1.0).contains(&value) {
                    return Err(SettingsError::Target { flag, value });
                }
            }
        }
        if !(1..=1000).contains(&args.calibration_bins) {
            return Err(SettingsError::Bins(args.calibration_bins));
        }
        let pos_label = match &args.pos_label {
            Some(raw) => {
                Some(LabelKey::parse(raw).ok_or_else(|| SettingsError::PosLabel(raw.clone()))?)
            }
            None => None,
        };
        let report_format = match args.format {
            ReportFormatArg::Text => ReportFormat::Text,
            ReportFormatArg::Json => ReportFormat::Json,
        };
        Ok(EvalSettings {
            input: InputSpec {
                path: args.input.clone(),
                format,
                skip_invalid: args.skip_invalid,
            },
            columns: ColumnFlags {
                label: args.label_col.clone(),
                prediction: args.pred_col.clone(),
                score: args.score_col.clone(),
                proba_prefix: args.proba_prefix.clone(),
            },
            rules: ScoreRules {
                threshold: args.threshold,
                logits: args.scores_are_logits,
            },
            finish: FinishOptions {
                pos_label,
                task: args.task.map(|t| match t {
                    TaskArg::Binary => Task::Binary,
                    TaskArg::Multiclass => Task::Multiclass,
                }),
                beta: args.beta,
                scores: ScoreOptions {
                    calibration_bins: args.calibration_bins,
                    targets: ThresholdTargets {
                        current: None,
                        precision: args.target_precision,
                        recall: args.target_recall,
                    },
                },
            },
            output: OutputSpec {
                format: report_format,
                color: report_format == ReportFormat::Text
                    && color(args.color, args.output.is_none()),
                path: args.output.clone(),
            },
        })
    }
}
