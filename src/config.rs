//! `mlguard.toml`: the settings of a CI step in a file, so the step is one short line.
//!
//! Every key mirrors a flag; flags override the file. Unknown keys are errors that name their
//! line, so a typo never silently disables a rule.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// The file looked for in the current directory when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "mlguard.toml";

/// A configuration file that cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{path}: cannot read the configuration file: {source} (check the --config path)")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid for mlguard.
    #[error("{path}:{line}: {message} (see the configuration keys in the README)")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// A scalar that may be written as a string, number or boolean (e.g. `pos_label = 1`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Scalar {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Float.
    Float(f64),
    /// Boolean.
    Bool(bool),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Text(s) => f.write_str(s),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
            Scalar::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// `[input]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InputSection {
    /// `csv`, `tsv` or `jsonl`.
    pub format: Option<String>,
    /// Field delimiter.
    pub delimiter: Option<String>,
    /// Skip invalid rows.
    pub skip_invalid: Option<bool>,
    /// Lines above the header to skip.
    pub skip_rows: Option<u64>,
    /// Scores are logits.
    pub scores_are_logits: Option<bool>,
}

/// `[columns]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColumnsSection {
    /// Label column.
    pub label: Option<String>,
    /// Prediction column.
    pub prediction: Option<String>,
    /// Score column.
    pub score: Option<String>,
    /// Probability column prefix.
    pub proba_prefix: Option<String>,
    /// The class of each probability column, in column order.
    pub classes: Option<Vec<Scalar>>,
    /// Segment columns.
    pub segments: Option<Vec<String>>,
    /// Time column.
    pub time: Option<String>,
    /// Model version column.
    pub version: Option<String>,
    /// Serving environment column.
    pub env: Option<String>,
    /// Row id column.
    pub id: Option<String>,
    /// Latency column (milliseconds).
    pub latency: Option<String>,
    /// Sample weight column.
    pub weight: Option<String>,
    /// Input feature columns (`["auto"]`: every column with no other role).
    pub features: Option<Vec<String>>,
    /// Feature columns read as categories.
    pub categorical: Option<Vec<String>>,
}

/// `[metrics]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    /// `binary` or `multiclass`.
    pub task: Option<String>,
    /// Positive class.
    pub pos_label: Option<Scalar>,
    /// Decision threshold.
    pub threshold: Option<f64>,
    /// F-beta's beta.
    pub beta: Option<f64>,
    /// Calibration bins.
    pub calibration_bins: Option<usize>,
    /// Target precision.
    pub target_precision: Option<f64>,
    /// Target recall.
    pub target_recall: Option<f64>,
}

/// `[gate]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GateSection {
    /// Minimums by metric path (`segment:` prefix for every segment).
    pub min: Option<BTreeMap<String, f64>>,
    /// Maximums by metric path.
    pub max: Option<BTreeMap<String, f64>>,
    /// `error`, `warning` or `never`.
    pub fail_on: Option<String>,
    /// `value`, `lower` or `upper`.
    pub gate_on: Option<String>,
    /// Bootstrap replicates.
    pub bootstrap: Option<usize>,
    /// Bootstrap seed.
    pub seed: Option<u64>,
    /// Segments with fewer rows are skipped by rules.
    pub min_segment_rows: Option<u64>,
}

/// `[checks]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChecksSection {
    /// Check families to run (`all`, `none`, `sanity`, `segments`, `reference`).
    pub enabled: Option<Vec<String>>,
    /// Reference run to compare with.
    pub reference: Option<String>,
    /// Window width (`1h`, `1d`, `10000rows`, …).
    pub window: Option<String>,
    /// Smallest accuracy drop worth failing on.
    pub min_effect: Option<f64>,
    /// Significance level.
    pub alpha: Option<f64>,
    /// Rows needed on each side of a comparison.
    pub min_rows: Option<u64>,
    /// PSI from which drift warns.
    pub psi_warn: Option<f64>,
    /// PSI from which drift fails.
    pub psi_fail: Option<f64>,
    /// Training predictions of the same model.
    pub train: Option<String>,
    /// Share of skipped or duplicate rows from which a data check warns.
    pub share_warn: Option<f64>,
    /// Share of skipped or duplicate rows from which a data check fails.
    pub share_fail: Option<f64>,
    /// Smallest class share below which labels are severely imbalanced.
    pub imbalance_share: Option<f64>,
    /// ECE from which calibration warns.
    pub ece_warn: Option<f64>,
    /// ECE from which calibration fails.
    pub ece_fail: Option<f64>,
    /// F1 gain of the best threshold from which the threshold check warns.
    pub threshold_gain: Option<f64>,
    /// Excess label-error share from which the label-noise check warns.
    pub noise_warn: Option<f64>,
    /// Excess label-error share from which the label-noise check fails.
    pub noise_fail: Option<f64>,
    /// Largest drop against the reference, by metric path (`max_drop = { f1 = 0.02 }`).
    pub max_drop: Option<BTreeMap<String, f64>>,
    /// Latency objectives: milliseconds for the p95, or a table by percentile.
    pub latency_slo_ms: Option<LatencySloConfig>,
}

/// `[checks] latency_slo_ms`: `250` (the p95) or `{ p95 = 250, p99 = 400 }`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum LatencySloConfig {
    /// The p95's bound.
    P95(f64),
    /// Bounds by percentile.
    ByPercentile(BTreeMap<String, f64>),
}

/// `[output]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    /// `text` or `json`.
    pub format: Option<String>,
}

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `[input]`.
    #[serde(default)]
    pub input: InputSection,
    /// `[columns]`.
    #[serde(default)]
    pub columns: ColumnsSection,
    /// `[metrics]`.
    #[serde(default)]
    pub metrics: MetricsSection,
    /// `[gate]`.
    #[serde(default)]
    pub gate: GateSection,
    /// `[checks]`.
    #[serde(default)]
    pub checks: ChecksSection,
    /// `[output]`.
    #[serde(default)]
    pub output: OutputSection,
}

impl ConfigFile {
    /// Parses configuration text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                message: e.message().trim().to_string(),
            }
        })
    }

    /// Loads `explicit`, or `mlguard.toml` in the current directory if it exists.
    pub fn load(explicit: Option<&Path>) -> Result<Option<(PathBuf, ConfigFile)>, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            // Named `./mlguard.toml`, so that messages and reports say where it was found.
            None if Path::new(DEFAULT_CONFIG).is_file() => Path::new(".").join(DEFAULT_CONFIG),
            None => return Ok(None),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let config = ConfigFile::parse(&text, &path)?;
        Ok(Some((path, config)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section() {
        let text = r#"
[columns]
label = "y"
segments = ["segment"]
[metrics]
pos_label = 1
[gate]
min = { f1 = 0.8, "segment:recall" = 0.7 }
fail_on = "warning"
"#;
        let c = ConfigFile::parse(text, Path::new("m.toml")).unwrap();
        assert_eq!(c.columns.label.as_deref(), Some("y"));
        assert_eq!(c.metrics.pos_label.unwrap().to_string(), "1");
        assert_eq!(c.gate.min.unwrap()["segment:recall"], 0.7);
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let text = "[gate]\nfail_on = \"error\"\nfial_on = \"x\"\n";
        let err = ConfigFile::parse(text, Path::new("m.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("m.toml:3: "), "{err}");
        assert!(err.contains("fial_on"), "{err}");
    }
}
