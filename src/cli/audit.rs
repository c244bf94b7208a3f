//! `accord audit`: arguments and printing; the tables are `accord::analysis::folder`'s.

use clap::{Args, ValueEnum};

use super::{InputArgs, print};
use accord::analysis::Stage;
use accord::analysis::folder::Audit;
use accord::error::Error;

/// The stage `--stage` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    /// Criterion values from the rules (all jurisdictions).
    Raw,
    /// After denominate (all jurisdictions).
    Denominated,
    /// After impute (all jurisdictions).
    Imputed,
    /// After screen (scored jurisdictions).
    Screened,
    /// After outlier treatment (scored jurisdictions).
    Treated,
    /// Normalised criterion scores (scored jurisdictions).
    Normalised,
}

impl From<StageArg> for Stage {
    fn from(s: StageArg) -> Stage {
        match s {
            StageArg::Raw => Stage::Raw,
            StageArg::Denominated => Stage::Denominated,
            StageArg::Imputed => Stage::Imputed,
            StageArg::Screened => Stage::Screened,
            StageArg::Treated => Stage::Treated,
            StageArg::Normalised => Stage::Normalised,
        }
    }
}

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
    /// Pipeline stage for statistics and data availability.
    #[arg(long, value_enum, default_value_t = StageArg::Raw)]
    pub stage: StageArg,
}

/// Runs `audit`.
pub fn run(args: &AuditArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let out = args.output.begin()?;
    let (rubric, inputs, as_of) = args.inputs.load(limits)?;
    let scored = accord::score(rubric, inputs, as_of)?;
    let audit = Audit::compute(&scored, args.stage.into())?;
    let files = audit.files(&scored, args.output.format.format());
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    out.commit(&args.inputs.guard(&scored.rubric, limits)?)?;
    let mut text = audit.summary(&scored);
    text.push_str(&format!(
        "wrote {} files to {}/\n",
        files.len(),
        args.output.out.display()
    ));
    print(&text)
}
