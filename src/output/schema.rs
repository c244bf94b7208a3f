//! The results-folder schema: every file of every folder kind described once (its name, its
//! columns and their types), a typed [`Table`] the analyses fill instead of formatting CSV text,
//! one writer from a `Table` to CSV bytes ([`to_csv`]) and one reader of a result CSV against its
//! description ([`parse`], [`read`]), used by `report`, `compare` and `score --check`.
//!
//! A table's columns are fixed names, optionally with one family of columns the run names (the
//! principles of a rubric, the jurisdictions of an alignment matrix, the factors of a
//! sensitivity analysis), all of one type. A second serialisation of a `Table` is one more
//! function beside [`to_csv`]: the cells and types are already there.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use super::{Csv, number, text};
use crate::base::format::write_number;
use crate::error::{Location, Problem};
use crate::files::{decode_utf8, read_bytes, sha256_hex};

/// The kinds of results folder, by the command that writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// `score`.
    Score,
    /// `align`.
    Align,
    /// `sensitivity`.
    Sensitivity,
    /// `compare`.
    Compare,
    /// `audit`.
    Audit,
    /// `agreement`.
    Agreement,
}

impl Folder {
    /// Every folder kind.
    pub const ALL: [Folder; 6] = [
        Folder::Score,
        Folder::Align,
        Folder::Sensitivity,
        Folder::Compare,
        Folder::Audit,
        Folder::Agreement,
    ];

    /// The command that writes it (its manifest's `command`).
    pub fn command(self) -> &'static str {
        match self {
            Folder::Score => "score",
            Folder::Align => "align",
            Folder::Sensitivity => "sensitivity",
            Folder::Compare => "compare",
            Folder::Audit => "audit",
            Folder::Agreement => "agreement",
        }
    }

    /// The folder kind a manifest's `command` names.
    pub fn of_command(command: &str) -> Option<Folder> {
        Folder::ALL.into_iter().find(|f| f.command() == command)
    }
}

/// What a cell holds. Every type also admits `NA` (a missing value) and an empty cell (none is
/// due: a matrix's diagonal, an undated row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// A jurisdiction code.
    Code,
    /// Free text (an id, a name, a list joined with `;`).
    Text,
    /// A number in shortest round-trip form.
    Number,
    /// A whole number (a rank, a count, a position).
    Integer,
    /// A number from 0 to 1 (a coverage, a share, a probability), up to the rounding of the sums
    /// that computed it ([`SHARE_ROUNDING`]: a cumulative share may end at 1.0000000000000002).
    Share,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Boolean,
    /// One word of a fixed list.
    Label(&'static [&'static str]),
}

impl Type {
    /// What a cell of this type must be, for messages.
    pub(crate) fn expected(self) -> String {
        match self {
            Type::Code => "a jurisdiction code".to_string(),
            Type::Text => "text".to_string(),
            Type::Number => "a number".to_string(),
            Type::Integer => "a whole number".to_string(),
            Type::Share => "a share from 0 to 1".to_string(),
            Type::Date => "a date (YYYY-MM-DD)".to_string(),
            Type::Boolean => "`true` or `false`".to_string(),
            Type::Label(words) => format!(
                "one of {}",
                words
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// How far outside 0 to 1 a share may be from floating-point rounding.
pub(crate) const SHARE_ROUNDING: f64 = 1e-9;

/// When a fixed column is in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always written; a file without it is refused.
    Always,
    /// Always written; a file without it (hand-made, or from before the column) is still read,
    /// its cells missing.
    Optional,
    /// Written only by a run on several evaluation dates (`--as-of d1,d2`).
    Dated,
}

/// A column with a fixed name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its header.
    pub name: &'static str,
    /// Its cells' type.
    pub ty: Type,
    /// When it is there.
    pub presence: Presence,
}

/// Columns named by the run (one per principle, jurisdiction, factor...), all of one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    /// What names them, for people.
    pub named_by: &'static str,
    /// Their cells' type.
    pub ty: Type,
}

/// A file's format and, for a table, its columns: `lead`, then the family (if any), then `tail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A CSV table.
    Csv {
        /// The fixed columns before the family.
        lead: &'static [Column],
        /// The family of columns the run names.
        family: Option<Family>,
        /// The fixed columns after the family.
        tail: &'static [Column],
    },
    /// A JSON document (a manifest, a summary), typed by its serde struct.
    Json,
}

/// One file of a folder kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct File {
    /// Its name in the folder.
    pub name: &'static str,
    /// The folder kind it belongs to.
    pub folder: Folder,
    /// What it holds.
    pub about: &'static str,
    /// Its format and columns.
    pub format: Format,
}

impl File {
    /// Every fixed column, lead then tail (none for JSON).
    pub fn columns(&self) -> impl Iterator<Item = &'static Column> {
        let (lead, tail): (&'static [Column], &'static [Column]) = match self.format {
            Format::Csv { lead, tail, .. } => (lead, tail),
            Format::Json => (&[], &[]),
        };
        lead.iter().chain(tail)
    }

    /// The family of columns the run names, if the table has one.
    pub fn family(&self) -> Option<Family> {
        match self.format {
            Format::Csv { family, .. } => family,
            Format::Json => None,
        }
    }
}

const fn col(name: &'static str, ty: Type) -> Column {
    Column {
        name,
        ty,
        presence: Presence::Always,
    }
}

const fn optional(name: &'static str, ty: Type) -> Column {
    Column {
        name,
        ty,
        presence: Presence::Optional,
    }
}

const AS_OF: Column = Column {
    name: "as_of",
    ty: Type::Date,
    presence: Presence::Dated,
};

const JURISDICTION: Column = col("jurisdiction", Type::Code);
const NAME: Column = col("name", Type::Text);

const fn csv(
    name: &'static str,
    folder: Folder,
    about: &'static str,
    lead: &'static [Column],
) -> File {
    File {
        name,
        folder,
        about,
        format: Format::Csv {
            lead,
            family: None,
            tail: &[],
        },
    }
}

const fn wide(
    name: &'static str,
    folder: Folder,
    about: &'static str,
    lead: &'static [Column],
    family: Family,
    tail: &'static [Column],
) -> File {
    File {
        name,
        folder,
        about,
        format: Format::Csv {
            lead,
            family: Some(family),
            tail,
        },
    }
}

const fn json(name: &'static str, folder: Folder, about: &'static str) -> File {
    File {
        name,
        folder,
        about,
        format: Format::Json,
    }
}

const fn family(named_by: &'static str, ty: Type) -> Family {
    Family { named_by, ty }
}

/// The status of a score between two sides (`score_deltas.csv`).
pub(crate) const DELTA_STATUS: &[&str] = &["changed", "same", "new", "gone", "unknown"];

/// `score`: `scores.csv`.
pub static SCORES: File = csv(
    "scores.csv",
    Folder::Score,
    "tidy long table: every node, facet value, cell and criterion of every jurisdiction",
    &[
        JURISDICTION,
        AS_OF,
        col("node", Type::Text),
        col("kind", Type::Text),
        col("score", Type::Number),
        col("rank", Type::Integer),
        col("coverage", Type::Share),
    ],
);

/// `score`: `matrix_principles.csv`.
pub static MATRIX_PRINCIPLES: File = wide(
    "matrix_principles.csv",
    Folder::Score,
    "jurisdictions x principles",
    &[JURISDICTION, AS_OF],
    family("the ids of the index's children", Type::Number),
    &[],
);

/// `score`: `matrix_dimensions.csv`.
pub(crate) static MATRIX_DIMENSIONS: File = wide(
    "matrix_dimensions.csv",
    Folder::Score,
    "jurisdictions x facet values",
    &[JURISDICTION, AS_OF],
    family("the ids of the facet values", Type::Number),
    &[],
);

/// `score`: `matrix_cells.csv`.
pub(crate) static MATRIX_CELLS: File = wide(
    "matrix_cells.csv",
    Folder::Score,
    "jurisdictions x principle-dimension cells",
    &[JURISDICTION, AS_OF],
    family("the ids of the cells (`P1.legal`, ...)", Type::Number),
    &[],
);

/// `score`: `ranking.csv`.
pub static RANKING: File = csv(
    "ranking.csv",
    Folder::Score,
    "the index ranking, best first",
    &[
        JURISDICTION,
        AS_OF,
        optional("name", Type::Text),
        col("score", Type::Number),
        col("rank", Type::Integer),
        optional("tier", Type::Text),
        optional("tier_name", Type::Text),
        optional("coverage", Type::Share),
    ],
);

/// Every folder's `manifest.json`.
const fn manifest(folder: Folder) -> File {
    json(
        "manifest.json",
        folder,
        "what wrote the folder, from which inputs and settings, and every file's SHA-256",
    )
}

/// `score`: `manifest.json`.
pub(crate) static SCORE_MANIFEST: File = manifest(Folder::Score);

/// `compare`: `rank_shifts.csv`.
pub(crate) static RANK_SHIFTS: File = csv(
    "rank_shifts.csv",
    Folder::Compare,
    "each jurisdiction's index rank and score on both sides",
    &[
        JURISDICTION,
        optional("name", Type::Text),
        col("rank_a", Type::Integer),
        col("rank_b", Type::Integer),
        optional("shift", Type::Integer),
        optional("score_a", Type::Number),
        optional("score_b", Type::Number),
    ],
);

/// `compare`: `score_deltas.csv`.
pub(crate) static SCORE_DELTAS: File = csv(
    "score_deltas.csv",
    Folder::Compare,
    "every score on both sides and its change",
    &[
        JURISDICTION,
        col("node", Type::Text),
        col("kind", Type::Text),
        col("score_a", Type::Number),
        col("score_b", Type::Number),
        col("delta", Type::Number),
        optional("status", Type::Label(DELTA_STATUS)),
    ],
);

/// `compare`: `summary.json`.
pub(crate) static COMPARE_SUMMARY: File = json(
    "summary.json",
    Folder::Compare,
    "rank correlations, counts of changed scores, the changes and the biggest movers",
);

/// `compare`: `manifest.json`.
pub(crate) static COMPARE_MANIFEST: File = manifest(Folder::Compare);

const CODES: Family = family("the jurisdictions, in cluster order", Type::Number);

/// `align`: `alignment.csv`.
pub static ALIGNMENT: File = wide(
    "alignment.csv",
    Folder::Align,
    "jurisdiction x jurisdiction similarity, in cluster order",
    &[JURISDICTION],
    CODES,
    &[],
);

/// `align`: `alignment_overlap.csv`.
pub(crate) static ALIGNMENT_OVERLAP: File = wide(
    "alignment_overlap.csv",
    Folder::Align,
    "jurisdiction x jurisdiction count of components known for both",
    &[JURISDICTION],
    family("the jurisdictions, in cluster order", Type::Integer),
    &[],
);

/// `align`: `alignment_pairs.csv`.
pub(crate) static ALIGNMENT_PAIRS: File = csv(
    "alignment_pairs.csv",
    Folder::Align,
    "every pair's similarity and overlap",
    &[
        col("a", Type::Code),
        col("b", Type::Code),
        col("similarity", Type::Number),
        col("overlap", Type::Integer),
    ],
);

/// `align --top K`: `neighbours.csv`.
pub(crate) static NEIGHBOURS: File = csv(
    "neighbours.csv",
    Folder::Align,
    "each jurisdiction's K most similar ones, best first",
    &[
        JURISDICTION,
        col("neighbour", Type::Code),
        col("similarity", Type::Number),
        col("overlap", Type::Integer),
        col("rank", Type::Integer),
    ],
);

/// `align`: `clusters.csv`.
pub(crate) static CLUSTERS: File = csv(
    "clusters.csv",
    Folder::Align,
    "cluster order and cluster of each jurisdiction",
    &[
        JURISDICTION,
        optional("name", Type::Text),
        col("order", Type::Integer),
        col("cluster", Type::Integer),
    ],
);

/// `align`: `reference_alignment.csv` (with `--reference`).
pub(crate) static REFERENCE_ALIGNMENT: File = csv(
    "reference_alignment.csv",
    Folder::Align,
    "similarity to the reference, ranked",
    &[
        JURISDICTION,
        NAME,
        col("similarity", Type::Number),
        col("overlap", Type::Integer),
        col("rank", Type::Integer),
    ],
);

const INSTRUMENTS: Family = family(
    "the jurisdictions (cells: the linking instruments joined with `;`, `none`, or empty on the diagonal)",
    Type::Text,
);

/// `align`: `cooperation_extradition.csv`.
pub(crate) static COOPERATION_EXTRADITION: File = wide(
    "cooperation_extradition.csv",
    Folder::Align,
    "jurisdiction x jurisdiction extradition instruments",
    &[JURISDICTION],
    INSTRUMENTS,
    &[],
);

/// `align`: `cooperation_legal_assistance.csv`.
pub(crate) static COOPERATION_LEGAL_ASSISTANCE: File = wide(
    "cooperation_legal_assistance.csv",
    Folder::Align,
    "jurisdiction x jurisdiction legal-assistance instruments",
    &[JURISDICTION],
    INSTRUMENTS,
    &[],
);

/// `align`: `cooperation.csv`.
pub(crate) static COOPERATION: File = wide(
    "cooperation.csv",
    Folder::Align,
    "jurisdiction x jurisdiction instruments of any channel",
    &[JURISDICTION],
    INSTRUMENTS,
    &[],
);

/// `align` above the cooperation matrices' size: `cooperation_pairs.csv`.
pub(crate) static COOPERATION_PAIRS: File = csv(
    "cooperation_pairs.csv",
    Folder::Align,
    "the cells of the three cooperation matrices for every ordered pair a dyad row names",
    &[
        col("from", Type::Code),
        col("to", Type::Code),
        col("extradition", Type::Text),
        col("legal_assistance", Type::Text),
        col("any", Type::Text),
    ],
);

/// `align` above the cooperation matrices' size: `cooperation_units.csv`.
pub(crate) static COOPERATION_UNITS: File = wide(
    "cooperation_units.csv",
    Folder::Align,
    "per jurisdiction and instrument, what settles the pairs no dyad row names",
    &[JURISDICTION],
    family(
        "the instruments (bilateral: `complete` or `incomplete` partner list; multilateral: `party`, `not party` or NA)",
        Type::Text,
    ),
    &[],
);

/// `align`: `network.csv`.
pub(crate) static NETWORK: File = csv(
    "network.csv",
    Folder::Align,
    "network measures of each jurisdiction",
    &[
        JURISDICTION,
        NAME,
        col("weight", Type::Number),
        col("extradition_partners", Type::Integer),
        col("extradites_to", Type::Integer),
        col("obtains_extradition_from", Type::Integer),
        col("legal_assistance_partners", Type::Integer),
        col("weighted_degree", Type::Integer),
        col("safe_haven", Type::Share),
        col("safe_haven_upper", Type::Share),
        col("known_share", Type::Share),
    ],
);

/// `align`: `manifest.json`.
pub(crate) static ALIGN_MANIFEST: File = manifest(Folder::Align);

/// `sensitivity`: `rank_intervals.csv`.
pub(crate) static RANK_INTERVALS: File = csv(
    "rank_intervals.csv",
    Folder::Sensitivity,
    "each jurisdiction's nominal rank and the distribution of its rank over the runs",
    &[
        JURISDICTION,
        optional("name", Type::Text),
        optional("nominal_score", Type::Number),
        optional("nominal_rank", Type::Integer),
        optional("mean_rank", Type::Number),
        col("median_rank", Type::Number),
        col("q05_rank", Type::Number),
        col("q95_rank", Type::Number),
        optional("p_top10", Type::Share),
        optional("p_same_tier", Type::Share),
        optional("runs", Type::Integer),
    ],
);

/// `sensitivity`: `sensitivity_indices.csv` (with `--design sa`).
pub(crate) static SENSITIVITY_INDICES: File = csv(
    "sensitivity_indices.csv",
    Folder::Sensitivity,
    "first-order and total sensitivity indices of each factor",
    &[
        col("factor", Type::Text),
        col("si", Type::Number),
        optional("si_q05", Type::Number),
        optional("si_q95", Type::Number),
        col("sti", Type::Number),
        optional("sti_q05", Type::Number),
        optional("sti_q95", Type::Number),
        optional("rank_shift", Type::Number),
        optional("rows", Type::Integer),
        optional("status", Type::Text),
        optional("note", Type::Text),
    ],
);

const FACTORS_NUMBER: Family = family("the uncertain factors", Type::Number);
const FACTORS_LABEL: Family = family(
    "the uncertain factors (cells: the alternative drawn)",
    Type::Text,
);
const RUN: Column = col("run", Type::Integer);
const BLOCK: Column = col("block", Type::Text);

/// `sensitivity`: `sensitivity_by_jurisdiction.csv` (with `--design sa`).
pub(crate) static SENSITIVITY_BY_JURISDICTION: File = wide(
    "sensitivity_by_jurisdiction.csv",
    Folder::Sensitivity,
    "each jurisdiction's total index of each factor",
    &[JURISDICTION, NAME],
    FACTORS_NUMBER,
    &[col("most_influential", Type::Text)],
);

/// `sensitivity`: `failures.csv` (when a run failed).
pub(crate) static FAILURES: File = wide(
    "failures.csv",
    Folder::Sensitivity,
    "every run that failed, with its draws and its error",
    &[RUN, BLOCK],
    FACTORS_LABEL,
    &[col("error", Type::Text)],
);

/// `sensitivity`: `runs.csv` (with `--runs-csv`).
pub(crate) static RUNS: File = wide(
    "runs.csv",
    Folder::Sensitivity,
    "every run: its draws, status and mean absolute rank shift",
    &[RUN, BLOCK],
    FACTORS_LABEL,
    &[
        col("status", Type::Label(&["ok", "failed"])),
        col("mean_abs_rank_shift", Type::Number),
    ],
);

/// `sensitivity`: `manifest.json`.
pub(crate) static SENSITIVITY_MANIFEST: File = manifest(Folder::Sensitivity);

const LOW_OK: Type = Type::Label(&["LOW", "ok"]);

/// `audit`: `stats.csv`.
pub(crate) static STATS: File = csv(
    "stats.csv",
    Folder::Audit,
    "statistics of each criterion at the chosen stage, with COINr's flags",
    &[
        col("criterion", Type::Text),
        col("min", Type::Number),
        col("max", Type::Number),
        col("mean", Type::Number),
        col("median", Type::Number),
        col("std", Type::Number),
        col("skew", Type::Number),
        col("kurt", Type::Number),
        col("n_avail", Type::Integer),
        col("n_nonzero", Type::Integer),
        col("n_unique", Type::Integer),
        col("n_same", Type::Integer),
        col("frc_avail", Type::Share),
        col("frc_nonzero", Type::Share),
        col("frc_unique", Type::Share),
        col("frc_same", Type::Share),
        col("flag_avail", LOW_OK),
        col("flag_nonzero", LOW_OK),
        col("flag_unique", LOW_OK),
        col("flag_skew_kurt", Type::Label(&["OUT", "ok"])),
    ],
);

const AVAILABILITY: [Column; 6] = [
    JURISDICTION,
    col("n_missing", Type::Integer),
    col("n_zero", Type::Integer),
    col("n_miss_or_zero", Type::Integer),
    col("dat_avail", Type::Share),
    col("non_zero", Type::Share),
];

/// `audit`: `data_availability.csv`.
pub(crate) static DATA_AVAILABILITY: File = csv(
    "data_availability.csv",
    Folder::Audit,
    "each jurisdiction's missing and zero values at the chosen stage",
    &AVAILABILITY,
);

/// `audit`: `data_availability_by_node.csv`.
pub(crate) static DATA_AVAILABILITY_BY_NODE: File = wide(
    "data_availability_by_node.csv",
    Folder::Audit,
    "each jurisdiction's data availability under each node",
    &[JURISDICTION],
    family("the rubric's nodes", Type::Share),
    &[],
);

/// `audit`: `screening.csv`.
pub(crate) static SCREENING: File = csv(
    "screening.csv",
    Folder::Audit,
    "the screen's input availability and its decision for each jurisdiction",
    &[
        AVAILABILITY[0],
        AVAILABILITY[1],
        AVAILABILITY[2],
        AVAILABILITY[3],
        AVAILABILITY[4],
        AVAILABILITY[5],
        col("low_data", Type::Boolean),
        col("low_nonzero", Type::Boolean),
        col("included", Type::Boolean),
    ],
);

/// `audit`: `correlations.csv`.
pub(crate) static CORRELATIONS: File = csv(
    "correlations.csv",
    Folder::Audit,
    "correlation of each member with each of its ancestors",
    &[
        col("child", Type::Text),
        col("child_kind", Type::Text),
        col("ancestor", Type::Text),
        col("ancestor_kind", Type::Text),
        col("generations", Type::Integer),
        col("n", Type::Integer),
        col("pearson", Type::Number),
        col("spearman", Type::Number),
    ],
);

/// `audit`: `cronbach.csv`.
pub(crate) static CRONBACH: File = csv(
    "cronbach.csv",
    Folder::Audit,
    "Cronbach's alpha of each node's children",
    &[
        col("node", Type::Text),
        col("k", Type::Integer),
        col("alpha_raw", Type::Number),
        col("alpha_normalised", Type::Number),
    ],
);

/// `audit`: `pca_variance.csv`.
pub(crate) static PCA_VARIANCE: File = csv(
    "pca_variance.csv",
    Folder::Audit,
    "variance explained by each principal component of each node's children",
    &[
        col("node", Type::Text),
        col("n", Type::Integer),
        col("component", Type::Text),
        col("sdev", Type::Number),
        col("prop_var", Type::Share),
        col("cum_prop", Type::Share),
    ],
);

/// `audit`: `pca_loadings.csv`.
pub(crate) static PCA_LOADINGS: File = csv(
    "pca_loadings.csv",
    Folder::Audit,
    "loading of each child on each principal component",
    &[
        col("node", Type::Text),
        col("child", Type::Text),
        col("component", Type::Text),
        col("loading", Type::Number),
    ],
);

/// `audit`: `leave_one_out.csv`.
pub(crate) static LEAVE_ONE_OUT: File = csv(
    "leave_one_out.csv",
    Folder::Audit,
    "mean absolute index rank change when each element is left out",
    &[
        col("level", Type::Text),
        col("element", Type::Text),
        col("n", Type::Integer),
        col("mean_abs_rank_change", Type::Number),
    ],
);

/// `audit`: `effective_weights.csv`.
pub(crate) static EFFECTIVE_WEIGHTS: File = csv(
    "effective_weights.csv",
    Folder::Audit,
    "each node's and criterion's weight and effective weight in the index",
    &[
        col("id", Type::Text),
        col("kind", Type::Text),
        col("weight", Type::Number),
        col("effective_weight", Type::Number),
    ],
);

/// `audit`: `treatment.csv`.
pub(crate) static TREATMENT: File = csv(
    "treatment.csv",
    Folder::Audit,
    "the outlier treatment's checks of each treated criterion",
    &[
        col("criterion", Type::Text),
        col("pass0", Type::Boolean),
        col("skew0", Type::Number),
        col("kurt0", Type::Number),
        col("nwin", Type::Integer),
        col("pass1", Type::Boolean),
        col("skew1", Type::Number),
        col("kurt1", Type::Number),
        col("pass2", Type::Boolean),
        col("skew2", Type::Number),
        col("kurt2", Type::Number),
    ],
);

/// `audit`: `treated_points.csv`.
pub(crate) static TREATED_POINTS: File = wide(
    "treated_points.csv",
    Folder::Audit,
    "what the treatment did to each point of each numeric criterion",
    &[JURISDICTION],
    family("the numeric criteria", Type::Text),
    &[],
);

/// `audit`: `manifest.json`.
pub(crate) static AUDIT_MANIFEST: File = manifest(Folder::Audit);

/// `agreement`: `agreement.csv`.
pub(crate) static AGREEMENT: File = csv(
    "agreement.csv",
    Folder::Agreement,
    "Krippendorff's alpha and percent agreement per evidence field, then per metric",
    &[
        col("field", Type::Text),
        col("criteria", Type::Text),
        col("metric", Type::Label(&["nominal", "ordinal", "interval"])),
        col("units", Type::Integer),
        col("pairable_units", Type::Integer),
        col("coders", Type::Integer),
        col("alpha", Type::Number),
        col("percent_agreement", Type::Share),
    ],
);

/// `agreement`: `disagreements.csv`.
pub(crate) static DISAGREEMENTS: File = csv(
    "disagreements.csv",
    Folder::Agreement,
    "every unit where coders' known values differ, and how it was resolved",
    &[
        JURISDICTION,
        col("field", Type::Text),
        col("as_of", Type::Date),
        col("values", Type::Text),
        col("places", Type::Text),
        col(
            "resolution",
            Type::Label(&["reviewer", "majority", "unknown"]),
        ),
        col("value", Type::Text),
    ],
);

/// `agreement`: `manifest.json`.
pub(crate) static AGREEMENT_MANIFEST: File = manifest(Folder::Agreement);

/// Every file of every folder kind.
pub static FILES: &[&File] = &[
    &SCORES,
    &MATRIX_PRINCIPLES,
    &MATRIX_DIMENSIONS,
    &MATRIX_CELLS,
    &RANKING,
    &SCORE_MANIFEST,
    &RANK_SHIFTS,
    &SCORE_DELTAS,
    &COMPARE_SUMMARY,
    &COMPARE_MANIFEST,
    &ALIGNMENT,
    &ALIGNMENT_OVERLAP,
    &ALIGNMENT_PAIRS,
    &NEIGHBOURS,
    &CLUSTERS,
    &REFERENCE_ALIGNMENT,
    &COOPERATION_EXTRADITION,
    &COOPERATION_LEGAL_ASSISTANCE,
    &COOPERATION,
    &COOPERATION_PAIRS,
    &COOPERATION_UNITS,
    &NETWORK,
    &ALIGN_MANIFEST,
    &RANK_INTERVALS,
    &SENSITIVITY_INDICES,
    &SENSITIVITY_BY_JURISDICTION,
    &FAILURES,
    &RUNS,
    &SENSITIVITY_MANIFEST,
    &STATS,
    &DATA_AVAILABILITY,
    &DATA_AVAILABILITY_BY_NODE,
    &SCREENING,
    &CORRELATIONS,
    &CRONBACH,
    &PCA_VARIANCE,
    &PCA_LOADINGS,
    &LEAVE_ONE_OUT,
    &EFFECTIVE_WEIGHTS,
    &TREATMENT,
    &TREATED_POINTS,
    &AUDIT_MANIFEST,
    &AGREEMENT,
    &DISAGREEMENTS,
    &AGREEMENT_MANIFEST,
];

/// The description of the file `name` of a folder kind.
pub fn describe(folder: Folder, name: &str) -> Option<&'static File> {
    FILES
        .iter()
        .copied()
        .find(|f| f.folder == folder && f.name == name)
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A missing value, written `NA`.
    Na,
    /// No value is due (a matrix's diagonal, an undated row), written as an empty cell.
    Blank,
    /// Text (a code, an id, a name, a label, a date), shared by the cells that repeat it (a
    /// jurisdiction's code on each of its rows).
    Text(Arc<str>),
    /// A number.
    Number(f64),
    /// A whole number.
    Integer(i64),
    /// A truth value.
    Bool(bool),
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl AsRef<str>) -> Cell {
        Cell::Text(Arc::from(s.as_ref()))
    }

    /// A number, or `NA`.
    pub fn number(x: Option<f64>) -> Cell {
        x.map_or(Cell::Na, Cell::Number)
    }

    /// A whole number, or `NA`.
    pub fn integer<T: TryInto<i64>>(x: Option<T>) -> Cell {
        x.and_then(|v| v.try_into().ok())
            .map_or(Cell::Na, Cell::Integer)
    }

    /// A count.
    pub(crate) fn count(n: usize) -> Cell {
        Cell::integer(Some(n))
    }

    /// The number a numeric cell holds (`None` when missing or blank).
    pub(crate) fn as_number(&self) -> Option<f64> {
        match self {
            Cell::Number(x) => Some(*x),
            Cell::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The whole number a cell holds.
    pub(crate) fn as_integer(&self) -> Option<i64> {
        match self {
            Cell::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The text a text cell holds (`None` when missing or blank).
    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Appends the cell as CSV writes it to `out` (the text of [`Cell::to_csv`]).
    pub(crate) fn write_csv(&self, out: &mut String) {
        match self {
            Cell::Na => out.push_str("NA"),
            Cell::Blank => {}
            Cell::Text(s) => write_text(out, s),
            Cell::Number(x) => write_number(out, *x),
            Cell::Integer(i) => write_integer(out, *i),
            Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        }
    }

    /// The cell as CSV writes it (text neutralised for spreadsheets by `output::text`).
    pub(crate) fn to_csv(&self) -> String {
        match self {
            Cell::Na => "NA".to_string(),
            Cell::Blank => String::new(),
            Cell::Text(s) => text(s),
            Cell::Number(x) => number(*x),
            Cell::Integer(i) => i.to_string(),
            Cell::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        }
    }
}

/// Appends a text cell as CSV writes it (neutralised for spreadsheets, as [`text`] does).
pub(crate) fn write_text(out: &mut String, s: &str) {
    if matches!(s.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')) {
        out.push('\'');
    }
    out.push_str(s);
}

/// Appends a whole number as CSV writes it.
pub(crate) fn write_integer(out: &mut String, i: i64) {
    let _ = write!(out, "{i}");
}

/// A table of a results folder: its description, its header (the family's names in place) and
/// its rows of typed cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    file: &'static File,
    header: Vec<String>,
    types: Vec<Type>,
    /// The rows' cells one after another, a row every `header.len()` cells (one allocation for
    /// the table, not one per row).
    cells: Vec<Cell>,
}

impl Table {
    /// An empty table of `file` without a family and not dated.
    pub fn new(file: &'static File) -> Table {
        Table::with(file, &[], false)
    }

    /// An empty table of `file` with `family` as its family's column names; `dated` adds the
    /// `as_of` column of a run on several dates.
    pub fn with(file: &'static File, family: &[String], dated: bool) -> Table {
        let mut header = Vec::new();
        let mut types = Vec::new();
        let fixed = |header: &mut Vec<String>, types: &mut Vec<Type>, cols: &[Column]| {
            for c in cols
                .iter()
                .filter(|c| c.presence != Presence::Dated || dated)
            {
                header.push(c.name.to_string());
                types.push(c.ty);
            }
        };
        if let Format::Csv { lead, tail, .. } = file.format {
            fixed(&mut header, &mut types, lead);
            let ty = file.family().map_or(Type::Text, |f| f.ty);
            header.extend(family.iter().cloned());
            types.extend(std::iter::repeat_n(ty, family.len()));
            fixed(&mut header, &mut types, tail);
        }
        Table {
            file,
            header,
            types,
            cells: Vec::new(),
        }
    }

    /// Adds a row, one cell per column of the header.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.header.len(), "{}", self.file.name);
        self.cells.extend(row);
    }

    /// The description.
    pub fn file(&self) -> &'static File {
        self.file
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The rows, in order.
    pub fn rows(&self) -> std::slice::Chunks<'_, Cell> {
        self.cells.chunks(self.header.len().max(1))
    }

    /// How many rows it has.
    pub(crate) fn len(&self) -> usize {
        self.cells.len() / self.header.len().max(1)
    }

    /// Whether it has no rows.
    pub(crate) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cells of the rows `start..end`, one row after another.
    pub(crate) fn row_cells(&self, start: usize, end: usize) -> &[Cell] {
        let w = self.header.len();
        &self.cells[start * w..end * w]
    }

    /// The cells of every row, one row after another.
    pub(crate) fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// Takes every row's cells out, leaving the header.
    pub(crate) fn take_cells(&mut self) -> Vec<Cell> {
        std::mem::take(&mut self.cells)
    }

    /// Removes every row, keeping the header and the room they took.
    pub(crate) fn clear(&mut self) {
        self.cells.clear();
    }

    /// The type of each column of the header.
    pub fn types(&self) -> Vec<Type> {
        self.types.clone()
    }

    /// The file's name and its CSV bytes.
    pub(crate) fn into_file(self) -> (String, Vec<u8>) {
        let bytes = to_csv(&self);
        (self.file.name.to_string(), bytes)
    }

    /// The file's name and bytes in `format` (a parquet table is named `.parquet`).
    pub(crate) fn into_file_as(self, format: TableFormat) -> (String, Vec<u8>) {
        match format {
            TableFormat::Csv => self.into_file(),
            TableFormat::Parquet => {
                let bytes = to_parquet(&self);
                (format.name(self.file.name), bytes)
            }
        }
    }
}

/// The format a results folder's tables are written in (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableFormat {
    /// CSV, the default.
    #[default]
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl TableFormat {
    /// Its name, as `--format` and the manifest's `format` give it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }

    /// The format a manifest's `format` names (none recorded: CSV).
    pub fn of_name(name: Option<&str>) -> Option<TableFormat> {
        match name {
            None | Some("csv") => Some(TableFormat::Csv),
            Some("parquet") => Some(TableFormat::Parquet),
            Some(_) => None,
        }
    }

    /// The name of the described table `csv_name` (`scores.csv`) in this format.
    pub fn name(self, csv_name: &str) -> String {
        match self {
            TableFormat::Csv => csv_name.to_string(),
            TableFormat::Parquet => {
                let stem = csv_name.strip_suffix(".csv").unwrap_or(csv_name);
                format!("{stem}.parquet")
            }
        }
    }
}

/// The parquet bytes of a table: one column per header column, typed by the description (see
/// `output::columnar` for the mapping), `NA` as null.
pub fn to_parquet(t: &Table) -> Vec<u8> {
    #[expect(
        clippy::expect_used,
        reason = "writing to memory cannot fail, every column is OPTIONAL with a logical type its physical type admits, and each gets one definition level per row"
    )]
    super::columnar::write(t).expect("a table's parquet bytes")
}

/// Reads parquet bytes written by [`to_parquet`] back: the header and the rows as cells (a
/// date as its `YYYY-MM-DD` text, a null as `NA`), or the reader's message.
pub fn read_parquet(bytes: Vec<u8>) -> Result<(Vec<String>, Vec<Vec<Cell>>), String> {
    super::columnar::read(bytes)
}

/// The CSV bytes of a table: UTF-8, `\n` line ends, its header then its rows, text neutralised
/// for spreadsheets, numbers in shortest round-trip form, `NA` for missing. Each cell is
/// formatted into one reused buffer (the same text as [`Cell::to_csv`]), not a string of its own.
pub fn to_csv(t: &Table) -> Vec<u8> {
    let mut bytes = csv_header(&t.header);
    bytes.extend(csv_rows(&t.cells, t.header.len()));
    bytes
}

/// The CSV bytes of a header line. A CSV record's bytes depend on its own cells only, so a
/// table's bytes are its header's then each block of rows' in turn.
pub(crate) fn csv_header(header: &[String]) -> Vec<u8> {
    let mut csv = Csv::new();
    csv.row(header.iter().map(|h| text(h)));
    csv.finish()
}

/// The CSV bytes of rows of `width` cells, given one row after another.
pub(crate) fn csv_rows(cells: &[Cell], width: usize) -> Vec<u8> {
    let mut csv = Csv::new();
    let mut buf = String::new();
    for row in cells.chunks(width.max(1)) {
        for cell in row {
            buf.clear();
            cell.write_csv(&mut buf);
            csv.field(buf.as_bytes());
        }
        csv.end_row();
    }
    csv.finish()
}

/// Bounds on what the reader reads of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest file, in bytes.
    pub bytes: u64,
    /// The option that raises `bytes`, named in the message.
    pub flag: Option<&'static str>,
    /// Most data rows.
    pub rows: usize,
}

impl ReadLimits {
    /// The limits of a load: its table size (raised by `--max-file-mb`) and row count.
    pub fn of(limits: &crate::limits::Limits) -> ReadLimits {
        ReadLimits {
            bytes: limits.table_bytes,
            flag: Some("--max-file-mb"),
            rows: limits.rows,
        }
    }
}

/// What a column of a file read is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// A described fixed column.
    Fixed(&'static Column),
    /// A column of the family.
    Family,
    /// A column the description does not know: read as text, not used.
    Extra,
}

/// A row of a table read: its line in the file and its cells, one per header column.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The line it starts on (the header is line 1).
    pub line: usize,
    /// Its cells (a short row is padded with blank cells).
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cell at `col` (blank when out of range).
    pub(crate) fn cell(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Blank)
    }

    /// The number at `col`, if any (`None` for `NA`, blank or no column).
    pub fn number(&self, col: Option<usize>) -> Option<f64> {
        col.and_then(|c| self.cell(c).as_number())
    }

    /// The whole number at `col`, if any.
    pub(crate) fn integer(&self, col: Option<usize>) -> Option<i64> {
        col.and_then(|c| self.cell(c).as_integer())
    }

    /// The text at `col` as it was written before neutralisation: `NA` for a missing cell, empty
    /// for a blank one or no column.
    pub(crate) fn text(&self, col: Option<usize>) -> &str {
        match col.map(|c| self.cell(c)) {
            Some(Cell::Text(s)) => s,
            Some(Cell::Na) => "NA",
            _ => "",
        }
    }
}

/// A result table read against its description.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadTable {
    /// The file as shown in messages.
    pub shown: String,
    /// Its description.
    pub file: &'static File,
    /// Its header, neutralisation undone.
    pub header: Vec<String>,
    slots: Vec<Slot>,
    /// Its rows.
    pub rows: Vec<Row>,
}

impl ReadTable {
    /// The position of the column `name` (a described column missing from an older file, or one
    /// written only on several dates, has none).
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The family's columns: (position, name), in file order.
    pub fn family(&self) -> Vec<(usize, &str)> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == Slot::Family)
            .map(|(i, _)| (i, self.header[i].as_str()))
            .collect()
    }
}

/// Undoes the spreadsheet guard of `output::text`: a leading `'` before `=`, `+`, `-`, `@`, tab
/// or carriage return.
pub(crate) fn untext(s: &str) -> String {
    let mut chars = s.chars();
    if chars.next() == Some('\'')
        && matches!(chars.next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
    {
        return s[1..].to_string();
    }
    s.to_string()
}

fn csv_problem(shown: &str, e: &csv::Error) -> Problem {
    let line = e.position().map(|p| p.line() as usize);
    let loc = match line {
        Some(l) => Location::line_col(shown, l, None),
        None => Location::file(shown),
    };
    Problem::new(format!("`{shown}` is not valid CSV: {e}")).at(loc)
}

/// Parses one written cell as `ty`: `NA` is missing and an empty cell blank, for every type.
fn parse_cell(s: &str, ty: Type) -> Option<Cell> {
    let text = matches!(ty, Type::Code | Type::Text);
    // Numbers, dates and labels are read with surrounding spaces trimmed; text as it is.
    let t = if text { s } else { s.trim() };
    if t.is_empty() {
        return Some(Cell::Blank);
    }
    if t == "NA" && ty != Type::Code {
        return Some(Cell::Na);
    }
    match ty {
        Type::Code | Type::Text => Some(Cell::Text(untext(s).into())),
        Type::Number => t
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Cell::Number),
        Type::Integer => t.parse::<i64>().ok().map(Cell::Integer),
        Type::Share => t
            .parse::<f64>()
            .ok()
            .filter(|x| (-SHARE_ROUNDING..=1.0 + SHARE_ROUNDING).contains(x))
            .map(Cell::Number),
        Type::Date => crate::evidence::parse_date(t).map(|_| Cell::Text(t.into())),
        Type::Boolean => match t {
            "true" => Some(Cell::Bool(true)),
            "false" => Some(Cell::Bool(false)),
            _ => None,
        },
        Type::Label(words) => words.contains(&t).then(|| Cell::Text(t.into())),
    }
}

/// Reads the CSV `text` of the file `shown` against its description `file`: refuses a header
/// without a column the description requires (naming the column), and a cell that is not of its
/// column's type (naming the line and column). Columns the description does not know are read
/// as text and not used, so that a file with more columns than this accord writes still reads.
pub fn parse(
    text: &str,
    shown: &str,
    file: &'static File,
    limits: &ReadLimits,
) -> Result<ReadTable, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(untext).collect(),
        Some(Err(e)) => return Err(csv_problem(shown, &e)),
        None => {
            return Err(Problem::new(format!("`{shown}` is empty"))
                .at(Location::file(shown))
                .help("a results file starts with a header line"));
        }
    };
    let slots = slots(&header, file, shown)?;
    let mut rows = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| csv_problem(shown, &e))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.len() == 1 && rec.get(0).is_some_and(str::is_empty) {
            continue;
        }
        if rows.len() >= limits.rows {
            return Err(Problem::new(format!(
                "`{shown}` has more than {} data rows, the limit",
                limits.rows
            ))
            .at(Location::line_col(shown, line, None)));
        }
        let mut cells = Vec::with_capacity(header.len());
        for (k, raw) in rec.iter().enumerate() {
            let ty = match slots.get(k) {
                Some(Slot::Fixed(c)) => c.ty,
                Some(Slot::Family) => file.family().map_or(Type::Text, |f| f.ty),
                Some(Slot::Extra) | None => Type::Text,
            };
            let cell = parse_cell(raw, ty).ok_or_else(|| {
                let name = header.get(k).map_or("", String::as_str);
                Problem::new(format!(
                    "`{shown}` line {line}: `{}` in column `{name}` is not {}",
                    raw.trim(),
                    ty.expected()
                ))
                .at(Location::line_col(shown, line, Some(k + 1)).with_key(name))
            })?;
            cells.push(cell);
        }
        cells.resize(header.len().max(cells.len()), Cell::Blank);
        rows.push(Row { line, cells });
    }
    Ok(ReadTable {
        shown: shown.to_string(),
        file,
        header,
        slots,
        rows,
    })
}

/// What each column of a header is, refusing a header without a column the description requires.
fn slots(header: &[String], file: &'static File, shown: &str) -> Result<Vec<Slot>, Problem> {
    let mut slots = vec![
        if file.family().is_some() {
            Slot::Family
        } else {
            Slot::Extra
        };
        header.len()
    ];
    for c in file.columns() {
        match header.iter().position(|h| h == c.name) {
            Some(i) => slots[i] = Slot::Fixed(c),
            None if c.presence == Presence::Always => {
                return Err(
                    Problem::new(format!("`{shown}` has no column `{}`", c.name))
                        .at(Location::line_col(shown, 1, None).with_key(c.name))
                        .help(format!("its header is: {}", header.join(","))),
                );
            }
            None => {}
        }
    }
    Ok(slots)
}

/// Reads the result file at `path` against `file`, within `limits`: the table and the SHA-256
/// of the bytes read.
pub fn read(
    path: &Path,
    file: &'static File,
    limits: &ReadLimits,
) -> Result<(ReadTable, String), Problem> {
    let bytes = read_bytes(path, "results file", limits.bytes, limits.flag, None)?;
    let sha = sha256_hex(&bytes);
    let shown = path.display().to_string();
    let text = decode_utf8(bytes, &shown)?;
    Ok((parse(&text, &shown, file, limits)?, sha))
}

/// Reads the table `file` of the results folder `dir`, written in `format` (as the folder's
/// manifest records): the table, read against its description, and the SHA-256 of the bytes
/// read. A parquet table is named `.parquet` (see [`TableFormat::name`]).
pub(crate) fn read_in(
    dir: &Path,
    file: &'static File,
    format: TableFormat,
    limits: &ReadLimits,
) -> Result<(ReadTable, String), Problem> {
    let path = dir.join(format.name(file.name));
    let bytes = read_bytes(&path, "results file", limits.bytes, limits.flag, None)?;
    let sha = sha256_hex(&bytes);
    let shown = path.display().to_string();
    Ok((parse_as(bytes, &shown, file, format, limits)?, sha))
}

/// Reads the bytes of the file `shown`, a table in `format`, against its description `file`:
/// [`parse`] for CSV, [`parse_parquet`] for parquet.
pub fn parse_as(
    bytes: Vec<u8>,
    shown: &str,
    file: &'static File,
    format: TableFormat,
    limits: &ReadLimits,
) -> Result<ReadTable, Problem> {
    match format {
        TableFormat::Csv => parse(&decode_utf8(bytes, shown)?, shown, file, limits),
        TableFormat::Parquet => parse_parquet(bytes, shown, file, limits),
    }
}

/// Reads the parquet bytes of the file `shown` against its description `file`, to the same
/// table [`parse`] reads from the CSV of the same results: a header without a required column,
/// and a cell whose kind or value is not its column's type, are refused (naming the row as the
/// line it would be in the CSV: the header is line 1). A null is `NA`; an empty string in a
/// text column is a blank cell; and, as the CSV reader does, the text `NA` in a text or label
/// column is `NA` (a code column keeps it as text), so a folder reads the same whichever format
/// accord wrote it in.
pub(crate) fn parse_parquet(
    bytes: Vec<u8>,
    shown: &str,
    file: &'static File,
    limits: &ReadLimits,
) -> Result<ReadTable, Problem> {
    let (header, data) = read_parquet(bytes).map_err(|e| {
        Problem::new(format!(
            "`{shown}` is not a parquet table accord can read: {e}"
        ))
        .at(Location::file(shown))
    })?;
    let slots = slots(&header, file, shown)?;
    if data.len() > limits.rows {
        return Err(Problem::new(format!(
            "`{shown}` has more than {} data rows, the limit",
            limits.rows
        ))
        .at(Location::file(shown)));
    }
    let mut rows = Vec::with_capacity(data.len());
    for (i, cells) in data.into_iter().enumerate() {
        let line = i + 2;
        let mut typed = Vec::with_capacity(header.len());
        for (k, cell) in cells.into_iter().enumerate() {
            let ty = match slots.get(k) {
                Some(Slot::Fixed(c)) => Some(c.ty),
                Some(Slot::Family) => Some(file.family().map_or(Type::Text, |f| f.ty)),
                Some(Slot::Extra) | None => None,
            };
            let found = format!("{cell:?}");
            let cell = match ty {
                Some(ty) => typed_cell(cell, ty).ok_or_else(|| {
                    let name = header.get(k).map_or("", String::as_str);
                    Problem::new(format!(
                        "`{shown}` row {}: {found} in column `{name}` is not {}",
                        i + 1,
                        ty.expected()
                    ))
                    .at(Location::line_col(shown, line, Some(k + 1)).with_key(name))
                })?,
                // A column the description does not know is kept as read, and not used.
                None => cell,
            };
            typed.push(cell);
        }
        typed.resize(header.len().max(typed.len()), Cell::Blank);
        rows.push(Row { line, cells: typed });
    }
    Ok(ReadTable {
        shown: shown.to_string(),
        file,
        header,
        slots,
        rows,
    })
}

/// A cell read from parquet as a cell of the type `ty`, as [`parse_cell`] reads its CSV text:
/// `None` when its kind or value is not of the type.
fn typed_cell(cell: Cell, ty: Type) -> Option<Cell> {
    let text_like = matches!(ty, Type::Code | Type::Text | Type::Label(_) | Type::Date);
    match cell {
        Cell::Na => Some(Cell::Na),
        Cell::Text(s) if text_like && s.is_empty() => Some(Cell::Blank),
        Cell::Text(s) if ty != Type::Code && &*s == "NA" => text_like.then_some(Cell::Na),
        Cell::Text(s) => match ty {
            Type::Code | Type::Text => Some(Cell::Text(s)),
            Type::Label(words) => words.contains(&&*s).then_some(Cell::Text(s)),
            Type::Date => crate::evidence::parse_date(&s).map(|_| Cell::Text(s)),
            _ => None,
        },
        Cell::Number(x) => match ty {
            Type::Number => x.is_finite().then_some(Cell::Number(x)),
            Type::Share => (-SHARE_ROUNDING..=1.0 + SHARE_ROUNDING)
                .contains(&x)
                .then_some(Cell::Number(x)),
            _ => None,
        },
        Cell::Integer(v) => (ty == Type::Integer).then_some(Cell::Integer(v)),
        Cell::Bool(b) => (ty == Type::Boolean).then_some(Cell::Bool(b)),
        Cell::Blank => Some(Cell::Blank),
    }
}

/// Splits one CSV line into its fields (quotes handled), as written.
pub fn fields(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    r.records()
        .next()
        .and_then(Result::ok)
        .map(|rec| rec.iter().map(String::from).collect())
        .unwrap_or_default()
}
