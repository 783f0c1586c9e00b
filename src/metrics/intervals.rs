//! Confidence intervals of the headline metrics.
//!
//! Proportions (accuracy, precision, recall, specificity, per-class precision and recall) get the
//! Wilson score interval (Wilson 1927; recommended by Brown, Cai & DasGupta 2001 over the Wald
//! interval, which fails at small n and near 0 or 1). Metrics that are not proportions (F1,
//! macro averages, MCC, ROC AUC, average precision) get a percentile bootstrap that resamples the
//! compact state rather than the rows: with the Poisson bootstrap (Hanley & MacGibbon 2006;
//! Chamandy et al. 2012) each row's weight is Poisson(1), so a cell or bin holding c rows
//! resamples to Poisson(c) — exact in distribution for confusion counts, and for scores grouped
//! into at most [`SCORE_BINS`] runs of adjacent values (the ranking replicates are then shifted by
//! the gap between the exact and the grouped estimate). Counts up to 1,000 are drawn by inverting
//! the Poisson distribution function (tabulated once per count), larger ones from its normal
//! approximation. The cost is independent of the row count, and a fixed
//! seed makes the intervals reproducible.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use statrs::function::gamma::ln_gamma;

use super::classification::{classification_metrics, Headline};
use super::ranked::Ranked;
use super::ranking::{Step, Sweep};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;
/// Adjacent score values are grouped into at most this many runs for the bootstrap.
pub const SCORE_BINS: usize = 512;

/// Bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bootstrap {
    /// Replicates (0 turns the bootstrap off).
    pub replicates: usize,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap {
            replicates: 1000,
            seed: 0x6d6c_6775_6172_6401,
        }
    }
}

/// The 95% Wilson score interval of `successes` out of `n`; `None` when n = 0.
pub fn wilson(successes: u64, n: u64) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    let (k, n) = (successes as f64, n as f64);
    let z2 = Z95 * Z95;
    let p = k / n;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some([(centre - half).max(0.0), (centre + half).min(1.0)])
}

/// Means above this are drawn from the normal approximation N(c, c), whose error is far below
/// the bootstrap's own (the skewness of Poisson(c) is 1/√c).
const NORMAL_ABOVE: u64 = 1000;

/// Poisson(c) set up once for a count that is resampled in every replicate.
enum PoissonOf {
    Zero,
    Normal {
        mean: f64,
        sd: f64,
    },
    /// The cumulative distribution over `first..first + cdf.len()`, drawn by inversion: one
    /// uniform number and a short search per draw, where a rejection sampler would spend
    /// logarithms, a tangent and an exponential. `guide[j]` is where the search for a number
    /// in [j / n, (j + 1) / n) starts (Chen & Asau 1974), so it takes about two comparisons.
    Table {
        first: u64,
        cdf: Vec<f64>,
        guide: Vec<u32>,
    },
}

impl PoissonOf {
    fn new(c: u64) -> PoissonOf {
        if c == 0 {
            return PoissonOf::Zero;
        }
        let mean = c as f64;
        if c > NORMAL_ABOVE {
            return PoissonOf::Normal {
                mean,
                sd: mean.sqrt(),
            };
        }
        // Ten standard deviations (and ten more) either side: the mass left out is below 1e-20.
        let spread = 10.0 * mean.sqrt() + 10.0;
        let first = (mean - spread).floor().max(0.0) as u64;
        let last = (mean + spread).ceil() as u64;
        let mut pmf = vec![0.0; (last - first + 1) as usize];
        // The mode (c itself, for an integer mean) from the log-density; its neighbours by the
        // ratios p(k + 1) / p(k) = c / (k + 1).
        let at = |k: u64| (k - first) as usize;
        pmf[at(c)] = (mean.ln() * mean - mean - ln_gamma(mean + 1.0)).exp();
        for k in c + 1..=last {
            pmf[at(k)] = pmf[at(k - 1)] * mean / k as f64;
        }
        for k in (first..c).rev() {
            pmf[at(k)] = pmf[at(k + 1)] * (k + 1) as f64 / mean;
        }
        let mut cdf = pmf;
        let mut total = 0.0;
        for p in &mut cdf {
            total += *p;
            *p = total;
        }
        for p in &mut cdf {
            *p /= total;
        }
        let n = cdf.len();
        let mut guide = Vec::with_capacity(n);
        let mut k = 0usize;
        for j in 0..n {
            let from = j as f64 / n as f64;
            while k + 1 < n && cdf[k] <= from {
                k += 1;
            }
            guide.push(k as u32);
        }
        PoissonOf::Table { first, cdf, guide }
    }

    /// One draw (0 for c = 0).
    #[inline]
    fn draw(&self, rng: &mut StdRng) -> u64 {
        match self {
            PoissonOf::Zero => 0,
            PoissonOf::Normal { mean, sd } => {
                let z: f64 = StandardNormal.sample(rng);
                // Rounded half up by truncation (x ≥ 0): `round` is a library call.
                ((mean + z * sd).max(0.0) + 0.5) as u64
            }
            PoissonOf::Table { first, cdf, guide } => {
                let u: f64 = rng.gen();
                // The first k with cdf[k] > u; the guide never starts past it.
                let j = ((u * cdf.len() as f64) as usize).min(cdf.len() - 1);
                let mut k = guide[j] as usize;
                while k + 1 < cdf.len() && cdf[k] <= u {
                    k += 1;
                }
                first + k as u64
            }
        }
    }
}

/// The 2.5th and 97.5th percentiles (linear interpolation, as numpy's default).
pub(crate) fn percentile_interval(mut values: Vec<f64>) -> Option<[f64; 2]> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (values.len() - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = pos.ceil() as usize;
        values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
    };
    Some([at(0.025), at(0.975)])
}

/// Bootstrap intervals of the confusion-based metrics that are not proportions, keyed by their
/// metric path: `f1`, `fbeta`, `balanced_accuracy`, `mcc`, `macro.precision`, `macro.recall`,
/// `macro.f1`, `weighted.f1`.
pub fn confusion_bootstrap(
    labels: &[String],
    matrix: &[Vec<u64>],
    headline: Headline,
    beta: f64,
    boot: Bootstrap,
) -> Vec<(String, [f64; 2])> {
    const NAMES: [&str; 10] = [
        "precision",
        "recall",
        "f1",
        "fbeta",
        "balanced_accuracy",
        "mcc",
        "macro.precision",
        "macro.recall",
        "macro.f1",
        "weighted.f1",
    ];
    if boot.replicates == 0 {
        return Vec::new();
    }
    let mut rng = StdRng::seed_from_u64(boot.seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(boot.replicates); NAMES.len()];
    let mut ignored = Vec::new();
    let dists: Vec<Vec<PoissonOf>> = matrix
        .iter()
        .map(|row| row.iter().map(|&c| PoissonOf::new(c)).collect())
        .collect();
    for _ in 0..boot.replicates {
        let m: Vec<Vec<u64>> = dists
            .iter()
            .map(|row| row.iter().map(|d| d.draw(&mut rng)).collect())
            .collect();
        if m.iter().flatten().all(|&c| c == 0) {
            continue;
        }
        ignored.clear();
        let r = classification_metrics(labels, m, headline, beta, &mut ignored);
        let values = [
            r.precision,
            r.recall,
            r.f1,
            r.fbeta,
            r.balanced_accuracy,
            r.mcc,
            r.macro_avg.precision,
            r.macro_avg.recall,
            r.macro_avg.f1,
            r.weighted.f1,
        ];
        for (d, v) in draws.iter_mut().zip(values) {
            if let Some(v) = v {
                d.push(v);
            }
        }
    }
    NAMES
        .iter()
        .zip(draws)
        .filter_map(|(name, d)| percentile_interval(d).map(|i| (name.to_string(), i)))
        .collect()
}

/// Every interval of the label-based metrics, keyed by metric path: Wilson intervals for the
/// proportions (accuracy; binary precision, recall and specificity; per-class precision and
/// recall) and bootstrap intervals for the rest.
pub fn label_intervals(
    labels: &[String],
    matrix: &[Vec<u64>],
    headline: Headline,
    beta: f64,
    boot: Bootstrap,
) -> Vec<(String, [f64; 2])> {
    let k = labels.len();
    let tp: Vec<u64> = (0..k).map(|i| matrix[i][i]).collect();
    let true_n: Vec<u64> = matrix.iter().map(|r| r.iter().sum()).collect();
    let pred_n: Vec<u64> = (0..k).map(|j| matrix.iter().map(|r| r[j]).sum()).collect();
    let n: u64 = true_n.iter().sum();
    let mut out: Vec<(String, [f64; 2])> = Vec::new();
    let mut put = |name: String, interval: Option<[f64; 2]>| {
        if let Some(i) = interval {
            out.retain(|(n, _)| *n != name);
            out.push((name, i));
        }
    };
    put("accuracy".into(), wilson(tp.iter().sum(), n));
    for (name, interval) in confusion_bootstrap(labels, matrix, headline, beta, boot) {
        put(name, Some(interval));
    }
    if let Headline::Binary { pos } = headline {
        let get = |v: &[u64]| v.get(pos).copied().unwrap_or(0);
        let (tp, t, p) = (get(&tp), get(&true_n), get(&pred_n));
        put("precision".into(), wilson(tp, p));
        put("recall".into(), wilson(tp, t));
        put("specificity".into(), wilson(n + tp - t - p, n - t));
    }
    for i in 0..k {
        put(
            format!("per_class.{}.precision", labels[i]),
            wilson(tp[i], pred_n[i]),
        );
        put(
            format!("per_class.{}.recall", labels[i]),
            wilson(tp[i], true_n[i]),
        );
    }
    out
}

/// Runs of adjacent scores, highest first: (positives, negatives) per run. More than
/// [`SCORE_BINS`] runs are grouped, in order, into groups of about equal row counts; the
/// grouping happens during the sweep, so a million distinct scores never become a list.
fn score_runs(total: u64, steps: impl Iterator<Item = Step>) -> Vec<(u64, u64)> {
    let per_bin = total.div_ceil(SCORE_BINS as u64);
    let mut runs: Vec<(u64, u64)> = Vec::with_capacity(SCORE_BINS + 1);
    let mut grouped: Option<Vec<(u64, u64)>> = None;
    let mut acc = (0u64, 0u64);
    let mut group = |grouped: &mut Vec<(u64, u64)>, (p, n): (u64, u64)| {
        acc.0 += p;
        acc.1 += n;
        if acc.0 + acc.1 >= per_bin {
            grouped.push(acc);
            acc = (0, 0);
        }
    };
    let (mut tp, mut fp) = (0u64, 0u64);
    for s in steps {
        let run = (s.tp - tp, s.fp - fp);
        (tp, fp) = (s.tp, s.fp);
        match &mut grouped {
            Some(g) => group(g, run),
            None if runs.len() < SCORE_BINS => runs.push(run),
            None => {
                let mut g = Vec::with_capacity(SCORE_BINS + 1);
                for &r in runs.iter().chain([&run]) {
                    group(&mut g, r);
                }
                grouped = Some(g);
            }
        }
    }
    match grouped {
        None => runs,
        Some(mut g) => {
            if acc.0 + acc.1 > 0 {
                g.push(acc);
            }
            g
        }
    }
}

/// ROC AUC and average precision of runs ordered from the highest score down.
fn ranking_of_runs(runs: &[(u64, u64)]) -> (Option<f64>, Option<f64>) {
    let p: u64 = runs.iter().map(|r| r.0).sum();
    let n: u64 = runs.iter().map(|r| r.1).sum();
    if p == 0 || n == 0 {
        return (None, None);
    }
    let (mut tp, mut fp) = (0u64, 0u64);
    let (mut u2, mut ap) = (0f64, 0f64);
    for &(dp, dn) in runs {
        tp += dp;
        fp += dn;
        u2 += dp as f64 * (2.0 * (n - fp) as f64 + dn as f64);
        if dp > 0 {
            ap += dp as f64 / p as f64 * (tp as f64 / (tp + fp) as f64);
        }
    }
    (Some(u2 / (2.0 * p as f64 * n as f64)), Some(ap))
}

/// Bootstrap replicates of ROC AUC and average precision over grouped score runs, before they
/// are centred on the exact values: drawn apart from the exact sweep, so both can run at once.
#[derive(Debug, Clone, Default)]
pub struct RankingReplicates {
    /// ROC AUC and average precision of the grouped runs themselves.
    grouped: (Option<f64>, Option<f64>),
    /// ROC AUC of each replicate.
    aucs: Vec<f64>,
    /// Average precision of each replicate.
    aps: Vec<f64>,
}

/// Draws the bootstrap replicates of the ranking metrics (none when switched off or when a class
/// has no scores).
pub fn ranking_replicates(pos: &Ranked, neg: &Ranked, boot: Bootstrap) -> RankingReplicates {
    ranking_replicates_of(pos.total(), neg.total(), Sweep::new(pos, neg), boot)
}

/// [`ranking_replicates`] over the steps of a sweep of `p` positives and `n` negatives.
pub fn ranking_replicates_of(
    p: u64,
    n: u64,
    steps: impl Iterator<Item = Step>,
    boot: Bootstrap,
) -> RankingReplicates {
    if boot.replicates == 0 || p == 0 || n == 0 {
        return RankingReplicates::default();
    }
    let runs = score_runs(p + n, steps);
    let mut rng = StdRng::seed_from_u64(boot.seed ^ 0x5eed_5c0e);
    let mut aucs = Vec::with_capacity(boot.replicates);
    let mut aps = Vec::with_capacity(boot.replicates);
    // The distributions are set up once: that costs logarithms and a log-gamma per run.
    let dists: Vec<(PoissonOf, PoissonOf)> = runs
        .iter()
        .map(|&(p, n)| (PoissonOf::new(p), PoissonOf::new(n)))
        .collect();
    let mut sample = vec![(0u64, 0u64); runs.len()];
    for _ in 0..boot.replicates {
        for (s, (p, n)) in sample.iter_mut().zip(&dists) {
            *s = (p.draw(&mut rng), n.draw(&mut rng));
        }
        let (auc, ap) = ranking_of_runs(&sample);
        aucs.extend(auc);
        aps.extend(ap);
    }
    RankingReplicates {
        grouped: ranking_of_runs(&runs),
        aucs,
        aps,
    }
}

impl RankingReplicates {
    /// The intervals, centred where the reported (`exact`) values are: grouping adjacent scores
    /// counts pairs inside a group as ties, so each replicate is shifted by the difference
    /// between the exact and the grouped estimate.
    pub fn intervals(self, exact: (Option<f64>, Option<f64>)) -> Vec<(String, [f64; 2])> {
        let shift = |exact: Option<f64>, grouped: Option<f64>| match (exact, grouped) {
            (Some(e), Some(g)) => e - g,
            _ => 0.0,
        };
        let auc_shift = shift(exact.0, self.grouped.0);
        let ap_shift = shift(exact.1, self.grouped.1);
        let centred = |values: Vec<f64>, by: f64| -> Vec<f64> {
            values
                .into_iter()
                .map(|v| (v + by).clamp(0.0, 1.0))
                .collect()
        };
        [
            ("roc_auc", centred(self.aucs, auc_shift)),
            ("average_precision", centred(self.aps, ap_shift)),
        ]
        .into_iter()
        .filter_map(|(name, d)| percentile_interval(d).map(|i| (name.to_string(), i)))
        .collect()
    }
}

/// Bootstrap intervals of ROC AUC and average precision from ranked scores.
/// `exact` holds the exact ROC AUC and average precision the intervals are centred on.
pub fn ranking_bootstrap(
    pos: &Ranked,
    neg: &Ranked,
    exact: (Option<f64>, Option<f64>),
    boot: Bootstrap,
) -> Vec<(String, [f64; 2])> {
    ranking_replicates(pos, neg, boot).intervals(exact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tables_draw_the_poisson_distribution() {
        let mut rng = StdRng::seed_from_u64(7);
        for c in [1u64, 3, 40, 1000] {
            let d = PoissonOf::new(c);
            let n = 200_000;
            let draws: Vec<u64> = (0..n).map(|_| d.draw(&mut rng)).collect();
            let mean = draws.iter().sum::<u64>() as f64 / n as f64;
            let var = draws
                .iter()
                .map(|&x| (x as f64 - mean).powi(2))
                .sum::<f64>()
                / n as f64;
            let c = c as f64;
            // Standard errors of the mean and of the variance are √(c/n) and about c√(2/n).
            assert!(
                (mean - c).abs() < 5.0 * (c / n as f64).sqrt(),
                "{c}: mean {mean}"
            );
            assert!(
                (var - c).abs() < 5.0 * c * (2.0 / n as f64).sqrt(),
                "{c}: var {var}"
            );
        }
        // The guided search finds what a binary search over the whole table finds.
        for c in [1u64, 7, 250, 1000] {
            let d = PoissonOf::new(c);
            let PoissonOf::Table { first, cdf, .. } = &d else {
                panic!("a table for {c}");
            };
            let (mut a, mut b) = (StdRng::seed_from_u64(c), StdRng::seed_from_u64(c));
            for _ in 0..20_000 {
                let u: f64 = b.gen();
                let k = cdf.partition_point(|&p| p <= u).min(cdf.len() - 1);
                assert_eq!(d.draw(&mut a), first + k as u64);
            }
        }
        // P(X = 0) for Poisson(3) is e⁻³.
        let d = PoissonOf::new(3);
        let zeros = (0..200_000).filter(|_| d.draw(&mut rng) == 0).count() as f64 / 200_000.0;
        assert!((zeros - (-3f64).exp()).abs() < 0.003, "{zeros}");
        assert_eq!(PoissonOf::new(0).draw(&mut rng), 0);
    }

    #[test]
    fn wilson_matches_the_closed_form() {
        // 8 of 10: centre (0.8 + z²/20) / (1 + z²/10)
        let [lo, hi] = wilson(8, 10).unwrap();
        assert!((lo - 0.4901624).abs() < 1e-6, "{lo}");
        assert!((hi - 0.9433178).abs() < 1e-6, "{hi}");
        assert_eq!(wilson(0, 0), None);
        let [lo, hi] = wilson(0, 5).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 0.4 && hi < 0.44);
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_the_value() {
        let labels = vec!["0".to_string(), "1".to_string()];
        let m = vec![vec![400, 100], vec![50, 450]];
        let boot = Bootstrap::default();
        let a = confusion_bootstrap(&labels, &m, Headline::Binary { pos: 1 }, 1.0, boot);
        let b = confusion_bootstrap(&labels, &m, Headline::Binary { pos: 1 }, 1.0, boot);
        assert_eq!(a, b);
        let f1 = a.iter().find(|(n, _)| n == "f1").unwrap().1;
        let value = 900.0 / (900.0 + 150.0);
        assert!(f1[0] < value && value < f1[1], "{f1:?}");
        assert!(f1[1] - f1[0] < 0.06);
    }

    #[test]
    fn run_ranking_equals_exact_ranking() {
        let pos = Ranked::from_values(vec![0.3, 0.6, 0.6, 0.9]);
        let neg = Ranked::from_values(vec![0.1, 0.3, 0.6, 0.7]);
        let runs = score_runs(pos.total() + neg.total(), Sweep::new(&pos, &neg));
        let (auc, ap) = ranking_of_runs(&runs);
        assert!((auc.unwrap() - super::super::ranking::roc_auc(&pos, &neg).unwrap()).abs() < 1e-15);
        let exact = super::super::ranking::average_precision(&pos, &neg).unwrap();
        assert!((ap.unwrap() - exact).abs() < 1e-15);
    }
}
