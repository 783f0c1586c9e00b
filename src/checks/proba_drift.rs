//! Per-class probability drift (`drift:proba:<class>`): for a multiclass model, whether the
//! probability it gives each class has shifted against the reference run.
//!
//! `drift:score` tests the top-label confidence only, which can stay put while probability mass
//! moves from one class to another. Here each class k's probability p_k over all rows is
//! compared with the reference's: two-sample Kolmogorov–Smirnov for significance and the
//! population stability index over 10 reference-quantile bins for the size of the shift, as
//! for `drift:score`. The p-values of the classes are adjusted together by Benjamini–Hochberg
//! (1995), and a class is graded like `drift:score`: it fails (warns) when its adjusted p-value
//! is below alpha and its PSI reaches `psi_fail` (`psi_warn`). Classes are matched by name, so
//! a reference with other classes still compares; a class present on one side only is skipped
//! with the reason.

use super::statistical::{detail, fmt, graded, p_is, stat, Profile, StatOptions};
use super::{Check, CheckId, CheckStatus};
use crate::ordered_map::OrderedMap;
use crate::stats::{benjamini_hochberg, bin_shares, ks_two_sample, psi, quantile_edges};
use crate::text::count;

/// The per-class probability drift checks (none unless both sides have class probabilities).
pub fn proba_drift(cur: &Profile, reference: &Profile, opts: &StatOptions) -> Vec<Check> {
    if cur.proba.is_empty() || reference.proba.is_empty() {
        return Vec::new();
    }
    let small = cur.rows < opts.min_rows || reference.rows < opts.min_rows;
    struct Tested {
        at: usize,
        class: String,
        n: u64,
        n_ref: u64,
        ks: f64,
        p: f64,
        psi: f64,
    }
    // Checks in the current file's class order: (position, check).
    let mut out: Vec<(usize, Check)> = Vec::new();
    let mut tested = Vec::new();
    for (at, (class, a)) in cur.proba.iter().enumerate() {
        let id = CheckId::ProbaDrift {
            class: class.clone(),
        };
        let mut d = detail("ks", "psi", a.total());
        d.location.class = Some(class.clone());
        let Some((_, b)) = reference.proba.iter().find(|(c, _)| c == class) else {
            out.push((at, stat(
                id,
                CheckStatus::Skip,
                format!("probability of class '{class}' not tested: the reference has no probability column for it"),
                d,
            )));
            continue;
        };
        d.n_reference = Some(b.total());
        if small {
            out.push((at, stat(
                id,
                CheckStatus::Skip,
                format!(
                    "probability of class '{class}' not tested: {} here and {} in the reference; at least {} a side are needed",
                    count(cur.rows, "row"), reference.rows, opts.min_rows
                ),
                d,
            )));
            continue;
        }
        let Some((ks, p)) = ks_two_sample(a, b) else {
            out.push((
                at,
                stat(
                    id,
                    CheckStatus::Skip,
                    format!("probability of class '{class}' not tested: no values on one side"),
                    d,
                ),
            ));
            continue;
        };
        let edges = quantile_edges(b, 10);
        let psi_v = psi(&bin_shares(b, &edges), &bin_shares(a, &edges));
        tested.push(Tested {
            at,
            class: class.clone(),
            n: a.total(),
            n_ref: b.total(),
            ks,
            p,
            psi: psi_v,
        });
    }
    for (class, _) in reference
        .proba
        .iter()
        .filter(|(c, _)| !cur.proba.iter().any(|(x, _)| x == c))
    {
        let mut d = detail("ks", "psi", 0);
        d.location.class = Some(class.clone());
        out.push((usize::MAX, stat(
            CheckId::ProbaDrift {
                class: class.clone(),
            },
            CheckStatus::Skip,
            format!("probability of class '{class}' not tested: only the reference has a probability column for it"),
            d,
        )));
    }
    let q = benjamini_hochberg(&tested.iter().map(|t| t.p).collect::<Vec<_>>());
    for (t, &q) in tested.iter().zip(&q) {
        let mut d = detail("ks", "psi", t.n);
        d.n_reference = Some(t.n_ref);
        d.location.class = Some(t.class.clone());
        d.statistic = Some(t.ks);
        d.p_value = Some(t.p);
        d.effect_size = Some(t.psi);
        d.values = OrderedMap(vec![
            ("ks".into(), t.ks),
            ("psi".into(), t.psi),
            ("q_value".into(), q),
        ]);
        let status = graded(q, t.psi, opts.alpha, opts.psi_warn, opts.psi_fail);
        out.push((t.at, stat(
            CheckId::ProbaDrift {
                class: t.class.clone(),
            },
            status,
            format!(
                "probability of class '{}' against the reference: KS D = {}, {} (BH {}), PSI = {}{}",
                t.class,
                fmt(t.ks),
                p_is("p", t.p),
                p_is("q", q),
                fmt(t.psi),
                if status == CheckStatus::Pass { "" } else { ": its distribution has shifted" }
            ),
            d,
        )));
    }
    // Stable: reference-only classes keep their order at the end.
    out.sort_by_key(|(at, _)| *at);
    out.into_iter().map(|(_, check)| check).collect()
}
