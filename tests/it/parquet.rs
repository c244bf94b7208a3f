//! `--format parquet`: every table of every folder kind holds, cell for cell, what its CSV holds,
//! with the columns typed as the schema describes them; the manifest records the format and each
//! file's SHA-256; `report` and `compare` read a parquet folder to the same output as its CSV.

use std::collections::BTreeSet;
use std::path::Path;

use accord::output::manifest;
use accord::output::schema::{self, Cell, Folder, ReadLimits, Type};
use parquet::basic::{LogicalType, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};

use crate::common::{accord, root, texts};

/// Every command that writes a results folder, on the shipped data, with the options that make
/// it write each of its tables (several dates, a reference, the runs table).
const RUNS: &[&[&str]] = &[
    &["score"],
    &[
        "score",
        "--data",
        "data/demo",
        "--as-of",
        "2018-11-12,2021-11-10",
    ],
    &["align"],
    &["align", "--data", "data/demo", "--reference", "XJO"],
    &[
        "sensitivity",
        "--data",
        "data/demo",
        "--seed",
        "3",
        "--runs",
        "16",
        "--runs-csv",
    ],
    &[
        "compare",
        "rubrics/paris-call.toml",
        "rubrics/paris-call-strict.toml",
        "--data",
        "data/demo",
    ],
    &["compare", "2018-11-12", "2025-12-25"],
    &["audit", "--data", "data/demo"],
    &[
        "agreement",
        "--rubric",
        "tests/fixtures/mini/rubric.toml",
        "--data",
        "tests/fixtures/coders",
    ],
];

fn run(args: &[&str], out: &Path, parquet: bool) {
    let mut all: Vec<&str> = args.to_vec();
    let out = out.to_str().unwrap();
    all.extend(["--out", out, "--quiet"]);
    if parquet {
        all.extend(["--format", "parquet"]);
    }
    let o = accord(&root(), &all);
    assert!(o.status.success(), "{all:?}: {:?}", texts(&o));
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

/// The cell a parquet table holds for a CSV cell: `NA` is null; a blank cell is an empty string
/// in a text column and null in any other.
fn expected(c: &Cell, ty: Type) -> Cell {
    match (c, ty) {
        (Cell::Blank, Type::Code | Type::Text | Type::Label(_)) => Cell::Text("".into()),
        (Cell::Blank, _) => Cell::Na,
        (other, _) => other.clone(),
    }
}

/// The parquet column a schema type is written as.
fn column_type(ty: Type) -> (Physical, Option<LogicalType>) {
    match ty {
        Type::Code | Type::Text | Type::Label(_) => {
            (Physical::BYTE_ARRAY, Some(LogicalType::String))
        }
        Type::Number | Type::Share => (Physical::DOUBLE, None),
        Type::Integer => (Physical::INT64, None),
        Type::Date => (Physical::INT32, Some(LogicalType::Date)),
        Type::Boolean => (Physical::BOOLEAN, None),
    }
}

/// Compares one table: the CSV read against its description, the parquet read back.
fn same_table(folder: Folder, csv_dir: &Path, pq_dir: &Path, csv_name: &str) -> usize {
    let file = schema::describe(folder, csv_name).unwrap_or_else(|| panic!("{csv_name}"));
    let limits = ReadLimits {
        bytes: 1 << 30,
        flag: None,
        rows: 10_000_000,
    };
    let (csv, _) = schema::read(&csv_dir.join(csv_name), file, &limits).unwrap();
    let pq_name = format!("{}.parquet", csv_name.strip_suffix(".csv").unwrap());
    let bytes = std::fs::read(pq_dir.join(&pq_name)).unwrap();
    // The columns' types, from the file's own schema.
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes.clone())).unwrap();
    let columns = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .to_vec();
    assert_eq!(columns.len(), csv.header.len(), "{pq_name}");
    let family = file.family().map(|f| f.ty);
    let types: Vec<Type> = csv
        .header
        .iter()
        .map(|h| {
            file.columns()
                .find(|c| c.name == h)
                .map(|c| c.ty)
                .or(family)
                .unwrap_or(Type::Text)
        })
        .collect();
    for ((c, ty), name) in columns.iter().zip(&types).zip(&csv.header) {
        assert_eq!(c.name(), name, "{pq_name}");
        let (physical, logical) = column_type(*ty);
        assert_eq!(c.physical_type(), physical, "{pq_name} `{name}`");
        assert_eq!(c.logical_type_ref().cloned(), logical, "{pq_name} `{name}`");
    }
    let (header, rows) = schema::read_parquet(bytes).unwrap();
    assert_eq!(header, csv.header, "{pq_name}");
    assert_eq!(rows.len(), csv.rows.len(), "{pq_name}");
    for (i, (p, c)) in rows.iter().zip(&csv.rows).enumerate() {
        assert_eq!(p.len(), c.cells.len(), "{pq_name} row {}", i + 1);
        for (k, (pc, cc)) in p.iter().zip(&c.cells).enumerate() {
            assert_eq!(
                *pc,
                expected(cc, types[k]),
                "{pq_name} row {} column `{}`",
                i + 1,
                header[k]
            );
        }
    }
    rows.len()
}

#[test]
fn every_table_of_every_command_holds_in_parquet_what_its_csv_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let mut tables = 0;
    for (n, args) in RUNS.iter().enumerate() {
        let (csv_dir, pq_dir) = (
            tmp.path().join(format!("csv{n}")),
            tmp.path().join(format!("pq{n}")),
        );
        run(args, &csv_dir, false);
        run(args, &pq_dir, true);
        let folder = Folder::of_command(args[0]).unwrap();
        let (csv_names, pq_names) = (names(&csv_dir), names(&pq_dir));
        // The same files, each table renamed `.parquet`; the JSON files stay JSON.
        let renamed: BTreeSet<String> = csv_names
            .iter()
            .map(|n| match n.strip_suffix(".csv") {
                Some(stem) => format!("{stem}.parquet"),
                None => n.clone(),
            })
            .collect();
        assert_eq!(renamed, pq_names, "{args:?}");
        let (m, _) = manifest::read(&pq_dir).unwrap();
        assert_eq!(m.format(), Some("parquet"), "{args:?}");
        assert_eq!(manifest::read(&csv_dir).unwrap().0.format(), None);
        for name in &csv_names {
            if let Some(stem) = name.strip_suffix(".csv") {
                let rows = same_table(folder, &csv_dir, &pq_dir, name);
                let pq = format!("{stem}.parquet");
                let bytes = std::fs::read(pq_dir.join(&pq)).unwrap();
                assert_eq!(
                    m.sha256(&pq),
                    Some(accord::files::sha256_hex(&bytes).as_str()),
                    "{pq}"
                );
                if let manifest::Manifest::Run(r) = &m {
                    assert_eq!(r.outputs.get(&pq).unwrap().rows, rows as u64, "{pq}");
                }
                tables += 1;
            } else if name == "summary.json" {
                // Not a table: the same bytes in both folders.
                assert_eq!(
                    std::fs::read(csv_dir.join(name)).unwrap(),
                    std::fs::read(pq_dir.join(name)).unwrap()
                );
            }
        }
    }
    // Every table the schema describes was compared at least once.
    assert!(tables >= 30, "{tables} tables compared");
}

#[test]
fn a_parquet_folder_is_byte_identical_on_rerun_and_passes_check() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let args: &[&str] = &["score", "--data", "data/demo"];
    run(args, &a, true);
    run(args, &b, true);
    for name in names(&a) {
        assert_eq!(
            std::fs::read(a.join(&name)).unwrap(),
            std::fs::read(b.join(&name)).unwrap(),
            "{name}"
        );
    }
    let o = accord(&root(), &["score", "--check", a.to_str().unwrap()]);
    let (out, err) = texts(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("6 files"), "{out}");
}

#[test]
fn a_date_is_a_parquet_date_counted_in_days_from_1970() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    run(
        &[
            "score",
            "--data",
            "data/demo",
            "--as-of",
            "2018-11-12,2021-11-10",
        ],
        &dir,
        true,
    );
    let bytes = std::fs::read(dir.join("ranking.parquet")).unwrap();
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
    let first = reader.get_row_iter(None).unwrap().next().unwrap().unwrap();
    let (name, field) = first.get_column_iter().nth(1).unwrap();
    assert_eq!(name, "as_of");
    // 2018-11-12 is 48 years of 365 days, 12 leap days (1972 ... 2016) and 315 days of 2018.
    assert_eq!(48 * 365 + 12 + 315, 17847);
    assert_eq!(*field, parquet::record::Field::Date(17847));
}

/// The report written in `cwd` from the folders named there, with the list of files read (their
/// names and SHA-256s, which differ between a CSV and a parquet folder by nature) cut out and the
/// tables' `.parquet` names read as `.csv`.
fn report_in(cwd: &Path, args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend(args);
    all.extend(["--out", "r.html", "--quiet"]);
    let o = accord(cwd, &all);
    assert!(o.status.success(), "{all:?}: {:?}", texts(&o));
    let html = std::fs::read_to_string(cwd.join("r.html")).unwrap();
    let start = html.find("<summary>Results files read").unwrap();
    let end = start + html[start..].find("</details>").unwrap();
    format!("{}{}", &html[..start], &html[end..]).replace(".parquet", ".csv")
}

#[test]
fn report_and_compare_read_a_parquet_folder_as_its_csv() {
    let tmp = tempfile::tempdir().unwrap();
    // The same folder names under two roots, one written as CSV and one as parquet, so that
    // every path the outputs show is the same.
    let (csv, pq) = (tmp.path().join("csv"), tmp.path().join("pq"));
    for (base, parquet) in [(&csv, false), (&pq, true)] {
        let ok = |args: &[&str]| {
            let mut all = args.to_vec();
            if parquet {
                all.extend(["--format", "parquet"]);
            }
            let o = accord(&root(), &all);
            assert!(o.status.success(), "{all:?}: {:?}", texts(&o));
        };
        let out = |name: &str| base.join(name).to_str().unwrap().to_string();
        ok(&[
            "score",
            "--data",
            "data/demo",
            "--out",
            &out("a"),
            "--quiet",
        ]);
        ok(&[
            "score",
            "--rubric",
            "rubrics/paris-call-strict.toml",
            "--data",
            "data/demo",
            "--out",
            &out("b"),
            "--quiet",
        ]);
        ok(&[
            "align",
            "--data",
            "data/demo",
            "--out",
            &out("al"),
            "--quiet",
        ]);
        ok(&[
            "sensitivity",
            "--data",
            "data/demo",
            "--seed",
            "3",
            "--runs",
            "16",
            "--out",
            &out("sa"),
            "--quiet",
        ]);
        // The compare folder written as CSV from either kind of score folder.
        let o = accord(base, &["compare", "a", "b", "--out", "c", "--quiet"]);
        assert!(o.status.success(), "{:?}", texts(&o));
    }
    assert!(pq.join("a/ranking.parquet").exists() && !pq.join("a/ranking.csv").exists());

    // compare: the same files, but for the manifest, which records its inputs' hashes.
    let files = names(&csv.join("c"));
    assert_eq!(files, names(&pq.join("c")));
    for f in files.iter().filter(|f| *f != "manifest.json") {
        assert_eq!(
            std::fs::read(csv.join("c").join(f)).unwrap(),
            std::fs::read(pq.join("c").join(f)).unwrap(),
            "compare's {f} differs between the CSV and the parquet folders"
        );
    }

    // report: the same page from every folder kind, a parquet compare folder included.
    for base in [&csv, &pq] {
        let o = accord(
            base,
            &[
                "compare", "a", "b", "--out", "cp", "--quiet", "--format", "parquet",
            ],
        );
        assert!(o.status.success(), "{:?}", texts(&o));
    }
    let args = ["a", "al", "sa", "--compare", "cp"];
    let (from_csv, from_pq) = (report_in(&csv, &args), report_in(&pq, &args));
    assert!(from_csv.contains("data-cell=\"principle\""));
    assert!(from_pq == from_csv, "the reports differ");
    // The parquet page names the files it read as they are named.
    let html = std::fs::read_to_string(pq.join("r.html")).unwrap();
    assert!(html.contains("From ranking.parquet and rank_intervals.parquet."));
    assert!(html.contains("<code>matrix_principles.parquet</code>"));
}

/// The text `NA` in a text column reads as missing from both formats (as a code it stays text),
/// an empty text as blank, so a table reads the same from either.
#[test]
fn a_table_reads_the_same_from_csv_and_parquet() {
    let mut t = schema::Table::new(&schema::RANKING);
    let header: Vec<String> = t.header().to_vec();
    let rows = [
        ["NA", "NA", "1.5", "1", "NA", "", "0.25"],
        ["X1", "=SUM(A1)", "NA", "NA", "strong", "Strong", "1"],
        ["X2", "", "0", "2", "", "NA", "NA"],
    ];
    let ty = |name: &str| {
        schema::RANKING
            .columns()
            .find(|c| c.name == name)
            .unwrap()
            .ty
    };
    for r in rows {
        let cells = header
            .iter()
            .zip(r)
            .map(|(h, v)| match (ty(h), v) {
                (_, "") => Cell::Blank,
                (Type::Number | Type::Share, "NA") => Cell::Na,
                (Type::Number | Type::Share, v) => Cell::Number(v.parse().unwrap()),
                (Type::Integer, "NA") => Cell::Na,
                (Type::Integer, v) => Cell::Integer(v.parse().unwrap()),
                (_, v) => Cell::text(v),
            })
            .collect();
        t.push(cells);
    }
    let limits = ReadLimits {
        bytes: 1 << 20,
        flag: None,
        rows: 10,
    };
    let csv_bytes = schema::to_csv(&t);
    let pq_bytes = schema::to_parquet(&t);
    let from_csv = schema::parse_as(
        csv_bytes,
        "t.csv",
        &schema::RANKING,
        schema::TableFormat::Csv,
        &limits,
    )
    .unwrap();
    let from_pq = schema::parse_as(
        pq_bytes,
        "t.parquet",
        &schema::RANKING,
        schema::TableFormat::Parquet,
        &limits,
    )
    .unwrap();
    assert_eq!(from_csv.header, from_pq.header);
    let cells = |t: &schema::ReadTable| t.rows.iter().map(|r| r.cells.clone()).collect::<Vec<_>>();
    assert_eq!(cells(&from_csv), cells(&from_pq));
    let first = &from_pq.rows[0];
    assert_eq!(first.cells[0], Cell::text("NA"), "a code `NA` stays text");
    assert_eq!(first.cells[1], Cell::Na, "a name `NA` is missing");
    assert_eq!(first.cells[4], Cell::Na, "a tier `NA` is missing");
    assert_eq!(first.cells[5], Cell::Blank);
    assert_eq!(from_pq.rows[1].cells[1], Cell::text("=SUM(A1)"));
}
