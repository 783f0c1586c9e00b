//! The command line as a report echoes it: the subcommand, its inputs and the flags that shaped
//! the report, so that a report read later says how to reproduce it.
//!
//! Flags are read from clap's matches, not listed by hand: every flag given on the command line
//! is echoed, in the order the options are defined, except those that only decide where the
//! report goes or how it looks ([`PRESENTATION`]); the configuration file is named on a line of
//! its own. Values that a shell would split or expand are quoted.

use std::ffi::OsString;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use crate::cli::Cli;

/// Options that do not change a report's content: its format and destinations, colour,
/// progress, threads, the saved state, the issues export and the configuration file (named in
/// the report on its own).
pub const PRESENTATION: &[&str] = &[
    "format",
    "output",
    "output_text",
    "output_json",
    "output_markdown",
    "output_junit",
    "output_html",
    "color",
    "quiet",
    "threads",
    "save_state",
    "export_issues",
    "config",
];

/// `mlguard SUBCOMMAND INPUTS… --flag value…` for the command line `args` (the program name
/// first); `None` when it does not parse.
pub fn echo(args: &[OsString]) -> Option<String> {
    let command = Cli::command();
    let matches = command.clone().try_get_matches_from(args).ok()?;
    let (name, sub) = matches.subcommand()?;
    let definition = command.find_subcommand(name)?;
    let mut words = vec!["mlguard".to_string(), name.to_string()];
    // Positional arguments first (the inputs), then options, each in definition order.
    let (positional, options): (Vec<_>, Vec<_>) =
        definition.get_arguments().partition(|a| a.is_positional());
    for arg in positional {
        words.extend(values(sub, arg.get_id().as_str()).into_iter().flatten());
    }
    for arg in options {
        let id = arg.get_id().as_str();
        if PRESENTATION.contains(&id) || sub.value_source(id) != Some(ValueSource::CommandLine) {
            continue;
        }
        let flag = match arg.get_long() {
            Some(long) => format!("--{long}"),
            None => continue,
        };
        if !arg.get_action().takes_values() {
            words.push(flag);
            continue;
        }
        for occurrence in values(sub, id) {
            words.push(flag.clone());
            words.push(occurrence.join(","));
        }
    }
    Some(words.join(" "))
}

/// The values of each occurrence of `id`, shell-quoted where needed.
fn values(matches: &ArgMatches, id: &str) -> Vec<Vec<String>> {
    matches
        .get_raw_occurrences(id)
        .map(|occurrences| {
            occurrences
                .map(|values| values.map(|v| quoted(&v.to_string_lossy())).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// A word as a shell reads it back: as it is when it holds only plain characters, else in
/// single quotes.
fn quoted(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "_-./:=,@%+^".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo_of(line: &[&str]) -> String {
        let args: Vec<OsString> = std::iter::once("mlguard")
            .chain(line.iter().copied())
            .map(OsString::from)
            .collect();
        echo(&args).expect("parses")
    }

    #[test]
    fn flags_that_shape_the_report_are_echoed() {
        let line = echo_of(&[
            "eval",
            "examples/collapse.csv",
            "--reference",
            "examples/reference.csv",
            "--format",
            "json",
            "--time-col",
            "timestamp",
            "-q",
            "--min",
            "f1=0.8",
            "--min",
            "segment:recall=0.7",
            "--checks",
            "sanity,windows",
            "--skip-invalid",
            "--output-html",
            "r.html",
            "--config",
            "m.toml",
        ]);
        assert_eq!(
            line,
            "mlguard eval examples/collapse.csv --skip-invalid --time-col timestamp --min f1=0.8 \
             --min segment:recall=0.7 --reference examples/reference.csv --checks sanity,windows"
        );
    }

    #[test]
    fn merge_echoes_its_states_and_odd_values_are_quoted() {
        let line = echo_of(&["merge", "a.state", "b state", "--pos-label", "it's"]);
        assert_eq!(
            line,
            r"mlguard merge a.state 'b state' --pos-label 'it'\''s'"
        );
    }

    #[test]
    fn every_option_is_echoed_or_presentation() {
        // A flag added to an option group is echoed unless listed in PRESENTATION: this test
        // names any option whose value would be lost.
        let command = Cli::command();
        let eval = command.find_subcommand("eval").unwrap();
        for arg in eval.get_arguments().filter(|a| !a.is_positional()) {
            let id = arg.get_id().as_str();
            let Some(long) = arg.get_long() else { continue };
            if PRESENTATION.contains(&id) || id == "help" {
                continue;
            }
            let mut line = vec!["eval", "p.csv", "--"];
            let flag = format!("--{long}");
            line[2] = &flag;
            let value = arg
                .get_possible_values()
                .first()
                .map(|v| v.get_name().to_string())
                .unwrap_or_else(|| "1".to_string());
            if arg.get_action().takes_values() {
                line.push(&value);
            }
            let echoed = echo_of(&line);
            assert!(echoed.contains(&flag), "{flag} is not echoed: {echoed}");
        }
    }
}
