//! The reading layer: opening inputs (files, stdin, compressed streams), recognising their format,
//! finding the columns that play each role, and decoding records into typed
//! [`Row`](crate::metrics::row::Row)s; plus writing outputs atomically.

pub mod chunks;
pub mod columnar;
pub mod columns;
pub mod decode;
pub mod error;
pub mod format;
pub mod memo;
pub mod output;
pub mod proba_classes;
pub mod records;
pub mod sniff;
pub mod source;

pub use error::{InputError, Location, Problem};
