//! The tree: `[[node]]` tables, unique ids, parents, one root, no cycles, a bounded depth, then
//! the nodes in pre-order with their children, and checks on what the linked tree holds.

use std::collections::HashMap;

use super::{CriterionDraft, NodeDraft, check_id, read_weight};
use crate::error::{Location, Problem, Problems, did_you_mean};
use crate::rubric::settings as spec;
use crate::rubric::tree::{Origin, Reader, Table};
use crate::rubric::{Criterion, Field, MAX_DEPTH, Member, Meta, Node};

/// Every node's and criterion's id, where it was first defined and what it names.
pub(super) type Ids = HashMap<String, (Origin, &'static str)>;

/// Reads every `[[node]]`, with a problem when there is none.
pub(super) fn read_nodes(
    top: &mut Reader<'_>,
    root: &Table,
    file: &str,
    pipeline: &spec::PipelineSpec,
    p: &mut Problems,
) -> Vec<NodeDraft> {
    let mut nodes: Vec<NodeDraft> = Vec::new();
    if let Some(items) = top.array("node", p) {
        for item in items {
            let Some(t) = item.as_table() else {
                p.push(
                    Problem::new("`node` must be an array of tables ([[node]])")
                        .at(item.at.location()),
                );
                continue;
            };
            let mut r = Reader::new(t, "node", &item.at);
            let id = r.req_str("id", p).unwrap_or_default();
            let id_tv = r.get("id");
            if !id.is_empty() {
                check_id(&r, &id, p, id_tv);
            }
            r.path = format!("node.{id}");
            let name = r.str("name", p).unwrap_or_else(|| id.clone());
            let parent = r.get("parent").and_then(|tv| match tv.as_str() {
                Some(s) => Some((s.to_string(), tv.clone())),
                None => {
                    p.push(r.problem_at(
                        tv,
                        "parent",
                        format!("`node.{id}.parent` must be a node id (a string)"),
                    ));
                    None
                }
            });
            let weight = read_weight(&mut r, p);
            let text = r.str("text", p);
            let aggregate = r.get("aggregate").and_then(|tv| {
                spec::read_aggregate(tv, &format!("node.{id}.aggregate"), &pipeline.aggregate, p)
            });
            r.allow(&["remove", "description", "source"]);
            r.finish(p);
            nodes.push(NodeDraft {
                id,
                name,
                parent,
                weight,
                text,
                aggregate,
                at: item.at.clone(),
            });
        }
    } else if root.get("node").is_none() {
        p.push(
            Problem::new("the rubric has no `[[node]]` tables: it needs at least the index node")
                .at(Location::file(file)),
        );
    }

    nodes
}

/// The index of the node with id `id`, in file order.
pub(super) fn find_node(nodes: &[NodeDraft], id: &str) -> Option<usize> {
    nodes.iter().position(|n| n.id == id)
}

/// Collects the ids of nodes and criteria, with a problem for each one used twice.
pub(super) fn unique_ids(
    nodes: &[NodeDraft],
    criteria: &[CriterionDraft],
    p: &mut Problems,
) -> Ids {
    let mut ids: HashMap<String, (Origin, &'static str)> = HashMap::new();
    for n in nodes {
        if n.id.is_empty() {
            continue;
        }
        if let Some((first, _)) = ids.get(&n.id) {
            p.push(
                Problem::new(format!("duplicate id `{}`", n.id))
                    .at(n.at.location().with_key(format!("node.{}", n.id)))
                    .related("first defined", first.location()),
            );
        } else {
            ids.insert(n.id.clone(), (n.at.clone(), "node"));
        }
    }
    for c in criteria {
        if let Some((first, kind)) = ids.get(&c.c.id) {
            p.push(
                Problem::new(format!(
                    "duplicate id `{}`: already used by a {kind}",
                    c.c.id
                ))
                .at(c.at.location().with_key(format!("criterion.{}", c.c.id)))
                .related("first defined", first.location()),
            );
        } else {
            ids.insert(c.c.id.clone(), (c.at.clone(), "criterion"));
        }
    }
    ids
}

/// Links every node to its parent; returns each node's parent and the roots (nodes without a
/// parent), with a problem for an unknown parent and unless there is exactly one root.
pub(super) fn link_nodes(
    nodes: &[NodeDraft],
    criteria: &[CriterionDraft],
    file: &str,
    p: &mut Problems,
) -> (Vec<Option<usize>>, Vec<usize>) {
    let node_ids: Vec<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let mut parent_of: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut roots = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        match &n.parent {
            None => roots.push(i),
            Some((pid, tv)) => {
                match find_node(nodes, pid) {
                    Some(j) => parent_of[i] = Some(j),
                    None => {
                        let mut problem =
                            Problem::new(format!("node `{}` has unknown parent `{pid}`", n.id))
                                .at(tv.at.location().with_key(format!("node.{}.parent", n.id)));
                        if criteria.iter().any(|c| c.c.id == *pid) {
                            problem = problem.help(format!("`{pid}` is a criterion; criteria are leaves and cannot have children"));
                        } else if let Some(h) = did_you_mean(pid, node_ids.iter().copied()) {
                            problem = problem.help(h);
                        }
                        p.push(problem);
                    }
                }
            }
        }
    }
    if !nodes.is_empty() && roots.len() != 1 {
        if roots.is_empty() {
            p.push(
                Problem::new(
                    "no node is the root: every node has a parent, so the tree has a cycle",
                )
                .at(Location::file(file))
                .help("give the index node no `parent`"),
            );
        } else {
            let names: Vec<String> = roots
                .iter()
                .map(|&i| format!("`{}`", nodes[i].id))
                .collect();
            let mut problem = Problem::new(format!(
                "the rubric has {} root nodes ({}); it needs exactly one, the index",
                roots.len(),
                names.join(", ")
            ))
            .at(nodes[roots[1]].at.location());
            problem = problem.help("give every node but the index a `parent`");
            p.push(problem);
        }
    }
    (parent_of, roots)
}

/// Checks that no nodes form a cycle and that the tree is at most [`MAX_DEPTH`] levels deep.
pub(super) fn check_cycles_and_depth(
    nodes: &[NodeDraft],
    parent_of: &[Option<usize>],
    p: &mut Problems,
) {
    let (depth, cycles) = depths(parent_of);
    for first in cycles {
        let mut members = vec![nodes[first].id.clone()];
        let mut j = parent_of[first];
        while let Some(k) = j.filter(|&k| k != first) {
            members.push(nodes[k].id.clone());
            j = parent_of[k];
        }
        members.push(nodes[first].id.clone());
        p.push(
            Problem::new(format!("the nodes form a cycle: {}", members.join(" -> "))).at(nodes
                [first]
                .at
                .location()
                .with_key(format!("node.{}.parent", nodes[first].id))),
        );
    }
    if let Some((k, d)) = depth
        .iter()
        .enumerate()
        .filter_map(|(k, d)| d.map(|d| (k, d)))
        .max_by_key(|&(_, d)| d)
        && d > MAX_DEPTH
    {
        p.push(
            Problem::new(format!(
                "the tree is {d} levels deep (node `{}`), more than the limit of {MAX_DEPTH}",
                nodes[k].id
            ))
            .at(nodes[k].at.location())
            .help("a rubric's tree has a few levels (criteria, principles, index); check the `parent` keys"),
        );
    }
}

/// Every node's depth below its root (`None` for a node on or under a cycle), and each cycle
/// once, named by its first node in file order, in the order the cycles are found. One linear
/// pass: walk up from each node until a node already walked (its depth known), the root, or a
/// node on the current walk (a cycle).
fn depths(parent_of: &[Option<usize>]) -> (Vec<Option<usize>>, Vec<usize>) {
    const UNSEEN: usize = usize::MAX;
    const WALKING: usize = usize::MAX - 1;
    const CYCLE: usize = usize::MAX - 2;
    let mut depth = vec![UNSEEN; parent_of.len()];
    let mut cycles = Vec::new();
    let mut path = Vec::new();
    for start in 0..parent_of.len() {
        path.clear();
        let mut cur = Some(start);
        let base = loop {
            match cur {
                None => break 0,
                Some(i) if depth[i] == UNSEEN => {
                    depth[i] = WALKING;
                    path.push(i);
                    cur = parent_of[i];
                }
                Some(i) if depth[i] == WALKING => {
                    // The cycle is the walk from `i` on; name it from its first node in file order.
                    let at = path.iter().position(|&k| k == i).unwrap_or(0);
                    cycles.push(path[at..].iter().copied().min().unwrap_or(i));
                    break CYCLE;
                }
                Some(i) if depth[i] == CYCLE => break CYCLE,
                Some(i) => break depth[i] + 1,
            }
        };
        // Depths down the walk: the last node walked sits on `base`.
        for (n, &k) in path.iter().rev().enumerate() {
            depth[k] = if base == CYCLE { CYCLE } else { base + n };
        }
    }
    let depth = depth
        .into_iter()
        .map(|d| (d != CYCLE).then_some(d))
        .collect();
    (depth, cycles)
}

/// The nodes of a tree without cycles in pre-order from `root` (each node's children in file
/// order), and every node's depth (indexed by file order).
fn preorder(parent_of: &[Option<usize>], root: usize) -> (Vec<usize>, Vec<usize>) {
    let mut kids_of: Vec<Vec<usize>> = vec![Vec::new(); parent_of.len()];
    for (k, parent) in parent_of.iter().enumerate() {
        if let Some(i) = *parent {
            kids_of[i].push(k);
        }
    }
    let mut order = Vec::with_capacity(parent_of.len());
    let mut stack = vec![(root, 0usize)];
    let mut depth_of = vec![0usize; parent_of.len()];
    while let Some((i, d)) = stack.pop() {
        order.push(i);
        depth_of[i] = d;
        for &k in kids_of[i].iter().rev() {
            stack.push((k, d + 1));
        }
    }
    (order, depth_of)
}

/// Builds the validated nodes in pre-order and the criteria, each holding its parent's new
/// index and its evidence field's index in `field_list`.
pub(super) fn build(
    nodes: &[NodeDraft],
    parent_of: &[Option<usize>],
    root: usize,
    criteria: Vec<CriterionDraft>,
    field_list: &[Field],
    meta: &Meta,
) -> (Vec<Node>, Vec<Criterion>) {
    let (order, depth_of) = preorder(parent_of, root);
    let mut new_index = vec![usize::MAX; nodes.len()];
    for (pos, &i) in order.iter().enumerate() {
        new_index[i] = pos;
    }
    let mut out_nodes: Vec<Node> = order
        .iter()
        .map(|&i| {
            let n = &nodes[i];
            Node {
                id: n.id.clone(),
                name: n.name.clone(),
                parent: parent_of[i].map(|j| new_index[j]),
                weight: n.weight,
                text: n.text.clone(),
                depth: depth_of[i],
                children: Vec::new(),
                aggregate: n.aggregate.clone(),
            }
        })
        .collect();
    // Children in the order written: nodes, then criteria, each in file order.
    for (i, _) in nodes.iter().enumerate() {
        if let Some(j) = parent_of[i] {
            out_nodes[new_index[j]]
                .children
                .push(Member::Node(new_index[i]));
        }
    }
    let mut out_criteria = Vec::with_capacity(criteria.len());
    for (ci, d) in criteria.into_iter().enumerate() {
        let mut c = d.c;
        c.horizon = d.horizon.unwrap_or_else(|| meta.horizon.clone());
        c.parent = new_index[c.parent];
        c.field = d
            .field_name
            .as_ref()
            .and_then(|(n, _)| field_list.iter().position(|f| f.name == *n));
        out_nodes[c.parent].children.push(Member::Criterion(ci));
        out_criteria.push(c);
    }
    (out_nodes, out_criteria)
}

/// A problem for every node without criteria or child nodes.
pub(super) fn check_empty_nodes(out_nodes: &[Node], nodes: &[NodeDraft], p: &mut Problems) {
    for n in out_nodes {
        if n.children.is_empty() {
            let at = nodes.iter().find(|d| d.id == n.id).map(|d| d.at.location());
            let mut problem = Problem::new(format!(
                "node `{}` has no criteria and no child nodes",
                n.id
            ));
            if let Some(at) = at {
                problem = problem.at(at);
            }
            p.push(problem.help("give it criteria (`parent = \"...\"`), or remove it"));
        }
    }
}

/// Weights are relative to their siblings: their sum must be a number, or every share is 0 or
/// NaN and no score can be computed.
pub(super) fn check_weights(
    out_nodes: &[Node],
    out_criteria: &[Criterion],
    scale: [f64; 2],
    file: &str,
    p: &mut Problems,
) {
    for n in out_nodes {
        let weights = n.children.iter().map(|m| match *m {
            Member::Node(k) => (out_nodes[k].weight, out_nodes[k].id.as_str(), "node"),
            Member::Criterion(c) => (
                out_criteria[c].weight,
                out_criteria[c].id.as_str(),
                "criterion",
            ),
        });
        // Each weight multiplies a score of up to the scale's largest magnitude in the mean.
        let largest = scale[0].abs().max(scale[1].abs()).max(1.0);
        let total: f64 = weights.clone().map(|w| w.0).sum();
        if !(total * largest).is_finite() {
            let (w, id, kind) =
                weights
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .unwrap_or((f64::INFINITY, "", "node"));
            p.push(
                Problem::new(format!(
                    "the weights of `{}`'s children are too large to average scores with (`{id}` weighs {w:e})",
                    n.id
                ))
                .at(Location::file(file).with_key(format!("{kind}.{id}.weight")))
                .help("weights are relative to their siblings: scale them down (1, 2, 3 work as well as 1e300, 2e300, 3e300)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{depths, preorder};

    #[test]
    fn depths_count_levels_below_the_root_and_name_each_cycle_once() {
        // 0 is the root, 1 under it, 2 under 1; 3 -> 4 -> 3 is a cycle and 5 hangs under it.
        let parent_of = [None, Some(0), Some(1), Some(4), Some(3), Some(4)];
        let (depth, cycles) = depths(&parent_of);
        assert_eq!(depth, [Some(0), Some(1), Some(2), None, None, None]);
        assert_eq!(cycles, [3]);
    }

    #[test]
    fn preorder_visits_children_in_file_order_before_siblings() {
        // 0 is the index; 1 and 2 its children, 3 a child of 1.
        let parent_of = [None, Some(0), Some(0), Some(1)];
        let (order, depth) = preorder(&parent_of, 0);
        assert_eq!(order, [0, 1, 3, 2]);
        assert_eq!(depth, [0, 1, 1, 2]);
    }

    #[test]
    fn preorder_starts_at_a_root_written_last() {
        let parent_of = [Some(2), Some(0), None];
        let (order, depth) = preorder(&parent_of, 2);
        assert_eq!(order, [2, 0, 1]);
        assert_eq!(depth, [1, 2, 0]);
    }
}
