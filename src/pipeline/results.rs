//! The scored results: matrices of scores, coverage and ranks. The only input of every writer
//! and analysis.

use std::sync::Arc;

use rayon::prelude::*;

use crate::base::frame::Frame;
use crate::base::rank::rank_into;
use crate::evidence::Date;
use crate::pipeline::screen::Availability;
use crate::pipeline::treat::TreatDetail;
use crate::rubric::Cell;
use crate::rubric::settings::RankTies;

/// Scores of one kind (criteria, nodes, facet values or cells) for the scored jurisdictions.
#[derive(Debug, Clone)]
pub struct Scores {
    /// Scores (rows = scored jurisdictions, columns = items); criteria's shared with the last
    /// stage that changed them.
    pub score: Arc<Frame>,
    /// Share of weight backed by evidence, in [0, 1].
    pub coverage: Arc<Frame>,
    /// Ranks per column (`rank[c * rows + r]`).
    rank: Vec<Option<u32>>,
}

impl Scores {
    /// Scores with their coverage; ranks are computed per column, with ties as `ties` says.
    pub(crate) fn new(score: Arc<Frame>, coverage: Arc<Frame>, ties: RankTies) -> Scores {
        // Columns are ranked in parallel, each on its own: the same ranks on any thread count.
        let mut rank = vec![None; score.nrow * score.ncol];
        if score.nrow > 0 {
            rank.par_chunks_mut(score.nrow)
                .enumerate()
                .for_each(|(c, out)| rank_into(score.col(c), ties, out));
        }
        Scores {
            score,
            coverage,
            rank,
        }
    }

    /// Rank of row `r` in column `c`.
    pub fn rank(&self, r: usize, c: usize) -> Option<u32> {
        self.rank[c * self.score.nrow + r]
    }
}

/// Criterion values after each pipeline step. A step that changed nothing (no denominators, no
/// imputation, nothing screened out) shares the frame of the step before instead of a copy.
#[derive(Debug, Clone)]
pub struct Stages {
    /// From the rules (all jurisdictions): the criterion values' own frame.
    pub raw: Arc<Frame>,
    /// After denominate (all jurisdictions).
    pub denominated: Arc<Frame>,
    /// After impute (all jurisdictions).
    pub imputed: Arc<Frame>,
    /// After screen (scored jurisdictions only).
    pub screened: Arc<Frame>,
    /// After treat (scored jurisdictions).
    pub treated: Arc<Frame>,
}

/// Everything a run computed.
#[derive(Debug, Clone)]
pub struct Results {
    /// The evaluation date.
    pub date: Date,
    /// Indices (into the jurisdictions) of those scored, in code order.
    pub units: Vec<usize>,
    /// Data availability of every jurisdiction, and whether the screen kept it.
    pub availability: Vec<Availability>,
    /// Criterion values after each step.
    pub stages: Stages,
    /// Treatment details per criterion (`None` for rule-scored criteria).
    pub treatment: Vec<Option<TreatDetail>>,
    /// Criterion scores (normalised).
    pub criteria: Scores,
    /// Node scores (index, principles, ...), in the rubric's node order.
    pub nodes: Scores,
    /// Facet value scores, in the order of `facet_values`.
    pub facets: Scores,
    /// (facet, value) of each facet column.
    pub facet_values: Vec<(usize, usize)>,
    /// Grid cell scores, in the order of `cell_defs`.
    pub cells: Scores,
    /// The grid cells.
    pub cell_defs: Vec<Cell>,
}

impl Results {
    /// Row of a jurisdiction index among the scored ones.
    pub fn row_of(&self, jurisdiction: usize) -> Option<usize> {
        self.units.binary_search(&jurisdiction).ok()
    }

    /// The index (root node) score of each scored jurisdiction.
    pub fn index_scores(&self) -> &[Option<f64>] {
        self.nodes.score.col(0)
    }
}
