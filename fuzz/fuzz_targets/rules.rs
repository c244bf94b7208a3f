//! Rule and expression evaluation: fuzzed cells through `parse_number` and `parse_value` for every
//! field kind, then a rubric with one criterion of each rule type (boolean, levels, bands,
//! goalposts, date, numeric) and an expression rule with fuzzed text, scored on evidence made of
//! the fuzzed cells.
//!
//! Input layout: the expression text, then `NUL`-separated cells. Cell `i` goes to field
//! `FIELDS[i % 5]` of jurisdiction `XAA`, `XAB` or `XAC` (by `i / 5`); cells from the 16th on
//! carry an `as_of` date.
#![no_main]

use std::sync::OnceLock;

use accord::evidence::{Value, parse_number, parse_value};
use accord::rubric::{FieldKind, LoadOptions, Rubric, load_str};
use accord_fuzz::{check_error, load_inputs, score_and_check, sections};
use libfuzzer_sys::fuzz_target;

const FIELDS: [&str; 5] = ["p", "l", "x", "d", "y"];
const CODES: [&str; 3] = ["XAA", "XAB", "XAC"];
const DATES: [&str; 4] = ["2001-01-01", "2020-02-29", "2024-12-31", "1999-06-30"];

const HEAD: &str = r#"[rubric]
id = "rules"
version = "1.0.0"
title = "one criterion per rule"
scale = [0, 100]

[pipeline.aggregate]
min_coverage = 0

[fields.y]
type = "number"

[[node]]
id = "IDX"
name = "Index"

[[criterion]]
id = "p"
parent = "IDX"
question = "q"
rule = "boolean"

[[criterion]]
id = "l"
parent = "IDX"
question = "q"
direction = -1
rule = { type = "levels", levels = ["none", "some", "full"] }

[[criterion]]
id = "x"
parent = "IDX"
question = "q"
rule = { type = "bands", bands = [[0, 0], [2, 50], [5, 100]] }

[[criterion]]
id = "g"
parent = "IDX"
evidence = "x"
question = "q"
rule = { type = "goalposts", lower = -3, upper = 7.5 }

[[criterion]]
id = "d"
parent = "IDX"
question = "q"
rule = "date"

[[criterion]]
id = "n"
parent = "IDX"
evidence = "x"
question = "q"
rule = "numeric"
normalise = { method = "n_rank" }
"#;

fn rubric_with(expr: Option<&str>) -> Result<Rubric, accord::error::InputError> {
    let mut text = HEAD.to_string();
    if let Some(e) = expr {
        let quoted: String = e
            .chars()
            .flat_map(|c| match c {
                '"' => vec!['\\', '"'],
                '\\' => vec!['\\', '\\'],
                c if c.is_control() => format!("\\u{:04X}", c as u32).chars().collect(),
                c => vec![c],
            })
            .collect();
        text.push_str(&format!(
            "\n[[criterion]]\nid = \"e\"\nparent = \"IDX\"\nquestion = \"q\"\nrule = {{ type = \"expr\", expr = \"{quoted}\" }}\n"
        ));
    }
    load_str("rules.toml", &text, &LoadOptions::default())
}

fn plain() -> &'static Rubric {
    static R: OnceLock<Rubric> = OnceLock::new();
    R.get_or_init(|| rubric_with(None).expect("the rules rubric loads"))
}

fn csv_cell(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fuzz_target!(|data: &[u8]| {
    let parts = sections(data);
    let expr = String::from_utf8_lossy(parts[0]);
    let cells: Vec<String> = parts[1..]
        .iter()
        .take(30)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();

    // Cell parsers on their own.
    let levels = FieldKind::Label(vec!["none".into(), "some".into(), "full".into()]);
    for cell in &cells {
        let n = parse_number(cell);
        if let Ok(x) = n {
            assert!(x.is_finite(), "parse_number({cell:?}) = {x}");
        }
        for kind in [
            FieldKind::Boolean,
            FieldKind::Number,
            FieldKind::Date,
            levels.clone(),
        ] {
            match parse_value(cell, &kind) {
                Ok(Value::Number(x)) => {
                    assert_eq!(kind, FieldKind::Number);
                    assert_eq!(Ok(x), n, "{cell:?}");
                }
                Ok(Value::Label(i)) => assert!((i as usize) < 3),
                Ok(_) | Err(_) => {}
            }
        }
    }

    // The rubric, with the fuzzed expression when it compiles.
    let rubric = if parts[0].is_empty() {
        plain().clone()
    } else {
        match rubric_with(Some(&expr)) {
            Ok(r) => r,
            Err(e) => {
                check_error(&e);
                plain().clone()
            }
        }
    };
    let mut csv = String::from("jurisdiction,criterion,value,as_of\n");
    for (i, cell) in cells.iter().enumerate() {
        let code = CODES[(i / FIELDS.len()) % CODES.len()];
        let field = FIELDS[i % FIELDS.len()];
        let as_of = if i >= 15 { DATES[i % DATES.len()] } else { "" };
        csv.push_str(&format!("{code},{field},{},{as_of}\n", csv_cell(cell)));
    }
    // Every jurisdiction appears, so that the evidence is never empty.
    for code in CODES {
        csv.push_str(&format!("{code},p,NA,1990-01-01\n"));
    }
    if let Some(inputs) = load_inputs(&rubric, csv.as_bytes(), None, None) {
        score_and_check(rubric, inputs, None, false);
    }
});
