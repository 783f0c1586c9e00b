//! Opening an input: a file or standard input, decompressed on the fly when it is gzip or zstd.
//!
//! Compression is recognised by the magic bytes at the start of the stream, so a file is read
//! correctly whatever its name; a name that promises compression the content does not have
//! earns a warning.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::error::Problem;

/// How the bytes of an input are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// The codec's name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// The compression a file name promises by its extension.
    pub fn from_name(name: &str) -> Compression {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".gz") || lower.ends_with(".gzip") {
            Compression::Gzip
        } else if lower.ends_with(".zst") || lower.ends_with(".zstd") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    fn from_magic(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// Counts the bytes read through it (the raw, possibly compressed bytes), for progress.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An opened input, ready to be read as text.
pub struct Source {
    /// Raw bytes read so far (shared with the reader).
    pub bytes_read: Arc<AtomicU64>,
    /// The raw size, when the input is a regular file.
    pub size: Option<u64>,
    /// The decompressed bytes.
    pub reader: Box<dyn BufRead + Send>,
    /// The compression found in the content.
    pub compression: Compression,
    /// Things worth telling the user (e.g. a misleading extension).
    pub warnings: Vec<String>,
}

/// Buffer size for reading inputs.
const BUFFER: usize = 256 * 1024;

/// Opens `path` (`-` for standard input).
pub fn open(path: &str) -> Result<Source, Problem> {
    let bytes_read = Arc::new(AtomicU64::new(0));
    let (raw, size): (Box<dyn Read + Send>, Option<u64>) = if path == "-" {
        (Box::new(io::stdin()), None)
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            return Err(Problem::Directory);
        }
        let file = File::open(p).map_err(Problem::Open)?;
        let size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        (Box::new(file), size)
    };
    let raw = Counting {
        inner: raw,
        read: Arc::clone(&bytes_read),
    };
    let mut buffered = BufReader::with_capacity(BUFFER, raw);
    let head = buffered.fill_buf().map_err(Problem::Read)?.to_vec();
    let compression = Compression::from_magic(&head);
    let mut warnings = Vec::new();
    let named = Compression::from_name(path);
    if named != Compression::None && named != compression {
        warnings.push(format!(
            "{path}: the name says {} but the content is {}; it was read as {}",
            named.name(),
            compression.name(),
            compression.name()
        ));
    }
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUFFER,
            flate2::bufread::MultiGzDecoder::new(buffered),
        )),
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::with_buffer(buffered).map_err(|e| {
                Problem::Corrupt {
                    codec: "zstd",
                    detail: e.to_string(),
                }
            })?;
            Box::new(BufReader::with_capacity(BUFFER, decoder))
        }
    };
    Ok(Source {
        bytes_read,
        size,
        reader,
        compression,
        warnings,
    })
}

/// Classifies a read error: damaged compressed data, or a plain read failure.
pub fn read_problem(err: io::Error, compression: Compression) -> Problem {
    match compression {
        Compression::None => Problem::Read(err),
        codec => Problem::Corrupt {
            codec: codec.name(),
            detail: err.to_string(),
        },
    }
}
