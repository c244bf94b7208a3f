//! The folder `audit` writes and the summary it prints (COINr's `get_stats`, `get_data_avail`,
//! `get_corr`, `get_cronbach`, `get_PCA`, `remove_elements`, `get_eff_weights` and the treatment
//! report as tables): the command line and the Python binding call these same functions.

use crate::analysis::availability::{self, RowAvailability};
use crate::analysis::correlation::with_ancestors;
use crate::analysis::leave_one_out::{Removal, all_criteria, nodes_at_depth, remove_each};
use crate::analysis::stats::{ColumnStats, Thresholds, stats};
use crate::analysis::{Stage, aggregated_column, cronbach};
use crate::base::pca;
use crate::error::InputError;
use crate::output::manifest::AuditOptions;
use crate::output::schema::{self, Cell, Table, TableFormat};
use crate::output::{manifest_with, number};
use crate::pipeline::Scored;
use crate::rubric::{Member, Rubric, Rule};

/// Everything `audit` computes.
pub struct Audit {
    /// The stage of the statistics and the data availability.
    pub stage: Stage,
    thresholds: Thresholds,
    stats: Vec<ColumnStats>,
    removals: Vec<(String, Removal)>,
}

impl Audit {
    /// Computes the statistics and every leave-one-out removal of a run.
    pub fn compute(s: &Scored, stage: Stage) -> Result<Audit, InputError> {
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

    /// The tables, in a fixed order.
    pub fn tables(&self, s: &Scored) -> Vec<Table> {
        vec![
            self.stats_table(s),
            data_availability(s, self.stage),
            availability_by_node(s, self.stage),
            screening(s),
            correlations(s),
            cronbach_table(s),
            pca_variance(s),
            pca_loadings(s),
            self.leave_one_out(s),
            effective_weights(s),
            treatment(s),
            treated_points(s),
        ]
    }

    /// The files, in a fixed order, manifest last.
    pub fn files(&self, s: &Scored, format: TableFormat) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = self
            .tables(s)
            .into_iter()
            .map(|t| t.into_file_as(format))
            .collect();
        let options = AuditOptions {
            stage: self.stage.name().to_string(),
        };
        let m = manifest_with(s, &files, "audit", Some(&options));
        files.push((schema::AUDIT_MANIFEST.name.to_string(), m));
        files
    }

    fn stats_table(&self, s: &Scored) -> Table {
        let mut t = Table::new(&schema::STATS);
        let low = |b: bool| Cell::text(if b { "LOW" } else { "ok" });
        for (crit, st) in s.rubric.criteria.iter().zip(&self.stats) {
            t.push(vec![
                Cell::text(&crit.id),
                Cell::number(st.min),
                Cell::number(st.max),
                Cell::number(st.mean),
                Cell::number(st.median),
                Cell::number(st.std),
                Cell::number(st.skew),
                Cell::number(st.kurt),
                Cell::count(st.n_avail),
                Cell::count(st.n_nonzero),
                Cell::count(st.n_unique),
                Cell::count(st.n_same),
                Cell::number(st.frc_avail),
                Cell::number(st.frc_nonzero),
                Cell::number(st.frc_unique),
                Cell::number(st.frc_same),
                low(st.low_avail),
                low(st.low_nonzero),
                low(st.low_unique),
                match st.outliers {
                    Some(true) => Cell::text("OUT"),
                    Some(false) => Cell::text("ok"),
                    None => Cell::Na,
                },
            ]);
        }
        t
    }

    fn leave_one_out(&self, s: &Scored) -> Table {
        let mut t = Table::new(&schema::LEAVE_ONE_OUT);
        for (level, r) in &self.removals {
            t.push(vec![
                Cell::text(level),
                Cell::text(member_id(&s.rubric, r.member)),
                Cell::count(r.n),
                Cell::number(r.mean_abs_rank_change),
            ]);
        }
        t
    }

    /// What `audit` prints: the run, the flagged criteria and the largest leave-one-out effect;
    /// the caller adds where it wrote.
    pub fn summary(&self, s: &Scored) -> String {
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

/// Code of a jurisdiction by its index.
fn code(s: &Scored, j: usize) -> Cell {
    Cell::text(&s.inputs.jurisdictions.list[j].code)
}

fn availability_row(code: Cell, a: &RowAvailability, extra: Vec<Cell>) -> Vec<Cell> {
    let mut row = vec![
        code,
        Cell::count(a.n_missing),
        Cell::count(a.n_zero),
        Cell::count(a.n_miss_or_zero),
        Cell::number(a.dat_avail),
        Cell::number(a.non_zero),
    ];
    row.extend(extra);
    row
}

fn data_availability(s: &Scored, stage: Stage) -> Table {
    let mut t = Table::new(&schema::DATA_AVAILABILITY);
    let rows = stage.rows(&s.results);
    for (j, a) in rows
        .iter()
        .zip(availability::by_row(stage.frame(&s.results)))
    {
        t.push(availability_row(code(s, *j), &a, Vec::new()));
    }
    t
}

fn availability_by_node(s: &Scored, stage: Stage) -> Table {
    let names: Vec<String> = s.rubric.nodes.iter().map(|n| n.id.clone()).collect();
    let mut t = Table::with(&schema::DATA_AVAILABILITY_BY_NODE, &names, false);
    let rows = stage.rows(&s.results);
    let by = availability::by_node(stage.frame(&s.results), &s.rubric);
    for (r, j) in rows.iter().enumerate() {
        let mut row = vec![code(s, *j)];
        row.extend((0..by.ncol).map(|k| Cell::number(by.get(r, k))));
        t.push(row);
    }
    t
}

/// The screen's view: availability of the imputed values (the screen's input) and its decision.
fn screening(s: &Scored) -> Table {
    let mut t = Table::new(&schema::SCREENING);
    let by = availability::by_row(&s.results.stages.imputed);
    for (j, (a, decision)) in by.iter().zip(&s.results.availability).enumerate() {
        t.push(availability_row(
            code(s, j),
            a,
            vec![
                Cell::Bool(decision.low_data),
                Cell::Bool(decision.low_nonzero),
                Cell::Bool(decision.included),
            ],
        ));
    }
    t
}

fn correlations(s: &Scored) -> Table {
    let mut t = Table::new(&schema::CORRELATIONS);
    for l in with_ancestors(&s.rubric, |m| aggregated_column(&s.results, m)) {
        t.push(vec![
            Cell::text(member_id(&s.rubric, l.child)),
            Cell::text(member_kind(&s.rubric, l.child)),
            Cell::text(&s.rubric.nodes[l.ancestor].id),
            Cell::text(s.rubric.node_kind(l.ancestor)),
            Cell::count(l.generations),
            Cell::count(l.n),
            Cell::number(l.pearson),
            Cell::number(l.spearman),
        ]);
    }
    t
}

/// The children columns of a node in the aggregated data (normalised criteria, node scores).
fn children_columns(s: &Scored, k: usize) -> Vec<&[Option<f64>]> {
    s.rubric.nodes[k]
        .children
        .iter()
        .map(|m| aggregated_column(&s.results, *m))
        .collect()
}

fn cronbach_table(s: &Scored) -> Table {
    let mut t = Table::new(&schema::CRONBACH);
    for (k, node) in s.rubric.nodes.iter().enumerate() {
        let raw: Option<Vec<&[Option<f64>]>> = node
            .children
            .iter()
            .map(|m| match *m {
                Member::Criterion(c) => Some(s.results.stages.raw.col(c)),
                Member::Node(_) => None,
            })
            .collect();
        t.push(vec![
            Cell::text(&node.id),
            Cell::count(node.children.len()),
            Cell::number(raw.and_then(|cols| cronbach::alpha(&cols))),
            Cell::number(cronbach::alpha(&children_columns(s, k))),
        ]);
    }
    t
}

fn pca_variance(s: &Scored) -> Table {
    let mut t = Table::new(&schema::PCA_VARIANCE);
    for (k, node) in s.rubric.nodes.iter().enumerate() {
        let Some(p) = pca::pca(&children_columns(s, k)) else {
            continue;
        };
        for i in 0..p.sdev.len() {
            t.push(vec![
                Cell::text(&node.id),
                Cell::count(p.n),
                Cell::text(format!("PC{}", i + 1)),
                Cell::Number(p.sdev[i]),
                Cell::Number(p.prop_var[i]),
                Cell::Number(p.cum_prop[i]),
            ]);
        }
    }
    t
}

fn pca_loadings(s: &Scored) -> Table {
    let mut t = Table::new(&schema::PCA_LOADINGS);
    for (k, node) in s.rubric.nodes.iter().enumerate() {
        let Some(p) = pca::pca(&children_columns(s, k)) else {
            continue;
        };
        for (i, loadings) in p.loadings.iter().enumerate() {
            for (m, l) in node.children.iter().zip(loadings) {
                t.push(vec![
                    Cell::text(&node.id),
                    Cell::text(member_id(&s.rubric, *m)),
                    Cell::text(format!("PC{}", i + 1)),
                    Cell::Number(*l),
                ]);
            }
        }
    }
    t
}

fn effective_weights(s: &Scored) -> Table {
    let mut t = Table::new(&schema::EFFECTIVE_WEIGHTS);
    let nodes = s.rubric.effective_node_weights();
    for (k, node) in s.rubric.nodes.iter().enumerate() {
        t.push(vec![
            Cell::text(&node.id),
            Cell::text(s.rubric.node_kind(k)),
            Cell::Number(node.weight),
            Cell::Number(nodes[k]),
        ]);
    }
    let crits = s.rubric.effective_criterion_weights();
    for (c, crit) in s.rubric.criteria.iter().enumerate() {
        t.push(vec![
            Cell::text(&crit.id),
            Cell::text("criterion"),
            Cell::Number(crit.weight),
            Cell::Number(crits[c]),
        ]);
    }
    t
}

fn treatment(s: &Scored) -> Table {
    let mut t = Table::new(&schema::TREATMENT);
    for (crit, detail) in s.rubric.criteria.iter().zip(&s.results.treatment) {
        let Some(d) = detail else { continue };
        let mut row = vec![Cell::text(&crit.id)];
        for (i, check) in [d.check0, d.check1, d.check2].iter().enumerate() {
            match check {
                Some(c) => row.extend([
                    Cell::Bool(c.pass),
                    Cell::Number(c.skew),
                    Cell::Number(c.kurt),
                ]),
                None => row.extend([Cell::Na, Cell::Na, Cell::Na]),
            }
            if i == 0 {
                row.push(Cell::integer(d.nwin));
            }
        }
        t.push(row);
    }
    t
}

fn treated_points(s: &Scored) -> Table {
    let numeric: Vec<usize> = (0..s.rubric.criteria.len())
        .filter(|&c| matches!(s.rubric.criteria[c].rule, Rule::Numeric))
        .collect();
    let names: Vec<String> = numeric
        .iter()
        .map(|&c| s.rubric.criteria[c].id.clone())
        .collect();
    let mut t = Table::with(&schema::TREATED_POINTS, &names, false);
    for (row, &j) in s.results.units.iter().enumerate() {
        let mut cells = vec![code(s, j)];
        cells.extend(numeric.iter().map(|&c| {
            s.results.treatment[c]
                .as_ref()
                .map_or(Cell::Blank, |d| Cell::text(d.point(row)))
        }));
        t.push(cells);
    }
    t
}
