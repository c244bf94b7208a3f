//! Benchmarks of sensitivity analysis on COINr's ASEM example (51 countries x 49 indicators,
//! 4 levels): one regeneration from each step, and COINr's vignette design.
//! Run with `cargo bench --bench sensitivity`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark that cannot set up stops there"
)]

use std::path::PathBuf;

use accord::base::progress::silent;
use accord::coinr::{ImportOptions, import};
use accord::evidence::{self, InputPaths};
use accord::rubric::{self, LoadOptions};
use accord::sensitivity::design::{Design, Sampler};
use accord::sensitivity::factors::{Context, read_spec_file};
use accord::sensitivity::{Options, analyse};

fn main() {
    divan::main();
}

struct Asem {
    _dir: tempfile::TempDir,
    scored: accord::Scored,
}

fn asem() -> Asem {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/coinr");
    let imported = import(
        &root.join("ASEM_iData.csv"),
        &root.join("ASEM_iMeta.csv"),
        &ImportOptions {
            id: "asem".into(),
            limits: accord::limits::Limits::default(),
            level_names: None,
        },
    )
    .expect("import");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("rubric.toml"), &imported.rubric).expect("write");
    std::fs::write(dir.path().join("evidence.csv"), &imported.evidence).expect("write");
    std::fs::write(
        dir.path().join("jurisdictions.csv"),
        &imported.jurisdictions,
    )
    .expect("write");
    let rubric =
        rubric::load(&dir.path().join("rubric.toml"), &LoadOptions::default()).expect("rubric");
    let paths = InputPaths {
        evidence: dir.path().join("evidence.csv"),
        sheet: None,
        jurisdictions: Some(dir.path().join("jurisdictions.csv")),
        dyads: None,
    };
    let inputs = evidence::load(&paths, &rubric).expect("inputs");
    let scored = accord::score(rubric, inputs, None).expect("score");
    Asem { _dir: dir, scored }
}

fn spec(a: &Asem, seed: u64) -> accord::sensitivity::factors::Spec {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/coinr");
    let limits = accord::limits::Limits::default();
    let ctx = Context {
        scored: &a.scored,
        limits: &limits,
        seed,
    };
    read_spec_file(&root.join("sa_vignette.toml"), &ctx).expect("spec")
}

/// One full regeneration of the ASEM pipeline (denominate to aggregate), as COINr's Regen does.
#[divan::bench]
fn regenerate_full(bencher: divan::Bencher) {
    let a = asem();
    let params = accord::pipeline::Params::from_rubric(&a.scored.rubric);
    let pipeline =
        accord::pipeline::Pipeline::new(&a.scored.rubric, &a.scored.inputs, &a.scored.values);
    let checked = pipeline.check(&params).expect("checked");
    bencher.bench(|| {
        let data = pipeline
            .stages(&checked, accord::pipeline::Step::Denominate, None)
            .expect("stages");
        pipeline
            .aggregate(&params, &data)
            .expect("aggregate")
            .0
            .get(0, 0)
    });
}

/// One regeneration from each later step, on the cached output of the steps before it.
#[divan::bench(args = ["treat", "normalise", "aggregate"])]
fn regenerate_from(bencher: divan::Bencher, step: &str) {
    use accord::pipeline::Step;
    let a = asem();
    let params = accord::pipeline::Params::from_rubric(&a.scored.rubric);
    let pipeline =
        accord::pipeline::Pipeline::new(&a.scored.rubric, &a.scored.inputs, &a.scored.values);
    let checked = pipeline.check(&params).expect("checked");
    let cache = pipeline
        .stages(&checked, Step::Denominate, None)
        .expect("stages");
    let from = match step {
        "treat" => Step::Treat,
        "normalise" => Step::Normalise,
        _ => Step::Aggregate,
    };
    bencher.bench(|| {
        if from == Step::Aggregate {
            pipeline
                .aggregate(&params, &cache)
                .expect("aggregate")
                .0
                .get(0, 0)
        } else {
            let data = pipeline
                .stages(&checked, from, Some(&cache))
                .expect("stages");
            pipeline
                .aggregate(&params, &data)
                .expect("aggregate")
                .0
                .get(0, 0)
        }
    });
}

/// COINr's vignette design (4 factors, Saltelli): N = 100 (600 regenerations) and N = 1000 (6000).
#[divan::bench(args = [100, 1000], sample_count = 10)]
fn vignette_design(bencher: divan::Bencher, n: usize) {
    let a = asem();
    let s = spec(&a, 1);
    let options = Options {
        design: Design::Sa,
        sampler: Sampler::Random,
        n,
        seed: 1,
        bootstrap: 0,
    };
    bencher.bench(|| {
        analyse(&a.scored, &s, &options, &silent)
            .expect("analysis")
            .runs
            .len()
    });
}
