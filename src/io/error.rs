//! Input errors: what is wrong, where (file and line), and how to fix it.
//!
//! Every message reads `FILE:LINE: what is wrong (how to fix it)`, so a user can jump to the line
//! and knows the next step without reading documentation.

use std::fmt;
use std::io;

use thiserror::Error;

use crate::metrics::MetricsError;

/// Where in the input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it (`-` for standard input).
    pub file: String,
    /// 1-based line number, when the problem belongs to a line (the row number, for a
    /// columnar file).
    pub line: Option<u64>,
    /// Whether `line` counts the rows of a columnar file (Parquet, Arrow) rather than lines.
    pub rows: bool,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = if self.file == "-" {
            "<stdin>"
        } else {
            &self.file
        };
        match (self.line, self.rows) {
            (Some(row), true) => write!(f, "{file}: row {row}"),
            (Some(line), false) => write!(f, "{file}:{line}"),
            (None, _) => f.write_str(file),
        }
    }
}

/// An input problem with its location; displayed on one line, with control characters from
/// the input (a newline inside a quoted cell, say) shown escaped.
#[derive(Debug, Error)]
#[error("{}", one_line(&format!("{location}: {problem}")))]
pub struct InputError {
    /// Where.
    pub location: Location,
    /// What.
    pub problem: Box<Problem>,
}

/// Longest cell or column name quoted whole in a message.
pub const MAX_QUOTED: usize = 60;

/// A cell or name as quoted in an error message: up to [`MAX_QUOTED`] characters, longer ones
/// cut with their size, so that a 10 MB cell still gives a one-line, readable error.
pub fn cell(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

/// Text on one line: control characters shown as escapes.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// What is wrong with an input.
#[derive(Debug, Error)]
pub enum Problem {
    /// The file cannot be opened.
    #[error("cannot open the file: {0} (check the path and its permissions)")]
    Open(io::Error),
    /// The path is a directory.
    #[error("is a directory, not a file (give the path of a predictions file)")]
    Directory,
    /// Reading failed.
    #[error("read error: {0} (check that the file is readable and complete)")]
    Read(io::Error),
    /// Compressed data is damaged.
    #[error("corrupt or truncated {codec} data: {detail} (check that the file was completely written or downloaded)")]
    Corrupt {
        /// gzip or zstd.
        codec: &'static str,
        /// The decompressor's message.
        detail: String,
    },
    /// Nothing in the file.
    #[error("the file is empty (expected a header row followed by data rows)")]
    Empty,
    /// A header but no rows.
    #[error("no data rows after the header (the file holds only a header)")]
    HeaderOnly,
    /// Two header cells with the same name.
    #[error("duplicate column name '{0}' in the header (rename one of the two columns)")]
    DuplicateColumn(String),
    /// A required role has no column.
    #[error("no {role} column in the header [{header}] (name it with {flag} COLUMN)")]
    MissingRole {
        /// The role, e.g. "label".
        role: &'static str,
        /// The header, comma-separated.
        header: String,
        /// The flag that names it.
        flag: &'static str,
    },
    /// A role with two candidate columns.
    #[error("both '{first}' and '{second}' could be the {role} column in the header [{header}] (choose one with {flag} COLUMN)")]
    AmbiguousRole {
        /// The role.
        role: &'static str,
        /// First candidate.
        first: String,
        /// Second candidate.
        second: String,
        /// The header.
        header: String,
        /// The flag that picks one.
        flag: &'static str,
    },
    /// The first line has no label column, but a line under it looks like the header.
    #[error("no label column in the header [{header}], but line {line} looks like the header (pass --skip-rows {skip} to skip the lines above it)")]
    HeaderFurtherDown {
        /// The first line read as the header.
        header: String,
        /// The line that looks like the header.
        line: u64,
        /// The lines to skip to read it as the header.
        skip: u64,
    },
    /// A column named by a flag is not in the header.
    #[error(
        "column '{name}' given with {flag} is not in the header [{header}] (check its spelling)"
    )]
    UnknownColumn {
        /// The name given.
        name: String,
        /// The flag.
        flag: &'static str,
        /// The header.
        header: String,
    },
    /// No prediction of any kind.
    #[error("no prediction, score or probability columns in the header [{header}] (name one with --pred-col, --score-col or --proba-prefix)")]
    NoPrediction {
        /// The header.
        header: String,
    },
    /// Probability columns and a score column together.
    #[error("both a score column '{score}' and probability columns ({proba}) (keep one: pass --score-col for binary scores or --proba-prefix for per-class probabilities)")]
    ScoreAndProba {
        /// The score column.
        score: String,
        /// The probability columns.
        proba: String,
    },
    /// Two probability columns name one class.
    #[error(
        "probability columns '{first}' and '{second}' name the same class (rename or drop one)"
    )]
    DuplicateProbaClass {
        /// First column.
        first: String,
        /// Second column.
        second: String,
    },
    /// `--classes` names a different number of classes than there are probability columns.
    #[error("--classes names {} for {}: {names} (name the class of each column, in column order)", crate::text::count(*.given, "class"), crate::text::count(*.columns, "probability column"))]
    ClassesCount {
        /// Classes named.
        given: usize,
        /// Probability columns.
        columns: usize,
        /// The probability columns, comma-separated.
        names: String,
    },
    /// `--classes` without probability columns.
    #[error("--classes names the classes of per-class probability columns, but the header [{header}] has none (drop --classes, or name the columns' prefix with --proba-prefix)")]
    ClassesWithoutProba {
        /// The header.
        header: String,
    },
    /// Numbered probability columns whose classes the first rows do not tell.
    #[error("the probability columns ({columns}) are numbered and the labels are names, but the first rows name {} ({classes}) for {count} columns (pass the model's classes_ in column order, one name per column: --classes {example})", crate::text::count(*.found, "class"))]
    NumberedProbaClasses {
        /// The probability columns, comma-separated.
        columns: String,
        /// How many there are.
        count: usize,
        /// Distinct classes found.
        found: usize,
        /// The classes found, quoted and comma-separated.
        classes: String,
        /// The classes found as a `--classes` value.
        example: String,
    },
    /// A row's field count differs from the header's.
    #[error("the row has {found} fields but the header has {expected} (check the delimiter and the quoting on this line, or pass --skip-invalid)")]
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// The label cell is empty or missing.
    #[error("empty or missing label in column '{0}' (fill it in, or pass --skip-invalid to skip such rows)")]
    MissingLabel(String),
    /// The prediction cell is empty or missing.
    #[error("empty or missing prediction in column '{0}' (fill it in, or pass --skip-invalid to skip such rows)")]
    MissingPrediction(String),
    /// A score or probability cell is not a number.
    #[error("'{value}' in column '{column}' is not a number (scores must be numbers in [0, 1]; pass --skip-invalid to skip such rows)")]
    NotANumber {
        /// The column.
        column: String,
        /// The cell.
        value: String,
    },
    /// A score or probability is NaN or infinite.
    #[error("'{value}' in column '{column}' is not a finite number (scores must be numbers in [0, 1]; pass --skip-invalid to skip such rows)")]
    NotFinite {
        /// The column.
        column: String,
        /// The cell.
        value: String,
    },
    /// A score or probability outside [0, 1].
    #[error("{value} in column '{column}' is outside [0, 1] ({})", out_of_range_hint(.value))]
    OutOfRange {
        /// The column.
        column: String,
        /// The cell.
        value: String,
    },
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8 in column '{0}' (re-encode the file as UTF-8, e.g. `iconv -f latin1 -t utf-8`)")]
    InvalidUtf8(String),
    /// A Parquet or Arrow reader's error.
    #[error("cannot be read as {kind}: {detail} (check that the file was completely written or downloaded, and that it is {kind})")]
    Columnar {
        /// The format.
        kind: &'static str,
        /// The reader's message.
        detail: String,
    },
    /// A file named as columnar whose content is not.
    #[error("is named as {kind} but is not {kind} (it does not start with its magic bytes; check the file, or rename it if it is CSV, TSV or JSON Lines)")]
    NotColumnar {
        /// The format its name promises.
        kind: &'static str,
    },
    /// A glob pattern that cannot be read.
    #[error("is not a valid file pattern: {0} (quote the pattern, and use *, ? and [...] only)")]
    BadGlob(String),
    /// A directory or pattern with no file in it.
    #[error("{what} holds no data file (give a Parquet or Arrow file, a directory of them, or a pattern such as 'logs/*.parquet')")]
    NoParts {
        /// "the directory" or "the pattern".
        what: &'static str,
    },
    /// A file of a data set that is not Parquet or Arrow.
    #[error("{what} holds '{part}', which is not a Parquet or Arrow file (a directory or pattern is read as parts of one Parquet or Arrow data set; move the file out, or name a single file)")]
    NotAPart {
        /// The file.
        part: String,
        /// "the directory" or "the pattern".
        what: &'static str,
    },
    /// Parts of one data set under different partition folders.
    #[error("'{part}' is under the partition folders [{found}] but the first part under [{expected}] (every part of a data set must be under folders of the same keys)")]
    PartitionKeys {
        /// The part.
        part: String,
        /// The first part's keys.
        expected: String,
        /// This part's keys.
        found: String,
    },
    /// A part of a data set without a column the others have.
    #[error("has no column '{column}', which the first part has (every part of a data set needs the columns mlguard reads)")]
    MissingInPart {
        /// The column.
        column: String,
    },
    /// A columnar column of a type no role reads.
    #[error("column '{column}' holds {data_type}, which mlguard cannot read as a {role} (store it as numbers, strings, booleans or timestamps)")]
    UnreadableColumn {
        /// The column.
        column: String,
        /// Its type.
        data_type: String,
        /// What it was read for.
        role: &'static str,
    },
    /// A columnar file with no rows.
    #[error("holds no rows (the file has a schema and nothing else)")]
    NoRows,
    /// Every row waits for its label.
    #[error("none of its {rows} rows has a label yet: metrics need labelled rows (evaluate the log again once labels have arrived, or pass a file with the labelled rows)")]
    NoLabelsYet {
        /// The rows read.
        rows: u64,
    },
    /// The header itself is not UTF-8.
    #[error("the header is not valid UTF-8 (re-encode the file as UTF-8, e.g. `iconv -f latin1 -t utf-8`)")]
    HeaderUtf8,
    /// A label with no probability column.
    #[error("label '{label}' has no probability column (the probability columns name {classes}; add a column for it, fix the label, or name the columns' classes with --classes)")]
    LabelWithoutProba {
        /// The label.
        label: String,
        /// The classes of the probability columns.
        classes: String,
    },
    /// Malformed CSV.
    #[error("malformed CSV: {0} (check the quoting on this line)")]
    Csv(String),
    /// A JSON Lines line that is not a JSON object.
    #[error("not a JSON object: {0} (each line of a JSON Lines file must be one object)")]
    Json(String),
    /// A JSON value that cannot be a cell.
    #[error("field '{0}' holds a JSON array or object (use a string, number or boolean)")]
    JsonNested(String),
    /// A time cell that is not a timestamp.
    #[error("'{value}' in time column '{column}' is not a timestamp (use unix seconds or milliseconds, RFC 3339 such as 2026-03-01T12:00:00Z, or a date such as 2026-03-01; or pass --skip-invalid)")]
    BadTime {
        /// The column.
        column: String,
        /// The cell.
        value: String,
    },
    /// A latency cell that is not a latency.
    #[error("'{value}' in latency column '{column}' is not a latency (latencies must be numbers of milliseconds in [0, 1e12]; leave the cell empty when unknown, or pass --skip-invalid to skip such rows)")]
    BadLatency {
        /// The column.
        column: String,
        /// The cell.
        value: String,
    },
    /// A weight cell that is not a weight.
    #[error("'{value}' in weight column '{column}' is not a weight (weights must be numbers ≥ 0; 0 leaves a row out of the weighted metrics; fill in missing weights, or pass --skip-invalid to skip such rows)")]
    BadWeight {
        /// The column.
        column: String,
        /// The cell.
        value: String,
    },
    /// A segment column with too many distinct values.
    #[error("segment column '{column}' has more than {limit} distinct values (segment by a column with fewer values, not an id)")]
    TooManySegments {
        /// The column.
        column: String,
        /// The limit.
        limit: usize,
    },
    /// The metrics cannot be computed for these rows.
    #[error("{0}")]
    Metrics(#[from] MetricsError),
}

/// How to fix a score outside [0, 1]: a value up to 100 is most likely a percentage, to be
/// divided by 100 (reading it as a logit would give nonsense); anything else may be a margin.
fn out_of_range_hint(value: &str) -> &'static str {
    match value.trim().parse::<f64>() {
        Ok(v) if v > 1.0 && v <= 100.0 => {
            "probabilities are expected; scores in [0, 100] look like percentages: divide them by \
             100 before evaluating (e.g. pandas `df.score / 100`); only raw margins or logits \
             want --scores-are-logits"
        }
        _ => "probabilities are expected; for raw margins or logits pass --scores-are-logits",
    }
}

impl Problem {
    /// Whether `--skip-invalid` may skip the row this problem belongs to.
    pub fn is_row_level(&self) -> bool {
        matches!(
            self,
            Problem::FieldCount { .. }
                | Problem::MissingLabel(_)
                | Problem::MissingPrediction(_)
                | Problem::NotANumber { .. }
                | Problem::NotFinite { .. }
                | Problem::OutOfRange { .. }
                | Problem::InvalidUtf8(_)
                | Problem::LabelWithoutProba { .. }
                | Problem::BadTime { .. }
                | Problem::BadLatency { .. }
                | Problem::BadWeight { .. }
                | Problem::Json(_)
                | Problem::JsonNested(_)
        )
    }

    /// Attaches a location.
    pub fn at(self, file: &str, line: Option<u64>) -> InputError {
        InputError {
            location: Location {
                file: file.to_string(),
                line,
                rows: false,
            },
            problem: Box::new(self),
        }
    }

    /// Attaches a location in a columnar file: its row (1-based).
    pub fn at_row(self, file: &str, row: Option<u64>) -> InputError {
        InputError {
            location: Location {
                file: file.to_string(),
                line: row,
                rows: true,
            },
            problem: Box::new(self),
        }
    }
}

#[cfg(test)]
mod cell_tests {
    use super::*;

    #[test]
    fn percentages_are_told_to_be_divided_by_100() {
        let problem = |value: &str| Problem::OutOfRange {
            column: "score".into(),
            value: value.into(),
        };
        let hint = problem("87.5").to_string();
        assert!(hint.contains("divide them by 100"), "{hint}");
        for value in ["-0.3", "250"] {
            let hint = problem(value).to_string();
            assert!(!hint.contains("100"), "{hint}");
            assert!(hint.contains("--scores-are-logits"), "{hint}");
        }
    }

    #[test]
    fn long_cells_are_cut_with_their_size() {
        assert_eq!(cell("abc"), "abc");
        let long = "é".repeat(1000);
        let shown = cell(&long);
        assert!(shown.starts_with(&"é".repeat(MAX_QUOTED)));
        assert!(shown.ends_with("… (2000 bytes)"), "{shown}");
    }
}
