//! The one-line error contract for input errors, `mlguard: error: FILE[:LINE]: what (hint)`,
//! taken apart so that tests can assert each part.

use super::test::Output;

/// The parts of a `mlguard: error: FILE[:LINE]: what (hint)` line.
#[derive(Debug)]
pub struct ErrorLine {
    /// The line number, or `None` for an error about the file as a whole.
    pub line: Option<u64>,
    /// What went wrong.
    pub what: String,
    /// How to fix it: the text inside the final parentheses.
    pub hint: String,
}

impl Output {
    /// Asserts the one-line error contract (`Output::one_line_error`) for an error about
    /// `file`, and returns the line's parts. The line must read `FILE:LINE: what (hint)` or,
    /// for file-level errors, `FILE: what (hint)`, with a description and a hint that are not
    /// empty.
    pub fn input_error(&self, file: &str) -> ErrorLine {
        let msg = self.one_line_error();
        let rest = msg
            .strip_prefix(file)
            .and_then(|r| r.strip_prefix(':'))
            .unwrap_or_else(|| panic!("error does not start with '{file}:': {self:?}"));
        let (line, rest) = match rest.split_once(": ") {
            Some((n, r)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                (Some(n.parse::<u64>().unwrap()), r)
            }
            _ => (
                None,
                rest.strip_prefix(' ')
                    .unwrap_or_else(|| panic!("no ': ' after the file name: {self:?}")),
            ),
        };
        let open = hint_start(rest)
            .unwrap_or_else(|| panic!("message does not end with a '(hint)': {self:?}"));
        let what = rest[..open].trim_end().to_string();
        let hint = rest[open + 1..rest.len() - 1].to_string();
        assert!(!what.is_empty(), "empty description: {self:?}");
        assert!(!hint.trim().is_empty(), "empty hint: {self:?}");
        ErrorLine { line, what, hint }
    }
}

/// Index of the `(` that opens the parenthesised hint ending `s`.
fn hint_start(s: &str) -> Option<usize> {
    if !s.ends_with(')') {
        return None;
    }
    let mut depth = 0i32;
    for (i, c) in s.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}
