//! Saved reference profiles (`mlguard profile`), `--max-drop` against a reference, and the
//! per-class probability drift checks, through the built binary.
//!
//! The central promise of a profile is exactness: every check of `eval --reference PROFILE`
//! equals the one of `eval --reference DATA` to the last digit.

use std::path::Path;

use serde_json::Value;

use crate::support::{package_file, scenario_file, Test};

/// A fresh temporary directory (no mlguard.toml in it).
fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Writes a profile of `data` (with `args`) to `dir/name` and returns its path.
fn profile(dir: &Path, data: &str, name: &str, args: &[&str]) -> String {
    let out = dir.join(name).to_string_lossy().into_owned();
    let mut all = vec!["profile", data, "-q", "-o", &out];
    all.extend_from_slice(args);
    let run = Test::new().current_dir(dir).args(&all).run();
    run.code(0);
    assert!(run.stdout.is_empty(), "-o writes nothing to stdout");
    out
}

/// The `checks` of `eval FILE --reference REF --format json ARGS…`.
fn checks(dir: &Path, file: &str, reference: &str, args: &[&str]) -> (i32, Value) {
    let run = Test::eval_json(file)
        .current_dir(dir)
        .args(&["--reference", reference, "--bootstrap", "0"])
        .args(args)
        .run();
    (run.exit_code(), run.report()["checks"].clone())
}

#[test]
fn binary_checks_from_a_profile_equal_those_from_the_file() {
    let dir = tempdir();
    let reference = package_file("examples/reference.csv");
    let current = package_file("examples/binary.csv");
    let saved = profile(dir.path(), &reference, "ref.profile.json", &[]);
    let rules = [
        "--max-drop",
        "f1=0.001",
        "--max-drop",
        "log_loss=0.5",
        "--max-drop",
        "per_class.0.recall=0.01",
    ];
    let (code_file, from_file) = checks(dir.path(), &current, &reference, &rules);
    let (code_profile, from_profile) = checks(dir.path(), &current, &saved, &rules);
    assert_eq!(from_file, from_profile);
    assert_eq!(code_file, code_profile);
    let ids: Vec<&str> = from_file
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "drift:score",
        "drift:label",
        "regression:accuracy",
        "regression:max_drop:f1",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn multiclass_checks_from_a_profile_equal_those_from_the_file() {
    let dir = tempdir();
    let data = package_file("examples/multiclass.csv");
    let reference = scenario_file(dir.path(), "multiclass", 1, 3000);
    let current = scenario_file(dir.path(), "proba_shift", 2, 3000);
    for (cur, reference) in [(&data, &data), (&current, &reference)] {
        let saved = profile(dir.path(), reference, "mc.profile.json", &[]);
        let rules = ["--max-drop", "macro.f1=0.01", "--max-drop", "brier=0.01"];
        let (_, from_file) = checks(dir.path(), cur, reference, &rules);
        let (_, from_profile) = checks(dir.path(), cur, &saved, &rules);
        assert_eq!(from_file, from_profile);
        assert!(
            from_file
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"].as_str().unwrap().starts_with("drift:proba:")),
            "{from_file}"
        );
    }
}

#[test]
fn a_profile_holds_exact_distributions_and_stays_small() {
    let dir = tempdir();
    let data = scenario_file(dir.path(), "clean", 3, 50_000);
    let run = Test::new()
        .current_dir(dir.path())
        .args(&["profile", &data, "-q"])
        .run();
    run.code(0);
    let p = run.json();
    assert_eq!(p["mlguard_profile"], 1);
    assert_eq!(p["rows"], 50_000);
    let values = p["scores"]["values"].as_array().unwrap();
    let counts = p["scores"]["counts"].as_array().unwrap();
    assert_eq!(values.len(), counts.len());
    assert_eq!(
        counts.iter().map(|c| c.as_u64().unwrap()).sum::<u64>(),
        50_000
    );
    // Scores have 4 decimals: at most 10,001 distinct values, whatever the row count.
    assert!(values.len() <= 10_001);
    assert!(run.stdout.len() < 250_000, "{} bytes", run.stdout.len());
    assert!(p["metrics"]["f1"].is_number());
}

#[test]
fn a_profile_made_with_other_labels_still_compares() {
    let dir = tempdir();
    // The reference has a class the current file lacks, and lacks one it has.
    let reference = dir.path().join("ref.csv");
    let current = dir.path().join("cur.csv");
    let mut r = String::from("label,prediction\n");
    let mut c = String::from("label,prediction\n");
    for i in 0..300 {
        r.push_str(&format!(
            "{},{}\n",
            ["x", "y", "z"][i % 3],
            ["x", "y", "z"][(i / 2) % 3]
        ));
        c.push_str(&format!(
            "{},{}\n",
            ["x", "y", "w"][i % 3],
            ["x", "y", "w"][(i / 2) % 3]
        ));
    }
    std::fs::write(&reference, r).unwrap();
    std::fs::write(&current, c).unwrap();
    let (reference, current) = (
        reference.to_string_lossy().into_owned(),
        current.to_string_lossy().into_owned(),
    );
    let saved = profile(dir.path(), &reference, "p.json", &[]);
    let (_, from_file) = checks(dir.path(), &current, &reference, &[]);
    let (_, from_profile) = checks(dir.path(), &current, &saved, &[]);
    assert_eq!(from_file, from_profile);
}

#[test]
fn bad_and_foreign_profiles_are_one_line_errors() {
    let dir = tempdir();
    let current = package_file("examples/binary.csv");
    let good = profile(
        dir.path(),
        &package_file("examples/reference.csv"),
        "good.json",
        &[],
    );
    let text = std::fs::read_to_string(&good).unwrap();
    let report = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &current, "--format", "json", "-q"])
        .run()
        .stdout;
    let cases = [
        (
            "newer.json",
            text.replacen("\"mlguard_profile\":1", "\"mlguard_profile\":9", 1),
            "upgrade",
        ),
        (
            "truncated.json",
            text[..text.len() / 2].to_string(),
            "not a valid mlguard profile",
        ),
        (
            "counts.json",
            text.replacen("\"rows\":5000", "\"rows\":5001", 1),
            "do not add up",
        ),
        (
            "marker.json",
            "{\"mlguard_profile\": \"x\"}".to_string(),
            "format version",
        ),
        (
            "fields.json",
            "{\"mlguard_profile\": 1, \"rows\": 3}".to_string(),
            "missing field",
        ),
        ("report.json", report, "JSON report, not a reference"),
    ];
    for (name, body, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let path = path.to_string_lossy().into_owned();
        let run = Test::new()
            .current_dir(dir.path())
            .args(&["eval", &current, "--reference", &path, "-q"])
            .run();
        run.one_line_error();
        assert!(run.stderr.contains(&path), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{name}: {}", run.stderr);
    }
}

#[test]
fn max_drop_fails_on_a_drop_beyond_delta_and_passes_within_it() {
    let dir = tempdir();
    let reference = package_file("examples/reference.csv");
    let collapse = package_file("examples/collapse.csv");
    let find = |checks: &Value, id: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
            .clone()
    };
    let (code, c) = checks(
        dir.path(),
        &collapse,
        &reference,
        &["--checks", "none", "--max-drop", "f1=0.02"],
    );
    let f1 = find(&c, "regression:max_drop:f1");
    assert_eq!(code, 1);
    assert_eq!(f1["status"], "fail");
    assert_eq!(f1["kind"], "threshold");
    assert_eq!(f1["op"], ">=");
    let (code, c) = checks(
        dir.path(),
        &collapse,
        &reference,
        &[
            "--checks",
            "none",
            "--max-drop",
            "f1=0.9",
            "--max-drop",
            "log_loss=100",
        ],
    );
    assert_eq!(code, 0, "{c}");
    assert_eq!(find(&c, "regression:max_drop:f1")["status"], "pass");
    // log_loss is lower-is-better: the rule bounds a rise.
    let ll = find(&c, "regression:max_drop:log_loss");
    assert_eq!(ll["op"], "<=");
    assert!(ll["threshold"].as_f64().unwrap() > ll["value"].as_f64().unwrap());
    let (code, c) = checks(
        dir.path(),
        &collapse,
        &reference,
        &["--checks", "none", "--max-drop", "log_loss=0.01"],
    );
    assert_eq!(code, 1);
    assert_eq!(find(&c, "regression:max_drop:log_loss")["status"], "fail");
}

#[test]
fn max_drop_needs_a_reference_and_a_known_metric() {
    let dir = tempdir();
    let current = package_file("examples/binary.csv");
    let reference = package_file("examples/reference.csv");
    let run = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &current, "--max-drop", "f1=0.02", "-q"])
        .run();
    run.one_line_error();
    run.stderr_contains("--reference");
    let run = Test::new()
        .current_dir(dir.path())
        .args(&[
            "eval",
            &current,
            "--reference",
            &reference,
            "--max-drop",
            "f2=0.02",
            "-q",
        ])
        .run();
    run.one_line_error();
    run.stderr_contains("unknown metric 'f2'")
        .stderr_contains("macro.f1");
    let run = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &current, "--max-drop", "f1=-1", "-q"])
        .run();
    run.one_line_error();
}

#[test]
fn max_drop_from_the_configuration_file() {
    let dir = tempdir();
    let config = format!(
        "[checks]\nreference = {:?}\nenabled = [\"none\"]\nmax_drop = {{ f1 = 0.02, \"macro.recall\" = 0.5 }}\n",
        package_file("examples/reference.csv")
    );
    std::fs::write(dir.path().join("mlguard.toml"), config).unwrap();
    let run = Test::new()
        .current_dir(dir.path())
        .args(&[
            "eval",
            &package_file("examples/collapse.csv"),
            "--format",
            "json",
            "-q",
        ])
        .run();
    run.code(1);
    let ids: Vec<String> = run.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}={}",
                c["id"].as_str().unwrap(),
                c["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            "regression:max_drop:f1=fail",
            "regression:max_drop:macro.recall=pass"
        ]
    );
}

#[test]
fn a_shifted_class_probability_is_the_only_one_that_drifts() {
    let dir = tempdir();
    let reference = scenario_file(dir.path(), "multiclass", 11, 20_000);
    let statuses = |file: &str| -> Vec<(String, String, String)> {
        let (_, c) = checks(dir.path(), file, &reference, &[]);
        c.as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with("drift:proba:"))
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_string(),
                    c["status"].as_str().unwrap().to_string(),
                    c["location"]["class"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for seed in [12, 13, 14] {
        let clean = statuses(&scenario_file(dir.path(), "multiclass", seed, 20_000));
        assert_eq!(clean.len(), 4, "{clean:?}");
        assert!(
            clean.iter().all(|(_, s, _)| s == "pass"),
            "seed {seed}: {clean:?}"
        );
    }
    let shifted = statuses(&scenario_file(dir.path(), "proba_shift", 12, 20_000));
    assert_eq!(shifted.len(), 4, "{shifted:?}");
    let classes: Vec<&str> = shifted.iter().map(|(_, _, c)| c.as_str()).collect();
    assert_eq!(classes, ["a", "b", "c", "d"], "in class order");
    for (id, status, class) in &shifted {
        assert_eq!(id, &format!("drift:proba:{class}"));
        let expected = if class == "d" { "fail" } else { "pass" };
        assert_eq!(status, expected, "{shifted:?}");
    }
}
