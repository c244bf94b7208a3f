//! The report page: builds every chart from the model and renders one self-contained HTML file
//! with minijinja (auto-escaping on, so every user-supplied string in the page is escaped; the
//! SVG markup, built with `svg::esc`, is the only text passed as safe).

use std::collections::BTreeMap;

use minijinja::Environment;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::charts::{self, Chart, Column, GridSpec, HeatmapSpec};
use super::svg::{Palette, Scale, tick, value};
use super::{
    AlignFolder, CompareFolder, Coop, Matrix, Meta, RankRow, Report, ScoreFolder, SensitivityFolder,
};
use crate::error::{Error, Internal};
use crate::output::schema;

/// The page's templates by name: the skeleton (`page.html`) and its partials.
const TEMPLATES: [(&str, &str); 6] = [
    ("page.html", include_str!("templates/page.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("style.css", include_str!("templates/style.css")),
    ("summary.html", include_str!("templates/summary.html")),
    ("ranking.html", include_str!("templates/ranking.html")),
    ("profiles.html", include_str!("templates/profiles.html")),
];

/// The only script: shows the grid profile chosen in the `<select>`. Without script, a
/// `<noscript>` style shows every profile instead.
const SCRIPT: &str = "(function(){var s=document.getElementById('grid-select');if(!s){return;}var f=document.querySelectorAll('figure.grid-fig');function show(){for(var i=0;i<f.length;i++){f[i].hidden=f[i].getAttribute('data-grid')!==s.value;}}s.addEventListener('change',show);show();})();";

/// The most units (rows of the ranking) a page draws in full. Above it the ranking table still
/// lists every unit and a search box finds any unit's scores, but the heatmaps and profiles draw
/// only the top and the bottom [`SHOWN`] units with an index score, and the page says so and
/// names the results files that hold every unit's scores.
pub(crate) const FULL_UNITS: usize = 200;

/// How many units at each end of the ranking the heatmaps and profiles draw above [`FULL_UNITS`].
pub(crate) const SHOWN: usize = 25;

/// The search box's script, on pages above [`FULL_UNITS`] units: finds the units whose code or
/// name contains the text typed (case-insensitive; an exact code first, then in ranking order)
/// in the JSON of `#unit-data`, and shows the first 50 as a table. Text is set with
/// `textContent`, never parsed as markup.
const SEARCH_SCRIPT: &str = "(function(){var d=document.getElementById('unit-data'),q=document.getElementById('unit-q'),o=document.getElementById('unit-found');if(!d||!q||!o){return;}var x=JSON.parse(d.textContent),h=x.header,u=x.units,max=50;function add(p,tag,t){var e=document.createElement(tag);if(t!==undefined){e.textContent=t;}p.appendChild(e);return e;}function show(){var s=q.value.trim().toLowerCase();while(o.firstChild){o.removeChild(o.firstChild);}if(!s){return;}var f=[];for(var i=0;i<u.length;i++){var c=u[i][0].toLowerCase();if(c===s){f.unshift(u[i]);}else if(c.indexOf(s)>=0||u[i][1].toLowerCase().indexOf(s)>=0){f.push(u[i]);}}add(o,'p',f.length+' of '+u.length+' units match'+(f.length>max?'; the first '+max+' are shown':'')+'.');if(!f.length){return;}var b=add(o,'div');b.className='table-box';var t=add(b,'table');t.className='lead2';var r=add(add(t,'thead'),'tr');for(var k=0;k<h.length;k++){add(r,'th',h[k]);}var tb=add(t,'tbody');for(var j=0;j<f.length&&j<max;j++){r=add(tb,'tr');for(k=0;k<h.length;k++){add(r,'td',f[j][k]);}}}q.addEventListener('input',show);show();})();";

/// A rendered report: the page, and every chart for `--format svg`.
#[derive(Debug)]
pub struct Rendered {
    /// The HTML page.
    pub html: String,
    /// The charts, in page order.
    pub charts: Vec<Chart>,
}

#[derive(Serialize)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Columns holding numbers (right-aligned).
    numeric: Vec<bool>,
    /// When the first `lead` columns are text and all others numbers, the table's class aligns
    /// them (`lead1`, `lead2`) and cells carry no class: large matrices stay small.
    lead: usize,
}

impl Table {
    fn new(header: Vec<String>, numeric: Vec<bool>, rows: Vec<Vec<String>>) -> Table {
        let k = numeric.iter().take_while(|x| !**x).count();
        let lead = if (1..=2).contains(&k) && numeric[k..].iter().all(|x| *x) {
            k
        } else {
            0
        };
        Table {
            header,
            rows,
            numeric,
            lead,
        }
    }
}

#[derive(Serialize)]
struct Figure {
    id: String,
    heading: String,
    caption: String,
    svg: String,
    table: Option<Table>,
    table_note: String,
    /// Small charts shrink to the page width; large matrices keep their size and scroll.
    fit: bool,
}

#[derive(Serialize)]
struct Section {
    id: String,
    heading: String,
    intro: Vec<String>,
    facts: Vec<(String, String)>,
    figures: Vec<Figure>,
}

#[derive(Serialize)]
struct FileRow {
    folder: String,
    command: String,
    name: String,
    sha256: String,
    check: String,
    ok: bool,
}

#[derive(Serialize)]
struct InputRow {
    role: String,
    path: String,
    rows: String,
    sha256: String,
}

#[derive(Serialize)]
struct RankLine {
    rank: String,
    code: String,
    name: String,
    score: String,
    tier: String,
    tier_color: String,
    tier_ink: String,
    coverage: String,
    median: String,
    interval: String,
    bar: String,
}

#[derive(Serialize)]
struct Grids {
    /// The cells' file, named in the paragraph under the heading.
    cells_file: String,
    /// Above [`FULL_UNITS`] units: the paragraph under the heading, in place of the usual one.
    scale_intro: String,
    /// The data table's summary and note.
    table_summary: String,
    table_note: String,
    options: Vec<(String, String)>,
    legend: String,
    figures: Vec<Figure>,
    table: Table,
}

#[derive(Serialize)]
struct Page {
    title: String,
    subtitle: String,
    csp: String,
    script: &'static str,
    generator: String,
    nav: Vec<(String, String)>,
    facts: Vec<(String, String)>,
    text_source: String,
    inputs: Vec<InputRow>,
    files: Vec<FileRow>,
    files_ok: bool,
    coverage: Figure,
    /// The ranking table's rows: one run of every row, or, above [`FULL_UNITS`] units, the top
    /// and the bottom run with a row between them that says what is not listed.
    ranking: Vec<Vec<RankLine>>,
    ranking_gap: String,
    ranking_cols: usize,
    has_intervals: bool,
    has_tiers: bool,
    interval_note: String,
    tiers: Vec<(String, String, String, String)>,
    heatmaps: Section,
    grids: Option<Grids>,
    sections: Vec<Section>,
    /// The ranking's source files, as named in the folders.
    ranking_file: String,
    intervals_file: String,
    /// Above [`FULL_UNITS`] units: what the page draws and what it leaves to the results files.
    scale_note: Vec<String>,
    /// Above [`FULL_UNITS`] units: the search box.
    search: Option<Search>,
}

/// The search box of a page above [`FULL_UNITS`] units.
#[derive(Serialize)]
struct Search {
    /// Every unit's code, name, rank, scores, as JSON escaped for a `<script>` element.
    data: String,
    /// What it finds.
    note: String,
    script: &'static str,
}

/// Renders the report: each section of the page from its folder, then the page from its
/// templates. Charts are collected in page order.
pub fn render(r: &Report) -> Result<Rendered, Error> {
    let s = &r.score;
    let meta = &s.meta;
    let mut charts: Vec<Chart> = Vec::new();
    let name_of = |code: &str| display_name(r, code);
    let scale = charts::score_scale(meta, &[&s.principles, &s.dimensions, &s.cells]);
    let files = file_rows(r);
    let coverage = coverage_figure(r, &mut charts);
    let max_rank = r
        .sensitivity
        .as_ref()
        .map(|x| charts::max_rank(&x.intervals))
        .unwrap_or(2.0);
    let mut ranking = ranking_lines(r, scale, max_rank);
    if let Some(x) = &r.sensitivity {
        charts.push(charts::rank_intervals(&s.ranking, &x.intervals));
    }
    let order = row_order(r, &s.principles);
    let parts = parts(r, &order);
    let large = parts[0].label.is_some();
    let heatmaps = heatmaps_section(r, &parts, &name_of, scale, &mut charts);
    let drawn: Vec<String> = parts.iter().flat_map(|p| p.order.iter().cloned()).collect();
    let grids = (!s.cells.cols.is_empty()).then(|| {
        let mut g = grids(r, &drawn, &name_of, scale, &mut charts);
        if large {
            drawn_grids_text(&mut g, &s.folder, drawn.len());
        }
        g
    });
    let search = large.then(|| search(r));
    let sections: Vec<Section> = [
        r.align
            .as_ref()
            .map(|a| alignment_section(a, &name_of, &mut charts)),
        r.sensitivity
            .as_ref()
            .map(|x| sensitivity_section(x, &mut charts)),
        r.compare
            .as_ref()
            .map(|c| compare_section(c, large.then_some(drawn.as_slice()), &mut charts)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let has_tiers = !meta.tiers.is_empty() || s.ranking.iter().any(|x| x.tier.is_some());
    let page = Page {
        title: format!("{} {}", meta.rubric_id, meta.rubric_version),
        subtitle: meta.title.clone().unwrap_or_default(),
        csp: format!(
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{}'{}; base-uri 'none'; form-action 'none'",
            base64(&Sha256::digest(SCRIPT.as_bytes())),
            if large {
                format!(
                    " 'sha256-{}'",
                    base64(&Sha256::digest(SEARCH_SCRIPT.as_bytes()))
                )
            } else {
                String::new()
            }
        ),
        script: SCRIPT,
        generator: format!("accord {}", env!("CARGO_PKG_VERSION")),
        nav: nav(grids.is_some(), &sections),
        facts: summary_facts(s),
        text_source: meta.text_source.clone().unwrap_or_default(),
        inputs: input_rows(meta),
        files_ok: files.iter().all(|f| f.ok),
        files,
        coverage,
        ranking_cols: 5 + usize::from(has_tiers) + if r.sensitivity.is_some() { 3 } else { 0 },
        ranking_gap: if large {
            format!(
                "{} jurisdictions between these two runs are not listed here: the search box above finds any of them, and {} lists all {}.",
                s.ranking.len().saturating_sub(drawn.len()),
                s.folder.table(schema::RANKING.name),
                s.ranking.len()
            )
        } else {
            String::new()
        },
        ranking: if large {
            parts
                .iter()
                .map(|p| {
                    let codes: std::collections::HashSet<&str> =
                        p.order.iter().map(String::as_str).collect();
                    let (part, rest) = std::mem::take(&mut ranking)
                        .into_iter()
                        .partition(|x| codes.contains(x.code.as_str()));
                    ranking = rest;
                    part
                })
                .collect()
        } else {
            vec![ranking]
        },
        has_intervals: r.sensitivity.is_some(),
        has_tiers,
        interval_note: interval_note(r, max_rank),
        tiers: tier_legend(meta, scale),
        heatmaps,
        grids,
        sections,
        ranking_file: s.folder.table(schema::RANKING.name),
        intervals_file: r
            .sensitivity
            .as_ref()
            .map_or_else(String::new, |x| x.folder.table(schema::RANK_INTERVALS.name)),
        scale_note: if large {
            scale_note(r, drawn.len())
        } else {
            Vec::new()
        },
        search,
    };
    Ok(Rendered {
        html: render_page(&page)?,
        charts,
    })
}

/// The page from its templates.
fn render_page(page: &Page) -> Result<String, Error> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|e| Internal::new(format!("report template: {e}")))?;
    }
    env.get_template("page.html")
        .and_then(|t| t.render(page))
        .map_err(|e| Error::from(Internal::new(format!("report template: {e:#}"))))
}

/// A jurisdiction's name from the score folder, else from the align folder, else empty.
fn display_name(r: &Report, code: &str) -> String {
    let n = r.score.name_of(code);
    if n.is_empty() {
        r.align
            .as_ref()
            .and_then(|a| a.names.get(code).cloned())
            .unwrap_or_default()
    } else {
        n.to_string()
    }
}

/// The summary's facts about the run; empty ones are left out.
fn summary_facts(s: &ScoreFolder) -> Vec<(String, String)> {
    let meta = &s.meta;
    let with_index = s.ranking.iter().filter(|x| x.score.is_some()).count();
    let mut facts = vec![
        (
            "Rubric".to_string(),
            format!("{} {}", meta.rubric_id, meta.rubric_version),
        ),
        ("Title".to_string(), meta.title.clone().unwrap_or_default()),
        (
            "Evaluation date".to_string(),
            match (&meta.date, &meta.date_rule) {
                (Some(d), Some(rule)) => format!("{d} ({rule})"),
                (Some(d), None) => d.clone(),
                (None, _) => "the latest evidence (undated)".to_string(),
            },
        ),
        (
            "Jurisdictions scored".to_string(),
            match (meta.scored, meta.jurisdictions) {
                (Some(a), Some(b)) => format!("{a} of {b}"),
                _ => s.ranking.len().to_string(),
            },
        ),
        (
            "With an index score".to_string(),
            format!(
                "{with_index} of {}{}",
                s.ranking.len(),
                if with_index < s.ranking.len() {
                    "; the others have too little evidence, so their index is NA"
                } else {
                    ""
                }
            ),
        ),
    ];
    if !meta.screened_out.is_empty() {
        facts.push(("Screened out".to_string(), meta.screened_out.join(", ")));
    }
    if let Some(m) = meta.min_coverage {
        facts.push(("Minimum coverage".to_string(), tick(m)));
    }
    if !meta.overrides.is_empty() {
        facts.push(("Overrides (--set)".to_string(), meta.overrides.join("; ")));
    }
    facts.retain(|(_, v)| !v.is_empty());
    facts
}

/// The inputs the score folder's manifest records.
fn input_rows(meta: &Meta) -> Vec<InputRow> {
    meta.inputs
        .iter()
        .map(|f| InputRow {
            role: f.role.clone(),
            path: f.path.clone(),
            rows: f.rows.map_or_else(String::new, |x| x.to_string()),
            sha256: f.sha256.clone(),
        })
        .collect()
}

/// Every file read from every folder, each checked against its manifest.
fn file_rows(r: &Report) -> Vec<FileRow> {
    let folders = std::iter::once(&r.score.folder)
        .chain(r.align.as_ref().map(|a| &a.folder))
        .chain(r.sensitivity.as_ref().map(|x| &x.folder))
        .chain(r.compare.as_ref().map(|c| &c.folder));
    let mut files = Vec::new();
    for f in folders {
        for file in &f.files {
            let (check, ok) = if file.name == "manifest.json" {
                ("the manifest".to_string(), true)
            } else if file.recorded.is_none() {
                ("not recorded in the manifest".to_string(), false)
            } else if file.matches() {
                ("matches the manifest".to_string(), true)
            } else {
                (
                    "differs from the manifest: edited after it was written".to_string(),
                    false,
                )
            };
            files.push(FileRow {
                folder: f.path.clone(),
                command: f.command.clone(),
                name: file.name.clone(),
                sha256: file.sha256.clone(),
                check,
                ok,
            });
        }
    }
    files
}

/// The summary's coverage histogram.
fn coverage_figure(r: &Report, charts_out: &mut Vec<Chart>) -> Figure {
    let cov = charts::coverage(&r.score.ranking, &r.score.meta);
    let fig = figure(
        &cov,
        "Coverage distribution",
        "How much of each jurisdiction's index weight rests on evidence.",
        Some(coverage_table(r)),
        "",
    );
    charts_out.push(cov);
    fig
}

/// The ranking table's rows: tier badges, and rank intervals after a sensitivity analysis.
fn ranking_lines(r: &Report, scale: Scale, max_rank: f64) -> Vec<RankLine> {
    r.score
        .ranking
        .iter()
        .map(|row| {
            let (tier, tier_color, tier_ink) = tier_badge(&r.score.meta, row, scale);
            let iv = r
                .sensitivity
                .as_ref()
                .and_then(|x| x.intervals.get(&row.code));
            RankLine {
                rank: row.rank.map_or_else(|| "NA".to_string(), |x| x.to_string()),
                code: row.code.clone(),
                name: row.name.clone(),
                score: value(row.score, 2),
                tier,
                tier_color,
                tier_ink,
                coverage: value(row.coverage, 3),
                median: iv.map_or_else(String::new, |i| rank_text(i.median)),
                interval: iv.map_or_else(String::new, |i| {
                    format!("{}–{}", rank_text(i.q05), rank_text(i.q95))
                }),
                bar: iv.map_or_else(String::new, |i| charts::interval_bar(i, max_rank)),
            }
        })
        .collect()
}

/// A ranking row's tier name and badge colours (background, ink): a known tier is coloured
/// on the viridis scale at its lower bound, an unknown tier id is grey.
fn tier_badge(meta: &Meta, row: &RankRow, scale: Scale) -> (String, String, String) {
    let tier = row.tier.as_ref().map(|t| meta.tier(t));
    match (tier, &row.tier, row.score) {
        (Some(Some(t)), _, Some(v)) => {
            let tscale = Scale {
                palette: Palette::Viridis,
                ..scale
            };
            let at = if t.min.is_finite() {
                t.min.max(scale.lo)
            } else {
                v
            };
            (t.name.clone(), tscale.color(at), tscale.ink(at).to_string())
        }
        (_, Some(id), _) => (id.clone(), "#eeeeee".to_string(), "#000000".to_string()),
        _ => (String::new(), String::new(), String::new()),
    }
}

/// The note above the ranking that explains its rank intervals.
fn interval_note(r: &Report, max_rank: f64) -> String {
    match &r.sensitivity {
        Some(x) => format!(
            "Rank intervals from the sensitivity analysis in “{}”{}: the bar spans the 5th to 95th percentile rank over the runs (rank 1 at the left, {} at the right), the black mark is the median.",
            x.folder.path,
            x.n.map_or(String::new(), |n| format!(" (N = {n})")),
            tick(max_rank)
        ),
        None => String::new(),
    }
}

/// The tiers' legend: name, range and badge colours.
fn tier_legend(meta: &Meta, scale: Scale) -> Vec<(String, String, String, String)> {
    meta.tiers
        .iter()
        .map(|t| {
            let at = if t.min.is_finite() {
                t.min.max(scale.lo)
            } else {
                scale.lo
            };
            (
                t.name.clone(),
                if t.min.is_finite() {
                    format!("{} and above", tick(t.min))
                } else {
                    String::new()
                },
                scale.color(at),
                scale.ink(at).to_string(),
            )
        })
        .collect()
}

/// The rows one pair of heatmaps draws: every unit's, or, above [`FULL_UNITS`] units, the top
/// or the bottom [`SHOWN`] by index.
struct Part {
    /// Added to the charts' ids (`-top`), empty for every unit.
    suffix: &'static str,
    /// `Top 25`, `Bottom 25`; `None` for every unit.
    label: Option<String>,
    /// The codes, in ranking order.
    order: Vec<String>,
}

/// What the heatmaps draw: every row of `order` up to [`FULL_UNITS`] units; above it the first
/// and the last [`SHOWN`] units with an index score, in ranking order (`ranking` lists them
/// best first), so that a unit with an NA index is drawn in neither.
fn parts(r: &Report, order: &[String]) -> Vec<Part> {
    if r.score.ranking.len() <= FULL_UNITS {
        return vec![Part {
            suffix: "",
            label: None,
            order: order.to_vec(),
        }];
    }
    let ranked: Vec<&RankRow> = r
        .score
        .ranking
        .iter()
        .filter(|x| x.score.is_some())
        .collect();
    let k = SHOWN.min(ranked.len());
    let codes = |rows: &[&RankRow]| rows.iter().map(|x| x.code.clone()).collect::<Vec<_>>();
    let top = codes(&ranked[..k]);
    let bottom = codes(&ranked[ranked.len().saturating_sub(SHOWN).max(k)..]);
    let mut parts = vec![Part {
        suffix: "-top",
        label: Some(format!("Top {}", top.len())),
        order: top,
    }];
    if !bottom.is_empty() {
        parts.push(Part {
            suffix: "-bottom",
            label: Some(format!("Bottom {}", bottom.len())),
            order: bottom,
        });
    }
    parts
}

/// The heatmaps section: jurisdictions x principles, and x dimensions when the rubric has facets,
/// one pair per part.
fn heatmaps_section(
    r: &Report,
    parts: &[Part],
    name_of: &dyn Fn(&str) -> String,
    scale: Scale,
    charts_out: &mut Vec<Chart>,
) -> Section {
    let mut principles = Vec::new();
    let mut dimensions = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let rows: Vec<(String, String)> =
            part.order.iter().map(|c| (c.clone(), name_of(c))).collect();
        principles.push(principles_heatmap(r, part, &rows, scale, charts_out));
        if i == 0 || !r.score.dimensions.cols.is_empty() {
            dimensions.push(dimensions_heatmap(r, part, &rows, scale, charts_out));
        }
    }
    let mut intro = vec![format!(
        "Colour shows the score on the viridis scale from {} to {}; hatched cells are NA (unknown: too little evidence), never zero.",
        tick(scale.lo),
        tick(scale.hi)
    )];
    if parts[0].label.is_some() {
        let f = &r.score.folder;
        intro.push(format!(
            "With {} jurisdictions, more than the {FULL_UNITS} this page draws in full, the heatmaps show the top {SHOWN} and the bottom {SHOWN} by index score; every jurisdiction's scores are in {} and {}, and in the search box above the ranking table.",
            r.score.ranking.len(),
            f.table(schema::MATRIX_PRINCIPLES.name),
            f.table(schema::MATRIX_DIMENSIONS.name),
        ));
    }
    principles.extend(dimensions);
    Section {
        id: "heatmaps".to_string(),
        heading: "Heatmaps".to_string(),
        intro,
        facts: Vec::new(),
        figures: principles,
    }
}

/// The heading, chart title and caption words of a part: `Jurisdictions` for every unit,
/// `Top 25 jurisdictions by index` for a part.
fn part_words(part: &Part) -> (String, String) {
    match &part.label {
        None => ("Jurisdictions".to_string(), String::new()),
        Some(l) => (
            format!("{l} jurisdictions by index"),
            format!(" of the {} jurisdictions by index score", l.to_lowercase()),
        ),
    }
}

fn principles_heatmap(
    r: &Report,
    part: &Part,
    rows: &[(String, String)],
    scale: Scale,
    charts_out: &mut Vec<Chart>,
) -> Figure {
    let s = &r.score;
    let cols: Vec<Column> = s
        .principles
        .cols
        .iter()
        .map(|id| {
            let name = s.meta.node_name(id);
            let label = if name == id {
                id.clone()
            } else {
                format!("{id} {name}")
            };
            Column {
                id: id.clone(),
                label: label.clone(),
                name: label,
            }
        })
        .collect();
    let values = reorder(&s.principles, &part.order);
    let (who, of) = part_words(part);
    let file = s.folder.table(schema::MATRIX_PRINCIPLES.name);
    let chart = charts::heatmap(&HeatmapSpec {
        id: &format!("heat-principles{}", part.suffix),
        kind: "principle",
        file: &format!("heatmap_principles{}", part.suffix.replace('-', "_")),
        title: &format!("{who} by principle"),
        cols_noun: "principles",
        rows,
        cols: &cols,
        values: &values,
        scale,
    });
    let fig = figure(
        &chart,
        &format!("{who} × principles"),
        &format!(
            "Scores of each principle ({file}){of}, rows in ranking order. Hover a cell for its value."
        ),
        Some(matrix_table(rows, &cols, &values)),
        &format!("Values rounded to one decimal; exact values in {file}."),
    );
    charts_out.push(chart);
    fig
}

fn dimensions_heatmap(
    r: &Report,
    part: &Part,
    rows: &[(String, String)],
    scale: Scale,
    charts_out: &mut Vec<Chart>,
) -> Figure {
    let s = &r.score;
    let file = s.folder.table(schema::MATRIX_DIMENSIONS.name);
    if s.dimensions.cols.is_empty() {
        return empty_figure(
            "heat-dimensions",
            "Jurisdictions × dimensions",
            &format!(
                "This rubric has no facets, so there are no dimension scores ({file} has no columns)."
            ),
        );
    }
    let cols: Vec<Column> = s
        .dimensions
        .cols
        .iter()
        .map(|id| Column {
            id: id.clone(),
            label: s.meta.value_name(id).to_string(),
            name: s.meta.value_name(id).to_string(),
        })
        .collect();
    let values = reorder(&s.dimensions, &part.order);
    let (who, of) = part_words(part);
    let chart = charts::heatmap(&HeatmapSpec {
        id: &format!("heat-dimensions{}", part.suffix),
        kind: "dimension",
        file: &format!("heatmap_dimensions{}", part.suffix.replace('-', "_")),
        title: &format!("{who} by dimension"),
        cols_noun: "dimensions",
        rows,
        cols: &cols,
        values: &values,
        scale,
    });
    let fig = figure(
        &chart,
        &format!("{who} × dimensions"),
        &format!("Scores of each dimension ({file}){of}, rows in ranking order."),
        Some(matrix_table(rows, &cols, &values)),
        &format!("Values rounded to one decimal; exact values in {file}."),
    );
    charts_out.push(chart);
    fig
}

/// The profiles' texts above [`FULL_UNITS`] units: which `drawn` profiles the page holds.
fn drawn_grids_text(g: &mut Grids, folder: &super::Folder, drawn: usize) {
    let file = folder.table(schema::MATRIX_CELLS.name);
    g.scale_intro = format!(
        "The score in every principle × dimension cell ({file}) of the {drawn} jurisdictions the heatmaps draw: the top {SHOWN} and the bottom {SHOWN} by index score. Choose a jurisdiction; without script all {drawn} are shown. Every jurisdiction's cells are in {file}."
    );
    g.table_summary = format!("Data table: the cells of these {drawn} jurisdictions");
}

/// What a page above [`FULL_UNITS`] units embeds, and what it leaves to the results files.
fn scale_note(r: &Report, drawn: usize) -> Vec<String> {
    let s = &r.score;
    let n = s.ranking.len();
    let na = s.ranking.iter().filter(|x| x.score.is_none()).count();
    let f = &s.folder;
    let mut note = vec![format!(
        "{n} jurisdictions: more than the {FULL_UNITS} this page draws in full. It embeds every jurisdiction's rank, index score, tier, coverage, principle and dimension scores, in the search box above the ranking table. The ranking table, the heatmaps and the profiles show {drawn} jurisdictions, the top {SHOWN} and the bottom {SHOWN} by index score."
    )];
    note.push(format!(
        "Not embedded: the ranking rows, heatmap rows and profiles of the other {} jurisdictions (their scores are in the search box), and the cell scores of any jurisdiction but these {drawn}. The full tables are the files of the score folder “{}”: {}, {}, {} and {}.",
        n.saturating_sub(drawn),
        f.path,
        f.table(schema::RANKING.name),
        f.table(schema::MATRIX_PRINCIPLES.name),
        f.table(schema::MATRIX_DIMENSIONS.name),
        f.table(schema::MATRIX_CELLS.name),
    ));
    if na > 0 {
        note.push(format!(
            "{na} jurisdictions have an NA index (too little evidence): they are in the search box, not in the ranking table's two runs or the heatmaps."
        ));
    }
    note
}

/// Every unit's code, name, rank, index score, tier, coverage, principle and dimension scores,
/// as the tables show them (NA for missing), for the search box: the ranking's units in ranking
/// order, then any unit of the matrices the ranking lacks.
fn search(r: &Report) -> Search {
    let s = &r.score;
    let (pi, di) = (row_index(&s.principles), row_index(&s.dimensions));
    let mut header: Vec<String> = ["code", "name", "rank", "score", "tier", "coverage"]
        .map(String::from)
        .to_vec();
    header.extend(s.principles.cols.iter().cloned());
    header.extend(
        s.dimensions
            .cols
            .iter()
            .map(|id| s.meta.value_name(id).to_string()),
    );
    let scores = |code: &str, row: &mut Vec<String>| {
        for (m, at) in [(&s.principles, &pi), (&s.dimensions, &di)] {
            let vals = at.get(code).map(|&i| &m.values[i]);
            row.extend(
                (0..m.cols.len()).map(|c| value(vals.and_then(|v| v.get(c).copied().flatten()), 1)),
            );
        }
    };
    let mut units: Vec<Vec<String>> = Vec::with_capacity(s.ranking.len());
    let mut seen = std::collections::HashSet::new();
    for x in &s.ranking {
        seen.insert(x.code.as_str());
        let tier = x.tier.as_ref().map_or_else(String::new, |t| {
            s.meta.tier(t).map_or_else(|| t.clone(), |t| t.name.clone())
        });
        let mut row = vec![
            x.code.clone(),
            x.name.clone(),
            x.rank.map_or_else(|| "NA".to_string(), |v| v.to_string()),
            value(x.score, 2),
            tier,
            value(x.coverage, 3),
        ];
        scores(&x.code, &mut row);
        units.push(row);
    }
    for code in s.principles.rows.iter().chain(&s.dimensions.rows) {
        if seen.insert(code.as_str()) {
            let mut row = vec![
                code.clone(),
                display_name(r, code),
                "NA".to_string(),
                "NA".to_string(),
                String::new(),
                "NA".to_string(),
            ];
            scores(code, &mut row);
            units.push(row);
        }
    }
    let json = serde_json::json!({ "header": header, "units": units }).to_string();
    Search {
        note: format!(
            "Type part of a code or a name: the search finds any of the {} jurisdictions and shows its rank, index score, tier, coverage, and principle and dimension scores.",
            units.len()
        ),
        data: script_json(&json),
        script: SEARCH_SCRIPT,
    }
}

/// Each row code's position in a matrix.
fn row_index(m: &Matrix) -> BTreeMap<&str, usize> {
    m.rows
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect()
}

/// JSON text made safe inside a `<script>` element: `<`, `>` and `&` (which JSON holds only in
/// strings) as `\u` escapes, so no text of the data can close the element.
fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// The alignment section: the alignment matrix with its clusters, and the cooperation matrix.
fn alignment_section(
    a: &AlignFolder,
    name_of: &dyn Fn(&str) -> String,
    charts_out: &mut Vec<Chart>,
) -> Section {
    let ac = charts::alignment(a, name_of);
    let f = &a.folder;
    let (alignment, clusters, cooperation) = (
        f.table(schema::ALIGNMENT.name),
        f.table(schema::CLUSTERS.name),
        f.table(schema::COOPERATION.name),
    );
    let fig_a = figure(
        &ac,
        "Alignment matrix",
        &format!(
            "How alike jurisdictions' commitments are ({alignment}), in the clustering order of the dendrogram; clusters from {clusters} are outlined and marked by the coloured band."
        ),
        Some(alignment_table(a, name_of)),
        &format!("Similarities rounded to two decimals; exact values in {alignment}."),
    );
    charts_out.push(ac);
    let cc = charts::cooperation(a, name_of);
    let fig_c = figure(
        &cc,
        "Cooperation matrix",
        &format!(
            "Whether each ordered pair can cooperate ({cooperation}): rows are the requested state, columns the requesting state."
        ),
        Some(coop_table(a, name_of)),
        &format!("The instruments linking each pair are listed in {cooperation}."),
    );
    charts_out.push(cc);
    Section {
        id: "alignment".to_string(),
        heading: "Alignment and cooperation".to_string(),
        intro: vec![format!(
            "From the align folder “{}”{}.",
            a.folder.path,
            match (&a.metric, &a.level) {
                (Some(m), Some(l)) => format!(": {m} similarity of {l} scores"),
                _ => String::new(),
            }
        )],
        facts: Vec::new(),
        figures: vec![fig_a, fig_c],
    }
}

/// The alignment matrix as a table, each row's cluster after its code.
fn alignment_table(a: &AlignFolder, name_of: &dyn Fn(&str) -> String) -> Table {
    let cols: Vec<Column> = a
        .alignment
        .cols
        .iter()
        .map(|c| Column {
            id: c.clone(),
            label: c.clone(),
            name: c.clone(),
        })
        .collect();
    let rows: Vec<(String, String)> = a
        .alignment
        .rows
        .iter()
        .map(|c| (c.clone(), name_of(c)))
        .collect();
    let mut table = matrix_table_digits(&rows, &cols, &a.alignment.values, 2);
    table.header.insert(1, "cluster".to_string());
    table.numeric.insert(1, true);
    for (row, (code, _)) in table.rows.iter_mut().zip(&rows) {
        row.insert(
            1,
            a.clusters
                .get(code)
                .map_or_else(|| "NA".to_string(), |c| c.to_string()),
        );
    }
    table
}

/// The sensitivity section: first-order and total indices per factor.
fn sensitivity_section(x: &SensitivityFolder, charts_out: &mut Vec<Chart>) -> Section {
    let sc = charts::sensitivity(&x.indices, x.target.as_deref());
    let table = Table::new(
        ["factor", "first order", "5%", "95%", "total", "5%", "95%"]
            .map(String::from)
            .to_vec(),
        vec![false, true, true, true, true, true, true],
        x.indices
            .iter()
            .map(|i| {
                let mut row = vec![i.factor.clone()];
                row.extend(i.si.iter().chain(i.sti.iter()).map(|v| value(*v, 3)));
                row
            })
            .collect(),
    );
    let fig = figure(
        &sc,
        "Sensitivity indices",
        &format!(
            "How much each uncertain assumption moves the ranks ({}): the first-order index is the share of the variance of the mean rank shift due to the factor alone, the total index includes its interactions.",
            x.folder.table(schema::SENSITIVITY_INDICES.name)
        ),
        Some(table),
        "",
    );
    charts_out.push(sc);
    Section {
        id: "sensitivity".to_string(),
        heading: "Sensitivity".to_string(),
        intro: vec![format!(
            "From the sensitivity folder “{}”{}. Rank intervals are shown in the ranking table.",
            x.folder.path,
            x.n.map_or(String::new(), |n| format!(", N = {n}"))
        )],
        facts: Vec::new(),
        figures: vec![fig],
    }
}

/// The comparison section: what differs from A to B, its statistics and the rank shifts. Above
/// [`FULL_UNITS`] units the slope chart draws the `drawn` jurisdictions only; the table lists
/// every shift.
fn compare_section(
    c: &CompareFolder,
    drawn: Option<&[String]>,
    charts_out: &mut Vec<Chart>,
) -> Section {
    let file = c.folder.table(schema::RANK_SHIFTS.name);
    let (sc, caption) = match drawn {
        None => (
            charts::slope(c),
            format!("Each line joins a jurisdiction's rank in A to its rank in B ({file})."),
        ),
        Some(codes) => {
            let codes: std::collections::HashSet<&str> = codes.iter().map(String::as_str).collect();
            let mut some = c.clone();
            some.shifts.retain(|x| codes.contains(x.code.as_str()));
            (
                charts::slope(&some),
                format!(
                    "Each line joins a jurisdiction's rank in A to its rank in B ({file}), for the {} jurisdictions the heatmaps draw; the table lists every jurisdiction's shift.",
                    codes.len()
                ),
            )
        }
    };
    let fig = figure(
        &sc,
        "Rank shifts",
        &caption,
        Some(shifts_table(c)),
        "Shift = rank in A - rank in B: positive means moved up.",
    );
    charts_out.push(sc);
    let mut facts = vec![
        ("A".to_string(), c.label_a.clone()),
        ("B".to_string(), c.label_b.clone()),
    ];
    for (k, v) in &c.stats {
        let label = match k.as_str() {
            "jurisdictions_compared" => "Jurisdictions ranked in both",
            "spearman" => "Spearman's rho of ranks",
            "kendall" => "Kendall's tau of ranks",
            "top10_overlap" => "Overlap of the top 10",
            "moved_more_than_5" => "Moved more than 5 places",
            other => other,
        };
        facts.push((label.to_string(), v.clone()));
    }
    Section {
        id: "compare".to_string(),
        heading: "Comparison".to_string(),
        intro: std::iter::once(format!("From the compare folder “{}”.", c.folder.path))
            .chain(
                (!c.changes.is_empty())
                    .then(|| format!("What differs from A to B: {}.", c.changes.join("; "))),
            )
            .collect(),
        facts,
        figures: vec![fig],
    }
}

/// `rank_shifts.csv` as a table; a positive shift carries its sign.
fn shifts_table(c: &CompareFolder) -> Table {
    Table::new(
        [
            "jurisdiction",
            "name",
            "rank A",
            "rank B",
            "shift",
            "score A",
            "score B",
        ]
        .map(String::from)
        .to_vec(),
        vec![false, false, true, true, true, true, true],
        c.shifts
            .iter()
            .map(|x| {
                vec![
                    x.code.clone(),
                    x.name.clone(),
                    value(x.rank_a, 0),
                    value(x.rank_b, 0),
                    x.shift.map_or_else(
                        || "NA".to_string(),
                        |v| {
                            if v > 0.0 {
                                format!("+{}", tick(v))
                            } else {
                                tick(v)
                            }
                        },
                    ),
                    value(x.score_a, 2),
                    value(x.score_b, 2),
                ]
            })
            .collect(),
    )
}

/// The navigation bar: the fixed sections, the profiles if drawn, then the optional sections.
fn nav(has_grids: bool, sections: &[Section]) -> Vec<(String, String)> {
    let mut nav = vec![
        ("summary".to_string(), "Summary".to_string()),
        ("ranking".to_string(), "Ranking".to_string()),
        ("heatmaps".to_string(), "Heatmaps".to_string()),
    ];
    if has_grids {
        nav.push(("profiles".to_string(), "Profiles".to_string()));
    }
    for sec in sections {
        nav.push((sec.id.clone(), sec.heading.clone()));
    }
    nav
}

/// A rank statistic: whole ranks plainly, others to two decimals.
fn rank_text(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".to_string(), tick)
}

fn figure(c: &Chart, heading: &str, caption: &str, table: Option<Table>, note: &str) -> Figure {
    Figure {
        id: c.svg.id.clone(),
        heading: heading.to_string(),
        caption: caption.to_string(),
        svg: c.svg.finish(false),
        table,
        table_note: note.to_string(),
        fit: matches!(c.file.as_str(), "coverage" | "sensitivity_indices"),
    }
}

fn empty_figure(id: &str, heading: &str, caption: &str) -> Figure {
    Figure {
        id: id.to_string(),
        heading: heading.to_string(),
        caption: caption.to_string(),
        svg: String::new(),
        table: None,
        table_note: String::new(),
        fit: false,
    }
}

/// Ranking order, then any further rows of the matrix in file order.
fn row_order(r: &Report, m: &Matrix) -> Vec<String> {
    let in_matrix: std::collections::HashSet<&str> = m.rows.iter().map(String::as_str).collect();
    let mut out: Vec<String> = r
        .score
        .ranking
        .iter()
        .filter(|x| in_matrix.contains(x.code.as_str()))
        .map(|x| x.code.clone())
        .collect();
    let seen: std::collections::HashSet<String> = out.iter().cloned().collect();
    out.extend(m.rows.iter().filter(|c| !seen.contains(*c)).cloned());
    out
}

fn reorder(m: &Matrix, order: &[String]) -> Vec<Vec<Option<f64>>> {
    let index: BTreeMap<&str, usize> = m
        .rows
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    order
        .iter()
        .map(|c| {
            index
                .get(c.as_str())
                .map_or_else(|| vec![None; m.cols.len()], |&i| m.values[i].clone())
        })
        .collect()
}

fn matrix_table(rows: &[(String, String)], cols: &[Column], values: &[Vec<Option<f64>>]) -> Table {
    matrix_table_digits(rows, cols, values, 1)
}

fn matrix_table_digits(
    rows: &[(String, String)],
    cols: &[Column],
    values: &[Vec<Option<f64>>],
    digits: usize,
) -> Table {
    let mut header = vec!["jurisdiction".to_string()];
    header.extend(cols.iter().map(|c| c.id.clone()));
    let mut numeric = vec![false];
    numeric.extend(cols.iter().map(|_| true));
    Table::new(
        header,
        numeric,
        rows.iter()
            .zip(values)
            .map(|((code, _), vals)| {
                let mut row = vec![code.clone()];
                row.extend(vals.iter().map(|v| value(*v, digits)));
                row
            })
            .collect(),
    )
}

fn coverage_table(r: &Report) -> Table {
    let mut bins = [0usize; 10];
    let mut unknown = 0usize;
    for x in &r.score.ranking {
        match x.coverage {
            Some(c) => bins[((c.clamp(0.0, 1.0) * 10.0).floor() as usize).min(9)] += 1,
            None => unknown += 1,
        }
    }
    let mut rows: Vec<Vec<String>> = bins
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let hi = if i == 9 {
                "1 (inclusive)".to_string()
            } else {
                tick((i + 1) as f64 / 10.0)
            };
            vec![
                format!("{} to {}", tick(i as f64 / 10.0), hi),
                c.to_string(),
            ]
        })
        .collect();
    if unknown > 0 {
        rows.push(vec!["NA".to_string(), unknown.to_string()]);
    }
    Table::new(
        vec!["coverage".to_string(), "jurisdictions".to_string()],
        vec![false, true],
        rows,
    )
}

fn coop_table(a: &AlignFolder, name_of: &dyn Fn(&str) -> String) -> Table {
    let rows = a
        .coop_codes
        .iter()
        .zip(&a.coop)
        .map(|(code, row)| {
            let mut linked = Vec::new();
            let (mut none, mut unknown) = (0, 0);
            for (k, c) in row.iter().enumerate() {
                match c {
                    Coop::Linked(_) => linked.push(a.coop_codes[k].clone()),
                    Coop::None => none += 1,
                    Coop::Unknown => unknown += 1,
                    Coop::Diagonal => {}
                }
            }
            vec![
                code.clone(),
                name_of(code),
                linked.len().to_string(),
                none.to_string(),
                unknown.to_string(),
                linked.join(" "),
            ]
        })
        .collect();
    Table::new(
        [
            "jurisdiction",
            "name",
            "linked",
            "none",
            "NA",
            "linked with",
        ]
        .map(String::from)
        .to_vec(),
        vec![false, false, true, true, true, false],
        rows,
    )
}

/// The cells' layout: principles and facet values in order of first appearance in the cell ids
/// (`P1.legal`), and each cell's (principle, value) position; `None` for an id without a dot.
fn grid_layout(cells: &[String]) -> GridLayout {
    let mut layout = GridLayout::default();
    for id in cells {
        let Some((p, v)) = id.split_once('.') else {
            layout.pos.push(None);
            continue;
        };
        let pi = position_or_push(&mut layout.principles, p);
        let vi = position_or_push(&mut layout.values, v);
        layout.pos.push(Some((pi, vi)));
    }
    layout
}

/// Where the principles and facet values of the cell ids are.
#[derive(Debug, Default, PartialEq)]
struct GridLayout {
    principles: Vec<String>,
    values: Vec<String>,
    pos: Vec<Option<(usize, usize)>>,
}

/// The position of `x` in `list`, appending it first if absent.
fn position_or_push(list: &mut Vec<String>, x: &str) -> usize {
    list.iter().position(|y| y == x).unwrap_or_else(|| {
        list.push(x.to_string());
        list.len() - 1
    })
}

/// The profiles section: one grid chart per jurisdiction, the picker's options, and every
/// jurisdiction's cells as one table.
fn grids(
    r: &Report,
    order: &[String],
    name_of: &dyn Fn(&str) -> String,
    scale: Scale,
    charts_out: &mut Vec<Chart>,
) -> Grids {
    let s = &r.score;
    let meta = &s.meta;
    let layout = grid_layout(&s.cells.cols);
    let rows: Vec<(String, String)> = layout
        .principles
        .iter()
        .map(|p| {
            let name = meta.node_name(p);
            (
                p.clone(),
                if name == p {
                    p.clone()
                } else {
                    format!("{p} {name}")
                },
            )
        })
        .collect();
    let cols: Vec<(String, String)> = layout
        .values
        .iter()
        .map(|v| (v.clone(), meta.value_name(v).to_string()))
        .collect();
    let values = reorder(&s.cells, order);
    let mut used_stems: BTreeMap<String, usize> = BTreeMap::new();
    let mut figures = Vec::new();
    let mut options = Vec::new();
    for (i, code) in order.iter().enumerate() {
        let mut grid = vec![vec![None; cols.len()]; rows.len()];
        for (c, p) in layout.pos.iter().enumerate() {
            if let Some((pi, vi)) = p {
                grid[*pi][*vi] = Some(values[i][c]);
            }
        }
        let stem = charts::safe_stem(code);
        let count = used_stems.entry(stem.clone()).or_default();
        *count += 1;
        let file = if *count == 1 {
            format!("grid_{stem}")
        } else {
            format!("grid_{stem}_{i}")
        };
        let name = name_of(code);
        let mut chart = charts::grid(&GridSpec {
            index: i,
            code,
            name: &name,
            rows: &rows,
            cols: &cols,
            values: &grid,
            scale,
            file,
        });
        let mut fig = figure(&chart, &chart.svg.title.clone(), "", None, "");
        fig.id = i.to_string();
        figures.push(fig);
        options.push((
            i.to_string(),
            if name.is_empty() {
                code.clone()
            } else {
                format!("{code} {name}")
            },
        ));
        charts::widen_for_legend(&mut chart);
        charts_out.push(chart);
    }
    let file = s.folder.table(schema::MATRIX_CELLS.name);
    Grids {
        scale_intro: String::new(),
        table_summary: "Data table: every jurisdiction's cells".to_string(),
        table_note: format!("Values rounded to whole numbers; exact values in {file}."),
        cells_file: file,
        options,
        legend: charts::grid_legend(&scale).finish(false),
        figures,
        table: cells_table(&s.cells.cols, order, &values),
    }
}

/// Every jurisdiction's cells (`matrix_cells.csv`) as a table, values rounded to whole numbers.
fn cells_table(cells: &[String], order: &[String], values: &[Vec<Option<f64>>]) -> Table {
    let mut header = vec!["jurisdiction".to_string()];
    header.extend(cells.iter().cloned());
    let mut numeric = vec![false];
    numeric.extend(cells.iter().map(|_| true));
    Table::new(
        header,
        numeric,
        order
            .iter()
            .zip(values)
            .map(|(code, vals)| {
                let mut row = vec![code.clone()];
                row.extend(vals.iter().map(|v| value(*v, 0)));
                row
            })
            .collect(),
    )
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn cells_lay_out_in_order_of_first_appearance() {
        let cells = ["P1.legal", "P1.coop", "P2.coop", "odd", "P2.legal"].map(String::from);
        assert_eq!(
            grid_layout(&cells),
            GridLayout {
                principles: vec!["P1".to_string(), "P2".to_string()],
                values: vec!["legal".to_string(), "coop".to_string()],
                pos: vec![Some((0, 0)), Some((0, 1)), Some((1, 1)), None, Some((1, 0))],
            }
        );
    }
}
