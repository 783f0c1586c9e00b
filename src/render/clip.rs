//! Shortening strings from the input (labels, segment names, paths, messages) so that every
//! report stays bounded in size whatever the input holds: a 10,000-character label is shown as
//! its first characters and an ellipsis, never in full.

use std::borrow::Cow;

/// Longest label or segment name shown in a table cell or on a chart.
pub const LABEL: usize = 60;
/// Longest message (of a check, warning or finding) shown.
pub const MESSAGE: usize = 400;

/// `text` cut to at most `max` characters, ending in `…` when cut. Control characters (line
/// breaks, tabs, escapes) become spaces, so a value can never break a table row or a line.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    let clean = !text.chars().any(char::is_control);
    let long = text.chars().nth(max).is_some();
    if clean && !long {
        return Cow::Borrowed(text);
    }
    let keep = if long { max.saturating_sub(1) } else { max };
    let mut out: String = text
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if long {
        out.push('…');
    }
    Cow::Owned(out)
}

/// How many items of a list are left out when at most `max` are shown.
pub fn more(total: usize, max: usize) -> Option<usize> {
    (total > max).then(|| total - max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_long_text_and_controls() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("a\nb\tc", 10), "a b c");
        assert_eq!(clip("ééééé", 4).chars().count(), 4);
        assert_eq!(more(10, 3), Some(7));
        assert_eq!(more(3, 3), None);
    }
}
