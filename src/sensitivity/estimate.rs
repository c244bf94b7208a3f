//! Estimators: COINr's `SA_estimate` (Saltelli 2010 first order, Jansen 1999 total order, with
//! bootstrap intervals) and rank statistics (R's type-7 quantiles).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Fewest design rows (base rows whose runs all have a result) from which indices are estimated.
/// Below it they are NA: the standard error of a mean of fewer than 10 terms is more than 0.3 of
/// their standard deviation, and a bootstrap of so few rows has too few distinct resamples.
pub const MIN_ROWS: usize = 10;

/// Why an index is NA, or why it is in doubt.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// One of the factor's alternatives gave no result in any run that used it, so its effect was
    /// never measured.
    AlternativeFailed {
        /// The alternative's label.
        alternative: String,
        /// Runs that used it.
        runs: usize,
        /// Why its first run gave no result.
        reason: String,
    },
    /// Fewer than `MIN_ROWS` design rows have a result in every run.
    TooFewRows {
        /// Rows with a result in every run.
        rows: usize,
    },
    /// The output is the same in every run used, so it has no variance to share out.
    Constant,
    /// Changing only this factor made runs fail, but each of its values also gave results: the
    /// indices describe the runs that gave results.
    SomeFailed {
        /// Runs without a result whose partner run, differing only in this factor, had one.
        runs: usize,
    },
    /// The estimates break 0 <= S_i <= ST_i <= 1 by more than their 5-95% intervals allow.
    TooSmall {
        /// Which bound is broken, in words.
        what: String,
    },
}

impl Note {
    /// The note in words.
    pub fn message(&self) -> String {
        match self {
            Note::AlternativeFailed {
                alternative,
                runs,
                reason,
            } => format!(
                "alternative `{alternative}` gave no result in any of the {runs} runs that used it, so the factor's effect was not measured ({reason})"
            ),
            Note::TooFewRows { rows } => format!(
                "too few design rows for an estimate: {rows} have a result in every run, at least {MIN_ROWS} are needed"
            ),
            Note::Constant => {
                "the output is the same in every run used, so there is no variance to attribute"
                    .to_string()
            }
            Note::SomeFailed { runs } => format!(
                "changing only this factor made {runs} runs give no result; the indices describe the runs that gave one"
            ),
            Note::TooSmall { what } => format!(
                "{what}: the design is too small for a stable estimate of this factor; rerun with a larger --runs"
            ),
        }
    }

    /// Whether the note makes the indices NA (otherwise it is a warning beside numbers).
    pub fn is_na(&self) -> bool {
        !matches!(self, Note::SomeFailed { .. } | Note::TooSmall { .. })
    }
}

/// First-order and total Sobol' indices of one factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Indices {
    /// First order S_i.
    pub si: Option<f64>,
    /// Total order ST_i.
    pub sti: Option<f64>,
    /// 5% and 95% bootstrap quantiles of S_i.
    pub si_interval: Option<(f64, f64)>,
    /// 5% and 95% bootstrap quantiles of ST_i.
    pub sti_interval: Option<(f64, f64)>,
    /// Design rows used: base rows whose A, B and every AB_i run have a known output.
    pub rows: usize,
    /// Why the indices are NA (`si` and `sti` are then `None`), or why they are in doubt.
    pub notes: Vec<Note>,
}

impl Indices {
    /// NA indices for a reason.
    pub(crate) fn na(rows: usize, note: Note) -> Indices {
        Indices {
            si: None,
            sti: None,
            si_interval: None,
            sti_interval: None,
            rows,
            notes: vec![note],
        }
    }
}

/// Which base rows of a Saltelli design (`y` in the order A, B, AB_1, ..., AB_d, `n` rows per
/// block) have a known output in all of their d + 2 runs.
pub(crate) fn complete_rows(y: &[Option<f64>], n: usize, d: usize) -> Vec<bool> {
    (0..n)
        .map(|r| (0..d + 2).all(|b| y.get(b * n + r).copied().flatten().is_some()))
        .collect()
}

/// The 95% quantile of the standard normal distribution.
const Z95: f64 = 1.644_853_626_951_472_2;

/// Estimates with their 5-95% intervals, for `implausible`.
struct Check {
    si: f64,
    sti: f64,
    si_iv: (f64, f64),
    sti_iv: (f64, f64),
    diff_iv: (f64, f64),
}

/// How far beyond a bound an interval must lie to count: a twentieth of an index's range. With no
/// margin, a factor whose true first order is 0 (or equal to its total) would be flagged one
/// time in twenty however large the design; with it, the warning fades as the design grows.
pub(crate) const MARGIN: f64 = 0.05;

/// Why the estimates of a factor say the design is too small: they break 0 <= S_i <= ST_i <= 1,
/// which the true indices obey, by more than their noise and `MARGIN` (the whole 5-95% interval
/// of S_i - ST_i above the margin, or an interval wholly outside [-margin, 1 + margin]), or an
/// interval is wider than the whole range [0, 1] of an index.
fn implausible(c: &Check) -> Option<String> {
    let r = |x: f64| crate::base::format::number((x * 1000.0).round() / 1000.0);
    let iv = |(a, b): (f64, f64)| format!("[{}, {}]", r(a), r(b));
    let wide = |(a, b): (f64, f64)| b - a > 1.0;
    if c.diff_iv.0 > MARGIN {
        Some(format!(
            "first order {} is above the total {}, their difference's 5-95% interval {} above 0 (a first order cannot exceed its total)",
            r(c.si),
            r(c.sti),
            iv(c.diff_iv)
        ))
    } else if c.si_iv.1 < -MARGIN || c.si_iv.0 > 1.0 + MARGIN {
        Some(format!(
            "first order {} has its whole 5-95% interval {} outside [0, 1]",
            r(c.si),
            iv(c.si_iv)
        ))
    } else if c.sti_iv.0 > 1.0 + MARGIN {
        Some(format!(
            "total {} has its whole 5-95% interval {} above 1",
            r(c.sti),
            iv(c.sti_iv)
        ))
    } else if wide(c.si_iv) || wide(c.sti_iv) {
        let (what, est, i) = if wide(c.si_iv) {
            ("first order", c.si, c.si_iv)
        } else {
            ("total", c.sti, c.sti_iv)
        };
        let above = if c.si > c.sti {
            format!(" is above the total {} and", r(c.sti))
        } else {
            String::new()
        };
        Some(format!(
            "{what} {}{above} has a 5-95% interval {} wider than the whole range [0, 1] of an index",
            r(est),
            iv(i)
        ))
    } else {
        None
    }
}

/// Sample variance (n - 1).
pub fn variance(x: &[f64]) -> Option<f64> {
    crate::base::stats::sd(x).map(|s| s * s)
}

/// R's `quantile(type = 7)` of sorted values.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n as f64 - 1.0) * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Sobol' indices from the outputs of a Saltelli design (`y` in the order A, B, AB_1, ..., AB_d,
/// `n` rows per block). V is the variance of A and B pooled; S_i = mean(yB (yAB_i - yA)) / V and
/// ST_i = sum((yA - yAB_i)^2) / (2 N V), as COINr's `SA_estimate`. The bootstrap resamples the
/// per-row terms with replacement, independently for each factor and index, keeping V fixed.
///
/// Only base rows whose d + 2 outputs are all known are used, the same rows for V and for every
/// factor, so that all indices describe one sample; with fewer than `MIN_ROWS` of them, or a
/// constant output, every index is NA with its reason. Estimates that break the bounds the true
/// indices obey by more than their noise carry a `TooSmall` note (see `implausible`).
pub fn sobol(y: &[Option<f64>], n: usize, d: usize, bootstrap: usize, seed: u64) -> Vec<Indices> {
    let kept: Vec<usize> = complete_rows(y, n, d)
        .iter()
        .enumerate()
        .filter_map(|(r, k)| k.then_some(r))
        .collect();
    let rows = kept.len();
    let at = |b: usize, r: usize| y[b * n + r].unwrap_or(0.0);
    if rows < MIN_ROWS {
        return vec![Indices::na(rows, Note::TooFewRows { rows }); d];
    }
    // A's outputs, then B's, in row order: the order COINr sums them in.
    let pooled: Vec<f64> = [0, 1]
        .iter()
        .flat_map(|&b| kept.iter().map(move |&r| at(b, r)))
        .collect();
    let Some(v) = variance(&pooled).filter(|v| *v > 0.0) else {
        return vec![Indices::na(rows, Note::Constant); d];
    };
    (0..d)
        .map(|i| {
            let first: Vec<f64> = kept
                .iter()
                .map(|&r| at(1, r) * (at(2 + i, r) - at(0, r)))
                .collect();
            let total: Vec<f64> = kept.iter().map(|&r| at(0, r) - at(2 + i, r)).collect();
            factor_indices(&first, &total, v, i, bootstrap, seed)
        })
        .collect()
}

/// The indices of factor `i` from its per-row terms yB (yAB_i - yA) and yA - yAB_i.
fn factor_indices(
    first: &[f64],
    total: &[f64],
    v: f64,
    i: usize,
    bootstrap: usize,
    seed: u64,
) -> Indices {
    let si = |t: &[f64]| t.iter().sum::<f64>() / t.len() as f64 / v;
    let sti = |t: &[f64]| t.iter().map(|x| x * x).sum::<f64>() / (2.0 * t.len() as f64 * v);
    let rng = |stream: u64| {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        r
    };
    let (si_interval, sti_interval) = if bootstrap > 0 {
        let boot = |terms: &[f64], mut rng: ChaCha8Rng, f: &dyn Fn(&[f64]) -> f64| {
            let mut stats: Vec<f64> = (0..bootstrap)
                .map(|_| {
                    let sample: Vec<f64> = (0..terms.len())
                        .map(|_| terms[rng.random_range(0..terms.len())])
                        .collect();
                    f(&sample)
                })
                .collect();
            stats.sort_by(f64::total_cmp);
            quantile(&stats, 0.05).zip(quantile(&stats, 0.95))
        };
        (
            boot(first, rng(2 * i as u64), &si),
            boot(total, rng(2 * i as u64 + 1), &sti),
        )
    } else {
        (None, None)
    };
    let (s_i, st_i) = (si(first), sti(total));
    // The check's intervals: the bootstrap's, else the normal approximation (the estimate plus
    // or minus 1.645 standard errors of the mean of its per-row terms).
    let approx = |est: f64, terms: &[f64]| {
        let se = crate::base::stats::sd(terms).unwrap_or(0.0) / (terms.len() as f64).sqrt();
        (est - Z95 * se, est + Z95 * se)
    };
    let first_v: Vec<f64> = first.iter().map(|x| x / v).collect();
    let total_v: Vec<f64> = total.iter().map(|x| x * x / (2.0 * v)).collect();
    // S_i - ST_i is the mean of the per-row differences; resampling rows keeps them paired.
    let diff: Vec<f64> = first_v.iter().zip(&total_v).map(|(a, b)| a - b).collect();
    let diff_interval = if bootstrap > 0 {
        let mut r = rng(1 << 32 | i as u64);
        let mut stats: Vec<f64> = (0..bootstrap)
            .map(|_| {
                let idx: Vec<usize> = (0..diff.len())
                    .map(|_| r.random_range(0..diff.len()))
                    .collect();
                let f: Vec<f64> = idx.iter().map(|&k| first[k]).collect();
                let t: Vec<f64> = idx.iter().map(|&k| total[k]).collect();
                si(&f) - sti(&t)
            })
            .collect();
        stats.sort_by(f64::total_cmp);
        quantile(&stats, 0.05).zip(quantile(&stats, 0.95))
    } else {
        None
    };
    let check = Check {
        si: s_i,
        sti: st_i,
        si_iv: si_interval.unwrap_or_else(|| approx(s_i, &first_v)),
        sti_iv: sti_interval.unwrap_or_else(|| approx(st_i, &total_v)),
        diff_iv: diff_interval.unwrap_or_else(|| approx(s_i - st_i, &diff)),
    };
    Indices {
        si: Some(s_i),
        sti: Some(st_i),
        si_interval,
        sti_interval,
        rows: first.len(),
        notes: implausible(&check)
            .map(|what| Note::TooSmall { what })
            .into_iter()
            .collect(),
    }
}
