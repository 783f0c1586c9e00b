//! The `mlguard` binary: hands its command line to [`mlguard::run_command_line`], which parses
//! it, runs it and prints an error as one line, and exits with the status that returns.

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    keep_large_blocks_apart();
    let args: Vec<OsString> = std::env::args_os().collect();
    mlguard::run_command_line(&args).into()
}

/// Blocks of 256 KiB and more are mapped on their own, so that freeing one returns it to the
/// system. glibc's allocator otherwise raises that bound as large blocks are freed (up to
/// 32 MiB) and serves the next ones from its heaps, where they stay once freed: the exact score
/// tables of millions of rows, per segment and time window, then held a third more memory than
/// they use (10M rows with segments, windows and ids: 700 MB at peak, 560 MB with the bound
/// fixed).
fn keep_large_blocks_apart() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator; it is called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}
