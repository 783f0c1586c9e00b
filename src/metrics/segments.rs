//! Per-segment accumulation: one [`EvalState`] per value of each segment column, beside the
//! overall state, all merging exactly like the overall one.

use std::collections::HashMap;

use super::accumulator::{EvalState, RowProblem};
use crate::label::LabelKey;
use crate::row::Row;

/// Distinct values a segment column may have before it is taken for a mistake (an id column).
pub const MAX_SEGMENTS: usize = 10_000;

/// The name under which rows with an empty segment cell are grouped.
pub const MISSING_SEGMENT: &str = "(missing)";

/// States per value of one segment column.
#[derive(Debug, Clone, Default)]
pub struct SegmentColumn {
    /// Per segment value.
    pub states: HashMap<Box<str>, EvalState>,
}

/// The overall state and the per-segment states of a run.
#[derive(Debug, Clone, Default)]
pub struct SegmentedState {
    /// All rows.
    pub overall: EvalState,
    /// One entry per segment column.
    pub columns: Vec<SegmentColumn>,
    proba_classes: Vec<LabelKey>,
}

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
            proba_classes: proba_classes.to_vec(),
        }
    }

    /// Counts a row whose value in segment column `c` is `segment(c)`.
    #[inline]
    pub fn push<'s>(
        &mut self,
        row: &Row<'_>,
        segment: impl Fn(usize) -> &'s str,
    ) -> Result<(), SegmentProblem> {
        self.overall.push(row).map_err(SegmentProblem::Row)?;
        for (c, column) in self.columns.iter_mut().enumerate() {
            let mut value = segment(c).trim();
            if value.is_empty() {
                value = MISSING_SEGMENT;
            }
            let state = match column.states.get_mut(value) {
                Some(state) => state,
                None => {
                    if column.states.len() >= MAX_SEGMENTS {
                        return Err(SegmentProblem::TooManySegments(c));
                    }
                    column
                        .states
                        .entry(value.into())
                        .or_insert_with(|| EvalState::new(&self.proba_classes))
                }
            };
            state.push(row).map_err(SegmentProblem::Row)?;
        }
        Ok(())
    }

    /// Adds another state's rows.
    pub fn merge(&mut self, other: &SegmentedState) {
        self.overall.merge(&other.overall);
        for (mine, theirs) in self.columns.iter_mut().zip(&other.columns) {
            for (value, state) in &theirs.states {
                match mine.states.get_mut(value) {
                    Some(s) => s.merge(state),
                    None => {
                        mine.states.insert(value.clone(), state.clone());
                    }
                }
            }
        }
    }
}
