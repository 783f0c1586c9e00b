//! The scan: reading an input through its decoder into an accumulator.
//!
//! This is the one loop every command that reads predictions runs. It owns the policy for bad
//! rows: stop at the first with its location, or, with `--skip-invalid`, skip and count them.

use csv::ByteRecord;

use crate::io::columns::{plan_columns, ColumnFlags, ColumnPlan};
use crate::io::decode::{RowDecoder, ScoreRules};
use crate::io::records::Records;
use crate::io::{source, InputError, Problem};
use crate::label::LabelKey;
use crate::metrics::segments::{SegmentProblem, SegmentedState, MAX_SEGMENTS};
use crate::metrics::RowProblem;
use crate::settings::InputSpec;

/// How many skipped line numbers are kept for the report.
const SKIPPED_LINES_KEPT: usize = 10;

/// What a scan gathered.
pub struct Scan {
    /// The accumulated state, overall and per segment.
    pub state: SegmentedState,
    /// The segment columns, in the order of the state's columns.
    pub segment_columns: Vec<String>,
    /// The header.
    pub header: Vec<String>,
    /// The columns used.
    pub plan: ColumnPlan,
    /// Rows skipped as invalid.
    pub rows_skipped: u64,
    /// The first skipped rows: line number and problem.
    pub skipped: Vec<(u64, String)>,
    /// The line after the header (where the first row was expected).
    pub first_data_line: u64,
    /// Things worth telling the user.
    pub warnings: Vec<String>,
}

/// Reads every row of `input` into an [`EvalState`].
pub fn scan(
    input: &InputSpec,
    flags: &ColumnFlags,
    rules: ScoreRules,
    segment_columns: &[String],
) -> Result<Scan, InputError> {
    let file = input.path.as_str();
    let src = source::open(file).map_err(|p| p.at(file, None))?;
    let mut records =
        Records::open(src, input.format, file).map_err(|e| e.problem.at(file, e.line))?;
    let header = records.header().to_vec();
    let header_line = records.header_line;
    let plan = plan_columns(&header, flags).map_err(|p| p.at(file, Some(header_line)))?;
    let proba_classes: Vec<LabelKey> = plan.proba.iter().map(|c| c.class.clone()).collect();
    let segment_index = segment_columns
        .iter()
        .map(|name| {
            header
                .iter()
                .position(|h| h == name)
                .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
                .ok_or_else(|| {
                    Problem::UnknownColumn {
                        name: name.to_string(),
                        flag: "--segment-col",
                        header: header.join(", "),
                    }
                    .at(file, Some(header_line))
                })
        })
        .collect::<Result<Vec<usize>, InputError>>()?;
    let mut decoder = RowDecoder::new(plan.clone(), &header, rules);
    let mut state = SegmentedState::new(&proba_classes, segment_index.len());
    let mut rec = ByteRecord::new();
    let mut proba = Vec::with_capacity(proba_classes.len());
    let mut rows_skipped = 0u64;
    let mut skipped = Vec::new();
    let mut skip = |problem: Problem, line: Option<u64>| -> Result<(), InputError> {
        if !(input.skip_invalid && problem.is_row_level()) {
            return Err(problem.at(file, line));
        }
        rows_skipped += 1;
        if skipped.len() < SKIPPED_LINES_KEPT {
            skipped.push((line.unwrap_or(0), problem.to_string()));
        }
        Ok(())
    };
    loop {
        let line = match records.next_record(&mut rec) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                skip(e.problem, e.line)?;
                continue;
            }
        };
        let row = match decoder.decode(&rec, &mut proba) {
            Ok(row) => row,
            Err(problem) => {
                skip(problem, Some(line))?;
                continue;
            }
        };
        if let Some(&i) = segment_index
            .iter()
            .find(|&&i| std::str::from_utf8(&rec[i]).is_err())
        {
            skip(Problem::InvalidUtf8(header[i].clone()), Some(line))?;
            continue;
        }
        let segment = |c: usize| std::str::from_utf8(&rec[segment_index[c]]).unwrap_or_default();
        if let Err(problem) = state.push(&row, segment) {
            let column = |i: usize| header[i].clone();
            let problem = match problem {
                SegmentProblem::Row(RowProblem::MissingLabel) => {
                    Problem::MissingLabel(column(plan.label))
                }
                SegmentProblem::Row(RowProblem::MissingPrediction) => {
                    Problem::MissingPrediction(column(plan.prediction.unwrap_or(plan.label)))
                }
                SegmentProblem::TooManySegments(c) => Problem::TooManySegments {
                    column: segment_columns[c].clone(),
                    limit: MAX_SEGMENTS,
                },
            };
            skip(problem, Some(line))?;
        }
    }
    let first_data_line = header_line + 1;
    if state.overall.rows() == 0 && rows_skipped == 0 {
        return Err(Problem::HeaderOnly.at(file, Some(first_data_line)));
    }
    Ok(Scan {
        state,
        segment_columns: segment_index.iter().map(|&i| header[i].clone()).collect(),
        header,
        plan,
        rows_skipped,
        skipped,
        first_data_line,
        warnings: records.warnings,
    })
}
