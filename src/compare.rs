//! `compare`: what changed between two rubrics, two evidence files, two dates or two results
//! folders, and which change moved each of the biggest movers.
//!
//! Attribution applies the changes one at a time: a changed setting, weight or rule is applied
//! alone to rubric A; a criterion or node that B removed is given weight 0 in A; one that B added
//! is given weight 0 in B (its effect is what it adds to B). Each is a scenario on the cached
//! stages of A (or B); only a change no typed change expresses reads rubric A again. The change
//! whose effect on a jurisdiction's rank is largest is the one named for it; a change that cannot
//! be applied alone is reported with its reason.

pub mod folder;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::base::rank::rank_with;
use crate::error::{InputError, Location, Problem};
use crate::output::manifest::{self, Evaluation};
use crate::output::schema::{self, ReadLimits, ReadTable};
use crate::pipeline::scenario::{
    Baseline, Change as ScenarioChange, Regenerated, Scenario, ScenarioError,
};
use crate::pipeline::{Params, Scored};
use crate::rubric::Member;
use crate::rubric::settings::RankTies;

/// One side's scores, from a run or a results folder.
#[derive(Debug, Clone, Default)]
pub struct Side {
    /// How the side is named (a file name, a date).
    pub label: String,
    /// Index score, rank and name per jurisdiction code.
    pub index: BTreeMap<String, (Option<f64>, Option<u32>, String)>,
    /// Score and kind per (jurisdiction, node id) for every node, facet value, cell, criterion.
    pub scores: BTreeMap<(String, String), (String, Option<f64>)>,
    /// The effective rubric settings (a run's, or the folder manifest's).
    pub settings: Option<Json>,
    /// The evaluation date and the rule that chose it (a run's, or the folder manifest's).
    pub evaluation: Evaluation,
}

impl Side {
    /// The evaluation date, if the side has one.
    pub(crate) fn date(&self) -> Option<&str> {
        self.evaluation.date.as_deref()
    }
}

impl Side {
    /// A side from a scored run.
    pub(crate) fn from_scored(label: &str, s: &Scored) -> Side {
        let r = &s.results;
        let mut side = Side {
            label: label.to_string(),
            settings: Some(s.rubric.provenance.effective.clone()),
            evaluation: Evaluation::of(s),
            ..Side::default()
        };
        for (row, &j) in r.units.iter().enumerate() {
            let juris = &s.inputs.jurisdictions.list[j];
            side.index.insert(
                juris.code.clone(),
                (
                    r.nodes.score.get(row, 0),
                    r.nodes.rank(row, 0),
                    juris.name.clone(),
                ),
            );
            for (k, n) in s.rubric.nodes.iter().enumerate() {
                side.scores.insert(
                    (juris.code.clone(), n.id.clone()),
                    (s.rubric.node_kind(k).to_string(), r.nodes.score.get(row, k)),
                );
            }
            for (col, (f, v)) in r.facet_values.iter().enumerate() {
                side.scores.insert(
                    (
                        juris.code.clone(),
                        s.rubric.facets[*f].values[*v].id.clone(),
                    ),
                    (s.rubric.facets[*f].id.clone(), r.facets.score.get(row, col)),
                );
            }
            for (col, cell) in r.cell_defs.iter().enumerate() {
                side.scores.insert(
                    (juris.code.clone(), cell.id.clone()),
                    ("cell".to_string(), r.cells.score.get(row, col)),
                );
            }
            for (c, crit) in s.rubric.criteria.iter().enumerate() {
                side.scores.insert(
                    (juris.code.clone(), crit.id.clone()),
                    ("criterion".to_string(), r.criteria.score.get(row, c)),
                );
            }
        }
        side
    }

    /// A side from a `score` results folder (its ranking and scores tables, CSV or parquet as
    /// its manifest records, and manifest.json), each file read within `limits`.
    pub(crate) fn from_folder(
        dir: &Path,
        limits: &crate::limits::Limits,
    ) -> Result<Side, InputError> {
        let shown = dir.display().to_string();
        let m = manifest::read_run(dir, "score")?;
        // A folder is compared only as accord wrote it: every file its manifest lists must
        // still have the SHA-256 recorded there, and the two read here must be listed.
        let manifest = dir.join("manifest.json").display().to_string();
        let format = m.table_format(&manifest)?;
        if m.outputs.0.is_empty() {
            return Err(
                Problem::new(format!("`{manifest}` does not list the folder's files"))
                    .at(Location::file(&manifest))
                    .help("rerun `accord score` to write the folder again")
                    .into(),
            );
        }
        let (ranking_name, scores_name) = (
            format.name(schema::RANKING.name),
            format.name(schema::SCORES.name),
        );
        for need in [&ranking_name, &scores_name] {
            if m.outputs.get(need).is_none() {
                return Err(Problem::new(format!("`{manifest}` does not list `{need}`"))
                    .at(Location::file(&manifest))
                    .help("rerun `accord score` to write the folder again")
                    .into());
            }
        }
        let mut read: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
        for (name, record) in &m.outputs.0 {
            let path = dir.join(name);
            let file = path.display().to_string();
            let plain =
                !name.is_empty() && name != ".." && name != "." && !name.contains(['/', '\\']);
            let recorded = record.sha256.as_str();
            if !plain || recorded.is_empty() {
                return Err(Problem::new(format!(
                    "`{manifest}` lists `{name}` without a SHA-256, or not as a file of the folder"
                ))
                .at(Location::file(&manifest))
                .into());
            }
            let bytes = crate::files::read_bytes(
                &path,
                "results file",
                limits.table_bytes,
                Some("--max-file-mb"),
                Some(Location::file(&manifest)),
            )?;
            let now = crate::files::sha256_hex(&bytes);
            if now != recorded {
                return Err(Problem::new(format!(
                    "`{file}` has changed since accord wrote it: its SHA-256 is {}..., the manifest records {}...",
                    &now[..12],
                    recorded.get(..12).unwrap_or(recorded)
                ))
                .at(Location::file(&file))
                .help("compare folders as accord wrote them: rerun `accord score` for this side, or compare its rubric or evidence instead")
                .into());
            }
            if *name == ranking_name || *name == scores_name {
                read.insert(name.as_str(), bytes);
            }
        }
        if m.score_options(&manifest)?
            .invocation
            .is_some_and(|i| i.as_of.len() > 1)
        {
            return Err(Problem::new(format!(
                "`{shown}` holds several dates; compare two dates with `accord compare DATE DATE`"
            ))
            .into());
        }
        let mut side = Side {
            label: shown.clone(),
            settings: Some(m.settings.clone()),
            evaluation: m.evaluation.clone(),
            ..Side::default()
        };
        let mut table = |file: &'static schema::File| -> Result<ReadTable, Problem> {
            let name = format.name(file.name);
            let shown = dir.join(&name).display().to_string();
            let bytes = read.remove(name.as_str()).unwrap_or_default();
            schema::parse_as(bytes, &shown, file, format, &ReadLimits::of(limits))
        };
        let ranking = table(&schema::RANKING)?;
        let col = |t: &ReadTable, n: &str| {
            t.col(n)
                .ok_or_else(|| Problem::new(format!("`{}` has no `{n}` column", t.shown)))
        };
        let (cj, cn, cs, cr) = (
            col(&ranking, "jurisdiction")?,
            col(&ranking, "name")?,
            col(&ranking, "score")?,
            col(&ranking, "rank")?,
        );
        for row in &ranking.rows {
            side.index.insert(
                row.text(Some(cj)).to_string(),
                (
                    row.number(Some(cs)),
                    row.integer(Some(cr)).and_then(|r| u32::try_from(r).ok()),
                    row.text(Some(cn)).to_string(),
                ),
            );
        }
        let scores = table(&schema::SCORES)?;
        let (cj, cnode, ck, cs) = (
            col(&scores, "jurisdiction")?,
            col(&scores, "node")?,
            col(&scores, "kind")?,
            col(&scores, "score")?,
        );
        for row in &scores.rows {
            side.scores.insert(
                (
                    row.text(Some(cj)).to_string(),
                    row.text(Some(cnode)).to_string(),
                ),
                (row.text(Some(ck)).to_string(), row.number(Some(cs))),
            );
        }
        Ok(side)
    }
}

/// How a score changed between A and B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delta {
    /// Known on both sides (the difference may be 0).
    Changed,
    /// Unknown in A, known in B: a newly known fact.
    New,
    /// Known in A, unknown in B.
    Gone,
    /// Unknown on both sides, or the item is on one side only.
    Unknown,
}

impl Delta {
    /// Classifies a pair of scores.
    pub(crate) fn of(a: Option<f64>, b: Option<f64>) -> Delta {
        match (a, b) {
            (Some(_), Some(_)) => Delta::Changed,
            (None, Some(_)) => Delta::New,
            (Some(_), None) => Delta::Gone,
            (None, None) => Delta::Unknown,
        }
    }

    /// The `status` cell of `score_deltas.csv`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Delta::Changed => "changed",
            Delta::New => "new",
            Delta::Gone => "gone",
            Delta::Unknown => "unknown",
        }
    }
}

/// One jurisdiction's move.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// Code.
    pub jurisdiction: String,
    /// Name.
    pub name: String,
    /// Rank in A and B.
    pub rank: (Option<u32>, Option<u32>),
    /// Index score in A and B.
    pub score: (Option<f64>, Option<f64>),
}

impl Shift {
    /// rank A - rank B: positive when the jurisdiction moved up in B.
    pub(crate) fn shift(&self) -> Option<i64> {
        Some(i64::from(self.rank.0?) - i64::from(self.rank.1?))
    }
}

/// Rank shifts of every jurisdiction on either side, in code order.
pub(crate) fn shifts(a: &Side, b: &Side) -> Vec<Shift> {
    let mut codes: Vec<&String> = a.index.keys().chain(b.index.keys()).collect();
    codes.sort();
    codes.dedup();
    codes
        .into_iter()
        .map(|c| {
            let (sa, ra, na) = a
                .index
                .get(c)
                .cloned()
                .unwrap_or((None, None, String::new()));
            let (sb, rb, nb) = b
                .index
                .get(c)
                .cloned()
                .unwrap_or((None, None, String::new()));
            Shift {
                jurisdiction: c.clone(),
                name: if na.is_empty() { nb } else { na },
                rank: (ra, rb),
                score: (sa, sb),
            }
        })
        .collect()
}

/// Pearson correlation of two equal-length samples.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let xs: Vec<Option<f64>> = x.iter().map(|v| Some(*v)).collect();
    let ys: Vec<Option<f64>> = y.iter().map(|v| Some(*v)).collect();
    crate::base::stats::pearson(&xs, &ys)
}

/// Average ranks (ties share the mean rank).
fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut k = 0;
    while k < idx.len() {
        let mut e = k;
        while e < idx.len() && x[idx[e]] == x[idx[k]] {
            e += 1;
        }
        let avg = (k + e + 1) as f64 / 2.0;
        for &i in &idx[k..e] {
            r[i] = avg;
        }
        k = e;
    }
    r
}

/// Spearman's rank correlation (Pearson of average ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Kendall's tau-b (ties in either variable accounted for).
pub fn kendall(x: &[f64], y: &[f64]) -> Option<f64> {
    use std::cmp::Ordering::Equal;
    let n = x.len();
    let (mut concordant, mut discordant, mut tie_x, mut tie_y) = (0f64, 0f64, 0f64, 0f64);
    for i in 0..n {
        for j in (i + 1)..n {
            match (x[i].total_cmp(&x[j]), y[i].total_cmp(&y[j])) {
                (Equal, Equal) => {}
                (Equal, _) => tie_x += 1.0,
                (_, Equal) => tie_y += 1.0,
                (dx, dy) if dx == dy => concordant += 1.0,
                _ => discordant += 1.0,
            }
        }
    }
    let denom = ((concordant + discordant + tie_x) * (concordant + discordant + tie_y)).sqrt();
    (denom > 0.0).then(|| (concordant - discordant) / denom)
}

/// Summary statistics of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Jurisdictions ranked in both.
    pub compared: usize,
    /// Spearman correlation of the index ranks.
    pub spearman: Option<f64>,
    /// Kendall's tau-b of the index ranks.
    pub kendall: Option<f64>,
    /// How many of A's top 10 are in B's top 10.
    pub top10_overlap: usize,
    /// How many moved more than 5 places.
    pub moved_more_than_5: usize,
}

/// Summarises rank shifts.
pub(crate) fn summarise(shifts: &[Shift]) -> Summary {
    let both: Vec<&Shift> = shifts
        .iter()
        .filter(|s| s.rank.0.is_some() && s.rank.1.is_some())
        .collect();
    let ra: Vec<f64> = both
        .iter()
        .map(|s| f64::from(s.rank.0.unwrap_or(0)))
        .collect();
    let rb: Vec<f64> = both
        .iter()
        .map(|s| f64::from(s.rank.1.unwrap_or(0)))
        .collect();
    let top = |f: &dyn Fn(&Shift) -> Option<u32>| -> Vec<&str> {
        shifts
            .iter()
            .filter(|s| f(s).is_some_and(|r| r <= 10))
            .map(|s| s.jurisdiction.as_str())
            .collect()
    };
    let (ta, tb) = (top(&|s| s.rank.0), top(&|s| s.rank.1));
    Summary {
        compared: both.len(),
        spearman: spearman(&ra, &rb),
        kendall: kendall(&ra, &rb),
        top10_overlap: ta.iter().filter(|c| tb.contains(c)).count(),
        moved_more_than_5: shifts
            .iter()
            .filter(|s| s.shift().is_some_and(|d| d.abs() > 5))
            .count(),
    }
}

/// A difference between rubric A and rubric B.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A criterion B has and A does not.
    CriterionAdded(String),
    /// A criterion A has and B does not.
    CriterionRemoved(String),
    /// A node B has and A does not.
    NodeAdded(String),
    /// A node A has and B does not.
    NodeRemoved(String),
    /// A key of a criterion or node changed (`criterion.x.weight`, `node.P9.weight`, `criterion.x.rule`).
    Key {
        /// Dotted path, addressable by `--set`.
        path: String,
        /// Old value.
        from: Json,
        /// New value.
        to: Json,
    },
    /// A setting changed (`pipeline.aggregate.min_coverage`, `rubric.scale`, `tier`).
    Setting {
        /// Dotted path.
        path: String,
        /// Old value (`null` when absent).
        from: Json,
        /// New value (`null` when absent).
        to: Json,
    },
}

fn short(v: &Json) -> String {
    match v {
        Json::Null => "(unset)".to_string(),
        Json::String(s) => s.clone(),
        Json::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), crate::base::format::number),
        other => other.to_string(),
    }
}

impl Change {
    /// The change in words.
    pub(crate) fn describe(&self) -> String {
        match self {
            Change::CriterionAdded(id) => format!("criterion `{id}` added"),
            Change::CriterionRemoved(id) => format!("criterion `{id}` removed"),
            Change::NodeAdded(id) => format!("node `{id}` added"),
            Change::NodeRemoved(id) => format!("node `{id}` removed"),
            Change::Key { path, from, to } => {
                let what = if path.ends_with(".weight") {
                    "re-weighted"
                } else if path.ends_with(".rule") {
                    "rule changed"
                } else {
                    "changed"
                };
                format!("`{path}` {what}: {} -> {}", short(from), short(to))
            }
            Change::Setting { path, from, to } => {
                format!("setting `{path}`: {} -> {}", short(from), short(to))
            }
        }
    }
}

/// Keys of criteria and nodes that affect scores (text such as `question` is left out).
const SCORING_KEYS: &[&str] = &[
    "parent",
    "weight",
    "rule",
    "direction",
    "evidence",
    "denominator",
    "scale_factor",
    "target",
    "normalise",
    "treat",
    "aggregate",
];

fn by_id(v: &Json, key: &str) -> BTreeMap<String, Json> {
    v[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["id"].as_str()?.to_string(), e.clone())))
        .collect()
}

fn diff_leaves(path: &str, a: &Json, b: &Json, out: &mut Vec<Change>) {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff_leaves(
                    &p,
                    x.get(k).unwrap_or(&Json::Null),
                    y.get(k).unwrap_or(&Json::Null),
                    out,
                );
            }
        }
        _ if a != b => out.push(Change::Setting {
            path: path.to_string(),
            from: a.clone(),
            to: b.clone(),
        }),
        _ => {}
    }
}

/// Every scoring-relevant difference between two effective rubrics (as JSON).
pub(crate) fn rubric_diff(a: &Json, b: &Json) -> Vec<Change> {
    let mut out = Vec::new();
    for (kind, added, removed) in [
        (
            "criterion",
            Change::CriterionAdded as fn(String) -> Change,
            Change::CriterionRemoved as fn(String) -> Change,
        ),
        ("node", Change::NodeAdded, Change::NodeRemoved),
    ] {
        let (ma, mb) = (by_id(a, kind), by_id(b, kind));
        for (id, ea) in &ma {
            match mb.get(id) {
                None => out.push(removed(id.clone())),
                Some(eb) => {
                    for key in SCORING_KEYS {
                        // An unset weight is 1.
                        let value = |e: &Json| match e.get(*key) {
                            None if *key == "weight" => Json::from(1.0),
                            None => Json::Null,
                            Some(v) if *key == "weight" => Json::from(v.as_f64().unwrap_or(1.0)),
                            Some(v) => v.clone(),
                        };
                        let (x, y) = (value(ea), value(eb));
                        if x != y {
                            out.push(Change::Key {
                                path: format!("{kind}.{id}.{key}"),
                                from: x,
                                to: y,
                            });
                        }
                    }
                    // Facet values are keys named after the facets.
                    if let Some(facets) = a["facets"].as_object() {
                        for f in facets.keys() {
                            let (x, y) = (
                                ea.get(f).unwrap_or(&Json::Null),
                                eb.get(f).unwrap_or(&Json::Null),
                            );
                            if x != y {
                                out.push(Change::Key {
                                    path: format!("{kind}.{id}.{f}"),
                                    from: x.clone(),
                                    to: y.clone(),
                                });
                            }
                        }
                    }
                }
            }
        }
        for id in mb.keys().filter(|id| !ma.contains_key(*id)) {
            out.push(added(id.clone()));
        }
    }
    for key in [
        "pipeline",
        "tier",
        "instruments",
        "multilateral",
        "network",
        "fields",
        "facets",
    ] {
        diff_leaves(
            key,
            a.get(key).unwrap_or(&Json::Null),
            b.get(key).unwrap_or(&Json::Null),
            &mut out,
        );
    }
    let (ra, rb) = (
        a.get("rubric").unwrap_or(&Json::Null),
        b.get("rubric").unwrap_or(&Json::Null),
    );
    for key in ["scale", "levels", "grid"] {
        let (x, y) = (
            ra.get(key).unwrap_or(&Json::Null),
            rb.get(key).unwrap_or(&Json::Null),
        );
        if x != y {
            out.push(Change::Setting {
                path: format!("rubric.{key}"),
                from: x.clone(),
                to: y.clone(),
            });
        }
    }
    out
}

/// A JSON value as TOML text for a `--set`.
fn toml_value(v: &Json) -> String {
    match v {
        Json::String(s) => toml::Value::String(s.clone()).to_string(),
        Json::Array(a) => format!(
            "[{}]",
            a.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(o) => format!(
            "{{ {} }}",
            o.iter()
                .map(|(k, x)| format!("{} = {}", toml::Value::String(k.clone()), toml_value(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// What attribution needs to rescore rubric A with one change.
pub(crate) struct Rescore<'a> {
    /// A's run (its rubric is validated again with a change, from the text it was read from).
    pub a: &'a Scored,
    /// B's run.
    pub b: &'a Scored,
}

/// Index ranks by code.
fn ranks_by_code(
    s: &Scored,
    units: &[usize],
    scores: &[Option<f64>],
    ties: RankTies,
) -> BTreeMap<String, Option<u32>> {
    let ranks = rank_with(scores, ties);
    units
        .iter()
        .zip(ranks)
        .map(|(&j, r)| (s.inputs.jurisdictions.list[j].code.clone(), r))
        .collect()
}

/// The index ranks of a regenerated run, by code.
fn regenerated_ranks(s: &Scored, r: &Regenerated) -> BTreeMap<String, Option<u32>> {
    ranks_by_code(s, &r.units, r.index_scores(), r.ties)
}

/// A run with one criterion or node left out (weight 0).
fn without(s: &Baseline<'_>, id: &str) -> Result<Regenerated, ScenarioError> {
    let rubric = &s.scored().rubric;
    let member = if let Some(c) = rubric.criterion_index(id) {
        Member::Criterion(c)
    } else if let Some(k) = rubric.node_index(id) {
        Member::Node(k)
    } else {
        return Err(ScenarioError::Unusable(format!(
            "`{id}` is neither a criterion nor a node of `{}`",
            rubric.meta.id
        )));
    };
    s.apply(&Scenario::one(ScenarioChange::Exclude(member)))
}

/// The typed change a changed key of a criterion or node is, when it is a weight A still uses
/// (a weight A's `--only-coded` or `remove` left at 0 stays there when the rubric is read again).
fn typed_weight(a: &Scored, path: &str, from: &Json, to: &Json) -> Option<ScenarioChange> {
    let parts: Vec<&str> = path.split('.').collect();
    let (kind, id) = match parts.as_slice() {
        [kind @ ("criterion" | "node"), id, "weight"] => (*kind, *id),
        _ => return None,
    };
    let (from, to) = (from.as_f64()?, to.as_f64()?);
    let params = Params::from_rubric(&a.rubric);
    if kind == "criterion" {
        let c = a.rubric.criterion_index(id)?;
        (params.criterion_weights[c] == from).then_some(ScenarioChange::CriterionWeight(c, to))
    } else {
        let k = a.rubric.node_index(id)?;
        (params.node_weights[k] == from).then_some(ScenarioChange::NodeWeight(k, to))
    }
}

/// The effect of each change alone on every jurisdiction's rank (positive = moves up), or why it
/// could not be applied alone.
pub(crate) fn effects(
    ctx: &Rescore<'_>,
    changes: &[Change],
) -> Vec<Result<BTreeMap<String, i64>, ScenarioError>> {
    let base_a = ranks_by_code(
        ctx.a,
        &ctx.a.results.units,
        ctx.a.results.index_scores(),
        ctx.a.rubric.pipeline.rank.ties,
    );
    let base_b = ranks_by_code(
        ctx.b,
        &ctx.b.results.units,
        ctx.b.results.index_scores(),
        ctx.b.rubric.pipeline.rank.ties,
    );
    let delta = |before: &BTreeMap<String, Option<u32>>,
                 after: &BTreeMap<String, Option<u32>>|
     -> BTreeMap<String, i64> {
        before
            .iter()
            .filter_map(|(c, r0)| {
                Some((c.clone(), i64::from((*r0)?) - i64::from((*after.get(c)?)?)))
            })
            .collect()
    };
    let a = Baseline::new(ctx.a);
    let b = Baseline::new(ctx.b);
    changes
        .iter()
        .map(|change| match change {
            Change::CriterionRemoved(id) | Change::NodeRemoved(id) => {
                let a = a.as_ref().map_err(Clone::clone)?;
                let r = without(a, id)?;
                Ok(delta(&base_a, &regenerated_ranks(ctx.a, &r)))
            }
            Change::CriterionAdded(id) | Change::NodeAdded(id) => {
                let b = b.as_ref().map_err(Clone::clone)?;
                let r = without(b, id)?;
                Ok(delta(&regenerated_ranks(ctx.b, &r), &base_b))
            }
            Change::Key { path, from, to } | Change::Setting { path, from, to } => {
                if to.is_null() {
                    return Err(ScenarioError::Unusable(format!(
                        "B leaves `{path}` unset, and a setting cannot be unset in A alone"
                    )));
                }
                let a = a.as_ref().map_err(Clone::clone)?;
                let scenario = match typed_weight(ctx.a, path, from, to) {
                    Some(typed) => Scenario::one(typed),
                    None => a.settings(&[format!("{path}={}", toml_value(to))])?,
                };
                let r = a.apply(&scenario)?;
                Ok(delta(&base_a, &regenerated_ranks(ctx.a, &r)))
            }
        })
        .collect()
}

/// For evidence or date comparisons: the criteria whose values changed for a jurisdiction, with
/// the change weighted by the criterion's effective weight in the index, largest first.
pub(crate) fn criterion_changes(
    a: &Scored,
    b: &Scored,
    code: &str,
) -> Vec<(String, Option<f64>, Option<f64>, f64)> {
    let eff = a.rubric.effective_criterion_weights();
    let (Some(ja), Some(jb)) = (
        a.inputs.jurisdictions.index(code),
        b.inputs.jurisdictions.index(code),
    ) else {
        return Vec::new();
    };
    let (Some(ra), Some(rb)) = (a.results.row_of(ja), b.results.row_of(jb)) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Option<f64>, Option<f64>, f64)> = a
        .rubric
        .criteria
        .iter()
        .enumerate()
        .filter_map(|(c, crit)| {
            let cb = b.rubric.criterion_index(&crit.id)?;
            let (x, y) = (
                a.results.criteria.score.get(ra, c),
                b.results.criteria.score.get(rb, cb),
            );
            if x == y {
                return None;
            }
            let size = match (x, y) {
                (Some(x), Some(y)) => (y - x).abs() * eff[c],
                _ => eff[c] * (a.rubric.meta.scale[1] - a.rubric.meta.scale[0]) / 2.0,
            };
            Some((crit.id.clone(), x, y, size))
        })
        .collect();
    out.sort_by(|p, q| q.3.total_cmp(&p.3).then(p.0.cmp(&q.0)));
    out
}
