//! Serving latency (`--latency-col`, `--latency-slo-ms`) through the built binary: the report's
//! `latency` against exact values computed here, objectives that pass and fail the gate, and
//! bad latency cells.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::support::Test;

/// The documented relative error of the latency quantiles.
const RELATIVE_ERROR: f64 = 0.005;

/// A deterministic file of `rows` rows with a heavy-tailed latency column (every 50th cell
/// empty); returns its path and the latencies written, in ms.
fn latency_file(dir: &Path, rows: usize) -> (String, Vec<f64>) {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::from("label,prediction,latency_ms\n");
    let mut written = Vec::new();
    for i in 0..rows {
        let label = usize::from(uniform() < 0.3);
        let pred = if uniform() < 0.9 { label } else { 1 - label };
        if i % 50 == 7 {
            writeln!(text, "{label},{pred},").unwrap();
            continue;
        }
        // Log-normal-like body with a Pareto tail, printed with 3 decimals.
        let u = uniform();
        let ms = if u < 0.9 {
            20.0 * (3.0 * uniform()).exp()
        } else {
            200.0 / (1.0 - uniform()).powf(0.8)
        };
        let cell = format!("{ms:.3}");
        written.push(cell.parse::<f64>().unwrap());
        writeln!(text, "{label},{pred},{cell}").unwrap();
    }
    let path = dir.join("latency.csv");
    std::fs::write(&path, text).unwrap();
    (path.to_string_lossy().into_owned(), written)
}

/// The nearest-rank quantile of sorted values.
fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[test]
fn quantiles_are_within_the_documented_error() {
    let dir = tempfile::tempdir().unwrap();
    let (file, mut values) = latency_file(dir.path(), 30_000);
    let run = Test::new()
        .current_dir(dir.path())
        .args(&[
            "eval",
            &file,
            "--latency-col",
            "latency_ms",
            "--format",
            "json",
            "-q",
        ])
        .run();
    run.code(0);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let l = &report["latency"];
    values.sort_by(f64::total_cmp);
    assert_eq!(l["column"], "latency_ms");
    assert_eq!(l["rows"].as_u64().unwrap() as usize, values.len());
    assert_eq!(l["missing"].as_u64().unwrap(), 600);
    assert_eq!(l["max_ms"].as_f64().unwrap(), *values.last().unwrap());
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    assert!((l["mean_ms"].as_f64().unwrap() - mean).abs() <= 1e-9 * mean);
    for (key, q) in [("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)] {
        let (got, truth) = (l[key].as_f64().unwrap(), exact_quantile(&values, q));
        assert!(
            (got - truth).abs() <= RELATIVE_ERROR * truth,
            "{key}: {got} vs exact {truth}"
        );
    }
    // The key sits before `warnings`.
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    let at = |k: &str| keys.iter().position(|x| *x == k).unwrap();
    assert_eq!(at("latency") + 1, at("warnings"));
}

#[test]
fn an_objective_breach_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let (file, mut values) = latency_file(dir.path(), 5_000);
    values.sort_by(f64::total_cmp);
    let p95 = exact_quantile(&values, 0.95);
    let p99 = exact_quantile(&values, 0.99);
    let slo = |args: &[&str]| {
        let mut all = vec![
            "eval",
            &file,
            "--latency-col",
            "latency_ms",
            "--format",
            "json",
            "-q",
        ];
        all.extend_from_slice(args);
        let run = Test::new().current_dir(dir.path()).args(&all).run();
        let report: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
        (run.exit_code(), report)
    };
    let loose = format!("{}", p95 * 1.02);
    let (code, report) = slo(&["--latency-slo-ms", &loose]);
    assert_eq!(code, 0);
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "latency:p95")
        .unwrap()
        .clone();
    assert_eq!(check["status"], "pass");
    assert_eq!(check["kind"], "threshold");
    let tight = format!("p99={}", p99 * 0.98);
    let (code, report) = slo(&["--latency-slo-ms", &loose, "--latency-slo-ms", &tight]);
    assert_eq!(code, 1);
    assert_eq!(report["gate"]["passed"], false);
    let failed: Vec<&str> = report["gate"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["latency:p99"]);
    // From the configuration file too.
    std::fs::write(
        dir.path().join("mlguard.toml"),
        format!(
            "[columns]\nlatency = \"latency_ms\"\n[checks]\nlatency_slo_ms = {{ p99 = {} }}\n",
            p99 * 0.98
        ),
    )
    .unwrap();
    let run = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &file, "-q"])
        .run();
    run.code(1);
    std::fs::remove_file(dir.path().join("mlguard.toml")).unwrap();
}

#[test]
fn bad_latency_cells_and_flags_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        "label,prediction,latency_ms\n1,1,12.5\n0,0,-3\n1,0,\n",
    )
    .unwrap();
    let file = path.to_string_lossy().into_owned();
    let run = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &file, "--latency-col", "latency_ms", "-q"])
        .run();
    run.code(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(":3: '-3' in latency column 'latency_ms'"),
        "{}",
        run.stderr
    );
    run.stderr_contains("--skip-invalid");
    let run = Test::new()
        .current_dir(dir.path())
        .args(&[
            "eval",
            &file,
            "--latency-col",
            "latency_ms",
            "--skip-invalid",
            // A third of the rows skipped fails data:missing; the latency is what is tested.
            "--fail-on",
            "never",
            "--format",
            "json",
            "-q",
        ])
        .run();
    run.code(0);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["latency"]["rows"], 1);
    assert_eq!(report["latency"]["missing"], 1);
    assert_eq!(report["input"]["rows_skipped"], 1);
    // No column: null; an objective without the column, or a bad one: usage errors.
    let run = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &file, "--skip-invalid", "--format", "json", "-q"])
        .run();
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(report["latency"].is_null());
    for args in [
        vec!["--latency-slo-ms", "250"],
        vec![
            "--latency-col",
            "latency_ms",
            "--latency-slo-ms",
            "p95=fast",
        ],
        vec!["--latency-col", "nope"],
    ] {
        let mut all = vec!["eval", file.as_str(), "-q"];
        all.extend(args.iter().copied());
        let run = Test::new().current_dir(dir.path()).args(&all).run();
        run.code(2);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn every_readable_format_shows_the_latency() {
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = latency_file(dir.path(), 2000);
    let json = Test::new()
        .current_dir(dir.path())
        .args(&[
            "eval",
            &file,
            "--latency-col",
            "latency_ms",
            "--format",
            "json",
        ])
        .run();
    json.code(0);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let p95 = format!("{:.1} ms", report["latency"]["p95_ms"].as_f64().unwrap());
    for format in ["text", "markdown", "html"] {
        let run = Test::new()
            .current_dir(dir.path())
            .args(&[
                "eval",
                &file,
                "--latency-col",
                "latency_ms",
                "--format",
                format,
            ])
            .run();
        run.code(0);
        assert!(run.stdout.contains("p95"), "{format}: no p95");
        assert!(run.stdout.contains(&p95), "{format}: no {p95}");
        // Markdown escapes the underscore.
        let column = if format == "markdown" {
            "latency\\_ms"
        } else {
            "latency_ms"
        };
        assert!(run.stdout.contains(column), "{format}: no column name");
    }
    // Without a latency column no format has a latency section.
    let run = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &file, "--format", "markdown"])
        .run();
    assert!(!run.stdout.contains("Latency of"), "{}", run.stdout);
}
