//! Leave-one-out importance of index elements: COINr's `remove_elements`.
//!
//! For each element (a criterion or a node), a copy of the rubric gives it weight 0, the pipeline
//! runs again on the same criterion values, and the index ranks are compared with the nominal
//! ones: the result is the mean over jurisdictions of |nominal rank - rank without the element|.
//! Jurisdictions whose index is unknown in either run are left out of the mean. Giving the root
//! weight 0 changes nothing (its weight is never used), so the root is not an element.

use rayon::prelude::*;

use crate::Scored;
use crate::error::InputError;
use crate::pipeline::rank::rank_with;
use crate::pipeline::spec::RankTies;
use crate::results::Results;
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

/// A copy of the rubric with one element's weight set to 0.
pub fn without(rubric: &Rubric, member: Member) -> Rubric {
    let mut r = rubric.clone();
    match member {
        Member::Criterion(c) => r.criteria[c].weight = 0.0,
        Member::Node(k) => r.nodes[k].weight = 0.0,
    }
    r
}

/// Index ranks of a run (COINr's rule: descending, ties share the lowest rank, unknown stays
/// unknown; a non-finite score counts as unknown), with ties as `ties` says.
pub fn index_ranks(results: &Results, ties: RankTies) -> Vec<Option<u32>> {
    let scores: Vec<Option<f64>> = results
        .index_scores()
        .iter()
        .map(|s| s.filter(|v| v.is_finite()))
        .collect();
    rank_with(&scores, ties)
}

/// Mean absolute difference of two rank vectors over the rows where both are known.
pub fn mean_abs_change(a: &[Option<u32>], b: &[Option<u32>]) -> (usize, Option<f64>) {
    let diffs: Vec<f64> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some((f64::from((*x)?) - f64::from((*y)?)).abs()))
        .collect();
    let n = diffs.len();
    (n, (n > 0).then(|| diffs.iter().sum::<f64>() / n as f64))
}

/// Removes each element in turn (in parallel) and reports the mean absolute index rank change.
/// Fails only if the pipeline fails on a modified rubric (a method that cannot take the new
/// weights).
pub fn remove_each(scored: &Scored, members: &[Member]) -> Result<Vec<Removal>, InputError> {
    let ties = scored.rubric.pipeline.rank.ties;
    let nominal = index_ranks(&scored.results, ties);
    members
        .par_iter()
        .map(|&member| {
            let rubric = without(&scored.rubric, member);
            let results = crate::pipeline::run(&rubric, &scored.inputs, &scored.values)?;
            let (n, mean) = mean_abs_change(&nominal, &index_ranks(&results, ties));
            Ok(Removal {
                member,
                n,
                mean_abs_rank_change: mean,
            })
        })
        .collect()
}
