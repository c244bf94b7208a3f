//! Invariants over random evidence: permutation, coverage, monotonicity, renormalised weights.

use proptest::prelude::*;

use crate::common::*;

const LEVELS: [&str; 4] = ["none", "some", "full", "NA"];

/// Random evidence for the mini rubric: per jurisdiction a1, a2, b1.
fn evidence() -> impl Strategy<Value = Vec<(u8, u8, Option<u8>)>> {
    prop::collection::vec((0u8..3, 0u8..4, prop::option::of(0u8..8)), 2..8)
}

fn csv_of(rows: &[(u8, u8, Option<u8>)], order: &[usize]) -> String {
    let mut s = String::from("jurisdiction,criterion,value\n");
    for &i in order {
        let (a1, a2, b1) = rows[i];
        let code = format!(
            "X{}{}",
            (b'A' + (i / 26) as u8) as char,
            (b'A' + (i % 26) as u8) as char
        );
        let a1 = ["yes", "no", "NA"][a1 as usize];
        s.push_str(&format!(
            "{code},a1,{a1}\n{code},a2,{}\n",
            LEVELS[a2 as usize]
        ));
        if let Some(b) = b1 {
            s.push_str(&format!("{code},b1,{b}\n"));
        }
    }
    s
}

fn scored(csv: &str, sets: &[&str]) -> accord::Scored {
    let dir = temp_with(&[("evidence.csv", csv)]);
    score_dir(&fixture("mini/rubric.toml"), dir.path(), None, sets)
}

proptest! {
    #![proptest_config(crate::common::proptest_config(48))]

    #[test]
    fn reordering_jurisdictions_changes_no_score(rows in evidence(), seed in any::<u64>()) {
        let n = rows.len();
        let forward: Vec<usize> = (0..n).collect();
        let mut shuffled = forward.clone();
        // A deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..n).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let a = scored(&csv_of(&rows, &forward), &[]);
        let b = scored(&csv_of(&rows, &shuffled), &[]);
        prop_assert_eq!(&a.results.nodes.score, &b.results.nodes.score);
        prop_assert_eq!(&a.results.facets.score, &b.results.facets.score);
        prop_assert_eq!(&a.results.cells.score, &b.results.cells.score);
        prop_assert_eq!(&a.results.nodes.coverage, &b.results.nodes.coverage);
    }

    #[test]
    fn coverage_lies_in_the_unit_interval_and_scores_on_the_scale(rows in evidence()) {
        let s = scored(&csv_of(&rows, &(0..rows.len()).collect::<Vec<_>>()), &["pipeline.aggregate.min_coverage=0"]);
        for scores in [&s.results.nodes, &s.results.facets, &s.results.cells, &s.results.criteria] {
            for c in 0..scores.score.ncol {
                for r in 0..scores.score.nrow {
                    let cov = scores.coverage.get(r, c).unwrap();
                    prop_assert!((0.0..=1.0).contains(&cov));
                    if let Some(v) = scores.score.get(r, c) {
                        prop_assert!((0.0..=100.0).contains(&v), "{v}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_better_answer_never_lowers_a_score(rows in evidence(), who in 0usize..8) {
        let who = who % rows.len();
        let mut better = rows.clone();
        // Raise a2 one level (not from NA), and a1 from no to yes.
        if better[who].1 < 2 { better[who].1 += 1; }
        if better[who].0 == 1 { better[who].0 = 0; }
        let order: Vec<usize> = (0..rows.len()).collect();
        let a = scored(&csv_of(&rows, &order), &["pipeline.aggregate.min_coverage=0"]);
        let b = scored(&csv_of(&better, &order), &["pipeline.aggregate.min_coverage=0"]);
        for k in 0..a.results.nodes.score.ncol {
            if let (Some(x), Some(y)) = (a.results.nodes.score.get(who, k), b.results.nodes.score.get(who, k)) {
                prop_assert!(y >= x - 1e-9, "node {k}: {x} -> {y}");
            }
        }
    }

    #[test]
    fn weights_renormalise(rows in evidence(), factor in 0.1f64..50.0) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let csv = csv_of(&rows, &order);
        let a = scored(&csv, &[]);
        let sets = [format!("node.A.weight={}", 2.0 * factor), format!("node.B.weight={factor}"), format!("criterion.a2.weight={}", 3.0 * factor), format!("criterion.a1.weight={factor}")];
        let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
        let b = scored(&csv, &refs);
        for r in 0..a.results.nodes.score.nrow {
            for k in 0..a.results.nodes.score.ncol {
                match (a.results.nodes.score.get(r, k), b.results.nodes.score.get(r, k)) {
                    (Some(x), Some(y)) => prop_assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0)),
                    (x, y) => prop_assert_eq!(x, y),
                }
            }
        }
    }

    #[test]
    fn coverage_never_counts_a_child_that_is_na(
        rows in evidence(),
        min in prop::sample::select(vec!["0.3", "0.5", "0.75"]),
        policy in prop::sample::select(vec!["exclude", "zero", "na"]),
    ) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let sets = [
            format!("pipeline.aggregate.min_coverage={min}"),
            format!("pipeline.aggregate.na_child=\"{policy}\""),
        ];
        let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
        let s = scored(&csv_of(&rows, &order), &refs);
        let (rubric, r) = (&s.rubric, &s.results);
        for (k, node) in rubric.nodes.iter().enumerate() {
            let total: f64 = node.children.iter().map(|m| rubric.member_weight(*m)).sum();
            for row in 0..r.units.len() {
                // What entered the score: the weight of children with a value, times their coverage.
                let entered: f64 = node
                    .children
                    .iter()
                    .map(|m| {
                        let (value, cov) = match *m {
                            accord::rubric::Member::Node(x) => {
                                (r.nodes.score.get(row, x), r.nodes.coverage.get(row, x))
                            }
                            accord::rubric::Member::Criterion(c) => {
                                (r.criteria.score.get(row, c), r.criteria.coverage.get(row, c))
                            }
                        };
                        value.map_or(0.0, |_| rubric.member_weight(*m) * cov.unwrap_or(0.0))
                    })
                    .sum::<f64>()
                    / total;
                let cov = r.nodes.coverage.get(row, k).unwrap();
                prop_assert!((0.0..=1.0).contains(&cov));
                prop_assert!(cov <= entered + 1e-12, "node {} row {row}: coverage {cov} > {entered}", node.id);
                if r.nodes.score.get(row, k).is_some() {
                    prop_assert!(cov + 1e-12 >= min.parse::<f64>().unwrap());
                }
            }
        }
    }
}
