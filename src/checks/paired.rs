//! The paired regression check: the same rows (by id) judged by the reference run and by this
//! one, compared with McNemar's test (McNemar 1947).
//!
//! Only the discordant pairs carry information: b rows were right in the reference and are wrong
//! now, c the reverse. Under no change b and c are equally likely, so the p-value is the exact
//! two-sided binomial tail of min(b, c) in b + c trials at ½ when b + c < 25, else the
//! chi-square (1 df) of (|b − c| − 1)² / (b + c) with Edwards' continuity correction. The effect
//! is the accuracy difference (c − b) / n over the n pairs, with the Wald interval of a paired
//! difference of proportions (Agresti 2013, §10.1): se = √(b + c − (c − b)²/n) / n.

use super::statistical::StatOptions;
use super::{Check, CheckDetail, CheckId, CheckStatus, Location, StatisticalDetail};
use crate::metrics::audit::IdOutcomes;
use crate::ordered_map::OrderedMap;
use crate::stats::chi_square_sf;
use crate::text::count;

/// Below this many discordant pairs the exact binomial p-value is used.
const EXACT_BELOW: u64 = 25;

/// The two-sided McNemar p-value of `b` and `c` discordant pairs, and the statistic (the
/// chi-square, or min(b, c) for the exact test).
pub fn mcnemar(b: u64, c: u64) -> (f64, f64) {
    let n = b + c;
    if n == 0 {
        return (0.0, 1.0);
    }
    if n < EXACT_BELOW {
        let k = b.min(c);
        let mut tail = 0.0;
        let mut choose = 1.0f64; // C(n, i)
        for i in 0..=k {
            if i > 0 {
                choose = choose * (n - i + 1) as f64 / i as f64;
            }
            tail += choose;
        }
        let p = (2.0 * tail / 2f64.powi(n as i32)).min(1.0);
        return (k as f64, p);
    }
    let diff = (b as f64 - c as f64).abs() - 1.0;
    let chi2 = diff.max(0.0).powi(2) / n as f64;
    (chi2, chi_square_sf(chi2, 1.0))
}

/// Pairs the ids of two runs and tests whether this run got worse on them.
pub fn paired_regression(cur: &IdOutcomes, reference: &IdOutcomes, opts: &StatOptions) -> Check {
    // Both sides sampled ids by the same hash: the ids kept by both are those above the higher
    // of the two levels, a uniform sample of the shared ids.
    let level = cur.level.max(reference.level);
    let (mut n, mut b, mut c, mut right_now, mut right_before) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for (h, &now) in &cur.right {
        if h.leading_zeros() < level {
            continue;
        }
        let Some(&before) = reference.right.get(h) else {
            continue;
        };
        n += 1;
        right_now += u64::from(now);
        right_before += u64::from(before);
        match (before, now) {
            (true, false) => b += 1,
            (false, true) => c += 1,
            _ => {}
        }
    }
    let mut d = StatisticalDetail {
        test: "mcnemar",
        statistic: None,
        p_value: None,
        effect_size: None,
        effect: "difference",
        n,
        n_reference: Some(n),
        location: Location::default(),
        values: OrderedMap(vec![
            ("right_before_wrong_now".into(), b as f64),
            ("wrong_before_right_now".into(), c as f64),
        ]),
    };
    let check = |status, message, detail| Check {
        id: CheckId::PairedRegression,
        kind: "statistical",
        status,
        message,
        detail: CheckDetail::Statistical(detail),
    };
    if n < opts.min_rows {
        let message =
            format!(
            "paired regression not tested: {} shared with the reference; at least {} are needed",
            if n == 1 { "1 id is".to_string() } else { format!("{n} ids are") },
            opts.min_rows
        );
        return check(CheckStatus::Skip, message, d);
    }
    let (statistic, p) = mcnemar(b, c);
    let nf = n as f64;
    let diff = (c as f64 - b as f64) / nf;
    let se = ((b + c) as f64 - (c as f64 - b as f64).powi(2) / nf)
        .max(0.0)
        .sqrt()
        / nf;
    let half = 1.959963984540054 * se;
    let drop = -diff;
    d.statistic = Some(statistic);
    d.p_value = Some(p);
    d.effect_size = Some(drop);
    d.values.0.extend([
        ("accuracy".into(), right_now as f64 / nf),
        ("reference_accuracy".into(), right_before as f64 / nf),
        ("difference_low".into(), diff - half),
        ("difference_high".into(), diff + half),
    ]);
    let significant = p < opts.alpha && b > c;
    let status = if significant && drop >= opts.min_effect {
        CheckStatus::Fail
    } else if significant && drop >= opts.min_effect / 2.0 {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    let message = format!(
        "on {} shared with the reference (by id): {b} right before and wrong now, {c} the reverse; accuracy difference {:.4} (95% CI [{:.4}, {:.4}]), McNemar p {}",
        count(n, "row"),
        diff,
        diff - half,
        diff + half,
        if p < 1e-300 {
            "< 1e-300".to_string()
        } else if p < 1e-4 {
            format!("= {p:.2e}")
        } else {
            format!("= {p:.4}")
        }
    );
    check(status, message, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::fingerprint::of_line;

    #[test]
    fn exact_binomial_on_hand_countable_tables() {
        // b = 0, c = 10: 2 · 0.5^10.
        let (_, p) = mcnemar(0, 10);
        assert!((p - 2.0 / 1024.0).abs() < 1e-15);
        // b = 1, c = 5: 2 · (1 + 6) / 64.
        let (_, p) = mcnemar(1, 5);
        assert!((p - 14.0 / 64.0).abs() < 1e-15);
        // Balanced: p = 1.
        assert_eq!(mcnemar(3, 3).1, 1.0);
    }

    #[test]
    fn chi_square_with_continuity_correction() {
        // b = 10, c = 30: (|10 − 30| − 1)² / 40 = 9.025.
        let (chi2, p) = mcnemar(10, 30);
        assert!((chi2 - 9.025).abs() < 1e-12);
        assert!((p - chi_square_sf(9.025, 1.0)).abs() < 1e-15);
        assert!(p < 0.01 && p > 0.001);
    }

    fn outcomes(rows: &[(u64, bool)]) -> IdOutcomes {
        IdOutcomes {
            level: 0,
            right: rows.iter().map(|&(id, r)| (of_line(id), r)).collect(),
        }
    }

    #[test]
    fn a_paired_drop_fails_and_no_change_passes() {
        let before = outcomes(&(0..1000).map(|i| (i, i % 10 != 0)).collect::<Vec<_>>());
        // Every fifth row wrong now, every tenth before: b = 100, c = 0, a drop of 0.1.
        let worse = outcomes(&(0..1000).map(|i| (i, i % 5 != 0)).collect::<Vec<_>>());
        let opts = StatOptions::default();
        let check = paired_regression(&worse, &before, &opts);
        assert_eq!(check.status, CheckStatus::Fail, "{}", check.message);
        let CheckDetail::Statistical(d) = &check.detail else {
            panic!("statistical")
        };
        assert_eq!(d.values.get("right_before_wrong_now"), Some(&100.0));
        assert!((d.effect_size.unwrap() - 0.1).abs() < 1e-12);
        // The reverse is an improvement, and no change passes.
        assert_eq!(
            paired_regression(&before, &worse, &opts).status,
            CheckStatus::Pass
        );
        assert_eq!(
            paired_regression(&before, &before, &opts).status,
            CheckStatus::Pass
        );
        let few = outcomes(&[(1, true)]);
        assert_eq!(
            paired_regression(&few, &few, &opts).status,
            CheckStatus::Skip
        );
    }
}
