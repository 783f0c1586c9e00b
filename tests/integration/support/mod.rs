//! Helpers shared by the integration tests: running the built binary (`Test`), the error-line
//! contract, package and temporary files, and reports built through the library.

mod error_line;
mod files;
mod hostile_input;
mod reports;
mod test;

pub use error_line::ErrorLine;
pub use files::{
    dir_entries, gzip, package_file, package_path, read_package_file, scenario_file, write,
};
pub use hostile_input::{hostile_csv, HOSTILE};
pub use reports::{
    binary_report, hostile_report, multiclass_report, rendered, report, worst_case_report,
};
pub use test::{clip, Output, Test, BIN};
