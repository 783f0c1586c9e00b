//! Column roles: which columns hold the label, prediction, scores, ids and latencies
//! (`[columns]`); a role not named is detected from the header.

use crate::cli::ColumnArgs;
use crate::config::ColumnsSection;
use crate::io::columns::ColumnFlags;

/// The roles the flags name, else the file.
pub(super) fn resolve(args: &ColumnArgs, file: &ColumnsSection) -> ColumnFlags {
    let pick = |flag: &Option<String>, key: &Option<String>| flag.clone().or_else(|| key.clone());
    ColumnFlags {
        label: pick(&args.label_col, &file.label),
        prediction: pick(&args.pred_col, &file.prediction),
        score: pick(&args.score_col, &file.score),
        proba_prefix: pick(&args.proba_prefix, &file.proba_prefix),
        id: pick(&args.id_col, &file.id),
        latency: pick(&args.latency_col, &file.latency),
    }
}
