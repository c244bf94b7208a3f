//! The pipeline between criterion values and scores, in COINr's order: denominate, impute,
//! screen, treat, normalise, aggregate, rank. Each step is a pure function on columns in its own
//! module; `run` strings them together and computes coverage.

pub mod aggregate;
pub mod denominate;
pub mod impute;
pub mod normalise;
pub mod rank;
pub mod screen;
pub mod spec;
pub mod stats;
pub mod treat;

use crate::error::{InputError, Problem, Problems};
use crate::evidence::Inputs;
use crate::results::{Results, Scores, Stages};
use crate::rubric::{Member, Rubric, Rule};
use crate::rules::CriterionValues;
use aggregate::AggError;
use spec::{AggregateMethod, AggregateSpec, NormaliseMethod};

/// A dense column-major matrix of optional numbers (rows = jurisdictions).
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Rows.
    pub nrow: usize,
    /// Columns.
    pub ncol: usize,
    data: Vec<Option<f64>>,
}

impl Frame {
    /// An all-unknown frame.
    pub fn new(nrow: usize, ncol: usize) -> Frame {
        Frame {
            nrow,
            ncol,
            data: vec![None; nrow * ncol],
        }
    }

    /// A frame from columns of equal length.
    pub fn from_columns(nrow: usize, columns: Vec<Vec<Option<f64>>>) -> Frame {
        let ncol = columns.len();
        let mut data = Vec::with_capacity(nrow * ncol);
        for c in columns {
            debug_assert_eq!(c.len(), nrow);
            data.extend(c);
        }
        Frame { nrow, ncol, data }
    }

    /// One cell.
    pub fn get(&self, r: usize, c: usize) -> Option<f64> {
        self.data[c * self.nrow + r]
    }

    /// Sets one cell.
    pub fn set(&mut self, r: usize, c: usize, v: Option<f64>) {
        self.data[c * self.nrow + r] = v;
    }

    /// One column.
    pub fn col(&self, c: usize) -> &[Option<f64>] {
        &self.data[c * self.nrow..(c + 1) * self.nrow]
    }

    /// One column, mutably.
    pub fn col_mut(&mut self, c: usize) -> &mut [Option<f64>] {
        &mut self.data[c * self.nrow..(c + 1) * self.nrow]
    }

    /// The frame restricted to some rows, in the order given.
    pub fn select_rows(&self, rows: &[usize]) -> Frame {
        let mut out = Frame::new(rows.len(), self.ncol);
        for c in 0..self.ncol {
            let src = self.col(c);
            for (i, &r) in rows.iter().enumerate() {
                out.data[c * rows.len() + i] = src[r];
            }
        }
        out
    }
}

/// Runs the pipeline on criterion values.
pub fn run(
    rubric: &Rubric,
    inputs: &Inputs,
    values: &CriterionValues,
) -> Result<Results, InputError> {
    let spec = &rubric.pipeline;
    let juris = &inputs.jurisdictions;
    let n = juris.len();
    let nc = rubric.criteria.len();
    let [lo, _] = rubric.meta.scale;
    let mut problems = Problems::new();
    let raw = values.values.clone();

    // Denominate.
    let mut denominated = raw.clone();
    if spec.denominate {
        for (c, crit) in rubric.criteria.iter().enumerate() {
            let Some(d) = &crit.denominator else { continue };
            match juris.denominator_names.iter().position(|x| x == d) {
                Some(k) => {
                    let col: Vec<Option<f64>> = juris.list.iter().map(|j| j.denominators[k]).collect();
                    denominate::denominate(denominated.col_mut(c), &col, crit.scale_factor);
                }
                None => problems.push(
                    Problem::new(format!("criterion `{}` is divided by `{d}`, but the jurisdictions file has no `denom:{d}` column", crit.id))
                        .help("add the column to the jurisdictions file, or remove `denominator` from the criterion"),
                ),
            }
        }
    }

    // Impute.
    let mut imputed = denominated.clone();
    let group_col = match &spec.impute.group {
        Some(g) => match juris.group_index(g) {
            Some(k) => Some(k),
            None => {
                problems.push(Problem::new(format!("`pipeline.impute.group` = `{g}`, but the jurisdictions file has no `group:{g}` column")).help(
                    if juris.group_names.is_empty() { "pass a jurisdictions file with group columns (--jurisdictions)".to_string() } else { format!("its groups: {}", juris.group_names.join(", ")) },
                ));
                None
            }
        },
        None => None,
    };
    problems.check()?;
    let groups: Option<Vec<Option<&str>>> =
        group_col.map(|k| juris.list.iter().map(|j| j.groups[k].as_deref()).collect());
    for (c, crit) in rubric.criteria.iter().enumerate() {
        let zero = if crit.rule.on_scale() { lo } else { 0.0 };
        impute::impute(
            imputed.col_mut(c),
            spec.impute.method,
            groups.as_deref(),
            zero,
        );
    }

    // Screen.
    let codes: Vec<&str> = juris.list.iter().map(|j| j.code.as_str()).collect();
    let availability = screen::screen(&imputed, &spec.screen, &codes);
    let units: Vec<usize> = (0..n).filter(|&r| availability[r].included).collect();
    if units.is_empty() {
        return Err(InputError::one(Problem::new("screening removed every jurisdiction").help(format!(
            "lower `pipeline.screen.dat_thresh` (now {}) or set `pipeline.screen.method = \"none\"`",
            spec.screen.dat_thresh
        ))));
    }
    let screened = imputed.select_rows(&units);
    let m = units.len();

    // Treat and normalise numeric criteria; rule-scored criteria are already on the scale.
    let mut treated = screened.clone();
    let mut treatment = Vec::with_capacity(nc);
    let mut normalised = screened.clone();
    for (c, crit) in rubric.criteria.iter().enumerate() {
        if !matches!(crit.rule, Rule::Numeric) {
            treatment.push(None);
            continue;
        }
        let tspec = crit.treat.as_ref().unwrap_or(&spec.treat);
        let (t, detail) = treat::treat(screened.col(c), tspec);
        treated.col_mut(c).copy_from_slice(&t);
        treatment.push(Some(detail));
        let nspec = crit.normalise.as_ref().unwrap_or(&spec.normalise);
        let reference = nspec.iref.as_ref().map(|code| {
            units
                .iter()
                .position(|&u| juris.list[u].code == *code)
                .and_then(|r| t[r])
        });
        let reference = match (nspec.method, &nspec.iref, reference) {
            (NormaliseMethod::Dist2Ref, Some(_), None) => None,
            (_, _, r) => r,
        };
        match normalise::normalise(&t, nspec, crit.direction, crit.target, reference, rubric.meta.scale) {
            Ok(v) => normalised.col_mut(c).copy_from_slice(&v),
            Err(why) => problems.push(
                Problem::new(format!("cannot normalise criterion `{}` with `{}`: {why}", crit.id, nspec.method.name()))
                    .help("choose another method for it (criterion key `normalise`), or drop the criterion"),
            ),
        }
    }
    problems.check()?;

    // Coverage of criteria: 1 where evidence gave a value, 0 where it did not (imputed or not).
    let mut crit_cov = Frame::new(m, nc);
    for c in 0..nc {
        for (i, &u) in units.iter().enumerate() {
            crit_cov.set(i, c, Some(if raw.get(u, c).is_some() { 1.0 } else { 0.0 }));
        }
    }
    let unit_codes: Vec<&str> = units.iter().map(|&u| codes[u]).collect();

    // Aggregate nodes bottom-up (reverse pre-order visits children first).
    let nn = rubric.nodes.len();
    let mut node_score = Frame::new(m, nn);
    let mut node_cov = Frame::new(m, nn);
    for k in (0..nn).rev() {
        let node = &rubric.nodes[k];
        let agg = node.aggregate.as_ref().unwrap_or(&spec.aggregate);
        let shares = rubric.child_shares(k);
        let weights: Vec<f64> = node
            .children
            .iter()
            .map(|mem| rubric.member_weight(*mem))
            .collect();
        let child_values: Vec<&[Option<f64>]> = node
            .children
            .iter()
            .map(|mem| match *mem {
                Member::Criterion(c) => normalised.col(c),
                Member::Node(x) => node_score.col(x),
            })
            .collect();
        let child_cov: Vec<&[Option<f64>]> = node
            .children
            .iter()
            .map(|mem| match *mem {
                Member::Criterion(c) => crit_cov.col(c),
                Member::Node(x) => node_cov.col(x),
            })
            .collect();
        let names: Vec<&str> = node
            .children
            .iter()
            .map(|mem| match *mem {
                Member::Criterion(c) => rubric.criteria[c].id.as_str(),
                Member::Node(x) => rubric.nodes[x].id.as_str(),
            })
            .collect();
        let cov = coverage(&child_cov, &shares, m);
        let scores = aggregate_columns(
            agg,
            &child_values,
            &weights,
            &cov,
            &node.id,
            &names,
            &unit_codes,
            &mut problems,
        );
        for i in 0..m {
            node_score.set(i, k, scores[i]);
            node_cov.set(i, k, Some(cov[i]));
        }
    }
    problems.check()?;

    // Facet values and grid cells aggregate criteria with their effective weights.
    let eff = rubric.effective_criterion_weights();
    let mut facet_values = Vec::new();
    let mut facet_cols = Vec::new();
    let mut facet_covs = Vec::new();
    let groups_of = |members: &[usize],
                     id: &str,
                     problems: &mut Problems|
     -> (Vec<Option<f64>>, Vec<Option<f64>>) {
        let vals: Vec<&[Option<f64>]> = members.iter().map(|&c| normalised.col(c)).collect();
        let covs: Vec<&[Option<f64>]> = members.iter().map(|&c| crit_cov.col(c)).collect();
        let shares = group_shares(&eff, members);
        let names: Vec<&str> = members
            .iter()
            .map(|&c| rubric.criteria[c].id.as_str())
            .collect();
        let cov = coverage(&covs, &shares, m);
        let s = aggregate_columns(
            &spec.aggregate,
            &vals,
            &shares,
            &cov,
            id,
            &names,
            &unit_codes,
            problems,
        );
        (s, cov.into_iter().map(Some).collect())
    };
    for (f, facet) in rubric.facets.iter().enumerate() {
        for (v, value) in facet.values.iter().enumerate() {
            let members: Vec<usize> = (0..nc)
                .filter(|&c| rubric.criteria[c].facets[f] == v)
                .collect();
            facet_values.push((f, v));
            if members.is_empty() {
                facet_cols.push(vec![None; m]);
                facet_covs.push(vec![Some(0.0); m]);
                continue;
            }
            let (s, cv) = groups_of(&members, &value.id, &mut problems);
            facet_cols.push(s);
            facet_covs.push(cv);
        }
    }
    let cell_defs = rubric.cells();
    let mut cell_cols = Vec::new();
    let mut cell_covs = Vec::new();
    for cell in &cell_defs {
        let (s, cv) = groups_of(&cell.criteria, &cell.id, &mut problems);
        cell_cols.push(s);
        cell_covs.push(cv);
    }
    problems.check()?;

    let scores = |score: Frame, coverage: Frame| Scores::new(score, coverage);
    Ok(Results {
        date: values.date,
        units,
        availability,
        stages: Stages {
            raw,
            denominated,
            imputed,
            screened,
            treated,
        },
        treatment,
        criteria: scores(normalised, crit_cov),
        nodes: scores(node_score, node_cov),
        facets: scores(
            Frame::from_columns(m, facet_cols),
            Frame::from_columns(m, facet_covs),
        ),
        facet_values,
        cells: scores(
            Frame::from_columns(m, cell_cols),
            Frame::from_columns(m, cell_covs),
        ),
        cell_defs,
    })
}

/// Relative weights of a group of criteria (a facet value or a grid cell): their effective
/// weights in the index, renormalised to sum to 1.
pub fn group_shares(effective: &[f64], members: &[usize]) -> Vec<f64> {
    let total: f64 = members.iter().map(|&c| effective[c]).sum();
    members.iter().map(|&c| effective[c] / total).collect()
}

/// Share of weight backed by evidence: sum of children's shares times their coverage.
fn coverage(child_cov: &[&[Option<f64>]], shares: &[f64], m: usize) -> Vec<f64> {
    (0..m)
        .map(|i| {
            let c: f64 = child_cov
                .iter()
                .zip(shares)
                .map(|(col, s)| s * col[i].unwrap_or(0.0))
                .sum();
            c.clamp(0.0, 1.0)
        })
        .collect()
}

/// Aggregates children columns into one with the given weights (renormalised over the known
/// children of each row), applying the coverage floor and COINr's `dat_thresh`.
#[allow(clippy::too_many_arguments)]
fn aggregate_columns(
    agg: &AggregateSpec,
    children: &[&[Option<f64>]],
    weights: &[f64],
    cov: &[f64],
    node: &str,
    names: &[&str],
    codes: &[&str],
    problems: &mut Problems,
) -> Vec<Option<f64>> {
    let m = cov.len();
    let mut out = vec![None; m];
    if agg.method == AggregateMethod::Copeland {
        let rows: Vec<Vec<Option<f64>>> = (0..m)
            .map(|i| children.iter().map(|col| col[i]).collect())
            .collect();
        let scores = aggregate::copeland(&rows, weights);
        for i in 0..m {
            if rows[i].iter().any(Option::is_some) {
                out[i] = Some(scores[i]);
            }
        }
    } else {
        let mut row = vec![None; children.len()];
        for i in 0..m {
            for (k, col) in children.iter().enumerate() {
                row[k] = col[i];
            }
            match aggregate::aggregate(agg.method, &row, weights, agg.p) {
                Ok(v) => out[i] = v,
                Err(e) => {
                    let (child, what) = match e {
                        AggError::NotPositive { child, value } => (
                            child,
                            format!(
                                "is {value}, and a {} needs positive values",
                                agg.method.describe()
                            ),
                        ),
                        AggError::Zero { child } => (
                            child,
                            "is 0, and a harmonic mean cannot take zeros".to_string(),
                        ),
                    };
                    if problems.len() < 20 {
                        problems.push(
                            Problem::new(format!("cannot aggregate `{node}` for `{}` with `{}`: `{}` {what}", codes[i], agg.method.name(), names[child]))
                                .help("normalise numeric criteria onto a positive range (e.g. --set pipeline.normalise.l_u=[1,100]), or use a_amean"),
                        );
                    }
                }
            }
        }
    }
    for i in 0..m {
        let known = children.iter().filter(|col| col[i].is_some()).count();
        if let Some(t) = agg.dat_thresh
            && (known as f64) / (children.len() as f64) < t
        {
            out[i] = None;
        }
        if cov[i] + 1e-12 < agg.min_coverage {
            out[i] = None;
        }
    }
    out
}
