//! Estimators: COINr's `SA_estimate` (Saltelli 2010 first order, Jansen 1999 total order, with
//! bootstrap intervals) and rank statistics (R's type-7 quantiles).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// First-order and total Sobol' indices of one factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indices {
    /// First order S_i.
    pub si: Option<f64>,
    /// Total order ST_i.
    pub sti: Option<f64>,
    /// 5% and 95% bootstrap quantiles of S_i.
    pub si_interval: Option<(f64, f64)>,
    /// 5% and 95% bootstrap quantiles of ST_i.
    pub sti_interval: Option<(f64, f64)>,
    /// Rows of the design used (rows with an unknown output are left out).
    pub rows: usize,
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
pub fn sobol(y: &[Option<f64>], n: usize, d: usize, bootstrap: usize, seed: u64) -> Vec<Indices> {
    let ya = &y[..n];
    let yb = &y[n..2 * n];
    let pooled: Vec<f64> = ya.iter().chain(yb).flatten().copied().collect();
    let v = variance(&pooled).filter(|v| *v > 0.0);
    (0..d)
        .map(|i| {
            let yab = &y[(2 + i) * n..(3 + i) * n];
            let mut first = Vec::with_capacity(n);
            let mut total = Vec::with_capacity(n);
            for r in 0..n {
                if let (Some(a), Some(b), Some(ab)) = (ya[r], yb[r], yab[r]) {
                    first.push(b * (ab - a));
                    total.push(a - ab);
                }
            }
            let rows = first.len();
            let Some(v) = v.filter(|_| rows > 0) else {
                return Indices {
                    si: None,
                    sti: None,
                    si_interval: None,
                    sti_interval: None,
                    rows,
                };
            };
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
            }
        })
        .collect()
}
