//! The computing layer: accumulators that consume [`Row`](crate::metrics::row::Row)s and merge, and the
//! metrics computed from them once all rows are in. Nothing here prints or knows a file name.

pub mod accumulator;
pub mod audit;
pub mod calibration;
pub mod classes;
pub mod classification;
pub mod confident;
pub mod confusion;
pub mod distinct;
pub mod estimate;
pub mod evaluation;
pub mod fingerprint;
pub mod intervals;
pub mod latency;
pub mod noise;
pub mod probabilistic;
pub mod ranked;
pub mod ranking;
pub mod recalibrate;
pub mod row;
pub mod samples;
pub mod scores;
pub mod segments;
pub mod sorted_sample;
pub mod waiting;
pub mod weighted;
pub mod windows;

pub use accumulator::{EvalState, RowProblem};
pub use evaluation::{Evaluation, FinishOptions, MetricsError, Task};
pub use weighted::WeightedState;
