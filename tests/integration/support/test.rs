//! `Test`: one run of the built `mlguard` binary, set up by a builder and checked through the
//! `Output` it returns, in the manner of just's `Test` (casey/just, `tests/test.rs`).
//!
//! Every run starts from the same clean environment: the package root as the working directory
//! (so `examples/…` and `fixtures/…` resolve), `NO_COLOR=1`, no `RUST_BACKTRACE`, and an empty,
//! closed standard input. The assertions on `Output` print the command and its (clipped) output
//! when they fail, and return the output so that they chain:
//!
//! ```ignore
//! let out = Test::new().args(&["eval", "examples/binary.csv"]).run();
//! out.success().stdout_contains("Verdict: PASS");
//! ```

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_mlguard");

/// Texts that only a panic puts in the output.
const PANIC_TEXTS: [&str; 3] = ["panicked", "RUST_BACKTRACE", "stack backtrace"];

/// Where the run takes its standard input from.
enum Stdin {
    /// An empty pipe, closed at once.
    Empty,
    /// A pipe that carries these bytes, then closes.
    Bytes(Vec<u8>),
    /// No file descriptor 0 at all.
    Closed,
}

/// Where the run happens.
enum Dir {
    /// The package root.
    Package,
    /// This directory.
    Path(PathBuf),
    /// A fresh empty temporary directory, removed when the output is dropped.
    Empty(TempDir),
}

impl Dir {
    fn path(&self) -> &Path {
        match self {
            Dir::Package => Path::new(env!("CARGO_MANIFEST_DIR")),
            Dir::Path(p) => p,
            Dir::Empty(t) => t.path(),
        }
    }
}

/// One run of `mlguard`, to be set up and then `run`.
#[must_use]
pub struct Test {
    args: Vec<OsString>,
    dir: Dir,
    env: Vec<(OsString, OsString)>,
    stdin: Stdin,
    timeout: Option<Duration>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// `mlguard` with no arguments, run from the package root.
    pub fn new() -> Self {
        Test {
            args: Vec::new(),
            dir: Dir::Package,
            env: Vec::new(),
            stdin: Stdin::Empty,
            timeout: None,
        }
    }

    /// `mlguard eval FILE --format json --quiet`: the JSON report of `FILE`, with no progress
    /// on stderr. More arguments may follow.
    pub fn eval_json(file: &str) -> Self {
        Test::new().args(&["eval", file, "--format", "json", "--quiet"])
    }

    /// Adds one argument (a path, for one).
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(OsString::from));
        self
    }

    /// Runs in `dir` instead of the package root.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.dir = Dir::Path(dir.as_ref().to_owned());
        self
    }

    /// Runs in a fresh empty temporary directory, so that no `mlguard.toml` is found by
    /// accident; input paths must then be absolute.
    pub fn in_empty_dir(mut self) -> Self {
        self.dir = Dir::Empty(tempfile::tempdir().expect("a temporary directory"));
        self
    }

    /// Sets an environment variable for the run.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Feeds `bytes` to standard input.
    pub fn stdin(mut self, bytes: &[u8]) -> Self {
        self.stdin = Stdin::Bytes(bytes.to_vec());
        self
    }

    /// Starts the binary with file descriptor 0 closed, not merely empty.
    pub fn closed_stdin(mut self) -> Self {
        self.stdin = Stdin::Closed;
        self
    }

    /// Kills the run, failing the test, when it takes longer than `limit`.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// The process this test would start, for a test that drives the pipes itself (a broken
    /// pipe, say). Standard input is left to the caller.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = match self.stdin {
            Stdin::Closed => {
                // The shell closes descriptor 0, then becomes mlguard.
                let mut c = std::process::Command::new("sh");
                c.arg("-c").arg("exec \"$0\" \"$@\" 0<&-").arg(BIN);
                c
            }
            Stdin::Empty | Stdin::Bytes(_) => std::process::Command::new(BIN),
        };
        cmd.current_dir(self.dir.path())
            .args(&self.args)
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the binary to its end and returns what it printed.
    pub fn run(self) -> Output {
        let mut cmd = assert_cmd::Command::from_std(self.command());
        // Without bytes to feed, assert_cmd gives the child an empty, closed pipe.
        if let Stdin::Bytes(bytes) = &self.stdin {
            cmd.write_stdin(bytes.clone());
        }
        if let Some(limit) = self.timeout {
            cmd.timeout(limit);
        }
        let out = cmd.output().expect("mlguard runs");
        let shown: Vec<String> = self
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        Output {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            raw_stdout: out.stdout,
            raw_stderr: out.stderr,
            command: format!("mlguard {}", shown.join(" ")),
            _dir: self.dir,
        }
    }
}

/// What a run of `mlguard` produced.
pub struct Output {
    /// How the process ended.
    pub status: ExitStatus,
    /// Standard output, lossily decoded (`utf8` asserts that nothing was lost).
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
    raw_stdout: Vec<u8>,
    raw_stderr: Vec<u8>,
    /// The command line, for failure messages.
    command: String,
    /// Keeps a temporary working directory alive as long as the output.
    _dir: Dir,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\nexit: {}\nstdout:\n{}\nstderr:\n{}",
            self.command,
            self.status,
            clip(&self.stdout),
            clip(&self.stderr)
        )
    }
}

impl Output {
    /// The exit code; `None` when a signal ended the process.
    pub fn status_code(&self) -> Option<i32> {
        self.status.code()
    }

    /// The exit code, failing the test when a signal ended the process.
    pub fn exit_code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("mlguard was killed by a signal: {self:?}"))
    }

    /// Asserts the exit code.
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(self.status.code(), Some(code), "exit code: {self:?}");
        self
    }

    /// Asserts a clean success: exit 0, no panic, nothing on stderr.
    pub fn success(&self) -> &Self {
        self.no_panic().code(0);
        assert!(self.stderr.is_empty(), "expected empty stderr: {self:?}");
        self
    }

    /// Asserts that nothing in the output comes from a panic.
    pub fn no_panic(&self) -> &Self {
        for text in PANIC_TEXTS {
            assert!(
                !self.stderr.contains(text) && !self.stdout.contains(text),
                "panic text {text:?} in the output: {self:?}"
            );
        }
        self
    }

    /// Asserts that stdout contains `text`.
    pub fn stdout_contains(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "{text:?} not on stdout: {self:?}"
        );
        self
    }

    /// Asserts that stderr contains `text`.
    pub fn stderr_contains(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "{text:?} not on stderr: {self:?}"
        );
        self
    }

    /// Asserts that stdout is exactly `text`.
    pub fn stdout_is(&self, text: &str) -> &Self {
        assert_eq!(self.stdout, text, "stdout: {self:?}");
        self
    }

    /// Asserts that stderr is exactly `text`.
    pub fn stderr_is(&self, text: &str) -> &Self {
        assert_eq!(self.stderr, text, "stderr: {self:?}");
        self
    }

    /// Asserts that stdout and stderr are valid UTF-8, as printed, before any lossy decoding.
    pub fn utf8(&self) -> &Self {
        for (name, bytes) in [("stdout", &self.raw_stdout), ("stderr", &self.raw_stderr)] {
            if let Err(e) = std::str::from_utf8(bytes) {
                panic!("{name} is not UTF-8 ({e}): {self:?}");
            }
        }
        self
    }

    /// Stdout parsed as JSON (from the bytes printed, so it must be valid UTF-8 too).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.raw_stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// The JSON report of a run that reached a verdict: exit 0 (passed) or 1 (gate failed), no
    /// panic, and a JSON report on stdout.
    pub fn report(&self) -> Value {
        self.no_panic();
        assert!(
            matches!(self.status.code(), Some(0 | 1)),
            "expected a verdict (exit 0 or 1): {self:?}"
        );
        self.json()
    }

    /// Asserts the one-line error contract: exit 2, no panic, nothing on stdout, exactly one
    /// line on stderr, starting with `mlguard: error: `. Returns the message after that prefix.
    pub fn one_line_error(&self) -> &str {
        self.no_panic().code(2);
        assert!(self.stdout.is_empty(), "expected empty stdout: {self:?}");
        assert!(
            self.stderr.ends_with('\n') && self.stderr.matches('\n').count() == 1,
            "expected exactly one line on stderr: {self:?}"
        );
        self.stderr
            .trim_end_matches('\n')
            .strip_prefix("mlguard: error: ")
            .unwrap_or_else(|| panic!("stderr does not start with 'mlguard: error: ': {self:?}"))
    }
}

/// Shortens long output for failure messages.
pub fn clip(s: &str) -> String {
    const MAX: usize = 3000;
    if s.len() <= MAX {
        return s.to_string();
    }
    let cut = (0..=MAX).rev().find(|&i| s.is_char_boundary(i)).unwrap();
    format!("{}… ({} bytes)", &s[..cut], s.len())
}
