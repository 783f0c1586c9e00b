//! The row audit through the binary: duplicate rows, duplicate and conflicting ids, likely label
//! errors on a file with known flipped labels, thread-count independence, and the paired
//! McNemar regression check.

use std::collections::HashSet;
use std::fmt::Write as _;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use serde_json::Value;

use crate::support::{write, Test};

#[test]
fn duplicate_rows_are_found_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "dups.csv",
        "label,prediction,score\n1,1,0.9\n0,0,0.2\n1,1,0.9\n0,1,0.6\n0,0,0.2\n1,1,0.9\n",
    );
    let r = Test::eval_json(&file).run().report();
    let d = &r["audit"]["duplicates"];
    assert_eq!(d["rows_checked"], 6);
    assert_eq!(d["duplicate_rows"], 3);
    assert_eq!(d["exact"], true);
    // Lines 2 and 3 are the first copies; 4, 6 and 7 repeat them.
    assert_eq!(d["lines"], serde_json::json!([4, 6, 7]));
    assert_eq!(r["audit"]["ids"], Value::Null);
}

#[test]
fn duplicates_are_the_same_fields_however_they_are_quoted() {
    for (d, name) in [(',', "quoted.csv"), ('\t', "quoted.tsv")] {
        // Over a megabyte, so that the first chunk is read by the fast path (no quotes) and the
        // last by the full reader (quotes); CRLF line ends throughout.
        let mut text = format!("key{d}label{d}prediction{d}score{d}note\r\n");
        let rows = 40_000;
        for i in 0..rows {
            writeln!(text, "r{i}{d}1{d}0{d}0.25{d}padding-to-pass-one-chunk\r").unwrap();
        }
        // Copies of the first three rows, quoted; a quoted field holding the delimiter, twice.
        for i in 0..3 {
            writeln!(
                text,
                "\"r{i}\"{d}1{d}0{d}0.25{d}\"padding-to-pass-one-chunk\"\r"
            )
            .unwrap();
        }
        for _ in 0..2 {
            writeln!(
                text,
                "\"r0{d}1\"{d}0{d}0{d}0.25{d}padding-to-pass-one-chunk\r"
            )
            .unwrap();
        }
        assert!(text.len() > 1 << 20);
        let dir = tempfile::tempdir().unwrap();
        let file = write(&dir, name, &text);
        let r = Test::eval_json(&file).run().report();
        let dups = &r["audit"]["duplicates"];
        assert_eq!(dups["exact"], true, "{name}");
        assert_eq!(dups["rows_checked"], rows + 5, "{name}");
        assert_eq!(dups["duplicate_rows"], 4, "{name}: {dups}");
        let first = rows + 2;
        assert_eq!(
            dups["lines"],
            serde_json::json!([first, first + 1, first + 2, first + 4]),
            "{name}"
        );
    }
}

#[test]
fn duplicate_and_conflicting_ids() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "ids.csv",
        "id,label,prediction\na,cat,cat\nb,dog,dog\na,cat,dog\nc,dog,cat\nb,cat,cat\nd,cat,cat\n",
    );
    let r = Test::eval_json(&file)
        .args(&["--id-col", "id", "--pos-label", "cat"])
        .run()
        .report();
    let ids = &r["audit"]["ids"];
    assert_eq!(ids["column"], "id");
    assert_eq!(ids["distinct"], 4);
    assert_eq!(ids["duplicate_ids"], 2);
    assert_eq!(ids["conflicting_ids"], 1);
    assert_eq!(ids["exact"], true);
    let examples = ids["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 2);
    assert_eq!(examples[0]["id"], "a");
    assert_eq!(examples[0]["lines"], serde_json::json!([2, 4]));
    assert_eq!(examples[0]["conflicting"], false);
    assert_eq!(examples[1]["id"], "b");
    assert_eq!(examples[1]["lines"], serde_json::json!([3, 6]));
    assert_eq!(examples[1]["labels"], serde_json::json!(["dog", "cat"]));
    assert_eq!(examples[1]["conflicting"], true);
    // Without scores there is nothing to judge labels or calibration by.
    assert_eq!(r["audit"]["label_issues"], Value::Null);
    assert_eq!(r["audit"]["recalibration"], Value::Null);
}

#[test]
fn a_missing_id_column_is_an_input_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "x.csv", "label,prediction\n1,1\n0,0\n");
    let out = Test::new()
        .args(&["eval", &file, "--id-col", "row_id"])
        .run();
    out.code(2);
    let stderr = &out.stderr;
    assert!(
        stderr.contains("'row_id'") && stderr.contains("--id-col"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// A confident, accurate binary model on rows of which `rate` had their label flipped: the
/// file and the flipped lines.
fn flipped_file(rows: usize, rate: f64, seed: u64) -> (String, HashSet<u64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let mut text = String::from("label,score\n");
    let mut flipped = HashSet::new();
    for i in 0..rows {
        let truth = rng.gen::<f64>() < 0.4;
        let logit = if truth { 4.0 } else { -4.0 } + normal.sample(&mut rng);
        let score = 1.0 / (1.0 + f64::exp(-logit));
        let flip = rng.gen::<f64>() < rate;
        let line = i as u64 + 2;
        if flip {
            flipped.insert(line);
        }
        let label = u8::from(truth != flip);
        writeln!(text, "{label},{score:.4}").unwrap();
    }
    (text, flipped)
}

#[test]
fn flipped_labels_are_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let (text, flipped) = flipped_file(4000, 0.1, 42);
    let file = write(&dir, "flipped.csv", &text);
    let r = Test::eval_json(&file).run().report();
    let issues = &r["audit"]["label_issues"];
    let listed: HashSet<u64> = issues["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["line"].as_u64().unwrap())
        .collect();
    assert_eq!(issues["all_listed"], true);
    assert_eq!(listed.len() as u64, issues["suspects"].as_u64().unwrap());
    let hits = listed.intersection(&flipped).count() as f64;
    let precision = hits / listed.len() as f64;
    let recall = hits / flipped.len() as f64;
    assert!(precision >= 0.8, "precision {precision}");
    assert!(recall >= 0.8, "recall {recall}");
    let truth = flipped.len() as f64 / 4000.0;
    let noise = issues["noise_rate"].as_f64().unwrap();
    assert!((noise - truth).abs() <= 0.03, "noise {noise} vs {truth}");
    // Each suspect names the other class with the probabilities behind it.
    let first = &issues["rows"][0];
    assert_ne!(first["label"], first["suggested"]);
    assert!(first["p_suggested"].as_f64().unwrap() > first["p_label"].as_f64().unwrap());
}

#[test]
fn the_audit_does_not_depend_on_the_thread_count() {
    // Enough rows for several chunks, a sampled (inexact) duplicate table and a full sample.
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let mut text = String::from("id,label,prediction,score\n");
    let mut lines: Vec<String> = Vec::new();
    for i in 0..320_000usize {
        let score: f64 = rng.gen();
        let label = u8::from(rng.gen::<f64>() < score);
        let pred = u8::from(score >= 0.5);
        // Every 50th row repeats the row seven before it, every 40th id is reused.
        let line = if i % 50 == 49 {
            lines[i - 7].clone()
        } else {
            let id = if i % 40 == 39 { i - 11 } else { i };
            format!("{id},{label},{pred},{score:.6}")
        };
        text.push_str(&line);
        text.push('\n');
        lines.push(line);
    }
    let file = write(&dir, "big.csv", &text);
    let args = |t: &'static str| ["--id-col", "id", "--threads", t, "--checks", "none"];
    let one = Test::eval_json(&file).args(&args("1")).run().report();
    let two = Test::eval_json(&file).args(&args("2")).run().report();
    let three = Test::eval_json(&file).args(&args("3")).run().report();
    assert_eq!(one["audit"], two["audit"]);
    assert_eq!(one["audit"], three["audit"]);
    let d = &one["audit"]["duplicates"];
    assert_eq!(d["exact"], false);
    let estimate = d["duplicate_rows"].as_f64().unwrap();
    // 6,400 repeated rows, estimated from a sample of records.
    assert!((estimate - 6_400.0).abs() < 1_500.0, "{estimate}");
    assert_eq!(one["audit"]["recalibration"]["exact"], false);
}

/// A file of `rows` rows with ids, wrong on the rows `wrong` picks.
fn paired_file(rows: u64, wrong: impl Fn(u64) -> bool) -> String {
    let mut text = String::from("id,label,prediction\n");
    for i in 0..rows {
        let label = i % 2;
        let pred = if wrong(i) { 1 - label } else { label };
        writeln!(text, "row-{i},{label},{pred}").unwrap();
    }
    text
}

fn paired_check(report: &Value) -> Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "regression:paired")
        .cloned()
        .expect("a regression:paired check")
}

#[test]
fn mcnemar_fails_on_a_paired_regression_and_passes_on_clean_data() {
    let dir = tempfile::tempdir().unwrap();
    let reference = write(&dir, "ref.csv", paired_file(2000, |i| i % 10 == 0));
    let worse = write(&dir, "worse.csv", paired_file(2000, |i| i % 5 == 0));
    let same = write(&dir, "same.csv", paired_file(2000, |i| i % 10 == 0));
    let args = ["--id-col", "id", "--reference", &reference];
    let run = Test::eval_json(&worse).args(&args).run();
    let (code, r) = (run.exit_code(), run.report());
    let check = paired_check(&r);
    assert_eq!(check["status"], "fail", "{check}");
    assert_eq!(check["test"], "mcnemar");
    assert_eq!(check["kind"], "statistical");
    assert_eq!(check["n"], 2000);
    assert_eq!(check["values"]["right_before_wrong_now"], 200.0);
    assert_eq!(check["values"]["wrong_before_right_now"], 0.0);
    assert!((check["effect_size"].as_f64().unwrap() - 0.1).abs() < 1e-12);
    assert_eq!(code, 1);
    let r = Test::eval_json(&same).args(&args).run().report();
    assert_eq!(paired_check(&r)["status"], "pass");
    // Without --id-col there is no pairing.
    let r = Test::eval_json(&same)
        .args(&["--reference", &reference])
        .run()
        .report();
    assert!(r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != "regression:paired"));
}

#[test]
fn the_id_column_can_be_named_in_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "ids.csv",
        "key,label,prediction\nx,1,1\nx,0,0\ny,1,1\n",
    );
    let config = write(&dir, "mlguard.toml", "[columns]\nid = \"key\"\n");
    let r = Test::eval_json(&file)
        .args(&["--config", &config])
        .run()
        .report();
    assert_eq!(r["audit"]["ids"]["column"], "key");
    assert_eq!(r["audit"]["ids"]["conflicting_ids"], 1);
}

#[test]
fn skipped_rows_are_counted_by_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "bad.csv",
        "label,prediction,score\n1,1,0.9\n,0,0.2\n0,NA,0.1\n0,0,abc\n1,1,1.5\n0,0\n0,0,0.3\n",
    );
    let r = Test::eval_json(&file)
        .args(&["--skip-invalid"])
        .run()
        .report();
    assert_eq!(
        r["audit"]["skipped"],
        serde_json::json!({"missing_label": 1, "missing_prediction": 1, "invalid_score": 2, "other": 1})
    );
    assert_eq!(r["input"]["rows_skipped"], 5);
}

#[test]
fn multiclass_suspects_name_the_class_the_model_prefers() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("label,proba_a,proba_b,proba_c\n");
    for i in 0..300 {
        let (label, p) = match i % 3 {
            0 => ("a", [0.8, 0.1, 0.1]),
            1 => ("b", [0.1, 0.8, 0.1]),
            _ => ("c", [0.1, 0.1, 0.8]),
        };
        // Line 2 + 30 is labelled b but looks like a.
        let label = if i == 30 { "b" } else { label };
        writeln!(text, "{label},{},{},{}", p[0], p[1], p[2]).unwrap();
    }
    let file = write(&dir, "multi.csv", &text);
    let r = Test::eval_json(&file).run().report();
    let issues = &r["audit"]["label_issues"];
    assert_eq!(issues["suspects"], 1);
    assert_eq!(issues["rows"][0]["line"], 32);
    assert_eq!(issues["rows"][0]["label"], "b");
    assert_eq!(issues["rows"][0]["suggested"], "a");
    assert_eq!(issues["all_listed"], true);
}

#[test]
fn markdown_and_html_show_the_audit_and_the_most_suspicious_row() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = flipped_file(2000, 0.1, 7);
    let file = write(&dir, "flipped.csv", &text);
    let r = Test::eval_json(&file).run().report();
    let issues = &r["audit"]["label_issues"];
    let suspects = issues["suspects"].as_u64().unwrap();
    let first_line = issues["rows"][0]["line"].as_u64().unwrap();
    for format in ["markdown", "html"] {
        let out = Test::new()
            .args(&["eval", &file, "--format", format, "--quiet"])
            .run();
        let page = &out.stdout;
        assert!(page.contains("Row audit"), "{format}");
        assert!(
            page.contains(&format!("{suspects} (")),
            "{format}: no {suspects} suspects"
        );
        let cell = if format == "markdown" {
            format!("| {first_line} |")
        } else {
            format!("<td class=\"n\">{first_line}</td>")
        };
        assert!(page.contains(&cell), "{format}: no row {first_line}");
    }
}

/// Duplicate rows are counted by segment, whichever way the rows were read (the fast lane
/// without ids, the full path with them, one or several threads, a sample of records), and
/// the duplicates check names the segment that holds them.
#[test]
fn duplicates_are_located_in_the_segment_that_holds_them() {
    let dir = tempfile::tempdir().unwrap();
    let regions = ["eu", "us", "apac"];
    let mut text = String::from("id,region,label,score\n");
    let mut copies = 0;
    for i in 0..300_000u64 {
        let region = regions[(i % 3) as usize];
        let label = (i / 3) % 2;
        let score = ((i * 7919) % 1000) as f64 / 1000.0;
        let line = format!("{i},{region},{label},{score:.3}\n");
        text.push_str(&line);
        if region == "apac" && i % 4 == 2 {
            text.push_str(&line);
            copies += 1;
        }
    }
    let file = write(&dir, "dups.csv", &text);
    let run = |extra: &[&str]| {
        let args = [&["--segment-col", "region", "--checks", "data"][..], extra].concat();
        Test::eval_json(&file).args(&args).run().report()
    };
    let lane = run(&["--threads", "1"]);
    let lane2 = run(&["--threads", "2"]);
    let full = run(&["--id-col", "id", "--threads", "2"]);
    let d = &lane["audit"]["duplicates"];
    assert_eq!(d["exact"], false, "more records than the exact table holds");
    assert_eq!(d["segments"], lane2["audit"]["duplicates"]["segments"]);
    assert_eq!(d["segments"], full["audit"]["duplicates"]["segments"]);
    let apac = d["segments"]["region"]["apac"].as_f64().unwrap();
    assert!(
        (apac - copies as f64).abs() < 0.25 * copies as f64,
        "{apac} vs {copies}"
    );
    assert!(
        d["segments"]["region"].get("eu").is_none(),
        "{}",
        d["segments"]
    );
    let check = lane["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "data:duplicates")
        .unwrap();
    assert_eq!(check["location"]["segment"]["value"], "apac", "{check}");
    assert!(check["message"].as_str().unwrap().contains("region=apac"));
}
