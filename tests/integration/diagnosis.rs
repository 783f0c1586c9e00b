//! Integration tests of the diagnosis (`src/diagnosis/`): on generated files with one known,
//! injected cause, the leading finding names the right category, code and place; on clean
//! files no finding is a warning or an error; `mlguard explain` covers every code.
//!
//! The files come from `scripts/gen_scenarios.py` (standard library only, deterministic by
//! seed), whose docstring describes each scenario and the size of its fault.

use serde_json::Value;

use crate::support::{scenario_file, Test};

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
    let reference = scenario_file(d, "clean", 101, ROWS);
    let with_ref = ["--reference", reference.as_str()];

    // Data: a segment that was fine in the reference and got worse.
    let f = scenario_file(d, "weak_segment", 1, ROWS);
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&[&with_ref[..], &["--segment-col", "segment"]].concat())
        .run()
        .report();
    let lead = leading(&r, "data.segment_degraded", "weak_segment");
    assert_eq!(lead["evidence"]["location"]["segment"]["value"], "partner");
    assert!(lead["remedies"][0]
        .as_str()
        .unwrap()
        .contains("segment=partner"));

    // Data: the class mix moved.
    let f = scenario_file(d, "prior_shift", 2, ROWS);
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&with_ref)
        .run()
        .report();
    let lead = leading(&r, "data.prior_shift", "prior_shift");
    assert_eq!(lead["evidence"]["location"]["class"], "1");

    // Data: rows without a label, skipped.
    let f = scenario_file(d, "missing", 3, ROWS);
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&["--skip-invalid"])
        .run()
        .report();
    leading(&r, "data.missing_values", "missing");

    // Deployment: scores shifted and accuracy dropped while the labels held.
    let f = scenario_file(d, "score_shift", 4, ROWS);
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&with_ref)
        .run()
        .report();
    leading(&r, "deployment.serving_skew", "score_shift");

    // Deployment: the model broke at a known time.
    let f = scenario_file(d, "collapse", 5, ROWS);
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&[&with_ref[..], &["--time-col", "timestamp"]].concat())
        .run()
        .report();
    let lead = leading(&r, "deployment.step_change", "collapse");
    assert_eq!(
        lead["evidence"]["location"]["window"],
        "2026-03-08T00:00:00Z"
    );

    // Deployment: malformed model output.
    let f = scenario_file(d, "nan_scores", 14, ROWS);
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&["--skip-invalid"])
        .run()
        .report();
    leading(&r, "deployment.abnormal_outputs", "nan_scores");

    // One class only, from the first row and with nothing to compare: the model as trained.
    let f = scenario_file(d, "degenerate", 6, ROWS);
    let r = Test::eval_json(&f).current_dir(d).run().report();
    leading(
        &r,
        "training.underfitting",
        "degenerate without a reference",
    );
    assert_eq!(
        r["findings"].as_array().unwrap().len(),
        1,
        "{}",
        listing(&r)
    );
    // The same against a reference that predicted both classes: a collapse at serving.
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&with_ref)
        .run()
        .report();
    leading(&r, "deployment.collapse", "degenerate against a reference");

    // Deployment: a bad model version.
    let f = scenario_file(d, "version_gap", 7, ROWS);
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&["--version-col", "version"])
        .run()
        .report();
    let lead = leading(&r, "deployment.version_gap", "version_gap");
    assert_eq!(lead["evidence"]["location"]["segment"]["column"], "version");
    assert_eq!(lead["evidence"]["location"]["segment"]["value"], "v2");

    // Data: flipped labels.
    let f = scenario_file(d, "label_noise", 12, ROWS);
    let r = Test::eval_json(&f).current_dir(d).run().report();
    let lead = leading(&r, "data.label_noise", "label_noise");
    assert!(!lead["rows"].as_array().unwrap().is_empty());
    let excess = lead["evidence"]["values"]["data:label_noise"]["excess_rate"]
        .as_f64()
        .unwrap();
    // 20% of labels flipped; confident learning sees the confidently contradicted part.
    assert!((0.10..0.21).contains(&excess), "excess noise {excess}");

    // Data: repeated rows.
    let f = scenario_file(d, "duplicates", 13, ROWS);
    let r = Test::eval_json(&f).current_dir(d).run().report();
    let lead = leading(&r, "data.duplicate_rows", "duplicates");
    let share = lead["evidence"]["values"]["data:duplicates"]["share"]
        .as_f64()
        .unwrap();
    assert!((0.07..0.11).contains(&share), "duplicate share {share}");

    // Training: much better on the training data.
    let f = scenario_file(d, "clean", 8, ROWS);
    let train = scenario_file(d, "overfit_train", 9, ROWS);
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&["--train", &train])
        .run()
        .report();
    let lead = leading(&r, "training.overfitting", "overfit");
    let gap = lead["evidence"]["values"]["training:overfitting"]["difference"]
        .as_f64()
        .unwrap();
    assert!((0.05..0.15).contains(&gap), "train-vs-eval gap {gap}");

    // Training: no better than chance.
    let f = scenario_file(d, "underfit", 10, ROWS);
    let r = Test::eval_json(&f).current_dir(d).run().report();
    leading(&r, "training.underfitting", "underfit");

    // Training: over-confident probabilities.
    let f = scenario_file(d, "overconfident", 11, ROWS);
    let r = Test::eval_json(&f).current_dir(d).run().report();
    leading(&r, "training.miscalibration", "overconfident");
}

#[test]
fn clean_data_yields_no_warning_or_error_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reference = scenario_file(d, "clean", 1000, 5_000);
    let train = scenario_file(d, "clean", 2000, 5_000);
    let mut problems = Vec::new();
    for seed in 0..20 {
        let f = scenario_file(d, "clean", seed, 5_000);
        let r = Test::eval_json(&f)
            .current_dir(d)
            .args(&[
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
            ])
            .run()
            .report();
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
    let f = scenario_file(d, "label_noise", 21, 5_000);
    let out = d.join("issues.csv");
    let r = Test::eval_json(&f)
        .current_dir(d)
        .args(&["--export-issues", out.to_str().unwrap()])
        .run()
        .report();
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
    let r = Test::eval_json(hostile.to_str().unwrap())
        .current_dir(d)
        .args(&["--id-col", "id", "--export-issues", out.to_str().unwrap()])
        .run()
        .report();
    assert_eq!(r["findings"][0]["code"], "data.conflicting_labels");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(!rows.is_empty());
    for row in rows.iter().filter(|r| &r[1] == "data.conflicting_labels") {
        assert_eq!(&row[5], "'=HYPERLINK(\"http://x\")");
    }
}

#[test]
fn explain_lists_and_describes_every_code() {
    let list = Test::new().args(&["explain"]).run();
    assert!(list.status.success());
    let list = &list.utf8().stdout;
    for info in mlguard::diagnosis::catalog::CODES {
        assert!(list.contains(info.code), "{} not listed", info.code);
        let one = Test::new().args(&["explain", info.code]).run();
        assert!(one.status.success(), "{}", info.code);
        let text = &one.utf8().stdout;
        for part in ["Meaning", "Detection", "Typical causes", "Remedies"] {
            assert!(text.contains(part), "{}: no {part}", info.code);
        }
    }
    let bad = Test::new().args(&["explain", "data.nonsense"]).run();
    bad.code(2);
    let err = &bad.utf8().stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("mlguard explain"), "{err}");
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
    let r = Test::eval_json(plain.to_str().unwrap())
        .current_dir(d)
        .run()
        .report();
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
    let r = Test::eval_json(with_id.to_str().unwrap())
        .current_dir(d)
        .run()
        .report();
    assert_eq!(
        r["findings"][0]["code"],
        "data.duplicate_rows",
        "{}",
        listing(&r)
    );
}

#[test]
fn an_outage_window_raises_a_degraded_window_finding_at_its_start() {
    // Six hours in which the model ignores its input, then recovers: too brief for a step
    // change in the error rate, so the degraded window itself must lead.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for seed in [1, 3, 4] {
        let f = scenario_file(d, "outage", seed, 5_000);
        let r = Test::eval_json(&f)
            .current_dir(d)
            .args(&["--time-col", "timestamp"])
            .run()
            .report();
        let what = format!("outage seed {seed}");
        let lead = leading(&r, "deployment.degraded_window", &what);
        assert_eq!(
            lead["evidence"]["location"]["window"],
            "2026-03-08T00:00:00Z",
            "{what}: {}",
            listing(&r)
        );
        assert!(
            lead["evidence"]["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "window:2026-03-08T00:00:00Z:worse"),
            "{what}: {}",
            lead["evidence"]
        );
    }
}

#[test]
fn a_break_in_time_explains_the_label_noise_and_drift_it_causes() {
    let r = Test::eval_json("examples/collapse.csv")
        .args(&[
            "--time-col",
            "timestamp",
            "--reference",
            "examples/reference.csv",
        ])
        .run()
        .report();
    let lead = leading(&r, "deployment.step_change", "collapse example");
    assert_eq!(
        lead["evidence"]["location"]["window"],
        "2026-03-04T12:00:00Z"
    );
    let explains: Vec<&str> = lead["explains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for symptom in ["data.label_noise", "deployment.serving_skew"] {
        assert!(explains.contains(&symptom), "{explains:?}");
    }
    // Neither is reported apart, and no finding advises relabelling rows.
    for f in r["findings"].as_array().unwrap() {
        assert_ne!(f["code"], "data.label_noise", "{}", listing(&r));
        let remedies = f["remedies"].to_string();
        assert!(!remedies.contains("relabel"), "{remedies}");
    }
}

/// Uniform draws in [0, 1) from a xorshift generator seeded by `seed` (deterministic).
fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A calibrated binary log over ten days in four segments, written to `dir/name`: the label of
/// a row is dropped when `drop(day, segment, u)` says so (`u` uniform in [0, 1)).
fn log_with_missing_labels(
    dir: &std::path::Path,
    name: &str,
    drop: impl Fn(u64, &str, f64) -> bool,
) -> String {
    let mut uniform = uniforms(0x2545_f491_4f6c_dd1d);
    let segments = ["web", "ios", "android", "partner"];
    let mut text = String::from("timestamp,segment,label,score\n");
    for i in 0..20_000u64 {
        let day = i / 2000;
        let minute = (i % 2000) * 1440 / 2000;
        let segment = segments[(i % 4) as usize];
        let score = (uniform() * 1000.0).round() / 1000.0;
        let label = u64::from(uniform() < score);
        let cell = if drop(day, segment, uniform()) {
            String::new()
        } else {
            label.to_string()
        };
        text.push_str(&format!(
            "2026-05-{:02}T{:02}:{:02}:00Z,{segment},{cell},{score}\n",
            day + 1,
            minute / 60,
            minute % 60
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn labels_missing_in_the_latest_days_or_one_segment_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "--time-col",
        "timestamp",
        "--segment-col",
        "segment",
        "--skip-invalid",
    ];

    // Labels arrive late: most of the last two days have none yet.
    let f = log_with_missing_labels(d, "recent.csv", |day, _, u| day >= 8 && u < 0.8);
    let r = Test::eval_json(&f).args(&args).run().report();
    let lead = leading(&r, "data.label_delay", "recent labels missing");
    let window = lead["evidence"]["location"]["window"].as_str().unwrap();
    assert!(window.starts_with("2026-05-09"), "{window}");
    assert!(lead["explains"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "data.missing_values"));
    let windows = r["windows"].as_array().unwrap();
    let missing: u64 = windows
        .iter()
        .map(|w| w["labels_missing"].as_u64().unwrap())
        .sum();
    assert_eq!(
        missing,
        r["audit"]["skipped"]["missing_label"].as_u64().unwrap()
    );

    // One segment's labels never arrive for half its rows.
    let f = log_with_missing_labels(d, "segment.csv", |_, s, u| s == "ios" && u < 0.5);
    let r = Test::eval_json(&f).args(&args).run().report();
    let lead = leading(&r, "data.label_delay", "one segment's labels missing");
    assert_eq!(lead["evidence"]["location"]["segment"]["value"], "ios");
    let ios = &r["segments"]["segment"]["ios"];
    assert!(ios["labels_missing"].as_u64().unwrap() > 2000, "{ios}");
    assert_eq!(r["segments"]["segment"]["web"]["labels_missing"], 0);

    // Labels missing at random, everywhere: no place is blamed.
    let f = log_with_missing_labels(d, "random.csv", |_, _, u| u < 0.05);
    let r = Test::eval_json(&f).args(&args).run().report();
    let checks = r["checks"].as_array().unwrap();
    let delay = checks
        .iter()
        .find(|c| c["id"] == "data:label_delay")
        .expect("the check runs when labels are missing");
    assert_eq!(delay["status"], "pass", "{delay}");
    assert!(!listing(&r).contains("label_delay"), "{}", listing(&r));
}

/// A calibrated binary log of `rows` rows in four segments: true probability p uniform, label
/// Bernoulli(p), score p — except in `coarse`'s segment, where the score is the mean of p over
/// its fifth of [0, 1] (another model's outputs: still calibrated, less sharp).
fn log_with_scores(dir: &std::path::Path, name: &str, seed: u64, coarse: Option<&str>) -> String {
    let mut uniform = uniforms(seed);
    let segments = ["web", "ios", "android", "partner"];
    let mut text = String::from("segment,label,score\n");
    for i in 0..20_000u64 {
        let segment = segments[(i % 4) as usize];
        let p = uniform();
        let label = u64::from(uniform() < p);
        let score = if coarse == Some(segment) {
            ((p * 5.0).floor() + 0.5) / 5.0
        } else {
            p
        };
        text.push_str(&format!("{segment},{label},{score:.6}\n"));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn one_segment_served_other_outputs_is_serving_skew_there() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reference = log_with_scores(d, "reference.csv", 7, None);
    let args = [
        "--segment-col",
        "segment",
        "--reference",
        reference.as_str(),
    ];

    let f = log_with_scores(d, "current.csv", 11, Some("ios"));
    let r = Test::eval_json(&f).args(&args).run().report();
    let lead = leading(&r, "deployment.serving_skew", "one segment's outputs");
    assert_eq!(lead["evidence"]["location"]["segment"]["value"], "ios");
    assert!(lead["evidence"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "segment:segment=ios:scores"));

    // The same file without the other outputs: no segment's scores moved.
    let f = log_with_scores(d, "clean.csv", 11, None);
    let r = Test::eval_json(&f).args(&args).run().report();
    let checks = r["checks"].as_array().unwrap();
    assert!(
        !checks
            .iter()
            .any(|c| c["id"].as_str().unwrap().ends_with(":scores")),
        "{}",
        listing(&r)
    );
}

#[test]
fn a_small_generalisation_gap_warns_and_a_large_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = |name: &str, wrong_per_100: u64| {
        let mut text = String::from("label,prediction\n");
        for i in 0..4000u64 {
            let label = i % 2;
            let pred = if i % 100 < wrong_per_100 {
                1 - label
            } else {
                label
            };
            text.push_str(&format!("{label},{pred}\n"));
        }
        let path = d.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let train = file("train.csv", 0);
    let status = |wrong: u64| {
        let f = file(&format!("current-{wrong}.csv"), wrong);
        let r = Test::eval_json(&f)
            .args(&["--train", train.as_str()])
            .run()
            .report();
        let checks = r["checks"].as_array().unwrap();
        let c = checks
            .iter()
            .find(|c| c["id"] == "training:overfitting")
            .unwrap();
        c["status"].as_str().unwrap().to_string()
    };
    assert_eq!(status(3), "pass");
    assert_eq!(status(7), "warn");
    assert_eq!(status(15), "fail");
}
