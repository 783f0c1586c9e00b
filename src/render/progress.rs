//! The progress bar on standard error for long runs: shown only on a terminal, only once a run
//! has taken more than a second, and never with `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::scan::Progress;

/// Runs shorter than this show no bar.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress bar that appears after a second on an interactive standard error.
pub struct TerminalProgress {
    enabled: bool,
    start: Instant,
    bar: Mutex<Option<ProgressBar>>,
}

impl TerminalProgress {
    /// A bar, unless `quiet` or standard error is not a terminal.
    pub fn new(quiet: bool) -> TerminalProgress {
        TerminalProgress {
            enabled: !quiet && std::io::stderr().is_terminal(),
            start: Instant::now(),
            bar: Mutex::new(None),
        }
    }
}

impl Progress for TerminalProgress {
    fn update(&self, done: u64, total: Option<u64>) {
        if !self.enabled || self.start.elapsed() < SHOW_AFTER {
            return;
        }
        let Ok(mut slot) = self.bar.lock() else {
            return;
        };
        let bar =
            slot.get_or_insert_with(|| {
                let (bar, template) = match total {
                Some(t) => (
                    ProgressBar::new(t),
                    "{spinner} reading {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} eta {eta}",
                ),
                None => (ProgressBar::new_spinner(), "{spinner} reading {bytes} {bytes_per_sec}"),
            };
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style);
                }
                bar
            });
        bar.set_position(done);
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}
