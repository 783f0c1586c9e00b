//! The per-evaluation accumulator: everything the metrics need, gathered one row at a time.
//!
//! An [`EvalState`] consumes rows, merges with another state exactly (so one pass, parallel
//! chunks and separate shards give the same numbers) and is turned into an
//! [`Evaluation`](super::Evaluation) by [`EvalState::finish`](super::evaluation).

use rayon::prelude::*;

use super::classes::ClassTable;
use super::confusion::ConfusionCounts;
use super::ranked::{Ranked, ScoreColumn};
use super::samples::ScoreSamples;
use super::waiting::WaitingScores;
use crate::label::LabelKey;
use crate::metrics::row::{Prediction, Row};
use crate::text::count;

/// Why a row could not be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowProblem {
    /// The label cell is empty or a missing-value marker.
    MissingLabel,
    /// The prediction cell is empty or a missing-value marker.
    MissingPrediction,
}

/// Mergeable state of one evaluation.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EvalState {
    /// Classes met so far, in this state's numbering.
    pub(crate) classes: ClassTable,
    /// Counts of (true, predicted) pairs for explicit or argmax predictions.
    pub(crate) confusion: ConfusionCounts,
    /// For predictions derived from a score: per true class, rows [below, at or above] threshold.
    pub(crate) sides: Vec<[u64; 2]>,
    /// Class id of each probability column.
    pub(crate) proba_ids: Vec<u32>,
    /// Per-class probabilities of every row, by true class.
    pub(crate) samples: ScoreSamples,
    /// Binary scores of every row, by true class id.
    pub(crate) scores: Vec<ScoreColumn>,
    /// Rows whose probabilities do not sum to 1 (beyond [`PROBA_SUM_TOLERANCE`]).
    pub(crate) proba_rows_off: u64,
    /// Rows counted.
    pub(crate) rows: u64,
    /// Rows skipped (`--skip-invalid`) because their label was missing: not counted, but told
    /// apart by place so that labels still to arrive can be located.
    pub(crate) labels_missing: u64,
    /// Binary scores of the rows left out for a missing label, by predicted class, for
    /// estimating their performance.
    pub(crate) waiting: WaitingScores,
    /// The class ids of the last row counted (for states that follow this one).
    #[serde(skip)]
    pub(crate) last_ids: Option<(u32, Option<u32>)>,
}

/// The clipping of probabilities in the calibrated log loss of [`EvalState::score_shape`].
const LOG_LOSS_EPS: f64 = 1e-15;

/// The shape of a state's binary scores: a histogram, and what their log loss would be were
/// they calibrated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreShape {
    /// Rows per equal-width bin over [0, 1].
    pub bins: Vec<u64>,
    /// The mean log loss of calibrated scores: the mean binary entropy of the scores.
    pub calibrated_log_loss: f64,
    /// Its standard error under calibration.
    pub calibrated_log_loss_se: f64,
}

/// How far a row's probabilities may sum from 1 before the row is counted as off.
pub const PROBA_SUM_TOLERANCE: f64 = 1e-3;

impl EvalState {
    /// A state for files whose probability columns name `proba_classes` (in column order).
    pub fn new(proba_classes: &[LabelKey]) -> EvalState {
        let mut state = EvalState::default();
        state.proba_ids = proba_classes
            .iter()
            .map(|k| state.classes.id_of_key(k.clone()))
            .collect();
        state
    }

    /// Number of rows counted.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Binary scores: how many fall in each of `bins` equal-width bins over [0, 1] (1 in the
    /// last), and the log loss calibrated scores would give with its standard error; `None`
    /// for a state without binary scores.
    pub fn score_shape(&mut self, bins: usize) -> Option<ScoreShape> {
        let mut shape = ScoreShape {
            bins: vec![0u64; bins.max(1)],
            ..ScoreShape::default()
        };
        let k = shape.bins.len();
        let (mut n, mut loss, mut var) = (0u64, 0.0f64, 0.0f64);
        for column in &mut self.scores {
            column.for_each_score(|s, c| {
                shape.bins[((s * k as f64) as usize).min(k - 1)] += c;
                n += c;
                // A calibrated score s gives −ln s with probability s, −ln(1 − s) otherwise.
                let p = s.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
                let (a, b) = (-p.ln(), -(1.0 - p).ln());
                let mean = p * a + (1.0 - p) * b;
                loss += c as f64 * mean;
                var += c as f64 * (p * (a - mean).powi(2) + (1.0 - p) * (b - mean).powi(2));
            });
        }
        if n == 0 {
            return None;
        }
        shape.calibrated_log_loss = loss / n as f64;
        shape.calibrated_log_loss_se = var.sqrt() / n as f64;
        Some(shape)
    }

    /// Rows left out because their label was missing.
    pub fn labels_missing(&self) -> u64 {
        self.labels_missing
    }

    /// Counts one row.
    #[inline]
    pub fn push(&mut self, row: &Row<'_>) -> Result<(), RowProblem> {
        let (t, p) = self.resolve(row)?;
        self.push_resolved(row, t, p);
        Ok(())
    }

    /// The class ids of a row's label and (explicit) predicted label.
    #[inline]
    pub fn resolve(&mut self, row: &Row<'_>) -> Result<(u32, Option<u32>), RowProblem> {
        let t = self
            .classes
            .id_of_raw(row.label)
            .ok_or(RowProblem::MissingLabel)?;
        let p = match row.prediction {
            Prediction::Label(raw) => Some(
                self.classes
                    .id_of_raw(raw)
                    .ok_or(RowProblem::MissingPrediction)?,
            ),
            _ => None,
        };
        Ok((t, p))
    }

    /// Makes this state's class numbering a copy of `other`'s (of which it must be a prefix), so
    /// that ids resolved by `other` can be pushed here.
    #[inline]
    pub fn follow_classes(&mut self, other: &EvalState) {
        for key in &other.classes.keys()[self.classes.len()..] {
            self.classes.id_of_key(key.clone());
        }
    }

    /// Counts a row whose class ids were resolved (by this state or one it follows).
    #[inline(always)]
    pub fn push_resolved(&mut self, row: &Row<'_>, t: u32, p: Option<u32>) {
        self.push_counts(row, t, p);
        if row.proba.is_empty() {
            if let Some(score) = row.score {
                let t = t as usize;
                if self.scores.len() <= t {
                    self.add_score_columns(t + 1);
                }
                self.scores[t].push(score);
            }
        }
    }

    /// Makes room for the scores of `classes` classes (once per class met).
    #[cold]
    #[inline(never)]
    fn add_score_columns(&mut self, classes: usize) {
        self.scores.resize_with(classes, ScoreColumn::default);
    }

    /// Counts a row like [`push_resolved`](Self::push_resolved) but leaves out its score (a
    /// single score, not probabilities), which [`add_scores_of`](Self::add_scores_of) adds
    /// later from states that kept it.
    #[inline(always)]
    pub fn push_counts(&mut self, row: &Row<'_>, t: u32, p: Option<u32>) {
        match row.prediction {
            Prediction::Label(_) => self.confusion.add(t, p.unwrap_or(t), 1),
            Prediction::ProbaArgmax(i) => self.confusion.add(t, self.proba_ids[i], 1),
            Prediction::Positive(above) => {
                if self.sides.len() <= t as usize {
                    self.sides.resize(t as usize + 1, [0, 0]);
                }
                self.sides[t as usize][usize::from(above)] += 1;
            }
        }
        if !row.proba.is_empty() {
            let sum: f64 = row.proba.iter().sum();
            if (sum - 1.0).abs() > PROBA_SUM_TOLERANCE {
                self.proba_rows_off += 1;
            }
            self.samples.push(t, row.proba);
        }
        self.rows += 1;
    }

    /// Adds the scores of `other` (those of its rows awaiting labels too, and nothing else),
    /// matching classes by name.
    pub fn add_scores_of(&mut self, other: &EvalState) {
        self.waiting.merge(&other.waiting);
        let remap = self.classes.absorb(&other.classes);
        self.merge_scores(other, &remap);
    }

    /// Adds the scores of every state of `others` (those of rows awaiting labels too, and
    /// nothing else), matching classes by
    /// name: each class's columns summed in one pass, the classes in parallel.
    pub fn add_scores_of_all<'a>(&mut self, others: impl IntoIterator<Item = &'a EvalState>) {
        let others: Vec<&EvalState> = others.into_iter().collect();
        for other in &others {
            self.waiting.merge(&other.waiting);
        }
        self.add_score_columns_of_all(others);
    }

    /// Adds the binary scores of every state of `others` (not those of rows awaiting labels),
    /// as [`add_scores_of_all`](Self::add_scores_of_all) does.
    pub fn add_score_columns_of_all<'a>(
        &mut self,
        others: impl IntoIterator<Item = &'a EvalState>,
    ) {
        let mut theirs: Vec<Vec<&ScoreColumn>> = vec![Vec::new(); self.scores.len()];
        for other in others {
            let remap = self.classes.absorb(&other.classes);
            for (t, column) in other.scores.iter().enumerate() {
                let id = remap[t] as usize;
                if self.scores.len() <= id {
                    self.scores.resize_with(id + 1, ScoreColumn::default);
                    theirs.resize(id + 1, Vec::new());
                }
                theirs[id].push(column);
            }
        }
        self.scores
            .par_iter_mut()
            .zip(theirs)
            .for_each(|(mine, theirs)| mine.merge_all(&theirs));
    }

    /// Adds the score columns of `other`, whose class `t` is class `remap[t]` here; the classes
    /// in parallel (a column can be a table of a million counts).
    fn merge_scores(&mut self, other: &EvalState, remap: &[u32]) {
        let mut theirs: Vec<Option<&ScoreColumn>> = vec![None; self.scores.len()];
        for (t, column) in other.scores.iter().enumerate() {
            let id = remap[t] as usize;
            if self.scores.len() <= id {
                self.scores.resize_with(id + 1, ScoreColumn::default);
                theirs.resize(id + 1, None);
            }
            theirs[id] = Some(column);
        }
        self.scores
            .par_iter_mut()
            .zip(theirs)
            .for_each(|(mine, theirs)| {
                if let Some(theirs) = theirs {
                    mine.merge(theirs);
                }
            });
    }

    /// The number of distinct binary scores counted (over every class), `None` without
    /// binary scores. Copies the score tables: for report windows, not for every row.
    pub fn distinct_scores(&self) -> Option<u64> {
        let columns: Vec<&ScoreColumn> = self.scores.iter().filter(|c| !c.is_empty()).collect();
        if columns.is_empty() {
            return None;
        }
        let ranked = columns
            .iter()
            .map(|c| (*c).clone().into_ranked())
            .fold(Ranked::default(), |a, b| Ranked::union(&a, &b));
        Some(ranked.len() as u64)
    }

    /// A copy of the label counts without the scores (cheap: for deciding task and classes).
    pub fn without_scores(&self) -> EvalState {
        EvalState {
            classes: self.classes.clone(),
            confusion: self.confusion.clone(),
            sides: self.sides.clone(),
            proba_ids: self.proba_ids.clone(),
            samples: ScoreSamples::default(),
            scores: Vec::new(),
            proba_rows_off: self.proba_rows_off,
            rows: self.rows,
            labels_missing: self.labels_missing,
            waiting: WaitingScores::default(),
            last_ids: None,
        }
    }

    /// Checks that the parts of a state read from a file agree (class ids within the class
    /// table, counts that add up to the rows), so that finishing it cannot go wrong.
    pub fn check(&self) -> Result<(), String> {
        let n = self.classes.len();
        let sides: u64 = self.sides.iter().map(|s| s[0] + s[1]).sum();
        if !self.confusion.is_well_formed() {
            Err("the confusion counts do not fit the classes".into())
        } else if self.sides.len() > n || self.scores.len() > n {
            Err("score counts name a class that is not in the class table".into())
        } else if self.proba_ids.iter().any(|&id| id as usize >= n) {
            Err("a probability column names a class that is not in the class table".into())
        } else if !self.samples.is_well_formed(n) {
            Err("the probability samples do not fit the classes".into())
        } else if self.scores.iter().map(ScoreColumn::count).sum::<u64>() + self.samples.rows()
            > self.rows
        {
            Err("more scores than rows".into())
        } else if self.waiting.count() > self.labels_missing {
            Err("more scores of rows awaiting labels than such rows".into())
        } else if self.confusion.total() + sides != self.rows {
            Err(format!(
                "the counts add up to {}, the state says {}",
                count(self.confusion.total() + sides, "row"),
                self.rows
            ))
        } else {
            Ok(())
        }
    }

    /// Adds another state's rows to this one.
    pub fn merge(&mut self, other: &EvalState) {
        let remap = self.classes.absorb(&other.classes);
        self.confusion.merge_mapped(&other.confusion, &remap);
        for (t, counts) in other.sides.iter().enumerate() {
            let id = remap[t] as usize;
            if self.sides.len() <= id {
                self.sides.resize(id + 1, [0, 0]);
            }
            self.sides[id][0] += counts[0];
            self.sides[id][1] += counts[1];
        }
        self.samples.merge_mapped(&other.samples, &remap);
        self.merge_scores(other, &remap);
        self.proba_rows_off += other.proba_rows_off;
        self.rows += other.rows;
        self.labels_missing += other.labels_missing;
        self.waiting.merge(&other.waiting);
    }

    /// How many binary scores (of labelled rows) each class holds, by class.
    pub fn score_counts(&self) -> Vec<(&LabelKey, u64)> {
        let keys = self.classes.keys();
        (self.scores.iter().enumerate())
            .map(|(t, column)| (&keys[t], column.count()))
            .filter(|&(_, n)| n > 0)
            .collect()
    }

    /// Moves in the probability rows `samples` of a state numbering its classes as `classes`,
    /// once the rest of that state is merged here (see [`SegmentedState::absorb`]).
    ///
    /// [`SegmentedState::absorb`]: super::segments::SegmentedState::absorb
    pub fn absorb_samples(&mut self, samples: ScoreSamples, classes: &ClassTable) {
        // Every class of `classes` is known here after the merge: their ids, as it mapped them.
        let remap = self.classes.absorb(classes);
        self.samples.absorb_mapped(samples, &remap);
    }

    /// Gives back the room its score lists grew into and do not use.
    pub fn shrink_scores(&mut self) {
        self.scores.iter_mut().for_each(ScoreColumn::shrink);
        self.waiting.derived.shrink();
        for (_, column) in &mut self.waiting.predicted {
            column.shrink();
        }
    }

    /// Takes the scores of the rows awaiting labels out of the state.
    pub fn take_waiting(&mut self) -> WaitingScores {
        std::mem::take(&mut self.waiting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(label: &'a str, pred: &'a str) -> Row<'a> {
        Row {
            label,
            prediction: Prediction::Label(pred),
            score: None,
            proba: &[],
        }
    }

    #[test]
    fn merge_of_halves_equals_one_pass() {
        let data = [("a", "b"), ("b", "b"), ("c", "a"), ("a", "a"), ("b", "c")];
        let mut whole = EvalState::default();
        for (l, p) in data {
            whole.push(&row(l, p)).unwrap();
        }
        let mut left = EvalState::default();
        let mut right = EvalState::default();
        for (l, p) in &data[..2] {
            left.push(&row(l, p)).unwrap();
        }
        for (l, p) in &data[2..] {
            right.push(&row(l, p)).unwrap();
        }
        right.merge(&left);
        let (a, b) = (whole.classes.keys().to_vec(), right.classes.keys().to_vec());
        for (i, ka) in a.iter().enumerate() {
            for (j, kb) in a.iter().enumerate() {
                let (ri, rj) = (
                    b.iter().position(|k| k == ka).unwrap(),
                    b.iter().position(|k| k == kb).unwrap(),
                );
                assert_eq!(whole.confusion.get(i, j), right.confusion.get(ri, rj));
            }
        }
        assert_eq!(right.rows(), 5);
    }

    #[test]
    fn missing_cells_are_problems() {
        let mut s = EvalState::default();
        assert_eq!(s.push(&row("", "a")), Err(RowProblem::MissingLabel));
        assert_eq!(s.push(&row("a", "NA")), Err(RowProblem::MissingPrediction));
    }
}
