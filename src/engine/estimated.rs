//! Estimating the performance of the rows awaiting labels: the scores are calibrated on the
//! labelled reference ([`Calibrator`]), and the calibrated probabilities of the rows awaiting
//! labels give their expected confusion matrix ([`estimate`]) — overall, per window and per
//! segment. The estimator is also run on the rows whose labels did arrive, as if they had not,
//! so that the report can say how far it is from what the labels say, and when not to trust it.

use crate::metrics::estimate::{estimate, Calibrator, Current, Estimate};
use crate::metrics::intervals::Bootstrap;
use crate::metrics::ranked::Ranked;
use crate::metrics::waiting::WaitingSplit;
use crate::ordered_map::OrderedMap;
use crate::results::{
    Estimated, EstimatedMetrics, EstimatedWindow, EstimatorCheck, Metrics, Results,
};
use crate::text::count;

use super::finish::Finished;

/// Bootstrap replicates of an estimate's interval.
const REPLICATES: usize = 200;
/// Reference rows of each class below which the calibration is said to be shaky.
const MIN_REFERENCE_CLASS_ROWS: u64 = 100;
/// Held-out calibration error of the reference beyond which the estimate is not trusted.
const MAX_REFERENCE_ECE: f64 = 0.05;
/// Share of scores outside the reference's range beyond which the estimate is not trusted.
const MAX_OUTSIDE_RANGE: f64 = 0.05;
/// How much wider than its 95% interval a metric's miss must be to count against the
/// estimator: z(1 − 0.05 / 10) / z(0.975), Bonferroni over the five metrics judged.
const JUDGE_WIDENING: f64 = 2.807_033_768_343_804 / 1.959_963_984_540_054;
/// Labelled rows below which the estimator is not judged against them.
const MIN_LABELLED_ROWS: u64 = 200;

/// How sure a score is of its class: max(score, 1 − score).
pub fn confidence(score: f64) -> f64 {
    score.max(1.0 - score)
}

/// The estimate's metrics in report form.
fn metrics_of(e: &Estimate) -> EstimatedMetrics {
    EstimatedMetrics {
        rows: e.rows,
        accuracy: e.accuracy,
        precision: e.precision,
        recall: e.recall,
        f1: e.f1,
        roc_auc: e.roc_auc,
        intervals: OrderedMap(e.intervals.clone()),
    }
}

/// The estimated performance of the rows awaiting labels in `finished`, given the reference's
/// binary scores of positive and of negative rows; `None` when there are no such rows with
/// scores, or the reference lacks a class.
pub fn estimated(
    finished: &mut Finished,
    reference: &[Ranked],
    threshold: f64,
    boot: Bootstrap,
) -> Option<Estimated> {
    let [pos, neg] = reference else {
        return None;
    };
    let waiting = finished.waiting.take()?;
    let mut calibrator = Calibrator::fit(pos, neg)?;
    let seed = boot.seed;
    // The calibration's replicates are fitted once and shared by every window and segment.
    calibrator.prepare(REPLICATES, seed);
    let run = |split: &WaitingSplit| {
        estimate(
            &calibrator,
            Current {
                predicted_positive: &split.positive,
                predicted_negative: &split.negative,
            },
            REPLICATES,
            seed,
        )
    };
    let overall = run(&waiting)?;
    let mean_of = |f: fn(f64) -> f64| {
        [&waiting.positive, &waiting.negative]
            .iter()
            .flat_map(|r| r.iter())
            .map(|(v, c)| f(v) * c as f64)
            .sum::<f64>()
            / waiting.rows().max(1) as f64
    };
    let (mean_score, mean_confidence) = (mean_of(|v| v), mean_of(confidence));
    let results = &mut finished.results;
    let windows = results.windows.as_mut().map(|windows| {
        windows
            .iter_mut()
            .filter_map(|w| {
                let split = w.waiting.take()?;
                let e = run(&split)?;
                Some(EstimatedWindow {
                    start: w.start.clone(),
                    end: w.end.clone(),
                    metrics: metrics_of(&e),
                })
            })
            .collect()
    });
    let segments = OrderedMap(
        results
            .segments
            .0
            .iter_mut()
            .map(|(column, values)| {
                let estimates = values
                    .0
                    .iter_mut()
                    .filter_map(|(value, seg)| {
                        let split = seg.waiting.take()?;
                        Some((value.clone(), metrics_of(&run(&split)?)))
                    })
                    .collect();
                (column.clone(), OrderedMap(estimates))
            })
            .collect(),
    );
    let labelled = labelled_split(&finished.profile.by_class, &finished.results, threshold)
        .and_then(|split| {
            let e = run(&split)?;
            Some(judge(metrics_of(&e), &finished.results.metrics))
        });
    let mut caveats = Vec::new();
    let (pos_rows, neg_rows) = (pos.total(), neg.total());
    if pos_rows.min(neg_rows) < MIN_REFERENCE_CLASS_ROWS {
        caveats.push(format!(
            "the reference has only {} and {}: the calibration rests on few rows",
            count(pos_rows, "positive row"),
            count(neg_rows, "negative row")
        ));
    }
    let ece = calibrator.held_out_ece();
    if ece > MAX_REFERENCE_ECE {
        caveats.push(format!(
            "the reference's scores stay poorly calibrated even after fitting (held-out \
             calibration error {ece:.3})"
        ));
    }
    if overall.outside_reference_range > MAX_OUTSIDE_RANGE {
        caveats.push(format!(
            "{:.1}% of the scores awaiting labels lie outside the reference's range of scores, \
             where the calibration is extrapolated",
            100.0 * overall.outside_reference_range
        ));
    }
    if let Some(check) = &labelled {
        if !check.outside_interval.is_empty() {
            caveats.push(format!(
                "on the {} whose labels arrived, the realised {} misses the estimate beyond \
                 chance: the relation between scores and labels has moved since the reference \
                 (concept shift), which the estimate cannot see",
                count(check.estimated.rows, "row"),
                check.outside_interval.join(", ")
            ));
        }
    }
    Some(Estimated {
        method: "cbpe",
        calibration: calibrator.method(),
        reference_rows: pos_rows + neg_rows,
        reference_ece: ece,
        outside_reference_range: overall.outside_reference_range,
        mean_score,
        mean_confidence,
        overall: metrics_of(&overall),
        windows,
        segments,
        labelled,
        trusted: caveats.is_empty(),
        caveats,
    })
}

/// The labelled rows' scores split by predicted class, when their predictions are their scores
/// cut at `threshold` (derived predictions, or a prediction column that agrees with the
/// threshold on every row, which the confusion matrix tells); `None` otherwise or with too few
/// labelled rows.
fn labelled_split(by_class: &[Ranked], results: &Results, threshold: f64) -> Option<WaitingSplit> {
    let [pos, neg] = by_class else {
        return None;
    };
    if pos.total() + neg.total() < MIN_LABELLED_ROWS {
        return None;
    }
    let cut = |r: &Ranked| {
        let at = r.values.partition_point(|&v| v < threshold);
        let part = |range: std::ops::Range<usize>| Ranked {
            values: r.values[range.clone()].to_vec(),
            counts: r.counts.slice(range),
        };
        (part(0..at), part(at..r.values.len()))
    };
    let (pos_below, pos_above) = cut(pos);
    let (neg_below, neg_above) = cut(neg);
    let m = &results.metrics.labels.confusion_matrix;
    let p = results.pos_label.as_ref()?;
    let i = m.labels.iter().position(|l| l == p)?;
    let j = 1 - i.min(1);
    if m.labels.len() != 2
        || m.matrix[i][i] != pos_above.total()
        || m.matrix[i][j] != pos_below.total()
        || m.matrix[j][i] != neg_above.total()
        || m.matrix[j][j] != neg_below.total()
    {
        return None;
    }
    Some(WaitingSplit {
        positive: Ranked::merge(pos_above, neg_above),
        negative: Ranked::merge(pos_below, neg_below),
    })
}

/// The estimate of the labelled rows against their realised metrics.
fn judge(estimated: EstimatedMetrics, realised: &Metrics) -> EstimatorCheck {
    let l = &realised.labels;
    let actual = [
        ("accuracy", l.accuracy),
        ("precision", l.precision),
        ("recall", l.recall),
        ("f1", l.f1),
        ("roc_auc", realised.scores.roc_auc),
    ];
    let mut error = Vec::new();
    let mut outside = Vec::new();
    for ((name, est), (_, real)) in estimated.values().into_iter().zip(actual) {
        if let (Some(e), Some(r)) = (est, real) {
            error.push((name.to_string(), e - r));
            if let Some([lo, hi]) = estimated.intervals.get(name) {
                // Five metrics are judged at once: each interval is widened from 95% to
                // 99% (Bonferroni, by the normal quantiles' ratio) so that the estimator
                // is not blamed for chance misses.
                let (below, above) = (e - lo, hi - e);
                if r < e - JUDGE_WIDENING * below || r > e + JUDGE_WIDENING * above {
                    outside.push(name.to_string());
                }
            }
        }
    }
    EstimatorCheck {
        estimated,
        realised: OrderedMap(actual.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
        error: OrderedMap(error),
        outside_interval: outside,
    }
}
