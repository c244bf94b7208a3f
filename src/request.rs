//! What a command reads, resolved the way the command line resolves it: the rubric (given, the
//! data folder's, or the shipped default), the evidence, jurisdictions and dyads (given, found in a
//! data folder, or built in), the dates, the `--set` overrides; each table on disk or as bytes in
//! memory. The `accord` binary and programs that embed accord (the Python package) call this, so
//! both read the same inputs the same way and record them in a manifest the same way.

use std::path::{Path, PathBuf};

use crate::error::{InputError, Location, Problem, Problems};
use crate::evidence::{self, Date, InputPaths, Inputs, parse_date};
use crate::limits::Limits;
use crate::output::manifest::{FileRecord, Invocation};
use crate::rubric::{self, LoadOptions, Rubric};

/// The shipped default rubric, relative to the working folder.
pub const DEFAULT_RUBRIC: &str = "rubrics/paris-call.toml";
/// The shipped default data folder.
pub(crate) const DEFAULT_DATA: &str = "data";

/// A table given as bytes in memory, under the name its messages and the manifest show.
#[derive(Debug, Clone, Default)]
pub struct Named {
    /// The name shown for it (e.g. `DataFrame evidence`), in place of a path.
    pub name: String,
    /// Its text, as a CSV file would hold it.
    pub bytes: Vec<u8>,
}

/// Tables given in memory; each one given replaces the file of the same role.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// The evidence (long or wide form).
    pub evidence: Option<Named>,
    /// The jurisdictions table.
    pub jurisdictions: Option<Named>,
    /// The dyads table.
    pub dyads: Option<Named>,
}

/// Where the rubric and evidence come from: the command line's input options.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The rubric file (`None`: the data folder's, else the shipped default).
    pub rubric: Option<PathBuf>,
    /// The evidence file (`None`: the data folder's).
    pub evidence: Option<PathBuf>,
    /// The sheet of an evidence workbook.
    pub sheet: Option<String>,
    /// The jurisdictions file.
    pub jurisdictions: Option<PathBuf>,
    /// The dyads file.
    pub dyads: Option<PathBuf>,
    /// A data folder (`None` and no evidence: `./data` if it exists, else the built-in default).
    pub data: Option<PathBuf>,
    /// The delimiter of every text input, as `--delimiter` takes it.
    pub delimiter: Option<String>,
    /// The evaluation dates, comma-separated, as `--as-of` takes them.
    pub as_of: Option<String>,
    /// Rubric overrides, `KEY=VALUE` as `--set` takes them.
    pub set: Vec<String>,
    /// Let a rubric's `extends` reach files outside its folder.
    pub allow_extends_outside: bool,
    /// Score only the criteria that were coded.
    pub only_coded: bool,
    /// Tables given in memory instead of files (an evidence table here counts as `evidence`).
    pub memory: Memory,
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
    /// The tables given in memory.
    pub memory: Memory,
}

impl Request {
    /// Whether evidence is given, on disk or in memory (then no data folder is read).
    fn evidence_given(&self) -> bool {
        self.evidence.is_some() || self.memory.evidence.is_some()
    }

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
        if self.evidence_given() && self.data.is_some() {
            return Err(InputError::one(Problem::new(
                "give either --evidence or --data, not both",
            )));
        }
        // Without --data or --evidence: the `data` folder here, else the shipped default built into
        // the binary (so an installed accord scores it from any folder).
        let builtin =
            !self.evidence_given() && self.data.is_none() && !Path::new(DEFAULT_DATA).is_dir();
        let data_dir = self.data_dir(builtin)?;
        let folder = match &data_dir {
            Some(dir) => evidence::folder::read(dir, limits)?,
            None => None,
        };
        let rubric = self.rubric_path(folder.as_ref(), data_dir.as_deref(), builtin)?;
        let mut paths = self.input_paths(data_dir.as_deref())?;
        // A table in memory stands where its file would, under its name.
        let m = &self.memory;
        if let Some(t) = &m.evidence {
            paths.evidence = PathBuf::from(&t.name);
        }
        if let Some(t) = &m.jurisdictions {
            paths.jurisdictions = Some(PathBuf::from(&t.name));
        }
        if let Some(t) = &m.dyads {
            paths.dyads = Some(PathBuf::from(&t.name));
        }
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
            memory: self.memory.clone(),
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
        if self.evidence_given() {
            return Ok(None);
        }
        if builtin {
            return Ok(Some(PathBuf::from(format!(
                "{}{DEFAULT_DATA}",
                crate::builtin::PREFIX
            ))));
        }
        let dir = self
            .data
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
        // `builtin:data` (as a manifest records a run on the built-in default).
        let shown = dir.display().to_string();
        let built_in = crate::builtin::is_builtin(&shown)
            && crate::builtin::file(&format!("{shown}/evidence.csv")).is_some();
        if !dir.is_dir() && !built_in {
            return Err(InputError::one(
                Problem::new(format!("the data folder `{}` does not exist", dir.display()))
                    .at(Location::file(dir.display().to_string()))
                    .help("--data names a folder holding evidence.csv (and optionally jurisdictions.csv, dyads.csv, accord.toml)"),
            ));
        }
        Ok(Some(dir))
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
                            crate::builtin::is_builtin(&d.display().to_string())
                        }) =>
                {
                    PathBuf::from(format!("{}{DEFAULT_RUBRIC}", crate::builtin::PREFIX))
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
        let mut problems = Problems::new();
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
    ) -> Result<crate::output::Inputs, InputError> {
        let mut g = self.resolve(limits)?.guard();
        g.rubric(rubric);
        Ok(g)
    }

    /// The rubric's load options (`--set`, `--allow-extends-outside`, the limits).
    pub(crate) fn load_options(&self, limits: &Limits) -> LoadOptions {
        LoadOptions {
            overrides: self.set.clone(),
            allow_extends_outside: self.allow_extends_outside,
            leave_out: Vec::new(),
            limits: *limits,
        }
    }

    /// Loads the rubric and the inputs; with `only_coded`, leaves out the criteria nothing was
    /// coded for (a variant of the rubric validated again leaves them out too).
    pub fn load_resolved(&self, resolved: &Resolved) -> Result<(Rubric, Inputs), InputError> {
        let options = self.load_options(&resolved.limits);
        let mut rubric = rubric::load(&resolved.rubric, &options)?;
        let inputs = load_inputs(resolved, &rubric)?;
        if self.only_coded {
            let coded = crate::rules::coded(&rubric, &inputs);
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
    /// loaded): what an output may never replace or hold. A table in memory is no file.
    pub fn guard(&self) -> crate::output::Inputs {
        let mut g = crate::output::Inputs::new();
        g.add(&self.rubric);
        let m = &self.memory;
        if m.evidence.is_none() {
            g.add(&self.paths.evidence);
        }
        for (p, mem) in [
            (&self.paths.jurisdictions, &m.jurisdictions),
            (&self.paths.dyads, &m.dyads),
        ] {
            if let (Some(p), None) = (p, mem) {
                g.add(p);
            }
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

/// Reads the evidence, jurisdictions and dyads (from their files, or from memory), with the date
/// the data folder declares.
pub(crate) fn load_inputs(resolved: &Resolved, rubric: &Rubric) -> Result<Inputs, InputError> {
    let options = evidence::LoadOptions {
        carried: resolved
            .folder
            .as_ref()
            .map(|f| f.fields.clone())
            .unwrap_or_default(),
        delimiter: resolved.delimiter,
        limits: resolved.limits,
    };
    let m = &resolved.memory;
    let memory = evidence::memory::Given {
        evidence: m.evidence.as_ref().map(|t| t.bytes.as_slice()),
        jurisdictions: m.jurisdictions.as_ref().map(|t| t.bytes.as_slice()),
        dyads: m.dyads.as_ref().map(|t| t.bytes.as_slice()),
    };
    let mut inputs = evidence::memory::load_given(&resolved.paths, memory, rubric, &options)?;
    if let Some(f) = &resolved.folder
        && let Some(d) = f.date
    {
        inputs.declared_date = Some((d, f.file.clone()));
    }
    Ok(inputs)
}
