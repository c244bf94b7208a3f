//! The files of a `score` results folder (DESIGN section 4).

use std::sync::Arc;

use serde::Serialize;

use super::manifest::{Invocation, Outputs, RunManifest, ScoreOptions, to_bytes};
use super::schema::{
    MATRIX_CELLS, MATRIX_DIMENSIONS, MATRIX_PRINCIPLES, RANKING, SCORE_MANIFEST, SCORES, Table,
    TableFormat,
};
use super::stream::{FolderWriter, TableWriter};
use super::{OutputDir, number};
use crate::error::Error;
use crate::pipeline::Scored;
use crate::rubric::Member;

/// Builds every file of a results folder: `(name, bytes)` in a fixed order, manifest last.
pub fn score_files(s: &Scored) -> Vec<(String, Vec<u8>)> {
    score_files_as(std::slice::from_ref(s), None, TableFormat::Csv)
}

/// The tables of a run on one or several evaluation dates (`--as-of d1,d2,...`), in writing
/// order: with several, every table gains an `as_of` column after the jurisdiction.
pub fn score_tables(runs: &[Scored]) -> Vec<Table> {
    TABLES
        .iter()
        .filter_map(|(head, fill)| {
            let mut t = TableWriter::keep(head(runs));
            // A kept table is only pushed to, which cannot fail.
            fill(runs, &mut t).ok()?;
            t.into_table()
        })
        .collect()
}

/// A table's header: the table without rows.
type Head = fn(&[Scored]) -> Table;

/// Fills a table with its rows.
type Fill = fn(&[Scored], &mut TableWriter) -> Result<(), Error>;

/// The tables of a `score` folder in writing order: each one's header (an empty table) and the
/// builder of its rows.
const TABLES: [(Head, Fill); 5] = [
    (scores_head, scores_table),
    (principles_head, matrix_principles),
    (dimensions_head, matrix_dimensions),
    (cells_head, matrix_cells),
    (ranking_head, ranking_table),
];

/// The files of a run on one or several evaluation dates (`--as-of d1,d2,...`: with several,
/// every table gains an `as_of` column after the jurisdiction), its tables in `format`.
/// `invocation` records the command-line inputs, so that `score --check` can rerun them.
pub fn score_files_as(
    runs: &[Scored],
    invocation: Option<&Invocation>,
    format: TableFormat,
) -> Vec<(String, Vec<u8>)> {
    let mut folder = FolderWriter::memory();
    #[expect(
        clippy::expect_used,
        reason = "a folder kept in memory writes to no file, and a table's rows fit its header"
    )]
    write_score(runs, invocation, format, &mut folder).expect("a folder in memory");
    folder.into_files()
}

/// Writes every file of a run's results folder into `out` (on one or several evaluation dates,
/// its tables in `format`), each table row block by row block as it is built, the manifest
/// last: how many files were written.
pub fn write_score_folder(
    runs: &[Scored],
    invocation: Option<&Invocation>,
    format: TableFormat,
    out: &OutputDir,
) -> Result<usize, Error> {
    let mut folder = FolderWriter::to_dir(out);
    write_score(runs, invocation, format, &mut folder)?;
    Ok(folder.len())
}

fn write_score(
    runs: &[Scored],
    invocation: Option<&Invocation>,
    format: TableFormat,
    folder: &mut FolderWriter<'_>,
) -> Result<(), Error> {
    for (head, fill) in &TABLES {
        let mut t = folder.open(head(runs), format)?;
        fill(runs, &mut t)?;
        folder.close(t)?;
    }
    let options = invocation.map(|i| ScoreOptions {
        invocation: Some(i.clone()),
    });
    let m = manifest_of(&runs[0], folder.outputs(), "score", options.as_ref());
    folder.file(SCORE_MANIFEST.name, m)
}

fn code(s: &Scored, row: usize) -> &str {
    &s.inputs.jurisdictions.list[s.results.units[row]].code
}

/// The texts a run's `scores.csv` repeats, made once and shared by the cells: the id and kind
/// of every node, facet value, cell and criterion, in row order.
fn score_ids(s: &Scored) -> Vec<(Arc<str>, Arc<str>)> {
    let (rubric, r) = (&s.rubric, &s.results);
    let mut ids: Vec<(Arc<str>, Arc<str>)> = Vec::new();
    let cell: Arc<str> = Arc::from("cell");
    let criterion: Arc<str> = Arc::from("criterion");
    for (k, node) in rubric.nodes.iter().enumerate() {
        ids.push((Arc::from(node.id.as_str()), Arc::from(rubric.node_kind(k))));
    }
    for (f, v) in &r.facet_values {
        let facet = &rubric.facets[*f];
        ids.push((
            Arc::from(facet.values[*v].id.as_str()),
            Arc::from(facet.id.as_str()),
        ));
    }
    for c in &r.cell_defs {
        ids.push((Arc::from(c.id.as_str()), cell.clone()));
    }
    for c in &rubric.criteria {
        ids.push((Arc::from(c.id.as_str()), criterion.clone()));
    }
    ids
}

/// Each score of a row of a run, in the order of [`score_ids`]: (score, rank, coverage).
fn row_scores(s: &Scored, row: usize) -> Vec<(Option<f64>, Option<u32>, Option<f64>)> {
    let r = &s.results;
    let mut out = Vec::new();
    for k in 0..s.rubric.nodes.len() {
        out.push((
            r.nodes.score.get(row, k),
            r.nodes.rank(row, k),
            r.nodes.coverage.get(row, k),
        ));
    }
    for col in 0..r.facet_values.len() {
        out.push((
            r.facets.score.get(row, col),
            r.facets.rank(row, col),
            r.facets.coverage.get(row, col),
        ));
    }
    for col in 0..r.cell_defs.len() {
        out.push((
            r.cells.score.get(row, col),
            r.cells.rank(row, col),
            r.cells.coverage.get(row, col),
        ));
    }
    for c in 0..s.rubric.criteria.len() {
        out.push((
            r.criteria.score.get(row, c),
            r.criteria.rank(row, c),
            r.criteria.coverage.get(row, c),
        ));
    }
    out
}

fn scores_head(runs: &[Scored]) -> Table {
    Table::with(&SCORES, &[], runs.len() > 1)
}

fn scores_table(runs: &[Scored], t: &mut TableWriter) -> Result<(), Error> {
    let dated = runs.len() > 1;
    let ids: Vec<Vec<(Arc<str>, Arc<str>)>> = runs.iter().map(score_ids).collect();
    let dates: Vec<String> = runs.iter().map(|s| s.results.date.to_string()).collect();
    // Jurisdiction first, then date, so each jurisdiction's history reads together.
    t.extend(runs[0].inputs.jurisdictions.len(), |j, out| {
        let code = runs[0].inputs.jurisdictions.list[j].code.as_str();
        for (n, s) in runs.iter().enumerate() {
            let Some(row) = s.results.row_of(j) else {
                continue;
            };
            for ((id, kind), (score, rank, cov)) in ids[n].iter().zip(row_scores(s, row)) {
                out.text(code);
                if dated {
                    out.text(&dates[n]);
                }
                out.text(id);
                out.text(kind);
                out.number(score);
                out.integer(rank);
                out.number(cov);
                out.end_row();
            }
        }
    })
}

fn matrix(
    runs: &[Scored],
    t: &mut TableWriter,
    pick: &(dyn Fn(&Scored, usize) -> Vec<Option<f64>> + Sync),
) -> Result<(), Error> {
    let dated = runs.len() > 1;
    let dates: Vec<String> = runs.iter().map(|s| s.results.date.to_string()).collect();
    t.extend(runs[0].inputs.jurisdictions.len(), |j, out| {
        for (n, s) in runs.iter().enumerate() {
            let Some(row) = s.results.row_of(j) else {
                continue;
            };
            out.text(code(s, row));
            if dated {
                out.text(&dates[n]);
            }
            for x in pick(s, row) {
                out.number(x);
            }
            out.end_row();
        }
    })
}

fn principles(s: &Scored) -> Vec<usize> {
    s.rubric.nodes[0]
        .children
        .iter()
        .filter_map(|m| {
            if let Member::Node(k) = m {
                Some(*k)
            } else {
                None
            }
        })
        .collect()
}

fn principles_head(runs: &[Scored]) -> Table {
    let s0 = &runs[0];
    let names: Vec<String> = principles(s0)
        .iter()
        .map(|&k| s0.rubric.nodes[k].id.clone())
        .collect();
    Table::with(&MATRIX_PRINCIPLES, &names, runs.len() > 1)
}

fn matrix_principles(runs: &[Scored], t: &mut TableWriter) -> Result<(), Error> {
    matrix(runs, t, &|s, row| {
        principles(s)
            .iter()
            .map(|&k| s.results.nodes.score.get(row, k))
            .collect()
    })
}

fn dimensions_head(runs: &[Scored]) -> Table {
    let s0 = &runs[0];
    let names: Vec<String> = s0
        .results
        .facet_values
        .iter()
        .map(|(f, v)| s0.rubric.facets[*f].values[*v].id.clone())
        .collect();
    Table::with(&MATRIX_DIMENSIONS, &names, runs.len() > 1)
}

fn matrix_dimensions(runs: &[Scored], t: &mut TableWriter) -> Result<(), Error> {
    matrix(runs, t, &|s, row| {
        (0..s.results.facet_values.len())
            .map(|c| s.results.facets.score.get(row, c))
            .collect()
    })
}

fn cells_head(runs: &[Scored]) -> Table {
    let names: Vec<String> = runs[0]
        .results
        .cell_defs
        .iter()
        .map(|c| c.id.clone())
        .collect();
    Table::with(&MATRIX_CELLS, &names, runs.len() > 1)
}

fn matrix_cells(runs: &[Scored], t: &mut TableWriter) -> Result<(), Error> {
    matrix(runs, t, &|s, row| {
        (0..s.results.cell_defs.len())
            .map(|c| s.results.cells.score.get(row, c))
            .collect()
    })
}

/// Rows of the ranking, best first: (row, score, rank); unknown scores last, then by code.
pub fn ranking_order(s: &Scored) -> Vec<(usize, Option<f64>, Option<u32>)> {
    let r = &s.results;
    let mut rows: Vec<(usize, Option<f64>, Option<u32>)> = (0..r.units.len())
        .map(|i| (i, r.nodes.score.get(i, 0), r.nodes.rank(i, 0)))
        .collect();
    rows.sort_by(|a, b| match (a.2, b.2) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| code(s, a.0).cmp(code(s, b.0))),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => code(s, a.0).cmp(code(s, b.0)),
    });
    rows
}

fn ranking_head(runs: &[Scored]) -> Table {
    Table::with(&RANKING, &[], runs.len() > 1)
}

fn ranking_table(runs: &[Scored], t: &mut TableWriter) -> Result<(), Error> {
    let dated = runs.len() > 1;
    for s in runs {
        let order = ranking_order(s);
        let date = s.results.date.to_string();
        t.extend(order.len(), |i, out| {
            let (row, score, rank) = order[i];
            let j = &s.inputs.jurisdictions.list[s.results.units[row]];
            let tier = score.and_then(|x| s.rubric.tier_of(x));
            out.text(code(s, row));
            if dated {
                out.text(&date);
            }
            out.text(&j.name);
            out.number(score);
            out.integer(rank);
            match tier {
                Some(t) => {
                    out.text(&t.id);
                    out.text(&t.name);
                }
                None => {
                    out.na();
                    out.na();
                }
            }
            out.number(s.results.nodes.coverage.get(row, 0));
            out.end_row();
        })?;
    }
    Ok(())
}

/// The manifest: everything that shaped the result, with no timestamps, so that two runs on the
/// same inputs are byte-identical.
pub fn manifest(s: &Scored, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    manifest_with::<()>(s, files, "score", None)
}

/// The manifest of any command's results folder: `options` records the command's own options.
pub fn manifest_with<O: Serialize>(
    s: &Scored,
    files: &[(String, Vec<u8>)],
    command: &str,
    options: Option<&O>,
) -> Vec<u8> {
    let options = options.map(|o| serde_json::to_value(o).unwrap_or_default());
    to_bytes(&RunManifest::of(s, files, command, options))
}

/// The manifest of any command's results folder from the records of its other files, taken as
/// they were written: `options` records the command's own options.
pub fn manifest_of<O: Serialize>(
    s: &Scored,
    outputs: Outputs,
    command: &str,
    options: Option<&O>,
) -> Vec<u8> {
    let options = options.map(|o| serde_json::to_value(o).unwrap_or_default());
    to_bytes(&RunManifest::of_records(s, outputs, command, options))
}

/// Formats a share as a number (for stdout tables).
pub fn share(x: Option<f64>) -> String {
    x.map_or_else(
        || "NA".to_string(),
        |v| number((v * 1000.0).round() / 1000.0),
    )
}
