//! The gate (`[gate]`): release rules, what they compare, which statuses fail, and the
//! bootstrap behind the intervals they may compare.

use super::{choice, later_wins, SettingsError};
use crate::checks::gate::FailOn;
use crate::checks::rules::{Bound, GateOn, Rule};
use crate::cli::GateArgs;
use crate::config::GateSection;
use crate::metrics::intervals::Bootstrap;

/// Release rules and how they are judged.
#[derive(Debug, Clone, PartialEq)]
pub struct GateSpec {
    /// The rules.
    pub rules: Vec<Rule>,
    /// What rules compare.
    pub gate_on: GateOn,
    /// What fails the gate.
    pub fail_on: FailOn,
    /// Segments with fewer rows are not gated.
    pub min_segment_rows: u64,
}

/// The file's rules, then the flags', a flag replacing a file rule on the same metric, bound
/// and scope.
fn rules(args: &GateArgs, file: &GateSection) -> Result<Vec<Rule>, SettingsError> {
    let from_file = [(Bound::Min, &file.min), (Bound::Max, &file.max)]
        .into_iter()
        .flat_map(|(bound, table)| {
            table
                .iter()
                .flatten()
                .map(move |(metric, value)| Rule::parse(&format!("{metric}={value}"), bound))
        });
    let from_flags = [(Bound::Min, &args.min), (Bound::Max, &args.max)]
        .into_iter()
        .flat_map(|(bound, list)| list.iter().map(move |raw| Rule::parse(raw, bound)));
    later_wins(from_file.chain(from_flags), |a, b| {
        a.metric == b.metric && a.bound == b.bound && a.scope == b.scope
    })
}

/// The gate.
pub(super) fn resolve(args: &GateArgs, file: &GateSection) -> Result<GateSpec, SettingsError> {
    Ok(GateSpec {
        gate_on: choice(args.gate_on, "[gate] gate_on", file.gate_on.as_ref())?
            .unwrap_or(GateOn::Value),
        fail_on: choice(args.fail_on, "[gate] fail_on", file.fail_on.as_ref())?
            .unwrap_or(FailOn::Error),
        rules: rules(args, file)?,
        min_segment_rows: args
            .min_segment_rows
            .or(file.min_segment_rows)
            .unwrap_or(30),
    })
}

/// The bootstrap of confidence intervals.
pub(super) fn bootstrap(args: &GateArgs, file: &GateSection) -> Bootstrap {
    let mut bootstrap = Bootstrap::default();
    if let Some(n) = args.bootstrap.or(file.bootstrap) {
        bootstrap.replicates = n;
    }
    if let Some(seed) = args.seed.or(file.seed) {
        bootstrap.seed = seed;
    }
    bootstrap
}
