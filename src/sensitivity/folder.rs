//! The folder `sensitivity` writes and the summary it prints, built from an analysis: the
//! command line and the Python binding call these same functions.

use std::path::Path;

use crate::error::{InputError, Problem, Problems};
use crate::explain::table;
use crate::output::manifest::{FactorRecord, FileRecord, SensitivityOptions, SpecRecord};
use crate::output::number;
use crate::output::schema::{self, Cell, Table, TableFormat};
use crate::pipeline::Scored;
use crate::sensitivity::design::{Design, Sampler};
use crate::sensitivity::estimate::{Indices, Note};
use crate::sensitivity::factors::{
    Context, FactorKind, Spec, default_spec_file, read_spec, read_spec_file,
};
use crate::sensitivity::{Options, Outcome, Run};

/// Most worker threads, design rows and bootstrap samples accepted: far above any real analysis,
/// low enough that a typo cannot exhaust the machine.
pub(crate) const MAX_THREADS: usize = 1024;
/// Most base rows (`--runs`).
pub(crate) const MAX_RUNS: usize = 1_000_000;
/// Most bootstrap resamples.
pub(crate) const MAX_BOOTSTRAP: usize = 100_000;

/// Refuses counts that would exhaust the machine before any work starts; `names` are what the
/// caller calls the thread count, the base sample size and the resamples (`--threads`, ...).
pub fn check_counts(
    names: [&str; 3],
    threads: Option<usize>,
    runs: usize,
    bootstrap: usize,
) -> Result<(), InputError> {
    let mut problems = Problems::new();
    for (flag, value, max) in [
        (names[0], threads.unwrap_or(1), MAX_THREADS),
        (names[1], runs, MAX_RUNS),
        (names[2], bootstrap, MAX_BOOTSTRAP),
    ] {
        if value > max {
            problems.push(
                Problem::new(format!("`{flag} {value}` is more than the limit of {max}"))
                    .help(format!("give {flag} at most {max}")),
            );
        }
    }
    problems.finish(())
}

/// The uncertain factors: from `spec` when given, else the rubric's own `[uncertainty]`, else
/// the spec file beside the rubric (or beside a rubric it extends); `rubric_path` names the
/// rubric in the message when there are none.
pub fn find_spec(
    spec: Option<&Path>,
    rubric_path: &Path,
    ctx: &Context<'_>,
) -> Result<Spec, InputError> {
    match (spec, &ctx.scored.rubric.uncertainty) {
        (Some(path), _) => read_spec_file(path, ctx),
        (None, Some(tv)) => read_spec(tv, ctx),
        (None, None) => match default_spec_file(&ctx.scored.rubric) {
            Some(path) => read_spec_file(&path, ctx),
            None => {
                let beside = rubric_path.with_extension("sensitivity.toml");
                Err(InputError::one(
                    Problem::new(format!(
                        "no uncertain factors for rubric `{}`: no --spec was given, it has no [uncertainty] section, and there is no `{}` beside it",
                        ctx.scored.rubric.meta.id,
                        beside.display()
                    ))
                    .help("write the factors in a spec file beside the rubric (as rubrics/paris-call.sensitivity.toml is for the Paris Call rubric), in the rubric's [uncertainty] section, or in a file passed with --spec (see the README)"),
                ))
            }
        },
    }
}

/// The number of replications an analysis runs (what its progress counts to).
pub fn total_runs(options: &Options, spec: &Spec) -> usize {
    match options.design {
        Design::Ua => options.n,
        Design::Sa => options.n * (spec.factors.len() + 2),
    }
}

fn tier_index(s: &Scored) -> impl Fn(f64) -> Option<usize> + '_ {
    move |x| s.rubric.tiers.iter().position(|t| x >= t.min)
}

/// The tables of a sensitivity results folder, in writing order.
pub fn tables(s: &Scored, o: &Outcome, options: &Options, runs_csv: bool) -> Vec<Table> {
    let juris = &s.inputs.jurisdictions;
    let tier = tier_index(s);
    let mut tables = Vec::new();

    let mut t = Table::new(&schema::RANK_INTERVALS);
    for (j, x) in juris.list.iter().enumerate() {
        let st = o.rank_stats(j, &tier);
        t.push(vec![
            Cell::text(&x.code),
            Cell::text(&x.name),
            Cell::number(o.nominal_scores[j]),
            Cell::integer(o.nominal_ranks[j]),
            Cell::number(st.mean),
            Cell::number(st.median),
            Cell::number(st.q05),
            Cell::number(st.q95),
            Cell::number(st.p_top10),
            Cell::number(st.p_same_tier),
            Cell::count(st.runs),
        ]);
    }
    tables.push(t);

    if let Some(indices) = o.indices(options.bootstrap, options.seed) {
        let mut t = Table::new(&schema::SENSITIVITY_INDICES);
        for (i, (name, ix)) in o.factors.iter().zip(&indices).enumerate() {
            t.push(vec![
                Cell::text(name),
                Cell::number(ix.si),
                Cell::number(ix.si_interval.map(|q| q.0)),
                Cell::number(ix.si_interval.map(|q| q.1)),
                Cell::number(ix.sti),
                Cell::number(ix.sti_interval.map(|q| q.0)),
                Cell::number(ix.sti_interval.map(|q| q.1)),
                Cell::number(o.rank_shift(i)),
                Cell::count(ix.rows),
                Cell::text(status(ix)),
                Cell::text(notes(ix)),
            ]);
        }
        tables.push(t);

        let mut t = Table::with(&schema::SENSITIVITY_BY_JURISDICTION, &o.factors, false);
        for (j, x) in juris.list.iter().enumerate() {
            let Some(sti) = o.unit_total_indices(j) else {
                continue;
            };
            let top = sti
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map_or(Cell::Na, |(i, _)| Cell::text(&o.factors[i]));
            let mut row = vec![Cell::text(&x.code), Cell::text(&x.name)];
            row.extend(sti.iter().map(|v| Cell::number(*v)));
            row.push(top);
            t.push(row);
        }
        tables.push(t);
    }

    let run_row = |i: usize, r: &Run| {
        let mut row = vec![Cell::count(i + 1), Cell::text(r.block.name(&o.factors))];
        row.extend(r.labels.iter().map(Cell::text));
        row
    };
    if o.failures().next().is_some() {
        let mut t = Table::with(&schema::FAILURES, &o.factors, false);
        for (i, r) in o.failures() {
            let mut row = run_row(i, r);
            row.push(Cell::text(r.error.as_deref().unwrap_or("")));
            t.push(row);
        }
        tables.push(t);
    }
    if runs_csv {
        let mut t = Table::with(&schema::RUNS, &o.factors, false);
        for (i, r) in o.runs.iter().enumerate() {
            let mut row = run_row(i, r);
            row.push(Cell::text(if r.error.is_some() { "failed" } else { "ok" }));
            row.push(Cell::number(r.y));
            t.push(row);
        }
        tables.push(t);
    }
    tables
}

/// The files of a sensitivity results folder.
pub fn files(
    s: &Scored,
    spec: &Spec,
    o: &Outcome,
    options: &Options,
    runs_csv: bool,
    format: TableFormat,
) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = tables(s, o, options, runs_csv)
        .into_iter()
        .map(|t| t.into_file_as(format))
        .collect();
    let factors: Vec<FactorRecord> = spec
        .factors
        .iter()
        .map(|f| match &f.kind {
            FactorKind::Discrete(alts) => FactorRecord::Discrete {
                name: f.name.clone(),
                kind: "discrete".to_string(),
                alternatives: alts.len(),
                labels: alts.iter().take(20).map(|a| a.label.clone()).collect(),
            },
            FactorKind::Continuous { lo, hi, .. } => FactorRecord::Continuous {
                name: f.name.clone(),
                kind: "continuous".to_string(),
                range: [*lo, *hi],
            },
        })
        .collect();
    let recorded = SensitivityOptions {
        design: match options.design {
            Design::Ua => "ua",
            Design::Sa => "sa",
        }
        .to_string(),
        sampler: match options.sampler {
            Sampler::Random => "random (ChaCha8, one stream per base row)",
            Sampler::Sobol => "sobol (Owen-scrambled)",
        }
        .to_string(),
        n: options.n,
        seed: options.seed,
        bootstrap: options.bootstrap,
        target: s.rubric.nodes[o.target].id.clone(),
        spec: match &spec.file {
            Some((path, sha)) => SpecRecord::File(FileRecord {
                path: path.clone(),
                sha256: sha.clone(),
            }),
            None => SpecRecord::Described("the rubric's [uncertainty] section".to_string()),
        },
        factors,
        runs: o.runs.len(),
        failed: o.failures().count(),
        design_rows_used: o.complete_rows(),
        regenerated_from: format!("{:?}", o.from).to_lowercase(),
    };
    let m = crate::output::manifest_with(s, &files, "sensitivity", Some(&recorded));
    files.push((schema::SENSITIVITY_MANIFEST.name.to_string(), m));
    files
}

/// What `sensitivity` prints: the design, its timing (`seconds` for `threads` worker threads),
/// where the factors come from, failures, and the indices with their notes; the caller adds
/// where it wrote.
pub fn summary(
    s: &Scored,
    spec: &Spec,
    o: &Outcome,
    options: &Options,
    elapsed: std::time::Duration,
    threads: usize,
) -> String {
    let mut t = String::new();
    let runs = o.runs.len();
    let secs = elapsed.as_secs_f64();
    t.push_str(&format!(
        "{} with {} factors, N = {}: {} regenerations of `{}` from the {:?} step in {:.3} s ({:.1} µs each on {} threads)\n",
        match options.design { Design::Ua => "uncertainty analysis", Design::Sa => "sensitivity analysis" },
        o.factors.len(),
        options.n,
        runs,
        s.rubric.nodes[o.target].id,
        o.from,
        secs,
        secs * 1e6 / runs.max(1) as f64,
        threads,
    ));
    match &spec.file {
        Some((path, _)) => t.push_str(&format!("uncertain factors from `{path}`\n")),
        None => t.push_str("uncertain factors from the rubric's [uncertainty] section\n"),
    }
    let failed = o.failures().count();
    if failed > 0 {
        t.push_str(&format!(
            "{failed} runs failed; their factor values and reasons are in failures.csv\n"
        ));
    }
    if let Some(indices) = o.indices(options.bootstrap, options.seed) {
        let used = o.complete_rows().unwrap_or(0);
        if used < o.n {
            t.push_str(&format!(
                "{used} of {} design rows have a result in all {} of their runs; the indices use only those\n",
                o.n,
                o.factors.len() + 2
            ));
        }
        let mut rows = vec![vec![
            "factor".to_string(),
            "first order".to_string(),
            "total".to_string(),
            "mean |rank shift|".to_string(),
            "rows".to_string(),
        ]];
        for (i, (name, ix)) in o.factors.iter().zip(&indices).enumerate() {
            rows.push(vec![
                name.clone(),
                fmt(ix.si),
                fmt(ix.sti),
                fmt(o.rank_shift(i)),
                ix.rows.to_string(),
            ]);
        }
        t.push_str(&table(&rows));
        for (name, ix) in o.factors.iter().zip(&indices) {
            for note in &ix.notes {
                t.push_str(&if note.is_na() {
                    format!("`{name}` is NA: {}\n", note.message())
                } else {
                    format!("warning: `{name}`: {}\n", note.message())
                });
            }
        }
    }
    t
}

/// `na` when the indices could not be estimated, `warning` when they carry a note, else `ok`.
fn status(ix: &Indices) -> &'static str {
    if ix.notes.iter().any(Note::is_na) {
        "na"
    } else if ix.notes.is_empty() {
        "ok"
    } else {
        "warning"
    }
}

fn notes(ix: &Indices) -> String {
    ix.notes
        .iter()
        .map(Note::message)
        .collect::<Vec<_>>()
        .join("; ")
}

fn fmt(x: Option<f64>) -> String {
    x.map_or_else(
        || "NA".to_string(),
        |v| number((v * 1000.0).round() / 1000.0),
    )
}
