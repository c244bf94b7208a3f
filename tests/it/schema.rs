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

// ---------------------------------------------------------------------------------------------
// The files of every folder kind, against their descriptions.

use accord::output::schema::{self, Cell, Folder, Format, ReadLimits, Table};

/// Runs `accord ARGS --out DIR/NAME` from the repository root and returns the folder.
fn run_into(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let out = dir.join(name);
    let mut all: Vec<&str> = args.to_vec();
    let shown = out.to_str().unwrap().to_string();
    all.extend(["--out", &shown]);
    let o = accord(&root(), &all);
    assert!(o.status.success(), "{args:?}: {}", texts(&o).1);
    out
}

/// Checks every file of the folder `dir` written by `folder`'s command: it is described, a
/// table's header is the description's columns in order (the family's names between the lead
/// and the tail), every cell parses as its column's type, and the manifest records the file's
/// SHA-256. Returns the names of the files seen.
fn check_folder(dir: &Path, folder: Folder) -> Vec<String> {
    let (m, _) = manifest::read(dir).unwrap();
    assert_eq!(m.command(), folder.command());
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in &names {
        let file = schema::describe(folder, name).unwrap_or_else(|| {
            panic!(
                "`{name}` of a `{}` folder has no description",
                folder.command()
            )
        });
        let path = dir.join(name);
        if name != "manifest.json" {
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(
                m.sha256(name),
                Some(accord::files::sha256_hex(&bytes).as_str()),
                "{name}"
            );
        }
        let Format::Csv { lead, family, tail } = file.format else {
            let text = std::fs::read_to_string(&path).unwrap();
            serde_json::from_str::<serde_json::Value>(&text).unwrap();
            continue;
        };
        let (t, _) = schema::read(&path, file, &ReadLimits::of(&Default::default()))
            .unwrap_or_else(|e| panic!("{}", e.message));
        let dated = t.col("as_of").is_some();
        let names_of = |cols: &[schema::Column]| -> Vec<String> {
            cols.iter()
                .filter(|c| c.presence != schema::Presence::Dated || dated)
                .map(|c| c.name.to_string())
                .collect()
        };
        let (lead, tail) = (names_of(lead), names_of(tail));
        let h = &t.header;
        assert!(h.len() >= lead.len() + tail.len(), "{name}: {h:?}");
        assert_eq!(h[..lead.len()], lead[..], "{name}");
        assert_eq!(h[h.len() - tail.len()..], tail[..], "{name}");
        let between = h.len() - lead.len() - tail.len();
        match family {
            Some(_) => assert_eq!(t.family().len(), between, "{name}"),
            None => assert_eq!(between, 0, "{name}: columns the description does not know"),
        }
        // Every row has one cell per column (the reader pads short rows: none are short).
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, row) in text.lines().enumerate() {
            assert_eq!(
                schema::fields(row).len(),
                h.len(),
                "{name} line {}",
                line + 1
            );
        }
        assert_eq!(t.rows.len(), text.lines().count() - 1, "{name}");
    }
    names
}

#[test]
fn every_file_every_command_writes_on_the_demo_data_is_described_and_reads_as_described() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = ["--data", "data/demo"];
    let score = run_into(d, "score", &["score", "--data", "data/demo"]);
    let dated = run_into(
        d,
        "dated",
        &[
            "score",
            "--data",
            "data/demo",
            "--as-of",
            "2018-11-12,2024-06-20",
        ],
    );
    let align = run_into(
        d,
        "align",
        &["align", demo[0], demo[1], "--reference", "XDU"],
    );
    let sens = run_into(
        d,
        "sens",
        &[
            "sensitivity",
            demo[0],
            demo[1],
            "--runs",
            "16",
            "--bootstrap",
            "10",
            "--runs-csv",
        ],
    );
    let cmp = run_into(
        d,
        "cmp",
        &[
            "compare",
            "rubrics/paris-call.toml",
            "rubrics/paris-call-strict.toml",
            "--data",
            "data/demo",
        ],
    );
    let audit = run_into(d, "audit", &["audit", demo[0], demo[1]]);
    let agreement = run_into(
        d,
        "agreement",
        &[
            "agreement",
            "--rubric",
            "tests/fixtures/mini/rubric.toml",
            "--data",
            "tests/fixtures/coders",
        ],
    );
    let seen = [
        check_folder(&score, Folder::Score),
        check_folder(&dated, Folder::Score),
        check_folder(&align, Folder::Align),
        check_folder(&sens, Folder::Sensitivity),
        check_folder(&cmp, Folder::Compare),
        check_folder(&audit, Folder::Audit),
        check_folder(&agreement, Folder::Agreement),
    ];
    // Each run wrote what its folder kind is described to hold (failures.csv only when a run
    // fails, which none does here).
    let count = |i: usize| seen[i].len();
    assert_eq!((count(0), count(1)), (6, 6));
    assert_eq!(count(2), 10, "{:?}", seen[2]);
    assert_eq!(count(3), 5, "{:?}", seen[3]);
    assert_eq!(count(4), 4);
    assert_eq!(
        count(5),
        13,
        "an audit folder has its manifest: {:?}",
        seen[5]
    );
    assert_eq!(count(6), 3);
    // The dated folder has its `as_of` column, the other not.
    let header = |p: &Path| {
        std::fs::read_to_string(p.join("ranking.csv"))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        header(&dated),
        "jurisdiction,as_of,name,score,rank,tier,tier_name,coverage"
    );
    assert_eq!(
        header(&score),
        "jurisdiction,name,score,rank,tier,tier_name,coverage"
    );
}

#[test]
fn an_audit_manifest_records_the_schema_the_stage_and_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let audit = run_into(
        dir.path(),
        "audit",
        &["audit", "--data", "data/demo", "--stage", "normalised"],
    );
    let m = manifest::read_run(&audit, "audit").unwrap();
    assert_eq!(m.schema, SCHEMA);
    let options: manifest::AuditOptions = m.options_as("manifest.json").unwrap();
    assert_eq!(options.stage, "normalised");
    let listed: Vec<&str> = m.outputs.0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(listed.len(), 12);
    assert_eq!(listed[0], "stats.csv");
    assert!(!listed.contains(&"manifest.json"));
}

/// A score folder of the mini fixture whose ranking.csv lost its `rank` column.
fn ranking_without_rank(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("r");
    score_mini(&out);
    let path = out.join("ranking.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut: String = text
        .lines()
        .map(|l| {
            let mut f = schema::fields(l);
            f.remove(3);
            format!("{}\n", f.join(","))
        })
        .collect();
    assert!(cut.starts_with("jurisdiction,name,score,tier,"), "{cut}");
    std::fs::write(&path, cut).unwrap();
    out
}

#[test]
fn the_reader_refuses_a_header_that_lost_a_column_naming_the_file_and_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = ranking_without_rank(dir.path());
    let path = out.join("ranking.csv");
    let shown = path.display().to_string();
    let err = schema::read(
        &path,
        &schema::RANKING,
        &ReadLimits::of(&Default::default()),
    )
    .unwrap_err();
    assert_eq!(err.message, format!("`{shown}` has no column `rank`"));
    let json = err.to_json();
    assert_eq!(json["file"], shown.as_str(), "{json}");
    assert_eq!(json["line"], 1, "{json}");
    // report says the same.
    let html = dir.path().join("r.html");
    let o = accord(
        &root(),
        &[
            "report",
            out.to_str().unwrap(),
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        texts(&o)
            .1
            .contains(&format!("`{shown}` has no column `rank`")),
        "{}",
        texts(&o).1
    );
}

#[test]
fn the_reader_names_the_line_and_column_of_a_cell_that_is_not_its_type() {
    let limits = ReadLimits::of(&Default::default());
    let text = "jurisdiction,name,score,rank,tier,tier_name,coverage\nXAA,A,50,1,NA,NA,1\nXAB,B,40,2,NA,NA,1.5\n";
    let err = schema::parse(text, "r/ranking.csv", &schema::RANKING, &limits).unwrap_err();
    assert_eq!(
        err.message,
        "`r/ranking.csv` line 3: `1.5` in column `coverage` is not a share from 0 to 1"
    );
    let json = err.to_json();
    assert_eq!(
        (json["line"].clone(), json["column"].clone()),
        (3.into(), 7.into())
    );
    let text = "jurisdiction,name,score,rank,tier,tier_name,coverage\nXAA,A,50,first,NA,NA,1\n";
    let err = schema::parse(text, "r/ranking.csv", &schema::RANKING, &limits).unwrap_err();
    assert_eq!(
        err.message,
        "`r/ranking.csv` line 2: `first` in column `rank` is not a whole number"
    );
    // Beyond the row limit, the file is refused rather than read whole.
    let small = ReadLimits { rows: 1, ..limits };
    let text = "jurisdiction,name,score,rank,tier,tier_name,coverage\nXAA,A,50,1,NA,NA,1\nXAB,B,40,2,NA,NA,1\n";
    let err = schema::parse(text, "r/ranking.csv", &schema::RANKING, &small).unwrap_err();
    assert!(
        err.message.contains("more than 1 data rows"),
        "{}",
        err.message
    );
}

#[test]
fn a_table_writes_na_for_missing_neutralises_text_and_reads_back_its_cells() {
    let mut t = Table::with(
        &schema::MATRIX_PRINCIPLES,
        &["P1".into(), "-P2".into()],
        false,
    );
    t.push(vec![
        Cell::text("XAA"),
        Cell::number(Some(0.5)),
        Cell::number(None),
    ]);
    t.push(vec![
        Cell::text("=XAB"),
        Cell::Number(-0.0),
        Cell::Number(1e-7),
    ]);
    let bytes = schema::to_csv(&t);
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        "jurisdiction,P1,'-P2\nXAA,0.5,NA\n'=XAB,0,0.0000001\n"
    );
    let read = schema::parse(
        std::str::from_utf8(&bytes).unwrap(),
        "m.csv",
        &schema::MATRIX_PRINCIPLES,
        &ReadLimits::of(&Default::default()),
    )
    .unwrap();
    assert_eq!(read.family(), vec![(1, "P1"), (2, "-P2")]);
    let cells: Vec<&[Cell]> = read.rows.iter().map(|r| r.cells.as_slice()).collect();
    assert_eq!(
        cells,
        vec![
            &[Cell::text("XAA"), Cell::Number(0.5), Cell::Na][..],
            &[Cell::text("=XAB"), Cell::Number(0.0), Cell::Number(1e-7)][..],
        ]
    );
}

#[test]
fn every_described_file_name_is_unique_within_its_folder_kind() {
    for f in schema::FILES {
        let same = schema::FILES
            .iter()
            .filter(|g| g.folder == f.folder && g.name == f.name)
            .count();
        assert_eq!(same, 1, "{} of {:?}", f.name, f.folder);
    }
    for folder in Folder::ALL {
        assert_eq!(Folder::of_command(folder.command()), Some(folder));
        assert!(schema::describe(folder, "manifest.json").is_some());
    }
}
