//! `docs/reference.md` kept true: its tables of finding codes, exit codes, configuration keys and
//! top-level report keys are compared with what the program knows, both ways — nothing the
//! program has may be missing from a table, and no row may name something the program lacks.
//!
//! Each table sits between `<!-- BEGIN name -->` and `<!-- END name -->` markers. The lists come
//! from the program itself, never from a copy: finding codes from the catalogue, exit codes from
//! the `ExitStatus` enum (an exhaustive `match` makes a new variant a compile error here) and its
//! help text, configuration keys from what the configuration parser accepts (it refuses unknown
//! keys and names the ones it knows), report keys from a report the binary writes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use mlguard::config::ConfigFile;
use mlguard::diagnosis::catalog::CODES;
use mlguard::exit::EXIT_CODES_HELP;
use mlguard::ExitStatus;

fn package_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn reference() -> String {
    let path = package_path("docs/reference.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The cells of a Markdown table row; `\|` is a pipe inside a cell.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

/// The body rows of the table between the `name` markers, as cells.
fn table(name: &str) -> Vec<Vec<String>> {
    let text = reference();
    let begin = format!("<!-- BEGIN {name} -->");
    let end = format!("<!-- END {name} -->");
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("docs/reference.md has no `{begin}` marker"))
        + begin.len();
    let stop = start
        + text[start..]
            .find(&end)
            .unwrap_or_else(|| panic!("docs/reference.md has no `{end}` after `{begin}`"));
    let lines: Vec<&str> = text[start..stop]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        lines.len() >= 3 && lines.iter().all(|l| l.starts_with('|')),
        "the `{name}` block must hold one Markdown table with a header, a separator and rows"
    );
    assert!(
        lines[1].starts_with("|--") || lines[1].starts_with("| --"),
        "the `{name}` table's second line must be its separator: {}",
        lines[1]
    );
    lines[2..].iter().map(|l| cells(l)).collect()
}

/// A cell's text without the backticks (and brackets) that format it.
fn plain(cell: &str) -> String {
    cell.trim_matches(|c| c == '`' || c == '[' || c == ']')
        .to_string()
}

#[test]
fn reference_documents_every_finding_code_with_its_category_and_summary() {
    let rows = table("finding-codes");
    for info in CODES {
        let matching: Vec<&Vec<String>> =
            rows.iter().filter(|r| plain(&r[0]) == info.code).collect();
        assert_eq!(
            matching.len(),
            1,
            "finding code {} must have exactly one row in the finding-codes table of \
             docs/reference.md",
            info.code
        );
        let row = matching[0];
        assert_eq!(
            row.get(1).map(String::as_str),
            Some(info.category.name()),
            "finding code {}: the category column must read `{}`",
            info.code,
            info.category.name()
        );
        assert_eq!(
            row.get(2).map(String::as_str),
            Some(info.summary),
            "finding code {}: the summary column must be the catalogue's summary",
            info.code
        );
    }
}

#[test]
fn reference_names_no_finding_code_the_catalogue_lacks() {
    for row in table("finding-codes") {
        let code = plain(&row[0]);
        assert!(
            CODES.iter().any(|info| info.code == code),
            "docs/reference.md lists finding code `{code}`, which src/diagnosis/catalog.rs does \
             not define"
        );
    }
}

/// Every exit status. Adding a variant to `ExitStatus` makes the `match` below fail to compile
/// until it is added here, and so to the test.
fn exit_statuses() -> Vec<ExitStatus> {
    use ExitStatus::{Error, GateFailed, Passed};
    let all = vec![Passed, GateFailed, Error];
    let _every_variant_is_listed = |s: ExitStatus| match s {
        Passed | GateFailed | Error => (),
    };
    all
}

#[test]
fn reference_documents_every_exit_code_with_its_number() {
    let rows = table("exit-codes");
    let mut numbers: BTreeSet<String> = BTreeSet::new();
    for status in exit_statuses() {
        let number = (status as u8).to_string();
        let name = format!("{status:?}");
        assert!(
            rows.iter()
                .any(|r| r[0] == number && r.get(1).is_some_and(|c| plain(c) == name)),
            "docs/reference.md: the exit-codes table needs the row `| {number} | `{name}` | … |`"
        );
        numbers.insert(number);
    }
    // The codes the help text documents, read from it.
    for line in EXIT_CODES_HELP.lines().skip(1) {
        let code = line.split_whitespace().next().unwrap_or_default();
        assert!(
            numbers.contains(code),
            "--help documents exit code {code}, which ExitStatus does not have"
        );
    }
    for row in &rows {
        assert!(
            numbers.contains(&row[0]),
            "docs/reference.md documents exit code {}, which ExitStatus does not have",
            row[0]
        );
    }
}

/// The keys the configuration parser accepts where `prefix` puts an unknown key: it refuses the
/// key and names every key it knows ("unknown field `x`, expected one of `a`, `b`").
fn accepted_keys(prefix: &str) -> BTreeSet<String> {
    let text = format!("{prefix}__probe__ = 1\n");
    let err = match ConfigFile::parse(&text, Path::new("probe.toml")) {
        Ok(_) => panic!("the configuration accepted the unknown key in {text:?}"),
        Err(e) => e.to_string(),
    };
    let expected = err
        .split_once("expected")
        .map(|(_, rest)| rest.split(" (").next().unwrap_or_default())
        .unwrap_or_else(|| panic!("no list of known keys in the error for {text:?}: {err}"));
    let keys: BTreeSet<String> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect();
    assert!(
        !keys.is_empty(),
        "no keys named in the error for {text:?}: {err}"
    );
    keys
}

/// Every (section, key) pair `mlguard.toml` accepts.
fn configuration_keys() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for section in accepted_keys("") {
        for key in accepted_keys(&format!("[{section}]\n")) {
            out.insert((section.clone(), key));
        }
    }
    out
}

/// Every (section, key) pair the config-keys table documents.
fn documented_configuration_keys() -> BTreeSet<(String, String)> {
    table("config-keys")
        .iter()
        .map(|r| {
            assert!(
                r.len() >= 3 && !r[0].is_empty() && !r[1].contains(','),
                "config-keys rows read `| [section] | key | meaning |`, one key a row: {r:?}"
            );
            (plain(&r[0]), plain(&r[1]))
        })
        .collect()
}

#[test]
fn reference_documents_every_configuration_key() {
    let documented = documented_configuration_keys();
    for (section, key) in configuration_keys() {
        assert!(
            documented.contains(&(section.clone(), key.clone())),
            "mlguard.toml accepts `{key}` in [{section}], which the config-keys table of \
             docs/reference.md does not document"
        );
    }
}

#[test]
fn reference_documents_no_configuration_key_the_program_refuses() {
    let accepted = configuration_keys();
    for (section, key) in documented_configuration_keys() {
        assert!(
            accepted.contains(&(section.clone(), key.clone())),
            "docs/reference.md documents `{key}` in [{section}], which mlguard.toml refuses"
        );
    }
}

/// The top-level keys of a JSON object and the kind of each value (`object`, `array`, `string`,
/// `number`, `boolean`, `null`).
fn top_level_keys(json: &str) -> Vec<(String, &'static str)> {
    let b = json.as_bytes();
    let (mut depth, mut i, mut expect_key) = (0usize, 0usize, false);
    let mut out = Vec::new();
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 && expect_key {
                    let mut j = i + 1;
                    while b[j] != b':' {
                        j += 1;
                    }
                    j += 1;
                    while b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    let kind = match b[j] {
                        b'{' => "object",
                        b'[' => "array",
                        b'"' => "string",
                        b't' | b'f' => "boolean",
                        b'n' => "null",
                        _ => "number",
                    };
                    out.push((json[start..i].to_string(), kind));
                    expect_key = false;
                }
            }
            b'{' | b'[' => {
                depth += 1;
                expect_key = depth == 1 && b[i] == b'{';
            }
            b'}' | b']' => depth -= 1,
            b',' if depth == 1 => expect_key = true,
            _ => {}
        }
        i += 1;
    }
    out
}

/// The JSON report `mlguard eval ARGS… --format json` writes for a file of the package.
fn json_report(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mlguard"))
        .arg("eval")
        .args(args)
        .args(["--format", "json", "--quiet", "--bootstrap", "0"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("mlguard runs");
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "mlguard eval {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the report is UTF-8")
}

#[test]
fn reference_documents_every_top_level_report_key_and_its_type() {
    let rows = table("report-keys");
    let documented: Vec<(String, String)> = rows
        .iter()
        .map(|r| (plain(&r[0]), r.get(1).cloned().unwrap_or_default()))
        .collect();
    let reports = [
        json_report(&["examples/binary.csv"]),
        json_report(&[
            "examples/binary.csv",
            "--time-col",
            "timestamp",
            "--segment-col",
            "segment",
            "--id-col",
            "id",
        ]),
        json_report(&["examples/multiclass.csv"]),
    ];
    for report in &reports {
        let keys = top_level_keys(report);
        assert!(!keys.is_empty(), "no keys read from the report:\n{report}");
        for (key, kind) in &keys {
            let Some((_, types)) = documented.iter().find(|(k, _)| k == key) else {
                panic!(
                    "the JSON report has the key `{key}`, which the report-keys table of \
                     docs/reference.md does not document"
                )
            };
            assert!(
                types.split(" or ").any(|t| t.trim() == *kind),
                "report key `{key}` is {kind} here, but docs/reference.md gives its type as \
                 `{types}`"
            );
        }
        for (key, _) in &documented {
            assert!(
                keys.iter().any(|(k, _)| k == key),
                "docs/reference.md documents the report key `{key}`, which the report lacks"
            );
        }
    }
}
