//! `accord compare`: arguments and printing; the comparison and its folder are
//! `accord::compare::folder`'s.

use clap::Args;

use super::{InputArgs, print, warn_future_dates};
use accord::compare::folder::{self, Sides};
use accord::error::Error;

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// A: a rubric (.toml), an evidence file, a date (YYYY-MM-DD) or a `score` results folder.
    pub a: String,
    /// B: the same kind of thing as A.
    pub b: String,
    /// Inputs shared by both sides (the evidence for two rubrics, the rubric for two evidence files).
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
    /// How many of the biggest movers to explain.
    #[arg(long, default_value_t = 5)]
    pub movers: usize,
}

/// Runs `compare`.
pub fn run(args: &CompareArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let kind = folder::kind(&args.a, &args.b)?;
    let out = args.output.begin()?;
    let request = args.inputs.request();
    let sides = Sides {
        a: &args.a,
        b: &args.b,
        inputs: &request,
        movers: args.movers,
        evidence_in_memory: None,
    };
    let load = |r: &accord::request::Request| {
        let loaded = r.load(limits)?;
        warn_future_dates(&loaded.1);
        Ok(loaded)
    };
    let c = folder::compare(&sides, kind, limits, &load)?;
    let files = c.files(args.output.format.format());
    for (name, b) in &files {
        out.write(name, b)?;
    }
    let mut guard = args
        .inputs
        .resolve(limits)
        .map(|r| r.guard())
        .unwrap_or_default();
    guard.add(&args.a).add(&args.b);
    out.commit(&guard)?;
    let mut report = c.summary();
    report.push_str(&format!("wrote {}/\n", args.output.out.display()));
    print(&report)
}
