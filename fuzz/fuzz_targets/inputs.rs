//! Evidence, jurisdictions and dyads parsing: arbitrary bytes read as the three CSV files against
//! the mini rubric or the Paris Call rubric give inputs or a clean error that renders.
//!
//! Input layout: one selector byte, then the evidence file, then optionally `NUL` and the
//! jurisdictions file, then optionally `NUL` and the dyads file.
#![no_main]

use accord::evidence::table::Table;
use accord_fuzz::{load_inputs, mini, optional, paris, sections};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let rubric = if selector & 1 == 0 { mini() } else { paris() };
    let parts = sections(rest);
    // The CSV reader on its own: every row of every file, whatever the header says.
    for part in &parts {
        let text = String::from_utf8_lossy(part).into_owned();
        if let Ok(mut table) = Table::from_text("t.csv", text, String::new(), "file", &Default::default()) {
            let width = table.header.len();
            let r = table.for_each_row(|row| {
                assert_eq!(row.cells.len(), width);
                // Locations scan the text from its start: check the ends of the row only.
                let _ = row.location(0, "first").to_string();
                let _ = row.location(width.saturating_sub(1), "last").to_string();
                let _ = row.row_location();
            });
            if let Err(p) = r {
                let _ = p.one_line();
            }
        }
    }
    let inputs = load_inputs(rubric, parts[0], optional(&parts, 1), optional(&parts, 2));
    if let Some(inputs) = inputs {
        let n = inputs.jurisdictions.len();
        for r in &inputs.evidence.rows {
            assert!(r.jurisdiction < n && r.field < rubric.fields.len());
        }
        for d in inputs.dyads.iter().flat_map(|d| &d.list) {
            assert!(d.a < n && d.b < n && d.a != d.b);
        }
        // Codes are sorted and unique (lookups binary-search them).
        assert!(
            inputs
                .jurisdictions
                .list
                .windows(2)
                .all(|w| w[0].code < w[1].code)
        );
        let _ = inputs.latest_date();
    }
});
