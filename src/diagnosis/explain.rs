//! Root causes explain their symptoms away.
//!
//! Findings compete for the same evidence: a model that broke at a known time also shows
//! confidently contradicted labels, a lower accuracy than the reference, drifted scores and a
//! prediction bias. Each of those is a consequence of the break, not a cause of its own. After
//! the cause table has raised its findings, [`explain_away`] walks the root causes in
//! [`ROOTS`] order; each root that is raised (and not itself explained) takes the symptoms it
//! implies ([`Root::explains`]) into its evidence, and those leave the list of findings.
//!
//! Label noise is only explained away when the root's own excess errors account for the
//! excess of suspect rows (a located fault that explains 200 errors does not explain 3,000
//! suspects), and the competition between label noise and an over-confident model is decided
//! by the shape of the reliability curve ([`super::shape::noise_floor_fits_better`]).

use super::{Finding, Severity};

/// A root cause and the symptoms it explains.
#[derive(Debug, Clone, Copy)]
pub struct Root {
    /// The root's code.
    pub code: &'static str,
    /// Codes that the root implies, explained away when it is raised.
    pub explains: &'static [&'static str],
}

/// What a fault of the model's outputs at serving implies downstream (a segment's symptoms
/// only when the fault is in the same segment).
const OUTPUT_SYMPTOMS: &[&str] = &[
    "data.segment_degraded",
    "data.weak_segment",
    "data.label_noise",
    "data.concept_drift",
    "training.prediction_bias",
    "training.underfitting",
    "training.overfitting",
    "training.miscalibration",
    "training.threshold",
    "deployment.saturated_scores",
    "deployment.score_drift",
    "deployment.prediction_drift",
];

/// What a change over time implies (a segment's drop only when the segment holds most of the
/// change's excess errors: the change happened there).
const CHANGE_SYMPTOMS: &[&str] = &[
    "data.segment_degraded",
    "data.weak_segment",
    "data.label_noise",
    "data.concept_drift",
    "training.prediction_bias",
    "training.overfitting",
    "training.miscalibration",
    "training.threshold",
    "deployment.saturated_scores",
    "deployment.score_drift",
    "deployment.prediction_drift",
    "deployment.serving_skew",
    "deployment.degraded_window",
    "deployment.version_gap",
];

/// What a fault in one place (segment, version) implies for the whole.
const PLACE_SYMPTOMS: &[&str] = &[
    "data.label_noise",
    "data.concept_drift",
    "training.prediction_bias",
    "training.overfitting",
    "training.threshold",
    "deployment.serving_skew",
    "deployment.score_drift",
    "deployment.prediction_drift",
];

/// What a broken or drifted input feature implies for the model's outputs and metrics (a
/// change over time only when the feature moved from about that time; a segment's drop only
/// when the feature moved in that segment).
const FEATURE_SYMPTOMS: &[&str] = &[
    "deployment.step_change",
    "deployment.degraded_window",
    "data.segment_degraded",
    "data.weak_segment",
    "data.concept_drift",
    "data.label_noise",
    "training.prediction_bias",
    "training.miscalibration",
    "training.threshold",
    "deployment.score_drift",
    "deployment.prediction_drift",
    "deployment.serving_skew",
    "deployment.abnormal_outputs",
    "deployment.saturated_scores",
];

/// The root causes, in the order they claim symptoms.
pub const ROOTS: &[Root] = &[
    Root {
        code: "data.broken_feature",
        explains: FEATURE_SYMPTOMS,
    },
    Root {
        code: "data.feature_drift",
        explains: FEATURE_SYMPTOMS,
    },
    Root {
        code: "deployment.inverted_scores",
        explains: &[
            "data.label_noise",
            "data.concept_drift",
            "training.prediction_bias",
            "training.underfitting",
            "training.overfitting",
            "training.miscalibration",
            "training.threshold",
            "deployment.saturated_scores",
            "deployment.score_drift",
            "deployment.prediction_drift",
            "deployment.serving_skew",
            "deployment.step_change",
            "deployment.degraded_window",
            "deployment.version_gap",
            "deployment.collapse",
            "data.weak_segment",
            "data.segment_degraded",
            "deployment.class_permutation",
        ],
    },
    Root {
        code: "deployment.class_permutation",
        explains: &[
            "data.label_noise",
            "data.concept_drift",
            "training.prediction_bias",
            "training.underfitting",
            "training.overfitting",
            "training.miscalibration",
            "training.threshold",
            "deployment.score_drift",
            "deployment.prediction_drift",
            "deployment.serving_skew",
            "deployment.step_change",
            "deployment.degraded_window",
            "deployment.version_gap",
            "data.unseen_classes",
            "data.prior_shift",
        ],
    },
    Root {
        code: "deployment.collapse",
        explains: &[
            "data.label_noise",
            "data.concept_drift",
            "training.prediction_bias",
            "training.underfitting",
            "training.overfitting",
            "training.miscalibration",
            "training.threshold",
            "deployment.saturated_scores",
            "deployment.score_drift",
            "deployment.prediction_drift",
            "deployment.serving_skew",
            "deployment.step_change",
            "deployment.degraded_window",
            "deployment.version_gap",
            "data.unseen_classes",
        ],
    },
    Root {
        code: "data.population_shift",
        explains: &[
            "data.concept_drift",
            "data.prior_shift",
            "training.prediction_bias",
            "training.overfitting",
            "deployment.serving_skew",
            "deployment.score_drift",
            "deployment.prediction_drift",
            "data.weak_segment",
        ],
    },
    Root {
        code: "deployment.score_resolution",
        explains: &[
            "training.miscalibration",
            "training.threshold",
            "deployment.saturated_scores",
            "deployment.abnormal_outputs",
            "deployment.score_drift",
        ],
    },
    Root {
        code: "deployment.step_change",
        explains: CHANGE_SYMPTOMS,
    },
    Root {
        code: "data.concept_drift",
        explains: CHANGE_SYMPTOMS,
    },
    Root {
        code: "deployment.serving_skew",
        explains: OUTPUT_SYMPTOMS,
    },
    Root {
        code: "deployment.degraded_window",
        explains: CHANGE_SYMPTOMS,
    },
    Root {
        code: "data.prior_shift",
        explains: &[
            "data.concept_drift",
            "training.prediction_bias",
            "training.overfitting",
            "training.miscalibration",
            "training.threshold",
            "deployment.score_drift",
            "deployment.prediction_drift",
        ],
    },
    Root {
        code: "deployment.version_gap",
        explains: PLACE_SYMPTOMS,
    },
    Root {
        code: "data.segment_degraded",
        explains: PLACE_SYMPTOMS,
    },
    Root {
        code: "data.weak_segment",
        explains: PLACE_SYMPTOMS,
    },
    Root {
        code: "data.label_delay",
        explains: &["data.missing_values"],
    },
    Root {
        code: "data.duplicate_rows",
        explains: &["data.duplicate_ids"],
    },
];

/// Label noise and an over-confident model explain each other's evidence; which one is the
/// root is decided by the reliability curve.
pub const NOISE_ROOT: Root = Root {
    code: "data.label_noise",
    explains: &[
        "training.miscalibration",
        "training.overfitting",
        "data.concept_drift",
        "training.prediction_bias",
        "training.threshold",
        "deployment.saturated_scores",
    ],
};

/// The over-confident model as the root of suspect labels.
pub const CONFIDENCE_ROOT: Root = Root {
    code: "training.miscalibration",
    explains: &[
        "data.label_noise",
        "training.threshold",
        "training.prediction_bias",
        "deployment.saturated_scores",
    ],
};

/// The underfit model as the root of what a weak model implies.
pub const FIT_ROOT: Root = Root {
    code: "training.underfitting",
    explains: &[
        "data.unseen_classes",
        "training.prediction_bias",
        "training.threshold",
        "training.miscalibration",
        "deployment.saturated_scores",
    ],
};

/// The excess errors a finding accounts for, from its numbers: rows times the accuracy (or
/// error-rate) gap of its place or period. `None` when its numbers do not say.
fn explained_errors(root: &Finding) -> Option<f64> {
    root.evidence.values.iter().find_map(|(_, v)| {
        let n = v.get("n").copied()?;
        if let (Some(a), Some(r)) = (v.get("accuracy"), v.get("rest_accuracy")) {
            return Some((r - a).max(0.0) * n);
        }
        if let (Some(a), Some(r)) = (v.get("accuracy"), v.get("reference_accuracy")) {
            return Some((r - a).max(0.0) * n);
        }
        if let (Some(a), Some(r)) = (v.get("accuracy"), v.get("earlier_accuracy")) {
            return Some((r - a).max(0.0) * n);
        }
        if let (Some(b), Some(a)) = (v.get("error_rate_before"), v.get("error_rate_after")) {
            return Some((a - b).max(0.0) * n);
        }
        None
    })
}

/// The excess of suspect rows of a label-noise finding over the model's own uncertainty.
fn noise_excess(noise: &Finding) -> Option<f64> {
    noise.evidence.values.iter().find_map(|(_, v)| {
        let s = v.get("suspects")?;
        let e = v.get("expected_suspects")?;
        Some((s - e).max(0.0))
    })
}

/// A number of a finding's evidence, from the first check that has it.
fn value_of(f: &Finding, name: &str) -> Option<f64> {
    f.evidence
        .values
        .iter()
        .find_map(|(_, v)| v.get(name).copied())
}

/// Windows of a feature's time track that a change found elsewhere may lag its start by (a
/// change point in the error rate is found less sharply than a moved distribution).
const CHANGE_LAG_WINDOWS: i64 = 3;

/// Whether a change found at `when` started with a feature finding dated to a window (its
/// `window_width` wide): from one window before it to [`CHANGE_LAG_WINDOWS`] after.
fn same_time(feature: &Finding, when: Option<&str>) -> bool {
    let (Some(since), Some(when)) = (feature.evidence.location.window.as_deref(), when) else {
        return false;
    };
    let axis = |label: &str| match label.strip_prefix("line ") {
        Some(line) => line.parse::<i64>().ok(),
        None => crate::time::parse_time(label.as_bytes()),
    };
    let width = value_of(feature, "window_width").unwrap_or(0.0) as i64;
    match (axis(since), axis(when)) {
        (Some(s), Some(w)) => (s - width..=s + CHANGE_LAG_WINDOWS * width).contains(&w),
        _ => false,
    }
}

/// The rule of a change over time, which a feature that caused one takes over.
const CHANGE_ROOT: Root = Root {
    code: "deployment.step_change",
    explains: CHANGE_SYMPTOMS,
};

/// Whether `root` explains `symptom` away.
fn explains(root: &Finding, rule: &Root, symptom: &Finding) -> bool {
    let feature = matches!(rule.code, "data.broken_feature" | "data.feature_drift");
    if feature && !rule.explains.contains(&symptom.code.as_str()) {
        // A feature that caused a change over time (it took the change as its symptom)
        // explains what the change implies: a version rolled out at about that time, say.
        let caused_change = root
            .explains
            .iter()
            .any(|c| c == "deployment.step_change" || c == "deployment.degraded_window");
        return caused_change && explains(root, &CHANGE_ROOT, symptom);
    }
    if !rule.explains.contains(&symptom.code.as_str()) {
        return false;
    }
    if feature {
        let (at, then) = (&root.evidence.location, &symptom.evidence.location);
        return match symptom.code.as_str() {
            "data.segment_degraded" | "data.weak_segment" => {
                at.segment.is_some() && at.segment == then.segment
            }
            "deployment.step_change" | "deployment.degraded_window" => {
                same_time(root, then.window.as_deref())
            }
            _ => true,
        };
    }
    if rule.code == "data.concept_drift" && root.evidence.location.window.is_none() {
        // Only a drift located in time (a gradual rise of the error rate) is a root.
        return false;
    }
    if matches!(
        symptom.code.as_str(),
        "data.segment_degraded" | "data.weak_segment"
    ) {
        if rule.code == "deployment.serving_skew" {
            let at = &symptom.evidence.location.segment;
            return at.is_some() && *at == root.evidence.location.segment;
        }
        // A change over time explains a segment's drop when the segment holds at least two
        // thirds of the change's excess errors (and the change then has that place too).
        return root.evidence.location.segment.is_none()
            && matches!(
                (explained_errors(symptom), explained_errors(root)),
                (Some(s), Some(r)) if r > 0.0 && 3.0 * s >= 2.0 * r
            );
    }
    if symptom.code == "data.missing_values" {
        // Rows skipped for other reasons than a missing label stay a finding of their own.
        let labels = value_of(root, "labels_missing");
        let skipped = value_of(symptom, "missing");
        return matches!((labels, skipped), (Some(l), Some(s)) if 2.0 * l >= s);
    }
    if symptom.code == "data.label_noise" && rule.code != CONFIDENCE_ROOT.code {
        // Suspect labels beyond what the located fault can have produced stay a finding.
        if let (Some(errors), Some(excess)) = (explained_errors(root), noise_excess(symptom)) {
            return excess <= 1.5 * errors + 10.0;
        }
    }
    true
}

/// Moves the symptoms that each raised root explains into its evidence, until none is left
/// to move. Roots act in order: an earlier root takes a later one (and what it explained)
/// before the later one takes anything. `noise_first`: the reliability curve says suspect
/// labels are label noise rather than over-confidence.
pub fn explain_away(findings: &mut Vec<Finding>, noise_first: bool) {
    let mut order: Vec<Root> = ROOTS.to_vec();
    if noise_first {
        order.extend([NOISE_ROOT, CONFIDENCE_ROOT, FIT_ROOT]);
    } else {
        order.extend([CONFIDENCE_ROOT, NOISE_ROOT, FIT_ROOT]);
    }
    while let Some((r, i)) = next_explained(findings, &order) {
        let symptom = findings.remove(i);
        let r = if i < r { r - 1 } else { r };
        absorb(&mut findings[r], symptom);
    }
}

/// The first (root, symptom) pair, by root order, whose root explains the symptom.
fn next_explained(findings: &[Finding], order: &[Root]) -> Option<(usize, usize)> {
    for rule in order {
        let Some(r) = findings
            .iter()
            .position(|f| f.code == rule.code && f.severity >= Severity::Warning)
        else {
            continue;
        };
        let hit = findings
            .iter()
            .enumerate()
            .position(|(i, f)| i != r && f.code != rule.code && explains(&findings[r], rule, f));
        if let Some(i) = hit {
            return Some((r, i));
        }
    }
    None
}

/// Takes an explained finding's evidence into its root: its checks, what they said and their
/// numbers; the root's severity rises to the symptom's, and it takes the symptom's place when
/// it has none (a collapse located by the change point of the same break).
fn absorb(root: &mut Finding, symptom: Finding) {
    root.explains.push(symptom.code.clone());
    root.explains.extend(symptom.explains);
    for ((id, because), values) in symptom
        .evidence
        .checks
        .into_iter()
        .zip(symptom.evidence.because)
        .zip(symptom.evidence.values.0)
    {
        if root.evidence.checks.contains(&id) {
            continue;
        }
        root.evidence.checks.push(id);
        root.evidence.because.push(because);
        root.evidence.values.0.push(values);
    }
    root.severity = root.severity.max(symptom.severity);
    // A root without a place of its own takes the symptom's; one located already keeps its
    // place (a change point at a time does not move to the version it also explains).
    let loc = &mut root.evidence.location;
    if loc.window.is_none() && loc.segment.is_none() {
        loc.window = symptom.evidence.location.window;
        loc.segment = symptom.evidence.location.segment;
    } else if loc.segment.is_none()
        && matches!(
            symptom.code.as_str(),
            "data.segment_degraded" | "data.weak_segment"
        )
    {
        // A change in time that happened in one segment: both places.
        loc.segment = symptom.evidence.location.segment;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Location, SegmentRef};
    use crate::diagnosis::{Category, Evidence};
    use crate::ordered_map::OrderedMap;

    fn finding(code: &str, location: Location, values: &[(&str, f64)]) -> Finding {
        Finding {
            code: code.to_string(),
            severity: Severity::Error,
            category: Category::Data,
            title: code.to_string(),
            confidence: 0.75,
            evidence: Evidence {
                checks: vec![format!("check:{code}")],
                because: vec![code.to_string()],
                location,
                values: OrderedMap(vec![(
                    format!("check:{code}"),
                    OrderedMap(values.iter().map(|&(k, v)| (k.to_string(), v)).collect()),
                )]),
            },
            remedies: Vec::new(),
            fix: OrderedMap::default(),
            rows: Vec::new(),
            explains: Vec::new(),
        }
    }

    fn at(window: &str) -> Location {
        Location {
            window: Some(window.to_string()),
            ..Location::default()
        }
    }

    #[test]
    fn a_feature_that_caused_a_change_explains_what_the_change_implies() {
        let mut feature_at = at("2026-05-08T06:00:00Z");
        feature_at.feature = Some("amount".to_string());
        let feature = finding(
            "data.feature_drift",
            feature_at,
            &[("window_width", 3600.0)],
        );
        let change = finding("deployment.step_change", at("2026-05-08T08:00:00Z"), &[]);
        let version = Location {
            segment: Some(SegmentRef {
                column: "version".to_string(),
                value: "3.2.0".to_string(),
            }),
            ..Location::default()
        };
        let gap = finding("deployment.version_gap", version.clone(), &[]);
        let mut findings = vec![gap.clone(), change.clone(), feature.clone()];
        explain_away(&mut findings, false);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].code, "data.feature_drift");
        assert_eq!(
            findings[0].explains,
            ["deployment.step_change", "deployment.version_gap"]
        );
        // A feature that moved at another time explains neither.
        let mut later = feature.clone();
        later.evidence.location.window = Some("2026-05-12T06:00:00Z".to_string());
        let mut findings = vec![gap, change, later];
        explain_away(&mut findings, false);
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert_eq!(findings[0].code, "deployment.step_change");
        assert_eq!(findings[0].explains, ["deployment.version_gap"]);
    }
}
