//! `accord score`.

use std::path::PathBuf;

use clap::Args;

use super::{Cli, FormatArg, InputArgs, print};
use accord::error::{Error, InputError, Problem};
use accord::explain::table;
use accord::output::{self, OutputDir, number};

/// Arguments of `score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
    /// The results folder to write.
    #[arg(long, value_name = "DIR", required_unless_present = "check")]
    pub out: Option<PathBuf>,
    /// Replace the results folder if it exists (atomically, once the new one is complete).
    #[arg(long)]
    pub force: bool,
    /// The format of the folder's tables (its manifest stays JSON).
    #[arg(long, value_enum, default_value_t = FormatArg::Csv, conflicts_with = "check")]
    pub format: FormatArg,
    /// Rows of the ranking printed on stdout (0 for none).
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Rerun the inputs recorded in DIR/manifest.json and confirm DIR is reproduced byte for byte.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub check: Option<PathBuf>,
}

/// Runs `score`.
pub fn run(args: &ScoreArgs, _cli: &Cli, limits: &accord::limits::Limits) -> Result<(), Error> {
    if let Some(dir) = &args.check {
        return check(dir, limits);
    }
    let Some(target) = &args.out else {
        return Err(
            InputError::one(Problem::new("`score` needs --out DIR (or --check DIR)")).into(),
        );
    };
    let out = OutputDir::begin(target, args.force)?;
    let resolved = args.inputs.resolve(limits)?;
    let (rubric, inputs) = args.inputs.load_resolved(&resolved)?;
    let mut guard = resolved.guard();
    guard.rubric(&rubric);
    let runs = score_dates(rubric, inputs, &resolved.as_of)?;
    // Each table is written into the unfinished folder as it is built; the folder replaces the
    // target only once every file is complete.
    let written = output::write_score_folder(
        &runs,
        Some(&resolved.invocation),
        args.format.format(),
        &out,
    )?;
    out.commit(&guard)?;
    let mut text = String::new();
    for s in &runs {
        text.push_str(&summary(s, args.top, args.format.format()));
    }
    text.push_str(&format!("wrote {written} files to {}/\n", target.display()));
    // The process ends after this: the runs (at 50,000 units 1.6 million evidence rows, each
    // with its shared texts) are left to the system to reclaim at once rather than freed one
    // allocation at a time, which took some 50 ms.
    std::mem::forget(runs);
    print(&text)
}

/// Scores on each date (one run without dates).
fn score_dates(
    rubric: accord::rubric::Rubric,
    inputs: accord::evidence::Inputs,
    dates: &[accord::evidence::Date],
) -> Result<Vec<accord::Scored>, InputError> {
    if dates.len() <= 1 {
        return Ok(vec![accord::score(rubric, inputs, dates.first().copied())?]);
    }
    dates
        .iter()
        .map(|d| accord::score(rubric.clone(), inputs.clone(), Some(*d)))
        .collect()
}

/// `--check DIR`: rerun what DIR's manifest records and compare.
fn check(dir: &std::path::Path, limits: &accord::limits::Limits) -> Result<(), Error> {
    let shown = dir.display().to_string();
    let m = output::manifest::read_run(dir, "score")?;
    let manifest = dir.join("manifest.json").display().to_string();
    let format = m.table_format(&manifest)?;
    let Some(inv) = m.score_options(&manifest)?.invocation else {
        return Err(no_record(&shown));
    };
    let Some(rubric) = inv.rubric.clone() else {
        return Err(no_record(&shown));
    };
    // A run on a data folder is rerun on the folder, so that its `accord.toml` applies again.
    let data = inv.data.as_ref().map(PathBuf::from);
    let args = InputArgs {
        rubric: Some(PathBuf::from(rubric)),
        evidence: if data.is_some() {
            None
        } else {
            inv.evidence.as_ref().map(PathBuf::from)
        },
        sheet: inv.sheet.clone(),
        jurisdictions: inv.jurisdictions.as_ref().map(PathBuf::from),
        dyads: inv.dyads.as_ref().map(PathBuf::from),
        data,
        as_of: Some(inv.as_of.join(",")).filter(|s| !s.is_empty()),
        set: inv.set.clone(),
        allow_extends_outside: inv.allow_extends_outside,
        only_coded: inv.only_coded,
        delimiter: inv.delimiter.clone(),
    };
    // Inputs must be the ones the folder was made from.
    let mut recorded: Vec<(String, String)> = m
        .rubric
        .files
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    if let Some(f) = &inv.folder {
        recorded.push((f.path.clone(), f.sha256.clone()));
    }
    let ev = &m.inputs.evidence;
    if !ev.path.is_empty() {
        recorded.push((ev.path.clone(), ev.sha256.clone()));
    }
    for f in [&m.inputs.jurisdictions, &m.inputs.dyads]
        .into_iter()
        .flatten()
    {
        recorded.push((f.path.clone(), f.sha256.clone()));
    }
    // Read as the run read them: regular files only, within the file limit.
    let limit = limits.table_bytes;
    for (p, h) in &recorded {
        let now = match accord::builtin::file(p).filter(|_| accord::builtin::is_builtin(p)) {
            Some(bytes) => Ok(accord::files::sha256_hex(bytes)),
            None => accord::files::read_bytes(
                std::path::Path::new(p),
                "input",
                limit,
                Some("--max-file-mb"),
                None,
            )
            .map(|b| accord::files::sha256_hex(&b)),
        };
        match now {
            Ok(now) if now == *h => {}
            Ok(now) => {
                return Err(Error::Mismatch(format!(
                    "`{shown}` is not reproduced: input `{p}` has changed since the run (sha256 {}... then, {}... now)",
                    &h[..12.min(h.len())],
                    &now[..12]
                )));
            }
            Err(e) => {
                let help = e.help.unwrap_or_else(|| {
                    "run --check from the folder the original run was made in".to_string()
                });
                return Err(
                    Problem::new(format!("{} (recorded in `{shown}`)", e.message))
                        .at(accord::error::Location::file(p))
                        .help(help)
                        .into(),
                );
            }
        }
    }
    let resolved = args.resolve(limits)?;
    let (rubric_loaded, inputs) = args.load_resolved(&resolved)?;
    let runs = score_dates(rubric_loaded, inputs, &resolved.as_of)?;
    let files = output::score_files_as(&runs, Some(&resolved.invocation), format);
    match output::check::first_difference(&files, dir, limits.table_bytes) {
        None => print(&format!(
            "reproduced: `{shown}` matches a rerun byte for byte ({} files)\n",
            files.len()
        )),
        Some(diff) => Err(Error::Mismatch(format!(
            "`{shown}` is not reproduced: {diff}"
        ))),
    }
}

/// The problem of a score folder whose manifest does not say how it was run.
fn no_record(shown: &str) -> Error {
    Problem::new(format!("the manifest of `{shown}` does not record how it was run"))
        .help("folders written by `accord score` record their inputs; rerun it to make a checkable folder")
        .into()
}

/// The short report printed after scoring.
pub fn summary(
    s: &accord::Scored,
    top: usize,
    format: accord::output::schema::TableFormat,
) -> String {
    let r = &s.results;
    let mut text = String::new();
    text.push_str(&format!(
        "rubric {} {} ({} criteria); {} jurisdictions scored on {}\n",
        s.rubric.meta.id,
        s.rubric.meta.version,
        s.rubric.criteria.len(),
        r.units.len(),
        s.evaluation.describe()
    ));
    let after = s.inputs.observations_after(s.evaluation.date);
    if after > 0 && s.evaluation.origin != accord::rules::DateOrigin::AsOf {
        text.push_str(&format!(
            "{after} observations are dated after {} and not used on it (counted in manifest.json)\n",
            s.evaluation.date
        ));
    }
    let with_index = r.index_scores().iter().filter(|x| x.is_some()).count();
    let screened = s.inputs.jurisdictions.len() - r.units.len();
    if screened > 0 {
        text.push_str(&format!(
            "{screened} screened out for too little data (see manifest.json)\n"
        ));
    }
    if with_index < r.units.len() {
        text.push_str(&coverage_note(s, with_index));
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
            text.push_str(&format!(
                "... {} more in {}\n",
                with_index - top,
                format.name(accord::output::schema::RANKING.name)
            ));
        }
    }
    if with_index == 0 {
        let counts: Vec<String> = s.rubric.nodes[0]
            .children
            .iter()
            .filter_map(|m| {
                if let accord::rubric::Member::Node(k) = m {
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
            "jurisdictions with a score, by {}: {}\n",
            s.rubric.meta.levels.get(1).map_or("node", String::as_str),
            counts.join(", ")
        ));
        text.push_str(&format!(
            "see {} and {} for what the evidence supports\n",
            format.name(accord::output::schema::MATRIX_PRINCIPLES.name),
            format.name(accord::output::schema::SCORES.name)
        ));
    }
    text
}

/// Why indices are NA, which setting decides it, and what to do about it.
fn coverage_note(s: &accord::Scored, with_index: usize) -> String {
    let r = &s.results;
    let root = &s.rubric.nodes[0];
    let agg = root
        .aggregate
        .as_ref()
        .unwrap_or(&s.rubric.pipeline.aggregate);
    let min = agg.min_coverage;
    let key = if root.aggregate.is_some() {
        format!("node.{}.aggregate.min_coverage", root.id)
    } else {
        "pipeline.aggregate.min_coverage".to_string()
    };
    let mut text = format!(
        "{} of {} have an index score; for the rest less than {} of the index's weight is backed by evidence (`{key}` = {}), so their index is NA\n",
        with_index,
        r.units.len(),
        number(min),
        number(min)
    );
    // Most NA: say how to score what was coded, or to accept thinner evidence.
    if with_index * 2 < r.units.len() {
        let uncoded = accord::rules::coded(&s.rubric, &s.inputs)
            .iter()
            .zip(&s.rubric.criteria)
            .filter(|(coded, c)| !**coded && c.weight > 0.0)
            .count();
        let mut covs: Vec<f64> = r.nodes.coverage.col(0).iter().flatten().copied().collect();
        covs.sort_by(f64::total_cmp);
        let median = covs.get(covs.len() / 2).copied().unwrap_or(0.0);
        text.push_str(&format!(
            "the median index coverage is {}",
            output::share(Some(median))
        ));
        if uncoded > 0 {
            text.push_str(&format!(
                "; {uncoded} of the rubric's {} criteria have no evidence for any jurisdiction: to score only the criteria that were coded, add --only-coded",
                s.rubric.criteria.len()
            ));
        }
        text.push_str(&format!(
            "; to accept thinner evidence, --set {key}=<share>\n"
        ));
    }
    text
}
