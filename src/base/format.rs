//! Number formatting shared by every file accord writes.

/// A number in shortest round-trip form; unknown is `NA`; -0 is written as 0.
pub fn number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if !x.is_finite() {
        return "NA".to_string();
    }
    format!("{x}")
}

/// An optional number.
pub fn opt_number(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".to_string(), number)
}
