//! Sharded runs: `mlguard eval --save-state` on the parts of a file, then `mlguard merge`, give
//! the report of one `mlguard eval` over the whole file; merges merge; states read with other
//! settings, foreign files and damaged files are refused with exit 2.

use std::path::{Path, PathBuf};

use clap::Parser;
use mlguard::cli::{Cli, Command};
use mlguard::commands::merge::merge_states;
use mlguard::engine::{open_references, read_settings, report, scan_input};
use mlguard::render::progress::TerminalProgress;
use mlguard::scan::state::SavedState;
use mlguard::settings::EvalSettings;
use proptest::prelude::*;
use serde_json::Value;

use crate::support::{package_path, Output, Test};

/// Writes the data lines of `file` cut before each of `cuts` (data line indices) into shards
/// that each repeat the header; returns their paths.
fn split(file: &Path, cuts: &[usize], dir: &Path, stem: &str) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().map(|&c| c.min(rows.len())));
    bounds.push(rows.len());
    bounds
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let path = dir.join(format!("{stem}-{i}.csv"));
            let mut body = format!("{header}\n");
            for row in &rows[w[0]..w[1]] {
                body.push_str(row);
                body.push('\n');
            }
            std::fs::write(&path, body).unwrap();
            path
        })
        .collect()
}

/// Line numbers are those within each shard in a merged report (documented): the values that
/// are lines, or are ordered by line, are compared by count only.
fn is_line_valued(path: &str) -> bool {
    path == ".audit.duplicates.lines"
        || path == ".audit.label_issues.rows"
        || path == ".audit.ids.examples"
        || (path.starts_with(".findings[") && path.ends_with("].rows"))
}

/// Asserts that two reports agree: every key, every string, every number to 1e-12, apart from
/// `input.path` and `input.rows_skipped`, and line numbers (compared by count).
fn assert_same_report(merged: &Value, single: &Value) {
    fn walk(a: &Value, b: &Value, at: &str) {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                assert!(
                    (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0),
                    "{at}: {x} ≠ {y}"
                );
            }
            (Value::Object(x), Value::Object(y)) => {
                let kx: Vec<&String> = x.keys().collect();
                let ky: Vec<&String> = y.keys().collect();
                assert_eq!(kx, ky, "{at}: keys differ");
                for (k, v) in x {
                    let path = format!("{at}.{k}");
                    if path == ".input.path"
                        || path == ".input.rows_skipped"
                        || path == ".run.command"
                    {
                        continue;
                    }
                    walk(v, &y[k], &path);
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                assert_eq!(x.len(), y.len(), "{at}: lengths differ");
                if is_line_valued(at) {
                    return;
                }
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    walk(v, w, &format!("{at}[{i}]"));
                }
            }
            _ => assert_eq!(a, b, "{at}"),
        }
    }
    walk(merged, single, "");
}

/// Evaluates `file` whole, and in shards merged through state files; returns both reports.
fn whole_and_merged(file: &str, cuts: &[usize], flags: &[&str]) -> (Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = package_path(&format!("examples/{file}"));
    let mut args = vec!["eval", path.to_str().unwrap(), "--format", "json"];
    args.extend(flags);
    let single = Test::new().args(&args).run().report();
    let shards = split(&path, cuts, dir.path(), "part");
    let mut states = Vec::new();
    for (i, shard) in shards.iter().enumerate() {
        let state = dir.path().join(format!("part-{i}.state"));
        let mut args = vec!["eval", shard.to_str().unwrap(), "--format", "json"];
        args.extend(flags);
        args.extend(["--save-state", state.to_str().unwrap()]);
        let run = Test::new().args(&args).run();
        assert!(matches!(run.status_code(), Some(0 | 1)), "{}", run.stderr);
        states.push(state.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge"];
    args.extend(states.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    args.extend(report_flags(flags));
    let merged = Test::new().args(&args).run().report();
    (single, merged)
}

/// The flags of `flags` that `mlguard merge` takes (not those that decide how rows are read).
fn report_flags<'a>(flags: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < flags.len() {
        let reading = ["--segment-col", "--time-col", "--window", "--threshold"];
        if reading.contains(&flags[i]) {
            i += 2;
        } else {
            out.push(flags[i]);
            i += 1;
        }
    }
    out
}

const BINARY_FLAGS: &[&str] = &[
    "--segment-col",
    "segment",
    "--time-col",
    "timestamp",
    "--min",
    "f1=0.5",
    "--min",
    "segment:accuracy=0.5",
    "--seed",
    "11",
];

#[test]
fn merged_binary_shards_equal_one_run() {
    let (single, merged) = whole_and_merged("binary.csv", &[1700, 3100], BINARY_FLAGS);
    assert_same_report(&merged, &single);
    assert_eq!(merged["input"]["rows"], 5000);
    let name = merged["input"]["path"].as_str().unwrap();
    assert!(name.starts_with("merge of 3 states ("), "{name}");
}

#[test]
fn header_only_shards_save_empty_states_that_merge_to_the_same_report() {
    // Cuts at 0, twice at 2500 and at the end leave three shards with only a header.
    let (single, merged) = whole_and_merged("binary.csv", &[0, 2500, 2500, 5000], BINARY_FLAGS);
    assert_same_report(&merged, &single);
    assert!(merged["input"]["path"]
        .as_str()
        .unwrap()
        .starts_with("merge of 5 states ("));

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "id,label,prediction,score\n").unwrap();
    let state = dir.path().join("empty.state");
    let run = Test::new()
        .args(&[
            "eval",
            empty.to_str().unwrap(),
            "--save-state",
            state.to_str().unwrap(),
        ])
        .run();
    run.code(0);
    run.stdout_is("");
    run.stderr_contains("holds no data rows");
    assert!(state.exists());
    // Without --save-state a header-only file is still an error, and so is a merge of nothing.
    let run = Test::new().args(&["eval", empty.to_str().unwrap()]).run();
    run.code(2);
    run.stderr_contains("empty.csv:2:");
    let s = state.to_str().unwrap();
    let run = Test::new().args(&["merge", s, s]).run();
    run.code(2);
    run.stderr_contains("no data rows");
}

#[test]
fn merged_multiclass_shards_equal_one_run() {
    let flags = [
        "--segment-col",
        "prediction",
        "--time-col",
        "timestamp",
        "--min",
        "accuracy=0.5",
        "--seed",
        "5",
    ];
    let (single, merged) = whole_and_merged("multiclass.csv", &[1000, 2000], &flags);
    assert_same_report(&merged, &single);
    assert!(merged["windows"].as_array().is_some_and(|w| !w.is_empty()));
}

#[test]
fn merge_of_merges_equals_one_run_and_other_formats_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = package_path("examples/binary.csv");
    let shards = split(&path, &[900, 2000, 3500], dir.path(), "p");
    let state = |i: usize| dir.path().join(format!("p-{i}.state"));
    for (i, shard) in shards.iter().enumerate() {
        let run = Test::new()
            .args(&[
                "eval",
                shard.to_str().unwrap(),
                "--segment-col",
                "segment",
                "--save-state",
                state(i).to_str().unwrap(),
                "--quiet",
            ])
            .run();
        assert!(matches!(run.status_code(), Some(0 | 1)), "{}", run.stderr);
    }
    let s = |p: PathBuf| p.to_str().unwrap().to_string();
    let (left, right) = (
        dir.path().join("left.state"),
        dir.path().join("right.state"),
    );
    for (out, parts) in [(&left, [0, 1]), (&right, [2, 3])] {
        let run = Test::new()
            .args(&[
                "merge",
                &s(state(parts[0])),
                &s(state(parts[1])),
                "--save-state",
                out.to_str().unwrap(),
                "--quiet",
            ])
            .run();
        assert!(matches!(run.status_code(), Some(0 | 1)), "{}", run.stderr);
        assert!(
            run.stdout.contains("accuracy"),
            "a text report: {}",
            run.stdout
        );
    }
    let merged = Test::new()
        .args(&[
            "merge",
            &s(left),
            &s(right),
            "--format",
            "json",
            "--seed",
            "3",
            "--reference",
            "examples/reference.csv",
        ])
        .run()
        .report();
    let single = Test::new()
        .args(&[
            "eval",
            path.to_str().unwrap(),
            "--segment-col",
            "segment",
            "--format",
            "json",
            "--seed",
            "3",
            "--reference",
            "examples/reference.csv",
        ])
        .run()
        .report();
    assert_same_report(&merged, &single);
    let ids = |r: &Value| -> Vec<String> {
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(
        ids(&merged).iter().any(|id| id == "drift:score"),
        "{:?}",
        ids(&merged)
    );
    // The gate decides the exit code as in eval.
    let failing = Test::new()
        .args(&["merge", &s(state(0)), "--min", "accuracy=0.999", "-q"])
        .run();
    failing.code(1);
}

/// One line on stderr, exit 2, naming the file.
fn assert_refused(run: &Output, names: &str, says: &str) {
    run.one_line_error();
    run.stderr_contains(names).stderr_contains(says);
}

#[test]
fn states_read_with_other_columns_or_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = package_path("examples/binary.csv");
    let shards = split(&path, &[2500], dir.path(), "s");
    let a = dir.path().join("a.state");
    let b = dir.path().join("b.state");
    let c = dir.path().join("c.state");
    let (a, b, c) = (
        a.to_str().unwrap().to_string(),
        b.to_str().unwrap().to_string(),
        c.to_str().unwrap().to_string(),
    );
    let shard = |i: usize| shards[i].to_str().unwrap().to_string();
    let saved = |run: Output| assert!(matches!(run.status_code(), Some(0 | 1)), "{}", run.stderr);
    saved(
        Test::new()
            .args(&["eval", &shard(0), "--save-state", &a, "-q"])
            .run(),
    );
    // Labels from the prediction column: a different label column.
    saved(
        Test::new()
            .args(&[
                "eval",
                &shard(1),
                "--label-col",
                "prediction",
                "--pred-col",
                "label",
                "--save-state",
                &b,
                "-q",
            ])
            .run(),
    );
    assert_refused(
        &Test::new().args(&["merge", &a, &b]).run(),
        &b,
        "label column",
    );
    // Other segment columns.
    saved(
        Test::new()
            .args(&[
                "eval",
                &shard(1),
                "--segment-col",
                "segment",
                "--save-state",
                &c,
                "-q",
            ])
            .run(),
    );
    assert_refused(
        &Test::new().args(&["merge", &a, &c]).run(),
        &c,
        "segment columns",
    );
    // States are compressed; their JSON text, decompressed, is a state as well (the edits
    // below are made to it).
    let packed = std::fs::read(&a).unwrap();
    assert_eq!(packed[..4], [0x28, 0xb5, 0x2f, 0xfd], "a zstd frame");
    let text = String::from_utf8(zstd::decode_all(&packed[..]).unwrap()).unwrap();
    assert!(
        packed.len() * 3 < text.len(),
        "{} of {}",
        packed.len(),
        text.len()
    );
    let plain = dir.path().join("plain.state");
    std::fs::write(&plain, &text).unwrap();
    assert_eq!(
        merged_report(&[&a]),
        merged_report(&[plain.to_str().unwrap()])
    );
    // A compressed state cut short is damaged.
    let cut_packed = dir.path().join("cut-packed.state");
    std::fs::write(&cut_packed, &packed[..packed.len() / 2]).unwrap();
    assert_refused(
        &Test::new()
            .args(&["merge", &a, cut_packed.to_str().unwrap()])
            .run(),
        cut_packed.to_str().unwrap(),
        "damaged state file",
    );
    // Another version.
    let mut state: Value = serde_json::from_str(&text).unwrap();
    state["version"] = 99.into();
    let newer = dir.path().join("newer.state");
    std::fs::write(&newer, state.to_string()).unwrap();
    assert_refused(
        &Test::new()
            .args(&["merge", &a, newer.to_str().unwrap()])
            .run(),
        newer.to_str().unwrap(),
        "version 99",
    );
    // A report is not a state; a truncated state is damaged; a missing file is named.
    let report = dir.path().join("report.json");
    let run = Test::new()
        .args(&["eval", &shard(0), "--format", "json"])
        .run();
    std::fs::write(&report, run.stdout).unwrap();
    assert_refused(
        &Test::new().args(&["merge", report.to_str().unwrap()]).run(),
        report.to_str().unwrap(),
        "not an mlguard state file",
    );
    let cut = dir.path().join("cut.state");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    assert_refused(
        &Test::new()
            .args(&["merge", &a, cut.to_str().unwrap()])
            .run(),
        cut.to_str().unwrap(),
        "not an mlguard state file",
    );
    let inconsistent = dir.path().join("rows.state");
    std::fs::write(
        &inconsistent,
        text.replacen("\"rows\":2500", "\"rows\":2501", 1),
    )
    .unwrap();
    assert_refused(
        &Test::new()
            .args(&["merge", inconsistent.to_str().unwrap()])
            .run(),
        inconsistent.to_str().unwrap(),
        "damaged state file",
    );
    let scores = dir.path().join("scores.state");
    let extra = text.replacen("\"grid\":[", "\"grid\":[0,", 1).replacen(
        "\"grid_counts\":[",
        "\"grid_counts\":[5000,",
        1,
    );
    std::fs::write(&scores, extra).unwrap();
    assert_refused(
        &Test::new().args(&["merge", scores.to_str().unwrap()]).run(),
        scores.to_str().unwrap(),
        "more scores than rows",
    );
    assert_refused(
        &Test::new().args(&["merge", "no/such.state"]).run(),
        "no/such.state",
        "cannot read",
    );
    // Flags that decide how rows are read belong to eval.
    assert_refused(
        &Test::new()
            .args(&["merge", &a, "--label-col", "label"])
            .run(),
        "--label-col",
        "unexpected argument",
    );
    // A state is never written over an input.
    assert_refused(
        &Test::new().args(&["merge", &a, "--save-state", &a]).run(),
        &a,
        "input",
    );
}

/// Evaluates with the library: whole, and as shards saved, loaded and merged.
fn library_reports(cuts: &[usize]) -> (Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = package_path("examples/binary.csv");
    let flags = [
        "--segment-col",
        "segment",
        "--time-col",
        "timestamp",
        "--bootstrap",
        "50",
        "--quiet",
    ];
    let settings_for = |file: &Path| -> EvalSettings {
        let mut args = vec!["mlguard", "eval", file.to_str().unwrap()];
        args.extend(flags);
        match Cli::parse_from(args).command {
            Command::Eval(a) => EvalSettings::from_args(&a).unwrap(),
            _ => unreachable!("an eval command line"),
        }
    };
    let progress = TerminalProgress::new(true);
    let whole = settings_for(&path);
    let scan = scan_input(&whole, &progress).unwrap();
    let refs = open_references(&whole, &scan, &progress).unwrap();
    let single = report(&whole, "whole", scan, refs).unwrap();
    let mut states = Vec::new();
    for (i, shard) in split(&path, cuts, dir.path(), "q").iter().enumerate() {
        let settings = settings_for(shard);
        let scan = scan_input(&settings, &progress).unwrap();
        let state = dir.path().join(format!("q-{i}.state"));
        let name = shard.to_str().unwrap();
        SavedState::from_scan(scan, name, &read_settings(&settings))
            .save(&state, &[])
            .unwrap();
        states.push(state);
    }
    let report_of = |paths: &[PathBuf]| {
        let merged = merge_states(paths).unwrap();
        let name = merged.input.clone();
        let refs = open_references(&whole, &merged.scan, &progress).unwrap();
        let report = report(&whole, &name, merged.scan, refs).unwrap();
        serde_json::to_value(&report).unwrap()
    };
    let merged = report_of(&states);
    states.reverse();
    // The order of the states changes nothing but line numbers in warnings (none here).
    assert_same_report(&report_of(&states), &merged);
    (merged, serde_json::to_value(&single).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    /// Wherever the file is cut (empty shards aside), the merged report equals one pass.
    #[test]
    fn any_split_gives_the_same_report(a in 1usize..4999, b in 1usize..4999) {
        let (lo, hi) = (a.min(b), a.max(b));
        let cuts: Vec<usize> = if lo == hi { vec![lo] } else { vec![lo, hi] };
        let (merged, single) = library_reports(&cuts);
        assert_same_report(&merged, &single);
    }
}

#[test]
fn merged_segment_values_beyond_the_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut states = Vec::new();
    for part in 0..2 {
        let mut body = String::from("label,prediction,seg\n");
        for i in 0..6000 {
            body.push_str(&format!("{},{},s{part}-{i}\n", i % 2, (i / 2) % 2));
        }
        let csv = dir.path().join(format!("ids-{part}.csv"));
        std::fs::write(&csv, body).unwrap();
        let state = dir.path().join(format!("ids-{part}.state"));
        let run = Test::new()
            .args(&[
                "eval",
                csv.to_str().unwrap(),
                "--segment-col",
                "seg",
                "--bootstrap",
                "0",
                "--checks",
                "none",
                "--save-state",
                state.to_str().unwrap(),
                "-q",
            ])
            .run();
        assert!(matches!(run.status_code(), Some(0 | 1)), "{}", run.stderr);
        states.push(state.to_str().unwrap().to_string());
    }
    assert_refused(
        &Test::new().args(&["merge", &states[0], &states[1]]).run(),
        &states[1],
        "more than 10000 distinct values",
    );
}

#[test]
fn shards_with_the_same_rows_on_the_same_lines_keep_every_suspect_row() {
    // Two shards holding the same rows: their suspect rows share line, label and score, and
    // must still each be listed, as one pass over the file lists them.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(package_path("examples/binary.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let half: Vec<&str> = lines.take(2500).collect();
    let mut body = format!("{header}\n");
    for _ in 0..2 {
        for row in &half {
            body.push_str(row);
            body.push('\n');
        }
    }
    let doubled = dir.path().join("doubled.csv");
    std::fs::write(&doubled, body).unwrap();
    let file = doubled.to_str().unwrap();
    let single = Test::new()
        .args(&["eval", file, "--format", "json"])
        .run()
        .report();
    let mut states = Vec::new();
    for (i, shard) in split(&doubled, &[2500], dir.path(), "half")
        .iter()
        .enumerate()
    {
        let state = dir.path().join(format!("half-{i}.state"));
        let shard = shard.to_str().unwrap();
        let run = Test::new()
            .args(&["eval", shard, "--save-state", state.to_str().unwrap()])
            .run();
        assert!(matches!(run.status_code(), Some(0 | 1)), "{}", run.stderr);
        states.push(state.to_str().unwrap().to_string());
    }
    let merged = Test::new()
        .args(&["merge", &states[0], &states[1], "--format", "json"])
        .run()
        .report();
    let listed = |r: &Value| r["audit"]["label_issues"]["rows"].as_array().unwrap().len();
    assert!(listed(&single) > 0);
    assert_eq!(listed(&merged), listed(&single));
    assert_same_report(&merged, &single);
}

/// A state file is compressed JSON; with segments, its overall state leaves out the binary
/// scores its first segment column holds, and a merge of it alone gives the report of the run
/// that saved it.
#[test]
fn states_are_compressed_and_hold_each_score_once_less_with_segments() {
    let dir = tempfile::tempdir().unwrap();
    let input = package_path("examples/binary.csv");
    let input = input.to_str().unwrap();
    let state_of = |flags: &[&str], name: &str| -> (String, Value) {
        let path = dir.path().join(name);
        let path = path.to_str().unwrap().to_string();
        let mut args = vec!["eval", input, "--save-state", &path, "--format", "json"];
        args.extend(flags);
        args.extend(["--fail-on", "never"]);
        let report = without_names(Test::new().args(&args).run().code(0).json());
        let text = zstd::decode_all(&std::fs::read(&path).unwrap()[..]).unwrap();
        let state: Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(merged_report(&[&path]), report, "{flags:?}");
        (path, state)
    };
    let (_, whole) = state_of(&[], "whole.state");
    assert!(whole["state"]["overall"]["scores"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
    assert!(whole["state"].get("overall_scores_in_segments").is_none());
    let (segmented, state) = state_of(&["--segment-col", "segment"], "segmented.state");
    assert_eq!(state["state"]["overall"]["scores"], serde_json::json!([]));
    assert_eq!(state["state"]["overall_scores_in_segments"], true);
    // The segments' scores are those of every row.
    assert_eq!(total(&state["state"]["columns"][0]), 5000);
    assert_eq!(total(&whole["state"]["overall"]["scores"]), 5000);
    // Merged with itself, the state counts every score twice overall.
    let twice = merged_report(&[&segmented, &segmented]);
    assert_eq!(twice["input"]["rows"], 10000);
    let once = merged_report(&[&segmented]);
    assert_eq!(twice["metrics"]["roc_auc"], once["metrics"]["roc_auc"]);
}

/// The rows a state's score tables count, anywhere in `v`.
fn total(v: &Value) -> u64 {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| match (k.as_str(), v) {
                ("grid_counts" | "value_counts", Value::Array(c)) => {
                    c.iter().filter_map(Value::as_u64).sum()
                }
                _ => total(v),
            })
            .sum(),
        Value::Array(a) => a.iter().map(total).sum(),
        _ => 0,
    }
}

/// The JSON report of `mlguard merge` on `states`, without the names of its input.
fn merged_report(states: &[&str]) -> Value {
    let mut args = vec!["merge"];
    args.extend(states);
    args.extend(["--format", "json", "--fail-on", "never"]);
    without_names(Test::new().args(&args).run().code(0).json())
}

/// `report` without the names of its input (its path and command line).
fn without_names(mut report: Value) -> Value {
    report["input"]["path"] = Value::Null;
    report["run"]["command"] = Value::Null;
    report
}
