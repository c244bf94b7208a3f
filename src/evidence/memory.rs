//! Loading inputs from bytes in memory (fuzzing, property tests, embedding), through the very
//! readers `load` uses: only where the bytes come from differs. The files are named
//! `evidence.csv`, `jurisdictions.csv` and `dyads.csv` in messages and in the result, so the same
//! bytes give the same `Inputs` and the same messages on every call.

use std::path::Path;

use super::{Delimiter, Input, InputPaths, Inputs, LoadOptions, load_inputs};
use crate::error::{InputError, Location, Problem};
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
/// [`super::load`] reads files, within the default limits (the files are named `evidence.csv`,
/// `jurisdictions.csv` and `dyads.csv` in messages and in the result).
pub fn load_from_memory(files: MemoryInputs<'_>, rubric: &Rubric) -> Result<Inputs, InputError> {
    load_inputs(
        Input::Bytes("evidence.csv", files.evidence, None),
        files
            .jurisdictions
            .map(|b| Input::Bytes("jurisdictions.csv", b, None)),
        files.dyads.map(|b| Input::Bytes("dyads.csv", b, None)),
        rubric,
        &[],
        &crate::limits::Limits::default(),
    )
}

/// Tables given as bytes, each standing for the file of `InputPaths` in the same role and named
/// by that path in messages and in the result.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Given<'a> {
    /// The evidence CSV.
    pub evidence: Option<&'a [u8]>,
    /// The jurisdictions CSV.
    pub jurisdictions: Option<&'a [u8]>,
    /// The dyads CSV.
    pub dyads: Option<&'a [u8]>,
}

/// Reads every input file against the rubric, as [`super::load_with`] does, except that a table
/// `given` in memory is read from its bytes, under the name its path in `paths` gives it.
pub(crate) fn load_given(
    paths: &InputPaths,
    given: Given<'_>,
    rubric: &Rubric,
    options: &LoadOptions,
) -> Result<Inputs, InputError> {
    let delimiter = options.delimiter;
    let e = bytes_of(&paths.evidence, given.evidence)?;
    let j = match &paths.jurisdictions {
        Some(p) => bytes_of(p, given.jurisdictions)?,
        None => None,
    };
    let d = match &paths.dyads {
        Some(p) => bytes_of(p, given.dyads)?,
        None => None,
    };
    fn input<'b>(
        found: &'b Option<(String, &'b [u8])>,
        path: &'b Path,
        sheet: Option<&'b str>,
        delimiter: Option<Delimiter>,
    ) -> Input<'b> {
        match found {
            Some((name, bytes)) => Input::Bytes(name, bytes, delimiter),
            None => Input::File(path, sheet, delimiter),
        }
    }
    let sheet = paths.sheet.as_deref();
    load_inputs(
        input(&e, &paths.evidence, sheet, delimiter),
        paths
            .jurisdictions
            .as_deref()
            .map(|p| input(&j, p, None, delimiter)),
        paths
            .dyads
            .as_deref()
            .map(|p| input(&d, p, None, delimiter)),
        rubric,
        &options.carried,
        &options.limits,
    )
}

/// The bytes a table is read from with its name: given in memory, or built into accord
/// (`builtin:...`); `None` for a file to read.
fn bytes_of<'a>(
    path: &Path,
    given: Option<&'a [u8]>,
) -> Result<Option<(String, &'a [u8])>, InputError> {
    let name = path.display().to_string();
    if let Some(b) = given {
        return Ok(Some((name, b)));
    }
    if !crate::builtin::is_builtin(&name) {
        return Ok(None);
    }
    match crate::builtin::file(&name) {
        Some(bytes) => Ok(Some((name, bytes))),
        None => Err(InputError::one(
            Problem::new(format!("`{name}` is not a file built into accord"))
                .at(Location::file(&name)),
        )),
    }
}
