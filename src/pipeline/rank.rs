//! Rank: descending by score, ties share the lowest rank (1, 2, 2, 4), unknown stays unknown.

/// COINr's `rank(-score, ties.method = "min", na.last = "keep")`.
pub fn rank_descending(x: &[Option<f64>]) -> Vec<Option<u32>> {
    let neg: Vec<Option<f64>> = x.iter().map(|v| v.map(|v| -v)).collect();
    super::normalise::rank_ascending(&neg)
}
