//! `accord agreement`: Krippendorff's alpha per evidence field and overall, percent agreement,
//! and every unit where coders disagree, written as CSV files into a folder.

use clap::Args;
use serde_json::json;

use super::{InputArgs, print};
use accord::Scored;
use accord::agreement::{self, FieldAgreement, Metric, Report, criteria_reading};
use accord::error::Error;
use accord::output::{Csv, manifest_for, number, opt_number, text};
use accord::rules::Resolution;

/// Arguments of `agreement`.
#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// Inputs (the evidence needs a `coder` column).
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write.
    #[command(flatten)]
    pub output: super::OutArgs,
}

/// Runs `agreement`.
pub fn run(args: &AgreementArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let out = args.output.begin()?;
    let (rubric, inputs, as_of) = args.inputs.load(limits)?;
    agreement::check_coders(&inputs)?;
    let scored = accord::score(rubric, inputs, as_of)?;
    let report = agreement::report(&scored.rubric, &scored.inputs)?;
    let mut files = vec![
        ("agreement.csv".to_string(), agreement_csv(&scored, &report)),
        (
            "disagreements.csv".to_string(),
            disagreements_csv(&scored, &report),
        ),
    ];
    let extra = json!({
        "coders": report.coders,
        "units": report.units,
        "disagreements": report.disagreements.len(),
        "metrics": { "boolean": "nominal", "date": "nominal", "label": "ordinal", "number": "interval" },
        "resolution": "a coder named reviewer wins, else the majority, else unknown",
    });
    let manifest = manifest_for(&scored, &files, "agreement", extra);
    files.push(("manifest.json".to_string(), manifest));
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    out.commit(&args.inputs.guard(&scored.rubric, limits)?)?;
    print(&summary(
        &scored,
        &report,
        &args.output.out.display().to_string(),
        files.len(),
    ))
}

/// One row of `agreement.csv`.
fn agreement_row(csv: &mut Csv, field: &str, criteria: &str, a: &FieldAgreement) {
    csv.row([
        text(field),
        text(criteria),
        a.metric.name().to_string(),
        a.units.to_string(),
        a.pairable_units.to_string(),
        a.coders.to_string(),
        opt_number(a.alpha.alpha),
        opt_number(a.percent_agreement),
    ]);
}

/// `agreement.csv`: one row per evidence field, then an `ALL` row per metric used.
fn agreement_csv(s: &Scored, report: &Report) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row([
        "field",
        "criteria",
        "metric",
        "units",
        "pairable_units",
        "coders",
        "alpha",
        "percent_agreement",
    ]);
    for a in &report.fields {
        let Some(f) = a.field else { continue };
        let name = s.rubric.fields.get(f).map_or("", |x| x.name.as_str());
        agreement_row(&mut csv, name, &criteria_reading(&s.rubric, f).join(";"), a);
    }
    for a in &report.overall {
        agreement_row(&mut csv, "ALL", "", a);
    }
    csv.finish()
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
fn disagreements_csv(s: &Scored, report: &Report) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row([
        "jurisdiction",
        "field",
        "as_of",
        "values",
        "places",
        "resolution",
        "value",
    ]);
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
        csv.row([
            text(code),
            text(field),
            d.as_of.map(|x| x.to_string()).unwrap_or_default(),
            text(&values.join(";")),
            text(&places.join(";")),
            resolution_name(d.resolution).to_string(),
            text(d.resolved.as_deref().unwrap_or("NA")),
        ]);
    }
    csv.finish()
}

/// An alpha for people: three decimals, or NA.
fn short(x: Option<f64>) -> String {
    x.map_or_else(
        || "NA".to_string(),
        |v| number((v * 1000.0).round() / 1000.0),
    )
}

/// The short report printed after writing.
fn summary(s: &Scored, report: &Report, out: &str, nfiles: usize) -> String {
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
    text.push_str(&format!("wrote {nfiles} files to {out}/\n"));
    text
}
