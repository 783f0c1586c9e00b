//! Reports built through the library as `mlguard eval` would build them, for the renderer and
//! browser tests, and rendering them into a string.

use std::path::Path;

use clap::Parser;
use mlguard::checks::CheckId;
use mlguard::cli::{Cli, Command};
use mlguard::engine::evaluate;
use mlguard::report::Report;
use mlguard::scan::NoProgress;
use mlguard::settings::EvalSettings;

use super::hostile_input::{hostile_csv, many_classes_csv};

/// The report `mlguard eval ARGS…` builds, with the tool version pinned so snapshots do not
/// change with every release.
pub fn report(args: &[&str]) -> Report {
    let mut argv = vec!["mlguard", "eval"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(&argv).expect("arguments parse");
    let Command::Eval(eval) = cli.command else {
        panic!("not an eval command")
    };
    let mut settings = EvalSettings::from_args(&eval).expect("settings are valid");
    let argv: Vec<std::ffi::OsString> = argv.iter().map(Into::into).collect();
    settings.command = mlguard::invocation::echo(&argv);
    let mut report = evaluate(&settings, &NoProgress).expect("the input evaluates");
    report.tool.version = "[version]";
    report
}

/// The binary example with rules that fail overall and per segment. Bootstrap intervals are
/// off (`--bootstrap 0`) so that snapshots hold only the closed-form Wilson intervals and do not
/// change when the bootstrap's implementation does.
pub fn binary_report() -> Report {
    report(&[
        "examples/binary.csv",
        "--bootstrap",
        "0",
        "--segment-col",
        "segment",
        "--min",
        "f1=0.85",
        "--min",
        "segment:recall=0.7",
        "--max",
        "ece=0.05",
        "--min",
        "accuracy=0.84",
    ])
}

/// The multiclass example with a passing and a failing rule (Wilson intervals only).
pub fn multiclass_report() -> Report {
    report(&[
        "examples/multiclass.csv",
        "--bootstrap",
        "0",
        "--min",
        "macro.f1=0.8",
        "--min",
        "per_class.cat.recall=0.75",
    ])
}

/// The report of the hostile file (`hostile_csv`) in `dir`, by its hostile segment column, with
/// a segment rule that fails.
pub fn hostile_report(dir: &Path) -> Report {
    let path = hostile_csv(dir);
    report(&[
        &path,
        "--segment-col",
        "seg<b>ment</b>",
        "--min",
        "segment:accuracy=0.95",
    ])
}

/// A report as large as the renderers can be asked to show: 300 long hostile class names with
/// per-class curves, 12 segment columns of 100 long hostile segments, thousands of checks with
/// long messages, and 1,000 long warnings.
pub fn worst_case_report(dir: &Path) -> Report {
    let path = many_classes_csv(dir, 300, 3000, 100);
    let mut report = report(&[
        &path,
        "--segment-col",
        "seg",
        "--min",
        "segment:accuracy=0.9",
        "--min",
        "segment:f1=0.5",
        "--min",
        "macro.f1=0.9",
        "--min-segment-rows",
        "1",
        "--bootstrap",
        "20",
    ]);
    let (column, segments) = report.results.segments.0[0].clone();
    for i in 0..11 {
        report.results.segments.0.push((
            format!("{column}<i>{i}</i>{}", "C".repeat(100)),
            segments.clone(),
        ));
    }
    let checks = report.checks.clone();
    for i in 0..12 {
        for c in &checks {
            let mut c = c.clone();
            // Ids are typed; a rule's text is where a hostile id can come from.
            c.id = CheckId::Rule {
                rule: format!("{}#{i}<script>", c.id),
                segment: None,
            };
            c.message.push_str(&format!(
                " <img src=x onerror=alert({i})> {}",
                "M".repeat(300)
            ));
            report.checks.push(c);
        }
    }
    for i in 0..1000 {
        report.results.warnings.push(format!(
            "warning {i} <script>alert(1)</script> {}",
            "W".repeat(500)
        ));
    }
    report
}

/// Renders with a renderer into a string.
pub fn rendered(
    render: impl Fn(&Report, &mut dyn std::io::Write) -> std::io::Result<()>,
    report: &Report,
) -> String {
    let mut buf = Vec::new();
    render(report, &mut buf).expect("rendering to memory works");
    String::from_utf8(buf).expect("the report is UTF-8")
}
