//! One typed prediction record, the unit that flows from the readers into the accumulators.
//!
//! Readers turn a line of a file into a [`Row`] borrowing from their buffers, so the hot path
//! allocates nothing; accumulators consume rows and never see file formats.

use crate::metrics::ranked::Score;

/// What the model predicted for a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prediction<'a> {
    /// A predicted label, as written in the prediction column.
    Label(&'a str),
    /// Binary prediction derived from the score: `true` when the score reached the threshold.
    Positive(bool),
    /// Multiclass prediction derived from probabilities: index of the winning probability column.
    ProbaArgmax(usize),
}

/// One record of labels and model outputs.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The ground-truth label as written (trimmed by the accumulator).
    pub label: &'a str,
    /// The model's prediction.
    pub prediction: Prediction<'a>,
    /// The positive-class score for binary tasks, when the file has one.
    pub score: Option<Score>,
    /// Per-class probabilities in the order of the probability columns (empty when absent).
    pub proba: &'a [f64],
}
