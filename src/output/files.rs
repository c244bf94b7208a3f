//! The files of a `score` results folder (DESIGN section 4).

use serde_json::Value as Json;

use super::manifest::{Invocation, RunManifest, ScoreOptions, to_bytes};
use super::{Csv, number, opt_number, text};
use crate::pipeline::Scored;
use crate::rubric::Member;

/// Builds every file of a results folder: `(name, bytes)` in a fixed order, manifest last.
pub fn score_files(s: &Scored) -> Vec<(String, Vec<u8>)> {
    score_files_dated(std::slice::from_ref(s), None)
}

/// The files of a run on one or several evaluation dates (`--as-of d1,d2,...`): with several,
/// every table gains an `as_of` column after the jurisdiction.
/// `invocation` records the command-line inputs, so that `score --check` can rerun them.
pub fn score_files_dated(
    runs: &[Scored],
    invocation: Option<&Invocation>,
) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("scores.csv".to_string(), scores_csv(runs)),
        ("matrix_principles.csv".to_string(), matrix_principles(runs)),
        ("matrix_dimensions.csv".to_string(), matrix_dimensions(runs)),
        ("matrix_cells.csv".to_string(), matrix_cells(runs)),
        ("ranking.csv".to_string(), ranking_csv(runs)),
    ];
    let extra = invocation.map_or(Json::Null, |i| {
        serde_json::to_value(ScoreOptions {
            invocation: Some(i.clone()),
        })
        .unwrap_or_default()
    });
    let m = manifest_for(&runs[0], &files, "score", extra);
    files.push(("manifest.json".to_string(), m));
    files
}

fn code(s: &Scored, row: usize) -> &str {
    &s.inputs.jurisdictions.list[s.results.units[row]].code
}

/// The leading cells of a row: the jurisdiction, and the date when there are several.
fn lead(s: &Scored, row: usize, dated: bool) -> Vec<String> {
    let mut v = vec![text(code(s, row))];
    if dated {
        v.push(s.results.date.to_string());
    }
    v
}

fn header(dated: bool, rest: &[&str]) -> Vec<String> {
    let mut h = vec!["jurisdiction".to_string()];
    if dated {
        h.push("as_of".to_string());
    }
    h.extend(rest.iter().map(|x| x.to_string()));
    h
}

fn scores_csv(runs: &[Scored]) -> Vec<u8> {
    let dated = runs.len() > 1;
    let mut csv = Csv::new();
    csv.row(header(
        dated,
        &["node", "kind", "score", "rank", "coverage"],
    ));
    let rank = |x: Option<u32>| x.map_or_else(|| "NA".to_string(), |v| v.to_string());
    // Jurisdiction first, then date, so each jurisdiction's history reads together.
    for j in 0..runs[0].inputs.jurisdictions.len() {
        for s in runs {
            let (rubric, r) = (&s.rubric, &s.results);
            let Some(row) = r.row_of(j) else { continue };
            let push = |csv: &mut Csv,
                        id: &str,
                        kind: &str,
                        score: Option<f64>,
                        rk: Option<u32>,
                        cov: Option<f64>| {
                let mut cells = lead(s, row, dated);
                cells.extend([
                    text(id),
                    kind.to_string(),
                    opt_number(score),
                    rank(rk),
                    opt_number(cov),
                ]);
                csv.row(cells);
            };
            for (k, node) in rubric.nodes.iter().enumerate() {
                push(
                    &mut csv,
                    &node.id,
                    &text(rubric.node_kind(k)),
                    r.nodes.score.get(row, k),
                    r.nodes.rank(row, k),
                    r.nodes.coverage.get(row, k),
                );
            }
            for (col, (f, v)) in r.facet_values.iter().enumerate() {
                push(
                    &mut csv,
                    &rubric.facets[*f].values[*v].id,
                    &text(&rubric.facets[*f].id),
                    r.facets.score.get(row, col),
                    r.facets.rank(row, col),
                    r.facets.coverage.get(row, col),
                );
            }
            for (col, cell) in r.cell_defs.iter().enumerate() {
                push(
                    &mut csv,
                    &cell.id,
                    "cell",
                    r.cells.score.get(row, col),
                    r.cells.rank(row, col),
                    r.cells.coverage.get(row, col),
                );
            }
            for (c, crit) in rubric.criteria.iter().enumerate() {
                push(
                    &mut csv,
                    &crit.id,
                    "criterion",
                    r.criteria.score.get(row, c),
                    r.criteria.rank(row, c),
                    r.criteria.coverage.get(row, c),
                );
            }
        }
    }
    csv.finish()
}

fn matrix(
    runs: &[Scored],
    names: Vec<String>,
    pick: &dyn Fn(&Scored, usize) -> Vec<Option<f64>>,
) -> Vec<u8> {
    let dated = runs.len() > 1;
    let mut csv = Csv::new();
    let mut h = header(dated, &[]);
    h.extend(names.iter().map(|x| text(x)));
    csv.row(h);
    for j in 0..runs[0].inputs.jurisdictions.len() {
        for s in runs {
            let Some(row) = s.results.row_of(j) else {
                continue;
            };
            let mut cells = lead(s, row, dated);
            cells.extend(pick(s, row).into_iter().map(opt_number));
            csv.row(cells);
        }
    }
    csv.finish()
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

fn matrix_principles(runs: &[Scored]) -> Vec<u8> {
    let s0 = &runs[0];
    let names = principles(s0)
        .iter()
        .map(|&k| s0.rubric.nodes[k].id.clone())
        .collect();
    matrix(runs, names, &|s, row| {
        principles(s)
            .iter()
            .map(|&k| s.results.nodes.score.get(row, k))
            .collect()
    })
}

fn matrix_dimensions(runs: &[Scored]) -> Vec<u8> {
    let s0 = &runs[0];
    let names = s0
        .results
        .facet_values
        .iter()
        .map(|(f, v)| s0.rubric.facets[*f].values[*v].id.clone())
        .collect();
    matrix(runs, names, &|s, row| {
        (0..s.results.facet_values.len())
            .map(|c| s.results.facets.score.get(row, c))
            .collect()
    })
}

fn matrix_cells(runs: &[Scored]) -> Vec<u8> {
    let names = runs[0]
        .results
        .cell_defs
        .iter()
        .map(|c| c.id.clone())
        .collect();
    matrix(runs, names, &|s, row| {
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

fn ranking_csv(runs: &[Scored]) -> Vec<u8> {
    let dated = runs.len() > 1;
    let mut csv = Csv::new();
    csv.row(header(
        dated,
        &["name", "score", "rank", "tier", "tier_name", "coverage"],
    ));
    for s in runs {
        for (row, score, rank) in ranking_order(s) {
            let j = &s.inputs.jurisdictions.list[s.results.units[row]];
            let tier = score.and_then(|x| s.rubric.tier_of(x));
            let mut cells = lead(s, row, dated);
            cells.extend([
                text(&j.name),
                opt_number(score),
                rank.map_or_else(|| "NA".to_string(), |v| v.to_string()),
                tier.map_or_else(|| "NA".to_string(), |t| text(&t.id)),
                tier.map_or_else(|| "NA".to_string(), |t| text(&t.name)),
                opt_number(s.results.nodes.coverage.get(row, 0)),
            ]);
            csv.row(cells);
        }
    }
    csv.finish()
}

/// The manifest: everything that shaped the result, with no timestamps, so that two runs on the
/// same inputs are byte-identical.
pub fn manifest(s: &Scored, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    manifest_for(s, files, "score", Json::Null)
}

/// The manifest of any command's results folder: `extra` records the command's own options.
pub fn manifest_for(
    s: &Scored,
    files: &[(String, Vec<u8>)],
    command: &str,
    extra: Json,
) -> Vec<u8> {
    let options = (!extra.is_null()).then_some(extra);
    to_bytes(&RunManifest::of(s, files, command, options))
}

/// Formats a share as a number (for stdout tables).
pub fn share(x: Option<f64>) -> String {
    x.map_or_else(
        || "NA".to_string(),
        |v| number((v * 1000.0).round() / 1000.0),
    )
}
