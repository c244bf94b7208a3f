//! Audit analyses of a scored index, after COINr's analysis tools: indicator statistics
//! (`get_stats`), data availability (`get_data_avail`), child-ancestor correlations (`get_corr`),
//! Cronbach's alpha (`get_cronbach`), principal components per group (`get_PCA`), leave-one-out
//! rank changes (`remove_elements`) and effective weights (`get_eff_weights`).
//!
//! This module owns the choice of data each analysis reads (`Stage`, `aggregated_column`); the
//! files below are pure functions over columns, frames and the rubric. Nothing here reads or
//! writes files, and a statistic that cannot be computed (a constant column, too few
//! observations) is `None`, never NaN.

pub mod availability;
pub mod correlation;
pub mod cronbach;
pub mod folder;
pub mod leave_one_out;
pub mod stats;

use crate::base::frame::Frame;
use crate::pipeline::results::Results;
use crate::rubric::Member;

/// A stage of the pipeline whose criterion values an analysis reads (COINr's `dset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Criterion values from the rules (COINr's `Raw`); all jurisdictions.
    Raw,
    /// After denominate; all jurisdictions.
    Denominated,
    /// After impute; all jurisdictions.
    Imputed,
    /// After screen; scored jurisdictions.
    Screened,
    /// After outlier treatment; scored jurisdictions.
    Treated,
    /// Normalised criterion scores; scored jurisdictions.
    Normalised,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 6] = [
        Stage::Raw,
        Stage::Denominated,
        Stage::Imputed,
        Stage::Screened,
        Stage::Treated,
        Stage::Normalised,
    ];

    /// The stage's name (`raw`, `denominated`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Raw => "raw",
            Stage::Denominated => "denominated",
            Stage::Imputed => "imputed",
            Stage::Screened => "screened",
            Stage::Treated => "treated",
            Stage::Normalised => "normalised",
        }
    }

    /// The criterion values at this stage (rows as given by `rows`, columns = criteria).
    pub fn frame(self, results: &Results) -> &Frame {
        match self {
            Stage::Raw => &results.stages.raw,
            Stage::Denominated => &results.stages.denominated,
            Stage::Imputed => &results.stages.imputed,
            Stage::Screened => &results.stages.screened,
            Stage::Treated => &results.stages.treated,
            Stage::Normalised => &results.criteria.score,
        }
    }

    /// True when the stage holds every jurisdiction, false when only the scored ones.
    pub(crate) fn all_jurisdictions(self) -> bool {
        matches!(self, Stage::Raw | Stage::Denominated | Stage::Imputed)
    }

    /// The jurisdiction index of each row of `frame`.
    pub(crate) fn rows(self, results: &Results) -> Vec<usize> {
        if self.all_jurisdictions() {
            (0..results.stages.raw.nrow).collect()
        } else {
            results.units.clone()
        }
    }
}

/// A member's column in COINr's `Aggregated` data set: a criterion's normalised score or a
/// node's score, over the scored jurisdictions.
pub fn aggregated_column(results: &Results, member: Member) -> &[Option<f64>] {
    match member {
        Member::Criterion(c) => results.criteria.score.col(c),
        Member::Node(k) => results.nodes.score.col(k),
    }
}

/// `Some(x)` when `x` is finite.
pub(crate) fn some_finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
