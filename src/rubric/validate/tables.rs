//! The rubric's flat tables: `[facets]`, `[instruments]` and `[[tier]]`, and the grid facet.

use std::collections::HashMap;

use super::{check_id, valid_id};
use crate::error::{Location, Problem, Problems};
use crate::rubric::tree::{Reader, Tv};
use crate::rubric::{Facet, FacetValue, Instrument, Tier};

/// Reads `[facets]`: each facet's name and its `[[facets.<id>.values]]`.
pub(super) fn read_facets(top: &mut Reader<'_>, p: &mut Problems) -> Vec<Facet> {
    let mut facets: Vec<Facet> = Vec::new();
    for sub in top.sub_tables("facets", "a table", p) {
        let Ok((e, mut fr)) = sub.map_err(|q| p.push(q)) else {
            continue;
        };
        let path = fr.path.clone();
        if !valid_id(&e.key) {
            p.push(
                Problem::new(format!("`{}` is not a valid facet id", e.key))
                    .at(e.key_at.location()),
            );
        }
        let name = fr.str("name", p).unwrap_or_else(|| e.key.clone());
        let mut values = Vec::new();
        match fr.array("values", p) {
            None => {
                if fr.get("values").is_none() {
                    p.push(
                        fr.problem_here(format!("missing `{path}.values`"))
                            .help(format!("add [[{path}.values]] tables with `id` and `name`")),
                    );
                }
            }
            Some(items) => {
                for item in items {
                    let Some(vt) = item.as_table() else {
                        p.push(
                            Problem::new(format!("`{path}.values` must hold tables"))
                                .at(item.at.location()),
                        );
                        continue;
                    };
                    let mut vr = Reader::new(vt, format!("{path}.values"), &item.at);
                    let id = vr.req_str("id", p).unwrap_or_default();
                    let id_tv = vr.get("id");
                    if !id.is_empty() && check_id(&vr, &id, p, id_tv) {
                        let name = vr.str("name", p).unwrap_or_else(|| id.clone());
                        let text = vr.str("text", p);
                        values.push(FacetValue { id, name, text });
                    }
                    vr.finish(p);
                }
            }
        }
        fr.finish(p);
        facets.push(Facet {
            id: e.key.clone(),
            name,
            values,
        });
    }
    facets
}

/// Facet value ids become matrix columns: they must be unique across facets.
pub(super) fn check_facet_values_unique(facets: &[Facet], file: &str, p: &mut Problems) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for f in facets {
        for v in &f.values {
            if let Some(other) = seen.insert(v.id.as_str(), f.id.as_str()) {
                p.push(
                    Problem::new(format!(
                        "facet value `{}` appears in both `facets.{other}` and `facets.{}`",
                        v.id, f.id
                    ))
                    .at(Location::file(file)),
                );
            }
        }
    }
}

/// Reads `[instruments]`: the bilateral instruments of the dyads file and what they provide.
pub(super) fn read_instruments(top: &mut Reader<'_>, p: &mut Problems) -> Vec<Instrument> {
    let mut instruments: Vec<Instrument> = Vec::new();
    for sub in top.sub_tables("instruments", "a table", p) {
        let Ok((e, mut ir)) = sub.map_err(|q| p.push(q)) else {
            continue;
        };
        let path = ir.path.clone();
        if !valid_id(&e.key) {
            p.push(
                Problem::new(format!("`{}` is not a valid instrument id", e.key))
                    .at(e.key_at.location()),
            );
        }
        let name = ir.str("name", p).unwrap_or_else(|| e.key.clone());
        let directed = ir.bool("directed", p).unwrap_or(false);
        let provides = ir.str_list("provides", p).unwrap_or_default();
        for prov in &provides {
            if !matches!(
                prov.as_str(),
                "extradition" | "legal_assistance" | "cooperation"
            ) {
                p.push(
                    ir.problem_at_key(
                        "provides",
                        format!("`{path}.provides`: unknown kind `{prov}`"),
                    )
                    .help("kinds: extradition, legal_assistance, cooperation"),
                );
            }
        }
        ir.allow(&["source", "description"]);
        ir.finish(p);
        instruments.push(Instrument {
            id: e.key.clone(),
            name,
            directed,
            provides,
        });
    }
    instruments
}

/// Reads `[[tier]]`: named score bands within the scale, highest first.
pub(super) fn read_tiers(top: &mut Reader<'_>, scale: [f64; 2], p: &mut Problems) -> Vec<Tier> {
    let mut tiers: Vec<Tier> = Vec::new();
    if let Some(items) = top.array("tier", p) {
        for item in items {
            let Some(t) = item.as_table() else {
                p.push(
                    Problem::new("`tier` must be an array of tables ([[tier]])")
                        .at(item.at.location()),
                );
                continue;
            };
            let mut r = Reader::new(t, "tier", &item.at);
            let id = r.req_str("id", p).unwrap_or_default();
            let name = r.str("name", p).unwrap_or_else(|| id.clone());
            let min = r.f64("min", p);
            if r.get("min").is_none() {
                p.push(r.problem_here(format!("missing `tier.min` for tier `{id}`")));
            }
            r.allow(&["description"]);
            r.finish(p);
            if let Some(min) = min {
                if min < scale[0] || min > scale[1] {
                    p.push(
                        Problem::new(format!(
                            "tier `{id}`: `min` = {min} lies outside the scale [{}, {}]",
                            scale[0], scale[1]
                        ))
                        .at(item.at.location()),
                    );
                }
                if tiers.iter().any(|t| t.min == min) {
                    p.push(
                        Problem::new(format!(
                            "tier `{id}` has the same `min` ({min}) as another tier"
                        ))
                        .at(item.at.location()),
                    );
                }
                tiers.push(Tier { id, name, min });
            }
        }
        tiers.sort_by(|a, b| b.min.total_cmp(&a.min));
    }
    tiers
}

/// The facet the 9 x 3 grid crosses principles with: `rubric.grid`, else the first facet.
pub(super) fn resolve_grid(
    grid_key: Option<(String, Tv)>,
    facets: &[Facet],
    p: &mut Problems,
) -> Option<usize> {
    match grid_key {
        Some((name, tv)) => match facets.iter().position(|f| f.id == name) {
            Some(i) => Some(i),
            None => {
                p.push(
                    Problem::new(format!("`rubric.grid` = `{name}` is not a facet"))
                        .at(tv.at.location().with_key("rubric.grid")),
                );
                None
            }
        },
        None => (!facets.is_empty()).then_some(0),
    }
}
