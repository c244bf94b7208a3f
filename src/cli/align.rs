//! `accord align`: how alike jurisdictions' commitments are (similarity of score profiles, with
//! clusters and a reference ranking), and whether they can act together (cooperation matrices
//! and network measures from dyads and multilateral membership). Arguments and printing here;
//! the folder and the summary are `accord::align::folder`'s.

use clap::Args;

use super::{Cli, InputArgs, print};
use accord::align::folder;
use accord::align::similarity::Metric;
use accord::align::{Level, Options};
use accord::error::Error;
use accord::output::FolderWriter;

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
    /// Each jurisdiction's K most similar ones (`neighbours.csv`) instead of the full matrices, in
    /// bounded memory; needed above 5,000 jurisdictions. No clusters (they need every pair).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: Option<u32>,
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
    let options = Options {
        level: args
            .level
            .map(Level::from)
            .unwrap_or_else(|| folder::default_level(&scored)),
        metric: args.metric.into(),
        min_overlap: args.min_overlap,
        clusters: args.clusters as usize,
        reference: args.reference.clone(),
    };
    let (alignment, cooperation) =
        folder::compute(&scored, &options, args.top.map(|k| k as usize))?;
    // Each table is written into the unfinished folder as it is built; the folder replaces the
    // target only once every file is complete.
    let mut files = FolderWriter::to_dir(&out);
    folder::write(
        &scored,
        &alignment,
        &cooperation,
        &options,
        args.output.format.format(),
        &mut files,
    )?;
    let written = files.len();
    out.commit(&args.inputs.guard(&scored.rubric, limits)?)?;
    let mut text = folder::summary(&scored, &alignment, &cooperation, &options);
    text.push_str(&format!(
        "wrote {written} files to {}/\n",
        args.output.out.display()
    ));
    print(&text)
}
