//! Validation of a rubric's TOML tree into a [`Rubric`], one section at a time: the `[rubric]`
//! table (`meta`), facets, instruments and tiers (`tables`), evidence fields (`fields`),
//! multilateral instruments and the network (`network`), nodes and the tree they form (`tree`),
//! and criteria (`criteria`). Every section reports every problem it finds, and later sections
//! still run, so a rubric with twelve mistakes shows all twelve.

mod criteria;
mod fields;
mod meta;
mod network;
mod tables;
mod tree;

use super::rule::RuleContext;
use super::tree::{Origin, Reader, Table, Tv};
use super::{Criterion, Field, Horizon, Provenance, Rubric};
use crate::error::{Location, Problem, Problems, SourceText};
use crate::limits::Limits;
use crate::rubric::settings as spec;

/// A `[[node]]` as written, before the tree is linked.
struct NodeDraft {
    id: String,
    name: String,
    parent: Option<(String, Tv)>,
    weight: f64,
    text: Option<String>,
    aggregate: Option<spec::AggregateSpec>,
    at: Origin,
}

/// A `[[criterion]]` as written, before its parent and evidence field are resolved.
struct CriterionDraft {
    c: Criterion,
    /// The criterion's own `horizon` key (`Some(None)`: `"none"`).
    horizon: Option<Option<Horizon>>,
    parent: Option<(String, Tv)>,
    field_name: Option<(String, Origin)>,
    at: Origin,
}

/// An evidence field, where it was declared or first read, and who reads it (for messages).
type FieldUse = (Field, Option<Origin>, String);

/// Checks a rubric's TOML tree section by section; `None` when any problem was found.
pub(super) fn validate(
    root: &Table,
    file: &str,
    limits: &Limits,
    p: &mut Problems,
) -> Option<Rubric> {
    let root_at = Origin {
        source: SourceText::new(file, String::new()),
        span: (0, 0),
    };
    let mut top = Reader::new(root, "", &root_at);

    let meta = meta::read_rubric_table(&mut top, root, file, p);
    let scale = meta.as_ref().map_or([0.0, 100.0], |m| m.0.scale);
    let facets = tables::read_facets(&mut top, p);
    tables::check_facet_values_unique(&facets, file, p);
    let mut fields = fields::read_fields(&mut top, p);
    let instruments = tables::read_instruments(&mut top, p);
    let instrument_ids: Vec<String> = instruments.iter().map(|i| i.id.clone()).collect();

    // [multilateral.<id>] and [network]: read here, their evidence fields resolved below.
    let multilateral_drafts = network::read_multilateral(&mut top, &instrument_ids, p);
    let network_draft = network::read_network(&mut top, p);
    let align_level = network::read_align(&mut top, p);

    // [pipeline], read before nodes and criteria so their overrides start from it.
    let pipeline_table = top
        .table("pipeline", p)
        .map(|(t, o)| (t.clone(), o.clone()));
    let pipeline = spec::read_pipeline(pipeline_table.as_ref().map(|(t, o)| (t, o)), &root_at, p);

    let nodes = tree::read_nodes(&mut top, root, file, &pipeline, p);
    let ctx = RuleContext {
        scale,
        instruments: &instrument_ids,
        limits,
    };
    let mut criteria = criteria::read_criteria(&mut top, root, file, &facets, &ctx, &pipeline, p);
    let tiers = tables::read_tiers(&mut top, scale, p);
    top.allow(&["uncertainty"]);
    top.finish(p);

    if too_large(nodes.len(), criteria.len(), file, limits, p) {
        return None;
    }
    let ids = tree::unique_ids(&nodes, &criteria, p);
    let (parent_of, roots) = tree::link_nodes(&nodes, &criteria, file, p);
    tree::check_cycles_and_depth(&nodes, &parent_of, p);
    criteria::link_parents(&mut criteria, &nodes, &ids, p);
    fields::add_rule_fields(&criteria, &mut fields, p);
    fields::check_expression_variables(&mut criteria, &fields, p);
    let (multilateral, network) =
        network::resolve_network_fields(multilateral_drafts, network_draft, &fields, p);

    let (meta, grid_key) = meta?;
    if !p.is_empty() {
        return None;
    }

    let field_list: Vec<Field> = fields.iter().map(|(f, _, _)| f.clone()).collect();
    let (out_nodes, out_criteria) =
        tree::build(&nodes, &parent_of, roots[0], criteria, &field_list, &meta);
    tree::check_empty_nodes(&out_nodes, &nodes, p);
    tree::check_weights(&out_nodes, &out_criteria, meta.scale, file, p);
    let grid = tables::resolve_grid(grid_key, &facets, p);
    if !p.is_empty() {
        return None;
    }
    let mut rubric = Rubric {
        meta,
        nodes: out_nodes,
        criteria: out_criteria,
        facets,
        grid,
        fields: field_list,
        instruments,
        multilateral,
        network,
        align_level,
        pipeline,
        tiers,
        provenance: Provenance::default(),
        uncertainty: root.get("uncertainty").cloned(),
    };
    if rubric.pipeline.weights.method == spec::WeightsMethod::Equal {
        for n in rubric.nodes.iter_mut().skip(1) {
            n.weight = 1.0;
        }
        for c in rubric.criteria.iter_mut() {
            c.weight = 1.0;
        }
    }
    Some(rubric)
}

/// True (with a problem) when the rubric has more nodes or criteria than the limits allow: the
/// checks that follow walk the tree, and stop here rather than on an oversized one.
fn too_large(nodes: usize, criteria: usize, file: &str, limits: &Limits, p: &mut Problems) -> bool {
    if nodes <= limits.nodes && criteria <= limits.criteria {
        return false;
    }
    p.push(
        Problem::new(format!(
            "the rubric has {nodes} nodes and {criteria} criteria, more than the limits of {} and {}",
            limits.nodes, limits.criteria
        ))
        .at(Location::file(file))
        .help("raise them with --max-criteria if the rubric is meant to be this large"),
    );
    true
}

/// True when `id` can name a node, criterion, facet value or instrument.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks an id read from `r` (at `tv` when known), with a problem when it is not valid.
fn check_id(r: &Reader<'_>, id: &str, p: &mut Problems, tv: Option<&Tv>) -> bool {
    if valid_id(id) {
        return true;
    }
    let problem = match tv {
        Some(tv) => r.problem_at(tv, "id", format!("`{id}` is not a valid id")),
        None => r.problem_here(format!("`{id}` is not a valid id")),
    };
    p.push(problem.help("ids use letters, digits, `_` and `-`, start with a letter or digit, and have at most 64 characters"));
    false
}

/// Reads a `weight` key: 1 when absent, a problem (and 1) when not positive.
fn read_weight(r: &mut Reader<'_>, p: &mut Problems) -> f64 {
    match r.f64("weight", p) {
        None => 1.0,
        Some(w) if w > 0.0 => w,
        Some(w) => {
            p.push(r.problem_at_key("weight", format!("`{}.weight` must be positive, found {w}", r.path)).help("to drop an element, remove it (or `remove = true` in a rubric that extends another)"));
            1.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_id;

    #[test]
    fn ids_are_short_and_start_with_a_letter_or_digit() {
        assert!(valid_id("p1_legal-a"));
        assert!(valid_id("9"));
        assert!(valid_id(&"a".repeat(64)));
        assert!(!valid_id(&"a".repeat(65)));
        assert!(!valid_id(""));
        assert!(!valid_id("_p1"));
        assert!(!valid_id("p 1"));
        assert!(!valid_id("p.1"));
    }
}
