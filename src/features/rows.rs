//! The rows behind a broken or moved feature, for the issues export: the cells a feature check
//! found at fault (missing, not numbers, the value that took over the column, beyond the
//! reference's range, in a category the reference never had), in the segment and from the
//! window the feature broke in.
//!
//! The summaries keep no rows, so the rows are found by reading the input a second time, once
//! the checks have said what to look for; only then is it known which cells are faulty.

use std::collections::BTreeSet;

use csv::ByteRecord;

use super::{Cell, LogHistogram};
use crate::io::records::{RecordError, Records};

/// What makes one cell of a feature faulty.
#[derive(Debug, Clone, PartialEq)]
pub enum RowRule {
    /// The cell is missing (the feature's missing share rose).
    Missing,
    /// The cell is not a number (in a numeric feature).
    NotNumber,
    /// The cell holds the value that took over the column: the same text, or for a number the
    /// same histogram bucket (`key`).
    Value {
        /// The value as the report shows it.
        text: String,
        /// Its bucket, for a number.
        key: Option<i32>,
    },
    /// The number lies beyond the reference's range by more than the histogram's accuracy
    /// (as the report's `out_of_range_share` counts it).
    Outside {
        /// The reference's smallest value.
        low: f64,
        /// The reference's largest value.
        high: f64,
    },
    /// The category is none of the reference's.
    NewCategory(BTreeSet<String>),
}

impl RowRule {
    /// Whether `cell` is at fault.
    pub fn matches(&self, cell: &Cell<'_>) -> bool {
        match (self, cell) {
            (RowRule::Missing, Cell::Missing) => true,
            (RowRule::NotNumber, Cell::Text(_)) => true,
            (RowRule::Value { key: Some(k), .. }, Cell::Number(_, key, _)) => key == k,
            (RowRule::Value { text, key: None }, Cell::Number(_, _, t) | Cell::Text(t)) => {
                t == text
            }
            (RowRule::Outside { low, high }, Cell::Number(_, key, _)) => {
                *key < LogHistogram::key(*low) || *key > LogHistogram::key(*high)
            }
            (RowRule::NewCategory(new), Cell::Number(_, _, t) | Cell::Text(t)) => new.contains(*t),
            _ => false,
        }
    }

    /// Why a row with `cell` in `feature` is listed.
    pub fn reason(&self, feature: &str, cell: &str) -> String {
        match self {
            RowRule::Missing => format!("{feature} is missing"),
            RowRule::NotNumber => format!("{feature} is '{cell}', not a number"),
            RowRule::Value { text, .. } => {
                format!("{feature} is {cell}, the value ({text}) that took over the column")
            }
            RowRule::Outside { low, high } => format!(
                "{feature} is {cell}, beyond the reference's range [{}, {}]",
                crate::stats::significant(*low, 4),
                crate::stats::significant(*high, 4)
            ),
            RowRule::NewCategory(_) => {
                format!("{feature} is '{cell}', a category the reference never had")
            }
        }
    }
}

/// The faulty rows of one feature: which cells, in which segment, from when.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultyRows {
    /// Which cells.
    pub rule: RowRule,
    /// Only the rows of this segment (column, value), when the fault is confined to one.
    pub segment: Option<(String, String)>,
    /// Only the rows from this place on the window axis on (seconds since the epoch along a
    /// time column, else line numbers), when the feature broke during the data.
    pub since: Option<i64>,
}

/// Where the columns a search reads are in the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowColumns {
    /// The time column, when the window axis is time.
    pub time: Option<usize>,
    /// The id column, if any.
    pub id: Option<usize>,
}

/// A row found at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundRow {
    /// Which search (its place in the searches given).
    pub search: usize,
    /// The row's line in the input.
    pub line: u64,
    /// The feature's cell, as written (trimmed).
    pub cell: String,
    /// The row's id, when there is an id column.
    pub id: Option<String>,
}

/// One feature's search: its column and what to look for.
#[derive(Debug, Clone, PartialEq)]
pub struct Search<'a> {
    /// The feature column's position.
    pub column: usize,
    /// The segment column's position, for a fault confined to a segment.
    pub segment_column: Option<usize>,
    /// What to look for.
    pub faulty: &'a FaultyRows,
}

/// One feature finding's rows at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRows {
    /// The feature.
    pub feature: String,
    /// The finding's code.
    pub finding: String,
    /// What made the rows faulty.
    pub rule: RowRule,
    /// The rows, in line order.
    pub rows: Vec<FoundRow>,
}

/// What the second reading found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultyRowsFound {
    /// Per feature finding with rows at fault.
    pub features: Vec<FeatureRows>,
    /// Rows found beyond the cap and left out.
    pub left_out: u64,
    /// Whether there were rows to look for but the input cannot be read again (standard
    /// input, Parquet or Arrow).
    pub unread: bool,
}

/// Reads `records` and returns the rows each of `searches` finds, in line order, at most
/// `cap` of them (the second value: how many more were found and left out).
pub fn find(
    records: &mut Records,
    columns: &RowColumns,
    searches: &[Search<'_>],
    cap: usize,
) -> Result<(Vec<FoundRow>, u64), RecordError> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    let mut rec = ByteRecord::new();
    let (mut found, mut more) = (Vec::new(), 0u64);
    while let Some(line) = records.next_record(&mut rec)? {
        let field = |i: usize| rec.get(i).unwrap_or_default();
        let at = match columns.time {
            Some(col) => crate::time::parse_time(field(col)),
            None => Some(line as i64),
        };
        for (s, search) in searches.iter().enumerate() {
            let f = search.faulty;
            if f.since.is_some_and(|since| at.is_none_or(|at| at < since)) {
                continue;
            }
            if let (Some(col), Some((_, value))) = (search.segment_column, &f.segment) {
                if text(field(col)) != *value {
                    continue;
                }
            }
            let cell = String::from_utf8_lossy(field(search.column));
            if !f.rule.matches(&Cell::of(&cell)) {
                continue;
            }
            if found.len() >= cap {
                more += 1;
                continue;
            }
            found.push(FoundRow {
                search: s,
                line,
                cell: cell.trim().to_string(),
                id: columns.id.map(|i| text(field(i))),
            });
        }
    }
    Ok((found, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_the_cells_the_checks_count() {
        let cell = |t: &'static str| Cell::of(t);
        assert!(RowRule::Missing.matches(&cell(" NA ")));
        assert!(!RowRule::Missing.matches(&cell("0")));
        assert!(RowRule::NotNumber.matches(&cell("abc")));
        assert!(!RowRule::NotNumber.matches(&cell("1e3")));
        let zero = RowRule::Value {
            text: "0".into(),
            key: Some(LogHistogram::key(0.0)),
        };
        assert!(zero.matches(&cell("0.0")) && zero.matches(&cell("-0")));
        assert!(!zero.matches(&cell("0.5")) && !zero.matches(&cell("")));
        let outside = RowRule::Outside {
            low: 10.0,
            high: 100.0,
        };
        // Within the histogram's accuracy of the range is not beyond it.
        assert!(!outside.matches(&cell("100.5")) && !outside.matches(&cell("50")));
        assert!(outside.matches(&cell("5000")) && outside.matches(&cell("-3")));
        assert!(!outside.matches(&cell("")));
        let new = RowRule::NewCategory(["tablet".to_string()].into());
        assert!(new.matches(&cell("tablet")) && !new.matches(&cell("ios")));
    }
}
