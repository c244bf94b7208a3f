//! The folder `align` writes and the summary it prints: the command line and the Python binding
//! call these same functions. Each table is written into the folder as it is built (a J x J
//! matrix is never held whole as cells or bytes), or kept whole as a [`Table`] for a caller that
//! wants the values.

use crate::align::cluster::{Clusters, MIN_KNOWN_PAIR_SHARE};
use crate::align::network::{self, Cell, Matrix, Measures};
use crate::align::{
    self, Alignment, COOPERATION_LIMIT, Cooperation, Level, LongCooperation, Nearest, Options,
    ProfileSet, Reference, ReferenceAlignment,
};
use crate::base::rank::rank_descending;
use crate::error::{Error, InputError};
use crate::explain::table;
use crate::output::manifest::{AlignOptions, ClusteringRecord};
use crate::output::schema::{self, Cell as SCell, Table, TableFormat};
use crate::output::{self, FolderWriter, Rows, TableWriter, number};
use crate::pipeline::Scored;

/// Pairs printed among the most and the least aligned.
const SHOWN_PAIRS: usize = 5;

/// The similarity half as computed: the full matrices, or `--top K` neighbour lists.
pub enum Similarity {
    /// Every pair.
    Full(Alignment),
    /// Each row's nearest neighbours.
    Top(Nearest),
}

impl Similarity {
    pub(crate) fn set(&self) -> &ProfileSet {
        match self {
            Similarity::Full(a) => &a.set,
            Similarity::Top(t) => &t.set,
        }
    }

    pub(crate) fn clusters(&self) -> &Clusters {
        match self {
            Similarity::Full(a) => &a.clusters,
            Similarity::Top(t) => &t.clusters,
        }
    }

    pub(crate) fn reference(&self) -> Option<&ReferenceAlignment> {
        match self {
            Similarity::Full(a) => a.reference.as_ref(),
            Similarity::Top(t) => t.reference.as_ref(),
        }
    }
}

/// The dyadic half as computed: J x J matrices, or the long form above [`COOPERATION_LIMIT`].
pub enum Network {
    /// Matrices.
    Matrix(Cooperation),
    /// The long form.
    Long(LongCooperation),
}

impl Network {
    pub(crate) fn measures(&self) -> &[Measures] {
        match self {
            Network::Matrix(c) => &c.measures,
            Network::Long(c) => &c.measures,
        }
    }

    pub(crate) fn weights(&self) -> &[Option<f64>] {
        match self {
            Network::Matrix(c) => &c.weights,
            Network::Long(c) => &c.weights,
        }
    }

    /// The manifest's `cooperation_form`.
    pub(crate) fn form(&self) -> &'static str {
        match self {
            Network::Matrix(_) => "matrix",
            Network::Long(_) => "long",
        }
    }
}

/// The level compared when none is asked for: the rubric's `[align] level`, else dimension, or
/// principle for a rubric without facets (the default that recovers the demonstration set's blocs
/// best; README, "Choosing the default").
pub fn default_level(s: &Scored) -> Level {
    s.rubric
        .align_level
        .as_deref()
        .and_then(Level::from_name)
        .unwrap_or(if s.results.facet_values.is_empty() {
            Level::Principle
        } else {
            Level::Dimension
        })
}

/// Both halves of `align`: the full similarity matrices, or with `top` each row's `top` nearest;
/// and the cooperation matrices, or their long form above [`COOPERATION_LIMIT`] jurisdictions.
pub fn compute(
    s: &Scored,
    options: &Options,
    top: Option<usize>,
) -> Result<(Similarity, Network), InputError> {
    let alignment = match top {
        Some(k) => Similarity::Top(align::nearest(s, options, k)?),
        None => Similarity::Full(align::align(s, options)?),
    };
    let cooperation = if s.inputs.jurisdictions.len() > COOPERATION_LIMIT {
        Network::Long(align::cooperation_long(s)?)
    } else {
        Network::Matrix(align::cooperation(s)?)
    };
    Ok((alignment, cooperation))
}

/// Where the tables go: into a folder as they are built, or kept whole.
enum Dest<'f, 'a> {
    Folder(&'f mut FolderWriter<'a>, TableFormat),
    Keep(&'f mut Vec<Table>),
}

impl Dest<'_, '_> {
    /// A table of `file` whose rows `fill(i, rows)` makes for every `i` in `0..n`, in order
    /// ([`TableWriter::extend`]: in parallel pieces, straight into CSV text).
    fn stream(
        &mut self,
        file: &'static schema::File,
        family: &[String],
        n: usize,
        fill: impl Fn(usize, &mut Rows) + Sync,
    ) -> Result<(), Error> {
        let head = Table::with(file, family, false);
        match self {
            Dest::Folder(folder, format) => {
                let mut t = folder.open(head, *format)?;
                t.extend(n, fill)?;
                folder.close(t)
            }
            Dest::Keep(kept) => {
                let mut t = TableWriter::keep(head);
                t.extend(n, fill)?;
                kept.extend(t.into_table());
                Ok(())
            }
        }
    }

    /// A table built whole.
    fn table(&mut self, t: Table) -> Result<(), Error> {
        match self {
            Dest::Folder(folder, format) => folder.table(t, *format),
            Dest::Keep(kept) => {
                kept.push(t);
                Ok(())
            }
        }
    }
}

/// The tables of an `align` folder, in writing order, kept whole (the manifest aside).
pub fn tables(s: &Scored, a: &Similarity, c: &Network) -> Result<Vec<Table>, Error> {
    let mut kept = Vec::new();
    write_tables(s, a, c, &mut Dest::Keep(&mut kept))?;
    Ok(kept)
}

fn code(s: &Scored, j: usize) -> &str {
    &s.inputs.jurisdictions.list[j].code
}

fn name(s: &Scored, j: usize) -> &str {
    &s.inputs.jurisdictions.list[j].name
}

/// Writes every file of an `align` folder in a fixed order, manifest last, each table as it is
/// built.
pub fn write(
    s: &Scored,
    a: &Similarity,
    c: &Network,
    options: &Options,
    format: TableFormat,
    folder: &mut FolderWriter<'_>,
) -> Result<(), Error> {
    write_tables(s, a, c, &mut Dest::Folder(folder, format))?;
    let m = manifest(s, a, c, options, folder.outputs());
    folder.file(schema::ALIGN_MANIFEST.name, m)
}

/// Every table of the folder, in its order.
fn write_tables(
    s: &Scored,
    a: &Similarity,
    c: &Network,
    dest: &mut Dest<'_, '_>,
) -> Result<(), Error> {
    match a {
        Similarity::Full(a) => {
            wide(dest, &schema::ALIGNMENT, s, a, |out, i, j| {
                out.number(a.matrix.get(i, j));
            })?;
            wide(dest, &schema::ALIGNMENT_OVERLAP, s, a, |out, i, j| {
                out.integer(Some(a.matrix.overlap(i, j)));
            })?;
            pairs_table(dest, s, a)?;
        }
        Similarity::Top(t) => neighbours_table(dest, s, t)?,
    }
    dest.table(clusters_table(s, a.set(), a.clusters()))?;
    if let Some(r) = reference_table(s, a.set(), a.reference()) {
        dest.table(r)?;
    }
    match c {
        Network::Matrix(c) => {
            for (file, m) in [
                (&schema::COOPERATION_EXTRADITION, &c.extradition),
                (&schema::COOPERATION_LEGAL_ASSISTANCE, &c.legal_assistance),
                (&schema::COOPERATION, &c.any),
            ] {
                cooperation_table(dest, file, s, c, m)?;
            }
        }
        Network::Long(c) => {
            cooperation_pairs(dest, s, c)?;
            cooperation_units(dest, s, c)?;
        }
    }
    dest.table(network_table(s, c))
}

/// A J x J matrix in clustering order, codes in the first column and the header.
fn wide(
    dest: &mut Dest<'_, '_>,
    file: &'static schema::File,
    s: &Scored,
    a: &Alignment,
    cell: impl Fn(&mut Rows, usize, usize) + Sync,
) -> Result<(), Error> {
    let codes = |i: usize| code(s, a.set.jurisdictions[i]);
    let order = &a.clusters.order;
    let names: Vec<String> = order.iter().map(|&i| codes(i).to_string()).collect();
    dest.stream(file, &names, order.len(), |k, out| {
        let i = order[k];
        out.text(codes(i));
        for &j in order {
            cell(out, i, j);
        }
        out.end_row();
    })
}

fn pairs_table(dest: &mut Dest<'_, '_>, s: &Scored, a: &Alignment) -> Result<(), Error> {
    let n = a.matrix.n;
    dest.stream(&schema::ALIGNMENT_PAIRS, &[], n, |i, out| {
        for j in i + 1..n {
            out.text(code(s, a.set.jurisdictions[i]));
            out.text(code(s, a.set.jurisdictions[j]));
            out.number(a.matrix.get(i, j));
            out.integer(Some(a.matrix.overlap(i, j)));
            out.end_row();
        }
    })
}

/// `neighbours.csv`: each row's neighbours, best first, ranked 1 to K.
fn neighbours_table(dest: &mut Dest<'_, '_>, s: &Scored, t: &Nearest) -> Result<(), Error> {
    let set = &t.set;
    dest.stream(&schema::NEIGHBOURS, &[], t.neighbours.len(), |i, out| {
        for (rank, nb) in t.neighbours[i].iter().enumerate() {
            out.text(code(s, set.jurisdictions[i]));
            out.text(code(s, set.jurisdictions[nb.row]));
            out.number(Some(nb.similarity));
            out.integer(Some(nb.overlap));
            out.integer(Some(rank + 1));
            out.end_row();
        }
    })
}

fn clusters_table(s: &Scored, set: &ProfileSet, clusters: &Clusters) -> Table {
    let mut t = Table::new(&schema::CLUSTERS);
    for (pos, &i) in clusters.order.iter().enumerate() {
        let j = set.jurisdictions[i];
        t.push(vec![
            SCell::text(code(s, j)),
            SCell::text(name(s, j)),
            SCell::count(pos + 1),
            SCell::integer(clusters.labels[i]),
        ]);
    }
    t
}

/// Rows of the reference ranking: (row, similarity, overlap, rank), best first, unknown last.
fn reference_rows(
    reference: Option<&ReferenceAlignment>,
) -> Vec<(usize, Option<f64>, usize, Option<u32>)> {
    let Some(ReferenceAlignment {
        reference: r,
        values,
    }) = reference
    else {
        return Vec::new();
    };
    let rows: Vec<usize> = (0..values.len())
        .filter(|&i| *r != Reference::Row(i))
        .collect();
    let sims: Vec<Option<f64>> = rows.iter().map(|&i| values[i].0).collect();
    let ranks = rank_descending(&sims);
    let mut out: Vec<(usize, Option<f64>, usize, Option<u32>)> = rows
        .iter()
        .zip(ranks)
        .map(|(&i, rank)| (i, values[i].0, values[i].1, rank))
        .collect();
    out.sort_by_key(|x| (x.3.is_none(), x.3, x.0));
    out
}

fn reference_table(
    s: &Scored,
    set: &ProfileSet,
    reference: Option<&ReferenceAlignment>,
) -> Option<Table> {
    reference?;
    let mut t = Table::new(&schema::REFERENCE_ALIGNMENT);
    for (i, sim, overlap, rank) in reference_rows(reference) {
        let j = set.jurisdictions[i];
        t.push(vec![
            SCell::text(code(s, j)),
            SCell::text(name(s, j)),
            SCell::number(sim),
            SCell::count(overlap),
            SCell::integer(rank),
        ]);
    }
    Some(t)
}

/// A cooperation cell: the linking instruments joined with `;`, `none`, `NA`, or blank on the
/// diagonal.
fn cooperation_cell(channels: &[network::Channel], cell: &Cell) -> SCell {
    match cell {
        Cell::Own => SCell::Blank,
        Cell::Links(l) => SCell::text(
            l.iter()
                .map(|&k| channels[k].id.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ),
        Cell::None => SCell::text("none"),
        Cell::Unknown => SCell::Na,
    }
}

/// The same cell from channel ids.
fn cell_text(ids: &[String], cell: &Cell) -> SCell {
    match cell {
        Cell::Own => SCell::Blank,
        Cell::Links(l) => SCell::text(
            l.iter()
                .map(|&k| ids[k].as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ),
        Cell::None => SCell::text("none"),
        Cell::Unknown => SCell::Na,
    }
}

fn cooperation_table(
    dest: &mut Dest<'_, '_>,
    file: &'static schema::File,
    s: &Scored,
    c: &Cooperation,
    m: &Matrix,
) -> Result<(), Error> {
    let n = m.n;
    let names: Vec<String> = (0..n).map(|j| code(s, j).to_string()).collect();
    dest.stream(file, &names, n, |from, out| {
        out.text(code(s, from));
        for to in 0..n {
            out.cell(cooperation_cell(&c.channels, m.get(from, to)));
        }
        out.end_row();
    })
}

/// `cooperation_pairs.csv`: the three matrices' cells of every ordered pair a dyad row names
/// (either way), in code order of `from` then `to`.
fn cooperation_pairs(
    dest: &mut Dest<'_, '_>,
    s: &Scored,
    c: &LongCooperation,
) -> Result<(), Error> {
    let n = c.weights.len();
    let named = network::named_partners(n, &c.channels);
    let kinds = [
        network::chosen(&c.channels, Some("extradition")),
        network::chosen(&c.channels, Some("legal_assistance")),
        network::chosen(&c.channels, None),
    ];
    let ids: Vec<String> = c.channels.iter().map(|ch| ch.id.clone()).collect();
    dest.stream(&schema::COOPERATION_PAIRS, &[], named.len(), |from, out| {
        for &to in &named[from] {
            out.text(code(s, from));
            out.text(code(s, to));
            for kind in &kinds {
                out.cell(cell_text(
                    &ids,
                    &network::long_cell(&c.channels, kind, from, to),
                ));
            }
            out.end_row();
        }
    })
}

/// `cooperation_units.csv`: every jurisdiction's own record of each instrument.
fn cooperation_units(
    dest: &mut Dest<'_, '_>,
    s: &Scored,
    c: &LongCooperation,
) -> Result<(), Error> {
    let names: Vec<String> = c.channels.iter().map(|ch| ch.id.clone()).collect();
    dest.stream(
        &schema::COOPERATION_UNITS,
        &names,
        c.weights.len(),
        |j, out| {
            out.text(code(s, j));
            for ch in &c.channels {
                match ch.source.record(j) {
                    Some(r) => out.text(r),
                    None => out.na(),
                }
            }
            out.end_row();
        },
    )
}

fn network_table(s: &Scored, c: &Network) -> Table {
    let mut t = Table::new(&schema::NETWORK);
    let weights = c.weights();
    for (j, m) in c.measures().iter().enumerate() {
        t.push(vec![
            SCell::text(code(s, j)),
            SCell::text(name(s, j)),
            SCell::number(weights[j]),
            SCell::count(m.extradition_partners),
            SCell::count(m.extradites_to),
            SCell::count(m.obtains_extradition_from),
            SCell::count(m.legal_assistance_partners),
            SCell::count(m.weighted_degree),
            SCell::number(m.safe_haven),
            SCell::number(m.safe_haven_upper),
            SCell::number(m.known_share),
        ]);
    }
    t
}

/// The manifest (inputs, rubric, date, outputs), with the options under `options`.
fn manifest(
    s: &Scored,
    a: &Similarity,
    c: &Network,
    options: &Options,
    files: output::manifest::Outputs,
) -> Vec<u8> {
    let clusters = a.clusters();
    let recorded = AlignOptions {
        level: options.level.name().to_string(),
        metric: options.metric.name().to_string(),
        min_overlap: options.min_overlap,
        clusters: options.clusters,
        reference: options.reference.clone(),
        components: a.set().components.clone(),
        linkage: "average (UPGMA) on 1 - similarity".to_string(),
        unknown_distance: 1.0 - options.metric.min_similarity(),
        clustering: ClusteringRecord {
            min_known_pair_share: MIN_KNOWN_PAIR_SHARE,
            comparable: clusters.comparable.len(),
            known_pairs: clusters.known_pairs,
            pairs: clusters.pairs,
            clustered: clusters.clustered(),
            clusters: clusters.count(),
            no_clusters: clusters.none.map(|r| r.reason()),
        },
        network_weights: match s.rubric.network.weights {
            crate::rubric::NetworkWeights::Equal => "equal".to_string(),
            crate::rubric::NetworkWeights::Field(f) => s.rubric.fields[f].name.clone(),
        },
        top: match a {
            Similarity::Top(t) => Some(t.top),
            Similarity::Full(_) => None,
        },
        cooperation_form: c.form().to_string(),
    };
    output::manifest_of(s, files, "align", Some(&recorded))
}

/// The short report `align` prints; the caller adds where it wrote.
pub fn summary(s: &Scored, a: &Similarity, c: &Network, options: &Options) -> String {
    let mut t = String::new();
    let date = if s.results.date == crate::evidence::Date::MAX {
        "the latest evidence".to_string()
    } else {
        s.results.date.to_string()
    };
    let n = a.set().profiles.nrow;
    t.push_str(&format!(
        "rubric {} {}; {} jurisdictions compared on {} by {} similarity of {} {} scores (minimum overlap {})\n",
        s.rubric.meta.id,
        s.rubric.meta.version,
        n,
        date,
        options.metric.name(),
        a.set().components.len(),
        options.level.name(),
        options.min_overlap.max(1)
    ));
    match a {
        Similarity::Full(a) => t.push_str(&pair_lines(s, a)),
        Similarity::Top(top) => t.push_str(&neighbour_lines(s, top)),
    }
    t.push_str(&clusters_line(a.clusters()));
    t.push_str(&reference_line(s, a.set(), a.reference()));
    match c {
        Network::Matrix(c) => t.push_str(&cooperation_lines(c)),
        Network::Long(_) => t.push_str(&format!(
            "cooperation in the long form ({} jurisdictions, above {COOPERATION_LIMIT}): cooperation_pairs.csv for the pairs the dyads name, cooperation_units.csv for the rest\n",
            s.inputs.jurisdictions.len()
        )),
    }
    t.push_str(&haven_line(s, c.measures()));
    t
}

/// How many pairs have a similarity, and the most and least aligned of them.
fn pair_lines(s: &Scored, a: &Alignment) -> String {
    let mut t = String::new();
    let n = a.matrix.n;
    // Only the most and least aligned are shown: they are kept as the pairs are met, not
    // found by sorting every pair (4.5 million, 108 MB, at 3,000 jurisdictions). Both orders
    // are total (ties by the pair's rows), so these are the first of a full sort.
    type Pair = (usize, usize, f64);
    let most = |x: &Pair, y: &Pair| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1)));
    let least = |x: &Pair, y: &Pair| x.2.total_cmp(&y.2).then((x.0, x.1).cmp(&(y.0, y.1)));
    let (mut found, mut best, mut worst) = (0, Vec::new(), Vec::new());
    for i in 0..n {
        for j in i + 1..n {
            if let Some(v) = a.matrix.get(i, j) {
                found += 1;
                keep_first(&mut best, SHOWN_PAIRS, (i, j, v), most);
                keep_first(&mut worst, SHOWN_PAIRS, (i, j, v), least);
            }
        }
    }
    let total = n * n.saturating_sub(1) / 2;
    t.push_str(&format!(
        "{found} of {total} pairs have a similarity; the rest share too few components or are undefined (NA)\n"
    ));
    let pair_rows = |list: &[(usize, usize, f64)]| {
        let mut rows = vec![vec![
            "a".to_string(),
            "b".to_string(),
            "similarity".to_string(),
            "overlap".to_string(),
        ]];
        for &(i, j, v) in list {
            rows.push(vec![
                code(s, a.set.jurisdictions[i]).to_string(),
                code(s, a.set.jurisdictions[j]).to_string(),
                format!("{v:.3}"),
                a.matrix.overlap(i, j).to_string(),
            ]);
        }
        table(&rows)
    };
    if found > 0 {
        t.push_str("most aligned:\n");
        t.push_str(&pair_rows(&best));
        t.push_str("least aligned:\n");
        t.push_str(&pair_rows(&worst));
    }
    t
}

/// Keeps in `kept` the first `k` items in the order `cmp` (total: no two items equal) of those
/// offered one by one, as sorting all of them and taking the first `k` would give.
fn keep_first<T>(kept: &mut Vec<T>, k: usize, x: T, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    if kept.len() == k && kept.last().is_none_or(|last| cmp(&x, last).is_ge()) {
        return;
    }
    let at = kept.partition_point(|y| cmp(y, &x).is_lt());
    kept.insert(at, x);
    kept.truncate(k);
}

/// How many neighbours were found, and the most similar pairs among them.
fn neighbour_lines(s: &Scored, t: &Nearest) -> String {
    let found: usize = t.neighbours.iter().map(Vec::len).sum();
    let n = t.neighbours.len();
    let mut pairs: Vec<(usize, usize, f64, u32)> = Vec::new();
    for (i, list) in t.neighbours.iter().enumerate() {
        pairs.extend(
            list.iter()
                .filter(|nb| nb.row > i)
                .map(|nb| (i, nb.row, nb.similarity, nb.overlap)),
        );
    }
    pairs.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut out = format!(
        "--top {}: {found} neighbours of {n} jurisdictions (up to {} each, pairs with an unknown similarity left out); see neighbours.csv\n",
        t.top, t.top
    );
    if !pairs.is_empty() {
        let mut rows = vec![vec![
            "a".to_string(),
            "b".to_string(),
            "similarity".to_string(),
            "overlap".to_string(),
        ]];
        for &(i, j, v, o) in pairs.iter().take(SHOWN_PAIRS) {
            rows.push(vec![
                code(s, t.set.jurisdictions[i]).to_string(),
                code(s, t.set.jurisdictions[j]).to_string(),
                format!("{v:.3}"),
                o.to_string(),
            ]);
        }
        out.push_str("most aligned:\n");
        out.push_str(&table(&rows));
    }
    out
}

/// The jurisdictions closest to `--reference`, if one was given.
fn reference_line(s: &Scored, set: &ProfileSet, reference: Option<&ReferenceAlignment>) -> String {
    let mut t = String::new();
    if let Some(ReferenceAlignment { reference: r, .. }) = reference {
        let who = match r {
            Reference::Ideal => "the ideal profile".to_string(),
            Reference::Row(i) => code(s, set.jurisdictions[*i]).to_string(),
        };
        let best: Vec<String> = reference_rows(reference)
            .into_iter()
            .filter(|x| x.1.is_some())
            .take(SHOWN_PAIRS)
            .map(|(i, v, _, _)| {
                format!(
                    "{} {}",
                    code(s, set.jurisdictions[i]),
                    v.map_or_else(|| "NA".to_string(), |v| format!("{v:.3}"))
                )
            })
            .collect();
        t.push_str(&format!(
            "closest to {who}: {}; see reference_alignment.csv\n",
            if best.is_empty() {
                "none with a similarity".to_string()
            } else {
                best.join(", ")
            }
        ));
    }
    t
}

/// The extradition and legal-assistance links, and the highest safe-haven scores.
fn cooperation_lines(c: &Cooperation) -> String {
    let mut t = String::new();
    let nj = c.extradition.n;
    let ordered = nj * nj.saturating_sub(1);
    let tally = |m: &Matrix| {
        let (mut linked, mut none) = (0, 0);
        for cell in &m.cells {
            match cell {
                Cell::Links(_) => linked += 1,
                Cell::None => none += 1,
                _ => {}
            }
        }
        (linked, none, ordered - linked - none)
    };
    for (label, m) in [
        ("extradition", &c.extradition),
        ("legal assistance", &c.legal_assistance),
    ] {
        let (l, no, u) = tally(m);
        t.push_str(&format!(
            "{label}: {l} of {ordered} ordered pairs linked, {no} known to have none, {u} unknown\n"
        ));
    }
    t
}

/// The highest safe-haven scores.
fn haven_line(s: &Scored, measures: &[Measures]) -> String {
    let mut t = String::new();
    let havens: Vec<String> = {
        let mut v: Vec<(usize, f64)> = measures
            .iter()
            .enumerate()
            .filter_map(|(j, m)| m.safe_haven.map(|x| (j, x)))
            .collect();
        v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        v.into_iter()
            .take(SHOWN_PAIRS)
            .map(|(j, x)| format!("{} {}", code(s, j), number((x * 1000.0).round() / 1000.0)))
            .collect()
    };
    if havens.is_empty() {
        t.push_str(
            "no safe-haven scores (NA in network.csv): every jurisdiction's known extradition statuses are links only, with others unknown, or there are none\n",
        );
    } else {
        t.push_str(&format!(
            "highest safe-haven scores (share of others with a known status that cannot obtain extradition): {}\n",
            havens.join(", ")
        ));
    }
    t
}

/// The summary's line on clusters: their sizes and who is left out, or why there are none.
fn clusters_line(c: &Clusters) -> String {
    if let Some(none) = c.none {
        return format!("no clusters (NA in clusters.csv): {}\n", none.reason());
    }
    let sizes: Vec<String> = (1..=c.count())
        .map(|l| {
            c.labels
                .iter()
                .filter(|&&x| x == Some(l))
                .count()
                .to_string()
        })
        .collect();
    let left = c.labels.len() - c.clustered();
    let out = if left == 0 {
        String::new()
    } else {
        format!(
            "; {left} jurisdiction{} without a known similarity to any other {} not clustered (NA)",
            if left == 1 { "" } else { "s" },
            if left == 1 { "is" } else { "are" }
        )
    };
    format!(
        "{} clusters (average linkage) of sizes {}{out}; see clusters.csv\n",
        c.count(),
        sizes.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::keep_first;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 256,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x0f1e_57c0),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]

        /// The first `k` kept while the items pass are the first `k` of sorting them all, for
        /// any `k` (none, fewer than the items, more), with many equal similarities.
        #[test]
        fn kept_first_are_the_head_of_a_sort(
            values in prop::collection::vec(0u8..4, 0..60),
            k in 0usize..8,
        ) {
            let pairs: Vec<(usize, usize, f64)> = values
                .iter()
                .enumerate()
                .map(|(n, &v)| (n / 7, n % 7, f64::from(v) / 4.0))
                .collect();
            let most = |x: &(usize, usize, f64), y: &(usize, usize, f64)| {
                y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1)))
            };
            let mut sorted = pairs.clone();
            sorted.sort_by(most);
            sorted.truncate(k);
            let mut kept = Vec::new();
            for p in pairs {
                keep_first(&mut kept, k, p, most);
            }
            prop_assert_eq!(kept, sorted);
        }
    }
}
