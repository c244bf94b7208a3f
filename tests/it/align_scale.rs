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
