//! Descriptive statistics with R's conventions (n - 1 denominators, type-7 quantiles, G1/G2).

/// Mean of the known values.
pub(crate) fn mean(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    Some(x.iter().sum::<f64>() / x.len() as f64)
}

/// Median (R's `median`).
pub(crate) fn median(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Sample standard deviation (n - 1).
pub(crate) fn sd(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let m = mean(x)?;
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (n - 1) as f64).sqrt())
}

/// Adjusted Fisher-Pearson skewness G1 (e1071 type 2, Excel's SKEW); `None` below 3 values.
pub fn skew(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let m = mean(x)?;
    let (mut s2, mut s3) = (0.0, 0.0);
    for v in x {
        let d = v - m;
        s2 += d * d;
        s3 += d * d * d;
    }
    let g1 = nf.sqrt() * s3 / s2.powf(1.5);
    Some(g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0))
}

/// Sample excess kurtosis G2 (e1071 type 2, Excel's KURT); `None` below 4 values.
pub fn kurt(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 4 {
        return None;
    }
    let nf = n as f64;
    let m = mean(x)?;
    let (mut s2, mut s4) = (0.0, 0.0);
    for v in x {
        let d = v - m;
        let d2 = d * d;
        s2 += d2;
        s4 += d2 * d2;
    }
    let r = nf * s4 / (s2 * s2);
    Some(((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0)))
}

/// The known values of a column.
pub(crate) fn known(x: &[Option<f64>]) -> Vec<f64> {
    x.iter().flatten().copied().collect()
}

/// Minimum and maximum of the known values.
pub(crate) fn min_max(x: &[Option<f64>]) -> Option<(f64, f64)> {
    min_max_of(x.iter().flatten().copied())
}

/// [`min_max`] of values already without unknowns.
pub(crate) fn min_max_dense(x: &[f64]) -> Option<(f64, f64)> {
    min_max_of(x.iter().copied())
}

fn min_max_of(mut it: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let first = it.next()?;
    Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
}

/// Pearson correlation over pairs where both are known.
pub(crate) fn pearson(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .collect();
    let n = pairs.len();
    if n < 2 {
        return None;
    }
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in &pairs {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// Skewness G1 and kurtosis G2 of the known values of a column, in two passes and no allocation;
/// `None` below 4 known values.
pub(crate) fn skew_kurt(x: &[Option<f64>]) -> Option<(f64, f64)> {
    skew_kurt_of(x.iter().flatten().copied())
}

/// [`skew_kurt`] of values already without unknowns (the known values of a column, in order):
/// the same operations in the same order, so the same doubles.
pub(crate) fn skew_kurt_dense(x: &[f64]) -> Option<(f64, f64)> {
    skew_kurt_of(x.iter().copied())
}

fn skew_kurt_of(values: impl Iterator<Item = f64> + Clone) -> Option<(f64, f64)> {
    let (mut n, mut sum) = (0usize, 0.0);
    for v in values.clone() {
        n += 1;
        sum += v;
    }
    if n < 4 {
        return None;
    }
    let nf = n as f64;
    let m = sum / nf;
    let (mut s2, mut s3, mut s4) = (0.0, 0.0, 0.0);
    for v in values {
        let d = v - m;
        let d2 = d * d;
        s2 += d2;
        s3 += d2 * d;
        s4 += d2 * d2;
    }
    let g1 = nf.sqrt() * s3 / (s2 * s2.sqrt());
    let skew = g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0);
    let r = nf * s4 / (s2 * s2);
    let kurt = ((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0));
    Some((skew, kurt))
}
