//! How the human reports word counts and numbers: "1 row", never "1 rows"; a threshold of
//! 1.3e-18 written with a few significant digits, never as thirty digits (JSON keeps them all).

use crate::support::{write, Test};

/// Every human format of `file` evaluated with `args`.
fn human_reports(dir: &std::path::Path, file: &str, args: &[&str]) -> Vec<(String, String)> {
    ["text", "markdown", "html", "junit", "github"]
        .iter()
        .map(|format| {
            let out = Test::new()
                .current_dir(dir)
                .args(&["eval", file, "--quiet", "--format", format])
                .args(args)
                .env("GITHUB_STEP_SUMMARY", "")
                .run();
            out.no_panic();
            (format.to_string(), out.stdout.clone())
        })
        .collect()
}

/// Places where a count of one meets a plural noun.
fn one_plural(text: &str) -> Vec<String> {
    let words = [
        "rows", "classes", "checks", "windows", "segments", "bins", "scores", "ids",
    ];
    let mut found = Vec::new();
    for word in words {
        for pattern in [
            format!(" 1 {word}"),
            format!("(1 {word}"),
            format!(">1 {word}"),
        ] {
            if let Some(at) = text.find(&pattern) {
                let end = (at + 60).min(text.len());
                let end = (end..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap();
                found.push(text[at..end].to_string());
            }
        }
    }
    found
}

#[test]
fn a_count_of_one_takes_the_singular() {
    let dir = tempfile::tempdir().unwrap();
    // One rule (one check), one small segment of one row, one class predicted.
    let mut body = String::from("label,prediction,segment\n");
    for i in 0..40 {
        body += &format!("{},{},big\n", i % 2, i % 2);
    }
    body += "1,1,tiny\n";
    let file = write(&dir, "one.csv", body);
    let args = [
        "--segment-col",
        "segment",
        "--checks",
        "none",
        "--min",
        "accuracy=0.5",
        "--calibration-bins",
        "1",
    ];
    for (format, report) in human_reports(dir.path(), &file, &args) {
        let bad = one_plural(&report);
        assert!(bad.is_empty(), "{format}: {bad:?}");
    }
    let text = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &file, "--quiet"])
        .args(&args)
        .run();
    text.stdout_contains("Verdict: PASS (1 check, 0 failing the gate)");
    let json = Test::eval_json(&file)
        .current_dir(dir.path())
        .args(&args)
        .run()
        .report();
    assert_eq!(
        json["segments"]["segment"]["tiny"]["reason"],
        "1 row, fewer than --min-segment-rows 30"
    );
    // A file of one row.
    let single = write(&dir, "single.csv", "label,prediction\n1,1\n");
    let out = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &single, "--quiet", "--pos-label", "1"])
        .run();
    out.no_panic()
        .stdout_contains("1 row, binary task, 1 class");
}

#[test]
fn tiny_thresholds_are_written_with_a_few_significant_digits() {
    let dir = tempfile::tempdir().unwrap();
    // Scores far below 1e-12 for most rows: the best-F1 threshold is one of them.
    let mut body = String::from("label,score\n");
    for i in 0..300u32 {
        let label = u32::from(i % 3 == 0);
        let score = if label == 1 {
            2.2852518355869223e-12 * f64::from(1 + i % 7)
        } else {
            1.0e-15 * f64::from(1 + i % 11)
        };
        body += &format!("{label},{score:e}\n");
    }
    let file = write(&dir, "tiny.csv", body);
    for (format, report) in human_reports(dir.path(), &file, &[]) {
        let long = report
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .find(|w| w.len() > 12 && w.contains('.'));
        assert!(long.is_none(), "{format}: {long:?}");
        if format == "text" {
            assert!(
                report.contains("best f1                2.285e-12:"),
                "{report}"
            );
            assert!(
                report.contains("at the best threshold 2.285e-12 against"),
                "{report}"
            );
        }
    }
    // JSON keeps every digit.
    let json = Test::eval_json(&file)
        .current_dir(dir.path())
        .run()
        .report();
    assert_eq!(
        json["thresholds"]["best_f1"]["threshold"].as_f64(),
        Some(2.2852518355869223e-12)
    );
}

/// `examples/collapse.csv` by time, in the empty directory's absence of a configuration file:
/// ten windows worse than the rows before them.
fn collapse(format: &str) -> String {
    let file = crate::support::package_file("examples/collapse.csv");
    let out = Test::new()
        .in_empty_dir()
        .args(&[
            "eval",
            &file,
            "--time-col",
            "timestamp",
            "--quiet",
            "--format",
            format,
        ])
        .env("GITHUB_STEP_SUMMARY", "")
        .run();
    out.code(1);
    out.stdout.clone()
}

#[test]
fn repeated_failures_of_one_check_are_one_line_of_the_verdict() {
    let text = collapse("text");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("Verdict: FAIL"))
        .unwrap();
    let block: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| !l.is_empty())
        .copied()
        .collect();
    let windows: Vec<&&str> = block.iter().filter(|l| l.contains("window")).collect();
    assert_eq!(windows.len(), 1, "{block:#?}");
    assert!(
        windows[0].starts_with(
            "  ✗ 10 windows are worse than the rows before them; worst: 2026-03-04T18:00:00Z \
             (accuracy 0.5360 lower), 2026-03-05T00:00:00Z (accuracy 0.5346 lower), \
             2026-03-04T12:00:00Z (accuracy 0.5002 lower); 7 more among the checks"
        ),
        "{}",
        windows[0]
    );
    // The details still list every window, after the diagnosis.
    let diagnosis = text.find("\nDiagnosis\n").unwrap();
    let checks = text.find("\nChecks\n").unwrap();
    assert!(at < text[..diagnosis].lines().count() && diagnosis < checks);
    assert_eq!(
        text[checks..]
            .matches("is worse than the rows before it")
            .count(),
        10
    );
}

#[test]
fn the_diagnosis_comes_before_the_long_lists() {
    let html = collapse("html");
    let diagnosis = html.find("id=\"diagnosis\"").unwrap();
    for after in ["id=\"failed\"", "id=\"metrics\"", "id=\"checks\""] {
        let at = html.find(after).unwrap_or_else(|| panic!("{after}"));
        assert!(diagnosis < at, "{after} comes before the diagnosis");
    }
    assert!(html.contains("10 windows are worse than the rows before them; worst:"));
    let markdown = collapse("markdown");
    let diagnosis = markdown.find("#### Diagnosis").unwrap();
    let failed = markdown.find("#### Failed rules").unwrap();
    let verdict = markdown.find("- ❌ fail 10 windows are worse").unwrap();
    assert!(verdict < diagnosis && diagnosis < failed, "{markdown}");
}

#[test]
fn repeated_failures_of_one_check_are_one_github_annotation() {
    let out = collapse("github");
    let windows: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("worse than the rows before"))
        .collect();
    assert_eq!(windows.len(), 1, "{out}");
    assert!(
        windows[0].starts_with(
            "::error title=mlguard window%3Aworse::10 windows are worse than the rows before \
             them; worst: 2026-03-04T18:00:00Z (accuracy 0.5360 lower)"
        ),
        "{}",
        windows[0]
    );
    assert!(
        windows[0].ends_with("; 7 more among the checks"),
        "{}",
        windows[0]
    );
}
