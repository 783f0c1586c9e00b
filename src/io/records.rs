//! Records: the fields of each line of a CSV, TSV or JSON Lines input, with line numbers.
//!
//! Both formats fill the same reusable [`csv::ByteRecord`], so decoding into rows does not care
//! where a record came from, and reading allocates nothing per row for delimited text.

use std::collections::HashSet;
use std::io::BufRead;

use csv::ByteRecord;
use serde_json::{Map, Value};

use super::error::Problem;
use super::format::Format;
use super::source::{read_problem, Compression, Source};

/// A problem and the line it belongs to.
#[derive(Debug)]
pub struct RecordError {
    /// What.
    pub problem: Problem,
    /// Where (1-based), when known.
    pub line: Option<u64>,
}

impl RecordError {
    fn new(problem: Problem, line: Option<u64>) -> RecordError {
        RecordError { problem, line }
    }
}

enum Kind {
    Delimited(Box<csv::Reader<Box<dyn BufRead + Send>>>),
    JsonLines(JsonLines),
}

/// A stream of records with a header.
pub struct Records {
    kind: Kind,
    header: Vec<String>,
    compression: Compression,
    /// Lines read before the header's (added to the delimited reader's line numbers).
    skipped: u64,
    /// The line the header was read from.
    pub header_line: u64,
    /// Things worth telling the user.
    pub warnings: Vec<String>,
}

impl Records {
    /// Reads the header of `source`, in `format` or else the format recognised from `name` or the
    /// content; `skipped` lines were read from the source before (line numbers count them).
    pub fn open(
        mut source: Source,
        format: Option<Format>,
        name: &str,
        skipped: u64,
    ) -> Result<Records, RecordError> {
        let compression = source.compression;
        let head = source
            .reader
            .fill_buf()
            .map_err(|e| RecordError::new(read_problem(e, compression), Some(skipped + 1)))?;
        if head.is_empty() {
            return Err(RecordError::new(Problem::Empty, Some(skipped + 1)));
        }
        let format = format
            .or_else(|| Format::from_name(name))
            .unwrap_or_else(|| Format::sniff(head));
        let (kind, header, header_line) = match format {
            Format::Delimited { delimiter } => {
                let (kind, header, line) = open_delimited(source.reader, delimiter, compression)
                    .map_err(|e| RecordError::new(e.problem, e.line.map(|l| l + skipped)))?;
                (kind, header, line + skipped)
            }
            Format::JsonLines => {
                let mut json = JsonLines::new(source.reader, compression);
                json.line = skipped;
                let header = json.read_header()?;
                let line = json.line;
                (Kind::JsonLines(json), header, line)
            }
        };
        check_duplicates(&header, header_line)?;
        Ok(Records {
            kind,
            header,
            compression,
            skipped,
            header_line,
            warnings: source.warnings,
        })
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Reads the next record into `rec`; returns its line number, or `None` at the end.
    pub fn next_record(&mut self, rec: &mut ByteRecord) -> Result<Option<u64>, RecordError> {
        match &mut self.kind {
            Kind::Delimited(rdr) => match rdr.read_byte_record(rec) {
                Ok(false) => Ok(None),
                Ok(true) => {
                    let line = rec.position().map(|p| p.line() + self.skipped);
                    if rec.len() != self.header.len() {
                        return Err(RecordError::new(
                            Problem::FieldCount {
                                found: rec.len(),
                                expected: self.header.len(),
                            },
                            line,
                        ));
                    }
                    Ok(line)
                }
                Err(e) => {
                    let err = csv_error(e, self.compression);
                    Err(RecordError::new(
                        err.problem,
                        err.line.map(|l| l + self.skipped),
                    ))
                }
            },
            Kind::JsonLines(json) => json.next_record(&self.header, rec),
        }
    }
}

fn csv_error(err: csv::Error, compression: Compression) -> RecordError {
    let line = err.position().map(|p| p.line());
    let problem = match err.into_kind() {
        csv::ErrorKind::Io(e) => read_problem(e, compression),
        other => Problem::Csv(format!("{other:?}")),
    };
    RecordError::new(problem, line)
}

type Opened = (Kind, Vec<String>, u64);

fn open_delimited(
    reader: Box<dyn BufRead + Send>,
    delimiter: u8,
    compression: Compression,
) -> Result<Opened, RecordError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Records end at '\n' (a '\r' before it is trimmed with the cell's whitespace): with
        // the default CRLF handling the csv crate reports CRLF rows one line too early.
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    let mut rec = ByteRecord::new();
    if !rdr
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(e, compression))?
    {
        return Err(RecordError::new(Problem::Empty, Some(1)));
    }
    let line = rec.position().map_or(1, |p| p.line());
    let mut header = Vec::with_capacity(rec.len());
    for (i, field) in rec.iter().enumerate() {
        let mut name = std::str::from_utf8(field)
            .map_err(|_| RecordError::new(Problem::HeaderUtf8, Some(line)))?;
        if i == 0 {
            name = name.trim_start_matches('\u{feff}');
        }
        header.push(name.trim().to_string());
    }
    Ok((Kind::Delimited(Box::new(rdr)), header, line))
}

fn check_duplicates(header: &[String], line: u64) -> Result<(), RecordError> {
    let mut seen = HashSet::new();
    for name in header {
        if !seen.insert(name.as_str()) {
            return Err(RecordError::new(
                Problem::DuplicateColumn(name.clone()),
                Some(line),
            ));
        }
    }
    Ok(())
}

/// A JSON Lines reader: the keys of the first object are the header.
struct JsonLines {
    input: Box<dyn BufRead + Send>,
    compression: Compression,
    buf: Vec<u8>,
    line: u64,
    first: Option<Map<String, Value>>,
}

impl JsonLines {
    fn new(input: Box<dyn BufRead + Send>, compression: Compression) -> JsonLines {
        JsonLines {
            input,
            compression,
            buf: Vec::new(),
            line: 0,
            first: None,
        }
    }

    /// Reads the next non-blank line into `buf`; false at the end.
    fn next_line(&mut self) -> Result<bool, RecordError> {
        loop {
            self.buf.clear();
            let n = self.input.read_until(b'\n', &mut self.buf).map_err(|e| {
                RecordError::new(read_problem(e, self.compression), Some(self.line + 1))
            })?;
            if n == 0 {
                return Ok(false);
            }
            self.line += 1;
            if self.line == 1 && self.buf.starts_with("\u{feff}".as_bytes()) {
                self.buf.drain(..3);
            }
            if !self.buf.iter().all(u8::is_ascii_whitespace) {
                return Ok(true);
            }
        }
    }

    fn parse(&self) -> Result<Map<String, Value>, RecordError> {
        serde_json::from_slice::<Map<String, Value>>(&self.buf)
            .map_err(|e| RecordError::new(Problem::Json(e.to_string()), Some(self.line)))
    }

    fn read_header(&mut self) -> Result<Vec<String>, RecordError> {
        if !self.next_line()? {
            return Err(RecordError::new(Problem::Empty, Some(1)));
        }
        let first = self.parse()?;
        let header = first.keys().cloned().collect();
        self.first = Some(first);
        Ok(header)
    }

    fn next_record(
        &mut self,
        header: &[String],
        rec: &mut ByteRecord,
    ) -> Result<Option<u64>, RecordError> {
        let object = match self.first.take() {
            Some(first) => first,
            None => {
                if !self.next_line()? {
                    return Ok(None);
                }
                self.parse()?
            }
        };
        rec.clear();
        for key in header {
            match object.get(key.as_str()) {
                None | Some(Value::Null) => rec.push_field(b""),
                Some(Value::String(s)) => rec.push_field(s.as_bytes()),
                Some(Value::Bool(b)) => rec.push_field(if *b { b"true" } else { b"false" }),
                Some(Value::Number(n)) => rec.push_field(n.to_string().as_bytes()),
                Some(_) => {
                    return Err(RecordError::new(
                        Problem::JsonNested(key.clone()),
                        Some(self.line),
                    ))
                }
            }
        }
        Ok(Some(self.line))
    }
}
