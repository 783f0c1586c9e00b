//! Metric options (`[metrics]`): the task, the positive class, the F-beta's beta, calibration
//! bins and threshold targets.

use super::{choice, SettingsError};
use crate::cli::MetricArgs;
use crate::config::MetricsSection;
use crate::label::LabelKey;
use crate::metrics::intervals::Bootstrap;
use crate::metrics::ranking::ThresholdTargets;
use crate::metrics::scores::ScoreOptions;
use crate::metrics::FinishOptions;

/// The metric options, with the gate's `bootstrap` for their intervals.
pub(super) fn resolve(
    args: &MetricArgs,
    file: &MetricsSection,
    bootstrap: Bootstrap,
) -> Result<FinishOptions, SettingsError> {
    let beta = args.beta.or(file.beta).unwrap_or(1.0);
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(SettingsError::Beta(beta));
    }
    let precision = args.target_precision.or(file.target_precision);
    let recall = args.target_recall.or(file.target_recall);
    for (flag, value) in [
        ("--target-precision", precision),
        ("--target-recall", recall),
    ] {
        if let Some(value) = value {
            if !(0.0..=1.0).contains(&value) {
                return Err(SettingsError::Target { flag, value });
            }
        }
    }
    let calibration_bins = args
        .calibration_bins
        .or(file.calibration_bins)
        .unwrap_or(15);
    if !(1..=1000).contains(&calibration_bins) {
        return Err(SettingsError::Bins(calibration_bins));
    }
    let pos_label = match args
        .pos_label
        .clone()
        .or_else(|| file.pos_label.as_ref().map(ToString::to_string))
    {
        Some(raw) => Some(LabelKey::parse(&raw).ok_or(SettingsError::PosLabel(raw))?),
        None => None,
    };
    Ok(FinishOptions {
        pos_label,
        task: choice(args.task, "[metrics] task", file.task.as_ref())?,
        beta,
        scores: ScoreOptions {
            calibration_bins,
            targets: ThresholdTargets {
                current: None,
                precision,
                recall,
            },
            detail: true,
        },
        bootstrap,
    })
}
