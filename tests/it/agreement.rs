//! Agreement between coders: Krippendorff's alpha against the published worked examples and hand
//! computations, percent agreement, the disagreement report on `tests/fixtures/coders`, its
//! agreement with how scoring resolves coders, and `accord agreement` end to end.
//!
//! Published examples: Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability".
//! Annenberg School for Communication, University of Pennsylvania.
//! https://repository.upenn.edu/asc_papers/43

use accord::Scored;
use accord::agreement::{
    Metric, Report, alpha, alpha_of_matrix, coincidences, percent_agreement, report,
    units_of_matrix,
};
use accord::evidence::{Value, parse_date};
use accord::rubric::FieldKind;
use accord::rules::{Basis, Resolution, field_value_on};

use crate::common::{accord, fixture, root, score_dir, texts};

/// Exact values are asserted to this absolute tolerance.
const EXACT: f64 = 1e-9;

/// Krippendorff (2011), section C: four observers (A-D) x twelve units, values 1-5, `None` where
/// an observer did not code the unit. Unit 12 has a single value and is not pairable.
fn krippendorff_2011() -> Vec<Vec<Option<f64>>> {
    let rows: [[i8; 12]; 4] = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
        [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
    ];
    rows.iter()
        .map(|r| r.iter().map(|&x| (x > 0).then_some(f64::from(x))).collect())
        .collect()
}

/// Asserts an alpha equals an exact value to 1e-9 and a published value to three decimals.
fn assert_alpha(got: Option<f64>, exact: f64, published: f64) {
    let got = got.expect("alpha is defined");
    assert!(
        (got - exact).abs() < EXACT,
        "alpha {got} is not the exact {exact}"
    );
    assert_eq!(
        (got * 1000.0).round() / 1000.0,
        published,
        "alpha {got} does not round to the published {published}"
    );
}

#[test]
fn krippendorff_2011_coincidences() {
    // Pairable values: 3 + 4 * 8 (units 2-9) + 3 + 2 = 40 in 11 units. Unit 6 (1, 2, 3, 4) adds
    // 1/3 to each off-diagonal cell among 1-4; the marginals n_c are 9, 13, 10, 5, 3.
    let m = coincidences(&units_of_matrix(&krippendorff_2011()));
    assert_eq!(m.values, [1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(m.pairable_units, 11);
    assert!((m.n - 40.0).abs() < EXACT);
    for (got, want) in m.marginals.iter().zip([9.0, 13.0, 10.0, 5.0, 3.0]) {
        assert!((got - want).abs() < EXACT, "{:?}", m.marginals);
    }
    let o = [
        [7.0, 4.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.0],
        [4.0 / 3.0, 10.0, 4.0 / 3.0, 1.0 / 3.0, 0.0],
        [1.0 / 3.0, 4.0 / 3.0, 8.0, 1.0 / 3.0, 0.0],
        [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 4.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 3.0],
    ];
    for (c, row) in o.iter().enumerate() {
        for (k, want) in row.iter().enumerate() {
            assert!((m.get(c, k) - want).abs() < EXACT, "o[{c}][{k}]");
        }
    }
}

#[test]
fn krippendorff_2011_nominal() {
    // sum(o_ck) over c != k = 8; sum(n_c n_k) over c != k = 40^2 - (81 + 169 + 100 + 25 + 9)
    // = 1600 - 384 = 1216. alpha = 1 - 39 * 8 / 1216 = 1 - 312/1216 = 113/152 = 0.743421...
    // Published: 0.743.
    let a = alpha_of_matrix(&krippendorff_2011(), Metric::Nominal);
    assert_alpha(a.alpha, 113.0 / 152.0, 0.743);
    assert!((a.observed - 8.0 / 40.0).abs() < EXACT);
    assert!((a.expected - 1216.0 / (40.0 * 39.0)).abs() < EXACT);
    assert_eq!(a.pairable_units, 11);
}

#[test]
fn krippendorff_2011_ordinal() {
    // Rank-based differences from the marginals 9, 13, 10, 5, 3:
    // d_12 = (22 - 11)^2 = 121, d_13 = (32 - 9.5)^2 = 506.25, d_14 = (37 - 7)^2 = 900,
    // d_15 = (40 - 6)^2 = 1156, d_23 = (23 - 11.5)^2 = 132.25, d_24 = (28 - 9)^2 = 361,
    // d_25 = (31 - 8)^2 = 529, d_34 = (15 - 7.5)^2 = 56.25, d_35 = (18 - 6.5)^2 = 132.25,
    // d_45 = (8 - 4)^2 = 16.
    // sum(o_ck d_ck) = 2 * (4/3 * 121 + 1/3 * 506.25 + 1/3 * 900 + 4/3 * 132.25 + 1/3 * 361
    //   + 1/3 * 56.25) = 1891;
    // sum(n_c n_k d_ck) = 2 * (117 * 121 + 90 * 506.25 + 45 * 900 + 27 * 1156 + 130 * 132.25
    //   + 65 * 361 + 39 * 529 + 50 * 56.25 + 30 * 132.25 + 15 * 16) = 399480.
    // alpha = 1 - 39 * 1891 / 399480 = 1 - 73749/399480 = 108577/133160 = 0.815388...
    // Published: 0.815.
    let a = alpha_of_matrix(&krippendorff_2011(), Metric::Ordinal);
    assert_alpha(a.alpha, 108_577.0 / 133_160.0, 0.815);
}

#[test]
fn krippendorff_2011_interval() {
    // sum(o_ck (c - k)^2) = 2 * (4/3 * 1 + 1/3 * 4 + 1/3 * 9 + 4/3 * 1 + 1/3 * 4 + 1/3 * 1)
    //   = 52/3;
    // sum(n_c n_k (c - k)^2) = 2 * (117 + 90 * 4 + 45 * 9 + 27 * 16 + 130 + 65 * 4 + 39 * 9
    //   + 50 + 30 * 4 + 15) = 4480.
    // alpha = 1 - 39 * (52/3) / 4480 = 1 - 676/4480 = 951/1120 = 0.849107...
    // Published: 0.849.
    let a = alpha_of_matrix(&krippendorff_2011(), Metric::Interval);
    assert_alpha(a.alpha, 951.0 / 1120.0, 0.849);
}

#[test]
fn krippendorff_2011_binary_two_observers() {
    // Krippendorff (2011), section A: two observers, ten units, no missing values.
    // Four units disagree, so o_01 = o_10 = 4; n_0 = 14, n_1 = 6, n = 20.
    // alpha = 1 - 19 * (4 + 4) / (2 * 14 * 6) = 1 - 152/168 = 2/21 = 0.095238...
    // Published: 0.095.
    let data: Vec<Vec<Option<f64>>> = [
        [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
    ]
    .iter()
    .map(|r| r.iter().copied().map(Some).collect())
    .collect();
    let a = alpha_of_matrix(&data, Metric::Nominal);
    assert_alpha(a.alpha, 2.0 / 21.0, 0.095);
    // With two values, the interval metric is the nominal one.
    let b = alpha_of_matrix(&data, Metric::Interval);
    assert!((b.alpha.unwrap() - 2.0 / 21.0).abs() < EXACT);
}

#[test]
fn two_coders_by_hand() {
    // Coder A: 1, 2, 3, NA; coder B: 1, 3, 3, 2. Unit 4 has one value: not pairable.
    // Coincidences: o_11 = 2, o_23 = o_32 = 1, o_33 = 2; n_1 = 2, n_2 = 1, n_3 = 3, n = 6.
    let data = vec![
        vec![Some(1.0), Some(2.0), Some(3.0), None],
        vec![Some(1.0), Some(3.0), Some(3.0), Some(2.0)],
    ];
    // Nominal: sum(o d) = 2; sum(n_c n_k d) = 2 * (2 + 6 + 3) = 22;
    // alpha = 1 - 5 * 2 / 22 = 6/11. D_o = 2/6, D_e = 22 / 30.
    let a = alpha_of_matrix(&data, Metric::Nominal);
    assert!((a.alpha.unwrap() - 6.0 / 11.0).abs() < EXACT);
    assert!((a.observed - 1.0 / 3.0).abs() < EXACT);
    assert!((a.expected - 11.0 / 15.0).abs() < EXACT);
    assert_eq!(a.pairable_units, 3);
    assert!((a.pairable_values - 6.0).abs() < EXACT);
    // Interval: sum(o d) = 2 * 1 = 2; sum(n_c n_k d) = 2 * (2 * 1 * 1 + 2 * 3 * 4 + 1 * 3 * 1)
    // = 58; alpha = 1 - 5 * 2 / 58 = 24/29.
    let a = alpha_of_matrix(&data, Metric::Interval);
    assert!((a.alpha.unwrap() - 24.0 / 29.0).abs() < EXACT);
    // Ordinal: d_12 = (3 - 1.5)^2 = 2.25, d_23 = (4 - 2)^2 = 4, d_13 = (6 - 2.5)^2 = 12.25;
    // sum(o d) = 2 * 4 = 8; sum(n_c n_k d) = 2 * (2 * 2.25 + 6 * 12.25 + 3 * 4) = 180;
    // alpha = 1 - 5 * 8 / 180 = 7/9.
    let a = alpha_of_matrix(&data, Metric::Ordinal);
    assert!((a.alpha.unwrap() - 7.0 / 9.0).abs() < EXACT);
    // Percent agreement: units 1 and 3 of the 3 pairable units agree.
    let p = percent_agreement(&units_of_matrix(&data)).unwrap();
    assert!((p - 2.0 / 3.0).abs() < EXACT);
}

#[test]
fn alpha_is_undefined_without_pairs_or_without_variation() {
    // No unit has two values.
    let a = alpha(&[vec![1.0], vec![2.0], vec![]], Metric::Nominal);
    assert_eq!(a.alpha, None);
    assert_eq!(a.pairable_units, 0);
    assert_eq!(percent_agreement(&[vec![1.0], vec![]]), None);
    // Every value the same: D_e = 0, alpha undefined; percent agreement 1.
    let same = [vec![4.0, 4.0], vec![4.0, 4.0, 4.0]];
    for metric in Metric::ALL {
        assert_eq!(alpha(&same, metric).alpha, None);
    }
    assert_eq!(percent_agreement(&same), Some(1.0));
    // Perfect agreement with variation: alpha = 1.
    let agree = [vec![1.0, 1.0], vec![3.0, 3.0, 3.0], vec![2.0, 2.0]];
    for metric in Metric::ALL {
        assert_eq!(alpha(&agree, metric).alpha, Some(1.0));
    }
}

#[test]
fn metrics_follow_field_kinds() {
    assert_eq!(Metric::for_kind(&FieldKind::Boolean), Metric::Nominal);
    assert_eq!(Metric::for_kind(&FieldKind::Date), Metric::Nominal);
    assert_eq!(
        Metric::for_kind(&FieldKind::Label(vec!["a".into(), "b".into()])),
        Metric::Ordinal
    );
    assert_eq!(Metric::for_kind(&FieldKind::Number), Metric::Interval);
    assert_eq!(
        accord::agreement::code(Value::Date(parse_date("1970-01-11").unwrap())),
        10.0
    );
    assert_eq!(
        accord::agreement::code(Value::Date(parse_date("1969-12-31").unwrap())),
        -1.0
    );
}

/// The coders fixture, scored with the mini rubric.
fn coders(as_of: Option<&str>) -> Scored {
    score_dir(&fixture("mini/rubric.toml"), &fixture("coders"), as_of, &[])
}

fn coders_report(s: &Scored) -> Report {
    report(&s.rubric, &s.inputs).expect("the fixture has coders")
}

#[test]
fn agreement_per_field_on_the_coders_fixture() {
    let s = coders(None);
    let r = coders_report(&s);
    assert_eq!(r.coders, ["alice", "bob", "carol", "reviewer"]);
    assert_eq!(r.units, 16);
    let row = |field: Option<&str>, metric: Metric| {
        let f = field.map(|name| s.rubric.field_index(name).unwrap());
        r.fields
            .iter()
            .chain(&r.overall)
            .find(|a| a.field == f && a.metric == metric)
            .unwrap()
            .clone()
    };
    // a1 (boolean, nominal): units XAA (yes, yes, yes), XAB (yes, yes, no), XAC (yes, no) and
    // XAD (NA, NA). o_11 = 3 + 1 = 4, o_10 = o_01 = 1 + 1 = 2; n_1 = 6, n_0 = 2, n = 8.
    // alpha = 1 - 7 * 4 / (2 * 2 * 6) = 1 - 28/24 = -1/6. Percent agreement 1 of 3.
    let a1 = row(Some("a1"), Metric::Nominal);
    assert_eq!((a1.units, a1.pairable_units, a1.coders), (4, 3, 4));
    assert!((a1.alpha.alpha.unwrap() + 1.0 / 6.0).abs() < EXACT);
    assert!((a1.percent_agreement.unwrap() - 1.0 / 3.0).abs() < EXACT);
    // a2 (levels none/some/full = 0/1/2, ordinal): units (1, 1), (2, 2, 1), (0, 1) in 2015,
    // (2, 2) in 2021. Coincidences: o_01 = o_10 = 1, o_11 = 2, o_12 = o_21 = 1, o_22 = 3, so
    // n_0 = 1, n_1 = 4, n_2 = 4, n = 9. Rank-based differences: d_01 = (5 - 2.5)^2 = 6.25,
    // d_12 = (8 - 4)^2 = 16, d_02 = (9 - 2.5)^2 = 42.25.
    // sum(o d) = 2 * (6.25 + 16) = 44.5; sum(n_c n_k d) = 2 * (4 * 6.25 + 16 * 16 + 4 * 42.25)
    // = 900. alpha = 1 - 8 * 44.5 / 900 = 1 - 356/900 = 136/225. Percent agreement 2 of 4.
    let a2 = row(Some("a2"), Metric::Ordinal);
    assert_eq!((a2.units, a2.pairable_units, a2.coders), (4, 4, 3));
    assert!((a2.alpha.alpha.unwrap() - 136.0 / 225.0).abs() < EXACT);
    assert!((a2.percent_agreement.unwrap() - 0.5).abs() < EXACT);
    // b1 (number, interval): units (3, 3), (NA, 4) not pairable, (5, 6, 5), (1, 1).
    // o_56 = o_65 = 1; n_1 = 2, n_3 = 2, n_5 = 2, n_6 = 1, n = 7. sum(o d) = 2;
    // sum(n_c n_k d) = 2 * (4 * 4 + 4 * 16 + 2 * 25 + 4 * 4 + 2 * 9 + 2 * 1) = 332.
    // alpha = 1 - 6 * 2 / 332 = 80/83.
    let b1 = row(Some("b1"), Metric::Interval);
    assert_eq!((b1.units, b1.pairable_units, b1.coders), (4, 3, 3));
    assert!((b1.alpha.alpha.unwrap() - 80.0 / 83.0).abs() < EXACT);
    assert!((b1.percent_agreement.unwrap() - 2.0 / 3.0).abs() < EXACT);
    // b2 (date, nominal): (2019-01-01 x2), (no x2), (yes x2), (2010, 2012, 2010).
    // Off-diagonal: o = 1 each way between 2010 and 2012; n = 9 with marginals 2, 1, 2, 2, 2.
    // alpha = 1 - 8 * 2 / (81 - (4 + 1 + 4 + 4 + 4)) = 1 - 16/64 = 3/4.
    let b2 = row(Some("b2"), Metric::Nominal);
    assert_eq!((b2.units, b2.pairable_units, b2.coders), (4, 4, 3));
    assert!((b2.alpha.alpha.unwrap() - 0.75).abs() < EXACT);
    // Overall nominal: a1 and b2 pooled (yes from both is one value): n = 17 with marginals
    // yes 8, no 4, 2010: 2, 2012: 1, 2019: 2; off-diagonal sum 4 + 2 = 6;
    // alpha = 1 - 16 * 6 / (289 - (64 + 16 + 4 + 1 + 4)) = 1 - 96/200 = 13/25.
    let all = row(None, Metric::Nominal);
    assert_eq!((all.units, all.pairable_units, all.coders), (8, 7, 4));
    assert!((all.alpha.alpha.unwrap() - 13.0 / 25.0).abs() < EXACT);
    assert!((all.percent_agreement.unwrap() - 4.0 / 7.0).abs() < EXACT);
    // One overall row per metric used; the count field b3 has no evidence and no units.
    assert_eq!(
        r.overall.iter().map(|a| a.metric).collect::<Vec<_>>(),
        Metric::ALL
    );
    assert_eq!(row(None, Metric::Ordinal).alpha, a2.alpha);
    assert_eq!(row(None, Metric::Interval).alpha, b1.alpha);
}

#[test]
fn disagreement_report_lists_every_unit_with_lines() {
    let s = coders(None);
    let r = coders_report(&s);
    let file = fixture("coders/evidence.csv").display().to_string();
    let rows: Vec<(String, String, String, String, String, String)> = r
        .disagreements
        .iter()
        .map(|d| {
            let lines: Vec<String> = d
                .values
                .iter()
                .map(|v| {
                    let line = v
                        .place
                        .strip_prefix(&format!("{file}:"))
                        .expect("place names the evidence file");
                    format!("{}={line}", v.coder)
                })
                .collect();
            let values: Vec<String> = d
                .values
                .iter()
                .map(|v| format!("{}={}", v.coder, v.raw))
                .collect();
            let resolution = match d.resolution {
                Resolution::Reviewer(_) => "reviewer",
                Resolution::Majority(_) => "majority",
                Resolution::Tie => "tie",
                Resolution::Unknown => "unknown",
            };
            (
                s.inputs.jurisdictions.list[d.jurisdiction].code.clone(),
                s.rubric.fields[d.field].name.clone(),
                d.as_of.map(|x| x.to_string()).unwrap_or_default(),
                values.join(";"),
                lines.join(";"),
                format!("{resolution}:{}", d.resolved.as_deref().unwrap_or("NA")),
            )
        })
        .collect();
    let want = [
        (
            "XAB",
            "a1",
            "",
            "alice=yes;bob=yes;reviewer=no",
            "alice=11;bob=12;reviewer=13",
            "reviewer:no",
        ),
        (
            "XAB",
            "a2",
            "",
            "alice=full;bob=full;carol=some",
            "alice=14;bob=15;carol=16",
            "majority:full",
        ),
        (
            "XAC",
            "a1",
            "",
            "alice=yes;bob=no",
            "alice=21;bob=22",
            "tie:NA",
        ),
        (
            "XAC",
            "a2",
            "2015-01-01",
            "alice=none;bob=some",
            "alice=23;bob=24",
            "tie:NA",
        ),
        (
            "XAC",
            "b1",
            "",
            "alice=5;bob=6;reviewer=5",
            "alice=27;bob=28;reviewer=29",
            "reviewer:5",
        ),
        (
            "XAD",
            "b2",
            "",
            "alice=2010-05-01;bob=2012-05-01;reviewer=2010-05-01",
            "alice=36;bob=37;reviewer=38",
            "reviewer:2010-05-01",
        ),
    ];
    let want: Vec<(String, String, String, String, String, String)> = want
        .iter()
        .map(|w| {
            (
                w.0.into(),
                w.1.into(),
                w.2.into(),
                w.3.into(),
                w.4.into(),
                w.5.into(),
            )
        })
        .collect();
    assert_eq!(rows, want);
}

#[test]
fn scoring_resolves_coders_as_the_report_says() {
    let s = coders(None);
    assert_eq!(s.values.date.to_string(), "2021-01-01");
    let value = |s: &Scored, code: &str, id: &str| {
        let j = s.inputs.jurisdictions.index(code).unwrap();
        let c = s.rubric.criterion_index(id).unwrap();
        (s.values.values.get(j, c), s.values.basis(j, c).clone())
    };
    // The reviewer's `no` overrides alice's and bob's `yes`.
    assert_eq!(value(&s, "XAB", "a1").0, Some(0.0));
    // The 2-1 majority: full.
    assert_eq!(value(&s, "XAB", "a2").0, Some(100.0));
    // A tie between two coders: unknown, flagged as a disagreement.
    let (v, b) = value(&s, "XAC", "a1");
    assert_eq!(v, None);
    assert!(matches!(b, Basis::Disagreement(_)), "{b:?}");
    // The reviewer settles a number: 5 reaches the top band.
    assert_eq!(value(&s, "XAC", "b1").0, Some(100.0));
    // The reviewer's date of entry into force: in force on the evaluation date.
    assert_eq!(value(&s, "XAD", "b2").0, Some(100.0));
    // Dated rows: agreement (full) in 2021, a tie in 2015.
    assert_eq!(value(&s, "XAC", "a2").0, Some(100.0));
    let early = coders(Some("2016-01-01"));
    assert_eq!(value(&early, "XAC", "a2").0, None);
    // Every disagreement's resolution is what the rules read on the unit's date (a date field's
    // rules read whether the instrument is in force then).
    let r = coders_report(&s);
    for d in &r.disagreements {
        let date = d.as_of.unwrap_or(s.values.date);
        let read = field_value_on(&s.rubric, &s.inputs, d.jurisdiction, d.field, date).unwrap();
        let want = match (d.resolution.value(), &s.rubric.fields[d.field].kind) {
            (Some(Value::Date(x)), FieldKind::Date) => Some(Value::Bool(x <= date)),
            (v, _) => v,
        };
        assert_eq!(read, want, "{d:?}");
    }
}

#[test]
fn evidence_without_coders_is_refused() {
    let s = score_dir(&fixture("mini/rubric.toml"), &fixture("mini"), None, &[]);
    let e = report(&s.rubric, &s.inputs).unwrap_err();
    assert!(
        e.message.contains("agreement needs a `coder` column"),
        "{}",
        e.message
    );
    assert!(e.help.is_some());
}

#[test]
fn cli_writes_the_agreement_folder() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("agreement");
    let args = [
        "agreement",
        "--rubric",
        "tests/fixtures/mini/rubric.toml",
        "--data",
        "tests/fixtures/coders",
        "--out",
        dir.to_str().unwrap(),
    ];
    let o = accord(&root(), &args);
    let (stdout, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("agreement of 4 coders (alice, bob, carol, reviewer) on 16 units"),
        "{stdout}"
    );
    assert!(stdout.contains("nominal fields: alpha 0.52"), "{stdout}");
    assert!(stdout.contains("6 units where coders disagree"), "{stdout}");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let agreement = read("agreement.csv");
    assert!(agreement.starts_with(
        "field,criteria,metric,units,pairable_units,coders,alpha,percent_agreement\n"
    ));
    assert!(
        agreement.contains("\nb2,b2,nominal,4,4,3,0.75,0.75\n"),
        "{agreement}"
    );
    assert!(agreement.ends_with(
        "ALL,,nominal,8,7,4,0.52,0.5714285714285714\n\
         ALL,,ordinal,4,4,3,0.6044444444444445,0.5\n\
         ALL,,interval,4,3,3,0.963855421686747,0.6666666666666666\n"
    ));
    let disagreements = read("disagreements.csv");
    assert_eq!(disagreements.lines().count(), 7, "{disagreements}");
    assert!(disagreements.contains(
        "\nXAB,a1,,alice=yes;bob=yes;reviewer=no,alice=tests/fixtures/coders/evidence.csv:11;\
         bob=tests/fixtures/coders/evidence.csv:12;reviewer=tests/fixtures/coders/evidence.csv:13,\
         reviewer,no\n"
    ));
    assert!(disagreements.contains("\nXAC,a1,,alice=yes;bob=no,"));
    assert!(disagreements.contains(",unknown,NA\n"));
    let manifest: serde_json::Value = serde_json::from_str(&read("manifest.json")).unwrap();
    assert_eq!(manifest["command"], "agreement");
    assert_eq!(manifest["options"]["disagreements"], 6);
    assert!(manifest["outputs"]["agreement.csv"]["sha256"].is_string());
    assert!(manifest["outputs"]["disagreements.csv"]["sha256"].is_string());
    // An existing folder is refused without --force, replaced with it, byte for byte the same.
    let o = accord(&root(), &args);
    assert_eq!(o.status.code(), Some(2));
    let before = read("disagreements.csv");
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = accord(&root(), &forced);
    assert_eq!(o.status.code(), Some(0), "{}", texts(&o).1);
    assert_eq!(read("disagreements.csv"), before);
}

#[test]
fn cli_refuses_evidence_without_a_coder_column() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("agreement");
    let o = accord(
        &root(),
        &[
            "agreement",
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--data",
            "tests/fixtures/mini",
            "--out",
            dir.to_str().unwrap(),
            "--error-format",
            "json",
        ],
    );
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stderr).unwrap();
    let problem = &json["problems"][0];
    assert_eq!(
        problem["message"],
        "agreement needs a `coder` column in the evidence, and `tests/fixtures/mini/evidence.csv` has none"
    );
    assert_eq!(problem["file"], "tests/fixtures/mini/evidence.csv");
    assert!(
        problem["help"]
            .as_str()
            .unwrap()
            .starts_with("add a `coder` column naming who coded each row"),
        "{stderr}"
    );
    assert!(!dir.exists());
}
