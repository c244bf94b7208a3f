//! `accord report`: reads results folders (`score`, and optionally `align`, `sensitivity` and
//! `compare`) into a model, from their tables (CSV or parquet, as each manifest records) and
//! manifests only, and renders it as one self-contained HTML file with SVG charts (`charts`,
//! `svg`, `html`).
//!
//! Reading never touches the rubric or the evidence, and never writes into the folders. Every
//! problem names the file it is about; all problems found are reported together.

pub mod charts;
pub mod html;
pub mod svg;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::error::{InputError, Location, Problem, Problems};
use crate::files::{decode_utf8, io_reason, sha256_hex};
use crate::output::manifest;
use crate::output::schema::{self, Cell, ReadLimits, ReadTable, TableFormat};

/// Largest results file read (bytes): a 20,000 x 20,000 alignment matrix is about 8 GB, far
/// beyond what a report can show; 1 GiB is generous for anything drawable.
const MAX_FILE: u64 = 1 << 30;

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct Report {
    /// The `score` folder (required).
    pub score: ScoreFolder,
    /// An `align` folder, if given.
    pub align: Option<AlignFolder>,
    /// A `sensitivity` folder, if given.
    pub sensitivity: Option<SensitivityFolder>,
    /// A `compare` folder, from `--compare`.
    pub compare: Option<CompareFolder>,
}

/// One results folder as read: where it is, what wrote it, and the files read from it.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The path as given on the command line.
    pub path: String,
    /// The manifest's `command`.
    pub command: String,
    /// The manifest's path, as shown in problems.
    pub manifest: String,
    /// The rubric id recorded.
    pub rubric: String,
    /// The rubric version recorded.
    pub rubric_version: String,
    /// The evidence file's SHA-256 recorded.
    pub evidence_sha256: Option<String>,
    /// The manifest's `accord_version`, if recorded.
    pub accord_version: Option<String>,
    /// The format of its tables, as the manifest records it.
    pub format: TableFormat,
    /// The files read, in reading order.
    pub files: Vec<FileCheck>,
}

impl Folder {
    /// The name of the described table `csv_name` (`ranking.csv`) in this folder's format.
    pub fn table(&self, csv_name: &str) -> String {
        self.format.name(csv_name)
    }
}

/// A file read from a results folder, with its hash and the hash its manifest records.
#[derive(Debug, Clone)]
pub struct FileCheck {
    /// File name inside the folder.
    pub name: String,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// SHA-256 recorded under `outputs` in the manifest, if any.
    pub recorded: Option<String>,
}

impl FileCheck {
    /// True when the manifest records this file with the same hash.
    pub(crate) fn matches(&self) -> bool {
        self.recorded.as_deref() == Some(self.sha256.as_str())
    }
}

/// An input file named in a manifest.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// `evidence`, `jurisdictions`, `dyads` or `rubric`.
    pub role: String,
    /// The path recorded.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its row count, when recorded.
    pub rows: Option<u64>,
}

/// A tier of the rubric.
#[derive(Debug, Clone)]
pub struct Tier {
    /// Its id, as `ranking.csv` writes it.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its lower bound.
    pub min: f64,
}

/// What the score folder's manifest says about the run.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// Rubric id.
    pub rubric_id: String,
    /// Rubric version.
    pub rubric_version: String,
    /// Rubric title.
    pub title: Option<String>,
    /// Which text of the principles the rubric pins.
    pub text_source: Option<String>,
    /// Rubric files and inputs with their hashes.
    pub inputs: Vec<InputFile>,
    /// `--set` overrides.
    pub overrides: Vec<String>,
    /// The evaluation date, if any.
    pub date: Option<String>,
    /// How the date was chosen.
    pub date_rule: Option<String>,
    /// Jurisdictions in the inputs.
    pub jurisdictions: Option<u64>,
    /// Jurisdictions scored.
    pub scored: Option<u64>,
    /// Codes screened out.
    pub screened_out: Vec<String>,
    /// The rubric's scale.
    pub scale: (f64, f64),
    /// The minimum coverage for a score.
    pub min_coverage: Option<f64>,
    /// Node names by id.
    pub node_names: HashMap<String, String>,
    /// Facet value names by id.
    pub value_names: HashMap<String, String>,
    /// Tiers, best first.
    pub tiers: Vec<Tier>,
}

impl Meta {
    /// A node's display name, or its id.
    pub fn node_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.node_names.get(id).map_or(id, String::as_str)
    }

    /// A facet value's display name, or its id.
    pub(crate) fn value_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.value_names.get(id).map_or(id, String::as_str)
    }

    /// The tier with this id.
    pub(crate) fn tier(&self, id: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.id == id)
    }
}

/// A row of `ranking.csv`.
#[derive(Debug, Clone)]
pub struct RankRow {
    /// Jurisdiction code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Index score.
    pub score: Option<f64>,
    /// Index rank.
    pub rank: Option<u32>,
    /// Tier id.
    pub tier: Option<String>,
    /// Index coverage.
    pub coverage: Option<f64>,
}

/// A jurisdiction x column table of numbers.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// Row codes.
    pub rows: Vec<String>,
    /// Column ids.
    pub cols: Vec<String>,
    /// Values, `values[row][col]`.
    pub values: Vec<Vec<Option<f64>>>,
}

impl Matrix {}

/// The `score` folder.
#[derive(Debug, Clone)]
pub struct ScoreFolder {
    /// The folder.
    pub folder: Folder,
    /// The manifest's facts.
    pub meta: Meta,
    /// `ranking.csv`, best first.
    pub ranking: Vec<RankRow>,
    /// `matrix_principles.csv`.
    pub principles: Matrix,
    /// `matrix_dimensions.csv`.
    pub dimensions: Matrix,
    /// `matrix_cells.csv`.
    pub cells: Matrix,
}

impl ScoreFolder {
    /// The name of a code, from the ranking.
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.ranking
            .iter()
            .find(|r| r.code == code)
            .map_or("", |r| r.name.as_str())
    }
}

/// A cell of a cooperation matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coop {
    /// The diagonal (empty cell).
    Diagonal,
    /// Linked by these instruments (`;`-joined).
    Linked(String),
    /// Known to have no link.
    None,
    /// Unknown.
    Unknown,
}

/// The `align` folder.
#[derive(Debug, Clone)]
pub struct AlignFolder {
    /// The folder.
    pub folder: Folder,
    /// `alignment.csv`: square, in cluster order.
    pub alignment: Matrix,
    /// Cluster of each code (`clusters.csv`).
    pub clusters: BTreeMap<String, u32>,
    /// Names from `clusters.csv`.
    pub names: BTreeMap<String, String>,
    /// `cooperation.csv`: codes, in file order.
    pub coop_codes: Vec<String>,
    /// `cooperation.csv`: cells.
    pub coop: Vec<Vec<Coop>>,
    /// The metric and level, when the manifest records them.
    pub metric: Option<String>,
    /// The level compared.
    pub level: Option<String>,
}

/// A row of `rank_intervals.csv`.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Jurisdiction code.
    pub code: String,
    /// Nominal rank.
    pub nominal: Option<f64>,
    /// Median rank.
    pub median: Option<f64>,
    /// 5th percentile rank.
    pub q05: Option<f64>,
    /// 95th percentile rank.
    pub q95: Option<f64>,
}

/// A row of `sensitivity_indices.csv`.
#[derive(Debug, Clone)]
pub struct SensIndex {
    /// Factor name.
    pub factor: String,
    /// First-order index and its interval.
    pub si: [Option<f64>; 3],
    /// Total index and its interval.
    pub sti: [Option<f64>; 3],
}

/// The `sensitivity` folder.
#[derive(Debug, Clone)]
pub struct SensitivityFolder {
    /// The folder.
    pub folder: Folder,
    /// Rank intervals by code.
    pub intervals: BTreeMap<String, Interval>,
    /// Sensitivity indices, in file order.
    pub indices: Vec<SensIndex>,
    /// Runs (N) and target, when recorded.
    pub n: Option<u64>,
    /// The node analysed.
    pub target: Option<String>,
}

/// A row of `rank_shifts.csv`.
#[derive(Debug, Clone)]
pub struct Shift {
    /// Jurisdiction code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Rank in A.
    pub rank_a: Option<f64>,
    /// Rank in B.
    pub rank_b: Option<f64>,
    /// rank_a - rank_b.
    pub shift: Option<f64>,
    /// Score in A.
    pub score_a: Option<f64>,
    /// Score in B.
    pub score_b: Option<f64>,
}

/// The `compare` folder.
#[derive(Debug, Clone)]
pub struct CompareFolder {
    /// The folder.
    pub folder: Folder,
    /// Label of run A.
    pub label_a: String,
    /// Label of run B.
    pub label_b: String,
    /// Summary statistics shown as they are: (key, value as text).
    pub stats: Vec<(String, String)>,
    /// What differs between A and B, as `compare` describes it.
    pub changes: Vec<String>,
    /// Rank shifts.
    pub shifts: Vec<Shift>,
}

/// Reads the results folders and the optional `--compare` folder.
pub fn read(dirs: &[PathBuf], compare: Option<&Path>) -> Result<Report, InputError> {
    let mut problems = Problems::new();
    let mut score = None;
    let mut align = None;
    let mut sensitivity = None;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for dir in dirs {
        let shown = dir.display().to_string();
        let manifest = match read_manifest(dir) {
            Ok(m) => m,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let command = manifest.command.clone();
        if let Some(first) = seen.get(&command) {
            problems.push(
                Problem::new(format!(
                    "two `{command}` folders given: `{first}` and `{shown}`"
                ))
                .at(Location::file(manifest.path_shown.clone()))
                .help("a report shows one folder of each kind"),
            );
            continue;
        }
        seen.insert(command.clone(), shown.clone());
        let result = match command.as_str() {
            "score" => read_score(dir, manifest).map(|s| score = Some(s)),
            "align" => read_align(dir, manifest).map(|a| align = Some(a)),
            "sensitivity" => read_sensitivity(dir, manifest).map(|s| sensitivity = Some(s)),
            "compare" => Err(InputError::one(
                Problem::new(format!("`{shown}` is a `compare` folder"))
                    .at(Location::file(manifest.path_shown.clone()))
                    .help(format!("pass it with --compare {shown}")),
            )),
            other => Err(InputError::one(
                Problem::new(format!(
                    "`{shown}` was written by `accord {other}`, which a report does not show"
                ))
                .at(Location::file(manifest.path_shown.clone()))
                .help("a report reads `score`, `align` and `sensitivity` folders, and a `compare` folder with --compare"),
            )),
        };
        if let Err(e) = result {
            problems.extend(e);
        }
    }
    let compare = match compare {
        None => None,
        Some(dir) => match read_manifest(dir).map_err(InputError::one).and_then(|m| {
            if m.command == "compare" {
                read_compare(dir, m)
            } else {
                Err(InputError::one(
                    Problem::new(format!(
                        "`--compare {}` is a `{}` folder, not a `compare` folder",
                        dir.display(),
                        m.command
                    ))
                    .at(Location::file(m.path_shown.clone()))
                    .help("--compare takes the folder written by `accord compare`"),
                ))
            }
        }) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.extend(e);
                None
            }
        },
    };
    let Some(score) = score else {
        if problems.is_empty() {
            problems.push(
                Problem::new("no `score` folder among the results folders given")
                    .help("a report needs the folder written by `accord score --out DIR`; add it to the command line"),
            );
        }
        return Err(problems.finish(()).err().unwrap_or_default());
    };
    let others = [
        align.as_ref().map(|a| &a.folder),
        sensitivity.as_ref().map(|s| &s.folder),
    ];
    for folder in others.into_iter().flatten() {
        if let Some(p) = mismatch(&score.folder, folder) {
            problems.push(p);
        }
    }
    problems.finish(Report {
        score,
        align,
        sensitivity,
        compare,
    })
}

/// A problem when `other` comes from another rubric or evidence than the score folder.
fn mismatch(score: &Folder, other: &Folder) -> Option<Problem> {
    if score.rubric == other.rubric
        && score.rubric_version == other.rubric_version
        && score.evidence_sha256 == other.evidence_sha256
    {
        return None;
    }
    let what = if score.rubric != other.rubric || score.rubric_version != other.rubric_version {
        format!(
            "rubric {} {} against {} {}",
            other.rubric, other.rubric_version, score.rubric, score.rubric_version
        )
    } else {
        "different evidence (its SHA-256 differs)".to_string()
    };
    Some(
        Problem::new(format!(
            "the `{}` folder `{}` comes from another run than the score folder `{}`: {what}",
            other.command, other.path, score.path
        ))
        .at(Location::file(other.manifest.clone()))
        .related(
            "the score folder's manifest",
            Location::file(score.manifest.clone()),
        )
        .help("give folders written from the same rubric and evidence"),
    )
}

/// A manifest as read, with where it is and the SHA-256 of its bytes.
struct Manifest {
    read: manifest::Manifest,
    command: String,
    path_shown: String,
    sha256: String,
    format: TableFormat,
}

impl Manifest {
    /// The manifest of a folder written from one run, if it is one.
    fn run(&self) -> Option<&manifest::RunManifest> {
        match &self.read {
            manifest::Manifest::Run(m) => Some(m),
            manifest::Manifest::Compare(_) => None,
        }
    }

    /// The command's options as its serde type, when they are recorded in a form it reads.
    fn options<T: serde::de::DeserializeOwned + Default>(&self) -> Option<T> {
        let m = self.run()?;
        m.options.as_ref()?;
        m.options_as(&self.path_shown).ok()
    }
}

fn read_manifest(dir: &Path) -> Result<Manifest, Problem> {
    let shown = dir.display().to_string();
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(
                Problem::new(format!("`{shown}` is a file, not a results folder"))
                    .at(Location::file(&shown))
                    .help("give the folders written by `accord score`, `align` or `sensitivity`"),
            );
        }
        Err(e) => {
            return Err(Problem::new(format!(
                "cannot read the results folder `{shown}`: {}",
                io_reason(&e)
            ))
            .at(Location::file(&shown)));
        }
    }
    let path_shown = dir.join("manifest.json").display().to_string();
    let (read, sha256) = manifest::read(dir)?;
    let format = manifest::known_format(read.format(), &path_shown)?;
    Ok(Manifest {
        command: read.command().to_string(),
        read,
        path_shown,
        sha256,
        format,
    })
}

/// A results file's text and the SHA-256 of its bytes.
fn read_bytes(path: &Path, what: &str) -> Result<(String, String), Problem> {
    let bytes = crate::files::read_bytes(path, what, MAX_FILE, None, None)?;
    let sha = sha256_hex(&bytes);
    Ok((decode_utf8(bytes, &path.display().to_string())?, sha))
}

fn folder_of(dir: &Path, m: &Manifest) -> Folder {
    let run = m.run();
    Folder {
        path: dir.display().to_string(),
        command: m.command.clone(),
        manifest: m.path_shown.clone(),
        rubric: run.map(|r| r.rubric.id.clone()).unwrap_or_default(),
        rubric_version: run.map(|r| r.rubric.version.clone()).unwrap_or_default(),
        evidence_sha256: run
            .map(|r| r.inputs.evidence.sha256.clone())
            .filter(|h| !h.is_empty()),
        accord_version: m.read.accord_version().map(str::to_string),
        format: m.format,
        files: vec![FileCheck {
            name: "manifest.json".to_string(),
            sha256: m.sha256.clone(),
            recorded: None,
        }],
    }
}

fn jget<'a>(j: &'a Json, path: &[&str]) -> Option<&'a Json> {
    path.iter().try_fold(j, |j, k| j.get(k))
}

fn jstr(j: &Json, path: &[&str]) -> Option<String> {
    jget(j, path).and_then(|v| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// What a report reads of one results file: at most [`MAX_FILE`] bytes and the default rows.
fn limits() -> ReadLimits {
    ReadLimits {
        bytes: MAX_FILE,
        flag: None,
        rows: crate::limits::Limits::default().rows,
    }
}

/// The column `name`, which the table's description requires (so the reader has checked it
/// is there).
fn need(t: &ReadTable, name: &str) -> Result<usize, Problem> {
    t.col(name).ok_or_else(|| {
        Problem::new(format!("`{}` has no column `{name}`", t.shown))
            .at(Location::line_col(&t.shown, 1, None).with_key(name))
            .help(format!("its header is: {}", t.header.join(",")))
    })
}

/// Refuses a table with an `as_of` column holding several dates (`score --as-of d1,d2`).
fn single_date(t: &ReadTable) -> Result<(), Problem> {
    let Some(c) = t.col("as_of") else {
        return Ok(());
    };
    let dates: BTreeSet<&str> = t.rows.iter().map(|r| r.text(Some(c))).collect();
    if dates.len() > 1 {
        return Err(Problem::new(format!(
            "`{}` holds {} evaluation dates; a report shows one",
            t.shown,
            dates.len()
        ))
        .at(Location::file(&t.shown).with_key("as_of"))
        .help("score one date per folder (`accord score --as-of DATE --out DIR`) and report that folder, or compare two with `accord compare`"));
    }
    Ok(())
}

/// A whole number as a rank or cluster (negative read as 0).
fn whole(x: Option<i64>) -> Option<u32> {
    x.map(|v| u32::try_from(v.max(0)).unwrap_or(u32::MAX))
}

/// Reads the table `file` of the folder `dir`, in the folder's format, against its description,
/// and records its hash beside the one the manifest records.
fn read_table(
    dir: &Path,
    file: &'static schema::File,
    folder: &mut Folder,
    outputs: &manifest::Manifest,
) -> Result<ReadTable, Problem> {
    let (table, sha256) = schema::read_in(dir, file, folder.format, &limits())?;
    let name = folder.table(file.name);
    folder.files.push(FileCheck {
        recorded: outputs.sha256(&name).map(str::to_string),
        name,
        sha256,
    });
    Ok(table)
}

fn read_matrix(t: &ReadTable) -> Result<Matrix, Problem> {
    single_date(t)?;
    let j = need(t, "jurisdiction")?;
    let data = t.family();
    let mut m = Matrix {
        cols: data.iter().map(|(_, name)| name.to_string()).collect(),
        ..Matrix::default()
    };
    for row in &t.rows {
        m.rows.push(row.text(Some(j)).to_string());
        m.values
            .push(data.iter().map(|&(c, _)| row.number(Some(c))).collect());
    }
    Ok(m)
}

fn collect<T>(problems: &mut Problems, r: Result<T, Problem>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(p) => {
            problems.push(p);
            None
        }
    }
}

fn read_score(dir: &Path, m: Manifest) -> Result<ScoreFolder, InputError> {
    let mut folder = folder_of(dir, &m);
    let outputs = m.read.clone();
    let mut problems = Problems::new();
    let mut table = |file: &'static schema::File, problems: &mut Problems| {
        collect(problems, read_table(dir, file, &mut folder, &outputs))
    };
    let ranking = table(&schema::RANKING, &mut problems);
    let principles = table(&schema::MATRIX_PRINCIPLES, &mut problems);
    let dimensions = table(&schema::MATRIX_DIMENSIONS, &mut problems);
    let cells = table(&schema::MATRIX_CELLS, &mut problems);
    let ranking = ranking.and_then(|t| collect(&mut problems, read_ranking(&t)));
    let mut matrix = |t: Option<ReadTable>| t.and_then(|t| collect(&mut problems, read_matrix(&t)));
    let principles = matrix(principles);
    let dimensions = matrix(dimensions);
    let cells = matrix(cells);
    let meta = m.run().map(meta_of).unwrap_or_default();
    match (ranking, principles, dimensions, cells) {
        (Some(ranking), Some(principles), Some(dimensions), Some(cells)) if problems.is_empty() => {
            Ok(ScoreFolder {
                folder,
                meta,
                ranking,
                principles,
                dimensions,
                cells,
            })
        }
        _ => Err(problems.finish(()).err().unwrap_or_default()),
    }
}

fn read_ranking(t: &ReadTable) -> Result<Vec<RankRow>, Problem> {
    single_date(t)?;
    let (j, score, rank) = (
        need(t, "jurisdiction")?,
        need(t, "score")?,
        need(t, "rank")?,
    );
    let (name, tier, coverage) = (t.col("name"), t.col("tier"), t.col("coverage"));
    Ok(t.rows
        .iter()
        .map(|row| RankRow {
            code: row.text(Some(j)).to_string(),
            name: row.text(name).to_string(),
            score: row.number(Some(score)),
            rank: whole(row.integer(Some(rank))),
            tier: tier
                .map(|c| row.text(Some(c)).to_string())
                .filter(|s| !s.is_empty() && s != "NA"),
            coverage: row.number(coverage),
        })
        .collect())
}

fn meta_of(m: &manifest::RunManifest) -> Meta {
    let r = &m.rubric;
    let mut meta = Meta {
        rubric_id: Some(r.id.clone())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| "unknown".to_string()),
        rubric_version: r.version.clone(),
        title: Some(r.title.clone()).filter(|t| !t.is_empty()),
        text_source: r.text_source.clone(),
        date: m.evaluation.date.clone(),
        date_rule: Some(m.evaluation.rule.clone()).filter(|t| !t.is_empty()),
        jurisdictions: Some(m.counts.jurisdictions),
        scored: Some(m.counts.scored),
        scale: (0.0, 100.0),
        overrides: r.overrides.clone(),
        screened_out: m.counts.screened_out.clone(),
        ..Meta::default()
    };
    for f in &r.files {
        meta.inputs.push(InputFile {
            role: "rubric".to_string(),
            path: f.path.clone(),
            sha256: f.sha256.clone(),
            rows: None,
        });
    }
    let ev = &m.inputs.evidence;
    if !ev.path.is_empty() {
        meta.inputs.push(InputFile {
            role: "evidence".to_string(),
            path: ev.path.clone(),
            sha256: ev.sha256.clone(),
            rows: Some(ev.rows),
        });
    }
    for (role, f) in [
        ("jurisdictions", &m.inputs.jurisdictions),
        ("dyads", &m.inputs.dyads),
    ] {
        if let Some(f) = f {
            meta.inputs.push(InputFile {
                role: role.to_string(),
                path: f.path.clone(),
                sha256: f.sha256.clone(),
                rows: Some(f.rows),
            });
        }
    }
    let settings = &m.settings;
    if let Some([lo, hi]) = jget(settings, &["rubric", "scale"])
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        && let (Some(lo), Some(hi)) = (lo.as_f64(), hi.as_f64())
        && hi > lo
    {
        meta.scale = (lo, hi);
    }
    meta.min_coverage =
        jget(settings, &["pipeline", "aggregate", "min_coverage"]).and_then(Json::as_f64);
    for n in jget(settings, &["node"])
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(id), Some(name)) = (jstr(n, &["id"]), jstr(n, &["name"])) {
            meta.node_names.insert(id, name);
        }
    }
    if let Some(facets) = jget(settings, &["facets"]).and_then(Json::as_object) {
        for f in facets.values() {
            for v in f
                .get("values")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(id), Some(name)) = (jstr(v, &["id"]), jstr(v, &["name"])) {
                    meta.value_names.entry(id).or_insert(name);
                }
            }
        }
    }
    for t in jget(settings, &["tier"])
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(id) = jstr(t, &["id"]) {
            meta.tiers.push(Tier {
                name: jstr(t, &["name"]).unwrap_or_else(|| id.clone()),
                id,
                min: t
                    .get("min")
                    .and_then(Json::as_f64)
                    .unwrap_or(f64::NEG_INFINITY),
            });
        }
    }
    meta.tiers.sort_by(|a, b| b.min.total_cmp(&a.min));
    meta
}

fn read_align(dir: &Path, m: Manifest) -> Result<AlignFolder, InputError> {
    let options: Option<manifest::AlignOptions> = m.options();
    let mut folder = folder_of(dir, &m);
    let outputs = m.read.clone();
    let mut problems = Problems::new();
    let alignment = collect(
        &mut problems,
        read_table(dir, &schema::ALIGNMENT, &mut folder, &outputs),
    );
    let clusters = collect(
        &mut problems,
        read_table(dir, &schema::CLUSTERS, &mut folder, &outputs),
    );
    let coop = collect(
        &mut problems,
        read_table(dir, &schema::COOPERATION, &mut folder, &outputs),
    );
    let alignment = alignment.and_then(|t| collect(&mut problems, read_square(&t)));
    let clusters = clusters.and_then(|t| collect(&mut problems, read_clusters(&t)));
    let coop = coop.and_then(|t| collect(&mut problems, read_coop(&t)));
    match (alignment, clusters, coop) {
        (Some(alignment), Some((clusters, names)), Some((coop_codes, coop)))
            if problems.is_empty() =>
        {
            Ok(AlignFolder {
                folder,
                alignment,
                clusters,
                names,
                coop_codes,
                coop,
                metric: options
                    .as_ref()
                    .map(|o| o.metric.clone())
                    .filter(|x| !x.is_empty()),
                level: options.map(|o| o.level).filter(|x| !x.is_empty()),
            })
        }
        _ => Err(problems.finish(()).err().unwrap_or_default()),
    }
}

fn read_square(t: &ReadTable) -> Result<Matrix, Problem> {
    let m = read_matrix(t)?;
    if m.rows != m.cols {
        return Err(Problem::new(format!(
            "`{}` is not a square matrix: its rows and its columns name different jurisdictions, or in another order",
            t.shown
        ))
        .at(Location::file(&t.shown)));
    }
    Ok(m)
}

type Clusters = (BTreeMap<String, u32>, BTreeMap<String, String>);

fn read_clusters(t: &ReadTable) -> Result<Clusters, Problem> {
    let j = need(t, "jurisdiction")?;
    let c = need(t, "cluster")?;
    let name = t.col("name");
    let mut clusters = BTreeMap::new();
    let mut names = BTreeMap::new();
    for row in &t.rows {
        let code = row.text(Some(j)).to_string();
        if let Some(k) = whole(row.integer(Some(c))) {
            clusters.insert(code.clone(), k);
        }
        if name.is_some() {
            names.insert(code, row.text(name).to_string());
        }
    }
    Ok((clusters, names))
}

fn read_coop(t: &ReadTable) -> Result<(Vec<String>, Vec<Vec<Coop>>), Problem> {
    let j = need(t, "jurisdiction")?;
    let cols = t.family();
    let codes: Vec<String> = cols.iter().map(|(_, name)| name.to_string()).collect();
    let mut cells = Vec::new();
    for (i, row) in t.rows.iter().enumerate() {
        if codes.get(i).map(String::as_str) != Some(row.text(Some(j))) {
            return Err(Problem::new(format!(
                "`{}` line {}: row `{}` does not match column {} `{}`; a cooperation matrix has the same jurisdictions in its rows and columns",
                t.shown,
                row.line,
                row.text(Some(j)),
                i + 2,
                codes.get(i).map_or("", String::as_str)
            ))
            .at(Location::line_col(&t.shown, row.line, Some(1))));
        }
        cells.push(
            cols.iter()
                .enumerate()
                .map(|(k, &(c, _))| match row.cell(c) {
                    _ if k == i => Coop::Diagonal,
                    Cell::Na => Coop::Unknown,
                    Cell::Text(s) => match s.trim() {
                        "" => Coop::Diagonal,
                        "none" => Coop::None,
                        "NA" => Coop::Unknown,
                        s => Coop::Linked(s.to_string()),
                    },
                    _ => Coop::Diagonal,
                })
                .collect(),
        );
    }
    if cells.len() != codes.len() {
        return Err(Problem::new(format!(
            "`{}` has {} rows for {} columns; a cooperation matrix is square",
            t.shown,
            cells.len(),
            codes.len()
        ))
        .at(Location::file(&t.shown)));
    }
    Ok((codes, cells))
}

fn read_sensitivity(dir: &Path, m: Manifest) -> Result<SensitivityFolder, InputError> {
    let options: Option<manifest::SensitivityOptions> = m.options();
    let mut folder = folder_of(dir, &m);
    let outputs = m.read.clone();
    let mut problems = Problems::new();
    let intervals = collect(
        &mut problems,
        read_table(dir, &schema::RANK_INTERVALS, &mut folder, &outputs),
    );
    let indices = collect(
        &mut problems,
        read_table(dir, &schema::SENSITIVITY_INDICES, &mut folder, &outputs),
    );
    let intervals = intervals.and_then(|t| collect(&mut problems, read_intervals(&t)));
    let indices = indices.and_then(|t| collect(&mut problems, read_indices(&t)));
    match (intervals, indices) {
        (Some(intervals), Some(indices)) if problems.is_empty() => Ok(SensitivityFolder {
            folder,
            intervals,
            indices,
            n: options.as_ref().map(|o| o.n as u64),
            target: options.map(|o| o.target).filter(|x| !x.is_empty()),
        }),
        _ => Err(problems.finish(()).err().unwrap_or_default()),
    }
}

fn read_intervals(t: &ReadTable) -> Result<BTreeMap<String, Interval>, Problem> {
    let j = need(t, "jurisdiction")?;
    let (median, q05, q95) = (
        need(t, "median_rank")?,
        need(t, "q05_rank")?,
        need(t, "q95_rank")?,
    );
    let nominal = t.col("nominal_rank");
    let mut out = BTreeMap::new();
    for row in &t.rows {
        let code = row.text(Some(j)).to_string();
        out.insert(
            code.clone(),
            Interval {
                code,
                nominal: row.number(nominal),
                median: row.number(Some(median)),
                q05: row.number(Some(q05)),
                q95: row.number(Some(q95)),
            },
        );
    }
    Ok(out)
}

fn read_indices(t: &ReadTable) -> Result<Vec<SensIndex>, Problem> {
    let f = need(t, "factor")?;
    let (si, sti) = (Some(need(t, "si")?), Some(need(t, "sti")?));
    let c = |name: &str| t.col(name);
    let (si05, si95, sti05, sti95) = (c("si_q05"), c("si_q95"), c("sti_q05"), c("sti_q95"));
    Ok(t.rows
        .iter()
        .map(|row| SensIndex {
            factor: row.text(Some(f)).to_string(),
            si: [row.number(si), row.number(si05), row.number(si95)],
            sti: [row.number(sti), row.number(sti05), row.number(sti95)],
        })
        .collect())
}

fn read_compare(dir: &Path, m: Manifest) -> Result<CompareFolder, InputError> {
    let mut folder = folder_of(dir, &m);
    let outputs = m.read.clone();
    let shifts = read_table(dir, &schema::RANK_SHIFTS, &mut folder, &outputs)
        .and_then(|t| read_shifts(&t))
        .map_err(InputError::one)?;
    let path = dir.join("summary.json");
    let shown = path.display().to_string();
    let (text, sha256) = read_bytes(&path, "results file").map_err(InputError::one)?;
    folder.files.push(FileCheck {
        name: "summary.json".to_string(),
        sha256,
        recorded: outputs.sha256("summary.json").map(str::to_string),
    });
    let summary: Json = serde_json::from_str(&text).map_err(|e| {
        InputError::one(
            Problem::new(format!("`{shown}` is not valid JSON: {e}")).at(Location::line_col(
                &shown,
                e.line(),
                Some(e.column()),
            )),
        )
    })?;
    let label =
        |k: &str, default: &str| jstr(&summary, &[k]).unwrap_or_else(|| default.to_string());
    let mut stats = Vec::new();
    for key in [
        "jurisdictions_compared",
        "spearman",
        "kendall",
        "top10_overlap",
        "moved_more_than_5",
    ] {
        if let Some(v) = summary.get(key) {
            stats.push((key.to_string(), json_text(v)));
        }
    }
    Ok(CompareFolder {
        folder,
        label_a: label("label_a", "A"),
        label_b: label("label_b", "B"),
        stats,
        changes: summary
            .get("changes")
            .and_then(Json::as_array)
            .map(|a| a.iter().map(json_text).collect())
            .unwrap_or_default(),
        shifts,
    })
}

/// A JSON value as short text: numbers and strings as they are, a list as its length and items.
fn json_text(v: &Json) -> String {
    match v {
        Json::Null => "NA".to_string(),
        Json::String(s) => s.clone(),
        Json::Number(n) => n.as_f64().map_or_else(
            || n.to_string(),
            |x| crate::base::format::number((x * 1e4).round() / 1e4),
        ),
        Json::Array(a) => {
            let items: Vec<String> = a.iter().map(json_text).collect();
            format!("{} ({})", a.len(), items.join(", "))
        }
        other => other.to_string(),
    }
}

fn read_shifts(t: &ReadTable) -> Result<Vec<Shift>, Problem> {
    let j = need(t, "jurisdiction")?;
    let (ra, rb) = (Some(need(t, "rank_a")?), Some(need(t, "rank_b")?));
    let name = t.col("name");
    let (shift, sa, sb) = (t.col("shift"), t.col("score_a"), t.col("score_b"));
    Ok(t.rows
        .iter()
        .map(|row| {
            let (rank_a, rank_b) = (row.number(ra), row.number(rb));
            Shift {
                code: row.text(Some(j)).to_string(),
                name: row.text(name).to_string(),
                rank_a,
                rank_b,
                shift: row
                    .number(shift)
                    .or_else(|| rank_a.zip(rank_b).map(|(a, b)| a - b)),
                score_a: row.number(sa),
                score_b: row.number(sb),
            }
        })
        .collect())
}
