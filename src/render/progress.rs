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

/// A bar that starts at `done` bytes: what was read before it appeared is not counted as read
/// in no time (which would show a rate of terabytes a second and an ETA of zero).
fn start_bar(done: u64, total: Option<u64>) -> ProgressBar {
    let (bar, template) = match total {
        Some(t) => (
            ProgressBar::new(t),
            "{spinner} reading {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} eta {eta}",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{spinner} reading {bytes} {bytes_per_sec}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_position(done);
    bar.reset_eta();
    bar
}

impl Progress for TerminalProgress {
    fn update(&self, done: u64, total: Option<u64>) {
        if !self.enabled || self.start.elapsed() < SHOW_AFTER {
            return;
        }
        let Ok(mut slot) = self.bar.lock() else {
            return;
        };
        let bar = slot.get_or_insert_with(|| start_bar(done, total));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_bar_does_not_count_earlier_bytes_as_read_at_once() {
        let bar = start_bar(3_000_000_000, Some(6_000_000_000));
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        assert_eq!(bar.position(), 3_000_000_000);
        // No bytes were read since the bar appeared: no rate yet (not 3 GB in no time).
        assert!(bar.per_sec() < 1e6, "{}", bar.per_sec());
    }
}
