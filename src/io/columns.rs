//! Column roles: which column holds the label, the prediction, the score or the per-class
//! probabilities.
//!
//! Each role is named by a flag or else recognised in the header, case-insensitively, from a
//! list of conventional names. A role with two candidates, or a required role with none, is an
//! error that shows the header and the flag to use: guessing wrong would give wrong numbers.

use crate::label::{sort_labels, LabelKey};

use super::error::{cell, Problem};

/// Conventional names of the label column.
pub const LABEL_NAMES: &[&str] = &[
    "label",
    "y_true",
    "target",
    "actual",
    "ground_truth",
    "truth",
    "y",
];
/// Conventional names of the prediction column.
pub const PREDICTION_NAMES: &[&str] = &[
    "prediction",
    "y_pred",
    "pred",
    "predicted",
    "predicted_label",
    "y_hat",
    "yhat",
];
/// Conventional names of the binary score column.
pub const SCORE_NAMES: &[&str] = &[
    "score",
    "probability",
    "proba",
    "prob",
    "y_score",
    "y_prob",
    "confidence",
];
/// Conventional prefixes of per-class probability columns.
pub const PROBA_PREFIXES: &[&str] = &["proba_", "prob_", "p_"];

/// Column names given by the user, each overriding detection of its role.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnFlags {
    /// `--label-col`.
    pub label: Option<String>,
    /// `--pred-col`.
    pub prediction: Option<String>,
    /// `--score-col`.
    pub score: Option<String>,
    /// `--proba-prefix`.
    pub proba_prefix: Option<String>,
    /// `--classes`: the class each probability column stands for, in column order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
    /// `--id-col`: the column naming each row, for duplicate ids and paired comparisons.
    pub id: Option<String>,
    /// `--latency-col`: per-row serving latency in milliseconds.
    pub latency: Option<String>,
    /// `--weight-col`: per-row sample weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// `--feature-cols`: the model's input features (`auto`: every column with no other role).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// `--categorical-cols`: features read as categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categorical: Vec<String>,
}

/// A per-class probability column.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProbaColumn {
    /// Position in the header.
    pub index: usize,
    /// The column's name.
    pub name: String,
    /// The class it gives the probability of.
    pub class: LabelKey,
}

/// The columns that play each role.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnPlan {
    /// The label column.
    pub label: usize,
    /// The prediction column, if any.
    pub prediction: Option<usize>,
    /// The binary score column, if any.
    pub score: Option<usize>,
    /// Per-class probability columns, in label order.
    pub proba: Vec<ProbaColumn>,
}

/// Columns listed in a message at most.
const MAX_LISTED_COLUMNS: usize = 40;

/// The header as listed in a message: names cut to a readable length, at most 40 of them.
fn header_list(header: &[String]) -> String {
    let mut out: Vec<String> = header
        .iter()
        .take(MAX_LISTED_COLUMNS)
        .map(|h| cell(h))
        .collect();
    if header.len() > MAX_LISTED_COLUMNS {
        out.push(format!("… ({} columns in all)", header.len()));
    }
    out.join(", ")
}

/// Finds a role's column: the flag's column, or the single conventional one.
fn find_role(
    header: &[String],
    given: Option<&str>,
    names: &[&str],
    role: &'static str,
    flag: &'static str,
) -> Result<Option<usize>, Problem> {
    if let Some(name) = given {
        return header
            .iter()
            .position(|h| h == name)
            .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
            .map(Some)
            .ok_or_else(|| Problem::UnknownColumn {
                name: name.to_string(),
                flag,
                header: header_list(header),
            });
    }
    let found: Vec<usize> = (0..header.len())
        .filter(|&i| names.iter().any(|n| header[i].eq_ignore_ascii_case(n)))
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        [a, b, ..] => Err(Problem::AmbiguousRole {
            role,
            first: header[*a].clone(),
            second: header[*b].clone(),
            header: header_list(header),
            flag,
        }),
    }
}

/// Columns whose names start with `prefix` (case-insensitively), with the class each names.
fn proba_group(
    header: &[String],
    prefix: &str,
    taken: &[usize],
) -> Result<Vec<ProbaColumn>, Problem> {
    let mut cols: Vec<ProbaColumn> = Vec::new();
    for (index, name) in header.iter().enumerate() {
        if taken.contains(&index) || name.len() <= prefix.len() {
            continue;
        }
        // A header may hold any characters: split only on a character boundary.
        let Some((head, rest)) = name
            .is_char_boundary(prefix.len())
            .then(|| name.split_at(prefix.len()))
        else {
            continue;
        };
        if !head.eq_ignore_ascii_case(prefix) {
            continue;
        }
        let Some(class) = LabelKey::parse(rest) else {
            continue;
        };
        if let Some(dup) = cols.iter().find(|c| c.class == class) {
            return Err(Problem::DuplicateProbaClass {
                first: dup.name.clone(),
                second: name.clone(),
            });
        }
        cols.push(ProbaColumn {
            index,
            name: name.clone(),
            class,
        });
    }
    Ok(cols)
}

/// Decides the column of every role from the header and the user's flags.
pub fn plan_columns(header: &[String], flags: &ColumnFlags) -> Result<ColumnPlan, Problem> {
    let label = find_role(
        header,
        flags.label.as_deref(),
        LABEL_NAMES,
        "label",
        "--label-col",
    )?
    .ok_or_else(|| Problem::MissingRole {
        role: "label",
        header: header_list(header),
        flag: "--label-col",
    })?;
    let prediction = find_role(
        header,
        flags.prediction.as_deref(),
        PREDICTION_NAMES,
        "prediction",
        "--pred-col",
    )?;
    let score = find_role(
        header,
        flags.score.as_deref(),
        SCORE_NAMES,
        "score",
        "--score-col",
    )?;
    let taken: Vec<usize> = [Some(label), prediction, score]
        .into_iter()
        .flatten()
        .collect();
    let mut proba = match &flags.proba_prefix {
        Some(prefix) => proba_group(header, prefix, &taken)?,
        None => {
            let mut groups = Vec::new();
            for prefix in PROBA_PREFIXES {
                let group = proba_group(header, prefix, &taken)?;
                if group.len() >= 2 {
                    groups.push(group);
                }
            }
            if groups.len() > 1 {
                return Err(Problem::AmbiguousRole {
                    role: "probability",
                    first: groups[0][0].name.clone(),
                    second: groups[1][0].name.clone(),
                    header: header_list(header),
                    flag: "--proba-prefix",
                });
            }
            groups.pop().unwrap_or_default()
        }
    };
    if let (Some(s), false) = (score, proba.is_empty()) {
        return Err(Problem::ScoreAndProba {
            score: header[s].clone(),
            proba: proba
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if let Some(names) = &flags.classes {
        if proba.is_empty() {
            return Err(Problem::ClassesWithoutProba {
                header: header_list(header),
            });
        }
        name_given(&mut proba, names)?;
    }
    if prediction.is_none() && score.is_none() && proba.is_empty() {
        return Err(Problem::NoPrediction {
            header: header_list(header),
        });
    }
    let mut plan = ColumnPlan {
        label,
        prediction,
        score,
        proba,
    };
    plan.sort_proba();
    Ok(plan)
}

/// Names the classes of probability columns (in header order) after `names` (`--classes`),
/// one per column.
fn name_given(columns: &mut [ProbaColumn], names: &[String]) -> Result<(), Problem> {
    if columns.len() != names.len() {
        let mut listed: Vec<String> = columns.iter().take(10).map(|c| cell(&c.name)).collect();
        if columns.len() > 10 {
            listed.push(format!("… ({} in all)", columns.len()));
        }
        return Err(Problem::ClassesCount {
            given: names.len(),
            columns: columns.len(),
            names: listed.join(", "),
        });
    }
    columns.sort_by_key(|c| c.index);
    for (column, name) in columns.iter_mut().zip(names) {
        // The settings checked that each name is a class.
        if let Some(class) = LabelKey::parse(name) {
            column.class = class;
        }
    }
    Ok(())
}

impl ColumnPlan {
    /// Puts the probability columns in label order.
    pub fn sort_proba(&mut self) {
        let mut keys: Vec<LabelKey> = self.proba.iter().map(|c| c.class.clone()).collect();
        sort_labels(&mut keys);
        self.proba
            .sort_by_key(|c| keys.iter().position(|k| *k == c.class));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn detects_conventional_names() {
        let plan =
            plan_columns(&header("id,Y_True,y_pred,score"), &ColumnFlags::default()).unwrap();
        assert_eq!(
            (plan.label, plan.prediction, plan.score),
            (1, Some(2), Some(3))
        );
    }

    #[test]
    fn short_statistical_names_are_recognised() {
        for (names, label, prediction) in [("y,y_hat", 0, 1), ("yhat,Y", 1, 0), ("y,y_pred", 0, 1)]
        {
            let plan = plan_columns(&header(names), &ColumnFlags::default()).unwrap();
            assert_eq!(
                (plan.label, plan.prediction),
                (label, Some(prediction)),
                "{names}"
            );
        }
    }

    #[test]
    fn probability_columns_in_label_order() {
        let plan = plan_columns(&header("label,p_10,p_9,p_1"), &ColumnFlags::default()).unwrap();
        let names: Vec<_> = plan.proba.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["p_1", "p_9", "p_10"]);
    }

    #[test]
    fn two_candidates_is_an_error_naming_the_flag() {
        let err = plan_columns(&header("label,target,pred"), &ColumnFlags::default()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("--label-col") && msg.contains("target"),
            "{msg}"
        );
        let flags = ColumnFlags {
            label: Some("target".into()),
            ..Default::default()
        };
        assert_eq!(
            plan_columns(&header("label,target,pred"), &flags)
                .unwrap()
                .label,
            1
        );
    }

    #[test]
    fn given_classes_follow_column_order() {
        let flags = ColumnFlags {
            classes: Some(vec!["x".into(), "y".into()]),
            ..Default::default()
        };
        let plan = plan_columns(&header("label,proba_1,proba_0"), &flags).unwrap();
        let named: Vec<_> = plan
            .proba
            .iter()
            .map(|c| (c.name.as_str(), c.class.name()))
            .collect();
        assert_eq!(named, [("proba_1", "x".into()), ("proba_0", "y".into())]);
        let flags = ColumnFlags {
            classes: Some(vec!["x".into()]),
            ..Default::default()
        };
        let err = plan_columns(&header("label,proba_1,proba_0"), &flags)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("names 1 class for 2 probability columns"),
            "{err}"
        );
    }

    #[test]
    fn missing_roles() {
        assert!(matches!(
            plan_columns(&header("a,pred"), &ColumnFlags::default()),
            Err(Problem::MissingRole { .. })
        ));
        assert!(matches!(
            plan_columns(&header("label,a"), &ColumnFlags::default()),
            Err(Problem::NoPrediction { .. })
        ));
        let flags = ColumnFlags {
            score: Some("nope".into()),
            ..Default::default()
        };
        assert!(matches!(
            plan_columns(&header("label,pred"), &flags),
            Err(Problem::UnknownColumn { .. })
        ));
    }
}
