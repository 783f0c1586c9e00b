//! Helpers shared by the renderer and browser tests: building reports through the library as
//! `mlguard eval` would, and writing hostile input files.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

use clap::Parser;
use mlguard::cli::{Cli, Command};
use mlguard::commands::eval::build_report;
use mlguard::report::Report;
use mlguard::settings::EvalSettings;

/// The report `mlguard eval ARGS…` builds, with the tool version pinned so snapshots do not
/// change with every release.
pub fn report(args: &[&str]) -> Report {
    let mut argv = vec!["mlguard", "eval"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).expect("arguments parse");
    let Command::Eval(eval) = cli.command else {
        panic!("not an eval command")
    };
    let settings = EvalSettings::from_args(&eval).expect("settings are valid");
    let mut report = build_report(&settings).expect("the input evaluates");
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

/// Labels, segment names and a column name that try to inject markup, Markdown or XML.
pub const HOSTILE: [&str; 4] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"q'uote & amp|pipe",
    "@team *bold* [link](http://x) `code` </details>",
];

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Writes a 4-class file with hostile labels, predictions, probabilities and segments into
/// `dir`; deterministic, 240 rows.
pub fn hostile_csv(dir: &Path) -> String {
    let mut text = String::from("label,prediction,");
    text.push_str(&csv_field("seg<b>ment</b>"));
    for l in HOSTILE {
        text.push(',');
        text.push_str(&csv_field(&format!("proba_{l}")));
    }
    text.push('\n');
    for r in 0..240usize {
        let truth = r % 4;
        let pred = if r % 5 == 0 { (truth + 1) % 4 } else { truth };
        let own = 0.4 + 0.5 * ((r * 37) % 10) as f64 / 10.0;
        let mut p = [(1.0 - own) / 3.0; 4];
        p[pred] = own;
        let _ = write!(
            text,
            "{},{},{}",
            csv_field(HOSTILE[truth]),
            csv_field(HOSTILE[pred]),
            csv_field(HOSTILE[(r / 4) % 4])
        );
        for x in p {
            let _ = write!(text, ",{x:.4}");
        }
        text.push('\n');
    }
    let path = dir.join("hostile.csv");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Writes a file with `classes` long hostile class names and per-class probabilities, and a
/// segment column of `segments` long hostile values.
pub fn many_classes_csv(dir: &Path, classes: usize, rows: usize, segments: usize) -> String {
    let name = |i: usize| format!("<img src=x onerror=alert({i})>{}\"&|{i}", "L".repeat(150));
    let mut text = String::from("label,prediction,seg");
    for i in 0..classes {
        text.push(',');
        text.push_str(&csv_field(&format!("proba_{}", name(i))));
    }
    text.push('\n');
    for r in 0..rows {
        let truth = r % classes;
        let pred = if r % 3 == 0 {
            (truth + r / classes) % classes
        } else {
            truth
        };
        let rest = 0.5 / (classes - 1) as f64;
        let _ = write!(
            text,
            "{},{},{}",
            csv_field(&name(truth)),
            csv_field(&name(pred)),
            csv_field(&format!(
                "<script>s{}</script>{}",
                r % segments,
                "S".repeat(120)
            ))
        );
        for i in 0..classes {
            let _ = write!(text, ",{:.6}", if i == pred { 0.5 } else { rest });
        }
        text.push('\n');
    }
    let path = dir.join("many.csv");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
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
    let (column, segments) = report.segments.0[0].clone();
    for i in 0..11 {
        report.segments.0.push((
            format!("{column}<i>{i}</i>{}", "C".repeat(100)),
            segments.clone(),
        ));
    }
    let checks = report.checks.clone();
    for i in 0..12 {
        for c in &checks {
            let mut c = c.clone();
            c.id = format!("{}#{i}<script>", c.id);
            c.message.push_str(&format!(
                " <img src=x onerror=alert({i})> {}",
                "M".repeat(300)
            ));
            report.checks.push(c);
        }
    }
    for i in 0..1000 {
        report.warnings.push(format!(
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
