//! What-if scenarios: typed changes regenerated from the earliest step they touch give what a full
//! rerun with the same settings gives, bit for bit, and a failing one says why.

use accord::Scored;
use accord::error::InputError;
use accord::pipeline::scenario::{Baseline, Change, Scenario, ScenarioError};
use accord::pipeline::{Params, Step};

use crate::common::{root, score_dir, try_score_dir};

fn demo(sets: &[&str]) -> Scored {
    score_dir(
        &root().join("rubrics/paris-call.toml"),
        &root().join("data/demo"),
        None,
        sets,
    )
}

/// Every node's score of a full run, as bits, jurisdiction by jurisdiction.
fn bits_of_run(s: &Scored) -> Vec<Vec<Option<u64>>> {
    (0..s.rubric.nodes.len())
        .map(|k| {
            let mut out = vec![None; s.inputs.jurisdictions.len()];
            for (row, &j) in s.results.units.iter().enumerate() {
                out[j] = s.results.nodes.score.get(row, k).map(f64::to_bits);
            }
            out
        })
        .collect()
}

fn bits_of_scenario(s: &Scored, scenario: &Scenario) -> Vec<Vec<Option<u64>>> {
    let regenerated = Baseline::new(s).unwrap().apply(scenario).unwrap();
    (0..s.rubric.nodes.len())
        .map(|k| {
            regenerated
                .node_scores(k, s.inputs.jurisdictions.len())
                .into_iter()
                .map(|v| v.map(f64::to_bits))
                .collect()
        })
        .collect()
}

#[test]
fn an_aggregation_change_regenerates_from_aggregate_as_a_full_rerun_does() {
    let nominal = demo(&[]);
    let rerun = demo(&["pipeline.aggregate.min_coverage=0.75"]);
    // The changes a full rerun's settings imply: every node's minimum coverage and the groups'.
    let want = Params::from_rubric(&rerun.rubric);
    let field = 1 << 3; // `min_coverage`, the fourth field of an aggregation
    let mut changes: Vec<Change> = want
        .aggregate
        .iter()
        .enumerate()
        .map(|(k, a)| Change::Aggregate(k, a.clone(), field))
        .collect();
    changes.push(Change::GroupAggregate(want.group_aggregate.clone(), field));
    let scenario = Scenario::new(changes);
    assert_eq!(scenario.step(), Step::Aggregate);
    let got = bits_of_scenario(&nominal, &scenario);
    assert_eq!(got, bits_of_run(&rerun));
    // The setting matters here, so an ignored change would fail the comparison above.
    assert_ne!(got, bits_of_run(&nominal));
}

#[test]
fn a_weight_change_gives_what_a_full_rerun_with_that_weight_gives() {
    let nominal = demo(&[]);
    let rerun = demo(&["node.P9.weight=2"]);
    let p9 = nominal.rubric.node_index("P9").unwrap();
    let scenario = Scenario::one(Change::NodeWeight(p9, 2.0));
    assert_eq!(scenario.step(), Step::Aggregate);
    let got = bits_of_scenario(&nominal, &scenario);
    assert_eq!(got, bits_of_run(&rerun));
    assert_ne!(got, bits_of_run(&nominal));
}

#[test]
fn a_failing_scenario_says_why_as_a_full_rerun_does() {
    let nominal = demo(&[]);
    // Rule-scored criteria reach 0, which a geometric mean cannot take.
    let set = "pipeline.aggregate.method=\"a_gmean\"";
    let rerun = try_score_dir(
        &root().join("rubrics/paris-call.toml"),
        &root().join("data/demo"),
        None,
        &[set],
    )
    .unwrap_err();
    let mut gmean = Params::from_rubric(&nominal.rubric).aggregate[0].clone();
    gmean.method = accord::rubric::settings::AggregateMethod::GMean;
    let changes = (0..nominal.rubric.nodes.len())
        .map(|k| Change::Aggregate(k, gmean.clone(), 1))
        .collect();
    let err = Baseline::new(&nominal)
        .unwrap()
        .apply(&Scenario::new(changes))
        .unwrap_err();
    assert!(matches!(err, ScenarioError::Step(_)), "{err:?}");
    assert_eq!(err.to_string(), rerun.problems[0].message);
    assert!(err.to_string().contains("needs positive values"), "{err}");
}

fn scenario_bits(s: &Scored, scenario: &Scenario) -> Vec<Option<u64>> {
    Baseline::new(s)
        .unwrap()
        .apply(scenario)
        .unwrap()
        .node_scores(0, s.inputs.jurisdictions.len())
        .into_iter()
        .map(|v| v.map(f64::to_bits))
        .collect()
}

#[test]
fn a_structural_change_validates_the_rubric_again_without_reading_its_file() {
    // The rubric is copied, scored, and its copy deleted: a variant comes from the text the run
    // read, not from the file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paris-call.toml");
    std::fs::copy(root().join("rubrics/paris-call.toml"), &path).unwrap();
    let nominal = score_dir(&path, &root().join("data/demo"), None, &[]);
    std::fs::remove_file(&path).unwrap();
    let rerun = demo(&["node.P9.weight=2"]);
    let change = Change::rubric(&nominal.rubric, &["node.P9.weight=2".to_string()]).unwrap();
    let scenario = Scenario::one(change);
    assert_eq!(scenario_bits(&nominal, &scenario), bits_of_run(&rerun)[0]);
    // A variant that does not validate is an error with the loader's reason, when the change
    // is made, and from a baseline's `--set` texts as well.
    let err = Change::rubric(&nominal.rubric, &["node.P9.weight=-1".to_string()]).unwrap_err();
    assert!(err.to_string().contains("must be positive"), "{err}");
    let err = Baseline::new(&nominal)
        .unwrap()
        .settings(&["node.P9.weight=-1".to_string()])
        .unwrap_err();
    assert!(matches!(err, ScenarioError::Rubric(_)), "{err:?}");
    assert!(err.to_string().contains("must be positive"), "{err}");
}

/// Settings written as `--set` text become typed changes where they can, and each gives what a
/// full run with that `--set` gives, bit for bit.
#[test]
fn settings_as_text_give_what_a_full_run_with_them_gives() {
    let nominal = demo(&[]);
    let baseline = Baseline::new(&nominal).unwrap();
    let nominal_bits = bits_of_run(&nominal)[0].clone();
    let cases: [(&str, bool); 5] = [
        ("node.P3.weight=3", false),
        ("pipeline.aggregate.min_coverage=0.9", false),
        // Only the counted instruments change, which the rule's one-line description does not
        // show: the values, evaluated again, do.
        (
            "criterion.extradition_partners.rule.instruments=[\"extradition_treaty\"]",
            false,
        ),
        ("criterion.national_csirt.direction=-1", false),
        ("criterion.national_csirt.parent=\"P2\"", true),
    ];
    for (set, structural) in cases {
        let scenario = baseline.settings(&[set.to_string()]).unwrap();
        let is_structural = scenario
            .changes
            .iter()
            .any(|c| matches!(c, Change::Rubric(..)));
        assert_eq!(is_structural, structural, "{set}: {scenario:?}");
        let got = scenario_bits(&nominal, &scenario);
        let rerun = demo(&[set]);
        assert_eq!(got, bits_of_run(&rerun)[0], "{set}");
        assert_ne!(got, nominal_bits, "{set} changes no index score");
    }
}

#[test]
fn a_change_naming_a_criterion_the_rubric_lacks_is_refused() {
    let nominal = demo(&[]);
    let n = nominal.rubric.criteria.len();
    let err = Baseline::new(&nominal)
        .unwrap()
        .apply(&Scenario::one(Change::CriterionWeight(n, 1.0)))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "a change names criterion number {} of a rubric with {n}",
            n + 1
        )
    );
}

/// Every node's score of a regeneration, as bits.
fn bits_of(s: &Scored, r: &accord::pipeline::scenario::Regenerated) -> Vec<Vec<Option<u64>>> {
    (0..s.rubric.nodes.len())
        .map(|k| {
            r.node_scores(k, s.inputs.jurisdictions.len())
                .into_iter()
                .map(|v| v.map(f64::to_bits))
                .collect()
        })
        .collect()
}

#[test]
fn scenarios_meeting_a_setting_again_get_what_its_first_meeting_got() {
    // A baseline keeps the stages of each treatment x normalisation setting it has met; meeting
    // one again (in any order, mixed with others) must give, bit for bit, what a fresh baseline
    // computing it gives. Normalisation bounds of -0 and 0 compare equal as numbers, so they
    // are among the settings, to show that they are kept apart.
    let a = crate::sensitivity::asem();
    let s = &a.scored;
    let nominal = Params::from_rubric(&s.rubric);
    let all = accord::pipeline::scenario::Fields::MAX;
    let normalise = |l_u: [f64; 2]| -> Vec<Change> {
        nominal
            .normalise
            .iter()
            .enumerate()
            .filter_map(|(c, spec)| {
                let mut spec = spec.clone()?;
                spec.l_u = Some(l_u);
                Some(Change::Normalise(c, Some(spec), all))
            })
            .collect()
    };
    let winmax = |w: u32| -> Vec<Change> {
        nominal
            .treat
            .iter()
            .enumerate()
            .filter_map(|(c, spec)| {
                let mut spec = spec.clone()?;
                spec.winmax = Some(w);
                Some(Change::Treat(c, Some(spec), all))
            })
            .collect()
    };
    let scenarios = [
        Scenario::new(normalise([10.0, 50.0])),
        Scenario::new(winmax(1)),
        Scenario::new([winmax(1), normalise([10.0, 50.0])].concat()),
        Scenario::new(normalise([0.0, 100.0])),
        Scenario::new(normalise([-0.0, 100.0])),
    ];
    let fresh: Vec<_> = scenarios
        .iter()
        .map(|sc| bits_of(s, &Baseline::new(s).unwrap().apply(sc).unwrap()))
        .collect();
    // The changes matter: each differs from the nominal run but the last two (the rubric's
    // own [0, 100], written with 0 or -0).
    let plain = bits_of(
        s,
        &Baseline::new(s)
            .unwrap()
            .apply(&Scenario::default())
            .unwrap(),
    );
    for got in &fresh[..3] {
        assert_ne!(*got, plain);
    }
    let baseline = Baseline::new(s).unwrap();
    for round in 0..3 {
        for (i, sc) in scenarios.iter().enumerate().rev() {
            let got = bits_of(s, &baseline.apply(sc).unwrap());
            assert_eq!(got, fresh[i], "scenario {i}, round {round}");
        }
    }
}

#[test]
fn node_aggregations_met_again_are_those_a_full_rerun_computes() {
    // A baseline keeps each node's aggregation per setting of its method, its children's weights
    // and its child nodes' own aggregations. Scenarios that vary the upper levels' weights and
    // the method, met in several orders, must each give, bit for bit, what a full run with the
    // same settings computes (which keeps nothing). Weights of 0 and -0 are kept apart.
    let a = crate::sensitivity::asem();
    let s = &a.scored;
    let nominal = Params::from_rubric(&s.rubric);
    let all = accord::pipeline::scenario::Fields::MAX;
    // A geometric mean needs positive values: normalise onto [1, 100].
    let positive: Vec<Change> = nominal
        .normalise
        .iter()
        .enumerate()
        .filter_map(|(c, spec)| {
            let mut spec = spec.clone()?;
            spec.l_u = Some([1.0, 100.0]);
            Some(Change::Normalise(c, Some(spec), all))
        })
        .collect();
    let gmean: Vec<Change> = nominal
        .aggregate
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            let mut spec = spec.clone();
            spec.method = accord::rubric::settings::AggregateMethod::GMean;
            Change::Aggregate(k, spec, all)
        })
        .collect();
    // Node 1 is a pillar (a child of the index); the last node is a sub-pillar.
    let last = s.rubric.nodes.len() - 1;
    let weights = |w: f64| vec![Change::NodeWeight(1, w), Change::NodeWeight(last, w)];
    let scenarios: Vec<Vec<Change>> = vec![
        positive.clone(),
        [positive.clone(), gmean.clone()].concat(),
        [positive.clone(), weights(2.5)].concat(),
        [positive.clone(), gmean.clone(), weights(2.5)].concat(),
        [positive.clone(), gmean.clone(), weights(0.0)].concat(),
        [positive.clone(), gmean.clone(), weights(-0.0)].concat(),
        weights(0.5),
    ];
    let juris = s.inputs.jurisdictions.len();
    let full: Vec<Vec<Vec<Option<u64>>>> = scenarios
        .iter()
        .map(|changes| {
            let mut params = nominal.clone();
            accord::pipeline::scenario::apply_all(changes, &mut params, &mut Vec::new());
            let r = accord::pipeline::run_with(&s.rubric, &params, &s.inputs, &s.values).unwrap();
            (0..s.rubric.nodes.len())
                .map(|k| {
                    let mut out = vec![None; juris];
                    for (row, &j) in r.units.iter().enumerate() {
                        out[j] = r.nodes.score.get(row, k).map(f64::to_bits);
                    }
                    out
                })
                .collect()
        })
        .collect();
    assert_ne!(full[0], full[1], "the method matters");
    assert_ne!(full[1], full[3], "the weights matter");
    let baseline = Baseline::new(s).unwrap();
    for round in 0..3 {
        let order: Vec<usize> = if round == 1 {
            (0..scenarios.len()).rev().collect()
        } else {
            (0..scenarios.len()).collect()
        };
        for i in order {
            let got = bits_of(
                s,
                &baseline
                    .apply(&Scenario::new(scenarios[i].clone()))
                    .unwrap(),
            );
            assert_eq!(got, full[i], "scenario {i}, round {round}");
        }
    }
}

/// The one problem of a run refused as bad input.
fn only_problem(e: &accord::error::InputError) -> &str {
    assert_eq!(e.problems.len(), 1, "{e}");
    &e.problems[0].message
}

/// Settings naming what the ASEM inputs lack, each with the problem that names its key: the
/// reference jurisdiction (once, though every criterion inherits it), an imputation group, a
/// screened code, a criterion's denominator.
const UNRESOLVED: [(&[&str], &str); 4] = [
    (
        &[
            "pipeline.normalise.method=\"n_dist2ref\"",
            "pipeline.normalise.iref=\"ZZZ\"",
        ],
        "`pipeline.normalise.iref` names `ZZZ`, but the jurisdictions file has no jurisdiction `ZZZ`",
    ),
    (
        &["pipeline.impute.group=\"Continent\""],
        "`pipeline.impute.group` = `Continent`, but the jurisdictions file has no `group:Continent` column",
    ),
    (
        &["pipeline.screen.exclude=[\"AUT\", \"ZZZ\"]"],
        "`pipeline.screen.exclude` names `ZZZ`, but the jurisdictions file has no jurisdiction `ZZZ`",
    ),
    (
        &["criterion.Goods.denominator=\"Coastline\""],
        "criterion `Goods` is divided by `Coastline`, but the jurisdictions file has no `denom:Coastline` column",
    ),
];

#[test]
fn a_setting_naming_what_the_inputs_lack_is_refused_with_its_key_by_a_run() {
    for (sets, want) in UNRESOLVED {
        let err = crate::coinr::try_asem(sets).unwrap_err();
        assert_eq!(only_problem(&err), want, "{sets:?}");
    }
}

#[test]
fn a_setting_naming_what_the_inputs_lack_is_refused_with_its_key_by_a_scenario() {
    let nominal = crate::coinr::asem(&[]);
    let baseline = Baseline::new(&nominal).unwrap();
    for (sets, want) in UNRESOLVED {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        // A denominator is part of the rubric's structure: that scenario is scored again from
        // the start, and refused when it is applied.
        let err = match baseline.settings(&sets) {
            Err(e) => e,
            Ok(scenario) => baseline.apply(&scenario).unwrap_err(),
        };
        assert_eq!(only_problem(&InputError::from(err)), want, "{sets:?}");
    }
}

#[test]
fn a_typed_change_naming_what_the_inputs_lack_is_refused_when_checked_and_when_applied() {
    // A typed change that names a reference jurisdiction the inputs lack: refused by the check
    // made once when a scenario is built, and, unchecked, by the regeneration itself, never
    // swallowed into a missing score.
    let nominal = crate::coinr::asem(&[]);
    let baseline = Baseline::new(&nominal).unwrap();
    let mut spec = baseline.params().normalise[0].clone().unwrap();
    spec.method = accord::rubric::settings::NormaliseMethod::Dist2Ref;
    spec.iref = Some("ZZZ".to_string());
    let change = Change::Normalise(0, Some(spec), accord::pipeline::scenario::Fields::MAX);
    let want = "`pipeline.normalise.iref` names `ZZZ`, but the jurisdictions file has no jurisdiction `ZZZ`";
    let err = baseline.check(std::slice::from_ref(&change)).unwrap_err();
    assert_eq!(only_problem(&InputError::from(err)), want);
    let err = baseline.apply(&Scenario::one(change)).unwrap_err();
    assert_eq!(err.to_string(), want);
    // An impute group the inputs lack, likewise.
    let mut impute = baseline.params().impute.clone();
    impute.group = Some("Continent".to_string());
    let err = baseline
        .apply(&Scenario::one(Change::Impute(impute, 2)))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("`pipeline.impute.group` = `Continent`"),
        "{err}"
    );
}

/// Scenarios that set names (a reference jurisdiction, another imputation group, screened
/// codes), each regenerated on the run's checked settings, give what a fresh full run with the
/// same `--set` gives, bit for bit, whatever the order they are met in.
#[test]
fn regenerating_with_checked_names_equals_a_fresh_run() {
    let nominal = crate::coinr::asem(&[]);
    let cases: [&[&str]; 5] = [
        &[
            "pipeline.normalise.method=\"n_dist2ref\"",
            "pipeline.normalise.iref=\"DEU\"",
        ],
        &[
            "pipeline.normalise.method=\"n_dist2ref\"",
            "pipeline.normalise.iref=\"FRA\"",
        ],
        &["pipeline.impute.group=\"GDP_group\""],
        &["pipeline.screen.exclude=[\"AUT\", \"JPN\"]"],
        // An exclusion wins over an inclusion.
        &[
            "pipeline.screen.include=[\"DEU\"]",
            "pipeline.screen.exclude=[\"DEU\", \"FRA\"]",
        ],
    ];
    let fresh: Vec<Vec<Vec<Option<u64>>>> = cases
        .iter()
        .map(|sets| bits_of_run(&crate::coinr::asem(sets)))
        .collect();
    for (i, f) in fresh.iter().enumerate() {
        assert!(*f != bits_of_run(&nominal), "case {i} changes nothing");
    }
    assert!(fresh[0] != fresh[1], "the reference jurisdiction matters");
    assert!(fresh[3] != fresh[4], "the screened codes matter");
    let baseline = Baseline::new(&nominal).unwrap();
    let scenarios: Vec<Scenario> = cases
        .iter()
        .map(|sets| {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            let scenario = baseline.settings(&sets).unwrap();
            assert!(
                !scenario
                    .changes
                    .iter()
                    .any(|c| matches!(c, Change::Rubric(..))),
                "{sets:?} is a typed change"
            );
            scenario
        })
        .collect();
    for round in 0..2 {
        let order: Vec<usize> = if round == 1 {
            (0..cases.len()).rev().collect()
        } else {
            (0..cases.len()).collect()
        };
        for i in order {
            let got = bits_of(&nominal, &baseline.apply(&scenarios[i]).unwrap());
            assert_eq!(got, fresh[i], "case {i}, round {round}");
        }
    }
}

/// On the command line, a name that does not resolve is bad input (exit 2, nothing written),
/// whether a run's `--set` or a sensitivity alternative (a scenario) sets it.
#[test]
fn the_command_line_refuses_an_unresolved_name_with_its_key_and_exit_2() {
    use crate::common::{accord, texts};
    let dir = tempfile::tempdir().unwrap();
    let coinr = root().join("tests/fixtures/coinr");
    let (idata, imeta) = (coinr.join("ASEM_iData.csv"), coinr.join("ASEM_iMeta.csv"));
    let import = accord(
        dir.path(),
        &[
            "import-coinr",
            "--idata",
            idata.to_str().unwrap(),
            "--imeta",
            imeta.to_str().unwrap(),
            "--out",
            "asem",
        ],
    );
    assert!(import.status.success(), "{:?}", texts(&import));
    let inputs = [
        "--rubric",
        "asem/rubric.toml",
        "--evidence",
        "asem/evidence.csv",
        "--jurisdictions",
        "asem/jurisdictions.csv",
    ];
    let want = "`pipeline.normalise.iref` names `ZZZ`, but the jurisdictions file has no jurisdiction `ZZZ`";
    let mut score = vec!["score", "--out", "scored"];
    score.extend(inputs);
    score.extend([
        "--set",
        "pipeline.normalise.method=\"n_dist2ref\"",
        "--set",
        "pipeline.normalise.iref=\"ZZZ\"",
    ]);
    let o = accord(dir.path(), &score);
    assert_eq!(o.status.code(), Some(2), "{:?}", texts(&o));
    assert!(texts(&o).1.contains(want), "{:?}", texts(&o));
    assert!(!dir.path().join("scored").exists());
    std::fs::write(
        dir.path().join("spec.toml"),
        "target = \"Index\"\n\n[[factor]]\nname = \"Normalisation\"\nalternatives = [\n  { \"pipeline.normalise.method\" = \"n_minmax\" },\n  { \"pipeline.normalise.method\" = \"n_dist2ref\", \"pipeline.normalise.iref\" = \"ZZZ\" },\n]\n\n[[factor]]\nname = \"Aggregation\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\", \"a_hmean\"]\n",
    )
    .unwrap();
    let mut sens = vec![
        "sensitivity",
        "--spec",
        "spec.toml",
        "--runs",
        "8",
        "--seed",
        "1",
        "--out",
        "sa",
    ];
    sens.extend(inputs);
    let o = accord(dir.path(), &sens);
    assert_eq!(o.status.code(), Some(2), "{:?}", texts(&o));
    assert!(texts(&o).1.contains(want), "{:?}", texts(&o));
    assert!(!dir.path().join("sa").exists());
}
