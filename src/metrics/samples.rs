//! The scores of every row, kept per true class: the exact state behind ranking and
//! calibration metrics.
//!
//! ROC AUC and average precision depend on the order of all scores, so no fixed-size summary
//! gives them exactly; the samples are kept as one `f64` per row for a binary score (8 bytes a
//! row) or one per class for probabilities, grouped by the row's true class so that which class
//! is positive can be decided at the end. Merging appends, which keeps merged states exact.

/// Scores grouped by true class id.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoreSamples {
    /// Values per row: 1 for a binary score, the number of classes for probabilities.
    width: usize,
    /// Per true class id, `width` values per row.
    by_class: Vec<Vec<f64>>,
}

impl ScoreSamples {
    /// Values per row (0 before the first row).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether no scores were kept.
    pub fn is_empty(&self) -> bool {
        self.by_class.iter().all(Vec::is_empty)
    }

    /// Keeps one row's values for true class `t`.
    #[inline]
    pub fn push(&mut self, t: u32, values: &[f64]) {
        self.width = values.len();
        let t = t as usize;
        if self.by_class.len() <= t {
            self.by_class.resize_with(t + 1, Vec::new);
        }
        self.by_class[t].extend_from_slice(values);
    }

    /// Appends another state's samples, its class `i` being class `remap[i]` here.
    pub fn merge_mapped(&mut self, other: &ScoreSamples, remap: &[u32]) {
        if other.width > 0 {
            self.width = other.width;
        }
        for (t, values) in other.by_class.iter().enumerate() {
            if values.is_empty() {
                continue;
            }
            let id = remap[t] as usize;
            if self.by_class.len() <= id {
                self.by_class.resize_with(id + 1, Vec::new);
            }
            self.by_class[id].extend_from_slice(values);
        }
    }

    /// Whether the samples fit `classes` classes, `width` finite values a row (checked on states
    /// read from files).
    pub fn is_well_formed(&self, classes: usize) -> bool {
        self.by_class.len() <= classes
            && self.by_class.iter().all(|v| {
                (self.width == 0 && v.is_empty() || self.width > 0 && v.len() % self.width == 0)
                    && v.iter().all(|x| x.is_finite())
            })
    }

    /// Rows kept.
    pub fn rows(&self) -> u64 {
        let values: usize = self.by_class.iter().map(Vec::len).sum();
        values.checked_div(self.width).unwrap_or(0) as u64
    }

    /// The samples of true class `t` (`width` values per row).
    pub fn of_class(&self, t: usize) -> &[f64] {
        self.by_class.get(t).map_or(&[], Vec::as_slice)
    }

    /// Takes the samples out, per true class id.
    pub fn into_classes(self) -> Vec<Vec<f64>> {
        self.by_class
    }
}
