//! Class labels as mlguard understands them.
//!
//! Files spell one class in many ways: `1`, `1.0` and ` 1 ` are the same class, `True` and `true`
//! too. A [`LabelKey`] is the canonical form a raw cell is reduced to, so that classes compare the
//! way a user expects: numerically when every class is a number (so `10` sorts after `9`), else by
//! their canonical names. Strings are trimmed and otherwise kept case-sensitive.

use std::cmp::Ordering;
use std::fmt;

/// The canonical identity of a class label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LabelKey {
    /// A finite number, stored as the bits of its `f64` value (`-0.0` folded into `0.0`).
    Number(u64),
    /// A boolean literal (`true`/`false` in any case).
    Bool(bool),
    /// An integer too large for an `f64` to hold exactly (beyond 2^53 in magnitude, such as an
    /// 18-digit id used as a class): kept whole, so that neighbouring ids stay distinct classes.
    Integer(i128),
    /// Any other text, trimmed, case-sensitive.
    Text(Box<str>),
}

impl LabelKey {
    /// Reduces a raw cell to its canonical key; `None` when the cell means "missing"
    /// (empty, `NA`, `N/A`, `NaN`, `null`).
    pub fn parse(raw: &str) -> Option<LabelKey> {
        let s = raw.trim();
        if is_missing(s) {
            return None;
        }
        if let Some(v) = parse_wide_integer(s) {
            return Some(LabelKey::Integer(v));
        }
        if let Some(v) = parse_number(s) {
            return Some(LabelKey::Number(v.to_bits()));
        }
        if s.eq_ignore_ascii_case("true") {
            return Some(LabelKey::Bool(true));
        }
        if s.eq_ignore_ascii_case("false") {
            return Some(LabelKey::Bool(false));
        }
        Some(LabelKey::Text(s.into()))
    }

    /// The numeric value, for numeric labels.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            LabelKey::Number(bits) => Some(f64::from_bits(*bits)),
            _ => None,
        }
    }

    /// The canonical name shown in reports: integers without a fraction, other numbers in their
    /// shortest round-trip form, booleans in lower case, text as written (trimmed).
    pub fn name(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for LabelKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelKey::Number(bits) => {
                let v = f64::from_bits(*bits);
                if v.fract() == 0.0 && v.abs() < 1e15 {
                    write!(f, "{}", v as i64)
                } else {
                    write!(f, "{v:?}")
                }
            }
            LabelKey::Bool(b) => write!(f, "{b}"),
            LabelKey::Integer(v) => write!(f, "{v}"),
            LabelKey::Text(s) => f.write_str(s),
        }
    }
}

/// Whether a trimmed cell stands for a missing value.
#[inline]
pub fn is_missing(s: &str) -> bool {
    if s.len() > 4 {
        return false;
    }
    s.is_empty()
        || s.eq_ignore_ascii_case("nan")
        || s.eq_ignore_ascii_case("na")
        || s.eq_ignore_ascii_case("n/a")
        || s.eq_ignore_ascii_case("null")
}

/// The largest integer magnitude an `f64` holds exactly along with all smaller ones (2^53).
const EXACT_F64_INTEGER: i128 = 1 << 53;

/// An integer written with digits only (and an optional sign) whose magnitude is beyond
/// [`EXACT_F64_INTEGER`], so that reading it as an `f64` would merge it with its neighbours.
fn parse_wide_integer(s: &str) -> Option<i128> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.len() < 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i128 = s.parse().ok()?;
    (v.abs() > EXACT_F64_INTEGER).then_some(v)
}

/// Parses a finite decimal number, rejecting `inf`, `nan` and hexadecimal forms.
fn parse_number(s: &str) -> Option<f64> {
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(if v == 0.0 { 0.0 } else { v })
}

/// Orders classes the way reports list them: numerically when every class is a number,
/// otherwise by canonical name (byte order, which is Unicode code-point order).
pub fn sort_labels(keys: &mut [LabelKey]) {
    let all_numeric = keys
        .iter()
        .all(|k| matches!(k, LabelKey::Number(_) | LabelKey::Integer(_)));
    if all_numeric {
        keys.sort_by(numeric_order);
    } else {
        keys.sort_by_cached_key(|k| k.name());
    }
}

/// The order of two numeric classes: integers exactly, an integer and another number by value.
fn numeric_order(a: &LabelKey, b: &LabelKey) -> Ordering {
    let value = |k: &LabelKey| match k {
        LabelKey::Integer(v) => *v as f64,
        other => other.as_number().unwrap_or(0.0),
    };
    match (a, b) {
        (LabelKey::Integer(x), LabelKey::Integer(y)) => x.cmp(y),
        _ => value(a).partial_cmp(&value(b)).unwrap_or(Ordering::Equal),
    }
}

/// The class counted as positive by default for a binary pair, if the pair is a conventional
/// one: 1 for {0, 1} or {-1, 1}, `true`, `yes` or `positive` (case-insensitive) for their pairs.
/// `classes` may hold one or two classes (a single class is taken as one half of the pair).
pub fn default_positive(classes: &[LabelKey]) -> Option<LabelKey> {
    let conventions: [Convention; 4] = [
        (
            |k| matches!(k.as_number(), Some(v) if v == 1.0),
            |k| matches!(k.as_number(), Some(v) if v == 0.0 || v == -1.0),
        ),
        (
            |k| matches!(k, LabelKey::Bool(true)),
            |k| matches!(k, LabelKey::Bool(false)),
        ),
        (|k| named(k, &["yes"]), |k| named(k, &["no"])),
        (|k| named(k, &["positive"]), |k| named(k, &["negative"])),
    ];
    for (is_pos, is_neg) in conventions {
        let fits = classes.iter().all(|k| is_pos(k) || is_neg(k));
        if fits && !classes.is_empty() {
            return Some(match classes.iter().find(|k| is_pos(k)) {
                Some(k) => k.clone(),
                None => positive_partner(&classes[0])?,
            });
        }
    }
    None
}

/// A conventional pair: (is the positive class, is the negative class).
type Convention = (fn(&LabelKey) -> bool, fn(&LabelKey) -> bool);

fn named(k: &LabelKey, names: &[&str]) -> bool {
    match k {
        LabelKey::Text(s) => names.iter().any(|n| s.eq_ignore_ascii_case(n)),
        _ => false,
    }
}

/// The conventional positive partner of a negative class (`0` → `1`, `false` → `true`, …).
fn positive_partner(neg: &LabelKey) -> Option<LabelKey> {
    match neg {
        LabelKey::Number(_) => Some(LabelKey::Number(1f64.to_bits())),
        LabelKey::Bool(false) => Some(LabelKey::Bool(true)),
        LabelKey::Text(s) if s.eq_ignore_ascii_case("no") => Some(LabelKey::Text("yes".into())),
        LabelKey::Text(s) if s.eq_ignore_ascii_case("negative") => {
            Some(LabelKey::Text("positive".into()))
        }
        _ => None,
    }
}

/// The conventional negative partner of a positive class (`1` → `0`, `true` → `false`, …).
pub fn negative_partner(pos: &LabelKey) -> Option<LabelKey> {
    match pos {
        LabelKey::Number(_) => Some(LabelKey::Number(0f64.to_bits())),
        LabelKey::Bool(true) => Some(LabelKey::Bool(false)),
        LabelKey::Text(s) if s.eq_ignore_ascii_case("yes") => Some(LabelKey::Text("no".into())),
        LabelKey::Text(s) if s.eq_ignore_ascii_case("positive") => {
            Some(LabelKey::Text("negative".into()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> LabelKey {
        LabelKey::parse(s).unwrap()
    }

    #[test]
    fn numeric_spellings_are_one_class() {
        assert_eq!(key("1"), key("1.0"));
        assert_eq!(key(" 1 "), key("+1"));
        assert_eq!(key("0"), key("-0.0"));
        assert_eq!(key("1.0").name(), "1");
        assert_eq!(key("0.5").name(), "0.5");
        assert_eq!(key("-1").name(), "-1");
    }

    #[test]
    fn integers_beyond_two_to_the_53_stay_distinct() {
        let ids = [
            "900000000000000001",
            "900000000000000002",
            "900000000000000003",
        ];
        let keys: Vec<_> = ids.iter().map(|s| key(s)).collect();
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[1], keys[2]);
        assert_eq!(keys[0].name(), ids[0]);
        assert_eq!(key(" +900000000000000001 "), keys[0]);
        let mut sorted = vec![keys[2].clone(), key("7"), keys[0].clone(), keys[1].clone()];
        sort_labels(&mut sorted);
        let names: Vec<_> = sorted.iter().map(LabelKey::name).collect();
        assert_eq!(names, ["7", ids[0], ids[1], ids[2]]);
        // Integers an f64 holds exactly keep their usual key.
        assert_eq!(key("9007199254740992"), key("9007199254740992.0"));
    }

    #[test]
    fn text_is_trimmed_and_case_sensitive() {
        assert_eq!(key(" cat "), key("cat"));
        assert_ne!(key("Cat"), key("cat"));
        assert_eq!(key("TRUE"), key("true"));
        assert_eq!(key("True").name(), "true");
        assert!(matches!(key("inf"), LabelKey::Text(_)));
        assert!(matches!(key("0x10"), LabelKey::Text(_)));
    }

    #[test]
    fn missing_values() {
        for s in ["", "  ", "NA", "nan", "NaN", "null", "N/A"] {
            assert!(LabelKey::parse(s).is_none(), "{s:?}");
        }
    }

    #[test]
    fn numeric_sort_puts_ten_after_nine() {
        let mut keys: Vec<_> = ["10", "9", "1", "2"].iter().map(|s| key(s)).collect();
        sort_labels(&mut keys);
        let names: Vec<_> = keys.iter().map(LabelKey::name).collect();
        assert_eq!(names, ["1", "2", "9", "10"]);
        let mut mixed: Vec<_> = ["10", "9", "a"].iter().map(|s| key(s)).collect();
        sort_labels(&mut mixed);
        let names: Vec<_> = mixed.iter().map(LabelKey::name).collect();
        assert_eq!(names, ["10", "9", "a"]);
    }

    #[test]
    fn default_positive_follows_conventions() {
        let pos = |v: &[&str]| {
            let keys: Vec<_> = v.iter().map(|s| key(s)).collect();
            default_positive(&keys).map(|k| k.name())
        };
        assert_eq!(pos(&["0", "1"]).as_deref(), Some("1"));
        assert_eq!(pos(&["-1", "1"]).as_deref(), Some("1"));
        assert_eq!(pos(&["0"]).as_deref(), Some("1"));
        assert_eq!(pos(&["False", "TRUE"]).as_deref(), Some("true"));
        assert_eq!(pos(&["no", "Yes"]).as_deref(), Some("Yes"));
        assert_eq!(pos(&["negative"]).as_deref(), Some("positive"));
        assert_eq!(pos(&["cat", "dog"]), None);
        assert_eq!(pos(&["0", "2"]), None);
    }
}
