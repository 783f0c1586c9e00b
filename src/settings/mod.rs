//! One resolved, validated configuration for a run.
//!
//! Raw flags and `mlguard.toml` are turned into typed settings here and only here: formats,
//! column roles, score rules, metric options, release rules and where and how the report is
//! written (colour included) are decided once, so the rest of the program never looks at a flag.
//! Flags override the file; repeatable rules from both are combined, a flag's rule replacing the
//! file's rule on the same metric and bound.
//!
//! Each concern has its own module whose `resolve` takes that concern's group of flags
//! ([`crate::cli`]) and its section of the file; [`EvalSettings`] is assembled from them.
//! `profile` and `merge` have fewer groups: the ones they lack resolve as if no flag of theirs
//! was given, so every command reads (and refuses) the same file the same way.

mod breakdown;
mod checks;
mod columns;
mod diagnosis;
mod diff;
mod finish;
mod gate;
mod input;
mod output;
mod scores;

use std::path::PathBuf;

use clap::ValueEnum;
use thiserror::Error;

use crate::checks::latency::LatencyError;
use crate::checks::rules::RuleError;
use crate::cli::{
    EvalArgs, FinishArgs, MergeArgs, ProfileArgs, ReadingArgs, ReportArgs, SourceArgs,
};
use crate::config::{ConfigError, ConfigFile};
use crate::diff::DiffError;
use crate::io::columns::ColumnFlags;
use crate::io::decode::ScoreRules;
use crate::metrics::FinishOptions;
use crate::scan::state::ReadSettings;
pub use crate::scan::WindowSpec;

pub use checks::{CheckFamilies, CheckSpec};
pub use diagnosis::DiagnosisSpec;
pub use diff::{DiffFormat, DiffSettings};
pub use gate::GateSpec;
pub use input::InputSpec;
pub use output::{ColorChoice, OutputSpec, ReportFormat};

/// A setting that cannot be used.
#[derive(Debug, Error)]
pub enum SettingsError {
    /// The configuration file is unusable.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A rule is unusable.
    #[error("{0}")]
    Rule(#[from] RuleError),
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
    /// `--classes` names a class twice, or names none.
    #[error("--classes {given}: {problem} (name the class of each probability column once, in column order, e.g. --classes benign,malignant)")]
    Classes {
        /// The list given.
        given: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The positive label is empty.
    #[error("--pos-label must name a class (got {0:?})")]
    PosLabel(String),
    /// A `--max-drop` rule is unusable.
    #[error("{0}")]
    MaxDrop(#[from] DiffError),
    /// `--max-drop` without a reference to compare with.
    #[error("--max-drop {0} compares with a reference run, but none was given (add --reference FILE, or reference = \"FILE\" under [checks] in mlguard.toml)")]
    MaxDropNeedsReference(String),
    /// A latency objective is unusable.
    #[error("{0}")]
    Latency(#[from] LatencyError),
    /// Two outputs name the same file.
    #[error(
        "{0}: two outputs name the same file (give each --output and --output-FORMAT its own path)"
    )]
    SameOutput(PathBuf),
    /// A check family that does not exist (`--checks` or `[checks] enabled`).
    #[error(
        "unknown check family {value:?} in --checks (or [checks] enabled): use all, none, or a \
         comma-separated list of {families}{hint}"
    )]
    CheckFamily {
        /// The name given.
        value: String,
        /// The families, comma-separated.
        families: &'static str,
        /// Where the checks the name suggests live, if it suggests any.
        hint: &'static str,
    },
    /// A configuration value that is not one of its choices.
    #[error("configuration key {key} = {value:?} must be one of {choices}")]
    Choice {
        /// The key, e.g. `[gate] fail_on`.
        key: &'static str,
        /// The value given.
        value: String,
        /// The valid values.
        choices: String,
    },
}

/// Everything `mlguard eval` needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalSettings {
    /// The command line as the report echoes it (the flags that shaped it), when run from one.
    pub command: Option<String>,
    /// The configuration file read, if any.
    pub config: Option<PathBuf>,
    /// The input.
    pub input: InputSpec,
    /// Column roles given by flags.
    pub columns: ColumnFlags,
    /// Segment columns.
    pub segments: Vec<String>,
    /// Time windows.
    pub windows: WindowSpec,
    /// Score reading and thresholding.
    pub rules: ScoreRules,
    /// Metric options.
    pub finish: FinishOptions,
    /// Release rules.
    pub gate: GateSpec,
    /// Statistical checks.
    pub checks: CheckSpec,
    /// The diagnosis.
    pub diagnosis: DiagnosisSpec,
    /// The report.
    pub output: OutputSpec,
}

/// The choice a flag made, else the one a configuration key names (by the value names of the
/// flag, any case), else none.
fn choice<T: ValueEnum>(
    flag: Option<T>,
    key: &'static str,
    value: Option<&String>,
) -> Result<Option<T>, SettingsError> {
    if flag.is_some() {
        return Ok(flag);
    }
    value
        .map(|v| {
            T::from_str(v, true).map_err(|_| SettingsError::Choice {
                key,
                value: v.clone(),
                choices: T::value_variants()
                    .iter()
                    .filter_map(|c| Some(c.to_possible_value()?.get_name().to_string()))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .transpose()
}

/// Rules in order (the file's, then the flags'), each replacing an earlier rule that `same`
/// says it supersedes.
fn later_wins<R, E>(
    rules: impl IntoIterator<Item = Result<R, E>>,
    same: impl Fn(&R, &R) -> bool,
) -> Result<Vec<R>, SettingsError>
where
    SettingsError: From<E>,
{
    let mut out: Vec<R> = Vec::new();
    for rule in rules {
        let rule = rule?;
        out.retain(|r| !same(r, &rule));
        out.push(rule);
    }
    Ok(out)
}

impl EvalSettings {
    /// Validates and resolves the flags of `mlguard eval` and the configuration file.
    pub fn from_args(args: &EvalArgs) -> Result<EvalSettings, SettingsError> {
        EvalSettings::resolve(args, None)
    }

    /// The settings of `mlguard profile`: its flags and the configuration file.
    pub fn for_profile(args: &ProfileArgs) -> Result<EvalSettings, SettingsError> {
        let finish = FinishArgs {
            metrics: args.metrics.clone(),
            report: ReportArgs {
                output: args.output.clone(),
                ..ReportArgs::default()
            },
            ..FinishArgs::default()
        };
        let eval = EvalArgs {
            source: args.source.clone(),
            config: args.config.clone(),
            finish,
            ..EvalArgs::default()
        };
        EvalSettings::resolve(&eval, None)
    }

    /// The settings of `mlguard merge`: its flags and the configuration file, with rows read as
    /// the merged shards were `read` (which decides how a `--reference` file is read too).
    pub fn for_merge(args: &MergeArgs, read: &ReadSettings) -> Result<EvalSettings, SettingsError> {
        let source = SourceArgs {
            input: args.states.first().cloned().unwrap_or_default(),
            reading: ReadingArgs {
                threads: args.threads.clone(),
                ..ReadingArgs::default()
            },
            ..SourceArgs::default()
        };
        let eval = EvalArgs {
            source,
            config: args.config.clone(),
            finish: args.finish.clone(),
            ..EvalArgs::default()
        };
        EvalSettings::resolve(&eval, Some(read))
    }

    /// Resolves every concern; `read`, when given, replaces how rows are read.
    fn resolve(
        args: &EvalArgs,
        read: Option<&ReadSettings>,
    ) -> Result<EvalSettings, SettingsError> {
        let (source, finishing) = (&args.source, &args.finish);
        let (config, file) = match ConfigFile::load(args.config.config.as_deref())? {
            Some((path, file)) => (Some(path), file),
            None => (None, ConfigFile::default()),
        };
        let save_state = finishing.state.save_state.is_some();
        let input = input::resolve(&source.reading, &file.input, &source.input, save_state)?;
        let diagnosis = diagnosis::resolve(&finishing.diagnosis, &file.columns);
        let (segments, windows) = breakdown::resolve(
            &args.breakdown,
            (&file.columns, &file.checks),
            &diagnosis.context.deployment_columns,
        )?;
        let from_flags = ReadSettings {
            columns: columns::resolve(&source.columns, &file.columns)?,
            segments,
            windows,
            rules: scores::resolve(&source.scores, (&file.input, &file.metrics))?,
        };
        // The file's keys are checked above even when the shards' settings replace them.
        let read = read.cloned().unwrap_or(from_flags);
        let bootstrap = gate::bootstrap(&finishing.gate, &file.gate);
        Ok(EvalSettings {
            command: None,
            config,
            input,
            finish: finish::resolve(&finishing.metrics, &file.metrics, bootstrap)?,
            output: output::resolve(&finishing.report, &finishing.state, &file.output)?,
            gate: gate::resolve(&finishing.gate, &file.gate)?,
            checks: checks::resolve(
                &finishing.checks,
                &file.checks,
                read.columns.latency.as_deref(),
            )?,
            diagnosis,
            columns: read.columns,
            segments: read.segments,
            windows: read.windows,
            rules: read.rules,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use clap::Parser;

    use super::*;
    use crate::checks::gate::FailOn;
    use crate::cli::{Cli, Command};
    use crate::io::format::Format;

    fn command(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("mlguard").chain(args.iter().copied()))
            .expect("arguments parse")
            .command
    }

    fn eval(args: &[&str]) -> Result<EvalSettings, SettingsError> {
        let mut all = vec!["eval", "preds.csv"];
        all.extend_from_slice(args);
        let Command::Eval(args) = command(&all) else {
            unreachable!("an eval command line")
        };
        EvalSettings::from_args(&args)
    }

    fn config(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        file
    }

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let file = config("[input]\nformat = \"tsv\"\n[gate]\nfail_on = \"warning\"\n");
        let path = file.path().to_str().unwrap();
        let from_file = eval(&["--config", path]).unwrap();
        assert_eq!(from_file.input.format, Some(Format::TSV));
        assert_eq!(from_file.gate.fail_on, FailOn::Warning);
        let flagged = eval(&[
            "--config",
            path,
            "--input-format",
            "jsonl",
            "--fail-on",
            "never",
        ]);
        let flagged = flagged.unwrap();
        assert_eq!(flagged.input.format, Some(Format::JsonLines));
        assert_eq!(flagged.gate.fail_on, FailOn::Never);
        let defaults = eval(&["--config", config("").path().to_str().unwrap()]).unwrap();
        assert_eq!(defaults.input.format, None);
        assert_eq!(defaults.gate.fail_on, FailOn::Error);
        assert_eq!(defaults.output.format, ReportFormat::Text);
    }

    #[test]
    fn a_configured_choice_names_the_valid_ones() {
        for (text, says) in [
            (
                "[gate]\nfail_on = \"loud\"\n",
                "configuration key [gate] fail_on = \"loud\" must be one of error, warning, never",
            ),
            (
                "[output]\nformat = \"pdf\"\n",
                "configuration key [output] format = \"pdf\" must be one of text, json, markdown, \
                 junit, html, github",
            ),
            (
                "[input]\nformat = \"xls\"\n",
                "configuration key [input] format = \"xls\" must be one of csv, tsv, jsonl",
            ),
        ] {
            let file = config(text);
            let err = eval(&["--config", file.path().to_str().unwrap()]).unwrap_err();
            assert_eq!(err.to_string(), says);
        }
    }

    #[test]
    fn profile_settings_hold_its_flags_only() {
        let Command::Profile(args) = command(&[
            "profile",
            "ref.csv",
            "--label-col",
            "y",
            "--threshold",
            "0.3",
            "-o",
            "p.json",
        ]) else {
            unreachable!("a profile command line")
        };
        let settings = EvalSettings::for_profile(&args).unwrap();
        assert_eq!(settings.input.path, "ref.csv");
        assert_eq!(settings.columns.label.as_deref(), Some("y"));
        assert_eq!(settings.rules.threshold, 0.3);
        assert_eq!(settings.output.path, Some(PathBuf::from("p.json")));
        assert!(settings.segments.is_empty());
        assert!(settings.gate.rules.is_empty());
    }

    #[test]
    fn merge_settings_read_as_the_shards_were_read() {
        let Command::Merge(args) =
            command(&["merge", "a.state", "b.state", "--latency-slo-ms", "250"])
        else {
            unreachable!("a merge command line")
        };
        let read = ReadSettings {
            columns: ColumnFlags {
                latency: Some("ms".to_string()),
                ..ColumnFlags::default()
            },
            segments: vec!["segment".to_string()],
            rules: ScoreRules {
                threshold: 0.3,
                logits: true,
            },
            ..ReadSettings::default()
        };
        let settings = EvalSettings::for_merge(&args, &read).unwrap();
        assert_eq!(settings.input.path, "a.state");
        assert_eq!(settings.columns, read.columns);
        assert_eq!(settings.segments, read.segments);
        assert_eq!(settings.rules, read.rules);
        assert_eq!(settings.checks.latency_slo.len(), 1);
        // Latency objectives need shards read with a latency column.
        let err = EvalSettings::for_merge(&args, &ReadSettings::default()).unwrap_err();
        assert!(matches!(err, SettingsError::Latency(_)), "{err}");
    }
}
