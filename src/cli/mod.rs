//! The command line: arguments, input resolution, and one file per subcommand.

mod agreement;
mod align;
mod audit;
mod compare;
mod explain;
mod import_coinr;
mod report;
mod score;
mod sensitivity;
mod template;
mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use accord::error::{Error, InputError, Location, Problem};
use accord::evidence::{self, Date, InputPaths, Inputs, parse_date};
use accord::limits::Limits;
use accord::output::manifest::{FileRecord, Invocation};
use accord::rubric::{self, LoadOptions, Rubric};

/// The shipped default rubric, relative to the working folder.
pub const DEFAULT_RUBRIC: &str = "rubrics/paris-call.toml";
/// The shipped default data folder.
pub const DEFAULT_DATA: &str = "data";

/// accord scores jurisdictions against a policy rubric (the Paris Call for Trust and Security in
/// Cyberspace by default) from coded evidence, and writes comparable matrices.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about, long_about = None, after_help = "Exit codes: 0 success, 1 internal error, 2 bad input (nothing written).\nRun from the accord folder, `accord score --out results` scores the shipped default.")]
pub struct Cli {
    /// How to report input problems.
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    /// No progress output on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Largest input table or workbook accepted, in MB.
    #[arg(long, global = true, value_name = "MB", default_value_t = 512)]
    pub max_file_mb: u64,
    /// Most bytes a zip workbook (.xlsx, .xlsm, .xlsb, .ods) may unpack to, in MB.
    #[arg(long, global = true, value_name = "MB", default_value_t = 1024)]
    pub max_unzipped_mb: u64,
    /// Most cells in a workbook sheet's used area (an .ods: all its sheets together).
    #[arg(long, global = true, value_name = "N", default_value_t = 10_000_000)]
    pub max_cells: usize,
    /// Most data rows accepted in one table.
    #[arg(long, global = true, value_name = "N", default_value_t = 20_000_000)]
    pub max_rows: usize,
    /// Most criteria (and nodes) accepted in a rubric.
    #[arg(long, global = true, value_name = "N", default_value_t = 10_000)]
    pub max_criteria: usize,
    /// Longest expression rule accepted, in characters (this also bounds the operations it runs).
    #[arg(long, global = true, value_name = "N", default_value_t = 2_000)]
    pub max_expr_len: usize,
    /// Deepest parenthesis nesting accepted in an expression rule.
    #[arg(long, global = true, value_name = "N", default_value_t = 32)]
    pub max_expr_depth: usize,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Formats for problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    /// Rendered for people, with the offending line underlined.
    Human,
    /// One JSON object with every problem.
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score every jurisdiction and write a results folder.
    ///
    /// Example: accord score --data data/demo --out results
    Score(score::ScoreArgs),
    /// Check a rubric and its evidence; exit 0, or 2 with every problem listed.
    ///
    /// Example: accord validate --rubric rubrics/paris-call.toml --evidence data/evidence.csv
    Validate(validate::ValidateArgs),
    /// Show every contribution to one score, traced to its evidence.
    ///
    /// Example: accord explain USA --node P9
    Explain(explain::ExplainArgs),
    /// Write a blank coding sheet (CSV) for a rubric's evidence fields.
    ///
    /// Example: accord template --jurisdictions data/jurisdictions.csv --out coding.csv
    Template(template::TemplateArgs),
    /// Compare jurisdictions: similarity of their scores, clusters, and cooperation networks.
    ///
    /// Example: accord align --data data/demo --out alignment --level principle --metric cosine
    Align(align::AlignArgs),
    /// Rank uncertainty and sensitivity analysis: rerun the pipeline under varied assumptions.
    ///
    /// Example: accord sensitivity --rubric asem/rubric.toml --evidence asem/evidence.csv --jurisdictions asem/jurisdictions.csv --spec coinr-vignette.toml --runs 100 --seed 1 --out sa
    Sensitivity(sensitivity::SensitivityArgs),
    /// Convert COINr's iData and iMeta tables into a rubric, evidence and jurisdictions file.
    ///
    /// Example: accord import-coinr --idata ASEM_iData.csv --imeta ASEM_iMeta.csv --out asem
    ImportCoinr(import_coinr::ImportArgs),
    /// Audit an index: statistics, data availability, correlations, Cronbach's alpha, PCA, leave-one-out ranks.
    ///
    /// Example: accord audit --data data/demo --out audit
    Audit(audit::AuditArgs),
    /// Agreement between coders: Krippendorff's alpha per field and overall, and every disagreement.
    ///
    /// Example: accord agreement --rubric tests/fixtures/mini/rubric.toml --data tests/fixtures/coders --out agreement
    Agreement(agreement::AgreementArgs),
    /// Compare two rubrics, evidence files, dates or results folders: rank shifts, score changes, and why.
    ///
    /// Example: accord compare rubrics/paris-call.toml rubrics/paris-call-strict.toml --data data/demo --out cmp
    Compare(compare::CompareArgs),
    /// One self-contained HTML report with SVG charts from results folders (score, align, sensitivity).
    ///
    /// Example: accord report results alignment --compare cmp --out report.html
    Report(report::ReportArgs),
}

/// Where the rubric and evidence come from.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Rubric TOML [default: the one the data folder's accord.toml names, else
    /// rubrics/paris-call.toml].
    #[arg(long, value_name = "FILE")]
    pub rubric: Option<PathBuf>,
    /// Evidence CSV (tab-separated if it ends .tsv or .tab), or an .xlsx/.ods workbook (with
    /// --sheet).
    #[arg(long, value_name = "FILE")]
    pub evidence: Option<PathBuf>,
    /// Sheet of the evidence workbook.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Jurisdictions CSV (code, name, group:<name>, denom:<name>, complete:<instrument>, allow).
    #[arg(long, value_name = "FILE")]
    pub jurisdictions: Option<PathBuf>,
    /// Dyads CSV (bilateral instruments).
    #[arg(long, value_name = "FILE")]
    pub dyads: Option<PathBuf>,
    /// A folder with evidence.csv and, where present, jurisdictions.csv, dyads.csv and accord.toml
    /// (which may name the rubric, the date and the delimiter); each table may be .tsv or .tab
    /// instead [default: ./data if it exists, else the shipped default built into accord].
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The column delimiter of every text input (evidence, jurisdictions, dyads): one character,
    /// or `tab`, e.g. --delimiter ';' [default: the data folder's `delimiter`, else tab for
    /// .tsv and .tab files and `,` for the rest].
    #[arg(long, value_name = "CHAR", allow_hyphen_values = true)]
    pub delimiter: Option<String>,
    /// Evaluate on this date (YYYY-MM-DD): dated evidence and instruments as they stood then.
    /// `score` takes several, comma-separated.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Override a rubric setting, e.g. --set pipeline.normalise.method=n_zscore (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Let a rubric's `extends` reach files outside its folder.
    #[arg(long)]
    pub allow_extends_outside: bool,
    /// Score only the criteria that were coded: a criterion no jurisdiction has a known value for
    /// is left out of every score (and a node left with no criteria), so coverage is counted over
    /// what was coded.
    #[arg(long)]
    pub only_coded: bool,
}

/// Where a command writes its results folder.
#[derive(Debug, Clone, Args)]
pub struct OutArgs {
    /// The results folder to write.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the folder if it exists (atomically, once the new one is complete).
    #[arg(long)]
    pub force: bool,
    /// The format of the folder's tables (its JSON files stay JSON).
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
}

/// `--format`: the format of a results folder's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// CSV (UTF-8, `NA` for missing).
    Csv,
    /// Apache Parquet (typed columns, null for missing), named `.parquet`.
    Parquet,
}

impl FormatArg {
    /// The library's format.
    pub fn format(self) -> accord::output::schema::TableFormat {
        match self {
            FormatArg::Csv => accord::output::schema::TableFormat::Csv,
            FormatArg::Parquet => accord::output::schema::TableFormat::Parquet,
        }
    }
}

impl OutArgs {
    /// Starts writing the folder (refusing an existing one unless `--force`).
    pub fn begin(&self) -> Result<accord::output::OutputDir, Error> {
        accord::output::OutputDir::begin(&self.out, self.force)
    }
}

/// Resolved input paths.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The rubric file.
    pub rubric: PathBuf,
    /// Evidence, jurisdictions, dyads.
    pub paths: InputPaths,
    /// The evaluation dates asked for (none: the data set's date).
    pub as_of: Vec<Date>,
    /// The options that shaped the inputs, as recorded in a manifest for `score --check`.
    pub invocation: Invocation,
    /// The data folder's `accord.toml`, when it has one.
    pub folder: Option<evidence::folder::Folder>,
    /// The delimiter of the text inputs: `--delimiter`, else the folder's (`None`: each file's
    /// by its name).
    pub delimiter: Option<evidence::Delimiter>,
    /// The limits every input is read within.
    pub limits: Limits,
}

impl InputArgs {
    /// Resolves defaults: the shipped rubric, and `--data` (or `data/`) for the evidence; the
    /// inputs are to be read within `limits`.
    pub fn resolve(&self, limits: &Limits) -> Result<Resolved, InputError> {
        self.utf8_names()?;
        let as_of = self.as_of_dates(limits)?;
        let given = match &self.delimiter {
            Some(d) => {
                Some(evidence::Delimiter::parse(d, "`--delimiter`").map_err(InputError::one)?)
            }
            None => None,
        };
        if self.evidence.is_some() && self.data.is_some() {
            return Err(InputError::one(Problem::new(
                "give either --evidence or --data, not both",
            )));
        }
        // Without --data or --evidence: the `data` folder here, else the shipped default built into
        // the binary (so an installed accord scores it from any folder).
        let builtin =
            self.evidence.is_none() && self.data.is_none() && !Path::new(DEFAULT_DATA).is_dir();
        let data_dir = self.data_dir(builtin)?;
        let folder = match &data_dir {
            Some(dir) => evidence::folder::read(dir, limits)?,
            None => None,
        };
        let rubric = self.rubric_path(folder.as_ref(), data_dir.as_deref(), builtin)?;
        let paths = self.input_paths(data_dir.as_deref())?;
        let delimiter = given.or(folder.as_ref().and_then(|f| f.delimiter));
        let shown = |p: &Option<PathBuf>| p.as_ref().map(|x| x.display().to_string());
        let invocation = Invocation {
            data: data_dir.as_ref().map(|d| d.display().to_string()),
            folder: folder.as_ref().map(|f| FileRecord {
                path: f.file.clone(),
                sha256: f.sha256.clone(),
            }),
            rubric: Some(rubric.display().to_string()),
            set: self.set.clone(),
            allow_extends_outside: self.allow_extends_outside,
            evidence: Some(paths.evidence.display().to_string()),
            sheet: paths.sheet.clone(),
            jurisdictions: shown(&paths.jurisdictions),
            dyads: shown(&paths.dyads),
            as_of: as_of.iter().map(|d| d.to_string()).collect(),
            only_coded: self.only_coded,
            // Recorded only when given, so the manifests of comma-separated runs stay as they were.
            delimiter: given.map(|d| d.name().to_string()),
        };
        Ok(Resolved {
            rubric,
            paths,
            as_of,
            invocation,
            folder,
            delimiter,
            limits: *limits,
        })
    }

    /// The `--as-of` dates, each once, at most `limits.dates` of them.
    fn as_of_dates(&self, limits: &Limits) -> Result<Vec<Date>, InputError> {
        let mut as_of = Vec::new();
        let most = limits.dates;
        for (i, s) in self.as_of.iter().flat_map(|s| s.split(',')).enumerate() {
            if i == most {
                return Err(InputError::one(
                    Problem::new(format!("`--as-of` names more than {most} dates, the limit"))
                        .help("each date is a whole run held in memory and written out: score a long series in parts"),
                ));
            }
            let d = parse_date(s.trim()).ok_or_else(|| {
                InputError::one(
                    Problem::new(format!("`--as-of {s}` is not a date in YYYY-MM-DD form")).help(
                        "several dates are separated by commas: --as-of 2018-11-12,2024-06-20",
                    ),
                )
            })?;
            if as_of.contains(&d) {
                return Err(InputError::one(Problem::new(format!(
                    "`--as-of` names {d} twice"
                ))));
            }
            as_of.push(d);
        }
        Ok(as_of)
    }

    /// The data folder: none with `--evidence`, the built-in default when `builtin`, else
    /// `--data` or `data/`, which must exist.
    fn data_dir(&self, builtin: bool) -> Result<Option<PathBuf>, InputError> {
        Ok(match (&self.evidence, &self.data) {
            (Some(_), _) => None,
            (None, _) if builtin => Some(PathBuf::from(format!(
                "{}{DEFAULT_DATA}",
                accord::builtin::PREFIX
            ))),
            (None, data) => {
                let dir = data.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
                // `builtin:data` (as a manifest records a run on the built-in default).
                let shown = dir.display().to_string();
                let built_in = accord::builtin::is_builtin(&shown)
                    && accord::builtin::file(&format!("{shown}/evidence.csv")).is_some();
                if !dir.is_dir() && !built_in {
                    return Err(InputError::one(
                        Problem::new(format!("the data folder `{}` does not exist", dir.display()))
                            .at(Location::file(dir.display().to_string()))
                            .help("--data names a folder holding evidence.csv (and optionally jurisdictions.csv, dyads.csv, accord.toml)"),
                    ));
                }
                Some(dir)
            }
        })
    }

    /// The rubric: `--rubric`, else the data folder's, else the shipped default (built in, or
    /// in the current folder).
    fn rubric_path(
        &self,
        folder: Option<&evidence::folder::Folder>,
        data_dir: Option<&Path>,
        builtin: bool,
    ) -> Result<PathBuf, InputError> {
        Ok(
            match (&self.rubric, folder.and_then(|f| f.rubric.clone())) {
                (Some(r), _) => r.clone(),
                (None, Some(r)) => r,
                (None, None)
                    if builtin
                        || data_dir.is_some_and(|d| {
                            accord::builtin::is_builtin(&d.display().to_string())
                        }) =>
                {
                    PathBuf::from(format!("{}{DEFAULT_RUBRIC}", accord::builtin::PREFIX))
                }
                (None, None) => {
                    let d = PathBuf::from(DEFAULT_RUBRIC);
                    if !d.exists() {
                        return Err(InputError::one(
                        Problem::new(format!("no --rubric given, and the default `{DEFAULT_RUBRIC}` is not in the current folder"))
                            .help("run accord from its source folder, or pass --rubric and --evidence (or --data)"),
                    ));
                    }
                    d
                }
            },
        )
    }

    /// The evidence, jurisdictions and dyads files: as given, or found in the data folder.
    fn input_paths(&self, data_dir: Option<&Path>) -> Result<InputPaths, InputError> {
        Ok(match data_dir {
            None => InputPaths {
                evidence: self.evidence.clone().unwrap_or_default(),
                sheet: self.sheet.clone(),
                jurisdictions: self.jurisdictions.clone(),
                dyads: self.dyads.clone(),
            },
            Some(dir) => {
                let table = |stem: &str, given: &Option<PathBuf>| match given {
                    Some(p) => Ok(Some(p.clone())),
                    None => evidence::folder::table(dir, stem).map_err(InputError::one),
                };
                InputPaths {
                    // With none there, the message names the usual one.
                    evidence: table("evidence", &None)?.unwrap_or_else(|| dir.join("evidence.csv")),
                    sheet: self.sheet.clone(),
                    jurisdictions: table("jurisdictions", &self.jurisdictions)?,
                    dyads: table("dyads", &self.dyads)?,
                }
            }
        })
    }

    /// Refuses input file and folder names that are not UTF-8: a manifest records each input's
    /// name as text, and `score --check` finds the inputs again by it, which a name changed into
    /// text (`\u{fffd}` for each byte that is not UTF-8) would never do.
    fn utf8_names(&self) -> Result<(), InputError> {
        let named = [
            ("--rubric", &self.rubric),
            ("--evidence", &self.evidence),
            ("--jurisdictions", &self.jurisdictions),
            ("--dyads", &self.dyads),
            ("--data", &self.data),
        ];
        let mut problems = accord::error::Problems::new();
        for (flag, path) in named {
            if let Some(path) = path
                && path.to_str().is_none()
            {
                problems.push(
                    Problem::new(format!(
                        "the name `{}` given to {flag} is not valid UTF-8",
                        path.display()
                    ))
                    .at(Location::file(path.display().to_string()))
                    .help("rename the file or folder with UTF-8 characters only: results record their inputs by name, and `score --check` must find them again"),
                );
            }
        }
        problems.finish(())
    }

    /// What a command reading these inputs may never replace: every input file and folder, with
    /// the loaded rubric's `extends` bases.
    pub fn guard(
        &self,
        rubric: &Rubric,
        limits: &Limits,
    ) -> Result<accord::output::Inputs, InputError> {
        let mut g = self.resolve(limits)?.guard();
        g.rubric(rubric);
        Ok(g)
    }

    /// The rubric's load options from the command line (`--set`, `--allow-extends-outside`,
    /// the limits).
    pub fn load_options(&self, limits: &Limits) -> LoadOptions {
        LoadOptions {
            overrides: self.set.clone(),
            allow_extends_outside: self.allow_extends_outside,
            leave_out: Vec::new(),
            limits: *limits,
        }
    }

    /// Loads the rubric and the inputs; with `--only-coded`, leaves out the criteria nothing was
    /// coded for (a variant of the rubric validated again leaves them out too).
    pub fn load_resolved(&self, resolved: &Resolved) -> Result<(Rubric, Inputs), InputError> {
        let options = self.load_options(&resolved.limits);
        let mut rubric = rubric::load(&resolved.rubric, &options)?;
        let inputs = load_inputs(resolved, &rubric)?;
        if self.only_coded {
            let coded = accord::rules::coded(&rubric, &inputs);
            let uncoded: Vec<usize> = (0..coded.len()).filter(|&c| !coded[c]).collect();
            if uncoded.len() == coded.len() {
                return Err(InputError::one(
                    Problem::new("`--only-coded`: no criterion of the rubric has any evidence")
                        .help("check that the evidence's field names match the rubric's `evidence` fields"),
                ));
            }
            rubric.leave_out(&uncoded);
        }
        Ok((rubric, inputs))
    }

    /// Loads everything within `limits`, for commands that evaluate on one date.
    pub fn load(&self, limits: &Limits) -> Result<(Rubric, Inputs, Option<Date>), InputError> {
        let resolved = self.resolve(limits)?;
        if resolved.as_of.len() > 1 {
            return Err(InputError::one(
                Problem::new("this command evaluates on one date; `--as-of` names several")
                    .help("`score` takes several dates; `compare` takes two dates as its A and B"),
            ));
        }
        let (rubric, inputs) = self.load_resolved(&resolved)?;
        Ok((rubric, inputs, resolved.as_of.first().copied()))
    }
}

impl Resolved {
    /// Every file and folder these inputs read (the rubric's `extends` bases are added once it is
    /// loaded): what an output may never replace or hold.
    pub fn guard(&self) -> accord::output::Inputs {
        let mut g = accord::output::Inputs::new();
        g.add(&self.rubric).add(&self.paths.evidence);
        for p in [&self.paths.jurisdictions, &self.paths.dyads]
            .into_iter()
            .flatten()
        {
            g.add(p);
        }
        if let Some(d) = &self.invocation.data {
            g.add(d);
        }
        if let Some(f) = &self.folder {
            g.add(&f.file);
        }
        g
    }
}

/// Reads the evidence, jurisdictions and dyads, with the date the data folder declares, and warns
/// on stderr about dates later than today (by the system clock, which changes no output byte).
pub fn load_inputs(resolved: &Resolved, rubric: &Rubric) -> Result<Inputs, InputError> {
    let options = evidence::LoadOptions {
        carried: resolved
            .folder
            .as_ref()
            .map(|f| f.fields.clone())
            .unwrap_or_default(),
        delimiter: resolved.delimiter,
        limits: resolved.limits,
    };
    let mut inputs = evidence::load_with(&resolved.paths, rubric, &options)?;
    if let Some(f) = &resolved.folder
        && let Some(d) = f.date
    {
        inputs.declared_date = Some((d, f.file.clone()));
    }
    warn_future_dates(&inputs);
    Ok(inputs)
}

/// Prints a warning for each date in the inputs that is later than today (the first few).
fn warn_future_dates(inputs: &Inputs) {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    const SHOWN: usize = 5;
    let (dates, count) = inputs.dates_after(today, SHOWN);
    let mut text = String::new();
    for d in &dates {
        text.push_str(&format!(
            "warning: {}: `{}` {} is later than today ({today})\n",
            d.place, d.column, d.date
        ));
    }
    if count > SHOWN {
        text.push_str(&format!(
            "warning: and {} more dates later than today\n",
            count - SHOWN
        ));
    }
    if !text.is_empty() {
        let text = accord::error::terminal_safe(&text);
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

/// Writes text for people to stdout, made safe for a terminal (control and bidirectional
/// characters from the inputs are escaped, `accord::error::terminal_safe`); a closed pipe
/// (`accord score | head`) ends quietly.
pub fn print(text: &str) -> Result<(), Error> {
    print_exact(&accord::error::terminal_safe(text))
}

/// Writes data (JSON, CSV) to stdout byte for byte, like the files it stands for.
pub fn print_exact(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Write {
            path: "standard output".to_string(),
            source: e,
        }),
    }
}

impl Cli {
    /// The limits the `--max-*` flags set (the others at their defaults).
    pub fn limits(&self) -> Limits {
        Limits {
            table_bytes: self.max_file_mb.saturating_mul(1024 * 1024),
            unzipped_bytes: self.max_unzipped_mb.saturating_mul(1024 * 1024),
            cells: self.max_cells,
            rows: self.max_rows,
            criteria: self.max_criteria,
            nodes: self.max_criteria,
            expr_len: self.max_expr_len,
            expr_depth: self.max_expr_depth,
            ..Limits::default()
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: &Cli) -> Result<(), Error> {
    let limits = cli.limits();
    match &cli.command {
        Command::Score(a) => score::run(a, cli, &limits),
        Command::Validate(a) => validate::run(a, &limits),
        Command::Explain(a) => explain::run(a, &limits),
        Command::Template(a) => template::run(a, &limits),
        Command::Align(a) => align::run(a, cli, &limits),
        Command::ImportCoinr(a) => import_coinr::run(a, &limits),
        Command::Sensitivity(a) => sensitivity::run(a, cli, &limits),
        Command::Audit(a) => audit::run(a, &limits),
        Command::Agreement(a) => agreement::run(a, &limits),
        Command::Compare(a) => compare::run(a, &limits),
        Command::Report(a) => report::run(a, cli),
    }
}
