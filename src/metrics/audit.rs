//! The row audit: duplicate rows, duplicate and conflicting ids, likely label errors and a
//! uniform sample of rows for recalibration — in bounded memory, merging exactly.
//!
//! A [`RowAudit`] sees every counted row as a handful of numbers: its line, a fingerprint of
//! the whole record, the hash of its id cell, the hashes of its label's and prediction's
//! canonical keys, and its score or probabilities. Nothing of a row is kept unless it is
//! sampled:
//!
//! - duplicates and ids by adaptive distinct sampling (Gibbons 2001; [`SortedSample`] for
//!   records, [`DistinctSample`] for ids): exact while nothing was dropped, else scaled by the
//!   sampling rate;
//! - likely label errors by confident learning (Northcutt, Jiang & Chuang 2021, "Confident
//!   learning: estimating uncertainty in dataset labels"): the per-class thresholds are the mean
//!   probability of a class over the rows labelled with it, known only at the end, so the count
//!   of suspects is computed then from the exact score data the evaluation keeps
//!   ([`super::confident`]); the rows listed come from a bounded set of the rows with the
//!   largest margin max_{j≠y} p_j − p_y;
//! - a bottom-k sample by hash of the line number (deterministic, mergeable) for
//!   [`super::recalibrate`].
//!
//! Every part keeps a set defined by the data alone (keys below a level, the k smallest hashes,
//! the k largest margins with ties broken by line), so the result does not depend on how rows
//! were split between threads.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::accumulator::EvalState;
pub use super::confident::{binary_issues, multiclass_issues, ExactIssues};
use super::distinct::{DistinctSample, Entry, HashedMap};
use super::fingerprint;
use super::recalibrate::{self, BinaryRow};
use super::sorted_sample::{LineEntry, SortedSample};
use crate::label::LabelKey;
use crate::metrics::row::{Prediction, Row};
use crate::ordered_map::OrderedMap;

pub use super::recalibrate::Recalibration;

/// Lines kept per duplicated record or id.
const LINES_KEPT: usize = 8;
/// Later copies' lines listed in the report.
const DUPLICATE_LINES_LISTED: usize = 1000;
/// Duplicate or conflicting ids listed with their text.
const ID_EXAMPLES: usize = 1000;
/// Rows with the largest margins kept as candidate label errors.
pub const CANDIDATES_KEPT: usize = 10_000;
/// Rows in the uniform sample.
pub const SAMPLE_ROWS: usize = 100_000;
/// Probabilities the uniform sample keeps at most (rows × classes).
const SAMPLE_VALUES: usize = 4_000_000;
/// Candidate sets kept for score files: one per label class and direction, for up to this many
/// label classes (a score needs a binary task).
const SCORE_LABELS: usize = 4;

/// Prediction hash of a row predicted positive from its score.
const PRED_POSITIVE: u64 = 1;
/// Prediction hash of a row predicted negative from its score.
const PRED_NEGATIVE: u64 = 2;

/// Why a row was skipped by `--skip-invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The label cell is missing.
    MissingLabel,
    /// The prediction cell is missing.
    MissingPrediction,
    /// The score or a probability is not a number in range.
    InvalidScore,
    /// Anything else.
    Other,
}

const SKIP_NAMES: [&str; 4] = [
    "missing_label",
    "missing_prediction",
    "invalid_score",
    "other",
];

/// The audit's summary in the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditSummary {
    /// Rows skipped by `--skip-invalid`, per reason (`missing_label`, `missing_prediction`,
    /// `invalid_score`, `other`).
    pub skipped: OrderedMap<u64>,
    /// Rows identical to an earlier row.
    pub duplicates: Duplicates,
    /// Ids (null without `--id-col`).
    pub ids: Option<IdSummary>,
    /// Likely label errors (null without scores).
    pub label_issues: Option<LabelIssues>,
    /// The best recalibration of the scores (null without scores or with too few rows).
    pub recalibration: Option<Recalibration>,
}

/// Rows that repeat an earlier row field for field.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Duplicates {
    /// Rows looked at.
    pub rows_checked: u64,
    /// Rows identical to an earlier row (estimated when not exact).
    pub duplicate_rows: u64,
    /// Whether every row was compared (else the count is scaled up from a sample of records).
    pub exact: bool,
    /// Lines of the later copies, ascending, at most 1000.
    pub lines: Vec<u64>,
    /// Duplicate rows per segment column and value (estimated like the total when not
    /// exact); `{}` without segment columns.
    pub segments: OrderedMap<OrderedMap<u64>>,
}

/// The id column's values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IdSummary {
    /// The id column.
    pub column: String,
    /// Distinct ids (estimated when not exact).
    pub distinct: u64,
    /// Ids on more than one row.
    pub duplicate_ids: u64,
    /// Ids whose rows have different labels.
    pub conflicting_ids: u64,
    /// Whether every id was kept (else the counts are scaled up from a sample of ids).
    pub exact: bool,
    /// Duplicate or conflicting ids, by first line, at most 1000.
    pub examples: Vec<IdExample>,
}

/// One duplicate or conflicting id.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IdExample {
    /// The id.
    pub id: String,
    /// Its first lines (at most 8).
    pub lines: Vec<u64>,
    /// The distinct labels of its rows.
    pub labels: Vec<String>,
    /// Whether its rows have different labels.
    pub conflicting: bool,
}

/// Rows whose label the model contradicts with confidence (confident learning).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LabelIssues {
    /// Per class: the mean probability of the class over the rows labelled with it.
    pub thresholds: OrderedMap<f64>,
    /// Rows labelled y with some other class j at p_j ≥ t_j while p_y < t_y (exact).
    pub suspects: u64,
    /// Suspects / rows.
    pub noise_rate: f64,
    /// The suspect rows found among the rows of largest margin, most suspicious first.
    pub rows: Vec<SuspectRow>,
    /// Whether every suspect is listed.
    pub all_listed: bool,
}

/// One likely label error.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SuspectRow {
    /// Line in the input.
    pub line: u64,
    /// The label given.
    pub label: String,
    /// The class the model suggests.
    pub suggested: String,
    /// The probability of the given label.
    pub p_label: f64,
    /// The probability of the suggested class.
    pub p_suggested: f64,
}

/// The place of a record whose segments are not known.
pub const NO_PLACE: u32 = u32::MAX;

fn no_place() -> u32 {
    NO_PLACE
}

/// What the audit knows of one distinct record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordEntry {
    count: u64,
    /// The segment values of the record (an index into [`RowAudit`]'s places): copies of one
    /// record share them, as every other cell.
    #[serde(default = "no_place")]
    place: u32,
    /// The smallest line.
    first: u64,
    /// The next smallest lines, ascending (at most [`LINES_KEPT`] − 1).
    later: ShortList,
}

impl RecordEntry {
    fn add(&mut self, line: u64) {
        self.count += 1;
        let line = if line < self.first {
            std::mem::replace(&mut self.first, line)
        } else {
            line
        };
        insert_later(self.later.0.get_or_insert_with(Box::default), line);
    }
}

/// A list that is empty for nearly every entry (the lines of a record or id after its first,
/// the other labels of an id), boxed so that an entry of the duplicate table takes 32 bytes
/// instead of 48 (the table is probed on every sampled row, so its size is cache misses) and
/// an entry of the id sample 64 instead of 96, and allocated only for a key met twice.
/// Written as a list, empty or not.
// A `Box<Vec>` is one pointer where a `Vec` is three: the extra allocation is the point.
#[allow(clippy::box_collection)]
#[derive(Debug, Clone, Default, PartialEq)]
struct ShortList(Option<Box<Vec<u64>>>);

impl ShortList {
    fn of(lines: Vec<u64>) -> ShortList {
        ShortList((!lines.is_empty()).then(|| Box::new(lines)))
    }
}

impl std::ops::Deref for ShortList {
    type Target = [u64];
    fn deref(&self) -> &[u64] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl Serialize for ShortList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for ShortList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ShortList, D::Error> {
        Vec::<u64>::deserialize(d).map(ShortList::of)
    }
}

/// Adds the other side's lines. Shards number their lines from the start, so the same line
/// number on both sides is two rows, and both are kept.
fn merge_lines(mine: &mut Vec<u64>, theirs: &[u64]) {
    mine.extend_from_slice(theirs);
    mine.sort_unstable();
    mine.truncate(LINES_KEPT);
}

/// Keeps `line` among the smallest lines after the first.
fn insert_later(later: &mut Vec<u64>, line: u64) {
    let at = later.partition_point(|&l| l < line);
    if at < LINES_KEPT - 1 {
        later.insert(at, line);
        later.truncate(LINES_KEPT - 1);
    }
}

impl LineEntry for RecordEntry {
    fn first(line: u64, place: u32) -> RecordEntry {
        RecordEntry {
            count: 1,
            place,
            first: line,
            later: ShortList::default(),
        }
    }

    fn add(&mut self, line: u64) {
        RecordEntry::add(self, line);
    }

    fn map_place(&mut self, f: &dyn Fn(u32) -> u32) {
        self.place = f(self.place);
    }
}

impl Entry for RecordEntry {
    fn merge(&mut self, other: &RecordEntry) {
        let mut lines = vec![self.first, other.first];
        lines.extend_from_slice(&self.later);
        merge_lines(&mut lines, &other.later);
        self.count += other.count;
        if self.place == NO_PLACE {
            self.place = other.place;
        }
        self.first = lines[0];
        self.later = ShortList::of(lines[1..].to_vec());
    }
}

/// What the audit knows of one id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdEntry {
    count: u64,
    /// Lines after the first, ascending (at most [`LINES_KEPT`] − 1; empty for a unique id).
    later: ShortList,
    /// Line, label hash and prediction hash of the id's first row.
    first: (u64, u64, u64),
    /// Label hashes of the id's rows other than the first's (empty unless conflicting).
    other_labels: ShortList,
    /// The id as written.
    text: Box<str>,
}

impl IdEntry {
    fn add(&mut self, line: u64, label: u64, pred: u64) {
        self.count += 1;
        let mut labels = [self.first.1, label];
        let later = if line < self.first.0 {
            let old = self.first.0;
            self.first = (line, label, pred);
            labels.swap(0, 1);
            old
        } else {
            line
        };
        insert_later(self.later.0.get_or_insert_with(Box::default), later);
        let mut others = std::mem::take(&mut self.other_labels).to_vec();
        if labels[1] != labels[0] && !others.contains(&labels[1]) {
            others.push(labels[1]);
        }
        others.retain(|&l| l != self.first.1);
        others.sort_unstable();
        self.other_labels = ShortList::of(others);
    }
}

impl Entry for IdEntry {
    fn merge(&mut self, other: &IdEntry) {
        let mut labels = self.other_labels.to_vec();
        labels.extend_from_slice(&other.other_labels);
        labels.push(self.first.1);
        labels.push(other.first.1);
        self.count += other.count;
        let mut lines = vec![self.first.0, other.first.0];
        lines.extend_from_slice(&self.later);
        merge_lines(&mut lines, &other.later);
        self.later = ShortList::of(lines[1..].to_vec());
        if other.first.0 < self.first.0 {
            self.first = other.first;
        }
        labels.sort_unstable();
        labels.dedup();
        labels.retain(|&l| l != self.first.1);
        self.other_labels = ShortList::of(labels);
    }
}

/// One sampled row: its values (a binary score, or probabilities in column order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SampledRow {
    /// Hash of the line (the sample keeps the smallest), or the margin's bits for candidates.
    key: u64,
    line: u64,
    label: u64,
    score: f64,
    proba: Box<[f64]>,
}

/// A row of one score that the fast lane counted, waiting to be audited with others (see
/// [`RowAudit::push_scored`]).
#[derive(Debug, Clone, Copy)]
pub struct ScoredRow {
    /// The fingerprint of the record.
    pub record: u64,
    /// Its line.
    pub line: u64,
    /// Its label's class id in the overall state.
    pub t: u32,
    /// Its score.
    pub score: f64,
    /// Its place ([`RowAudit::place_of`]).
    pub place: u32,
}

/// The rows with the smallest keys (at most `k`), kept in bounded memory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct BottomK {
    k: usize,
    /// Keys above this are not taken.
    bound: u64,
    rows: Vec<SampledRow>,
}

impl BottomK {
    fn new(k: usize) -> BottomK {
        BottomK {
            k: k.max(1),
            bound: u64::MAX,
            rows: Vec::new(),
        }
    }

    #[inline]
    fn takes(&self, key: u64) -> bool {
        key <= self.bound
    }

    fn push(&mut self, row: SampledRow) {
        self.rows.push(row);
        if self.rows.len() >= 2 * self.k {
            self.compact();
        }
    }

    /// Keeps the k smallest (key, line) and lowers the bound to the largest kept key. The k-th
    /// smallest is selected among the (key, line) pairs alone, and the rows kept by one pass in
    /// order: selecting among the rows themselves would move them around many times over.
    fn compact(&mut self) {
        if self.rows.len() > self.k {
            let mut order: Vec<(u64, u64)> = self.rows.iter().map(|r| (r.key, r.line)).collect();
            let kth = *order.select_nth_unstable(self.k - 1).1;
            self.rows.retain(|r| (r.key, r.line) <= kth);
            if self.rows.len() > self.k {
                // Rows alike in key and line (merged shards): any k of the smallest.
                self.rows
                    .select_nth_unstable_by_key(self.k - 1, |r| (r.key, r.line));
                self.rows.truncate(self.k);
            }
            self.bound = kth.0;
        }
    }

    fn merge(&mut self, other: &BottomK) {
        self.k = self.k.min(other.k);
        self.rows.extend(other.rows.iter().cloned());
        self.bound = self.bound.min(other.bound);
        self.compact();
        // Both sides' rows were written into the list: the room the kept ones do not use goes
        // back (tens of megabytes a sample, held to the end of the run otherwise).
        self.rows.shrink_to_fit();
    }

    /// The kept rows in key order.
    fn finished(mut self) -> Vec<SampledRow> {
        self.compact();
        self.rows.sort_unstable_by_key(|r| (r.key, r.line));
        self.rows
    }
}

/// A margin as a key that sorts the largest margin first.
#[inline]
fn margin_key(margin: f64) -> u64 {
    // Order-preserving map of f64 to u64 (a negative number has every bit flipped, any other
    // its sign bit set), then reversed; without a branch, as a margin's sign is a coin toss.
    let bits = margin.to_bits();
    let negative = ((bits as i64) >> 63) as u64;
    !(bits ^ (negative | 1 << 63))
}

/// Candidate rows of a score file labelled with one class: the rows most against that class
/// if it turns out positive, and if it turns out negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ScoreCandidates {
    label: u64,
    /// Largest 1 − 2p: rows of this label with the lowest scores.
    if_positive: BottomK,
    /// Largest 2p − 1: rows of this label with the highest scores.
    if_negative: BottomK,
}

/// The row audit of a run (overall only).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RowAudit {
    skipped: [u64; 4],
    rows: u64,
    records: SortedSample<RecordEntry>,
    ids: DistinctSample<IdEntry>,
    /// Hash of each class's canonical key, by the overall state's class id (a per-state cache).
    #[serde(skip)]
    class_hashes: Vec<u64>,
    /// Candidate label errors of probability files, by margin.
    margins: BottomK,
    /// Candidate label errors of score files, by label class.
    scores: Vec<ScoreCandidates>,
    /// The uniform sample.
    sample: BottomK,
    /// The segment values of the places records were met in, by place id.
    #[serde(default)]
    places: Vec<Vec<Box<str>>>,
    /// Place ids by the segment positions of the state the audit belongs to.
    #[serde(skip)]
    place_ids: HashMap<Vec<u32>, u32>,
    /// The same for positions that pack into one integer (see [`packed_place`]): looked up on
    /// every sampled row, so without hashing a vector.
    #[serde(skip)]
    packed_ids: HashedMap<u32>,
}

/// Up to four segment positions below 2^16 packed into one integer and mixed (a bijection, so
/// no two places share a key), for [`HashedMap`]; `None` for other places.
fn packed_place(positions: &[u32]) -> Option<u64> {
    if positions.len() > 4 || positions.iter().any(|&p| p >= 1 << 16) {
        return None;
    }
    let packed = (positions.iter().enumerate())
        .fold(1u64 << 63, |k, (c, &p)| k | (u64::from(p) << (16 * c)))
        ^ positions.len() as u64;
    Some(packed.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// Distinct places (combinations of segment values) the duplicate table tells apart; records
/// of further places have none.
const MAX_PLACES: usize = 4096;

/// Where a row lies: its segment positions in the state that counts it, and the value at a
/// (column, position).
pub struct RowPlace<'a> {
    /// The positions, one per segment column.
    pub positions: &'a [u32],
    /// The segment value at a column and position.
    pub value: &'a dyn Fn(usize, u32) -> Box<str>,
}

/// Distinct records kept exactly before the duplicate count is sampled. Every row is added to
/// this table until it is full, so it is kept small (a hash table of 2^18 records doubled the
/// cost of a scan through cache misses alone; the sorted run that replaced the hash table is
/// merged into sequentially, but its merges grow with it).
pub const RECORD_CAP: usize = 1 << 16;

impl Default for RowAudit {
    fn default() -> Self {
        RowAudit {
            skipped: [0; 4],
            rows: 0,
            records: SortedSample::with_cap(RECORD_CAP),
            ids: DistinctSample::default(),
            class_hashes: Vec::new(),
            margins: BottomK::default(),
            scores: Vec::new(),
            sample: BottomK::default(),
            places: Vec::new(),
            place_ids: HashMap::new(),
            packed_ids: HashedMap::default(),
        }
    }
}

/// The hash of a class's canonical key.
pub fn class_hash(key: &LabelKey) -> u64 {
    fingerprint::of_bytes(key.name().as_bytes())
}

/// The hash of an id cell.
#[inline]
pub fn id_hash(cell: &[u8]) -> u64 {
    fingerprint::of_bytes(cell)
}

impl RowAudit {
    /// Counts a row left out of the metrics: one with a missing label (waiting for it), or
    /// one skipped as invalid by `--skip-invalid`.
    pub fn skip(&mut self, reason: SkipReason) {
        self.skipped[reason as usize] += 1;
    }

    /// Rows left out for `reason`.
    pub fn skipped(&self, reason: SkipReason) -> u64 {
        self.skipped[reason as usize]
    }

    /// The hash of class `id` of `state`.
    #[inline]
    fn class(&mut self, state: &EvalState, id: u32) -> u64 {
        let keys = state.classes.keys();
        while self.class_hashes.len() < keys.len() {
            let key = &keys[self.class_hashes.len()];
            self.class_hashes.push(class_hash(key));
        }
        self.class_hashes[id as usize]
    }

    /// Audits a row just counted by `state` (whose `last_ids` are the row's class ids): its
    /// line, the fingerprint of the whole record and its id cell, if any.
    #[inline]
    pub fn push(
        &mut self,
        state: &EvalState,
        row: &Row<'_>,
        (line, record): (u64, u64),
        id: Option<&[u8]>,
        place: &RowPlace<'_>,
    ) {
        let Some((t, p)) = state.last_ids else {
            return;
        };
        self.rows += 1;
        let place = self.place_of(record, place);
        self.note_record(record, line, place);
        let label = self.class(state, t);
        if let Some(cell) = id.map(<[u8]>::trim_ascii).filter(|c| !c.is_empty()) {
            let hash = id_hash(cell);
            // Only an id in the sample is read as text (one that is not UTF-8 counts as none).
            let text = match self.ids.admits(hash) {
                true => crate::text::as_text(cell).unwrap_or_default(),
                false => "",
            };
            if !text.is_empty() {
                let pred = match row.prediction {
                    Prediction::Label(_) => self.class(state, p.unwrap_or(t)),
                    Prediction::ProbaArgmax(i) => self.class(state, state.proba_ids[i]),
                    Prediction::Positive(true) => PRED_POSITIVE,
                    Prediction::Positive(false) => PRED_NEGATIVE,
                };
                self.ids.add(
                    hash,
                    || IdEntry {
                        count: 1,
                        later: ShortList::default(),
                        first: (line, label, pred),
                        other_labels: ShortList::default(),
                        text: text.into(),
                    },
                    |e| e.add(line, label, pred),
                );
            }
        }
        self.push_scores(state, row, line, record, label, t);
    }

    /// Audits rows of one score each (no probabilities, no id cell) counted by `state`, as
    /// [`push`](Self::push) would one by one, in the same order: each of the audit's tables in
    /// a pass of its own over the rows. Short loops that each keep one table in the cache beat
    /// one loop that visits every table for every row.
    pub fn push_scored(&mut self, state: &EvalState, rows: &[ScoredRow]) {
        let Some(last) = rows.last() else {
            return;
        };
        self.rows += rows.len() as u64;
        // Most records are outside the sampled range: they are told apart here, in the loop,
        // rather than by a call per row.
        for r in rows {
            if self.records.admits(r.record) {
                self.note_record(r.record, r.line, r.place);
            }
        }
        // Every class id of the rows is known to `state`: the hashes are made up to the last.
        self.class(state, last.t);
        self.size_samples(1);
        for r in rows {
            let key = fingerprint::of_line(r.record);
            if self.sample.takes(key) {
                self.sample.push(SampledRow {
                    key,
                    line: r.line,
                    label: self.class_hashes[r.t as usize],
                    score: r.score,
                    proba: Box::default(),
                });
            }
        }
        // Each class id's candidate sets, looked up once per batch rather than once per row.
        let mut slots: Vec<Option<Option<usize>>> = vec![None; self.class_hashes.len()];
        for r in rows {
            let label = self.class_hashes[r.t as usize];
            let slot = *slots[r.t as usize].get_or_insert_with(|| self.candidate_slot(label));
            if let Some(i) = slot {
                self.offer_candidate(i, r.line, label, r.score);
            }
        }
    }

    /// Counts a record met at `line` in the duplicate table (when its hash is sampled).
    #[inline(always)]
    fn note_record(&mut self, record: u64, line: u64, place: u32) {
        self.records.add(record, line, place);
    }

    /// The place id of a row's segments when its record is in the sampled range (else
    /// [`NO_PLACE`]: only sampled records are counted by place).
    pub fn place_of(&mut self, record: u64, place: &RowPlace<'_>) -> u32 {
        if place.positions.is_empty() || !self.records.admits(record) {
            return NO_PLACE;
        }
        let packed = packed_place(place.positions);
        let known = match packed {
            Some(key) => self.packed_ids.get(&key),
            None => self.place_ids.get(place.positions),
        };
        if let Some(&id) = known {
            return id;
        }
        if self.places.len() >= MAX_PLACES {
            return NO_PLACE;
        }
        let id = self.places.len() as u32;
        self.places.push(
            (place.positions.iter().enumerate())
                .map(|(c, &i)| (place.value)(c, i))
                .collect(),
        );
        match packed {
            Some(key) => self.packed_ids.insert(key, id),
            None => self.place_ids.insert(place.positions.to_vec(), id),
        };
        id
    }

    /// The id of a place given by its values (added when new and room is left).
    fn place_by_values(&mut self, values: &[Box<str>]) -> u32 {
        if let Some(i) = self.places.iter().position(|p| p.as_slice() == values) {
            return i as u32;
        }
        if self.places.len() >= MAX_PLACES {
            return NO_PLACE;
        }
        self.places.push(values.to_vec());
        (self.places.len() - 1) as u32
    }

    /// Duplicate rows per segment column and value (scaled up like the total when sampled),
    /// values in ascending order; columns are named by `columns`, in the order of the state's
    /// segment columns.
    pub fn duplicates_by_segment(&self, columns: &[String]) -> OrderedMap<OrderedMap<u64>> {
        let mut counts: Vec<std::collections::BTreeMap<&str, u64>> =
            vec![Default::default(); columns.len()];
        let scale = self.records.for_each_entry_scaled(|e| {
            if e.count > 1 && e.place != NO_PLACE {
                for (c, value) in self.places[e.place as usize].iter().enumerate() {
                    if let Some(m) = counts.get_mut(c) {
                        *m.entry(value).or_default() += e.count - 1;
                    }
                }
            }
        });
        OrderedMap(
            columns
                .iter()
                .zip(counts)
                .map(|(name, m)| {
                    let values = m
                        .into_iter()
                        .map(|(v, n)| (v.to_string(), (n as f64 * scale).round() as u64))
                        .collect();
                    (name.clone(), OrderedMap(values))
                })
                .collect(),
        )
    }

    /// Sizes the uniform sample and the candidate sets for rows of `width` values each, once.
    #[inline(always)]
    fn size_samples(&mut self, width: usize) {
        if self.sample.k == 0 {
            self.sample = BottomK::new(SAMPLE_ROWS.min(SAMPLE_VALUES / width));
            self.margins = BottomK::new(CANDIDATES_KEPT);
        }
    }

    /// Keeps the row as a candidate label error and in the uniform sample, when it qualifies.
    /// The sample is keyed by the record's content, not its line, so that shards of a file
    /// (whose lines restart) sample the same rows as one pass over it.
    #[inline]
    fn push_scores(
        &mut self,
        state: &EvalState,
        row: &Row<'_>,
        line: u64,
        record: u64,
        label: u64,
        t: u32,
    ) {
        // Probability rows keep their values in `proba` (and no score).
        let (score, proba) = if !row.proba.is_empty() {
            (0.0, row.proba)
        } else if let Some(s) = row.score {
            (s.value, &[][..])
        } else {
            return;
        };
        self.size_samples(proba.len().max(1));
        let key = fingerprint::of_line(record);
        let make = |key: u64| SampledRow {
            key,
            line,
            label,
            score,
            proba: proba.into(),
        };
        if self.sample.takes(key) {
            self.sample.push(make(key));
        }
        if proba.is_empty() {
            self.score_candidates(line, label, score);
        } else {
            let Some(col) = state.proba_ids.iter().position(|&id| id == t) else {
                return;
            };
            let other = proba
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != col)
                .map(|(_, &v)| v)
                .fold(f64::NEG_INFINITY, f64::max);
            let key = margin_key(other - proba[col]);
            if self.margins.takes(key) {
                self.margins.push(make(key));
            }
        }
    }

    /// Keeps a row of one score as a candidate label error when its score is among those most
    /// against its label (the lowest, should the label be the positive class; the highest,
    /// should it be the negative one).
    #[inline(always)]
    fn score_candidates(&mut self, line: u64, label: u64, score: f64) {
        if let Some(i) = self.candidate_slot(label) {
            self.offer_candidate(i, line, label, score);
        }
    }

    /// The position of the candidate sets of `label` (made when there is room for them).
    #[inline]
    fn candidate_slot(&mut self, label: u64) -> Option<usize> {
        match self.scores.iter().position(|c| c.label == label) {
            Some(i) => Some(i),
            None if self.scores.len() < SCORE_LABELS => {
                self.scores.push(ScoreCandidates {
                    label,
                    if_positive: BottomK::new(CANDIDATES_KEPT),
                    if_negative: BottomK::new(CANDIDATES_KEPT),
                });
                Some(self.scores.len() - 1)
            }
            None => None,
        }
    }

    /// Offers a row of `label` and `score` to the candidate sets at position `i`.
    #[inline(always)]
    fn offer_candidate(&mut self, i: usize, line: u64, label: u64, score: f64) {
        let c = &mut self.scores[i];
        let (up, down) = (margin_key(1.0 - 2.0 * score), margin_key(2.0 * score - 1.0));
        let make = |key: u64| SampledRow {
            key,
            line,
            label,
            score,
            proba: Box::default(),
        };
        if c.if_positive.takes(up) {
            c.if_positive.push(make(up));
        }
        if c.if_negative.takes(down) {
            c.if_negative.push(make(down));
        }
    }

    /// Adds another audit's rows.
    pub fn merge(&mut self, other: &RowAudit) {
        for (a, b) in self.skipped.iter_mut().zip(other.skipped) {
            *a += b;
        }
        self.rows += other.rows;
        if other.places.is_empty() {
            self.records.merge(&other.records);
        } else {
            let remap: Vec<u32> = (other.places.iter())
                .map(|values| self.place_by_values(values))
                .collect();
            let mut theirs = other.records.clone();
            theirs.map_places(&|p| remap.get(p as usize).copied().unwrap_or(NO_PLACE));
            self.records.merge(&theirs);
        }
        self.ids.merge(&other.ids);
        match (self.sample.k, other.sample.k) {
            (_, 0) => {}
            (0, _) => {
                self.sample = other.sample.clone();
                self.margins = other.margins.clone();
            }
            _ => {
                self.sample.merge(&other.sample);
                self.margins.merge(&other.margins);
            }
        }
        for theirs in &other.scores {
            match self.scores.iter().position(|c| c.label == theirs.label) {
                Some(i) => {
                    let mine = &mut self.scores[i];
                    mine.if_positive.merge(&theirs.if_positive);
                    mine.if_negative.merge(&theirs.if_negative);
                }
                None if self.scores.len() < SCORE_LABELS => self.scores.push(theirs.clone()),
                None => {}
            }
        }
        // The per-state cache is rebuilt on demand: the other side numbers classes its own way.
        self.class_hashes.clear();
    }

    /// Whether each id's first row was predicted right, by id hash, for paired comparisons.
    /// `pos` is the positive class of a binary task whose predictions came from a score.
    pub fn id_outcomes(&self, pos: Option<&str>) -> Option<IdOutcomes> {
        if self.ids.entries().is_empty() {
            return None;
        }
        let pos = pos.map(|p| fingerprint::of_bytes(p.as_bytes()));
        let right = |label: u64, pred: u64| match pred {
            PRED_POSITIVE => Some(label) == pos,
            PRED_NEGATIVE => Some(label) != pos,
            p => p == label,
        };
        Some(IdOutcomes {
            level: self.ids.level(),
            right: self
                .ids
                .entries()
                .iter()
                .map(|(&h, e)| (h, right(e.first.1, e.first.2)))
                .collect(),
        })
    }

    /// The summary of a finished run: `evaluation` is the overall result, `classes` every class
    /// of the overall state, `proba` the classes of the probability columns in column order,
    /// `multiclass` the exact label issues of a multiclass task ([`multiclass_issues`], taken
    /// before the state was finished), `recalibration` what [`recalibration`](Self::recalibration)
    /// gave for the evaluation's positive class (the longest part, so callers run it early).
    pub fn summary(
        &self,
        evaluation: &super::Evaluation,
        (classes, proba): (&[LabelKey], &[LabelKey]),
        multiclass: Option<ExactIssues>,
        id_column: Option<&str>,
        recalibration: Option<Recalibration>,
    ) -> AuditSummary {
        let pos = evaluation.pos_label.as_deref().and_then(LabelKey::parse);
        let neg = pos.as_ref().and_then(|p| {
            evaluation
                .labels
                .iter()
                .filter_map(|l| LabelKey::parse(l))
                .chain(proba.iter().cloned())
                .find(|k| k != p)
        });
        let issues = match (&pos, &neg, &evaluation.scores) {
            (Some(p), Some(n), Some(s)) if !s.sorted.0.is_empty() || !s.sorted.1.is_empty() => {
                Some(binary_issues(p, n, &s.sorted))
            }
            (None, _, Some(_)) => multiclass,
            _ => None,
        };
        self.finish(
            &AuditContext {
                classes,
                proba,
                pos: pos.as_ref(),
                id_column,
                rows: evaluation.rows,
                issues,
            },
            recalibration,
        )
    }

    /// The summary. `classes` are every class of the overall state, `proba` the classes of the
    /// probability columns in column order, `pos` the positive class of a binary task,
    /// `binary_scores` the exact (positive, negative) ranked positive-class scores of a binary
    /// task, and `multiclass` the exact label issues of a multiclass task; `recalibration` is
    /// taken as given.
    pub fn finish(
        &self,
        context: &AuditContext<'_>,
        recalibration: Option<Recalibration>,
    ) -> AuditSummary {
        let name_of = |h: u64| {
            context
                .classes
                .iter()
                .find(|k| class_hash(k) == h)
                .map_or_else(|| format!("#{h:016x}"), LabelKey::name)
        };
        let skipped = OrderedMap(
            SKIP_NAMES
                .iter()
                .zip(self.skipped)
                .map(|(n, c)| (n.to_string(), c))
                .collect(),
        );
        let duplicates = self.duplicates();
        let ids = context
            .id_column
            .map(|column| self.id_summary(column, &name_of));
        let label_issues = self.label_issues(context, &name_of);
        AuditSummary {
            skipped,
            duplicates,
            ids,
            label_issues,
            recalibration,
        }
    }

    fn duplicates(&self) -> Duplicates {
        let scale = self.records.scale();
        let mut extra = 0u64;
        let mut lines = Vec::new();
        self.records.for_each_entry(|e| {
            if e.count > 1 {
                extra += e.count - 1;
                lines.extend_from_slice(&e.later);
            }
        });
        lines.sort_unstable();
        lines.truncate(DUPLICATE_LINES_LISTED);
        Duplicates {
            rows_checked: self.rows,
            duplicate_rows: (extra as f64 * scale).round() as u64,
            exact: self.records.exact(),
            lines,
            segments: OrderedMap::default(),
        }
    }

    fn id_summary(&self, column: &str, name_of: &dyn Fn(u64) -> String) -> IdSummary {
        let scale = self.ids.scale();
        let entries = self.ids.entries();
        let (mut duplicate, mut conflicting) = (0u64, 0u64);
        let mut examples: Vec<&IdEntry> = Vec::new();
        for e in entries.values() {
            let conflict = !e.other_labels.is_empty();
            duplicate += u64::from(e.count > 1);
            conflicting += u64::from(conflict);
            if e.count > 1 || conflict {
                examples.push(e);
            }
        }
        examples.sort_unstable_by_key(|e| (e.first.0, e.text.clone()));
        examples.truncate(ID_EXAMPLES);
        let scaled = |n: u64| (n as f64 * scale).round() as u64;
        IdSummary {
            column: column.to_string(),
            distinct: scaled(entries.len() as u64),
            duplicate_ids: scaled(duplicate),
            conflicting_ids: scaled(conflicting),
            exact: self.ids.exact(),
            examples: examples
                .into_iter()
                .map(|e| IdExample {
                    id: e.text.to_string(),
                    lines: std::iter::once(e.first.0)
                        .chain(e.later.iter().copied())
                        .collect(),
                    labels: std::iter::once(e.first.1)
                        .chain(e.other_labels.iter().copied())
                        .map(name_of)
                        .collect(),
                    conflicting: !e.other_labels.is_empty(),
                })
                .collect(),
        }
    }

    /// The rows' probabilities as (class hash, probability) per column, for a row.
    fn label_issues(
        &self,
        context: &AuditContext<'_>,
        name_of: &dyn Fn(u64) -> String,
    ) -> Option<LabelIssues> {
        let exact = context.issues.as_ref()?;
        let rows = context.rows.max(1);
        let thresholds: Vec<(u64, f64)> = exact
            .thresholds
            .iter()
            .map(|(k, t)| (class_hash(k), *t))
            .collect();
        let threshold = |h: u64| thresholds.iter().find(|t| t.0 == h).map(|t| t.1);
        let proba_hashes: Vec<u64> = context.proba.iter().map(class_hash).collect();
        let pos = context.pos.map(class_hash);
        let neg = context
            .classes
            .iter()
            .map(class_hash)
            .find(|&h| Some(h) != pos && threshold(h).is_some());
        // The candidate rows, by their probabilities per class.
        let mut listed: Vec<(u64, SuspectRow)> = Vec::new();
        let mut consider = |r: &SampledRow, probs: &[(u64, f64)]| {
            let Some(&(_, p_label)) = probs.iter().find(|(h, _)| *h == r.label) else {
                return;
            };
            let Some(t_label) = threshold(r.label) else {
                return;
            };
            if p_label >= t_label {
                return;
            }
            let best = probs
                .iter()
                .filter(|(h, p)| *h != r.label && threshold(*h).is_some_and(|t| *p >= t))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some(&(h, p)) = best {
                listed.push((
                    r.key,
                    SuspectRow {
                        line: r.line,
                        label: name_of(r.label),
                        suggested: name_of(h),
                        p_label,
                        p_suggested: p,
                    },
                ));
            }
        };
        let binary = |r: &SampledRow| -> Option<Vec<(u64, f64)>> {
            let (pos, neg) = (pos?, neg?);
            let p = if r.proba.is_empty() {
                r.score
            } else {
                r.proba[proba_hashes.iter().position(|&h| h == pos)?]
            };
            Some(vec![(pos, p), (neg, 1.0 - p)])
        };
        if context.pos.is_some() {
            // A label's suspects are its rows scored most like the other class: the lowest
            // scores for the positive class, the highest for the other. Taking that one set
            // per label lists each row once, without telling rows apart by their line (which
            // merged shards repeat).
            let sets = self
                .scores
                .iter()
                .map(|c| {
                    if Some(c.label) == pos {
                        &c.if_positive
                    } else {
                        &c.if_negative
                    }
                })
                .chain([&self.margins]);
            for set in sets {
                for r in &set.rows {
                    if let Some(probs) = binary(r) {
                        let mut r = r.clone();
                        let p_label = probs.iter().find(|(h, _)| *h == r.label).map(|x| x.1);
                        let other = probs.iter().find(|(h, _)| *h != r.label).map(|x| x.1);
                        if let (Some(a), Some(b)) = (p_label, other) {
                            r.key = margin_key(b - a);
                        }
                        consider(&r, &probs);
                    }
                }
            }
        } else {
            for r in &self.margins.rows {
                let probs: Vec<(u64, f64)> = proba_hashes
                    .iter()
                    .copied()
                    .zip(r.proba.iter().copied())
                    .collect();
                consider(r, &probs);
            }
        }
        listed.sort_unstable_by_key(|(key, row)| (*key, row.line));
        listed.truncate(CANDIDATES_KEPT);
        let rows_listed: Vec<SuspectRow> = listed.into_iter().map(|(_, r)| r).collect();
        Some(LabelIssues {
            thresholds: OrderedMap(
                exact
                    .thresholds
                    .iter()
                    .map(|(k, t)| (k.name(), *t))
                    .collect(),
            ),
            suspects: exact.suspects,
            noise_rate: exact.suspects as f64 / rows as f64,
            all_listed: rows_listed.len() as u64 == exact.suspects,
            rows: rows_listed,
        })
    }

    /// The recalibration fits on the uniform sample: `pos` is the positive class of a binary
    /// task, `proba` the classes of the probability columns in column order. It reads nothing
    /// of the finished evaluation, so it can run while the evaluation is finished.
    pub fn recalibration(
        &self,
        pos: Option<&LabelKey>,
        proba: &[LabelKey],
    ) -> Option<Recalibration> {
        let rows = self.sample.clone().finished();
        if rows.is_empty() {
            return None;
        }
        let exact = (rows.len() as u64) == self.rows;
        let proba_hashes: Vec<u64> = proba.iter().map(class_hash).collect();
        match pos {
            Some(pos) => {
                let pos = class_hash(pos);
                let column = proba_hashes.iter().position(|&h| h == pos);
                let binary: Vec<BinaryRow> = rows
                    .iter()
                    .filter_map(|r| {
                        let score = if r.proba.is_empty() {
                            r.score
                        } else {
                            r.proba[column?]
                        };
                        Some(BinaryRow {
                            score,
                            positive: r.label == pos,
                            fit: r.key & 1 == 0,
                        })
                    })
                    .collect();
                recalibrate::binary(&binary, exact)
            }
            None => {
                let multi: Vec<(&[f64], usize, bool)> = rows
                    .iter()
                    .filter(|r| r.proba.len() == proba_hashes.len() && !r.proba.is_empty())
                    .filter_map(|r| {
                        let y = proba_hashes.iter().position(|&h| h == r.label)?;
                        Some((&*r.proba, y, r.key & 1 == 0))
                    })
                    .collect();
                recalibrate::multiclass(&multi, exact)
            }
        }
    }
}

/// Ids and whether each id's first row was predicted right, from a [`RowAudit`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdOutcomes {
    /// The ids' sampling level (ids kept have at least this many leading zero bits).
    pub level: u32,
    /// Per id hash: predicted right.
    pub right: super::distinct::HashedMap<bool>,
}

/// What the audit's summary needs from the finished evaluation.
#[derive(Debug, Clone)]
pub struct AuditContext<'a> {
    /// Every class of the run.
    pub classes: &'a [LabelKey],
    /// The classes of the probability columns, in column order.
    pub proba: &'a [LabelKey],
    /// The positive class (binary).
    pub pos: Option<&'a LabelKey>,
    /// The id column, when given.
    pub id_column: Option<&'a str>,
    /// Rows evaluated.
    pub rows: u64,
    /// The exact label-issue counts (null without scores).
    pub issues: Option<ExactIssues>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_entries_stay_small() {
        // Tens of thousands of entries per worker: the lists that are nearly always empty are
        // one pointer each.
        assert_eq!(std::mem::size_of::<RecordEntry>(), 32);
        assert_eq!(std::mem::size_of::<IdEntry>(), 64);
        // Up to 200,000 sampled rows per worker: probabilities, absent from binary rows, are a
        // slice without spare room.
        assert_eq!(std::mem::size_of::<SampledRow>(), 48);
    }

    #[test]
    fn margin_keys_sort_the_largest_margin_first() {
        let margins = [
            f64::INFINITY,
            1.0,
            0.5,
            1e-300,
            0.0,
            -0.0,
            -1e-300,
            -0.25,
            -1.0,
            f64::NEG_INFINITY,
        ];
        for pair in margins.windows(2) {
            let (a, b) = (margin_key(pair[0]), margin_key(pair[1]));
            // Zero and negative zero are one margin apart by their bits alone.
            assert!(a < b, "{} should come before {}", pair[0], pair[1]);
        }
    }
    use crate::metrics::ranked::Score;

    fn audit_rows(rows: &[(u64, &str, f64, &str)], id: bool) -> (RowAudit, EvalState) {
        let mut state = EvalState::default();
        let mut audit = RowAudit::default();
        for &(line, label, score, ident) in rows {
            let row = Row {
                label,
                prediction: Prediction::Positive(score >= 0.5),
                score: Some(Score::raw(score)),
                proba: &[],
            };
            let ids = state.resolve(&row).unwrap();
            state.push_resolved(&row, ids.0, ids.1);
            state.last_ids = Some(ids);
            let record = fingerprint::of_bytes(format!("{label},{score},{ident}").as_bytes());
            let none = |_: usize, _: u32| Box::<str>::default();
            let place = RowPlace {
                positions: &[],
                value: &none,
            };
            let id = id.then_some(ident.as_bytes());
            audit.push(&state, &row, (line, record), id, &place);
        }
        (audit, state)
    }

    fn rows() -> Vec<(u64, &'static str, f64, &'static str)> {
        (0..400u64)
            .map(|i| {
                let label = if i % 3 == 0 { "1" } else { "0" };
                let score = ((i * 37) % 100) as f64 / 100.0;
                let id: &'static str = Box::leak(format!("id{}", i % 390).into_boxed_str());
                (i + 2, label, score, id)
            })
            .collect()
    }

    #[test]
    fn merge_of_any_split_equals_one_pass() {
        let all = rows();
        let (whole, _) = audit_rows(&all, true);
        for cut in [0, 1, 150, 399] {
            let (mut a, _) = audit_rows(&all[..cut], true);
            let (b, _) = audit_rows(&all[cut..], true);
            a.merge(&b);
            let (mut x, mut y) = (a.sample.clone().finished(), whole.sample.clone().finished());
            x.sort_by_key(|r| r.line);
            y.sort_by_key(|r| r.line);
            assert_eq!(x, y);
            assert_eq!(a.duplicates(), whole.duplicates());
            let name = |h: u64| format!("{h}");
            assert_eq!(a.id_summary("id", &name), whole.id_summary("id", &name));
            assert_eq!(a.id_outcomes(Some("1")), whole.id_outcomes(Some("1")));
        }
    }

    #[test]
    fn duplicate_records_and_conflicting_ids() {
        let data = [
            (2, "1", 0.9, "a"),
            (3, "0", 0.2, "b"),
            (4, "1", 0.9, "a"),
            (5, "0", 0.9, "a"),
            (6, "1", 0.9, "a"),
        ];
        let (audit, _) = audit_rows(&data, true);
        let d = audit.duplicates();
        assert_eq!(
            (d.duplicate_rows, d.lines.clone(), d.exact),
            (2, vec![4, 6], true)
        );
        let s = audit.id_summary("id", &|h| format!("{h}"));
        assert_eq!((s.distinct, s.duplicate_ids, s.conflicting_ids), (2, 1, 1));
        assert_eq!(s.examples[0].id, "a");
        assert_eq!(s.examples[0].lines, vec![2, 4, 5, 6]);
        assert!(s.examples[0].conflicting);
    }

    #[test]
    fn bottom_k_keeps_the_smallest_keys_whatever_the_split() {
        let rows: Vec<SampledRow> = (0..1000)
            .map(|i| SampledRow {
                key: fingerprint::of_line(i),
                line: i,
                label: 0,
                score: 0.0,
                proba: Box::default(),
            })
            .collect();
        let fill = |part: &[SampledRow]| {
            let mut b = BottomK::new(50);
            for r in part {
                if b.takes(r.key) {
                    b.push(r.clone());
                }
            }
            b
        };
        let mut expect: Vec<u64> = rows.iter().map(|r| r.key).collect();
        expect.sort_unstable();
        expect.truncate(50);
        for cut in [0, 333, 999, 1000] {
            let mut a = fill(&rows[..cut]);
            a.merge(&fill(&rows[cut..]));
            let keys: Vec<u64> = a.finished().iter().map(|r| r.key).collect();
            assert_eq!(keys, expect, "cut {cut}");
        }
    }

    #[test]
    fn bottom_k_keeps_k_rows_when_shards_repeat_keys_and_lines() {
        // Two shards of the same rows (lines restart in each shard), and repeated keys.
        let rows: Vec<SampledRow> = (0..400)
            .map(|i| SampledRow {
                key: fingerprint::of_line(i % 150),
                line: i % 150,
                label: 0,
                score: 0.0,
                proba: Box::default(),
            })
            .collect();
        let fill = || {
            let mut b = BottomK::new(50);
            for r in &rows {
                if b.takes(r.key) {
                    b.push(r.clone());
                }
            }
            b
        };
        let mut all: Vec<(u64, u64)> = rows.iter().map(|r| (r.key, r.line)).collect();
        all.extend(all.clone());
        all.sort_unstable();
        all.truncate(50);
        let mut a = fill();
        a.merge(&fill());
        let kept: Vec<(u64, u64)> = a.finished().iter().map(|r| (r.key, r.line)).collect();
        assert_eq!(kept, all);
    }

    #[test]
    fn the_audit_round_trips_through_json() {
        let (audit, _) = audit_rows(&rows(), true);
        let text = serde_json::to_string(&audit).unwrap();
        let back: RowAudit = serde_json::from_str(&text).unwrap();
        assert_eq!(back.duplicates(), audit.duplicates());
        assert_eq!(back.id_outcomes(Some("1")), audit.id_outcomes(Some("1")));
        assert_eq!(back.sample, audit.sample);
    }
}
