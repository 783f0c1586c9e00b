//! Remembering what a cell decoded to, by its raw bytes, so that a spelling seen before skips
//! the decoding.
//!
//! A prediction log repeats a handful of spellings in its label, prediction and segment columns
//! millions of times. Decoding one (UTF-8 check, trimming, the missing-value test, the class or
//! segment look-up) costs far more than comparing it with the few spellings already met. A
//! [`CellMemo`] maps a raw cell to the number the full decoding gave it; it learns only from
//! rows that decoded without a problem, so a hit always stands for exactly what the full path
//! would have done, and a miss simply takes the full path.

use super::decode::Fields;

/// Spellings remembered per column: labels and segments are few; a column with more distinct
/// values (an id picked by mistake) takes the full path, which handles it.
const MEMO_LIMIT: usize = 16;

/// Raw cells of one column and the numbers they decoded to.
#[derive(Debug, Clone, Default)]
pub struct CellMemo {
    /// Cells under eight bytes, as their padded little-endian word with the length on top.
    short: Vec<(u64, u32)>,
    /// Longer cells, as their bytes.
    long: Vec<(Box<[u8]>, u32)>,
}

/// A cell under eight bytes as one integer: its bytes (zero-padded) with its length on top.
#[inline(always)]
fn short_key<R: Fields>(rec: &R, i: usize) -> Option<u64> {
    match rec.short_word(i) {
        Some((word, len)) => Some(word | (len as u64) << 56),
        None => crate::metrics::classes::short_key(rec.field(i)),
    }
}

impl CellMemo {
    /// What field `i` of `rec` decoded to when it was last met, if remembered.
    #[inline(always)]
    pub fn get<R: Fields>(&self, rec: &R, i: usize) -> Option<u32> {
        match short_key(rec, i) {
            Some(key) => self.short.iter().find(|e| e.0 == key).map(|e| e.1),
            None if self.long.is_empty() => None,
            None => {
                let cell = rec.field(i);
                self.long.iter().find(|e| *e.0 == *cell).map(|e| e.1)
            }
        }
    }

    /// Whether another spelling can still be remembered.
    #[inline]
    pub fn has_room(&self) -> bool {
        self.short.len() + self.long.len() < MEMO_LIMIT
    }

    /// Remembers that field `i` of `rec` decoded to `value` (when there is room).
    pub fn learn<R: Fields>(&mut self, rec: &R, i: usize, value: u32) {
        if !self.has_room() || self.get(rec, i).is_some() {
            return;
        }
        match short_key(rec, i) {
            Some(key) => self.short.push((key, value)),
            None => self.long.push((rec.field(i).into(), value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use csv::ByteRecord;

    #[test]
    fn remembers_short_and_long_cells_exactly() {
        let mut memo = CellMemo::default();
        let rec = ByteRecord::from(vec!["ios", "partner-network", "io", ""]);
        assert_eq!(memo.get(&rec, 0), None);
        memo.learn(&rec, 0, 7);
        memo.learn(&rec, 1, 9);
        memo.learn(&rec, 3, 2);
        assert_eq!(memo.get(&rec, 0), Some(7));
        assert_eq!(memo.get(&rec, 1), Some(9));
        assert_eq!(memo.get(&rec, 3), Some(2));
        // A prefix, a longer spelling and padding are other cells.
        assert_eq!(memo.get(&rec, 2), None);
        let other = ByteRecord::from(vec!["ios ", "partner-networks", "ios\0"]);
        for i in 0..3 {
            assert_eq!(memo.get(&other, i), None, "field {i}");
        }
        // The first value learnt for a cell stays.
        memo.learn(&rec, 0, 8);
        assert_eq!(memo.get(&rec, 0), Some(7));
    }

    #[test]
    fn stops_learning_when_full() {
        let mut memo = CellMemo::default();
        for v in 0..MEMO_LIMIT as u32 + 5 {
            let rec = ByteRecord::from(vec![v.to_string()]);
            memo.learn(&rec, 0, v);
        }
        assert!(!memo.has_room());
        let last = ByteRecord::from(vec![(MEMO_LIMIT + 1).to_string()]);
        assert_eq!(memo.get(&last, 0), None);
        let first = ByteRecord::from(vec!["0"]);
        assert_eq!(memo.get(&first, 0), Some(0));
    }
}
