//! Shared helpers: fixtures, loading, running the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use accord::Scored;
use accord::evidence::{self, InputPaths, parse_date};
use accord::rubric::{self, LoadOptions};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under tests/fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// Scores a data folder with a rubric, optionally as of a date and with overrides.
pub fn score_dir(rubric_path: &Path, dir: &Path, as_of: Option<&str>, sets: &[&str]) -> Scored {
    try_score_dir(rubric_path, dir, as_of, sets).unwrap_or_else(|e| panic!("scoring failed:\n{e}"))
}

/// Like `score_dir`, returning the error.
pub fn try_score_dir(
    rubric_path: &Path,
    dir: &Path,
    as_of: Option<&str>,
    sets: &[&str],
) -> Result<Scored, accord::error::InputError> {
    let options = LoadOptions {
        overrides: sets.iter().map(|s| s.to_string()).collect(),
        allow_extends_outside: false,
        ..LoadOptions::default()
    };
    let rubric = rubric::load(rubric_path, &options)?;
    let opt = |n: &str| Some(dir.join(n)).filter(|p| p.exists());
    let paths = InputPaths {
        evidence: dir.join("evidence.csv"),
        sheet: None,
        jurisdictions: opt("jurisdictions.csv"),
        dyads: opt("dyads.csv"),
    };
    // The folder's `accord.toml` may declare its evaluation date and the fields it carries, as on
    // the command line.
    let folder = evidence::folder::read(dir, &options.limits)?;
    let load = evidence::LoadOptions {
        carried: folder
            .as_ref()
            .map(|f| f.fields.clone())
            .unwrap_or_default(),
        ..evidence::LoadOptions::default()
    };
    let mut inputs = evidence::load_with(&paths, &rubric, &load)?;
    if let Some(folder) = folder
        && let Some(d) = folder.date
    {
        inputs.declared_date = Some((d, folder.file));
    }
    accord::score(
        rubric,
        inputs,
        as_of.map(|d| parse_date(d).expect("test date")),
    )
}

/// The mini fixture, scored.
pub fn mini(as_of: Option<&str>, sets: &[&str]) -> Scored {
    score_dir(&fixture("mini/rubric.toml"), &fixture("mini"), as_of, sets)
}

/// Score of any node, facet value, cell or criterion id for a jurisdiction code.
pub fn score_of(s: &Scored, code: &str, id: &str) -> Option<f64> {
    let j = s.inputs.jurisdictions.index(code).expect("known code");
    let row = s.results.row_of(j)?;
    let r = &s.results;
    if let Some(k) = s.rubric.node_index(id) {
        return r.nodes.score.get(row, k);
    }
    if let Some(c) = s.rubric.criterion_index(id) {
        return r.criteria.score.get(row, c);
    }
    if let Some(c) = r.cell_defs.iter().position(|c| c.id == id) {
        return r.cells.score.get(row, c);
    }
    let col = r
        .facet_values
        .iter()
        .position(|(f, v)| s.rubric.facets[*f].values[*v].id == id)
        .expect("known id");
    r.facets.score.get(row, col)
}

/// Coverage of a node for a jurisdiction.
pub fn coverage_of(s: &Scored, code: &str, id: &str) -> Option<f64> {
    let j = s.inputs.jurisdictions.index(code).expect("known code");
    let row = s.results.row_of(j)?;
    let k = s.rubric.node_index(id).expect("node id");
    s.results.nodes.coverage.get(row, k)
}

/// Index rank of a jurisdiction.
pub fn rank_of(s: &Scored, code: &str) -> Option<u32> {
    let j = s.inputs.jurisdictions.index(code).expect("known code");
    let row = s.results.row_of(j)?;
    s.results.nodes.rank(row, 0)
}

/// Runs the accord binary in `cwd`.
pub fn accord(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run accord")
}

/// stdout and stderr as text.
pub fn texts(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Writes files into a fresh temporary folder.
pub fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write fixture");
    }
    dir
}

/// The property tests' configuration: `cases` cases from a fixed seed, so every `cargo test` runs
/// the same cases, and no failure file written into the tree. `PROPTEST_CASES` and
/// `PROPTEST_RNG_SEED` still widen a run or change its seed (README, Development); a failure
/// prints its minimal input, which is then pinned as a named regression test.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let env = Config::default();
    let from_env = |name: &str| std::env::var_os(name).is_some();
    Config {
        cases: if from_env("PROPTEST_CASES") {
            env.cases
        } else {
            cases
        },
        rng_seed: if from_env("PROPTEST_RNG_SEED") {
            env.rng_seed
        } else {
            RngSeed::Fixed(0x00ac_c0d5_eed0)
        },
        failure_persistence: None,
        ..env
    }
}
