//! `mlguard explain [CODE]`: the finding catalogue, one code in full or every code in a list.

use crate::diagnosis::catalog::{self, CodeInfo, CODES};
use crate::diagnosis::causes::CAUSES;
use crate::{Error, ExitStatus};

/// Wraps `text` at `width` columns, each line indented by `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The long description of one code.
pub fn describe(info: &CodeInfo) -> String {
    let mut out = format!(
        "{} ({}): {}\n\n",
        info.code,
        info.category.name(),
        info.summary
    );
    for (heading, body) in [
        ("Meaning", info.meaning),
        ("Detection", info.detection),
        ("Typical causes", info.causes),
    ] {
        out.push_str(heading);
        out.push('\n');
        out.push_str(&wrap(body, "  ", 92));
        out.push('\n');
    }
    let combos: Vec<String> = CAUSES
        .iter()
        .filter(|c| c.code == info.code && (c.all.len() > 1 || !c.none.is_empty()))
        .map(|c| {
            let mut s = format!(
                "{:?}",
                c.all.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>()
            );
            if !c.none.is_empty() {
                s.push_str(&format!(
                    " without {:?}",
                    c.none.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>()
                ));
            }
            format!("{} (confidence {:.2})", s.replace('"', ""), c.confidence)
        })
        .collect();
    if !combos.is_empty() {
        out.push_str("Raised when\n");
        for c in combos {
            out.push_str(&wrap(&c, "  ", 92));
        }
        out.push('\n');
    }
    out.push_str("Remedies\n");
    for (i, r) in info.remedies.iter().enumerate() {
        let text = wrap(r, "     ", 92);
        out.push_str(&format!("  {}. {}", i + 1, text.trim_start()));
    }
    out
}

/// Every code, one line each, grouped by category.
pub fn list() -> String {
    let mut out = String::new();
    let mut category = None;
    for info in CODES {
        if category != Some(info.category) {
            if category.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("{}\n", info.category.name()));
            category = Some(info.category);
        }
        out.push_str(&format!("  {:<30} {}\n", info.code, info.summary));
    }
    out.push_str("\nRun `mlguard explain CODE` for what a code means and what to do about it.\n");
    out
}

/// Runs `mlguard explain`.
pub fn run(code: Option<&str>) -> Result<ExitStatus, Error> {
    let text = match code {
        None => list(),
        Some(code) => describe(
            catalog::info(code.trim()).ok_or_else(|| Error::UnknownCode(code.to_string()))?,
        ),
    };
    crate::write_stdout(text.as_bytes())?;
    Ok(ExitStatus::Passed)
}
