//! Denominate: divide a criterion by a jurisdiction-level quantity (GDP, population, area).

/// x * scale_factor / d, unknown when either is unknown. A zero denominator gives unknown.
pub(crate) fn denominate(x: &mut [Option<f64>], d: &[Option<f64>], scale_factor: f64) {
    for (v, den) in x.iter_mut().zip(d) {
        *v = match (*v, *den) {
            (Some(a), Some(b)) if b != 0.0 => Some(a * scale_factor / b),
            _ => None,
        };
    }
}
