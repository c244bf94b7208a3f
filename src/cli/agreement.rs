//! `accord agreement`: arguments and printing; Krippendorff's alpha per evidence field and
//! overall, percent agreement, and every unit where coders disagree, as
//! `accord::agreement::folder` writes them.

use clap::Args;

use super::{InputArgs, print};
use accord::agreement::{self, folder};
use accord::error::Error;

/// Arguments of `agreement`.
#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// Inputs (the evidence needs a `coder` column).
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
}

/// Runs `agreement`.
pub fn run(args: &AgreementArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let out = args.output.begin()?;
    let (rubric, inputs, as_of) = args.inputs.load(limits)?;
    agreement::check_coders(&inputs)?;
    let scored = accord::score(rubric, inputs, as_of)?;
    let report = agreement::report(&scored.rubric, &scored.inputs)?;
    let files = folder::files(&scored, &report, args.output.format.format());
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    out.commit(&args.inputs.guard(&scored.rubric, limits)?)?;
    let mut text = folder::summary(&scored, &report);
    text.push_str(&format!(
        "wrote {} files to {}/\n",
        files.len(),
        args.output.out.display()
    ));
    print(&text)
}
