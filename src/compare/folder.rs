//! The comparison `compare` makes, the folder it writes and the summary it prints: the command
//! line and the Python binding call these same functions.

use std::path::{Path, PathBuf};

use crate::compare::{self, Change, Rescore, Side};
use crate::error::{Error, InputError, Problem};
use crate::evidence::{Date, Inputs, parse_date};
use crate::explain::table;
use crate::files::sha256_hex;
use crate::limits::Limits;
use crate::output::manifest::{
    self, CompareManifest, CompareSummary, FileRecord, Mover, NotAttributed, Outputs, StatusCounts,
};
use crate::output::opt_number;
use crate::output::schema::{self, Cell, Table, TableFormat};
use crate::pipeline::scenario::ScenarioError;
use crate::request::{Named, Request};
use crate::rubric::Rubric;

/// Reads a request's rubric and inputs for one date (`Request::load`, to which a caller may add
/// warnings of its own).
pub(crate) type Load<'a> =
    dyn Fn(&Request) -> Result<(Rubric, Inputs, Option<Date>), InputError> + 'a;

/// What to compare: A and B (rubrics, evidence files, dates or `score` results folders), the
/// inputs they share, and how many of the biggest movers to explain.
pub struct Sides<'a> {
    /// A, as given.
    pub a: &'a str,
    /// B, as given.
    pub b: &'a str,
    /// The inputs both sides share (the evidence for two rubrics, the rubric for two evidence
    /// files).
    pub inputs: &'a Request,
    /// How many of the biggest movers to explain.
    pub movers: usize,
    /// A and B as evidence tables in memory (two DataFrames from Python), under the names `a`
    /// and `b`, instead of two files; `None` on the command line.
    pub evidence_in_memory: Option<(Named, Named)>,
}

/// A and B, the same kind of thing; else the problem.
pub fn kind(a: &str, b: &str) -> Result<Kind, InputError> {
    let kind = kind_of(a);
    if kind_of(b) != kind {
        return Err(InputError::one(
            Problem::new(format!("`{a}` and `{b}` are not the same kind of thing"))
                .help("compare two rubrics (.toml), two evidence files, two dates (YYYY-MM-DD) or two `score` results folders"),
        ));
    }
    Ok(kind)
}

/// Compares A with B (of the kind [`kind`] found), reading inputs with `load`.
pub fn compare(
    sides: &Sides<'_>,
    kind: Kind,
    limits: &Limits,
    load: &Load<'_>,
) -> Result<Compared, Error> {
    let half = match kind {
        Kind::Results => results_sides(sides, limits)?,
        Kind::Rubrics => rubric_sides(sides, load)?,
        Kind::Evidence | Kind::Dates => input_sides(sides, kind, load)?,
    };
    let shifts = compare::shifts(&half.a, &half.b);
    let summary = compare::summarise(&shifts);
    Ok(Compared {
        kind,
        labels: (sides.a.to_string(), sides.b.to_string()),
        set: sides.inputs.set.clone(),
        in_memory: in_memory(sides, kind),
        movers: sides.movers,
        a: half.a,
        b: half.b,
        changes: half.changes,
        movers_text: half.movers_text,
        not_attributed: half.not_attributed,
        shifts,
        summary,
    })
}

/// The tables read from memory, by name and the SHA-256 of their text: the shared ones, with A
/// and B in place of the shared evidence when they are two evidence tables.
fn in_memory(sides: &Sides<'_>, kind: Kind) -> Vec<FileRecord> {
    let m = &sides.inputs.memory;
    let two_evidence = kind == Kind::Evidence;
    let pair = sides.evidence_in_memory.as_ref().filter(|_| two_evidence);
    let evidence = m.evidence.as_ref().filter(|_| !two_evidence);
    let (a, b) = (pair.map(|p| &p.0), pair.map(|p| &p.1));
    [a, b, evidence, m.jurisdictions.as_ref(), m.dyads.as_ref()]
        .into_iter()
        .flatten()
        .map(|t| FileRecord {
            path: t.name.clone(),
            sha256: sha256_hex(&t.bytes),
        })
        .collect()
}

/// What is being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Two rubrics on the same inputs.
    Rubrics,
    /// Two evidence files with the same rubric.
    Evidence,
    /// Two evaluation dates.
    Dates,
    /// Two `score` results folders.
    Results,
}

impl Kind {
    /// Its name in the summary and the manifest.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Rubrics => "rubrics",
            Kind::Evidence => "evidence",
            Kind::Dates => "dates",
            Kind::Results => "results",
        }
    }
}

/// The kind of thing `x` names: a date, a folder, a rubric (.toml), else an evidence file.
pub(crate) fn kind_of(x: &str) -> Kind {
    let p = Path::new(x);
    if parse_date(x).is_some() {
        Kind::Dates
    } else if p.is_dir() {
        Kind::Results
    } else if x.ends_with(".toml") {
        Kind::Rubrics
    } else {
        Kind::Evidence
    }
}

/// The two sides compared, what differs between their rubrics, and the attribution.
pub struct Compared {
    /// What is compared.
    pub kind: Kind,
    /// A and B as given.
    pub labels: (String, String),
    /// The `--set` overrides shared by both sides (recorded in the manifest).
    pub set: Vec<String>,
    /// The tables read from memory, not from files (recorded in the manifest).
    pub in_memory: Vec<FileRecord>,
    /// How many of the biggest movers are explained.
    pub movers: usize,
    /// Side A.
    pub a: Side,
    /// Side B.
    pub b: Side,
    /// What differs between the rubrics.
    pub changes: Vec<Change>,
    movers_text: Option<String>,
    not_attributed: Vec<NotAttributed>,
    /// Every jurisdiction's rank and score on both sides.
    pub shifts: Vec<compare::Shift>,
    /// The rank correlations and counts.
    pub summary: compare::Summary,
}

/// The two sides and the attribution, before the shifts.
struct Half {
    a: Side,
    b: Side,
    changes: Vec<Change>,
    movers_text: Option<String>,
    not_attributed: Vec<NotAttributed>,
}

/// Two `score` results folders: their scores and the difference of the settings they record.
fn results_sides(args: &Sides<'_>, limits: &Limits) -> Result<Half, Error> {
    let a = Side::from_folder(Path::new(args.a), limits)?;
    let b = Side::from_folder(Path::new(args.b), limits)?;
    let changes = match (&a.settings, &b.settings) {
        (Some(x), Some(y)) => compare::rubric_diff(x, y),
        _ => Vec::new(),
    };
    Ok(Half {
        a,
        b,
        changes,
        movers_text: None,
        not_attributed: Vec::new(),
    })
}

/// Two rubrics scored on the same inputs, with each change's effect alone.
fn rubric_sides(args: &Sides<'_>, load: &Load<'_>) -> Result<Half, Error> {
    if args.inputs.rubric.is_some() {
        return Err(InputError::one(Problem::new(
            "comparing two rubrics: give them as A and B, not with --rubric",
        ))
        .into());
    }
    let mut ia = args.inputs.clone();
    ia.rubric = Some(PathBuf::from(&args.a));
    let (ra, inputs_a, as_of) = load(&ia)?;
    let mut ib = args.inputs.clone();
    ib.rubric = Some(PathBuf::from(&args.b));
    let (rb, inputs_b, _) = load(&ib)?;
    let a = crate::pipeline::score(ra, inputs_a, as_of)?;
    let b = crate::pipeline::score(rb, inputs_b, as_of)?;
    let changes = compare::rubric_diff(
        &a.rubric.provenance.effective,
        &b.rubric.provenance.effective,
    );
    let side_a = Side::from_scored(args.a, &a);
    let side_b = Side::from_scored(args.b, &b);
    let effects = compare::effects(&Rescore { a: &a, b: &b }, &changes);
    let text = attribution(&side_a, &side_b, &changes, &effects, args.movers);
    let not_attributed = changes
        .iter()
        .zip(&effects)
        .filter_map(|(c, e)| {
            let why = e.as_ref().err()?;
            Some(NotAttributed {
                change: c.describe(),
                reason: why.to_string().lines().collect::<Vec<_>>().join("; "),
            })
        })
        .collect();
    Ok(Half {
        a: side_a,
        b: side_b,
        changes,
        movers_text: Some(text),
        not_attributed,
    })
}

/// Two evidence files or two dates scored with the same rubric, with the criteria that moved
/// the biggest movers.
fn input_sides(args: &Sides<'_>, kind: Kind, load: &Load<'_>) -> Result<Half, Error> {
    let scored = |x: &str, given: Option<&Named>| -> Result<crate::pipeline::Scored, InputError> {
        let mut i = args.inputs.clone();
        if kind == Kind::Dates {
            i.as_of = Some(x.to_string());
        } else {
            // This side's evidence replaces any shared one, from a file or from memory.
            i.evidence = given.is_none().then(|| PathBuf::from(x));
            i.memory.evidence = given.cloned();
            i.data = None;
        }
        let (r, inputs, as_of) = load(&i)?;
        crate::pipeline::score(r, inputs, as_of)
    };
    let given = args.evidence_in_memory.as_ref();
    let a = scored(args.a, given.map(|p| &p.0))?;
    let b = scored(args.b, given.map(|p| &p.1))?;
    let side_a = Side::from_scored(args.a, &a);
    let side_b = Side::from_scored(args.b, &b);
    let shifts = compare::shifts(&side_a, &side_b);
    let mut lines = String::new();
    for s in biggest(&shifts, args.movers) {
        let changed = compare::criterion_changes(&a, &b, &s.jurisdiction);
        let list: Vec<String> = changed
            .iter()
            .take(3)
            .map(|(id, x, y, _)| format!("`{id}` {} -> {}", opt_number(*x), opt_number(*y)))
            .collect();
        lines.push_str(&format!(
            "{} {}: {}; criteria that changed most: {}\n",
            s.jurisdiction,
            movement(s),
            s.name,
            if list.is_empty() {
                "none (the move comes from others' changes)".to_string()
            } else {
                list.join(", ")
            }
        ));
    }
    Ok(Half {
        a: side_a,
        b: side_b,
        changes: Vec::new(),
        movers_text: Some(lines),
        not_attributed: Vec::new(),
    })
}

impl Compared {
    /// The tables of the folder: `rank_shifts.csv`, `score_deltas.csv`.
    pub fn tables(&self) -> Vec<Table> {
        vec![self.rank_shifts(), self.score_deltas().0]
    }

    fn rank_shifts(&self) -> Table {
        let mut t = Table::new(&schema::RANK_SHIFTS);
        for s in &self.shifts {
            t.push(vec![
                Cell::text(&s.jurisdiction),
                Cell::text(&s.name),
                Cell::integer(s.rank.0),
                Cell::integer(s.rank.1),
                Cell::integer(s.shift()),
                Cell::number(s.score.0),
                Cell::number(s.score.1),
            ]);
        }
        t
    }

    /// Every score on either side, with the status counts.
    fn score_deltas(&self) -> (Table, StatusCounts) {
        let (side_a, side_b) = (&self.a, &self.b);
        let mut t = Table::new(&schema::SCORE_DELTAS);
        let mut counts = StatusCounts::default();
        let mut keys: Vec<&(String, String)> =
            side_a.scores.keys().chain(side_b.scores.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let (ka, sa) = side_a.scores.get(key).cloned().unwrap_or_default();
            let (kb, sb) = side_b.scores.get(key).cloned().unwrap_or_default();
            let delta = sa.zip(sb).map(|(x, y)| y - x);
            let status = compare::Delta::of(sa, sb);
            let count = match status {
                compare::Delta::Changed if delta == Some(0.0) => &mut counts.same,
                compare::Delta::Changed => &mut counts.changed,
                compare::Delta::New => &mut counts.new,
                compare::Delta::Gone => &mut counts.gone,
                compare::Delta::Unknown => &mut counts.unknown,
            };
            *count += 1;
            let status = if status == compare::Delta::Changed && delta == Some(0.0) {
                "same"
            } else {
                status.name()
            };
            t.push(vec![
                Cell::text(&key.0),
                Cell::text(&key.1),
                Cell::text(if ka.is_empty() { kb } else { ka }),
                Cell::number(sa),
                Cell::number(sb),
                Cell::number(delta),
                Cell::text(status),
            ]);
        }
        (t, counts)
    }

    /// The folder's files: rank shifts, score deltas, the summary, the manifest.
    pub fn files(&self, format: TableFormat) -> Vec<(String, Vec<u8>)> {
        let (side_a, side_b) = (&self.a, &self.b);
        let (deltas, counts) = self.score_deltas();
        let mut files = vec![
            self.rank_shifts().into_file_as(format),
            deltas.into_file_as(format),
        ];
        let movers: Vec<Mover> = biggest(&self.shifts, self.movers)
            .iter()
            .map(|s| Mover {
                jurisdiction: s.jurisdiction.clone(),
                name: s.name.clone(),
                rank_a: s.rank.0,
                rank_b: s.rank.1,
                shift: s.shift(),
            })
            .collect();
        let summary = &self.summary;
        let summary_json = CompareSummary {
            label_a: self.labels.0.clone(),
            label_b: self.labels.1.clone(),
            kind: self.kind.name().to_string(),
            evaluation_a: side_a.evaluation.clone(),
            evaluation_b: side_b.evaluation.clone(),
            same_date: side_a.date() == side_b.date(),
            scores: counts,
            jurisdictions_compared: summary.compared,
            spearman: summary.spearman,
            kendall: summary.kendall,
            top10_overlap: summary.top10_overlap,
            moved_more_than_5: summary.moved_more_than_5,
            changes: self.changes.iter().map(Change::describe).collect(),
            biggest_movers: movers,
            not_attributed: self.not_attributed.clone(),
        };
        files.push((
            schema::COMPARE_SUMMARY.name.to_string(),
            manifest::to_bytes(&summary_json),
        ));
        let manifest = manifest::to_bytes(&CompareManifest {
            schema: manifest::SCHEMA,
            accord_version: env!("CARGO_PKG_VERSION").to_string(),
            command: "compare".to_string(),
            a: self.labels.0.clone(),
            b: self.labels.1.clone(),
            kind: self.kind.name().to_string(),
            set: self.set.clone(),
            memory: self.in_memory.clone(),
            format: manifest::format_of(&files),
            outputs: Outputs::of(&files),
        });
        files.push((schema::COMPARE_MANIFEST.name.to_string(), manifest));
        files
    }

    /// What `compare` prints: the sides, the changes, the rank correlations, the score counts and
    /// the biggest movers; the caller adds where it wrote.
    pub fn summary(&self) -> String {
        let (side_a, side_b, changes, kind) = (&self.a, &self.b, &self.changes, self.kind);
        let (summary, counts) = (&self.summary, self.score_deltas().1);
        let mut report = String::new();
        report.push_str(&format!(
            "comparing {} `{}` (A) with `{}` (B)\n",
            kind.name(),
            self.labels.0,
            self.labels.1
        ));
        let on = |s: &compare::Side| s.date().unwrap_or("no date").to_string();
        if side_a.date() == side_b.date() {
            report.push_str(&format!("both evaluated on {}\n", on(side_a)));
        } else {
            report.push_str(&format!(
                "A evaluated on {}, B on {}{}\n",
                on(side_a),
                on(side_b),
                if kind == Kind::Dates {
                    ""
                } else {
                    ": the sides were evaluated on different dates, so what changed between the dates is part of the difference"
                }
            ));
        }
        if matches!(kind, Kind::Rubrics | Kind::Results) {
            if changes.is_empty() {
                report.push_str(
                    "the rubrics score alike: no criterion, weight, rule or setting differs\n",
                );
            } else {
                report.push_str(&format!(
                    "{} change{}:\n",
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" }
                ));
                for c in changes {
                    report.push_str(&format!("  {}\n", c.describe()));
                }
            }
        }
        report.push_str(&format!(
            "{} jurisdictions ranked in both; Spearman {}, Kendall {}; {} of the top 10 stay in the top 10; {} moved more than 5 places\n",
            summary.compared,
            fmt(summary.spearman),
            fmt(summary.kendall),
            summary.top10_overlap,
            summary.moved_more_than_5
        ));
        report.push_str(&format!(
            "scores: {} changed, {} the same, {} newly known in B, {} known in A only\n",
            counts.changed, counts.same, counts.new, counts.gone
        ));
        if let Some(m) = self
            .movers_text
            .clone()
            .filter(|m| !m.is_empty() && m.lines().count() > usize::from(kind == Kind::Rubrics))
        {
            report.push_str("biggest movers:\n");
            report.push_str(&m);
        } else if summary.compared > 0 && biggest(&self.shifts, 1).is_empty() {
            report.push_str("no jurisdiction changed rank\n");
        } else if kind == Kind::Results && !changes.is_empty() {
            report.push_str("attribution needs the rubrics: compare the rubric files to see which change moved whom\n");
        }
        report
    }
}

fn fmt(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".to_string(), |v| format!("{v:.3}"))
}

fn movement(s: &compare::Shift) -> String {
    match (s.rank.0, s.rank.1, s.shift()) {
        (Some(a), Some(b), Some(d)) if d > 0 => format!("up {d} ({a} -> {b})"),
        (Some(a), Some(b), Some(d)) if d < 0 => format!("down {} ({a} -> {b})", -d),
        (Some(a), Some(b), _) => format!("unchanged ({a} -> {b})"),
        (Some(a), None, _) => format!("no longer ranked (was {a})"),
        (None, Some(b), _) => format!("newly ranked ({b})"),
        (None, None, _) => "not ranked".to_string(),
    }
}

/// The jurisdictions that moved most (ranked in both), largest first, then by code.
fn biggest(shifts: &[compare::Shift], n: usize) -> Vec<&compare::Shift> {
    let mut v: Vec<&compare::Shift> = shifts
        .iter()
        .filter(|s| s.shift().is_some_and(|d| d != 0))
        .collect();
    v.sort_by(|a, b| {
        b.shift()
            .map(i64::abs)
            .cmp(&a.shift().map(i64::abs))
            .then(a.jurisdiction.cmp(&b.jurisdiction))
    });
    v.truncate(n);
    v
}

fn attribution(
    a: &Side,
    b: &Side,
    changes: &[Change],
    effects: &[Result<std::collections::BTreeMap<String, i64>, ScenarioError>],
    n: usize,
) -> String {
    let shifts = compare::shifts(a, b);
    let mut rows = vec![vec![
        "jurisdiction".to_string(),
        "move".to_string(),
        "moved most by".to_string(),
        "alone".to_string(),
    ]];
    for s in biggest(&shifts, n) {
        let best = changes
            .iter()
            .zip(effects)
            .filter_map(|(c, e)| Some((c, *e.as_ref().ok()?.get(&s.jurisdiction)?)))
            .max_by(|x, y| x.1.abs().cmp(&y.1.abs()));
        let (who, alone) = match best {
            Some((c, e)) if e != 0 => (
                c.describe(),
                if e > 0 {
                    format!("up {e}")
                } else {
                    format!("down {}", -e)
                },
            ),
            _ => (
                "no single change: the changes together".to_string(),
                "-".to_string(),
            ),
        };
        rows.push(vec![s.jurisdiction.clone(), movement(s), who, alone]);
    }
    let mut text = table(&rows);
    for (c, e) in changes.iter().zip(effects) {
        if let Err(why) = e {
            text.push_str(&format!(
                "not attributed: {} could not be applied alone: {}\n",
                c.describe(),
                crate::error::terminal_safe(
                    &why.to_string().lines().collect::<Vec<_>>().join("; ")
                )
            ));
        }
    }
    text
}
