//! Comparing rubric versions, evidence, dates and results folders; several dates in one run;
//! reproducing a folder from its manifest.

use approx::assert_relative_eq;

use crate::common::*;

fn read_csv(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

fn num(s: &str) -> Option<f64> {
    if s == "NA" {
        None
    } else {
        Some(s.parse().unwrap())
    }
}

#[test]
fn rank_correlations_match_hand_calculations() {
    // d = (0, 1, 1, 1, 1): Spearman = 1 - 6 * 4 / (5 * 24) = 0.8. Of the 10 pairs, (2,3) and
    // (4,5) are discordant: Kendall = (8 - 2) / 10 = 0.6.
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [1.0, 3.0, 2.0, 5.0, 4.0];
    assert_relative_eq!(
        accord::compare::spearman(&x, &y).unwrap(),
        0.8,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        accord::compare::kendall(&x, &y).unwrap(),
        0.6,
        max_relative = 1e-12
    );
    // With a tie in x: tau-b = (C - D) / sqrt((C + D + Tx)(C + D + Ty)); pairs of (1,2,2) vs (1,2,3):
    // (1,2) C, (1,3) C, (2,3) tie in x: (2 - 0) / sqrt(2 * 3).
    assert_relative_eq!(
        accord::compare::kendall(&[1.0, 2.0, 2.0], &[1.0, 2.0, 3.0]).unwrap(),
        2.0 / 6f64.sqrt(),
        max_relative = 1e-12
    );
}

#[test]
fn the_strict_variant_compares_as_a_hand_calculation_says() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let cmp = dir.path().join("cmp");
    let o = accord(
        &root(),
        &["score", "--data", "data/demo", "--out", a.to_str().unwrap()],
    );
    assert!(o.status.success());
    let o = accord(
        &root(),
        &[
            "compare",
            "rubrics/paris-call.toml",
            "rubrics/paris-call-strict.toml",
            "--data",
            "data/demo",
            "--out",
            cmp.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("`node.P9.weight` re-weighted: 1 -> 2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("setting `pipeline.aggregate.min_coverage`: 0.5 -> 0.75"),
        "{stdout}"
    );
    // From A's principle scores and coverage: under B a principle needs coverage 0.75, P9 weighs
    // 2, and the index needs coverage (sum of cov_p + 2 cov_P9) / 10 >= 0.75.
    let scores = read_csv(&a.join("scores.csv"));
    let shifts = read_csv(&cmp.join("rank_shifts.csv"));
    assert_eq!(
        shifts[0],
        [
            "jurisdiction",
            "name",
            "rank_a",
            "rank_b",
            "shift",
            "score_a",
            "score_b"
        ]
    );
    let mut checked = 0;
    for row in &shifts[1..] {
        let code = &row[0];
        let (mut num_b, mut den_b, mut cov_b) = (0.0, 0.0, 0.0);
        for p in 1..=9 {
            let id = format!("P{p}");
            let r = scores.iter().find(|r| r[0] == *code && r[1] == id).unwrap();
            let w = if p == 9 { 2.0 } else { 1.0 };
            let cov: f64 = r[5].parse().unwrap();
            cov_b += w * cov;
            if let Some(s) = num(&r[3]).filter(|_| cov + 1e-12 >= 0.75) {
                num_b += w * s;
                den_b += w;
            }
        }
        let expected = if cov_b / 10.0 + 1e-12 >= 0.75 && den_b > 0.0 {
            Some(num_b / den_b)
        } else {
            None
        };
        match (expected, num(&row[6])) {
            (Some(e), Some(g)) => assert_relative_eq!(e, g, max_relative = 1e-9),
            (e, g) => assert_eq!(e, g, "{code}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 48);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cmp.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["kind"], "rubrics");
    assert!(summary["spearman"].as_f64().unwrap() > 0.9);
}

#[test]
fn one_change_alone_explains_the_whole_move() {
    // A variant with a single change: each mover's shift is exactly that change's effect alone.
    let base = std::fs::read_to_string(root().join("rubrics/paris-call.toml")).unwrap();
    let dir = temp_with(&[
        ("paris-call.toml", base.as_str()),
        (
            "p9.toml",
            "[rubric]\nextends = \"paris-call.toml\"\nid = \"p9\"\nversion = \"1.0.0\"\n\n[[node]]\nid = \"P9\"\nweight = 3\n",
        ),
    ]);
    let (a, b) = (
        dir.path().join("paris-call.toml"),
        dir.path().join("p9.toml"),
    );
    let out = dir.path().join("cmp");
    let o = accord(
        &root(),
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--data",
            "data/demo",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    let mut lines = 0;
    for line in stdout.lines().filter(|l| {
        l.contains("re-weighted: 1 -> 3") && (l.contains(" up ") || l.contains(" down "))
    }) {
        // "XAL  down 4 (25 -> 29)  `node.P9.weight` re-weighted: 1 -> 3  down 4"
        let words: Vec<&str> = line.split_whitespace().collect();
        let total = &words[1..3];
        let alone = &words[words.len() - 2..];
        assert_eq!(total, alone, "{line}");
        lines += 1;
    }
    assert!(lines >= 3, "{stdout}");
}

#[test]
fn two_dates_and_two_evidence_files_show_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dates");
    let o = accord(
        &root(),
        &[
            "compare",
            "2018-11-12",
            "2024-06-20",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let deltas = std::fs::read_to_string(out.join("score_deltas.csv")).unwrap();
    // The United States joined the Paris Call on 2021-11-11.
    assert!(
        deltas.contains("\nUSA,paris_call_supporter,criterion,0,100,100,changed\n"),
        "US row"
    );
    // Evidence: the mini fixture with XAA's a1 flipped.
    let ev = std::fs::read_to_string(fixture("mini/evidence.csv")).unwrap();
    let d = temp_with(&[
        ("a.csv", &ev),
        ("b.csv", &ev.replace("XAA,a1,yes", "XAA,a1,no")),
    ]);
    let out = dir.path().join("ev");
    let o = accord(
        &root(),
        &[
            "compare",
            d.path().join("a.csv").to_str().unwrap(),
            d.path().join("b.csv").to_str().unwrap(),
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--jurisdictions",
            "tests/fixtures/mini/jurisdictions.csv",
            "--dyads",
            "tests/fixtures/mini/dyads.csv",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    // XAA: A = (0 + 3 * 50) / 4 = 37.5 in B; index (75 + 200/3) / 3 = 47.22..., rank 3 either way.
    assert!(
        stdout.contains("criteria that changed most")
            || stdout.contains("3 jurisdictions ranked in both"),
        "{stdout}"
    );
    let deltas = std::fs::read_to_string(out.join("score_deltas.csv")).unwrap();
    assert!(
        deltas.contains("\nXAA,a1,criterion,100,0,-100,changed\n"),
        "{deltas}"
    );
    assert!(
        deltas.contains("\nXAA,A,principle,62.5,37.5,-25,changed\n"),
        "{deltas}"
    );
}

#[test]
fn results_folders_compare_and_mixed_kinds_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert!(
        accord(
            &root(),
            &["score", "--data", "data/demo", "--out", a.to_str().unwrap()]
        )
        .status
        .success()
    );
    assert!(
        accord(
            &root(),
            &[
                "score",
                "--data",
                "data/demo",
                "--set",
                "node.P1.weight=3",
                "--out",
                b.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let out = dir.path().join("cmp");
    let o = accord(
        &root(),
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("`node.P1.weight` re-weighted: 1 -> 3"),
        "{stdout}"
    );
    let o = accord(
        &root(),
        &[
            "compare",
            a.to_str().unwrap(),
            "2020-01-01",
            "--out",
            dir.path().join("x").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(texts(&o).1.contains("are not the same kind of thing"));
}

#[test]
fn several_dates_in_one_run_add_an_as_of_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let o = accord(
        &root(),
        &[
            "score",
            "--as-of",
            "2018-11-12,2021-11-10,2024-06-20",
            "--out",
            out.to_str().unwrap(),
            "--top",
            "0",
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let scores = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    assert!(scores.starts_with("jurisdiction,as_of,node,kind,score,rank,coverage\n"));
    for (date, v) in [
        ("2018-11-12", "0"),
        ("2021-11-10", "0"),
        ("2024-06-20", "100"),
    ] {
        assert!(
            scores.contains(&format!("\nUSA,{date},paris_call_supporter,criterion,{v},")),
            "{date}"
        );
        assert!(
            scores.contains(&format!("\nUSA,{date},P9.cooperation,cell,{v},")),
            "{date}: the US's P9 cooperation cell moves"
        );
    }
    let matrix = std::fs::read_to_string(out.join("matrix_principles.csv")).unwrap();
    assert!(matrix.starts_with("jurisdiction,as_of,P1,"));
    assert_eq!(matrix.lines().count(), 1 + 199 * 3);
    let o = accord(
        &root(),
        &["explain", "USA", "--as-of", "2018-11-12,2024-06-20"],
    );
    assert_eq!(o.status.code(), Some(2), "explain takes one date");
}

#[test]
fn check_reproduces_a_folder_and_names_an_edited_cell() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    assert!(
        accord(
            &root(),
            &[
                "score",
                "--data",
                "data/demo",
                "--as-of",
                "2019-01-01",
                "--out",
                out.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let o = accord(&root(), &["score", "--check", out.to_str().unwrap()]);
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("matches a rerun byte for byte (6 files)"),
        "{stdout}"
    );
    // Edit one cell of ranking.csv.
    let path = out.join("ranking.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let cells: Vec<String> = lines[3].split(',').map(String::from).collect();
    let edited = format!(
        "{},{},{},{}",
        cells[0],
        cells[1],
        "12.5",
        cells[3..].join(",")
    );
    let (code, was) = (cells[0].clone(), cells[2].clone());
    lines[3] = edited;
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let o = accord(&root(), &["score", "--check", out.to_str().unwrap()]);
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr.contains(&format!("`ranking.csv` line 4 (`{code}`), column `score`: `12.5` in the folder, `{was}` on rerun")), "{stderr}");
}

#[test]
fn newly_known_facts_are_marked_and_counted_and_dates_are_named() {
    // B codes XAD's a1 (unknown in A) and adds an observation dated 2023, which moves B's date.
    let ev = std::fs::read_to_string(fixture("mini/evidence.csv")).unwrap();
    let b = ev.replace(
        "XAD,a1,NA,s1,,",
        "XAD,a1,yes,s1,,\nXAC,a1,yes,s1,2023-01-01,",
    );
    let d = temp_with(&[("a.csv", &ev), ("b.csv", &b)]);
    let out = d.path().join("cmp");
    let o = accord(
        &root(),
        &[
            "compare",
            d.path().join("a.csv").to_str().unwrap(),
            d.path().join("b.csv").to_str().unwrap(),
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--jurisdictions",
            "tests/fixtures/mini/jurisdictions.csv",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    let deltas = std::fs::read_to_string(out.join("score_deltas.csv")).unwrap();
    // NA -> 100 is a newly known fact, not a missing delta.
    assert!(
        deltas.contains("\nXAD,a1,criterion,NA,100,NA,new\n"),
        "{deltas}"
    );
    // XAD's legal dimension: {a1, b1} with shares 0.6 and 0.4 (effective weights 1/6 and 1/9):
    // NA in A (coverage 0.4), 0.6 * 100 + 0.4 * 0 = 60 in B. Its A stays NA: a1 alone covers 1/4.
    assert!(
        deltas.contains("\nXAD,legal,dimension,NA,60,NA,new\n"),
        "{deltas}"
    );
    assert!(
        deltas.contains("\nXAD,A,principle,NA,NA,NA,unknown\n"),
        "{deltas}"
    );
    let rows = read_csv(&out.join("score_deltas.csv"));
    let new = rows.iter().filter(|r| r[6] == "new").count();
    let gone = rows.iter().filter(|r| r[6] == "gone").count();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["scores"]["new"], new);
    assert_eq!(summary["scores"]["gone"], gone);
    assert!(new >= 2);
    // A's latest date is 2021-01-01 (XAC's a2), B's the added 2023-01-01 row: both recorded, and
    // the difference is named on stdout.
    assert_eq!(summary["evaluation_a"]["date"], "2021-01-01");
    assert_eq!(summary["evaluation_b"]["date"], "2023-01-01");
    assert_eq!(summary["same_date"], false);
    assert!(
        stdout.contains("A evaluated on 2021-01-01, B on 2023-01-01: the sides were evaluated on different dates"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{new} newly known in B")),
        "{stdout}"
    );
}

#[test]
fn attribution_reports_a_change_it_cannot_apply_alone() {
    // A sets a threshold that B leaves unset: that change cannot be applied to A alone, and was
    // dropped without a word; it is now named with its reason, beside the attributed ones.
    let base = std::fs::read_to_string(root().join("rubrics/paris-call.toml")).unwrap();
    let dir = temp_with(&[
        ("paris-call.toml", base.as_str()),
        (
            "a.toml",
            "[rubric]\nextends = \"paris-call.toml\"\nid = \"a\"\nversion = \"1.0.0\"\n\n[pipeline.aggregate]\ndat_thresh = 0.1\n",
        ),
        (
            "b.toml",
            "[rubric]\nextends = \"paris-call.toml\"\nid = \"b\"\nversion = \"1.0.0\"\n\n[[node]]\nid = \"P9\"\nweight = 3\n",
        ),
    ]);
    let out = dir.path().join("cmp");
    let o = accord(
        &root(),
        &[
            "compare",
            dir.path().join("a.toml").to_str().unwrap(),
            dir.path().join("b.toml").to_str().unwrap(),
            "--data",
            "data/demo",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("not attributed: setting `pipeline.aggregate.dat_thresh`: 0.1 -> (unset) could not be applied alone: B leaves `pipeline.aggregate.dat_thresh` unset, and a setting cannot be unset in A alone\n"),
        "{stdout}"
    );
    // The weight change is still attributed.
    assert!(
        stdout.contains("`node.P9.weight` re-weighted: 1 -> 3  "),
        "{stdout}"
    );
    // summary.json lists the change it could not attribute, with the same reason.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["not_attributed"],
        serde_json::json!([{
            "change": "setting `pipeline.aggregate.dat_thresh`: 0.1 -> (unset)",
            "reason": "B leaves `pipeline.aggregate.dat_thresh` unset, and a setting cannot be unset in A alone"
        }])
    );
}
