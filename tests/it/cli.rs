//! The binary as a researcher runs it: exit codes, files written, messages.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::*;

const FILES: [&str; 6] = [
    "manifest.json",
    "matrix_cells.csv",
    "matrix_dimensions.csv",
    "matrix_principles.csv",
    "ranking.csv",
    "scores.csv",
];

#[test]
fn score_on_the_default_writes_every_file_and_reruns_byte_identically() {
    let out = tempfile::tempdir().unwrap();
    let a = out.path().join("a");
    let b = out.path().join("b");
    let o = accord(&root(), &["score", "--out", a.to_str().unwrap()]);
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("rubric paris-call-public 1.0.0 (33 criteria)"),
        "{stdout}"
    );
    let mut names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, FILES);
    let o = accord(&root(), &["score", "--out", b.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success());
    for f in FILES {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    let scores = std::fs::read_to_string(a.join("scores.csv")).unwrap();
    assert!(scores.starts_with("jurisdiction,node,kind,score,rank,coverage\n"));
    // The US supports the Paris Call on the data set's date (2025-12-25).
    assert!(
        scores.contains("\nUSA,paris_call_supporter,criterion,100,"),
        "US row missing"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["rubric"]["id"], "paris-call-public");
    assert_eq!(manifest["evaluation"]["date"], "2025-12-25");
    assert_eq!(manifest["inputs"]["evidence"]["path"], "data/evidence.csv");
    assert_eq!(
        manifest["outputs"]["scores.csv"]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
}

#[test]
fn demo_data_scores_a_full_ranking() {
    let out = tempfile::tempdir().unwrap();
    let o = accord(
        &root(),
        &[
            "score",
            "--data",
            "data/demo",
            "--out",
            out.path().join("r").to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("rank  jurisdiction"), "{stdout}");
    let ranking = std::fs::read_to_string(out.path().join("r/ranking.csv")).unwrap();
    let ranked = ranking
        .lines()
        .skip(1)
        .filter(|l| !l.contains(",NA,NA,"))
        .count();
    assert!(
        ranked >= 40,
        "expected a ranking of the demo set, got {ranked} rows:\n{ranking}"
    );
}

#[test]
fn an_existing_results_folder_is_refused_unless_forced() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("r");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep.txt"), "mine").unwrap();
    let o = accord(&root(), &["score", "--out", target.to_str().unwrap()]);
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(target.join("keep.txt")).unwrap(),
        "mine"
    );
    let o = accord(
        &root(),
        &["score", "--out", target.to_str().unwrap(), "--force"],
    );
    assert!(o.status.success());
    assert!(
        !target.join("keep.txt").exists(),
        "the old folder is replaced whole"
    );
    assert!(target.join("scores.csv").exists());
    // No temporary folders are left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".accord"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = temp_with(&[(
        "evidence.csv",
        "jurisdiction,criterion,value\nUSA,budapest_party,2006-13-45\n",
    )]);
    let out = dir.path().join("results");
    let o = accord(
        &root(),
        &[
            "score",
            "--evidence",
            dir.path().join("evidence.csv").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`2006-13-45` is not a date in YYYY-MM-DD form"),
        "{stderr}"
    );
    assert!(stderr.contains("evidence.csv:2:20]"), "{stderr}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".accord"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn json_error_format_lists_every_problem() {
    let dir = temp_with(&[(
        "evidence.csv",
        "jurisdiction,criterion,value\nUSA,budapest_party,maybe\nABC,paris_call_supporter,yes\nFRA,budapest_partyy,yes\n",
    )]);
    let o = accord(
        &root(),
        &[
            "validate",
            "--evidence",
            dir.path().join("evidence.csv").to_str().unwrap(),
            "--error-format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 3, "{v}");
    assert_eq!(problems[0]["line"], 2);
    assert_eq!(problems[0]["key"], "value");
    assert!(
        problems[1]["message"]
            .as_str()
            .unwrap()
            .contains("unknown jurisdiction code `ABC`")
    );
    assert_eq!(problems[2]["help"], "did you mean `budapest_party`?");
}

#[test]
fn explain_prints_contributions_that_sum_to_the_score() {
    let o = accord(
        &root(),
        &["explain", "XCA", "--node", "P9", "--data", "data/demo"],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("paris_call_supporter"), "{stdout}");
    assert!(
        stdout.contains("= score") || stdout.contains("score NA"),
        "{stdout}"
    );
    let o = accord(
        &root(),
        &["explain", "XCA", "--node", "P99", "--data", "data/demo"],
    );
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr.contains("unknown node `P99`"), "{stderr}");
}

#[test]
fn template_round_trips_through_validate() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("sheet.csv");
    let o = accord(
        &root(),
        &[
            "template",
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--jurisdictions",
            "tests/fixtures/mini/jurisdictions.csv",
            "--out",
            sheet.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(text.starts_with("jurisdiction,criterion,value,source,as_of,note,question,hint\n"));
    // 4 jurisdictions x 4 evidence fields (the count criterion reads the dyads file).
    assert_eq!(text.lines().count(), 1 + 16);
    // Fill in one value and read it back.
    let filled = text.replacen("XAA,a1,,", "XAA,a1,yes,", 1);
    std::fs::write(&sheet, filled).unwrap();
    let o = accord(
        &root(),
        &[
            "validate",
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--jurisdictions",
            "tests/fixtures/mini/jurisdictions.csv",
            "--evidence",
            sheet.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    // A second template to the same file is refused.
    let o = accord(
        &root(),
        &[
            "template",
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--out",
            sheet.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["template", "--jurisdictions", "data/jurisdictions.csv"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    // Dropping the reader closes the pipe.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("jurisdiction,"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn as_of_moves_the_united_states_on_the_paris_call() {
    let dir = tempfile::tempdir().unwrap();
    for (date, expected) in [
        ("2018-11-12", "0"),
        ("2021-11-10", "0"),
        ("2021-11-11", "100"),
    ] {
        let out = dir.path().join(date);
        let o = accord(
            &root(),
            &["score", "--as-of", date, "--out", out.to_str().unwrap()],
        );
        assert!(o.status.success());
        let scores = std::fs::read_to_string(out.join("scores.csv")).unwrap();
        assert!(
            scores.contains(&format!("\nUSA,paris_call_supporter,criterion,{expected},")),
            "{date}"
        );
    }
}

#[test]
fn every_output_the_readme_examples_write_is_ignored_by_git() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ignore = std::fs::read_to_string(root().join(".gitignore")).unwrap();
    let ignored: Vec<&str> = ignore.lines().filter_map(|l| l.strip_prefix('/')).collect();
    let mut outs = Vec::new();
    for block in readme.split("```").skip(1).step_by(2) {
        let words: Vec<&str> = block.split_whitespace().collect();
        for w in words.windows(2) {
            if w[0] == "--out" {
                outs.push(w[1].trim_end_matches(['`', ')', ';']).to_string());
            }
        }
    }
    assert!(outs.len() > 10, "{outs:?}");
    for out in &outs {
        // Placeholders and paths outside the tree are not the README's own outputs.
        if out.chars().all(|c| c.is_ascii_uppercase())
            || out.starts_with('/')
            || out.starts_with('"')
        {
            continue;
        }
        let top = out.split('/').next().unwrap();
        assert!(
            ignored.contains(&top),
            "the README writes `{out}`: add /{top} to .gitignore"
        );
    }
}

#[test]
fn a_data_folder_names_its_rubric_and_the_fields_it_carries() {
    // One evidence file for two rubrics: the mini rubric reads a1, a2, b1, b2; `extra` is read by
    // another rubric only, and the folder declares it.
    let ev = std::fs::read_to_string(fixture("mini/evidence.csv")).unwrap();
    let ev = format!("{ev}XAA,extra,yes,s9,,\n");
    let rubric = std::fs::read_to_string(fixture("mini/rubric.toml")).unwrap();
    let dir = temp_with(&[
        ("rubrics/mini.toml", &rubric),
        (
            "data/accord.toml",
            "rubric = \"../rubrics/mini.toml\"\ndate = 2021-01-01\nfields = [\"extra\"]\n",
        ),
        ("data/evidence.csv", &ev),
        (
            "data/jurisdictions.csv",
            &std::fs::read_to_string(fixture("mini/jurisdictions.csv")).unwrap(),
        ),
        (
            "data/dyads.csv",
            &std::fs::read_to_string(fixture("mini/dyads.csv")).unwrap(),
        ),
    ]);
    // No --rubric: the folder names it; the declared field is skipped.
    let o = accord(dir.path(), &["score", "--data", "data", "--out", "r"]);
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.starts_with("rubric mini 0.1.0"), "{stdout}");
    // The same scores as the fixture itself (hand-computed in scoring.rs): XAC 100.
    let ranking = std::fs::read_to_string(dir.path().join("r/ranking.csv")).unwrap();
    assert!(ranking.contains("\nXAC,Cando,100,1,"), "{ranking}");
    // A field neither read nor declared is still an error: a typo stays caught.
    std::fs::write(
        dir.path().join("data/evidence.csv"),
        format!("{ev}XAA,extr,yes,s9,,\n"),
    )
    .unwrap();
    let o = accord(dir.path(), &["score", "--data", "data", "--out", "r2"]);
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown criterion `extr`"), "{stderr}");
}

#[test]
fn the_shipped_default_scores_from_any_folder() {
    // An installed accord, run in a folder with no `data/`: the default built into the binary.
    let dir = tempfile::tempdir().unwrap();
    let o = accord(dir.path(), &["score", "--out", "r"]);
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("builtin:data/"), "{stdout}");
    // The same scores as in the source folder, byte for byte.
    let src = tempfile::tempdir().unwrap();
    let out = src.path().join("r");
    let o = accord(&root(), &["score", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", texts(&o).1);
    for f in ["scores.csv", "ranking.csv", "matrix_cells.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("r").join(f)).unwrap(),
            std::fs::read(out.join(f)).unwrap(),
            "{f}"
        );
    }
    // The manifest names the built-in files and their hashes, and --check reruns them.
    let m = std::fs::read_to_string(dir.path().join("r/manifest.json")).unwrap();
    assert!(m.contains("\"builtin:data/evidence.csv\""), "{m}");
    let o = accord(dir.path(), &["score", "--check", "r"]);
    assert!(o.status.success(), "{}", texts(&o).1);
    // A local data folder wins over the built-in one.
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join("data/evidence.csv"),
        "jurisdiction,criterion,value,source\nFRA,wassenaar_participant,yes,a local file\n",
    )
    .unwrap();
    let o = accord(
        dir.path(),
        &[
            "score",
            "--out",
            "r-local",
            "--rubric",
            root().join("rubrics/paris-call.toml").to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("1 jurisdictions scored"), "{stdout}");
}
