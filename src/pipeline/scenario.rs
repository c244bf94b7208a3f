//! What-if runs: a [`Scenario`] of typed changes to a scored run's settings, regenerated from the
//! earliest step it touches on the run's cached stages.
//!
//! A change to a setting, a weight, an exclusion or a rule's values patches a copy of the run's
//! `Params` (and, for a rule, its criterion values); only a structural change validates the rubric
//! again (from the text it was read from) and scores again from the start. Every failure comes back as a [`ScenarioError`] with its
//! reason. Leave-one-out, `compare` attribution and the sensitivity factors all run on this.

use std::sync::{Arc, RwLock};

use crate::base::frame::Frame;
use crate::error::{InputError, Problem};
use crate::rubric::settings::{
    AggregateMethod, AggregateSpec, ImputeMethod, ImputeSpec, NaChild, NormaliseMethod,
    NormaliseSpec, RankTies, ScreenMethod, ScreenSpec, Ties, TreatMethod, TreatSpec,
};
use crate::rubric::{Member, Rubric};
use crate::rules::CriterionValues;

use super::checked::Changed;
use super::{Checked, Params, Pipeline, Scored, StageData, Step};

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
pub(crate) trait Same {
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

impl<T: Same> Same for [T] {
    fn same(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.same(b))
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
    /// fields), with the rubric they give, validated once when the change was made: everything
    /// is scored again on it.
    Rubric(Vec<String>, Arc<Rubric>),
}

fn patch_opt<T: Patch>(slot: &mut Option<T>, src: &Option<T>, fields: Fields) {
    match (slot.as_mut(), src) {
        (Some(s), Some(v)) => s.patch(v, fields),
        _ => *slot = src.clone(),
    }
}

impl Change {
    /// The structural change that `sets` (as `--set` text) make to `rubric`: the rubric validated
    /// again with them (from the text it was read from, no file read again), here, once.
    pub fn rubric(rubric: &Rubric, sets: &[String]) -> Result<Change, InputError> {
        Ok(Change::Rubric(
            sets.to_vec(),
            Arc::new(rubric.variant(sets)?),
        ))
    }

    /// The earliest pipeline step the change affects.
    pub fn step(&self) -> Step {
        match self {
            Change::Denominate(_) | Change::Column(..) | Change::Rubric(..) => Step::Denominate,
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
            Change::Rubric(..) => {}
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
    apply_each(changes.iter(), params, columns);
}

/// [`apply_all`] of changes held anywhere.
fn apply_each<'c>(
    changes: impl Iterator<Item = &'c Change> + Clone,
    params: &mut Params,
    columns: &mut Vec<(usize, Arc<Vec<Option<f64>>>)>,
) {
    for c in changes.clone().filter(|c| !matches!(c, Change::Exclude(_))) {
        c.apply(params, columns);
    }
    for c in changes.filter(|c| matches!(c, Change::Exclude(_))) {
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

/// A scored run ready for scenarios: its settings and every step's output, computed once.
pub struct Baseline<'a> {
    scored: &'a Scored,
    pipeline: Pipeline<'a>,
    /// The run's settings, checked against its inputs once.
    checked: Checked,
    /// The [`Fields`] bits of the settings that name something in the inputs: the screen's
    /// lists, and a normalisation's method and reference jurisdiction.
    named: (Fields, Fields),
    cache: StageData,
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
        let checked = pipeline
            .check(&Params::from_rubric(&scored.rubric))
            .map_err(ScenarioError::Rubric)?;
        let cache = pipeline
            .stages(&checked, Step::Denominate, None)
            .map_err(ScenarioError::Step)?;
        let bits = |names: &[&str], of: [&str; 2]| -> Fields {
            names
                .iter()
                .enumerate()
                .filter(|(_, n)| of.contains(n))
                .fold(0, |b, (i, _)| b | 1 << i)
        };
        Ok(Baseline {
            scored,
            pipeline,
            checked,
            named: (
                bits(ScreenSpec::NAMES, ["include", "exclude"]),
                bits(NormaliseSpec::NAMES, ["method", "iref"]),
            ),
            cache,
            memo: RwLock::new(Vec::new()),
        })
    }

    /// The scenario that `--set` texts are: the run's rubric validated again with them (from
    /// the text it was read from, no file read again), then the typed changes from the run's
    /// rubric to that one. A variant the typed changes cannot express (see [`variant_changes`])
    /// is one structural [`Change::Rubric`], scored again from the start. The changed settings
    /// are checked against the run's inputs here, once: a name they do not have (a reference
    /// jurisdiction, a group column, a screened code) is refused with the setting's key.
    pub fn settings(&self, sets: &[String]) -> Result<Scenario, ScenarioError> {
        let variant = self
            .scored
            .rubric
            .variant(sets)
            .map_err(ScenarioError::Rubric)?;
        match variant_changes(self.scored, self.params(), &variant)? {
            Variant::Typed(changes) => {
                // Checked on the variant, so that a key names the setting as the variant has it
                // (a criterion's own `normalise` or the pipeline's).
                let variant = Pipeline::new(&variant, &self.scored.inputs, &self.scored.values);
                self.check_on(&variant, &changes)?;
                Ok(Scenario::new(changes))
            }
            Variant::Structural(_) => Ok(Scenario::one(Change::Rubric(
                sets.to_vec(),
                Arc::new(variant),
            ))),
        }
    }

    /// Checks typed changes against the run's inputs once, before they are applied (perhaps many
    /// times): every name the changed settings hold must resolve. The problems name the keys.
    pub fn check(&self, changes: &[Change]) -> Result<(), ScenarioError> {
        self.check_on(&self.pipeline, changes)
    }

    /// The run's settings with `changes` applied, checked against `pipeline`'s rubric and inputs.
    fn check_on(&self, pipeline: &Pipeline<'_>, changes: &[Change]) -> Result<(), ScenarioError> {
        let mut params = self.params().clone();
        apply_all(changes, &mut params, &mut Vec::new());
        pipeline
            .check(&params)
            .map(|_| ())
            .map_err(ScenarioError::Rubric)
    }

    /// The run's own settings.
    pub fn params(&self) -> &Params {
        self.checked.params()
    }

    /// The named settings that `changes` touch, which must be resolved again.
    fn changed<'c>(&self, changes: impl Iterator<Item = &'c Change>) -> Changed {
        let (screen_lists, normalise_ref) = self.named;
        let mut changed = Changed::default();
        for change in changes {
            match change {
                Change::Impute(_, f) => changed.impute |= *f != 0,
                Change::Screen(_, f) => changed.screen |= *f & screen_lists != 0,
                Change::Normalise(c, s, f) => {
                    let whole =
                        s.is_none() || self.params().normalise.get(*c).is_none_or(Option::is_none);
                    if whole || *f & normalise_ref != 0 {
                        changed.normalise.push(*c);
                    }
                }
                _ => {}
            }
        }
        changed
    }

    /// The run.
    pub fn scored(&self) -> &'a Scored {
        self.scored
    }

    /// Regenerates the run with the scenario's changes, from the earliest step they touch, on
    /// the cached output of the steps before it.
    pub fn apply(&self, scenario: &Scenario) -> Result<Regenerated, ScenarioError> {
        self.apply_parts(&[&scenario.changes])
    }

    /// [`Baseline::apply`] of the scenario whose changes are these lists' changes in order
    /// (each factor's, in a sensitivity design), without copying them into one.
    pub fn apply_parts(&self, parts: &[&[Change]]) -> Result<Regenerated, ScenarioError> {
        let rubric = &self.scored.rubric;
        let ties = rubric.pipeline.rank.ties;
        let changes = || parts.iter().flat_map(|p| p.iter());
        if let Some(variant) = changes().find_map(|c| match c {
            Change::Rubric(_, variant) => Some(variant),
            _ => None,
        }) {
            if changes().count() > 1 {
                return Err(ScenarioError::Unusable(
                    "a change to the rubric's structure cannot be combined with other changes, which name criteria and nodes by their place in the old structure".to_string(),
                ));
            }
            return self.rescore(variant);
        }
        for member in changes().filter_map(Change::member) {
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
        let mut params = self.params().clone();
        let mut columns: Vec<(usize, Arc<Vec<Option<f64>>>)> = Vec::new();
        apply_each(changes(), &mut params, &mut columns);
        if columns.is_empty() {
            let from = changes().map(Change::step).min().unwrap_or(Step::Aggregate);
            if from == Step::Aggregate {
                return self.finish(&self.pipeline, &params, &self.cache, ties);
            }
            let data = self
                .stages(&params, || self.changed(changes()), from)
                .map_err(ScenarioError::Step)?;
            return self.finish(&self.pipeline, &params, &data, ties);
        }
        // A changed rule: every step again, on the replaced criterion values.
        let mut values: CriterionValues = self.scored.values.clone();
        let frame = Arc::make_mut(&mut values.values);
        for (c, col) in &columns {
            frame.col_mut(*c).copy_from_slice(col);
        }
        let pipeline = self.pipeline.on_values(&values);
        let names = pipeline
            .rebind(&self.checked, &params, self.changed(changes()))
            .map_err(ScenarioError::Step)?;
        let data = pipeline
            .stages_named(&params, &names, Step::Denominate, None)
            .map_err(ScenarioError::Step)?;
        self.finish(&pipeline, &params, &data, ties)
    }

    /// The steps' output for `params` from `from` on the cached stages, computed once per
    /// distinct setting of the steps before aggregation: only then are the names that the
    /// `changed` settings hold resolved again (the others come from the run's checked settings).
    fn stages(
        &self,
        params: &Params,
        changed: impl FnOnce() -> Changed,
        from: Step,
    ) -> Result<StageData, Problem> {
        let find = |memo: &[(StageKey, Result<StageData, Problem>)]| {
            memo.iter()
                .find(|(key, _)| key.matches(params))
                .map(|(_, data)| data.clone())
        };
        if let Some(found) = self.memo.read().ok().and_then(|memo| find(&memo)) {
            return found;
        }
        let data = self
            .pipeline
            .rebind(&self.checked, params, changed())
            .and_then(|names| {
                self.pipeline
                    .stages_named(params, &names, from, Some(&self.cache))
            });
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
            .aggregate_reusing(params, data)
            .map_err(ScenarioError::Step)?;
        Ok(Regenerated {
            units: data.units.clone(),
            nodes,
            ties,
        })
    }

    /// A structural change: the variant rubric (validated when the change was made) scored from
    /// the start.
    fn rescore(&self, variant: &Rubric) -> Result<Regenerated, ScenarioError> {
        let scored = super::score(
            variant.clone(),
            self.scored.inputs.clone(),
            self.scored.as_of,
        )
        .map_err(ScenarioError::Rubric)?;
        let ties = scored.rubric.pipeline.rank.ties;
        let results = scored.results;
        Ok(Regenerated {
            units: Arc::new(results.units),
            nodes: Arc::try_unwrap(results.nodes.score).unwrap_or_else(|shared| (*shared).clone()),
            ties,
        })
    }
}

/// How a variant of a run's rubric (the same rubric with other settings) differs from it.
#[derive(Debug, Clone)]
pub(crate) enum Variant {
    /// Typed changes on the run's cached stages give the variant's scores.
    Typed(Vec<Change>),
    /// The variant differs in something the steps read from the rubric itself, not from the
    /// settings (the tree, the evidence fields, a criterion's direction, denominator, target or
    /// kind of rule, the scale, the grid, how ranks tie): it has to be scored from the start.
    /// The text says what differs.
    Structural(String),
}

/// The typed changes from the run's rubric (with settings `nominal`) to `variant`: every
/// setting, weight and aggregation that differs, and the replacement values of each criterion
/// whose rule now gives other values (found by evaluating the variant's rules on the run's
/// evidence and comparing bit for bit, so that no change of a rule's table, bands, levels,
/// instruments or horizon is missed).
pub(crate) fn variant_changes(
    scored: &Scored,
    nominal: &Params,
    variant: &Rubric,
) -> Result<Variant, ScenarioError> {
    if let Some(why) = structural_difference(&scored.rubric, variant) {
        return Ok(Variant::Structural(why));
    }
    let ap = Params::from_rubric(variant);
    let mut ops = Vec::new();
    if ap.denominate != nominal.denominate {
        ops.push(Change::Denominate(ap.denominate));
    }
    if ap.impute != nominal.impute {
        ops.push(Change::Impute(
            ap.impute.clone(),
            nominal.impute.differing(&ap.impute),
        ));
    }
    if ap.screen != nominal.screen {
        ops.push(Change::Screen(
            ap.screen.clone(),
            nominal.screen.differing(&ap.screen),
        ));
    }
    fn fields_of<T: Patch>(from: &Option<T>, to: &Option<T>) -> Fields {
        match (from, to) {
            (Some(a), Some(b)) => a.differing(b),
            _ => Fields::MAX,
        }
    }
    for c in 0..variant.criteria.len() {
        if ap.treat[c] != nominal.treat[c] {
            let f = fields_of(&nominal.treat[c], &ap.treat[c]);
            ops.push(Change::Treat(c, ap.treat[c].clone(), f));
        }
        if ap.normalise[c] != nominal.normalise[c] {
            let f = fields_of(&nominal.normalise[c], &ap.normalise[c]);
            ops.push(Change::Normalise(c, ap.normalise[c].clone(), f));
        }
        if ap.criterion_weights[c] != nominal.criterion_weights[c] {
            ops.push(Change::CriterionWeight(c, ap.criterion_weights[c]));
        }
    }
    for k in 0..variant.nodes.len() {
        if ap.node_weights[k] != nominal.node_weights[k] {
            ops.push(Change::NodeWeight(k, ap.node_weights[k]));
        }
        if ap.aggregate[k] != nominal.aggregate[k] {
            let f = nominal.aggregate[k].differing(&ap.aggregate[k]);
            ops.push(Change::Aggregate(k, ap.aggregate[k].clone(), f));
        }
    }
    if ap.group_aggregate != nominal.group_aggregate {
        let f = nominal.group_aggregate.differing(&ap.group_aggregate);
        ops.push(Change::GroupAggregate(ap.group_aggregate.clone(), f));
    }
    let values = crate::rules::evaluate(variant, &scored.inputs, scored.results.date)
        .map_err(ScenarioError::Rubric)?;
    let bits = |col: &[Option<f64>]| -> Vec<Option<u64>> {
        col.iter().map(|v| v.map(f64::to_bits)).collect()
    };
    for c in 0..variant.criteria.len() {
        let (now, then) = (values.values.col(c), scored.values.values.col(c));
        if bits(now) != bits(then) {
            ops.push(Change::Column(c, Arc::new(now.to_vec())));
        }
    }
    Ok(Variant::Typed(ops))
}

/// What, if anything, differs between two rubrics that the steps read from the rubric itself
/// rather than from the settings a [`Change`] patches.
fn structural_difference(base: &Rubric, alt: &Rubric) -> Option<String> {
    let same_tree = base.nodes.len() == alt.nodes.len()
        && base.criteria.len() == alt.criteria.len()
        && base
            .nodes
            .iter()
            .zip(&alt.nodes)
            .all(|(a, b)| a.id == b.id && a.parent == b.parent)
        && base
            .criteria
            .iter()
            .zip(&alt.criteria)
            .all(|(a, b)| a.id == b.id && a.parent == b.parent && a.facets == b.facets);
    if !same_tree {
        return Some(
            "it changes the rubric's structure (nodes, criteria, parents or facets)".to_string(),
        );
    }
    let same_fields = base.fields.len() == alt.fields.len()
        && base
            .fields
            .iter()
            .zip(&alt.fields)
            .all(|(a, b)| a.name == b.name && a.kind == b.kind);
    if !same_fields {
        return Some("it changes what an evidence field holds".to_string());
    }
    if base.meta.scale != alt.meta.scale {
        return Some("it changes the rubric's scale".to_string());
    }
    if base.grid != alt.grid {
        return Some("it changes the rubric's grid".to_string());
    }
    if base.pipeline.weights.pca() != alt.pipeline.weights.pca() {
        return Some(
            "it changes `pipeline.weights`, which derives every weight from the data".to_string(),
        );
    }
    if base.pipeline.rank.ties != alt.pipeline.rank.ties {
        return Some("it changes how ranks tie (`pipeline.rank.ties`)".to_string());
    }
    for (a, b) in base.criteria.iter().zip(&alt.criteria) {
        let what = if a.rule.on_scale() != b.rule.on_scale() {
            "whether its rule scores on the scale or passes a raw number"
        } else if a.direction != b.direction && !a.rule.on_scale() {
            "the direction of a raw number the steps normalise"
        } else if a.denominator != b.denominator || a.scale_factor != b.scale_factor {
            "its denominator"
        } else if a.target != b.target {
            "its target"
        } else {
            continue;
        };
        return Some(format!("it changes criterion `{}`: {what}", a.id));
    }
    None
}
