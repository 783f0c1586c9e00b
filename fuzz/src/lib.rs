//! The bodies of mlguard's fuzz targets, shared by the libFuzzer targets and the libFuzzer-free
//! [`standalone`] runner.
//!
//! Each body writes the input to a scratch file and runs exactly what `mlguard eval FILE` runs:
//! arguments parsed by [`Cli`], settings resolved by [`EvalSettings::from_args`], the report
//! built by [`evaluate`] and rendered in every format. An error is a fine outcome; a panic,
//! an empty error message, or a report whose metrics leave their ranges (or are NaN), whose
//! confusion matrix does not hold every row, or whose JSON does not parse is a finding. (That
//! the binary prints each error on one line is checked end to end by
//! `tests/integration/hostile.rs`: the library's messages may quote cells holding newlines, which
//! `main` escapes.)

use std::path::{Path, PathBuf};

use clap::Parser;
use mlguard::cli::{Cli, Command};
use mlguard::engine::evaluate;
use mlguard::render::render_as;
use mlguard::report::{Metrics, Report};
use mlguard::scan::NoProgress;
use mlguard::settings::{EvalSettings, ReportFormat};

pub mod standalone;

/// Bootstrap replicates used while fuzzing: enough to run the code, few enough to stay fast.
const BOOTSTRAP: &str = "8";

/// A scratch directory of this process (libFuzzer's `-fork`/`-jobs` run several processes).
fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mlguard-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the scratch directory can be created");
    dir
}

/// Writes `bytes` to the scratch file `name` and returns its path.
pub fn scratch_file(name: &str, bytes: &[u8]) -> String {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("the scratch file can be written");
    path.to_str().expect("scratch paths are UTF-8").to_string()
}

/// Runs `mlguard eval PATH ARGS…` through the library and checks the outcome.
pub fn eval(path: &str, args: &[&str]) {
    let mut argv = vec!["mlguard", "eval", path, "--bootstrap", BOOTSTRAP];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(&argv).expect("the fuzz harness's own arguments parse");
    let Command::Eval(eval_args) = cli.command else {
        unreachable!("an eval command")
    };
    let settings = match EvalSettings::from_args(&eval_args) {
        Ok(s) => s,
        Err(e) => return check_error(&e.to_string()),
    };
    match evaluate(&settings, &NoProgress) {
        Ok(report) => check_report(&report),
        Err(e) => check_error(&e.to_string()),
    }
}

/// An error must say something.
pub fn check_error(message: &str) {
    assert!(!message.trim().is_empty(), "empty error message");
}

fn in_range(what: &str, value: Option<f64>, lo: f64, hi: f64) {
    if let Some(v) = value {
        assert!(
            (lo..=hi).contains(&v),
            "{what} = {v} is outside [{lo}, {hi}]"
        );
    }
}

/// Checks that every metric is a number in its range and the confusion matrix holds every row.
/// `proba_columns` bounds the multiclass Brier score: probability rows are not renormalised, so
/// one that sums to more than 1 can score up to the number of columns.
pub fn check_metrics(scope: &str, m: &Metrics, rows: u64, proba_columns: usize) {
    let l = &m.labels;
    for (name, v) in [
        ("accuracy", l.accuracy),
        ("balanced_accuracy", l.balanced_accuracy),
        ("precision", l.precision),
        ("recall", l.recall),
        ("f1", l.f1),
        ("fbeta", l.fbeta),
        ("specificity", l.specificity),
        ("roc_auc", m.scores.roc_auc),
        ("average_precision", m.scores.average_precision),
        ("ece", m.scores.ece),
        ("mce", m.scores.mce),
    ] {
        in_range(&format!("{scope}: {name}"), v, 0.0, 1.0);
    }
    in_range(&format!("{scope}: mcc"), l.mcc, -1.0, 1.0);
    in_range(&format!("{scope}: cohen_kappa"), l.cohen_kappa, -1.0, 1.0);
    let brier_max = (proba_columns as f64).max(2.0) + 1e-9;
    in_range(&format!("{scope}: brier"), m.scores.brier, 0.0, brier_max);
    in_range(
        &format!("{scope}: log_loss"),
        m.scores.log_loss,
        0.0,
        -f64::EPSILON.ln() + 1e-9,
    );
    for (kind, a) in [
        ("macro", &l.macro_avg),
        ("micro", &l.micro),
        ("weighted", &l.weighted),
    ] {
        for (name, v) in [
            ("precision", a.precision),
            ("recall", a.recall),
            ("f1", a.f1),
            ("roc_auc", a.roc_auc),
            ("average_precision", a.average_precision),
        ] {
            in_range(&format!("{scope}: {kind}.{name}"), v, 0.0, 1.0);
        }
    }
    for (class, c) in l.per_class.iter() {
        for (name, v) in [
            ("precision", Some(c.precision)),
            ("recall", Some(c.recall)),
            ("f1", Some(c.f1)),
            ("roc_auc", c.roc_auc),
            ("average_precision", c.average_precision),
        ] {
            in_range(&format!("{scope}: per_class.{class}.{name}"), v, 0.0, 1.0);
        }
    }
    let total: u64 = l.confusion_matrix.matrix.iter().flatten().sum();
    assert_eq!(
        total, rows,
        "{scope}: the confusion matrix does not hold every row"
    );
}

/// Checks a finished report and renders it in every format.
pub fn check_report(report: &Report) {
    let k = report.results.input.columns.proba.len();
    check_metrics(
        "overall",
        &report.results.metrics,
        report.results.input.rows,
        k,
    );
    for (column, segments) in report.results.segments.iter() {
        for (value, segment) in segments.iter() {
            if let Some(m) = &segment.metrics {
                check_metrics(&format!("segment {column}={value}"), m, segment.rows, k);
            }
        }
    }
    for (name, [lo, hi]) in report.results.intervals.iter() {
        assert!(
            lo.is_finite() && hi.is_finite() && lo <= hi,
            "interval {name} = [{lo}, {hi}]"
        );
    }
    for format in [
        ReportFormat::Text,
        ReportFormat::Json,
        ReportFormat::Markdown,
        ReportFormat::Junit,
        ReportFormat::Html,
    ] {
        let bytes = render_as(report, format, false);
        if format == ReportFormat::Json {
            let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&bytes);
            assert!(parsed.is_ok(), "the JSON report does not parse: {parsed:?}");
        }
    }
    // Findings are ordered by rank (confidence times the weight of their severity), and every
    // code is documented.
    for pair in report.findings.windows(2) {
        let (a, b) = (
            mlguard::diagnosis::rank(&pair[0]),
            mlguard::diagnosis::rank(&pair[1]),
        );
        assert!(a >= b, "findings out of order: {a} before {b}");
    }
    for f in &report.findings {
        assert!(
            mlguard::diagnosis::catalog::info(&f.code).is_some(),
            "undocumented code {}",
            f.code
        );
        assert!(
            (0.0..=1.0).contains(&f.confidence),
            "confidence {}",
            f.confidence
        );
    }
    // The issues export is CSV whose cells from the input cannot start a formula.
    let rows = mlguard::render::issues::rows_of(report);
    let csv = mlguard::render::issues::render(&rows);
    let mut reader = csv::ReaderBuilder::new().from_reader(&csv[..]);
    for record in reader.records() {
        let record = record.expect("the issues export parses");
        for cell in record.iter().skip(2) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unneutralised cell {cell:?}"
            );
        }
    }
}

/// Delimited or JSON Lines text in a file named `in.EXT`, evaluated with the default flags and
/// again with `--skip-invalid` (and per segment, when the input mentions a `segment` column).
pub fn text(ext: &str, data: &[u8]) {
    let path = scratch_file(&format!("in.{ext}"), data);
    eval(&path, &[]);
    if data.windows(7).any(|w| w == b"segment") {
        eval(&path, &["--skip-invalid", "--segment-col", "segment"]);
    } else {
        eval(&path, &["--skip-invalid"]);
    }
}

/// The CSV target.
pub fn csv(data: &[u8]) {
    text("csv", data);
}

/// The TSV target.
pub fn tsv(data: &[u8]) {
    text("tsv", data);
}

/// The JSON Lines target.
pub fn jsonl(data: &[u8]) {
    text("jsonl", data);
}

/// The compressed-input target. The first byte chooses what the rest is and how it is named:
/// bits 0–1 the codec (0 gzip, 1 zstd, 2 the rest as given under a `.gz` name, 3 under a `.zst`
/// name), bit 2 the inner format (CSV or JSON Lines), bit 3 whether the compressed stream is
/// cut short (at the fraction of its length given by the second byte).
pub fn compressed(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let inner = if mode & 4 == 0 { "csv" } else { "jsonl" };
    let (cut, payload) = match (mode & 8 != 0, rest.split_first()) {
        (true, Some((&fraction, payload))) => (Some(fraction), payload),
        _ => (None, rest),
    };
    let (mut bytes, ext) = match mode & 3 {
        0 => {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(payload).expect("writing to memory");
            (enc.finish().expect("writing to memory"), "gz")
        }
        1 => (
            zstd::encode_all(payload, 1).expect("compressing in memory"),
            "zst",
        ),
        2 => (payload.to_vec(), "gz"),
        _ => (payload.to_vec(), "zst"),
    };
    if let Some(fraction) = cut {
        let keep = bytes.len() * usize::from(fraction) / 256;
        bytes.truncate(keep);
    }
    let path = scratch_file(&format!("in.{inner}.{ext}"), &bytes);
    eval(&path, &[]);
}

/// The Parquet and Arrow target. The first byte chooses what the rest is: bit 0 clear, a file
/// as it is (named `.parquet`, `.arrow` by bit 1); bit 0 set, a valid Parquet file (Arrow IPC
/// file by bit 1) whose rows come from the rest three bytes at a time (a label that may be
/// null, a score that may leave [0, 1], one of four segments), with bits 2–3 choosing the
/// codec, then damaged: the byte at the fraction of its length given by the second byte
/// XOR-ed with the third, when bit 4 is set.
pub fn columnar(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let arrow = mode & 2 != 0;
    let name = if arrow { "in.arrow" } else { "in.parquet" };
    if mode & 1 == 0 {
        let path = scratch_file(name, rest);
        eval(&path, &[]);
        return;
    }
    let (damage, payload) = match rest {
        [at, xor, payload @ ..] if mode & 16 != 0 => (Some((*at, *xor)), payload),
        _ => (None, rest),
    };
    let mut bytes = columnar_file(payload, arrow, mode >> 2 & 3);
    if let Some((at, xor)) = damage {
        let i = bytes.len() * usize::from(at) / 256;
        if let Some(b) = bytes.get_mut(i) {
            *b ^= xor.max(1);
        }
    }
    let path = scratch_file(name, &bytes);
    eval(&path, &[]);
    eval(&path, &["--skip-invalid", "--segment-col", "segment"]);
}

/// A Parquet or Arrow IPC file of the rows `payload` describes (see [`columnar`]).
fn columnar_file(payload: &[u8], arrow: bool, codec: u8) -> Vec<u8> {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};

    let rows = payload.chunks_exact(3);
    let label: Int64Array = rows
        .clone()
        .map(|r| (r[0] % 3 < 2).then_some(i64::from(r[0] % 3)))
        .collect();
    let score: Float64Array = rows
        .clone()
        .map(|r| Some(f64::from(r[1]) / 250.0))
        .collect();
    let segment: StringArray = rows
        .map(|r| Some(["a", "b", "c", ""][usize::from(r[2] % 4)]))
        .collect();
    let batch = RecordBatch::try_from_iter([
        ("label", Arc::new(label) as ArrayRef),
        ("score", Arc::new(score) as ArrayRef),
        ("segment", Arc::new(segment) as ArrayRef),
    ])
    .expect("columns of one length");
    let mut out = Vec::new();
    if arrow {
        let mut writer = arrow_ipc::writer::FileWriter::try_new(&mut out, &batch.schema())
            .expect("writing to memory");
        writer.write(&batch).expect("writing to memory");
        writer.finish().expect("writing to memory");
    } else {
        use parquet::basic::{Compression, ZstdLevel};
        let compression = match codec {
            0 => Compression::UNCOMPRESSED,
            1 => Compression::SNAPPY,
            2 => Compression::ZSTD(ZstdLevel::default()),
            _ => Compression::LZ4_RAW,
        };
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(compression)
            .set_max_row_group_row_count(Some(64))
            .build();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(props))
                .expect("writing to memory");
        writer.write(&batch).expect("writing to memory");
        writer.close().expect("writing to memory");
    }
    out
}

/// A binary and a multiclass predictions file the configuration target evaluates.
const CONFIG_INPUTS: [(&str, &str); 2] = [
    (
        "binary.csv",
        "label,prediction,score,segment,region,y_true\n\
         1,1,0.9,a,x,0\n0,0,0.2,a,y,0\n1,0,0.4,b,x,1\n0,1,0.7,b,y,1\n1,1,0.65,a,x,1\n\
         0,0,0.1,b,y,0\n1,1,1,a,x,1\n0,0,0,b,y,0\n",
    ),
    (
        "multi.csv",
        "target,pred,p_cat,p_dog,p_emu,segment\n\
         cat,cat,0.7,0.2,0.1,a\ndog,cat,0.5,0.4,0.1,b\nemu,emu,0.1,0.1,0.8,a\n\
         dog,dog,0.2,0.7,0.1,b\ncat,dog,0.3,0.6,0.1,a\nemu,dog,0.2,0.5,0.3,b\n",
    ),
];

/// The `mlguard.toml` target: [`ConfigFile::parse`](mlguard::config::ConfigFile::parse) on the
/// text, then, as `--config`, the whole `mlguard eval` path on two small files.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = mlguard::config::ConfigFile::parse(&text, Path::new("mlguard.toml"));
    if let Err(e) = &parsed {
        check_error(&e.to_string());
        return;
    }
    let config = scratch_file("mlguard.toml", text.as_bytes());
    for (name, contents) in CONFIG_INPUTS {
        let input = scratch_file(name, contents.as_bytes());
        // The flag caps the bootstrap, whatever the file asks for.
        eval(&input, &["--config", &config]);
    }
}
