//! The folder `agreement` writes and the summary it prints: the command line and the Python
//! binding call these same functions.

use crate::agreement::{FieldAgreement, Metric, Report, criteria_reading};
use crate::output::manifest::{AgreementMetrics, AgreementOptions};
use crate::output::schema::{self, Cell, Table, TableFormat};
use crate::output::{manifest_with, number};
use crate::pipeline::Scored;
use crate::rules::Resolution;

/// The files of an agreement results folder: the two tables, then the manifest.
pub fn files(s: &Scored, report: &Report, format: TableFormat) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = tables(s, report)
        .into_iter()
        .map(|t| t.into_file_as(format))
        .collect();
    let extra = AgreementOptions {
        coders: report.coders.clone(),
        units: report.units,
        disagreements: report.disagreements.len(),
        metrics: AgreementMetrics {
            boolean: "nominal".to_string(),
            date: "nominal".to_string(),
            label: "ordinal".to_string(),
            number: "interval".to_string(),
        },
        resolution: "a coder named reviewer wins, else the majority, else unknown".to_string(),
    };
    let manifest = manifest_with(s, &files, "agreement", Some(&extra));
    files.push((schema::AGREEMENT_MANIFEST.name.to_string(), manifest));
    files
}

/// The tables of an agreement results folder: `agreement.csv`, `disagreements.csv`.
pub fn tables(s: &Scored, report: &Report) -> Vec<Table> {
    vec![agreement_table(s, report), disagreements_table(s, report)]
}

/// One row of `agreement.csv`.
fn agreement_row(t: &mut Table, field: &str, criteria: &str, a: &FieldAgreement) {
    t.push(vec![
        Cell::text(field),
        Cell::text(criteria),
        Cell::text(a.metric.name()),
        Cell::count(a.units),
        Cell::count(a.pairable_units),
        Cell::count(a.coders),
        Cell::number(a.alpha.alpha),
        Cell::number(a.percent_agreement),
    ]);
}

/// `agreement.csv`: one row per evidence field, then an `ALL` row per metric used.
fn agreement_table(s: &Scored, report: &Report) -> Table {
    let mut t = Table::new(&schema::AGREEMENT);
    for a in &report.fields {
        let Some(f) = a.field else { continue };
        let name = s.rubric.fields.get(f).map_or("", |x| x.name.as_str());
        agreement_row(&mut t, name, &criteria_reading(&s.rubric, f).join(";"), a);
    }
    for a in &report.overall {
        agreement_row(&mut t, "ALL", "", a);
    }
    t
}

/// The resolution's name in `disagreements.csv`.
fn resolution_name(r: Resolution) -> &'static str {
    match r {
        Resolution::Reviewer(_) => "reviewer",
        Resolution::Majority(_) => "majority",
        Resolution::Tie | Resolution::Unknown => "unknown",
    }
}

/// `disagreements.csv`: every unit where coders' known values differ.
fn disagreements_table(s: &Scored, report: &Report) -> Table {
    let mut t = Table::new(&schema::DISAGREEMENTS);
    for d in &report.disagreements {
        let code = s
            .inputs
            .jurisdictions
            .list
            .get(d.jurisdiction)
            .map_or("", |j| j.code.as_str());
        let field = s.rubric.fields.get(d.field).map_or("", |f| f.name.as_str());
        let values: Vec<String> = d
            .values
            .iter()
            .map(|v| format!("{}={}", v.coder, v.raw))
            .collect();
        let places: Vec<String> = d
            .values
            .iter()
            .map(|v| format!("{}={}", v.coder, v.place))
            .collect();
        t.push(vec![
            Cell::text(code),
            Cell::text(field),
            d.as_of.map_or(Cell::Blank, |x| Cell::text(x.to_string())),
            Cell::text(values.join(";")),
            Cell::text(places.join(";")),
            Cell::text(resolution_name(d.resolution)),
            d.resolved.as_deref().map_or(Cell::Na, Cell::text),
        ]);
    }
    t
}

/// An alpha for people: three decimals, or NA.
fn short(x: Option<f64>) -> String {
    x.map_or_else(
        || "NA".to_string(),
        |v| number((v * 1000.0).round() / 1000.0),
    )
}

/// The short report `agreement` prints: coders, alphas, disagreements; the caller adds where it
/// wrote.
pub fn summary(s: &Scored, report: &Report) -> String {
    let mut text = format!(
        "agreement of {} coders ({}) on {} units of rubric {} {}\n",
        report.coders.len(),
        report.coders.join(", "),
        report.units,
        s.rubric.meta.id,
        s.rubric.meta.version
    );
    if report.overall.is_empty() {
        text.push_str("no unit was coded by two coders, so alpha is NA\n");
    }
    for metric in Metric::ALL {
        let Some(a) = report.overall.iter().find(|a| a.metric == metric) else {
            continue;
        };
        text.push_str(&format!(
            "{} fields: alpha {} over {} pairable units of {}, percent agreement {}\n",
            metric.name(),
            short(a.alpha.alpha),
            a.pairable_units,
            a.units,
            short(a.percent_agreement)
        ));
    }
    let n = report.disagreements.len();
    text.push_str(&format!(
        "{n} unit{} where coders disagree, listed in disagreements.csv\n",
        if n == 1 { "" } else { "s" }
    ));
    text
}
