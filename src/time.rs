//! Reading timestamps: unix seconds or milliseconds, RFC 3339 date-times and plain dates, all
//! to seconds since the epoch (UTC).
//!
//! A number of 10^11 or more is taken for milliseconds (10^11 seconds is the year 5138).
//! Calendar dates use the proleptic Gregorian calendar (days-from-civil, H. Hinnant's
//! algorithm).

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date and time of seconds since the epoch, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_time(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    crate::text::as_text(s).ok()?.parse().ok()
}

/// Seconds since the epoch of a timestamp cell, or `None` if it is not one.
pub fn parse_time(text: &[u8]) -> Option<i64> {
    let s = text.trim_ascii();
    if s.is_empty() {
        return None;
    }
    if s.iter().all(|b| b.is_ascii_digit() || *b == b'.') && s[0] != b'.' {
        let v: f64 = crate::text::as_text(s).ok()?.parse().ok()?;
        let secs = if v >= 1e11 { v / 1000.0 } else { v };
        return Some(secs.floor() as i64);
    }
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut t = days_from_civil(y, m, d) * 86_400;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(t);
    }
    if !(rest[0] == b'T' || rest[0] == b't' || rest[0] == b' ') || rest.len() < 6 {
        return None;
    }
    let clock = &rest[1..];
    let (h, min) = (digits(clock.get(0..2)?)?, digits(clock.get(3..5)?)?);
    if clock[2] != b':' || h > 23 || min > 59 {
        return None;
    }
    let mut i = 5;
    let mut sec = 0;
    if clock.get(i) == Some(&b':') {
        sec = digits(clock.get(i + 1..i + 3)?)?;
        if sec > 60 {
            return None;
        }
        i += 3;
        if clock.get(i) == Some(&b'.') {
            i += 1;
            while clock.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    t += h * 3600 + min * 60 + sec;
    match clock.get(i..)? {
        [] | [b'Z'] | [b'z'] => Some(t),
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let off = digits(&[*oh1, *oh2])? * 3600 + digits(&[*om1, *om2])? * 60;
            Some(if *sign == b'+' { t - off } else { t + off })
        }
        _ => None,
    }
}

/// A window width: `30m`, `1h`, `6h`, `1d`, `7d` (seconds), or `10000rows` (rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WindowWidth {
    /// A span of time, in seconds.
    Seconds(i64),
    /// A number of consecutive rows.
    Rows(i64),
}

/// Parses a window width; `None` when it is not one.
pub fn parse_window(spec: &str) -> Option<WindowWidth> {
    let s = spec.trim();
    if let Some(n) = s.strip_suffix("rows") {
        return n
            .trim()
            .parse()
            .ok()
            .filter(|&n: &i64| n > 0)
            .map(WindowWidth::Rows);
    }
    let unit = match s.chars().last()? {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let n: i64 = s[..s.len() - 1].parse().ok().filter(|&n: &i64| n > 0)?;
    Some(WindowWidth::Seconds(n * unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_time(b"1767225600"), Some(1_767_225_600));
        assert_eq!(parse_time(b"1767225600123"), Some(1_767_225_600));
        assert_eq!(parse_time(b"2026-01-01"), Some(1_767_225_600));
        assert_eq!(parse_time(b"2026-01-01T00:00:00Z"), Some(1_767_225_600));
        assert_eq!(parse_time(b"2026-01-01 01:30"), Some(1_767_225_600 + 5400));
        assert_eq!(
            parse_time(b"2026-01-01T02:00:00.250+02:00"),
            Some(1_767_225_600)
        );
        assert_eq!(parse_time(b"1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time(b"yesterday"), None);
        assert_eq!(parse_time(b"2026-13-01"), None);
        assert_eq!(format_time(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(format_time(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn windows() {
        assert_eq!(parse_window("1h"), Some(WindowWidth::Seconds(3600)));
        assert_eq!(parse_window("7d"), Some(WindowWidth::Seconds(604_800)));
        assert_eq!(parse_window("10000rows"), Some(WindowWidth::Rows(10_000)));
        assert_eq!(parse_window("0h"), None);
        assert_eq!(parse_window("x"), None);
    }
}
