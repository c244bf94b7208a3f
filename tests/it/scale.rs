//! The scale data generator (`tools/scale_data.py`): the same seed writes the same bytes, the units
//! differ from each other while keeping their bloc, and accord scores the folder it writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::common::{root, score_dir};

fn generate(n: usize, seed: u64, out: &Path) {
    let status = Command::new("python3")
        .arg(root().join("tools/scale_data.py"))
        .arg(n.to_string())
        .arg(out)
        .args(["--seed", &seed.to_string()])
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
