//! Cronbach's alpha of a group of columns: COINr's `get_cronbach`, with R's pairwise-complete
//! covariance matrix.
//!
//! With C the covariance matrix of the k columns, alpha = k^2 * mean(off-diagonal C) / sum(C)
//! = k / (k - 1) * (1 - trace(C) / sum(C)). Covariances resting on fewer than 2 pairs are left out
//! of both sums (R's `sum(..., na.rm = TRUE)`).

use super::correlation::complete_pairs;

/// Sample covariance (n - 1) over pairwise-complete observations; `None` below 2 pairs.
pub(crate) fn covariance(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    let pairs = complete_pairs(x, y);
    let n = pairs.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / nf;
    let s: f64 = pairs.iter().map(|(a, b)| (a - mx) * (b - my)).sum();
    Some(s / (nf - 1.0)).filter(|c| c.is_finite())
}

/// Cronbach's alpha of the columns; `None` with fewer than 2 columns, or when the covariances
/// sum to zero (every column constant).
pub fn alpha(columns: &[&[Option<f64>]]) -> Option<f64> {
    let k = columns.len();
    if k < 2 {
        return None;
    }
    let (mut total, mut trace) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            // The matrix is symmetric; compute each pair once.
            if j < i {
                continue;
            }
            let Some(c) = covariance(columns[i], columns[j]) else {
                continue;
            };
            if i == j {
                trace += c;
                total += c;
            } else {
                total += 2.0 * c;
            }
        }
    }
    if total == 0.0 {
        return None;
    }
    let kf = k as f64;
    let mean_off = (total - trace) / (kf * (kf - 1.0));
    Some(kf * kf * mean_off / total).filter(|a| a.is_finite())
}
