//! The whole `score` end to end on small fuzzed inputs: rubric text, evidence, optional
//! jurisdictions and dyads, an optional `--as-of` date; then every file of the results folder,
//! built in memory with `accord::output::score_files`.
//!
//! Input layout: rubric `NUL` evidence [`NUL` jurisdictions [`NUL` dyads [`NUL` as-of date]]].
#![no_main]

use accord::evidence::parse_date;
use accord::rubric::{LoadOptions, load_str};
use accord_fuzz::{check_error, load_inputs, optional, score_and_check, sections};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = sections(data);
    if parts.len() < 2 {
        return;
    }
    let text = String::from_utf8_lossy(parts[0]);
    let rubric = match load_str("rubric.toml", &text, &LoadOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            check_error(&e);
            return;
        }
    };
    let as_of = optional(&parts, 4)
        .and_then(|d| std::str::from_utf8(d).ok())
        .and_then(|d| parse_date(d.trim()));
    if let Some(inputs) = load_inputs(&rubric, parts[1], optional(&parts, 2), optional(&parts, 3)) {
        score_and_check(rubric, inputs, as_of, true);
    }
});
