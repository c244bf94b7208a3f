//! The scale data generator (`tools/scale_data.py`): the same seed writes the same bytes, the units
//! differ from each other while keeping their bloc, and accord scores the folder it writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::common::{root, score_dir};

fn generate(n: usize, seed: u64, out: &Path) {
    generate_with(n, seed, out, &[]);
}

fn generate_with(n: usize, seed: u64, out: &Path, extra: &[&str]) {
    let status = Command::new("python3")
        .arg(root().join("tools/scale_data.py"))
        .arg(n.to_string())
        .arg(out)
        .args(["--seed", &seed.to_string()])
        .args(extra)
        .status()
        .expect("python3 runs tools/scale_data.py");
    assert!(status.success(), "tools/scale_data.py failed: {status}");
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn the_scale_generator_is_deterministic_and_its_units_differ_but_keep_their_bloc() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    generate(300, 1, &a);
    generate(300, 1, &b);
    generate(300, 2, &c);
    for f in ["jurisdictions.csv", "evidence.csv", "accord.toml"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between two runs with one seed"
        );
    }
    assert_ne!(
        std::fs::read(a.join("evidence.csv")).unwrap(),
        std::fs::read(c.join("evidence.csv")).unwrap(),
        "another seed gives the same evidence"
    );

    // Units that derive from one demo jurisdiction are not copies: at least 95% of the 300
    // evidence profiles are distinct (plain copies would give 48).
    let mut profiles: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in rows(&a.join("evidence.csv")) {
        profiles
            .entry(r[0].clone())
            .or_default()
            .push((r[1].clone(), r[2].clone()));
    }
    assert_eq!(profiles.len(), 300);
    let distinct: BTreeSet<_> = profiles.values().collect();
    assert!(
        distinct.len() >= 285,
        "{} distinct profiles",
        distinct.len()
    );

    // Each unit keeps the bloc and region of the demo jurisdiction it derives from.
    let demo: BTreeMap<String, (String, String)> =
        rows(&root().join("data/demo/jurisdictions.csv"))
            .into_iter()
            .map(|r| (r[0].clone(), (r[2].clone(), r[3].clone())))
            .collect();
    for r in rows(&a.join("jurisdictions.csv")) {
        assert_eq!(demo[&r[4]], (r[2].clone(), r[3].clone()), "unit {}", r[0]);
    }

    // accord scores every unit, on the date the folder fixes.
    let s = score_dir(&root().join("rubrics/paris-call.toml"), &a, None, &[]);
    assert_eq!(s.inputs.jurisdictions.len(), 300);
    assert_eq!(s.results.date.to_string(), "2025-12-31");
    let scored = s.results.index_scores().iter().flatten().count();
    assert!(scored >= 270, "{scored} of 300 units have an index score");
}

/// How many of the units' values of a criterion are known.
fn known(s: &accord::Scored, criterion: &str) -> usize {
    let c = s
        .rubric
        .criteria
        .iter()
        .position(|c| c.id == criterion)
        .unwrap();
    s.values.values.col(c).iter().flatten().count()
}

#[test]
fn with_dyads_each_block_of_48_units_gets_the_demo_network_and_the_evidence_stays_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, with, again) = (
        dir.path().join("plain"),
        dir.path().join("with"),
        dir.path().join("again"),
    );
    // 100 units: two whole blocks of 48 and four units of a third, whose partners past N are
    // left out.
    generate(100, 3, &plain);
    generate_with(100, 3, &with, &["--dyads"]);
    generate_with(100, 3, &again, &["--dyads"]);
    for f in ["jurisdictions.csv", "evidence.csv", "accord.toml"] {
        assert_eq!(
            std::fs::read(plain.join(f)).unwrap(),
            std::fs::read(with.join(f)).unwrap(),
            "--dyads changed {f}"
        );
    }
    assert_eq!(
        std::fs::read(with.join("dyads.csv")).unwrap(),
        std::fs::read(again.join("dyads.csv")).unwrap(),
        "dyads.csv differs between two runs with one seed"
    );
    assert!(!plain.join("dyads.csv").exists());

    // Every row is a demo row between the two units' demo jurisdictions, inside one block.
    let demo_rows: BTreeSet<Vec<String>> = rows(&root().join("data/demo/dyads.csv"))
        .into_iter()
        .map(|mut r| {
            r[8].clear();
            r
        })
        .collect();
    let origin: BTreeMap<String, String> = rows(&with.join("jurisdictions.csv"))
        .into_iter()
        .map(|r| (r[0].clone(), r[4].clone()))
        .collect();
    let written = rows(&with.join("dyads.csv"));
    let block = |code: &str| (code[1..].parse::<usize>().unwrap() - 1) / 48;
    for r in &written {
        assert_eq!(block(&r[0]), block(&r[1]), "{r:?} crosses blocks");
        let mut demo = r.clone();
        demo[0] = origin[&r[0]].clone();
        demo[1] = origin[&r[1]].clone();
        demo[8].clear();
        assert!(demo_rows.contains(&demo), "{r:?} is no demo row");
    }
    // Two whole blocks hold every demo row but those left out (3% by default): between 90% and
    // 100% of twice the demo's rows, and the third block's four units add a few more.
    let whole = written.iter().filter(|r| block(&r[0]) < 2).count();
    let demo_count = rows(&root().join("data/demo/dyads.csv")).len();
    assert!(
        whole * 10 >= demo_count * 2 * 9 && whole <= demo_count * 2,
        "{whole} rows in the two whole blocks, {demo_count} demo rows"
    );

    // The partner counts, unknown for every unit without dyads, are known for some with them.
    let rubric = root().join("rubrics/paris-call.toml");
    let without = score_dir(&rubric, &plain, None, &[]);
    let scored = score_dir(&rubric, &with, None, &[]);
    assert_eq!(
        scored.inputs.dyads.as_ref().unwrap().list.len(),
        written.len()
    );
    for criterion in ["extradition_partners", "mla_partners"] {
        assert_eq!(known(&without, criterion), 0, "{criterion} without dyads");
        assert!(known(&scored, criterion) > 0, "{criterion} with dyads");
    }
}

/// Every file of a folder, by name, sorted.
fn folder_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn score_writes_the_same_bytes_on_one_and_two_threads_in_either_format() {
    // 1,500 units: `scores.csv` has 105,000 rows, so its cells span many of the streaming
    // writer's blocks, each block formatted in pieces on every thread.
    let dir = tempfile::tempdir().unwrap();
    generate(1500, 5, &dir.path().join("data"));
    let rubric = root().join("rubrics/paris-call.toml");
    for format in ["csv", "parquet"] {
        let mut folders = Vec::new();
        for threads in ["1", "2"] {
            let out = format!("{format}-{threads}");
            let o = Command::new(env!("CARGO_BIN_EXE_accord"))
                .current_dir(dir.path())
                .env("RAYON_NUM_THREADS", threads)
                .args([
                    "score",
                    "--rubric",
                    rubric.to_str().unwrap(),
                    "--data",
                    "data",
                ])
                .args(["--format", format, "--out", &out])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            folders.push(folder_files(&dir.path().join(&out)));
        }
        let names: Vec<&str> = folders[0].iter().map(|(n, _)| n.as_str()).collect();
        assert!(
            names.contains(&format!("scores.{format}").as_str()),
            "{names:?}"
        );
        for ((a, x), (b, y)) in folders[0].iter().zip(&folders[1]) {
            assert_eq!(a, b);
            assert!(x == y, "`{a}` ({format}) differs between 1 and 2 threads");
        }
        assert_eq!(folders[0].len(), folders[1].len());
    }
}
