//! Leave-one-out importance of index elements: COINr's `remove_elements`.
//!
//! For each element (a criterion or a node), a scenario excludes it (weight 0) and the nodes are
//! aggregated again on the pipeline's cached steps (weights change nothing before aggregation), and the
//! index ranks are compared with the nominal ones: the result is the mean over jurisdictions of |nominal rank - rank without the element|.
//! Jurisdictions whose index is unknown in either run are left out of the mean. Giving the root
//! weight 0 changes nothing (its weight is never used), so the root is not an element.

use rayon::prelude::*;

use crate::base::rank::rank_with;
use crate::error::InputError;
use crate::pipeline::Scored;
use crate::pipeline::results::Results;
use crate::pipeline::scenario::{Baseline, Change, Scenario};
use crate::rubric::settings::RankTies;
use crate::rubric::{Member, Rubric};

/// What removing one element did to the index ranks.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// The element given weight 0.
    pub member: Member,
    /// Jurisdictions with an index rank in both runs.
    pub n: usize,
    /// Mean |nominal rank - rank without the element| over them; `None` when there are none.
    pub mean_abs_rank_change: Option<f64>,
}

/// The nodes at a depth below the root (1 = the root's children), in node order.
pub fn nodes_at_depth(rubric: &Rubric, depth: usize) -> Vec<Member> {
    if depth == 0 {
        return Vec::new();
    }
    (0..rubric.nodes.len())
        .filter(|&k| rubric.nodes[k].depth == depth)
        .map(Member::Node)
        .collect()
}

/// Every criterion, in rubric order.
pub fn all_criteria(rubric: &Rubric) -> Vec<Member> {
    (0..rubric.criteria.len()).map(Member::Criterion).collect()
}

/// Index ranks of a run (COINr's rule: descending, ties share the lowest rank, unknown stays
/// unknown; a non-finite score counts as unknown), with ties as `ties` says.
pub(crate) fn index_ranks(results: &Results, ties: RankTies) -> Vec<Option<u32>> {
    let scores: Vec<Option<f64>> = results
        .index_scores()
        .iter()
        .map(|s| s.filter(|v| v.is_finite()))
        .collect();
    rank_with(&scores, ties)
}

/// Mean absolute difference of two rank vectors over the rows where both are known.
pub(crate) fn mean_abs_change(a: &[Option<u32>], b: &[Option<u32>]) -> (usize, Option<f64>) {
    let diffs: Vec<f64> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some((f64::from((*x)?) - f64::from((*y)?)).abs()))
        .collect();
    let n = diffs.len();
    (n, (n > 0).then(|| diffs.iter().sum::<f64>() / n as f64))
}

/// Removes each element in turn (in parallel) and reports the mean absolute index rank change.
/// The steps before aggregation run once; each removal is a scenario excluding the element,
/// aggregated again on them. Fails only if aggregation fails without the element (a method that
/// cannot take the new weights).
pub fn remove_each(scored: &Scored, members: &[Member]) -> Result<Vec<Removal>, InputError> {
    let ties = scored.rubric.pipeline.rank.ties;
    let nominal = index_ranks(&scored.results, ties);
    let baseline = Baseline::new(scored)?;
    members
        .par_iter()
        .map(|&member| {
            let regenerated = baseline.apply(&Scenario::one(Change::Exclude(member)))?;
            let index: Vec<Option<f64>> = regenerated
                .index_scores()
                .iter()
                .map(|s| s.filter(|v| v.is_finite()))
                .collect();
            let (n, mean) = mean_abs_change(&nominal, &rank_with(&index, ties));
            Ok(Removal {
                member,
                n,
                mean_abs_rank_change: mean,
            })
        })
        .collect()
}
