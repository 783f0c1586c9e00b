//! The scan: reading an input through its decoder into accumulators.
//!
//! This is the one loop every command that reads predictions runs. Delimited text is cut into
//! chunks of whole records that worker threads parse and accumulate on their own; their states
//! merge exactly at the end, so the result does not depend on the number of threads. JSON Lines
//! are read by one thread. The policy for bad rows lives here too: stop at the first (the lowest
//! line number, whichever worker met it), or with `--skip-invalid` skip and count them.
//! The fast lane for rows met before lives in [`lane`]; saved states in [`state`].

mod columnar;
pub mod lane;
pub mod state;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};

use csv::ByteRecord;
use serde::{Deserialize, Serialize};

use crate::io::chunks::{for_each_plain_record, Chunk, Chunker, Recycler};
use crate::io::columns::LABEL_NAMES;
use crate::io::columns::{plan_columns, ColumnFlags, ColumnPlan};
use crate::io::decode::{Fields, PairRule, RowDecoder, ScoreRules};
use crate::io::error::cell;
use crate::io::format::Format;
use crate::io::proba_classes::{self, LabelSample};
use crate::io::records::{RecordError, Records};
use crate::io::sniff;
use crate::io::source::{read_problem, Compression};
use crate::io::{source, InputError, Problem};
use crate::label::LabelKey;
use crate::metrics::audit::{ScoredRow, SkipReason};
use crate::metrics::fingerprint;
use crate::metrics::latency::{LatencyHistogram, MAX_LATENCY_MS};
use crate::metrics::segments::{SegmentProblem, SegmentedState, MAX_SEGMENTS};
use crate::metrics::{RowProblem, WeightedState};
use crate::text::as_text;
use crate::time::{parse_time, WindowWidth};
use lane::{lane_for, Lane};

/// How many skipped line numbers are kept for the report.
const SKIPPED_LINES_KEPT: usize = 10;

/// Receives how far a scan has read, in raw input bytes.
pub trait Progress: Sync {
    /// `done` bytes of `total` (when known) have been read.
    fn update(&self, done: u64, total: Option<u64>);
    /// The scan is over.
    fn finish(&self);
}

/// No progress reporting.
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _: u64, _: Option<u64>) {}
    fn finish(&self) {}
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
    /// Lines above the header to skip (a title, a note); line numbers stay the file's.
    pub skip_rows: u64,
}

/// Which windows to keep: along a time column, or along row numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// The time column, if any.
    pub time_col: Option<String>,
    /// The width; automatic when `None` (with a time column).
    pub width: Option<WindowWidth>,
}

impl WindowSpec {
    /// Whether windows are kept at all.
    pub fn enabled(&self) -> bool {
        self.time_col.is_some() || matches!(self.width, Some(WindowWidth::Rows(_)))
    }
}

/// What a scan gathered: the exact, mergeable state of the rows read and the facts of the
/// input the report shows. A saved shard state ([`state::SavedState`]) is this value in a
/// serde envelope; its field order is the state file's.
#[derive(Debug, Serialize, Deserialize)]
pub struct Scan {
    /// The header.
    pub header: Vec<String>,
    /// The columns used.
    pub plan: ColumnPlan,
    /// The segment columns, in the order of the state's columns.
    #[serde(default)]
    pub segment_columns: Vec<String>,
    /// Rows skipped as invalid.
    #[serde(default)]
    pub rows_skipped: u64,
    /// The first skipped rows: line number (in its shard) and problem.
    #[serde(default)]
    pub skipped: Vec<(u64, String)>,
    /// Things worth telling the user.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The accumulated state, overall and per segment; as a scan leaves it, not yet settled
    /// ([`SegmentedState::settle`]).
    pub state: SegmentedState,
    /// The latencies, with `--latency-col`.
    #[serde(default)]
    pub latency: Option<LatencyHistogram>,
    /// The weighted metrics' state, with `--weight-col`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<WeightedState>,
    /// The input features' summaries, with `--feature-cols`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<crate::features::FeatureState>,
    /// How many columns tell rows apart in the row audit's fingerprints, when not every
    /// column of the header was read (a columnar input reads only the columns with a role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns_compared: Option<usize>,
    /// The line after the header (where the first row was expected); not saved.
    #[serde(skip)]
    pub first_data_line: u64,
}

impl Scan {
    /// Whether the input held a header and nothing under it (no row counted or skipped).
    pub fn is_header_only(&self) -> bool {
        self.state.overall.rows() == 0 && self.rows_skipped == 0
    }
}

/// A fatal problem and its line.
type Fatal = (Option<u64>, Problem);

/// One worker's decoder and accumulators.
#[derive(Clone)]
struct Consumer<'a> {
    decoder: RowDecoder,
    state: SegmentedState,
    header: &'a [String],
    plan: &'a ColumnPlan,
    segment_index: &'a [usize],
    segment_names: &'a [String],
    time_index: Option<usize>,
    id_index: Option<usize>,
    latency_index: Option<usize>,
    latency: LatencyHistogram,
    weight_index: Option<usize>,
    weighted: WeightedState,
    skip_invalid: bool,
    proba: Vec<f64>,
    rows_skipped: u64,
    skipped: Vec<(u64, String)>,
    /// The fast lane for rows whose cells were all met before, when the input allows it.
    lane: Option<Lane>,
    /// The delimiter fields are joined by for a record's fingerprint (`,` for JSON Lines).
    delimiter: u8,
    /// Scratch for a record's joined fields.
    joined: Vec<u8>,

    /// Rows the fast lane counted and has yet to audit (audited in batches, in row order).
    pending: Vec<ScoredRow>,
    /// The feature columns' positions in the header.
    feature_index: &'a [usize],
    /// Their summaries.
    features: crate::features::FeatureState,
    /// Scratch: a row's places among the features' segment summaries.
    feature_slots: Vec<usize>,
}

/// Rows of the fast lane audited in one batch: enough for each pass of the audit to run long,
/// few enough to stay in the core's cache.
const AUDIT_BATCH: usize = 2048;

impl Consumer<'_> {
    /// Skips a bad row (or one waiting for its label), or returns it as fatal.
    fn skip(&mut self, problem: Problem, line: Option<u64>) -> Result<(), Fatal> {
        let waiting = matches!(problem, Problem::MissingLabel(_));
        if !(waiting || self.skip_invalid && problem.is_row_level()) {
            return Err((line, problem));
        }
        self.rows_skipped += 1;
        self.state.audit.skip(skip_reason(&problem));
        if waiting {
            // Not an invalid row: the warnings list only those.
            return Ok(());
        }
        let line = line.unwrap_or(0);
        if self.skipped.len() < SKIPPED_LINES_KEPT || line < self.skipped.last().map_or(0, |s| s.0)
        {
            let at = self.skipped.partition_point(|s| s.0 < line);
            self.skipped.insert(at, (line, problem.to_string()));
            self.skipped.truncate(SKIPPED_LINES_KEPT);
        }
        Ok(())
    }

    /// Decodes and counts one record of `fields` fields.
    #[inline]
    fn record<R: Fields>(&mut self, rec: &R, line: u64, fields: usize) -> Result<(), Fatal> {
        if fields != self.header.len() {
            let problem = Problem::FieldCount {
                found: fields,
                expected: self.header.len(),
            };
            return self.skip(problem, Some(line));
        }
        if self.fast(rec, line, fields) {
            return Ok(());
        }
        // The rows before this one are audited first.
        self.flush_audit();
        if let Some(&i) = self
            .segment_index
            .iter()
            .find(|&&i| as_text(rec.field(i)).is_err())
        {
            return self.skip(Problem::InvalidUtf8(self.header[i].clone()), Some(line));
        }
        let row = match self.decoder.decode(rec, &mut self.proba) {
            Ok(row) => row,
            Err(problem) => {
                // A row whose label has not arrived yet is left out of the metrics and counted
                // where it belongs (segment, window): partly labelled logs are normal input.
                if matches!(problem, Problem::MissingLabel(_)) {
                    self.missing_label(rec, line);
                }
                return self.skip(problem, Some(line));
            }
        };
        let latency = match self.latency_index {
            None => None,
            Some(col) => match parse_latency(rec.field(col)) {
                Ok(ms) => Some(ms),
                Err(()) => {
                    let problem = Problem::BadLatency {
                        column: self.header[col].clone(),
                        value: String::from_utf8_lossy(rec.field(col)).trim().to_string(),
                    };
                    return self.skip(problem, Some(line));
                }
            },
        };
        let weight = match self.weight_index {
            None => None,
            Some(col) => match parse_weight(rec.field(col)) {
                Some(w) => Some(w),
                None => {
                    let problem = Problem::BadWeight {
                        column: cell(&self.header[col]),
                        value: cell(String::from_utf8_lossy(rec.field(col)).trim()),
                    };
                    return self.skip(problem, Some(line));
                }
            },
        };
        let index = self.segment_index;
        let segment = |c: usize| as_text(rec.field(index[c])).unwrap_or_default();
        let at = match (&self.state.windows, self.time_index) {
            (None, _) => None,
            (Some(_), None) => Some(line as i64),
            (Some(_), Some(col)) => match parse_time(rec.field(col)) {
                Some(at) => Some(at),
                None => {
                    let problem = Problem::BadTime {
                        column: cell(&self.header[col]),
                        value: cell(String::from_utf8_lossy(rec.field(col)).trim()),
                    };
                    return self.skip(problem, Some(line));
                }
            },
        };
        let pushed = match at {
            None => self.state.push(&row, segment),
            Some(at) => self.state.push_at(&row, segment, at),
        };
        if let Err(problem) = pushed {
            let column = |i: usize| self.header[i].clone();
            let problem = match problem {
                SegmentProblem::Row(RowProblem::MissingLabel) => {
                    Problem::MissingLabel(column(self.plan.label))
                }
                SegmentProblem::Row(RowProblem::MissingPrediction) => Problem::MissingPrediction(
                    column(self.plan.prediction.unwrap_or(self.plan.label)),
                ),
                SegmentProblem::TooManySegments(c) => Problem::TooManySegments {
                    column: self.segment_names[c].clone(),
                    limit: MAX_SEGMENTS,
                },
            };
            return self.skip(problem, Some(line));
        }
        if let Some(w) = weight {
            // The row's classes were read by the push above, so this cannot fail.
            let _ = self.weighted.push(&row, w);
        }
        if !self.feature_index.is_empty() {
            count_features(
                (&mut self.features, &mut self.feature_slots),
                (self.feature_index, self.segment_index, self.segment_names),
                rec,
                (at, row.score.map(|s| s.value)),
            );
        }
        let record = record_fingerprint(rec, fields, self.delimiter, &mut self.joined);
        let id = self.id_index.map(|i| rec.field(i));
        self.state.audit(&row, (line, record), id, None);
        match latency {
            Some(Some(ms)) => self.latency.push(ms),
            Some(None) => self.latency.push_missing(),
            None => {}
        }
        self.learn(rec);
        Ok(())
    }

    /// Counts a row without a label in its segments and window (it is left out of the
    /// metrics), so that labels missing in one place can be located, and its features, which
    /// the feature checks read whether or not the label has arrived.
    fn missing_label<R: Fields>(&mut self, rec: &R, line: u64) {
        let index = self.segment_index;
        let segment = |c: usize| as_text(rec.field(index[c])).unwrap_or_default();
        let at = match (&self.state.windows, self.time_index) {
            (None, _) => None,
            (Some(_), None) => Some(line as i64),
            (Some(_), Some(col)) => parse_time(rec.field(col)),
        };
        let scored = self.decoder.waiting(rec);
        self.state.missing_label(segment, at, scored);
        if !self.feature_index.is_empty() {
            count_features(
                (&mut self.features, &mut self.feature_slots),
                (self.feature_index, self.segment_index, self.segment_names),
                rec,
                (at, None),
            );
        }
    }

    /// Audits the rows the fast lane counted since the last call.
    fn flush_audit(&mut self) {
        if !self.pending.is_empty() {
            self.state.audit_scored(&self.pending);
            self.pending.clear();
        }
    }

    /// Parses, counts and audits a chunk of delimited records.
    fn chunk(
        &mut self,
        chunk: &Chunk,
        delimiter: u8,
        compression: Compression,
    ) -> Result<(), Fatal> {
        let counted = self.count_chunk(chunk, delimiter, compression);
        self.flush_audit();
        counted
    }

    /// Parses and counts a chunk of delimited records (the fast lane's last rows are left to
    /// audit).
    fn count_chunk(
        &mut self,
        chunk: &Chunk,
        delimiter: u8,
        compression: Compression,
    ) -> Result<(), Fatal> {
        if chunk.plain {
            return for_each_plain_record(chunk, delimiter, |rec, line, n| {
                self.record(rec, line, n)
            });
        }
        let mut rdr = delimited_reader(chunk.data(), delimiter);
        let mut rec = ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => return Ok(()),
                Ok(true) => {
                    let line = chunk.first_line - 1 + rec.position().map_or(1, |p| p.line());
                    self.record(&rec, line, rec.len())?;
                }
                Err(e) => {
                    let line = e.position().map(|p| chunk.first_line - 1 + p.line());
                    let problem = match e.into_kind() {
                        csv::ErrorKind::Io(e) => read_problem(e, compression),
                        other => Problem::Csv(format!("{other:?}")),
                    };
                    self.skip(problem, line)?;
                }
            }
        }
    }

    /// Adds another worker's results.
    fn absorb(&mut self, mut other: Consumer<'_>) {
        self.flush_audit();
        other.flush_audit();
        self.state.absorb(std::mem::take(&mut other.state));
        self.latency.merge(&other.latency);
        self.weighted.merge(&other.weighted);
        self.features.merge(&other.features);
        self.rows_skipped += other.rows_skipped;
        self.skipped.extend(other.skipped);
        self.skipped.sort_by_key(|s| s.0);
        self.skipped.truncate(SKIPPED_LINES_KEPT);
    }
}

/// Counts a row's feature cells (at `features`' positions), overall, in its window (`at`), by
/// value with its `score`, and in the segment of each segment column (at `segments`'
/// positions, named `names`).
fn count_features<R: Fields>(
    (state, slots): (&mut crate::features::FeatureState, &mut Vec<usize>),
    (features, segments, names): (&[usize], &[usize], &[String]),
    rec: &R,
    (at, score): (Option<i64>, Option<f64>),
) {
    slots.clear();
    for (c, &seg_col) in segments.iter().enumerate() {
        let value = as_text(rec.field(seg_col)).unwrap_or_default().trim();
        slots.extend(state.segment_slot(&names[c], value));
    }
    state.push(|k| text_of(rec.field(features[k])), at, score, slots);
}

/// A cell as text, invalid UTF-8 replaced (checked the fast way first: nearly every cell is
/// valid).
fn text_of(cell: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(cell) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(cell),
    }
}

/// The fingerprint of a record, for the row audit: its line as written when it was read as
/// one, else its fields joined by `delimiter` into `joined` (scratch), which gives the same
/// fingerprint to the same fields however they were quoted. The last field loses the `\r` of a
/// `\r\n` line end, as the fast path's does. Fields that hold the delimiter cannot be joined
/// unambiguously and are fingerprinted one by one instead.
#[inline]
pub(super) fn record_fingerprint<R: Fields>(
    rec: &R,
    fields: usize,
    delimiter: u8,
    joined: &mut Vec<u8>,
) -> u64 {
    if let Some(line) = rec.line() {
        return fingerprint::of_record(line);
    }
    joined.clear();
    for i in 0..fields {
        let mut field = rec.field(i);
        if i + 1 == fields {
            field = field.strip_suffix(b"\r").unwrap_or(field);
        }
        if memchr::memchr(delimiter, field).is_some() {
            return fingerprint::of_fields((0..fields).map(|i| rec.field(i)));
        }
        if i > 0 {
            joined.push(delimiter);
        }
        joined.extend_from_slice(field);
    }
    fingerprint::of_record(joined)
}

/// The audit's name for why a row was skipped.
fn skip_reason(problem: &Problem) -> SkipReason {
    match problem {
        Problem::MissingLabel(_) => SkipReason::MissingLabel,
        Problem::MissingPrediction(_) => SkipReason::MissingPrediction,
        Problem::NotANumber { .. } | Problem::NotFinite { .. } | Problem::OutOfRange { .. } => {
            SkipReason::InvalidScore
        }
        _ => SkipReason::Other,
    }
}

/// A csv reader over delimited text, ending records at `\n` (a `\r` before it is trimmed with
/// the cell's whitespace; the csv crate's own CRLF handling reports CRLF rows a line early).
fn delimited_reader<R: std::io::Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(input)
}

/// The number of worker threads to use (`0`: one per core).
fn worker_count(threads: usize) -> usize {
    if threads > 0 {
        threads
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Reads every row of `input` into a [`SegmentedState`].
pub fn scan(
    input: &InputSpec,
    flags: &ColumnFlags,
    rules: (ScoreRules, &PairRule),
    segment_columns: &[String],
    windows: &WindowSpec,
    progress: &dyn Progress,
) -> Result<Scan, InputError> {
    let file = input.path.as_str();
    if let Some(dataset) = crate::io::columnar::find(file).map_err(|p| p.at(file, None))? {
        let result = columnar::scan_columnar(
            dataset,
            input,
            flags,
            rules,
            (segment_columns, windows),
            progress,
        );
        progress.finish();
        return result;
    }
    let (src, format) = open_text(input)?;
    let result = match format {
        Format::JsonLines => scan_records(
            src,
            format,
            input,
            flags,
            rules,
            (segment_columns, windows),
            progress,
        ),
        Format::Delimited { delimiter } => scan_chunks(
            src,
            delimiter,
            input,
            flags,
            rules,
            (segment_columns, windows),
            progress,
        ),
    };
    progress.finish();
    result
}

/// The records of `input` read again, from its header on, for a second look at its rows;
/// `None` for standard input (read once) and Parquet or Arrow data sets.
pub fn reread(input: &InputSpec) -> Result<Option<Records>, InputError> {
    let file = input.path.as_str();
    if file == "-"
        || crate::io::columnar::find(file)
            .map_err(|p| p.at(file, None))?
            .is_some()
    {
        return Ok(None);
    }
    let (src, format) = open_text(input)?;
    Records::open(src, Some(format), file, input.skip_rows)
        .map(Some)
        .map_err(|e| e.problem.at(file, e.line))
}

/// Opens a text input: its lines above the header skipped, its format fixed (from the flags,
/// else its name or content, the delimiter sniffed from the header).
fn open_text(input: &InputSpec) -> Result<(source::Source, Format), InputError> {
    let file = input.path.as_str();
    let mut src = source::open(file).map_err(|p| p.at(file, None))?;
    let compression = src.compression;
    let first_line = input.skip_rows + 1;
    let mut line = Vec::new();
    for skipped in 0..input.skip_rows {
        line.clear();
        let n = src
            .reader
            .read_until(b'\n', &mut line)
            .map_err(|e| read_problem(e, compression).at(file, Some(skipped + 1)))?;
        if n == 0 {
            break;
        }
    }
    let head = src
        .reader
        .fill_buf()
        .map_err(|e| read_problem(e, compression).at(file, Some(first_line)))?;
    if head.is_empty() {
        return Err(Problem::Empty.at(file, Some(first_line)));
    }
    let format = match input.format {
        Some(format) => format,
        None => {
            let named = Format::from_name(file);
            match named.unwrap_or_else(|| Format::sniff(head)) {
                Format::JsonLines => Format::JsonLines,
                Format::Delimited {
                    delimiter: expected,
                } => {
                    let delimiter = sniff::delimiter(head, expected);
                    if delimiter != expected {
                        src.warnings.push(format!(
                            "{file}: read as {} (found in the header); pass --delimiter to \
                             choose another",
                            delimiter_name(delimiter)
                        ));
                    }
                    Format::Delimited { delimiter }
                }
            }
        }
    };
    Ok((src, format))
}

/// How a delimiter is named in messages.
fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "comma-separated values".to_string(),
        b';' => "semicolon-separated values".to_string(),
        b'\t' => "tab-separated values".to_string(),
        b'|' => "pipe-separated values".to_string(),
        other => format!("values separated by '{}'", other as char),
    }
}

/// Everything decided from the header.
pub(super) struct Setup {
    header: Vec<String>,
    plan: ColumnPlan,
    decoder: RowDecoder,
    proba_classes: Vec<LabelKey>,
    segment_index: Vec<usize>,
    segment_names: Vec<String>,
    time_index: Option<usize>,
    id_index: Option<usize>,
    latency_index: Option<usize>,
    weight_index: Option<usize>,
    /// The feature columns' positions and names.
    feature_index: Vec<usize>,
    feature_names: Vec<String>,
    windows: WindowSpec,
    /// What the setup has to tell the user (how numbered probability columns were read).
    warnings: Vec<String>,
}

/// The labels and predictions of the first rows, read with a plan: asked for only when the
/// classes of numbered probability columns depend on them.
type FirstRows<'a> = &'a mut dyn FnMut(&ColumnPlan) -> LabelSample;

/// Rows read ahead at most for the classes of numbered probability columns (and no more than
/// the first chunk of delimited text).
const FIRST_ROWS: usize = 50_000;

#[allow(clippy::too_many_arguments)] // each stage of the header's reading, once
fn setup(
    header: Vec<String>,
    header_line: u64,
    file: &str,
    flags: &ColumnFlags,
    (rules, pair): (ScoreRules, &PairRule),
    segment_columns: &[String],
    windows: &WindowSpec,
    first_rows: FirstRows<'_>,
) -> Result<Setup, InputError> {
    let mut plan = plan_columns(&header, flags).map_err(|p| p.at(file, Some(header_line)))?;
    let mut warnings = Vec::new();
    if flags.classes.is_none() && proba_classes::numbered(&plan) {
        let sample = first_rows(&plan);
        let named = proba_classes::name_numbered(&mut plan, &sample)
            .map_err(|p| p.at(file, Some(header_line)))?;
        warnings.extend(named.map(|w| format!("{}: {w}", shown_name(file))));
    }
    let find = |name: &str, flag: &'static str| {
        header
            .iter()
            .position(|h| h == name)
            .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
            .ok_or_else(|| {
                Problem::UnknownColumn {
                    name: name.to_string(),
                    flag,
                    header: header.join(", "),
                }
                .at(file, Some(header_line))
            })
    };
    let segment_index = segment_columns
        .iter()
        .map(|name| find(name, "--segment-col"))
        .collect::<Result<Vec<usize>, InputError>>()?;
    let time_index = match &windows.time_col {
        Some(name) => Some(find(name, "--time-col")?),
        None => None,
    };
    let id_index = match &flags.id {
        Some(name) => Some(find(name, "--id-col")?),
        None => None,
    };
    let latency_index = match &flags.latency {
        Some(name) => Some(find(name, "--latency-col")?),
        None => None,
    };
    let weight_index = match &flags.weight {
        Some(name) => Some(find(name, "--weight-col")?),
        None => None,
    };
    let (feature_index, feature_names) = feature_columns(
        &header,
        flags,
        &plan,
        (
            &segment_index,
            [time_index, id_index, latency_index, weight_index],
        ),
        file,
        header_line,
    )?;
    Ok(Setup {
        feature_index,
        feature_names,
        proba_classes: plan.proba.iter().map(|c| c.class.clone()).collect(),
        decoder: RowDecoder::new(plan.clone(), &header, rules).with_pair_rule(pair),
        segment_names: segment_index.iter().map(|&i| header[i].clone()).collect(),
        plan,
        header,
        segment_index,
        time_index,
        id_index,
        latency_index,
        weight_index,
        windows: windows.clone(),
        warnings,
    })
}

/// A file as messages name it.
fn shown_name(file: &str) -> &str {
    if file == "-" {
        "<stdin>"
    } else {
        file
    }
}

fn consumer<'a>(s: &'a Setup, skip_invalid: bool, delimiter: u8) -> Consumer<'a> {
    let mut state = SegmentedState::new(&s.proba_classes, s.segment_index.len());
    if s.windows.enabled() {
        state = state.with_windows(s.windows.width);
    }
    Consumer {
        decoder: s.decoder.clone(),
        state,
        time_index: s.time_index,
        id_index: s.id_index,
        latency_index: s.latency_index,
        latency: LatencyHistogram::default(),
        weight_index: s.weight_index,
        weighted: WeightedState::new(
            &s.proba_classes,
            s.weight_index.map_or("", |i| s.header[i].as_str()),
        ),
        header: &s.header,
        plan: &s.plan,
        segment_index: &s.segment_index,
        segment_names: &s.segment_names,
        skip_invalid,
        proba: Vec::with_capacity(s.proba_classes.len()),
        rows_skipped: 0,
        skipped: Vec::new(),
        lane: lane_for(s),
        delimiter,
        joined: Vec::new(),
        pending: Vec::with_capacity(AUDIT_BATCH),
        feature_index: &s.feature_index,
        features: match (s.windows.enabled(), s.windows.width) {
            (true, width) => {
                crate::features::FeatureState::new(&s.feature_names).with_windows(width.unwrap_or(
                    WindowWidth::Seconds(crate::metrics::windows::AUTO_BASE_SECONDS),
                ))
            }
            (false, _) => crate::features::FeatureState::new(&s.feature_names),
        },
        feature_slots: Vec::new(),
    }
}

/// The positions and names of the feature columns: those `--feature-cols` names, or with
/// `auto` every column with no other role.
fn feature_columns(
    header: &[String],
    flags: &ColumnFlags,
    plan: &ColumnPlan,
    (segments, others): (&[usize], [Option<usize>; 4]),
    file: &str,
    header_line: u64,
) -> Result<(Vec<usize>, Vec<String>), InputError> {
    if flags.features.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut taken: Vec<usize> = vec![plan.label];
    taken.extend(plan.prediction);
    taken.extend(plan.score);
    taken.extend(plan.proba.iter().map(|c| c.index));
    taken.extend(segments);
    taken.extend(others.into_iter().flatten());
    let index: Vec<usize> = if flags.features.iter().any(|f| f == "auto") {
        (0..header.len()).filter(|i| !taken.contains(i)).collect()
    } else {
        let mut index = Vec::new();
        for name in &flags.features {
            let i = header
                .iter()
                .position(|h| h == name)
                .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
                .ok_or_else(|| {
                    Problem::UnknownColumn {
                        name: name.clone(),
                        flag: "--feature-cols",
                        header: header.join(", "),
                    }
                    .at(file, Some(header_line))
                })?;
            if !index.contains(&i) {
                index.push(i);
            }
        }
        index
    };
    let names = index.iter().map(|&i| header[i].clone()).collect();
    Ok((index, names))
}

fn finish_scan(
    mut c: Consumer<'_>,
    s: &Setup,
    (header_line, header_only_ok): (u64, bool),
    file: &str,
    mut warnings: Vec<String>,
) -> Result<Scan, InputError> {
    warnings.extend(s.warnings.iter().cloned());
    c.flush_audit();
    let first_data_line = header_line + 1;
    if c.state.overall.rows() == 0 && c.rows_skipped == 0 && !header_only_ok {
        return Err(Problem::HeaderOnly.at(file, Some(first_data_line)));
    }
    // Not settled here: see SegmentedState::settle.
    let state = c.state;
    Ok(Scan {
        state,
        segment_columns: s.segment_names.clone(),
        header: s.header.clone(),
        plan: s.plan.clone(),
        rows_skipped: c.rows_skipped,
        skipped: c.skipped,
        first_data_line,
        warnings,
        latency: s.latency_index.map(|_| c.latency),
        weighted: s.weight_index.map(|_| c.weighted),
        features: (!s.feature_index.is_empty()).then_some(c.features),
        columns_compared: None,
    })
}

/// A weight cell: a finite number ≥ 0 (`-0` is 0); anything else, an empty cell included, is
/// not a weight.
fn parse_weight(cell: &[u8]) -> Option<f64> {
    let w: f64 = as_text(cell).ok()?.trim().parse().ok()?;
    (w.is_finite() && w >= 0.0).then_some(w + 0.0)
}

/// A latency cell: empty is missing; otherwise a number of milliseconds in [0, 1e12].
fn parse_latency(cell: &[u8]) -> Result<Option<f64>, ()> {
    let text = as_text(cell).map_err(|_| ())?.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(ms) if (0.0..=MAX_LATENCY_MS).contains(&ms) => Ok(Some(ms)),
        _ => Err(()),
    }
}

/// JSON Lines: one thread, record by record.
fn scan_records(
    src: source::Source,
    format: Format,
    input: &InputSpec,
    flags: &ColumnFlags,
    rules: (ScoreRules, &PairRule),
    (segment_columns, windows): (&[String], &WindowSpec),
    progress: &dyn Progress,
) -> Result<Scan, InputError> {
    let file = input.path.as_str();
    let (bytes_read, size) = (std::sync::Arc::clone(&src.bytes_read), src.size);
    let mut records = Records::open(src, Some(format), file, input.skip_rows)
        .map_err(|e| e.problem.at(file, e.line))?;
    let header_line = records.header_line;
    // Records read ahead for the classes of numbered probability columns, then counted first.
    let mut ahead: Vec<Result<(ByteRecord, u64), RecordError>> = Vec::new();
    let header = records.header().to_vec();
    let s = setup(
        header,
        header_line,
        file,
        flags,
        rules,
        segment_columns,
        windows,
        &mut |plan| {
            let mut sample = LabelSample::default();
            while ahead.len() < FIRST_ROWS {
                let mut rec = ByteRecord::new();
                match records.next_record(&mut rec) {
                    Ok(Some(line)) => {
                        sample.add(&rec, plan);
                        ahead.push(Ok((rec, line)));
                    }
                    Ok(None) => break,
                    Err(e) => {
                        ahead.push(Err(e));
                        break;
                    }
                }
            }
            sample
        },
    )?;
    let mut c = consumer(&s, input.skip_invalid, b',');
    let fatal = |(line, problem): Fatal| problem.at(file, line);
    for read in ahead {
        match read {
            Ok((rec, line)) => c.record(&rec, line, rec.len()).map_err(fatal)?,
            Err(e) => c.skip(e.problem, e.line).map_err(fatal)?,
        }
    }
    let mut rec = ByteRecord::new();
    let mut count = 0u64;
    loop {
        count += 1;
        if count.is_multiple_of(65_536) {
            progress.update(bytes_read.load(Ordering::Relaxed), size);
        }
        match records.next_record(&mut rec) {
            Ok(Some(line)) => c.record(&rec, line, rec.len()).map_err(fatal)?,
            Ok(None) => break,
            Err(e) => c.skip(*Box::new(e.problem), e.line).map_err(fatal)?,
        }
    }
    let warnings = std::mem::take(&mut records.warnings);
    finish_scan(c, &s, (header_line, input.header_only_ok), file, warnings)
}

/// Delimited text: a reader thread cuts chunks, worker threads parse them.
fn scan_chunks(
    src: source::Source,
    delimiter: u8,
    input: &InputSpec,
    flags: &ColumnFlags,
    rules: (ScoreRules, &PairRule),
    (segment_columns, windows): (&[String], &WindowSpec),
    progress: &dyn Progress,
) -> Result<Scan, InputError> {
    let file = input.path.as_str();
    let compression = src.compression;
    let (bytes_read, size) = (std::sync::Arc::clone(&src.bytes_read), src.size);
    let mut warnings = src.warnings;
    let first_line = input.skip_rows + 1;
    let mut chunker = Chunker::new(src.reader, first_line, delimiter);
    let first = chunker
        .next_chunk()
        .map_err(|e| read_problem(e, compression).at(file, Some(first_line)))?
        .ok_or_else(|| Problem::Empty.at(file, Some(first_line)))?;
    let (header, header_end, header_line) = read_header(first.data(), delimiter)
        .map_err(|(line, p)| p.at(file, line.map(|l| l + input.skip_rows)))?;
    let header_line = header_line + input.skip_rows;
    let body = &first.data()[header_end..];
    let mut s = match setup(
        header,
        header_line,
        file,
        flags,
        rules,
        segment_columns,
        windows,
        &mut |plan| {
            let mut sample = LabelSample::default();
            let mut rdr = delimited_reader(body, delimiter);
            let mut rec = ByteRecord::new();
            for _ in 0..FIRST_ROWS {
                match rdr.read_byte_record(&mut rec) {
                    Ok(true) => sample.add(&rec, plan),
                    Ok(false) | Err(_) => break,
                }
            }
            sample
        },
    ) {
        Ok(s) => s,
        Err(e) => return Err(header_further_down(e, body, delimiter, flags)),
    };
    let mut numeric: Vec<usize> = s.plan.proba.iter().map(|c| c.index).collect();
    numeric.extend(s.plan.score);
    if sniff::decimal_comma(body, delimiter, &numeric) {
        s.decoder = s.decoder.clone().with_decimal_comma(true);
        warnings.push(format!(
            "{file}: scores are written with a decimal comma (such as 0,85) and were read as \
             decimals"
        ));
    }
    let rest = Chunk::new(header_line + 1, first.data()[header_end..].to_vec());
    drop(first);

    let workers = worker_count(input.threads);
    let recycler: Recycler = chunker.recycler();
    let stop_at = AtomicU64::new(u64::MAX);
    let (tx, rx) = mpsc::sync_channel::<Chunk>(workers * 2);
    let rx = Mutex::new(rx);
    let mut results: Vec<Result<Consumer<'_>, Fatal>> = Vec::new();
    let mut reader_error: Option<Fatal> = None;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let rx = &rx;
                let stop_at = &stop_at;
                let recycler = recycler.clone();
                let mut c = consumer(&s, input.skip_invalid, delimiter);
                scope.spawn(move || -> Result<Consumer<'_>, Fatal> {
                    loop {
                        let chunk = match rx.lock().expect("no worker panics").recv() {
                            Ok(chunk) => chunk,
                            Err(_) => return Ok(c),
                        };
                        if chunk.first_line > stop_at.load(Ordering::Relaxed) {
                            continue;
                        }
                        if let Err((line, problem)) = c.chunk(&chunk, delimiter, compression) {
                            stop_at.fetch_min(line.unwrap_or(chunk.first_line), Ordering::Relaxed);
                            return Err((line, problem));
                        }
                        recycler.give(chunk.into_buffer());
                    }
                })
            })
            .collect();
        let mut next = Some(rest);
        while let Some(chunk) = next.take() {
            if chunk.first_line > stop_at.load(Ordering::Relaxed) || tx.send(chunk).is_err() {
                break;
            }
            progress.update(bytes_read.load(Ordering::Relaxed), size);
            match chunker.next_chunk() {
                Ok(c) => next = c,
                Err(e) => {
                    let line = chunker_line(&chunker);
                    reader_error = Some((Some(line), read_problem(e, compression)));
                }
            }
        }
        drop(tx);
        results = handles
            .into_iter()
            .map(|h| h.join().expect("worker threads do not panic"))
            .collect();
    });
    let mut merged: Option<Consumer<'_>> = None;
    let mut first_error: Option<Fatal> = reader_error;
    for result in results {
        match result {
            Ok(c) => match &mut merged {
                Some(m) => m.absorb(c),
                None => merged = Some(c),
            },
            Err(e) => {
                let earlier = match (&first_error, e.0) {
                    (None, _) => true,
                    (Some((Some(a), _)), Some(b)) => b < *a,
                    _ => false,
                };
                if earlier {
                    first_error = Some(e);
                }
            }
        }
    }
    if let Some((line, problem)) = first_error {
        return Err(problem.at(file, line));
    }
    let c = merged.expect("at least one worker");
    finish_scan(c, &s, (header_line, input.header_only_ok), file, warnings)
}

/// Lines under the header looked at for a header further down.
const HEADER_SEARCH_LINES: usize = 10;

/// A missing label column, told as a header further down when one of the first lines under
/// the one read as the header names a label column (a title line above the header): the hint
/// gives the `--skip-rows` that reads it. Any other error is returned as it is.
fn header_further_down(
    err: InputError,
    body: &[u8],
    delimiter: u8,
    flags: &ColumnFlags,
) -> InputError {
    let (
        Problem::MissingRole {
            role: "label",
            header,
            ..
        },
        None,
    ) = (&*err.problem, &flags.label)
    else {
        return err;
    };
    let Some(header_line) = err.location.line else {
        return err;
    };
    for (k, line) in body
        .split(|&b| b == b'\n')
        .take(HEADER_SEARCH_LINES)
        .enumerate()
    {
        let names_label = sniff::split(line, delimiter).iter().any(|cell| {
            let name = String::from_utf8_lossy(cell.trim_ascii());
            let name = name.trim_matches('"');
            LABEL_NAMES.iter().any(|n| name.eq_ignore_ascii_case(n))
        });
        if names_label {
            let k = k as u64 + 1;
            return Problem::HeaderFurtherDown {
                header: header.clone(),
                line: header_line + k,
                skip: header_line + k - 1,
            }
            .at(&err.location.file, Some(header_line));
        }
    }
    err
}

/// The line a read error is reported on: the first line not yet handed out.
fn chunker_line(chunker: &Chunker) -> u64 {
    chunker.next_line()
}

/// Reads the header record from the start of the first chunk: the names, the byte offset of
/// the first data record and the header's line number.
fn read_header(data: &[u8], delimiter: u8) -> Result<(Vec<String>, usize, u64), Fatal> {
    let bom = if data.starts_with("\u{feff}".as_bytes()) {
        3
    } else {
        0
    };
    let mut rdr = delimited_reader(&data[bom..], delimiter);
    let mut rec = ByteRecord::new();
    let found = rdr
        .read_byte_record(&mut rec)
        .map_err(|e| (Some(1), Problem::Csv(format!("{:?}", e.kind()))))?;
    if !found {
        return Err((Some(1), Problem::Empty));
    }
    let line = rec.position().map_or(1, |p| p.line());
    let end = bom + rdr.position().byte() as usize;
    let mut header = Vec::with_capacity(rec.len());
    for field in rec.iter() {
        let name = std::str::from_utf8(field).map_err(|_| (Some(line), Problem::HeaderUtf8))?;
        header.push(name.trim().to_string());
    }
    let mut seen = std::collections::HashSet::new();
    for name in &header {
        if !seen.insert(name.as_str()) {
            return Err((Some(line), Problem::DuplicateColumn(name.clone())));
        }
    }
    Ok((header, end, line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The state and skipped-row count of reading `body` (rows under `header`) in two chunks,
    /// with or without the fast lane, its `id` column read as ids or as any other column (rows
    /// without ids are audited in batches).
    fn read(header: &str, body: &str, segments: &[String], lane: bool, ids: bool) -> (String, u64) {
        let names: Vec<String> = header.split(',').map(String::from).collect();
        let flags = ColumnFlags {
            id: ids.then(|| "id".into()),
            ..ColumnFlags::default()
        };
        let rules = ScoreRules::default();
        let windows = WindowSpec::default();
        let pair = PairRule::default();
        let s = setup(
            names,
            1,
            "t.csv",
            &flags,
            (rules, &pair),
            segments,
            &windows,
            &mut |_| LabelSample::default(),
        )
        .unwrap();
        let mut c = consumer(&s, true, b',');
        if !lane {
            c.lane = None;
        }
        assert_eq!(c.lane.is_some(), lane);
        let half = body[..body.len() / 2].rfind('\n').map_or(0, |i| i + 1);
        let lines = body[..half].matches('\n').count() as u64;
        for (first_line, data) in [(2, &body[..half]), (2 + lines, &body[half..])] {
            let chunk = Chunk::new(first_line, data.as_bytes().to_vec());
            c.chunk(&chunk, b',', Compression::None).unwrap();
        }
        c.state.settle();
        (serde_json::to_string(&c.state).unwrap(), c.rows_skipped)
    }

    const SEGMENTS: &[&str] = &["web", "ios", " web", "", "NA", "a-long-segment-name"];
    const LABELS: &[&str] = &["0", "1", " 1", "1 ", "NA", "", "positive-class", "2", "01"];
    const SCORES: &[&str] = &[
        "0.5",
        "0.25",
        "1",
        "0",
        " 0.3",
        "0.1234567",
        "abc",
        "1.5",
        "",
        ".5",
        "0.999999",
        "1e-3",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_fast_lane_counts_exactly_what_the_full_path_does(
            rows in proptest::collection::vec(
                (0..8usize, 0..SEGMENTS.len(), 0..LABELS.len(), 0..LABELS.len(), 0..SCORES.len()),
                1..300,
            ),
            with_prediction in any::<bool>(),
        ) {
            let header = if with_prediction {
                "id,segment,label,prediction,score"
            } else {
                "id,segment,label,score"
            };
            let mut body = String::new();
            for (id, seg, label, pred, score) in rows {
                let (seg, label, score) = (SEGMENTS[seg], LABELS[label], SCORES[score]);
                if with_prediction {
                    body += &format!("r{id},{seg},{label},{},{score}\n", LABELS[pred]);
                } else {
                    body += &format!("r{id},{seg},{label},{score}\n");
                }
            }
            let segments = ["segment".to_string()];
            for segments in [&segments[..], &[]] {
                for ids in [true, false] {
                    let full = read(header, &body, segments, false, ids);
                    let fast = read(header, &body, segments, true, ids);
                    prop_assert_eq!(full, fast);
                }
            }
        }
    }
}
