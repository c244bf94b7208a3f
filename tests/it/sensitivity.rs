//! Sensitivity analysis: COINr's estimator, its vignette on ASEM, partial regeneration,
//! determinism across thread counts, and failed runs.

use std::path::PathBuf;

use accord::base::progress::silent;
use accord::coinr::{ImportOptions, import};
use accord::evidence::{self, InputPaths};
use accord::pipeline::{Params, Pipeline, Step};
use accord::rubric::{self, LoadOptions};
use accord::sensitivity::design::{Block, Design, Sampler};
use accord::sensitivity::factors::{Context, Spec, read_spec, read_spec_file};
use accord::sensitivity::{Options, analyse, estimate};

use crate::coinr::{close, reference};
use crate::common::*;

/// The ASEM example imported into a temporary folder (kept alive with the result).
pub struct Asem {
    pub dir: tempfile::TempDir,
    pub scored: accord::Scored,
}

impl Asem {
    pub fn rubric_path(&self) -> PathBuf {
        self.dir.path().join("rubric.toml")
    }

    pub fn spec(&self, file: &str, seed: u64) -> Result<Spec, accord::error::InputError> {
        let limits = accord::limits::Limits::default();
        let ctx = Context {
            scored: &self.scored,
            limits: &limits,
            seed,
        };
        read_spec_file(&fixture(file), &ctx)
    }

    pub fn spec_text(&self, text: &str, seed: u64) -> Result<Spec, accord::error::InputError> {
        let file = self.dir.path().join("spec.toml");
        std::fs::write(&file, text).unwrap();
        let limits = accord::limits::Limits::default();
        let ctx = Context {
            scored: &self.scored,
            limits: &limits,
            seed,
        };
        read_spec_file(&file, &ctx)
    }
}

pub fn asem() -> Asem {
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
    let rubric = rubric::load(&dir.path().join("rubric.toml"), &LoadOptions::default()).unwrap();
    let paths = InputPaths {
        evidence: dir.path().join("evidence.csv"),
        sheet: None,
        jurisdictions: Some(dir.path().join("jurisdictions.csv")),
        dyads: None,
    };
    let inputs = evidence::load(&paths, &rubric).unwrap();
    let scored = accord::score(rubric, inputs, None).unwrap();
    Asem { dir, scored }
}

#[test]
fn the_estimator_reproduces_coinr_on_its_fixed_design() {
    // sa_output_y.csv holds y = x1 + 2 x2^2 + x1 x3 on COINr's Saltelli design (N = 200, d = 3),
    // in the order A, B, AB_1, AB_2, AB_3; sa_estimate_ref.csv holds COINr's SA_estimate.
    let design = reference("sa_design_N200_d3_seed42.csv");
    let y: Vec<Option<f64>> = reference("sa_output_y.csv")
        .rows
        .iter()
        .map(|r| r.1[0])
        .collect();
    assert_eq!(y.len(), 1000);
    // The reference is self-consistent: each y is the model at its design row.
    for (row, yi) in design.rows.iter().zip(&y) {
        let x: Vec<f64> = row.1.iter().map(|v| v.unwrap()).collect();
        assert!(close(x[0] + 2.0 * x[1] * x[1] + x[0] * x[2], yi.unwrap()));
    }
    let expected = reference("sa_estimate_ref.csv");
    let got = estimate::sobol(&y, 200, 3, 0, 0);
    for (i, name) in ["V1", "V2", "V3"].iter().enumerate() {
        assert!(
            close(got[i].si.unwrap(), expected.get(name, "Si").unwrap()),
            "{name} Si"
        );
        assert!(
            close(got[i].sti.unwrap(), expected.get(name, "STi").unwrap()),
            "{name} STi"
        );
    }
    let var = reference("sa_estimate_var.csv").text[0][0]
        .parse::<f64>()
        .unwrap();
    let pooled: Vec<f64> = y[..400].iter().flatten().copied().collect();
    assert!(close(estimate::variance(&pooled).unwrap(), var));
}

#[test]
fn the_sobol_estimator_recovers_known_indices() {
    // y = x1 + 2 x2 + 3 x3 with independent uniforms: S = ST = (1, 4, 9) / 14.
    let opts = accord::sensitivity::design::plan(Design::Sa, Sampler::Sobol, 4096, 3, 7).unwrap();
    let y: Vec<Option<f64>> = opts
        .rows
        .iter()
        .map(|r| Some(r[0] + 2.0 * r[1] + 3.0 * r[2]))
        .collect();
    let got = estimate::sobol(&y, 4096, 3, 0, 0);
    for (i, exact) in [1.0 / 14.0, 4.0 / 14.0, 9.0 / 14.0].iter().enumerate() {
        assert!(
            (got[i].si.unwrap() - exact).abs() < 0.02,
            "S{i} {:?}",
            got[i].si
        );
        assert!(
            (got[i].sti.unwrap() - exact).abs() < 0.02,
            "ST{i} {:?}",
            got[i].sti
        );
    }
}

#[test]
fn quantiles_follow_r_type_7() {
    let x = [1.0, 2.0, 3.0, 4.0, 10.0];
    assert_eq!(estimate::quantile(&x, 0.5), Some(3.0));
    // R: quantile(c(1,2,3,4,10), c(0.05, 0.95)) = 1.2, 8.8
    assert!(close(estimate::quantile(&x, 0.05).unwrap(), 1.2));
    assert!(close(estimate::quantile(&x, 0.95).unwrap(), 8.8));
}

#[test]
fn a_regeneration_from_a_later_step_without_a_cache_runs_every_step() {
    // Asking to start at Treat with nothing cached is no error (it once was, reported as bad
    // input): every step runs, and the result is the full run's.
    let a = asem();
    let s = &a.scored;
    let pipeline = Pipeline::new(&s.rubric, &s.inputs, &s.values);
    let checked = pipeline.check(&Params::from_rubric(&s.rubric)).unwrap();
    let full = pipeline.stages(&checked, Step::Denominate, None).unwrap();
    for from in [Step::Impute, Step::Treat, Step::Normalise] {
        let uncached = pipeline.stages(&checked, from, None).unwrap();
        assert_eq!(*uncached.normalised, *full.normalised, "{from:?}");
        assert_eq!(*uncached.treated, *full.treated, "{from:?}");
    }
}

#[test]
fn partial_regeneration_equals_a_full_run() {
    let a = asem();
    let spec = a.spec("coinr/sa_vignette.toml", 3).unwrap();
    let s = &a.scored;
    let pipeline = Pipeline::new(&s.rubric, &s.inputs, &s.values);
    let nominal = Params::from_rubric(&s.rubric);
    for (k, u) in [
        [0.1, 0.2, 0.3, 0.1],
        [0.9, 0.7, 0.55, 0.2],
        [0.5, 0.1, 0.99, 0.1],
    ]
    .iter()
    .enumerate()
    {
        let mut params = nominal.clone();
        let mut cols = Vec::new();
        let mut from = Step::Aggregate;
        for (f, x) in spec.factors.iter().zip(u) {
            for op in f.pick(*x, &s.rubric, &nominal).0.iter() {
                op.apply(&mut params, &mut cols);
                from = from.min(op.step());
            }
        }
        // Winmax 5 is the nominal value and changes nothing; every other draw starts at Treat.
        assert_eq!(
            from,
            if u[0] >= 0.8 {
                Step::Normalise
            } else {
                Step::Treat
            },
            "case {k}"
        );
        let (nominal_checked, checked) = (
            pipeline.check(&nominal).unwrap(),
            pipeline.check(&params).unwrap(),
        );
        let cache = pipeline
            .stages(&nominal_checked, Step::Denominate, None)
            .unwrap();
        let partial = pipeline.stages(&checked, from, Some(&cache)).unwrap();
        let full = pipeline.stages(&checked, Step::Denominate, None).unwrap();
        assert_eq!(*partial.normalised, *full.normalised, "case {k}");
        let a1 = pipeline.aggregate(&params, &partial).unwrap();
        let a2 = pipeline.aggregate(&params, &full).unwrap();
        assert_eq!(a1.0, a2.0, "case {k}");
        // And it matches the whole pipeline run on the same params.
        let results = accord::pipeline::run_with(&s.rubric, &params, &s.inputs, &s.values).unwrap();
        assert_eq!(*results.nodes.score, a1.0, "case {k}");
    }
}

#[test]
fn the_coinr_vignette_on_asem_agrees_with_coinr() {
    let a = asem();
    let spec = a.spec("coinr/sa_vignette.toml", 11).unwrap();
    let names: Vec<&str> = spec.factors.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Winmax", "Normalisation", "Weights", "Aggregation"]);
    let options = Options {
        design: Design::Sa,
        sampler: Sampler::Random,
        n: 200,
        seed: 11,
        bootstrap: 0,
    };
    let o = analyse(&a.scored, &spec, &options, &silent).unwrap();
    assert_eq!(o.runs.len(), 200 * 6);
    assert_eq!(o.failures().count(), 0);
    // Nominal ranks are COINr's.
    let full = reference("asem_results_full.csv");
    for (code, _) in &full.rows {
        let j = a.scored.inputs.jurisdictions.index(code).unwrap();
        assert_eq!(
            o.nominal_ranks[j],
            Some(full.get(code, "Rank").unwrap() as u32),
            "{code}"
        );
    }
    // COINr's stored RankStats for the same factors (its vignette, N = 100, runs A and B):
    // (nominal, median, q05, q95). Different random numbers, so agreement is in distribution:
    // the median within 1 rank and each end of the 90% interval within 2 ranks.
    let stored = [
        ("AUS", 35, 35.0, 34.0, 37.0),
        ("AUT", 7, 7.0, 5.0, 9.0),
        ("BEL", 5, 5.0, 2.0, 9.0),
        ("BGD", 46, 46.0, 42.0, 48.0),
        ("BGR", 30, 28.0, 24.0, 30.0),
    ];
    let tier = |_: f64| None;
    for (code, nominal, median, q05, q95) in stored {
        let j = a.scored.inputs.jurisdictions.index(code).unwrap();
        assert_eq!(o.nominal_ranks[j], Some(nominal), "{code}");
        let st = o.rank_stats(j, &tier);
        assert_eq!(st.runs, 400);
        assert!(
            (st.median.unwrap() - median).abs() <= 1.0,
            "{code} median {:?} vs {median}",
            st.median
        );
        assert!(
            (st.q05.unwrap() - q05).abs() <= 2.0,
            "{code} q05 {:?} vs {q05}",
            st.q05
        );
        assert!(
            (st.q95.unwrap() - q95).abs() <= 2.0,
            "{code} q95 {:?} vs {q95}",
            st.q95
        );
    }
    // COINr's stored indices (N = 100): aggregation has the largest total index, winmax the smallest.
    let ix = o.indices(0, 0).unwrap();
    let sti: Vec<f64> = ix.iter().map(|i| i.sti.unwrap()).collect();
    assert!(
        sti[3] > sti[1] && sti[3] > sti[2] && sti[0] < sti[1],
        "{sti:?}"
    );
}

#[test]
fn a_progress_callback_that_breaks_cancels_the_analysis() {
    // 100 x 6 replications; the callback cancels at the fifth, and the caller gets an error,
    // not a result.
    let a = asem();
    let spec = a.spec("coinr/sa_vignette.toml", 11).unwrap();
    let options = Options {
        design: Design::Sa,
        sampler: Sampler::Random,
        n: 100,
        seed: 11,
        bootstrap: 0,
    };
    for threads in [1, 2] {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let totals = std::sync::Mutex::new(std::collections::BTreeSet::new());
        let cancel = |done: usize, total: usize| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            totals.lock().unwrap().insert(total);
            if done >= 5 {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let result = pool.install(|| analyse(&a.scored, &spec, &options, &cancel));
        let calls = calls.into_inner();
        match result {
            Err(accord::error::Error::Cancelled { done, total }) => {
                assert_eq!((done, total), (calls, 600), "{threads} threads");
            }
            other => panic!(
                "expected a cancelled analysis on {threads} threads, got {:?}",
                other.map(|o| o.runs.len())
            ),
        }
        // One thread stops at the fifth; on two, the other thread's replications in flight
        // when the fifth finished may still end, and nothing near all of them runs.
        if threads == 1 {
            assert_eq!(calls, 5);
        } else {
            assert!(
                (5..100).contains(&calls),
                "{calls} replications ran on two threads"
            );
        }
        assert_eq!(*totals.lock().unwrap(), [600].into());
    }
    // Without cancelling, the same analysis runs every replication.
    let all = std::sync::atomic::AtomicUsize::new(0);
    let count = |_: usize, _: usize| {
        all.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::ops::ControlFlow::Continue(())
    };
    let o = analyse(&a.scored, &spec, &options, &count).unwrap();
    assert_eq!((o.runs.len(), all.into_inner()), (600, 600));
}

#[test]
fn same_seed_same_outputs_on_one_and_two_threads() {
    let a = asem();
    let dir = a.dir.path();
    let ev = dir.join("evidence.csv");
    let j = dir.join("jurisdictions.csv");
    let r = a.rubric_path();
    let spec = fixture("coinr/sa_vignette.toml");
    let run = |threads: &str, out: &str| {
        let o = accord(
            &root(),
            &[
                "sensitivity",
                "--rubric",
                r.to_str().unwrap(),
                "--evidence",
                ev.to_str().unwrap(),
                "--jurisdictions",
                j.to_str().unwrap(),
                "--spec",
                spec.to_str().unwrap(),
                "--runs",
                "16",
                "--seed",
                "5",
                "--bootstrap",
                "50",
                "--runs-csv",
                "--threads",
                threads,
                "--out",
                dir.join(out).to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", texts(&o).1);
    };
    run("1", "one");
    run("2", "two");
    let names = [
        "rank_intervals.csv",
        "sensitivity_indices.csv",
        "sensitivity_by_jurisdiction.csv",
        "runs.csv",
        "manifest.json",
    ];
    for n in names {
        let x = std::fs::read(dir.join("one").join(n)).unwrap();
        let y = std::fs::read(dir.join("two").join(n)).unwrap();
        assert_eq!(x, y, "{n} differs between 1 and 2 threads");
    }
    let runs = std::fs::read_to_string(dir.join("one/runs.csv")).unwrap();
    assert!(runs.starts_with(
        "run,block,Winmax,Normalisation,Weights,Aggregation,status,mean_abs_rank_shift\n"
    ));
    assert_eq!(runs.lines().count(), 1 + 16 * 6);
}

#[test]
fn failed_runs_are_reported_with_their_factor_values() {
    // A geometric mean over min-max [0, 100] data meets zeros and fails; those runs are counted,
    // kept with their factor values, and left out of the estimators.
    let a = asem();
    let spec = a
        .spec_text(
            "[[factor]]\nname = \"Aggregation\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\", \"a_gmean\"]\n\n[[factor]]\nname = \"Winmax\"\nset = \"pipeline.treat.winmax\"\nvalues = [3, 5]\n",
            2,
        )
        .unwrap();
    let o = analyse(
        &a.scored,
        &spec,
        &Options {
            design: Design::Sa,
            sampler: Sampler::Random,
            n: 20,
            seed: 2,
            bootstrap: 0,
        },
        &silent,
    )
    .unwrap();
    let failed: Vec<_> = o.failures().collect();
    assert!(!failed.is_empty());
    for (_, run) in &failed {
        assert_eq!(run.labels[0], "a_gmean");
        assert!(
            run.error.as_deref().unwrap().contains("with `a_gmean`"),
            "{:?}",
            run.error
        );
        assert!(run.y.is_none());
    }
    assert!(
        o.runs
            .iter()
            .filter(|r| r.labels[0] == "a_amean")
            .all(|r| r.error.is_none())
    );
    let ix = o.indices(0, 0).unwrap();
    assert!(
        ix[0].rows < 20,
        "rows with a failed run are left out: {}",
        ix[0].rows
    );
}

#[test]
fn continuous_factors_weight_noise_and_exclusions() {
    let a = asem();
    let spec = a
        .spec_text(
            "target = \"Conn\"\n\n[[factor]]\nname = \"Physical weight\"\nset = \"node.Physical.weight\"\nrange = [0.5, 2.0]\n\n\
             [[factor]]\nname = \"Noise\"\nnoise = { levels = [1], factor = 0.2, sets = 10 }\n\n\
             [[factor]]\nname = \"Drop LPI\"\nalternatives = [{}, { exclude = [\"LPI\"] }]\n",
            4,
        )
        .unwrap();
    assert_eq!(spec.target, a.scored.rubric.node_index("Conn").unwrap());
    let nominal = Params::from_rubric(&a.scored.rubric);
    // Noise stays within w (1 +- 0.2).
    if let accord::sensitivity::factors::FactorKind::Discrete(alts) = &spec.factors[1].kind {
        assert_eq!(alts.len(), 10);
        for alt in alts {
            for op in &alt.ops {
                if let accord::sensitivity::factors::Op::CriterionWeight(_, w) = op {
                    assert!((0.8..=1.2).contains(w), "{w}");
                }
            }
        }
    } else {
        panic!("noise is a discrete factor");
    }
    let (ops, label) = spec.factors[0].pick(0.5, &a.scored.rubric, &nominal);
    assert_eq!(label, "1.25");
    assert!(matches!(ops[0], accord::sensitivity::factors::Op::NodeWeight(_, w) if w == 1.25));
    let (ops, label) = spec.factors[2].pick(0.9, &a.scored.rubric, &nominal);
    assert_eq!(label, "exclude LPI");
    let lpi = a.scored.rubric.criterion_index("LPI").unwrap();
    assert!(
        matches!(ops[0], accord::sensitivity::factors::Op::Exclude(accord::rubric::Member::Criterion(c)) if c == lpi)
    );
    let o = analyse(
        &a.scored,
        &spec,
        &Options {
            design: Design::Ua,
            sampler: Sampler::Sobol,
            n: 32,
            seed: 4,
            bootstrap: 0,
        },
        &silent,
    )
    .unwrap();
    assert!(
        o.runs
            .iter()
            .all(|r| r.block == Block::Mc && r.error.is_none())
    );
    assert!(
        o.indices(0, 0).is_none(),
        "an uncertainty analysis has no Sobol indices"
    );
}

#[test]
fn bad_specs_are_explained() {
    let a = asem();
    let err = |text: &str| {
        a.spec_text(text, 1)
            .unwrap_err()
            .problems
            .iter()
            .map(|p| p.one_line())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let e = err("[[factor]]\nname = \"x\"\nset = \"pipeline.normalise.method\"\nrange = [0, 1]\n");
    assert!(
        e.contains("`pipeline.normalise.method` cannot vary continuously"),
        "{e}"
    );
    let e = err(
        "[[factor]]\nname = \"x\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\"]\n",
    );
    assert!(
        e.contains("factor `x` needs at least two alternatives"),
        "{e}"
    );
    let e = err(
        "[[factor]]\nname = \"x\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\", \"a_gmaen\"]\n",
    );
    assert!(e.contains("unknown method `a_gmaen`"), "{e}");
    assert!(e.contains("factor `x`, alternative `a_gmaen`"), "{e}");
    let e = err(
        "target = \"Indx\"\n[[factor]]\nname = \"x\"\nset = \"pipeline.treat.winmax\"\nvalues = [1, 2]\n",
    );
    assert!(
        e.contains("`uncertainty.target` = `Indx` is not a node"),
        "{e}"
    );
    let e =
        err("[[factor]]\nname = \"x\"\nalternatives = [{}, { \"node.Conn.parent\" = \"Sust\" }]\n");
    assert!(e.contains("changes the rubric's structure"), "{e}");
    let e = err("");
    assert!(e.contains("no uncertain factors"), "{e}");
}

#[test]
fn the_rubrics_own_uncertainty_section_is_used() {
    let a = asem();
    let text = std::fs::read_to_string(a.rubric_path()).unwrap()
        + "\n[uncertainty]\ntarget = \"Index\"\n[[uncertainty.factor]]\nname = \"Agg\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\", \"a_median\"]\n";
    std::fs::write(a.rubric_path(), text).unwrap();
    let rubric = rubric::load(&a.rubric_path(), &LoadOptions::default()).unwrap();
    let tv = rubric.uncertainty.clone().unwrap();
    let scored = accord::score(rubric, a.scored.inputs.clone(), None).unwrap();
    let limits = accord::limits::Limits::default();
    let ctx = Context {
        scored: &scored,
        limits: &limits,
        seed: 1,
    };
    let spec = read_spec(&tv, &ctx).unwrap();
    assert_eq!(spec.factors.len(), 1);
}

/// The demo set scored with the Paris Call rubric, and specs read against it.
struct Demo {
    dir: tempfile::TempDir,
    scored: accord::Scored,
}

fn demo() -> Demo {
    let scored = score_dir(
        &root().join("rubrics/paris-call.toml"),
        &root().join("data/demo"),
        None,
        &[],
    );
    Demo {
        dir: tempfile::tempdir().unwrap(),
        scored,
    }
}

impl Demo {
    fn spec_text(&self, text: &str, seed: u64) -> Result<Spec, accord::error::InputError> {
        let file = self.dir.path().join("spec.toml");
        std::fs::write(&file, text).unwrap();
        let limits = accord::limits::Limits::default();
        let ctx = Context {
            scored: &self.scored,
            limits: &limits,
            seed,
        };
        read_spec_file(&file, &ctx)
    }

    fn params_after(&self, spec: &Spec, u: &[f64]) -> Params {
        let nominal = Params::from_rubric(&self.scored.rubric);
        let mut params = nominal.clone();
        let mut ops = Vec::new();
        for (f, x) in spec.factors.iter().zip(u) {
            ops.extend(f.pick(*x, &self.scored.rubric, &nominal).0.iter().cloned());
        }
        accord::sensitivity::factors::apply_all(&ops, &mut params, &mut Vec::new());
        params
    }
}

const GENMEAN_THEN_COVERAGE: &str = "[[factor]]\nname = \"Aggregation\"\nalternatives = [{ \"pipeline.aggregate.method\" = \"a_amean\" }, { \"pipeline.aggregate.method\" = \"a_genmean\", \"pipeline.aggregate.p\" = 0.5 }]\n\n[[factor]]\nname = \"Min coverage\"\nset = \"pipeline.aggregate.min_coverage\"\nrange = [0.4, 0.8]\n";

#[test]
fn a_minimum_coverage_factor_keeps_the_aggregation_another_factor_chose() {
    // The coverage range used to replace every node's whole aggregation setting with the nominal
    // one plus its coverage, so the a_genmean alternative before it never ran and Aggregation
    // printed as 0 0 0.
    let d = demo();
    let spec = d.spec_text(GENMEAN_THEN_COVERAGE, 1).unwrap();
    let params = d.params_after(&spec, &[0.9, 0.5]);
    for (k, agg) in params.aggregate.iter().enumerate() {
        let node = &d.scored.rubric.nodes[k].id;
        assert_eq!(agg.method.name(), "a_genmean", "{node}");
        assert_eq!(agg.p, Some(0.5), "{node}");
        assert!((agg.min_coverage - 0.6).abs() < 1e-12, "{node}");
    }
    assert_eq!(params.group_aggregate.method.name(), "a_genmean");
    assert!((params.group_aggregate.min_coverage - 0.6).abs() < 1e-12);
    // And the other way round: the arithmetic mean with the drawn coverage.
    let params = d.params_after(&spec, &[0.1, 0.25]);
    assert_eq!(params.aggregate[0].method.name(), "a_amean");
    assert_eq!(params.aggregate[0].min_coverage, 0.5);
    // So the aggregation moves ranks: a total index above 0.
    let o = analyse(
        &d.scored,
        &spec,
        &Options {
            design: Design::Sa,
            sampler: Sampler::Random,
            n: 64,
            seed: 1,
            bootstrap: 0,
        },
        &silent,
    )
    .unwrap();
    assert_eq!(o.failures().count(), 0);
    let ix = o.indices(0, 0).unwrap();
    assert!(ix[0].sti.unwrap() > 0.01, "{:?}", ix[0]);
}

#[test]
fn two_factors_varying_one_setting_are_refused() {
    let d = demo();
    let e = d
        .spec_text(
            "[[factor]]\nname = \"Coverage A\"\nset = \"pipeline.aggregate.min_coverage\"\nvalues = [0.5, 0.75]\n\n[[factor]]\nname = \"Coverage B\"\nset = \"pipeline.aggregate.min_coverage\"\nrange = [0.4, 0.8]\n",
            1,
        )
        .unwrap_err();
    let text: Vec<String> = e.problems.iter().map(|p| p.one_line()).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(
        text[0].contains("factors `Coverage A` and `Coverage B` both vary the aggregation's `min_coverage` of node `PARIS`"),
        "{text:?}"
    );
    let e = d
        .spec_text(
            "[[factor]]\nname = \"Weights\"\nnoise = { levels = [2], factor = 0.25, sets = 10 }\n\n[[factor]]\nname = \"P9\"\nset = \"node.P9.weight\"\nrange = [1, 2]\n",
            1,
        )
        .unwrap_err();
    let text = e.problems[0].one_line();
    assert!(
        text.contains("factors `Weights` and `P9` both vary `node.P9.weight`"),
        "{text}"
    );
    // Different fields of one setting compose: the method in one factor, the coverage in another.
    assert!(d.spec_text(GENMEAN_THEN_COVERAGE, 1).is_ok());
}

#[test]
fn an_exclusion_holds_whatever_weights_another_factor_draws() {
    let d = demo();
    let c = d.scored.rubric.criterion_index("national_csirt").unwrap();
    for text in [
        "[[factor]]\nname = \"Drop CSIRT\"\nalternatives = [{}, { exclude = [\"national_csirt\"] }]\n\n[[factor]]\nname = \"Noise\"\nnoise = { levels = [1], factor = 0.2, sets = 10 }\n",
        "[[factor]]\nname = \"Noise\"\nnoise = { levels = [1], factor = 0.2, sets = 10 }\n\n[[factor]]\nname = \"Drop CSIRT\"\nalternatives = [{}, { exclude = [\"national_csirt\"] }]\n",
    ] {
        let spec = d.spec_text(text, 3).unwrap();
        let drop = spec
            .factors
            .iter()
            .position(|f| f.name == "Drop CSIRT")
            .unwrap();
        let mut u = [0.5, 0.5];
        u[drop] = 0.9;
        let params = d.params_after(&spec, &u);
        assert_eq!(params.criterion_weights[c], 0.0, "{text}");
        // The noise still reached the other criteria.
        assert!(
            params
                .criterion_weights
                .iter()
                .any(|w| *w != 0.0 && *w != 1.0),
            "{text}"
        );
        u[drop] = 0.1;
        assert!(d.params_after(&spec, &u).criterion_weights[c] > 0.0);
    }
}

/// Base rows whose A, B and every AB_i run succeeded, counted from the runs themselves.
fn complete_base_rows(o: &accord::sensitivity::Outcome) -> usize {
    let (n, d) = (o.n, o.factors.len());
    (0..n)
        .filter(|&r| (0..d + 2).all(|b| o.runs[b * n + r].y.is_some()))
        .count()
}

const GMEAN_AND_NOISE: &str = "[[factor]]\nname = \"Aggregation\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\", \"a_gmean\"]\n\n[[factor]]\nname = \"Weights\"\nnoise = { levels = [1, 2], factor = 0.25, sets = 100 }\n";

#[test]
fn a_factor_whose_alternative_always_fails_is_na_with_the_reason() {
    // Every demo jurisdiction has a criterion scored 0, so a geometric mean always fails. The
    // runs that remain all use the arithmetic mean: the factor never varied, and used to print
    // as 0 0 0.
    let d = demo();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("spec.toml"), GMEAN_AND_NOISE).unwrap();
    let out = tmp.path().join("sa");
    let o = accord(
        &root(),
        &[
            "sensitivity",
            "--data",
            "data/demo",
            "--spec",
            tmp.path().join("spec.toml").to_str().unwrap(),
            "--runs",
            "64",
            "--seed",
            "3",
            "--bootstrap",
            "20",
            "--runs-csv",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    // The rows used, counted from runs.csv: a base row counts only if its 4 runs are all ok.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let status: Vec<bool> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4) == Some("ok"))
        .collect();
    assert_eq!(status.len(), 64 * 4);
    let rows = (0..64)
        .filter(|&r| (0..4).all(|b| status[b * 64 + r]))
        .count();
    let failed = status.iter().filter(|ok| !**ok).count();
    let gmean_runs = runs.lines().filter(|l| l.contains(",a_gmean,")).count();
    assert_eq!(failed, gmean_runs, "every a_gmean run fails, no other");
    assert!((10..64).contains(&rows), "{rows}");
    assert!(
        stdout.contains(&format!(
            "{rows} of 64 design rows have a result in all 4 of their runs; the indices use only those\n"
        )),
        "{stdout}"
    );
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row:\n{stdout}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        line("Aggregation")[1..],
        ["NA", "NA", "NA", &rows.to_string()]
    );
    let reason = format!(
        "alternative `a_gmean` gave no result in any of the {gmean_runs} runs that used it, so the factor's effect was not measured (cannot aggregate"
    );
    assert!(
        stdout.contains(&format!("\n`Aggregation` is NA: {reason}")),
        "{stdout}"
    );
    // The weights were measured on the rows left: a weight set drawn only beside a failing
    // geometric mean is not blamed.
    assert!(line("Weights")[1].parse::<f64>().is_ok(), "{stdout}");
    let csv = std::fs::read_to_string(out.join("sensitivity_indices.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("factor,si,si_q05,si_q95,sti,sti_q05,sti_q95,rank_shift,rows,status,note")
    );
    let agg = lines.next().unwrap();
    assert!(
        agg.starts_with(&format!(
            "Aggregation,NA,NA,NA,NA,NA,NA,NA,{rows},na,\"{reason}"
        )),
        "{agg}"
    );
    let weights = lines.next().unwrap();
    assert!(weights.starts_with("Weights,"), "{weights}");
    // Numbers from so few rows are noisy, so a warning may stand beside them, but not NA.
    assert!(
        weights.contains(&format!(",{rows},ok,")) || weights.contains(&format!(",{rows},warning,")),
        "{weights}"
    );
    assert!(!weights.contains(",NA,"), "{weights}");
    let o = analyse(
        &d.scored,
        &d.spec_text(GMEAN_AND_NOISE, 3).unwrap(),
        &Options {
            design: Design::Sa,
            sampler: Sampler::Random,
            n: 64,
            seed: 3,
            bootstrap: 0,
        },
        &silent,
    )
    .unwrap();
    assert_eq!(complete_base_rows(&o), rows);
    assert_eq!(o.rank_shift(0), None);
    assert!(o.rank_shift(1).is_some());
}

#[test]
fn too_few_complete_rows_give_na_and_say_so() {
    let d = demo();
    let o = analyse(
        &d.scored,
        &d.spec_text(GMEAN_AND_NOISE, 3).unwrap(),
        &Options {
            design: Design::Sa,
            sampler: Sampler::Random,
            n: 16,
            seed: 3,
            bootstrap: 0,
        },
        &silent,
    )
    .unwrap();
    let rows = complete_base_rows(&o);
    assert!(rows < estimate::MIN_ROWS, "{rows}");
    let ix = o.indices(0, 0).unwrap();
    assert_eq!(ix[1].si, None);
    assert_eq!(ix[1].sti, None);
    assert_eq!(ix[1].rows, rows);
    assert_eq!(ix[1].notes, [estimate::Note::TooFewRows { rows }]);
    assert_eq!(
        ix[1].notes[0].message(),
        format!(
            "too few design rows for an estimate: {rows} have a result in every run, at least 10 are needed"
        )
    );
    assert_eq!(o.rank_shift(1), None);
}

#[test]
fn partial_failures_leave_out_whole_design_rows_and_count_them() {
    // On ASEM, a geometric mean fails on min-max [0, 100] data (the nominal normalisation) and
    // works on [1, 100]: the a_gmean runs fail with one normalisation only.
    let a = asem();
    let spec = a
        .spec_text(
            "[[factor]]\nname = \"Aggregation\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\", \"a_gmean\"]\n\n[[factor]]\nname = \"Normalisation\"\nalternatives = [{}, { \"pipeline.normalise.l_u\" = [1, 100] }]\nlabels = [\"[0, 100]\", \"[1, 100]\"]\n",
            5,
        )
        .unwrap();
    let o = analyse(
        &a.scored,
        &spec,
        &Options {
            design: Design::Sa,
            sampler: Sampler::Random,
            n: 100,
            seed: 5,
            bootstrap: 0,
        },
        &silent,
    )
    .unwrap();
    for r in &o.runs {
        let fails = r.labels == ["a_gmean", "[0, 100]"];
        assert_eq!(r.error.is_some(), fails, "{:?}", r.labels);
    }
    let rows = complete_base_rows(&o);
    assert!((estimate::MIN_ROWS..100).contains(&rows), "{rows}");
    assert_eq!(o.complete_rows(), Some(rows));
    let ix = o.indices(0, 0).unwrap();
    for (i, x) in ix.iter().enumerate() {
        assert_eq!(x.rows, rows);
        assert!(x.si.is_some() && x.sti.is_some(), "{x:?}");
        // Pairs A_r, AB_i,r differ only in factor i; where one failed and the other did not,
        // the change of factor i made the run fail.
        let caused = (0..100)
            .filter(|&r| o.runs[r].y.is_some() != o.runs[(2 + i) * 100 + r].y.is_some())
            .count();
        assert!(caused > 0);
        assert_eq!(x.notes, [estimate::Note::SomeFailed { runs: caused }]);
    }
}

#[test]
fn a_jurisdiction_unranked_under_an_alternative_has_na_for_that_factor() {
    // With min_coverage = 1, jurisdictions with any unknown evidence have no index; their rank's
    // sensitivity to the coverage rule is not measured (it used to be 0).
    let d = demo();
    let spec = d
        .spec_text(
            "[[factor]]\nname = \"Coverage\"\nset = \"pipeline.aggregate.min_coverage\"\nvalues = [0.5, 1.0]\n\n[[factor]]\nname = \"Weights\"\nnoise = { levels = [2], factor = 0.25, sets = 50 }\n",
            2,
        )
        .unwrap();
    let o = analyse(
        &d.scored,
        &spec,
        &Options {
            design: Design::Sa,
            sampler: Sampler::Random,
            n: 64,
            seed: 2,
            bootstrap: 0,
        },
        &silent,
    )
    .unwrap();
    let j = |code: &str| d.scored.inputs.jurisdictions.index(code).unwrap();
    assert!(coverage_of(&d.scored, "XGL", "PARIS").unwrap() < 1.0);
    assert_eq!(coverage_of(&d.scored, "XBO", "PARIS"), Some(1.0));
    // Enough rows rank XGL in all their runs for an estimate: the NA is the alternative's.
    let ranked = (0..64)
        .filter(|&r| (0..4).all(|b| o.runs[b * 64 + r].ranks.as_ref().unwrap()[j("XGL")].is_some()))
        .count();
    assert!(ranked >= estimate::MIN_ROWS, "{ranked}");
    let partial = o.unit_total_indices(j("XGL")).unwrap();
    assert_eq!(partial[0], None, "{partial:?}");
    let full = o.unit_total_indices(j("XBO")).unwrap();
    assert!(full.iter().all(Option::is_some), "{full:?}");
}

#[test]
fn a_first_order_above_its_total_warns_that_the_design_is_too_small() {
    // Ten rows, two factors. A is 0, B alternates 0 and 2, AB_1 = A + B / 2, AB_2 = A.
    // Pooled A and B: fifteen 0s and five 2s, V = 15/19. By hand:
    // S_1 = mean(B (AB_1 - A)) / V = 1 / V = 19/15; ST_1 = mean((A - AB_1)^2) / (2V) = 19/60.
    // A first order can never exceed its total. The per-row differences of the two are 1.9 and
    // 0, mean 0.95, standard error 1.001388 / sqrt(10) = 0.316667: with no bootstrap the 5-95%
    // interval of S_1 - ST_1 is 0.95 -+ 1.644854 x 0.316667 = [0.429, 1.471], above 0.
    let n = 10;
    let b: Vec<f64> = (0..n).map(|r| if r % 2 == 1 { 2.0 } else { 0.0 }).collect();
    let mut y: Vec<Option<f64>> = vec![Some(0.0); n];
    y.extend(b.iter().map(|x| Some(*x)));
    y.extend(b.iter().map(|x| Some(x / 2.0)));
    y.extend(vec![Some(0.0); n]);
    let ix = estimate::sobol(&y, n, 2, 0, 0);
    assert!(close(ix[0].si.unwrap(), 19.0 / 15.0), "{:?}", ix[0]);
    assert!(close(ix[0].sti.unwrap(), 19.0 / 60.0), "{:?}", ix[0]);
    assert_eq!(ix[0].notes.len(), 1, "{:?}", ix[0]);
    assert!(!ix[0].notes[0].is_na());
    assert_eq!(
        ix[0].notes[0].message(),
        "first order 1.267 is above the total 0.317, their difference's 5-95% interval [0.429, 1.471] above 0 (a first order cannot exceed its total): the design is too small for a stable estimate of this factor; rerun with a larger --runs"
    );
    // The factor that changes nothing: exactly 0 and 0, and nothing to warn about.
    assert_eq!((ix[1].si, ix[1].sti), (Some(0.0), Some(0.0)));
    assert!(ix[1].notes.is_empty());
    // With a bootstrap the numbers stay and the warning too (the differences are resampled).
    let boot = estimate::sobol(&y, n, 2, 200, 1);
    assert_eq!(boot[0].si, ix[0].si);
    assert!(matches!(
        boot[0].notes[..],
        [estimate::Note::TooSmall { .. }]
    ));
}

#[test]
fn consistent_estimates_of_a_large_design_carry_no_warning() {
    // y = x1 + 2 x2 + 3 x3 has S_i = ST_i: from 4096 rows nothing should look implausible.
    let plan = accord::sensitivity::design::plan(Design::Sa, Sampler::Sobol, 4096, 3, 7).unwrap();
    let y: Vec<Option<f64>> = plan
        .rows
        .iter()
        .map(|r| Some(r[0] + 2.0 * r[1] + 3.0 * r[2]))
        .collect();
    for bootstrap in [0, 100] {
        for x in estimate::sobol(&y, 4096, 3, bootstrap, 7) {
            assert!(x.notes.is_empty(), "{x:?}");
        }
    }
}

#[test]
fn impossible_indices_on_the_demo_do_not_pass_silently() {
    // A geometric mean that always fails leaves 52 of 200 rows; the minimum coverage's first
    // order then comes out above 1 and above its total, which true indices never are.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("spec.toml"),
        "[[factor]]\nname = \"Weights\"\nnoise = { levels = [1, 2], factor = 0.25, sets = 100 }\n\n[[factor]]\nname = \"Aggregation\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\", \"a_gmean\"]\n\n[[factor]]\nname = \"Min coverage\"\nset = \"pipeline.aggregate.min_coverage\"\nrange = [0.4, 0.8]\n",
    )
    .unwrap();
    let out = tmp.path().join("sa");
    let o = accord(
        &root(),
        &[
            "sensitivity",
            "--data",
            "data/demo",
            "--spec",
            tmp.path().join("spec.toml").to_str().unwrap(),
            "--runs",
            "200",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    let row: Vec<String> = csv::Reader::from_path(out.join("sensitivity_indices.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>())
        .find(|r| r[0] == "Min coverage")
        .unwrap();
    let (si, sti): (f64, f64) = (row[1].parse().unwrap(), row[4].parse().unwrap());
    assert!(si > 1.0 && si > sti, "{row:?}");
    assert_eq!(row[9], "warning", "{row:?}");
    assert!(
        row[10].ends_with("the design is too small for a stable estimate of this factor; rerun with a larger --runs"),
        "{row:?}"
    );
    assert!(
        stdout.contains("\nwarning: `Min coverage`: first order "),
        "{stdout}"
    );
}

#[test]
fn the_paris_call_rubric_ships_its_spec_and_it_runs_cleanly_on_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sa");
    let o = accord(
        &root(),
        &[
            "sensitivity",
            "--data",
            "data/demo",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("\nuncertain factors from `rubrics/paris-call.sensitivity.toml`\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("failed"), "{stdout}");
    assert!(!out.join("failures.csv").exists());
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(out.join("sensitivity_indices.csv"))
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        names,
        [
            "Principle weights",
            "Criterion weights",
            "Aggregation",
            "Min coverage",
            "Unknown evidence"
        ]
    );
    for r in &rows {
        assert_eq!(&r[8], "100", "every design row is used: {r:?}");
        assert_ne!(&r[9], "na", "{r:?}");
        assert!(
            r[4].parse::<f64>().unwrap() > 0.0,
            "each factor moves ranks: {r:?}"
        );
    }
    // The manifest names the spec with the SHA-256 of its bytes.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let bytes = std::fs::read(root().join("rubrics/paris-call.sensitivity.toml")).unwrap();
    assert_eq!(
        manifest["options"]["spec"],
        serde_json::json!({
            "path": "rubrics/paris-call.sensitivity.toml",
            "sha256": accord::files::sha256_hex(&bytes),
        })
    );
    // No alternative fails on the demo, whatever the draws.
    let d = demo();
    let spec = d.spec_text(&String::from_utf8(bytes).unwrap(), 9).unwrap();
    for seed in [2, 3] {
        let o = analyse(
            &d.scored,
            &spec,
            &Options {
                design: Design::Sa,
                sampler: Sampler::Random,
                n: 32,
                seed,
                bootstrap: 0,
            },
            &silent,
        )
        .unwrap();
        assert_eq!(o.failures().count(), 0);
        assert!(o.runs.iter().all(|r| r.y.is_some()));
    }
}

#[test]
fn a_rubric_finds_its_spec_beside_it_or_beside_the_rubric_it_extends() {
    let mini = std::fs::read_to_string(fixture("mini/rubric.toml")).unwrap();
    let spec = |name: &str| {
        format!(
            "[[factor]]\nname = \"{name}\"\nset = \"pipeline.aggregate.method\"\nvalues = [\"a_amean\", \"a_median\"]\n\n[[factor]]\nname = \"B weight\"\nset = \"node.B.weight\"\nrange = [0.5, 2]\n"
        )
    };
    let dir = temp_with(&[
        ("base.toml", &mini),
        ("base.sensitivity.toml", &spec("Base aggregation")),
        (
            "child.toml",
            "[rubric]\nextends = \"base.toml\"\nid = \"child\"\nversion = \"0.1.0\"\ntitle = \"Child\"\n",
        ),
        (
            "own.toml",
            "[rubric]\nextends = \"base.toml\"\nid = \"own\"\nversion = \"0.1.0\"\ntitle = \"Own\"\n",
        ),
        ("own.sensitivity.toml", &spec("Own aggregation")),
        (
            "inline.toml",
            &format!(
                "[rubric]\nextends = \"base.toml\"\nid = \"inline\"\nversion = \"0.1.0\"\ntitle = \"Inline\"\n\n[uncertainty]\n{}",
                spec("Inline aggregation").replace("[[factor]]", "[[uncertainty.factor]]")
            ),
        ),
        ("inline.sensitivity.toml", &spec("Ignored")),
    ]);
    let data = fixture("mini");
    let run = |rubric: &str, out: &str| {
        let o = accord(
            dir.path(),
            &[
                "sensitivity",
                "--rubric",
                rubric,
                "--data",
                data.to_str().unwrap(),
                "--runs",
                "16",
                "--out",
                out,
            ],
        );
        let (stdout, stderr) = texts(&o);
        assert!(o.status.success(), "{rubric}: {stderr}");
        let csv =
            std::fs::read_to_string(dir.path().join(out).join("sensitivity_indices.csv")).unwrap();
        (
            stdout,
            csv.lines()
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .to_string(),
        )
    };
    let (stdout, first) = run("base.toml", "a");
    assert!(
        stdout.contains("uncertain factors from `base.sensitivity.toml`"),
        "{stdout}"
    );
    assert_eq!(first, "Base aggregation");
    let (stdout, first) = run("child.toml", "b");
    assert!(
        stdout.contains("uncertain factors from `base.sensitivity.toml`"),
        "{stdout}"
    );
    assert_eq!(first, "Base aggregation");
    let (stdout, first) = run("own.toml", "c");
    assert!(
        stdout.contains("uncertain factors from `own.sensitivity.toml`"),
        "{stdout}"
    );
    assert_eq!(first, "Own aggregation");
    let (stdout, first) = run("inline.toml", "d");
    assert!(
        stdout.contains("uncertain factors from the rubric's [uncertainty] section"),
        "{stdout}"
    );
    assert_eq!(first, "Inline aggregation");
    // The strict Paris Call variant uses the Paris Call spec.
    let tmp = tempfile::tempdir().unwrap();
    let o = accord(
        &root(),
        &[
            "sensitivity",
            "--rubric",
            "rubrics/paris-call-strict.toml",
            "--data",
            "data/demo",
            "--runs",
            "16",
            "--out",
            tmp.path().join("strict").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    assert!(
        texts(&o)
            .0
            .contains("uncertain factors from `rubrics/paris-call.sensitivity.toml`")
    );
}

#[test]
fn without_any_spec_sensitivity_says_where_it_looked_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sa");
    let o = accord(
        &root(),
        &[
            "sensitivity",
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--data",
            "tests/fixtures/mini",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let stderr = texts(&o).1;
    assert!(
        stderr.contains("no uncertain factors for rubric `mini`: no --spec was given, it has no [uncertainty] section, and there is no `tests/fixtures/mini/rubric.sensitivity.toml` beside it"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn with_nothing_ranked_sensitivity_says_why_and_writes_nothing() {
    // The shipped real data, read by the deep rubric, has too little evidence for any index score.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sa");
    let spec = tmp.path().join("spec.toml");
    std::fs::write(&spec, GENMEAN_THEN_COVERAGE).unwrap();
    let o = accord(
        &root(),
        &[
            "sensitivity",
            "--rubric",
            "rubrics/paris-call.toml",
            "--spec",
            spec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let stderr = texts(&o).1;
    assert!(
        stderr.contains("no jurisdiction has a score for `PARIS` in the nominal run, so there are no ranks to analyse"),
        "{stderr}"
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "only the spec"
    );
}

#[test]
fn a_bound_broken_by_less_than_the_margin_is_not_called_a_small_design() {
    // Ten rows, two factors: A is 0, B alternates 0 and 2 (V = 15/19), AB_1 is -e where B is 2
    // and 0 elsewhere, AB_2 = A. The first-order terms are -2e and 0, so S_1 = -e / V and its
    // normal 5-95% interval is (-e -+ 1.644854 x 0.333333 e) / V, wholly below 0 for any e. A
    // true first order is never negative; but a factor whose true S is 0 lands there one time
    // in twenty, so only an interval more than 0.05 below 0 says the design is too small.
    let rows = |e: f64| {
        let n = 10;
        let b: Vec<f64> = (0..n).map(|r| if r % 2 == 1 { 2.0 } else { 0.0 }).collect();
        let mut y: Vec<Option<f64>> = vec![Some(0.0); n];
        y.extend(b.iter().map(|x| Some(*x)));
        y.extend(b.iter().map(|x| Some(if *x > 0.0 { -e } else { 0.0 })));
        y.extend(vec![Some(0.0); n]);
        estimate::sobol(&y, n, 2, 0, 0)
    };
    // e = 0.05: S = -0.0633, interval [-0.098, -0.029].
    let ix = rows(0.05);
    assert!(close(ix[0].si.unwrap(), -0.05 * 19.0 / 15.0));
    assert!(ix[0].notes.is_empty(), "{:?}", ix[0]);
    // e = 0.2: S = -0.2533, interval [-0.392, -0.114].
    let ix = rows(0.2);
    assert!(close(ix[0].si.unwrap(), -0.2 * 19.0 / 15.0));
    assert_eq!(
        ix[0].notes.iter().map(|n| n.message()).collect::<Vec<_>>(),
        [
            "first order -0.253 has its whole 5-95% interval [-0.392, -0.114] outside [0, 1]: the design is too small for a stable estimate of this factor; rerun with a larger --runs"
        ]
    );
}
