//! Benchmarks of `score`: the whole job on the shipped default and on the demo set, and its
//! stages. Run with `cargo bench --bench score`.

use std::path::PathBuf;

use accord::evidence::{self, InputPaths};
use accord::rubric::{self, LoadOptions};

fn main() {
    divan::main();
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn paths(dir: &str) -> InputPaths {
    let d = root().join(dir);
    InputPaths {
        evidence: d.join("evidence.csv"),
        sheet: None,
        jurisdictions: Some(d.join("jurisdictions.csv")),
        dyads: Some(d.join("dyads.csv")),
    }
}

fn rubric() -> accord::rubric::Rubric {
    rubric::load(
        &root().join("rubrics/paris-call.toml"),
        &LoadOptions::default(),
    )
    .expect("rubric")
}

/// Load the rubric and data, score, and build every output file (everything but the disk writes).
#[divan::bench(args = ["data", "data/demo"])]
fn score_end_to_end(dir: &str) -> usize {
    let r = rubric();
    let inputs = evidence::load(&paths(dir), &r).expect("inputs");
    let scored = accord::score(r, inputs, None).expect("score");
    accord::output::score_files(&scored)
        .iter()
        .map(|f| f.1.len())
        .sum()
}

/// Reading and validating the rubric alone.
#[divan::bench]
fn load_rubric() -> usize {
    rubric().criteria.len()
}

/// Rules and pipeline on inputs already in memory.
#[divan::bench(args = ["data", "data/demo"])]
fn score_in_memory(bencher: divan::Bencher, dir: &str) {
    let r = rubric();
    let inputs = evidence::load(&paths(dir), &r).expect("inputs");
    bencher.bench(|| {
        accord::score(r.clone(), inputs.clone(), None)
            .expect("score")
            .results
            .units
            .len()
    });
}
