//! Integration tests of the `mlguard` command line: exit codes, the one-line error contract
//! (`mlguard: error: FILE[:LINE]: what (hint)`), tolerated input oddities, `--output`, broken
//! pipes, `--help` and the JSON report contract.
//!
//! Text fixtures live in `fixtures/cli/`; binary inputs (compressed, truncated, Latin-1, garbage,
//! BOM, CRLF) are generated into a temporary directory by the tests themselves.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use clap::CommandFactory;
use mlguard::cli::Cli;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// What a run of the binary produced.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The report on stdout, parsed as JSON.
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs the built binary with `args` (and `stdin`, if any) from the package root.
fn run_with(args: &[&str], stdin: Option<&[u8]>, envs: &[(&str, &str)]) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("mlguard").expect("the mlguard binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    // Without input, assert_cmd gives the child an empty, closed stdin.
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes.to_vec());
    }
    let out = cmd.output().expect("mlguard runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `mlguard ARGS…`.
fn mlguard(args: &[&str]) -> Run {
    run_with(args, None, &[])
}

/// `mlguard eval FILE ARGS…`.
fn eval(file: &str, args: &[&str]) -> Run {
    let mut all = vec!["eval", file];
    all.extend_from_slice(args);
    mlguard(&all)
}

/// `mlguard eval - ARGS… < STDIN`.
fn eval_stdin(stdin: &[u8], args: &[&str]) -> Run {
    let mut all = vec!["eval", "-"];
    all.extend_from_slice(args);
    run_with(&all, Some(stdin), &[])
}

fn assert_no_panic(run: &Run) {
    for text in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(
            !run.stderr.contains(text) && !run.stdout.contains(text),
            "panic text {text:?} in the output: {run:#?}"
        );
    }
}

/// A run that succeeded: exit 0, no panic, and nothing on stderr.
fn assert_ok(run: &Run) {
    assert_no_panic(run);
    assert_eq!(run.code, Some(0), "expected exit 0: {run:#?}");
    assert!(run.stderr.is_empty(), "expected empty stderr: {run:#?}");
}

/// The parts of a `mlguard: error: FILE[:LINE]: what (hint)` line.
#[derive(Debug)]
struct ErrorLine {
    line: Option<u64>,
    what: String,
    hint: String,
}

/// Index of the `(` that matches the `)` ending `s`.
fn final_paren_group(s: &str) -> Option<usize> {
    if !s.ends_with(')') {
        return None;
    }
    let mut depth = 0i32;
    for (i, c) in s.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Asserts the generic one-line usage-error contract: exit 2, empty stdout, no panic, exactly one
/// line on stderr starting with `mlguard: error: `. Returns the message after that prefix.
fn assert_one_line_error(run: &Run) -> String {
    assert_no_panic(run);
    assert_eq!(run.code, Some(2), "expected exit 2: {run:#?}");
    assert!(run.stdout.is_empty(), "expected empty stdout: {run:#?}");
    assert!(
        run.stderr.ends_with('\n') && run.stderr.matches('\n').count() == 1,
        "expected exactly one line on stderr: {run:#?}"
    );
    let line = run.stderr.trim_end_matches('\n');
    line.strip_prefix("mlguard: error: ")
        .unwrap_or_else(|| panic!("stderr does not start with 'mlguard: error: ': {line:?}"))
        .to_string()
}

/// Asserts the input-error contract for `file` and returns the parsed line.
///
/// The single stderr line must read `mlguard: error: FILE:LINE: what (hint)` or, for file-level
/// errors, `mlguard: error: FILE: what (hint)`.
fn assert_input_error(run: &Run, file: &str) -> ErrorLine {
    let msg = assert_one_line_error(run);
    let rest = msg
        .strip_prefix(file)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or_else(|| panic!("error does not start with '{file}:': {msg:?}"));
    let (line, rest) = match rest.split_once(": ") {
        Some((n, r)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (Some(n.parse::<u64>().unwrap()), r)
        }
        _ => (
            None,
            rest.strip_prefix(' ')
                .unwrap_or_else(|| panic!("no ': ' after the file name: {msg:?}")),
        ),
    };
    let open = final_paren_group(rest)
        .unwrap_or_else(|| panic!("message does not end with a '(hint)': {msg:?}"));
    let what = rest[..open].trim_end().to_string();
    let hint = rest[open + 1..rest.len() - 1].to_string();
    assert!(!what.is_empty(), "empty description: {msg:?}");
    assert!(!hint.trim().is_empty(), "empty hint: {msg:?}");
    ErrorLine { line, what, hint }
}

/// Runs `mlguard eval FILE ARGS…` expecting an input error at `line` (None: file-level).
fn expect_input_error(file: &str, args: &[&str], line: Option<u64>) -> ErrorLine {
    let run = eval(file, args);
    let err = assert_input_error(&run, file);
    assert_eq!(err.line, line, "wrong line number in {:?}", run.stderr);
    err
}

fn fixture(name: &str) -> String {
    format!("fixtures/cli/{name}")
}

fn manifest_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read_manifest(rel: &str) -> Vec<u8> {
    std::fs::read(manifest_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Writes `bytes` to `dir/name` and returns the path as a string.
fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().expect("temp paths are UTF-8").to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn zstd_compress(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// `examples/binary.csv` as TSV (it has no quoted fields).
fn binary_as_tsv() -> Vec<u8> {
    let csv = String::from_utf8(read_manifest("examples/binary.csv")).unwrap();
    assert!(!csv.contains('"') && !csv.contains('\t'));
    csv.replace(',', "\t").into_bytes()
}

/// `examples/binary.csv` as JSON Lines: role columns as JSON numbers, the others as strings.
fn binary_as_jsonl() -> Vec<u8> {
    let csv = String::from_utf8(read_manifest("examples/binary.csv")).unwrap();
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
    let run = eval("examples/binary.csv", &["--format", "json"]);
    assert_ok(&run);
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
    let run = eval("examples/binary.csv", &[]);
    assert_ok(&run);
    assert!(run.stdout.contains("accuracy"), "{}", run.stdout);
    assert!(run.stdout.contains("Verdict: PASS"), "{}", run.stdout);
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
    let path = write_temp(&dir, "binary.tsv", &binary_as_tsv());
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    assert_same_metrics(&run.json(), &binary_csv_report(), "tsv");
}

#[test]
fn tsv_content_is_sniffed_without_an_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "binary.txt", &binary_as_tsv());
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    assert_same_metrics(&run.json(), &binary_csv_report(), "sniffed tsv");
}

#[test]
fn jsonl_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "binary.jsonl", &binary_as_jsonl());
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    assert_same_metrics(&run.json(), &binary_csv_report(), "jsonl");
}

#[test]
fn gzip_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&read_manifest("examples/binary.csv"));
    let path = write_temp(&dir, "binary.csv.gz", &gz);
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    let report = run.json();
    assert_same_metrics(&report, &binary_csv_report(), "gzip");
    assert_eq!(warnings(&report), Vec::<String>::new());
}

#[test]
fn zstd_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let zst = zstd_compress(&read_manifest("examples/binary.csv"));
    let path = write_temp(&dir, "binary.csv.zst", &zst);
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    let report = run.json();
    assert_same_metrics(&report, &binary_csv_report(), "zstd");
    assert_eq!(warnings(&report), Vec::<String>::new());
}

#[test]
fn gzip_jsonl_gives_the_same_metrics_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "binary.jsonl.gz", &gzip(&binary_as_jsonl()));
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    assert_same_metrics(&run.json(), &binary_csv_report(), "jsonl.gz");
}

#[test]
fn csv_on_stdin_gives_the_same_metrics_as_csv() {
    let run = eval_stdin(&read_manifest("examples/binary.csv"), &["--format", "json"]);
    assert_ok(&run);
    let report = run.json();
    assert_same_metrics(&report, &binary_csv_report(), "stdin csv");
    assert_eq!(report["input"]["path"], "-");
}

#[test]
fn jsonl_on_stdin_with_input_format_gives_the_same_metrics_as_csv() {
    let run = eval_stdin(
        &binary_as_jsonl(),
        &["--input-format", "jsonl", "--format", "json"],
    );
    assert_ok(&run);
    assert_same_metrics(&run.json(), &binary_csv_report(), "stdin jsonl");
}

#[test]
fn gzip_on_stdin_gives_the_same_metrics_as_csv() {
    let run = eval_stdin(
        &gzip(&read_manifest("examples/binary.csv")),
        &["--format", "json"],
    );
    assert_ok(&run);
    assert_same_metrics(&run.json(), &binary_csv_report(), "stdin gzip");
}

#[test]
fn multiclass_example_text_report() {
    let run = eval("examples/multiclass.csv", &[]);
    assert_ok(&run);
    assert!(run.stdout.contains("accuracy"), "{}", run.stdout);
    assert!(run.stdout.contains("Verdict: PASS"), "{}", run.stdout);
}

#[test]
fn string_labels_with_pos_label_succeed() {
    let run = eval(
        &fixture("cat_dog.csv"),
        &["--pos-label", "dog", "--format", "json"],
    );
    assert_ok(&run);
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
    let run = eval(&file, &[]);
    let err = assert_input_error(&run, &file);
    assert!(matches!(err.line, None | Some(1)), "{err:?}");
    assert!(err.what.contains("empty"), "{err:?}");
}

#[test]
fn error_empty_file_on_stdin() {
    let run = eval_stdin(b"", &[]);
    let err = assert_input_error(&run, "<stdin>");
    assert!(err.what.contains("empty"), "{err:?}");
}

#[test]
fn error_header_only() {
    let file = fixture("header_only.csv");
    let run = eval(&file, &[]);
    let err = assert_input_error(&run, &file);
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
    let run = eval(
        &fixture("two_labels.csv"),
        &["--label-col", "y_true", "--format", "json"],
    );
    assert_ok(&run);
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
fn error_empty_label() {
    let err = expect_input_error(&fixture("empty_label.csv"), &[], Some(4));
    assert!(
        err.what.contains("missing label") && err.what.contains("'label'"),
        "{err:?}"
    );
    assert!(err.hint.contains("--skip-invalid"), "{err:?}");
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
    let run = eval(&fixture("score_above_one.csv"), &["--scores-are-logits"]);
    assert_ok(&run);
}

#[test]
fn error_latin1_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(
        &dir,
        "latin1.csv",
        b"id,label,prediction\n1,caf,caf\n2,caf\xe9,caf\n3,caf,caf\n",
    );
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
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
    let path = write_temp(
        &dir,
        "latin1.csv",
        b"id,l\xe9bel,label,prediction\n1,x,0,0\n",
    );
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
    assert_eq!(err.line, Some(1), "{err:?}");
    assert!(err.what.contains("UTF-8"), "{err:?}");
}

#[test]
fn error_truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&read_manifest("examples/binary.csv"));
    let path = write_temp(&dir, "binary.csv.gz", &gz[..gz.len() / 2]);
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
    assert!(err.what.contains("gzip"), "{err:?}");
    assert!(err.what.contains("truncated"), "{err:?}");
}

#[test]
fn error_gzip_missing_only_its_trailer() {
    // All the data is there; only the CRC and length trailer are cut off.
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&read_manifest("examples/binary.csv"));
    let path = write_temp(&dir, "binary.csv.gz", &gz[..gz.len() - 4]);
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
    assert!(err.what.contains("gzip"), "{err:?}");
}

#[test]
fn error_truncated_zstd() {
    let dir = tempfile::tempdir().unwrap();
    let zst = zstd_compress(&read_manifest("examples/binary.csv"));
    let path = write_temp(&dir, "binary.csv.zst", &zst[..zst.len() / 2]);
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
    assert!(err.what.contains("zstd"), "{err:?}");
    assert!(err.what.contains("truncated"), "{err:?}");
}

#[test]
fn error_truncated_gzip_on_stdin() {
    let gz = gzip(&read_manifest("examples/binary.csv"));
    let run = eval_stdin(&gz[..gz.len() / 2], &[]);
    let err = assert_input_error(&run, "<stdin>");
    assert!(err.what.contains("gzip"), "{err:?}");
}

#[test]
fn error_binary_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = garbage(8192, 7);
    bytes[0] = b'x'; // not a gzip or zstd magic number
    let path = write_temp(&dir, "garbage.csv", &bytes);
    let run = eval(&path, &[]);
    assert_input_error(&run, &path);
}

#[test]
fn error_binary_garbage_without_extension() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = garbage(8192, 42);
    bytes[0] = b'x';
    let path = write_temp(&dir, "garbage.bin", &bytes);
    let run = eval(&path, &[]);
    assert_input_error(&run, &path);
}

#[test]
fn error_gzip_magic_followed_by_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0x1f, 0x8b];
    bytes.extend(garbage(4096, 3));
    let path = write_temp(&dir, "garbage.csv.gz", &bytes);
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
    assert!(err.what.contains("gzip"), "{err:?}");
}

#[test]
fn error_zstd_magic_followed_by_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0x28, 0xb5, 0x2f, 0xfd];
    bytes.extend(garbage(4096, 5));
    let path = write_temp(&dir, "garbage.csv.zst", &bytes);
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
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
    let path = write_temp(
        &dir,
        "bad.jsonl",
        b"{\"label\": 0, \"prediction\": 0}\n{\"label\": 1, \"prediction\": 1}\n[1, 2]\n",
    );
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
    assert_eq!(err.line, Some(3), "{err:?}");
}

#[test]
fn error_on_stdin_names_stdin_and_the_line() {
    let run = eval_stdin(&read_manifest(&fixture("score_nan.csv")), &[]);
    let err = assert_input_error(&run, "<stdin>");
    assert_eq!(err.line, Some(4), "{err:?}");
}

#[test]
fn error_line_numbers_count_embedded_newlines() {
    let err = expect_input_error(&fixture("embedded_newlines_bad_row.csv"), &[], Some(9));
    assert!(err.what.contains("'oops'"), "{err:?}");
}

#[test]

fn error_negative_beta() {
    let run = eval(&fixture("small.csv"), &["--beta", "-1"]);
    let msg = assert_one_line_error(&run);
    assert!(msg.contains("--beta"), "{msg}");
}

#[test]
fn error_negative_beta_with_equals() {
    let run = eval(&fixture("small.csv"), &["--beta=-1"]);
    let msg = assert_one_line_error(&run);
    assert!(msg.contains("--beta"), "{msg}");
}

#[test]

fn error_unparsable_flag_value() {
    let run = eval(&fixture("small.csv"), &["--threshold", "abc"]);
    let msg = assert_one_line_error(&run);
    assert!(msg.contains("--threshold"), "{msg}");
}

#[test]
fn error_threshold_above_one() {
    let run = eval(&fixture("small.csv"), &["--threshold", "2"]);
    let msg = assert_one_line_error(&run);
    assert!(msg.contains("--threshold"), "{msg}");
}

#[test]
fn error_bad_delimiter() {
    let run = eval(&fixture("small.csv"), &["--delimiter", ";;"]);
    let msg = assert_one_line_error(&run);
    assert!(msg.contains("--delimiter"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// 3. --skip-invalid
// ---------------------------------------------------------------------------------------------

#[test]
fn skip_invalid_skips_and_counts_bad_rows() {
    let file = fixture("skip_invalid.csv");
    let run = eval(&file, &["--skip-invalid", "--format", "json"]);
    // 2 of 8 rows skipped is beyond the 10% at which data:missing fails the gate.
    assert_no_panic(&run);
    assert_eq!(run.code, Some(1), "{run:#?}");
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
    let ws = warnings(&report);
    assert!(
        ws.iter()
            .any(|w| w.contains('3') && w.contains('6') && w.contains("skipped")),
        "a warning names lines 3 and 6: {ws:?}"
    );
    assert!(
        ws.iter().any(|w| w.contains("3, 6")),
        "line numbers listed: {ws:?}"
    );
}

#[test]
fn skip_invalid_warning_in_text_report() {
    let run = eval(
        &fixture("skip_invalid.csv"),
        &["--skip-invalid", "--fail-on", "never"],
    );
    assert_ok(&run);
    assert!(run.stdout.contains("Diagnosis"), "{}", run.stdout);
    assert!(
        run.stdout.contains("3, 6"),
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
    let run = eval(&fixture("small.csv"), &["--format", "json"]);
    assert_ok(&run);
    run.json()
}

#[test]
fn utf8_bom_on_the_header_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(read_manifest(&fixture("small.csv")));
    let path = write_temp(&dir, "bom.csv", &bytes);
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 8);
    assert_eq!(report["input"]["columns"]["label"], "label");
    assert_same_metrics(&report, &small_report(), "bom");
}

#[test]
fn utf8_bom_on_a_label_first_header_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(read_manifest(&fixture("labels_only.csv")));
    let path = write_temp(&dir, "bom.csv", &bytes);
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 6);
    assert_eq!(report["input"]["columns"]["label"], "label");
}

#[test]
fn utf8_bom_on_jsonl_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(binary_as_jsonl());
    let path = write_temp(&dir, "bom.jsonl", &bytes);
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    assert_same_metrics(&run.json(), &binary_csv_report(), "jsonl with bom");
}

#[test]
fn crlf_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(read_manifest(&fixture("small.csv"))).unwrap();
    let path = write_temp(&dir, "crlf.csv", text.replace('\n', "\r\n").as_bytes());
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 8);
    assert_eq!(report["labels"], serde_json::json!(["0", "1"]));
    assert_same_metrics(&report, &small_report(), "crlf");
}

#[test]

fn crlf_line_endings_keep_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(read_manifest(&fixture("score_nan.csv"))).unwrap();
    let path = write_temp(&dir, "crlf.csv", text.replace('\n', "\r\n").as_bytes());
    let run = eval(&path, &[]);
    let err = assert_input_error(&run, &path);
    assert_eq!(err.line, Some(4), "{err:?}");
}

#[test]
fn quoted_fields_with_embedded_newlines() {
    let run = eval(&fixture("embedded_newlines.csv"), &["--format", "json"]);
    assert_ok(&run);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 4);
    assert_eq!(report["input"]["rows_skipped"], 0);
}

#[test]
fn gz_name_on_plain_text_works_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "small.csv.gz", &read_manifest(&fixture("small.csv")));
    let run = eval(&path, &["--format", "json"]);
    assert_ok(&run);
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

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let out_s = out.to_str().unwrap();
    let run = eval(
        "examples/binary.csv",
        &["--format", "json", "--output", out_s],
    );
    assert_ok(&run);
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
    let out = write_temp(&dir, "report.txt", b"old contents\n");
    let run = eval(&fixture("small.csv"), &["-o", &out]);
    assert_ok(&run);
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
    let run = eval(
        &file,
        &["--format", "json", "--output", out.to_str().unwrap()],
    );
    let err = assert_input_error(&run, &file);
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
    let out = write_temp(&dir, "report.json", b"previous report\n");
    let file = fixture("empty_label.csv");
    let run = eval(&file, &["--output", &out]);
    assert_input_error(&run, &file);
    assert_eq!(std::fs::read(&out).unwrap(), b"previous report\n");
    assert_eq!(dir_entries(dir.path()), ["report.json"]);
}

#[test]
fn output_over_the_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let original = read_manifest(&fixture("small.csv"));
    let input = write_temp(&dir, "small.csv", &original);
    let run = eval(&input, &["--output", &input]);
    let err = assert_input_error(&run, &input);
    assert_eq!(err.line, None);
    assert!(err.what.contains("input"), "{err:?}");
    assert!(err.hint.contains("--output"), "{err:?}");
    assert_eq!(std::fs::read(&input).unwrap(), original, "input unchanged");
    assert_eq!(dir_entries(dir.path()), ["small.csv"]);
}

#[test]
fn output_over_the_input_by_another_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let original = read_manifest(&fixture("small.csv"));
    let input = write_temp(&dir, "small.csv", &original);
    let other_name = dir.path().join(".").join("small.csv");
    let run = eval(&input, &["--output", other_name.to_str().unwrap()]);
    assert_one_line_error(&run);
    assert_eq!(std::fs::read(&input).unwrap(), original, "input unchanged");
}

#[test]
fn output_into_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no-such-dir").join("report.json");
    let out_s = out.to_str().unwrap();
    let run = eval(&fixture("small.csv"), &["--output", out_s]);
    let err = assert_input_error(&run, out_s);
    assert_eq!(err.line, None);
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------------------------
// 6. Broken pipe
// ---------------------------------------------------------------------------------------------

#[test]
fn broken_pipe_exits_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mlguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["eval", "examples/binary.csv", "--format", "json"])
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
        bin = env!("CARGO_BIN_EXE_mlguard"),
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
    let run = run_with(args, None, envs);
    assert_ok(&run);
    for line in run.stdout.lines() {
        assert!(
            line.chars().count() <= 100,
            "{args:?}: help line longer than 100 columns ({}): {line:?}",
            line.chars().count()
        );
    }
    assert!(run.stdout.contains("Exit codes"), "{}", run.stdout);
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
fn check_common_contract(r: &Value) {
    use Kind::*;
    assert_eq!(expect(r, "/schema_version", &[Integer]), 1);
    expect(r, "/tool", &[Object]);
    assert_eq!(expect(r, "/tool/name", &[String]), "mlguard");
    expect(r, "/tool/version", &[String]);
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
    let run = eval(file, &["--format", "json"]);
    assert_ok(&run);
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
    let file = write_temp(
        &dir,
        "latency.csv",
        b"label,prediction,latency_ms\n1,1,12.5\n0,0,\n0,1,80\n",
    );
    let run = eval(&file, &["--format", "json", "--latency-col", "latency_ms"]);
    assert_ok(&run);
    let r = run.json();
    check_common_contract(&r);
    expect(&r, "/latency", &[Object]);
    assert_eq!(r["latency"]["rows"], 2);
    assert_eq!(r["latency"]["missing"], 1);
    expect(&r, "/latency/p95_ms", &[Number]);
    assert!(json_report("examples/binary.csv")["latency"].is_null());
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
    let path = write_temp(
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
    let run = eval(
        "examples/collapse.csv",
        &[
            "--format",
            "json",
            "--time-col",
            "timestamp",
            "--reference",
            "examples/reference.csv",
        ],
    );
    assert_no_panic(&run);
    assert_eq!(run.code, Some(1), "the collapse fails the gate");
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
