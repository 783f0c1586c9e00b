//! One resolved, validated configuration for a run.
//!
//! Raw flags and `mlguard.toml` are turned into typed settings here and only here: formats,
//! column roles, score rules, metric options, release rules and where and how the report is
//! written (colour included) are decided once, so the rest of the program never looks at a flag.
//! Flags override the file; repeatable rules from both are combined, a flag's rule replacing the
//! file's rule on the same metric and bound.

use std::io::IsTerminal;
use std::path::PathBuf;

use thiserror::Error;

use crate::checks::gate::FailOn;
use crate::checks::health::HealthOptions;
use crate::checks::latency::{LatencyError, LatencySlo};
use crate::checks::rules::{Bound, GateOn, Rule, RuleError};
use crate::checks::statistical::StatOptions;
use crate::cli::{
    ColorArg, DiffArgs, DiffFormatArg, EvalArgs, FailOnArg, GateOnArg, InputFormatArg,
    ReportFormatArg, TaskArg,
};
use crate::config::{ConfigError, ConfigFile, LatencySloConfig};
use crate::diagnosis::DiagnosisContext;
use crate::diff::{DiffError, MaxDrop};
use crate::io::columns::ColumnFlags;
use crate::io::decode::ScoreRules;
use crate::io::format::Format;
use crate::io::time::parse_window;
use crate::label::LabelKey;
use crate::metrics::intervals::Bootstrap;
use crate::metrics::ranking::ThresholdTargets;
use crate::metrics::scores::ScoreOptions;
use crate::metrics::{FinishOptions, Task};
use crate::pipeline::WindowSpec;

/// A setting that cannot be used.
#[derive(Debug, Error)]
pub enum SettingsError {
    /// The configuration file is unusable.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A rule is unusable.
    #[error("{0}")]
    Rule(#[from] RuleError),
    /// The delimiter is not one byte.
    #[error("--delimiter {0:?} must be a single character such as ',', ';' or '\\t'")]
    Delimiter(String),
    /// Beta is negative or not finite.
    #[error("--beta {0} must be a finite number >= 0 (e.g. 0.5 or 2)")]
    Beta(f64),
    /// The threshold is outside [0, 1].
    #[error("--threshold {0} must be a probability in [0, 1]")]
    Threshold(f64),
    /// A probability target outside [0, 1].
    #[error("{flag} {value} must be a proportion in [0, 1]")]
    Target {
        /// The flag.
        flag: &'static str,
        /// The value.
        value: f64,
    },
    /// Too few or too many calibration bins.
    #[error("--calibration-bins {0} must be between 1 and 1000")]
    Bins(usize),
    /// The positive label is empty.
    #[error("--pos-label must name a class (got {0:?})")]
    PosLabel(String),
    /// A `--max-drop` rule is unusable.
    #[error("{0}")]
    MaxDrop(#[from] DiffError),
    /// `--max-drop` without a reference to compare with.
    #[error("--max-drop {0} compares with a reference run, but none was given (add --reference FILE, or reference = \"FILE\" under [checks] in mlguard.toml)")]
    MaxDropNeedsReference(String),
    /// A latency objective is unusable.
    #[error("{0}")]
    Latency(#[from] LatencyError),
    /// Two outputs name the same file.
    #[error(
        "{0}: two outputs name the same file (give each --output and --output-FORMAT its own path)"
    )]
    SameOutput(PathBuf),
    /// A configuration value that is not one of its choices.
    #[error("configuration key {key} = {value:?} must be one of {choices}")]
    Choice {
        /// The key, e.g. `[gate] fail_on`.
        key: &'static str,
        /// The value given.
        value: String,
        /// The valid values.
        choices: &'static str,
    },
}

/// What to read.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSpec {
    /// Path, or `-` for standard input.
    pub path: String,
    /// The text format, when fixed by flags.
    pub format: Option<Format>,
    /// Skip invalid rows instead of failing.
    pub skip_invalid: bool,
    /// Worker threads for parsing (0: one per core).
    pub threads: usize,
    /// Accept a header with no rows under it (an empty shard whose state is saved); otherwise
    /// such a file is an error.
    pub header_only_ok: bool,
}

/// The report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Readable text.
    Text,
    /// JSON.
    Json,
    /// Markdown.
    Markdown,
    /// JUnit XML.
    Junit,
    /// Self-contained HTML.
    Html,
}

/// Where and how the report goes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    /// The format.
    pub format: ReportFormat,
    /// A file, or standard output.
    pub path: Option<PathBuf>,
    /// Whether the text report uses colour.
    pub color: bool,
    /// Further reports of the same evaluation, each written to its file (`--output-FORMAT`).
    pub files: Vec<(ReportFormat, PathBuf)>,
    /// No progress bar.
    pub quiet: bool,
    /// Where to also write the run's mergeable state (`--save-state`).
    pub save_state: Option<PathBuf>,
}

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
                    return Err(SettingsError::Choice {
                        key: "--checks",
                        value: other.to_string(),
                        choices: "all, none, sanity, segments, windows, reference, data, training",
                    })
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

/// The diagnosis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiagnosisSpec {
    /// What changes how check outcomes are read.
    pub context: DiagnosisContext,
    /// Where to write the rows behind row-level findings.
    pub export_issues: Option<PathBuf>,
}

/// Everything `mlguard eval` needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalSettings {
    /// The configuration file read, if any.
    pub config: Option<PathBuf>,
    /// The input.
    pub input: InputSpec,
    /// Column roles given by flags.
    pub columns: ColumnFlags,
    /// Segment columns.
    pub segments: Vec<String>,
    /// Time windows.
    pub windows: WindowSpec,
    /// Score reading and thresholding.
    pub rules: ScoreRules,
    /// Metric options.
    pub finish: FinishOptions,
    /// Release rules.
    pub gate: GateSpec,
    /// Statistical checks.
    pub checks: CheckSpec,
    /// The diagnosis.
    pub diagnosis: DiagnosisSpec,
    /// The report.
    pub output: OutputSpec,
}

fn delimiter(raw: &str) -> Result<u8, SettingsError> {
    match raw {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        s if s.len() == 1 => Ok(s.as_bytes()[0]),
        s => Err(SettingsError::Delimiter(s.to_string())),
    }
}

fn color(arg: ColorArg, to_stdout: bool) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            to_stdout
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Parses a configuration string against the choices of a clap value enum.
fn choice<T: clap::ValueEnum>(
    key: &'static str,
    value: Option<&String>,
    choices: &'static str,
) -> Result<Option<T>, SettingsError> {
    value
        .map(|v| {
            T::from_str(v, true).map_err(|_| SettingsError::Choice {
                key,
                value: v.clone(),
                choices,
            })
        })
        .transpose()
}

/// Combines the file's rules with the flags', a flag replacing a file rule on the same metric.
fn combine_rules(file: &ConfigFile, args: &EvalArgs) -> Result<Vec<Rule>, SettingsError> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut add = |rule: Rule| {
        rules.retain(|r| {
            !(r.metric == rule.metric && r.bound == rule.bound && r.scope == rule.scope)
        });
        rules.push(rule);
    };
    for (bound, table) in [(Bound::Min, &file.gate.min), (Bound::Max, &file.gate.max)] {
        for (metric, value) in table.iter().flatten() {
            add(Rule::parse(&format!("{metric}={value}"), bound)?);
        }
    }
    for (bound, list) in [(Bound::Min, &args.min), (Bound::Max, &args.max)] {
        for raw in list {
            add(Rule::parse(raw, bound)?);
        }
    }
    Ok(rules)
}

/// The file's `[checks] max_drop` rules and the `--max-drop` flags, a flag replacing the file's
/// rule on the same metric.
fn combine_max_drop(
    file: Option<&std::collections::BTreeMap<String, f64>>,
    flags: &[String],
) -> Result<Vec<MaxDrop>, SettingsError> {
    let mut rules: Vec<MaxDrop> = Vec::new();
    let parsed = file
        .into_iter()
        .flatten()
        .map(|(metric, delta)| MaxDrop::parse(&format!("{metric}={delta}")))
        .chain(flags.iter().map(|raw| MaxDrop::parse(raw)));
    for rule in parsed {
        let rule = rule?;
        rules.retain(|r| r.metric != rule.metric);
        rules.push(rule);
    }
    Ok(rules)
}

/// The file's `[checks] latency_slo_ms` and the `--latency-slo-ms` flags, a flag replacing the
/// file's objective on the same percentile.
fn combine_latency_slo(
    file: Option<&LatencySloConfig>,
    flags: &[String],
) -> Result<Vec<LatencySlo>, SettingsError> {
    let from_file: Vec<String> = match file {
        None => Vec::new(),
        Some(LatencySloConfig::P95(ms)) => vec![format!("p95={ms}")],
        Some(LatencySloConfig::ByPercentile(table)) => {
            table.iter().map(|(p, ms)| format!("{p}={ms}")).collect()
        }
    };
    let mut out: Vec<LatencySlo> = Vec::new();
    for raw in from_file.iter().chain(flags) {
        let slo = LatencySlo::parse(raw)?;
        out.retain(|s| s.quantile != slo.quantile);
        out.push(slo);
    }
    Ok(out)
}

/// The `--output-FORMAT` files, refusing two outputs on one path.
fn output_files(args: &EvalArgs) -> Result<Vec<(ReportFormat, PathBuf)>, SettingsError> {
    let files: Vec<(ReportFormat, PathBuf)> = [
        (ReportFormat::Text, &args.output_text),
        (ReportFormat::Json, &args.output_json),
        (ReportFormat::Markdown, &args.output_markdown),
        (ReportFormat::Junit, &args.output_junit),
        (ReportFormat::Html, &args.output_html),
    ]
    .into_iter()
    .filter_map(|(format, path)| Some((format, path.clone()?)))
    .collect();
    let mut seen: Vec<&PathBuf> = args.output.iter().collect();
    for path in files.iter().map(|(_, p)| p).chain(&args.save_state) {
        if seen.contains(&path) {
            return Err(SettingsError::SameOutput(path.clone()));
        }
        seen.push(path);
    }
    Ok(files)
}

impl EvalSettings {
    /// Validates and resolves the flags of `mlguard eval` and the configuration file.
    pub fn from_args(args: &EvalArgs) -> Result<EvalSettings, SettingsError> {
        let loaded = ConfigFile::load(args.config.as_deref())?;
        let (config_path, file) = match loaded {
            Some((p, f)) => (Some(p), f),
            None => (None, ConfigFile::default()),
        };
        let file_format = choice::<InputFormatArg>(
            "[input] format",
            file.input.format.as_ref(),
            "csv, tsv, jsonl",
        )?;
        let input_format = args.input_format.or(file_format);
        let delim = args.delimiter.as_ref().or(file.input.delimiter.as_ref());
        let format = match (input_format, delim) {
            (Some(InputFormatArg::Jsonl), _) => Some(Format::JsonLines),
            (_, Some(d)) => Some(Format::Delimited {
                delimiter: delimiter(d)?,
            }),
            (Some(InputFormatArg::Tsv), None) => Some(Format::TSV),
            (Some(InputFormatArg::Csv), None) => Some(Format::CSV),
            (None, None) => None,
        };
        let m = &file.metrics;
        let beta = args.beta.or(m.beta).unwrap_or(1.0);
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(SettingsError::Beta(beta));
        }
        let threshold = args.threshold.or(m.threshold).unwrap_or(0.5);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(SettingsError::Threshold(threshold));
        }
        let target_precision = args.target_precision.or(m.target_precision);
        let target_recall = args.target_recall.or(m.target_recall);
        for (flag, value) in [
            ("--target-precision", target_precision),
            ("--target-recall", target_recall),
        ] {
            if let Some(value) = value {
                if !(0.0..=1.0).contains(&value) {
                    return Err(SettingsError::Target { flag, value });
                }
            }
        }
        let calibration_bins = args.calibration_bins.or(m.calibration_bins).unwrap_or(15);
        if !(1..=1000).contains(&calibration_bins) {
            return Err(SettingsError::Bins(calibration_bins));
        }
        let pos_raw = args
            .pos_label
            .clone()
            .or_else(|| m.pos_label.as_ref().map(ToString::to_string));
        let pos_label = match pos_raw {
            Some(raw) => Some(LabelKey::parse(&raw).ok_or(SettingsError::PosLabel(raw))?),
            None => None,
        };
        let task = match args.task {
            Some(t) => Some(t),
            None => choice::<TaskArg>("[metrics] task", m.task.as_ref(), "binary, multiclass")?,
        };
        let report_format = match args.format {
            Some(f) => f,
            None => choice::<ReportFormatArg>(
                "[output] format",
                file.output.format.as_ref(),
                "text, json, markdown, junit, html",
            )?
            .unwrap_or(ReportFormatArg::Text),
        };
        let report_format = match report_format {
            ReportFormatArg::Text => ReportFormat::Text,
            ReportFormatArg::Json => ReportFormat::Json,
            ReportFormatArg::Markdown => ReportFormat::Markdown,
            ReportFormatArg::Junit => ReportFormat::Junit,
            ReportFormatArg::Html => ReportFormat::Html,
        };
        let files = output_files(args)?;
        let g = &file.gate;
        let gate_on = match args.gate_on {
            Some(v) => v,
            None => {
                choice::<GateOnArg>("[gate] gate_on", g.gate_on.as_ref(), "value, lower, upper")?
                    .unwrap_or(GateOnArg::Value)
            }
        };
        let fail_on = match args.fail_on {
            Some(v) => v,
            None => choice::<FailOnArg>(
                "[gate] fail_on",
                g.fail_on.as_ref(),
                "error, warning, never",
            )?
            .unwrap_or(FailOnArg::Error),
        };
        let mut bootstrap = Bootstrap::default();
        if let Some(n) = args.bootstrap.or(g.bootstrap) {
            bootstrap.replicates = n;
        }
        if let Some(seed) = args.seed.or(g.seed) {
            bootstrap.seed = seed;
        }
        let c = &file.columns;
        let pick =
            |flag: &Option<String>, key: &Option<String>| flag.clone().or_else(|| key.clone());
        let mut segments = if args.segment_cols.is_empty() {
            c.segments.clone().unwrap_or_default()
        } else {
            args.segment_cols.clone()
        };
        // Version and environment columns are compared like segments.
        let deployment_columns: Vec<String> = [
            pick(&args.version_col, &c.version),
            pick(&args.env_col, &c.env),
        ]
        .into_iter()
        .flatten()
        .collect();
        for col in &deployment_columns {
            if !segments.contains(col) {
                segments.push(col.clone());
            }
        }
        Ok(EvalSettings {
            config: config_path,
            input: InputSpec {
                path: args.input.clone(),
                format,
                skip_invalid: args.skip_invalid || file.input.skip_invalid.unwrap_or(false),
                threads: args.threads.unwrap_or(0),
                header_only_ok: args.save_state.is_some(),
            },
            columns: ColumnFlags {
                label: pick(&args.label_col, &c.label),
                prediction: pick(&args.pred_col, &c.prediction),
                score: pick(&args.score_col, &c.score),
                proba_prefix: pick(&args.proba_prefix, &c.proba_prefix),
                id: pick(&args.id_col, &c.id),
                latency: pick(&args.latency_col, &c.latency),
            },
            segments,
            windows: WindowSpec {
                time_col: pick(&args.time_col, &c.time),
                width: match args.window.as_ref().or(file.checks.window.as_ref()) {
                    Some(spec) => Some(parse_window(spec).ok_or_else(|| SettingsError::Choice {
                        key: "--window",
                        value: spec.clone(),
                        choices: "a width such as 30m, 1h, 6h, 1d, 7d, or a row count such as 10000rows",
                    })?),
                    None => None,
                },
            },
            rules: ScoreRules {
                threshold,
                logits: args.scores_are_logits || file.input.scores_are_logits.unwrap_or(false),
            },
            finish: FinishOptions {
                pos_label,
                task: task.map(|t| match t {
                    TaskArg::Binary => Task::Binary,
                    TaskArg::Multiclass => Task::Multiclass,
                }),
                beta,
                scores: ScoreOptions {
                    calibration_bins,
                    targets: ThresholdTargets {
                        current: None,
                        precision: target_precision,
                        recall: target_recall,
                    },
                    detail: true,
                },
                bootstrap,
            },
            checks: {
                let c = &file.checks;
                let d = StatOptions::default();
                let stat = StatOptions {
                    alpha: c.alpha.unwrap_or(d.alpha),
                    min_effect: args.min_effect.or(c.min_effect).unwrap_or(d.min_effect),
                    min_rows: c.min_rows.unwrap_or(d.min_rows),
                    psi_warn: c.psi_warn.unwrap_or(d.psi_warn),
                    psi_fail: c.psi_fail.unwrap_or(d.psi_fail),
                };
                for (key, v) in [
                    ("--min-effect", stat.min_effect),
                    ("[checks] alpha", stat.alpha),
                ] {
                    if !(0.0..=1.0).contains(&v) {
                        return Err(SettingsError::Target {
                            flag: key,
                            value: v,
                        });
                    }
                }
                let names = if args.checks.is_empty() {
                    c.enabled.clone().unwrap_or_default()
                } else {
                    args.checks.clone()
                };
                let h = HealthOptions::default();
                let health = HealthOptions {
                    share_warn: c.share_warn.unwrap_or(h.share_warn),
                    share_fail: c.share_fail.unwrap_or(h.share_fail),
                    imbalance_share: c.imbalance_share.unwrap_or(h.imbalance_share),
                    ece_warn: c.ece_warn.unwrap_or(h.ece_warn),
                    ece_fail: c.ece_fail.unwrap_or(h.ece_fail),
                    threshold_gain: c.threshold_gain.unwrap_or(h.threshold_gain),
                    noise_warn: c.noise_warn.unwrap_or(h.noise_warn),
                    noise_fail: c.noise_fail.unwrap_or(h.noise_fail),
                };
                for (key, v) in [
                    ("[checks] share_warn", health.share_warn),
                    ("[checks] share_fail", health.share_fail),
                    ("[checks] imbalance_share", health.imbalance_share),
                    ("[checks] ece_warn", health.ece_warn),
                    ("[checks] ece_fail", health.ece_fail),
                    ("[checks] threshold_gain", health.threshold_gain),
                    ("[checks] noise_warn", health.noise_warn),
                    ("[checks] noise_fail", health.noise_fail),
                ] {
                    if !(0.0..=1.0).contains(&v) {
                        return Err(SettingsError::Target {
                            flag: key,
                            value: v,
                        });
                    }
                }
                let reference = args.reference.clone().or_else(|| c.reference.clone());
                let max_drop = combine_max_drop(c.max_drop.as_ref(), &args.max_drop)?;
                if let (Some(first), None) = (max_drop.first(), &reference) {
                    return Err(SettingsError::MaxDropNeedsReference(format!(
                        "{}={}",
                        first.metric, first.delta
                    )));
                }
                let latency_slo =
                    combine_latency_slo(c.latency_slo_ms.as_ref(), &args.latency_slo_ms)?;
                if let (Some(first), None) = (
                    latency_slo.first(),
                    args.latency_col.as_ref().or(file.columns.latency.as_ref()),
                ) {
                    return Err(LatencyError::NoColumn(format!("{}={}", first.name, first.ms)).into());
                }
                CheckSpec {
                    families: CheckFamilies::parse(&names)?,
                    reference,
                    stat,
                    health,
                    train: args.train.clone().or_else(|| c.train.clone()),
                    max_drop,
                    latency_slo,
                }
            },
            diagnosis: DiagnosisSpec {
                context: DiagnosisContext {
                    deployment_columns,
                },
                export_issues: args.export_issues.clone(),
            },
            gate: GateSpec {
                rules: combine_rules(&file, args)?,
                gate_on: match gate_on {
                    GateOnArg::Value => GateOn::Value,
                    GateOnArg::Lower => GateOn::Lower,
                    GateOnArg::Upper => GateOn::Upper,
                },
                fail_on: match fail_on {
                    FailOnArg::Error => FailOn::Error,
                    FailOnArg::Warning => FailOn::Warning,
                    FailOnArg::Never => FailOn::Never,
                },
                min_segment_rows: args.min_segment_rows.or(g.min_segment_rows).unwrap_or(30),
            },
            output: OutputSpec {
                format: report_format,
                color: report_format == ReportFormat::Text
                    && color(args.color, args.output.is_none()),
                path: args.output.clone(),
                files,
                quiet: args.quiet,
                save_state: args.save_state.clone(),
            },
        })
    }
}

/// The format of `mlguard diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// Readable text.
    Text,
    /// Markdown.
    Markdown,
    /// JSON.
    Json,
}

/// Everything `mlguard diff` needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffSettings {
    /// The earlier report.
    pub old: PathBuf,
    /// The later report.
    pub new: PathBuf,
    /// `--max-drop` rules.
    pub max_drop: Vec<MaxDrop>,
    /// The format.
    pub format: DiffFormat,
    /// A file, or standard output.
    pub output: Option<PathBuf>,
    /// Whether the text comparison uses colour.
    pub color: bool,
}

impl DiffSettings {
    /// Validates the flags of `mlguard diff`.
    pub fn from_args(args: &DiffArgs) -> Result<DiffSettings, SettingsError> {
        let format = match args.format {
            DiffFormatArg::Text => DiffFormat::Text,
            DiffFormatArg::Markdown => DiffFormat::Markdown,
            DiffFormatArg::Json => DiffFormat::Json,
        };
        Ok(DiffSettings {
            old: args.old.clone(),
            new: args.new.clone(),
            max_drop: args
                .max_drop
                .iter()
                .map(|r| MaxDrop::parse(r))
                .collect::<Result<_, _>>()?,
            format,
            output: args.output.clone(),
            color: format == DiffFormat::Text && color(args.color, args.output.is_none()),
        })
    }
}
