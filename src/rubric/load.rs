//! Loading a rubric: files, `extends`, `--set`, then validation that collects every problem.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::rule::{RuleContext, read_rule};
use super::tree::{self, Kind, Origin, Reader, Table, Tv};
use super::{
    Criterion, Facet, FacetValue, Field, FieldKind, Horizon, Instrument, Member, Meta, Node,
    Provenance, Rubric, Rule, Tier,
};
use super::{Multilateral, NetworkSpec, NetworkWeights};
use crate::error::{InputError, Location, Problem, Problems, SourceText, did_you_mean};
use crate::files::{read_text, sha256_hex};
use crate::limits::Limits;
use crate::rubric::settings::{self as spec, read_normalise, read_treat};

/// Deepest tree accepted: levels below the index. Real rubrics have a few; the bound keeps every
/// walk over the tree short.
pub const MAX_DEPTH: usize = 64;

/// Options for loading a rubric.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--set KEY=VALUE` overrides, applied after `extends`.
    pub overrides: Vec<String>,
    /// Let `extends` reach files outside the rubric's folder.
    pub allow_extends_outside: bool,
    /// Criteria (by id) left out of every score, as `--only-coded` chose them.
    pub leave_out: Vec<String>,
    /// Limits on the rubric: its size, nesting, `extends` chain, criteria and expressions.
    pub limits: Limits,
}

/// Loads and validates the rubric at `path`.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Rubric, InputError> {
    let mut files = Vec::new();
    let mut chain = Vec::new();
    let tree = read_with_bases(path, None, options, &mut files, &mut chain)?;
    Source::new(tree, files, options).validate(&[], &[])
}

/// Loads and validates a rubric from text (for tests and embedded rubrics); `extends` is refused.
pub fn load_str(name: &str, text: &str, options: &LoadOptions) -> Result<Rubric, InputError> {
    let source = SourceText::new(name, text);
    let mut tree =
        tree::parse(&source, &options.limits).map_err(|problems| InputError { problems })?;
    if let Some(tv) = tree
        .get("rubric")
        .and_then(Tv::as_table)
        .and_then(|t| t.get("extends"))
    {
        return Err(InputError::one(
            Problem::new("`rubric.extends` needs a rubric read from a file")
                .at(tv.at.location().with_key("rubric.extends")),
        ));
    }
    strip_extends(&mut tree);
    Source::new(
        tree,
        vec![(name.to_string(), sha256_hex(text.as_bytes()))],
        options,
    )
    .validate(&[], &[])
}

/// A rubric as read from its files, its `extends` bases merged in, before any `--set` and
/// validation: what a rubric is validated again from, in memory, for a variant of it (a
/// sensitivity alternative, a compare attribution), so that no file is read twice and a variant
/// sees the same text the run saw.
#[derive(Debug)]
pub struct Source {
    tree: Table,
    files: Vec<(String, String)>,
    options: LoadOptions,
}

impl Source {
    fn new(tree: Table, files: Vec<(String, String)>, options: &LoadOptions) -> Arc<Source> {
        Arc::new(Source {
            tree,
            files,
            options: options.clone(),
        })
    }

    /// Validates the rubric with the load's `--set` overrides followed by `extra` ones, leaving
    /// out the load's criteria and those of `leave_out` (ids that name no criterion are ignored).
    pub fn validate(
        self: &Arc<Source>,
        extra: &[String],
        leave_out: &[String],
    ) -> Result<Rubric, InputError> {
        let mut options = self.options.clone();
        options.overrides.extend(extra.iter().cloned());
        options.leave_out.extend(leave_out.iter().cloned());
        let mut rubric = finish(self.tree.clone(), self.files.clone(), &options)?;
        rubric.provenance.source = Some(Arc::clone(self));
        Ok(rubric)
    }
}

fn read_with_bases(
    path: &Path,
    from: Option<&Tv>,
    options: &LoadOptions,
    files: &mut Vec<(String, String)>,
    chain: &mut Vec<PathBuf>,
) -> Result<Table, InputError> {
    let shown = path.display().to_string();
    let text = if crate::builtin::is_builtin(&shown) {
        let bytes = crate::builtin::file(&shown).ok_or_else(|| {
            Problem::new(format!("`{shown}` is not a rubric built into accord")).at(from
                .map_or_else(
                    || Location::file(&shown),
                    |tv| tv.at.location().with_key("rubric.extends"),
                ))
        })?;
        crate::files::decode_utf8(bytes.to_vec(), &shown)?
    } else {
        read_text(
            path,
            "rubric",
            options.limits.rubric_bytes,
            from.map(|tv| tv.at.location().with_key("rubric.extends")),
        )?
    };
    files.push((shown.clone(), sha256_hex(text.as_bytes())));
    let source = SourceText::new(shown, text);
    let mut tree =
        tree::parse(&source, &options.limits).map_err(|problems| InputError { problems })?;
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    chain.push(canonical.clone());

    let extends = tree
        .get("rubric")
        .and_then(Tv::as_table)
        .and_then(|t| t.get("extends"))
        .cloned();
    strip_extends(&mut tree);
    let Some(ext) = extends else {
        chain.pop();
        return Ok(tree);
    };
    let Some(rel) = ext.as_str() else {
        return Err(InputError::one(
            Problem::new(format!(
                "`rubric.extends` must be a file name, found {}",
                ext.type_name()
            ))
            .at(ext.at.location().with_key("rubric.extends")),
        ));
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let base_path = dir.join(rel);
    let base_canonical = base_path
        .canonicalize()
        .unwrap_or_else(|_| base_path.clone());
    if !options.allow_extends_outside {
        let dir_canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if base_path.exists() && !base_canonical.starts_with(&dir_canonical) {
            return Err(InputError::one(
                Problem::new(format!("`rubric.extends` = `{rel}` points outside the rubric's folder"))
                    .at(ext.at.location().with_key("rubric.extends"))
                    .help("keep a rubric and its bases in one folder, or pass --allow-extends-outside if you trust the base"),
            ));
        }
    }
    if chain.contains(&base_canonical) {
        return Err(InputError::one(
            Problem::new(format!("`rubric.extends` = `{rel}` makes a cycle: a rubric cannot extend itself, directly or through others"))
                .at(ext.at.location().with_key("rubric.extends"))
                .help(format!(
                    "the chain: {} -> {}",
                    chain.iter().map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())).collect::<Vec<_>>().join(" -> "),
                    base_canonical.file_name().map_or_else(|| rel.to_string(), |n| n.to_string_lossy().into_owned())
                )),
        ));
    }
    if chain.len() >= options.limits.extends {
        return Err(InputError::one(
            Problem::new(format!(
                "`rubric.extends` chains more than {} rubrics",
                options.limits.extends
            ))
            .at(ext.at.location().with_key("rubric.extends")),
        ));
    }
    let mut base = read_with_bases(&base_path, Some(&ext), options, files, chain)?;
    chain.pop();
    tree::merge(&mut base, tree);
    Ok(base)
}

fn strip_extends(tree: &mut Table) {
    if let Some(Tv {
        kind: Kind::Table(t),
        ..
    }) = tree.get_mut("rubric")
    {
        t.remove("extends");
    }
}

fn finish(
    mut tree: Table,
    files: Vec<(String, String)>,
    options: &LoadOptions,
) -> Result<Rubric, InputError> {
    let mut problems = Problems::new();
    let mut applied = Vec::new();
    // `--set criterion.<id>.remove=true` (or `node.<id>.remove`) leaves the element out of every
    // score, as `--only-coded` does: removing it would make its evidence unknown fields.
    let mut removed: Vec<(&str, String)> = Vec::new();
    for (i, set) in options.overrides.iter().enumerate() {
        let key = set.split_once('=').map_or("", |(k, _)| k.trim());
        let parts: Vec<&str> = key.split('.').collect();
        if key == "rubric.extends" {
            let source = SourceText::new(format!("--set #{}", i + 1), set.clone());
            problems.push(
                Problem::new("`--set rubric.extends` cannot change what a rubric extends: its bases are read before any override")
                    .at(Location::span(&source, 0, key.len()).with_key(key))
                    .help("write `extends` in the rubric file, or pass the other rubric with --rubric"),
            );
            continue;
        }
        match tree::set(&mut tree, set, i, &options.limits) {
            Ok(s) => applied.push(s),
            Err(p) => {
                problems.push(p);
                continue;
            }
        }
        if let [kind @ ("criterion" | "node"), id, "remove"] = parts.as_slice() {
            let value = tree
                .get(kind)
                .and_then(|tv| match &tv.kind {
                    Kind::Array(items) => items.iter().find(|e| {
                        e.as_table().and_then(|t| t.get("id")).and_then(Tv::as_str) == Some(*id)
                    }),
                    _ => None,
                })
                .and_then(Tv::as_table)
                .and_then(|t| t.get("remove"));
            match value.map(|v| &v.kind) {
                Some(Kind::Bool(true)) => removed.push((kind, id.to_string())),
                Some(Kind::Bool(false)) => {}
                _ => {
                    let source = SourceText::new(format!("--set #{}", i + 1), set.clone());
                    problems.push(
                        Problem::new(format!("`{key}` must be true or false")).at(Location::span(
                            &source,
                            0,
                            set.len(),
                        )
                        .with_key(key)),
                    );
                }
            }
        }
    }
    problems.check()?;
    let effective = Tv {
        kind: Kind::Table(tree.clone()),
        at: Origin {
            source: SourceText::new(
                files.first().map(|f| f.0.clone()).unwrap_or_default(),
                String::new(),
            ),
            span: (0, 0),
        },
    }
    .to_json();
    let mut rubric = validate(
        &tree,
        files.first().map(|f| f.0.as_str()).unwrap_or("rubric"),
        &options.limits,
        &mut problems,
    );
    if let Some(r) = rubric.as_mut() {
        r.provenance = Provenance {
            files,
            overrides: applied,
            effective,
            left_out: Vec::new(),
            source: None,
        };
    }
    problems.finish(())?;
    let mut rubric =
        rubric.ok_or_else(|| InputError::one(Problem::new("the rubric could not be read")))?;
    let mut ids: Vec<usize> = options
        .leave_out
        .iter()
        .filter_map(|id| rubric.criterion_index(id))
        .collect();
    for (kind, id) in &removed {
        let under = |mut n: Option<usize>| {
            while let Some(k) = n {
                if rubric.nodes[k].id == *id {
                    return true;
                }
                n = rubric.nodes[k].parent;
            }
            false
        };
        ids.extend((0..rubric.criteria.len()).filter(|&c| match *kind {
            "criterion" => rubric.criteria[c].id == *id,
            _ => under(Some(rubric.criteria[c].parent)),
        }));
    }
    if !removed.is_empty() && (0..rubric.criteria.len()).all(|c| ids.contains(&c)) {
        return Err(InputError::one(
            Problem::new("`--set ... remove=true` leaves no criterion to score")
                .help("remove fewer criteria or nodes"),
        ));
    }
    if !options.leave_out.is_empty() || !ids.is_empty() {
        ids.sort_unstable();
        ids.dedup();
        rubric.leave_out(&ids);
    }
    Ok(rubric)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

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

struct NodeDraft {
    id: String,
    name: String,
    parent: Option<(String, Tv)>,
    weight: f64,
    text: Option<String>,
    aggregate: Option<spec::AggregateSpec>,
    at: Origin,
}

struct CriterionDraft {
    c: Criterion,
    /// The criterion's own `horizon` key (`Some(None)`: `"none"`).
    horizon: Option<Option<Horizon>>,
    parent: Option<(String, Tv)>,
    field_name: Option<(String, Origin)>,
    at: Origin,
}

fn validate(root: &Table, file: &str, limits: &Limits, p: &mut Problems) -> Option<Rubric> {
    let root_at = Origin {
        source: SourceText::new(file, String::new()),
        span: (0, 0),
    };
    let mut top = Reader::new(root, "", &root_at);

    // [rubric]
    let meta = match top.table("rubric", p) {
        None => {
            if root.get("rubric").is_none() {
                p.push(
                    Problem::new("missing the `[rubric]` table (id, version, title, scale)")
                        .at(Location::file(file)),
                );
            }
            None
        }
        Some((t, at)) => read_meta(t, at, p),
    };
    let scale = meta.as_ref().map_or([0.0, 100.0], |m| m.0.scale);

    // [facets]
    let mut facets: Vec<Facet> = Vec::new();
    if let Some((t, _)) = top.table("facets", p) {
        for e in &t.entries {
            let path = format!("facets.{}", e.key);
            let Some(ft) = e.value.as_table() else {
                p.push(
                    Problem::new(format!("`{path}` must be a table")).at(e
                        .value
                        .at
                        .location()
                        .with_key(path)),
                );
                continue;
            };
            let mut fr = Reader::new(ft, path.clone(), &e.value.at);
            if !valid_id(&e.key) {
                p.push(
                    Problem::new(format!("`{}` is not a valid facet id", e.key))
                        .at(e.key_at.location()),
                );
            }
            let name = fr.str("name", p).unwrap_or_else(|| e.key.clone());
            let mut values = Vec::new();
            match fr.array("values", p) {
                None => {
                    if fr.get("values").is_none() {
                        p.push(
                            fr.problem_here(format!("missing `{path}.values`"))
                                .help(format!("add [[{path}.values]] tables with `id` and `name`")),
                        );
                    }
                }
                Some(items) => {
                    for item in items {
                        let Some(vt) = item.as_table() else {
                            p.push(
                                Problem::new(format!("`{path}.values` must hold tables"))
                                    .at(item.at.location()),
                            );
                            continue;
                        };
                        let mut vr = Reader::new(vt, format!("{path}.values"), &item.at);
                        let id = vr.req_str("id", p).unwrap_or_default();
                        let id_tv = vr.get("id");
                        if !id.is_empty() && check_id(&vr, &id, p, id_tv) {
                            let name = vr.str("name", p).unwrap_or_else(|| id.clone());
                            let text = vr.str("text", p);
                            values.push(FacetValue { id, name, text });
                        }
                        vr.finish(p);
                    }
                }
            }
            fr.finish(p);
            facets.push(Facet {
                id: e.key.clone(),
                name,
                values,
            });
        }
    }
    // Facet value ids become matrix columns: they must be unique across facets.
    {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for f in &facets {
            for v in &f.values {
                if let Some(other) = seen.insert(v.id.as_str(), f.id.as_str()) {
                    p.push(
                        Problem::new(format!(
                            "facet value `{}` appears in both `facets.{other}` and `facets.{}`",
                            v.id, f.id
                        ))
                        .at(Location::file(file)),
                    );
                }
            }
        }
    }

    // [fields]
    let mut fields: Vec<(Field, Option<Origin>, String)> = Vec::new();
    if let Some((t, _)) = top.table("fields", p) {
        for e in &t.entries {
            let path = format!("fields.{}", e.key);
            let Some(ft) = e.value.as_table() else {
                p.push(
                    Problem::new(format!("`{path}` must be a table with `type`")).at(e
                        .value
                        .at
                        .location()
                        .with_key(path)),
                );
                continue;
            };
            let mut fr = Reader::new(ft, path.clone(), &e.value.at);
            let ty = fr.req_str("type", p).unwrap_or_default();
            let kind = match ty.as_str() {
                "boolean" => Some(FieldKind::Boolean),
                "number" => Some(FieldKind::Number),
                "date" => Some(FieldKind::Date),
                "label" => match fr.str_list("levels", p) {
                    Some(l) if !l.is_empty() => Some(FieldKind::Label(l)),
                    _ => {
                        p.push(fr.problem_here(format!(
                            "`{path}` of type `label` needs `levels`, the labels it may hold"
                        )));
                        None
                    }
                },
                "" => None,
                other => {
                    #[expect(
                        clippy::expect_used,
                        reason = "the reader just read this key from the table, so it is there"
                    )]
                    let tv = fr.get("type").expect("read above");
                    p.push(
                        fr.problem_at(tv, "type", format!("unknown field type `{other}`"))
                            .help("field types: boolean, number, date, label"),
                    );
                    None
                }
            };
            fr.allow(&["levels", "description"]);
            fr.finish(p);
            if let Some(kind) = kind {
                fields.push((
                    Field {
                        name: e.key.clone(),
                        kind,
                    },
                    Some(e.value.at.clone()),
                    format!("`[{path}]`"),
                ));
            }
        }
    }

    // [instruments]
    let mut instruments: Vec<Instrument> = Vec::new();
    if let Some((t, _)) = top.table("instruments", p) {
        for e in &t.entries {
            let path = format!("instruments.{}", e.key);
            let Some(it) = e.value.as_table() else {
                p.push(
                    Problem::new(format!("`{path}` must be a table")).at(e
                        .value
                        .at
                        .location()
                        .with_key(path)),
                );
                continue;
            };
            let mut ir = Reader::new(it, path.clone(), &e.value.at);
            if !valid_id(&e.key) {
                p.push(
                    Problem::new(format!("`{}` is not a valid instrument id", e.key))
                        .at(e.key_at.location()),
                );
            }
            let name = ir.str("name", p).unwrap_or_else(|| e.key.clone());
            let directed = ir.bool("directed", p).unwrap_or(false);
            let provides = ir.str_list("provides", p).unwrap_or_default();
            for prov in &provides {
                if !matches!(
                    prov.as_str(),
                    "extradition" | "legal_assistance" | "cooperation"
                ) {
                    #[expect(
                        clippy::expect_used,
                        reason = "the reader just read this key from the table, so it is there"
                    )]
                    let tv = ir.get("provides").expect("read above");
                    p.push(
                        ir.problem_at(
                            tv,
                            "provides",
                            format!("`{path}.provides`: unknown kind `{prov}`"),
                        )
                        .help("kinds: extradition, legal_assistance, cooperation"),
                    );
                }
            }
            ir.allow(&["source", "description"]);
            ir.finish(p);
            instruments.push(Instrument {
                id: e.key.clone(),
                name,
                directed,
                provides,
            });
        }
    }
    let instrument_ids: Vec<String> = instruments.iter().map(|i| i.id.clone()).collect();

    // [multilateral.<id>] and [network]: read here, their evidence fields resolved below.
    let multilateral_drafts = read_multilateral(&mut top, &instrument_ids, p);
    let network_draft = read_network(&mut top, p);
    let align_level = read_align(&mut top, p);

    // [pipeline], read before nodes and criteria so their overrides start from it.
    let pipeline_table = top
        .table("pipeline", p)
        .map(|(t, o)| (t.clone(), o.clone()));
    let pipeline = spec::read_pipeline(pipeline_table.as_ref().map(|(t, o)| (t, o)), &root_at, p);

    // [[node]]
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

    // [[criterion]]
    let mut criteria: Vec<CriterionDraft> = Vec::new();
    let ctx = RuleContext {
        scale,
        instruments: &instrument_ids,
        limits,
    };
    if let Some(items) = top.array("criterion", p) {
        for item in items {
            let Some(t) = item.as_table() else {
                p.push(
                    Problem::new("`criterion` must be an array of tables ([[criterion]])")
                        .at(item.at.location()),
                );
                continue;
            };
            if let Some(d) = read_criterion(t, &item.at, &facets, &ctx, &pipeline, p) {
                criteria.push(d);
            }
        }
    } else if root.get("criterion").is_none() {
        p.push(Problem::new("the rubric has no `[[criterion]]` tables").at(Location::file(file)));
    }

    // [[tier]]
    let mut tiers: Vec<Tier> = Vec::new();
    if let Some(items) = top.array("tier", p) {
        for item in items {
            let Some(t) = item.as_table() else {
                p.push(
                    Problem::new("`tier` must be an array of tables ([[tier]])")
                        .at(item.at.location()),
                );
                continue;
            };
            let mut r = Reader::new(t, "tier", &item.at);
            let id = r.req_str("id", p).unwrap_or_default();
            let name = r.str("name", p).unwrap_or_else(|| id.clone());
            let min = r.f64("min", p);
            if r.get("min").is_none() {
                p.push(r.problem_here(format!("missing `tier.min` for tier `{id}`")));
            }
            r.allow(&["description"]);
            r.finish(p);
            if let Some(min) = min {
                if min < scale[0] || min > scale[1] {
                    p.push(
                        Problem::new(format!(
                            "tier `{id}`: `min` = {min} lies outside the scale [{}, {}]",
                            scale[0], scale[1]
                        ))
                        .at(item.at.location()),
                    );
                }
                if tiers.iter().any(|t| t.min == min) {
                    p.push(
                        Problem::new(format!(
                            "tier `{id}` has the same `min` ({min}) as another tier"
                        ))
                        .at(item.at.location()),
                    );
                }
                tiers.push(Tier { id, name, min });
            }
        }
        tiers.sort_by(|a, b| b.min.total_cmp(&a.min));
    }
    top.allow(&["uncertainty"]);
    top.finish(p);

    if nodes.len() > limits.nodes || criteria.len() > limits.criteria {
        p.push(
            Problem::new(format!(
                "the rubric has {} nodes and {} criteria, more than the limits of {} and {}",
                nodes.len(),
                criteria.len(),
                limits.nodes,
                limits.criteria
            ))
            .at(Location::file(file))
            .help("raise them with --max-criteria if the rubric is meant to be this large"),
        );
        return None;
    }
    // The tree: ids, parents, one root, no cycles.
    let mut ids: HashMap<String, (Origin, &'static str)> = HashMap::new();
    for n in &nodes {
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
    for c in &criteria {
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
    let node_ids: Vec<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let find_node = |s: &str| nodes.iter().position(|n| n.id == s);
    let mut parent_of: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut roots = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        match &n.parent {
            None => roots.push(i),
            Some((pid, tv)) => {
                match find_node(pid) {
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
    // Cycles and depth, in one linear pass: walk up from each node until a node already walked
    // (its depth known), the root, or a node on the current walk (a cycle).
    const UNSEEN: usize = usize::MAX;
    const WALKING: usize = usize::MAX - 1;
    const CYCLE: usize = usize::MAX - 2;
    let mut depth = vec![UNSEEN; nodes.len()];
    let mut path = Vec::new();
    for start in 0..nodes.len() {
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
                    let cycle = &path[at..];
                    let first = cycle.iter().copied().min().unwrap_or(i);
                    let mut members = vec![nodes[first].id.clone()];
                    let mut j = parent_of[first];
                    while let Some(k) = j.filter(|&k| k != first) {
                        members.push(nodes[k].id.clone());
                        j = parent_of[k];
                    }
                    members.push(nodes[first].id.clone());
                    p.push(
                        Problem::new(format!("the nodes form a cycle: {}", members.join(" -> ")))
                            .at(nodes[first]
                                .at
                                .location()
                                .with_key(format!("node.{}.parent", nodes[first].id))),
                    );
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
    if let Some((k, &d)) = depth
        .iter()
        .enumerate()
        .filter(|(_, d)| **d != CYCLE)
        .max_by_key(|(_, d)| **d)
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

    // Criteria parents and field kinds.
    for c in criteria.iter_mut() {
        match &c.parent {
            None => p.push(
                Problem::new(format!("criterion `{}` has no `parent`", c.c.id))
                    .at(c.at.location().with_key(format!("criterion.{}", c.c.id))),
            ),
            Some((pid, tv)) => match find_node(pid) {
                Some(j) => c.c.parent = j,
                None => {
                    let mut problem =
                        Problem::new(format!("criterion `{}` has unknown parent `{pid}`", c.c.id))
                            .at(tv
                                .at
                                .location()
                                .with_key(format!("criterion.{}.parent", c.c.id)));
                    if criteria_ids_contains(pid, &ids) {
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
    for c in &criteria {
        let Some((name, at)) = &c.field_name else {
            continue;
        };
        let Some(kind) = c.c.rule.field_kind() else {
            continue;
        };
        let who = format!("rule `{}` of criterion `{}`", c.c.rule.type_name(), c.c.id);
        match fields.iter().find(|(f, _, _)| f.name == *name) {
            None => fields.push((
                Field {
                    name: name.clone(),
                    kind,
                },
                Some(at.clone()),
                who,
            )),
            Some((f, first_at, first_who)) => {
                if !kinds_agree(&f.kind, &kind) {
                    let mut problem = Problem::new(format!(
                        "{who} cannot read evidence field `{name}`: it expects {}, but {first_who} reads `{name}` as {}",
                        kind.describe(),
                        f.kind.describe()
                    ))
                    .at(at.location().with_key(format!("criterion.{}.rule", c.c.id)));
                    if let Some(o) = first_at {
                        problem = problem.related("the other reader", o.location());
                    }
                    p.push(problem.help("one evidence field holds one kind of value; give this criterion its own `evidence` field or a matching rule"));
                }
            }
        }
    }
    // Expression variables must be fields someone defines.
    for c in &criteria {
        if let Rule::Expr(e) = &c.c.rule {
            for v in &e.variables {
                if !fields.iter().any(|(f, _, _)| f.name == *v) {
                    let mut problem = Problem::new(format!("the expression of criterion `{}` reads `{v}`, which is no criterion's evidence field and is not declared under [fields]", c.c.id))
                        .at(c.at.location().with_key(format!("criterion.{}.rule.expr", c.c.id)));
                    if let Some(h) = did_you_mean(v, fields.iter().map(|(f, _, _)| f.name.as_str()))
                    {
                        problem = problem.help(h);
                    } else {
                        problem = problem.help(format!(
                            "declare it: [fields.{v}] type = \"boolean\" (or number, date, label)"
                        ));
                    }
                    p.push(problem);
                }
            }
        }
    }

    let (multilateral, network) =
        resolve_network_fields(multilateral_drafts, network_draft, &fields, p);

    let (meta, grid_key) = meta?;
    if !p.is_empty() {
        return None;
    }

    // Build the tree in pre-order from the root.
    let mut kids_of: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (k, parent) in parent_of.iter().enumerate() {
        if let Some(i) = *parent {
            kids_of[i].push(k);
        }
    }
    let root_i = roots[0];
    let mut order = Vec::with_capacity(nodes.len());
    let mut stack = vec![(root_i, 0usize)];
    let mut depth_of = vec![0usize; nodes.len()];
    while let Some((i, d)) = stack.pop() {
        order.push(i);
        depth_of[i] = d;
        for &k in kids_of[i].iter().rev() {
            stack.push((k, d + 1));
        }
    }
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
    let field_list: Vec<Field> = fields.iter().map(|(f, _, _)| f.clone()).collect();
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
    for n in &out_nodes {
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
    // Weights are relative to their siblings: their sum must be a number, or every share is 0 or
    // NaN and no score can be computed.
    for n in &out_nodes {
        let weights = n.children.iter().map(|m| match *m {
            Member::Node(k) => (out_nodes[k].weight, out_nodes[k].id.as_str(), "node"),
            Member::Criterion(c) => (
                out_criteria[c].weight,
                out_criteria[c].id.as_str(),
                "criterion",
            ),
        });
        // Each weight multiplies a score of up to the scale's largest magnitude in the mean.
        let largest = meta.scale[0].abs().max(meta.scale[1].abs()).max(1.0);
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
    let grid = match grid_key {
        Some((name, tv)) => match facets.iter().position(|f| f.id == name) {
            Some(i) => Some(i),
            None => {
                p.push(
                    Problem::new(format!("`rubric.grid` = `{name}` is not a facet"))
                        .at(tv.at.location().with_key("rubric.grid")),
                );
                None
            }
        },
        None => (!facets.is_empty()).then_some(0),
    };
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

fn criteria_ids_contains(id: &str, ids: &HashMap<String, (Origin, &'static str)>) -> bool {
    ids.get(id).is_some_and(|(_, k)| *k == "criterion")
}

fn kinds_agree(a: &FieldKind, b: &FieldKind) -> bool {
    match (a, b) {
        (FieldKind::Label(x), FieldKind::Label(y)) => {
            let mut x = x.clone();
            let mut y = y.clone();
            x.sort();
            y.sort();
            x == y
        }
        _ => a == b,
    }
}

struct MultilateralDraft {
    id: String,
    name: String,
    field: Option<(String, Tv)>,
    provides: Vec<String>,
}

fn read_multilateral(
    top: &mut Reader<'_>,
    instrument_ids: &[String],
    p: &mut Problems,
) -> Vec<MultilateralDraft> {
    let mut out = Vec::new();
    let Some((t, _)) = top.table("multilateral", p) else {
        return out;
    };
    for e in &t.entries {
        let path = format!("multilateral.{}", e.key);
        let Some(mt) = e.value.as_table() else {
            p.push(
                Problem::new(format!("`{path}` must be a table")).at(e
                    .value
                    .at
                    .location()
                    .with_key(path)),
            );
            continue;
        };
        let mut r = Reader::new(mt, path.clone(), &e.value.at);
        if !valid_id(&e.key) {
            p.push(
                Problem::new(format!(
                    "`{}` is not a valid multilateral instrument id",
                    e.key
                ))
                .at(e.key_at.location()),
            );
        }
        if instrument_ids.contains(&e.key) {
            p.push(
                Problem::new(format!(
                    "`{path}` has the id of an instrument in `[instruments]`"
                ))
                .at(e.key_at.location().with_key(path.clone()))
                .help("cooperation matrices name instruments by id: rename one of them"),
            );
        }
        let name = r.str("name", p).unwrap_or_else(|| e.key.clone());
        let field = match r.get("evidence") {
            None => {
                p.push(r.problem_here(format!("missing `{path}.evidence`")).help(
                    "name the date or yes/no evidence field that says who is a party, e.g. evidence = \"budapest_party\"",
                ));
                None
            }
            Some(tv) => match tv.as_str() {
                Some(s) => Some((s.to_string(), tv.clone())),
                None => {
                    p.push(r.problem_at(
                        tv,
                        "evidence",
                        format!("`{path}.evidence` must be an evidence field name (a string)"),
                    ));
                    None
                }
            },
        };
        let provides = r.str_list("provides", p).unwrap_or_default();
        for prov in &provides {
            if !matches!(
                prov.as_str(),
                "extradition" | "legal_assistance" | "cooperation"
            ) && let Some(tv) = r.get("provides")
            {
                p.push(
                    r.problem_at(
                        tv,
                        "provides",
                        format!("`{path}.provides`: unknown kind `{prov}`"),
                    )
                    .help("kinds: extradition, legal_assistance, cooperation"),
                );
            }
        }
        r.allow(&["source", "description"]);
        r.finish(p);
        out.push(MultilateralDraft {
            id: e.key.clone(),
            name,
            field,
            provides,
        });
    }
    out
}

fn read_network(top: &mut Reader<'_>, p: &mut Problems) -> Option<(String, Tv)> {
    let (t, at) = top.table("network", p)?;
    let mut r = Reader::new(t, "network", at);
    let weights = r.get("weights").and_then(|tv| match tv.as_str() {
        Some(s) => Some((s.to_string(), tv.clone())),
        None => {
            p.push(
                r.problem_at(tv, "weights", "`network.weights` must be a string")
                    .help(
                        "write weights = \"equal\", or the name of a date or yes/no evidence field",
                    ),
            );
            None
        }
    });
    r.allow(&["description"]);
    r.finish(p);
    weights
}

/// Reads `[align]`: the level `align` compares by default.
fn read_align(top: &mut Reader<'_>, p: &mut Problems) -> Option<String> {
    const LEVELS: [&str; 4] = ["criterion", "cell", "principle", "dimension"];
    let (t, at) = top.table("align", p)?;
    let mut r = Reader::new(t, "align", at);
    let level = r.str("level", p).and_then(|l| {
        if LEVELS.contains(&l.as_str()) {
            return Some(l);
        }
        if let Some(tv) = r.get("level") {
            p.push(
                r.problem_at(tv, "level", format!("`align.level` = `{l}` is not a level"))
                    .help(
                        did_you_mean(&l, LEVELS)
                            .unwrap_or_else(|| format!("levels: {}", LEVELS.join(", "))),
                    ),
            );
        }
        None
    });
    r.allow(&["description"]);
    r.finish(p);
    level
}

/// Resolves the evidence fields named by `[multilateral.*]` and `[network]`: each must be a date
/// or boolean field that a criterion reads or `[fields]` declares.
fn resolve_network_fields(
    drafts: Vec<MultilateralDraft>,
    network: Option<(String, Tv)>,
    fields: &[(Field, Option<Origin>, String)],
    p: &mut Problems,
) -> (Vec<Multilateral>, NetworkSpec) {
    let mut find = |name: &str, key: String, tv: &Tv| -> Option<usize> {
        match fields.iter().position(|(f, _, _)| f.name == name) {
            Some(i) if matches!(fields[i].0.kind, FieldKind::Date | FieldKind::Boolean) => Some(i),
            Some(i) => {
                p.push(
                    Problem::new(format!(
                        "`{key}` = `{name}` is a `{}` field; it must be a date or yes/no field",
                        fields[i].0.kind.name()
                    ))
                    .at(tv.at.location().with_key(key))
                    .help("name a field read by a `date` or `boolean` rule, or declare one under [fields]"),
                );
                None
            }
            None => {
                let help = did_you_mean(name, fields.iter().map(|(f, _, _)| f.name.as_str()))
                    .unwrap_or_else(|| {
                        format!("declare it: [fields.{name}] type = \"date\" (or \"boolean\")")
                    });
                p.push(
                    Problem::new(format!("`{key}` = `{name}` is not an evidence field"))
                        .at(tv.at.location().with_key(key))
                        .help(help),
                );
                None
            }
        }
    };
    let mut multilateral = Vec::new();
    for d in drafts {
        let Some((name, tv)) = &d.field else { continue };
        if let Some(field) = find(name, format!("multilateral.{}.evidence", d.id), tv) {
            multilateral.push(Multilateral {
                id: d.id,
                name: d.name,
                field,
                provides: d.provides,
            });
        }
    }
    let weights = match network {
        None => NetworkWeights::Equal,
        Some((w, _)) if w == "equal" => NetworkWeights::Equal,
        Some((w, tv)) => find(&w, "network.weights".to_string(), &tv)
            .map_or(NetworkWeights::Equal, NetworkWeights::Field),
    };
    (multilateral, NetworkSpec { weights })
}

fn read_weight(r: &mut Reader<'_>, p: &mut Problems) -> f64 {
    match r.f64("weight", p) {
        None => 1.0,
        Some(w) if w > 0.0 => w,
        Some(w) => {
            #[expect(
                clippy::expect_used,
                reason = "the reader just read this key from the table, so it is there"
            )]
            let tv = r.get("weight").expect("read above");
            p.push(r.problem_at(tv, "weight", format!("`{}.weight` must be positive, found {w}", r.path)).help("to drop an element, remove it (or `remove = true` in a rubric that extends another)"));
            1.0
        }
    }
}

type MetaAndGrid = (Meta, Option<(String, Tv)>);

fn read_meta(t: &Table, at: &Origin, p: &mut Problems) -> Option<MetaAndGrid> {
    let mut r = Reader::new(t, "rubric", at);
    let before = p.len();
    let id = r.req_str("id", p).unwrap_or_default();
    if !id.is_empty() {
        let tv = r.get("id");
        check_id(&r, &id, p, tv);
    }
    let version = r.req_str("version", p).unwrap_or_default();
    if !version.is_empty() && !is_semver(&version) {
        #[expect(
            clippy::expect_used,
            reason = "the reader just read this key from the table, so it is there"
        )]
        let tv = r.get("version").expect("read above");
        p.push(
            r.problem_at(
                tv,
                "version",
                format!("`rubric.version` = `{version}` is not a semantic version"),
            )
            .help("write MAJOR.MINOR.PATCH, e.g. 1.0.0"),
        );
    }
    let title = r.req_str("title", p).unwrap_or_default();
    let scale = match r.f64_array("scale", p) {
        None => [0.0, 100.0],
        Some(v) if v.len() == 2 && v[0] < v[1] => [v[0], v[1]],
        Some(_) => {
            #[expect(
                clippy::expect_used,
                reason = "the reader just read this key from the table, so it is there"
            )]
            let tv = r.get("scale").expect("read above");
            p.push(r.problem_at(
                tv,
                "scale",
                "`rubric.scale` must be [lower, upper] with lower < upper",
            ));
            [0.0, 100.0]
        }
    };
    let text_source = r.str("text_source", p);
    let description = r.str("description", p);
    let levels = r
        .str_list("levels", p)
        .unwrap_or_else(|| vec!["index".into(), "principle".into()]);
    let grid = r.get("grid").and_then(|tv| match tv.as_str() {
        Some(s) => Some((s.to_string(), tv.clone())),
        None => {
            p.push(r.problem_at(tv, "grid", "`rubric.grid` must name a facet"));
            None
        }
    });
    let horizon = read_horizon(&mut r, p).flatten();
    r.allow(&["extends", "source", "license", "authors"]);
    r.finish(p);
    (p.len() == before).then_some((
        Meta {
            id,
            version,
            title,
            scale,
            text_source,
            description,
            levels,
            horizon,
        },
        grid,
    ))
}

/// Reads a `horizon` key: `None` when absent, `Some(None)` for `"none"` (no horizon, overriding
/// an inherited one), `Some(Some(h))` for a length of time.
fn read_horizon(r: &mut Reader<'_>, p: &mut Problems) -> Option<Option<Horizon>> {
    let tv = r.get("horizon")?;
    let Some(text) = tv.as_str() else {
        p.push(r.problem_at(
            tv,
            "horizon",
            format!(
                "`{}.horizon` must be a string such as \"10 years\", found {}",
                r.path,
                tv.type_name()
            ),
        ));
        return None;
    };
    if text.trim().eq_ignore_ascii_case("none") {
        return Some(None);
    }
    match Horizon::parse(text) {
        Ok(h) => Some(Some(h)),
        Err(why) => {
            p.push(
                r.problem_at(tv, "horizon", format!("`{}.horizon`: {why}", r.path))
                    .help("write a length in years, months, weeks or days, e.g. horizon = \"10 years\", or \"none\""),
            );
            None
        }
    }
}

fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

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
    let direction = match r.f64("direction", p) {
        None => 1.0,
        Some(d) if d == 1.0 || d == -1.0 => d,
        Some(d) => {
            #[expect(
                clippy::expect_used,
                reason = "the reader just read this key from the table, so it is there"
            )]
            let tv = r.get("direction").expect("read above");
            p.push(r.problem_at(
                tv,
                "direction",
                format!("`{path}.direction` must be 1 or -1, found {d}"),
            ));
            1.0
        }
    };
    // Facet values: the criterion carries one key per facet.
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
    let facet_keys: Vec<&str> = facets.iter().map(|f| f.id.as_str()).collect();
    r.allow(&facet_keys);
    let rule = match r.get("rule") {
        None => {
            p.push(r.problem_here(format!("criterion `{id}` has no `rule`")).help("e.g. rule = \"boolean\", or rule = { type = \"levels\", levels = [\"none\", \"partial\", \"full\"] }"));
            None
        }
        Some(tv) => read_rule(tv, &format!("{path}.rule"), ctx, p),
    };
    let evidence_tv = r.get("evidence");
    let field_name = match (&rule, evidence_tv) {
        (Some(Rule::Count { .. } | Rule::Expr(_)), Some(tv)) => {
            p.push(r.problem_at(tv, "evidence", format!("`{path}.evidence`: a `{}` rule reads no single evidence field", rule.as_ref().map_or("", Rule::type_name))).help("count rules read the dyads file; expr rules read the fields named in the expression"));
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
        (_, None) => Some((id.clone(), at.clone())),
    };
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
            denominator,
            scale_factor,
            target,
            normalise,
            treat,
            horizon: None,
        },
        horizon,
        parent,
        field_name,
        at: at.clone(),
    })
}
