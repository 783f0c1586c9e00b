//! A libFuzzer-free runner for the fuzz targets: it replays every file of the corpus, then feeds
//! the target random mutations of corpus entries (bit flips, byte edits, splices, and tokens
//! that matter to CSV, JSON, numbers and TOML) until the time is up. It has no coverage
//! feedback, so it is a fallback for machines where `cargo fuzz` cannot build, not a
//! replacement.
//!
//! `TARGET [--seconds N] [--seed N] [CORPUS_DIR|FILE]…` (default: 60 s, `fuzz/corpus/TARGET`).
//! A panic prints the input and its backtrace, saves the input under
//! `fuzz/artifacts/TARGET/crash-HASH` and exits with status 1.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Tokens worth splicing into inputs.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xe9",
    b"\0",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"=",
    b"null",
    b"true",
    b"NaN",
    b"nan",
    b"inf",
    b"-inf",
    b"1e308",
    b"1e-320",
    b"-0",
    b"0.000001",
    b"0.9999999999999999",
    b"1.0000001",
    b"18446744073709551616",
    b"-1",
    b"NA",
    b"label",
    b"prediction",
    b"score",
    b"segment",
    b"p_",
    b"proba_",
    b"[gate]",
    b"[metrics]",
    b"[columns]",
    b"[input]",
    b"min = { f1 = 0.5 }",
    b"segment:",
    b"per_class.",
    b"\x1f\x8b",
    b"\x28\xb5\x2f\xfd",
];

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    for _ in 0..=rng.below(8) {
        let len = input.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                input.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                input.drain(i..i + n);
            }
            4 | 5 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(len + 1);
                input.splice(i..i, token.iter().copied());
            }
            6 if len > 0 => {
                // Duplicate a stretch (repeats rows and fields).
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let stretch = input[i..i + n].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, stretch);
            }
            7 if !corpus.is_empty() => {
                // Splice in part of another entry.
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let i = rng.below(other.len());
                    let n = 1 + rng.below(other.len() - i);
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[i..i + n].iter().copied());
                }
            }
            8 if len > 1 => {
                let cut = rng.below(len);
                input.truncate(cut);
            }
            _ => {}
        }
    }
    input.truncate(1 << 20);
}

fn load(paths: &[PathBuf]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            for p in entries {
                let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                out.push((p.display().to_string(), bytes));
            }
        } else {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((path.display().to_string(), bytes));
        }
    }
    out
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs `target` on `input`; on a panic saves the input, prints it and exits with status 1.
fn run_one(name: &str, target: fn(&[u8]), input: &[u8], origin: &str) {
    if panic::catch_unwind(AssertUnwindSafe(|| target(input))).is_ok() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("artifacts")
        .join(name);
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join(format!("crash-{:016x}", fnv(input)));
    let _ = std::fs::write(&file, input);
    eprintln!(
        "==== {name}: crash on {origin}; input saved to {}\n==== input ({} bytes): {:?}",
        file.display(),
        input.len(),
        String::from_utf8_lossy(&input[..input.len().min(4096)])
    );
    std::process::exit(1);
}

/// The runner's `main`: see the module documentation for the arguments.
pub fn main(name: &str, target: fn(&[u8])) {
    let mut seconds = 60u64;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--seconds N")
            }
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).expect("--seed N"),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    if paths.is_empty() {
        paths.push(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("corpus")
                .join(name),
        );
    }
    // Print each panic with a backtrace as it happens (the hook runs before unwinding).
    panic::set_hook(Box::new(|info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        eprintln!("==== panic: {info}\n{backtrace}");
    }));
    let corpus = load(&paths);
    for (origin, bytes) in &corpus {
        run_one(name, target, bytes, origin);
    }
    let inputs: Vec<Vec<u8>> = corpus.into_iter().map(|(_, b)| b).collect();
    let mut rng = Rng(seed | 1);
    let start = Instant::now();
    let limit = Duration::from_secs(seconds);
    let mut runs = 0u64;
    while start.elapsed() < limit {
        let mut input = if inputs.is_empty() {
            Vec::new()
        } else {
            inputs[rng.below(inputs.len())].clone()
        };
        mutate(&mut rng, &mut input, &inputs);
        run_one(name, target, &input, &format!("mutation {runs}"));
        runs += 1;
    }
    eprintln!(
        "==== {name}: {} corpus files replayed, {runs} mutations in {:.0} s, no crash",
        inputs.len(),
        start.elapsed().as_secs_f64()
    );
}
