//! `accord audit`: the analyses researchers run on an index (COINr's `get_stats`,
//! `get_data_avail`, `get_corr`, `get_cronbach`, `get_PCA`, `remove_elements`, `get_eff_weights`
//! and the treatment report), written as CSV files into a folder.

use clap::{Args, ValueEnum};

use super::{InputArgs, print};
use accord::Scored;
use accord::analysis::availability::{self, RowAvailability};
use accord::analysis::correlation::with_ancestors;
use accord::analysis::leave_one_out::{Removal, all_criteria, nodes_at_depth, remove_each};
use accord::analysis::stats::{ColumnStats, Thresholds, stats};
use accord::analysis::{Stage, aggregated_column, cronbach};
use accord::base::pca;
use accord::error::{Error, InputError};
use accord::output::{Csv, number, opt_number, text};
use accord::rubric::{Member, Rubric, Rule};

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
    let files = audit.files(&scored);
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    out.commit(&args.inputs.guard(&scored.rubric, limits)?)?;
    print(&audit.summary(&scored, &args.output.out.display().to_string(), files.len()))
}

/// Everything `audit` computes.
struct Audit {
    stage: Stage,
    thresholds: Thresholds,
    stats: Vec<ColumnStats>,
    removals: Vec<(String, Removal)>,
}

impl Audit {
    fn compute(s: &Scored, stage: Stage) -> Result<Audit, InputError> {
        let thresholds = Thresholds::default();
        let stats = stats(stage.frame(&s.results), &thresholds);
        let mut removals = Vec::new();
        let depth = s.rubric.nodes.iter().map(|n| n.depth).max().unwrap_or(0);
        for d in 1..=depth {
            let members = nodes_at_depth(&s.rubric, d);
            let level = s.rubric.meta.levels.get(d).map_or("node", String::as_str);
            for r in remove_each(s, &members)? {
                removals.push((level.to_string(), r));
            }
        }
        for r in remove_each(s, &all_criteria(&s.rubric))? {
            removals.push(("criterion".to_string(), r));
        }
        Ok(Audit {
            stage,
            thresholds,
            stats,
            removals,
        })
    }

    /// The files, in a fixed order.
    fn files(&self, s: &Scored) -> Vec<(String, Vec<u8>)> {
        vec![
            ("stats.csv".to_string(), self.stats_csv(s)),
            (
                "data_availability.csv".to_string(),
                data_availability(s, self.stage),
            ),
            (
                "data_availability_by_node.csv".to_string(),
                availability_by_node(s, self.stage),
            ),
            ("screening.csv".to_string(), screening(s)),
            ("correlations.csv".to_string(), correlations(s)),
            ("cronbach.csv".to_string(), cronbach_csv(s)),
            ("pca_variance.csv".to_string(), pca_variance(s)),
            ("pca_loadings.csv".to_string(), pca_loadings(s)),
            ("leave_one_out.csv".to_string(), self.leave_one_out(s)),
            ("effective_weights.csv".to_string(), effective_weights(s)),
            ("treatment.csv".to_string(), treatment(s)),
            ("treated_points.csv".to_string(), treated_points(s)),
        ]
    }

    fn stats_csv(&self, s: &Scored) -> Vec<u8> {
        let mut csv = Csv::new();
        csv.row([
            "criterion",
            "min",
            "max",
            "mean",
            "median",
            "std",
            "skew",
            "kurt",
            "n_avail",
            "n_nonzero",
            "n_unique",
            "n_same",
            "frc_avail",
            "frc_nonzero",
            "frc_unique",
            "frc_same",
            "flag_avail",
            "flag_nonzero",
            "flag_unique",
            "flag_skew_kurt",
        ]);
        let low = |b: bool| if b { "LOW" } else { "ok" }.to_string();
        for (crit, st) in s.rubric.criteria.iter().zip(&self.stats) {
            csv.row([
                text(&crit.id),
                opt_number(st.min),
                opt_number(st.max),
                opt_number(st.mean),
                opt_number(st.median),
                opt_number(st.std),
                opt_number(st.skew),
                opt_number(st.kurt),
                st.n_avail.to_string(),
                st.n_nonzero.to_string(),
                st.n_unique.to_string(),
                st.n_same.to_string(),
                opt_number(st.frc_avail),
                opt_number(st.frc_nonzero),
                opt_number(st.frc_unique),
                opt_number(st.frc_same),
                low(st.low_avail),
                low(st.low_nonzero),
                low(st.low_unique),
                match st.outliers {
                    Some(true) => "OUT",
                    Some(false) => "ok",
                    None => "NA",
                }
                .to_string(),
            ]);
        }
        csv.finish()
    }

    fn leave_one_out(&self, s: &Scored) -> Vec<u8> {
        let mut csv = Csv::new();
        csv.row(["level", "element", "n", "mean_abs_rank_change"]);
        for (level, r) in &self.removals {
            csv.row([
                text(level),
                text(member_id(&s.rubric, r.member)),
                r.n.to_string(),
                opt_number(r.mean_abs_rank_change),
            ]);
        }
        csv.finish()
    }

    fn summary(&self, s: &Scored, out: &str, nfiles: usize) -> String {
        let mut t = format!(
            "audit of rubric {} {}: {} criteria, {} nodes, {} of {} jurisdictions scored\n",
            s.rubric.meta.id,
            s.rubric.meta.version,
            s.rubric.criteria.len(),
            s.rubric.nodes.len(),
            s.results.units.len(),
            s.inputs.jurisdictions.len(),
        );
        let flagged = |f: &dyn Fn(&ColumnStats) -> bool| -> String {
            let ids: Vec<&str> = s
                .rubric
                .criteria
                .iter()
                .zip(&self.stats)
                .filter(|(_, st)| f(st))
                .map(|(c, _)| c.id.as_str())
                .collect();
            match ids.len() {
                0 => "none".to_string(),
                n if n <= 6 => ids.join(", "),
                n => format!("{} and {} more", ids[..6].join(", "), n - 6),
            }
        };
        let th = &self.thresholds;
        t.push_str(&format!(
            "{} stage: outliers (|skew| > {} and kurtosis > {}): {}\n",
            self.stage.name(),
            number(th.t_skew),
            number(th.t_kurt),
            flagged(&|st| st.outliers == Some(true))
        ));
        t.push_str(&format!(
            "{} stage: low availability (below {}): {}\n",
            self.stage.name(),
            number(th.t_avail),
            flagged(&|st| st.low_avail)
        ));
        if let Some((level, r)) = self
            .removals
            .iter()
            .filter(|(l, _)| l != "criterion")
            .filter_map(|(l, r)| Some((l, r, r.mean_abs_rank_change?)))
            .max_by(|a, b| a.2.total_cmp(&b.2))
            .map(|(l, r, _)| (l, r))
        {
            t.push_str(&format!(
                "largest leave-one-out effect: removing {} `{}` moves the index rank by {} places on average\n",
                level,
                member_id(&s.rubric, r.member),
                r.mean_abs_rank_change
                    .map_or_else(|| "NA".to_string(), |m| format!("{m:.2}"))
            ));
        }
        t.push_str(&format!("wrote {nfiles} files to {out}/\n"));
        t
    }
}

/// A member's id.
fn member_id(rubric: &Rubric, m: Member) -> &str {
    match m {
        Member::Criterion(c) => &rubric.criteria[c].id,
        Member::Node(k) => &rubric.nodes[k].id,
    }
}

/// A member's kind (`criterion`, or the node's level name).
fn member_kind(rubric: &Rubric, m: Member) -> &str {
    match m {
        Member::Criterion(_) => "criterion",
        Member::Node(k) => rubric.node_kind(k),
    }
}

fn true_false(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

/// Code of a jurisdiction by its index.
fn code(s: &Scored, j: usize) -> String {
    text(&s.inputs.jurisdictions.list[j].code)
}

fn availability_row(csv: &mut Csv, code: String, a: &RowAvailability, extra: Vec<String>) {
    let mut row = vec![
        code,
        a.n_missing.to_string(),
        a.n_zero.to_string(),
        a.n_miss_or_zero.to_string(),
        opt_number(a.dat_avail),
        opt_number(a.non_zero),
    ];
    row.extend(extra);
    csv.row(row);
}

const AVAILABILITY_HEADER: [&str; 6] = [
    "jurisdiction",
    "n_missing",
    "n_zero",
    "n_miss_or_zero",
    "dat_avail",
    "non_zero",
];

fn data_availability(s: &Scored, stage: Stage) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row(AVAILABILITY_HEADER);
    let rows = stage.rows(&s.results);
    for (j, a) in rows
        .iter()
        .zip(availability::by_row(stage.frame(&s.results)))
    {
        availability_row(&mut csv, code(s, *j), &a, Vec::new());
    }
    csv.finish()
}

fn availability_by_node(s: &Scored, stage: Stage) -> Vec<u8> {
    let mut csv = Csv::new();
    let mut header = vec!["jurisdiction".to_string()];
    header.extend(s.rubric.nodes.iter().map(|n| text(&n.id)));
    csv.row(header);
    let rows = stage.rows(&s.results);
    let by = availability::by_node(stage.frame(&s.results), &s.rubric);
    for (r, j) in rows.iter().enumerate() {
        let mut row = vec![code(s, *j)];
        row.extend((0..by.ncol).map(|k| opt_number(by.get(r, k))));
        csv.row(row);
    }
    csv.finish()
}

/// The screen's view: availability of the imputed values (the screen's input) and its decision.
fn screening(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    let mut header = AVAILABILITY_HEADER.to_vec();
    header.extend(["low_data", "low_nonzero", "included"]);
    csv.row(header);
    let by = availability::by_row(&s.results.stages.imputed);
    for (j, (a, decision)) in by.iter().zip(&s.results.availability).enumerate() {
        availability_row(
            &mut csv,
            code(s, j),
            a,
            vec![
                true_false(decision.low_data),
                true_false(decision.low_nonzero),
                true_false(decision.included),
            ],
        );
    }
    csv.finish()
}

fn correlations(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row([
        "child",
        "child_kind",
        "ancestor",
        "ancestor_kind",
        "generations",
        "n",
        "pearson",
        "spearman",
    ]);
    for l in with_ancestors(&s.rubric, |m| aggregated_column(&s.results, m)) {
        csv.row([
            text(member_id(&s.rubric, l.child)),
            text(member_kind(&s.rubric, l.child)),
            text(&s.rubric.nodes[l.ancestor].id),
            text(s.rubric.node_kind(l.ancestor)),
            l.generations.to_string(),
            l.n.to_string(),
            opt_number(l.pearson),
            opt_number(l.spearman),
        ]);
    }
    csv.finish()
}

/// The children columns of a node in the aggregated data (normalised criteria, node scores).
fn children_columns(s: &Scored, k: usize) -> Vec<&[Option<f64>]> {
    s.rubric.nodes[k]
        .children
        .iter()
        .map(|m| aggregated_column(&s.results, *m))
        .collect()
}

fn cronbach_csv(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row(["node", "k", "alpha_raw", "alpha_normalised"]);
    for (k, node) in s.rubric.nodes.iter().enumerate() {
        let raw: Option<Vec<&[Option<f64>]>> = node
            .children
            .iter()
            .map(|m| match *m {
                Member::Criterion(c) => Some(s.results.stages.raw.col(c)),
                Member::Node(_) => None,
            })
            .collect();
        csv.row([
            text(&node.id),
            node.children.len().to_string(),
            opt_number(raw.and_then(|cols| cronbach::alpha(&cols))),
            opt_number(cronbach::alpha(&children_columns(s, k))),
        ]);
    }
    csv.finish()
}

fn pca_variance(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row(["node", "n", "component", "sdev", "prop_var", "cum_prop"]);
    for (k, node) in s.rubric.nodes.iter().enumerate() {
        let Some(p) = pca::pca(&children_columns(s, k)) else {
            continue;
        };
        for i in 0..p.sdev.len() {
            csv.row([
                text(&node.id),
                p.n.to_string(),
                format!("PC{}", i + 1),
                number(p.sdev[i]),
                number(p.prop_var[i]),
                number(p.cum_prop[i]),
            ]);
        }
    }
    csv.finish()
}

fn pca_loadings(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row(["node", "child", "component", "loading"]);
    for (k, node) in s.rubric.nodes.iter().enumerate() {
        let Some(p) = pca::pca(&children_columns(s, k)) else {
            continue;
        };
        for (i, loadings) in p.loadings.iter().enumerate() {
            for (m, l) in node.children.iter().zip(loadings) {
                csv.row([
                    text(&node.id),
                    text(member_id(&s.rubric, *m)),
                    format!("PC{}", i + 1),
                    number(*l),
                ]);
            }
        }
    }
    csv.finish()
}

fn effective_weights(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row(["id", "kind", "weight", "effective_weight"]);
    let nodes = s.rubric.effective_node_weights();
    for (k, node) in s.rubric.nodes.iter().enumerate() {
        csv.row([
            text(&node.id),
            text(s.rubric.node_kind(k)),
            number(node.weight),
            number(nodes[k]),
        ]);
    }
    let crits = s.rubric.effective_criterion_weights();
    for (c, crit) in s.rubric.criteria.iter().enumerate() {
        csv.row([
            text(&crit.id),
            "criterion".to_string(),
            number(crit.weight),
            number(crits[c]),
        ]);
    }
    csv.finish()
}

fn treatment(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row([
        "criterion",
        "pass0",
        "skew0",
        "kurt0",
        "nwin",
        "pass1",
        "skew1",
        "kurt1",
        "pass2",
        "skew2",
        "kurt2",
    ]);
    let na = || "NA".to_string();
    for (crit, detail) in s.rubric.criteria.iter().zip(&s.results.treatment) {
        let Some(d) = detail else { continue };
        let mut row = vec![text(&crit.id)];
        for (i, check) in [d.check0, d.check1, d.check2].iter().enumerate() {
            match check {
                Some(c) => row.extend([true_false(c.pass), number(c.skew), number(c.kurt)]),
                None => row.extend([na(), na(), na()]),
            }
            if i == 0 {
                row.push(d.nwin.map_or_else(na, |n| n.to_string()));
            }
        }
        csv.row(row);
    }
    csv.finish()
}

fn treated_points(s: &Scored) -> Vec<u8> {
    let mut csv = Csv::new();
    let numeric: Vec<usize> = (0..s.rubric.criteria.len())
        .filter(|&c| matches!(s.rubric.criteria[c].rule, Rule::Numeric))
        .collect();
    let mut header = vec!["jurisdiction".to_string()];
    header.extend(numeric.iter().map(|&c| text(&s.rubric.criteria[c].id)));
    csv.row(header);
    for (row, &j) in s.results.units.iter().enumerate() {
        let mut cells = vec![code(s, j)];
        cells.extend(numeric.iter().map(|&c| {
            s.results.treatment[c]
                .as_ref()
                .map_or_else(String::new, |d| text(&d.point(row)))
        }));
        csv.row(cells);
    }
    csv.finish()
}
