//! The rendering layer: each renderer takes a finished [`Report`](crate::report::Report) and a
//! writer, and decides only how the report looks.

pub mod clip;
pub mod diff;
pub mod entries;
pub mod headline;
pub mod html;
pub mod issues;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod style;
pub mod text;
