//! Evidence fields: those `[fields]` declares and those criteria's rules read, each of one kind,
//! and the fields expressions name.

use super::{CriterionDraft, FieldUse};
use crate::error::{Problem, Problems, did_you_mean};
use crate::rubric::tree::Reader;
use crate::rubric::{Field, FieldKind, Rule};

/// Reads `[fields]`: evidence fields declared with their kind, for expressions and networks.
pub(super) fn read_fields(top: &mut Reader<'_>, p: &mut Problems) -> Vec<FieldUse> {
    let mut fields: Vec<FieldUse> = Vec::new();
    for sub in top.sub_tables("fields", "a table with `type`", p) {
        let Ok((e, mut fr)) = sub.map_err(|q| p.push(q)) else {
            continue;
        };
        let path = fr.path.clone();
        let ty = fr.req_str("type", p).unwrap_or_default();
        let kind = match ty.as_str() {
            "boolean" => Some(FieldKind::Boolean),
            "number" => Some(FieldKind::Number),
            "date" => Some(FieldKind::Date),
            "label" => match fr.str_list("levels", p) {
                Some(l) if !l.is_empty() => Some(FieldKind::Label(l)),
                _ => {
                    p.push(fr.problem_here(format!(
                        "`{path}` of type `label` needs `levels`, the labels it may hold"
                    )));
                    None
                }
            },
            "" => None,
            other => {
                p.push(
                    fr.problem_at_key("type", format!("unknown field type `{other}`"))
                        .help("field types: boolean, number, date, label"),
                );
                None
            }
        };
        fr.allow(&["levels", "description"]);
        fr.finish(p);
        if let Some(kind) = kind {
            fields.push((
                Field {
                    name: e.key.clone(),
                    kind,
                },
                Some(e.value.at.clone()),
                format!("`[{path}]`"),
            ));
        }
    }

    fields
}

/// Adds the field every criterion's rule reads, with a problem when two readers of one field
/// expect different kinds of value.
pub(super) fn add_rule_fields(
    criteria: &[CriterionDraft],
    fields: &mut Vec<FieldUse>,
    p: &mut Problems,
) {
    for c in criteria {
        let Some((name, at)) = &c.field_name else {
            continue;
        };
        let Some(kind) = c.c.rule.field_kind() else {
            continue;
        };
        let who = format!("rule `{}` of criterion `{}`", c.c.rule.type_name(), c.c.id);
        match fields.iter().find(|(f, _, _)| f.name == *name) {
            None => fields.push((
                Field {
                    name: name.clone(),
                    kind,
                },
                Some(at.clone()),
                who,
            )),
            Some((f, first_at, first_who)) => {
                if !kinds_agree(&f.kind, &kind) {
                    let mut problem = Problem::new(format!(
                        "{who} cannot read evidence field `{name}`: it expects {}, but {first_who} reads `{name}` as {}",
                        kind.describe(),
                        f.kind.describe()
                    ))
                    .at(at.location().with_key(format!("criterion.{}.rule", c.c.id)));
                    if let Some(o) = first_at {
                        problem = problem.related("the other reader", o.location());
                    }
                    p.push(problem.help("one evidence field holds one kind of value; give this criterion its own `evidence` field or a matching rule"));
                }
            }
        }
    }
}

/// Expression variables must be fields someone defines; each expression's variables are bound to
/// those fields' indices (the order of `fields` is the rubric's field list).
pub(super) fn check_expression_variables(
    criteria: &mut [CriterionDraft],
    fields: &[FieldUse],
    p: &mut Problems,
) {
    for c in criteria {
        let id = &c.c.id;
        let at = &c.at;
        let Rule::Expr(e) = &mut c.c.rule else {
            continue;
        };
        let Err(unknown) = e.bind(|v| fields.iter().position(|(f, _, _)| f.name == v)) else {
            continue;
        };
        for v in unknown {
            let mut problem = Problem::new(format!("the expression of criterion `{id}` reads `{v}`, which is no criterion's evidence field and is not declared under [fields]"))
                .at(at.location().with_key(format!("criterion.{id}.rule.expr")));
            if let Some(h) = did_you_mean(v, fields.iter().map(|(f, _, _)| f.name.as_str())) {
                problem = problem.help(h);
            } else {
                problem = problem.help(format!(
                    "declare it: [fields.{v}] type = \"boolean\" (or number, date, label)"
                ));
            }
            p.push(problem);
        }
    }
}

/// True when two readers of a field agree on its kind (labels in any order).
fn kinds_agree(a: &FieldKind, b: &FieldKind) -> bool {
    match (a, b) {
        (FieldKind::Label(x), FieldKind::Label(y)) => {
            let mut x = x.clone();
            let mut y = y.clone();
            x.sort();
            y.sort();
            x == y
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::kinds_agree;
    use crate::rubric::FieldKind;

    #[test]
    fn labels_agree_in_any_order_and_kinds_must_match() {
        let label = |l: &[&str]| FieldKind::Label(l.iter().map(|s| s.to_string()).collect());
        assert!(kinds_agree(&label(&["no", "yes"]), &label(&["yes", "no"])));
        assert!(!kinds_agree(
            &label(&["no", "yes"]),
            &label(&["no", "partly", "yes"])
        ));
        assert!(kinds_agree(&FieldKind::Date, &FieldKind::Date));
        assert!(!kinds_agree(&FieldKind::Boolean, &FieldKind::Number));
    }
}
