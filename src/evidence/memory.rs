//! Loading inputs from bytes in memory (fuzzing, property tests, embedding), through the very
//! readers `load` uses.
//!
//! The readers take paths, so the bytes are written to a private temporary folder as
//! `evidence.csv`, `jurisdictions.csv` and `dyads.csv`, read with [`super::load`], and the folder
//! is removed. Every path in the result and in the problems is then given relative to that folder
//! (`evidence.csv:3`), so nothing refers to a folder that no longer exists and the same bytes give
//! the same `Inputs` and the same messages on every call.

use super::{InputPaths, Inputs, load};
use crate::error::{InputError, Location, Problem, SourceText};
use crate::rubric::Rubric;

/// The input files of one run, as bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryInputs<'a> {
    /// The evidence CSV (long or wide form).
    pub evidence: &'a [u8],
    /// The jurisdictions CSV, if any.
    pub jurisdictions: Option<&'a [u8]>,
    /// The dyads CSV, if any.
    pub dyads: Option<&'a [u8]>,
}

/// Reads evidence, jurisdictions and dyads given as bytes against a rubric, exactly as
/// [`super::load`] reads files (the files are named `evidence.csv`, `jurisdictions.csv` and
/// `dyads.csv` in messages and in the result).
pub fn load_from_memory(files: MemoryInputs<'_>, rubric: &Rubric) -> Result<Inputs, InputError> {
    let dir = tempfile::Builder::new()
        .prefix("accord-memory-")
        .tempdir()
        .map_err(|e| io_problem("create a temporary folder", &e))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes)
            .map(|()| path)
            .map_err(|e| io_problem(&format!("write `{name}`"), &e))
    };
    let paths = InputPaths {
        evidence: write("evidence.csv", files.evidence)?,
        sheet: None,
        jurisdictions: files
            .jurisdictions
            .map(|b| write("jurisdictions.csv", b))
            .transpose()?,
        dyads: files.dyads.map(|b| write("dyads.csv", b)).transpose()?,
    };
    let prefix = format!("{}{}", dir.path().display(), std::path::MAIN_SEPARATOR);
    let result = load(&paths, rubric);
    drop(dir);
    let strip = |s: &str| s.replace(&prefix, "");
    match result {
        Ok(mut inputs) => {
            let ev = &mut inputs.evidence;
            ev.file.path = strip(&ev.file.path);
            for r in &mut ev.rows {
                r.place.file = strip(&r.place.file).into();
            }
            if let Some(f) = inputs.jurisdictions.file.as_mut() {
                f.path = strip(&f.path);
            }
            if let Some(d) = inputs.dyads.as_mut() {
                d.file.path = strip(&d.file.path);
                for x in &mut d.list {
                    x.place.file = strip(&x.place.file).into();
                }
            }
            Ok(inputs)
        }
        Err(mut e) => {
            for p in &mut e.problems {
                relabel_problem(p, &strip);
            }
            Err(e)
        }
    }
}

fn relabel_problem(p: &mut Problem, strip: &impl Fn(&str) -> String) {
    p.message = strip(&p.message);
    if let Some(h) = p.help.as_mut() {
        *h = strip(h);
    }
    if let Some(loc) = p.location.as_mut() {
        relabel_location(loc, strip);
    }
    for (label, loc) in &mut p.related {
        *label = strip(label);
        relabel_location(loc, strip);
    }
}

fn relabel_location(loc: &mut Location, strip: &impl Fn(&str) -> String) {
    loc.file = strip(&loc.file);
    if let Some(src) = loc.source.as_mut() {
        let name = strip(&src.name);
        if name != src.name {
            *src = SourceText::new(name, src.text.clone());
        }
    }
    if let Some(k) = loc.key.as_mut() {
        *k = strip(k);
    }
}

fn io_problem(what: &str, e: &std::io::Error) -> InputError {
    InputError::one(Problem::new(format!(
        "cannot {what} for inputs in memory: {}",
        crate::files::io_reason(e)
    )))
}
