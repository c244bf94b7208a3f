//! `template`: a blank coding sheet for a rubric's evidence fields.

use crate::evidence::{Form, Jurisdictions};
use crate::output::{Csv, text};
use crate::rubric::{FieldKind, Rubric};

/// The questions that read each field, joined.
fn questions(rubric: &Rubric, field: usize) -> String {
    let qs: Vec<String> = rubric
        .criteria
        .iter()
        .filter(|c| c.field == Some(field))
        .map(|c| format!("[{}] {}", c.id, c.question))
        .collect();
    if qs.is_empty() {
        let used: Vec<&str> = rubric
            .criteria
            .iter()
            .filter(
                |c| matches!(&c.rule, crate::rubric::Rule::Expr(e) if e.fields.contains(&field)),
            )
            .map(|c| c.id.as_str())
            .collect();
        return format!("input to {}", used.join(", "));
    }
    qs.join(" | ")
}

fn hint(kind: &FieldKind) -> String {
    match kind {
        FieldKind::Boolean => "yes / no / NA".to_string(),
        FieldKind::Label(l) => format!("{} / NA", l.join(" / ")),
        FieldKind::Number => "a number (use . for decimals) / NA".to_string(),
        FieldKind::Date => "date in force (YYYY-MM-DD), or yes / no with as_of / NA".to_string(),
    }
}

/// A coding sheet: long form (one row per jurisdiction and field, with the question and what to
/// write) or wide form (one row per jurisdiction). Without jurisdictions, the long form has one
/// row per field with the jurisdiction left blank.
pub fn template(rubric: &Rubric, jurisdictions: Option<&Jurisdictions>, form: Form) -> Vec<u8> {
    let mut csv = Csv::new();
    match form {
        Form::Long => {
            csv.row([
                "jurisdiction",
                "criterion",
                "value",
                "source",
                "as_of",
                "note",
                "question",
                "hint",
            ]);
            let codes: Vec<String> = match jurisdictions {
                Some(j) => j.list.iter().map(|x| x.code.clone()).collect(),
                None => vec![String::new()],
            };
            for code in &codes {
                for (f, field) in rubric.fields.iter().enumerate() {
                    csv.row([
                        text(code),
                        text(&field.name),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        text(&questions(rubric, f)),
                        text(&hint(&field.kind)),
                    ]);
                }
            }
        }
        Form::Wide => {
            let mut header = vec!["jurisdiction".to_string(), "name".to_string()];
            header.extend(rubric.fields.iter().map(|f| text(&f.name)));
            csv.row(header);
            if let Some(j) = jurisdictions {
                for x in &j.list {
                    let mut row = vec![text(&x.code), text(&x.name)];
                    row.extend(std::iter::repeat_n(String::new(), rubric.fields.len()));
                    csv.row(row);
                }
            }
        }
    }
    csv.finish()
}
