//! The diagnosis: the deployment columns (`[columns] version`, `env`) that change how weak
//! segments are read, and where the rows behind row-level findings go.

use std::path::PathBuf;

use crate::cli::DiagnosisArgs;
use crate::config::ColumnsSection;
use crate::diagnosis::DiagnosisContext;

/// The diagnosis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiagnosisSpec {
    /// What changes how check outcomes are read.
    pub context: DiagnosisContext,
    /// Where to write the rows behind row-level findings.
    pub export_issues: Option<PathBuf>,
}

/// The version and environment columns the flags name, else the file.
pub(super) fn resolve(args: &DiagnosisArgs, file: &ColumnsSection) -> DiagnosisSpec {
    let deployment_columns = [
        args.version_col.clone().or_else(|| file.version.clone()),
        args.env_col.clone().or_else(|| file.env.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    DiagnosisSpec {
        context: DiagnosisContext { deployment_columns },
        export_issues: args.export_issues.clone(),
    }
}
