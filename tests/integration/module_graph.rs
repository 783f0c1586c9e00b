//! The library's modules import one another in one direction: no cycle between the crate's
//! top-level modules, nor between sibling modules of one directory (`checks::statistical` and
//! `checks::proba_drift`, say). A module reaching into its parent or children is not a cycle.
//!
//! The graph is read from the source text: every `crate::a::b` path (and `super::b` in a child
//! module) outside comments is an edge from the file's module to the module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file: `src/checks/mod.rs` → `["checks"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The code of a file without comments (line comments, doc comments and block comments) and
/// without the unit tests at its end, which may reach anywhere.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map_or("", |i| &r[i..]);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |i| &r[i + 2..]);
        } else if rest.starts_with('"') {
            // Skip string literals: paths in messages are not imports.
            let bytes = rest.as_bytes();
            let mut i = 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            rest = rest.get(i + 1..).unwrap_or("");
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Identifiers following each occurrence of `prefix`, split on `::`.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let tail = &code[at + prefix.len()..];
        let mut parts = Vec::new();
        let mut rest = tail;
        loop {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            parts.push(rest[..end].to_string());
            match rest[end..].strip_prefix("::") {
                Some(r) => rest = r,
                None => break,
            }
        }
        out.push(parts);
    }
    out
}

/// The edges of the graph: (from module, to module), both full module paths.
fn edges() -> BTreeSet<(Vec<String>, Vec<String>)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut out = BTreeSet::new();
    for file in &files {
        let from = module_of(&src, file);
        if from.is_empty() {
            continue; // lib.rs and main.rs wire everything together
        }
        let code = code_of(&fs::read_to_string(file).expect("readable"));
        let mut named: Vec<Vec<String>> = paths_after(&code, "crate::");
        for p in paths_after(&code, "super::") {
            // `super` of `a::b` (a::b.rs or a/b/mod.rs) is `a`.
            let mut base = from.clone();
            base.pop();
            base.extend(p);
            named.push(base);
        }
        for mut path in named {
            // The longest prefix of the path that is a module.
            while !path.is_empty() && !modules.contains(&path) {
                path.pop();
            }
            if !path.is_empty() && path != from {
                out.insert((from.clone(), path));
            }
        }
    }
    out
}

/// The cycles among the children of one parent: each edge between two of them (or their
/// descendants) counts as an edge between the children.
fn cycles_among(parent: &[String], edges: &BTreeSet<(Vec<String>, Vec<String>)>) -> Vec<String> {
    let child = |m: &Vec<String>| -> Option<String> {
        (m.len() > parent.len() && m[..parent.len()] == *parent).then(|| m[parent.len()].clone())
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in edges {
        if let (Some(x), Some(y)) = (child(a), child(b)) {
            if x != y {
                graph.entry(x).or_default().insert(y);
            }
        }
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(x) = stack.pop() {
            if x == to {
                return true;
            }
            if seen.insert(x.clone()) {
                stack.extend(graph.get(&x).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut out = Vec::new();
    for (a, targets) in &graph {
        for b in targets {
            if reaches(b, a) {
                let at = if parent.is_empty() {
                    "crate".to_string()
                } else {
                    parent.join("::")
                };
                out.push(format!("{at}: {a} -> {b} -> … -> {a}"));
            }
        }
    }
    out
}

#[test]
fn modules_import_each_other_in_one_direction() {
    let edges = edges();
    let mut parents: BTreeSet<Vec<String>> = BTreeSet::new();
    parents.insert(Vec::new());
    for (a, _) in &edges {
        for n in 1..a.len() {
            parents.insert(a[..n].to_vec());
        }
    }
    let cycles: Vec<String> = parents
        .iter()
        .flat_map(|p| cycles_among(p, &edges))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_graph_sees_imports_and_ignores_comments_and_strings() {
    let code = code_of(
        "use crate::a::b; // crate::c\n/* crate::d */ let s = \"crate::e\"; super::f::g();",
    );
    assert_eq!(
        paths_after(&code, "crate::"),
        vec![vec!["a".to_string(), "b".to_string()]]
    );
    assert_eq!(
        paths_after(&code, "super::"),
        vec![vec!["f".to_string(), "g".to_string()]]
    );
    // The crate's real graph has edges (a check that it was read at all).
    assert!(edges()
        .iter()
        .any(|(a, b)| a == &["engine".to_string()] && b[0] == "checks"));
}
