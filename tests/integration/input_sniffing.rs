//! The files new users really export: spreadsheet CSVs with `;` or tabs and decimal commas,
//! percentages for scores, a title line above the header, short column names (`y`, `y_hat`),
//! 18-digit ids as classes, and binary probability pairs thresholded like a score.
//!
//! Each test runs the built binary on a file written into a temporary directory (which is also
//! the working directory, so no `mlguard.toml` of the package is read).

use std::path::{Path, PathBuf};

use mlguard::diff::read_report;

/// What a run of the binary produced.
struct Run {
    code: Option<i32>,
    stderr: String,
    /// Where the JSON report was asked to be written.
    report: PathBuf,
}

impl Run {
    /// The report's path, once the file is known to have been evaluated (the gate may fail:
    /// these small files trip data checks).
    fn ok(&self) -> &Path {
        assert!(
            matches!(self.code, Some(0 | 1)),
            "exit {:?}: {}",
            self.code,
            self.stderr
        );
        &self.report
    }
}

/// `mlguard eval NAME --format json ARGS…` in `dir`, where NAME holds `content`; the report
/// is written to NAME.json (read back with the library's report reader).
fn eval(dir: &Path, name: &str, content: &str, args: &[&str]) -> Run {
    std::fs::write(dir.join(name), content).unwrap();
    let report = dir.join(format!("{name}.json"));
    let _ = std::fs::remove_file(&report);
    let out = assert_cmd::Command::cargo_bin("mlguard")
        .unwrap()
        .current_dir(dir)
        .args([
            "eval",
            name,
            "--format",
            "json",
            "--bootstrap",
            "0",
            "--output",
        ])
        .arg(&report)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        report,
    }
}

/// 500 binary rows: label, prediction and a score written with `decimals` decimals, cells
/// joined by `sep`, the decimal mark `point`.
fn binary_rows(sep: &str, point: &str) -> String {
    let mut out = format!("label{sep}prediction{sep}score\n");
    for i in 0..500u32 {
        let label = u32::from(i % 3 != 0);
        let score = f64::from((i * 7919) % 10_000) / 10_000.0;
        let pred = u32::from(score >= 0.5);
        let score = format!("{score:.4}").replace('.', point);
        out += &format!("{label}{sep}{pred}{sep}{score}\n");
    }
    out
}

#[test]
fn a_semicolon_csv_with_decimal_commas_reads_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let plain =
        read_report(eval(dir.path(), "plain.csv", &binary_rows(",", "."), &[]).ok()).unwrap();
    let excel =
        read_report(eval(dir.path(), "excel.csv", &binary_rows(";", ","), &[]).ok()).unwrap();
    assert_eq!(excel["input"]["rows"], 500);
    assert_eq!(excel["input"]["rows_skipped"], 0);
    assert_eq!(excel["metrics"], plain["metrics"]);
    let said = excel["warnings"].to_string();
    assert!(said.contains("semicolon"), "{said}");
    assert!(said.contains("decimal comma"), "{said}");
    assert!(
        !plain["warnings"].to_string().contains("separated"),
        "{}",
        plain["warnings"].to_string()
    );
}

#[test]
fn decimal_commas_are_not_dropped_as_invalid_rows() {
    let dir = tempfile::tempdir().unwrap();
    let run = eval(
        dir.path(),
        "excel.csv",
        &binary_rows(";", ","),
        &["--skip-invalid"],
    );
    let report = read_report(run.ok()).unwrap();
    assert_eq!(report["input"]["rows_skipped"], 0);
    assert_eq!(report["input"]["rows"], 500);
}

#[test]
fn a_tab_separated_csv_is_read_with_tabs() {
    let dir = tempfile::tempdir().unwrap();
    let plain =
        read_report(eval(dir.path(), "plain.csv", &binary_rows(",", "."), &[]).ok()).unwrap();
    let tabs =
        read_report(eval(dir.path(), "tabs.csv", &binary_rows("\t", "."), &[]).ok()).unwrap();
    assert_eq!(tabs["metrics"], plain["metrics"]);
    assert!(
        tabs["warnings"].to_string().contains("tab-separated"),
        "{}",
        tabs["warnings"].to_string()
    );
}

#[test]
fn a_named_delimiter_is_not_second_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let run = eval(
        dir.path(),
        "excel.csv",
        &binary_rows(";", ","),
        &["--delimiter", ","],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("no label column"), "{}", run.stderr);
}

#[test]
fn percentages_are_told_to_be_divided_by_100_not_read_as_logits() {
    let dir = tempfile::tempdir().unwrap();
    let run = eval(
        dir.path(),
        "pct.csv",
        "label,score\n1,87.5\n0,12.5\n1,64\n",
        &[],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("pct.csv:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("divide them by 100"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

const TITLED: &str = "Churn model, predictions of May\nlabel,prediction\n1,1\n0,0\n1,0\n";

#[test]
fn a_title_line_above_the_header_is_named_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let run = eval(dir.path(), "titled.csv", TITLED, &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("titled.csv:1:"), "{}", run.stderr);
    assert!(run.stderr.contains("--skip-rows 1"), "{}", run.stderr);
}

#[test]
fn skip_rows_reads_the_header_below_and_keeps_the_file_s_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let report =
        read_report(eval(dir.path(), "titled.csv", TITLED, &["--skip-rows", "1"]).ok()).unwrap();
    assert_eq!(report["input"]["rows"], 3);
    let bad = format!("{TITLED}1,\n");
    let run = eval(dir.path(), "bad.csv", &bad, &["--skip-rows", "1"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("bad.csv:6:"), "{}", run.stderr);
    let json = format!(
        "# exported\n{}",
        "{\"label\": 1, \"prediction\": 1}\n{\"label\": 0, \"prediction\": \"\"}\n"
    );
    let run = eval(dir.path(), "titled.jsonl", &json, &["--skip-rows", "1"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("titled.jsonl:3:"), "{}", run.stderr);
}

#[test]
fn skip_rows_is_read_from_the_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mlguard.toml"), "[input]\nskip_rows = 1\n").unwrap();
    let report = read_report(eval(dir.path(), "titled.csv", TITLED, &[]).ok()).unwrap();
    assert_eq!(report["input"]["rows"], 3);
}

#[test]
fn y_and_y_hat_are_the_label_and_the_prediction() {
    let dir = tempfile::tempdir().unwrap();
    for header in ["y,y_hat", "y,yhat", "y,y_pred"] {
        let content = format!("{header}\n1,1\n0,1\n1,1\n0,0\n");
        let report = read_report(eval(dir.path(), "short.csv", &content, &[]).ok()).unwrap();
        assert_eq!(report["metrics"]["accuracy"], 0.75, "{header}");
    }
}

#[test]
fn eighteen_digit_integer_classes_stay_distinct() {
    let ids = [
        "100000000000000001",
        "100000000000000002",
        "100000000000000003",
        "100000000000000004",
    ];
    let mut content = String::from("label,prediction\n");
    for i in 0..40 {
        content += &format!("{},{}\n", ids[i % 4], ids[(i + i / 10) % 4]);
    }
    let dir = tempfile::tempdir().unwrap();
    let report = read_report(eval(dir.path(), "ids.csv", &content, &[]).ok()).unwrap();
    assert_eq!(report["task"], "multiclass");
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(report["labels"][i], *id);
    }
    assert_eq!(report["labels"].as_array().map(Vec::len), Some(4));
    assert_eq!(report["metrics"]["accuracy"], 0.25);
}

#[test]
fn a_binary_probability_pair_is_thresholded_like_a_score() {
    let mut pair = String::from("label,proba_0,proba_1\n");
    let mut score = String::from("label,score\n");
    for (label, p1) in [
        (1, 0.35),
        (0, 0.35),
        (1, 0.25),
        (0, 0.1),
        (1, 0.5),
        (0, 0.5),
        (1, 0.9),
    ] {
        pair += &format!("{label},{},{p1}\n", 1.0 - p1);
        score += &format!("{label},{p1}\n");
    }
    let dir = tempfile::tempdir().unwrap();
    for threshold in ["0.3", "0.5"] {
        let args = ["--threshold", threshold];
        let from_pair = read_report(eval(dir.path(), "pair.csv", &pair, &args).ok()).unwrap();
        let from_score = read_report(eval(dir.path(), "score.csv", &score, &args).ok()).unwrap();
        assert_eq!(
            from_pair["metrics"]["confusion_matrix"], from_score["metrics"]["confusion_matrix"],
            "--threshold {threshold}"
        );
        assert_eq!(
            from_pair["metrics"]["accuracy"], from_score["metrics"]["accuracy"],
            "--threshold {threshold}"
        );
    }
}
