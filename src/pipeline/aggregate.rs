//! Aggregate: combine children into a node (COINr's `a_*` functions), unknown-aware.
//!
//! Every method drops unknown children and renormalises the weights of the known ones. This is
//! COINr's behaviour for `a_amean`, `a_gmean` and `a_hmean`; COINr's `a_genmean` instead returns
//! unknown as soon as one child is unknown, and accord deliberately does not.

use super::spec::AggregateMethod;

/// Why a row could not be aggregated.
#[derive(Debug, Clone, PartialEq)]
pub enum AggError {
    /// A geometric mean (or negative-power mean) met a value that is not positive.
    NotPositive {
        /// The child's position.
        child: usize,
        /// Its value.
        value: f64,
    },
    /// A harmonic mean met a zero.
    Zero {
        /// The child's position.
        child: usize,
    },
}

/// The weighted arithmetic mean of the known values, as COINr computes it (sum of w x over sum of
/// w), except that children which are all equal give exactly their common value.
pub fn amean(x: &[Option<f64>], w: &[f64]) -> Option<f64> {
    let mut first = None;
    let mut all_equal = true;
    let (mut num, mut den) = (0.0, 0.0);
    for (v, wi) in x.iter().zip(w) {
        let Some(v) = *v else { continue };
        match first {
            None => first = Some(v),
            Some(f) => all_equal &= f == v,
        }
        num += wi * v;
        den += wi;
    }
    let f = first?;
    if den <= 0.0 {
        return None;
    }
    Some(if all_equal { f } else { num / den })
}

/// Each known child's additive part of the arithmetic mean: w_i x_i / sum(known w), with the last
/// part adjusted by rounding so that adding the parts in order gives `amean` exactly.
pub fn amean_terms(x: &[Option<f64>], w: &[f64]) -> Vec<Option<f64>> {
    let Some(total_score) = amean(x, w) else {
        return vec![None; x.len()];
    };
    let den: f64 = x
        .iter()
        .zip(w)
        .filter(|(v, _)| v.is_some())
        .map(|(_, w)| w)
        .sum();
    let mut terms: Vec<Option<f64>> = x
        .iter()
        .zip(w)
        .map(|(v, wi)| v.map(|v| wi * v / den))
        .collect();
    let Some(last) = terms.iter().rposition(Option::is_some) else {
        return terms;
    };
    let before: f64 = terms[..last].iter().flatten().sum();
    let mut t = total_score - before;
    // Step the last term by ulps until the running sum lands exactly on the score.
    for _ in 0..8 {
        let s = before + t;
        if s == total_score {
            break;
        }
        t = if s < total_score {
            t.next_up()
        } else {
            t.next_down()
        };
    }
    terms[last] = Some(t);
    terms
}

/// Aggregates one row of children values with weights.
pub fn aggregate(
    method: AggregateMethod,
    x: &[Option<f64>],
    w: &[f64],
    p: Option<f64>,
) -> Result<Option<f64>, AggError> {
    // No allocation on the common paths: this runs once per node and jurisdiction, thousands of
    // times in a sensitivity analysis.
    if method == AggregateMethod::AMean {
        return Ok(amean(x, w));
    }
    let known = || {
        x.iter()
            .zip(w)
            .enumerate()
            .filter_map(|(i, (v, w))| v.map(|v| (i, v, *w)))
    };
    let total: f64 = known().map(|k| k.2).sum();
    if known().next().is_none() || total <= 0.0 {
        return Ok(None);
    }
    Ok(Some(match method {
        AggregateMethod::AMean => return Ok(amean(x, w)),
        AggregateMethod::GMean => {
            let mut s = 0.0;
            for (i, v, wi) in known() {
                if v <= 0.0 {
                    return Err(AggError::NotPositive { child: i, value: v });
                }
                s += wi * v.ln();
            }
            (s / total).exp()
        }
        AggregateMethod::HMean => {
            let mut s = 0.0;
            for (i, v, wi) in known() {
                if v == 0.0 {
                    return Err(AggError::Zero { child: i });
                }
                s += wi / v;
            }
            total / s
        }
        AggregateMethod::GenMean => {
            let p = p.unwrap_or(1.0);
            let mut s = 0.0;
            for (i, v, wi) in known() {
                if v <= 0.0 && p < 0.0 {
                    return Err(AggError::NotPositive { child: i, value: v });
                }
                s += wi * v.powf(p);
            }
            (s / total).powf(1.0 / p)
        }
        AggregateMethod::Median => weighted_median(&known().collect::<Vec<_>>(), total),
        AggregateMethod::Copeland => return Ok(None),
    }))
}

/// The weighted median: the smallest value whose cumulative share of weight reaches one half;
/// when a value's cumulative share is exactly one half, the mean of it and the next value (so
/// equal weights give the ordinary median).
fn weighted_median(known: &[(usize, f64, f64)], total: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = known.iter().map(|k| (k.1, k.2 / total)).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cum = 0.0;
    for k in 0..v.len() {
        cum += v[k].1;
        if (cum - 0.5).abs() <= 1e-12 && k + 1 < v.len() {
            return (v[k].0 + v[k + 1].0) / 2.0;
        }
        if cum > 0.5 {
            return v[k].0;
        }
    }
    v[v.len() - 1].0
}

/// Weighted outranking matrix of the rows of `x` (rows = units, columns = children):
/// O[i][j] = sum of w_k over children where i beats j, plus half over ties; unknown comparisons
/// are skipped; weights sum to 1; O[j][i] = 1 - O[i][j]; the diagonal is 0.
pub fn outrank_matrix(x: &[Vec<Option<f64>>], w: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let total: f64 = w.iter().sum();
    let mut o = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let mut s = 0.0;
            for (k, wk) in w.iter().enumerate() {
                let (Some(a), Some(b)) = (x[i][k], x[j][k]) else {
                    continue;
                };
                if a > b {
                    s += wk / total;
                } else if a == b {
                    s += 0.5 * wk / total;
                }
            }
            o[i][j] = s;
            o[j][i] = 1.0 - s;
        }
    }
    o
}

/// Copeland scores: wins minus losses in the outranking matrix.
pub fn copeland(x: &[Vec<Option<f64>>], w: &[f64]) -> Vec<f64> {
    let o = outrank_matrix(x, w);
    let n = x.len();
    (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    let d = o[i][j] - 0.5;
                    if d > 0.0 {
                        1.0
                    } else if d < 0.0 {
                        -1.0
                    } else {
                        0.0
                    }
                })
                .sum()
        })
        .collect()
}
