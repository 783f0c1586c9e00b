//! Statistical tests and distances used by the anomaly checks.
//!
//! Sources: the two-sample Kolmogorov–Smirnov p-value uses the asymptotic Kolmogorov
//! distribution with Stephens' small-sample correction (Numerical Recipes, 3rd ed., §14.3.3);
//! Benjamini & Hochberg (1995) control the false discovery rate across many segments; the
//! population stability index is Σ (a − e) ln(a / e) over bins (Siddiqi 2006), with empty bins
//! floored at 1e-4 as is customary; the Jensen–Shannon distance is the square root of the
//! base-2 divergence (Lin 1991), in [0, 1].

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use crate::metrics::ranked::{CountsView, Ranked};

/// Two-sided p-value of a standard normal statistic.
pub fn normal_two_sided(z: f64) -> f64 {
    let n = Normal::new(0.0, 1.0).expect("standard normal");
    2.0 * n.sf(z.abs())
}

/// Upper-tail p-value of a chi-square statistic with `df` degrees of freedom.
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    if df <= 0.0 {
        return 1.0;
    }
    ChiSquared::new(df).map_or(1.0, |d| d.sf(x))
}

/// Kolmogorov's Q_KS(λ) = 2 Σ (−1)^(k−1) exp(−2 k² λ²).
fn q_ks(lambda: f64) -> f64 {
    if lambda < 1e-3 {
        return 1.0;
    }
    let mut sum = 0.0;
    let mut sign = 1.0;
    for k in 1..=100 {
        let term = sign * (-2.0 * (k as f64).powi(2) * lambda * lambda).exp();
        sum += term;
        if term.abs() < 1e-12 {
            break;
        }
        sign = -sign;
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// A ranked sample read as (value, count) pairs in ascending order of distinct values, with
/// its total count: a [`Ranked`] or a merge of several read in place.
pub struct Pairs<I> {
    /// The pairs.
    pub pairs: I,
    /// Their counts' sum.
    pub total: u64,
}

/// The pairs of `sample`.
pub fn pairs_of(sample: &Ranked) -> Pairs<impl Iterator<Item = (f64, u64)> + '_> {
    Pairs {
        pairs: sample.iter(),
        total: sample.total(),
    }
}

/// The distinct values of two samples in ascending order, with the counts of each at that value
/// (0 where it lacks it).
fn merged<A, B>(a: A, b: B) -> impl Iterator<Item = (f64, u64, u64)>
where
    A: Iterator<Item = (f64, u64)>,
    B: Iterator<Item = (f64, u64)>,
{
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || {
        let v = match (a.peek(), b.peek()) {
            (Some(&(x, _)), Some(&(y, _))) => x.min(y),
            (Some(&(x, _)), None) => x,
            (None, Some(&(y, _))) => y,
            (None, None) => return None,
        };
        let ca = a.next_if(|&(x, _)| x == v).map_or(0, |(_, c)| c);
        let cb = b.next_if(|&(y, _)| y == v).map_or(0, |(_, c)| c);
        Some((v, ca, cb))
    })
}

/// The two-sample Kolmogorov–Smirnov statistic of two ranked samples and its p-value.
pub fn ks_two_sample(a: &Ranked, b: &Ranked) -> Option<(f64, f64)> {
    ks_two_sample_of(pairs_of(a), pairs_of(b))
}

/// [`ks_two_sample`] of two samples read as pairs.
pub fn ks_two_sample_of(
    a: Pairs<impl Iterator<Item = (f64, u64)>>,
    b: Pairs<impl Iterator<Item = (f64, u64)>>,
) -> Option<(f64, f64)> {
    let (na, nb) = (a.total, b.total);
    if na == 0 || nb == 0 {
        return None;
    }
    let (mut ca, mut cb) = (0u64, 0u64);
    let mut d: f64 = 0.0;
    for (_, x, y) in merged(a.pairs, b.pairs) {
        ca += x;
        cb += y;
        d = d.max((ca as f64 / na as f64 - cb as f64 / nb as f64).abs());
    }
    let en = ((na as f64 * nb as f64) / (na + nb) as f64).sqrt();
    Some((d, q_ks((en + 0.12 + 0.11 / en) * d)))
}

/// [`ks_two_sample`] of two histograms over the same bins (counts per bin, in bin order).
pub fn ks_histograms(a: &[u64], b: &[u64]) -> Option<(f64, f64)> {
    let ranked = |h: &[u64]| Ranked {
        values: (0..h.len())
            .filter(|&i| h[i] > 0)
            .map(|i| i as f64)
            .collect(),
        counts: h.iter().copied().filter(|&c| c > 0).collect(),
    };
    ks_two_sample(&ranked(a), &ranked(b))
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut q = vec![0.0; m];
    let mut running: f64 = 1.0;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

/// Floor for empty bins in PSI and divergences.
const FLOOR: f64 = 1e-4;

/// Population stability index of `actual` against `expected` proportions.
pub fn psi(expected: &[f64], actual: &[f64]) -> f64 {
    expected
        .iter()
        .zip(actual)
        .map(|(&e, &a)| {
            let (e, a) = (e.max(FLOOR), a.max(FLOOR));
            (a - e) * (a / e).ln()
        })
        .sum()
}

/// Jensen–Shannon distance (base 2) between two distributions over the same bins.
pub fn js_distance(p: &[f64], q: &[f64]) -> f64 {
    let kl = |x: &[f64], m: &[f64]| -> f64 {
        x.iter()
            .zip(m)
            .filter(|(&a, _)| a > 0.0)
            .map(|(&a, &b)| a * (a / b).log2())
            .sum()
    };
    let m: Vec<f64> = p.iter().zip(q).map(|(a, b)| (a + b) / 2.0).collect();
    (0.5 * kl(p, &m) + 0.5 * kl(q, &m)).max(0.0).sqrt()
}

/// Shares of a ranked sample in the bins given by ascending inner edges (bin i holds values
/// in (edge[i-1], edge[i]]).
pub fn bin_shares(sample: &Ranked, edges: &[f64]) -> Vec<f64> {
    bin_shares_of(pairs_of(sample), edges)
}

/// [`bin_shares`] of a sample read as pairs.
pub fn bin_shares_of(sample: Pairs<impl Iterator<Item = (f64, u64)>>, edges: &[f64]) -> Vec<f64> {
    let mut counts = vec![0u64; edges.len() + 1];
    for (v, c) in sample.pairs {
        counts[edges.partition_point(|&e| e < v)] += c;
    }
    let n = sample.total.max(1) as f64;
    counts.into_iter().map(|c| c as f64 / n).collect()
}

/// Inner edges of `bins` quantile bins of a ranked sample (duplicates removed).
pub fn quantile_edges(sample: &Ranked, bins: usize) -> Vec<f64> {
    let n = sample.total();
    let mut edges = Vec::new();
    let mut seen = 0u64;
    let mut next = 1;
    for (v, c) in sample.iter() {
        seen += c;
        while next < bins && seen as f64 >= n as f64 * next as f64 / bins as f64 {
            if edges.last() != Some(&v) {
                edges.push(v);
            }
            next += 1;
        }
    }
    let top = sample.values.last().copied().unwrap_or(f64::INFINITY);
    if edges.last().is_some_and(|&e| e >= top) {
        edges.pop();
    }
    edges
}

/// Mean and standard deviation of a ranked sample.
pub fn mean_std(sample: &Ranked) -> (f64, f64) {
    let n = sample.total().max(1) as f64;
    let mean = sample.iter().map(|(v, c)| v * c as f64).sum::<f64>() / n;
    let var = sample
        .iter()
        .map(|(v, c)| (v - mean).powi(2) * c as f64)
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

/// The 1-Wasserstein distance between two ranked samples (area between their CDFs).
pub fn wasserstein(a: &Ranked, b: &Ranked) -> f64 {
    wasserstein_of(pairs_of(a), pairs_of(b))
}

/// [`wasserstein`] of two samples read as pairs: one pass over their distinct values merged,
/// adding the gap to each next value times the distance between the CDFs up to this one.
pub fn wasserstein_of(
    a: Pairs<impl Iterator<Item = (f64, u64)>>,
    b: Pairs<impl Iterator<Item = (f64, u64)>>,
) -> f64 {
    let (na, nb) = (a.total.max(1) as f64, b.total.max(1) as f64);
    let (mut ca, mut cb) = (0u64, 0u64);
    let mut area = 0.0;
    let mut points = merged(a.pairs, b.pairs).peekable();
    while let Some((v, x, y)) = points.next() {
        ca += x;
        cb += y;
        if let Some(&(next, _, _)) = points.peek() {
            area += (ca as f64 / na - cb as f64 / nb).abs() * (next - v);
        }
    }
    area
}

/// Median and median absolute deviation of a ranked sample.
pub fn median_mad(sample: &Ranked) -> Option<(f64, f64)> {
    median_mad_of(&sample.values, sample.counts.view())
}

/// [`median_mad`] of `values` in ascending order (ties allowed), `counts[i]` rows each, read
/// in place.
pub fn median_mad_of(values: &[f64], counts: CountsView<'_>) -> Option<(f64, f64)> {
    median_mad_by(values.len(), |i| values[i], counts)
}

/// [`median_mad_of`] of `len` values given by `value(i)`, ascending in `i` (a monotone map of
/// a ranked sample, computed as it is read instead of copied).
pub fn median_mad_by(
    len: usize,
    value: impl Fn(usize) -> f64,
    counts: CountsView<'_>,
) -> Option<(f64, f64)> {
    let n: u64 = counts.sum();
    let median = median_of_ascending(n, (0..len).map(|i| (value(i), counts.get(i))))?;
    // The deviations in ascending order without sorting them: those of the values below the
    // median grow walking down from it, those of the others grow walking up; merge the two.
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if value(mid) < median {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let (mut down, mut up) = (lo, lo);
    let dev = |i: usize| (value(i) - median).abs();
    let mut below = (down > 0).then(|| dev(down - 1));
    let mut above = (up < len).then(|| dev(up));
    let ascending = std::iter::from_fn(|| {
        let take_down = match (below, above) {
            (None, None) => return None,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(b), Some(a)) => b <= a,
        };
        if take_down {
            down -= 1;
            let d = below?;
            below = (down > 0).then(|| dev(down - 1));
            Some((d, counts.get(down)))
        } else {
            let d = above?;
            up += 1;
            above = (up < len).then(|| dev(up));
            Some((d, counts.get(up - 1)))
        }
    });
    Some((median, median_of_ascending(n, ascending)?))
}

/// `v` rounded to `digits` significant digits (for messages: `101.5` to 2 digits is `100`).
pub fn significant(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// The median of sorted (value, count) pairs (the mean of the two middle values for even n).
#[cfg(test)]
fn weighted_median(pairs: &[(f64, u64)]) -> Option<f64> {
    let n: u64 = pairs.iter().map(|(_, c)| c).sum();
    median_of_ascending(n, pairs.iter().copied())
}

/// The median of `n` values given as ascending (value, count) pairs.
fn median_of_ascending(n: u64, pairs: impl Iterator<Item = (f64, u64)>) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let (lo_rank, hi_rank) = ((n - 1) / 2, n / 2);
    let (mut lo, mut hi) = (None, None);
    let mut seen = 0u64;
    for (v, c) in pairs {
        if lo.is_none() && seen + c > lo_rank {
            lo = Some(v);
        }
        if hi.is_none() && seen + c > hi_rank {
            hi = Some(v);
            break;
        }
        seen += c;
    }
    Some((lo? + hi?) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: sort the deviations.
    fn median_mad_by_sorting(sample: &Ranked) -> Option<(f64, f64)> {
        let pairs: Vec<(f64, u64)> = sample.iter().collect();
        let median = weighted_median(&pairs)?;
        let mut dev: Vec<(f64, u64)> = pairs
            .iter()
            .map(|&(v, c)| ((v - median).abs(), c))
            .collect();
        dev.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        Some((median, weighted_median(&dev)?))
    }

    proptest::proptest! {
        #[test]
        fn median_mad_equals_sorting_the_deviations(
            values in proptest::collection::vec(-50i32..50, 1..60),
            scale in proptest::sample::select(vec![1.0, 0.1, 1e-3, 7.25]),
        ) {
            let sample = r(&values.iter().map(|&v| f64::from(v) * scale).collect::<Vec<_>>());
            proptest::prop_assert_eq!(median_mad(&sample), median_mad_by_sorting(&sample));
        }

        #[test]
        fn median_mad_of_repeated_values_equals_the_grouped_sample(
            values in proptest::collection::vec((-20i32..20, 1u64..5), 1..40),
        ) {
            // Ascending values with repeats (as clamped logits give), each with its own count.
            let mut values = values;
            values.sort_unstable();
            let (v, c): (Vec<f64>, Vec<u64>) =
                values.iter().map(|&(v, c)| (f64::from(v), c)).unzip();
            let expanded: Vec<f64> = v
                .iter()
                .zip(&c)
                .flat_map(|(&v, &c)| std::iter::repeat_n(v, c as usize))
                .collect();
            proptest::prop_assert_eq!(
                median_mad_of(&v, CountsView::Each(&c)),
                median_mad_by_sorting(&r(&expanded))
            );
        }
    }

    fn r(v: &[f64]) -> Ranked {
        Ranked::from_values(v.to_vec())
    }

    #[test]
    fn ks_of_identical_samples_is_zero() {
        let a = r(&[0.1, 0.2, 0.3]);
        let (d, p) = ks_two_sample(&a, &a).unwrap();
        assert_eq!(d, 0.0);
        assert_eq!(p, 1.0);
        let b = r(&[0.7, 0.8, 0.9]);
        assert_eq!(ks_two_sample(&a, &b).unwrap().0, 1.0);
    }

    /// The definitions, over a sorted copy of both samples' distinct values.
    fn ks_and_wasserstein_by_points(a: &Ranked, b: &Ranked) -> (f64, f64) {
        let (na, nb) = (a.total() as f64, b.total() as f64);
        let mut points: Vec<f64> = a.values.iter().chain(&b.values).copied().collect();
        points.sort_unstable_by(f64::total_cmp);
        points.dedup();
        let below =
            |r: &Ranked, x: f64| r.iter().filter(|&(v, _)| v <= x).map(|p| p.1).sum::<u64>();
        let gap = |x: f64| (below(a, x) as f64 / na - below(b, x) as f64 / nb).abs();
        let d = points.iter().map(|&x| gap(x)).fold(0.0, f64::max);
        let area = points.windows(2).map(|w| gap(w[0]) * (w[1] - w[0])).sum();
        (d, area)
    }

    #[test]
    fn samples_read_in_place_give_the_definitions_to_the_last_bit() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        };
        for (n, m, grid) in [(50, 70, 0.0), (300, 20, 0.0), (200, 200, 20.0)] {
            let mut draw = |k: usize| -> Vec<f64> {
                (0..k)
                    .map(|_| match grid {
                        0.0 => next(),
                        g => (next() * g).round() / g,
                    })
                    .collect()
            };
            let (pos, neg, b) = (r(&draw(n)), r(&draw(n / 2)), r(&draw(m)));
            let a = Ranked::union(&pos, &neg);
            let (d, area) = ks_and_wasserstein_by_points(&a, &b);
            let merged = || Pairs {
                pairs: Ranked::union_iter(&pos, &neg),
                total: pos.total() + neg.total(),
            };
            assert_eq!(ks_two_sample_of(merged(), pairs_of(&b)).unwrap().0, d);
            assert_eq!(ks_two_sample(&a, &b).unwrap().0, d);
            assert_eq!(wasserstein_of(merged(), pairs_of(&b)), area);
            assert_eq!(wasserstein(&a, &b), area);
            let edges = quantile_edges(&b, 10);
            assert_eq!(bin_shares_of(merged(), &edges), bin_shares(&a, &edges));
        }
    }

    #[test]
    fn bh_adjusts_and_keeps_order() {
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
        assert!((q[0] - 0.04).abs() < 1e-12);
        // p = 0.04 is third of four: 0.04 * 4 / 3; p = 0.03 (second) takes the same by step-up.
        assert!((q[1] - 0.16 / 3.0).abs() < 1e-12);
        assert!((q[2] - 0.16 / 3.0).abs() < 1e-12);
        assert_eq!(q[3], 0.5);
    }

    #[test]
    fn distances() {
        assert_eq!(psi(&[0.5, 0.5], &[0.5, 0.5]), 0.0);
        assert!(psi(&[0.9, 0.1], &[0.5, 0.5]) > 0.25);
        assert_eq!(js_distance(&[1.0, 0.0], &[0.0, 1.0]), 1.0);
        let a = r(&[0.0, 0.0, 1.0, 1.0]);
        let b = r(&[0.5, 0.5, 0.5, 0.5]);
        assert!((wasserstein(&a, &b) - 0.5).abs() < 1e-12);
        let (m, mad) = median_mad(&r(&[1.0, 2.0, 3.0, 4.0, 100.0])).unwrap();
        assert_eq!((m, mad), (3.0, 1.0));
        assert!((normal_two_sided(1.959963984540054) - 0.05).abs() < 1e-9);
        assert!((chi_square_sf(3.841458820694124, 1.0) - 0.05).abs() < 1e-9);
    }
}
