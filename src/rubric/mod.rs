//! Rubrics: the TOML model (with spans), `extends` and `--set`, and validation into a `Rubric`.
//!
//! A rubric is data: a tree of nodes (criteria -> principles -> index, or deeper), facets that
//! classify criteria (the Paris Call rubric's `dimension`), scoring rules, weights, the pipeline and
//! tiers. `load` turns files into a `Rubric` or into every problem found, never just the first.

mod load;
mod named;
pub mod normalise;
pub mod rule;
pub mod settings;
pub mod tree;
mod validate;

pub use load::{LoadOptions, MAX_DEPTH, Source, load, load_str};
pub use rule::Rule;

use crate::error::{InputError, Problem};
use crate::rubric::settings::{AggregateSpec, NormaliseSpec, PipelineSpec, TreatSpec};

/// A validated rubric. Later stages trust it: ids are unique, the tree has one root and no cycle,
/// weights are positive, every criterion has a rule that can read its evidence.
#[derive(Debug, Clone)]
pub struct Rubric {
    /// Identification and scale.
    pub meta: Meta,
    /// Nodes in depth-first pre-order; `nodes[0]` is the root (the index).
    pub nodes: Vec<Node>,
    /// Criteria in the order written.
    pub criteria: Vec<Criterion>,
    /// Facets (extra classifications of criteria).
    pub facets: Vec<Facet>,
    /// The facet crossed with the root's children to make grid cells, if any.
    pub grid: Option<usize>,
    /// Evidence fields read by the rules.
    pub fields: Vec<Field>,
    /// Bilateral instruments the dyads file may list.
    pub instruments: Vec<Instrument>,
    /// Multilateral instruments whose parties are linked to each other (`[multilateral.<id>]`).
    pub multilateral: Vec<Multilateral>,
    /// Settings of the cooperation network (`[network]`).
    pub network: NetworkSpec,
    /// The scores `align` compares unless told otherwise (`[align] level`: `criterion`, `cell`,
    /// `principle` or `dimension`).
    pub align_level: Option<String>,
    /// What happens between criterion values and scores.
    pub pipeline: PipelineSpec,
    /// Named score bands, highest first.
    pub tiers: Vec<Tier>,
    /// Files read and overrides applied, for the manifest.
    pub provenance: Provenance,
    /// The `[uncertainty]` section, read by sensitivity analysis.
    pub uncertainty: Option<tree::Tv>,
}

/// Rubric identification and scale.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Short identifier.
    pub id: String,
    /// Semantic version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Output scale, `[lower, upper]`.
    pub scale: [f64; 2],
    /// Which text of the principles the rubric pins.
    pub text_source: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// Kind names of node depths from the root (`index`, `principle`, ...).
    pub levels: Vec<String>,
    /// How long a dated observation holds, for criteria that set none (`None`: until replaced).
    pub horizon: Option<Horizon>,
}

/// How long a dated observation holds after its `as_of` date: on a later evaluation date it is
/// too old to count, and the value is unknown.
#[derive(Debug, Clone)]
pub struct Horizon {
    /// The length, in calendar units (years, months, weeks, days).
    pub span: jiff::Span,
    /// As written in the rubric (`10 years`).
    pub text: String,
}

impl Horizon {
    /// Parses `10 years`, `18 months`, `400 days`, `5y`, `P5Y`: a positive span of calendar units.
    pub(crate) fn parse(text: &str) -> Result<Horizon, HorizonError> {
        let span: jiff::Span = text
            .trim()
            .parse()
            .map_err(|_| HorizonError::NotALength(text.to_string()))?;
        let clock = span.get_hours() != 0
            || span.get_minutes() != 0
            || span.get_seconds() != 0
            || span.get_milliseconds() != 0
            || span.get_microseconds() != 0
            || span.get_nanoseconds() != 0;
        if clock {
            return Err(HorizonError::Clock(text.to_string()));
        }
        if span.signum() <= 0 {
            return Err(HorizonError::NotPositive(text.to_string()));
        }
        Ok(Horizon {
            span,
            text: text.trim().to_string(),
        })
    }

    /// Whether an observation made on `observed` still holds on `date`.
    pub(crate) fn holds(&self, observed: jiff::civil::Date, date: jiff::civil::Date) -> bool {
        // A limit past the calendar's end never passes.
        match observed.checked_add(self.span) {
            Ok(limit) => date <= limit,
            Err(_) => true,
        }
    }
}

/// Why a `horizon` is not a length of time a rubric can use; its text is the problem's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HorizonError {
    /// Not a span at all.
    #[error("`{0}` is not a length of time such as \"10 years\", \"18 months\" or \"400 days\"")]
    NotALength(String),
    /// A span with clock units: horizons count calendar days.
    #[error("`{0}` has hours, minutes or seconds; a horizon is counted in calendar days")]
    Clock(String),
    /// Zero or negative.
    #[error("`{0}` is not a positive length of time")]
    NotPositive(String),
}

/// A node of the tree: the index, a principle, a pillar.
#[derive(Debug, Clone)]
pub struct Node {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Parent node index; `None` for the root.
    pub parent: Option<usize>,
    /// Weight relative to its siblings.
    pub weight: f64,
    /// Official text (a principle's wording).
    pub text: Option<String>,
    /// Depth from the root (root = 0).
    pub depth: usize,
    /// Children in the order written.
    pub children: Vec<Member>,
    /// Aggregation for this node, overriding the pipeline's.
    pub aggregate: Option<AggregateSpec>,
}

/// A child of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// Another node (index into `Rubric::nodes`).
    Node(usize),
    /// A criterion (index into `Rubric::criteria`).
    Criterion(usize),
}

/// A leaf: one codable question and how its evidence is scored.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Identifier.
    pub id: String,
    /// Short display name.
    pub name: String,
    /// The question coders answer.
    pub question: String,
    /// Coding guidance: sources, what counts.
    pub guidance: Option<String>,
    /// Parent node.
    pub parent: usize,
    /// One value index per facet.
    pub facets: Vec<usize>,
    /// The evidence field it reads (`None` for `count` and `expr` rules).
    pub field: Option<usize>,
    /// The scoring rule.
    pub rule: Rule,
    /// Weight relative to its siblings.
    pub weight: f64,
    /// +1 (higher is better) or -1.
    pub direction: f64,
    /// Denominator column of the jurisdictions file (numeric criteria).
    pub denominator: Option<String>,
    /// Scale factor of the denominator: value * scale_factor / denominator.
    pub scale_factor: f64,
    /// Target in raw units (for `n_dist2targ`).
    pub target: Option<f64>,
    /// Normalisation for this criterion, overriding the pipeline's.
    pub normalise: Option<NormaliseSpec>,
    /// Outlier treatment for this criterion, overriding the pipeline's.
    pub treat: Option<TreatSpec>,
    /// How long a dated observation of its evidence holds (its own, else the rubric's).
    pub horizon: Option<Horizon>,
}

/// A facet: an extra classification of criteria.
#[derive(Debug, Clone)]
pub struct Facet {
    /// Identifier (also the criterion key that carries the value).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its values.
    pub values: Vec<FacetValue>,
}

/// One value of a facet (`legal`, `extradition`, `cooperation`).
#[derive(Debug, Clone)]
pub struct FacetValue {
    /// Identifier, unique across all facets.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Definition.
    pub text: Option<String>,
}

/// What an evidence field holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// yes/no.
    Boolean,
    /// One label of a fixed list.
    Label(Vec<String>),
    /// A number.
    Number,
    /// A date an instrument took effect, or yes/no status observations.
    Date,
}

impl FieldKind {
    /// How the kind is described to users.
    pub(crate) fn describe(&self) -> String {
        match self {
            FieldKind::Boolean => "yes or no".to_string(),
            FieldKind::Label(l) => format!("one of {}", l.join(", ")),
            FieldKind::Number => "a number".to_string(),
            FieldKind::Date => "a date (YYYY-MM-DD) or yes/no".to_string(),
        }
    }

    /// The kind's name in TOML (`[fields]` declarations).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            FieldKind::Boolean => "boolean",
            FieldKind::Label(_) => "label",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
        }
    }
}

/// An evidence field: a column (wide form) or `criterion` value (long form) of the evidence.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name as it appears in evidence.
    pub name: String,
    /// What it holds.
    pub kind: FieldKind,
}

/// A bilateral instrument type in the dyads file.
#[derive(Debug, Clone)]
pub struct Instrument {
    /// Identifier used in the dyads file's `instrument` column.
    pub id: String,
    /// Display name.
    pub name: String,
    /// True when a row `a,b` binds only `a` towards `b` (a unilateral designation).
    pub directed: bool,
    /// What kind of cooperation it gives (`extradition`, `legal_assistance`, ...).
    pub provides: Vec<String>,
}

/// A multilateral instrument (`[multilateral.<id>]`): two jurisdictions that are both parties in
/// force on the evaluation date are linked to each other through it.
#[derive(Debug, Clone)]
pub struct Multilateral {
    /// Identifier, shown in cooperation matrices like an instrument id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The evidence field (a date or boolean field) that says who is a party.
    pub field: usize,
    /// What kind of cooperation it gives (`extradition`, `legal_assistance`, `cooperation`).
    pub provides: Vec<String>,
}

/// How jurisdictions are weighed in network measures (`[network] weights`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkWeights {
    /// Every jurisdiction weighs 1.
    #[default]
    Equal,
    /// A date or boolean evidence field: 1 when yes (in force), 0 when no, unknown excluded.
    Field(usize),
}

/// Settings of the cooperation network (`[network]`).
#[derive(Debug, Clone, Default)]
pub struct NetworkSpec {
    /// Weights of jurisdictions in the safe-haven score.
    pub weights: NetworkWeights,
}

/// A named score band.
#[derive(Debug, Clone)]
pub struct Tier {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Lowest index score in the tier (inclusive).
    pub min: f64,
}

/// Where a rubric came from.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// Files read, the rubric first and then its `extends` bases, with their SHA-256.
    pub files: Vec<(String, String)>,
    /// `--set` overrides, as applied.
    pub overrides: Vec<String>,
    /// The effective rubric (after `extends` and `--set`) as JSON.
    pub effective: serde_json::Value,
    /// Criteria and nodes left out of every score (`--only-coded`).
    pub left_out: Vec<String>,
    /// The text it was validated from, kept to validate a variant of it without reading a file
    /// again (`None` for a rubric built in code).
    pub source: Option<std::sync::Arc<load::Source>>,
}

impl Rubric {
    /// This rubric validated again with `extra` `--set` overrides after its own, from the text
    /// it was read from (no file is read again), leaving out what this one leaves out.
    pub(crate) fn variant(&self, extra: &[String]) -> Result<Rubric, InputError> {
        match &self.provenance.source {
            Some(source) => source.validate(extra, &self.provenance.left_out),
            None => Err(InputError::one(Problem::new(format!(
                "rubric `{}` was built in code, so it has no text to validate a variant from",
                self.meta.id
            )))),
        }
    }

    /// Index of a node by id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// Index of a criterion by id.
    pub fn criterion_index(&self, id: &str) -> Option<usize> {
        self.criteria.iter().position(|c| c.id == id)
    }

    /// Index of an evidence field by name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The kind name of a node (`index`, `principle`, ...), from its depth.
    pub(crate) fn node_kind(&self, node: usize) -> &str {
        let depth = self.nodes[node].depth;
        self.meta
            .levels
            .get(depth)
            .map(String::as_str)
            .unwrap_or("node")
    }

    /// Relative weights of a node's children (summing to 1).
    pub(crate) fn child_shares(&self, node: usize) -> Vec<f64> {
        let weights: Vec<f64> = self.nodes[node]
            .children
            .iter()
            .map(|m| self.member_weight(*m))
            .collect();
        let total: f64 = weights.iter().sum();
        // A node whose children are all left out (weight 0) passes nothing on.
        if total <= 0.0 {
            return vec![0.0; weights.len()];
        }
        weights.iter().map(|w| w / total).collect()
    }

    /// Leaves criteria out of every score (`--only-coded`): their weight becomes 0, and so does
    /// the weight of every node left with no weighted child; the root stays. Returns the ids left
    /// out, criteria first, recorded in the provenance.
    pub(crate) fn leave_out(&mut self, criteria: &[usize]) -> Vec<String> {
        let mut ids = Vec::new();
        for &c in criteria {
            if let Some(crit) = self.criteria.get_mut(c) {
                crit.weight = 0.0;
                ids.push(crit.id.clone());
            }
        }
        // Reverse pre-order: children before their parents.
        for n in (1..self.nodes.len()).rev() {
            let empty = self.nodes[n]
                .children
                .iter()
                .all(|m| self.member_weight(*m) <= 0.0);
            if empty && self.nodes[n].weight > 0.0 {
                self.nodes[n].weight = 0.0;
                ids.push(self.nodes[n].id.clone());
            }
        }
        self.provenance.left_out.extend(ids.iter().cloned());
        ids
    }

    /// The weight of a child.
    pub fn member_weight(&self, m: Member) -> f64 {
        match m {
            Member::Node(i) => self.nodes[i].weight,
            Member::Criterion(i) => self.criteria[i].weight,
        }
    }

    /// Effective weight of every criterion in the index (COINr's `get_eff_weights`): the product of
    /// relative weights along its path to the root. They sum to 1.
    pub fn effective_criterion_weights(&self) -> Vec<f64> {
        let mut node_w = vec![0.0; self.nodes.len()];
        let mut crit_w = vec![0.0; self.criteria.len()];
        node_w[0] = 1.0;
        for n in 0..self.nodes.len() {
            let shares = self.child_shares(n);
            for (m, s) in self.nodes[n].children.iter().zip(shares) {
                match *m {
                    Member::Node(c) => node_w[c] = node_w[n] * s,
                    Member::Criterion(c) => crit_w[c] = node_w[n] * s,
                }
            }
        }
        crit_w
    }

    /// Effective weight of every node (root = 1).
    pub fn effective_node_weights(&self) -> Vec<f64> {
        let mut node_w = vec![0.0; self.nodes.len()];
        node_w[0] = 1.0;
        for n in 0..self.nodes.len() {
            let shares = self.child_shares(n);
            for (m, s) in self.nodes[n].children.iter().zip(shares) {
                if let Member::Node(c) = *m {
                    node_w[c] = node_w[n] * s;
                }
            }
        }
        node_w
    }

    /// True when criterion `c` lies under node `n`.
    pub(crate) fn is_under(&self, c: usize, n: usize) -> bool {
        let mut p = Some(self.criteria[c].parent);
        while let Some(i) = p {
            if i == n {
                return true;
            }
            p = self.nodes[i].parent;
        }
        false
    }

    /// Grid cells: (child of the root, value of the grid facet) pairs that have criteria, with ids
    /// like `P1.legal`.
    pub fn cells(&self) -> Vec<Cell> {
        let Some(f) = self.grid else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in &self.nodes[0].children {
            let Member::Node(p) = *m else { continue };
            for (v, value) in self.facets[f].values.iter().enumerate() {
                let criteria: Vec<usize> = (0..self.criteria.len())
                    .filter(|&c| self.criteria[c].facets[f] == v && self.is_under(c, p))
                    .collect();
                if !criteria.is_empty() {
                    out.push(Cell {
                        id: format!("{}.{}", self.nodes[p].id, value.id),
                        node: p,
                        value: v,
                        criteria,
                    });
                }
            }
        }
        out
    }

    /// The tier of a score.
    pub fn tier_of(&self, score: f64) -> Option<&Tier> {
        self.tiers.iter().find(|t| score >= t.min)
    }
}

/// A principle x facet-value cell of the grid.
#[derive(Debug, Clone)]
pub struct Cell {
    /// `P1.legal`.
    pub id: String,
    /// The principle (a child of the root).
    pub node: usize,
    /// The facet value.
    pub value: usize,
    /// Criteria under the principle carrying the value.
    pub criteria: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::{Horizon, HorizonError};

    #[test]
    fn a_horizon_is_a_positive_span_of_calendar_units() {
        assert_eq!(
            Horizon::parse(" 10 years ").map(|h| h.text),
            Ok("10 years".into())
        );
        assert_eq!(
            Horizon::parse("decade").map(|h| h.text),
            Err(HorizonError::NotALength("decade".into()))
        );
        assert_eq!(
            Horizon::parse("2 hours").map(|h| h.text),
            Err(HorizonError::Clock("2 hours".into()))
        );
        assert_eq!(
            Horizon::parse("0 days").map(|h| h.text),
            Err(HorizonError::NotPositive("0 days".into()))
        );
        assert_eq!(
            HorizonError::Clock("2 hours".into()).to_string(),
            "`2 hours` has hours, minutes or seconds; a horizon is counted in calendar days"
        );
    }
}
