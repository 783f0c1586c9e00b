//! Per-window accumulation for time windows: one [`EvalState`] per window of a time (or row)
//! axis, merging exactly like segments.
//!
//! With no width given, rows are kept in one-hour windows (doubling the width whenever more than
//! [`MAX_BASE_WINDOWS`] would be needed), which the report then groups into 10–50 windows; the
//! fine windows serve the change-point search.

use std::collections::BTreeMap;

use super::accumulator::EvalState;
use crate::metrics::row::Row;
use crate::time::WindowWidth;

/// Fine windows kept before their width doubles.
pub const MAX_BASE_WINDOWS: usize = 4096;

/// The width of automatic base windows.
pub const AUTO_BASE_SECONDS: i64 = 3600;

/// States per window of one axis.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WindowColumn {
    /// The window width (in seconds or rows).
    pub width: WindowWidth,
    /// Whether the width was chosen automatically (and may grow).
    pub auto: bool,
    /// Per window index (the axis value divided by the width).
    pub states: BTreeMap<i64, EvalState>,
}

impl WindowColumn {
    /// Windows of the given width, or automatic ones.
    pub fn new(width: Option<WindowWidth>) -> WindowColumn {
        WindowColumn {
            width: width.unwrap_or(WindowWidth::Seconds(AUTO_BASE_SECONDS)),
            auto: width.is_none(),
            states: BTreeMap::new(),
        }
    }

    /// The width in axis units.
    pub fn units(&self) -> i64 {
        match self.width {
            WindowWidth::Seconds(s) | WindowWidth::Rows(s) => s,
        }
    }

    /// The state of the window holding axis value `at`.
    #[inline]
    pub fn state_mut(&mut self, at: i64, make: impl FnOnce() -> EvalState) -> &mut EvalState {
        let key = at.div_euclid(self.units());
        if self.auto && self.states.len() >= MAX_BASE_WINDOWS && !self.states.contains_key(&key) {
            self.coarsen(2);
            return self.state_mut(at, make);
        }
        self.states.entry(key).or_insert_with(make)
    }

    /// Makes windows `factor` times wider, merging their states.
    pub fn coarsen(&mut self, factor: i64) {
        let old = std::mem::take(&mut self.states);
        self.width = match self.width {
            WindowWidth::Seconds(s) => WindowWidth::Seconds(s * factor),
            WindowWidth::Rows(r) => WindowWidth::Rows(r * factor),
        };
        for (key, state) in old {
            match self.states.get_mut(&key.div_euclid(factor)) {
                Some(s) => s.merge(&state),
                None => {
                    self.states.insert(key.div_euclid(factor), state);
                }
            }
        }
    }

    /// Adds another column's windows (coarsening the finer of the two first).
    pub fn merge(&mut self, other: &WindowColumn) {
        let mut other = other.clone();
        while other.units() < self.units() {
            other.coarsen(self.units() / other.units());
        }
        while self.units() < other.units() {
            self.coarsen(other.units() / self.units());
        }
        for (key, state) in other.states {
            match self.states.get_mut(&key) {
                Some(s) => s.merge(&state),
                None => {
                    self.states.insert(key, state);
                }
            }
        }
        // Two parts of a long span may each fit in the window limit while their union does not;
        // one pass would have doubled the width until it fit, and so does the merge.
        while self.auto && self.states.len() > MAX_BASE_WINDOWS {
            self.coarsen(2);
        }
    }
}

/// Pushes a row with resolved class ids into the window state at `at`.
#[inline]
pub fn push_window(
    column: &mut WindowColumn,
    at: i64,
    row: &Row<'_>,
    ids: (u32, Option<u32>),
    overall: &EvalState,
    proba_classes: &[crate::label::LabelKey],
) {
    let state = column.state_mut(at, || EvalState::new(proba_classes));
    if state.classes.len() < overall.classes.len() {
        state.follow_classes(overall);
    }
    state.push_resolved(row, ids.0, ids.1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::row::{Prediction, Row};

    fn column(hours: std::ops::Range<i64>) -> WindowColumn {
        let mut column = WindowColumn::new(None);
        let row = Row {
            label: "a",
            prediction: Prediction::Label("a"),
            score: None,
            proba: &[],
        };
        let mut ids = EvalState::default();
        let (t, p) = ids.resolve(&row).unwrap();
        for h in hours {
            push_window(&mut column, h * 3600, &row, (t, p), &ids, &[]);
        }
        column
    }

    #[test]
    fn merged_parts_of_a_long_span_coarsen_like_one_pass() {
        let whole = column(0..6000);
        let mut merged = column(0..3000);
        merged.merge(&column(3000..6000));
        assert_eq!(merged.width, whole.width);
        assert_ne!(merged.width, WindowWidth::Seconds(AUTO_BASE_SECONDS));
        let rows = |c: &WindowColumn| -> Vec<(i64, u64)> {
            c.states.iter().map(|(&k, s)| (k, s.rows())).collect()
        };
        assert_eq!(rows(&merged), rows(&whole));
    }
}
