//! The `mlguard` binary: parses arguments, runs, maps the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use mlguard::io::error::one_line;
use mlguard::{cli::Cli, ExitStatus};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => err.exit(), // --help, --version
        Err(err) => {
            // One line, like every other error: clap's first line without its own prefix.
            let text = err.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("mlguard: error: {} (see mlguard --help)", one_line(first));
            return ExitStatus::Error.into();
        }
    };
    match mlguard::run(cli) {
        Ok(status) => status.into(),
        Err(err) if err.is_broken_pipe() => ExitStatus::Passed.into(),
        Err(err) => {
            eprintln!("mlguard: error: {}", one_line(&err.to_string()));
            ExitStatus::Error.into()
        }
    }
}
