//! What a feature's summary says: its kind and shape, its data quality, and its drift against
//! the same feature in the reference.
//!
//! Numeric features are compared on their histograms (KS with its p-value, PSI and the
//! Jensen–Shannon distance over the reference's deciles, the Wasserstein distance in the
//! feature's units and over the reference's interquartile range); categorical ones on their
//! categories (chi-square, PSI and Jensen–Shannon over the categories of either side, new and
//! vanished categories). The tests are in [`crate::stats`]; which outcome warns is decided by
//! the feature checks ([`crate::checks::features`]).

use serde::Serialize;

use super::FeatureSummary;
use crate::metrics::ranked::Ranked;
use crate::ordered_map::OrderedMap;
use crate::stats;

/// Share of non-missing cells that must be numbers for a feature to be numeric.
const NUMERIC_SHARE: f64 = 0.99;

/// Categories listed in a report at most.
const TOP: usize = 10;

/// Numeric or categorical.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FeatureKind {
    /// Numbers.
    Numeric,
    /// Labels, codes, text.
    Categorical,
}

/// The kind of a feature: categorical when `categorical` (named by `--categorical-cols`) or
/// when fewer than 99% of its non-missing cells (here and in the reference) are numbers.
pub fn kind_of(
    current: &FeatureSummary,
    reference: Option<&FeatureSummary>,
    categorical: bool,
) -> FeatureKind {
    let numeric = |s: &FeatureSummary| {
        s.present() == 0 || s.numbers.count as f64 >= NUMERIC_SHARE * s.present() as f64
    };
    let evidence = reference.map_or(current, |r| if r.present() > 0 { r } else { current });
    if categorical || !numeric(evidence) || evidence.present() == 0 && current.present() == 0 {
        FeatureKind::Categorical
    } else {
        FeatureKind::Numeric
    }
}

/// A feature's shape: numbers for a numeric one, the commonest values for a categorical one.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shape {
    /// Rows read.
    pub rows: u64,
    /// Missing cells.
    pub missing: u64,
    /// Their share of the rows.
    pub missing_share: f64,
    /// Non-missing cells that are not numbers, for a numeric feature.
    pub not_numbers: u64,
    /// Distinct values (for numbers: up to the histogram's 1% accuracy); a lower bound when
    /// `distinct_capped`.
    pub distinct: u64,
    /// Whether there were more distinct values than are counted one by one.
    pub distinct_capped: bool,
    /// The smallest value, for a numeric feature.
    pub min: Option<f64>,
    /// The mean (of the histogram's values: to within 1% of the values).
    pub mean: Option<f64>,
    /// The largest value.
    pub max: Option<f64>,
    /// The 5th, 25th, 50th, 75th and 95th percentiles (to 1% of the value).
    pub quantiles: Option<[f64; 5]>,
    /// The commonest values and their counts, for a categorical feature.
    pub top: OrderedMap<u64>,
    /// The commonest value (for numbers: exact while fewer than 1,000 distinct values were
    /// seen, else its histogram bucket's value).
    pub top_value: Option<String>,
    /// Its share of the non-missing cells (for numbers: its bucket's share).
    pub top_share: f64,
}

/// The quantile `q` of a ranked sample.
fn quantile(r: &Ranked, q: f64) -> Option<f64> {
    let total = r.total();
    if total == 0 {
        return None;
    }
    let target = (q * total as f64).ceil().max(1.0) as u64;
    let mut seen = 0;
    for (v, c) in r.values.iter().zip(r.counts.iter()) {
        seen += c;
        if seen >= target {
            return Some(*v);
        }
    }
    r.values.last().copied()
}

/// The median of the values of `current` beyond `range` (on the side with more of them) over
/// `median`; `None` when none lies beyond it or the median is 0.
fn outside_scale(current: &Ranked, (lo, hi): (f64, f64), median: f64) -> Option<f64> {
    let side = |keep: &dyn Fn(f64) -> bool| {
        let (values, counts): (Vec<f64>, Vec<u64>) = current
            .values
            .iter()
            .zip(current.counts.iter())
            .filter(|(v, _)| keep(**v))
            .map(|(v, c)| (*v, c))
            .unzip();
        Ranked {
            values,
            counts: counts.into(),
        }
    };
    let (below, above) = (side(&|v| v < lo), side(&|v| v > hi));
    let beyond = if above.total() >= below.total() {
        above
    } else {
        below
    };
    let m = quantile(&beyond, 0.5)?;
    (median != 0.0).then(|| m / median)
}

/// The shape of `s` read as `kind`.
pub fn shape(s: &FeatureSummary, kind: FeatureKind) -> Shape {
    let mut top: Vec<(String, u64)> = s.text.counts.iter().map(|(v, &c)| (v.clone(), c)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(TOP);
    let numeric = kind == FeatureKind::Numeric;
    let ranked = s.numbers.ranked();
    let bucket = ranked
        .values
        .iter()
        .zip(ranked.counts.iter())
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(a.0)));
    let (top_value, top_share) = match (numeric, bucket, top.first()) {
        (true, Some((&v, c)), first) => {
            let exact = first
                .filter(|_| s.text.overflow == 0)
                .map(|(t, _)| t.clone());
            (
                Some(exact.unwrap_or_else(|| format!("{}", stats::significant(v, 4)))),
                c as f64 / s.numbers.count as f64,
            )
        }
        (false, _, Some((t, c))) => (Some(t.clone()), *c as f64 / s.text.total().max(1) as f64),
        _ => (None, 0.0),
    };
    let quantiles = (numeric && s.numbers.count > 0)
        .then(|| [0.05, 0.25, 0.5, 0.75, 0.95].map(|q| quantile(&ranked, q).unwrap_or(f64::NAN)));
    Shape {
        rows: s.rows,
        missing: s.missing,
        missing_share: s.missing as f64 / s.rows.max(1) as f64,
        not_numbers: if numeric {
            s.present() - s.numbers.count
        } else {
            0
        },
        distinct: if numeric && s.numbers.count > 0 {
            s.numbers.distinct() as u64
        } else {
            s.text.counts.len() as u64
        },
        distinct_capped: !numeric && s.text.overflow > 0,
        min: numeric.then_some(s.numbers.min).flatten(),
        // From the buckets, so that it does not depend on the order rows were added in.
        mean: (numeric && s.numbers.count > 0).then(|| stats::mean_std(&ranked).0),
        max: numeric.then_some(s.numbers.max).flatten(),
        quantiles,
        top_value,
        top_share,
        top: OrderedMap(if numeric { Vec::new() } else { top }),
    }
}

/// A feature against the same feature in the reference.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Drift {
    /// `ks` for a numeric feature, `chi_square` for a categorical one.
    pub test: &'static str,
    /// The test statistic (KS D, or the chi-square statistic).
    pub statistic: f64,
    /// Its p-value.
    pub p_value: f64,
    /// Population stability index.
    pub psi: f64,
    /// Jensen–Shannon distance (base 2, in [0, 1]).
    pub js: f64,
    /// Wasserstein-1 distance in the feature's units (numeric).
    pub wasserstein: Option<f64>,
    /// The same over the reference's interquartile range (numeric; scale-free).
    pub wasserstein_iqr: Option<f64>,
    /// Share of the current values beyond the reference's range by more than the histogram's
    /// accuracy (numeric).
    pub out_of_range_share: Option<f64>,
    /// Categories seen now and never in the reference, with their share of the current rows.
    pub new_categories: OrderedMap<f64>,
    /// Categories of at least 1% of the reference's rows that no current row has.
    pub vanished_categories: OrderedMap<f64>,
    /// The reference's missing share.
    pub reference_missing_share: f64,
    /// The share of the reference's commonest value (see [`Shape::top_share`]).
    pub reference_top_share: f64,
    /// Rows in the reference.
    pub reference_rows: u64,
    /// The median of the current values beyond the reference's range (on the side with more
    /// of them) over the reference's median: a unit change shows as its factor (numeric).
    pub outside_scale: Option<f64>,
    /// The shares of the reference and of the current rows in the bins the PSI compares (the
    /// reference's deciles; categories, the commonest 10 and the rest together).
    pub bins: Bins,
    /// The reference's smallest value (numeric).
    pub reference_min: Option<f64>,
    /// The reference's largest value (numeric).
    pub reference_max: Option<f64>,
}

/// Shares of the reference's and the current rows per bin.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Bins {
    /// What each bin holds: `≤ 12.5`, `(12.5, 20]`, `> 90` for numbers; the category for
    /// categories (`(other)` for the rest).
    pub labels: Vec<String>,
    /// The reference's share in each bin.
    pub reference: Vec<f64>,
    /// The current rows' share in each bin.
    pub current: Vec<f64>,
}

impl Bins {
    /// The bins of inner `edges` (numbers).
    fn numeric(edges: &[f64], reference: &[f64], current: &[f64]) -> Bins {
        let show = |v: f64| format!("{}", stats::significant(v, 4));
        let labels = (0..=edges.len())
            .map(|i| match i {
                0 => format!(
                    "≤ {}",
                    show(edges.first().copied().unwrap_or(f64::INFINITY))
                ),
                i if i == edges.len() => format!("> {}", show(edges[i - 1])),
                i => format!("({}, {}]", show(edges[i - 1]), show(edges[i])),
            })
            .collect();
        Bins {
            labels,
            reference: reference.to_vec(),
            current: current.to_vec(),
        }
    }

    /// The categories `names` (their shares `reference` and `current`, one more for the
    /// overflow), the commonest [`TOP`] of either side kept and the rest as `(other)`.
    fn categorical(names: &[&String], reference: &[f64], current: &[f64]) -> Bins {
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| {
            (reference[b] + current[b])
                .total_cmp(&(reference[a] + current[a]))
                .then(a.cmp(&b))
        });
        let mut bins = Bins::default();
        for &i in order.iter().take(TOP) {
            bins.labels.push(names[i].clone());
            bins.reference.push(reference[i]);
            bins.current.push(current[i]);
        }
        let rest = |side: &[f64]| -> f64 {
            order.iter().skip(TOP).map(|&i| side[i]).sum::<f64>() + side[names.len()]
        };
        let (r, c) = (rest(reference), rest(current));
        if r > 0.0 || c > 0.0 {
            bins.labels.push("(other)".to_string());
            bins.reference.push(r);
            bins.current.push(c);
        }
        bins
    }
}

/// The drift of `current` against `reference`, read as `kind`; `None` when either side has no
/// value to compare.
pub fn drift(
    current: &FeatureSummary,
    reference: &FeatureSummary,
    kind: FeatureKind,
) -> Option<Drift> {
    let mut d = Drift {
        test: "ks",
        statistic: 0.0,
        p_value: 1.0,
        psi: 0.0,
        js: 0.0,
        wasserstein: None,
        wasserstein_iqr: None,
        out_of_range_share: None,
        new_categories: OrderedMap(Vec::new()),
        vanished_categories: OrderedMap(Vec::new()),
        reference_missing_share: reference.missing as f64 / reference.rows.max(1) as f64,
        reference_top_share: shape(reference, kind).top_share,
        reference_rows: reference.rows,
        outside_scale: None,
        bins: Bins::default(),
        reference_min: None,
        reference_max: None,
    };
    match kind {
        FeatureKind::Numeric => {
            let (a, b) = (reference.numbers.ranked(), current.numbers.ranked());
            let (ks, p) = stats::ks_two_sample(&b, &a)?;
            let edges = stats::quantile_edges(&a, 10);
            let (ea, eb) = (stats::bin_shares(&a, &edges), stats::bin_shares(&b, &edges));
            d.statistic = ks;
            d.p_value = p;
            d.psi = stats::psi(&ea, &eb);
            d.js = stats::js_distance(&ea, &eb);
            d.bins = Bins::numeric(&edges, &ea, &eb);
            d.wasserstein = Some(stats::wasserstein(&a, &b));
            let iqr = quantile(&a, 0.75)? - quantile(&a, 0.25)?;
            d.wasserstein_iqr = d.wasserstein.filter(|_| iqr > 0.0).map(|w| w / iqr);
            d.reference_min = reference.numbers.min;
            d.reference_max = reference.numbers.max;
            if let (Some(lo), Some(hi)) = (reference.numbers.min, reference.numbers.max) {
                let outside = current.numbers.outside(lo, hi);
                d.out_of_range_share = Some(outside as f64 / current.numbers.count.max(1) as f64);
                d.outside_scale = outside_scale(&b, (lo, hi), quantile(&a, 0.5)?);
            }
        }
        FeatureKind::Categorical => {
            let (na, nb) = (reference.text.total(), current.text.total());
            if na == 0 || nb == 0 {
                return None;
            }
            let mut names: Vec<&String> = reference.text.counts.keys().collect();
            names.extend(
                current
                    .text
                    .counts
                    .keys()
                    .filter(|k| !reference.text.counts.contains_key(*k)),
            );
            let count = |s: &FeatureSummary, k: &String| s.text.counts.get(k).copied().unwrap_or(0);
            let mut ea: Vec<f64> = names
                .iter()
                .map(|k| count(reference, k) as f64 / na as f64)
                .collect();
            let mut eb: Vec<f64> = names
                .iter()
                .map(|k| count(current, k) as f64 / nb as f64)
                .collect();
            ea.push(reference.text.overflow as f64 / na as f64);
            eb.push(current.text.overflow as f64 / nb as f64);
            d.test = "chi_square";
            d.psi = stats::psi(&ea, &eb);
            d.js = stats::js_distance(&ea, &eb);
            d.bins = Bins::categorical(&names, &ea, &eb);
            // Chi-square of homogeneity over the categories either side has.
            let (mut chi, mut cells) = (0.0, 0usize);
            let total = (na + nb) as f64;
            for (pa, pb) in ea.iter().zip(&eb) {
                let (oa, ob) = (pa * na as f64, pb * nb as f64);
                let pooled = (oa + ob) / total;
                if pooled == 0.0 {
                    continue;
                }
                cells += 1;
                let (xa, xb) = (pooled * na as f64, pooled * nb as f64);
                chi += (oa - xa).powi(2) / xa + (ob - xb).powi(2) / xb;
            }
            d.statistic = chi;
            d.p_value = stats::chi_square_sf(chi, cells.saturating_sub(1) as f64);
            d.new_categories = OrderedMap(
                current
                    .text
                    .counts
                    .iter()
                    .filter(|(k, _)| {
                        !reference.text.counts.contains_key(*k) && reference.text.overflow == 0
                    })
                    .map(|(k, &c)| (k.clone(), c as f64 / current.rows.max(1) as f64))
                    .collect(),
            );
            d.vanished_categories = OrderedMap(
                reference
                    .text
                    .counts
                    .iter()
                    .filter(|(k, &c)| {
                        c as f64 >= 0.01 * reference.rows as f64
                            && !current.text.counts.contains_key(*k)
                            && current.text.overflow == 0
                    })
                    .map(|(k, &c)| (k.clone(), c as f64 / reference.rows.max(1) as f64))
                    .collect(),
            );
        }
    }
    Some(d)
}

/// What segment `column`=`value`'s feature `rk` is compared with: the same segment of the
/// reference, or the whole reference when the segment has fewer than `min_rows` rows there (a
/// version rolled out since): a fault in time shows in such a value too, and is then not
/// taken for one confined to another value.
pub fn segment_reference<'a>(
    reference: &'a super::FeatureState,
    (column, value): (&str, &str),
    rk: usize,
    min_rows: u64,
) -> &'a FeatureSummary {
    reference
        .segment(column, value)
        .and_then(|b| b.get(rk))
        .filter(|b| b.rows >= min_rows)
        .unwrap_or(&reference.features[rk].1)
}

/// The one segment value where feature `k` moved, if its drift is confined there: the values
/// of a segment column whose own drift against the same value in the reference (the whole
/// reference for a value it lacks) is significant
/// (at `alpha` over the values tried) with PSI ≥ `psi_effect`, when exactly one value of the
/// column qualifies and every other value of the column moved by less than half that PSI.
pub fn located_segment(
    current: &super::FeatureState,
    reference: &super::FeatureState,
    k: usize,
    kind: FeatureKind,
    (alpha, psi_effect, min_rows): (f64, f64, u64),
) -> Option<(String, String)> {
    // The reference may hold other features, or the same in another order.
    let name = &current.features.get(k)?.0;
    let rk = reference.features.iter().position(|(n, _)| n == name)?;
    let mut columns: Vec<&str> = current.segments.iter().map(|s| s.column.as_str()).collect();
    columns.dedup();
    for column in columns {
        let tried: Vec<(&str, Drift)> = current
            .segments
            .iter()
            .filter(|s| s.column == column)
            .filter_map(|s| {
                let before = segment_reference(reference, (column, &s.value), rk, min_rows);
                let now = s.summaries.get(k)?;
                if now.rows < min_rows || before.rows < min_rows {
                    return None;
                }
                Some((s.value.as_str(), drift(now, before, kind)?))
            })
            .collect();
        let level = alpha / tried.len().max(1) as f64;
        let moved: Vec<&(&str, Drift)> = tried
            .iter()
            .filter(|(_, d)| d.p_value < level && d.psi >= psi_effect)
            .collect();
        if let [(value, d)] = moved.as_slice() {
            let rest_max = tried
                .iter()
                .filter(|(v, _)| v != value)
                .map(|(_, o)| o.psi)
                .fold(0.0, f64::max);
            if rest_max < d.psi / 2.0 {
                return Some((column.to_string(), value.to_string()));
            }
        }
    }
    None
}

/// Everything the report says of one feature.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeatureReport {
    /// Numeric or categorical.
    pub kind: FeatureKind,
    /// Its shape in the current data.
    #[serde(flatten)]
    pub shape: Shape,
    /// Against the reference, when one was given.
    pub drift: Option<Drift>,
    /// The start of the window from which the feature moved, when it moved during the data
    /// (with windows: `--time-col`).
    pub since: Option<String>,
    /// The width of the windows `since` was found in (seconds, or rows).
    #[serde(skip)]
    pub since_width: Option<i64>,
    /// Where that window starts on the window axis (seconds since the epoch, or rows).
    #[serde(skip)]
    pub since_start: Option<i64>,
    /// The share of the shift of the mean score that putting this feature back to its
    /// reference distribution would undo, when the mean score shifted (binary scores).
    pub score_shift_explained: Option<f64>,
    /// The rows at fault, when a check found the feature broken or moved in a way that rows
    /// show (see [`super::rows`]); for the issues export.
    #[serde(skip)]
    pub faulty_rows: Option<super::rows::FaultyRows>,
}

/// The report of `current` (and `reference`) for one feature.
pub fn report(
    current: &FeatureSummary,
    reference: Option<&FeatureSummary>,
    categorical: bool,
) -> FeatureReport {
    let kind = kind_of(current, reference, categorical);
    FeatureReport {
        kind,
        shape: shape(current, kind),
        drift: reference.and_then(|r| drift(current, r, kind)),
        since: None,
        since_width: None,
        since_start: None,
        score_shift_explained: None,
        faulty_rows: None,
    }
}

/// The window from which feature `k` moved: the first of the longest run of consecutive
/// windows that `moved` finds moved against `reference` (windows of fewer than `min_rows` rows
/// are passed over). `None` when no window moved, or when the run starts with the data (the
/// feature differed from the start).
pub fn moved_since(
    windows: &super::FeatureWindows,
    k: usize,
    reference: &FeatureSummary,
    kind: FeatureKind,
    min_rows: u64,
    moved: impl Fn(&FeatureReport) -> bool,
) -> Option<i64> {
    let reference = reference.coarsened();
    let flags: Vec<(i64, bool)> = windows
        .windows
        .iter()
        .filter_map(|(&key, summaries)| {
            let w = summaries.get(k).filter(|w| w.rows >= min_rows)?;
            let r = FeatureReport {
                kind,
                shape: shape(w, kind),
                drift: drift(w, &reference, kind),
                since: None,
                since_width: None,
                since_start: None,
                score_shift_explained: None,
                faulty_rows: None,
            };
            Some((key, moved(&r)))
        })
        .collect();
    let (mut best, mut run): (Option<(usize, usize)>, Option<usize>) = (None, None);
    for (i, &(_, m)) in flags.iter().enumerate() {
        match (m, run) {
            (true, None) => run = Some(i),
            (false, Some(start)) => {
                if best.is_none_or(|(s, e)| i - start > e - s) {
                    best = Some((start, i));
                }
                run = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run {
        if best.is_none_or(|(s, e)| flags.len() - start > e - s) {
            best = Some((start, flags.len()));
        }
    }
    best.filter(|&(start, _)| start > 0)
        .map(|(start, _)| flags[start].0)
}

/// The share of the shift of the mean score from `reference` to `current` that feature's
/// change explains: with `m(v)` the current mean score of the rows with value `v` (the
/// reference's where no current row has it), the mean score the current rows would have with
/// the reference's values, `Σ p_ref(v)·m(v)`, undoes this share of the shift. `None` unless
/// the mean score moved by more than 4 standard errors and 0.01.
pub fn score_shift_explained(
    current: (&super::ValueScores, &super::ScoreMoments),
    reference: (&super::ValueScores, &super::ScoreMoments),
) -> Option<f64> {
    let ((mc, vc), (mr, vr)) = (current.1.mean_var()?, reference.1.mean_var()?);
    let (nc, nr) = (current.1.rows as f64, reference.1.rows as f64);
    let se = (vc / nc + vr / nr).sqrt();
    let shift = mc - mr;
    if shift.abs() < 0.01 || shift.abs() < 4.0 * se {
        return None;
    }
    let now = current.0.cells();
    let before = reference.0.cells();
    let total: u64 = before.values().map(|v| v.0).sum();
    if total == 0 {
        return None;
    }
    let counterfactual: f64 = before
        .iter()
        .map(|(key, &(n, sum))| {
            let mean = match now.get(key) {
                Some(&(m, s)) => s / m as f64,
                None => sum / n as f64,
            };
            n as f64 / total as f64 * mean
        })
        .sum();
    Some((mc - counterfactual) / shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(cells: impl IntoIterator<Item = String>) -> FeatureSummary {
        let mut s = FeatureSummary::default();
        cells.into_iter().for_each(|c| s.push(&c));
        s
    }

    #[test]
    fn a_unit_change_drifts_and_the_same_distribution_does_not() {
        let reference = summary((0..5000).map(|i| format!("{}", 20.0 + (i % 100) as f64)));
        let same = summary((0..4000).map(|i| format!("{}", 20.0 + ((i * 7) % 100) as f64)));
        let scaled = summary((0..4000).map(|i| format!("{}", 2000.0 + 100.0 * (i % 100) as f64)));
        let r = report(&same, Some(&reference), false);
        assert_eq!(r.kind, FeatureKind::Numeric);
        let d = r.drift.unwrap();
        assert!(d.statistic < 0.02 && d.psi < 0.01, "{d:?}");
        let d = report(&scaled, Some(&reference), false).drift.unwrap();
        assert!(d.statistic > 0.9 && d.p_value < 1e-10, "{d:?}");
        assert!(d.out_of_range_share.unwrap() > 0.9);
    }

    #[test]
    fn categories_new_and_vanished() {
        let reference = summary((0..3000).map(|i| ["a", "b", "c"][i % 3].to_string()));
        let current = summary((0..3000).map(|i| ["a", "b", "d"][i % 3].to_string()));
        let r = report(&current, Some(&reference), false);
        assert_eq!(r.kind, FeatureKind::Categorical);
        let d = r.drift.unwrap();
        assert_eq!(d.new_categories.0.len(), 1);
        assert_eq!(d.vanished_categories.0.len(), 1);
        assert!(d.p_value < 1e-10);
    }
}
