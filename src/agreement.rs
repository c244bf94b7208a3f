//! Agreement between coders: Krippendorff's alpha, percent agreement, and every disagreement.
//!
//! Reliability data come from evidence with a `coder` column. A unit is one jurisdiction's
//! evidence field on one `as_of` date (or undated); each coder's row for it gives that coder's
//! value. Rows without a coder were coded by nobody in particular and are left out; `NA` cells
//! are missing values. Values are numbers (`code`): yes/no as 1/0, a label as its level index, a
//! number as itself, a date as its days since 1970-01-01.
//!
//! Which difference metric a field gets follows its kind (`Metric::for_kind`): `nominal` for
//! boolean and date fields, `ordinal` for label (levels) fields, `interval` for numbers.
//!
//! Alpha is computed from the coincidence matrix as in Krippendorff, K. (2011), "Computing
//! Krippendorff's Alpha-Reliability", Annenberg School for Communication, University of
//! Pennsylvania, <https://repository.upenn.edu/asc_papers/43>:
//! alpha = 1 - (n - 1) * sum(o_ck d_ck) / sum(n_c n_k d_ck), over pairable values only (units
//! with fewer than two values are not pairable). Nothing here reads or writes files.

pub mod folder;

use std::collections::BTreeMap;

use crate::error::{Location, Problem};
use crate::evidence::{Date, Inputs, Value};
use crate::rubric::{FieldKind, Rubric, Rule};
use crate::rules::{Resolution, resolve_coders};

/// A difference metric of Krippendorff's alpha (a level of measurement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// Values are equal or not: d = 0 or 1.
    Nominal,
    /// Rank-based: d_ck = (sum of n_g for g from c to k - (n_c + n_k) / 2)^2.
    Ordinal,
    /// Squared difference: d_ck = (c - k)^2.
    Interval,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 3] = [Metric::Nominal, Metric::Ordinal, Metric::Interval];

    /// The metric's name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Nominal => "nominal",
            Metric::Ordinal => "ordinal",
            Metric::Interval => "interval",
        }
    }

    /// The metric of a field kind: nominal for boolean and date fields, ordinal for label
    /// (levels) fields, interval for numbers.
    pub fn for_kind(kind: &FieldKind) -> Metric {
        match kind {
            FieldKind::Boolean | FieldKind::Date => Metric::Nominal,
            FieldKind::Label(_) => Metric::Ordinal,
            FieldKind::Number => Metric::Interval,
        }
    }
}

/// The coincidence matrix of reliability data.
#[derive(Debug, Clone, PartialEq)]
pub struct Coincidences {
    /// The distinct pairable values, ascending.
    pub values: Vec<f64>,
    /// The coincidences o_ck, row-major (`values.len()` squared).
    pub o: Vec<f64>,
    /// The marginals n_c (row sums of `o`).
    pub marginals: Vec<f64>,
    /// The number of pairable values n.
    pub n: f64,
    /// Units with at least two values.
    pub pairable_units: usize,
}

impl Coincidences {
    /// The coincidence o_ck of the c-th and k-th values.
    pub fn get(&self, c: usize, k: usize) -> f64 {
        self.o
            .get(c * self.values.len() + k)
            .copied()
            .unwrap_or(0.0)
    }

    /// The squared difference d_ck between the c-th and k-th values under a metric.
    pub(crate) fn difference(&self, metric: Metric, c: usize, k: usize) -> f64 {
        match metric {
            Metric::Nominal => {
                if c == k {
                    0.0
                } else {
                    1.0
                }
            }
            Metric::Ordinal => {
                let (lo, hi) = (c.min(k), c.max(k));
                let between: f64 = self.marginals.get(lo..=hi).map_or(0.0, |m| m.iter().sum());
                let ends = self.marginals.get(lo).copied().unwrap_or(0.0)
                    + self.marginals.get(hi).copied().unwrap_or(0.0);
                let d = between - ends / 2.0;
                d * d
            }
            Metric::Interval => {
                let d = self.values.get(c).copied().unwrap_or(0.0)
                    - self.values.get(k).copied().unwrap_or(0.0);
                d * d
            }
        }
    }
}

/// The finite values of a unit, with -0 read as 0.
fn clean(unit: &[f64]) -> impl Iterator<Item = f64> + '_ {
    unit.iter()
        .copied()
        .filter(|x| x.is_finite())
        .map(|x| if x == 0.0 { 0.0 } else { x })
}

/// Builds the coincidence matrix of units, each given as the values its coders assigned
/// (missing values left out; non-finite values count as missing).
pub fn coincidences(units: &[Vec<f64>]) -> Coincidences {
    let mut values: Vec<f64> = units
        .iter()
        .filter(|u| clean(u).count() >= 2)
        .flat_map(|u| clean(u))
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let v = values.len();
    let mut o = vec![0.0; v * v];
    let mut pairable_units = 0;
    let index = |x: f64| values.binary_search_by(|y| y.total_cmp(&x)).ok();
    for unit in units {
        let idx: Vec<usize> = clean(unit).filter_map(index).collect();
        let m = idx.len();
        if m < 2 {
            continue;
        }
        pairable_units += 1;
        let mut counts: BTreeMap<usize, f64> = BTreeMap::new();
        for &i in &idx {
            *counts.entry(i).or_insert(0.0) += 1.0;
        }
        let w = (m - 1) as f64;
        for (&c, &nc) in &counts {
            for (&k, &nk) in &counts {
                let pairs = if c == k { nc * (nc - 1.0) } else { nc * nk };
                o[c * v + k] += pairs / w;
            }
        }
    }
    let marginals: Vec<f64> = (0..v).map(|c| o[c * v..(c + 1) * v].iter().sum()).collect();
    let n = marginals.iter().sum();
    Coincidences {
        values,
        o,
        marginals,
        n,
        pairable_units,
    }
}

/// Krippendorff's alpha and the terms it is computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alpha {
    /// alpha = 1 - D_o / D_e; `None` when undefined: no pairable values, or no variation in
    /// them (D_e = 0).
    pub alpha: Option<f64>,
    /// Observed disagreement D_o = sum(o_ck d_ck) / n.
    pub observed: f64,
    /// Expected disagreement D_e = sum(n_c n_k d_ck) / (n (n - 1)).
    pub expected: f64,
    /// The number of pairable values n.
    pub pairable_values: f64,
    /// Units with at least two values.
    pub pairable_units: usize,
}

/// Krippendorff's alpha of units, each given as the values its coders assigned (missing values
/// left out): alpha = 1 - (n - 1) * sum(o_ck d_ck) / sum(n_c n_k d_ck).
pub fn alpha(units: &[Vec<f64>], metric: Metric) -> Alpha {
    let m = coincidences(units);
    let v = m.values.len();
    let (mut observed, mut expected) = (0.0, 0.0);
    for c in 0..v {
        for k in 0..v {
            if c == k {
                continue;
            }
            let d = m.difference(metric, c, k);
            observed += m.get(c, k) * d;
            expected += m.marginals[c] * m.marginals[k] * d;
        }
    }
    let n = m.n;
    let alpha = if n >= 2.0 && expected > 0.0 {
        Some(1.0 - (n - 1.0) * observed / expected)
    } else {
        None
    };
    Alpha {
        alpha,
        observed: if n > 0.0 { observed / n } else { 0.0 },
        expected: if n >= 2.0 {
            expected / (n * (n - 1.0))
        } else {
            0.0
        },
        pairable_values: n,
        pairable_units: m.pairable_units,
    }
}

/// The units of a coders x units matrix (`data[coder][unit]`, `None` = missing).
pub fn units_of_matrix(data: &[Vec<Option<f64>>]) -> Vec<Vec<f64>> {
    let width = data.iter().map(Vec::len).max().unwrap_or(0);
    (0..width)
        .map(|u| {
            data.iter()
                .filter_map(|row| row.get(u).copied().flatten())
                .collect()
        })
        .collect()
}

/// Krippendorff's alpha of a coders x units matrix (`data[coder][unit]`, `None` = missing).
pub fn alpha_of_matrix(data: &[Vec<Option<f64>>], metric: Metric) -> Alpha {
    alpha(&units_of_matrix(data), metric)
}

/// Percent agreement: the share of pairable units (two or more values) whose values are all
/// equal; `None` without pairable units.
pub fn percent_agreement(units: &[Vec<f64>]) -> Option<f64> {
    let (mut pairable, mut agreed) = (0usize, 0usize);
    for unit in units {
        let mut values = clean(unit);
        let Some(first) = values.next() else { continue };
        let rest: Vec<f64> = values.collect();
        if rest.is_empty() {
            continue;
        }
        pairable += 1;
        if rest.iter().all(|&x| x == first) {
            agreed += 1;
        }
    }
    (pairable > 0).then(|| agreed as f64 / pairable as f64)
}

/// A value as a number: yes/no as 1/0, a label as its level index, a number as itself, a date as
/// its days since 1970-01-01.
pub fn code(value: Value) -> f64 {
    match value {
        Value::Bool(b) => f64::from(u8::from(b)),
        Value::Label(i) => f64::from(i),
        Value::Number(x) => x,
        Value::Date(d) => (d.duration_since(Date::constant(1970, 1, 1)).as_secs() / 86_400) as f64,
    }
}

/// One unit of reliability data: a jurisdiction's evidence field on one `as_of` date.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unit {
    /// Jurisdiction index.
    pub jurisdiction: usize,
    /// Evidence field index in the rubric.
    pub field: usize,
    /// The rows' `as_of` date (`None`: undated).
    pub as_of: Option<Date>,
    /// Each coder's row as (coder index, evidence row index), in coder order.
    pub rows: Vec<(usize, u32)>,
}

/// Reliability data built from evidence: the coders and every unit at least one of them coded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reliability {
    /// Coder names, sorted.
    pub coders: Vec<String>,
    /// Units sorted by jurisdiction, field (rubric order) and date (undated first).
    pub units: Vec<Unit>,
}

/// Builds reliability data from the evidence: one unit per (jurisdiction, field, `as_of`) that a
/// named coder coded. Rows without a coder are left out.
pub(crate) fn reliability(inputs: &Inputs) -> Reliability {
    let ev = &inputs.evidence;
    let mut coders: Vec<&str> = ev.rows.iter().filter_map(|r| r.coder()).collect();
    coders.sort();
    coders.dedup();
    // (jurisdiction, field, as_of) -> each coder's (coder, row).
    type Key = (usize, usize, Option<Date>);
    let mut units: BTreeMap<Key, Vec<(usize, u32)>> = BTreeMap::new();
    for (i, r) in ev.rows.iter().enumerate() {
        let Some(coder) = r.coder() else { continue };
        let Ok(k) = coders.binary_search(&coder) else {
            continue;
        };
        units
            .entry((r.jurisdiction, r.field, r.as_of))
            .or_default()
            .push((k, i as u32));
    }
    let units = units
        .into_iter()
        .map(|((jurisdiction, field, as_of), mut rows)| {
            rows.sort_unstable();
            Unit {
                jurisdiction,
                field,
                as_of,
                rows,
            }
        })
        .collect();
    Reliability {
        coders: coders.into_iter().map(str::to_string).collect(),
        units,
    }
}

/// Agreement on one evidence field, or over every field of one metric (`field` is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldAgreement {
    /// The evidence field; `None` for the overall row of a metric.
    pub field: Option<usize>,
    /// The difference metric.
    pub metric: Metric,
    /// Units at least one coder coded (a value or `NA`).
    pub units: usize,
    /// Units with at least two known values.
    pub pairable_units: usize,
    /// Coders who gave at least one known value.
    pub coders: usize,
    /// Krippendorff's alpha.
    pub alpha: Alpha,
    /// The share of pairable units on which every coder gave the same value.
    pub percent_agreement: Option<f64>,
}

/// One coder's row in a disagreement.
#[derive(Debug, Clone, PartialEq)]
pub struct CoderValue {
    /// The coder.
    pub coder: String,
    /// The value as written (`NA` for an empty cell).
    pub raw: String,
    /// The parsed value (`None`: unknown).
    pub value: Option<Value>,
    /// `file:line` of the row.
    pub place: String,
}

/// A unit on which coders' known values differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// Jurisdiction index.
    pub jurisdiction: usize,
    /// Evidence field index.
    pub field: usize,
    /// The unit's `as_of` date (`None`: undated).
    pub as_of: Option<Date>,
    /// Every coder's row for the unit, in coder order.
    pub values: Vec<CoderValue>,
    /// What the score uses, by the rule of `rules::resolve_coders`.
    pub resolution: Resolution,
    /// The resolved value as written by the coder it comes from, if there is one.
    pub resolved: Option<String>,
}

/// Everything `accord agreement` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Coder names, sorted.
    pub coders: Vec<String>,
    /// Agreement per evidence field, in rubric order.
    pub fields: Vec<FieldAgreement>,
    /// Agreement over all fields of each metric used, in metric order.
    pub overall: Vec<FieldAgreement>,
    /// Every unit where coders' known values differ.
    pub disagreements: Vec<Disagreement>,
    /// The number of units.
    pub units: usize,
}

/// The known values of a unit, as parsed values.
fn known(inputs: &Inputs, unit: &Unit) -> Vec<Value> {
    unit.rows
        .iter()
        .filter_map(|&(_, r)| inputs.evidence.rows.get(r as usize).and_then(|x| x.value))
        .collect()
}

/// Sort key of a value for nominal categories: a yes/no and a date are never equal.
fn category(v: Value) -> (u8, f64) {
    let tag = match v {
        Value::Bool(_) => 0,
        Value::Label(_) => 1,
        Value::Number(_) => 2,
        Value::Date(_) => 3,
    };
    (tag, code(v))
}

/// The units' known values as numbers for a metric: codes for ordinal and interval; for nominal,
/// the index of each value among the distinct values (only equality matters).
fn numeric_units(inputs: &Inputs, units: &[&Unit], metric: Metric) -> Vec<Vec<f64>> {
    let values: Vec<Vec<Value>> = units.iter().map(|u| known(inputs, u)).collect();
    if metric != Metric::Nominal {
        return values
            .iter()
            .map(|u| u.iter().map(|&v| code(v)).collect())
            .collect();
    }
    let cmp = |a: &(u8, f64), b: &(u8, f64)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1));
    let mut categories: Vec<(u8, f64)> = values.iter().flatten().map(|&v| category(v)).collect();
    categories.sort_by(cmp);
    categories.dedup();
    values
        .iter()
        .map(|u| {
            u.iter()
                .filter_map(|&v| {
                    let key = category(v);
                    categories
                        .binary_search_by(|c| cmp(c, &key))
                        .ok()
                        .map(|i| i as f64)
                })
                .collect()
        })
        .collect()
}

/// Agreement over a set of units read with one metric.
fn agreement_of(
    inputs: &Inputs,
    field: Option<usize>,
    metric: Metric,
    units: &[&Unit],
) -> FieldAgreement {
    let numeric = numeric_units(inputs, units, metric);
    let mut coders: Vec<usize> = units
        .iter()
        .flat_map(|u| u.rows.iter())
        .filter(|&&(_, r)| {
            inputs
                .evidence
                .rows
                .get(r as usize)
                .is_some_and(|x| x.value.is_some())
        })
        .map(|&(c, _)| c)
        .collect();
    coders.sort_unstable();
    coders.dedup();
    let alpha = alpha(&numeric, metric);
    FieldAgreement {
        field,
        metric,
        units: units.len(),
        pairable_units: alpha.pairable_units,
        coders: coders.len(),
        alpha,
        percent_agreement: percent_agreement(&numeric),
    }
}

/// The criteria that read a field: through their `evidence` field or in an expression.
pub(crate) fn criteria_reading(rubric: &Rubric, field: usize) -> Vec<&str> {
    rubric
        .criteria
        .iter()
        .filter(|c| {
            c.field == Some(field) || matches!(&c.rule, Rule::Expr(e) if e.fields.contains(&field))
        })
        .map(|c| c.id.as_str())
        .collect()
}

/// Checks that the evidence names its coders: agreement needs a `coder` column.
pub fn check_coders(inputs: &Inputs) -> Result<(), Problem> {
    let file = &inputs.evidence.file.path;
    if !inputs.evidence.has_coders {
        return Err(Problem::new(format!(
            "agreement needs a `coder` column in the evidence, and `{file}` has none"
        ))
        .at(Location::line_col(file, 1, None))
        .help("add a `coder` column naming who coded each row; each coder codes the same jurisdictions and fields in rows of their own"));
    }
    if inputs.evidence.rows.iter().all(|r| r.coder().is_none()) {
        return Err(Problem::new(format!(
            "agreement needs coders, and the `coder` column of `{file}` is empty"
        ))
        .at(Location::file(file))
        .help("write who coded each row in the `coder` column"));
    }
    Ok(())
}

/// Computes agreement per field and overall, and lists every disagreement with its resolution.
pub fn report(rubric: &Rubric, inputs: &Inputs) -> Result<Report, Problem> {
    check_coders(inputs)?;
    let data = reliability(inputs);
    let ev = &inputs.evidence;
    let mut fields = Vec::new();
    let mut by_metric: BTreeMap<Metric, Vec<&Unit>> = BTreeMap::new();
    for (f, field) in rubric.fields.iter().enumerate() {
        let metric = Metric::for_kind(&field.kind);
        let units: Vec<&Unit> = data.units.iter().filter(|u| u.field == f).collect();
        if !units.is_empty() {
            by_metric
                .entry(metric)
                .or_default()
                .extend(units.iter().copied());
        }
        fields.push(agreement_of(inputs, Some(f), metric, &units));
    }
    let overall = by_metric
        .iter()
        .map(|(&metric, units)| agreement_of(inputs, None, metric, units))
        .collect();
    let mut disagreements = Vec::new();
    for unit in &data.units {
        let values = known(inputs, unit);
        let Some(first) = values.first() else {
            continue;
        };
        if values.iter().all(|v| v == first) {
            continue;
        }
        let rows: Vec<(&str, &crate::evidence::EvidenceRow)> = unit
            .rows
            .iter()
            .filter_map(|&(c, r)| Some((data.coders.get(c)?.as_str(), ev.rows.get(r as usize)?)))
            .collect();
        let resolution = resolve_coders(rows.iter().map(|(c, r)| (*c, r.value)));
        let resolved = match resolution {
            Resolution::Reviewer(v) => rows
                .iter()
                .find(|(c, r)| c.eq_ignore_ascii_case("reviewer") && r.value == Some(v)),
            Resolution::Majority(v) => rows.iter().find(|(_, r)| r.value == Some(v)),
            Resolution::Tie | Resolution::Unknown => None,
        }
        .map(|(_, r)| r.raw.to_string());
        disagreements.push(Disagreement {
            jurisdiction: unit.jurisdiction,
            field: unit.field,
            as_of: unit.as_of,
            values: rows
                .iter()
                .map(|(c, r)| CoderValue {
                    coder: (*c).to_string(),
                    raw: if r.raw.is_empty() {
                        "NA".to_string()
                    } else {
                        r.raw.to_string()
                    },
                    value: r.value,
                    place: r.place().to_string(),
                })
                .collect(),
            resolution,
            resolved,
        });
    }
    Ok(Report {
        coders: data.coders,
        fields,
        overall,
        disagreements,
        units: data.units.len(),
    })
}
