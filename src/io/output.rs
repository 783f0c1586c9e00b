//! Writing outputs atomically: a report is written to a temporary file beside its destination
//! and renamed over it only when complete, so an error never leaves a partial file, and an
//! output path that is one of the inputs is refused, so inputs are never overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why an output could not be written.
#[derive(Debug, Error)]
pub enum OutputError {
    /// The destination is one of the inputs.
    #[error("{0}: refusing to write a report over an input file (choose another --output path)")]
    WouldOverwriteInput(PathBuf),
    /// Writing failed.
    #[error("{path}: cannot write the report: {source} (check that the directory exists and is writable)")]
    Write {
        /// The destination.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Appends `bytes` to `path` (created when missing), refusing to write to any of `inputs`. For
/// files that others write to as well, such as a CI job summary, which must not be replaced.
pub fn append(path: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), OutputError> {
    if inputs.iter().any(|input| same_file(path, input)) {
        return Err(OutputError::WouldOverwriteInput(path.to_path_buf()));
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|source| OutputError::Write {
            path: path.to_path_buf(),
            source,
        })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Writes `bytes` to `path` atomically, refusing to replace any of `inputs`.
pub fn write_atomic(path: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), OutputError> {
    if inputs.iter().any(|input| same_file(path, input)) {
        return Err(OutputError::WouldOverwriteInput(path.to_path_buf()));
    }
    let wrap = |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    };
    // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written in place:
    // renaming a file over it would replace it.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(wrap)?;
        return out.write_all(bytes).map_err(wrap);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".mlguard-")
        .tempfile_in(dir)
        .map_err(wrap)?;
    tmp.write_all(bytes).map_err(wrap)?;
    // A report is an ordinary file for colleagues and CI artifact servers to read (the
    // temporary file starts private).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(wrap)?;
    }
    tmp.as_file().sync_all().map_err(wrap)?;
    tmp.persist(path).map_err(|e| wrap(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        write_atomic(null, b"{}", &[]).unwrap();
        assert!(std::fs::metadata(null)
            .unwrap()
            .file_type()
            .is_char_device());
    }

    #[test]
    fn writes_and_refuses_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.json");
        write_atomic(&out, b"{}", &[]).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"{}");
        let err = write_atomic(&out, b"x", &[&out]).unwrap_err();
        assert!(matches!(err, OutputError::WouldOverwriteInput(_)));
        assert_eq!(std::fs::read(&out).unwrap(), b"{}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
