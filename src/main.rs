//! The `mlguard` binary: parses arguments, runs, maps the outcome to an exit code.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use mlguard::io::error::one_line;
use mlguard::usage::usage_error;
use mlguard::{cli::Cli, ExitStatus};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => err.exit(), // --help, --version
        Err(err) => {
            eprintln!("mlguard: error: {}", usage_error(&err, &args));
            return ExitStatus::Error.into();
        }
    };
    match mlguard::run(cli, &args) {
        Ok(status) => status.into(),
        Err(err) if err.is_broken_pipe() => ExitStatus::Passed.into(),
        Err(err) => {
            eprintln!("mlguard: error: {}", one_line(&err.to_string()));
            ExitStatus::Error.into()
        }
    }
}
