//! Output safety: commands never modify their inputs, no CSV cell they write can run as a
//! spreadsheet formula, and a results folder is replaced whole, even when the process is killed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use accord::files::sha256_hex;

use crate::common::*;

/// Copies a folder tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// Every file under `dir`: its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, SystemTime)>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                let mtime = std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .expect("mtime");
                out.insert(p.clone(), (std::fs::read(&p).expect("read"), mtime));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

/// Sets every file's modification time to a fixed day in the past, so that any write shows.
fn age_files(dir: &Path) {
    let past = SystemTime::UNIX_EPOCH + Duration::from_secs(978_307_200); // 2001-01-01
    for p in snapshot(dir).keys() {
        std::fs::File::options()
            .write(true)
            .open(p)
            .and_then(|f| f.set_modified(past))
            .expect("set mtime");
    }
}

/// Runs accord in `cwd` and fails with its output unless it succeeds.
fn ok(cwd: &Path, args: &[&str]) {
    let o = accord(cwd, args);
    let (stdout, stderr) = texts(&o);
    assert!(
        o.status.success(),
        "`accord {}` failed\nstdout:\n{stdout}\nstderr:\n{stderr}",
        args.join(" ")
    );
}

#[test]
fn no_command_modifies_its_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let inp = tmp.path().join("in");
    copy_tree(&fixture("mini"), &inp.join("mini"));
    copy_tree(&fixture("coders"), &inp.join("coders"));
    copy_tree(&root().join("data/demo"), &inp.join("demo"));
    std::fs::create_dir_all(inp.join("rubrics")).unwrap();
    for r in ["paris-call.toml", "paris-call-strict.toml"] {
        std::fs::copy(root().join("rubrics").join(r), inp.join("rubrics").join(r)).unwrap();
    }
    std::fs::write(
        inp.join("spec.toml"),
        "[[factor]]\nname = \"Coverage\"\nset = \"pipeline.aggregate.min_coverage\"\nvalues = [0.5, 0.75]\n",
    )
    .unwrap();
    age_files(&inp);
    let before = snapshot(&inp);
    let out = tmp.path().join("out").display().to_string();
    let runs: Vec<Vec<String>> = [
        "score {mini} --out {out}/score-mini",
        "validate {mini}",
        "explain XAA {mini} --node b3",
        "template --rubric mini/rubric.toml --jurisdictions mini/jurisdictions.csv --out {out}/coding-mini.csv",
        "audit {mini} --out {out}/audit-mini",
        "align {mini} --out {out}/align-mini --min-overlap 1",
        "compare 2019-01-01 2021-01-01 {mini} --out {out}/compare-mini",
        "sensitivity {mini} --spec spec.toml --design ua --runs 4 --out {out}/sa-mini",
        "agreement --rubric mini/rubric.toml --data coders --out {out}/agreement",
        "score {demo} --out {out}/score-demo --as-of 2018-11-12,2024-06-20",
        "validate {demo}",
        "explain XBO {demo} --node P1",
        "template --rubric rubrics/paris-call.toml --jurisdictions demo/jurisdictions.csv --form wide --out {out}/coding-demo.csv",
        "audit {demo} --out {out}/audit-demo",
        "align {demo} --out {out}/align-demo --reference XBO",
        "compare rubrics/paris-call.toml rubrics/paris-call-strict.toml --data demo --out {out}/compare-demo",
        "sensitivity {demo} --spec spec.toml --design ua --runs 4 --out {out}/sa-demo",
    ]
    .iter()
    .map(|cmd| {
        cmd.replace("{mini}", "--rubric mini/rubric.toml --data mini")
            .replace("{demo}", "--rubric rubrics/paris-call.toml --data demo")
            .replace("{out}", &out)
            .split_whitespace()
            .map(String::from)
            .collect()
    })
    .collect();
    for args in &runs {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&inp, &argv);
        let after = snapshot(&inp);
        let changed: Vec<String> = before
            .iter()
            .filter(|(p, v)| after.get(*p) != Some(*v))
            .map(|(p, _)| p.strip_prefix(&inp).unwrap().display().to_string())
            .collect();
        let added: Vec<String> = after
            .keys()
            .filter(|p| !before.contains_key(*p))
            .map(|p| p.strip_prefix(&inp).unwrap().display().to_string())
            .collect();
        assert!(
            changed.is_empty() && added.is_empty(),
            "`accord {}` changed {changed:?} and added {added:?} among its inputs",
            args.join(" ")
        );
    }
    // Every command wrote something: the runs above were not vacuous.
    let written = std::fs::read_dir(tmp.path().join("out")).unwrap().count();
    assert_eq!(written, runs.len() - 4, "outputs: {written}");
}

// ---------------------------------------------------------------------------------------------
// CSV formula injection

/// A rubric whose free text starts with formula characters wherever a rubric allows free text.
/// `rubric.levels` (the `kind` column) is left alone here: see `level_names_are_neutralised`.
const HOSTILE_RUBRIC: &str = r#"[rubric]
id = "hostile"
version = "0.1.0"
title = "=HYPERLINK(\"http://example.invalid\")"
scale = [0, 100]

[pipeline.aggregate]
min_coverage = 0.5

[facets.dimension]
name = "@Dimension"
[[facets.dimension.values]]
id = "legal"
name = "-legal"
[[facets.dimension.values]]
id = "coop"
name = "\tcoop"

[instruments.ext]
name = "=ext"
directed = false
provides = ["extradition"]

[[tier]]
id = "high"
name = "=HIGH()"
min = 50
[[tier]]
id = "low"
name = "\tlow"
min = 0

[[node]]
id = "IDX"
name = "=SUM(1,2)"
[[node]]
id = "A"
parent = "IDX"
name = "+A"
weight = 2
[[node]]
id = "B"
parent = "IDX"
name = "@B"

[[criterion]]
id = "a1"
name = "-a1"
parent = "A"
dimension = "legal"
question = "=Q1()"
guidance = "@guidance"
rule = "boolean"

[[criterion]]
id = "a2"
name = "\ta2"
parent = "A"
dimension = "coop"
question = "\tQ2"
rule = { type = "levels", levels = ["=none", "+some", "@full"] }

[[criterion]]
id = "b1"
parent = "B"
dimension = "legal"
question = "-Q3"
rule = { type = "bands", bands = [[0, 0], [2, 50], [5, 100]] }

[[criterion]]
id = "b2"
parent = "B"
dimension = "coop"
question = "@Q4"
rule = "date"

[[criterion]]
id = "b3"
parent = "B"
dimension = "coop"
question = "+Q5"
rule = { type = "count", instruments = ["ext"], bands = [[0, 0], [1, 50], [2, 100]] }
"#;

const HOSTILE_JURISDICTIONS: &str = "code,name,group:bloc,complete:ext,source,note
XAA,\"=cmd|' /C calc'!A0\",=north,yes,=src,+note
XAB,+Bomia,+north,yes,@src,-note
XAC,-Cando,-south,no,-src,@note
XAD,@Dorn,@south,yes,+src,=note
XAE,-2-2,@south,yes,,
";

const HOSTILE_DYADS: &str = "a,b,instrument,status,signed,in_force,ended,as_of,source,note
XAA,XAB,ext,in_force,,2010-01-01,,,-s,=n
XAC,XAD,ext,in_force,,2012-01-01,,,@s,+n
XAB,XAE,ext,in_force,,2015-01-01,,,+s,@n
";

/// Factor names and alternative labels starting with formula characters; the geometric mean
/// fails on zeros, so `failures.csv` is written too.
const HOSTILE_SPEC: &str = r#"[[factor]]
name = "=Agg"
alternatives = [{ "pipeline.aggregate.method" = "a_amean" }, { "pipeline.aggregate.method" = "a_gmean" }]
labels = ["=mean", "@geo"]

[[factor]]
name = "\tWeight A"
set = "node.A.weight"
range = [0.5, 2.0]
"#;

/// Evidence coded by coders whose names start with formula characters, who disagree.
fn hostile_evidence() -> String {
    let coders = ["=alice", "+bob", "-carol", "@dave"];
    let values: [(&str, [&str; 4]); 4] = [
        ("a1", ["yes", "no", "yes", "yes"]),
        ("a2", ["=none", "+some", "@full", "+some"]),
        ("b1", ["3", "1", "5", "0"]),
        ("b2", ["2019-01-01", "no", "yes", "2010-01-01"]),
    ];
    let mut s = String::from("jurisdiction,criterion,value,source,as_of,coder,note\n");
    for (j, code) in ["XAA", "XAB", "XAC", "XAD", "XAE"].iter().enumerate() {
        for (field, vals) in &values {
            let pair = if j % 2 == 0 {
                &coders[..2]
            } else {
                &coders[2..]
            };
            for (c, coder) in pair.iter().enumerate() {
                let shift = if *field == "b1" { 0 } else { c };
                let v = vals[(j + shift) % 4];
                let as_of = if *field == "b2" && (v == "yes" || v == "no") {
                    "2018-01-01"
                } else {
                    ""
                };
                s.push_str(&format!(
                    "{code},{field},{v},=SUM(1),{as_of},{coder},@note\n"
                ));
            }
        }
    }
    s
}

/// Cells that a spreadsheet would run: text starting with `=`, `+`, `-`, `@`, tab or carriage
/// return (a number may start with `-` or `+`).
fn formula_cells(dir: &Path) -> (usize, Vec<String>) {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, files);
            } else if p.extension().is_some_and(|x| x == "csv") {
                files.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    let mut bad = Vec::new();
    for f in &files {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(f)
            .expect("open csv");
        for (i, record) in reader.records().enumerate() {
            let record = record.expect("csv record");
            for (j, cell) in record.iter().enumerate() {
                let risky = matches!(
                    cell.chars().next(),
                    Some('=' | '+' | '-' | '@' | '\t' | '\r')
                );
                if risky && cell.trim().parse::<f64>().is_err() {
                    bad.push(format!(
                        "{} line {} column {}: {cell:?}",
                        f.strip_prefix(dir).unwrap().display(),
                        i + 1,
                        j + 1
                    ));
                }
            }
        }
    }
    (files.len(), bad)
}

/// Writes the hostile fixture and runs every command that writes CSV on it; returns the output
/// folder.
fn hostile_outputs(tmp: &Path, rubric: &str) -> PathBuf {
    let inp = tmp.join("in");
    std::fs::create_dir_all(&inp).unwrap();
    for (name, text) in [
        ("rubric.toml", rubric.to_string()),
        ("jurisdictions.csv", HOSTILE_JURISDICTIONS.to_string()),
        ("dyads.csv", HOSTILE_DYADS.to_string()),
        ("evidence.csv", hostile_evidence()),
        ("spec.toml", HOSTILE_SPEC.to_string()),
    ] {
        std::fs::write(inp.join(name), text).unwrap();
    }
    // COINr input with unit and indicator names starting with formula characters.
    let idata = std::fs::read_to_string(fixture("coinr/ASEM_iData.csv"))
        .unwrap()
        .replace("\n\"Austria\",", "\n\"=Austria\",")
        .replace("\n\"Belgium\",", "\n\"@Belgium\",");
    let imeta = std::fs::read_to_string(fixture("coinr/ASEM_iMeta.csv"))
        .unwrap()
        .replace("\"Logistics Performance Index\"", "\"+Logistics\"");
    std::fs::write(inp.join("iData.csv"), idata).unwrap();
    std::fs::write(inp.join("iMeta.csv"), imeta).unwrap();

    let out = tmp.join("out");
    let runs: Vec<Vec<String>> = [
        "score {d} --out {out}/score",
        "score {d} --out {out}/score-dates --as-of 2015-01-01,2021-01-01",
        "audit {d} --out {out}/audit",
        "align {d} --out {out}/align --reference XAA --min-overlap 1",
        "align {d} --out {out}/align-kappa --level criterion --metric kappa --min-overlap 1",
        "compare 2015-01-01 2021-01-01 {d} --out {out}/compare",
        "sensitivity {d} --spec spec.toml --runs 4 --seed 1 --runs-csv --out {out}/sensitivity",
        "agreement {d} --out {out}/agreement",
        "template --rubric rubric.toml --jurisdictions jurisdictions.csv --out {out}/template-long.csv",
        "template --rubric rubric.toml --jurisdictions jurisdictions.csv --form wide --out {out}/template-wide.csv",
        "import-coinr --idata iData.csv --imeta iMeta.csv --id asem --out {out}/coinr",
    ]
    .iter()
    .map(|cmd| {
        cmd.replace("{d}", "--rubric rubric.toml --data .")
            .replace("{out}", &out.display().to_string())
            .split_whitespace()
            .map(String::from)
            .collect()
    })
    .collect();
    for args in &runs {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&inp, &argv);
    }
    out
}

#[test]
fn csv_cells_never_start_a_formula() {
    let tmp = tempfile::tempdir().unwrap();
    let out = hostile_outputs(tmp.path(), HOSTILE_RUBRIC);
    let (files, bad) = formula_cells(&out);
    assert!(files >= 40, "only {files} CSV files were written");
    assert!(
        bad.is_empty(),
        "{} cells would run as formulas:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // The hostile text did reach the outputs, neutralised.
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    for (file, marker) in [
        ("score/ranking.csv", "'=cmd|"),
        ("score/ranking.csv", "'+Bomia"),
        ("score/ranking.csv", "'-2-2"),
        ("score-dates/ranking.csv", "'@Dorn"),
        ("align/clusters.csv", "'-Cando"),
        ("align/reference_alignment.csv", "'@Dorn"),
        ("compare/rank_shifts.csv", "'=cmd|"),
        ("sensitivity/sensitivity_indices.csv", "'=Agg"),
        ("sensitivity/sensitivity_indices.csv", "'\tWeight A"),
        ("sensitivity/runs.csv", "'@geo"),
        ("sensitivity/failures.csv", "'@geo"),
        ("agreement/disagreements.csv", "'+bob="),
        ("template-long.csv", "'=none / +some / @full"),
        ("template-wide.csv", "'=cmd|"),
        ("coinr/jurisdictions.csv", "'=Austria"),
        ("coinr/jurisdictions.csv", "'@Belgium"),
    ] {
        assert!(read(file).contains(marker), "{file} lacks {marker:?}");
    }
}

#[test]
fn level_names_are_neutralised() {
    let tmp = tempfile::tempdir().unwrap();
    let rubric = HOSTILE_RUBRIC.replace(
        "scale = [0, 100]\n",
        "scale = [0, 100]\nlevels = [\"=index\", \"+group\"]\n",
    );
    let out = hostile_outputs(tmp.path(), &rubric);
    let (_, bad) = formula_cells(&out);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Killed writes

const SCORE_FILES: [&str; 6] = [
    "manifest.json",
    "matrix_cells.csv",
    "matrix_dimensions.csv",
    "matrix_principles.csv",
    "ranking.csv",
    "scores.csv",
];

/// A synthetic input large enough that scoring and writing take a measurable time: `n`
/// fictional jurisdictions with three-letter codes, allowed by a jurisdictions file.
fn synthetic(dir: &Path, n: usize) {
    let mut jur = String::from("code,name,allow\n");
    let mut ev = String::from("jurisdiction,a1,a2,b1,b2\n");
    let levels = ["none", "some", "full"];
    for i in 0..n {
        let code: String = [i / 676, (i / 26) % 26, i % 26]
            .iter()
            .map(|&k| (b'A' + k as u8) as char)
            .collect();
        jur.push_str(&format!("{code},Land {code},yes\n"));
        ev.push_str(&format!(
            "{code},{},{},{},{}-01-01\n",
            if i % 2 == 0 { "yes" } else { "no" },
            levels[i % 3],
            i % 7,
            2000 + i % 25
        ));
    }
    std::fs::write(dir.join("jurisdictions.csv"), jur).unwrap();
    std::fs::write(dir.join("evidence.csv"), ev).unwrap();
}

/// The two results a run can write: variant 1 changes a setting, so its manifest and scores differ.
fn score_args(dir: &Path, target: &Path, variant: usize) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "score".into(),
        "--quiet".into(),
        "--force".into(),
        "--rubric".into(),
        fixture("mini/rubric.toml").display().to_string(),
        "--evidence".into(),
        dir.join("evidence.csv").display().to_string(),
        "--jurisdictions".into(),
        dir.join("jurisdictions.csv").display().to_string(),
        "--out".into(),
        target.display().to_string(),
    ];
    if variant == 1 {
        args.push("--set".into());
        args.push("pipeline.aggregate.min_coverage=0.9".into());
    }
    args
}

fn spawn(args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn accord")
}

/// Checks that `target` is a whole results folder and returns its manifest's bytes.
fn whole(target: &Path) -> Result<Vec<u8>, String> {
    let names: BTreeSet<String> = std::fs::read_dir(target)
        .map_err(|e| format!("`{}` is missing: {e}", target.display()))?
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = SCORE_FILES.iter().map(|s| s.to_string()).collect();
    if names != expected {
        return Err(format!("files {names:?}, expected {expected:?}"));
    }
    let manifest = std::fs::read(target.join("manifest.json")).map_err(|e| e.to_string())?;
    let m: serde_json::Value =
        serde_json::from_slice(&manifest).map_err(|e| format!("manifest: {e}"))?;
    let outputs = m["outputs"].as_object().ok_or("manifest without outputs")?;
    if outputs.len() != SCORE_FILES.len() - 1 {
        return Err(format!("manifest lists {} outputs", outputs.len()));
    }
    for (name, o) in outputs {
        let bytes = std::fs::read(target.join(name)).map_err(|e| format!("{name}: {e}"))?;
        if o["sha256"].as_str() != Some(sha256_hex(&bytes).as_str()) {
            return Err(format!("`{name}` does not match the manifest's hash"));
        }
    }
    Ok(manifest)
}

/// Hidden folders beside the target: `.accord-partial-*` and `.accord-old-*`.
fn leftovers(parent: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".accord-"))
        .collect();
    v.sort();
    v
}

/// When to kill the child.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// After a delay from the start.
    After(Duration),
    /// As soon as the hidden temporary folder holds a file: during the write.
    DuringWrite,
    /// As soon as the replacement starts (a `.accord-old-*` folder appears) or has just
    /// happened (the target holds the new manifest): while the old folder is moved or removed.
    DuringCommit,
}

/// Polls the target's parent until `pred` holds for one of its entries; false if the child
/// ended first.
fn wait_for(child: &mut Child, parent: &Path, pred: impl Fn(&str, &Path) -> bool) -> bool {
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if let Ok(entries) = std::fs::read_dir(parent) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if pred(&name, &e.path()) {
                    return true;
                }
            }
        }
    }
}

/// Linux only: elsewhere the replacement falls back to two renames, with a short window in which
/// the target is missing.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_score_leaves_the_old_folder_or_the_new_one_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synthetic(dir, 2500);
    let parent = dir.join("results-parent");
    std::fs::create_dir_all(&parent).unwrap();
    let target = parent.join("results");

    // The two possible complete folders, and how long a whole run takes.
    let start = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(score_args(dir, &target, 1))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let full = start.elapsed();
    let reference = dir.join("reference");
    let o = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(score_args(dir, &reference, 0))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifests = [whole(&reference).unwrap(), whole(&target).unwrap()];
    assert_ne!(manifests[0], manifests[1]);
    let mut state = 1;

    let jitter = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as f64
        / 1e9;
    let at = |f: f64| Kill::After(full.mul_f64(f));
    let plans = [
        Kill::After(Duration::ZERO),
        Kill::After(Duration::from_millis(5)),
        at(0.2 + 0.3 * jitter),
        at(0.6 + 0.3 * jitter),
        Kill::DuringWrite,
        Kill::DuringWrite,
        Kill::DuringCommit,
        Kill::DuringCommit,
        Kill::DuringCommit,
    ];
    let mut report = Vec::new();
    for plan in plans {
        let variant = 1 - state;
        let mut child = spawn(&score_args(dir, &target, variant));
        let triggered = match plan {
            Kill::After(d) => {
                std::thread::sleep(d);
                true
            }
            Kill::DuringWrite => wait_for(&mut child, &parent, |name, path| {
                name.starts_with(".accord-partial-")
                    && std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some())
            }),
            Kill::DuringCommit => wait_for(&mut child, &parent, |name, path| {
                // The two-rename fallback moves the old folder aside first; the atomic exchange
                // replaces the target at once, then removes the old folder.
                name.starts_with(".accord-old-")
                    || (name == "results"
                        && std::fs::read(path.join("manifest.json"))
                            .is_ok_and(|m| m != manifests[state]))
            }),
        };
        let _ = child.kill();
        let status = child.wait().unwrap();
        let manifest = whole(&target).unwrap_or_else(|e| {
            panic!(
                "after a kill ({plan:?}), `results` is not whole: {e}; beside it: {:?}",
                leftovers(&parent)
            )
        });
        let now = manifests
            .iter()
            .position(|m| *m == manifest)
            .unwrap_or_else(|| {
                panic!("after a kill ({plan:?}) the manifest is neither old nor new")
            });
        assert!(now == state || now == variant);
        let left = leftovers(&parent);
        report.push(format!(
            "{plan:?}: triggered {triggered}, {}, target {}, left {left:?}",
            if status.success() {
                "finished"
            } else {
                "killed"
            },
            if now == state { "old" } else { "new" },
        ));
        for l in left {
            std::fs::remove_dir_all(parent.join(l)).unwrap();
        }
        state = now;
    }
    eprintln!(
        "killed writes (a whole run takes {full:?}):\n{}",
        report.join("\n")
    );
}

/// Watched from outside while it is replaced, the target is always there: the replacement is
/// one atomic step, not a window between two renames (Linux only, as above).
#[cfg(target_os = "linux")]
#[test]
fn a_replaced_folder_never_goes_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synthetic(dir, 300);
    let target = dir.join("results");
    let o = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(score_args(dir, &target, 0))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = target.join("manifest.json");
    let mut missing = 0usize;
    let mut looks = 0usize;
    for variant in [1, 0, 1, 0, 1, 0] {
        let mut child = spawn(&score_args(dir, &target, variant));
        loop {
            let done = matches!(child.try_wait(), Ok(Some(_)));
            looks += 1;
            if std::fs::symlink_metadata(&manifest).is_err() {
                missing += 1;
            }
            if done {
                break;
            }
        }
        assert!(child.wait().unwrap().success());
        whole(&target).unwrap();
    }
    assert_eq!(
        missing, 0,
        "the results folder was missing {missing} times in {looks} looks while being replaced"
    );
}

/// Data loss, the worst class: an output that is an input, is an input folder, or holds one is
/// refused with exit 2 before anything moves, whatever `--force` says, through every command
/// that writes and through symlinks; the inputs stay byte for byte as they were.
#[test]
fn an_output_never_replaces_or_holds_an_input() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    copy_tree(&fixture("mini"), &t.join("M"));
    std::fs::write(
        t.join("spec.toml"),
        "[[factor]]\nname = \"floor\"\nset = \"pipeline.aggregate.min_coverage\"\nvalues = [0.5, 0.25]\n",
    )
    .unwrap();
    let ok_score = ["score", "--rubric", "M/rubric.toml", "--data", "M", "--out"];
    ok(t, &[&ok_score[..], &["res"]].concat());
    ok(t, &[&ok_score[..], &["res2"]].concat());
    copy_tree(&root().join("tests/fixtures/coinr"), &t.join("coinr"));
    copy_tree(&fixture("coders"), &t.join("C"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(t.join("M"), t.join("link-to-M")).unwrap();
    let before = snapshot(t);
    let m = |rest: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = ["--rubric", "M/rubric.toml", "--data", "M"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let cmd = |head: &[&str], rest: Vec<String>| -> Vec<String> {
        head.iter().map(|s| s.to_string()).chain(rest).collect()
    };
    let mut cases: Vec<(Vec<String>, &str)> = vec![
        // The evidence folder itself, its parent (which holds it), and a file in it.
        (
            cmd(&["score"], m(&["--out", "M", "--force"])),
            "holds the input",
        ),
        (
            cmd(&["score"], m(&["--out", ".", "--force"])),
            "is the current folder",
        ),
        (
            cmd(&["score"], m(&["--out", "M/evidence.csv", "--force"])),
            "exists and is not a folder",
        ),
        (
            cmd(&["align"], m(&["--out", "M", "--force"])),
            "holds the input",
        ),
        (
            cmd(&["audit"], m(&["--out", "M", "--force"])),
            "holds the input",
        ),
        (
            cmd(
                &["agreement", "--rubric", "M/rubric.toml", "--data", "C"],
                vec!["--out".into(), "C".into(), "--force".into()],
            ),
            "holds the input",
        ),
        (
            cmd(
                &["sensitivity"],
                m(&[
                    "--spec",
                    "spec.toml",
                    "--design",
                    "ua",
                    "--runs",
                    "4",
                    "--out",
                    "M",
                    "--force",
                ]),
            ),
            "holds the input",
        ),
        (
            cmd(
                &["template", "--rubric", "M/rubric.toml"],
                vec!["--out".into(), "M/rubric.toml".into(), "--force".into()],
            ),
            "is the input file",
        ),
        (
            cmd(
                &["compare", "res", "res2", "--out", "res", "--force"],
                vec![],
            ),
            "is the input folder",
        ),
        (
            cmd(
                &[
                    "import-coinr",
                    "--idata",
                    "coinr/ASEM_iData.csv",
                    "--imeta",
                    "coinr/ASEM_iMeta.csv",
                ],
                vec!["--out".into(), "coinr".into(), "--force".into()],
            ),
            "holds the input",
        ),
        (
            cmd(
                &["report", "res", "--out", "res/scores.csv", "--force"],
                vec![],
            ),
            "res",
        ),
    ];
    #[cfg(unix)]
    cases.push((
        cmd(&["score"], m(&["--out", "link-to-M", "--force"])),
        "exists and is not a folder",
    ));
    #[cfg(unix)]
    cases.push((
        cmd(
            &[
                "score",
                "--rubric",
                "link-to-M/rubric.toml",
                "--data",
                "link-to-M",
            ],
            vec!["--out".into(), "M".into(), "--force".into()],
        ),
        "holds the input",
    ));
    for (args, says) in &cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = accord(t, &refs);
        let (_, stderr) = texts(&o);
        assert_eq!(
            o.status.code(),
            Some(2),
            "accord {}: {stderr}",
            refs.join(" ")
        );
        assert!(stderr.contains(says), "accord {}: {stderr}", refs.join(" "));
        assert_eq!(
            snapshot(t),
            before,
            "accord {} changed a file",
            refs.join(" ")
        );
        let partial = std::fs::read_dir(t)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(".accord-"));
        assert!(!partial, "accord {} left a hidden folder", refs.join(" "));
    }
    // A new folder beside or below the inputs is fine.
    ok(t, &[&ok_score[..], &["M/results"]].concat());
    ok(t, &[&ok_score[..], &["beside"]].concat());
}

/// `score --out . --force` in a folder that holds no input: a clear refusal (the running process
/// cannot replace its own folder), and no hidden folder left beside it.
#[test]
fn the_current_folder_is_refused_and_nothing_is_left_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let rubric = fixture("mini/rubric.toml");
    let data = fixture("mini");
    let o = accord(
        &work,
        &[
            "score",
            "--rubric",
            rubric.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--out",
            ".",
            "--force",
        ],
    );
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is the current folder"), "{stderr}");
    for dir in [tmp.path(), work.as_path()] {
        let left: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".accord-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
