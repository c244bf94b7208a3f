//! `accord align`: how alike jurisdictions' commitments are (similarity of score profiles, with
//! clusters and a reference ranking), and whether they can act together (cooperation matrices
//! and network measures from dyads and multilateral membership).

use clap::Args;

use super::{Cli, InputArgs, print};
use accord::Scored;
use accord::align::cluster::{Clusters, MIN_KNOWN_PAIR_SHARE};
use accord::align::network::{Cell, Matrix};
use accord::align::similarity::Metric;
use accord::align::{self, Alignment, Cooperation, Level, Options, Reference, ReferenceAlignment};
use accord::base::rank::rank_descending;
use accord::error::Error;
use accord::explain::table;
use accord::output::manifest::{AlignOptions, ClusteringRecord};
use accord::output::schema::{self, Cell as SCell, Table, TableFormat};
use accord::output::{self, number};

/// Pairs printed among the most and the least aligned.
const SHOWN_PAIRS: usize = 5;

/// Arguments of `align`.
#[derive(Debug, Args)]
pub struct AlignArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
    /// The scores compared [default: the rubric's `[align] level`, else dimension, or principle for
    /// a rubric without facets].
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// The similarity metric (agreement and kappa need --level criterion).
    #[arg(long, value_enum, default_value_t = MetricArg::Gower)]
    pub metric: MetricArg,
    /// Pairs sharing fewer components have an unknown (NA) similarity.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_overlap: usize,
    /// Clusters cut from the average-linkage tree.
    #[arg(long, value_name = "K", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub clusters: u32,
    /// Rank every jurisdiction by its similarity to this one: a code, or `ideal` for the rubric's
    /// ideal profile.
    #[arg(long, value_name = "CODE")]
    pub reference: Option<String>,
}

/// `--level`: the library's [`Level`] as a value of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    /// Criterion scores (for agreement and kappa: the categories of boolean, levels and date
    /// criteria).
    Criterion,
    /// Principle x dimension cell scores.
    Cell,
    /// Principle scores (the children of the index).
    Principle,
    /// Facet value scores (legal, extradition, cooperation).
    Dimension,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Criterion => Level::Criterion,
            LevelArg::Cell => Level::Cell,
            LevelArg::Principle => Level::Principle,
            LevelArg::Dimension => Level::Dimension,
        }
    }
}

/// `--metric`: the library's [`Metric`] as a value of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MetricArg {
    /// Cosine of the angle between the two profiles.
    Cosine,
    /// Pearson correlation over the overlap.
    Pearson,
    /// Spearman rank correlation (Pearson on average ranks within the overlap).
    Spearman,
    /// 1 - root mean squared difference / scale range.
    Euclidean,
    /// 1 - mean of |a - b| / component range (Gower, 1971).
    Gower,
    /// Share of components with equal categories.
    Agreement,
    /// Cohen's kappa on the categories.
    Kappa,
}

impl From<MetricArg> for Metric {
    fn from(m: MetricArg) -> Metric {
        match m {
            MetricArg::Cosine => Metric::Cosine,
            MetricArg::Pearson => Metric::Pearson,
            MetricArg::Spearman => Metric::Spearman,
            MetricArg::Euclidean => Metric::Euclidean,
            MetricArg::Gower => Metric::Gower,
            MetricArg::Agreement => Metric::Agreement,
            MetricArg::Kappa => Metric::Kappa,
        }
    }
}

/// Runs `align`.
pub fn run(args: &AlignArgs, _cli: &Cli, limits: &accord::limits::Limits) -> Result<(), Error> {
    let out = args.output.begin()?;
    let (rubric, inputs, as_of) = args.inputs.load(limits)?;
    let scored = accord::score(rubric, inputs, as_of)?;
    // The default that recovers the demonstration set's blocs best (README, "Choosing the
    // default"), where the rubric has facets to compare.
    let from_rubric = scored
        .rubric
        .align_level
        .as_deref()
        .and_then(Level::from_name);
    let level = args.level.map(Level::from).or(from_rubric).unwrap_or(
        if scored.results.facet_values.is_empty() {
            Level::Principle
        } else {
            Level::Dimension
        },
    );
    let options = Options {
        level,
        metric: args.metric.into(),
        min_overlap: args.min_overlap,
        clusters: args.clusters as usize,
        reference: args.reference.clone(),
    };
    let alignment = align::align(&scored, &options)?;
    let cooperation = align::cooperation(&scored)?;
    let files = align_files(
        &scored,
        &alignment,
        &cooperation,
        &options,
        args.output.format.format(),
    );
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    out.commit(&args.inputs.guard(&scored.rubric, limits)?)?;
    print(&summary(
        &scored,
        &alignment,
        &cooperation,
        &options,
        &args.output.out.display().to_string(),
        files.len(),
    ))
}

fn code(s: &Scored, j: usize) -> &str {
    &s.inputs.jurisdictions.list[j].code
}

fn name(s: &Scored, j: usize) -> &str {
    &s.inputs.jurisdictions.list[j].name
}

/// Every table of an `align` folder, in writing order.
pub fn align_tables(s: &Scored, a: &Alignment, c: &Cooperation) -> Vec<Table> {
    let mut tables = vec![
        wide(&schema::ALIGNMENT, s, a, |i, j| {
            SCell::number(a.matrix.get(i, j))
        }),
        wide(&schema::ALIGNMENT_OVERLAP, s, a, |i, j| {
            SCell::integer(Some(a.matrix.overlap(i, j)))
        }),
        pairs_table(s, a),
        clusters_table(s, a),
    ];
    if let Some(r) = reference_table(s, a) {
        tables.push(r);
    }
    tables.extend([
        cooperation_table(&schema::COOPERATION_EXTRADITION, s, c, &c.extradition),
        cooperation_table(
            &schema::COOPERATION_LEGAL_ASSISTANCE,
            s,
            c,
            &c.legal_assistance,
        ),
        cooperation_table(&schema::COOPERATION, s, c, &c.any),
        network_table(s, c),
    ]);
    tables
}

/// Every file of an `align` folder, `(name, bytes)` in a fixed order, manifest last.
pub fn align_files(
    s: &Scored,
    a: &Alignment,
    c: &Cooperation,
    options: &Options,
    format: TableFormat,
) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = align_tables(s, a, c)
        .into_iter()
        .map(|t| t.into_file_as(format))
        .collect();
    let m = manifest(s, a, options, &files);
    files.push((schema::ALIGN_MANIFEST.name.to_string(), m));
    files
}

/// A J x J matrix in clustering order, codes in the first column and the header.
fn wide(
    file: &'static schema::File,
    s: &Scored,
    a: &Alignment,
    cell: impl Fn(usize, usize) -> SCell,
) -> Table {
    let codes = |i: usize| code(s, a.set.jurisdictions[i]).to_string();
    let order = &a.clusters.order;
    let names: Vec<String> = order.iter().map(|&i| codes(i)).collect();
    let mut t = Table::with(file, &names, false);
    for &i in order {
        t.push(
            std::iter::once(SCell::text(codes(i)))
                .chain(order.iter().map(|&j| cell(i, j)))
                .collect(),
        );
    }
    t
}

fn pairs_table(s: &Scored, a: &Alignment) -> Table {
    let mut t = Table::new(&schema::ALIGNMENT_PAIRS);
    let n = a.matrix.n;
    for i in 0..n {
        for j in i + 1..n {
            t.push(vec![
                SCell::text(code(s, a.set.jurisdictions[i])),
                SCell::text(code(s, a.set.jurisdictions[j])),
                SCell::number(a.matrix.get(i, j)),
                SCell::integer(Some(a.matrix.overlap(i, j))),
            ]);
        }
    }
    t
}

fn clusters_table(s: &Scored, a: &Alignment) -> Table {
    let mut t = Table::new(&schema::CLUSTERS);
    for (pos, &i) in a.clusters.order.iter().enumerate() {
        let j = a.set.jurisdictions[i];
        t.push(vec![
            SCell::text(code(s, j)),
            SCell::text(name(s, j)),
            SCell::count(pos + 1),
            SCell::integer(a.clusters.labels[i]),
        ]);
    }
    t
}

/// Rows of the reference ranking: (row, similarity, overlap, rank), best first, unknown last.
fn reference_rows(a: &Alignment) -> Vec<(usize, Option<f64>, usize, Option<u32>)> {
    let Some(ReferenceAlignment {
        reference: r,
        values,
    }) = &a.reference
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

fn reference_table(s: &Scored, a: &Alignment) -> Option<Table> {
    a.reference.as_ref()?;
    let mut t = Table::new(&schema::REFERENCE_ALIGNMENT);
    for (i, sim, overlap, rank) in reference_rows(a) {
        let j = a.set.jurisdictions[i];
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
fn cooperation_cell(c: &Cooperation, cell: &Cell) -> SCell {
    match cell {
        Cell::Own => SCell::Blank,
        Cell::Links(l) => SCell::text(
            l.iter()
                .map(|&k| c.channels[k].id.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ),
        Cell::None => SCell::text("none"),
        Cell::Unknown => SCell::Na,
    }
}

fn cooperation_table(
    file: &'static schema::File,
    s: &Scored,
    c: &Cooperation,
    m: &Matrix,
) -> Table {
    let n = m.n;
    let names: Vec<String> = (0..n).map(|j| code(s, j).to_string()).collect();
    let mut t = Table::with(file, &names, false);
    for from in 0..n {
        t.push(
            std::iter::once(SCell::text(code(s, from)))
                .chain((0..n).map(|to| cooperation_cell(c, m.get(from, to))))
                .collect(),
        );
    }
    t
}

fn network_table(s: &Scored, c: &Cooperation) -> Table {
    let mut t = Table::new(&schema::NETWORK);
    for (j, m) in c.measures.iter().enumerate() {
        t.push(vec![
            SCell::text(code(s, j)),
            SCell::text(name(s, j)),
            SCell::number(c.weights[j]),
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
fn manifest(s: &Scored, a: &Alignment, options: &Options, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let recorded = AlignOptions {
        level: options.level.name().to_string(),
        metric: options.metric.name().to_string(),
        min_overlap: options.min_overlap,
        clusters: options.clusters,
        reference: options.reference.clone(),
        components: a.set.components.clone(),
        linkage: "average (UPGMA) on 1 - similarity".to_string(),
        unknown_distance: a.unknown_distance,
        clustering: ClusteringRecord {
            min_known_pair_share: MIN_KNOWN_PAIR_SHARE,
            comparable: a.clusters.comparable.len(),
            known_pairs: a.clusters.known_pairs,
            pairs: a.clusters.pairs,
            clustered: a.clusters.clustered(),
            clusters: a.clusters.count(),
            no_clusters: a.clusters.none.map(|r| r.reason()),
        },
        network_weights: match s.rubric.network.weights {
            accord::rubric::NetworkWeights::Equal => "equal".to_string(),
            accord::rubric::NetworkWeights::Field(f) => s.rubric.fields[f].name.clone(),
        },
    };
    output::manifest_with(s, files, "align", Some(&recorded))
}

/// The short report printed after `align`.
pub fn summary(
    s: &Scored,
    a: &Alignment,
    c: &Cooperation,
    options: &Options,
    out: &str,
    nfiles: usize,
) -> String {
    let mut t = String::new();
    let date = if s.results.date == accord::evidence::Date::MAX {
        "the latest evidence".to_string()
    } else {
        s.results.date.to_string()
    };
    let n = a.matrix.n;
    t.push_str(&format!(
        "rubric {} {}; {} jurisdictions compared on {} by {} similarity of {} {} scores (minimum overlap {})\n",
        s.rubric.meta.id,
        s.rubric.meta.version,
        n,
        date,
        options.metric.name(),
        a.set.components.len(),
        options.level.name(),
        options.min_overlap.max(1)
    ));
    t.push_str(&pair_lines(s, a));
    t.push_str(&clusters_line(&a.clusters));
    t.push_str(&reference_line(s, a));
    t.push_str(&cooperation_lines(s, c));
    t.push_str(&format!("wrote {nfiles} files to {out}/\n"));
    t
}

/// How many pairs have a similarity, and the most and least aligned of them.
fn pair_lines(s: &Scored, a: &Alignment) -> String {
    let mut t = String::new();
    let n = a.matrix.n;
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if let Some(v) = a.matrix.get(i, j) {
                pairs.push((i, j, v));
            }
        }
    }
    let total = n * n.saturating_sub(1) / 2;
    t.push_str(&format!(
        "{} of {} pairs have a similarity; the rest share too few components or are undefined (NA)\n",
        pairs.len(),
        total
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
    if !pairs.is_empty() {
        pairs.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        let shown = SHOWN_PAIRS.min(pairs.len());
        t.push_str("most aligned:\n");
        t.push_str(&pair_rows(&pairs[..shown]));
        pairs.sort_by(|x, y| x.2.total_cmp(&y.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        t.push_str("least aligned:\n");
        t.push_str(&pair_rows(&pairs[..shown]));
    }
    t
}

/// The jurisdictions closest to `--reference`, if one was given.
fn reference_line(s: &Scored, a: &Alignment) -> String {
    let mut t = String::new();
    if let Some(ReferenceAlignment { reference: r, .. }) = &a.reference {
        let who = match r {
            Reference::Ideal => "the ideal profile".to_string(),
            Reference::Row(i) => code(s, a.set.jurisdictions[*i]).to_string(),
        };
        let best: Vec<String> = reference_rows(a)
            .into_iter()
            .filter(|x| x.1.is_some())
            .take(SHOWN_PAIRS)
            .map(|(i, v, _, _)| {
                format!(
                    "{} {}",
                    code(s, a.set.jurisdictions[i]),
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
fn cooperation_lines(s: &Scored, c: &Cooperation) -> String {
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
    let havens: Vec<String> = {
        let mut v: Vec<(usize, f64)> = c
            .measures
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
