//! Text in and out: the UTF-8 check every decoded cell goes through, and counts written as
//! words.
//!
//! Nearly every cell of a prediction log is a short ASCII string (a label, a segment name, a
//! number). The standard validator is an out-of-line call that costs more than the rest of such
//! a cell's decoding, so ASCII is recognised inline first and only other bytes are validated.
//!
//! Messages and reports say "1 row" and "2 rows": [`count`] puts a number before its noun in
//! the right number, so that no format string writes `{} rows` for a count that may be one.

use std::fmt::Display;
use std::str::Utf8Error;

/// `n` and its noun, singular for one and plural otherwise: `1 row`, `0 rows`, `2 classes`.
/// The plural is English's regular one (`class` → `classes`, `entry` → `entries`).
pub fn count<N: Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1u8) {
        format!("{n} {noun}")
    } else {
        format!("{n} {}", plural(noun))
    }
}

/// The regular English plural of a noun.
pub fn plural(noun: &str) -> String {
    let consonant_y = noun.strip_suffix('y').filter(|stem| {
        stem.chars()
            .next_back()
            .is_some_and(|c| !"aeiou".contains(c))
    });
    if let Some(stem) = consonant_y {
        format!("{stem}ies")
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| noun.ends_with(e))
    {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// The cell as a `&str`, or the UTF-8 error of its bytes.
#[inline]
pub fn as_text(bytes: &[u8]) -> Result<&str, Utf8Error> {
    if bytes.is_ascii() {
        // SAFETY: every byte is below 0x80, and an ASCII byte string is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_utf8_and_invalid_bytes() {
        assert_eq!(as_text(b"web"), Ok("web"));
        assert_eq!(as_text(b""), Ok(""));
        assert_eq!(as_text("caf\u{e9}".as_bytes()), Ok("caf\u{e9}"));
        assert!(as_text(b"caf\xe9").is_err());
        assert!(as_text(b"\xff\xfe").is_err());
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count(1u64, "row"), "1 row");
        assert_eq!(count(0u64, "row"), "0 rows");
        assert_eq!(count(2usize, "class"), "2 classes");
        assert_eq!(count(1usize, "class"), "1 class");
        assert_eq!(count(3u32, "entry"), "3 entries");
        assert_eq!(count(3u32, "day"), "3 days");
        assert_eq!(count(5u64, "check"), "5 checks");
        assert_eq!(count(2u64, "match"), "2 matches");
    }
}
