//! `accord import-coinr`.

use std::path::PathBuf;

use clap::Args;

use super::print;
use accord::coinr::{ImportOptions, import};
use accord::error::Error;

/// Arguments of `import-coinr`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// COINr's iData table (CSV): uCode, uName, groups, denominators, indicators.
    #[arg(long, value_name = "FILE")]
    pub idata: PathBuf,
    /// COINr's iMeta table (CSV): Level, iCode, iName, Direction, Weight, Unit, Target, Denominator, Parent, Type.
    #[arg(long, value_name = "FILE")]
    pub imeta: PathBuf,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
    /// The rubric's id.
    #[arg(long, default_value = "coinr-import")]
    pub id: String,
    /// COINr's level_names, from indicators up, comma-separated (e.g. Indicator,Pillar,Sub-index,Index).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub level_names: Option<Vec<String>>,
}

/// Runs `import-coinr`.
pub fn run(args: &ImportArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let out = args.output.begin()?;
    let imported = import(
        &args.idata,
        &args.imeta,
        &ImportOptions {
            id: args.id.clone(),
            level_names: args.level_names.clone(),
            limits: *limits,
        },
    )?;
    out.write("rubric.toml", imported.rubric.as_bytes())?;
    out.write("evidence.csv", &imported.evidence)?;
    out.write("jurisdictions.csv", &imported.jurisdictions)?;
    let mut guard = accord::output::Inputs::new();
    guard.add(&args.idata).add(&args.imeta);
    out.commit(&guard)?;
    let (ni, na, nu) = imported.counts;
    let d = args.output.out.display();
    print(&format!(
        "imported {ni} indicators, {na} aggregates and {nu} units into {d}/\nscore it: accord score --rubric {d}/rubric.toml --evidence {d}/evidence.csv --jurisdictions {d}/jurisdictions.csv --out results\n"
    ))
}
