//! Sniffing how a delimited file is written, from its first lines: the delimiter, and whether
//! its numbers use a decimal comma.
//!
//! Spreadsheets export "CSV" with the separator of the user's locale: `;` where the comma is
//! the decimal mark (much of Europe), sometimes tabs or `|`. Like Python's `csv.Sniffer`, the
//! delimiter is the candidate that splits the header and the lines under it into the same
//! number of fields (counted outside quotes), the most fields winning; a title line above the
//! header is allowed to disagree. It runs once per file, on the bytes already buffered.

/// The delimiters considered, in order of preference when two split the lines alike.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Lines looked at at most.
const LINES: usize = 50;

/// The first complete, non-blank lines of `head` (a trailing `\r` removed).
fn lines(head: &[u8]) -> Vec<&[u8]> {
    let complete = match memchr::memrchr(b'\n', head) {
        Some(end) => &head[..end],
        None => head,
    };
    complete
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(LINES)
        .collect()
}

/// The cells of a line split at `delimiter` outside double quotes (quotes kept).
pub fn split(line: &[u8], delimiter: u8) -> Vec<&[u8]> {
    let mut cells = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, &b) in line.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            cells.push(&line[start..i]);
            start = i + 1;
        }
    }
    cells.push(&line[start..]);
    cells
}

/// The delimiter of the delimited text starting with `head`; `preferred` (the extension's or
/// the default) when no candidate splits the lines better.
pub fn delimiter(head: &[u8], preferred: u8) -> u8 {
    let head = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    let lines = lines(head);
    if lines.is_empty() {
        return preferred;
    }
    // (fields, whether the first line agrees, candidate); a candidate qualifies when every line
    // under the first splits into the same number (two or more) of fields.
    let mut best: Option<(usize, bool, u8)> = None;
    let order =
        std::iter::once(preferred).chain(CANDIDATES.into_iter().filter(|&c| c != preferred));
    for candidate in order {
        let counts: Vec<usize> = lines.iter().map(|l| split(l, candidate).len()).collect();
        let (first, rest) = (counts[0], &counts[1..]);
        let fields = match rest.first() {
            Some(&n) if rest.iter().all(|&c| c == n) => n,
            Some(_) => continue,
            None => first,
        };
        if fields < 2 {
            continue;
        }
        let key = (fields, first == fields, candidate);
        let better = match best {
            None => true,
            // A candidate the header agrees with beats one it does not, then more fields win.
            Some((f, agrees, _)) => (key.1, key.0) > (agrees, f),
        };
        if better {
            best = Some(key);
        }
    }
    best.map_or(preferred, |(_, _, d)| d)
}

/// Whether the cells of `columns` (score and probability columns) in the data lines of
/// `body` (the text under the header) are written with a decimal comma, such as `0,8952`:
/// some cell is digits, a comma and digits, and none holds a decimal point. Only asked of files
/// whose delimiter is not a comma.
pub fn decimal_comma(body: &[u8], delimiter: u8, columns: &[usize]) -> bool {
    if delimiter == b',' || columns.is_empty() {
        return false;
    }
    let mut seen = false;
    for line in lines(body) {
        let cells = split(line, delimiter);
        for &col in columns {
            let Some(cell) = cells.get(col) else {
                continue;
            };
            let cell = cell.trim_ascii();
            let cell = cell
                .strip_prefix(b"\"")
                .and_then(|c| c.strip_suffix(b"\""))
                .unwrap_or(cell);
            if cell.contains(&b'.') {
                return false;
            }
            seen |= is_comma_decimal(cell);
        }
    }
    seen
}

/// `^-?\d+,\d+$`.
fn is_comma_decimal(cell: &[u8]) -> bool {
    let cell = cell.strip_prefix(b"-").unwrap_or(cell);
    match memchr::memchr(b',', cell) {
        Some(at) => {
            let (int, frac) = (&cell[..at], &cell[at + 1..]);
            !int.is_empty()
                && !frac.is_empty()
                && int.iter().all(u8::is_ascii_digit)
                && frac.iter().all(u8::is_ascii_digit)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_that_splits_every_line_alike_wins() {
        let semicolons = b"label;prediction;score\n1;1;0,8952\n0;1;0,61\n";
        assert_eq!(delimiter(semicolons, b','), b';');
        let tabs = b"label\tprediction\tscore\n1\t1\t0.8952\n";
        assert_eq!(delimiter(tabs, b','), b'\t');
        let commas = b"label,prediction,note\n1,1,\"a;b;c\"\n0,0,\"d;e;f\"\n";
        assert_eq!(delimiter(commas, b','), b',');
        let pipes = b"label|prediction\n1|0\n";
        assert_eq!(delimiter(pipes, b','), b'|');
        assert_eq!(delimiter(b"label\n1\n", b','), b',');
        assert_eq!(delimiter(b"", b'\t'), b'\t');
    }

    #[test]
    fn a_title_line_does_not_hide_the_delimiter() {
        let titled = b"Model export, May 2024\nlabel;prediction;score\n1;1;0,5\n0;0;0,25\n";
        assert_eq!(delimiter(titled, b','), b';');
    }

    #[test]
    fn decimal_commas_in_score_columns() {
        assert!(decimal_comma(b"1;1;0,8952\n0;1;1\n", b';', &[2]));
        assert!(!decimal_comma(b"1;1;0.8952\n0;1;0,5\n", b';', &[2]));
        assert!(!decimal_comma(b"1;1;0,8952\n", b',', &[2]));
        assert!(!decimal_comma(b"1;1,5;0\n", b';', &[2]));
        assert!(decimal_comma(b"1;1;\"0,8952\"\n", b';', &[2]));
    }
}
