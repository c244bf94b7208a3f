//! `accord import-coinr`.

use std::path::PathBuf;

use clap::Args;

use super::print;
use crate::coinr::{ImportOptions, import};
use crate::error::Error;
use crate::output::OutputDir;

/// Arguments of `import-coinr`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// COINr's iData table (CSV): uCode, uName, groups, denominators, indicators.
    #[arg(long, value_name = "FILE")]
    pub idata: PathBuf,
    /// COINr's iMeta table (CSV): Level, iCode, iName, Direction, Weight, Unit, Target, Denominator, Parent, Type.
    #[arg(long, value_name = "FILE")]
    pub imeta: PathBuf,
    /// Folder to write rubric.toml, evidence.csv and jurisdictions.csv into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// The rubric's id.
    #[arg(long, default_value = "coinr-import")]
    pub id: String,
    /// COINr's level_names, from indicators up, comma-separated (e.g. Indicator,Pillar,Sub-index,Index).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub level_names: Option<Vec<String>>,
}

/// Runs `import-coinr`.
pub fn run(args: &ImportArgs) -> Result<(), Error> {
    let out = OutputDir::begin(&args.out, args.force)?;
    let imported = import(
        &args.idata,
        &args.imeta,
        &ImportOptions {
            id: args.id.clone(),
            level_names: args.level_names.clone(),
        },
    )?;
    out.write("rubric.toml", imported.rubric.as_bytes())?;
    out.write("evidence.csv", &imported.evidence)?;
    out.write("jurisdictions.csv", &imported.jurisdictions)?;
    out.commit()?;
    let (ni, na, nu) = imported.counts;
    let d = args.out.display();
    print(&format!(
        "imported {ni} indicators, {na} aggregates and {nu} units into {d}/\nscore it: accord score --rubric {d}/rubric.toml --evidence {d}/evidence.csv --jurisdictions {d}/jurisdictions.csv --out results\n"
    ))
}
