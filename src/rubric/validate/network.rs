//! Multilateral instruments (`[multilateral.<id>]`), the network's weights (`[network]`) and the
//! default alignment level (`[align]`): read with the other tables, their evidence fields
//! resolved once every criterion's field is known.

use super::{FieldUse, valid_id};
use crate::error::{Problem, Problems, did_you_mean};
use crate::rubric::tree::{Reader, Tv};
use crate::rubric::{FieldKind, Multilateral, NetworkSpec, NetworkWeights};

/// A `[multilateral.<id>]` table as written, its evidence field not yet resolved.
pub(super) struct MultilateralDraft {
    id: String,
    name: String,
    field: Option<(String, Tv)>,
    provides: Vec<String>,
}

/// Reads every `[multilateral.<id>]` table; an id may not repeat one of `[instruments]`.
pub(super) fn read_multilateral(
    top: &mut Reader<'_>,
    instrument_ids: &[String],
    p: &mut Problems,
) -> Vec<MultilateralDraft> {
    let mut out = Vec::new();
    for sub in top.sub_tables("multilateral", "a table", p) {
        let Ok((e, mut r)) = sub.map_err(|q| p.push(q)) else {
            continue;
        };
        let path = r.path.clone();
        if !valid_id(&e.key) {
            p.push(
                Problem::new(format!(
                    "`{}` is not a valid multilateral instrument id",
                    e.key
                ))
                .at(e.key_at.location()),
            );
        }
        if instrument_ids.contains(&e.key) {
            p.push(
                Problem::new(format!(
                    "`{path}` has the id of an instrument in `[instruments]`"
                ))
                .at(e.key_at.location().with_key(path.clone()))
                .help("cooperation matrices name instruments by id: rename one of them"),
            );
        }
        let name = r.str("name", p).unwrap_or_else(|| e.key.clone());
        let field = match r.get("evidence") {
            None => {
                p.push(r.problem_here(format!("missing `{path}.evidence`")).help(
                    "name the date or yes/no evidence field that says who is a party, e.g. evidence = \"budapest_party\"",
                ));
                None
            }
            Some(tv) => match tv.as_str() {
                Some(s) => Some((s.to_string(), tv.clone())),
                None => {
                    p.push(r.problem_at(
                        tv,
                        "evidence",
                        format!("`{path}.evidence` must be an evidence field name (a string)"),
                    ));
                    None
                }
            },
        };
        let provides = r.str_list("provides", p).unwrap_or_default();
        for prov in &provides {
            if !matches!(
                prov.as_str(),
                "extradition" | "legal_assistance" | "cooperation"
            ) && let Some(tv) = r.get("provides")
            {
                p.push(
                    r.problem_at(
                        tv,
                        "provides",
                        format!("`{path}.provides`: unknown kind `{prov}`"),
                    )
                    .help("kinds: extradition, legal_assistance, cooperation"),
                );
            }
        }
        r.allow(&["source", "description"]);
        r.finish(p);
        out.push(MultilateralDraft {
            id: e.key.clone(),
            name,
            field,
            provides,
        });
    }
    out
}

/// Reads `[network]`: the name of the field that weighs jurisdictions, or `equal`.
pub(super) fn read_network(top: &mut Reader<'_>, p: &mut Problems) -> Option<(String, Tv)> {
    let (t, at) = top.table("network", p)?;
    let mut r = Reader::new(t, "network", at);
    let weights = r.get("weights").and_then(|tv| match tv.as_str() {
        Some(s) => Some((s.to_string(), tv.clone())),
        None => {
            p.push(
                r.problem_at(tv, "weights", "`network.weights` must be a string")
                    .help(
                        "write weights = \"equal\", or the name of a date or yes/no evidence field",
                    ),
            );
            None
        }
    });
    r.allow(&["description"]);
    r.finish(p);
    weights
}

/// Reads `[align]`: the level `align` compares by default.
pub(super) fn read_align(top: &mut Reader<'_>, p: &mut Problems) -> Option<String> {
    const LEVELS: [&str; 4] = ["criterion", "cell", "principle", "dimension"];
    let (t, at) = top.table("align", p)?;
    let mut r = Reader::new(t, "align", at);
    let level = r.str("level", p).and_then(|l| {
        if LEVELS.contains(&l.as_str()) {
            return Some(l);
        }
        if let Some(tv) = r.get("level") {
            p.push(
                r.problem_at(tv, "level", format!("`align.level` = `{l}` is not a level"))
                    .help(
                        did_you_mean(&l, LEVELS)
                            .unwrap_or_else(|| format!("levels: {}", LEVELS.join(", "))),
                    ),
            );
        }
        None
    });
    r.allow(&["description"]);
    r.finish(p);
    level
}

/// Resolves the evidence fields named by `[multilateral.*]` and `[network]`: each must be a date
/// or boolean field that a criterion reads or `[fields]` declares.
pub(super) fn resolve_network_fields(
    drafts: Vec<MultilateralDraft>,
    network: Option<(String, Tv)>,
    fields: &[FieldUse],
    p: &mut Problems,
) -> (Vec<Multilateral>, NetworkSpec) {
    let mut find = |name: &str, key: String, tv: &Tv| -> Option<usize> {
        match fields.iter().position(|(f, _, _)| f.name == name) {
            Some(i) if matches!(fields[i].0.kind, FieldKind::Date | FieldKind::Boolean) => Some(i),
            Some(i) => {
                p.push(
                    Problem::new(format!(
                        "`{key}` = `{name}` is a `{}` field; it must be a date or yes/no field",
                        fields[i].0.kind.name()
                    ))
                    .at(tv.at.location().with_key(key))
                    .help("name a field read by a `date` or `boolean` rule, or declare one under [fields]"),
                );
                None
            }
            None => {
                let help = did_you_mean(name, fields.iter().map(|(f, _, _)| f.name.as_str()))
                    .unwrap_or_else(|| {
                        format!("declare it: [fields.{name}] type = \"date\" (or \"boolean\")")
                    });
                p.push(
                    Problem::new(format!("`{key}` = `{name}` is not an evidence field"))
                        .at(tv.at.location().with_key(key))
                        .help(help),
                );
                None
            }
        }
    };
    let mut multilateral = Vec::new();
    for d in drafts {
        let Some((name, tv)) = &d.field else { continue };
        if let Some(field) = find(name, format!("multilateral.{}.evidence", d.id), tv) {
            multilateral.push(Multilateral {
                id: d.id,
                name: d.name,
                field,
                provides: d.provides,
            });
        }
    }
    let weights = match network {
        None => NetworkWeights::Equal,
        Some((w, _)) if w == "equal" => NetworkWeights::Equal,
        Some((w, tv)) => find(&w, "network.weights".to_string(), &tv)
            .map_or(NetworkWeights::Equal, NetworkWeights::Field),
    };
    (multilateral, NetworkSpec { weights })
}
