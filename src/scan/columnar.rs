//! The scan of columnar inputs: Parquet and Arrow files and data sets of their parts.
//!
//! The reading thread walks the parts in order and hands out work with the number of the
//! first row it holds: a Parquet row group (decoded by the worker that takes it, so row groups
//! are decoded in parallel) or an Arrow record batch (read in order: Arrow IPC is laid out as
//! it is held in memory). Workers render the cells the roles read as text
//! ([`columnar::render`]) and count the rows with the same consumer as text inputs, so every
//! rule of reading is the same. Rows are numbered from 1 across the data set; a problem is
//! reported in its part, at its row there.

use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use super::{
    consumer, finish_scan, setup, worker_count, Consumer, Fatal, InputSpec, Progress, Scan, Setup,
    WindowSpec, FIRST_ROWS,
};
use crate::io::columnar::{
    self, arrow_batches, columnar_problem, guarded, render, Dataset, Kind, Opened, Part, TextColumn,
};
use crate::io::columns::ColumnFlags;
use crate::io::decode::{Fields, PairRule, ScoreRules};
use crate::io::proba_classes::LabelSample;
use crate::io::{InputError, Problem};

/// Rows decoded at a time.
const BATCH_ROWS: usize = 64 * 1024;

/// Where a column of the header comes from in one part.
#[derive(Debug, Clone)]
enum CellSource {
    /// A column of the part's file.
    Column(String),
    /// A partition folder's value.
    Constant(Vec<u8>),
}

/// How one part is read: the columns the roles need and where each comes from.
struct PartPlan {
    part: Part,
    opened: Opened,
    /// The part's top-level columns read (its schema's indices, ascending).
    projection: Vec<usize>,
    /// Header index and source of each column read.
    cells: Vec<(usize, CellSource)>,
}

/// The header columns the roles read, with the role's name for messages.
fn needed_columns(s: &Setup) -> Vec<(usize, &'static str)> {
    let plan = &s.plan;
    let mut needed = vec![(plan.label, "label")];
    needed.extend(plan.prediction.map(|i| (i, "prediction")));
    needed.extend(plan.score.map(|i| (i, "score")));
    needed.extend(plan.proba.iter().map(|c| (c.index, "probability")));
    needed.extend(s.segment_index.iter().map(|&i| (i, "segment")));
    needed.extend(s.time_index.map(|i| (i, "time")));
    needed.extend(s.id_index.map(|i| (i, "id")));
    needed.extend(s.latency_index.map(|i| (i, "latency")));
    needed.extend(s.weight_index.map(|i| (i, "weight")));
    needed.extend(s.feature_index.iter().map(|&i| (i, "feature")));
    needed.sort_by_key(|n| n.0);
    needed.dedup_by_key(|n| n.0);
    needed
}

/// Plans the reading of `part` (already `opened`) for the `needed` columns of `header`.
fn plan_part(
    part: Part,
    opened: Opened,
    header: &[String],
    partition_keys: &[String],
    needed: &[(usize, &'static str)],
) -> Result<PartPlan, InputError> {
    let schema = opened.schema();
    let mut projection = Vec::new();
    let mut cells = Vec::with_capacity(needed.len());
    for &(index, role) in needed {
        let name = &header[index];
        let source = match schema.index_of(name) {
            Ok(at) => {
                let field = schema.field(at);
                let empty = arrow_array::new_empty_array(field.data_type());
                if let Err(unreadable) = render(empty.as_ref(), &mut TextColumn::default()) {
                    return Err(Problem::UnreadableColumn {
                        column: name.clone(),
                        data_type: unreadable.0,
                        role,
                    }
                    .at(&part.shown, None));
                }
                projection.push(at);
                CellSource::Column(name.clone())
            }
            Err(_) => match partition_keys.iter().position(|k| k == name) {
                Some(k) => CellSource::Constant(part.partition_values[k].clone().into_bytes()),
                None => {
                    return Err(Problem::MissingInPart {
                        column: name.clone(),
                    }
                    .at(&part.shown, None))
                }
            },
        };
        cells.push((index, source));
    }
    projection.sort_unstable();
    projection.dedup();
    Ok(PartPlan {
        part,
        opened,
        projection,
        cells,
    })
}

impl PartPlan {
    /// A reader of the part's row groups `groups` (Parquet only).
    fn row_groups(&self, groups: Vec<usize>) -> Result<ParquetRecordBatchReader, Problem> {
        let Opened::Parquet(meta) = &self.opened else {
            unreachable!("row groups are Parquet's");
        };
        let file = File::open(&self.part.path).map_err(Problem::Open)?;
        let mask = ProjectionMask::roots(meta.parquet_schema(), self.projection.iter().copied());
        guarded(Kind::Parquet, || {
            ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone())
                .with_projection(mask)
                .with_row_groups(groups)
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| columnar_problem(Kind::Parquet, e.to_string()))
        })
    }

    /// Every batch of the part, in order.
    fn batches(&self) -> Result<Box<dyn Iterator<Item = Result<RecordBatch, Problem>>>, Problem> {
        match &self.opened {
            Opened::Parquet(meta) => {
                let groups = (0..meta.metadata().num_row_groups()).collect();
                let mut reader = self.row_groups(groups)?;
                Ok(Box::new(std::iter::from_fn(move || {
                    parquet_batch(&mut reader).transpose()
                })))
            }
            Opened::Memory(table) => Ok(Box::new(table.batches.clone().into_iter().map(Ok))),
            Opened::Arrow(_) => {
                let file = File::open(&self.part.path).map_err(Problem::Open)?;
                let batches = arrow_batches(&self.part, file, Some(self.projection.clone()))?;
                Ok(Box::new(batches))
            }
        }
    }
}

/// The next batch of a Parquet reader, its errors and panics as problems of the input.
fn parquet_batch(reader: &mut ParquetRecordBatchReader) -> Result<Option<RecordBatch>, Problem> {
    guarded(Kind::Parquet, || {
        reader
            .next()
            .transpose()
            .map_err(|e| columnar_problem(Kind::Parquet, e.to_string()))
    })
}

/// A row of a batch, as fields of the header (columns not read are empty).
struct RowView<'a> {
    cells: &'a [Cell<'a>],
    row: usize,
}

#[derive(Clone, Copy)]
enum Cell<'a> {
    Absent,
    Text(&'a TextColumn),
    Constant(&'a [u8]),
}

impl Fields for RowView<'_> {
    #[inline]
    fn field(&self, i: usize) -> &[u8] {
        match self.cells[i] {
            Cell::Absent => b"",
            Cell::Text(column) => column.cell(self.row),
            Cell::Constant(value) => value,
        }
    }
}

/// Renders the columns of `batch` that `plan` reads into `texts` (one per column read) and
/// calls `each` with every row and its index in the batch.
fn for_each_row(
    plan: &PartPlan,
    batch: &RecordBatch,
    fields: usize,
    texts: &mut Vec<TextColumn>,
    mut each: impl FnMut(&RowView<'_>, usize) -> Result<(), Fatal>,
    first_row: u64,
) -> Result<(), Fatal> {
    texts.resize_with(plan.cells.len(), TextColumn::default);
    for ((_, source), text) in plan.cells.iter().zip(texts.iter_mut()) {
        if let CellSource::Column(name) = source {
            let Some(array) = batch.column_by_name(name) else {
                let problem = Problem::MissingInPart {
                    column: name.clone(),
                };
                return Err((Some(first_row), problem));
            };
            // Types were checked when the part was planned.
            let _ = render(array.as_ref(), text);
        }
    }
    let mut cells = vec![Cell::Absent; fields];
    for ((index, source), text) in plan.cells.iter().zip(texts.iter()) {
        cells[*index] = match source {
            CellSource::Column(_) => Cell::Text(text),
            CellSource::Constant(value) => Cell::Constant(value),
        };
    }
    for row in 0..batch.num_rows() {
        each(&RowView { cells: &cells, row }, row)?;
    }
    Ok(())
}

/// Work for a worker: rows and the number of the first (1-based, across the data set).
enum Unit {
    /// A Parquet row group to decode.
    RowGroup {
        plan: Arc<PartPlan>,
        group: usize,
        first_row: u64,
    },
    /// An Arrow batch read.
    Batch {
        plan: Arc<PartPlan>,
        batch: RecordBatch,
        first_row: u64,
    },
}

impl Unit {
    /// The format of the part the rows come from.
    fn kind(&self) -> Kind {
        match self {
            Unit::RowGroup { plan, .. } | Unit::Batch { plan, .. } => plan.part.kind,
        }
    }

    fn first_row(&self) -> u64 {
        match self {
            Unit::RowGroup { first_row, .. } | Unit::Batch { first_row, .. } => *first_row,
        }
    }
}

/// Counts the rows of `unit` into `c`.
fn consume(
    c: &mut Consumer<'_>,
    unit: Unit,
    fields: usize,
    texts: &mut Vec<TextColumn>,
) -> Result<(), Fatal> {
    let mut count = |plan: &PartPlan, batch: &RecordBatch, first_row: u64| {
        for_each_row(
            plan,
            batch,
            fields,
            texts,
            |row, at| c.record(row, first_row + at as u64, fields),
            first_row,
        )
    };
    match unit {
        Unit::Batch {
            plan,
            batch,
            first_row,
        } => count(&plan, &batch, first_row)?,
        Unit::RowGroup {
            plan,
            group,
            first_row,
        } => {
            let reader = plan
                .row_groups(vec![group])
                .map_err(|p| (Some(first_row), p))?;
            let mut next = first_row;
            for batch in reader {
                let batch = batch
                    .map_err(|e| (Some(next), columnar_problem(Kind::Parquet, e.to_string())))?;
                count(&plan, &batch, next)?;
                next += batch.num_rows() as u64;
            }
        }
    }
    c.flush_audit();
    Ok(())
}

/// Reads a columnar data set (see the module's documentation).
pub(super) fn scan_columnar(
    dataset: Dataset,
    input: &InputSpec,
    flags: &ColumnFlags,
    rules: (ScoreRules, &PairRule),
    (segment_columns, windows): (&[String], &WindowSpec),
    progress: &dyn Progress,
) -> Result<Scan, InputError> {
    let file = input.path.as_str();
    let single = dataset.parts.len() == 1;
    let shown = |part: &Part| {
        if single {
            file.to_string()
        } else {
            part.shown.clone()
        }
    };
    let parts: Vec<Part> = dataset
        .parts
        .iter()
        .map(|p| Part {
            shown: shown(p),
            ..p.clone()
        })
        .collect();
    let first = &parts[0];
    let opened = columnar::open(first).map_err(|p| p.at(&first.shown, None))?;
    let schema = opened.schema();
    let mut header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    for key in &dataset.partition_keys {
        if !header.contains(key) {
            header.push(key.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(name) = header.iter().find(|name| !seen.insert(name.as_str())) {
        return Err(Problem::DuplicateColumn(name.clone()).at(&first.shown, None));
    }
    let keys = &dataset.partition_keys;
    let mut sample_error = None;
    let s = setup(
        header.clone(),
        0,
        file,
        flags,
        rules,
        segment_columns,
        windows,
        &mut |plan| {
            let mut sample = LabelSample::default();
            let needed: Vec<(usize, &'static str)> = std::iter::once((plan.label, "label"))
                .chain(plan.prediction.map(|i| (i, "prediction")))
                .collect();
            let read = columnar::open(first)
                .map_err(|p| p.at(&first.shown, None))
                .and_then(|opened| plan_part(first.clone(), opened, &header, keys, &needed))
                .and_then(|part| {
                    let batches = part.batches().map_err(|p| p.at(&first.shown, None))?;
                    let mut texts = Vec::new();
                    let mut rows = 0;
                    for batch in batches {
                        let batch = batch.map_err(|p| p.at(&first.shown, None))?;
                        let _ = for_each_row(
                            &part,
                            &batch,
                            header.len(),
                            &mut texts,
                            |row, _| {
                                sample.add_cells(|col| Some(row.field(col)), plan);
                                Ok(())
                            },
                            1,
                        );
                        rows += batch.num_rows();
                        if rows >= FIRST_ROWS {
                            break;
                        }
                    }
                    Ok(())
                });
            if let Err(e) = read {
                sample_error = Some(e);
            }
            sample
        },
    )
    .map_err(|mut e| {
        // Problems of the header belong to the file, not to a row.
        e.location.line = None;
        e
    })?;
    if let Some(e) = sample_error {
        return Err(e);
    }
    let needed = needed_columns(&s);
    let fields = s.header.len();
    let total: u64 = parts
        .iter()
        .filter_map(|p| std::fs::metadata(&p.path).ok())
        .map(|m| m.len())
        .sum();

    let workers = worker_count(input.threads);
    let stop_at = AtomicU64::new(u64::MAX);
    let (tx, rx) = mpsc::sync_channel::<Unit>(workers * 2);
    let rx = Mutex::new(rx);
    // The number of rows before each part started, for locating problems.
    let mut starts: Vec<u64> = Vec::with_capacity(parts.len());
    let mut reader_error: Option<InputError> = None;
    let mut results: Vec<Result<Consumer<'_>, Fatal>> = Vec::new();
    let mut opened = Some(opened);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let rx = &rx;
                let stop_at = &stop_at;
                let mut c = consumer(&s, input.skip_invalid, b',');
                scope.spawn(move || -> Result<Consumer<'_>, Fatal> {
                    let mut texts = Vec::new();
                    loop {
                        let unit = match rx.lock().expect("no worker panics").recv() {
                            Ok(unit) => unit,
                            Err(_) => return Ok(c),
                        };
                        let first_row = unit.first_row();
                        if first_row > stop_at.load(Ordering::Relaxed) {
                            continue;
                        }
                        // A panic of the readers on damaged data (in decoding, or in the
                        // arrays they built) is an error of the input.
                        let kind = unit.kind();
                        let counted =
                            guarded(kind, || Ok(consume(&mut c, unit, fields, &mut texts)))
                                .unwrap_or_else(|problem| Err((Some(first_row), problem)));
                        if let Err((row, problem)) = counted {
                            stop_at.fetch_min(row.unwrap_or(first_row), Ordering::Relaxed);
                            return Err((row, problem));
                        }
                    }
                })
            })
            .collect();
        let mut rows = 0u64;
        let mut done = 0u64;
        'parts: for part in &parts {
            starts.push(rows);
            let opened = match opened.take() {
                Some(first) => first,
                None => match columnar::open(part) {
                    Ok(o) => o,
                    Err(p) => {
                        reader_error = Some(p.at(&part.shown, None));
                        break;
                    }
                },
            };
            let plan = match plan_part(part.clone(), opened, &s.header, keys, &needed) {
                Ok(plan) => Arc::new(plan),
                Err(e) => {
                    reader_error = Some(e);
                    break;
                }
            };
            match &plan.opened {
                Opened::Parquet(meta) => {
                    for (group, meta) in meta.metadata().row_groups().iter().enumerate() {
                        let n = meta.num_rows().max(0) as u64;
                        if n == 0 {
                            continue;
                        }
                        let unit = Unit::RowGroup {
                            plan: Arc::clone(&plan),
                            group,
                            first_row: rows + 1,
                        };
                        if rows + 1 > stop_at.load(Ordering::Relaxed) || tx.send(unit).is_err() {
                            break 'parts;
                        }
                        rows += n;
                        done += meta.compressed_size().max(0) as u64;
                        progress.update(done, Some(total));
                    }
                }
                Opened::Arrow(_) | Opened::Memory(_) => {
                    let batches = match plan.batches() {
                        Ok(b) => b,
                        Err(p) => {
                            reader_error = Some(p.at(&part.shown, None));
                            break;
                        }
                    };
                    for batch in batches {
                        let batch = match batch {
                            Ok(b) => b,
                            Err(p) => {
                                reader_error = Some(p.at_row(
                                    &part.shown,
                                    Some(rows + 1 - starts[starts.len() - 1]),
                                ));
                                break 'parts;
                            }
                        };
                        let n = batch.num_rows() as u64;
                        let unit = Unit::Batch {
                            plan: Arc::clone(&plan),
                            batch,
                            first_row: rows + 1,
                        };
                        if rows + 1 > stop_at.load(Ordering::Relaxed) || tx.send(unit).is_err() {
                            break 'parts;
                        }
                        rows += n;
                    }
                    if let Ok(m) = std::fs::metadata(&part.path) {
                        done += m.len();
                        progress.update(done, Some(total));
                    }
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
    let mut first_error: Option<Fatal> = None;
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
    if let Some((row, problem)) = first_error {
        // A row of the data set, in its part.
        return Err(match row {
            Some(row) => {
                let at = starts.partition_point(|&s| s < row).max(1) - 1;
                problem.at_row(&parts[at].shown, Some(row - starts[at]))
            }
            None => problem.at(file, None),
        });
    }
    if let Some(e) = reader_error {
        return Err(e);
    }
    let c = merged.expect("at least one worker");
    if c.state.overall.rows() == 0 && c.rows_skipped == 0 && !input.header_only_ok {
        return Err(Problem::NoRows.at(file, None));
    }
    let mut scan = finish_scan(c, &s, (0, true), file, Vec::new())?;
    scan.columns_compared = Some(needed.len());
    Ok(scan)
}
