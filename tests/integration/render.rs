//! Tests of the report renderers: snapshots of the text, Markdown and JUnit reports of the
//! bundled examples; the JUnit report against the rules of the JUnit schema Jenkins and GitLab
//! read (junit-10.xsd), with a real XML parser; the Markdown and HTML size budgets on the
//! largest report the renderers can be asked to show; escaping of hostile input; and several
//! outputs from one `mlguard eval` run.
//!
//! Snapshots live in `tests/integration/snapshots/`; after an intended change, review and accept
//! them with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test integration
//! render::`). The tool version is pinned to `[version]` in every snapshot.

use mlguard::render::style::Style;
use mlguard::render::{html, junit, markdown, text};
use roxmltree::{Document, Node};

use crate::support::{
    binary_report, hostile_csv, hostile_report, multiclass_report, package_path, rendered, report,
    worst_case_report, Test, HOSTILE,
};

fn text_of(r: &mlguard::report::Report) -> String {
    rendered(|r, out| text::render(r, out, Style { color: false }), r)
}

// ---------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------

#[test]
fn text_snapshot_binary() {
    insta::assert_snapshot!(text_of(&binary_report()));
}

#[test]
fn markdown_snapshot_binary() {
    insta::assert_snapshot!(rendered(markdown::render, &binary_report()));
}

#[test]
fn markdown_snapshot_multiclass() {
    insta::assert_snapshot!(rendered(markdown::render, &multiclass_report()));
}

#[test]
fn junit_snapshot_binary() {
    insta::assert_snapshot!(rendered(junit::render, &binary_report()));
}

#[test]
fn junit_snapshot_multiclass() {
    insta::assert_snapshot!(rendered(junit::render, &multiclass_report()));
}

#[test]
fn markdown_snapshot_hostile() {
    let dir = tempfile::tempdir().unwrap();
    let path = hostile_csv(dir.path());
    let mut r = report(&[
        &path,
        "--segment-col",
        "seg<b>ment</b>",
        "--min",
        "segment:accuracy=0.95",
        "--bootstrap",
        "0",
    ]);
    r.results.input.path = "hostile.csv".to_string();
    r.run.command = r.run.command.replace(&path, "hostile.csv");
    insta::assert_snapshot!(rendered(markdown::render, &r));
}

// ---------------------------------------------------------------------------------------------
// JUnit XML against the schema's rules
// ---------------------------------------------------------------------------------------------

/// The attributes junit-10.xsd allows on an element, and those it requires.
fn attributes(element: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match element {
        "testsuites" => (&["name", "time", "tests", "failures", "errors"], &[]),
        "testsuite" => (
            &[
                "name",
                "tests",
                "failures",
                "errors",
                "group",
                "time",
                "skipped",
                "timestamp",
                "hostname",
                "id",
                "package",
                "file",
                "log",
                "url",
            ],
            &["name", "tests", "failures", "errors"],
        ),
        "properties" | "system-out" | "system-err" => (&[], &[]),
        "property" => (&["name", "value"], &["name", "value"]),
        "testcase" => (&["name", "time", "classname", "group"], &["name"]),
        "failure" | "error" | "skipped" => (&["type", "message"], &[]),
        other => panic!("element <{other}> is not in the JUnit schema"),
    }
}

/// The children junit-10.xsd allows under an element.
fn children(element: &str) -> &'static [&'static str] {
    match element {
        "testsuites" => &["testsuite"],
        "testsuite" => &[
            "testsuite",
            "properties",
            "testcase",
            "system-out",
            "system-err",
        ],
        "properties" => &["property"],
        "testcase" => &[
            "skipped",
            "error",
            "failure",
            "rerunFailure",
            "rerunError",
            "flakyFailure",
            "flakyError",
            "system-out",
            "system-err",
        ],
        _ => &[],
    }
}

fn count_attr(node: Node, name: &str) -> usize {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
        .parse()
        .unwrap_or_else(|_| panic!("<{}> {name} is not a count", node.tag_name().name()))
}

/// A time as SUREFIRE_TIME allows (we write plain decimals).
fn is_time(text: &str) -> bool {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
}

/// Parses a JUnit report and checks it against junit-10.xsd's rules and our own stricter ones
/// (every suite has tests, failures, errors, skipped and time; every case classname and time;
/// counts agree with the cases). Returns the document's text for further checks.
fn validate_junit(xml: &str) -> Document<'_> {
    let doc = Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    for node in root.descendants().filter(Node::is_element) {
        let name = node.tag_name().name();
        let (allowed, required) = attributes(name);
        for a in node.attributes() {
            assert!(
                allowed.contains(&a.name()),
                "<{name}> has attribute {} the schema does not allow",
                a.name()
            );
        }
        for r in required {
            assert!(
                node.attribute(*r).is_some(),
                "<{name}> lacks required attribute {r}"
            );
        }
        for child in node.children().filter(Node::is_element) {
            assert!(
                children(name).contains(&child.tag_name().name()),
                "<{}> is not allowed inside <{name}>",
                child.tag_name().name()
            );
        }
        if let Some(t) = node.attribute("time") {
            assert!(is_time(t), "time {t:?} is not a decimal");
        }
    }
    let (mut tests, mut failures) = (0, 0);
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        for a in ["name", "tests", "failures", "errors", "skipped", "time"] {
            assert!(suite.attribute(a).is_some(), "testsuite lacks {a}");
        }
        let cases: Vec<Node> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let with = |tag: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|k| k.has_tag_name(tag)))
                .count()
        };
        assert_eq!(count_attr(suite, "tests"), cases.len());
        assert_eq!(count_attr(suite, "failures"), with("failure"));
        assert_eq!(count_attr(suite, "errors"), with("error"));
        assert_eq!(count_attr(suite, "skipped"), with("skipped"));
        for case in &cases {
            for a in ["name", "classname", "time"] {
                assert!(case.attribute(a).is_some(), "testcase lacks {a}");
            }
        }
        let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            names.len(),
            "testcase names repeat within a suite"
        );
        tests += cases.len();
        failures += with("failure");
    }
    assert_eq!(count_attr(root, "tests"), tests);
    assert_eq!(count_attr(root, "failures"), failures);
    doc
}

fn case<'a>(doc: &'a Document, name: &str) -> Node<'a, 'a> {
    doc.descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(name))
        .unwrap_or_else(|| panic!("no testcase {name}"))
}

#[test]
fn junit_maps_each_check_to_a_testcase() {
    // Segments under 1,000 rows are skipped; accuracy >= 0.845 passes within noise (warn).
    let r = report(&[
        "examples/binary.csv",
        "--segment-col",
        "segment",
        "--min",
        "f1=0.85",
        "--min",
        "segment:recall=0.6",
        "--min",
        "accuracy=0.845",
        "--min-segment-rows",
        "1000",
    ]);
    let xml = rendered(junit::render, &r);
    let doc = validate_junit(&xml);
    let suites: Vec<Node> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2);
    assert_eq!(suites[0].attribute("name"), Some("mlguard.checks"));
    assert_eq!(suites[1].attribute("name"), Some("mlguard.findings"));
    assert_eq!(count_attr(suites[0], "tests"), r.checks.len());

    let f1 = case(&doc, "rule:min:f1=0.85");
    let failure = f1
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("f1 fails");
    assert!(failure
        .attribute("message")
        .unwrap()
        .contains("below the minimum 0.8500"));
    let body = failure.text().unwrap();
    assert!(
        body.contains("value: 0.6866") && body.contains("threshold: >= 0.8500"),
        "{body}"
    );
    assert!(body.contains("95% interval: [0.6"), "{body}");

    let skipped = case(&doc, "rule:min:segment:recall=0.6[segment=partner]");
    assert!(skipped
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .and_then(|s| s.attribute("message"))
        .is_some_and(|m| m.contains("--min-segment-rows")));

    let warn = case(&doc, "rule:min:accuracy=0.845");
    assert!(!warn.children().any(|n| n.has_tag_name("failure")));
    let out = warn
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert!(out
        .text()
        .unwrap()
        .starts_with("warning: accuracy = 0.8510"));

    let props: Vec<(&str, &str)> = suites[0]
        .descendants()
        .filter(|n| n.has_tag_name("property"))
        .map(|p| (p.attribute("name").unwrap(), p.attribute("value").unwrap()))
        .collect();
    assert!(props.contains(&("gate", "fail")) && props.contains(&("metrics.f1", "0.6866")));
}

#[test]
fn junit_counts_warnings_as_failures_when_the_gate_does() {
    let r = report(&[
        "examples/binary.csv",
        "--min",
        "accuracy=0.845",
        "--fail-on",
        "warning",
    ]);
    let xml = rendered(junit::render, &r);
    let doc = validate_junit(&xml);
    let warn = case(&doc, "rule:min:accuracy=0.845");
    let failure = warn.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("warning"));
}

#[test]
fn junit_of_hostile_and_huge_reports_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let r = hostile_report(dir.path());
    let xml = rendered(junit::render, &r);
    let doc = validate_junit(&xml);
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.contains("<script>alert(1)</script>")),
        "{names:?}"
    );
    // Characters XML 1.0 cannot carry at all are replaced, not written.
    let mut r = r;
    r.checks[0].message = "bell \u{7} and nul \u{0}".to_string();
    validate_junit(&rendered(junit::render, &r));
    validate_junit(&rendered(junit::render, &worst_case_report(dir.path())));
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

#[test]
fn markdown_stays_under_the_comment_limit_for_any_input() {
    let dir = tempfile::tempdir().unwrap();
    let r = worst_case_report(dir.path());
    let md = rendered(markdown::render, &r);
    eprintln!(
        "worst-case Markdown report: {} characters",
        md.chars().count()
    );
    assert!(
        md.chars().count() < 65_000,
        "{} characters",
        md.chars().count()
    );
    assert!(md.len() <= markdown::LIMIT, "{} bytes", md.len());
    assert!(md.contains(" more "), "long tables end with a note");
    assert!(md.contains("the JSON report has everything"));
    assert!(md.trim_end().ends_with("</sub>"), "the footer is kept");
    // Folded sections are closed.
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    for raw in ["<script", "<img", "<i>"] {
        assert!(!md.contains(raw), "raw {raw} in the Markdown");
    }
}

#[test]
fn markdown_escapes_input_strings() {
    let dir = tempfile::tempdir().unwrap();
    let r = hostile_report(dir.path());
    let md = rendered(markdown::render, &r);
    for raw in [
        "<script",
        "<img",
        "<b>",
        "@team",
        "[link]",
        "`code`",
        "</details>\n\n<details",
    ] {
        assert!(
            !md.contains(raw)
                || raw.starts_with("</details>")
                    && md.matches("</details>").count() == md.matches("<details>").count(),
            "raw {raw:?} in:\n{md}"
        );
    }
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(md.contains("&#64;team"));
    // A pipe in a label does not split a table cell.
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("q'uote"))
    {
        assert!(line.contains("amp\\|pipe"), "{line}");
    }
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

/// Every chart and section of a binary report with segments.
#[test]
fn html_has_every_section_and_chart() {
    let page = rendered(html::render, &binary_report());
    for id in [
        "failed",
        "metrics",
        "diagnosis",
        "curves",
        "calibration",
        "scores",
        "confusion",
        "classes",
        "segments",
        "checks",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "no section {id}");
    }
    for label in [
        "ROC curve",
        "Precision–recall curve",
        "Reliability diagram",
        "Score histogram",
        "Confusion matrix",
        "recall by segment",
        "accuracy by segment",
    ] {
        assert!(
            page.contains(&format!("aria-label=\"{label}\"")),
            "no chart {label}"
        );
    }
    assert!(
        !page.contains("id=\"windows\""),
        "no time chart without windows"
    );
    assert!(page.contains("mlguard:reference-histograms"));
    // Segment rule thresholds are drawn.
    assert!(page.contains("class=\"threshold\""));
}

/// The time chart and the windows table of a report with `--time-col`, with the change point
/// and the windows worse than earlier rows marked; and a report with many hostile windows stays
/// small and escaped.
#[test]
fn windows_show_as_a_time_chart_and_a_table() {
    let mut r = report(&[
        "examples/collapse.csv",
        "--time-col",
        "timestamp",
        "--bootstrap",
        "0",
    ]);
    let page = rendered(html::render, &r);
    assert!(page.contains("id=\"windows\""));
    assert!(page.contains("aria-label=\"Metrics over time\""));
    assert!(page.contains("href=\"#windows\""));
    assert_eq!(
        page.matches("<line class=\"change\"").count(),
        1,
        "one change-point marker"
    );
    assert!(page.contains("change point · 2026-03-04T12:00:00Z"));
    assert!(
        page.contains("<rect class=\"worse\""),
        "worse windows are shaded"
    );
    assert!(page.contains(">2026-03-02<"), "dates label the axis");

    let md = rendered(markdown::render, &r);
    assert!(md.contains(
        "<details><summary>Metrics per window (24 windows; the error rate rose from 2026-03-04T12:00:00Z)</summary>"
    ));
    assert!(md.contains("| window start | rows | accuracy | f1 | roc auc | checks |"));
    let row = md
        .lines()
        .find(|l| l.starts_with("| 2026-03-04T12:00:00Z |"))
        .expect("a row per window");
    assert!(row.contains("worse than earlier rows") && row.contains("change point"));
    assert!(md.matches("</details>").count() == md.matches("<details>").count());

    // Many windows with hostile boundaries: capped, escaped, small.
    let w = r.results.windows.as_ref().unwrap()[0].clone();
    r.results.windows = Some(
        (0..3000)
            .map(|i| mlguard::report::WindowReport {
                waiting: None,
                start: format!("<img src=x onerror=alert({i})>"),
                ..w.clone()
            })
            .collect(),
    );
    let page = rendered(html::render, &r);
    assert!(!page.contains("<img"));
    assert!(page.contains("Showing the first 500 of 3000 windows"));
    eprintln!("3000 windows: {} bytes", page.len());
    assert!(page.len() < 250_000, "{} bytes", page.len());
    let md = rendered(markdown::render, &r);
    assert!(!md.contains("<img") && md.contains("… 2950 more windows"));
}

#[test]
fn html_is_self_contained() {
    for r in [binary_report(), multiclass_report()] {
        let page = rendered(html::render, &r);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(
            page.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'")
        );
        assert_eq!(
            page.matches("<script").count(),
            1,
            "only the inline self-check script"
        );
        for external in [
            "src=",
            "href=\"http",
            "href=\"//",
            "@import",
            "url(",
            "<link",
            "<img",
            "<iframe",
        ] {
            assert!(!page.contains(external), "{external} in the page");
        }
    }
}

#[test]
fn html_escapes_input_strings() {
    let dir = tempfile::tempdir().unwrap();
    let r = hostile_report(dir.path());
    let page = rendered(html::render, &r);
    assert_eq!(page.matches("<script").count(), 1);
    for raw in ["<img", "<b>", "onerror=alert(1)>"] {
        assert!(!page.contains(raw), "raw {raw} in the page");
    }
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for label in HOSTILE {
        let shown = label
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        assert!(page.contains(&shown), "{label} not shown as text");
    }
}

#[test]
fn html_stays_under_one_megabyte_for_any_input() {
    let dir = tempfile::tempdir().unwrap();
    let r = worst_case_report(dir.path());
    let page = rendered(html::render, &r);
    eprintln!("worst-case HTML report: {} bytes", page.len());
    assert!(page.len() < 1_000_000, "{} bytes", page.len());
    assert_eq!(page.matches("<script").count(), 1);
    assert!(!page.contains("<img"));
    assert!(page.contains("Showing the first 20 of 300 classes"));
    assert!(
        page.contains("Showing the first 30 of 300 classes"),
        "the heatmap is capped"
    );
    for r in [binary_report(), multiclass_report()] {
        assert!(rendered(html::render, &r).len() < 150_000);
    }
}

// ---------------------------------------------------------------------------------------------
// Several outputs from one run
// ---------------------------------------------------------------------------------------------

#[test]
fn one_run_writes_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let input = package_path("examples/binary.csv");
    let out = Test::new()
        .current_dir(dir.path())
        .args(&[
            "eval",
            input.to_str().unwrap(),
            "--min",
            "f1=0.85",
            "--format",
            "text",
            "--output-text",
            "r.txt",
            "--output-json",
            "r.json",
            "--output-markdown",
            "r.md",
            "--output-junit",
            "r.xml",
            "--output-html",
            "r.html",
        ])
        .run();
    out.code(1);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("r.txt"), out.utf8().stdout);
    let json: serde_json::Value = serde_json::from_str(&read("r.json")).unwrap();
    assert_eq!(json["gate"]["passed"], false);
    assert!(read("r.md").starts_with("### ❌ mlguard: FAIL"));
    validate_junit(&read("r.xml"));
    assert!(read("r.html").starts_with("<!DOCTYPE html>"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".mlguard-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn outputs_must_not_collide_or_replace_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("preds.csv");
    std::fs::copy(package_path("examples/binary.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = Test::new()
        .current_dir(dir.path())
        .args(&[
            "eval",
            "preds.csv",
            "--output-json",
            "r",
            "--output-html",
            "r",
        ])
        .run();
    out.code(2);
    let err = &out.utf8().stderr;
    assert!(
        err.starts_with("mlguard: error: r: two outputs name the same file"),
        "{err}"
    );
    let out = Test::new()
        .current_dir(dir.path())
        .args(&["eval", "preds.csv", "--output-html", "preds.csv"])
        .run();
    out.code(2);
    assert!(out
        .utf8()
        .stderr
        .contains("refusing to write a report over an input file"));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is untouched"
    );
}

#[test]
fn format_flag_selects_every_renderer() {
    let dir = tempfile::tempdir().unwrap();
    let input = package_path("examples/binary.csv");
    for (format, start) in [
        ("markdown", "### ✅ mlguard: PASS"),
        ("junit", "<?xml"),
        ("html", "<!DOCTYPE html>"),
    ] {
        let out = Test::new()
            .current_dir(dir.path())
            .args(&["eval", input.to_str().unwrap(), "--format", format])
            .run();
        out.code(0);
        assert!(out.utf8().stdout.starts_with(start), "{format}");
    }
}

/// Multiclass files have one-vs-rest ROC and precision–recall curves: one per class in JSON
/// (decimated to at most 200 points, from (0, 0) to (1, 1), enclosing the class's AUC), and one
/// plot of each kind with a line per class in HTML.
#[test]
fn multiclass_curves_are_one_vs_rest_per_class() {
    let r = Test::eval_json("examples/multiclass.csv").run().report();
    let labels: Vec<&str> = r["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(r["curves"]["roc"].is_null() && r["curves"]["pr"].is_null());
    for class in &labels {
        let curve = &r["curves"]["per_class"][class];
        let roc = curve["roc"].as_array().unwrap();
        let pr = curve["pr"].as_array().unwrap();
        assert!(roc.len() <= 200 && pr.len() <= 200, "{class}");
        let at = |p: &serde_json::Value, k: &str| p[k].as_f64().unwrap();
        assert_eq!((at(&roc[0], "fpr"), at(&roc[0], "tpr")), (0.0, 0.0));
        let last = roc.last().unwrap();
        assert_eq!((at(last, "fpr"), at(last, "tpr")), (1.0, 1.0));
        assert_eq!(at(pr.last().unwrap(), "recall"), 1.0);
        let area: f64 = roc
            .windows(2)
            .map(|w| {
                (at(&w[1], "fpr") - at(&w[0], "fpr")) * (at(&w[1], "tpr") + at(&w[0], "tpr")) / 2.0
            })
            .sum();
        let auc = r["metrics"]["per_class"][class]["roc_auc"]
            .as_f64()
            .unwrap();
        assert!(
            (area - auc).abs() < 0.002,
            "{class}: area {area} vs auc {auc}"
        );
    }
    let html = Test::new()
        .args(&[
            "eval",
            "examples/multiclass.csv",
            "--format",
            "html",
            "--quiet",
        ])
        .run()
        .stdout
        .clone();
    assert!(html.contains("aria-label=\"One-vs-rest ROC curves\""));
    for class in &labels {
        assert!(html.contains(&format!("{class} (AUC ")), "{class}");
        assert!(html.contains(&format!("{class} (AP ")), "{class}");
    }
}
