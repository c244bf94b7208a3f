//! Sampling designs: plain Monte Carlo (uncertainty analysis) and Saltelli's design for Sobol'
//! indices, from a seeded ChaCha generator (one stream per base row, so the design does not depend
//! on the thread count) or from Owen-scrambled Sobol' low-discrepancy sequences.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Which analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Uncertainty analysis: N independent runs.
    Ua,
    /// Sensitivity analysis: Saltelli's A, B and AB_i blocks, N (d + 2) runs.
    Sa,
}

/// Where the uniform numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampler {
    /// ChaCha8, stream = base row.
    Random,
    /// Owen-scrambled Sobol' sequence (Burley 2020), scrambled by the seed.
    Sobol,
}

/// The block a run belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// A Monte Carlo run.
    Mc,
    /// Matrix A.
    A,
    /// Matrix B.
    B,
    /// A with column i from B.
    Ab(usize),
}

impl Block {
    /// Name in outputs.
    pub(crate) fn name(&self, factors: &[String]) -> String {
        match self {
            Block::Mc => "MC".to_string(),
            Block::A => "A".to_string(),
            Block::B => "B".to_string(),
            Block::Ab(i) => format!("AB:{}", factors.get(*i).map_or("?", String::as_str)),
        }
    }
}

/// Every run's uniform draws, in COINr's order: MC rows, or A, B, AB_1, ..., AB_d.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The design.
    pub design: Design,
    /// Base sample size N.
    pub n: usize,
    /// Number of factors d.
    pub d: usize,
    /// One row of d numbers in [0, 1) per run.
    pub rows: Vec<Vec<f64>>,
    /// The block of each run.
    pub blocks: Vec<Block>,
}

/// Largest number of factors a Sobol' design supports (twice this many dimensions for Saltelli).
pub(crate) const MAX_SOBOL_FACTORS: usize = 128;

/// The `width` uniform numbers of base row `r`.
fn base_row(sampler: Sampler, seed: u64, r: usize, width: usize) -> Vec<f64> {
    match sampler {
        Sampler::Random => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(r as u64);
            (0..width).map(|_| rng.random::<f64>()).collect()
        }
        Sampler::Sobol => (0..width)
            .map(|k| {
                f64::from(sobol_burley::sample(
                    r as u32,
                    k as u32,
                    (seed ^ (seed >> 32)) as u32,
                ))
            })
            .collect(),
    }
}

/// The plan for `n` base rows and `d` factors.
pub fn plan(
    design: Design,
    sampler: Sampler,
    n: usize,
    d: usize,
    seed: u64,
) -> Result<Plan, String> {
    if n < 2 {
        return Err("--runs must be at least 2".to_string());
    }
    if d == 0 {
        return Err("there are no uncertain factors".to_string());
    }
    if design == Design::Sa && d < 2 {
        return Err(
            "a sensitivity analysis needs at least two factors; use --design ua for one"
                .to_string(),
        );
    }
    if sampler == Sampler::Sobol && d > MAX_SOBOL_FACTORS {
        return Err(format!(
            "the Sobol' sampler supports at most {MAX_SOBOL_FACTORS} factors"
        ));
    }
    if n > u32::MAX as usize / 2 {
        return Err("--runs is too large".to_string());
    }
    match design {
        Design::Ua => {
            let rows: Vec<Vec<f64>> = (0..n).map(|r| base_row(sampler, seed, r, d)).collect();
            Ok(Plan {
                design,
                n,
                d,
                blocks: vec![Block::Mc; n],
                rows,
            })
        }
        Design::Sa => {
            let base: Vec<Vec<f64>> = (0..n).map(|r| base_row(sampler, seed, r, 2 * d)).collect();
            let mut rows = Vec::with_capacity(n * (d + 2));
            let mut blocks = Vec::with_capacity(n * (d + 2));
            rows.extend(base.iter().map(|b| b[..d].to_vec()));
            blocks.extend(std::iter::repeat_n(Block::A, n));
            rows.extend(base.iter().map(|b| b[d..].to_vec()));
            blocks.extend(std::iter::repeat_n(Block::B, n));
            for i in 0..d {
                for b in &base {
                    let mut row = b[..d].to_vec();
                    row[i] = b[d + i];
                    rows.push(row);
                }
                blocks.extend(std::iter::repeat_n(Block::Ab(i), n));
            }
            Ok(Plan {
                design,
                n,
                d,
                rows,
                blocks,
            })
        }
    }
}
