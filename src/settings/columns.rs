//! Column roles: which columns hold the label, prediction, scores, ids, latencies and weights
//! (`[columns]`); a role not named is detected from the header. The classes of the probability
//! columns (`--classes`) are checked here: each must name one class, once.

use crate::cli::ColumnArgs;
use crate::config::ColumnsSection;
use crate::io::columns::ColumnFlags;
use crate::label::LabelKey;

use super::SettingsError;

/// The roles the flags name, else the file.
pub(super) fn resolve(
    args: &ColumnArgs,
    file: &ColumnsSection,
) -> Result<ColumnFlags, SettingsError> {
    let pick = |flag: &Option<String>, key: &Option<String>| flag.clone().or_else(|| key.clone());
    let classes = if args.classes.is_empty() {
        file.classes
            .as_ref()
            .map(|names| names.iter().map(ToString::to_string).collect())
    } else {
        Some(args.classes.clone())
    };
    if let Some(names) = &classes {
        check_classes(names)?;
    }
    Ok(ColumnFlags {
        label: pick(&args.label_col, &file.label),
        prediction: pick(&args.pred_col, &file.prediction),
        score: pick(&args.score_col, &file.score),
        proba_prefix: pick(&args.proba_prefix, &file.proba_prefix),
        classes,
        id: pick(&args.id_col, &file.id),
        latency: pick(&args.latency_col, &file.latency),
        weight: pick(&args.weight_col, &file.weight),
        features: if args.feature_cols.is_empty() {
            file.features.clone().unwrap_or_default()
        } else {
            args.feature_cols.clone()
        },
        categorical: if args.categorical_cols.is_empty() {
            file.categorical.clone().unwrap_or_default()
        } else {
            args.categorical_cols.clone()
        },
    })
}

/// Each name of `--classes` names a class (not a missing value), and no class twice (`1` and
/// `1.0` are one class).
fn check_classes(names: &[String]) -> Result<(), SettingsError> {
    let given = names.join(",");
    let mut seen: Vec<LabelKey> = Vec::with_capacity(names.len());
    for name in names {
        let Some(key) = LabelKey::parse(name) else {
            return Err(SettingsError::Classes {
                given,
                problem: format!("{name:?} is not a class name (empty, NA and null mean missing)"),
            });
        };
        if seen.contains(&key) {
            return Err(SettingsError::Classes {
                given,
                problem: format!("class '{key}' is named twice"),
            });
        }
        seen.push(key);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(names: &[&str]) -> Result<(), SettingsError> {
        check_classes(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn each_class_is_named_once() {
        assert!(classes(&["benign", "malignant"]).is_ok());
        let err = classes(&["1", "1.0"]).unwrap_err().to_string();
        assert!(err.contains("class '1' is named twice"), "{err}");
        let err = classes(&["a", ""]).unwrap_err().to_string();
        assert!(err.contains("not a class name"), "{err}");
    }
}
