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
                "not measured: alternative `{alternative}` gave no result in any of the {runs} runs that used it ({reason})"
            ),
            Note::TooFewRows { rows } => format!(
                "too few design rows for an estimate: {rows} have a result in every run, at least {MIN_ROWS} are needed"
            ),
            Note::Constant => {
                "not estimated: the output is the same in every run used, so there is no variance to attribute".to_string()
            }
            Note::SomeFailed { runs } => format!(
                "changing only this factor made {runs} runs give no result; the indices describe the runs that gave one"
            ),
        }
    }

    /// Whether the note makes the indices NA (otherwise it is a warning beside numbers).
    pub fn is_na(&self) -> bool {
        !matches!(self, Note::SomeFailed { .. })
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
    pub fn na(rows: usize, note: Note) -> Indices {
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
pub fn complete_rows(y: &[Option<f64>], n: usize, d: usize) -> Vec<bool> {
    (0..n)
        .map(|r| (0..d + 2).all(|b| y.get(b * n + r).copied().flatten().is_some()))
        .collect()
}

/// Sample variance (n - 1).
pub fn variance(x: &[f64]) -> Option<f64> {
    crate::pipeline::stats::sd(x).map(|s| s * s)
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
/// constant output, every index is NA with its reason.
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
    let pooled: Vec<f64> = kept.iter().flat_map(|&r| [at(0, r), at(1, r)]).collect();
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
            let si = |t: &[f64]| t.iter().sum::<f64>() / t.len() as f64 / v;
            let sti = |t: &[f64]| t.iter().map(|x| x * x).sum::<f64>() / (2.0 * t.len() as f64 * v);
            let (si_interval, sti_interval) = if bootstrap > 0 {
                let mut rng_s = ChaCha8Rng::seed_from_u64(seed);
                rng_s.set_stream(2 * i as u64);
                let mut rng_t = ChaCha8Rng::seed_from_u64(seed);
                rng_t.set_stream(2 * i as u64 + 1);
                let boot = |terms: &[f64], rng: &mut ChaCha8Rng, f: &dyn Fn(&[f64]) -> f64| {
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
                    boot(&first, &mut rng_s, &si),
                    boot(&total, &mut rng_t, &sti),
                )
            } else {
                (None, None)
            };
            Indices {
                si: Some(si(&first)),
                sti: Some(sti(&total)),
                si_interval,
                sti_interval,
                rows,
                notes: Vec::new(),
            }
        })
        .collect()
}
