//! `accord validate`.

use clap::Args;

use super::{InputArgs, print};
use accord::error::Error;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
}

/// Runs `validate`: loads everything, evaluates the rules and runs the pipeline without writing.
pub fn run(args: &ValidateArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let (rubric, inputs, as_of) = args.inputs.load(limits)?;
    let msg = format!(
        "rubric `{}` {}: {} nodes, {} criteria, {} evidence fields{}\nevidence `{}`: {} rows ({} form) for {} jurisdictions{}\n",
        rubric.meta.id,
        rubric.meta.version,
        rubric.nodes.len(),
        rubric.criteria.len(),
        rubric.fields.len(),
        if rubric.facets.is_empty() {
            String::new()
        } else {
            format!(
                ", facets: {}",
                rubric
                    .facets
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        inputs.evidence.file.path,
        inputs.evidence.file.rows,
        match inputs.evidence.form {
            accord::evidence::Form::Long => "long",
            accord::evidence::Form::Wide => "wide",
        },
        inputs.jurisdictions.len(),
        inputs
            .dyads
            .as_ref()
            .map(|d| format!("\ndyads `{}`: {} instruments", d.file.path, d.list.len()))
            .unwrap_or_default(),
    );
    accord::score(rubric, inputs, as_of)?;
    print(&format!("{msg}no problems found\n"))
}
