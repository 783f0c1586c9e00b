//! One module per subcommand; each is glue: read, compute, render.

pub mod diff;
pub mod eval;
pub mod explain;
pub mod merge;
pub mod profile;
