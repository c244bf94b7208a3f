//! Rank: descending by score, ties share the lowest rank (1, 2, 2, 4), unknown stays unknown.

/// Which scores tie in a ranking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RankTies {
    /// Scores equal to 12 significant digits: two routes to one value (155/2 by different sums)
    /// can differ in the last bit, and that noise does not split them.
    #[default]
    Tolerance,
    /// Only equal doubles, as COINr's `rank(-x, ties.method = "min")` compares them.
    Exact,
}

/// Scores closer than this (relative to the larger, or absolutely below 1) are ties: two routes
/// to the same exact value (155/2 by different sums) can differ in the last bit, and that noise
/// must not decide a rank.
pub(crate) const TIE_TOLERANCE: f64 = 1e-12;

/// COINr's `rank(-score, ties.method = "min", na.last = "keep")`, with scores equal to 12
/// significant digits treated as ties.
pub fn rank_descending(x: &[Option<f64>]) -> Vec<Option<u32>> {
    rank_with(x, RankTies::Tolerance)
}

/// COINr's `rank(-score, ties.method = "min", na.last = "keep")`, with ties as `ties` says.
pub fn rank_with(x: &[Option<f64>], ties: RankTies) -> Vec<Option<u32>> {
    let mut out = vec![None; x.len()];
    rank_into(x, ties, &mut out);
    out
}

/// [`rank_with`] into `out` (as long as `x`; every place is written).
pub(crate) fn rank_into(x: &[Option<f64>], ties: RankTies, out: &mut [Option<u32>]) {
    // Sorted by score, highest first; the order of equal scores among themselves does not
    // matter, since they share a rank.
    let mut sorted: Vec<(f64, usize)> = Vec::with_capacity(x.len());
    sorted.extend(x.iter().enumerate().filter_map(|(i, v)| v.map(|v| (v, i))));
    sorted.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let tied = |top: f64, next: f64| match ties {
        RankTies::Tolerance => (top - next) <= TIE_TOLERANCE * top.abs().max(1.0),
        // -0.0 and 0.0 are equal, as in R; they sit next to each other in the sorted order.
        RankTies::Exact => top == next,
    };
    out.fill(None);
    let mut k = 0;
    while k < sorted.len() {
        let top = sorted[k].0;
        // The first score always joins its own group, so the loop ends whatever the scores are
        // (a NaN compares false with everything).
        let mut e = k + 1;
        while e < sorted.len() && tied(top, sorted[e].0) {
            e += 1;
        }
        for &(_, i) in &sorted[k..e] {
            out[i] = Some(k as u32 + 1);
        }
        k = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_ties_are_equal_doubles_only() {
        // 0.1 + 0.2 is 0.30000000000000004: one ulp above 0.3.
        let x = [Some(0.1 + 0.2), Some(0.3), None, Some(0.2)];
        assert_eq!(
            rank_with(&x, RankTies::Tolerance),
            [Some(1), Some(1), None, Some(3)]
        );
        assert_eq!(
            rank_with(&x, RankTies::Exact),
            [Some(1), Some(2), None, Some(3)]
        );
        // R compares -0 and 0 as equal.
        assert_eq!(
            rank_with(&[Some(-0.0), Some(1.0), Some(0.0)], RankTies::Exact),
            [Some(2), Some(1), Some(2)]
        );
    }
}
