//! Tab- and `;`-separated inputs: read by extension (`.tsv`, `.tab`), with `--delimiter`, or with
//! a data folder's `delimiter`; the same scores as CSV, the same locations in messages.

use std::path::Path;

use crate::common::*;

/// The mini fixture's table `name`, with its columns separated by `d` instead of commas (the
/// fixture has no quoted cells), and, in the evidence, a quoted note holding `d` on line 2.
fn mini_table(name: &str, d: char) -> String {
    let text = std::fs::read_to_string(fixture(&format!("mini/{name}"))).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        if name == "evidence.csv" && i == 1 {
            assert_eq!(cells[5], "", "the note of line 2 is empty in the fixture");
            cells[5] = format!("\"first{d} then second\"");
        }
        out.push_str(&cells.join(&d.to_string()));
        out.push('\n');
    }
    out
}

/// A data folder holding the mini fixture's three tables separated by `d`, under `names`.
fn mini_folder(root: &Path, folder: &str, d: char, names: [&str; 3]) {
    let dir = root.join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    for (table, name) in ["evidence.csv", "jurisdictions.csv", "dyads.csv"]
        .into_iter()
        .zip(names)
    {
        std::fs::write(dir.join(name), mini_table(table, d)).unwrap();
    }
}

fn rubric() -> String {
    fixture("mini/rubric.toml").display().to_string()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Every CSV a results folder holds, by name.
fn results(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn succeeds(cwd: &Path, args: &[&str]) -> String {
    let o = accord(cwd, args);
    let (out, err) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{args:?}\n{out}\n{err}");
    out
}

/// Exit 2 and the problems as JSON.
fn refused(cwd: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut args = args.to_vec();
    args.extend(["--error-format", "json"]);
    let o = accord(cwd, &args);
    let (out, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}\n{out}\n{err}");
    let json: serde_json::Value = serde_json::from_str(&err).unwrap_or_else(|_| panic!("{err}"));
    json["problems"].as_array().unwrap().clone()
}

#[test]
fn csv_tsv_and_semicolon_files_score_alike() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let csv = ["evidence.csv", "jurisdictions.csv", "dyads.csv"];
    mini_folder(root, "csv", ',', csv);
    mini_folder(
        root,
        "tsv",
        '\t',
        ["evidence.tsv", "jurisdictions.tsv", "dyads.tab"],
    );
    mini_folder(root, "semi", ';', csv);
    mini_folder(root, "semi_toml", ';', csv);
    std::fs::write(root.join("semi_toml/accord.toml"), "delimiter = \";\"\n").unwrap();
    let r = rubric();
    let score = |data: &str, more: &[&str]| {
        let out = format!("out_{data}");
        let mut args = vec!["score", "--rubric", &r, "--data", data, "--out", &out];
        args.extend(more);
        succeeds(root, &args);
        root.join(out)
    };
    let by_csv = score("csv", &[]);
    let by_tsv = score("tsv", &[]);
    let by_flag = score("semi", &["--delimiter", ";"]);
    let by_toml = score("semi_toml", &[]);
    let expected = results(&by_csv);
    assert!(expected.iter().any(|(n, _)| n == "scores.csv"));
    for other in [&by_tsv, &by_flag, &by_toml] {
        assert_eq!(results(other), expected, "{}", other.display());
    }
    // The manifest records each file's delimiter (a comma-separated file's record has none).
    let m = manifest(&by_csv);
    for key in ["evidence", "jurisdictions", "dyads"] {
        assert!(m["inputs"][key].get("delimiter").is_none(), "{key}");
    }
    for (folder, d) in [(&by_tsv, "tab"), (&by_flag, ";"), (&by_toml, ";")] {
        let m = manifest(folder);
        for key in ["evidence", "jurisdictions", "dyads"] {
            assert_eq!(m["inputs"][key]["delimiter"], d, "{key}");
        }
    }
    assert_eq!(
        manifest(&by_tsv)["inputs"]["dyads"]["path"],
        "tsv/dyads.tab"
    );
    assert_eq!(
        manifest(&by_flag)["options"]["invocation"]["delimiter"],
        ";"
    );
    assert!(
        manifest(&by_toml)["options"]["invocation"]
            .get("delimiter")
            .is_none()
    );
}

#[test]
fn check_reruns_a_semicolon_run_with_its_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    mini_folder(
        root,
        "semi",
        ';',
        ["evidence.csv", "jurisdictions.csv", "dyads.csv"],
    );
    let r = rubric();
    let args = ["--rubric", &r, "--evidence", "semi/evidence.csv"];
    let mut first = vec!["score", "--delimiter", ";", "--out", "out"];
    first.extend(args);
    first.extend(["--jurisdictions", "semi/jurisdictions.csv"]);
    first.extend(["--dyads", "semi/dyads.csv"]);
    succeeds(root, &first);
    let out = succeeds(root, &["score", "--check", "out"]);
    assert_eq!(
        out,
        "reproduced: `out` matches a rerun byte for byte (6 files)\n"
    );
}

#[test]
fn a_bad_value_is_located_alike_in_csv_tsv_and_semicolon_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let r = rubric();
    // The quoted source holds the delimiter; the bad value `lots` starts at character 15 of
    // line 3 (`XAB,"x, y",a2,` is 14 characters), in every form.
    for (name, d, flag) in [
        ("e.csv", ',', None),
        ("e.TSV", '\t', None),
        ("e.tab", '\t', None),
        ("semi.csv", ';', Some(";")),
        ("pipe.txt", '|', Some("|")),
    ] {
        let text = format!(
            "jurisdiction{d}source{d}criterion{d}value\nXAA{d}s{d}a2{d}some\nXAB{d}\"x{d} y\"{d}a2{d}lots\n"
        );
        std::fs::write(root.join(name), text).unwrap();
        let mut args = vec!["validate", "--rubric", &r, "--evidence", name];
        if let Some(f) = flag {
            args.extend(["--delimiter", f]);
        }
        let problems = refused(root, &args);
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        let p = &problems[0];
        assert!(
            p["message"]
                .as_str()
                .unwrap()
                .starts_with("`lots` is not a level of this field"),
            "{name}: {p}"
        );
        assert_eq!(
            (&p["file"], &p["line"], &p["column"], &p["key"]),
            (
                &serde_json::json!(name),
                &serde_json::json!(3),
                &serde_json::json!(15),
                &serde_json::json!("value")
            ),
            "{name}"
        );
    }
}

#[test]
fn a_row_with_too_many_fields_names_its_line_and_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let r = rubric();
    std::fs::write(
        root.join("e.tsv"),
        "jurisdiction\tcriterion\tvalue\nXAA\ta1\tyes\nXAB\ta2\tso\tme\n",
    )
    .unwrap();
    let p = &refused(root, &["validate", "--rubric", &r, "--evidence", "e.tsv"])[0];
    assert_eq!(p["message"], "line 3 has 4 fields, but the header has 3");
    assert_eq!((&p["line"], &p["column"]), (&3.into(), &1.into()));
    assert_eq!(
        p["help"],
        "is a tab inside a value splitting it? Quote values that contain tabs"
    );
}

#[test]
fn bad_delimiters_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    mini_folder(
        root,
        "csv",
        ',',
        ["evidence.csv", "jurisdictions.csv", "dyads.csv"],
    );
    let r = rubric();
    for (given, says) in [
        (
            "\"",
            "`--delimiter` cannot be `\"`: the quote marks cells that hold the delimiter",
        ),
        ("", "`--delimiter` is empty: it must be one character"),
        (
            "\n",
            "`--delimiter` cannot be a line break: line breaks end rows",
        ),
        (
            ";;",
            "`--delimiter` must be one character, not `;;` (2 characters)",
        ),
        (
            "§",
            "`--delimiter` must be one byte: `§` takes 2 bytes in UTF-8",
        ),
        (
            " ",
            "`--delimiter` cannot be U+0020, an invisible character (tab is the one accepted)",
        ),
        (
            "\u{1}",
            "`--delimiter` cannot be U+0001, an invisible character (tab is the one accepted)",
        ),
    ] {
        let args = [
            "score",
            "--rubric",
            &r,
            "--data",
            "csv",
            "--delimiter",
            given,
            "--out",
            "out",
        ];
        let problems = refused(root, &args);
        assert_eq!(problems.len(), 1, "{given:?}");
        assert_eq!(problems[0]["message"], says, "{given:?}");
        assert_eq!(
            problems[0]["help"],
            "give one character, such as `;` or `|`, or `tab`"
        );
        assert!(!root.join("out").exists(), "{given:?}");
    }
    // In a data folder's accord.toml, the key and its line are named.
    std::fs::write(
        root.join("csv/accord.toml"),
        "# the folder\ndelimiter = \"||\"\n",
    )
    .unwrap();
    let problems = refused(
        root,
        &["score", "--rubric", &r, "--data", "csv", "--out", "out"],
    );
    assert_eq!(
        problems[0]["message"],
        "`delimiter` must be one character, not `||` (2 characters)"
    );
    assert_eq!(
        (&problems[0]["line"], &problems[0]["key"]),
        (&2.into(), &"delimiter".into())
    );
    assert_eq!(
        problems[0]["help"],
        "give one character, such as `;` or `|`, or `\"tab\"`"
    );
    assert!(!root.join("out").exists());
    // The command line wins over the folder's key.
    std::fs::write(root.join("csv/accord.toml"), "delimiter = \";\"\n").unwrap();
    let problems = refused(
        root,
        &["score", "--rubric", &r, "--data", "csv", "--out", "out"],
    );
    assert_eq!(
        problems[0]["help"],
        "this file looks comma-separated; read it without `--delimiter` (and without `delimiter` in its data folder's accord.toml)"
    );
    succeeds(
        root,
        &[
            "score",
            "--rubric",
            &r,
            "--data",
            "csv",
            "--delimiter",
            ",",
            "--out",
            "out",
        ],
    );
}

#[test]
fn a_semicolon_file_read_as_csv_gets_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let r = rubric();
    std::fs::write(
        root.join("e.csv"),
        "jurisdiction;criterion;value\nXAA;a1;yes\n",
    )
    .unwrap();
    let p = &refused(root, &["validate", "--rubric", &r, "--evidence", "e.csv"])[0];
    assert_eq!(
        p["message"],
        "evidence file `e.csv` separates columns with `;`, not `,`"
    );
    assert_eq!((&p["file"], &p["line"]), (&"e.csv".into(), &1.into()));
    assert!(
        p["help"]
            .as_str()
            .unwrap()
            .starts_with("this file looks `;`-separated; pass `--delimiter ';'`"),
        "{p}"
    );
    succeeds(
        root,
        &[
            "validate",
            "--rubric",
            &r,
            "--evidence",
            "e.csv",
            "--delimiter",
            ";",
        ],
    );
    // Excel's `sep=;` line agrees with the option, and is read past.
    std::fs::write(
        root.join("sep.csv"),
        "sep=;\njurisdiction;criterion;value\nXAA;a1;yes\n",
    )
    .unwrap();
    let args = ["validate", "--rubric", &r, "--evidence", "sep.csv"];
    let p = &refused(root, &args)[0];
    assert!(
        p["help"]
            .as_str()
            .unwrap()
            .starts_with("this file looks `;`-separated; pass `--delimiter ';'`"),
        "{p}"
    );
    succeeds(root, &[&args[..], &["--delimiter", ";"]].concat());
    // A tab-separated file named .csv: the hint names the extension.
    std::fs::write(root.join("t.csv"), "jurisdiction\tcriterion\tvalue\n").unwrap();
    let p = &refused(root, &["validate", "--rubric", &r, "--evidence", "t.csv"])[0];
    assert_eq!(
        p["message"],
        "evidence file `t.csv` separates columns with tabs, not `,`"
    );
    assert_eq!(
        p["help"],
        "this file looks tab-separated; name it `.tsv`, or pass `--delimiter tab`"
    );
}

#[test]
fn a_one_column_header_that_is_not_certainly_semicolon_separated_gets_no_hint() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let r = rubric();
    // One quoted column whose name holds `;`: read with `;`, it is still one column.
    std::fs::write(root.join("e.csv"), "\"jurisdiction;criterion\"\nXAA\n").unwrap();
    let p = &refused(root, &["validate", "--rubric", &r, "--evidence", "e.csv"])[0];
    assert_eq!(
        p["message"],
        "the header of `e.csv` has no `jurisdiction` column"
    );
    assert!(
        !p["help"].as_str().unwrap_or("").contains("--delimiter"),
        "{p}"
    );
}

#[test]
fn a_data_folder_with_both_evidence_csv_and_evidence_tsv_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    mini_folder(
        root,
        "both",
        ',',
        ["evidence.csv", "jurisdictions.csv", "dyads.csv"],
    );
    std::fs::write(
        root.join("both/evidence.tsv"),
        mini_table("evidence.csv", '\t'),
    )
    .unwrap();
    let r = rubric();
    let args = ["score", "--rubric", &r, "--data", "both", "--out", "out"];
    let problems = refused(root, &args);
    assert_eq!(
        problems[0]["message"],
        "the data folder `both` holds both `evidence.csv` and `evidence.tsv`: either could be its evidence file"
    );
    assert_eq!(problems[0]["help"], "keep one of them in the folder");
    assert!(!root.join("out").exists());
    // For the other tables, naming one on the command line settles it.
    std::fs::remove_file(root.join("both/evidence.tsv")).unwrap();
    std::fs::write(root.join("both/dyads.tab"), mini_table("dyads.csv", '\t')).unwrap();
    let problems = refused(root, &args);
    assert_eq!(
        problems[0]["message"],
        "the data folder `both` holds both `dyads.csv` and `dyads.tab`: either could be its dyads file"
    );
    assert_eq!(
        problems[0]["help"],
        "keep one of them in the folder, or name the one to read with --dyads"
    );
    succeeds(root, &[&args[..], &["--dyads", "both/dyads.tab"]].concat());
}
