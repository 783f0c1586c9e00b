//! `mlguard eval`: read a predictions file, compute the metrics, render the report.

use std::path::Path;

use crate::io::output::write_atomic;
use crate::pipeline::scan;
use crate::render::{self, style::Style};
use crate::report::{Columns, Gate, InputSummary, Metrics, Report, Tool, SCHEMA_VERSION};
use crate::settings::{EvalSettings, ReportFormat};
use crate::{Error, ExitStatus};

/// Builds the report for the settings' input.
pub fn build_report(settings: &EvalSettings) -> Result<Report, Error> {
    let input = &settings.input;
    let scan = scan(input, &settings.columns, settings.rules)?;
    let mut finish = settings.finish.clone();
    if scan.plan.prediction.is_none() && scan.plan.score.is_some() {
        finish.scores.targets.current = Some(settings.rules.threshold);
    }
    let evaluation = scan
        .state
        .finish(&finish)
        .map_err(|e| crate::io::Problem::from(e).at(&input.path, None))?;
    let mut warnings = scan.warnings;
    if scan.rows_skipped > 0 {
        let lines: Vec<String> = scan.skipped.iter().map(|(l, _)| l.to_string()).collect();
        warnings.push(format!(
            "skipped {} invalid rows (--skip-invalid); first at lines {}: {}",
            scan.rows_skipped,
            lines.join(", "),
            scan.skipped.first().map_or("", |(_, p)| p.as_str())
        ));
    }
    warnings.extend(evaluation.warnings);
    let scores = evaluation.scores;
    let h = &scan.header;
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        input: InputSummary {
            path: input.path.clone(),
            rows: evaluation.rows,
            rows_skipped: scan.rows_skipped,
            columns: Columns {
                label: h[scan.plan.label].clone(),
                prediction: scan.plan.prediction.map(|i| h[i].clone()),
                score: scan.plan.score.map(|i| h[i].clone()),
                proba: scan.plan.proba.iter().map(|c| c.name.clone()).collect(),
            },
        },
        task: evaluation.task,
        pos_label: evaluation.pos_label,
        labels: evaluation.labels,
        metrics: Metrics {
            labels: evaluation.metrics,
            scores: scores
                .as_ref()
                .map(|s| s.metrics.clone())
                .unwrap_or_default(),
        },
        calibration: scores.as_ref().map(|s| s.calibration.clone()),
        curves: scores.as_ref().map(|s| s.curves.clone()),
        thresholds: scores.and_then(|s| s.thresholds),
        warnings,
        checks: Vec::new(),
        findings: Vec::new(),
        gate: Gate {
            passed: true,
            failures: Vec::new(),
        },
    })
}

/// Renders the report in the requested format.
pub fn render_report(report: &Report, settings: &EvalSettings) -> Vec<u8> {
    let mut buf = Vec::new();
    let result = match settings.output.format {
        ReportFormat::Text => render::text::render(
            report,
            &mut buf,
            Style {
                color: settings.output.color,
            },
        ),
        ReportFormat::Json => render::json::render(report, &mut buf),
    };
    result.expect("writing to memory cannot fail");
    buf
}

/// Runs `mlguard eval`.
pub fn run(settings: &EvalSettings) -> Result<ExitStatus, Error> {
    let report = build_report(settings)?;
    let bytes = render_report(&report, settings);
    match &settings.output.path {
        Some(path) => {
            let input = Path::new(&settings.input.path);
            write_atomic(path, &bytes, &[input])?;
        }
        None => crate::write_stdout(&bytes)?,
    }
    Ok(if report.gate.passed {
        ExitStatus::Passed
    } else {
        ExitStatus::GateFailed
    })
}
