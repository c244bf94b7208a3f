//! `accord align`: similarity metrics computed by hand, NA handling, clustering, cooperation
//! matrices from undirected and directed instruments, multilateral links, network measures and
//! the safe-haven score, and the command end to end.

use accord::align::cluster;
use accord::align::network::{self, Cell, DyadLink, Status};
use accord::align::similarity::{
    self, BLOCK_ROWS, Engine, Metric, Profiles, Settings, average_ranks,
};
use accord::align::{self, Level, Options};
use accord::evidence::Binding;
use approx::assert_relative_eq;
use proptest::prelude::*;

use crate::common::*;

fn settings(metric: Metric, min_overlap: usize) -> Settings {
    Settings {
        metric,
        min_overlap,
        scale: [0.0, 100.0],
    }
}

fn rows(values: &[&[Option<f64>]]) -> Profiles {
    Profiles::from_rows(&values.iter().map(|r| r.to_vec()).collect::<Vec<_>>())
}

fn full(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|v| Some(*v)).collect()
}

/// Similarity of rows 0 and 1 from the whole matrix (blocks) and directly (pair), which agree.
fn sim01(p: &Profiles, metric: Metric, min_overlap: usize) -> (Option<f64>, u32) {
    let engine = Engine::new(p, settings(metric, min_overlap));
    let m = engine.matrix();
    let (direct, overlap) = engine.pair(p.row(0), p.row(1));
    match (m.get(0, 1), direct) {
        (Some(a), Some(b)) => assert_relative_eq!(a, b, epsilon = 1e-12),
        (a, b) => assert_eq!(a, b),
    }
    assert_eq!(m.overlap(0, 1) as usize, overlap);
    (m.get(0, 1), m.overlap(0, 1))
}

// ---------------------------------------------------------------------------------------------
// Hand-computed cases, one per metric.

#[test]
fn cosine_by_hand() {
    // a = (1, 0, 1), b = (1, 1, 0): a.b = 1, |a| = |b| = sqrt(2), cosine = 1 / 2.
    let p = rows(&[&full(&[1.0, 0.0, 1.0]), &full(&[1.0, 1.0, 0.0])]);
    let (s, o) = sim01(&p, Metric::Cosine, 3);
    assert_relative_eq!(s.unwrap(), 0.5, epsilon = 1e-15);
    assert_eq!(o, 3);
    // With an unknown: a = (3, NA, 4, 0), b = (6, 7, 8, 5): over components 1, 3 and 4,
    // a.b = 18 + 32 + 0 = 50, |a| = 5, |b| = sqrt(36 + 64 + 25) = sqrt(125): 50 / (5 sqrt(125)).
    let p = rows(&[
        &[Some(3.0), None, Some(4.0), Some(0.0)],
        &full(&[6.0, 7.0, 8.0, 5.0]),
    ]);
    let (s, o) = sim01(&p, Metric::Cosine, 3);
    assert_relative_eq!(s.unwrap(), 50.0 / (5.0 * 125f64.sqrt()), epsilon = 1e-12);
    assert_eq!(o, 3);
}

#[test]
fn pearson_by_hand() {
    // a = (1, 2, 3), b = (1, 3, 2): means 2 and 2, deviations (-1, 0, 1) and (-1, 1, 0);
    // sum of products 1, sums of squares 2 and 2: r = 1 / 2.
    let p = rows(&[&full(&[1.0, 2.0, 3.0]), &full(&[1.0, 3.0, 2.0])]);
    assert_relative_eq!(
        sim01(&p, Metric::Pearson, 3).0.unwrap(),
        0.5,
        epsilon = 1e-12
    );
    // On the overlap only: a = (10, 20, NA, 30, 40), b = (40, 30, 99, 20, 10) is perfectly
    // reversed on the four shared components: r = -1.
    let p = rows(&[
        &[Some(10.0), Some(20.0), None, Some(30.0), Some(40.0)],
        &full(&[40.0, 30.0, 99.0, 20.0, 10.0]),
    ]);
    assert_relative_eq!(
        sim01(&p, Metric::Pearson, 3).0.unwrap(),
        -1.0,
        epsilon = 1e-12
    );
}

#[test]
fn spearman_by_hand() {
    // a = (10, 20, 30, 40) ranks (1, 2, 3, 4); b = (1, 3, 2, 100) ranks (1, 3, 2, 4).
    // Deviations from 2.5: (-1.5, -0.5, 0.5, 1.5) and (-1.5, 0.5, -0.5, 1.5); products sum to
    // 2.25 - 0.25 - 0.25 + 2.25 = 4; sums of squares 5 and 5: rho = 4 / 5.
    let p = rows(&[
        &full(&[10.0, 20.0, 30.0, 40.0]),
        &full(&[1.0, 3.0, 2.0, 100.0]),
    ]);
    assert_relative_eq!(
        sim01(&p, Metric::Spearman, 3).0.unwrap(),
        0.8,
        epsilon = 1e-12
    );
    // Ties share the mean of their ranks.
    assert_eq!(
        average_ranks(&[5.0, 1.0, 5.0, 2.0]),
        vec![3.5, 1.0, 3.5, 2.0]
    );
}

#[test]
fn euclidean_by_hand() {
    // Scale [0, 100]; a = (0, 50, 100), b = (0, 50, 40): squared differences 0, 0, 3600, mean
    // 1200, root sqrt(1200) = 34.641..., divided by the range 100: similarity 1 - 0.34641...
    let p = rows(&[&full(&[0.0, 50.0, 100.0]), &full(&[0.0, 50.0, 40.0])]);
    assert_relative_eq!(
        sim01(&p, Metric::Euclidean, 3).0.unwrap(),
        1.0 - 1200f64.sqrt() / 100.0,
        epsilon = 1e-12
    );
    // Comparable across overlaps: the same differences on 3 of 4 shared components or on 2 of 2
    // give the same root mean square. a = (0, 0, NA, 0) vs b = (60, 60, 0, 60): rms 60 -> 0.4.
    let p = rows(&[
        &[Some(0.0), Some(0.0), None, Some(0.0)],
        &full(&[60.0, 60.0, 0.0, 60.0]),
    ]);
    assert_relative_eq!(
        sim01(&p, Metric::Euclidean, 3).0.unwrap(),
        0.4,
        epsilon = 1e-12
    );
}

#[test]
fn gower_by_hand() {
    // Three rows; ranges per component over them: 10 (0..10), 10 (0..10), 5 (0..5).
    // a = (0, 10, 5), b = (10, 10, 0): |a - b| / range = 1, 0, 1; mean 2/3; similarity 1/3.
    // a vs c = (5, 0, 5): 0.5, 1, 0; mean 0.5; similarity 0.5.
    let p = rows(&[
        &full(&[0.0, 10.0, 5.0]),
        &full(&[10.0, 10.0, 0.0]),
        &full(&[5.0, 0.0, 5.0]),
    ]);
    let engine = Engine::new(&p, settings(Metric::Gower, 3));
    let m = engine.matrix();
    assert_relative_eq!(m.get(0, 1).unwrap(), 1.0 / 3.0, epsilon = 1e-12);
    assert_relative_eq!(m.get(0, 2).unwrap(), 0.5, epsilon = 1e-12);
    // A component every row shares the value of contributes no difference (range 0).
    assert_eq!(
        similarity::gower(&[1.0, 7.0], &[1.0, 7.0], &[0.0, 2.0]),
        Some(1.0)
    );
}

#[test]
fn agreement_by_hand() {
    // Categories (0, 100, 50, 100) and (0, 100, 100, 100): 3 of 4 equal.
    let p = rows(&[
        &full(&[0.0, 100.0, 50.0, 100.0]),
        &full(&[0.0, 100.0, 100.0, 100.0]),
    ]);
    assert_relative_eq!(
        sim01(&p, Metric::Agreement, 3).0.unwrap(),
        0.75,
        epsilon = 1e-15
    );
}

#[test]
fn kappa_matches_the_classic_worked_example() {
    // The worked example of Cohen's kappa in Wikipedia's "Cohen's kappa" article ("Simple
    // example"): two raters, 50 items, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    // p_o = (20 + 15) / 50 = 0.7; rater A says yes 25/50 = 0.5, rater B 30/50 = 0.6;
    // p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    // (kappa as defined by Cohen, 1960, Educational and Psychological Measurement 20(1), 37-46).
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (x, y, times) in [
        (1.0, 1.0, 20),
        (1.0, 0.0, 5),
        (0.0, 1.0, 10),
        (0.0, 0.0, 15),
    ] {
        for _ in 0..times {
            a.push(Some(x));
            b.push(Some(y));
        }
    }
    let p = rows(&[&a, &b]);
    let (k, o) = sim01(&p, Metric::Kappa, 3);
    assert_relative_eq!(k.unwrap(), 0.4, epsilon = 1e-12);
    assert_eq!(o, 50);
}

#[test]
fn kappa_with_three_categories_by_hand() {
    // a = (0, 50, 100, 100), b = (0, 100, 100, 50): agreements on items 1 and 3: p_o = 1/2.
    // Shares: a 0:1/4, 50:1/4, 100:2/4; b 0:1/4, 50:1/4, 100:2/4;
    // p_e = 1/16 + 1/16 + 4/16 = 6/16 = 3/8; kappa = (1/2 - 3/8) / (5/8) = 1/5.
    assert_relative_eq!(
        similarity::kappa(&[0.0, 50.0, 100.0, 100.0], &[0.0, 100.0, 100.0, 50.0]).unwrap(),
        0.2,
        epsilon = 1e-12
    );
    // Both raters always give the same single category: p_e = 1, kappa undefined.
    assert_eq!(similarity::kappa(&[1.0, 1.0, 1.0], &[1.0, 1.0, 1.0]), None);
}

// ---------------------------------------------------------------------------------------------
// NA handling.

#[test]
fn too_little_overlap_or_undefined_similarity_is_na_never_nan() {
    // Two shared components with a minimum of 3: NA, overlap 2.
    let p = rows(&[
        &[Some(1.0), Some(2.0), None, Some(4.0)],
        &[Some(2.0), Some(1.0), Some(3.0), None],
    ]);
    for metric in Metric::all() {
        let (s, o) = sim01(&p, metric, 3);
        assert_eq!((s, o), (None, 2), "{metric:?}");
        // With a minimum of 2 the pair is compared (kappa and agreement too).
        let (s, _) = sim01(&p, metric, 2);
        assert!(s.is_none_or(|v| v.is_finite()), "{metric:?}");
    }
    // Zero vector: cosine undefined. Constant vector: correlations undefined.
    let zero = rows(&[&full(&[0.0, 0.0, 0.0]), &full(&[1.0, 2.0, 3.0])]);
    assert_eq!(sim01(&zero, Metric::Cosine, 3).0, None);
    let flat = rows(&[&full(&[50.0, 50.0, 50.0]), &full(&[1.0, 2.0, 3.0])]);
    assert_eq!(sim01(&flat, Metric::Pearson, 3).0, None);
    assert_eq!(sim01(&flat, Metric::Spearman, 3).0, None);
    // A row of only unknowns: NA with everything, including itself on the diagonal.
    let p = rows(&[&[None, None, None], &full(&[1.0, 2.0, 3.0])]);
    let m = Engine::new(&p, settings(Metric::Cosine, 3)).matrix();
    assert_eq!(
        (m.get(0, 1), m.get(0, 0), m.get(1, 1)),
        (None, None, Some(1.0))
    );
    assert_eq!((m.overlap(0, 0), m.overlap(1, 1)), (0, 3));
}

#[test]
fn pearson_of_50_0_and_25_25_000001_is_minus_1_not_na() {
    // Over two shared components any two non-constant profiles correlate perfectly: (50, 0)
    // falls and (25, 25.000001) rises, so r = -1. The second row also knows a third component
    // (90), so it is centred on its own mean (46.67), far from its overlap's mean (25.0000005):
    // its overlap variance, sum(y²) - sum(y)²/2 = 938.9 - 938.9, cancelled and the pair was NA.
    for p in [
        rows(&[&full(&[50.0, 0.0]), &full(&[25.0, 25.000001])]),
        rows(&[
            &[Some(50.0), Some(0.0), None],
            &full(&[25.0, 25.000001, 90.0]),
        ]),
        rows(&[
            &full(&[25.0, 25.000001, 90.0]),
            &[Some(50.0), Some(0.0), None],
        ]),
    ] {
        let m = Engine::new(&p, settings(Metric::Pearson, 2)).matrix();
        assert_relative_eq!(m.get(0, 1).unwrap(), -1.0, epsilon = 1e-12);
        assert_eq!(m.overlap(0, 1), 2);
    }
}

#[test]
fn cosine_on_an_overlap_holding_a_tiny_share_of_a_row_is_not_na() {
    // a = (1e-6, 2e-6, 1000, 1000), b = (3, 1, NA, NA): over the two shared components
    // a.b = 5e-6, |a| = sqrt(5) 1e-6, |b| = sqrt(10): cosine 5 / sqrt(50) = 1 / sqrt(2). a's sum
    // of squares over the overlap, taken as its total (2e6) minus the two components b lacks,
    // was rounding noise and the pair NA.
    let p = rows(&[
        &full(&[1e-6, 2e-6, 1000.0, 1000.0]),
        &[Some(3.0), Some(1.0), None, None],
    ]);
    let m = Engine::new(&p, settings(Metric::Cosine, 2)).matrix();
    assert_relative_eq!(
        m.get(0, 1).unwrap(),
        std::f64::consts::FRAC_1_SQRT_2,
        epsilon = 1e-12
    );
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn profiles_strategy() -> impl Strategy<Value = Profiles> {
    (2usize..14, 1usize..9).prop_flat_map(|(n, m)| {
        // Values from a small set, so ties, constants and zeros are frequent, and values a few
        // millionths off that set, so that nearly constant overlaps (where sums cancel) are too.
        proptest::collection::vec(
            prop_oneof![
                1 => Just(None),
                4 => (0u8..5).prop_map(|v| Some(f64::from(v) * 25.0)),
                1 => (0u8..5, 1u8..4).prop_map(|(v, k)| Some(f64::from(v) * 25.0 + f64::from(k) * 1e-6)),
                2 => (0.0f64..100.0).prop_map(Some),
            ],
            n * m,
        )
        .prop_map(move |cells| {
            let rows: Vec<Vec<Option<f64>>> = cells.chunks(m).map(<[_]>::to_vec).collect();
            Profiles::from_rows(&rows)
        })
    })
}

proptest! {
    #![proptest_config(crate::common::proptest_config(64))]

    #[test]
    fn every_metric_is_symmetric_with_a_unit_diagonal(p in profiles_strategy(), min in 1usize..4) {
        for metric in Metric::all() {
            let m = Engine::new(&p, settings(metric, min)).matrix();
            for i in 0..p.nrow {
                let own = p.known(i);
                prop_assert_eq!(m.get(i, i), (own >= min).then_some(1.0));
                prop_assert_eq!(m.overlap(i, i) as usize, own);
                for j in 0..p.nrow {
                    prop_assert_eq!(m.get(i, j), m.get(j, i));
                    prop_assert_eq!(m.overlap(i, j), m.overlap(j, i));
                    if let Some(v) = m.get(i, j) {
                        prop_assert!(v.is_finite());
                        prop_assert!(v >= metric.min_similarity() - 1e-12 && v <= 1.0 + 1e-12);
                    }
                }
            }
        }
    }

    #[test]
    fn matrix_products_agree_with_direct_pairs(p in profiles_strategy(), min in 1usize..4) {
        for metric in [Metric::Cosine, Metric::Pearson] {
            let engine = Engine::new(&p, settings(metric, min));
            let m = engine.matrix();
            for i in 0..p.nrow {
                for j in 0..p.nrow {
                    if i == j {
                        continue;
                    }
                    let (direct, overlap) = engine.pair(p.row(i), p.row(j));
                    prop_assert_eq!(m.overlap(i, j) as usize, overlap);
                    match (m.get(i, j), direct) {
                        (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-11, "{a} vs {b}"),
                        (a, b) => prop_assert_eq!(a, b),
                    }
                }
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count_or_block_size() {
    let mut p = Profiles::new(300, 20);
    let mut x: u64 = 12345;
    for i in 0..300 {
        for k in 0..20 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = (x >> 33) as f64 / (1u64 << 31) as f64 * 100.0;
            p.set(i, k, (!x.is_multiple_of(10)).then_some(v));
        }
    }
    for metric in [Metric::Cosine, Metric::Pearson, Metric::Gower] {
        let engine = Engine::new(&p, settings(metric, 3));
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| engine.matrix())
        };
        let one = run(1);
        assert_eq!(one, run(3), "{metric:?}");
        // Blocks of another size hold the same numbers, bit for bit.
        let blocks = engine.blocks(BLOCK_ROWS / 2 + 7, |b| b);
        for b in &blocks {
            for (r, c, s, o) in b.cells() {
                if c > r {
                    assert_eq!(s.map(f64::to_bits), one.get(r, c).map(f64::to_bits));
                    assert_eq!(o, one.overlap(r, c));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Clustering.

#[test]
fn average_linkage_by_hand() {
    // Four items: A-B at distance 1, C-D at 2, A-C 6, A-D 8, B-C 7, B-D 9.
    // Merge 1: A+B at 1. Merge 2: C+D at 2. Merge 3: AB with CD at the mean of the four
    // cross distances, (6 + 8 + 7 + 9) / 4 = 7.5.
    #[rustfmt::skip]
    let d = [
        0.0, 1.0, 6.0, 8.0,
        1.0, 0.0, 7.0, 9.0,
        6.0, 7.0, 0.0, 2.0,
        8.0, 9.0, 2.0, 0.0,
    ];
    let tree = cluster::upgma(4, &d, 10.0);
    let heights: Vec<f64> = tree.merges.iter().map(|m| m.height).collect();
    assert_eq!(heights, vec![1.0, 2.0, 7.5]);
    assert_eq!((tree.merges[2].left, tree.merges[2].right), (4, 5));
    assert_eq!(tree.order(), vec![0, 1, 2, 3]);
    assert_eq!(tree.cut(2), vec![1, 1, 2, 2]);
    assert_eq!(tree.cut(1), vec![1, 1, 1, 1]);
    assert_eq!(tree.cut(9), vec![1, 2, 3, 4]);
    // Unknown distances (NaN) take the fallback, the largest distance.
    let mut d2 = d;
    d2[2] = f64::NAN;
    d2[8] = f64::NAN;
    let tree = cluster::upgma(4, &d2, 10.0);
    assert_eq!(tree.merges[2].height, (10.0 + 8.0 + 7.0 + 9.0) / 4.0);
}

#[test]
fn clusters_put_blocs_next_to_each_other() {
    // Items 0 and 2 are alike, 1 and 3 are alike: the order puts each pair together.
    let p = rows(&[
        &full(&[100.0, 0.0, 100.0, 0.0]),
        &full(&[0.0, 100.0, 0.0, 100.0]),
        &full(&[90.0, 10.0, 100.0, 0.0]),
        &full(&[0.0, 90.0, 10.0, 100.0]),
    ]);
    let m = Engine::new(&p, settings(Metric::Cosine, 3)).matrix();
    let mut d = vec![0.0; 16];
    for i in 0..4 {
        for j in 0..4 {
            d[i * 4 + j] = if i == j {
                0.0
            } else {
                1.0 - m.get(i, j).unwrap()
            };
        }
    }
    let tree = cluster::upgma(4, &d, 2.0);
    assert_eq!(tree.order(), vec![0, 2, 1, 3]);
    assert_eq!(tree.cut(2), vec![1, 2, 1, 2]);
}

fn cosine_matrix(p: &Profiles, min_overlap: usize) -> similarity::SimilarityMatrix {
    Engine::new(p, settings(Metric::Cosine, min_overlap)).matrix()
}

#[test]
fn a_jurisdiction_without_a_known_similarity_is_not_clustered() {
    // Rows 0 and 2 are alike, rows 1, 3 and 5 are alike; row 4 knows one component, fewer than
    // the minimum overlap of 3, so it has no similarity with anyone. It used to be put in a
    // cluster of its own, as if it were a bloc.
    let p = rows(&[
        &full(&[100.0, 0.0, 100.0, 0.0]),
        &full(&[0.0, 100.0, 0.0, 100.0]),
        &full(&[90.0, 10.0, 100.0, 0.0]),
        &full(&[0.0, 90.0, 10.0, 100.0]),
        &[None, None, None, Some(50.0)],
        &full(&[10.0, 100.0, 0.0, 90.0]),
    ]);
    let c = cluster::cluster(&cosine_matrix(&p, 3), 2, 2.0);
    assert_eq!(c.none, None);
    assert_eq!(c.comparable, [0, 1, 2, 3, 5]);
    assert_eq!((c.known_pairs, c.pairs), (10, 10));
    assert_eq!(
        c.labels,
        [Some(1), Some(2), Some(1), Some(2), None, Some(2)]
    );
    assert_eq!((c.count(), c.clustered()), (2, 5));
    assert_eq!(c.order.len(), 6);
    assert_eq!(c.order[..2], [0, 2]);
    assert_eq!(c.order[5], 4, "the unclustered row comes last");
}

/// Row i knows components i and i + 1 only (value 50): with a minimum overlap of 1, neighbours
/// share one component (cosine 1 over it), and every other pair shares none (NA).
fn chain(n: usize) -> Profiles {
    let rows: Vec<Vec<Option<f64>>> = (0..n)
        .map(|i| {
            (0..=n)
                .map(|k| (k == i || k == i + 1).then_some(50.0))
                .collect()
        })
        .collect();
    Profiles::from_rows(&rows)
}

#[test]
fn clusters_need_half_of_the_pairs_known() {
    // 4 rows in a chain: 3 of the 6 pairs known, exactly half: clustered.
    let c = cluster::cluster(&cosine_matrix(&chain(4), 1), 2, 2.0);
    assert_eq!((c.known_pairs, c.pairs), (3, 6));
    assert_eq!(c.none, None);
    assert_eq!(c.count(), 2);
    // 6 rows: 5 of 15 known, a third: no clusters at all, rows in their own order.
    let c = cluster::cluster(&cosine_matrix(&chain(6), 1), 2, 2.0);
    assert_eq!(
        c.none,
        Some(cluster::NoClusters::TooFewKnownPairs {
            comparable: 6,
            known: 5,
            pairs: 15
        })
    );
    assert_eq!(c.labels, [None; 6]);
    assert_eq!(c.order, [0, 1, 2, 3, 4, 5]);
    assert!(c.dendrogram.is_none());
    assert_eq!(
        c.none.unwrap().reason(),
        "only 5 of the 15 pairs among the 6 jurisdictions with a known similarity to another have one, fewer than the 50% clustering needs"
    );
    assert_eq!(cluster::MIN_KNOWN_PAIR_SHARE, 0.5);
}

#[test]
fn no_clusters_without_more_comparable_jurisdictions_than_clusters() {
    let p = rows(&[
        &full(&[100.0, 0.0, 100.0]),
        &full(&[0.0, 100.0, 0.0]),
        &full(&[90.0, 10.0, 100.0]),
        &full(&[0.0, 90.0, 10.0]),
    ]);
    let m = cosine_matrix(&p, 3);
    let c = cluster::cluster(&m, 4, 2.0);
    assert_eq!(
        c.none,
        Some(cluster::NoClusters::TooFewJurisdictions {
            comparable: 4,
            clusters: 4
        })
    );
    assert_eq!(c.count(), 0);
    assert_eq!(cluster::cluster(&m, 3, 2.0).count(), 3);
    // Nobody shares the minimum overlap with anybody.
    let p = rows(&[&[Some(1.0), None], &[None, Some(2.0)], &[Some(3.0), None]]);
    let c = cluster::cluster(&cosine_matrix(&p, 3), 2, 2.0);
    assert_eq!(c.none, Some(cluster::NoClusters::NothingComparable));
    assert_eq!(
        c.none.unwrap().reason(),
        "no jurisdiction has a known similarity with any other"
    );
    assert!(c.comparable.is_empty() && c.labels == [None; 3]);
}

/// The adjusted Rand index of two labellings of the same items (Hubert and Arabie, 1985):
/// (index - expected) / (max - expected), with index = sum over the contingency table's cells
/// of C(n_ij, 2), expected = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2) from its row and column
/// totals, and max = (sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2.
fn adjusted_rand(a: &[String], b: &[String]) -> f64 {
    use std::collections::BTreeMap;
    let pairs = |k: usize| (k * k.saturating_sub(1) / 2) as f64;
    let mut cells: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cols: BTreeMap<&str, usize> = BTreeMap::new();
    for (x, y) in a.iter().zip(b) {
        *cells.entry((x, y)).or_default() += 1;
        *rows.entry(x).or_default() += 1;
        *cols.entry(y).or_default() += 1;
    }
    let index: f64 = cells.values().map(|&v| pairs(v)).sum();
    let sa: f64 = rows.values().map(|&v| pairs(v)).sum();
    let sb: f64 = cols.values().map(|&v| pairs(v)).sum();
    let expected = sa * sb / pairs(a.len());
    (index - expected) / ((sa + sb) / 2.0 - expected)
}

#[test]
fn adjusted_rand_by_hand() {
    let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Identical partitions, whatever the names: 1.
    assert_eq!(
        adjusted_rand(&l(&["a", "a", "b", "b"]), &l(&["x", "x", "y", "y"])),
        1.0
    );
    // (1, 1, 2, 2) against (1, 1, 1, 2): cells (1,1) = 2, (2,1) = 1, (2,2) = 1; index = 1;
    // row totals 2, 2 give 2 pairs, column totals 3, 1 give 3; expected 2 * 3 / 6 = 1;
    // max 2.5: ARI = (1 - 1) / (2.5 - 1) = 0.
    assert_eq!(
        adjusted_rand(&l(&["1", "1", "2", "2"]), &l(&["1", "1", "1", "2"])),
        0.0
    );
}

/// The `group:bloc` of every demo jurisdiction, read from the jurisdictions file itself.
fn demo_blocs() -> std::collections::BTreeMap<String, String> {
    let t = read_csv(&root().join("data/demo/jurisdictions.csv"));
    let col = t[0].iter().position(|h| h == "group:bloc").unwrap();
    t[1..]
        .iter()
        .map(|r| (r[0].clone(), r[col].clone()))
        .collect()
}

/// ARI of clusters against the demo's blocs; an unclustered jurisdiction is a cluster of its own.
fn ari_with_blocs(codes: &[String], clusters: &[Option<String>]) -> f64 {
    let blocs = demo_blocs();
    let a: Vec<String> = codes
        .iter()
        .zip(clusters)
        .map(|(c, k)| k.clone().unwrap_or_else(|| format!("alone {c}")))
        .collect();
    let b: Vec<String> = codes.iter().map(|c| blocs[c].clone()).collect();
    assert_eq!(b.len(), 48);
    adjusted_rand(&a, &b)
}

#[test]
fn default_clusters_match_the_demo_blocs_as_measured() {
    // The README's figure for the default (gower on the dimension scores, 4 clusters): the
    // northern compact and the highland union mostly fall in one cluster each, half the coastal
    // league joins the northern compact and the independents scatter: an ARI of 0.307.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("al");
    let o = accord(
        &root(),
        &[
            "align",
            "--data",
            "data/demo",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", texts(&o).1);
    let t = read_csv(&out.join("clusters.csv"));
    assert_eq!(t[0][3], "cluster");
    let codes: Vec<String> = t[1..].iter().map(|r| r[0].clone()).collect();
    let clusters: Vec<Option<String>> = t[1..]
        .iter()
        .map(|r| (r[3] != "NA").then(|| r[3].clone()))
        .collect();
    assert_eq!(clusters.iter().filter(|c| c.is_none()).count(), 2);
    assert_relative_eq!(ari_with_blocs(&codes, &clusters), 0.307, epsilon = 0.0005);
}

#[test]
fn the_readme_table_of_bloc_recovery_by_metric_and_level() {
    // ARI of the 4 clusters against the demo's 4 blocs, as in the README ("Choosing the
    // default"), to three decimals.
    let table = [
        (Level::Criterion, Metric::Cosine, 0.143),
        (Level::Criterion, Metric::Pearson, 0.139),
        (Level::Criterion, Metric::Spearman, 0.165),
        (Level::Criterion, Metric::Euclidean, 0.248),
        (Level::Criterion, Metric::Gower, 0.250),
        (Level::Criterion, Metric::Agreement, 0.232),
        (Level::Criterion, Metric::Kappa, 0.200),
        (Level::Cell, Metric::Cosine, 0.201),
        (Level::Cell, Metric::Pearson, 0.128),
        (Level::Cell, Metric::Spearman, 0.123),
        (Level::Cell, Metric::Euclidean, 0.227),
        (Level::Cell, Metric::Gower, 0.247),
        (Level::Principle, Metric::Cosine, 0.109),
        (Level::Principle, Metric::Pearson, 0.029),
        (Level::Principle, Metric::Spearman, 0.057),
        (Level::Principle, Metric::Euclidean, 0.247),
        (Level::Principle, Metric::Gower, 0.251),
        (Level::Dimension, Metric::Cosine, 0.130),
        (Level::Dimension, Metric::Pearson, -0.019),
        (Level::Dimension, Metric::Spearman, -0.014),
        (Level::Dimension, Metric::Euclidean, 0.265),
        (Level::Dimension, Metric::Gower, 0.307),
    ];
    let s = score_dir(
        &root().join("rubrics/paris-call.toml"),
        &root().join("data/demo"),
        None,
        &[],
    );
    for (level, metric, figure) in table {
        let options = Options {
            level,
            metric,
            min_overlap: 3,
            clusters: 4,
            reference: None,
        };
        let a = align::align(&s, &options).unwrap();
        let codes: Vec<String> = a
            .set
            .jurisdictions
            .iter()
            .map(|&j| s.inputs.jurisdictions.list[j].code.clone())
            .collect();
        let clusters: Vec<Option<String>> = a
            .clusters
            .labels
            .iter()
            .map(|l| l.map(|x| x.to_string()))
            .collect();
        let ari = ari_with_blocs(&codes, &clusters);
        assert!(
            (ari - figure).abs() <= 0.0005,
            "{level:?} {metric:?}: {ari} against {figure}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Cooperation: a tiny network computed by hand.

const NET_RUBRIC: &str = r#"
[rubric]
id = "net"
version = "1.0.0"
title = "A tiny cooperation network"
scale = [0, 100]

[instruments.treaty]
name = "extradition treaty"
directed = false
provides = ["extradition"]

[instruments.designation]
name = "designation as an extradition territory"
directed = true
provides = ["extradition"]

[instruments.mla]
name = "mutual legal assistance treaty"
directed = false
provides = ["legal_assistance"]

[multilateral.convention]
name = "a convention with extradition and assistance articles"
evidence = "party"
provides = ["extradition", "legal_assistance"]

[[node]]
id = "IDX"
[[node]]
id = "P1"
parent = "IDX"

[[criterion]]
id = "party"
parent = "P1"
question = "Party to the convention since?"
rule = "date"

[[criterion]]
id = "supporter"
parent = "P1"
question = "Supports the call?"
rule = "boolean"
"#;

// Evaluated on 2024-01-01:
// - XAA-XAB treaty in force since 2010: linked both ways;
// - XAC designates XAA (XAC will extradite to XAA) since 2015: linked XAC -> XAA only;
// - XAB-XAC treaty terminated in 2020: not binding;
// - XAC-XAD treaty observed in force only in 2025 with no date: binding unknown on 2024-01-01;
// - XAA-XAD assistance treaty in force from 2030: not binding.
const NET_DYADS: &str = "a,b,instrument,status,signed,in_force,ended,as_of,source,note
XAA,XAB,treaty,in_force,,2010-01-01,,,s,
XAC,XAA,designation,in_force,,2015-01-01,,,s,XAC extradites to XAA
XAB,XAC,treaty,terminated,,2000-01-01,2020-01-01,,s,
XAC,XAD,treaty,in_force,,,,2025-06-01,s,
XAA,XAD,mla,in_force,,2030-01-01,,,s,
";

// Complete lists: XAA for treaty and designation, XAB for treaty and designation, XAD for mla.
const NET_JURISDICTIONS: &str = "code,name,complete:treaty,complete:designation,complete:mla
XAA,Aland,yes,yes,no
XAB,Bomia,yes,yes,no
XAC,Cando,no,no,no
XAD,Dorn,no,no,yes
";

// Convention parties on 2024-01-01: XAA (2005) and XAC (2010); XAB not yet (a `no` observed on
// 2024-06-01); XAD unknown. Supporters: XAA and XAC yes, XAB no, XAD unknown.
const NET_EVIDENCE: &str = "jurisdiction,criterion,value,source,as_of,note
XAA,party,2005-01-01,s,,
XAA,supporter,yes,s,,
XAB,party,no,s,2024-06-01,
XAB,supporter,no,s,,
XAC,party,2010-01-01,s,,
XAC,supporter,yes,s,,
XAD,supporter,NA,s,,
";

fn net_dir() -> tempfile::TempDir {
    temp_with(&[
        ("rubric.toml", NET_RUBRIC),
        ("data/evidence.csv", NET_EVIDENCE),
        ("data/jurisdictions.csv", NET_JURISDICTIONS),
        ("data/dyads.csv", NET_DYADS),
    ])
}

fn net(sets: &[&str]) -> (tempfile::TempDir, accord::Scored) {
    let dir = net_dir();
    let s = score_dir(
        &dir.path().join("rubric.toml"),
        &dir.path().join("data"),
        Some("2024-01-01"),
        sets,
    );
    (dir, s)
}

fn cell_text(c: &align::Cooperation, cell: &Cell) -> String {
    match cell {
        Cell::Own => String::new(),
        Cell::Links(l) => l
            .iter()
            .map(|&k| c.channels[k].id.as_str())
            .collect::<Vec<_>>()
            .join(";"),
        Cell::None => "none".into(),
        Cell::Unknown => "NA".into(),
    }
}

fn grid(c: &align::Cooperation, m: &network::Matrix) -> Vec<Vec<String>> {
    (0..m.n)
        .map(|f| (0..m.n).map(|t| cell_text(c, m.get(f, t))).collect())
        .collect()
}

#[test]
fn cooperation_matrices_by_hand() {
    let (_dir, s) = net(&[]);
    let c = align::cooperation(&s).unwrap();
    let ids: Vec<&str> = c.channels.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["treaty", "designation", "mla", "convention"]);
    // Extradition, row = requested state (who extradites), column = requesting state.
    // XAA -> XAC: treaty absent (XAA's list is complete), designation absent (XAA complete),
    //   convention: both parties -> "convention".
    // XAC -> XAA: designation (XAC designates XAA) and the convention.
    // XAA <-> XAD: treaty and designation absent (XAA complete), convention unknown (XAD's
    //   party status unknown) -> NA.
    // XAB <-> XAC, XAB <-> XAD: treaty and designation absent (XAB complete; the terminated
    //   treaty does not bind), convention absent (XAB not a party) -> none.
    // XAC <-> XAD: the treaty's binding is unknown on the date -> NA.
    assert_eq!(
        grid(&c, &c.extradition),
        vec![
            vec!["", "treaty", "convention", "NA"],
            vec!["treaty", "", "none", "none"],
            vec!["designation;convention", "none", "", "NA"],
            vec!["NA", "none", "NA", ""],
        ]
    );
    // Legal assistance: mla statuses are unknown except where XAD's complete list rules them
    // out (the XAA-XAD treaty only binds from 2030).
    // XAA-XAB: mla unknown, convention absent -> NA; XAA-XAC: convention; XAA-XAD: mla absent,
    // convention unknown -> NA; XAB-XAC: mla unknown -> NA; XAB-XAD: both absent -> none;
    // XAC-XAD: convention unknown -> NA.
    assert_eq!(
        grid(&c, &c.legal_assistance),
        vec![
            vec!["", "NA", "convention", "NA"],
            vec!["NA", "", "NA", "none"],
            vec!["convention", "NA", "", "NA"],
            vec!["NA", "none", "NA", ""],
        ]
    );
    // Combined: any instrument.
    assert_eq!(
        grid(&c, &c.any)[2],
        vec!["designation;convention", "NA", "", "NA"]
    );
}

#[test]
fn network_measures_and_safe_haven_by_hand() {
    let (_dir, s) = net(&[]);
    let c = align::cooperation(&s).unwrap();
    let m = &c.measures;
    // XAA: extradites to and obtains from XAB and XAC; assists XAC; weighted degree: XAB 1
    // (treaty) + XAC 2 (designation, convention) = 3. The others with a known status (XAB,
    // XAC) both have a route, and XAD's is unknown: a safe haven of 0/2 would rest on XAD
    // alone, the only one that might have no route, so it is NA. Counting XAD's unknown as no
    // route: 1/3; known share 2/3.
    assert_eq!(
        (
            m[0].extradition_partners,
            m[0].extradites_to,
            m[0].obtains_extradition_from
        ),
        (2, 2, 2)
    );
    assert_eq!(
        (m[0].legal_assistance_partners, m[0].weighted_degree),
        (1, 3)
    );
    assert_eq!(m[0].safe_haven, None);
    assert_relative_eq!(m[0].safe_haven_upper.unwrap(), 1.0 / 3.0);
    assert_relative_eq!(m[0].known_share.unwrap(), 2.0 / 3.0);
    // XAB: only XAA can obtain extradition from it; XAC and XAD known to have no route: 2/3.
    assert_eq!((m[1].extradites_to, m[1].weighted_degree), (1, 1));
    assert_relative_eq!(m[1].safe_haven.unwrap(), 2.0 / 3.0);
    assert_relative_eq!(m[1].safe_haven_upper.unwrap(), 2.0 / 3.0);
    assert_eq!(m[1].known_share, Some(1.0));
    // XAC: extradites to XAA only (designation, convention); XAB none, XAD unknown.
    assert_eq!((m[2].extradites_to, m[2].obtains_extradition_from), (1, 1));
    assert_eq!(m[2].safe_haven, Some(0.5));
    assert_relative_eq!(m[2].safe_haven_upper.unwrap(), 2.0 / 3.0);
    // XAD: no known route at all; only XAB's status is known (none).
    assert_eq!((m[3].extradition_partners, m[3].weighted_degree), (0, 0));
    assert_eq!(
        (m[3].safe_haven, m[3].safe_haven_upper),
        (Some(1.0), Some(1.0))
    );
    assert_relative_eq!(m[3].known_share.unwrap(), 1.0 / 3.0);
}

#[test]
fn safe_haven_weighted_by_an_evidence_field() {
    // Weights from `supporter`: XAA 1, XAB 0, XAC 1, XAD unknown (left out).
    let (_dir, s) = net(&["network.weights=supporter"]);
    let c = align::cooperation(&s).unwrap();
    assert_eq!(c.weights, vec![Some(1.0), Some(0.0), Some(1.0), None]);
    // XAB: XAA (weight 1) has a route, XAC (weight 1) none, XAD left out: 1/2, all known.
    assert_eq!(c.measures[1].safe_haven, Some(0.5));
    assert_eq!(c.measures[1].known_share, Some(1.0));
    // XAD: XAB (weight 0) none, XAA and XAC (weight 1) unknown: no known weight.
    assert_eq!(c.measures[3].safe_haven, None);
    assert_eq!(c.measures[3].safe_haven_upper, Some(1.0));
    assert_eq!(c.measures[3].known_share, Some(0.0));
}

#[test]
fn statuses_without_a_dyads_file_are_unknown() {
    let rows = [DyadLink {
        a: 0,
        b: 1,
        binding: Binding::Yes,
    }];
    let listed = network::bilateral(3, false, &rows, &[true, false, false], true);
    assert_eq!(listed[1], Status::Linked);
    assert_eq!(listed[3], Status::Linked);
    assert_eq!(
        listed[2],
        Status::Absent,
        "jurisdiction 0's list is complete"
    );
    assert_eq!(listed[5], Status::Unknown, "neither 1 nor 2 is complete");
    let unlisted = network::bilateral(3, false, &[], &[true, true, true], false);
    assert!(
        unlisted
            .iter()
            .enumerate()
            .all(|(i, s)| i % 4 == 0 || *s == Status::Unknown)
    );
    // Directed: a row 0,1 links 0 -> 1 only; 1 -> 0 is absent when either list is complete.
    let directed = network::bilateral(2, true, &rows, &[false, true], true);
    assert_eq!((directed[1], directed[2]), (Status::Linked, Status::Absent));
}

#[test]
fn budapest_links_parties_in_force_on_the_evaluation_date() {
    let s = score_dir(
        &root().join("rubrics/paris-call.toml"),
        &root().join("data/demo"),
        None,
        &[],
    );
    let b = &s.rubric.multilateral[0];
    assert_eq!(b.id, "budapest");
    assert_eq!(b.provides, ["extradition", "legal_assistance"]);
    assert_eq!(s.rubric.fields[b.field].name, "budapest_party");
    let c = align::cooperation(&s).unwrap();
    let k = c.channels.iter().position(|x| x.id == "budapest").unwrap();
    // The criterion `budapest_party` reads the same field with the same date rules.
    let crit = s.rubric.criterion_index("budapest_party").unwrap();
    let party = |j: usize| s.values.values.get(j, crit).map(|v| v == 100.0);
    let n = s.inputs.jurisdictions.len();
    let mut linked = 0;
    for a in 0..n {
        for b in 0..n {
            if a == b {
                continue;
            }
            let via = |m: &network::Matrix| matches!(m.get(a, b), Cell::Links(l) if l.contains(&k));
            let both = party(a) == Some(true) && party(b) == Some(true);
            assert_eq!(via(&c.extradition), both, "{a} {b}");
            assert_eq!(via(&c.legal_assistance), both, "{a} {b}");
            linked += usize::from(both);
        }
    }
    assert!(linked > 0);
}

// ---------------------------------------------------------------------------------------------
// Options, profiles and the rubric extension.

#[test]
fn categorical_metrics_need_the_criterion_level() {
    let s = mini(None, &[]);
    let options = |level, metric| Options {
        level,
        metric,
        min_overlap: 1,
        clusters: 2,
        reference: None,
    };
    let err = align::align(&s, &options(Level::Principle, Metric::Kappa)).unwrap_err();
    assert!(
        err.problems[0].message.contains("--level criterion")
            || err.problems[0]
                .help
                .as_deref()
                .unwrap_or("")
                .contains("--level criterion")
    );
    let a = align::align(&s, &options(Level::Criterion, Metric::Agreement)).unwrap();
    // Only boolean, levels and date criteria have categories: a1, a2 and b2 of the mini rubric.
    assert_eq!(a.set.components, ["a1", "a2", "b2"]);
    assert_eq!(a.set.ideal, vec![100.0, 100.0, 100.0]);
}

#[test]
fn reference_ideal_and_unknown_codes() {
    let s = mini(None, &[]);
    let mut options = Options {
        level: Level::Criterion,
        metric: Metric::Cosine,
        min_overlap: 1,
        clusters: 2,
        reference: Some("ideal".into()),
    };
    let a = align::align(&s, &options).unwrap();
    let values = &a.reference.as_ref().unwrap().values;
    assert_eq!(values.len(), a.matrix.n);
    options.reference = Some("XAX".into());
    let err = align::align(&s, &options).unwrap_err();
    assert_eq!(err.problems[0].help.as_deref(), Some("did you mean `XAA`?"));
    options.reference = Some("ideal".into());
    options.metric = Metric::Pearson;
    assert!(align::align(&s, &options).is_err(), "constant ideal");
}

#[test]
fn multilateral_and_network_tables_are_validated() {
    let load = |extra: &str| {
        accord::rubric::load_str(
            "r.toml",
            &format!("{NET_RUBRIC}\n{extra}"),
            &accord::rubric::LoadOptions::default(),
        )
    };
    let ok = load("").unwrap();
    assert_eq!(
        ok.multilateral[0].provides,
        ["extradition", "legal_assistance"]
    );
    let messages = |extra: &str| -> Vec<String> {
        load(extra)
            .unwrap_err()
            .problems
            .iter()
            .map(|p| format!("{} | {}", p.message, p.help.clone().unwrap_or_default()))
            .collect()
    };
    let m = messages("[multilateral.other]\nevidence = \"partyy\"\nprovides = [\"extradition\"]\n");
    assert!(
        m[0].contains("`multilateral.other.evidence` = `partyy` is not an evidence field"),
        "{m:?}"
    );
    assert!(m[0].contains("did you mean `party`?"), "{m:?}");
    let m =
        messages("[fields.years]\ntype = \"number\"\n[multilateral.other]\nevidence = \"years\"\n");
    assert!(m[0].contains("must be a date or yes/no field"), "{m:?}");
    let m = messages("[multilateral.treaty]\nevidence = \"party\"\n");
    assert!(m[0].contains("has the id of an instrument"), "{m:?}");
    let m = messages("[multilateral.other]\nevidence = \"party\"\nprovides = [\"hugs\"]\n");
    assert!(m[0].contains("unknown kind `hugs`"), "{m:?}");
    let m = messages("[network]\nweights = \"suporter\"\n");
    assert!(m[0].contains("`network.weights` = `suporter`"), "{m:?}");
    let m = messages("[network]\nweight = \"equal\"\n");
    assert!(m[0].contains("unknown key `network.weight`"), "{m:?}");
}

// ---------------------------------------------------------------------------------------------
// The command.

fn read_csv(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn align_on_the_demo_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("al");
    let o = accord(
        &root(),
        &[
            "align",
            "--data",
            "data/demo",
            "--out",
            out.to_str().unwrap(),
            "--reference",
            "XBO",
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("most aligned:") && stdout.contains("least aligned:"));
    for f in [
        "alignment.csv",
        "alignment_overlap.csv",
        "alignment_pairs.csv",
        "clusters.csv",
        "reference_alignment.csv",
        "cooperation_extradition.csv",
        "cooperation_legal_assistance.csv",
        "cooperation.csv",
        "network.csv",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let m = read_csv(&out.join("alignment.csv"));
    let n = m.len() - 1;
    assert_eq!(n, 48);
    let overlap = read_csv(&out.join("alignment_overlap.csv"));
    assert_eq!(overlap[0], m[0]);
    for (i, row) in m.iter().enumerate().skip(1) {
        assert_eq!(m[0][i], row[0], "rows and columns in the same order");
        // The diagonal is 1 for a jurisdiction with all 3 dimensions (the minimum overlap).
        let own: usize = overlap[i][i].parse().unwrap();
        assert_eq!(row[i], if own >= 3 { "1" } else { "NA" }, "{}", row[0]);
        for (j, cell) in row.iter().enumerate().skip(1) {
            assert_eq!(*cell, m[j][i]);
        }
    }
    let pairs = read_csv(&out.join("alignment_pairs.csv"));
    assert_eq!(pairs.len() - 1, n * (n - 1) / 2);
    assert!(pairs[1..].iter().all(|p| p[0] < p[1]));
    let clusters = read_csv(&out.join("clusters.csv"));
    assert_eq!(clusters[0], ["jurisdiction", "name", "order", "cluster"]);
    let order: Vec<&str> = clusters[1..].iter().map(|r| r[0].as_str()).collect();
    let header: Vec<&str> = m[0][1..].iter().map(String::as_str).collect();
    assert_eq!(order, header, "the matrix follows the clustering order");
    let reference = read_csv(&out.join("reference_alignment.csv"));
    assert_eq!(reference.len() - 1, n - 1, "every jurisdiction but XBO");
    assert_eq!(reference[1][4], "1");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["command"], "align");
    assert_eq!(manifest["options"]["metric"], "gower");
    assert_eq!(manifest["options"]["level"], "dimension");
    let clustering = &manifest["options"]["clustering"];
    assert_eq!(clustering["clusters"], 4);
    assert_eq!(clustering["no_clusters"], serde_json::Value::Null);
    // Every jurisdiction with a cluster has a known similarity with another; the others are NA
    // and come last in the order.
    let known: std::collections::BTreeSet<&str> = pairs[1..]
        .iter()
        .filter(|p| p[2] != "NA")
        .flat_map(|p| [p[0].as_str(), p[1].as_str()])
        .collect();
    let mut seen_na = false;
    for r in &clusters[1..] {
        assert_eq!(r[3] != "NA", known.contains(r[0].as_str()), "{}", r[0]);
        seen_na |= r[3] == "NA";
        assert!(
            r[3] == "NA" || !seen_na,
            "clustered after unclustered: {}",
            r[0]
        );
    }
    assert_eq!(clustering["clustered"], known.len());
    // The same inputs give the same folder, byte for byte.
    let again = dir.path().join("again");
    let o = accord(
        &root(),
        &[
            "align",
            "--data",
            "data/demo",
            "--out",
            again.to_str().unwrap(),
            "--reference",
            "XBO",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    for f in [
        "alignment.csv",
        "cooperation.csv",
        "network.csv",
        "manifest.json",
    ] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn align_writes_directed_extradition_matrices() {
    let dir = net_dir();
    let out = dir.path().join("out");
    let o = accord(
        dir.path(),
        &[
            "align",
            "--rubric",
            "rubric.toml",
            "--data",
            "data",
            "--as-of",
            "2024-01-01",
            "--out",
            "out",
            "--level",
            "criterion",
            "--min-overlap",
            "1",
        ],
    );
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let ext = read_csv(&out.join("cooperation_extradition.csv"));
    assert_eq!(ext[0], ["jurisdiction", "XAA", "XAB", "XAC", "XAD"]);
    assert_eq!(ext[3], ["XAC", "designation;convention", "none", "", "NA"]);
    assert_eq!(ext[1][3], "convention");
    let network = read_csv(&out.join("network.csv"));
    assert_eq!(
        network[0][8..],
        ["safe_haven", "safe_haven_upper", "known_share"]
    );
    assert_eq!(network[2][8], "0.6666666666666666");
}

#[test]
fn bad_align_options_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    for args in [
        vec!["--metric", "kappa"],
        vec!["--reference", "XBX"],
        vec![
            "--level",
            "criterion",
            "--metric",
            "spearman",
            "--reference",
            "ideal",
        ],
        vec!["--clusters", "0"],
    ] {
        let mut all = vec![
            "align",
            "--data",
            "data/demo",
            "--out",
            out.to_str().unwrap(),
        ];
        all.extend(args.iter().copied());
        let o = accord(&root(), &all);
        let (_, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!out.exists());
    }
    let o = accord(
        &root(),
        &[
            "align",
            "--data",
            "data/demo",
            "--out",
            out.to_str().unwrap(),
            "--reference",
            "XBX",
        ],
    );
    assert!(texts(&o).1.contains("did you mean `XBO`?"));
}

#[test]
fn align_on_the_real_default_claims_no_clusters_or_safe_havens_it_did_not_find() {
    // The shipped real data leave most scores unknown, so few pairs (none, today) share the
    // minimum overlap. It used to print "4 clusters of sizes 144, 1, 1, 1" (the last three
    // codes alphabetically split off at the unknown distance) and safe-haven scores of 0 that
    // counted only the links, every other status being unknown.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("real");
    let o = accord(&root(), &["align", "--out", out.to_str().unwrap()]);
    let (stdout, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let pairs = read_csv(&out.join("alignment_pairs.csv"));
    let known: Vec<&Vec<String>> = pairs[1..].iter().filter(|p| p[2] != "NA").collect();
    let mut partners: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in &known {
        *partners.entry(p[0].as_str()).or_default() += 1;
        *partners.entry(p[1].as_str()).or_default() += 1;
    }
    let clusters = read_csv(&out.join("clusters.csv"));
    let clustered: Vec<&str> = clusters[1..]
        .iter()
        .filter(|r| r[3] != "NA")
        .map(|r| r[0].as_str())
        .collect();
    // Every clustered jurisdiction has a known similarity with another.
    assert!(clustered.iter().all(|c| partners.contains_key(c)));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let reason = &manifest["options"]["clustering"]["no_clusters"];
    if clustered.is_empty() {
        let reason = reason.as_str().expect("a reason for no clusters");
        assert!(
            stdout.contains(&format!("no clusters (NA in clusters.csv): {reason}")),
            "{stdout}"
        );
    } else {
        assert!(reason.is_null());
    }
    if known.is_empty() {
        assert_eq!(
            reason,
            "no jurisdiction has a known similarity with any other"
        );
    }
    // A safe haven of 0 needs every other's status known: otherwise the zero counts links only.
    let network = read_csv(&out.join("network.csv"));
    assert_eq!(network[0][8], "safe_haven");
    assert_eq!(network[0][10], "known_share");
    let mut scores = 0;
    for r in &network[1..] {
        if r[8] != "NA" {
            scores += 1;
            assert!(r[8] != "0" || r[10] == "1", "{r:?}");
        }
    }
    if scores == 0 {
        assert!(stdout.contains("no safe-haven scores"), "{stdout}");
        assert!(!stdout.contains("highest safe-haven"), "{stdout}");
    }
}

#[test]
fn a_rubric_without_facets_is_aligned_on_principles_by_default() {
    let dir = net_dir();
    let o = accord(
        dir.path(),
        &[
            "align",
            "--rubric",
            "rubric.toml",
            "--data",
            "data",
            "--as-of",
            "2024-01-01",
            "--out",
            "out",
            "--min-overlap",
            "1",
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("by gower similarity of 1 principle scores (minimum overlap 1)"),
        "{stdout}"
    );
}

#[test]
fn the_report_counts_no_unclustered_jurisdictions_as_a_cluster() {
    // The report read a missing cluster as cluster 0, so the demo's two unclustered
    // jurisdictions made a fifth "cluster", and the real default's all-NA clusters one.
    let dir = tempfile::tempdir().unwrap();
    for (data, name) in [("data/demo", "demo"), ("data", "real")] {
        let d = dir.path().join(name);
        let out = |f: &str| d.join(f).to_str().unwrap().to_string();
        for args in [
            vec!["score", "--data", data, "--out", &out("score")],
            vec!["align", "--data", data, "--out", &out("align")],
            vec![
                "report",
                &out("score"),
                &out("align"),
                "--out",
                &out("report.html"),
            ],
        ] {
            let o = accord(&root(), &args);
            assert_eq!(o.status.code(), Some(0), "{args:?}: {}", texts(&o).1);
        }
        let mut sizes: std::collections::BTreeMap<u32, usize> = Default::default();
        for r in &read_csv(&d.join("align/clusters.csv"))[1..] {
            if r[3] != "NA" {
                *sizes.entry(r[3].parse().unwrap()).or_default() += 1;
            }
        }
        let expected = if sizes.is_empty() {
            "No clusters.".to_string()
        } else {
            let list: Vec<String> = sizes.values().map(|v| v.to_string()).collect();
            format!(
                "{} clusters of sizes {}, outlined.",
                sizes.len(),
                list.join(", ")
            )
        };
        let html = std::fs::read_to_string(d.join("report.html")).unwrap();
        assert!(html.contains(&expected), "{name}: {expected}");
        if name == "demo" {
            assert!(!sizes.is_empty(), "the demo clusters");
        }
    }
}

/// The tables `align::folder::tables` keeps whole are the files `align::folder::write` streams
/// into the folder, one for one and byte for byte in CSV, with the manifest after them: on the
/// demonstration set with the full matrices and with `--top 3`, and with a reference.
#[test]
fn kept_tables_are_the_streamed_folder() {
    use accord::align::folder;
    use accord::output::FolderWriter;
    use accord::output::schema::{self, TableFormat};
    let s = score_dir(
        &root().join("rubrics/paris-call.toml"),
        &root().join("data/demo"),
        None,
        &[],
    );
    for (top, reference) in [(None, None), (Some(3), None), (None, Some("XBO"))] {
        let options = Options {
            level: folder::default_level(&s),
            metric: Metric::Gower,
            min_overlap: 3,
            clusters: 4,
            reference: reference.map(str::to_string),
        };
        let (a, c) = folder::compute(&s, &options, top).unwrap();
        let mut files = FolderWriter::memory();
        folder::write(&s, &a, &c, &options, TableFormat::Csv, &mut files).unwrap();
        let files = files.into_files();
        let tables = folder::tables(&s, &a, &c).unwrap();
        assert_eq!(files.len(), tables.len() + 1, "{top:?} {reference:?}");
        assert_eq!(files.last().unwrap().0, "manifest.json");
        for ((name, bytes), t) in files.iter().zip(&tables) {
            assert_eq!(name, t.file().name, "{top:?} {reference:?}");
            assert!(
                *bytes == schema::to_csv(t),
                "{name} with {top:?} {reference:?}"
            );
        }
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names.contains(&"neighbours.csv"), top.is_some());
        assert_eq!(names.contains(&"alignment.csv"), top.is_none());
        assert_eq!(
            names.contains(&"reference_alignment.csv"),
            reference.is_some()
        );
        assert!(names.contains(&"cooperation.csv"));
    }
}
