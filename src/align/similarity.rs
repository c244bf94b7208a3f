//! Similarity between jurisdiction profiles: seven metrics, missing-aware, computed in row blocks.
//!
//! A pair of jurisdictions is compared on the components both have (its overlap); below the
//! minimum overlap, or where a metric is undefined (a zero vector for cosine, a constant vector for
//! a correlation), the similarity is unknown (`None`), never NaN.
//!
//! Cosine and Pearson are computed with matrix products over row blocks. With the values `X` (0
//! where unknown), their squares `X2` and the mask `M` (1 where known), every sum a pair needs over
//! its overlap is a masked product: `X Xt` (cross products) and `M Mt` (the overlap count) as
//! nalgebra products; `X2 Mt` and `M X2t` (each side's sum of squares over the overlap), and `X Mt`
//! and `M Xt` (sums, for Pearson), as products with the sparser side of each row's mask: the row
//! total minus its unknown components, or the sum of its known ones. A block holds rows `r0..r1`
//! against columns `r0..n`, the upper triangle, and blocks are computed in parallel; a block's
//! numbers do not depend on how many threads run or how large the blocks are. The other metrics
//! compare each pair directly (`Engine::pair`).
//!
//! Sums taken by subtraction cancel: a row total minus its unknown components leaves rounding
//! noise of the size of the total, and a Pearson variance over the overlap, `sum(x²) - sum(x)²/n`,
//! cancels when the overlap's values are nearly constant but far from the row's mean (the pair
//! (50, 0) and (25, 25.000001) over two components, where the second row also knows a third). A
//! pair whose overlap sum of squares (for Pearson: its centred sum of squares) on either side is
//! below `CANCELLATION` of that row's whole sum of squares is therefore computed directly, in two
//! passes over the overlap, instead of from the products. Above it the rounding error of a
//! product-based similarity is of the order of `k * sqrt(m) * 2^-53 / CANCELLATION` for `k`
//! subtracted of `m` components (about 1e-10 at a hundred components, in the worst case).

use std::cmp::Ordering;
use std::ops::Range;

use nalgebra::{DMatrix, DMatrixViewMut};
use rayon::prelude::*;

/// Rows per block when a whole matrix is built.
pub const BLOCK_ROWS: usize = 128;
/// Columns per tile when nearest neighbours are found (a tile of `BLOCK_ROWS` x `TOP_COLS`
/// cells is what a worker holds).
const TOP_COLS: usize = 4096;
/// Columns per product tile inside a block (keeps the intermediate products in cache).
const TILE_COLS: usize = 256;
/// A pair whose overlap sum of squares (centred, for Pearson) is below this share of either row's
/// whole sum of squares is computed directly: the products may have cancelled.
const CANCELLATION: f64 = 1e-3;

/// A similarity metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Cosine of the angle between the two profiles.
    Cosine,
    /// Pearson correlation over the overlap.
    Pearson,
    /// Spearman rank correlation (Pearson on average ranks within the overlap).
    Spearman,
    /// 1 - root mean squared difference / scale range.
    Euclidean,
    /// 1 - mean of |a - b| / component range (Gower, 1971).
    Gower,
    /// Share of components with equal categories.
    Agreement,
    /// Cohen's kappa on the categories.
    Kappa,
}

impl Metric {
    /// The name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Cosine => "cosine",
            Metric::Pearson => "pearson",
            Metric::Spearman => "spearman",
            Metric::Euclidean => "euclidean",
            Metric::Gower => "gower",
            Metric::Agreement => "agreement",
            Metric::Kappa => "kappa",
        }
    }

    /// Every metric.
    pub fn all() -> [Metric; 7] {
        [
            Metric::Cosine,
            Metric::Pearson,
            Metric::Spearman,
            Metric::Euclidean,
            Metric::Gower,
            Metric::Agreement,
            Metric::Kappa,
        ]
    }

    /// True for metrics on categories (agreement, kappa).
    pub(crate) fn categorical(self) -> bool {
        matches!(self, Metric::Agreement | Metric::Kappa)
    }

    /// The smallest similarity the metric can give (-1 for correlations and kappa, else 0).
    pub fn min_similarity(self) -> f64 {
        match self {
            Metric::Cosine | Metric::Pearson | Metric::Spearman | Metric::Kappa => -1.0,
            Metric::Euclidean | Metric::Gower | Metric::Agreement => 0.0,
        }
    }
}

/// Profiles: one row per jurisdiction, one column per component; `None` is unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct Profiles {
    /// Rows (jurisdictions).
    pub nrow: usize,
    /// Columns (components).
    pub ncol: usize,
    values: Vec<Option<f64>>,
}

impl Profiles {
    /// All-unknown profiles.
    pub fn new(nrow: usize, ncol: usize) -> Profiles {
        Profiles {
            nrow,
            ncol,
            values: vec![None; nrow * ncol],
        }
    }

    /// Profiles from rows; shorter rows are padded with unknowns, non-finite values are unknown.
    pub fn from_rows(rows: &[Vec<Option<f64>>]) -> Profiles {
        let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut p = Profiles::new(rows.len(), ncol);
        for (i, row) in rows.iter().enumerate() {
            for (k, v) in row.iter().enumerate() {
                p.set(i, k, *v);
            }
        }
        p
    }

    /// One row.
    pub fn row(&self, i: usize) -> &[Option<f64>] {
        &self.values[i * self.ncol..(i + 1) * self.ncol]
    }

    /// One cell.
    pub fn get(&self, i: usize, k: usize) -> Option<f64> {
        self.values[i * self.ncol + k]
    }

    /// Sets one cell (non-finite values are stored as unknown).
    pub fn set(&mut self, i: usize, k: usize, v: Option<f64>) {
        self.values[i * self.ncol + k] = v.filter(|x| x.is_finite());
    }

    /// Number of known components of a row.
    pub fn known(&self, i: usize) -> usize {
        self.row(i).iter().filter(|v| v.is_some()).count()
    }
}

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The metric.
    pub metric: Metric,
    /// Pairs sharing fewer components than this are unknown (at least 1 is always required).
    pub min_overlap: usize,
    /// The scale of the components `[lower, upper]`, for euclidean (widened to any value outside).
    pub scale: [f64; 2],
}

/// A block of the similarity matrix: rows `rows` against columns `cols` (`cols.start ==
/// rows.start`: the upper triangle and the block's own square).
#[derive(Debug, Clone)]
pub struct Block {
    /// Rows of the block.
    pub rows: Range<usize>,
    /// Columns of the block.
    pub cols: Range<usize>,
    similarity: Vec<f64>,
    overlap: Vec<u32>,
}

impl Block {
    fn at(&self, r: usize, c: usize) -> usize {
        (c - self.cols.start) * self.rows.len() + (r - self.rows.start)
    }

    /// Similarity of row `r` and column `c` (absolute indices inside the block).
    pub(crate) fn similarity(&self, r: usize, c: usize) -> Option<f64> {
        let v = self.similarity[self.at(r, c)];
        (!v.is_nan()).then_some(v)
    }

    /// Components shared by row `r` and column `c`.
    pub(crate) fn overlap(&self, r: usize, c: usize) -> u32 {
        self.overlap[self.at(r, c)]
    }

    /// Every cell of the block as `(row, column, similarity, overlap)`, column by column.
    pub fn cells(&self) -> impl Iterator<Item = (usize, usize, Option<f64>, u32)> + '_ {
        let len = self.rows.len().max(1);
        let r0 = self.rows.start;
        let c0 = self.cols.start;
        self.similarity
            .chunks(len)
            .zip(self.overlap.chunks(len))
            .enumerate()
            .flat_map(move |(j, (s, o))| {
                s.iter()
                    .zip(o)
                    .enumerate()
                    .map(move |(i, (s, o))| (r0 + i, c0 + j, (!s.is_nan()).then_some(*s), *o))
            })
    }
}

/// A whole, symmetric similarity matrix with its overlap counts.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarityMatrix {
    /// Rows and columns.
    pub n: usize,
    /// NaN where unknown (8 bytes a cell instead of 16 for an `Option`).
    similarity: Vec<f64>,
    overlap: Vec<u32>,
}

impl SimilarityMatrix {
    /// Similarity of `i` and `j`.
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        let v = self.similarity[i * self.n + j];
        (!v.is_nan()).then_some(v)
    }

    /// Components shared by `i` and `j` (for `i == j`, the components `i` has).
    pub fn overlap(&self, i: usize, j: usize) -> u32 {
        self.overlap[i * self.n + j]
    }
}

/// Dense matrices for the product-based metrics, jurisdictions as rows (`x`) and as columns
/// (`xt`), and each row's sparse side of the mask.
struct Dense {
    n: usize,
    x: DMatrix<f64>,
    xt: DMatrix<f64>,
    x2: DMatrix<f64>,
    /// The mask in single precision for the overlap count (exact below 2^24 components).
    m32: DMatrix<f32>,
    m32t: DMatrix<f32>,
    /// Row sums of `x` and `x2` over the row's known components.
    total_x: Vec<f64>,
    total_x2: Vec<f64>,
    /// Per row: true when `sets` lists its unknown components (fewer than half), false when it
    /// lists its known ones.
    complement: Vec<bool>,
    sets: Vec<Vec<usize>>,
}

impl Dense {
    /// `out[j * len + i]` = sum of `v[r0 + i, k]` over the components row `c0 + j` knows: the
    /// masked product `V M^T`, computed from the sparse side of row `c0 + j`'s mask (its
    /// unknowns, subtracted from the row total, or its knowns, added).
    fn left_sums(
        &self,
        v: &DMatrix<f64>,
        totals: &[f64],
        (r0, len, c0, w): (usize, usize, usize, usize),
        out: &mut [f64],
    ) {
        let data = v.as_slice();
        for (j, o) in out.chunks_mut(len).take(w).enumerate() {
            let col = c0 + j;
            let complement = self.complement[col];
            if complement {
                o.copy_from_slice(&totals[r0..r0 + len]);
            } else {
                o.fill(0.0);
            }
            for &k in &self.sets[col] {
                let src = &data[k * self.n + r0..k * self.n + r0 + len];
                if complement {
                    o.iter_mut().zip(src).for_each(|(a, b)| *a -= b);
                } else {
                    o.iter_mut().zip(src).for_each(|(a, b)| *a += b);
                }
            }
        }
    }

    /// `out[i * w + j]` = sum of `v[c0 + j, k]` over the components row `r0 + i` knows: the
    /// masked product `M V^T`, from the sparse side of row `r0 + i`'s mask.
    fn right_sums(
        &self,
        v: &DMatrix<f64>,
        totals: &[f64],
        (r0, len, c0, w): (usize, usize, usize, usize),
        out: &mut [f64],
    ) {
        let data = v.as_slice();
        for (i, o) in out.chunks_mut(w).take(len).enumerate() {
            let row = r0 + i;
            let complement = self.complement[row];
            if complement {
                o.copy_from_slice(&totals[c0..c0 + w]);
            } else {
                o.fill(0.0);
            }
            for &k in &self.sets[row] {
                let src = &data[k * self.n + c0..k * self.n + c0 + w];
                if complement {
                    o.iter_mut().zip(src).for_each(|(a, b)| *a -= b);
                } else {
                    o.iter_mut().zip(src).for_each(|(a, b)| *a += b);
                }
            }
        }
    }
}

/// Computes similarities of one set of profiles.
pub struct Engine<'a> {
    profiles: &'a Profiles,
    settings: Settings,
    span: f64,
    ranges: Vec<f64>,
    dense: Option<Dense>,
}

impl<'a> Engine<'a> {
    /// Prepares the computation (for cosine and Pearson, the dense matrices).
    pub fn new(profiles: &'a Profiles, settings: Settings) -> Engine<'a> {
        let (n, m) = (profiles.nrow, profiles.ncol);
        let [mut lo, mut hi] = settings.scale;
        let mut ranges = vec![0.0; m];
        let mut col_lo = vec![f64::INFINITY; m];
        let mut col_hi = vec![f64::NEG_INFINITY; m];
        for i in 0..n {
            for (k, v) in profiles.row(i).iter().enumerate() {
                if let Some(x) = *v {
                    lo = lo.min(x);
                    hi = hi.max(x);
                    col_lo[k] = col_lo[k].min(x);
                    col_hi[k] = col_hi[k].max(x);
                }
            }
        }
        for k in 0..m {
            if col_hi[k] > col_lo[k] {
                ranges[k] = col_hi[k] - col_lo[k];
            }
        }
        let dense = matches!(settings.metric, Metric::Cosine | Metric::Pearson)
            .then(|| dense(profiles, settings.metric == Metric::Pearson));
        Engine {
            profiles,
            settings,
            span: hi - lo,
            ranges,
            dense,
        }
    }

    /// The least overlap a pair needs.
    fn min_overlap(&self) -> usize {
        self.settings.min_overlap.max(1)
    }

    /// Similarity and overlap of two profiles, compared directly on their common components
    /// (Gower's ranges are those of the engine's profiles).
    pub fn pair(&self, a: &[Option<f64>], b: &[Option<f64>]) -> (Option<f64>, usize) {
        self.pair_with(a, b, &self.ranges)
    }

    fn pair_with(
        &self,
        a: &[Option<f64>],
        b: &[Option<f64>],
        ranges: &[f64],
    ) -> (Option<f64>, usize) {
        if matches!(self.settings.metric, Metric::Gower | Metric::Euclidean) {
            return self.pair_summed(a, b, ranges);
        }
        let mut xa = Vec::with_capacity(a.len());
        let mut xb = Vec::with_capacity(a.len());
        let mut rs = Vec::with_capacity(a.len());
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            if let (Some(x), Some(y)) = (x, y) {
                xa.push(*x);
                xb.push(*y);
                rs.push(ranges.get(k).copied().unwrap_or(0.0));
            }
        }
        let overlap = xa.len();
        if overlap < self.min_overlap() {
            return (None, overlap);
        }
        let s = match self.settings.metric {
            Metric::Cosine => cosine(&xa, &xb),
            Metric::Pearson => pearson(&xa, &xb),
            Metric::Spearman => spearman(&xa, &xb),
            Metric::Euclidean => euclidean(&xa, &xb, self.span),
            Metric::Gower => gower(&xa, &xb, &rs),
            Metric::Agreement => agreement(&xa, &xb),
            Metric::Kappa => kappa(&xa, &xb),
        };
        (s, overlap)
    }

    /// Gower and euclidean in one pass without copying the overlap: the same terms added in the
    /// same order as [`gower`] and [`euclidean`] (every term is at least +0, so starting the sum
    /// at +0 or -0 gives the same bits), hence the same value to the bit.
    fn pair_summed(
        &self,
        a: &[Option<f64>],
        b: &[Option<f64>],
        ranges: &[f64],
    ) -> (Option<f64>, usize) {
        let gower = self.settings.metric == Metric::Gower;
        let mut total = 0.0;
        let mut overlap = 0usize;
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            if let (Some(x), Some(y)) = (x, y) {
                overlap += 1;
                total += if gower {
                    let r = ranges.get(k).copied().unwrap_or(0.0);
                    if r > 0.0 {
                        ((x - y).abs() / r).min(1.0)
                    } else {
                        0.0
                    }
                } else {
                    (x - y) * (x - y)
                };
            }
        }
        (self.finish_summed(total, overlap), overlap)
    }

    /// Gower's or euclidean similarity from the sum of the terms over the overlap.
    fn finish_summed(&self, total: f64, overlap: usize) -> Option<f64> {
        if overlap < self.min_overlap() {
            return None;
        }
        if self.settings.metric == Metric::Gower {
            let s = 1.0 - total / overlap as f64;
            s.is_finite().then_some(s.clamp(0.0, 1.0))
        } else if self.span <= 0.0 {
            None
        } else {
            let s = 1.0 - (total / overlap as f64).sqrt() / self.span;
            s.is_finite().then_some(s.clamp(0.0, 1.0))
        }
    }

    /// The profiles component by component (values with 0 for unknown, and 1/0 masks), for
    /// [`Engine::summed_tile`]; `None` for the metrics it does not compute.
    fn lanes(&self) -> Option<Lanes> {
        if !matches!(self.settings.metric, Metric::Gower | Metric::Euclidean) {
            return None;
        }
        let (n, m) = (self.profiles.nrow, self.profiles.ncol);
        let mut values = vec![0.0; n * m];
        let mut known = vec![0.0; n * m];
        for i in 0..n {
            for (k, v) in self.profiles.row(i).iter().enumerate() {
                if let Some(x) = *v {
                    values[k * n + i] = x;
                    known[k * n + i] = 1.0;
                }
            }
        }
        Some(Lanes { values, known })
    }

    /// Gower or euclidean for the cells of a tile, `LANES` columns at a time: each column's sum
    /// takes the same terms in the same order as [`Engine::pair_summed`], plus a term of +0 for
    /// every component the pair does not share (a term times a mask of 0), which leaves a sum of
    /// terms that are at least +0 unchanged to the bit; the sums of several pairs advance
    /// together, which is what makes it fast. The last columns (fewer than `LANES`) go pair by
    /// pair.
    fn summed_tile(&self, lanes: &Lanes, block: &mut Block) {
        const LANES: usize = 8;
        let n = self.profiles.nrow;
        let m = self.profiles.ncol;
        let gower = self.settings.metric == Metric::Gower;
        let (values, known) = (&lanes.values, &lanes.known);
        let cols = block.cols.clone();
        let mut c = cols.start;
        while c + LANES <= cols.end {
            for r in block.rows.clone() {
                let mut total = [0.0f64; LANES];
                let mut count = [0.0f64; LANES];
                for k in 0..m {
                    if known[k * n + r] == 0.0 {
                        continue;
                    }
                    let x = values[k * n + r];
                    let ys = &values[k * n + c..k * n + c + LANES];
                    let ks = &known[k * n + c..k * n + c + LANES];
                    if gower {
                        let range = self.ranges[k];
                        if range > 0.0 {
                            for l in 0..LANES {
                                total[l] += ((x - ys[l]).abs() / range).min(1.0) * ks[l];
                            }
                        }
                    } else {
                        for l in 0..LANES {
                            // A select rather than a product with the mask: a square that
                            // overflowed would make inf x 0 = NaN.
                            let d = x - ys[l];
                            total[l] += if ks[l] != 0.0 { d * d } else { 0.0 };
                        }
                    }
                    for l in 0..LANES {
                        count[l] += ks[l];
                    }
                }
                for l in 0..LANES {
                    let overlap = count[l] as usize;
                    let at = block.at(r, c + l);
                    block.similarity[at] =
                        self.finish_summed(total[l], overlap).unwrap_or(f64::NAN);
                    block.overlap[at] = overlap as u32;
                }
            }
            c += LANES;
        }
        for c in c..cols.end {
            for r in block.rows.clone() {
                let (s, o) = self.pair(self.profiles.row(r), self.profiles.row(c));
                let at = block.at(r, c);
                block.similarity[at] = s.unwrap_or(f64::NAN);
                block.overlap[at] = o as u32;
            }
        }
    }

    /// Each row's `k` most similar other rows, best first: higher similarity first, then the
    /// earlier row (see [`Neighbour::better`]); pairs with an unknown similarity are left out,
    /// so a row may have fewer. Every similarity is the value [`Engine::matrix`] holds for the
    /// pair: each pair is computed once, in the upper triangle, in tiles of `BLOCK_ROWS` rows x
    /// `TOP_COLS` columns, and offered to both its rows. A few row blocks are worked on in
    /// parallel, each keeping, for every column, the best `k` of its rows; these are merged in
    /// block order. The best `k` under a total order are one set, so the result does not depend
    /// on the thread count. Memory: the lists (`n * k` neighbours) and, per block in flight, one
    /// tile and `n * min(k, BLOCK_ROWS)` candidates.
    pub(crate) fn top(&self, k: usize) -> Vec<Vec<Neighbour>> {
        let n = self.profiles.nrow;
        let mut lists: Vec<Vec<Neighbour>> = vec![Vec::new(); n];
        if k == 0 {
            return lists;
        }
        let lanes = self.lanes();
        let starts: Vec<usize> = (0..n).step_by(BLOCK_ROWS).collect();
        let group = 2 * rayon::current_num_threads().max(1);
        for starts in starts.chunks(group) {
            let found: Vec<Vec<(usize, Neighbour)>> = starts
                .par_iter()
                .map(|&s| self.top_candidates(s..(s + BLOCK_ROWS).min(n), k, lanes.as_ref()))
                .collect();
            for (unit, nb) in found.into_iter().flatten() {
                offer(&mut lists[unit], nb, k);
            }
        }
        lists
    }

    /// The candidates one row block gives, as `(unit, neighbour)`: each of its rows' best `k`
    /// among the pairs with a row of the block or a later one, and each later row's best `k`
    /// among the block's rows.
    fn top_candidates(
        &self,
        rows: Range<usize>,
        k: usize,
        lanes: Option<&Lanes>,
    ) -> Vec<(usize, Neighbour)> {
        let n = self.profiles.nrow;
        let mut own: Vec<Vec<Neighbour>> = vec![Vec::new(); rows.len()];
        let mut out = Vec::new();
        let mut column = Vec::new();
        let mut c0 = rows.start;
        while c0 < n {
            let c1 = (c0 + TOP_COLS).min(n);
            let tile = self.tile_in(rows.clone(), c0..c1, lanes);
            for c in c0..c1 {
                column.clear();
                for r in rows.start..c.min(rows.end) {
                    let Some(similarity) = tile.similarity(r, c) else {
                        continue;
                    };
                    let overlap = tile.overlap(r, c);
                    offer(
                        &mut own[r - rows.start],
                        Neighbour {
                            row: c,
                            similarity,
                            overlap,
                        },
                        k,
                    );
                    let back = Neighbour {
                        row: r,
                        similarity,
                        overlap,
                    };
                    if c < rows.end {
                        offer(&mut own[c - rows.start], back, k);
                    } else {
                        column.push(back);
                    }
                }
                if column.len() > k {
                    column.sort_by(Neighbour::better);
                    column.truncate(k);
                }
                out.extend(column.iter().map(|nb| (c, *nb)));
            }
            c0 = c1;
        }
        for (x, list) in own.into_iter().enumerate() {
            out.extend(list.into_iter().map(|nb| (rows.start + x, nb)));
        }
        out
    }

    /// Row `r` of [`Engine::matrix`] (similarity and overlap with every row), computed in the
    /// tiles the matrix computes each pair in, so that every value is the matrix's to the bit
    /// (a product's rounding may depend on the shape of the tile it is computed in): the pairs
    /// with later rows from `r`'s row block, the others from their own row block's tile that
    /// holds column `r`. Memory: one tile.
    pub(crate) fn row_as_matrix(&self, r: usize) -> Vec<(Option<f64>, u32)> {
        let n = self.profiles.nrow;
        let b = BLOCK_ROWS;
        let mut out = vec![(None, 0); n];
        let r0 = r / b * b;
        let rows = r0..(r0 + b).min(n);
        let mut c0 = r0;
        while c0 < n {
            let c1 = (c0 + TOP_COLS).min(n);
            let t = self.tile(rows.clone(), c0..c1);
            for (j, o) in out.iter_mut().enumerate().take(c1).skip(c0.max(r)) {
                *o = (t.similarity(r, j), t.overlap(r, j));
            }
            if c0 == r0 {
                for (j, o) in out.iter_mut().enumerate().take(r).skip(r0) {
                    *o = (t.similarity(j, r), t.overlap(j, r));
                }
            }
            c0 = c1;
        }
        for s in (0..r0).step_by(b) {
            let c = s + (r - s) / TILE_COLS * TILE_COLS;
            let t = self.tile(s..s + b, c..(c + TILE_COLS).min(n));
            for (j, o) in out.iter_mut().enumerate().take(s + b).skip(s) {
                *o = (t.similarity(j, r), t.overlap(j, r));
            }
        }
        out
    }

    /// Similarity of every profile with a reference profile (the ideal), compared directly;
    /// Gower's ranges also take in the reference's values.
    pub(crate) fn against(&self, reference: &[Option<f64>]) -> Vec<(Option<f64>, usize)> {
        let mut ranges = self.ranges.clone();
        for (k, r) in reference.iter().enumerate().take(ranges.len()) {
            let Some(r) = *r else { continue };
            let (mut lo, mut hi) = (r, r);
            for i in 0..self.profiles.nrow {
                if let Some(x) = self.profiles.get(i, k) {
                    lo = lo.min(x);
                    hi = hi.max(x);
                }
            }
            ranges[k] = hi - lo;
        }
        (0..self.profiles.nrow)
            .map(|i| self.pair_with(self.profiles.row(i), reference, &ranges))
            .collect()
    }

    /// One block: rows `rows` against columns `rows.start..n`. The diagonal is 1 when the
    /// jurisdiction has at least the minimum overlap of components, else unknown.
    pub(crate) fn block(&self, rows: Range<usize>) -> Block {
        let n = self.profiles.nrow;
        self.tile(rows.clone(), rows.start.min(n)..n)
    }

    /// Rows `rows` against columns `cols`, every cell computed as in [`Engine::block`]. A direct
    /// metric's cell does not depend on the tile; a product's rounding may depend on the tile's
    /// shape, so the matrix's values come from the matrix's tiles (see
    /// [`Engine::row_as_matrix`]). Cells with the row after the column are computed with the row
    /// as the left-hand profile: use the upper ones where the order matters.
    pub(crate) fn tile(&self, rows: Range<usize>, cols: Range<usize>) -> Block {
        self.tile_in(rows, cols, None)
    }

    /// [`Engine::tile`], with Gower and euclidean computed several pairs at a time when `lanes`
    /// is given (the same values to the bit).
    fn tile_in(&self, rows: Range<usize>, cols: Range<usize>, lanes: Option<&Lanes>) -> Block {
        let n = self.profiles.nrow;
        let rows = rows.start.min(n)..rows.end.min(n);
        let cols = cols.start.min(n)..cols.end.min(n);
        let len = rows.len();
        let mut block = Block {
            similarity: vec![f64::NAN; len * cols.len()],
            overlap: vec![0; len * cols.len()],
            rows,
            cols,
        };
        match (&self.dense, lanes) {
            (Some(d), _) => self.dense_block(d, &mut block),
            (None, Some(l)) => self.summed_tile(l, &mut block),
            (None, None) => {
                for c in block.cols.clone() {
                    for r in block.rows.clone() {
                        let (s, o) = self.pair(self.profiles.row(r), self.profiles.row(c));
                        let at = block.at(r, c);
                        block.similarity[at] = s.unwrap_or(f64::NAN);
                        block.overlap[at] = o as u32;
                    }
                }
            }
        }
        for r in block.rows.clone() {
            if !block.cols.contains(&r) {
                continue;
            }
            let at = block.at(r, r);
            let own = self.profiles.known(r);
            block.overlap[at] = own as u32;
            block.similarity[at] = if own >= self.min_overlap() {
                1.0
            } else {
                f64::NAN
            };
        }
        block
    }

    fn dense_block(&self, d: &Dense, block: &mut Block) {
        let r0 = block.rows.start;
        let len = block.rows.len();
        let n = block.cols.end;
        let min = self.min_overlap() as f64;
        let pearson = self.settings.metric == Metric::Pearson;
        if len == 0 {
            return;
        }
        let tile = TILE_COLS.min(block.cols.len()).max(1);
        let mut sxy = vec![0.0f64; len * tile];
        let mut count = vec![0.0f32; len * tile];
        let mut sxx = vec![0.0f64; len * tile];
        let mut syy = vec![0.0f64; len * tile];
        let mut scratch = vec![0.0f64; len * tile];
        let (mut sx, mut sy) = if pearson {
            (vec![0.0f64; len * tile], vec![0.0f64; len * tile])
        } else {
            (Vec::new(), Vec::new())
        };
        let mut c0 = block.cols.start;
        while c0 < n {
            let w = tile.min(n - c0);
            let size = len * w;
            DMatrixViewMut::from_slice(&mut sxy[..size], len, w).gemm(
                1.0,
                &d.x.rows(r0, len),
                &d.xt.columns(c0, w),
                0.0,
            );
            DMatrixViewMut::from_slice(&mut count[..size], len, w).gemm(
                1.0,
                &d.m32.rows(r0, len),
                &d.m32t.columns(c0, w),
                0.0,
            );
            let at = (r0, len, c0, w);
            d.left_sums(&d.x2, &d.total_x2, at, &mut sxx[..size]);
            d.right_sums(&d.x2, &d.total_x2, at, &mut syy[..size]);
            if pearson {
                d.left_sums(&d.x, &d.total_x, at, &mut sx[..size]);
                d.right_sums(&d.x, &d.total_x, at, &mut sy[..size]);
            }
            // The right-hand sums come row by row; turn them column-major like the rest.
            transpose(&syy[..size], len, w, &mut scratch[..size]);
            std::mem::swap(&mut syy, &mut scratch);
            if pearson {
                transpose(&sy[..size], len, w, &mut scratch[..size]);
                std::mem::swap(&mut sy, &mut scratch);
            }
            let start = block.at(r0, c0);
            let out_sim = &mut block.similarity[start..start + size];
            let out_overlap = &mut block.overlap[start..start + size];
            let norm_x = &d.total_x2[r0..r0 + len];
            let mut recheck = Vec::new();
            for j in 0..w {
                let col = j * len..(j + 1) * len;
                let cells = Cells {
                    count: &count[col.clone()],
                    xy: &sxy[col.clone()],
                    xx: &sxx[col.clone()],
                    yy: &syy[col.clone()],
                    x: if pearson { &sx[col.clone()] } else { &[] },
                    y: if pearson { &sy[col.clone()] } else { &[] },
                    norm_x,
                    norm_y: d.total_x2[c0 + j],
                    min,
                };
                cells.finish(
                    &mut out_sim[col.clone()],
                    &mut out_overlap[col],
                    &mut recheck,
                );
                for i in recheck.drain(..) {
                    let (s, _) = self.pair(self.profiles.row(r0 + i), self.profiles.row(c0 + j));
                    out_sim[j * len + i] = s.unwrap_or(f64::NAN);
                }
            }
            c0 += w;
        }
    }

    /// Computes every block of `block_rows` rows in parallel and hands each to `f`; the results
    /// come back in block order. Only the blocks being worked on are held in memory.
    pub fn blocks<R, F>(&self, block_rows: usize, f: F) -> Vec<R>
    where
        R: Send,
        F: Fn(Block) -> R + Sync + Send,
    {
        let n = self.profiles.nrow;
        let b = block_rows.max(1);
        let starts: Vec<usize> = (0..n).step_by(b).collect();
        starts
            .into_par_iter()
            .map(|s| f(self.block(s..(s + b).min(n))))
            .collect()
    }

    /// The whole matrix, symmetric by construction (each pair is computed once, above the
    /// diagonal), with a diagonal of 1 (unknown for a jurisdiction below the minimum overlap).
    /// Blocks are computed a few at a time in parallel and copied in, so that only those few are
    /// held beside the matrix.
    pub fn matrix(&self) -> SimilarityMatrix {
        let n = self.profiles.nrow;
        let mut similarity = vec![f64::NAN; n * n];
        let mut overlap = vec![0; n * n];
        let starts: Vec<usize> = (0..n).step_by(BLOCK_ROWS).collect();
        let group = 2 * rayon::current_num_threads().max(1);
        for starts in starts.chunks(group) {
            let blocks: Vec<Block> = starts
                .par_iter()
                .map(|&s| self.block(s..(s + BLOCK_ROWS).min(n)))
                .collect();
            for block in blocks {
                for (r, c, s, o) in block.cells() {
                    if c < r {
                        continue;
                    }
                    let s = s.unwrap_or(f64::NAN);
                    similarity[r * n + c] = s;
                    similarity[c * n + r] = s;
                    overlap[r * n + c] = o;
                    overlap[c * n + r] = o;
                }
            }
        }
        SimilarityMatrix {
            n,
            similarity,
            overlap,
        }
    }
}

/// Profiles component by component: `values[k * n + i]` (0 where unknown) and `known` (1 or 0).
struct Lanes {
    values: Vec<f64>,
    known: Vec<f64>,
}

/// One of a unit's nearest neighbours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// The neighbour's row.
    pub row: usize,
    /// Their similarity.
    pub similarity: f64,
    /// Components they share.
    pub overlap: u32,
}

impl Neighbour {
    /// The neighbour order: higher similarity first, then the earlier row (the earlier code).
    pub(crate) fn better(a: &Neighbour, b: &Neighbour) -> Ordering {
        b.similarity
            .total_cmp(&a.similarity)
            .then(a.row.cmp(&b.row))
    }
}

/// Puts `nb` into a best-first list of at most `k`, if it belongs there.
fn offer(list: &mut Vec<Neighbour>, nb: Neighbour, k: usize) {
    if list.len() == k
        && list
            .last()
            .is_none_or(|w| Neighbour::better(&nb, w) != Ordering::Less)
    {
        return;
    }
    let at = list.partition_point(|x| Neighbour::better(x, &nb) == Ordering::Less);
    list.insert(at, nb);
    list.truncate(k);
}

/// One column of a tile's sums, turned into similarities.
struct Cells<'s> {
    count: &'s [f32],
    xy: &'s [f64],
    xx: &'s [f64],
    yy: &'s [f64],
    /// Sums of values (Pearson only; empty for cosine).
    x: &'s [f64],
    y: &'s [f64],
    /// Each row's whole sum of squares, and the column's.
    norm_x: &'s [f64],
    norm_y: f64,
    min: f64,
}

impl Cells<'_> {
    /// Writes similarities (NaN where unknown) and overlaps, and lists in `recheck` the cells whose
    /// sums may have cancelled, to be computed directly.
    fn finish(&self, sim: &mut [f64], overlap: &mut [u32], recheck: &mut Vec<usize>) {
        for (o, c) in overlap.iter_mut().zip(self.count) {
            *o = *c as u32;
        }
        let pearson = !self.x.is_empty();
        // A correlation needs two shared components.
        let least = if pearson { self.min.max(2.0) } else { self.min };
        let floor_y = self.norm_y * CANCELLATION;
        for (i, out) in sim.iter_mut().enumerate() {
            *out = f64::NAN;
            let cnt = f64::from(self.count[i]);
            // Too few shared components, or a row of zeros (cosine) or a constant row (Pearson,
            // centred to exactly 0): unknown, whatever the overlap.
            if cnt < least || self.norm_x[i] == 0.0 || self.norm_y == 0.0 {
                continue;
            }
            let (vx, vy, cov) = if pearson {
                let (x, y) = (self.x[i], self.y[i]);
                (
                    self.xx[i] - x * x / cnt,
                    self.yy[i] - y * y / cnt,
                    self.xy[i] - x * y / cnt,
                )
            } else {
                (self.xx[i], self.yy[i], self.xy[i])
            };
            let s = cov / (vx * vy).sqrt();
            if vx >= self.norm_x[i] * CANCELLATION && vy >= floor_y && s.is_finite() {
                *out = s.clamp(-1.0, 1.0);
            } else {
                recheck.push(i);
            }
        }
    }
}

/// Transposes a row-major `rows x cols` matrix into column-major order, in small squares.
fn transpose(src: &[f64], rows: usize, cols: usize, dst: &mut [f64]) {
    const B: usize = 16;
    for i0 in (0..rows).step_by(B) {
        for j0 in (0..cols).step_by(B) {
            for i in i0..(i0 + B).min(rows) {
                for j in j0..(j0 + B).min(cols) {
                    dst[j * rows + i] = src[i * cols + j];
                }
            }
        }
    }
}

/// Builds the dense matrices. For Pearson each row is first centred on the mean of its known
/// values (a constant row becomes exactly 0), which leaves every pair's correlation unchanged and
/// keeps the sums small.
fn dense(p: &Profiles, centre: bool) -> Dense {
    let (n, m) = (p.nrow, p.ncol);
    let mut x = DMatrix::<f64>::zeros(n, m);
    let mut m32 = DMatrix::<f32>::zeros(n, m);
    let mut complement = vec![false; n];
    let mut sets = vec![Vec::new(); n];
    for i in 0..n {
        let row = p.row(i);
        let known: Vec<f64> = row.iter().flatten().copied().collect();
        let constant = known.windows(2).all(|w| w[0] == w[1]);
        let shift = if centre && !known.is_empty() {
            known.iter().sum::<f64>() / known.len() as f64
        } else {
            0.0
        };
        complement[i] = 2 * known.len() >= m;
        for (k, v) in row.iter().enumerate() {
            if let Some(v) = *v {
                x[(i, k)] = if centre && constant { 0.0 } else { v - shift };
                m32[(i, k)] = 1.0;
            }
            if v.is_some() != complement[i] {
                sets[i].push(k);
            }
        }
    }
    let x2 = x.component_mul(&x);
    let total_x = x.column_sum().as_slice().to_vec();
    let total_x2 = x2.column_sum().as_slice().to_vec();
    Dense {
        n,
        xt: x.transpose(),
        m32t: m32.transpose(),
        x,
        x2,
        m32,
        total_x,
        total_x2,
        complement,
        sets,
    }
}

/// Cosine similarity of two complete vectors; `None` when either is all zeros.
pub(crate) fn cosine(a: &[f64], b: &[f64]) -> Option<f64> {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        return None;
    }
    let s = ab / (aa * bb).sqrt();
    s.is_finite().then_some(s.clamp(-1.0, 1.0))
}

/// Pearson correlation of two complete vectors; `None` when either is constant or shorter than 2.
pub(crate) fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let constant = |v: &[f64]| v.windows(2).all(|w| w[0] == w[1]);
    if a.len() < 2 || a.len() != b.len() || constant(a) || constant(b) {
        return None;
    }
    let n = a.len() as f64;
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        ab += dx * dy;
        aa += dx * dx;
        bb += dy * dy;
    }
    if aa == 0.0 || bb == 0.0 {
        return None;
    }
    let s = ab / (aa * bb).sqrt();
    s.is_finite().then_some(s.clamp(-1.0, 1.0))
}

/// Average ranks (1-based; ties share the mean of the ranks they span).
pub fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && v[idx[j]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = r;
        }
        i = j;
    }
    ranks
}

/// Spearman's rank correlation: Pearson on average ranks.
pub(crate) fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    pearson(&average_ranks(a), &average_ranks(b))
}

/// Euclidean similarity: 1 - sqrt(mean((a - b)^2)) / `span`.
pub(crate) fn euclidean(a: &[f64], b: &[f64], span: f64) -> Option<f64> {
    if a.is_empty() || span <= 0.0 {
        return None;
    }
    let ss: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let d = (ss / a.len() as f64).sqrt() / span;
    let s = 1.0 - d;
    s.is_finite().then_some(s.clamp(0.0, 1.0))
}

/// Gower similarity: 1 - mean of |a - b| / range per component (a zero range contributes 0).
pub fn gower(a: &[f64], b: &[f64], ranges: &[f64]) -> Option<f64> {
    if a.is_empty() {
        return None;
    }
    let total: f64 = a
        .iter()
        .zip(b)
        .zip(ranges)
        .map(|((x, y), r)| {
            if *r > 0.0 {
                ((x - y).abs() / r).min(1.0)
            } else {
                0.0
            }
        })
        .sum();
    let s = 1.0 - total / a.len() as f64;
    s.is_finite().then_some(s.clamp(0.0, 1.0))
}

/// Share of components with equal values.
pub(crate) fn agreement(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() {
        return None;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    Some(same as f64 / a.len() as f64)
}

/// Cohen's kappa of two raters' categories: (p_o - p_e) / (1 - p_e), with p_e from the two
/// raters' own category shares; `None` when p_e = 1 (both always give the same one category).
pub fn kappa(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    let n = a.len() as f64;
    let mut tally: Vec<(f64, f64, f64)> = Vec::new();
    let mut same = 0usize;
    for (x, y) in a.iter().zip(b) {
        if x == y {
            same += 1;
        }
        for (v, is_a) in [(*x, true), (*y, false)] {
            match tally.iter_mut().find(|t| t.0 == v) {
                Some(t) => {
                    if is_a {
                        t.1 += 1.0
                    } else {
                        t.2 += 1.0
                    }
                }
                None => tally.push((v, f64::from(is_a), f64::from(!is_a))),
            }
        }
    }
    let po = same as f64 / n;
    let pe: f64 = tally.iter().map(|t| (t.1 / n) * (t.2 / n)).sum();
    if 1.0 - pe <= 1e-12 {
        return None;
    }
    let k = (po - pe) / (1.0 - pe);
    k.is_finite().then_some(k)
}
