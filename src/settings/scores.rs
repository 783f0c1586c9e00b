//! Score reading: logits or probabilities (`[input] scores_are_logits`), and the threshold that
//! turns a score into a prediction (`[metrics] threshold`).

use super::SettingsError;
use crate::cli::ScoreArgs;
use crate::config::{InputSection, MetricsSection};
use crate::io::decode::ScoreRules;

/// How scores are read.
pub(super) fn resolve(
    args: &ScoreArgs,
    (input, metrics): (&InputSection, &MetricsSection),
) -> Result<ScoreRules, SettingsError> {
    let threshold = args.threshold.or(metrics.threshold).unwrap_or(0.5);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(SettingsError::Threshold(threshold));
    }
    Ok(ScoreRules {
        threshold,
        logits: args.scores_are_logits || input.scores_are_logits.unwrap_or(false),
    })
}
