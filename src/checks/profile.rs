//! Saved reference profiles (`mlguard profile REF.csv -o ref.profile.json`): everything the
//! comparisons against a reference need, in one small JSON file, so a reference run is read
//! once and compared with many times.
//!
//! A profile holds the row and class counts, the report's `metrics` object (for
//! `--max-drop`) and the **exact** score distributions: distinct values with their counts
//! ([`Ranked`]), each value written as the shortest decimal text that reads back as the same
//! `f64`. Comparing with a profile therefore gives exactly the checks that comparing with the
//! data file gives — no sketch, no rounding. Its size grows with the number of distinct scores,
//! not with the rows (scores written with 4 decimals have at most 10,001 distinct values).
//!
//! The file is recognised by content: a JSON object whose first key is the format marker
//! `"mlguard_profile"`, holding the format version. A version newer than this build reads is
//! refused with the fix, never half-read.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use super::statistical::{Profile, SegmentCounts};
use crate::metrics::ranked::Ranked;
use crate::metrics::Task;
use crate::text::count;

/// The key that marks a profile, and the first key of the object.
pub const MARKER: &str = "mlguard_profile";

/// The newest profile format this build reads and the one it writes.
pub const PROFILE_VERSION: u64 = 1;

/// A profile that cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum ProfileError {
    /// The text is not a profile of a known layout.
    #[error("{path}: not a valid mlguard profile: {what} (write one with `mlguard profile REF.csv -o {path}`)")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        what: String,
    },
    /// Written by a newer mlguard.
    #[error("{path}: profile format version {found} is newer than this mlguard reads (version {PROFILE_VERSION}); upgrade mlguard, or rewrite the profile with this version's `mlguard profile`")]
    TooNew {
        /// The file.
        path: String,
        /// The version found.
        found: u64,
    },
    /// A profile whose metrics are weighted otherwise than the run's (`--weight-col`).
    #[error("{path}: the profile's metrics are {profile} but this run's are {run}, so they do not compare (give the run the profile's --weight-col, or write the profile again with the run's)")]
    Weights {
        /// The file.
        path: String,
        /// How the profile's metrics are weighted.
        profile: String,
        /// How the run's metrics are weighted.
        run: String,
    },
    /// A saved JSON report given where a profile or data file is expected.
    #[error("{path}: is an mlguard JSON report, not a reference (pass the reference data file, or a profile written by `mlguard profile REF.csv -o ref.profile.json`)")]
    Report {
        /// The file.
        path: String,
    },
}

/// A saved profile, as written to its file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SavedProfile {
    /// The format marker and version (`1`).
    pub mlguard_profile: u64,
    /// The mlguard version that wrote the profile.
    pub tool_version: String,
    /// Binary or multiclass.
    pub task: Task,
    /// The positive class (binary), else null.
    pub pos_label: Option<String>,
    /// Rows.
    pub rows: u64,
    /// Rows predicted correctly.
    pub correct: u64,
    /// Classes in label order.
    pub labels: Vec<String>,
    /// Rows per true class, in label order.
    pub label_counts: Vec<u64>,
    /// Rows per predicted class, in label order.
    pub pred_counts: Vec<u64>,
    /// The report's `metrics` object.
    pub metrics: Value,
    /// The scores the drift checks test (positive-class score, or top-label confidence), exact.
    pub scores: Option<Ranked>,
    /// Multiclass: each class's probability column over all rows, exact, by class name.
    pub proba: Vec<ProbaDistribution>,
    /// Rows and correct predictions per segment of the segment columns it was made with.
    #[serde(default)]
    pub segments: Vec<SegmentCounts>,
    /// The weight column its metrics are weighted by (`--weight-col`); absent when unweighted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_col: Option<String>,
    /// The summaries of its input features (`--feature-cols`); absent without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<crate::features::FeatureState>,
}

/// One class's probabilities.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProbaDistribution {
    /// The class.
    pub class: String,
    /// Its probability over all rows.
    pub values: Ranked,
}

impl SavedProfile {
    /// The saved form of a profile and its metrics.
    pub fn new(
        profile: &Profile,
        task: Task,
        pos_label: Option<String>,
        metrics: Value,
    ) -> SavedProfile {
        SavedProfile {
            mlguard_profile: PROFILE_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            task,
            pos_label,
            rows: profile.rows,
            correct: profile.correct,
            labels: profile.labels.clone(),
            label_counts: profile.label_counts.clone(),
            pred_counts: profile.pred_counts.clone(),
            metrics,
            scores: profile.distribution().cloned(),
            proba: profile
                .proba
                .iter()
                .map(|(class, values)| ProbaDistribution {
                    class: class.clone(),
                    values: values.clone(),
                })
                .collect(),
            segments: profile.segments.clone(),
            weight_col: None,
            features: None,
        }
    }

    /// Refuses a profile whose metrics are weighted otherwise than a run weighted by
    /// `weight_col` (`--max-drop` compares metrics, which weights change).
    pub fn check_weights(&self, weight_col: Option<&str>, path: &str) -> Result<(), ProfileError> {
        if self.weight_col.as_deref() == weight_col {
            return Ok(());
        }
        let describe = |w: Option<&str>| {
            w.map_or_else(
                || "unweighted".to_string(),
                |c| format!("weighted by column '{c}'"),
            )
        };
        Err(ProfileError::Weights {
            path: path.to_string(),
            profile: describe(self.weight_col.as_deref()),
            run: describe(weight_col),
        })
    }

    /// The profile the comparisons take, and the metrics.
    pub fn into_profile(self) -> (Profile, Value) {
        let profile = Profile {
            rows: self.rows,
            correct: self.correct,
            labels: self.labels,
            label_counts: self.label_counts,
            pred_counts: self.pred_counts,
            distribution: self.scores,
            by_class: Vec::new(),
            proba: self
                .proba
                .into_iter()
                .map(|p| (p.class, p.values))
                .collect(),
            segments: self.segments,
            ..Profile::default()
        };
        (profile, self.metrics)
    }

    /// The profile as JSON text (one line, then a newline).
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string(self).expect("profiles serialise");
        text.push('\n');
        text
    }

    /// Reads a profile; `path` names the file in errors.
    pub fn parse(text: &[u8], path: &str) -> Result<SavedProfile, ProfileError> {
        let invalid = |what: String| ProfileError::Invalid {
            path: path.to_string(),
            what,
        };
        let value: Value =
            serde_json::from_slice(text).map_err(|e| invalid(format!("line {}: {e}", e.line())))?;
        let version = match value.get(MARKER) {
            Some(v) => v.as_u64().filter(|&v| v >= 1).ok_or_else(|| {
                invalid(format!(
                    "\"{MARKER}\" must be a format version such as 1, not {v}"
                ))
            })?,
            None => return Err(invalid(format!("no \"{MARKER}\" key"))),
        };
        if version > PROFILE_VERSION {
            return Err(ProfileError::TooNew {
                path: path.to_string(),
                found: version,
            });
        }
        let saved: SavedProfile =
            serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        let k = saved.labels.len();
        if saved.label_counts.len() != k || saved.pred_counts.len() != k {
            return Err(invalid(format!(
                "{} but {} and {}",
                count(k, "label"),
                count(saved.label_counts.len(), "label count"),
                count(saved.pred_counts.len(), "prediction count")
            )));
        }
        let sum = |c: &[u64]| c.iter().try_fold(0u64, |a, &b| a.checked_add(b));
        if sum(&saved.label_counts) != Some(saved.rows)
            || sum(&saved.pred_counts) != Some(saved.rows)
            || saved.correct > saved.rows
        {
            return Err(invalid(format!(
                "the class counts do not add up to its {}",
                count(saved.rows, "row")
            )));
        }
        if !saved.metrics.is_object() {
            return Err(invalid("\"metrics\" must be an object".into()));
        }
        Ok(saved)
    }
}

/// Whether the start of a file is a profile: a JSON object whose first key is the marker.
pub fn looks_like_profile(head: &[u8]) -> bool {
    let head = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    let rest = head.trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b"{") else {
        return false;
    };
    rest.trim_ascii_start()
        .starts_with(format!("\"{MARKER}\"").as_bytes())
}

/// Whether a JSON object (the first record of a file) is a saved mlguard report.
pub fn is_report(first: &Value) -> bool {
    first.get("schema_version").is_some()
        && first
            .get("tool")
            .and_then(|t| t.get("name"))
            .is_some_and(|n| n == "mlguard")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SavedProfile {
        let profile = Profile {
            rows: 3,
            correct: 2,
            labels: vec!["a".into(), "b".into()],
            label_counts: vec![1, 2],
            pred_counts: vec![2, 1],
            distribution: Some(Ranked::from_values(vec![0.1, 0.7, 0.7])),
            by_class: Vec::new(),
            proba: Vec::new(),
            segments: Vec::new(),
            ..Profile::default()
        };
        SavedProfile::new(
            &profile,
            Task::Binary,
            Some("b".into()),
            serde_json::json!({"f1": 0.5}),
        )
    }

    #[test]
    fn round_trips_and_is_recognised() {
        let saved = sample();
        let text = saved.to_text();
        assert!(looks_like_profile(text.as_bytes()));
        assert!(!looks_like_profile(b"{\"label\": 1}\n"));
        assert!(!looks_like_profile(b"label,score\n"));
        assert_eq!(
            SavedProfile::parse(text.as_bytes(), "p.json").unwrap(),
            saved
        );
    }

    #[test]
    fn refuses_newer_versions_and_broken_files() {
        let text =
            sample()
                .to_text()
                .replacen(&format!("\"{MARKER}\":1"), &format!("\"{MARKER}\":2"), 1);
        assert!(matches!(
            SavedProfile::parse(text.as_bytes(), "p.json"),
            Err(ProfileError::TooNew { found: 2, .. })
        ));
        let bad_counts = sample().to_text().replace("\"rows\":3", "\"rows\":4");
        assert!(SavedProfile::parse(bad_counts.as_bytes(), "p.json").is_err());
        assert!(SavedProfile::parse(b"{\"mlguard_profile\":1", "p.json").is_err());
        assert!(SavedProfile::parse(b"{\"other\":1}", "p.json").is_err());
    }
}
