//! Normalise: bring numeric criteria onto a common scale (COINr's `n_*` functions).
//!
//! Direction is applied once, here: values are multiplied by the criterion's direction before
//! the method sees them, so every method works on "higher is better" data. Parameters given in
//! raw units (`npara`, `gposts`, the criterion's `target`) are flipped for direction -1, which
//! COINr does only when they come from iMeta.

use crate::base::stats;
use crate::rubric::settings::{NormaliseMethod, NormaliseSpec, Ties};

/// Why a column could not be normalised.
pub type Why = String;

/// Normalises one column.
pub fn normalise(
    x: &[Option<f64>],
    spec: &NormaliseSpec,
    direction: f64,
    target: Option<f64>,
    reference: Option<Option<f64>>,
    scale: [f64; 2],
) -> Result<Vec<Option<f64>>, Why> {
    // The direction is applied on the fly: no flipped copy of the column is made.
    let d = direction;
    // Generic rather than `&dyn Fn`, so that the method's formula is inlined into the loop.
    fn map_col(x: &[Option<f64>], d: f64, f: impl Fn(f64) -> f64) -> Vec<Option<f64>> {
        x.iter().map(|v| v.map(|v| f(v * d))).collect()
    }
    let min_max = || {
        let mut it = x.iter().flatten().map(|v| v * d);
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    };
    let range = || -> Result<(f64, f64), Why> {
        let (lo, hi) = min_max().ok_or("it has no known values")?;
        if hi == lo {
            return Err(format!(
                "every known value is {lo}, so there is no range to scale"
            ));
        }
        Ok((lo, hi))
    };
    let flipped = || -> Vec<Option<f64>> { x.iter().map(|v| v.map(|v| v * d)).collect() };
    let flip2 = |[l, u]: [f64; 2]| if direction < 0.0 { [-u, -l] } else { [l, u] };
    Ok(match spec.method {
        NormaliseMethod::None => flipped(),
        NormaliseMethod::MinMax => {
            let (lo, hi) = range()?;
            let [l, u] = spec.l_u.unwrap_or(scale);
            map_col(x, d, |v| (v - lo) / (hi - lo) * (u - l) + l)
        }
        NormaliseMethod::ZScore => {
            let known: Vec<f64> = x.iter().flatten().map(|v| v * d).collect();
            let m = stats::mean(&known).ok_or("it has no known values")?;
            let s = stats::sd(&known).ok_or("it has fewer than two known values")?;
            if s == 0.0 {
                return Err("its standard deviation is 0".to_string());
            }
            let [mm, ss] = spec.m_sd;
            map_col(x, d, |v| (v - m) / s * ss + mm)
        }
        NormaliseMethod::Scaled => {
            let [l, u] = flip2(spec.npara);
            if u == l {
                return Err("`npara` has equal bounds".to_string());
            }
            map_col(x, d, |v| (v - l) / (u - l) * spec.scale_factor)
        }
        NormaliseMethod::Rank => ranks(&flipped(), spec.ties),
        NormaliseMethod::Borda => ranks(&flipped(), spec.ties)
            .into_iter()
            .map(|r| r.map(|r| r - 1.0))
            .collect(),
        NormaliseMethod::PRank => {
            let n = x.iter().flatten().count();
            if n < 2 {
                return Err("it has fewer than two known values".to_string());
            }
            ranks(&flipped(), spec.ties)
                .into_iter()
                .map(|r| r.map(|r| (r - 1.0) / (n as f64 - 1.0)))
                .collect()
        }
        NormaliseMethod::FracMax => {
            let (_, hi) = min_max().ok_or("it has no known values")?;
            if hi <= 0.0 {
                return Err(format!(
                    "its largest value is {hi}; n_fracmax needs a positive maximum (for direction -1 criteria use another method)"
                ));
            }
            map_col(x, d, |v| v / hi)
        }
        NormaliseMethod::Dist2Max => {
            let (lo, hi) = range()?;
            map_col(x, d, |v| 1.0 - (hi - v) / (hi - lo))
        }
        NormaliseMethod::Dist2Ref => {
            let xr = reference
                .ok_or("`iref` is not among the jurisdictions scored")?
                .ok_or("the reference jurisdiction has no value")?
                * direction;
            let (lo, _) = min_max().ok_or("it has no known values")?;
            if xr == lo {
                return Err("the reference jurisdiction has the lowest value, so distances cannot be scaled".to_string());
            }
            map_col(x, d, |v| {
                let y = 1.0 - (xr - v) / (xr - lo);
                if spec.cap_max { y.min(1.0) } else { y }
            })
        }
        NormaliseMethod::Dist2Targ => {
            let targ = target.ok_or("n_dist2targ needs the criterion's `target`")? * direction;
            let (lo, _) = min_max().ok_or("it has no known values")?;
            if targ == lo {
                return Err("the target equals the lowest value".to_string());
            }
            map_col(x, d, |v| {
                let y = (v - lo) / (targ - lo);
                if spec.cap_max { y.min(1.0) } else { y }
            })
        }
        NormaliseMethod::Goalposts => {
            let [l0, u0, a] = spec.gposts.ok_or("n_goalposts needs `gposts`")?;
            let [l, u] = flip2([l0, u0]);
            if u == l {
                return Err("the goalposts are equal".to_string());
            }
            map_col(x, d, |v| {
                let y = (v - l) / (u - l);
                let y = if spec.trunc2posts {
                    y.clamp(0.0, 1.0)
                } else {
                    y
                };
                y * a
            })
        }
    })
}

/// Ascending ranks as numbers, ties as `ties` says.
fn ranks(x: &[Option<f64>], ties: Ties) -> Vec<Option<f64>> {
    let min = rank_ascending(x);
    match ties {
        Ties::Min => min.into_iter().map(|r| r.map(f64::from)).collect(),
        Ties::Average => {
            // A tie of size k starting at rank r averages r..r+k-1: r + (k - 1)/2.
            let mut size = std::collections::HashMap::new();
            for r in min.iter().flatten() {
                *size.entry(*r).or_insert(0u32) += 1;
            }
            min.iter()
                .map(|r| r.map(|r| f64::from(r) + f64::from(size[&r] - 1) / 2.0))
                .collect()
        }
    }
}

/// Ascending ranks, ties sharing the lowest rank, unknown kept unknown (R's `rank(ties="min")`).
pub fn rank_ascending(x: &[Option<f64>]) -> Vec<Option<u32>> {
    let mut idx: Vec<usize> = (0..x.len()).filter(|&i| x[i].is_some()).collect();
    idx.sort_by(|&a, &b| x[a].unwrap_or(0.0).total_cmp(&x[b].unwrap_or(0.0)));
    let mut out = vec![None; x.len()];
    let mut k = 0;
    while k < idx.len() {
        let v = x[idx[k]];
        let mut e = k;
        while e < idx.len() && x[idx[e]] == v {
            e += 1;
        }
        for &i in &idx[k..e] {
            out[i] = Some(k as u32 + 1);
        }
        k = e;
    }
    out
}
