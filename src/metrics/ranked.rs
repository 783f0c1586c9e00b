//! Scores of one class in a compact, exact form: a grid of counts for scores written with at
//! most six decimals, plus the other values kept as they are.
//!
//! Prediction logs print scores with a few decimals, so most files hold far fewer distinct
//! scores than rows. A score `0.123456` is the grid point 123456 of 1,000,000, and the `f64` it
//! stands for is recovered exactly as `123456.0 / 1e6` (IEEE division is correctly rounded, as is
//! parsing, so both give the double nearest 123456/10⁶). Grid points are kept as a list of 4-byte
//! indices until it holds a quarter million, then as a dense table of counts (1 MB of one-byte
//! counts while rows are counted, 4 MB of full counts once settled): past that, sorting the list
//! when the column is finished (and merging lists point by point) costs more than the table's
//! extra memory is worth. Scores off the grid are kept as `f64`s. Either way ranking metrics
//! stay exact and states merge by adding. [`Ranked`] is the finished form: distinct values in ascending order with their counts.

/// Grid points per unit: scores with up to six decimals lie on the grid.
pub const GRID_SCALE: u32 = 1_000_000;
const GRID_LEN: usize = GRID_SCALE as usize + 1;
/// A sparse grid list this long is turned into a dense table: sorting a longer list at the end
/// costs more than summing the table's counts.
const DENSE_AT: usize = GRID_LEN / 4;

/// A score as read: its value and, when it has at most six decimals, its grid point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The score.
    pub value: f64,
    /// `value * 1e6` when that is an integer the text spelled exactly.
    pub grid: Option<u32>,
}

impl Score {
    /// A score known only by value.
    pub fn raw(value: f64) -> Score {
        Score { value, grid: None }
    }

    /// Reads a score written as plain decimal digits with at most six decimals, in [0, 1].
    /// Returns `None` for anything else (which the caller parses the general way).
    #[inline(always)]
    pub fn parse_grid(text: &[u8]) -> Option<Score> {
        if let Ok(eight) = <[u8; 8]>::try_from(text) {
            if let Some(grid) = six_decimals(eight) {
                return Some(Score {
                    value: f64::from(grid) / f64::from(GRID_SCALE),
                    grid: Some(grid),
                });
            }
        }
        Self::parse_grid_digits(text)
    }

    /// [`parse_grid`](Self::parse_grid) digit by digit (out of line: the common six-decimal form
    /// never gets here).
    #[inline(never)]
    fn parse_grid_digits(text: &[u8]) -> Option<Score> {
        let (int_part, frac) = match text.iter().position(|&b| b == b'.') {
            Some(dot) => (&text[..dot], &text[dot + 1..]),
            None => (text, &[][..]),
        };
        if int_part.is_empty() && frac.is_empty() || int_part.len() > 7 || frac.len() > 6 {
            return None;
        }
        let mut whole: u32 = 0;
        for &b in int_part {
            if !b.is_ascii_digit() {
                return None;
            }
            whole = whole * 10 + u32::from(b - b'0');
        }
        let mut part: u32 = 0;
        for &b in frac {
            if !b.is_ascii_digit() {
                return None;
            }
            part = part * 10 + u32::from(b - b'0');
        }
        part *= 10u32.pow(6 - frac.len() as u32);
        if whole > 1 {
            return None;
        }
        let grid = whole * GRID_SCALE + part;
        if grid > GRID_SCALE {
            return None;
        }
        Some(Score {
            value: f64::from(grid) / f64::from(GRID_SCALE),
            grid: Some(grid),
        })
    }
}

/// The grid point of a score written `d.dddddd` (the usual form: six decimals), read eight
/// bytes at once: the point replaced by a zero digit, all eight bytes checked to be digits, and
/// the eight-digit number formed with three multiplies (Lemire's unrolled eight-digit parse).
/// `None` for anything else, which the digit-by-digit parse then reads (or refuses).
#[inline(always)]
fn six_decimals(text: [u8; 8]) -> Option<u32> {
    if text[1] != b'.' || text[0] > b'1' {
        return None;
    }
    let w = (u64::from_le_bytes(text) & !0xff00) | 0x3000;
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    let digits = (w & HIGH) | (((w.wrapping_add(0x0606_0606_0606_0606)) & HIGH) >> 4);
    if digits != 0x3333_3333_3333_3333 {
        return None;
    }
    // The products wrap by design: only the bits the shifts keep matter.
    let mut v = w - 0x3030_3030_3030_3030;
    v = v.wrapping_mul(10).wrapping_add(v >> 8);
    v = ((v & 0x0000_00ff_0000_00ff)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(1 + (10_000 << 32))))
        >> 32;
    // The eight digits d0dddddd: the whole part d, then the six decimals.
    // grid = d·10⁶ + decimals = number − 9·10⁶·d.
    let number = v as u32;
    let whole = u32::from(text[0] - b'0');
    let grid = number - 9 * GRID_SCALE * whole;
    (grid <= GRID_SCALE).then_some(grid)
}

/// Grid points per write-combining bucket of the dense table (a 16 KB stretch of one-byte
/// counts).
const BUCKET_SHIFT: u32 = 14;
/// Points buffered per bucket before they are counted.
const BUCKET_DEPTH: usize = 32;

/// A dense table of counts whose increments are buffered per stretch of the table, so that
/// counting touches one small region at a time instead of missing the cache on every row.
///
/// While rows are counted the table holds one-byte counts (1 MB, where a table of full counts
/// takes 4 MB: a worker counting the scores of a few segments keeps its tables in the shared
/// cache); a count that wraps past 255 carries 256 into the table of full counts, made at the
/// first carry. Settling folds the one-byte counts into the full ones. The count of point `i`
/// is always `counts[i] + low[i]` plus its buffered occurrences (a missing table counts zero).
#[derive(Debug, Clone, PartialEq)]
struct DenseCounts {
    /// Full counts (empty: none carried yet).
    counts: Vec<u32>,
    /// One-byte counts not yet folded into `counts` (empty once folded).
    low: Vec<u8>,
    pending: Vec<Vec<u32>>,
}

/// The empty write-combining buckets of a dense table.
fn buckets() -> Vec<Vec<u32>> {
    (0..(GRID_LEN >> BUCKET_SHIFT) + 1)
        .map(|_| Vec::with_capacity(BUCKET_DEPTH))
        .collect()
}

impl DenseCounts {
    /// A table counting in one-byte counts, holding the points of `list`.
    fn new(list: &[u32]) -> DenseCounts {
        let mut d = DenseCounts {
            counts: Vec::new(),
            low: vec![0u8; GRID_LEN],
            pending: buckets(),
        };
        for &i in list {
            let l = &mut d.low[i as usize];
            *l = l.wrapping_add(1);
            if *l == 0 {
                // A list holds fewer than u32::MAX points: no full count can overflow.
                Self::carry(&mut d.counts, i, &mut Vec::new());
            }
        }
        d
    }

    /// An empty table of full counts (for saved states, whose counts are known at once).
    fn full() -> DenseCounts {
        DenseCounts {
            counts: vec![0u32; GRID_LEN],
            low: Vec::new(),
            pending: buckets(),
        }
    }

    /// Counts a point; returns the points whose count would overflow.
    #[inline(always)]
    fn add(&mut self, i: u32, overflow: &mut Vec<f64>) {
        let bucket = &mut self.pending[(i >> BUCKET_SHIFT) as usize];
        bucket.push(i);
        if bucket.len() == BUCKET_DEPTH {
            Self::drain(&mut self.low, &mut self.counts, bucket, overflow);
        }
    }

    #[inline(never)]
    fn drain(
        low: &mut [u8],
        counts: &mut Vec<u32>,
        bucket: &mut Vec<u32>,
        overflow: &mut Vec<f64>,
    ) {
        if low.is_empty() {
            Self::full_table(counts);
            for &i in bucket.iter() {
                add_count(counts, i, 1, overflow);
            }
        } else {
            for &i in bucket.iter() {
                let l = &mut low[i as usize];
                *l = l.wrapping_add(1);
                if *l == 0 {
                    Self::carry(counts, i, overflow);
                }
            }
        }
        bucket.clear();
    }

    /// Adds the 256 of a wrapped one-byte count to the full count.
    #[cold]
    #[inline(never)]
    fn carry(counts: &mut Vec<u32>, i: u32, overflow: &mut Vec<f64>) {
        Self::full_table(counts);
        add_count(counts, i, 256, overflow);
    }

    /// Makes the table of full counts if there is none yet.
    fn full_table(counts: &mut Vec<u32>) {
        if counts.is_empty() {
            *counts = vec![0u32; GRID_LEN];
        }
    }

    /// The table of full counts, with the one-byte counts folded in (overflow as in `add`).
    fn folded(&mut self, overflow: &mut Vec<f64>) -> &mut [u32] {
        if !self.low.is_empty() {
            if self.counts.is_empty() {
                self.counts = self.low.iter().map(|&l| u32::from(l)).collect();
            } else {
                add_table(&mut self.counts, &self.low, overflow);
            }
            self.low = Vec::new();
        }
        Self::full_table(&mut self.counts);
        &mut self.counts
    }

    /// The counts, with every buffered point counted.
    fn settled(&mut self, overflow: &mut Vec<f64>) -> &[u32] {
        for bucket in &mut self.pending {
            Self::drain(&mut self.low, &mut self.counts, bucket, overflow);
        }
        self.folded(overflow)
    }

    /// How many points are counted.
    fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum::<u64>()
            + self.low.iter().map(|&c| u64::from(c)).sum::<u64>()
            + self.pending.iter().map(|b| b.len() as u64).sum::<u64>()
    }
}

/// A column's counts per grid point, in one table.
#[derive(Debug, Clone, Copy)]
pub enum GridTable<'a> {
    /// One-byte counts (no point counted more than 255 times).
    Bytes(&'a [u8]),
    /// Full counts.
    Full(&'a [u32]),
}

/// Adds one-byte counts to one-byte counts; a sum past 255 keeps its low byte and carries 256
/// into the full counts (made at the first carry; overflow as in `add`).
fn add_low(mine: &mut [u8], counts: &mut Vec<u32>, theirs: &[u8], overflow: &mut Vec<f64>) {
    // Whether any sum wraps, in one pass without early exit (vector instructions).
    let wraps = (mine.iter().zip(theirs)).fold(false, |w, (&m, &t)| w | m.overflowing_add(t).1);
    if !wraps {
        for (m, &t) in mine.iter_mut().zip(theirs) {
            *m += t;
        }
        return;
    }
    for (i, (m, &t)) in mine.iter_mut().zip(theirs).enumerate() {
        let (sum, wrapped) = m.overflowing_add(t);
        *m = sum;
        if wrapped {
            DenseCounts::carry(counts, i as u32, overflow);
        }
    }
}

/// Adds `n` to the count of point `i`; what would overflow goes to `overflow` as values.
#[inline]
fn add_count(counts: &mut [u32], i: u32, n: u32, overflow: &mut Vec<f64>) {
    let c = &mut counts[i as usize];
    match c.checked_add(n) {
        Some(sum) => *c = sum,
        None => {
            let excess = n - (u32::MAX - *c);
            *c = u32::MAX;
            let v = f64::from(i) / f64::from(GRID_SCALE);
            overflow.extend(std::iter::repeat_n(v, excess as usize));
        }
    }
}

/// Adds a table of counts to another, point by point; what would overflow goes to `overflow`.
fn add_table<T: Copy + Into<u32>>(mine: &mut [u32], theirs: &[T], overflow: &mut Vec<f64>) {
    // Whether any count would overflow, in one pass without early exit (so that it, and the
    // plain sum below, compile to vector instructions).
    let overflows =
        (mine.iter().zip(theirs)).fold(false, |o, (&m, &t)| o | m.overflowing_add(t.into()).1);
    if !overflows {
        for (m, &t) in mine.iter_mut().zip(theirs) {
            *m += t.into();
        }
    } else {
        for (i, &t) in theirs.iter().enumerate().take(mine.len()) {
            add_count(mine, i as u32, t.into(), overflow);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Grid {
    Sparse(Vec<u32>),
    Dense(DenseCounts),
}

impl Default for Grid {
    fn default() -> Self {
        Grid::Sparse(Vec::new())
    }
}

/// The scores of one class.
///
/// It serialises as [`ScoreCounts`]: parallel arrays of distinct values and their counts.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(try_from = "ScoreCounts")]
pub struct ScoreColumn {
    grid: Grid,
    raw: Vec<f64>,
}

impl ScoreColumn {
    /// Whether no score was kept.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
            && match &self.grid {
                Grid::Sparse(v) => v.is_empty(),
                Grid::Dense(_) => false,
            }
    }

    /// Counts every buffered grid point into one table (one-byte counts while no count passed
    /// 255), and tells whether all the column's scores are in it (see
    /// [`grid_table`](Self::grid_table)).
    pub fn settle_grid(&mut self) -> bool {
        match &mut self.grid {
            Grid::Dense(dense) => {
                for bucket in &mut dense.pending {
                    DenseCounts::drain(&mut dense.low, &mut dense.counts, bucket, &mut self.raw);
                }
                if !dense.counts.is_empty() {
                    dense.folded(&mut self.raw);
                }
                self.raw.is_empty()
            }
            Grid::Sparse(_) => false,
        }
    }

    /// The counts per grid point (index k counts the score k / 10⁶), when every score of the
    /// column lies on the grid, is kept in a dense table, and is counted in one table (after
    /// [`settle_grid`](Self::settle_grid)); `None` otherwise.
    pub fn grid_table(&self) -> Option<GridTable<'_>> {
        match &self.grid {
            Grid::Dense(dense)
                if self.raw.is_empty() && dense.pending.iter().all(Vec::is_empty) =>
            {
                match (dense.low.is_empty(), dense.counts.is_empty()) {
                    (false, true) => Some(GridTable::Bytes(&dense.low)),
                    (true, false) => Some(GridTable::Full(&dense.counts)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Calls `f(score, count)` for every distinct score kept (grid points in ascending order,
    /// then the scores off the grid, each once).
    pub fn for_each_score(&mut self, mut f: impl FnMut(f64, u64)) {
        let scale = f64::from(GRID_SCALE);
        self.settle_grid();
        match &self.grid {
            Grid::Sparse(list) => {
                for &i in list {
                    f(f64::from(i) / scale, 1);
                }
            }
            Grid::Dense(dense) => {
                for (i, &c) in dense.low.iter().enumerate() {
                    if c > 0 {
                        f(i as f64 / scale, u64::from(c));
                    }
                }
                for (i, &c) in dense.counts.iter().enumerate() {
                    if c > 0 {
                        f(i as f64 / scale, u64::from(c));
                    }
                }
            }
        }
        for &v in &self.raw {
            f(v, 1);
        }
    }

    /// Gives back the room the scores off the grid grew into and do not use (a list grows by
    /// doubling, so up to half of it).
    pub fn shrink(&mut self) {
        self.raw.shrink_to_fit();
    }

    /// How many scores are kept.
    pub fn count(&self) -> u64 {
        let grid = match &self.grid {
            Grid::Sparse(list) => list.len() as u64,
            Grid::Dense(dense) => dense.total(),
        };
        grid + self.raw.len() as u64
    }

    /// Keeps one score.
    #[inline(always)]
    pub fn push(&mut self, score: Score) {
        let Some(i) = score.grid else {
            self.raw.push(score.value);
            return;
        };
        match &mut self.grid {
            Grid::Dense(counts) => counts.add(i, &mut self.raw),
            Grid::Sparse(list) => {
                list.push(i);
                if list.len() >= DENSE_AT {
                    self.make_dense();
                }
            }
        }
    }

    /// Turns the sparse list into the dense table (once, when the list outgrows it).
    #[cold]
    #[inline(never)]
    fn make_dense(&mut self) {
        if let Grid::Sparse(list) = &self.grid {
            self.grid = Grid::Dense(DenseCounts::new(list));
        }
    }

    /// Adds another column's scores.
    pub fn merge(&mut self, other: &ScoreColumn) {
        // Merging a large column (one worker's scores into another's) reserves exactly what it
        // adds, where growing by doubling would hold up to twice the scores; small ones (chunks
        // into a worker's column) grow the usual way, so that their copies stay amortised.
        let spare = self.raw.capacity() - self.raw.len();
        if other.raw.len() > spare && other.raw.len() >= self.raw.len() / 4 {
            self.raw.reserve_exact(other.raw.len());
        }
        self.raw.extend_from_slice(&other.raw);
        match &other.grid {
            Grid::Sparse(list) => {
                for &i in list {
                    self.push(Score {
                        value: f64::from(i) / f64::from(GRID_SCALE),
                        grid: Some(i),
                    });
                }
            }
            Grid::Dense(theirs) => {
                if let Grid::Sparse(list) = &self.grid {
                    self.grid = Grid::Dense(DenseCounts::new(list));
                }
                let Grid::Dense(mine) = &mut self.grid else {
                    unreachable!("made dense above")
                };
                if !theirs.low.is_empty() {
                    if mine.low.is_empty() {
                        add_table(mine.folded(&mut self.raw), &theirs.low, &mut self.raw);
                    } else {
                        // Byte tables add as bytes; the rare wraps carry into full counts.
                        add_low(&mut mine.low, &mut mine.counts, &theirs.low, &mut self.raw);
                    }
                }
                if !theirs.counts.is_empty() {
                    DenseCounts::full_table(&mut mine.counts);
                    add_table(&mut mine.counts, &theirs.counts, &mut self.raw);
                }
                // Their points still buffered are counted one by one (at most a few per
                // stretch of the table).
                for &i in theirs.pending.iter().flatten() {
                    mine.add(i, &mut self.raw);
                }
            }
        }
    }

    /// Adds the scores of several columns: as [`merge`](Self::merge) of each in turn, but their
    /// dense tables are summed in one pass (a block at a time) instead of one pass each.
    pub fn merge_all(&mut self, others: &[&ScoreColumn]) {
        // Reserved exactly: the overall column of scores off the grid is as long as every
        // segment's together, and growing it by doubling would hold up to twice that.
        self.raw
            .reserve_exact(others.iter().map(|o| o.raw.len()).sum::<usize>());
        let mut dense = Vec::new();
        for other in others {
            match &other.grid {
                Grid::Dense(d) => {
                    self.raw.extend_from_slice(&other.raw);
                    dense.push(d);
                }
                Grid::Sparse(_) => self.merge(other),
            }
        }
        if dense.is_empty() {
            return;
        }
        if let Grid::Sparse(list) = &self.grid {
            self.grid = Grid::Dense(DenseCounts::new(list));
        }
        let Grid::Dense(mine) = &mut self.grid else {
            unreachable!("made dense above")
        };
        const SPAN: usize = 4096;
        let mut sums = [0u64; SPAN];
        for (b, block) in mine.folded(&mut self.raw).chunks_mut(SPAN).enumerate() {
            let sums = &mut sums[..block.len()];
            for (s, &c) in sums.iter_mut().zip(block.iter()) {
                *s = u64::from(c);
            }
            let span = b * SPAN..b * SPAN + block.len();
            for d in &dense {
                if !d.counts.is_empty() {
                    for (s, &c) in sums.iter_mut().zip(&d.counts[span.clone()]) {
                        *s += u64::from(c);
                    }
                }
                if !d.low.is_empty() {
                    for (s, &c) in sums.iter_mut().zip(&d.low[span.clone()]) {
                        *s += u64::from(c);
                    }
                }
            }
            let overflows = sums
                .iter()
                .fold(false, |o, &s| o | (s > u64::from(u32::MAX)));
            for (j, (c, &s)) in block.iter_mut().zip(sums.iter()).enumerate() {
                *c = s.min(u64::from(u32::MAX)) as u32;
                if overflows && s > u64::from(u32::MAX) {
                    let v = (b * SPAN + j) as f64 / f64::from(GRID_SCALE);
                    let excess = s - u64::from(u32::MAX);
                    self.raw.extend(std::iter::repeat_n(v, excess as usize));
                }
            }
        }
        for d in dense {
            for &i in d.pending.iter().flatten() {
                mine.add(i, &mut self.raw);
            }
        }
    }

    /// The finished form.
    pub fn into_ranked(mut self) -> Ranked {
        let scale = f64::from(GRID_SCALE);
        let mut grid = Ranked::default();
        match &mut self.grid {
            Grid::Dense(dense) => {
                let counts = dense.settled(&mut self.raw);
                // Reserved exactly: growing by doubling would copy and fault in up to twice
                // the memory of a million-value list.
                let distinct = counts.iter().filter(|&&c| c > 0).count();
                grid.values.reserve_exact(distinct);
                grid.counts = Counts::Each(Vec::with_capacity(distinct));
                for (i, &c) in counts.iter().enumerate() {
                    if c > 0 {
                        grid.values.push(i as f64 / scale);
                        grid.counts.push(u64::from(c));
                    }
                }
            }
            Grid::Sparse(list) => {
                list.sort_unstable();
                for chunk in list.chunk_by(|a, b| a == b) {
                    grid.values.push(f64::from(chunk[0]) / scale);
                    grid.counts.push(chunk.len() as u64);
                }
            }
        }
        if self.raw.is_empty() {
            return grid;
        }
        Ranked::merge(grid, Ranked::from_values(self.raw))
    }
}

/// The saved form of a [`ScoreColumn`]: distinct grid points and other values, each ascending
/// with its count, as parallel arrays (a dense table of a million counts is mostly zeros).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ScoreCounts {
    /// Distinct grid points (the score times 10⁶), ascending.
    pub grid: Vec<u32>,
    /// Rows per grid point.
    pub grid_counts: Vec<u64>,
    /// Distinct scores off the grid, ascending.
    pub values: Vec<f64>,
    /// Rows per off-grid score.
    pub value_counts: Vec<u64>,
}

impl serde::Serialize for ScoreColumn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut saved = ScoreCounts::default();
        let mut add = |i: u32, n: u64| {
            if n > 0 {
                saved.grid.push(i);
                saved.grid_counts.push(n);
            }
        };
        match &self.grid {
            Grid::Sparse(list) => {
                let mut list = list.clone();
                list.sort_unstable();
                for chunk in list.chunk_by(|a, b| a == b) {
                    add(chunk[0], chunk.len() as u64);
                }
            }
            Grid::Dense(dense) => {
                // Counted in u64, so that buffered points never overflow a u32 count here.
                let mut counts = vec![0u64; GRID_LEN];
                for (n, &c) in counts.iter_mut().zip(&dense.counts) {
                    *n += u64::from(c);
                }
                for (n, &c) in counts.iter_mut().zip(&dense.low) {
                    *n += u64::from(c);
                }
                for &i in dense.pending.iter().flatten() {
                    counts[i as usize] += 1;
                }
                for (i, &n) in counts.iter().enumerate() {
                    add(i as u32, n);
                }
            }
        }
        let raw = Ranked::from_values(self.raw.clone());
        saved.values = raw.values;
        saved.value_counts = raw.counts.to_vec();
        saved.serialize(serializer)
    }
}

impl TryFrom<ScoreCounts> for ScoreColumn {
    type Error = String;

    fn try_from(saved: ScoreCounts) -> Result<ScoreColumn, String> {
        if saved.grid.len() != saved.grid_counts.len()
            || saved.values.len() != saved.value_counts.len()
        {
            return Err("score values and counts differ in length".into());
        }
        if let Some(&i) = saved.grid.iter().find(|&&i| i > GRID_SCALE) {
            return Err(format!("grid point {i} is beyond {GRID_SCALE}"));
        }
        if saved.values.iter().any(|v| !v.is_finite()) {
            return Err("a score is not a finite number".into());
        }
        let mut column = ScoreColumn::default();
        let on_grid: u64 = saved.grid_counts.iter().sum();
        if on_grid >= DENSE_AT as u64 {
            let mut dense = DenseCounts::full();
            for (&i, &n) in saved.grid.iter().zip(&saved.grid_counts) {
                let c = &mut dense.counts[i as usize];
                let fits = n.min(u64::from(u32::MAX - *c));
                *c += fits as u32;
                let v = f64::from(i) / f64::from(GRID_SCALE);
                column
                    .raw
                    .extend(std::iter::repeat_n(v, (n - fits) as usize));
            }
            column.grid = Grid::Dense(dense);
        } else {
            let mut list = Vec::with_capacity(on_grid as usize);
            for (&i, &n) in saved.grid.iter().zip(&saved.grid_counts) {
                list.extend(std::iter::repeat_n(i, n as usize));
            }
            column.grid = Grid::Sparse(list);
        }
        for (&v, &n) in saved.values.iter().zip(&saved.value_counts) {
            column.raw.extend(std::iter::repeat_n(v, n as usize));
        }
        Ok(column)
    }
}

/// Distinct scores in ascending order with how many rows have each.
///
/// Its serialised form is two parallel arrays, `values` (each the shortest decimal text that
/// reads back as the same `f64`, so a saved distribution is exact) and `counts`; reading it
/// back checks that the values are finite and strictly ascending and the counts positive.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(into = "RankedForm", try_from = "RankedForm")]
pub struct Ranked {
    /// Distinct values, ascending.
    pub values: Vec<f64>,
    /// Rows per value.
    pub counts: Counts,
}

/// Rows per distinct value of a [`Ranked`] list. Scores written with 17 significant digits are
/// nearly all distinct, and a list of ones would double the memory of their ranking: while few
/// values occur more than once, only those are stored (`Sparse`), otherwise every count
/// (`Each`).
#[derive(Debug, Clone)]
pub enum Counts {
    /// `len` values, each occurring once but those in `ties`: (index, count), ascending.
    Sparse {
        /// How many values are counted.
        len: usize,
        /// The values occurring more than once.
        ties: Vec<(usize, u64)>,
    },
    /// The count of each value.
    Each(Vec<u64>),
}

impl Default for Counts {
    fn default() -> Self {
        Counts::ones(0)
    }
}

/// What indexing a value occurring once refers to.
static ONE: u64 = 1;

/// Ties a sparse list keeps before it stores every count: at least this many, and at least one
/// value in [`SPARSE_SHARE`] (an entry takes two words, a count one; reading a count searches
/// the ties).
const SPARSE_TIES: usize = 1024;
/// See [`SPARSE_TIES`].
const SPARSE_SHARE: usize = 16;

impl Counts {
    /// `n` values, each occurring once.
    pub fn ones(n: usize) -> Counts {
        Counts::Sparse {
            len: n,
            ties: Vec::new(),
        }
    }

    /// How many values are counted.
    pub fn len(&self) -> usize {
        self.view().len()
    }

    /// Whether no value is counted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The count of value `i` (panics beyond the end, as indexing does).
    #[inline(always)]
    pub fn get(&self, i: usize) -> u64 {
        self.view().get(i)
    }

    /// The counts in order.
    #[inline]
    pub fn iter(&self) -> CountsIter<'_> {
        self.view().iter()
    }

    /// The total count.
    pub fn sum(&self) -> u64 {
        self.view().sum()
    }

    /// The counts of the values in `range`.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Counts {
        match self.view().slice(range) {
            CountsView::Sparse { len, offset, ties } => Counts::Sparse {
                len,
                ties: ties.iter().map(|&(i, c)| (i - offset, c)).collect(),
            },
            CountsView::Each(v) => Counts::Each(v.to_vec()),
        }
    }

    /// The counts as a list.
    pub fn to_vec(&self) -> Vec<u64> {
        self.iter().collect()
    }

    /// Counts one more value, `c` times.
    #[inline]
    pub fn push(&mut self, c: u64) {
        match self {
            Counts::Sparse { len, ties } => {
                if c != 1 {
                    ties.push((*len, c));
                }
                *len += 1;
                if c != 1 {
                    self.check_sparse();
                }
            }
            Counts::Each(v) => v.push(c),
        }
    }

    /// Adds `c` to the count of the last value.
    #[inline]
    pub fn add_to_last(&mut self, c: u64) {
        if c == 0 {
            return;
        }
        match self {
            Counts::Sparse { len, ties } => {
                let last = len.checked_sub(1).expect("a value to add to");
                match ties.last_mut() {
                    Some((i, n)) if *i == last => *n += c,
                    _ => {
                        ties.push((last, 1 + c));
                        self.check_sparse();
                    }
                }
            }
            Counts::Each(v) => *v.last_mut().expect("a value to add to") += c,
        }
    }

    /// Stores every count once too many values are tied for the sparse form.
    #[inline]
    fn check_sparse(&mut self) {
        if let Counts::Sparse { len, ties } = self {
            if ties.len() > SPARSE_TIES && ties.len() * SPARSE_SHARE > *len {
                self.write_out();
            }
        }
    }

    /// The sparse form written out as every count.
    #[cold]
    #[inline(never)]
    fn write_out(&mut self) {
        let each = self.to_vec();
        *self = Counts::Each(each);
    }

    /// The counts, borrowed.
    #[inline]
    pub fn view(&self) -> CountsView<'_> {
        match self {
            Counts::Sparse { len, ties } => CountsView::Sparse {
                len: *len,
                offset: 0,
                ties,
            },
            Counts::Each(v) => CountsView::Each(v),
        }
    }
}

impl PartialEq for Counts {
    fn eq(&self, other: &Counts) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl std::ops::Index<usize> for Counts {
    type Output = u64;

    #[inline(always)]
    fn index(&self, i: usize) -> &u64 {
        match self {
            Counts::Sparse { len, ties } => {
                assert!(i < *len, "count {i} of {len}");
                match ties.binary_search_by_key(&i, |t| t.0) {
                    Ok(k) => &ties[k].1,
                    Err(_) => &ONE,
                }
            }
            Counts::Each(v) => &v[i],
        }
    }
}

impl From<Vec<u64>> for Counts {
    fn from(v: Vec<u64>) -> Counts {
        v.into_iter().collect()
    }
}

impl FromIterator<u64> for Counts {
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Counts {
        let mut counts = Counts::default();
        for c in iter {
            counts.push(c);
        }
        counts
    }
}

/// Borrowed [`Counts`] (of a stretch of a list).
#[derive(Debug, Clone, Copy)]
pub enum CountsView<'a> {
    /// `len` values from index `offset` of a sparse list whose ties (indices in the whole
    /// list) in that stretch are `ties`.
    Sparse {
        /// How many values are counted.
        len: usize,
        /// The index of the first in the whole list.
        offset: usize,
        /// The ties among them.
        ties: &'a [(usize, u64)],
    },
    /// The count of each value.
    Each(&'a [u64]),
}

impl<'a> CountsView<'a> {
    /// How many values are counted.
    pub fn len(&self) -> usize {
        match self {
            CountsView::Sparse { len, .. } => *len,
            CountsView::Each(v) => v.len(),
        }
    }

    /// Whether no value is counted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The count of value `i` (panics beyond the end, as indexing does).
    #[inline(always)]
    pub fn get(&self, i: usize) -> u64 {
        match self {
            CountsView::Sparse { len, offset, ties } => {
                assert!(i < *len, "count {i} of {len}");
                if ties.is_empty() {
                    return 1;
                }
                match ties.binary_search_by_key(&(offset + i), |t| t.0) {
                    Ok(k) => ties[k].1,
                    Err(_) => 1,
                }
            }
            CountsView::Each(v) => v[i],
        }
    }

    /// The counts of the values in `range`.
    #[inline]
    pub fn slice(&self, range: std::ops::Range<usize>) -> CountsView<'a> {
        match *self {
            CountsView::Sparse { len, offset, ties } => {
                assert!(
                    range.start <= range.end && range.end <= len,
                    "counts {range:?} of {len}"
                );
                let (from, to) = (offset + range.start, offset + range.end);
                let a = ties.partition_point(|t| t.0 < from);
                let b = ties.partition_point(|t| t.0 < to);
                CountsView::Sparse {
                    len: range.len(),
                    offset: from,
                    ties: &ties[a..b],
                }
            }
            CountsView::Each(v) => CountsView::Each(&v[range]),
        }
    }

    /// The counts in order.
    #[inline]
    pub fn iter(&self) -> CountsIter<'a> {
        match *self {
            CountsView::Sparse { len, offset, ties } => CountsIter {
                next: offset,
                end: offset + len,
                ties,
                each: None,
            },
            CountsView::Each(v) => CountsIter {
                next: 0,
                end: v.len(),
                ties: &[],
                each: Some(v),
            },
        }
    }

    /// The total count.
    pub fn sum(&self) -> u64 {
        match self {
            CountsView::Sparse { len, ties, .. } => {
                (*len - ties.len()) as u64 + ties.iter().map(|t| t.1).sum::<u64>()
            }
            CountsView::Each(v) => v.iter().sum(),
        }
    }
}

/// The counts of a [`CountsView`], in order.
#[derive(Debug, Clone)]
pub struct CountsIter<'a> {
    next: usize,
    end: usize,
    ties: &'a [(usize, u64)],
    each: Option<&'a [u64]>,
}

impl Iterator for CountsIter<'_> {
    type Item = u64;

    #[inline(always)]
    fn next(&mut self) -> Option<u64> {
        if self.next == self.end {
            return None;
        }
        let i = self.next;
        self.next += 1;
        if let Some(each) = self.each {
            return Some(each[i]);
        }
        match self.ties.first() {
            Some(&(k, c)) if k == i => {
                self.ties = &self.ties[1..];
                Some(c)
            }
            _ => Some(1),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for CountsIter<'_> {}

impl Ranked {
    /// From unsorted values (sorted and grouped in place).
    pub fn from_values(mut values: Vec<f64>) -> Ranked {
        values.sort_unstable_by(f64::total_cmp);
        let mut counts = Counts::default();
        let mut w = 0;
        for r in 0..values.len() {
            if w > 0 && values[w - 1] == values[r] {
                counts.add_to_last(1);
            } else {
                values[w] = values[r];
                counts.push(1);
                w += 1;
            }
        }
        values.truncate(w);
        values.shrink_to_fit();
        Ranked { values, counts }
    }

    /// Merges two ranked lists, adding the counts of equal values.
    pub fn merge(a: Ranked, b: Ranked) -> Ranked {
        if b.values.is_empty() {
            return a;
        }
        if a.values.is_empty() {
            return b;
        }
        Ranked::union(&a, &b)
    }

    /// The merge of two ranked lists left in place (no copy of either is made).
    pub fn union(a: &Ranked, b: &Ranked) -> Ranked {
        let mut out = Ranked {
            values: Vec::with_capacity(a.values.len() + b.values.len()),
            counts: Counts::default(),
        };
        for (v, c) in Ranked::union_iter(a, b) {
            out.values.push(v);
            out.counts.push(c);
        }
        out
    }

    /// The (value, count) pairs of [`union`](Self::union), in order, without making it.
    pub fn union_iter<'a>(a: &'a Ranked, b: &'a Ranked) -> UnionIter<'a> {
        UnionIter {
            a: &a.values,
            a_counts: a.counts.iter(),
            b: &b.values,
            b_counts: b.counts.iter(),
            i: 0,
            j: 0,
        }
    }

    /// Rows whose value equals `x` (`==`: 0 counts −0 too), found by binary search.
    pub fn count_of(&self, x: f64) -> u64 {
        // Bounds in total order around every value equal to x (−0 and 0 for a zero).
        let (low, high) = if x == 0.0 { (-0.0, 0.0) } else { (x, x) };
        let from = self.values.partition_point(|v| v.total_cmp(&low).is_lt());
        let to = self.values.partition_point(|v| v.total_cmp(&high).is_le());
        self.counts.view().slice(from..to.max(from)).sum()
    }

    /// Total rows.
    pub fn total(&self) -> u64 {
        self.counts.sum()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// How many distinct values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// (value, count) pairs, ascending.
    pub fn iter(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.values.iter().copied().zip(self.counts.iter())
    }
}

/// The pairs of the union of two ranked lists, in order (see [`Ranked::union_iter`]).
#[derive(Debug, Clone)]
pub struct UnionIter<'a> {
    a: &'a [f64],
    a_counts: CountsIter<'a>,
    b: &'a [f64],
    b_counts: CountsIter<'a>,
    i: usize,
    j: usize,
}

impl UnionIter<'_> {
    /// The next value of the two lists merged (the first list's on a tie, as `union` takes
    /// it), with its count, consumed only when `take(value)` says so.
    #[inline(always)]
    fn next_if(&mut self, take: impl Fn(f64) -> bool) -> Option<(f64, u64)> {
        let from_a = match (self.a.get(self.i), self.b.get(self.j)) {
            (Some(x), Some(y)) => x <= y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if from_a {
            let v = self.a[self.i];
            take(v).then(|| {
                self.i += 1;
                (v, self.a_counts.next().expect("a count per value"))
            })
        } else {
            let v = self.b[self.j];
            take(v).then(|| {
                self.j += 1;
                (v, self.b_counts.next().expect("a count per value"))
            })
        }
    }
}

impl Iterator for UnionIter<'_> {
    type Item = (f64, u64);

    #[inline]
    fn next(&mut self) -> Option<(f64, u64)> {
        let (v, mut c) = self.next_if(|_| true)?;
        while let Some((_, d)) = self.next_if(|w| w == v) {
            c += d;
        }
        Some((v, c))
    }
}

/// The saved form of [`Ranked`]: values as exact decimal text, counts beside them.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RankedForm {
    values: Vec<String>,
    counts: Vec<u64>,
}

impl From<Ranked> for RankedForm {
    fn from(r: Ranked) -> RankedForm {
        RankedForm {
            // `{:?}` is the shortest text that parses back to the same f64.
            values: r.values.iter().map(|v| format!("{v:?}")).collect(),
            counts: r.counts.to_vec(),
        }
    }
}

impl TryFrom<RankedForm> for Ranked {
    type Error = String;

    fn try_from(form: RankedForm) -> Result<Ranked, String> {
        if form.values.len() != form.counts.len() {
            return Err(format!(
                "a distribution has {} but {}",
                crate::text::count(form.values.len(), "value"),
                crate::text::count(form.counts.len(), "count")
            ));
        }
        let mut values = Vec::with_capacity(form.values.len());
        for text in &form.values {
            let v: f64 = text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| format!("distribution value {text:?} is not a finite number"))?;
            if values.last().is_some_and(|&last| last >= v) {
                return Err(format!(
                    "distribution values are not strictly ascending at {text:?}"
                ));
            }
            values.push(v);
        }
        if form.counts.contains(&0) {
            return Err("a distribution count is 0".into());
        }
        Ok(Ranked {
            values,
            counts: Counts::from(form.counts),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_form_is_exact_and_checked() {
        let r = Ranked::from_values(vec![0.1, 0.1, 1e-300, 0.30000000000000004, 2.0 / 3.0, 1.0]);
        let text = serde_json::to_string(&r).unwrap();
        let back: Ranked = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
        for bad in [
            r#"{"values":["0.2","0.1"],"counts":[1,1]}"#,
            r#"{"values":["0.1"],"counts":[1,1]}"#,
            r#"{"values":["NaN"],"counts":[1]}"#,
            r#"{"values":["0.1"],"counts":[0]}"#,
        ] {
            assert!(serde_json::from_str::<Ranked>(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn eight_byte_scores_parse_as_digit_by_digit(
            text in proptest::collection::vec(
                proptest::sample::select(b"0123456789.1-+ e/:".to_vec()),
                8,
            ),
        ) {
            let text: [u8; 8] = text.try_into().unwrap();
            proptest::prop_assert_eq!(Score::parse_grid(&text), Score::parse_grid_digits(&text));
        }
    }

    #[test]
    fn six_decimals_read_at_once() {
        for (text, want) in [
            (b"0.211260", Some(211_260)),
            (b"1.000000", Some(1_000_000)),
            (b"0.000000", Some(0)),
            (b"0.999999", Some(999_999)),
            (b"1.000001", None),
            (b"2.000000", None),
            (b"0.21126a", None),
            (b"0,211260", None),
            (b"0.2112/0", None),
            (b"0.2112:0", None),
        ] {
            assert_eq!(
                six_decimals(*text),
                want,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn grid_parsing_is_exact() {
        for text in ["0.123456", "0.5", "1", "0", "1.000000", ".25", "0.000001"] {
            let s = Score::parse_grid(text.as_bytes()).unwrap();
            assert_eq!(s.value, text.parse::<f64>().unwrap(), "{text}");
        }
        for text in [
            "0.1234567",
            "1.5",
            "2",
            "1e-3",
            "-0.1",
            "",
            ".",
            "0.1x",
            "0x1",
        ] {
            assert!(
                Score::parse_grid(text.as_bytes()).is_none() || text == ".",
                "{text}"
            );
        }
    }

    #[test]
    fn every_six_decimal_value_round_trips() {
        for i in (0..=GRID_SCALE).step_by(997) {
            let text = format!("{:.6}", f64::from(i) / 1e6);
            let s = Score::parse_grid(text.as_bytes()).unwrap();
            assert_eq!(s.value, text.parse::<f64>().unwrap(), "{text}");
        }
    }

    fn column(values: &[&str]) -> ScoreColumn {
        let mut c = ScoreColumn::default();
        for v in values {
            let s =
                Score::parse_grid(v.as_bytes()).unwrap_or_else(|| Score::raw(v.parse().unwrap()));
            c.push(s);
        }
        c
    }

    #[test]
    fn distinct_values_store_no_counts() {
        let r = Ranked::from_values(vec![0.3, 0.1, 0.2]);
        assert_eq!(r.counts, Counts::ones(3));
        assert!(matches!(&r.counts, Counts::Sparse { ties, .. } if ties.is_empty()));
        assert_eq!(r.total(), 3);
        let tied = Ranked::from_values(vec![0.3, 0.1, 0.3]);
        assert_eq!(tied.counts.to_vec(), vec![1, 2]);
        assert!(matches!(&tied.counts, Counts::Sparse { ties, .. } if ties == &[(1, 2)]));
        // The two forms compare by their counts, and a union counts ties across lists.
        assert_eq!(Counts::ones(2), Counts::Each(vec![1, 1]));
        assert_ne!(Counts::ones(2), Counts::Each(vec![1, 2]));
        let u = Ranked::union(&r, &tied);
        assert_eq!(u.values, vec![0.1, 0.2, 0.3]);
        assert_eq!(u.counts.to_vec(), vec![2, 1, 3]);
        assert_eq!(
            u.counts.view().slice(1..3).iter().collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert_eq!(r.counts.view().slice(1..3).sum(), 2);
        // The union read in place gives the pairs of the union made, ties across the lists
        // included; a value is counted by binary search, a zero of either sign as zero.
        let signed = Ranked::from_values(vec![-0.0, 0.5, 1.0, 1.0, f64::NAN]);
        let zero = Ranked::from_values(vec![0.0, 0.0, 0.25, 1.0]);
        let empty = Ranked::default();
        for (a, b) in [
            (&r, &tied),
            (&signed, &zero),
            (&zero, &signed),
            (&r, &empty),
        ] {
            let made: Vec<(u64, u64)> = Ranked::union(a, b)
                .iter()
                .map(|(v, c)| (v.to_bits(), c))
                .collect();
            let read: Vec<(u64, u64)> = Ranked::union_iter(a, b)
                .map(|(v, c)| (v.to_bits(), c))
                .collect();
            assert_eq!(read, made);
        }
        assert_eq!((signed.count_of(0.0), zero.count_of(0.0)), (1, 2));
        assert_eq!(
            (signed.count_of(1.0), zero.count_of(1.0), zero.count_of(0.3)),
            (2, 1, 0)
        );
        // Few ties stay sparse; read every way, they give the counts.
        let plain: Vec<u64> = (0..100_000u64)
            .map(|i| if i % 1000 == 7 { 3 } else { 1 })
            .collect();
        let few = Counts::from(plain.clone());
        assert!(matches!(&few, Counts::Sparse { ties, .. } if ties.len() == 100));
        assert_eq!(few.to_vec(), plain);
        assert_eq!(few.sum(), plain.iter().sum::<u64>());
        assert_eq!((few[1007], few[1008], few.get(2007)), (3, 1, 3));
        let part = few.view().slice(1000..2010);
        assert_eq!(part.iter().collect::<Vec<_>>(), plain[1000..2010].to_vec());
        assert_eq!((part.get(7), part.get(8), part.len()), (3, 1, 1010));
        assert_eq!(few.slice(1000..2010).to_vec(), plain[1000..2010].to_vec());
        // Many ties store every count.
        let many: Counts = (0..10_000u64).map(|i| 1 + i % 2).collect();
        assert!(matches!(many, Counts::Each(_)));
        assert_eq!(many.sum(), 15_000);
    }

    #[test]
    fn ranked_groups_grid_and_raw_values() {
        let c = column(&["0.5", "0.25", "0.5", "0.1234567", "0.25"]);
        let r = c.into_ranked();
        assert_eq!(r.values, vec![0.1234567, 0.25, 0.5]);
        assert_eq!(r.counts.to_vec(), vec![1, 2, 2]);
    }

    fn round_trip(c: &ScoreColumn) -> ScoreColumn {
        let text = serde_json::to_string(c).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn saved_columns_read_back_equal() {
        let sparse = column(&["0.5", "0.25", "0.5", "0.1234567", "0.25", "0.1234567"]);
        assert_eq!(
            round_trip(&sparse).into_ranked(),
            sparse.clone().into_ranked()
        );
        let mut dense = ScoreColumn::default();
        for i in 0..DENSE_AT + 40 {
            dense.push(Score {
                value: (i % 11) as f64 / 1e6,
                grid: Some((i % 11) as u32),
            });
        }
        dense.push(Score::raw(0.3333333333333333));
        let back = round_trip(&dense);
        assert!(matches!(back.grid, Grid::Dense(_)));
        assert_eq!(back.into_ranked(), dense.into_ranked());
    }

    #[test]
    fn malformed_saved_columns_are_refused() {
        for text in [
            r#"{"grid":[1,2],"grid_counts":[1]}"#,
            r#"{"grid":[1000001],"grid_counts":[1]}"#,
            r#"{"values":[0.5],"value_counts":[]}"#,
        ] {
            assert!(serde_json::from_str::<ScoreColumn>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn merging_sparse_and_dense_equals_one_column() {
        let mut a = column(&["0.1", "0.2"]);
        let mut big = ScoreColumn::default();
        for i in 0..DENSE_AT {
            big.push(Score {
                value: (i % 7) as f64 / 1e6,
                grid: Some((i % 7) as u32),
            });
        }
        a.merge(&big);
        let r = a.into_ranked();
        assert_eq!(r.total(), DENSE_AT as u64 + 2);
        assert_eq!(r.values.len(), 9);
    }

    #[test]
    fn merging_all_at_once_equals_merging_in_turn() {
        let dense = |offset: usize| {
            let mut c = column(&["0.5", "0.1234567"]);
            for i in 0..DENSE_AT + 40 {
                let g = ((i * 7919 + offset) % 1000) as u32;
                c.push(Score {
                    value: f64::from(g) / 1e6,
                    grid: Some(g),
                });
            }
            c
        };
        let (d1, d2) = (dense(0), dense(3));
        let sparse = column(&["0.25", "0.001", "0.3333333"]);
        for start in [ScoreColumn::default(), column(&["0.7"]), dense(11)] {
            let parts = [&d1, &sparse, &d2];
            let mut in_turn = start.clone();
            for p in parts {
                in_turn.merge(p);
            }
            let mut at_once = start;
            at_once.merge_all(&parts);
            assert_eq!(at_once.count(), in_turn.count());
            assert_eq!(at_once.into_ranked(), in_turn.into_ranked());
        }
    }

    /// A dense column of `n` points drawn with heavy repeats (some counts wrap the one-byte
    /// table many times, others never), and the exact count of each point.
    fn counted(n: usize, seed: u64) -> (ScoreColumn, std::collections::BTreeMap<u32, u64>) {
        let mut c = ScoreColumn::default();
        let mut exact = std::collections::BTreeMap::new();
        let mut x = seed;
        for _ in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let g = match (x >> 60) % 4 {
                0 => 5,
                1 => ((x >> 20) % 300) as u32,
                _ => ((x >> 20) % u64::from(GRID_SCALE + 1)) as u32,
            };
            c.push(Score {
                value: f64::from(g) / 1e6,
                grid: Some(g),
            });
            *exact.entry(g).or_insert(0) += 1;
        }
        (c, exact)
    }

    fn counts_of(c: ScoreColumn) -> std::collections::BTreeMap<u32, u64> {
        let r = c.into_ranked();
        r.values
            .iter()
            .map(|&v| (v * 1e6).round() as u32)
            .zip(r.counts.iter())
            .collect()
    }

    #[test]
    fn one_byte_counts_carry_and_fold_exactly() {
        let (a, mut exact) = counted(DENSE_AT + 300_000, 1);
        assert!(matches!(a.grid, Grid::Dense(_)));
        assert_eq!(a.count(), (DENSE_AT + 300_000) as u64);
        assert_eq!(counts_of(a.clone()), exact);
        // Merged while both still count in one-byte tables, at once and in turn.
        let (b, more) = counted(DENSE_AT + 5_000, 2);
        for (g, n) in more {
            *exact.entry(g).or_insert(0) += n;
        }
        let mut in_turn = a.clone();
        in_turn.merge(&b);
        let mut at_once = ScoreColumn::default();
        at_once.merge_all(&[&a, &b]);
        assert_eq!(in_turn.count(), at_once.count());
        // Heavy points carried: settled, the column is one table of full counts.
        let mut settled = in_turn.clone();
        assert!(settled.settle_grid());
        let Some(GridTable::Full(table)) = settled.grid_table() else {
            panic!("full counts expected")
        };
        let from_table: std::collections::BTreeMap<u32, u64> = (0..table.len())
            .filter(|&k| table[k] > 0)
            .map(|k| (k as u32, u64::from(table[k])))
            .collect();
        assert_eq!(from_table, exact);
        assert_eq!(counts_of(in_turn), exact);
        assert_eq!(counts_of(at_once.clone()), exact);
        assert_eq!(counts_of(round_trip(&at_once)), exact);
    }

    #[test]
    fn light_columns_settle_into_their_byte_table() {
        // Every point at most twice, three times after a merge: no count passes 255.
        let mut light = ScoreColumn::default();
        for i in 0..DENSE_AT + 1000 {
            let g = (i * 7 % (GRID_LEN - 1)) as u32;
            light.push(Score {
                value: f64::from(g) / 1e6,
                grid: Some(g),
            });
        }
        assert!(
            light.grid_table().is_none(),
            "unsettled: points still buffered"
        );
        let mut merged = light.clone();
        merged.merge(&light);
        for mut c in [light, merged] {
            assert!(c.settle_grid());
            let Some(GridTable::Bytes(table)) = c.grid_table() else {
                panic!("one-byte counts expected")
            };
            let total: u64 = table.iter().map(|&n| u64::from(n)).sum();
            assert_eq!(total, c.count());
            let expected: Vec<u64> = table
                .iter()
                .filter(|&&n| n > 0)
                .map(|&n| u64::from(n))
                .collect();
            assert_eq!(c.into_ranked().counts.to_vec(), expected);
        }
    }

    #[test]
    fn full_counts_overflow_into_values() {
        let mut counts = vec![0u32; 4];
        counts[1] = u32::MAX - 100;
        let mut overflow = Vec::new();
        add_count(&mut counts, 1, 256, &mut overflow);
        assert_eq!(counts[1], u32::MAX);
        assert_eq!(overflow, vec![1e-6; 156]);
        let mut mine = vec![u32::MAX - 1, 7, 0, 0];
        let mut overflow = Vec::new();
        add_table(&mut mine, &[3u8, 1, 0, 255], &mut overflow);
        assert_eq!(mine, vec![u32::MAX, 8, 0, 255]);
        assert_eq!(overflow, vec![0.0; 2]);
    }
}
