//! `accord sensitivity`.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::{Cli, InputArgs, print};
use accord::error::{Error, InputError, Problem};
use accord::sensitivity::design::{Design, Sampler};
use accord::sensitivity::factors::Context;
use accord::sensitivity::folder::{check_counts, files, find_spec, summary, total_runs};
use accord::sensitivity::{Options, analyse};

/// Arguments of `sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
    /// Base sample size N: N runs for `ua`, N (factors + 2) runs for `sa`.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub runs: usize,
    /// Seed of every random draw: the same seed gives the same outputs, byte for byte.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// `ua`: uncertainty analysis (Monte Carlo); `sa`: Saltelli design with Sobol' indices.
    #[arg(long, value_enum, default_value_t = DesignArg::Sa)]
    pub design: DesignArg,
    /// Pseudo-random draws (ChaCha8) or a scrambled Sobol' sequence.
    #[arg(long, value_enum, default_value_t = SamplerArg::Random)]
    pub sampler: SamplerArg,
    /// Uncertain factors from this TOML file [default: the rubric's `[uncertainty]`, else
    /// `<rubric-stem>.sensitivity.toml` beside the rubric or a rubric it extends].
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Bootstrap resamples for the intervals of the indices (0 for none).
    #[arg(long, value_name = "B", default_value_t = 200)]
    pub bootstrap: usize,
    /// Also write runs.csv with every replication's factor values and output.
    #[arg(long)]
    pub runs_csv: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
}

/// Designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DesignArg {
    /// Uncertainty analysis.
    Ua,
    /// Sensitivity analysis.
    Sa,
}

/// Samplers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplerArg {
    /// ChaCha8 pseudo-random numbers.
    Random,
    /// Owen-scrambled Sobol' sequence.
    Sobol,
}

/// Runs `sensitivity`.
pub fn run(
    args: &SensitivityArgs,
    cli: &Cli,
    limits: &accord::limits::Limits,
) -> Result<(), Error> {
    check_counts(
        ["--threads", "--runs", "--bootstrap"],
        args.threads,
        args.runs,
        args.bootstrap,
    )?;
    let out = args.output.begin()?;
    let resolved = args.inputs.resolve(limits)?;
    let (rubric, inputs) = args.inputs.load_resolved(&resolved)?;
    if resolved.as_of.len() > 1 {
        return Err(InputError::one(Problem::new(
            "`sensitivity` evaluates on one date; `--as-of` names several",
        ))
        .into());
    }
    let scored = accord::score(rubric, inputs, resolved.as_of.first().copied())?;
    let ctx = Context {
        scored: &scored,
        limits,
        seed: args.seed,
    };
    let spec = find_spec(args.spec.as_deref(), Path::new(&resolved.rubric), &ctx)?;
    let options = Options {
        design: match args.design {
            DesignArg::Ua => Design::Ua,
            DesignArg::Sa => Design::Sa,
        },
        sampler: match args.sampler {
            SamplerArg::Random => Sampler::Random,
            SamplerArg::Sobol => Sampler::Sobol,
        },
        n: args.runs,
        seed: args.seed,
        bootstrap: args.bootstrap,
    };
    let total = total_runs(&options, &spec);
    let bar = (!cli.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs {elapsed_precise}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let tick = |_done: usize, _total: usize| {
        if let Some(b) = &bar {
            b.inc(1);
        }
        ControlFlow::Continue(())
    };
    let started = Instant::now();
    let outcome = match args.threads {
        None => analyse(&scored, &spec, &options, &tick)?,
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t.max(1))
                .build()
                .map_err(|e| Error::Internal(e.to_string().into()))?;
            pool.install(|| analyse(&scored, &spec, &options, &tick))?
        }
    };
    let elapsed = started.elapsed();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let files = files(
        &scored,
        &spec,
        &outcome,
        &options,
        args.runs_csv,
        args.output.format.format(),
    );
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    let mut guard = resolved.guard();
    guard.rubric(&ctx.scored.rubric);
    if let Some(spec) = &args.spec {
        guard.add(spec);
    }
    out.commit(&guard)?;
    let mut text = summary(
        &scored,
        &spec,
        &outcome,
        &options,
        elapsed,
        rayon::current_num_threads(),
    );
    text.push_str(&format!("wrote {}/\n", args.output.out.display()));
    print(&text)
}
