//! Per-criterion descriptive statistics and flags: COINr's `get_stats`.
//!
//! Counts are over the known values of a column; the `frc_*` shares divide by the known count
//! (`n_avail`), except `frc_avail`, which divides by the number of rows. The flags follow
//! COINr's rules exactly, including its mixed denominators: `flag_avail` compares
//! `n_avail / rows`, and `flag_nonzero` and `flag_unique` compare `n_nonzero / rows` and
//! `n_unique / rows` (not the `frc_*` shares) with their thresholds.

use super::some_finite;
use crate::base::frame::Frame;
use crate::base::stats as ps;

/// COINr's flag thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// |skew| above this (together with `t_kurt`) flags outliers.
    pub t_skew: f64,
    /// Kurtosis above this (together with `t_skew`) flags outliers.
    pub t_kurt: f64,
    /// Share of rows with data below this is low.
    pub t_avail: f64,
    /// Share of rows with a non-zero value below this is low.
    pub t_zero: f64,
    /// Share of rows with a distinct value below this is low.
    pub t_unq: f64,
}

impl Default for Thresholds {
    /// COINr's defaults: 2, 3.5, 0.65, 0.5, 0.5.
    fn default() -> Self {
        Thresholds {
            t_skew: 2.0,
            t_kurt: 3.5,
            t_avail: 0.65,
            t_zero: 0.5,
            t_unq: 0.5,
        }
    }
}

/// Statistics of one column. Values that cannot be computed are `None`: min to median without
/// known values, `std` below 2 values, `skew` below 3 and `kurt` below 4 values or on a constant
/// column, shares over zero values.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnStats {
    /// Minimum.
    pub min: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
    /// Arithmetic mean.
    pub mean: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// Standard deviation (n - 1).
    pub std: Option<f64>,
    /// Skewness G1.
    pub skew: Option<f64>,
    /// Excess kurtosis G2.
    pub kurt: Option<f64>,
    /// Known values.
    pub n_avail: usize,
    /// Known values that are not zero.
    pub n_nonzero: usize,
    /// Distinct known values.
    pub n_unique: usize,
    /// Size of the largest group of equal known values (0 without known values).
    pub n_same: usize,
    /// `n_avail` / rows.
    pub frc_avail: Option<f64>,
    /// `n_nonzero` / `n_avail`.
    pub frc_nonzero: Option<f64>,
    /// `n_unique` / `n_avail`.
    pub frc_unique: Option<f64>,
    /// `n_same` / `n_avail`.
    pub frc_same: Option<f64>,
    /// `n_avail` / rows is below `t_avail` (COINr's `Flag.Avail` = "LOW").
    pub low_avail: bool,
    /// `n_nonzero` / rows is below `t_zero` (`Flag.NonZero` = "LOW").
    pub low_nonzero: bool,
    /// `n_unique` / rows is below `t_unq` (`Flag.Unique` = "LOW").
    pub low_unique: bool,
    /// |skew| > `t_skew` and kurt > `t_kurt` (`Flag.SkewKurt` = "OUT"); `None` when either is
    /// unknown.
    pub outliers: Option<bool>,
}

/// Ratio of counts; `None` over zero.
fn share(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Statistics of one column of `x.len()` rows.
pub fn column_stats(x: &[Option<f64>], t: &Thresholds) -> ColumnStats {
    let rows = x.len();
    let v = ps::known(x);
    let n_avail = v.len();
    let n_nonzero = v.iter().filter(|&&a| a != 0.0).count();
    let mut sorted = v.clone();
    sorted.sort_by(f64::total_cmp);
    let (mut n_unique, mut n_same, mut run) = (0usize, 0usize, 0usize);
    for (i, a) in sorted.iter().enumerate() {
        if i > 0 && sorted[i - 1] == *a {
            run += 1;
        } else {
            n_unique += 1;
            run = 1;
        }
        n_same = n_same.max(run);
    }
    let skew = ps::skew(&v).and_then(some_finite);
    let kurt = ps::kurt(&v).and_then(some_finite);
    let below = |a: usize, thresh: f64| share(a, rows).is_none_or(|s| s < thresh);
    ColumnStats {
        min: sorted.first().copied(),
        max: sorted.last().copied(),
        mean: ps::mean(&v).and_then(some_finite),
        median: ps::median(&v),
        std: ps::sd(&v).and_then(some_finite),
        skew,
        kurt,
        n_avail,
        n_nonzero,
        n_unique,
        n_same,
        frc_avail: share(n_avail, rows),
        frc_nonzero: share(n_nonzero, n_avail),
        frc_unique: share(n_unique, n_avail),
        frc_same: share(n_same, n_avail),
        low_avail: below(n_avail, t.t_avail),
        low_nonzero: below(n_nonzero, t.t_zero),
        low_unique: below(n_unique, t.t_unq),
        outliers: match (skew, kurt) {
            (Some(s), Some(k)) => Some(s.abs() > t.t_skew && k > t.t_kurt),
            _ => None,
        },
    }
}

/// Statistics of every column of a frame (one per criterion, in column order).
pub fn stats(frame: &Frame, t: &Thresholds) -> Vec<ColumnStats> {
    (0..frame.ncol)
        .map(|c| column_stats(frame.col(c), t))
        .collect()
}
