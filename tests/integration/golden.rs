//! Golden tests: every metric mlguard computes for the fixtures in `fixtures/golden/` equals the
//! value scikit-learn computes for them (`scripts/oracle/oracle.py`), to 1e-9.

use clap::Parser;
use mlguard::cli::{Cli, Command};
use mlguard::engine::evaluate;
use mlguard::scan::NoProgress;
use mlguard::settings::EvalSettings;
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn compare(path: &str, expected: &Value, actual: &Value, errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Null, Value::Null) => {}
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            if (e - a).abs() > TOLERANCE * e.abs().max(1.0) {
                errors.push(format!("{path}: expected {e}, got {a} (diff {:e})", a - e));
            }
        }
        (Value::String(e), Value::String(a)) if e == a => {}
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{i}]"), x, y, errors);
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for (k, x) in e {
                match a.get(k) {
                    Some(y) => compare(&format!("{path}.{k}"), x, y, errors),
                    None => errors.push(format!("{path}.{k}: missing")),
                }
            }
        }
        _ => errors.push(format!("{path}: expected {expected}, got {actual}")),
    }
}

fn report_for(case: &Value) -> Value {
    let mut argv = vec![
        "mlguard".to_string(),
        "eval".to_string(),
        case["file"].as_str().unwrap().to_string(),
    ];
    argv.extend(
        case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    let Command::Eval(args) = Cli::try_parse_from(&argv).unwrap().command else {
        panic!("an eval command line");
    };
    let settings = EvalSettings::from_args(&args).unwrap();
    let report = evaluate(&settings, &NoProgress).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    serde_json::to_value(&report).unwrap()
}

#[test]
fn every_metric_equals_scikit_learn() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string("fixtures/golden/cases.json").unwrap())
            .unwrap();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/golden/expected.json").unwrap())
            .unwrap();
    assert!(cases.len() >= 25, "the oracle covers every edge case");
    let mut errors = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let want = &expected[name];
        let got = report_for(case);
        for key in ["labels", "task", "pos_label", "metrics", "intervals"] {
            compare(&format!("{name}.{key}"), &want[key], &got[key], &mut errors);
        }
        if !want["calibration_curve"].is_null() {
            // The reliability table's non-empty bins are calibration_curve's statistics.
            let bins: Vec<&Value> = got["calibration"]["table"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["count"].as_u64().unwrap() > 0)
                .collect();
            let freq: Vec<Value> = bins
                .iter()
                .map(|b| b["observed_frequency"].clone())
                .collect();
            let conf: Vec<Value> = bins.iter().map(|b| b["mean_confidence"].clone()).collect();
            let curve = &want["calibration_curve"];
            compare(
                &format!("{name}.prob_true"),
                &curve["prob_true"],
                &Value::from(freq),
                &mut errors,
            );
            compare(
                &format!("{name}.prob_pred"),
                &curve["prob_pred"],
                &Value::from(conf),
                &mut errors,
            );
        }
        compared += 1;
    }
    assert_eq!(compared, cases.len());
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
