//! Remedies computed from the data: the threshold to move to and what it gives, the segment or
//! window to look at, and the rows to fix — numbers, not advice, wherever the report has them.

use super::Evidence;
use crate::ordered_map::OrderedMap;
use crate::results::Results;
use crate::text::{count, noun};

/// A computed remedy: sentences to put first, the numbers behind them, example rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Computed {
    /// Concrete remedies, most useful first.
    pub remedies: Vec<String>,
    /// Their numbers.
    pub values: OrderedMap<f64>,
    /// Example rows (line numbers).
    pub rows: Vec<u64>,
}

/// The computed remedy of a finding code, from the report and the finding's evidence.
pub fn compute(code: &str, results: &Results, evidence: &Evidence) -> Computed {
    match code {
        "training.threshold" | "training.prediction_bias" => threshold(results),
        "data.weak_segment" | "deployment.version_gap" | "data.segment_degraded" => {
            segment(results, evidence)
        }
        "deployment.step_change"
        | "deployment.degraded_window"
        | "deployment.collapse"
        | "deployment.score_resolution" => window(evidence),
        "deployment.inverted_scores" => inverted(results, evidence),
        "deployment.class_permutation" => remap(evidence),
        "data.population_shift" => mix(evidence),
        "training.miscalibration" => recalibration(results),
        "data.label_noise" => label_errors(results),
        "data.duplicate_rows" => duplicate_rows(results),
        "data.duplicate_ids" | "data.conflicting_labels" => {
            id_rows(results, code == "data.conflicting_labels")
        }
        _ => Computed::default(),
    }
}

/// The recalibration fitted on one half of the rows and judged on the other.
fn recalibration(results: &Results) -> Computed {
    let Some(r) = results
        .audit
        .as_ref()
        .and_then(|a| a.recalibration.as_ref())
    else {
        return Computed::default();
    };
    let params: Vec<String> = r
        .params
        .iter()
        .map(|(k, v)| format!("{k} = {v:.4}"))
        .collect();
    let mut values = vec![
        ("ece_before".to_string(), r.ece_before),
        ("ece_after".to_string(), r.ece_after),
    ];
    values.extend(r.params.iter().cloned());
    let improves = r.ece_after < r.ece_before;
    let text = if improves {
        format!(
            "apply {} scaling ({}): expected calibration error {:.4} → {:.4} on held-out rows ({} fitted, {} held out{})",
            r.method,
            params.join(", "),
            r.ece_before,
            r.ece_after,
            r.fit_rows,
            r.eval_rows,
            if r.exact { "" } else { ", a uniform sample" }
        )
    } else {
        format!(
            "{} scaling fitted on half the rows does not lower the calibration error of the other half ({:.4} → {:.4}): the miscalibration is not a simple over- or under-confidence; consider isotonic regression on held-out data",
            r.method, r.ece_before, r.ece_after
        )
    };
    Computed {
        remedies: vec![text],
        values: OrderedMap(values),
        rows: Vec::new(),
    }
}

/// The rows most likely mislabelled.
fn label_errors(results: &Results) -> Computed {
    let Some(li) = results.audit.as_ref().and_then(|a| a.label_issues.as_ref()) else {
        return Computed::default();
    };
    let rows: Vec<u64> = li
        .rows
        .iter()
        .take(super::MAX_FINDING_ROWS)
        .map(|r| r.line)
        .collect();
    Computed {
        remedies: vec![format!(
            "review and relabel the {} suspect rows, most suspicious first ({}; --export-issues writes them with the suggested label)",
            li.suspects,
            if li.all_listed {
                "all listed".to_string()
            } else {
                format!("the {} most suspicious listed", li.rows.len())
            }
        )],
        values: OrderedMap(vec![
            ("suspects".to_string(), li.suspects as f64),
            ("noise_rate".to_string(), li.noise_rate),
        ]),
        rows,
    }
}

/// The repeated rows.
fn duplicate_rows(results: &Results) -> Computed {
    let Some(d) = results.audit.as_ref().map(|a| &a.duplicates) else {
        return Computed::default();
    };
    Computed {
        remedies: vec![format!(
            "drop the {} repeated rows (the later copies; --export-issues lists their lines)",
            d.duplicate_rows
        )],
        values: OrderedMap(vec![(
            "duplicate_rows".to_string(),
            d.duplicate_rows as f64,
        )]),
        rows: d
            .lines
            .iter()
            .take(super::MAX_FINDING_ROWS)
            .copied()
            .collect(),
    }
}

/// The rows of repeated or conflicting ids.
fn id_rows(results: &Results, conflicting: bool) -> Computed {
    let Some(ids) = results.audit.as_ref().and_then(|a| a.ids.as_ref()) else {
        return Computed::default();
    };
    let of: Vec<_> = ids
        .examples
        .iter()
        .filter(|e| e.conflicting || !conflicting)
        .collect();
    let rows: Vec<u64> = of
        .iter()
        .flat_map(|e| e.lines.iter().copied())
        .take(super::MAX_FINDING_ROWS)
        .collect();
    let first: Vec<&str> = of.iter().take(5).map(|e| e.id.as_str()).collect();
    let text = if conflicting {
        format!(
            "adjudicate the {} with conflicting labels (first: {}), then keep one label per id",
            count(ids.conflicting_ids, "id"),
            first.join(", ")
        )
    } else {
        format!(
            "deduplicate the {} repeated {} (first: {}), keeping one row per id",
            ids.duplicate_ids,
            noun(ids.duplicate_ids, "id"),
            first.join(", ")
        )
    };
    Computed {
        remedies: vec![text],
        values: OrderedMap::default(),
        rows,
    }
}

/// Move the decision threshold to the best-F1 one, with what it gives.
fn threshold(results: &Results) -> Computed {
    let Some(best) = results.thresholds.as_ref().and_then(|t| t.best_f1.as_ref()) else {
        return Computed::default();
    };
    let now = results.metrics.labels.f1;
    let mut values = vec![
        ("threshold".to_string(), best.threshold),
        ("f1".to_string(), best.f1),
        ("precision".to_string(), best.precision),
        ("recall".to_string(), best.recall),
        ("false_positive_rate".to_string(), best.fpr),
    ];
    values.extend(now.map(|f| ("f1_now".to_string(), f)));
    Computed {
        remedies: vec![format!(
            "set the decision threshold to {}: F1 {:.4} (precision {:.4}, recall {:.4}){} — estimated on this file, confirm on held-out data",
            crate::text::decimal(best.threshold),
            best.f1,
            best.precision,
            best.recall,
            now.map_or(String::new(), |f| format!(" against {f:.4} now"))
        )],
        values: OrderedMap(values),
        rows: Vec::new(),
    }
}

/// Look at the weak segment: its size and the gap.
fn segment(results: &Results, evidence: &Evidence) -> Computed {
    let Some(seg) = evidence.location.segment.as_ref() else {
        return Computed::default();
    };
    let rows = results
        .segments
        .get(&seg.column)
        .and_then(|s| s.get(&seg.value))
        .map_or(0, |s| s.rows);
    let numbers = evidence.values.0.first().map(|(_, v)| v);
    let acc = numbers.and_then(|v| v.get("accuracy")).copied();
    let rest = numbers.and_then(|v| v.get("rest_accuracy")).copied();
    let before = numbers.and_then(|v| v.get("reference_accuracy")).copied();
    let mut values = vec![("rows".to_string(), rows as f64)];
    values.extend(acc.map(|a| ("accuracy".to_string(), a)));
    values.extend(rest.map(|a| ("rest_accuracy".to_string(), a)));
    values.extend(before.map(|a| ("reference_accuracy".to_string(), a)));
    let share = rows as f64 / results.input.rows.max(1) as f64;
    values.push(("share_of_rows".to_string(), share));
    let gap = match (acc, rest, before) {
        (Some(a), Some(r), Some(b)) => format!(
            " (accuracy {a:.4} against {b:.4} in the reference and {r:.4} elsewhere): find what changed for these rows"
        ),
        (Some(a), Some(r), None) => format!(" (accuracy {a:.4} against {r:.4} elsewhere)"),
        _ => String::new(),
    };
    Computed {
        remedies: vec![format!(
            "investigate {}={} first: {}, {:.1}% of the data{gap}",
            seg.column,
            seg.value,
            count(rows, "row"),
            share * 100.0,
        )],
        values: OrderedMap(values),
        rows: Vec::new(),
    }
}

/// Scores that rank backwards: what 1 − score would give.
fn inverted(results: &Results, evidence: &Evidence) -> Computed {
    let auc = evidence
        .values
        .iter()
        .find_map(|(_, v)| v.get("roc_auc").copied())
        .or(results.metrics.scores.roc_auc);
    let Some(auc) = auc else {
        return Computed::default();
    };
    let place = evidence
        .location
        .segment
        .as_ref()
        .map_or(String::new(), |s| format!(" for {}={}", s.column, s.value));
    Computed {
        remedies: vec![format!(
            "log the positive class's probability{place} (or 1 − the logged score): ROC AUC {auc:.4} → {:.4}",
            1.0 - auc
        )],
        values: OrderedMap(vec![
            ("roc_auc".to_string(), auc),
            ("roc_auc_reversed".to_string(), 1.0 - auc),
        ]),
        rows: Vec::new(),
    }
}

/// Predictions mapped to other classes: the mapping to undo, and since when.
fn remap(evidence: &Evidence) -> Computed {
    let Some(mapping) = evidence.location.class.as_ref() else {
        return Computed::default();
    };
    let since = evidence
        .location
        .window
        .as_ref()
        .map_or(String::new(), |w| format!(" since {w}"));
    Computed {
        remedies: vec![format!(
            "check the class order of the serving decoder{since}: predictions go {mapping}"
        )],
        values: OrderedMap::default(),
        rows: Vec::new(),
    }
}

/// A mix shift: what the reference's mix would give.
fn mix(evidence: &Evidence) -> Computed {
    let Some(v) = evidence
        .values
        .iter()
        .map(|(_, v)| v)
        .find(|v| v.get("reference_mix_accuracy").is_some())
    else {
        return Computed::default();
    };
    let (acc, std) = (
        v.get("accuracy").copied(),
        v.get("reference_mix_accuracy").copied(),
    );
    let (Some(acc), Some(std)) = (acc, std) else {
        return Computed::default();
    };
    Computed {
        remedies: vec![format!(
            "compare periods at a fixed mix: at the reference's mix the model scores accuracy {std:.4} now (against {acc:.4} as served); no model change is needed for the segments it served before"
        )],
        values: OrderedMap(vec![
            ("accuracy".to_string(), acc),
            ("reference_mix_accuracy".to_string(), std),
        ]),
        rows: Vec::new(),
    }
}

/// Look at what changed at the window's time.
fn window(evidence: &Evidence) -> Computed {
    let Some(at) = evidence.location.window.as_ref() else {
        return Computed::default();
    };
    Computed {
        remedies: vec![format!(
            "look for deployments, pipeline or upstream changes around {at}"
        )],
        values: OrderedMap::default(),
        rows: Vec::new(),
    }
}
