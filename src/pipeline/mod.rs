//! The pipeline between criterion values and scores, in COINr's order: denominate, impute,
//! screen, treat, normalise, aggregate, rank. Each step is a pure function on columns in its own
//! module; `run` strings them together and computes coverage; `scenario` reruns them from the
//! earliest step a what-if change touches.

pub mod aggregate;
pub mod checked;
pub mod denominate;
pub mod impute;
pub mod results;
pub mod scenario;
mod scored;
pub mod screen;
pub mod treat;

pub use scored::{Scored, score};

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::base::frame::Frame;
use crate::error::{InputError, Problem, Problems};
use crate::evidence::Inputs;
use crate::rubric::settings::{self, AggregateMethod, AggregateSpec};
use crate::rubric::{Member, Rubric, Rule};
use crate::rules::CriterionValues;
use aggregate::AggError;
pub use checked::Checked;
use checked::Places;
use results::{Results, Scores, Stages};

/// The settings the numeric steps use, resolved from a rubric: one treatment and normalisation
/// per numeric criterion, every weight, one aggregation per node. Sensitivity analysis perturbs
/// these directly instead of reloading the rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Divide numeric criteria by their denominators.
    pub denominate: bool,
    /// Imputation.
    pub impute: settings::ImputeSpec,
    /// Screening.
    pub screen: settings::ScreenSpec,
    /// Treatment per criterion (`None` for rule-scored criteria).
    pub treat: Vec<Option<settings::TreatSpec>>,
    /// Normalisation per criterion (`None` for rule-scored criteria).
    pub normalise: Vec<Option<settings::NormaliseSpec>>,
    /// Weight of every node (the root's is unused).
    pub node_weights: Vec<f64>,
    /// Weight of every criterion.
    pub criterion_weights: Vec<f64>,
    /// Aggregation of every node.
    pub aggregate: Vec<AggregateSpec>,
    /// Aggregation of facet values and grid cells.
    pub group_aggregate: AggregateSpec,
    /// Replace every node's child weights by the first principal component's loadings.
    pub pca_weights: Option<settings::WeightsMethod>,
}

impl Params {
    /// The rubric's own settings.
    pub fn from_rubric(rubric: &Rubric) -> Params {
        let spec = &rubric.pipeline;
        let numeric = |c: &crate::rubric::Criterion| matches!(c.rule, Rule::Numeric);
        Params {
            denominate: spec.denominate,
            impute: spec.impute.clone(),
            screen: spec.screen.clone(),
            treat: rubric
                .criteria
                .iter()
                .map(|c| numeric(c).then(|| c.treat.clone().unwrap_or_else(|| spec.treat.clone())))
                .collect(),
            normalise: rubric
                .criteria
                .iter()
                .map(|c| {
                    numeric(c).then(|| {
                        c.normalise
                            .clone()
                            .unwrap_or_else(|| spec.normalise.clone())
                    })
                })
                .collect(),
            node_weights: rubric.nodes.iter().map(|n| n.weight).collect(),
            criterion_weights: rubric.criteria.iter().map(|c| c.weight).collect(),
            aggregate: rubric
                .nodes
                .iter()
                .map(|n| {
                    n.aggregate
                        .clone()
                        .unwrap_or_else(|| spec.aggregate.clone())
                })
                .collect(),
            group_aggregate: spec.aggregate.clone(),
            pca_weights: spec.weights.pca(),
        }
    }

    /// Weight of a child of a node.
    pub(crate) fn weight(&self, m: Member) -> f64 {
        match m {
            Member::Node(i) => self.node_weights[i],
            Member::Criterion(i) => self.criterion_weights[i],
        }
    }

    /// Effective weight of every criterion in the index with these weights.
    pub(crate) fn effective_criterion_weights(&self, rubric: &Rubric) -> Vec<f64> {
        let mut node_w = vec![0.0; rubric.nodes.len()];
        let mut crit_w = vec![0.0; rubric.criteria.len()];
        node_w[0] = 1.0;
        for (n, node) in rubric.nodes.iter().enumerate() {
            let total: f64 = node.children.iter().map(|m| self.weight(*m)).sum();
            for m in &node.children {
                let s = if total > 0.0 {
                    self.weight(*m) / total
                } else {
                    0.0
                };
                match *m {
                    Member::Node(c) => node_w[c] = node_w[n] * s,
                    Member::Criterion(c) => crit_w[c] = node_w[n] * s,
                }
            }
        }
        crit_w
    }
}

/// The pipeline's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Divide by denominators.
    Denominate,
    /// Fill unknown values.
    Impute,
    /// Drop jurisdictions with too little data.
    Screen,
    /// Treat outliers.
    Treat,
    /// Normalise.
    Normalise,
    /// Aggregate.
    Aggregate,
}

/// Every step's output for one set of params: what later runs start from.
#[derive(Debug, Clone)]
pub struct StageData {
    /// After denominate (all jurisdictions).
    pub denominated: Arc<Frame>,
    /// After impute (all jurisdictions).
    pub imputed: Arc<Frame>,
    /// Availability of every jurisdiction.
    pub availability: Arc<Vec<screen::Availability>>,
    /// Jurisdictions kept by the screen.
    pub units: Arc<Vec<usize>>,
    /// After screen (kept jurisdictions).
    pub screened: Arc<Frame>,
    /// After treat.
    pub treated: Arc<Frame>,
    /// Treatment details per criterion.
    pub treatment: Arc<Vec<Option<treat::TreatDetail>>>,
    /// After normalise.
    pub normalised: Arc<Frame>,
    /// Criterion coverage (kept jurisdictions).
    pub coverage: Arc<Frame>,
    /// The natural logarithm of every normalised value, computed when a geometric mean first
    /// needs them and shared by every aggregation on these normalised values.
    pub logs: Arc<OnceLock<Frame>>,
    /// Scores and coverage of nodes, kept per setting of the node's aggregation, its children's
    /// weights and its children's own kept aggregations, for runs that meet that setting again
    /// on these normalised values (see [`Pipeline::aggregate_reusing`]).
    pub nodes: Arc<NodeMemo>,
}

/// Kept aggregations of nodes on one set of normalised values: a node's scores and coverage
/// for one setting of its aggregation, its children's weights (bit for bit) and its children's
/// own kept aggregations.
#[derive(Debug, Default)]
pub struct NodeMemo {
    entries: std::sync::RwLock<HashMap<NodeKey, Arc<NodeEntry>, KeyHash>>,
    /// The number the next entry gets.
    next: std::sync::atomic::AtomicU64,
}

/// A multiply-rotate hash of a [`NodeKey`]'s words: the keys are the memo's own, not an
/// attacker's, and a keyed hash of them cost as much as the aggregations it spares.
type KeyHash = std::hash::BuildHasherDefault<WordHasher>;

#[derive(Debug, Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in words.by_ref() {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            self.write_u64(u64::from_le_bytes(word));
        }
        for b in words.remainder() {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

/// The most node aggregations a [`NodeMemo`] keeps, per criterion of the data: each holds a
/// column's worth of scores, coverage and perhaps logarithms, so the memo stays within a few
/// times the size of the stages it sits beside.
const NODE_MEMO_PER_CRITERION: usize = 16;

/// What a node's aggregation depends on beyond the normalised values and their coverage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct NodeKey {
    node: usize,
    /// The aggregation's method, `p`, `dat_thresh`, `min_coverage` and `na_child`, as bits.
    spec: [u64; 5],
    /// The children's weights, as bits.
    weights: Vec<u64>,
    /// Each child node's kept aggregation, by its number (0 for a criterion).
    children: Vec<u64>,
}

impl NodeKey {
    fn new(node: usize, spec: &AggregateSpec, weights: &[f64], children: Vec<u64>) -> NodeKey {
        let opt = |v: Option<f64>| v.map_or(u64::MAX, f64::to_bits);
        NodeKey {
            node,
            spec: [
                spec.method as u64,
                opt(spec.p),
                opt(spec.dat_thresh),
                spec.min_coverage.to_bits(),
                spec.na_child as u64,
            ],
            weights: weights.iter().map(|w| w.to_bits()).collect(),
            children,
        }
    }
}

/// One node's kept aggregation.
#[derive(Debug)]
struct NodeEntry {
    /// Its number in the memo (from 1).
    id: u64,
    scores: Vec<Option<f64>>,
    cov: Vec<f64>,
    /// The logarithms of `scores`, computed when a geometric mean of its parent first needs them.
    logs: OnceLock<Vec<Option<f64>>>,
}

impl NodeMemo {
    fn find(&self, key: &NodeKey) -> Option<Arc<NodeEntry>> {
        self.entries.read().ok()?.get(key).cloned()
    }

    /// Keeps an aggregation (unless the memo is full) and gives its number.
    fn keep(
        &self,
        key: NodeKey,
        scores: Vec<Option<f64>>,
        cov: Vec<f64>,
        criteria: usize,
    ) -> Option<u64> {
        let mut entries = self.entries.write().ok()?;
        if let Some(e) = entries.get(&key) {
            return Some(e.id);
        }
        if entries.len() >= NODE_MEMO_PER_CRITERION * criteria.max(1) {
            return None;
        }
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        entries.insert(
            key,
            Arc::new(NodeEntry {
                id,
                scores,
                cov,
                logs: OnceLock::new(),
            }),
        );
        Some(id)
    }
}

/// The screen's output: every jurisdiction's availability, those kept, their data and coverage.
type Screened = (
    Arc<Vec<screen::Availability>>,
    Arc<Vec<usize>>,
    Arc<Frame>,
    Arc<Frame>,
);

/// The treatment's output: the data and what was done to each criterion.
type Treated = (Arc<Frame>, Arc<Vec<Option<treat::TreatDetail>>>);

/// The steps, runnable from any of them on cached earlier output.
pub struct Pipeline<'a> {
    rubric: &'a Rubric,
    inputs: &'a Inputs,
    raw: &'a Arc<Frame>,
    /// 1 where evidence gave a value, 0 where it did not, for every jurisdiction.
    coverage: Arc<Frame>,
    resolved: Arc<Resolved>,
    places: Arc<Places<'a>>,
}

/// What the steps look up by name, resolved once when the pipeline is made rather than on every
/// run: each criterion's denominator column, each group column's rows as numbers (the
/// names the settings hold are resolved by [`Pipeline::check`] into a [`Checked`]).
struct Resolved {
    /// Per criterion, its denominator's position in `denominators` (`None`: not divided, or a
    /// denominator the jurisdictions file lacks, which [`Pipeline::check`] refuses).
    denominator_of: Vec<Option<usize>>,
    /// Every denominator's column, in the jurisdictions file's order.
    denominators: Vec<Vec<Option<f64>>>,
    /// Every group column's rows as numbers, so that imputation compares numbers, not names.
    groups: Vec<Vec<Option<usize>>>,
}

impl Resolved {
    fn new(rubric: &Rubric, inputs: &Inputs) -> Resolved {
        let juris = &inputs.jurisdictions;
        let denominator_of = rubric
            .criteria
            .iter()
            .map(|crit| {
                let name = crit.denominator.as_ref()?;
                juris.denominator_names.iter().position(|x| x == name)
            })
            .collect();
        let denominators = (0..juris.denominator_names.len())
            .map(|k| juris.list.iter().map(|j| j.denominators[k]).collect())
            .collect();
        let groups = (0..juris.group_names.len())
            .map(|k| {
                // Numbered in order of first appearance.
                let mut names: HashMap<&str, usize> = HashMap::new();
                juris
                    .list
                    .iter()
                    .map(|j| {
                        let next = names.len();
                        j.groups[k]
                            .as_deref()
                            .map(|g| *names.entry(g).or_insert(next))
                    })
                    .collect()
            })
            .collect();
        Resolved {
            denominator_of,
            denominators,
            groups,
        }
    }
}

/// 1 where `raw` has a value, 0 where it has none.
fn coverage_of(raw: &Frame) -> Frame {
    raw.map(|v| Some(if v.is_some() { 1.0 } else { 0.0 }))
}

impl<'a> Pipeline<'a> {
    /// A pipeline over criterion values.
    pub fn new(
        rubric: &'a Rubric,
        inputs: &'a Inputs,
        values: &'a CriterionValues,
    ) -> Pipeline<'a> {
        Pipeline {
            rubric,
            inputs,
            raw: &values.values,
            coverage: Arc::new(coverage_of(&values.values)),
            resolved: Arc::new(Resolved::new(rubric, inputs)),
            places: Arc::new(Places::new(inputs)),
        }
    }

    /// The same pipeline over other criterion values (a changed rule's), sharing what was
    /// resolved by name, so that nothing is looked up again.
    fn on_values<'b>(&self, values: &'b CriterionValues) -> Pipeline<'b>
    where
        'a: 'b,
    {
        Pipeline {
            rubric: self.rubric,
            inputs: self.inputs,
            raw: &values.values,
            coverage: Arc::new(coverage_of(&values.values)),
            resolved: self.resolved.clone(),
            places: self.places.clone(),
        }
    }

    /// Checks the params against the inputs (denominator and group columns, reference and screened
    /// jurisdictions exist), resolving every name they hold once: the steps then index.
    pub fn check(&self, params: &Params) -> Result<Checked, InputError> {
        let juris = &self.inputs.jurisdictions;
        let mut problems = Problems::new();
        if params.denominate {
            for crit in &self.rubric.criteria {
                if let Some(d) = &crit.denominator
                    && !juris.denominator_names.iter().any(|x| x == d)
                {
                    problems.push(
                        Problem::new(format!("criterion `{}` is divided by `{d}`, but the jurisdictions file has no `denom:{d}` column", crit.id))
                            .help("add the column to the jurisdictions file, or remove `denominator` from the criterion"),
                    );
                }
            }
        }
        let names = self.places.bind(self.rubric, params, &mut problems);
        problems.finish(Checked {
            params: params.clone(),
            names,
        })
    }

    /// The places the names of `params` resolve to, where `params` differ from the checked `base`
    /// only in the `changed` settings: only their names are resolved again, and when there are
    /// none the base's places are borrowed.
    fn rebind<'n>(
        &self,
        base: &'n Checked,
        params: &Params,
        changed: checked::Changed,
    ) -> Result<Cow<'n, checked::Names>, Problem> {
        if changed.is_empty() {
            Ok(Cow::Borrowed(&base.names))
        } else {
            base.names
                .rebind(&self.places, self.rubric, params, changed)
                .map(Cow::Owned)
        }
    }

    /// Runs every step from `from`, reusing `cache` (the output of an earlier run) for the steps
    /// before it; without a cache, every step runs. The settings come checked: no step looks a
    /// name up.
    pub fn stages(
        &self,
        checked: &Checked,
        from: Step,
        cache: Option<&StageData>,
    ) -> Result<StageData, Problem> {
        self.stages_named(&checked.params, &checked.names, from, cache)
    }

    /// [`Pipeline::stages`] of settings and the places their names resolve to.
    fn stages_named(
        &self,
        params: &Params,
        names: &checked::Names,
        from: Step,
        cache: Option<&StageData>,
    ) -> Result<StageData, Problem> {
        let reuse = |step: Step| cache.filter(|_| from > step);
        let denominated = match reuse(Step::Denominate) {
            Some(c) => c.denominated.clone(),
            None => self.denominate(params)?,
        };
        let imputed = match reuse(Step::Impute) {
            Some(c) => c.imputed.clone(),
            None => self.impute(params, names, &denominated),
        };
        let (availability, units, screened, coverage) = match reuse(Step::Screen) {
            Some(c) => (
                c.availability.clone(),
                c.units.clone(),
                c.screened.clone(),
                c.coverage.clone(),
            ),
            None => self.screen(params, names, &imputed)?,
        };
        let (treated, treatment) = match reuse(Step::Treat) {
            Some(c) => (c.treated.clone(), c.treatment.clone()),
            None => self.treat(params, &screened, &units)?,
        };
        let logs = match reuse(Step::Normalise) {
            Some(c) => c.logs.clone(),
            None => Arc::new(OnceLock::new()),
        };
        let normalised = match reuse(Step::Normalise) {
            Some(c) => c.normalised.clone(),
            None => self.normalise(params, names, &treated, &units)?,
        };
        let nodes = match reuse(Step::Normalise) {
            Some(c) => c.nodes.clone(),
            None => Arc::new(NodeMemo::default()),
        };
        Ok(StageData {
            denominated,
            imputed,
            availability,
            units,
            screened,
            treated,
            treatment,
            normalised,
            coverage,
            logs,
            nodes,
        })
    }

    /// Denominate: numeric criteria divided by their denominator columns.
    fn denominate(&self, params: &Params) -> Result<Arc<Frame>, Problem> {
        let rubric = self.rubric;
        let juris = &self.inputs.jurisdictions;
        // Nothing divided: share the criterion values.
        let divided = |c: usize| {
            self.resolved
                .denominator_of
                .get(c)
                .is_some_and(Option::is_some)
        };
        if !params.denominate || !(0..rubric.criteria.len()).any(divided) {
            return Ok(self.raw.clone());
        }
        let mut d = (**self.raw).clone();
        {
            for (c, crit) in rubric.criteria.iter().enumerate() {
                let Some(k) = self.resolved.denominator_of[c] else {
                    continue;
                };
                let col = &self.resolved.denominators[k];
                denominate::denominate(d.col_mut(c), col, crit.scale_factor);
                finite(
                    d.col(c),
                    &|| "dividing it by its denominator".to_string(),
                    &crit.id,
                    &|r| juris.list[r].code.clone(),
                )?;
            }
        }
        Ok(Arc::new(d))
    }

    /// Impute: unknown values filled by the method, by group where it has one.
    fn impute(
        &self,
        params: &Params,
        names: &checked::Names,
        denominated: &Arc<Frame>,
    ) -> Arc<Frame> {
        let rubric = self.rubric;
        let [lo, _] = rubric.meta.scale;
        // Nothing to fill: share the denominated data.
        if params.impute.method == settings::ImputeMethod::None || denominated.all_known() {
            denominated.clone()
        } else {
            let mut d = (**denominated).clone();
            // Each row's group as a number, so columns compare numbers, not names.
            let groups: Option<&[Option<usize>]> = names
                .group
                .and_then(|k| self.resolved.groups.get(k))
                .map(Vec::as_slice);
            for (c, crit) in rubric.criteria.iter().enumerate() {
                let zero = if crit.rule.on_scale() { lo } else { 0.0 };
                impute::impute(d.col_mut(c), params.impute.method, groups, zero);
            }
            Arc::new(d)
        }
    }

    /// Screen: who is kept, their data and their coverage.
    fn screen(
        &self,
        params: &Params,
        names: &checked::Names,
        imputed: &Arc<Frame>,
    ) -> Result<Screened, Problem> {
        let n = self.inputs.jurisdictions.len();
        let availability = screen::screen(imputed, &params.screen, &names.forced);
        let units: Vec<usize> = (0..n).filter(|&r| availability[r].included).collect();
        if units.is_empty() {
            return Err(Problem::new("screening removed every jurisdiction").help(format!(
                "lower `pipeline.screen.dat_thresh` (now {}) or set `pipeline.screen.method = \"none\"`",
                params.screen.dat_thresh
            )));
        }
        // When the screen keeps everyone, the screened data are the imputed data.
        let screened = if units.len() == n {
            imputed.clone()
        } else {
            Arc::new(imputed.select_rows(&units))
        };
        // 1 where evidence gave a value, 0 where it did not (imputed or not).
        let cov = if units.len() == n {
            self.coverage.clone()
        } else {
            Arc::new(self.coverage.select_rows(&units))
        };
        Ok((Arc::new(availability), Arc::new(units), screened, cov))
    }

    /// Treat: outliers of numeric criteria, with what was done to each.
    fn treat(
        &self,
        params: &Params,
        screened: &Arc<Frame>,
        units: &[usize],
    ) -> Result<Treated, Problem> {
        let rubric = self.rubric;
        let juris = &self.inputs.jurisdictions;
        // Nothing treated: share the screened data.
        if params.treat.iter().all(Option::is_none) {
            let details = params.treat.iter().map(|_| None).collect();
            return Ok((screened.clone(), Arc::new(details)));
        }
        let mut t = (**screened).clone();
        let mut details = Vec::with_capacity(rubric.criteria.len());
        for (c, spec) in params.treat.iter().enumerate() {
            match spec {
                None => details.push(None),
                Some(spec) => {
                    details.push(Some(treat::treat_in_place(t.col_mut(c), spec)));
                    finite(
                        t.col(c),
                        &|| format!("treating it with `{}`", spec.method.name()),
                        &rubric.criteria[c].id,
                        &|r| juris.list[units[r]].code.clone(),
                    )?;
                }
            }
        }
        Ok((Arc::new(t), Arc::new(details)))
    }

    /// Normalise: numeric criteria onto a common scale.
    fn normalise(
        &self,
        params: &Params,
        names: &checked::Names,
        treated: &Arc<Frame>,
        units: &[usize],
    ) -> Result<Arc<Frame>, Problem> {
        let rubric = self.rubric;
        let juris = &self.inputs.jurisdictions;
        // Nothing normalised (every criterion already on the rubric's scale): share the treated data.
        if params.normalise.iter().all(Option::is_none) {
            return Ok(treated.clone());
        }
        let mut out = (**treated).clone();
        for (c, spec) in params.normalise.iter().enumerate() {
            let Some(nspec) = spec else { continue };
            let crit = &rubric.criteria[c];
            let col = treated.col(c);
            // The reference's row among those kept (`units` ascend); screened out, it has no value.
            let reference = nspec.iref.as_ref().map(|_| {
                names.iref[c]
                    .and_then(|row| units.binary_search(&row).ok())
                    .and_then(|r| col[r])
            });
            let v = crate::rubric::normalise::normalise(col, nspec, crit.direction, crit.target, reference, rubric.meta.scale).map_err(|why| {
                Problem::new(format!("cannot normalise criterion `{}` with `{}`: {why}", crit.id, nspec.method.name()))
                    .help("choose another method for it (criterion key `normalise`), or drop the criterion")
            })?;
            finite(
                &v,
                &|| format!("normalising it with `{}`", nspec.method.name()),
                &crit.id,
                &|r| juris.list[units[r]].code.clone(),
            )?;
            out.col_mut(c).copy_from_slice(&v);
        }
        Ok(Arc::new(out))
    }

    /// Aggregates every node bottom-up: (scores, coverage) over the kept jurisdictions.
    pub fn aggregate(&self, params: &Params, data: &StageData) -> Result<(Frame, Frame), Problem> {
        self.aggregate_nodes(params, data, false)
    }

    /// [`Pipeline::aggregate`], reusing the kept aggregation of a node computed before on the
    /// same normalised values with the same setting, the same child weights (bit for bit) and
    /// the same aggregations of its child nodes, and keeping the ones it computes: a
    /// sensitivity design that varies only the upper levels' weights meets the lower levels'
    /// aggregations thousands of times, and its few alternatives' combinations again and again.
    /// The same operations on the same operands, so the same doubles.
    pub(crate) fn aggregate_reusing(
        &self,
        params: &Params,
        data: &StageData,
    ) -> Result<(Frame, Frame), Problem> {
        self.aggregate_nodes(params, data, true)
    }

    fn aggregate_nodes(
        &self,
        params: &Params,
        data: &StageData,
        reuse: bool,
    ) -> Result<(Frame, Frame), Problem> {
        let rubric = self.rubric;
        let m = data.units.len();
        let nn = rubric.nodes.len();
        let code = |i: usize| self.inputs.jurisdictions.list[data.units[i]].code.clone();
        let mut node_score = Frame::new(m, nn);
        let mut node_cov = Frame::new(m, nn);
        let mut weights = Vec::new();
        // The logarithms of a node's scores, for a parent that takes a geometric mean.
        let mut node_logs: Vec<Option<Vec<Option<f64>>>> = vec![None; nn];
        // Each node's kept aggregation, by its number in the memo.
        let mut ids: Vec<Option<u64>> = vec![None; nn];
        let parent_gmean = |k: usize| {
            rubric.nodes[k]
                .parent
                .is_some_and(|p| params.aggregate[p].method == AggregateMethod::GMean)
        };
        // Reverse pre-order visits children before their parents, so a node's children are
        // final when it is computed; its own column is written after reading theirs.
        for k in (0..nn).rev() {
            let node = &rubric.nodes[k];
            weights.clear();
            weights.extend(node.children.iter().map(|mem| params.weight(*mem)));
            // PCA weights come from the data, so they are not a key; a child node not kept
            // leaves its parent unkept.
            let key = if reuse && params.pca_weights.is_none() {
                let mut children = Vec::with_capacity(node.children.len());
                for m in &node.children {
                    match *m {
                        Member::Criterion(_) => children.push(0),
                        Member::Node(x) => children.extend(ids[x]),
                    }
                }
                (children.len() == node.children.len())
                    .then(|| NodeKey::new(k, &params.aggregate[k], &weights, children))
            } else {
                None
            };
            if let Some(e) = key.as_ref().and_then(|key| data.nodes.find(key)) {
                node_score.col_mut(k).copy_from_slice(&e.scores);
                for (c, v) in node_cov.col_mut(k).iter_mut().zip(&e.cov) {
                    *c = Some(*v);
                }
                if parent_gmean(k) {
                    node_logs[k] = Some(e.logs.get_or_init(|| log_column(&e.scores)).clone());
                }
                ids[k] = Some(e.id);
                continue;
            }
            let (scores, cov) = {
                fn pick<'f>(mem: &Member, crit: &'f Frame, nodes: &'f Frame) -> &'f [Option<f64>] {
                    match *mem {
                        Member::Criterion(c) => crit.col(c),
                        Member::Node(x) => nodes.col(x),
                    }
                }
                let values: Vec<&[Option<f64>]> = node
                    .children
                    .iter()
                    .map(|mem| pick(mem, &data.normalised, &node_score))
                    .collect();
                let covs: Vec<&[Option<f64>]> = node
                    .children
                    .iter()
                    .map(|mem| pick(mem, &data.coverage, &node_cov))
                    .collect();
                let name = |child: usize| match node.children[child] {
                    Member::Criterion(c) => rubric.criteria[c].id.clone(),
                    Member::Node(x) => rubric.nodes[x].id.clone(),
                };
                // A geometric mean reads its criteria's logarithms from the shared table.
                let logs: Vec<Option<&[Option<f64>]>> =
                    if params.aggregate[k].method == AggregateMethod::GMean {
                        let table = data.logs.get_or_init(|| log_frame(&data.normalised));
                        node.children
                            .iter()
                            .map(|mem| match *mem {
                                Member::Criterion(c) => Some(table.col(c)),
                                Member::Node(x) => node_logs[x].as_deref(),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                if let Some(method) = params.pca_weights.filter(|_| values.len() > 1) {
                    pca_weights(
                        &values,
                        &mut weights,
                        method == settings::WeightsMethod::PcaSquared,
                        &node.id,
                        &name,
                    )?;
                }
                let cov = coverage(&covs, &values, &weights, m);
                let scores = aggregate_columns(
                    &params.aggregate[k],
                    &values,
                    &logs,
                    &weights,
                    &cov,
                    rubric.meta.scale[0],
                    &Names {
                        node: &node.id,
                        child: &name,
                        unit: &code,
                    },
                )?;
                (scores, cov)
            };
            node_score.col_mut(k).copy_from_slice(&scores);
            for (c, v) in node_cov.col_mut(k).iter_mut().zip(&cov) {
                *c = Some(*v);
            }
            if parent_gmean(k) {
                node_logs[k] = Some(log_column(&scores));
            }
            if let Some(key) = key {
                ids[k] = data.nodes.keep(key, scores, cov, data.normalised.ncol);
            }
        }
        Ok((node_score, node_cov))
    }
}

/// Runs the pipeline on criterion values with the rubric's own settings.
pub(crate) fn run(
    rubric: &Rubric,
    inputs: &Inputs,
    values: &CriterionValues,
) -> Result<Results, InputError> {
    run_with(rubric, &Params::from_rubric(rubric), inputs, values)
}

/// Runs the pipeline with explicit params (for what-if analyses on a validated rubric).
pub fn run_with(
    rubric: &Rubric,
    params: &Params,
    inputs: &Inputs,
    values: &CriterionValues,
) -> Result<Results, InputError> {
    let pipeline = Pipeline::new(rubric, inputs, values);
    let checked = pipeline.check(params)?;
    let data = pipeline.stages(&checked, Step::Denominate, None)?;
    let (node_score, node_cov) = pipeline.aggregate(params, &data)?;
    let m = data.units.len();
    let nc = rubric.criteria.len();
    // Facet values and grid cells aggregate criteria with their effective weights.
    let eff = params.effective_criterion_weights(rubric);
    // A facet value's or a cell's scores and coverage, added to the frames of all of them.
    let groups_of = |members: &[usize], id: &str, scores: &mut Frame, covered: &mut Frame| {
        if members.is_empty() || members.iter().all(|&c| eff[c] == 0.0) {
            scores.push_column(std::iter::repeat_n(None, m));
            covered.push_column(std::iter::repeat_n(Some(0.0), m));
            return Ok(());
        }
        let vals: Vec<&[Option<f64>]> = members.iter().map(|&c| data.normalised.col(c)).collect();
        let covs: Vec<&[Option<f64>]> = members.iter().map(|&c| data.coverage.col(c)).collect();
        let shares = group_shares(&eff, members);
        let name = |child: usize| rubric.criteria[members[child]].id.clone();
        let code = |i: usize| inputs.jurisdictions.list[data.units[i]].code.clone();
        let cov = coverage(&covs, &vals, &shares, m);
        let s = aggregate_columns(
            &params.group_aggregate,
            &vals,
            &[],
            &shares,
            &cov,
            rubric.meta.scale[0],
            &Names {
                node: id,
                child: &name,
                unit: &code,
            },
        )?;
        scores.push_column(s);
        covered.push_column(cov.into_iter().map(Some));
        Ok::<(), Problem>(())
    };
    let n_values = rubric.facets.iter().map(|f| f.values.len()).sum();
    let mut facet_values = Vec::with_capacity(n_values);
    let mut facet_scores = Frame::with_room(m, n_values);
    let mut facet_covs = Frame::with_room(m, n_values);
    for (f, facet) in rubric.facets.iter().enumerate() {
        for (v, value) in facet.values.iter().enumerate() {
            let members: Vec<usize> = (0..nc)
                .filter(|&c| rubric.criteria[c].facets[f] == v)
                .collect();
            facet_values.push((f, v));
            groups_of(&members, &value.id, &mut facet_scores, &mut facet_covs)?;
        }
    }
    let cell_defs = rubric.cells();
    let mut cell_scores = Frame::with_room(m, cell_defs.len());
    let mut cell_covs = Frame::with_room(m, cell_defs.len());
    for cell in &cell_defs {
        groups_of(&cell.criteria, &cell.id, &mut cell_scores, &mut cell_covs)?;
    }
    let StageData {
        denominated,
        imputed,
        availability,
        units,
        screened,
        treated,
        treatment,
        normalised,
        coverage,
        logs: _,
        nodes: _,
    } = data;
    let availability = Arc::try_unwrap(availability).unwrap_or_else(|a| (*a).clone());
    let units = Arc::try_unwrap(units).unwrap_or_else(|a| (*a).clone());
    let treatment = Arc::try_unwrap(treatment).unwrap_or_else(|a| (*a).clone());
    let ties = rubric.pipeline.rank.ties;
    Ok(Results {
        date: values.date,
        units,
        availability,
        stages: Stages {
            raw: values.values.clone(),
            denominated,
            imputed,
            screened,
            treated,
        },
        treatment,
        criteria: Scores::new(normalised, coverage, ties),
        nodes: Scores::new(Arc::new(node_score), Arc::new(node_cov), ties),
        facets: Scores::new(Arc::new(facet_scores), Arc::new(facet_covs), ties),
        facet_values,
        cells: Scores::new(Arc::new(cell_scores), Arc::new(cell_covs), ties),
        cell_defs,
    })
}

/// PCA weights: the first component's loadings of a node's children over the jurisdictions where
/// all are known (signed to sum positive). A negative loading cannot be a weight: it is an error.
fn pca_weights(
    values: &[&[Option<f64>]],
    weights: &mut [f64],
    squared: bool,
    node: &str,
    name: &dyn Fn(usize) -> String,
) -> Result<(), Problem> {
    let Some(loadings) = crate::base::pca::first_component(values) else {
        return Err(Problem::new(format!("cannot compute PCA weights for `{node}`: its children need at least two jurisdictions with every value known, and no constant child"))
            .help("use `pipeline.weights.method = \"rubric\"` or `\"equal\"`"));
    };
    if squared {
        for (w, l) in weights.iter_mut().zip(&loadings) {
            *w = l * l;
        }
        return Ok(());
    }
    if let Some(i) = loadings.iter().position(|l| *l <= 0.0) {
        return Err(Problem::new(format!(
            "PCA weights for `{node}`: `{}` loads {} on the first component, and a weight must be positive",
            name(i),
            crate::base::format::number(loadings[i])
        ))
        .help("the children do not share one dimension; use `pca_squared` (squared loadings) or the rubric's weights"));
    }
    weights.copy_from_slice(&loadings);
    Ok(())
}

/// Relative weights of a group of criteria (a facet value or a grid cell): their effective
/// weights in the index, renormalised to sum to 1.
pub(crate) fn group_shares(effective: &[f64], members: &[usize]) -> Vec<f64> {
    let total: f64 = members.iter().map(|&c| effective[c]).sum();
    members.iter().map(|&c| effective[c] / total).collect()
}

/// Share of weight backed by evidence: the weighted mean of the children's coverage, where a
/// child without a value (NA) counts 0, whatever its own coverage, since nothing of it entered
/// the score.
fn coverage(
    child_cov: &[&[Option<f64>]],
    child_values: &[&[Option<f64>]],
    weights: &[f64],
    m: usize,
) -> Vec<f64> {
    // sum(w c) / sum(w) rather than a sum of shares: exact for integer weights, as the mean is.
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return vec![0.0; m];
    }
    // Child by child over contiguous columns; each row still adds its children's terms in
    // order, from the value `Iterator::sum` starts from, so each row's sum is the one a sum of
    // the row's terms gives.
    let start: f64 = std::iter::empty::<f64>().sum();
    let mut c = vec![start; m];
    for ((col, vals), w) in child_cov.iter().zip(child_values).zip(weights) {
        for ((acc, cv), v) in c.iter_mut().zip(col.iter()).zip(vals.iter()) {
            *acc += match v {
                Some(_) => w * cv.unwrap_or(0.0),
                None => 0.0,
            };
        }
    }
    c.into_iter().map(|c| (c / total).clamp(0.0, 1.0)).collect()
}

/// Aggregates children columns into one with the given weights (renormalised over the known
/// children of each row), applying the coverage floor and COINr's `dat_thresh`.
/// Refuses a value that is not a finite number (an overflow: evidence or parameters near the
/// largest number a double holds), naming the criterion, the step and the jurisdiction.
/// `step` names what was done, and is only written out when a value is refused.
fn finite(
    col: &[Option<f64>],
    step: &dyn Fn() -> String,
    criterion: &str,
    code: &dyn Fn(usize) -> String,
) -> Result<(), Problem> {
    match col.iter().position(|v| v.is_some_and(|x| !x.is_finite())) {
        None => Ok(()),
        Some(r) => Err(Problem::new(format!(
            "criterion `{criterion}` overflowed for `{}` when {}: the result is not a finite number",
            code(r),
            step()
        ))
        .help("the values (or the method's parameters) are too large for floating point; rescale them (e.g. to thousands or millions of units)")),
    }
}

/// How an aggregation names what it works on, for its messages.
struct Names<'a> {
    /// The node, facet value or cell.
    node: &'a str,
    /// A child, by position.
    child: &'a dyn Fn(usize) -> String,
    /// A jurisdiction, by row.
    unit: &'a dyn Fn(usize) -> String,
}

/// The natural logarithm of every value of a frame.
fn log_frame(f: &Frame) -> Frame {
    Frame::from_columns(f.nrow, (0..f.ncol).map(|c| log_column(f.col(c))).collect())
}

/// The natural logarithm of every value of a column.
fn log_column(col: &[Option<f64>]) -> Vec<Option<f64>> {
    col.iter().map(|v| v.map(f64::ln)).collect()
}

/// `logs` holds, per child, the logarithms of its values where they are already computed
/// (`None`, or a child beyond its end: computed here).
fn aggregate_columns(
    agg: &AggregateSpec,
    children: &[&[Option<f64>]],
    logs: &[Option<&[Option<f64>]>],
    weights: &[f64],
    cov: &[f64],
    lowest: f64,
    names: &Names<'_>,
) -> Result<Vec<Option<f64>>, Problem> {
    let (node, name, code) = (names.node, names.child, names.unit);
    let m = cov.len();
    let mut out = vec![None; m];
    // The NA-child policy: `zero` reads an NA child as the scale's lower end.
    let read = |v: Option<f64>| match agg.na_child {
        settings::NaChild::Zero => v.or(Some(lowest)),
        _ => v,
    };
    // Each row's known children, counted child by child over contiguous columns.
    let mut known = vec![0usize; m];
    for col in children {
        for (n, v) in known.iter_mut().zip(col.iter()) {
            *n += usize::from(v.is_some());
        }
    }
    if agg.method == AggregateMethod::Copeland {
        let rows: Vec<Vec<Option<f64>>> = (0..m)
            .map(|i| children.iter().map(|col| read(col[i])).collect())
            .collect();
        let scores = aggregate::copeland(&rows, weights);
        for i in 0..m {
            if rows[i].iter().any(Option::is_some) {
                out[i] = Some(scores[i]);
            }
        }
    } else {
        // The weights' total and shares of a row with every child known, computed once.
        let full = aggregate::FullRow::new(weights);
        // Rows whose children, as the NA-child policy reads them, are all known: `zero` reads
        // every unknown child as a value.
        let zero = agg.na_child == settings::NaChild::Zero;
        let all_known: Vec<bool> = known.iter().map(|&n| zero || n == children.len()).collect();
        // The arithmetic mean of those rows, child by child over contiguous columns.
        let amean = agg.method == AggregateMethod::AMean;
        if amean {
            aggregate::amean_full_columns(children, read, &full, &all_known, &mut out);
        }
        let gmean = agg.method == AggregateMethod::GMean;
        // The geometric mean of rows with every child known and positive, child by child over
        // contiguous columns, when every child's logarithms are in the table.
        let mut done = vec![false; m];
        let tables: Option<Vec<&[Option<f64>]>> = if gmean && full.total() > 0.0 {
            (0..children.len())
                .map(|k| logs.get(k).copied().flatten())
                .collect()
        } else {
            None
        };
        if let Some(tables) = tables.filter(|t| !t.is_empty()) {
            for (i, d) in done.iter_mut().enumerate() {
                *d = children.iter().all(|col| col[i].is_some_and(|v| v > 0.0));
            }
            aggregate::gmean_full_columns(&tables, weights, &full, &done, &mut out);
        }
        // The rows left to aggregate one by one (none, for a mean of rows all known).
        let left = (0..m).filter(|&i| !((amean && all_known[i]) || done[i]));
        let (mut row, mut row_logs) = (Vec::new(), Vec::new());
        for i in left {
            if row.is_empty() {
                row = vec![None; children.len()];
                row_logs = vec![0.0; children.len()];
            }
            for (k, col) in children.iter().enumerate() {
                row[k] = read(col[i]);
            }
            // A row of a geometric mean with every child known: its logarithms, from the table
            // where the value is the child's own, else computed as the mean would.
            let with_logs = gmean && all_known[i];
            if with_logs {
                for (k, (l, v)) in row_logs.iter_mut().zip(&row).enumerate() {
                    let table = logs
                        .get(k)
                        .copied()
                        .flatten()
                        .filter(|_| children[k][i].is_some());
                    *l = match table.and_then(|t| t[i]) {
                        Some(x) => x,
                        None => v.map_or(f64::NAN, f64::ln),
                    };
                }
            }
            let full = all_known[i].then_some(&full);
            let row_logs = with_logs.then_some(row_logs.as_slice());
            out[i] = aggregate::aggregate_row(agg.method, &row, weights, agg.p, full, row_logs).map_err(|e| {
                let (child, what) = match e {
                    AggError::NotPositive { child, value } => (child, format!("is {value}, and a {} needs positive values", agg.method.describe())),
                    AggError::Zero { child } => (child, "is 0, and a harmonic mean cannot take zeros".to_string()),
                };
                Problem::new(format!("cannot aggregate `{node}` for `{}` with `{}`: `{}` {what}", code(i), agg.method.name(), name(child)))
                    .help("normalise numeric criteria onto a positive range (e.g. --set pipeline.normalise.l_u=[1,100]), or use a_amean")
            })?;
        }
    }
    if let Some(i) = out.iter().position(|v| v.is_some_and(|x| !x.is_finite())) {
        return Err(Problem::new(format!(
            "cannot aggregate `{node}` for `{}` with `{}`: the result overflows (it is not a finite number)",
            code(i),
            agg.method.name()
        ))
        .help(match agg.p {
            Some(p) if agg.method == AggregateMethod::GenMean => format!("`a_genmean` with p = {p} raises the values to a power too large for floating point; use a smaller `p`"),
            _ => "the weights or values are too large for floating point; rescale them".to_string(),
        }));
    }
    for (i, &known) in known.iter().enumerate() {
        if agg.na_child == settings::NaChild::Na && known < children.len() {
            out[i] = None;
        }
        if let Some(t) = agg.dat_thresh
            && (known as f64) / (children.len() as f64) < t
        {
            out[i] = None;
        }
        if cov[i] + 1e-12 < agg.min_coverage {
            out[i] = None;
        }
    }
    Ok(out)
}
