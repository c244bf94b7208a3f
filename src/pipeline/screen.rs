//! Screen: drop jurisdictions with too little data (COINr's `Screen`, `unit_screen`).

use crate::base::frame::Frame;
use crate::rubric::settings::{ScreenMethod, ScreenSpec};

/// Availability of one jurisdiction's data.
#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    /// Share of criteria with a value.
    pub dat_avail: f64,
    /// Share of known values that are not zero.
    pub non_zero: f64,
    /// Below `dat_thresh`.
    pub low_data: bool,
    /// Below `nonzero_thresh`.
    pub low_nonzero: bool,
    /// Kept after screening (forced inclusions and exclusions applied).
    pub included: bool,
}

/// Availability of every row of `frame`, and which rows the screen keeps. `forced` says, row by
/// row, whether the spec's lists force it in (`Some(true)`) or out (`Some(false)`): the lists'
/// codes resolved to rows once, when the settings were checked.
pub(crate) fn screen(
    frame: &Frame,
    spec: &ScreenSpec,
    forced: &[Option<bool>],
) -> Vec<Availability> {
    (0..frame.nrow)
        .map(|r| {
            let mut n_na = 0usize;
            let mut n_zero = 0usize;
            for c in 0..frame.ncol {
                match frame.get(r, c) {
                    None => n_na += 1,
                    Some(0.0) => n_zero += 1,
                    Some(_) => {}
                }
            }
            let ncol = frame.ncol.max(1) as f64;
            let dat_avail = 1.0 - n_na as f64 / ncol;
            let known = (frame.ncol - n_na) as f64;
            let non_zero = if known > 0.0 {
                1.0 - n_zero as f64 / known
            } else {
                0.0
            };
            let low_data = dat_avail < spec.dat_thresh;
            let low_nonzero = non_zero < spec.nonzero_thresh;
            let mut included = match spec.method {
                ScreenMethod::None => true,
                ScreenMethod::ByNa => !low_data,
                ScreenMethod::ByZeros => !low_nonzero,
                ScreenMethod::ByNaAndZeros => !low_data && !low_nonzero,
            };
            if let Some(Some(keep)) = forced.get(r) {
                included = *keep;
            }
            Availability {
                dat_avail,
                non_zero,
                low_data,
                low_nonzero,
                included,
            }
        })
        .collect()
}
