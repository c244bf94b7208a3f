//! Tables written row block by row block as they are built (`output::FolderWriter`): the bytes
//! equal the whole-table writers' on tables spanning several blocks (CSV and parquet), the
//! records a manifest takes equal a SHA-256 and a line count of the written files, and a write
//! that fails part-way leaves no folder.

use std::path::Path;

use accord::output::schema::{self, Cell, Table, TableFormat};
use accord::output::{FolderWriter, Inputs, OutputDir};

use crate::common::root;

/// A fixed-seed generator (a 64-bit linear congruential one), so every run makes the same rows.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Rows of `scores.csv`'s shape with every kind of cell the CSV treats specially: text that needs
/// quoting (a comma, a quote, a line end) or the spreadsheet guard (`=`, `-`), NA, blank, zero of
/// both signs, whole numbers and long fractions.
fn score_rows(n: usize) -> Vec<Vec<Cell>> {
    let texts = [
        "U000001",
        "a,b",
        "say \"hi\"",
        "two\nlines",
        "=SUM(A1)",
        "-x",
        "plain",
        "",
    ];
    let mut g = Lcg(7);
    (0..n)
        .map(|i| {
            let x = (g.next() as f64) / 1e6 - 2000.0;
            let number = match g.next() % 6 {
                0 => Cell::Na,
                1 => Cell::Number(-0.0),
                2 => Cell::Number(0.0),
                3 => Cell::Number(x.round()),
                _ => Cell::Number(x / 3.0),
            };
            vec![
                Cell::text(format!("U{i:06}")),
                Cell::text(texts[(g.next() % texts.len() as u64) as usize]),
                if i % 11 == 0 {
                    Cell::Blank
                } else {
                    Cell::text("criterion")
                },
                number,
                Cell::integer(Some(g.next() % 50_000)),
                if i % 7 == 0 {
                    Cell::Na
                } else {
                    Cell::Number((g.next() % 1000) as f64 / 999.0)
                },
            ]
        })
        .collect()
}

fn whole(file: &'static schema::File, family: &[String], rows: &[Vec<Cell>]) -> Table {
    let mut t = Table::with(file, family, false);
    for r in rows {
        t.push(r.clone());
    }
    t
}

/// Streams `rows` into a folder kept in memory: the file's name, bytes and record.
fn streamed(
    file: &'static schema::File,
    family: &[String],
    rows: &[Vec<Cell>],
    format: TableFormat,
) -> (String, Vec<u8>, accord::output::manifest::Output) {
    let mut folder = FolderWriter::memory();
    let mut t = folder
        .open(Table::with(file, family, false), format)
        .unwrap();
    for r in rows {
        t.push(r.clone()).unwrap();
    }
    assert_eq!(t.len(), rows.len() as u64);
    folder.close(t).unwrap();
    let outputs = folder.outputs();
    let (name, record) = outputs.0[0].clone();
    let mut files = folder.into_files();
    assert_eq!(files.len(), 1);
    let (kept, bytes) = files.remove(0);
    assert_eq!(kept, name);
    (name, bytes, record)
}

/// 50,000 rows of 6 cells are several CSV blocks (a block is 65,536 cells): the streamed bytes are
/// the whole-table writer's, and the record is the SHA-256 and the line count of those bytes.
#[test]
fn csv_blocks_equal_the_whole_table() {
    let rows = score_rows(50_000);
    let expected = schema::to_csv(&whole(&schema::SCORES, &[], &rows));
    let (name, bytes, record) = streamed(&schema::SCORES, &[], &rows, TableFormat::Csv);
    assert_eq!(name, "scores.csv");
    assert!(bytes == expected, "the streamed CSV differs");
    assert_eq!(record.sha256, accord::files::sha256_hex(&expected));
    // The quoted line end of "two\nlines" is a line of the file: the record counts lines after
    // the header, as a manifest always has.
    let lines = expected.iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(record.rows, lines - 1);
    assert!(record.rows > 50_000);
}

/// A header-only table streams to the header line alone.
#[test]
fn an_empty_table_is_its_header() {
    let (_, bytes, record) = streamed(&schema::SCORES, &[], &[], TableFormat::Csv);
    assert_eq!(bytes, b"jurisdiction,node,kind,score,rank,coverage\n");
    assert_eq!(record.rows, 0);
    let (_, bytes, record) = streamed(&schema::SCORES, &[], &[], TableFormat::Parquet);
    assert_eq!(bytes, schema::to_parquet(&Table::new(&schema::SCORES)));
    assert_eq!(record.rows, 0);
}

/// A wide table of 3,001 columns is a few rows a block.
#[test]
fn wide_csv_blocks_equal_the_whole_table() {
    let names: Vec<String> = (0..3000).map(|j| format!("U{j:04}")).collect();
    let mut g = Lcg(11);
    let rows: Vec<Vec<Cell>> = (0..60)
        .map(|i| {
            std::iter::once(Cell::text(format!("U{i:04}")))
                .chain((0..3000).map(|j| {
                    if i == j {
                        Cell::Blank
                    } else if g.next().is_multiple_of(9) {
                        Cell::Na
                    } else {
                        Cell::Number((g.next() % 100_000) as f64 / 99_999.0)
                    }
                }))
                .collect()
        })
        .collect();
    let expected = schema::to_csv(&whole(&schema::ALIGNMENT, &names, &rows));
    let (_, bytes, record) = streamed(&schema::ALIGNMENT, &names, &rows, TableFormat::Csv);
    assert!(bytes == expected, "the streamed wide CSV differs");
    assert_eq!(record.rows, 60);
}

/// 1,100,000 rows are two parquet row groups (of 1,048,576 rows and the rest): the streamed
/// file's bytes are the whole-table writer's, and the record is their SHA-256 and the row count.
#[test]
fn parquet_row_groups_equal_the_whole_table() {
    let family = vec!["p".to_string()];
    let mut g = Lcg(3);
    let rows: Vec<Vec<Cell>> = (0..1_100_000)
        .map(|i| {
            vec![
                Cell::text(if i % 5 == 0 { "A" } else { "B" }),
                if i % 13 == 0 {
                    Cell::Na
                } else {
                    Cell::Number((g.next() % 1000) as f64 / 7.0)
                },
            ]
        })
        .collect();
    let expected = schema::to_parquet(&whole(&schema::MATRIX_PRINCIPLES, &family, &rows));
    let (name, bytes, record) = streamed(
        &schema::MATRIX_PRINCIPLES,
        &family,
        &rows,
        TableFormat::Parquet,
    );
    assert_eq!(name, "matrix_principles.parquet");
    assert!(bytes == expected, "the streamed parquet file differs");
    assert_eq!(record.sha256, accord::files::sha256_hex(&expected));
    assert_eq!(record.rows, 1_100_000);
    let meta = parquet::file::reader::SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
    use parquet::file::reader::FileReader;
    assert_eq!(meta.metadata().num_row_groups(), 2);
}

/// Written into a results folder, the files on disk are the streamed bytes, and the folder
/// appears only when committed.
#[test]
fn a_folder_on_disk_holds_the_streamed_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    let rows = score_rows(30_000);
    let out = OutputDir::begin(&target, false).unwrap();
    let mut folder = FolderWriter::to_dir(&out);
    for format in [TableFormat::Csv, TableFormat::Parquet] {
        let mut t = folder
            .open(Table::with(&schema::SCORES, &[], false), format)
            .unwrap();
        for r in &rows {
            t.push(r.clone()).unwrap();
        }
        folder.close(t).unwrap();
    }
    assert!(!target.exists(), "nothing is in place before the commit");
    let outputs = folder.outputs();
    assert!(folder.into_files().is_empty(), "nothing is kept in memory");
    out.commit(&Inputs::new()).unwrap();
    let t = whole(&schema::SCORES, &[], &rows);
    let csv = std::fs::read(target.join("scores.csv")).unwrap();
    let pq = std::fs::read(target.join("scores.parquet")).unwrap();
    assert!(csv == schema::to_csv(&t));
    assert!(pq == schema::to_parquet(&t));
    assert_eq!(
        outputs.sha256("scores.csv"),
        Some(accord::files::sha256_hex(&csv).as_str())
    );
    assert_eq!(
        outputs.sha256("scores.parquet"),
        Some(accord::files::sha256_hex(&pq).as_str())
    );
}

/// No hidden temporary folder is left beside the target.
fn no_partial(parent: &Path) {
    let left: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".accord-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A table whose rows fail part-way (after several blocks reached the disk) leaves no folder and
/// no temporary one: the error is passed on and the unfinished folder is dropped uncommitted.
#[test]
fn an_error_from_a_block_leaves_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    let rows = score_rows(40_000);
    let write = || -> Result<(), accord::error::Error> {
        let out = OutputDir::begin(&target, false)?;
        let mut folder = FolderWriter::to_dir(&out);
        let mut t = folder.open(Table::with(&schema::SCORES, &[], false), TableFormat::Csv)?;
        for (i, r) in rows.iter().enumerate() {
            if i == 30_000 {
                return Err(accord::error::Error::Internal("injected".into()));
            }
            t.push(r.clone())?;
        }
        folder.close(t)?;
        out.commit(&Inputs::new())
    };
    let err = write().unwrap_err();
    assert!(err.to_string().contains("injected"), "{err}");
    assert!(!target.exists());
    no_partial(dir.path());
}

/// A write the system refuses part-way through a file (here the file-size limit, `ulimit -f`,
/// with its signal ignored so that the write fails with EFBIG) exits 1 naming the file, and
/// leaves neither a new folder nor a temporary one; an existing folder under `--force` is kept
/// as it was.
#[cfg(target_os = "linux")]
#[test]
fn a_refused_write_leaves_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("data/demo");
    let rubric = root().join("rubrics/paris-call.toml");
    let run = |out: &Path, force: bool| {
        let script = format!(
            "trap '' XFSZ; ulimit -f 64; exec \"$0\" score --rubric '{}' --data '{}' --out '{}' -q{}",
            rubric.display(),
            data.display(),
            out.display(),
            if force { " --force" } else { "" }
        );
        std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_accord"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let target = dir.path().join("new");
    let o = run(&target, false);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("scores.csv"), "{stderr}");
    assert!(!target.exists());
    no_partial(dir.path());
    // An existing folder is replaced only by a complete one.
    let old = dir.path().join("old");
    std::fs::create_dir(&old).unwrap();
    std::fs::write(old.join("keep.txt"), "before").unwrap();
    let o = run(&old, true);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(old.join("keep.txt")).unwrap(),
        "before"
    );
    assert_eq!(std::fs::read_dir(&old).unwrap().count(), 1);
    no_partial(dir.path());
}
