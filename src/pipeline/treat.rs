//! Treat: outlier treatment of numeric criteria (COINr's `Treat`, `winsorise`, `log_CT`, ...).
//!
//! Per criterion: if the skew/kurtosis check passes, nothing is done. Otherwise the first
//! treatment is applied and checked again; if it still fails, the fallback is applied to the
//! original values (or, with `combine`, to the treated ones) and kept whether it passes or not.
//! The check has its own thresholds (COINr's `f_pass_para`); winsorisation stops at its own
//! (`f1_para`).

use crate::base::stats;
use crate::rubric::settings::{TreatMethod, TreatSpec};

/// One skew/kurtosis check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    /// Passed: |skew| < skew_thresh or kurt < kurt_thresh.
    pub pass: bool,
    /// Skewness G1.
    pub skew: f64,
    /// Kurtosis G2.
    pub kurt: f64,
}

/// What treatment did to one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct TreatDetail {
    /// The check before treatment.
    pub check0: Option<Check>,
    /// Points winsorised (when winsorisation ran).
    pub nwin: Option<usize>,
    /// The check after the first treatment.
    pub check1: Option<Check>,
    /// The check after the fallback.
    pub check2: Option<Check>,
    /// Per row, what the first treatment and the fallback did (`winhi`, `winlo`, `log_CT`, ...,
    /// or `""`); empty when nothing was treated. [`TreatDetail::point`] joins the two.
    pub points: Vec<[&'static str; 2]>,
    /// Why the criterion was left untreated although the check could not be run.
    pub skipped: Option<String>,
}

impl TreatDetail {
    /// What was done to row `i`: the labels joined with `+`, or `""`.
    pub fn point(&self, i: usize) -> std::borrow::Cow<'static, str> {
        match self.points.get(i).copied().unwrap_or(["", ""]) {
            ["", b] => b.into(),
            [a, ""] => a.into(),
            [a, b] => format!("{a}+{b}").into(),
        }
    }
}

/// Runs the pass check on the known values.
pub(crate) fn check(x: &[Option<f64>], spec: &TreatSpec) -> Option<Check> {
    check_with(x, spec.pass_skew_thresh, spec.pass_kurt_thresh)
}

/// The skew/kurtosis check with given thresholds; `None` when it cannot be computed.
fn check_with(x: &[Option<f64>], skew_thresh: f64, kurt_thresh: f64) -> Option<Check> {
    check_of(stats::skew_kurt(x), skew_thresh, kurt_thresh)
}

/// The check of computed skewness and kurtosis (`None`: too few values).
fn check_of(stats: Option<(f64, f64)>, skew_thresh: f64, kurt_thresh: f64) -> Option<Check> {
    let (skew, kurt) = stats?;
    if !skew.is_finite() || !kurt.is_finite() {
        return None;
    }
    Some(Check {
        pass: skew.abs() < skew_thresh || kurt < kurt_thresh,
        skew,
        kurt,
    })
}

/// Treats one column. Returns the treated values and the details.
pub fn treat(x: &[Option<f64>], spec: &TreatSpec) -> (Vec<Option<f64>>, TreatDetail) {
    let (changed, detail) = treat_inner(x, spec);
    (changed.unwrap_or_else(|| x.to_vec()), detail)
}

/// Treats one column in place (nothing is copied when the column passes the check, as most do).
pub fn treat_in_place(x: &mut [Option<f64>], spec: &TreatSpec) -> TreatDetail {
    let (changed, detail) = treat_inner(x, spec);
    if let Some(v) = changed {
        x.copy_from_slice(&v);
    }
    detail
}

/// The treated values, or `None` when the column is left as it is.
fn treat_inner(x: &[Option<f64>], spec: &TreatSpec) -> (Option<Vec<Option<f64>>>, TreatDetail) {
    let n = x.len();
    let mut detail = TreatDetail {
        check0: None,
        nwin: None,
        check1: None,
        check2: None,
        points: Vec::new(),
        skipped: None,
    };
    if spec.method == TreatMethod::None {
        return (None, detail);
    }
    let Some(c0) = check(x, spec) else {
        detail.skipped =
            Some("skewness and kurtosis need at least 4 distinct known values".to_string());
        return (None, detail);
    };
    detail.check0 = Some(c0);
    if c0.pass {
        return (None, detail);
    }
    let mut marks1 = vec![""; n];
    let mut last = None;
    // Winsorisation starts from the skewness and kurtosis the check has just computed.
    let initial = Some((c0.skew, c0.kurt));
    let x1 = apply(
        spec.method,
        x,
        spec,
        &mut marks1,
        &mut detail.nwin,
        &mut last,
        initial,
    );
    // Winsorisation ends on the check of its result with its own thresholds: when they are the
    // pass check's, that is the check after treatment, already computed.
    let same_thresholds = spec.skew_thresh.to_bits() == spec.pass_skew_thresh.to_bits()
        && spec.kurt_thresh.to_bits() == spec.pass_kurt_thresh.to_bits();
    let c1 = match last {
        Some(c) if same_thresholds => c,
        _ => check(&x1, spec),
    };
    detail.check1 = c1;
    let Some(c1) = c1 else {
        detail.skipped = Some("the check could not be run after treatment".to_string());
        return (None, detail);
    };
    if c1.pass || spec.fallback == TreatMethod::None {
        join_points(&mut detail.points, &marks1, &vec![""; n]);
        return (Some(x1), detail);
    }
    let base = if spec.combine { x1 } else { x.to_vec() };
    let mut marks2 = vec![""; n];
    let (mut unused, mut unused_check) = (None, None);
    let x2 = apply(
        spec.fallback,
        &base,
        spec,
        &mut marks2,
        &mut unused,
        &mut unused_check,
        None,
    );
    detail.check2 = check(&x2, spec);
    join_points(&mut detail.points, &marks1, &marks2);
    (Some(x2), detail)
}

fn join_points(out: &mut Vec<[&'static str; 2]>, a: &[&'static str], b: &[&'static str]) {
    if a.iter().chain(b).all(|m| m.is_empty()) {
        return;
    }
    out.extend(a.iter().zip(b).map(|(&x, &y)| [x, y]));
}

fn apply(
    method: TreatMethod,
    x: &[Option<f64>],
    spec: &TreatSpec,
    marks: &mut [&'static str],
    nwin: &mut Option<usize>,
    last: &mut Option<Option<Check>>,
    initial: Option<(f64, f64)>,
) -> Vec<Option<f64>> {
    match method {
        TreatMethod::None => x.to_vec(),
        TreatMethod::Winsorise => {
            let (y, n, c) = winsorise_checked(x, spec, marks, initial);
            *nwin = Some(n);
            *last = Some(c);
            y
        }
        TreatMethod::LogCt => {
            marks.iter_mut().for_each(|m| *m = "log_CT");
            log_ct(x)
        }
        TreatMethod::LogCtPlus => {
            let (y, label) = log_ct_plus(x);
            marks.iter_mut().for_each(|m| *m = label);
            y
        }
        TreatMethod::LogCtOrig => {
            marks.iter_mut().for_each(|m| *m = "log_CT_orig");
            log_ct_orig(x)
        }
        TreatMethod::BoxCox => {
            marks.iter_mut().for_each(|m| *m = "boxcox");
            boxcox(x, spec.lambda)
        }
    }
}

/// Iterative winsorisation: while its own check (`skew_thresh`, `kurt_thresh`) fails (or
/// `force_win`) and fewer than `winmax` points are treated, pull the extreme value(s) on the side
/// of the current skew to the next value. Tied extremes move together. Returns the data and the
/// number of points winsorised.
pub fn winsorise(
    x: &[Option<f64>],
    spec: &TreatSpec,
    marks: &mut [&'static str],
) -> (Vec<Option<f64>>, usize) {
    let (y, nwin, _) = winsorise_checked(x, spec, marks, None);
    (y, nwin)
}

/// [`winsorise`], with the check of the result (with winsorisation's own thresholds) that ended
/// it. `initial`, when given, is the skewness and kurtosis of `x` (already computed by the pass
/// check). The steps work on the known values alone, in order, and write them back at the end:
/// every minimum, maximum and moment reads the known values in the same order as on the column,
/// so the same doubles.
fn winsorise_checked(
    x: &[Option<f64>],
    spec: &TreatSpec,
    marks: &mut [&'static str],
    initial: Option<(f64, f64)>,
) -> (Vec<Option<f64>>, usize, Option<Check>) {
    let check = |k: &[f64]| {
        check_of(
            stats::skew_kurt_dense(k),
            spec.skew_thresh,
            spec.kurt_thresh,
        )
    };
    // The known values and their rows.
    let mut rows: Vec<usize> = Vec::with_capacity(x.len());
    let mut k: Vec<f64> = Vec::with_capacity(x.len());
    for (i, v) in x.iter().enumerate() {
        if let Some(v) = v {
            rows.push(i);
            k.push(*v);
        }
    }
    let mut last = match initial {
        Some(st) => check_of(Some(st), spec.skew_thresh, spec.kurt_thresh),
        None => check(&k),
    };
    let mut passing = last.is_none_or(|c| c.pass);
    let mut imax: Vec<usize> = Vec::new();
    let mut imin: Vec<usize> = Vec::new();
    let mut nwin = 0usize;
    let below = |nwin: usize| spec.winmax.is_none_or(|w| nwin < w as usize);
    while (!passing || spec.force_win) && below(nwin) {
        // The side follows the current skew (COINr's `skew(x) >= 0`).
        let s = last.map_or_else(|| stats::skew(&k).unwrap_or(0.0), |c| c.skew);
        let Some((lo, hi)) = stats::min_max_dense(&k) else {
            break;
        };
        if s >= 0.0 {
            // Pull every value tied at the maximum down to the next value.
            let Some(next) = k.iter().filter(|v| **v < hi).copied().reduce(f64::max) else {
                break;
            };
            imax.clear();
            for (j, v) in k.iter_mut().enumerate() {
                if *v == hi {
                    *v = next;
                    imax.push(rows[j]);
                }
            }
        } else {
            let Some(next) = k.iter().filter(|v| **v > lo).copied().reduce(f64::min) else {
                break;
            };
            imin.clear();
            for (j, v) in k.iter_mut().enumerate() {
                if *v == lo {
                    *v = next;
                    imin.push(rows[j]);
                }
            }
        }
        nwin = imax.len() + imin.len();
        last = check(&k);
        passing = last.is_none_or(|c| c.pass);
    }
    let mut y = x.to_vec();
    for (&r, &v) in rows.iter().zip(&k) {
        y[r] = Some(v);
    }
    for &i in &imax {
        marks[i] = "winhi";
    }
    for &i in &imin {
        marks[i] = "winlo";
    }
    (y, nwin, last)
}

/// log(x - min + 0.01 (max - min)).
pub fn log_ct(x: &[Option<f64>]) -> Vec<Option<f64>> {
    let Some((lo, hi)) = stats::min_max(x) else {
        return x.to_vec();
    };
    x.iter()
        .map(|v| v.map(|v| (v - lo + 0.01 * (hi - lo)).ln()))
        .collect()
}

/// `log_CT` for positive skew, else its mirror `-log(max + 0.01 (max - min) - x)`; with the label
/// of the branch taken.
pub fn log_ct_plus(x: &[Option<f64>]) -> (Vec<Option<f64>>, &'static str) {
    if stats::skew(&stats::known(x)).is_some_and(|s| s > 0.0) {
        (log_ct(x), "log_CT")
    } else {
        (log_ct_neg(x), "log_CT_neg")
    }
}

/// -log(max + 0.01 (max - min) - x), for negative skew.
pub(crate) fn log_ct_neg(x: &[Option<f64>]) -> Vec<Option<f64>> {
    let Some((lo, hi)) = stats::min_max(x) else {
        return x.to_vec();
    };
    let a = 0.01 * (hi - lo);
    x.iter().map(|v| v.map(|v| -(hi + a - v).ln())).collect()
}

/// log(x - min + 1).
pub fn log_ct_orig(x: &[Option<f64>]) -> Vec<Option<f64>> {
    let Some((lo, _)) = stats::min_max(x) else {
        return x.to_vec();
    };
    x.iter().map(|v| v.map(|v| (v - lo + 1.0).ln())).collect()
}

/// Box-Cox on x - min + 1.
pub fn boxcox(x: &[Option<f64>], lambda: f64) -> Vec<Option<f64>> {
    let Some((lo, _)) = stats::min_max(x) else {
        return x.to_vec();
    };
    x.iter()
        .map(|v| {
            v.map(|v| {
                let z = v - lo + 1.0;
                if lambda == 0.0 {
                    z.ln()
                } else {
                    (z.powf(lambda) - 1.0) / lambda
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Winsorisation as first written, on the whole column with its unknowns: the reference the
    /// known-values-only loop must equal.
    fn reference(x: &[Option<f64>], spec: &TreatSpec) -> (Vec<Option<f64>>, usize, Vec<usize>) {
        let check = |y: &[Option<f64>]| check_with(y, spec.skew_thresh, spec.kurt_thresh);
        let mut y = x.to_vec();
        let mut last = check(&y);
        // The points moved by the last step down from the top, and up from the bottom.
        let (mut high, mut low, mut nwin) = (Vec::new(), Vec::new(), 0);
        while !last.is_none_or(|c| c.pass) && spec.winmax.is_none_or(|w| nwin < w as usize) {
            let s = last.map_or(0.0, |c| c.skew);
            let (lo, hi) = stats::min_max(&y).unwrap_or((0.0, 0.0));
            let (from, next) = if s >= 0.0 {
                (
                    hi,
                    y.iter()
                        .flatten()
                        .filter(|v| **v < hi)
                        .copied()
                        .reduce(f64::max),
                )
            } else {
                (
                    lo,
                    y.iter()
                        .flatten()
                        .filter(|v| **v > lo)
                        .copied()
                        .reduce(f64::min),
                )
            };
            let Some(next) = next else { break };
            let moved: Vec<usize> = (0..y.len()).filter(|&i| y[i] == Some(from)).collect();
            moved.iter().for_each(|&i| y[i] = Some(next));
            if s >= 0.0 {
                high = moved;
            } else {
                low = moved;
            }
            nwin = high.len() + low.len();
            last = check(&y);
        }
        high.extend(low);
        (y, nwin, high)
    }

    fn spec(winmax: u32) -> TreatSpec {
        TreatSpec {
            method: TreatMethod::Winsorise,
            winmax: Some(winmax),
            skew_thresh: 2.0,
            kurt_thresh: 3.5,
            pass_skew_thresh: 2.0,
            pass_kurt_thresh: 3.5,
            force_win: false,
            fallback: TreatMethod::None,
            combine: false,
            lambda: 1.0,
        }
    }

    #[test]
    fn winsorising_the_known_values_alone_gives_the_columns_doubles() {
        // Skewed columns of either sign with unknowns between the values and tied extremes, from
        // a fixed generator; with and without the skewness and kurtosis computed beforehand.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..300 {
            let n = 5 + (next() % 60) as usize;
            let sign = if case % 2 == 0 { 1.0 } else { -1.0 };
            let x: Vec<Option<f64>> = (0..n)
                .map(|_| {
                    let r = next();
                    match r % 10 {
                        0 => None,
                        1 => Some(sign * 1000.0),
                        _ => Some(sign * ((r >> 20) % 1000) as f64 / 7.0),
                    }
                })
                .collect();
            let s = spec(1 + (next() % 6) as u32);
            let (want, want_n, moved) = reference(&x, &s);
            let initial = stats::skew_kurt(&x);
            for given in [None, initial] {
                let mut marks = vec![""; n];
                let (y, nwin, last) = winsorise_checked(&x, &s, &mut marks, given);
                let bits =
                    |v: &[Option<f64>]| v.iter().map(|o| o.map(f64::to_bits)).collect::<Vec<_>>();
                assert_eq!(bits(&y), bits(&want), "{x:?}");
                assert_eq!(nwin, want_n);
                assert_eq!(last, check_with(&want, s.skew_thresh, s.kurt_thresh));
                for (i, mark) in marks.iter().enumerate() {
                    assert_eq!(mark.is_empty(), !moved.contains(&i));
                }
            }
        }
    }
}
