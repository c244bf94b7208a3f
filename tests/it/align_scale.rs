//! `align` at scale: the O(n^2) average linkage gives the merges of the plain O(n^3) scan it
//! replaced, to the bit; `--top K` gives each unit's nearest neighbours with the full matrix's
//! values, the same on any thread count; above the size limit the full matrices are refused and
//! cooperation is written in its long form, with the same network measures.

use std::path::Path;
use std::process::Command;

use accord::align::cluster::{self, Dendrogram, Merge};
use accord::align::similarity::Metric;
use accord::align::{self, Level, Options};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::common::*;

/// The average linkage `accord` used before its O(n^2) version, kept verbatim as the reference:
/// scan every active pair for the smallest distance (the first in slot order on ties), merge
/// into the earlier slot, update by Lance-Williams.
fn plain_upgma(n: usize, dist: &[f64], fallback: f64) -> Dendrogram {
    let mut d: Vec<f64> = dist
        .iter()
        .take(n * n)
        .map(|&x| if x.is_finite() { x } else { fallback })
        .collect();
    d.resize(n * n, fallback);
    let mut active: Vec<usize> = (0..n).collect();
    let mut id: Vec<usize> = (0..n).collect();
    let mut size = vec![1usize; n];
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    while active.len() > 1 {
        let mut best = (f64::INFINITY, 0, 0);
        for (x, &a) in active.iter().enumerate() {
            for &b in &active[x + 1..] {
                if d[a * n + b] < best.0 {
                    best = (d[a * n + b], a, b);
                }
            }
        }
        let (height, a, b) = best;
        let (a, b) = if best.0.is_finite() {
            (a, b)
        } else {
            (active[0], active[1])
        };
        let (sa, sb) = (size[a] as f64, size[b] as f64);
        for &k in &active {
            if k != a && k != b {
                let v = (sa * d[a * n + k] + sb * d[b * n + k]) / (sa + sb);
                d[a * n + k] = v;
                d[k * n + a] = v;
            }
        }
        merges.push(Merge {
            left: id[a],
            right: id[b],
            height: if height.is_finite() { height } else { fallback },
            size: size[a] + size[b],
        });
        size[a] += size[b];
        id[a] = n + merges.len() - 1;
        active.retain(|&k| k != b);
    }
    Dendrogram { n, merges }
}

fn same_tree(a: &Dendrogram, b: &Dendrogram, what: &str) {
    assert_eq!(a.n, b.n, "{what}");
    for (k, (x, y)) in a.merges.iter().zip(&b.merges).enumerate() {
        assert!(
            x.left == y.left
                && x.right == y.right
                && x.size == y.size
                && x.height.to_bits() == y.height.to_bits(),
            "{what}: merge {k} is {x:?}, the plain scan gives {y:?}"
        );
    }
    assert_eq!(a.merges.len(), b.merges.len(), "{what}");
}

/// A symmetric distance matrix of `n` items; `levels` > 0 draws integers below it (many ties),
/// else continuous values; `unknown` is the share of pairs left NaN (read as the fallback).
fn random_distances(rng: &mut ChaCha8Rng, n: usize, levels: u32, unknown: f64) -> Vec<f64> {
    let mut d = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let v = if rng.random::<f64>() < unknown {
                f64::NAN
            } else if levels > 0 {
                f64::from(rng.random_range(0..levels)) / f64::from(levels)
            } else {
                rng.random::<f64>()
            };
            d[i * n + j] = v;
            d[j * n + i] = v;
        }
    }
    d
}

#[test]
fn fast_average_linkage_gives_the_plain_scans_merges_on_random_matrices_with_ties() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    for case in 0..60 {
        let n = 1 + case % 7 * 13 + case;
        let levels = [0, 2, 3, 5, 40][case % 5];
        let unknown = [0.0, 0.0, 0.2, 0.6][case % 4];
        let d = random_distances(&mut rng, n, levels, unknown);
        let what = format!("case {case}: n {n}, levels {levels}, unknown {unknown}");
        same_tree(&cluster::upgma(n, &d, 1.0), &plain_upgma(n, &d, 1.0), &what);
    }
    // All distances equal: every merge is a tie.
    let n = 30;
    let d = vec![0.5; n * n];
    same_tree(
        &cluster::upgma(n, &d, 1.0),
        &plain_upgma(n, &d, 1.0),
        "all ties",
    );
}

/// The distances `cluster::cluster` hands to the linkage, rebuilt from an alignment.
fn distances_of(a: &align::Alignment) -> Vec<f64> {
    let comparable = &a.clusters.comparable;
    let c = comparable.len();
    let mut dist = vec![0.0; c * c];
    for (x, &i) in comparable.iter().enumerate() {
        for (y, &j) in comparable.iter().enumerate() {
            if x != y {
                dist[x * c + y] = a.matrix.get(i, j).map_or(a.unknown_distance, |v| {
                    (1.0 - v).clamp(0.0, a.unknown_distance)
                });
            }
        }
    }
    dist
}

fn options(level: Level, metric: Metric) -> Options {
    Options {
        level,
        metric,
        min_overlap: 3,
        clusters: 4,
        reference: None,
    }
}

fn check_trees(s: &accord::Scored, what: &str) {
    for level in Level::ALL {
        for metric in Metric::all() {
            let Ok(a) = align::align(s, &options(level, metric)) else {
                continue;
            };
            let Some(tree) = &a.clusters.dendrogram else {
                continue;
            };
            let c = a.clusters.comparable.len();
            let reference = plain_upgma(c, &distances_of(&a), a.unknown_distance);
            same_tree(tree, &reference, &format!("{what} {level:?} {metric:?}"));
        }
    }
}

#[test]
fn fast_average_linkage_gives_the_plain_scans_merges_on_the_shipped_data() {
    let demo = score_dir(
        &root().join("rubrics/paris-call.toml"),
        &root().join("data/demo"),
        None,
        &[],
    );
    check_trees(&demo, "demo");
    let public = score_dir(
        &root().join("rubrics/paris-call-public.toml"),
        &root().join("data"),
        None,
        &[],
    );
    check_trees(&public, "default");
}

/// Writes `n` generated units into `out` with `tools/scale_data.py`.
pub fn generate(n: usize, seed: u64, out: &Path, extra: &[&str]) {
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

#[test]
fn fast_average_linkage_gives_the_plain_scans_merges_on_generated_sets() {
    let dir = tempfile::tempdir().unwrap();
    for (n, seed) in [(150, 1), (240, 5)] {
        let out = dir.path().join(format!("g{seed}"));
        generate(n, seed, &out, &[]);
        let s = score_dir(&root().join("rubrics/paris-call.toml"), &out, None, &[]);
        check_trees(&s, &format!("generated {n} seed {seed}"));
    }
}

/// Each row's neighbours as the full matrix gives them: every other row with a known
/// similarity, higher similarity first, then the earlier row.
fn sorted_rows(m: &accord::align::similarity::SimilarityMatrix) -> Vec<Vec<(usize, u64, u32)>> {
    (0..m.n)
        .map(|i| {
            let mut row: Vec<(usize, f64, u32)> = (0..m.n)
                .filter(|&j| j != i)
                .filter_map(|j| m.get(i, j).map(|v| (j, v, m.overlap(i, j))))
                .collect();
            row.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            row.into_iter()
                .map(|(j, v, o)| (j, v.to_bits(), o))
                .collect()
        })
        .collect()
}

fn check_top(s: &accord::Scored, what: &str) {
    let mut checked = 0;
    for level in Level::ALL {
        for metric in Metric::all() {
            let mut o = options(level, metric);
            o.reference = Some(s.inputs.jurisdictions.list[s.results.units[1]].code.clone());
            let Ok(full) = align::align(s, &o) else {
                continue;
            };
            let n = full.matrix.n;
            let expected = sorted_rows(&full.matrix);
            for k in [n - 1, 3] {
                let top = align::nearest(s, &o, k).unwrap();
                for (i, list) in top.neighbours.iter().enumerate() {
                    let got: Vec<(usize, u64, u32)> = list
                        .iter()
                        .map(|nb| (nb.row, nb.similarity.to_bits(), nb.overlap))
                        .collect();
                    let want = &expected[i][..k.min(expected[i].len())];
                    assert_eq!(got, want, "{what} {level:?} {metric:?} --top {k}, row {i}");
                }
                // The reference ranking holds the matrix's values too.
                let (a, b) = (full.reference.as_ref(), top.reference.as_ref());
                let bits = |r: Option<&align::ReferenceAlignment>| {
                    r.unwrap()
                        .values
                        .iter()
                        .map(|(v, o)| (v.map(f64::to_bits), *o))
                        .collect::<Vec<_>>()
                };
                let mut want = bits(a);
                want[1] = bits(b)[1]; // the reference itself is left out of the ranking
                assert_eq!(bits(b), want, "{what} {level:?} {metric:?} reference");
                assert!(top.clusters.labels.iter().all(Option::is_none));
                assert!(top.clusters.none.unwrap().reason().contains("--top"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "{what}: {checked} level x metric cases");
}

#[test]
fn top_j_minus_1_is_the_full_matrix_rows_sorted_for_every_metric_and_level() {
    let demo = score_dir(
        &root().join("rubrics/paris-call.toml"),
        &root().join("data/demo"),
        None,
        &[],
    );
    check_top(&demo, "demo");
    let dir = tempfile::tempdir().unwrap();
    // 300 units: more than two row blocks, and with --missing 0.2 many pairs below the overlap.
    generate(300, 3, dir.path(), &["--missing", "0.2"]);
    let s = score_dir(
        &root().join("rubrics/paris-call.toml"),
        dir.path(),
        None,
        &[],
    );
    check_top(&s, "generated");
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn accord_threads(cwd: &Path, threads: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(cwd)
        .env("RAYON_NUM_THREADS", threads)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn align_gives_the_same_files_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    generate(700, 4, &data, &[]);
    let rubric = root().join("rubrics/paris-call.toml");
    let rubric = rubric.to_str().unwrap();
    for (label, extra) in [
        ("top", &["--top", "7", "--level", "criterion"][..]),
        ("full", &["--level", "criterion", "--metric", "cosine"][..]),
    ] {
        let mut outs = Vec::new();
        for threads in ["1", "2"] {
            let out = format!("{label}-{threads}");
            let mut args = vec!["align", "--rubric", rubric, "--data", "data", "--out", &out];
            args.extend_from_slice(extra);
            let o = accord_threads(dir.path(), threads, &args);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            outs.push(files_of(&dir.path().join(&out)));
        }
        assert_eq!(outs[0], outs[1], "{label}: 1 and 2 threads differ");
        if label == "top" {
            let names: Vec<&str> = outs[0].iter().map(|(n, _)| n.as_str()).collect();
            assert!(names.contains(&"neighbours.csv") && !names.contains(&"alignment.csv"));
            let neighbours = String::from_utf8(
                outs[0]
                    .iter()
                    .find(|f| f.0 == "neighbours.csv")
                    .unwrap()
                    .1
                    .clone(),
            )
            .unwrap();
            // 700 units x 7 neighbours (every unit shares enough criteria with many others).
            assert_eq!(neighbours.lines().count(), 1 + 700 * 7);
            let clusters = String::from_utf8(
                outs[0]
                    .iter()
                    .find(|f| f.0 == "clusters.csv")
                    .unwrap()
                    .1
                    .clone(),
            )
            .unwrap();
            assert!(clusters.lines().skip(1).all(|l| l.ends_with(",NA")));
            let manifest = String::from_utf8(
                outs[0]
                    .iter()
                    .find(|f| f.0 == "manifest.json")
                    .unwrap()
                    .1
                    .clone(),
            )
            .unwrap();
            assert!(
                manifest.contains("\"top\": 7")
                    && manifest.contains("\"cooperation_form\": \"matrix\"")
            );
        }
    }
}

#[test]
fn above_the_full_limit_align_without_top_is_refused_and_names_top() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    generate(align::FULL_LIMIT + 1, 1, &data, &[]);
    let rubric = root().join("rubrics/paris-call.toml");
    let rubric = rubric.to_str().unwrap();
    let o = accord_threads(
        dir.path(),
        "2",
        &["align", "--rubric", rubric, "--data", "data", "--out", "a"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--top") && err.contains("5001 jurisdictions"),
        "{err}"
    );
    assert!(!dir.path().join("a").exists(), "a partial folder was left");
    // With --top it runs, and writes cooperation in the long form (above 1,000 jurisdictions).
    let o = accord_threads(
        dir.path(),
        "2",
        &[
            "align", "--rubric", rubric, "--data", "data", "--out", "b", "--top", "2",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let b = dir.path().join("b");
    assert!(b.join("cooperation_units.csv").exists() && b.join("cooperation_pairs.csv").exists());
    assert!(!b.join("cooperation.csv").exists());
    let manifest = std::fs::read_to_string(b.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"cooperation_form\": \"long\""));
}

#[test]
fn the_long_cooperation_form_gives_the_matrices_cells_and_the_same_network_measures() {
    for (rubric, data) in [
        ("rubrics/paris-call.toml", "data/demo"),
        ("rubrics/paris-call-public.toml", "data"),
    ] {
        let s = score_dir(&root().join(rubric), &root().join(data), None, &[]);
        let dense = align::cooperation(&s).unwrap();
        let long = align::cooperation_long(&s).unwrap();
        assert_eq!(dense.measures, long.measures, "{data}");
        assert_eq!(dense.weights, long.weights, "{data}");
        let n = dense.any.n;
        for (m, kind) in [
            (&dense.extradition, Some("extradition")),
            (&dense.legal_assistance, Some("legal_assistance")),
            (&dense.any, None),
        ] {
            let chosen = accord::align::network::chosen(&long.channels, kind);
            for from in 0..n {
                for to in 0..n {
                    assert_eq!(
                        m.get(from, to),
                        &accord::align::network::long_cell(&long.channels, &chosen, from, to),
                        "{data} {kind:?} {from} -> {to}"
                    );
                }
            }
        }
    }
}
