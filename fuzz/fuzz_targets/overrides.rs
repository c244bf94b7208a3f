//! The settings-key parsers: `--set KEY=VALUE` overrides on the mini rubric, and a sensitivity
//! spec (whose factors' `set` keys and alternatives go through the same parser) against the scored
//! mini fixture. Each gives a result that is sound or an error that renders; deep or long keys
//! are refused, never a stack overflow.
#![no_main]

use accord::rubric::tree::{Kind, Origin, Tv, parse};
use accord::rubric::{LoadOptions, load_str};
use accord::sensitivity::factors::{Context, read_spec};
use accord_fuzz::{MINI_TOML, check_error, check_results, mini_scored, sections};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = sections(data);
    // Overrides: one per line.
    let sets: Vec<String> = parts
        .first()
        .map(|p| String::from_utf8_lossy(p).lines().take(16).map(String::from).collect())
        .unwrap_or_default();
    let options = LoadOptions {
        overrides: sets,
        ..LoadOptions::default()
    };
    match load_str("mini.toml", MINI_TOML, &options) {
        Ok(r) => {
            let w = r.effective_criterion_weights();
            assert!(w.iter().all(|x| x.is_finite() && *x >= 0.0), "{w:?}");
        }
        Err(e) => check_error(&e),
    }
    // A sensitivity spec.
    let Some(spec) = parts.get(1) else { return };
    let text = String::from_utf8_lossy(spec).into_owned();
    let source = accord::error::SourceText::new("spec.toml", text);
    let table = match parse(&source, &Default::default()) {
        Ok(t) => t,
        Err(problems) => {
            check_error(&accord::error::InputError { problems });
            return;
        }
    };
    let s = mini_scored();
    check_results(s);
    let limits = accord::limits::Limits::default();
    let ctx = Context {
        scored: s,
        limits: &limits,
        seed: 1,
    };
    let tv = Tv {
        kind: Kind::Table(table),
        at: Origin {
            source: source.clone(),
            span: (0, 0),
        },
    };
    if let Err(e) = read_spec(&tv, &ctx) {
        check_error(&e);
    }
});
