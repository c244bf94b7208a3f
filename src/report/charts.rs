//! The report's charts, each an `Svg` built from the model: the coverage histogram, score
//! heatmaps (one `<rect data-cell>` per cell), per-jurisdiction grid profiles, the alignment and
//! cooperation matrices (drawn as one path per colour, so that 200 x 200 stays small), sensitivity
//! bars, rank intervals and the rank-shift slope chart.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::svg::{
    BLUE, GREEN, GREY, INK, OKABE_ITO, ORANGE, Palette, Scale, Svg, VERMILLION, esc, hatch_def,
    hatch_id, legend, n, row_metrics, swatches, text_width, tick, truncate, value,
};
use super::{AlignFolder, CompareFolder, Coop, Interval, Matrix, Meta, RankRow, SensIndex};

/// A chart and the name of its standalone file (without `.svg`).
#[derive(Debug, Clone)]
pub struct Chart {
    /// The drawing.
    pub svg: Svg,
    /// File stem for `--format svg`.
    pub file: String,
}

/// Colour steps of the large matrices (one path each).
const STEPS: usize = 64;

/// A row label: code and name.
fn row_label(code: &str, name: &str, max: usize) -> String {
    if name.is_empty() || name == code {
        truncate(code, max)
    } else {
        truncate(&format!("{code}  {name}"), max)
    }
}

fn max_width(labels: &[String], font: f64) -> f64 {
    labels
        .iter()
        .map(|l| text_width(l, font))
        .fold(0.0, f64::max)
}

/// The colour scale of scores: the rubric's scale, widened to any value outside it.
pub(crate) fn score_scale(meta: &Meta, matrices: &[&Matrix]) -> Scale {
    let (mut lo, mut hi) = meta.scale;
    for m in matrices {
        for v in m.values.iter().flatten().flatten() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    Scale {
        lo,
        hi,
        palette: Palette::Viridis,
    }
}

/// Histogram of index coverage in ten bins, with the minimum coverage marked.
pub(crate) fn coverage(ranking: &[RankRow], meta: &Meta) -> Chart {
    let (bins, unknown) = coverage_bins(ranking.iter().map(|r| r.coverage));
    let (w, h) = (560.0, 250.0);
    let (left, right, top, bottom) = (44.0, 16.0, 34.0, 46.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let max = bins.iter().copied().max().unwrap_or(0).max(1) as f64;
    let min_cov = meta.min_coverage;
    let mut desc = format!(
        "Histogram of the index coverage of {} jurisdictions in ten bins of 0.1 (the last bin includes 1). Counts: {}.",
        ranking.len(),
        bins.iter()
            .enumerate()
            .map(|(i, c)| format!(
                "{}-{}: {c}",
                tick(i as f64 / 10.0),
                tick((i + 1) as f64 / 10.0)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(m) = min_cov {
        let _ = write!(desc, " Scores need coverage of at least {}.", tick(m));
    }
    if unknown > 0 {
        let _ = write!(desc, " {unknown} without a recorded coverage.");
    }
    let mut s = Svg::new("coverage", w, h, "Coverage of the index score", &desc);
    // Axes and gridlines.
    let step = nice_step(max);
    let mut v = 0.0;
    while v <= max + 1e-9 {
        let y = top + ph - v / max * ph;
        s.line(left, y, left + pw, y, "stroke=\"#e3e3e3\"");
        s.text(
            left - 6.0,
            y + 4.0,
            &tick(v),
            "text-anchor=\"end\" font-size=\"11\"",
        );
        v += step;
    }
    let bw = pw / 10.0;
    for (i, &c) in bins.iter().enumerate() {
        let lo = i as f64 / 10.0;
        let bh = c as f64 / max * ph;
        let x = left + i as f64 * bw;
        let fill = if min_cov.is_some_and(|m| lo + 1e-9 < m) {
            GREY
        } else {
            BLUE
        };
        s.rect(
            x + 2.0,
            top + ph - bh,
            bw - 4.0,
            bh,
            &format!("fill=\"{fill}\""),
        );
        if c > 0 {
            s.text(
                x + bw / 2.0,
                top + ph - bh - 4.0,
                &c.to_string(),
                "text-anchor=\"middle\" font-size=\"11\"",
            );
        }
        s.text(
            x,
            top + ph + 16.0,
            &tick(lo),
            "text-anchor=\"middle\" font-size=\"11\"",
        );
    }
    s.text(
        left + pw,
        top + ph + 16.0,
        "1",
        "text-anchor=\"middle\" font-size=\"11\"",
    );
    s.line(
        left,
        top + ph,
        left + pw,
        top + ph,
        &format!("stroke=\"{INK}\""),
    );
    s.text(
        left + pw / 2.0,
        h - 8.0,
        "coverage of the index (share of its weight backed by evidence)",
        "text-anchor=\"middle\"",
    );
    s.text(left, 16.0, "jurisdictions", "font-size=\"11\"");
    if let Some(m) = min_cov {
        let x = left + m.clamp(0.0, 1.0) * pw;
        s.line(
            x,
            top - 6.0,
            x,
            top + ph,
            &format!("stroke=\"{VERMILLION}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\""),
        );
        s.text(
            x + 4.0,
            top - 8.0,
            &format!("minimum coverage {}", tick(m)),
            &format!("font-size=\"11\" fill=\"{VERMILLION}\""),
        );
    }
    Chart {
        svg: s,
        file: "coverage".to_string(),
    }
}

/// Coverages counted in ten bins of 0.1 (the last one includes 1, values outside [0, 1] count
/// at the nearer end), and the number without a coverage.
fn coverage_bins(coverages: impl Iterator<Item = Option<f64>>) -> ([usize; 10], usize) {
    let mut bins = [0usize; 10];
    let mut unknown = 0;
    for coverage in coverages {
        match coverage {
            Some(c) => bins[((c.clamp(0.0, 1.0) * 10.0).floor() as usize).min(9)] += 1,
            None => unknown += 1,
        }
    }
    (bins, unknown)
}

fn nice_step(max: f64) -> f64 {
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    step.max(1.0)
}

/// A column of a heatmap: id, short label, full name.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Id, as in the CSV header.
    pub id: String,
    /// Label drawn above the column.
    pub label: String,
    /// Full name, for the cell titles.
    pub name: String,
}

/// What a heatmap shows.
pub(crate) struct HeatmapSpec<'a> {
    /// Chart id (also the `data-cell` value).
    pub id: &'a str,
    /// Value of the `data-cell` attribute.
    pub kind: &'a str,
    /// File stem.
    pub file: &'a str,
    /// Title.
    pub title: &'a str,
    /// What the columns are, plural (`principles`).
    pub cols_noun: &'a str,
    /// The rows: (code, name).
    pub rows: &'a [(String, String)],
    /// The columns.
    pub cols: &'a [Column],
    /// `values[row][col]`, in the order of `rows` and `cols`.
    pub values: &'a [Vec<Option<f64>>],
    /// The colour scale.
    pub scale: Scale,
}

/// A jurisdiction x column heatmap: one `<rect data-cell>` per cell, NA hatched.
pub(crate) fn heatmap(spec: &HeatmapSpec) -> Chart {
    let (row_h, font) = row_metrics(spec.rows.len());
    let cw: f64 = if spec.cols.len() > 5 { 38.0 } else { 72.0 };
    let labels: Vec<String> = spec
        .rows
        .iter()
        .map(|(c, name)| row_label(c, name, 34))
        .collect();
    let left = (max_width(&labels, font) + 14.0).ceil();
    let col_labels: Vec<String> = spec.cols.iter().map(|c| truncate(&c.label, 34)).collect();
    let angle: f64 = 40.0;
    let (sin, cos) = (angle.to_radians().sin(), angle.to_radians().cos());
    let lw = max_width(&col_labels, 12.0);
    let top = (lw * sin + 24.0).ceil();
    let grid_w = cw * spec.cols.len() as f64;
    let legend_x = left + grid_w + 28.0;
    let width = (legend_x + 120.0)
        .max(left + grid_w - cw / 2.0 + lw * cos + 16.0)
        .ceil();
    let height = (top + row_h * spec.rows.len() as f64 + 12.0)
        .max(top + 200.0)
        .ceil();
    let (desc, na) = heatmap_description(spec);
    let mut s = Svg::new(spec.id, width, height, spec.title, &desc);
    let (gdef, gmark) = legend(spec.id, &spec.scale, "score", na > 0, legend_x, top);
    s.def(&gdef);
    if na > 0 {
        s.def(&hatch_def(spec.id));
    }
    for (c, label) in col_labels.iter().enumerate() {
        let x = left + cw * c as f64 + cw / 2.0;
        let _ = write!(
            s,
            "<text transform=\"translate({},{}) rotate(-{angle})\" font-size=\"12\"><title>{}</title>{}</text>",
            n(x),
            n(top - 6.0),
            esc(&spec.cols[c].name),
            esc(label)
        );
    }
    let fs = format!("font-size=\"{}\" text-anchor=\"end\"", n(font));
    for (r, label) in labels.iter().enumerate() {
        s.text(
            left - 8.0,
            top + row_h * r as f64 + row_h / 2.0 + font * 0.35,
            label,
            &fs,
        );
    }
    heatmap_cells(&mut s, spec, left, top, cw, row_h);
    s.push("</g>");
    s.push(&gmark);
    Chart {
        svg: s,
        file: spec.file.to_string(),
    }
}

/// The means of every column with a value (by column index), and the number of NA cells.
fn column_means(values: &[Vec<Option<f64>>], columns: usize) -> (Vec<(usize, f64)>, usize) {
    let mut na = 0usize;
    let mut col_sum = vec![(0.0, 0usize); columns];
    for row in values {
        for (c, v) in row.iter().enumerate() {
            match v {
                Some(x) => {
                    col_sum[c].0 += x;
                    col_sum[c].1 += 1;
                }
                None => na += 1,
            }
        }
    }
    let means: Vec<(usize, f64)> = col_sum
        .iter()
        .enumerate()
        .filter(|(_, (_, k))| *k > 0)
        .map(|(c, (s, k))| (c, s / *k as f64))
        .collect();
    (means, na)
}

/// A heatmap's description for screen readers, with the number of NA cells: its size, its
/// scale, and the columns with the highest and lowest mean.
fn heatmap_description(spec: &HeatmapSpec) -> (String, usize) {
    let (means, na) = column_means(spec.values, spec.cols.len());
    let mut desc = format!(
        "Heatmap of {} jurisdictions (rows, in ranking order) by {} {} (columns). Colour shows the score on the {} scale from {} (dark purple) to {} (yellow). {} of {} cells are NA (unknown) and drawn hatched, not as zero.",
        spec.rows.len(),
        spec.cols.len(),
        spec.cols_noun,
        spec.scale.palette.name(),
        tick(spec.scale.lo),
        tick(spec.scale.hi),
        na,
        spec.rows.len() * spec.cols.len()
    );
    let best = means.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let worst = means.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some(b), Some(w)) = (best, worst) {
        let _ = write!(
            desc,
            " Highest mean: {} ({}); lowest mean: {} ({}).",
            spec.cols[b.0].name,
            value(Some(b.1), 1),
            spec.cols[w.0].name,
            value(Some(w.1), 1)
        );
    }
    (desc, na)
}

/// Draws a heatmap's cells: one `<rect data-cell>` per cell, NA hatched.
fn heatmap_cells(s: &mut Svg, spec: &HeatmapSpec, left: f64, top: f64, cw: f64, row_h: f64) {
    s.push("<g stroke=\"#ffffff\" stroke-width=\"1\">");
    let hatch = format!("url(#{})", hatch_id(spec.id));
    for (r, (code, _)) in spec.rows.iter().enumerate() {
        for (c, col) in spec.cols.iter().enumerate() {
            let v = spec
                .values
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .flatten();
            let (fill, shown) = match v {
                Some(x) => (spec.scale.color(x), value(Some(x), 1)),
                None => (hatch.clone(), "NA".to_string()),
            };
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" data-cell=\"{}\" data-j=\"{}\" data-k=\"{}\" data-v=\"{}\"><title>{}: {}</title></rect>",
                n(left + cw * c as f64),
                n(top + row_h * r as f64),
                n(cw),
                n(row_h),
                esc(spec.kind),
                esc(code),
                esc(&col.id),
                v.map_or_else(|| "NA".to_string(), crate::base::format::number),
                esc(&format!("{code}, {}", col.id)),
                shown
            );
        }
    }
}

/// The principle x facet-value grid of one jurisdiction, with the value in each cell.
pub(crate) struct GridSpec<'a> {
    /// Position of the jurisdiction (for a unique id).
    pub index: usize,
    /// Its code.
    pub code: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Row ids (principles) and their labels.
    pub rows: &'a [(String, String)],
    /// Column ids (facet values) and their labels.
    pub cols: &'a [(String, String)],
    /// Values by (row, col); `None` outer: the pair is not in the rubric; inner: NA.
    pub values: &'a [Vec<Option<Option<f64>>>],
    /// The colour scale.
    pub scale: Scale,
    /// Safe file stem.
    pub file: String,
}

/// One jurisdiction's grid profile.
pub(crate) fn grid(spec: &GridSpec) -> Chart {
    let id = format!("grid-{}", spec.index);
    let font = 12.0;
    let row_labels: Vec<String> = spec.rows.iter().map(|(_, l)| truncate(l, 44)).collect();
    let left = (max_width(&row_labels, font) + 16.0).ceil();
    let cw = spec
        .cols
        .iter()
        .map(|(_, l)| text_width(&truncate(l, 24), font) + 14.0)
        .fold(84.0, f64::max)
        .ceil();
    let ch = 28.0;
    let top = 30.0;
    let grid_w = cw * spec.cols.len() as f64;
    let width = (left + grid_w + 24.0).ceil();
    let height = top + ch * spec.rows.len() as f64 + 10.0;
    let na = spec
        .values
        .iter()
        .flatten()
        .filter(|v| matches!(v, Some(None)))
        .count();
    let known: Vec<f64> = spec
        .values
        .iter()
        .flatten()
        .filter_map(|v| v.flatten())
        .collect();
    let desc = grid_description(spec, na);
    let title = format!(
        "Profile of {}{}",
        spec.code,
        if spec.name.is_empty() {
            String::new()
        } else {
            format!(" {}", spec.name)
        }
    );
    let mut s = Svg::new(&id, width, height, &title, &desc);
    if na > 0 {
        s.def(&hatch_def(&id));
    }
    for (c, (_, label)) in spec.cols.iter().enumerate() {
        s.text(
            left + cw * c as f64 + cw / 2.0,
            top - 10.0,
            &truncate(label, 24),
            "text-anchor=\"middle\" font-weight=\"600\"",
        );
    }
    for (r, label) in row_labels.iter().enumerate() {
        s.text(
            left - 10.0,
            top + ch * r as f64 + ch / 2.0 + 4.0,
            label,
            "text-anchor=\"end\"",
        );
    }
    let (rects, texts) = grid_cells(spec, &id, left, top, cw, ch);
    s.push(&rects);
    s.push(&texts);
    if !known.is_empty() || na > 0 {
        // The page shows one legend for every profile; the standalone file carries its own.
        let (gdef, gmark) = legend(&id, &spec.scale, "score", na > 0, width + 8.0, top);
        s.push_file_only(&format!("<defs>{gdef}</defs>{gmark}"));
    }
    Chart {
        svg: s,
        file: spec.file.clone(),
    }
}

/// A grid profile's description for screen readers: its scale, its NA cells and every value.
fn grid_description(spec: &GridSpec, na: usize) -> String {
    format!(
        "Scores of {} {} in each of {} principles (rows) by {} dimensions (columns), on the {} scale from {} to {}; {} cells NA (hatched). Values: {}.",
        spec.code,
        spec.name,
        spec.rows.len(),
        spec.cols.len(),
        spec.scale.palette.name(),
        tick(spec.scale.lo),
        tick(spec.scale.hi),
        na,
        spec.rows
            .iter()
            .enumerate()
            .map(|(r, (rid, _))| {
                let cells: Vec<String> = spec
                    .cols
                    .iter()
                    .enumerate()
                    .filter_map(|(c, (cid, _))| {
                        spec.values[r][c].map(|v| format!("{cid} {}", value(v, 0)))
                    })
                    .collect();
                format!("{rid}: {}", cells.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// A grid profile's cells (white gaps between them) and their values (centred, black unless
/// the cell is dark), as two groups.
fn grid_cells(
    spec: &GridSpec,
    id: &str,
    left: f64,
    top: f64,
    cw: f64,
    ch: f64,
) -> (String, String) {
    let hatch = format!("url(#{})", hatch_id(id));
    let mut rects = String::from("<g stroke=\"#ffffff\" stroke-width=\"2\">");
    let mut texts = String::from("<g text-anchor=\"middle\">");
    for (r, (rid, _)) in spec.rows.iter().enumerate() {
        for (c, (cid, _)) in spec.cols.iter().enumerate() {
            let Some(v) = spec.values[r][c] else { continue };
            let (x, y) = (left + cw * c as f64, top + ch * r as f64);
            let (fill, ink, shown) = match v {
                Some(v) => (spec.scale.color(v), spec.scale.ink(v), value(Some(v), 0)),
                None => (hatch.clone(), INK, "NA".to_string()),
            };
            let _ = write!(
                rects,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" data-cell=\"grid\" data-k=\"{}.{}\"/>",
                n(x),
                n(y),
                n(cw),
                n(ch),
                esc(rid),
                esc(cid),
            );
            let _ = write!(
                texts,
                "<text x=\"{}\" y=\"{}\"{}>{shown}</text>",
                n(x + cw / 2.0),
                n(y + ch / 2.0 + 4.0),
                if ink == INK || ink == "#000000" {
                    String::new()
                } else {
                    format!(" fill=\"{ink}\"")
                }
            );
        }
    }
    rects.push_str("</g>");
    texts.push_str("</g>");
    (rects, texts)
}

/// Widens a grid's standalone file to make room for its legend.
pub(crate) fn widen_for_legend(chart: &mut Chart) {
    chart.svg.width += 130.0;
    chart.svg.height = chart.svg.height.max(210.0);
}

/// The legend shared by the grid profiles on the page.
pub(crate) fn grid_legend(scale: &Scale) -> Svg {
    let id = "grid-legend";
    let mut s = Svg::new(
        id,
        330.0,
        40.0,
        "Colour legend of the profiles",
        &format!(
            "Scores from {} (dark purple) to {} (yellow) on the {} scale; NA hatched.",
            tick(scale.lo),
            tick(scale.hi),
            scale.palette.name()
        ),
    );
    s.def(&hatch_def(id));
    let gid = format!("{id}-grad");
    let mut g = format!("<linearGradient id=\"{gid}\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\">");
    for i in 0..=10 {
        let t = i as f64 / 10.0;
        let _ = write!(
            g,
            "<stop offset=\"{}\" stop-color=\"{}\"/>",
            n(t),
            scale.palette.hex(t)
        );
    }
    g.push_str("</linearGradient>");
    s.def(&g);
    s.text(0.0, 24.0, &tick(scale.lo), "font-size=\"11\"");
    let x0 = text_width(&tick(scale.lo), 11.0) + 6.0;
    s.rect(
        x0,
        13.0,
        160.0,
        14.0,
        &format!("fill=\"url(#{gid})\" stroke=\"#666\" stroke-width=\"0.5\""),
    );
    s.text(x0 + 166.0, 24.0, &tick(scale.hi), "font-size=\"11\"");
    let x1 = x0 + 166.0 + text_width(&tick(scale.hi), 11.0) + 16.0;
    s.rect(
        x1,
        13.0,
        14.0,
        14.0,
        &format!(
            "fill=\"url(#{})\" stroke=\"#666\" stroke-width=\"0.5\"",
            hatch_id(id)
        ),
    );
    s.text(x1 + 19.0, 24.0, "NA (unknown)", "font-size=\"11\"");
    s
}

/// Paths of a square matrix, one per fill, as horizontal strokes one cell high; runs of equal
/// fills in a row merge.
fn matrix_paths(fills: &[Vec<Option<String>>], left: f64, top: f64, cell: f64) -> String {
    let mut by_fill: BTreeMap<String, String> = BTreeMap::new();
    for (r, row) in fills.iter().enumerate() {
        let y = top + cell * r as f64 + cell / 2.0;
        let mut c = 0;
        while c < row.len() {
            let Some(fill) = &row[c] else {
                c += 1;
                continue;
            };
            let start = c;
            while c < row.len() && row[c].as_ref() == Some(fill) {
                c += 1;
            }
            let d = by_fill.entry(fill.clone()).or_default();
            let _ = write!(
                d,
                "M{} {}h{}",
                n(left + cell * start as f64),
                n(y),
                n(cell * (c - start) as f64)
            );
        }
    }
    let mut out = format!(
        "<g fill=\"none\" stroke-width=\"{}\" shape-rendering=\"crispEdges\">",
        n(cell)
    );
    for (fill, d) in by_fill {
        let _ = write!(out, "<path stroke=\"{fill}\" d=\"{d}\"/>");
    }
    out.push_str("</g>");
    out
}

/// Column labels of a square matrix: codes, rotated to read upwards.
fn column_codes(s: &mut Svg, codes: &[String], left: f64, top: f64, cell: f64, font: f64) {
    for (c, code) in codes.iter().enumerate() {
        let x = left + cell * c as f64 + cell / 2.0 + font * 0.35;
        let _ = write!(
            s,
            "<text transform=\"translate({},{}) rotate(-90)\" font-size=\"{}\">{}</text>",
            n(x),
            n(top - 6.0),
            n(font),
            esc(&truncate(code, 12))
        );
    }
}

fn row_labels(s: &mut Svg, labels: &[String], left: f64, top: f64, cell: f64, font: f64) {
    let attrs = format!("font-size=\"{}\" text-anchor=\"end\"", n(font));
    for (r, label) in labels.iter().enumerate() {
        s.text(
            left - 8.0,
            top + cell * r as f64 + cell / 2.0 + font * 0.35,
            label,
            &attrs,
        );
    }
}

/// The alignment matrix in cluster order, cividis, with cluster blocks outlined.
pub(crate) fn alignment(a: &AlignFolder, name_of: &dyn Fn(&str) -> String) -> Chart {
    let m = &a.alignment;
    let k = m.rows.len();
    let (cell, font) = row_metrics(k);
    let labels: Vec<String> = m
        .rows
        .iter()
        .map(|c| row_label(c, &name_of(c), 26))
        .collect();
    let band = 8.0;
    let left = (max_width(&labels, font) + 16.0 + band).ceil();
    let code_w = m
        .rows
        .iter()
        .map(|c| text_width(&truncate(c, 12), font))
        .fold(0.0, f64::max);
    let top = (code_w + 14.0).ceil();
    let lo = if m.values.iter().flatten().flatten().any(|v| *v < 0.0) {
        -1.0
    } else {
        0.0
    };
    let scale = Scale {
        lo,
        hi: 1.0,
        palette: Palette::Cividis,
    };
    let legend_x = left + cell * k as f64 + 24.0;
    let width = (legend_x + 120.0).ceil();
    let height = (top + cell * k as f64 + 12.0).max(top + 200.0).ceil();
    let id = "alignment";
    let hatch = format!("url(#{})", hatch_id(id));
    let mut na = 0;
    let mut best: Option<(f64, usize, usize)> = None;
    let mut worst: Option<(f64, usize, usize)> = None;
    let fills: Vec<Vec<Option<String>>> = m
        .values
        .iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, v)| match v {
                    Some(v) => {
                        if c > r {
                            if best.is_none_or(|b| *v > b.0) {
                                best = Some((*v, r, c));
                            }
                            if worst.is_none_or(|w| *v < w.0) {
                                worst = Some((*v, r, c));
                            }
                        }
                        let step = (scale.t(*v) * (STEPS - 1) as f64).round() / (STEPS - 1) as f64;
                        Some(scale.palette.hex(step))
                    }
                    None => {
                        if c > r {
                            na += 1;
                        }
                        Some(hatch.clone())
                    }
                })
                .collect()
        })
        .collect();
    let runs = cluster_runs(&m.rows, &a.clusters);
    let desc = alignment_description(a, lo, na, best, worst, &runs);
    let mut s = Svg::new(
        id,
        width,
        height,
        "Alignment matrix in cluster order",
        &desc,
    );
    s.def(&hatch_def(id));
    let (gdef, gmark) = legend(id, &scale, "similarity", true, legend_x, top);
    s.def(&gdef);
    column_codes(&mut s, &m.rows, left, top, cell, font);
    row_labels(&mut s, &labels, left - band - 2.0, top, cell, font);
    s.push(&matrix_paths(&fills, left, top, cell));
    for (cl, start, end) in &runs {
        let color = OKABE_ITO[1 + (*cl as usize + 6) % 7];
        let y = top + cell * *start as f64;
        let span = cell * (end - start) as f64;
        s.rect(
            left - band - 2.0,
            y,
            band,
            span,
            &format!("fill=\"{color}\""),
        );
        s.rect(
            left + cell * *start as f64,
            y,
            span,
            span,
            &format!("fill=\"none\" stroke=\"{INK}\" stroke-width=\"1.5\""),
        );
    }
    s.push(&gmark);
    Chart {
        svg: s,
        file: "alignment".to_string(),
    }
}

/// The runs of one cluster along the matrix order, as (cluster, first row, one past the last
/// row); jurisdictions without a cluster (NA in clusters.csv) are not a cluster.
fn cluster_runs(rows: &[String], clusters: &BTreeMap<String, u32>) -> Vec<(u32, usize, usize)> {
    let mut runs: Vec<(u32, usize, usize)> = Vec::new();
    for (i, code) in rows.iter().enumerate() {
        let cl = clusters.get(code).copied().unwrap_or(0);
        match runs.last_mut() {
            Some(last) if last.0 == cl => last.2 = i + 1,
            _ => runs.push((cl, i, i + 1)),
        }
    }
    // Jurisdictions without a cluster (NA in clusters.csv) are not a cluster.
    runs.retain(|r| r.0 != 0);
    runs
}

/// The alignment matrix's description for screen readers: its size, metric and level, its
/// clusters, and its most and least aligned pairs (similarity, row, column).
fn alignment_description(
    a: &AlignFolder,
    lo: f64,
    na: usize,
    best: Option<(f64, usize, usize)>,
    worst: Option<(f64, usize, usize)>,
    runs: &[(u32, usize, usize)],
) -> String {
    let m = &a.alignment;
    let k = m.rows.len();
    let mut sizes: BTreeMap<u32, usize> = BTreeMap::new();
    for (cl, s, e) in runs {
        *sizes.entry(*cl).or_default() += e - s;
    }
    let pair = |p: Option<(f64, usize, usize)>| {
        p.map_or_else(
            || "none".to_string(),
            |(v, r, c)| format!("{} and {} ({})", m.rows[r], m.rows[c], value(Some(v), 3)),
        )
    };
    format!(
        "Similarity of {k} jurisdictions{}{}, rows and columns in the order of the average-linkage clustering, so that blocs show as light squares along the diagonal. Colour on the cividis scale from {} (dark blue) to 1 (yellow); NA (too few shared components) hatched. {}. Most aligned pair: {}; least aligned: {}; {na} pairs NA.",
        a.metric
            .as_ref()
            .map_or(String::new(), |x| format!(" by {x}")),
        a.level
            .as_ref()
            .map_or(String::new(), |x| format!(" of {x} scores")),
        tick(lo),
        if sizes.is_empty() {
            "No clusters".to_string()
        } else {
            format!(
                "{} clusters of sizes {}, outlined",
                sizes.len(),
                sizes
                    .values()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        pair(best),
        pair(worst),
    )
}

/// The cooperation matrix: linked, none and unknown in three fills.
pub(crate) fn cooperation(a: &AlignFolder, name_of: &dyn Fn(&str) -> String) -> Chart {
    let codes = &a.coop_codes;
    let k = codes.len();
    let (cell, font) = row_metrics(k);
    let labels: Vec<String> = codes
        .iter()
        .map(|c| row_label(c, &name_of(c), 26))
        .collect();
    let left = (max_width(&labels, font) + 14.0).ceil();
    let code_w = codes
        .iter()
        .map(|c| text_width(&truncate(c, 12), font))
        .fold(0.0, f64::max);
    let top = (code_w + 14.0 + 34.0).ceil();
    let id = "cooperation";
    let hatch = format!("url(#{})", hatch_id(id));
    let (mut linked, mut none, mut unknown) = (0usize, 0usize, 0usize);
    let fills: Vec<Vec<Option<String>>> = a
        .coop
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Coop::Diagonal => Some("#d9d9d9".to_string()),
                    Coop::Linked(_) => {
                        linked += 1;
                        Some(BLUE.to_string())
                    }
                    Coop::None => {
                        none += 1;
                        Some(ORANGE.to_string())
                    }
                    Coop::Unknown => {
                        unknown += 1;
                        Some(hatch.clone())
                    }
                })
                .collect()
        })
        .collect();
    let total = (linked + none + unknown).max(1) as f64;
    let desc = format!(
        "Cooperation between {k} jurisdictions: the row is the requested state, the column the requesting state. Of {} ordered pairs, {linked} ({}%) are linked by at least one instrument (blue), {none} ({}%) are known to have none (orange) and {unknown} ({}%) are unknown (hatched).",
        linked + none + unknown,
        value(Some(100.0 * linked as f64 / total), 0),
        value(Some(100.0 * none as f64 / total), 0),
        value(Some(100.0 * unknown as f64 / total), 0),
    );
    let items = vec![
        (BLUE.to_string(), "linked".to_string()),
        (ORANGE.to_string(), "none (known absent)".to_string()),
        (hatch.clone(), "NA (unknown)".to_string()),
    ];
    let (sw, sw_w) = swatches(&items, left, 8.0);
    let width = (left + cell * k as f64 + 16.0)
        .max(left + sw_w + 8.0)
        .ceil();
    let height = (top + cell * k as f64 + 12.0).ceil();
    let mut s = Svg::new(id, width, height, "Cooperation matrix", &desc);
    s.def(&hatch_def(id));
    s.push(&sw);
    column_codes(&mut s, codes, left, top, cell, font);
    row_labels(&mut s, &labels, left, top, cell, font);
    s.push(&matrix_paths(&fills, left, top, cell));
    Chart {
        svg: s,
        file: "cooperation".to_string(),
    }
}

/// First-order and total sensitivity indices per factor as bars, with bootstrap intervals.
pub(crate) fn sensitivity(indices: &[SensIndex], target: Option<&str>) -> Chart {
    let font = 12.0;
    let labels: Vec<String> = indices.iter().map(|i| truncate(&i.factor, 32)).collect();
    let left = (max_width(&labels, font) + 18.0).ceil();
    let pw = 460.0;
    let top = 44.0;
    let group = 44.0;
    let bar = 15.0;
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 1.0;
    for i in indices {
        for v in i.si.iter().chain(i.sti.iter()).flatten() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    lo = (lo * 4.0).floor() / 4.0;
    hi = (hi * 4.0).ceil() / 4.0;
    let x = |v: f64| left + (v - lo) / (hi - lo) * pw;
    let height = top + group * indices.len() as f64 + 40.0;
    let width = left + pw + 60.0;
    let desc = format!(
        "Sensitivity indices of {} factors{}: first-order (orange) and total (blue) effects on the mean absolute rank shift, with 5-95% bootstrap intervals as black whiskers. {}.",
        indices.len(),
        target.map_or(String::new(), |t| format!(" on the ranks of {t}")),
        indices
            .iter()
            .map(|i| format!(
                "{}: first order {}, total {}",
                i.factor,
                value(i.si[0], 3),
                value(i.sti[0], 3)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut s = Svg::new("sensitivity", width, height, "Sensitivity indices", &desc);
    let items = vec![
        (ORANGE.to_string(), "first order".to_string()),
        (BLUE.to_string(), "total".to_string()),
        (INK.to_string(), "5-95% interval".to_string()),
    ];
    let (sw, _) = swatches(&items, left, 8.0);
    s.push(&sw);
    let axis_y = top + group * indices.len() as f64 + 4.0;
    let mut t = lo;
    while t <= hi + 1e-9 {
        let xx = x(t);
        s.line(
            xx,
            top - 6.0,
            xx,
            axis_y,
            &format!(
                "stroke=\"{}\"",
                if t.abs() < 1e-9 { "#444" } else { "#e3e3e3" }
            ),
        );
        s.text(
            xx,
            axis_y + 16.0,
            &tick(t),
            "text-anchor=\"middle\" font-size=\"11\"",
        );
        t += 0.25;
    }
    s.text(
        left + pw / 2.0,
        axis_y + 34.0,
        "sensitivity index",
        "text-anchor=\"middle\"",
    );
    for (g, (i, label)) in indices.iter().zip(&labels).enumerate() {
        let y0 = top + group * g as f64;
        s.text(left - 10.0, y0 + bar + 4.0, label, "text-anchor=\"end\"");
        for (b, (vals, color)) in [(&i.si, ORANGE), (&i.sti, BLUE)].into_iter().enumerate() {
            let y = y0 + b as f64 * (bar + 1.0);
            if let Some(v) = vals[0] {
                let (a, z) = if v < 0.0 {
                    (x(v), x(0.0))
                } else {
                    (x(0.0), x(v))
                };
                s.rect(a, y, (z - a).max(0.5), bar, &format!("fill=\"{color}\""));
            } else {
                s.text(x(0.0) + 4.0, y + bar - 3.0, "NA", "font-size=\"11\"");
            }
            if let (Some(q05), Some(q95)) = (vals[1], vals[2]) {
                let ym = y + bar / 2.0;
                let attrs = format!("stroke=\"{INK}\" stroke-width=\"1.2\"");
                s.line(x(q05), ym, x(q95), ym, &attrs);
                s.line(x(q05), ym - 4.0, x(q05), ym + 4.0, &attrs);
                s.line(x(q95), ym - 4.0, x(q95), ym + 4.0, &attrs);
            }
        }
    }
    Chart {
        svg: s,
        file: "sensitivity_indices".to_string(),
    }
}

/// Rank intervals (5th to 95th percentile) with the median, one row per jurisdiction.
pub(crate) fn rank_intervals(ranking: &[RankRow], intervals: &BTreeMap<String, Interval>) -> Chart {
    let rows: Vec<(&RankRow, &Interval)> = ranking
        .iter()
        .filter_map(|r| intervals.get(&r.code).map(|i| (r, i)))
        .collect();
    let (row_h, font) = row_metrics(rows.len());
    let labels: Vec<String> = rows
        .iter()
        .map(|(r, _)| row_label(&r.code, &r.name, 30))
        .collect();
    let left = (max_width(&labels, font) + 16.0).ceil();
    let max = max_rank(intervals);
    let pw = 520.0;
    let top = 44.0;
    let x = |v: f64| left + (v - 1.0) / (max - 1.0).max(1.0) * pw;
    let height = top + row_h * rows.len() as f64 + 44.0;
    let width = left + pw + 24.0;
    let desc = format!(
        "Rank intervals of {} jurisdictions under the sensitivity analysis: each bar spans the 5th to the 95th percentile rank over the runs, the black mark is the median rank and the orange dot the nominal rank. Rank 1 is on the left.",
        rows.len()
    );
    let mut s = Svg::new("rank-intervals", width, height, "Rank intervals", &desc);
    let items = vec![
        (BLUE.to_string(), "5-95% of runs".to_string()),
        (INK.to_string(), "median".to_string()),
        (ORANGE.to_string(), "nominal rank".to_string()),
    ];
    let (sw, _) = swatches(&items, left, 8.0);
    s.push(&sw);
    let axis_y = top + row_h * rows.len() as f64 + 4.0;
    let step = nice_step(max);
    let mut t = 1.0;
    while t <= max + 1e-9 {
        s.line(x(t), top - 4.0, x(t), axis_y, "stroke=\"#e3e3e3\"");
        s.text(
            x(t),
            axis_y + 16.0,
            &tick(t),
            "text-anchor=\"middle\" font-size=\"11\"",
        );
        t = if t == 1.0 && step > 1.0 {
            step
        } else {
            t + step
        };
    }
    s.text(
        left + pw / 2.0,
        axis_y + 34.0,
        "rank",
        "text-anchor=\"middle\"",
    );
    let fs = format!("font-size=\"{}\" text-anchor=\"end\"", n(font));
    for (k, ((_, i), label)) in rows.iter().zip(&labels).enumerate() {
        let y = top + row_h * k as f64;
        s.text(left - 8.0, y + row_h / 2.0 + font * 0.35, label, &fs);
        if let (Some(a), Some(b)) = (i.q05, i.q95) {
            s.rect(
                x(a),
                y + 3.0,
                (x(b) - x(a)).max(2.0),
                row_h - 6.0,
                &format!("fill=\"{BLUE}\" fill-opacity=\"0.55\""),
            );
        }
        if let Some(m) = i.median {
            s.line(
                x(m),
                y + 1.0,
                x(m),
                y + row_h - 1.0,
                &format!("stroke=\"{INK}\" stroke-width=\"2\""),
            );
        }
        if let Some(nm) = i.nominal {
            let _ = write!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{ORANGE}\" stroke=\"{INK}\" stroke-width=\"0.6\"/>",
                n(x(nm)),
                n(y + row_h / 2.0)
            );
        }
    }
    Chart {
        svg: s,
        file: "rank_intervals".to_string(),
    }
}

/// The largest rank in the intervals (at least 2).
pub(crate) fn max_rank(intervals: &BTreeMap<String, Interval>) -> f64 {
    intervals
        .values()
        .flat_map(|i| [i.q95, i.nominal, i.median])
        .flatten()
        .fold(2.0, f64::max)
        .ceil()
}

/// A small inline bar for the ranking table: 5-95% interval and median on a shared rank axis.
pub(crate) fn interval_bar(i: &Interval, max: f64) -> String {
    let (w, h) = (150.0, 14.0);
    let x = |v: f64| 3.0 + (v - 1.0) / (max - 1.0).max(1.0) * (w - 6.0);
    let title = match (i.q05, i.q95, i.median) {
        (Some(a), Some(b), Some(m)) => format!(
            "rank {} to {} in 90% of runs, median {}",
            tick(a),
            tick(b),
            tick(m)
        ),
        _ => "rank interval unknown".to_string(),
    };
    let mut out = format!(
        "<svg class=\"bar\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\"><title>{}</title><line x1=\"3\" y1=\"7\" x2=\"{}\" y2=\"7\" stroke=\"#d0d0d0\"/>",
        esc(&title),
        n(w - 3.0)
    );
    if let (Some(a), Some(b)) = (i.q05, i.q95) {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"2\" width=\"{}\" height=\"10\" fill=\"{BLUE}\" fill-opacity=\"0.55\"/>",
            n(x(a)),
            n((x(b) - x(a)).max(2.0))
        );
    }
    if let Some(m) = i.median {
        let _ = write!(
            out,
            "<line x1=\"{0}\" y1=\"0\" x2=\"{0}\" y2=\"14\" stroke=\"{INK}\" stroke-width=\"2\"/>",
            n(x(m))
        );
    }
    out.push_str("</svg>");
    out
}

/// Rank shifts as a slope chart: rank in A on the left, rank in B on the right.
pub(crate) fn slope(c: &CompareFolder) -> Chart {
    let both: Vec<&super::Shift> = c
        .shifts
        .iter()
        .filter(|s| s.rank_a.is_some() && s.rank_b.is_some())
        .collect();
    let slot_a = slots(
        &both
            .iter()
            .map(|s| (s.rank_a.unwrap_or(f64::INFINITY), s.code.as_str()))
            .collect::<Vec<_>>(),
    );
    let slot_b = slots(
        &both
            .iter()
            .map(|s| (s.rank_b.unwrap_or(f64::INFINITY), s.code.as_str()))
            .collect::<Vec<_>>(),
    );
    let (row_h, font) = row_metrics(both.len());
    let label = |s: &super::Shift, r: Option<f64>| {
        format!("{} {}", value(r, 0), row_label(&s.code, &s.name, 28))
    };
    let la: Vec<String> = both.iter().map(|s| label(s, s.rank_a)).collect();
    let lb: Vec<String> = both.iter().map(|s| label(s, s.rank_b)).collect();
    let left = (max_width(&la, font) + 14.0).ceil();
    let gap = 260.0;
    let right = left + gap;
    let head_b = text_width(&truncate(&c.label_b, 40), 12.0);
    let width = (right + max_width(&lb, font).max(head_b) + 16.0)
        .max(left + gap + 330.0)
        .ceil();
    let top = 84.0;
    let height = (top + row_h * both.len() as f64 + 12.0).ceil();
    let desc = slope_description(c, &both);
    let mut s = Svg::new("rank-shifts", width, height, "Rank shifts", &desc);
    s.text(
        left - 8.0,
        20.0,
        &truncate(&c.label_a, 40),
        "text-anchor=\"end\" font-weight=\"600\"",
    );
    s.text(
        right + 8.0,
        20.0,
        &truncate(&c.label_b, 40),
        "font-weight=\"600\"",
    );
    s.text(
        left - 8.0,
        38.0,
        "rank in A",
        "text-anchor=\"end\" font-size=\"11\"",
    );
    s.text(right + 8.0, 38.0, "rank in B", "font-size=\"11\"");
    let key = slope_key(left);
    s.push(&key);
    let fs = format!("font-size=\"{}\"", n(font));
    let mut lines = String::new();
    for (i, sh) in both.iter().enumerate() {
        let ya = top + row_h * slot_a[i] as f64 + row_h / 2.0;
        let yb = top + row_h * slot_b[i] as f64 + row_h / 2.0;
        let shift = sh.shift.unwrap_or(0.0);
        let (color, dash) = if shift > 0.0 {
            (GREEN, "")
        } else if shift < 0.0 {
            (VERMILLION, " stroke-dasharray=\"4 2\"")
        } else {
            (GREY, "")
        };
        let widthpx = if shift.abs() > 5.0 { 2.2 } else { 1.1 };
        let _ = write!(
            lines,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"{}\"{dash}><title>{}: {} to {} ({})</title></line>",
            n(left),
            n(ya),
            n(right),
            n(yb),
            n(widthpx),
            esc(&row_label(&sh.code, &sh.name, 60)),
            value(sh.rank_a, 0),
            value(sh.rank_b, 0),
            if shift > 0.0 {
                format!("+{}", tick(shift))
            } else {
                tick(shift)
            }
        );
        s.text(
            left - 6.0,
            ya + font * 0.35,
            &la[i],
            &format!("{fs} text-anchor=\"end\""),
        );
        s.text(right + 6.0, yb + font * 0.35, &lb[i], &fs);
    }
    s.push(&lines);
    Chart {
        svg: s,
        file: "rank_shifts".to_string(),
    }
}

/// The position of every item when sorted by its key, ties broken by its code.
fn slots(keys: &[(f64, &str)]) -> Vec<usize> {
    let mut v: Vec<usize> = (0..keys.len()).collect();
    v.sort_by(|&a, &b| {
        keys[a]
            .0
            .total_cmp(&keys[b].0)
            .then_with(|| keys[a].1.cmp(keys[b].1))
    });
    let mut slot = vec![0usize; keys.len()];
    for (pos, &i) in v.iter().enumerate() {
        slot[i] = pos;
    }
    slot
}

/// The slope chart's description for screen readers: how many moved up, down or kept their
/// rank, and how many are left out for want of a rank in one run.
fn slope_description(c: &CompareFolder, both: &[&super::Shift]) -> String {
    let (mut up, mut down, mut same) = (0, 0, 0);
    for s in both {
        match s.shift.unwrap_or(0.0) {
            v if v > 0.0 => up += 1,
            v if v < 0.0 => down += 1,
            _ => same += 1,
        }
    }
    let missing = c.shifts.len() - both.len();
    let mut desc = format!(
        "Slope chart of index ranks: {} on the left, {} on the right, one line per jurisdiction ranked in both. {up} moved up (green, solid), {down} moved down (vermillion, dashed), {same} kept their rank (grey); moves of more than 5 places are drawn thicker.",
        c.label_a, c.label_b
    );
    if missing > 0 {
        let _ = write!(
            desc,
            " {missing} jurisdictions without a rank in one of the runs are listed in the table only."
        );
    }
    desc
}

/// The slope chart's key: a line for moved up, moved down and same rank, from `left`.
fn slope_key(left: f64) -> String {
    let mut key = String::from("<g class=\"legend\" aria-hidden=\"true\" font-size=\"11\">");
    let mut kx = left + 10.0;
    for (label, color, dash) in [
        ("moved up", GREEN, ""),
        ("moved down", VERMILLION, " stroke-dasharray=\"4 2\""),
        ("same rank", GREY, ""),
    ] {
        let _ = write!(
            key,
            "<line x1=\"{}\" y1=\"58\" x2=\"{}\" y2=\"58\" stroke=\"{color}\" stroke-width=\"2\"{dash}/><text x=\"{}\" y=\"62\">{label}</text>",
            n(kx),
            n(kx + 22.0),
            n(kx + 27.0)
        );
        kx += 27.0 + text_width(label, 11.0) + 16.0;
    }
    key.push_str("</g>");
    key
}

/// A file stem made of safe characters only.
pub(crate) fn safe_stem(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if out.is_empty() { "_".to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_bins_put_one_in_the_last_bin() {
        let coverages = [
            Some(0.0),
            Some(0.05),
            Some(0.1),
            Some(0.95),
            Some(1.0),
            Some(1.2),
            None,
        ];
        let (bins, unknown) = coverage_bins(coverages.into_iter());
        // 0 and 0.05 in [0, 0.1); 0.1 in [0.1, 0.2); 0.95, 1 and 1.2 (clamped) in [0.9, 1].
        assert_eq!(bins, [2, 1, 0, 0, 0, 0, 0, 0, 0, 3]);
        assert_eq!(unknown, 1);
    }

    #[test]
    fn column_means_skip_na_and_count_it() {
        // Column 0: (1 + 4) / 2; column 1: only 3; column 2: all NA, so no mean.
        let values = vec![
            vec![Some(1.0), None, None],
            vec![Some(4.0), Some(3.0), None],
        ];
        let (means, na) = column_means(&values, 3);
        assert_eq!(means, [(0, 2.5), (1, 3.0)]);
        assert_eq!(na, 3);
    }

    #[test]
    fn cluster_runs_follow_the_order_and_skip_the_unclustered() {
        let rows: Vec<String> = ["A", "B", "C", "D", "E"].map(String::from).to_vec();
        // D has no cluster (0); E is in cluster 1 again, after a break.
        let clusters: BTreeMap<String, u32> = [("A", 1), ("B", 1), ("C", 2), ("D", 0), ("E", 1)]
            .map(|(c, k)| (c.to_string(), k))
            .into();
        assert_eq!(
            cluster_runs(&rows, &clusters),
            [(1, 0, 2), (2, 2, 3), (1, 4, 5)]
        );
    }

    #[test]
    fn slots_sort_by_key_then_code() {
        // Sorted: C (1), A (2, before B), B (2), D (unranked, last).
        let keys = [(2.0, "B"), (2.0, "A"), (1.0, "C"), (f64::INFINITY, "D")];
        assert_eq!(slots(&keys), [2, 1, 0, 3]);
    }

    #[test]
    fn stems_are_safe() {
        assert_eq!(safe_stem("XAB"), "XAB");
        assert_eq!(safe_stem("../<x>"), "____x_");
        assert_eq!(safe_stem(""), "_");
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(48.0), 10.0);
        assert_eq!(nice_step(3.0), 1.0);
        assert_eq!(nice_step(200.0), 50.0);
    }

    #[test]
    fn runs_merge_into_one_path_per_fill() {
        let a = Some("#a".to_string());
        let b = Some("#b".to_string());
        let out = matrix_paths(
            &[vec![a.clone(), a.clone(), b.clone()], vec![None, b, a]],
            0.0,
            0.0,
            10.0,
        );
        assert_eq!(
            out,
            "<g fill=\"none\" stroke-width=\"10\" shape-rendering=\"crispEdges\"><path stroke=\"#a\" d=\"M0 5h20M20 15h10\"/><path stroke=\"#b\" d=\"M20 5h10M10 15h10\"/></g>"
        );
    }
}
