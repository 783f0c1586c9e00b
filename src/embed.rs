//! mlguard called from another program, such as the Python package: `eval` with options named
//! as its flags, returning the finished report instead of writing it, and writing that report
//! later in any format, atomically, as the command line does.
//!
//! Options are not defined here a second time. A caller names each option by its long flag
//! (`segment-col`, or `segment_col` as a keyword argument spells it) and gives its values as
//! text; [`eval_command_line`] checks the names against `eval`'s clap definitions and builds the
//! command line that [`evaluate`] then parses exactly as the binary would, so defaults,
//! validation, `mlguard.toml` and the command line the report echoes are the binary's own. An
//! error carries the one line the binary would print after `mlguard: error: `.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser};
use thiserror::Error;

use crate::cli::{Cli, Command};
use crate::io::error::one_line;
use crate::io::output::{write_atomic, OutputError};
use crate::render::{render_as, ReportFormat};
use crate::report::Report;
use crate::scan::state::{merged_input_name, SavedState, StateError};
use crate::scan::NoProgress;
use crate::settings::EvalSettings;
use crate::usage::usage_error;
use crate::{engine, invocation, ExitStatus};

/// `eval` options that decide where and how the command line writes its report; a caller of
/// [`evaluate`] renders and saves the returned report instead.
pub const OUTPUT_OPTIONS: &[&str] = &[
    "format",
    "output",
    "output_text",
    "output_json",
    "output_markdown",
    "output_junit",
    "output_html",
    "color",
    "quiet",
    "save_state",
    "export_issues",
];

/// One option's value: a switch (`--skip-invalid`) or the values of an option that takes them
/// (each given as its own occurrence, or joined by commas for a comma-separated list).
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    /// The switch is on.
    Switch,
    /// The option's values, as text.
    Values(Vec<String>),
}

/// An option that `eval` does not take in the form given.
#[derive(Debug, Error, PartialEq)]
pub enum OptionError {
    /// No `eval` flag has this name, or it only decides where the report is written.
    #[error("unknown option '{0}': name an option of `mlguard eval` by its long flag, e.g. segment_col for --segment-col (see `mlguard eval --help`)")]
    Unknown(String),
    /// Where the report goes is decided when it is saved.
    #[error("option '{0}' decides where the report is written: render or save the returned report instead")]
    Output(String),
    /// A switch given values.
    #[error("option '{0}' is a switch: give it as true or false")]
    Switch(String),
    /// An option that takes values given none.
    #[error("option '{0}' takes a value")]
    NoValue(String),
}

/// A run's report, with the files it read (an output is never written over them).
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The finished report.
    pub report: Report,
    /// The input and the configuration file read, if any.
    pub inputs: Vec<PathBuf>,
}

impl Evaluation {
    /// The exit status the command line would end with: 0 when the gate passed, else 1.
    pub fn exit_status(&self) -> ExitStatus {
        if self.report.gate.passed {
            ExitStatus::Passed
        } else {
            ExitStatus::GateFailed
        }
    }

    /// The report in `format` (without colour).
    pub fn render(&self, format: ReportFormat) -> Vec<u8> {
        render_as(&self.report, format, false)
    }

    /// Writes the report in `format` to `path` atomically, refusing to write over an input.
    pub fn save(&self, path: &Path, format: ReportFormat) -> Result<(), OutputError> {
        let inputs: Vec<&Path> = self.inputs.iter().map(PathBuf::as_path).collect();
        write_atomic(path, &self.render(format), &inputs)
    }
}

/// The command line `mlguard eval INPUT --flag value…` for `options`, each named by its long
/// flag with `-` or `_` between words.
pub fn eval_command_line(
    input: &str,
    options: &[(String, OptionValue)],
) -> Result<Vec<OsString>, OptionError> {
    command_line("eval", input, options)
}

/// The command line `mlguard SUBCOMMAND INPUT --flag value…` for `options` (see
/// [`eval_command_line`]).
fn command_line(
    subcommand: &str,
    input: &str,
    options: &[(String, OptionValue)],
) -> Result<Vec<OsString>, OptionError> {
    let cli = Cli::command();
    let eval = cli
        .find_subcommand(subcommand)
        .expect("a subcommand of mlguard");
    let mut argv: Vec<OsString> = vec!["mlguard".into(), subcommand.into(), input.into()];
    for (name, value) in options {
        let long = name.replace('_', "-");
        let arg = eval
            .get_arguments()
            .find(|a| a.get_long() == Some(long.as_str()) && long != "help")
            .ok_or_else(|| OptionError::Unknown(name.clone()))?;
        if OUTPUT_OPTIONS.contains(&arg.get_id().as_str()) {
            return Err(OptionError::Output(name.clone()));
        }
        let flag = format!("--{long}");
        match (arg.get_action().takes_values(), value) {
            (false, OptionValue::Switch) => argv.push(flag.into()),
            (false, OptionValue::Values(_)) => return Err(OptionError::Switch(name.clone())),
            (true, OptionValue::Switch) => return Err(OptionError::NoValue(name.clone())),
            (true, OptionValue::Values(values)) if values.is_empty() => {
                return Err(OptionError::NoValue(name.clone()))
            }
            (true, OptionValue::Values(values)) => match arg.get_value_delimiter() {
                Some(delimiter) => {
                    argv.push(flag.into());
                    argv.push(values.join(&delimiter.to_string()).into());
                }
                None => {
                    for value in values {
                        argv.push(flag.clone().into());
                        argv.push(value.into());
                    }
                }
            },
        }
    }
    Ok(argv)
}

/// Parses an `eval` command line as [`evaluate`] does and reads its input into the state
/// `--save-state` would write: the bytes of that file, for [`merge_states`] and
/// [`report_of_state`].
pub fn save_state(argv: &[OsString]) -> Result<Vec<u8>, String> {
    let args = match Cli::try_parse_from(argv) {
        Ok(Cli {
            command: Command::Eval(args),
        }) => args,
        Ok(_) => return Err("not an `mlguard eval` command line".to_string()),
        Err(err) => return Err(usage_error(&err, argv)),
    };
    let failed = |err: crate::Error| one_line(&err.to_string());
    let settings = EvalSettings::from_args(&args).map_err(|e| failed(crate::Error::Settings(e)))?;
    engine::configure_threads(&settings.input);
    let scan = engine::scan_input(&settings, &NoProgress).map_err(failed)?;
    let read = engine::read_settings(&settings);
    Ok(SavedState::from_scan(scan, &settings.input.path, &read).to_bytes())
}

/// A state's name in messages: `<state N>`, its place among those merged (from 1).
fn state_name(n: usize) -> PathBuf {
    PathBuf::from(format!("<state {n}>"))
}

/// The merge of `states` (the bytes of state files), in order, as `mlguard merge` merges them.
pub fn merge_states(states: &[&[u8]]) -> Result<Vec<u8>, String> {
    let failed = |err: StateError| one_line(&err.to_string());
    let (first, rest) = states
        .split_first()
        .ok_or_else(|| "no state to merge".to_string())?;
    let mut merged = SavedState::from_bytes(first, &state_name(1)).map_err(failed)?;
    let names: Vec<PathBuf> = (1..=states.len()).map(state_name).collect();
    for (i, bytes) in rest.iter().enumerate() {
        let next = SavedState::from_bytes(bytes, &names[i + 1]).map_err(failed)?;
        merged
            .merge(&names[0], &next, &names[i + 1])
            .map_err(failed)?;
    }
    if !rest.is_empty() {
        merged.input = merged_input_name(&names);
    }
    Ok(merged.to_bytes())
}

/// The report of a state (the bytes of a state file) with `options`, those of `mlguard merge`
/// (report, rules, checks, reference), as `mlguard merge` gives it.
pub fn report_of_state(
    state: &[u8],
    options: &[(String, OptionValue)],
) -> Result<Evaluation, String> {
    let failed = |err: crate::Error| one_line(&err.to_string());
    let saved = SavedState::from_bytes(state, &state_name(1))
        .map_err(|e| failed(crate::Error::State(e)))?;
    let argv = command_line("merge", "<state>", options).map_err(|e| e.to_string())?;
    let args = match Cli::try_parse_from(&argv) {
        Ok(Cli {
            command: Command::Merge(args),
        }) => args,
        Ok(_) => return Err("not an `mlguard merge` command line".to_string()),
        Err(err) => return Err(usage_error(&err, &argv)),
    };
    let mut settings = EvalSettings::for_merge(&args, &saved.read)
        .map_err(|e| failed(crate::Error::Settings(e)))?;
    settings.command = invocation::echo(&argv);
    engine::configure_threads(&settings.input);
    let references =
        engine::open_references(&settings, &saved.scan, &NoProgress).map_err(failed)?;
    let name = saved.input.clone();
    let report = engine::report(&settings, &name, saved.scan, references).map_err(failed)?;
    Ok(Evaluation {
        report,
        inputs: settings.config.clone().into_iter().collect(),
    })
}

/// Parses an `eval` command line (the program name first) as the binary does and evaluates it
/// without writing anything. The error is the line the binary would print after
/// `mlguard: error: `.
pub fn evaluate(argv: &[OsString]) -> Result<Evaluation, String> {
    let args = match Cli::try_parse_from(argv) {
        Ok(Cli {
            command: Command::Eval(args),
        }) => args,
        Ok(_) => return Err("not an `mlguard eval` command line".to_string()),
        Err(err) => return Err(usage_error(&err, argv)),
    };
    let failed = |err: crate::Error| one_line(&err.to_string());
    let mut settings =
        EvalSettings::from_args(&args).map_err(|e| failed(crate::Error::Settings(e)))?;
    settings.command = invocation::echo(argv);
    let report = engine::evaluate(&settings, &NoProgress).map_err(failed)?;
    let mut inputs = vec![PathBuf::from(&settings.input.path)];
    inputs.extend(settings.config.clone());
    Ok(Evaluation { report, inputs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(input: &str, options: &[(&str, OptionValue)]) -> Result<Vec<String>, OptionError> {
        let options: Vec<(String, OptionValue)> = options
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        eval_command_line(input, &options).map(|argv| {
            argv.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        })
    }

    fn values(v: &[&str]) -> OptionValue {
        OptionValue::Values(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn options_become_the_flags_of_eval() {
        let argv = line(
            "p.csv",
            &[
                ("segment_col", values(&["segment", "region"])),
                ("min", values(&["f1=0.8"])),
                ("checks", values(&["sanity", "windows"])),
                ("skip-invalid", OptionValue::Switch),
            ],
        )
        .unwrap();
        assert_eq!(
            argv,
            [
                "mlguard",
                "eval",
                "p.csv",
                "--segment-col",
                "segment",
                "--segment-col",
                "region",
                "--min",
                "f1=0.8",
                "--checks",
                "sanity,windows",
                "--skip-invalid"
            ]
        );
    }

    #[test]
    fn options_eval_lacks_are_refused() {
        assert_eq!(
            line("p.csv", &[("colour", values(&["x"]))]),
            Err(OptionError::Unknown("colour".into()))
        );
        assert_eq!(
            line("p.csv", &[("help", OptionValue::Switch)]),
            Err(OptionError::Unknown("help".into()))
        );
        assert_eq!(
            line("p.csv", &[("output_html", values(&["r.html"]))]),
            Err(OptionError::Output("output_html".into()))
        );
        assert_eq!(
            line("p.csv", &[("skip_invalid", values(&["yes"]))]),
            Err(OptionError::Switch("skip_invalid".into()))
        );
        assert_eq!(
            line("p.csv", &[("threshold", OptionValue::Switch)]),
            Err(OptionError::NoValue("threshold".into()))
        );
    }

    #[test]
    fn every_output_option_is_an_option_of_eval() {
        let cli = Cli::command();
        let eval = cli.find_subcommand("eval").unwrap();
        for id in OUTPUT_OPTIONS {
            assert!(
                eval.get_arguments().any(|a| a.get_id() == *id),
                "{id} is not an eval option"
            );
        }
    }
}
