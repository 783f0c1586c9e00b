//! Files for the tests: paths into the package, files written into a test's temporary
//! directory, and generated prediction logs.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The absolute path of `rel` in the package.
pub fn package_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The absolute path of a file in the package, which must exist.
pub fn package_file(rel: &str) -> String {
    let p = package_path(rel);
    assert!(p.is_file(), "missing {}", p.display());
    p.to_string_lossy().into_owned()
}

/// The bytes of a file in the package.
pub fn read_package_file(rel: &str) -> Vec<u8> {
    std::fs::read(package_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Writes `contents` to `dir/name` and returns the file's path.
pub fn write(dir: impl AsRef<Path>, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.as_ref().join(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path.to_str().expect("test paths are UTF-8").to_string()
}

/// The names of the entries of `dir`, sorted.
pub fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `bytes` compressed with gzip.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Writes `rows` rows of `scenario` with `seed` to `dir/<scenario>-<seed>.csv` with
/// `scripts/gen_scenarios.py` (standard library only, deterministic by seed) and returns the
/// file's absolute path.
pub fn scenario_file(dir: &Path, scenario: &str, seed: u64, rows: u64) -> String {
    let out = dir.join(format!("{scenario}-{seed}.csv"));
    let result = std::process::Command::new("python3")
        .arg(package_file("scripts/gen_scenarios.py"))
        .args([scenario, &seed.to_string(), &rows.to_string()])
        .arg(&out)
        .output()
        .expect("python3 runs (it is needed to generate the scenarios)");
    assert!(
        result.status.success(),
        "gen_scenarios.py {scenario} {seed} {rows} failed ({}):\n{}",
        result.status,
        String::from_utf8_lossy(&result.stderr)
    );
    out.to_string_lossy().into_owned()
}
