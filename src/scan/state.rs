//! Saved shard states: the exact, mergeable state of a scan written to a file
//! (`mlguard eval --save-state`), read back and merged (`mlguard merge`).
//!
//! A state file is one JSON object, compressed with zstd: a format marker and version, the
//! settings the shard was read with (column roles, segment columns, windows, score rules), and
//! the [`Scan`] itself in the same object (the facts of its header that the report shows, the
//! rows skipped and warnings, and the full accumulated state) — an envelope, not a copy of its
//! fields. Score tables are written as parallel arrays of distinct values and counts, so a state
//! stays small however many rows it holds; compressed, a score written out in its 17 digits
//! takes about the 8 bytes it takes in memory. Plain JSON states (as written before states were
//! compressed, or decompressed with `zstd -d`) are read as well. Because the accumulators merge
//! exactly, merging the states of the parts of a file, in order, gives the state of one pass
//! over the whole file.
//!
//! Fields are read with `#[serde(default)]`: a state written before a field was added reads that
//! field as empty. A change that makes older states unreadable or unmergeable with newer ones
//! (version 2: records are fingerprinted by their whole line) raises [`STATE_VERSION`].

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{Scan, WindowSpec};
use crate::io::columns::ColumnFlags;
use crate::io::decode::ScoreRules;
use crate::io::output::{write_atomic, OutputError};
use crate::label::LabelKey;
use crate::metrics::segments::MAX_SEGMENTS;

/// The marker in the `format` field of every state file.
pub const STATE_FORMAT: &str = "mlguard-state";
/// The version of the state layout; states of another version are refused.
pub const STATE_VERSION: u32 = 2;
/// How many skipped line numbers a merged state keeps (as a scan does).
const SKIPPED_KEPT: usize = 10;
/// The first bytes of a zstd frame: a state file starting with them is compressed.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// zstd's fastest level: on states (digits, keys repeated in every entry) it compresses as well
/// as the default level (a 115 MB state to 30 MB), in less time.
const COMPRESSION_LEVEL: i32 = 1;

/// Why a state file cannot be used.
#[derive(Debug, Error)]
pub enum StateError {
    /// The file cannot be read.
    #[error("{path}: cannot read the state file: {source} (check the path)")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a state file.
    #[error(
        "{0}: not an mlguard state file (write one with `mlguard eval FILE --save-state {0}`)"
    )]
    Foreign(PathBuf),
    /// The file was written by a version with another state layout.
    #[error(
        "{path}: state format version {found}, this mlguard reads version {STATE_VERSION} \
         (write the state again with this mlguard's `eval --save-state`)"
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u64,
    },
    /// The file is damaged.
    #[error("{path}: damaged state file: {detail} (write the state again with `mlguard eval --save-state`)")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The file was read with other settings than the first state.
    #[error(
        "{path}: {what} is {found}, but {first} has {expected} (merge only states of one input \
         read with the same columns and settings)"
    )]
    Incompatible {
        /// The file.
        path: PathBuf,
        /// The setting that differs.
        what: &'static str,
        /// The first state file.
        first: PathBuf,
        /// Its value there.
        expected: String,
        /// Its value here.
        found: String,
    },
    /// Merging would give a segment column more distinct values than one pass accepts.
    #[error(
        "{path}: segment column '{column}' would have more than {limit} distinct values with this \
         state (segment by a column with fewer values)"
    )]
    TooManySegments {
        /// The file.
        path: PathBuf,
        /// The segment column.
        column: String,
        /// The limit.
        limit: usize,
    },
    /// The state cannot be written.
    #[error("{0}")]
    Write(#[from] OutputError),
}

/// The settings a shard was read with, which every merged shard must share.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadSettings {
    /// Column roles given by flags.
    pub columns: ColumnFlags,
    /// Segment columns as asked for.
    pub segments: Vec<String>,
    /// Time windows.
    pub windows: WindowSpec,
    /// How scores were read.
    pub rules: ScoreRules,
}

/// A state file: a marker, the settings the shard was read with, and its scan, whose fields
/// sit beside the envelope's in one JSON object.
#[derive(Debug, Serialize)]
pub struct SavedState {
    /// Always [`STATE_FORMAT`].
    format: String,
    /// [`STATE_VERSION`].
    version: u32,
    /// The mlguard that wrote it.
    #[serde(default)]
    tool_version: String,
    /// The input the state was read from (for a merge: a description of the states merged).
    pub input: String,
    /// The settings it was read with.
    pub read: ReadSettings,
    /// The scan.
    #[serde(flatten)]
    pub scan: Scan,
}

/// The envelope's own fields, read beside the scan's. (The scan is read from the same object
/// on its own, not through a flattened field: that would buffer the whole state and cannot
/// read map keys that are numbers.)
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    tool_version: String,
    input: String,
    #[serde(default)]
    read: ReadSettings,
}

/// The first fields, read before the rest to tell a foreign or newer file from a damaged one.
#[derive(Deserialize)]
struct Marker {
    format: Option<String>,
    version: Option<u64>,
}

impl SavedState {
    /// The state of a finished scan, read with `read` from `input`.
    pub fn from_scan(scan: Scan, input: &str, read: &ReadSettings) -> SavedState {
        SavedState {
            format: STATE_FORMAT.to_string(),
            version: STATE_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            input: input.to_string(),
            read: read.clone(),
            scan,
        }
    }

    /// Reads and checks a state file.
    pub fn load(path: &Path) -> Result<SavedState, StateError> {
        let bytes = std::fs::read(path).map_err(|source| StateError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        SavedState::from_bytes(&bytes, path)
    }

    /// Reads and checks the bytes of a state file, compressed or not; `path` names it in
    /// messages.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<SavedState, StateError> {
        let plain;
        let bytes = if bytes.starts_with(&ZSTD_MAGIC) {
            plain = zstd::stream::decode_all(bytes).map_err(|e| StateError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("its compressed data cannot be read ({e})"),
            })?;
            &plain[..]
        } else {
            bytes
        };
        let marker: Marker =
            serde_json::from_slice(bytes).map_err(|_| StateError::Foreign(path.to_path_buf()))?;
        if marker.format.as_deref() != Some(STATE_FORMAT) {
            return Err(StateError::Foreign(path.to_path_buf()));
        }
        match marker.version {
            Some(v) if v == u64::from(STATE_VERSION) => {}
            found => {
                return Err(StateError::Version {
                    path: path.to_path_buf(),
                    found: found.unwrap_or(0),
                })
            }
        }
        let corrupt = |detail: String| StateError::Corrupt {
            path: path.to_path_buf(),
            detail,
        };
        let envelope: Envelope =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        let mut scan: Scan = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        scan.state.restored();
        let saved = SavedState {
            format: STATE_FORMAT.to_string(),
            version: STATE_VERSION,
            tool_version: envelope.tool_version,
            input: envelope.input,
            read: envelope.read,
            scan,
        };
        saved.check().map_err(corrupt)?;
        Ok(saved)
    }

    /// Checks that the parts of the state agree, so that finishing it cannot go wrong.
    fn check(&self) -> Result<(), String> {
        let columns = self.scan.header.len();
        let plan = &self.scan.plan;
        let indices = [Some(plan.label), plan.prediction, plan.score]
            .into_iter()
            .flatten()
            .chain(plan.proba.iter().map(|c| c.index));
        if indices.into_iter().any(|i| i >= columns) {
            return Err("a column role points past the header".into());
        }
        if self.scan.segment_columns.len() != self.scan.state.columns.len() {
            return Err("the segment columns do not match the segment states".into());
        }
        let classes: Vec<LabelKey> = plan.proba.iter().map(|c| c.class.clone()).collect();
        if self.scan.state.proba_classes() != classes {
            return Err("the probability classes do not match the columns".into());
        }
        if let Some(weighted) = &self.scan.weighted {
            weighted.check()?;
        }
        self.scan.state.check()
    }

    /// Writes the state to `path` atomically, refusing to replace any of `inputs`.
    pub fn save(&mut self, path: &Path, inputs: &[&Path]) -> Result<(), StateError> {
        Ok(write_atomic(path, &self.to_bytes(), inputs)?)
    }

    /// The bytes of the state file: its JSON text, compressed (with a checksum, so that a
    /// damaged file is told apart from a state), its scan's state in its saved form
    /// ([`SegmentedState::saved_form`]), which is as it was once written.
    pub fn to_bytes(&mut self) -> Vec<u8> {
        let left_out = self.scan.state.saved_form();
        let bytes = self.encoded();
        self.scan.state.put_back(left_out);
        bytes
    }

    /// The state's bytes as it stands.
    fn encoded(&self) -> Vec<u8> {
        // Writing to memory fails only when memory does, which aborts anyway.
        let mut encoder = zstd::Encoder::new(Vec::new(), COMPRESSION_LEVEL).expect("zstd starts");
        encoder
            .include_checksum(true)
            .expect("zstd takes a checksum");
        {
            // serde_json writes in small pieces; the compressor is fed larger ones.
            let mut text = std::io::BufWriter::with_capacity(1 << 16, &mut encoder);
            serde_json::to_writer(&mut text, self).expect("states serialise");
            text.write_all(b"\n").expect("writes to memory succeed");
            text.flush().expect("writes to memory succeed");
        }
        encoder.finish().expect("writes to memory succeed")
    }

    /// Adds the rows of `other`, read from `path`, after checking that both were read alike.
    pub fn merge(
        &mut self,
        first: &Path,
        other: &SavedState,
        path: &Path,
    ) -> Result<(), StateError> {
        let differ = |what: &'static str, expected: String, found: String| {
            Err(StateError::Incompatible {
                path: path.to_path_buf(),
                what,
                first: first.to_path_buf(),
                expected,
                found,
            })
        };
        let (mine, theirs) = (self.roles(), other.roles());
        for ((what, a), (_, b)) in mine.into_iter().zip(theirs) {
            if a != b {
                return differ(what, a, b);
            }
        }
        if self.scan.segment_columns != other.scan.segment_columns {
            return differ(
                "the segment columns",
                format!("{:?}", self.scan.segment_columns),
                format!("{:?}", other.scan.segment_columns),
            );
        }
        if self.read.windows != other.read.windows {
            return differ(
                "the time windows",
                format!("{:?}", self.read.windows),
                format!("{:?}", other.read.windows),
            );
        }
        if self.read.rules != other.read.rules {
            return differ(
                "the score reading (--threshold, --scores-are-logits)",
                format!("{:?}", self.read.rules),
                format!("{:?}", other.read.rules),
            );
        }
        for ((mine, theirs), column) in self
            .scan
            .state
            .columns
            .iter()
            .zip(&other.scan.state.columns)
            .zip(&self.scan.segment_columns)
        {
            let known: HashSet<&str> = mine.states.iter().map(|(v, _)| &**v).collect();
            let new = theirs
                .states
                .iter()
                .filter(|(v, _)| !known.contains(&**v))
                .count();
            if known.len() + new > MAX_SEGMENTS {
                return Err(StateError::TooManySegments {
                    path: path.to_path_buf(),
                    column: column.clone(),
                    limit: MAX_SEGMENTS,
                });
            }
        }
        if self.scan.latency.is_some() != other.scan.latency.is_some() {
            return differ(
                "the latency column (--latency-col)",
                format!("{}", self.scan.latency.is_some()),
                format!("{}", other.scan.latency.is_some()),
            );
        }
        let weight_column = |scan: &Scan| {
            scan.weighted
                .as_ref()
                .map_or_else(|| "none".to_string(), |w| w.column().to_string())
        };
        if weight_column(&self.scan) != weight_column(&other.scan) {
            return differ(
                "the weight column (--weight-col)",
                weight_column(&self.scan),
                weight_column(&other.scan),
            );
        }
        self.scan.state.merge(&other.scan.state);
        if let (Some(mine), Some(theirs)) = (&mut self.scan.latency, &other.scan.latency) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.scan.weighted, &other.scan.weighted) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.scan.features, &other.scan.features) {
            mine.merge(theirs);
        }
        self.scan.rows_skipped += other.scan.rows_skipped;
        // Rows are told apart by the columns every part compared.
        if self.scan.columns_compared.is_some() || other.scan.columns_compared.is_some() {
            let compared = |scan: &Scan| scan.columns_compared.unwrap_or(scan.header.len());
            self.scan.columns_compared = Some(compared(&self.scan).min(compared(&other.scan)));
        }
        let room = SKIPPED_KEPT.saturating_sub(self.scan.skipped.len());
        self.scan
            .skipped
            .extend(other.scan.skipped.iter().take(room).cloned());
        for w in &other.scan.warnings {
            if !self.scan.warnings.contains(w) {
                self.scan.warnings.push(w.clone());
            }
        }
        Ok(())
    }

    /// The column roles, by name, as the report shows them.
    fn roles(&self) -> [(&'static str, String); 4] {
        let name = |i: Option<usize>| {
            i.map_or_else(|| "none".to_string(), |i| self.scan.header[i].clone())
        };
        let proba: Vec<&str> = self
            .scan
            .plan
            .proba
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        [
            ("the label column", name(Some(self.scan.plan.label))),
            ("the prediction column", name(self.scan.plan.prediction)),
            ("the score column", name(self.scan.plan.score)),
            ("the probability columns", format!("{proba:?}")),
        ]
    }
}

/// What `input.path` says for a merge: how many states, the first and the last.
pub fn merged_input_name(paths: &[PathBuf]) -> String {
    let shown = |p: &PathBuf| p.display().to_string();
    match paths {
        [] => "merge of 0 states".to_string(),
        [one] => format!("merge of 1 state ({})", shown(one)),
        [a, b] => format!("merge of 2 states ({}, {})", shown(a), shown(b)),
        [first, .., last] => format!(
            "merge of {} states ({} … {})",
            paths.len(),
            shown(first),
            shown(last)
        ),
    }
}
