//! Input features: a summary of each feature column in bounded memory, merged exactly across
//! workers and shards, and what it says against a reference (data quality and drift; see
//! [`compare`]).
//!
//! A feature's cells are counted as missing (empty, `NA`, `null`…), as numbers, or as other
//! text. Numbers go into a [`LogHistogram`]: buckets of relative width 2% (DDSketch's
//! logarithmic mapping, α = 0.01), so every quantile and distance read from it is exact up to a
//! relative error of 1% of the value, whatever the row count, and two histograms merge by
//! adding counts. Text values are counted exactly up to [`MAX_CATEGORIES`] distinct values per
//! feature; beyond that, the rest are counted together as overflow (numbers then without a
//! look-up: their histogram has them). Whether a feature is
//! numeric or categorical is decided when the report is made — numeric when at least 99% of
//! its non-missing cells are numbers, unless `--categorical-cols` names it — so that workers
//! and shards need not agree on it while reading.
//!
//! Two more summaries serve the diagnosis. Along the time windows, each feature is summarised
//! again with coarser buckets ([`WINDOW_COARSENING`] of them merged into one) and fewer
//! categories, in at most [`MAX_FEATURE_WINDOWS`] windows whose width doubles as needed, so that
//! the window where a feature started to move can be found. And per value of each feature
//! (coarse bucket, category or missing), the rows and the sum of their scores, so that a shift
//! of the mean score can be attributed to the features whose change explains it.

pub mod compare;
pub mod rows;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize, Serializer};

use crate::metrics::ranked::Ranked;
use crate::time::WindowWidth;

/// Distinct text values counted exactly per feature.
pub const MAX_CATEGORIES: usize = 1000;

/// Relative accuracy of the numeric histogram (α): a bucket spans values within ±α of its
/// representative.
pub const RELATIVE_ACCURACY: f64 = 0.01;

/// Fine buckets (of relative width 2%) merged into one in the per-window and per-value
/// summaries: 16 of them make a bucket of about 37%.
pub const WINDOW_COARSENING: i32 = 16;

/// Windows a feature's time track keeps before their width doubles.
pub const MAX_FEATURE_WINDOWS: usize = 64;

/// Distinct text values counted per feature in each window.
pub const WINDOW_CATEGORIES: usize = 64;

/// Scores are summed in fixed point, in steps of 2^-40, so that sums do not depend on the order
/// rows were merged in.
const SCORE_SCALE: f64 = (1u64 << 40) as f64;

/// Values closer to zero than this share the zero bucket.
const MIN_MAGNITUDE: f64 = 1e-9;

/// The coarse bucket of fine bucket `key`: rounded down to a multiple of
/// [`WINDOW_COARSENING`] (in the values' order, as fine keys are).
fn coarse(key: i32) -> i32 {
    key.div_euclid(WINDOW_COARSENING) * WINDOW_COARSENING
}

/// ln γ, γ = (1 + α) / (1 − α).
fn ln_gamma() -> f64 {
    ((1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)).ln()
}

/// The bucket index of the smallest magnitude, so that positive keys start at 1.
fn offset() -> i32 {
    (MIN_MAGNITUDE.ln() / ln_gamma()).ceil() as i32 - 1
}

/// Counts by bucket key, hashed for a constant-time count per cell (a feature's buckets number
/// in the hundreds); written in key order, so that a state's text does not depend on the order
/// its rows arrived in.
pub type KeyMap<V> = HashMap<i32, V, foldhash::fast::FixedState>;

/// Writes a [`KeyMap`] in key order.
fn in_key_order<V: Serialize, S: Serializer>(map: &KeyMap<V>, out: S) -> Result<S::Ok, S::Error> {
    map.iter().collect::<BTreeMap<_, _>>().serialize(out)
}

/// Numbers in logarithmic buckets of relative width 2α: bounded memory (a few hundred buckets
/// for values spanning a few orders of magnitude), exact merges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogHistogram {
    /// Counts by bucket key: 0 for values near zero, `k > 0` for positive values and `-k` for
    /// their negatives, ordered as the values are.
    #[serde(serialize_with = "in_key_order")]
    buckets: KeyMap<u64>,
    /// Values counted.
    pub count: u64,
    /// The smallest value.
    pub min: Option<f64>,
    /// The largest value.
    pub max: Option<f64>,
    /// Whether the buckets are coarse ([`WINDOW_COARSENING`] fine ones each).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub coarse: bool,
}

impl LogHistogram {
    /// The bucket key of `v`.
    pub fn key(v: f64) -> i32 {
        let magnitude = v.abs();
        if magnitude < MIN_MAGNITUDE {
            return 0;
        }
        let index = ((magnitude.ln() / ln_gamma()).ceil() as i32 - offset()).max(1);
        if v < 0.0 {
            -index
        } else {
            index
        }
    }

    /// The value a bucket stands for (within α of every value in it).
    fn value(key: i32) -> f64 {
        if key == 0 {
            return 0.0;
        }
        let gamma = ln_gamma().exp();
        let i = key.abs() + offset();
        let magnitude = 2.0 * gamma.powi(i) / (gamma + 1.0);
        if key < 0 {
            -magnitude
        } else {
            magnitude
        }
    }

    /// The coarse bucket of `v`: its fine bucket's key rounded down to a multiple of
    /// [`WINDOW_COARSENING`] (in the values' order, as fine keys are).
    fn coarse_key(v: f64) -> i32 {
        coarse(Self::key(v))
    }

    /// The same counts in coarse buckets (as [`push_coarse`](Self::push_coarse) counts).
    pub fn coarsened(&self) -> LogHistogram {
        let mut out = LogHistogram {
            count: self.count,
            min: self.min,
            max: self.max,
            coarse: true,
            ..LogHistogram::default()
        };
        for (&k, &c) in &self.buckets {
            *out.buckets.entry(coarse(k)).or_insert(0) += c;
        }
        out
    }

    /// Counts `v` (a finite number).
    pub fn push(&mut self, v: f64) {
        self.push_key(Self::key(v), v);
    }

    /// Counts `v` (of bucket `key`) in its coarse bucket.
    fn push_coarse(&mut self, key: i32, v: f64) {
        self.coarse = true;
        self.push_key(coarse(key), v);
    }

    fn push_key(&mut self, key: i32, v: f64) {
        *self.buckets.entry(key).or_insert(0) += 1;
        self.count += 1;
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &LogHistogram) {
        self.coarse |= other.coarse;
        for (&k, &c) in &other.buckets {
            *self.buckets.entry(k).or_insert(0) += c;
        }
        self.count += other.count;
        self.min = match (self.min, other.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// The buckets as a ranked sample: each bucket's value and count, in value order.
    pub fn ranked(&self) -> Ranked {
        let mut buckets: Vec<(i32, u64)> = self.buckets.iter().map(|(&k, &c)| (k, c)).collect();
        buckets.sort_unstable();
        Ranked {
            values: buckets.iter().map(|&(k, _)| Self::value(k)).collect(),
            counts: buckets.iter().map(|&(_, c)| c).collect(),
        }
    }

    /// Values counted in buckets wholly below `low` or above `high` (so beyond them by more
    /// than the histogram's accuracy).
    pub fn outside(&self, low: f64, high: f64) -> u64 {
        let key = if self.coarse {
            Self::coarse_key
        } else {
            Self::key
        };
        let (below, above) = (key(low), key(high));
        self.buckets
            .iter()
            .filter(|(&k, _)| k < below || k > above)
            .map(|(_, &c)| c)
            .sum()
    }

    /// The number of buckets with values (distinct values, up to the accuracy).
    pub fn distinct(&self) -> usize {
        self.buckets.len()
    }
}

/// Text values and their counts, exact up to [`MAX_CATEGORIES`] distinct ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Categories {
    /// Count by value.
    pub counts: BTreeMap<String, u64>,
    /// Cells whose value arrived once the table was full.
    pub overflow: u64,
}

impl Categories {
    fn push(&mut self, value: &str, cap: usize) {
        if let Some(c) = self.counts.get_mut(value) {
            *c += 1;
        } else if self.counts.len() < cap {
            self.counts.insert(value.to_string(), 1);
        } else {
            self.overflow += 1;
        }
    }

    fn merge(&mut self, other: &Categories, cap: usize) {
        for (value, &c) in &other.counts {
            if let Some(mine) = self.counts.get_mut(value) {
                *mine += c;
            } else if self.counts.len() < cap {
                self.counts.insert(value.clone(), c);
            } else {
                self.overflow += c;
            }
        }
        self.overflow += other.overflow;
    }

    /// Cells counted.
    pub fn total(&self) -> u64 {
        self.counts.values().sum::<u64>() + self.overflow
    }
}

/// A feature cell as read: missing, a finite number (with its text), or other text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Empty or a missing-value marker.
    Missing,
    /// A finite number, its [`LogHistogram`] bucket key, and the trimmed text it was read
    /// from.
    Number(f64, i32, &'a str),
    /// Any other text, trimmed.
    Text(&'a str),
}

impl<'a> Cell<'a> {
    /// Classifies a cell.
    pub fn of(cell: &'a str) -> Cell<'a> {
        let cell = cell.trim();
        if crate::label::is_missing(cell) {
            return Cell::Missing;
        }
        match cell.parse::<f64>() {
            Ok(v) if v.is_finite() => Cell::Number(v, LogHistogram::key(v), cell),
            _ => Cell::Text(cell),
        }
    }
}

/// One feature column's summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureSummary {
    /// Cells read.
    pub rows: u64,
    /// Empty or missing-value cells.
    pub missing: u64,
    /// Cells that are numbers.
    pub numbers: LogHistogram,
    /// Every non-missing cell's text (numbers too, so that a feature read as categorical
    /// keeps them).
    pub text: Categories,
}

impl FeatureSummary {
    /// Counts one cell.
    pub fn push(&mut self, cell: &str) {
        self.add(&Cell::of(cell));
    }

    /// Counts one classified cell.
    pub fn add(&mut self, cell: &Cell<'_>) {
        self.add_with(cell, MAX_CATEGORIES, LogHistogram::push_key);
    }

    /// Counts one cell in a window's summary: coarse buckets, fewer categories.
    fn add_coarse(&mut self, cell: &Cell<'_>) {
        self.add_with(cell, WINDOW_CATEGORIES, LogHistogram::push_coarse);
    }

    fn add_with(&mut self, cell: &Cell<'_>, cap: usize, push: fn(&mut LogHistogram, i32, f64)) {
        self.rows += 1;
        match *cell {
            Cell::Missing => self.missing += 1,
            Cell::Number(v, key, text) => {
                push(&mut self.numbers, key, v);
                // A number is one more value of a full table without looking it up: a feature
                // with that many distinct numbers is numeric, and its histogram has it.
                if self.text.overflow > 0 {
                    self.text.overflow += 1;
                } else {
                    self.text.push(text, cap);
                }
            }
            Cell::Text(text) => self.text.push(text, cap),
        }
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &FeatureSummary) {
        self.merge_with(other, MAX_CATEGORIES);
    }

    fn merge_with(&mut self, other: &FeatureSummary, cap: usize) {
        self.rows += other.rows;
        self.missing += other.missing;
        self.numbers.merge(&other.numbers);
        self.text.merge(&other.text, cap);
    }

    /// The same summary with coarse buckets, comparable with a window's.
    pub fn coarsened(&self) -> FeatureSummary {
        FeatureSummary {
            numbers: self.numbers.coarsened(),
            ..self.clone()
        }
    }

    /// Non-missing cells.
    pub fn present(&self) -> u64 {
        self.rows - self.missing
    }
}

/// Segment values whose features are summarised on their own, per segment column.
pub const MAX_SEGMENT_VALUES: usize = 32;

/// The features of the rows of one segment value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentFeatures {
    /// The segment column.
    pub column: String,
    /// The segment value.
    pub value: String,
    /// One summary per feature, in the features' order.
    pub summaries: Vec<FeatureSummary>,
}

/// Each feature summarised per window of the time (or row) axis, in coarse buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureWindows {
    /// The width of a window, in seconds or rows; it doubles whenever more than
    /// [`MAX_FEATURE_WINDOWS`] windows would be needed.
    pub width: WindowWidth,
    /// One summary per feature by window index (the axis value divided by the width).
    pub windows: BTreeMap<i64, Vec<FeatureSummary>>,
}

impl FeatureWindows {
    /// Empty windows of `width`.
    pub fn new(width: WindowWidth) -> FeatureWindows {
        FeatureWindows {
            width,
            windows: BTreeMap::new(),
        }
    }

    /// The width in axis units.
    pub fn units(&self) -> i64 {
        match self.width {
            WindowWidth::Seconds(s) | WindowWidth::Rows(s) => s,
        }
    }

    /// The summaries (`n` features) of the window holding axis value `at`.
    fn slot(&mut self, at: i64, n: usize) -> &mut Vec<FeatureSummary> {
        loop {
            let key = at.div_euclid(self.units());
            if self.windows.contains_key(&key) || self.windows.len() < MAX_FEATURE_WINDOWS {
                return self
                    .windows
                    .entry(key)
                    .or_insert_with(|| vec![FeatureSummary::default(); n]);
            }
            self.coarsen();
        }
    }

    /// Makes windows twice as wide, merging their summaries.
    fn coarsen(&mut self) {
        self.width = match self.width {
            WindowWidth::Seconds(s) => WindowWidth::Seconds(s * 2),
            WindowWidth::Rows(r) => WindowWidth::Rows(r * 2),
        };
        for (key, summaries) in std::mem::take(&mut self.windows) {
            self.add(key.div_euclid(2), &summaries);
        }
    }

    fn add(&mut self, key: i64, summaries: &[FeatureSummary]) {
        match self.windows.get_mut(&key) {
            Some(mine) => {
                for (m, t) in mine.iter_mut().zip(summaries) {
                    m.merge_with(t, WINDOW_CATEGORIES);
                }
            }
            None => {
                self.windows.insert(key, summaries.to_vec());
            }
        }
    }

    /// Adds the windows of `other` (the same features), at the wider of the two widths.
    pub fn merge(&mut self, other: &FeatureWindows) {
        let mut other = other.clone();
        while other.units() < self.units() {
            other.coarsen();
        }
        while self.units() < other.units() {
            self.coarsen();
        }
        for (key, summaries) in &other.windows {
            self.add(*key, summaries);
        }
        while self.windows.len() > MAX_FEATURE_WINDOWS {
            self.coarsen();
        }
    }
}

/// Rows and their scores' sum (fixed point, steps of 2^-40) per value of one feature: its
/// coarse numeric buckets, its categories (up to [`MAX_CATEGORIES`], the rest together), and
/// its missing cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ValueScores {
    /// By coarse bucket key.
    #[serde(serialize_with = "in_key_order")]
    pub numbers: KeyMap<(u64, i128)>,
    /// By category.
    pub text: BTreeMap<String, (u64, i128)>,
    /// Categories beyond the cap.
    pub other: (u64, i128),
    /// Missing cells.
    pub missing: (u64, i128),
}

/// A score in the fixed point of score sums.
fn fixed(score: f64) -> i128 {
    (score.clamp(-1e6, 1e6) * SCORE_SCALE).round() as i128
}

fn add_to(slot: &mut (u64, i128), (n, sum): (u64, i128)) {
    slot.0 += n;
    slot.1 += sum;
}

impl ValueScores {
    fn add(&mut self, cell: &Cell<'_>, score: i128) {
        let slot = match *cell {
            Cell::Missing => &mut self.missing,
            Cell::Number(_, key, _) => self.numbers.entry(coarse(key)).or_default(),
            Cell::Text(t) if self.text.contains_key(t) || self.text.len() < MAX_CATEGORIES => {
                if !self.text.contains_key(t) {
                    self.text.insert(t.to_string(), (0, 0));
                }
                self.text.get_mut(t).expect("inserted above")
            }
            Cell::Text(_) => &mut self.other,
        };
        add_to(slot, (1, score));
    }

    fn merge(&mut self, other: &ValueScores) {
        for (k, &v) in &other.numbers {
            add_to(self.numbers.entry(*k).or_default(), v);
        }
        for (k, &v) in &other.text {
            if let Some(slot) = self.text.get_mut(k) {
                add_to(slot, v);
            } else if self.text.len() < MAX_CATEGORIES {
                self.text.insert(k.clone(), v);
            } else {
                add_to(&mut self.other, v);
            }
        }
        add_to(&mut self.other, other.other);
        add_to(&mut self.missing, other.missing);
    }

    /// Every value's (rows, score sum), keyed so that the same value of two summaries meets.
    pub fn cells(&self) -> BTreeMap<(u8, i32, &str), (u64, f64)> {
        let sum = |(n, s): (u64, i128)| (n, s as f64 / SCORE_SCALE);
        let mut out = BTreeMap::new();
        out.insert((0, 0, ""), sum(self.missing));
        out.insert((3, 0, ""), sum(self.other));
        out.extend(self.numbers.iter().map(|(&k, &v)| ((1, k, ""), sum(v))));
        out.extend(self.text.iter().map(|(k, &v)| ((2, 0, k.as_str()), sum(v))));
        out.retain(|_, v| v.0 > 0);
        out
    }
}

/// Rows, and the sum and sum of squares of their scores (fixed point).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreMoments {
    /// Rows with a score.
    pub rows: u64,
    /// Sum of scores.
    pub sum: i128,
    /// Sum of squared scores.
    pub squares: i128,
}

impl ScoreMoments {
    /// Mean and variance of the scores.
    pub fn mean_var(&self) -> Option<(f64, f64)> {
        if self.rows == 0 {
            return None;
        }
        let n = self.rows as f64;
        let mean = self.sum as f64 / SCORE_SCALE / n;
        let var = (self.squares as f64 / SCORE_SCALE / n - mean * mean).max(0.0);
        Some((mean, var))
    }
}

/// The summaries of every feature column, in the order the features were named, overall and
/// per segment value (the first [`MAX_SEGMENT_VALUES`] values of each segment column), so that
/// a feature that broke in one segment can be located there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureState {
    /// Feature name and summary.
    pub features: Vec<(String, FeatureSummary)>,
    /// Per segment value.
    #[serde(default)]
    pub segments: Vec<SegmentFeatures>,
    /// Per window, when the rows have windows.
    #[serde(default)]
    pub windows: Option<FeatureWindows>,
    /// Per value of each feature, the rows' scores (binary scores only; empty without).
    #[serde(default)]
    pub scores: Vec<ValueScores>,
    /// The scores of the rows counted in `scores`.
    #[serde(default)]
    pub score_moments: ScoreMoments,
}

impl FeatureState {
    /// Empty summaries of `names`.
    pub fn new(names: &[String]) -> FeatureState {
        FeatureState {
            features: names
                .iter()
                .map(|n| (n.clone(), FeatureSummary::default()))
                .collect(),
            segments: Vec::new(),
            windows: None,
            scores: Vec::new(),
            score_moments: ScoreMoments::default(),
        }
    }

    /// The same, summarised per window of `width` as well.
    pub fn with_windows(mut self, width: WindowWidth) -> FeatureState {
        self.windows = Some(FeatureWindows::new(width));
        self
    }

    /// Counts one row: `cell(k)` is its cell of feature `k`, `at` its place on the window axis,
    /// `score` its binary score, if any, and `segments` the places in
    /// [`segments`](Self::segments) of its segment values (see
    /// [`segment_slot`](Self::segment_slot)). Each cell is read once.
    pub fn push<'c>(
        &mut self,
        cell: impl Fn(usize) -> std::borrow::Cow<'c, str>,
        at: Option<i64>,
        score: Option<f64>,
        segments: &[usize],
    ) {
        let n = self.features.len();
        let mut window = match (&mut self.windows, at) {
            (Some(w), Some(at)) => Some(w.slot(at, n)),
            _ => None,
        };
        let score = score.map(fixed);
        if let Some(s) = score {
            if self.scores.len() != n {
                self.scores.resize_with(n, ValueScores::default);
            }
            self.score_moments.rows += 1;
            self.score_moments.sum += s;
            // Squares in the same steps: (s·2^-40)²·2^40.
            self.score_moments.squares += (s * s) >> 40;
        }
        for k in 0..n {
            let text = cell(k);
            let cell = Cell::of(&text);
            self.features[k].1.add(&cell);
            if let Some(w) = window.as_deref_mut() {
                w[k].add_coarse(&cell);
            }
            if let Some(s) = score {
                self.scores[k].add(&cell, s);
            }
            for &at in segments {
                self.segments[at].summaries[k].add(&cell);
            }
        }
    }

    /// Adds the counts of `other` (the same features).
    pub fn merge(&mut self, other: &FeatureState) {
        for ((_, mine), (_, theirs)) in self.features.iter_mut().zip(&other.features) {
            mine.merge(theirs);
        }
        match (&mut self.windows, &other.windows) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (None, Some(theirs)) => self.windows = Some(theirs.clone()),
            _ => {}
        }
        if self.scores.is_empty() {
            self.scores = vec![ValueScores::default(); other.scores.len()];
        }
        for (mine, theirs) in self.scores.iter_mut().zip(&other.scores) {
            mine.merge(theirs);
        }
        let (m, t) = (&mut self.score_moments, other.score_moments);
        m.rows += t.rows;
        m.sum += t.sum;
        m.squares += t.squares;
        for theirs in &other.segments {
            match self
                .segments
                .iter_mut()
                .find(|s| s.column == theirs.column && s.value == theirs.value)
            {
                Some(mine) => {
                    for (m, t) in mine.summaries.iter_mut().zip(&theirs.summaries) {
                        m.merge(t);
                    }
                }
                None => {
                    let values = self
                        .segments
                        .iter()
                        .filter(|s| s.column == theirs.column)
                        .count();
                    if values < MAX_SEGMENT_VALUES {
                        self.segments.push(theirs.clone());
                    }
                }
            }
        }
        // A stable order whatever the order of the merges.
        self.segments
            .sort_by(|a, b| (&a.column, &a.value).cmp(&(&b.column, &b.value)));
    }

    /// The place in [`segments`](Self::segments) of segment `column`=`value`'s summaries, made
    /// when first asked for (`None` beyond [`MAX_SEGMENT_VALUES`] values of the column).
    pub fn segment_slot(&mut self, column: &str, value: &str) -> Option<usize> {
        let at = match self
            .segments
            .iter()
            .position(|s| s.column == column && s.value == value)
        {
            Some(at) => at,
            None => {
                let values = self.segments.iter().filter(|s| s.column == column).count();
                if values >= MAX_SEGMENT_VALUES {
                    return None;
                }
                self.segments.push(SegmentFeatures {
                    column: column.to_string(),
                    value: value.to_string(),
                    summaries: vec![FeatureSummary::default(); self.features.len()],
                });
                self.segments.len() - 1
            }
        };
        Some(at)
    }

    /// The summaries of segment `column`=`value`.
    pub fn segment(&self, column: &str, value: &str) -> Option<&[FeatureSummary]> {
        self.segments
            .iter()
            .find(|s| s.column == column && s.value == value)
            .map(|s| s.summaries.as_slice())
    }

    /// The summary of `name`.
    pub fn get(&self, name: &str) -> Option<&FeatureSummary> {
        self.features
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_values_within_their_accuracy_and_in_order() {
        let mut h = LogHistogram::default();
        let values = [-250.0, -1.5, 0.0, 1e-12, 0.003, 1.0, 1.0204, 37.5, 1e6];
        for v in values {
            h.push(v);
        }
        let r = h.ranked();
        assert!(r.values.windows(2).all(|w| w[0] < w[1]), "{:?}", r.values);
        for v in values {
            let rep = LogHistogram::value(LogHistogram::key(v));
            assert!(
                (rep - v).abs() <= RELATIVE_ACCURACY * v.abs() + MIN_MAGNITUDE,
                "{v} stands as {rep}"
            );
        }
        assert_eq!(h.count, 9);
        assert_eq!((h.min, h.max), (Some(-250.0), Some(1e6)));
        assert_eq!(h.outside(-2.0, 40.0), 2);
    }

    #[test]
    fn merged_summaries_equal_one_pass() {
        let cells: Vec<String> = (0..3000)
            .map(|i| match i % 7 {
                0 => String::new(),
                1 => format!("cat{}", i % 5),
                _ => format!("{}", (i as f64) * 0.37 - 200.0),
            })
            .collect();
        let mut whole = FeatureSummary::default();
        cells.iter().for_each(|c| whole.push(c));
        let (mut a, mut b) = (FeatureSummary::default(), FeatureSummary::default());
        cells[..1234].iter().for_each(|c| a.push(c));
        cells[1234..].iter().for_each(|c| b.push(c));
        a.merge(&b);
        assert_eq!(a.rows, whole.rows);
        assert_eq!(a.missing, whole.missing);
        assert_eq!(a.numbers.ranked().counts, whole.numbers.ranked().counts);
        assert_eq!(a.text.counts.len(), whole.text.counts.len());
    }

    #[test]
    fn segment_summaries_fed_in_the_same_pass_equal_their_rows_alone() {
        let rows: Vec<(String, &str)> = (0..2000)
            .map(|i| {
                let x = match i % 9 {
                    0 => "NA".to_string(),
                    1 => format!("k{}", i % 4),
                    _ => format!("{}", (i as f64) * 1.7 - 900.0),
                };
                (x, ["ios", "web", "android"][i % 3])
            })
            .collect();
        let mut state = FeatureState::new(&["x".to_string()]);
        let mut alone = FeatureSummary::default();
        for (x, segment) in &rows {
            let slots: Vec<usize> = state.segment_slot("device", segment).into_iter().collect();
            state.push(
                |_| std::borrow::Cow::Borrowed(x.as_str()),
                None,
                None,
                &slots,
            );
            if *segment == "web" {
                alone.push(x);
            }
        }
        assert_eq!(state.segments.len(), 3);
        assert_eq!(state.segment("device", "web"), Some(&[alone][..]));
        assert_eq!(state.segment("device", "mac"), None);
    }

    #[test]
    fn a_state_is_written_in_key_order_whatever_the_row_order() {
        let values: Vec<String> = (0..500)
            .map(|i| format!("{}", (i * 37 % 500) as f64 - 250.0))
            .collect();
        let (mut forward, mut backward) = (FeatureSummary::default(), FeatureSummary::default());
        values.iter().for_each(|v| forward.push(v));
        values.iter().rev().for_each(|v| backward.push(v));
        let text = serde_json::to_string(&forward).unwrap();
        assert_eq!(text, serde_json::to_string(&backward).unwrap());
        let keys: Vec<i32> = serde_json::from_str::<serde_json::Value>(&text).unwrap()["numbers"]
            ["buckets"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.parse().unwrap())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        let back: FeatureSummary = serde_json::from_str(&text).unwrap();
        assert_eq!(back, forward);
    }

    /// Rows of one feature `x` and a score, an hour apart from `start` (s).
    fn rows(n: i64, start: i64) -> Vec<(String, i64, f64)> {
        (0..n)
            .map(|i| {
                let x = if i % 11 == 0 {
                    String::new()
                } else {
                    format!("{}", (i % 37) as f64 * 2.5)
                };
                (x, start + 3600 * i, (i % 7) as f64 / 7.0)
            })
            .collect()
    }

    fn state_of(rows: &[(String, i64, f64)]) -> FeatureState {
        let mut s = FeatureState::new(&["x".to_string()]).with_windows(WindowWidth::Seconds(3600));
        for (x, at, score) in rows {
            s.push(
                |_| std::borrow::Cow::Borrowed(x.as_str()),
                Some(*at),
                Some(*score),
                &[],
            );
        }
        s
    }

    #[test]
    fn windows_and_value_scores_merge_into_the_single_pass() {
        // 200 hourly rows: more windows than are kept, so widths double on both sides.
        let all = rows(200, 1_700_000_000);
        let whole = state_of(&all);
        let windows = whole.windows.as_ref().unwrap();
        assert!(windows.windows.len() <= MAX_FEATURE_WINDOWS);
        assert_eq!(windows.units(), 4 * 3600);
        let (a, b) = all.split_at(77);
        let mut merged = state_of(b);
        merged.merge(&state_of(a));
        assert_eq!(merged, whole);
        let total: u64 = windows.windows.values().map(|w| w[0].rows).sum();
        assert_eq!(total, 200);
    }

    #[test]
    fn a_feature_put_back_to_its_reference_values_explains_the_score_shift() {
        // Reference: x in {1, 2}, score 0.2 either way. Now half the rows have x = 500 with
        // score 0.9: the shift of the mean score (0.35) is all x's doing.
        let mut reference = FeatureState::new(&["x".to_string()]);
        let mut current = FeatureState::new(&["x".to_string()]);
        for i in 0..1000 {
            let x = ["1", "2"][i % 2];
            reference.push(|_| std::borrow::Cow::Borrowed(x), None, Some(0.2), &[]);
            let (x, s) = if i % 2 == 0 { ("500", 0.9) } else { (x, 0.2) };
            current.push(|_| std::borrow::Cow::Borrowed(x), None, Some(s), &[]);
        }
        let e = compare::score_shift_explained(
            (&current.scores[0], &current.score_moments),
            (&reference.scores[0], &reference.score_moments),
        )
        .unwrap();
        assert!((e - 1.0).abs() < 1e-9, "{e}");
        // The same scores with x unchanged: the feature explains none of it.
        let mut unmoved = FeatureState::new(&["x".to_string()]);
        for i in 0..1000 {
            let x = ["1", "2"][i % 2];
            unmoved.push(
                |_| std::borrow::Cow::Borrowed(x),
                None,
                Some([0.9, 0.2][i % 2]),
                &[],
            );
        }
        let e = compare::score_shift_explained(
            (&unmoved.scores[0], &unmoved.score_moments),
            (&reference.scores[0], &reference.score_moments),
        )
        .unwrap();
        assert!(e.abs() < 1e-9, "{e}");
    }

    #[test]
    fn the_start_is_the_first_window_of_the_longest_moved_run() {
        let names = ["x".to_string()];
        let mut reference = FeatureState::new(&names);
        let mut current = FeatureState::new(&names).with_windows(WindowWidth::Seconds(100));
        for i in 0..4000i64 {
            let v = format!("{}", 10.0 + (i % 50) as f64);
            reference.push(|_| std::borrow::Cow::Borrowed(v.as_str()), None, None, &[]);
            // From t = 2500 on the values are 100 times larger.
            let now = if i >= 2500 {
                format!("{}", 1000.0 + 100.0 * (i % 50) as f64)
            } else {
                v.clone()
            };
            current.push(
                |_| std::borrow::Cow::Borrowed(now.as_str()),
                Some(i),
                None,
                &[],
            );
        }
        let windows = current.windows.as_ref().unwrap();
        let before = &reference.features[0].1;
        let moved =
            |r: &compare::FeatureReport| r.drift.as_ref().is_some_and(|d| d.statistic > 0.5);
        let start =
            compare::moved_since(windows, 0, before, compare::FeatureKind::Numeric, 50, moved);
        assert_eq!(start.map(|k| k * windows.units()), Some(2500));
        // A feature that differs from the first window on has no start.
        let always = |_: &compare::FeatureReport| true;
        let start = compare::moved_since(
            windows,
            0,
            before,
            compare::FeatureKind::Numeric,
            50,
            always,
        );
        assert_eq!(start, None);
    }
}
