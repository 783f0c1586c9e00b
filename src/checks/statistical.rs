//! Statistical checks: what is abnormal in a model's outputs and performance, with tests that
//! stay honest at any sample size.
//!
//! Every check reports its statistic, p-value where one exists, an effect size and the sample
//! sizes. A check fails only when its test is significant **and** its effect size passes the
//! threshold (huge samples make every tiny shift significant), and it is skipped, with the
//! reason, below a minimum sample (tiny samples make noise look like drift). Thresholds:
//! population stability index 0.1 (warn) and 0.25 (fail), the customary credit-scoring bounds
//! (Siddiqi 2006); Cohen's w 0.1 (small) and 0.3 (medium) for distribution mismatches (Cohen
//! 1988); robust z-scores beyond 3.5 as outliers (Iglewicz & Hoaglin 1993); weak segments by a
//! one-sided two-proportion z-test with Benjamini–Hochberg control across all segments.

use rayon::prelude::*;
use serde::Serialize;

use super::{Check, CheckDetail, CheckId, CheckStatus, Location, SegmentRef, StatisticalDetail};
use crate::metrics::ranked::{CountsView, Ranked};
use crate::metrics::Evaluation;
use crate::ordered_map::OrderedMap;
use crate::results::{SegmentReport, SCORE_BINS};
use crate::stats::{
    benjamini_hochberg, bin_shares, bin_shares_of, chi_square_sf, js_distance, ks_two_sample_of,
    mean_std, median_mad_by, normal_two_sided, pairs_of, psi, quantile_edges, wasserstein_of,
    Pairs,
};
use crate::text::{self, count};

/// Settings of the statistical checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatOptions {
    /// Significance level.
    pub alpha: f64,
    /// Smallest absolute drop in a proportion (accuracy) worth failing on.
    pub min_effect: f64,
    /// Fewer rows (on either side of a comparison) and a check is skipped.
    pub min_rows: u64,
    /// PSI from which a drift warns.
    pub psi_warn: f64,
    /// PSI from which a drift fails.
    pub psi_fail: f64,
}

impl Default for StatOptions {
    fn default() -> Self {
        StatOptions {
            alpha: 0.05,
            min_effect: 0.05,
            min_rows: 100,
            psi_warn: 0.1,
            psi_fail: 0.25,
        }
    }
}

/// The compact summary of an evaluation that comparisons need.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Profile {
    /// Rows.
    pub rows: u64,
    /// Rows predicted correctly.
    pub correct: u64,
    /// Classes.
    pub labels: Vec<String>,
    /// Rows per true class.
    pub label_counts: Vec<u64>,
    /// Rows per predicted class.
    pub pred_counts: Vec<u64>,
    /// Distinct scores (positive-class score or top-label confidence) and their counts; for
    /// binary scores, see [`distribution`](Self::distribution).
    #[serde(skip)]
    pub distribution: Option<Ranked>,
    /// Binary: the distribution is the union of [`by_class`](Self::by_class), made when first
    /// read (by then the segments are finished and their scores freed).
    #[serde(skip)]
    pub distribution_of_classes: bool,
    /// The union, once made.
    #[serde(skip)]
    pub(crate) union: std::sync::OnceLock<Ranked>,
    /// Binary: the scores of positive rows and of negative rows, apart.
    #[serde(skip)]
    pub by_class: Vec<Ranked>,
    /// Multiclass: each class's probability over all rows, by class name.
    #[serde(skip)]
    pub proba: Vec<(String, Ranked)>,
    /// Rows and correct predictions per segment (a reference read with the run's segment
    /// columns; empty otherwise).
    #[serde(skip)]
    pub segments: Vec<SegmentCounts>,
}

/// Rows and correct predictions of one segment.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct SegmentCounts {
    /// The segment column.
    pub column: String,
    /// Its value.
    pub value: String,
    /// Rows.
    pub rows: u64,
    /// Rows predicted correctly.
    pub correct: u64,
    /// Binary scores: the segment's score histogram (see [`SegmentReport::score_histogram`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<u64>,
}

impl SegmentCounts {
    /// The counts of every segment of a report.
    pub fn of_report(segments: &OrderedMap<OrderedMap<SegmentReport>>) -> Vec<SegmentCounts> {
        let mut out = Vec::new();
        for (column, values) in segments.iter() {
            for (value, seg) in values.iter() {
                let Some(m) = seg.metrics.as_ref() else {
                    continue;
                };
                let cm = &m.labels.confusion_matrix.matrix;
                out.push(SegmentCounts {
                    column: column.clone(),
                    value: value.clone(),
                    rows: seg.rows,
                    correct: (0..cm.len()).map(|i| cm[i][i]).sum(),
                    scores: seg.score_histogram.clone(),
                });
            }
        }
        out
    }
}

impl Profile {
    /// The scores the drift and outlier checks test (positive-class score or top-label
    /// confidence), distinct, with their counts; for binary scores the union of both classes'
    /// scores, made on the first call. `None` without scores.
    pub fn distribution(&self) -> Option<&Ranked> {
        if !self.distribution_of_classes || self.distribution.is_some() {
            return self.distribution.as_ref();
        }
        Some(self.union.get_or_init(|| match self.by_class.as_slice() {
            [pos, neg] => Ranked::union(pos, neg),
            _ => Ranked::default(),
        }))
    }

    /// Makes the [`distribution`](Self::distribution) and keeps it apart from `by_class`, which
    /// may then be taken.
    pub fn settle_distribution(&mut self) {
        if self.distribution.is_none() && self.distribution_of_classes {
            let union = self
                .union
                .take()
                .unwrap_or_else(|| match self.by_class.as_slice() {
                    [pos, neg] => Ranked::union(pos, neg),
                    _ => Ranked::default(),
                });
            self.distribution = Some(union);
        }
    }

    /// Whether the profile has a [`distribution`](Self::distribution) (without making it).
    pub fn has_distribution(&self) -> bool {
        self.distribution.is_some() || self.distribution_of_classes
    }

    /// The rows of the [`distribution`](Self::distribution), without making it.
    pub fn distribution_total(&self) -> Option<u64> {
        match (self.union.get(), self.by_class.as_slice()) {
            (None, [pos, neg]) if self.distribution_of_classes && self.distribution.is_none() => {
                Some(pos.total() + neg.total())
            }
            _ => self.distribution().map(Ranked::total),
        }
    }

    /// [`distribution`](Self::distribution) read as (score, count) pairs in ascending order,
    /// without making the union of binary scores.
    pub fn distribution_pairs(&self) -> Option<Box<dyn Iterator<Item = (f64, u64)> + '_>> {
        match (self.union.get(), self.by_class.as_slice()) {
            (None, [pos, neg]) if self.distribution_of_classes && self.distribution.is_none() => {
                Some(Box::new(Ranked::union_iter(pos, neg)))
            }
            _ => self
                .distribution()
                .map(|d| Box::new(d.iter()) as Box<dyn Iterator<Item = _>>),
        }
    }

    /// The profile of an evaluation, moving its score distributions out of it instead of copying
    /// them (at a million distinct scores each copy is tens of megabytes; the report does not
    /// use them).
    pub fn take_from(e: &mut Evaluation) -> Profile {
        let taken = e.scores.as_mut().map(|s| {
            (
                std::mem::take(&mut s.distribution),
                std::mem::take(&mut s.sorted),
                std::mem::take(&mut s.proba),
            )
        });
        let mut profile = Profile::of(e);
        if let Some((distribution, (pos, neg), proba)) = taken {
            if !profile.distribution_of_classes {
                profile.distribution = Some(distribution);
            }
            profile.proba = proba;
            profile.by_class = if pos.is_empty() && neg.is_empty() {
                Vec::new()
            } else {
                vec![pos, neg]
            };
        }
        profile
    }

    /// The profile of an evaluation.
    pub fn of(e: &Evaluation) -> Profile {
        let m = &e.metrics.confusion_matrix.matrix;
        let k = m.len();
        Profile {
            rows: e.rows,
            correct: (0..k).map(|i| m[i][i]).sum(),
            labels: e.labels.clone(),
            label_counts: m.iter().map(|r| r.iter().sum()).collect(),
            pred_counts: (0..k).map(|j| m.iter().map(|r| r[j]).sum()).collect(),
            distribution: e
                .scores
                .as_ref()
                .filter(|s| !s.distribution_of_classes)
                .map(|s| s.distribution.clone()),
            distribution_of_classes: e.scores.as_ref().is_some_and(|s| s.distribution_of_classes),
            union: std::sync::OnceLock::new(),
            by_class: e
                .scores
                .as_ref()
                .filter(|s| !s.sorted.0.is_empty() || !s.sorted.1.is_empty())
                .map(|s| vec![s.sorted.0.clone(), s.sorted.1.clone()])
                .unwrap_or_default(),
            proba: e
                .scores
                .as_ref()
                .map(|s| s.proba.clone())
                .unwrap_or_default(),
            segments: Vec::new(),
        }
    }
}

pub(crate) fn stat(
    id: CheckId,
    status: CheckStatus,
    message: String,
    detail: StatisticalDetail,
) -> Check {
    Check {
        id,
        kind: "statistical",
        status,
        message,
        detail: CheckDetail::Statistical(detail),
    }
}

pub(crate) fn detail(test: &'static str, effect: &'static str, n: u64) -> StatisticalDetail {
    StatisticalDetail {
        test,
        statistic: None,
        p_value: None,
        effect_size: None,
        effect,
        n,
        n_reference: None,
        location: Location::default(),
        values: OrderedMap::default(),
    }
}

/// The status of a test with an effect: fail when significant and the effect reaches
/// `fail_at`, warn when significant and it reaches `warn_at`.
pub(super) fn graded(p: f64, effect: f64, alpha: f64, warn_at: f64, fail_at: f64) -> CheckStatus {
    if p < alpha && effect >= fail_at {
        CheckStatus::Fail
    } else if p < alpha && effect >= warn_at {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    }
}

/// Chi-square goodness of fit of `observed` counts to `expected` shares; (statistic, df).
fn chi_square_fit(observed: &[u64], expected_shares: &[f64]) -> (f64, f64) {
    let n: u64 = observed.iter().sum();
    let mut chi2 = 0.0;
    let mut cells = 0;
    for (&o, &share) in observed.iter().zip(expected_shares) {
        let e = (share * n as f64).max(0.5);
        if share > 0.0 || o > 0 {
            chi2 += (o as f64 - e).powi(2) / e;
            cells += 1;
        }
    }
    (chi2, (cells as f64 - 1.0).max(0.0))
}

/// Chi-square test of homogeneity of two count vectors; (statistic, df).
fn chi_square_homogeneity(a: &[u64], b: &[u64]) -> (f64, f64) {
    let (na, nb) = (a.iter().sum::<u64>() as f64, b.iter().sum::<u64>() as f64);
    let total = na + nb;
    let mut chi2 = 0.0;
    let mut cols = 0;
    for (&x, &y) in a.iter().zip(b) {
        let col = (x + y) as f64;
        if col == 0.0 {
            continue;
        }
        cols += 1;
        for (o, rowsum) in [(x as f64, na), (y as f64, nb)] {
            let e = rowsum * col / total;
            if e > 0.0 {
                chi2 += (o - e).powi(2) / e;
            }
        }
    }
    (chi2, (cols as f64 - 1.0).max(0.0))
}

fn shares(counts: &[u64]) -> Vec<f64> {
    let n = counts.iter().sum::<u64>().max(1) as f64;
    counts.iter().map(|&c| c as f64 / n).collect()
}

pub(crate) fn fmt(v: f64) -> String {
    text::four_decimals(v)
}

pub(crate) fn fmt_p(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

/// The smallest p-value worth printing: below it a double has lost all precision (and an
/// underflow prints as `0.0e0`, which reads as a bug).
const P_FLOOR: f64 = 1e-300;

/// `NAME = VALUE` for a p- or q-value (`p = 0.0123`, `q = 3.2e-5`), or `NAME < 1e-300` when it
/// is smaller than a double can tell.
pub(crate) fn p_is(name: &str, p: f64) -> String {
    if p < P_FLOOR {
        format!("{name} < 1e-300")
    } else {
        format!("{name} = {}", fmt_p(p))
    }
}

/// Checks of the current file alone: degenerate predictions, predicted vs label distribution,
/// score outliers, saturation, probability rows that do not sum to 1.
pub fn sanity(e: &Evaluation, opts: &StatOptions) -> Vec<Check> {
    sanity_of(e, &Profile::of(e), opts)
}

/// [`sanity`] with the evaluation's profile already made (see [`Profile::take_from`]).
pub fn sanity_of(e: &Evaluation, p: &Profile, opts: &StatOptions) -> Vec<Check> {
    sanity_with(e, p, opts, None)
}

/// The score-outlier check of an evaluation whose scores are still in place (what
/// [`sanity_of`] computes from the profile taken from it), so that it can run beside the other
/// readers of the scores; `None` without scores.
pub fn outliers_of(e: &Evaluation) -> Option<Check> {
    let s = e.scores.as_ref()?;
    let by_class: Vec<&Ranked> = if s.sorted.0.is_empty() && s.sorted.1.is_empty() {
        Vec::new()
    } else {
        vec![&s.sorted.0, &s.sorted.1]
    };
    Some(score_outliers(&s.distribution, &by_class, e.rows))
}

/// [`sanity_of`] with the score-outlier check computed before ([`outliers_of`]) when given.
pub fn sanity_with(
    e: &Evaluation,
    p: &Profile,
    opts: &StatOptions,
    outliers: Option<Check>,
) -> Vec<Check> {
    let n = p.rows;
    let mut out = Vec::new();

    // Degenerate predictions.
    let top_pred = p.pred_counts.iter().copied().max().unwrap_or(0);
    let top_label = p.label_counts.iter().copied().max().unwrap_or(0);
    let pred_share = top_pred as f64 / n.max(1) as f64;
    let label_share = top_label as f64 / n.max(1) as f64;
    let class = p
        .pred_counts
        .iter()
        .position(|&c| c == top_pred)
        .and_then(|i| p.labels.get(i));
    let mut d = detail("share", "share", n);
    d.statistic = Some(pred_share);
    d.effect_size = Some(pred_share);
    d.location.class = class.cloned();
    d.values = OrderedMap(vec![("label_share_of_top_class".into(), label_share)]);
    if n == 0 {
        out.push(stat(
            CheckId::DegeneratePredictions,
            CheckStatus::Skip,
            "needs labelled rows".into(),
            d,
        ));
        return out;
    }
    let concentrated = pred_share >= 0.99 && label_share < 0.99 && n >= 2;
    // A calibrated model of a rare class predicts the common one almost always at its
    // threshold, by design: its scores still rank the classes, so it has not collapsed.
    let auc = e.scores.as_ref().and_then(|s| s.metrics.roc_auc);
    let ranks = auc.filter(|&a| a >= RANKING_AUC && label_share >= 0.9);
    let degenerate = concentrated && ranks.is_none();
    out.push(stat(
        CheckId::DegeneratePredictions,
        if degenerate { CheckStatus::Fail } else { CheckStatus::Pass },
        if let (true, Some(a)) = (concentrated, ranks) {
            format!(
                "{:.1}% of predictions are class '{}', whose share of labels is {:.1}%: a rare class predicted at a strict threshold, not a collapse (the scores rank with ROC AUC {})",
                100.0 * pred_share,
                class.map_or("", |c| c.as_str()),
                100.0 * label_share,
                fmt(a)
            )
        } else if degenerate {
            format!(
                "{:.1}% of predictions are class '{}' while the labels are mixed (its share of labels is {:.1}%): the model has collapsed to one class",
                100.0 * pred_share,
                class.map_or("", |c| c.as_str()),
                100.0 * label_share
            )
        } else {
            format!("predictions are not concentrated on one class (top class {:.1}%)", 100.0 * pred_share)
        },
        d,
    ));

    // Predicted class distribution against the label distribution. With probabilities, the
    // shares the model expects (its mean probability per class) are what it predicts: a
    // calibrated model of a rare class whose 0.5 threshold predicts few positives expects the
    // right share, so only a model whose probabilities disagree with the labels' prior is
    // biased.
    let mut d = detail("chi_square", "cohens_w", n);
    if n < opts.min_rows {
        out.push(stat(
            CheckId::PredictionDistribution,
            CheckStatus::Skip,
            format!(
                "predicted vs label distribution not tested: {}, fewer than {}",
                count(n, "row"),
                opts.min_rows
            ),
            d,
        ));
    } else {
        let expected = expected_shares(e, p);
        let (chi2, df) = match &expected {
            Some(shares) => chi_square_fit(&p.label_counts, shares),
            None => chi_square_fit(&p.pred_counts, &shares(&p.label_counts)),
        };
        let pv = chi_square_sf(chi2, df);
        let w = (chi2 / n as f64).sqrt();
        d.statistic = Some(chi2);
        d.p_value = Some(pv);
        d.effect_size = Some(w);
        d.values = OrderedMap(vec![("df".into(), df)]);
        let status = graded(pv, w, opts.alpha, 0.1, 0.3);
        let what = if expected.is_some() {
            "the shares the model's probabilities expect vs label shares"
        } else {
            "predicted class shares vs label shares"
        };
        out.push(stat(
            CheckId::PredictionDistribution,
            status,
            format!(
                "{what}: chi-square {:.1} (df {df}), {}, Cohen's w = {}{}",
                chi2,
                p_is("p", pv),
                fmt(w),
                match (status, expected.is_some()) {
                    (CheckStatus::Pass, _) => "",
                    (_, true) =>
                        ": the model's probabilities assume class proportions unlike the labels",
                    (_, false) => ": the model predicts classes in proportions unlike the labels",
                }
            ),
            d,
        ));
    }

    if p.has_distribution() {
        let outliers = match outliers {
            Some(check) => check,
            None => {
                let by_class: Vec<&Ranked> = p.by_class.iter().collect();
                // With classes, each class's scores are tested, not their union.
                let empty = Ranked::default();
                let dist = match by_class.is_empty() {
                    true => p.distribution().unwrap_or(&empty),
                    false => &empty,
                };
                score_outliers(dist, &by_class, n)
            }
        };
        out.push(outliers);
        out.push(saturation(p, n));
    }
    if !e.labels.is_empty() && e.scores.as_ref().is_some_and(|s| s.thresholds.is_none()) {
        out.push(proba_sums(e.proba_rows_off, n));
    }
    out
}

/// The class shares the model's probabilities expect (the mean probability of each class,
/// aligned with the profile's labels), when it has probabilities.
fn expected_shares(e: &Evaluation, p: &Profile) -> Option<Vec<f64>> {
    let mean_of = |pairs: &mut dyn Iterator<Item = (f64, u64)>| {
        let (sum, n) = pairs.fold((0.0, 0u64), |(s, n), (v, c)| (s + v * c as f64, n + c));
        (n > 0).then(|| sum / n as f64)
    };
    let mean = |r: &Ranked| mean_of(&mut r.iter());
    if p.by_class.len() == 2 {
        let pos = e.pos_label.as_deref()?;
        // Over both classes' scores in ascending order, as one list of them would be read.
        let m = mean_of(&mut Ranked::union_iter(&p.by_class[0], &p.by_class[1]))?;
        return Some(
            p.labels
                .iter()
                .map(|l| if l == pos { m } else { 1.0 - m })
                .collect(),
        );
    }
    if p.proba.is_empty() {
        return None;
    }
    let shares: Vec<f64> = p
        .labels
        .iter()
        .map(|l| {
            p.proba
                .iter()
                .find(|(c, _)| c == l)
                .and_then(|(_, r)| mean(r))
                .unwrap_or(0.0)
        })
        .collect();
    let total: f64 = shares.iter().sum();
    (total > 0.0).then(|| shares.iter().map(|s| s / total).collect())
}

/// ROC AUC from which scores count as ranking the classes (a model predicting one class at its
/// threshold is then not collapsed).
const RANKING_AUC: f64 = 0.7;

/// Share of outlying scores from which the outlier check warns: calibrated scores of a
/// well-separated model have heavy tails on the logit scale, and 1–2% of them lie beyond 3.5
/// robust standard deviations with nothing wrong.
const OUTLIER_SHARE: f64 = 0.05;

/// Score outliers by the robust z-score 0.6745 (x − median) / MAD, |z| > 3.5, on the logit
/// scale and against each true class (binary): probabilities are bounded and a binary model's
/// scores are bimodal by design, so a score is an outlier only when it is that far from the
/// scores of every class (a positive row scored like the negatives is a hard row, not an
/// abnormal output). Without classes, `distribution` alone.
fn score_outliers(distribution: &Ranked, by_class: &[&Ranked], n: u64) -> Check {
    let groups: &[&Ranked] = if by_class.is_empty() {
        &[distribution]
    } else {
        by_class
    };
    let mut d = detail("robust_z", "share", n);
    let logit = |p: f64| {
        let p = p.clamp(1e-6, 1.0 - 1e-6);
        (p / (1.0 - p)).ln()
    };
    // Each class's scores on the logit scale, ascending still (the logit is monotone), read in
    // place, and their median and MAD. Scores within 1e-6 of 0 or 1 are left to the
    // saturation check: the logit clamps there, and a pile of them would shrink the MAD until
    // every ordinary score looked far.
    struct Class<'a> {
        values: &'a [f64],
        counts: CountsView<'a>,
        median: f64,
        mad: f64,
    }
    let prepared: Vec<Option<Class>> = groups
        .par_iter()
        .map(|group| {
            let lo = (group.values).partition_point(|v| v.total_cmp(&1e-6).is_le());
            let hi = (group.values).partition_point(|v| v.total_cmp(&(1.0 - 1e-6)).is_lt());
            let (values, counts) = (&group.values[lo..hi], group.counts.view().slice(lo..hi));
            let (median, mad) = median_mad_by(values.len(), |i| logit(values[i]), counts)?;
            (mad != 0.0).then_some(Class {
                values,
                counts,
                median,
                mad,
            })
        })
        .collect();
    let centres: Vec<(f64, f64)> = prepared
        .iter()
        .flatten()
        .map(|c| (c.median, c.mad))
        .collect();
    // A score is an outlier when it lies beyond 3.5 robust standard deviations of every
    // class's scores: a positive row scored like the negatives is a hard row, not an abnormal
    // output; a score no class's scores resemble is.
    let far = |v: f64| {
        centres
            .iter()
            .all(|&(median, mad)| (0.6745 * (v - median) / mad).abs() > 3.5)
    };
    let per_group: Vec<Option<u64>> = prepared
        .par_iter()
        .map(|p| {
            p.as_ref().map(|c| {
                c.values
                    .iter()
                    .zip(c.counts.iter())
                    .filter(|(&v, _)| far(logit(v)))
                    .map(|(_, c)| c)
                    .sum::<u64>()
            })
        })
        .collect();
    let tested = per_group.iter().flatten().count();
    let count: u64 = per_group.iter().flatten().sum();
    if tested == 0 {
        return stat(
            CheckId::ScoreOutliers,
            CheckStatus::Skip,
            "score outliers not tested: half the scores or more are equal (MAD = 0)".into(),
            d,
        );
    }
    let share = count as f64 / n.max(1) as f64;
    d.statistic = Some(count as f64);
    d.effect_size = Some(share);
    let status = if share > OUTLIER_SHARE {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    stat(
        CheckId::ScoreOutliers,
        status,
        format!(
            "{} ({:.2}%) {} more than 3.5 robust standard deviations (logit scale) from the median of every class",
            text::count(count, "score"),
            100.0 * share,
            if count == 1 { "lies" } else { "lie" }
        ),
        d,
    )
}

/// Scores at exactly 0 or 1. Tree ensembles and well-separated data give them honestly; they
/// are a fault when the labels contradict them (a row labelled positive with a score of
/// exactly 0, or negative with exactly 1: an infinite log loss), so the check warns only then.
/// `by_class`: binary scores of the positive rows and of the negative rows.
fn saturation(p: &Profile, n: u64) -> Check {
    let at_ends = |r: &Ranked| r.count_of(0.0) + r.count_of(1.0);
    // Binary: the rows at 0 or 1 of both classes (their union holds the same rows).
    let count: u64 = match (p.by_class.as_slice(), p.distribution.as_ref()) {
        ([pos, neg], None) => at_ends(pos) + at_ends(neg),
        _ => p.distribution().map_or(0, at_ends),
    };
    let contradicted = match p.by_class.as_slice() {
        [pos, neg] => Some(pos.count_of(0.0) + neg.count_of(1.0)),
        _ => None,
    };
    let share = count as f64 / n.max(1) as f64;
    let mut d = detail("share", "share", n);
    d.statistic = Some(count as f64);
    d.effect_size = Some(share);
    if let Some(c) = contradicted {
        d.values = OrderedMap(vec![("contradicted".into(), c as f64)]);
    }
    let status = match contradicted {
        Some(c) if c as f64 >= (0.005 * n as f64).max(1.0) => CheckStatus::Warn,
        _ => CheckStatus::Pass,
    };
    let message = match contradicted {
        Some(0) => format!(
            "{:.2}% of scores are exactly 0 or 1 ({}), none contradicted by its label",
            100.0 * share,
            text::count(count, "row")
        ),
        Some(c) => format!(
            "{:.2}% of scores are exactly 0 or 1 ({}); {c} of them contradicted by their label (an infinite log loss each)",
            100.0 * share,
            text::count(count, "row")
        ),
        None => format!(
            "{:.2}% of scores are exactly 0 or 1 ({})",
            100.0 * share,
            text::count(count, "row")
        ),
    };
    stat(CheckId::ScoreSaturation, status, message, d)
}

/// Multiclass probability rows that do not sum to 1.
fn proba_sums(off: u64, n: u64) -> Check {
    let share = off as f64 / n.max(1) as f64;
    let mut d = detail("share", "share", n);
    d.statistic = Some(off as f64);
    d.effect_size = Some(share);
    let status = match (off, share > 0.01) {
        (0, _) => CheckStatus::Pass,
        (_, false) => CheckStatus::Warn,
        (_, true) => CheckStatus::Fail,
    };
    stat(
        CheckId::ProbabilitySums,
        status,
        format!(
            "{} ({:.2}%) {} probabilities that do not sum to 1 (tolerance 1e-3)",
            count(off, "row"),
            100.0 * share,
            if off == 1 { "has" } else { "have" }
        ),
        d,
    )
}

/// One-sided two-proportion z-test that a proportion `a` is below `b`: (z, p).
fn below(a_hits: u64, a_n: u64, b_hits: u64, b_n: u64) -> (f64, f64) {
    let (p1, p2) = (a_hits as f64 / a_n as f64, b_hits as f64 / b_n as f64);
    let pooled = (a_hits + b_hits) as f64 / (a_n + b_n) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / a_n as f64 + 1.0 / b_n as f64)).sqrt();
    let z = if se > 0.0 { (p1 - p2) / se } else { 0.0 };
    let p = if z < 0.0 {
        normal_two_sided(z) / 2.0
    } else {
        1.0 - normal_two_sided(z) / 2.0
    };
    (z, p)
}

/// How many standard errors a segment's log loss may exceed the log loss of calibrated scores
/// for its moved scores to count as other outputs rather than other data.
const CALIBRATION_Z: f64 = 4.0;

/// The significance a segment's score shift must reach after Bonferroni: rows of a segment
/// share hours and users, so a shift at the usual level is often chance.
const SEGMENT_SCORE_ALPHA: f64 = 0.001;

/// The least KS distance between a segment's scores and its reference scores that counts as
/// a shift (on 100 bins).
const SEGMENT_SCORE_SHIFT: f64 = 0.1;

/// `segment:COLUMN=VALUE:scores`: segments whose binary scores moved against the same segment
/// in the reference — a two-sample KS test on 100-bin histograms, p < 0.001 after Bonferroni
/// over the segments tested, a shift from a distance of 0.1, when the column's other segments
/// together moved by at most a third of that distance (else the scores moved everywhere, not
/// in a segment), and while the segment's log loss stays within 4 standard errors of what
/// calibrated scores would give (scores that no longer match the labels moved with the
/// segment's data, not its outputs). Only shifted segments are listed; none when a segment
/// column has no
/// reference counterpart, and none of the `skip` columns (model versions and environments,
/// whose scores differ by design).
pub fn segment_scores(
    segments: &OrderedMap<OrderedMap<SegmentReport>>,
    reference: &[SegmentCounts],
    skip: &[String],
    opts: &StatOptions,
) -> Vec<Check> {
    // Per tested segment: its column, value, rows now and then, and its histograms.
    let mut tested = Vec::new();
    for (column, values) in segments.iter().filter(|(c, _)| !skip.contains(c)) {
        for (value, seg) in values.iter() {
            let Some(before) = reference
                .iter()
                .find(|r| &r.column == column && &r.value == value)
            else {
                continue;
            };
            if seg.score_histogram.is_empty() || before.scores.len() != seg.score_histogram.len() {
                continue;
            }
            tested.push((column, value, seg, before));
        }
    }
    let sum = |hists: Vec<&Vec<u64>>| {
        let mut out = vec![0u64; SCORE_BINS];
        for h in hists {
            for (o, c) in out.iter_mut().zip(h) {
                *o += c;
            }
        }
        out
    };
    let mut results = Vec::new();
    for &(column, value, seg, before) in &tested {
        if seg.rows < opts.min_rows || before.rows < opts.min_rows {
            continue;
        }
        let others = |now: bool| {
            sum(tested
                .iter()
                .filter(|t| t.0 == column && t.1 != value)
                .map(|t| {
                    if now {
                        &t.2.score_histogram
                    } else {
                        &t.3.scores
                    }
                })
                .collect())
        };
        let ks = crate::stats::ks_histograms;
        let Some((d, p)) = ks(&seg.score_histogram, &before.scores) else {
            continue;
        };
        let rest = ks(&others(true), &others(false)).map_or(0.0, |(d, _)| d);
        // How far the segment's log loss exceeds what its scores would give were they
        // calibrated, in standard errors.
        let excess = match (
            seg.metrics.as_ref().and_then(|m| m.scores.log_loss),
            seg.calibrated_log_loss,
        ) {
            (Some(observed), Some((expected, se))) if se > 0.0 => (observed - expected) / se,
            _ => 0.0,
        };
        results.push((column, value, seg.rows, before.rows, d, p, rest, excess));
    }
    let k = results.len() as f64;
    results
        .into_iter()
        .filter_map(|(column, value, n, n_ref, d, p, rest, excess)| {
            // Scores that moved as much in the column's other segments moved everywhere: the
            // drift checks of the whole run have them, not a segment.
            let local = rest <= d / 3.0;
            if !local || (p * k).min(1.0) >= SEGMENT_SCORE_ALPHA || d < SEGMENT_SCORE_SHIFT {
                return None;
            }
            // Scores that moved and no longer match the segment's labels moved with its data
            // (a harder population, a changed relation): the outputs of another model would
            // still be calibrated on their own. Such a segment is the accuracy checks'.
            if excess > CALIBRATION_Z {
                return None;
            }
            let p = (p * k).min(1.0);
            let segment = SegmentRef {
                column: column.clone(),
                value: value.clone(),
            };
            let mut det = detail("ks", "ks_distance", n);
            det.statistic = Some(d);
            det.p_value = Some(p);
            det.effect_size = Some(d);
            det.n_reference = Some(n_ref);
            det.location.segment = Some(segment.clone());
            let message = format!(
                "the scores of {column}={value} moved against the same segment in the reference: KS D = {} on 100 bins, {} (Bonferroni over {}), {} now, {} then",
                fmt(d),
                p_is("p", p),
                count(k as u64, "segment"),
                count(n, "row"),
                count(n_ref, "row")
            );
            Some(stat(
                CheckId::SegmentScores { segment },
                CheckStatus::Fail,
                message,
                det,
            ))
        })
        .collect()
}

/// Segments whose accuracy is significantly below the rest of the data. Without a reference
/// such a segment warns: nothing says whether the gap is new. With the reference's segments,
/// one that was as weak there passes as a known gap, and one that also fell against its own
/// reference accuracy fails as a segment that got worse (`segment:C=V:drop`).
pub fn weak_segments(
    segments: &OrderedMap<OrderedMap<SegmentReport>>,
    rows: u64,
    correct: u64,
    reference: &[SegmentCounts],
    opts: &StatOptions,
) -> Vec<Check> {
    struct Tested {
        column: String,
        value: String,
        n: u64,
        acc: f64,
        rest_n: u64,
        rest_acc: f64,
        z: f64,
        p: f64,
    }
    let mut tested = Vec::new();
    for (column, values) in segments.iter() {
        for (value, seg) in values.iter() {
            let Some(m) = seg.metrics.as_ref().filter(|_| !seg.skipped) else {
                continue;
            };
            let cm = &m.labels.confusion_matrix.matrix;
            let seg_correct: u64 = (0..cm.len()).map(|i| cm[i][i]).sum();
            let (n1, n2) = (seg.rows, rows - seg.rows);
            if n2 == 0 {
                continue;
            }
            let (p1, p2) = (
                seg_correct as f64 / n1 as f64,
                (correct - seg_correct) as f64 / n2 as f64,
            );
            let pooled = correct as f64 / rows as f64;
            let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
            let z = if se > 0.0 { (p1 - p2) / se } else { 0.0 };
            // One-sided: is the segment worse than the rest?
            let p = if z < 0.0 {
                normal_two_sided(z) / 2.0
            } else {
                1.0 - normal_two_sided(z) / 2.0
            };
            tested.push(Tested {
                column: column.clone(),
                value: value.clone(),
                n: n1,
                acc: p1,
                rest_n: n2,
                rest_acc: p2,
                z,
                p,
            });
        }
    }
    let q = benjamini_hochberg(&tested.iter().map(|t| t.p).collect::<Vec<_>>());
    let mut out = Vec::new();
    for (column, _) in segments.iter() {
        let mut weak = 0;
        for (t, &q) in tested.iter().zip(&q).filter(|(t, _)| &t.column == column) {
            let drop = t.rest_acc - t.acc;
            if !(q < opts.alpha && drop >= opts.min_effect) {
                continue;
            }
            let segment = SegmentRef {
                column: t.column.clone(),
                value: t.value.clone(),
            };
            let before = reference
                .iter()
                .find(|r| r.column == t.column && r.value == t.value && r.rows >= opts.min_rows);
            if let Some(r) = before {
                let seg_correct = (t.acc * t.n as f64).round() as u64;
                let ref_acc = r.correct as f64 / r.rows as f64;
                let (z, p) = below(seg_correct, t.n, r.correct, r.rows);
                let fell = ref_acc - t.acc;
                let mut d = detail("two_proportion_z", "difference", t.n);
                d.location.segment = Some(segment.clone());
                d.n_reference = Some(r.rows);
                d.values = OrderedMap(vec![
                    ("accuracy".into(), t.acc),
                    ("reference_accuracy".into(), ref_acc),
                    ("rest_accuracy".into(), t.rest_acc),
                    ("q_value".into(), q),
                ]);
                if p < opts.alpha && fell >= opts.min_effect {
                    weak += 1;
                    d.statistic = Some(z);
                    d.p_value = Some(p);
                    d.effect_size = Some(fell);
                    out.push(stat(
                        CheckId::SegmentDrop { segment },
                        CheckStatus::Fail,
                        format!(
                            "segment {}={} got worse: accuracy {} against {} in the reference ({} vs {}), {} lower, {}; the rest is at {}",
                            t.column,
                            t.value,
                            fmt(t.acc),
                            fmt(ref_acc),
                            text::count(t.n, "row"),
                            r.rows,
                            fmt(fell),
                            p_is("p", p),
                            fmt(t.rest_acc)
                        ),
                        d,
                    ));
                } else {
                    d.statistic = Some(t.z);
                    d.p_value = Some(t.p);
                    d.effect_size = Some(drop);
                    out.push(stat(
                        CheckId::WeakSegment { segment },
                        CheckStatus::Pass,
                        format!(
                            "segment {}={} is below the rest (accuracy {} vs {}) as it was in the reference ({} there): a known gap, not a change",
                            t.column,
                            t.value,
                            fmt(t.acc),
                            fmt(t.rest_acc),
                            fmt(ref_acc)
                        ),
                        d,
                    ));
                }
                continue;
            }
            weak += 1;
            let mut d = detail("two_proportion_z", "difference", t.n);
            d.statistic = Some(t.z);
            d.p_value = Some(t.p);
            d.effect_size = Some(drop);
            d.n_reference = Some(t.rest_n);
            d.location.segment = Some(SegmentRef {
                column: t.column.clone(),
                value: t.value.clone(),
            });
            d.values = OrderedMap(vec![
                ("accuracy".into(), t.acc),
                ("rest_accuracy".into(), t.rest_acc),
                ("q_value".into(), q),
            ]);
            out.push(stat(
                CheckId::WeakSegment { segment },
                CheckStatus::Warn,
                format!(
                    "segment {}={} is weak: accuracy {} vs {} for the rest ({} vs {}), {} lower, {} (BH {}); no reference to tell whether the gap is new",
                    t.column,
                    t.value,
                    fmt(t.acc),
                    fmt(t.rest_acc),
                    count(t.n, "row"),
                    t.rest_n,
                    fmt(drop),
                    p_is("p", t.p),
                    p_is("q", q)
                ),
                d,
            ));
        }
        if weak == 0 {
            let count = tested.iter().filter(|t| &t.column == column).count();
            let mut d = detail("two_proportion_z", "difference", rows);
            d.values = OrderedMap(vec![("segments_tested".into(), count as f64)]);
            out.push(stat(
                CheckId::SegmentsOf {
                    column: column.clone(),
                },
                CheckStatus::Pass,
                format!(
                    "no segment of {column} has accuracy significantly below the rest by {} or more ({count} tested)",
                    fmt(opts.min_effect)
                ),
                d,
            ));
        }
    }
    out
}

/// Smallest overall accuracy drop against the reference that a mix shift is tested for.
const MIX_MIN_DROP: f64 = 0.02;

/// Per segment column with reference segments: whether the overall accuracy fell against the
/// reference because the mix of segments moved while each segment kept its own accuracy. The
/// current segments' accuracies weighted by the reference's shares (direct standardisation)
/// give what the reference mix would score now; when that undoes at least half the drop, the
/// segment shares moved (chi-square, Cohen's w ≥ 0.1), and no segment fell against its own
/// reference accuracy, the drop is the population's.
/// Columns in `skip` (model versions and environments, whose mix moves with every rollout) are
/// not tested.
pub fn segment_mix(
    segments: &OrderedMap<OrderedMap<SegmentReport>>,
    current: &Profile,
    reference: &Profile,
    skip: &[String],
    opts: &StatOptions,
) -> Vec<Check> {
    let now = SegmentCounts::of_report(segments);
    let mut out = Vec::new();
    for (column, _) in segments.iter().filter(|(c, _)| !skip.contains(c)) {
        let pairs: Vec<(&SegmentCounts, &SegmentCounts)> = now
            .iter()
            .filter(|c| &c.column == column && c.rows > 0)
            .filter_map(|c| {
                let r = reference
                    .segments
                    .iter()
                    .find(|r| r.column == c.column && r.value == c.value && r.rows > 0)?;
                Some((c, r))
            })
            .collect();
        let mut d = detail("standardised_accuracy", "share", current.rows);
        if pairs.len() < 2 || current.rows < opts.min_rows || reference.rows < opts.min_rows {
            continue;
        }
        let ref_total: u64 = pairs.iter().map(|(_, r)| r.rows).sum();
        let standardised: f64 = pairs
            .iter()
            .map(|(c, r)| (r.rows as f64 / ref_total as f64) * (c.correct as f64 / c.rows as f64))
            .sum();
        let acc = current.correct as f64 / current.rows as f64;
        let ref_acc = reference.correct as f64 / reference.rows as f64;
        let drop = ref_acc - acc;
        let (_, p) = below(
            current.correct,
            current.rows,
            reference.correct,
            reference.rows,
        );
        let cur_mix: Vec<u64> = pairs.iter().map(|(c, _)| c.rows).collect();
        let ref_mix: Vec<u64> = pairs.iter().map(|(_, r)| r.rows).collect();
        let (chi2, df) = chi_square_homogeneity(&cur_mix, &ref_mix);
        let total: u64 = cur_mix.iter().sum::<u64>() + ref_total;
        let w = (chi2 / total as f64).sqrt();
        let mix_p = chi_square_sf(chi2, df);
        // Every segment as good as in its reference, within noise.
        let stable = pairs.iter().all(|(c, r)| {
            if c.rows < opts.min_rows || r.rows < opts.min_rows {
                return true;
            }
            let (_, p) = below(c.correct, c.rows, r.correct, r.rows);
            let fell = r.correct as f64 / r.rows as f64 - c.correct as f64 / c.rows as f64;
            !(p < opts.alpha && fell >= opts.min_effect)
        });
        let explained = standardised - acc;
        // The segment whose share grew most: where the new traffic comes from.
        let grown = pairs.iter().max_by(|(c1, r1), (c2, r2)| {
            let growth = |c: &SegmentCounts, r: &SegmentCounts| {
                c.rows as f64 / current.rows.max(1) as f64 - r.rows as f64 / ref_total as f64
            };
            growth(c1, r1).total_cmp(&growth(c2, r2))
        });
        if let Some((c, _)) = grown {
            d.location.segment = Some(SegmentRef {
                column: c.column.clone(),
                value: c.value.clone(),
            });
        }
        d.statistic = Some(standardised);
        d.p_value = Some(p);
        d.effect_size = Some(if drop > 0.0 { explained / drop } else { 0.0 });
        d.n_reference = Some(reference.rows);
        d.values = OrderedMap(vec![
            ("accuracy".into(), acc),
            ("reference_accuracy".into(), ref_acc),
            ("reference_mix_accuracy".into(), standardised),
            ("cohens_w".into(), w),
            ("mix_p_value".into(), mix_p),
        ]);
        let shifted = p < opts.alpha
            && drop >= MIX_MIN_DROP
            && explained >= 0.5 * drop
            && mix_p < opts.alpha
            && w >= 0.1
            && stable;
        out.push(stat(
            CheckId::SegmentMix {
                column: column.clone(),
            },
            if shifted {
                CheckStatus::Warn
            } else {
                CheckStatus::Pass
            },
            if shifted {
                format!(
                    "accuracy fell from {} to {} because the mix of {column} moved{} (Cohen's w = {}): at the reference's mix the current segments would score {}, and each segment is as accurate as in the reference",
                    fmt(ref_acc),
                    fmt(acc),
                    d.location
                        .segment
                        .as_ref()
                        .map_or(String::new(), |s| format!(", most toward {}={}", s.column, s.value)),
                    fmt(w),
                    fmt(standardised)
                )
            } else {
                format!(
                    "the mix of {column} does not explain a change in accuracy (accuracy {} here, {} in the reference, {} at the reference's mix)",
                    fmt(acc),
                    fmt(ref_acc),
                    fmt(standardised)
                )
            },
            d,
        ));
    }
    out
}

/// Counts aligned on the union of two label lists.
fn aligned(
    a: &Profile,
    b: &Profile,
    pick: fn(&Profile) -> &Vec<u64>,
) -> (Vec<String>, Vec<u64>, Vec<u64>) {
    let mut names: Vec<String> = a.labels.clone();
    for l in &b.labels {
        if !names.contains(l) {
            names.push(l.clone());
        }
    }
    let get = |p: &Profile, name: &str| {
        p.labels
            .iter()
            .position(|l| l == name)
            .map_or(0, |i| pick(p)[i])
    };
    let x = names.iter().map(|n| get(a, n)).collect();
    let y = names.iter().map(|n| get(b, n)).collect();
    (names, x, y)
}

/// Drift and regression of the current data against a reference (the per-class probability
/// drift is [`super::proba_drift`]'s).
pub fn against_reference(cur: &Profile, reference: &Profile, opts: &StatOptions) -> Vec<Check> {
    let mut out = Vec::new();
    let small = cur.rows < opts.min_rows || reference.rows < opts.min_rows;
    // Rows whose labels have not arrived (a log without any): their scores and predictions
    // are compared, their labels cannot be.
    let unlabelled = cur.rows > 0 && cur.label_counts.iter().all(|&c| c == 0);
    let too_few = || {
        format!(
            "{} here and {} in the reference; at least {} a side are needed",
            count(cur.rows, "row"),
            reference.rows,
            opts.min_rows
        )
    };

    // Score drift.
    // The current scores are read in place (binary: both classes' merged as they are read,
    // not copied into one list; see Profile::distribution_pairs).
    let current = || {
        let total = cur.distribution_total()?;
        Some(Pairs {
            pairs: cur.distribution_pairs()?,
            total,
        })
    };
    if let (Some(a), Some(b)) = (current(), reference.distribution()) {
        let mut d = detail("ks", "psi", a.total);
        d.n_reference = Some(b.total());
        if small {
            out.push(stat(
                CheckId::ScoreDrift,
                CheckStatus::Skip,
                format!("score drift not tested: {}", too_few()),
                d,
            ));
        } else if let Some((ks, pv)) = ks_two_sample_of(a, pairs_of(b)) {
            let edges = quantile_edges(b, 10);
            let again = || current().expect("read above");
            let (sa, sb) = (bin_shares_of(again(), &edges), bin_shares(b, &edges));
            let psi_v = psi(&sb, &sa);
            let js = js_distance(&sa, &sb);
            let (_, std) = mean_std(b);
            let w = wasserstein_of(again(), pairs_of(b));
            let w_norm = if std > 0.0 { w / std } else { 0.0 };
            d.statistic = Some(ks);
            d.p_value = Some(pv);
            d.effect_size = Some(psi_v);
            d.values = OrderedMap(vec![
                ("ks".into(), ks),
                ("psi".into(), psi_v),
                ("js_distance".into(), js),
                ("wasserstein".into(), w),
                ("wasserstein_normed".into(), w_norm),
            ]);
            let status = graded(pv, psi_v, opts.alpha, opts.psi_warn, opts.psi_fail);
            out.push(stat(
                CheckId::ScoreDrift,
                status,
                format!(
                    "scores against the reference: KS D = {}, {}, PSI = {}, JS distance = {}, normalised Wasserstein = {}{}",
                    fmt(ks),
                    p_is("p", pv),
                    fmt(psi_v),
                    fmt(js),
                    fmt(w_norm),
                    if status == CheckStatus::Pass { "" } else { ": the score distribution has shifted" }
                ),
                d,
            ));
        }
    }

    // Predicted-class and label (prior) drift.
    for (id, what, pick) in [
        (
            CheckId::PredictionDrift,
            "predicted classes",
            (|p: &Profile| &p.pred_counts) as fn(&Profile) -> &Vec<u64>,
        ),
        (
            CheckId::LabelDrift,
            "labels (class priors)",
            |p: &Profile| &p.label_counts,
        ),
    ] {
        let (names, x, y) = aligned(cur, reference, pick);
        let mut d = detail("chi_square", "psi", cur.rows);
        d.n_reference = Some(reference.rows);
        if id == CheckId::LabelDrift && unlabelled {
            out.push(stat(id, CheckStatus::Skip, "needs labelled rows".into(), d));
            continue;
        }
        if small {
            out.push(stat(
                id.clone(),
                CheckStatus::Skip,
                format!("{what} drift not tested: {}", too_few()),
                d,
            ));
            continue;
        }
        let (chi2, df) = chi_square_homogeneity(&x, &y);
        let pv = chi_square_sf(chi2, df);
        let psi_v = psi(&shares(&y), &shares(&x));
        d.statistic = Some(chi2);
        d.p_value = Some(pv);
        d.effect_size = Some(psi_v);
        let (sx, sy) = (shares(&x), shares(&y));
        // The class that contributes most to the PSI: with two classes both shares move by the
        // same amount, and the PSI term tells the one whose relative change is larger.
        let term = |(now, before): (&f64, &f64)| {
            let (a, e) = (now.max(1e-4), before.max(1e-4));
            (a - e) * (a / e).ln()
        };
        let moved = names
            .iter()
            .zip(sx.iter().zip(&sy))
            .max_by(|a, b| term(a.1).total_cmp(&term(b.1)));
        if let Some((name, (now, before))) = moved {
            d.location.class = Some(name.clone());
            d.values = OrderedMap(vec![
                ("share".into(), *now),
                ("reference_share".into(), *before),
            ]);
        }
        let status = graded(pv, psi_v, opts.alpha, opts.psi_warn, opts.psi_fail);
        out.push(stat(
            id,
            status,
            format!(
                "{what} against the reference: chi-square {:.1} (df {df}), {}, PSI = {}{}",
                chi2,
                p_is("p", pv),
                fmt(psi_v),
                match moved {
                    Some((name, (now, before))) if status != CheckStatus::Pass => format!(
                        "; class '{name}' moved most, {:.1}% → {:.1}%",
                        100.0 * before,
                        100.0 * now
                    ),
                    _ => String::new(),
                }
            ),
            d,
        ));
    }

    // Accuracy regression.
    let mut d = detail("two_proportion_z", "difference", cur.rows);
    d.n_reference = Some(reference.rows);
    if unlabelled {
        out.push(stat(
            CheckId::AccuracyRegression,
            CheckStatus::Skip,
            "needs labelled rows".into(),
            d,
        ));
    } else if small {
        out.push(stat(
            CheckId::AccuracyRegression,
            CheckStatus::Skip,
            format!("accuracy regression not tested: {}", too_few()),
            d,
        ));
    } else {
        let (n1, n2) = (cur.rows as f64, reference.rows as f64);
        let (p1, p2) = (cur.correct as f64 / n1, reference.correct as f64 / n2);
        let pooled = (cur.correct + reference.correct) as f64 / (n1 + n2);
        let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
        let z = if se > 0.0 { (p1 - p2) / se } else { 0.0 };
        let pv = if z < 0.0 {
            normal_two_sided(z) / 2.0
        } else {
            1.0 - normal_two_sided(z) / 2.0
        };
        let drop = p2 - p1;
        let half = 1.959963984540054 * (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
        d.statistic = Some(z);
        d.p_value = Some(pv);
        d.effect_size = Some(drop);
        d.values = OrderedMap(vec![
            ("accuracy".into(), p1),
            ("reference_accuracy".into(), p2),
            ("difference_low".into(), p1 - p2 - half),
            ("difference_high".into(), p1 - p2 + half),
        ]);
        let status = graded(pv, drop, opts.alpha, opts.min_effect / 2.0, opts.min_effect);
        out.push(stat(
            CheckId::AccuracyRegression,
            status,
            format!(
                "accuracy {} vs {} in the reference: difference {} (95% CI [{}, {}]), one-sided {}",
                fmt(p1),
                fmt(p2),
                fmt(p1 - p2),
                fmt(p1 - p2 - half),
                fmt(p1 - p2 + half),
                p_is("p", pv)
            ),
            d,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outlier_is_far_from_every_class_and_a_hard_row_is_not() {
        // Negatives around 0.1, positives around 0.9, with 30 rows of each scored like the
        // other class (hard rows), 10 negatives at 1e-5 (an abnormal output), and 500 negatives
        // within 1e-6 of 0 (the saturation check's, not a scale for the others).
        let spread = |centre: f64, n: usize| -> Vec<f64> {
            (0..n)
                .map(|i| centre + 0.05 * ((i % 21) as f64 - 10.0) / 10.0)
                .collect()
        };
        let mut neg = spread(0.1, 2000);
        neg.extend(spread(0.9, 30));
        neg.extend(std::iter::repeat_n(1e-5, 10));
        neg.extend(std::iter::repeat_n(1e-7, 500));
        let mut pos = spread(0.9, 2000);
        pos.extend(spread(0.1, 30));
        let (neg, pos) = (Ranked::from_values(neg), Ranked::from_values(pos));
        let all = Ranked::union(&neg, &pos);
        let c = score_outliers(&all, &[&pos, &neg], all.total());
        let CheckDetail::Statistical(d) = &c.detail else {
            panic!("statistical")
        };
        assert_eq!(d.statistic, Some(10.0), "{}", c.message);
    }

    #[test]
    fn p_values_too_small_for_a_double_are_not_printed_as_zero() {
        assert_eq!(p_is("p", 0.0), "p < 1e-300");
        assert_eq!(p_is("q", 1e-320), "q < 1e-300");
        assert_eq!(p_is("p", 3.2e-5), "p = 3.2e-5");
        assert_eq!(p_is("p", 0.0123), "p = 0.0123");
    }
    use crate::label::LabelKey;
    use crate::metrics::ranked::Score;
    use crate::metrics::row::{Prediction, Row};
    use crate::metrics::{EvalState, FinishOptions};

    fn evaluation() -> Evaluation {
        let mut state = EvalState::default();
        for i in 0..400u32 {
            let label = if i % 3 == 0 { "1" } else { "0" };
            let grid = (i * 2_477) % 1_000_001;
            let row = Row {
                label,
                prediction: Prediction::Positive(grid >= 500_000),
                score: Some(Score {
                    value: f64::from(grid) / 1e6,
                    grid: Some(grid),
                }),
                proba: &[],
            };
            state.push(&row).unwrap();
        }
        state.finish(&FinishOptions::default()).unwrap()
    }

    /// A 3-class evaluation of probability columns.
    fn multiclass_evaluation() -> Evaluation {
        let classes: Vec<LabelKey> = ["a", "b", "c"]
            .iter()
            .map(|c| LabelKey::parse(c).unwrap())
            .collect();
        let mut state = EvalState::new(&classes);
        for i in 0..300u32 {
            let label = ["a", "b", "c"][(i % 3) as usize];
            let x = f64::from((i * 37) % 101) / 200.0;
            let proba = [x, 0.75 - x, 0.25];
            let best = (0..3)
                .max_by(|&a, &b| proba[a].total_cmp(&proba[b]))
                .unwrap();
            let row = Row {
                label,
                prediction: Prediction::ProbaArgmax(best),
                score: None,
                proba: &proba,
            };
            state.push(&row).unwrap();
        }
        state.finish(&FinishOptions::default()).unwrap()
    }

    #[test]
    fn a_taken_multiclass_profile_equals_a_copied_one() {
        let copied = Profile::of(&multiclass_evaluation());
        let taken = Profile::take_from(&mut multiclass_evaluation());
        assert_eq!(copied.proba.len(), 3);
        assert!(copied.proba.iter().all(|(_, r)| r.total() == 300));
        assert_eq!(taken.proba, copied.proba);
        assert_eq!(taken.distribution(), copied.distribution());
    }

    #[test]
    fn a_taken_profile_equals_a_copied_one() {
        let e = evaluation();
        let copied = Profile::of(&e);
        let mut moved = evaluation();
        let taken = Profile::take_from(&mut moved);
        assert_eq!(taken.distribution(), copied.distribution());
        assert_eq!(taken.by_class, copied.by_class);
        assert!(copied.distribution().is_some_and(|d| !d.is_empty()));
        assert_eq!(taken.label_counts, copied.label_counts);
        let opts = StatOptions::default();
        let a = serde_json::to_value(sanity(&e, &opts)).unwrap();
        let b = serde_json::to_value(sanity_of(&moved, &taken, &opts)).unwrap();
        assert_eq!(a, b);
    }
}
