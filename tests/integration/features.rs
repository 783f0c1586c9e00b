//! Input features (`--feature-cols`): a broken or drifted feature is the leading finding and
//! names the feature; clean runs with many features raise nothing; summaries merge exactly.
//!
//! The logs are generated here: a reference and a current file of the same model, with numeric
//! and categorical features, and one fault put into the current file.

use std::path::Path;

use serde_json::Value;

use crate::support::Test;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// What to break in the current file, from its middle row on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// `income` ×100 on android rows (a unit change), before scoring.
    Unit,
    /// `age` written as 0 by a pipeline bug, before scoring.
    Constant,
    /// `income` missing on 30% of the rows, imputed with 0 before scoring.
    Missing,
    /// A new `plan` category on 20% of the rows, whose labels the model gets wrong more often.
    Category,
}

/// The first row's time in the current file: 2026-05-10T18:00:00Z. Rows come every 18 s, 200
/// an hour, so the middle row of 6,000 is at 2026-05-11T09:00:00Z.
const START: i64 = 1_778_436_000;
const FAULT_AT: &str = "2026-05-11T09:00:00Z";

/// Writes a log of `rows` rows with `extra` further numeric features (`f0`, `f1`, …), a row
/// every 18 s from `start`; the fault (if any) from the middle row on.
fn log(path: &Path, rows: usize, seed: u64, extra: usize, fault: Fault, start: i64) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out = String::from("id,time,device,income,age,plan,label,score");
    for k in 0..extra {
        out += &format!(",f{k}");
    }
    out.push('\n');
    for i in 0..rows {
        let device = ["web", "ios", "android"][(rng.next() * 3.0) as usize];
        let mut income = (10.0 + 0.5 * rng.normal()).exp();
        let mut age = 18 + (rng.next() * 60.0) as i64;
        let mut plan = ["basic", "pro", "team"][(rng.next() * 3.0) as usize];
        let model = |income: f64, age: i64| {
            let z = ((1.0 + income).ln() - 10.0) * 1.5 + (age as f64 - 50.0) / 20.0;
            1.0 / (1.0 + (-z).exp())
        };
        let truth = model(income, age);
        let mut label = u8::from(rng.next() < truth);
        let (broken, draw) = (i >= rows / 2, rng.next());
        let mut missing = false;
        match fault {
            Fault::Unit if broken && device == "android" => income *= 100.0,
            Fault::Constant if broken => age = 0,
            Fault::Missing if broken && draw < 0.3 => missing = true,
            Fault::Category if broken && draw < 0.2 => {
                plan = "enterprise";
                label = u8::from(draw < 0.1);
            }
            _ => {}
        }
        let p = model(if missing { 0.0 } else { income }, age);
        let income = if missing {
            String::new()
        } else {
            format!("{income:.2}")
        };
        let time = mlguard::time::format_time(start + 18 * i as i64);
        out += &format!("{i},{time},{device},{income},{age},{plan},{label},{p:.6}");
        for k in 0..extra {
            out += &format!(",{:.4}", rng.normal() * (k + 1) as f64);
        }
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// The JSON report of the current file against the reference (a month earlier), every column a
/// feature, in time windows.
fn report(dir: &Path, fault: Fault, seed: u64, extra: usize) -> Value {
    report_with(dir, fault, seed, extra, &[])
}

/// The same, with `more` arguments.
fn report_with(dir: &Path, fault: Fault, seed: u64, extra: usize, more: &[&str]) -> Value {
    let (reference, current) = (dir.join("reference.csv"), dir.join("current.csv"));
    log(
        &reference,
        6000,
        seed,
        extra,
        Fault::None,
        START - 30 * 86_400,
    );
    log(&current, 6000, seed + 1000, extra, fault, START);
    Test::eval_json(current.to_str().unwrap())
        .args(&["--reference", reference.to_str().unwrap()])
        .args(&[
            "--feature-cols",
            "auto",
            "--id-col",
            "id",
            "--time-col",
            "time",
            "--bootstrap",
            "0",
            "--segment-col",
            "device",
        ])
        .args(more)
        .run()
        .report()
}

/// The leading finding's code and feature.
fn leading(report: &Value) -> (String, String) {
    let f = &report["findings"][0];
    (
        f["code"].as_str().unwrap_or_default().to_string(),
        f["evidence"]["location"]["feature"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[test]
fn each_fault_leads_with_its_feature() {
    let dir = tempfile::tempdir().unwrap();
    for (fault, code, feature) in [
        (Fault::Unit, "data.feature_drift", "income"),
        (Fault::Constant, "data.broken_feature", "age"),
        (Fault::Missing, "data.broken_feature", "income"),
        (Fault::Category, "data.feature_drift", "plan"),
    ] {
        let report = report(dir.path(), fault, 11, 0);
        assert_eq!(
            leading(&report),
            (code.to_string(), feature.to_string()),
            "{}",
            report["findings"]
        );
        // The unit changed for android rows only, and the finding says so; every fault is
        // dated to the window it started in.
        let location = &report["findings"][0]["evidence"]["location"];
        if fault == Fault::Unit {
            let because = report["findings"][0]["evidence"]["because"][0]
                .as_str()
                .unwrap();
            assert!(because.contains("about 100× its median"), "{because}");
            assert_eq!(location["segment"]["column"], "device");
            assert_eq!(location["segment"]["value"], "android");
        } else {
            assert_eq!(
                location["segment"],
                Value::Null,
                "{}",
                report["findings"][0]
            );
        }
        assert_eq!(location["window"], FAULT_AT, "{}", report["findings"][0]);
        assert_eq!(report["features"][feature]["since"], FAULT_AT);
        // Faults before scoring moved the scores; the broken feature explains the shift, and an
        // untouched one does not.
        if fault != Fault::Category {
            let share = |f: &str| report["features"][f]["score_shift_explained"].as_f64();
            let explained = share(feature).unwrap();
            assert!(explained > 0.8, "{fault:?}: {explained}");
            let other = if feature == "age" { "income" } else { "age" };
            assert!(
                share(other).unwrap_or(0.0).abs() < 0.2,
                "{:?}",
                share(other)
            );
        }
    }
}

#[test]
fn the_issues_export_lists_the_rows_each_fault_broke() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("issues.csv");
    for (fault, feature, reason) in [
        (Fault::Unit, "income", "beyond the reference's range"),
        (Fault::Constant, "age", "the value (0) that took over"),
        (Fault::Missing, "income", "income is missing"),
        (
            Fault::Category,
            "plan",
            "a category the reference never had",
        ),
    ] {
        let report = report_with(
            dir.path(),
            fault,
            11,
            0,
            &["--export-issues", export.to_str().unwrap()],
        );
        let code = report["findings"][0]["code"].as_str().unwrap();
        // The rows the fault broke, from the file itself: header on line 1, row i on line i + 2.
        let text = std::fs::read_to_string(dir.path().join("current.csv")).unwrap();
        let broke: Vec<u64> = text
            .lines()
            .skip(1)
            .enumerate()
            .filter(|(i, row)| {
                let cells: Vec<&str> = row.split(',').collect();
                *i >= 3000
                    && match fault {
                        Fault::Unit => cells[2] == "android",
                        Fault::Constant => cells[4] == "0",
                        Fault::Missing => cells[3].is_empty(),
                        _ => cells[5] == "enterprise",
                    }
            })
            .map(|(i, _)| i as u64 + 2)
            .collect();
        let mut listed = csv::Reader::from_path(&export).unwrap();
        let rows: Vec<csv::StringRecord> = listed
            .records()
            .map(Result::unwrap)
            .filter(|r| &r[1] == code)
            .collect();
        let lines: Vec<u64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
        assert!(
            rows.iter()
                .all(|r| r[2].contains(reason) && r[2].starts_with(feature)),
            "{fault:?}: {:?}",
            rows.first()
        );
        // Each listed row carries its id (the row number, line − 2).
        assert!(rows
            .iter()
            .all(|r| r[5].parse::<u64>().unwrap() + 2 == r[0].parse::<u64>().unwrap()));
        if fault == Fault::Unit {
            // A value ×100 that stays within the reference's range is not at fault.
            assert!(lines.iter().all(|l| broke.contains(l)), "{fault:?}");
            assert!(
                lines.len() * 100 >= broke.len() * 95,
                "{} of {}",
                lines.len(),
                broke.len()
            );
        } else {
            assert_eq!(lines, broke, "{fault:?}");
        }
    }
    // A healthy log lists nothing.
    report_with(
        dir.path(),
        Fault::None,
        11,
        0,
        &["--export-issues", export.to_str().unwrap()],
    );
    let listed = std::fs::read_to_string(&export).unwrap();
    assert_eq!(listed.lines().count(), 1, "{listed}");
}

#[test]
fn rows_waiting_for_labels_are_checked_for_their_features() {
    let dir = tempfile::tempdir().unwrap();
    report(dir.path(), Fault::Constant, 5, 0);
    // The broken half has no labels yet: the feature checks read it all the same.
    let path = dir.path().join("current.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for (i, row) in text.lines().enumerate() {
        let mut cells: Vec<&str> = row.split(',').collect();
        if i > 3000 {
            cells[6] = "";
        }
        out += &cells.join(",");
        out.push('\n');
    }
    std::fs::write(&path, out).unwrap();
    let r = Test::eval_json(path.to_str().unwrap())
        .args(&[
            "--reference",
            dir.path().join("reference.csv").to_str().unwrap(),
        ])
        .args(&["--feature-cols", "income,age,plan", "--time-col", "time"])
        .args(&["--bootstrap", "0"])
        .run()
        .report();
    assert_eq!(r["input"]["rows"], 3000);
    assert_eq!(r["input"]["rows_awaiting_labels"], 3000);
    assert_eq!(r["features"]["age"]["rows"], 6000);
    assert_eq!(r["features"]["age"]["since"], FAULT_AT);
    let age = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "feature:age:quality")
        .expect("the constant feature is found in the rows without labels");
    assert_eq!(age["status"], "fail", "{age}");
    // The Markdown report's windows say how many rows each still waits for.
    let markdown = Test::new()
        .args(&["eval", path.to_str().unwrap(), "--time-col", "time"])
        .args(&["--format", "markdown", "--bootstrap", "0"])
        .run()
        .stdout;
    assert!(markdown.contains("| awaiting labels |"), "{markdown}");
    assert!(
        markdown.contains("| 2026-05-11T10:00:00Z | 0 | 200 | - |"),
        "{markdown}"
    );
}

#[test]
fn the_bundled_example_leads_with_the_unit_change_and_explains_its_symptoms() {
    // The guide's worked example: its command and what it shows.
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("issues.csv");
    let r = Test::eval_json("examples/features.csv")
        .args(&["--reference", "examples/features-reference.csv"])
        .args(&["--feature-cols", "auto", "--id-col", "id"])
        .args(&["--time-col", "timestamp", "--segment-col", "device"])
        .args(&["--export-issues", export.to_str().unwrap()])
        .run()
        .report();
    let lead = &r["findings"][0];
    assert_eq!(lead["code"], "data.feature_drift", "{lead}");
    let location = &lead["evidence"]["location"];
    assert_eq!(location["feature"], "income");
    assert_eq!(location["segment"]["value"], "android");
    assert_eq!(location["window"], "2026-03-04T00:00:00Z");
    let explains: Vec<&str> = lead["explains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for symptom in [
        "deployment.score_drift",
        "training.miscalibration",
        "training.threshold",
    ] {
        assert!(explains.contains(&symptom), "{symptom}: {explains:?}");
    }
    assert_eq!(r["features"].as_object().unwrap().len(), 3);
    // Every listed row is an android row from the change on.
    let text = std::fs::read_to_string("examples/features.csv").unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let listed: Vec<usize> = csv::Reader::from_path(&export)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    assert!(listed.len() > 300, "{}", listed.len());
    for line in listed {
        let row = &rows[line - 1];
        assert!(row[2] == "android" && row[1] >= "2026-03-04", "{row:?}");
    }
}

#[test]
fn clean_runs_with_fifty_features_raise_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 0..20 {
        let report = report(dir.path(), Fault::None, 100 + seed, 47);
        assert_eq!(report["features"].as_object().unwrap().len(), 50);
        let raised: Vec<&Value> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with("feature"))
            .filter(|c| c["status"] != "pass" && c["status"] != "skip")
            .collect();
        assert!(raised.is_empty(), "seed {seed}: {raised:?}");
    }
}

#[test]
fn the_features_report_gives_shape_and_drift() {
    let dir = tempfile::tempdir().unwrap();
    let report = report(dir.path(), Fault::Unit, 3, 0);
    let income = &report["features"]["income"];
    assert_eq!(income["kind"], "numeric");
    assert_eq!(income["rows"], 6000);
    // Half the android rows (a sixth of all) are beyond the reference's range.
    assert!(income["drift"]["out_of_range_share"].as_f64().unwrap() > 0.12);
    let plan = &report["features"]["plan"];
    assert_eq!(plan["kind"], "categorical");
    assert_eq!(plan["top"].as_object().unwrap().len(), 3);
    // Without a reference the features are summarised and not compared.
    let alone = Test::eval_json(dir.path().join("current.csv").to_str().unwrap())
        .args(&["--feature-cols", "income,plan", "--bootstrap", "0"])
        .run()
        .report();
    assert_eq!(alone["features"]["income"]["drift"], Value::Null);
    let summary = alone["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "features")
        .unwrap();
    assert_eq!(summary["status"], "skip");
    assert_eq!(
        Test::eval_json("examples/binary.csv").run().report()["features"],
        Value::Null
    );
}

#[test]
fn feature_summaries_merge_into_the_single_pass() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.csv");
    log(&path, 3000, 5, 3, Fault::None, START);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let flags = [
        "--feature-cols",
        "auto",
        "--id-col",
        "id",
        "--time-col",
        "time",
        "--bootstrap",
        "0",
    ];
    let mut states = Vec::new();
    for (i, part) in rows.chunks(1100).enumerate() {
        let shard = dir.path().join(format!("part{i}.csv"));
        std::fs::write(&shard, format!("{header}\n{}\n", part.join("\n"))).unwrap();
        let state = dir.path().join(format!("part{i}.state"));
        Test::eval_json(shard.to_str().unwrap())
            .args(&flags)
            .args(&["--save-state", state.to_str().unwrap()])
            .run()
            .report();
        states.push(state.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge"];
    args.extend(states.iter().map(String::as_str));
    args.extend(["--format", "json", "--bootstrap", "0"]);
    let merged = Test::new().args(&args).run().report();
    let single = Test::eval_json(path.to_str().unwrap())
        .args(&flags)
        .run()
        .report();
    assert_eq!(merged["features"], single["features"]);
}

#[test]
fn an_unknown_feature_column_is_an_input_error() {
    let run = Test::eval_json("examples/binary.csv")
        .args(&["--feature-cols", "income"])
        .run();
    let msg = run.one_line_error();
    assert!(
        msg.contains("'income'") && msg.contains("--feature-cols"),
        "{msg}"
    );
}

#[test]
fn every_readable_format_lists_the_features_most_drifted_first() {
    let dir = tempfile::tempdir().unwrap();
    report(dir.path(), Fault::Unit, 7, 0);
    let (current, reference) = (
        dir.path().join("current.csv"),
        dir.path().join("reference.csv"),
    );
    for (format, heading) in [
        ("text", "Features (4 features, most drifted first)"),
        (
            "markdown",
            "<summary>Features (4, most drifted first)</summary>",
        ),
        ("html", "<h2 id=\"features\">Input features</h2>"),
    ] {
        let run = Test::new()
            .args(&["eval", current.to_str().unwrap(), "-q", "--format", format])
            .args(&["--reference", reference.to_str().unwrap()])
            .args(&[
                "--feature-cols",
                "income,age,plan,device",
                "--bootstrap",
                "0",
            ])
            .run();
        let out = &run.stdout;
        let at = out
            .find(heading)
            .unwrap_or_else(|| panic!("{format}: no features section"));
        let section = &out[at..];
        let (income, age) = (
            section.find("income").unwrap(),
            section.find("age").unwrap(),
        );
        assert!(income < age, "{format}: the drifted feature comes first");
        if format == "html" {
            // Each compared feature has its shares against the reference drawn.
            assert_eq!(
                section.matches("<svg class=\"bins\"").count(),
                4,
                "{section}"
            );
        }
    }
}
