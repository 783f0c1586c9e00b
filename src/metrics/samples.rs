//! The scores of every row, kept per true class: the exact state behind ranking and
//! calibration metrics.
//!
//! ROC AUC and average precision depend on the order of all scores, so no fixed-size summary
//! gives them exactly; the samples are kept as one `f64` per row for a binary score (8 bytes a
//! row) or one per class for probabilities, grouped by the row's true class so that which class
//! is positive can be decided at the end. Merging appends, which keeps merged states exact. A
//! class's rows are held in parts: a merge that consumes the other state moves its parts in
//! instead of copying them beside its own (see [`ScoreSamples::absorb_mapped`]).

use serde::ser::SerializeStruct;

/// Scores grouped by true class id.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(from = "FlatSamples")]
pub struct ScoreSamples {
    /// Values per row: 1 for a binary score, the number of classes for probabilities.
    width: usize,
    /// Per true class id, the parts of its rows, `width` values per row, in row order.
    by_class: Vec<Vec<Vec<f64>>>,
}

/// How samples are written: each class's rows as one list.
#[derive(serde::Deserialize)]
struct FlatSamples {
    width: usize,
    by_class: Vec<Vec<f64>>,
}

impl From<FlatSamples> for ScoreSamples {
    fn from(flat: FlatSamples) -> ScoreSamples {
        let by_class = (flat.by_class.into_iter())
            .map(|values| {
                if values.is_empty() {
                    Vec::new()
                } else {
                    vec![values]
                }
            })
            .collect();
        ScoreSamples {
            width: flat.width,
            by_class,
        }
    }
}

impl serde::Serialize for ScoreSamples {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// One class's parts, written as one list.
        struct Class<'a>(&'a [Vec<f64>]);
        impl serde::Serialize for Class<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().flatten())
            }
        }
        /// The classes.
        struct Classes<'a>(&'a [Vec<Vec<f64>>]);
        impl serde::Serialize for Classes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|parts| Class(parts)))
            }
        }
        let mut s = serializer.serialize_struct("ScoreSamples", 2)?;
        s.serialize_field("width", &self.width)?;
        s.serialize_field("by_class", &Classes(&self.by_class))?;
        s.end()
    }
}

/// Samples are equal when they hold the same rows in the same order, however they are split.
impl PartialEq for ScoreSamples {
    fn eq(&self, other: &ScoreSamples) -> bool {
        let classes = self.by_class.len().max(other.by_class.len());
        self.width == other.width
            && (0..classes).all(|t| {
                let mine = self.by_class.get(t).into_iter().flatten().flatten();
                let theirs = other.by_class.get(t).into_iter().flatten().flatten();
                mine.eq(theirs)
            })
    }
}

impl ScoreSamples {
    /// Values per row (0 before the first row).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether no scores were kept.
    pub fn is_empty(&self) -> bool {
        self.by_class.iter().flatten().all(Vec::is_empty)
    }

    /// Keeps one row's values for true class `t`.
    #[inline]
    pub fn push(&mut self, t: u32, values: &[f64]) {
        self.width = values.len();
        let t = t as usize;
        if self.by_class.len() <= t {
            self.by_class.resize_with(t + 1, Vec::new);
        }
        let parts = &mut self.by_class[t];
        match parts.last_mut() {
            Some(last) => last.extend_from_slice(values),
            None => parts.push(values.to_vec()),
        }
    }

    /// The parts of class `remap[t]` here for class `t` of another state.
    fn parts_for(&mut self, width: usize, remap: &[u32], t: usize) -> &mut Vec<Vec<f64>> {
        if width > 0 {
            self.width = width;
        }
        let id = remap[t] as usize;
        if self.by_class.len() <= id {
            self.by_class.resize_with(id + 1, Vec::new);
        }
        &mut self.by_class[id]
    }

    /// Appends another state's samples, its class `i` being class `remap[i]` here.
    pub fn merge_mapped(&mut self, other: &ScoreSamples, remap: &[u32]) {
        for (t, parts) in other.by_class.iter().enumerate() {
            let values: Vec<f64> = parts.iter().flatten().copied().collect();
            if !values.is_empty() {
                self.parts_for(other.width, remap, t).push(values);
            }
        }
    }

    /// Appends another state's samples, as [`merge_mapped`](Self::merge_mapped) does, moving
    /// its parts in.
    pub fn absorb_mapped(&mut self, other: ScoreSamples, remap: &[u32]) {
        for (t, parts) in other.by_class.into_iter().enumerate() {
            let parts: Vec<Vec<f64>> = parts.into_iter().filter(|p| !p.is_empty()).collect();
            if !parts.is_empty() {
                self.parts_for(other.width, remap, t).extend(parts);
            }
        }
    }

    /// Whether the samples fit `classes` classes, `width` finite values a row (checked on states
    /// read from files).
    pub fn is_well_formed(&self, classes: usize) -> bool {
        self.by_class.len() <= classes
            && self.by_class.iter().flatten().all(|v| {
                (self.width == 0 && v.is_empty() || self.width > 0 && v.len() % self.width == 0)
                    && v.iter().all(|x| x.is_finite())
            })
    }

    /// Rows kept.
    pub fn rows(&self) -> u64 {
        let values: usize = self.by_class.iter().flatten().map(Vec::len).sum();
        values.checked_div(self.width).unwrap_or(0) as u64
    }

    /// The rows of true class `t` kept (`width` values each).
    pub fn rows_of_class(&self, t: usize) -> usize {
        let values: usize = self
            .by_class
            .get(t)
            .into_iter()
            .flatten()
            .map(Vec::len)
            .sum();
        values.checked_div(self.width).unwrap_or(0)
    }

    /// The rows of true class `t`, `width` values each, in order.
    pub fn of_class(&self, t: usize) -> impl Iterator<Item = &[f64]> + Clone {
        let width = self.width.max(1);
        (self.by_class.get(t).into_iter().flatten()).flat_map(move |part| part.chunks_exact(width))
    }

    /// Takes the samples out, per true class id, each class in parts.
    pub fn into_classes(self) -> Vec<Vec<Vec<f64>>> {
        self.by_class
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(rows: &[(u32, [f64; 2])]) -> ScoreSamples {
        let mut s = ScoreSamples::default();
        for (t, values) in rows {
            s.push(*t, values);
        }
        s
    }

    #[test]
    fn moved_parts_equal_copied_rows_and_write_alike() {
        let a = [(0, [0.1, 0.9]), (1, [0.7, 0.3])];
        let b = [(1, [0.2, 0.8]), (0, [0.6, 0.4]), (1, [0.5, 0.5])];
        // b's class 0 is class 1 here and the other way round.
        let remap = [1, 0];
        let mut copied = samples(&a);
        copied.merge_mapped(&samples(&b), &remap);
        let mut moved = samples(&a);
        moved.absorb_mapped(samples(&b), &remap);
        let mut whole = samples(&a);
        for (t, values) in b {
            whole.push(remap[t as usize], &values);
        }
        assert_eq!(moved, whole);
        assert_eq!(copied, whole);
        assert_eq!(moved.by_class[0].len(), 2, "a part moved in");
        let rows: Vec<&[f64]> = moved.of_class(0).collect();
        assert_eq!(rows, [&[0.1, 0.9][..], &[0.2, 0.8], &[0.5, 0.5]]);
        assert_eq!((moved.rows(), moved.rows_of_class(0)), (5, 3));
        let json = serde_json::to_string(&moved).unwrap();
        assert_eq!(json, serde_json::to_string(&whole).unwrap());
        assert_eq!(
            json,
            r#"{"width":2,"by_class":[[0.1,0.9,0.2,0.8,0.5,0.5],[0.7,0.3,0.6,0.4]]}"#
        );
        let read: ScoreSamples = serde_json::from_str(&json).unwrap();
        assert_eq!(read, whole);
    }
}
