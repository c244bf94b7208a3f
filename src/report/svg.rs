//! SVG chart primitives: escaping, number formatting, colour scales, the NA hatch pattern,
//! legends and a small document builder whose output works both inline in HTML and as a
//! standalone `.svg` file.
//!
//! Palettes are colour-blind safe: viridis (continuous scores) and cividis (similarities) from
//! matplotlib, sampled at ten points as R's `viridisLite` gives them and interpolated linearly;
//! Okabe-Ito (Okabe and Ito, 2008) for categories.

use std::fmt::Write as _;

/// Escapes text for HTML and SVG, in element content and in quoted attribute values. Characters
/// XML 1.0 does not allow at all (C0 controls but tab and line feed, and the noncharacters U+FFFE
/// and U+FFFF), and the C1 controls and carriage return, become U+FFFD, so that a standalone SVG
/// is well-formed XML whatever the names in it.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{fffe}' | '\u{ffff}') =>
            {
                out.push('\u{fffd}')
            }
            c => out.push(c),
        }
    }
    out
}

/// A coordinate: at most one decimal, no trailing zeros.
pub(crate) fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A value for people: `NA`, or rounded to `digits` decimals.
pub(crate) fn value(x: Option<f64>, digits: usize) -> String {
    match x {
        None => "NA".to_string(),
        Some(v) => {
            let s = format!("{v:.digits$}");
            // -0.0 rounds to "-0.0"; show it as 0.
            if s.trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        }
    }
}

/// Cuts text to `max` characters, with an ellipsis.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Estimated width of text in pixels (an average glyph is about 0.6 em in common sans fonts).
pub(crate) fn text_width(s: &str, font: f64) -> f64 {
    s.chars().count() as f64 * font * 0.6
}

/// The font stack used in every chart (system fonts only: nothing is fetched).
pub(crate) const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'DejaVu Sans', Arial, sans-serif";

/// Okabe-Ito palette: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish
/// purple.
pub(crate) const OKABE_ITO: [&str; 8] = [
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
];

/// Okabe-Ito blue: linked, first choice for a single series.
pub(crate) const BLUE: &str = "#0072B2";
/// Okabe-Ito orange.
pub(crate) const ORANGE: &str = "#E69F00";
/// Okabe-Ito bluish green: moved up.
pub(crate) const GREEN: &str = "#009E73";
/// Okabe-Ito vermillion: moved down.
pub(crate) const VERMILLION: &str = "#D55E00";
/// Neutral grey for unchanged or axis lines.
pub(crate) const GREY: &str = "#8c8c8c";
/// Text colour.
pub(crate) const INK: &str = "#1f2328";

/// A continuous palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Palette {
    /// viridis (dark purple to yellow).
    Viridis,
    /// cividis (dark blue to yellow), optimised for colour-vision deficiency.
    Cividis,
}

/// viridis, 10 samples (R `viridisLite::viridis(10)`).
const VIRIDIS: [u32; 10] = [
    0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C,
    0xFDE725,
];

/// cividis, 10 samples (R `viridisLite::cividis(10)`).
const CIVIDIS: [u32; 10] = [
    0x00204D, 0x00336F, 0x39486B, 0x575C6D, 0x707173, 0x8A8779, 0xA69D75, 0xC4B56C, 0xE4CF5B,
    0xFFEA46,
];

impl Palette {
    /// The name shown in legends and descriptions.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Palette::Viridis => "viridis",
            Palette::Cividis => "cividis",
        }
    }

    /// The colour at `t` in [0, 1] (clamped), as (r, g, b).
    pub(crate) fn rgb(self, t: f64) -> (u8, u8, u8) {
        let stops = match self {
            Palette::Viridis => &VIRIDIS,
            Palette::Cividis => &CIVIDIS,
        };
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let pos = t * (stops.len() - 1) as f64;
        let i = (pos.floor() as usize).min(stops.len() - 2);
        let f = pos - i as f64;
        let ch = |c: u32, shift: u32| ((c >> shift) & 0xff) as f64;
        let mix = |shift: u32| {
            let a = ch(stops[i], shift);
            let b = ch(stops[i + 1], shift);
            (a + (b - a) * f).round().clamp(0.0, 255.0) as u8
        };
        (mix(16), mix(8), mix(0))
    }

    /// The colour at `t` as `#rrggbb`.
    pub(crate) fn hex(self, t: f64) -> String {
        let (r, g, b) = self.rgb(t);
        format!("#{r:02x}{g:02x}{b:02x}")
    }
}

/// A continuous colour scale over a domain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// The palette.
    pub palette: Palette,
}

impl Scale {
    /// Position of a value in [0, 1].
    pub(crate) fn t(&self, v: f64) -> f64 {
        if self.hi > self.lo {
            ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
        } else {
            0.5
        }
    }

    /// The colour of a value.
    pub(crate) fn color(&self, v: f64) -> String {
        self.palette.hex(self.t(v))
    }

    /// Black or white, whichever reads better on the colour of `v`.
    pub(crate) fn ink(&self, v: f64) -> &'static str {
        let (r, g, b) = self.palette.rgb(self.t(v));
        let lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
        if lum > 0.25 { "#000000" } else { "#ffffff" }
    }
}

fn lin(c: u8) -> f64 {
    let c = c as f64 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// The id of a chart's NA hatch pattern.
pub(crate) fn hatch_id(chart: &str) -> String {
    format!("{chart}-na")
}

/// The NA hatch: grey diagonal stripes on a light ground, so that unknown is never read as a
/// value on the scale (and never as zero).
pub(crate) fn hatch_def(chart: &str) -> String {
    format!(
        "<pattern id=\"{}\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9a9a9a\" stroke-width=\"2.2\"/></pattern>",
        hatch_id(chart)
    )
}

/// An SVG document under construction.
#[derive(Debug, Clone)]
pub struct Svg {
    /// Unique id, used as prefix for ids inside and as the file stem.
    pub id: String,
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
    /// Short title (the `<title>` element).
    pub title: String,
    /// Longer description (the `<desc>` element).
    pub desc: String,
    defs: String,
    body: String,
    file_only: String,
}

impl Svg {
    /// An empty chart.
    pub(crate) fn new(id: &str, width: f64, height: f64, title: &str, desc: &str) -> Svg {
        Svg {
            id: id.to_string(),
            width,
            height,
            title: title.to_string(),
            desc: desc.to_string(),
            defs: String::new(),
            body: String::new(),
            file_only: String::new(),
        }
    }

    /// Adds to `<defs>` (markup, already escaped).
    pub(crate) fn def(&mut self, markup: &str) {
        self.defs.push_str(markup);
    }

    /// Adds markup (already escaped).
    pub(crate) fn push(&mut self, markup: &str) {
        self.body.push_str(markup);
    }

    /// Adds markup shown only in the standalone file (a legend that the page shows once).
    pub(crate) fn push_file_only(&mut self, markup: &str) {
        self.file_only.push_str(markup);
    }

    /// Adds a text element; `text` is escaped here.
    pub(crate) fn text(&mut self, x: f64, y: f64, text: &str, attrs: &str) {
        let _ = write!(
            self.body,
            "<text x=\"{}\" y=\"{}\"{}{attrs}>{}</text>",
            n(x),
            n(y),
            if attrs.is_empty() { "" } else { " " },
            esc(text)
        );
    }

    /// Adds a line.
    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, attrs: &str) {
        let _ = write!(
            self.body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {attrs}/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        );
    }

    /// Adds a rectangle.
    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, attrs: &str) {
        let _ = write!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {attrs}/>",
            n(x),
            n(y),
            n(w),
            n(h)
        );
    }

    /// The markup: inline (for HTML, no namespace declaration) or standalone (an XML file with
    /// its namespace and the file-only parts).
    pub fn finish(&self, standalone: bool) -> String {
        let mut out = String::with_capacity(self.body.len() + self.defs.len() + 512);
        if standalone {
            out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        }
        let _ = write!(
            out,
            "<svg{} id=\"{id}\" class=\"chart\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{font}\" font-size=\"12\" fill=\"{INK}\">",
            if standalone {
                " xmlns=\"http://www.w3.org/2000/svg\""
            } else {
                ""
            },
            id = esc(&self.id),
            w = n(self.width),
            h = n(self.height),
            font = FONT,
        );
        let _ = write!(
            out,
            "<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            esc(&self.title),
            esc(&self.desc),
            id = esc(&self.id)
        );
        if !self.defs.is_empty() {
            out.push_str("<defs>");
            out.push_str(&self.defs);
            out.push_str("</defs>");
        }
        if standalone {
            let _ = write!(
                out,
                "<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
                n(self.width),
                n(self.height)
            );
        }
        out.push_str(&self.body);
        if standalone {
            out.push_str(&self.file_only);
        }
        out.push_str("</svg>");
        if standalone {
            out.push('\n');
        }
        out
    }
}

impl std::fmt::Write for Svg {
    /// Appends markup (already escaped) to the body.
    fn write_str(&mut self, markup: &str) -> std::fmt::Result {
        self.body.push_str(markup);
        Ok(())
    }
}

/// Draws a vertical colour legend at (x, y): a gradient bar from `scale.hi` (top) to `scale.lo`,
/// with end and middle ticks, and an NA swatch below when `na` is set. Returns the markup, the
/// gradient going into `defs`. Size: 70 x 190 pixels.
pub(crate) fn legend(
    chart: &str,
    scale: &Scale,
    label: &str,
    na: bool,
    x: f64,
    y: f64,
) -> (String, String) {
    let gid = format!("{chart}-grad");
    let mut defs = format!("<linearGradient id=\"{gid}\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
    for i in 0..=10 {
        let t = i as f64 / 10.0;
        let _ = write!(
            defs,
            "<stop offset=\"{}\" stop-color=\"{}\"/>",
            n(t),
            scale.palette.hex(t)
        );
    }
    defs.push_str("</linearGradient>");
    let (bar_h, bar_w) = (120.0, 14.0);
    let mut m = String::new();
    let _ = write!(
        m,
        "<g class=\"legend\" aria-hidden=\"true\"><text x=\"{}\" y=\"{}\" font-weight=\"600\">{}</text>",
        n(x),
        n(y + 10.0),
        esc(label)
    );
    let top = y + 20.0;
    let _ = write!(
        m,
        "<rect x=\"{}\" y=\"{}\" width=\"{bar_w}\" height=\"{bar_h}\" fill=\"url(#{gid})\" stroke=\"#666\" stroke-width=\"0.5\"/>",
        n(x),
        n(top)
    );
    for (t, v) in [
        (0.0, scale.hi),
        (0.5, (scale.lo + scale.hi) / 2.0),
        (1.0, scale.lo),
    ] {
        let ty = top + t * bar_h;
        let _ = write!(
            m,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#666\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            n(x + bar_w),
            n(ty),
            n(x + bar_w + 4.0),
            n(ty),
            n(x + bar_w + 7.0),
            n(ty + 4.0),
            esc(&tick(v))
        );
    }
    if na {
        let ny = top + bar_h + 14.0;
        let _ = write!(
            m,
            "<rect x=\"{}\" y=\"{}\" width=\"{bar_w}\" height=\"{bar_w}\" fill=\"url(#{})\" stroke=\"#666\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">NA (unknown)</text>",
            n(x),
            n(ny),
            hatch_id(chart),
            n(x + bar_w + 7.0),
            n(ny + 11.0)
        );
    }
    m.push_str("</g>");
    (defs, m)
}

/// A tick label: whole numbers plainly, others to at most two decimals.
pub(crate) fn tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        value(Some(v), 0)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A categorical legend: swatches (fill or pattern markup) with labels, in a row at (x, y).
/// Returns the markup and its width.
pub(crate) fn swatches(items: &[(String, String)], x: f64, y: f64) -> (String, f64) {
    let mut m = String::from("<g class=\"legend\" aria-hidden=\"true\">");
    let mut cx = x;
    for (fill, label) in items {
        let _ = write!(
            m,
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{fill}\" stroke=\"#666\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            n(cx),
            n(y),
            n(cx + 19.0),
            n(y + 11.5),
            esc(label)
        );
        cx += 19.0 + text_width(label, 12.0) + 18.0;
    }
    m.push_str("</g>");
    (m, cx - x)
}

/// Row height and label font size for a chart with `rows` rows: smaller as rows grow, never
/// below a 10 px font on 13 px rows, so that 200 jurisdictions stay legible (the chart grows and
/// scrolls instead).
pub(crate) fn row_metrics(rows: usize) -> (f64, f64) {
    match rows {
        0..=40 => (18.0, 12.0),
        41..=100 => (15.0, 11.0),
        _ => (13.0, 10.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<script>alert(1)</script> & \"x\" 'y'"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;"
        );
    }

    #[test]
    fn palettes_end_at_their_samples() {
        assert_eq!(Palette::Viridis.hex(0.0), "#440154");
        assert_eq!(Palette::Viridis.hex(1.0), "#fde725");
        assert_eq!(Palette::Cividis.hex(1.0), "#ffea46");
        assert_eq!(Palette::Viridis.hex(f64::NAN), "#440154");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.34), "12.3");
        assert_eq!(value(Some(-0.0001), 1), "0.0");
        assert_eq!(value(None, 1), "NA");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(50.0), "50");
    }
}
