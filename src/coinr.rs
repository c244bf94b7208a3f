//! `import-coinr`: COINr's two input tables (iData, iMeta) as an accord rubric, evidence and
//! jurisdictions file, with a `[pipeline]` equal to COINr's `build_example_coin()`.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{InputError, Location, Problem, Problems};
use crate::evidence::table::Table;
use crate::evidence::{codes, parse_number};
use crate::output::{Csv, text};

/// What `import-coinr` writes.
#[derive(Debug, Clone)]
pub struct Imported {
    /// `rubric.toml`.
    pub rubric: String,
    /// `evidence.csv` (wide form).
    pub evidence: Vec<u8>,
    /// `jurisdictions.csv`.
    pub jurisdictions: Vec<u8>,
    /// Indicators, aggregates and units read.
    pub counts: (usize, usize, usize),
}

/// Options of the import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The rubric id.
    pub id: String,
    /// COINr's `level_names`, from the indicator level up (e.g. Indicator, Pillar, Sub-index, Index).
    pub level_names: Option<Vec<String>>,
    /// Limits on the iData and iMeta files.
    pub limits: crate::limits::Limits,
}

struct MetaRow {
    level: usize,
    code: String,
    name: String,
    direction: f64,
    weight: f64,
    unit: String,
    target: Option<f64>,
    denominator: Option<String>,
    parent: Option<String>,
    kind: String,
    line: usize,
}

/// TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn num(x: f64) -> String {
    let s = crate::base::format::number(x);
    if s.contains('.') || s.contains('e') || s.contains("inf") {
        s
    } else {
        format!("{s}.0")
    }
}

/// The iMeta rows by COINr's `Type`, with the tree's depth.
struct Framework<'a> {
    indicators: Vec<&'a MetaRow>,
    aggregates: Vec<&'a MetaRow>,
    groups: Vec<&'a MetaRow>,
    denoms: Vec<&'a MetaRow>,
    /// The highest level of an indicator or aggregate.
    maxlev: usize,
    /// The name of the top aggregate, when there is exactly one.
    root_name: Option<String>,
}

/// A unit (row) of iData: its code, name and every cell, trimmed.
struct Unit {
    code: String,
    name: String,
    cells: Vec<String>,
}

/// The position of a column in a header.
fn column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

/// Reads iData and iMeta and builds the three files.
pub fn import(idata: &Path, imeta: &Path, options: &ImportOptions) -> Result<Imported, InputError> {
    let mut p = Problems::new();
    let meta = read_meta(imeta, &options.limits, &mut p)?;
    p.check()?;
    let imeta_name = imeta.display().to_string();
    let fw = framework(&meta, &imeta_name, &mut p);
    p.check()?;
    let (header, units) = read_units(idata, &fw, &imeta_name, &options.limits, &mut p)?;
    Ok(Imported {
        rubric: rubric_toml(&fw, options),
        evidence: evidence_csv(&fw, &header, &units),
        jurisdictions: jurisdictions_csv(&fw, &header, &units),
        counts: (fw.indicators.len(), fw.aggregates.len(), units.len()),
    })
}

/// Sorts iMeta's rows by `Type` and checks the tree: some indicators, one top aggregate, every
/// parent an aggregate exactly one level up.
fn framework<'a>(meta: &'a [MetaRow], imeta_name: &str, p: &mut Problems) -> Framework<'a> {
    let of_kind = |k: &str| -> Vec<&MetaRow> { meta.iter().filter(|m| m.kind == k).collect() };
    let indicators = of_kind("Indicator");
    let aggregates = of_kind("Aggregate");
    if indicators.is_empty() {
        p.push(
            Problem::new(format!("`{imeta_name}` has no rows of Type `Indicator`"))
                .at(Location::file(imeta_name)),
        );
    }
    let maxlev = meta
        .iter()
        .filter(|m| m.kind == "Indicator" || m.kind == "Aggregate")
        .map(|m| m.level)
        .max()
        .unwrap_or(1);
    let roots: Vec<&&MetaRow> = aggregates.iter().filter(|m| m.parent.is_none()).collect();
    if roots.len() != 1 {
        p.push(
            Problem::new(format!(
                "`{imeta_name}` needs exactly one top aggregate (Parent empty), found {}",
                roots.len()
            ))
            .at(Location::file(imeta_name)),
        );
    }
    for m in indicators.iter().chain(aggregates.iter()) {
        if let Some(parent) = &m.parent {
            match aggregates.iter().find(|a| a.code == *parent) {
                None => p.push(Problem::new(format!("`{}` has unknown Parent `{parent}`", m.code)).at(Location::line_col(imeta_name, m.line, None))),
                Some(a) if a.level != m.level + 1 => p.push(
                    Problem::new(format!("`{}` (level {}) has Parent `{parent}` at level {}; COINr needs the parent exactly one level up", m.code, m.level, a.level))
                        .at(Location::line_col(imeta_name, m.line, None)),
                ),
                Some(_) => {}
            }
        }
    }
    let root_name = roots.first().map(|r| r.name.clone());
    Framework {
        groups: of_kind("Group"),
        denoms: of_kind("Denominator"),
        indicators,
        aggregates,
        maxlev,
        root_name,
    }
}

/// Reads iData: its header, checked against iMeta, and its units sorted by code, every
/// indicator and denominator value checked to be a number or NA, and a single time point.
fn read_units(
    idata: &Path,
    fw: &Framework,
    imeta_name: &str,
    limits: &crate::limits::Limits,
    p: &mut Problems,
) -> Result<(Vec<String>, Vec<Unit>), InputError> {
    let mut table = Table::open(idata, None, "iData file", limits)?;
    let idata_name = table.name.clone();
    let header = table.header.clone();
    let col = |n: &str| column(&header, n);
    let Some(ucode_c) = col("uCode") else {
        return Err(InputError::one(
            Problem::new(format!("`{idata_name}` has no `uCode` column")).at(Location::line_col(
                &idata_name,
                1,
                None,
            )),
        ));
    };
    let uname_c = col("uName");
    let time_c = col("Time");
    for m in fw.indicators.iter().chain(&fw.groups).chain(&fw.denoms) {
        if col(&m.code).is_none() {
            p.push(
                Problem::new(format!(
                    "iMeta lists `{}` ({}), but `{idata_name}` has no such column",
                    m.code, m.kind
                ))
                .at(Location::line_col(imeta_name, m.line, None)),
            );
        }
    }
    for a in &fw.aggregates {
        if col(&a.code).is_some() {
            p.push(Problem::new(format!("`{idata_name}` has a column for aggregate `{}`; COINr computes aggregates, it does not read them", a.code)).at(Location::line_col(&idata_name, 1, None)));
        }
    }
    p.check()?;
    let mut units: Vec<Unit> = Vec::new();
    let mut times: Vec<String> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let numeric_cols: Vec<usize> = fw
        .indicators
        .iter()
        .chain(&fw.denoms)
        .filter_map(|m| col(&m.code))
        .collect();
    let rows = table.for_each_row(|row| {
        let code = row
            .cells
            .get(ucode_c)
            .map(|s| s.trim())
            .unwrap_or("")
            .to_string();
        if code.is_empty() {
            p.push(Problem::new("empty `uCode`").at(row.location(ucode_c, "uCode")));
            return;
        }
        if let Some(&first) = seen.get(&code) {
            p.push(
                Problem::new(format!(
                    "uCode `{code}` appears twice (first on line {first})"
                ))
                .at(row.location(ucode_c, "uCode")),
            );
            return;
        }
        seen.insert(code.clone(), row.line);
        if let Some(t) = time_c.and_then(|c| row.cells.get(c)) {
            let t = t.trim().to_string();
            if !times.contains(&t) {
                times.push(t);
            }
        }
        for &c in &numeric_cols {
            let v = row.cells.get(c).map(|s| s.trim()).unwrap_or("");
            if !(v.is_empty() || v == "NA")
                && let Err(msg) = parse_number(v)
            {
                p.push(Problem::new(msg.to_string()).at(row.location(c, &header[c])));
            }
        }
        units.push(Unit {
            code,
            name: uname_c
                .and_then(|c| row.cells.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default(),
            cells: row.cells.iter().map(|s| s.trim().to_string()).collect(),
        });
    });
    if let Err(e) = rows {
        p.push(e);
    }
    if times.len() > 1 {
        p.push(
            Problem::new(format!(
                "`{idata_name}` is panel data ({} values of `Time`)",
                times.len()
            ))
            .at(Location::file(&idata_name))
            .help("import one time point at a time: filter iData to a single Time first"),
        );
    }
    p.check()?;
    units.sort_by(|a, b| a.code.cmp(&b.code));
    Ok((header, units))
}

/// `jurisdictions.csv`: code, name, `allow` for a code outside ISO 3166-1, then the groups and
/// denominators.
fn jurisdictions_csv(fw: &Framework, header: &[String], units: &[Unit]) -> Vec<u8> {
    let col = |n: &str| column(header, n);
    let mut jcsv = Csv::new();
    let mut jh = vec!["code".to_string(), "name".to_string(), "allow".to_string()];
    jh.extend(fw.groups.iter().map(|g| format!("group:{}", g.code)));
    jh.extend(fw.denoms.iter().map(|d| format!("denom:{}", d.code)));
    jcsv.row(jh);
    for u in units {
        let allow = if codes::check(&u.code).is_some() {
            "yes"
        } else {
            ""
        };
        let mut r = vec![text(&u.code), text(&u.name), allow.to_string()];
        r.extend(fw.groups.iter().map(|g| {
            col(&g.code)
                .and_then(|c| u.cells.get(c))
                .map(|s| text(na_to_empty(s)))
                .unwrap_or_default()
        }));
        r.extend(fw.denoms.iter().map(|d| {
            col(&d.code)
                .and_then(|c| u.cells.get(c))
                .map(|s| na_to_empty(s).to_string())
                .unwrap_or_default()
        }));
        jcsv.row(r);
    }
    jcsv.finish()
}

/// `evidence.csv`, wide form with the raw values as written.
fn evidence_csv(fw: &Framework, header: &[String], units: &[Unit]) -> Vec<u8> {
    let mut ecsv = Csv::new();
    let mut eh = vec!["jurisdiction".to_string()];
    eh.extend(fw.indicators.iter().map(|m| m.code.clone()));
    ecsv.row(eh);
    for u in units {
        let mut r = vec![text(&u.code)];
        r.extend(fw.indicators.iter().map(|m| {
            column(header, &m.code)
                .and_then(|c| u.cells.get(c))
                .map(|s| {
                    if na_to_empty(s).is_empty() {
                        "NA".to_string()
                    } else {
                        s.clone()
                    }
                })
                .unwrap_or_default()
        }));
        ecsv.row(r);
    }
    ecsv.finish()
}

/// `rubric.toml`: the header, COINr's example pipeline, the aggregates top-down, the indicators.
fn rubric_toml(fw: &Framework, options: &ImportOptions) -> String {
    let levels = level_names(fw.maxlev, options.level_names.as_deref());
    let group = fw
        .groups
        .iter()
        .find(|g| g.code == "EurAsia_group")
        .map(|g| g.code.clone());
    let mut t = String::new();
    t.push_str("# Imported from COINr's iData and iMeta tables by `accord import-coinr`.\n");
    t.push_str("# The [pipeline] reproduces COINr's build_example_coin(): Denominate, Impute (i_mean_grp by\n");
    t.push_str("# EurAsia_group), Screen (byNA, dat_thresh 0.9), Treat (winsorise, log_CT fallback), Normalise\n");
    t.push_str("# (n_minmax onto [0, 100]) and Aggregate (a_amean).\n\n");
    t.push_str(&format!(
        "[rubric]\nid = {}\nversion = \"1.0.0\"\ntitle = {}\nscale = [0, 100]\nlevels = [{}]\n\n",
        q(&options.id),
        q(&format!(
            "{} (imported from COINr)",
            fw.root_name.as_deref().unwrap_or("Index")
        )),
        levels.iter().map(|l| q(l)).collect::<Vec<_>>().join(", ")
    ));
    t.push_str(&pipeline_toml(group.as_deref()));
    // Nodes top-down, so the file reads like the framework.
    let mut order: Vec<&MetaRow> = fw.aggregates.clone();
    order.sort_by_key(|a| std::cmp::Reverse(a.level));
    for a in order {
        t.push_str(&format!(
            "[[node]]\nid = {}\nname = {}\n",
            q(&a.code),
            q(&a.name)
        ));
        if let Some(pa) = &a.parent {
            t.push_str(&format!("parent = {}\nweight = {}\n", q(pa), num(a.weight)));
        }
        t.push('\n');
    }
    for m in &fw.indicators {
        t.push_str(&criterion_toml(m));
    }
    t
}

/// The rubric's level names from the top down to the level above the indicators, lower case:
/// COINr's `level_names` (given from the indicators up), else `index`, `level_<n>`, ...
fn level_names(maxlev: usize, given: Option<&[String]>) -> Vec<String> {
    let mut levels: Vec<String> = match given {
        Some(names) => names
            .iter()
            .rev()
            .take(maxlev.saturating_sub(1))
            .cloned()
            .collect(),
        None => (2..=maxlev)
            .rev()
            .map(|l| {
                if l == maxlev {
                    "index".to_string()
                } else {
                    format!("level_{l}")
                }
            })
            .collect(),
    };
    levels.iter_mut().for_each(|l| *l = l.to_lowercase());
    levels
}

/// COINr's `build_example_coin()` pipeline; imputation by group when iData has `EurAsia_group`.
fn pipeline_toml(group: Option<&str>) -> String {
    let mut t = String::new();
    t.push_str("[pipeline.denominate]\nmethod = \"divide\"\n\n");
    match group {
        Some(g) => t.push_str(&format!(
            "[pipeline.impute]\nmethod = \"i_mean_grp\"\ngroup = {}\n\n",
            q(g)
        )),
        None => t.push_str("[pipeline.impute]\nmethod = \"i_mean\"\n\n"),
    }
    t.push_str("[pipeline.screen]\nmethod = \"byNA\"\ndat_thresh = 0.9\n\n");
    t.push_str(concat!(
        "[pipeline.treat]\n",
        "method = \"winsorise\"\n",
        "winmax = 5\n",
        "skew_thresh = 2.0       # where winsorisation stops (COINr's f1_para)\n",
        "kurt_thresh = 3.5\n",
        "pass_skew_thresh = 2.0  # the check before and after each treatment (f_pass_para)\n",
        "pass_kurt_thresh = 3.5\n",
        "fallback = \"log_CT\"\n\n",
    ));
    t.push_str("[pipeline.normalise]\nmethod = \"n_minmax\"\nl_u = [0, 100]\n\n");
    t.push_str("[pipeline.aggregate]\nmethod = \"a_amean\"\n\n");
    t
}

/// One indicator as a `[[criterion]]` with the `numeric` rule.
fn criterion_toml(m: &MetaRow) -> String {
    let mut t = format!(
        "[[criterion]]\nid = {}\nname = {}\nparent = {}\n",
        q(&m.code),
        q(&m.name),
        q(m.parent.as_deref().unwrap_or(""))
    );
    let question = if m.unit.is_empty() {
        m.name.clone()
    } else {
        format!("{} ({})", m.name, m.unit)
    };
    t.push_str(&format!(
        "question = {}\nrule = \"numeric\"\nweight = {}\n",
        q(&question),
        num(m.weight)
    ));
    if m.direction < 0.0 {
        t.push_str("direction = -1\n");
    }
    if let Some(d) = &m.denominator {
        t.push_str(&format!("denominator = {}\n", q(d)));
    }
    if let Some(x) = m.target {
        t.push_str(&format!("target = {}\n", num(x)));
    }
    t.push('\n');
    t
}

fn na_to_empty(s: &str) -> &str {
    if s == "NA" { "" } else { s }
}

fn read_meta(
    path: &Path,
    limits: &crate::limits::Limits,
    p: &mut Problems,
) -> Result<Vec<MetaRow>, InputError> {
    let mut table = Table::open(path, None, "iMeta file", limits)?;
    let name = table.name.clone();
    let header = table.header.clone();
    let col = |n: &str| header.iter().position(|h| h == n);
    for need in ["Level", "iCode", "Parent", "Direction", "Type", "Weight"] {
        if col(need).is_none() {
            p.push(Problem::new(format!("`{name}` has no `{need}` column (COINr's iMeta needs Level, iCode, Parent, Direction, Type, Weight)")).at(Location::line_col(&name, 1, None)));
        }
    }
    p.check()?;
    let get = |cells: &[&str], n: &str| {
        col(n)
            .and_then(|c| cells.get(c))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty() && *s != "NA")
            .map(String::from)
    };
    let mut out = Vec::new();
    let res = table.for_each_row(|row| {
        let cells = &row.cells;
        let kind = get(cells, "Type").unwrap_or_default();
        let code = get(cells, "iCode").unwrap_or_default();
        if code.is_empty() {
            p.push(
                Problem::new("empty `iCode`").at(row.location(col("iCode").unwrap_or(0), "iCode")),
            );
            return;
        }
        if !matches!(
            kind.as_str(),
            "Indicator" | "Aggregate" | "Group" | "Denominator" | "Other"
        ) {
            p.push(
                Problem::new(format!(
                    "`Type` = `{kind}` is not Indicator, Aggregate, Group, Denominator or Other"
                ))
                .at(row.location(col("Type").unwrap_or(0), "Type")),
            );
            return;
        }
        let structural = kind == "Indicator" || kind == "Aggregate";
        let mut number = |n: &str, required: bool| -> Option<f64> {
            match get(cells, n) {
                None => {
                    if required {
                        p.push(
                            Problem::new(format!("`{n}` is empty for `{code}`"))
                                .at(row.location(col(n).unwrap_or(0), n)),
                        );
                    }
                    None
                }
                Some(v) => match parse_number(&v) {
                    Ok(x) => Some(x),
                    Err(msg) => {
                        p.push(
                            Problem::new(msg.to_string()).at(row.location(col(n).unwrap_or(0), n)),
                        );
                        None
                    }
                },
            }
        };
        let level = number("Level", structural);
        let direction = number("Direction", kind == "Indicator").unwrap_or(1.0);
        let weight = number("Weight", structural).unwrap_or(1.0);
        let target = number("Target", false);
        if kind == "Indicator" && direction != 1.0 && direction != -1.0 {
            p.push(
                Problem::new(format!("`Direction` of `{code}` must be 1 or -1"))
                    .at(row.location(col("Direction").unwrap_or(0), "Direction")),
            );
        }
        if structural && weight <= 0.0 {
            p.push(
                Problem::new(format!("`Weight` of `{code}` must be positive"))
                    .at(row.location(col("Weight").unwrap_or(0), "Weight")),
            );
        }
        out.push(MetaRow {
            level: level.map_or(0, |l| l as usize),
            name: get(cells, "iName").unwrap_or_else(|| code.clone()),
            code,
            direction,
            weight,
            unit: get(cells, "Unit").unwrap_or_default(),
            target,
            denominator: get(cells, "Denominator"),
            parent: get(cells, "Parent"),
            kind,
            line: row.line,
        });
    });
    if let Err(e) = res {
        p.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_named_from_the_top_down() {
        // Four levels (indicators at 1): the three above the indicators, the top one first.
        assert_eq!(level_names(4, None), ["index", "level_3", "level_2"]);
        let coinr = ["Indicator", "Pillar", "Sub-index", "Index"].map(String::from);
        assert_eq!(
            level_names(4, Some(&coinr)),
            ["index", "sub-index", "pillar"]
        );
        assert!(level_names(1, None).is_empty());
    }
}
