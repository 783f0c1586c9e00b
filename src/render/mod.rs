//! The rendering layer: each renderer takes a finished [`Report`](crate::report::Report) and a
//! writer, and decides only how the report looks.

pub mod json;
pub mod style;
pub mod text;
