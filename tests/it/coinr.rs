//! COINr's ASEM example, stage by stage, and COINr's function-level references.
//!
//! The reference numbers (tests/fixtures/coinr) were produced by COINr 1.1.14 under R 4.2.2.
//! Every stage must match to 1e-9 relative (absolute 1e-12 near zero).

use std::collections::HashMap;

use accord::base::frame::Frame;
use accord::coinr::{ImportOptions, import};

use crate::common::*;

/// A reference table: header and rows keyed by their first cell.
pub struct Reference {
    pub header: Vec<String>,
    pub rows: Vec<(String, Vec<Option<f64>>)>,
    pub text: Vec<Vec<String>>,
}

impl Reference {
    pub fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
    pub fn get(&self, key: &str, col: &str) -> Option<f64> {
        let c = self.column(col);
        self.rows
            .iter()
            .find(|r| r.0 == key)
            .unwrap_or_else(|| panic!("no row {key}"))
            .1[c]
    }
}

pub fn reference(name: &str) -> Reference {
    let mut r = csv::Reader::from_path(fixture(&format!("coinr/{name}"))).expect("reference file");
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut rows = Vec::new();
    let mut text = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let cells: Vec<String> = rec.iter().map(String::from).collect();
        let nums = cells
            .iter()
            .map(|c| {
                if c.is_empty() || c == "NA" {
                    None
                } else {
                    c.parse::<f64>().ok()
                }
            })
            .collect();
        rows.push((cells[0].clone(), nums));
        text.push(cells);
    }
    Reference { header, rows, text }
}

/// Relative 1e-9, absolute 1e-12.
pub fn close(a: f64, b: f64) -> bool {
    approx::relative_eq!(a, b, epsilon = 1e-12, max_relative = 1e-9)
}

/// The ASEM example imported from COINr's iData and iMeta, with COINr's level names.
fn import_asem() -> accord::coinr::Imported {
    import(
        &fixture("coinr/ASEM_iData.csv"),
        &fixture("coinr/ASEM_iMeta.csv"),
        &ImportOptions {
            id: "asem".into(),
            limits: accord::limits::Limits::default(),
            level_names: Some(vec![
                "Indicator".into(),
                "Pillar".into(),
                "Sub-index".into(),
                "Index".into(),
            ]),
        },
    )
    .expect("import")
}

/// The ASEM example imported and scored with its build_example_coin() pipeline.
pub fn asem(sets: &[&str]) -> accord::Scored {
    try_asem(sets).unwrap_or_else(|e| panic!("scoring failed:\n{e}"))
}

/// Like `asem`, returning the error.
pub fn try_asem(sets: &[&str]) -> Result<accord::Scored, accord::error::InputError> {
    let imported = import_asem();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rubric.toml"), &imported.rubric).unwrap();
    std::fs::write(dir.path().join("evidence.csv"), &imported.evidence).unwrap();
    std::fs::write(
        dir.path().join("jurisdictions.csv"),
        &imported.jurisdictions,
    )
    .unwrap();
    crate::common::try_score_dir(&dir.path().join("rubric.toml"), dir.path(), None, sets)
}

/// The very same double: COINr's 17 significant digits read back exactly.
pub fn same_double(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

/// Compares a frame (rows = the given units, columns = criteria ids) with a reference table, to
/// 1e-9 relative.
fn compare_frame(
    s: &accord::Scored,
    frame: &Frame,
    units: &[usize],
    reference_name: &str,
    ids: &[&str],
    cols: &[usize],
) -> usize {
    compare_frame_with(s, frame, units, reference_name, ids, cols, close)
}

/// Compares a frame with a reference table, each cell with `same`.
fn compare_frame_with(
    s: &accord::Scored,
    frame: &Frame,
    units: &[usize],
    reference_name: &str,
    ids: &[&str],
    cols: &[usize],
    same: fn(f64, f64) -> bool,
) -> usize {
    let r = reference(reference_name);
    let codes: Vec<&str> = units
        .iter()
        .map(|&u| s.inputs.jurisdictions.list[u].code.as_str())
        .collect();
    let ref_codes: Vec<&str> = r.rows.iter().map(|x| x.0.as_str()).collect();
    let mut sorted_ref = ref_codes.clone();
    sorted_ref.sort();
    assert_eq!(codes, sorted_ref, "{reference_name}: units differ");
    let mut checked = 0;
    for (i, code) in codes.iter().enumerate() {
        for (id, &c) in ids.iter().zip(cols) {
            let expected = r.get(code, id);
            let got = frame.get(i, c);
            match (expected, got) {
                (None, None) => {}
                (Some(e), Some(g)) => assert!(
                    same(e, g),
                    "{reference_name} {code} {id}: COINr {e:?}, accord {g:?}"
                ),
                (e, g) => panic!("{reference_name} {code} {id}: COINr {e:?}, accord {g:?}"),
            }
            checked += 1;
        }
    }
    checked
}

fn criterion_ids(s: &accord::Scored) -> (Vec<&str>, Vec<usize>) {
    (
        s.rubric.criteria.iter().map(|c| c.id.as_str()).collect(),
        (0..s.rubric.criteria.len()).collect(),
    )
}

#[test]
fn every_stage_of_the_asem_example_matches_coinr() {
    let s = asem(&[]);
    let all: Vec<usize> = (0..s.inputs.jurisdictions.len()).collect();
    let (ids, cols) = criterion_ids(&s);
    let st = &s.results.stages;
    assert_eq!(
        compare_frame(&s, &st.raw, &all, "asem_Raw.csv", &ids, &cols),
        51 * 49
    );
    compare_frame(
        &s,
        &st.denominated,
        &all,
        "asem_Denominated.csv",
        &ids,
        &cols,
    );
    compare_frame(&s, &st.imputed, &all, "asem_Imputed.csv", &ids, &cols);
    let units = s.results.units.clone();
    assert_eq!(
        units.len(),
        51,
        "screening after imputation removes nothing"
    );
    compare_frame(&s, &st.screened, &units, "asem_Screened.csv", &ids, &cols);
    compare_frame(&s, &st.treated, &units, "asem_Treated.csv", &ids, &cols);
    compare_frame(
        &s,
        &s.results.criteria.score,
        &units,
        "asem_Normalised.csv",
        &ids,
        &cols,
    );
    compare_frame(
        &s,
        &s.results.criteria.score,
        &units,
        "asem_Aggregated.csv",
        &ids,
        &cols,
    );
    let node_ids: Vec<&str> = s.rubric.nodes.iter().map(|n| n.id.as_str()).collect();
    let node_cols: Vec<usize> = (0..node_ids.len()).collect();
    assert_eq!(
        compare_frame(
            &s,
            &s.results.nodes.score,
            &units,
            "asem_Aggregated.csv",
            &node_ids,
            &node_cols
        ),
        51 * 11
    );
}

#[test]
fn asem_scores_and_ranks_match_coinr() {
    let s = asem(&[]);
    let r = reference("asem_results_full.csv");
    for (code, _) in &r.rows {
        let rank = r.get(code, "Rank").unwrap() as u32;
        assert_eq!(rank_of(&s, code), Some(rank), "{code}");
        for node in ["Index", "Conn", "Sust", "Physical", "Social"] {
            assert!(
                close(
                    score_of(&s, code, node).unwrap(),
                    r.get(code, node).unwrap()
                ),
                "{code} {node}"
            );
        }
    }
}

fn node_ids(s: &accord::Scored) -> (Vec<&str>, Vec<usize>) {
    (
        s.rubric.nodes.iter().map(|n| n.id.as_str()).collect(),
        (0..s.rubric.nodes.len()).collect(),
    )
}

#[test]
fn a_amean_gives_coinrs_doubles_on_coinrs_asem_data() {
    use accord::pipeline::aggregate::amean;
    use accord::rubric::Member;
    // COINr's a_amean is `w <- w / sum(w); sum(w * x)`, and R's sum accumulates in extended
    // precision. accord forms the mean the same way, so from COINr's own children values every
    // pillar, sub-index and index score is COINr's double, not merely close to it (sum(w x) /
    // sum(w) with a running sum misses the last bit of 236 of these 561).
    let s = asem(&[]);
    let r = reference("asem_Aggregated.csv");
    let id = |m: &Member| match *m {
        Member::Criterion(c) => s.rubric.criteria[c].id.as_str(),
        Member::Node(k) => s.rubric.nodes[k].id.as_str(),
    };
    let mut checked = 0;
    for (code, _) in &r.rows {
        for node in &s.rubric.nodes {
            let x: Vec<Option<f64>> = node.children.iter().map(|m| r.get(code, id(m))).collect();
            let w: Vec<f64> = node
                .children
                .iter()
                .map(|m| match *m {
                    Member::Criterion(c) => s.rubric.criteria[c].weight,
                    Member::Node(k) => s.rubric.nodes[k].weight,
                })
                .collect();
            let expected = r.get(code, &node.id).unwrap();
            let got = amean(&x, &w).unwrap();
            assert!(
                same_double(got, expected),
                "{code} {}: COINr {expected:?}, accord {got:?}",
                node.id
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 51 * 11);
}

/// The ASEM example normalised with n_rank instead of n_minmax (make_reference.R): criterion
/// values are ranks, so many node scores tie.
fn asem_nrank(sets: &[&str]) -> accord::Scored {
    let mut all = vec!["pipeline.normalise.method=n_rank"];
    all.extend_from_slice(sets);
    asem(&all)
}

#[test]
fn tied_node_scores_under_n_rank_are_coinrs_doubles() {
    let s = asem_nrank(&[]);
    let units = s.results.units.clone();
    let (ids, cols) = criterion_ids(&s);
    compare_frame_with(
        &s,
        &s.results.criteria.score,
        &units,
        "asem_nrank_Aggregated.csv",
        &ids,
        &cols,
        same_double,
    );
    let (ids, cols) = node_ids(&s);
    compare_frame_with(
        &s,
        &s.results.nodes.score,
        &units,
        "asem_nrank_Aggregated.csv",
        &ids,
        &cols,
        same_double,
    );
}

#[test]
fn spearman_correlations_with_tied_scores_match_coinr_get_corr() {
    use accord::analysis::aggregated_column;
    use accord::analysis::correlation::with_ancestors;
    use accord::rubric::Member;
    // get_corr(cortype = "spearman", pval = 0) ranks the node scores as doubles: a score one bit
    // away from its tie partner gets its own rank, and rho moves (by up to 7% here).
    let s = asem_nrank(&[]);
    let id = |m: Member| match m {
        Member::Criterion(c) => s.rubric.criteria[c].id.clone(),
        Member::Node(k) => s.rubric.nodes[k].id.clone(),
    };
    let got: HashMap<(String, String), Option<f64>> =
        with_ancestors(&s.rubric, |m| aggregated_column(&s.results, m))
            .into_iter()
            .map(|l| {
                (
                    (id(l.child), s.rubric.nodes[l.ancestor].id.clone()),
                    l.spearman,
                )
            })
            .collect();
    let r = reference("asem_nrank_corr_spearman.csv");
    assert_eq!(r.text.len(), 49 * 3 + 8 * 2 + 2);
    assert_eq!(got.len(), r.text.len());
    for row in &r.text {
        let key = (row[0].clone(), row[1].clone());
        let expected: f64 = row[2].parse().unwrap();
        let rho = got[&key].unwrap();
        assert!(
            close(rho, expected),
            "{key:?}: COINr {expected}, accord {rho}"
        );
    }
}

#[test]
fn exact_ties_give_coinrs_ranks_of_tied_scores() {
    // COINr ranks the doubles: rank(-x, ties.method = "min"). With `pipeline.rank.ties = "exact"`
    // accord does too; its default counts scores equal to 12 significant digits as tied.
    let r = reference("asem_nrank_ranks.csv");
    let exact = asem_nrank(&["pipeline.rank.ties=exact"]);
    let tolerance = asem_nrank(&[]);
    let mut differ = 0;
    for (code, _) in &r.rows {
        let row = exact
            .results
            .row_of(exact.inputs.jurisdictions.index(code).unwrap())
            .unwrap();
        for (k, node) in exact.rubric.nodes.iter().enumerate() {
            let coinr = r.get(code, &node.id).map(|v| v as u32);
            assert_eq!(
                exact.results.nodes.rank(row, k),
                coinr,
                "{code} {}",
                node.id
            );
            differ += usize::from(tolerance.results.nodes.rank(row, k) != coinr);
        }
    }
    // Means of ranks that are equal in exact arithmetic but one bit apart as doubles.
    assert!(differ > 0, "the tolerance merges scores COINr ranks apart");
}

#[test]
fn leave_one_out_under_n_rank_matches_coinr_remove_elements() {
    use accord::analysis::leave_one_out::{all_criteria, nodes_at_depth, remove_each};
    use accord::rubric::Member;
    let s = asem_nrank(&["pipeline.rank.ties=exact"]);
    let r = reference("asem_nrank_remove_elements.csv");
    // COINr's levels 1, 2, 3 are accord's criteria, pillars (depth 2) and sub-indices (depth 1).
    let mut members = all_criteria(&s.rubric);
    members.extend(nodes_at_depth(&s.rubric, 2));
    members.extend(nodes_at_depth(&s.rubric, 1));
    let got = remove_each(&s, &members).unwrap();
    let id = |m: Member| match m {
        Member::Criterion(c) => s.rubric.criteria[c].id.clone(),
        Member::Node(k) => s.rubric.nodes[k].id.clone(),
    };
    let mut checked = 0;
    for row in r.text.iter().filter(|t| t[1] != "Nominal") {
        let removal = got.iter().find(|x| id(x.member) == row[1]).unwrap();
        let expected: f64 = row[2].parse().unwrap();
        assert_eq!(removal.n, 51, "{}", row[1]);
        // Means of integers over 51 units: exactly COINr's numbers.
        assert_eq!(removal.mean_abs_rank_change, Some(expected), "{}", row[1]);
        checked += 1;
    }
    assert_eq!(checked, 49 + 8 + 2);
}

#[test]
fn the_tie_rule_is_a_setting_recorded_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (rubric, data) = (fixture("mini/rubric.toml"), fixture("mini"));
    let score = |out: &std::path::Path, set: &str| {
        accord(
            dir.path(),
            &[
                "score",
                "--rubric",
                rubric.to_str().unwrap(),
                "--data",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--set",
                set,
            ],
        )
    };
    let out = dir.path().join("out");
    let o = score(&out, "pipeline.rank.ties=exact");
    assert!(o.status.success(), "{:?}", texts(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["settings"]["pipeline"]["rank"]["ties"], "exact");
    assert_eq!(
        manifest["rubric"]["overrides"][0],
        "pipeline.rank.ties=exact"
    );
    // A value it does not know is bad input: exit 2, the key named, nothing written.
    let out = dir.path().join("out2");
    let o = score(&out, "pipeline.rank.ties=exakt");
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unknown value `exakt` in `pipeline.rank.ties`"),
        "{err}"
    );
    assert!(err.contains("did you mean `exact`?"), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_mean_of_equal_children_is_their_value_where_coinr_rounds() {
    use accord::pipeline::aggregate::amean;
    // Deliberate difference: COINr's w / sum(w) with w = 1/3 makes three 50s 49.999999999999993;
    // accord gives 50, so identical children never move a score.
    let r = reference("fn_amean_equal_values.csv");
    for (_, row) in &r.rows {
        let (v, k, coinr) = (row[0].unwrap(), row[1].unwrap() as usize, row[2].unwrap());
        assert!(coinr != v && close(coinr, v), "{v} x {k}: COINr {coinr}");
        assert_eq!(amean(&vec![Some(v); k], &vec![1.0; k]), Some(v));
    }
}

/// Checks what treatment did to every numeric criterion against one of COINr's `Dets_Table`s:
/// the check before, the points winsorised, the check after, and the check after the fallback
/// where the table has it.
fn check_treatment_details(s: &accord::Scored, file: &str) {
    let details = reference(file);
    let has = |name: &str| details.header.iter().any(|h| h == name);
    for (i, row) in details.text.iter().enumerate() {
        let code = &row[0];
        let c = s.rubric.criterion_index(code).unwrap();
        let d = s.results.treatment[c]
            .as_ref()
            .expect("numeric criteria carry treatment details");
        let value = |col: &str| details.rows[i].1[details.column(col)];
        let same_check = |got: Option<accord::pipeline::treat::Check>, n: u8| {
            let pass = format!("check_SkewKurt{n}.Pass");
            match row[details.column(&pass)].as_str() {
                "" => assert_eq!(got, None, "{file} {code} check {n}"),
                flag => {
                    let got = got.unwrap_or_else(|| panic!("{file} {code}: no check {n}"));
                    assert_eq!(got.pass, flag == "TRUE", "{file} {code} check {n}");
                    let skew = value(&format!("check_SkewKurt{n}.Skew")).unwrap();
                    let kurt = value(&format!("check_SkewKurt{n}.Kurt")).unwrap();
                    assert!(close(got.skew, skew), "{file} {code} skew {n}");
                    assert!(close(got.kurt, kurt), "{file} {code} kurtosis {n}");
                }
            }
        };
        same_check(d.check0, 0);
        assert_eq!(
            d.nwin,
            value("winsorise.nwin").map(|n| n as usize),
            "{file} {code}"
        );
        if d.nwin.is_some() {
            same_check(d.check1, 1);
        }
        if has("check_SkewKurt2.Pass") {
            same_check(d.check2, 2);
        }
    }
}

#[test]
fn treatment_details_and_points_match_coinr() {
    let s = asem(&[]);
    check_treatment_details(&s, "asem_treat_details.csv");
    let points = reference("asem_treat_points.csv");
    let mut marked = 0;
    for row in &points.text {
        let j = s.inputs.jurisdictions.index(&row[0]).unwrap();
        let r = s.results.row_of(j).unwrap();
        for (k, name) in points.header.iter().enumerate().skip(1) {
            let c = s.rubric.criterion_index(name).unwrap();
            let got = s.results.treatment[c]
                .as_ref()
                .map_or_else(String::new, |d| d.point(r).into_owned());
            assert_eq!(got, row[k], "{} {name}", row[0]);
            marked += usize::from(!got.is_empty());
        }
    }
    assert_eq!(marked, 35, "34 winhi and 1 winlo");
}

#[test]
fn the_imported_rubric_spells_out_both_pairs_of_treatment_thresholds() {
    // build_example_coin()'s Treat: f1_para and f_pass_para at COINr's defaults, each editable.
    let imported = import_asem();
    let treat: Vec<&str> = imported
        .rubric
        .lines()
        .skip_while(|l| *l != "[pipeline.treat]")
        .take_while(|l| !l.is_empty())
        .map(|l| l.split('#').next().unwrap().trim_end())
        .collect();
    assert_eq!(
        treat,
        [
            "[pipeline.treat]",
            "method = \"winsorise\"",
            "winmax = 5",
            "skew_thresh = 2.0",
            "kurt_thresh = 3.5",
            "pass_skew_thresh = 2.0",
            "pass_kurt_thresh = 3.5",
            "fallback = \"log_CT\"",
        ]
    );
}

#[test]
fn winsorisation_and_the_pass_check_take_separate_thresholds_as_in_coinr() {
    // COINr's Treat passes f1_para to winsorise, which stops once its own check passes, and
    // f_pass_para to the check before and after each treatment. With only the winsorisation's
    // skewness threshold at 2.4, Flights (skew 2.24) is not winsorised at all, fails the check at
    // 2 and gets the log_CT fallback; one threshold for both treated 459 values differently.
    let units = asem(&[]).results.units.clone();
    for (set, case) in [
        ("pipeline.treat.skew_thresh=2.4", "f1_skew2.4"),
        ("pipeline.treat.pass_skew_thresh=2.4", "fpass_skew2.4"),
    ] {
        let s = asem(&[set]);
        let (ids, cols) = criterion_ids(&s);
        assert_eq!(s.results.units, units, "{case}");
        let treated = format!("asem_treated_{case}.csv");
        compare_frame(&s, &s.results.stages.treated, &units, &treated, &ids, &cols);
        check_treatment_details(&s, &format!("asem_treat_details_{case}.csv"));
    }
}

#[test]
fn screening_without_imputation_removes_the_units_coinr_removes() {
    // COINr: with imputation disabled, byNA at 0.9 removes BGD, BRN, KHM, LAO and MMR
    // (availability 0.878, 0.796, 0.878, 0.837, 0.837).
    let s = asem(&["pipeline.impute.method=none"]);
    let out: Vec<&str> = (0..s.inputs.jurisdictions.len())
        .filter(|&j| !s.results.availability[j].included)
        .map(|j| s.inputs.jurisdictions.list[j].code.as_str())
        .collect();
    assert_eq!(out, ["BGD", "BRN", "KHM", "LAO", "MMR"]);
    let avail: HashMap<&str, f64> = out
        .iter()
        .map(|c| {
            (
                *c,
                s.results.availability[s.inputs.jurisdictions.index(c).unwrap()].dat_avail,
            )
        })
        .collect();
    assert_eq!((avail["BRN"] * 1000.0).round() / 1000.0, 0.796);
    assert_eq!(s.results.units.len(), 46);
}

fn fn_vector() -> Vec<Option<f64>> {
    vec![
        Some(3.0),
        Some(1.0),
        Some(4.0),
        Some(1.0),
        Some(5.0),
        Some(9.0),
        Some(2.0),
        Some(6.0),
        None,
        Some(5.0),
    ]
}

fn check_vector(name: &str, got: &[Option<f64>]) {
    let r = reference("fn_vector_reference.csv");
    let c = r.column(name);
    for (i, (_, row)) in r.rows.iter().enumerate() {
        match (row[c], got[i]) {
            (None, None) => {}
            (Some(e), Some(g)) => assert!(close(e, g), "{name}[{i}]: COINr {e}, accord {g}"),
            (e, g) => panic!("{name}[{i}]: COINr {e:?}, accord {g:?}"),
        }
    }
}

#[test]
fn every_normalisation_matches_coinr_on_the_reference_vector() {
    use accord::rubric::normalise::normalise;
    use accord::rubric::settings::{NormaliseMethod as M, default_normalise};
    let x = fn_vector();
    let spec = |m: M| accord::rubric::settings::NormaliseSpec {
        method: m,
        ..default_normalise()
    };
    let n = |s: accord::rubric::settings::NormaliseSpec,
             dir: f64,
             target: Option<f64>,
             reference: Option<Option<f64>>| {
        normalise(&x, &s, dir, target, reference, [0.0, 100.0]).unwrap()
    };
    check_vector("n_minmax", &n(spec(M::MinMax), 1.0, None, None));
    check_vector("n_zscore", &n(spec(M::ZScore), 1.0, None, None));
    check_vector("n_rank", &n(spec(M::Rank), 1.0, None, None));
    check_vector("n_borda", &n(spec(M::Borda), 1.0, None, None));
    check_vector("n_prank", &n(spec(M::PRank), 1.0, None, None));
    check_vector("n_fracmax", &n(spec(M::FracMax), 1.0, None, None));
    check_vector("n_dist2max", &n(spec(M::Dist2Max), 1.0, None, None));
    // iref = the third unit (value 4).
    check_vector(
        "n_dist2ref_iref3",
        &n(
            accord::rubric::settings::NormaliseSpec {
                iref: Some("x".into()),
                ..spec(M::Dist2Ref)
            },
            1.0,
            None,
            Some(Some(4.0)),
        ),
    );
    check_vector(
        "n_dist2ref_iref3_cap",
        &n(
            accord::rubric::settings::NormaliseSpec {
                iref: Some("x".into()),
                cap_max: true,
                ..spec(M::Dist2Ref)
            },
            1.0,
            None,
            Some(Some(4.0)),
        ),
    );
    check_vector(
        "n_dist2targ_6_cap",
        &n(
            accord::rubric::settings::NormaliseSpec {
                cap_max: true,
                ..spec(M::Dist2Targ)
            },
            1.0,
            Some(6.0),
            None,
        ),
    );
    check_vector(
        "n_goalposts_2_8_100",
        &n(
            accord::rubric::settings::NormaliseSpec {
                gposts: Some([2.0, 8.0, 100.0]),
                ..spec(M::Goalposts)
            },
            1.0,
            None,
            None,
        ),
    );
    check_vector(
        "n_scaled_0_10",
        &n(
            accord::rubric::settings::NormaliseSpec {
                npara: [0.0, 10.0],
                scale_factor: 100.0,
                ..spec(M::Scaled)
            },
            1.0,
            None,
            None,
        ),
    );
}

#[test]
fn rank_ties_and_negative_goalposts_match_coinr() {
    use accord::rubric::normalise::normalise;
    use accord::rubric::settings::{NormaliseMethod as M, NormaliseSpec, Ties, default_normalise};
    let x = fn_vector();
    let avg = NormaliseSpec {
        method: M::Rank,
        ties: Ties::Average,
        ..default_normalise()
    };
    check_vector(
        "n_rank_avg",
        &normalise(&x, &avg, 1.0, None, None, [0.0, 100.0]).unwrap(),
    );
    // COINr's n_goalposts for a direction -1 indicator flips twice (the data, then the goalposts
    // inside the function), so its result equals the direction +1 one. accord applies the
    // direction once: with goalposts (2, 8) in raw units and lower being better, 2 scores 100 and
    // 8 scores 0, the mirror image of COINr's column.
    let gp = NormaliseSpec {
        method: M::Goalposts,
        gposts: Some([2.0, 8.0, 100.0]),
        ..default_normalise()
    };
    let accord_minus = normalise(&x, &gp, -1.0, None, None, [0.0, 100.0]).unwrap();
    let r = reference("fn_vector_reference.csv");
    let c = r.column("n_goalposts_dirm1");
    for (i, (_, row)) in r.rows.iter().enumerate() {
        match (row[c], accord_minus[i]) {
            (Some(coinr), Some(ours)) => assert!(
                close(100.0 - coinr, ours),
                "{i}: COINr {coinr}, accord {ours}"
            ),
            (None, None) => {}
            other => panic!("{i}: {other:?}"),
        }
    }
    check_vector(
        "n_goalposts_dirm1",
        &normalise(&x, &gp, 1.0, None, None, [0.0, 100.0]).unwrap(),
    );
}

#[test]
fn imputations_and_log_transforms_match_coinr_on_the_reference_vector() {
    use accord::pipeline::impute::impute;
    use accord::rubric::settings::ImputeMethod;
    // The grouped references use alternating groups a, b, a, b, ...: the NA (9th, group a) gets
    // the mean and the median of 3, 4, 5, 2, both 3.5.
    let groups: Vec<Option<&str>> = (0..10)
        .map(|i| Some(if i % 2 == 0 { "a" } else { "b" }))
        .collect();
    for (name, m) in [
        ("i_mean", ImputeMethod::Mean),
        ("i_median", ImputeMethod::Median),
        ("i_mean_grp", ImputeMethod::MeanGroup),
        ("i_median_grp", ImputeMethod::MedianGroup),
    ] {
        let mut x = fn_vector();
        assert_eq!(impute(&mut x, m, Some(&groups), 0.0), 1);
        check_vector(name, &x);
    }
    use accord::pipeline::treat::{boxcox, log_ct, log_ct_orig, log_ct_plus};
    check_vector("log_CT", &log_ct(&fn_vector()));
    check_vector("log_CT_orig", &log_ct_orig(&fn_vector()));
    let (plus, label) = log_ct_plus(&fn_vector());
    assert_eq!(label, "log_CT", "positive skew takes the plain branch");
    check_vector("log_CT_plus", &plus);
    check_vector("boxcox_l05", &boxcox(&fn_vector(), 0.5));
}

#[test]
fn skewness_and_kurtosis_match_coinr() {
    use accord::base::stats::{kurt, skew};
    let r = reference("fn_skewkurt_reference.csv");
    let x: Vec<f64> = fn_vector().into_iter().flatten().collect();
    assert!(close(skew(&x).unwrap(), r.get("skew_x", "value").unwrap()));
    assert!(close(kurt(&x).unwrap(), r.get("kurt_x", "value").unwrap()));
    let outlier: Vec<f64> = (1..=10).map(f64::from).chain([100.0]).collect();
    assert!(close(
        skew(&outlier).unwrap(),
        r.get("skew_outlier", "value").unwrap()
    ));
    assert!(close(
        kurt(&outlier).unwrap(),
        r.get("kurt_outlier", "value").unwrap()
    ));
    assert_eq!(skew(&[1.0, 2.0]), None, "fewer than 3 values");
    assert_eq!(kurt(&[1.0, 2.0, 3.0]), None, "fewer than 4 values");
}

#[test]
fn winsorisation_cases_match_coinr() {
    use accord::pipeline::treat::winsorise;
    use accord::rubric::settings::{TreatMethod, no_treatment};
    // The reference lists outputs only; the inputs are the vectors whose extremes were pulled in:
    // w1 = c(1:10, 100); w2 = c(1:20, 100, 100); w3 = c(-100, -100, 1:20); w4 = w2 forcing 3 points.
    let seq = |a: i32, b: i32| (a..=b).map(|v| Some(f64::from(v))).collect::<Vec<_>>();
    let cases: Vec<(&str, Vec<Option<f64>>, bool, u32)> = vec![
        ("w1", [seq(1, 10), vec![Some(100.0)]].concat(), false, 5),
        ("w2", [seq(1, 20), vec![Some(100.0); 2]].concat(), false, 5),
        ("w3", [vec![Some(-100.0); 2], seq(1, 20)].concat(), false, 5),
        (
            "w4_force",
            [seq(1, 20), vec![Some(100.0); 2]].concat(),
            true,
            3,
        ),
    ];
    let r = reference("fn_winsorise_reference.csv");
    for (case, x, force, winmax) in cases {
        let spec = accord::rubric::settings::TreatSpec {
            method: TreatMethod::Winsorise,
            winmax: Some(winmax),
            force_win: force,
            ..no_treatment()
        };
        let mut marks = vec![""; x.len()];
        let (y, nwin) = winsorise(&x, &spec, &mut marks);
        let rows: Vec<&Vec<String>> = r.text.iter().filter(|t| t[0] == case).collect();
        assert_eq!(rows.len(), x.len(), "{case}");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(y[i], Some(row[2].parse::<f64>().unwrap()), "{case}[{i}]");
            assert_eq!(marks[i], row[3], "{case}[{i}]");
            assert_eq!(nwin, row[4].parse::<usize>().unwrap(), "{case}");
        }
    }
}

#[test]
fn weighted_means_match_coinr() {
    use accord::pipeline::aggregate::aggregate;
    use accord::rubric::settings::AggregateMethod as A;
    let r = reference("fn_aggregate_reference.csv");
    let x = [Some(2.0), Some(4.0), None, Some(8.0)];
    let w = [1.0, 2.0, 3.0, 1.0];
    assert!(close(
        aggregate(A::AMean, &x, &w, None).unwrap().unwrap(),
        r.get("a_amean", "value").unwrap()
    ));
    assert!(close(
        aggregate(A::GMean, &x, &w, None).unwrap().unwrap(),
        r.get("a_gmean", "value").unwrap()
    ));
    assert!(close(
        aggregate(A::HMean, &x, &w, None).unwrap().unwrap(),
        r.get("a_hmean", "value").unwrap()
    ));
    // COINr's a_genmean is not NA-aware: any NA gives NA (the reference's empty cell). accord drops
    // the unknown child like every other mean: sqrt((1*4 + 2*16 + 1*64)/4) = 5.
    assert_eq!(r.get("a_genmean_p2", "value"), None);
    assert_eq!(aggregate(A::GenMean, &x, &w, Some(2.0)).unwrap(), Some(5.0));
    let no_na = [Some(2.0), Some(4.0), Some(8.0)];
    assert!(close(
        aggregate(A::GenMean, &no_na, &[1.0, 2.0, 1.0], Some(-1.0))
            .unwrap()
            .unwrap(),
        r.get("a_genmean_pm1_noNA", "value").unwrap()
    ));
    // A geometric mean over a zero is an error, not a NaN.
    assert!(aggregate(A::GMean, &[Some(0.0), Some(1.0)], &[1.0, 1.0], None).is_err());
    assert!(aggregate(A::HMean, &[Some(0.0), Some(1.0)], &[1.0, 1.0], None).is_err());
}

#[test]
fn outranking_matrix_and_copeland_match_coinr() {
    use accord::pipeline::aggregate::{copeland, outrank_matrix};
    // COINr's own test matrix: x1 = 1:4, x2 = c(3, 2, 1, 5), x3 = c(2, 3, 1, 4); weights (1, 2, 1).
    let x: Vec<Vec<Option<f64>>> = [
        [1.0, 3.0, 2.0],
        [2.0, 2.0, 3.0],
        [3.0, 1.0, 1.0],
        [4.0, 5.0, 4.0],
    ]
    .iter()
    .map(|r| r.iter().map(|v| Some(*v)).collect())
    .collect();
    let w = [1.0, 2.0, 1.0];
    let o = outrank_matrix(&x, &w);
    let r = reference("fn_outrank_matrix_w121.csv");
    let expected: Vec<Vec<f64>> = r
        .text
        .iter()
        .map(|row| row.iter().map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(expected.len(), 4);
    for i in 0..4 {
        for j in 0..4 {
            assert!(
                close(o[i][j], expected[i][j]),
                "O[{i}][{j}]: COINr {}, accord {}",
                expected[i][j],
                o[i][j]
            );
        }
    }
    let c = reference("fn_copeland_w121.csv");
    let scores: Vec<f64> = c.rows.iter().map(|r| r.1[0].unwrap()).collect();
    assert_eq!(copeland(&x, &w), scores);
}

/// Copeland scores from COINr's outranking matrix with an entry within 1e-9 of 0.5 taken as the
/// draw it is: COINr's own rounding can leave a draw one bit off 0.5 (with the weights used here
/// every other entry is at least 1/54 away from 0.5).
fn copeland_from(matrix: &[Vec<f64>]) -> Vec<f64> {
    (0..matrix.len())
        .map(|i| {
            (0..matrix.len())
                .filter(|&j| j != i)
                .map(|j| {
                    let d = matrix[i][j] - 0.5;
                    if d.abs() < 1e-9 { 0.0 } else { d.signum() }
                })
                .sum()
        })
        .collect()
}

#[test]
fn copeland_draws_are_exact_on_coinrs_hand_cases() {
    use accord::pipeline::aggregate::{copeland, outrank_matrix};
    // A is behind B on x1 and x2, ahead on x3 and x4 and level on x5 and x6; C is 3 and D is 2
    // everywhere (make_reference.R). With weights where w1 + w2 = w3 + w4, A against B is a
    // draw, and so are D against A and D against B; C beats everyone. Adding w / sum(w) (or half
    // of it) one child at a time missed 0.5 by a bit with the equal, unequal and decimal weights.
    let x: Vec<Vec<Option<f64>>> = [
        [1.0, 1.0, 5.0, 5.0, 2.0, 2.0],
        [5.0, 5.0, 1.0, 1.0, 2.0, 2.0],
        [3.0; 6],
        [2.0; 6],
    ]
    .iter()
    .map(|r| r.iter().map(|v| Some(*v)).collect())
    .collect();
    let r = reference("fn_copeland_hand.csv");
    for (case, w) in [
        ("equal", [1.0; 6]),
        ("unequal", [2.0, 4.0, 1.0, 5.0, 3.0, 6.0]),
        ("unequal_rounding", [1.0, 4.0, 2.0, 3.0, 5.0, 6.0]),
        ("decimal", [0.7, 0.2, 0.4, 0.5, 0.3, 0.6]),
    ] {
        let rows: Vec<&Vec<String>> = r.text.iter().filter(|t| t[0] == case).collect();
        let coinr_matrix: Vec<Vec<f64>> = rows
            .iter()
            .map(|t| t[3..7].iter().map(|c| c.parse().unwrap()).collect())
            .collect();
        let coinr_scores: Vec<f64> = rows.iter().map(|t| t[2].parse().unwrap()).collect();
        let o = outrank_matrix(&x, &w);
        for i in 0..4 {
            for j in 0..4 {
                assert!(close(o[i][j], coinr_matrix[i][j]), "{case} O[{i}][{j}]");
            }
        }
        for (i, j) in [(0, 1), (1, 0), (0, 3), (3, 0), (1, 3), (3, 1)] {
            assert_eq!(o[i][j], 0.5, "{case}: O[{i}][{j}] is a draw");
        }
        let scores = copeland(&x, &w);
        assert_eq!(scores, copeland_from(&coinr_matrix), "{case}");
        assert_eq!(scores, [-1.0, -1.0, 3.0, -1.0], "{case}");
        if case == "unequal_rounding" {
            // Deliberate difference: COINr's O[A][B], O[A][D] and O[B][D] are
            // 0.49999999999999994, so the earlier unit of each pair loses a draw that the later
            // one, at 1 - O = 0.5, draws: scores that do not even add up to zero.
            assert_eq!(coinr_matrix[0][1], 0.5f64.next_down(), "{case}");
            assert_eq!(coinr_scores, [-3.0, -2.0, 3.0, -1.0], "{case}");
        } else {
            assert_eq!(scores, coinr_scores, "{case}");
        }
    }
}

/// ASEM's Instit pillar in the order of make_reference.R.
const INSTIT: [&str; 6] = ["CostImpEx", "RTAs", "Tariff", "TBTs", "TIRcon", "Visa"];

#[test]
fn copeland_on_asem_instit_matches_coinr() {
    use accord::pipeline::aggregate::copeland;
    // COINr's a_copeland on its own Normalised data for the pillar; through the pipeline with the
    // pillar's aggregation set to a_copeland (COINr cannot call it from Aggregate). AUS against
    // JPN is 2 wins, 2 ties and 2 losses with equal weights: BGR scored -6 here, 3 in COINr.
    let normalised = reference("asem_Normalised.csv");
    let r = reference("asem_copeland_instit.csv");
    let matrix = reference("asem_outrank_instit_w123321.csv");
    let codes: Vec<&str> = r.rows.iter().map(|x| x.0.as_str()).collect();
    let x: Vec<Vec<Option<f64>>> = codes
        .iter()
        .map(|c| INSTIT.iter().map(|i| normalised.get(c, i)).collect())
        .collect();
    for (column, w) in [
        ("w111111", [1.0; 6]),
        ("w123456", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        ("w123321", [1.0, 2.0, 3.0, 3.0, 2.0, 1.0]),
    ] {
        let coinr: Vec<f64> = codes.iter().map(|c| r.get(c, column).unwrap()).collect();
        let expected = if column == "w123321" {
            // COINr's sums leave some draws a bit off 0.5 with these weights, one side losing
            // while the other draws: its scores are not antisymmetric. The draws it meant:
            let m: Vec<Vec<f64>> = matrix
                .rows
                .iter()
                .map(|row| row.1[1..].iter().map(|v| v.unwrap()).collect())
                .collect();
            let meant = copeland_from(&m);
            assert_ne!(meant, coinr, "{column}");
            meant
        } else {
            coinr
        };
        assert_eq!(copeland(&x, &w), expected, "{column}");
        let mut sets = vec!["node.Instit.aggregate=a_copeland".to_string()];
        sets.extend(
            INSTIT
                .iter()
                .zip(w)
                .map(|(c, wk)| format!("criterion.{c}.weight={wk}")),
        );
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        let s = asem(&sets);
        for (code, e) in codes.iter().zip(&expected) {
            assert_eq!(score_of(&s, code, "Instit"), Some(*e), "{column} {code}");
        }
    }
}

#[test]
fn pca_weights_use_the_first_component_of_each_node() {
    // Squared loadings: every pillar score is sum(l^2 x) / sum(l^2) with COINr's PC1 loadings
    // (asem_pca_weights_L1_normalised.csv; their sign does not matter once squared) and COINr's
    // normalised values.
    let s = asem(&["pipeline.weights.method=pca_squared"]);
    let loadings = reference("asem_pca_weights_L1_normalised.csv");
    let normalised = reference("asem_Normalised.csv");
    let lineage = reference("asem_lineage.csv");
    for pillar in [
        "Physical",
        "ConEcFin",
        "Political",
        "Instit",
        "P2P",
        "Environ",
        "Social",
        "SusEcFin",
    ] {
        let children: Vec<&str> = lineage
            .text
            .iter()
            .filter(|r| r[1] == pillar)
            .map(|r| r[0].as_str())
            .collect();
        for code in ["AUS", "CHE", "MMR"] {
            let (mut num, mut den) = (0.0, 0.0);
            for c in &children {
                let l = loadings.get(c, "Weight").unwrap();
                num += l * l * normalised.get(code, c).unwrap();
                den += l * l;
            }
            let got = score_of(&s, code, pillar).unwrap();
            assert!(
                close(got, num / den),
                "{pillar} {code}: accord {got}, expected {}",
                num / den
            );
        }
    }
    // Plain loadings must all be positive to be weights; on ASEM some are not.
    let imported = import(
        &fixture("coinr/ASEM_iData.csv"),
        &fixture("coinr/ASEM_iMeta.csv"),
        &ImportOptions {
            id: "asem".into(),
            limits: accord::limits::Limits::default(),
            level_names: None,
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rubric.toml"), &imported.rubric).unwrap();
    std::fs::write(dir.path().join("evidence.csv"), &imported.evidence).unwrap();
    std::fs::write(
        dir.path().join("jurisdictions.csv"),
        &imported.jurisdictions,
    )
    .unwrap();
    let e = try_score_dir(
        &dir.path().join("rubric.toml"),
        dir.path(),
        None,
        &["pipeline.weights.method=pca"],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("on the first component, and a weight must be positive"),
        "{e}"
    );
}

#[test]
fn constant_columns_are_a_clear_error_not_a_nan() {
    use accord::rubric::normalise::normalise;
    use accord::rubric::settings::{NormaliseMethod as M, NormaliseSpec, default_normalise};
    let x = [Some(2.0), Some(2.0), None, Some(2.0)];
    for m in [M::MinMax, M::ZScore, M::Dist2Max] {
        let e = normalise(
            &x,
            &NormaliseSpec {
                method: m,
                ..default_normalise()
            },
            1.0,
            None,
            None,
            [0.0, 100.0],
        )
        .unwrap_err();
        assert!(
            e.contains("every known value is 2") || e.contains("standard deviation is 0"),
            "{m:?}: {e}"
        );
    }
    // COINr returns NaN with a warning for n_minmax on a constant column; accord says why.
    let ranks = normalise(
        &x,
        &NormaliseSpec {
            method: M::Rank,
            ..default_normalise()
        },
        1.0,
        None,
        None,
        [0.0, 100.0],
    )
    .unwrap();
    assert_eq!(
        ranks,
        [Some(1.0), Some(1.0), None, Some(1.0)],
        "ties share the lowest rank"
    );
    // Treatment leaves a constant column alone (skewness is undefined) and says so.
    let spec = accord::rubric::settings::TreatSpec {
        method: accord::rubric::settings::TreatMethod::Winsorise,
        ..accord::rubric::settings::no_treatment()
    };
    let (y, d) = accord::pipeline::treat::treat(
        &[Some(1.0), Some(1.0), Some(1.0), Some(1.0), Some(1.0)],
        &spec,
    );
    assert_eq!(y, vec![Some(1.0); 5]);
    assert!(d.skipped.is_some());
}

mod sums {
    use accord::pipeline::aggregate::{aggregate, amean, amean_terms};
    use accord::rubric::settings::AggregateMethod as A;
    use proptest::prelude::*;

    /// A row of children: values (some unknown) and positive weights.
    fn row() -> impl Strategy<Value = Vec<(Option<f64>, f64)>> {
        prop::collection::vec(
            (prop::option::weighted(0.9, 0.01f64..100.0), 0.01f64..10.0),
            2..12,
        )
    }

    proptest! {
        #![proptest_config(crate::common::proptest_config(256))]

        #[test]
        fn means_do_not_depend_on_the_order_of_the_children(row in row()) {
            // R's sums round once, at the end, so no order of the children is privileged.
            let (x, w): (Vec<Option<f64>>, Vec<f64>) = row.iter().copied().unzip();
            let (xr, wr): (Vec<Option<f64>>, Vec<f64>) = row.iter().rev().copied().unzip();
            for (method, p) in [(A::AMean, None), (A::GMean, None), (A::HMean, None), (A::GenMean, Some(2.0))] {
                prop_assert_eq!(
                    aggregate(method, &x, &w, p).unwrap(),
                    aggregate(method, &xr, &wr, p).unwrap(),
                    "{:?}", method
                );
            }
        }

        #[test]
        fn explain_terms_add_up_to_the_mean_in_order(row in row()) {
            // Values on a scale (not negative): adding the parts as a reader does, in order, gives
            // the mean bit for bit, even where the sum of the earlier parts lands halfway between
            // two doubles next to it.
            let (x, w): (Vec<Option<f64>>, Vec<f64>) = row.iter().copied().unzip();
            let terms = amean_terms(&x, &w);
            match amean(&x, &w) {
                Some(mean) => prop_assert_eq!(terms.iter().flatten().sum::<f64>(), mean),
                None => prop_assert!(terms.iter().all(Option::is_none)),
            }
        }
    }
}
