//! Uncertain factors: read from `[uncertainty]` (or a separate spec file) and turned into typed
//! patches on the pipeline's `Params`.
//!
//! A discrete alternative is written as settings (`--set` paths and TOML values). It is applied to
//! the rubric once, at setup, and the validated result is compared with the nominal rubric; the
//! differences become `Op`s (the pipeline's scenario changes) that each replication applies to a
//! copy of the nominal `Params` in microseconds. Rule changes (a threshold table) become replacement criterion columns, evaluated
//! once. Continuous ranges are supported for weights and numeric pipeline settings.
//!
//! An op sets only the fields it changes (a minimum coverage leaves the aggregation method alone),
//! so factors compose: each run applies every factor's change. Two factors that would set the
//! same field are refused at setup, since the later one would silently undo the earlier one.

use std::path::Path;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;

use crate::error::{InputError, Problem, Problems, did_you_mean};
use crate::limits::Limits;
use crate::pipeline::Scored;
/// The changes an alternative makes are the pipeline's typed scenario changes.
pub use crate::pipeline::scenario::{Change as Op, Fields, Patch, apply_all};
use crate::pipeline::scenario::{Variant, variant_changes};
use crate::pipeline::{Params, Step};
use crate::rubric::settings::{AggregateSpec, ImputeSpec, NormaliseSpec, ScreenSpec, TreatSpec};
use crate::rubric::tree::{Kind, Reader, Table, Tv};
use crate::rubric::{Member, Rubric};

/// The bit of a named field.
fn field<T: Patch>(name: &str) -> Fields {
    T::NAMES
        .iter()
        .position(|n| *n == name)
        .map_or(0, |i| 1 << i)
}

/// What an op sets, to find two factors setting the same thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Denominate,
    Impute,
    Screen,
    Treat(usize),
    Normalise(usize),
    NodeWeight(usize),
    CriterionWeight(usize),
    Aggregate(usize),
    GroupAggregate,
    Column(usize),
}

/// What an op sets, field by field (a whole replacement sets every field).
fn targets(op: &Op) -> Vec<(Target, Fields)> {
    let all = Fields::MAX;
    let or_all = |present: bool, f: Fields| if present { f } else { all };
    match op {
        Op::Denominate(_) => vec![(Target::Denominate, all)],
        Op::Impute(_, f) => vec![(Target::Impute, *f)],
        Op::Screen(_, f) => vec![(Target::Screen, *f)],
        Op::Treat(c, s, f) => vec![(Target::Treat(*c), or_all(s.is_some(), *f))],
        Op::Normalise(c, s, f) => vec![(Target::Normalise(*c), or_all(s.is_some(), *f))],
        Op::NodeWeight(k, _) => vec![(Target::NodeWeight(*k), all)],
        Op::CriterionWeight(c, _) => vec![(Target::CriterionWeight(*c), all)],
        Op::Exclude(_) => Vec::new(),
        Op::Aggregate(k, _, f) => vec![(Target::Aggregate(*k), *f)],
        Op::GroupAggregate(_, f) => vec![(Target::GroupAggregate, *f)],
        Op::Column(c, _) => vec![(Target::Column(*c), all)],
        Op::Rubric(..) => Vec::new(),
    }
}

/// Words for a field an op sets, for the message about two factors setting it.
fn describe_target(t: Target, fields: Fields, rubric: &Rubric) -> String {
    fn name<T: Patch>(fields: Fields) -> &'static str {
        (0..T::NAMES.len())
            .find(|i| fields & (1 << i) != 0)
            .map_or("method", |i| T::NAMES[i])
    }
    let node = |k: usize| rubric.nodes.get(k).map_or("?", |n| n.id.as_str());
    let crit = |c: usize| rubric.criteria.get(c).map_or("?", |x| x.id.as_str());
    match t {
        Target::Denominate => "`pipeline.denominate`".to_string(),
        Target::Impute => format!("`pipeline.impute.{}`", name::<ImputeSpec>(fields)),
        Target::Screen => format!("`pipeline.screen.{}`", name::<ScreenSpec>(fields)),
        Target::Treat(c) => format!(
            "the treatment's `{}` of criterion `{}`",
            name::<TreatSpec>(fields),
            crit(c)
        ),
        Target::Normalise(c) => format!(
            "the normalisation's `{}` of criterion `{}`",
            name::<NormaliseSpec>(fields),
            crit(c)
        ),
        Target::NodeWeight(k) => format!("`node.{}.weight`", node(k)),
        Target::CriterionWeight(c) => format!("`criterion.{}.weight`", crit(c)),
        Target::Aggregate(k) => format!(
            "the aggregation's `{}` of node `{}`",
            name::<AggregateSpec>(fields),
            node(k)
        ),
        Target::GroupAggregate => format!(
            "the aggregation's `{}` of dimensions and cells",
            name::<AggregateSpec>(fields)
        ),
        Target::Column(c) => format!("the rule of criterion `{}`", crit(c)),
    }
}

/// A discrete alternative: a label and its changes.
#[derive(Debug, Clone)]
pub struct Alternative {
    /// How the alternative is named in outputs.
    pub label: String,
    /// The changes.
    pub ops: Vec<Op>,
}

/// Numeric settings a continuous factor can vary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Setter {
    /// A node's weight.
    NodeWeight(usize),
    /// A criterion's weight.
    CriterionWeight(usize),
    /// `pipeline.aggregate.min_coverage` (nodes without their own aggregation).
    MinCoverage,
    /// `pipeline.aggregate.dat_thresh`.
    DatThresh,
    /// `pipeline.aggregate.p`.
    Power,
    /// `pipeline.treat.skew_thresh`.
    SkewThresh,
    /// `pipeline.treat.kurt_thresh`.
    KurtThresh,
    /// `pipeline.treat.pass_skew_thresh`.
    PassSkewThresh,
    /// `pipeline.treat.pass_kurt_thresh`.
    PassKurtThresh,
    /// `pipeline.treat.winmax` (rounded).
    Winmax,
    /// `pipeline.screen.dat_thresh`.
    ScreenThresh,
}

/// What a factor varies.
#[derive(Debug, Clone)]
pub enum FactorKind {
    /// One of several alternatives, equally likely.
    Discrete(Vec<Alternative>),
    /// A number drawn uniformly from `[lo, hi]`.
    Continuous {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// The setting.
        setter: Setter,
    },
}

/// An uncertain assumption.
#[derive(Debug, Clone)]
pub struct Factor {
    /// Its name in outputs.
    pub name: String,
    /// What it varies.
    pub kind: FactorKind,
}

/// Everything a sensitivity analysis varies, and the node it watches.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The node whose scores and ranks are analysed (default: the index).
    pub target: usize,
    /// The factors.
    pub factors: Vec<Factor>,
    /// The spec file and its SHA-256, if it was read from a file (`None`: the rubric's
    /// `[uncertainty]` section).
    pub file: Option<(String, String)>,
}

/// What setup needs besides the spec.
pub struct Context<'a> {
    /// The nominal run: its rubric (validated again for each alternative, from the text it was
    /// read from), its inputs and its evaluation date.
    pub scored: &'a Scored,
    /// Limits on a spec file and on its keys.
    pub limits: &'a Limits,
    /// The seed (for pre-sampled weight sets).
    pub seed: u64,
}

impl Factor {
    /// The factor's value for a uniform draw `u` in [0, 1): the changes and a label.
    pub fn pick(
        &self,
        u: f64,
        rubric: &Rubric,
        nominal: &Params,
    ) -> (std::borrow::Cow<'_, [Op]>, String) {
        match &self.kind {
            FactorKind::Discrete(alts) => {
                let k = self.alternative(u).unwrap_or(0);
                (alts[k].ops.as_slice().into(), alts[k].label.clone())
            }
            FactorKind::Continuous { lo, hi, setter } => {
                let v = lo + u * (hi - lo);
                (
                    continuous_ops(*setter, v, rubric, nominal).into(),
                    crate::base::format::number(v),
                )
            }
        }
    }

    /// The alternative a uniform draw `u` picks, for a discrete factor.
    pub(crate) fn alternative(&self, u: f64) -> Option<usize> {
        match &self.kind {
            FactorKind::Discrete(alts) => {
                Some(((u * alts.len() as f64) as usize).min(alts.len() - 1))
            }
            FactorKind::Continuous { .. } => None,
        }
    }

    /// The earliest step any value of the factor touches.
    pub(crate) fn step(&self) -> Step {
        match &self.kind {
            FactorKind::Discrete(alts) => alts
                .iter()
                .flat_map(|a| a.ops.iter().map(Op::step))
                .min()
                .unwrap_or(Step::Aggregate),
            FactorKind::Continuous { setter, .. } => match setter {
                Setter::SkewThresh
                | Setter::KurtThresh
                | Setter::PassSkewThresh
                | Setter::PassKurtThresh
                | Setter::Winmax => Step::Treat,
                Setter::ScreenThresh => Step::Screen,
                _ => Step::Aggregate,
            },
        }
    }

    /// Every field any value of the factor sets, merged per target.
    fn targets(&self, rubric: &Rubric, nominal: &Params) -> Vec<(Target, Fields)> {
        let mut all: Vec<(Target, Fields)> = match &self.kind {
            FactorKind::Discrete(alts) => alts
                .iter()
                .flat_map(|a| a.ops.iter().flat_map(targets))
                .collect(),
            FactorKind::Continuous { lo, setter, .. } => {
                continuous_ops(*setter, *lo, rubric, nominal)
                    .iter()
                    .flat_map(targets)
                    .collect()
            }
        };
        all.sort_by_key(|t| t.0);
        let mut merged: Vec<(Target, Fields)> = Vec::new();
        for (t, f) in all {
            match merged.last_mut() {
                Some(last) if last.0 == t => last.1 |= f,
                _ => merged.push((t, f)),
            }
        }
        merged
    }
}

/// Two factors that set the same field: the first such field, in words.
fn overlap(a: &[(Target, Fields)], b: &[(Target, Fields)], rubric: &Rubric) -> Option<String> {
    a.iter().find_map(|(t, f)| {
        b.iter()
            .find(|(u, g)| u == t && f & g != 0)
            .map(|(_, g)| describe_target(*t, f & g, rubric))
    })
}

fn continuous_ops(setter: Setter, v: f64, rubric: &Rubric, nominal: &Params) -> Vec<Op> {
    let inheriting_nodes =
        || (0..rubric.nodes.len()).filter(|&k| rubric.nodes[k].aggregate.is_none());
    let inheriting_criteria = || {
        (0..rubric.criteria.len())
            .filter(|&c| rubric.criteria[c].treat.is_none() && nominal.treat[c].is_some())
    };
    match setter {
        Setter::NodeWeight(k) => vec![Op::NodeWeight(k, v)],
        Setter::CriterionWeight(c) => vec![Op::CriterionWeight(c, v)],
        Setter::MinCoverage | Setter::DatThresh | Setter::Power => {
            let set = |a: &AggregateSpec| {
                let mut a = a.clone();
                match setter {
                    Setter::MinCoverage => a.min_coverage = v,
                    Setter::DatThresh => a.dat_thresh = Some(v),
                    _ => a.p = Some(v),
                }
                a
            };
            let f = field::<AggregateSpec>(match setter {
                Setter::MinCoverage => "min_coverage",
                Setter::DatThresh => "dat_thresh",
                _ => "p",
            });
            let mut ops: Vec<Op> = inheriting_nodes()
                .map(|k| Op::Aggregate(k, set(&nominal.aggregate[k]), f))
                .collect();
            ops.push(Op::GroupAggregate(set(&nominal.group_aggregate), f));
            ops
        }
        Setter::SkewThresh
        | Setter::KurtThresh
        | Setter::PassSkewThresh
        | Setter::PassKurtThresh
        | Setter::Winmax => {
            let f = field::<TreatSpec>(match setter {
                Setter::SkewThresh => "skew_thresh",
                Setter::KurtThresh => "kurt_thresh",
                Setter::PassSkewThresh => "pass_skew_thresh",
                Setter::PassKurtThresh => "pass_kurt_thresh",
                _ => "winmax",
            });
            inheriting_criteria()
                .filter_map(|c| {
                    let mut t = nominal.treat[c].clone()?;
                    match setter {
                        Setter::SkewThresh => t.skew_thresh = v,
                        Setter::KurtThresh => t.kurt_thresh = v,
                        Setter::PassSkewThresh => t.pass_skew_thresh = v,
                        Setter::PassKurtThresh => t.pass_kurt_thresh = v,
                        _ => t.winmax = Some(v.round().max(0.0) as u32),
                    }
                    Some(Op::Treat(c, Some(t), f))
                })
                .collect()
        }
        Setter::ScreenThresh => {
            let mut s = nominal.screen.clone();
            s.dat_thresh = v;
            vec![Op::Screen(s, field::<ScreenSpec>("dat_thresh"))]
        }
    }
}

/// Renders a value back to TOML text, for a `--set`.
fn toml_text(tv: &Tv) -> String {
    match &tv.kind {
        Kind::Str(s) => toml::Value::String(s.clone()).to_string(),
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => {
            let s = crate::base::format::number(*f);
            if s.contains('.') || s.contains('e') {
                s
            } else {
                format!("{s}.0")
            }
        }
        Kind::Bool(b) => b.to_string(),
        Kind::Datetime(d) => d.clone(),
        Kind::Array(a) => format!(
            "[{}]",
            a.iter().map(toml_text).collect::<Vec<_>>().join(", ")
        ),
        Kind::Table(t) => format!(
            "{{ {} }}",
            t.entries
                .iter()
                .map(|e| format!(
                    "{} = {}",
                    toml::Value::String(e.key.clone()),
                    toml_text(&e.value)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Reads a spec table (the rubric's `[uncertainty]`, or a spec file's top level).
pub fn read_spec(table: &Tv, ctx: &Context<'_>) -> Result<Spec, InputError> {
    let mut p = Problems::new();
    let Some(t) = table.as_table() else {
        return Err(Problem::new("`uncertainty` must be a table")
            .at(table.at.location())
            .into());
    };
    let mut r = Reader::new(t, "uncertainty", &table.at);
    let target = match r.str("target", &mut p) {
        None => 0,
        Some(id) => match ctx.scored.rubric.node_index(&id) {
            Some(k) => k,
            None => {
                let mut problem = r.problem_at_key(
                    "target",
                    format!("`uncertainty.target` = `{id}` is not a node"),
                );
                if let Some(h) =
                    did_you_mean(&id, ctx.scored.rubric.nodes.iter().map(|n| n.id.as_str()))
                {
                    problem = problem.help(h);
                }
                p.push(problem);
                0
            }
        },
    };
    let mut factors = Vec::new();
    match r.array("factor", &mut p) {
        None => {
            if r.get("factor").is_none() {
                p.push(r.problem_here("no uncertain factors: add [[uncertainty.factor]] tables").help(
                    "e.g. [[uncertainty.factor]] name = \"Aggregation\", set = \"pipeline.aggregate.method\", values = [\"a_amean\", \"a_gmean\"]",
                ));
            }
        }
        Some(items) => {
            for (i, item) in items.iter().enumerate() {
                match read_factor(item, i, ctx, &mut p) {
                    Some(f) => factors.push(f),
                    None => continue,
                }
            }
        }
    }
    r.allow(&["design", "description"]);
    r.finish(&mut p);
    let names: Vec<&str> = factors.iter().map(|f| f.name.as_str()).collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            p.push(
                Problem::new(format!("two uncertain factors are named `{n}`"))
                    .at(table.at.location()),
            );
        }
    }
    let nominal = Params::from_rubric(&ctx.scored.rubric);
    let targets: Vec<Vec<(Target, Fields)>> = factors
        .iter()
        .map(|f| f.targets(&ctx.scored.rubric, &nominal))
        .collect();
    for j in 0..factors.len() {
        for i in 0..j {
            if let Some(what) = overlap(&targets[i], &targets[j], &ctx.scored.rubric) {
                p.push(
                    Problem::new(format!(
                        "factors `{}` and `{}` both vary {what}: in a run where both change it, the later would undo the earlier",
                        factors[i].name, factors[j].name
                    ))
                    .at(table.at.location())
                    .help("let one factor vary each setting; to vary two settings together, list their combinations as one factor's `alternatives`"),
                );
            }
        }
    }
    p.finish(Spec {
        target,
        factors,
        file: None,
    })
}

/// A factor given up at once, its other keys unchecked: the problem is already reported.
struct Abandoned;

fn read_factor(item: &Tv, i: usize, ctx: &Context<'_>, p: &mut Problems) -> Option<Factor> {
    let Some(t) = item.as_table() else {
        p.push(
            Problem::new("`uncertainty.factor` must be an array of tables").at(item.at.location()),
        );
        return None;
    };
    let mut r = Reader::new(t, format!("uncertainty.factor[{}]", i + 1), &item.at);
    let name = r
        .str("name", p)
        .unwrap_or_else(|| format!("factor {}", i + 1));
    r.path = format!("uncertainty.factor.{name}");
    let before = p.len();
    let set = r.str("set", p);
    let values = r.array("values", p).map(<[Tv]>::to_vec);
    let range = r.f64_array("range", p);
    let alternatives = r.array("alternatives", p).map(<[Tv]>::to_vec);
    let labels = r.str_list("labels", p);
    let noise = r.table("noise", p).map(|(t, o)| (t.clone(), o.clone()));
    let dirichlet = r.table("dirichlet", p).map(|(t, o)| (t.clone(), o.clone()));
    let forms = [
        values.is_some() || range.is_some(),
        alternatives.is_some(),
        noise.is_some(),
        dirichlet.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if forms != 1 {
        p.push(r.problem_here(format!("factor `{name}` needs exactly one of `set` with `values` or `range`, `alternatives`, `noise`, `dirichlet`")));
        r.finish(p);
        return None;
    }
    let kind = if let Some(range) = range {
        range_factor(&name, set.as_deref(), &range, ctx, &r, p).ok()?
    } else if let Some(values) = values {
        values_factor(&name, set.as_deref(), &values, labels, ctx, &r, p).ok()?
    } else if let Some(alternatives) = alternatives {
        alternatives_factor(&name, &alternatives, labels, ctx, &r, p).ok()?
    } else if let Some((nt, o)) = noise {
        let nr = Reader::new(&nt, format!("{}.noise", r.path), &o);
        noise_factor(&name, nr, i, before, ctx, p)
    } else if let Some((dt, o)) = dirichlet {
        let dr = Reader::new(&dt, format!("{}.dirichlet", r.path), &o);
        dirichlet_factor(&name, dr, i, ctx, &r, p)
    } else {
        None
    };
    r.allow(&["description"]);
    r.finish(p);
    kind.map(|kind| Factor { name, kind })
}

/// `set` with `range`: a continuous factor on a weight or numeric setting.
fn range_factor(
    name: &str,
    set: Option<&str>,
    range: &[f64],
    ctx: &Context<'_>,
    r: &Reader<'_>,
    p: &mut Problems,
) -> Result<Option<FactorKind>, Abandoned> {
    let Some(path) = set else {
        p.push(r.problem_here(format!(
            "factor `{name}`: `range` needs `set`, the setting it varies"
        )));
        return Err(Abandoned);
    };
    if range.len() != 2 || range[0] > range[1] {
        p.push(r.problem_here(format!(
            "factor `{name}`: `range` must be [lower, upper] with lower <= upper"
        )));
        return Err(Abandoned);
    }
    match setter_of(path, &ctx.scored.rubric, ctx.limits) {
        Ok(setter) => Ok(Some(FactorKind::Continuous {
            lo: range[0],
            hi: range[1],
            setter,
        })),
        Err(msg) => {
            p.push(r.problem_here(format!("factor `{name}`: {msg}")).help(
                "continuous ranges vary weights (node.<id>.weight, criterion.<id>.weight) and numeric settings (pipeline.aggregate.min_coverage, dat_thresh, p; pipeline.treat.winmax, skew_thresh, kurt_thresh, pass_skew_thresh, pass_kurt_thresh; pipeline.screen.dat_thresh); list discrete `values` for anything else",
            ));
            Ok(None)
        }
    }
}

/// `set` with `values`: one alternative per value, labelled by the value.
fn values_factor(
    name: &str,
    set: Option<&str>,
    values: &[Tv],
    labels: Option<Vec<String>>,
    ctx: &Context<'_>,
    r: &Reader<'_>,
    p: &mut Problems,
) -> Result<Option<FactorKind>, Abandoned> {
    let Some(path) = set else {
        p.push(r.problem_here(format!(
            "factor `{name}`: `values` needs `set`, the setting it varies"
        )));
        return Err(Abandoned);
    };
    let alts: Vec<AltDraft> = values
        .iter()
        .map(|v| {
            let text = toml_text(v);
            let label = v.as_str().map(String::from).unwrap_or_else(|| text.clone());
            (label, vec![format!("{path}={text}")], Vec::new())
        })
        .collect();
    Ok(discrete(name, alts, labels, ctx, r, p))
}

/// `alternatives`: tables of settings, each optionally excluding criteria or nodes.
fn alternatives_factor(
    name: &str,
    alternatives: &[Tv],
    labels: Option<Vec<String>>,
    ctx: &Context<'_>,
    r: &Reader<'_>,
    p: &mut Problems,
) -> Result<Option<FactorKind>, Abandoned> {
    let mut alts = Vec::new();
    for alt in alternatives {
        alts.push(alternative(name, alt, r, p)?);
    }
    Ok(discrete(name, alts, labels, ctx, r, p))
}

/// One alternative: its `--set` texts, its exclusions, and a label naming both (`nominal` for
/// an empty one).
fn alternative(
    name: &str,
    alt: &Tv,
    r: &Reader<'_>,
    p: &mut Problems,
) -> Result<AltDraft, Abandoned> {
    let Some(at) = alt.as_table() else {
        p.push(r.problem_at(alt, "alternatives", format!("factor `{name}`: each alternative is a table of settings, e.g. {{ \"pipeline.normalise.method\" = \"n_zscore\" }}")));
        return Err(Abandoned);
    };
    let mut sets = Vec::new();
    let mut exclude = Vec::new();
    for e in &at.entries {
        if e.key == "exclude" {
            match &e.value.kind {
                Kind::Str(s) => exclude.push(s.clone()),
                Kind::Array(a) => {
                    exclude.extend(a.iter().filter_map(|x| x.as_str().map(String::from)))
                }
                _ => p.push(r.problem_at(
                    &e.value,
                    "alternatives",
                    "`exclude` lists criterion or node ids",
                )),
            }
        } else {
            sets.push(format!("{}={}", e.key, toml_text(&e.value)));
        }
    }
    let label = if sets.is_empty() && exclude.is_empty() {
        "nominal".to_string()
    } else {
        let mut parts = sets.clone();
        if !exclude.is_empty() {
            parts.push(format!("exclude {}", exclude.join(", ")));
        }
        parts.join("; ")
    };
    Ok((label, sets, exclude))
}

/// `noise`: COINr's weight noise at the given levels, drawn as `sets` weight sets once the
/// factor has no problem (`before`: the problems counted before it was read).
fn noise_factor(
    name: &str,
    mut nr: Reader<'_>,
    i: usize,
    before: usize,
    ctx: &Context<'_>,
    p: &mut Problems,
) -> Option<FactorKind> {
    let levels: Vec<i64> = match nr.array("levels", p) {
        Some(a) => a
            .iter()
            .filter_map(|v| {
                if let Kind::Int(i) = v.kind {
                    Some(i)
                } else {
                    None
                }
            })
            .collect(),
        None => {
            p.push(nr.problem_here(format!("factor `{name}`: `noise` needs `levels` (COINr's levels: 1 = criteria, 2 = their parents, ...)")));
            Vec::new()
        }
    };
    let factor = nr.f64("factor", p).unwrap_or(0.25);
    let sets = nr.int("sets", p).unwrap_or(100).clamp(1, 100_000) as usize;
    nr.finish(p);
    (p.len() == before).then(|| FactorKind::Discrete(noise_sets(ctx, i, &levels, factor, sets)))
}

/// `dirichlet`: weight sets of a node's children drawn around their weights.
fn dirichlet_factor(
    name: &str,
    mut dr: Reader<'_>,
    i: usize,
    ctx: &Context<'_>,
    r: &Reader<'_>,
    p: &mut Problems,
) -> Option<FactorKind> {
    let node = dr.req_str("node", p).unwrap_or_default();
    let concentration = dr.f64("concentration", p).unwrap_or(20.0);
    let sets = dr.int("sets", p).unwrap_or(100).clamp(1, 100_000) as usize;
    dr.finish(p);
    match ctx.scored.rubric.node_index(&node) {
        Some(k) if concentration > 0.0 => Some(FactorKind::Discrete(dirichlet_sets(
            ctx,
            i,
            k,
            concentration,
            sets,
        ))),
        Some(_) => {
            p.push(r.problem_here(format!(
                "factor `{name}`: `dirichlet.concentration` must be positive"
            )));
            None
        }
        None => {
            if !node.is_empty() {
                p.push(r.problem_here(format!(
                    "factor `{name}`: `dirichlet.node` = `{node}` is not a node"
                )));
            }
            None
        }
    }
}

fn setter_of(
    path: &str,
    rubric: &Rubric,
    limits: &crate::limits::Limits,
) -> Result<Setter, String> {
    crate::rubric::tree::check_key(path, limits)?;
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["node", id, "weight"] => rubric
            .node_index(id)
            .map(Setter::NodeWeight)
            .ok_or_else(|| format!("`{id}` is not a node")),
        ["criterion", id, "weight"] => rubric
            .criterion_index(id)
            .map(Setter::CriterionWeight)
            .ok_or_else(|| format!("`{id}` is not a criterion")),
        ["pipeline", "aggregate", "min_coverage"] => Ok(Setter::MinCoverage),
        ["pipeline", "aggregate", "dat_thresh"] => Ok(Setter::DatThresh),
        ["pipeline", "aggregate", "p"] => Ok(Setter::Power),
        ["pipeline", "treat", "skew_thresh"] => Ok(Setter::SkewThresh),
        ["pipeline", "treat", "kurt_thresh"] => Ok(Setter::KurtThresh),
        ["pipeline", "treat", "pass_skew_thresh"] => Ok(Setter::PassSkewThresh),
        ["pipeline", "treat", "pass_kurt_thresh"] => Ok(Setter::PassKurtThresh),
        ["pipeline", "treat", "winmax"] => Ok(Setter::Winmax),
        ["pipeline", "screen", "dat_thresh"] => Ok(Setter::ScreenThresh),
        _ => Err(format!("`{path}` cannot vary continuously")),
    }
}

type AltDraft = (String, Vec<String>, Vec<String>);

fn discrete(
    name: &str,
    alts: Vec<AltDraft>,
    labels: Option<Vec<String>>,
    ctx: &Context<'_>,
    r: &Reader<'_>,
    p: &mut Problems,
) -> Option<FactorKind> {
    if alts.len() < 2 {
        p.push(r.problem_here(format!("factor `{name}` needs at least two alternatives")));
        return None;
    }
    if let Some(l) = &labels
        && l.len() != alts.len()
    {
        p.push(r.problem_here(format!(
            "factor `{name}`: {} labels for {} alternatives",
            l.len(),
            alts.len()
        )));
        return None;
    }
    let nominal = Params::from_rubric(&ctx.scored.rubric);
    let mut out = Vec::new();
    for (k, (label, sets, exclude)) in alts.into_iter().enumerate() {
        let alt = match ctx.scored.rubric.variant(&sets) {
            Ok(a) => a,
            Err(e) => {
                for problem in e.problems {
                    let msg = format!(
                        "factor `{name}`, alternative `{label}`: {}",
                        problem.message
                    );
                    p.push(Problem {
                        message: msg,
                        ..problem
                    });
                }
                continue;
            }
        };
        match diff(ctx, &nominal, &alt, &exclude) {
            Ok(ops) => out.push(Alternative {
                label: labels.as_ref().map_or(label, |l| l[k].clone()),
                ops,
            }),
            Err(msg) => {
                p.push(r.problem_here(format!("factor `{name}`, alternative `{label}`: {msg}")))
            }
        }
    }
    (out.len() >= 2).then_some(FactorKind::Discrete(out))
}

/// The changes from the nominal rubric to an alternative one, then its exclusions.
fn diff(
    ctx: &Context<'_>,
    nominal: &Params,
    alt: &Rubric,
    exclude: &[String],
) -> Result<Vec<Op>, String> {
    let base = &ctx.scored.rubric;
    let mut ops = match variant_changes(ctx.scored, nominal, alt).map_err(|e| e.to_string())? {
        Variant::Typed(ops) => ops,
        Variant::Structural(why) => {
            return Err(format!(
                "{why}, which a replication on the nominal run's steps cannot vary; vary settings, weights, rules or exclusions instead"
            ));
        }
    };
    for id in exclude {
        if let Some(c) = base.criterion_index(id) {
            ops.push(Op::Exclude(Member::Criterion(c)));
        } else if let Some(k) = base.node_index(id).filter(|&k| k > 0) {
            ops.push(Op::Exclude(Member::Node(k)));
        } else {
            return Err(format!(
                "`exclude` names `{id}`, which is neither a criterion nor a node below the index"
            ));
        }
    }
    Ok(ops)
}

/// COINr's levels: criteria are 1; a node is one more than its highest child.
fn heights(rubric: &Rubric) -> Vec<usize> {
    let mut h = vec![0usize; rubric.nodes.len()];
    for k in (0..rubric.nodes.len()).rev() {
        h[k] = 1 + rubric.nodes[k]
            .children
            .iter()
            .map(|m| match *m {
                Member::Criterion(_) => 1,
                Member::Node(x) => h[x],
            })
            .max()
            .unwrap_or(0);
    }
    h
}

/// A generator for pre-sampled sets of one factor: its own ChaCha stream, apart from the design's.
fn factor_rng(seed: u64, factor: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1 << 40 | factor as u64);
    rng
}

/// COINr's get_noisy_weights: w' = w (1 + f (2U - 1)) for the weights at the given levels.
fn noise_sets(
    ctx: &Context<'_>,
    factor: usize,
    levels: &[i64],
    f: f64,
    sets: usize,
) -> Vec<Alternative> {
    let rubric = &ctx.scored.rubric;
    let h = heights(rubric);
    let nominal = Params::from_rubric(rubric);
    let mut rng = factor_rng(ctx.seed, factor);
    (0..sets)
        .map(|s| {
            let mut ops = Vec::new();
            if levels.contains(&1) {
                for (c, w) in nominal.criterion_weights.iter().enumerate() {
                    let u: f64 = rng.random();
                    ops.push(Op::CriterionWeight(c, w * (1.0 + f * (2.0 * u - 1.0))));
                }
            }
            for (k, w) in nominal.node_weights.iter().enumerate().skip(1) {
                if levels.contains(&(h[k] as i64)) {
                    let u: f64 = rng.random();
                    ops.push(Op::NodeWeight(k, w * (1.0 + f * (2.0 * u - 1.0))));
                }
            }
            Alternative {
                label: format!("noise set {}", s + 1),
                ops,
            }
        })
        .collect()
}

/// Weights of a node's children drawn from a Dirichlet distribution centred on their shares.
fn dirichlet_sets(
    ctx: &Context<'_>,
    factor: usize,
    node: usize,
    concentration: f64,
    sets: usize,
) -> Vec<Alternative> {
    let rubric = &ctx.scored.rubric;
    let nominal = Params::from_rubric(rubric);
    let children = &rubric.nodes[node].children;
    let weights: Vec<f64> = children.iter().map(|m| nominal.weight(*m)).collect();
    let total: f64 = weights.iter().sum();
    let alpha: Vec<f64> = weights
        .iter()
        .map(|w| (concentration * w / total).max(1e-9))
        .collect();
    let mut rng = factor_rng(ctx.seed, factor);
    let Ok(dist) = rand_distr::multi::Dirichlet::new(&alpha) else {
        return vec![Alternative {
            label: "nominal".into(),
            ops: Vec::new(),
        }];
    };
    (0..sets)
        .map(|s| {
            let draw: Vec<f64> = dist.sample(&mut rng);
            let ops = children
                .iter()
                .zip(draw)
                .map(|(m, x)| match *m {
                    Member::Node(k) => Op::NodeWeight(k, x * total),
                    Member::Criterion(c) => Op::CriterionWeight(c, x * total),
                })
                .collect();
            Alternative {
                label: format!("dirichlet set {}", s + 1),
                ops,
            }
        })
        .collect()
}

/// Reads a spec file: a TOML file whose top level (or `[uncertainty]` table) is a spec.
pub fn read_spec_file(path: &Path, ctx: &Context<'_>) -> Result<Spec, InputError> {
    let text = crate::files::read_text(path, "uncertainty spec", 1024 * 1024, None)?;
    let sha = crate::files::sha256_hex(text.as_bytes());
    let source = crate::error::SourceText::new(path.display().to_string(), text);
    let tree: Table = crate::rubric::tree::parse(&source, ctx.limits)
        .map_err(|problems| InputError { problems })?;
    let at = crate::rubric::tree::Origin {
        source: source.clone(),
        span: (0, 0),
    };
    let tv = match tree.get("uncertainty") {
        Some(u) => u.clone(),
        None => Tv {
            kind: Kind::Table(tree),
            at,
        },
    };
    let mut spec = read_spec(&tv, ctx)?;
    spec.file = Some((path.display().to_string(), sha));
    Ok(spec)
}

/// The spec a rubric names by its place: `<stem>.sensitivity.toml` beside the rubric file, else
/// beside each rubric it extends, nearest first.
pub(crate) fn default_spec_file(rubric: &Rubric) -> Option<std::path::PathBuf> {
    rubric.provenance.files.iter().find_map(|(shown, _)| {
        let path = Path::new(shown);
        let stem = path.file_stem()?.to_str()?;
        let candidate = path.with_file_name(format!("{stem}.sensitivity.toml"));
        candidate.is_file().then_some(candidate)
    })
}
