//! Correlations: Pearson and Spearman over pairwise-complete observations (R's
//! `cor(use = "pairwise.complete.obs")`), and every criterion's and node's correlation with its
//! parent and further ancestors (COINr's `get_corr(withparent = ...)`).
//!
//! Unlike COINr's `get_corr` default (`pval = 0.05`), no correlation is blanked for its p-value:
//! every coefficient is reported with the number of pairs it rests on.

use crate::base::stats as ps;
use crate::rubric::{Member, Rubric};

/// The pairs where both values are known.
pub(crate) fn complete_pairs(x: &[Option<f64>], y: &[Option<f64>]) -> Vec<(f64, f64)> {
    x.iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .collect()
}

/// Pearson's r over pairwise-complete observations; `None` below 2 pairs or when either column
/// is constant over the pairs.
pub fn pearson(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    ps::pearson(x, y).filter(|r| r.is_finite())
}

/// Ranks 1..n with ties given the average of the ranks they span (R's `rank`, ties "average").
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut out = vec![0.0; x.len()];
    let mut k = 0;
    while k < idx.len() {
        let mut e = k + 1;
        while e < idx.len() && x[idx[e]] == x[idx[k]] {
            e += 1;
        }
        // Positions k..e (0-based) hold ranks k+1..=e; their mean is (k + 1 + e) / 2.
        let r = (k + 1 + e) as f64 / 2.0;
        for &i in &idx[k..e] {
            out[i] = r;
        }
        k = e;
    }
    out
}

/// Spearman's rho: Pearson's r of the average ranks, ranked within the pairwise-complete
/// observations; `None` as for `pearson`.
pub fn spearman(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    let pairs = complete_pairs(x, y);
    let (a, b): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    let ra: Vec<Option<f64>> = average_ranks(&a).into_iter().map(Some).collect();
    let rb: Vec<Option<f64>> = average_ranks(&b).into_iter().map(Some).collect();
    pearson(&ra, &rb)
}

/// The correlation of a criterion or node with one of its ancestors.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The criterion or node.
    pub child: Member,
    /// The ancestor node.
    pub ancestor: usize,
    /// Steps up the tree: 1 for the parent, 2 for the grandparent, ...
    pub generations: usize,
    /// Pairwise-complete observations.
    pub n: usize,
    /// Pearson's r.
    pub pearson: Option<f64>,
    /// Spearman's rho.
    pub spearman: Option<f64>,
}

/// The parent of a member, if any.
pub(crate) fn parent_of(rubric: &Rubric, member: Member) -> Option<usize> {
    match member {
        Member::Criterion(c) => Some(rubric.criteria[c].parent),
        Member::Node(k) => rubric.nodes[k].parent,
    }
}

/// Correlations of every criterion (in rubric order) and then every node but the root (in node
/// order) with each of its ancestors, parent first, as COINr's `get_corr` across levels.
/// `column` gives a member's values (in COINr's terms, the `Aggregated` data set: normalised
/// criteria and node scores). The rubric's depth limit (`rubric::MAX_DEPTH`) keeps this linear in
/// the number of elements (a chain of 4,000 nodes once gave 8 million rows).
pub fn with_ancestors<'a>(
    rubric: &Rubric,
    column: impl Fn(Member) -> &'a [Option<f64>],
) -> Vec<Link> {
    let members = (0..rubric.criteria.len())
        .map(Member::Criterion)
        .chain((1..rubric.nodes.len()).map(Member::Node));
    let mut out = Vec::new();
    for child in members {
        let x = column(child);
        let mut up = parent_of(rubric, child);
        let mut generations = 1;
        while let Some(a) = up {
            let y = column(Member::Node(a));
            out.push(Link {
                child,
                ancestor: a,
                generations,
                n: complete_pairs(x, y).len(),
                pearson: pearson(x, y),
                spearman: spearman(x, y),
            });
            up = rubric.nodes[a].parent;
            generations += 1;
        }
    }
    out
}
