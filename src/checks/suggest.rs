//! What to say when a rule names a metric that does not exist: the names most likely meant, and
//! a short list of the names there are.
//!
//! A report of a binary model has some sixty metric paths, and listing them all buried the one
//! the user meant. The closest names are found in three steps, each tried only when the one
//! before finds nothing: the same name in another case (`F1`); a known alias, most of them
//! scikit-learn's function and scorer names (`f1_score`, `roc_auc_score`, `auc`, `f1_macro`);
//! then the names within a small edit distance (optimal string alignment, the Levenshtein
//! distance with adjacent transpositions, so `eec` is one edit from `ece`).

/// Aliases: a name users write → the metric path it means. The last part of a dotted path is
/// looked up too, so `macro.f1_score` finds `macro.f1`.
const ALIASES: &[(&str, &str)] = &[
    ("accuracy_score", "accuracy"),
    ("acc", "accuracy"),
    ("balanced_accuracy_score", "balanced_accuracy"),
    ("precision_score", "precision"),
    ("ppv", "precision"),
    ("recall_score", "recall"),
    ("sensitivity", "recall"),
    ("tpr", "recall"),
    ("true_positive_rate", "recall"),
    ("tnr", "specificity"),
    ("true_negative_rate", "specificity"),
    ("f1_score", "f1"),
    ("f_score", "f1"),
    ("f1score", "f1"),
    ("fbeta_score", "fbeta"),
    ("f_beta", "fbeta"),
    ("matthews_corrcoef", "mcc"),
    ("matthews", "mcc"),
    ("cohen_kappa_score", "cohen_kappa"),
    ("kappa", "cohen_kappa"),
    ("roc_auc_score", "roc_auc"),
    ("auc", "roc_auc"),
    ("auroc", "roc_auc"),
    ("roc", "roc_auc"),
    ("average_precision_score", "average_precision"),
    ("ap", "average_precision"),
    ("auprc", "average_precision"),
    ("pr_auc", "average_precision"),
    ("log_loss_score", "log_loss"),
    ("logloss", "log_loss"),
    ("cross_entropy", "log_loss"),
    ("brier_score_loss", "brier"),
    ("brier_score", "brier"),
    ("f1_macro", "macro.f1"),
    ("macro_f1", "macro.f1"),
    ("f1_micro", "micro.f1"),
    ("micro_f1", "micro.f1"),
    ("f1_weighted", "weighted.f1"),
    ("weighted_f1", "weighted.f1"),
    ("precision_macro", "macro.precision"),
    ("recall_macro", "macro.recall"),
    ("precision_weighted", "weighted.precision"),
    ("recall_weighted", "weighted.recall"),
    ("roc_auc_ovr", "macro.roc_auc"),
];

/// The names shown as examples when a rule names no metric, when the run has them.
const COMMON: &[&str] = &[
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "mcc",
    "roc_auc",
    "log_loss",
    "macro.f1",
];

/// The names in `names` most likely meant by `name` (at most three), best first; empty when
/// nothing is close.
pub fn closest<'a>(name: &str, names: &[&'a str]) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let same_case: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| n.to_lowercase() == lower)
        .collect();
    if !same_case.is_empty() {
        return same_case;
    }
    let (head, last) = match lower.rsplit_once('.') {
        Some((head, last)) => (Some(head), last),
        None => (None, lower.as_str()),
    };
    let aliased: Vec<&str> = ALIASES
        .iter()
        .filter(|(alias, _)| *alias == last)
        .filter_map(|(_, target)| {
            let path = match head {
                Some(head) => format!("{head}.{target}"),
                None => target.to_string(),
            };
            names.iter().copied().find(|n| n.to_lowercase() == path)
        })
        .collect();
    if !aliased.is_empty() {
        return aliased;
    }
    let scored: Vec<(usize, &str)> = names
        .iter()
        .map(|n| (edit_distance(&lower, &n.to_lowercase()), *n))
        .collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min() else {
        return Vec::new();
    };
    if best > (lower.chars().count() / 3).max(2) {
        return Vec::new();
    }
    scored
        .into_iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, n)| n)
        .take(3)
        .collect()
}

/// What to do about `name`, which is not among `names`: the closest names, then a few of the
/// names there are (never more than ten) and how to see them all.
pub fn unknown_metric_hint(name: &str, names: &[&str]) -> String {
    let close = closest(name, names);
    let mut shown: Vec<&str> = COMMON
        .iter()
        .copied()
        .filter(|c| names.contains(c))
        .collect();
    if let Some(per_class) = names
        .iter()
        .copied()
        .find(|n| n.starts_with("per_class.") && n.ends_with(".recall"))
    {
        shown.push(per_class);
    }
    let listing = if shown.is_empty() {
        "the report has no metrics to gate on".to_string()
    } else {
        format!(
            "metrics include {}; {} in all, the dotted paths of the JSON report's \"metrics\"",
            shown.join(", "),
            names.len()
        )
    };
    match close.as_slice() {
        [] => listing,
        [one] => format!("did you mean '{one}'? {listing}"),
        many => format!("did you mean '{}'? {listing}", many.join("' or '")),
    }
}

/// The optimal string alignment distance between `a` and `b`: insertions, deletions,
/// substitutions and transpositions of adjacent characters each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &[
        "accuracy",
        "balanced_accuracy",
        "precision",
        "recall",
        "f1",
        "fbeta",
        "mcc",
        "macro.f1",
        "macro.recall",
        "per_class.cat.recall",
        "roc_auc",
        "average_precision",
        "log_loss",
        "brier",
        "ece",
        "mce",
    ];

    #[test]
    fn another_case_is_found_first() {
        assert_eq!(closest("F1", NAMES), ["f1"]);
        assert_eq!(closest("Macro.F1", NAMES), ["macro.f1"]);
    }

    #[test]
    fn scikit_learn_names_are_aliases() {
        assert_eq!(closest("f1_score", NAMES), ["f1"]);
        assert_eq!(closest("roc_auc_score", NAMES), ["roc_auc"]);
        assert_eq!(closest("accuracy_score", NAMES), ["accuracy"]);
        assert_eq!(closest("auc", NAMES), ["roc_auc"]);
        assert_eq!(closest("AUC", NAMES), ["roc_auc"]);
        assert_eq!(closest("f1_macro", NAMES), ["macro.f1"]);
        assert_eq!(closest("macro.f1_score", NAMES), ["macro.f1"]);
        assert_eq!(closest("brier_score_loss", NAMES), ["brier"]);
    }

    #[test]
    fn typos_are_a_few_edits_away() {
        assert_eq!(closest("acuracy", NAMES), ["accuracy"]);
        assert_eq!(closest("eec", NAMES), ["ece"]);
        assert_eq!(
            closest("per_class.cat.recal", NAMES),
            ["per_class.cat.recall"]
        );
        assert!(closest("throughput", NAMES).is_empty());
    }

    #[test]
    fn the_hint_lists_at_most_ten_names() {
        let hint = unknown_metric_hint("f1_score", NAMES);
        assert!(
            hint.starts_with("did you mean 'f1'? metrics include accuracy,"),
            "{hint}"
        );
        assert!(hint.contains("per_class.cat.recall; 16 in all"), "{hint}");
        let listed = hint
            .split("include ")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap();
        assert!(listed.split(", ").count() <= 10, "{hint}");
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("eec", "ece"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
