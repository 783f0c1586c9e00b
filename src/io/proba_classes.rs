//! The class each per-class probability column stands for.
//!
//! A column's class is read from its name (`proba_cat` is the probability of `cat`), unless
//! `--classes` names the classes of the columns in column order (applied by
//! [`plan_columns`](super::columns::plan_columns)). scikit-learn's
//! `predict_proba` has no names: its column `i` is the probability of `classes_[i]`, and
//! `classes_` is `np.unique(y)` — the classes sorted, strings lexicographically. Files written
//! from it often name the columns by position (`proba_0`, `proba_1`, …) while the labels are
//! names (`benign`, `malignant`). Such numbered columns are read with scikit-learn's convention:
//! the classes that the first rows' labels and predictions name, sorted as `np.unique` sorts
//! them, stand for columns 0, 1, …; a warning says so and how to override it. When the first
//! rows do not name exactly as many classes as there are columns, the mapping is unknown and the
//! error asks for `--classes` instead of guessing.

use std::collections::HashSet;

use csv::ByteRecord;

use super::columns::ColumnPlan;
use super::error::{cell, Problem};
use crate::label::{sort_labels, LabelKey};
use crate::text::as_text;

/// Classes listed in a message at most.
const MAX_LISTED: usize = 10;

/// Distinct classes kept from the first rows at most: more than any model has columns.
const MAX_SAMPLED: usize = 4096;

/// Whether the probability columns are numbered by position: their classes are exactly the
/// integers 0, 1, …, k − 1.
pub fn numbered(plan: &ColumnPlan) -> bool {
    let k = plan.proba.len();
    k >= 2
        && (0..k).all(|i| {
            plan.proba
                .iter()
                .any(|c| c.class.as_number() == Some(i as f64))
        })
}

/// The distinct classes that the labels and predictions of the first rows name.
#[derive(Debug, Default)]
pub struct LabelSample {
    /// In the order first met.
    keys: Vec<LabelKey>,
    seen: HashSet<LabelKey>,
}

impl LabelSample {
    /// Adds the label and prediction cells of a record read with `plan` (cells that are not
    /// classes, and records too short to hold them, are left to the decoder to report).
    pub fn add(&mut self, rec: &ByteRecord, plan: &ColumnPlan) {
        self.add_cells(|col| rec.get(col), plan);
    }

    /// Adds the label and prediction cells that `cell` gives by column (`None` when the record
    /// is too short to hold it).
    pub fn add_cells<'a>(&mut self, cell: impl Fn(usize) -> Option<&'a [u8]>, plan: &ColumnPlan) {
        for col in std::iter::once(plan.label).chain(plan.prediction) {
            if self.keys.len() >= MAX_SAMPLED {
                return;
            }
            let Some(key) = cell(col)
                .and_then(|cell| as_text(cell).ok())
                .and_then(LabelKey::parse)
            else {
                continue;
            };
            if self.seen.insert(key.clone()) {
                self.keys.push(key);
            }
        }
    }

    /// Whether some class is a name rather than a number.
    fn has_names(&self) -> bool {
        self.keys
            .iter()
            .any(|k| !matches!(k, LabelKey::Number(_) | LabelKey::Integer(_)))
    }
}

/// Names the classes of numbered probability columns after the classes `sample` holds, sorted
/// as scikit-learn's `classes_` (when those are names, not numbers). Returns the warning that
/// tells the user, or `None` when the columns keep their own classes.
pub fn name_numbered(
    plan: &mut ColumnPlan,
    sample: &LabelSample,
) -> Result<Option<String>, Problem> {
    if !numbered(plan) || !sample.has_names() {
        return Ok(None);
    }
    let mut classes = sample.keys.clone();
    sort_labels(&mut classes);
    let columns = &mut plan.proba;
    columns.sort_by_key(|c| c.class.as_number().map_or(usize::MAX, |v| v as usize));
    if classes.len() != columns.len() {
        return Err(Problem::NumberedProbaClasses {
            columns: listed(columns.iter().map(|c| c.name.clone())),
            count: columns.len(),
            found: classes.len(),
            classes: listed(classes.iter().map(|k| format!("'{k}'"))),
            example: example(&classes, columns.len()),
        });
    }
    for (column, class) in columns.iter_mut().zip(classes) {
        column.class = class;
    }
    plan.sort_proba();
    let mapping = listed(
        plan.proba
            .iter()
            .map(|c| format!("{} as '{}'", c.name, c.class.name())),
    );
    Ok(Some(format!(
        "the probability columns are numbered and the labels are names: read {mapping} \
         (scikit-learn's order, the classes sorted); pass --classes with the model's classes_ in \
         column order if they differ"
    )))
}

/// Names joined by commas, at most [`MAX_LISTED`], each cut to a readable length.
fn listed(names: impl Iterator<Item = String>) -> String {
    let names: Vec<String> = names.collect();
    let mut out: Vec<String> = names.iter().take(MAX_LISTED).map(|n| cell(n)).collect();
    if names.len() > MAX_LISTED {
        out.push(format!("… ({} in all)", names.len()));
    }
    out.join(", ")
}

/// A `--classes` value for `columns` columns from the classes found: joined by commas, `…`
/// where names are missing or too many to list.
fn example(classes: &[LabelKey], columns: usize) -> String {
    let mut names: Vec<String> = classes
        .iter()
        .take(columns.min(MAX_LISTED))
        .map(|k| cell(&k.name()))
        .collect();
    if names.len() < columns {
        names.push("…".to_string());
    }
    names.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::columns::{plan_columns, ColumnFlags};

    fn plan(header: &str) -> ColumnPlan {
        let header: Vec<String> = header.split(',').map(String::from).collect();
        plan_columns(&header, &ColumnFlags::default()).unwrap()
    }

    fn sample(rows: &[&str]) -> LabelSample {
        let mut s = LabelSample::default();
        for row in rows {
            let rec = csv::ByteRecord::from(vec![*row]);
            s.add(
                &rec,
                &ColumnPlan {
                    label: 0,
                    prediction: None,
                    score: None,
                    proba: Vec::new(),
                },
            );
        }
        s
    }

    fn classes(plan: &ColumnPlan) -> Vec<(String, String)> {
        plan.proba
            .iter()
            .map(|c| (c.name.clone(), c.class.name()))
            .collect()
    }

    #[test]
    fn numbered_columns_take_the_sorted_names() {
        let mut p = plan("label,proba_1,proba_0,proba_2");
        let said = name_numbered(&mut p, &sample(&["zebra", "ant", "Bee", "ant"]))
            .unwrap()
            .unwrap();
        // np.unique sorts by code point: upper case first.
        assert_eq!(
            classes(&p),
            [
                ("proba_0".into(), "Bee".into()),
                ("proba_1".into(), "ant".into()),
                ("proba_2".into(), "zebra".into())
            ]
        );
        assert!(
            said.contains("proba_0 as 'Bee', proba_1 as 'ant'"),
            "{said}"
        );
        assert!(said.contains("--classes"), "{said}");
    }

    #[test]
    fn numeric_labels_and_named_columns_are_left_alone() {
        let mut p = plan("label,proba_0,proba_1");
        assert_eq!(name_numbered(&mut p, &sample(&["0", "1"])).unwrap(), None);
        let mut p = plan("label,proba_cat,proba_dog");
        assert_eq!(
            name_numbered(&mut p, &sample(&["cat", "dog"])).unwrap(),
            None
        );
        // Columns 1 and 2 are not numbered from 0.
        let mut p = plan("label,proba_1,proba_2");
        assert_eq!(name_numbered(&mut p, &sample(&["a", "b"])).unwrap(), None);
    }

    #[test]
    fn too_few_classes_ask_for_the_list() {
        let mut p = plan("label,proba_0,proba_1,proba_2");
        let err = name_numbered(&mut p, &sample(&["b", "a"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("2 classes"), "{err}");
        assert!(err.contains("--classes a,b,…)"), "{err}");
    }
}
