//! Integration tests of the `mlguard` command line: exit codes, the one-line error contract
//! (`mlguard: error: FILE[:LINE]: what (hint)`), tolerated input oddities, `--output`, broken
//! pipes, `--help` and the JSON report contract.
//!
//! Text fixtures live in `fixtures/cli/`; binary inputs (compressed, truncated, Latin-1, garbage,
//! BOM, CRLF) are generated into a temporary directory by the tests themselves.

use std::io::Read;
use std::process::Stdio;

use clap::CommandFactory;
use mlguard::cli::Cli;
use serde_json::Value;

use crate::support::{dir_entries, gzip, read_package_file, write, ErrorLine, Test, BIN};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Runs `mlguard eval FILE ARGS…` expecting an input error at `line` (None: file-level).
fn expect_input_error(file: &str, args: &[&str], line: Option<u64>) -> ErrorLine {
    let run = Test::new().args(&["eval", file]).args(args).run();
    let err = run.input_error(file);
    assert_eq!(err.line, line, "wrong line number in {:?}", run.stderr);
    err
}

fn fixture(name: &str) -> String {
    format!("fixtures/cli/{name}")
}

fn zstd_compress(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// `examples/binary.csv` as TSV (it has no quoted fields).
fn binary_as_tsv() -> Vec<u8> {
    let csv = String::from_utf8(read_package_file("examples/binary.csv")).unwrap();
    assert!(!csv.contains('"') && !csv.contains('\t'));
    csv.replace(',', "\t").into_bytes()
}

/// `examples/binary.csv` as JSON Lines: role columns as JSON numbers, the others as strings.
fn binary_as_jsonl() -> Vec<u8> {
    let csv = String::from_utf8(read_package_file("examples/binary.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut out = String::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len());
        let fields: Vec<String> = header
            .iter()
            .zip(&cells)
            .map(|(k, v)| match *k {
                "label" | "prediction" | "score" => format!("\"{k}\": {v}"),
                _ => format!("\"{k}\": \"{v}\""),
            })
            .collect();
        out.push('{');
        out.push_str(&fields.join(", "));
        out.push_str("}\n");
    }
    out.into_bytes()
}

/// The JSON report of `examples/binary.csv`.
fn binary_csv_report() -> Value {
    let run = Test::new()
        .args(&["eval", "examples/binary.csv", "--format", "json"])
        .run();
    run.success();
    run.json()
}

/// Asserts that `report` has the same metrics and row count as the CSV report.
fn assert_same_metrics(report: &Value, csv: &Value, what: &str) {
    assert_eq!(
        report["input"]["rows"], csv["input"]["rows"],
        "{what}: rows"
    );
    assert_eq!(report["metrics"], csv["metrics"], "{what}: metrics differ");
    assert_eq!(report["labels"], csv["labels"], "{what}: labels differ");
}

fn warnings(report: &Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .expect("warnings is an array")
        .iter()
        .map(|w| w.as_str().expect("warnings are strings").to_string())
        .collect()
}

/// Deterministic pseudo-random bytes.
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 56) as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Happy paths
// ---------------------------------------------------------------------------------------------

#[test]
fn text_report_of_the_binary_example() {
    let run = Test::new().args(&["eval", "examples/binary.csv"]).run();
    run.success();
    run.stdout_contains("accuracy");
    run.stdout_contains("Verdict: PASS");
}

#[test]
fn json_report_of_the_binary_example_parses() {
    let report = binary_csv_report();
    assert!(report.is_object());
    assert_eq!(report["input"]["rows"], 5000);
    assert_eq!(report["task"], "binary");
}

#[test]
fn tsv_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "binary.tsv", binary_as_tsv());
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    assert_same_metrics(&run.json(), &binary_csv_report(), "tsv");
}

#[test]
fn tsv_content_is_sniffed_without_an_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "binary.txt", binary_as_tsv());
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    assert_same_metrics(&run.json(), &binary_csv_report(), "sniffed tsv");
}

#[test]
fn jsonl_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "binary.jsonl", binary_as_jsonl());
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    assert_same_metrics(&run.json(), &binary_csv_report(), "jsonl");
}

#[test]
fn gzip_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&read_package_file("examples/binary.csv"));
    let path = write(&dir, "binary.csv.gz", &gz);
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    let report = run.json();
    assert_same_metrics(&report, &binary_csv_report(), "gzip");
    assert_eq!(warnings(&report), Vec::<String>::new());
}

#[test]
fn zstd_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let zst = zstd_compress(&read_package_file("examples/binary.csv"));
    let path = write(&dir, "binary.csv.zst", &zst);
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    let report = run.json();
    assert_same_metrics(&report, &binary_csv_report(), "zstd");
    assert_eq!(warnings(&report), Vec::<String>::new());
}

#[test]
fn gzip_jsonl_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "binary.jsonl.gz", gzip(&binary_as_jsonl()));
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    assert_same_metrics(&run.json(), &binary_csv_report(), "jsonl.gz");
}

#[test]
fn csv_on_stdin_gives_the_same_metrics_as_csv() {
    let run = Test::new()
        .args(&["eval", "-", "--format", "json"])
        .stdin(&read_package_file("examples/binary.csv"))
        .run();
    run.success();
    let report = run.json();
    assert_same_metrics(&report, &binary_csv_report(), "stdin csv");
    assert_eq!(report["input"]["path"], "-");
}

#[test]
fn jsonl_on_stdin_with_input_format_gives_the_same_metrics_as_csv() {
    let run = Test::new()
        .args(&["eval", "-", "--input-format", "jsonl", "--format", "json"])
        .stdin(&binary_as_jsonl())
        .run();
    run.success();
    assert_same_metrics(&run.json(), &binary_csv_report(), "stdin jsonl");
}

#[test]
fn gzip_on_stdin_gives_the_same_metrics_as_csv() {
    let run = Test::new()
        .args(&["eval", "-", "--format", "json"])
        .stdin(&gzip(&read_package_file("examples/binary.csv")))
        .run();
    run.success();
    assert_same_metrics(&run.json(), &binary_csv_report(), "stdin gzip");
}

#[test]
fn multiclass_example_text_report() {
    let run = Test::new().args(&["eval", "examples/multiclass.csv"]).run();
    run.success();
    run.stdout_contains("accuracy");
    run.stdout_contains("Verdict: PASS");
}

#[test]
fn string_labels_with_pos_label_succeed() {
    let run = Test::new()
        .args(&[
            "eval",
            &fixture("cat_dog.csv"),
            "--pos-label",
            "dog",
            "--format",
            "json",
        ])
        .run();
    run.success();
    let report = run.json();
    assert_eq!(report["pos_label"], "dog");
    assert_eq!(report["input"]["rows"], 4);
}

// ---------------------------------------------------------------------------------------------
// 2. Errors (exit 2, one line naming the file and the line)
// ---------------------------------------------------------------------------------------------

#[test]
fn error_missing_file() {
    let err = expect_input_error(&fixture("does-not-exist.csv"), &[], None);
    assert!(err.what.contains("cannot open"), "{err:?}");
}

#[test]
fn error_directory() {
    let err = expect_input_error("fixtures/cli", &[], None);
    assert!(err.what.contains("directory"), "{err:?}");
}

#[test]
fn error_empty_file() {
    let file = fixture("empty.csv");
    let run = Test::new().args(&["eval", &file]).run();
    let err = run.input_error(&file);
    assert!(matches!(err.line, None | Some(1)), "{err:?}");
    assert!(err.what.contains("empty"), "{err:?}");
}

#[test]
fn error_empty_file_on_stdin() {
    let run = Test::new().args(&["eval", "-"]).stdin(b"").run();
    let err = run.input_error("<stdin>");
    assert!(err.what.contains("empty"), "{err:?}");
}

#[test]
fn error_header_only() {
    let file = fixture("header_only.csv");
    let run = Test::new().args(&["eval", &file]).run();
    let err = run.input_error(&file);
    assert!(matches!(err.line, Some(1) | Some(2)), "{err:?}");
    assert!(err.what.contains("no data rows"), "{err:?}");
}

#[test]
fn error_no_label_column() {
    let err = expect_input_error(&fixture("no_label.csv"), &[], Some(1));
    assert!(err.what.contains("no label column"), "{err:?}");
    assert!(err.what.contains("id, prediction, score"), "{err:?}");
    assert!(err.hint.contains("--label-col"), "{err:?}");
}

#[test]
fn error_two_candidate_label_columns() {
    let err = expect_input_error(&fixture("two_labels.csv"), &[], Some(1));
    assert!(
        err.what.contains("'label'") && err.what.contains("'y_true'"),
        "{err:?}"
    );
    assert!(
        err.what.contains("[id, label, y_true, prediction]"),
        "the header is printed: {err:?}"
    );
    assert!(err.hint.contains("--label-col"), "{err:?}");
}

#[test]
fn label_col_resolves_two_candidates() {
    let run = Test::new()
        .args(&[
            "eval",
            &fixture("two_labels.csv"),
            "--label-col",
            "y_true",
            "--format",
            "json",
        ])
        .run();
    run.success();
    assert_eq!(run.json()["input"]["columns"]["label"], "y_true");
}

#[test]
fn error_label_col_names_a_missing_column() {
    let err = expect_input_error(&fixture("small.csv"), &["--label-col", "truth"], Some(1));
    assert!(err.what.contains("'truth'"), "{err:?}");
    assert!(err.what.contains("--label-col"), "{err:?}");
    assert!(err.what.contains("id, label, prediction, score"), "{err:?}");
}

#[test]
fn error_duplicate_header_names() {
    let err = expect_input_error(&fixture("duplicate_header.csv"), &[], Some(1));
    assert!(
        err.what.contains("duplicate") && err.what.contains("'id'"),
        "{err:?}"
    );
}

#[test]
fn error_wrong_number_of_fields() {
    let err = expect_input_error(&fixture("wrong_field_count.csv"), &[], Some(4));
    assert!(
        err.what.contains("3 fields") && err.what.contains("4"),
        "{err:?}"
    );
    assert!(err.hint.contains("--skip-invalid"), "{err:?}");
}

#[test]
fn a_row_without_its_label_waits_for_it() {
    // Labels arrive late: a row without one is left out of the metrics and counted, not an
    // error.
    let r = Test::eval_json(&fixture("empty_label.csv")).run().report();
    assert_eq!(r["input"]["rows"], 7);
    assert_eq!(r["input"]["rows_awaiting_labels"], 1);
    assert_eq!(r["input"]["rows_skipped"], 1);
    assert_eq!(r["audit"]["skipped"]["missing_label"], 1);
    let text = Test::new()
        .args(&["eval", &fixture("empty_label.csv")])
        .run();
    assert!(
        text.stdout.contains("1 row awaiting labels"),
        "{}",
        text.stdout
    );
    // With no label at all yet, a log with scores is reported with null metrics (what can be
    // said before the labels arrive); without scores there is nothing to say: one line says so.
    let dir = tempfile::tempdir().unwrap();
    let scored = write(
        &dir,
        "scored.csv",
        b"label,prediction,score\n,0,0.1\n,1,0.9\n",
    );
    let r = Test::eval_json(&scored).run().report();
    assert_eq!(r["input"]["rows"], 0);
    assert_eq!(r["input"]["rows_awaiting_labels"], 2);
    assert!(r["metrics"]["f1"].is_null());
    assert_eq!(r["labels"], serde_json::json!(["0", "1"]));
    let none = write(&dir, "none.csv", b"label,prediction\n,0\n,1\n");
    let run = Test::new().args(&["eval", &none]).run();
    let err = run.input_error(&none);
    assert!(
        err.what.contains("none of its 2 rows has a label yet"),
        "{err:?}"
    );
}

#[test]
fn error_empty_prediction() {
    let err = expect_input_error(&fixture("empty_prediction.csv"), &[], Some(4));
    assert!(
        err.what.contains("missing prediction") && err.what.contains("'prediction'"),
        "{err:?}"
    );
}

#[test]
fn error_score_not_a_number() {
    let err = expect_input_error(&fixture("score_not_number.csv"), &[], Some(4));
    assert!(
        err.what.contains("'abc'") && err.what.contains("not a number"),
        "{err:?}"
    );
    assert!(err.what.contains("'score'"), "{err:?}");
}

#[test]
fn error_score_nan() {
    let err = expect_input_error(&fixture("score_nan.csv"), &[], Some(4));
    assert!(
        err.what.contains("nan") && err.what.contains("'score'"),
        "{err:?}"
    );
}

#[test]
fn error_score_inf() {
    let err = expect_input_error(&fixture("score_inf.csv"), &[], Some(4));
    assert!(
        err.what.contains("inf") && err.what.contains("'score'"),
        "{err:?}"
    );
}

#[test]
fn error_score_above_one() {
    let err = expect_input_error(&fixture("score_above_one.csv"), &[], Some(4));
    assert!(
        err.what.contains("1.5") && err.what.contains("outside [0, 1]"),
        "{err:?}"
    );
    assert!(err.hint.contains("--scores-are-logits"), "{err:?}");
}

#[test]
fn error_score_below_zero() {
    let err = expect_input_error(&fixture("score_below_zero.csv"), &[], Some(4));
    assert!(
        err.what.contains("-0.1") && err.what.contains("outside [0, 1]"),
        "{err:?}"
    );
    assert!(err.hint.contains("--scores-are-logits"), "{err:?}");
}

#[test]
fn scores_are_logits_accepts_out_of_range_scores() {
    let run = Test::new()
        .args(&[
            "eval",
            &fixture("score_above_one.csv"),
            "--scores-are-logits",
        ])
        .run();
    run.success();
}

#[test]
fn error_latin1_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "latin1.csv",
        b"id,label,prediction\n1,caf,caf\n2,caf\xe9,caf\n3,caf,caf\n",
    );
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert_eq!(err.line, Some(3), "{err:?}");
    assert!(
        err.what.contains("UTF-8") && err.what.contains("'label'"),
        "{err:?}"
    );
    assert!(err.hint.contains("iconv"), "{err:?}");
}

#[test]
fn error_latin1_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "latin1.csv",
        b"id,l\xe9bel,label,prediction\n1,x,0,0\n",
    );
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert_eq!(err.line, Some(1), "{err:?}");
    assert!(err.what.contains("UTF-8"), "{err:?}");
}

#[test]
fn error_truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&read_package_file("examples/binary.csv"));
    let path = write(&dir, "binary.csv.gz", &gz[..gz.len() / 2]);
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert!(err.what.contains("gzip"), "{err:?}");
    assert!(err.what.contains("truncated"), "{err:?}");
}

#[test]
fn error_gzip_missing_only_its_trailer() {
    // All the data is there; only the CRC and length trailer are cut off.
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&read_package_file("examples/binary.csv"));
    let path = write(&dir, "binary.csv.gz", &gz[..gz.len() - 4]);
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert!(err.what.contains("gzip"), "{err:?}");
}

#[test]
fn error_truncated_zstd() {
    let dir = tempfile::tempdir().unwrap();
    let zst = zstd_compress(&read_package_file("examples/binary.csv"));
    let path = write(&dir, "binary.csv.zst", &zst[..zst.len() / 2]);
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert!(err.what.contains("zstd"), "{err:?}");
    assert!(err.what.contains("truncated"), "{err:?}");
}

#[test]
fn error_truncated_gzip_on_stdin() {
    let gz = gzip(&read_package_file("examples/binary.csv"));
    let run = Test::new()
        .args(&["eval", "-"])
        .stdin(&gz[..gz.len() / 2])
        .run();
    let err = run.input_error("<stdin>");
    assert!(err.what.contains("gzip"), "{err:?}");
}

#[test]
fn error_binary_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = garbage(8192, 7);
    bytes[0] = b'x'; // not a gzip or zstd magic number
    let path = write(&dir, "garbage.csv", &bytes);
    let run = Test::new().args(&["eval", &path]).run();
    run.input_error(&path);
}

#[test]
fn error_binary_garbage_without_extension() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = garbage(8192, 42);
    bytes[0] = b'x';
    let path = write(&dir, "garbage.bin", &bytes);
    let run = Test::new().args(&["eval", &path]).run();
    run.input_error(&path);
}

#[test]
fn error_gzip_magic_followed_by_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0x1f, 0x8b];
    bytes.extend(garbage(4096, 3));
    let path = write(&dir, "garbage.csv.gz", &bytes);
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert!(err.what.contains("gzip"), "{err:?}");
}

#[test]
fn error_zstd_magic_followed_by_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0x28, 0xb5, 0x2f, 0xfd];
    bytes.extend(garbage(4096, 5));
    let path = write(&dir, "garbage.csv.zst", &bytes);
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert!(err.what.contains("zstd"), "{err:?}");
}

#[test]
fn error_multiclass_label_without_probability_column() {
    let err = expect_input_error(&fixture("multiclass_label_without_proba.csv"), &[], Some(4));
    assert!(
        err.what.contains("'bird'") && err.what.contains("no probability column"),
        "{err:?}"
    );
}

#[test]
fn error_pos_label_not_among_the_labels() {
    let err = expect_input_error(&fixture("small.csv"), &["--pos-label", "7"], None);
    assert!(err.what.contains("--pos-label 7"), "{err:?}");
}

#[test]
fn error_string_labels_without_pos_label() {
    let err = expect_input_error(&fixture("cat_dog.csv"), &[], None);
    assert!(
        err.what.contains("cat") && err.what.contains("dog"),
        "{err:?}"
    );
    assert!(err.hint.contains("--pos-label"), "{err:?}");
}

#[test]
fn error_jsonl_line_that_is_not_an_object() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "bad.jsonl",
        b"{\"label\": 0, \"prediction\": 0}\n{\"label\": 1, \"prediction\": 1}\n[1, 2]\n",
    );
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert_eq!(err.line, Some(3), "{err:?}");
}

#[test]
fn error_on_stdin_names_stdin_and_the_line() {
    let run = Test::new()
        .args(&["eval", "-"])
        .stdin(&read_package_file(&fixture("score_nan.csv")))
        .run();
    let err = run.input_error("<stdin>");
    assert_eq!(err.line, Some(4), "{err:?}");
}

#[test]
fn error_line_numbers_count_embedded_newlines() {
    let err = expect_input_error(&fixture("embedded_newlines_bad_row.csv"), &[], Some(9));
    assert!(err.what.contains("'oops'"), "{err:?}");
}

#[test]

fn error_negative_beta() {
    let run = Test::new()
        .args(&["eval", &fixture("small.csv"), "--beta", "-1"])
        .run();
    let msg = run.one_line_error();
    assert!(msg.contains("--beta"), "{msg}");
}

#[test]
fn error_negative_beta_with_equals() {
    let run = Test::new()
        .args(&["eval", &fixture("small.csv"), "--beta=-1"])
        .run();
    let msg = run.one_line_error();
    assert!(msg.contains("--beta"), "{msg}");
}

#[test]

fn error_unparsable_flag_value() {
    let run = Test::new()
        .args(&["eval", &fixture("small.csv"), "--threshold", "abc"])
        .run();
    let msg = run.one_line_error();
    assert!(msg.contains("--threshold"), "{msg}");
}

#[test]
fn error_threshold_above_one() {
    let run = Test::new()
        .args(&["eval", &fixture("small.csv"), "--threshold", "2"])
        .run();
    let msg = run.one_line_error();
    assert!(msg.contains("--threshold"), "{msg}");
}

#[test]
fn error_bad_delimiter() {
    let run = Test::new()
        .args(&["eval", &fixture("small.csv"), "--delimiter", ";;"])
        .run();
    let msg = run.one_line_error();
    assert!(msg.contains("--delimiter"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// 3. --skip-invalid
// ---------------------------------------------------------------------------------------------

#[test]
fn skip_invalid_skips_and_counts_bad_rows() {
    let file = fixture("skip_invalid.csv");
    let run = Test::new()
        .args(&["eval", &file, "--skip-invalid", "--format", "json"])
        .run();
    // 2 of 8 rows skipped is beyond the 10% at which data:missing fails the gate.
    run.no_panic();
    assert_eq!(run.status_code(), Some(1), "{run:#?}");
    let report = run.json();
    let missing = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "data:missing")
        .expect("a data:missing check");
    assert_eq!(missing["status"], "fail");
    assert_eq!(missing["values"]["skipped"], 2.0);
    assert_eq!(report["findings"][0]["code"], "data.missing_values");
    assert_eq!(report["input"]["rows_skipped"], 2);
    assert_eq!(report["input"]["rows"], 6);
    assert_eq!(report["input"]["rows_awaiting_labels"], 1);
    // The invalid row is listed by its line; the one waiting for its label is not invalid.
    let ws = warnings(&report);
    assert!(
        ws.iter()
            .any(|w| w.contains("skipped 1 invalid row (") && w.contains("first at lines 3:")),
        "a warning names line 3: {ws:?}"
    );
}

#[test]
fn skip_invalid_warning_in_text_report() {
    let run = Test::new()
        .args(&[
            "eval",
            &fixture("skip_invalid.csv"),
            "--skip-invalid",
            "--fail-on",
            "never",
        ])
        .run();
    run.success();
    run.stdout_contains("Diagnosis");
    assert!(
        run.stdout.contains("first at lines 3:"),
        "the text report names the skipped lines:\n{}",
        run.stdout
    );
}

#[test]
fn without_skip_invalid_the_first_bad_row_stops_the_run() {
    let err = expect_input_error(&fixture("skip_invalid.csv"), &[], Some(3));
    assert!(err.what.contains("'abc'"), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// 4. Tolerated oddities
// ---------------------------------------------------------------------------------------------

fn small_report() -> Value {
    let run = Test::new()
        .args(&["eval", &fixture("small.csv"), "--format", "json"])
        .run();
    run.success();
    run.json()
}

#[test]
fn utf8_bom_on_the_header_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(read_package_file(&fixture("small.csv")));
    let path = write(&dir, "bom.csv", &bytes);
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    let report = run.json();
    assert_eq!(report["input"]["rows"], 8);
    assert_eq!(report["input"]["columns"]["label"], "label");
    assert_same_metrics(&report, &small_report(), "bom");
}

#[test]
fn utf8_bom_on_a_label_first_header_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(read_package_file(&fixture("labels_only.csv")));
    let path = write(&dir, "bom.csv", &bytes);
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    let report = run.json();
    assert_eq!(report["input"]["rows"], 6);
    assert_eq!(report["input"]["columns"]["label"], "label");
}

#[test]
fn utf8_bom_on_jsonl_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(binary_as_jsonl());
    let path = write(&dir, "bom.jsonl", &bytes);
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    assert_same_metrics(&run.json(), &binary_csv_report(), "jsonl with bom");
}

#[test]
fn crlf_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(read_package_file(&fixture("small.csv"))).unwrap();
    let path = write(&dir, "crlf.csv", text.replace('\n', "\r\n").as_bytes());
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    let report = run.json();
    assert_eq!(report["input"]["rows"], 8);
    assert_eq!(report["labels"], serde_json::json!(["0", "1"]));
    assert_same_metrics(&report, &small_report(), "crlf");
}

#[test]

fn crlf_line_endings_keep_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(read_package_file(&fixture("score_nan.csv"))).unwrap();
    let path = write(&dir, "crlf.csv", text.replace('\n', "\r\n").as_bytes());
    let run = Test::new().args(&["eval", &path]).run();
    let err = run.input_error(&path);
    assert_eq!(err.line, Some(4), "{err:?}");
}

#[test]
fn quoted_fields_with_embedded_newlines() {
    let run = Test::new()
        .args(&[
            "eval",
            &fixture("embedded_newlines.csv"),
            "--format",
            "json",
        ])
        .run();
    run.success();
    let report = run.json();
    assert_eq!(report["input"]["rows"], 4);
    assert_eq!(report["input"]["rows_skipped"], 0);
}

#[test]
fn gz_name_on_plain_text_works_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "small.csv.gz",
        read_package_file(&fixture("small.csv")),
    );
    let run = Test::new().args(&["eval", &path, "--format", "json"]).run();
    run.success();
    let report = run.json();
    assert_eq!(report["input"]["rows"], 8);
    let ws = warnings(&report);
    assert!(
        ws.iter().any(|w| w.contains("gzip") && w.contains("plain")),
        "a warning about the misleading name: {ws:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. --output
// ---------------------------------------------------------------------------------------------

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let out_s = out.to_str().unwrap();
    let run = Test::new()
        .args(&[
            "eval",
            "examples/binary.csv",
            "--format",
            "json",
            "--output",
            out_s,
        ])
        .run();
    run.success();
    assert!(run.stdout.is_empty(), "nothing on stdout: {run:#?}");
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(written["metrics"], binary_csv_report()["metrics"]);
    assert_eq!(
        dir_entries(dir.path()),
        ["report.json"],
        "no temporary files left"
    );
}

#[test]
fn output_replaces_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = write(&dir, "report.txt", b"old contents\n");
    let run = Test::new()
        .args(&["eval", &fixture("small.csv"), "-o", &out])
        .run();
    run.success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("Verdict: PASS"), "{text}");
    assert!(!text.contains("old contents"));
    assert_eq!(dir_entries(dir.path()), ["report.txt"]);
}

#[test]
fn output_is_not_created_on_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let file = fixture("score_nan.csv");
    let run = Test::new()
        .args(&[
            "eval",
            &file,
            "--format",
            "json",
            "--output",
            out.to_str().unwrap(),
        ])
        .run();
    let err = run.input_error(&file);
    assert_eq!(err.line, Some(4));
    assert!(!out.exists(), "no output file on error");
    assert_eq!(
        dir_entries(dir.path()),
        Vec::<String>::new(),
        "no leftovers"
    );
}

#[test]
fn output_keeps_an_existing_file_on_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = write(&dir, "report.json", b"previous report\n");
    let file = fixture("empty_prediction.csv");
    let run = Test::new().args(&["eval", &file, "--output", &out]).run();
    run.input_error(&file);
    assert_eq!(std::fs::read(&out).unwrap(), b"previous report\n");
    assert_eq!(dir_entries(dir.path()), ["report.json"]);
}

#[test]
fn output_over_the_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let original = read_package_file(&fixture("small.csv"));
    let input = write(&dir, "small.csv", &original);
    let run = Test::new()
        .args(&["eval", &input, "--output", &input])
        .run();
    let err = run.input_error(&input);
    assert_eq!(err.line, None);
    assert!(err.what.contains("input"), "{err:?}");
    assert!(err.hint.contains("--output"), "{err:?}");
    assert_eq!(std::fs::read(&input).unwrap(), original, "input unchanged");
    assert_eq!(dir_entries(dir.path()), ["small.csv"]);
}

#[test]
fn output_over_the_input_by_another_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let original = read_package_file(&fixture("small.csv"));
    let input = write(&dir, "small.csv", &original);
    let other_name = dir.path().join(".").join("small.csv");
    let run = Test::new()
        .args(&["eval", &input, "--output", other_name.to_str().unwrap()])
        .run();
    run.one_line_error();
    assert_eq!(std::fs::read(&input).unwrap(), original, "input unchanged");
}

#[test]
fn output_into_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no-such-dir").join("report.json");
    let out_s = out.to_str().unwrap();
    let run = Test::new()
        .args(&["eval", &fixture("small.csv"), "--output", out_s])
        .run();
    let err = run.input_error(out_s);
    assert_eq!(err.line, None);
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------------------------
// 6. Broken pipe
// ---------------------------------------------------------------------------------------------

#[test]
fn broken_pipe_exits_quietly() {
    let mut child = Test::new()
        .args(&["eval", "examples/binary.csv", "--format", "json"])
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before the report (written after all 5000 rows are read) is written.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn broken_pipe_through_head_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let err_path = dir.path().join("stderr.txt");
    let script = format!(
        "'{bin}' eval examples/binary.csv --format json 2>'{err}' | head -c 1 >/dev/null",
        bin = BIN,
        err = err_path.display()
    );
    let status = std::process::Command::new("sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&err_path).unwrap(), "");
}

// ---------------------------------------------------------------------------------------------
// 7. The command definition and --help
// ---------------------------------------------------------------------------------------------

#[test]
fn clap_command_is_consistent() {
    Cli::command().debug_assert();
}

fn assert_help(args: &[&str], envs: &[(&str, &str)]) {
    let mut test = Test::new().args(args);
    for (k, v) in envs {
        test = test.env(k, v);
    }
    let run = test.run();
    run.success();
    for line in run.stdout.lines() {
        assert!(
            line.chars().count() <= 100,
            "{args:?}: help line longer than 100 columns ({}): {line:?}",
            line.chars().count()
        );
    }
    run.stdout_contains("Exit codes");
    for code in ["  0  ", "  1  ", "  2  "] {
        assert!(
            run.stdout.contains(code),
            "{args:?}: exit code {code:?} documented"
        );
    }
}

#[test]
fn help_fits_in_100_columns_and_documents_exit_codes() {
    assert_help(&["--help"], &[]);
    assert_help(&["eval", "--help"], &[]);
}

#[test]
fn help_fits_in_100_columns_on_a_wide_terminal() {
    assert_help(&["--help"], &[("COLUMNS", "250")]);
    assert_help(&["eval", "--help"], &[("COLUMNS", "250")]);
}

// ---------------------------------------------------------------------------------------------
// 8. The JSON report contract
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Integer,
    Null,
    String,
    Array,
    Object,
    Bool,
}

fn kind_matches(value: &Value, kind: Kind) -> bool {
    match kind {
        Kind::Number => value.is_number(),
        Kind::Integer => value.is_u64() || value.is_i64(),
        Kind::Null => value.is_null(),
        Kind::String => value.is_string(),
        Kind::Array => value.is_array(),
        Kind::Object => value.is_object(),
        Kind::Bool => value.is_boolean(),
    }
}

/// Asserts that the key at JSON `pointer` exists and has one of `kinds`; returns its value.
fn expect<'v>(report: &'v Value, pointer: &str, kinds: &[Kind]) -> &'v Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent_value = report
        .pointer(parent)
        .unwrap_or_else(|| panic!("{parent} is missing"));
    let object = parent_value
        .as_object()
        .unwrap_or_else(|| panic!("{parent} is not an object: {parent_value}"));
    let key = key.replace("~1", "/").replace("~0", "~");
    let value = object
        .get(&key)
        .unwrap_or_else(|| panic!("key {pointer} is missing"));
    assert!(
        kinds.iter().any(|&k| kind_matches(value, k)),
        "{pointer} should be {kinds:?}, got {value}"
    );
    value
}

/// Every number in the report is finite.
fn assert_finite_numbers(value: &Value, path: &str) {
    match value {
        Value::Number(n) => {
            let v = n.as_f64().unwrap();
            assert!(v.is_finite(), "{path} = {v}");
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_finite_numbers(item, &format!("{path}/{i}"));
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                assert_finite_numbers(item, &format!("{path}/{k}"));
            }
        }
        _ => {}
    }
}

const SCORE_METRICS: [&str; 6] = [
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier",
    "ece",
    "mce",
];

/// The keys every report has, whatever the task.
/// The keys of the estimated performance of rows awaiting labels.
pub(crate) fn check_estimated_contract(r: &Value) {
    use Kind::*;
    expect(r, "/estimated/method", &[String]);
    let calibration = expect(r, "/estimated/calibration", &[String]);
    assert!(
        *calibration == "isotonic" || *calibration == "platt",
        "{calibration}"
    );
    expect(r, "/estimated/reference_rows", &[Integer]);
    expect(r, "/estimated/reference_ece", &[Number]);
    expect(r, "/estimated/outside_reference_range", &[Number]);
    expect(r, "/estimated/mean_score", &[Number]);
    expect(r, "/estimated/mean_confidence", &[Number]);
    expect(r, "/estimated/rows", &[Integer]);
    for key in ["accuracy", "precision", "recall", "f1", "roc_auc"] {
        expect(r, &format!("/estimated/{key}"), &[Number, Null]);
    }
    expect(r, "/estimated/intervals", &[Object]);
    if expect(r, "/estimated/windows", &[Array, Null]).is_array() {
        for i in 0..r["estimated"]["windows"].as_array().unwrap().len() {
            for key in ["start", "end"] {
                expect(r, &format!("/estimated/windows/{i}/{key}"), &[String]);
            }
            expect(r, &format!("/estimated/windows/{i}/rows"), &[Integer]);
            expect(r, &format!("/estimated/windows/{i}/f1"), &[Number, Null]);
            expect(r, &format!("/estimated/windows/{i}/intervals"), &[Object]);
        }
    }
    expect(r, "/estimated/segments", &[Object]);
    if expect(r, "/estimated/labelled", &[Object, Null]).is_object() {
        expect(r, "/estimated/labelled/estimated", &[Object]);
        expect(r, "/estimated/labelled/realised", &[Object]);
        expect(r, "/estimated/labelled/error", &[Object]);
        expect(r, "/estimated/labelled/outside_interval", &[Array]);
    }
    expect(r, "/estimated/trusted", &[Bool]);
    expect(r, "/estimated/caveats", &[Array]);
}

fn check_common_contract(r: &Value) {
    use Kind::*;
    assert_eq!(expect(r, "/schema_version", &[Integer]), 1);
    expect(r, "/tool", &[Object]);
    assert_eq!(expect(r, "/tool/name", &[String]), "mlguard");
    expect(r, "/tool/version", &[String]);
    expect(r, "/run", &[Object]);
    expect(r, "/run/command", &[String]);
    expect(r, "/run/config", &[String, Null]);
    expect(r, "/input", &[Object]);
    expect(r, "/input/path", &[String]);
    expect(r, "/input/rows", &[Integer]);
    expect(r, "/input/rows_skipped", &[Integer]);
    expect(r, "/input/columns", &[Object]);
    expect(r, "/input/columns/label", &[String]);
    expect(r, "/input/columns/prediction", &[String, Null]);
    expect(r, "/input/columns/score", &[String, Null]);
    for c in expect(r, "/input/columns/proba", &[Array])
        .as_array()
        .unwrap()
    {
        assert!(c.is_string(), "proba column names are strings: {c}");
    }
    let task = expect(r, "/task", &[String]).as_str().unwrap();
    assert!(task == "binary" || task == "multiclass", "task {task}");
    expect(r, "/pos_label", &[String, Null]);
    let labels: Vec<&str> = expect(r, "/labels", &[Array])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().expect("labels are strings"))
        .collect();
    assert!(!labels.is_empty());

    expect(r, "/metrics", &[Object]);
    for key in [
        "accuracy",
        "balanced_accuracy",
        "precision",
        "recall",
        "f1",
        "mcc",
        "cohen_kappa",
    ] {
        expect(r, &format!("/metrics/{key}"), &[Number]);
    }
    expect(r, "/metrics/specificity", &[Number, Null]);
    for avg in ["macro", "micro", "weighted"] {
        expect(r, &format!("/metrics/{avg}"), &[Object]);
        for key in ["precision", "recall", "f1"] {
            expect(r, &format!("/metrics/{avg}/{key}"), &[Number]);
        }
    }
    let per_class = expect(r, "/metrics/per_class", &[Object]);
    assert_eq!(per_class.as_object().unwrap().len(), labels.len());
    for label in &labels {
        let base = format!(
            "/metrics/per_class/{}",
            label.replace('~', "~0").replace('/', "~1")
        );
        expect(r, &base, &[Object]);
        for key in ["precision", "recall", "f1"] {
            expect(r, &format!("{base}/{key}"), &[Number, Null]);
        }
        expect(r, &format!("{base}/support"), &[Integer]);
    }
    expect(r, "/metrics/confusion_matrix", &[Object]);
    let cm_labels = expect(r, "/metrics/confusion_matrix/labels", &[Array]);
    assert_eq!(cm_labels, &r["labels"]);
    let matrix = expect(r, "/metrics/confusion_matrix/matrix", &[Array])
        .as_array()
        .unwrap();
    assert_eq!(matrix.len(), labels.len());
    let mut total = 0;
    for row in matrix {
        let row = row.as_array().expect("matrix rows are arrays");
        assert_eq!(row.len(), labels.len());
        for cell in row {
            total += cell.as_u64().expect("matrix cells are integers");
        }
    }
    assert_eq!(Some(total), r["input"]["rows"].as_u64());
    for key in SCORE_METRICS {
        expect(r, &format!("/metrics/{key}"), &[Number, Null]);
    }
    expect(r, "/calibration", &[Object, Null]);
    expect(r, "/curves", &[Object, Null]);
    expect(r, "/thresholds", &[Object, Null]);
    if expect(r, "/latency", &[Object, Null]).is_object() {
        expect(r, "/latency/column", &[String]);
        expect(r, "/latency/rows", &[Integer]);
        expect(r, "/latency/missing", &[Integer]);
        for key in ["mean_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms"] {
            expect(r, &format!("/latency/{key}"), &[Number, Null]);
        }
    }
    if expect(r, "/estimated", &[Object, Null]).is_object() {
        check_estimated_contract(r);
    }
    for w in expect(r, "/warnings", &[Array]).as_array().unwrap() {
        assert!(w.is_string(), "warnings are strings: {w}");
    }
    expect(r, "/audit", &[Object]);
    for reason in [
        "missing_label",
        "missing_prediction",
        "invalid_score",
        "other",
    ] {
        expect(r, &format!("/audit/skipped/{reason}"), &[Integer]);
    }
    expect(r, "/audit/duplicates/rows_checked", &[Integer]);
    expect(r, "/audit/duplicates/duplicate_rows", &[Integer]);
    expect(r, "/audit/duplicates/exact", &[Bool]);
    expect(r, "/audit/duplicates/lines", &[Array]);
    expect(r, "/audit/ids", &[Object, Null]);
    if expect(r, "/audit/label_issues", &[Object, Null]).is_object() {
        expect(r, "/audit/label_issues/thresholds", &[Object]);
        expect(r, "/audit/label_issues/suspects", &[Integer]);
        expect(r, "/audit/label_issues/noise_rate", &[Number]);
        expect(r, "/audit/label_issues/rows", &[Array]);
        expect(r, "/audit/label_issues/all_listed", &[Bool]);
    }
    if expect(r, "/audit/recalibration", &[Object, Null]).is_object() {
        expect(r, "/audit/recalibration/method", &[String]);
        expect(r, "/audit/recalibration/params", &[Object]);
        for key in ["fit_rows", "eval_rows"] {
            expect(r, &format!("/audit/recalibration/{key}"), &[Integer]);
        }
        for key in ["ece_before", "ece_after"] {
            expect(r, &format!("/audit/recalibration/{key}"), &[Number]);
        }
        expect(r, "/audit/recalibration/exact", &[Bool]);
        expect(r, "/audit/recalibration/alternatives", &[Object]);
    }
    expect(r, "/checks", &[Array]);
    expect(r, "/findings", &[Array]);
    expect(r, "/gate", &[Object]);
    expect(r, "/gate/passed", &[Bool]);
    expect(r, "/gate/failures", &[Array]);
    assert_finite_numbers(r, "");
}

/// The report of `file`, after checking the run and that no NaN or infinity was printed.
fn json_report(file: &str) -> Value {
    let run = Test::new().args(&["eval", file, "--format", "json"]).run();
    run.success();
    for bad in ["NaN", "Infinity"] {
        assert!(
            !run.stdout.contains(bad),
            "{bad} in the JSON report of {file}"
        );
    }
    run.json()
}

#[test]
fn json_contract_latency() {
    use Kind::*;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "latency.csv",
        b"label,prediction,latency_ms\n1,1,12.5\n0,0,\n0,1,80\n",
    );
    let run = Test::new()
        .args(&[
            "eval",
            &file,
            "--format",
            "json",
            "--latency-col",
            "latency_ms",
        ])
        .run();
    run.success();
    let r = run.json();
    check_common_contract(&r);
    expect(&r, "/latency", &[Object]);
    assert_eq!(r["latency"]["rows"], 2);
    assert_eq!(r["latency"]["missing"], 1);
    expect(&r, "/latency/p95_ms", &[Number]);
    assert!(json_report("examples/binary.csv")["latency"].is_null());
}

#[test]
fn json_contract_weights() {
    use Kind::*;
    let run = Test::eval_json("fixtures/golden/weighted_multiclass.csv")
        .args(&["--weight-col", "weight"])
        .run();
    run.success();
    let r = run.json();
    check_common_contract(&r);
    assert_eq!(expect(&r, "/input/columns/weight", &[String]), "weight");
    expect(&r, "/input/total_weight", &[Number]);
    for row in expect(&r, "/metrics/confusion_matrix/weighted", &[Array])
        .as_array()
        .unwrap()
    {
        assert!(
            row.as_array().unwrap().iter().all(Value::is_number),
            "{row}"
        );
    }
    // Without weights the keys are absent, not null.
    let plain = json_report("examples/binary.csv");
    assert!(plain["input"]["columns"].get("weight").is_none());
    assert!(plain["input"].get("total_weight").is_none());
    assert!(plain["metrics"]["confusion_matrix"]
        .get("weighted")
        .is_none());
}

#[test]
fn json_contract_binary() {
    use Kind::*;
    let r = json_report("examples/binary.csv");
    check_common_contract(&r);
    assert_eq!(r["task"], "binary");
    expect(&r, "/pos_label", &[String]);
    assert_eq!(r["labels"], serde_json::json!(["0", "1"]));
    assert_eq!(r["input"]["rows"], 5000);
    assert_eq!(r["input"]["rows_skipped"], 0);
    assert_eq!(r["input"]["path"], "examples/binary.csv");
    assert_eq!(r["tool"]["version"], env!("CARGO_PKG_VERSION"));
    expect(&r, "/input/columns/prediction", &[String]);
    expect(&r, "/input/columns/score", &[String]);
    expect(&r, "/metrics/specificity", &[Number]);
    for key in SCORE_METRICS {
        expect(&r, &format!("/metrics/{key}"), &[Number]);
    }
    expect(&r, "/calibration", &[Object]);
    expect(&r, "/curves", &[Object]);
    expect(&r, "/curves/roc", &[Array, Object]);
    expect(&r, "/curves/pr", &[Array, Object]);
    expect(&r, "/thresholds", &[Object]);
    expect(&r, "/audit/label_issues", &[Object]);
    expect(&r, "/audit/recalibration", &[Object]);
    // Statistical checks run on every input; each entry keeps the contract's keys.
    for check in r["checks"].as_array().expect("checks is an array") {
        for key in ["id", "kind", "status", "message"] {
            assert!(check[key].is_string(), "check without {key}: {check}");
        }
    }
    assert_eq!(r["findings"], serde_json::json!([]));
    // Keys may be added to `gate`, never dropped.
    assert_eq!(r["gate"]["passed"], true);
    assert_eq!(r["gate"]["failures"], serde_json::json!([]));
}

#[test]
fn json_contract_segments_windows_and_their_audit() {
    use Kind::*;
    let run = Test::new()
        .args(&[
            "eval",
            "examples/binary.csv",
            "--format",
            "json",
            "--segment-col",
            "segment",
            "--time-col",
            "timestamp",
        ])
        .run();
    let r = run.report();
    check_common_contract(&r);
    let segments = expect(&r, "/segments/segment", &[Object])
        .as_object()
        .unwrap();
    assert!(!segments.is_empty());
    for value in segments.keys() {
        let at = format!("/segments/segment/{value}");
        expect(&r, &format!("{at}/rows"), &[Integer]);
        expect(&r, &format!("{at}/skipped"), &[Bool]);
        expect(&r, &format!("{at}/labels_missing"), &[Integer]);
        expect(&r, &format!("{at}/intervals"), &[Object]);
    }
    let windows = expect(&r, "/windows", &[Array]).as_array().unwrap();
    assert!(!windows.is_empty());
    for i in 0..windows.len() {
        for (key, kinds) in [
            ("start", &[String][..]),
            ("end", &[String]),
            ("rows", &[Integer]),
            ("accuracy", &[Number, Null]),
            ("f1", &[Number, Null]),
            ("roc_auc", &[Number, Null]),
            ("labels_missing", &[Integer]),
        ] {
            expect(&r, &format!("/windows/{i}/{key}"), kinds);
        }
    }
    expect(&r, "/audit/duplicates/segments/segment", &[Object]);
}

#[test]
fn json_contract_multiclass() {
    use Kind::*;
    let r = json_report("examples/multiclass.csv");
    check_common_contract(&r);
    assert_eq!(r["task"], "multiclass");
    expect(&r, "/pos_label", &[Null]);
    assert!(r["labels"].as_array().unwrap().len() > 2);
    let proba = expect(&r, "/input/columns/proba", &[Array]);
    assert_eq!(
        proba.as_array().unwrap().len(),
        r["labels"].as_array().unwrap().len()
    );
    expect(&r, "/input/columns/score", &[Null]);
    expect(&r, "/metrics/specificity", &[Null]);
    for key in SCORE_METRICS {
        expect(&r, &format!("/metrics/{key}"), &[Number]);
    }
    expect(&r, "/calibration", &[Object]);
    expect(&r, "/curves", &[Object]);
    // Multiclass curves are one-vs-rest per class; the pooled ones are null.
    expect(&r, "/curves/roc", &[Array, Object, Null]);
    expect(&r, "/curves/pr", &[Array, Object, Null]);
    let per_class = expect(&r, "/curves/per_class", &[Object]);
    assert_eq!(
        per_class.as_object().unwrap().len(),
        r["labels"].as_array().unwrap().len()
    );
    expect(&r, "/thresholds", &[Null]);
    assert_eq!(r["gate"]["passed"], true);
}

#[test]
fn json_contract_without_scores() {
    use Kind::*;
    let r = json_report(&fixture("labels_only.csv"));
    check_common_contract(&r);
    assert_eq!(r["task"], "binary");
    assert_eq!(r["input"]["rows"], 6);
    expect(&r, "/input/columns/score", &[Null]);
    expect(&r, "/metrics/specificity", &[Number]);
    for key in SCORE_METRICS {
        expect(&r, &format!("/metrics/{key}"), &[Null]);
    }
    expect(&r, "/calibration", &[Null]);
    expect(&r, "/curves", &[Null]);
    expect(&r, "/thresholds", &[Null]);
    expect(&r, "/audit/label_issues", &[Null]);
    expect(&r, "/audit/recalibration", &[Null]);
}

#[test]
fn json_contract_of_a_degenerate_input_has_no_nan() {
    // One class only: many ratios are 0/0. They must be null or a number, never NaN.
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "one_class.csv",
        b"label,prediction,score\n1,1,0.9\n1,1,0.8\n1,0,0.3\n",
    );
    let r = json_report(&path);
    check_common_contract(&r);
}

/// The keys of a finding are part of the contract: each finding of a run that raises some has
/// every one of them, with its type.
#[test]
fn json_contract_findings() {
    let run = Test::new()
        .args(&[
            "eval",
            "examples/collapse.csv",
            "--format",
            "json",
            "--time-col",
            "timestamp",
            "--reference",
            "examples/reference.csv",
        ])
        .run();
    run.no_panic();
    assert_eq!(run.status_code(), Some(1), "the collapse fails the gate");
    let r = run.json();
    let findings = r["findings"].as_array().expect("findings is an array");
    assert!(!findings.is_empty(), "the collapse raises findings");
    for f in findings {
        for key in ["code", "severity", "category", "title"] {
            assert!(f[key].is_string(), "finding without {key}: {f}");
        }
        assert!(["info", "warning", "error"].contains(&f["severity"].as_str().unwrap()));
        assert!(["data", "training", "deployment"].contains(&f["category"].as_str().unwrap()));
        assert!(f["confidence"].is_f64(), "{f}");
        let e = &f["evidence"];
        assert!(e["checks"].is_array() && e["because"].is_array(), "{f}");
        assert!(e["location"].is_object() && e["values"].is_object(), "{f}");
        assert!(f["remedies"].is_array() && !f["remedies"].as_array().unwrap().is_empty());
        assert!(f["fix"].is_object() && f["rows"].is_array(), "{f}");
    }
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes[0], "deployment.step_change", "{codes:?}");
}
