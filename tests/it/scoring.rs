//! Scores of the mini fixture, each computed by hand (the derivations are in the comments).

use approx::assert_relative_eq;

use crate::common::*;

// Tolerance for hand-computed values: they are short sums, so agreement is to the last bits.
const EPS: f64 = 1e-12;

#[test]
fn criterion_values_follow_their_rules() {
    let s = mini(None, &[]);
    // Evaluated on the date the folder's accord.toml declares: 2021-01-01.
    assert_eq!(s.results.date.to_string(), "2021-01-01");
    assert_eq!(score_of(&s, "XAA", "a1"), Some(100.0)); // yes
    assert_eq!(score_of(&s, "XAA", "a2"), Some(50.0)); // "some": middle of three evenly spaced levels
    assert_eq!(score_of(&s, "XAA", "b1"), Some(50.0)); // 3 reaches the band at 2, not the one at 5
    assert_eq!(score_of(&s, "XAA", "b2"), Some(100.0)); // in force since 2019-01-01
    assert_eq!(score_of(&s, "XAA", "b3"), Some(50.0)); // one partner (XAB); the XAD treaty starts 2022
    assert_eq!(score_of(&s, "XAB", "b1"), None); // NA in the evidence stays unknown
    assert_eq!(score_of(&s, "XAB", "b2"), Some(0.0)); // "no" as of 2020-06-30, carried forward
    assert_eq!(score_of(&s, "XAC", "a2"), Some(100.0)); // the 2021-01-01 row replaces the 2015 one
    assert_eq!(score_of(&s, "XAC", "b3"), None); // zero partners from an incomplete list: unknown
    assert_eq!(score_of(&s, "XAD", "b1"), Some(0.0)); // 1 is below the first band above 0
    assert_eq!(score_of(&s, "XAD", "b3"), Some(0.0)); // zero partners from a complete list: a real 0
}

#[test]
fn nodes_aggregate_with_renormalised_weights_and_coverage() {
    let s = mini(None, &[]);
    // XAA: A = (1*100 + 3*50)/4 = 62.5; B = (50 + 100 + 50)/3; index = (2*62.5 + 1*B)/3.
    assert_relative_eq!(score_of(&s, "XAA", "A").unwrap(), 62.5, max_relative = EPS);
    assert_relative_eq!(
        score_of(&s, "XAA", "B").unwrap(),
        200.0 / 3.0,
        max_relative = EPS
    );
    assert_relative_eq!(
        score_of(&s, "XAA", "IDX").unwrap(),
        (125.0 + 200.0 / 3.0) / 3.0,
        max_relative = EPS
    );
    // XAB: A = (0 + 300)/4 = 75. B = (b2 0 + b3 50)/2 = 25 with b1 unknown: coverage 2/3. The
    // index = (2*75 + 25)/3 = 175/3, coverage (2*1 + 1*2/3)/3 = 8/9.
    assert_relative_eq!(score_of(&s, "XAB", "A").unwrap(), 75.0, max_relative = EPS);
    assert_eq!(score_of(&s, "XAB", "B"), Some(25.0));
    assert_relative_eq!(
        coverage_of(&s, "XAB", "B").unwrap(),
        2.0 / 3.0,
        max_relative = EPS
    );
    assert_relative_eq!(
        score_of(&s, "XAB", "IDX").unwrap(),
        175.0 / 3.0,
        max_relative = EPS
    );
    assert_relative_eq!(
        coverage_of(&s, "XAB", "IDX").unwrap(),
        8.0 / 9.0,
        max_relative = EPS
    );
    // XAC: A = (100 + 3*100)/4 = 100; B = (100 + 100)/2 with b3 unknown; index 100.
    assert_eq!(score_of(&s, "XAC", "IDX"), Some(100.0));
    // XAD: A has no evidence (NA, so it adds nothing to the index's coverage); B = (0 + 0)/2 with
    // coverage 2/3; index coverage 1/3*2/3 = 2/9 < 0.5.
    assert_eq!(score_of(&s, "XAD", "B"), Some(0.0));
    assert_eq!(score_of(&s, "XAD", "IDX"), None);
    assert_relative_eq!(
        coverage_of(&s, "XAD", "IDX").unwrap(),
        2.0 / 9.0,
        max_relative = EPS
    );
}

#[test]
fn facet_values_and_cells_use_effective_weights() {
    let s = mini(None, &[]);
    // Effective weights: a1 = 2/3*1/4 = 1/6, a2 = 2/3*3/4 = 1/2, b1 = b2 = b3 = 1/3*1/3 = 1/9.
    // legal = {a1, b1}: shares 0.6 and 0.4 -> XAA: 0.6*100 + 0.4*50 = 80.
    assert_relative_eq!(
        score_of(&s, "XAA", "legal").unwrap(),
        80.0,
        max_relative = EPS
    );
    // coop = {a2, b2, b3}: shares 9/13, 2/13, 2/13 -> XAA: (9*50 + 2*100 + 2*50)/13 = 750/13.
    assert_relative_eq!(
        score_of(&s, "XAA", "coop").unwrap(),
        750.0 / 13.0,
        max_relative = EPS
    );
    // XAB coop: a2 = 100, b2 = 0, b3 = 50: (9*100 + 2*0 + 2*50)/13 = 1000/13.
    assert_relative_eq!(
        score_of(&s, "XAB", "coop").unwrap(),
        1000.0 / 13.0,
        max_relative = EPS
    );
    // XAD legal: only b1 known, coverage (1/9)/(1/6+1/9) = 0.4 < 0.5 -> NA.
    assert_eq!(score_of(&s, "XAD", "legal"), None);
    // Cells: B.coop = {b2, b3} with equal weights -> XAA (100 + 50)/2.
    assert_eq!(score_of(&s, "XAA", "B.coop"), Some(75.0));
    assert_eq!(score_of(&s, "XAA", "A.legal"), Some(100.0));
    let ids: Vec<&str> = s.results.cell_defs.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["A.legal", "A.coop", "B.legal", "B.coop"]);
}

#[test]
fn ranks_tiers_and_ties_follow_coinr() {
    let s = mini(None, &[]);
    // XAC 100, XAA (125 + 200/3)/3 = 63.9, XAB 175/3 = 58.3.
    assert_eq!(rank_of(&s, "XAC"), Some(1));
    assert_eq!(rank_of(&s, "XAA"), Some(2));
    assert_eq!(rank_of(&s, "XAB"), Some(3));
    assert_eq!(rank_of(&s, "XAD"), None);
    assert_eq!(s.rubric.tier_of(63.9).map(|t| t.id.as_str()), Some("high"));
    assert_eq!(s.rubric.tier_of(49.9).map(|t| t.id.as_str()), Some("low"));
    // Ties share the lowest rank: 1, 2, 2, 4.
    let r =
        accord::base::rank::rank_descending(&[Some(9.0), Some(5.0), Some(5.0), None, Some(1.0)]);
    assert_eq!(r, [Some(1), Some(2), Some(2), None, Some(4)]);
    // Floating-point noise does not break a tie: 155/2 reached by two different sums.
    let r =
        accord::base::rank::rank_descending(&[Some(77.5), Some(77.50000000000001), Some(77.4999)]);
    assert_eq!(r, [Some(1), Some(1), Some(3)]);
}

#[test]
fn as_of_uses_the_evidence_in_force_on_that_date() {
    let s = mini(Some("2018-06-01"), &[]);
    // XAA: b2 (in force 2019) is not yet in force -> 0; B = (50 + 0 + 50)/3; A = 62.5.
    assert_eq!(score_of(&s, "XAA", "b2"), Some(0.0));
    assert_relative_eq!(
        score_of(&s, "XAA", "IDX").unwrap(),
        (125.0 + 100.0 / 3.0) / 3.0,
        max_relative = EPS
    );
    // XAC: a2 was "none" (2015 row); b2 "yes" as of 2018-01-01 -> in force. A = 100/4 = 25, B = 100.
    assert_eq!(score_of(&s, "XAC", "a2"), Some(0.0));
    assert_relative_eq!(
        score_of(&s, "XAC", "IDX").unwrap(),
        50.0,
        max_relative = EPS
    );
    // XAB: "no" as of 2020-06-30 proves b2 not in force in 2018 -> 0; B = (0 + 50)/2 = 25.
    assert_eq!(score_of(&s, "XAB", "b2"), Some(0.0));
    assert_relative_eq!(
        score_of(&s, "XAB", "IDX").unwrap(),
        175.0 / 3.0,
        max_relative = EPS
    );
    // Before anything: the XAA-XAB treaty (2010) is not in force in 2009.
    let s = mini(Some("2009-01-01"), &[]);
    assert_eq!(score_of(&s, "XAA", "b3"), Some(0.0));
}

#[test]
fn missing_evidence_policies() {
    // zero: unknown counts as the scale's lower end (coverage still says it is not evidence).
    let s = mini(None, &["pipeline.impute.method=zero"]);
    // Imputing does not create evidence: XAD's A (a1 NA, no a2 row) has coverage 0, below the
    // floor, although both values were filled.
    assert_eq!(score_of(&s, "XAD", "A"), None);
    assert_eq!(coverage_of(&s, "XAD", "A"), Some(0.0));
    // XAB B = (b1 imputed 0 + b2 0 + b3 50)/3, coverage 2/3 (b1 is not evidence).
    assert_relative_eq!(
        score_of(&s, "XAB", "B").unwrap(),
        50.0 / 3.0,
        max_relative = EPS
    );
    assert_relative_eq!(
        coverage_of(&s, "XAB", "B").unwrap(),
        2.0 / 3.0,
        max_relative = EPS
    );
    // With the coverage floor lowered, XAD's index is B alone: (0 + 0)/2 = 0.
    let s = mini(None, &["pipeline.aggregate.min_coverage=0"]);
    assert_eq!(score_of(&s, "XAD", "IDX"), Some(0.0));
    // i_mean: b1 of XAB becomes the mean of the known b1 values (50, 100, 0) = 50.
    let s = mini(None, &["pipeline.impute.method=i_mean"]);
    assert_eq!(score_of(&s, "XAB", "b1"), Some(50.0));
    // i_mean_grp by bloc: XAB's bloc (north) has b1 = 50 (XAA) only.
    let s = mini(
        None,
        &[
            "pipeline.impute.method=i_mean_grp",
            "pipeline.impute.group=bloc",
        ],
    );
    assert_eq!(score_of(&s, "XAB", "b1"), Some(50.0));
    // XAD's a2 has no row at all; south bloc's a2 is XAC's 100.
    assert_eq!(score_of(&s, "XAD", "a2"), Some(100.0));
}

#[test]
fn group_imputation_takes_each_group_from_its_own_known_values() {
    use accord::pipeline::impute::impute;
    use accord::rubric::settings::ImputeMethod;
    // Group a knows 1 and 5 (mean and median 3), group b knows 3, 7 and 8 (mean 6, median 7);
    // the last row has no group and stays unknown.
    let x = [
        Some(1.0),
        None,
        Some(3.0),
        None,
        Some(5.0),
        Some(7.0),
        None,
        None,
        Some(8.0),
    ];
    let a = Some(0usize);
    let b = Some(1usize);
    let groups = [a, a, b, b, a, b, a, None, b];
    for (method, va, vb) in [
        (ImputeMethod::MeanGroup, 3.0, 6.0),
        (ImputeMethod::MedianGroup, 3.0, 7.0),
    ] {
        let mut y = x;
        assert_eq!(impute(&mut y, method, Some(&groups), 0.0), 3);
        assert_eq!(y[1], Some(va));
        assert_eq!(y[3], Some(vb));
        assert_eq!(y[6], Some(va));
        assert_eq!(y[7], None);
        // Known values are untouched.
        assert_eq!(y[0], Some(1.0));
        assert_eq!(y[8], Some(8.0));
    }
}

#[test]
fn weights_can_be_overridden_and_renormalise() {
    // Doubling every weight changes nothing.
    let base = mini(None, &[]);
    let doubled = mini(
        None,
        &[
            "node.A.weight=4",
            "node.B.weight=2",
            "criterion.a2.weight=6",
            "criterion.a1.weight=2",
        ],
    );
    for code in ["XAA", "XAB", "XAC"] {
        assert_relative_eq!(
            score_of(&base, code, "IDX").unwrap(),
            score_of(&doubled, code, "IDX").unwrap(),
            max_relative = 1e-12
        );
    }
    // Equal weights: XAA A = (100 + 50)/2 = 75; index = (75 + 200/3)/2.
    let s = mini(None, &["pipeline.weights.method=equal"]);
    assert_relative_eq!(
        score_of(&s, "XAA", "IDX").unwrap(),
        (75.0 + 200.0 / 3.0) / 2.0,
        max_relative = EPS
    );
}

#[test]
fn geometric_mean_over_a_zero_is_a_clear_error() {
    let err = try_score_dir(
        &fixture("mini/rubric.toml"),
        &fixture("mini"),
        None,
        &["pipeline.aggregate.method=a_gmean"],
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("cannot aggregate `B` for `XAB` with `a_gmean`: `b2` is 0, and a weighted geometric mean needs positive values"),
        "{text}"
    );
}

#[test]
fn geometric_mean_of_positive_values() {
    // Only node B uses the geometric mean; XAA's B = (50^1 * 100^1 * 50^1)^(1/3) = 250000^(1/3).
    let rubric = std::fs::read_to_string(fixture("mini/rubric.toml"))
        .unwrap()
        .replace(
            "id = \"B\"\nparent = \"IDX\"\nweight = 1",
            "id = \"B\"\nparent = \"IDX\"\nweight = 1\naggregate = \"a_gmean\"",
        );
    let dir = temp_with(&[("rubric.toml", &rubric)]);
    // XAB's b2 and XAD's b1 are 0, which a geometric mean cannot take: leave them out.
    let s = score_dir(
        &dir.path().join("rubric.toml"),
        &fixture("mini"),
        None,
        &["pipeline.screen.exclude=[\"XAB\", \"XAD\"]"],
    );
    assert_relative_eq!(
        score_of(&s, "XAA", "B").unwrap(),
        250000f64.powf(1.0 / 3.0),
        max_relative = 1e-12
    );
    assert!(
        s.results
            .row_of(s.inputs.jurisdictions.index("XAD").unwrap())
            .is_none()
    );
}

#[test]
fn explain_contributions_add_up_exactly() {
    let s = mini(None, &[]);
    for code in ["XAA", "XAB", "XAC"] {
        for node in ["IDX", "A", "B", "legal", "coop", "B.coop"] {
            let e = accord::explain::explain(&s, code, Some(node)).unwrap();
            let Some(score) = e.score else { continue };
            let sum: f64 = e.parts.iter().filter_map(|p| p.contribution).sum();
            assert_eq!(
                sum, score,
                "{code} {node}: contributions must add up bit for bit"
            );
        }
    }
    let e = accord::explain::explain(&s, "XAA", Some("B")).unwrap();
    let b2 = e.parts.iter().find(|p| p.id == "b2").unwrap();
    assert_eq!(b2.evidence, "2019-01-01");
    assert_eq!(b2.source, "s2");
    assert!(b2.place.ends_with("evidence.csv:5"), "{}", b2.place);
    assert_relative_eq!(b2.share.unwrap(), 1.0 / 3.0, max_relative = EPS);
    let text = e.to_text();
    // COINr's a_amean(c(50, 100, 50), c(1, 1, 1)) is 66.666666666666657: (1/3) x each, summed.
    assert!(
        text.contains("sum of contributions = 66.66666666666666 = score"),
        "{text}"
    );
}

#[test]
fn all_equal_children_give_their_value_exactly() {
    // 100 with weights 1/3 each would round to 99.99999999999999 if summed as shares.
    let x = [Some(100.0), Some(100.0), Some(100.0)];
    assert_eq!(
        accord::pipeline::aggregate::amean(&x, &[1.0 / 3.0; 3]),
        Some(100.0)
    );
    let terms = accord::pipeline::aggregate::amean_terms(&x, &[1.0 / 3.0; 3]);
    assert_eq!(terms.iter().flatten().sum::<f64>(), 100.0);
}

#[test]
fn expression_rules_combine_fields() {
    let rubric = r#"
[rubric]
id = "expr"
version = "1.0.0"
title = "expr"
[fields.party]
type = "boolean"
[fields.years]
type = "number"
[[node]]
id = "I"
[[criterion]]
id = "combo"
parent = "I"
question = "Party and penalty of at least a year?"
rule = { type = "expr", expr = "if(party && years >= 1, 100, if(party, 50, 0))" }
"#;
    let dir = temp_with(&[
        ("r.toml", rubric),
        (
            "evidence.csv",
            "jurisdiction,party,years\nXAA,yes,2\nXAB,yes,0.5\nXAC,no,3\nXAD,NA,3\n",
        ),
    ]);
    let s = score_dir(&dir.path().join("r.toml"), dir.path(), None, &[]);
    assert_eq!(score_of(&s, "XAA", "combo"), Some(100.0));
    assert_eq!(score_of(&s, "XAB", "combo"), Some(50.0));
    assert_eq!(score_of(&s, "XAC", "combo"), Some(0.0));
    assert_eq!(score_of(&s, "XAD", "combo"), None); // an unknown input makes the result unknown
}

#[test]
fn expression_variables_are_found_whatever_order_they_are_written_in() {
    // Variables are kept sorted (`alpha`, `level`, `zeta`) and looked up by their place; here
    // the text names them in another order, with built-in functions around them.
    let rubric = r#"
[rubric]
id = "expr-order"
version = "1.0.0"
title = "expr-order"
[fields.zeta]
type = "number"
[fields.alpha]
type = "boolean"
[fields.level]
type = "label"
levels = ["none", "Full"]
[[node]]
id = "I"
[[criterion]]
id = "combo"
parent = "I"
question = "Capped score for parties with full coverage?"
rule = { type = "expr", expr = "if(str::to_lowercase(level) == \"full\" && alpha, min(zeta * 10, 100), 0)" }
"#;
    let dir = temp_with(&[
        ("r.toml", rubric),
        (
            "evidence.csv",
            "jurisdiction,zeta,alpha,level\nXAA,5,yes,Full\nXAB,20,yes,Full\nXAC,5,no,Full\nXAD,5,yes,none\nXAE,5,yes,NA\n",
        ),
    ]);
    let s = score_dir(&dir.path().join("r.toml"), dir.path(), None, &[]);
    // Validation bound each variable to its field once: the rules index, never search by name.
    let accord::rubric::Rule::Expr(e) = &s.rubric.criteria[0].rule else {
        panic!("an expression rule");
    };
    assert_eq!(e.variables, ["alpha", "level", "zeta"]);
    let field = |name: &str| s.rubric.fields.iter().position(|f| f.name == name).unwrap();
    assert_eq!(e.fields, [field("alpha"), field("level"), field("zeta")]);
    assert_ne!(
        e.fields,
        [0, 1, 2],
        "fields declared in another order than the variables"
    );
    assert_eq!(score_of(&s, "XAA", "combo"), Some(50.0)); // 5 * 10
    assert_eq!(score_of(&s, "XAB", "combo"), Some(100.0)); // min(200, 100)
    assert_eq!(score_of(&s, "XAC", "combo"), Some(0.0)); // not a party
    assert_eq!(score_of(&s, "XAD", "combo"), Some(0.0)); // coverage not full
    assert_eq!(score_of(&s, "XAE", "combo"), None); // an unknown input
}

#[test]
fn direction_minus_one_reflects_rule_scores() {
    let s = mini(None, &["criterion.a1.direction=-1"]);
    assert_eq!(score_of(&s, "XAA", "a1"), Some(0.0));
    assert_eq!(score_of(&s, "XAB", "a1"), Some(100.0));
}

#[test]
fn an_na_child_is_excluded_zeroed_or_makes_the_parent_na_as_the_node_says() {
    // XAB's B = 25 has coverage 2/3; a floor of 0.7 on B makes it NA. A = 75 with coverage 1.
    let base = ["node.B.aggregate.min_coverage=0.7"];
    let with = |policy: &str| {
        let set = format!("node.IDX.aggregate.na_child=\"{policy}\"");
        mini(None, &[base[0], &set])
    };
    let s = mini(None, &base);
    assert_eq!(score_of(&s, "XAB", "B"), None);
    // exclude (the default): the index is A alone, and its coverage counts nothing of B:
    // (2 * 1 + 1 * 0) / 3 = 2/3.
    assert_eq!(score_of(&s, "XAB", "IDX"), Some(75.0));
    assert_relative_eq!(
        coverage_of(&s, "XAB", "IDX").unwrap(),
        2.0 / 3.0,
        max_relative = EPS
    );
    assert_eq!(score_of(&with("exclude"), "XAB", "IDX"), Some(75.0));
    // zero: B counts as 0: (2 * 75 + 1 * 0) / 3 = 50, with the same coverage.
    let z = with("zero");
    assert_eq!(score_of(&z, "XAB", "IDX"), Some(50.0));
    assert_relative_eq!(
        coverage_of(&z, "XAB", "IDX").unwrap(),
        2.0 / 3.0,
        max_relative = EPS
    );
    let e = accord::explain::explain(&z, "XAB", Some("IDX")).unwrap();
    let sum: f64 = e.parts.iter().filter_map(|p| p.contribution).sum();
    assert_eq!(sum, 50.0, "explain adds B's zero too");
    // na: the index is NA as soon as a child is.
    assert_eq!(score_of(&with("na"), "XAB", "IDX"), None);
    // XAA's children are both known: the policy changes nothing for it.
    for p in ["exclude", "zero", "na"] {
        assert_eq!(
            score_of(&with(p), "XAA", "IDX"),
            score_of(&s, "XAA", "IDX"),
            "{p}"
        );
    }
    // An unknown policy is refused with the key and the choices.
    let err = try_score_dir(
        &fixture("mini/rubric.toml"),
        &fixture("mini"),
        None,
        &["pipeline.aggregate.na_child=\"drop\""],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "`pipeline.aggregate.na_child` must be one of exclude, zero, na; found `drop`"
        ),
        "{err}"
    );
}

#[test]
fn a_small_coding_project_is_told_why_nothing_scores_and_can_score_what_it_coded() {
    // 6 evidence fields of the Paris Call rubric coded for 8 (fictional) jurisdictions: 7 of its 32
    // criteria read them (`budapest_extradition_basis` reads `budapest_party` too).
    let mut csv = String::from("jurisdiction,criterion,value,source\n");
    for (i, code) in ["XAA", "XAB", "XAC", "XAD", "XAE", "XAF", "XAG", "XAH"]
        .iter()
        .enumerate()
    {
        let yes = |k: usize| {
            if (i + k).is_multiple_of(3) {
                "no"
            } else {
                "yes"
            }
        };
        let rows = [
            ("offences_illegal_access", "full".to_string()),
            ("offence_system_interference", yes(0).to_string()),
            (
                "contact_point_24_7",
                if i == 0 { "no" } else { yes(1) }.to_string(),
            ),
            ("election_cooperation", yes(2).to_string()),
            (
                "wassenaar_participant",
                if i == 0 { "no" } else { yes(3) }.to_string(),
            ),
            ("budapest_party", format!("20{:02}-01-01", 10 + i)),
        ];
        for (field, value) in rows {
            csv.push_str(&format!("{code},{field},{value},own coding\n"));
        }
    }
    let dir = temp_with(&[("coding/evidence.csv", &csv)]);
    let rubric = root().join("rubrics/paris-call.toml");
    let rubric = rubric.to_str().unwrap();
    let run = |extra: &[&str], out: &str| {
        let mut args = vec![
            "score", "--rubric", rubric, "--data", "coding", "--out", out,
        ];
        args.extend_from_slice(extra);
        let o = accord(dir.path(), &args);
        let (stdout, stderr) = texts(&o);
        assert!(o.status.success(), "{stderr}");
        stdout
    };
    let stdout = run(&[], "r");
    assert!(stdout.contains("0 of 8 have an index score"), "{stdout}");
    assert!(
        stdout.contains("`pipeline.aggregate.min_coverage` = 0.5"),
        "{stdout}"
    );
    assert!(
        stdout.contains("25 of the rubric's 32 criteria have no evidence for any jurisdiction: to score only the criteria that were coded, add --only-coded"),
        "{stdout}"
    );
    let stdout = run(&["--only-coded"], "r2");
    assert!(!stdout.contains("have an index score"), "{stdout}");
    // XAA (the latest date is XAH's 2017-01-01): P1 = offences 100; P2 = (system interference
    // no 0 + 24/7 no 0)/2 = 0;
    // P3 = 100; P5 = 0; P9 = (budapest_party 100 + budapest_extradition_basis 100)/2 = 100, both
    // in force since 2010. P4, P6, P7 and P8 have nothing
    // coded and are left out: index = (100 + 0 + 100 + 0 + 100)/5 = 60, coverage 1.
    let ranking = std::fs::read_to_string(dir.path().join("r2/ranking.csv")).unwrap();
    let xaa = ranking.lines().find(|l| l.starts_with("XAA,")).unwrap();
    let cells: Vec<&str> = xaa.split(',').collect();
    assert_eq!(cells[2], "60", "{xaa}");
    assert_eq!(cells.last(), Some(&"1"), "{xaa}");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r2/manifest.json")).unwrap())
            .unwrap();
    let left: Vec<&str> = m["rubric"]["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(left.len(), 25 + 4, "{left:?}");
    for id in ["P4", "P6", "P7", "P8", "mla_partners", "pall_mall_code"] {
        assert!(left.contains(&id), "{id} in {left:?}");
    }
    // The folder reproduces from its manifest, --only-coded included.
    let o = accord(dir.path(), &["score", "--check", "r2"]);
    assert!(o.status.success(), "{}", texts(&o).1);
}

#[test]
fn explain_prints_a_readable_table_and_checks_the_exact_sum_below_it() {
    let s = mini(None, &[]);
    // XAA's B = (50 + 100 + 50)/3: every value and contribution has a repeating expansion.
    let e = accord::explain::explain(&s, "XAA", Some("B")).unwrap();
    let text = e.to_text();
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("child"))
        .skip(1)
        .take(e.parts.len())
        .collect();
    assert_eq!(table.len(), 3, "{text}");
    for line in &table {
        // 16.6667, not 16.666666666666668.
        assert!(!line.contains("16.66666"), "{line}");
    }
    assert!(table[0].contains("16.6667"), "{text}");
    assert!(text.contains("score 66.6667  rank"), "{text}");
    // The last line adds the full-precision terms and checks them against the score.
    assert!(
        text.contains("sum of contributions = 66.66666666666666 = score, exactly"),
        "{text}"
    );
    // The JSON form keeps every digit, and its contributions add up bit for bit.
    let json: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&e.to_json()).unwrap()).unwrap();
    let parts = json["contributions"].as_array().unwrap();
    let sum: f64 = parts
        .iter()
        .filter_map(|p| p["contribution"].as_f64())
        .sum();
    assert_eq!(sum, json["score"].as_f64().unwrap());
    // COINr's order: the share w / sum(w) first, then times the value.
    assert_eq!(parts[0]["contribution"].as_f64(), Some((1.0 / 3.0) * 50.0));
}
