//! Data availability per jurisdiction and per node: COINr's `get_data_avail` (its `Summary` and
//! `ByGroup` tables), the numbers the screen step decides on.

use crate::base::frame::Frame;
use crate::rubric::Rubric;

/// Data availability of one row (a jurisdiction) across every criterion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowAvailability {
    /// Criteria without a value.
    pub n_missing: usize,
    /// Criteria whose value is zero.
    pub n_zero: usize,
    /// `n_missing + n_zero`.
    pub n_miss_or_zero: usize,
    /// 1 - `n_missing` / criteria; `None` without criteria.
    pub dat_avail: Option<f64>,
    /// 1 - `n_zero` / known values; `None` without known values (COINr gives NaN).
    pub non_zero: Option<f64>,
}

/// Availability of one row of values.
pub fn row_availability(row: impl IntoIterator<Item = Option<f64>>) -> RowAvailability {
    let (mut n, mut n_missing, mut n_zero) = (0usize, 0usize, 0usize);
    for v in row {
        n += 1;
        match v {
            None => n_missing += 1,
            Some(0.0) => n_zero += 1,
            Some(_) => {}
        }
    }
    let known = n - n_missing;
    RowAvailability {
        n_missing,
        n_zero,
        n_miss_or_zero: n_missing + n_zero,
        dat_avail: (n > 0).then(|| 1.0 - n_missing as f64 / n as f64),
        non_zero: (known > 0).then(|| 1.0 - n_zero as f64 / known as f64),
    }
}

/// Availability of every row of a frame (COINr's `get_data_avail(...)$Summary`).
pub fn by_row(frame: &Frame) -> Vec<RowAvailability> {
    (0..frame.nrow)
        .map(|r| row_availability((0..frame.ncol).map(|c| frame.get(r, c))))
        .collect()
}

/// Availability within every node (COINr's `ByGroup`): for each row and node, 1 minus the share
/// of the node's descendant criteria without a value. `frame` has one column per criterion; the
/// result has one column per node, in the rubric's node order. A node without descendant criteria
/// gets `None`.
pub fn by_node(frame: &Frame, rubric: &Rubric) -> Frame {
    let nn = rubric.nodes.len();
    let mut out = Frame::new(frame.nrow, nn);
    for k in 0..nn {
        let members: Vec<usize> = (0..rubric.criteria.len())
            .filter(|&c| c < frame.ncol && rubric.is_under(c, k))
            .collect();
        if members.is_empty() {
            continue;
        }
        for r in 0..frame.nrow {
            let missing = members
                .iter()
                .filter(|&&c| frame.get(r, c).is_none())
                .count();
            out.set(r, k, Some(1.0 - missing as f64 / members.len() as f64));
        }
    }
    out
}
