//! The engine: every command that evaluates predictions runs these stages, in one direction.
//!
//! 1. **Open** the input and every reference: [`scan_input`] reads the input into a mergeable
//!    [`Scan`] (or `merge` loads saved ones), [`open_references`] reads the `--reference` and
//!    `--train` files (data or saved profiles) — every file is read before anything is judged.
//! 2. **Finish** the scan into the run's measurements ([`finish::finish`]).
//! 3. **Check** them: release rules, objectives, statistical and health checks
//!    ([`assess::assess`]).
//! 4. **Diagnose** the checks ([`crate::diagnosis::diagnose`]) and decide the gate.
//!
//! The result is one immutable [`Report`]; commands only choose the inputs and render it.

pub mod assess;
pub mod estimated;
pub mod finish;
pub mod reference;
pub mod rows;

use crate::checks::gate::Gate;
use crate::checks::statistical::Profile;
use crate::diagnosis::diagnose;
use crate::io::decode::PairRule;
use crate::metrics::audit::IdOutcomes;
use crate::metrics::FinishOptions;
use crate::report::{Report, Run, Tool, SCHEMA_VERSION};
use crate::results::MetricValues;
use crate::scan::state::ReadSettings;
use crate::scan::{scan, Progress, Scan};
use crate::settings::{EvalSettings, InputSpec, SettingsError};
use crate::Error;

/// A reference run, read and profiled.
pub struct Reference {
    /// Its counts and score distributions, for drift and regression checks.
    pub profile: Profile,
    /// Its metrics by dotted path, for `--max-drop`.
    pub metrics: MetricValues,
    /// Whether each id was predicted right (a data file with `--id-col`), for the paired test.
    pub ids: Option<IdOutcomes>,
    /// The summaries of its input features, with `--feature-cols`.
    pub features: Option<crate::features::FeatureState>,
    /// Binary scores of its positive rows and of its negative rows (a data file with a score
    /// column; empty otherwise), for estimating the performance of rows awaiting labels.
    pub scores_by_class: Vec<crate::metrics::ranked::Ranked>,
}

/// What a run is compared with.
#[derive(Default)]
pub struct References {
    /// `--reference`, when a check needs it.
    pub reference: Option<Reference>,
    /// `--train`, when the training checks run.
    pub train: Option<Profile>,
}

/// Uses `--threads` worker threads for finishing too.
pub fn configure_threads(input: &InputSpec) {
    if input.threads > 0 {
        // Only the first call configures the pool; later ones (tests) keep it.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(input.threads)
            .build_global();
    }
}

/// Reads the settings' input into a mergeable state.
pub fn scan_input(settings: &EvalSettings, progress: &dyn Progress) -> Result<Scan, Error> {
    let input = &settings.input;
    configure_threads(input);
    Ok(scan(
        input,
        &settings.columns,
        (settings.rules, &pair_rule(&settings.finish)),
        &settings.segments,
        &settings.windows,
        progress,
    )?)
}

/// What decides the prediction of a binary pair of probability columns: the run's positive
/// class and task, when given.
pub fn pair_rule(finish: &FinishOptions) -> PairRule {
    PairRule {
        pos_label: finish.pos_label.clone(),
        task: finish.task,
    }
}

/// The settings a scan was read with, saved with its state.
pub fn read_settings(settings: &EvalSettings) -> ReadSettings {
    ReadSettings {
        columns: settings.columns.clone(),
        segments: settings.segments.clone(),
        windows: settings.windows.clone(),
        rules: settings.rules,
    }
}

/// Reads the reference and training files the enabled checks need, with the finish options
/// of the run they are compared with.
pub fn open_references(
    settings: &EvalSettings,
    scan: &Scan,
    progress: &dyn Progress,
) -> Result<References, Error> {
    let finish: FinishOptions = finish::finish_options(settings, scan);
    let families = settings.checks.families;
    let train = match (&settings.checks.train, families.training) {
        (Some(path), true) => Some(reference::load(settings, path, &finish, progress)?.profile),
        _ => None,
    };
    let reference = match &settings.checks.reference {
        Some(path) if families.reference || !settings.checks.max_drop.is_empty() => {
            Some(reference::load(settings, path, &finish, progress)?)
        }
        _ => None,
    };
    Ok(References { reference, train })
}

/// Finishes, checks and diagnoses a scan of `input_name` into its report.
pub fn report(
    settings: &EvalSettings,
    input_name: &str,
    scan: Scan,
    references: References,
) -> Result<Report, Error> {
    let mut finished = finish::finish(settings, input_name, scan)?;
    let checks = assess::assess(settings, &mut finished, references)
        .map_err(|e| Error::Settings(SettingsError::Rule(e)))?;
    let results = finished.results;
    let findings = diagnose(&results, &checks, &settings.diagnosis.context);
    let gate = Gate::decide(&checks, settings.gate.fail_on);
    let run = Run {
        command: settings
            .command
            .clone()
            .unwrap_or_else(|| format!("mlguard eval {input_name}")),
        config: settings
            .config
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
    };
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        run,
        results,
        checks,
        findings,
        gate,
    })
}

/// Reads, finishes, checks and diagnoses the settings' input.
pub fn evaluate(settings: &EvalSettings, progress: &dyn Progress) -> Result<Report, Error> {
    let scan = scan_input(settings, progress)?;
    let references = open_references(settings, &scan, progress)?;
    report(settings, &settings.input.path, scan, references)
}
