//! Cells as text: the UTF-8 check every decoded cell goes through, with a fast path for ASCII.
//!
//! Nearly every cell of a prediction log is a short ASCII string (a label, a segment name, a
//! number). The standard validator is an out-of-line call that costs more than the rest of such
//! a cell's decoding, so ASCII is recognised inline first and only other bytes are validated.

use std::str::Utf8Error;

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
}
