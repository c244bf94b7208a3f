//! Limits on input sizes: each one documented and defaulted, so that hostile or mistaken input
//! meets a clear message instead of exhausting memory or time. The limits are a value carried in
//! the load options of each reader (`rubric::LoadOptions`, `evidence::LoadOptions`, ...), not a
//! setting of the process: two loads in one process can use different limits. The binary builds
//! one from its `--max-*` flags.

/// Limits on what one load reads; `Default` gives the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest evidence, jurisdictions or dyads file (or workbook), in bytes.
    pub table_bytes: u64,
    /// Most bytes a zip workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`) unpacks to, all its entries
    /// together, counted while unpacking.
    pub unzipped_bytes: u64,
    /// Most cells in a workbook sheet's used area (an `.ods`: all its sheets), and most strings a
    /// workbook may declare.
    pub cells: usize,
    /// Most columns in a workbook sheet (Excel's and LibreOffice's own maximum, `XFD`).
    pub columns: usize,
    /// Largest rubric file, in bytes.
    pub rubric_bytes: u64,
    /// Most data rows in one table.
    pub rows: usize,
    /// Longest cell, in bytes.
    pub cell_bytes: usize,
    /// Most criteria in a rubric.
    pub criteria: usize,
    /// Most nodes in a rubric.
    pub nodes: usize,
    /// Longest expression rule, in characters (an expression has no loops, so this also bounds
    /// the operations it runs).
    pub expr_len: usize,
    /// Deepest parenthesis nesting in an expression.
    pub expr_depth: usize,
    /// Deepest nesting of TOML arrays and tables.
    pub toml_depth: usize,
    /// Longest `extends` chain.
    pub extends: usize,
    /// Most evaluation dates in one `--as-of`.
    pub dates: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            table_bytes: 512 * 1024 * 1024,
            unzipped_bytes: 1024 * 1024 * 1024,
            cells: 10_000_000,
            columns: 16_384,
            rubric_bytes: 4 * 1024 * 1024,
            rows: 20_000_000,
            cell_bytes: 64 * 1024,
            criteria: 10_000,
            nodes: 10_000,
            expr_len: 2_000,
            expr_depth: 32,
            toml_depth: 64,
            extends: 16,
            dates: 100,
        }
    }
}
