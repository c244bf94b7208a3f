//! Rubric loading and validation: every problem found, each with its key and line.

use accord::rubric::{self, LoadOptions};

use crate::common::*;

fn load_text(text: &str) -> Result<accord::rubric::Rubric, accord::error::InputError> {
    let dir = temp_with(&[("r.toml", text)]);
    rubric::load(&dir.path().join("r.toml"), &LoadOptions::default())
}

fn errors(text: &str) -> Vec<String> {
    load_text(text)
        .unwrap_err()
        .problems
        .iter()
        .map(|p| p.one_line())
        .collect()
}

const HEAD: &str = "[rubric]\nid = \"t\"\nversion = \"1.0.0\"\ntitle = \"t\"\n";

#[test]
fn the_paris_call_rubric_is_valid_and_covers_every_cell() {
    let r = rubric::load(
        &root().join("rubrics/paris-call.toml"),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(r.meta.id, "paris-call");
    let principles: Vec<&str> = r.nodes[0]
        .children
        .iter()
        .map(|m| match m {
            accord::rubric::Member::Node(k) => r.nodes[*k].id.as_str(),
            accord::rubric::Member::Criterion(_) => "criterion",
        })
        .collect();
    assert_eq!(
        principles,
        ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"]
    );
    assert!(r.criteria.len() >= 27);
    let cells = r.cells();
    assert_eq!(
        cells.len(),
        27,
        "every principle x dimension cell has a criterion"
    );
    // Official short names and texts (pariscall.international/en/principles).
    let p5 = &r.nodes[r.node_index("P5").unwrap()];
    assert_eq!(p5.name, "Non-proliferation");
    assert_eq!(
        p5.text.as_deref(),
        Some(
            "Develop ways to prevent the proliferation of malicious software and practices intended to cause harm."
        )
    );
    assert!(r.meta.text_source.as_deref().unwrap().contains("916433b"));
}

#[test]
fn malformed_toml_names_the_line() {
    let e = errors(&format!("{HEAD}[[node]\nid = \"I\"\n"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("r.toml:5:"), "{e:?}");
    assert!(e[0].contains("invalid TOML"), "{e:?}");
}

#[test]
fn unknown_keys_suggest_the_closest() {
    let text = format!(
        "{HEAD}[[node]]\nid = \"I\"\n[[criterion]]\nid = \"c\"\nparent = \"I\"\nquestion = \"q\"\nrule = \"boolean\"\nwieght = 2\n"
    );
    let err = load_text(&text).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    let p = &err.problems[0];
    assert_eq!(p.message, "unknown key `criterion.c.wieght`");
    assert_eq!(p.help.as_deref(), Some("did you mean `weight`?"));
    assert_eq!(p.location.as_ref().unwrap().line, Some(12));
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = format!(
        "{HEAD}[facets.dimension]\n[[facets.dimension.values]]\nid = \"legal\"\n\
[[node]]\nid = \"I\"\n[[node]]\nid = \"P\"\nparent = \"Q\"\nweight = 0\n\
[[criterion]]\nid = \"c1\"\nparent = \"P\"\nquestion = \"q\"\nrule = \"boolean\"\n\
[[criterion]]\nid = \"c1\"\nparent = \"I\"\nquestion = \"q\"\ndimension = \"legal\"\nrule = \"boolean\"\n\
[[criterion]]\nid = \"c2\"\nparent = \"I\"\nquestion = \"q\"\ndimension = \"legal\"\nrule = {{ type = \"levels\", levels = {{ no = 0, yes = 80 }} }}\n"
    );
    let e = errors(&text);
    let all = e.join("\n");
    assert!(
        all.contains("`node.P.weight` must be positive, found 0"),
        "{all}"
    );
    assert!(
        all.contains("criterion `c1` has no value for facet `dimension`"),
        "{all}"
    );
    assert!(
        all.contains("do not cover the scale: scores run from 0 to 80"),
        "{all}"
    );
    assert!(all.contains("duplicate id `c1`"), "{all}");
    assert!(all.contains("node `P` has unknown parent `Q`"), "{all}");
    assert_eq!(e.len(), 5, "{all}");
}

#[test]
fn cycles_are_found() {
    let text = format!(
        "{HEAD}[[node]]\nid = \"I\"\n[[node]]\nid = \"A\"\nparent = \"B\"\n[[node]]\nid = \"B\"\nparent = \"A\"\n[[criterion]]\nid = \"c\"\nparent = \"A\"\nquestion = \"q\"\nrule = \"boolean\"\n"
    );
    let all = errors(&text).join("\n");
    assert!(all.contains("the nodes form a cycle: A -> B -> A"), "{all}");
}

#[test]
fn a_rule_that_cannot_read_its_evidence_type_is_refused() {
    let text = format!(
        "{HEAD}[[node]]\nid = \"I\"\n\
[[criterion]]\nid = \"c1\"\nparent = \"I\"\nquestion = \"q\"\nevidence = \"f\"\nrule = \"boolean\"\n\
[[criterion]]\nid = \"c2\"\nparent = \"I\"\nquestion = \"q\"\nevidence = \"f\"\nrule = {{ type = \"bands\", bands = [[0, 0], [1, 100]] }}\n"
    );
    let all = errors(&text).join("\n");
    assert!(all.contains("rule `bands` of criterion `c2` cannot read evidence field `f`: it expects a number, but rule `boolean` of criterion `c1` reads `f` as yes or no"), "{all}");
}

#[test]
fn unknown_parent_suggests_a_node() {
    let text = format!(
        "{HEAD}[[node]]\nid = \"INDEX\"\n[[node]]\nid = \"P1\"\nparent = \"INDX\"\n[[criterion]]\nid = \"c\"\nparent = \"P1\"\nquestion = \"q\"\nrule = \"boolean\"\n"
    );
    let err = load_text(&text).unwrap_err();
    let p = &err.problems[0];
    assert_eq!(p.message, "node `P1` has unknown parent `INDX`");
    assert_eq!(p.help.as_deref(), Some("did you mean `INDEX`?"));
    assert_eq!(p.location.as_ref().unwrap().line, Some(9));
}

#[test]
fn extends_inherits_and_overrides() {
    let base = std::fs::read_to_string(fixture("mini/rubric.toml")).unwrap();
    let variant = "[rubric]\nextends = \"base.toml\"\nid = \"mini-strict\"\nversion = \"0.2.0\"\n\n[pipeline.aggregate]\nmin_coverage = 0.9\n\n[[criterion]]\nid = \"a2\"\nweight = 1\n\n[[criterion]]\nid = \"b3\"\nremove = true\n";
    let dir = temp_with(&[("base.toml", &base), ("variant.toml", variant)]);
    let r = rubric::load(&dir.path().join("variant.toml"), &LoadOptions::default()).unwrap();
    assert_eq!(r.meta.id, "mini-strict");
    assert_eq!(r.meta.title, "Mini rubric for tests");
    assert_eq!(r.pipeline.aggregate.min_coverage, 0.9);
    assert_eq!(r.criteria[r.criterion_index("a2").unwrap()].weight, 1.0);
    assert!(r.criterion_index("b3").is_none());
    assert_eq!(r.provenance.files.len(), 2);
}

#[test]
fn extends_cycles_and_escapes_are_refused() {
    let dir = temp_with(&[
        ("a.toml", "[rubric]\nextends = \"b.toml\"\n"),
        ("b.toml", "[rubric]\nextends = \"a.toml\"\n"),
        ("sub/c.toml", "[rubric]\nextends = \"../a.toml\"\n"),
    ]);
    let e = rubric::load(&dir.path().join("a.toml"), &LoadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("makes a cycle"), "{e}");
    let e = rubric::load(&dir.path().join("sub/c.toml"), &LoadOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("points outside the rubric's folder"),
        "{e}"
    );
}

#[test]
fn set_overrides_address_settings_and_report_mistakes() {
    let path = fixture("mini/rubric.toml");
    let with = |sets: &[&str]| {
        rubric::load(
            &path,
            &LoadOptions {
                overrides: sets.iter().map(|s| s.to_string()).collect(),
                allow_extends_outside: false,
                ..LoadOptions::default()
            },
        )
    };
    let r = with(&[
        "pipeline.normalise.method=n_zscore",
        "criterion.b1.weight=2.5",
    ])
    .unwrap();
    assert_eq!(r.pipeline.normalise.method.name(), "n_zscore");
    assert_eq!(r.criteria[r.criterion_index("b1").unwrap()].weight, 2.5);
    assert_eq!(
        r.provenance.overrides,
        [
            "pipeline.normalise.method=n_zscore",
            "criterion.b1.weight=2.5"
        ]
    );
    let e = with(&["criterion.b9.weight=2"]).unwrap_err();
    assert_eq!(
        e.problems[0].message,
        "there is no `criterion` with id `b9`"
    );
    assert_eq!(e.problems[0].help.as_deref(), Some("did you mean `b1`?"));
    let e = with(&["pipeline.normalise.method=n_zscor"]).unwrap_err();
    assert_eq!(
        e.problems[0].message,
        "unknown method `n_zscor` in `pipeline.normalise.method`"
    );
    assert_eq!(
        e.problems[0].help.as_deref(),
        Some("did you mean `n_zscore`?")
    );
    assert!(
        e.problems[0]
            .location
            .as_ref()
            .unwrap()
            .file
            .starts_with("--set")
    );
    let e = with(&["pipeline.aggregate.min_coverage"]).unwrap_err();
    assert!(e.problems[0].message.contains("has no `=`"));
}

#[test]
fn a_toml_bomb_is_refused_before_parsing() {
    let deep = format!("{HEAD}x = {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let e = errors(&deep);
    assert!(e[0].contains("nested more than 64 deep"), "{e:?}");
}

/// The rubric's limits come with its load options: in one process, the mini rubric (3 nodes, 5
/// criteria) is refused under a limit of 4 criteria and read under the default.
#[test]
fn two_rubric_loads_in_one_process_keep_their_own_limits() {
    let path = fixture("mini/rubric.toml");
    let small = LoadOptions {
        limits: accord::limits::Limits {
            criteria: 4,
            ..accord::limits::Limits::default()
        },
        ..LoadOptions::default()
    };
    let e = rubric::load(&path, &small).unwrap_err();
    assert_eq!(
        e.problems[0].message,
        "the rubric has 3 nodes and 5 criteria, more than the limits of 10000 and 4"
    );
    let r = rubric::load(&path, &LoadOptions::default()).unwrap();
    assert_eq!((r.nodes.len(), r.criteria.len()), (3, 5));
    assert!(rubric::load(&path, &small).is_err());
}

#[test]
fn an_entry_of_a_table_of_tables_that_is_not_a_table_is_reported_in_its_place() {
    // `[fields]`, `[instruments]`, `[multilateral]` and `[facets]` hold one table per entry; an
    // entry written as a plain value is reported with its key and line, in its place among the
    // problems of its table's other entries (each table is read in turn, `[facets]` first).
    let text = format!(
        "{HEAD}[fields]\na = 3\n[fields.b]\ntype = \"colour\"\n[fields.c]\ntype = true\n\
[instruments]\nx = 1\n[multilateral]\nm = true\n[facets]\nf = \"legal\"\n\
[[node]]\nid = \"I\"\n[[criterion]]\nid = \"c1\"\nparent = \"I\"\nquestion = \"q\"\nrule = \"boolean\"\n"
    );
    let err = load_text(&text).unwrap_err();
    let got: Vec<(&str, Option<&str>, Option<usize>)> = err
        .problems
        .iter()
        .map(|p| {
            let at = p.location.as_deref();
            (
                p.message.as_str(),
                at.and_then(|l| l.key.as_deref()),
                at.and_then(|l| l.line),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("`facets.f` must be a table", Some("facets.f"), Some(16)),
            (
                "`fields.a` must be a table with `type`",
                Some("fields.a"),
                Some(6)
            ),
            (
                "unknown field type `colour`",
                Some("fields.b.type"),
                Some(8)
            ),
            (
                "`fields.c.type` must be a string, found a boolean",
                Some("fields.c.type"),
                Some(10)
            ),
            (
                "`instruments.x` must be a table",
                Some("instruments.x"),
                Some(12)
            ),
            (
                "`multilateral.m` must be a table",
                Some("multilateral.m"),
                Some(14)
            ),
        ]
    );
}

/// A value read, then refused, is reported at its own line and key: a pair that is not two
/// numbers, bands whose thresholds fall and a band's score off the scale, a count rule's unknown
/// side.
#[test]
fn a_refused_value_is_reported_at_its_line() {
    let text = format!(
        "{HEAD}[instruments]\next = \"extradition\"\n[pipeline.normalise]\nmethod = \"minmax\"\nl_u = [0, 50, 100]\n\
[[node]]\nid = \"I\"\n\
[[criterion]]\nid = \"c\"\nparent = \"I\"\nquestion = \"q\"\n\
rule = {{ type = \"bands\", bands = [[2, 50], [1, 120]] }}\n\
[[criterion]]\nid = \"d\"\nparent = \"I\"\nquestion = \"q\"\n\
rule = {{ type = \"count\", instruments = [\"ext\"], side = \"up\", bands = [[0, 0], [1, 100]] }}\n"
    );
    let e = load_text(&text).unwrap_err();
    let at = |part: &str| {
        let p = e
            .problems
            .iter()
            .find(|p| p.message.contains(part))
            .unwrap_or_else(|| panic!("no problem with {part:?}: {e}"));
        let l = p.location.as_ref().unwrap();
        (l.line, l.key.clone())
    };
    assert_eq!(
        at("must hold two numbers"),
        (Some(9), Some("pipeline.normalise.l_u".to_string()))
    );
    assert_eq!(at("thresholds must increase").0, Some(16));
    assert_eq!(at("lies outside the scale").0, Some(16));
    assert_eq!(at("expected `any`, `out` or `in`").0, Some(21));
}
