//! The scores of rows whose labels have not arrived yet, kept by the class the model predicted,
//! so that their performance can be estimated once the run knows its positive class (see
//! [`estimate`](super::estimate)).
//!
//! A row waiting for its label is left out of every metric; with a binary score its score is
//! kept here, exactly (the same [`ScoreColumn`] the labelled scores use), under the class its
//! prediction cell names — or, without a prediction column, in one column that the run's
//! threshold splits when it is finished. The state merges like every accumulator.

use super::ranked::{Ranked, Score, ScoreColumn};
use crate::label::LabelKey;

/// Binary scores of rows awaiting their labels.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WaitingScores {
    /// Scores of rows whose prediction is the score against the threshold (no prediction
    /// column).
    pub derived: ScoreColumn,
    /// Scores of rows by the class their prediction cell names.
    pub predicted: Vec<(LabelKey, ScoreColumn)>,
}

/// The scores of rows awaiting labels, split by predicted class once the positive class is
/// known.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaitingSplit {
    /// Scores of rows predicted positive.
    pub positive: Ranked,
    /// Scores of rows predicted negative.
    pub negative: Ranked,
}

impl WaitingSplit {
    /// Rows in the split.
    pub fn rows(&self) -> u64 {
        self.positive.total() + self.negative.total()
    }
}

impl WaitingScores {
    /// Keeps the score of a row awaiting its label, predicted `prediction` (`None`: derived
    /// from the score).
    pub fn push(&mut self, score: Score, prediction: Option<&str>) {
        let Some(raw) = prediction else {
            self.derived.push(score);
            return;
        };
        let Some(key) = LabelKey::parse(raw) else {
            return;
        };
        match self.predicted.iter_mut().find(|(k, _)| *k == key) {
            Some((_, column)) => column.push(score),
            None => {
                let mut column = ScoreColumn::default();
                column.push(score);
                self.predicted.push((key, column));
            }
        }
    }

    /// The classes the rows' prediction cells name, in label order.
    pub fn predicted_classes(&self) -> Vec<LabelKey> {
        let mut keys: Vec<LabelKey> = self.predicted.iter().map(|(k, _)| k.clone()).collect();
        crate::label::sort_labels(&mut keys);
        keys
    }

    /// Whether no score is kept.
    pub fn is_empty(&self) -> bool {
        self.derived.is_empty() && self.predicted.iter().all(|(_, c)| c.is_empty())
    }

    /// Scores kept.
    pub fn count(&self) -> u64 {
        self.derived.count() + self.predicted.iter().map(|(_, c)| c.count()).sum::<u64>()
    }

    /// Adds another state's scores.
    pub fn merge(&mut self, other: &WaitingScores) {
        self.derived.merge(&other.derived);
        for (key, theirs) in &other.predicted {
            match self.predicted.iter_mut().find(|(k, _)| k == key) {
                Some((_, mine)) => mine.merge(theirs),
                None => self.predicted.push((key.clone(), theirs.clone())),
            }
        }
    }

    /// The scores split by predicted class: rows predicted `pos`, and the others; scores
    /// derived from the score are positive at or above `threshold`.
    pub fn split(self, pos: &LabelKey, threshold: f64) -> WaitingSplit {
        let mut split = WaitingSplit::default();
        let derived = self.derived.into_ranked();
        let at = derived.values.partition_point(|&v| v < threshold);
        let part = |from: usize, to: usize| Ranked {
            values: derived.values[from..to].to_vec(),
            counts: derived.counts.slice(from..to),
        };
        split.negative = part(0, at);
        split.positive = part(at, derived.values.len());
        for (key, column) in self.predicted {
            let ranked = column.into_ranked();
            let side = if key == *pos {
                &mut split.positive
            } else {
                &mut split.negative
            };
            *side = Ranked::merge(std::mem::take(side), ranked);
        }
        split
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(r: &Ranked) -> Vec<(f64, u64)> {
        r.iter().collect()
    }

    #[test]
    fn scores_split_by_the_predicted_class_and_the_threshold() {
        let mut w = WaitingScores::default();
        w.push(Score::raw(0.2), Some("1"));
        w.push(Score::raw(0.7), Some("1.0"));
        w.push(Score::raw(0.9), Some("0"));
        let mut other = WaitingScores::default();
        other.push(Score::raw(0.7), Some("1"));
        other.push(Score::raw(0.4), None);
        other.push(Score::raw(0.5), None);
        w.merge(&other);
        assert_eq!(w.count(), 6);
        let split = w.split(&LabelKey::parse("1").unwrap(), 0.5);
        assert_eq!(keys(&split.positive), vec![(0.2, 1), (0.5, 1), (0.7, 2)]);
        assert_eq!(keys(&split.negative), vec![(0.4, 1), (0.9, 1)]);
        assert_eq!(split.rows(), 6);
    }

    #[test]
    fn a_missing_prediction_keeps_nothing() {
        let mut w = WaitingScores::default();
        w.push(Score::raw(0.3), Some("NA"));
        assert!(w.is_empty());
    }
}
