//! Properties over random rubrics and random evidence: small valid rubrics (a tree 1 to 3 deep,
//! random weights, 1 to 6 criteria of the boolean, levels, bands, goalposts, date and numeric
//! rules, random facets and pipeline choices) scored on random evidence (unknown values, dated
//! rows, an optional jurisdictions file). Every outcome is a result or a clean error; scores lie
//! on the scale, coverage in [0, 1]; the order of evidence rows and jurisdictions changes nothing;
//! scoring twice gives identical results.

use accord::Scored;
use accord::error::InputError;
use accord::evidence::memory::{MemoryInputs, load_from_memory};
use accord::rubric::{LoadOptions, load_str};
use proptest::prelude::*;

const SCALES: [(f64, f64); 3] = [(0.0, 100.0), (0.0, 1.0), (1.0, 10.0)];
const DATES: [&str; 4] = ["2015-01-01", "2018-06-30", "2021-11-11", "2024-03-01"];
const LEVELS: [&str; 3] = ["none", "some", "full"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum RuleKind {
    Boolean,
    Levels,
    Bands,
    Goalposts,
    Date,
    Numeric,
}

#[derive(Debug, Clone)]
struct CriterionSpec {
    rule: RuleKind,
    weight: f64,
    direction: bool,
    /// Index of the value of each facet.
    facet_values: Vec<usize>,
}

#[derive(Debug, Clone)]
struct RubricSpec {
    scale: usize,
    depth: usize,
    /// Nodes directly above the criteria (depth 2 and 3).
    leaf_groups: usize,
    /// Nodes between the root and the leaf groups (depth 3).
    mid_groups: usize,
    node_weights: Vec<f64>,
    criteria: Vec<CriterionSpec>,
    /// Number of values of each facet.
    facets: Vec<usize>,
    impute: usize,
    aggregate: usize,
    min_coverage: usize,
}

/// One jurisdiction's evidence for one criterion.
#[derive(Debug, Clone)]
enum Cell {
    Absent,
    Unknown,
    Undated(u8),
    /// Two rows on two dates (a date field gets one status observation on the first date).
    Dated(u8, u8, usize, usize),
}

#[derive(Debug, Clone)]
struct EvidenceSpec {
    /// cells[j][c]
    cells: Vec<Vec<Cell>>,
    jurisdictions_file: bool,
    extra_jurisdiction: bool,
    seed: u64,
}

fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(1.0),
        Just(2.0),
        Just(0.5),
        (1u32..=40).prop_map(|w| w as f64 / 8.0)
    ]
}

fn rule_kind() -> impl Strategy<Value = RuleKind> {
    prop_oneof![
        Just(RuleKind::Boolean),
        Just(RuleKind::Levels),
        Just(RuleKind::Bands),
        Just(RuleKind::Goalposts),
        Just(RuleKind::Date),
        Just(RuleKind::Numeric),
    ]
}

fn rubric_spec() -> impl Strategy<Value = RubricSpec> {
    (
        0usize..SCALES.len(),
        1usize..=3,
        1usize..=3,
        1usize..=3,
        prop::collection::vec(1usize..=3, 0..=2),
        1usize..=6,
        (0usize..3, 0usize..2, 0usize..4),
    )
        .prop_flat_map(
            |(scale, depth, leaf, mid, facets, n, (impute, aggregate, min_coverage))| {
                let criterion = (
                    rule_kind(),
                    weight(),
                    any::<bool>(),
                    facets
                        .iter()
                        .map(|&k| 0..k)
                        .collect::<Vec<_>>()
                        .prop_map(|v| v),
                )
                    .prop_map(|(rule, weight, direction, facet_values)| CriterionSpec {
                        rule,
                        weight,
                        direction,
                        facet_values,
                    });
                (
                    prop::collection::vec(criterion, n),
                    prop::collection::vec(weight(), 7),
                )
                    .prop_map(move |(criteria, node_weights)| {
                        let leaf_groups = leaf.min(criteria.len());
                        RubricSpec {
                            scale,
                            depth,
                            leaf_groups,
                            mid_groups: mid.min(leaf_groups),
                            node_weights,
                            criteria,
                            facets: facets.clone(),
                            impute,
                            aggregate,
                            min_coverage,
                        }
                    })
            },
        )
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        1 => Just(Cell::Absent),
        1 => Just(Cell::Unknown),
        3 => any::<u8>().prop_map(Cell::Undated),
        2 => (any::<u8>(), any::<u8>(), 0usize..DATES.len(), 0usize..DATES.len())
            .prop_map(|(a, b, d1, d2)| Cell::Dated(a, b, d1, d2)),
    ]
}

fn evidence_spec(criteria: usize) -> impl Strategy<Value = EvidenceSpec> {
    (
        prop::collection::vec(prop::collection::vec(cell(), criteria), 1..=8),
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            |(cells, jurisdictions_file, extra_jurisdiction, seed)| EvidenceSpec {
                cells,
                jurisdictions_file,
                extra_jurisdiction,
                seed,
            },
        )
}

fn case() -> impl Strategy<Value = (RubricSpec, EvidenceSpec)> {
    rubric_spec().prop_flat_map(|r| {
        let n = r.criteria.len();
        (Just(r), evidence_spec(n))
    })
}

fn num(x: f64) -> String {
    format!("{x:?}")
}

/// The rubric's TOML text.
fn rubric_toml(spec: &RubricSpec) -> String {
    let (lo, hi) = SCALES[spec.scale];
    let at = |t: f64| lo + t * (hi - lo);
    let mut s = format!(
        "[rubric]\nid = \"random\"\nversion = \"1.0.0\"\ntitle = \"random\"\nscale = [{}, {}]\n\n",
        num(lo),
        num(hi)
    );
    let impute = ["none", "zero", "i_mean"][spec.impute];
    let aggregate = ["a_amean", "a_median"][spec.aggregate];
    let min_coverage = [0.0, 0.25, 0.5, 1.0][spec.min_coverage];
    s.push_str(&format!(
        "[pipeline.impute]\nmethod = \"{impute}\"\n\n[pipeline.normalise]\nmethod = \"n_minmax\"\n\n\
         [pipeline.aggregate]\nmethod = \"{aggregate}\"\nmin_coverage = {}\n\n",
        num(min_coverage)
    ));
    for (f, &k) in spec.facets.iter().enumerate() {
        s.push_str(&format!("[facets.f{f}]\nname = \"Facet {f}\"\n"));
        for v in 0..k {
            s.push_str(&format!("[[facets.f{f}.values]]\nid = \"f{f}v{v}\"\n"));
        }
        s.push('\n');
    }
    s.push_str("[[node]]\nid = \"ROOT\"\nname = \"Index\"\n\n");
    let mut w = spec.node_weights.iter().cycle();
    // The parent of each criterion, and the nodes above.
    let leaf_parent = |i: usize| -> String {
        match spec.depth {
            1 => "ROOT".to_string(),
            _ => format!("L{}", i % spec.leaf_groups),
        }
    };
    if spec.depth >= 3 {
        for m in 0..spec.mid_groups {
            s.push_str(&format!(
                "[[node]]\nid = \"M{m}\"\nparent = \"ROOT\"\nweight = {}\n\n",
                num(*w.next().unwrap())
            ));
        }
    }
    if spec.depth >= 2 {
        for l in 0..spec.leaf_groups {
            let parent = if spec.depth >= 3 {
                format!("M{}", l % spec.mid_groups)
            } else {
                "ROOT".to_string()
            };
            s.push_str(&format!(
                "[[node]]\nid = \"L{l}\"\nparent = \"{parent}\"\nweight = {}\n\n",
                num(*w.next().unwrap())
            ));
        }
    }
    for (i, c) in spec.criteria.iter().enumerate() {
        s.push_str(&format!(
            "[[criterion]]\nid = \"c{i}\"\nparent = \"{}\"\nquestion = \"Question {i}?\"\nweight = {}\n",
            leaf_parent(i),
            num(c.weight)
        ));
        if c.direction {
            s.push_str("direction = -1\n");
        }
        for (f, v) in c.facet_values.iter().enumerate() {
            s.push_str(&format!("f{f} = \"f{f}v{v}\"\n"));
        }
        let rule = match c.rule {
            RuleKind::Boolean => "\"boolean\"".to_string(),
            RuleKind::Levels => {
                "{ type = \"levels\", levels = [\"none\", \"some\", \"full\"] }".into()
            }
            RuleKind::Bands => format!(
                "{{ type = \"bands\", bands = [[0, {}], [2, {}], [5, {}]] }}",
                num(at(0.0)),
                num(at(0.5)),
                num(at(1.0))
            ),
            RuleKind::Goalposts => "{ type = \"goalposts\", lower = -2, upper = 8.5 }".into(),
            RuleKind::Date => "\"date\"".to_string(),
            RuleKind::Numeric => "\"numeric\"".to_string(),
        };
        s.push_str(&format!("rule = {rule}\n\n"));
    }
    s
}

fn code(j: usize) -> String {
    format!("XA{}", (b'A' + j as u8) as char)
}

/// A cell value of a criterion's field from a random byte.
fn value(rule: RuleKind, b: u8) -> String {
    match rule {
        RuleKind::Boolean => ["yes", "no"][b as usize % 2].to_string(),
        RuleKind::Levels => LEVELS[b as usize % 3].to_string(),
        RuleKind::Date => format!("20{:02}-0{}-15", b % 30, 1 + b % 9),
        RuleKind::Bands | RuleKind::Goalposts | RuleKind::Numeric => num((b as f64 - 60.0) / 8.0),
    }
}

/// Evidence rows (without header) for the spec.
fn evidence_rows(rubric: &RubricSpec, ev: &EvidenceSpec) -> Vec<String> {
    let mut rows = Vec::new();
    for (j, cells) in ev.cells.iter().enumerate() {
        let code = code(j);
        let before = rows.len();
        for (c, cell) in cells.iter().enumerate() {
            let rule = rubric.criteria[c].rule;
            match *cell {
                Cell::Absent => {}
                Cell::Unknown => rows.push(format!("{code},c{c},NA,")),
                Cell::Undated(b) => rows.push(format!("{code},c{c},{},", value(rule, b))),
                Cell::Dated(a, b, d1, d2) => {
                    if rule == RuleKind::Date {
                        let yes = ["yes", "no"][a as usize % 2];
                        rows.push(format!("{code},c{c},{yes},{}", DATES[d1]));
                    } else {
                        rows.push(format!("{code},c{c},{},{}", value(rule, a), DATES[d1]));
                        if d2 != d1 {
                            rows.push(format!("{code},c{c},{},{}", value(rule, b), DATES[d2]));
                        }
                    }
                }
            }
        }
        if rows.len() == before {
            rows.push(format!("{code},c0,NA,"));
        }
    }
    rows
}

fn jurisdiction_rows(ev: &EvidenceSpec) -> Vec<String> {
    let n = ev.cells.len() + usize::from(ev.extra_jurisdiction);
    (0..n)
        .map(|j| format!("{},Jurisdiction {j}", code(j)))
        .collect()
}

/// A deterministic shuffle from a seed.
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut v = items.to_vec();
    let mut x = seed | 1;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
    v
}

fn run(
    rubric: &str,
    evidence: &[String],
    jurisdictions: Option<&[String]>,
) -> Result<Scored, InputError> {
    let rubric = load_str("random.toml", rubric, &LoadOptions::default())
        .unwrap_or_else(|e| panic!("the generated rubric is invalid:\n{e}\n{rubric}"));
    let evidence = format!(
        "jurisdiction,criterion,value,as_of\n{}\n",
        evidence.join("\n")
    );
    let jurisdictions = jurisdictions.map(|j| format!("code,name\n{}\n", j.join("\n")));
    let files = MemoryInputs {
        evidence: evidence.as_bytes(),
        jurisdictions: jurisdictions.as_deref().map(str::as_bytes),
        dyads: None,
    };
    let inputs = load_from_memory(files, &rubric)?;
    accord::score(rubric, inputs, None)
}

fn run_spec(r: &RubricSpec, e: &EvidenceSpec, seed: Option<u64>) -> Result<Scored, InputError> {
    let text = rubric_toml(r);
    let mut rows = evidence_rows(r, e);
    let mut js = jurisdiction_rows(e);
    if let Some(seed) = seed {
        rows = shuffled(&rows, seed);
        js = shuffled(&js, seed.rotate_left(17));
    }
    run(&text, &rows, e.jurisdictions_file.then_some(js.as_slice()))
}

/// Every score of every kind, with its coverage.
fn all_scores(s: &Scored) -> [&accord::pipeline::results::Scores; 4] {
    let r = &s.results;
    [&r.criteria, &r.nodes, &r.facets, &r.cells]
}

/// An error is clean: it names problems, each with a message, and renders.
fn assert_clean(e: &InputError) {
    assert!(!e.problems.is_empty());
    assert!(e.problems.iter().all(|p| !p.message.is_empty()));
    let _ = e.render(false, false);
}

proptest! {
    #![proptest_config(crate::common::proptest_config(64))]

    #[test]
    fn scores_lie_on_the_scale_and_coverage_in_the_unit_interval((r, e) in case()) {
        match run_spec(&r, &e, None) {
            Err(err) => assert_clean(&err),
            Ok(s) => {
                let (lo, hi) = SCALES[r.scale];
                let eps = 1e-9 * (hi - lo);
                for scores in all_scores(&s) {
                    for c in 0..scores.score.ncol {
                        for row in 0..scores.score.nrow {
                            if let Some(v) = scores.score.get(row, c) {
                                prop_assert!(v >= lo - eps && v <= hi + eps, "score {} outside [{}, {}]", v, lo, hi);
                            }
                            if let Some(cov) = scores.coverage.get(row, c) {
                                prop_assert!((0.0..=1.0).contains(&cov), "coverage {}", cov);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn shuffling_evidence_rows_and_jurisdictions_changes_no_score((r, e) in case()) {
        let a = run_spec(&r, &e, None);
        let b = run_spec(&r, &e, Some(e.seed));
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a.inputs.jurisdictions.list.iter().map(|j| &j.code).collect::<Vec<_>>(),
                    &b.inputs.jurisdictions.list.iter().map(|j| &j.code).collect::<Vec<_>>());
                for (x, y) in all_scores(&a).into_iter().zip(all_scores(&b)) {
                    prop_assert_eq!(&x.score, &y.score);
                    prop_assert_eq!(&x.coverage, &y.coverage);
                }
            }
            (Err(a), Err(b)) => {
                assert_clean(&a);
                assert_clean(&b);
            }
            (a, b) => prop_assert!(false, "one order scores, the other fails: {:?} / {:?}",
                a.err().map(|e| e.to_string()), b.err().map(|e| e.to_string())),
        }
    }

    #[test]
    fn scoring_twice_gives_identical_results((r, e) in case()) {
        match (run_spec(&r, &e, None), run_spec(&r, &e, None)) {
            (Ok(a), Ok(b)) => {
                for (x, y) in all_scores(&a).into_iter().zip(all_scores(&b)) {
                    prop_assert_eq!(&x.score, &y.score);
                    prop_assert_eq!(&x.coverage, &y.coverage);
                }
                let (sa, sb) = (&a.results.stages, &b.results.stages);
                prop_assert_eq!(&sa.raw, &sb.raw);
                prop_assert_eq!(&sa.imputed, &sb.imputed);
                prop_assert_eq!(&sa.treated, &sb.treated);
                prop_assert_eq!(&a.values.values, &b.values.values);
                prop_assert_eq!(accord::output::score_files(&a), accord::output::score_files(&b));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "one run scores, the other fails: {:?} / {:?}",
                a.err().map(|e| e.to_string()), b.err().map(|e| e.to_string())),
        }
    }
}

/// `load_from_memory` (used above and by the fuzz targets) reads what `load` reads from disk,
/// and names the files `evidence.csv`, `jurisdictions.csv` and `dyads.csv` in results and in
/// messages.
#[test]
fn inputs_from_memory_read_as_files_do_and_are_named_by_their_role() {
    let rubric = load_str(
        "mini.toml",
        include_str!("../fixtures/mini/rubric.toml"),
        &LoadOptions::default(),
    )
    .unwrap();
    let files = MemoryInputs {
        evidence: include_bytes!("../fixtures/mini/evidence.csv"),
        jurisdictions: Some(include_bytes!("../fixtures/mini/jurisdictions.csv")),
        dyads: Some(include_bytes!("../fixtures/mini/dyads.csv")),
    };
    let inputs = load_from_memory(files, &rubric).unwrap();
    let fixture = |f: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mini")
            .join(f)
    };
    let on_disk = accord::evidence::load(
        &accord::evidence::InputPaths {
            evidence: fixture("evidence.csv"),
            sheet: None,
            jurisdictions: Some(fixture("jurisdictions.csv")),
            dyads: Some(fixture("dyads.csv")),
        },
        &rubric,
    )
    .unwrap();
    assert_eq!(inputs.evidence.rows.len(), on_disk.evidence.rows.len());
    for (a, b) in inputs.evidence.rows.iter().zip(&on_disk.evidence.rows) {
        assert_eq!(
            (
                a.jurisdiction,
                a.field,
                a.value,
                &a.raw,
                a.as_of,
                a.place().line
            ),
            (
                b.jurisdiction,
                b.field,
                b.value,
                &b.raw,
                b.as_of,
                b.place().line
            )
        );
    }
    assert_eq!(inputs.evidence.file.sha256, on_disk.evidence.file.sha256);
    assert_eq!(inputs.jurisdictions.len(), on_disk.jurisdictions.len());
    assert_eq!(
        inputs.dyads.as_ref().map(|d| d.list.len()),
        on_disk.dyads.as_ref().map(|d| d.list.len())
    );
    assert_eq!(inputs.evidence.file.path, "evidence.csv");
    assert_eq!(inputs.evidence.rows[0].place(), "evidence.csv:2");
    assert_eq!(
        inputs.jurisdictions.file.as_ref().unwrap().path,
        "jurisdictions.csv"
    );
    assert_eq!(inputs.dyads.as_ref().unwrap().list[0].place, "dyads.csv:2");

    let bad = MemoryInputs {
        evidence: b"jurisdiction,criterion,value\nXAA,a1,maybe\nXAB,zz,yes\n",
        jurisdictions: None,
        dyads: Some(b"a,b,instrument,status\nXAA,XAB,nope,in_force\n"),
    };
    let e = load_from_memory(bad, &rubric).unwrap_err();
    assert_eq!(e.problems.len(), 3, "{e}");
    for p in &e.problems {
        let loc = p.location.as_ref().unwrap();
        assert!(
            loc.file == "evidence.csv" || loc.file == "dyads.csv",
            "{}",
            loc.file
        );
        assert!(!p.message.contains("accord-memory-"), "{}", p.message);
        let src = loc.source.as_ref().unwrap();
        assert_eq!(src.name, loc.file);
    }
    assert!(e.render(false, false).contains("evidence.csv:2:"));
}
