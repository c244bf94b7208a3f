//! Loading inputs from bytes in memory (fuzzing, property tests, embedding), through the very
//! readers `load` uses: only where the bytes come from differs. The files are named
//! `evidence.csv`, `jurisdictions.csv` and `dyads.csv` in messages and in the result, so the same
//! bytes give the same `Inputs` and the same messages on every call.

use super::{Input, Inputs, load_inputs};
use crate::error::InputError;
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
