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
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use accord::error::{Error, InputError};
use accord::evidence::{Date, Inputs};
use accord::limits::Limits;
use accord::request::Request;
use accord::rubric::Rubric;

pub use accord::request::DEFAULT_RUBRIC;

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

pub use accord::request::Resolved;

impl InputArgs {
    /// The library's request for these inputs.
    pub fn request(&self) -> Request {
        Request {
            rubric: self.rubric.clone(),
            evidence: self.evidence.clone(),
            sheet: self.sheet.clone(),
            jurisdictions: self.jurisdictions.clone(),
            dyads: self.dyads.clone(),
            data: self.data.clone(),
            delimiter: self.delimiter.clone(),
            as_of: self.as_of.clone(),
            set: self.set.clone(),
            allow_extends_outside: self.allow_extends_outside,
            only_coded: self.only_coded,
            memory: accord::request::Memory::default(),
        }
    }

    /// Resolves defaults: the shipped rubric, and `--data` (or `data/`) for the evidence; the
    /// inputs are to be read within `limits`.
    pub fn resolve(&self, limits: &Limits) -> Result<Resolved, InputError> {
        self.request().resolve(limits)
    }

    /// What a command reading these inputs may never replace: every input file and folder, with
    /// the loaded rubric's `extends` bases.
    pub fn guard(
        &self,
        rubric: &Rubric,
        limits: &Limits,
    ) -> Result<accord::output::Inputs, InputError> {
        self.request().guard(rubric, limits)
    }

    /// Loads the rubric and the inputs (`accord::request`), warning on stderr about dates later
    /// than today (by the system clock, which changes no output byte).
    pub fn load_resolved(&self, resolved: &Resolved) -> Result<(Rubric, Inputs), InputError> {
        let (rubric, inputs) = self.request().load_resolved(resolved)?;
        warn_future_dates(&inputs);
        Ok((rubric, inputs))
    }

    /// Loads everything within `limits`, for commands that evaluate on one date.
    pub fn load(&self, limits: &Limits) -> Result<(Rubric, Inputs, Option<Date>), InputError> {
        let (rubric, inputs, date) = self.request().load(limits)?;
        warn_future_dates(&inputs);
        Ok((rubric, inputs, date))
    }
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
