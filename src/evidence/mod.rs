//! Evidence, jurisdictions and dyads: readers that turn files into validated in-memory tables.
//!
//! Every value is parsed against the rubric's field kinds as it is read, so a label that is not a
//! level, text where a number is due, a date that does not parse or a decimal comma is reported
//! with its file, line and column. All problems in all files are collected before failing.

pub mod codes;
pub mod folder;
pub mod memory;
pub mod table;

use std::collections::HashMap;

/// A hash map with a fast non-cryptographic hasher, for lookups made once per evidence row (none
/// is ever iterated, so its order cannot reach an output).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
use std::path::Path;
use std::sync::Arc;

use crate::error::{InputError, Location, Problem, Problems, did_you_mean};
use crate::limits::Limits;
use crate::rubric::{FieldKind, Rubric};
pub use table::Delimiter;
use table::{Row, Table};

/// A calendar date.
pub type Date = jiff::civil::Date;

/// Parses `YYYY-MM-DD` strictly.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !b
        .iter()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return None;
    }
    let y: i16 = s[..4].parse().ok()?;
    let m: i8 = s[5..7].parse().ok()?;
    let d: i8 = s[8..].parse().ok()?;
    Date::new(y, m, d).ok()
}

/// A jurisdiction: a country, a sub-national unit, an organisation such as the EU.
#[derive(Debug, Clone)]
pub struct Jurisdiction {
    /// Code (ISO 3166-1 alpha-3, user-assigned, or allow-listed).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Value of each group column (`None` when blank).
    pub groups: Vec<Option<String>>,
    /// Value of each denominator column.
    pub denominators: Vec<Option<f64>>,
    /// For each rubric instrument: is this jurisdiction's list of partners complete?
    pub complete: Vec<bool>,
}

/// The jurisdictions scored, sorted by code.
#[derive(Debug, Clone, Default)]
pub struct Jurisdictions {
    /// The jurisdictions.
    pub list: Vec<Jurisdiction>,
    /// Group column names (`region` for `group:region`).
    pub group_names: Vec<String>,
    /// Denominator column names (`GDP` for `denom:GDP`).
    pub denominator_names: Vec<String>,
    /// Where they came from (`None`: collected from the evidence).
    pub file: Option<InputFile>,
}

impl Jurisdictions {
    /// Index of a code.
    pub fn index(&self, code: &str) -> Option<usize> {
        self.list
            .binary_search_by(|j| j.code.as_str().cmp(code))
            .ok()
    }

    /// Number of jurisdictions.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Index of a group column.
    pub(crate) fn group_index(&self, name: &str) -> Option<usize> {
        self.group_names.iter().position(|g| g == name)
    }
}

/// An input file that was read.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Data rows read.
    pub rows: usize,
    /// The delimiter its columns were read with (`None`: a workbook sheet).
    pub delimiter: Option<Delimiter>,
}

/// A parsed evidence value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// yes/no (for date fields: the instrument's status on the row's `as_of` date).
    Bool(bool),
    /// Index of a label in the field's levels.
    Label(u16),
    /// A number.
    Number(f64),
    /// The date an instrument took effect.
    Date(Date),
}

/// One evidence row (one value of one field for one jurisdiction).
///
/// The file, source, coder and note are what many rows repeat, so a row holds them through one
/// shared [`RowMeta`] (72 bytes a row instead of 128: a million rows hold 56 MB less).
#[derive(Debug, Clone)]
pub struct EvidenceRow {
    /// Jurisdiction index.
    pub jurisdiction: usize,
    /// Field index in the rubric.
    pub field: usize,
    /// The value; `None` when the cell says unknown (`NA` or empty).
    pub value: Option<Value>,
    /// The cell as written, trimmed. Texts repeated down a file (values, sources, coders,
    /// notes) share one copy.
    pub raw: Arc<str>,
    /// The date the value describes (`None`: undated).
    pub as_of: Option<Date>,
    /// 1-based line (CSV) or row (sheet) in the file.
    line: usize,
    /// The file, source, coder and note, shared by the rows that have the same.
    meta: Arc<RowMeta>,
}

// The size the row's documentation states (64-bit targets), kept by the compiler.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<EvidenceRow>() == 72);

/// What rows of one file often have in common: the file, and the texts of their `source`,
/// `coder` and `note` columns.
#[derive(Debug, PartialEq, Eq)]
pub struct RowMeta {
    file: Arc<str>,
    source: Option<Arc<str>>,
    coder: Option<Arc<str>>,
    note: Option<Arc<str>>,
}

impl EvidenceRow {
    /// Where the fact comes from.
    pub fn source(&self) -> Option<&str> {
        self.meta.source.as_deref()
    }

    /// Who coded it.
    pub fn coder(&self) -> Option<&str> {
        self.meta.coder.as_deref()
    }

    /// A free note.
    pub fn note(&self) -> Option<&str> {
        self.meta.note.as_deref()
    }

    /// `file:line`, for messages and `explain`.
    pub fn place(&self) -> Place {
        Place {
            file: Arc::clone(&self.meta.file),
            line: self.line,
        }
    }

    /// The file and line, without counting another holder of the file's name.
    fn file_line(&self) -> (&str, usize) {
        (&self.meta.file, self.line)
    }
}

/// Where a row is: `file:line` when shown. Every row of a file shares the file's name, so a
/// million rows hold one copy of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file, as the user named it.
    pub file: Arc<str>,
    /// 1-based line (CSV) or row (sheet).
    pub line: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl PartialEq<&str> for Place {
    fn eq(&self, other: &&str) -> bool {
        // Exactly `file:line` as displayed (no leading zeros or signs in the line).
        other
            .rsplit_once(':')
            .is_some_and(|(file, line)| *file == *self.file && line == self.line.to_string())
    }
}

impl From<&Place> for Location {
    fn from(p: &Place) -> Location {
        Location::line_col(&*p.file, p.line, None)
    }
}

/// One shared copy of each distinct text read from a file.
#[derive(Default)]
struct Interner(std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>);

impl Interner {
    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(t) = self.0.get(text) {
            return t.clone();
        }
        let t: Arc<str> = Arc::from(text);
        self.0.insert(t.clone());
        t
    }

    /// A trimmed cell, `None` when empty; `last` is the column's text of the row before,
    /// which a column such as `source` usually repeats: equal, it is shared without a lookup.
    fn cell(&mut self, cell: Option<&&str>, last: &mut Option<Arc<str>>) -> Option<Arc<str>> {
        let text = cell.map(|s| s.trim()).filter(|s| !s.is_empty())?;
        if let Some(t) = last.as_ref().filter(|t| ***t == *text) {
            return Some(Arc::clone(t));
        }
        let t = self.get(text);
        *last = Some(Arc::clone(&t));
        Some(t)
    }
}

/// Long form (`jurisdiction,criterion,value,...`) or wide form (`jurisdiction,<field>,<field>,...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// One value per row.
    Long,
    /// One jurisdiction per row.
    Wide,
}

/// All evidence rows, indexed by jurisdiction and field.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Rows in file order (unknown cells included).
    pub rows: Vec<EvidenceRow>,
    /// Row indices grouped by (field, jurisdiction), in file order within a group: the rows of
    /// cell `k = field * n + jurisdiction` are `cells[starts[k]..starts[k + 1]]`.
    cells: Vec<u32>,
    starts: Vec<u32>,
    n_jurisdictions: usize,
    /// How the file was laid out.
    pub form: Form,
    /// The file.
    pub file: InputFile,
    /// Whether any row names a coder.
    pub has_coders: bool,
}

impl Evidence {
    /// Rows for one jurisdiction and field.
    pub fn rows_for(
        &self,
        jurisdiction: usize,
        field: usize,
    ) -> impl Iterator<Item = &EvidenceRow> {
        self.row_indices(jurisdiction, field)
            .iter()
            .map(|&i| &self.rows[i as usize])
    }

    /// Indices of the rows for one jurisdiction and field.
    pub(crate) fn row_indices(&self, jurisdiction: usize, field: usize) -> &[u32] {
        let k = field * self.n_jurisdictions + jurisdiction;
        match (self.starts.get(k), self.starts.get(k + 1)) {
            (Some(&a), Some(&b)) => &self.cells[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// Status of a bilateral instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DyadStatus {
    /// Binding (from `in_force` if known).
    InForce,
    /// Signed, not yet binding.
    Signed,
    /// Was binding from `in_force` until `ended`.
    Terminated,
    /// Binding suspended from `ended`.
    Suspended,
}

/// One bilateral instrument between two jurisdictions.
#[derive(Debug, Clone)]
pub struct Dyad {
    /// First party (for directed instruments: the one bound towards `b`).
    pub a: usize,
    /// Second party.
    pub b: usize,
    /// Instrument index in the rubric.
    pub instrument: usize,
    /// Status.
    pub status: DyadStatus,
    /// Signature date.
    pub signed: Option<Date>,
    /// Entry into force.
    pub in_force: Option<Date>,
    /// End of binding force (termination, suspension).
    pub ended: Option<Date>,
    /// Date the status was observed.
    pub as_of: Option<Date>,
    /// Source.
    pub source: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// `file:line`.
    pub place: Place,
}

/// Is an instrument binding on a date?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Binding on that date.
    Yes,
    /// Not binding on that date.
    No,
    /// The dates do not say.
    Unknown,
}

impl Dyad {
    /// Whether the instrument binds on `date`. An in-force row without an `in_force` date binds
    /// from its `as_of` observation on, and at every date when it is undated.
    pub(crate) fn binding_on(&self, date: Date) -> Binding {
        if let Some(end) = self.ended
            && end <= date
        {
            return Binding::No;
        }
        match self.status {
            DyadStatus::Signed => Binding::No,
            DyadStatus::InForce | DyadStatus::Terminated | DyadStatus::Suspended => {
                if self.status != DyadStatus::InForce && self.ended.is_none() {
                    return Binding::Unknown;
                }
                match self.in_force {
                    Some(d) if d <= date => Binding::Yes,
                    Some(_) => Binding::No,
                    None => {
                        if self.as_of.is_none_or(|a| a <= date) {
                            Binding::Yes
                        } else {
                            Binding::Unknown
                        }
                    }
                }
            }
        }
    }
}

/// The dyads file.
#[derive(Debug, Clone)]
pub struct Dyads {
    /// Instruments in file order.
    pub list: Vec<Dyad>,
    /// The file.
    pub file: InputFile,
}

/// Everything read besides the rubric.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Jurisdictions.
    pub jurisdictions: Jurisdictions,
    /// Evidence.
    pub evidence: Evidence,
    /// Dyads, if a file was given.
    pub dyads: Option<Dyads>,
    /// The evaluation date the data folder declares (`date` in its `accord.toml`), with the file.
    pub declared_date: Option<(Date, String)>,
}

/// A date found in the inputs, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct DateFound {
    /// The date.
    pub date: Date,
    /// `file:line` of the row that holds it.
    pub place: String,
    /// Which column: `as_of`, `value`, `signed`, `in_force`, `ended`.
    pub column: &'static str,
}

impl Inputs {
    /// Every date in the evidence (`as_of` and date values) and the dyads (all their dates), in
    /// file order, evidence first.
    pub(crate) fn dates(&self) -> impl Iterator<Item = (Date, (&str, usize), &'static str)> {
        let evidence = self.evidence.rows.iter().flat_map(|r| {
            let value = match r.value {
                Some(Value::Date(d)) => Some(d),
                _ => None,
            };
            [(r.as_of, "as_of"), (value, "value")]
                .into_iter()
                .filter_map(move |(d, c)| d.map(|d| (d, r.file_line(), c)))
        });
        let dyads = self.dyads.iter().flat_map(|d| d.list.iter()).flat_map(|d| {
            [
                (d.signed, "signed"),
                (d.in_force, "in_force"),
                (d.ended, "ended"),
                (d.as_of, "as_of"),
            ]
            .into_iter()
            .filter_map(move |(x, c)| x.map(|x| (x, (&*d.place.file, d.place.line), c)))
        });
        evidence.chain(dyads)
    }

    /// The latest date anywhere in the inputs, with the first row that holds it.
    pub fn latest_date(&self) -> Option<DateFound> {
        let mut best: Option<(Date, (&str, usize), &'static str)> = None;
        for (d, place, column) in self.dates() {
            if best.is_none_or(|b| d > b.0) {
                best = Some((d, place, column));
            }
        }
        best.map(|(date, (file, line), column)| DateFound {
            date,
            place: format!("{file}:{line}"),
            column,
        })
    }

    /// Dates later than `today`, in file order (at most `limit`), and how many there are.
    pub fn dates_after(&self, today: Date, limit: usize) -> (Vec<DateFound>, usize) {
        let mut shown = Vec::new();
        let mut count = 0;
        for (date, (file, line), column) in self.dates().filter(|d| d.0 > today) {
            count += 1;
            if shown.len() < limit {
                shown.push(DateFound {
                    date,
                    place: format!("{file}:{line}"),
                    column,
                });
            }
        }
        (shown, count)
    }

    /// Evidence and dyad rows observed (`as_of`) after `date`: not yet made on that date.
    pub fn observations_after(&self, date: Date) -> usize {
        let evidence = self
            .evidence
            .rows
            .iter()
            .filter(|r| r.as_of.is_some_and(|a| a > date))
            .count();
        let dyads = self
            .dyads
            .iter()
            .flat_map(|d| d.list.iter())
            .filter(|d| d.as_of.is_some_and(|a| a > date))
            .count();
        evidence + dyads
    }
}

/// Paths of the input files.
#[derive(Debug, Clone, Default)]
pub struct InputPaths {
    /// Evidence CSV or workbook.
    pub evidence: std::path::PathBuf,
    /// Sheet of a workbook.
    pub sheet: Option<String>,
    /// Jurisdictions CSV.
    pub jurisdictions: Option<std::path::PathBuf>,
    /// Dyads CSV.
    pub dyads: Option<std::path::PathBuf>,
}

/// One input file: on disk (with its sheet), or bytes in memory under a name; with the delimiter
/// it is read with when it is text (`None`: by its name).
#[derive(Clone, Copy)]
pub(crate) enum Input<'a> {
    File(&'a Path, Option<&'a str>, Option<Delimiter>),
    Bytes(&'a str, &'a [u8], Option<Delimiter>),
}

impl Input<'_> {
    fn open(self, what: &str, limits: &Limits) -> Result<Table, Problem> {
        match self {
            Input::File(path, sheet, d) => Table::open_with(path, sheet, d, what, limits),
            Input::Bytes(name, bytes, d) => {
                Table::from_bytes_with(name, bytes.to_vec(), d, what, limits)
            }
        }
    }
}

/// How the input files are read.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Evidence fields a data folder declares it carries (`fields` in its `accord.toml`): rows
    /// and columns of a carried field the rubric does not read are skipped, so one folder feeds
    /// several rubrics; a field neither read nor carried is still an error.
    pub carried: Vec<String>,
    /// The delimiter of every text file (`None`: each by its name, tab-separated when it ends
    /// `.tsv` or `.tab`, else comma-separated); workbooks ignore it.
    pub delimiter: Option<Delimiter>,
    /// Limits on the files: their bytes, rows, cells and, for workbooks, what they unpack to.
    pub limits: Limits,
}

/// Reads every input file against the rubric, reporting the problems of all files together,
/// with the default options.
pub fn load(paths: &InputPaths, rubric: &Rubric) -> Result<Inputs, InputError> {
    load_with(paths, rubric, &LoadOptions::default())
}

/// Like `load`, with the fields a data folder carries, a delimiter and limits.
pub fn load_with(
    paths: &InputPaths,
    rubric: &Rubric,
    options: &LoadOptions,
) -> Result<Inputs, InputError> {
    memory::load_given(paths, memory::Given::default(), rubric, options)
}

pub(crate) fn load_inputs(
    evidence: Input<'_>,
    jurisdictions: Option<Input<'_>>,
    dyads: Option<Input<'_>>,
    rubric: &Rubric,
    carried: &[String],
    limits: &Limits,
) -> Result<Inputs, InputError> {
    let mut problems = Problems::new();
    // The evidence file is read into memory on a second thread while the jurisdictions file is
    // read and checked (on one thread when the system gives no second).
    let open = || evidence.open("evidence file", limits);
    let (known, table) = match jurisdictions {
        Some(input) => std::thread::scope(|scope| {
            let opening = std::thread::Builder::new().spawn_scoped(scope, open);
            let known = read_jurisdictions(input, rubric, limits);
            let table = match opening {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => open(),
            };
            (Some(known), table)
        }),
        None => (None, open()),
    };
    let mut known = match known {
        Some(Ok(j)) => Some(j),
        Some(Err(e)) => {
            problems.extend(e);
            None
        }
        None => None,
    };
    let from_file = jurisdictions.is_some();
    let mut collected: Vec<String> = Vec::new();
    let mut registry = Registry {
        known: known.as_ref(),
        collected: &mut collected,
        index: HashMap::new(),
        failed: from_file && known.is_none(),
        last: None,
    };
    let evidence = match load_evidence(table, rubric, carried, &mut registry) {
        Ok(e) => Some(e),
        Err(e) => {
            problems.extend(e);
            None
        }
    };
    let dyads = match dyads {
        Some(input) => match load_dyads(input, rubric, limits, &mut registry) {
            Ok(d) => Some(d),
            Err(e) => {
                problems.extend(e);
                None
            }
        },
        None => None,
    };
    problems.check()?;
    let (Some(mut evidence), dyads) = (evidence, dyads) else {
        return Err(InputError::one(Problem::new(
            "the evidence could not be read",
        )));
    };
    let mut dyads = dyads;
    let jurisdictions = match known.take() {
        Some(j) => j,
        None => {
            // Collected from the evidence: sort by code and renumber.
            let mut order: Vec<usize> = (0..collected.len()).collect();
            order.sort_by(|&a, &b| collected[a].cmp(&collected[b]));
            let mut remap = vec![0usize; collected.len()];
            for (new, &old) in order.iter().enumerate() {
                remap[old] = new;
            }
            for r in evidence.rows.iter_mut() {
                r.jurisdiction = remap[r.jurisdiction];
            }
            if let Some(d) = dyads.as_mut() {
                for x in d.list.iter_mut() {
                    x.a = remap[x.a];
                    x.b = remap[x.b];
                }
            }
            Jurisdictions {
                list: order
                    .iter()
                    .map(|&i| Jurisdiction {
                        code: collected[i].clone(),
                        name: codes::iso_name(&collected[i])
                            .unwrap_or(&collected[i])
                            .to_string(),
                        groups: Vec::new(),
                        denominators: Vec::new(),
                        complete: vec![false; rubric.instruments.len()],
                    })
                    .collect(),
                group_names: Vec::new(),
                denominator_names: Vec::new(),
                file: None,
            }
        }
    };
    if jurisdictions.is_empty() {
        return Err(InputError::one(
            Problem::new(format!("`{}` names no jurisdiction", evidence.file.path))
                .at(Location::file(&evidence.file.path)),
        ));
    }
    evidence.index(jurisdictions.len(), rubric.fields.len());
    Ok(Inputs {
        jurisdictions,
        evidence,
        dyads,
        declared_date: None,
    })
}

impl Evidence {
    fn index(&mut self, n_jurisdictions: usize, n_fields: usize) {
        // Counting sort: count per cell, turn counts into starts, then place each row.
        self.n_jurisdictions = n_jurisdictions;
        let key = |r: &EvidenceRow| r.field * n_jurisdictions + r.jurisdiction;
        let mut starts = vec![0u32; n_jurisdictions * n_fields + 1];
        for r in &self.rows {
            starts[key(r) + 1] += 1;
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        let mut next = starts.clone();
        let mut cells = vec![0u32; self.rows.len()];
        for (i, r) in self.rows.iter().enumerate() {
            let at = &mut next[key(r)];
            cells[*at as usize] = i as u32;
            *at += 1;
        }
        self.cells = cells;
        self.starts = starts;
    }
}

/// Maps codes met in evidence and dyads to jurisdiction indices.
struct Registry<'a> {
    known: Option<&'a Jurisdictions>,
    collected: &'a mut Vec<String>,
    index: HashMap<String, usize>,
    failed: bool,
    /// The last code resolved and its index: evidence usually comes grouped by jurisdiction.
    last: Option<(String, usize)>,
}

impl Registry<'_> {
    fn resolve(
        &mut self,
        code: &str,
        row: &Row<'_>,
        col: usize,
        column: &str,
        p: &mut Problems,
    ) -> Option<usize> {
        if self.failed {
            return None;
        }
        if let Some((last, i)) = &self.last
            && last == code
        {
            return Some(*i);
        }
        let i = self.resolve_new(code, row, col, column, p)?;
        match &mut self.last {
            Some((last, j)) => {
                last.clear();
                last.push_str(code);
                *j = i;
            }
            None => self.last = Some((code.to_string(), i)),
        }
        Some(i)
    }

    fn resolve_new(
        &mut self,
        code: &str,
        row: &Row<'_>,
        col: usize,
        column: &str,
        p: &mut Problems,
    ) -> Option<usize> {
        if let Some(j) = self.known {
            return match j.index(code) {
                Some(i) => Some(i),
                None => {
                    let mut problem = Problem::new(format!(
                        "unknown jurisdiction `{code}`: it is not in the jurisdictions file"
                    ))
                    .at(row.location(col, column));
                    // A country's name or another of its codes (`Germany`, `GER`, `UK`) first.
                    let named = codes::suggest(code)
                        .filter(|(iso3, _)| j.index(iso3).is_some())
                        .map(|(iso3, name)| format!("did you mean `{iso3}` ({name})?"));
                    let help = named
                        .or_else(|| did_you_mean(code, j.list.iter().map(|x| x.code.as_str())))
                        .unwrap_or_else(|| {
                            format!(
                                "add `{code}` to `{}`",
                                j.file
                                    .as_ref()
                                    .map_or("the jurisdictions file", |f| f.path.as_str())
                            )
                        });
                    problem = problem.help(help);
                    p.push(problem);
                    None
                }
            };
        }
        if let Some(&i) = self.index.get(code) {
            return Some(i);
        }
        if let Some(why) = codes::check(code) {
            p.push(
                Problem::new(format!("unknown jurisdiction code `{code}`: {why}"))
                    .at(row.location(col, column))
                    .help(codes::help_for(code).unwrap_or_else(|| "use ISO 3166-1 alpha-3 codes, XAA-XZZ for fictional units, or list other codes (such as EUU) in a jurisdictions file with `allow` = yes".to_string())),
            );
            return None;
        }
        let i = self.collected.len();
        self.collected.push(code.to_string());
        self.index.insert(code.to_string(), i);
        Some(i)
    }
}

fn is_unknown(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("n/a")
}

fn opt_text(cell: Option<&&str>) -> Option<String> {
    cell.map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Why a cell is not a value of its field's kind; its text is the message a problem shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    /// `NaN`, `inf`, or a number too large for a double (`1e999`).
    #[error("`{0}` is not a finite number")]
    NotFinite(String),
    /// Not a number in any notation.
    #[error("`{0}` is not a number")]
    NotANumber(String),
    /// Thousands grouped with `group` and a fraction after `decimal` (`1.000,5`).
    #[error(
        "`{cell}` groups thousands with `{group}` and has the decimal mark `{decimal}`; write `{written}`"
    )]
    GroupedWithDecimal {
        /// The cell, trimmed.
        cell: String,
        /// The thousands separator.
        group: char,
        /// The decimal mark.
        decimal: char,
        /// The number as accord reads numbers.
        written: String,
    },
    /// One comma between groups of digits (`1,000`): a thousands separator or a decimal comma.
    #[error(
        "`{cell}` has a comma: write `{thousands}` if it is a thousands separator, or `{decimal}` if it is a decimal comma"
    )]
    AmbiguousComma {
        /// The cell, trimmed.
        cell: String,
        /// The number if the comma separates thousands.
        thousands: String,
        /// The number if the comma is a decimal mark.
        decimal: String,
    },
    /// Thousands grouped with `group` (`1,000,000`, `1.000.000`).
    #[error("`{cell}` groups thousands with `{group}`; write `{written}`")]
    Grouped {
        /// The cell, trimmed.
        cell: String,
        /// The thousands separator.
        group: char,
        /// The number as accord reads numbers.
        written: String,
    },
    /// A decimal comma (`0,5`).
    #[error("`{cell}` uses a decimal comma; write `{written}`")]
    DecimalComma {
        /// The cell, trimmed.
        cell: String,
        /// The number as accord reads numbers.
        written: String,
    },
    /// A percentage (`50%`).
    #[error("`{0}` is a percentage; write the number without `%`")]
    Percentage(String),
    /// Not yes or no, for a yes/no field.
    #[error("`{0}` is not yes or no")]
    NotYesOrNo(String),
    /// Not one of a label field's levels.
    #[error(
        "`{cell}` is not a level of this field (levels: {}){}",
        .levels.join(", "),
        .suggestion.as_ref().map(|h| format!("; {h}")).unwrap_or_default()
    )]
    NotALevel {
        /// The cell, trimmed.
        cell: String,
        /// The field's levels.
        levels: Vec<String>,
        /// A "did you mean" line, when a level is close.
        suggestion: Option<String>,
    },
    /// Neither a date nor yes or no, for a date field.
    #[error("`{0}` is not a date in YYYY-MM-DD form, nor yes or no")]
    NotADate(String),
}

/// Parses a number cell, with specific messages for decimal commas, grouped thousands,
/// percentages and non-finite values. A hint names the number only when the cell can mean
/// nothing else (`1.000,5` is 1000.5 in German notation, never 1.0005); an ambiguous cell (`1,000`)
/// names both readings, and one that fits no notation gets no hint.
pub fn parse_number(raw: &str) -> Result<f64, CellError> {
    let t = raw.trim();
    if let Ok(x) = t.parse::<f64>() {
        // `NaN`, `inf`, `infinity` and overflows such as `1e999` all parse to non-finite values.
        if !x.is_finite() {
            return Err(CellError::NotFinite(t.to_string()));
        }
        return Ok(if x == 0.0 { 0.0 } else { x });
    }
    let (sign, digits) = match t.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", t.strip_prefix('+').unwrap_or(t)),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // Groups of three after a first group of one to three digits (`1.000.000`, `12,345`), or
    // the Indian grouping (`12,34,567`: twos, then a last three).
    let grouped = |s: &str, sep: char| {
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() < 2 || !parts.iter().all(|p| all_digits(p)) {
            return false;
        }
        let (first, rest) = (parts[0].len(), &parts[1..]);
        let western = (1..=3).contains(&first) && rest.iter().all(|p| p.len() == 3);
        let indian = (1..=2).contains(&first)
            && rest[rest.len() - 1].len() == 3
            && rest[..rest.len() - 1].iter().all(|p| p.len() == 2);
        western || indian
    };
    let (commas, dots) = (digits.matches(',').count(), digits.matches('.').count());
    if commas > 0 && dots > 0 {
        // Both marks: the last one is the decimal mark, the other groups thousands.
        let (decimal, group) = if digits.rfind(',') > digits.rfind('.') {
            (',', '.')
        } else {
            ('.', ',')
        };
        if let Some((whole, fraction)) = digits.rsplit_once(decimal)
            && !whole.contains(decimal)
            && all_digits(fraction)
            && grouped(whole, group)
        {
            return Err(CellError::GroupedWithDecimal {
                cell: t.to_string(),
                group,
                decimal,
                written: format!("{sign}{}.{fraction}", whole.replace(group, "")),
            });
        }
        return Err(CellError::NotANumber(t.to_string()));
    }
    if commas > 0 {
        if grouped(digits, ',') {
            // 1,000 could be one thousand or one: say both.
            if commas == 1 {
                return Err(CellError::AmbiguousComma {
                    cell: t.to_string(),
                    thousands: format!("{sign}{}", digits.replace(',', "")),
                    decimal: format!("{sign}{}", digits.replacen(',', ".", 1)),
                });
            }
            return Err(CellError::Grouped {
                cell: t.to_string(),
                group: ',',
                written: format!("{sign}{}", digits.replace(',', "")),
            });
        }
        if commas == 1 && digits.replace(',', ".").parse::<f64>().is_ok() {
            return Err(CellError::DecimalComma {
                cell: t.to_string(),
                written: format!("{sign}{}", digits.replace(',', ".")),
            });
        }
        return Err(CellError::NotANumber(t.to_string()));
    }
    if dots > 1 && grouped(digits, '.') {
        return Err(CellError::Grouped {
            cell: t.to_string(),
            group: '.',
            written: format!("{sign}{}", digits.replace('.', "")),
        });
    }
    if let Some(pct) = t.strip_suffix('%')
        && pct.trim().parse::<f64>().is_ok()
    {
        return Err(CellError::Percentage(t.to_string()));
    }
    Err(CellError::NotANumber(t.to_string()))
}

/// Parses a cell against a field kind.
pub fn parse_value(raw: &str, kind: &FieldKind) -> Result<Value, CellError> {
    let t = raw.trim();
    match kind {
        FieldKind::Boolean => parse_bool(t)
            .map(Value::Bool)
            .ok_or_else(|| CellError::NotYesOrNo(t.to_string())),
        FieldKind::Label(levels) => match levels.iter().position(|l| l == t) {
            Some(i) => Ok(Value::Label(i as u16)),
            None => match levels.iter().position(|l| l.eq_ignore_ascii_case(t)) {
                Some(i) => Ok(Value::Label(i as u16)),
                None => Err(CellError::NotALevel {
                    cell: t.to_string(),
                    levels: levels.clone(),
                    suggestion: did_you_mean(t, levels.iter().map(String::as_str)),
                }),
            },
        },
        FieldKind::Number => parse_number(t).map(Value::Number),
        FieldKind::Date => {
            if let Some(d) = parse_date(t) {
                Ok(Value::Date(d))
            } else if let Some(b) = parse_bool(t) {
                Ok(Value::Bool(b))
            } else {
                Err(CellError::NotADate(t.to_string()))
            }
        }
    }
}

fn parse_bool(t: &str) -> Option<bool> {
    match t.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

const LONG_COLUMNS: &[&str] = &[
    "jurisdiction",
    "criterion",
    "value",
    "source",
    "as_of",
    "coder",
    "note",
    "question",
    "hint",
];
const WIDE_META: &[&str] = &["jurisdiction", "name", "source", "as_of", "coder", "note"];

/// Reads an opened evidence file (`table`, or the problem opening it), long or wide form,
/// checking every value against its field's kind.
fn load_evidence(
    table: Result<Table, Problem>,
    rubric: &Rubric,
    carried: &[String],
    reg: &mut Registry<'_>,
) -> Result<Evidence, InputError> {
    let is_carried = |name: &str| carried.iter().any(|c| c == name);
    let mut table = table?;
    let mut p = Problems::new();
    let name = table.name.clone();
    let file: Arc<str> = Arc::from(name.as_str());
    let header = table.header.clone();
    let Some(jcol) = table.column("jurisdiction") else {
        return Err(InputError::one(no_jurisdiction_column(&name, &header)));
    };
    let long = table.column("criterion").is_some() || table.column("value").is_some();
    let form = if long { Form::Long } else { Form::Wide };
    let col = |n: &str| header.iter().position(|h| h == n);
    let meta_cols = MetaColumns {
        source: col("source"),
        as_of: col("as_of"),
        coder: col("coder"),
        note: col("note"),
    };
    // Wide-form field columns, or the long form's required columns.
    let field_cols = match form {
        Form::Long => {
            check_long_header(&header, &name, &mut p);
            Vec::new()
        }
        Form::Wide => wide_field_columns(&header, &name, rubric, &is_carried, &mut p),
    };
    p.check()?;
    let (crit_c, value_c) = (col("criterion"), col("value"));
    let mut kept = Kept {
        rubric,
        header: &header,
        file,
        rows: Vec::new(),
        seen: FastMap::default(),
        coders: FastMap::default(),
        texts: Interner::default(),
        plain: Vec::new(),
        plain_in_seen: 0,
        metas: FastMap::default(),
        last_texts: Default::default(),
        last_meta: None,
    };
    let fields: FastMap<&str, usize> = rubric
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_str(), i))
        .collect();
    let mut unknown_fields: usize = 0;
    let mut stopped = false;
    let count = table.for_each_row(|row| {
        if p.full() {
            stopped = true;
            return;
        }
        let Some(at) = kept.row_context(row, jcol, &meta_cols, reg, &mut p) else {
            return;
        };
        match form {
            Form::Long => {
                let (Some(cc), Some(vc)) = (crit_c, value_c) else { return };
                let fname = row.cells.get(cc).map(|s| s.trim()).unwrap_or("");
                let Some(&field) = fields.get(fname) else {
                    if is_carried(fname) {
                        return;
                    }
                    unknown_fields += 1;
                    let mut problem = Problem::new(format!("unknown criterion `{fname}`: rubric `{}` has no evidence field of that name", rubric.meta.id)).at(row.location(cc, "criterion"));
                    problem = problem.help(did_you_mean(fname, rubric.fields.iter().map(|f| f.name.as_str()))
                        .unwrap_or_else(|| "`accord template` lists the rubric's evidence fields".to_string()));
                    p.push(problem);
                    return;
                };
                let raw = row.cells.get(vc).copied().unwrap_or("");
                kept.push(row, &at, field, vc, raw, &mut p);
            }
            Form::Wide => {
                for &(c, field) in &field_cols {
                    let raw = row.cells.get(c).copied().unwrap_or("");
                    kept.push(row, &at, field, c, raw, &mut p);
                }
            }
        }
    });
    if stopped {
        p.push(Problem::stopped(&name));
    }
    let count = match count {
        Ok(n) => n,
        Err(e) => {
            p.push(e);
            0
        }
    };
    if count == 0 && p.is_empty() {
        p.push(
            Problem::new(format!("evidence file `{name}` has a header but no rows"))
                .at(Location::file(&name)),
        );
    }
    p.finish(Evidence {
        rows: kept.rows,
        cells: Vec::new(),
        starts: Vec::new(),
        n_jurisdictions: 0,
        form,
        file: InputFile {
            path: name.clone(),
            sha256: table.sha256(),
            rows: count,
            delimiter: table.delimiter(),
        },
        has_coders: meta_cols.coder.is_some(),
    })
}

/// The problem for an evidence header without `jurisdiction`, suggesting a column that looks
/// like one.
fn no_jurisdiction_column(name: &str, header: &[String]) -> Problem {
    let problem = Problem::new(format!(
        "the header of `{name}` has no `jurisdiction` column"
    ))
    .at(Location::line_col(name, 1, None));
    let alias = header.iter().find(|h| {
        matches!(
            h.to_ascii_lowercase().as_str(),
            "code" | "iso3" | "iso" | "country" | "ucode" | "jurisdiction_code"
        )
    });
    problem.help(match alias {
        Some(a) => format!("rename `{a}` to `jurisdiction`"),
        None => "evidence starts with `jurisdiction`, then either `criterion,value` (long form) or one column per evidence field (wide form)".to_string(),
    })
}

/// Checks a long-form header: known columns only, and `criterion` and `value`.
fn check_long_header(header: &[String], name: &str, p: &mut Problems) {
    let col = |n: &str| header.iter().position(|h| h == n);
    for (i, h) in header.iter().enumerate() {
        if !LONG_COLUMNS.contains(&h.as_str()) {
            if p.full() {
                p.count(name);
                continue;
            }
            let mut problem = Problem::new(format!(
                "unknown column `{h}` in long-form evidence `{name}`"
            ))
            .at(Location::line_col(name, 1, Some(i + 1)));
            problem = problem.help(
                did_you_mean(h, LONG_COLUMNS.iter().copied())
                    .unwrap_or_else(|| format!("long-form columns: {}", LONG_COLUMNS.join(", "))),
            );
            p.push(problem);
        }
    }
    for need in ["criterion", "value"] {
        if col(need).is_none() {
            p.push(
                Problem::new(format!(
                    "long-form evidence `{name}` has no `{need}` column"
                ))
                .at(Location::line_col(name, 1, None))
                .help("long form: jurisdiction,criterion,value[,source,as_of,coder,note]"),
            );
        }
    }
}

/// The (column, field) pairs of a wide-form header, with a problem for every column that is
/// neither a field of the rubric, a known column nor a field carried for another rubric.
fn wide_field_columns(
    header: &[String],
    name: &str,
    rubric: &Rubric,
    is_carried: &dyn Fn(&str) -> bool,
    p: &mut Problems,
) -> Vec<(usize, usize)> {
    let mut field_cols: Vec<(usize, usize)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if WIDE_META.contains(&h.as_str()) {
            continue;
        }
        match rubric.field_index(h) {
            Some(f) => field_cols.push((i, f)),
            None if is_carried(h) => {}
            None if p.full() => p.count(name),
            None => {
                let mut problem = Problem::new(format!(
                    "column `{h}` of `{name}` is not an evidence field of rubric `{}`",
                    rubric.meta.id
                ))
                .at(Location::line_col(name, 1, Some(i + 1)));
                problem = problem.help(
                    did_you_mean(
                        h,
                        rubric
                            .fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .chain(WIDE_META.iter().copied()),
                    )
                    .unwrap_or_else(|| {
                        "`accord template` writes a coding sheet with the rubric's fields"
                            .to_string()
                    }),
                );
                p.push(problem);
            }
        }
    }
    field_cols
}

/// What one evidence row says of every value it holds: whose, on what date, by which coder,
/// from which source.
struct RowContext<'r> {
    code: &'r str,
    j: usize,
    as_of: Option<Date>,
    /// The coder's number, in order of appearance (0: no coder).
    coder_no: usize,
    /// The file, source, coder and note.
    meta: Arc<RowMeta>,
}

/// A slot of [`Kept::plain`] with no row yet.
const NO_ROW: u32 = u32::MAX;
/// Slots [`Kept::plain`] may hold for each row kept, and from the start.
const PLAIN_SLOTS_PER_ROW: usize = 8;
const PLAIN_SLOTS_START: usize = 1 << 16;

/// The evidence rows kept while a file is read.
struct Kept<'a> {
    rubric: &'a Rubric,
    header: &'a [String],
    file: Arc<str>,
    rows: Vec<EvidenceRow>,
    /// First row seen for (jurisdiction, field, as_of, coder number), to find conflicting
    /// duplicates; coders are numbered in order of appearance so the key needs no allocation.
    seen: FastMap<(usize, usize, Option<Date>, usize), usize>,
    /// Every coder's number, in order of appearance from 1.
    coders: FastMap<Arc<str>, usize>,
    texts: Interner,
    /// The first row of each undated, uncoded (jurisdiction, field), `NO_ROW` for none yet (see
    /// [`Kept::first_row`]).
    plain: Vec<u32>,
    /// How many undated, uncoded keys are in `seen` (because `plain` did not cover them).
    plain_in_seen: usize,
    /// The file, source, coder and note of rows met so far, by the addresses of their shared
    /// texts (kept alive by `texts`, so an address names one text while the file is read).
    metas: FastMap<[usize; 3], Arc<RowMeta>>,
    /// The row before's `source`, `coder` and `note` texts, and its meta.
    last_texts: [Option<Arc<str>>; 3],
    last_meta: Option<([usize; 3], Arc<RowMeta>)>,
}

/// The columns of an evidence file that describe a row rather than hold values.
struct MetaColumns {
    source: Option<usize>,
    as_of: Option<usize>,
    coder: Option<usize>,
    note: Option<usize>,
}

impl Kept<'_> {
    /// What a row says of its values: its jurisdiction (resolved through `reg`), date, coder,
    /// source and note; `None`, with a problem, when the jurisdiction or the date is wrong.
    fn row_context<'r>(
        &mut self,
        row: &Row<'r>,
        jcol: usize,
        cols: &MetaColumns,
        reg: &mut Registry<'_>,
        p: &mut Problems,
    ) -> Option<RowContext<'r>> {
        let cell = |c: Option<usize>| c.and_then(|c| row.cells.get(c));
        let code = row.cells.get(jcol).map(|s| s.trim()).unwrap_or("");
        if code.is_empty() {
            p.push(Problem::new("empty `jurisdiction`").at(row.location(jcol, "jurisdiction")));
            return None;
        }
        let j = reg.resolve(code, row, jcol, "jurisdiction", p)?;
        let as_of = match cell(cols.as_of).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match parse_date(s) {
                Some(d) => Some(d),
                None => {
                    p.push(
                        Problem::new(format!("`as_of` = `{s}` is not a date in YYYY-MM-DD form"))
                            .at(row.location(cols.as_of.unwrap_or(0), "as_of")),
                    );
                    return None;
                }
            },
        };
        let [last_source, last_coder, last_note] = &mut self.last_texts;
        let source = self.texts.cell(cell(cols.source), last_source);
        let coder = self.texts.cell(cell(cols.coder), last_coder);
        let coders = &mut self.coders;
        let coder_no = coder.as_ref().map_or(0, |c| match coders.get(c) {
            Some(&n) => n,
            None => {
                let n = coders.len() + 1;
                coders.insert(c.clone(), n);
                n
            }
        });
        let note = self.texts.cell(cell(cols.note), last_note);
        let address = |t: &Option<Arc<str>>| t.as_ref().map_or(0, |t| t.as_ptr() as usize);
        let key = [address(&source), address(&coder), address(&note)];
        let meta = match &self.last_meta {
            Some((k, meta)) if *k == key => Arc::clone(meta),
            _ => {
                let file = &self.file;
                let meta = Arc::clone(self.metas.entry(key).or_insert_with(|| {
                    Arc::new(RowMeta {
                        file: Arc::clone(file),
                        source,
                        coder,
                        note,
                    })
                }));
                self.last_meta = Some((key, Arc::clone(&meta)));
                meta
            }
        };
        Some(RowContext {
            code,
            j,
            as_of,
            coder_no,
            meta,
        })
    }

    /// The first row kept for `key` (jurisdiction, field, date, coder number), or `None` when
    /// there is none yet and the next row kept becomes it.
    ///
    /// Undated rows without a coder, the usual kind, are found in `plain`, a table laid out
    /// `jurisdiction * fields + field` (4 bytes a slot, read in the file's order of
    /// jurisdictions), not in the hash map, whose random probes were a tenth of the reading time
    /// of 1.6 million rows. The table grows only while it stays within `PLAIN_SLOTS_PER_ROW`
    /// slots for each row kept (plus a start), so a file of many jurisdictions with a value
    /// each cannot make it large; the keys it does not cover go to the map, and while any such
    /// key is there an empty slot is checked in the map as well.
    fn first_row(&mut self, key: (usize, usize, Option<Date>, usize)) -> Option<usize> {
        let next = self.rows.len();
        let (j, field, as_of, coder_no) = key;
        if as_of.is_none()
            && coder_no == 0
            && let Some(next32) = u32::try_from(next).ok().filter(|&n| n != NO_ROW)
        {
            let fields = self.rubric.fields.len();
            let i = j.saturating_mul(fields).saturating_add(field);
            if i >= self.plain.len() {
                let budget = next.saturating_mul(PLAIN_SLOTS_PER_ROW) + PLAIN_SLOTS_START;
                let wanted = (j + 1).saturating_mul(fields);
                if wanted <= budget {
                    self.plain
                        .resize(wanted.max(self.plain.len() * 2).min(budget), NO_ROW);
                }
            }
            if let Some(slot) = self.plain.get_mut(i) {
                if *slot != NO_ROW {
                    return Some(*slot as usize);
                }
                if self.plain_in_seen > 0
                    && let Some(&first) = self.seen.get(&key)
                {
                    return Some(first);
                }
                *slot = next32;
                return None;
            }
        }
        match self.seen.entry(key) {
            std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(next);
                if as_of.is_none() && coder_no == 0 {
                    self.plain_in_seen += 1;
                }
                None
            }
        }
    }

    /// Parses the value in column `c` of a row for `field` and keeps it, with a problem for a
    /// value of the wrong kind or one that conflicts with an earlier row; a repeated equal value
    /// is kept once.
    fn push(
        &mut self,
        row: &Row<'_>,
        at: &RowContext<'_>,
        field: usize,
        c: usize,
        raw: &str,
        p: &mut Problems,
    ) {
        let rubric = self.rubric;
        let header = self.header;
        let kind = &rubric.fields[field].kind;
        let value = if is_unknown(raw) {
            None
        } else {
            match parse_value(raw, kind) {
                Ok(v) => Some(v),
                Err(msg) => {
                    let column = header.get(c).map(String::as_str).unwrap_or("");
                    p.push(
                        Problem::new(format!(
                            "{msg} (field `{}` expects {})",
                            rubric.fields[field].name,
                            kind.describe()
                        ))
                        .at(row.location(c, column)),
                    );
                    return;
                }
            }
        };
        if let Some(first) = self.first_row((at.j, field, at.as_of, at.coder_no)) {
            let prev: &EvidenceRow = &self.rows[first];
            if prev.value != value {
                let column = header.get(c).map(String::as_str).unwrap_or("");
                p.push(
                    Problem::new(format!(
                        "conflicting values for `{}`, field `{}`{}{}: `{}` here, `{}` at {}",
                        at.code,
                        rubric.fields[field].name,
                        at.as_of.map(|d| format!(", as_of {d}")).unwrap_or_default(),
                        at.meta
                            .coder
                            .as_ref()
                            .map(|c| format!(", coder `{c}`"))
                            .unwrap_or_default(),
                        raw.trim(),
                        prev.raw,
                        prev.place()
                    ))
                    .at(row.location(c, column))
                    .related("first value", Location::from(&prev.place()))
                    .help("keep one row, or date them (`as_of`) if the value changed"),
                );
            }
            return;
        }
        self.rows.push(EvidenceRow {
            jurisdiction: at.j,
            field,
            value,
            raw: self.texts.get(raw.trim()),
            as_of: at.as_of,
            line: row.line,
            meta: Arc::clone(&at.meta),
        });
    }
}

/// Reads a jurisdictions file on its own (for `template`).
pub fn load_jurisdictions(
    path: &Path,
    rubric: &Rubric,
    limits: &Limits,
) -> Result<Jurisdictions, InputError> {
    read_jurisdictions(Input::File(path, None, None), rubric, limits)
}

/// Reads a jurisdictions file: codes, names, groups, denominators and complete instruments.
fn read_jurisdictions(
    input: Input<'_>,
    rubric: &Rubric,
    limits: &Limits,
) -> Result<Jurisdictions, InputError> {
    let mut table = input.open("jurisdictions file", limits)?;
    let name = table.name.clone();
    let header = table.header.clone();
    let mut p = Problems::new();
    let Some(code_c) = table.column("code") else {
        let alias = header.iter().find(|h| {
            matches!(
                h.to_ascii_lowercase().as_str(),
                "jurisdiction" | "iso3" | "ucode" | "country"
            )
        });
        return Err(InputError::one(
            Problem::new(format!("the header of `{name}` has no `code` column")).at(Location::line_col(&name, 1, None)).help(match alias {
                Some(a) => format!("rename `{a}` to `code`"),
                None => "a jurisdictions file has `code,name` and optional `group:<name>`, `denom:<name>`, `complete:<instrument>`, `allow` columns".to_string(),
            }),
        ));
    };
    let cols = jurisdiction_columns(code_c, &table, &header, &name, rubric, &mut p);
    p.check()?;
    let mut list: Vec<Jurisdiction> = Vec::new();
    let mut first_line: FastMap<String, usize> = FastMap::default();
    let count = table.for_each_row(|row| {
        if let Some(j) =
            jurisdiction_row(row, &cols, &header, &name, rubric, &mut first_line, &mut p)
        {
            list.push(j);
        }
    });
    let count = match count {
        Ok(n) => n,
        Err(e) => {
            p.push(e);
            0
        }
    };
    if count == 0 && p.is_empty() {
        p.push(
            Problem::new(format!(
                "jurisdictions file `{name}` has a header but no rows"
            ))
            .at(Location::file(&name)),
        );
    }
    list.sort_by(|a, b| a.code.cmp(&b.code));
    p.finish(Jurisdictions {
        list,
        group_names: cols.groups.into_iter().map(|(_, g)| g).collect(),
        denominator_names: cols.denoms.into_iter().map(|(_, d)| d).collect(),
        file: Some(InputFile {
            path: name,
            sha256: table.sha256(),
            rows: count,
            delimiter: table.delimiter(),
        }),
    })
}

/// The columns of a jurisdictions file.
struct JurisdictionColumns {
    code: usize,
    name: Option<usize>,
    allow: Option<usize>,
    /// `group:<name>` columns, with the group's name.
    groups: Vec<(usize, String)>,
    /// `denom:<name>` columns, with the denominator's name.
    denoms: Vec<(usize, String)>,
    /// `complete:<instrument>` columns, with the instrument's index.
    complete: Vec<(usize, usize)>,
}

/// Reads a jurisdictions file's header, with a problem for every column it does not know.
fn jurisdiction_columns(
    code_c: usize,
    table: &Table,
    header: &[String],
    name: &str,
    rubric: &Rubric,
    p: &mut Problems,
) -> JurisdictionColumns {
    let mut groups = Vec::new();
    let mut denoms = Vec::new();
    let mut complete_cols: Vec<(usize, usize)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if let Some(g) = h.strip_prefix("group:") {
            groups.push((i, g.to_string()));
        } else if let Some(d) = h.strip_prefix("denom:") {
            denoms.push((i, d.to_string()));
        } else if let Some(inst) = h.strip_prefix("complete:") {
            match rubric.instruments.iter().position(|x| x.id == inst) {
                Some(k) => complete_cols.push((i, k)),
                None => {
                    p.push(
                        Problem::new(format!("column `{h}` names instrument `{inst}`, which rubric `{}` does not declare", rubric.meta.id))
                            .at(Location::line_col(name, 1, Some(i + 1)))
                            .help(crate::error::suggest(inst, rubric.instruments.iter().map(|x| x.id.as_str()), "declared instruments")),
                    );
                }
            }
        } else if p.full() && !matches!(h.as_str(), "code" | "name" | "allow" | "source" | "note") {
            p.count(name);
        } else if !matches!(h.as_str(), "code" | "name" | "allow" | "source" | "note") {
            let known = [
                "code",
                "name",
                "allow",
                "source",
                "note",
                "group:",
                "denom:",
                "complete:",
            ];
            let mut problem = Problem::new(format!(
                "unknown column `{h}` in jurisdictions file `{name}`"
            ))
            .at(Location::line_col(name, 1, Some(i + 1)));
            problem = problem.help(did_you_mean(h, known.iter().copied()).unwrap_or_else(|| "columns: code, name, allow, source, note, group:<name>, denom:<name>, complete:<instrument>".to_string()));
            p.push(problem);
        }
    }
    JurisdictionColumns {
        code: code_c,
        name: table.column("name"),
        allow: table.column("allow"),
        groups,
        denoms,
        complete: complete_cols,
    }
}

/// Reads one jurisdiction, noting the line it was listed on; `None`, with a problem, for an
/// empty, unknown or repeated code.
fn jurisdiction_row(
    row: &Row<'_>,
    cols: &JurisdictionColumns,
    header: &[String],
    name: &str,
    rubric: &Rubric,
    first_line: &mut FastMap<String, usize>,
    p: &mut Problems,
) -> Option<Jurisdiction> {
    let code = row.cells.get(cols.code).map(|s| s.trim()).unwrap_or("");
    if code.is_empty() {
        p.push(Problem::new("empty `code`").at(row.location(cols.code, "code")));
        return None;
    }
    let allow = cols
        .allow
        .and_then(|c| row.cells.get(c))
        .is_some_and(|s| parse_bool(s.trim()) == Some(true));
    if !allow && let Some(why) = codes::check(code) {
        // An `allow` would accept a lowercase code as another jurisdiction: only suggest it
        // for codes that are well formed.
        let help = if why.starts_with("codes are upper case") {
            "accord compares codes exactly; the evidence and dyads must use the same upper-case code".to_string()
        } else {
            codes::help_for(code).unwrap_or_else(|| "for codes outside ISO 3166-1 (EUU, sub-national units) set the `allow` column to yes".to_string())
        };
        p.push(
            Problem::new(format!("unknown jurisdiction code `{code}`: {why}"))
                .at(row.location(cols.code, "code"))
                .help(help),
        );
        return None;
    }
    if let Some(prev) = first_line.get(code) {
        p.push(
            Problem::new(format!("jurisdiction `{code}` is listed twice"))
                .at(row.location(cols.code, "code"))
                .related("first listed", Location::place(&format!("{name}:{prev}"))),
        );
        return None;
    }
    first_line.insert(code.to_string(), row.line);
    let jname = cols
        .name
        .and_then(|c| row.cells.get(c))
        .map(|s| s.trim())
        .filter(|s| !s.is_empty());
    let jname = jname
        .map(String::from)
        .or_else(|| codes::iso_name(code).map(String::from))
        .unwrap_or_else(|| code.to_string());
    let mut denominators = Vec::new();
    for (c, dname) in &cols.denoms {
        let raw = row.cells.get(*c).copied().unwrap_or("");
        if is_unknown(raw) {
            denominators.push(None);
        } else {
            match parse_number(raw) {
                Ok(x) => denominators.push(Some(x)),
                Err(msg) => {
                    p.push(
                        Problem::new(format!("{msg} (denominator `{dname}`)"))
                            .at(row.location(*c, &format!("denom:{dname}"))),
                    );
                    denominators.push(None);
                }
            }
        }
    }
    let mut complete = vec![false; rubric.instruments.len()];
    for (c, k) in &cols.complete {
        let raw = row.cells.get(*c).map(|s| s.trim()).unwrap_or("");
        match parse_bool(raw) {
            Some(b) => complete[*k] = b,
            None if is_unknown(raw) => {}
            None => p.push(
                Problem::new(format!("`{raw}` is not yes or no")).at(row.location(*c, &header[*c])),
            ),
        }
    }
    Some(Jurisdiction {
        code: code.to_string(),
        name: jname,
        groups: cols
            .groups
            .iter()
            .map(|(c, _)| opt_text(row.cells.get(*c)))
            .collect(),
        denominators,
        complete,
    })
}

const DYAD_COLUMNS: &[&str] = &[
    "a",
    "b",
    "instrument",
    "status",
    "signed",
    "in_force",
    "ended",
    "as_of",
    "source",
    "note",
];

/// Reads a dyads file: bilateral instruments between jurisdictions, with status and dates.
fn load_dyads(
    input: Input<'_>,
    rubric: &Rubric,
    limits: &Limits,
    reg: &mut Registry<'_>,
) -> Result<Dyads, InputError> {
    let mut table = input.open("dyads file", limits)?;
    let name = table.name.clone();
    let file: Arc<str> = Arc::from(name.as_str());
    let header = table.header.clone();
    let mut p = Problems::new();
    check_dyad_header(&table, &header, &name, &mut p);
    p.check()?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (a_c, b_c, i_c, s_c) = (
        col("a").unwrap_or(0),
        col("b").unwrap_or(0),
        col("instrument").unwrap_or(0),
        col("status").unwrap_or(0),
    );
    let mut list = Vec::new();
    let mut stopped = false;
    let count = table.for_each_row(|row| {
        if p.full() {
            stopped = true;
            return;
        }
        let get = |c: usize| row.cells.get(c).map(|s| s.trim()).unwrap_or("");
        let (ca, cb) = (get(a_c), get(b_c));
        let a = reg.resolve(ca, row, a_c, "a", &mut p);
        let b = reg.resolve(cb, row, b_c, "b", &mut p);
        if ca == cb && !ca.is_empty() {
            p.push(Problem::new(format!("`{ca}` cannot have an instrument with itself")).at(row.location(b_c, "b")));
        }
        let inst = get(i_c);
        let instrument = match rubric.instruments.iter().position(|x| x.id == inst) {
            Some(k) => Some(k),
            None => {
                p.push(
                    Problem::new(format!("unknown instrument `{inst}`: rubric `{}` does not declare it under [instruments]", rubric.meta.id))
                        .at(row.location(i_c, "instrument"))
                        .help(crate::error::suggest(inst, rubric.instruments.iter().map(|x| x.id.as_str()), "declared instruments")),
                );
                None
            }
        };
        let status = match get(s_c) {
            "in_force" => Some(DyadStatus::InForce),
            "signed" => Some(DyadStatus::Signed),
            "terminated" => Some(DyadStatus::Terminated),
            "suspended" => Some(DyadStatus::Suspended),
            other => {
                p.push(Problem::new(format!("`{other}` is not a status")).at(row.location(s_c, "status")).help("statuses: in_force, signed, terminated, suspended"));
                None
            }
        };
        let mut date = |n: &str| -> Option<Option<Date>> {
            let c = col(n)?;
            let s = get(c);
            if is_unknown(s) {
                return Some(None);
            }
            match parse_date(s) {
                Some(d) => Some(Some(d)),
                None => {
                    p.push(Problem::new(format!("`{n}` = `{s}` is not a date in YYYY-MM-DD form")).at(row.location(c, n)));
                    None
                }
            }
        };
        let signed = date("signed").flatten();
        let in_force = date("in_force").flatten();
        let ended = date("ended").flatten();
        let as_of = date("as_of").flatten();
        if let (Some(a), Some(b), Some(instrument), Some(status)) = (a, b, instrument, status) {
            list.push(Dyad {
                a,
                b,
                instrument,
                status,
                signed,
                in_force,
                ended,
                as_of,
                source: opt_text(col("source").and_then(|c| row.cells.get(c))),
                note: opt_text(col("note").and_then(|c| row.cells.get(c))),
                place: Place {
                    file: file.clone(),
                    line: row.line,
                },
            });
        }
    });
    if stopped {
        p.push(Problem::stopped(&name));
    }
    let count = match count {
        Ok(n) => n,
        Err(e) => {
            p.push(e);
            0
        }
    };
    p.finish(Dyads {
        list,
        file: InputFile {
            path: name,
            sha256: table.sha256(),
            rows: count,
            delimiter: table.delimiter(),
        },
    })
}

/// Checks a dyads file's header: known columns only, and the four it needs.
fn check_dyad_header(table: &Table, header: &[String], name: &str, p: &mut Problems) {
    for (i, h) in header.iter().enumerate() {
        if !DYAD_COLUMNS.contains(&h.as_str()) {
            if p.full() {
                p.count(name);
                continue;
            }
            let mut problem = Problem::new(format!("unknown column `{h}` in dyads file `{name}`"))
                .at(Location::line_col(name, 1, Some(i + 1)));
            problem = problem.help(
                did_you_mean(h, DYAD_COLUMNS.iter().copied())
                    .unwrap_or_else(|| format!("columns: {}", DYAD_COLUMNS.join(", "))),
            );
            p.push(problem);
        }
    }
    for need in ["a", "b", "instrument", "status"] {
        if table.column(need).is_none() {
            p.push(
                Problem::new(format!("dyads file `{name}` has no `{need}` column"))
                    .at(Location::line_col(name, 1, None))
                    .help("dyads: a,b,instrument,status[,signed,in_force,ended,as_of,source,note]"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_other_notations_say_how_to_write_them() {
        assert_eq!(
            parse_number("1.000,5"),
            Err(CellError::GroupedWithDecimal {
                cell: "1.000,5".into(),
                group: '.',
                decimal: ',',
                written: "1000.5".into(),
            })
        );
        assert_eq!(
            parse_number(" -1,000 "),
            Err(CellError::AmbiguousComma {
                cell: "-1,000".into(),
                thousands: "-1000".into(),
                decimal: "-1.000".into(),
            })
        );
        assert_eq!(
            parse_number("0,25").map_err(|e| e.to_string()),
            Err("`0,25` uses a decimal comma; write `0.25`".to_string())
        );
        assert_eq!(
            parse_number("1e999"),
            Err(CellError::NotFinite("1e999".into()))
        );
        assert_eq!(
            parse_number("50%"),
            Err(CellError::Percentage("50%".into()))
        );
        assert_eq!(parse_number("-0"), Ok(0.0));
    }

    #[test]
    fn a_label_that_is_no_level_lists_the_levels() {
        let kind = FieldKind::Label(vec!["none".into(), "full".into()]);
        assert_eq!(parse_value(" FULL ", &kind), Ok(Value::Label(1)));
        let e = parse_value("partial", &kind).unwrap_err();
        assert_eq!(
            e,
            CellError::NotALevel {
                cell: "partial".into(),
                levels: vec!["none".into(), "full".into()],
                suggestion: None,
            }
        );
        assert_eq!(
            e.to_string(),
            "`partial` is not a level of this field (levels: none, full)"
        );
    }
}
