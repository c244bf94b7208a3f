//! `accord score`.

use std::path::PathBuf;

use clap::Args;

use super::{Cli, InputArgs, print};
use crate::error::Error;
use crate::explain::table;
use crate::output::{self, OutputDir, number};

/// Arguments of `score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
    /// The results folder to write.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the results folder if it exists (atomically, once the new one is complete).
    #[arg(long)]
    pub force: bool,
    /// Rows of the ranking printed on stdout (0 for none).
    #[arg(long, default_value_t = 15)]
    pub top: usize,
}

/// Runs `score`.
pub fn run(args: &ScoreArgs, _cli: &Cli) -> Result<(), Error> {
    let out = OutputDir::begin(&args.out, args.force)?;
    let (rubric, inputs, as_of) = args.inputs.load()?;
    let scored = crate::score(rubric, inputs, as_of)?;
    let files = output::score_files(&scored);
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    out.commit()?;
    print(&summary(
        &scored,
        args.top,
        &args.out.display().to_string(),
        files.len(),
    ))
}

/// The short report printed after scoring.
pub fn summary(s: &crate::Scored, top: usize, out: &str, nfiles: usize) -> String {
    let r = &s.results;
    let mut text = String::new();
    let date = if r.date == crate::evidence::Date::MAX {
        "the latest evidence".to_string()
    } else {
        r.date.to_string()
    };
    text.push_str(&format!(
        "rubric {} {} ({} criteria); {} jurisdictions scored on {}\n",
        s.rubric.meta.id,
        s.rubric.meta.version,
        s.rubric.criteria.len(),
        r.units.len(),
        date
    ));
    let with_index = r.index_scores().iter().filter(|x| x.is_some()).count();
    let screened = s.inputs.jurisdictions.len() - r.units.len();
    if screened > 0 {
        text.push_str(&format!(
            "{screened} screened out for too little data (see manifest.json)\n"
        ));
    }
    let min = s.rubric.pipeline.aggregate.min_coverage;
    if with_index < r.units.len() {
        text.push_str(&format!(
            "{} of {} have an index score; the rest have too little evidence (coverage below {}), so their index is NA\n",
            with_index,
            r.units.len(),
            number(min)
        ));
    }
    if top > 0 && with_index > 0 {
        let mut rows = vec![vec![
            "rank".to_string(),
            "jurisdiction".to_string(),
            "name".to_string(),
            "score".to_string(),
            "tier".to_string(),
            "coverage".to_string(),
        ]];
        for (row, score, rank) in output::files_ranking(s)
            .into_iter()
            .filter(|x| x.1.is_some())
            .take(top)
        {
            let j = &s.inputs.jurisdictions.list[r.units[row]];
            rows.push(vec![
                rank.map_or_else(|| "NA".to_string(), |x| x.to_string()),
                j.code.clone(),
                j.name.chars().take(32).collect(),
                score.map_or_else(|| "NA".to_string(), |x| format!("{x:.2}")),
                score
                    .and_then(|x| s.rubric.tier_of(x))
                    .map_or_else(|| "-".to_string(), |t| t.name.clone()),
                output::share(r.nodes.coverage.get(row, 0)),
            ]);
        }
        text.push_str(&table(&rows));
        if with_index > top {
            text.push_str(&format!("... {} more in ranking.csv\n", with_index - top));
        }
    }
    if with_index == 0 {
        let counts: Vec<String> = s.rubric.nodes[0]
            .children
            .iter()
            .filter_map(|m| {
                if let crate::rubric::Member::Node(k) = m {
                    Some(*k)
                } else {
                    None
                }
            })
            .map(|k| {
                format!(
                    "{} {}",
                    s.rubric.nodes[k].id,
                    r.nodes.score.col(k).iter().filter(|x| x.is_some()).count()
                )
            })
            .collect();
        text.push_str(&format!(
            "jurisdictions with a score, by {}: {}
",
            s.rubric.meta.levels.get(1).map_or("node", String::as_str),
            counts.join(", ")
        ));
        text.push_str(
            "see matrix_principles.csv and scores.csv for what the evidence supports
",
        );
    }
    text.push_str(&format!("wrote {nfiles} files to {out}/\n"));
    text
}
