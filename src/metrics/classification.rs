//! Label-based classification metrics computed from a finished confusion matrix.
//!
//! Definitions follow scikit-learn (`sklearn.metrics`, version 1.5 and later) so that every value
//! matches it: `precision_recall_fscore_support` with `zero_division=0` (a 0/0 ratio is 0 and is
//! reported as a warning, never silently), `balanced_accuracy_score` (mean recall over classes
//! that occur among the labels), `matthews_corrcoef` (the multiclass R_K statistic of Gorodkin
//! 2004, 0 when undefined) and `cohen_kappa_score` (undefined, hence null, when the expected
//! disagreement is 0). Integer sums are exact (`u128`) before the final division.

use serde::Serialize;

use crate::ordered_map::OrderedMap;

/// Precision, recall and F1 averaged over classes in one way.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Averages {
    /// Averaged precision.
    pub precision: Option<f64>,
    /// Averaged recall.
    pub recall: Option<f64>,
    /// Averaged F1.
    pub f1: Option<f64>,
    /// Averaged one-vs-rest ROC AUC (null without probabilities or for `micro`).
    pub roc_auc: Option<f64>,
    /// Averaged one-vs-rest average precision (null without probabilities or for `micro`).
    pub average_precision: Option<f64>,
}

/// Metrics of one class against the rest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassMetrics {
    /// tp / (tp + fp).
    pub precision: f64,
    /// tp / (tp + fn).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Rows whose true label is this class.
    pub support: u64,
    /// One-vs-rest ROC AUC of this class's probability (null without scores).
    pub roc_auc: Option<f64>,
    /// One-vs-rest average precision of this class's probability (null without scores).
    pub average_precision: Option<f64>,
}

/// A confusion matrix with its labels: rows = true label, columns = predicted label.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConfusionMatrix {
    /// Class names in order.
    pub labels: Vec<String>,
    /// Counts, `matrix[true][predicted]`.
    pub matrix: Vec<Vec<u64>>,
    /// With `--weight-col`: the sums of the rows' weights, `weighted[true][predicted]`
    /// (scikit-learn's `confusion_matrix` with `sample_weight`); absent without weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted: Option<Vec<Vec<f64>>>,
}

/// The label-based metrics of an evaluation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassificationMetrics {
    /// Share of rows predicted correctly.
    pub accuracy: Option<f64>,
    /// Mean recall over the classes present among the labels.
    pub balanced_accuracy: Option<f64>,
    /// Binary: precision of the positive class; multiclass: macro precision.
    pub precision: Option<f64>,
    /// Binary: recall of the positive class; multiclass: macro recall.
    pub recall: Option<f64>,
    /// Binary: F1 of the positive class; multiclass: macro F1.
    pub f1: Option<f64>,
    /// The beta of `fbeta`.
    pub beta: f64,
    /// Binary: F-beta of the positive class; multiclass: macro F-beta.
    pub fbeta: Option<f64>,
    /// Matthews correlation coefficient.
    pub mcc: Option<f64>,
    /// Cohen's kappa between labels and predictions (null when undefined).
    pub cohen_kappa: Option<f64>,
    /// Binary: recall of the negative class, tn / (tn + fp); null for multiclass.
    pub specificity: Option<f64>,
    /// Unweighted mean over classes.
    #[serde(rename = "macro")]
    pub macro_avg: Averages,
    /// From counts pooled over classes.
    pub micro: Averages,
    /// Mean over classes weighted by support.
    pub weighted: Averages,
    /// Metrics of each class, in label order.
    pub per_class: OrderedMap<ClassMetrics>,
    /// The confusion matrix.
    pub confusion_matrix: ConfusionMatrix,
}

/// Which averaging the headline precision/recall/F1 use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Headline {
    /// Of the class at this index (scikit-learn's `average='binary'`); the index may be past the
    /// end when the positive class never occurs.
    Binary {
        /// Index of the positive class in the label order.
        pos: usize,
    },
    /// Macro averages.
    Macro,
}

/// Ratio with scikit-learn's `zero_division=0`: 0/0 is 0 and is flagged.
fn ratio(num: f64, den: f64, undefined: &mut bool) -> f64 {
    if den == 0.0 {
        *undefined = true;
        0.0
    } else {
        num / den
    }
}

/// Per-class precision, recall, F-beta and the classes where each was 0/0.
struct ClassScores {
    precision: Vec<f64>,
    recall: Vec<f64>,
    fbeta: Vec<f64>,
    f1: Vec<f64>,
    undefined_precision: Vec<usize>,
    undefined_recall: Vec<usize>,
    undefined_f: Vec<usize>,
}

/// F-beta from counts: (1+b²)tp / (b²·true + pred), as scikit-learn computes it.
fn f_score(beta: f64, tp: u64, true_n: u64, pred_n: u64, undefined: &mut bool) -> f64 {
    let b2 = beta * beta;
    ratio(
        (1.0 + b2) * tp as f64,
        b2 * true_n as f64 + pred_n as f64,
        undefined,
    )
}

fn class_scores(tp: &[u64], true_n: &[u64], pred_n: &[u64], beta: f64) -> ClassScores {
    let mut s = ClassScores {
        precision: vec![],
        recall: vec![],
        fbeta: vec![],
        f1: vec![],
        undefined_precision: vec![],
        undefined_recall: vec![],
        undefined_f: vec![],
    };
    for i in 0..tp.len() {
        let (mut up, mut ur, mut uf, mut ignore) = (false, false, false, false);
        s.precision
            .push(ratio(tp[i] as f64, pred_n[i] as f64, &mut up));
        s.recall
            .push(ratio(tp[i] as f64, true_n[i] as f64, &mut ur));
        s.fbeta
            .push(f_score(beta, tp[i], true_n[i], pred_n[i], &mut ignore));
        s.f1.push(f_score(1.0, tp[i], true_n[i], pred_n[i], &mut uf));
        if up {
            s.undefined_precision.push(i);
        }
        if ur {
            s.undefined_recall.push(i);
        }
        if uf {
            s.undefined_f.push(i);
        }
    }
    s
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn weighted_mean(v: &[f64], w: &[u64]) -> f64 {
    let total: u64 = w.iter().sum();
    if total == 0 {
        return 0.0;
    }
    v.iter().zip(w).map(|(x, &n)| x * n as f64).sum::<f64>() / total as f64
}

/// Computes every label-based metric of a confusion matrix whose rows and columns follow
/// `labels`. Undefined ratios are reported in `warnings`.
pub fn classification_metrics(
    labels: &[String],
    matrix: Vec<Vec<u64>>,
    headline: Headline,
    beta: f64,
    warnings: &mut Vec<String>,
) -> ClassificationMetrics {
    let k = labels.len();
    let tp: Vec<u64> = (0..k).map(|i| matrix[i][i]).collect();
    let true_n: Vec<u64> = matrix.iter().map(|r| r.iter().sum()).collect();
    let pred_n: Vec<u64> = (0..k).map(|j| matrix.iter().map(|r| r[j]).sum()).collect();
    let n: u64 = true_n.iter().sum();
    let correct: u64 = tp.iter().sum();
    let s = class_scores(&tp, &true_n, &pred_n, beta);

    let names = |idx: &[usize]| {
        idx.iter()
            .map(|&i| format!("'{}'", labels[i]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.undefined_precision.is_empty() {
        warnings.push(format!(
            "precision is ill-defined and set to 0.0 for class {} (no predicted rows)",
            names(&s.undefined_precision)
        ));
    }
    if !s.undefined_recall.is_empty() {
        warnings.push(format!(
            "recall is ill-defined and set to 0.0 for class {} (no true rows)",
            names(&s.undefined_recall)
        ));
    }
    if !s.undefined_f.is_empty() {
        warnings.push(format!(
            "f1 is ill-defined and set to 0.0 for class {} (no true nor predicted rows)",
            names(&s.undefined_f)
        ));
    }

    let none = || None;
    let averages = |p: f64, r: f64, f: f64| Averages {
        precision: Some(p),
        recall: Some(r),
        f1: Some(f),
        roc_auc: none(),
        average_precision: none(),
    };
    let macro_avg = averages(mean(&s.precision), mean(&s.recall), mean(&s.f1));
    let weighted = averages(
        weighted_mean(&s.precision, &true_n),
        weighted_mean(&s.recall, &true_n),
        weighted_mean(&s.f1, &true_n),
    );
    let mut ignore = false;
    let micro = averages(
        ratio(correct as f64, n as f64, &mut ignore),
        ratio(correct as f64, n as f64, &mut ignore),
        f_score(1.0, correct, n, n, &mut ignore),
    );

    let (precision, recall, f1, fbeta, specificity) = match headline {
        Headline::Binary { pos } => binary_headline(&matrix, pos, n, beta, labels, warnings),
        Headline::Macro => (
            macro_avg.precision,
            macro_avg.recall,
            macro_avg.f1,
            Some(mean(&s.fbeta)),
            None,
        ),
    };

    let per_class = OrderedMap(
        (0..k)
            .map(|i| {
                let m = ClassMetrics {
                    precision: s.precision[i],
                    recall: s.recall[i],
                    f1: s.f1[i],
                    support: true_n[i],
                    roc_auc: None,
                    average_precision: None,
                };
                (labels[i].clone(), m)
            })
            .collect(),
    );

    ClassificationMetrics {
        accuracy: Some(correct as f64 / n as f64),
        balanced_accuracy: Some(balanced_accuracy(&tp, &true_n, &pred_n, warnings)),
        precision,
        recall,
        f1,
        beta,
        fbeta,
        mcc: Some(mcc(&tp, &true_n, &pred_n)),
        cohen_kappa: cohen_kappa(&tp, &true_n, &pred_n, warnings),
        specificity,
        macro_avg,
        micro,
        weighted,
        per_class,
        confusion_matrix: ConfusionMatrix {
            labels: labels.to_vec(),
            matrix,
            weighted: None,
        },
    }
}

type Headlines = (
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// Precision, recall, F1, F-beta and specificity of the positive class at index `pos`.
fn binary_headline(
    matrix: &[Vec<u64>],
    pos: usize,
    n: u64,
    beta: f64,
    labels: &[String],
    warnings: &mut Vec<String>,
) -> Headlines {
    let k = matrix.len();
    let cell = |t: usize, p: usize| if t < k && p < k { matrix[t][p] } else { 0 };
    let tp = cell(pos, pos);
    let true_n: u64 = (0..k).map(|p| cell(pos, p)).sum();
    let pred_n: u64 = (0..k).map(|t| cell(t, pos)).sum();
    let tn = n + tp - true_n - pred_n;
    let fp = pred_n - tp;
    let pos_name = labels.get(pos).map_or("the positive class", |s| s.as_str());
    let (mut up, mut ur, mut us, mut ignore) = (false, false, false, false);
    let precision = ratio(tp as f64, pred_n as f64, &mut up);
    let recall = ratio(tp as f64, true_n as f64, &mut ur);
    let f1 = f_score(1.0, tp, true_n, pred_n, &mut ignore);
    let fbeta = f_score(beta, tp, true_n, pred_n, &mut ignore);
    let specificity = ratio(tn as f64, (tn + fp) as f64, &mut us);
    if up {
        warnings.push(format!(
            "precision of the positive class '{pos_name}' is ill-defined (never predicted) and set to 0.0"
        ));
    }
    if ur {
        warnings.push(format!(
            "recall of the positive class '{pos_name}' is ill-defined (no true rows) and set to 0.0"
        ));
    }
    if us {
        warnings.push("specificity is ill-defined (no negative rows) and set to 0.0".to_string());
    }
    (
        Some(precision),
        Some(recall),
        Some(f1),
        Some(fbeta),
        Some(specificity),
    )
}

/// scikit-learn's `balanced_accuracy_score`: mean recall over classes with true rows.
fn balanced_accuracy(
    tp: &[u64],
    true_n: &[u64],
    pred_n: &[u64],
    warnings: &mut Vec<String>,
) -> f64 {
    let recalls: Vec<f64> = (0..tp.len())
        .filter(|&i| true_n[i] > 0)
        .map(|i| tp[i] as f64 / true_n[i] as f64)
        .collect();
    if (0..tp.len()).any(|i| true_n[i] == 0 && pred_n[i] > 0) {
        warnings.push(
            "balanced_accuracy ignores predicted classes that never occur among the labels"
                .to_string(),
        );
    }
    mean(&recalls)
}

/// scikit-learn's `matthews_corrcoef` (multiclass R_K); 0 when a marginal is constant.
fn mcc(tp: &[u64], true_n: &[u64], pred_n: &[u64]) -> f64 {
    let n: u128 = true_n.iter().map(|&x| x as u128).sum();
    let correct: u128 = tp.iter().map(|&x| x as u128).sum();
    let dot = |a: &[u64], b: &[u64]| -> u128 {
        a.iter().zip(b).map(|(&x, &y)| x as u128 * y as u128).sum()
    };
    let cov_ytyp = (correct * n) as f64 - dot(true_n, pred_n) as f64;
    let cov_ypyp = (n * n - dot(pred_n, pred_n)) as f64;
    let cov_ytyt = (n * n - dot(true_n, true_n)) as f64;
    if cov_ypyp * cov_ytyt == 0.0 {
        return 0.0;
    }
    cov_ytyp / (cov_ytyt * cov_ypyp).sqrt()
}

/// scikit-learn's unweighted `cohen_kappa_score`; `None` when expected disagreement is 0.
fn cohen_kappa(
    tp: &[u64],
    true_n: &[u64],
    pred_n: &[u64],
    warnings: &mut Vec<String>,
) -> Option<f64> {
    let n: u128 = true_n.iter().map(|&x| x as u128).sum();
    let correct: u128 = tp.iter().map(|&x| x as u128).sum();
    let agree_expected: u128 = true_n
        .iter()
        .zip(pred_n)
        .map(|(&a, &b)| a as u128 * b as u128)
        .sum();
    // k = observed disagreement / expected disagreement
    //   = (n - correct) / ((n² - Σ true_i·pred_i) / n)
    let expected = (n * n - agree_expected) as f64 / n as f64;
    if expected == 0.0 {
        warnings.push(
            "cohen_kappa is undefined (labels and predictions are one and the same class)"
                .to_string(),
        );
        return None;
    }
    Some(1.0 - (n - correct) as f64 / expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn binary_counts() {
        // tn=5 fp=1 fn=2 tp=2
        let m = vec![vec![5, 1], vec![2, 2]];
        let mut w = vec![];
        let r = classification_metrics(
            &labels(&["0", "1"]),
            m,
            Headline::Binary { pos: 1 },
            1.0,
            &mut w,
        );
        assert_eq!(r.accuracy, Some(0.7));
        assert_eq!(r.precision, Some(2.0 / 3.0));
        assert_eq!(r.recall, Some(0.5));
        assert!((r.f1.unwrap() - 4.0 / 7.0).abs() < 1e-15);
        assert_eq!(r.specificity, Some(5.0 / 6.0));
        assert!((r.balanced_accuracy.unwrap() - (0.5 + 5.0 / 6.0) / 2.0).abs() < 1e-15);
        assert!(w.is_empty());
    }

    #[test]
    fn never_predicted_class_warns_and_is_zero() {
        let m = vec![vec![3, 0], vec![2, 0]];
        let mut w = vec![];
        let r = classification_metrics(
            &labels(&["0", "1"]),
            m,
            Headline::Binary { pos: 1 },
            1.0,
            &mut w,
        );
        assert_eq!(r.precision, Some(0.0));
        assert_eq!(r.mcc, Some(0.0));
        assert!(w.iter().any(|s| s.contains("precision")), "{w:?}");
    }

    #[test]
    fn single_class_kappa_is_null() {
        let m = vec![vec![4]];
        let mut w = vec![];
        let r =
            classification_metrics(&labels(&["0"]), m, Headline::Binary { pos: 1 }, 1.0, &mut w);
        assert_eq!(r.cohen_kappa, None);
        assert_eq!(r.accuracy, Some(1.0));
        assert_eq!(r.recall, Some(0.0));
        assert_eq!(r.specificity, Some(1.0));
    }
}
