//! Sample weights (`--weight-col`, `[columns] weight`): the weighted metrics are those of the
//! golden tests (`golden.rs`, from scikit-learn's `sample_weight`); here, what holds around
//! them: weights of 1 change nothing, weights change the metrics they weigh and leave the rest,
//! bad weights are one-line errors (or skipped rows), shards merge to the very same numbers, and
//! the report says what is weighted.

use serde_json::Value;

use crate::support::{package_file, write, Test};

/// The JSON report of `file` evaluated with `args`.
fn report(file: &str, args: &[&str]) -> Value {
    Test::eval_json(file).args(args).run().report()
}

/// `file` (CSV) with a `weight` column of `weight` added to each row.
fn with_weight(dir: &tempfile::TempDir, file: &str, weight: &str) -> String {
    let text = std::fs::read_to_string(package_file(file)).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out += line;
        out += if i == 0 { ",weight" } else { "," };
        if i > 0 {
            out += weight;
        }
        out += "\n";
    }
    write(dir, "weighted.csv", out)
}

/// Every number of `a` within 1e-12 (relative) of `b`'s, key by key.
fn close(a: &Value, b: &Value, at: &str, errors: &mut Vec<String>) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() > 1e-12 * x.abs().max(1.0) {
                errors.push(format!("{at}: {x} vs {y}"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => close(v, w, &format!("{at}.{k}"), errors),
                    None => errors.push(format!("{at}.{k}: missing")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                close(v, w, &format!("{at}[{i}]"), errors);
            }
        }
        _ if a == b => {}
        _ => errors.push(format!("{at}: {a} vs {b}")),
    }
}

#[test]
fn weights_of_one_give_the_unweighted_metrics() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "examples/binary.csv",
        "examples/multiclass.csv",
        "fixtures/golden/binary_score_only.csv",
    ] {
        let weighted = with_weight(&dir, file, "1");
        let plain = report(&package_file(file), &[]);
        let ones = report(&weighted, &["--weight-col", "weight"]);
        let mut errors = Vec::new();
        close(&plain["metrics"], &ones["metrics"], file, &mut errors);
        assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
        // The weighted matrix of unit weights is the matrix of counts.
        let counts = &plain["metrics"]["confusion_matrix"]["matrix"];
        let sums = &ones["metrics"]["confusion_matrix"]["weighted"];
        let as_f64 = |m: &Value| -> Vec<Vec<f64>> {
            m.as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_f64().unwrap())
                        .collect()
                })
                .collect()
        };
        assert_eq!(as_f64(counts), as_f64(sums), "{file}");
        // Without weights the report has none of the weighted keys.
        assert!(plain["metrics"]["confusion_matrix"]
            .get("weighted")
            .is_none());
        assert!(plain["input"].get("total_weight").is_none());
        assert_eq!(
            ones["input"]["total_weight"].as_f64(),
            plain["input"]["rows"].as_f64()
        );
    }
}

#[test]
fn weights_change_what_they_weigh_and_the_report_says_what_they_do_not() {
    let file = package_file("fixtures/golden/weighted_binary.csv");
    let plain = report(&file, &[]);
    let weighted = report(&file, &["--weight-col", "weight"]);
    for key in ["accuracy", "f1", "mcc", "roc_auc", "log_loss", "brier"] {
        assert_ne!(plain["metrics"][key], weighted["metrics"][key], "{key}");
    }
    // Counts, calibration and curves stay those of the rows.
    for key in ["ece", "mce"] {
        assert_eq!(plain["metrics"][key], weighted["metrics"][key], "{key}");
    }
    assert_eq!(
        plain["metrics"]["confusion_matrix"]["matrix"],
        weighted["metrics"]["confusion_matrix"]["matrix"]
    );
    assert_eq!(plain["curves"], weighted["curves"]);
    assert_eq!(weighted["intervals"], serde_json::json!({}));
    assert_eq!(weighted["input"]["columns"]["weight"], "weight");
    let note = weighted["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|w| w.starts_with("metrics are weighted by column 'weight'"))
        .unwrap_or_else(|| panic!("no note: {}", weighted["warnings"]));
    for unweighted in ["segments", "windows", "statistical checks", "intervals"] {
        assert!(note.contains(unweighted), "{note}");
    }
    // The text report shows the note too.
    Test::new()
        .args(&["eval", &file, "--quiet", "--weight-col", "weight"])
        .run()
        .stdout_contains("columns: label=label prediction=y_pred score=score weight=weight")
        .stdout_contains("metrics are weighted by column 'weight' (total weight");
}

#[test]
fn the_weight_column_can_be_named_in_the_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = package_file("fixtures/golden/weighted_binary.csv");
    write(&dir, "mlguard.toml", "[columns]\nweight = \"weight\"\n");
    let from_file = Test::eval_json(&file)
        .current_dir(dir.path())
        .run()
        .report();
    let from_flag = report(&file, &["--weight-col", "weight"]);
    assert_eq!(from_file["metrics"], from_flag["metrics"]);
}

#[test]
fn a_bad_weight_is_a_one_line_error_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["-1", "NaN", "", "heavy", "inf"] {
        let body = format!("label,prediction,weight\n1,1,2\n0,1,{bad}\n0,0,1\n");
        let file = write(&dir, "bad.csv", body);
        let run = Test::new()
            .args(&["eval", &file, "--quiet", "--weight-col", "weight"])
            .run();
        let error = run.input_error(&file);
        assert_eq!(error.line, Some(3), "{bad:?}: {run:?}");
        assert!(
            error
                .what
                .contains("in weight column 'weight' is not a weight"),
            "{bad:?}: {}",
            error.what
        );
        assert!(error.hint.contains("--skip-invalid"), "{}", error.hint);
        // With --skip-invalid the row is skipped and counted.
        let skipped = report(&file, &["--weight-col", "weight", "--skip-invalid"]);
        assert_eq!(skipped["input"]["rows"], 2, "{bad:?}");
        assert_eq!(skipped["input"]["rows_skipped"], 1, "{bad:?}");
        assert_eq!(skipped["input"]["total_weight"], 3.0, "{bad:?}");
    }
}

#[test]
fn weights_of_zero_count_for_nothing_but_cannot_all_be_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "zero.csv",
        "label,prediction,weight\n1,1,1\n0,0,2\n0,1,0\n1,0,0\n",
    );
    let r = report(&file, &["--weight-col", "weight"]);
    assert_eq!(r["metrics"]["accuracy"], 1.0);
    assert_eq!(r["input"]["rows"], 4);
    let file = write(&dir, "zeros.csv", "label,prediction,weight\n1,1,0\n0,0,0\n");
    let run = Test::new()
        .args(&["eval", &file, "--quiet", "--weight-col", "weight"])
        .run();
    let error = run.input_error(&file);
    assert!(error.what.contains("the weights sum to 0"), "{run:?}");
    let run = Test::new()
        .args(&["eval", &file, "--quiet", "--weight-col", "w"])
        .run();
    assert!(run.one_line_error().contains("--weight-col"), "{run:?}");
}

#[test]
fn weighted_shards_merge_to_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let file = package_file("fixtures/golden/weighted_multiclass.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    // Three shards, the last first, so that the rows arrive in another order.
    let mut states = Vec::new();
    for (i, part) in rows.chunks(rows.len() / 3 + 1).rev().enumerate() {
        let shard = write(
            &dir,
            &format!("part{i}.csv"),
            format!("{header}\n{}\n", part.join("\n")),
        );
        let state = dir.path().join(format!("part{i}.state"));
        let run = Test::new()
            .args(&[
                "eval",
                &shard,
                "--quiet",
                "--weight-col",
                "weight",
                "--save-state",
            ])
            .arg(&state)
            .run();
        assert!(matches!(run.status_code(), Some(0 | 1)), "{run:?}");
        states.push(state.to_str().unwrap().to_string());
    }
    let whole = report(&file, &["--weight-col", "weight"]);
    let mut args = vec!["merge"];
    args.extend(states.iter().map(String::as_str));
    args.extend(["--format", "json", "--quiet"]);
    let merged = Test::new().args(&args).run().report();
    assert_eq!(whole["metrics"], merged["metrics"]);
    assert_eq!(
        whole["input"]["total_weight"],
        merged["input"]["total_weight"]
    );
    // A shard read without the weight column does not merge with weighted ones.
    let plain = dir.path().join("plain.state");
    let shard = write(&dir, "plain.csv", format!("{header}\n{}\n", rows[0]));
    Test::new()
        .args(&["eval", &shard, "--quiet", "--save-state"])
        .arg(&plain)
        .run();
    let run = Test::new()
        .args(&["merge", &states[0]])
        .arg(&plain)
        .args(&["--quiet"])
        .run();
    assert!(run.one_line_error().contains("weight column"), "{run:?}");
}

#[test]
fn a_class_whose_rows_all_weigh_zero_is_named_in_the_warnings() {
    let file = package_file("fixtures/golden/weighted_zero_class.csv");
    let r = report(&file, &["--weight-col", "weight"]);
    let warnings: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for expected in [
        "recall is ill-defined and set to 0.0 for class '3', and balanced_accuracy leaves it out",
        "one-vs-rest roc_auc and average_precision are undefined for class '3'",
    ] {
        assert!(
            warnings.iter().any(|w| w.starts_with(expected)),
            "{expected}: {warnings:#?}"
        );
    }
    assert!(r["metrics"]["per_class"]["3"]["roc_auc"].is_null());
    // The unweighted run has no such warning.
    let plain = report(&file, &[]);
    assert!(
        !plain["warnings"].to_string().contains("'3'"),
        "{}",
        plain["warnings"]
    );
}

#[test]
fn a_profile_compares_only_with_a_run_weighted_alike() {
    let dir = tempfile::tempdir().unwrap();
    let file = package_file("fixtures/golden/weighted_binary.csv");
    let profile = dir.path().join("ref.profile.json");
    Test::new()
        .args(&["profile", &file, "--quiet", "--weight-col", "weight", "-o"])
        .arg(&profile)
        .run()
        .success();
    let profile = profile.to_str().unwrap();
    // Alike: the weighted metrics meet the weighted reference's exactly.
    let r = report(
        &file,
        &[
            "--weight-col",
            "weight",
            "--reference",
            profile,
            "--max-drop",
            "f1=0",
        ],
    );
    let check = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "regression:max_drop:f1")
        .unwrap();
    assert_eq!(check["status"], "pass", "{check}");
    assert_eq!(check["threshold"], r["metrics"]["f1"], "{check}");
    // Otherwise: refused.
    let run = Test::new()
        .args(&["eval", &file, "--quiet", "--reference", profile])
        .run();
    let error = run.input_error(profile);
    assert!(
        error.what.contains(
            "the profile's metrics are weighted by column 'weight' but this run's are unweighted"
        ),
        "{}",
        error.what
    );
}
