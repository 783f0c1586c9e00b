//! The integration tests: one test binary for the whole command line and library surface.
//!
//! Each module was once a test binary of its own; as modules of one crate they build and link
//! the library and its dependencies once instead of once per file, and share the helpers in
//! `support` (above all `support::Test`, which runs the built `mlguard` and checks its exit
//! code, stdout and stderr). Run one module with `cargo test --test integration MODULE::`.
//!
//! A new integration-test file goes in `tests/integration/` as a module declared here, not in
//! `tests/` (where cargo would build it as one more binary).

mod support;

mod anomalies;
mod audit;
mod browser;
mod cli;
mod columnar;
mod diagnosis;
mod diff;
mod docs_reference;
mod embed;
mod estimated;
mod features;
mod first_hour;
mod gates;
mod golden;
mod hostile;
mod input_sniffing;
mod latency;
mod merge;
mod module_graph;
mod proba_classes;
mod profile;
mod properties;
mod render;
mod weights;
mod wording;
