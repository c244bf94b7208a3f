//! Progress of long work, reported to a callback that may also cancel it.

use std::ops::ControlFlow;

/// Called with (units done, units in all) each time a unit of long work finishes, from any
/// thread. Returning `ControlFlow::Break(())` cancels the work: units not yet started are not
/// run, and the work ends with an error instead of a result.
pub(crate) type Progress<'a> = dyn Fn(usize, usize) -> ControlFlow<()> + Sync + 'a;

/// A progress callback that reports nowhere and never cancels.
pub fn silent(_done: usize, _total: usize) -> ControlFlow<()> {
    ControlFlow::Continue(())
}
