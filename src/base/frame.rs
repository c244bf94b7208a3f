//! The frame: a dense column-major matrix of optional numbers, the shape every step of the
//! pipeline reads and writes.

/// A dense column-major matrix of optional numbers (rows = jurisdictions).
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Rows.
    pub nrow: usize,
    /// Columns.
    pub ncol: usize,
    data: Vec<Option<f64>>,
}

impl Frame {
    /// An all-unknown frame.
    pub(crate) fn new(nrow: usize, ncol: usize) -> Frame {
        Frame {
            nrow,
            ncol,
            data: vec![None; nrow * ncol],
        }
    }

    /// A frame from columns of equal length.
    pub(crate) fn from_columns(nrow: usize, columns: Vec<Vec<Option<f64>>>) -> Frame {
        let ncol = columns.len();
        let mut data = Vec::with_capacity(nrow * ncol);
        for c in columns {
            debug_assert_eq!(c.len(), nrow);
            data.extend(c);
        }
        Frame { nrow, ncol, data }
    }

    /// An all-unknown frame written on every thread: a large frame's memory is first touched, a
    /// page at a time, in parallel.
    pub(crate) fn new_in_parallel(nrow: usize, ncol: usize) -> Frame {
        use rayon::prelude::*;
        let mut data = Vec::with_capacity(nrow * ncol);
        data.par_extend(rayon::iter::repeat_n(None, nrow * ncol));
        Frame { nrow, ncol, data }
    }

    /// A frame of `nrow` rows and no columns yet, with room for `ncol`.
    pub(crate) fn with_room(nrow: usize, ncol: usize) -> Frame {
        Frame {
            nrow,
            ncol: 0,
            data: Vec::with_capacity(nrow * ncol),
        }
    }

    /// Adds a column of `nrow` cells (the cells past `nrow` are not taken, the missing ones are
    /// unknown).
    pub(crate) fn push_column(&mut self, cells: impl IntoIterator<Item = Option<f64>>) {
        let start = self.data.len();
        self.data.extend(cells.into_iter().take(self.nrow));
        self.data.resize(start + self.nrow, None);
        self.ncol += 1;
    }

    /// One cell.
    pub fn get(&self, r: usize, c: usize) -> Option<f64> {
        self.data[c * self.nrow + r]
    }

    /// Sets one cell.
    pub(crate) fn set(&mut self, r: usize, c: usize, v: Option<f64>) {
        self.data[c * self.nrow + r] = v;
    }

    /// One column.
    pub fn col(&self, c: usize) -> &[Option<f64>] {
        &self.data[c * self.nrow..(c + 1) * self.nrow]
    }

    /// One column, mutably.
    pub fn col_mut(&mut self, c: usize) -> &mut [Option<f64>] {
        &mut self.data[c * self.nrow..(c + 1) * self.nrow]
    }

    /// Every cell, column after column (column `c` is `[c * nrow, (c + 1) * nrow)`).
    pub(crate) fn cells_mut(&mut self) -> &mut [Option<f64>] {
        &mut self.data
    }

    /// A frame of the same shape with `f` of every cell.
    pub(crate) fn map(&self, f: impl Fn(Option<f64>) -> Option<f64>) -> Frame {
        Frame {
            nrow: self.nrow,
            ncol: self.ncol,
            data: self.data.iter().map(|&v| f(v)).collect(),
        }
    }

    /// True when every cell is known.
    pub(crate) fn all_known(&self) -> bool {
        self.data.iter().all(Option::is_some)
    }

    /// The frame restricted to some rows, in the order given.
    pub(crate) fn select_rows(&self, rows: &[usize]) -> Frame {
        let mut out = Frame::new(rows.len(), self.ncol);
        for c in 0..self.ncol {
            let src = self.col(c);
            for (i, &r) in rows.iter().enumerate() {
                out.data[c * rows.len() + i] = src[r];
            }
        }
        out
    }
}
