//! Command-line usage errors as one line: clap's error, condensed to what is wrong and what to do
//! next, so that a usage error reads like every other error (`mlguard: error: what (fix)`).
//!
//! clap renders an error over several lines: the problem, then sometimes a detail line (the
//! missing argument's name, `[possible values: …]`), a `tip:` line (`a similar argument exists`),
//! a usage line and a pointer to `--help`. Keeping only the first line lost the detail and the
//! tip, so this module keeps every line that carries information, joins the details to the
//! problem, and puts the tip, the usage (when there is no tip) and the right `--help` in the
//! parenthesised fix. Without a subcommand it names the subcommands instead of printing the
//! program's description.

use std::ffi::OsString;

use clap::error::{ContextKind, ErrorKind};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::io::error::one_line;

/// The one line (without the `mlguard: error: ` prefix) that describes a clap error from parsing
/// `args` (the whole command line, the program name first).
pub fn usage_error(err: &clap::Error, args: &[OsString]) -> String {
    let command = Cli::command();
    let subcommand = subcommand_of(&command, args);
    let help = match &subcommand {
        Some(name) => format!("see `mlguard {name} --help`"),
        None => "see `mlguard --help`".to_string(),
    };
    if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand && subcommand.is_none() {
        let names: Vec<&str> = command
            .get_subcommands()
            .map(|c| c.get_name())
            .filter(|n| *n != "help")
            .collect();
        return format!(
            "no command given: use one of {} (e.g. `mlguard eval predictions.csv`; {help})",
            names.join(", ")
        );
    }
    let rendered = err.render().to_string();
    let mut what = String::new();
    let mut tips = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("Usage:") || line.starts_with("For more information")
        {
            continue;
        }
        if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(format!("tip: {tip}"));
        } else if what.is_empty() {
            what.push_str(line.strip_prefix("error: ").unwrap_or(line));
        } else {
            if !what.ends_with(':') && !line.starts_with('[') {
                what.push(';');
            }
            what.push(' ');
            what.push_str(line);
        }
    }
    if what.is_empty() {
        what.push_str("invalid arguments");
    }
    let mut fix = tips;
    if fix.is_empty() {
        if let Some(usage) = err.get(ContextKind::Usage) {
            let usage = usage.to_string();
            let usage = usage.trim().strip_prefix("Usage: ").unwrap_or(usage.trim());
            fix.push(format!("usage: {usage}"));
        }
    }
    fix.push(help);
    one_line(&format!("{what} ({})", fix.join("; ")))
}

/// The subcommand named on the command line, if any: the first argument after the program name
/// that is one of `command`'s subcommands.
fn subcommand_of(command: &clap::Command, args: &[OsString]) -> Option<String> {
    args.iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find(|a| {
            command
                .get_subcommands()
                .any(|c| c.get_name() == *a && *a != "help")
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// The one line for `mlguard ARGS…`.
    fn line(args: &[&str]) -> String {
        let args: Vec<OsString> = std::iter::once("mlguard")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        let err = Cli::try_parse_from(&args).expect_err("refused");
        let line = usage_error(&err, &args);
        assert!(!line.contains('\n'), "{line}");
        line
    }

    #[test]
    fn no_command_names_the_commands() {
        let line = line(&[]);
        assert!(
            line.starts_with("no command given: use one of eval, diff"),
            "{line}"
        );
        assert!(!line.contains("Evaluate classification"), "{line}");
    }

    #[test]
    fn a_missing_argument_is_named_with_the_usage() {
        assert_eq!(
            line(&["eval"]),
            "the following required arguments were not provided: <INPUT> \
             (usage: mlguard eval <INPUT>; see `mlguard eval --help`)"
        );
    }

    #[test]
    fn a_misspelt_flag_keeps_the_tip() {
        assert_eq!(
            line(&["eval", "x.csv", "--lable-col", "y"]),
            "unexpected argument '--lable-col' found \
             (tip: a similar argument exists: '--label-col'; see `mlguard eval --help`)"
        );
    }

    #[test]
    fn a_bad_choice_lists_the_possible_values() {
        let line = line(&["eval", "x.csv", "--format", "htm"]);
        assert!(
            line.starts_with("invalid value 'htm' for '--format <FORMAT>' [possible values: text,"),
            "{line}"
        );
        assert!(
            line.ends_with("(tip: a similar value exists: 'html'; see `mlguard eval --help`)"),
            "{line}"
        );
    }

    #[test]
    fn an_unknown_command_points_to_the_top_level_help() {
        let line = line(&["evl"]);
        assert!(line.starts_with("unrecognized subcommand 'evl'"), "{line}");
        assert!(line.contains("'eval'"), "{line}");
        assert!(line.ends_with("see `mlguard --help`)"), "{line}");
    }
}
