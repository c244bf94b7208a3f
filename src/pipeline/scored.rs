//! A scored run: the rules evaluated and the pipeline run on one rubric and its inputs.

use crate::error::InputError;
use crate::evidence::{Date, Inputs};
use crate::pipeline::results::Results;
use crate::rubric::Rubric;
use crate::rules::{self, CriterionValues};

/// A scored run: its inputs, the criterion values and the results.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The rubric.
    pub rubric: Rubric,
    /// Evidence, jurisdictions and dyads.
    pub inputs: Inputs,
    /// Criterion values from the rules.
    pub values: CriterionValues,
    /// Scores, coverage and ranks.
    pub results: Results,
    /// The `--as-of` date asked for, if any.
    pub as_of: Option<Date>,
    /// The date evaluated on, and what chose it.
    pub evaluation: rules::EvaluationDate,
}

/// Evaluates the rules and runs the pipeline.
pub fn score(rubric: Rubric, inputs: Inputs, as_of: Option<Date>) -> Result<Scored, InputError> {
    let evaluation = rules::EvaluationDate::choose(&inputs, as_of);
    let values = rules::evaluate(&rubric, &inputs, evaluation.date)?;
    let results = super::run(&rubric, &inputs, &values)?;
    Ok(Scored {
        rubric,
        inputs,
        values,
        results,
        as_of,
        evaluation,
    })
}
