//! Property tests of the metrics against the library API, and numerical edge cases.
//!
//! Random rows (labels from a small class set written in several spellings, explicit or
//! threshold-derived predictions, scores on a coarse grid that forces ties, on the six-decimal
//! grid, or at full precision, per-class probabilities) are fed to [`EvalState`]s. The finished
//! [`Evaluation`] must equal naive reference implementations written here from the textbook
//! definitions (scikit-learn's, `zero_division=0`) to 1e-9: accuracy, balanced accuracy,
//! precision, recall, F1 and F-beta per class and averaged, MCC (as a correlation of one-hot
//! vectors), Cohen's kappa, ROC AUC by counting every positive–negative pair (ties count one
//! half), average precision by the step-wise sum, log loss and Brier score. Beside that: the
//! confusion matrix holds every row, merging the states of any split of the rows (overall and per
//! segment) equals one pass, permuting the rows changes nothing, and every metric stays in its
//! range.
//!
//! The numerics section checks counts beyond 2^32 (by merging a state into a copy of itself),
//! extreme imbalance, scores within 1e-15 of 0 and 1, and all-tied scores against closed forms.

use clap::Parser;
use mlguard::cli::{Cli, Command};
use mlguard::engine;
use mlguard::label::LabelKey;
use mlguard::metrics::intervals::Bootstrap;
use mlguard::metrics::ranked::Score;
use mlguard::metrics::row::{Prediction, Row};
use mlguard::metrics::segments::SegmentedState;
use mlguard::metrics::{EvalState, Evaluation, FinishOptions, Task};
use mlguard::render::render_as;
use mlguard::scan::NoProgress;
use mlguard::settings::{EvalSettings, ReportFormat};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Agreement required between mlguard and the naive references.
const TOL: f64 = 1e-9;

// ---------------------------------------------------------------------------------------------
// Generated rows
// ---------------------------------------------------------------------------------------------

/// Spellings of the binary classes 0 and 1: every spelling of a class is the same class.
const BINARY_SPELLINGS: [[&str; 4]; 2] = [["0", "0.0", " 0", "-0"], ["1", "1.0", "+1", "1 "]];

/// Multiclass class names, listed in the order mlguard sorts them (by UTF-8 bytes).
const NAMES: [&str; 5] = ["Z", "a", "b", "c", "é"];

/// Segment values; the empty one is the `(missing)` segment.
const SEGMENTS: [&str; 4] = ["x", "y", "", "z"];

/// One generated row: class indices into the case's class list, and raw cells.
#[derive(Debug, Clone)]
struct GenRow {
    /// True class.
    t: usize,
    /// The label cell as written.
    label: String,
    /// Predicted class (explicit, derived from the score, or the argmax of the probabilities).
    p: usize,
    /// The prediction as the row gives it.
    pred: GenPred,
    /// The binary score.
    score: Option<Score>,
    /// Per-class probabilities, in class order.
    proba: Vec<f64>,
    /// Segment value.
    segment: usize,
}

#[derive(Debug, Clone)]
enum GenPred {
    Label(String),
    Positive(bool),
    Argmax(usize),
}

/// A generated evaluation: class names in mlguard's order, rows and options.
#[derive(Debug, Clone)]
struct Case {
    classes: Vec<String>,
    /// Probability columns' classes (empty without probabilities).
    proba_classes: Vec<LabelKey>,
    rows: Vec<GenRow>,
    /// Binary: index of the positive class.
    pos: Option<usize>,
    task: Option<Task>,
    beta: f64,
}

impl GenRow {
    fn row(&self) -> Row<'_> {
        Row {
            label: &self.label,
            prediction: match &self.pred {
                GenPred::Label(s) => Prediction::Label(s),
                GenPred::Positive(b) => Prediction::Positive(*b),
                GenPred::Argmax(i) => Prediction::ProbaArgmax(*i),
            },
            score: self.score,
            proba: &self.proba,
        }
    }
}

/// A score as the reader makes it from text: on the grid when written with at most six
/// decimals, else by value.
fn score_from_text(text: &str) -> Score {
    Score::parse_grid(text.as_bytes()).unwrap_or_else(|| Score::raw(text.parse().unwrap()))
}

/// Scores: 0 = coarse (tenths, many ties), 1 = six decimals, 2 = full precision.
fn score_strategy(mode: u8) -> BoxedStrategy<Score> {
    match mode {
        0 => (0..=10u32)
            .prop_map(|k| score_from_text(&format!("{:.1}", f64::from(k) / 10.0)))
            .boxed(),
        1 => (0..=1_000_000u32)
            .prop_map(|k| score_from_text(&format!("{:.6}", f64::from(k) / 1e6)))
            .boxed(),
        _ => (0.0..=1.0f64).prop_map(Score::raw).boxed(),
    }
}

/// Probabilities: coarse quarters (ties) or full precision.
fn proba_strategy(coarse: bool) -> BoxedStrategy<f64> {
    if coarse {
        (0..=4u32).prop_map(|k| f64::from(k) / 4.0).boxed()
    } else {
        (0.0..=1.0f64).boxed()
    }
}

fn beta_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), Just(0.5), Just(2.0), Just(0.0)]
}

fn binary_classes() -> Vec<String> {
    vec!["0".to_string(), "1".to_string()]
}

/// Binary rows with explicit predictions and no scores.
fn binary_labels_case() -> impl Strategy<Value = Case> {
    let row = (0..2usize, 0..4usize, 0..2usize, 0..4usize, 0..4usize);
    (prop::collection::vec(row, 1..80), beta_strategy()).prop_map(|(rows, beta)| Case {
        classes: binary_classes(),
        proba_classes: vec![],
        rows: rows
            .into_iter()
            .map(|(t, tv, p, pv, segment)| GenRow {
                t,
                label: BINARY_SPELLINGS[t][tv].to_string(),
                p,
                pred: GenPred::Label(BINARY_SPELLINGS[p][pv].to_string()),
                score: None,
                proba: vec![],
                segment,
            })
            .collect(),
        pos: Some(1),
        task: None,
        beta,
    })
}

/// Multiclass rows (3 to 5 classes) with explicit predictions and no scores.
fn multiclass_labels_case() -> impl Strategy<Value = Case> {
    (3..=5usize, beta_strategy()).prop_flat_map(|(k, beta)| {
        let row = (0..k, 0..k, 0..4usize);
        prop::collection::vec(row, 1..80).prop_map(move |rows| Case {
            classes: NAMES[..k].iter().map(|s| s.to_string()).collect(),
            proba_classes: vec![],
            rows: rows
                .into_iter()
                .map(|(t, p, segment)| GenRow {
                    t,
                    label: NAMES[t].to_string(),
                    p,
                    pred: GenPred::Label(format!(" {} ", NAMES[p])),
                    score: None,
                    proba: vec![],
                    segment,
                })
                .collect(),
            pos: None,
            task: Some(Task::Multiclass),
            beta,
        })
    })
}

/// Binary rows with a score; predictions explicit, or `score >= threshold`.
fn binary_score_case() -> impl Strategy<Value = Case> {
    (
        0..3u8,
        prop_oneof![
            Just(None),
            Just(Some(0.5)),
            Just(Some(0.3)),
            Just(Some(0.0)),
            Just(Some(1.0))
        ],
        beta_strategy(),
    )
        .prop_flat_map(|(mode, threshold, beta)| {
            let row = (
                0..2usize,
                0..4usize,
                0..2usize,
                score_strategy(mode),
                0..4usize,
            );
            prop::collection::vec(row, 1..80).prop_map(move |rows| Case {
                classes: binary_classes(),
                proba_classes: vec![],
                rows: rows
                    .into_iter()
                    .map(|(t, tv, p, score, segment)| {
                        let (p, pred) = match threshold {
                            None => (p, GenPred::Label(BINARY_SPELLINGS[p][0].to_string())),
                            Some(th) => {
                                let above = score.value >= th;
                                (usize::from(above), GenPred::Positive(above))
                            }
                        };
                        GenRow {
                            t,
                            label: BINARY_SPELLINGS[t][tv].to_string(),
                            p,
                            pred,
                            score: Some(score),
                            proba: vec![],
                            segment,
                        }
                    })
                    .collect(),
                pos: Some(1),
                task: None,
                beta,
            })
        })
}

/// Multiclass rows (3 or 4 classes) with a probability column per class, summing to 1 or not;
/// predictions explicit or the argmax of the probabilities.
fn multiclass_proba_case() -> impl Strategy<Value = Case> {
    let flags = (any::<bool>(), any::<bool>(), any::<bool>());
    (3..=4usize, flags, beta_strategy()).prop_flat_map(
        |(k, (coarse, explicit, normalise), beta)| {
            let proba = prop::collection::vec(proba_strategy(coarse), k).prop_map(move |p| {
                let sum: f64 = p.iter().sum();
                if !normalise {
                    p
                } else if sum == 0.0 {
                    vec![1.0 / k as f64; k]
                } else {
                    p.iter().map(|v| v / sum).collect()
                }
            });
            let row = (0..k, 0..k, proba, 0..4usize);
            prop::collection::vec(row, 1..60).prop_map(move |rows| Case {
                classes: NAMES[..k].iter().map(|s| s.to_string()).collect(),
                proba_classes: NAMES[..k]
                    .iter()
                    .map(|s| LabelKey::parse(s).unwrap())
                    .collect(),
                rows: rows
                    .into_iter()
                    .map(|(t, p, proba, segment)| {
                        let (p, pred) = if explicit {
                            (p, GenPred::Label(NAMES[p].to_string()))
                        } else {
                            let a = argmax(&proba);
                            (a, GenPred::Argmax(a))
                        };
                        GenRow {
                            t,
                            label: NAMES[t].to_string(),
                            p,
                            pred,
                            score: None,
                            proba,
                            segment,
                        }
                    })
                    .collect(),
                pos: None,
                task: None,
                beta,
            })
        },
    )
}

fn any_case() -> impl Strategy<Value = Case> {
    prop_oneof![
        binary_labels_case(),
        multiclass_labels_case(),
        binary_score_case(),
        multiclass_proba_case(),
    ]
}

/// The first index of the largest value (numpy's `argmax`).
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

// ---------------------------------------------------------------------------------------------
// Driving the library
// ---------------------------------------------------------------------------------------------

fn options(case: &Case, replicates: usize) -> FinishOptions {
    FinishOptions {
        task: case.task,
        beta: case.beta,
        bootstrap: Bootstrap {
            replicates,
            seed: 7,
        },
        ..FinishOptions::default()
    }
}

fn state_of<'a>(case: &Case, rows: impl IntoIterator<Item = &'a GenRow>) -> EvalState {
    let mut state = EvalState::new(&case.proba_classes);
    for r in rows {
        state.push(&r.row()).expect("generated rows have a label");
    }
    state
}

/// The second segment column: a value derived from the true class.
fn second_segment(r: &GenRow) -> &'static str {
    ["even", "odd"][r.t % 2]
}

fn segmented_of<'a>(case: &Case, rows: impl IntoIterator<Item = &'a GenRow>) -> SegmentedState {
    let mut state = SegmentedState::new(&case.proba_classes, 2);
    for r in rows {
        let seg = SEGMENTS[r.segment];
        let other = second_segment(r);
        state
            .push(&r.row(), |c| if c == 0 { seg } else { other })
            .expect("generated rows have a label");
    }
    state
}

fn evaluate(case: &Case) -> Evaluation {
    state_of(case, &case.rows)
        .finish(&options(case, 0))
        .unwrap_or_else(|e| panic!("finish failed: {e}\n{case:#?}"))
}

type Finished = Result<Evaluation, mlguard::metrics::MetricsError>;

/// The serialisable parts of an evaluation, as JSON.
fn json_of(e: &Evaluation) -> serde_json::Value {
    let s = e.scores.as_ref();
    serde_json::json!({
        "task": e.task,
        "labels": e.labels,
        "pos_label": e.pos_label,
        "rows": e.rows,
        "metrics": e.metrics,
        "scores": s.map(|s| &s.metrics),
        "calibration": s.map(|s| &s.calibration),
        "curves": s.map(|s| &s.curves),
        "thresholds": s.and_then(|s| s.thresholds.as_ref()),
        "intervals": e.intervals,
        "warnings": e.warnings,
    })
}

/// Where two JSON values differ, numbers allowed a relative difference of 1e-12.
fn json_difference(path: &str, a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            let scale = x.abs().max(y.abs()).max(1.0);
            ((x - y).abs() > 1e-12 * scale).then(|| format!("{path}: {x} vs {y}"))
        }
        (V::Array(x), V::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (x, y))| json_difference(&format!("{path}[{i}]"), x, y)),
        (V::Object(x), V::Object(y)) if x.keys().eq(y.keys()) => x
            .iter()
            .find_map(|(k, v)| json_difference(&format!("{path}.{k}"), v, &y[k])),
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

/// Fails unless the results are equal: bit for bit when `exact`, else as JSON whose numbers
/// agree to 1e-12. The message names the first difference.
fn same(what: &str, got: &Finished, want: &Finished, exact: bool) -> Result<(), TestCaseError> {
    if got == want {
        return Ok(());
    }
    if !exact {
        if let (Ok(g), Ok(w)) = (got, want) {
            return match json_difference("", &json_of(g), &json_of(w)) {
                None => Ok(()),
                Some(d) => Err(TestCaseError::fail(format!("{what}: {d}"))),
            };
        }
    }
    let (a, b) = (format!("{got:#?}"), format!("{want:#?}"));
    let (mut path, mut at) = (Vec::<String>::new(), String::new());
    for (x, y) in a.lines().zip(b.lines()) {
        let depth = x.len() - x.trim_start().len();
        path.truncate(depth / 4);
        if x != y {
            at = format!("{} | {} vs {}", path.join(" > "), x.trim(), y.trim());
            break;
        }
        if x.trim_end().ends_with(['{', '[', '(']) {
            path.push(x.trim().to_string());
        }
    }
    Err(TestCaseError::fail(format!(
        "{what}: results differ at {at}"
    )))
}

/// The rows where `mask` is true, and the others.
fn split<'a>(rows: &'a [GenRow], mask: &[bool]) -> (Vec<&'a GenRow>, Vec<&'a GenRow>) {
    let mut out = (Vec::new(), Vec::new());
    for (i, r) in rows.iter().enumerate() {
        if mask[i] {
            out.0.push(r);
        } else {
            out.1.push(r);
        }
    }
    out
}

/// A deterministic shuffle (xorshift, Fisher–Yates).
fn shuffled<T: Clone>(items: &[T], mut seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    seed |= 1;
    for i in (1..out.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Naive references
// ---------------------------------------------------------------------------------------------

fn div0(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// F-beta from precision and recall: (1 + b²)PR / (b²P + R), 0 when undefined.
fn fbeta_of(p: f64, r: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    div0((1.0 + b2) * p * r, b2 * p + r)
}

/// ROC AUC by counting every (positive, negative) pair; ties count one half.
fn pair_auc(pos: &[f64], neg: &[f64]) -> Option<f64> {
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for &p in pos {
        for &n in neg {
            if p > n {
                wins += 1.0;
            } else if p == n {
                wins += 0.5;
            }
        }
    }
    Some(wins / (pos.len() * neg.len()) as f64)
}

/// Average precision by its step-wise definition: Σ (R_k − R_{k−1}) P_k over the distinct
/// thresholds from the highest down, predicting positive at `score >= threshold`.
fn stepwise_ap(pos: &[f64], neg: &[f64]) -> Option<f64> {
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let mut thresholds: Vec<f64> = pos.iter().chain(neg).copied().collect();
    thresholds.sort_by(|a, b| b.total_cmp(a));
    thresholds.dedup();
    let mut ap = 0.0;
    let mut prev_recall = 0.0;
    for t in thresholds {
        let tp = pos.iter().filter(|&&s| s >= t).count() as f64;
        let fp = neg.iter().filter(|&&s| s >= t).count() as f64;
        let recall = tp / pos.len() as f64;
        ap += (recall - prev_recall) * (tp / (tp + fp));
        prev_recall = recall;
    }
    Some(ap)
}

fn clipped_log(p: f64) -> f64 {
    -p.clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln()
}

/// Matthews correlation as the correlation of the one-hot label and prediction vectors,
/// computed row by row from means (Gorodkin 2004's R_K); 0 when a variance is 0.
fn naive_mcc(pairs: &[(usize, usize)], k: usize) -> f64 {
    let n = pairs.len() as f64;
    let mut mean_t = vec![0.0; k];
    let mut mean_p = vec![0.0; k];
    for &(t, p) in pairs {
        mean_t[t] += 1.0 / n;
        mean_p[p] += 1.0 / n;
    }
    let (mut cov, mut var_t, mut var_p) = (0.0, 0.0, 0.0);
    for &(t, p) in pairs {
        for c in 0..k {
            let x = f64::from(u8::from(t == c)) - mean_t[c];
            let y = f64::from(u8::from(p == c)) - mean_p[c];
            cov += x * y;
            var_t += x * x;
            var_p += y * y;
        }
    }
    if var_t <= 1e-12 || var_p <= 1e-12 {
        0.0
    } else {
        cov / (var_t * var_p).sqrt()
    }
}

fn close(what: &str, got: Option<f64>, want: Option<f64>) -> Result<(), TestCaseError> {
    match (got, want) {
        (None, None) => Ok(()),
        (Some(g), Some(w)) if (g - w).abs() <= TOL => Ok(()),
        _ => Err(TestCaseError::fail(format!(
            "{what}: mlguard {got:?}, reference {want:?}"
        ))),
    }
}

fn in_range(what: &str, value: Option<f64>, lo: f64, hi: f64) -> Result<(), TestCaseError> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => Err(TestCaseError::fail(format!(
            "{what} = {v:?} is outside [{lo}, {hi}]"
        ))),
        _ => Ok(()),
    }
}

/// A class's reference precision, recall, F1 and F-beta.
struct ClassRef {
    c: usize,
    p: f64,
    r: f64,
    f1: f64,
    fb: f64,
}

/// A class's reference one-vs-rest ranking metrics and its number of positives.
struct Ranking {
    auc: Option<f64>,
    ap: Option<f64>,
    support: f64,
}

/// Compares every label-based metric with the naive definitions.
fn check_label_metrics(case: &Case, e: &Evaluation) -> Result<(), TestCaseError> {
    let k = case.classes.len();
    let pairs: Vec<(usize, usize)> = case.rows.iter().map(|r| (r.t, r.p)).collect();
    let n = pairs.len();
    let present: Vec<usize> = (0..k)
        .filter(|&c| pairs.iter().any(|&(t, p)| t == c || p == c))
        .collect();
    let names: Vec<String> = present.iter().map(|&c| case.classes[c].clone()).collect();
    prop_assert_eq!(&e.labels, &names);
    prop_assert_eq!(e.rows, n as u64);

    let count = |t: usize, p: usize| pairs.iter().filter(|&&x| x == (t, p)).count() as u64;
    let matrix: Vec<Vec<u64>> = present
        .iter()
        .map(|&t| present.iter().map(|&p| count(t, p)).collect())
        .collect();
    let m = &e.metrics;
    prop_assert_eq!(&m.confusion_matrix.matrix, &matrix);
    prop_assert_eq!(&m.confusion_matrix.labels, &names);
    let total: u64 = m.confusion_matrix.matrix.iter().flatten().sum();
    prop_assert_eq!(total, n as u64, "the confusion matrix holds every row");

    let tp = |c: usize| pairs.iter().filter(|&&(t, p)| t == c && p == c).count() as f64;
    let true_n = |c: usize| pairs.iter().filter(|&&(t, _)| t == c).count() as f64;
    let pred_n = |c: usize| pairs.iter().filter(|&&(_, p)| p == c).count() as f64;
    let correct = pairs.iter().filter(|&&(t, p)| t == p).count() as f64;
    close("accuracy", m.accuracy, Some(correct / n as f64))?;

    let mut per = Vec::new();
    for &c in &present {
        let p = div0(tp(c), pred_n(c));
        let r = div0(tp(c), true_n(c));
        per.push(ClassRef {
            c,
            p,
            r,
            f1: fbeta_of(p, r, 1.0),
            fb: fbeta_of(p, r, case.beta),
        });
        let name = &case.classes[c];
        let got = m.per_class.get(name).expect("a per-class entry");
        close(&format!("{name} precision"), Some(got.precision), Some(p))?;
        close(&format!("{name} recall"), Some(got.recall), Some(r))?;
        close(
            &format!("{name} f1"),
            Some(got.f1),
            Some(fbeta_of(p, r, 1.0)),
        )?;
        prop_assert_eq!(got.support, true_n(c) as u64);
    }
    let mean = |f: &dyn Fn(&ClassRef) -> f64| per.iter().map(f).sum::<f64>() / per.len() as f64;
    let weighted = |f: &dyn Fn(&ClassRef) -> f64| {
        per.iter().map(|x| f(x) * true_n(x.c)).sum::<f64>() / n as f64
    };
    close(
        "macro.precision",
        m.macro_avg.precision,
        Some(mean(&|x| x.p)),
    )?;
    close("macro.recall", m.macro_avg.recall, Some(mean(&|x| x.r)))?;
    close("macro.f1", m.macro_avg.f1, Some(mean(&|x| x.f1)))?;
    close(
        "weighted.precision",
        m.weighted.precision,
        Some(weighted(&|x| x.p)),
    )?;
    close(
        "weighted.recall",
        m.weighted.recall,
        Some(weighted(&|x| x.r)),
    )?;
    close("weighted.f1", m.weighted.f1, Some(weighted(&|x| x.f1)))?;
    let acc = Some(correct / n as f64);
    close("micro.precision", m.micro.precision, acc)?;
    close("micro.recall", m.micro.recall, acc)?;
    close("micro.f1", m.micro.f1, acc)?;

    let recalls: Vec<f64> = present
        .iter()
        .filter(|&&c| true_n(c) > 0.0)
        .map(|&c| tp(c) / true_n(c))
        .collect();
    close(
        "balanced_accuracy",
        m.balanced_accuracy,
        Some(recalls.iter().sum::<f64>() / recalls.len() as f64),
    )?;
    close("mcc", m.mcc, Some(naive_mcc(&pairs, k)))?;
    let agree: u64 = (0..k).map(|c| true_n(c) as u64 * pred_n(c) as u64).sum();
    let kappa = if agree == (n * n) as u64 {
        None
    } else {
        let po = correct / n as f64;
        let pe = agree as f64 / (n * n) as f64;
        Some((po - pe) / (1.0 - pe))
    };
    close("cohen_kappa", m.cohen_kappa, kappa)?;

    match case.pos {
        Some(pos) if e.task == Task::Binary => {
            let p = div0(tp(pos), pred_n(pos));
            let r = div0(tp(pos), true_n(pos));
            close("precision", m.precision, Some(p))?;
            close("recall", m.recall, Some(r))?;
            close("f1", m.f1, Some(fbeta_of(p, r, 1.0)))?;
            close("fbeta", m.fbeta, Some(fbeta_of(p, r, case.beta)))?;
            let neg_true = n as f64 - true_n(pos);
            let tn = pairs.iter().filter(|&&(t, p)| t != pos && p != pos).count() as f64;
            close("specificity", m.specificity, Some(div0(tn, neg_true)))?;
        }
        _ => {
            prop_assert_eq!(e.task, Task::Multiclass);
            close("precision", m.precision, Some(mean(&|x| x.p)))?;
            close("recall", m.recall, Some(mean(&|x| x.r)))?;
            close("f1", m.f1, Some(mean(&|x| x.f1)))?;
            close("fbeta", m.fbeta, Some(mean(&|x| x.fb)))?;
            prop_assert_eq!(m.specificity, None);
        }
    }
    Ok(())
}

/// Compares the score metrics with the naive definitions.
fn check_score_metrics(case: &Case, e: &Evaluation) -> Result<(), TestCaseError> {
    let has_scores = case
        .rows
        .iter()
        .any(|r| r.score.is_some() || !r.proba.is_empty());
    let Some(s) = &e.scores else {
        prop_assert!(
            !has_scores,
            "scores were given but no score metrics came out"
        );
        return Ok(());
    };
    let n = case.rows.len() as f64;
    if case.proba_classes.is_empty() {
        let pos: Vec<f64> = case
            .rows
            .iter()
            .filter(|r| r.t == 1)
            .map(|r| r.score.unwrap().value)
            .collect();
        let neg: Vec<f64> = case
            .rows
            .iter()
            .filter(|r| r.t != 1)
            .map(|r| r.score.unwrap().value)
            .collect();
        close("roc_auc", s.metrics.roc_auc, pair_auc(&pos, &neg))?;
        close(
            "average_precision",
            s.metrics.average_precision,
            stepwise_ap(&pos, &neg),
        )?;
        let log_loss = pos.iter().map(|&p| clipped_log(p)).sum::<f64>()
            + neg.iter().map(|&p| clipped_log(1.0 - p)).sum::<f64>();
        close("log_loss", s.metrics.log_loss, Some(log_loss / n))?;
        let brier = pos.iter().map(|&p| (p - 1.0) * (p - 1.0)).sum::<f64>()
            + neg.iter().map(|&p| p * p).sum::<f64>();
        close("brier", s.metrics.brier, Some(brier / n))?;
        in_range("brier", s.metrics.brier, 0.0, 1.0)?;
    } else {
        let k = case.classes.len();
        let mut per_class = Vec::new();
        for j in 0..k {
            let pos: Vec<f64> = case
                .rows
                .iter()
                .filter(|r| r.t == j)
                .map(|r| r.proba[j])
                .collect();
            let neg: Vec<f64> = case
                .rows
                .iter()
                .filter(|r| r.t != j)
                .map(|r| r.proba[j])
                .collect();
            let (auc, ap) = (pair_auc(&pos, &neg), stepwise_ap(&pos, &neg));
            if let Some(c) = e.metrics.per_class.get(&case.classes[j]) {
                close(&format!("{} roc_auc", case.classes[j]), c.roc_auc, auc)?;
                let name = format!("{} average_precision", case.classes[j]);
                close(&name, c.average_precision, ap)?;
            }
            per_class.push(Ranking {
                auc,
                ap,
                support: pos.len() as f64,
            });
        }
        let average = |get: fn(&Ranking) -> Option<f64>, w: bool| {
            let defined: Vec<(f64, f64)> = per_class
                .iter()
                .filter_map(|x| get(x).map(|v| (v, if w { x.support } else { 1.0 })))
                .collect();
            let weight: f64 = defined.iter().map(|x| x.1).sum();
            (weight > 0.0).then(|| defined.iter().map(|x| x.0 * x.1).sum::<f64>() / weight)
        };
        let m = &e.metrics;
        close("roc_auc", s.metrics.roc_auc, average(|x| x.auc, false))?;
        close(
            "macro.roc_auc",
            m.macro_avg.roc_auc,
            average(|x| x.auc, false),
        )?;
        close(
            "weighted.roc_auc",
            m.weighted.roc_auc,
            average(|x| x.auc, true),
        )?;
        close(
            "average_precision",
            s.metrics.average_precision,
            average(|x| x.ap, false),
        )?;
        close(
            "macro.average_precision",
            m.macro_avg.average_precision,
            average(|x| x.ap, false),
        )?;
        close(
            "weighted.average_precision",
            m.weighted.average_precision,
            average(|x| x.ap, true),
        )?;
        let log_loss: f64 = case.rows.iter().map(|r| clipped_log(r.proba[r.t])).sum();
        close("log_loss", s.metrics.log_loss, Some(log_loss / n))?;
        let brier: f64 = case
            .rows
            .iter()
            .map(|r| {
                (0..k)
                    .map(|j| {
                        let y = if j == r.t { 1.0 } else { 0.0 };
                        (r.proba[j] - y) * (r.proba[j] - y)
                    })
                    .sum::<f64>()
            })
            .sum();
        close("brier", s.metrics.brier, Some(brier / n))?;
        // [0, 2] when every row's probabilities sum to 1; rows are not renormalised, so a row
        // that sums to more can score up to k.
        let normalised = case
            .rows
            .iter()
            .all(|r| (r.proba.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let most = if normalised { 2.0 } else { k as f64 };
        in_range("brier", s.metrics.brier, 0.0, most + 1e-12)?;
    }
    Ok(())
}

/// Every metric in its range: [0, 1] for most, [−1, 1] for MCC and kappa.
fn check_ranges(e: &Evaluation) -> Result<(), TestCaseError> {
    let m = &e.metrics;
    for (name, v) in [
        ("accuracy", m.accuracy),
        ("balanced_accuracy", m.balanced_accuracy),
        ("precision", m.precision),
        ("recall", m.recall),
        ("f1", m.f1),
        ("fbeta", m.fbeta),
        ("specificity", m.specificity),
    ] {
        in_range(name, v, 0.0, 1.0)?;
    }
    in_range("mcc", m.mcc, -1.0, 1.0)?;
    in_range("cohen_kappa", m.cohen_kappa, -1.0, 1.0)?;
    for (kind, a) in [
        ("macro", &m.macro_avg),
        ("micro", &m.micro),
        ("weighted", &m.weighted),
    ] {
        for (name, v) in [
            ("precision", a.precision),
            ("recall", a.recall),
            ("f1", a.f1),
            ("roc_auc", a.roc_auc),
            ("average_precision", a.average_precision),
        ] {
            in_range(&format!("{kind}.{name}"), v, 0.0, 1.0)?;
        }
    }
    for (class, c) in m.per_class.iter() {
        for (name, v) in [
            ("precision", Some(c.precision)),
            ("recall", Some(c.recall)),
            ("f1", Some(c.f1)),
            ("roc_auc", c.roc_auc),
            ("average_precision", c.average_precision),
        ] {
            in_range(&format!("per_class.{class}.{name}"), v, 0.0, 1.0)?;
        }
    }
    if let Some(s) = &e.scores {
        for (name, v) in [
            ("roc_auc", s.metrics.roc_auc),
            ("average_precision", s.metrics.average_precision),
            ("ece", s.metrics.ece),
            ("mce", s.metrics.mce),
        ] {
            in_range(name, v, 0.0, 1.0)?;
        }
        // Each term is at most −ln(eps); the mean may round one ulp above it.
        let most = -f64::EPSILON.ln() * (1.0 + 1e-12);
        in_range("log_loss", s.metrics.log_loss, 0.0, most)?;
    }
    for (name, [lo, hi]) in e.intervals.iter() {
        prop_assert!(
            lo.is_finite() && hi.is_finite() && lo <= hi,
            "interval {} = [{}, {}]",
            name,
            lo,
            hi
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// `cases` cases, or `PROPTEST_CASES` when set (for a longer run by hand).
fn config(cases: u32) -> Config {
    let env = std::env::var("PROPTEST_CASES").ok();
    Config {
        cases: env.and_then(|v| v.parse().ok()).unwrap_or(cases),
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// Every metric equals its naive reference, the confusion matrix sums to the row count, and
    /// every metric stays in its range.
    #[test]
    fn metrics_equal_naive_references(case in any_case()) {
        let e = evaluate(&case);
        check_label_metrics(&case, &e)?;
        check_score_metrics(&case, &e)?;
        check_ranges(&e)?;
    }
}

/// Merging the states of a random split, either way round, equals one pass.
fn check_merge(case: &Case, mask: &[bool], exact: bool) -> Result<(), TestCaseError> {
    let opts = options(case, 16);
    let whole = state_of(case, &case.rows).finish(&opts);
    let (left, right) = split(&case.rows, mask);
    let mut a = state_of(case, left.iter().copied());
    let b = state_of(case, right.iter().copied());
    let mut b2 = b.clone();
    b2.merge(&a);
    a.merge(&b);
    same("left.merge(right)", &a.finish(&opts), &whole, exact)?;
    same("right.merge(left)", &b2.finish(&opts), &whole, exact)
}

/// The same for segmented states: the overall state and every segment's state.
fn check_segmented_merge(case: &Case, mask: &[bool], exact: bool) -> Result<(), TestCaseError> {
    let opts = options(case, 16);
    let mut whole = segmented_of(case, &case.rows);
    whole.settle();
    let (left, right) = split(&case.rows, mask);
    // Merged as the workers of a scan do (before settling), and settled on one side only.
    let mut merged = segmented_of(case, left.iter().copied());
    merged.merge(&segmented_of(case, right.iter().copied()));
    merged.settle();
    let mut mixed = segmented_of(case, right.iter().copied());
    mixed.settle();
    mixed.merge(&segmented_of(case, left.iter().copied()));
    mixed.settle();
    let overall = whole.overall.clone().finish(&opts);
    // The settled overall state equals one that counted every score itself.
    let plain = state_of(case, &case.rows).finish(&opts);
    same("settled overall", &overall, &plain, exact)?;
    same(
        "overall",
        &merged.overall.clone().finish(&opts),
        &overall,
        exact,
    )?;
    same(
        "overall, one side settled",
        &mixed.overall.clone().finish(&opts),
        &overall,
        exact,
    )?;
    let overall = overall.expect("the overall state finishes");
    // Segments are finished with the overall task and positive class, as `mlguard eval` does.
    let fixed = FinishOptions {
        task: Some(overall.task),
        pos_label: overall.pos_label.as_deref().and_then(LabelKey::parse),
        ..opts
    };
    prop_assert_eq!(whole.columns.len(), merged.columns.len());
    for (mine, theirs) in whole.columns.iter().zip(&merged.columns) {
        let mut values: Vec<&str> = mine.states.iter().map(|(v, _)| &**v).collect();
        let mut other: Vec<&str> = theirs.states.iter().map(|(v, _)| &**v).collect();
        values.sort_unstable();
        other.sort_unstable();
        prop_assert_eq!(&values, &other);
        for (value, state) in &mine.states {
            let (_, twin) = theirs.states.iter().find(|(v, _)| v == value).unwrap();
            same(
                &format!("segment {value}"),
                &twin.clone().finish(&fixed),
                &state.clone().finish(&fixed),
                exact,
            )?;
        }
    }
    Ok(())
}

/// Permuting the rows changes nothing.
fn check_permutation(case: &Case, seed: u64, exact: bool) -> Result<(), TestCaseError> {
    let opts = options(case, 16);
    let whole = state_of(case, &case.rows).finish(&opts);
    let rows = shuffled(&case.rows, seed);
    same(
        "permuted",
        &state_of(case, &rows).finish(&opts),
        &whole,
        exact,
    )
}

proptest! {
    #![proptest_config(config(48))]

    /// Feeding the rows to two states, split at random, and merging equals one pass (either
    /// way round), bootstrap intervals included. Bit for bit without probabilities; with
    /// multiclass probabilities to 1e-12 (see `multiclass_probabilities_merge_bit_for_bit`).
    #[test]
    fn merging_any_split_equals_one_pass(
        case in any_case(),
        mask in prop::collection::vec(any::<bool>(), 80),
    ) {
        check_merge(&case, &mask, case.proba_classes.is_empty())?;
    }

    /// The same for segmented states: the overall state and every segment's state.
    #[test]
    fn merging_segmented_states_equals_one_pass(
        case in any_case(),
        mask in prop::collection::vec(any::<bool>(), 80),
    ) {
        check_segmented_merge(&case, &mask, case.proba_classes.is_empty())?;
    }

    /// Permuting the rows changes nothing.
    #[test]
    fn permuting_rows_changes_nothing(case in any_case(), seed in any::<u64>()) {
        check_permutation(&case, seed, case.proba_classes.is_empty())?;
    }

    /// With multiclass probabilities, merging and permuting change nothing either, bit for bit.
    #[test]
    fn multiclass_probabilities_merge_bit_for_bit(
        case in multiclass_proba_case(),
        mask in prop::collection::vec(any::<bool>(), 80),
        seed in any::<u64>(),
    ) {
        check_merge(&case, &mask, true)?;
        check_segmented_merge(&case, &mask, true)?;
        check_permutation(&case, seed, true)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Through the reader: the number of threads changes nothing
// ---------------------------------------------------------------------------------------------

/// The JSON report of `mlguard eval ARGS…`, built through the library.
fn json_report(args: &[&str]) -> String {
    let mut argv = vec!["mlguard", "eval"];
    argv.extend_from_slice(args);
    let Command::Eval(eval) = Cli::try_parse_from(argv).expect("arguments parse").command else {
        panic!("not an eval command")
    };
    let settings = EvalSettings::from_args(&eval).expect("settings are valid");
    let report = engine::evaluate(&settings, &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(render_as(&report, ReportFormat::Json, false)).unwrap()
}

/// A multiclass file of `rows` rows with full-precision probabilities and a segment column.
fn multiclass_file(rows: usize) -> String {
    let mut text = String::from("label,prediction,proba_a,proba_b,proba_c,segment\n");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..rows {
        let p: Vec<f64> = (0..3).map(|_| next()).collect();
        let label = ["a", "b", "c"][(next() * 3.0) as usize];
        let pred = ["a", "b", "c"][argmax(&p)];
        let seg = ["north", "south"][(next() * 2.0) as usize];
        text.push_str(&format!(
            "{label},{pred},{:?},{:?},{:?},{seg}\n",
            p[0], p[1], p[2]
        ));
    }
    text
}

/// A binary file of `rows` rows with six-decimal and full-precision scores.
fn binary_file(rows: usize) -> String {
    let mut text = String::from("label,prediction,score,segment\n");
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..rows {
        let s = next();
        let label = u8::from(next() < s);
        let pred = u8::from(s >= 0.5);
        let seg = ["north", "south", "east"][i % 3];
        if i % 2 == 0 {
            text.push_str(&format!("{label},{pred},{s:.6},{seg}\n"));
        } else {
            text.push_str(&format!("{label},{pred},{s:?},{seg}\n"));
        }
    }
    text
}

/// The JSON reports of `text` evaluated with 1, 2 and 3 parsing threads. The file must be
/// larger than one parsing chunk (4 MB), so that worker threads' states are merged.
fn reports_by_thread_count(text: &str) -> Vec<(&'static str, String)> {
    assert!(text.len() > 8 << 20, "several chunks: {} bytes", text.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap();
    ["1", "2", "3"]
        .into_iter()
        .map(|threads| {
            let args = [path, "--bootstrap", "20", "--segment-col", "segment"];
            (
                threads,
                json_report(&[&args[..], &["--threads", threads]].concat()),
            )
        })
        .collect()
}

/// Binary scores: the report does not depend on the number of threads, bit for bit.
#[test]
fn thread_count_changes_nothing_binary() {
    let runs = reports_by_thread_count(&binary_file(400_000));
    for (threads, report) in &runs[1..] {
        assert!(
            *report == runs[0].1,
            "--threads 1 and --threads {threads} differ:\n{}",
            first_difference(&runs[0].1, report)
        );
    }
}

/// Multiclass probabilities: the reports agree to 1e-12 whatever the number of threads.
#[test]
fn thread_count_changes_multiclass_results_by_rounding_at_most() {
    let runs = reports_by_thread_count(&multiclass_file(250_000));
    let one: serde_json::Value = serde_json::from_str(&runs[0].1).unwrap();
    for (threads, report) in &runs[1..] {
        let other: serde_json::Value = serde_json::from_str(report).unwrap();
        if let Some(d) = json_difference("", &one, &other) {
            panic!("--threads 1 and --threads {threads} differ beyond rounding: {d}");
        }
    }
}

/// Multiclass probabilities, bit for bit.
#[test]
fn thread_count_changes_nothing_multiclass_bit_for_bit() {
    let runs = reports_by_thread_count(&multiclass_file(250_000));
    for (threads, report) in &runs[1..] {
        assert!(
            *report == runs[0].1,
            "--threads 1 and --threads {threads} differ:\n{}",
            first_difference(&runs[0].1, report)
        );
    }
}

/// Notes with every kind of quoting the chunker must follow: a literal quote inside an unquoted
/// field, quoted fields whose embedded newlines are followed by text that looks like a row,
/// doubled quotes, text after a closing quote, a quote after a space (literal), empty quotes.
const NOTES: [&str; 9] = [
    "x",
    "5\"",
    "\"a\n1,1,b\"",
    "\"q\"\"uote\"",
    "\"ab\"cd",
    " \"sp",
    "\"multi\n\nline,\n0,0\"",
    "\"\"",
    "a\"b\"c",
];

/// A CSV file of more than `bytes` bytes (several 4 MB chunks) whose rows draw their note from
/// [`NOTES`] at random, some with CRLF line ends.
fn quoting_file(seed: u64, bytes: usize) -> String {
    let mut text = String::from("label,prediction,note\n");
    let mut state = seed | 1;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    while text.len() < bytes {
        let (l, p) = (next(2), next(2));
        // Mostly plain rows, so that the odd ones fall at every distance from a chunk's end.
        let note = if next(4) == 0 {
            NOTES[next(NOTES.len() as u64) as usize]
        } else {
            "x"
        };
        let end = if next(8) == 0 { "\r\n" } else { "\n" };
        text.push_str(&format!("{l},{p},{note}{end}"));
    }
    text
}

proptest! {
    #![proptest_config(config(3))]

    /// Files cut into chunks for parallel parsing give the rows and counts of one csv parse of
    /// the whole file, whatever the quoting.
    #[test]
    fn chunked_parsing_agrees_with_a_whole_file_parse(seed in any::<u64>()) {
        let text = quoting_file(seed, 9 << 20);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(text.as_bytes());
        let mut matrix = vec![vec![0u64; 2]; 2];
        let mut rows = 0u64;
        for record in reader.records() {
            let record = record.unwrap();
            let t: usize = record[0].trim().parse().unwrap();
            let p: usize = record[1].trim().parse().unwrap();
            matrix[t][p] += 1;
            rows += 1;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("quoting.csv");
        std::fs::write(&path, &text).unwrap();
        let path = path.to_str().unwrap();
        let report = json_report(&[path, "--bootstrap", "0", "--threads", "2"]);
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        prop_assert_eq!(&report["input"]["rows"], &serde_json::json!(rows));
        prop_assert_eq!(
            &report["metrics"]["confusion_matrix"]["matrix"],
            &serde_json::json!(matrix)
        );
    }
}

/// The first differing line of two pretty-printed JSON documents.
fn first_difference(a: &str, b: &str) -> String {
    let pretty = |s: &str| {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        serde_json::to_string_pretty(&v).unwrap()
    };
    let (a, b) = (pretty(a), pretty(b));
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| format!("line {i}: {x:?} vs {y:?}"))
        .unwrap_or_else(|| "different lengths".to_string())
}

// ---------------------------------------------------------------------------------------------
// Numerics
// ---------------------------------------------------------------------------------------------

fn label_row<'a>(label: &'a str, pred: &'a str) -> Row<'a> {
    Row {
        label,
        prediction: Prediction::Label(pred),
        score: None,
        proba: &[],
    }
}

fn scored_row<'a>(label: &'a str, pred: &'a str, score: Score) -> Row<'a> {
    Row {
        label,
        prediction: Prediction::Label(pred),
        score: Some(score),
        proba: &[],
    }
}

fn no_bootstrap() -> FinishOptions {
    FinishOptions {
        bootstrap: Bootstrap {
            replicates: 0,
            seed: 1,
        },
        ..FinishOptions::default()
    }
}

/// Merging a state into a copy of itself 33 times multiplies every count by 2^33: counts pass
/// 2^32 (and the row count 2^36), nothing overflows, and every ratio stays exactly what it was.
#[test]
fn counts_beyond_2_pow_32_through_merges_stay_exact() {
    // tp = 4, fn = 1, tn = 3, fp = 2.
    let rows = [("1", "1", 4), ("1", "0", 1), ("0", "0", 3), ("0", "1", 2)];
    let mut state = EvalState::default();
    for (label, pred, times) in rows {
        for _ in 0..times {
            state.push(&label_row(label, pred)).unwrap();
        }
    }
    let small = state.clone().finish(&no_bootstrap()).unwrap();
    for _ in 0..33 {
        let copy = state.clone();
        state.merge(&copy);
    }
    let scale = 1u64 << 33;
    assert_eq!(state.rows(), 10 * scale);
    let opts = FinishOptions {
        bootstrap: Bootstrap {
            replicates: 50,
            seed: 3,
        },
        ..FinishOptions::default()
    };
    let big = state.finish(&opts).unwrap();
    let m = &big.metrics;
    assert_eq!(
        m.confusion_matrix.matrix,
        vec![vec![3 * scale, 2 * scale], vec![scale, 4 * scale]]
    );
    assert_eq!(m.per_class.get("1").unwrap().support, 5 * scale);
    // Closed forms, and bit-for-bit the values of the unscaled state.
    assert_eq!(m.accuracy, Some(7.0 / 10.0));
    assert_eq!(m.precision, Some(4.0 / 6.0));
    assert_eq!(m.recall, Some(4.0 / 5.0));
    assert_eq!(m.specificity, Some(3.0 / 5.0));
    assert_eq!(m.f1, Some(8.0 / 11.0));
    let mcc = (4.0 * 3.0 - 2.0 * 1.0) / (6.0f64 * 5.0 * 5.0 * 4.0).sqrt();
    assert!((m.mcc.unwrap() - mcc).abs() < 1e-15, "{:?}", m.mcc);
    // po = 0.7, pe = (5·6 + 5·4) / 100 = 0.5.
    assert!(
        (m.cohen_kappa.unwrap() - 0.4).abs() < 1e-15,
        "{:?}",
        m.cohen_kappa
    );
    assert_eq!(m.mcc, small.metrics.mcc);
    assert_eq!(m.cohen_kappa, small.metrics.cohen_kappa);
    assert_eq!(m.balanced_accuracy, small.metrics.balanced_accuracy);
    assert_eq!(m.macro_avg, small.metrics.macro_avg);
    assert_eq!(m.weighted, small.metrics.weighted);
    assert_eq!(m.micro, small.metrics.micro);
    for (name, [lo, hi]) in big.intervals.iter() {
        assert!(
            lo.is_finite() && hi.is_finite() && lo <= hi && hi - lo < 1e-3,
            "{name}: [{lo}, {hi}] at n = 2^36"
        );
    }
}

/// Pushes `n` rows of one label, prediction and six-decimal score.
fn push_many(state: &mut EvalState, label: &str, pred: &str, score: &str, n: usize) {
    let s = score_from_text(score);
    for _ in 0..n {
        state.push(&scored_row(label, pred, s)).unwrap();
    }
}

/// Score counts kept in the dense grid table, doubled by merges until the ranked scores hold
/// more than 2^32 rows: ROC AUC and average precision equal their closed forms and the unscaled
/// values bit for bit.
#[test]
fn ranking_counts_beyond_2_pow_32_through_merges_stay_exact() {
    // Positives: a at 0.6, b at 0.4; negatives: c at 0.4, d at 0.2. Each class holds more than
    // the 1,000,001 scores after which its grid becomes a dense table.
    let (a, b, c, d) = (600_001u64, 400_000u64, 300_000u64, 700_001u64);
    let mut state = EvalState::default();
    push_many(&mut state, "1", "1", "0.6", a as usize);
    push_many(&mut state, "1", "0", "0.4", b as usize);
    push_many(&mut state, "0", "1", "0.4", c as usize);
    push_many(&mut state, "0", "0", "0.2", d as usize);
    let small = state.clone().finish(&no_bootstrap()).unwrap();
    let auc =
        |a: f64, b: f64, c: f64, d: f64| (a * (c + d) + b * d + b * c / 2.0) / ((a + b) * (c + d));
    let ap = |a: f64, b: f64, c: f64| a / (a + b) + b / (a + b) * ((a + b) / (a + b + c));
    let (fa, fb, fc, fd) = (a as f64, b as f64, c as f64, d as f64);
    let small_scores = small.scores.as_ref().unwrap();
    assert!((small_scores.metrics.roc_auc.unwrap() - auc(fa, fb, fc, fd)).abs() < 1e-12);
    assert!((small_scores.metrics.average_precision.unwrap() - ap(fa, fb, fc)).abs() < 1e-12);
    for _ in 0..12 {
        let copy = state.clone();
        state.merge(&copy);
    }
    let scale = 1u64 << 12;
    assert!(state.rows() > 1 << 32);
    let big = state.finish(&no_bootstrap()).unwrap();
    let s = big.scores.as_ref().unwrap();
    assert_eq!(s.metrics.roc_auc, small_scores.metrics.roc_auc);
    assert_eq!(
        s.metrics.average_precision,
        small_scores.metrics.average_precision
    );
    assert_eq!(s.metrics.log_loss, small_scores.metrics.log_loss);
    assert_eq!(s.metrics.brier, small_scores.metrics.brier);
    let hist = &s.curves.histograms.by_class;
    let held = |class: &str| hist.get(class).unwrap().iter().sum::<u64>();
    assert_eq!(held("1"), (a + b) * scale);
    assert_eq!(held("0"), (c + d) * scale);
    assert_eq!(
        big.metrics.confusion_matrix.matrix,
        vec![vec![d * scale, c * scale], vec![b * scale, a * scale]]
    );
}

/// A dense score count that would pass u32::MAX when two states merge keeps every row.
#[test]
fn dense_score_counts_past_u32_max_keep_every_row() {
    // 1,048,575 · 2^12 = u32::MAX − 4095 rows at 0.5 among the positives, then 1,000,001 more.
    let base = 1_048_575usize;
    let mut state = EvalState::default();
    push_many(&mut state, "1", "1", "0.5", base);
    push_many(&mut state, "0", "0", "0.25", 1);
    for _ in 0..12 {
        let copy = state.clone();
        state.merge(&copy);
    }
    let mut more = EvalState::default();
    push_many(&mut more, "1", "1", "0.5", 1_000_001);
    state.merge(&more);
    let pos = base as u64 * 4096 + 1_000_001;
    assert!(pos > u64::from(u32::MAX));
    let e = state.finish(&no_bootstrap()).unwrap();
    let s = e.scores.as_ref().unwrap();
    let hist = &s.curves.histograms.by_class;
    assert_eq!(hist.get("1").unwrap().iter().sum::<u64>(), pos);
    assert_eq!(hist.get("0").unwrap().iter().sum::<u64>(), 4096);
    assert_eq!(s.metrics.roc_auc, Some(1.0));
    assert_eq!(s.metrics.average_precision, Some(1.0));
    assert_eq!(e.rows, pos + 4096);
}

/// One positive among 100,000 rows: every metric equals its closed form.
#[test]
fn one_positive_in_100_000() {
    let n_neg = 99_999usize;
    let pos_score = 0.7505;
    let mut state = EvalState::default();
    let mut neg_scores = Vec::with_capacity(n_neg);
    for i in 0..n_neg {
        // Negatives on a grid of thousandths; predicted positive at >= 0.5.
        let s = (i % 1000) as f64 / 1000.0;
        neg_scores.push(s);
        let text = format!("{s:.3}");
        let pred = if s >= 0.5 { "1" } else { "0" };
        state
            .push(&scored_row("0", pred, score_from_text(&text)))
            .unwrap();
    }
    state
        .push(&scored_row("1", "1", score_from_text("0.7505")))
        .unwrap();
    let e = state.finish(&no_bootstrap()).unwrap();
    let fp = neg_scores.iter().filter(|&&s| s >= 0.5).count() as f64;
    let tn = n_neg as f64 - fp;
    let n = 100_000.0;
    let m = &e.metrics;
    assert_eq!(m.accuracy, Some((1.0 + tn) / n));
    assert_eq!(m.precision, Some(1.0 / (1.0 + fp)));
    assert_eq!(m.recall, Some(1.0));
    assert_eq!(m.specificity, Some(tn / n_neg as f64));
    let f1 = 2.0 / (2.0 + fp);
    assert!((m.f1.unwrap() - f1).abs() < 1e-15);
    let mcc = (tn - 0.0) / ((1.0 + fp) * 1.0 * n_neg as f64 * tn).sqrt();
    assert!((m.mcc.unwrap() - mcc).abs() < 1e-12, "{:?} vs {mcc}", m.mcc);
    let below = neg_scores.iter().filter(|&&s| s < pos_score).count() as f64;
    let at_or_above = n_neg as f64 - below;
    let s = e.scores.as_ref().unwrap();
    assert!((s.metrics.roc_auc.unwrap() - below / n_neg as f64).abs() < 1e-15);
    let ap = 1.0 / (1.0 + at_or_above);
    assert!((s.metrics.average_precision.unwrap() - ap).abs() < 1e-15);
    let log_loss = (-pos_score.ln() - neg_scores.iter().map(|s| (1.0 - s).ln()).sum::<f64>()) / n;
    assert!((s.metrics.log_loss.unwrap() - log_loss).abs() < 1e-12);
}

/// Scores within 1e-15 of 0 and 1, read from text as a file would give them: ranking keeps
/// values one ulp apart distinct, and log loss clips at machine epsilon.
#[test]
fn scores_within_1e_15_of_0_and_1() {
    // Positives: 1 − 1e-15, 1 − 2e-15, 1e-15; negatives: 1 − 2e-15, 1e-16, 0, 5e-324.
    let pos = ["0.999999999999999", "0.999999999999998", "1e-15"];
    let neg = ["0.999999999999998", "1e-16", "0", "5e-324"];
    let mut state = EvalState::default();
    for s in pos {
        state
            .push(&scored_row("1", "1", score_from_text(s)))
            .unwrap();
    }
    for s in neg {
        state
            .push(&scored_row("0", "0", score_from_text(s)))
            .unwrap();
    }
    let e = state.finish(&no_bootstrap()).unwrap();
    let s = e.scores.as_ref().unwrap();
    // Pairs won: 4 + (0.5 + 3) + 3 = 10.5 of 12.
    assert_eq!(s.metrics.roc_auc, Some(10.5 / 12.0));
    // Thresholds 1−1e-15: P 1, R 1/3; 1−2e-15: P 2/3, R 2/3; 1e-15: P 3/4, R 1.
    let ap = 1.0 / 3.0 + (1.0 / 3.0) * (2.0 / 3.0) + (1.0 / 3.0) * (3.0 / 4.0);
    assert!((s.metrics.average_precision.unwrap() - ap).abs() < 1e-15);
    let value = |t: &str| t.parse::<f64>().unwrap();
    let log_loss = (pos.iter().map(|t| clipped_log(value(t))).sum::<f64>()
        + neg.iter().map(|t| clipped_log(1.0 - value(t))).sum::<f64>())
        / 7.0;
    assert!((s.metrics.log_loss.unwrap() - log_loss).abs() < 1e-15);
    assert!(s.metrics.log_loss.unwrap().is_finite());
    let brier = (pos.iter().map(|t| (1.0 - value(t)).powi(2)).sum::<f64>()
        + neg.iter().map(|t| value(t).powi(2)).sum::<f64>())
        / 7.0;
    assert!((s.metrics.brier.unwrap() - brier).abs() < 1e-15);
}

/// A positive class scored exactly 0 and a negative scored exactly 1: log loss clips at machine
/// epsilon instead of becoming infinite.
#[test]
fn certain_and_wrong_scores_clip() {
    let mut state = EvalState::default();
    state
        .push(&scored_row("1", "0", score_from_text("0")))
        .unwrap();
    state
        .push(&scored_row("0", "1", score_from_text("1")))
        .unwrap();
    let e = state.finish(&no_bootstrap()).unwrap();
    let s = e.scores.as_ref().unwrap();
    assert_eq!(s.metrics.log_loss, Some(-f64::EPSILON.ln()));
    assert_eq!(s.metrics.brier, Some(1.0));
    assert_eq!(s.metrics.roc_auc, Some(0.0));
    assert_eq!(s.metrics.average_precision, Some(0.5));
}

/// Every score tied: ROC AUC is 1/2, average precision the positive share, and calibration has
/// one occupied bin.
#[test]
fn all_tied_scores() {
    for (p, n, score) in [(3usize, 7usize, "0.3"), (1, 1, "0.5"), (250, 50, "1")] {
        let mut state = EvalState::default();
        push_many(&mut state, "1", "1", score, p);
        push_many(&mut state, "0", "0", score, n);
        let e = state.finish(&no_bootstrap()).unwrap();
        let s = e.scores.as_ref().unwrap();
        let (fp, fn_, v) = (p as f64, n as f64, score.parse::<f64>().unwrap());
        assert_eq!(s.metrics.roc_auc, Some(0.5), "{score}");
        assert!((s.metrics.average_precision.unwrap() - fp / (fp + fn_)).abs() < 1e-15);
        let brier = (fp * (1.0 - v).powi(2) + fn_ * v * v) / (fp + fn_);
        assert!((s.metrics.brier.unwrap() - brier).abs() < 1e-15);
        let gap = (v - fp / (fp + fn_)).abs();
        assert!((s.metrics.ece.unwrap() - gap).abs() < 1e-15, "{score}");
        assert!((s.metrics.mce.unwrap() - gap).abs() < 1e-15, "{score}");
        let best = s.thresholds.as_ref().unwrap().best_f1.unwrap();
        assert_eq!(best.threshold, v);
        assert_eq!(best.recall, 1.0);
        assert!((best.precision - fp / (fp + fn_)).abs() < 1e-15);
    }
}

/// Multiclass probabilities all tied: every one-vs-rest ROC AUC is 1/2.
#[test]
fn all_tied_probabilities() {
    let classes: Vec<LabelKey> = ["a", "b", "c"]
        .iter()
        .map(|s| LabelKey::parse(s).unwrap())
        .collect();
    let mut state = EvalState::new(&classes);
    let proba = [0.25, 0.25, 0.25];
    for (label, times) in [("a", 5), ("b", 3), ("c", 2)] {
        for _ in 0..times {
            let row = Row {
                label,
                prediction: Prediction::ProbaArgmax(0),
                score: None,
                proba: &proba,
            };
            state.push(&row).unwrap();
        }
    }
    let e = state.finish(&no_bootstrap()).unwrap();
    assert_eq!(e.task, Task::Multiclass);
    for class in ["a", "b", "c"] {
        let c = e.metrics.per_class.get(class).unwrap();
        assert_eq!(c.roc_auc, Some(0.5), "{class}");
    }
    assert_eq!(e.metrics.macro_avg.roc_auc, Some(0.5));
    assert_eq!(e.metrics.accuracy, Some(0.5));
}
