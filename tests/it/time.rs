//! The evaluation date and the one rule for how long an observation holds.

use crate::common::*;

/// A rubric with one criterion of each field rule, the date rule among them.
const RUBRIC: &str = r#"
[rubric]
id = "time"
version = "1.0.0"
title = "time"
scale = [0, 100]

[[node]]
id = "IDX"

[[criterion]]
id = "party"
parent = "IDX"
question = "Party to the convention since?"
rule = "date"

[[criterion]]
id = "csirt"
parent = "IDX"
question = "A national CSIRT?"
rule = "boolean"
"#;

fn scored(evidence: &str, sets: &[&str]) -> accord::Scored {
    let dir = temp_with(&[("rubric.toml", RUBRIC), ("evidence.csv", evidence)]);
    score_dir(&dir.path().join("rubric.toml"), dir.path(), None, sets)
}

/// A researcher's own file without `as_of`: Nigeria's accession is a date value.
const OWN_FILE: &str = "jurisdiction,criterion,value,source,as_of\n\
NGA,party,2022-07-06,list,\n\
NGA,csirt,yes,list,\n\
GHA,csirt,yes,list,\n";

#[test]
fn the_latest_date_counts_date_values_not_only_as_of() {
    let s = scored(OWN_FILE, &[]);
    // No `as_of` anywhere: the latest date is the accession itself, and it is in force on it.
    assert_eq!(s.evaluation.date.to_string(), "2022-07-06");
    assert_eq!(score_of(&s, "NGA", "party"), Some(100.0));
    match &s.evaluation.origin {
        accord::rules::DateOrigin::Latest { place, column } => {
            assert!(place.ends_with("evidence.csv:2"), "{place}");
            assert_eq!(*column, "value");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn one_dated_row_for_another_jurisdiction_moves_only_the_date() {
    // Appending a dated observation for Ghana (2019) must not move the run before Nigeria's 2022
    // accession: the latest date anywhere is still 2022-07-06.
    let more = format!("{OWN_FILE}GHA,csirt,yes,list,2019-06-01\n");
    let s = scored(&more, &[]);
    assert_eq!(s.evaluation.date.to_string(), "2022-07-06");
    assert_eq!(score_of(&s, "NGA", "party"), Some(100.0));
    // A later dated row moves the date, and the run says where it came from.
    let later = format!("{OWN_FILE}GHA,csirt,yes,list,2024-03-01\n");
    let s = scored(&later, &[]);
    assert_eq!(s.evaluation.date.to_string(), "2024-03-01");
    assert!(
        s.evaluation
            .describe()
            .contains("evidence.csv:5, column `as_of`"),
        "{}",
        s.evaluation.describe()
    );
    assert_eq!(score_of(&s, "NGA", "party"), Some(100.0));
    assert_eq!(score_of(&s, "NGA", "csirt"), Some(100.0));
}

#[test]
fn a_date_no_and_a_boolean_no_are_carried_forward_alike() {
    let evidence = "jurisdiction,criterion,value,source,as_of\n\
XAA,party,no,list,2025-11-14\n\
XAA,csirt,no,list,2025-11-14\n\
XAB,csirt,yes,list,\n";
    for date in ["2025-11-14", "2025-12-25", "2031-01-01"] {
        let s = scored(evidence, &[]);
        let s = accord::score(
            s.rubric,
            s.inputs,
            Some(accord::evidence::parse_date(date).unwrap()),
        )
        .unwrap();
        assert_eq!(score_of(&s, "XAA", "party"), Some(0.0), "party on {date}");
        assert_eq!(score_of(&s, "XAA", "csirt"), Some(0.0), "csirt on {date}");
    }
    // Before its date the boolean `no` is not yet observed; the date field's `no` still says the
    // instrument was not in force earlier.
    let s = scored(evidence, &[]);
    let s = accord::score(
        s.rubric,
        s.inputs,
        Some(accord::evidence::parse_date("2020-01-01").unwrap()),
    )
    .unwrap();
    assert_eq!(score_of(&s, "XAA", "party"), Some(0.0));
    assert_eq!(score_of(&s, "XAA", "csirt"), None);
}

#[test]
fn a_horizon_makes_old_observations_unknown_for_every_rule_type() {
    let evidence = "jurisdiction,criterion,value,source,as_of\n\
XAA,party,no,list of 2011,2011-06-01\n\
XAA,csirt,yes,list of 2011,2011-06-01\n\
XAB,party,2004-07-01,ratification,2011-06-01\n\
XAB,csirt,yes,list of 2025,2025-12-25\n";
    let s = scored(evidence, &["rubric.horizon=\"10 years\""]);
    assert_eq!(s.evaluation.date.to_string(), "2025-12-25");
    // 2011-06-01 + 10 years < 2025-12-25: both observations are too old.
    assert_eq!(score_of(&s, "XAA", "party"), None);
    assert_eq!(score_of(&s, "XAA", "csirt"), None);
    // A date of entry into force is an event, not an observation: it does not grow stale.
    assert_eq!(score_of(&s, "XAB", "party"), Some(100.0));
    assert_eq!(score_of(&s, "XAB", "csirt"), Some(100.0));
    // On the last day of the horizon the observation still holds.
    let on = |date: &str, sets: &[&str]| {
        let s = scored(evidence, sets);
        accord::score(
            s.rubric,
            s.inputs,
            Some(accord::evidence::parse_date(date).unwrap()),
        )
        .unwrap()
    };
    let s = on("2021-06-01", &["rubric.horizon=\"10 years\""]);
    assert_eq!(score_of(&s, "XAA", "csirt"), Some(100.0));
    let s = on("2021-06-02", &["rubric.horizon=\"10 years\""]);
    assert_eq!(score_of(&s, "XAA", "csirt"), None);
    // A criterion's own horizon overrides the rubric's, and "none" removes it.
    let s = on(
        "2025-12-25",
        &[
            "rubric.horizon=\"10 years\"",
            "criterion.csirt.horizon=\"none\"",
        ],
    );
    assert_eq!(score_of(&s, "XAA", "csirt"), Some(100.0));
    assert_eq!(score_of(&s, "XAA", "party"), None);
    // explain names the stale row, its date and the horizon.
    let s = scored(evidence, &["rubric.horizon=\"10 years\""]);
    let e = accord::explain::explain(&s, "XAA", Some("csirt")).unwrap();
    let text = e.to_text();
    assert!(
        text.contains("(as of 2011-06-01) is older than the horizon of 10 years on this date"),
        "{text}"
    );
}

#[test]
fn a_horizon_that_is_not_a_length_of_time_is_refused() {
    let dir = temp_with(&[("rubric.toml", RUBRIC), ("evidence.csv", OWN_FILE)]);
    for (value, says) in [
        ("\"ten years\"", "is not a length of time"),
        ("\"-3 years\"", "not a positive length of time"),
        ("\"5 hours\"", "calendar days"),
        ("10", "must be a string"),
    ] {
        let set = format!("criterion.csirt.horizon={value}");
        let err = try_score_dir(&dir.path().join("rubric.toml"), dir.path(), None, &[&set])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("criterion.csirt.horizon") && err.contains(says),
            "{value}: {err}"
        );
    }
}

#[test]
fn the_run_prints_and_records_its_date_and_where_it_came_from() {
    let dir = temp_with(&[("rubric.toml", RUBRIC), ("evidence.csv", OWN_FILE)]);
    let out = accord(
        dir.path(),
        &[
            "score",
            "--rubric",
            "rubric.toml",
            "--evidence",
            "evidence.csv",
            "--out",
            "r",
        ],
    );
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains(
            "scored on 2022-07-06 (the latest date in the inputs: evidence.csv:2, column `value`)"
        ),
        "{stdout}"
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r/manifest.json")).unwrap())
            .unwrap();
    let e = &m["evaluation"];
    assert_eq!(e["date"], "2022-07-06");
    assert_eq!(e["rule"], "latest date in the inputs");
    assert_eq!(e["source"], "evidence.csv:2, column `value`");
    assert_eq!(e["observations_after_date"], 0);
    // A deliberate earlier date: the later observations are counted, nothing is printed for them.
    let dated = format!("{OWN_FILE}GHA,csirt,no,list,2023-01-01\nGHA,csirt,yes,list,2024-01-01\n");
    std::fs::write(dir.path().join("evidence.csv"), dated).unwrap();
    let out = accord(
        dir.path(),
        &[
            "score",
            "--rubric",
            "rubric.toml",
            "--evidence",
            "evidence.csv",
            "--as-of",
            "2022-12-31",
            "--out",
            "r2",
        ],
    );
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("scored on 2022-12-31 (--as-of)"),
        "{stdout}"
    );
    assert!(!stdout.contains("dated after"), "{stdout}");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r2/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["evaluation"]["rule"], "--as-of");
    assert_eq!(m["evaluation"]["observations_after_date"], 2);
}

#[test]
fn a_data_folder_declares_its_date_and_the_run_says_so() {
    let dir = temp_with(&[
        (
            "data/accord.toml",
            "rubric = \"../rubric.toml\"\ndate = 2022-01-01\n",
        ),
        ("rubric.toml", RUBRIC),
        (
            "data/evidence.csv",
            "jurisdiction,criterion,value,source,as_of\n\
NGA,party,2022-07-06,list,\n\
GHA,csirt,yes,list,2023-05-01\n",
        ),
    ]);
    let out = accord(dir.path(), &["score", "--data", "data", "--out", "r"]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("scored on 2022-01-01 (the date `data/accord.toml` declares)"),
        "{stdout}"
    );
    // One line for the observation made after the declared date.
    assert!(
        stdout.contains("1 observations are dated after 2022-01-01 and not used on it"),
        "{stdout}"
    );
    let scores = std::fs::read_to_string(dir.path().join("r/scores.csv")).unwrap();
    // Not yet in force on the declared date.
    assert!(scores.contains("NGA,party,criterion,0,"), "{scores}");
    // --as-of wins over the folder's date; --check reruns with the folder's date again.
    let out = accord(dir.path(), &["score", "--check", "r"]);
    assert!(out.status.success(), "{}", texts(&out).1);
    let out = accord(
        dir.path(),
        &[
            "score",
            "--data",
            "data",
            "--as-of",
            "2023-01-01",
            "--out",
            "r2",
        ],
    );
    assert!(texts(&out).0.contains("scored on 2023-01-01 (--as-of)"));
    // A folder description with an unknown key or a bad date is bad input, named by file and key.
    std::fs::write(
        dir.path().join("data/accord.toml"),
        "rubric = \"../rubric.toml\"\ndate = \"next year\"\ndata = 1\n",
    )
    .unwrap();
    let out = accord(dir.path(), &["score", "--data", "data", "--out", "r3"]);
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`date` must be a date written YYYY-MM-DD"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown key `data`"), "{stderr}");
    assert!(stderr.contains("data/accord.toml:2"), "{stderr}");
    assert!(!dir.path().join("r3").exists());
}

#[test]
fn dates_after_today_are_warned_about_and_change_no_output() {
    let evidence = "jurisdiction,criterion,value,source,as_of\n\
XAA,party,2099-01-01,a typo for 2009,\n\
XAB,csirt,yes,list,2020-01-01\n";
    let dir = temp_with(&[("rubric.toml", RUBRIC), ("evidence.csv", evidence)]);
    let args = [
        "score",
        "--rubric",
        "rubric.toml",
        "--evidence",
        "evidence.csv",
        "--out",
    ];
    let out = accord(dir.path(), &[&args[..], &["r"]].concat());
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: evidence.csv:2: `value` 2099-01-01 is later than today"),
        "{stderr}"
    );
    // The run is evaluated on that date, and says where it came from.
    assert!(stdout.contains("scored on 2099-01-01"), "{stdout}");
    // The warning is on stderr only: two runs give the same folder.
    let again = accord(dir.path(), &[&args[..], &["r2"]].concat());
    assert!(again.status.success());
    for f in ["scores.csv", "manifest.json"] {
        assert_eq!(
            std::fs::read(dir.path().join("r").join(f)).unwrap(),
            std::fs::read(dir.path().join("r2").join(f)).unwrap()
        );
    }
}

#[test]
fn inputs_without_any_date_are_evaluated_undated() {
    let evidence = "jurisdiction,criterion,value\nXAA,csirt,yes\nXAB,csirt,no\n";
    let s = scored(evidence, &[]);
    assert_eq!(s.evaluation.origin, accord::rules::DateOrigin::Undated);
    assert_eq!(s.evaluation.shown(), "undated");
    assert_eq!(score_of(&s, "XAA", "csirt"), Some(100.0));
    let e = accord::explain::explain(&s, "XAA", Some("IDX")).unwrap();
    assert_eq!(e.date, "undated");
}

#[test]
fn a_date_fields_yes_never_grows_stale_but_its_no_does() {
    // "In force by 2011-06-01" stays true (no denunciation is modelled); "not in force on
    // 2011-06-01" says nothing about 2025 once the horizon has passed, and a later `no` decides.
    let evidence = "jurisdiction,criterion,value,source,as_of\n\
XAA,party,yes,list of 2011,2011-06-01\n\
XAB,party,no,list of 2011,2011-06-01\n\
XAC,party,no,list of 2011,2011-06-01\n\
XAC,party,no,list of 2024,2024-06-20\n\
XAD,party,yes,list of 2011,2011-06-01\n\
XAD,party,yes,list of 2024,2024-06-20\n\
XAE,csirt,yes,list,2025-12-25\n";
    let s = scored(evidence, &["rubric.horizon=\"5 years\""]);
    assert_eq!(s.evaluation.date.to_string(), "2025-12-25");
    assert_eq!(score_of(&s, "XAA", "party"), Some(100.0));
    assert_eq!(score_of(&s, "XAB", "party"), None);
    assert_eq!(score_of(&s, "XAC", "party"), Some(0.0)); // the 2024 `no`, within 5 years
    assert_eq!(score_of(&s, "XAD", "party"), Some(100.0));
    // Between the two `no`s of XAC, the later one proves the status: not in force.
    let s = accord::score(
        s.rubric,
        s.inputs,
        Some(accord::evidence::parse_date("2019-01-01").unwrap()),
    )
    .unwrap();
    assert_eq!(score_of(&s, "XAC", "party"), Some(0.0));
    assert_eq!(score_of(&s, "XAB", "party"), None);
}

/// Contradictions in two date criteria, for jurisdictions far apart (more than a thousand
/// between them, so that they are evaluated apart, on any thread): the problems come criterion
/// after criterion, each in the jurisdictions' order, as evaluating one criterion after another
/// gives them.
#[test]
fn problems_of_many_jurisdictions_come_criterion_by_criterion() {
    let rubric = format!(
        "{RUBRIC}\n[[criterion]]\nid = \"treaty\"\nparent = \"IDX\"\nquestion = \"Party to the treaty since?\"\nrule = \"date\"\n"
    );
    let n = 3000;
    // Sub-national units: codes outside ISO 3166, admitted by the `allow` column.
    let mut jurisdictions = String::from("code,name,allow,source\n");
    let mut evidence = String::from("jurisdiction,criterion,value,source,as_of\n");
    let code = |j: usize| format!("U{j:05}");
    // Each contradiction is a `yes` before a later `no`; its `no` is on this line.
    let mut lines = Vec::new();
    for j in 0..n {
        jurisdictions.push_str(&format!("{},Unit {j},yes,test\n", code(j)));
        // The treaty first in the file, so that file order is not criterion order.
        for id in ["treaty", "party"] {
            if (id == "party" && (j == 2 || j == 2500)) || (id == "treaty" && (j == 7 || j == 1900))
            {
                evidence.push_str(&format!("{},{id},yes,s,2018-01-01\n", code(j)));
                evidence.push_str(&format!("{},{id},no,s,2020-06-30\n", code(j)));
                lines.push((id, j, evidence.lines().count()));
            } else {
                evidence.push_str(&format!("{},{id},2019-03-01,s,\n", code(j)));
            }
        }
    }
    let dir = temp_with(&[
        ("rubric.toml", &rubric),
        ("evidence.csv", &evidence),
        ("jurisdictions.csv", &jurisdictions),
    ]);
    let e = try_score_dir(&dir.path().join("rubric.toml"), dir.path(), None, &[])
        .expect_err("contradictions");
    let found: Vec<usize> = e
        .problems
        .iter()
        .filter_map(|p| p.location.as_ref().and_then(|l| l.line))
        .collect();
    // The rubric's order: `party`, then `treaty`.
    let mut expected: Vec<(usize, usize)> = lines
        .iter()
        .map(|&(id, j, line)| (usize::from(id == "treaty") * n + j, line))
        .collect();
    expected.sort();
    let expected: Vec<usize> = expected.into_iter().map(|(_, line)| line).collect();
    assert_eq!(found, expected, "{e}");
}
