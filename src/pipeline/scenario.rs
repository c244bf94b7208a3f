//! What-if runs: a [`Scenario`] of typed changes to a scored run's settings, regenerated from the
//! earliest step it touches on the run's cached stages.
//!
//! A change to a setting, a weight, an exclusion or a rule's values patches a copy of the run's
//! `Params` (and, for a rule, its criterion values); only a structural change re-reads the rubric
//! files and scores again from the start. Every failure comes back as a [`ScenarioError`] with its
//! reason. Leave-one-out, `compare` attribution and the sensitivity factors all run on this.

use std::path::Path;
use std::sync::{Arc, RwLock};

use crate::base::frame::Frame;
use crate::error::{InputError, Problem};
use crate::rubric::settings::{
    AggregateMethod, AggregateSpec, ImputeMethod, ImputeSpec, NaChild, NormaliseMethod,
    NormaliseSpec, RankTies, ScreenMethod, ScreenSpec, Ties, TreatMethod, TreatSpec,
};
use crate::rubric::{LoadOptions, Member};
use crate::rules::CriterionValues;

use super::{Params, Pipeline, Scored, StageData, Step};

/// Which fields of a settings struct a change sets, one bit per field in declaration order.
pub type Fields = u16;

/// Field-wise patching of a settings struct: copy only the fields a change sets.
pub trait Patch: Clone + PartialEq {
    /// The fields' names, in declaration order.
    const NAMES: &'static [&'static str];
    /// The fields in which `to` differs from `self`.
    fn differing(&self, to: &Self) -> Fields;
    /// Copies the fields in `fields` from `src`.
    fn patch(&mut self, src: &Self, fields: Fields);
}

/// Equality of settings bit for bit: numbers by their bits (so 0 and -0, which compare equal but
/// can give different results, are told apart, and a NaN equals itself), the rest by value.
pub trait Same {
    /// True when `self` and `other` are the same setting, bit for bit.
    fn same(&self, other: &Self) -> bool;
}

impl Same for f64 {
    fn same(&self, other: &Self) -> bool {
        self.to_bits() == other.to_bits()
    }
}

macro_rules! same_by_value {
    ($($t:ty),+) => {
        $(impl Same for $t {
            fn same(&self, other: &Self) -> bool {
                self == other
            }
        })+
    };
}

same_by_value!(
    bool,
    u32,
    String,
    ImputeMethod,
    ScreenMethod,
    TreatMethod,
    NormaliseMethod,
    Ties,
    AggregateMethod,
    NaChild
);

impl<T: Same> Same for Option<T> {
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.same(b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl<T: Same, const N: usize> Same for [T; N] {
    fn same(&self, other: &Self) -> bool {
        self.iter().zip(other).all(|(a, b)| a.same(b))
    }
}

impl<T: Same> Same for Vec<T> {
    fn same(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.same(b))
    }
}

macro_rules! patch_fields {
    ($t:ty: $($f:ident),+) => {
        impl Same for $t {
            fn same(&self, other: &Self) -> bool {
                $(self.$f.same(&other.$f))&&+
            }
        }
        impl Patch for $t {
            const NAMES: &'static [&'static str] = &[$(stringify!($f)),+];
            fn differing(&self, to: &Self) -> Fields {
                // Naming every field makes a field added to the struct a compile error here.
                let Self { $($f: _),+ } = self;
                let mut bits = 0;
                let mut bit = 1;
                $(
                    if self.$f != to.$f {
                        bits |= bit;
                    }
                    bit <<= 1;
                )+
                let _ = bit;
                bits
            }
            fn patch(&mut self, src: &Self, fields: Fields) {
                let mut bit = 1;
                $(
                    if fields & bit != 0 {
                        self.$f = src.$f.clone();
                    }
                    bit <<= 1;
                )+
                let _ = bit;
            }
        }
    };
}

patch_fields!(ImputeSpec: method, group);
patch_fields!(ScreenSpec: method, dat_thresh, nonzero_thresh, include, exclude);
patch_fields!(TreatSpec: method, winmax, skew_thresh, kurt_thresh, pass_skew_thresh, pass_kurt_thresh, force_win, fallback, combine, lambda);
patch_fields!(NormaliseSpec: method, l_u, m_sd, npara, scale_factor, iref, cap_max, gposts, trunc2posts, ties);
patch_fields!(AggregateSpec: method, p, dat_thresh, min_coverage, na_child);

/// One typed change to a run.
#[derive(Debug, Clone)]
pub enum Change {
    /// Denominate or not.
    Denominate(bool),
    /// Imputation: the fields set, taken from the spec.
    Impute(ImputeSpec, Fields),
    /// Screening.
    Screen(ScreenSpec, Fields),
    /// A criterion's treatment (`None`: none, replacing the whole setting).
    Treat(usize, Option<TreatSpec>, Fields),
    /// A criterion's normalisation (`None`: none, replacing the whole setting).
    Normalise(usize, Option<NormaliseSpec>, Fields),
    /// A node's weight.
    NodeWeight(usize, f64),
    /// A criterion's weight.
    CriterionWeight(usize, f64),
    /// A criterion or node left out (weight 0), whatever weight other changes give it.
    Exclude(Member),
    /// A node's aggregation.
    Aggregate(usize, AggregateSpec, Fields),
    /// The aggregation of facet values and cells.
    GroupAggregate(AggregateSpec, Fields),
    /// Replacement criterion values (a changed rule's table or levels), evaluated once.
    Column(usize, Arc<Vec<Option<f64>>>),
    /// Settings as `--set` text that no typed change expresses (a parent, the scale, the
    /// fields): the rubric files are read again with them and everything is scored again.
    Rubric(Vec<String>),
}

fn patch_opt<T: Patch>(slot: &mut Option<T>, src: &Option<T>, fields: Fields) {
    match (slot.as_mut(), src) {
        (Some(s), Some(v)) => s.patch(v, fields),
        _ => *slot = src.clone(),
    }
}

impl Change {
    /// The earliest pipeline step the change affects.
    pub fn step(&self) -> Step {
        match self {
            Change::Denominate(_) | Change::Column(..) | Change::Rubric(_) => Step::Denominate,
            Change::Impute(..) => Step::Impute,
            Change::Screen(..) => Step::Screen,
            Change::Treat(..) => Step::Treat,
            Change::Normalise(..) => Step::Normalise,
            Change::NodeWeight(..)
            | Change::CriterionWeight(..)
            | Change::Exclude(_)
            | Change::Aggregate(..)
            | Change::GroupAggregate(..) => Step::Aggregate,
        }
    }

    /// Applies the change; replacement columns are collected separately, and a structural change
    /// is left to [`Baseline::apply`]. Exclusions are applied by `apply_all` after every other
    /// change.
    pub fn apply(&self, p: &mut Params, columns: &mut Vec<(usize, Arc<Vec<Option<f64>>>)>) {
        match self {
            Change::Denominate(b) => p.denominate = *b,
            Change::Impute(s, f) => p.impute.patch(s, *f),
            Change::Screen(s, f) => p.screen.patch(s, *f),
            Change::Treat(c, s, f) => patch_opt(&mut p.treat[*c], s, *f),
            Change::Normalise(c, s, f) => patch_opt(&mut p.normalise[*c], s, *f),
            Change::NodeWeight(k, w) => p.node_weights[*k] = *w,
            Change::CriterionWeight(c, w) => p.criterion_weights[*c] = *w,
            Change::Exclude(Member::Node(k)) => p.node_weights[*k] = 0.0,
            Change::Exclude(Member::Criterion(c)) => p.criterion_weights[*c] = 0.0,
            Change::Aggregate(k, s, f) => p.aggregate[*k].patch(s, *f),
            Change::GroupAggregate(s, f) => p.group_aggregate.patch(s, *f),
            Change::Column(c, v) => columns.push((*c, v.clone())),
            Change::Rubric(_) => {}
        }
    }

    /// The criterion or node the change names, if any.
    fn member(&self) -> Option<Member> {
        match self {
            Change::Treat(c, ..)
            | Change::Normalise(c, ..)
            | Change::CriterionWeight(c, _)
            | Change::Column(c, _) => Some(Member::Criterion(*c)),
            Change::NodeWeight(k, _) | Change::Aggregate(k, ..) => Some(Member::Node(*k)),
            Change::Exclude(m) => Some(*m),
            _ => None,
        }
    }
}

/// Applies changes to `params`: every setting first, then the exclusions, so that a change
/// leaving a criterion out is not undone by another change's weights.
pub fn apply_all(
    changes: &[Change],
    params: &mut Params,
    columns: &mut Vec<(usize, Arc<Vec<Option<f64>>>)>,
) {
    for c in changes.iter().filter(|c| !matches!(c, Change::Exclude(_))) {
        c.apply(params, columns);
    }
    for c in changes.iter().filter(|c| matches!(c, Change::Exclude(_))) {
        c.apply(params, columns);
    }
}

/// A list of changes applied together.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    /// The changes, in order (a later setting of the same field wins).
    pub changes: Vec<Change>,
}

impl Scenario {
    /// A scenario of these changes.
    pub fn new(changes: Vec<Change>) -> Scenario {
        Scenario { changes }
    }

    /// A scenario of one change.
    pub fn one(change: Change) -> Scenario {
        Scenario {
            changes: vec![change],
        }
    }

    /// The earliest step any change touches (`Aggregate` when there is none).
    pub fn step(&self) -> Step {
        self.changes
            .iter()
            .map(Change::step)
            .min()
            .unwrap_or(Step::Aggregate)
    }
}

/// Why a scenario gave no result.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ScenarioError {
    /// A step refused the changed settings (a geometric mean meeting a zero, a screen that
    /// removes every jurisdiction).
    #[error("{}", .0.message)]
    Step(Problem),
    /// The rubric read again for a structural change, or scoring it, was refused.
    #[error("{0}")]
    Rubric(InputError),
    /// The scenario cannot be applied as written.
    #[error("{0}")]
    Unusable(String),
}

impl From<ScenarioError> for InputError {
    fn from(e: ScenarioError) -> Self {
        match e {
            ScenarioError::Step(p) => InputError::one(p),
            ScenarioError::Rubric(e) => e,
            ScenarioError::Unusable(why) => InputError::one(Problem::new(why)),
        }
    }
}

/// What a scenario regenerated: every node's score over the jurisdictions kept.
#[derive(Debug, Clone)]
pub struct Regenerated {
    /// The jurisdictions kept by the screen (rows of `nodes`), as positions in the inputs' list.
    pub units: Arc<Vec<usize>>,
    /// Every node's score (columns in rubric order; the index is column 0).
    pub nodes: Frame,
    /// How the run ranks ties.
    pub ties: RankTies,
}

impl Regenerated {
    /// The index score of every kept jurisdiction (rows as in `units`).
    pub fn index_scores(&self) -> &[Option<f64>] {
        self.nodes.col(0)
    }

    /// A node's score for each of the inputs' `jurisdictions` (`None` where screened out).
    pub fn node_scores(&self, node: usize, jurisdictions: usize) -> Vec<Option<f64>> {
        let mut out = vec![None; jurisdictions];
        for (i, &u) in self.units.iter().enumerate() {
            out[u] = self.nodes.get(i, node);
        }
        out
    }
}

/// Where the rubric of a run is read from, for a structural change.
#[derive(Debug, Clone, Copy)]
pub struct RubricSource<'a> {
    /// The rubric file.
    pub path: &'a Path,
    /// How it was loaded.
    pub load: &'a LoadOptions,
}

/// A scored run ready for scenarios: its settings and every step's output, computed once.
pub struct Baseline<'a> {
    scored: &'a Scored,
    pipeline: Pipeline<'a>,
    params: Params,
    cache: StageData,
    source: Option<RubricSource<'a>>,
    /// The steps' output (or their refusal) for settings of the steps before aggregation already
    /// met, so that scenarios sharing them (a sensitivity design's few treatment x normalisation
    /// alternatives, thousands of times) aggregate on it instead of computing it again.
    memo: RwLock<Vec<(StageKey, Result<StageData, Problem>)>>,
}

/// The most settings of the steps before aggregation a baseline keeps the output of.
const MEMO_ENTRIES: usize = 32;

/// The settings the steps before aggregation use: equal (bit for bit) keys give equal output on
/// the same criterion values.
struct StageKey {
    denominate: bool,
    impute: ImputeSpec,
    screen: ScreenSpec,
    treat: Vec<Option<TreatSpec>>,
    normalise: Vec<Option<NormaliseSpec>>,
}

impl StageKey {
    fn of(p: &Params) -> StageKey {
        StageKey {
            denominate: p.denominate,
            impute: p.impute.clone(),
            screen: p.screen.clone(),
            treat: p.treat.clone(),
            normalise: p.normalise.clone(),
        }
    }

    /// True when `p` has these settings. Criterion by criterion, treatment and normalisation
    /// together, so that keys differing in every criterion (a design's alternatives) part at
    /// the first.
    fn matches(&self, p: &Params) -> bool {
        self.denominate == p.denominate
            && self.treat.len() == p.treat.len()
            && self.normalise.len() == p.normalise.len()
            && self
                .treat
                .iter()
                .zip(&p.treat)
                .zip(self.normalise.iter().zip(&p.normalise))
                .all(|((t, pt), (n, pn))| t.same(pt) && n.same(pn))
            && self.impute.same(&p.impute)
            && self.screen.same(&p.screen)
    }
}

impl<'a> Baseline<'a> {
    /// Runs every step of `scored` once with its rubric's settings.
    pub fn new(scored: &'a Scored) -> Result<Baseline<'a>, ScenarioError> {
        let pipeline = Pipeline::new(&scored.rubric, &scored.inputs, &scored.values);
        let params = Params::from_rubric(&scored.rubric);
        let cache = pipeline
            .stages(&params, Step::Denominate, None)
            .map_err(ScenarioError::Step)?;
        Ok(Baseline {
            scored,
            pipeline,
            params,
            cache,
            source: None,
            memo: RwLock::new(Vec::new()),
        })
    }

    /// Lets structural changes re-read the rubric from `source`.
    pub fn with_source(mut self, source: RubricSource<'a>) -> Baseline<'a> {
        self.source = Some(source);
        self
    }

    /// The run's own settings.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The run.
    pub fn scored(&self) -> &'a Scored {
        self.scored
    }

    /// Regenerates the run with the scenario's changes, from the earliest step they touch, on
    /// the cached output of the steps before it.
    pub fn apply(&self, scenario: &Scenario) -> Result<Regenerated, ScenarioError> {
        let rubric = &self.scored.rubric;
        let ties = rubric.pipeline.rank.ties;
        if let Some(sets) = scenario.changes.iter().find_map(|c| match c {
            Change::Rubric(sets) => Some(sets),
            _ => None,
        }) {
            if scenario.changes.len() > 1 {
                return Err(ScenarioError::Unusable(
                    "a change to the rubric's structure cannot be combined with other changes, which name criteria and nodes by their place in the old structure".to_string(),
                ));
            }
            return self.rescore(sets);
        }
        for member in scenario.changes.iter().filter_map(Change::member) {
            let (what, at, len) = match member {
                Member::Criterion(c) => ("criterion", c, rubric.criteria.len()),
                Member::Node(k) => ("node", k, rubric.nodes.len()),
            };
            if at >= len {
                return Err(ScenarioError::Unusable(format!(
                    "a change names {what} number {} of a rubric with {len}",
                    at + 1
                )));
            }
        }
        let mut params = self.params.clone();
        let mut columns: Vec<(usize, Arc<Vec<Option<f64>>>)> = Vec::new();
        apply_all(&scenario.changes, &mut params, &mut columns);
        if columns.is_empty() {
            let from = scenario.step();
            if from == Step::Aggregate {
                return self.finish(&self.pipeline, &params, &self.cache, ties);
            }
            let data = self.stages(&params, from).map_err(ScenarioError::Step)?;
            return self.finish(&self.pipeline, &params, &data, ties);
        }
        // A changed rule: every step again, on the replaced criterion values.
        let mut values: CriterionValues = self.scored.values.clone();
        for (c, col) in &columns {
            values.values.col_mut(*c).copy_from_slice(col);
        }
        let pipeline = Pipeline::new(rubric, &self.scored.inputs, &values);
        let data = pipeline
            .stages(&params, Step::Denominate, None)
            .map_err(ScenarioError::Step)?;
        self.finish(&pipeline, &params, &data, ties)
    }

    /// The steps' output for `params` from `from` on the cached stages, computed once per
    /// distinct setting of the steps before aggregation.
    fn stages(&self, params: &Params, from: Step) -> Result<StageData, Problem> {
        let find = |memo: &[(StageKey, Result<StageData, Problem>)]| {
            memo.iter()
                .find(|(key, _)| key.matches(params))
                .map(|(_, data)| data.clone())
        };
        if let Some(found) = self.memo.read().ok().and_then(|memo| find(&memo)) {
            return found;
        }
        let data = self.pipeline.stages(params, from, Some(&self.cache));
        if let Ok(mut memo) = self.memo.write()
            && memo.len() < MEMO_ENTRIES
            && find(&memo).is_none()
        {
            memo.push((StageKey::of(params), data.clone()));
        }
        data
    }

    fn finish(
        &self,
        pipeline: &Pipeline<'_>,
        params: &Params,
        data: &StageData,
        ties: RankTies,
    ) -> Result<Regenerated, ScenarioError> {
        let (nodes, _) = pipeline
            .aggregate(params, data)
            .map_err(ScenarioError::Step)?;
        Ok(Regenerated {
            units: data.units.clone(),
            nodes,
            ties,
        })
    }

    /// A structural change: the rubric read again with the extra settings, scored from the start.
    fn rescore(&self, sets: &[String]) -> Result<Regenerated, ScenarioError> {
        let Some(source) = self.source else {
            return Err(ScenarioError::Unusable(format!(
                "`{}` changes the rubric's structure, which needs the rubric file to read again",
                sets.join("`, `")
            )));
        };
        let mut overrides = source.load.overrides.clone();
        overrides.extend(sets.iter().cloned());
        let rubric = crate::rubric::load(
            source.path,
            &LoadOptions {
                overrides,
                ..source.load.clone()
            },
        )
        .map_err(ScenarioError::Rubric)?;
        let scored = super::score(rubric, self.scored.inputs.clone(), self.scored.as_of)
            .map_err(ScenarioError::Rubric)?;
        let ties = scored.rubric.pipeline.rank.ties;
        let results = scored.results;
        Ok(Regenerated {
            units: Arc::new(results.units),
            nodes: results.nodes.score,
            ties,
        })
    }
}
