//! The Python binding of accord: a thin layer over the library. It resolves and reads inputs
//! with `accord::request` (as the `accord` binary does), scores with `accord::score`, hands the
//! typed tables of the results schema to Python as columns, writes the folder with the library's
//! writers, and regenerates what-if scenarios on the library's cached stages
//! (`accord::pipeline::scenario`). The package's Python code (`accord/__init__.py`) turns the
//! columns into pandas DataFrames.
//!
//! Every entry point releases the GIL while the library works and catches a panic, which reaches
//! Python as `InternalError`, never as a crash.

mod analyses;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::Instant;

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use accord::Scored;
use accord::error::{Error, InputError, Problem};
use accord::limits::Limits;
use accord::output::schema::{Cell, Table, TableFormat};
use accord::output::{self, OutputDir};
use accord::pipeline::scenario::{Baseline, Change, Scenario};
use accord::request::{Memory, Named, Request};

pyo3::create_exception!(
    _accord,
    InputFailure,
    PyException,
    "Bad input: args are (problems as JSON, the command line's rendering)."
);
pyo3::create_exception!(
    _accord,
    InternalFailure,
    PyException,
    "A fault inside accord (a bug): args are (message,)."
);

/// What failed: bad input (its problems), a file that could not be written, or a fault of
/// accord's own.
enum Failure {
    Input(InputError),
    Write(String),
    Internal(String),
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::Input(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::Input(e) => Failure::Input(e),
            Error::Mismatch(m) => Failure::Input(InputError::one(Problem::new(m))),
            e @ Error::Write { .. } => Failure::Write(e.to_string()),
            other => Failure::Internal(other.to_string()),
        }
    }
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> PyErr {
        match f {
            // Rendered as the command line renders to a file or pipe (no colour, no wrapping).
            Failure::Input(e) => InputFailure::new_err((e.to_json(), e.render(false, false))),
            Failure::Write(m) => pyo3::exceptions::PyOSError::new_err(m),
            Failure::Internal(m) => InternalFailure::new_err((m,)),
        }
    }
}

/// Runs `work` without the GIL, a panic becoming an internal failure.
fn guarded<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, Failure> + Send,
) -> Result<T, Failure> {
    py.detach(|| match catch_unwind(AssertUnwindSafe(work)) {
        Ok(r) => r,
        Err(panic) => Err(panic_failure(&panic)),
    })
}

/// A caught panic as an internal failure.
fn panic_failure(panic: &Box<dyn std::any::Any + Send>) -> Failure {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    Failure::Internal(format!(
        "accord failed inside ({what}); please report it with the inputs that caused it"
    ))
}

/// The what-if baseline of a run, made on the first what-if call and kept.
type LazyBaseline<'a> = std::sync::OnceLock<Result<Baseline<'a>, String>>;

self_cell::self_cell!(
    /// The evaluated run and, once asked for, its what-if baseline, which borrows it.
    struct Cached {
        owner: Scored,
        #[not_covariant]
        dependent: LazyBaseline,
    }
);

impl Cached {
    fn of(scored: Scored) -> Cached {
        Cached::new(scored, |_| std::sync::OnceLock::new())
    }

    fn scored(&self) -> &Scored {
        self.borrow_owner()
    }

    /// `f` on the baseline, computed on first use.
    fn with_baseline<R>(
        &self,
        f: impl FnOnce(&Baseline<'_>) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        self.with_dependent(|scored, lazy| {
            match lazy.get_or_init(|| Baseline::new(scored).map_err(|e| e.to_string())) {
                Ok(base) => f(base),
                Err(e) => Err(Failure::Internal(e.clone())),
            }
        })
    }
}

/// A scored run: the tables, the folder, explanations and what-if scenarios.
#[pyclass(module = "accord._accord", frozen)]
pub(crate) struct Run {
    runs: Vec<Cached>,
    invocation: accord::output::manifest::Invocation,
    guard_paths: Vec<PathBuf>,
    /// The rubric file as resolved (named when no uncertain factors are found beside it).
    rubric_path: PathBuf,
    /// Seconds the library took to resolve, read and score (no Python).
    #[pyo3(get)]
    library_seconds: f64,
}

/// One what-if scenario from Python: (`--set` texts, (id, weight) pairs).
type ScenarioSpec = (Vec<String>, Vec<(String, f64)>);

/// A table given from Python: (name shown, CSV bytes).
type Given<'py> = Option<(String, Bound<'py, PyBytes>)>;

fn named(g: Given<'_>) -> Option<Named> {
    g.map(|(name, bytes)| Named {
        name,
        bytes: bytes.as_bytes().to_vec(),
    })
}

/// Resolves, reads and scores, as `accord score` does.
#[pyfunction]
#[pyo3(signature = (rubric=None, evidence=None, sheet=None, jurisdictions=None, dyads=None, data=None, delimiter=None, as_of=None, set=Vec::new(), only_coded=false, allow_extends_outside=false, memory_evidence=None, memory_jurisdictions=None, memory_dyads=None))]
#[allow(clippy::too_many_arguments)]
fn score<'py>(
    py: Python<'py>,
    rubric: Option<PathBuf>,
    evidence: Option<PathBuf>,
    sheet: Option<String>,
    jurisdictions: Option<PathBuf>,
    dyads: Option<PathBuf>,
    data: Option<PathBuf>,
    delimiter: Option<String>,
    as_of: Option<String>,
    set: Vec<String>,
    only_coded: bool,
    allow_extends_outside: bool,
    memory_evidence: Given<'py>,
    memory_jurisdictions: Given<'py>,
    memory_dyads: Given<'py>,
) -> PyResult<Run> {
    let request = Request {
        rubric,
        evidence,
        sheet,
        jurisdictions,
        dyads,
        data,
        delimiter,
        as_of,
        set,
        only_coded,
        allow_extends_outside,
        memory: Memory {
            evidence: named(memory_evidence),
            jurisdictions: named(memory_jurisdictions),
            dyads: named(memory_dyads),
        },
    };
    let run = guarded(py, move || {
        let start = Instant::now();
        let limits = Limits::default();
        let resolved = request.resolve(&limits)?;
        let (rubric, inputs) = request.load_resolved(&resolved)?;
        let mut guard = resolved.guard();
        guard.rubric(&rubric);
        let runs = if resolved.as_of.len() <= 1 {
            vec![accord::score(
                rubric,
                inputs,
                resolved.as_of.first().copied(),
            )?]
        } else {
            resolved
                .as_of
                .iter()
                .map(|d| accord::score(rubric.clone(), inputs.clone(), Some(*d)))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(Run {
            runs: runs.into_iter().map(Cached::of).collect(),
            invocation: resolved.invocation.clone(),
            guard_paths: guard_inputs(&resolved),
            rubric_path: resolved.rubric.clone(),
            library_seconds: start.elapsed().as_secs_f64(),
        })
    })?;
    Ok(run)
}

/// A table format by the name `--format` takes.
fn table_format(name: &str) -> Result<TableFormat, Failure> {
    TableFormat::of_name(Some(name)).ok_or_else(|| {
        InputError::one(Problem::new(format!(
            "`{name}` is not a table format (csv or parquet)"
        )))
        .into()
    })
}

/// The input files a written folder may not replace.
fn guard_inputs(resolved: &accord::request::Resolved) -> Vec<PathBuf> {
    let mut v = vec![resolved.rubric.clone()];
    let m = &resolved.memory;
    if m.evidence.is_none() {
        v.push(resolved.paths.evidence.clone());
    }
    for (p, mem) in [
        (&resolved.paths.jurisdictions, &m.jurisdictions),
        (&resolved.paths.dyads, &m.dyads),
    ] {
        if let (Some(p), None) = (p, mem) {
            v.push(p.clone());
        }
    }
    if let Some(d) = &resolved.invocation.data {
        v.push(PathBuf::from(d));
    }
    if let Some(f) = &resolved.folder {
        v.push(PathBuf::from(&f.file));
    }
    v
}

/// One cell as a Python value: numbers as floats, whole numbers as ints, missing as None.
fn cell<'py>(py: Python<'py>, c: &Cell) -> PyResult<Bound<'py, PyAny>> {
    Ok(match c {
        Cell::Na | Cell::Blank => py.None().into_bound(py),
        Cell::Text(s) => s.into_pyobject(py)?.into_any(),
        Cell::Number(x) => x.into_pyobject(py)?.into_any(),
        Cell::Integer(i) => i.into_pyobject(py)?.into_any(),
        Cell::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
    })
}

/// A date cell (YYYY-MM-DD, as the schema's date columns hold) as a `datetime.date`.
fn date_cell<'py>(py: Python<'py>, c: &Cell) -> PyResult<Bound<'py, PyAny>> {
    if let Cell::Text(t) = c
        && let Some(d) = accord::evidence::parse_date(t)
    {
        let (y, m, day) = (d.year(), d.month().unsigned_abs(), d.day().unsigned_abs());
        return Ok(pyo3::types::PyDate::new(py, i32::from(y), m, day)?.into_any());
    }
    cell(py, c)
}

/// A table as (file name, header, columns of Python values; dates as `datetime.date`).
fn table_to_py<'py>(py: Python<'py>, t: &Table) -> PyResult<Bound<'py, PyTuple>> {
    use accord::output::schema::Type;
    let header = t.header();
    let types = t.types();
    let columns = PyList::empty(py);
    for col in 0..header.len() {
        let values = PyList::empty(py);
        let date = types.get(col) == Some(&Type::Date);
        for row in t.rows() {
            values.append(if date {
                date_cell(py, &row[col])?
            } else {
                cell(py, &row[col])?
            })?;
        }
        columns.append(values)?;
    }
    PyTuple::new(
        py,
        [
            t.file().name.into_pyobject(py)?.into_any(),
            header.into_pyobject(py)?.into_any(),
            columns.into_any(),
        ],
    )
}

impl Run {
    /// The run, for a command that evaluates on one date.
    pub(crate) fn one_date(&self, command: &str) -> Result<&Scored, Failure> {
        match self.runs.as_slice() {
            [c] => Ok(c.scored()),
            runs => Err(InputError::one(Problem::new(format!(
                "`{command}` evaluates on one date; this run scored {}",
                runs.len()
            )))
            .into()),
        }
    }

    fn scored(&self) -> Vec<Scored> {
        self.runs.iter().map(|c| c.scored().clone()).collect()
    }

    fn first(&self) -> &Cached {
        &self.runs[0]
    }

    /// The run on date number `date`.
    fn date(&self, date: usize) -> Result<&Cached, Failure> {
        self.runs
            .get(date)
            .ok_or_else(|| Failure::Internal(format!("no date number {date}")))
    }

    /// The typed changes of settings (`--set` text) and weights (`id -> weight`).
    fn scenario(
        base: &Baseline<'_>,
        sets: &[String],
        weights: &[(String, f64)],
    ) -> Result<Scenario, Failure> {
        let mut scenario = if sets.is_empty() {
            Scenario::default()
        } else {
            base.settings(sets).map_err(InputError::from)?
        };
        let rubric = &base.scored().rubric;
        if !weights.is_empty() && matches!(scenario.changes.first(), Some(Change::Rubric(..))) {
            return Err(InputError::one(Problem::new(
                "these settings change the rubric's structure: give weights in a separate scenario",
            ))
            .into());
        }
        for (id, w) in weights {
            if !w.is_finite() || *w < 0.0 {
                return Err(InputError::one(Problem::new(format!(
                    "the weight of `{id}` is {w}; a weight is a number of 0 or more"
                )))
                .into());
            }
            let change = if let Some(c) = rubric.criterion_index(id) {
                Change::CriterionWeight(c, *w)
            } else if let Some(k) = rubric.node_index(id) {
                Change::NodeWeight(k, *w)
            } else {
                return Err(InputError::one(Problem::new(format!(
                    "`{id}` is neither a criterion nor a node of `{}`",
                    rubric.meta.id
                )))
                .into());
            };
            scenario.changes.push(change);
        }
        Ok(scenario)
    }
}

#[pymethods]
impl Run {
    /// The number of evaluation dates scored.
    fn dates(&self) -> Vec<String> {
        self.runs
            .iter()
            .map(|c| c.scored().results.date.to_string())
            .collect()
    }

    /// Rubric id, version and the number of criteria.
    fn rubric(&self) -> (String, String, usize) {
        let r = &self.first().scored().rubric;
        (r.meta.id.clone(), r.meta.version.clone(), r.criteria.len())
    }

    /// The jurisdictions of the inputs: (code, name).
    fn jurisdictions(&self) -> Vec<(String, String)> {
        self.first()
            .scored()
            .inputs
            .jurisdictions
            .list
            .iter()
            .map(|j| (j.code.clone(), j.name.clone()))
            .collect()
    }

    /// The tables of the results folder (scores, the matrices, ranking), each as
    /// (file name, header, columns).
    fn tables<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        let tables = guarded(py, || Ok(output::score_tables(&self.scored())))?;
        tables.iter().map(|t| table_to_py(py, t)).collect()
    }

    /// The files of the results folder the command line writes: (name, bytes), its tables in
    /// `format` (`csv` or `parquet`, as `--format`).
    #[pyo3(signature = (format="csv".to_string()))]
    fn files(&self, py: Python<'_>, format: String) -> PyResult<Vec<(String, Vec<u8>)>> {
        let format = table_format(&format)?;
        let files = guarded(py, || {
            Ok(output::score_files_as(
                &self.scored(),
                Some(&self.invocation),
                format,
            ))
        })?;
        Ok(files)
    }

    /// Writes the results folder, whole or not at all (`force`: replace an existing one), its
    /// tables in `format`.
    #[pyo3(signature = (folder, force=false, format="csv".to_string()))]
    fn write(
        &self,
        py: Python<'_>,
        folder: PathBuf,
        force: bool,
        format: String,
    ) -> PyResult<usize> {
        let format = table_format(&format)?;
        let n = guarded(py, || {
            let out = OutputDir::begin(&folder, force)?;
            let runs = self.scored();
            let mut guard = accord::output::Inputs::new();
            for p in &self.guard_paths {
                guard.add(p);
            }
            guard.rubric(&runs[0].rubric);
            let n = output::write_score_folder(&runs, Some(&self.invocation), format, &out)?;
            out.commit(&guard)?;
            Ok(n)
        })?;
        Ok(n)
    }

    /// The explanation of one score, as the JSON `accord explain --format json` prints.
    #[pyo3(signature = (jurisdiction, node=None, date=0))]
    fn explain(
        &self,
        py: Python<'_>,
        jurisdiction: String,
        node: Option<String>,
        date: usize,
    ) -> PyResult<String> {
        let c = self.date(date)?;
        let json = guarded(py, || {
            let e = accord::explain::explain(c.scored(), &jurisdiction, node.as_deref())?;
            Ok(e.to_json().to_string())
        })?;
        Ok(json)
    }

    /// `accord align` on this run (one date): similarity (the full matrices, or with `top` each
    /// jurisdiction's `top` nearest), clusters, the `reference` ranking, and the cooperation
    /// networks. `level` and the defaults are the command line's.
    #[pyo3(signature = (level=None, metric="gower".to_string(), min_overlap=3, clusters=4, reference=None, top=None))]
    #[allow(clippy::too_many_arguments)]
    fn align(
        slf: &Bound<'_, Self>,
        py: Python<'_>,
        level: Option<String>,
        metric: String,
        min_overlap: usize,
        clusters: usize,
        reference: Option<String>,
        top: Option<usize>,
    ) -> PyResult<analyses::Folder> {
        let this = slf.get();
        let s = this.one_date("align")?;
        let args = analyses::AlignArgs {
            level,
            metric,
            min_overlap,
            clusters,
            reference,
            top,
        };
        let folder = guarded(py, || analyses::align(s, &this.guard_paths, &args))?;
        Ok(folder.of_run(slf))
    }

    /// `accord audit` on this run (one date): statistics and data availability at `stage`.
    #[pyo3(signature = (stage="raw".to_string()))]
    fn audit(slf: &Bound<'_, Self>, py: Python<'_>, stage: String) -> PyResult<analyses::Folder> {
        let this = slf.get();
        let s = this.one_date("audit")?;
        let folder = guarded(py, || analyses::audit(s, &this.guard_paths, &stage))?;
        Ok(folder.of_run(slf))
    }

    /// `accord agreement` on this run (one date; the evidence needs a `coder` column).
    fn agreement(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<analyses::Folder> {
        let this = slf.get();
        let s = this.one_date("agreement")?;
        let folder = guarded(py, || analyses::agreement(s, &this.guard_paths))?;
        Ok(folder.of_run(slf))
    }

    /// `accord sensitivity` on this run (one date), with Ctrl-C and an optional
    /// `progress(done, total)` callable, called about ten times a second with the GIL.
    #[pyo3(signature = (spec=None, runs=100, seed=1, design="sa".to_string(), sampler="random".to_string(), bootstrap=200, runs_csv=false, threads=None, progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn sensitivity(
        slf: &Bound<'_, Self>,
        py: Python<'_>,
        spec: Option<PathBuf>,
        runs: usize,
        seed: u64,
        design: String,
        sampler: String,
        bootstrap: usize,
        runs_csv: bool,
        threads: Option<usize>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<analyses::Folder> {
        let this = slf.get();
        let s = this.one_date("sensitivity")?;
        let args = analyses::SensitivityArgs {
            spec,
            runs,
            seed,
            design,
            sampler,
            bootstrap,
            runs_csv,
            threads,
        };
        let folder =
            analyses::sensitivity(py, s, &this.guard_paths, &this.rubric_path, &args, progress)?;
        Ok(folder.of_run(slf))
    }

    /// Node ids in rubric order (the index first), with their kinds.
    fn nodes(&self) -> Vec<(String, String)> {
        let r = &self.first().scored().rubric;
        r.nodes
            .iter()
            .map(|n| {
                let kind = r.meta.levels.get(n.depth).cloned().unwrap_or_default();
                (n.id.clone(), kind)
            })
            .collect()
    }

    /// One what-if scenario on date number `date`: (codes kept, every node's score by row,
    /// index ranks, seconds the library took to build and apply the scenario).
    #[pyo3(signature = (settings=Vec::new(), weights=Vec::new(), date=0))]
    #[allow(clippy::type_complexity)]
    fn rescore(
        &self,
        py: Python<'_>,
        settings: Vec<String>,
        weights: Vec<(String, f64)>,
        date: usize,
    ) -> PyResult<(Vec<String>, Vec<Vec<Option<f64>>>, Vec<Option<u32>>, f64)> {
        let c = self.date(date)?;
        let out = guarded(py, || {
            c.with_baseline(|base| {
                let start = Instant::now();
                let scenario = Run::scenario(base, &settings, &weights)?;
                let r = base.apply(&scenario).map_err(InputError::from)?;
                let seconds = start.elapsed().as_secs_f64();
                let list = &c.scored().inputs.jurisdictions.list;
                let codes: Vec<String> = r.units.iter().map(|&u| list[u].code.clone()).collect();
                let rows: Vec<Vec<Option<f64>>> = (0..r.units.len())
                    .map(|i| (0..r.nodes.ncol).map(|k| r.nodes.get(i, k)).collect())
                    .collect();
                let ranks = accord::base::rank::rank_with(r.index_scores(), r.ties);
                Ok((codes, rows, ranks, seconds))
            })
        })?;
        Ok(out)
    }

    /// Many what-if scenarios at once, in parallel: each (settings, weights); the index rank of
    /// every jurisdiction of the inputs in each, as little-endian 32-bit integers scenario by
    /// scenario (0: screened out or no index score).
    /// The baseline (every step run once) is made on the first what-if call on a date and kept.
    #[pyo3(signature = (scenarios, date=0))]
    fn rescore_many<'py>(
        &self,
        py: Python<'py>,
        scenarios: Vec<ScenarioSpec>,
        date: usize,
    ) -> PyResult<Bound<'py, PyBytes>> {
        use rayon::prelude::*;
        let c = self.date(date)?;
        let out = guarded(py, || {
            c.with_baseline(|base| {
                let n = c.scored().inputs.jurisdictions.len();
                // Settings text is validated once per distinct text, not once per scenario.
                let mut by_text: Vec<(&Vec<String>, Scenario)> = Vec::new();
                for (sets, _) in &scenarios {
                    if !sets.is_empty() && !by_text.iter().any(|(s, _)| *s == sets) {
                        by_text.push((sets, Run::scenario(base, sets, &[])?));
                    }
                }
                let built: Vec<Scenario> = scenarios
                    .iter()
                    .map(|(sets, weights)| {
                        let mut s = if sets.is_empty() {
                            Scenario::default()
                        } else {
                            by_text
                                .iter()
                                .find(|(t, _)| *t == sets)
                                .map(|(_, s)| s.clone())
                                .unwrap_or_default()
                        };
                        let w = Run::scenario(base, &[], weights)?;
                        s.changes.extend(w.changes);
                        Ok(s)
                    })
                    .collect::<Result<_, Failure>>()?;
                let rows = built
                    .par_iter()
                    .map(|s| {
                        let r = base.apply(s).map_err(InputError::from)?;
                        let ranks = accord::base::rank::rank_with(r.index_scores(), r.ties);
                        let mut row = vec![0u32; n];
                        for (i, &u) in r.units.iter().enumerate() {
                            row[u] = ranks[i].unwrap_or(0);
                        }
                        Ok(row)
                    })
                    .collect::<Result<Vec<_>, Failure>>()?;
                Ok(rows
                    .iter()
                    .flatten()
                    .flat_map(|r| r.to_le_bytes())
                    .collect::<Vec<u8>>())
            })
        })?;
        Ok(PyBytes::new(py, &out))
    }
}

/// Compares A with B as `accord compare` does, with the inputs both sides share; `memory_a` and
/// `memory_b`: A and B as two evidence tables in memory, named `a` and `b`.
#[pyfunction]
#[pyo3(signature = (a, b, rubric=None, evidence=None, sheet=None, jurisdictions=None, dyads=None, data=None, delimiter=None, as_of=None, set=Vec::new(), only_coded=false, allow_extends_outside=false, movers=5, memory_evidence=None, memory_jurisdictions=None, memory_dyads=None, memory_a=None, memory_b=None))]
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    a: String,
    b: String,
    rubric: Option<PathBuf>,
    evidence: Option<PathBuf>,
    sheet: Option<String>,
    jurisdictions: Option<PathBuf>,
    dyads: Option<PathBuf>,
    data: Option<PathBuf>,
    delimiter: Option<String>,
    as_of: Option<String>,
    set: Vec<String>,
    only_coded: bool,
    allow_extends_outside: bool,
    movers: usize,
    memory_evidence: Given<'py>,
    memory_jurisdictions: Given<'py>,
    memory_dyads: Given<'py>,
    memory_a: Given<'py>,
    memory_b: Given<'py>,
) -> PyResult<analyses::Folder> {
    let request = Request {
        rubric,
        evidence,
        sheet,
        jurisdictions,
        dyads,
        data,
        delimiter,
        as_of,
        set,
        only_coded,
        allow_extends_outside,
        memory: Memory {
            evidence: named(memory_evidence),
            jurisdictions: named(memory_jurisdictions),
            dyads: named(memory_dyads),
        },
    };
    let pair = named(memory_a).zip(named(memory_b));
    Ok(guarded(py, || {
        analyses::compare(&a, &b, &request, movers, pair)
    })?)
}

/// One cell of a DataFrame as the text a CSV file would hold: missing (None, NaN, and the
/// `missing` markers such as `pd.NA`) as empty, whole floats without `.0` (so 1.0 reads as the
/// label or count 1), other floats in their shortest exact form, booleans as true/false, dates
/// (anything with `strftime`) as YYYY-MM-DD, the rest as `str()` gives it.
fn cell_text(v: &Bound<'_, PyAny>, missing: &[Bound<'_, PyAny>], out: &mut String) -> PyResult<()> {
    use pyo3::types::{PyBool, PyFloat, PyString};
    if let Ok(s) = v.cast::<PyString>() {
        out.push_str(&s.to_cow()?);
    } else if v.is_none() || missing.iter().any(|m| m.is(v)) {
    } else if let Ok(b) = v.cast::<PyBool>() {
        out.push_str(if b.is_true() { "true" } else { "false" });
    } else if let Ok(f) = v.cast::<PyFloat>() {
        let x = f.value();
        if x.is_finite() {
            if x.fract() == 0.0 && x.abs() < 1e15 {
                out.push_str(&format!("{}", x as i64));
            } else {
                out.push_str(&format!("{x}"));
            }
        }
    } else if v.hasattr("strftime")? {
        out.push_str(&v.call_method1("strftime", ("%Y-%m-%d",))?.str()?.to_cow()?);
    } else {
        out.push_str(&v.str()?.to_cow()?);
    }
    Ok(())
}

/// A DataFrame's columns (each a list of cells) as CSV text under `header`, quoted as a CSV
/// writer quotes; with the line each row starts on when a cell holds a line break (`None`: row
/// i is on line i + 2).
#[pyfunction]
fn frame_csv<'py>(
    py: Python<'py>,
    header: Vec<String>,
    columns: Vec<Vec<Bound<'py, PyAny>>>,
    missing: Vec<Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyBytes>, Option<Vec<usize>>)> {
    let rows = columns.first().map_or(0, Vec::len);
    if columns.iter().any(|c| c.len() != rows) {
        return Err(InternalFailure::new_err((
            "the frame's columns differ in length",
        )));
    }
    let mut text = String::new();
    let mut cell = String::new();
    let quote = |cell: &str, text: &mut String| {
        if cell.contains([',', '"', '\n', '\r']) {
            text.push('"');
            text.push_str(&cell.replace('"', "\"\""));
            text.push('"');
        } else {
            text.push_str(cell);
        }
    };
    for (i, h) in header.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        quote(h, &mut text);
    }
    text.push('\n');
    let mut starts = Vec::with_capacity(rows);
    let mut line = 2;
    let mut multiline = false;
    for r in 0..rows {
        starts.push(line);
        for (i, col) in columns.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            cell.clear();
            cell_text(&col[r], &missing, &mut cell)?;
            let breaks = cell.matches('\n').count();
            if breaks > 0 || cell.contains('\r') {
                multiline = true;
                line += breaks;
            }
            quote(&cell, &mut text);
        }
        text.push('\n');
        line += 1;
    }
    Ok((
        PyBytes::new(py, text.as_bytes()),
        multiline.then_some(starts),
    ))
}

/// The native part of the `accord` package.
#[pymodule]
fn _accord(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(frame_csv, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_class::<Run>()?;
    m.add_class::<analyses::Folder>()?;
    m.add("InputFailure", m.py().get_type::<InputFailure>())?;
    m.add("InternalFailure", m.py().get_type::<InternalFailure>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
