//! Shared pieces of accord's fuzz targets: the fixture rubrics and data, splitting an input into
//! files, and the checks every outcome must pass (an `Ok` that is sound, or an error that renders).

use std::sync::OnceLock;

use accord::Scored;
use accord::error::InputError;
use accord::evidence::memory::{MemoryInputs, load_from_memory};
use accord::rubric::{LoadOptions, Rubric, load_str};

/// The mini test rubric (5 criteria, 2 facets values, an instrument).
pub const MINI_TOML: &str = include_str!("../../tests/fixtures/mini/rubric.toml");
/// The mini fixture's evidence.
pub const MINI_EVIDENCE: &str = include_str!("../../tests/fixtures/mini/evidence.csv");
/// The mini fixture's jurisdictions.
pub const MINI_JURISDICTIONS: &str = include_str!("../../tests/fixtures/mini/jurisdictions.csv");
/// The mini fixture's dyads.
pub const MINI_DYADS: &str = include_str!("../../tests/fixtures/mini/dyads.csv");
/// The shipped Paris Call rubric (32 criteria).
pub const PARIS_TOML: &str = include_str!("../../rubrics/paris-call.toml");
const DEMO_EVIDENCE: &str = include_str!("../../data/demo/evidence.csv");
const DEMO_DYADS: &str = include_str!("../../data/demo/dyads.csv");

/// The mini rubric, loaded once.
pub fn mini() -> &'static Rubric {
    static R: OnceLock<Rubric> = OnceLock::new();
    R.get_or_init(|| load_str("mini.toml", MINI_TOML, &LoadOptions::default()).expect("mini"))
}

/// The Paris Call rubric, loaded once.
pub fn paris() -> &'static Rubric {
    static R: OnceLock<Rubric> = OnceLock::new();
    R.get_or_init(|| {
        load_str("paris-call.toml", PARIS_TOML, &LoadOptions::default()).expect("paris")
    })
}

/// The first `n` lines of a text (with the header).
pub fn head(text: &str, n: usize) -> String {
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

/// A small slice of the demo data for the Paris Call rubric: evidence and dyads.
pub fn demo_slice() -> &'static (String, String) {
    static D: OnceLock<(String, String)> = OnceLock::new();
    D.get_or_init(|| (head(DEMO_EVIDENCE, 45), head(DEMO_DYADS, 15)))
}

/// Splits an input into its files at NUL bytes (text files never hold one).
pub fn sections(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == 0).collect()
}

/// A section as an optional file: absent when missing or empty.
pub fn optional<'a>(parts: &[&'a [u8]], i: usize) -> Option<&'a [u8]> {
    parts.get(i).copied().filter(|p| !p.is_empty())
}

/// An error must name at least one problem, each with a message; a sample of them (the first
/// three and the last) must render for a terminal and as JSON without panicking. Rendering reads
/// each problem's file from its start, so rendering every one of hundreds of problems would make
/// the fuzzer slow for no new coverage.
pub fn check_error(e: &InputError) {
    assert!(!e.problems.is_empty(), "an InputError with no problem");
    let n = e.problems.len();
    let sample = InputError {
        problems: e
            .problems
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 3 || *i + 1 == n)
            .map(|(_, p)| p.clone())
            .collect(),
    };
    for p in &sample.problems {
        assert!(!p.message.is_empty(), "a problem with no message");
        let _ = p.one_line();
    }
    let _ = sample.render(false, true);
    let json = sample.to_json();
    assert!(json.starts_with('{') && json.ends_with('}'), "{json}");
}

/// Loads inputs from memory against a rubric; checks the error if it fails.
pub fn load_inputs(
    rubric: &Rubric,
    evidence: &[u8],
    jurisdictions: Option<&[u8]>,
    dyads: Option<&[u8]>,
) -> Option<accord::evidence::Inputs> {
    let files = MemoryInputs {
        evidence,
        jurisdictions,
        dyads,
    };
    match load_from_memory(files, rubric) {
        Ok(inputs) => {
            assert!(!inputs.jurisdictions.is_empty());
            Some(inputs)
        }
        Err(e) => {
            check_error(&e);
            None
        }
    }
}

/// Scores, then checks what came out: every score finite, every coverage in [0, 1], and with
/// `files`, the results folder's files built in memory as UTF-8 (CSV) and JSON (manifest).
pub fn score_and_check(
    rubric: Rubric,
    inputs: accord::evidence::Inputs,
    as_of: Option<accord::evidence::Date>,
    files: bool,
) -> Option<Scored> {
    match accord::score(rubric, inputs, as_of) {
        Ok(s) => {
            check_results(&s);
            if files {
                check_files(&s);
            }
            Some(s)
        }
        Err(e) => {
            check_error(&e);
            None
        }
    }
}

/// Every score finite, every coverage in [0, 1].
pub fn check_results(s: &Scored) {
    let r = &s.results;
    for scores in [&r.criteria, &r.nodes, &r.facets, &r.cells] {
        for c in 0..scores.score.ncol {
            for row in 0..scores.score.nrow {
                if let Some(v) = scores.score.get(row, c) {
                    assert!(v.is_finite(), "score {v} at row {row}, column {c}");
                }
                if let Some(cov) = scores.coverage.get(row, c) {
                    assert!((0.0..=1.0).contains(&cov), "coverage {cov}");
                }
            }
        }
    }
}

/// The results folder's files, built in memory: CSV as UTF-8 text ending in a newline, the
/// manifest as a JSON object.
pub fn check_files(s: &Scored) {
    let files = accord::output::score_files(s);
    assert!(!files.is_empty());
    for (name, bytes) in &files {
        let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name} is not UTF-8"));
        if name.ends_with(".json") {
            let v: serde_json::Value = serde_json::from_str(text).expect("manifest parses");
            assert!(v.is_object(), "{name} is not a JSON object");
        } else {
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "{name} lacks a final newline"
            );
        }
    }
}

/// The mini fixture scored once (rubric, evidence, jurisdictions, dyads).
pub fn mini_scored() -> &'static Scored {
    static S: OnceLock<Scored> = OnceLock::new();
    S.get_or_init(|| {
        let inputs = load_from_memory(
            MemoryInputs {
                evidence: MINI_EVIDENCE.as_bytes(),
                jurisdictions: Some(MINI_JURISDICTIONS.as_bytes()),
                dyads: Some(MINI_DYADS.as_bytes()),
            },
            mini(),
        )
        .expect("mini inputs");
        accord::score(mini().clone(), inputs, None).expect("mini scores")
    })
}
