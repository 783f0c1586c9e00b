//! Columnar inputs: Parquet files, Arrow IPC files (Feather) and streams, and data sets of
//! Parquet or Arrow parts (a directory, with hive-style `key=value` folders, or a glob).
//!
//! Columnar data has types, not text. Each cell a role reads is rendered once as the text the
//! decoders read from CSV: integers in decimal, floating-point numbers in the shortest decimal
//! that reads back as the same `f64` (a `float32` score is taken exactly as stored), strings as
//! they are, booleans as `true`/`false`, timestamps as RFC 3339 in UTC, nulls as empty cells.
//! So a Parquet file gives the same report as the same data written as CSV, and every rule of
//! reading (role detection, labels, scores, segments, bad rows) is the one of [`super::decode`].
//! Only the columns that play a role are read.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowPrimitiveType, Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type, Float16Type,
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};

use super::error::Problem;

/// How a part is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC file format (Feather v2).
    ArrowFile,
    /// Arrow IPC stream format.
    ArrowStream,
    /// Record batches held in memory ([`memory`]).
    Memory,
}

impl Kind {
    /// The format's name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Parquet => "Parquet",
            Kind::ArrowFile => "Arrow IPC file",
            Kind::ArrowStream => "Arrow IPC stream",
            Kind::Memory => "an in-memory Arrow table",
        }
    }

    /// The format of content starting with `head`, if it is columnar.
    fn from_magic(head: &[u8]) -> Option<Kind> {
        if head.starts_with(b"PAR1") {
            Some(Kind::Parquet)
        } else if head.starts_with(b"ARROW1") {
            Some(Kind::ArrowFile)
        } else if head.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
            Some(Kind::ArrowStream)
        } else {
            None
        }
    }

    /// The columnar format a file name promises by its extension.
    fn from_name(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "parquet" | "parq" | "pq" => Some(Kind::Parquet),
            "arrow" | "feather" | "ipc" => Some(Kind::ArrowFile),
            "arrows" => Some(Kind::ArrowStream),
            _ => None,
        }
    }
}

/// One file of a data set.
#[derive(Debug, Clone)]
pub struct Part {
    /// Where it is.
    pub path: PathBuf,
    /// How messages name it.
    pub shown: String,
    /// Its format.
    pub kind: Kind,
    /// The values of the data set's partition keys in its folders (empty for a null).
    pub partition_values: Vec<String>,
    /// The table, for a part held in memory.
    pub memory: Option<Arc<memory::Table>>,
}

/// Columnar files read as one data set, in the order of their paths.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The parts.
    pub parts: Vec<Part>,
    /// The hive-style partition keys (`dt` for `dt=2026-05-01/`), in folder order.
    pub partition_keys: Vec<String>,
}

/// Whether a path holds glob characters.
fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// The columnar data set `path` names: a Parquet or Arrow file (recognised by its content), a
/// directory of such parts, or a glob matching them; `None` for anything else (text, or
/// standard input).
pub fn find(path: &str) -> Result<Option<Dataset>, Problem> {
    if path == "-" {
        return Ok(None);
    }
    if let Some(table) = memory::lookup(path) {
        return Ok(Some(Dataset {
            parts: vec![Part {
                path: PathBuf::from(path),
                shown: path.to_string(),
                kind: Kind::Memory,
                partition_values: Vec::new(),
                memory: Some(table),
            }],
            partition_keys: Vec::new(),
        }));
    }
    let p = Path::new(path);
    if p.is_dir() {
        let mut files = Vec::new();
        walk(p, &mut files).map_err(Problem::Open)?;
        files.sort();
        return dataset(p, files, "the directory").map(Some);
    }
    if !p.exists() && is_glob(path) {
        let matches = glob::glob(path).map_err(|e| Problem::BadGlob(e.to_string()))?;
        let mut files = Vec::new();
        for entry in matches {
            let file = entry.map_err(|e| Problem::Open(e.into()))?;
            if file.is_file() && !hidden(&file) {
                files.push(file);
            }
        }
        files.sort();
        let base: PathBuf = p
            .components()
            .take_while(|c| !is_glob(&c.as_os_str().to_string_lossy()))
            .collect();
        return dataset(&base, files, "the pattern").map(Some);
    }
    let Some(kind) = sniff(p)? else {
        if let Some(named) = Kind::from_name(path) {
            return Err(Problem::NotColumnar { kind: named.name() });
        }
        return Ok(None);
    };
    Ok(Some(Dataset {
        parts: vec![Part {
            path: p.to_path_buf(),
            shown: path.to_string(),
            kind,
            partition_values: Vec::new(),
            memory: None,
        }],
        partition_keys: Vec::new(),
    }))
}

/// The columnar format of the file at `path`, from its first bytes.
fn sniff(path: &Path) -> Result<Option<Kind>, Problem> {
    let Ok(mut file) = File::open(path) else {
        // Opening is left to the text reader, which tells why it failed.
        return Ok(None);
    };
    let mut head = [0u8; 8];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Problem::Read(e)),
        }
    }
    Ok(Kind::from_magic(&head[..read]))
}

/// Files and folders that data sets leave out: hidden ones and those starting with `_`
/// (`_SUCCESS`, `.crc` checksums, `_delta_log`).
fn hidden(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy())
        .is_some_and(|n| n.starts_with('.') || n.starts_with('_'))
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if hidden(&path) {
            continue;
        }
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// The data set of `files` found under `base` (`what`: how messages name where they came
/// from); every file must be Parquet or Arrow, and every part's folders must name the same
/// partition keys.
fn dataset(base: &Path, files: Vec<PathBuf>, what: &'static str) -> Result<Dataset, Problem> {
    if files.is_empty() {
        return Err(Problem::NoParts { what });
    }
    let mut parts = Vec::with_capacity(files.len());
    let mut keys: Option<Vec<String>> = None;
    for path in files {
        let shown = path.display().to_string();
        let Some(kind) = sniff(&path)? else {
            return Err(Problem::NotAPart { part: shown, what });
        };
        let folders = path
            .parent()
            .and_then(|dir| dir.strip_prefix(base).ok())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut part_keys = Vec::new();
        let mut values = Vec::new();
        for folder in folders.components() {
            let folder = folder.as_os_str().to_string_lossy();
            if let Some((key, value)) = folder.split_once('=') {
                part_keys.push(percent_decoded(key));
                values.push(if value == "__HIVE_DEFAULT_PARTITION__" {
                    String::new()
                } else {
                    percent_decoded(value)
                });
            }
        }
        match &keys {
            None => keys = Some(part_keys),
            Some(k) if *k != part_keys => {
                return Err(Problem::PartitionKeys {
                    part: shown,
                    expected: k.join(", "),
                    found: part_keys.join(", "),
                })
            }
            Some(_) => {}
        }
        parts.push(Part {
            path,
            shown,
            kind,
            partition_values: values,
            memory: None,
        });
    }
    Ok(Dataset {
        parts,
        partition_keys: keys.unwrap_or_default(),
    })
}

/// A folder's text with `%XX` escapes decoded (as hive and Spark write them).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

/// Tables held in memory: Arrow record batches that a program embedding mlguard (the Python
/// package, for a pandas or polars DataFrame or a pyarrow Table) registers under a name, which
/// then reads as an input path does, as a data set of one part.
pub mod memory {
    use std::sync::{Arc, Mutex};

    use arrow_array::RecordBatch;
    use arrow_schema::SchemaRef;

    /// A table: its schema and its batches.
    #[derive(Debug)]
    pub struct Table {
        /// The columns.
        pub schema: SchemaRef,
        /// The rows, in order.
        pub batches: Vec<RecordBatch>,
    }

    static TABLES: Mutex<Vec<(String, Arc<Table>)>> = Mutex::new(Vec::new());

    /// A table registered under [`name`](Self::name) until this is dropped.
    #[derive(Debug)]
    pub struct Registered {
        name: String,
    }

    impl Registered {
        /// The name that reads the table where an input path is expected.
        pub fn name(&self) -> &str {
            &self.name
        }
    }

    impl Drop for Registered {
        fn drop(&mut self) {
            let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
            tables.retain(|(name, _)| *name != self.name);
        }
    }

    /// Registers `table` under `<WHAT>` (`<pandas.DataFrame>`, say), or `<WHAT #N>` when that
    /// name is taken.
    pub fn register(what: &str, table: Table) -> Registered {
        let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        let taken = |name: &str| tables.iter().any(|(n, _)| n == name);
        let mut name = format!("<{what}>");
        let mut n = 2;
        while taken(&name) {
            name = format!("<{what} #{n}>");
            n += 1;
        }
        tables.push((name.clone(), Arc::new(table)));
        Registered { name }
    }

    /// The table registered under `name`.
    pub(super) fn lookup(name: &str) -> Option<Arc<Table>> {
        if !name.starts_with('<') {
            return None;
        }
        let tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        tables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| Arc::clone(t))
    }
}

/// A part opened: its schema and how its rows are read.
pub enum Opened {
    /// A Parquet file's footer (row groups are read on their own, in parallel).
    Parquet(ArrowReaderMetadata),
    /// An Arrow IPC file or stream, read batch by batch.
    Arrow(SchemaRef),
    /// A table in memory.
    Memory(Arc<memory::Table>),
}

impl Opened {
    /// The part's schema.
    pub fn schema(&self) -> SchemaRef {
        match self {
            Opened::Parquet(meta) => meta.schema().clone(),
            Opened::Arrow(schema) => schema.clone(),
            Opened::Memory(table) => table.schema.clone(),
        }
    }
}

/// Reads the footer (Parquet) or schema (Arrow) of `part`.
pub fn open(part: &Part) -> Result<Opened, Problem> {
    if let Some(table) = &part.memory {
        return Ok(Opened::Memory(Arc::clone(table)));
    }
    let file = File::open(&part.path).map_err(Problem::Open)?;
    guarded(part.kind, || match part.kind {
        Kind::Parquet => ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
            .map(Opened::Parquet)
            .map_err(|e| columnar_problem(part.kind, e.to_string())),
        Kind::ArrowFile | Kind::ArrowStream | Kind::Memory => {
            let batches = arrow_batches(part, file, None)?;
            Ok(Opened::Arrow(batches.schema()))
        }
    })
}

/// An Arrow IPC file or stream's batches.
pub enum ArrowBatches {
    /// The file format.
    File(arrow_ipc::reader::FileReader<BufReader<File>>),
    /// The stream format.
    Stream(arrow_ipc::reader::StreamReader<BufReader<File>>),
}

impl ArrowBatches {
    fn schema(&self) -> SchemaRef {
        match self {
            ArrowBatches::File(r) => r.schema(),
            ArrowBatches::Stream(r) => r.schema(),
        }
    }
}

impl Iterator for ArrowBatches {
    type Item = Result<RecordBatch, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        let kind = match self {
            ArrowBatches::File(_) => Kind::ArrowFile,
            ArrowBatches::Stream(_) => Kind::ArrowStream,
        };
        let next = guarded(kind, || {
            Ok(match self {
                ArrowBatches::File(r) => r.next(),
                ArrowBatches::Stream(r) => r.next(),
            })
        });
        match next {
            Ok(next) => next.map(|batch| batch.map_err(|e| columnar_problem(kind, e.to_string()))),
            Err(problem) => Some(Err(problem)),
        }
    }
}

/// The batches of an Arrow part, with only the `projection` columns (all with `None`).
pub fn arrow_batches(
    part: &Part,
    file: File,
    projection: Option<Vec<usize>>,
) -> Result<ArrowBatches, Problem> {
    let reader = BufReader::with_capacity(256 * 1024, file);
    let batches = match part.kind {
        Kind::ArrowFile => {
            arrow_ipc::reader::FileReader::try_new(reader, projection).map(ArrowBatches::File)
        }
        _ => arrow_ipc::reader::StreamReader::try_new(reader, projection).map(ArrowBatches::Stream),
    };
    batches.map_err(|e| columnar_problem(part.kind, e.to_string()))
}

/// Runs `read`, a call into the Parquet or Arrow readers, turning a panic of theirs on damaged
/// data into a problem of the input: a bad file is an error, never a crash.
pub fn guarded<T>(kind: Kind, read: impl FnOnce() -> Result<T, Problem>) -> Result<T, Problem> {
    quiet_reader_panics();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(columnar_problem(
            kind,
            "the reader stopped on damaged data".to_string(),
        ))
    })
}

/// Keeps the message of a panic inside the Parquet and Arrow readers off standard error (the
/// panic is caught and reported as one line by [`guarded`]); any other panic is told as before.
fn quiet_reader_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map(|l| l.file()).unwrap_or_default();
            let in_reader = ["/parquet-", "/arrow-"].iter().any(|c| file.contains(c));
            if !in_reader {
                previous(info);
            }
        }));
    });
}

/// A columnar reader's error as a problem of the input.
pub fn columnar_problem(kind: Kind, detail: String) -> Problem {
    Problem::Columnar {
        kind: kind.name(),
        detail,
    }
}

/// The cells of one column of a batch as text, one after another in one buffer.
#[derive(Debug, Default, Clone)]
pub struct TextColumn {
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl TextColumn {
    /// Cell `i`.
    #[inline]
    pub fn cell(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.data[start..self.ends[i]]
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no cell.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }

    #[inline]
    fn end(&mut self) {
        self.ends.push(self.data.len());
    }

    #[inline]
    fn push(&mut self, cell: &[u8]) {
        self.data.extend_from_slice(cell);
        self.end();
    }
}

/// The type of a column no role can read, for messages.
#[derive(Debug)]
pub struct Unreadable(pub String);

/// Renders `array` as the text the decoders read (see the module's documentation) into `out`.
pub fn render(array: &dyn Array, out: &mut TextColumn) -> Result<(), Unreadable> {
    out.clear();
    render_into(array, out)
}

fn render_into(array: &dyn Array, out: &mut TextColumn) -> Result<(), Unreadable> {
    let n = array.len();
    out.ends.reserve(n);
    match array.data_type() {
        DataType::Null => (0..n).for_each(|_| out.end()),
        DataType::Boolean => {
            let a = array.as_boolean();
            for i in 0..n {
                if a.is_valid(i) {
                    out.data
                        .extend_from_slice(if a.value(i) { b"true" } else { b"false" });
                }
                out.end();
            }
        }
        DataType::Int8 => integers(array.as_primitive::<Int8Type>(), out),
        DataType::Int16 => integers(array.as_primitive::<Int16Type>(), out),
        DataType::Int32 => integers(array.as_primitive::<Int32Type>(), out),
        DataType::Int64 => integers(array.as_primitive::<Int64Type>(), out),
        DataType::UInt8 => integers(array.as_primitive::<UInt8Type>(), out),
        DataType::UInt16 => integers(array.as_primitive::<UInt16Type>(), out),
        DataType::UInt32 => integers(array.as_primitive::<UInt32Type>(), out),
        DataType::UInt64 => integers(array.as_primitive::<UInt64Type>(), out),
        DataType::Float16 => floats(array.as_primitive::<Float16Type>(), out, |v| v.to_f64()),
        DataType::Float32 => floats(array.as_primitive::<Float32Type>(), out, f64::from),
        DataType::Float64 => floats(array.as_primitive::<Float64Type>(), out, |v| v),
        DataType::Decimal32(_, scale) => decimals(
            array.as_primitive::<Decimal32Type>(),
            *scale,
            out,
            i128::from,
        ),
        DataType::Decimal64(_, scale) => decimals(
            array.as_primitive::<Decimal64Type>(),
            *scale,
            out,
            i128::from,
        ),
        DataType::Decimal128(_, scale) => {
            decimals(array.as_primitive::<Decimal128Type>(), *scale, out, |v| v)
        }
        DataType::Decimal256(_, scale) => {
            let a = array.as_primitive::<Decimal256Type>();
            for i in 0..n {
                if a.is_valid(i) {
                    let text = a.value(i).to_string();
                    decimal_text(text.as_bytes(), *scale, &mut out.data);
                }
                out.end();
            }
        }
        DataType::Utf8 => texts(array.as_string::<i32>().iter(), out),
        DataType::LargeUtf8 => texts(array.as_string::<i64>().iter(), out),
        DataType::Utf8View => texts(array.as_string_view().iter(), out),
        DataType::Binary => bytes(array.as_binary::<i32>().iter(), out),
        DataType::LargeBinary => bytes(array.as_binary::<i64>().iter(), out),
        DataType::BinaryView => bytes(array.as_binary_view().iter(), out),
        DataType::Date32 => {
            let a = array.as_primitive::<arrow_array::types::Date32Type>();
            for i in 0..n {
                if a.is_valid(i) {
                    let time = crate::time::format_time(i64::from(a.value(i)) * 86_400);
                    out.data.extend_from_slice(&time.as_bytes()[..10]);
                }
                out.end();
            }
        }
        DataType::Date64 => {
            let a = array.as_primitive::<arrow_array::types::Date64Type>();
            for i in 0..n {
                if a.is_valid(i) {
                    let time = crate::time::format_time(a.value(i).div_euclid(1000));
                    out.data.extend_from_slice(&time.as_bytes()[..10]);
                }
                out.end();
            }
        }
        // Every unit is a count since the epoch, in UTC whatever the time zone.
        DataType::Timestamp(TimeUnit::Second, _) => {
            timestamps(array.as_primitive::<TimestampSecondType>(), 1, out)
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            timestamps(array.as_primitive::<TimestampMillisecondType>(), 1_000, out)
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => timestamps(
            array.as_primitive::<TimestampMicrosecondType>(),
            1_000_000,
            out,
        ),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => timestamps(
            array.as_primitive::<TimestampNanosecondType>(),
            1_000_000_000,
            out,
        ),
        DataType::Dictionary(_, _) => {
            let d = array.as_any_dictionary();
            let mut values = TextColumn::default();
            render_into(d.values().as_ref(), &mut values)?;
            if values.is_empty() {
                // No value: every key is null (or the array is empty).
                (0..n).for_each(|_| out.end());
            } else {
                for (i, key) in d.normalized_keys().into_iter().enumerate() {
                    if d.is_valid(i) && key < values.len() {
                        out.data.extend_from_slice(values.cell(key));
                    }
                    out.end();
                }
            }
        }
        other => return Err(Unreadable(other.to_string())),
    }
    Ok(())
}

fn integers<T>(a: &PrimitiveArray<T>, out: &mut TextColumn)
where
    T: ArrowPrimitiveType,
    T::Native: itoa::Integer,
{
    let mut buf = itoa::Buffer::new();
    for i in 0..a.len() {
        if a.is_valid(i) {
            out.data
                .extend_from_slice(buf.format(a.value(i)).as_bytes());
        }
        out.end();
    }
}

fn timestamps<T: ArrowPrimitiveType<Native = i64>>(
    a: &PrimitiveArray<T>,
    per_second: i64,
    out: &mut TextColumn,
) {
    for i in 0..a.len() {
        if a.is_valid(i) {
            let time = crate::time::format_time(a.value(i).div_euclid(per_second));
            out.data.extend_from_slice(time.as_bytes());
        }
        out.end();
    }
}

fn floats<T: ArrowPrimitiveType>(
    a: &PrimitiveArray<T>,
    out: &mut TextColumn,
    to_f64: impl Fn(T::Native) -> f64,
) {
    let mut buf = ryu::Buffer::new();
    for i in 0..a.len() {
        if a.is_valid(i) {
            let v = to_f64(a.value(i));
            if v.is_finite() {
                out.data.extend_from_slice(buf.format_finite(v).as_bytes());
            } else if v.is_nan() {
                out.data.extend_from_slice(b"NaN");
            } else if v > 0.0 {
                out.data.extend_from_slice(b"inf");
            } else {
                out.data.extend_from_slice(b"-inf");
            }
        }
        out.end();
    }
}

fn decimals<T: ArrowPrimitiveType>(
    a: &PrimitiveArray<T>,
    scale: i8,
    out: &mut TextColumn,
    to_i128: impl Fn(T::Native) -> i128,
) {
    let mut buf = itoa::Buffer::new();
    for i in 0..a.len() {
        if a.is_valid(i) {
            let digits = buf.format(to_i128(a.value(i)));
            decimal_text(digits.as_bytes(), scale, &mut out.data);
        }
        out.end();
    }
}

/// An unscaled integer (`digits`, with its sign) written as a decimal of `scale` places.
fn decimal_text(digits: &[u8], scale: i8, out: &mut Vec<u8>) {
    let (negative, digits) = match digits.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, digits),
    };
    if negative {
        out.push(b'-');
    }
    if scale <= 0 {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat_n(b'0', usize::from(scale.unsigned_abs())));
        return;
    }
    let scale = usize::from(scale.unsigned_abs());
    if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', scale - digits.len()));
        out.extend_from_slice(digits);
    }
}

fn texts<'a>(cells: impl Iterator<Item = Option<&'a str>>, out: &mut TextColumn) {
    for cell in cells {
        out.push(cell.map_or(b"", str::as_bytes));
    }
}

fn bytes<'a>(cells: impl Iterator<Item = Option<&'a [u8]>>, out: &mut TextColumn) {
    for cell in cells {
        out.push(cell.unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        BooleanArray, DictionaryArray, Float32Array, Float64Array, Int64Array, StringArray,
        TimestampMillisecondArray,
    };
    use std::sync::Arc;

    fn cells(array: &dyn Array) -> Vec<String> {
        let mut out = TextColumn::default();
        render(array, &mut out).unwrap();
        (0..out.len())
            .map(|i| String::from_utf8(out.cell(i).to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn cells_read_back_as_the_values_stored() {
        assert_eq!(
            cells(&Float64Array::from(vec![
                Some(0.1),
                None,
                Some(0.123_456_789_012_345_68),
                Some(f64::NAN)
            ])),
            ["0.1", "", "0.12345678901234568", "NaN"]
        );
        let single = cells(&Float32Array::from(vec![0.1f32]));
        assert_eq!(single[0].parse::<f64>().unwrap(), f64::from(0.1f32));
        assert_eq!(
            cells(&Int64Array::from(vec![Some(-3), None, Some(1)])),
            ["-3", "", "1"]
        );
        assert_eq!(
            cells(&BooleanArray::from(vec![Some(true), Some(false), None])),
            ["true", "false", ""]
        );
        assert_eq!(
            cells(&StringArray::from(vec![Some("web"), None])),
            ["web", ""]
        );
        let dict: DictionaryArray<Int32Type> = vec![Some("a"), Some("b"), None, Some("a")]
            .into_iter()
            .collect();
        assert_eq!(cells(&dict), ["a", "b", "", "a"]);
        let utc = TimestampMillisecondArray::from(vec![1_700_000_000_999, -1])
            .with_timezone(Arc::<str>::from("+02:00"));
        assert_eq!(
            cells(&utc),
            ["2023-11-14T22:13:20Z", "1969-12-31T23:59:59Z"]
        );
    }

    #[test]
    fn decimals_keep_their_places() {
        let mut out = Vec::new();
        for (digits, scale, text) in [
            ("12345", 2, "123.45"),
            ("-5", 3, "-0.005"),
            ("7", 0, "7"),
            ("7", -2, "700"),
        ] {
            out.clear();
            decimal_text(digits.as_bytes(), scale, &mut out);
            assert_eq!(out, text.as_bytes());
        }
    }

    #[test]
    fn partition_folders_are_percent_decoded() {
        assert_eq!(percent_decoded("2026-05-01 06%3A00"), "2026-05-01 06:00");
        assert_eq!(percent_decoded("a%"), "a%");
        assert_eq!(percent_decoded("100%zz"), "100%zz");
    }

    #[test]
    fn formats_are_known_by_their_first_bytes() {
        assert_eq!(Kind::from_magic(b"PAR1\x15\x04"), Some(Kind::Parquet));
        assert_eq!(Kind::from_magic(b"ARROW1\0\0"), Some(Kind::ArrowFile));
        assert_eq!(
            Kind::from_magic(&[0xff, 0xff, 0xff, 0xff, 0x10]),
            Some(Kind::ArrowStream)
        );
        assert_eq!(Kind::from_magic(b"label,score"), None);
        assert_eq!(Kind::from_name("x.PARQUET"), Some(Kind::Parquet));
        assert_eq!(Kind::from_name("x.csv"), None);
    }
}
