//! The fast lane of the scan: rows whose label, prediction and segment cells were all met
//! before, and whose score is a plain decimal, are counted without decoding.
//!
//! The lane remembers what each such cell decoded to ([`CellMemo`]); a row that does not
//! qualify takes the full path, which teaches the memos. Rows counted here are audited in
//! batches, in row order, exactly as the full path would audit them (a property test checks
//! that both paths give the same state).

use crate::io::decode::{decimal_point, Fields, DECIMAL_COMMA_CELL};
use crate::io::memo::CellMemo;
use crate::metrics::audit::ScoredRow;
use crate::metrics::ranked::Score;
use crate::metrics::row::{Prediction, Row};

use super::{record_fingerprint, Consumer, Setup, AUDIT_BATCH};

/// What the cells of the label, prediction and segment columns decoded to before (see
/// [`CellMemo`]): a row whose cells are all remembered and whose score is a plain decimal is
/// counted without decoding; any other row takes the full path, which teaches the memos.
///
/// Only for rows of labels, predictions, scores, segments and ids: probabilities, times,
/// windows, latencies and logit scores always take the full path.
#[derive(Clone)]
pub(super) struct Lane {
    label: CellMemo,
    prediction: CellMemo,
    segments: Vec<CellMemo>,
    /// Scratch: the segment positions of the row at hand.
    at: Vec<u32>,
}

/// Segment columns the fast lane handles.
const LANE_SEGMENT_COLUMNS: usize = 8;

impl Consumer<'_> {
    /// Counts a record through the fast lane; `false` (and nothing counted) when it does not
    /// qualify.
    #[inline]
    pub(super) fn fast<R: Fields>(&mut self, rec: &R, line: u64, fields: usize) -> bool {
        let Some(lane) = &mut self.lane else {
            return false;
        };
        let plan = self.plan;
        let Some(t) = lane.label.get(rec, plan.label) else {
            return false;
        };
        let score = match plan.score {
            Some(col) => match if self.decoder.decimal_comma() {
                let mut buf = [0; DECIMAL_COMMA_CELL];
                Score::parse_grid(decimal_point(rec.field(col).trim_ascii(), &mut buf))
            } else {
                Score::parse_grid(rec.field(col))
            } {
                Some(s) => Some(s),
                None => return false,
            },
            None => None,
        };
        let (p, prediction) = match (plan.prediction, score) {
            (Some(col), _) => match lane.prediction.get(rec, col) {
                // The spelling is not read once the class id is known.
                Some(p) => (Some(p), Prediction::Label("")),
                None => return false,
            },
            (None, Some(s)) => (
                None,
                Prediction::Positive(s.value >= self.decoder.threshold()),
            ),
            (None, None) => return false,
        };
        lane.at.clear();
        for (memo, &col) in lane.segments.iter().zip(self.segment_index) {
            match memo.get(rec, col) {
                Some(i) => lane.at.push(i),
                None => return false,
            }
        }
        let row = Row {
            label: "",
            prediction,
            score,
            proba: &[],
        };
        self.state.push_known(&row, t, p, &lane.at);
        let record = record_fingerprint(rec, fields, self.delimiter, &mut self.joined);
        match (self.id_index, score) {
            (None, Some(score)) => {
                let place = self.state.place_of(record, &lane.at);
                self.pending.push(ScoredRow {
                    record,
                    line,
                    t,
                    score: score.value,
                    place,
                });
                if self.pending.len() == AUDIT_BATCH {
                    self.flush_audit();
                }
            }
            (id, _) => {
                let id = id.map(|i| rec.field(i));
                self.state.audit(&row, (line, record), id, Some(&lane.at));
            }
        }
        true
    }

    /// Remembers the cells of a record the full path has just counted.
    pub(super) fn learn<R: Fields>(&mut self, rec: &R) {
        let Some(lane) = &mut self.lane else {
            return;
        };
        let Some((t, p)) = self.state.overall.last_ids else {
            return;
        };
        lane.label.learn(rec, self.plan.label, t);
        if let (Some(col), Some(p)) = (self.plan.prediction, p) {
            lane.prediction.learn(rec, col, p);
        }
        for ((memo, &col), &i) in lane
            .segments
            .iter_mut()
            .zip(self.segment_index)
            .zip(self.state.last_segments())
        {
            memo.learn(rec, col, i);
        }
    }
}

/// The fast lane, when every row of the input can take it.
pub(super) fn lane_for(s: &Setup) -> Option<Lane> {
    let plain = s.proba_classes.is_empty()
        && !s.windows.enabled()
        && s.time_index.is_none()
        && s.latency_index.is_none()
        && s.weight_index.is_none()
        && s.feature_index.is_empty()
        && !s.decoder.rules().logits
        && (s.plan.prediction.is_some() || s.plan.score.is_some())
        && s.segment_index.len() <= LANE_SEGMENT_COLUMNS;
    plain.then(|| Lane {
        label: CellMemo::default(),
        prediction: CellMemo::default(),
        segments: vec![CellMemo::default(); s.segment_index.len()],
        at: Vec::with_capacity(s.segment_index.len()),
    })
}
