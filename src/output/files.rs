//! The files of a `score` results folder (DESIGN section 4).

use serde_json::{Value as Json, json};

use super::{Csv, number, opt_number, text};
use crate::Scored;
use crate::files::sha256_hex;
use crate::rubric::Member;

/// Builds every file of a results folder: `(name, bytes)` in a fixed order, manifest last.
pub fn score_files(s: &Scored) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("scores.csv".to_string(), scores_csv(s)),
        ("matrix_principles.csv".to_string(), matrix_principles(s)),
        ("matrix_dimensions.csv".to_string(), matrix_dimensions(s)),
        ("matrix_cells.csv".to_string(), matrix_cells(s)),
        ("ranking.csv".to_string(), ranking_csv(s)),
    ];
    let m = manifest(s, &files);
    files.push(("manifest.json".to_string(), m));
    files
}

fn code(s: &Scored, row: usize) -> &str {
    &s.inputs.jurisdictions.list[s.results.units[row]].code
}

fn scores_csv(s: &Scored) -> Vec<u8> {
    let (rubric, r) = (&s.rubric, &s.results);
    let mut csv = Csv::new();
    csv.row(["jurisdiction", "node", "kind", "score", "rank", "coverage"]);
    let rank = |x: Option<u32>| x.map_or_else(|| "NA".to_string(), |v| v.to_string());
    for row in 0..r.units.len() {
        let j = text(code(s, row));
        for (k, node) in rubric.nodes.iter().enumerate() {
            csv.row([
                j.clone(),
                text(&node.id),
                rubric.node_kind(k).to_string(),
                opt_number(r.nodes.score.get(row, k)),
                rank(r.nodes.rank(row, k)),
                opt_number(r.nodes.coverage.get(row, k)),
            ]);
        }
        for (col, (f, v)) in r.facet_values.iter().enumerate() {
            csv.row([
                j.clone(),
                text(&rubric.facets[*f].values[*v].id),
                text(&rubric.facets[*f].id),
                opt_number(r.facets.score.get(row, col)),
                rank(r.facets.rank(row, col)),
                opt_number(r.facets.coverage.get(row, col)),
            ]);
        }
        for (col, cell) in r.cell_defs.iter().enumerate() {
            csv.row([
                j.clone(),
                text(&cell.id),
                "cell".to_string(),
                opt_number(r.cells.score.get(row, col)),
                rank(r.cells.rank(row, col)),
                opt_number(r.cells.coverage.get(row, col)),
            ]);
        }
        for (c, crit) in rubric.criteria.iter().enumerate() {
            csv.row([
                j.clone(),
                text(&crit.id),
                "criterion".to_string(),
                opt_number(r.criteria.score.get(row, c)),
                rank(r.criteria.rank(row, c)),
                opt_number(r.criteria.coverage.get(row, c)),
            ]);
        }
    }
    csv.finish()
}

fn matrix(s: &Scored, header: Vec<String>, cols: &[(usize, &crate::pipeline::Frame)]) -> Vec<u8> {
    let mut csv = Csv::new();
    let mut h = vec!["jurisdiction".to_string()];
    h.extend(header.iter().map(|x| text(x)));
    csv.row(h);
    for row in 0..s.results.units.len() {
        let mut cells = vec![text(code(s, row))];
        cells.extend(cols.iter().map(|(c, f)| opt_number(f.get(row, *c))));
        csv.row(cells);
    }
    csv.finish()
}

fn matrix_principles(s: &Scored) -> Vec<u8> {
    let principles: Vec<usize> = s.rubric.nodes[0]
        .children
        .iter()
        .filter_map(|m| {
            if let Member::Node(k) = m {
                Some(*k)
            } else {
                None
            }
        })
        .collect();
    let header = principles
        .iter()
        .map(|&k| s.rubric.nodes[k].id.clone())
        .collect();
    let cols: Vec<(usize, &crate::pipeline::Frame)> = principles
        .iter()
        .map(|&k| (k, &s.results.nodes.score))
        .collect();
    matrix(s, header, &cols)
}

fn matrix_dimensions(s: &Scored) -> Vec<u8> {
    let header = s
        .results
        .facet_values
        .iter()
        .map(|(f, v)| s.rubric.facets[*f].values[*v].id.clone())
        .collect();
    let cols: Vec<(usize, &crate::pipeline::Frame)> = (0..s.results.facet_values.len())
        .map(|c| (c, &s.results.facets.score))
        .collect();
    matrix(s, header, &cols)
}

fn matrix_cells(s: &Scored) -> Vec<u8> {
    let header = s.results.cell_defs.iter().map(|c| c.id.clone()).collect();
    let cols: Vec<(usize, &crate::pipeline::Frame)> = (0..s.results.cell_defs.len())
        .map(|c| (c, &s.results.cells.score))
        .collect();
    matrix(s, header, &cols)
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

fn ranking_csv(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row(["jurisdiction", "name", "score", "rank", "tier", "coverage"]);
    for (row, score, rank) in ranking_order(s) {
        let j = &s.inputs.jurisdictions.list[s.results.units[row]];
        let tier = score
            .and_then(|x| s.rubric.tier_of(x))
            .map_or_else(|| "NA".to_string(), |t| text(&t.id));
        csv.row([
            text(&j.code),
            text(&j.name),
            opt_number(score),
            rank.map_or_else(|| "NA".to_string(), |v| v.to_string()),
            tier,
            opt_number(s.results.nodes.coverage.get(row, 0)),
        ]);
    }
    csv.finish()
}

fn file_json(f: &crate::evidence::InputFile) -> Json {
    json!({ "path": f.path, "sha256": f.sha256, "rows": f.rows })
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
    let rubric = &s.rubric;
    let inputs = &s.inputs;
    let screened_out: Vec<&str> = (0..inputs.jurisdictions.len())
        .filter(|&j| !s.results.availability[j].included)
        .map(|j| inputs.jurisdictions.list[j].code.as_str())
        .collect();
    let mut outputs = serde_json::Map::new();
    for (name, bytes) in files {
        let rows = bytecount_lines(bytes).saturating_sub(1);
        outputs.insert(
            name.clone(),
            json!({ "rows": rows, "sha256": sha256_hex(bytes) }),
        );
    }
    let m = json!({
        "accord_version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "rubric": {
            "id": rubric.meta.id,
            "version": rubric.meta.version,
            "title": rubric.meta.title,
            "text_source": rubric.meta.text_source,
            "files": rubric.provenance.files.iter().map(|(p, h)| json!({"path": p, "sha256": h})).collect::<Vec<_>>(),
            "overrides": rubric.provenance.overrides,
        },
        "inputs": {
            "evidence": { "path": inputs.evidence.file.path, "sha256": inputs.evidence.file.sha256, "rows": inputs.evidence.file.rows,
                          "form": match inputs.evidence.form { crate::evidence::Form::Long => "long", crate::evidence::Form::Wide => "wide" } },
            "jurisdictions": inputs.jurisdictions.file.as_ref().map(file_json),
            "dyads": inputs.dyads.as_ref().map(|d| file_json(&d.file)),
        },
        "evaluation": {
            "as_of": s.as_of.map(|d| d.to_string()),
            "date": if s.results.date == crate::evidence::Date::MAX { None } else { Some(s.results.date.to_string()) },
            "rule": if s.as_of.is_some() { "--as-of" } else { "latest date in the evidence" },
        },
        "counts": {
            "jurisdictions": inputs.jurisdictions.len(),
            "scored": s.results.units.len(),
            "screened_out": screened_out,
            "criteria": rubric.criteria.len(),
            "nodes": rubric.nodes.len(),
            "evidence_rows": inputs.evidence.rows.len(),
            "dyads": inputs.dyads.as_ref().map_or(0, |d| d.list.len()),
        },
        "settings": rubric.provenance.effective,
        "outputs": outputs,
    });
    let mut m = m;
    if !extra.is_null()
        && let Some(obj) = m.as_object_mut()
    {
        obj.insert("options".to_string(), extra);
    }
    let mut out = serde_json::to_vec_pretty(&m).unwrap_or_default();
    out.push(b'\n');
    out
}

fn bytecount_lines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// Formats a share as a number (for stdout tables).
pub fn share(x: Option<f64>) -> String {
    x.map_or_else(
        || "NA".to_string(),
        |v| number((v * 1000.0).round() / 1000.0),
    )
}
