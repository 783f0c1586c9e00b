//! Confusion counts: the exact, mergeable state behind every label-based metric.
//!
//! Counts are kept per (true class, predicted class) pair in a dense square matrix indexed by the
//! accumulator's own class numbering, which grows as classes appear. Merging adds the other
//! matrix cell by cell after translating its numbering.

/// A growable square matrix of counts, rows = true class, columns = predicted class.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConfusionCounts {
    dim: usize,
    cells: Vec<u64>,
}

impl ConfusionCounts {
    /// Number of classes the matrix spans.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Makes room for classes numbered below `dim`.
    pub fn grow(&mut self, dim: usize) {
        if dim <= self.dim {
            return;
        }
        let mut cells = vec![0u64; dim * dim];
        for t in 0..self.dim {
            cells[t * dim..t * dim + self.dim]
                .copy_from_slice(&self.cells[t * self.dim..(t + 1) * self.dim]);
        }
        self.dim = dim;
        self.cells = cells;
    }

    /// Counts `n` rows of true class `t` predicted as `p`.
    #[inline(always)]
    pub fn add(&mut self, t: u32, p: u32, n: u64) {
        let need = t.max(p) as usize + 1;
        if need > self.dim {
            self.grow_for(need);
        }
        self.cells[t as usize * self.dim + p as usize] += n;
    }

    /// Grows the matrix to hold `need` classes (rarely: once per doubling).
    #[cold]
    #[inline(never)]
    fn grow_for(&mut self, need: usize) {
        self.grow(need.max(self.dim * 2).max(2));
    }

    /// The count of true class `t` predicted as `p` (0 outside the matrix).
    pub fn get(&self, t: usize, p: usize) -> u64 {
        if t < self.dim && p < self.dim {
            self.cells[t * self.dim + p]
        } else {
            0
        }
    }

    /// Whether the matrix is square with `dim` × `dim` cells (checked on states read from files).
    pub fn is_well_formed(&self) -> bool {
        self.dim.checked_mul(self.dim) == Some(self.cells.len())
    }

    /// Total number of rows counted.
    pub fn total(&self) -> u64 {
        self.cells.iter().sum()
    }

    /// Adds another matrix whose class `i` is class `remap[i]` here.
    pub fn merge_mapped(&mut self, other: &ConfusionCounts, remap: &[u32]) {
        for t in 0..other.dim.min(remap.len()) {
            for p in 0..other.dim.min(remap.len()) {
                let n = other.cells[t * other.dim + p];
                if n > 0 {
                    self.add(remap[t], remap[p], n);
                }
            }
        }
    }

    /// The matrix restricted to and ordered by `order` (class ids), as nested rows.
    pub fn ordered(&self, order: &[u32]) -> Vec<Vec<u64>> {
        order
            .iter()
            .map(|&t| {
                order
                    .iter()
                    .map(|&p| self.get(t as usize, p as usize))
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_keeps_counts() {
        let mut c = ConfusionCounts::default();
        c.add(0, 0, 3);
        c.add(0, 1, 1);
        c.add(4, 2, 2);
        assert_eq!(c.get(0, 0), 3);
        assert_eq!(c.get(0, 1), 1);
        assert_eq!(c.get(4, 2), 2);
        assert_eq!(c.total(), 6);
        assert_eq!(c.ordered(&[4, 0]), vec![vec![0, 0], vec![0, 3]]);
    }

    #[test]
    fn merge_translates_numbering() {
        let mut a = ConfusionCounts::default();
        a.add(0, 1, 5);
        let mut b = ConfusionCounts::default();
        b.add(1, 0, 2);
        a.merge_mapped(&b, &[1, 0]);
        assert_eq!(a.get(0, 1), 7);
    }
}
