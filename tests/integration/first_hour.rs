//! What a new user meets in their first hour on the command line: usage errors that name what is
//! wrong and what to do on one line, rule errors that suggest the metric meant, the GitHub
//! Actions format, shell completions and the man page, and help texts that tell the truth.

/// What a run of the binary produced.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the built binary with `args` and extra environment from the package root.
fn run_with(args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("mlguard").expect("the mlguard binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("mlguard runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A path for a scratch file of this test run, in the system's temporary directory.
fn scratch(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mlguard-first-hour-{}-{name}", std::process::id()))
}

/// `mlguard ARGS…`.
fn mlguard(args: &[&str]) -> Run {
    run_with(args, &[])
}

/// Asserts a usage error: exit 2, nothing on stdout, one `mlguard: error: ` line on stderr.
/// Returns the message after the prefix.
fn usage_error(args: &[&str]) -> String {
    let run = mlguard(args);
    assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
    assert!(run.stdout.is_empty(), "{args:?}: stdout: {}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: not one line:\n{}", run.stderr);
    lines[0]
        .strip_prefix("mlguard: error: ")
        .unwrap_or_else(|| panic!("{args:?}: no 'mlguard: error: ' prefix: {}", lines[0]))
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Usage errors
// ---------------------------------------------------------------------------------------------

#[test]
fn no_command_names_the_commands_instead_of_a_cut_description() {
    let msg = usage_error(&[]);
    assert!(!msg.contains("Evaluate classification"), "{msg}");
    for name in ["eval", "diff", "profile", "explain", "merge"] {
        assert!(msg.contains(name), "{name} missing: {msg}");
    }
    assert!(msg.contains("--help"), "{msg}");
}

#[test]
fn a_missing_input_is_named() {
    let msg = usage_error(&["eval"]);
    assert!(msg.contains("not provided: <INPUT>"), "{msg}");
    assert!(msg.contains("mlguard eval --help"), "{msg}");
}

#[test]
fn a_misspelt_flag_suggests_the_right_one() {
    let msg = usage_error(&["eval", "examples/binary.csv", "--lable-col", "label"]);
    assert!(msg.contains("'--lable-col'"), "{msg}");
    assert!(msg.contains("'--label-col'"), "{msg}");
}

#[test]
fn a_bad_format_lists_the_possible_values() {
    let msg = usage_error(&["eval", "examples/binary.csv", "--format", "htm"]);
    assert!(
        msg.contains("[possible values: text, json, markdown, junit, html"),
        "{msg}"
    );
    assert!(msg.contains("'html'"), "{msg}");
}

#[test]
fn an_unknown_command_suggests_the_closest() {
    let msg = usage_error(&["evl", "examples/binary.csv"]);
    assert!(msg.contains("'evl'") && msg.contains("'eval'"), "{msg}");
}

#[test]
fn an_extra_positional_shows_the_usage() {
    let msg = usage_error(&["eval", "examples/binary.csv", "examples/reference.csv"]);
    assert!(msg.contains("usage: mlguard eval"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/// The names listed after "metrics include" in an unknown-metric message.
fn listed(msg: &str) -> Vec<String> {
    let after = msg
        .split("metrics include ")
        .nth(1)
        .unwrap_or_else(|| panic!("no list of names: {msg}"));
    let list = after.split(';').next().unwrap();
    list.split(", ").map(str::to_string).collect()
}

#[test]
fn a_metric_in_another_case_is_suggested() {
    let msg = usage_error(&["eval", "examples/binary.csv", "-q", "--min", "F1=0.9"]);
    assert!(msg.contains("unknown metric 'F1'"), "{msg}");
    assert!(msg.contains("did you mean 'f1'?"), "{msg}");
    assert!(listed(&msg).len() <= 10, "{msg}");
}

#[test]
fn scikit_learn_names_suggest_the_metric() {
    for (given, meant) in [
        ("f1_score", "f1"),
        ("roc_auc_score", "roc_auc"),
        ("accuracy_score", "accuracy"),
        ("auc", "roc_auc"),
    ] {
        let rule = format!("{given}=0.5");
        let msg = usage_error(&["eval", "examples/binary.csv", "-q", "--min", &rule]);
        assert!(msg.contains(&format!("did you mean '{meant}'?")), "{msg}");
        assert!(listed(&msg).len() <= 10, "{msg}");
    }
}

#[test]
fn a_comparison_in_the_rule_is_read_when_it_agrees_with_the_flag() {
    let run = mlguard(&[
        "eval",
        "examples/binary.csv",
        "-q",
        "--format",
        "json",
        "--min",
        "f1>=0.1",
        "--max",
        "ece <= 0.9",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("\"rule:min:f1=0.1\""), "{}", run.stdout);
    let msg = usage_error(&["eval", "examples/binary.csv", "-q", "--min", "f1<=0.9"]);
    assert!(msg.contains("write --max f1=0.9"), "{msg}");
}

#[test]
fn beta_is_refused_as_a_parameter() {
    let msg = usage_error(&["eval", "examples/binary.csv", "-q", "--min", "beta=0.9"]);
    assert!(msg.contains("'beta'") && msg.contains("parameter"), "{msg}");
    assert!(msg.contains("--min fbeta="), "{msg}");
    let msg = usage_error(&["eval", "examples/binary.csv", "-q", "--min", "nope=0.9"]);
    assert!(!listed(&msg).iter().any(|n| n == "beta"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// --format github
// ---------------------------------------------------------------------------------------------

/// `eval` of the collapsed model against its reference, with a rule that fails.
const FAILING: &[&str] = &[
    "eval",
    "examples/collapse.csv",
    "-q",
    "--reference",
    "examples/reference.csv",
    "--min",
    "f1=0.9",
    "--format",
    "github",
];

#[test]
fn github_format_annotates_failures_and_warnings_then_gives_the_verdict() {
    let run = mlguard(FAILING);
    assert_eq!(run.code, Some(1), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let rule = lines
        .iter()
        .find(|l| l.starts_with("::error title=mlguard rule%3Amin%3Af1=0.9::"))
        .unwrap_or_else(|| panic!("no annotation of the failed rule:\n{}", run.stdout));
    // `%` in a message is escaped (the interval reads "95% interval").
    assert!(rule.contains("95%25 interval"), "{rule}");
    assert!(
        lines.iter().any(|l| l.starts_with("::warning title=")),
        "{}",
        run.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error title=mlguard deployment.serving_skew::")),
        "an error finding is annotated:\n{}",
        run.stdout
    );
    for line in &lines[..lines.len() - 1] {
        assert!(
            line.starts_with("::error ") || line.starts_with("::warning "),
            "{line}"
        );
    }
    let verdict = lines.last().unwrap();
    assert!(verdict.starts_with("mlguard: FAIL ("), "{verdict}");
}

#[test]
fn github_format_passes_quietly() {
    let run = mlguard(&[
        "eval",
        "examples/binary.csv",
        "-q",
        "--min",
        "accuracy=0.5",
        "--format",
        "github",
        "--checks",
        "none",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(
        run.stdout.lines().last(),
        Some("mlguard: PASS (1 check, 0 failing the gate)")
    );
}

#[test]
fn github_format_appends_the_markdown_report_to_the_step_summary() {
    let summary = scratch("summary.md");
    std::fs::write(&summary, "earlier step").unwrap();
    let env = [("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())];
    for _ in 0..2 {
        let run = run_with(FAILING, &env);
        assert_eq!(run.code, Some(1), "{run:?}");
    }
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n"), "{text}");
    assert_eq!(text.matches("### ❌ mlguard: FAIL").count(), 2, "{text}");
    // Other formats leave the summary alone.
    let mut other = FAILING.to_vec();
    other.pop();
    other.push("json");
    run_with(&other, &env);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), text);
    std::fs::remove_file(&summary).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Completions and the man page
// ---------------------------------------------------------------------------------------------

/// The subcommands a user can run.
const SUBCOMMANDS: &[&str] = &[
    "eval",
    "diff",
    "profile",
    "explain",
    "merge",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell_name_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = mlguard(&["completions", shell]);
        assert_eq!(run.code, Some(0), "{shell}: {run:?}");
        assert!(!run.stdout.trim().is_empty(), "{shell}: empty script");
        assert!(run.stdout.contains("eval"), "{shell}: no subcommand");
        assert!(run.stdout.contains("label-col"), "{shell}: no flag");
        assert!(run.stderr.is_empty(), "{shell}: {}", run.stderr);
    }
    let msg = usage_error(&["completions", "tcsh"]);
    assert!(
        msg.contains("[possible values: bash, elvish, fish"),
        "{msg}"
    );
}

#[test]
fn the_man_page_has_a_title_and_every_subcommand() {
    let run = mlguard(&["man"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains(".TH mlguard 1"), "no .TH");
    for name in SUBCOMMANDS {
        let heading = format!(".SH \"MLGUARD {}\"", name.to_uppercase());
        assert!(run.stdout.contains(&heading), "no section {heading}");
    }
    assert!(run.stdout.contains("label\\-col"), "no options");
}

// ---------------------------------------------------------------------------------------------
// Help texts
// ---------------------------------------------------------------------------------------------

/// The help of one option in `mlguard eval --help`: its line and the lines indented under it.
fn option_help(flag: &str) -> String {
    let run = mlguard(&["eval", "--help"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let mut lines = run
        .stdout
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(&format!("{flag} ")));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no {flag} in the help"));
    let mut text = first.trim().to_string();
    for line in lines.take_while(|l| l.starts_with("          ")) {
        text.push(' ');
        text.push_str(line.trim());
    }
    text
}

#[test]
fn checks_help_names_every_family() {
    let help = option_help("--checks");
    for family in [
        "all",
        "none",
        "sanity",
        "segments",
        "windows",
        "reference",
        "data",
        "training",
    ] {
        assert!(
            help.contains(family),
            "--checks help lacks {family}: {help}"
        );
    }
    // Each family named in the help is accepted.
    let run = mlguard(&[
        "eval",
        "examples/binary.csv",
        "-q",
        "--checks",
        "sanity,segments,windows,reference,data,training",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn reference_help_mentions_a_saved_profile() {
    let help = option_help("--reference");
    assert!(help.contains("mlguard profile"), "{help}");
}

#[test]
fn an_unknown_check_family_lists_the_families_and_where_drift_lives() {
    let msg = usage_error(&[
        "eval",
        "examples/binary.csv",
        "-q",
        "--checks",
        "sanity,drift",
    ]);
    assert!(!msg.contains("configuration key"), "{msg}");
    assert!(msg.contains("unknown check family \"drift\""), "{msg}");
    assert!(msg.contains("windows, reference, data, training"), "{msg}");
    assert!(msg.contains("`reference`"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// The report says how it was made
// ---------------------------------------------------------------------------------------------

#[test]
fn the_first_line_echoes_the_flags_that_shaped_the_report() {
    let run = mlguard(&[
        "eval",
        "examples/collapse.csv",
        "--time-col",
        "timestamp",
        "--reference",
        "examples/reference.csv",
        "--quiet",
        "--color",
        "never",
    ]);
    assert!(matches!(run.code, Some(0 | 1)), "{run:?}");
    assert_eq!(
        run.stdout.lines().next(),
        Some(
            "mlguard eval examples/collapse.csv --time-col timestamp --reference \
             examples/reference.csv"
        )
    );
    assert!(
        !run.stdout.contains("config:"),
        "no configuration file was read"
    );
    let json = mlguard(&[
        "eval",
        "examples/collapse.csv",
        "--segment-col",
        "segment",
        "--format",
        "json",
        "-q",
    ]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        report["run"]["command"],
        "mlguard eval examples/collapse.csv --segment-col segment"
    );
    assert_eq!(report["run"]["config"], serde_json::Value::Null);
}

#[test]
fn a_configuration_file_read_is_named_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mlguard.toml"),
        "[gate]\nmin = { accuracy = 0.5 }\n",
    )
    .unwrap();
    let input = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/binary.csv");
    let run = |format: &str| {
        let out = assert_cmd::Command::cargo_bin("mlguard")
            .unwrap()
            .current_dir(dir.path())
            .arg("eval")
            .arg(&input)
            .args(["--quiet", "--format", format])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run("text");
    let head: Vec<&str> = text.lines().take(5).collect();
    assert!(head.contains(&"config: ./mlguard.toml"), "{head:?}");
    assert!(run("markdown").contains("config: ./mlguard.toml"));
    assert!(run("html").contains("config: <span class=\"mono\">./mlguard.toml</span>"));
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["run"]["config"], "./mlguard.toml");
}
