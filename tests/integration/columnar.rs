//! Parquet and Arrow inputs: the same report as the same rows written as CSV, for every codec
//! and column type the files people write hold; data sets of parts (directories with hive
//! partition folders, globs); and one-line errors for files that are not what they claim.
//!
//! The files are written here with the arrow-rs writers, from one table of generated rows.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringDictionaryBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Float32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde_json::Value;

use crate::support::Test;

/// Generated rows: id, time, segment, label, prediction and score (17 significant digits).
struct Rows {
    id: Vec<i64>,
    time_ms: Vec<i64>,
    segment: Vec<&'static str>,
    label: Vec<i64>,
    prediction: Vec<i64>,
    score: Vec<f64>,
}

fn rows(n: usize) -> Rows {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut r = Rows {
        id: Vec::new(),
        time_ms: Vec::new(),
        segment: Vec::new(),
        label: Vec::new(),
        prediction: Vec::new(),
        score: Vec::new(),
    };
    for i in 0..n {
        let segment = ["web", "ios", "android"][(next() * 3.0) as usize];
        let label = i64::from(next() < 0.3);
        let noise = next();
        let score = if label == 1 {
            0.35 + 0.65 * noise
        } else {
            0.75 * noise
        };
        r.id.push(i as i64 + 1000);
        r.time_ms.push(1_777_593_600_000 + i as i64 * 61_000);
        r.segment.push(segment);
        r.label.push(label);
        r.prediction.push(i64::from(score >= 0.5));
        r.score.push(score);
    }
    r
}

impl Rows {
    fn batch(&self) -> RecordBatch {
        let mut segment = StringDictionaryBuilder::<Int32Type>::new();
        for s in &self.segment {
            segment.append_value(s);
        }
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("id", Arc::new(Int64Array::from(self.id.clone()))),
            (
                "time",
                Arc::new(
                    TimestampMillisecondArray::from(self.time_ms.clone()).with_timezone("UTC"),
                ),
            ),
            ("segment", Arc::new(segment.finish())),
            ("label", Arc::new(Int64Array::from(self.label.clone()))),
            (
                "prediction",
                Arc::new(Int64Array::from(self.prediction.clone())),
            ),
            ("score", Arc::new(Float64Array::from(self.score.clone()))),
        ];
        RecordBatch::try_from_iter(columns).unwrap()
    }

    fn csv(&self) -> String {
        let mut out = String::from("id,time,segment,label,prediction,score\n");
        for i in 0..self.id.len() {
            out += &format!(
                "{},{},{},{},{},{}\n",
                self.id[i],
                mlguard::time::format_time(self.time_ms[i] / 1000),
                self.segment[i],
                self.label[i],
                self.prediction[i],
                self.score[i],
            );
        }
        out
    }
}

/// Writes `batches` as Parquet with `compression`, in row groups of `group_rows`.
fn parquet(path: &Path, batches: &[RecordBatch], compression: Compression, group_rows: usize) {
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(group_rows))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batches[0].schema(), Some(props)).unwrap();
    for batch in batches {
        writer.write(batch).unwrap();
    }
    writer.close().unwrap();
}

fn arrow_file(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = arrow_ipc::writer::FileWriter::try_new(file, &batch.schema()).unwrap();
    // Several batches, as a writer appending to a log makes them.
    let half = batch.num_rows() / 2;
    writer.write(&batch.slice(0, half)).unwrap();
    writer
        .write(&batch.slice(half, batch.num_rows() - half))
        .unwrap();
    writer.finish().unwrap();
}

fn arrow_stream(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(file, &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
}

/// The JSON report of `eval PATH --format json ARGS…`.
fn report(path: &Path, args: &[&str]) -> Value {
    Test::eval_json(path.to_str().unwrap())
        .args(&["--bootstrap", "200"])
        .args(args)
        .run()
        .report()
}

/// A report without what names its input (the command line and the input block), with the
/// line numbers of a CSV turned into row numbers (`shift` 1: the header's line) so that it
/// can be compared with a columnar file's.
fn comparable(mut report: Value, shift: u64) -> Value {
    fn rows(v: &mut Value, shift: u64) {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    match (key.as_str(), &mut *value) {
                        ("line", Value::Number(n)) => {
                            *value = Value::from(n.as_u64().unwrap() - shift);
                        }
                        ("lines", Value::Array(lines)) => {
                            for l in lines {
                                *l = Value::from(l.as_u64().unwrap() - shift);
                            }
                        }
                        _ => rows(value, shift),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| rows(i, shift)),
            _ => {}
        }
    }
    let map = report.as_object_mut().unwrap();
    map.remove("input");
    map["run"].as_object_mut().unwrap().remove("command");
    rows(&mut report, shift);
    report
}

/// The first place where two JSON values differ, as a path and both values.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: Vec<&String> = x
                .keys()
                .chain(y.keys().filter(|k| !x.contains_key(*k)))
                .collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_difference(p, q, &format!("{path}.{k}")),
                (p, q) => Some(format!("{path}.{k}: {p:?} vs {q:?}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"))),
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

/// Asserts that `got` (a columnar file's comparable report) equals `expected` (the CSV's).
fn assert_same(got: &Value, expected: &Value, what: &str) {
    if let Some(difference) = first_difference(got, expected, "") {
        panic!("{what} differs from the CSV at {difference}");
    }
}

const ROLES: &[&str] = &[
    "--id-col",
    "id",
    "--time-col",
    "time",
    "--segment-col",
    "segment",
];

#[test]
fn parquet_and_arrow_files_give_the_report_of_the_same_rows_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows(3000);
    let batch = data.batch();
    let csv = dir.path().join("preds.csv");
    std::fs::write(&csv, data.csv()).unwrap();
    let expected = comparable(report(&csv, ROLES), 1);
    assert_eq!(expected["rows"], Value::Null, "the input block was removed");
    let codecs = [
        ("snappy", Compression::SNAPPY),
        ("zstd", Compression::ZSTD(ZstdLevel::default())),
        ("gzip", Compression::GZIP(GzipLevel::default())),
        ("lz4", Compression::LZ4_RAW),
        ("plain", Compression::UNCOMPRESSED),
    ];
    for (name, codec) in codecs {
        let path = dir.path().join(format!("preds-{name}.parquet"));
        parquet(&path, std::slice::from_ref(&batch), codec, 700);
        let got = comparable(report(&path, ROLES), 0);
        assert_same(&got, &expected, &format!("{name} Parquet"));
    }
    let feather = dir.path().join("preds.feather");
    arrow_file(&feather, &batch);
    assert_same(
        &comparable(report(&feather, ROLES), 0),
        &expected,
        "Arrow file",
    );
    let stream = dir.path().join("preds.arrows");
    arrow_stream(&stream, &batch);
    assert_same(
        &comparable(report(&stream, ROLES), 0),
        &expected,
        "Arrow stream",
    );
}

#[test]
fn the_input_block_counts_the_rows_of_a_parquet_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.parquet");
    parquet(&path, &[rows(500).batch()], Compression::SNAPPY, 128);
    let report = report(&path, &[]);
    assert_eq!(report["input"]["rows"], 500);
    assert_eq!(report["input"]["columns"]["score"], "score");
    // Only the columns with a role were read, so rows cannot be told apart.
    let duplicates = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "data:duplicates")
        .unwrap();
    assert_eq!(duplicates["status"], "skip");
}

#[test]
fn float32_scores_are_read_exactly_as_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows(800);
    let scores: Vec<f32> = data.score.iter().map(|&s| s as f32).collect();
    let labels: Vec<bool> = data.label.iter().map(|&l| l == 1).collect();
    let batch = RecordBatch::try_from_iter([
        (
            "label",
            Arc::new(BooleanArray::from(labels.clone())) as ArrayRef,
        ),
        (
            "score",
            Arc::new(Float32Array::from(scores.clone())) as ArrayRef,
        ),
    ])
    .unwrap();
    let path = dir.path().join("f32.parquet");
    parquet(
        &path,
        &[batch],
        Compression::ZSTD(ZstdLevel::default()),
        1 << 20,
    );
    let mut csv = String::from("label,score\n");
    for (l, s) in labels.iter().zip(&scores) {
        // The f32's value itself, as f64 text: not the f32's shortest decimal.
        csv += &format!("{l},{}\n", f64::from(*s));
    }
    let csv_path = dir.path().join("f32.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let expected = comparable(report(&csv_path, &[]), 1);
    let got = comparable(report(&path, &[]), 0);
    assert_eq!(got["metrics"], expected["metrics"]);
    assert_eq!(got["labels"], serde_json::json!(["false", "true"]));
}

#[test]
fn nulls_are_missing_cells_and_rows_are_numbered_from_one() {
    let dir = tempfile::tempdir().unwrap();
    let batch = RecordBatch::try_from_iter([
        (
            "label",
            Arc::new(StringArray::from(vec![
                Some("cat"),
                Some("dog"),
                None,
                Some("cat"),
            ])) as ArrayRef,
        ),
        (
            "prediction",
            Arc::new(StringArray::from(vec![
                Some("cat"),
                Some("dog"),
                Some("dog"),
                None,
            ])) as ArrayRef,
        ),
    ])
    .unwrap();
    let path = dir.path().join("nulls.parquet");
    parquet(&path, &[batch], Compression::SNAPPY, 1 << 20);
    let file = path.to_str().unwrap();
    // The third row waits for its label (counted, not an error); the fourth has no prediction.
    let run = Test::eval_json(file).run();
    let msg = run.one_line_error();
    assert!(
        msg.starts_with(&format!("{file}: row 4: ")) && msg.contains("prediction"),
        "the fourth row has no prediction: {msg}"
    );
    let skipped = Test::eval_json(file)
        .args(&["--skip-invalid", "--pos-label", "dog"])
        .run()
        .report();
    assert_eq!(skipped["input"]["rows"], 2);
    assert_eq!(skipped["input"]["rows_skipped"], 2);
    assert_eq!(skipped["input"]["rows_awaiting_labels"], 1);
}

#[test]
fn a_directory_of_parts_is_one_data_set_with_its_partition_folders_as_columns() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows(1200);
    let batch = data.batch();
    let root = dir.path().join("logs");
    // Three days, two parts for the last; Spark's marker files beside them.
    let days = ["2026-05-01", "2026-05-02", "2026-05-03"];
    let mut csv = String::from("id,time,segment,label,prediction,score,dt\n");
    let text = data.csv();
    let lines: Vec<&str> = text.lines().skip(1).collect();
    for (d, day) in days.iter().enumerate() {
        let folder = root.join(format!("dt={day}"));
        std::fs::create_dir_all(&folder).unwrap();
        let part = batch.slice(d * 400, 400);
        if d == 2 {
            parquet(
                &folder.join("part-0.parquet"),
                &[part.slice(0, 150)],
                Compression::SNAPPY,
                64,
            );
            parquet(
                &folder.join("part-1.parquet"),
                &[part.slice(150, 250)],
                Compression::SNAPPY,
                64,
            );
        } else {
            parquet(
                &folder.join("part-0.parquet"),
                &[part],
                Compression::SNAPPY,
                64,
            );
        }
        for line in &lines[d * 400..(d + 1) * 400] {
            csv += &format!("{line},{day}\n");
        }
    }
    std::fs::write(root.join("_SUCCESS"), "").unwrap();
    std::fs::write(root.join(".part-0.parquet.crc"), "x").unwrap();
    let csv_path = dir.path().join("all.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let args = [
        "--id-col",
        "id",
        "--time-col",
        "time",
        "--segment-col",
        "dt",
        "--segment-col",
        "segment",
    ];
    let expected = comparable(report(&csv_path, &args), 1);
    let got = report(&root, &args);
    assert_eq!(got["input"]["rows"], 1200);
    let segments = got["segments"]["dt"].as_object().unwrap();
    assert_eq!(
        segments.keys().collect::<Vec<_>>(),
        days.iter().collect::<Vec<_>>()
    );
    assert_same(&comparable(got, 0), &expected, "the directory");
    // A glob of the same parts reads the same rows.
    let pattern = format!("{}/dt=*/*.parquet", root.display());
    let globbed = Test::eval_json(&pattern)
        .args(&args)
        .args(&["--bootstrap", "200"])
        .run()
        .report();
    assert_same(&comparable(globbed, 0), &expected, "the glob");
}

#[test]
fn parquet_serves_as_reference_profile_and_shard_state() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows(2000);
    let batch = data.batch();
    let whole = dir.path().join("whole.parquet");
    parquet(
        &whole,
        std::slice::from_ref(&batch),
        Compression::SNAPPY,
        500,
    );
    let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    parquet(&a, &[batch.slice(0, 1200)], Compression::SNAPPY, 500);
    parquet(&b, &[batch.slice(1200, 800)], Compression::SNAPPY, 500);
    let mut states = Vec::new();
    for (part, name) in [(&a, "a.state"), (&b, "b.state")] {
        let state = dir.path().join(name);
        let run = Test::eval_json(part.to_str().unwrap())
            .args(&[
                "--segment-col",
                "segment",
                "--save-state",
                state.to_str().unwrap(),
            ])
            .run();
        assert!(matches!(run.status_code(), Some(0 | 1)), "{}", run.stderr);
        states.push(state.to_str().unwrap().to_string());
    }
    let merged = Test::new()
        .args(&[
            "merge",
            &states[0],
            &states[1],
            "--format",
            "json",
            "--bootstrap",
            "200",
        ])
        .run()
        .report();
    let single = report(&whole, &["--segment-col", "segment"]);
    assert_eq!(merged["metrics"], single["metrics"]);
    assert_eq!(merged["segments"], single["segments"]);

    let profile = dir.path().join("ref.profile");
    Test::new()
        .args(&[
            "profile",
            a.to_str().unwrap(),
            "-q",
            "-o",
            profile.to_str().unwrap(),
        ])
        .run()
        .code(0);
    let from_file = report(&b, &["--reference", a.to_str().unwrap()]);
    let from_profile = report(&b, &["--reference", profile.to_str().unwrap()]);
    assert_eq!(from_file["checks"], from_profile["checks"]);
    assert!(from_file["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"].as_str().unwrap().starts_with("drift:")));
}

/// The message of a run that must fail on its input.
fn error(path: &str) -> String {
    Test::eval_json(path).run().one_line_error().to_string()
}

#[test]
fn files_that_are_not_what_they_claim_fail_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv_named_parquet = dir.path().join("preds.parquet");
    std::fs::write(&csv_named_parquet, "label,score\n1,0.5\n").unwrap();
    let msg = error(csv_named_parquet.to_str().unwrap());
    assert!(
        msg.contains("is named as Parquet but is not Parquet"),
        "{msg}"
    );

    let good = dir.path().join("good.parquet");
    parquet(&good, &[rows(300).batch()], Compression::SNAPPY, 100);
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.parquet");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let msg = error(truncated.to_str().unwrap());
    assert!(msg.contains("cannot be read as Parquet"), "{msg}");
    assert!(msg.contains("completely written"), "{msg}");

    let mut list = ListBuilder::new(arrow_array::builder::Float64Builder::new());
    for _ in 0..3 {
        list.values().append_value(0.5);
        list.append(true);
    }
    let batch = RecordBatch::try_from_iter([
        (
            "label",
            Arc::new(Int64Array::from(vec![0, 1, 1])) as ArrayRef,
        ),
        ("score", Arc::new(list.finish()) as ArrayRef),
    ])
    .unwrap();
    let nested = dir.path().join("nested.parquet");
    parquet(&nested, &[batch], Compression::SNAPPY, 100);
    let msg = error(nested.to_str().unwrap());
    assert!(msg.contains("column 'score' holds List"), "{msg}");
    assert!(msg.contains("as a score"), "{msg}");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let msg = error(empty.to_str().unwrap());
    assert!(msg.contains("the directory holds no data file"), "{msg}");

    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    std::fs::copy(&good, mixed.join("a.parquet")).unwrap();
    std::fs::write(mixed.join("b.csv"), "label,score\n1,0.5\n").unwrap();
    let msg = error(mixed.to_str().unwrap());
    assert!(
        msg.contains("which is not a Parquet or Arrow file"),
        "{msg}"
    );

    let pattern = dir.path().join("nothing-*.parquet");
    let msg = error(pattern.to_str().unwrap());
    assert!(msg.contains("the pattern holds no data file"), "{msg}");

    let no_rows = dir.path().join("no-rows.parquet");
    parquet(
        &no_rows,
        &[rows(10).batch().slice(0, 0)],
        Compression::SNAPPY,
        100,
    );
    let msg = error(no_rows.to_str().unwrap());
    assert!(msg.contains("holds no rows"), "{msg}");
}

#[test]
fn parts_of_a_data_set_must_share_the_columns_read() {
    let dir = tempfile::tempdir().unwrap();
    let batch = rows(200).batch();
    parquet(
        &dir.path().join("a.parquet"),
        std::slice::from_ref(&batch),
        Compression::SNAPPY,
        100,
    );
    let without_score = batch.project(&[0, 1, 2, 3, 4]).unwrap();
    let b = dir.path().join("b.parquet");
    parquet(&b, &[without_score], Compression::SNAPPY, 100);
    let msg = error(dir.path().to_str().unwrap());
    assert!(
        msg.starts_with(&format!("{}: has no column 'score'", b.display())),
        "{msg}"
    );
}
