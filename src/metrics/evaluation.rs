//! Turning a finished [`EvalState`] into an [`Evaluation`]: the class order, the task, the
//! positive class and every metric.
//!
//! The class set follows scikit-learn's `unique_labels`: the union of the classes that occur as
//! labels or as predictions. Probability columns naming classes that never occur are kept out of
//! it (and reported as a warning), as scikit-learn's label-based metrics ignore them too.

use serde::Serialize;
use thiserror::Error;

use super::accumulator::EvalState;
use super::classification::{
    classification_metrics, Averages, ClassificationMetrics, ConfusionMatrix, Headline,
};
use super::intervals::{label_intervals, Bootstrap};
use super::ranked::{GridTable, Ranked, ScoreColumn};
use super::scores::{self, ScoreOptions, ScoreResults, ScoredClass};
use crate::label::{default_positive, negative_partner, sort_labels, LabelKey};
use crate::ordered_map::OrderedMap;

/// The kind of classification problem (`--task`; the variants' comments are its help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Two classes, one positive.
    Binary,
    /// Several classes, macro-averaged headline metrics.
    Multiclass,
}

/// Choices that shape the metrics, decided before the rows are read.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishOptions {
    /// The positive class, when given by the user.
    pub pos_label: Option<LabelKey>,
    /// The task, when given by the user.
    pub task: Option<Task>,
    /// The beta of F-beta.
    pub beta: f64,
    /// Options of the score metrics.
    pub scores: ScoreOptions,
    /// Bootstrap settings of the confidence intervals.
    pub bootstrap: Bootstrap,
}

impl Default for FinishOptions {
    fn default() -> Self {
        FinishOptions {
            pos_label: None,
            task: None,
            beta: 1.0,
            scores: ScoreOptions::default(),
            bootstrap: Bootstrap::default(),
        }
    }
}

/// Why metrics cannot be computed for these rows.
#[derive(Debug, Error, PartialEq)]
pub enum MetricsError {
    /// No row was counted.
    #[error("no data rows (the file has a header but no rows to evaluate)")]
    NoRows,
    /// Two classes with no conventional positive one.
    #[error(
        "cannot tell which class is positive among {labels} (name it with --pos-label, e.g. --pos-label {first})"
    )]
    AmbiguousPositive {
        /// The classes, quoted and comma-separated.
        labels: String,
        /// One of them, for the example.
        first: String,
    },
    /// The positive class given is not among two classes present.
    #[error("--pos-label {pos} is not one of the classes {labels} (pick one of them)")]
    PosLabelNotFound {
        /// The positive label given.
        pos: String,
        /// The classes present.
        labels: String,
    },
    /// A binary task was asked for (or implied by a score column) with more than two classes.
    #[error("a binary task needs at most two classes, but the file has {count}: {labels} (use --task multiclass with per-class probability columns)")]
    TooManyClasses {
        /// How many classes.
        count: usize,
        /// The classes.
        labels: String,
    },
    /// Every row weighs 0 (`--weight-col`), so no weighted mean is defined.
    #[error(
        "the weights sum to 0, so no weighted metric is defined (give some rows a weight above 0)"
    )]
    ZeroWeight,
    /// The negative class of a score-thresholded prediction cannot be named.
    #[error("every label is '{pos}', so the class predicted below the threshold is unknown (add a prediction column, or use labels such as 0/1)")]
    NoNegativeClass {
        /// The only class.
        pos: String,
    },
}

/// The finished result of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Binary or multiclass.
    pub task: Task,
    /// Class names in label order.
    pub labels: Vec<String>,
    /// The positive class for binary tasks.
    pub pos_label: Option<String>,
    /// Rows counted.
    pub rows: u64,
    /// Rows whose probabilities do not sum to 1.
    pub proba_rows_off: u64,
    /// Label-based metrics.
    pub metrics: ClassificationMetrics,
    /// Score-based metrics, when the input has scores or probabilities.
    pub scores: Option<ScoreResults>,
    /// 95% confidence intervals, keyed by metric path.
    pub intervals: OrderedMap<[f64; 2]>,
    /// Things the user should know about these numbers.
    pub warnings: Vec<String>,
}

impl Evaluation {
    /// The evaluation of a binary input none of whose rows has a label yet: every metric null
    /// (nothing is known until the labels arrive), the confusion matrix of `classes` empty.
    pub fn unlabelled(classes: &[LabelKey], pos: &LabelKey, beta: f64) -> Evaluation {
        let labels: Vec<String> = classes.iter().map(LabelKey::name).collect();
        let null = || Averages {
            precision: None,
            recall: None,
            f1: None,
            roc_auc: None,
            average_precision: None,
        };
        let k = labels.len();
        Evaluation {
            task: Task::Binary,
            pos_label: Some(pos.name()),
            rows: 0,
            proba_rows_off: 0,
            metrics: ClassificationMetrics {
                accuracy: None,
                balanced_accuracy: None,
                precision: None,
                recall: None,
                f1: None,
                beta,
                fbeta: None,
                mcc: None,
                cohen_kappa: None,
                specificity: None,
                macro_avg: null(),
                micro: null(),
                weighted: null(),
                per_class: OrderedMap::default(),
                confusion_matrix: ConfusionMatrix {
                    labels: labels.clone(),
                    matrix: vec![vec![0; k]; k],
                    weighted: None,
                },
            },
            labels,
            scores: None,
            intervals: OrderedMap::default(),
            warnings: Vec::new(),
        }
    }
}

fn quoted(keys: &[LabelKey]) -> String {
    keys.iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl EvalState {
    /// Computes the evaluation from everything counted.
    pub fn finish(mut self, opts: &FinishOptions) -> Result<Evaluation, MetricsError> {
        if self.rows == 0 {
            return Err(MetricsError::NoRows);
        }
        let mut warnings = Vec::new();
        let derived = !self.sides.is_empty();
        if derived {
            self.fold_threshold_predictions(opts)?;
        }
        let k = self.classes.len();
        let dim = self.confusion.dim();
        let occurs = |id: usize| {
            (0..dim).any(|j| self.confusion.get(id, j) > 0 || self.confusion.get(j, id) > 0)
        };
        let mut present: Vec<LabelKey> = (0..k)
            .filter(|&i| occurs(i))
            .map(|i| self.classes.key(i as u32).clone())
            .collect();
        sort_labels(&mut present);
        let absent: Vec<LabelKey> = self
            .proba_ids
            .iter()
            .map(|&i| self.classes.key(i).clone())
            .filter(|key| !present.contains(key))
            .collect();
        if !absent.is_empty() {
            warnings.push(format!(
                "probability columns name classes that never occur as a label or prediction: {}",
                quoted(&absent)
            ));
        }
        let class_count = present.len() + absent.len();
        let task = match opts.task {
            Some(Task::Binary) if class_count > 2 => {
                return Err(MetricsError::TooManyClasses {
                    count: class_count,
                    labels: quoted(&present),
                })
            }
            Some(t) => t,
            None if class_count <= 2 => Task::Binary,
            None => Task::Multiclass,
        };
        let (headline, pos_label, pos_key) = match task {
            Task::Multiclass => {
                if let Some(pos) = &opts.pos_label {
                    warnings.push(format!(
                        "--pos-label {pos} is ignored: the task is multiclass"
                    ));
                }
                (Headline::Macro, None, None)
            }
            Task::Binary => {
                let mut all = present.clone();
                all.extend(absent.iter().cloned());
                let pos = positive_class(&all, opts)?;
                let index = present
                    .iter()
                    .position(|k| *k == pos)
                    .unwrap_or(present.len());
                (Headline::Binary { pos: index }, Some(pos.name()), Some(pos))
            }
        };
        let order: Vec<u32> = present
            .iter()
            .map(|key| {
                self.classes
                    .find(key)
                    .expect("present classes are in the table")
            })
            .collect();
        let labels: Vec<String> = present.iter().map(LabelKey::name).collect();
        let matrix = self.confusion.ordered(&order);
        let mut intervals = label_intervals(&labels, &matrix, headline, opts.beta, opts.bootstrap);
        let mut metrics =
            classification_metrics(&labels, matrix, headline, opts.beta, &mut warnings);
        let scores = self.score_results(&present, pos_key.as_ref(), headline, opts, &mut warnings);
        if let Some(results) = &scores {
            intervals.extend(results.intervals.iter().cloned());
            for (name, ranking) in &results.per_class {
                if let Some((_, m)) = metrics.per_class.0.iter_mut().find(|(n, _)| n == name) {
                    m.roc_auc = ranking.roc_auc;
                    m.average_precision = ranking.average_precision;
                }
            }
            if let Some((macro_avg, weighted)) = results.averages {
                metrics.macro_avg.roc_auc = macro_avg.roc_auc;
                metrics.macro_avg.average_precision = macro_avg.average_precision;
                metrics.weighted.roc_auc = weighted.roc_auc;
                metrics.weighted.average_precision = weighted.average_precision;
            }
        }
        Ok(Evaluation {
            task,
            labels,
            pos_label,
            rows: self.rows,
            proba_rows_off: self.proba_rows_off,
            metrics,
            scores,
            intervals: OrderedMap(intervals),
            warnings,
        })
    }

    /// Computes the score metrics, when the rows had scores or probabilities.
    fn score_results(
        &mut self,
        present: &[LabelKey],
        pos: Option<&LabelKey>,
        headline: Headline,
        opts: &FinishOptions,
        warnings: &mut Vec<String>,
    ) -> Option<ScoreResults> {
        let has_scores = self.scores.iter().any(|c| !c.is_empty());
        if self.samples.is_empty() && !has_scores {
            return None;
        }
        let samples = std::mem::take(&mut self.samples);
        let mut columns = std::mem::take(&mut self.scores);
        let classes: Vec<ScoredClass> = present
            .iter()
            .map(|key| ScoredClass {
                name: key.name(),
                id: self.classes.find(key).map(|id| id as usize),
            })
            .collect();
        let proba_keys: Vec<&LabelKey> = self
            .proba_ids
            .iter()
            .map(|&id| self.classes.key(id))
            .collect();
        let width = if has_scores { 1 } else { samples.width() };
        match headline {
            Headline::Binary { pos: index } => {
                if has_scores && !opts.scores.detail {
                    if let Some(tables) = grid_tables(&mut columns, &classes) {
                        if index < 2 {
                            return Some(scores::binary_grid(
                                tables,
                                index,
                                &opts.scores,
                                opts.bootstrap,
                                warnings,
                            ));
                        }
                    }
                }
                let per_class: Vec<Ranked> = if has_scores {
                    classes
                        .iter()
                        .map(|c| {
                            c.id.and_then(|id| columns.get_mut(id))
                                .map(|col| std::mem::take(col).into_ranked())
                                .unwrap_or_default()
                        })
                        .collect()
                } else {
                    let pos = pos?;
                    let column = proba_keys.iter().position(|k| *k == pos)?;
                    classes
                        .iter()
                        .map(|c| {
                            let Some(id) = c.id else {
                                return Ranked::default();
                            };
                            Ranked::from_values(
                                samples.of_class(id).map(|row| row[column]).collect(),
                            )
                        })
                        .collect()
                };
                Some(scores::binary(
                    per_class,
                    &classes,
                    index,
                    &opts.scores,
                    opts.bootstrap,
                    warnings,
                ))
            }
            Headline::Macro if width == 1 => {
                warnings.push(
                    "the score column is ignored: a single score needs a binary task (give per-class probability columns for multiclass)"
                        .to_string(),
                );
                None
            }
            Headline::Macro => {
                let column_of: Vec<usize> = present
                    .iter()
                    .map(|key| proba_keys.iter().position(|k| *k == key).unwrap_or(0))
                    .collect();
                let names: Vec<String> = proba_keys.iter().map(|k| k.name()).collect();
                Some(scores::multiclass(
                    samples,
                    &classes,
                    &names,
                    &column_of,
                    &opts.scores,
                    warnings,
                ))
            }
        }
    }

    /// Turns score-threshold sides into confusion counts once the positive class is known.
    fn fold_threshold_predictions(&mut self, opts: &FinishOptions) -> Result<(), MetricsError> {
        let labels: Vec<LabelKey> = (0..self.sides.len())
            .filter(|&t| self.sides[t][0] + self.sides[t][1] > 0)
            .map(|t| self.classes.key(t as u32).clone())
            .collect();
        if labels.len() > 2 {
            let mut sorted = labels.clone();
            sort_labels(&mut sorted);
            return Err(MetricsError::TooManyClasses {
                count: labels.len(),
                labels: quoted(&sorted),
            });
        }
        let pos = positive_class(&labels, opts)?;
        let neg = match labels.iter().find(|k| **k != pos) {
            Some(k) => k.clone(),
            None => negative_partner(&pos)
                .ok_or_else(|| MetricsError::NoNegativeClass { pos: pos.name() })?,
        };
        let pos_id = self.classes.id_of_key(pos);
        let neg_id = self.classes.id_of_key(neg);
        for (t, [below, above]) in std::mem::take(&mut self.sides).into_iter().enumerate() {
            if below > 0 {
                self.confusion.add(t as u32, neg_id, below);
            }
            if above > 0 {
                self.confusion.add(t as u32, pos_id, above);
            }
        }
        Ok(())
    }
}

/// The positive class among `classes`: the user's choice, or the conventional one.
/// The grid tables of the two classes' scores, in label order, when there are two classes and
/// every score of both is in its column's dense grid table.
fn grid_tables<'a>(
    columns: &'a mut [ScoreColumn],
    classes: &[ScoredClass],
) -> Option<[GridTable<'a>; 2]> {
    let [a, b] = classes else {
        return None;
    };
    let (a, b) = (a.id?, b.id?);
    if a == b || a >= columns.len() || b >= columns.len() {
        return None;
    }
    if !(columns[a].settle_grid() && columns[b].settle_grid()) {
        return None;
    }
    let columns: &'a [ScoreColumn] = columns;
    Some([columns[a].grid_table()?, columns[b].grid_table()?])
}

fn positive_class(classes: &[LabelKey], opts: &FinishOptions) -> Result<LabelKey, MetricsError> {
    let mut sorted = classes.to_vec();
    sort_labels(&mut sorted);
    match &opts.pos_label {
        Some(pos) if classes.len() == 2 && !classes.contains(pos) => {
            Err(MetricsError::PosLabelNotFound {
                pos: pos.name(),
                labels: quoted(&sorted),
            })
        }
        Some(pos) => Ok(pos.clone()),
        None => default_positive(&sorted).ok_or_else(|| MetricsError::AmbiguousPositive {
            labels: quoted(&sorted),
            first: sorted.first().map(LabelKey::name).unwrap_or_default(),
        }),
    }
}
