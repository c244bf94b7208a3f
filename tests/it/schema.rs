//! The results-folder schema: manifests carry a `schema` number; a folder from a newer schema is
//! refused by every reader, one written before the number existed is read as schema 1.

use std::path::Path;

use accord::output::manifest::{self, Manifest, RunManifest, SCHEMA};

use crate::common::{accord, mini, root, texts};

/// Writes a `score` folder of the mini fixture at `out` (as the command line does).
fn score_mini(out: &Path) {
    let o = accord(
        &root(),
        &[
            "score",
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--data",
            "tests/fixtures/mini",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
}

/// Rewrites the `schema` line of `dir/manifest.json` (`None` removes it).
fn set_schema(dir: &Path, schema: Option<&str>) {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = format!("  \"schema\": {SCHEMA},\n");
    assert!(text.starts_with(&format!("{{\n{line}")), "{text}");
    let new = match schema {
        Some(s) => text.replacen(&line, &format!("  \"schema\": {s},\n"), 1),
        None => text.replacen(&line, "", 1),
    };
    std::fs::write(&path, new).unwrap();
}

#[test]
fn a_manifest_records_the_schema_this_accord_writes_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    score_mini(&out);
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        text.starts_with("{\n  \"schema\": 1,\n  \"accord_version\": "),
        "{text}"
    );
}

#[test]
fn a_folder_from_a_newer_schema_is_refused_by_report_compare_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    score_mini(&a);
    score_mini(&b);
    set_schema(&b, Some("2"));
    let shown = b.join("manifest.json").display().to_string();
    let expected =
        format!("`{shown}` was written by a newer accord (results schema 2; this accord reads 1)");
    let html = dir.path().join("r.html");
    let cmp = dir.path().join("cmp");
    let runs: [Vec<&str>; 3] = [
        vec![
            "report",
            b.to_str().unwrap(),
            "--out",
            html.to_str().unwrap(),
        ],
        vec![
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            cmp.to_str().unwrap(),
        ],
        vec!["score", "--check", b.to_str().unwrap()],
    ];
    for args in runs {
        let o = accord(&root(), &args);
        let (_, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(&expected), "{args:?}: {stderr}");
    }
    assert!(!html.exists() && !cmp.exists(), "nothing is written");
}

#[test]
fn a_schema_that_is_no_number_is_refused_naming_the_key() {
    let err = manifest::parse(
        "{\"schema\": \"one\", \"command\": \"score\"}",
        "r/manifest.json",
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "`r/manifest.json` has `schema` \"one\", which is not a results schema number"
    );
    let err = manifest::parse("{\"schema\": 0, \"command\": \"score\"}", "m.json").unwrap_err();
    assert!(err.message.contains("`schema` 0"), "{}", err.message);
}

#[test]
fn a_manifest_written_before_the_schema_field_is_read_as_schema_1() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    score_mini(&a);
    score_mini(&b);
    set_schema(&b, None);
    let (m, _) = manifest::read(&b).unwrap();
    let Manifest::Run(m) = m else {
        panic!("a score manifest")
    };
    assert_eq!(m.schema, 1);
    assert_eq!(m.command, "score");
    // report and compare read it as they read a new one.
    let html = dir.path().join("r.html");
    let o = accord(
        &root(),
        &[
            "report",
            b.to_str().unwrap(),
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let cmp = dir.path().join("cmp");
    let o = accord(
        &root(),
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            cmp.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    // --check reads it and reruns; the rerun's manifest has the field, so the one difference is
    // the line it adds.
    let o = accord(&root(), &["score", "--check", b.to_str().unwrap()]);
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("`manifest.json` line 2: `\"accord_version\": "),
        "{stderr}"
    );
    assert!(stderr.contains("`\"schema\": 1,` on rerun"), "{stderr}");
}

#[test]
fn a_run_manifest_reads_back_as_it_was_written() {
    let s = mini(None, &[]);
    let files = accord::output::score_files(&s);
    let (name, bytes) = files.last().unwrap();
    assert_eq!(name, "manifest.json");
    let text = std::str::from_utf8(bytes).unwrap();
    let read = manifest::parse(text, "manifest.json").unwrap();
    let written = RunManifest::of(&s, &files[..files.len() - 1], "score", None);
    assert_eq!(read, Manifest::Run(Box::new(written)));
    // Written again, the manifest read gives the same bytes.
    let Manifest::Run(m) = read else {
        panic!("a run manifest")
    };
    assert_eq!(manifest::to_bytes(&m), *bytes);
}

#[test]
fn the_manifest_lists_every_pipeline_setting_with_the_defaults_the_rubric_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    score_mini(&out);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    // The mini rubric writes only `[pipeline.aggregate] min_coverage = 0.5`.
    assert_eq!(
        m["settings"]["pipeline"]["normalise"],
        serde_json::Value::Null
    );
    assert_eq!(m["settings"]["pipeline"]["rank"], serde_json::Value::Null);
    let p = &m["pipeline_settings"]["pipeline"];
    // The defaults the README's pipeline table names.
    assert_eq!(p["impute"]["method"], "none");
    assert_eq!(p["normalise"]["method"], "n_minmax");
    assert_eq!(p["aggregate"]["method"], "a_amean");
    assert_eq!(p["aggregate"]["na_child"], "exclude");
    assert_eq!(p["rank"]["ties"], "tolerance");
    // What it wrote is there too.
    assert_eq!(p["aggregate"]["min_coverage"], 0.5);
    // A `--set` shows in the full settings as in the written ones.
    let out = dir.path().join("exact");
    let o = accord(
        &root(),
        &[
            "score",
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--data",
            "tests/fixtures/mini",
            "--set",
            "pipeline.rank.ties=\"exact\"",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["pipeline_settings"]["pipeline"]["rank"]["ties"], "exact");
}

#[test]
fn a_compare_manifest_keeps_its_key_order_sha256_before_rows() {
    // The order `compare` folders were written in before the manifest had a type.
    let m = manifest::CompareManifest {
        command: "compare".to_string(),
        outputs: manifest::Outputs::of(&[("rank_shifts.csv".to_string(), b"h\n1\n".to_vec())]),
        ..Default::default()
    };
    let text = String::from_utf8(manifest::to_bytes(&m)).unwrap();
    let (sha, rows) = (
        text.find("\"sha256\"").unwrap(),
        text.find("\"rows\": 1").unwrap(),
    );
    assert!(sha < rows, "{text}");
    // A run manifest writes rows first, as it always did.
    let s = mini(None, &[]);
    let files = accord::output::score_files(&s);
    let text = std::str::from_utf8(&files.last().unwrap().1).unwrap();
    let at = text.find("\"scores.csv\": {\n      \"rows\": ").unwrap();
    assert!(text[at..].contains("\"sha256\""), "{text}");
}
