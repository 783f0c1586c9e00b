//! The class each probability column stands for: scikit-learn's `predict_proba` columns
//! written as `proba_0, proba_1, …` beside labels that are names, read in scikit-learn's order
//! (the classes sorted) with a warning, or as `--classes` (or `[columns] classes`) names them.
//! Each file is checked against the same rows with the columns named after their classes.

use std::path::Path;

use serde_json::Value;

use crate::support::{write, Test};

/// Rows of `classes.len()` classes: a label, and the probability of each class (in the order
/// of `classes`), from a fixed pseudo-random sequence in which the true class is usually the
/// most probable.
fn rows(classes: &[&str], n: usize) -> Vec<(String, Vec<f64>)> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let truth = (next() * classes.len() as f64) as usize % classes.len();
            let mut weights: Vec<f64> = (0..classes.len())
                .map(|c| next() + if c == truth { 0.8 } else { 0.0 })
                .collect();
            let sum: f64 = weights.iter().sum();
            // Four decimals, the last class taking the remainder, so each row sums to 1.
            for w in weights.iter_mut() {
                *w = (*w / sum * 10_000.0).round() / 10_000.0;
            }
            let rest: f64 = weights[..classes.len() - 1].iter().sum();
            *weights.last_mut().unwrap() = ((1.0 - rest) * 10_000.0).round() / 10_000.0;
            (classes[truth].to_string(), weights)
        })
        .collect()
}

/// A CSV of `rows` whose probability columns are named `names`, in the order of the rows'
/// probabilities permuted by `order` (column `j` holds probability `order[j]`).
fn csv(rows: &[(String, Vec<f64>)], names: &[String], order: &[usize]) -> String {
    let mut out = format!("label,{}\n", names.join(","));
    for (label, p) in rows {
        let cells: Vec<String> = order.iter().map(|&i| format!("{:.4}", p[i])).collect();
        out += &format!("{label},{}\n", cells.join(","));
    }
    out
}

/// `proba_0, …, proba_{k-1}`.
fn numbered(k: usize) -> Vec<String> {
    (0..k).map(|i| format!("proba_{i}")).collect()
}

/// `proba_<class>` for each class.
fn named(classes: &[&str]) -> Vec<String> {
    classes.iter().map(|c| format!("proba_{c}")).collect()
}

/// The JSON report of `file` in `dir` with `args`.
fn report(dir: &Path, file: &str, args: &[&str]) -> Value {
    Test::new()
        .current_dir(dir)
        .args(&[
            "eval",
            file,
            "--format",
            "json",
            "--quiet",
            "--bootstrap",
            "0",
        ])
        .args(args)
        .run()
        .report()
}

fn warnings(report: &Value) -> String {
    report["warnings"].to_string()
}

#[test]
fn numbered_binary_columns_with_named_labels_are_read_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    // Columns in scikit-learn's order: classes_ = ['benign', 'malignant'].
    let data = rows(&["benign", "malignant"], 400);
    write(&dir, "idx.csv", csv(&data, &numbered(2), &[0, 1]));
    write(
        &dir,
        "named.csv",
        csv(&data, &named(&["benign", "malignant"]), &[0, 1]),
    );
    let pos = ["--pos-label", "malignant"];
    let expected = report(dir.path(), "named.csv", &pos);
    let read = report(dir.path(), "idx.csv", &pos);
    assert_eq!(read["metrics"], expected["metrics"]);
    assert_eq!(read["labels"], expected["labels"]);
    let said = warnings(&read);
    assert!(
        said.contains("read proba_0 as 'benign', proba_1 as 'malignant'"),
        "{said}"
    );
    assert!(said.contains("--classes"), "{said}");
    assert_eq!(said.matches("numbered").count(), 1, "one warning: {said}");
    assert!(!warnings(&expected).contains("numbered"));
}

#[test]
fn classes_name_the_columns_in_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows(&["benign", "malignant"], 400);
    // A model whose classes_ were ['malignant', 'benign']: column 0 is malignant.
    write(&dir, "swapped.csv", csv(&data, &numbered(2), &[1, 0]));
    write(
        &dir,
        "named.csv",
        csv(&data, &named(&["benign", "malignant"]), &[0, 1]),
    );
    let pos = ["--pos-label", "malignant"];
    let expected = report(dir.path(), "named.csv", &pos);
    let read = report(
        dir.path(),
        "swapped.csv",
        &["--pos-label", "malignant", "--classes", "malignant,benign"],
    );
    assert_eq!(read["metrics"], expected["metrics"]);
    assert!(!warnings(&read).contains("numbered"), "{}", warnings(&read));
    // The same from the configuration file.
    write(
        &dir,
        "mlguard.toml",
        "[columns]\nclasses = [\"malignant\", \"benign\"]\n",
    );
    let configured = report(dir.path(), "swapped.csv", &pos);
    assert_eq!(configured["metrics"], expected["metrics"]);
}

#[test]
fn numbered_multiclass_columns_with_named_labels_are_read_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let classes = ["setosa", "versicolor", "virginica", "Unknown"];
    // np.unique order: 'Unknown' < 'setosa' < 'versicolor' < 'virginica' (code points).
    let sorted = ["Unknown", "setosa", "versicolor", "virginica"];
    let data = rows(&classes, 600);
    let order: Vec<usize> = sorted
        .iter()
        .map(|c| classes.iter().position(|x| x == c).unwrap())
        .collect();
    write(&dir, "idx.csv", csv(&data, &numbered(4), &order));
    write(
        &dir,
        "named.csv",
        csv(&data, &named(&classes), &[0, 1, 2, 3]),
    );
    let expected = report(dir.path(), "named.csv", &[]);
    let read = report(dir.path(), "idx.csv", &[]);
    assert_eq!(read["task"], "multiclass");
    assert_eq!(read["metrics"], expected["metrics"]);
    // One-vs-rest curves by class name, as for named columns.
    assert_eq!(read["curves"], expected["curves"]);
    assert_eq!(
        read["curves"]["per_class"].as_object().unwrap().len(),
        classes.len()
    );
    let said = warnings(&read);
    assert!(
        said.contains("proba_0 as 'Unknown', proba_1 as 'setosa'"),
        "{said}"
    );
    // Named explicitly, in the columns' order: the same numbers, no warning.
    let given = report(
        dir.path(),
        "idx.csv",
        &["--classes", "Unknown,setosa,versicolor,virginica"],
    );
    assert_eq!(given["metrics"], expected["metrics"]);
    assert!(!warnings(&given).contains("numbered"));
    // JSON Lines are read the same way.
    let mut jsonl = String::new();
    for (label, p) in &data {
        let cells: Vec<String> = order
            .iter()
            .enumerate()
            .map(|(j, &i)| format!("\"proba_{j}\": {:.4}", p[i]))
            .collect();
        jsonl += &format!("{{\"label\": \"{label}\", {}}}\n", cells.join(", "));
    }
    write(&dir, "idx.jsonl", jsonl);
    let from_jsonl = report(dir.path(), "idx.jsonl", &[]);
    assert_eq!(from_jsonl["metrics"], expected["metrics"]);
    assert!(warnings(&from_jsonl).contains("proba_3 as 'virginica'"));
}

#[test]
fn a_wrong_number_of_classes_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows(&["benign", "malignant"], 50);
    let file = write(&dir, "idx.csv", csv(&data, &numbered(2), &[0, 1]));
    let out = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &file, "--classes", "a,b,c"])
        .run();
    let msg = out.one_line_error();
    assert!(msg.starts_with(&format!("{file}:1: ")), "{msg}");
    assert!(
        msg.contains("--classes names 3 classes for 2 probability columns: proba_0, proba_1"),
        "{msg}"
    );
    // A class named twice is refused before the file is read.
    let out = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &file, "--classes", "a,a"])
        .run();
    assert!(out.one_line_error().contains("named twice"));
    // Without probability columns there is nothing to name.
    let scored = write(&dir, "scored.csv", "label,score\n1,0.8\n0,0.3\n");
    let out = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &scored, "--classes", "0,1"])
        .run();
    assert!(out.one_line_error().contains("has none"));
}

#[test]
fn too_few_classes_in_the_first_rows_ask_for_the_list() {
    let dir = tempfile::tempdir().unwrap();
    // Three columns, but the labels name two classes: which column is which is unknown.
    let data = rows(&["a", "b"], 50);
    let body: String = data
        .iter()
        .map(|(l, p)| format!("{l},{:.4},{:.4},0\n", p[0], p[1]))
        .collect();
    let file = write(
        &dir,
        "idx.csv",
        format!("label,proba_0,proba_1,proba_2\n{body}"),
    );
    let out = Test::new()
        .current_dir(dir.path())
        .args(&["eval", &file])
        .run();
    let msg = out.one_line_error();
    assert!(
        msg.contains("name 2 classes ('a', 'b') for 3 columns"),
        "{msg}"
    );
    assert!(msg.contains("--classes a,b,…)"), "{msg}");
}
