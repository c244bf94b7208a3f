//! The analyses of a scored run from Python (audit, agreement, sensitivity, align) and compare:
//! each builds its folder with the library's own builders (`accord::analysis::folder`,
//! `accord::agreement::folder`, `accord::sensitivity::folder`, `accord::align::folder`,
//! `accord::compare::folder`), the functions the command line calls, and keeps the files, the
//! typed tables and the summary.

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use accord::Scored;
use accord::align::folder;
use accord::error::{InputError, Problem};
use accord::limits::Limits;
use accord::output::schema::{Table, TableFormat};
use accord::output::{Inputs, OutputDir};
use accord::request::{Named, Request};
use accord::sensitivity::design::{Design, Sampler};
use accord::sensitivity::factors::{Context, Spec};
use accord::sensitivity::{Options, Outcome, folder as sa};

use crate::{Failure, guarded, panic_failure, table_to_py};

/// An analysis's results folder: what it computed (from which its files are made, in either
/// table format), its tables and what the command line prints.
#[pyclass(module = "accord._accord", frozen)]
pub struct Folder {
    made: Made,
    /// The run analysed (none for `compare`, whose sides are its own).
    run: Option<Py<crate::Run>>,
    tables: Vec<Table>,
    summary: String,
    guard: Inputs,
}

/// What an analysis computed, as the folder's files are made from it.
enum Made {
    Audit(Box<accord::analysis::folder::Audit>),
    Agreement(Box<accord::agreement::Report>),
    Align(Box<(folder::Similarity, folder::Network, accord::align::Options)>),
    Sensitivity(Box<(Spec, Outcome, Options, bool)>),
    Compare(Box<accord::compare::folder::Compared>),
}

impl Folder {
    fn new(made: Made, tables: Vec<Table>, summary: String, guard: Inputs) -> Folder {
        Folder {
            made,
            run: None,
            tables,
            summary,
            guard,
        }
    }

    /// The folder of an analysis of `run`.
    pub(crate) fn of_run(mut self, run: &Bound<'_, crate::Run>) -> Folder {
        self.run = Some(run.clone().unbind());
        self
    }

    /// The folder's files, its tables in `format`, as the command writes them.
    fn made(&self, format: TableFormat) -> Result<Vec<(String, Vec<u8>)>, Failure> {
        let scored = || -> Result<&Scored, Failure> {
            match &self.run {
                Some(run) => run.get().one_date("the analysis"),
                None => Err(Failure::Internal("an analysis without its run".to_string())),
            }
        };
        Ok(match &self.made {
            Made::Audit(a) => a.files(scored()?, format),
            Made::Agreement(r) => accord::agreement::folder::files(scored()?, r, format),
            Made::Align(x) => {
                let (a, c, options) = &**x;
                let mut files = accord::output::FolderWriter::memory();
                accord::align::folder::write(scored()?, a, c, options, format, &mut files)?;
                files.into_files()
            }
            Made::Sensitivity(x) => {
                let (spec, outcome, options, runs_csv) = &**x;
                sa::files(scored()?, spec, outcome, options, *runs_csv, format)
            }
            Made::Compare(c) => c.files(format),
        })
    }
}

#[pymethods]
impl Folder {
    /// The tables, each as (file name, header, columns of Python values).
    fn tables<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        self.tables.iter().map(|t| table_to_py(py, t)).collect()
    }

    /// What the command line prints, without its last line (where it wrote).
    #[getter]
    fn summary(&self) -> String {
        self.summary.clone()
    }

    /// The files of the folder, as (name, bytes), its tables in `format` (`csv` or `parquet`).
    #[pyo3(signature = (format="csv".to_string()))]
    fn files(&self, py: Python<'_>, format: String) -> PyResult<Vec<(String, Vec<u8>)>> {
        let format = crate::table_format(&format)?;
        Ok(guarded(py, || self.made(format))?)
    }

    /// Writes the folder, whole or not at all (`force`: replace an existing one), its tables in
    /// `format`; never over an input.
    #[pyo3(signature = (folder, force=false, format="csv".to_string()))]
    fn write(
        &self,
        py: Python<'_>,
        folder: PathBuf,
        force: bool,
        format: String,
    ) -> PyResult<usize> {
        let format = crate::table_format(&format)?;
        let n = guarded(py, || {
            let files = self.made(format)?;
            let out = OutputDir::begin(&folder, force)?;
            for (name, bytes) in &files {
                out.write(name, bytes)?;
            }
            out.commit(&self.guard)?;
            Ok(files.len())
        })?;
        Ok(n)
    }
}

/// What a written folder may not replace: the run's inputs and its rubric's bases.
fn guard_of(s: &Scored, paths: &[PathBuf]) -> Inputs {
    let mut guard = Inputs::new();
    for p in paths {
        guard.add(p);
    }
    guard.rubric(&s.rubric);
    guard
}

/// `accord audit` on a run: statistics and availability at `stage`, and the rest.
pub fn audit(s: &Scored, paths: &[PathBuf], stage: &str) -> Result<Folder, Failure> {
    use accord::analysis::Stage;
    let names: Vec<&str> = Stage::ALL.iter().map(|s| s.name()).collect();
    let stage = Stage::ALL
        .into_iter()
        .find(|x| x.name() == stage)
        .ok_or_else(|| {
            InputError::one(Problem::new(format!(
                "`{stage}` is not a stage (one of {})",
                names.join(", ")
            )))
        })?;
    let audit = accord::analysis::folder::Audit::compute(s, stage)?;
    let (tables, summary) = (audit.tables(s), audit.summary(s));
    Ok(Folder::new(
        Made::Audit(Box::new(audit)),
        tables,
        summary,
        guard_of(s, paths),
    ))
}

/// `accord agreement` on a run (the evidence needs a `coder` column).
pub fn agreement(s: &Scored, paths: &[PathBuf]) -> Result<Folder, Failure> {
    use accord::agreement::{self, folder};
    agreement::check_coders(&s.inputs).map_err(InputError::one)?;
    let report = agreement::report(&s.rubric, &s.inputs).map_err(InputError::one)?;
    let (tables, summary) = (folder::tables(s, &report), folder::summary(s, &report));
    Ok(Folder::new(
        Made::Agreement(Box::new(report)),
        tables,
        summary,
        guard_of(s, paths),
    ))
}

/// How an alignment is asked for from Python: the command's flags.
pub struct AlignArgs {
    pub level: Option<String>,
    pub metric: String,
    pub min_overlap: usize,
    pub clusters: usize,
    pub reference: Option<String>,
    pub top: Option<usize>,
}

/// `accord align` on a run: similarity, clusters, reference ranking and cooperation networks.
pub fn align(s: &Scored, paths: &[PathBuf], args: &AlignArgs) -> Result<Folder, Failure> {
    use accord::align::similarity::Metric;
    use accord::align::{Level, Options, folder};
    let level = match &args.level {
        Some(name) => Level::from_name(name).ok_or_else(|| {
            InputError::one(Problem::new(format!(
                "`{name}` is not a level to align on (criterion, cell, principle, dimension)"
            )))
        })?,
        None => folder::default_level(s),
    };
    let names: Vec<&str> = Metric::all().iter().map(|m| m.name()).collect();
    let metric = Metric::all()
        .into_iter()
        .find(|m| m.name() == args.metric)
        .ok_or_else(|| {
            InputError::one(Problem::new(format!(
                "`{}` is not a metric (one of {})",
                args.metric,
                names.join(", ")
            )))
        })?;
    for (name, value) in [("clusters", Some(args.clusters)), ("top", args.top)] {
        if value == Some(0) {
            return Err(InputError::one(Problem::new(format!("`{name}` is at least 1"))).into());
        }
    }
    let options = Options {
        level,
        metric,
        min_overlap: args.min_overlap,
        clusters: args.clusters,
        reference: args.reference.clone(),
    };
    let (a, c) = folder::compute(s, &options, args.top)?;
    let (tables, summary) = (
        folder::tables(s, &a, &c)?,
        folder::summary(s, &a, &c, &options),
    );
    Ok(Folder::new(
        Made::Align(Box::new((a, c, options))),
        tables,
        summary,
        guard_of(s, paths),
    ))
}

/// How a sensitivity analysis is asked for from Python.
pub struct SensitivityArgs {
    pub spec: Option<PathBuf>,
    pub runs: usize,
    pub seed: u64,
    pub design: String,
    pub sampler: String,
    pub bootstrap: usize,
    pub runs_csv: bool,
    pub threads: Option<usize>,
}

/// How often the progress callback is called and Ctrl-C is looked for.
const POLL: Duration = Duration::from_millis(100);

/// The options of an analysis, refused before any work when out of bounds.
fn sensitivity_options(a: &SensitivityArgs) -> Result<Options, Failure> {
    sa::check_counts(
        ["threads", "runs", "bootstrap"],
        a.threads,
        a.runs,
        a.bootstrap,
    )?;
    let design = match a.design.as_str() {
        "sa" => Design::Sa,
        "ua" => Design::Ua,
        other => {
            return Err(InputError::one(Problem::new(format!(
                "`{other}` is not a design (sa or ua)"
            )))
            .into());
        }
    };
    let sampler = match a.sampler.as_str() {
        "random" => Sampler::Random,
        "sobol" => Sampler::Sobol,
        other => {
            return Err(InputError::one(Problem::new(format!(
                "`{other}` is not a sampler (random or sobol)"
            )))
            .into());
        }
    };
    Ok(Options {
        design,
        sampler,
        n: a.runs,
        seed: a.seed,
        bootstrap: a.bootstrap,
    })
}

/// What the worker thread hands back: the outcome, its time and the threads it ran on.
type Worked = Result<(Outcome, Duration, usize), Failure>;

/// `accord sensitivity` on a run. The replications run on a worker thread without the GIL;
/// this thread wakes every [`POLL`] to look for Ctrl-C (`Python::check_signals`) and to call
/// `progress(done, total)` with the GIL; either failing cancels the work (the replications not
/// yet started are not run) and its exception is raised once the worker has stopped. Nothing is
/// written: the folder is written by `Folder.write` afterwards.
pub fn sensitivity(
    py: Python<'_>,
    s: &Scored,
    paths: &[PathBuf],
    rubric_path: &Path,
    args: &SensitivityArgs,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<Folder> {
    let options = sensitivity_options(args)?;
    let limits = Limits::default();
    let ctx = Context {
        scored: s,
        limits: &limits,
        seed: args.seed,
    };
    let spec = guarded(py, || {
        Ok(sa::find_spec(args.spec.as_deref(), rubric_path, &ctx)?)
    })?;
    let total = sa::total_runs(&options, &spec);
    let done = AtomicUsize::new(0);
    let cancel = AtomicBool::new(false);
    let tick = |d: usize, _total: usize| {
        done.fetch_max(d, Ordering::Relaxed);
        if cancel.load(Ordering::Relaxed) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let work = || -> Worked {
        let started = Instant::now();
        let outcome = match args.threads {
            None => accord::sensitivity::analyse(s, &spec, &options, &tick)
                .map(|o| (o, rayon::current_num_threads())),
            Some(t) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(t.max(1))
                    .build()
                    .map_err(|e| Failure::Internal(e.to_string()))?;
                pool.install(|| {
                    accord::sensitivity::analyse(s, &spec, &options, &tick)
                        .map(|o| (o, rayon::current_num_threads()))
                })
            }
        };
        let (o, threads) = outcome.map_err(Failure::from)?;
        Ok((o, started.elapsed(), threads))
    };
    let (worked, raised) = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Worked>();
        scope.spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|p| Err(panic_failure(&p)));
            let _ = tx.send(r);
        });
        let mut raised: Option<PyErr> = None;
        let mut rx = rx;
        loop {
            let (back, got) = py.detach(move || {
                let got = rx.recv_timeout(POLL);
                (rx, got)
            });
            rx = back;
            let finished = match got {
                Ok(r) => Some(r),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => Some(Err(Failure::Internal(
                    "the sensitivity worker stopped without a result".to_string(),
                ))),
            };
            if raised.is_none() {
                let call = py.check_signals().and_then(|()| match &progress {
                    Some(cb) => cb.call1((done.load(Ordering::Relaxed), total)).map(|_| ()),
                    None => Ok(()),
                });
                if let Err(e) = call {
                    cancel.store(true, Ordering::Relaxed);
                    raised = Some(e);
                }
            }
            if let Some(r) = finished {
                return (r, raised);
            }
        }
    });
    if let Some(e) = raised {
        return Err(e);
    }
    let (outcome, elapsed, threads) = worked?;
    let folder = guarded(py, || {
        let tables = sa::tables(s, &outcome, &options, args.runs_csv);
        let summary = sa::summary(s, &spec, &outcome, &options, elapsed, threads);
        let mut paths = paths.to_vec();
        if let Some(p) = &args.spec {
            paths.push(p.clone());
        }
        let made = Made::Sensitivity(Box::new((spec, outcome, options, args.runs_csv)));
        Ok(Folder::new(made, tables, summary, guard_of(s, &paths)))
    })?;
    Ok(folder)
}

/// `accord compare A B` with the inputs both sides share; A and B may be two evidence tables
/// given in memory (`evidence_in_memory`, under the names `a` and `b`).
pub fn compare(
    a: &str,
    b: &str,
    request: &Request,
    movers: usize,
    evidence_in_memory: Option<(Named, Named)>,
) -> Result<Folder, Failure> {
    use accord::compare::folder::{self, Kind, Sides};
    let limits = Limits::default();
    let kind = match evidence_in_memory {
        Some(_) => Kind::Evidence,
        None => folder::kind(a, b)?,
    };
    let sides = Sides {
        a,
        b,
        inputs: request,
        movers,
        evidence_in_memory,
    };
    let load = |r: &Request| r.load(&limits);
    let c = folder::compare(&sides, kind, &limits, &load)?;
    let mut guard = request
        .resolve(&limits)
        .map(|r| r.guard())
        .unwrap_or_default();
    if sides.evidence_in_memory.is_none() {
        guard.add(a).add(b);
    }
    let (tables, summary) = (c.tables(), c.summary());
    Ok(Folder::new(
        Made::Compare(Box::new(c)),
        tables,
        summary,
        guard,
    ))
}
