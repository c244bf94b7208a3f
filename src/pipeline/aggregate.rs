//! Aggregate: combine children into a node (COINr's `a_*` functions), unknown-aware.
//!
//! Every method drops unknown children and renormalises the weights of the known ones. This is
//! COINr's behaviour for `a_amean`, `a_gmean` and `a_hmean`; COINr's `a_genmean` instead returns
//! unknown as soon as one child is unknown, and accord deliberately does not. Sums are R's: exact
//! until rounded once ([`exact_sum`]), so a mean does not depend on the order of the children.

use std::cmp::Ordering;

use crate::rubric::settings::AggregateMethod;

/// Why a row could not be aggregated.
#[derive(Debug, Clone, PartialEq)]
pub enum AggError {
    /// A geometric mean (or negative-power mean) met a value that is not positive.
    NotPositive {
        /// The child's position.
        child: usize,
        /// Its value.
        value: f64,
    },
    /// A harmonic mean met a zero.
    Zero {
        /// The child's position.
        child: usize,
    },
}

/// The sum of `terms` computed exactly and rounded once, to the nearest double (ties to even).
///
/// R's `sum` accumulates in extended precision before rounding to a double, so on the short rows
/// an index aggregates it gives this double, where a running sum of doubles can land an ulp away.
/// A compensated sum gives the answer in one pass when its error bound proves it; otherwise the
/// terms are summed again exactly ([`Partials`]). Terms that are not finite give the running sum.
pub(crate) fn exact_sum<I>(terms: I) -> f64
where
    I: IntoIterator<Item = f64>,
    I::IntoIter: Clone,
{
    let terms = terms.into_iter();
    let mut sum = Compensated::default();
    terms.clone().for_each(|x| sum.add(x));
    sum.proven().unwrap_or_else(|| partials_sum(terms))
}

/// The exact sum when the one-pass bound could not prove it, as when it lies halfway between
/// two doubles (frequent with equal shares: three times the double nearest 100/3 is exactly
/// halfway between two doubles next to 100). The running sum's errors are summed again with
/// their own errors: when those are all zero, the exact sum is `s + errors`, two doubles, and
/// their floating-point sum is it rounded once, ties to even. Otherwise (and for a zero or a
/// sum that is not finite, whose sign or value the partials decide) the terms are summed again
/// by [`Partials`].
fn partials_sum(terms: impl Iterator<Item = f64> + Clone) -> f64 {
    let (mut s, mut errors, mut exact) = (0.0f64, 0.0f64, true);
    for x in terms.clone() {
        let (sum, e) = two_sum(s, x);
        let (errors_sum, e2) = two_sum(errors, e);
        s = sum;
        errors = errors_sum;
        exact &= e2 == 0.0;
    }
    let r = s + errors;
    if exact && r.is_finite() && r != 0.0 && s.is_finite() && errors.is_finite() {
        return r;
    }
    by_partials_only(terms)
}

/// The exact sum by [`Partials`] alone.
fn by_partials_only(terms: impl Iterator<Item = f64>) -> f64 {
    let mut p = Partials::default();
    terms.for_each(|x| p.add(x));
    p.value()
}

/// A running sum with its rounding errors kept aside: s + (the exact sum of the errors) is the
/// exact sum; `errors` adds them up with rounding.
#[derive(Debug, Clone, Copy, Default)]
struct Compensated {
    s: f64,
    errors: f64,
    abs_errors: f64,
    n: u32,
}

impl Compensated {
    fn add(&mut self, x: f64) {
        let (s, e) = two_sum(self.s, x);
        self.s = s;
        self.errors += e;
        self.abs_errors += e.abs();
        self.n += 1;
    }

    /// The exact sum rounded once, when the error bound proves which double that is.
    fn proven(&self) -> Option<f64> {
        if !(self.s.is_finite() && self.errors.is_finite() && self.abs_errors.is_finite()) {
            return None;
        }
        let (r, t) = two_sum(self.s, self.errors);
        // |exact - r| <= |t| + |sum(e) - errors|, and the second is below (n - 1) u sum|e|
        // (u = 2^-53, here doubled to cover the rounding of the bound itself). Nearer to r than
        // half the gap to either neighbour, the exact sum rounds to r.
        let bound = t.abs() + f64::from(self.n) * f64::EPSILON * self.abs_errors;
        (bound < half_gap(r)).then_some(r)
    }
}

/// Half the distance from a finite `r` to the nearer of its two neighbouring doubles (the gap
/// toward zero is the smaller one when |r| is a power of two); 0 for `r` = 0, as
/// `(r.next_up() - r).min(r - r.next_down()) / 2` gives, without their branches.
fn half_gap(r: f64) -> f64 {
    let bits = r.abs().to_bits();
    let Some(below) = bits.checked_sub(1) else {
        return 0.0;
    };
    let a = f64::from_bits(bits);
    // Above the largest double the gap is infinite, so the one below decides.
    let up = f64::from_bits(bits + 1) - a;
    let down = a - f64::from_bits(below);
    up.min(down) / 2.0
}

/// a + b = s + e exactly (Knuth's TwoSum), when nothing overflows.
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// An exact sum kept as non-overlapping partial sums (Shewchuk's algorithm, as in Python's
/// `math.fsum`).
#[derive(Debug, Clone)]
struct Partials {
    /// Smallest magnitude first: the first `len` of `inline`, or all of `spill` once they no
    /// longer fit.
    inline: [f64; INLINE_PARTIALS],
    len: usize,
    spill: Vec<f64>,
    /// The running sum, the result when a term or a partial is not finite.
    running: f64,
    finite: bool,
}

/// Partials kept without allocating: a row of n terms never needs more than n.
const INLINE_PARTIALS: usize = 16;

impl Default for Partials {
    fn default() -> Partials {
        Partials {
            inline: [0.0; INLINE_PARTIALS],
            len: 0,
            spill: Vec::new(),
            running: 0.0,
            finite: true,
        }
    }
}

impl Partials {
    fn partials(&self) -> &[f64] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }

    /// Adds one term.
    fn add(&mut self, term: f64) {
        self.running += term;
        if !self.finite || !term.is_finite() {
            self.finite = false;
            return;
        }
        let parts: &mut [f64] = if self.spill.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spill
        };
        let (mut x, mut kept) = (term, 0);
        for k in 0..parts.len() {
            let mut y = parts[k];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                parts[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        if !x.is_finite() {
            self.finite = false;
            return;
        }
        if !self.spill.is_empty() {
            self.spill.truncate(kept);
            self.spill.push(x);
        } else if kept < INLINE_PARTIALS {
            self.inline[kept] = x;
            self.len = kept + 1;
        } else {
            self.spill.extend_from_slice(&self.inline[..kept]);
            self.spill.push(x);
        }
    }

    /// The exact sum of the terms added, rounded to the nearest double (ties to even).
    fn value(&self) -> f64 {
        if !self.finite {
            return self.running;
        }
        let p = self.partials();
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even by hand when the part below `lo` pushes a halfway case over.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

/// The weighted arithmetic mean of the known values in COINr's order of operations (`a_amean`:
/// `w <- w / sum(w); sum(w * x)`, R's sums), except that children which are all equal give
/// exactly their common value.
pub fn amean(x: &[Option<f64>], w: &[f64]) -> Option<f64> {
    // One pass for the weights and the all-equal check, one for the terms: this runs once per
    // node and jurisdiction, thousands of times in a sensitivity analysis.
    let known = || x.iter().zip(w).filter_map(|(v, w)| v.map(|v| (v, *w)));
    let (mut first, mut all_equal, mut total) = (None, true, Compensated::default());
    for (v, wi) in known() {
        match first {
            None => first = Some(v),
            Some(f) => all_equal &= f == v,
        }
        total.add(wi);
    }
    let f = first?;
    let total = total
        .proven()
        .unwrap_or_else(|| partials_sum(known().map(|(_, w)| w)));
    if total <= 0.0 {
        return None;
    }
    if all_equal {
        return Some(f);
    }
    let terms = || known().map(|(v, wi)| wi / total * v);
    let mut sum = Compensated::default();
    terms().for_each(|t| sum.add(t));
    Some(sum.proven().unwrap_or_else(|| partials_sum(terms())))
}

/// What every row with all children known shares, computed once per node instead of once per
/// row: the exact total of the weights (as [`amean`] and [`aggregate`] compute it over the known
/// children, here all of them) and each child's share `w_i / total`.
#[derive(Debug, Clone)]
pub(crate) struct FullRow {
    total: f64,
    shares: Vec<f64>,
}

impl FullRow {
    /// The exact total of the weights.
    pub(crate) fn total(&self) -> f64 {
        self.total
    }

    /// The total and shares of these weights.
    pub(crate) fn new(w: &[f64]) -> FullRow {
        let total = exact_sum(w.iter().copied());
        FullRow {
            total,
            shares: w.iter().map(|wi| wi / total).collect(),
        }
    }
}

/// [`amean`] of a row whose children are all known, on the node's precomputed [`FullRow`]: the
/// same operations on the same operands (`w_i / total` is the share, then `share * x_i`), so the
/// same double.
fn amean_full(x: &[Option<f64>], full: &FullRow) -> Option<f64> {
    let mut values = x.iter().map(|v| v.unwrap_or(0.0));
    let f = values.next()?;
    if full.total <= 0.0 {
        return None;
    }
    if values.all(|v| v == f) {
        return Some(f);
    }
    let terms = || {
        full.shares
            .iter()
            .zip(x)
            .map(|(share, v)| share * v.unwrap_or(0.0))
    };
    let mut sum = Compensated::default();
    terms().for_each(|t| sum.add(t));
    Some(sum.proven().unwrap_or_else(|| partials_sum(terms())))
}

/// [`amean_full`] of every row marked in `rows` (rows whose children, as `read` gives them, are
/// all known), written to `out`. Child by child over contiguous columns, each row's compensated
/// sum taking its terms in the children's order, as [`amean_full`] does row by row: the same
/// operations on the same operands, so the same doubles.
pub(crate) fn amean_full_columns(
    children: &[&[Option<f64>]],
    read: impl Fn(Option<f64>) -> Option<f64>,
    full: &FullRow,
    rows: &[bool],
    out: &mut [Option<f64>],
) {
    let Some(first) = children.first() else {
        // No child: no value (amean_full's empty row).
        return;
    };
    if full.total <= 0.0 {
        for (o, _) in out.iter_mut().zip(rows).filter(|(_, r)| **r) {
            *o = None;
        }
        return;
    }
    let value = |v: Option<f64>| read(v).unwrap_or(0.0);
    let m = out.len();
    // Every row is summed, marked or not, so that the loops below have no branch and work on
    // plain doubles; an unmarked row's sum is never read.
    // One allocation for the five columns of doubles.
    let mut scratch = vec![0.0; 5 * m];
    let (firsts, rest) = scratch.split_at_mut(m);
    let (values, rest) = rest.split_at_mut(m);
    let mut sums = ColumnSums::new(rest);
    let mut equal = vec![true; m];
    for (f, v) in firsts.iter_mut().zip(first.iter()) {
        *f = value(*v);
    }
    let (firsts, values) = (&*firsts, values);
    for (col, &share) in children.iter().zip(&full.shares) {
        for (x, v) in values.iter_mut().zip(col.iter()) {
            *x = value(*v);
        }
        for ((e, x), f) in equal.iter_mut().zip(values.iter()).zip(firsts) {
            *e &= x == f;
        }
        sums.add_scaled(share, values);
    }
    let n = u32::try_from(children.len()).unwrap_or(u32::MAX);
    for i in (0..m).filter(|&i| rows[i]) {
        // Rows whose children are all equal give that value; the others need the sum.
        out[i] = Some(if equal[i] {
            firsts[i]
        } else {
            sums.proven(i, n).unwrap_or_else(|| {
                partials_sum(
                    full.shares
                        .iter()
                        .zip(children)
                        .map(|(share, col)| share * value(col[i])),
                )
            })
        });
    }
}

/// The [`Compensated`] sums of many rows, one vector per field, so that adding a column of terms
/// to every row is one loop without branches over plain doubles.
struct ColumnSums<'a> {
    s: &'a mut [f64],
    errors: &'a mut [f64],
    abs_errors: &'a mut [f64],
}

impl<'a> ColumnSums<'a> {
    /// The sums of `zeros.len() / 3` rows, kept in `zeros` (all 0).
    fn new(zeros: &'a mut [f64]) -> ColumnSums<'a> {
        let m = zeros.len() / 3;
        let (s, rest) = zeros.split_at_mut(m);
        let (errors, rest) = rest.split_at_mut(m);
        ColumnSums {
            s,
            errors,
            abs_errors: &mut rest[..m],
        }
    }

    /// Adds `factor * x[i]` to row i's sum, as [`Compensated::add`] does.
    fn add_scaled(&mut self, factor: f64, x: &[f64]) {
        let rows = self
            .s
            .iter_mut()
            .zip(self.errors.iter_mut())
            .zip(self.abs_errors.iter_mut())
            .zip(x);
        for (((s, errors), abs_errors), x) in rows {
            let (sum, e) = two_sum(*s, factor * x);
            *s = sum;
            *errors += e;
            *abs_errors += e.abs();
        }
    }

    /// Row i's [`Compensated::proven`], after `n` terms.
    fn proven(&self, i: usize, n: u32) -> Option<f64> {
        Compensated {
            s: self.s[i],
            errors: self.errors[i],
            abs_errors: self.abs_errors[i],
            n,
        }
        .proven()
    }
}

/// The geometric mean ([`aggregate_row`] with every child known, `full`'s total and the
/// children's logarithms) of every row marked in `rows` (each child known and positive there),
/// written to `out`. `logs` holds each child's column of logarithms. Child by child over
/// contiguous columns, each row's compensated sum taking its terms `w_i ln x_i` in the
/// children's order, as the row's exact sum does, so the same double.
pub(crate) fn gmean_full_columns(
    logs: &[&[Option<f64>]],
    weights: &[f64],
    full: &FullRow,
    rows: &[bool],
    out: &mut [Option<f64>],
) {
    let ln = |col: &[Option<f64>], i: usize| col[i].unwrap_or(f64::NAN);
    // Every row is summed, marked or not (an unmarked row's sum is never read).
    let m = out.len();
    let mut scratch = vec![0.0; 4 * m];
    let (values, rest) = scratch.split_at_mut(m);
    let mut sums = ColumnSums::new(rest);
    for (col, &w) in logs.iter().zip(weights) {
        for (x, v) in values.iter_mut().zip(col.iter()) {
            *x = v.unwrap_or(f64::NAN);
        }
        sums.add_scaled(w, values);
    }
    let n = u32::try_from(logs.len()).unwrap_or(u32::MAX);
    for i in (0..m).filter(|&i| rows[i]) {
        let s = sums.proven(i, n).unwrap_or_else(|| {
            partials_sum(logs.iter().zip(weights).map(|(col, w)| w * ln(col, i)))
        });
        out[i] = Some((s / full.total).exp());
    }
}

/// [`aggregate`] of one row, given the node's [`FullRow`] for rows whose children are all known
/// (`full`, when they are), which spares recomputing the weights' total for every row, and for
/// such a row of a geometric mean the logarithm of each child's value (`logs`, `x_i.ln()` each),
/// which spares computing them again for every row of every run on the same values.
pub(crate) fn aggregate_row(
    method: AggregateMethod,
    x: &[Option<f64>],
    w: &[f64],
    p: Option<f64>,
    full: Option<&FullRow>,
    logs: Option<&[f64]>,
) -> Result<Option<f64>, AggError> {
    match full {
        Some(full) if method == AggregateMethod::AMean => Ok(amean_full(x, full)),
        Some(full) if method != AggregateMethod::Median => {
            aggregate_known(method, x, w, p, full.total, logs)
        }
        _ => aggregate(method, x, w, p),
    }
}

/// Each known child's additive part of the arithmetic mean: (w_i / sum(known w)) x_i, as
/// [`amean`] forms it, adjusted by rounding so that adding the parts in order gives `amean`
/// exactly: the last part takes up the difference, and when no double can (the sum before it
/// sits exactly halfway between two doubles next to the mean), the parts before it move by an ulp.
pub fn amean_terms(x: &[Option<f64>], w: &[f64]) -> Vec<Option<f64>> {
    let Some(total_score) = amean(x, w) else {
        return vec![None; x.len()];
    };
    let den = exact_sum(
        x.iter()
            .zip(w)
            .filter(|(v, _)| v.is_some())
            .map(|(_, w)| *w),
    );
    let mut terms: Vec<Option<f64>> = x
        .iter()
        .zip(w)
        .map(|(v, wi)| v.map(|v| wi / den * v))
        .collect();
    let known: Vec<usize> = (0..terms.len()).filter(|&i| terms[i].is_some()).collect();
    if !close_sum(&mut terms, &known, total_score, 3)
        && let Some(&last) = known.last()
    {
        terms[last] = Some(total_score - in_order_sum(&terms, &known[..known.len() - 1]));
    }
    terms
}

/// The known terms added in order, as a reader adds them.
fn in_order_sum(terms: &[Option<f64>], known: &[usize]) -> f64 {
    known.iter().filter_map(|&i| terms[i]).sum()
}

/// Sets the last known term so that the terms add up in order to `target`; if no double does,
/// first moves the sum of the earlier terms by an ulp or two (recursively, `depth` levels down).
fn close_sum(terms: &mut [Option<f64>], known: &[usize], target: f64, depth: u32) -> bool {
    let Some((&last, rest)) = known.split_last() else {
        return false;
    };
    let before = in_order_sum(terms, rest);
    if let Some(t) = closing_term(before, target) {
        terms[last] = Some(t);
        return true;
    }
    if depth == 0 || rest.is_empty() {
        return false;
    }
    let saved = terms.to_vec();
    for step in [1, -1, 2, -2] {
        if close_sum(terms, rest, nudge(before, step), depth - 1)
            && let Some(t) = closing_term(in_order_sum(terms, rest), target)
        {
            terms[last] = Some(t);
            return true;
        }
        terms.copy_from_slice(&saved);
    }
    false
}

/// A term `t` with `before + t == target` in floating point, if one lies within a few ulps of
/// `target - before`.
fn closing_term(before: f64, target: f64) -> Option<f64> {
    let t = target - before;
    [0, 1, -1, 2, -2, 3, -3, 4, -4]
        .into_iter()
        .map(|step| nudge(t, step))
        .find(|&t| before + t == target)
}

/// `v` moved by `steps` ulps.
fn nudge(v: f64, steps: i32) -> f64 {
    (0..steps.unsigned_abs()).fold(v, |v, _| {
        if steps > 0 {
            v.next_up()
        } else {
            v.next_down()
        }
    })
}

/// Aggregates one row of children values with weights.
pub fn aggregate(
    method: AggregateMethod,
    x: &[Option<f64>],
    w: &[f64],
    p: Option<f64>,
) -> Result<Option<f64>, AggError> {
    // No allocation on the common paths: this runs once per node and jurisdiction, thousands of
    // times in a sensitivity analysis.
    if method == AggregateMethod::AMean {
        return Ok(amean(x, w));
    }
    let total = exact_sum(x.iter().zip(w).filter_map(|(v, w)| v.map(|_| *w)));
    aggregate_known(method, x, w, p, total, None)
}

/// [`aggregate`] with the exact total of the known children's weights already computed, and
/// perhaps every child's logarithm (`logs`: `x_i.ln()` for every child, all known).
fn aggregate_known(
    method: AggregateMethod,
    x: &[Option<f64>],
    w: &[f64],
    p: Option<f64>,
    total: f64,
    logs: Option<&[f64]>,
) -> Result<Option<f64>, AggError> {
    let known = || {
        x.iter()
            .zip(w)
            .enumerate()
            .filter_map(|(i, (v, w))| v.map(|v| (i, v, *w)))
    };
    if known().next().is_none() || total <= 0.0 {
        return Ok(None);
    }
    Ok(Some(match method {
        AggregateMethod::AMean => return Ok(amean(x, w)),
        AggregateMethod::GMean => {
            if let Some((i, v, _)) = known().find(|k| k.1 <= 0.0) {
                return Err(AggError::NotPositive { child: i, value: v });
            }
            let ln = |i: usize, v: f64| {
                logs.and_then(|l| l.get(i).copied())
                    .unwrap_or_else(|| v.ln())
            };
            (exact_sum(known().map(|(i, v, wi)| wi * ln(i, v))) / total).exp()
        }
        AggregateMethod::HMean => {
            if let Some((i, _, _)) = known().find(|k| k.1 == 0.0) {
                return Err(AggError::Zero { child: i });
            }
            total / exact_sum(known().map(|(_, v, wi)| wi / v))
        }
        AggregateMethod::GenMean => {
            let p = p.unwrap_or(1.0);
            if let Some((i, v, _)) = known().find(|k| k.1 <= 0.0 && p < 0.0) {
                return Err(AggError::NotPositive { child: i, value: v });
            }
            (exact_sum(known().map(|(_, v, wi)| wi * v.powf(p))) / total).powf(1.0 / p)
        }
        AggregateMethod::Median => weighted_median(&known().collect::<Vec<_>>(), total),
        AggregateMethod::Copeland => return Ok(None),
    }))
}

/// The weighted median: the smallest value whose cumulative share of weight reaches one half;
/// when a value's cumulative share is exactly one half, the mean of it and the next value (so
/// equal weights give the ordinary median).
fn weighted_median(known: &[(usize, f64, f64)], total: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = known.iter().map(|k| (k.1, k.2 / total)).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cum = 0.0;
    for k in 0..v.len() {
        cum += v[k].1;
        if (cum - 0.5).abs() <= 1e-12 && k + 1 < v.len() {
            return (v[k].0 + v[k + 1].0) / 2.0;
        }
        if cum > 0.5 {
            return v[k].0;
        }
    }
    v[v.len() - 1].0
}

/// Weighted outranking matrix of the rows of `x` (rows = units, columns = children), COINr's
/// `outrankMatrix`: with the weights normalised to sum to 1, O[i][j] (i < j) = the sum of the
/// weights where i beats j plus half the sum where they tie; unknown comparisons are skipped;
/// O[j][i] = 1 - O[i][j]; the diagonal is 0. A draw ([`Outranking::outcome`]) is exactly 0.5.
pub fn outrank_matrix(x: &[Vec<Option<f64>>], w: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let outranking = Outranking::new(w);
    let total = exact_sum(w.iter().copied());
    let shares: Vec<f64> = w.iter().map(|wk| wk / total).collect();
    let mut o = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let s = if outranking.outcome(&x[i], &x[j]) == Ordering::Equal {
                0.5
            } else {
                let sides = x[i].iter().zip(&x[j]).map(|(a, b)| side(*a, *b));
                let sum_where = |want: Side| {
                    exact_sum(
                        sides
                            .clone()
                            .zip(&shares)
                            .filter(move |(s, _)| *s == want)
                            .map(|(_, share)| *share),
                    )
                };
                sum_where(Side::Ahead) + sum_where(Side::Level) / 2.0
            };
            o[i][j] = s;
            o[j][i] = 1.0 - s;
        }
    }
    o
}

/// Copeland scores (COINr's `a_copeland`): for each unit, the pairs it wins minus the pairs it
/// loses in the outranking matrix, each pair decided exactly ([`Outranking::outcome`]).
pub fn copeland(x: &[Vec<Option<f64>>], w: &[f64]) -> Vec<f64> {
    let n = x.len();
    let outranking = Outranking::new(w);
    let mut scores = vec![0.0; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let d = match outranking.outcome(&x[i], &x[j]) {
                Ordering::Greater => 1.0,
                Ordering::Less => -1.0,
                Ordering::Equal => continue,
            };
            scores[i] += d;
            scores[j] -= d;
        }
    }
    scores
}

/// One unit's value against another's on one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ahead,
    Level,
    /// Lower, or either value unknown.
    Behind,
}

fn side(a: Option<f64>, b: Option<f64>) -> Side {
    match (a, b) {
        (Some(a), Some(b)) if a > b => Side::Ahead,
        (Some(a), Some(b)) if a == b => Side::Level,
        _ => Side::Behind,
    }
}

/// The weights that decide who outranks whom, kept so that a draw is found exactly.
///
/// COINr compares O[i][j], a sum of normalised weights, with 0.5, and its rounding can turn a
/// draw into a win for one side and a loss or a draw for the other. Whether O[i][j] is above,
/// at or below 0.5 is the sign of (weight where i is ahead) - (weight where i is behind or a value
/// is unknown), and accord computes that sign without rounding: in decimal, from the shortest
/// decimal of each weight (the number written in the rubric, so 0.7 + 0.2 draws with 0.9 as the
/// author meant), or, for weights too far apart in scale for 128-bit integers, exactly in binary.
#[derive(Debug, Clone)]
pub(crate) struct Outranking {
    weights: Weights,
}

#[derive(Debug, Clone)]
enum Weights {
    /// Each weight times one common power of ten.
    Decimal(Vec<i128>),
    Binary(Vec<f64>),
}

impl Outranking {
    /// The outranking rule for these child weights.
    pub(crate) fn new(w: &[f64]) -> Outranking {
        Outranking {
            weights: decimal_weights(w)
                .map_or_else(|| Weights::Binary(w.to_vec()), Weights::Decimal),
        }
    }

    /// How the earlier row `a` fares against the later row `b`: `Greater` when O[a][b] > 0.5,
    /// `Equal` for a draw, `Less` when O[a][b] < 0.5. An unknown value counts against `a`, as in
    /// COINr, where O[b][a] is 1 - O[a][b].
    pub(crate) fn outcome(&self, a: &[Option<f64>], b: &[Option<f64>]) -> Ordering {
        let sides = a.iter().zip(b).map(|(a, b)| side(*a, *b));
        match &self.weights {
            Weights::Decimal(w) => {
                let mut d: i128 = 0;
                for (s, wk) in sides.zip(w) {
                    match s {
                        Side::Ahead => d += wk,
                        Side::Level => {}
                        Side::Behind => d -= wk,
                    }
                }
                d.cmp(&0)
            }
            Weights::Binary(w) => exact_sum(sides.zip(w).map(|(s, wk)| match s {
                Side::Ahead => *wk,
                Side::Level => 0.0,
                Side::Behind => -wk,
            }))
            .total_cmp(&0.0),
        }
    }
}

/// The weights as integers over one power of ten, from their shortest decimals; `None` when a
/// weight, or their sum, does not fit in 128 bits.
fn decimal_weights(w: &[f64]) -> Option<Vec<i128>> {
    let decimals: Vec<(i128, i32)> = w
        .iter()
        .map(|&v| shortest_decimal(v))
        .collect::<Option<_>>()?;
    let scale = decimals
        .iter()
        .filter(|d| d.0 != 0)
        .map(|d| d.1)
        .min()
        .unwrap_or(0);
    let scaled: Vec<i128> = decimals
        .iter()
        .map(|&(m, e)| match m {
            0 => Some(0),
            _ => 10i128
                .checked_pow(u32::try_from(e - scale).ok()?)?
                .checked_mul(m),
        })
        .collect::<Option<_>>()?;
    scaled
        .iter()
        .try_fold(0i128, |s, v| s.checked_add(v.checked_abs()?))?;
    Some(scaled)
}

/// `v` as m x 10^e, m and e from the shortest decimal that reads back as `v`.
fn shortest_decimal(v: f64) -> Option<(i128, i32)> {
    if !v.is_finite() {
        return None;
    }
    let text = format!("{v:e}");
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let m: i128 = format!("{whole}{fraction}").parse().ok()?;
    Some((m, exponent - i32::try_from(fraction.len()).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sums_round_once() {
        // The double nearest 0.1 is 0.1000000000000000055511151231257827...; ten of them add up to
        // 1.00000000000000005551..., whose nearest double is 1. A running sum ends an ulp below.
        assert_eq!(exact_sum([0.1; 10]), 1.0);
        assert_ne!([0.1; 10].iter().sum::<f64>(), 1.0);
        // Cancellation keeps what a running sum loses.
        assert_eq!(exact_sum([1e100, 1.0, -1e100]), 1.0);
        let half_ulp = 2f64.powi(-53);
        // 1 + 2^-53 is halfway between 1 and 1 + 2^-52: ties go to even, 1.
        assert_eq!(exact_sum([1.0, half_ulp]), 1.0);
        // Anything above halfway goes up, including two halves that a running sum drops one by one.
        assert_eq!(exact_sum([1.0, half_ulp, 2f64.powi(-80)]), 1.0f64.next_up());
        assert_eq!(exact_sum([1.0, half_ulp, half_ulp]), 1.0f64.next_up());
        assert_eq!(exact_sum([]), 0.0);
    }

    #[test]
    fn exact_sums_keep_more_partials_than_fit_inline() {
        // 2^0, 2^-60, ..., 2^-1020 share no bits: 18 partials. Taking away all but the last leaves
        // exactly 2^-1020.
        let terms: Vec<f64> = (0..=17).map(|k| 2f64.powi(-60 * k)).collect();
        let all = terms.iter().copied().chain(terms[..17].iter().map(|t| -t));
        assert_eq!(exact_sum(all.clone()), 2f64.powi(-1020));
        let mut p = Partials::default();
        all.for_each(|t| p.add(t));
        assert!(!p.spill.is_empty());
        assert_eq!(p.value(), 2f64.powi(-1020));
    }

    #[test]
    fn weights_read_as_their_shortest_decimals() {
        assert_eq!(shortest_decimal(0.7), Some((7, -1)));
        assert_eq!(shortest_decimal(1.5), Some((15, -1)));
        assert_eq!(shortest_decimal(100.0), Some((1, 2)));
        assert_eq!(shortest_decimal(0.0), Some((0, 0)));
        assert_eq!(shortest_decimal(f64::INFINITY), None);
        assert_eq!(decimal_weights(&[0.7, 0.2, 0.9]), Some(vec![7, 2, 9]));
        assert_eq!(decimal_weights(&[1.0, 0.0, 2.5]), Some(vec![10, 0, 25]));
        assert_eq!(decimal_weights(&[1e-300, 1.0]), None, "10^300 does not fit");
    }

    fn row(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| Some(*x)).collect()
    }

    #[test]
    fn draws_are_found_in_decimal() {
        // A is ahead on the children weighing 0.7 and 0.2, B on the one weighing 0.9: a draw as
        // written, though the doubles nearest 0.7 and 0.2 add up to less than the one nearest 0.9.
        assert_eq!(exact_sum([0.7, 0.2, -0.9]).total_cmp(&0.0), Ordering::Less);
        let o = Outranking::new(&[0.7, 0.2, 0.9]);
        let (a, b) = (row(&[2.0, 2.0, 1.0]), row(&[1.0, 1.0, 2.0]));
        assert_eq!(o.outcome(&a, &b), Ordering::Equal);
        assert_eq!(o.outcome(&b, &a), Ordering::Equal);
        // An unknown value counts against the earlier row, as in COINr (O[b][a] = 1 - O[a][b]):
        // C ahead 0.7, behind 0.9, unknown 0.2 loses; B first is ahead 0.9, behind 0.7 + 0.2.
        let c = vec![Some(2.0), None, Some(1.0)];
        assert_eq!(o.outcome(&c, &b), Ordering::Less);
        assert_eq!(o.outcome(&b, &c), Ordering::Equal);
    }

    #[test]
    fn draws_are_found_in_binary_when_weights_differ_too_much_in_scale() {
        let o = Outranking::new(&[1e-300, 1e-300, 1.0, 1.0]);
        assert!(matches!(o.weights, Weights::Binary(_)));
        let (a, b) = (row(&[2.0, 1.0, 2.0, 1.0]), row(&[1.0, 2.0, 1.0, 2.0]));
        assert_eq!(o.outcome(&a, &b), Ordering::Equal);
        // 1e-300 decides when everything else is level.
        let (c, d) = (row(&[2.0, 1.0, 1.0, 1.0]), row(&[1.0, 1.0, 1.0, 1.0]));
        assert_eq!(o.outcome(&c, &d), Ordering::Greater);
        assert_eq!(o.outcome(&d, &c), Ordering::Less);
    }

    /// The exact sum by the partials alone.
    fn by_partials(terms: &[f64]) -> f64 {
        let mut p = Partials::default();
        terms.iter().for_each(|t| p.add(*t));
        p.value()
    }

    #[test]
    fn the_one_pass_sum_is_taken_only_when_it_is_the_exact_one() {
        // Rows of mixed magnitudes and signs, halfway cases and cancellations, from a fixed
        // generator: the one-pass answer, when taken, must be the partials' answer.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..20_000 {
            let n = 1 + (next() % 12) as usize;
            let terms: Vec<f64> = (0..n)
                .map(|_| {
                    let r = next();
                    let mantissa = (r >> 11) as f64 / (1u64 << 53) as f64;
                    let exponent = (r % 40) as i32 - 20;
                    let sign = if r & 1 == 0 { 1.0 } else { -1.0 };
                    match case % 4 {
                        0 => mantissa * 100.0,
                        1 => sign * mantissa * 2f64.powi(exponent),
                        2 => sign * 2f64.powi(exponent),
                        _ => (mantissa * 100.0).round() / 3.0,
                    }
                })
                .collect();
            let mut halfway = terms.clone();
            halfway.extend([1.0, 2f64.powi(-53), -1.0]);
            for t in [terms, halfway] {
                assert_eq!(
                    exact_sum(t.iter().copied()).to_bits(),
                    by_partials(&t).to_bits(),
                    "{t:?}"
                );
            }
        }
    }

    /// A column of values that make exact sums hard: huge cancellations, subnormals, mixed
    /// signs, halfway cases, equal rows.
    fn adversarial(next: &mut impl FnMut() -> u64, kind: u64) -> f64 {
        let r = next();
        let mantissa = (r >> 11) as f64 / (1u64 << 53) as f64;
        let sign = if r & 1 == 0 { 1.0 } else { -1.0 };
        match kind % 6 {
            0 => mantissa * 100.0,
            1 => sign * mantissa * 2f64.powi((r % 200) as i32 - 100),
            2 => sign * 1e300 * mantissa,
            3 => sign * f64::MIN_POSITIVE * mantissa * 4.0,
            4 => sign * 2f64.powi((r % 120) as i32 - 60),
            _ => 42.0,
        }
    }

    #[test]
    fn column_sums_give_each_rows_exact_sum() {
        // The column kernel against the row-by-row mean and the partials' exact sum, on rows of
        // 1 to 40 children, some all equal, with shares of every scale.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..400u64 {
            let n = 1 + (next() % 40) as usize;
            let m = 1 + (next() % 9) as usize;
            let w: Vec<f64> = (0..n)
                .map(|_| match case % 3 {
                    0 => 1.0,
                    1 => 0.01 + (next() % 1000) as f64 / 100.0,
                    _ => 2f64.powi((next() % 80) as i32 - 40),
                })
                .collect();
            let full = FullRow::new(&w);
            let cols: Vec<Vec<Option<f64>>> = (0..n)
                .map(|_| {
                    (0..m)
                        .map(|row| Some(adversarial(&mut next, case + row as u64)))
                        .collect()
                })
                .collect();
            let children: Vec<&[Option<f64>]> = cols.iter().map(Vec::as_slice).collect();
            let rows = vec![true; m];
            let mut out = vec![None; m];
            amean_full_columns(&children, |v| v, &full, &rows, &mut out);
            for (i, o) in out.iter().enumerate() {
                let x: Vec<Option<f64>> = cols.iter().map(|c| c[i]).collect();
                assert_eq!(o.map(f64::to_bits), amean_full(&x, &full).map(f64::to_bits));
                let terms: Vec<f64> = full
                    .shares
                    .iter()
                    .zip(&x)
                    .map(|(s, v)| s * v.unwrap_or(0.0))
                    .collect();
                if x.iter().any(|v| *v != x[0]) {
                    assert_eq!(o.map(f64::to_bits), Some(by_partials(&terms).to_bits()));
                }
            }
        }
    }

    #[test]
    fn column_sums_leave_unmarked_rows_and_read_unknowns_as_told() {
        let cols = [
            vec![Some(1.0), None, Some(0.1)],
            vec![Some(3.0), Some(5.0), Some(0.2)],
        ];
        let children: Vec<&[Option<f64>]> = cols.iter().map(Vec::as_slice).collect();
        let full = FullRow::new(&[1.0, 1.0]);
        let mut out = vec![Some(-1.0); 3];
        amean_full_columns(&children, |v| v, &full, &[true, false, true], &mut out);
        // (0.1 + 0.2) / 2 rounded once: 0.15000000000000002, where 0.1/2 + 0.2/2 is the same.
        assert_eq!(
            out,
            vec![Some(2.0), Some(-1.0), Some(0.5 * 0.1 + 0.5 * 0.2)]
        );
        // An unknown read as 0 (the NA-child policy `zero` with a scale from 0).
        amean_full_columns(&children, |v| v.or(Some(0.0)), &full, &[true; 3], &mut out);
        assert_eq!(out[1], Some(2.5));
        // Logarithms: exp((1 ln 2 + 1 ln 8) / 2) = 4, exact sums of the weighted logarithms.
        let logs = [vec![Some(2f64.ln())], vec![Some(8f64.ln())]];
        let tables: Vec<&[Option<f64>]> = logs.iter().map(Vec::as_slice).collect();
        let mut g = vec![None];
        gmean_full_columns(&tables, &[1.0, 1.0], &full, &[true], &mut g);
        let expect = (by_partials(&[2f64.ln(), 8f64.ln()]) / 2.0).exp();
        assert_eq!(g, vec![Some(expect)]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 256,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x00ac_c0d5_eed0),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]

        #[test]
        fn the_column_kernel_equals_the_exact_path(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        -1e6f64..1e6,
                        proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO,
                        proptest::strategy::Just(1e16),
                        proptest::strategy::Just(-1e16),
                    ],
                    6,
                ),
                1..8,
            ),
            w in proptest::collection::vec(0.001f64..1000.0, 6),
        ) {
            let full = FullRow::new(&w);
            let cols: Vec<Vec<Option<f64>>> =
                (0..6).map(|k| rows.iter().map(|r| Some(r[k] / 1e10)).collect()).collect();
            let children: Vec<&[Option<f64>]> = cols.iter().map(Vec::as_slice).collect();
            let mut out = vec![None; rows.len()];
            amean_full_columns(&children, |v| v, &full, &vec![true; rows.len()], &mut out);
            for (i, o) in out.iter().enumerate() {
                let x: Vec<Option<f64>> = cols.iter().map(|c| c[i]).collect();
                let terms: Vec<f64> =
                    full.shares.iter().zip(&x).map(|(s, v)| s * v.unwrap_or(0.0)).collect();
                let exact = if x.iter().all(|v| *v == x[0]) { x[0] } else { Some(by_partials(&terms)) };
                proptest::prop_assert_eq!(o.map(f64::to_bits), exact.map(f64::to_bits));
            }
        }
    }

    #[test]
    fn the_second_pass_settles_halfway_sums_and_agrees_with_the_partials() {
        // Three times the double nearest 100/3 is exactly halfway between 100 and the double
        // above it: the one-pass bound cannot decide, the errors' own sum is exact, and the tie
        // goes to the even one, 100.
        let third = 100.0 / 3.0;
        assert!(Compensated::default().proven().is_none());
        let mut c = Compensated::default();
        [third; 3].iter().for_each(|t| c.add(*t));
        assert_eq!(c.proven(), None);
        assert_eq!(partials_sum([third; 3].into_iter()), 100.0);
        assert_eq!(by_partials(&[third; 3]), 100.0);
        // Signed zeros and cancellations are left to the partials.
        assert_eq!(
            partials_sum([-0.0, -0.0].into_iter()).to_bits(),
            (-0.0f64).to_bits()
        );
        let overflowing = [1e308, 1e308, -1e308];
        assert_eq!(
            partials_sum(overflowing.into_iter()).to_bits(),
            by_partials(&overflowing).to_bits()
        );
        let mut state = 0x0123_4567_89ab_cdefu64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..20_000u64 {
            let n = 1 + (next() % 30) as usize;
            let terms: Vec<f64> = (0..n).map(|_| adversarial(&mut next, case)).collect();
            // Equal shares of values with few bits: the sums that land halfway.
            let shares: Vec<f64> = (0..n)
                .map(|_| (next() % 101) as f64 * (1.0 / n as f64))
                .collect();
            for t in [terms, shares] {
                assert_eq!(
                    partials_sum(t.iter().copied()).to_bits(),
                    by_partials(&t).to_bits(),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn a_term_that_is_not_finite_gives_the_running_sum() {
        assert_eq!(exact_sum([1.0, f64::INFINITY]), f64::INFINITY);
        assert_eq!(exact_sum([f64::MAX, f64::MAX]), f64::INFINITY);
    }
}
