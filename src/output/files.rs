//! The files of a `score` results folder (DESIGN section 4).

use std::sync::Arc;

use serde::Serialize;

use super::manifest::{Invocation, RunManifest, ScoreOptions, to_bytes};
use super::number;
use super::schema::{
    Cell, File, MATRIX_CELLS, MATRIX_DIMENSIONS, MATRIX_PRINCIPLES, RANKING, SCORE_MANIFEST,
    SCORES, Table, TableFormat,
};
use crate::pipeline::Scored;
use crate::rubric::Member;

/// Builds every file of a results folder: `(name, bytes)` in a fixed order, manifest last.
pub fn score_files(s: &Scored) -> Vec<(String, Vec<u8>)> {
    score_files_dated(std::slice::from_ref(s), None)
}

/// The tables of a run on one or several evaluation dates (`--as-of d1,d2,...`), in writing
/// order: with several, every table gains an `as_of` column after the jurisdiction.
pub fn score_tables(runs: &[Scored]) -> Vec<Table> {
    TABLES.iter().map(|build| build(runs)).collect()
}

/// The builders of a `score` folder's tables, in writing order.
const TABLES: [fn(&[Scored]) -> Table; 5] = [
    scores_table,
    matrix_principles,
    matrix_dimensions,
    matrix_cells,
    ranking_table,
];

/// The files of a run on one or several evaluation dates (`--as-of d1,d2,...`): with several,
/// every table gains an `as_of` column after the jurisdiction.
/// `invocation` records the command-line inputs, so that `score --check` can rerun them.
pub fn score_files_dated(
    runs: &[Scored],
    invocation: Option<&Invocation>,
) -> Vec<(String, Vec<u8>)> {
    score_files_as(runs, invocation, TableFormat::Csv)
}

/// The files of a run on one or several evaluation dates, its tables in `format`.
pub fn score_files_as(
    runs: &[Scored],
    invocation: Option<&Invocation>,
    format: TableFormat,
) -> Vec<(String, Vec<u8>)> {
    // Each table is written and dropped before the next is built, so that only one is held.
    let mut files: Vec<(String, Vec<u8>)> = TABLES
        .iter()
        .map(|build| build(runs).into_file_as(format))
        .collect();
    let options = invocation.map(|i| ScoreOptions {
        invocation: Some(i.clone()),
    });
    let m = manifest_with(&runs[0], &files, "score", options.as_ref());
    files.push((SCORE_MANIFEST.name.to_string(), m));
    files
}

fn code(s: &Scored, row: usize) -> &str {
    &s.inputs.jurisdictions.list[s.results.units[row]].code
}

/// The leading cells of a row: the jurisdiction, and the date when there are several.
fn lead(s: &Scored, row: usize, dated: bool) -> Vec<Cell> {
    let mut v = vec![Cell::text(code(s, row))];
    if dated {
        v.push(Cell::text(s.results.date.to_string()));
    }
    v
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

fn scores_table(runs: &[Scored]) -> Table {
    let dated = runs.len() > 1;
    let mut t = Table::with(&SCORES, &[], dated);
    let ids: Vec<Vec<(Arc<str>, Arc<str>)>> = runs.iter().map(score_ids).collect();
    let dates: Vec<Arc<str>> = runs
        .iter()
        .map(|s| Arc::from(s.results.date.to_string()))
        .collect();
    t.reserve(
        runs.iter()
            .zip(&ids)
            .map(|(s, ids)| s.results.units.len() * ids.len())
            .sum(),
    );
    // Jurisdiction first, then date, so each jurisdiction's history reads together.
    for j in 0..runs[0].inputs.jurisdictions.len() {
        let code: Arc<str> = Arc::from(runs[0].inputs.jurisdictions.list[j].code.as_str());
        for (n, s) in runs.iter().enumerate() {
            let Some(row) = s.results.row_of(j) else {
                continue;
            };
            for ((id, kind), (score, rank, cov)) in ids[n].iter().zip(row_scores(s, row)) {
                let mut cells = Vec::with_capacity(if dated { 7 } else { 6 });
                cells.push(Cell::Text(code.clone()));
                if dated {
                    cells.push(Cell::Text(dates[n].clone()));
                }
                cells.extend([
                    Cell::Text(id.clone()),
                    Cell::Text(kind.clone()),
                    Cell::number(score),
                    Cell::integer(rank),
                    Cell::number(cov),
                ]);
                t.push(cells);
            }
        }
    }
    t
}

fn matrix(
    file: &'static File,
    runs: &[Scored],
    names: Vec<String>,
    pick: &dyn Fn(&Scored, usize) -> Vec<Option<f64>>,
) -> Table {
    let dated = runs.len() > 1;
    let mut t = Table::with(file, &names, dated);
    for j in 0..runs[0].inputs.jurisdictions.len() {
        for s in runs {
            let Some(row) = s.results.row_of(j) else {
                continue;
            };
            let mut cells = lead(s, row, dated);
            cells.extend(pick(s, row).into_iter().map(Cell::number));
            t.push(cells);
        }
    }
    t
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

fn matrix_principles(runs: &[Scored]) -> Table {
    let s0 = &runs[0];
    let names = principles(s0)
        .iter()
        .map(|&k| s0.rubric.nodes[k].id.clone())
        .collect();
    matrix(&MATRIX_PRINCIPLES, runs, names, &|s, row| {
        principles(s)
            .iter()
            .map(|&k| s.results.nodes.score.get(row, k))
            .collect()
    })
}

fn matrix_dimensions(runs: &[Scored]) -> Table {
    let s0 = &runs[0];
    let names = s0
        .results
        .facet_values
        .iter()
        .map(|(f, v)| s0.rubric.facets[*f].values[*v].id.clone())
        .collect();
    matrix(&MATRIX_DIMENSIONS, runs, names, &|s, row| {
        (0..s.results.facet_values.len())
            .map(|c| s.results.facets.score.get(row, c))
            .collect()
    })
}

fn matrix_cells(runs: &[Scored]) -> Table {
    let names = runs[0]
        .results
        .cell_defs
        .iter()
        .map(|c| c.id.clone())
        .collect();
    matrix(&MATRIX_CELLS, runs, names, &|s, row| {
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

fn ranking_table(runs: &[Scored]) -> Table {
    let dated = runs.len() > 1;
    let mut t = Table::with(&RANKING, &[], dated);
    for s in runs {
        for (row, score, rank) in ranking_order(s) {
            let j = &s.inputs.jurisdictions.list[s.results.units[row]];
            let tier = score.and_then(|x| s.rubric.tier_of(x));
            let mut cells = lead(s, row, dated);
            cells.extend([
                Cell::text(&j.name),
                Cell::number(score),
                Cell::integer(rank),
                tier.map_or(Cell::Na, |t| Cell::text(&t.id)),
                tier.map_or(Cell::Na, |t| Cell::text(&t.name)),
                Cell::number(s.results.nodes.coverage.get(row, 0)),
            ]);
            t.push(cells);
        }
    }
    t
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

/// Formats a share as a number (for stdout tables).
pub fn share(x: Option<f64>) -> String {
    x.map_or_else(
        || "NA".to_string(),
        |v| number((v * 1000.0).round() / 1000.0),
    )
}
