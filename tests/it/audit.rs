//! Audit analyses against COINr's reference numbers for the ASEM example (tests/fixtures/coinr),
//! plus small hand-computed cases.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use accord::Scored;
use accord::analysis::availability::{by_node, by_row, row_availability};
use accord::analysis::correlation::{average_ranks, pearson, spearman, with_ancestors};
use accord::analysis::leave_one_out::{nodes_at_depth, remove_each};
use accord::analysis::stats::{Thresholds, column_stats, stats};
use accord::analysis::{Stage, aggregated_column, cronbach};
use accord::base::pca::{first_component, pca};
use accord::coinr::{ImportOptions, import};
use accord::rubric::Member;
use approx::{assert_abs_diff_eq, assert_relative_eq};

use crate::common::{accord, fixture, score_dir, texts};

/// Relative tolerance for numbers COINr wrote with 17 significant digits.
const REL: f64 = 1e-9;

/// Writes the ASEM example, imported from COINr's iData and iMeta, into `dir`.
fn import_asem(dir: &Path) {
    let imported = import(
        &fixture("coinr/ASEM_iData.csv"),
        &fixture("coinr/ASEM_iMeta.csv"),
        &ImportOptions {
            id: "asem".to_string(),
            limits: accord::limits::Limits::default(),
            level_names: Some(
                ["Indicator", "Pillar", "Sub-index", "Index"]
                    .map(String::from)
                    .to_vec(),
            ),
        },
    )
    .unwrap();
    std::fs::write(dir.join("rubric.toml"), imported.rubric).unwrap();
    std::fs::write(dir.join("evidence.csv"), imported.evidence).unwrap();
    std::fs::write(dir.join("jurisdictions.csv"), imported.jurisdictions).unwrap();
}

/// The ASEM example, imported and scored once.
fn asem() -> &'static Scored {
    static SCORED: OnceLock<Scored> = OnceLock::new();
    SCORED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        import_asem(dir.path());
        score_dir(&dir.path().join("rubric.toml"), dir.path(), None, &[])
    })
}

/// A reference CSV: header and rows of cells.
fn reference(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    read_csv(&fixture(&format!("coinr/{name}")))
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// A reference number; empty (COINr's NA) is `None`.
fn num(s: &str) -> Option<f64> {
    if s.is_empty() || s == "NA" {
        None
    } else {
        Some(s.parse().unwrap())
    }
}

/// Asserts two optional numbers agree within a relative tolerance.
fn assert_close(got: Option<f64>, want: Option<f64>, rel: f64, what: &str) {
    match (got, want) {
        (Some(g), Some(w)) => {
            assert!(
                approx::relative_eq!(g, w, max_relative = rel),
                "{what}: got {g}, COINr {w}"
            );
        }
        (g, w) => assert_eq!(g, w, "{what}"),
    }
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

fn member(s: &Scored, id: &str) -> Member {
    s.rubric.node_index(id).map_or_else(
        || Member::Criterion(s.rubric.criterion_index(id).unwrap()),
        Member::Node,
    )
}

fn row_of_code(s: &Scored, code: &str) -> usize {
    s.inputs.jurisdictions.index(code).unwrap()
}

#[test]
fn stats_match_coinr_get_stats_on_raw() {
    let s = asem();
    let got = stats(Stage::Raw.frame(&s.results), &Thresholds::default());
    let (h, rows) = reference("asem_stats_raw.csv");
    assert_eq!(rows.len(), s.rubric.criteria.len());
    for row in &rows {
        let c = s.rubric.criterion_index(&row[0]).unwrap();
        let st = &got[c];
        let numbers = [
            ("Min", st.min),
            ("Max", st.max),
            ("Mean", st.mean),
            ("Median", st.median),
            ("Std", st.std),
            ("Skew", st.skew),
            ("Kurt", st.kurt),
            ("Frc.Avail", st.frc_avail),
            ("Frc.NonZero", st.frc_nonzero),
            ("Frc.Unique", st.frc_unique),
            ("Frc.Same", st.frc_same),
        ];
        for (name, value) in numbers {
            let want = num(&row[column(&h, name)]);
            assert_close(value, want, REL, &format!("{} {name}", row[0]));
        }
        let counts = [
            ("N.Avail", st.n_avail),
            ("N.NonZero", st.n_nonzero),
            ("N.Unique", st.n_unique),
            ("N.Same", st.n_same),
        ];
        for (name, value) in counts {
            assert_eq!(
                value.to_string(),
                row[column(&h, name)],
                "{} {name}",
                row[0]
            );
        }
        let low = |b: bool| if b { "LOW" } else { "ok" };
        assert_eq!(low(st.low_avail), row[column(&h, "Flag.Avail")]);
        assert_eq!(low(st.low_nonzero), row[column(&h, "Flag.NonZero")]);
        assert_eq!(low(st.low_unique), row[column(&h, "Flag.Unique")]);
        let out = match st.outliers {
            Some(true) => "OUT",
            Some(false) => "ok",
            None => "NA",
        };
        assert_eq!(
            out,
            row[column(&h, "Flag.SkewKurt")],
            "{} Flag.SkewKurt",
            row[0]
        );
    }
}

#[test]
fn data_availability_matches_coinr_on_raw() {
    let s = asem();
    let raw = Stage::Raw.frame(&s.results);
    let got = by_row(raw);
    let (h, rows) = reference("asem_data_avail_raw.csv");
    assert_eq!(rows.len(), got.len());
    for row in &rows {
        let a = &got[row_of_code(s, &row[0])];
        assert_eq!(a.n_missing.to_string(), row[column(&h, "N_missing")]);
        assert_eq!(a.n_zero.to_string(), row[column(&h, "N_zero")]);
        assert_eq!(
            a.n_miss_or_zero.to_string(),
            row[column(&h, "N_miss_or_zero")]
        );
        assert_close(
            a.dat_avail,
            num(&row[column(&h, "Dat_Avail")]),
            REL,
            &row[0],
        );
        assert_close(a.non_zero, num(&row[column(&h, "Non_Zero")]), REL, &row[0]);
    }

    let groups = by_node(raw, &s.rubric);
    let (h, rows) = reference("asem_data_avail_bygroup_raw.csv");
    assert_eq!(h.len() - 1, s.rubric.nodes.len());
    for row in &rows {
        let r = row_of_code(s, &row[0]);
        for (i, id) in h.iter().enumerate().skip(1) {
            let k = s.rubric.node_index(id).unwrap();
            assert_close(
                groups.get(r, k),
                num(&row[i]),
                REL,
                &format!("{} {id}", row[0]),
            );
        }
    }
}

#[test]
fn screening_summary_matches_coinr() {
    // COINr screens the imputed data: availability of the screen's input and its decision.
    let s = asem();
    let got = by_row(&s.results.stages.imputed);
    let (h, rows) = reference("asem_screen_summary.csv");
    assert_eq!(rows.len(), got.len());
    let flag = |b: bool| if b { "TRUE" } else { "FALSE" };
    for row in &rows {
        let j = row_of_code(s, &row[0]);
        let (a, d) = (&got[j], &s.results.availability[j]);
        assert_eq!(a.n_missing.to_string(), row[column(&h, "N_missing")]);
        assert_eq!(a.n_zero.to_string(), row[column(&h, "N_zero")]);
        assert_close(
            a.dat_avail,
            num(&row[column(&h, "Dat_Avail")]),
            REL,
            &row[0],
        );
        assert_close(a.non_zero, num(&row[column(&h, "Non_Zero")]), REL, &row[0]);
        assert_eq!(flag(d.low_data), row[column(&h, "LowData")]);
        assert_eq!(flag(d.low_nonzero), row[column(&h, "LowNonZero")]);
        assert_eq!(flag(d.included), row[column(&h, "Included")]);
    }
}

/// Child-ancestor Pearson correlations on COINr's Aggregated data (normalised criteria and
/// node scores), keyed by (ancestor, child).
fn asem_correlations(s: &Scored) -> HashMap<(String, String), (usize, Option<f64>)> {
    let id = |m: Member| match m {
        Member::Criterion(c) => s.rubric.criteria[c].id.clone(),
        Member::Node(k) => s.rubric.nodes[k].id.clone(),
    };
    with_ancestors(&s.rubric, |m| aggregated_column(&s.results, m))
        .into_iter()
        .map(|l| {
            (
                (s.rubric.nodes[l.ancestor].id.clone(), id(l.child)),
                (l.n, l.pearson),
            )
        })
        .collect()
}

#[test]
fn child_ancestor_correlations_match_coinr_on_aggregated_data() {
    let s = asem();
    let got = asem_correlations(s);
    // Every criterion with its pillar, and every pillar with the index (its grandparent). The
    // references keep correlations with p > 0.05 (Index-SusEcFin, r = 0.024), so COINr ran
    // get_corr with pval = 0, as accord does.
    for (file, expected_rows) in [
        ("asem_corr_ind_pillar.csv", 49),
        ("asem_corr_pillar_index.csv", 8),
    ] {
        let (_, rows) = reference(file);
        assert_eq!(rows.len(), expected_rows, "{file}");
        for row in &rows {
            let key = (row[0].clone(), row[1].clone());
            let (n, r) = got[&key];
            assert_eq!(n, 51, "{key:?}");
            assert_close(r, num(&row[2]), REL, &format!("{file} {key:?}"));
        }
    }
}

#[test]
fn cronbach_alpha_matches_coinr_on_raw_and_normalised_data() {
    let s = asem();
    let (_, rows) = reference("asem_cronbach.csv");
    for row in &rows {
        // `Conn_L2_Aggregated`: the alpha of Conn's pillars on the aggregated data.
        let id = row[0].strip_suffix("_L2_Aggregated").unwrap_or(&row[0]);
        let k = s.rubric.node_index(id).unwrap();
        let children = &s.rubric.nodes[k].children;
        let raw: Option<Vec<&[Option<f64>]>> = children
            .iter()
            .map(|m| match *m {
                Member::Criterion(c) => Some(s.results.stages.raw.col(c)),
                Member::Node(_) => None,
            })
            .collect();
        let normalised: Vec<&[Option<f64>]> = children
            .iter()
            .map(|m| aggregated_column(&s.results, *m))
            .collect();
        assert_close(
            raw.and_then(|cols| cronbach::alpha(&cols)),
            num(&row[1]),
            REL,
            &format!("{id} alpha_raw"),
        );
        assert_close(
            cronbach::alpha(&normalised),
            num(&row[2]),
            REL,
            &format!("{id} alpha_norm"),
        );
    }
}

#[test]
fn pca_matches_coinr_per_pillar_on_normalised_data() {
    let s = asem();
    let (_, weights) = reference("asem_pca_weights_L1_normalised.csv");
    let coinr_pc1: HashMap<&str, f64> = weights
        .iter()
        .filter(|r| r[1] == "1")
        .map(|r| (r[0].as_str(), num(&r[2]).unwrap()))
        .collect();
    let (h, variance) = reference("asem_pca_varexpl_L1_normalised.csv");
    let mut groups = 0;
    for k in 0..s.rubric.nodes.len() {
        let children = &s.rubric.nodes[k].children;
        if !children.iter().all(|m| matches!(m, Member::Criterion(_))) {
            continue;
        }
        groups += 1;
        let id = &s.rubric.nodes[k].id;
        let cols: Vec<&[Option<f64>]> = children
            .iter()
            .map(|m| aggregated_column(&s.results, *m))
            .collect();
        let p = pca(&cols).unwrap();
        assert_eq!(p.n, 51);
        // Loadings of PC1, equal up to the sign of the whole component.
        let want: Vec<f64> = children
            .iter()
            .map(|m| match *m {
                Member::Criterion(c) => coinr_pc1[s.rubric.criteria[c].id.as_str()],
                Member::Node(_) => unreachable!(),
            })
            .collect();
        let sign = if p.loadings[0][0] * want[0] < 0.0 {
            -1.0
        } else {
            1.0
        };
        for (g, w) in p.loadings[0].iter().zip(&want) {
            assert_relative_eq!(sign * g, *w, max_relative = REL);
        }
        assert!(p.loadings[0].iter().sum::<f64>() > 0.0, "sign rule, {id}");
        assert_eq!(first_component(&cols).unwrap(), p.loadings[0]);
        // Variance explained: sdev to 1e-9; prop_var and cum_prop are rounded to 5 decimals by
        // R's summary().
        let rows: Vec<&Vec<String>> = variance.iter().filter(|r| &r[0] == id).collect();
        assert_eq!(rows.len(), children.len(), "{id}");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row[column(&h, "PC")], format!("PC{}", i + 1));
            assert_relative_eq!(
                p.sdev[i],
                num(&row[column(&h, "sdev")]).unwrap(),
                max_relative = REL
            );
            assert_abs_diff_eq!(
                p.prop_var[i],
                num(&row[column(&h, "prop_var")]).unwrap(),
                epsilon = 1e-5
            );
            assert_abs_diff_eq!(
                p.cum_prop[i],
                num(&row[column(&h, "cum_prop")]).unwrap(),
                epsilon = 1e-5
            );
        }
    }
    assert_eq!(groups, 8);
}

#[test]
fn leave_one_pillar_out_matches_coinr_remove_elements() {
    let s = asem();
    // COINr's Level 2 (pillars) is depth 2 below the index in accord.
    let pillars = nodes_at_depth(&s.rubric, 2);
    assert_eq!(pillars.len(), 8);
    let got = remove_each(s, &pillars).unwrap();
    let (_, rows) = reference("asem_remove_elements_L2.csv");
    for row in rows.iter().filter(|r| r[0] != "Nominal") {
        let m = member(s, &row[0]);
        let r = got.iter().find(|r| r.member == m).unwrap();
        assert_eq!(r.n, 51);
        // Means of integers over 51 units: exactly COINr's numbers.
        assert_eq!(r.mean_abs_rank_change, num(&row[1]), "{}", row[0]);
    }
}

#[test]
fn effective_weights_match_coinr() {
    let s = asem();
    let crit = s.rubric.effective_criterion_weights();
    let nodes = s.rubric.effective_node_weights();
    let (_, rows) = reference("asem_eff_weights.csv");
    assert_eq!(rows.len(), crit.len() + nodes.len());
    for row in &rows {
        let got = match member(s, &row[0]) {
            Member::Criterion(c) => crit[c],
            Member::Node(k) => nodes[k],
        };
        assert_relative_eq!(got, num(&row[3]).unwrap(), max_relative = 1e-12);
    }
}

#[test]
fn spearman_averages_tied_ranks() {
    assert_eq!(
        average_ranks(&[10.0, 20.0, 20.0, 30.0, 20.0]),
        vec![1.0, 3.0, 3.0, 5.0, 3.0]
    );
    // y ranks (1, 4, 2.5, 2.5, 5) against 1..5: rho = 6.5 / sqrt(10 * 9.5); R gives 0.6668859.
    let x = [
        Some(1.0),
        Some(2.0),
        Some(3.0),
        Some(4.0),
        Some(5.0),
        Some(6.0),
    ];
    let y = [Some(1.0), Some(3.0), Some(2.0), Some(2.0), Some(5.0), None];
    let rho = spearman(&x, &y).unwrap();
    assert_relative_eq!(rho, 6.5 / 95f64.sqrt(), max_relative = 1e-14);
    assert_abs_diff_eq!(rho, 0.6668859, epsilon = 1e-7);
    // Pearson over the same five complete pairs: sxy = 7, sxx = 10, syy = 9.2.
    assert_relative_eq!(
        pearson(&x, &y).unwrap(),
        7.0 / 92f64.sqrt(),
        max_relative = 1e-14
    );
}

#[test]
fn degenerate_columns_give_na_not_nan() {
    let constant = [Some(2.0); 5];
    let x = [Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0)];
    assert_eq!(pearson(&x, &constant), None);
    assert_eq!(spearman(&x, &constant), None);
    assert_eq!(pearson(&x[..1], &x[..1]), None);
    assert_eq!(pca(&[&x, &constant]), None);
    assert_eq!(pca(&[&x]), None);
    assert_eq!(cronbach::alpha(&[&x]), None);
    assert_eq!(cronbach::alpha(&[&constant, &constant]), None);
    let st = column_stats(&constant, &Thresholds::default());
    assert_eq!((st.skew, st.kurt, st.outliers), (None, None, None));
    assert_eq!(st.std, Some(0.0));
    assert_eq!((st.n_unique, st.n_same), (1, 5));
    let empty = column_stats(&[None, None], &Thresholds::default());
    assert_eq!(
        (empty.min, empty.mean, empty.frc_nonzero),
        (None, None, None)
    );
    assert_eq!(empty.frc_avail, Some(0.0));
    assert!(empty.low_avail);
    let a = row_availability([None, None]);
    assert_eq!((a.dat_avail, a.non_zero), (Some(0.0), None));
}

#[test]
fn perfectly_correlated_columns() {
    let x = [Some(1.0), Some(4.0), Some(2.0), None, Some(8.0)];
    let shifted: Vec<Option<f64>> = x.iter().map(|v| v.map(|a| a + 10.0)).collect();
    let scaled: Vec<Option<f64>> = x.iter().map(|v| v.map(|a| 3.0 * a)).collect();
    // Equal variances, perfect correlation: alpha = 1.
    assert_relative_eq!(
        cronbach::alpha(&[&x, &shifted]).unwrap(),
        1.0,
        max_relative = 1e-12
    );
    let p = pca(&[&x, &scaled]).unwrap();
    assert_eq!(p.n, 4);
    assert_relative_eq!(p.prop_var[0], 1.0, max_relative = 1e-12);
    assert_abs_diff_eq!(p.prop_var[1], 0.0, epsilon = 1e-12);
    assert_relative_eq!(p.sdev[0], 2f64.sqrt(), max_relative = 1e-12);
    let h = 0.5f64.sqrt();
    assert_relative_eq!(p.loadings[0][0], h, max_relative = 1e-12);
    assert_relative_eq!(p.loadings[0][1], h, max_relative = 1e-12);
    // Anti-correlated: PC1 loadings sum to zero, and the first one is made positive.
    let negated: Vec<Option<f64>> = x.iter().map(|v| v.map(|a| -a)).collect();
    let p = pca(&[&x, &negated]).unwrap();
    assert_relative_eq!(p.loadings[0][0], h, max_relative = 1e-12);
    assert_relative_eq!(p.loadings[0][1], -h, max_relative = 1e-12);
}

#[test]
fn stats_count_ties_and_zeros() {
    let x = [Some(0.0), Some(3.0), Some(3.0), None, Some(0.0), Some(3.0)];
    let st = column_stats(&x, &Thresholds::default());
    assert_eq!(
        (st.n_avail, st.n_nonzero, st.n_unique, st.n_same),
        (5, 3, 2, 3)
    );
    assert_eq!(st.frc_avail, Some(5.0 / 6.0));
    assert_eq!(st.frc_nonzero, Some(3.0 / 5.0));
    assert_eq!(st.frc_same, Some(3.0 / 5.0));
    // COINr divides by the rows for the flags: 2 unique of 6 rows is below 0.5.
    assert!(st.low_unique);
    assert!(!st.low_nonzero);
    assert_eq!(st.median, Some(3.0));
}

#[test]
fn audit_command_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    import_asem(dir.path());
    let out = dir.path().join("audit");
    let o = accord(
        dir.path(),
        &[
            "audit",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--out",
            "audit",
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("wrote 13 files"), "{stdout}");
    for f in [
        "stats.csv",
        "data_availability.csv",
        "data_availability_by_node.csv",
        "screening.csv",
        "correlations.csv",
        "cronbach.csv",
        "pca_variance.csv",
        "pca_loadings.csv",
        "leave_one_out.csv",
        "effective_weights.csv",
        "treatment.csv",
        "treated_points.csv",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }

    // leave_one_out.csv: every level, the pillars as COINr's remove_elements.
    let (h, rows) = read_csv(&out.join("leave_one_out.csv"));
    assert_eq!(h, ["level", "element", "n", "mean_abs_rank_change"]);
    assert_eq!(rows.len(), 2 + 8 + 49);
    let (_, want) = reference("asem_remove_elements_L2.csv");
    for w in want.iter().filter(|r| r[0] != "Nominal") {
        let r = rows.iter().find(|r| r[1] == w[0]).unwrap();
        assert_eq!(r[0], "pillar");
        assert_eq!(num(&r[3]), num(&w[1]), "{}", w[0]);
    }

    // treatment.csv and treated_points.csv carry the pipeline's treatment, as COINr reports it.
    let (h, rows) = read_csv(&out.join("treatment.csv"));
    let (rh, want) = reference("asem_treat_details.csv");
    assert_eq!(rows.len(), want.len());
    for (r, w) in rows.iter().zip(&want) {
        assert_eq!(r[0], w[0]);
        let pairs = [
            ("pass0", "check_SkewKurt0.Pass"),
            ("skew0", "check_SkewKurt0.Skew"),
            ("kurt0", "check_SkewKurt0.Kurt"),
            ("nwin", "winsorise.nwin"),
            ("pass1", "check_SkewKurt1.Pass"),
            ("skew1", "check_SkewKurt1.Skew"),
            ("kurt1", "check_SkewKurt1.Kurt"),
        ];
        for (ours, theirs) in pairs {
            let (a, b) = (&r[column(&h, ours)], &w[column(&rh, theirs)]);
            if ours.starts_with("pass") {
                let b = if b.is_empty() { "NA" } else { b };
                assert_eq!(a.to_uppercase(), b, "{} {ours}", r[0]);
            } else {
                assert_close(num(a), num(b), REL, &format!("{} {ours}", r[0]));
            }
        }
    }
    let (h, rows) = read_csv(&out.join("treated_points.csv"));
    let (rh, want) = reference("asem_treat_points.csv");
    assert_eq!(h[1..], rh[1..]);
    assert_eq!(rows, want);

    // stats.csv on another stage; a second run without --force is refused.
    let o = accord(
        dir.path(),
        &[
            "audit",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--out",
            "audit",
            "--force",
            "--stage",
            "normalised",
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let (h, rows) = read_csv(&out.join("stats.csv"));
    assert_eq!(h[0], "criterion");
    assert_eq!(rows.len(), 49);
    for r in &rows {
        assert_abs_diff_eq!(num(&r[1]).unwrap(), 0.0, epsilon = 1e-9);
        assert_abs_diff_eq!(num(&r[2]).unwrap(), 100.0, epsilon = 1e-9);
    }
    let o = accord(
        dir.path(),
        &[
            "audit",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--out",
            "audit",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}
