//! Calibration: how far predicted probabilities are from observed frequencies.
//!
//! Rows are put in equal-width bins exactly as scikit-learn's `calibration_curve(strategy=
//! "uniform")` does (edges `i / bins`, a probability on an edge goes to the lower bin). Expected
//! calibration error is the row-weighted mean gap |mean confidence − observed frequency| over the
//! bins (Naeini et al. 2015; Guo et al. 2017), maximum calibration error the largest gap.

use serde::Serialize;

/// One bin of the reliability table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReliabilityBin {
    /// Lower edge.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Rows in the bin.
    pub count: u64,
    /// Mean predicted probability (null for an empty bin).
    pub mean_confidence: Option<f64>,
    /// Observed frequency of the event (null for an empty bin).
    pub observed_frequency: Option<f64>,
}

/// Calibration summary.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Calibration {
    /// Number of equal-width bins.
    pub bins: usize,
    /// What probability is binned: `positive_class` (binary) or `top_label` (multiclass).
    pub basis: &'static str,
    /// Expected calibration error.
    pub ece: f64,
    /// Maximum calibration error.
    pub mce: f64,
    /// `over-confident`, `under-confident` or `calibrated` (ECE below 0.02).
    pub direction: &'static str,
    /// The reliability table.
    pub table: Vec<ReliabilityBin>,
}

/// ECE below this counts as calibrated when naming a direction.
const CALIBRATED_BELOW: f64 = 0.02;

/// Accumulates (probability, outcome) pairs into equal-width bins.
#[derive(Debug, Clone)]
pub struct Binner {
    inner_edges: Vec<f64>,
    count: Vec<u64>,
    sum_prob: Vec<f64>,
    sum_event: Vec<f64>,
}

impl Binner {
    /// `bins` equal-width bins over [0, 1].
    pub fn new(bins: usize) -> Binner {
        let step = 1.0 / bins as f64;
        Binner {
            inner_edges: (1..bins).map(|i| i as f64 * step).collect(),
            count: vec![0; bins],
            sum_prob: vec![0.0; bins],
            sum_event: vec![0.0; bins],
        }
    }

    /// Adds a probability and whether the event happened.
    #[inline]
    pub fn add(&mut self, prob: f64, event: bool) {
        self.add_many(prob, event, 1);
    }

    /// Adds `n` rows with the same probability and outcome.
    #[inline]
    pub fn add_many(&mut self, prob: f64, event: bool, n: u64) {
        let b = self.inner_edges.partition_point(|&e| e < prob);
        self.add_to(b, prob, event, n);
    }

    /// [`add_many`](Self::add_many) for probabilities given in ascending order: `bin` starts at
    /// 0 and follows them up the bins, instead of a binary search (whose branches a million
    /// ascending values mispredict) per value.
    #[inline]
    pub fn add_ascending(&mut self, bin: &mut usize, prob: f64, event: bool, n: u64) {
        while *bin < self.inner_edges.len() && self.inner_edges[*bin] < prob {
            *bin += 1;
        }
        debug_assert_eq!(*bin, self.inner_edges.partition_point(|&e| e < prob));
        self.add_to(*bin, prob, event, n);
    }

    #[inline]
    fn add_to(&mut self, b: usize, prob: f64, event: bool, n: u64) {
        self.count[b] += n;
        self.sum_prob[b] += prob * n as f64;
        if event {
            self.sum_event[b] += n as f64;
        }
    }

    /// The calibration summary; `top_label` selects the direction rule for top-label
    /// confidence (always above 1/k) rather than a positive-class probability.
    pub fn finish(self, basis: &'static str) -> Calibration {
        let bins = self.count.len();
        let n: u64 = self.count.iter().sum();
        let (mut ece, mut mce, mut signed) = (0.0, 0.0f64, 0.0);
        let mut table = Vec::with_capacity(bins);
        for b in 0..bins {
            let c = self.count[b];
            let (conf, freq) = if c > 0 {
                (
                    Some(self.sum_prob[b] / c as f64),
                    Some(self.sum_event[b] / c as f64),
                )
            } else {
                (None, None)
            };
            if let (Some(conf), Some(freq)) = (conf, freq) {
                let gap = (conf - freq).abs();
                ece += c as f64 / n as f64 * gap;
                mce = mce.max(gap);
                // Over-confidence: probabilities more extreme than the frequencies they claim.
                let toward_extreme = if basis == "top_label" || conf >= 0.5 {
                    conf - freq
                } else {
                    freq - conf
                };
                signed += c as f64 * toward_extreme;
            }
            table.push(ReliabilityBin {
                lower: b as f64 / bins as f64,
                upper: (b + 1) as f64 / bins as f64,
                count: c,
                mean_confidence: conf,
                observed_frequency: freq,
            });
        }
        let direction = if ece < CALIBRATED_BELOW {
            "calibrated"
        } else if signed > 0.0 {
            "over-confident"
        } else {
            "under-confident"
        };
        Calibration {
            bins,
            basis,
            ece,
            mce,
            direction,
            table,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascending_adds_equal_searched_adds() {
        let mut probs: Vec<f64> = (0..=300).map(|i| f64::from(i) / 300.0).collect();
        probs.extend((1..15).map(|i| f64::from(i) / 15.0));
        probs.sort_by(f64::total_cmp);
        let (mut searched, mut ascending) = (Binner::new(15), Binner::new(15));
        let mut bin = 0;
        for (i, &p) in probs.iter().enumerate() {
            searched.add_many(p, i % 3 == 0, i as u64 % 5 + 1);
            ascending.add_ascending(&mut bin, p, i % 3 == 0, i as u64 % 5 + 1);
        }
        assert_eq!(
            format!("{:?}", searched.finish("positive_class")),
            format!("{:?}", ascending.finish("positive_class"))
        );
    }

    #[test]
    fn edges_go_to_the_lower_bin() {
        let mut b = Binner::new(15);
        b.add(0.2, true); // 0.2 == 3/15: lower bin (index 2), as calibration_curve
        b.add(0.0, false);
        b.add(1.0, true);
        let c = b.finish("positive_class");
        assert_eq!(c.table[2].count, 1);
        assert_eq!(c.table[0].count, 1);
        assert_eq!(c.table[14].count, 1);
    }

    #[test]
    fn hand_worked_ece() {
        // Two bins: [0, .5] holds 0.2, 0.4 with outcomes 0, 1; (.5, 1] holds 0.9 x2 with 1, 1.
        // bin 0: conf .3, freq .5, gap .2, weight .5; bin 1: conf .9, freq 1, gap .1, weight .5
        let mut b = Binner::new(2);
        for (p, y) in [(0.2, false), (0.4, true), (0.9, true), (0.9, true)] {
            b.add(p, y);
        }
        let c = b.finish("positive_class");
        assert!((c.ece - 0.15).abs() < 1e-15);
        assert!((c.mce - 0.2).abs() < 1e-15);
        // Low bin: claims .3 where .5 happen (too extreme, weight 2 x .2); high bin: claims .9
        // where 1.0 happen (too timid, weight 2 x .1): over-confident on balance.
        assert_eq!(c.direction, "over-confident");
        let mut timid = Binner::new(2);
        for (p, y) in [(0.45, false), (0.45, false), (0.55, true), (0.55, true)] {
            timid.add(p, y);
        }
        assert_eq!(timid.finish("positive_class").direction, "under-confident");
    }
}
