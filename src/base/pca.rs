//! Principal component analysis of a group of columns: COINr's `get_PCA`, i.e. R's
//! `prcomp(center = TRUE, scale = TRUE)` on the complete cases, computed as the eigen-decomposition
//! of their correlation matrix.
//!
//! **Sign rule.** An eigenvector's sign is arbitrary (R and COINr may return PC1 with every
//! loading negated). accord fixes it: each component is oriented so that its loadings sum to a
//! positive number; when they sum to zero (within rounding), so that its first non-zero loading is
//! positive. Results therefore equal COINr's up to the sign of each whole component.

use nalgebra::{DMatrix, SymmetricEigen};

/// Loadings sums within this (relative to the sum of their magnitudes) count as zero for the
/// sign rule.
const SIGN_TOLERANCE: f64 = 1e-12;

/// A principal component analysis of k columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Complete cases (rows where every column is known) the analysis rests on.
    pub n: usize,
    /// Loadings: `loadings[component][column]`, each a unit-norm eigenvector of the correlation
    /// matrix (R's `rotation[, component]`), signed by the sign rule.
    pub loadings: Vec<Vec<f64>>,
    /// Standard deviation of each component: the square root of its eigenvalue (R's `sdev`).
    pub sdev: Vec<f64>,
    /// Share of the total variance each component explains.
    pub prop_var: Vec<f64>,
    /// Running sum of `prop_var`.
    pub cum_prop: Vec<f64>,
}

/// Rows where every column is known.
fn complete_cases(columns: &[&[Option<f64>]]) -> Vec<Vec<f64>> {
    let nrow = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    (0..nrow)
        .filter_map(|r| columns.iter().map(|c| c[r]).collect::<Option<Vec<f64>>>())
        .collect()
}

/// The PCA of the columns over their complete cases. `None` with fewer than 2 columns, fewer
/// than 2 complete cases, or a column that is constant over them (R's `prcomp` cannot scale it).
pub fn pca(columns: &[&[Option<f64>]]) -> Option<Pca> {
    let k = columns.len();
    let rows = complete_cases(columns);
    let n = rows.len();
    if k < 2 || n < 2 {
        return None;
    }
    let nf = n as f64;
    // Standardise each column: centre, divide by its sd (n - 1).
    let mut z = DMatrix::<f64>::zeros(n, k);
    for j in 0..k {
        let mean = rows.iter().map(|r| r[j]).sum::<f64>() / nf;
        let ss: f64 = rows.iter().map(|r| (r[j] - mean) * (r[j] - mean)).sum();
        let sd = (ss / (nf - 1.0)).sqrt();
        if !(sd > 0.0 && sd.is_finite()) {
            return None;
        }
        for (i, r) in rows.iter().enumerate() {
            z[(i, j)] = (r[j] - mean) / sd;
        }
    }
    let mut corr = z.transpose() * &z / (nf - 1.0);
    // Symmetrise exactly and pin the unit diagonal.
    for i in 0..k {
        corr[(i, i)] = 1.0;
        for j in 0..i {
            let v = (corr[(i, j)] + corr[(j, i)]) / 2.0;
            corr[(i, j)] = v;
            corr[(j, i)] = v;
        }
    }
    let eig = SymmetricEigen::new(corr);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let values: Vec<f64> = order.iter().map(|&i| eig.eigenvalues[i].max(0.0)).collect();
    let total: f64 = values.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return None;
    }
    let loadings: Vec<Vec<f64>> = order
        .iter()
        .map(|&i| {
            let v: Vec<f64> = eig.eigenvectors.column(i).iter().copied().collect();
            orient(v)
        })
        .collect();
    let prop_var: Vec<f64> = values.iter().map(|v| v / total).collect();
    let mut cum = 0.0;
    let cum_prop = prop_var
        .iter()
        .map(|p| {
            cum += p;
            cum
        })
        .collect();
    Some(Pca {
        n,
        loadings,
        sdev: values.iter().map(|v| v.sqrt()).collect(),
        prop_var,
        cum_prop,
    })
}

/// Applies the sign rule to one eigenvector.
fn orient(mut v: Vec<f64>) -> Vec<f64> {
    let sum: f64 = v.iter().sum();
    let scale: f64 = v.iter().map(|x| x.abs()).sum();
    let flip = if sum.abs() > SIGN_TOLERANCE * scale {
        sum < 0.0
    } else {
        v.iter()
            .find(|x| x.abs() > SIGN_TOLERANCE * scale)
            .is_some_and(|x| *x < 0.0)
    };
    if flip {
        v.iter_mut().for_each(|x| *x = -*x);
    }
    v
}

/// The loadings of the first principal component (COINr's PCA weights), signed so that they sum
/// to a positive number; `None` as for `pca`.
pub fn first_component(columns: &[&[Option<f64>]]) -> Option<Vec<f64>> {
    pca(columns)?.loadings.into_iter().next()
}
