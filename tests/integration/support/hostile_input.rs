//! Input files whose labels, segment names and column names try to inject markup, Markdown or
//! XML into the reports.

use std::fmt::Write as _;
use std::path::Path;

/// Labels, segment names and a column name that try to inject markup, Markdown or XML.
pub const HOSTILE: [&str; 4] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"q'uote & amp|pipe",
    "@team *bold* [link](http://x) `code` </details>",
];

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Writes a 4-class file with hostile labels, predictions, probabilities and segments into
/// `dir`; deterministic, 240 rows.
pub fn hostile_csv(dir: &Path) -> String {
    let mut text = String::from("label,prediction,");
    text.push_str(&csv_field("seg<b>ment</b>"));
    for l in HOSTILE {
        text.push(',');
        text.push_str(&csv_field(&format!("proba_{l}")));
    }
    text.push('\n');
    for r in 0..240usize {
        let truth = r % 4;
        let pred = if r % 5 == 0 { (truth + 1) % 4 } else { truth };
        let own = 0.4 + 0.5 * ((r * 37) % 10) as f64 / 10.0;
        let mut p = [(1.0 - own) / 3.0; 4];
        p[pred] = own;
        let _ = write!(
            text,
            "{},{},{}",
            csv_field(HOSTILE[truth]),
            csv_field(HOSTILE[pred]),
            csv_field(HOSTILE[(r / 4) % 4])
        );
        for x in p {
            let _ = write!(text, ",{x:.4}");
        }
        text.push('\n');
    }
    let path = dir.join("hostile.csv");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Writes a file with `classes` long hostile class names and per-class probabilities, and a
/// segment column of `segments` long hostile values.
pub fn many_classes_csv(dir: &Path, classes: usize, rows: usize, segments: usize) -> String {
    let name = |i: usize| format!("<img src=x onerror=alert({i})>{}\"&|{i}", "L".repeat(150));
    let mut text = String::from("label,prediction,seg");
    for i in 0..classes {
        text.push(',');
        text.push_str(&csv_field(&format!("proba_{}", name(i))));
    }
    text.push('\n');
    for r in 0..rows {
        let truth = r % classes;
        let pred = if r % 3 == 0 {
            (truth + r / classes) % classes
        } else {
            truth
        };
        let rest = 0.5 / (classes - 1) as f64;
        let _ = write!(
            text,
            "{},{},{}",
            csv_field(&name(truth)),
            csv_field(&name(pred)),
            csv_field(&format!(
                "<script>s{}</script>{}",
                r % segments,
                "S".repeat(120)
            ))
        );
        for i in 0..classes {
            let _ = write!(text, ",{:.6}", if i == pred { 0.5 } else { rest });
        }
        text.push('\n');
    }
    let path = dir.join("many.csv");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}
