//! Evidence, jurisdictions and dyads files: forms, unknowns, and every kind of bad value.

use accord::evidence::{self, InputPaths};
use accord::rubric::{self, LoadOptions};

use crate::common::*;

fn mini_rubric() -> accord::rubric::Rubric {
    rubric::load(&fixture("mini/rubric.toml"), &LoadOptions::default()).unwrap()
}

fn load_evidence(text: &[u8]) -> Result<accord::evidence::Inputs, accord::error::InputError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("e.csv"), text).unwrap();
    let paths = InputPaths {
        evidence: dir.path().join("e.csv"),
        sheet: None,
        jurisdictions: None,
        dyads: None,
    };
    evidence::load(&paths, &mini_rubric())
}

/// Loads evidence text against the mini rubric with a jurisdictions file.
fn load_with_jurisdictions(
    jurisdictions: &str,
    evidence: &str,
) -> Result<accord::evidence::Inputs, accord::error::InputError> {
    let dir = temp_with(&[("j.csv", jurisdictions), ("e.csv", evidence)]);
    let paths = InputPaths {
        evidence: dir.path().join("e.csv"),
        sheet: None,
        jurisdictions: Some(dir.path().join("j.csv")),
        dyads: None,
    };
    evidence::load(&paths, &mini_rubric())
}

fn first_error(text: &str) -> String {
    load_evidence(text.as_bytes()).unwrap_err().problems[0]
        .one_line()
        .replace(&*std::env::temp_dir().to_string_lossy(), "")
}

#[test]
fn long_and_wide_forms_give_the_same_scores() {
    let long = "jurisdiction,criterion,value\nXAA,a1,yes\nXAA,a2,some\nXAA,b1,3\nXAB,a1,no\nXAB,a2,full\nXAB,b1,NA\n";
    let wide = "jurisdiction,a1,a2,b1\nXAA,yes,some,3\nXAB,no,full,\n";
    let dir = temp_with(&[
        ("long/evidence.csv", long),
        ("wide/evidence.csv", wide),
        (
            "r.toml",
            &std::fs::read_to_string(fixture("mini/rubric.toml")).unwrap(),
        ),
    ]);
    let a = score_dir(
        &dir.path().join("r.toml"),
        &dir.path().join("long"),
        None,
        &["pipeline.aggregate.min_coverage=0"],
    );
    let b = score_dir(
        &dir.path().join("r.toml"),
        &dir.path().join("wide"),
        None,
        &["pipeline.aggregate.min_coverage=0"],
    );
    assert_eq!(a.inputs.evidence.form, accord::evidence::Form::Long);
    assert_eq!(b.inputs.evidence.form, accord::evidence::Form::Wide);
    for code in ["XAA", "XAB"] {
        for id in ["IDX", "A", "B", "legal"] {
            assert_eq!(
                score_of(&a, code, id),
                score_of(&b, code, id),
                "{code} {id}"
            );
        }
    }
    assert_eq!(score_of(&a, "XAB", "b1"), None);
}

#[test]
fn conflicting_duplicates_name_both_lines() {
    let e = load_evidence(b"jurisdiction,criterion,value\nXAA,a1,yes\nXAB,a1,no\nXAA,a1,no\n")
        .unwrap_err();
    let p = &e.problems[0];
    assert!(
        p.message
            .starts_with("conflicting values for `XAA`, field `a1`: `no` here, `yes` at "),
        "{}",
        p.message
    );
    assert!(p.message.ends_with("e.csv:2"), "{}", p.message);
    assert_eq!(p.location.as_ref().unwrap().line, Some(4));
    // The same value twice is not a conflict.
    assert!(load_evidence(b"jurisdiction,criterion,value\nXAA,a1,yes\nXAA,a1,yes\n").is_ok());
    // Different dates are not a conflict either.
    assert!(
        load_evidence(
            b"jurisdiction,criterion,value,as_of\nXAA,a1,yes,2020-01-01\nXAA,a1,no,2021-01-01\n"
        )
        .is_ok()
    );
}

/// Duplicates are found however the jurisdictions of a file are spread: here the first row is
/// for the last of 14,000 jurisdictions, before the rows of the others, which is where the
/// reader's table of first rows does not yet reach and the key is kept elsewhere.
#[test]
fn conflicting_duplicates_are_found_for_any_jurisdiction_order() {
    let n = 40_000;
    let code = |i: usize| format!("U{i:05}");
    let mut jurisdictions = String::from("code,name,allow\n");
    for i in 0..n {
        jurisdictions.push_str(&format!("{},Unit {i},yes\n", code(i)));
    }
    let mut rows = format!("jurisdiction,criterion,value\n{},a1,yes\n", code(n - 1));
    for i in 0..n - 1 {
        rows.push_str(&format!("{},a1,yes\n", code(i)));
    }
    // Line n + 2 conflicts with line 2, line n + 3 with line 3; line n + 4 repeats line 4.
    rows.push_str(&format!(
        "{},a1,no\n{},a1,no\n{},a1,yes\n",
        code(n - 1),
        code(0),
        code(1)
    ));
    let e = load_with_jurisdictions(&jurisdictions, &rows).unwrap_err();
    let found: Vec<(String, Option<usize>)> = e
        .problems
        .iter()
        .map(|p| {
            let first = p.message.rsplit(':').next().unwrap_or("").to_string();
            (first, p.location.as_ref().and_then(|l| l.line))
        })
        .collect();
    assert_eq!(
        found,
        [
            ("2".to_string(), Some(n + 2)),
            ("3".to_string(), Some(n + 3))
        ],
        "{:?}",
        e.problems.iter().map(|p| &p.message).collect::<Vec<_>>()
    );
    assert!(e.problems[0].message.starts_with(&format!(
        "conflicting values for `{}`, field `a1`: `no` here, `yes` at ",
        code(n - 1)
    )));
}

/// A file of over a megabyte is split into records on a second thread while its rows are
/// checked: a problem in it is reported at its line, with blank lines counted, as in a small
/// file read on one thread.
#[test]
fn problems_in_large_files_are_found_at_their_lines() {
    let code = |i: usize| format!("U{i:06}");
    for n in [1_000, 100_000] {
        let mut jurisdictions = String::from("code,name,allow\n");
        for i in 0..n {
            jurisdictions.push_str(&format!("{},Unit {i},yes\n", code(i)));
        }
        let rows = |bad: &str| {
            let mut text = String::from("jurisdiction,criterion,value\n");
            for i in 0..n {
                if i == 5 {
                    text.push_str(",,\n\n");
                }
                if i == n - 10 {
                    text.push_str(bad);
                } else {
                    text.push_str(&format!("{},a1,yes\n", code(i)));
                }
            }
            text
        };
        // Row `n - 10` is on line n - 10 + 2 (the header, 1-based), and two blank lines before.
        let line = n - 10 + 4;
        let cases = [
            (
                format!("{},a1,yes,extra\n", code(n - 10)),
                format!("line {line} has 4 fields, but the header has 3"),
            ),
            (
                format!("{},a1,maybe\n", code(n - 10)),
                "`maybe`".to_string(),
            ),
        ];
        for (bad, says) in cases {
            let text = rows(&bad);
            assert_eq!(text.len() > 1 << 20, n == 100_000);
            let e = load_with_jurisdictions(&jurisdictions, &text).unwrap_err();
            assert_eq!(e.problems.len(), 1, "{n}: {:?}", e.problems);
            let p = &e.problems[0];
            assert!(p.message.contains(&says), "{n}: {}", p.message);
            assert_eq!(p.location.as_ref().and_then(|l| l.line), Some(line), "{n}");
        }
        // Without a problem every row is read.
        let text = rows(&format!("{},a1,yes\n", code(n - 10)));
        let inputs = load_with_jurisdictions(&jurisdictions, &text).unwrap();
        assert_eq!(inputs.evidence.rows.len(), n);
        assert_eq!(inputs.jurisdictions.len(), n);
        assert_eq!(inputs.evidence.rows[n - 1].place().line, n + 3);
    }
}

#[test]
fn values_a_rule_cannot_read_are_errors_with_line_and_column() {
    assert_eq!(
        first_error("jurisdiction,criterion,value\nXAA,a2,most\n")
            .split_once(": ")
            .unwrap()
            .1,
        "`most` is not a level of this field (levels: none, some, full) (field `a2` expects one of none, some, full) [value]"
    );
    let e = first_error("jurisdiction,criterion,value\nXAA,b1,3,5\n");
    assert!(
        e.contains("e.csv:2:1: line 2 has 4 fields, but the header has 3"),
        "{e}"
    );
    let e = first_error("jurisdiction,criterion,value\nXAA,b1\n");
    assert!(
        e.contains("line 2 has 2 fields, but the header has 3"),
        "{e}"
    );
    let e = first_error("jurisdiction,b1\nXAA,\"2,5\"\n");
    assert!(e.contains("`2,5` uses a decimal comma; write `2.5`"), "{e}");
    assert!(e.contains("e.csv:2:5"), "{e}");
    let e = first_error("jurisdiction,criterion,value\nXAA,b1,three\n");
    assert!(e.contains("`three` is not a number"), "{e}");
    let e = first_error("jurisdiction,criterion,value\nXAA,b2,11/11/2021\n");
    assert!(
        e.contains("`11/11/2021` is not a date in YYYY-MM-DD form, nor yes or no"),
        "{e}"
    );
    let e = first_error("jurisdiction,criterion,value\nXAA,b1,inf\n");
    assert!(e.contains("`inf` is not a finite number"), "{e}");
    let e = first_error("jurisdiction,criterion,value\nXAA,a1,maybe\n");
    assert!(e.contains("`maybe` is not yes or no"), "{e}");
}

#[test]
fn unknown_codes_and_fields_are_named() {
    let e = first_error("jurisdiction,criterion,value\nUSAA,a1,yes\n");
    assert!(
        e.contains("unknown jurisdiction code `USAA`: a jurisdiction code has three letters"),
        "{e}"
    );
    let e = first_error("jurisdiction,criterion,value\nusa,a1,yes\n");
    assert!(e.contains("codes are upper case: write `USA`"), "{e}");
    let e = first_error("jurisdiction,criterion,value\nABC,a1,yes\n");
    assert!(e.contains("it is not an ISO 3166-1 alpha-3 code"), "{e}");
    let err = load_evidence(b"jurisdiction,criterion,value\nXAA,a2x,yes\n").unwrap_err();
    assert_eq!(
        err.problems[0].message,
        "unknown criterion `a2x`: rubric `mini` has no evidence field of that name"
    );
    assert_eq!(err.problems[0].help.as_deref(), Some("did you mean `a2`?"));
    let err = load_evidence(b"jurisdiction,a1,a9\nXAA,yes,no\n").unwrap_err();
    let m = &err.problems[0].message;
    assert!(
        m.starts_with("column `a9` of `")
            && m.ends_with("e.csv` is not an evidence field of rubric `mini`"),
        "{m}"
    );
}

#[test]
fn a_header_without_jurisdiction_suggests_the_rename() {
    let err = load_evidence(b"iso3,criterion,value\nXAA,a1,yes\n").unwrap_err();
    assert!(
        err.problems[0]
            .message
            .contains("has no `jurisdiction` column")
    );
    assert_eq!(
        err.problems[0].help.as_deref(),
        Some("rename `iso3` to `jurisdiction`")
    );
}

#[test]
fn crlf_and_a_utf8_bom_are_accepted() {
    let i =
        load_evidence(b"\xEF\xBB\xBFjurisdiction,criterion,value\r\nXAA,a1,yes\r\nXAB,a2,none\r\n")
            .unwrap();
    assert_eq!(i.evidence.rows.len(), 2);
    assert_eq!(i.jurisdictions.list[0].code, "XAA");
}

#[test]
fn other_encodings_are_refused_clearly() {
    let mut utf16 = vec![0xFF, 0xFE];
    for b in "jurisdiction,criterion,value\n".bytes() {
        utf16.extend([b, 0]);
    }
    let e = load_evidence(&utf16).unwrap_err().to_string();
    assert!(e.contains("is encoded as UTF-16, not UTF-8"), "{e}");
    let e = load_evidence(b"jurisdiction,criterion,value\nXAA,a2,caf\xE9\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("is not valid UTF-8: byte 0xE9 at line 2, column 11"),
        "{e}"
    );
}

#[test]
fn empty_files_and_semicolons_are_explained() {
    let e = load_evidence(b"").unwrap_err().to_string();
    assert!(e.contains("is empty: it needs a header row"), "{e}");
    let e = load_evidence(b"jurisdiction,criterion,value\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("has a header but no rows"), "{e}");
    let err = load_evidence(b"jurisdiction;criterion;value\nXAA;b1;2,5\n").unwrap_err();
    assert!(
        err.problems[0]
            .message
            .contains("separates columns with `;`, not `,`")
    );
    assert!(
        err.problems[0]
            .help
            .as_deref()
            .unwrap()
            .contains("decimal commas")
    );
}

#[test]
fn jurisdictions_file_restricts_codes_and_allows_others() {
    let rubric = mini_rubric();
    let dir = temp_with(&[
        (
            "j.csv",
            "code,name,allow\nXAA,Aland,\nEUU,European Union,yes\n",
        ),
        (
            "e.csv",
            "jurisdiction,criterion,value\nEUU,a1,yes\nXAB,a1,no\n",
        ),
        ("bad.csv", "code,name\nEUU,European Union\n"),
    ]);
    let paths = InputPaths {
        evidence: dir.path().join("e.csv"),
        sheet: None,
        jurisdictions: Some(dir.path().join("j.csv")),
        dyads: None,
    };
    let e = evidence::load(&paths, &rubric).unwrap_err();
    assert_eq!(
        e.problems[0].message,
        "unknown jurisdiction `XAB`: it is not in the jurisdictions file"
    );
    let paths = InputPaths {
        jurisdictions: Some(dir.path().join("bad.csv")),
        ..paths
    };
    let e = evidence::load(&paths, &rubric).unwrap_err();
    assert!(
        e.problems[0]
            .message
            .contains("unknown jurisdiction code `EUU`"),
        "{e}"
    );
    assert!(
        e.problems[0]
            .help
            .as_deref()
            .unwrap()
            .contains("`allow` column")
    );
}

#[test]
fn dyads_are_checked() {
    let rubric = mini_rubric();
    let dir = temp_with(&[
        ("e.csv", "jurisdiction,criterion,value\nXAA,a1,yes\n"),
        (
            "d.csv",
            "a,b,instrument,status\nXAA,XAA,ext,in_force\nXAA,XAB,extr,in_force\nXAA,XAB,ext,ratified\n",
        ),
    ]);
    let paths = InputPaths {
        evidence: dir.path().join("e.csv"),
        sheet: None,
        jurisdictions: None,
        dyads: Some(dir.path().join("d.csv")),
    };
    let e = evidence::load(&paths, &rubric).unwrap_err();
    let msgs: Vec<&str> = e.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "`XAA` cannot have an instrument with itself",
            "unknown instrument `extr`: rubric `mini` does not declare it under [instruments]",
            "`ratified` is not a status",
        ]
    );
}

#[test]
fn workbooks_are_read_by_sheet_with_cell_references() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coding.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "read me").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Evidence").unwrap();
    for (c, h) in ["jurisdiction", "criterion", "value"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "XAA").unwrap();
    sheet.write_string(1, 1, "b1").unwrap();
    sheet.write_number(1, 2, 3.0).unwrap();
    sheet.write_string(2, 0, "XAB").unwrap();
    sheet.write_string(2, 1, "a2").unwrap();
    sheet.write_string(2, 2, "lots").unwrap();
    book.save(&path).unwrap();
    let rubric = mini_rubric();
    let paths = InputPaths {
        evidence: path.clone(),
        sheet: Some("Evidence".into()),
        jurisdictions: None,
        dyads: None,
    };
    let e = evidence::load(&paths, &rubric).unwrap_err();
    let loc = e.problems[0].location.as_ref().unwrap();
    assert!(
        loc.file.ends_with("coding.xlsx (sheet `Evidence`)"),
        "{}",
        loc.file
    );
    assert_eq!(loc.key.as_deref(), Some("cell C3 (`value`)"));
    assert!(e.problems[0].message.starts_with("`lots` is not a level"));
    let paths = InputPaths {
        sheet: None,
        ..paths
    };
    let e = evidence::load(&paths, &rubric).unwrap_err();
    assert!(
        e.problems[0]
            .message
            .contains("has 2 sheets; say which holds the evidence file with --sheet"),
        "{e}"
    );
    let paths = InputPaths {
        sheet: Some("Evidnce".into()),
        ..paths
    };
    let e = evidence::load(&paths, &rubric).unwrap_err();
    assert_eq!(
        e.problems[0].help.as_deref(),
        Some("did you mean `Evidence`?")
    );
}

/// The manifest's digest is of the file's bytes as they are on disk, whether the file is small
/// (hashed at once) or large (hashed while its rows are read), and whatever its BOM or line ends.
#[test]
fn the_recorded_sha256_is_that_of_the_bytes_on_disk() {
    use sha2::Digest;
    let mut body = String::from("jurisdiction,criterion,value,as_of\n");
    let mut rows = 0;
    while body.len() < (3 << 19) {
        let (year, month, day) = (1000 + rows / 336, rows / 28 % 12 + 1, rows % 28 + 1);
        body.push_str(&format!("XAA,b1,{rows},{year}-{month:02}-{day:02}\n"));
        rows += 1;
    }
    let small = "jurisdiction,criterion,value\nXAA,a1,yes\n".to_string();
    let cases = [
        ("small", small.into_bytes(), 1),
        ("large", body.clone().into_bytes(), rows),
        ("large CRLF", body.replace('\n', "\r\n").into_bytes(), rows),
        (
            "large BOM",
            [b"\xEF\xBB\xBF".as_slice(), body.as_bytes()].concat(),
            rows,
        ),
    ];
    for (what, bytes, n) in cases {
        let inputs = load_evidence(&bytes)
            .unwrap_or_else(|e| panic!("{what}: {}", e.problems[0].one_line()));
        let expected: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(inputs.evidence.file.sha256, expected, "{what}");
        assert_eq!(inputs.evidence.rows.len(), n, "{what}");
    }
}

/// A problem's debug form names its file and size but does not print the file: a failed
/// `unwrap` on a large input stays readable.
#[test]
fn a_problem_in_a_large_file_debug_prints_in_a_few_lines() {
    let mut text = String::from("jurisdiction,criterion,value,as_of\n");
    for i in 0..40_000 {
        let (year, month, day) = (1000 + i / 336, i / 28 % 12 + 1, i % 28 + 1);
        text.push_str(&format!("XAA,b1,{i},{year}-{month:02}-{day:02}\n"));
    }
    text.push_str("XAA,a1,maybe,\n");
    let e = load_evidence(text.as_bytes()).unwrap_err();
    let shown = format!("{e:?}");
    assert!(text.len() > 500_000);
    assert!(shown.len() < 2_000, "{} bytes", shown.len());
    assert!(shown.contains(&format!("bytes: {}", text.len())), "{shown}");
}

#[test]
fn a_formula_without_a_saved_value_is_refused_with_its_cell() {
    use rust_xlsxwriter::{Formula, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, result: Option<&str>| {
        let path = dir.path().join(name);
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["jurisdiction", "criterion", "value"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "XAA").unwrap();
        sheet.write_string(1, 1, "b1").unwrap();
        sheet.write_number(1, 2, 3.0).unwrap();
        sheet.write_string(2, 0, "XAB").unwrap();
        sheet.write_string(2, 1, "b1").unwrap();
        // A formula as a program writes it, with no result, unless one is set.
        sheet.set_formula_result_default("");
        let f = Formula::new("=C2+1");
        let f = match result {
            Some(r) => f.set_result(r),
            None => f,
        };
        sheet.write_formula(2, 2, f).unwrap();
        book.save(&path).unwrap();
        path
    };
    let load = |path: std::path::PathBuf| {
        evidence::load(
            &InputPaths {
                evidence: path,
                sheet: None,
                jurisdictions: None,
                dyads: None,
            },
            &mini_rubric(),
        )
    };
    let e = load(write("unsaved.xlsx", None)).unwrap_err();
    let p = &e.problems[0];
    assert!(
        p.message
            .contains("has 1 formula cell with no saved value: C3 (`=C2+1`)"),
        "{}",
        p.message
    );
    assert!(
        p.location
            .as_ref()
            .unwrap()
            .file
            .ends_with("unsaved.xlsx (sheet `Sheet1`)")
    );
    // With the value a spreadsheet saved, the cell reads as that value.
    let inputs = load(write("saved.xlsx", Some("4"))).unwrap();
    let b1 = inputs.evidence.rows.iter().find(|r| &*r.raw == "4");
    assert!(b1.is_some(), "the saved value 4 is read");
}

#[test]
fn a_country_name_or_another_code_gets_did_you_mean_the_alpha_3_code() {
    for (written, code, name) in [
        ("Germany", "DEU", "Germany"),
        ("GER", "DEU", "Germany"),
        (
            "UK",
            "GBR",
            "United Kingdom of Great Britain and Northern Ireland",
        ),
    ] {
        let e =
            load_evidence(format!("jurisdiction,criterion,value\n{written},a1,yes\n").as_bytes())
                .unwrap_err();
        let help = e.problems[0].help.clone().unwrap_or_default();
        assert_eq!(
            help,
            format!("did you mean `{code}` ({name})?"),
            "{written}"
        );
    }
}

/// Limits are a value in the load options, not a setting of the process: in one process, a load
/// with a small row limit is refused while loads with the default limits read the same file.
/// (The mini evidence file has 15 data rows, one observation each.)
#[test]
fn two_loads_in_one_process_keep_their_own_limits() {
    let rubric = mini_rubric();
    let evidence_file = fixture("mini/evidence.csv");
    let paths = InputPaths {
        evidence: evidence_file.clone(),
        sheet: None,
        jurisdictions: None,
        dyads: None,
    };
    let small = evidence::LoadOptions {
        limits: accord::limits::Limits {
            rows: 10,
            ..accord::limits::Limits::default()
        },
        ..evidence::LoadOptions::default()
    };
    let refused = format!(
        "`{}` has more than 10 rows (--max-rows)",
        evidence_file.display()
    );
    let e = evidence::load_with(&paths, &rubric, &small).unwrap_err();
    assert_eq!(e.problems[0].message, refused);
    let inputs = evidence::load_with(&paths, &rubric, &evidence::LoadOptions::default()).unwrap();
    assert_eq!(inputs.evidence.rows.len(), 15);
    // And the small limit again, after the default one: neither load changed the other's.
    let e = evidence::load_with(&paths, &rubric, &small).unwrap_err();
    assert_eq!(e.problems[0].message, refused);
    let exactly = evidence::LoadOptions {
        limits: accord::limits::Limits {
            rows: 15,
            ..accord::limits::Limits::default()
        },
        ..evidence::LoadOptions::default()
    };
    assert_eq!(
        evidence::load_with(&paths, &rubric, &exactly)
            .unwrap()
            .evidence
            .rows
            .len(),
        15
    );
}
