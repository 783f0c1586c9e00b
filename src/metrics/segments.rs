//! Per-segment accumulation: one [`EvalState`] per value of each segment column, beside the
//! overall state, all merging exactly like the overall one.

use std::collections::HashMap;

use rayon::prelude::*;

use super::accumulator::{EvalState, RowProblem};
use super::audit::{RowAudit, RowPlace, ScoredRow};
use super::classes::short_key;
use super::ranked::{Score, ScoreColumn};
use super::windows::{push_window, WindowColumn};
use crate::label::LabelKey;
use crate::metrics::row::Row;
use crate::time::WindowWidth;

/// Distinct values a segment column may have before it is taken for a mistake (an id column).
pub const MAX_SEGMENTS: usize = 10_000;

/// The name under which rows with an empty segment cell are grouped.
pub const MISSING_SEGMENT: &str = "(missing)";

/// Segment values looked up by a linear scan before the hash map (most columns have few).
const LINEAR_LOOKUP: usize = 16;

/// States per value of one segment column.
///
/// It serialises as its list of (value, state) pairs; the look-up tables are rebuilt on reading.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(from = "Vec<(Box<str>, EvalState)>")]
pub struct SegmentColumn {
    /// Per segment value, in the order first met.
    pub states: Vec<(Box<str>, EvalState)>,
    #[serde(skip)]
    index: HashMap<Box<str>, usize>,
    #[serde(skip)]
    short: Vec<(u64, usize)>,
}

impl SegmentColumn {
    /// The position of a segment value, if met.
    #[inline]
    fn find(&self, value: &str) -> Option<usize> {
        if let Some(key) = short_key(value.as_bytes()) {
            if let Some((_, i)) = self.short.iter().find(|(k, _)| *k == key) {
                return Some(*i);
            }
        }
        if self.states.len() <= LINEAR_LOOKUP {
            self.states.iter().position(|(v, _)| &**v == value)
        } else {
            self.index.get(value).copied()
        }
    }

    /// The position of a segment value, added (with the state `make` gives) when new; `Err`
    /// when it is new and the column already holds [`MAX_SEGMENTS`] values.
    fn position_or_add(
        &mut self,
        value: &str,
        make: impl FnOnce() -> EvalState,
    ) -> Result<u32, ()> {
        if let Some(i) = self.find(value) {
            return Ok(i as u32);
        }
        if self.states.len() >= MAX_SEGMENTS {
            return Err(());
        }
        if let (Some(key), true) = (
            short_key(value.as_bytes()),
            self.short.len() < LINEAR_LOOKUP,
        ) {
            self.short.push((key, self.states.len()));
        }
        self.index.insert(value.into(), self.states.len());
        self.states.push((value.into(), make()));
        Ok(self.states.len() as u32 - 1)
    }
}

impl serde::Serialize for SegmentColumn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.states.serialize(serializer)
    }
}

impl From<Vec<(Box<str>, EvalState)>> for SegmentColumn {
    fn from(states: Vec<(Box<str>, EvalState)>) -> SegmentColumn {
        let mut column = SegmentColumn::default();
        for (value, state) in states {
            match column.find(&value) {
                Some(i) => column.states[i].1.merge(&state),
                None => {
                    // Read from a file: the segment limit was enforced when it was written.
                    column.index.insert(value.clone(), column.states.len());
                    if let (Some(key), true) = (
                        short_key(value.as_bytes()),
                        column.short.len() < LINEAR_LOOKUP,
                    ) {
                        column.short.push((key, column.states.len()));
                    }
                    column.states.push((value, state));
                }
            }
        }
        column
    }
}

/// The overall state and the per-segment states of a run.
///
/// It serialises (for `--save-state`) with `#[serde(default)]`, so that a field added later reads
/// as empty from a state written before it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SegmentedState {
    /// All rows.
    pub overall: EvalState,
    /// One entry per segment column.
    pub columns: Vec<SegmentColumn>,
    /// Time (or row) windows, when asked for.
    pub windows: Option<WindowColumn>,
    /// The row audit (overall only).
    pub audit: RowAudit,
    proba_classes: Vec<LabelKey>,
    /// While rows are counted with segment columns, the overall state leaves out their scores
    /// (each row's score is counted once, in its segment of the first column, instead of twice);
    /// [`settle`](Self::settle) adds them to the overall state from there.
    #[serde(skip)]
    scores_in_segments: bool,
    /// Whether [`settle_waiting`](Self::settle_waiting) added the segments' scores of rows
    /// awaiting labels to the overall state already (while `scores_in_segments`).
    #[serde(skip)]
    waiting_settled: bool,
    /// In a saved state: the overall state's binary scores were left out, as they are those of
    /// the first segment column's segments together (see [`saved`](Self::saved)).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    overall_scores_in_segments: bool,
    /// Scratch: the segment positions of the row last counted.
    #[serde(skip)]
    last_segments: Vec<u32>,
}

/// The overall binary scores a state in its saved form leaves out.
#[derive(Debug)]
pub struct LeftOut(Option<Vec<ScoreColumn>>);

/// Why a row could not be counted by segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentProblem {
    /// A row problem.
    Row(RowProblem),
    /// Segment column `usize` has too many distinct values.
    TooManySegments(usize),
}

impl SegmentedState {
    /// A state for `segment_columns` segment columns and the given probability classes.
    pub fn new(proba_classes: &[LabelKey], segment_columns: usize) -> SegmentedState {
        SegmentedState {
            overall: EvalState::new(proba_classes),
            columns: vec![SegmentColumn::default(); segment_columns],
            windows: None,
            audit: RowAudit::default(),
            proba_classes: proba_classes.to_vec(),
            scores_in_segments: segment_columns > 0,
            waiting_settled: false,
            overall_scores_in_segments: false,
            last_segments: Vec::with_capacity(segment_columns),
        }
    }

    /// Completes the overall state with the scores its segments kept: done once all rows are
    /// counted and merged, before the overall state's scores are read (when the state is
    /// finished, saved or taken as a reference). A scan leaves it to them, so that a run with
    /// windows can finish the windows, and give back their scores, before the overall table is
    /// made.
    pub fn settle(&mut self) {
        // Every score is counted: the lists give back their unused room before the overall
        // column is made (the largest allocation of a run with segments).
        let windows = self.windows.iter_mut().flat_map(|w| w.states.values_mut());
        let segments = self.columns.iter_mut().flat_map(|c| c.states.iter_mut());
        windows
            .chain(segments.map(|(_, state)| state))
            .chain([&mut self.overall])
            .for_each(EvalState::shrink_scores);
        self.settle_waiting();
        if !std::mem::take(&mut self.scores_in_segments) {
            return;
        }
        if let Some(column) = self.columns.first() {
            (self.overall).add_score_columns_of_all(column.states.iter().map(|(_, state)| state));
        }
    }

    /// The first part of [`settle`](Self::settle): completes the overall state with the scores
    /// of rows awaiting labels its segments kept (few, and read to decide what the labels do
    /// not tell), leaving the scores of labelled rows in the segments.
    pub fn settle_waiting(&mut self) {
        if !self.scores_in_segments || std::mem::replace(&mut self.waiting_settled, true) {
            return;
        }
        if let Some(column) = self.columns.first() {
            for (_, state) in &column.states {
                self.overall.waiting.merge(&state.waiting);
            }
        }
    }

    /// Puts the state in the form it is saved in: without the overall state's binary scores
    /// when they are the first segment column's scores together (checked class by class), so
    /// that a saved state holds each row's score once less. They are returned, for
    /// [`put_back`](Self::put_back) once the state is written; [`restored`](Self::restored) makes
    /// them again when a saved state is read.
    #[must_use = "the overall scores go back once the state is written"]
    pub fn saved_form(&mut self) -> LeftOut {
        self.settle();
        let Some(column) = self.columns.first() else {
            return LeftOut(None);
        };
        let mut in_segments: Vec<(&LabelKey, u64)> = Vec::new();
        for (_, state) in &column.states {
            for (key, n) in state.score_counts() {
                match in_segments.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, total)) => *total += n,
                    None => in_segments.push((key, n)),
                }
            }
        }
        let overall = self.overall.score_counts();
        let same = overall.len() == in_segments.len()
            && (overall.iter()).all(|pair| in_segments.contains(pair));
        if !same {
            return LeftOut(None);
        }
        self.overall_scores_in_segments = true;
        LeftOut(Some(std::mem::take(&mut self.overall.scores)))
    }

    /// Puts back what [`saved_form`](Self::saved_form) left out.
    pub fn put_back(&mut self, left_out: LeftOut) {
        if let LeftOut(Some(scores)) = left_out {
            self.overall.scores = scores;
            self.overall_scores_in_segments = false;
        }
    }

    /// Adds back the overall binary scores a saved state left out (see
    /// [`saved`](Self::saved)); once the state is read, before anything else reads it.
    pub fn restored(&mut self) {
        if !std::mem::take(&mut self.overall_scores_in_segments) {
            return;
        }
        if let Some(column) = self.columns.first() {
            (self.overall).add_score_columns_of_all(column.states.iter().map(|(_, state)| state));
        }
    }

    /// Also keeps windows of `width` (automatic when `None`) along the time or row axis.
    pub fn with_windows(mut self, width: Option<WindowWidth>) -> SegmentedState {
        self.windows = Some(WindowColumn::new(width));
        self
    }

    /// Counts a row that falls at `at` on the window axis.
    #[inline]
    pub fn push_at<'s>(
        &mut self,
        row: &Row<'_>,
        segment: impl Fn(usize) -> &'s str,
        at: i64,
    ) -> Result<(), SegmentProblem> {
        self.push(row, segment)?;
        let ids = self
            .overall
            .last_ids
            .expect("a row was just counted overall");
        if let Some(w) = &mut self.windows {
            push_window(w, at, row, ids, &self.overall, &self.proba_classes);
        }
        Ok(())
    }

    /// Counts a row whose value in segment column `c` is `segment(c)`.
    ///
    /// Nothing is counted when the row cannot be (a missing label, or a new value in a segment
    /// column already at its limit). The segment positions used are then in
    /// [`last_segments`](Self::last_segments).
    #[inline]
    pub fn push<'s>(
        &mut self,
        row: &Row<'_>,
        segment: impl Fn(usize) -> &'s str,
    ) -> Result<(), SegmentProblem> {
        let (t, p) = self.overall.resolve(row).map_err(SegmentProblem::Row)?;
        let mut at = std::mem::take(&mut self.last_segments);
        at.clear();
        for (c, column) in self.columns.iter_mut().enumerate() {
            let mut value = segment(c).trim();
            if value.is_empty() {
                value = MISSING_SEGMENT;
            }
            match column.position_or_add(value, || EvalState::new(&self.proba_classes)) {
                Ok(i) => at.push(i),
                Err(()) => {
                    self.last_segments = at;
                    return Err(SegmentProblem::TooManySegments(c));
                }
            }
        }
        self.push_known(row, t, p, &at);
        self.last_segments = at;
        Ok(())
    }

    /// Counts a row left out for its missing label, overall, in its segments (a segment
    /// column at its limit of values leaves it out) and in its window at `at`, if any; its
    /// binary score and prediction (`None` when derived from the score), when it has them, are
    /// kept for estimating performance.
    #[cold]
    pub fn missing_label<'s>(
        &mut self,
        segment: impl Fn(usize) -> &'s str,
        at: Option<i64>,
        scored: Option<(Score, Option<&str>)>,
    ) {
        let count = |state: &mut EvalState| {
            state.labels_missing += 1;
            if let Some((score, prediction)) = scored {
                state.waiting.push(score, prediction);
            }
        };
        if let (Some(w), Some(at)) = (&mut self.windows, at) {
            let proba_classes = &self.proba_classes;
            count(w.state_mut(at, || EvalState::new(proba_classes)));
        }
        // As for labelled rows, the overall state takes the score from the first segment
        // column when the state settles (a value past the column's limit keeps it here).
        let mut in_segment = false;
        for (c, column) in self.columns.iter_mut().enumerate() {
            let mut value = segment(c).trim();
            if value.is_empty() {
                value = MISSING_SEGMENT;
            }
            if let Ok(i) = column.position_or_add(value, || EvalState::new(&self.proba_classes)) {
                count(&mut column.states[i as usize].1);
                in_segment |= c == 0;
            }
        }
        self.overall.labels_missing += 1;
        if !(in_segment && self.scores_in_segments) {
            if let Some((score, prediction)) = scored {
                self.overall.waiting.push(score, prediction);
            }
        }
    }

    /// The position, in each segment column, of the segment of the row last counted by
    /// [`push`](Self::push).
    pub fn last_segments(&self) -> &[u32] {
        &self.last_segments
    }

    /// Counts a row whose class ids (`t`, `p`, resolved by the overall state) and segment
    /// positions (`segments[c]` in column `c`) are known: what [`push`](Self::push) does once it
    /// has found them.
    #[inline(always)]
    pub fn push_known(&mut self, row: &Row<'_>, t: u32, p: Option<u32>, segments: &[u32]) {
        if self.scores_in_segments {
            self.overall.push_counts(row, t, p);
        } else {
            self.overall.push_resolved(row, t, p);
        }
        self.overall.last_ids = Some((t, p));
        for (column, &i) in self.columns.iter_mut().zip(segments) {
            let state = &mut column.states[i as usize].1;
            if state.classes.len() < self.overall.classes.len() {
                state.follow_classes(&self.overall);
            }
            state.push_resolved(row, t, p);
        }
    }

    /// Audits rows the fast lane counted (see [`RowAudit::push_scored`]).
    pub fn audit_scored(&mut self, rows: &[ScoredRow]) {
        self.audit.push_scored(&self.overall, rows);
    }

    /// Audits the row just counted (see [`RowAudit::push`]); `segments` are its segment
    /// positions (`None`: those of the row last counted by [`push`](Self::push)).
    #[inline]
    pub fn audit(
        &mut self,
        row: &Row<'_>,
        (line, record): (u64, u64),
        id: Option<&[u8]>,
        segments: Option<&[u32]>,
    ) {
        let columns = &self.columns;
        let value = |c: usize, i: u32| columns[c].states[i as usize].0.clone();
        let place = RowPlace {
            positions: segments.unwrap_or(&self.last_segments),
            value: &value,
        };
        self.audit
            .push(&self.overall, row, (line, record), id, &place);
    }

    /// The place id the audit gives a row of `record` at segment positions `segments`.
    #[inline]
    pub fn place_of(&mut self, record: u64, segments: &[u32]) -> u32 {
        let columns = &self.columns;
        let value = |c: usize, i: u32| columns[c].states[i as usize].0.clone();
        let place = RowPlace {
            positions: segments,
            value: &value,
        };
        self.audit.place_of(record, &place)
    }

    /// The classes named by the probability columns, in column order.
    pub fn proba_classes(&self) -> &[LabelKey] {
        &self.proba_classes
    }

    /// Checks every state of one read from a file (see [`EvalState::check`]).
    pub fn check(&self) -> Result<(), String> {
        self.overall.check()?;
        for column in &self.columns {
            for (value, state) in &column.states {
                state.check().map_err(|e| format!("segment {value}: {e}"))?;
            }
        }
        if let Some(w) = &self.windows {
            if w.units() <= 0 {
                return Err("the window width is not positive".into());
            }
            for (key, state) in &w.states {
                state.check().map_err(|e| format!("window {key}: {e}"))?;
            }
        }
        Ok(())
    }

    /// Adds another state's rows, as [`merge`](Self::merge) does, moving its overall
    /// probability rows in instead of copying them (the largest part of a multiclass state).
    pub fn absorb(&mut self, mut other: SegmentedState) {
        let samples = std::mem::take(&mut other.overall.samples);
        self.merge(&other);
        self.overall.absorb_samples(samples, &other.overall.classes);
    }

    /// Adds another state's rows.
    pub fn merge(&mut self, other: &SegmentedState) {
        // Both sides alike: scores stay in the segments until the merged state settles. A
        // side whose waiting scores alone were settled is not alike.
        let alike = other.scores_in_segments && !other.waiting_settled && !self.waiting_settled;
        if self.scores_in_segments && !alike {
            self.settle();
        }
        self.overall.merge(&other.overall);
        if other.scores_in_segments && !self.scores_in_segments {
            if let Some(column) = other.columns.first() {
                let states = column.states.iter().map(|(_, state)| state);
                if other.waiting_settled {
                    // Its overall state holds them already.
                    self.overall.add_score_columns_of_all(states);
                } else {
                    states.for_each(|state| self.overall.add_scores_of(state));
                }
            }
        }
        // The audit merges while the segments do.
        let (windows, columns, proba) = (&mut self.windows, &mut self.columns, &self.proba_classes);
        rayon::join(
            || self.audit.merge(&other.audit),
            || merge_windows_and_columns(windows, columns, proba, other),
        );
    }
}

/// The window and segment parts of [`SegmentedState::merge`].
fn merge_windows_and_columns(
    windows: &mut Option<WindowColumn>,
    columns: &mut [SegmentColumn],
    proba_classes: &[LabelKey],
    other: &SegmentedState,
) {
    match (&mut *windows, &other.windows) {
        (Some(mine), Some(theirs)) => mine.merge(theirs),
        (None, Some(theirs)) => *windows = Some(theirs.clone()),
        _ => {}
    }
    for (mine, theirs) in columns.iter_mut().zip(&other.columns) {
        // Each of their values is found (or added) here first, then the states merge in
        // parallel. Merging never adds more values than the two sides had, both within the
        // limit except in the rare case of two shards with many distinct values.
        let mut sources: Vec<Option<&EvalState>> = Vec::new();
        for (value, state) in &theirs.states {
            if let Ok(i) = mine.position_or_add(value, || EvalState::new(proba_classes)) {
                sources.resize(mine.states.len(), None);
                sources[i as usize] = Some(state);
            }
        }
        sources.resize(mine.states.len(), None);
        mine.states
            .par_iter_mut()
            .zip(sources)
            .for_each(|((_, s), theirs)| {
                if let Some(theirs) = theirs {
                    s.merge(theirs);
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::row::Prediction;

    /// A state of one segment column with rows awaiting labels among labelled ones.
    fn state(seed: u32) -> SegmentedState {
        let mut s = SegmentedState::new(&[], 1);
        for i in 0..300u32 {
            let x = (i * 37 + seed * 11) % 101;
            let score = Score {
                value: f64::from(x) / 100.0 + 1e-7,
                grid: None,
            };
            let segment = ["a", "b", "c"][(i % 3) as usize];
            if i.is_multiple_of(5) {
                s.missing_label(|_| segment, None, Some((score, None)));
            } else {
                let row = Row {
                    label: if (x + i).is_multiple_of(3) { "1" } else { "0" },
                    prediction: Prediction::Positive(x >= 50),
                    score: Some(score),
                    proba: &[],
                };
                s.push(&row, |_| segment).unwrap();
            }
        }
        s
    }

    fn settled(mut s: SegmentedState) -> String {
        s.settle();
        serde_json::to_string(&s).unwrap()
    }

    #[test]
    fn states_settled_in_part_merge_as_states_not_settled() {
        let whole = {
            let mut a = state(1);
            a.merge(&state(2));
            settled(a)
        };
        assert!(whole
            .contains("\"waiting\":{\"derived\":{\"grid\":[],\"grid_counts\":[],\"values\":[0.0"));
        let settle = |s: &mut SegmentedState, how: u8| match how {
            1 => s.settle_waiting(),
            2 => s.settle(),
            _ => {}
        };
        for first in 0..3 {
            for second in 0..3 {
                let (mut a, mut b) = (state(1), state(2));
                settle(&mut a, first);
                settle(&mut b, second);
                a.merge(&b);
                assert_eq!(settled(a), whole, "{first} {second}");
            }
        }
    }
}
