//! Rules: evidence -> criterion values, at an evaluation date.
//!
//! Which evidence counts on a date:
//! - For boolean, levels, bands, goalposts and numeric fields a value holds from its `as_of` date
//!   until a later dated row replaces it; an undated row holds at every date.
//! - A date field describes when an instrument took effect. A date value says exactly when; `yes`
//!   on an `as_of` date says "in force by then", `no` says "not yet in force then". Undated yes/no
//!   rows are observations made on the data set's date (the latest `as_of` in the inputs). On an
//!   evaluation date the instrument is in force if some observation proves it, not in force if some
//!   observation proves that, and unknown otherwise; observations that contradict each other are
//!   an error.
//! - Several coders: each coder's value is found as above; a coder named `reviewer` wins, else the
//!   majority, else the value is unknown and flagged.

use std::collections::BTreeMap;

use crate::error::{InputError, Location, Problem, Problems};
use crate::evidence::{Binding, Date, Inputs, Value};
use crate::pipeline::Frame;
use crate::rubric::rule::{Expr, Side};
use crate::rubric::{FieldKind, Rubric, Rule};

/// What a criterion value rests on, for `explain`.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// No evidence row for this jurisdiction and field.
    NoEvidence,
    /// Rows exist but none applies on the evaluation date.
    NotYet,
    /// The evidence says unknown (`NA`) in this row.
    Unknown(u32),
    /// This row's value.
    Row(u32),
    /// These rows together (date observations, expression inputs).
    Rows(Vec<u32>),
    /// Coders disagree with no majority; the value is unknown.
    Disagreement(Vec<u32>),
    /// A count of partners (`exact`: from a complete list with every instrument's status known).
    Count {
        /// Partners counted.
        partners: u32,
        /// Whether the count is exact rather than a lower bound.
        exact: bool,
    },
    /// No dyads file was given.
    NoDyads,
}

/// Criterion values of every jurisdiction, before the pipeline.
#[derive(Debug, Clone)]
pub struct CriterionValues {
    /// Values (jurisdictions x criteria): on the rubric's scale for rule-scored criteria (direction
    /// applied), raw numbers for `numeric` criteria.
    pub values: Frame,
    /// What each value rests on (`basis[c * n + j]`).
    pub basis: Vec<Basis>,
    /// The evaluation date.
    pub date: Date,
}

impl CriterionValues {
    /// The basis of one cell.
    pub fn basis(&self, jurisdiction: usize, criterion: usize) -> &Basis {
        &self.basis[criterion * self.values.nrow + jurisdiction]
    }
}

/// The evaluation date: `--as-of`, else the data set's date, else the far future.
pub fn evaluation_date(inputs: &Inputs, as_of: Option<Date>) -> Date {
    as_of.or_else(|| inputs.data_date()).unwrap_or(Date::MAX)
}

/// The value of one evidence field for a jurisdiction on `date`, read exactly as the rules read it
/// (date fields give `Bool(in force)`, coders are resolved); `None` when unknown.
pub fn field_value_on(
    rubric: &Rubric,
    inputs: &Inputs,
    jurisdiction: usize,
    field: usize,
    date: Date,
) -> Result<Option<Value>, Problem> {
    let ctx = Ctx {
        rubric,
        inputs,
        date,
        undated: inputs.data_date().unwrap_or(Date::MAX),
    };
    field_value(&ctx, jurisdiction, field).map(|(v, _)| v)
}

/// Evaluates every criterion for every jurisdiction on `date`.
pub fn evaluate(
    rubric: &Rubric,
    inputs: &Inputs,
    date: Date,
) -> Result<CriterionValues, InputError> {
    let n = inputs.jurisdictions.len();
    let undated = inputs.data_date().unwrap_or(Date::MAX);
    let mut values = Frame::new(n, rubric.criteria.len());
    let mut basis = vec![Basis::NoEvidence; n * rubric.criteria.len()];
    let mut problems = Problems::new();
    let ctx = Ctx {
        rubric,
        inputs,
        date,
        undated,
    };
    for (c, criterion) in rubric.criteria.iter().enumerate() {
        for j in 0..n {
            let (v, b) = match &criterion.rule {
                Rule::Count {
                    instruments,
                    side,
                    bands,
                } => count(&ctx, j, instruments, *side, bands),
                Rule::Expr(e) => match expr(&ctx, j, e, &criterion.id) {
                    Ok(x) => x,
                    Err(p) => {
                        problems.push(p);
                        (None, Basis::NoEvidence)
                    }
                },
                rule => {
                    let field = criterion.field.unwrap_or(0);
                    match field_value(&ctx, j, field) {
                        Ok((value, b)) => {
                            (value.and_then(|v| score(rule, v, rubric.meta.scale)), b)
                        }
                        Err(p) => {
                            problems.push(p);
                            (None, Basis::NoEvidence)
                        }
                    }
                }
            };
            let v = match v {
                Some(x) if criterion.rule.on_scale() && criterion.direction < 0.0 => {
                    Some(rubric.meta.scale[0] + rubric.meta.scale[1] - x)
                }
                other => other,
            };
            values.set(j, c, v);
            basis[c * n + j] = b;
        }
    }
    problems.finish(CriterionValues {
        values,
        basis,
        date,
    })
}

struct Ctx<'a> {
    rubric: &'a Rubric,
    inputs: &'a Inputs,
    date: Date,
    undated: Date,
}

/// Scores one parsed value with a field rule.
pub fn score(rule: &Rule, v: Value, scale: [f64; 2]) -> Option<f64> {
    let [lo, hi] = scale;
    match (rule, v) {
        (Rule::Boolean { yes, no }, Value::Bool(b)) => Some(if b { *yes } else { *no }),
        (Rule::Date { yes, no }, Value::Bool(b)) => Some(if b { *yes } else { *no }),
        (Rule::Levels { levels }, Value::Label(i)) => levels.get(i as usize).map(|l| l.1),
        (Rule::Bands { bands }, Value::Number(x)) => Some(band(bands, x).unwrap_or(lo)),
        (Rule::Goalposts { lower, upper }, Value::Number(x)) => {
            let t = ((x - lower) / (upper - lower)).clamp(0.0, 1.0);
            Some(lo + t * (hi - lo))
        }
        (Rule::Numeric, Value::Number(x)) => Some(x),
        _ => None,
    }
}

/// The score of the highest band whose threshold `x` reaches.
pub fn band(bands: &[(f64, f64)], x: f64) -> Option<f64> {
    bands.iter().rev().find(|(t, _)| x >= *t).map(|(_, s)| *s)
}

/// The value of a field for a jurisdiction on the evaluation date, after coder resolution.
/// For date fields the value is `Bool(in force)`.
fn field_value(ctx: &Ctx<'_>, j: usize, field: usize) -> Result<(Option<Value>, Basis), Problem> {
    let ev = &ctx.inputs.evidence;
    let rows: Vec<u32> = ev.row_indices(j, field).to_vec();
    if rows.is_empty() {
        return Ok((None, Basis::NoEvidence));
    }
    let kind = &ctx.rubric.fields[field].kind;
    if !ev.has_coders {
        return resolve_one(ctx, kind, &rows);
    }
    // Group by coder (rows without a coder form their own group).
    let mut by_coder: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for &r in &rows {
        let coder = ev.rows[r as usize]
            .coder
            .as_deref()
            .unwrap_or_default()
            .to_string();
        by_coder.entry(coder).or_default().push(r);
    }
    if by_coder.len() == 1 {
        return resolve_one(ctx, kind, &rows);
    }
    let mut results: Vec<(String, Option<Value>, Basis)> = Vec::new();
    for (coder, rs) in &by_coder {
        let (v, b) = resolve_one(ctx, kind, rs)?;
        results.push((coder.clone(), v, b));
    }
    // The basis of the first coder (a reviewer, if `reviewer`) who gave the winning value.
    let basis_of = |reviewer: bool, winner: Value| {
        results
            .iter()
            .find(|(c, v, _)| {
                *v == Some(winner) && (!reviewer || c.eq_ignore_ascii_case("reviewer"))
            })
            .map_or(Basis::NoEvidence, |r| r.2.clone())
    };
    match resolve_coders(results.iter().map(|(c, v, _)| (c.as_str(), *v))) {
        Resolution::Reviewer(v) => Ok((Some(v), basis_of(true, v))),
        Resolution::Majority(v) => Ok((Some(v), basis_of(false, v))),
        Resolution::Tie => Ok((None, Basis::Disagreement(rows))),
        Resolution::Unknown => Ok((
            None,
            results
                .into_iter()
                .next()
                .map_or(Basis::NoEvidence, |r| r.2),
        )),
    }
}

/// How several coders' values of one field are resolved (the policy `field_value` applies).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolution {
    /// A coder named `reviewer` (in any case) gave this known value, which wins.
    Reviewer(Value),
    /// More coders gave this value than any other (or it is the only known value).
    Majority(Value),
    /// The most frequent known values tie: the value is unknown and flagged.
    Tie,
    /// No coder gave a known value.
    Unknown,
}

impl Resolution {
    /// The value the score uses, if any.
    pub fn value(self) -> Option<Value> {
        match self {
            Resolution::Reviewer(v) | Resolution::Majority(v) => Some(v),
            Resolution::Tie | Resolution::Unknown => None,
        }
    }
}

/// Resolves coders' values, given in coder order: the first coder named `reviewer` with a known
/// value wins, else the known value given by more coders than any other, else unknown.
pub fn resolve_coders<'a>(
    values: impl IntoIterator<Item = (&'a str, Option<Value>)>,
) -> Resolution {
    let mut reviewer = None;
    let mut tally: Vec<(Value, usize)> = Vec::new();
    for (coder, v) in values {
        let Some(v) = v else { continue };
        if reviewer.is_none() && coder.eq_ignore_ascii_case("reviewer") {
            reviewer = Some(v);
        }
        match tally.iter_mut().find(|(x, _)| *x == v) {
            Some(t) => t.1 += 1,
            None => tally.push((v, 1)),
        }
    }
    if let Some(v) = reviewer {
        return Resolution::Reviewer(v);
    }
    tally.sort_by_key(|t| std::cmp::Reverse(t.1));
    match tally.as_slice() {
        [] => Resolution::Unknown,
        [(v, _)] => Resolution::Majority(*v),
        [(v, a), (_, b), ..] if a > b => Resolution::Majority(*v),
        _ => Resolution::Tie,
    }
}

/// Resolves one coder's rows of one field on the evaluation date.
fn resolve_one(
    ctx: &Ctx<'_>,
    kind: &FieldKind,
    rows: &[u32],
) -> Result<(Option<Value>, Basis), Problem> {
    let ev = &ctx.inputs.evidence;
    let row = |i: u32| &ev.rows[i as usize];
    if *kind != FieldKind::Date {
        // The latest row dated on or before the evaluation date; undated rows hold always.
        let best = rows
            .iter()
            .copied()
            .filter(|&i| row(i).as_of.is_none_or(|d| d <= ctx.date))
            .max_by_key(|&i| row(i).as_of);
        return Ok(match best {
            None => (None, Basis::NotYet),
            Some(i) => match row(i).value {
                None => (None, Basis::Unknown(i)),
                Some(v) => (Some(v), Basis::Row(i)),
            },
        });
    }
    // Date fields: bounds on the date t the instrument took effect.
    let mut exact: Option<(Date, u32)> = None;
    let mut yes_by: Option<(Date, u32)> = None; // t <= this
    let mut no_at: Option<(Date, u32)> = None; // t > this
    let mut used = Vec::new();
    for &i in rows {
        let r = row(i);
        match r.value {
            None => {}
            Some(Value::Date(d)) => {
                if let Some((e, ei)) = exact
                    && e != d
                {
                    return Err(contradiction(
                        ev,
                        ei,
                        i,
                        "two different dates of entry into force",
                    ));
                }
                exact = Some((d, i));
                used.push(i);
            }
            Some(Value::Bool(true)) => {
                let at = r.as_of.unwrap_or(ctx.undated);
                if yes_by.is_none_or(|(y, _)| at < y) {
                    yes_by = Some((at, i));
                }
                used.push(i);
            }
            Some(Value::Bool(false)) => {
                let at = r.as_of.unwrap_or(ctx.undated);
                if no_at.is_none_or(|(n, _)| at > n) {
                    no_at = Some((at, i));
                }
                used.push(i);
            }
            Some(_) => {}
        }
    }
    if let (Some((n, ni)), Some((y, yi))) = (no_at, yes_by)
        && n >= y
    {
        return Err(contradiction(
            ev,
            yi,
            ni,
            "`yes` on an earlier date than a later `no`",
        ));
    }
    if let (Some((e, ei)), Some((n, ni))) = (exact, no_at)
        && e <= n
    {
        return Err(contradiction(
            ev,
            ei,
            ni,
            "a date of entry into force on or before a `no`",
        ));
    }
    if let (Some((e, ei)), Some((y, yi))) = (exact, yes_by)
        && e > y
    {
        return Err(contradiction(
            ev,
            ei,
            yi,
            "a date of entry into force after a `yes`",
        ));
    }
    if used.is_empty() {
        let first = rows[0];
        return Ok((None, Basis::Unknown(first)));
    }
    let basis = if used.len() == 1 {
        Basis::Row(used[0])
    } else {
        Basis::Rows(used)
    };
    let in_force = match exact {
        Some((d, _)) => Some(d <= ctx.date),
        None => {
            if yes_by.is_some_and(|(y, _)| y <= ctx.date) {
                Some(true)
            } else if no_at.is_some_and(|(n, _)| n >= ctx.date) {
                Some(false)
            } else {
                None
            }
        }
    };
    Ok(match in_force {
        Some(b) => (Some(Value::Bool(b)), basis),
        None => (None, Basis::NotYet),
    })
}

fn contradiction(ev: &crate::evidence::Evidence, a: u32, b: u32, what: &str) -> Problem {
    let (ra, rb) = (&ev.rows[a as usize], &ev.rows[b as usize]);
    Problem::new(format!(
        "contradictory evidence: {what} (`{}`{} at {}, `{}`{} at {})",
        ra.raw,
        ra.as_of.map(|d| format!(" as of {d}")).unwrap_or_default(),
        ra.place,
        rb.raw,
        rb.as_of.map(|d| format!(" as of {d}")).unwrap_or_default(),
        rb.place
    ))
    .at(Location::from(&rb.place))
    .related("the other row", Location::from(&ra.place))
}

fn count(
    ctx: &Ctx<'_>,
    j: usize,
    instruments: &[usize],
    side: Side,
    bands: &[(f64, f64)],
) -> (Option<f64>, Basis) {
    let Some(dyads) = &ctx.inputs.dyads else {
        return (None, Basis::NoDyads);
    };
    let mut yes: Vec<usize> = Vec::new();
    let mut unknown = false;
    for d in &dyads.list {
        if !instruments.contains(&d.instrument) {
            continue;
        }
        let directed = ctx.rubric.instruments[d.instrument].directed;
        let partner = if d.a == j && (!directed || side != Side::In) {
            d.b
        } else if d.b == j && (!directed || side != Side::Out) {
            d.a
        } else {
            continue;
        };
        match d.binding_on(ctx.date, ctx.undated) {
            Binding::Yes => yes.push(partner),
            Binding::Unknown => unknown = true,
            Binding::No => {}
        }
    }
    yes.sort_unstable();
    yes.dedup();
    let partners = yes.len() as u32;
    let complete = instruments.iter().all(|&k| {
        ctx.inputs.jurisdictions.list[j]
            .complete
            .get(k)
            .copied()
            .unwrap_or(false)
    });
    let exact = complete && !unknown;
    let s = band(bands, partners as f64).unwrap_or(ctx.rubric.meta.scale[0]);
    let top = bands.iter().map(|b| b.1).fold(f64::NEG_INFINITY, f64::max);
    // From an incomplete list the count is a lower bound: it scores only when the bound already
    // reaches the top band, since more partners could not change the score.
    let v = if exact || s >= top { Some(s) } else { None };
    (v, Basis::Count { partners, exact })
}

fn expr(
    ctx: &Ctx<'_>,
    j: usize,
    e: &Expr,
    criterion: &str,
) -> Result<(Option<f64>, Basis), Problem> {
    use evalexpr::{ContextWithMutableVariables, HashMapContext, Value as EV};
    let mut context = HashMapContext::<evalexpr::DefaultNumericTypes>::new();
    let mut used = Vec::new();
    let mut missing = false;
    for name in &e.variables {
        let Some(f) = ctx.rubric.field_index(name) else {
            missing = true;
            continue;
        };
        let (v, b) = field_value(ctx, j, f)?;
        match &b {
            Basis::Row(i) | Basis::Unknown(i) => used.push(*i),
            Basis::Rows(rs) | Basis::Disagreement(rs) => used.extend(rs.iter().copied()),
            _ => {}
        }
        let value = match (v, &ctx.rubric.fields[f].kind) {
            (None, _) => {
                missing = true;
                continue;
            }
            (Some(Value::Bool(b)), _) => EV::Boolean(b),
            (Some(Value::Number(x)), _) => EV::Float(x),
            (Some(Value::Label(i)), FieldKind::Label(levels)) => {
                EV::String(levels.get(i as usize).cloned().unwrap_or_default())
            }
            (Some(_), _) => {
                missing = true;
                continue;
            }
        };
        // Variables were checked at validation; setting one cannot fail on type.
        let _ = context.set_value(name.clone(), value);
    }
    used.sort_unstable();
    used.dedup();
    let basis = if used.is_empty() {
        Basis::NoEvidence
    } else {
        Basis::Rows(used)
    };
    if missing {
        return Ok((None, basis));
    }
    let jcode = &ctx.inputs.jurisdictions.list[j].code;
    let [lo, hi] = ctx.rubric.meta.scale;
    // The allowed functions cannot panic; this is a net for what the engine might still do.
    let evaluated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| e.tree.eval_with_context(&context)))
        .map_err(|_| Problem::new(format!("the expression of criterion `{criterion}` failed for `{jcode}`: the expression engine stopped")).help(format!("expression: {}", e.text)))?;
    let out = evaluated.map_err(|err| {
        Problem::new(format!(
            "the expression of criterion `{criterion}` failed for `{jcode}`: {err}"
        ))
        .help(format!("expression: {}", e.text))
    })?;
    let v = match out {
        EV::Boolean(b) => {
            if b {
                hi
            } else {
                lo
            }
        }
        EV::Float(x) => x,
        EV::Int(i) => i as f64,
        other => {
            return Err(Problem::new(format!(
                "the expression of criterion `{criterion}` gave `{other}` for `{jcode}`, not a number or true/false"
            ))
            .help(format!("expression: {}", e.text)));
        }
    };
    if !v.is_finite() || v < lo || v > hi {
        return Err(Problem::new(format!(
            "the expression of criterion `{criterion}` gave {v} for `{jcode}`, outside the scale [{lo}, {hi}]"
        ))
        .help(format!("expression: {}", e.text)));
    }
    Ok((Some(v), basis))
}
