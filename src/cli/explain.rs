//! `accord explain`.

use clap::{Args, ValueEnum};

use super::{InputArgs, print, print_exact};
use accord::error::Error;

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Jurisdiction code.
    pub jurisdiction: String,
    /// Node, principle, facet value (e.g. `extradition`), cell (`P1.legal`) or criterion [default: the index].
    #[arg(long, value_name = "ID")]
    pub node: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for reading.
    Text,
    /// JSON.
    Json,
}

/// Runs `explain`.
pub fn run(args: &ExplainArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let (rubric, inputs, as_of) = args.inputs.load(limits)?;
    let scored = accord::score(rubric, inputs, as_of)?;
    let e = accord::explain::explain(&scored, &args.jurisdiction, args.node.as_deref())?;
    match args.format {
        Format::Text => print(&e.to_text()),
        Format::Json => print_exact(&format!(
            "{}\n",
            serde_json::to_string_pretty(&e.to_json()).unwrap_or_default()
        )),
    }
}
