//! `explain`: every contribution to one score, traced to its evidence.
//!
//! For a weighted arithmetic mean the contributions are the same terms, in the same order, that
//! the pipeline summed, so they add up exactly (bit for bit) to the published score.

use serde_json::{Value as Json, json};

use crate::base::format::{number, opt_number};
use crate::error::{InputError, Problem, did_you_mean};
use crate::pipeline::Scored;
use crate::pipeline::aggregate::amean_terms;
use crate::pipeline::group_shares;
use crate::rubric::Member;
use crate::rubric::settings::{AggregateMethod, ImputeMethod, NaChild};
use crate::rules::Basis;

/// One child's part in a score.
#[derive(Debug, Clone)]
pub struct Contribution {
    /// Child id (criterion or node).
    pub id: String,
    /// `criterion` or the node's kind.
    pub kind: String,
    /// The child's value (normalised criterion value or node score).
    pub value: Option<f64>,
    /// Weight as written.
    pub weight: f64,
    /// Share of the weight among children with a value.
    pub share: Option<f64>,
    /// value * share (arithmetic mean); its sum is the score.
    pub contribution: Option<f64>,
    /// Coverage of the child.
    pub coverage: Option<f64>,
    /// The evidence as written, or why there is none.
    pub evidence: String,
    /// The evidence's source.
    pub source: String,
    /// Where the evidence row is.
    pub place: String,
    /// The rule (criteria).
    pub rule: String,
}

/// The explanation of one score.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// Jurisdiction code.
    pub jurisdiction: String,
    /// Jurisdiction name.
    pub name: String,
    /// Node, facet value, cell or criterion id.
    pub node: String,
    /// Its kind.
    pub kind: String,
    /// Its display name.
    pub title: String,
    /// The published score.
    pub score: Option<f64>,
    /// Its rank and the number ranked.
    pub rank: Option<(u32, usize)>,
    /// Its coverage.
    pub coverage: Option<f64>,
    /// The aggregation method.
    pub method: Option<AggregateMethod>,
    /// The coverage floor.
    pub min_coverage: f64,
    /// What an NA child does (aggregated scores).
    pub na_child: NaChild,
    /// The children's parts.
    pub parts: Vec<Contribution>,
    /// Further lines (criterion detail, why a score is NA).
    pub notes: Vec<String>,
    /// The evaluation date.
    pub date: String,
}

fn not_found(what: &str, id: &str, candidates: Vec<&str>) -> InputError {
    let mut p = Problem::new(format!("unknown {what} `{id}`"));
    if let Some(h) = did_you_mean(id, candidates) {
        p = p.help(h);
    }
    InputError::one(p)
}

/// Explains the score of `node` (default: the index) for `jurisdiction`.
pub fn explain(
    s: &Scored,
    jurisdiction: &str,
    node: Option<&str>,
) -> Result<Explanation, InputError> {
    let (rubric, r, inputs) = (&s.rubric, &s.results, &s.inputs);
    let Some(j) = inputs.jurisdictions.index(jurisdiction) else {
        return Err(not_found(
            "jurisdiction",
            jurisdiction,
            inputs
                .jurisdictions
                .list
                .iter()
                .map(|j| j.code.as_str())
                .collect(),
        ));
    };
    let id = node.unwrap_or(&rubric.nodes[0].id);
    let Some(row) = r.row_of(j) else {
        return Ok(screened_out(s, j, id));
    };
    if let Some(k) = rubric.node_index(id) {
        return Ok(explain_node(s, row, j, k));
    }
    if let Some(group) = find_group(s, id) {
        return Ok(explain_group(s, row, j, id, group));
    }
    if let Some(c) = rubric.criterion_index(id) {
        return Ok(explain_criterion(s, row, j, c));
    }
    let mut all: Vec<&str> = rubric.nodes.iter().map(|n| n.id.as_str()).collect();
    all.extend(rubric.criteria.iter().map(|c| c.id.as_str()));
    all.extend(r.cell_defs.iter().map(|c| c.id.as_str()));
    all.extend(
        r.facet_values
            .iter()
            .map(|(f, v)| rubric.facets[*f].values[*v].id.as_str()),
    );
    Err(not_found("node", id, all))
}

/// The number of values in a score column: how many were ranked.
fn ranked(col: &[Option<f64>]) -> usize {
    col.iter().filter(|v| v.is_some()).count()
}

/// A jurisdiction the screen removed: no score, and why.
fn screened_out(s: &Scored, j: usize, id: &str) -> Explanation {
    let juris = &s.inputs.jurisdictions.list[j];
    let a = &s.results.availability[j];
    Explanation {
        jurisdiction: juris.code.clone(),
        name: juris.name.clone(),
        node: id.to_string(),
        kind: String::new(),
        title: String::new(),
        score: None,
        rank: None,
        coverage: None,
        method: None,
        min_coverage: 0.0,
        na_child: NaChild::Exclude,
        parts: Vec::new(),
        notes: vec![format!(
            "`{}` was screened out: data availability {} is below `pipeline.screen.dat_thresh` = {}",
            juris.code,
            number(a.dat_avail),
            number(s.rubric.pipeline.screen.dat_thresh)
        )],
        date: s.evaluation.shown(),
    }
}

/// A node of the tree: its children's parts, aggregated with the node's own method.
fn explain_node(s: &Scored, row: usize, j: usize, k: usize) -> Explanation {
    let (rubric, r) = (&s.rubric, &s.results);
    let juris = &s.inputs.jurisdictions.list[j];
    let n = &rubric.nodes[k];
    let agg = n.aggregate.as_ref().unwrap_or(&rubric.pipeline.aggregate);
    let members: Vec<Member> = n.children.clone();
    let shares: Vec<f64> = members.iter().map(|m| rubric.member_weight(*m)).collect();
    let values: Vec<Option<f64>> = members
        .iter()
        .map(|m| match *m {
            Member::Criterion(c) => r.criteria.score.get(row, c),
            Member::Node(x) => r.nodes.score.get(row, x),
        })
        .map(|v| na_child(v, agg.na_child, rubric.meta.scale[0]))
        .collect();
    let mut parts = parts_for(s, row, j, &members, &shares, &values, agg.method);
    for (p, m) in parts.iter_mut().zip(&members) {
        p.weight = rubric.member_weight(*m);
    }
    let score = r.nodes.score.get(row, k);
    let mut notes = Vec::new();
    why_na(
        &mut notes,
        score,
        r.nodes.coverage.get(row, k),
        agg.min_coverage,
        &values,
        agg.dat_thresh,
        agg.na_child,
    );
    Explanation {
        jurisdiction: juris.code.clone(),
        name: juris.name.clone(),
        node: n.id.clone(),
        kind: rubric.node_kind(k).to_string(),
        title: n.name.clone(),
        score,
        rank: r
            .nodes
            .rank(row, k)
            .map(|x| (x, ranked(r.nodes.score.col(k)))),
        coverage: r.nodes.coverage.get(row, k),
        method: Some(agg.method),
        min_coverage: agg.min_coverage,
        na_child: agg.na_child,
        parts,
        notes,
        date: s.evaluation.shown(),
    }
}

/// A facet value's or a cell's criteria and where its scores are.
struct Group<'a> {
    /// Its column in `scores`.
    col: usize,
    /// Its criteria.
    members: Vec<usize>,
    /// The facet's id, or `cell`.
    kind: String,
    /// Its display name.
    title: String,
    /// The score table it is a column of.
    scores: &'a crate::pipeline::results::Scores,
}

/// The facet value or cell with this id.
fn find_group<'a>(s: &'a Scored, id: &str) -> Option<Group<'a>> {
    let (rubric, r) = (&s.rubric, &s.results);
    r.facet_values
        .iter()
        .position(|(f, v)| rubric.facets[*f].values[*v].id == id)
        .map(|col| {
            let (f, v) = r.facet_values[col];
            Group {
                col,
                members: (0..rubric.criteria.len())
                    .filter(|&c| rubric.criteria[c].facets[f] == v)
                    .collect(),
                kind: rubric.facets[f].id.clone(),
                title: rubric.facets[f].values[v].name.clone(),
                scores: &r.facets,
            }
        })
        .or_else(|| {
            r.cell_defs.iter().position(|c| c.id == id).map(|col| {
                let cell = &r.cell_defs[col];
                let title = format!(
                    "{} x {}",
                    rubric.nodes[cell.node].name,
                    rubric
                        .grid
                        .map_or(String::new(), |g| rubric.facets[g].values[cell.value]
                            .name
                            .clone())
                );
                Group {
                    col,
                    members: cell.criteria.clone(),
                    kind: "cell".to_string(),
                    title,
                    scores: &r.cells,
                }
            })
        })
}

/// A facet value or cell: its criteria's parts with their effective weights in the index.
fn explain_group(s: &Scored, row: usize, j: usize, id: &str, g: Group) -> Explanation {
    let (rubric, r) = (&s.rubric, &s.results);
    let juris = &s.inputs.jurisdictions.list[j];
    let eff = rubric.effective_criterion_weights();
    let agg = &rubric.pipeline.aggregate;
    let shares = group_shares(&eff, &g.members);
    let mem: Vec<Member> = g.members.iter().map(|&c| Member::Criterion(c)).collect();
    let values: Vec<Option<f64>> = g
        .members
        .iter()
        .map(|&c| r.criteria.score.get(row, c))
        .map(|v| na_child(v, agg.na_child, rubric.meta.scale[0]))
        .collect();
    let mut parts = parts_for(s, row, j, &mem, &shares, &values, agg.method);
    for (p, &c) in parts.iter_mut().zip(&g.members) {
        p.weight = eff[c];
    }
    let scores = g.scores;
    let score = scores.score.get(row, g.col);
    let mut notes = vec!["weights are the criteria's effective weights in the index".to_string()];
    why_na(
        &mut notes,
        score,
        scores.coverage.get(row, g.col),
        agg.min_coverage,
        &values,
        agg.dat_thresh,
        agg.na_child,
    );
    Explanation {
        jurisdiction: juris.code.clone(),
        name: juris.name.clone(),
        node: id.to_string(),
        kind: g.kind,
        title: g.title,
        score,
        rank: scores
            .rank(row, g.col)
            .map(|x| (x, ranked(scores.score.col(g.col)))),
        coverage: scores.coverage.get(row, g.col),
        method: Some(agg.method),
        min_coverage: agg.min_coverage,
        na_child: agg.na_child,
        parts,
        notes,
        date: s.evaluation.shown(),
    }
}

/// A criterion: its question, rule, evidence rows, basis and value at every pipeline stage.
fn explain_criterion(s: &Scored, row: usize, j: usize, c: usize) -> Explanation {
    let r = &s.results;
    let juris = &s.inputs.jurisdictions.list[j];
    let crit = &s.rubric.criteria[c];
    Explanation {
        jurisdiction: juris.code.clone(),
        name: juris.name.clone(),
        node: crit.id.clone(),
        kind: "criterion".to_string(),
        title: crit.name.clone(),
        score: r.criteria.score.get(row, c),
        rank: r
            .criteria
            .rank(row, c)
            .map(|x| (x, ranked(r.criteria.score.col(c)))),
        coverage: r.criteria.coverage.get(row, c),
        method: None,
        min_coverage: 0.0,
        na_child: NaChild::Exclude,
        parts: Vec::new(),
        notes: criterion_notes(s, row, j, c),
        date: s.evaluation.shown(),
    }
}

/// The lines under a criterion's explanation.
fn criterion_notes(s: &Scored, row: usize, j: usize, c: usize) -> Vec<String> {
    let rubric = &s.rubric;
    let crit = &rubric.criteria[c];
    let date = s.evaluation.shown();
    let mut notes = vec![
        format!("question: {}", crit.question),
        format!("rule: {}", crit.rule.describe()),
    ];
    if crit.direction < 0.0 {
        notes.push("direction: -1 (lower is better)".to_string());
    }
    if let Some(f) = crit.field {
        notes.push(format!("evidence field: {}", rubric.fields[f].name));
        let rows: Vec<_> = s.inputs.evidence.rows_for(j, f).collect();
        if rows.is_empty() {
            notes.push("evidence: none for this jurisdiction".to_string());
        }
        for e in rows {
            notes.push(evidence_row_note(e));
        }
    }
    notes.push(format!("basis on {date}: {}", describe_basis(s, j, c)));
    let st = &s.results.stages;
    notes.push(format!(
        "pipeline: rule value {}, denominated {}, imputed {}, treated {}, normalised {}",
        opt_number(st.raw.get(j, c)),
        opt_number(st.denominated.get(j, c)),
        opt_number(st.imputed.get(j, c)),
        opt_number(st.treated.get(row, c)),
        opt_number(s.results.criteria.score.get(row, c)),
    ));
    notes
}

/// One evidence row as written, with its date, coder, source and note.
fn evidence_row_note(e: &crate::evidence::EvidenceRow) -> String {
    format!(
        "evidence row {}: `{}`{}{}{}{}",
        e.place(),
        e.raw,
        e.as_of.map(|d| format!(", as of {d}")).unwrap_or_default(),
        e.coder()
            .map(|x| format!(", coder {x}"))
            .unwrap_or_default(),
        e.source()
            .map(|x| format!(", source: {x}"))
            .unwrap_or_default(),
        e.note().map(|x| format!(", note: {x}")).unwrap_or_default(),
    )
}

/// A number for the text table: at most 4 decimals, trailing zeros dropped (`0.0889`, `25`).
fn readable(x: Option<f64>) -> String {
    match x {
        None => "NA".to_string(),
        Some(v) => {
            let s = format!("{v:.4}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".to_string()
            } else {
                s.to_string()
            }
        }
    }
}

/// The line under the table: the contributions, added in order at full precision, against the
/// published score.
fn exact_sum(what: &str, sum: f64, score: f64) -> String {
    if sum == score {
        format!(
            "sum of {what} = {} = score, exactly (full precision; the table rounds to 4 decimals)\n",
            number(sum)
        )
    } else {
        format!(
            "sum of {what} = {}, score = {} (they differ by {})\n",
            number(sum),
            number(score),
            number(score - sum)
        )
    }
}

/// A child's value as its parent reads it: `na_child = "zero"` reads an NA child as the scale's
/// lower end.
fn na_child(v: Option<f64>, policy: NaChild, lowest: f64) -> Option<f64> {
    match policy {
        NaChild::Zero => v.or(Some(lowest)),
        NaChild::Exclude | NaChild::Na => v,
    }
}

fn why_na(
    notes: &mut Vec<String>,
    score: Option<f64>,
    coverage: Option<f64>,
    min: f64,
    values: &[Option<f64>],
    dat_thresh: Option<f64>,
    policy: NaChild,
) {
    if score.is_some() {
        return;
    }
    let cov = coverage.unwrap_or(0.0);
    if policy == NaChild::Na && values.iter().any(Option::is_none) {
        notes.push(
            "the score is NA: a child is NA, and `na_child = \"na\"` makes the parent NA"
                .to_string(),
        );
    } else if cov + 1e-12 < min {
        notes.push(format!(
            "the score is NA: coverage {} is below the minimum {}",
            number(cov),
            number(min)
        ));
    } else if values.iter().all(Option::is_none) {
        notes.push("the score is NA: no child has a value".to_string());
    } else if let Some(t) = dat_thresh {
        notes.push(format!(
            "the score is NA: the share of children with a value is below `dat_thresh` = {}",
            number(t)
        ));
    }
}

fn parts_for(
    s: &Scored,
    row: usize,
    j: usize,
    members: &[Member],
    shares: &[f64],
    values: &[Option<f64>],
    method: AggregateMethod,
) -> Vec<Contribution> {
    let (rubric, r) = (&s.rubric, &s.results);
    let terms = amean_terms(values, shares);
    let known: f64 = values
        .iter()
        .zip(shares)
        .filter(|(v, _)| v.is_some())
        .map(|(_, w)| w)
        .sum();
    members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let share = values[i].map(|_| shares[i] / known);
            let contribution = match method {
                AggregateMethod::AMean => terms[i],
                AggregateMethod::GMean => values[i].map(|v| shares[i] / known * v.ln()),
                _ => None,
            };
            match *m {
                Member::Criterion(c) => {
                    let crit = &rubric.criteria[c];
                    let (evidence, source, place) = evidence_of(s, j, c, row);
                    Contribution {
                        id: crit.id.clone(),
                        kind: "criterion".to_string(),
                        value: values[i],
                        weight: crit.weight,
                        share,
                        contribution,
                        coverage: r.criteria.coverage.get(row, c),
                        evidence,
                        source,
                        place,
                        rule: crit.rule.describe(),
                    }
                }
                Member::Node(k) => Contribution {
                    id: rubric.nodes[k].id.clone(),
                    kind: rubric.node_kind(k).to_string(),
                    value: values[i],
                    weight: rubric.nodes[k].weight,
                    share,
                    contribution,
                    coverage: r.nodes.coverage.get(row, k),
                    evidence: format!("score of {}", rubric.nodes[k].name),
                    source: String::new(),
                    place: String::new(),
                    rule: String::new(),
                },
            }
        })
        .collect()
}

/// A criterion's evidence for the contributions table: (what it says, its source, where it is).
fn evidence_of(s: &Scored, j: usize, c: usize, row: usize) -> (String, String, String) {
    let ev = &s.inputs.evidence;
    let r = &s.results;
    let imputed = r.stages.raw.get(j, c).is_none() && r.criteria.score.get(row, c).is_some();
    let method = s.rubric.pipeline.impute.method;
    let imputed_note = |base: String| {
        if imputed && method != ImputeMethod::None {
            format!("{base}; imputed ({})", method.name())
        } else {
            base
        }
    };
    let at_row = |e: &crate::evidence::EvidenceRow, text: String| {
        (
            text,
            e.source().unwrap_or_default().to_string(),
            e.place().to_string(),
        )
    };
    let nowhere = |text: &str| (imputed_note(text.to_string()), String::new(), String::new());
    match s.values.basis(j, c) {
        Basis::Row(i) => {
            let e = &ev.rows[*i as usize];
            let text = match observed(e) {
                Some(when) => format!("{} ({when})", e.raw),
                None => e.raw.to_string(),
            };
            at_row(e, text)
        }
        Basis::Rows(is) => rows_evidence(s, is),
        Basis::Unknown(i) => {
            let e = &ev.rows[*i as usize];
            let text = format!("NA ({})", if e.raw.is_empty() { "empty" } else { &e.raw });
            at_row(e, imputed_note(text))
        }
        Basis::Stale(i) => {
            let e = &ev.rows[*i as usize];
            let text = format!(
                "{} ({}), older than the horizon{}: unknown",
                e.raw,
                observed(e).unwrap_or_default(),
                horizon_of(s, c)
            );
            at_row(e, imputed_note(text))
        }
        Basis::NoEvidence => nowhere("no evidence"),
        Basis::NotYet => nowhere("no evidence for this date"),
        Basis::Disagreement(_) => nowhere("coders disagree (no majority)"),
        Basis::Count { partners, exact } => (
            if *exact {
                format!("{partners} partners")
            } else {
                format!("at least {partners} partners (incomplete list)")
            },
            "dyads".to_string(),
            s.inputs
                .dyads
                .as_ref()
                .map(|d| d.file.path.clone())
                .unwrap_or_default(),
        ),
        Basis::NoDyads => nowhere("no dyads file"),
    }
}

/// Several rows read together: each `field=value (when)`, their distinct sources, their places.
fn rows_evidence(s: &Scored, is: &[u32]) -> (String, String, String) {
    let rows: Vec<&crate::evidence::EvidenceRow> = is
        .iter()
        .map(|i| &s.inputs.evidence.rows[*i as usize])
        .collect();
    let text = rows
        .iter()
        .map(|e| {
            format!(
                "{}={}{}",
                s.rubric.fields[e.field].name,
                e.raw,
                observed(e).map(|w| format!(" ({w})")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut sources: Vec<&str> = rows.iter().filter_map(|e| e.source()).collect();
    sources.dedup();
    (
        text,
        sources.join("; "),
        rows.iter()
            .map(|e| e.place().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// When a row was observed: `as of 2021-06-01`, or `undated` (it holds at every date); `None`
/// for an undated date value, which is its own date.
fn observed(e: &crate::evidence::EvidenceRow) -> Option<String> {
    match (e.as_of, e.value) {
        (Some(d), _) => Some(format!("as of {d}")),
        (None, Some(crate::evidence::Value::Date(_))) => None,
        (None, _) => Some("undated".to_string()),
    }
}

/// ` of 10 years` for a criterion with a horizon.
fn horizon_of(s: &Scored, c: usize) -> String {
    s.rubric.criteria[c]
        .horizon
        .as_ref()
        .map(|h| format!(" of {}", h.text))
        .unwrap_or_default()
}

fn describe_basis(s: &Scored, j: usize, c: usize) -> String {
    match s.values.basis(j, c) {
        Basis::Row(i) => format!("row {}", s.inputs.evidence.rows[*i as usize].place()),
        Basis::Rows(is) => format!(
            "rows {}",
            is.iter()
                .map(|i| s.inputs.evidence.rows[*i as usize].place().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Basis::Unknown(i) => format!(
            "row {} says unknown",
            s.inputs.evidence.rows[*i as usize].place()
        ),
        Basis::Stale(i) => {
            let e = &s.inputs.evidence.rows[*i as usize];
            format!(
                "row {} ({}) is older than the horizon{} on this date: unknown",
                e.place(),
                observed(e).unwrap_or_default(),
                horizon_of(s, c)
            )
        }
        Basis::NoEvidence => "no evidence".to_string(),
        Basis::NotYet => "no evidence applies on this date".to_string(),
        Basis::Disagreement(_) => "coders disagree with no majority".to_string(),
        Basis::Count { partners, exact } => {
            if *exact {
                format!("{partners} partners (complete list)")
            } else {
                format!(
                    "at least {partners} partners (incomplete list: scored only if the lower bound reaches the top band)"
                )
            }
        }
        Basis::NoDyads => "no dyads file".to_string(),
    }
}

impl Explanation {
    /// Plain-text rendering for a terminal: text from the inputs is made safe to print
    /// (`crate::error::terminal_safe`); `to_json` keeps it exact.
    pub fn to_text(&self) -> String {
        crate::error::terminal_safe(&self.text()).into_owned()
    }

    fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{} {}: {} `{}` ({}), evaluated on {}\n",
            self.jurisdiction, self.name, self.kind, self.node, self.title, self.date
        ));
        out.push_str(&format!(
            "score {}  rank {}  coverage {}\n",
            readable(self.score),
            self.rank
                .map_or_else(|| "NA".to_string(), |(r, n)| format!("{r} of {n}")),
            readable(self.coverage)
        ));
        if let Some(m) = self.method {
            let known = self.parts.iter().filter(|p| p.value.is_some()).count();
            out.push_str(&format!(
                "aggregation: {} ({}) over {} of {} children with a value, {}; minimum coverage {}\n",
                m.describe(),
                m.name(),
                known,
                self.parts.len(),
                match self.na_child {
                    NaChild::Exclude => "weights renormalised over them",
                    NaChild::Zero => "an NA child counted as the scale's lower end (na_child = \"zero\")",
                    NaChild::Na => "NA if any child is NA (na_child = \"na\")",
                },
                number(self.min_coverage)
            ));
        }
        if !self.parts.is_empty() {
            let head = match self.method {
                Some(AggregateMethod::GMean) => "log-contribution",
                _ => "contribution",
            };
            let mut rows = vec![vec![
                "child".to_string(),
                "weight".to_string(),
                "share".to_string(),
                "value".to_string(),
                head.to_string(),
                "coverage".to_string(),
                "evidence".to_string(),
                "source".to_string(),
                "rule".to_string(),
            ]];
            for p in &self.parts {
                rows.push(vec![
                    p.id.clone(),
                    readable(Some(p.weight)),
                    p.share
                        .map_or_else(|| "-".to_string(), |x| format!("{x:.4}")),
                    readable(p.value),
                    readable(p.contribution),
                    readable(p.coverage),
                    if p.place.is_empty() {
                        p.evidence.clone()
                    } else {
                        format!("{} [{}]", p.evidence, p.place)
                    },
                    clip(&p.source, 40),
                    p.rule.clone(),
                ]);
            }
            out.push_str(&table(&rows));
            match self.method {
                Some(AggregateMethod::AMean) => {
                    let sum: f64 = self.parts.iter().filter_map(|p| p.contribution).sum();
                    if let Some(score) = self.score {
                        out.push_str(&exact_sum("contributions", sum, score));
                    }
                }
                Some(AggregateMethod::GMean) => {
                    let sum: f64 = self.parts.iter().filter_map(|p| p.contribution).sum();
                    if self.score.is_some() {
                        out.push_str(&format!("sum of log-contributions = {} = ln(score); exp = {} (full precision; the table rounds to 4 decimals)\n", number(sum), number(sum.exp())));
                    }
                }
                _ => out.push_str("this method does not split into additive contributions; the values and shares above are its inputs\n"),
            }
        }
        for n in &self.notes {
            out.push_str(n);
            out.push('\n');
        }
        out
    }

    /// JSON rendering.
    pub fn to_json(&self) -> Json {
        json!({
            "jurisdiction": self.jurisdiction,
            "name": self.name,
            "node": self.node,
            "kind": self.kind,
            "title": self.title,
            "date": self.date,
            "score": self.score,
            "rank": self.rank.map(|r| r.0),
            "ranked": self.rank.map(|r| r.1),
            "coverage": self.coverage,
            "method": self.method.map(|m| m.name()),
            "min_coverage": self.min_coverage,
            "na_child": self.na_child.name(),
            "contributions": self.parts.iter().map(|p| json!({
                "id": p.id, "kind": p.kind, "value": p.value, "weight": p.weight, "share": p.share,
                "contribution": p.contribution, "coverage": p.coverage, "evidence": p.evidence,
                "source": p.source, "place": p.place, "rule": p.rule,
            })).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }
}

/// At most `n` characters, with an ellipsis when cut (full text in `--format json`).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n - 3).collect::<String>())
    }
}

/// Left-aligned columns separated by two spaces, every cell made safe for a terminal first
/// (`crate::error::terminal_safe`) so that the columns line up as printed.
pub fn table(rows: &[Vec<String>]) -> String {
    let safe: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| crate::error::terminal_safe(c).into_owned())
                .collect()
        })
        .collect();
    let rows = &safe;
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..ncol)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
