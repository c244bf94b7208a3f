//! Rules: evidence -> criterion values, at an evaluation date.
//!
//! One rule says which evidence counts on a date, for every rule type: an observation (a row with
//! an `as_of` date) holds from its date until a later observation of the same field replaces it
//! (last observation carried forward), and, when the criterion or the rubric sets a `horizon`,
//! only for that long after its date; older, it is unknown. A row without `as_of` holds at every
//! date on which no dated row applies. Rows dated after the evaluation date are not yet made.
//!
//! A date field records when an instrument took effect. A date value is that event: the
//! instrument is in force on every date from it on (it never grows stale). `yes` on an `as_of`
//! date bounds the event ("in force by then") and likewise never grows stale, since an instrument
//! in force stays so (denunciation is not modelled). `no` observes the status on its date: it
//! says the instrument was not in force on any earlier date, and it is carried forward like any
//! observation, up to the horizon. Observations that contradict each other are an error.
//!
//! Several coders: each coder's value is found as above; a coder named `reviewer` wins, else the
//! majority, else the value is unknown and flagged.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::base::frame::Frame;
use crate::error::{InputError, Location, Problem, Problems};
use crate::evidence::{Binding, Date, Inputs, Value};
use crate::rubric::rule::{Expr, Side};
use crate::rubric::{Criterion, FieldKind, Horizon, Rubric, Rule};

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
    /// This row applies on the date but is older than the horizon: the value is unknown.
    Stale(u32),
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
    /// applied), raw numbers for `numeric` criteria. Shared with the results' first stage.
    pub values: Arc<Frame>,
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

/// The date a run is evaluated on, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationDate {
    /// The date (`Date::MAX` when the inputs hold no date at all: every row is undated and holds
    /// at every date, so no date is needed).
    pub date: Date,
    /// What set it.
    pub origin: DateOrigin,
}

/// What set the evaluation date.
#[derive(Debug, Clone, PartialEq)]
pub enum DateOrigin {
    /// `--as-of` on the command line.
    AsOf,
    /// The data folder's `accord.toml` (the file).
    Declared(String),
    /// The latest date in the inputs: the row (`file:line`) and column that hold it.
    Latest {
        /// `file:line`.
        place: String,
        /// Column.
        column: &'static str,
    },
    /// No date anywhere in the inputs.
    Undated,
}

impl EvaluationDate {
    /// `--as-of`, else the date the data folder declares, else the latest date anywhere in the
    /// inputs (`as_of` and date values of the evidence, every date of the dyads).
    pub(crate) fn choose(inputs: &Inputs, as_of: Option<Date>) -> EvaluationDate {
        if let Some(date) = as_of {
            return EvaluationDate {
                date,
                origin: DateOrigin::AsOf,
            };
        }
        if let Some((date, file)) = &inputs.declared_date {
            return EvaluationDate {
                date: *date,
                origin: DateOrigin::Declared(file.clone()),
            };
        }
        match inputs.latest_date() {
            Some(found) => EvaluationDate {
                date: found.date,
                origin: DateOrigin::Latest {
                    place: found.place,
                    column: found.column,
                },
            },
            None => EvaluationDate {
                date: Date::MAX,
                origin: DateOrigin::Undated,
            },
        }
    }

    /// The date as shown (`undated` when there is none).
    pub fn shown(&self) -> String {
        if self.origin == DateOrigin::Undated {
            "undated".to_string()
        } else {
            self.date.to_string()
        }
    }

    /// The rule that chose it, in words (printed and recorded in manifests).
    pub(crate) fn rule(&self) -> &'static str {
        match self.origin {
            DateOrigin::AsOf => "--as-of",
            DateOrigin::Declared(_) => "declared by the data folder",
            DateOrigin::Latest { .. } => "latest date in the inputs",
            DateOrigin::Undated => "no date in the inputs",
        }
    }

    /// Where it came from: `--as-of`, a file, or the `file:line` and column of the row.
    pub(crate) fn source(&self) -> String {
        match &self.origin {
            DateOrigin::AsOf => "--as-of".to_string(),
            DateOrigin::Declared(file) => file.clone(),
            DateOrigin::Latest { place, column } => format!("{place}, column `{column}`"),
            DateOrigin::Undated => String::new(),
        }
    }

    /// One sentence for people: the date and why.
    pub fn describe(&self) -> String {
        match &self.origin {
            DateOrigin::AsOf => format!("{} (--as-of)", self.date),
            DateOrigin::Declared(file) => format!("{} (the date `{file}` declares)", self.date),
            DateOrigin::Latest { place, column } => format!(
                "{} (the latest date in the inputs: {place}, column `{column}`)",
                self.date
            ),
            DateOrigin::Undated => {
                "no date (the inputs hold no date: every row holds at every date)".to_string()
            }
        }
    }
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
    };
    field_value(&ctx, jurisdiction, field, rubric.meta.horizon.as_ref()).map(|(v, _)| v)
}

/// Criteria that were coded: some jurisdiction has a known value, on any date, for the field the
/// criterion reads (for an expression: for every field it names); a count rule is coded when the
/// dyads file lists one of its instruments.
pub fn coded(rubric: &Rubric, inputs: &Inputs) -> Vec<bool> {
    let mut known = vec![false; rubric.fields.len()];
    for r in &inputs.evidence.rows {
        if r.value.is_some()
            && let Some(k) = known.get_mut(r.field)
        {
            *k = true;
        }
    }
    rubric
        .criteria
        .iter()
        .map(|c| match &c.rule {
            Rule::Count { instruments, .. } => inputs
                .dyads
                .as_ref()
                .is_some_and(|d| d.list.iter().any(|x| instruments.contains(&x.instrument))),
            Rule::Expr(e) => e
                .fields
                .iter()
                .all(|&f| known.get(f).copied().unwrap_or(false)),
            _ => c
                .field
                .is_some_and(|f| known.get(f).copied().unwrap_or(false)),
        })
        .collect()
}

/// Evaluates every criterion for every jurisdiction on `date`.
pub(crate) fn evaluate(
    rubric: &Rubric,
    inputs: &Inputs,
    date: Date,
) -> Result<CriterionValues, InputError> {
    let n = inputs.jurisdictions.len();
    // At tens of thousands of jurisdictions these are large: their memory is first touched on
    // every thread.
    let mut values = Frame::new_in_parallel(n, rubric.criteria.len());
    let mut basis = Vec::with_capacity(n * rubric.criteria.len());
    basis.par_extend(rayon::iter::repeat_n(
        Basis::NoEvidence,
        n * rubric.criteria.len(),
    ));
    let ctx = Ctx {
        rubric,
        inputs,
        date,
    };
    // Jurisdictions are evaluated in blocks of 1,024, in parallel, one jurisdiction after another
    // and for each every criterion: an evidence file read one jurisdiction after another puts a
    // jurisdiction's rows together, so they are read in the order they lie in memory. Each block
    // fills its part of every criterion's column of values and bases and keeps its own problems
    // per criterion, which are then taken criterion by criterion, block by block: the result and
    // the problems are those of evaluating one criterion after another, on any number of threads.
    const BLOCK: usize = 1024;
    let criteria = rubric.criteria.len();
    let mut blocks: Vec<BlockParts<'_>> = (0..n.div_ceil(BLOCK))
        .map(|_| Vec::with_capacity(criteria))
        .collect();
    let column = n.max(1);
    for (values, basis) in values
        .cells_mut()
        .chunks_mut(column)
        .zip(basis.chunks_mut(column))
    {
        for (block, part) in blocks
            .iter_mut()
            .zip(values.chunks_mut(BLOCK).zip(basis.chunks_mut(BLOCK)))
        {
            block.push(part);
        }
    }
    let found: Vec<Vec<Problems>> = blocks
        .into_par_iter()
        .enumerate()
        .map(|(b, mut parts)| {
            let mut problems: Vec<Problems> = parts.iter().map(|_| Problems::new()).collect();
            let len = parts.first().map_or(0, |(values, _)| values.len());
            for i in 0..len {
                let j = b * BLOCK + i;
                for (((values, basis), criterion), problems) in
                    parts.iter_mut().zip(&rubric.criteria).zip(&mut problems)
                {
                    if let (Some(value), Some(basis)) = (values.get_mut(i), basis.get_mut(i)) {
                        (*value, *basis) = evaluate_one(&ctx, criterion, j, problems);
                    }
                }
            }
            problems
        })
        .collect();
    let mut problems = Problems::new();
    let mut by_block: Vec<_> = found.into_iter().map(Vec::into_iter).collect();
    for _ in 0..criteria {
        for block in &mut by_block {
            if let Some(p) = block.next() {
                problems.absorb(p);
            }
        }
    }
    problems.finish(CriterionValues {
        values: Arc::new(values),
        basis,
        date,
    })
}

/// A block of jurisdictions' part of every criterion's column of values and bases.
type BlockParts<'a> = Vec<(&'a mut [Option<f64>], &'a mut [Basis])>;

/// The value of one criterion for jurisdiction `j`, and what it rests on; a problem goes to
/// `problems` and leaves the value unknown.
fn evaluate_one(
    ctx: &Ctx<'_>,
    criterion: &Criterion,
    j: usize,
    problems: &mut Problems,
) -> (Option<f64>, Basis) {
    let rubric = ctx.rubric;
    let (v, b) = match &criterion.rule {
        Rule::Count {
            instruments,
            side,
            bands,
        } => count(ctx, j, instruments, *side, bands),
        Rule::Expr(e) => match expr(ctx, j, e, criterion) {
            Ok(x) => x,
            Err(p) => {
                problems.push(p);
                (None, Basis::NoEvidence)
            }
        },
        rule => {
            let field = criterion.field.unwrap_or(0);
            match field_value(ctx, j, field, criterion.horizon.as_ref()) {
                Ok((value, b)) => (value.and_then(|v| score(rule, v, rubric.meta.scale)), b),
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
    (v, b)
}

struct Ctx<'a> {
    rubric: &'a Rubric,
    inputs: &'a Inputs,
    date: Date,
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
pub(crate) fn band(bands: &[(f64, f64)], x: f64) -> Option<f64> {
    bands.iter().rev().find(|(t, _)| x >= *t).map(|(_, s)| *s)
}

/// The value of a field for a jurisdiction on the evaluation date, after coder resolution, with
/// observations older than `horizon` unknown. For date fields the value is `Bool(in force)`.
fn field_value(
    ctx: &Ctx<'_>,
    j: usize,
    field: usize,
    horizon: Option<&Horizon>,
) -> Result<(Option<Value>, Basis), Problem> {
    let ev = &ctx.inputs.evidence;
    let rows = ev.row_indices(j, field);
    if rows.is_empty() {
        return Ok((None, Basis::NoEvidence));
    }
    let kind = &ctx.rubric.fields[field].kind;
    if !ev.has_coders {
        return resolve_one(ctx, kind, rows, horizon);
    }
    // Group by coder (rows without a coder form their own group).
    let mut by_coder: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for &r in rows {
        let coder = ev.rows[r as usize].coder().unwrap_or_default().to_string();
        by_coder.entry(coder).or_default().push(r);
    }
    if by_coder.len() == 1 {
        return resolve_one(ctx, kind, rows, horizon);
    }
    let mut results: Vec<(String, Option<Value>, Basis)> = Vec::new();
    for (coder, rs) in &by_coder {
        let (v, b) = resolve_one(ctx, kind, rs, horizon)?;
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
        Resolution::Tie => Ok((None, Basis::Disagreement(rows.to_vec()))),
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
pub(crate) fn resolve_coders<'a>(
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

/// Resolves one coder's rows of one field on the evaluation date (the module's time rule).
fn resolve_one(
    ctx: &Ctx<'_>,
    kind: &FieldKind,
    rows: &[u32],
    horizon: Option<&Horizon>,
) -> Result<(Option<Value>, Basis), Problem> {
    let ev = &ctx.inputs.evidence;
    let row = |i: u32| &ev.rows[i as usize];
    // The observation that applies: the latest dated on or before the date, else an undated one.
    let applies = |i: u32| row(i).as_of.is_none_or(|d| d <= ctx.date);
    let stale =
        |i: u32| horizon.is_some_and(|h| row(i).as_of.is_some_and(|d| !h.holds(d, ctx.date)));
    if *kind != FieldKind::Date {
        let best = rows
            .iter()
            .copied()
            .filter(|&i| applies(i))
            .max_by_key(|&i| row(i).as_of);
        return Ok(match best {
            None => (None, Basis::NotYet),
            Some(i) if stale(i) => (None, Basis::Stale(i)),
            Some(i) => match row(i).value {
                None => (None, Basis::Unknown(i)),
                Some(v) => (Some(v), Basis::Row(i)),
            },
        });
    }
    // Date fields: the date of entry into force, and dated yes/no observations of the status.
    let mut exact: Option<(Date, u32)> = None;
    let mut yes_by: Option<(Date, u32)> = None; // in force by this date
    let mut no_at: Option<(Date, u32)> = None; // not in force on this date
    let mut undated: Option<u32> = None;
    for &i in rows {
        let r = row(i);
        match (r.value, r.as_of) {
            (Some(Value::Date(d)), _) => {
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
            }
            (Some(Value::Bool(true)), Some(at)) if yes_by.is_none_or(|(y, _)| at < y) => {
                yes_by = Some((at, i));
            }
            (Some(Value::Bool(false)), Some(at)) if no_at.is_none_or(|(n, _)| at > n) => {
                no_at = Some((at, i));
            }
            (Some(Value::Bool(_)), None) => {
                undated.get_or_insert(i);
            }
            _ => {}
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
    if let Some((d, i)) = exact {
        return Ok((Some(Value::Bool(d <= ctx.date)), Basis::Row(i)));
    }
    // In force by a date on or before this one: an instrument in force stays in force (no
    // denunciation is modelled), so a `yes`, like a date value, never grows stale.
    if let Some((_, i)) = yes_by.filter(|(at, _)| *at <= ctx.date) {
        return Ok((Some(Value::Bool(true)), Basis::Row(i)));
    }
    if let Some((at, i)) = no_at {
        // Not in force on a later date: not in force on this one either.
        if at >= ctx.date {
            return Ok((Some(Value::Bool(false)), Basis::Row(i)));
        }
        // Not in force on an earlier date: carried forward up to the horizon.
        if stale(i) {
            return Ok((None, Basis::Stale(i)));
        }
        return Ok((Some(Value::Bool(false)), Basis::Row(i)));
    }
    if let Some(i) = undated {
        return Ok((row(i).value, Basis::Row(i)));
    }
    Ok(match rows.first() {
        Some(&i) if rows.iter().all(|&r| row(r).value.is_none()) => (None, Basis::Unknown(i)),
        _ => (None, Basis::NotYet),
    })
}

fn contradiction(ev: &crate::evidence::Evidence, a: u32, b: u32, what: &str) -> Problem {
    let (ra, rb) = (&ev.rows[a as usize], &ev.rows[b as usize]);
    Problem::new(format!(
        "contradictory evidence: {what} (`{}`{} at {}, `{}`{} at {})",
        ra.raw,
        ra.as_of.map(|d| format!(" as of {d}")).unwrap_or_default(),
        ra.place(),
        rb.raw,
        rb.as_of.map(|d| format!(" as of {d}")).unwrap_or_default(),
        rb.place()
    ))
    .at(Location::from(&rb.place()))
    .related("the other row", Location::from(&ra.place()))
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
        match d.binding_on(ctx.date) {
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

/// The values of an expression's variables, by their place in [`Expr::variables`] (sorted): the
/// compiled tree names each variable by that place, so a value is read by index, with no name
/// compared, hashed or copied per jurisdiction.
struct Variables {
    values: Vec<Option<evalexpr::Value<evalexpr::DefaultNumericTypes>>>,
}

impl evalexpr::Context for Variables {
    type NumericTypes = evalexpr::DefaultNumericTypes;

    fn get_value(&self, identifier: &str) -> Option<&evalexpr::Value<Self::NumericTypes>> {
        let slot: usize = identifier.parse().ok()?;
        self.values.get(slot)?.as_ref()
    }

    fn call_function(
        &self,
        identifier: &str,
        _argument: &evalexpr::Value<Self::NumericTypes>,
    ) -> evalexpr::error::EvalexprResultValue<Self::NumericTypes> {
        // No functions of its own: only the engine's built-ins, which stay enabled.
        Err(evalexpr::EvalexprError::FunctionIdentifierNotFound(
            identifier.to_string(),
        ))
    }

    fn are_builtin_functions_disabled(&self) -> bool {
        false
    }

    fn set_builtin_functions_disabled(
        &mut self,
        disabled: bool,
    ) -> evalexpr::EvalexprResult<(), Self::NumericTypes> {
        if disabled {
            Err(evalexpr::EvalexprError::BuiltinFunctionsCannotBeDisabled)
        } else {
            Ok(())
        }
    }
}

/// Evaluates an expression rule for jurisdiction `j`, reading the fields its variables were bound
/// to by validation ([`Expr::fields`]).
fn expr(
    ctx: &Ctx<'_>,
    j: usize,
    e: &Expr,
    crit: &crate::rubric::Criterion,
) -> Result<(Option<f64>, Basis), Problem> {
    let criterion = crit.id.as_str();
    use evalexpr::Value as EV;
    let mut context = Variables {
        values: vec![None; e.fields.len()],
    };
    let mut used = Vec::new();
    let mut missing = false;
    for (slot, &f) in context.values.iter_mut().zip(&e.fields) {
        let (v, b) = field_value(ctx, j, f, crit.horizon.as_ref())?;
        match &b {
            Basis::Row(i) | Basis::Unknown(i) | Basis::Stale(i) => used.push(*i),
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
        *slot = Some(value);
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
