//! A results folder's `manifest.json`: what wrote the folder, from which inputs and settings, and
//! the SHA-256 of every file in it. One serde type per manifest shape, written and read here
//! only; the `schema` number says which shape a folder has, so that a folder written by a newer
//! accord is refused rather than misread.

use std::path::Path;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;

use super::schema::TableFormat;
use crate::error::{Location, Problem};
use crate::files::sha256_hex;
use crate::pipeline::Scored;

/// The results schema this accord writes and reads. A manifest without a `schema` field was
/// written before the field existed, in schema 1.
pub const SCHEMA: u32 = 1;

/// Largest manifest read (bytes).
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

fn schema_one() -> u32 {
    1
}

/// The manifest of a folder written from one scored run (`score`, `align`, `sensitivity`,
/// `audit`, `agreement`). Fields are in the order they are written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// The results schema.
    #[serde(default = "schema_one")]
    pub schema: u32,
    /// The accord that wrote the folder.
    #[serde(default)]
    pub accord_version: String,
    /// The command that wrote it.
    #[serde(default)]
    pub command: String,
    /// The rubric read.
    #[serde(default)]
    pub rubric: RubricRecord,
    /// The evidence, jurisdictions and dyads files read.
    #[serde(default)]
    pub inputs: InputsRecord,
    /// The evaluation date and how it was chosen.
    #[serde(default)]
    pub evaluation: Evaluation,
    /// How many of each thing the run had.
    #[serde(default)]
    pub counts: Counts,
    /// The effective rubric as written (after `extends` and `--set`).
    #[serde(default)]
    pub settings: Json,
    /// Every setting of the pipeline the run used, defaults included: `pipeline` as the rubric
    /// layer's settings types serialise it, and the nodes and criteria that override it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_settings: Option<Json>,
    /// The format of the folder's tables, when not CSV (`parquet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Every file of the folder but the manifest, in writing order.
    #[serde(default)]
    pub outputs: Outputs,
    /// The command's own options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Json>,
}

/// The rubric a run read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RubricRecord {
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// Which text of the principles it pins.
    pub text_source: Option<String>,
    /// The rubric file and its `extends` bases.
    pub files: Vec<FileRecord>,
    /// The `--set` overrides applied.
    pub overrides: Vec<String>,
    /// Criteria and nodes left out (`--only-coded`).
    pub left_out: Vec<String>,
}

/// A file named by its path and SHA-256.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileRecord {
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

/// An input table: path, SHA-256 and data rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableRecord {
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Data rows read.
    pub rows: u64,
    /// The delimiter it was read with, when not a comma (none for a workbook).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
}

/// The evidence file, with the form it was read in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvidenceRecord {
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Data rows read.
    pub rows: u64,
    /// `long` or `wide`.
    pub form: String,
    /// The delimiter it was read with, when not a comma (none for a workbook).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
}

/// The input tables of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InputsRecord {
    /// The evidence.
    pub evidence: EvidenceRecord,
    /// The jurisdictions file, if one was read.
    pub jurisdictions: Option<TableRecord>,
    /// The dyads file, if one was read.
    pub dyads: Option<TableRecord>,
}

/// The evaluation date: the date, the rule that chose it, where it came from, and how many
/// observations were dated after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Evaluation {
    /// `--as-of`, when given.
    pub as_of: Option<String>,
    /// The date (none for a run on undated evidence).
    pub date: Option<String>,
    /// The rule that chose it.
    pub rule: String,
    /// Where it came from.
    pub source: Option<String>,
    /// Observations dated after it.
    pub observations_after_date: u64,
}

impl Evaluation {
    /// The evaluation record of a run.
    pub(crate) fn of(s: &Scored) -> Evaluation {
        let e = &s.evaluation;
        let undated = e.origin == crate::rules::DateOrigin::Undated;
        Evaluation {
            as_of: s.as_of.map(|d| d.to_string()),
            date: (!undated).then(|| e.date.to_string()),
            rule: e.rule().to_string(),
            source: (!undated).then(|| e.source()),
            observations_after_date: s.inputs.observations_after(e.date) as u64,
        }
    }
}

/// How many of each thing a run had.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counts {
    /// Jurisdictions in the inputs.
    pub jurisdictions: u64,
    /// Jurisdictions scored.
    pub scored: u64,
    /// Codes screened out.
    pub screened_out: Vec<String>,
    /// Criteria.
    pub criteria: u64,
    /// Nodes.
    pub nodes: u64,
    /// Evidence rows.
    pub evidence_rows: u64,
    /// Dyads.
    pub dyads: u64,
}

/// A file of the folder: its data rows (lines after the header; a parquet table's rows) and
/// SHA-256.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Output {
    /// Lines after the first (a parquet table: its rows).
    pub rows: u64,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

impl Output {
    /// The record of the bytes of the file `name`.
    pub(crate) fn of(name: &str, bytes: &[u8]) -> Output {
        let rows = if name.ends_with(".parquet") {
            super::columnar::rows(bytes).unwrap_or(0)
        } else {
            let lines = memchr::memchr_iter(b'\n', bytes).count() as u64;
            lines.saturating_sub(1)
        };
        Output {
            rows,
            sha256: sha256_hex(bytes),
        }
    }
}

/// The format a folder's files are in: `parquet` when its tables are (named `.parquet`), none
/// for CSV.
pub(crate) fn format_of(files: &[(String, Vec<u8>)]) -> Option<String> {
    files
        .iter()
        .any(|(n, _)| n.ends_with(".parquet"))
        .then(|| super::schema::TableFormat::Parquet.as_str().to_string())
}

/// A `compare` folder's record of a file: the same as [`Output`], its SHA-256 written first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareOutput {
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Lines after the first.
    pub rows: u64,
}

/// What a manifest records of each file.
pub trait Record: Sized {
    /// The record of the bytes of the file `name`.
    fn of(name: &str, bytes: &[u8]) -> Self;
    /// The SHA-256 recorded.
    fn sha256(&self) -> &str;
}

impl Record for Output {
    fn of(name: &str, bytes: &[u8]) -> Output {
        Output::of(name, bytes)
    }
    fn sha256(&self) -> &str {
        &self.sha256
    }
}

impl Record for CompareOutput {
    fn of(name: &str, bytes: &[u8]) -> CompareOutput {
        let o = Output::of(name, bytes);
        CompareOutput {
            sha256: o.sha256,
            rows: o.rows,
        }
    }
    fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// The files of a folder by name, in writing order (a JSON object).
#[derive(Debug, Clone, PartialEq)]
pub struct Outputs<R = Output>(pub Vec<(String, R)>);

impl<R> Default for Outputs<R> {
    fn default() -> Self {
        Outputs(Vec::new())
    }
}

impl<R: Record> Outputs<R> {
    /// The records of files `(name, bytes)`, in their order.
    pub fn of(files: &[(String, Vec<u8>)]) -> Outputs<R> {
        Outputs(
            files
                .iter()
                .map(|(n, b)| (n.clone(), R::of(n, b)))
                .collect(),
        )
    }

    /// The format of the folder's tables: `parquet` when they are (named `.parquet`), none for
    /// CSV, as [`format_of`] says of the files themselves.
    pub(crate) fn format(&self) -> Option<String> {
        self.0
            .iter()
            .any(|(n, _)| n.ends_with(".parquet"))
            .then(|| super::schema::TableFormat::Parquet.as_str().to_string())
    }

    /// The record of the file `name`.
    pub fn get(&self, name: &str) -> Option<&R> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, o)| o)
    }

    /// The SHA-256 recorded for the file `name`.
    pub fn sha256(&self, name: &str) -> Option<&str> {
        self.get(name).map(R::sha256)
    }
}

impl<R: Serialize> Serialize for Outputs<R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, output) in &self.0 {
            map.serialize_entry(name, output)?;
        }
        map.end()
    }
}

impl<'de, R: Deserialize<'de>> Deserialize<'de> for Outputs<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Outputs<R>, D::Error> {
        struct V<R>(std::marker::PhantomData<R>);
        impl<'de, R: Deserialize<'de>> Visitor<'de> for V<R> {
            type Value = Outputs<R>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of file names")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Outputs<R>, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, R>()? {
                    out.push((k, v));
                }
                Ok(Outputs(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The inputs of a `score` run as given on the command line, so that `score --check` can rerun
/// them (the `invocation` of a score manifest's options).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Invocation {
    /// The data folder, if one was read.
    pub data: Option<String>,
    /// The data folder's `accord.toml`, if it has one.
    pub folder: Option<FileRecord>,
    /// The rubric file.
    pub rubric: Option<String>,
    /// `--set` overrides as given.
    pub set: Vec<String>,
    /// `--allow-extends-outside`.
    pub allow_extends_outside: bool,
    /// The evidence file.
    pub evidence: Option<String>,
    /// The workbook sheet read.
    pub sheet: Option<String>,
    /// The jurisdictions file.
    pub jurisdictions: Option<String>,
    /// The dyads file.
    pub dyads: Option<String>,
    /// The evaluation dates asked for.
    pub as_of: Vec<String>,
    /// `--only-coded`.
    pub only_coded: bool,
    /// `--delimiter`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
}

/// The options of a `score` folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreOptions {
    /// How it was run.
    pub invocation: Option<Invocation>,
}

/// The options of an `align` folder, in the order they are written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AlignOptions {
    /// What was compared (`criteria`, `cells`, ...).
    pub level: String,
    /// The similarity metric.
    pub metric: String,
    /// Pairs sharing fewer components are unknown.
    pub min_overlap: usize,
    /// Clusters asked for.
    pub clusters: usize,
    /// `--reference`, when given.
    pub reference: Option<String>,
    /// The components compared.
    pub components: Vec<String>,
    /// How clusters are linked.
    pub linkage: String,
    /// The distance an unknown pair is given in clustering.
    pub unknown_distance: f64,
    /// How the clustering went.
    pub clustering: ClusteringRecord,
    /// `equal`, or the evidence field weighting the network.
    pub network_weights: String,
    /// `--top K`, when given: `neighbours.csv` instead of the full matrices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top: Option<usize>,
    /// How the cooperation matrices are written: `matrix` (J x J files) or `long`
    /// (`cooperation_pairs.csv` and `cooperation_units.csv`).
    pub cooperation_form: String,
}

/// How an `align` run's clustering went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ClusteringRecord {
    /// The least share of known pairs a jurisdiction needs to be clustered.
    pub min_known_pair_share: f64,
    /// Jurisdictions comparable enough to cluster.
    pub comparable: usize,
    /// Known pairs among them.
    pub known_pairs: usize,
    /// Pairs among them.
    pub pairs: usize,
    /// Jurisdictions given a cluster.
    pub clustered: usize,
    /// Clusters formed.
    pub clusters: usize,
    /// Why no clusters were formed, if none were.
    pub no_clusters: Option<String>,
}

/// The options of a `sensitivity` folder, in the order they are written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct SensitivityOptions {
    /// `ua` or `sa`.
    pub design: String,
    /// The sampler, as people read it.
    pub sampler: String,
    /// Base sample size N.
    pub n: usize,
    /// The seed.
    pub seed: u64,
    /// Bootstrap replications of the indices.
    pub bootstrap: usize,
    /// The node whose ranks are analysed.
    pub target: String,
    /// Where the factors were read.
    pub spec: SpecRecord,
    /// The factors.
    pub factors: Vec<FactorRecord>,
    /// Runs made.
    pub runs: usize,
    /// Runs that failed.
    pub failed: usize,
    /// Design rows whose runs all succeeded (sensitivity design only).
    pub design_rows_used: Option<usize>,
    /// The step regenerations started from.
    pub regenerated_from: String,
}

/// Where a sensitivity analysis read its factors: a file, or the rubric's section (its words).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum SpecRecord {
    /// A `--spec` file.
    File(FileRecord),
    /// Where else, in words.
    Described(String),
}

impl Default for SpecRecord {
    fn default() -> Self {
        SpecRecord::Described(String::new())
    }
}

/// An uncertain factor of a sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum FactorRecord {
    /// Alternatives drawn from.
    Discrete {
        /// Its name.
        name: String,
        /// `discrete`.
        kind: String,
        /// How many alternatives.
        alternatives: usize,
        /// The first 20 alternatives' labels.
        labels: Vec<String>,
    },
    /// A range drawn from.
    Continuous {
        /// Its name.
        name: String,
        /// `continuous`.
        kind: String,
        /// Lower and upper end.
        range: [f64; 2],
    },
}

/// The options of an `agreement` folder, in the order they are written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AgreementOptions {
    /// The coders.
    pub coders: Vec<String>,
    /// Units coded.
    pub units: usize,
    /// Units where coders disagree.
    pub disagreements: usize,
    /// The metric used for each kind of evidence.
    pub metrics: AgreementMetrics,
    /// How disagreements are resolved, in words.
    pub resolution: String,
}

/// The agreement metric of each kind of evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AgreementMetrics {
    /// Boolean evidence.
    pub boolean: String,
    /// Dates.
    pub date: String,
    /// Labels.
    pub label: String,
    /// Numbers.
    pub number: String,
}

/// The options of an `audit` folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditOptions {
    /// The pipeline stage of the statistics and data availability (`--stage`).
    pub stage: String,
}

impl RunManifest {
    /// The manifest of a run's folder: `files` are the folder's other files, `options` the
    /// command's own (none for a folder written by the library).
    pub fn of(
        s: &Scored,
        files: &[(String, Vec<u8>)],
        command: &str,
        options: Option<Json>,
    ) -> RunManifest {
        RunManifest::of_records(s, Outputs::of(files), command, options)
    }

    /// The manifest of a run's folder from the records of its other files (written as they were
    /// hashed, so that no file's bytes need to be held): `options` as for [`RunManifest::of`].
    pub(crate) fn of_records(
        s: &Scored,
        outputs: Outputs,
        command: &str,
        options: Option<Json>,
    ) -> RunManifest {
        let rubric = &s.rubric;
        let inputs = &s.inputs;
        // Recorded only when not a comma, so a comma-separated file's record is as it always was.
        let delimiter = |f: &crate::evidence::InputFile| {
            f.delimiter
                .filter(|d| *d != crate::evidence::Delimiter::COMMA)
                .map(|d| d.name().to_string())
        };
        let table = |f: &crate::evidence::InputFile| TableRecord {
            path: f.path.clone(),
            sha256: f.sha256.clone(),
            rows: f.rows as u64,
            delimiter: delimiter(f),
        };
        let ev = &inputs.evidence.file;
        RunManifest {
            schema: SCHEMA,
            accord_version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            rubric: RubricRecord {
                id: rubric.meta.id.clone(),
                version: rubric.meta.version.clone(),
                title: rubric.meta.title.clone(),
                text_source: rubric.meta.text_source.clone(),
                files: rubric
                    .provenance
                    .files
                    .iter()
                    .map(|(path, sha256)| FileRecord {
                        path: path.clone(),
                        sha256: sha256.clone(),
                    })
                    .collect(),
                overrides: rubric.provenance.overrides.clone(),
                left_out: rubric.provenance.left_out.clone(),
            },
            inputs: InputsRecord {
                evidence: EvidenceRecord {
                    path: ev.path.clone(),
                    sha256: ev.sha256.clone(),
                    rows: ev.rows as u64,
                    form: match inputs.evidence.form {
                        crate::evidence::Form::Long => "long",
                        crate::evidence::Form::Wide => "wide",
                    }
                    .to_string(),
                    delimiter: delimiter(ev),
                },
                jurisdictions: inputs.jurisdictions.file.as_ref().map(table),
                dyads: inputs.dyads.as_ref().map(|d| table(&d.file)),
            },
            evaluation: Evaluation::of(s),
            counts: Counts {
                jurisdictions: inputs.jurisdictions.len() as u64,
                scored: s.results.units.len() as u64,
                screened_out: (0..inputs.jurisdictions.len())
                    .filter(|&j| !s.results.availability[j].included)
                    .map(|j| inputs.jurisdictions.list[j].code.clone())
                    .collect(),
                criteria: rubric.criteria.len() as u64,
                nodes: rubric.nodes.len() as u64,
                evidence_rows: inputs.evidence.rows.len() as u64,
                dyads: inputs.dyads.as_ref().map_or(0, |d| d.list.len() as u64),
            },
            settings: rubric.provenance.effective.clone(),
            pipeline_settings: Some(pipeline_settings(rubric)),
            format: outputs.format(),
            outputs,
            options,
        }
    }

    /// The format of the folder's tables (CSV when none is recorded); `shown` is the manifest's
    /// path, for messages.
    pub fn table_format(&self, shown: &str) -> Result<TableFormat, Problem> {
        known_format(self.format.as_deref(), shown)
    }

    /// The `score` options, when the folder records them; `shown` is the manifest's path, for
    /// messages.
    pub fn score_options(&self, shown: &str) -> Result<ScoreOptions, Problem> {
        self.options_as(shown)
    }

    /// The command's options read as `T` (its default when none are recorded); `shown` is the
    /// manifest's path, for messages.
    pub fn options_as<T: serde::de::DeserializeOwned + Default>(
        &self,
        shown: &str,
    ) -> Result<T, Problem> {
        match &self.options {
            None => Ok(T::default()),
            Some(o) => serde_json::from_value(o.clone()).map_err(|e| {
                Problem::new(format!(
                    "`{shown}` records the run's options in a form accord does not read: {e}"
                ))
                .at(Location::file(shown).with_key("options"))
            }),
        }
    }
}

/// Every effective setting of a rubric's pipeline, defaults included: the pipeline-wide settings,
/// then each node's aggregation and each criterion's normalisation and treatment that override
/// them.
pub(crate) fn pipeline_settings(rubric: &crate::rubric::Rubric) -> Json {
    use crate::rubric::settings::{AggregateSpec, NormaliseSpec, PipelineSpec, TreatSpec};
    #[derive(Serialize)]
    struct NodeOverride<'a> {
        id: &'a str,
        aggregate: &'a AggregateSpec,
    }
    #[derive(Serialize)]
    struct CriterionOverride<'a> {
        id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        normalise: Option<&'a NormaliseSpec>,
        #[serde(skip_serializing_if = "Option::is_none")]
        treat: Option<&'a TreatSpec>,
    }
    #[derive(Serialize)]
    struct Settings<'a> {
        pipeline: &'a PipelineSpec,
        node: Vec<NodeOverride<'a>>,
        criterion: Vec<CriterionOverride<'a>>,
    }
    let settings = Settings {
        pipeline: &rubric.pipeline,
        node: rubric
            .nodes
            .iter()
            .filter_map(|n| {
                n.aggregate.as_ref().map(|aggregate| NodeOverride {
                    id: &n.id,
                    aggregate,
                })
            })
            .collect(),
        criterion: rubric
            .criteria
            .iter()
            .filter(|c| c.normalise.is_some() || c.treat.is_some())
            .map(|c| CriterionOverride {
                id: &c.id,
                normalise: c.normalise.as_ref(),
                treat: c.treat.as_ref(),
            })
            .collect(),
    };
    serde_json::to_value(settings).unwrap_or_default()
}

/// The manifest of a `compare` folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareManifest {
    /// The results schema.
    #[serde(default = "schema_one")]
    pub schema: u32,
    /// The accord that wrote the folder.
    #[serde(default)]
    pub accord_version: String,
    /// Always `compare`.
    #[serde(default)]
    pub command: String,
    /// Side A as given.
    #[serde(default)]
    pub a: String,
    /// Side B as given.
    #[serde(default)]
    pub b: String,
    /// What was compared (`rubrics`, `evidence`, `dates`, `folders`).
    #[serde(default)]
    pub kind: String,
    /// `--set` overrides as given.
    #[serde(default)]
    pub set: Vec<String>,
    /// The tables read from memory (a DataFrame from Python), not from files: the name each was
    /// shown under and the SHA-256 of its CSV text. Absent when every input was a file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memory: Vec<FileRecord>,
    /// The format of the folder's tables, when not CSV (`parquet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Every file of the folder but the manifest.
    #[serde(default)]
    pub outputs: Outputs<CompareOutput>,
}

/// A `compare` folder's `summary.json`, in the order it is written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareSummary {
    /// Side A as given.
    pub label_a: String,
    /// Side B as given.
    pub label_b: String,
    /// What was compared.
    pub kind: String,
    /// Side A's evaluation date.
    pub evaluation_a: Evaluation,
    /// Side B's evaluation date.
    pub evaluation_b: Evaluation,
    /// Whether both sides were evaluated on the same date.
    pub same_date: bool,
    /// How many scores changed, stayed, became known, became unknown, or are unknown on both.
    pub scores: StatusCounts,
    /// Jurisdictions ranked on both sides.
    pub jurisdictions_compared: usize,
    /// Spearman correlation of the index ranks.
    pub spearman: Option<f64>,
    /// Kendall's tau-b of the index ranks.
    pub kendall: Option<f64>,
    /// How many of A's top 10 are in B's top 10.
    pub top10_overlap: usize,
    /// How many moved more than 5 places.
    pub moved_more_than_5: usize,
    /// What differs between the rubrics, in words.
    pub changes: Vec<String>,
    /// The jurisdictions that moved most.
    pub biggest_movers: Vec<Mover>,
    /// The rubric changes whose effect alone could not be computed, with the reason (written
    /// only when there is one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_attributed: Vec<NotAttributed>,
}

/// A rubric change whose effect alone could not be computed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotAttributed {
    /// The change, in words.
    pub change: String,
    /// Why it could not be applied alone.
    pub reason: String,
}

/// The `status` counts of `score_deltas.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusCounts {
    /// Known on both sides, and different.
    pub changed: usize,
    /// Known on both sides, and the same.
    pub same: usize,
    /// Unknown in A, known in B.
    pub new: usize,
    /// Known in A, unknown in B.
    pub gone: usize,
    /// Unknown on both sides, or on one side only.
    pub unknown: usize,
}

/// A jurisdiction that moved between A and B.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mover {
    /// Its code.
    pub jurisdiction: String,
    /// Its name.
    pub name: String,
    /// Its rank in A.
    pub rank_a: Option<u32>,
    /// Its rank in B.
    pub rank_b: Option<u32>,
    /// Places moved up.
    pub shift: Option<i64>,
}

/// Any manifest, by the command that wrote it.
#[derive(Debug, Clone, PartialEq)]
pub enum Manifest {
    /// A folder written from one run.
    Run(Box<RunManifest>),
    /// A `compare` folder.
    Compare(Box<CompareManifest>),
}

impl Manifest {
    /// The command that wrote the folder.
    pub fn command(&self) -> &str {
        match self {
            Manifest::Run(m) => &m.command,
            Manifest::Compare(m) => &m.command,
        }
    }

    /// The table format the manifest records (none: CSV).
    pub fn format(&self) -> Option<&str> {
        match self {
            Manifest::Run(m) => m.format.as_deref(),
            Manifest::Compare(m) => m.format.as_deref(),
        }
    }

    /// The SHA-256 the manifest records for the folder's file `name`.
    pub fn sha256(&self, name: &str) -> Option<&str> {
        match self {
            Manifest::Run(m) => m.outputs.sha256(name),
            Manifest::Compare(m) => m.outputs.sha256(name),
        }
    }

    /// The accord that wrote the folder, if recorded.
    pub(crate) fn accord_version(&self) -> Option<&str> {
        let v = match self {
            Manifest::Run(m) => &m.accord_version,
            Manifest::Compare(m) => &m.accord_version,
        };
        Some(v.as_str()).filter(|v| !v.is_empty())
    }
}

/// The format a manifest's `format` names (`shown`: the manifest's path), refusing one this
/// accord does not write.
pub(crate) fn known_format(name: Option<&str>, shown: &str) -> Result<TableFormat, Problem> {
    TableFormat::of_name(name).ok_or_else(|| {
        Problem::new(format!(
            "`{shown}` records the table format `{}`, which this accord does not write",
            name.unwrap_or_default()
        ))
        .at(Location::file(shown).with_key("format"))
        .help("this accord writes `csv` and `parquet` tables")
    })
}

/// The bytes of a manifest: pretty JSON (two-space indent) and a final newline.
pub fn to_bytes<T: Serialize>(m: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(m).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Reads the manifest text of `shown` (a path, for messages): refuses invalid JSON, a manifest
/// without `command`, and one from a newer results schema.
pub fn parse(text: &str, shown: &str) -> Result<Manifest, Problem> {
    let json_error = |e: serde_json::Error| {
        Problem::new(format!("`{shown}` is not valid JSON: {e}")).at(Location::line_col(
            shown,
            e.line(),
            Some(e.column()),
        ))
    };
    #[derive(Deserialize)]
    struct Head {
        schema: Option<Json>,
        command: Option<Json>,
    }
    let head: Head = serde_json::from_str(text).map_err(json_error)?;
    let schema = match &head.schema {
        None => 1,
        Some(v) => v.as_u64().filter(|&n| n >= 1).ok_or_else(|| {
            Problem::new(format!(
                "`{shown}` has `schema` {v}, which is not a results schema number"
            ))
            .at(Location::file(shown).with_key("schema"))
            .help(format!(
                "a results folder's manifest holds a whole number from 1; this accord reads {SCHEMA}"
            ))
        })?,
    };
    if schema > u64::from(SCHEMA) {
        let folder = Path::new(shown)
            .parent()
            .map_or_else(|| shown.to_string(), |p| p.display().to_string());
        return Err(Problem::new(format!(
            "`{shown}` was written by a newer accord (results schema {schema}; this accord reads {SCHEMA}): its files may not mean what this accord would read into them"
        ))
        .at(Location::file(shown).with_key("schema"))
        .help(format!(
            "read `{folder}` with the accord that wrote it, or install a newer accord"
        )));
    }
    let command = match head.command {
        Some(Json::String(c)) => c,
        _ => {
            return Err(Problem::new(format!("`{shown}` has no `command`"))
                .at(Location::file(shown).with_key("command"))
                .help("the manifest of a results folder says which command wrote it"));
        }
    };
    let shape_error = |e: serde_json::Error| {
        Problem::new(format!(
            "`{shown}` is not a `{command}` manifest accord reads: {e}"
        ))
        .at(Location::line_col(shown, e.line(), Some(e.column())))
    };
    if command == "compare" {
        serde_json::from_str(text)
            .map(|m| Manifest::Compare(Box::new(m)))
            .map_err(shape_error)
    } else {
        serde_json::from_str(text)
            .map(|m| Manifest::Run(Box::new(m)))
            .map_err(shape_error)
    }
}

/// Reads `dir/manifest.json` (the manifest's text and the SHA-256 of its bytes).
pub fn read(dir: &Path) -> Result<(Manifest, String), Problem> {
    let path = dir.join("manifest.json");
    let shown = path.display().to_string();
    let bytes = crate::files::read_bytes(&path, "manifest", MAX_MANIFEST, None, None)?;
    let sha = sha256_hex(&bytes);
    let text = crate::files::decode_utf8(bytes, &shown)?;
    Ok((parse(&text, &shown)?, sha))
}

/// Reads the manifest of a folder that `command` wrote from one run.
pub fn read_run(dir: &Path, command: &str) -> Result<RunManifest, Problem> {
    let shown = dir.join("manifest.json").display().to_string();
    match read(dir)?.0 {
        Manifest::Run(m) if m.command == command => Ok(*m),
        other => Err(Problem::new(format!(
            "`{}` was not written by `{command}` (its manifest says \"{}\")",
            dir.display(),
            other.command()
        ))
        .at(Location::file(&shown))),
    }
}
