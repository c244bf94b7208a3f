//! Settings checked against a run's inputs: every name they hold (the imputation's group column,
//! the reference jurisdiction of `n_dist2ref`, the screen's forced inclusions and exclusions)
//! resolved once to a place in the inputs, so that the steps index and never compare names.

use std::collections::HashMap;

use crate::error::{Problem, Problems};
use crate::evidence::Inputs;
use crate::rubric::Rubric;
use crate::rubric::settings::{
    ImputeMethod, ImputeSpec, NormaliseMethod, NormaliseSpec, ScreenSpec,
};

use super::Params;

/// Settings a run can trust: [`Params`] whose names were all found in the inputs, with the places
/// they name. Made by [`super::Pipeline::check`]; a what-if change that sets a name is checked
/// again when it is applied (see [`Names::rebind`]).
#[derive(Debug, Clone)]
pub struct Checked {
    pub(super) params: Params,
    pub(super) names: Names,
}

impl Checked {
    /// The settings.
    pub(crate) fn params(&self) -> &Params {
        &self.params
    }
}

/// The places the settings' names resolve to.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Names {
    /// The group column the `_grp` imputation methods compare (`None`: another method).
    pub(super) group: Option<usize>,
    /// Per criterion, the inputs' row of its `n_dist2ref` reference jurisdiction (`None`: another
    /// method, or no `iref`).
    pub(super) iref: Vec<Option<usize>>,
    /// Per jurisdiction row, whether the screen forces it in (`Some(true)`) or out
    /// (`Some(false)`; an exclusion wins over an inclusion).
    pub(super) forced: Vec<Option<bool>>,
}

/// Where the inputs' names are: jurisdiction codes to rows, made once per pipeline.
pub(super) struct Places<'a> {
    rows: HashMap<&'a str, usize>,
    inputs: &'a Inputs,
}

impl<'a> Places<'a> {
    pub(super) fn new(inputs: &'a Inputs) -> Places<'a> {
        let mut rows = HashMap::with_capacity(inputs.jurisdictions.len());
        for (r, j) in inputs.jurisdictions.list.iter().enumerate() {
            rows.entry(j.code.as_str()).or_insert(r);
        }
        Places { rows, inputs }
    }

    /// A jurisdiction's row, or the problem that names `key` when the file has no such code.
    fn row(&self, key: &str, code: &str) -> Result<usize, Problem> {
        self.rows.get(code).copied().ok_or_else(|| {
            let codes = self
                .inputs
                .jurisdictions
                .list
                .iter()
                .map(|j| j.code.as_str());
            Problem::new(format!(
                "`{key}` names `{code}`, but the jurisdictions file has no jurisdiction `{code}`"
            ))
            .help(crate::error::did_you_mean(code, codes).unwrap_or_else(|| {
                "name a jurisdiction by its code in the jurisdictions file".to_string()
            }))
        })
    }

    /// The group column of an imputation by group.
    pub(super) fn group(&self, spec: &ImputeSpec) -> Result<Option<usize>, Problem> {
        let juris = &self.inputs.jurisdictions;
        match &spec.group {
            Some(g) if matches!(spec.method, ImputeMethod::MeanGroup | ImputeMethod::MedianGroup) => {
                juris.group_index(g).map(Some).ok_or_else(|| {
                    Problem::new(format!("`pipeline.impute.group` = `{g}`, but the jurisdictions file has no `group:{g}` column")).help(
                        if juris.group_names.is_empty() { "pass a jurisdictions file with group columns (--jurisdictions)".to_string() } else { format!("its groups: {}", juris.group_names.join(", ")) },
                    )
                })
            }
            _ => Ok(None),
        }
    }

    /// The reference jurisdiction's row of an `n_dist2ref` normalisation; `key` is the setting.
    pub(super) fn iref(
        &self,
        spec: Option<&NormaliseSpec>,
        key: &str,
    ) -> Result<Option<usize>, Problem> {
        match spec {
            Some(s) if s.method == NormaliseMethod::Dist2Ref => match &s.iref {
                Some(code) => self.row(key, code).map(Some),
                None => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// The rows the screen forces in or out.
    pub(super) fn forced(
        &self,
        spec: &ScreenSpec,
        problems: &mut Vec<Problem>,
    ) -> Vec<Option<bool>> {
        let mut forced = vec![None; self.inputs.jurisdictions.len()];
        for (key, list, keep) in [
            ("pipeline.screen.include", &spec.include, true),
            ("pipeline.screen.exclude", &spec.exclude, false),
        ] {
            for code in list {
                match self.row(key, code) {
                    Ok(r) => forced[r] = Some(keep),
                    Err(p) => problems.push(p),
                }
            }
        }
        forced
    }

    /// Every name of `params` resolved, with one problem in `out` per name that does not resolve
    /// (a reference jurisdiction that several criteria inherit is reported once); the names are
    /// to be trusted only when there was none.
    pub(super) fn bind(&self, rubric: &Rubric, params: &Params, out: &mut Problems) -> Names {
        let mut problems = Vec::new();
        let group = self.group(&params.impute).unwrap_or_else(|p| {
            problems.push(p);
            None
        });
        let mut iref = Vec::with_capacity(params.normalise.len());
        for (c, spec) in params.normalise.iter().enumerate() {
            let key = iref_key(rubric, c);
            iref.push(self.iref(spec.as_ref(), &key).unwrap_or_else(|p| {
                if !problems.iter().any(|q| q.message == p.message) {
                    problems.push(p);
                }
                None
            }));
        }
        let forced = self.forced(&params.screen, &mut problems);
        for p in problems {
            out.push(p);
        }
        Names {
            group,
            iref,
            forced,
        }
    }
}

/// The setting a criterion's reference jurisdiction comes from: its own `normalise`, or the
/// pipeline's.
fn iref_key(rubric: &Rubric, c: usize) -> String {
    match rubric.criteria.get(c) {
        Some(crit) if crit.normalise.is_some() => format!("criterion.{}.normalise.iref", crit.id),
        _ => "pipeline.normalise.iref".to_string(),
    }
}

impl Names {
    /// The names of `params`, which differ from the checked `base` only where `changed` says:
    /// only the names a change sets are resolved again, the others are kept.
    pub(super) fn rebind(
        &self,
        places: &Places<'_>,
        rubric: &Rubric,
        params: &Params,
        changed: Changed,
    ) -> Result<Names, Problem> {
        let mut names = self.clone();
        if changed.impute {
            names.group = places.group(&params.impute)?;
        }
        if changed.screen {
            let mut problems = Vec::new();
            names.forced = places.forced(&params.screen, &mut problems);
            if let Some(p) = problems.into_iter().next() {
                return Err(p);
            }
        }
        for &c in &changed.normalise {
            if let Some(slot) = names.iref.get_mut(c) {
                *slot = places.iref(params.normalise[c].as_ref(), &iref_key(rubric, c))?;
            }
        }
        Ok(names)
    }
}

/// Which named settings a list of changes touches.
#[derive(Debug, Default)]
pub(super) struct Changed {
    /// The imputation (its method or group).
    pub(super) impute: bool,
    /// The screen's lists.
    pub(super) screen: bool,
    /// The criteria whose normalisation's method or reference changed.
    pub(super) normalise: Vec<usize>,
}

impl Changed {
    /// True when no name has to be resolved again.
    pub(super) fn is_empty(&self) -> bool {
        !self.impute && !self.screen && self.normalise.is_empty()
    }
}
