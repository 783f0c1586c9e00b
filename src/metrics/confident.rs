//! Exact counts of likely label errors by confident learning (Northcutt, Jiang & Chuang 2021,
//! "Confident learning: estimating uncertainty in dataset labels").
//!
//! The threshold t_k of class k is the mean probability of k over the rows labelled k; a row
//! labelled y is a suspect when some other class j has p_j ≥ t_j while p_y < t_y. The thresholds
//! are known only once every row is in, so the count is taken at the end from the exact score
//! data the evaluation keeps: the ranked positive-class scores per true class (binary: p for the
//! positive class, 1 − p for the other) or every row's probabilities (multiclass).

use super::accumulator::EvalState;
use super::ranked::Ranked;
use crate::label::LabelKey;

/// Exact confident-learning counts: per-class thresholds and the number of suspect rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactIssues {
    /// Per class (label order): mean probability of the class over rows labelled with it.
    pub thresholds: Vec<(LabelKey, f64)>,
    /// Rows labelled y with another class j at p_j ≥ t_j while p_y < t_y.
    pub suspects: u64,
}

/// Exact confident-learning counts of a binary task from the ranked positive-class scores of
/// the positive and the negative rows (p for the positive class, 1 − p for the negative).
pub fn binary_issues(pos: &LabelKey, neg: &LabelKey, sorted: &(Ranked, Ranked)) -> ExactIssues {
    let (positives, negatives) = sorted;
    let mean = |r: &Ranked, f: &dyn Fn(f64) -> f64| {
        let n = r.total();
        if n == 0 {
            return f64::NAN;
        }
        r.iter().map(|(v, c)| f(v) * c as f64).sum::<f64>() / n as f64
    };
    let t_pos = mean(positives, &|p| p);
    let t_neg = mean(negatives, &|p| 1.0 - p);
    let count = |r: &Ranked, f: &dyn Fn(f64) -> bool| {
        r.iter().filter(|&(v, _)| f(v)).map(|(_, c)| c).sum::<u64>()
    };
    // A positive row is suspect when 1 − p ≥ t_neg and p < t_pos; a negative one when p ≥ t_pos
    // and 1 − p < t_neg. A class with no rows has no threshold and suggests nothing.
    let suspects = count(positives, &|p| 1.0 - p >= t_neg && p < t_pos)
        + count(negatives, &|p| p >= t_pos && 1.0 - p < t_neg);
    let mut thresholds = Vec::new();
    for (k, t) in [(neg, t_neg), (pos, t_pos)] {
        if t.is_finite() {
            thresholds.push((k.clone(), t));
        }
    }
    let mut keys: Vec<LabelKey> = thresholds.iter().map(|t| t.0.clone()).collect();
    crate::label::sort_labels(&mut keys);
    thresholds.sort_by_key(|t| keys.iter().position(|k| *k == t.0));
    ExactIssues {
        thresholds,
        suspects,
    }
}

/// The mean of `n` probabilities, summed in fixed point (2^-62 steps) so that the result does
/// not depend on the order the rows were merged in.
fn exact_mean(values: impl Iterator<Item = f64>, n: usize) -> f64 {
    const SCALE: f64 = (1u64 << 62) as f64;
    let sum: i128 = values
        .map(|v| (v.clamp(-2.0, 2.0) * SCALE).round() as i128)
        .sum();
    sum as f64 / SCALE / n as f64
}

/// Exact confident-learning counts of a multiclass task from every row's probabilities.
pub fn multiclass_issues(state: &EvalState) -> Option<ExactIssues> {
    let width = state.samples.width();
    if width < 2 || width != state.proba_ids.len() {
        return None;
    }
    let keys = state.classes.keys();
    // Column of each label class, if any.
    let column_of = |t: usize| state.proba_ids.iter().position(|&id| id as usize == t);
    let mut thresholds = vec![f64::NAN; width];
    for (t, _) in keys.iter().enumerate() {
        let Some(col) = column_of(t) else { continue };
        let n = state.samples.rows_of_class(t);
        if n == 0 {
            continue;
        }
        thresholds[col] = exact_mean(state.samples.of_class(t).map(|r| r[col]), n);
    }
    let mut suspects = 0u64;
    for t in 0..keys.len() {
        let Some(y) = column_of(t) else { continue };
        for row in state.samples.of_class(t) {
            if row[y] >= thresholds[y] {
                continue;
            }
            if row
                .iter()
                .enumerate()
                .any(|(j, &p)| j != y && thresholds[j].is_finite() && p >= thresholds[j])
            {
                suspects += 1;
            }
        }
    }
    let mut out: Vec<(LabelKey, f64)> = state
        .proba_ids
        .iter()
        .zip(&thresholds)
        .filter(|(_, t)| t.is_finite())
        .map(|(&id, &t)| (keys[id as usize].clone(), t))
        .collect();
    let mut sorted: Vec<LabelKey> = out.iter().map(|t| t.0.clone()).collect();
    crate::label::sort_labels(&mut sorted);
    out.sort_by_key(|t| sorted.iter().position(|k| *k == t.0));
    Some(ExactIssues {
        thresholds: out,
        suspects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_issue_counts_follow_the_rule() {
        // Positives: 0.9, 0.8, 0.1 → t_pos = 0.6; negatives: 0.1, 0.2, 0.7 → t_neg = 2/3.
        let pos = Ranked::from_values(vec![0.9, 0.8, 0.1]);
        let neg = Ranked::from_values(vec![0.1, 0.2, 0.7]);
        let (one, zero) = (LabelKey::parse("1").unwrap(), LabelKey::parse("0").unwrap());
        let e = binary_issues(&one, &zero, &(pos, neg));
        // Positive 0.1: 0.9 ≥ 2/3 and 0.1 < 0.6; negative 0.7: 0.7 ≥ 0.6 and 0.3 < 2/3.
        assert_eq!(e.suspects, 2);
        assert_eq!(e.thresholds[0].0, zero);
        assert!((e.thresholds[1].1 - 0.6).abs() < 1e-12);
    }
}
