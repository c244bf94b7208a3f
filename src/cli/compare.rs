//! `accord compare`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{InputArgs, print};
use accord::compare::{self, Change, Rescore, Side};
use accord::error::{Error, InputError, Problem};
use accord::evidence::parse_date;
use accord::explain::table;
use accord::output::manifest::{
    self, CompareManifest, CompareSummary, Mover, NotAttributed, Outputs, StatusCounts,
};
use accord::output::opt_number;
use accord::output::schema::{self, Cell, Table};
use accord::pipeline::scenario::ScenarioError;

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// A: a rubric (.toml), an evidence file, a date (YYYY-MM-DD) or a `score` results folder.
    pub a: String,
    /// B: the same kind of thing as A.
    pub b: String,
    /// Inputs shared by both sides (the evidence for two rubrics, the rubric for two evidence files).
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
    /// How many of the biggest movers to explain.
    #[arg(long, default_value_t = 5)]
    pub movers: usize,
}

/// What is being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rubrics,
    Evidence,
    Dates,
    Results,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Rubrics => "rubrics",
            Kind::Evidence => "evidence",
            Kind::Dates => "dates",
            Kind::Results => "results",
        }
    }
}

fn kind_of(x: &str) -> Kind {
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
struct Compared {
    a: Side,
    b: Side,
    changes: Vec<Change>,
    movers_text: Option<String>,
    not_attributed: Vec<NotAttributed>,
}

/// Runs `compare`.
pub fn run(args: &CompareArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let kind = kind_of(&args.a);
    if kind_of(&args.b) != kind {
        return Err(InputError::one(
            Problem::new(format!("`{}` and `{}` are not the same kind of thing", args.a, args.b))
                .help("compare two rubrics (.toml), two evidence files, two dates (YYYY-MM-DD) or two `score` results folders"),
        )
        .into());
    }
    let out = args.output.begin()?;
    let c = match kind {
        Kind::Results => results_sides(args, limits)?,
        Kind::Rubrics => rubric_sides(args, limits)?,
        Kind::Evidence | Kind::Dates => input_sides(args, kind, limits)?,
    };
    let shifts = compare::shifts(&c.a, &c.b);
    let summary = compare::summarise(&shifts);
    let (files, counts) = files(args, kind, &c, &shifts, &summary);
    for (name, b) in &files {
        out.write(name, b)?;
    }
    let mut guard = args
        .inputs
        .resolve(limits)
        .map(|r| r.guard())
        .unwrap_or_default();
    guard.add(&args.a).add(&args.b);
    out.commit(&guard)?;
    let mut report = words(args, kind, &c, &shifts, &summary, &counts);
    report.push_str(&format!("wrote {}/\n", args.output.out.display()));
    print(&report)
}

/// Two `score` results folders: their scores and the difference of the settings they record.
fn results_sides(args: &CompareArgs, limits: &accord::limits::Limits) -> Result<Compared, Error> {
    let a = Side::from_folder(Path::new(&args.a), limits)?;
    let b = Side::from_folder(Path::new(&args.b), limits)?;
    let changes = match (&a.settings, &b.settings) {
        (Some(x), Some(y)) => compare::rubric_diff(x, y),
        _ => Vec::new(),
    };
    Ok(Compared {
        a,
        b,
        changes,
        movers_text: None,
        not_attributed: Vec::new(),
    })
}

/// Two rubrics scored on the same inputs, with each change's effect alone.
fn rubric_sides(args: &CompareArgs, limits: &accord::limits::Limits) -> Result<Compared, Error> {
    if args.inputs.rubric.is_some() {
        return Err(InputError::one(Problem::new(
            "comparing two rubrics: give them as A and B, not with --rubric",
        ))
        .into());
    }
    let mut ia = args.inputs.clone();
    ia.rubric = Some(PathBuf::from(&args.a));
    let (ra, inputs_a, as_of) = ia.load(limits)?;
    let mut ib = args.inputs.clone();
    ib.rubric = Some(PathBuf::from(&args.b));
    let (rb, inputs_b, _) = ib.load(limits)?;
    let a = accord::score(ra, inputs_a, as_of)?;
    let b = accord::score(rb, inputs_b, as_of)?;
    let changes = compare::rubric_diff(
        &a.rubric.provenance.effective,
        &b.rubric.provenance.effective,
    );
    let side_a = Side::from_scored(&args.a, &a);
    let side_b = Side::from_scored(&args.b, &b);
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
    Ok(Compared {
        a: side_a,
        b: side_b,
        changes,
        movers_text: Some(text),
        not_attributed,
    })
}

/// Two evidence files or two dates scored with the same rubric, with the criteria that moved
/// the biggest movers.
fn input_sides(
    args: &CompareArgs,
    kind: Kind,
    limits: &accord::limits::Limits,
) -> Result<Compared, Error> {
    let scored = |x: &str| -> Result<accord::Scored, InputError> {
        let mut i = args.inputs.clone();
        if kind == Kind::Dates {
            i.as_of = Some(x.to_string());
        } else {
            i.evidence = Some(PathBuf::from(x));
            i.data = None;
        }
        let (r, inputs, as_of) = i.load(limits)?;
        accord::score(r, inputs, as_of)
    };
    let a = scored(&args.a)?;
    let b = scored(&args.b)?;
    let side_a = Side::from_scored(&args.a, &a);
    let side_b = Side::from_scored(&args.b, &b);
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
    Ok(Compared {
        a: side_a,
        b: side_b,
        changes: Vec::new(),
        movers_text: Some(lines),
        not_attributed: Vec::new(),
    })
}

/// The folder's files (rank shifts, score deltas, the summary, the manifest) and the status
/// counts of the score deltas.
fn files(
    args: &CompareArgs,
    kind: Kind,
    c: &Compared,
    shifts: &[compare::Shift],
    summary: &compare::Summary,
) -> (Vec<(String, Vec<u8>)>, StatusCounts) {
    let (side_a, side_b, changes) = (&c.a, &c.b, &c.changes);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut t = Table::new(&schema::RANK_SHIFTS);
    for s in shifts {
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
    files.push(t.into_file_as(args.output.format.format()));
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
    files.push(t.into_file_as(args.output.format.format()));
    let movers: Vec<Mover> = biggest(shifts, args.movers)
        .iter()
        .map(|s| Mover {
            jurisdiction: s.jurisdiction.clone(),
            name: s.name.clone(),
            rank_a: s.rank.0,
            rank_b: s.rank.1,
            shift: s.shift(),
        })
        .collect();
    let summary_json = CompareSummary {
        label_a: args.a.clone(),
        label_b: args.b.clone(),
        kind: kind.name().to_string(),
        evaluation_a: side_a.evaluation.clone(),
        evaluation_b: side_b.evaluation.clone(),
        same_date: side_a.date() == side_b.date(),
        scores: counts.clone(),
        jurisdictions_compared: summary.compared,
        spearman: summary.spearman,
        kendall: summary.kendall,
        top10_overlap: summary.top10_overlap,
        moved_more_than_5: summary.moved_more_than_5,
        changes: changes.iter().map(Change::describe).collect(),
        biggest_movers: movers,
        not_attributed: c.not_attributed.clone(),
    };
    files.push((
        schema::COMPARE_SUMMARY.name.to_string(),
        manifest::to_bytes(&summary_json),
    ));
    let manifest = manifest::to_bytes(&CompareManifest {
        schema: manifest::SCHEMA,
        accord_version: env!("CARGO_PKG_VERSION").to_string(),
        command: "compare".to_string(),
        a: args.a.clone(),
        b: args.b.clone(),
        kind: kind.name().to_string(),
        set: args.inputs.set.clone(),
        format: manifest::format_of(&files),
        outputs: Outputs::of(&files),
    });
    files.push((schema::COMPARE_MANIFEST.name.to_string(), manifest));
    (files, counts)
}

/// What stdout says.
fn words(
    args: &CompareArgs,
    kind: Kind,
    c: &Compared,
    shifts: &[compare::Shift],
    summary: &compare::Summary,
    counts: &StatusCounts,
) -> String {
    let (side_a, side_b, changes) = (&c.a, &c.b, &c.changes);
    let mut report = String::new();
    report.push_str(&format!(
        "comparing {} `{}` (A) with `{}` (B)\n",
        kind.name(),
        args.a,
        args.b
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
    if let Some(m) = c
        .movers_text
        .clone()
        .filter(|m| !m.is_empty() && m.lines().count() > usize::from(kind == Kind::Rubrics))
    {
        report.push_str("biggest movers:\n");
        report.push_str(&m);
    } else if summary.compared > 0 && biggest(shifts, 1).is_empty() {
        report.push_str("no jurisdiction changed rank\n");
    } else if kind == Kind::Results && !changes.is_empty() {
        report.push_str("attribution needs the rubrics: compare the rubric files to see which change moved whom\n");
    }
    report
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
                accord::error::terminal_safe(
                    &why.to_string().lines().collect::<Vec<_>>().join("; ")
                )
            ));
        }
    }
    text
}
