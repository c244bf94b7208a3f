//! A data folder's own description, `accord.toml`: which rubric scores it, the date it is
//! evaluated on, and the evidence fields it carries beyond what a rubric reads.
//!
//! ```toml
//! rubric = "../rubrics/paris-call-public.toml"   # relative to the folder
//! date = 2025-12-25                             # optional: the data set's evaluation date
//! fields = ["budapest_party", "wassenaar_participant"]  # optional: fields it carries
//! ```

use std::path::{Path, PathBuf};

use crate::error::{InputError, Problems, SourceText};
use crate::evidence::{Date, parse_date};
use crate::rubric::tree::{self, Kind, Reader};

/// The name of the description file in a data folder.
pub const FILE: &str = "accord.toml";

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
    /// SHA-256 of the file.
    pub sha256: String,
}

/// Reads `DIR/accord.toml` when it exists.
pub fn read(dir: &Path) -> Result<Option<Folder>, InputError> {
    let path = dir.join(FILE);
    let shown = path.display().to_string();
    if crate::builtin::is_builtin(&shown) {
        return match crate::builtin::file(&shown) {
            None => Ok(None),
            Some(bytes) => {
                let text =
                    crate::files::decode_utf8(bytes.to_vec(), &shown).map_err(InputError::one)?;
                parse(&shown, text, dir).map(Some)
            }
        };
    }
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::files::read_text(&path, "data folder description", LIMIT, None)
        .map_err(InputError::one)?;
    parse(&shown, text, dir).map(Some)
}

/// Reads a description from its text; `shown` names it in messages, and the rubric path is
/// resolved against `dir`.
pub fn parse(shown: &str, text: String, dir: &Path) -> Result<Folder, InputError> {
    let sha256 = crate::files::sha256_hex(text.as_bytes());
    let source = SourceText::new(shown.to_string(), text);
    let table = tree::parse(&source).map_err(|problems| InputError { problems })?;
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
    r.allow(&["description", "source"]);
    r.finish(&mut p);
    p.finish(Folder {
        file: shown.to_string(),
        rubric,
        date,
        fields,
        sha256,
    })
}
