//! The `mlguard` binary: hands its command line to [`mlguard::run_command_line`], which parses
//! it, runs it and prints an error as one line, and exits with the status that returns.

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    mlguard::run_command_line(&args).into()
}
