//! Performance estimated before the labels arrive: a partly labelled or unlabelled log with a
//! labelled reference gets estimated metrics with intervals that hold the realised values, gates
//! on them, and says when the estimate cannot be trusted.
//!
//! The logs are generated here: a model whose scores are over-confident (σ(2.5·x) for a true
//! probability σ(1.5·x)), a reference of its labelled rows, and a current log whose inputs have
//! shifted (covariate shift), with the labels of its later rows not arrived yet.

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use serde_json::Value;

use crate::support::Test;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// One generated row: its time, score, and label.
struct Row {
    time: i64,
    score: f64,
    label: u8,
}

/// `n` rows, an hour apart from 2026-05-01, inputs drawn around `shift`; the label's relation
/// to the input has slope `truth` (1.5 is the model's world).
fn rows(n: usize, seed: u64, shift: f64, truth: f64) -> Vec<Row> {
    spread_rows(n, seed, (shift, 1.0), truth)
}

/// [`rows`] with inputs drawn around `shift` with standard deviation `spread`.
fn spread_rows(n: usize, seed: u64, (shift, spread): (f64, f64), truth: f64) -> Vec<Row> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let z: f64 = StandardNormal.sample(&mut rng);
            let x = spread * z + shift;
            let label = u8::from(rng.gen::<f64>() < sigmoid(truth * x));
            Row {
                time: 1_777_593_600 + 600 * i as i64,
                score: sigmoid(2.5 * x),
                label,
            }
        })
        .collect()
}

/// Writes the rows, leaving the label empty from row `labelled` on.
fn write(path: &Path, rows: &[Row], labelled: usize) {
    let mut out = String::from("time,segment,label,score\n");
    for (i, r) in rows.iter().enumerate() {
        let label = if i < labelled {
            r.label.to_string()
        } else {
            String::new()
        };
        let segment = ["web", "ios", "android"][i % 3];
        out += &format!("{},{segment},{label},{:?}\n", r.time, r.score);
    }
    std::fs::write(path, out).unwrap();
}

/// Accuracy and F1 of rows (predicted positive at 0.5).
fn realised(rows: &[Row]) -> (f64, f64) {
    let (mut tp, mut fp, mut fn_, mut tn) = (0.0, 0.0, 0.0, 0.0);
    for r in rows {
        match (r.score >= 0.5, r.label == 1) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            (false, false) => tn += 1.0,
        }
    }
    (
        (tp + tn) / (tp + fp + fn_ + tn),
        2.0 * tp / (2.0 * tp + fp + fn_),
    )
}

fn json(args: &[&str]) -> (Value, i32) {
    let out = Test::new().args(args).run();
    let code = out.exit_code();
    (
        serde_json::from_str(&out.stdout).expect("a JSON report"),
        code,
    )
}

fn inside(e: &Value, metric: &str, value: f64) -> bool {
    let i = &e["intervals"][metric];
    let (lo, hi) = (i[0].as_f64().unwrap(), i[1].as_f64().unwrap());
    lo <= value && value <= hi
}

#[test]
fn rows_awaiting_labels_get_estimates_whose_intervals_hold_the_realised_values() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    write(&reference, &rows(6000, 1, 0.0, 1.5), 6000);
    let now = rows(6000, 2, 0.7, 1.5);
    write(&current, &now, 2000);
    let (r, _) = json(&[
        "eval",
        current.to_str().unwrap(),
        "--reference",
        reference.to_str().unwrap(),
        "--time-col",
        "time",
        "--segment-col",
        "segment",
        "--format",
        "json",
    ]);
    crate::cli::check_estimated_contract(&r);
    let e = &r["estimated"];
    assert_eq!(e["method"], "cbpe");
    assert_eq!(e["rows"], 4000);
    assert_eq!(r["input"]["rows"], 2000);
    assert_eq!(r["input"]["rows_awaiting_labels"], 4000);
    let (accuracy, f1) = realised(&now[2000..]);
    assert!(inside(e, "accuracy", accuracy), "{accuracy} {e:#}");
    assert!(inside(e, "f1", f1), "{f1} {e:#}");
    // The scores are over-confident: taken as probabilities they would promise more.
    let promised: f64 = now[2000..]
        .iter()
        .map(|r| r.score.max(1.0 - r.score))
        .sum::<f64>()
        / 4000.0;
    assert!(promised > accuracy + 0.03, "{promised} {accuracy}");
    assert!(!inside(e, "accuracy", promised), "{promised} {e:#}");
    // The labelled rows check the estimator; nothing says not to trust it.
    let labelled = &e["labelled"];
    assert_eq!(labelled["estimated"]["rows"], 2000);
    assert_eq!(labelled["outside_interval"], serde_json::json!([]), "{e:#}");
    assert_eq!(e["trusted"], true, "{e:#}");
    // Windows: each holds its own estimate of the rows awaiting labels in it.
    let windows = e["windows"].as_array().unwrap();
    let rows: u64 = windows.iter().map(|w| w["rows"].as_u64().unwrap()).sum();
    assert_eq!(rows, 4000);
    // And each segment: the overall estimate covers the rows of every segment.
    let segments = e["segments"]["segment"].as_object().unwrap();
    assert_eq!(segments.len(), 3);
    let rows: u64 = segments.values().map(|s| s["rows"].as_u64().unwrap()).sum();
    assert_eq!(rows, 4000);
}

#[test]
fn an_unlabelled_log_is_reported_with_estimates_and_gated_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    write(&reference, &rows(6000, 3, 0.0, 1.5), 6000);
    write(&current, &rows(3000, 4, 0.5, 1.5), 0);
    let (c, r) = (current.to_str().unwrap(), reference.to_str().unwrap());
    let (report, code) = json(&[
        "eval",
        c,
        "--reference",
        r,
        "--min",
        "estimated.accuracy=0.5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{:#}", report["gate"]);
    assert!(report["metrics"]["accuracy"].is_null());
    assert_eq!(report["input"]["rows_awaiting_labels"], 3000);
    assert_eq!(report["estimated"]["rows"], 3000);
    let accuracy = report["estimated"]["accuracy"].as_f64().unwrap();
    assert!((0.6..0.95).contains(&accuracy), "{accuracy}");
    // The checks that need no labels compare the waiting rows' scores and predictions with
    // the reference (the inputs moved); those that need labels are skipped.
    let status = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap().to_string())
    };
    let drift = status("drift:score");
    assert!(
        matches!(drift.as_deref(), Some("warn" | "fail")),
        "{drift:?}"
    );
    assert_eq!(status("drift:label").as_deref(), Some("skip"));
    assert_eq!(status("regression:accuracy").as_deref(), Some("skip"));
    assert_eq!(status("data:missing").as_deref(), Some("pass"));
    let (report, code) = json(&[
        "eval",
        c,
        "--reference",
        r,
        "--min",
        "estimated.accuracy=0.99",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let failed = &report["gate"]["failures"][0];
    assert!(
        failed["id"]
            .as_str()
            .unwrap()
            .contains("estimated.accuracy"),
        "{failed}"
    );
    // The text report leads with the estimate and says why the metrics are missing.
    let out = Test::new().args(&["eval", c, "--reference", r]).run();
    assert!(out
        .stdout
        .contains("Estimated performance of the 3000 rows awaiting labels"));
    assert!(
        out.stdout.contains("the metrics wait for the labels"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_changed_relation_between_scores_and_labels_is_said_to_make_the_estimate_untrustworthy() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    write(&reference, &rows(6000, 5, 0.0, 1.5), 6000);
    // The labels now follow the input far more loosely (concept shift).
    write(&current, &rows(6000, 6, 0.0, 0.3), 3000);
    let (r, _) = json(&[
        "eval",
        current.to_str().unwrap(),
        "--reference",
        reference.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let e = &r["estimated"];
    assert_eq!(e["trusted"], false, "{e:#}");
    let caveats = e["caveats"].to_string();
    assert!(caveats.contains("concept shift"), "{caveats}");
}

#[test]
fn without_a_reference_the_report_says_what_estimating_needs() {
    let dir = tempfile::tempdir().unwrap();
    let current = dir.path().join("current.csv");
    write(&current, &rows(1000, 7, 0.0, 1.5), 600);
    let (r, _) = json(&["eval", current.to_str().unwrap(), "--format", "json"]);
    assert!(r["estimated"].is_null());
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains("400 rows awaiting labels have scores"),
        "{warnings}"
    );
    assert!(warnings.contains("--reference"), "{warnings}");
}

#[test]
fn shards_merged_give_the_same_estimate_as_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    write(&reference, &rows(4000, 8, 0.0, 1.5), 4000);
    write(&current, &rows(5000, 9, 0.6, 1.5), 1500);
    let r = reference.to_str().unwrap();
    let reading = ["--time-col", "time", "--segment-col", "segment"];
    let mut args = vec!["eval", current.to_str().unwrap(), "--reference", r];
    args.extend(reading);
    args.extend(["--format", "json"]);
    let (whole, _) = json(&args);
    // Two shards, cut inside the rows awaiting labels.
    let text = std::fs::read_to_string(&current).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let body: Vec<&str> = lines.collect();
    let mut states = Vec::new();
    for (i, part) in [&body[..3200], &body[3200..]].iter().enumerate() {
        let path = dir.path().join(format!("part-{i}.csv"));
        std::fs::write(&path, format!("{header}\n{}\n", part.join("\n"))).unwrap();
        let state = dir.path().join(format!("part-{i}.state"));
        let mut args = vec!["eval", path.to_str().unwrap()];
        args.extend(reading);
        args.extend(["--save-state", state.to_str().unwrap(), "--quiet"]);
        let run = Test::new().args(&args).run();
        assert!(matches!(run.status_code(), Some(0 | 1)), "{}", run.stderr);
        states.push(state.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge"];
    args.extend(states.iter().map(String::as_str));
    args.extend(["--reference", r, "--format", "json"]);
    let (merged, _) = json(&args);
    assert_eq!(merged["estimated"]["rows"], 3500);
    assert_eq!(merged["estimated"], whole["estimated"]);
}

#[test]
fn inputs_moving_to_where_the_model_is_unsure_are_an_estimated_drop() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    write(&reference, &spread_rows(6000, 10, (0.0, 2.0), 1.5), 6000);
    // The inputs now crowd the decision boundary, where the model is often wrong.
    write(&current, &spread_rows(4000, 11, (0.0, 0.5), 1.5), 0);
    let (r, code) = json(&[
        "eval",
        current.to_str().unwrap(),
        "--reference",
        reference.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{:#}", r["gate"]);
    let check = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "estimated:drop")
        .expect("an estimated:drop check");
    assert_eq!(check["status"], "fail", "{check:#}");
    let message = check["message"].as_str().unwrap();
    assert!(message.contains("the scores' confidence"), "{message}");
    let codes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"data.estimated_drop"), "{codes:?}");
}
