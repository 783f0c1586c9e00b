//! Statistical checks (`[checks]`): which families run, the reference and training runs to
//! compare with, `--max-drop` and latency objectives, and the bars of each test.

use super::{later_wins, SettingsError};
use crate::checks::health::HealthOptions;
use crate::checks::latency::{LatencyError, LatencySlo};
use crate::checks::statistical::StatOptions;
use crate::cli::CheckArgs;
use crate::config::{ChecksSection, LatencySloConfig};
use crate::diff::MaxDrop;

/// Which families of statistical checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckFamilies {
    /// Output sanity of the current file.
    pub sanity: bool,
    /// Weak segments.
    pub segments: bool,
    /// Drift and regression against the reference.
    pub reference: bool,
    /// Worse windows and the change point.
    pub windows: bool,
    /// Data checks: skipped rows, duplicates, ids, classes, imbalance, label errors.
    pub data: bool,
    /// Training checks: overfitting, baseline, calibration, threshold.
    pub training: bool,
}

impl CheckFamilies {
    fn parse(names: &[String]) -> Result<CheckFamilies, SettingsError> {
        const ALL: CheckFamilies = CheckFamilies {
            sanity: true,
            segments: true,
            reference: true,
            windows: true,
            data: true,
            training: true,
        };
        let mut f = CheckFamilies {
            sanity: false,
            segments: false,
            reference: false,
            windows: false,
            data: false,
            training: false,
        };
        if names.is_empty() {
            return Ok(ALL);
        }
        for name in names {
            match name.trim() {
                "all" => f = ALL,
                "windows" => f.windows = true,
                "none" => {}
                "sanity" => f.sanity = true,
                "segments" => f.segments = true,
                "reference" => f.reference = true,
                "data" => f.data = true,
                "training" => f.training = true,
                other => {
                    let hint = match other.to_lowercase().as_str() {
                        "drift" | "regression" => " (drift and regression checks are `reference`)",
                        "health" | "audit" => " (the health checks are `data` and `training`)",
                        "time" | "window" => " (the time checks are `windows`)",
                        _ => "",
                    };
                    return Err(SettingsError::CheckFamily {
                        value: other.to_string(),
                        families: "sanity, segments, windows, reference, data, training",
                        hint,
                    });
                }
            }
        }
        Ok(f)
    }
}

/// Statistical checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    /// The families that run.
    pub families: CheckFamilies,
    /// The reference run, if any.
    pub reference: Option<String>,
    /// Test settings.
    pub stat: StatOptions,
    /// `--max-drop` rules against the reference.
    pub max_drop: Vec<MaxDrop>,
    /// Latency objectives (`--latency-slo-ms`).
    pub latency_slo: Vec<LatencySlo>,
    /// Thresholds of the data and training checks.
    pub health: HealthOptions,
    /// The same model's predictions on its training data, if given.
    pub train: Option<String>,
}

/// Refuses a proportion outside [0, 1], naming its flag or key.
fn proportions(values: &[(&'static str, f64)]) -> Result<(), SettingsError> {
    match values.iter().find(|(_, v)| !(0.0..=1.0).contains(v)) {
        Some(&(flag, value)) => Err(SettingsError::Target { flag, value }),
        None => Ok(()),
    }
}

/// The significance tests' settings.
fn stat_options(args: &CheckArgs, file: &ChecksSection) -> Result<StatOptions, SettingsError> {
    let d = StatOptions::default();
    let stat = StatOptions {
        alpha: file.alpha.unwrap_or(d.alpha),
        min_effect: args.min_effect.or(file.min_effect).unwrap_or(d.min_effect),
        min_rows: file.min_rows.unwrap_or(d.min_rows),
        psi_warn: file.psi_warn.unwrap_or(d.psi_warn),
        psi_fail: file.psi_fail.unwrap_or(d.psi_fail),
    };
    proportions(&[
        ("--min-effect", stat.min_effect),
        ("[checks] alpha", stat.alpha),
    ])?;
    Ok(stat)
}

/// The data and training checks' thresholds (file only).
fn health_options(file: &ChecksSection) -> Result<HealthOptions, SettingsError> {
    let h = HealthOptions::default();
    let health = HealthOptions {
        share_warn: file.share_warn.unwrap_or(h.share_warn),
        share_fail: file.share_fail.unwrap_or(h.share_fail),
        imbalance_share: file.imbalance_share.unwrap_or(h.imbalance_share),
        ece_warn: file.ece_warn.unwrap_or(h.ece_warn),
        ece_fail: file.ece_fail.unwrap_or(h.ece_fail),
        threshold_gain: file.threshold_gain.unwrap_or(h.threshold_gain),
        noise_warn: file.noise_warn.unwrap_or(h.noise_warn),
        noise_fail: file.noise_fail.unwrap_or(h.noise_fail),
    };
    proportions(&[
        ("[checks] share_warn", health.share_warn),
        ("[checks] share_fail", health.share_fail),
        ("[checks] imbalance_share", health.imbalance_share),
        ("[checks] ece_warn", health.ece_warn),
        ("[checks] ece_fail", health.ece_fail),
        ("[checks] threshold_gain", health.threshold_gain),
        ("[checks] noise_warn", health.noise_warn),
        ("[checks] noise_fail", health.noise_fail),
    ])?;
    Ok(health)
}

/// The file's `[checks] latency_slo_ms` and the `--latency-slo-ms` flags, a flag replacing the
/// file's objective on the same percentile.
fn latency_slo(args: &CheckArgs, file: &ChecksSection) -> Result<Vec<LatencySlo>, SettingsError> {
    let from_file: Vec<String> = match &file.latency_slo_ms {
        None => Vec::new(),
        Some(LatencySloConfig::P95(ms)) => vec![format!("p95={ms}")],
        Some(LatencySloConfig::ByPercentile(table)) => {
            table.iter().map(|(p, ms)| format!("{p}={ms}")).collect()
        }
    };
    later_wins(
        from_file
            .iter()
            .chain(&args.latency_slo_ms)
            .map(|raw| LatencySlo::parse(raw)),
        |a, b| a.quantile == b.quantile,
    )
}

/// The checks; `latency_column` is the column latency objectives are judged on.
pub(super) fn resolve(
    args: &CheckArgs,
    file: &ChecksSection,
    latency_column: Option<&str>,
) -> Result<CheckSpec, SettingsError> {
    let stat = stat_options(args, file)?;
    let names = if args.checks.is_empty() {
        file.enabled.clone().unwrap_or_default()
    } else {
        args.checks.clone()
    };
    let health = health_options(file)?;
    let reference = args.reference.clone().or_else(|| file.reference.clone());
    // The file's rules, then the flags', a flag replacing the file's rule on the same metric.
    let max_drop = later_wins(
        file.max_drop
            .iter()
            .flatten()
            .map(|(metric, delta)| MaxDrop::parse(&format!("{metric}={delta}")))
            .chain(args.max_drop.iter().map(|raw| MaxDrop::parse(raw))),
        |a, b| a.metric == b.metric,
    )?;
    if let (Some(first), None) = (max_drop.first(), &reference) {
        return Err(SettingsError::MaxDropNeedsReference(format!(
            "{}={}",
            first.metric, first.delta
        )));
    }
    let latency_slo = latency_slo(args, file)?;
    if let (Some(first), None) = (latency_slo.first(), latency_column) {
        return Err(LatencyError::NoColumn(format!("{}={}", first.name, first.ms)).into());
    }
    Ok(CheckSpec {
        families: CheckFamilies::parse(&names)?,
        reference,
        stat,
        health,
        train: args.train.clone().or_else(|| file.train.clone()),
        max_drop,
        latency_slo,
    })
}
