//! Tests of `mlguard diff`: two JSON reports of the bundled examples (the previous fortnight,
//! `reference.csv`, and this one, `binary.csv`, whose partner segment got worse) compared in
//! every format, `--max-drop` rules and their exit codes, new and resolved findings, and
//! reports that cannot be read.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::Test;

/// The JSON reports of reference.csv and binary.csv, with the same rules.
fn reports(dir: &Path) -> (String, String) {
    let mut paths = Vec::new();
    for name in ["reference", "binary"] {
        let out = dir.join(format!("{name}.json"));
        let run = Test::new()
            .args(&[
                "eval",
                &format!("examples/{name}.csv"),
                "--segment-col",
                "segment",
                "--min",
                "f1=0.65",
                "--min",
                "segment:recall=0.6",
                "--format",
                "json",
                "--output",
                out.to_str().unwrap(),
            ])
            .run();
        assert!(
            run.status_code() == Some(0) || run.status_code() == Some(1),
            "{}",
            run.stderr
        );
        paths.push(out.to_string_lossy().into_owned());
    }
    (paths[0].clone(), paths[1].clone())
}

fn diff_json(old: &str, new: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["diff", old, new, "--format", "json"];
    args.extend_from_slice(extra);
    let run = Test::new().args(&args).run();
    let v = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    (run.status_code(), v)
}

fn metric<'a>(diff: &'a Value, name: &str) -> &'a Value {
    diff["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

#[test]
fn explains_what_changed_between_two_releases() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = reports(dir.path());
    let (code, d) = diff_json(&old, &new, &[]);
    assert_eq!(code, Some(0), "no rules: exit 0");
    assert_eq!(d["schema_version"], 1);
    assert_eq!(d["old"]["gate_passed"], true);
    assert_eq!(d["new"]["gate_passed"], false);

    let f1 = metric(&d, "f1");
    assert_eq!(f1["direction"], "higher_is_better");
    assert_eq!(f1["change"], "worsened");
    let delta = f1["delta"].as_f64().unwrap();
    assert!((delta - (f1["new"].as_f64().unwrap() - f1["old"].as_f64().unwrap())).abs() < 1e-12);
    // f1 moved less than its intervals: within noise; precision moved beyond.
    assert_eq!(f1["beyond_noise"], false);
    assert_eq!(metric(&d, "precision")["beyond_noise"], true);
    let ll = metric(&d, "log_loss");
    assert_eq!(
        (ll["direction"].as_str(), ll["change"].as_str()),
        (Some("lower_is_better"), Some("worsened"))
    );
    assert_eq!(ll["beyond_noise"], Value::Null, "no interval, no judgement");
    assert_eq!(metric(&d, "ece")["change"], "improved");
    assert!(d["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["metric"] != "beta"));

    // The partner segment is what broke.
    let partner = d["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["segment"] == "partner")
        .unwrap();
    let acc = partner["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "accuracy")
        .unwrap();
    assert_eq!(
        (acc["change"].as_str(), acc["beyond_noise"].as_bool()),
        (Some("worsened"), Some(true))
    );

    // Its rule went from warn to fail.
    let check = d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "rule:min:segment:recall=0.6[segment=partner]")
        .unwrap();
    assert_eq!(
        (check["old"].as_str(), check["new"].as_str()),
        (Some("warn"), Some("fail"))
    );
}

#[test]
fn max_drop_rules_set_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = reports(dir.path());
    // f1 dropped by 0.0177; log loss rose by 0.0058; ece fell.
    for (rule, code) in [
        ("f1=0.02", 0),
        ("f1=0.01", 1),
        ("log_loss=0.01", 0),
        ("log_loss=0.001", 1),
        ("ece=0", 0),
        ("per_class.1.precision=0.01", 1),
    ] {
        let (got, d) = diff_json(&old, &new, &["--max-drop", rule]);
        assert_eq!(got, Some(code), "--max-drop {rule}: {}", d["rules"]);
        assert_eq!(d["passed"], code == 0);
    }
    let run = Test::new()
        .args(&[
            "diff",
            &old,
            &new,
            "--max-drop",
            "f1=0.01",
            "--max-drop",
            "roc_auc=0.05",
        ])
        .run();
    run.code(1);
    assert!(
        run.stdout
            .contains("f1 dropped by 0.0177 (0.7043 → 0.6866), more than the allowed 0.0100"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("Verdict: FAIL (1 of 2 --max-drop rules broken)"));
}

#[test]
fn text_and_markdown_lead_with_the_headline_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = reports(dir.path());
    let text = Test::new().args(&["diff", &old, &new]).run();
    text.code(0);
    assert!(text.stdout.starts_with("mlguard diff\n"));
    text.stdout_contains("log_loss (lower is better)");
    text.stdout_contains("segment=partner");
    text.stdout_contains("warn → fail");
    let md = Test::new()
        .args(&[
            "diff",
            &old,
            &new,
            "--format",
            "markdown",
            "--max-drop",
            "f1=0.01",
        ])
        .run();
    md.code(1);
    assert!(md
        .stdout
        .starts_with("### ❌ mlguard diff: 1 of 1 --max-drop rules broken"));
    assert!(
        md.stdout
            .contains("| f1 | 0.7043 | 0.6866 | −0.0177 | 🔴 worse | within noise |"),
        "{}",
        md.stdout
    );
    // --output writes atomically, and never over a compared report.
    let out = dir.path().join("diff.md");
    let run = Test::new()
        .args(&[
            "diff",
            &old,
            &new,
            "--format",
            "markdown",
            "-o",
            out.to_str().unwrap(),
        ])
        .run();
    run.code(0);
    // No rule is given, but the partner segment's drop moves overall metrics beyond noise.
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.starts_with("### ⚠️ mlguard diff: "), "{md}");
    assert!(
        md.contains("worse beyond noise (no --max-drop rules given)"),
        "{md}"
    );
    let run = Test::new().args(&["diff", &old, &new, "-o", &new]).run();
    run.code(2);
}

#[test]
fn a_report_compared_with_itself_has_no_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (_, new) = reports(dir.path());
    let (code, d) = diff_json(&new, &new, &["--max-drop", "f1=0"]);
    assert_eq!(code, Some(0));
    assert!(d["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["change"] == "unchanged" || m["change"] == "undefined"));
    assert!(d["checks"].as_array().unwrap().is_empty());
    assert_eq!(d["notes"], json!([]));
}

#[test]
fn findings_are_matched_by_code() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = reports(dir.path());
    let edit = |path: &str, codes: &[&str], name: &str| -> PathBuf {
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v["findings"] = codes
            .iter()
            .map(|c| json!({"code": c, "title": format!("{c} happened"), "severity": "warning"}))
            .collect();
        let p = dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    };
    let o = edit(&old, &["A", "B"], "o.json");
    let n = edit(&new, &["B", "C"], "n.json");
    let (_, d) = diff_json(o.to_str().unwrap(), n.to_str().unwrap(), &[]);
    assert_eq!(
        d["findings"]["new"],
        json!([{"code": "C", "title": "C happened"}])
    );
    assert_eq!(
        d["findings"]["resolved"],
        json!([{"code": "A", "title": "A happened"}])
    );
    let text = Test::new()
        .args(&["diff", o.to_str().unwrap(), n.to_str().unwrap()])
        .run();
    text.stdout_contains("new       C  C happened")
        .stdout_contains("resolved  A  A happened");
}

#[test]
fn unreadable_reports_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (_, new) = reports(dir.path());
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let cases = [
        (
            write("broken.json", "{\"schema_version\": 1,"),
            "line 1, column",
        ),
        (write("array.json", "[1, 2]"), "not an mlguard JSON report"),
        (
            write("other.json", "{\"name\": \"x\"}"),
            "no \"metrics\" object",
        ),
        (
            dir.path()
                .join("missing.json")
                .to_string_lossy()
                .into_owned(),
            "cannot read the report",
        ),
    ];
    for (path, what) in &cases {
        for args in [
            vec!["diff", path.as_str(), new.as_str()],
            vec!["diff", new.as_str(), path.as_str()],
        ] {
            let run = Test::new().args(&args).run();
            run.code(2);
            assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
            assert!(
                run.stderr.starts_with(&format!("mlguard: error: {path}: ")),
                "{}",
                run.stderr
            );
            run.stderr_contains(what);
            assert!(run.stdout.is_empty());
        }
    }
    let run = Test::new()
        .args(&["diff", &new, &new, "--max-drop", "nope=0.1"])
        .run();
    run.code(2);
    run.stderr_contains("unknown metric 'nope'")
        .stderr_contains("metrics include accuracy");
    let run = Test::new()
        .args(&["diff", &new, &new, "--max-drop", "f1"])
        .run();
    run.code(2);
    run.stderr_contains("must be METRIC=DELTA");
}

#[test]
fn without_rules_the_verdict_names_metrics_worse_beyond_noise() {
    // collapse.csv is much worse than binary.csv: with no rule, the exit code stays 0, but the
    // verdict must not read as a clean pass.
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for name in ["binary", "collapse"] {
        let out = dir.path().join(format!("{name}.json"));
        Test::new()
            .args(&[
                "eval",
                &format!("examples/{name}.csv"),
                "--format",
                "json",
                "-q",
                "--output",
                out.to_str().unwrap(),
            ])
            .run();
        paths.push(out.to_string_lossy().into_owned());
    }
    let (_, v) = diff_json(&paths[0], &paths[1], &[]);
    let worse = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["change"] == "worsened" && m["beyond_noise"] == true)
        .count();
    assert!(worse > 0);
    let text = Test::new().args(&["diff", &paths[0], &paths[1]]).run();
    assert_eq!(text.status_code(), Some(0));
    text.stdout_contains(&format!(
        "but {worse} metrics are worse beyond noise: add --max-drop METRIC=DELTA"
    ));
    let md = Test::new()
        .args(&["diff", &paths[0], &paths[1], "--format", "markdown"])
        .run();
    md.stdout_contains(&format!(
        "⚠️ mlguard diff: {worse} metrics worse beyond noise"
    ));
}
