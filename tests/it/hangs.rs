//! Hostile numbers and shapes: every loop ends and every number is finite or refused. Each case
//! runs the binary under a hang guard (a generous time limit, not a speed test) and expects a
//! clear message with exit 2, never a hang, a panic or a NaN in an output.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Runs accord in `cwd`, killing it after `limit`: (exit code, stdout, stderr).
fn run_guarded(cwd: &Path, args: &[&str], limit: Duration) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run accord");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`accord {}` still running after {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let o = child.wait_with_output().expect("output");
    let (out, err) = texts(&o);
    (o.status.code(), out, err)
}

const GUARD: Duration = Duration::from_secs(120);

fn refused(cwd: &Path, args: &[&str], says: &str) {
    let (code, _, stderr) = run_guarded(cwd, args, GUARD);
    assert_eq!(code, Some(2), "`accord {}`: {stderr}", args.join(" "));
    assert!(
        stderr.contains(says),
        "`accord {}`: expected {says:?} in\n{stderr}",
        args.join(" ")
    );
}

#[test]
fn weights_too_large_to_average_are_refused_with_the_weight() {
    let m = fixture("mini");
    let r = fixture("mini/rubric.toml");
    let (m, r) = (m.to_str().unwrap(), r.to_str().unwrap());
    let base = ["validate", "--rubric", r, "--data", m];
    for sets in [
        vec!["--set", "node.A.weight=1e308"],
        vec![
            "--set",
            "node.A.weight=1e308",
            "--set",
            "node.B.weight=1e308",
        ],
        vec!["--set", "criterion.a2.weight=1.7e308"],
    ] {
        let args: Vec<&str> = base.iter().copied().chain(sets).collect();
        refused(&root(), &args, "are too large to average scores with");
    }
}

/// A rubric with one numeric criterion normalised with min-max, and a generalised mean.
const NUMERIC: &str = r#"
[rubric]
id = "numeric"
version = "1.0.0"
title = "numeric"

[pipeline.normalise]
method = "n_minmax"

[[node]]
id = "IDX"

[[criterion]]
id = "gdp"
parent = "IDX"
question = "GDP?"
rule = "numeric"

[[criterion]]
id = "pop"
parent = "IDX"
question = "Population?"
rule = "numeric"
"#;

#[test]
fn numbers_at_the_edge_of_floating_point_are_refused_not_turned_into_nan() {
    let dir = temp_with(&[
        ("rubric.toml", NUMERIC),
        (
            "huge/evidence.csv",
            "jurisdiction,gdp,pop\nXAA,1.7e308,1\nXAB,-1.7e308,2\nXAC,0,3\n",
        ),
        (
            "plain/evidence.csv",
            "jurisdiction,gdp,pop\nXAA,3,1\nXAB,2,2\nXAC,1,3\n",
        ),
    ]);
    // min-max over a range wider than the largest double.
    refused(
        dir.path(),
        &[
            "score",
            "--rubric",
            "rubric.toml",
            "--data",
            "huge",
            "--out",
            "r1",
        ],
        "criterion `gdp` overflowed for",
    );
    // A generalised mean with a power no double can hold.
    refused(
        dir.path(),
        &[
            "score",
            "--rubric",
            "rubric.toml",
            "--data",
            "plain",
            "--set",
            "pipeline.normalise.l_u=[1, 100]",
            "--set",
            "pipeline.aggregate.method=a_genmean",
            "--set",
            "pipeline.aggregate.p=1e308",
            "--out",
            "r2",
        ],
        "the result overflows",
    );
    assert!(!dir.path().join("r1").exists() && !dir.path().join("r2").exists());
}

#[test]
fn imported_coinr_weights_too_large_are_refused_when_scored() {
    let dir = temp_with(&[
        (
            "iData.csv",
            "uCode,uName,x1,x2\nAUT,Austria,1,2\nBEL,Belgium,2,3\nCHE,Switzerland,3,1\n",
        ),
        (
            "iMeta.csv",
            "Level,iCode,iName,Direction,Weight,Type,Parent\n1,x1,X1,1,1e308,Indicator,Idx\n1,x2,X2,1,1e308,Indicator,Idx\n2,Idx,Index,1,1,Aggregate,\n",
        ),
    ]);
    let (code, _, stderr) = run_guarded(
        dir.path(),
        &[
            "import-coinr",
            "--idata",
            "iData.csv",
            "--imeta",
            "iMeta.csv",
            "--out",
            "imp",
        ],
        GUARD,
    );
    if code == Some(0) {
        refused(
            dir.path(),
            &[
                "score",
                "--rubric",
                "imp/rubric.toml",
                "--evidence",
                "imp/evidence.csv",
                "--jurisdictions",
                "imp/jurisdictions.csv",
                "--out",
                "r",
            ],
            "too large",
        );
    } else {
        assert_eq!(code, Some(2), "{stderr}");
    }
}

#[test]
fn a_sensitivity_range_reaching_the_largest_double_ends() {
    let dir = temp_with(&[(
        "spec.toml",
        "[[factor]]\nname = \"w\"\nset = \"node.A.weight\"\nrange = [1, 1e308]\n\n[[factor]]\nname = \"v\"\nset = \"node.B.weight\"\nrange = [1, 2]\n",
    )]);
    let m = fixture("mini");
    let r = fixture("mini/rubric.toml");
    let (code, stdout, stderr) = run_guarded(
        dir.path(),
        &[
            "sensitivity",
            "--rubric",
            r.to_str().unwrap(),
            "--data",
            m.to_str().unwrap(),
            "--spec",
            "spec.toml",
            "--runs",
            "16",
            "--out",
            "sa",
        ],
        GUARD,
    );
    // Either every run scores (the overflowing ones reported as failed runs) or the analysis is
    // refused; never a hang, and never a NaN written.
    assert!(code == Some(0) || code == Some(2), "{stderr}");
    if code == Some(0) {
        for f in std::fs::read_dir(dir.path().join("sa")).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            let bad = text.split([',', '\n']).any(|c| {
                matches!(
                    c.trim_matches('"').to_ascii_lowercase().as_str(),
                    "nan" | "inf" | "-inf" | "infinity"
                )
            });
            assert!(!bad, "{stdout}\n{text}");
        }
    }
}

#[test]
fn ranks_end_whatever_the_scores() {
    use accord::base::rank::rank_descending;
    let r = rank_descending(&[Some(f64::NAN), Some(1.0), Some(f64::NAN), None, Some(2.0)]);
    assert_eq!(r.len(), 5);
    assert_eq!(r[3], None);
}

#[test]
fn counts_that_would_exhaust_the_machine_are_refused_before_any_work() {
    let m = fixture("mini");
    let r = fixture("mini/rubric.toml");
    let (m, r) = (m.to_str().unwrap(), r.to_str().unwrap());
    for (flag, value, says) in [
        (
            "--threads",
            "100000",
            "`--threads 100000` is more than the limit of 1024",
        ),
        (
            "--runs",
            "1000000000",
            "`--runs 1000000000` is more than the limit of 1000000",
        ),
        (
            "--bootstrap",
            "10000000",
            "is more than the limit of 100000",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        refused(
            dir.path(),
            &[
                "sensitivity",
                "--rubric",
                r,
                "--data",
                m,
                flag,
                value,
                "--out",
                "sa",
            ],
            says,
        );
        assert!(!dir.path().join("sa").exists());
    }
}

#[test]
fn a_deep_chain_of_nodes_is_refused_and_a_wide_audit_stays_linear() {
    let mut text = String::from(
        "[rubric]\nid = \"chain\"\nversion = \"1.0.0\"\ntitle = \"chain\"\n\n[[node]]\nid = \"N0\"\n",
    );
    for i in 1..9_999 {
        text.push_str(&format!(
            "[[node]]\nid = \"N{i}\"\nparent = \"N{}\"\n",
            i - 1
        ));
    }
    text.push_str(
        "[[criterion]]\nid = \"c1\"\nparent = \"N9998\"\nquestion = \"q\"\nrule = \"boolean\"\n",
    );
    let dir = temp_with(&[
        ("chain.toml", &text),
        ("evidence.csv", "jurisdiction,c1\nXAA,yes\nXAB,no\n"),
    ]);
    refused(
        dir.path(),
        &[
            "audit",
            "--rubric",
            "chain.toml",
            "--evidence",
            "evidence.csv",
            "--out",
            "a",
        ],
        "the tree is 9998 levels deep (node `N9998`), more than the limit of 64",
    );
    // 64 levels are accepted: audit correlates every element with each of its at most 64
    // ancestors.
    let mut text = String::from(
        "[rubric]\nid = \"chain\"\nversion = \"1.0.0\"\ntitle = \"chain\"\n\n[[node]]\nid = \"N0\"\n",
    );
    for i in 1..=64 {
        text.push_str(&format!(
            "[[node]]\nid = \"N{i}\"\nparent = \"N{}\"\n",
            i - 1
        ));
    }
    text.push_str(
        "[[criterion]]\nid = \"c1\"\nparent = \"N64\"\nquestion = \"q\"\nrule = \"boolean\"\n",
    );
    text.push_str(
        "[[criterion]]\nid = \"c2\"\nparent = \"N64\"\nquestion = \"q\"\nrule = \"boolean\"\n",
    );
    std::fs::write(dir.path().join("chain64.toml"), text).unwrap();
    std::fs::write(
        dir.path().join("evidence.csv"),
        "jurisdiction,c1,c2\nXAA,yes,no\nXAB,no,no\nXAC,yes,yes\n",
    )
    .unwrap();
    let (code, _, stderr) = run_guarded(
        dir.path(),
        &[
            "audit",
            "--rubric",
            "chain64.toml",
            "--evidence",
            "evidence.csv",
            "--out",
            "a",
        ],
        GUARD,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let corr = std::fs::read_to_string(dir.path().join("a/correlations.csv")).unwrap();
    // Node N_i (i = 1..64) has i ancestors; each criterion, below N64, has 65.
    let rows = corr.lines().count() - 1;
    assert_eq!(rows, (1..=64).sum::<usize>() + 2 * 65, "{rows} rows");
}
