//! Rank: descending by score, ties share the lowest rank (1, 2, 2, 4), unknown stays unknown.

/// Scores closer than this (relative to the larger, or absolutely below 1) are ties: two routes
/// to the same exact value (155/2 by different sums) can differ in the last bit, and that noise
/// must not decide a rank.
pub const TIE_TOLERANCE: f64 = 1e-12;

/// COINr's `rank(-score, ties.method = "min", na.last = "keep")`, with scores equal to 12
/// significant digits treated as ties.
pub fn rank_descending(x: &[Option<f64>]) -> Vec<Option<u32>> {
    let mut idx: Vec<usize> = (0..x.len()).filter(|&i| x[i].is_some()).collect();
    let v = |i: usize| x[i].unwrap_or(0.0);
    idx.sort_by(|&a, &b| v(b).total_cmp(&v(a)));
    let mut out = vec![None; x.len()];
    let mut k = 0;
    while k < idx.len() {
        let top = v(idx[k]);
        // The first score always joins its own group, so the loop ends whatever the scores are
        // (a NaN compares false with everything).
        let mut e = k + 1;
        while e < idx.len() && (top - v(idx[e])) <= TIE_TOLERANCE * top.abs().max(1.0) {
            e += 1;
        }
        for &i in &idx[k..e] {
            out[i] = Some(k as u32 + 1);
        }
        k = e;
    }
    out
}
