//! Uncertainty and sensitivity analysis of ranks (COINr's `get_sensitivity`, done faster).
//!
//! Each replication is a scenario of the changes its factor values imply, rerun only from the
//! earliest step they touch on the nominal run's cached output.
//! Replications run in parallel; the design and every random draw are fixed by the seed, and
//! results are collected in run order, so outputs do not depend on the thread count. A failed
//! replication (a geometric mean meeting a zero) is kept with its factor values and its reason.

pub mod design;
pub mod estimate;
pub mod factors;
pub mod folder;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::base::progress::Progress;
use crate::base::rank::rank_with;
use crate::error::{Error, InputError, Problem};
use crate::pipeline::scenario::{Baseline, Scenario};
use crate::pipeline::{Scored, Step};
use crate::rubric::settings::RankTies;
use design::{Block, Design, Plan, Sampler};
use estimate::{Indices, Note};
use factors::Spec;

/// How to run an analysis.
#[derive(Debug, Clone)]
pub struct Options {
    /// Monte Carlo or Saltelli.
    pub design: Design,
    /// Pseudo-random or Sobol'.
    pub sampler: Sampler,
    /// Base sample size N.
    pub n: usize,
    /// The seed of every draw.
    pub seed: u64,
    /// Bootstrap resamples for the index intervals (0: none).
    pub bootstrap: usize,
}

/// One replication.
#[derive(Debug, Clone)]
pub struct Run {
    /// Its block in the design.
    pub block: Block,
    /// The uniform draws.
    pub u: Vec<f64>,
    /// Each factor's value, as a label.
    pub labels: Vec<String>,
    /// Each discrete factor's alternative (`None` for a continuous factor).
    pub picks: Vec<Option<usize>>,
    /// Target scores of every jurisdiction (`None` when screened out); `None` if the run failed.
    pub scores: Option<Vec<Option<f64>>>,
    /// Ranks of every jurisdiction.
    pub ranks: Option<Vec<Option<u32>>>,
    /// Why it failed.
    pub error: Option<String>,
    /// COINr's output for the indices: mean over jurisdictions of |rank - nominal rank|.
    pub y: Option<f64>,
}

/// A whole analysis.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The design.
    pub plan_design: Design,
    /// Base sample size.
    pub n: usize,
    /// Factor names.
    pub factors: Vec<String>,
    /// The target node.
    pub target: usize,
    /// Nominal target scores of every jurisdiction.
    pub nominal_scores: Vec<Option<f64>>,
    /// Nominal ranks.
    pub nominal_ranks: Vec<Option<u32>>,
    /// Every replication, in design order.
    pub runs: Vec<Run>,
    /// The earliest step any factor touches.
    pub from: Step,
}

/// Ranks of every jurisdiction from their scores (unknown stays unknown).
fn ranks_of(scores: &[Option<f64>], ties: RankTies) -> Vec<Option<u32>> {
    rank_with(scores, ties)
}

/// Mean absolute rank change against the nominal ranks, over jurisdictions ranked in both.
fn mean_abs_shift(ranks: &[Option<u32>], nominal: &[Option<u32>]) -> Option<f64> {
    // The shifts summed in order from the value `Iterator::sum` starts from, without keeping
    // them: the same sum as adding up a vector of them.
    let shifts = ranks
        .iter()
        .zip(nominal)
        .filter_map(|(a, b)| Some((f64::from((*a)?) - f64::from((*b)?)).abs()));
    let (mut sum, mut n): (f64, usize) = (std::iter::empty::<f64>().sum(), 0);
    for d in shifts {
        sum += d;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

/// Runs an analysis. `progress` is called once per finished replication (from any thread) with
/// the replications done and in all; when it breaks, the replications not yet started are not
/// run and the analysis ends with [`Error::Cancelled`].
pub fn analyse(
    scored: &Scored,
    spec: &Spec,
    options: &Options,
    progress: &Progress,
) -> Result<Outcome, Error> {
    let names: Vec<String> = spec.factors.iter().map(|f| f.name.clone()).collect();
    let plan: Plan = design::plan(
        options.design,
        options.sampler,
        options.n,
        spec.factors.len(),
        options.seed,
    )
    .map_err(Problem::new)?;
    let baseline = Baseline::new(scored).map_err(InputError::from)?;
    // Every alternative's settings checked against the inputs once, not in each replication.
    for f in &spec.factors {
        if let factors::FactorKind::Discrete(alts) = &f.kind {
            for alt in alts {
                baseline.check(&alt.ops).map_err(InputError::from)?;
            }
        }
    }
    let juris = scored.inputs.jurisdictions.len();
    let nominal_scores = baseline
        .apply(&Scenario::default())
        .map_err(InputError::from)?
        .node_scores(spec.target, juris);
    let ties = scored.rubric.pipeline.rank.ties;
    let nominal_ranks = ranks_of(&nominal_scores, ties);
    if nominal_ranks.iter().all(Option::is_none) {
        let id = &scored.rubric.nodes[spec.target].id;
        return Err(Problem::new(format!(
            "no jurisdiction has a score for `{id}` in the nominal run, so there are no ranks to analyse"
        ))
        .help("every jurisdiction's evidence covers less than min_coverage of it; `accord score` shows the coverage, and the spec's `target` can name a node that has scores")
        .into());
    }
    let from = spec
        .factors
        .iter()
        .map(factors::Factor::step)
        .min()
        .unwrap_or(Step::Aggregate);
    let total = plan.rows.len();
    let done = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    let runs: Vec<Option<Run>> = plan
        .rows
        .par_iter()
        .zip(plan.blocks.par_iter())
        .map(|(u, block)| {
            if cancelled.load(Ordering::Relaxed) {
                return None;
            }
            let mut ops = Vec::with_capacity(u.len());
            let mut labels = Vec::with_capacity(u.len());
            let mut picks = Vec::with_capacity(u.len());
            for (f, x) in spec.factors.iter().zip(u) {
                let (o, label) = f.pick(*x, &scored.rubric, baseline.params());
                ops.push(o);
                labels.push(label);
                picks.push(f.alternative(*x));
            }
            let parts: Vec<&[factors::Op]> = ops.iter().map(|o| o.as_ref()).collect();
            let run = match baseline.apply_parts(&parts) {
                Ok(r) => {
                    let scores = r.node_scores(spec.target, juris);
                    let ranks = ranks_of(&scores, ties);
                    let y = mean_abs_shift(&ranks, &nominal_ranks);
                    Run {
                        block: *block,
                        u: u.clone(),
                        labels,
                        picks,
                        scores: Some(scores),
                        ranks: Some(ranks),
                        error: None,
                        y,
                    }
                }
                Err(e) => Run {
                    block: *block,
                    u: u.clone(),
                    labels,
                    picks,
                    scores: None,
                    ranks: None,
                    error: Some(e.to_string()),
                    y: None,
                },
            };
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            if progress(finished, total) == ControlFlow::Break(()) {
                cancelled.store(true, Ordering::Relaxed);
            }
            Some(run)
        })
        .collect();
    if cancelled.load(Ordering::Relaxed) {
        return Err(Error::Cancelled {
            done: done.load(Ordering::Relaxed),
            total,
        });
    }
    let runs: Vec<Run> = runs.into_iter().flatten().collect();
    Ok(Outcome {
        plan_design: plan.design,
        n: plan.n,
        factors: names,
        target: spec.target,
        nominal_scores,
        nominal_ranks,
        runs,
        from,
    })
}

/// Rank statistics of one jurisdiction over the runs COINr summarises (all runs for an
/// uncertainty analysis, the A and B blocks for a sensitivity analysis).
#[derive(Debug, Clone, PartialEq)]
pub struct RankStats {
    /// Mean rank.
    pub mean: Option<f64>,
    /// Median rank.
    pub median: Option<f64>,
    /// 5th percentile.
    pub q05: Option<f64>,
    /// 95th percentile.
    pub q95: Option<f64>,
    /// Share of runs ranked in the top 10.
    pub p_top10: Option<f64>,
    /// Share of runs in the nominal tier.
    pub p_same_tier: Option<f64>,
    /// Runs with a rank.
    pub runs: usize,
}

impl Outcome {
    /// The runs COINr's RankStats use.
    pub(crate) fn summarised_runs(&self) -> impl Iterator<Item = &Run> {
        let keep_all = self.plan_design == Design::Ua;
        self.runs
            .iter()
            .filter(move |r| keep_all || matches!(r.block, Block::A | Block::B))
    }

    /// Rank statistics of jurisdiction `j`; `tier` maps a score to its tier index.
    pub fn rank_stats(&self, j: usize, tier: &dyn Fn(f64) -> Option<usize>) -> RankStats {
        let mut ranks: Vec<f64> = Vec::new();
        let mut tiers_same = 0usize;
        let mut tiered = 0usize;
        let nominal_tier = self.nominal_scores[j].and_then(tier);
        for r in self.summarised_runs() {
            if let Some(rank) = r.ranks.as_ref().and_then(|x| x[j]) {
                ranks.push(f64::from(rank));
                if let (Some(nt), Some(score)) =
                    (nominal_tier, r.scores.as_ref().and_then(|s| s[j]))
                {
                    tiered += 1;
                    if tier(score) == Some(nt) {
                        tiers_same += 1;
                    }
                }
            }
        }
        ranks.sort_by(f64::total_cmp);
        let n = ranks.len();
        RankStats {
            mean: (n > 0).then(|| ranks.iter().sum::<f64>() / n as f64),
            median: estimate::quantile(&ranks, 0.5),
            q05: estimate::quantile(&ranks, 0.05),
            q95: estimate::quantile(&ranks, 0.95),
            p_top10: (n > 0)
                .then(|| ranks.iter().filter(|r| **r <= 10.0).count() as f64 / n as f64),
            p_same_tier: (tiered > 0).then(|| tiers_same as f64 / tiered as f64),
            runs: n,
        }
    }

    /// Sobol' indices of COINr's target (mean absolute rank shift) for each factor. A factor with
    /// an alternative that never gave a result is NA with the reason (its effect was not measured).
    pub fn indices(&self, bootstrap: usize, seed: u64) -> Option<Vec<Indices>> {
        (self.plan_design == Design::Sa).then(|| {
            let y: Vec<Option<f64>> = self.runs.iter().map(|r| r.y).collect();
            self.measured(
                &y,
                estimate::sobol(&y, self.n, self.factors.len(), bootstrap, seed),
            )
        })
    }

    /// Total indices of each jurisdiction's rank, per factor (which assumption moves it most);
    /// NA where the jurisdiction is unranked in every run of one of the factor's alternatives.
    pub fn unit_total_indices(&self, j: usize) -> Option<Vec<Option<f64>>> {
        (self.plan_design == Design::Sa).then(|| {
            let y: Vec<Option<f64>> = self
                .runs
                .iter()
                .map(|r| r.ranks.as_ref().and_then(|x| x[j]).map(f64::from))
                .collect();
            let ix = estimate::sobol(&y, self.n, self.factors.len(), 0, 0);
            self.measured(&y, ix).into_iter().map(|i| i.sti).collect()
        })
    }

    /// Marks NA the indices of factors with an alternative that never gave an output in `y`
    /// because of that factor, and notes the factors whose change alone made runs fail.
    fn measured(&self, y: &[Option<f64>], mut ix: Vec<Indices>) -> Vec<Indices> {
        for (i, x) in ix.iter_mut().enumerate() {
            let caused = self.caused_failures(i, y);
            if let Some(note) = self.failed_alternative(i, y, &caused) {
                *x = Indices::na(x.rows, note);
            } else if !caused.is_empty() && x.notes.is_empty() {
                x.notes.push(Note::SomeFailed { runs: caused.len() });
            }
        }
        ix
    }

    /// Runs without an output in `y` that changing factor `i` alone caused: of each pair A_r and
    /// AB_i,r, which differ only in factor `i`, the one without an output when the other has one.
    fn caused_failures(&self, i: usize, y: &[Option<f64>]) -> Vec<usize> {
        let n = self.n;
        (0..n)
            .filter_map(|r| {
                let (a, ab) = (r, (2 + i) * n + r);
                match (y.get(a)?.is_some(), y.get(ab)?.is_some()) {
                    (true, false) => Some(ab),
                    (false, true) => Some(a),
                    _ => None,
                }
            })
            .collect()
    }

    /// The first alternative of factor `i` that never had an output in `y`, in a run it used,
    /// where at least one of those runs failed because of factor `i` (`caused`). An alternative
    /// that only met another factor's failures (a weight set drawn only beside a failing
    /// aggregation) is not blamed.
    fn failed_alternative(&self, i: usize, y: &[Option<f64>], caused: &[usize]) -> Option<Note> {
        let pick = |run: usize| {
            self.runs
                .get(run)
                .and_then(|r| r.picks.get(i).copied().flatten())
        };
        let mut used: Vec<(usize, usize, Option<usize>)> = Vec::new();
        for (run, out) in y.iter().enumerate() {
            let Some(k) = pick(run) else {
                continue;
            };
            if used.len() <= k {
                used.resize(k + 1, (0, 0, None));
            }
            let u = &mut used[k];
            u.0 += 1;
            if out.is_some() {
                u.1 += 1;
            } else if u.2.is_none() {
                u.2 = Some(run);
            }
        }
        used.iter()
            .enumerate()
            .find(|(k, (runs, known, _))| {
                *runs > 0 && *known == 0 && caused.iter().any(|&c| pick(c) == Some(*k))
            })
            .map(|(_, (runs, _, first))| {
                let run = first.and_then(|f| self.runs.get(f));
                Note::AlternativeFailed {
                    alternative: run
                        .and_then(|r| r.labels.get(i).cloned())
                        .unwrap_or_default(),
                    runs: *runs,
                    reason: run
                        .and_then(|r| r.error.clone())
                        .unwrap_or_else(|| "no jurisdiction was ranked".to_string()),
                }
            })
    }

    /// Mean absolute rank change when only factor `i` changes (AB_i against A), over the design
    /// rows the indices use; NA when the indices are NA for want of results.
    pub fn rank_shift(&self, i: usize) -> Option<f64> {
        if self.plan_design != Design::Sa {
            return None;
        }
        let n = self.n;
        let y: Vec<Option<f64>> = self.runs.iter().map(|r| r.y).collect();
        let complete = estimate::complete_rows(&y, n, self.factors.len());
        let rows = complete.iter().filter(|k| **k).count();
        let caused = self.caused_failures(i, &y);
        if rows < estimate::MIN_ROWS || self.failed_alternative(i, &y, &caused).is_some() {
            return None;
        }
        let mut total = 0.0;
        let mut count = 0usize;
        for r in (0..n).filter(|&r| complete[r]) {
            let (Some(a), Some(ab)) = (&self.runs[r].ranks, &self.runs[(2 + i) * n + r].ranks)
            else {
                continue;
            };
            if let Some(s) = mean_abs_shift(ab, a) {
                total += s;
                count += 1;
            }
        }
        (count > 0).then(|| total / count as f64)
    }

    /// Design rows with a result in every run, of `n` (a sensitivity analysis only).
    pub fn complete_rows(&self) -> Option<usize> {
        (self.plan_design == Design::Sa).then(|| {
            let y: Vec<Option<f64>> = self.runs.iter().map(|r| r.y).collect();
            estimate::complete_rows(&y, self.n, self.factors.len())
                .iter()
                .filter(|k| **k)
                .count()
        })
    }

    /// Runs that failed.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &Run)> {
        self.runs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.error.is_some())
    }
}
