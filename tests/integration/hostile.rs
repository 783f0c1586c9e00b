//! The hostile-input matrix: one row per awkward input, each run through the built `mlguard eval`
//! binary with `--output`, asserting the exit code, the report (rows, warnings) or the one-line
//! error (`mlguard: error: FILE[:LINE]: what (hint)`), and that an error leaves no file behind.
//! Large and binary inputs are generated here into temporary directories.
//!
//! Crashes found by the fuzz targets (`fuzz/`) become rows of this matrix too.

use std::time::Duration;

use serde_json::Value;

use crate::support::{dir_entries, gzip, Test};

// ---------------------------------------------------------------------------------------------
// The matrix's vocabulary
// ---------------------------------------------------------------------------------------------

/// How a case's input is given.
enum Input {
    /// A file with this name and content.
    File(&'static str, fn() -> Vec<u8>),
    /// Standard input with this content.
    Stdin(fn() -> Vec<u8>),
    /// Standard input closed (file descriptor 0 not open).
    ClosedStdin,
    /// A directory.
    Directory,
    /// A file that cannot be opened (mode 000).
    Unreadable,
    /// A path where there is nothing.
    Missing,
}

/// Where an error must point.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Line {
    /// The file as a whole (no line).
    None,
    /// This line.
    At(u64),
    /// Some line (e.g. where damaged compressed data ran out).
    Some,
}

/// What a case must do.
enum Expect {
    /// Exit 0: a report of `rows` rows with a warning containing `warning`, if given.
    Report {
        rows: u64,
        warning: Option<&'static str>,
    },
    /// Exit 2: one error line at `line` whose description contains each of `what`.
    Error {
        line: Line,
        what: &'static [&'static str],
    },
}

use Expect::{Error, Report};

struct Case {
    input: Input,
    args: &'static [&'static str],
    expect: Expect,
}

// ---------------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------------

fn check(case: Case) {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let output = out_dir.join("report.json");
    let (path, shown) = match &case.input {
        Input::File(name, bytes) => {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes()).unwrap();
            (p.to_str().unwrap().to_string(), None)
        }
        Input::Stdin(_) | Input::ClosedStdin => ("-".to_string(), Some("<stdin>")),
        Input::Missing => {
            let p = dir.path().join("nowhere").join("predictions.csv");
            (p.to_str().unwrap().to_string(), None)
        }
        Input::Directory => {
            let p = dir.path().join("predictions.csv");
            std::fs::create_dir(&p).unwrap();
            (p.to_str().unwrap().to_string(), None)
        }
        Input::Unreadable => {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.path().join("secret.csv");
            std::fs::write(&p, small_csv()).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
            if std::fs::File::open(&p).is_ok() {
                eprintln!(
                    "skipped: a mode-000 file is still readable here (the tests run as root, \
                     whom file permissions do not stop), so there is no unreadable file to test"
                );
                return;
            }
            (p.to_str().unwrap().to_string(), None)
        }
    };
    let mut test = Test::new()
        .args(&["eval", &path])
        .args(case.args)
        // The matrix is about reading: the gate's verdict on these odd files (full of
        // duplicate rows) is not what it asserts.
        .args(&[
            "--format",
            "json",
            "--bootstrap",
            "0",
            "--fail-on",
            "never",
            "--output",
        ])
        .arg(&output)
        .timeout(Duration::from_secs(300));
    match &case.input {
        Input::Stdin(bytes) => test = test.stdin(&bytes()),
        Input::ClosedStdin => test = test.closed_stdin(),
        _ => {}
    }
    let r = test.run();
    let shown = shown.unwrap_or(&path);
    r.no_panic();
    assert!(r.stdout.is_empty(), "stdout with --output: {r:?}");
    match case.expect {
        Report { rows, warning } => {
            r.success();
            assert_eq!(dir_entries(&out_dir), ["report.json"], "exactly the report");
            let report: Value = serde_json::from_slice(&std::fs::read(&output).unwrap())
                .expect("the report is complete JSON");
            assert_eq!(report["input"]["rows"], rows, "rows");
            assert_eq!(report["input"]["columns"]["label"], "label", "label column");
            if let Some(w) = warning {
                let warnings = report["warnings"].as_array().unwrap();
                assert!(
                    warnings.iter().any(|x| x.as_str().unwrap().contains(w)),
                    "no warning containing {w:?}: {warnings:?}"
                );
            }
        }
        Error { line, what } => {
            let err = r.input_error(shown);
            assert_eq!(
                dir_entries(&out_dir),
                Vec::<String>::new(),
                "an error leaves no file behind"
            );
            assert!(!r.stderr.contains('\r'), "a CR on stderr: {r:?}");
            // Cells and header names are quoted cut, so even a 10 MB cell gives a short line.
            let len = r.stderr.trim_end_matches('\n').len();
            assert!(len < 4096, "an error line of {len} bytes: {r:?}");
            match line {
                Line::None => assert_eq!(err.line, None, "no line expected: {r:?}"),
                Line::At(n) => assert_eq!(err.line, Some(n), "line: {r:?}"),
                Line::Some => assert!(err.line.is_some(), "a line expected: {r:?}"),
            }
            for w in what {
                assert!(err.what.contains(w), "{w:?} not in {r:?}");
            }
        }
    }
}

macro_rules! matrix {
    ($($(#[$attr:meta])* $name:ident => $case:expr;)*) => {
        $( $(#[$attr])* #[test] fn $name() { check($case) } )*
    };
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

const SMALL: &str =
    "label,prediction,score\n0,0,0.1\n1,1,0.9\n1,0,0.4\n0,1,0.6\n1,1,0.8\n0,0,0.2\n";

fn small_csv() -> Vec<u8> {
    SMALL.as_bytes().to_vec()
}

fn with_bom(bytes: &[u8]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend_from_slice(bytes);
    out
}

fn small_jsonl() -> String {
    let mut out = String::new();
    for line in SMALL.lines().skip(1) {
        let v: Vec<&str> = line.split(',').collect();
        out.push_str(&format!(
            "{{\"label\": {}, \"prediction\": {}, \"score\": {}}}\n",
            v[0], v[1], v[2]
        ));
    }
    out
}

/// A file of `rows` rows that compresses to well over the part kept when truncating.
fn many_rows(rows: usize) -> Vec<u8> {
    let mut text = String::from("label,prediction,score\n");
    for i in 0..rows {
        let (l, p) = (i % 2, (i / 3) % 2);
        text.push_str(&format!("{l},{p},0.{:06}\n", (i * 7919) % 1_000_000));
    }
    text.into_bytes()
}

/// Deterministic pseudo-random bytes that start like no compressed stream.
fn garbage() -> Vec<u8> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut out: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    out[0] = b'x';
    out
}

/// `label,prediction` plus 99,998 other columns, three rows.
fn wide_file(first: &str) -> Vec<u8> {
    let mut text = format!("{first},prediction");
    for i in 0..99_998 {
        text.push_str(&format!(",c{i}"));
    }
    text.push('\n');
    for row in ["1,1", "0,0", "1,0"] {
        text.push_str(row);
        text.push_str(&",7".repeat(99_998));
        text.push('\n');
    }
    text.into_bytes()
}

const TEN_MB: usize = 10 << 20;

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

matrix! {
    utf8_bom_on_csv => Case {
        input: Input::File("bom.csv", || with_bom(SMALL.as_bytes())),
        args: &[],
        expect: Report { rows: 6, warning: None },
    };
    utf8_bom_on_tsv => Case {
        input: Input::File("bom.tsv", || with_bom(SMALL.replace(',', "\t").as_bytes())),
        args: &[],
        expect: Report { rows: 6, warning: None },
    };
    utf8_bom_on_jsonl => Case {
        input: Input::File("bom.jsonl", || with_bom(small_jsonl().as_bytes())),
        args: &[],
        expect: Report { rows: 6, warning: None },
    };
    utf8_bom_on_stdin => Case {
        input: Input::Stdin(|| with_bom(SMALL.as_bytes())),
        args: &[],
        expect: Report { rows: 6, warning: None },
    };
    crlf_line_ends => Case {
        input: Input::File("crlf.csv", || SMALL.replace('\n', "\r\n").into_bytes()),
        args: &[],
        expect: Report { rows: 6, warning: None },
    };
    crlf_line_ends_keep_line_numbers => Case {
        input: Input::File("crlf.csv", || {
            SMALL.replace("0.4", "oops").replace('\n', "\r\n").into_bytes()
        }),
        args: &[],
        expect: Error { line: Line::At(4), what: &["'oops'", "'score'"] },
    };
    quoted_fields_with_embedded_newlines => Case {
        input: Input::File("quoted.csv", || {
            b"note,label,prediction,score\n\"a\nb\",0,0,0.1\n\"c, \"\"d\"\"\ne\nf\",1,1,0.9\nx,1,0,0.4\n"
                .to_vec()
        }),
        args: &[],
        expect: Report { rows: 3, warning: None },
    };
    embedded_newlines_count_in_error_lines => Case {
        input: Input::File("quoted.csv", || {
            b"note,label,prediction,score\n\"a\nb\",0,0,0.1\n\"c\ne\nf\",1,1,0.9\nx,1,0,bad\n"
                .to_vec()
        }),
        args: &[],
        expect: Error { line: Line::At(7), what: &["'bad'"] },
    };

    embedded_newline_in_a_bad_cell_keeps_the_error_on_one_line => Case {
        input: Input::File("cell.csv", || {
            b"label,prediction,score\n0,0,0.1\n1,1,\"0.5\nx\"\n".to_vec()
        }),
        args: &[],
        expect: Error { line: Line::At(3), what: &["'score'", "not a number"] },
    };

    embedded_newline_in_a_header_name_keeps_the_error_on_one_line => Case {
        input: Input::File("header.csv", || b"\"lab\nel\",prediction\n0,0\n".to_vec()),
        args: &[],
        expect: Error { line: Line::At(1), what: &["no label column"] },
    };
    stray_quote_then_multiline_field_past_the_first_chunk => Case {
        input: Input::File("stray.csv", || {
            let mut text = String::from("label,prediction,note\n0,0,5\"\n");
            text.push_str(&"1,1,x\n".repeat(1_000_000));
            text.push_str("1,1,\"a\n1,1,b\"\n");
            text.push_str(&"0,0,y\n".repeat(500_000));
            text.into_bytes()
        }),
        args: &[],
        expect: Report { rows: 1_500_002, warning: None },
    };
    duplicate_header_names => Case {
        input: Input::File("dup.csv", || b"label,prediction,label\n0,0,1\n".to_vec()),
        args: &[],
        expect: Error { line: Line::At(1), what: &["duplicate", "'label'"] },
    };
    duplicate_header_names_after_trimming => Case {
        input: Input::File("dup.csv", || b"label,prediction, prediction \n0,0,1\n".to_vec()),
        args: &[],
        expect: Error { line: Line::At(1), what: &["duplicate", "'prediction'"] },
    };
    duplicate_keys_in_jsonl_are_one_column => Case {
        input: Input::File("dup.jsonl", || {
            b"{\"label\": 0, \"label\": 1, \"prediction\": 1}\n{\"label\": 0, \"prediction\": 0}\n"
                .to_vec()
        }),
        args: &[],
        expect: Report { rows: 2, warning: None },
    };
    ten_mb_field => Case {
        input: Input::File("wide_cell.csv", || {
            let mut text = String::from("label,prediction,note\n0,0,");
            text.push_str(&"x".repeat(TEN_MB));
            text.push_str("\n1,1,y\n");
            text.into_bytes()
        }),
        args: &[],
        expect: Report { rows: 2, warning: None },
    };
    record_longer_than_a_chunk_then_quoted_delimiters_to_the_end => Case {
        // The chunk holding the long record is read on to the end of the input, quotes
        // included: it must not be split as if it held none.
        input: Input::File("long_then_quoted.csv", || {
            let mut text = String::from("label,prediction,note\n0,0,");
            text.push_str(&"x".repeat(1_100_000));
            text.push('\n');
            text.push_str(&"1,1,\"a,b\"\n".repeat(1000));
            text.into_bytes()
        }),
        args: &[],
        expect: Report { rows: 1001, warning: None },
    };
    ten_mb_quoted_field_with_newlines_then_a_bad_row => Case {
        input: Input::File("wide_cell.csv", || {
            let mut text = String::from("label,prediction,note\n0,0,\"");
            text.push_str(&"abcdefghi\n".repeat(TEN_MB / 10));
            text.push_str("\"\n1,1,y\n1,,z\n");
            text.into_bytes()
        }),
        args: &[],
        // The quoted field spans lines 2 to 1,048,578; the empty prediction is two further on.
        expect: Error { line: Line::At(1_048_580), what: &["empty or missing prediction"] },
    };
    ten_mb_score_cell => Case {
        input: Input::File("wide_score.csv", || {
            let mut text = String::from("label,prediction,score\n0,0,0.1\n1,1,0.");
            text.push_str(&"5".repeat(TEN_MB));
            text.push('\n');
            text.into_bytes()
        }),
        args: &[],
        expect: Report { rows: 2, warning: None },
    };
    ten_mb_bad_score_cell => Case {
        input: Input::File("wide_bad_score.csv", || {
            let mut text = String::from("label,prediction,score\n0,0,0.1\n1,1,x");
            text.push_str(&"5".repeat(TEN_MB));
            text.push('\n');
            text.into_bytes()
        }),
        args: &[],
        expect: Error { line: Line::At(3), what: &["is not a number", "bytes)"] },
    };
    hundred_thousand_columns => Case {
        input: Input::File("wide.csv", || wide_file("label")),
        args: &[],
        expect: Report { rows: 3, warning: None },
    };
    hundred_thousand_columns_without_a_label => Case {
        input: Input::File("wide.csv", || wide_file("truth_value")),
        args: &[],
        expect: Error { line: Line::At(1), what: &["no label column"] },
    };
    truncated_gzip => Case {
        input: Input::File("cut.csv.gz", || {
            let gz = gzip(&many_rows(20_000));
            gz[..gz.len() / 2].to_vec()
        }),
        args: &[],
        expect: Error { line: Line::Some, what: &["gzip", "truncated"] },
    };
    truncated_zstd => Case {
        input: Input::File("cut.csv.zst", || {
            let zst = zstd::encode_all(&many_rows(20_000)[..], 3).unwrap();
            zst[..zst.len() / 2].to_vec()
        }),
        args: &[],
        expect: Error { line: Line::Some, what: &["zstd", "truncated"] },
    };
    truncated_gzip_on_stdin => Case {
        input: Input::Stdin(|| {
            let gz = gzip(&many_rows(20_000));
            gz[..gz.len() / 2].to_vec()
        }),
        args: &[],
        expect: Error { line: Line::Some, what: &["gzip"] },
    };
    gzip_with_trailing_garbage => Case {
        input: Input::File("tail.csv.gz", || {
            let mut gz = gzip(SMALL.as_bytes());
            gz.extend_from_slice(b"not gzip at all");
            gz
        }),
        args: &[],
        expect: Error { line: Line::Some, what: &["gzip"] },
    };
    gz_extension_on_plain_text => Case {
        input: Input::File("plain.csv.gz", small_csv),
        args: &[],
        expect: Report { rows: 6, warning: Some("gzip") },
    };
    zst_extension_on_plain_text => Case {
        input: Input::File("plain.csv.zst", small_csv),
        args: &[],
        expect: Report { rows: 6, warning: Some("zstd") },
    };
    binary_garbage => Case {
        input: Input::File("garbage.csv", garbage),
        args: &[],
        expect: Error { line: Line::Some, what: &[] },
    };
    binary_garbage_behind_a_gzip_magic_number => Case {
        input: Input::File("garbage.gz", || {
            let mut bytes = vec![0x1f, 0x8b];
            bytes.extend(garbage());
            bytes
        }),
        args: &[],
        expect: Error { line: Line::Some, what: &["gzip"] },
    };
    binary_garbage_on_stdin => Case {
        input: Input::Stdin(garbage),
        args: &[],
        expect: Error { line: Line::Some, what: &[] },
    };
    a_directory => Case {
        input: Input::Directory,
        args: &[],
        expect: Error { line: Line::None, what: &["directory"] },
    };
    an_unreadable_file => Case {
        input: Input::Unreadable,
        args: &[],
        expect: Error { line: Line::None, what: &["cannot open"] },
    };
    a_missing_file => Case {
        input: Input::Missing,
        args: &[],
        expect: Error { line: Line::None, what: &["cannot open"] },
    };
    closed_stdin => Case {
        input: Input::ClosedStdin,
        args: &[],
        expect: Error { line: Line::At(1), what: &["empty"] },
    };
    empty_stdin => Case {
        input: Input::Stdin(Vec::new),
        args: &[],
        expect: Error { line: Line::At(1), what: &["empty"] },
    };
    latin1_label => Case {
        input: Input::File("latin1.csv", || b"label,prediction\ncaf,caf\ncaf\xe9,caf\n".to_vec()),
        args: &["--pos-label", "caf"],
        expect: Error { line: Line::At(3), what: &["UTF-8", "'label'"] },
    };
    latin1_header => Case {
        input: Input::File("latin1.csv", || b"label,pr\xe9diction\n0,0\n".to_vec()),
        args: &[],
        expect: Error { line: Line::At(1), what: &["UTF-8"] },
    };
    latin1_in_jsonl => Case {
        input: Input::File("latin1.jsonl", || {
            b"{\"label\": 0, \"prediction\": 0}\n{\"label\": \"caf\xe9\", \"prediction\": 0}\n"
                .to_vec()
        }),
        args: &[],
        expect: Error { line: Line::At(2), what: &[] },
    };
    inf_score => Case {
        input: Input::File("inf.csv", || SMALL.replace("0.4", "inf").into_bytes()),
        args: &[],
        expect: Error { line: Line::At(4), what: &["'inf'", "finite"] },
    };
    score_that_overflows_to_inf => Case {
        input: Input::File("inf.csv", || SMALL.replace("0.4", "1e309").into_bytes()),
        args: &[],
        expect: Error { line: Line::At(4), what: &["'1e309'", "finite"] },
    };
    inf_probability => Case {
        input: Input::File("inf.csv", || {
            b"label,proba_a,proba_b,proba_c\na,0.5,0.3,0.2\nb,0.1,-inf,0.2\n".to_vec()
        }),
        args: &[],
        expect: Error { line: Line::At(3), what: &["'-inf'", "'proba_b'"] },
    };
    inf_as_a_label_is_a_class_name => Case {
        input: Input::File("inf.csv", || {
            b"label,prediction\ninf,inf\n-inf,inf\ninf,-inf\n".to_vec()
        }),
        args: &["--pos-label", "inf"],
        expect: Report { rows: 3, warning: None },
    };
    negative_score => Case {
        input: Input::File("neg.csv", || SMALL.replace("0.4", "-0.4").into_bytes()),
        args: &[],
        expect: Error { line: Line::At(4), what: &["-0.4", "outside [0, 1]"] },
    };
    negative_zero_score_is_zero => Case {
        input: Input::File("neg.csv", || SMALL.replace("0.4", "-0.0").into_bytes()),
        args: &[],
        expect: Report { rows: 6, warning: None },
    };
    negative_scores_as_logits => Case {
        input: Input::File("neg.csv", || SMALL.replace("0.4", "-3.5").into_bytes()),
        args: &["--scores-are-logits"],
        expect: Report { rows: 6, warning: None },
    };
    probability_columns_naming_classes_that_never_occur => Case {
        input: Input::File("proba.csv", || {
            b"label,proba_a,proba_b,proba_c,proba_d\na,0.6,0.2,0.1,0.1\nb,0.2,0.6,0.1,0.1\n\
              a,0.4,0.5,0.05,0.05\n"
                .to_vec()
        }),
        args: &[],
        expect: Report { rows: 3, warning: Some("never occur") },
    };
    a_label_without_a_probability_column => Case {
        input: Input::File("proba.csv", || {
            b"label,proba_a,proba_b,proba_c\na,0.6,0.3,0.1\nd,0.2,0.6,0.2\n".to_vec()
        }),
        args: &[],
        expect: Error { line: Line::At(3), what: &["'d'", "no probability column"] },
    };
    cyrillic_header_name => Case {
        input: Input::File("cyrillic.csv", || "label,prediction,метка\n0,0,x\n1,1,y\n".into()),
        args: &[],
        expect: Report { rows: 2, warning: None },
    };

    cjk_header_name => Case {
        input: Input::File("cjk.csv", || "label,prediction,予測\n0,0,x\n1,1,y\n".into()),
        args: &[],
        expect: Report { rows: 2, warning: None },
    };

    fuzz_csv_crash_ef485a12_bom_inside_a_header_name => Case {
        input: Input::File("crash.csv", || {
            CSV_CRASH.to_vec()
        }),
        args: &[],
        expect: Error { line: Line::At(2), what: &["3 fields", "header has 5"] },
    };

    fuzz_tsv_crash_2acf164f_astral_character_in_a_header_name => Case {
        input: Input::File("crash.tsv", || TSV_CRASH.to_vec()),
        args: &[],
        expect: Error { line: Line::At(2), what: &["5 fields", "header has 4"] },
    };

    fuzz_jsonl_crash_7d381f07_two_byte_character_in_a_key => Case {
        input: Input::File("crash.jsonl", || JSONL_CRASH.to_vec()),
        args: &[],
        expect: Error { line: Line::At(2), what: &["not a JSON object"] },
    };

    fuzz_csv_crash_786305cc_carriage_return_in_a_header_name => Case {
        input: Input::File("crash.csv", || CSV_CR_CRASH.to_vec()),
        args: &[],
        expect: Error { line: Line::At(1), what: &["no prediction"] },
    };
}

/// Found by `fuzz/fuzz_targets/csv.rs` (artifact crash-ef485a12…): a BOM inside a header name.
const CSV_CRASH: &[u8] = b"target,pred,p_0\xef\xbb\xbflabel,predi,score\r\n0,0,0.2\r\n0,1,0.8\r\n1,0,0.3\r\n[[[[[[[[[[[[[[1,2,02,0.7,0.1,b\n\x1b02,0.7,0.1,b\n\x1b";

/// Found by `fuzz/fuzz_targets/tsv.rs` (artifact crash-2acf164f…): U+10C698 in a header name.
const TSV_CRASH: &[u8] = b"id\xf4\x8c\x9a\x98ment\tlabel\tprediction\tscore\n1\tweb5\x00\x00\t0\t0\t0.11\n2\tweb\t1\t1\t0\xbf9417\n3\tapp\t1\t0\t0.4\n4\tapp\t0\t1\t0.6\n5\t\t1\t1\t1\n6\twEb\t0\t0\t0\n";

/// Found by `fuzz/fuzz_targets/jsonl.rs` (artifact crash-7d381f07…): `Ġ` in a key.
const JSONL_CRASH: &[u8] = b"{\"label\": \"cat\", \"prob\xc4\xa0cat\": 0.7, \"proba_roba_l\": 0, \"epdriction\": 0, \"score\": 0.11}\n{*id\": 2, \"segm;{\"nt\"{\"id\": 1, \"e\"\xff\xff\xff\xff\xffs\xff, egmen\"t\": ";

/// Found by `fuzz/fuzz_targets/csv.rs` (artifact crash-786305cc…): a bare `\r` in a header name
/// makes the error message two lines on a terminal.
const CSV_CR_CRASH: &[u8] = b"\xef\xbb\xbflabel,predi,src0o\re\n,0,0.2\r\n0,1,0.8\r\n1,0,0.3\r\n";
