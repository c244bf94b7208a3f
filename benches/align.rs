//! Benchmark of `align`'s similarity: 20,000 synthetic jurisdictions x 100 criteria, about 10% of
//! the values unknown, cosine similarity of every pair computed block by block and reduced (each
//! block summed) instead of written. Run with `cargo bench --bench align`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark that cannot set up stops there"
)]

use accord::align::similarity::{BLOCK_ROWS, Engine, Metric, Profiles, Settings};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    divan::main();
}

/// Profiles on a 0-100 scale with a share `missing` of unknown values, from a fixed seed.
fn synthetic(n: usize, m: usize, missing: f64, seed: u64) -> Profiles {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut p = Profiles::new(n, m);
    for i in 0..n {
        for k in 0..m {
            let v = rng.random_range(0.0..=100.0);
            let known = !rng.random_bool(missing);
            p.set(i, k, known.then_some(v));
        }
    }
    p
}

/// Sum of the known similarities and of the overlaps above the diagonal, block by block.
fn reduce(engine: &Engine<'_>) -> (f64, u64) {
    let per_block = engine.blocks(BLOCK_ROWS, |b| {
        let mut s = 0.0;
        let mut o = 0u64;
        for (r, c, sim, overlap) in b.cells() {
            if c > r {
                s += sim.unwrap_or(0.0);
                o += u64::from(overlap);
            }
        }
        (s, o)
    });
    per_block
        .into_iter()
        .fold((0.0, 0), |acc, x| (acc.0 + x.0, acc.1 + x.1))
}

/// 20,000 x 100, 10% unknown, cosine: every pair's similarity and overlap.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn cosine_20000x100(bencher: divan::Bencher) {
    let profiles = synthetic(20_000, 100, 0.1, 42);
    let settings = Settings {
        metric: Metric::Cosine,
        min_overlap: 3,
        scale: [0.0, 100.0],
    };
    bencher.bench(|| {
        let engine = Engine::new(&profiles, settings.clone());
        reduce(&engine)
    });
}

/// A smaller case for every product-based and pairwise metric: 1,000 x 100, 10% unknown.
#[divan::bench(args = ["cosine", "pearson", "spearman", "euclidean", "gower"], sample_count = 5)]
fn metric_1000x100(bencher: divan::Bencher, metric: &str) {
    let profiles = synthetic(1_000, 100, 0.1, 7);
    let metric = Metric::all()
        .into_iter()
        .find(|m| m.name() == metric)
        .unwrap_or(Metric::Cosine);
    let settings = Settings {
        metric,
        min_overlap: 3,
        scale: [0.0, 100.0],
    };
    bencher.bench(|| {
        let engine = Engine::new(&profiles, settings.clone());
        reduce(&engine)
    });
}
