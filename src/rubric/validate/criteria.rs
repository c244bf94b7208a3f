//! `[[criterion]]` tables: each criterion's keys, facet values, rule, evidence field and
//! numeric settings, then its parent in the tree.

use super::tree::{Ids, find_node};
use super::{CriterionDraft, NodeDraft, check_id, meta::read_horizon, read_weight, valid_id};
use crate::error::{Location, Problem, Problems, did_you_mean};
use crate::rubric::rule::{RuleContext, read_rule};
use crate::rubric::settings::{self as spec, read_normalise, read_treat};
use crate::rubric::tree::{Origin, Reader, Table};
use crate::rubric::{Criterion, Facet, Rule};

/// Reads every `[[criterion]]`, with a problem when there is none.
pub(super) fn read_criteria(
    top: &mut Reader<'_>,
    root: &Table,
    file: &str,
    facets: &[Facet],
    ctx: &RuleContext<'_>,
    pipeline: &spec::PipelineSpec,
    p: &mut Problems,
) -> Vec<CriterionDraft> {
    let mut criteria: Vec<CriterionDraft> = Vec::new();
    if let Some(items) = top.array("criterion", p) {
        for item in items {
            let Some(t) = item.as_table() else {
                p.push(
                    Problem::new("`criterion` must be an array of tables ([[criterion]])")
                        .at(item.at.location()),
                );
                continue;
            };
            if let Some(d) = read_criterion(t, &item.at, facets, ctx, pipeline, p) {
                criteria.push(d);
            }
        }
    } else if root.get("criterion").is_none() {
        p.push(Problem::new("the rubric has no `[[criterion]]` tables").at(Location::file(file)));
    }

    criteria
}

/// Links every criterion to its parent node (`usize::MAX` when it has none), with a problem for
/// a missing or unknown parent.
pub(super) fn link_parents(
    criteria: &mut [CriterionDraft],
    nodes: &[NodeDraft],
    ids: &Ids,
    p: &mut Problems,
) {
    let node_ids: Vec<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    for c in criteria.iter_mut() {
        match &c.parent {
            None => p.push(
                Problem::new(format!("criterion `{}` has no `parent`", c.c.id))
                    .at(c.at.location().with_key(format!("criterion.{}", c.c.id))),
            ),
            Some((pid, tv)) => match find_node(nodes, pid) {
                Some(j) => c.c.parent = j,
                None => {
                    let mut problem =
                        Problem::new(format!("criterion `{}` has unknown parent `{pid}`", c.c.id))
                            .at(tv
                                .at
                                .location()
                                .with_key(format!("criterion.{}.parent", c.c.id)));
                    if criteria_ids_contains(pid, ids) {
                        problem = problem.help(format!(
                            "`{pid}` is a criterion; criteria are leaves and cannot have children"
                        ));
                    } else if let Some(h) = did_you_mean(pid, node_ids.iter().copied()) {
                        problem = problem.help(h);
                    }
                    p.push(problem);
                    c.c.parent = usize::MAX;
                }
            },
        }
    }
}

/// True when `id` names a criterion.
fn criteria_ids_contains(id: &str, ids: &Ids) -> bool {
    ids.get(id).is_some_and(|(_, k)| *k == "criterion")
}

/// Reads one `[[criterion]]`; `None` without an id or a readable rule.
fn read_criterion(
    t: &Table,
    at: &Origin,
    facets: &[Facet],
    ctx: &RuleContext<'_>,
    pipeline: &spec::PipelineSpec,
    p: &mut Problems,
) -> Option<CriterionDraft> {
    let mut r = Reader::new(t, "criterion", at);
    let id = r.req_str("id", p).unwrap_or_default();
    if id.is_empty() {
        return None;
    }
    let id_tv = r.get("id");
    check_id(&r, &id, p, id_tv);
    r.path = format!("criterion.{id}");
    let path = r.path.clone();
    let name = r.str("name", p).unwrap_or_else(|| id.clone());
    let parent = r.get("parent").and_then(|tv| match tv.as_str() {
        Some(s) => Some((s.to_string(), tv.clone())),
        None => {
            p.push(r.problem_at(
                tv,
                "parent",
                format!("`{path}.parent` must be a node id (a string)"),
            ));
            None
        }
    });
    let question = r.str("question", p).unwrap_or_default();
    if question.trim().is_empty() && t.get("question").is_none() {
        p.push(r.problem_here(format!("criterion `{id}` has no `question`")).help("every criterion says what coders answer, e.g. question = \"Is the state a party to the Budapest Convention?\""));
    }
    let guidance = r.str("guidance", p);
    let weight = read_weight(&mut r, p);
    let direction = read_direction(&mut r, &path, p);
    let facet_values = read_facet_values(t, &r, facets, &id, &path, p);
    let facet_keys: Vec<&str> = facets.iter().map(|f| f.id.as_str()).collect();
    r.allow(&facet_keys);
    let rule = match r.get("rule") {
        None => {
            p.push(r.problem_here(format!("criterion `{id}` has no `rule`")).help("e.g. rule = \"boolean\", or rule = { type = \"levels\", levels = [\"none\", \"partial\", \"full\"] }"));
            None
        }
        Some(tv) => read_rule(tv, &format!("{path}.rule"), ctx, p),
    };
    let field_name = read_evidence_field(&mut r, rule.as_ref(), &id, at, p);
    let numeric = read_numeric_settings(&mut r, rule.as_ref(), pipeline, p);
    let horizon = read_horizon(&mut r, p);
    r.allow(&["remove", "source"]);
    r.finish(p);
    let rule = rule?;
    Some(CriterionDraft {
        c: Criterion {
            id,
            name,
            question,
            guidance,
            parent: usize::MAX,
            facets: facet_values,
            field: None,
            rule,
            weight,
            direction,
            denominator: numeric.denominator,
            scale_factor: numeric.scale_factor,
            target: numeric.target,
            normalise: numeric.normalise,
            treat: numeric.treat,
            horizon: None,
        },
        horizon,
        parent,
        field_name,
        at: at.clone(),
    })
}

/// Reads `direction`: 1 (higher is better) when absent, a problem (and 1) unless 1 or -1.
fn read_direction(r: &mut Reader<'_>, path: &str, p: &mut Problems) -> f64 {
    match r.f64("direction", p) {
        None => 1.0,
        Some(d) if d == 1.0 || d == -1.0 => d,
        Some(d) => {
            p.push(r.problem_at_key(
                "direction",
                format!("`{path}.direction` must be 1 or -1, found {d}"),
            ));
            1.0
        }
    }
}

/// The criterion's value of every facet (one key per facet), as indices into the facet's values;
/// 0, with a problem, for a missing or unknown value.
fn read_facet_values(
    t: &Table,
    r: &Reader<'_>,
    facets: &[Facet],
    id: &str,
    path: &str,
    p: &mut Problems,
) -> Vec<usize> {
    let mut facet_values = Vec::with_capacity(facets.len());
    for f in facets {
        match t.get(&f.id) {
            None => {
                let ids: Vec<&str> = f.values.iter().map(|v| v.id.as_str()).collect();
                p.push(
                    r.problem_here(format!(
                        "criterion `{id}` has no value for facet `{}`",
                        f.id
                    ))
                    .help(format!(
                        "add {} = \"{}\" (one of: {})",
                        f.id,
                        ids.first().copied().unwrap_or(""),
                        ids.join(", ")
                    )),
                );
                facet_values.push(0);
            }
            Some(tv) => match tv.as_str() {
                Some(v) => match f.values.iter().position(|x| x.id == v) {
                    Some(i) => facet_values.push(i),
                    None => {
                        let ids: Vec<&str> = f.values.iter().map(|v| v.id.as_str()).collect();
                        let mut problem = Problem::new(format!(
                            "`{path}.{}` = `{v}` is not a value of facet `{}`",
                            f.id, f.id
                        ))
                        .at(tv.at.location().with_key(format!("{path}.{}", f.id)));
                        problem = problem.help(
                            did_you_mean(v, ids.iter().copied())
                                .unwrap_or_else(|| format!("values: {}", ids.join(", "))),
                        );
                        p.push(problem);
                        facet_values.push(0);
                    }
                },
                None => {
                    p.push(
                        Problem::new(format!("`{path}.{}` must be a string", f.id))
                            .at(tv.at.location()),
                    );
                    facet_values.push(0);
                }
            },
        }
    }
    facet_values
}

/// The evidence field a criterion's rule reads: `evidence`, else the criterion's id; none for
/// `count` and `expr` rules, which read the dyads file and the expression's fields.
fn read_evidence_field(
    r: &mut Reader<'_>,
    rule: Option<&Rule>,
    id: &str,
    at: &Origin,
    p: &mut Problems,
) -> Option<(String, Origin)> {
    let path = r.path.clone();
    let evidence_tv = r.get("evidence");
    match (rule, evidence_tv) {
        (Some(Rule::Count { .. } | Rule::Expr(_)), Some(tv)) => {
            p.push(r.problem_at(tv, "evidence", format!("`{path}.evidence`: a `{}` rule reads no single evidence field", rule.map_or("", Rule::type_name))).help("count rules read the dyads file; expr rules read the fields named in the expression"));
            None
        }
        (Some(Rule::Count { .. } | Rule::Expr(_)), None) => None,
        (_, Some(tv)) => match tv.as_str() {
            Some(s) if valid_id(s) => Some((s.to_string(), tv.at.clone())),
            _ => {
                p.push(r.problem_at(
                    tv,
                    "evidence",
                    format!("`{path}.evidence` must be a field name (letters, digits, `_`, `-`)"),
                ));
                None
            }
        },
        (_, None) => Some((id.to_string(), at.clone())),
    }
}

/// What a criterion sets for the pipeline steps its raw value goes through: only `numeric` rules
/// give raw values, other rules already score on the rubric's scale.
struct NumericSettings {
    denominator: Option<String>,
    scale_factor: f64,
    target: Option<f64>,
    normalise: Option<spec::NormaliseSpec>,
    treat: Option<spec::TreatSpec>,
}

/// Reads `denominator`, `scale_factor`, `target`, `normalise` and `treat`, with a problem for
/// the ones a rule other than `numeric` cannot use.
fn read_numeric_settings(
    r: &mut Reader<'_>,
    rule: Option<&Rule>,
    pipeline: &spec::PipelineSpec,
    p: &mut Problems,
) -> NumericSettings {
    let path = r.path.clone();
    let denominator = r.str("denominator", p);
    let scale_factor = r.f64("scale_factor", p).unwrap_or(1.0);
    let target = r.f64("target", p);
    let normalise = match r.table("normalise", p) {
        Some((nt, o)) => {
            let mut nr = Reader::new(nt, format!("{path}.normalise"), o);
            let s = read_normalise(&mut nr, &pipeline.normalise, p);
            nr.finish(p);
            Some(s)
        }
        None => None,
    };
    let treat = match r.get("treat") {
        Some(tv) if tv.as_str() == Some("none") => Some(spec::no_treatment()),
        Some(_) => match r.table("treat", p) {
            Some((tt, o)) => {
                let mut tr = Reader::new(tt, format!("{path}.treat"), o);
                let s = read_treat(&mut tr, &pipeline.treat, p);
                tr.finish(p);
                Some(s)
            }
            None => None,
        },
        None => None,
    };
    let is_numeric = matches!(rule, Some(Rule::Numeric));
    if !is_numeric {
        for (key, present) in [
            ("denominator", denominator.is_some()),
            ("normalise", normalise.is_some()),
            ("treat", treat.is_some()),
        ] {
            if present && rule.is_some() {
                p.push(r.problem_here(format!("`{path}.{key}` applies only to `numeric` rules; this rule already scores on the rubric's scale")));
            }
        }
    }
    NumericSettings {
        denominator,
        scale_factor,
        target,
        normalise,
        treat,
    }
}
