//! Text in and out: the UTF-8 check every decoded cell goes through, and counts written as
//! words.
//!
//! Nearly every cell of a prediction log is a short ASCII string (a label, a segment name, a
//! number). The standard validator is an out-of-line call that costs more than the rest of such
//! a cell's decoding, so ASCII is recognised inline first and only other bytes are validated.
//!
//! Messages and reports say "1 row" and "2 rows": [`count`] puts a number before its noun in
//! the right number, so that no format string writes `{} rows` for a count that may be one.
//! Numbers read by people — a threshold in a message, a cell of a table — are written with a
//! few significant digits ([`decimal`], [`four_decimals`]), never as the 30 digits a tiny `f64`
//! prints as; JSON keeps every digit.

use std::fmt::Display;
use std::str::Utf8Error;

/// `n` and its noun, singular for one and plural otherwise: `1 row`, `0 rows`, `2 classes`.
/// The plural is English's regular one (`class` → `classes`, `entry` → `entries`).
pub fn count<N: Display + Clone + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    let word = self::noun(n.clone(), noun);
    format!("{n} {word}")
}

/// A count with thousands separators (`12,345`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number for people: four significant digits without trailing zeros (`0.245`, `0.2453`,
/// `12.5`), in scientific notation outside [1e-4, 1e6) (`1.309e-18`); `0` for zero.
pub fn decimal(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{}", x + 0.0);
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        let text = format!("{x:.3e}");
        // Trailing zeros of the mantissa: 1.500e-7 → 1.5e-7.
        return match text.split_once('e') {
            Some((mantissa, exp)) if mantissa.contains('.') => {
                let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{mantissa}e{exp}")
            }
            _ => text,
        };
    }
    let decimals = (3 - magnitude).max(0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A value in a column of four-decimal numbers (`0.2450`): four decimals, unless that would
/// show a nonzero value as `0.0000`, which is then written as [`decimal`] writes it.
pub fn four_decimals(x: f64) -> String {
    if x != 0.0 && x.abs() < 0.000_05 {
        decimal(x)
    } else {
        format!("{x:.4}")
    }
}

/// The noun alone, in the number `n` asks for: for a count written another way (`5,000 rows`).
pub fn noun<N: PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1u8) {
        noun.to_string()
    } else {
        plural(noun)
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
    fn numbers_for_people_have_a_few_significant_digits() {
        assert_eq!(decimal(0.0000000000022852518355869223), "2.285e-12");
        assert_eq!(decimal(1.5e-7), "1.5e-7");
        assert_eq!(decimal(0.245), "0.245");
        assert_eq!(decimal(0.24531842), "0.2453");
        assert_eq!(decimal(0.5), "0.5");
        assert_eq!(decimal(0.0), "0");
        assert_eq!(decimal(1.0), "1");
        assert_eq!(decimal(12.5), "12.5");
        assert_eq!(decimal(0.00012346), "0.0001235");
        assert_eq!(decimal(-0.3), "-0.3");
        assert_eq!(decimal(2.5e9), "2.5e9");
        assert_eq!(four_decimals(0.245), "0.2450");
        assert_eq!(four_decimals(0.0), "0.0000");
        assert_eq!(four_decimals(1.3091708956890406e-18), "1.309e-18");
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
