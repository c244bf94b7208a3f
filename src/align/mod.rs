//! Alignment between jurisdictions, two questions from one scored run:
//!
//! - how alike are their commitments? Similarity of their score profiles (criteria, cells,
//!   principles or dimensions) under one of seven metrics, missing-aware, with overlap counts,
//!   average-linkage clusters where the similarities known allow them, and a ranking against a
//!   reference (`similarity`, `cluster`);
//! - can they act together? Cooperation matrices from the dyads file and multilateral membership,
//!   and network measures with a safe-haven score (`network`).
//!
//! This module picks the data from a `Scored` run and checks the options; the files below are
//! pure functions. Nothing here reads or writes files; `folder` builds the folder and the summary
//! the command line and the Python binding share, into a folder writer or in memory.

pub mod cluster;
pub mod folder;
pub mod network;
pub mod similarity;

use crate::error::{InputError, Problem, Problems, did_you_mean};
use crate::evidence::{Date, Value};
use crate::pipeline::Scored;
use crate::rubric::{Member, NetworkWeights, Rule};
use cluster::Clusters;
use network::{Channel, DyadLink, LongChannel, Matrix, Measures, Source};

/// The most jurisdictions whose cooperation is written as J x J matrices. Above it the long form
/// is written (`cooperation_pairs.csv`, `cooperation_units.csv`): the matrices hold, per ordered
/// pair, a status per instrument and three cells (about 100 bytes a pair with the files: 100 MB at
/// 1,000).
pub(crate) const COOPERATION_LIMIT: usize = 1_000;
use similarity::{Engine, Metric, Neighbour, Profiles, Settings, SimilarityMatrix};

/// The most jurisdictions the full similarity matrices are built for. Above it `align` needs
/// `--top K`. The full form holds, per ordered pair, the similarity (8 bytes), the overlap (4)
/// and the clustering distance (8): 20 bytes x J x J, 500 MB at 5,000, before the files.
pub const FULL_LIMIT: usize = 5_000;

/// The components compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
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

impl Level {
    /// Every level.
    pub const ALL: [Level; 4] = [
        Level::Criterion,
        Level::Cell,
        Level::Principle,
        Level::Dimension,
    ];

    /// The level of a name (`criterion`, `cell`, `principle`, `dimension`).
    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The name used on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::Criterion => "criterion",
            Level::Cell => "cell",
            Level::Principle => "principle",
            Level::Dimension => "dimension",
        }
    }
}

/// What to compare against in `reference_alignment.csv`.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    /// A scored jurisdiction (its row among the compared ones).
    Row(usize),
    /// The rubric's ideal profile.
    Ideal,
}

/// Options of the similarity half.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Components compared.
    pub level: Level,
    /// Metric.
    pub metric: Metric,
    /// Pairs sharing fewer components are unknown.
    pub min_overlap: usize,
    /// Clusters to cut the dendrogram into.
    pub clusters: usize,
    /// `--reference`: a jurisdiction code or `ideal`.
    pub reference: Option<String>,
}

/// The compared profiles and what they stand for.
#[derive(Debug, Clone)]
pub struct ProfileSet {
    /// One row per scored jurisdiction, in code order.
    pub profiles: Profiles,
    /// Jurisdiction index (into `inputs.jurisdictions`) of every row.
    pub jurisdictions: Vec<usize>,
    /// Component ids (criteria, cells, nodes or facet values).
    pub components: Vec<String>,
    /// The ideal value of every component (the scale's upper end, or the best category).
    pub ideal: Vec<f64>,
}

/// The similarity half's results.
#[derive(Debug, Clone)]
pub struct Alignment {
    /// The compared profiles.
    pub set: ProfileSet,
    /// Similarities and overlaps, rows and columns as `set`.
    pub matrix: SimilarityMatrix,
    /// Average-linkage clusters on 1 - similarity (with the order of the rows), or why there
    /// are none.
    pub clusters: Clusters,
    /// The distance given to pairs with an unknown similarity.
    pub unknown_distance: f64,
    /// The reference ranking, when asked for.
    pub reference: Option<ReferenceAlignment>,
}

/// Every compared jurisdiction's similarity with the reference.
#[derive(Debug, Clone)]
pub struct ReferenceAlignment {
    /// The reference.
    pub reference: Reference,
    /// (similarity, overlap) of every row with the reference.
    pub values: Vec<(Option<f64>, usize)>,
}

/// Builds the profiles of the scored jurisdictions at a level, for a metric.
pub fn profiles(s: &Scored, level: Level, metric: Metric) -> Result<ProfileSet, Problem> {
    let r = &s.results;
    let rubric = &s.rubric;
    let hi = rubric.meta.scale[1];
    let rows = r.units.len();
    if metric.categorical() && level != Level::Criterion {
        return Err(Problem::new(format!(
            "`--metric {}` compares categories, which only criteria have, but `--level {}` was asked for",
            metric.name(),
            level.name()
        ))
        .help(format!(
            "add --level criterion, or use a numeric metric (cosine, pearson, spearman, euclidean, gower) at the {} level",
            level.name()
        )));
    }
    let (frame, columns): (&crate::base::frame::Frame, Vec<(usize, String)>) = match level {
        Level::Criterion if metric.categorical() => {
            // Rule-evaluated values of the criteria whose rules give categories.
            let cols: Vec<(usize, String)> = rubric
                .criteria
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    matches!(
                        c.rule,
                        Rule::Boolean { .. } | Rule::Levels { .. } | Rule::Date { .. }
                    )
                })
                .map(|(i, c)| (i, c.id.clone()))
                .collect();
            if cols.is_empty() {
                return Err(Problem::new(format!(
                    "`--metric {}` needs criteria with categories (rules `boolean`, `levels` or `date`), and rubric `{}` has none",
                    metric.name(),
                    rubric.meta.id
                ))
                .help("use a numeric metric: cosine, pearson, spearman, euclidean or gower"));
            }
            let mut p = Profiles::new(rows, cols.len());
            let mut ideal = Vec::with_capacity(cols.len());
            for (k, (c, _)) in cols.iter().enumerate() {
                for (row, &u) in r.units.iter().enumerate() {
                    p.set(row, k, s.values.values.get(u, *c));
                }
                ideal.push(best_category(s, *c));
            }
            return Ok(ProfileSet {
                profiles: p,
                jurisdictions: r.units.clone(),
                components: cols.into_iter().map(|c| c.1).collect(),
                ideal,
            });
        }
        Level::Criterion => (
            &r.criteria.score,
            rubric
                .criteria
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.id.clone()))
                .collect(),
        ),
        Level::Cell => (
            &r.cells.score,
            r.cell_defs
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.id.clone()))
                .collect(),
        ),
        Level::Principle => (
            &r.nodes.score,
            rubric.nodes[0]
                .children
                .iter()
                .filter_map(|m| match m {
                    Member::Node(k) => Some((*k, rubric.nodes[*k].id.clone())),
                    Member::Criterion(_) => None,
                })
                .collect(),
        ),
        Level::Dimension => (
            &r.facets.score,
            r.facet_values
                .iter()
                .enumerate()
                .map(|(i, (f, v))| (i, rubric.facets[*f].values[*v].id.clone()))
                .collect(),
        ),
    };
    if columns.is_empty() {
        return Err(Problem::new(format!(
            "rubric `{}` has nothing to compare at `--level {}`",
            rubric.meta.id,
            level.name()
        ))
        .help(match level {
            Level::Cell => "cells need a grid facet (`rubric.grid`); use --level principle or criterion",
            Level::Dimension => "dimensions are facet values; the rubric has no facets: use --level principle or criterion",
            _ => "use another --level",
        }));
    }
    let mut p = Profiles::new(rows, columns.len());
    for (k, (c, _)) in columns.iter().enumerate() {
        for row in 0..rows {
            p.set(row, k, frame.get(row, *c));
        }
    }
    Ok(ProfileSet {
        profiles: p,
        jurisdictions: r.units.clone(),
        ideal: vec![hi; columns.len()],
        components: columns.into_iter().map(|c| c.1).collect(),
    })
}

/// The best category a criterion's rule can give (direction applied).
fn best_category(s: &Scored, c: usize) -> f64 {
    let crit = &s.rubric.criteria[c];
    let [lo, hi] = s.rubric.meta.scale;
    let values: Vec<f64> = match &crit.rule {
        Rule::Boolean { yes, no } | Rule::Date { yes, no } => vec![*yes, *no],
        Rule::Levels { levels } => levels.iter().map(|l| l.1).collect(),
        _ => vec![hi],
    };
    values
        .into_iter()
        .map(|v| if crit.direction < 0.0 { lo + hi - v } else { v })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Resolves `--reference`: `ideal`, or the code of a scored jurisdiction.
pub(crate) fn resolve_reference(
    s: &Scored,
    set: &ProfileSet,
    reference: &str,
) -> Result<Reference, Problem> {
    if reference == "ideal" {
        return Ok(Reference::Ideal);
    }
    let juris = &s.inputs.jurisdictions;
    if let Some(row) = set
        .jurisdictions
        .iter()
        .position(|&j| juris.list[j].code == reference)
    {
        return Ok(Reference::Row(row));
    }
    if juris.index(reference).is_some() {
        return Err(Problem::new(format!(
            "`--reference {reference}` was not scored: the screen left it out for too little data"
        ))
        .help("choose a scored jurisdiction (see ranking.csv of `accord score`), or `ideal`"));
    }
    let codes = set
        .jurisdictions
        .iter()
        .map(|&j| juris.list[j].code.as_str())
        .chain(std::iter::once("ideal"));
    let problem = Problem::new(format!(
        "`--reference {reference}` is not a scored jurisdiction"
    ));
    Err(problem.help(did_you_mean(reference, codes).unwrap_or_else(|| {
        "give a jurisdiction code from the jurisdictions file, or `ideal` for the rubric's ideal profile"
            .to_string()
    })))
}

/// Runs the similarity half: profiles, matrix, clustering and the reference ranking. Refused
/// above [`FULL_LIMIT`] jurisdictions (see [`nearest`]).
pub fn align(s: &Scored, options: &Options) -> Result<Alignment, InputError> {
    let set = profiles(s, options.level, options.metric)?;
    let n = set.profiles.nrow;
    if n > FULL_LIMIT {
        return Err(Problem::new(format!(
            "{n} jurisdictions are too many for the full {n} x {n} similarity matrices (at most {FULL_LIMIT}: they take 20 bytes a pair, {} MB here)",
            (n as u128 * n as u128 * 20).div_ceil(1_000_000)
        ))
        .help("add `--top K` (say --top 20): each jurisdiction's K most similar ones, as a long table, in bounded memory")
        .into());
    }
    let (set, reference, settings) = prepare(s, options, set)?;
    let engine = Engine::new(&set.profiles, settings);
    let matrix = engine.matrix();
    let n = matrix.n;
    let unknown_distance = 1.0 - options.metric.min_similarity();
    let clusters = cluster::cluster(&matrix, options.clusters, unknown_distance);
    let reference = reference.map(|r| {
        let values = match &r {
            Reference::Row(row) => (0..n)
                .map(|j| (matrix.get(*row, j), matrix.overlap(*row, j) as usize))
                .collect(),
            Reference::Ideal => {
                let ideal: Vec<Option<f64>> = set.ideal.iter().map(|v| Some(*v)).collect();
                engine.against(&ideal)
            }
        };
        ReferenceAlignment {
            reference: r,
            values,
        }
    });
    Ok(Alignment {
        set,
        matrix,
        clusters,
        unknown_distance,
        reference,
    })
}

/// The similarity half with `--top K`: every jurisdiction's K nearest neighbours instead of the
/// full matrix, at any size.
#[derive(Debug, Clone)]
pub struct Nearest {
    /// The compared profiles.
    pub set: ProfileSet,
    /// K.
    pub top: usize,
    /// Every row's neighbours, best first (see [`Engine::top`] for the order).
    pub neighbours: Vec<Vec<Neighbour>>,
    /// No clusters: average linkage needs every pair.
    pub clusters: Clusters,
    /// The reference ranking, when asked for.
    pub reference: Option<ReferenceAlignment>,
}

/// Runs the similarity half with `--top K`: neighbour lists in bounded memory, the reference
/// ranking (each value the full matrix's), and no clusters, with the reason.
pub fn nearest(s: &Scored, options: &Options, top: usize) -> Result<Nearest, InputError> {
    let set = profiles(s, options.level, options.metric)?;
    let (set, reference, settings) = prepare(s, options, set)?;
    let engine = Engine::new(&set.profiles, settings);
    let neighbours = engine.top(top);
    let n = set.profiles.nrow;
    let reference = reference.map(|r| {
        let values = match &r {
            Reference::Row(row) => engine
                .row_as_matrix(*row)
                .into_iter()
                .map(|(v, o)| (v, o as usize))
                .collect(),
            Reference::Ideal => {
                let ideal: Vec<Option<f64>> = set.ideal.iter().map(|v| Some(*v)).collect();
                engine.against(&ideal)
            }
        };
        ReferenceAlignment {
            reference: r,
            values,
        }
    });
    Ok(Nearest {
        clusters: cluster::none_with(n, cluster::NoClusters::NearestOnly { top }),
        set,
        top,
        neighbours,
        reference,
    })
}

/// The checks and settings both forms share: the reference, and whether the metric can compare
/// with it.
fn prepare(
    s: &Scored,
    options: &Options,
    set: ProfileSet,
) -> Result<(ProfileSet, Option<Reference>, Settings), InputError> {
    let reference = match &options.reference {
        None => None,
        Some(r) => Some(resolve_reference(s, &set, r)?),
    };
    if reference == Some(Reference::Ideal)
        && matches!(
            options.metric,
            Metric::Pearson | Metric::Spearman | Metric::Kappa
        )
        && set.ideal.windows(2).all(|w| w[0] == w[1])
    {
        return Err(Problem::new(format!(
            "`--reference ideal` is a constant profile, against which `--metric {}` is undefined (or 0 for everyone)",
            options.metric.name()
        ))
        .help("compare with the ideal using cosine, euclidean, gower or agreement")
        .into());
    }
    let settings = Settings {
        metric: options.metric,
        min_overlap: options.min_overlap,
        scale: s.rubric.meta.scale,
    };
    Ok((set, reference, settings))
}

/// The dyadic half's results, over every jurisdiction in code order.
#[derive(Debug, Clone)]
pub struct Cooperation {
    /// Instruments then multilateral instruments, with their statuses.
    pub channels: Vec<Channel>,
    /// Extradition: row = requested state (who extradites), column = requesting state.
    pub extradition: Matrix,
    /// Mutual legal assistance: row = who assists, column = who asks.
    pub legal_assistance: Matrix,
    /// Any instrument.
    pub any: Matrix,
    /// Weight of every jurisdiction in the safe-haven shares (`None`: left out).
    pub weights: Vec<Option<f64>>,
    /// Network measures of every jurisdiction.
    pub measures: Vec<Measures>,
}

/// A yes/no or date field's value on a date: `Some(true)` yes or in force.
fn yes_no_on(s: &Scored, j: usize, field: usize, date: Date) -> Result<Option<bool>, Problem> {
    Ok(
        match crate::rules::field_value_on(&s.rubric, &s.inputs, j, field, date)? {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        },
    )
}

/// A channel's id, what it provides, and what its statuses follow from.
type GatheredChannel = (String, Vec<String>, Gathered);

/// What one channel's statuses follow from, gathered once for both forms of the dyadic half.
enum Gathered {
    /// A bilateral instrument: its dyad rows on the evaluation date and whose partner lists are
    /// complete.
    Bilateral {
        directed: bool,
        rows: Vec<DyadLink>,
        complete: Vec<bool>,
    },
    /// A multilateral instrument: every jurisdiction's party status.
    Multilateral { parties: Vec<Option<bool>> },
}

/// The channels (id, what it provides, what its statuses follow from) and every jurisdiction's
/// network weight, with every problem reading them raised together.
fn gather(s: &Scored) -> Result<(Vec<GatheredChannel>, Vec<Option<f64>>), InputError> {
    let rubric = &s.rubric;
    let inputs = &s.inputs;
    let n = inputs.jurisdictions.len();
    let date = s.results.date;
    let mut problems = Problems::new();
    let mut channels = Vec::new();
    for (k, inst) in rubric.instruments.iter().enumerate() {
        let rows: Vec<DyadLink> = inputs
            .dyads
            .iter()
            .flat_map(|d| d.list.iter())
            .filter(|d| d.instrument == k)
            .map(|d| DyadLink {
                a: d.a,
                b: d.b,
                binding: d.binding_on(date),
            })
            .collect();
        let complete: Vec<bool> = inputs
            .jurisdictions
            .list
            .iter()
            .map(|j| j.complete.get(k).copied().unwrap_or(false))
            .collect();
        let gathered = Gathered::Bilateral {
            directed: inst.directed,
            rows,
            complete,
        };
        channels.push((inst.id.clone(), inst.provides.clone(), gathered));
    }
    for m in &rubric.multilateral {
        let mut parties = Vec::with_capacity(n);
        for j in 0..n {
            match yes_no_on(s, j, m.field, date) {
                Ok(v) => parties.push(v),
                Err(p) => {
                    problems.push(p);
                    parties.push(None);
                }
            }
        }
        channels.push((
            m.id.clone(),
            m.provides.clone(),
            Gathered::Multilateral { parties },
        ));
    }
    let mut weights = Vec::with_capacity(n);
    for j in 0..n {
        weights.push(match rubric.network.weights {
            NetworkWeights::Equal => Some(1.0),
            NetworkWeights::Field(f) => match yes_no_on(s, j, f, date) {
                Ok(v) => v.map(|b| if b { 1.0 } else { 0.0 }),
                Err(p) => {
                    problems.push(p);
                    None
                }
            },
        });
    }
    problems.check()?;
    Ok((channels, weights))
}

/// Runs the dyadic half: one channel per instrument, cooperation matrices and network measures
/// on the evaluation date.
pub fn cooperation(s: &Scored) -> Result<Cooperation, InputError> {
    let n = s.inputs.jurisdictions.len();
    let has_dyads = s.inputs.dyads.is_some();
    let (gathered, weights) = gather(s)?;
    let channels: Vec<Channel> = gathered
        .into_iter()
        .map(|(id, provides, g)| Channel {
            id,
            provides,
            status: match g {
                Gathered::Bilateral {
                    directed,
                    rows,
                    complete,
                } => network::bilateral(n, directed, &rows, &complete, has_dyads),
                Gathered::Multilateral { parties } => network::multilateral(&parties),
            },
        })
        .collect();
    let extradition = network::matrix(n, &channels, Some("extradition"));
    let legal_assistance = network::matrix(n, &channels, Some("legal_assistance"));
    let any = network::matrix(n, &channels, None);
    let measures = network::measures(&extradition, &legal_assistance, &any, &weights);
    Ok(Cooperation {
        channels,
        extradition,
        legal_assistance,
        any,
        weights,
        measures,
    })
}

/// The dyadic half in the long form: per instrument what its statuses follow from, and the
/// network measures, without J x J matrices.
#[derive(Debug, Clone)]
pub struct LongCooperation {
    /// Instruments then multilateral instruments.
    pub channels: Vec<LongChannel>,
    /// Weight of every jurisdiction in the safe-haven shares (`None`: left out).
    pub weights: Vec<Option<f64>>,
    /// Network measures of every jurisdiction (equal to [`cooperation`]'s).
    pub measures: Vec<Measures>,
}

/// Runs the dyadic half in the long form: the same statuses and measures as [`cooperation`],
/// in memory linear in the jurisdictions and dyad rows.
pub fn cooperation_long(s: &Scored) -> Result<LongCooperation, InputError> {
    let n = s.inputs.jurisdictions.len();
    let has_dyads = s.inputs.dyads.is_some();
    let (gathered, weights) = gather(s)?;
    let channels: Vec<LongChannel> = gathered
        .into_iter()
        .map(|(id, provides, g)| LongChannel {
            id,
            provides,
            source: match g {
                Gathered::Bilateral {
                    directed,
                    rows,
                    complete,
                } => Source::bilateral(n, directed, &rows, &complete, has_dyads),
                Gathered::Multilateral { parties } => Source::Multilateral { parties },
            },
        })
        .collect();
    let measures = network::long_measures(&channels, &weights);
    Ok(LongCooperation {
        channels,
        weights,
        measures,
    })
}
