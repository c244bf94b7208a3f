//! Scoring rules as written in a rubric, and their validation.
//!
//! A rule turns a jurisdiction's evidence into a criterion value. Every rule except `numeric`
//! gives a value on the rubric's scale directly; `numeric` passes the raw number on to the
//! pipeline (denominate, treat, normalise), which is how COINr-style indices are scored.

use crate::error::{Problem, Problems};
use crate::rubric::FieldKind;
use crate::rubric::tree::{Kind, Reader, Table, Tv};

/// A scoring rule.
#[derive(Debug, Clone)]
pub enum Rule {
    /// yes -> `yes`, no -> `no` (default: the scale's ends).
    Boolean {
        /// Score of yes.
        yes: f64,
        /// Score of no.
        no: f64,
    },
    /// An ordinal label -> its score.
    Levels {
        /// Labels in order, with scores.
        levels: Vec<(String, f64)>,
    },
    /// A number >= threshold -> score; the highest threshold reached wins.
    Bands {
        /// (threshold, score), thresholds strictly increasing.
        bands: Vec<(f64, f64)>,
    },
    /// A number placed between two goalposts and clamped: lower -> scale minimum, upper -> maximum.
    Goalposts {
        /// Value scored as the scale's lower end.
        lower: f64,
        /// Value scored as the scale's upper end.
        upper: f64,
    },
    /// In force on or before the evaluation date -> `yes`, else `no`.
    Date {
        /// Score when in force.
        yes: f64,
        /// Score when not in force.
        no: f64,
    },
    /// Number of bilateral partners in the dyads file, scored by bands.
    Count {
        /// Instrument indices counted.
        instruments: Vec<usize>,
        /// Which side of a directed instrument counts.
        side: Side,
        /// (threshold, score) bands on the count.
        bands: Vec<(f64, f64)>,
    },
    /// The raw number, passed to the pipeline.
    Numeric,
    /// A sandboxed expression over evidence fields.
    Expr(Expr),
}

/// Which side of a directed instrument a count credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Partners on either side.
    Any,
    /// Partners `b` of rows `a,b` where the jurisdiction is `a` (it binds itself towards them).
    Out,
    /// Partners `a` of rows `a,b` where the jurisdiction is `b` (they bind themselves towards it).
    In,
}

/// A compiled expression rule.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The text as written.
    pub text: String,
    /// The compiled operator tree, each variable renamed to its place in `variables` (`0`, `1`,
    /// ...), so that evaluation reads the variables' values from a slice by index.
    pub tree: evalexpr::Node<evalexpr::DefaultNumericTypes>,
    /// Field names it reads, sorted and without repeats.
    pub variables: Vec<String>,
    /// The rubric's field index of each of `variables`, in their order: set by validation, which
    /// refuses a name no field has, so that no field is looked up by name when rules are scored.
    pub fields: Vec<usize>,
}

impl Expr {
    /// Resolves the variables to field indices with `field_of`; the names it cannot resolve
    /// when there are any (the expression is then left unresolved).
    pub(crate) fn bind(
        &mut self,
        field_of: impl Fn(&str) -> Option<usize>,
    ) -> Result<(), Vec<&str>> {
        let found: Vec<Option<usize>> = self.variables.iter().map(|v| field_of(v)).collect();
        if found.iter().all(Option::is_some) {
            self.fields = found.into_iter().flatten().collect();
            Ok(())
        } else {
            Err(self
                .variables
                .iter()
                .zip(&found)
                .filter(|(_, f)| f.is_none())
                .map(|(v, _)| v.as_str())
                .collect())
        }
    }
}

impl Rule {
    /// The rule's type name as written in TOML.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Rule::Boolean { .. } => "boolean",
            Rule::Levels { .. } => "levels",
            Rule::Bands { .. } => "bands",
            Rule::Goalposts { .. } => "goalposts",
            Rule::Date { .. } => "date",
            Rule::Count { .. } => "count",
            Rule::Numeric => "numeric",
            Rule::Expr(_) => "expr",
        }
    }

    /// The kind of evidence field the rule reads, if it reads one of its own.
    pub(crate) fn field_kind(&self) -> Option<FieldKind> {
        match self {
            Rule::Boolean { .. } => Some(FieldKind::Boolean),
            Rule::Levels { levels } => Some(FieldKind::Label(
                levels.iter().map(|(l, _)| l.clone()).collect(),
            )),
            Rule::Bands { .. } | Rule::Goalposts { .. } | Rule::Numeric => Some(FieldKind::Number),
            Rule::Date { .. } => Some(FieldKind::Date),
            Rule::Count { .. } | Rule::Expr(_) => None,
        }
    }

    /// True for rules whose value is already on the rubric's scale (all but `numeric`).
    pub(crate) fn on_scale(&self) -> bool {
        !matches!(self, Rule::Numeric)
    }

    /// One-line description for `explain` and the template.
    pub(crate) fn describe(&self) -> String {
        let bands = |b: &[(f64, f64)]| {
            b.iter()
                .map(|(t, s)| format!(">={t}: {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Rule::Boolean { yes, no } => format!("boolean (yes: {yes}, no: {no})"),
            Rule::Levels { levels } => format!(
                "levels ({})",
                levels
                    .iter()
                    .map(|(l, s)| format!("{l}: {s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Rule::Bands { bands: b } => format!("bands ({})", bands(b)),
            Rule::Goalposts { lower, upper } => format!("goalposts ({lower} to {upper})"),
            Rule::Date { yes, no } => format!("date (in force: {yes}, not: {no})"),
            Rule::Count { bands: b, .. } => format!("count of partners ({})", bands(b)),
            Rule::Numeric => "numeric (raw value, normalised by the pipeline)".to_string(),
            Rule::Expr(e) => format!("expr ({})", e.text),
        }
    }
}

/// Context a rule needs from the rest of the rubric while it is read.
pub(crate) struct RuleContext<'a> {
    /// The rubric's scale.
    pub scale: [f64; 2],
    /// Declared instrument ids.
    pub instruments: &'a [String],
    /// Limits on an expression's length and nesting.
    pub limits: &'a crate::limits::Limits,
}

/// Reads a `rule` value: a string (`"boolean"`) or a table with `type`.
pub(crate) fn read_rule(
    tv: &Tv,
    path: &str,
    ctx: &RuleContext<'_>,
    p: &mut Problems,
) -> Option<Rule> {
    match &tv.kind {
        Kind::Str(s) => read_rule_name(s, tv, path, ctx.scale, p),
        Kind::Table(t) => read_rule_table(t, tv, path, ctx, p),
        _ => {
            p.push(
                Problem::new(format!(
                    "`{path}` must be a rule type or a table, found {}",
                    tv.type_name()
                ))
                .at(tv.at.location().with_key(path.to_string())),
            );
            None
        }
    }
}

/// A rule written as its type alone: the types that need no parameters.
fn read_rule_name(
    s: &str,
    tv: &Tv,
    path: &str,
    [lo, hi]: [f64; 2],
    p: &mut Problems,
) -> Option<Rule> {
    match s {
        "boolean" => Some(Rule::Boolean { yes: hi, no: lo }),
        "date" => Some(Rule::Date { yes: hi, no: lo }),
        "numeric" => Some(Rule::Numeric),
        other => {
            let mut problem = Problem::new(format!(
                "`{path}` = `{other}` needs parameters or is not a rule type"
            ))
            .at(tv.at.location().with_key(path.to_string()));
            problem = problem.help(match crate::error::did_you_mean(other, RULE_TYPES.iter().copied()) {
                Some(h) => h,
                None => format!(
                    "rule types: {}; write levels, bands, goalposts, count and expr rules as tables, e.g. {{ type = \"levels\", levels = [\"no\", \"partial\", \"yes\"] }}",
                    RULE_TYPES.join(", ")
                ),
            });
            p.push(problem);
            None
        }
    }
}

/// A rule written as a table: its `type` and that type's parameters.
fn read_rule_table(
    t: &Table,
    tv: &Tv,
    path: &str,
    ctx: &RuleContext<'_>,
    p: &mut Problems,
) -> Option<Rule> {
    let [lo, hi] = ctx.scale;
    let mut r = Reader::new(t, path, &tv.at);
    let ty = r.req_str("type", p)?;
    let rule = match ty.as_str() {
        "boolean" => {
            let yes = r.f64("yes", p).unwrap_or(hi);
            let no = r.f64("no", p).unwrap_or(lo);
            check_on_scale(&r, &[yes, no], ctx.scale, p);
            Some(Rule::Boolean { yes, no })
        }
        "date" => {
            let yes = r.f64("yes", p).unwrap_or(hi);
            let no = r.f64("no", p).unwrap_or(lo);
            check_on_scale(&r, &[yes, no], ctx.scale, p);
            Some(Rule::Date { yes, no })
        }
        "numeric" => Some(Rule::Numeric),
        "levels" => read_levels(&mut r, ctx.scale, p).map(|levels| Rule::Levels { levels }),
        "bands" => read_bands(&mut r, "bands", ctx.scale, p).map(|bands| Rule::Bands { bands }),
        "goalposts" => read_goalposts(&mut r, path, p),
        "count" => read_count(&mut r, path, ctx, p),
        "expr" => {
            let text = r.req_str("expr", p)?;
            compile_expr(&text, &r, ctx.limits, p).map(Rule::Expr)
        }
        other => {
            unknown_rule_type(&mut r, other, p);
            None
        }
    };
    r.finish(p);
    rule
}

/// A `goalposts` rule: `lower` below `upper`.
fn read_goalposts(r: &mut Reader<'_>, path: &str, p: &mut Problems) -> Option<Rule> {
    let lower = r.f64("lower", p);
    let upper = r.f64("upper", p);
    match (lower, upper) {
        (Some(lower), Some(upper)) if lower < upper => Some(Rule::Goalposts { lower, upper }),
        (Some(_), Some(_)) => {
            p.push(r.problem_here(format!(
                "`{path}`: `lower` must be below `upper`"
            )).help("for a criterion where less is better, keep lower < upper and set `direction = -1` on the criterion"));
            None
        }
        _ => {
            if lower.is_none() && r.get("lower").is_none() {
                p.push(r.problem_here(format!("missing `{path}.lower`")));
            }
            if upper.is_none() && r.get("upper").is_none() {
                p.push(r.problem_here(format!("missing `{path}.upper`")));
            }
            None
        }
    }
}

/// A `count` rule: declared instruments, the side of a directed dyad, and bands of counts.
fn read_count(
    r: &mut Reader<'_>,
    path: &str,
    ctx: &RuleContext<'_>,
    p: &mut Problems,
) -> Option<Rule> {
    let instruments = r.str_list("instruments", p);
    let side = match r.str("side", p).as_deref() {
        None | Some("any") => Some(Side::Any),
        Some("out") => Some(Side::Out),
        Some("in") => Some(Side::In),
        Some(other) => {
            p.push(r.problem_at_key(
                "side",
                format!("`{path}.side` = `{other}`: expected `any`, `out` or `in`"),
            ));
            None
        }
    };
    let bands = read_bands(r, "bands", ctx.scale, p);
    let mut resolved = Vec::new();
    match instruments {
        None => p.push(r.problem_here(format!("missing `{path}.instruments`"))),
        Some(list) => {
            for name in list {
                match ctx.instruments.iter().position(|i| *i == name) {
                    Some(i) => resolved.push(i),
                    None => {
                        p.push(
                            r.problem_at_key("instruments", format!("`{path}.instruments` names `{name}`, which is not declared under [instruments]"))
                                .help(crate::error::suggest(&name, ctx.instruments.iter().map(String::as_str), "declared instruments")),
                        );
                    }
                }
            }
        }
    }
    match (side, bands) {
        (Some(side), Some(bands)) if !resolved.is_empty() => Some(Rule::Count {
            instruments: resolved,
            side,
            bands,
        }),
        _ => None,
    }
}

/// Reports an unknown rule `type`; its parameters belong to a type we do not know, so the type
/// is reported alone.
fn unknown_rule_type(r: &mut Reader<'_>, other: &str, p: &mut Problems) {
    r.allow(&[
        "yes",
        "no",
        "levels",
        "bands",
        "lower",
        "upper",
        "instruments",
        "side",
        "expr",
    ]);
    let mut problem = r.problem_at_key("type", format!("unknown rule type `{other}`"));
    problem = problem.help(
        crate::error::did_you_mean(other, RULE_TYPES.iter().copied())
            .unwrap_or_else(|| format!("rule types: {}", RULE_TYPES.join(", "))),
    );
    p.push(problem);
}

/// The rule types, as written in TOML.
pub(crate) const RULE_TYPES: &[&str] = &[
    "boolean",
    "levels",
    "bands",
    "goalposts",
    "date",
    "count",
    "numeric",
    "expr",
];

fn check_on_scale(r: &Reader<'_>, values: &[f64], scale: [f64; 2], p: &mut Problems) {
    for v in values {
        if *v < scale[0] || *v > scale[1] {
            p.push(r.problem_here(format!(
                "`{}`: score {v} lies outside the scale [{}, {}]",
                r.path, scale[0], scale[1]
            )));
        }
    }
}

/// `levels = ["none", "partial", "full"]` (evenly spaced over the scale) or
/// `levels = { none = 0, partial = 40, full = 100 }` (explicit scores, in order).
fn read_levels(
    r: &mut Reader<'_>,
    scale: [f64; 2],
    p: &mut Problems,
) -> Option<Vec<(String, f64)>> {
    let [lo, hi] = scale;
    let path = r.path.clone();
    let Some(tv) = r.get("levels") else {
        p.push(r.problem_here(format!("missing `{path}.levels`")));
        return None;
    };
    let mut levels: Vec<(String, f64)> = Vec::new();
    match &tv.kind {
        Kind::Array(items) => {
            let n = items.len();
            for (i, item) in items.iter().enumerate() {
                let Some(label) = item.as_str() else {
                    p.push(r.problem_at(
                        item,
                        "levels",
                        format!("`{path}.levels` must list labels (strings)"),
                    ));
                    return None;
                };
                let score = if n > 1 {
                    lo + (hi - lo) * i as f64 / (n - 1) as f64
                } else {
                    hi
                };
                levels.push((label.to_string(), score));
            }
        }
        Kind::Table(t) => {
            for e in &t.entries {
                match e.value.as_f64() {
                    Some(s) if s.is_finite() => levels.push((e.key.clone(), s)),
                    _ => {
                        p.push(r.problem_at(
                            &e.value,
                            "levels",
                            format!(
                                "`{path}.levels.{}` must be a number (the level's score)",
                                e.key
                            ),
                        ));
                        return None;
                    }
                }
            }
        }
        _ => {
            p.push(r.problem_at(tv, "levels", format!(
                "`{path}.levels` must be an array of labels or a table of label = score, found {}",
                tv.type_name()
            )));
            return None;
        }
    }
    if levels.len() < 2 {
        p.push(r.problem_at(
            tv,
            "levels",
            format!("`{path}.levels` needs at least two levels"),
        ));
        return None;
    }
    let mut ok = true;
    for (i, (label, score)) in levels.iter().enumerate() {
        if label.trim().is_empty() || label.trim() != label {
            p.push(r.problem_at(
                tv,
                "levels",
                format!("`{path}.levels`: label `{label}` is empty or has surrounding spaces"),
            ));
            ok = false;
        }
        if levels[..i]
            .iter()
            .any(|(l, _)| l.eq_ignore_ascii_case(label))
        {
            p.push(r.problem_at(
                tv,
                "levels",
                format!("`{path}.levels`: label `{label}` appears twice"),
            ));
            ok = false;
        }
        if *score < lo || *score > hi {
            p.push(r.problem_at(
                tv,
                "levels",
                format!(
                    "`{path}.levels`: `{label}` scores {score}, outside the scale [{lo}, {hi}]"
                ),
            ));
            ok = false;
        }
        if matches!(label.to_ascii_lowercase().as_str(), "na" | "n/a") {
            p.push(r.problem_at(
                tv,
                "levels",
                format!("`{path}.levels`: `{label}` is reserved for unknown evidence"),
            ));
            ok = false;
        }
    }
    let min = levels.iter().map(|l| l.1).fold(f64::INFINITY, f64::min);
    let max = levels.iter().map(|l| l.1).fold(f64::NEG_INFINITY, f64::max);
    if ok && (min != lo || max != hi) {
        p.push(
            r.problem_at(tv, "levels", format!(
                "`{path}.levels` do not cover the scale: scores run from {min} to {max}, the scale from {lo} to {hi}"
            ))
            .help("give the lowest level the scale's lower end and the highest its upper end, so every criterion can reach the whole scale"),
        );
        ok = false;
    }
    ok.then_some(levels)
}

/// `bands = [[threshold, score], ...]` with strictly increasing thresholds.
fn read_bands(
    r: &mut Reader<'_>,
    key: &'static str,
    scale: [f64; 2],
    p: &mut Problems,
) -> Option<Vec<(f64, f64)>> {
    let path = r.path.clone();
    let Some(items) = r.array(key, p) else {
        if r.get(key).is_none() {
            p.push(r.problem_here(format!("missing `{path}.{key}`")).help("e.g. bands = [[0, 0], [1, 50], [5, 100]]: a value at or above a threshold scores its score"));
        }
        return None;
    };
    let mut bands = Vec::new();
    for item in items {
        let pair = match &item.kind {
            Kind::Array(pair) if pair.len() == 2 => {
                pair.iter().map(Tv::as_f64).collect::<Option<Vec<f64>>>()
            }
            _ => None,
        };
        match pair {
            Some(v) if v.iter().all(|x| x.is_finite()) => bands.push((v[0], v[1])),
            _ => {
                p.push(r.problem_at(
                    item,
                    key,
                    format!("`{path}.{key}` must hold [threshold, score] pairs of numbers"),
                ));
                return None;
            }
        }
    }
    if bands.is_empty() {
        p.push(r.problem_here(format!("`{path}.{key}` is empty")));
        return None;
    }
    let mut ok = true;
    for w in bands.windows(2) {
        if w[1].0 <= w[0].0 {
            p.push(r.problem_at_key(
                key,
                format!(
                    "`{path}.{key}`: thresholds must increase, but {} follows {}",
                    w[1].0, w[0].0
                ),
            ));
            ok = false;
        }
    }
    for (_, s) in &bands {
        if *s < scale[0] || *s > scale[1] {
            p.push(r.problem_at_key(
                key,
                format!(
                    "`{path}.{key}`: score {s} lies outside the scale [{}, {}]",
                    scale[0], scale[1]
                ),
            ));
            ok = false;
        }
    }
    ok.then_some(bands)
}

fn compile_expr(
    text: &str,
    r: &Reader<'_>,
    limits: &crate::limits::Limits,
    p: &mut Problems,
) -> Option<Expr> {
    let path = &r.path;
    let (max_len, max_depth) = (limits.expr_len, limits.expr_depth);
    if text.chars().count() > max_len {
        p.push(
            r.problem_here(format!("`{path}.expr` is longer than {max_len} characters"))
                .help("split the rule, or raise the limit with --max-expr-len"),
        );
        return None;
    }
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth > max_depth {
                    p.push(
                        r.problem_here(format!(
                            "`{path}.expr` nests parentheses more than {max_depth} deep"
                        ))
                        .help("simplify the expression, or raise the limit with --max-expr-depth"),
                    );
                    return None;
                }
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if text.contains(';') || contains_assignment(text) {
        p.push(
            r.problem_here(format!("`{path}.expr` may not assign or chain statements"))
                .help("an expression computes one value from evidence fields, e.g. if(budapest_party && contact_point, 100, 0)"),
        );
        return None;
    }
    match evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(text) {
        Ok(tree) => {
            let mut refused: Vec<&str> = tree
                .iter_function_identifiers()
                .filter(|f| !EXPR_FUNCTIONS.contains(f))
                .collect();
            refused.sort_unstable();
            refused.dedup();
            if !refused.is_empty() {
                p.push(
                    r.problem_here(format!(
                        "`{path}.expr` calls {}, which rule expressions do not allow",
                        refused
                            .iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .help(format!("allowed functions: {}", EXPR_FUNCTIONS.join(", "))),
                );
                return None;
            }
            let mut variables: Vec<String> =
                tree.iter_variable_identifiers().map(String::from).collect();
            variables.sort();
            variables.dedup();
            if variables.is_empty() {
                p.push(r.problem_here(format!("`{path}.expr` reads no evidence field")));
                return None;
            }
            let mut tree = tree;
            for id in tree.iter_read_variable_identifiers_mut() {
                if let Ok(slot) = variables.binary_search(id) {
                    *id = slot.to_string();
                }
            }
            Some(Expr {
                text: text.to_string(),
                tree,
                variables,
                fields: Vec::new(),
            })
        }
        Err(e) => {
            p.push(r.problem_here(format!("`{path}.expr` does not parse: {e}")));
            None
        }
    }
}

/// The functions a rule expression may call: deterministic (no `random`), and free of the
/// built-ins that can panic on some inputs (`str::substring` inside a multi-byte character, bit
/// shifts of 64 or more).
pub(crate) const EXPR_FUNCTIONS: &[&str] = &[
    "if",
    "min",
    "max",
    "floor",
    "round",
    "ceil",
    "math::abs",
    "math::sqrt",
    "math::pow",
    "math::ln",
    "math::log",
    "math::exp",
    "len",
    "contains",
    "contains_any",
    "str::to_lowercase",
    "str::to_uppercase",
    "str::trim",
];

/// True when the text has an assignment operator (`=`, `+=`, ...) outside comparisons.
fn contains_assignment(text: &str) -> bool {
    let b = text.as_bytes();
    for i in 0..b.len() {
        if b[i] == b'=' {
            let prev = if i > 0 { b[i - 1] } else { b' ' };
            let next = b.get(i + 1).copied().unwrap_or(b' ');
            let comparison = matches!(prev, b'=' | b'!' | b'<' | b'>') || next == b'=';
            if !comparison {
                return true;
            }
        }
    }
    false
}
