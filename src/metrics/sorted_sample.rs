//! Adaptive distinct sampling of hashed keys (as [`DistinctSample`](super::distinct)) kept as
//! one sorted run, for keys met once per row: the row audit's duplicate-record table.
//!
//! A hash table probes a random place of a table of megabytes for every sampled row, a cache
//! miss each time. Here a sampled key is appended with its line to a buffer, and the buffer,
//! sorted, is merged into the run in one sequential pass once it holds half as many keys as
//! the run (or a minimum batch): each kept key is moved a bounded number of times per key
//! added, and nothing is probed at random. The sampling is that of [`DistinctSample`]: a key
//! is kept when its hash has at least `level` leading zero bits, and the level rises while
//! more than `cap` keys are kept. The level is checked as keys are merged rather than as they
//! come, which changes nothing kept in the end: that depends only on the set of keys (the final
//! level is the lowest at which at most `cap` of them are kept), and every copy of a kept key
//! is counted. Saved states hold the same fields as a [`DistinctSample`]'s.
//!
//! [`DistinctSample`]: super::distinct::DistinctSample

use std::borrow::Cow;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};

use super::distinct::{Entry, HashedMap};

/// Keys buffered at least before they are merged into the run.
const MIN_BATCH: usize = 4096;

/// What is kept per key: made from the line of its first row met, added to by the lines of the
/// others (in any order), merged with the entry of the same key from another sample.
pub trait LineEntry: Entry + Clone {
    /// The entry of a key met once, at `line`, in place `place` (an id the owner of the sample
    /// gives; see [`SortedSample::map_places`]).
    fn first(line: u64, place: u32) -> Self;
    /// Adds another row of the key, at `line`.
    fn add(&mut self, line: u64);
    /// Renumbers the entry's place.
    fn map_place(&mut self, _f: &dyn Fn(u32) -> u32) {}
}

/// Keys sampled by their hash, with an entry each, in one sorted run.
#[derive(Debug, Clone)]
pub struct SortedSample<E> {
    /// Leading zero bits a kept hash has at least.
    level: u32,
    /// Entries kept before the level rises.
    cap: usize,
    /// The kept entries, ascending by hash.
    entries: Vec<(u64, E)>,
    /// Sampled (hash, line, place) not yet merged into `entries`.
    pending: Vec<(u64, u64, u32)>,
}

impl<E: LineEntry> SortedSample<E> {
    /// An empty sample keeping at most `cap` entries.
    pub fn with_cap(cap: usize) -> SortedSample<E> {
        SortedSample {
            level: 0,
            cap: cap.max(1),
            entries: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Whether a hash is within the sampled range.
    #[inline]
    pub fn admits(&self, hash: u64) -> bool {
        hash.leading_zeros() >= self.level
    }

    /// Counts a row of key `hash` at `line` in `place` (nothing when the hash is outside the
    /// sampled range).
    #[inline]
    pub fn add(&mut self, hash: u64, line: u64, place: u32) {
        if !self.admits(hash) {
            return;
        }
        self.pending.push((hash, line, place));
        if self.pending.len() >= (self.entries.len() / 2).max(MIN_BATCH) {
            self.flush();
        }
    }

    /// Merges the buffered keys into the run, then raises the level while over the cap.
    pub fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_unstable_by_key(|p| p.0);
        let level = self.level;
        let old = std::mem::take(&mut self.entries);
        let mut merged = Vec::with_capacity(old.len() + pending.len());
        let mut old = old.into_iter().peekable();
        let mut rows = pending
            .iter()
            .filter(|p| p.0.leading_zeros() >= level)
            .peekable();
        while let Some(&(hash, line, place)) = rows.next() {
            while let Some(kept) = old.next_if(|e| e.0 < hash) {
                merged.push(kept);
            }
            let mut entry = match old.next_if(|e| e.0 == hash) {
                Some((_, mut e)) => {
                    e.add(line);
                    e
                }
                None => E::first(line, place),
            };
            while let Some(&(_, line, _)) = rows.next_if(|p| p.0 == hash) {
                entry.add(line);
            }
            merged.push((hash, entry));
        }
        merged.extend(old);
        self.entries = merged;
        pending.clear();
        self.pending = pending;
        self.shrink();
    }

    /// Raises the level while there are too many entries.
    fn shrink(&mut self) {
        while self.entries.len() > self.cap && self.level < 64 {
            self.level += 1;
            let level = self.level;
            self.entries.retain(|e| e.0.leading_zeros() >= level);
        }
    }

    /// Adds another sample's keys.
    pub fn merge(&mut self, other: &SortedSample<E>) {
        self.flush();
        if other.level > self.level {
            self.level = other.level;
            let level = self.level;
            self.entries.retain(|e| e.0.leading_zeros() >= level);
        }
        let level = self.level;
        let mine = std::mem::take(&mut self.entries);
        let mut merged = Vec::with_capacity(mine.len() + other.entries.len());
        let mut mine = mine.into_iter().peekable();
        for (hash, theirs) in other
            .entries
            .iter()
            .filter(|e| e.0.leading_zeros() >= level)
        {
            while let Some(kept) = mine.next_if(|e| e.0 < *hash) {
                merged.push(kept);
            }
            match mine.next_if(|e| e.0 == *hash) {
                Some((_, mut e)) => {
                    e.merge(theirs);
                    merged.push((*hash, e));
                }
                None => merged.push((*hash, theirs.clone())),
            }
        }
        merged.extend(mine);
        self.entries = merged;
        self.pending.extend_from_slice(&other.pending);
        self.flush();
        self.shrink();
    }

    /// Renumbers the places of every entry and buffered key (for merging with a sample whose
    /// owner numbers places otherwise).
    pub fn map_places(&mut self, f: &dyn Fn(u32) -> u32) {
        for (_, e) in &mut self.entries {
            e.map_place(f);
        }
        for p in &mut self.pending {
            p.2 = f(p.2);
        }
    }

    /// This sample with every buffered key merged (borrowed when none is buffered).
    fn settled(&self) -> Cow<'_, SortedSample<E>> {
        match self.pending.is_empty() {
            true => Cow::Borrowed(self),
            false => {
                let mut s = self.clone();
                s.flush();
                Cow::Owned(s)
            }
        }
    }

    /// Whether no key was ever dropped (the sample is every key).
    pub fn exact(&self) -> bool {
        self.settled().level == 0
    }

    /// How many keys each kept key stands for.
    pub fn scale(&self) -> f64 {
        2f64.powi(self.settled().level as i32)
    }

    /// Calls `f` with every kept entry, ascending by hash.
    pub fn for_each_entry(&self, mut f: impl FnMut(&E)) {
        self.settled().entries.iter().for_each(|e| f(&e.1));
    }

    /// [`for_each_entry`](Self::for_each_entry), returning [`scale`](Self::scale), with the
    /// buffered keys merged once for both.
    pub fn for_each_entry_scaled(&self, mut f: impl FnMut(&E)) -> f64 {
        let settled = self.settled();
        settled.entries.iter().for_each(|e| f(&e.1));
        2f64.powi(settled.level as i32)
    }
}

impl<E: LineEntry + Serialize> Serialize for SortedSample<E> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// The entries as a map from hash to entry, as a [`DistinctSample`] writes them.
        ///
        /// [`DistinctSample`]: super::distinct::DistinctSample
        struct AsMap<'a, E>(&'a [(u64, E)]);
        impl<E: Serialize> Serialize for AsMap<'_, E> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(h, e)| (h, e)))
            }
        }
        let settled = self.settled();
        let mut st = s.serialize_struct("SortedSample", 3)?;
        st.serialize_field("level", &settled.level)?;
        st.serialize_field("cap", &settled.cap)?;
        st.serialize_field("entries", &AsMap(&settled.entries))?;
        st.end()
    }
}

impl<'de, E: LineEntry + Deserialize<'de>> Deserialize<'de> for SortedSample<E> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SortedSample<E>, D::Error> {
        #[derive(Deserialize)]
        struct Stored<E> {
            level: u32,
            cap: usize,
            entries: HashedMap<E>,
        }
        let stored = Stored::<E>::deserialize(d)?;
        let mut entries: Vec<(u64, E)> = stored.entries.into_iter().collect();
        entries.sort_unstable_by_key(|e| e.0);
        Ok(SortedSample {
            level: stored.level,
            cap: stored.cap.max(1),
            entries,
            pending: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::distinct::DistinctSample;

    /// An entry that keeps every line, sorted.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Lines(Vec<u64>);

    impl Entry for Lines {
        fn merge(&mut self, other: &Lines) {
            self.0.extend_from_slice(&other.0);
            self.0.sort_unstable();
        }
    }

    impl LineEntry for Lines {
        fn first(line: u64, _place: u32) -> Lines {
            Lines(vec![line])
        }
        fn add(&mut self, line: u64) {
            self.0.push(line);
            self.0.sort_unstable();
        }
    }

    /// Keys with a few repeats and a spread of leading zeros.
    fn keys(n: u64, seed: u64) -> Vec<u64> {
        (0..n)
            .map(|i| {
                let x = super::super::fingerprint::of_line((i % (n / 3 + 1)) ^ seed);
                x >> (x % 7)
            })
            .collect()
    }

    fn of_hash_table(keys: &[(u64, u64)], cap: usize) -> (u32, Vec<(u64, Lines)>) {
        let mut d = DistinctSample::<Lines>::with_cap(cap);
        for &(h, line) in keys {
            d.add(h, || Lines(vec![line]), |e| e.add(line));
        }
        let mut entries: Vec<(u64, Lines)> =
            d.entries().iter().map(|(h, e)| (*h, e.clone())).collect();
        entries.sort_unstable_by_key(|e| e.0);
        (d.level(), entries)
    }

    fn of_sorted(s: &SortedSample<Lines>) -> (u32, Vec<(u64, Lines)>) {
        let s = s.settled();
        (s.level, s.entries.clone())
    }

    #[test]
    fn keeps_what_a_hash_table_keeps() {
        for (n, cap) in [(100, 1000), (20_000, 1000), (50_000, 5000), (9_000, 1)] {
            let rows: Vec<(u64, u64)> = keys(n, n).into_iter().zip(1..).collect();
            let mut s = SortedSample::<Lines>::with_cap(cap);
            for &(h, line) in &rows {
                s.add(h, line, 0);
            }
            assert_eq!(
                of_sorted(&s),
                of_hash_table(&rows, cap),
                "{n} rows, cap {cap}"
            );
            assert_eq!(s.exact(), of_hash_table(&rows, cap).0 == 0);
        }
    }

    #[test]
    fn merges_to_what_one_pass_keeps() {
        let rows: Vec<(u64, u64)> = keys(30_000, 5).into_iter().zip(1..).collect();
        let mut whole = SortedSample::<Lines>::with_cap(2000);
        for &(h, line) in &rows {
            whole.add(h, line, 0);
        }
        for split in [0, 7, 12_345, 29_999] {
            let (a, b) = rows.split_at(split);
            let (mut x, mut y) = (
                SortedSample::<Lines>::with_cap(2000),
                SortedSample::<Lines>::with_cap(2000),
            );
            // Buffered keys are left in `y` on purpose: merging must take them too.
            a.iter().for_each(|&(h, l)| x.add(h, l, 0));
            b.iter().for_each(|&(h, l)| y.add(h, l, 0));
            x.merge(&y);
            assert_eq!(of_sorted(&x), of_sorted(&whole), "split at {split}");
        }
    }

    #[test]
    fn saved_states_read_back_and_read_a_hash_tables() {
        let rows: Vec<(u64, u64)> = keys(20_000, 9).into_iter().zip(1..).collect();
        let mut s = SortedSample::<Lines>::with_cap(500);
        let mut d = DistinctSample::<Lines>::with_cap(500);
        for &(h, line) in &rows {
            s.add(h, line, 0);
            d.add(h, || Lines(vec![line]), |e| e.add(line));
        }
        let json = serde_json::to_string(&s).unwrap();
        let back: SortedSample<Lines> = serde_json::from_str(&json).unwrap();
        assert_eq!(of_sorted(&back), of_sorted(&s));
        let from_table: SortedSample<Lines> =
            serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(of_sorted(&from_table), of_sorted(&s));
        assert_eq!(
            serde_json::to_value(&from_table).unwrap(),
            serde_json::to_value(&s).unwrap()
        );
    }
}
