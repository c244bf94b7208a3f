//! Structure-aware rubric fuzzing: a valid rubric (the mini test rubric or the Paris Call rubric)
//! edited line by line and through `--set` overrides with values drawn from the rubric language
//! (method names, rule tables, edge numbers), then, when it still loads, scored on fixture data.
#![no_main]

use accord::rubric::{LoadOptions, load_str};
use accord_fuzz::{
    MINI_DYADS, MINI_EVIDENCE, MINI_JURISDICTIONS, MINI_TOML, PARIS_TOML, check_error, demo_slice,
    load_inputs, score_and_check,
};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

/// Key paths `--set` can address in the two base rubrics.
const KEYS: &[&str] = &[
    "rubric.scale",
    "rubric.id",
    "rubric.version",
    "rubric.levels",
    "rubric.grid",
    "pipeline.denominate.method",
    "pipeline.impute.method",
    "pipeline.impute.group",
    "pipeline.screen.method",
    "pipeline.screen.dat_thresh",
    "pipeline.screen.nonzero_thresh",
    "pipeline.screen.exclude",
    "pipeline.treat.method",
    "pipeline.treat.winmax",
    "pipeline.treat.skew_thresh",
    "pipeline.normalise.method",
    "pipeline.normalise.l_u",
    "pipeline.normalise.npara",
    "pipeline.normalise.iref",
    "pipeline.normalise.gposts",
    "pipeline.weights.method",
    "pipeline.aggregate.method",
    "pipeline.aggregate.min_coverage",
    "pipeline.aggregate.p",
    "pipeline.aggregate.dat_thresh",
    "node.IDX.aggregate",
    "node.A.weight",
    "node.A.parent",
    "node.B.aggregate",
    "node.IDX.parent",
    "criterion.a1.rule",
    "criterion.a1.weight",
    "criterion.a1.parent",
    "criterion.a1.dimension",
    "criterion.a2.rule",
    "criterion.a2.direction",
    "criterion.b1.rule",
    "criterion.b1.normalise",
    "criterion.b1.treat",
    "criterion.b1.denominator",
    "criterion.b1.target",
    "criterion.b2.rule",
    "criterion.b2.evidence",
    "criterion.b3.rule",
    "tier.high.min",
    "tier.strong.min",
    "node.P9.weight",
    "criterion.paris_call_supporter.weight",
    "criterion.national_csirt.direction",
    "tier.low.min",
    "instruments.ext.directed",
    "facets.dimension.name",
    "node.P1.weight",
    "node.PARIS.aggregate",
    "criterion.budapest_party.rule",
    "criterion.budapest_party.weight",
    "criterion.offences_illegal_access.rule",
    "criterion.extradition_partners.rule",
    "criterion.mla_partners.rule",
    "multilateral.budapest.evidence",
    "network.weights",
];

/// Words of the rubric language, written as TOML values.
const WORDS: &[&str] = &[
    "\"n_minmax\"",
    "\"n_zscore\"",
    "\"n_scaled\"",
    "\"n_rank\"",
    "\"n_borda\"",
    "\"n_prank\"",
    "\"n_fracmax\"",
    "\"n_dist2max\"",
    "\"n_dist2ref\"",
    "\"n_dist2targ\"",
    "\"n_goalposts\"",
    "\"none\"",
    "\"a_amean\"",
    "\"a_gmean\"",
    "\"a_hmean\"",
    "\"a_genmean\"",
    "\"a_median\"",
    "\"a_copeland\"",
    "\"zero\"",
    "\"i_mean\"",
    "\"i_median\"",
    "\"i_mean_grp\"",
    "\"i_median_grp\"",
    "\"byNA\"",
    "\"byzeros\"",
    "\"byNAandzeros\"",
    "\"winsorise\"",
    "\"log_CT\"",
    "\"log_CT_plus\"",
    "\"log_CT_orig\"",
    "\"boxcox\"",
    "\"rubric\"",
    "\"equal\"",
    "\"pca\"",
    "\"pca_squared\"",
    "\"divide\"",
    "\"boolean\"",
    "\"date\"",
    "\"numeric\"",
    "\"IDX\"",
    "\"A\"",
    "\"B\"",
    "\"a1\"",
    "\"legal\"",
    "\"coop\"",
    "\"ext\"",
    "\"bloc\"",
    "\"GDP\"",
    "\"P1\"",
    "\"PARIS\"",
    "{ type = \"numeric\" }",
    "{ type = \"boolean\", yes = 100, no = 0 }",
    "{ type = \"boolean\", yes = 0, no = 100 }",
    "{ type = \"levels\", levels = [\"none\", \"some\", \"full\"] }",
    "{ type = \"levels\", levels = { none = 0, some = 40, full = 100 } }",
    "{ type = \"bands\", bands = [[0, 0], [2, 50], [5, 100]] }",
    "{ type = \"goalposts\", lower = 0, upper = 10 }",
    "{ type = \"goalposts\", lower = 10, upper = 0 }",
    "{ type = \"count\", instruments = [\"ext\"], bands = [[0, 0], [1, 100]], side = \"out\" }",
    "{ type = \"expr\", expr = \"if(a1 && b1 >= 1, 100, 0)\" }",
    "{ type = \"expr\", expr = \"b1 * 10\" }",
    "{ method = \"a_genmean\", p = 2 }",
    "{ method = \"n_goalposts\", gposts = [0, 10, 100] }",
    "{ method = \"winsorise\", winmax = 1 }",
    "{ method = \"n_minmax\", l_u = [0, 100] }",
    "[0, 100]",
    "[1, 100]",
    "[100, 0]",
    "[0, 0]",
    "[]",
    "[\"index\", \"group\", \"leaf\"]",
    "{}",
];

#[derive(Arbitrary, Debug)]
enum Val {
    Word(u8),
    Small(i8),
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Array(Vec<i16>),
    Pairs(Vec<(i8, u8)>),
}

impl Val {
    fn toml(&self) -> String {
        match self {
            Val::Word(i) => WORDS[*i as usize % WORDS.len()].to_string(),
            Val::Small(x) => x.to_string(),
            Val::Int(x) => x.to_string(),
            Val::Float(x) => float(*x),
            Val::Bool(b) => b.to_string(),
            Val::Str(s) => format!("{s:?}"),
            Val::Array(v) => format!(
                "[{}]",
                v.iter()
                    .take(8)
                    .map(i16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Val::Pairs(v) => format!(
                "[{}]",
                v.iter()
                    .take(8)
                    .map(|(a, b)| format!("[{a}, {b}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

fn float(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:?}")
    }
}

#[derive(Arbitrary, Debug)]
enum Key {
    Known(u8),
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Edit {
    /// `--set KEY=VALUE`.
    Set(Key, Val),
    /// Replace the value of a `key = value` line.
    Replace(u16, Val),
    /// Delete a line.
    Delete(u16),
    /// Repeat a line.
    Duplicate(u16),
    /// Swap two lines.
    Swap(u16, u16),
    /// Insert a line of text.
    Insert(u16, String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    paris: bool,
    edits: Vec<Edit>,
}

fuzz_target!(|input: Input| {
    let base = if input.paris { PARIS_TOML } else { MINI_TOML };
    let mut lines: Vec<String> = base.lines().map(String::from).collect();
    let mut overrides = Vec::new();
    for edit in input.edits.iter().take(12) {
        let n = lines.len().max(1);
        match edit {
            Edit::Set(key, val) => {
                let key = match key {
                    Key::Known(i) => KEYS[*i as usize % KEYS.len()].to_string(),
                    Key::Other(s) => s.clone(),
                };
                overrides.push(format!("{key}={}", val.toml()));
            }
            Edit::Replace(l, val) => {
                if let Some(line) = lines.get_mut(*l as usize % n)
                    && let Some(eq) = line.find(" = ")
                {
                    *line = format!("{} = {}", &line[..eq], val.toml());
                }
            }
            Edit::Delete(l) => {
                if !lines.is_empty() {
                    lines.remove(*l as usize % n);
                }
            }
            Edit::Duplicate(l) => {
                if let Some(line) = lines.get(*l as usize % n).cloned() {
                    lines.insert(*l as usize % n, line);
                }
            }
            Edit::Swap(a, b) => {
                if !lines.is_empty() {
                    lines.swap(*a as usize % n, *b as usize % n);
                }
            }
            Edit::Insert(l, text) => lines.insert(*l as usize % (n + 1), text.clone()),
        }
    }
    let text = lines.join("\n");
    let options = LoadOptions {
        overrides,
        allow_extends_outside: false,
        ..LoadOptions::default()
    };
    let rubric = match load_str("mutated.toml", &text, &options) {
        Ok(r) => r,
        Err(e) => {
            check_error(&e);
            return;
        }
    };
    let inputs = if input.paris {
        let (evidence, dyads) = demo_slice();
        load_inputs(&rubric, evidence.as_bytes(), None, Some(dyads.as_bytes()))
    } else {
        load_inputs(
            &rubric,
            MINI_EVIDENCE.as_bytes(),
            Some(MINI_JURISDICTIONS.as_bytes()),
            Some(MINI_DYADS.as_bytes()),
        )
    };
    if let Some(inputs) = inputs {
        score_and_check(rubric, inputs, None, false);
    }
});
