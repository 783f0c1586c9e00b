//! Integration tests of the diagnosis (`src/diagnosis/`): on generated files with one known,
//! injected cause, the leading finding names the right category, code and place; on clean
//! files no finding is a warning or an error; `mlguard explain` covers every code.
//!
//! The files come from `scripts/gen_scenarios.py` (standard library only, deterministic by
//! seed), whose docstring describes each scenario and the size of its fault.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use serde_json::Value;

fn package_file(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    assert!(p.is_file(), "missing {}", p.display());
    p
}

/// Writes `rows` rows of `scenario` with `seed` into `dir` and returns the file's path.
fn generate(dir: &Path, scenario: &str, seed: u64, rows: u64) -> String {
    let out = dir.join(format!("{scenario}-{seed}.csv"));
    let result = Process::new("python3")
        .arg(package_file("scripts/gen_scenarios.py"))
        .args([scenario, &seed.to_string(), &rows.to_string()])
        .arg(&out)
        .output()
        .expect("python3 runs (it is needed to generate the scenarios)");
    assert!(
        result.status.success(),
        "gen_scenarios.py {scenario} {seed} {rows} failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    out.to_string_lossy().into_owned()
}

/// The JSON report of `mlguard eval FILE ARGS… --format json`, run in `dir`.
fn eval(dir: &Path, file: &str, args: &[&str]) -> Value {
    let out = assert_cmd::Command::cargo_bin("mlguard")
        .expect("the mlguard binary is built")
        .current_dir(dir)
        .args(["eval", file, "--format", "json", "--quiet"])
        .args(args)
        .output()
        .expect("mlguard runs");
    let code = out.status.code().expect("mlguard exits");
    assert!(
        code == 0 || code == 1,
        "mlguard eval {file} {args:?} exited {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

/// The findings of a report, as `code (severity, confidence)` lines, for failure messages.
fn listing(report: &Value) -> String {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            format!(
                "  {} ({}, {}): {}",
                f["code"], f["severity"], f["confidence"], f["title"]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that the leading finding has `code` (hence its category) and a severity of warning
/// or error, and returns it.
fn leading<'a>(report: &'a Value, code: &str, what: &str) -> &'a Value {
    let first = &report["findings"][0];
    assert_eq!(
        first["code"],
        code,
        "{what}: the leading finding should be {code}; findings:\n{}",
        listing(report)
    );
    let category = code.split('.').next().unwrap();
    assert_eq!(first["category"], category, "{what}");
    assert!(
        first["severity"] == "error" || first["severity"] == "warning",
        "{what}: {}",
        first["severity"]
    );
    assert!(
        !first["remedies"].as_array().unwrap().is_empty(),
        "{what}: no remedy"
    );
    assert!(
        !first["evidence"]["checks"].as_array().unwrap().is_empty(),
        "{what}: no evidence"
    );
    first
}

const ROWS: u64 = 20_000;

#[test]
fn each_injected_cause_leads_the_findings_with_its_category_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reference = generate(d, "clean", 101, ROWS);
    let with_ref = ["--reference", reference.as_str()];

    // Data: a segment the model handles badly.
    let f = generate(d, "weak_segment", 1, ROWS);
    let r = eval(
        d,
        &f,
        &[&with_ref[..], &["--segment-col", "segment"]].concat(),
    );
    let lead = leading(&r, "data.weak_segment", "weak_segment");
    assert_eq!(lead["evidence"]["location"]["segment"]["value"], "partner");
    assert!(lead["remedies"][0]
        .as_str()
        .unwrap()
        .contains("segment=partner"));

    // Data: the class mix moved.
    let f = generate(d, "prior_shift", 2, ROWS);
    let r = eval(d, &f, &with_ref);
    let lead = leading(&r, "data.prior_shift", "prior_shift");
    assert_eq!(lead["evidence"]["location"]["class"], "1");

    // Data: rows without a label, skipped.
    let f = generate(d, "missing", 3, ROWS);
    let r = eval(d, &f, &["--skip-invalid"]);
    leading(&r, "data.missing_values", "missing");

    // Deployment: scores shifted and accuracy dropped while the labels held.
    let f = generate(d, "score_shift", 4, ROWS);
    let r = eval(d, &f, &with_ref);
    leading(&r, "deployment.serving_skew", "score_shift");

    // Deployment: the model broke at a known time.
    let f = generate(d, "collapse", 5, ROWS);
    let r = eval(
        d,
        &f,
        &[&with_ref[..], &["--time-col", "timestamp"]].concat(),
    );
    let lead = leading(&r, "deployment.step_change", "collapse");
    assert_eq!(
        lead["evidence"]["location"]["window"],
        "2026-03-08T00:00:00Z"
    );

    // Deployment: malformed model output.
    let f = generate(d, "nan_scores", 14, ROWS);
    let r = eval(d, &f, &["--skip-invalid"]);
    leading(&r, "deployment.abnormal_outputs", "nan_scores");

    // Deployment: one class only.
    let f = generate(d, "degenerate", 6, ROWS);
    let r = eval(d, &f, &[]);
    leading(&r, "deployment.collapse", "degenerate");

    // Deployment: a bad model version.
    let f = generate(d, "version_gap", 7, ROWS);
    let r = eval(d, &f, &["--version-col", "version"]);
    let lead = leading(&r, "deployment.version_gap", "version_gap");
    assert_eq!(lead["evidence"]["location"]["segment"]["column"], "version");
    assert_eq!(lead["evidence"]["location"]["segment"]["value"], "v2");

    // Data: flipped labels.
    let f = generate(d, "label_noise", 12, ROWS);
    let r = eval(d, &f, &[]);
    let lead = leading(&r, "data.label_noise", "label_noise");
    assert!(!lead["rows"].as_array().unwrap().is_empty());
    let excess = lead["evidence"]["values"]["data:label_noise"]["excess_rate"]
        .as_f64()
        .unwrap();
    // 20% of labels flipped; confident learning sees the confidently contradicted part.
    assert!((0.10..0.21).contains(&excess), "excess noise {excess}");

    // Data: repeated rows.
    let f = generate(d, "duplicates", 13, ROWS);
    let r = eval(d, &f, &[]);
    let lead = leading(&r, "data.duplicate_rows", "duplicates");
    let share = lead["evidence"]["values"]["data:duplicates"]["share"]
        .as_f64()
        .unwrap();
    assert!((0.07..0.11).contains(&share), "duplicate share {share}");

    // Training: much better on the training data.
    let f = generate(d, "clean", 8, ROWS);
    let train = generate(d, "overfit_train", 9, ROWS);
    let r = eval(d, &f, &["--train", &train]);
    let lead = leading(&r, "training.overfitting", "overfit");
    let gap = lead["evidence"]["values"]["training:overfitting"]["difference"]
        .as_f64()
        .unwrap();
    assert!((0.05..0.15).contains(&gap), "train-vs-eval gap {gap}");

    // Training: no better than chance.
    let f = generate(d, "underfit", 10, ROWS);
    let r = eval(d, &f, &[]);
    leading(&r, "training.underfitting", "underfit");

    // Training: over-confident probabilities.
    let f = generate(d, "overconfident", 11, ROWS);
    let r = eval(d, &f, &[]);
    leading(&r, "training.miscalibration", "overconfident");
}

#[test]
fn clean_data_yields_no_warning_or_error_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reference = generate(d, "clean", 1000, 5_000);
    let train = generate(d, "clean", 2000, 5_000);
    let mut problems = Vec::new();
    for seed in 0..20 {
        let f = generate(d, "clean", seed, 5_000);
        let r = eval(
            d,
            &f,
            &[
                "--reference",
                &reference,
                "--train",
                &train,
                "--segment-col",
                "segment",
                "--version-col",
                "version",
                "--time-col",
                "timestamp",
            ],
        );
        for finding in r["findings"].as_array().unwrap() {
            if finding["severity"] != "info" {
                problems.push(format!(
                    "seed {seed}: {} ({}): {}",
                    finding["code"], finding["severity"], finding["evidence"]["because"]
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "false alarms:\n{}",
        problems.join("\n")
    );
}

#[test]
fn issues_export_lists_the_rows_behind_findings_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = generate(d, "label_noise", 21, 5_000);
    let out = d.join("issues.csv");
    let r = eval(d, &f, &["--export-issues", out.to_str().unwrap()]);
    let suspects = r["audit"]["label_issues"]["suspects"].as_u64().unwrap();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["line", "finding", "reason", "label", "suggested", "id"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() as u64, suspects.min(10_000));
    for row in &rows {
        assert_eq!(&row[1], "data.label_noise");
        let line: u64 = row[0].parse().unwrap();
        assert!((2..=5_001).contains(&line), "{line}");
        assert_ne!(&row[3], &row[4], "a suspect's suggested label differs");
    }

    // Ids from the input that a spreadsheet would run as formulas are neutralised.
    let hostile = d.join("hostile.csv");
    let mut text = String::from("id,label,prediction\n");
    for i in 0..200 {
        text.push_str(&format!("k{i},{},{}\n", i % 2, i % 2));
    }
    text.push_str("=HYPERLINK(\"http://x\"),0,0\n=HYPERLINK(\"http://x\"),1,1\n");
    std::fs::write(&hostile, text).unwrap();
    let out = d.join("hostile-issues.csv");
    let r = eval(
        d,
        hostile.to_str().unwrap(),
        &["--id-col", "id", "--export-issues", out.to_str().unwrap()],
    );
    assert_eq!(r["findings"][0]["code"], "data.conflicting_labels");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(!rows.is_empty());
    for row in rows.iter().filter(|r| &r[1] == "data.conflicting_labels") {
        assert_eq!(&row[5], "'=HYPERLINK(\"http://x\")");
    }
}

fn mlguard(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("mlguard")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn explain_lists_and_describes_every_code() {
    let list = mlguard(&["explain"]);
    assert!(list.status.success());
    let list = String::from_utf8(list.stdout).unwrap();
    for info in mlguard::diagnosis::catalog::CODES {
        assert!(list.contains(info.code), "{} not listed", info.code);
        let one = mlguard(&["explain", info.code]);
        assert!(one.status.success(), "{}", info.code);
        let text = String::from_utf8(one.stdout).unwrap();
        for part in ["Meaning", "Detection", "Typical causes", "Remedies"] {
            assert!(text.contains(part), "{}: no {part}", info.code);
        }
    }
    let bad = mlguard(&["explain", "data.nonsense"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("mlguard explain"), "{err}");
}

#[test]
fn readme_documents_every_code_and_cause_row() {
    let readme = std::fs::read_to_string(package_file("README.md")).unwrap();
    for info in mlguard::diagnosis::catalog::CODES {
        assert!(
            readme.contains(&format!("`{}`", info.code)),
            "README does not document {}",
            info.code
        );
    }
}

#[test]
fn repeated_rows_without_an_identifying_column_are_not_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::from("label,prediction\n");
    for i in 0..1000 {
        text.push_str(&format!("{},{}\n", i % 2, i % 2));
    }
    let plain = d.join("labels.csv");
    std::fs::write(&plain, &text).unwrap();
    let r = eval(d, plain.to_str().unwrap(), &[]);
    let check = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "data:duplicates")
        .expect("a data:duplicates check");
    assert_eq!(check["status"], "skip", "{check}");
    assert!(r["findings"].as_array().unwrap().is_empty(), "{r}");
    // The same rows with an id column that repeats are duplicates.
    let mut text = String::from("id,label,prediction\n");
    for i in 0..1000 {
        text.push_str(&format!("{},{},{}\n", i % 900, i % 2, i % 2));
    }
    let with_id = d.join("with_id.csv");
    std::fs::write(&with_id, &text).unwrap();
    let r = eval(d, with_id.to_str().unwrap(), &[]);
    assert_eq!(
        r["findings"][0]["code"],
        "data.duplicate_rows",
        "{}",
        listing(&r)
    );
}
