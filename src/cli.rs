//! Command-line arguments, as clap parses them. Turning them into one validated configuration
//! is [`settings`](crate::settings)' job; nothing else reads these types.
//!
//! Options are defined once, in groups of one concern each (how rows are read, column roles,
//! the report's breakdown, score reading, metric options, the gate, checks, diagnosis, output,
//! state, the configuration file); each subcommand flattens only the groups that mean something
//! to it, so a flag a command would ignore is clap's usual "unexpected argument" error. Choices
//! are the domain enums themselves (`ValueEnum` is derived on them), so their names and help
//! are written once too.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::checks::gate::FailOn;
use crate::checks::rules::GateOn;
use crate::exit::EXIT_CODES_HELP;
use crate::io::format::InputFormat;
use crate::metrics::Task;
use crate::render::diff::DiffFormat;
use crate::render::style::ColorChoice;
use crate::render::ReportFormat;

/// Evaluate classification model predictions: exact metrics, release gates, anomaly checks and
/// a diagnosis of what went wrong.
#[derive(Debug, Parser)]
#[command(name = "mlguard", version, after_help = EXIT_CODES_HELP, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run; boxing would buy nothing
pub enum Command {
    /// Evaluate a file of labels and predictions and report metrics.
    #[command(after_help = EXIT_CODES_HELP)]
    Eval(EvalArgs),
    /// Compare two saved JSON reports: metric changes beyond noise, new and resolved findings,
    /// checks that changed status.
    #[command(after_help = DIFF_EXIT_CODES_HELP)]
    Diff(DiffArgs),
    /// Save a reference run's profile (counts, metrics and exact score distributions) for
    /// `mlguard eval --reference PROFILE`; takes eval's input, column and metric flags, and
    /// writes the profile to --output FILE (atomically) or standard output.
    #[command(
        after_help = PROFILE_EXIT_CODES_HELP,
        mut_arg("output", |a| a
            .help("Write the profile to FILE (atomically) instead of standard output")),
    )]
    Profile(ProfileArgs),
    /// Explain a finding code: what it means, how it is detected, typical causes, remedies.
    /// Without a code, list every code.
    Explain(ExplainArgs),
    /// Merge the states of shards (written by `mlguard eval --save-state`) and report on them as
    /// on one file: the same metrics, rules, checks, formats and exit codes.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
    /// Print a shell completion script, e.g. `mlguard completions bash >
    /// ~/.local/share/bash-completion/completions/mlguard`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `mlguard man > ~/.local/share/man/man1/mlguard.1`.
    Man,
}

/// Arguments of `mlguard completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The exit codes of `mlguard profile`, which has no gate.
pub const PROFILE_EXIT_CODES_HELP: &str = "Exit codes:
  0  the profile was written
  2  usage or input error (the message names the file, the line and the fix)";

/// How `mlguard merge` reads its states, and its exit codes.
pub const MERGE_HELP: &str = "States are merged in the order given. Column, segment, window and \
score-reading flags are fixed when each shard is read; the report flags apply here.

Exit codes:
  0  merged, and the gate passed: no rule and no check failed
  1  merged, and the gate failed: a rule or a check failed
  2  usage error, or a state file that is foreign, damaged or read with other settings";

/// Arguments of `mlguard eval`: every group.
#[derive(Debug, Clone, Default, Args)]
pub struct EvalArgs {
    /// The predictions file and how it is read.
    #[command(flatten)]
    pub source: SourceArgs,
    /// The configuration file.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Segments and time windows.
    #[command(flatten)]
    pub breakdown: BreakdownArgs,
    /// Metrics, rules, checks, diagnosis and the report.
    #[command(flatten)]
    pub finish: FinishArgs,
}

/// Arguments of `mlguard profile`: what decides how the reference is read and its metrics
/// computed, and where the profile goes. Segments, windows, rules, checks and the diagnosis are
/// not part of a profile, and a profile is JSON.
#[derive(Debug, Clone, Args)]
pub struct ProfileArgs {
    /// The reference file and how it is read.
    #[command(flatten)]
    pub source: SourceArgs,
    /// The configuration file.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Metric options.
    #[command(flatten)]
    pub metrics: MetricArgs,
    /// Where the profile goes.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `mlguard merge`: the state files and the groups that apply when a merged state
/// is finished. How rows are read (columns, segments, windows, scores) was fixed by each `eval`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// State files written by `mlguard eval … --save-state FILE`, merged in the order given.
    #[arg(value_name = "STATE", required = true)]
    pub states: Vec<String>,
    /// The configuration file.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Worker threads for finishing (and for reading a --reference data file).
    #[command(flatten)]
    pub threads: ThreadsArgs,
    /// Metrics, rules, checks, diagnosis and the report.
    #[command(flatten)]
    pub finish: FinishArgs,
}

/// A predictions file and how its rows are read: what `eval` and `profile` share.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// Predictions file (CSV, TSV or JSON Lines, optionally .gz or .zst); `-` reads stdin.
    pub input: String,
    /// Column roles.
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// The text format, invalid rows and threads.
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// How scores are read.
    #[command(flatten)]
    pub scores: ScoreArgs,
}

/// What applies when a scanned (or merged) state is finished into a report: what `eval` and
/// `merge` share.
#[derive(Debug, Clone, Default, Args)]
pub struct FinishArgs {
    /// Metric options.
    #[command(flatten)]
    pub metrics: MetricArgs,
    /// Release rules.
    #[command(flatten)]
    pub gate: GateArgs,
    /// Statistical checks.
    #[command(flatten)]
    pub checks: CheckArgs,
    /// The diagnosis.
    #[command(flatten)]
    pub diagnosis: DiagnosisArgs,
    /// The report.
    #[command(flatten)]
    pub report: ReportArgs,
    /// The saved state.
    #[command(flatten)]
    pub state: StateArgs,
}

/// Arguments of `mlguard explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A finding code such as data.label_noise (all codes are listed without one).
    pub code: Option<String>,
}

/// The exit codes of `mlguard diff`.
pub const DIFF_EXIT_CODES_HELP: &str =
    "A change is beyond noise when the new value lies outside the old report's 95% interval, or
the old value outside the new report's. Lower is better for log_loss, brier, ece and mce.

Exit codes:
  0  compared, and every --max-drop rule holds (or none was given)
  1  compared, and a --max-drop rule is broken
  2  usage error, or a report that cannot be read (the message names the file)";

/// Arguments of `mlguard diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report (written by `mlguard eval --format json`).
    pub old: PathBuf,
    /// The later report.
    pub new: PathBuf,
    /// Fail (exit 1) when METRIC drops by more than DELTA (a rise, for log_loss, brier, ece and
    /// mce); repeatable, e.g. --max-drop f1=0.02.
    #[arg(long = "max-drop", value_name = "METRIC=DELTA")]
    pub max_drop: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write the comparison to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour the text comparison.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `--config`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// Configuration file [default: mlguard.toml in the current directory, if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Column roles: which columns hold the label, the prediction, scores, ids, latencies and
/// weights.
#[derive(Debug, Clone, Default, Args)]
pub struct ColumnArgs {
    /// Column holding the true label [default: detected: label, y_true, target, actual, …].
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub label_col: Option<String>,
    /// Column holding the predicted label [default: detected: prediction, y_pred, pred, …].
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub pred_col: Option<String>,
    /// Column holding the positive-class score of a binary model [default: detected: score, …].
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub score_col: Option<String>,
    /// Prefix of per-class probability columns [default: detected: proba_, prob_, p_].
    #[arg(long, value_name = "PREFIX", help_heading = "Columns")]
    pub proba_prefix: Option<String>,
    /// The class each probability column stands for, in column order (the model's classes_)
    /// [default: the columns' names; numbered columns with named labels: the labels sorted].
    #[arg(
        long,
        value_name = "A,B,…",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub classes: Vec<String>,
    /// Column naming each row: duplicate and conflicting ids, and with --reference a paired
    /// McNemar test on the rows the two files share.
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub id_col: Option<String>,
    /// Column holding each row's serving latency in milliseconds (empty cells count as
    /// missing): mean, p50, p95, p99 and max in the report's `latency`.
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub latency_col: Option<String>,
    /// Column holding each row's sample weight (a number ≥ 0): metrics weighted as
    /// scikit-learn's sample_weight; segments, windows, intervals and statistical checks count
    /// rows unweighted.
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub weight_col: Option<String>,
    /// The model's input features, summarised and checked for data quality and drift
    /// against --reference; `auto` takes every column with no other role.
    #[arg(
        long,
        value_name = "A,B,…|auto",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub feature_cols: Vec<String>,
    /// Feature columns read as categories even when their values are numbers (codes, ids).
    #[arg(
        long,
        value_name = "A,B,…",
        value_delimiter = ',',
        help_heading = "Columns"
    )]
    pub categorical_cols: Vec<String>,
}

/// The report's breakdown: segments and time windows.
#[derive(Debug, Clone, Default, Args)]
pub struct BreakdownArgs {
    /// Column holding each row's time (unix seconds or milliseconds, RFC 3339, or dates):
    /// metrics per time window, windows worse than earlier ones, and the change point.
    #[arg(long, value_name = "COL", help_heading = "Columns")]
    pub time_col: Option<String>,
    /// Window width: 30m, 1h, 6h, 1d, 7d, or a row count such as 10000rows
    /// [default: chosen to give 10-50 windows].
    #[arg(long, value_name = "WIDTH", help_heading = "Columns")]
    pub window: Option<String>,
    /// Compute every metric per value of this column (repeatable).
    #[arg(long = "segment-col", value_name = "COL", help_heading = "Columns")]
    pub segment_cols: Vec<String>,
}

/// How rows are read: the text format and what to do with invalid rows.
#[derive(Debug, Clone, Default, Args)]
pub struct ReadingArgs {
    /// Input format, needed for stdin when not CSV [default: from the extension or content].
    #[arg(long, value_enum, value_name = "FORMAT", help_heading = "Input")]
    pub input_format: Option<InputFormat>,
    /// Field delimiter of delimited input (one character; `\t` for tab).
    #[arg(long, value_name = "CHAR", help_heading = "Input")]
    pub delimiter: Option<String>,
    /// Skip invalid rows (counted in rows_skipped) instead of stopping at the first one.
    #[arg(long, help_heading = "Input")]
    pub skip_invalid: bool,
    /// Skip N lines above the header (a title or a note); line numbers stay the file's.
    #[arg(long, value_name = "N", help_heading = "Input")]
    pub skip_rows: Option<u64>,
    /// Worker threads.
    #[command(flatten)]
    pub threads: ThreadsArgs,
}

/// `--threads`.
#[derive(Debug, Clone, Default, Args)]
pub struct ThreadsArgs {
    /// Worker threads for parsing [default: one per core].
    #[arg(long, value_name = "N", help_heading = "Input")]
    pub threads: Option<usize>,
}

/// How scores are read: as probabilities or logits, and the threshold that turns them into
/// predictions.
#[derive(Debug, Clone, Default, Args)]
pub struct ScoreArgs {
    /// Scores are raw margins (logits), mapped to probabilities by the logistic function.
    #[arg(long, help_heading = "Input")]
    pub scores_are_logits: bool,
    /// Without a prediction column, predict positive when score >= T [default: 0.5].
    #[arg(
        long,
        value_name = "T",
        allow_negative_numbers = true,
        help_heading = "Metrics"
    )]
    pub threshold: Option<f64>,
}

/// Metric options: the task, the positive class and the shape of score metrics.
#[derive(Debug, Clone, Default, Args)]
pub struct MetricArgs {
    /// Task [default: binary when at most two classes occur, else multiclass].
    #[arg(long, value_enum, help_heading = "Metrics")]
    pub task: Option<Task>,
    /// The positive class of a binary task [default: 1, true, yes or positive].
    #[arg(long, value_name = "LABEL", help_heading = "Metrics")]
    pub pos_label: Option<String>,
    /// The beta of the F-beta score [default: 1].
    #[arg(
        long,
        value_name = "BETA",
        allow_negative_numbers = true,
        help_heading = "Metrics"
    )]
    pub beta: Option<f64>,
    /// Equal-width bins of the calibration (reliability) table [default: 15].
    #[arg(long, value_name = "N", help_heading = "Metrics")]
    pub calibration_bins: Option<usize>,
    /// Report the lowest threshold whose precision reaches P.
    #[arg(
        long,
        value_name = "P",
        allow_negative_numbers = true,
        help_heading = "Metrics"
    )]
    pub target_precision: Option<f64>,
    /// Report the highest threshold whose recall reaches R.
    #[arg(
        long,
        value_name = "R",
        allow_negative_numbers = true,
        help_heading = "Metrics"
    )]
    pub target_recall: Option<f64>,
}

/// The gate: release rules, how they are judged, and the bootstrap behind their intervals.
#[derive(Debug, Clone, Default, Args)]
pub struct GateArgs {
    /// Fail the gate when METRIC < VALUE; `segment:METRIC=VALUE` applies to every segment.
    #[arg(long, value_name = "METRIC=VALUE", help_heading = "Gate")]
    pub min: Vec<String>,
    /// Fail the gate when METRIC > VALUE; `segment:METRIC=VALUE` applies to every segment.
    #[arg(long, value_name = "METRIC=VALUE", help_heading = "Gate")]
    pub max: Vec<String>,
    /// What rules compare: the value, or the lower/upper end of its 95% interval [default: value].
    #[arg(long, value_enum, value_name = "WHAT", help_heading = "Gate")]
    pub gate_on: Option<GateOn>,
    /// Which statuses fail the gate [default: error].
    #[arg(long, value_enum, value_name = "LEVEL", help_heading = "Gate")]
    pub fail_on: Option<FailOn>,
    /// Segments with fewer rows are reported but not gated [default: 30].
    #[arg(long, value_name = "N", help_heading = "Gate")]
    pub min_segment_rows: Option<u64>,
    /// Bootstrap replicates for confidence intervals; 0 turns them off [default: 1000].
    #[arg(long, value_name = "N", help_heading = "Gate")]
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap, for reproducible intervals.
    #[arg(long, value_name = "N", help_heading = "Gate")]
    pub seed: Option<u64>,
}

/// Statistical checks: which run, against what reference and training data, and their bars.
#[derive(Debug, Clone, Default, Args)]
pub struct CheckArgs {
    /// Compare with this reference: a run in the input's formats, or a profile saved by
    /// `mlguard profile`: score, prediction and label drift, accuracy regression.
    #[arg(long, value_name = "FILE", help_heading = "Checks")]
    pub reference: Option<String>,
    /// Fail the gate when METRIC is worse than in the --reference run by more than DELTA (a
    /// rise, for log_loss, brier, ece and mce); repeatable, e.g. --max-drop f1=0.02.
    #[arg(
        long = "max-drop",
        value_name = "METRIC=DELTA",
        help_heading = "Checks"
    )]
    pub max_drop: Vec<String>,
    /// Fail the gate when the latency's p95 exceeds MS milliseconds; pNN=MS bounds another
    /// percentile (e.g. p99=400); repeatable; needs --latency-col.
    #[arg(
        long = "latency-slo-ms",
        value_name = "[pNN=]MS",
        help_heading = "Checks"
    )]
    pub latency_slo_ms: Vec<String>,
    /// Check families to run: all, none, or a comma-separated list of sanity, segments,
    /// windows, reference, data, training [default: all].
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        help_heading = "Checks"
    )]
    pub checks: Vec<String>,
    /// Smallest accuracy drop (absolute) a weak segment or regression must show to fail [default: 0.05].
    #[arg(long, value_name = "DELTA", help_heading = "Checks")]
    pub min_effect: Option<f64>,
    /// The same model's predictions on its training data (same columns): overfitting and
    /// underfitting checks.
    #[arg(long, value_name = "FILE", help_heading = "Diagnosis")]
    pub train: Option<String>,
}

/// The diagnosis: deployment columns and where the rows behind findings go.
#[derive(Debug, Clone, Default, Args)]
pub struct DiagnosisArgs {
    /// Model version column: versions are compared like segments, and a weak one is a
    /// deployment finding.
    #[arg(long, value_name = "COL", help_heading = "Diagnosis")]
    pub version_col: Option<String>,
    /// Serving environment column (region, cluster, hardware): compared like --version-col.
    #[arg(long, value_name = "COL", help_heading = "Diagnosis")]
    pub env_col: Option<String>,
    /// Write the rows behind row-level findings (suspected label errors, duplicates,
    /// conflicting ids) to FILE as CSV, with line numbers and reasons.
    #[arg(long, value_name = "FILE", help_heading = "Diagnosis")]
    pub export_issues: Option<PathBuf>,
}

/// The report: its format, where it goes, further formats of it, and colour.
#[derive(Debug, Clone, Default, Args)]
pub struct ReportArgs {
    /// Report format [default: text].
    #[arg(long, value_enum, help_heading = "Output")]
    pub format: Option<ReportFormat>,
    /// Where the report goes.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write the text report to FILE (any number of --output-* files, one evaluation).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_text: Option<PathBuf>,
    /// Also write the JSON report to FILE.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_json: Option<PathBuf>,
    /// Also write the Markdown report to FILE.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_markdown: Option<PathBuf>,
    /// Also write the JUnit XML report to FILE.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_junit: Option<PathBuf>,
    /// Also write the HTML report to FILE.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output_html: Option<PathBuf>,
    /// Colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = "Output")]
    pub color: ColorChoice,
}

/// Where a command's one result goes, and whether progress is shown.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputArgs {
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
    /// No progress bar on standard error.
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,
}

/// `--save-state`.
#[derive(Debug, Clone, Default, Args)]
pub struct StateArgs {
    /// Also write the exact mergeable state of this run to FILE, for `mlguard merge`.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub save_state: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;
    use clap::{CommandFactory, Parser};

    use super::*;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("mlguard").chain(args.iter().copied()))
            .map(|cli| cli.command)
    }

    /// The command line is refused as an unknown flag, naming it.
    fn refused(args: &[&str], flag: &str) {
        let err = parse(args).expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::UnknownArgument, "{args:?}: {err}");
        assert!(err.to_string().contains(flag), "{err}");
    }

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn profile_refuses_gate_report_and_breakdown_flags() {
        for (flag, value) in [
            ("--min", "f1=0.9"),
            ("--output-html", "r.html"),
            ("--format", "json"),
            ("--segment-col", "segment"),
            ("--reference", "ref.csv"),
            ("--save-state", "s.state"),
        ] {
            refused(&["profile", "ref.csv", flag, value], flag);
        }
    }

    #[test]
    fn profile_takes_reading_column_score_metric_and_output_flags() {
        let Command::Profile(args) = parse(&[
            "profile",
            "ref.csv",
            "--label-col",
            "y",
            "--input-format",
            "tsv",
            "--threads",
            "2",
            "--threshold",
            "0.3",
            "--task",
            "binary",
            "-o",
            "p.json",
            "-q",
            "--config",
            "m.toml",
        ])
        .unwrap() else {
            panic!("not profile")
        };
        assert_eq!(args.source.columns.label_col.as_deref(), Some("y"));
        assert_eq!(args.source.reading.input_format, Some(InputFormat::Tsv));
        assert_eq!(args.source.reading.threads.threads, Some(2));
        assert_eq!(args.source.scores.threshold, Some(0.3));
        assert_eq!(args.metrics.task, Some(Task::Binary));
        assert_eq!(args.output.output, Some(PathBuf::from("p.json")));
        assert!(args.output.quiet);
        assert_eq!(args.config.config, Some(PathBuf::from("m.toml")));
    }

    #[test]
    fn merge_refuses_reading_flags() {
        for (flag, value) in [
            ("--label-col", "label"),
            ("--segment-col", "segment"),
            ("--threshold", "0.3"),
            ("--time-col", "t"),
            ("--input-format", "csv"),
            ("--id-col", "id"),
        ] {
            refused(&["merge", "a.state", flag, value], flag);
        }
        refused(
            &["merge", "a.state", "--scores-are-logits"],
            "--scores-are-logits",
        );
        refused(&["merge", "a.state", "--skip-invalid"], "--skip-invalid");
    }

    #[test]
    fn merge_takes_states_in_order_and_finish_flags() {
        let Command::Merge(args) = parse(&[
            "merge",
            "a.state",
            "b.state",
            "--min",
            "f1=0.8",
            "--reference",
            "ref.csv",
            "--version-col",
            "v",
            "--format",
            "json",
            "--save-state",
            "m.state",
            "--threads",
            "2",
            "--task",
            "binary",
        ])
        .unwrap() else {
            panic!("not merge")
        };
        assert_eq!(args.states, ["a.state", "b.state"]);
        assert_eq!(args.finish.gate.min, ["f1=0.8"]);
        assert_eq!(args.finish.checks.reference.as_deref(), Some("ref.csv"));
        assert_eq!(args.finish.diagnosis.version_col.as_deref(), Some("v"));
        assert_eq!(args.finish.report.format, Some(ReportFormat::Json));
        assert_eq!(args.finish.state.save_state, Some(PathBuf::from("m.state")));
        assert_eq!(args.threads.threads, Some(2));
        assert_eq!(args.finish.metrics.task, Some(Task::Binary));
        let err = parse(&["merge"]).expect_err("a state is required");
        assert_eq!(err.kind(), ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn eval_accepts_every_group() {
        let Command::Eval(args) = parse(&[
            "eval",
            "preds.csv",
            "--config",
            "m.toml",
            "--label-col",
            "y",
            "--segment-col",
            "segment",
            "--window",
            "1d",
            "--delimiter",
            ";",
            "--threads",
            "2",
            "--scores-are-logits",
            "--threshold",
            "0.4",
            "--beta",
            "2",
            "--gate-on",
            "lower",
            "--fail-on",
            "never",
            "--seed",
            "7",
            "--max-drop",
            "f1=0.02",
            "--checks",
            "sanity,segments",
            "--train",
            "train.csv",
            "--env-col",
            "region",
            "--format",
            "markdown",
            "-o",
            "r.md",
            "--output-html",
            "r.html",
            "--color",
            "never",
            "-q",
            "--save-state",
            "s.state",
        ])
        .unwrap() else {
            panic!("not eval")
        };
        assert_eq!(args.config.config, Some(PathBuf::from("m.toml")));
        assert_eq!(args.source.columns.label_col.as_deref(), Some("y"));
        assert_eq!(args.breakdown.segment_cols, ["segment"]);
        assert_eq!(args.breakdown.window.as_deref(), Some("1d"));
        assert_eq!(args.source.reading.delimiter.as_deref(), Some(";"));
        assert_eq!(args.source.reading.threads.threads, Some(2));
        assert!(args.source.scores.scores_are_logits);
        assert_eq!(args.source.scores.threshold, Some(0.4));
        assert_eq!(args.finish.metrics.beta, Some(2.0));
        assert_eq!(args.finish.gate.gate_on, Some(GateOn::Lower));
        assert_eq!(args.finish.gate.fail_on, Some(FailOn::Never));
        assert_eq!(args.finish.gate.seed, Some(7));
        assert_eq!(args.finish.checks.max_drop, ["f1=0.02"]);
        assert_eq!(args.finish.checks.checks, ["sanity", "segments"]);
        assert_eq!(args.finish.checks.train.as_deref(), Some("train.csv"));
        assert_eq!(args.finish.diagnosis.env_col.as_deref(), Some("region"));
        assert_eq!(args.finish.report.format, Some(ReportFormat::Markdown));
        assert_eq!(
            args.finish.report.output.output,
            Some(PathBuf::from("r.md"))
        );
        assert_eq!(
            args.finish.report.output_html,
            Some(PathBuf::from("r.html"))
        );
        assert_eq!(args.finish.report.color, ColorChoice::Never);
        assert!(args.finish.report.output.quiet);
        assert_eq!(args.finish.state.save_state, Some(PathBuf::from("s.state")));
    }

    #[test]
    fn choices_keep_their_names() {
        let names = |cmd: &clap::Command, arg: &str| -> Vec<String> {
            let arg = cmd
                .get_arguments()
                .find(|a| a.get_id() == arg)
                .unwrap_or_else(|| panic!("{arg}"));
            arg.get_possible_values()
                .iter()
                .map(|v| v.get_name().to_string())
                .collect()
        };
        let cli = Cli::command();
        let eval = cli.find_subcommand("eval").unwrap();
        assert_eq!(
            names(eval, "format"),
            ["text", "json", "markdown", "junit", "html", "github"]
        );
        assert_eq!(names(eval, "task"), ["binary", "multiclass"]);
        assert_eq!(names(eval, "gate_on"), ["value", "lower", "upper"]);
        assert_eq!(names(eval, "fail_on"), ["error", "warning", "never"]);
        assert_eq!(names(eval, "input_format"), ["csv", "tsv", "jsonl"]);
        assert_eq!(names(eval, "color"), ["auto", "always", "never"]);
        let diff = cli.find_subcommand("diff").unwrap();
        assert_eq!(names(diff, "format"), ["text", "markdown", "json"]);
    }

    #[test]
    fn help_fits_100_columns() {
        for command in [
            "eval",
            "profile",
            "merge",
            "diff",
            "explain",
            "completions",
            "man",
        ] {
            for flag in ["-h", "--help"] {
                let err = parse(&[command, flag]).expect_err("help is shown");
                assert_eq!(err.kind(), ErrorKind::DisplayHelp);
                let help = err.to_string();
                for line in help.lines() {
                    assert!(
                        line.chars().count() <= 100,
                        "`mlguard {command} {flag}` has a line wider than 100 columns:\n{line}"
                    );
                }
            }
        }
    }
}
