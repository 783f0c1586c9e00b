//! Sample weights (`--weight-col`): the metrics scikit-learn computes with `sample_weight`,
//! computed the same way from each row's weight.
//!
//! A [`WeightedState`] exists only when a weight column is given, beside the unweighted state,
//! which it leaves untouched: an unweighted run computes exactly what it did before. It keeps
//! each row's classes, score or probabilities and weight (a weighted run's memory grows with
//! its rows) and merges by concatenation; [`WeightedState::apply`] orders the rows canonically
//! before any sum, so one pass, parallel chunks and merged shards agree to the last bit.
//!
//! Definitions are scikit-learn's (`sklearn.metrics`, 1.9): every count becomes a sum of
//! weights. `accuracy_score` and the proper scoring rules are weighted means
//! (`np.average(..., weights=sample_weight)`); precision, recall and F-beta divide weighted
//! sums of the confusion matrix (`multilabel_confusion_matrix`), and their `weighted` average
//! weighs classes by their weighted support; `balanced_accuracy_score`, `matthews_corrcoef` and
//! `cohen_kappa_score` read `confusion_matrix(..., sample_weight=w)`; ROC AUC is the trapezoidal
//! area under the curve of cumulative weights (`_binary_clf_curve`, which leaves out rows of
//! weight 0) and average precision the step sum over the same curve.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::accumulator::RowProblem;
use super::classes::ClassTable;
use super::classification::{ClassificationMetrics, Headline};
use super::evaluation::{Evaluation, MetricsError, Task};
use super::probabilistic::{log_loss_term, Sum};
use super::row::{Prediction, Row};
use crate::label::{negative_partner, LabelKey};

/// What a row's prediction was, in the state's class numbering.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Predicted {
    /// A class: written in the prediction column, or the winning probability column's.
    Class(u32),
    /// Whether the score reached the threshold (the positive class is known only at the end).
    Above(bool),
}

/// One counted row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct WeightedRow {
    /// The true class.
    truth: u32,
    /// The prediction.
    predicted: Predicted,
    /// The row's weight (finite, not negative).
    weight: f64,
    /// The binary score, when the input has a score column.
    score: Option<f64>,
}

/// Mergeable state of the weighted metrics.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WeightedState {
    /// The weight column's name.
    column: String,
    /// Classes met so far, in this state's numbering.
    classes: ClassTable,
    /// Class id of each probability column.
    proba_ids: Vec<u32>,
    /// Every row counted.
    rows: Vec<WeightedRow>,
    /// The probabilities of every row, `proba_ids.len()` values a row.
    proba: Vec<f64>,
}

/// The weighted metrics' account of their weights, for the report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightTotals {
    /// The sum of the weights.
    pub total: f64,
    /// Rows of weight 0.
    pub zero_rows: u64,
}

impl WeightedState {
    /// A state for files whose probability columns name `proba_classes` (in column order),
    /// weighted by the column `column`.
    pub fn new(proba_classes: &[LabelKey], column: &str) -> WeightedState {
        let mut state = WeightedState {
            column: column.to_string(),
            ..WeightedState::default()
        };
        state.proba_ids = proba_classes
            .iter()
            .map(|k| state.classes.id_of_key(k.clone()))
            .collect();
        state
    }

    /// The weight column's name.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// Rows counted.
    pub fn rows(&self) -> u64 {
        self.rows.len() as u64
    }

    /// Counts one row of weight `weight` (finite and not negative: the reader checks it).
    pub fn push(&mut self, row: &Row<'_>, weight: f64) -> Result<(), RowProblem> {
        let truth = self
            .classes
            .id_of_raw(row.label)
            .ok_or(RowProblem::MissingLabel)?;
        let predicted = match row.prediction {
            Prediction::Label(raw) => Predicted::Class(
                self.classes
                    .id_of_raw(raw)
                    .ok_or(RowProblem::MissingPrediction)?,
            ),
            Prediction::ProbaArgmax(i) => Predicted::Class(self.proba_ids[i]),
            Prediction::Positive(above) => Predicted::Above(above),
        };
        let score = if row.proba.is_empty() {
            row.score.map(|s| s.value)
        } else {
            self.proba.extend_from_slice(row.proba);
            None
        };
        self.rows.push(WeightedRow {
            truth,
            predicted,
            weight,
            score,
        });
        Ok(())
    }

    /// Adds another state's rows to this one.
    pub fn merge(&mut self, other: &WeightedState) {
        let remap = self.classes.absorb(&other.classes);
        self.rows.extend(other.rows.iter().map(|r| WeightedRow {
            truth: remap[r.truth as usize],
            predicted: match r.predicted {
                Predicted::Class(c) => Predicted::Class(remap[c as usize]),
                above => above,
            },
            ..*r
        }));
        self.proba.extend_from_slice(&other.proba);
    }

    /// Checks that a state read from a file is whole: class ids within the class table,
    /// probabilities for every row, weights finite and not negative.
    pub fn check(&self) -> Result<(), String> {
        let n = self.classes.len() as u32;
        let width = self.proba_ids.len();
        let in_table = |c: u32| c < n;
        if self.proba_ids.iter().any(|&c| !in_table(c)) {
            return Err("a probability column names a class that is not in the class table".into());
        }
        for r in &self.rows {
            let predicted_ok = match r.predicted {
                Predicted::Class(c) => in_table(c),
                Predicted::Above(_) => true,
            };
            if !in_table(r.truth) || !predicted_ok {
                return Err("a weighted row names a class that is not in the class table".into());
            }
            if !(r.weight.is_finite() && r.weight >= 0.0) {
                return Err(format!(
                    "a weight is {} (weights are numbers ≥ 0)",
                    r.weight
                ));
            }
        }
        let with_proba = if width == 0 { 0 } else { self.rows.len() };
        if self.proba.len() != with_proba * width {
            return Err("the weighted probabilities do not fit the rows".into());
        }
        Ok(())
    }

    /// Replaces the metrics of `evaluation` (finished from the unweighted state of the same
    /// rows, which decided the classes, the task and the positive class) that scikit-learn
    /// weighs by their weighted values, and adds the weighted confusion matrix. The intervals
    /// are dropped: they are bootstrap intervals of the unweighted metrics.
    pub fn apply(self, evaluation: &mut Evaluation) -> Result<WeightTotals, MetricsError> {
        let labels = &evaluation.labels;
        let k = labels.len();
        let index: Vec<Option<usize>> = self
            .classes
            .keys()
            .iter()
            .map(|key| labels.iter().position(|l| *l == key.name()))
            .collect();
        // A prediction from a score: the positive class, or the one other class.
        let pos = evaluation
            .pos_label
            .as_ref()
            .and_then(|p| labels.iter().position(|l| l == p));
        let neg = match pos {
            Some(p) => (0..k).find(|&i| i != p).or_else(|| {
                let key = LabelKey::parse(&labels[p])?;
                let partner = negative_partner(&key)?.name();
                labels.iter().position(|l| *l == partner)
            }),
            None => None,
        };
        let width = self.proba_ids.len();
        let column_class: Vec<Option<usize>> =
            self.proba_ids.iter().map(|&c| index[c as usize]).collect();
        let rows: Vec<Resolved> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let truth = index[r.truth as usize]?;
                let predicted = match r.predicted {
                    Predicted::Class(c) => index[c as usize]?,
                    Predicted::Above(true) => pos?,
                    Predicted::Above(false) => neg?,
                };
                let proba = if width == 0 {
                    &[][..]
                } else {
                    &self.proba[i * width..(i + 1) * width]
                };
                Some(Resolved {
                    truth,
                    predicted,
                    weight: r.weight,
                    score: r.score,
                    proba,
                })
            })
            .collect();
        let rows = canonical(rows);
        let mut total = Sum::default();
        let mut zero_rows = 0;
        let mut matrix = vec![vec![Sum::default(); k]; k];
        for r in &rows {
            total.add(r.weight);
            zero_rows += u64::from(r.weight == 0.0);
            matrix[r.truth][r.predicted].add(r.weight);
        }
        let total = total.value();
        if total <= 0.0 {
            return Err(MetricsError::ZeroWeight);
        }
        let matrix: Vec<Vec<f64>> = matrix
            .iter()
            .map(|row| row.iter().map(Sum::value).collect())
            .collect();
        let headline = match evaluation.task {
            Task::Binary => Headline::Binary {
                pos: pos.unwrap_or(k),
            },
            Task::Multiclass => Headline::Macro,
        };
        let undefined = label_metrics(&mut evaluation.metrics, &matrix, headline);
        evaluation.warnings.extend(undefined);
        if let Some(scores) = &mut evaluation.scores {
            let names: Vec<String> = column_class
                .iter()
                .zip(&self.proba_ids)
                .map(|(i, &c)| i.map_or_else(|| self.classes.key(c).name(), |i| labels[i].clone()))
                .collect();
            let undefined = score_metrics(
                evaluation.task,
                &rows,
                pos,
                &column_class,
                &names,
                total,
                scores,
                &mut evaluation.metrics,
            );
            evaluation.warnings.extend(undefined);
        }
        evaluation.metrics.confusion_matrix.weighted = Some(matrix);
        evaluation.intervals.0.clear();
        Ok(WeightTotals { total, zero_rows })
    }
}

/// A row in the evaluation's class order.
struct Resolved<'a> {
    truth: usize,
    predicted: usize,
    weight: f64,
    score: Option<f64>,
    proba: &'a [f64],
}

/// The rows in one order whatever order they were counted in: every sum then adds the same
/// numbers in the same order.
fn canonical(mut rows: Vec<Resolved<'_>>) -> Vec<Resolved<'_>> {
    let floats = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    rows.sort_unstable_by(|a, b| {
        (a.truth, a.predicted)
            .cmp(&(b.truth, b.predicted))
            .then_with(|| {
                let (x, y) = (a.score.unwrap_or(-1.0), b.score.unwrap_or(-1.0));
                x.total_cmp(&y)
            })
            .then_with(|| a.weight.total_cmp(&b.weight))
            .then_with(|| floats(a.proba, b.proba))
    });
    rows
}

/// `num / den`, 0 when `den` is 0 (scikit-learn's `zero_division=0`).
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// F-beta from weighted sums, as scikit-learn computes it.
fn f_score(beta: f64, tp: f64, true_w: f64, pred_w: f64) -> f64 {
    let b2 = beta * beta;
    ratio((1.0 + b2) * tp, b2 * true_w + pred_w)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn weighted_mean(v: &[f64], w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    if total == 0.0 {
        return 0.0;
    }
    v.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total
}

/// Replaces the label metrics by those of the weighted confusion matrix, and returns the
/// warnings about ratios that only the weights make 0/0 (classes whose rows all weigh 0; the
/// unweighted metrics warned about the others).
fn label_metrics(
    m: &mut ClassificationMetrics,
    matrix: &[Vec<f64>],
    headline: Headline,
) -> Vec<String> {
    let k = matrix.len();
    let beta = m.beta;
    let tp: Vec<f64> = (0..k).map(|i| matrix[i][i]).collect();
    let true_w: Vec<f64> = matrix.iter().map(|r| r.iter().sum()).collect();
    let pred_w: Vec<f64> = (0..k).map(|j| matrix.iter().map(|r| r[j]).sum()).collect();
    let n: f64 = true_w.iter().sum();
    let correct: f64 = tp.iter().sum();
    let precision: Vec<f64> = (0..k).map(|i| ratio(tp[i], pred_w[i])).collect();
    let recall: Vec<f64> = (0..k).map(|i| ratio(tp[i], true_w[i])).collect();
    let f1: Vec<f64> = (0..k)
        .map(|i| f_score(1.0, tp[i], true_w[i], pred_w[i]))
        .collect();
    let fbeta: Vec<f64> = (0..k)
        .map(|i| f_score(beta, tp[i], true_w[i], pred_w[i]))
        .collect();

    m.macro_avg.precision = Some(mean(&precision));
    m.macro_avg.recall = Some(mean(&recall));
    m.macro_avg.f1 = Some(mean(&f1));
    m.weighted.precision = Some(weighted_mean(&precision, &true_w));
    m.weighted.recall = Some(weighted_mean(&recall, &true_w));
    m.weighted.f1 = Some(weighted_mean(&f1, &true_w));
    m.micro.precision = Some(ratio(correct, n));
    m.micro.recall = Some(ratio(correct, n));
    m.micro.f1 = Some(f_score(1.0, correct, n, n));
    for (i, (_, c)) in m.per_class.0.iter_mut().enumerate() {
        c.precision = precision[i];
        c.recall = recall[i];
        c.f1 = f1[i];
    }
    match headline {
        Headline::Binary { pos } => {
            let cell = |t: usize, p: usize| if t < k && p < k { matrix[t][p] } else { 0.0 };
            let tp = cell(pos, pos);
            let true_w: f64 = (0..k).map(|p| cell(pos, p)).sum();
            let pred_w: f64 = (0..k).map(|t| cell(t, pos)).sum();
            let neg_true: f64 = (0..k)
                .filter(|&t| t != pos)
                .map(|t| matrix[t].iter().sum::<f64>())
                .sum();
            let tn: f64 = (0..k)
                .filter(|&t| t != pos)
                .map(|t| {
                    (0..k)
                        .filter(|&p| p != pos)
                        .map(|p| cell(t, p))
                        .sum::<f64>()
                })
                .sum();
            m.precision = Some(ratio(tp, pred_w));
            m.recall = Some(ratio(tp, true_w));
            m.f1 = Some(f_score(1.0, tp, true_w, pred_w));
            m.fbeta = Some(f_score(beta, tp, true_w, pred_w));
            m.specificity = Some(ratio(tn, neg_true));
        }
        Headline::Macro => {
            m.precision = m.macro_avg.precision;
            m.recall = m.macro_avg.recall;
            m.f1 = m.macro_avg.f1;
            m.fbeta = Some(mean(&fbeta));
            m.specificity = None;
        }
    }
    m.accuracy = Some(correct / n);
    let recalls: Vec<f64> = (0..k)
        .filter(|&i| true_w[i] > 0.0)
        .map(|i| tp[i] / true_w[i])
        .collect();
    m.balanced_accuracy = Some(mean(&recalls));
    // matthews_corrcoef: covariances of the one-hot labels and predictions.
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let cov_ytyp = correct * n - dot(&true_w, &pred_w);
    let cov_ypyp = n * n - dot(&pred_w, &pred_w);
    let cov_ytyt = n * n - dot(&true_w, &true_w);
    m.mcc = Some(if cov_ypyp * cov_ytyt == 0.0 {
        0.0
    } else {
        cov_ytyp / (cov_ytyt * cov_ypyp).sqrt()
    });
    // cohen_kappa_score: 1 − observed disagreement / expected disagreement.
    let expected = (n * n - dot(&true_w, &pred_w)) / n;
    m.cohen_kappa = (expected != 0.0).then(|| 1.0 - (n - correct) / expected);

    let counts = &m.confusion_matrix.matrix;
    let rows_true = |i: usize| counts[i].iter().sum::<u64>();
    let rows_predicted = |i: usize| counts.iter().map(|r| r[i]).sum::<u64>();
    let names = |classes: Vec<usize>| {
        classes
            .iter()
            .map(|&i| format!("'{}'", m.confusion_matrix.labels[i]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let no_true: Vec<usize> = (0..k)
        .filter(|&i| true_w[i] == 0.0 && rows_true(i) > 0)
        .collect();
    let no_predicted: Vec<usize> = (0..k)
        .filter(|&i| pred_w[i] == 0.0 && rows_predicted(i) > 0)
        .collect();
    let mut warnings = Vec::new();
    if !no_predicted.is_empty() {
        warnings.push(format!(
            "precision is ill-defined and set to 0.0 for class {} (its predicted rows all weigh 0)",
            names(no_predicted)
        ));
    }
    if !no_true.is_empty() {
        warnings.push(format!(
            "recall is ill-defined and set to 0.0 for class {}, and balanced_accuracy leaves it out (its true rows all weigh 0)",
            names(no_true)
        ));
    }
    warnings
}

/// Weighted ROC AUC and average precision of scores whose rows are positive or not:
/// `(score, weight, positive)`, rows of weight 0 left out as scikit-learn leaves them out.
/// `None` unless both positives and negatives weigh something.
pub fn ranking(mut rows: Vec<(f64, f64, bool)>) -> (Option<f64>, Option<f64>) {
    rows.retain(|r| r.1 != 0.0);
    rows.sort_unstable_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.2.cmp(&b.2))
            .then_with(|| a.1.total_cmp(&b.1))
    });
    let (mut p, mut n) = (Sum::default(), Sum::default());
    for &(_, w, positive) in &rows {
        if positive {
            p.add(w);
        } else {
            n.add(w);
        }
    }
    let (p, n) = (p.value(), n.value());
    if p == 0.0 || n == 0.0 {
        return (None, None);
    }
    let (mut tp, mut fp) = (Sum::default(), Sum::default());
    let (mut prev_tpr, mut prev_fpr, mut prev_recall) = (0.0, 0.0, 0.0);
    let (mut area, mut ap) = (Sum::default(), Sum::default());
    let mut i = 0;
    while i < rows.len() {
        let s = rows[i].0;
        while i < rows.len() && rows[i].0 == s {
            if rows[i].2 {
                tp.add(rows[i].1);
            } else {
                fp.add(rows[i].1);
            }
            i += 1;
        }
        let (tps, fps) = (tp.value(), fp.value());
        let (tpr, fpr) = (tps / p, fps / n);
        area.add((fpr - prev_fpr) * (tpr + prev_tpr) / 2.0);
        ap.add((tpr - prev_recall) * (tps / (tps + fps)));
        prev_tpr = tpr;
        prev_fpr = fpr;
        prev_recall = tpr;
    }
    (Some(area.value()), Some(ap.value()))
}

/// Replaces the score metrics scikit-learn weighs — ROC AUC, average precision, log loss and
/// the Brier score, overall and per class — by their weighted values; returns the warnings
/// about ranking metrics that only the weights leave undefined.
#[allow(clippy::too_many_arguments)]
fn score_metrics(
    task: Task,
    rows: &[Resolved<'_>],
    pos: Option<usize>,
    column_class: &[Option<usize>],
    column_names: &[String],
    total: f64,
    scores: &mut super::scores::ScoreResults,
    labels: &mut ClassificationMetrics,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let (mut log_loss, mut brier) = (Sum::default(), Sum::default());
    match task {
        Task::Binary => {
            let Some(pos) = pos else { return warnings };
            // The positive-class score: the score column's, or the positive class's
            // probability column's.
            let column = column_class.iter().position(|c| *c == Some(pos));
            let mut ranked = Vec::with_capacity(rows.len());
            for r in rows {
                let s = match (r.score, column) {
                    (Some(s), _) => s,
                    (None, Some(j)) => r.proba[j],
                    (None, None) => return warnings,
                };
                let positive = r.truth == pos;
                let y = if positive { 1.0 } else { 0.0 };
                log_loss.add(r.weight * log_loss_term(if positive { s } else { 1.0 - s }));
                brier.add(r.weight * (s - y) * (s - y));
                ranked.push((s, r.weight, positive));
            }
            let (auc, ap) = ranking(ranked);
            if auc.is_none() && scores.metrics.roc_auc.is_some() {
                warnings.push(
                    "roc_auc and average_precision are undefined: with the weights only one class weighs anything"
                        .to_string(),
                );
            }
            scores.metrics.roc_auc = auc;
            scores.metrics.average_precision = ap;
        }
        Task::Multiclass => {
            if column_class.is_empty() {
                return warnings;
            }
            for r in rows {
                let own = column_class
                    .iter()
                    .position(|c| *c == Some(r.truth))
                    .unwrap_or(0);
                let mut sq = 0.0;
                for (j, &p) in r.proba.iter().enumerate() {
                    let y = if j == own { 1.0 } else { 0.0 };
                    sq += (p - y) * (p - y);
                }
                brier.add(r.weight * sq);
                log_loss.add(r.weight * log_loss_term(r.proba[own]));
            }
            let mut per_column = Vec::with_capacity(column_class.len());
            for (j, class) in column_class.iter().enumerate() {
                let ranked: Vec<(f64, f64, bool)> = rows
                    .iter()
                    .map(|r| (r.proba[j], r.weight, Some(r.truth) == *class))
                    .collect();
                let support: f64 = rows
                    .iter()
                    .filter(|r| Some(r.truth) == *class)
                    .map(|r| r.weight)
                    .sum();
                per_column.push((ranking(ranked), support));
            }
            type Pair = (Option<f64>, Option<f64>);
            let average = |get: fn(&Pair) -> Option<f64>, weighted: bool| {
                let (mut sum, mut weight) = (0.0, 0.0);
                for (r, support) in &per_column {
                    if let Some(v) = get(r) {
                        let w = if weighted { *support } else { 1.0 };
                        sum += w * v;
                        weight += w;
                    }
                }
                (weight > 0.0).then(|| sum / weight)
            };
            labels.macro_avg.roc_auc = average(|r| r.0, false);
            labels.macro_avg.average_precision = average(|r| r.1, false);
            labels.weighted.roc_auc = average(|r| r.0, true);
            labels.weighted.average_precision = average(|r| r.1, true);
            scores.metrics.roc_auc = labels.macro_avg.roc_auc;
            scores.metrics.average_precision = labels.macro_avg.average_precision;
            let mut undefined = Vec::new();
            for (name, ((roc, ap), _)) in column_names.iter().zip(&per_column) {
                if let Some((_, m)) = labels.per_class.0.iter_mut().find(|(n, _)| n == name) {
                    if roc.is_none() && m.roc_auc.is_some() {
                        undefined.push(format!("'{name}'"));
                    }
                    m.roc_auc = *roc;
                    m.average_precision = *ap;
                }
                if let Some((_, m)) = scores.per_class.iter_mut().find(|(n, _)| n == name) {
                    m.roc_auc = *roc;
                    m.average_precision = *ap;
                }
            }
            if !undefined.is_empty() {
                warnings.push(format!(
                    "one-vs-rest roc_auc and average_precision are undefined for class {} (with the weights it never or always occurs); the macro averages leave it out",
                    undefined.join(", ")
                ));
            }
            if let Some((macro_avg, weighted)) = &mut scores.averages {
                macro_avg.roc_auc = labels.macro_avg.roc_auc;
                macro_avg.average_precision = labels.macro_avg.average_precision;
                weighted.roc_auc = labels.weighted.roc_auc;
                weighted.average_precision = labels.weighted.average_precision;
            }
        }
    }
    scores.metrics.log_loss = Some(log_loss.value() / total);
    scores.metrics.brier = Some(brier.value() / total);
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::intervals::Bootstrap;
    use crate::metrics::ranked::Score;
    use crate::metrics::{EvalState, FinishOptions};

    /// Rows of three classes with probabilities, predictions and weights (some 0), or of two
    /// classes with a score.
    fn rows(n: usize, binary: bool) -> Vec<(String, String, Vec<f64>, f64)> {
        let names = ["cat", "dog", "eel"];
        let mut x: u64 = 12345;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as f64 / (1u64 << 31) as f64
        };
        (0..n)
            .map(|_| {
                let k = if binary { 2 } else { 3 };
                let t = (next() * k as f64) as usize;
                let p = if next() < 0.7 {
                    t
                } else {
                    (next() * k as f64) as usize
                };
                let mut proba: Vec<f64> = (0..k).map(|_| next()).collect();
                proba[p] += 1.0;
                let sum: f64 = proba.iter().sum();
                proba.iter_mut().for_each(|v| *v /= sum);
                let weight = if next() < 0.1 { 0.0 } else { next() * 5.0 };
                let (label, pred) = if binary {
                    (t.to_string(), p.to_string())
                } else {
                    (names[t].to_string(), names[p].to_string())
                };
                let values = if binary { vec![proba[1]] } else { proba };
                (label, pred, values, weight)
            })
            .collect()
    }

    /// The weighted evaluation of `rows`, cut into `parts` states merged last first.
    fn evaluate(
        rows: &[(String, String, Vec<f64>, f64)],
        binary: bool,
        parts: usize,
    ) -> Evaluation {
        let proba: Vec<LabelKey> = if binary {
            Vec::new()
        } else {
            ["cat", "dog", "eel"]
                .iter()
                .map(|c| LabelKey::parse(c).unwrap())
                .collect()
        };
        fn row(r: &(String, String, Vec<f64>, f64), binary: bool) -> Row<'_> {
            Row {
                label: r.0.as_str(),
                prediction: Prediction::Label(r.1.as_str()),
                score: binary.then(|| Score::raw(r.2[0])),
                proba: if binary { &[] } else { r.2.as_slice() },
            }
        }
        let mut plain = EvalState::new(&proba);
        for r in rows {
            plain.push(&row(r, binary)).unwrap();
        }
        let size = rows.len().div_ceil(parts);
        let mut states: Vec<WeightedState> = rows
            .chunks(size)
            .map(|chunk| {
                let mut state = WeightedState::new(&proba, "w");
                for r in chunk {
                    state.push(&row(r, binary), r.3).unwrap();
                }
                state
            })
            .collect();
        let mut merged = states.pop().unwrap();
        while let Some(state) = states.pop() {
            merged.merge(&state);
        }
        let opts = FinishOptions {
            bootstrap: Bootstrap {
                replicates: 0,
                ..Bootstrap::default()
            },
            ..FinishOptions::default()
        };
        let mut evaluation = plain.finish(&opts).unwrap();
        merged.apply(&mut evaluation).unwrap();
        evaluation
    }

    #[test]
    fn merged_states_give_the_bits_of_one_pass_in_any_order() {
        for binary in [false, true] {
            let rows = rows(500, binary);
            let whole = evaluate(&rows, binary, 1);
            let mut reversed = rows.clone();
            reversed.reverse();
            for (parts, data) in [(3, &rows), (7, &rows), (1, &reversed), (4, &reversed)] {
                let merged = evaluate(data, binary, parts);
                assert_eq!(whole.metrics, merged.metrics, "{parts} parts");
                let scores = |e: &Evaluation| e.scores.as_ref().map(|s| s.metrics.clone());
                assert_eq!(scores(&whole), scores(&merged), "{parts} parts");
            }
            assert!(whole.metrics.confusion_matrix.weighted.is_some());
            assert!(whole.intervals.0.is_empty());
        }
    }

    #[test]
    fn ranking_of_unit_weights_is_the_unweighted_ranking() {
        // Two positives (0.9, 0.4), two negatives (0.4, 0.1): AUC = (1 + 1 + 0.5 + 1) / 4.
        let rows = vec![
            (0.9, 1.0, true),
            (0.4, 1.0, true),
            (0.4, 1.0, false),
            (0.1, 1.0, false),
        ];
        let (auc, ap) = ranking(rows);
        assert!((auc.unwrap() - 0.875).abs() < 1e-15);
        // Thresholds 0.9 (p = 1, r = 0.5), 0.4 (p = 2/3, r = 1).
        assert!((ap.unwrap() - (0.5 + 0.5 * 2.0 / 3.0)).abs() < 1e-15);
    }

    #[test]
    fn a_weight_of_two_counts_a_row_twice() {
        let doubled = ranking(vec![(0.8, 2.0, true), (0.3, 1.0, true), (0.5, 1.0, false)]);
        let repeated = ranking(vec![
            (0.8, 1.0, true),
            (0.8, 1.0, true),
            (0.3, 1.0, true),
            (0.5, 1.0, false),
        ]);
        assert_eq!(doubled, repeated);
    }

    #[test]
    fn rows_of_weight_zero_change_nothing() {
        let base = vec![(0.8, 1.5, true), (0.3, 0.5, true), (0.5, 1.0, false)];
        let mut with_zero = base.clone();
        with_zero.push((0.6, 0.0, false));
        with_zero.push((0.2, 0.0, true));
        assert_eq!(ranking(base), ranking(with_zero));
        assert_eq!(
            ranking(vec![(0.5, 1.0, true), (0.2, 0.0, false)]),
            (None, None)
        );
    }
}
