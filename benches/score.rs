//! Benchmarks of `score`: the whole job on the shipped default and on the demo set, and its
//! stages. Run with `cargo bench --bench score`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark that cannot set up stops there"
)]

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

/// Reads `dir` against `r`, carrying the evidence fields its `accord.toml` declares, as `score`
/// does.
fn load(dir: &str, r: &accord::rubric::Rubric) -> evidence::Inputs {
    let limits = accord::limits::Limits::default();
    let carried = evidence::folder::read(&root().join(dir), &limits)
        .expect("accord.toml")
        .map(|f| f.fields)
        .unwrap_or_default();
    let options = evidence::LoadOptions {
        carried,
        ..evidence::LoadOptions::default()
    };
    evidence::load_with(&paths(dir), r, &options).expect("inputs")
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
    let inputs = load(dir, &r);
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
    let inputs = load(dir, &r);
    bencher.bench(|| {
        accord::score(r.clone(), inputs.clone(), None)
            .expect("score")
            .results
            .units
            .len()
    });
}

/// A large evidence file: the demo set's first row for each (jurisdiction, criterion), copied to
/// 676 jurisdictions (`XAA`..`XZZ`) and dated every year from 1990 to 2025 (about 55 MB,
/// 700,000 rows), with its jurisdictions file.
fn large_evidence(dir: &std::path::Path) -> (InputPaths, u64) {
    let demo = root().join("data/demo");
    let read = |name: &str| {
        let mut r = csv::Reader::from_path(demo.join(name)).expect("demo csv");
        let header = r.headers().expect("header").clone();
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("record")).collect();
        (header, rows)
    };
    let (jh, jrows) = read("jurisdictions.csv");
    let codes: Vec<String> = jrows.iter().map(|r| r[0].to_string()).collect();
    let code = |i: usize| {
        format!(
            "X{}{}",
            (b'A' + (i / 26) as u8) as char,
            (b'A' + (i % 26) as u8) as char
        )
    };
    let n = 26 * 26;
    let mut w = csv::Writer::from_path(dir.join("jurisdictions.csv")).expect("write");
    w.write_record(&jh).expect("write");
    for i in 0..n {
        let mut rec: Vec<String> = jrows[i % codes.len()].iter().map(str::to_string).collect();
        rec[0] = code(i);
        rec[1] = format!("{} {i}", rec[1]);
        w.write_record(&rec).expect("write");
    }
    w.flush().expect("flush");
    let (eh, erows) = read("evidence.csv");
    let mut seen = std::collections::HashSet::new();
    let firsts: Vec<&csv::StringRecord> = erows
        .iter()
        .filter(|r| seen.insert((r[0].to_string(), r[1].to_string())))
        .collect();
    let mut w = csv::Writer::from_path(dir.join("evidence.csv")).expect("write");
    w.write_record(&eh).expect("write");
    for year in 1990..2026 {
        for i in 0..n {
            let demo_code = &codes[i % codes.len()];
            for r in firsts.iter().filter(|r| &r[0] == demo_code) {
                let mut rec: Vec<String> = r.iter().map(str::to_string).collect();
                rec[0] = code(i);
                rec[4] = format!("{year}-01-01");
                w.write_record(&rec).expect("write");
            }
        }
    }
    w.flush().expect("flush");
    let bytes = std::fs::metadata(dir.join("evidence.csv"))
        .expect("size")
        .len();
    let paths = InputPaths {
        evidence: dir.join("evidence.csv"),
        sheet: None,
        jurisdictions: Some(dir.join("jurisdictions.csv")),
        dyads: None,
    };
    (paths, bytes)
}

/// Reading and checking a large evidence file against the rubric (throughput in bytes of evidence).
#[divan::bench(sample_count = 10)]
fn read_evidence(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (paths, bytes) = large_evidence(dir.path());
    let r = rubric();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            evidence::load(&paths, &r)
                .expect("inputs")
                .evidence
                .rows
                .len()
        });
}
