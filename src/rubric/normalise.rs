//! Normalisation methods: each method's name, its variant, its parameters (`NormaliseSpec`) and
//! its formula, in this one file (COINr's `n_*` functions); `rubric/settings.rs` reads them.
//!
//! A new method that needs no new parameter is a variant of [`NormaliseMethod`], its name in
//! `NAMES`, and its arm in [`normalise`]; the rubric reads it by that name (`pipeline.normalise`,
//! a criterion's `normalise`, `--set`, a sensitivity factor) and the pipeline's Normalise step
//! applies it, with no other change.
//!
//! Direction is applied once, here: values are multiplied by the criterion's direction before
//! the method sees them, so every method works on "higher is better" data. Parameters given in
//! raw units (`npara`, `gposts`, the criterion's `target`) are flipped for direction -1, which
//! COINr does only when they come from iMeta.

use crate::base::stats;
use crate::rubric::named::settings_enum;
use serde::Serialize;

settings_enum! {
    /// Normalisation methods.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum NormaliseMethod {
        /// Values kept as they are (after the direction flip).
        None = "none",
        /// Min-max onto `l_u`.
        MinMax = "n_minmax",
        /// z-scores, rescaled by `m_sd`.
        ZScore = "n_zscore",
        /// (x - l)/(u - l) * scale_factor.
        Scaled = "n_scaled",
        /// Ascending rank.
        Rank = "n_rank",
        /// Rank - 1.
        Borda = "n_borda",
        /// Percentile rank.
        PRank = "n_prank",
        /// x / max.
        FracMax = "n_fracmax",
        /// 1 - (max - x)/(max - min).
        Dist2Max = "n_dist2max",
        /// Distance to a reference jurisdiction.
        Dist2Ref = "n_dist2ref",
        /// Distance to the criterion's target.
        Dist2Targ = "n_dist2targ",
        /// Goalposts.
        Goalposts = "n_goalposts",
    }
}

/// Normalisation (COINr's `Normalise`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormaliseSpec {
    /// Method.
    pub method: NormaliseMethod,
    /// `n_minmax` bounds (default: the rubric's scale).
    pub l_u: Option<[f64; 2]>,
    /// `n_zscore` mean and sd.
    pub m_sd: [f64; 2],
    /// `n_scaled` bounds (raw units).
    pub npara: [f64; 2],
    /// `n_scaled` factor.
    pub scale_factor: f64,
    /// `n_dist2ref` reference jurisdiction.
    pub iref: Option<String>,
    /// `n_dist2ref` / `n_dist2targ`: cap values above 1.
    pub cap_max: bool,
    /// `n_goalposts`: [lower, upper, scale] in raw units.
    pub gposts: Option<[f64; 3]>,
    /// `n_goalposts`: clamp to the goalposts.
    pub trunc2posts: bool,
    /// `n_rank`, `n_borda`, `n_prank`: how ties share ranks.
    pub ties: Ties,
}

settings_enum! {
    /// How tied values share ranks in rank-based normalisations (R's `ties.method`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Ties {
        /// The lowest rank of the tie (COINr's default).
        Min = "min",
        /// The mean of the tie's ranks.
        Average = "average",
    }
}

/// The default normalisation: min-max onto the rubric's scale.
pub fn default_normalise() -> NormaliseSpec {
    NormaliseSpec {
        method: NormaliseMethod::MinMax,
        l_u: None,
        m_sd: [0.0, 1.0],
        npara: [0.0, 100.0],
        scale_factor: 100.0,
        iref: None,
        cap_max: false,
        gposts: None,
        trunc2posts: true,
        ties: Ties::Min,
    }
}

/// Why a column could not be normalised.
pub(crate) type Why = String;

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
pub(crate) fn rank_ascending(x: &[Option<f64>]) -> Vec<Option<u32>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: &[Option<f64>], want: &[Option<f64>]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}"),
                _ => assert_eq!(g, w, "{got:?} vs {want:?}"),
            }
        }
    }

    fn with(method: NormaliseMethod) -> NormaliseSpec {
        NormaliseSpec {
            method,
            ..default_normalise()
        }
    }

    /// A new method's test goes here: a short column, hand-computed values, direction -1.
    #[test]
    fn min_max_puts_the_lowest_at_the_scale_minimum_and_flips_for_direction_minus_one() {
        let x = [Some(1.0), None, Some(2.0), Some(4.0)];
        let spec = with(NormaliseMethod::MinMax);
        // (x - 1) / (4 - 1) * 100: 0, 33.33..., 100; the unknown stays unknown.
        let up = normalise(&x, &spec, 1.0, None, None, [0.0, 100.0]).unwrap();
        close(&up, &[Some(0.0), None, Some(100.0 / 3.0), Some(100.0)]);
        // Direction -1 scores -x: -4 is the lowest, so 4 gets 0 and 1 gets 100.
        let down = normalise(&x, &spec, -1.0, None, None, [0.0, 100.0]).unwrap();
        close(&down, &[Some(100.0), None, Some(200.0 / 3.0), Some(0.0)]);
    }

    #[test]
    fn every_method_is_found_by_its_name() {
        for &(name, method) in NormaliseMethod::NAMES {
            assert_eq!(method.name(), name);
        }
        let distinct: std::collections::BTreeSet<&str> =
            NormaliseMethod::NAMES.iter().map(|(n, _)| *n).collect();
        assert_eq!(distinct.len(), NormaliseMethod::NAMES.len());
    }
}
