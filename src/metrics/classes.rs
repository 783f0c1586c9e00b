//! The table of classes met while streaming rows.
//!
//! Each accumulator numbers classes in the order it meets them; a [`ClassTable`] maps raw cells to
//! those numbers through a small cache of exact spellings (so the hot path does no allocation and
//! no parsing for a spelling it has seen), and maps numbers back to canonical [`LabelKey`]s. Two
//! tables merge by key, giving the other side's numbers in this table's numbering.

use std::collections::HashMap;

use crate::label::LabelKey;

/// Spellings cached before the table stops caching new ones (protects memory when a column holds
/// unique values, e.g. an id picked by mistake).
const SPELLING_CACHE_LIMIT: usize = 4096;

/// Spellings checked by a linear scan before the hash map: labels are few and short.
const RECENT: usize = 8;

/// Classes numbered in the order they were met.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(try_from = "Vec<LabelKey>")]
pub struct ClassTable {
    keys: Vec<LabelKey>,
    by_key: HashMap<LabelKey, u32>,
    spellings: HashMap<Box<[u8]>, u32>,
    recent: Vec<(u64, u32)>,
}

/// A spelling of at most seven bytes packed with its length into one integer, so that the
/// common case (short labels) is found by comparing integers.
#[inline]
pub fn short_key(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 7 {
        return None;
    }
    // Loaded a word at a time, not copied: a copy of a run-time length is a call to memcpy.
    Some(super::fingerprint::short_word(bytes) | (bytes.len() as u64) << 56)
}

impl ClassTable {
    /// Number of classes met so far.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no class has been met.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The class's canonical key.
    pub fn key(&self, id: u32) -> &LabelKey {
        &self.keys[id as usize]
    }

    /// All keys, indexed by id.
    pub fn keys(&self) -> &[LabelKey] {
        &self.keys
    }

    /// The id of a class given by a raw cell; `None` when the cell is a missing value.
    #[inline]
    pub fn id_of_raw(&mut self, raw: &str) -> Option<u32> {
        let bytes = raw.as_bytes();
        let short = short_key(bytes);
        if let Some(key) = short {
            if let Some((_, id)) = self.recent.iter().find(|(s, _)| *s == key) {
                return Some(*id);
            }
        }
        if let Some(&id) = self.spellings.get(bytes) {
            return Some(id);
        }
        let key = LabelKey::parse(raw)?;
        let id = self.id_of_key(key);
        if let (Some(key), true) = (short, self.recent.len() < RECENT) {
            self.recent.push((key, id));
        }
        if self.spellings.len() < SPELLING_CACHE_LIMIT {
            self.spellings.insert(bytes.into(), id);
        }
        Some(id)
    }

    /// The id of a canonical key, adding it when new.
    pub fn id_of_key(&mut self, key: LabelKey) -> u32 {
        if let Some(&id) = self.by_key.get(&key) {
            return id;
        }
        let id = u32::try_from(self.keys.len()).expect("fewer than 2^32 classes");
        self.keys.push(key.clone());
        self.by_key.insert(key, id);
        id
    }

    /// The id of a key if it has been met.
    pub fn find(&self, key: &LabelKey) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    /// Adds the other table's classes; returns, for each of the other's ids, its id here.
    pub fn absorb(&mut self, other: &ClassTable) -> Vec<u32> {
        other
            .keys
            .iter()
            .map(|k| self.id_of_key(k.clone()))
            .collect()
    }
}

/// A class table serialises as its keys in id order; the caches are rebuilt on reading.
impl serde::Serialize for ClassTable {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.keys.serialize(serializer)
    }
}

impl TryFrom<Vec<LabelKey>> for ClassTable {
    type Error = String;

    fn try_from(keys: Vec<LabelKey>) -> Result<ClassTable, String> {
        let mut table = ClassTable::default();
        for key in keys {
            let n = table.len();
            if table.id_of_key(key.clone()) as usize != n {
                return Err(format!("class {key} is listed twice"));
            }
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_pack_the_bytes_and_the_length() {
        let text = b"abcdefgh";
        for n in 0..=7 {
            let mut buf = [0u8; 8];
            buf[..n].copy_from_slice(&text[..n]);
            buf[7] = n as u8;
            assert_eq!(short_key(&text[..n]), Some(u64::from_le_bytes(buf)), "{n}");
        }
        assert_eq!(short_key(text), None);
        assert_ne!(short_key(b"a"), short_key(b"a\0"));
    }

    #[test]
    fn spellings_of_one_class_share_an_id() {
        let mut t = ClassTable::default();
        let a = t.id_of_raw("1").unwrap();
        let b = t.id_of_raw("1.0").unwrap();
        let c = t.id_of_raw("0").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(t.len(), 2);
        assert!(t.id_of_raw("").is_none());
    }

    #[test]
    fn absorb_maps_ids_by_key() {
        let mut a = ClassTable::default();
        a.id_of_raw("x");
        let mut b = ClassTable::default();
        b.id_of_raw("y");
        b.id_of_raw("x");
        let map = a.absorb(&b);
        assert_eq!(map, vec![1, 0]);
    }
}
