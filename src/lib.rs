//! mlguard evaluates classification model predictions: exact metrics, release gates, anomaly
//! checks and a diagnosis.
//!
//! The library is organised in three layers that never reach sideways: reading ([`io`],
//! producing typed [`row::Row`]s), computing ([`metrics`], accumulators that merge) and rendering
//! ([`render`], taking a finished [`report::Report`]). [`settings`] turns flags into one validated
//! configuration; [`commands`] glue the layers together for each subcommand.

#![warn(missing_docs)]

pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnosis;
pub mod diff;
pub mod embed;
pub mod engine;
pub mod exit;
pub mod features;
pub mod invocation;
pub mod io;
pub mod label;
pub mod metrics;
pub mod ordered_map;
pub mod render;
pub mod report;
pub mod results;
pub mod scan;
pub mod settings;
pub mod stats;
pub mod text;
pub mod time;
pub mod usage;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;
use thiserror::Error;

pub use exit::ExitStatus;

/// Everything that can stop a run; each message says how to fix the problem.
#[derive(Debug, Error)]
pub enum Error {
    /// A flag value that cannot be used.
    #[error("{0}")]
    Settings(#[from] settings::SettingsError),
    /// An input that cannot be read or evaluated.
    #[error("{0}")]
    Input(#[from] io::InputError),
    /// An output that cannot be written.
    #[error("{0}")]
    Output(#[from] io::output::OutputError),
    /// A saved report that cannot be compared.
    #[error("{0}")]
    Diff(#[from] diff::DiffError),
    /// `mlguard explain` with a code that does not exist.
    #[error("unknown finding code `{0}` (run `mlguard explain` to list every code)")]
    UnknownCode(String),
    /// A saved reference profile that cannot be used.
    #[error("{0}")]
    Profile(#[from] checks::profile::ProfileError),
    /// A saved state that cannot be read, merged or written.
    #[error("{0}")]
    State(#[from] scan::state::StateError),
    /// Standard output failed.
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
}

impl Error {
    /// Whether the error is a closed pipe on standard output, which ends the run quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Writes bytes to standard output and flushes them.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(Error::Stdout)
}

/// Runs a command line as the `mlguard` program (the program name first): parses it, runs it,
/// prints an error as one line on standard error (`mlguard: error: …`) and returns the exit
/// status; `--help` and `--version` print and return 0, and a closed pipe ends quietly. The
/// binary and the Python package's `mlguard` command both end here, so they cannot disagree.
pub fn run_command_line(args: &[OsString]) -> ExitStatus {
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => {
            // --help and --version.
            let _ = err.print();
            return ExitStatus::Passed;
        }
        Err(err) => {
            eprintln!("mlguard: error: {}", usage::usage_error(&err, args));
            return ExitStatus::Error;
        }
    };
    let status = match run(cli, args) {
        Ok(status) => status,
        Err(err) if err.is_broken_pipe() => ExitStatus::Passed,
        Err(err) => {
            eprintln!("mlguard: error: {}", io::error::one_line(&err.to_string()));
            ExitStatus::Error
        }
    };
    // A host process (Python) does not flush Rust's standard output when it exits.
    let _ = std::io::stdout().flush();
    status
}

/// Runs a parsed command line; `argv` is the command line it was parsed from (the program
/// name first), which reports echo.
pub fn run(cli: cli::Cli, argv: &[std::ffi::OsString]) -> Result<ExitStatus, Error> {
    let command = invocation::echo(argv);
    match cli.command {
        cli::Command::Eval(args) => {
            let mut settings = settings::EvalSettings::from_args(&args)?;
            settings.command = command;
            commands::eval::run(&settings)
        }
        cli::Command::Profile(args) => {
            let settings = settings::EvalSettings::for_profile(&args)?;
            commands::profile::run(&settings)
        }
        cli::Command::Merge(args) => commands::merge::run(&args, command),
        cli::Command::Diff(args) => {
            let settings = settings::DiffSettings::from_args(&args)?;
            commands::diff::run(&settings)
        }
        cli::Command::Explain(args) => commands::explain::run(args.code.as_deref()),
        cli::Command::Completions(args) => commands::completions::run(args.shell),
        cli::Command::Man => commands::man::run(),
    }
}
