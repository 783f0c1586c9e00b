//! Decoding a record's fields into a typed [`Row`], validating each cell the metrics depend on.
//!
//! Only the columns that play a role are looked at; each is checked (UTF-8, missing values,
//! scores that are numbers in [0, 1], labels that have a probability column) so that a bad cell
//! is reported with its column instead of silently changing a number.

use std::collections::{HashMap, HashSet};

use csv::ByteRecord;

use super::columns::ColumnPlan;
use super::error::{cell, Problem};
use crate::label::{default_positive, is_missing, sort_labels, LabelKey};
use crate::metrics::ranked::Score;
use crate::metrics::row::{Prediction, Row};
use crate::metrics::Task;

/// The fields of one record, however they were split.
pub trait Fields {
    /// The bytes of field `i` (which exists: records are checked against the header first).
    fn field(&self, i: usize) -> &[u8];

    /// Field `i`, when shorter than eight bytes, as one little-endian word padded with zeros,
    /// and its length; `None` when it is longer or cannot be read as a word cheaply.
    #[inline]
    fn short_word(&self, _i: usize) -> Option<(u64, usize)> {
        None
    }

    /// The record as it was written: its fields joined by the delimiter, without the line end;
    /// `None` when the fields were not read from one such line.
    #[inline]
    fn line(&self) -> Option<&[u8]> {
        None
    }
}

impl Fields for ByteRecord {
    #[inline]
    fn field(&self, i: usize) -> &[u8] {
        &self[i]
    }
}

/// How scores are read and turned into predictions.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoreRules {
    /// A binary prediction is positive when its score is at least this.
    pub threshold: f64,
    /// Scores are raw margins (logits) to be mapped through the logistic function.
    pub logits: bool,
}

impl Default for ScoreRules {
    fn default() -> Self {
        ScoreRules {
            threshold: 0.5,
            logits: false,
        }
    }
}

/// What decides the positive class of a binary task read from two probability columns and no
/// prediction column: the user's `--pos-label` and `--task`, known before the rows are read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairRule {
    /// The positive class, when given.
    pub pos_label: Option<LabelKey>,
    /// The task, when given.
    pub task: Option<Task>,
}

impl PairRule {
    /// The index (in `plan.proba`) of the positive class, when the plan is a binary task read
    /// from exactly two probability columns without a prediction column, and its positive
    /// class is known (given, or conventional such as 1 of {0, 1}).
    fn positive(&self, plan: &ColumnPlan) -> Option<usize> {
        if plan.proba.len() != 2 || plan.prediction.is_some() || plan.score.is_some() {
            return None;
        }
        if self.task == Some(Task::Multiclass) {
            return None;
        }
        let mut classes: Vec<LabelKey> = plan.proba.iter().map(|c| c.class.clone()).collect();
        let pos = match &self.pos_label {
            Some(pos) => pos.clone(),
            None => {
                sort_labels(&mut classes);
                default_positive(&classes)?
            }
        };
        plan.proba.iter().position(|c| c.class == pos)
    }
}

/// Turns records into rows following a [`ColumnPlan`].
#[derive(Clone)]
pub struct RowDecoder {
    plan: ColumnPlan,
    names: Vec<String>,
    rules: ScoreRules,
    proba_classes: HashSet<LabelKey>,
    /// Spellings already checked against the probability classes.
    checked: HashMap<Box<[u8]>, bool>,
    /// With two probability columns and no prediction column in a binary task: the column of
    /// the positive class, predicted when its probability reaches the threshold.
    pair_positive: Option<usize>,
    /// Scores and probabilities are written with a decimal comma (`0,85`).
    decimal_comma: bool,
}

/// Longest score cell read with a decimal comma (longer ones are read as they are).
pub const DECIMAL_COMMA_CELL: usize = 48;

/// A number written with a decimal comma as one written with a decimal point, in `buf`; the
/// field itself when it holds no comma or is too long.
#[inline]
pub fn decimal_point<'a>(field: &'a [u8], buf: &'a mut [u8; DECIMAL_COMMA_CELL]) -> &'a [u8] {
    match memchr::memchr(b',', field) {
        Some(at) if field.len() <= DECIMAL_COMMA_CELL => {
            let out = &mut buf[..field.len()];
            out.copy_from_slice(field);
            out[at] = b'.';
            out
        }
        _ => field,
    }
}

const CHECKED_LIMIT: usize = 4096;

impl RowDecoder {
    /// A decoder for records with the given header.
    pub fn new(plan: ColumnPlan, header: &[String], rules: ScoreRules) -> RowDecoder {
        let proba_classes = plan.proba.iter().map(|c| c.class.clone()).collect();
        RowDecoder {
            plan,
            names: header.to_vec(),
            rules,
            proba_classes,
            checked: HashMap::new(),
            pair_positive: None,
            decimal_comma: false,
        }
    }

    /// Predicts the positive class of a binary pair of probability columns by the threshold
    /// (as a score column is), when `rule` says the task is binary and its positive class is
    /// known; otherwise the most probable class is predicted.
    pub fn with_pair_rule(mut self, rule: &PairRule) -> RowDecoder {
        self.pair_positive = rule.positive(&self.plan);
        self
    }

    /// Reads scores and probabilities written with a decimal comma (`0,85`).
    pub fn with_decimal_comma(mut self, decimal_comma: bool) -> RowDecoder {
        self.decimal_comma = decimal_comma;
        self
    }

    /// Whether scores are written with a decimal comma.
    #[inline]
    pub fn decimal_comma(&self) -> bool {
        self.decimal_comma
    }

    /// How scores are read.
    pub fn rules(&self) -> ScoreRules {
        self.rules
    }

    /// The score from which a binary prediction is positive.
    #[inline]
    pub fn threshold(&self) -> f64 {
        self.rules.threshold
    }

    /// The plan followed.
    pub fn plan(&self) -> &ColumnPlan {
        &self.plan
    }

    /// A field as text, without surrounding ASCII whitespace.
    #[inline]
    fn text<'r, R: Fields>(&self, rec: &'r R, col: usize) -> Result<&'r str, Problem> {
        crate::text::as_text(rec.field(col).trim_ascii())
            .map_err(|_| Problem::InvalidUtf8(self.names[col].clone()))
    }

    /// A score: the exact fast path for plain decimals, else the general parse.
    #[inline]
    fn score<R: Fields>(&self, rec: &R, col: usize) -> Result<Score, Problem> {
        if !self.rules.logits {
            let field = trim_ascii(rec.field(col));
            let parsed = if self.decimal_comma {
                let mut buf = [0; DECIMAL_COMMA_CELL];
                Score::parse_grid(decimal_point(field, &mut buf))
            } else {
                Score::parse_grid(field)
            };
            if let Some(s) = parsed {
                return Ok(s);
            }
        }
        self.number(rec, col).map(Score::raw)
    }

    fn number<R: Fields>(&self, rec: &R, col: usize) -> Result<f64, Problem> {
        let raw = self.text(rec, col)?.trim();
        let pointed;
        let raw = if self.decimal_comma && raw.contains(',') {
            pointed = raw.replacen(',', ".", 1);
            pointed.as_str()
        } else {
            raw
        };
        let bad = |make: fn(String, String) -> Problem| make(cell(&self.names[col]), cell(raw));
        let v: f64 = raw
            .parse()
            .map_err(|_| bad(|column, value| Problem::NotANumber { column, value }))?;
        if !v.is_finite() {
            return Err(bad(|column, value| Problem::NotFinite { column, value }));
        }
        let v = v + 0.0; // folds -0.0 into 0.0
        if self.rules.logits {
            return Ok(1.0 / (1.0 + (-v).exp()));
        }
        if !(0.0..=1.0).contains(&v) {
            return Err(bad(|column, value| Problem::OutOfRange { column, value }));
        }
        Ok(v)
    }

    /// The binary score and the prediction cell (`None` when the prediction is derived from the
    /// score) of a row whose label has not arrived; `None` when the input has no binary score
    /// column or either cell cannot be read (the row then only counts as waiting).
    pub fn waiting<'r, R: Fields>(&self, rec: &'r R) -> Option<(Score, Option<&'r str>)> {
        let score = self.score(rec, self.plan.score?).ok()?;
        let prediction = match self.plan.prediction {
            Some(col) => {
                let raw = self.text(rec, col).ok()?;
                if is_missing(raw) {
                    return None;
                }
                Some(raw)
            }
            None => None,
        };
        Some((score, prediction))
    }

    /// Whether a label or prediction spelling names a class with a probability column.
    fn has_proba(&mut self, raw: &str) -> bool {
        if let Some(&ok) = self.checked.get(raw.as_bytes()) {
            return ok;
        }
        let ok = LabelKey::parse(raw).is_some_and(|k| self.proba_classes.contains(&k));
        if self.checked.len() < CHECKED_LIMIT {
            self.checked.insert(raw.as_bytes().into(), ok);
        }
        ok
    }

    fn require_proba(&mut self, raw: &str) -> Result<(), Problem> {
        if self.has_proba(raw) {
            return Ok(());
        }
        let mut classes: Vec<String> = self
            .plan
            .proba
            .iter()
            .map(|c| format!("'{}'", c.class))
            .collect();
        classes.truncate(20);
        Err(Problem::LabelWithoutProba {
            label: cell(raw.trim()),
            classes: cell(&classes.join(", ")),
        })
    }

    /// Decodes one record; `proba` is scratch space the row's probabilities borrow from.
    pub fn decode<'r, R: Fields>(
        &mut self,
        rec: &'r R,
        proba: &'r mut Vec<f64>,
    ) -> Result<Row<'r>, Problem> {
        let label = self.text(rec, self.plan.label)?;
        if is_missing(label) {
            return Err(Problem::MissingLabel(self.names[self.plan.label].clone()));
        }
        let score = match self.plan.score {
            Some(col) => Some(self.score(rec, col)?),
            None => None,
        };
        proba.clear();
        for i in 0..self.plan.proba.len() {
            let v = self.number(rec, self.plan.proba[i].index)?;
            proba.push(v);
        }
        let prediction = match (self.plan.prediction, score) {
            (Some(col), _) => {
                let raw = self.text(rec, col)?;
                if is_missing(raw) {
                    return Err(Problem::MissingPrediction(self.names[col].clone()));
                }
                Prediction::Label(raw)
            }
            (None, Some(s)) => Prediction::Positive(s.value >= self.rules.threshold),
            (None, None) => match self.pair_positive {
                Some(pos) if proba[pos] >= self.rules.threshold => Prediction::ProbaArgmax(pos),
                Some(pos) => Prediction::ProbaArgmax(1 - pos),
                None => Prediction::ProbaArgmax(argmax(proba)),
            },
        };
        if !proba.is_empty() {
            self.require_proba(label)?;
            if let Prediction::Label(raw) = prediction {
                self.require_proba(raw)?;
            }
        }
        Ok(Row {
            label,
            prediction,
            score,
            proba,
        })
    }
}

/// The bytes without leading and trailing ASCII whitespace.
#[inline]
fn trim_ascii(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Index of the largest value; ties go to the first, as numpy's `argmax`.
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::columns::{plan_columns, ColumnFlags};

    fn decoder(header: &str, rules: ScoreRules) -> RowDecoder {
        let header: Vec<String> = header.split(',').map(String::from).collect();
        let plan = plan_columns(&header, &ColumnFlags::default()).unwrap();
        RowDecoder::new(plan, &header, rules)
    }

    fn record(s: &str) -> ByteRecord {
        ByteRecord::from(s.split(',').collect::<Vec<_>>())
    }

    #[test]
    fn score_threshold_and_validation() {
        let mut d = decoder("label,score", ScoreRules::default());
        let mut buf = Vec::new();
        let rec = record("1,0.5");
        let row = d.decode(&rec, &mut buf).unwrap();
        assert_eq!(row.prediction, Prediction::Positive(true));
        for (cell, want) in [
            ("x", "not a number"),
            ("nan", "finite"),
            ("1.5", "outside"),
            ("-0.1", "outside"),
        ] {
            let rec = record(&format!("1,{cell}"));
            let err = d.decode(&rec, &mut buf).unwrap_err().to_string();
            assert!(err.contains(want), "{cell}: {err}");
        }
    }

    #[test]
    fn logits_are_mapped_through_the_logistic_function() {
        let rules = ScoreRules {
            threshold: 0.5,
            logits: true,
        };
        let mut d = decoder("label,score", rules);
        let mut buf = Vec::new();
        let rec = record("1,-3");
        let row = d.decode(&rec, &mut buf).unwrap();
        assert!((row.score.unwrap().value - 1.0 / (1.0 + 3f64.exp())).abs() < 1e-15);
    }

    #[test]
    fn a_binary_pair_of_probabilities_is_thresholded_like_a_score() {
        let rules = ScoreRules {
            threshold: 0.3,
            logits: false,
        };
        let mut d = decoder("label,proba_0,proba_1", rules).with_pair_rule(&PairRule::default());
        let mut buf = Vec::new();
        for (cells, want) in [("0,0.65,0.35", 1), ("0,0.75,0.25", 0), ("1,0.5,0.5", 1)] {
            let rec = record(cells);
            let row = d.decode(&rec, &mut buf).unwrap();
            assert_eq!(row.prediction, Prediction::ProbaArgmax(want), "{cells}");
        }
        let multiclass = PairRule {
            task: Some(Task::Multiclass),
            ..PairRule::default()
        };
        let mut d = decoder("label,proba_0,proba_1", rules).with_pair_rule(&multiclass);
        let rec = record("0,0.65,0.35");
        let row = d.decode(&rec, &mut buf).unwrap();
        assert_eq!(row.prediction, Prediction::ProbaArgmax(0));
    }

    #[test]
    fn decimal_commas_are_read_when_asked() {
        let header: Vec<String> = ["label", "score"].map(String::from).to_vec();
        let plan = plan_columns(&header, &ColumnFlags::default()).unwrap();
        let mut d = RowDecoder::new(plan, &header, ScoreRules::default()).with_decimal_comma(true);
        let mut buf = Vec::new();
        for (cell, want) in [("0,8952", 0.8952), ("0,1234567", 0.1234567), ("1", 1.0)] {
            let rec = ByteRecord::from(vec!["1", cell]);
            let row = d.decode(&rec, &mut buf).unwrap();
            assert_eq!(row.score.unwrap().value, want, "{cell}");
        }
    }

    #[test]
    fn argmax_ties_go_to_the_first_class() {
        let mut d = decoder("label,proba_b,proba_a", ScoreRules::default());
        let mut buf = Vec::new();
        let rec = record("a,0.5,0.5");
        let row = d.decode(&rec, &mut buf).unwrap();
        // columns are reordered to label order: a, b
        assert_eq!(row.prediction, Prediction::ProbaArgmax(0));
        let rec = record("c,0.5,0.5");
        assert!(matches!(
            d.decode(&rec, &mut buf),
            Err(Problem::LabelWithoutProba { .. })
        ));
    }
}
