//! The `mlguard` binary: parses arguments, runs, maps the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use mlguard::{cli::Cli, ExitStatus};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match mlguard::run(cli) {
        Ok(status) => status.into(),
        Err(err) if err.is_broken_pipe() => ExitStatus::Passed.into(),
        Err(err) => {
            eprintln!("mlguard: error: {err}");
            ExitStatus::Error.into()
        }
    }
}
