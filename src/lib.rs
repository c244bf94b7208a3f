//! accord: scores jurisdictions against a policy rubric (the Paris Call for Trust and Security in
//! Cyberspace by default) from coded evidence, and writes comparable matrices.
//!
//! Data flows one way: load (`rubric`, `evidence`) -> evaluate rules (`rules`) -> pipeline
//! (`pipeline`) -> results (`results`) -> outputs (`output`, `explain`, `template`).

pub mod agreement;
pub mod align;
pub mod analysis;
pub mod base;
pub mod builtin;
pub mod cli;
pub mod coinr;
pub mod compare;
pub mod error;
pub mod evidence;
pub mod explain;
pub mod files;
pub mod limits;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod results;
pub mod rubric;
pub mod rules;
pub mod sensitivity;
pub mod template;

use error::InputError;
use evidence::{Date, Inputs};
use results::Results;
use rubric::Rubric;
use rules::CriterionValues;

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
    let results = pipeline::run(&rubric, &inputs, &values)?;
    Ok(Scored {
        rubric,
        inputs,
        values,
        results,
        as_of,
        evaluation,
    })
}
