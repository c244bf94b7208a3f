//! `accord sensitivity`.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::{Cli, InputArgs, print};
use accord::error::{Error, InputError, Problem};
use accord::explain::table;
use accord::output::manifest::{FactorRecord, FileRecord, SensitivityOptions, SpecRecord};
use accord::output::number;
use accord::output::schema::{self, Cell, Table, TableFormat};
use accord::sensitivity::design::{Design, Sampler};
use accord::sensitivity::estimate::{Indices, Note};
use accord::sensitivity::factors::{Context, Spec, default_spec_file, read_spec, read_spec_file};
use accord::sensitivity::{Options, Outcome, analyse};

/// Arguments of `sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
    /// Base sample size N: N runs for `ua`, N (factors + 2) runs for `sa`.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub runs: usize,
    /// Seed of every random draw: the same seed gives the same outputs, byte for byte.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// `ua`: uncertainty analysis (Monte Carlo); `sa`: Saltelli design with Sobol' indices.
    #[arg(long, value_enum, default_value_t = DesignArg::Sa)]
    pub design: DesignArg,
    /// Pseudo-random draws (ChaCha8) or a scrambled Sobol' sequence.
    #[arg(long, value_enum, default_value_t = SamplerArg::Random)]
    pub sampler: SamplerArg,
    /// Uncertain factors from this TOML file [default: the rubric's `[uncertainty]`, else
    /// `<rubric-stem>.sensitivity.toml` beside the rubric or a rubric it extends].
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Bootstrap resamples for the intervals of the indices (0 for none).
    #[arg(long, value_name = "B", default_value_t = 200)]
    pub bootstrap: usize,
    /// Also write runs.csv with every replication's factor values and output.
    #[arg(long)]
    pub runs_csv: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
}

/// Designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DesignArg {
    /// Uncertainty analysis.
    Ua,
    /// Sensitivity analysis.
    Sa,
}

/// Samplers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplerArg {
    /// ChaCha8 pseudo-random numbers.
    Random,
    /// Owen-scrambled Sobol' sequence.
    Sobol,
}

/// Most worker threads, design rows and bootstrap samples accepted: far above any real analysis,
/// low enough that a typo cannot exhaust the machine.
const MAX_THREADS: usize = 1024;
const MAX_RUNS: usize = 1_000_000;
const MAX_BOOTSTRAP: usize = 100_000;

/// Refuses counts that would exhaust the machine before any work starts.
fn check_counts(args: &SensitivityArgs) -> Result<(), InputError> {
    let mut problems = accord::error::Problems::new();
    for (flag, value, max) in [
        ("--threads", args.threads.unwrap_or(1), MAX_THREADS),
        ("--runs", args.runs, MAX_RUNS),
        ("--bootstrap", args.bootstrap, MAX_BOOTSTRAP),
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

/// Runs `sensitivity`.
pub fn run(
    args: &SensitivityArgs,
    cli: &Cli,
    limits: &accord::limits::Limits,
) -> Result<(), Error> {
    check_counts(args)?;
    let out = args.output.begin()?;
    let resolved = args.inputs.resolve(limits)?;
    let (rubric, inputs) = args.inputs.load_resolved(&resolved)?;
    if resolved.as_of.len() > 1 {
        return Err(InputError::one(Problem::new(
            "`sensitivity` evaluates on one date; `--as-of` names several",
        ))
        .into());
    }
    let scored = accord::score(rubric, inputs, resolved.as_of.first().copied())?;
    let ctx = Context {
        scored: &scored,
        limits,
        seed: args.seed,
    };
    // --spec, else the rubric's own [uncertainty], else the spec beside the rubric (or beside a
    // rubric it extends).
    let spec = match (&args.spec, &scored.rubric.uncertainty) {
        (Some(path), _) => read_spec_file(path, &ctx)?,
        (None, Some(tv)) => read_spec(tv, &ctx)?,
        (None, None) => match default_spec_file(&scored.rubric) {
            Some(path) => read_spec_file(&path, &ctx)?,
            None => {
                let beside = Path::new(&resolved.rubric).with_extension("sensitivity.toml");
                return Err(InputError::one(
                    Problem::new(format!(
                        "no uncertain factors for rubric `{}`: no --spec was given, it has no [uncertainty] section, and there is no `{}` beside it",
                        scored.rubric.meta.id,
                        beside.display()
                    ))
                    .help("write the factors in a spec file beside the rubric (as rubrics/paris-call.sensitivity.toml is for the Paris Call rubric), in the rubric's [uncertainty] section, or in a file passed with --spec (see the README)"),
                )
                .into());
            }
        },
    };
    let options = Options {
        design: match args.design {
            DesignArg::Ua => Design::Ua,
            DesignArg::Sa => Design::Sa,
        },
        sampler: match args.sampler {
            SamplerArg::Random => Sampler::Random,
            SamplerArg::Sobol => Sampler::Sobol,
        },
        n: args.runs,
        seed: args.seed,
        bootstrap: args.bootstrap,
    };
    let total = match options.design {
        Design::Ua => options.n,
        Design::Sa => options.n * (spec.factors.len() + 2),
    };
    let bar = (!cli.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs {elapsed_precise}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let tick = |_done: usize, _total: usize| {
        if let Some(b) = &bar {
            b.inc(1);
        }
        ControlFlow::Continue(())
    };
    let started = Instant::now();
    let outcome = match args.threads {
        None => analyse(&scored, &spec, &options, &tick)?,
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t.max(1))
                .build()
                .map_err(|e| Error::Internal(e.to_string().into()))?;
            pool.install(|| analyse(&scored, &spec, &options, &tick))?
        }
    };
    let elapsed = started.elapsed();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let files = files(
        &scored,
        &spec,
        &outcome,
        &options,
        args.runs_csv,
        args.output.format.format(),
    );
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    let mut guard = resolved.guard();
    guard.rubric(&ctx.scored.rubric);
    if let Some(spec) = &args.spec {
        guard.add(spec);
    }
    out.commit(&guard)?;
    print(&summary(
        &scored,
        &spec,
        &outcome,
        &options,
        elapsed,
        &args.output.out.display().to_string(),
    ))
}

fn tier_index(s: &accord::Scored) -> impl Fn(f64) -> Option<usize> + '_ {
    move |x| s.rubric.tiers.iter().position(|t| x >= t.min)
}

/// The tables of a sensitivity results folder, in writing order.
pub fn tables(s: &accord::Scored, o: &Outcome, options: &Options, runs_csv: bool) -> Vec<Table> {
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

    let run_row = |i: usize, r: &accord::sensitivity::Run| {
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
    s: &accord::Scored,
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
            accord::sensitivity::factors::FactorKind::Discrete(alts) => FactorRecord::Discrete {
                name: f.name.clone(),
                kind: "discrete".to_string(),
                alternatives: alts.len(),
                labels: alts.iter().take(20).map(|a| a.label.clone()).collect(),
            },
            accord::sensitivity::factors::FactorKind::Continuous { lo, hi, .. } => {
                FactorRecord::Continuous {
                    name: f.name.clone(),
                    kind: "continuous".to_string(),
                    range: [*lo, *hi],
                }
            }
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
    let m = accord::output::manifest_with(s, &files, "sensitivity", Some(&recorded));
    files.push((schema::SENSITIVITY_MANIFEST.name.to_string(), m));
    files
}

fn summary(
    s: &accord::Scored,
    spec: &Spec,
    o: &Outcome,
    options: &Options,
    elapsed: std::time::Duration,
    out: &str,
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
        rayon::current_num_threads(),
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
    t.push_str(&format!("wrote {out}/\n"));
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
