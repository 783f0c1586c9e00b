//! Adaptive distinct sampling of hashed keys in bounded memory (Gibbons 2001, "Distinct
//! sampling for highly-accurate answers to distinct values queries and event reports").
//!
//! A key is kept when its hash has at least `level` leading zero bits, that is with probability
//! 2^−level. When the table grows past its cap the level rises by one, halving the sampling rate,
//! and the entries above the new bound are dropped. Every copy of a key shares its hash, so a
//! kept key has all its copies counted: per-key questions (is it duplicated? do its labels
//! disagree?) are answered exactly on the sample, and totals are scaled by 2^level. While the
//! level is 0 nothing was dropped and the answers are exact. The final sample depends only on
//! the set of keys, not on the order they came in or how the rows were split: merging two
//! samples takes the higher level and raises it again while over the cap.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

/// Entries kept before the sampling rate is halved.
pub const DEFAULT_CAP: usize = 1 << 18;

/// A hasher for keys that are already uniform 64-bit hashes.
///
/// The keys of a sample are not uniform in their top bits: every kept hash starts with `level`
/// zero bits. The hash table places a key by its low bits but tells keys apart in a group by
/// its top seven bits, so passed through as they are, kept keys would all carry the same tag and
/// every look-up would compare keys one by one. One multiply by an odd constant (a bijection)
/// spreads every bit into the top ones and leaves the low bits as uniform as they were.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassThrough(u64);

/// The odd multiplier of [`PassThrough`] (2^64 divided by the golden ratio).
const SPREAD: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(SPREAD)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by a hash that is already uniform.
pub type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// Something kept per key that merges with the entry of the same key from another sample.
pub trait Entry {
    /// Adds `other`, the entry of the same key.
    fn merge(&mut self, other: &Self);
}

/// Keys sampled by their hash, with an entry each.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DistinctSample<E> {
    /// Leading zero bits a kept hash has at least.
    level: u32,
    /// Entries kept before the level rises.
    cap: usize,
    /// The kept entries.
    entries: HashedMap<E>,
}

impl<E> Default for DistinctSample<E> {
    fn default() -> Self {
        DistinctSample {
            level: 0,
            cap: DEFAULT_CAP,
            entries: HashedMap::default(),
        }
    }
}

impl<E: Entry + Clone> DistinctSample<E> {
    /// An empty sample keeping at most `cap` entries.
    pub fn with_cap(cap: usize) -> DistinctSample<E> {
        DistinctSample {
            level: 0,
            cap: cap.max(1),
            entries: HashedMap::default(),
        }
    }

    /// Whether a hash is within the sampled range.
    #[inline]
    pub fn admits(&self, hash: u64) -> bool {
        hash.leading_zeros() >= self.level
    }

    /// The entry of `hash`: updated by `update` when present, else made by `make`. Returns
    /// nothing when the hash is outside the sampled range.
    #[inline]
    pub fn add(&mut self, hash: u64, make: impl FnOnce() -> E, update: impl FnOnce(&mut E)) {
        if !self.admits(hash) {
            return;
        }
        match self.entries.get_mut(&hash) {
            Some(e) => update(e),
            None => {
                self.entries.insert(hash, make());
                self.shrink();
            }
        }
    }

    /// Raises the level while there are too many entries.
    fn shrink(&mut self) {
        while self.entries.len() > self.cap && self.level < 64 {
            self.level += 1;
            let level = self.level;
            self.entries.retain(|&h, _| h.leading_zeros() >= level);
        }
    }

    /// Adds another sample's keys.
    pub fn merge(&mut self, other: &DistinctSample<E>) {
        if other.level > self.level {
            self.level = other.level;
            let level = self.level;
            self.entries.retain(|&h, _| h.leading_zeros() >= level);
        }
        for (&h, e) in &other.entries {
            if !self.admits(h) {
                continue;
            }
            match self.entries.get_mut(&h) {
                Some(mine) => mine.merge(e),
                None => {
                    self.entries.insert(h, e.clone());
                }
            }
        }
        self.shrink();
    }

    /// Whether no key was ever dropped (the sample is every key).
    pub fn exact(&self) -> bool {
        self.level == 0
    }

    /// The sampling level (kept hashes have at least this many leading zero bits).
    pub fn level(&self) -> u32 {
        self.level
    }

    /// How many keys each kept key stands for.
    pub fn scale(&self) -> f64 {
        2f64.powi(self.level as i32)
    }

    /// The kept entries by hash.
    pub fn entries(&self) -> &HashedMap<E> {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::fingerprint::of_line;

    #[derive(Debug, Clone, PartialEq)]
    struct Count(u64);
    impl Entry for Count {
        fn merge(&mut self, other: &Count) {
            self.0 += other.0;
        }
    }

    fn sample(keys: impl Iterator<Item = u64>, cap: usize) -> DistinctSample<Count> {
        let mut s = DistinctSample::with_cap(cap);
        for k in keys {
            s.add(of_line(k), || Count(1), |c| c.0 += 1);
        }
        s
    }

    #[test]
    fn kept_keys_get_spread_table_tags() {
        use std::hash::BuildHasher;
        // Keys a sample at level 16 keeps: the top 16 bits are zero.
        let tags: std::collections::HashSet<u64> = (0..10_000u64)
            .map(|k| of_line(k) >> 16)
            .map(|key| BuildHasherDefault::<PassThrough>::default().hash_one(key) >> 57)
            .collect();
        assert_eq!(tags.len(), 128, "the top seven bits take every value");
    }

    #[test]
    fn exact_below_the_cap() {
        let s = sample((0..100).chain(0..10), 1000);
        assert!(s.exact());
        assert_eq!(s.entries().len(), 100);
        assert_eq!(s.entries().values().filter(|c| c.0 == 2).count(), 10);
    }

    #[test]
    fn split_and_merged_equals_one_pass_and_estimates_the_count() {
        let keys: Vec<u64> = (0..20_000).chain(0..5_000).collect();
        let whole = sample(keys.iter().copied(), 1024);
        assert!(!whole.exact());
        for cut in [1, 7_000, 12_345, 24_000] {
            let mut a = sample(keys[..cut].iter().copied(), 1024);
            let b = sample(keys[cut..].iter().copied(), 1024);
            a.merge(&b);
            assert_eq!(a.level(), whole.level());
            let mut x: Vec<_> = a.entries().iter().map(|(h, c)| (*h, c.0)).collect();
            let mut y: Vec<_> = whole.entries().iter().map(|(h, c)| (*h, c.0)).collect();
            x.sort_unstable();
            y.sort_unstable();
            assert_eq!(x, y);
        }
        let estimate = whole.entries().len() as f64 * whole.scale();
        assert!((estimate - 20_000.0).abs() < 2_500.0, "{estimate}");
    }
}
