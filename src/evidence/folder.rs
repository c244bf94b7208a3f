//! A data folder: its tables (`evidence.csv` or `evidence.tsv`, ...) and its own description,
//! `accord.toml`: which rubric scores it, the date it is evaluated on, the evidence fields it
//! carries beyond what a rubric reads, and the delimiter of its tables.
//!
//! ```toml
//! rubric = "../rubrics/paris-call-public.toml"   # relative to the folder
//! date = 2025-12-25                             # optional: the data set's evaluation date
//! fields = ["budapest_party", "wassenaar_participant"]  # optional: fields it carries
//! delimiter = ";"                               # optional: how its tables separate columns
//! ```

use std::path::{Path, PathBuf};

use crate::error::{InputError, Location, Problem, Problems, SourceText};
use crate::evidence::{Date, Delimiter, parse_date};
use crate::limits::Limits;
use crate::rubric::tree::{self, Kind, Reader};

/// The name of the description file in a data folder.
pub(crate) const FILE: &str = "accord.toml";

/// Largest `accord.toml` read.
const LIMIT: u64 = 1024 * 1024;

/// What a data folder says about itself.
#[derive(Debug, Clone, Default)]
pub struct Folder {
    /// The file it was read from, as shown.
    pub file: String,
    /// The rubric, resolved against the folder.
    pub rubric: Option<PathBuf>,
    /// The evaluation date of the data set.
    pub date: Option<Date>,
    /// Evidence fields the folder carries: a rubric that does not read one skips it.
    pub fields: Vec<String>,
    /// The delimiter of the folder's text tables (`None`: each by its name).
    pub delimiter: Option<Delimiter>,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// Reads `DIR/accord.toml` when it exists.
pub fn read(dir: &Path, limits: &Limits) -> Result<Option<Folder>, InputError> {
    let path = dir.join(FILE);
    let shown = path.display().to_string();
    if crate::builtin::is_builtin(&shown) {
        return match crate::builtin::file(&shown) {
            None => Ok(None),
            Some(bytes) => {
                let text =
                    crate::files::decode_utf8(bytes.to_vec(), &shown).map_err(InputError::one)?;
                parse(&shown, text, dir, limits).map(Some)
            }
        };
    }
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::files::read_text(&path, "data folder description", LIMIT, None)
        .map_err(InputError::one)?;
    parse(&shown, text, dir, limits).map(Some)
}

/// Reads a description from its text; `shown` names it in messages, and the rubric path is
/// resolved against `dir`.
pub(crate) fn parse(
    shown: &str,
    text: String,
    dir: &Path,
    limits: &Limits,
) -> Result<Folder, InputError> {
    let sha256 = crate::files::sha256_hex(text.as_bytes());
    let source = SourceText::new(shown.to_string(), text);
    let table = tree::parse(&source, limits).map_err(|problems| InputError { problems })?;
    let mut p = Problems::new();
    let root_at = tree::Origin {
        source: source.clone(),
        span: (0, 0),
    };
    let mut r = Reader::new(&table, "", &root_at);
    let rubric = r.str("rubric", &mut p).map(|s| dir.join(s));
    let date = r.get("date").and_then(|tv| {
        let text = match &tv.kind {
            Kind::Str(s) => Some(s.as_str()),
            Kind::Datetime(d) => Some(d.as_str()),
            _ => None,
        };
        match text.and_then(parse_date) {
            Some(d) => Some(d),
            None => {
                p.push(
                    r.problem_at(tv, "date", "`date` must be a date written YYYY-MM-DD")
                        .help("e.g. date = 2025-12-25"),
                );
                None
            }
        }
    });
    let fields = r.str_list("fields", &mut p).unwrap_or_default();
    let delimiter = r.get("delimiter").and_then(|tv| {
        let parsed = match &tv.kind {
            Kind::Str(s) => Delimiter::parse(s, "`delimiter`"),
            _ => Err(Problem::new("`delimiter` must be a string").help("e.g. delimiter = \";\"")),
        };
        match parsed {
            Ok(d) => Some(d),
            Err(e) => {
                let mut problem = r.problem_at(tv, "delimiter", e.message);
                if let Some(help) = e.help {
                    problem = problem.help(help.replace("`tab`", "`\"tab\"`"));
                }
                p.push(problem);
                None
            }
        }
    });
    r.allow(&["description", "source"]);
    r.finish(&mut p);
    p.finish(Folder {
        file: shown.to_string(),
        rubric,
        date,
        fields,
        delimiter,
        sha256,
    })
}

/// The names a folder's table `stem` is found under.
const TABLE_EXTENSIONS: [&str; 3] = ["csv", "tsv", "tab"];

/// The folder's table `stem` (`evidence`, `jurisdictions`, `dyads`): whichever of
/// `stem.csv`, `stem.tsv` and `stem.tab` is there (`None`: none is). Two of them are an error
/// naming both, since either could be the one meant.
pub(crate) fn table(dir: &Path, stem: &str) -> Result<Option<PathBuf>, Problem> {
    let found: Vec<PathBuf> = TABLE_EXTENSIONS
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .filter(|p| {
            let shown = p.display().to_string();
            if crate::builtin::is_builtin(&shown) {
                crate::builtin::file(&shown).is_some()
            } else {
                p.exists()
            }
        })
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [a, b, ..] => {
            let name = |p: &Path| {
                p.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            };
            let flag = if stem == "evidence" {
                String::new()
            } else {
                format!(", or name the one to read with --{stem}")
            };
            Err(Problem::new(format!(
                "the data folder `{}` holds both `{}` and `{}`: either could be its {stem} file",
                dir.display(),
                name(a),
                name(b)
            ))
            .at(Location::file(dir.display().to_string()))
            .help(format!("keep one of them in the folder{flag}")))
        }
    }
}
