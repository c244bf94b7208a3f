//! The rubric's `[pipeline]` section: the method of each step, with COINr's names and parameters.

use serde::{Serialize, Serializer};

use crate::error::{Problem, Problems, did_you_mean};
use crate::rubric::named::settings_enum;
pub use crate::rubric::normalise::{NormaliseMethod, NormaliseSpec, Ties, default_normalise};
use crate::rubric::tree::{Kind, Reader, Table, Tv};

/// Every step's settings.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineSpec {
    /// Denominate: divide numeric criteria by their `denominator` column.
    #[serde(serialize_with = "denominate_method")]
    pub denominate: bool,
    /// Impute: what unknown criterion values become.
    pub impute: ImputeSpec,
    /// Screen: drop jurisdictions with too little data.
    pub screen: ScreenSpec,
    /// Treat: outlier treatment of numeric criteria.
    pub treat: TreatSpec,
    /// Normalise: bring numeric criteria onto a common scale.
    pub normalise: NormaliseSpec,
    /// Weights: where the weights come from.
    pub weights: WeightsSpec,
    /// Aggregate: how children combine into a node.
    pub aggregate: AggregateSpec,
    /// Rank: when scores tie.
    pub rank: RankSpec,
}

/// `denominate` as its table: `{ method = "divide" }` or `"none"`.
fn denominate_method<S: Serializer>(on: &bool, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Denominate {
        method: &'static str,
    }
    Denominate {
        method: if *on { "divide" } else { "none" },
    }
    .serialize(s)
}

/// Serialises a settings enum as its name in TOML.
macro_rules! serialize_by_name {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    )*};
}

serialize_by_name!(
    ImputeMethod,
    ScreenMethod,
    TreatMethod,
    NormaliseMethod,
    NaChild,
    AggregateMethod,
    Ties,
    WeightsMethod
);

/// `ties` of `[pipeline.rank]` as its name in TOML.
fn rank_ties_name<S: Serializer>(t: &RankTies, s: S) -> Result<S::Ok, S::Error> {
    let name = RANK_TIES
        .iter()
        .find(|(_, x)| x == t)
        .map_or("tolerance", |(n, _)| n);
    s.serialize_str(name)
}

/// Ranking of scores (`[pipeline.rank]`): descending, ties share the lowest rank.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RankSpec {
    /// Which scores tie.
    #[serde(serialize_with = "rank_ties_name")]
    pub ties: RankTies,
}

pub use crate::base::rank::RankTies;

/// The names of `[pipeline.rank] ties`.
const RANK_TIES: &[(&str, RankTies)] = &[
    ("tolerance", RankTies::Tolerance),
    ("exact", RankTies::Exact),
];

/// Imputation of unknown criterion values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImputeSpec {
    /// Method.
    pub method: ImputeMethod,
    /// Jurisdictions group column for the `_grp` methods.
    pub group: Option<String>,
}

settings_enum! {
    /// Imputation methods.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ImputeMethod {
        /// Leave unknown: excluded from aggregation, weights renormalised over what is known.
        None = "none",
        /// Count unknown as the worst value (the scale's lower end, or 0 for numeric criteria).
        Zero = "zero",
        /// Mean of the criterion over all jurisdictions (`i_mean`).
        Mean = "i_mean",
        /// Median (`i_median`).
        Median = "i_median",
        /// Mean within the jurisdiction's group (`i_mean_grp`).
        MeanGroup = "i_mean_grp",
        /// Median within the jurisdiction's group (`i_median_grp`).
        MedianGroup = "i_median_grp",
    }
}

/// Screening of jurisdictions by data availability (COINr's `Screen`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenSpec {
    /// Which flag excludes a jurisdiction.
    pub method: ScreenMethod,
    /// Minimum share of criteria with data (strict `<` excludes).
    pub dat_thresh: f64,
    /// Minimum share of non-zero values among known ones.
    pub nonzero_thresh: f64,
    /// Jurisdictions always kept.
    pub include: Vec<String>,
    /// Jurisdictions always dropped.
    pub exclude: Vec<String>,
}

settings_enum! {
    /// Screening methods (COINr's `unit_screen`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ScreenMethod {
        /// Keep everyone.
        None = "none",
        /// Drop jurisdictions with too little data.
        ByNa = "byNA",
        /// Drop jurisdictions with too many zeros.
        ByZeros = "byzeros",
        /// Both.
        ByNaAndZeros = "byNAandzeros",
    }
}

/// Outlier treatment (COINr's `Treat`).
///
/// Two checks with their own thresholds, as in COINr: the pass check (`f_pass_para`) decides
/// whether a criterion is treated and whether the fallback follows; winsorisation (`f1_para`)
/// stops pulling points in once its own check passes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatSpec {
    /// First treatment tried.
    pub method: TreatMethod,
    /// Most points winsorised.
    pub winmax: Option<u32>,
    /// |skew| threshold at which winsorisation stops.
    pub skew_thresh: f64,
    /// Kurtosis threshold at which winsorisation stops.
    pub kurt_thresh: f64,
    /// |skew| threshold of the pass check before and after each treatment.
    pub pass_skew_thresh: f64,
    /// Kurtosis threshold of the pass check.
    pub pass_kurt_thresh: f64,
    /// Winsorise even when the check passes, up to `winmax`. COINr ignores this for
    /// criteria that pass the check (its issue 53); accord does the same, so results agree.
    pub force_win: bool,
    /// Second treatment when the first does not pass the check.
    pub fallback: TreatMethod,
    /// Apply the fallback to the winsorised data instead of the original.
    pub combine: bool,
    /// Box-Cox lambda.
    pub lambda: f64,
}

settings_enum! {
    /// Treatment functions.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum TreatMethod {
        /// No treatment.
        None = "none",
        /// Iterative winsorisation.
        Winsorise = "winsorise",
        /// log(x - min + 0.01 (max - min)).
        LogCt = "log_CT",
        /// `log_CT`, mirrored for negative skew.
        LogCtPlus = "log_CT_plus",
        /// log(x - min + 1).
        LogCtOrig = "log_CT_orig",
        /// Box-Cox on x - min + 1.
        BoxCox = "boxcox",
    }
}

/// Where weights come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightsSpec {
    /// Method.
    pub method: WeightsMethod,
}

impl WeightsSpec {
    /// The method, when it derives the weights from the data by principal components (the
    /// rubric's weights are then not used).
    pub fn pca(&self) -> Option<WeightsMethod> {
        matches!(self.method, WeightsMethod::Pca | WeightsMethod::PcaSquared).then_some(self.method)
    }
}

settings_enum! {
    /// Weighting methods.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum WeightsMethod {
        /// The rubric's weights.
        Rubric = "rubric",
        /// Every child of a node weighs the same.
        Equal = "equal",
        /// The first principal component's loadings of each node's children (COINr's PCA weights),
        /// computed on the data being aggregated, signed so that they sum to a positive number.
        Pca = "pca",
        /// The squared loadings of the first principal component (always positive; the OECD/JRC
        /// handbook's weighting by factor analysis).
        PcaSquared = "pca_squared",
    }
}

/// Aggregation (COINr's `Aggregate`) and the coverage rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateSpec {
    /// Method.
    pub method: AggregateMethod,
    /// `a_genmean`'s power.
    pub p: Option<f64>,
    /// COINr's data-availability threshold: NA when the share of known children is below it.
    pub dat_thresh: Option<f64>,
    /// NA when the share of weight backed by evidence is below it.
    pub min_coverage: f64,
    /// What an NA child (a criterion without a value, a node below its minimum coverage) does.
    pub na_child: NaChild,
}

settings_enum! {
    /// What an NA child does to its parent's score (`na_child`). Its coverage is never counted.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum NaChild {
        /// Left out, and the weights of the other children renormalised over them.
        #[default]
        Exclude = "exclude",
        /// Counted as the scale's lower end.
        Zero = "zero",
        /// The parent is NA.
        Na = "na",
    }
}

settings_enum! {
    /// Aggregation methods.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum AggregateMethod {
        /// Weighted arithmetic mean.
        AMean = "a_amean",
        /// Weighted geometric mean (all values must be positive).
        GMean = "a_gmean",
        /// Weighted harmonic mean (all values must be non-zero).
        HMean = "a_hmean",
        /// Weighted generalised mean with power `p`.
        GenMean = "a_genmean",
        /// Weighted median.
        Median = "a_median",
        /// Copeland score from the weighted outranking matrix.
        Copeland = "a_copeland",
    }
}

impl AggregateMethod {
    /// Words for `explain`.
    pub fn describe(self) -> &'static str {
        match self {
            AggregateMethod::AMean => "weighted arithmetic mean",
            AggregateMethod::GMean => "weighted geometric mean",
            AggregateMethod::HMean => "weighted harmonic mean",
            AggregateMethod::GenMean => "weighted generalised mean",
            AggregateMethod::Median => "weighted median",
            AggregateMethod::Copeland => "Copeland score",
        }
    }
}

fn method_of<T: Copy>(
    r: &mut Reader<'_>,
    names: &[(&str, T)],
    default: T,
    p: &mut Problems,
) -> Option<T> {
    choice_of(r, "method", names, default, p)
}

/// One of a list of names at `key` (`default` when absent); `None` after reporting a problem.
fn choice_of<T: Copy>(
    r: &mut Reader<'_>,
    key: &'static str,
    names: &[(&str, T)],
    default: T,
    p: &mut Problems,
) -> Option<T> {
    let Some(tv) = r.get(key) else {
        return Some(default);
    };
    let Some(s) = tv.as_str() else {
        p.push(r.problem_at(
            tv,
            key,
            format!(
                "`{}.{key}` must be a string, found {}",
                r.path,
                tv.type_name()
            ),
        ));
        return None;
    };
    if let Some((_, m)) = names.iter().find(|(n, _)| *n == s) {
        return Some(*m);
    }
    let (what, list) = if key == "method" {
        ("method", "methods")
    } else {
        ("value", "values")
    };
    let all: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    let help = did_you_mean(s, all.iter().copied())
        .unwrap_or_else(|| format!("{list}: {}", all.join(", ")));
    p.push(
        r.problem_at(
            tv,
            key,
            format!("unknown {what} `{s}` in `{}.{key}`", r.path),
        )
        .help(help),
    );
    None
}

fn pair(r: &mut Reader<'_>, key: &'static str, p: &mut Problems) -> Option<[f64; 2]> {
    let v = r.f64_array(key, p)?;
    if v.len() != 2 {
        p.push(r.problem_at_key(key, format!("`{}.{key}` must hold two numbers", r.path)));
        return None;
    }
    Some([v[0], v[1]])
}

fn share(r: &mut Reader<'_>, key: &'static str, p: &mut Problems) -> Option<f64> {
    let v = r.f64(key, p)?;
    if !(0.0..=1.0).contains(&v) {
        p.push(r.problem_at_key(
            key,
            format!("`{}.{key}` must lie in [0, 1], found {v}", r.path),
        ));
        return None;
    }
    Some(v)
}

/// Reads a `[pipeline.impute]` table.
pub(crate) fn read_impute(r: &mut Reader<'_>, p: &mut Problems) -> ImputeSpec {
    let method =
        method_of(r, ImputeMethod::NAMES, ImputeMethod::None, p).unwrap_or(ImputeMethod::None);
    let group = r.str("group", p);
    if matches!(method, ImputeMethod::MeanGroup | ImputeMethod::MedianGroup) && group.is_none() {
        p.push(r.problem_here(format!(
            "`{}.method = \"{}\"` needs `group`, a group column of the jurisdictions file",
            r.path,
            method.name()
        )));
    }
    ImputeSpec { method, group }
}

/// Reads a `[pipeline.screen]` table.
pub(crate) fn read_screen(r: &mut Reader<'_>, p: &mut Problems) -> ScreenSpec {
    ScreenSpec {
        method: method_of(r, ScreenMethod::NAMES, ScreenMethod::None, p)
            .unwrap_or(ScreenMethod::None),
        dat_thresh: share(r, "dat_thresh", p).unwrap_or(2.0 / 3.0),
        nonzero_thresh: share(r, "nonzero_thresh", p).unwrap_or(0.05),
        include: r.str_list("include", p).unwrap_or_default(),
        exclude: r.str_list("exclude", p).unwrap_or_default(),
    }
}

/// The default treatment: none.
pub fn no_treatment() -> TreatSpec {
    TreatSpec {
        method: TreatMethod::None,
        winmax: Some(5),
        skew_thresh: 2.0,
        kurt_thresh: 3.5,
        pass_skew_thresh: 2.0,
        pass_kurt_thresh: 3.5,
        force_win: false,
        fallback: TreatMethod::None,
        combine: false,
        lambda: 1.0,
    }
}

/// Reads a `treat` table (pipeline-wide or a criterion's override).
pub(crate) fn read_treat(r: &mut Reader<'_>, base: &TreatSpec, p: &mut Problems) -> TreatSpec {
    let method = method_of(r, TreatMethod::NAMES, base.method, p).unwrap_or(base.method);
    let winmax = match r.int("winmax", p) {
        Some(w) if w < 0 => {
            p.push(r.problem_at_key(
                "winmax",
                format!("`{}.winmax` must not be negative", r.path),
            ));
            base.winmax
        }
        Some(w) => Some(u32::try_from(w).unwrap_or(u32::MAX)),
        None => base.winmax,
    };
    let fallback = match r.get("fallback") {
        None => {
            if method == TreatMethod::Winsorise && base.method != TreatMethod::Winsorise {
                TreatMethod::LogCt
            } else {
                base.fallback
            }
        }
        Some(tv) => match tv.as_str().and_then(TreatMethod::from_name) {
            Some(m) if m != TreatMethod::Winsorise => m,
            _ => {
                p.push(r.problem_at(tv, "fallback", format!(
                    "`{}.fallback` must be one of none, log_CT, log_CT_plus, log_CT_orig, boxcox", r.path
                )));
                base.fallback
            }
        },
    };
    TreatSpec {
        method,
        winmax,
        skew_thresh: r.f64("skew_thresh", p).unwrap_or(base.skew_thresh),
        kurt_thresh: r.f64("kurt_thresh", p).unwrap_or(base.kurt_thresh),
        pass_skew_thresh: r
            .f64("pass_skew_thresh", p)
            .unwrap_or(base.pass_skew_thresh),
        pass_kurt_thresh: r
            .f64("pass_kurt_thresh", p)
            .unwrap_or(base.pass_kurt_thresh),
        force_win: r.bool("force_win", p).unwrap_or(base.force_win),
        fallback,
        combine: r.bool("combine", p).unwrap_or(base.combine),
        lambda: r.f64("lambda", p).unwrap_or(base.lambda),
    }
}

/// Reads a `normalise` table (pipeline-wide or a criterion's override).
pub(crate) fn read_normalise(
    r: &mut Reader<'_>,
    base: &NormaliseSpec,
    p: &mut Problems,
) -> NormaliseSpec {
    let method = method_of(r, NormaliseMethod::NAMES, base.method, p).unwrap_or(base.method);
    // A new method starts from its own defaults, as COINr's global_specs replaces rather than merges.
    let base = if method == base.method {
        base.clone()
    } else {
        NormaliseSpec {
            method,
            ..default_normalise()
        }
    };
    let gposts = match r.f64_array("gposts", p) {
        Some(v) if v.len() == 3 => Some([v[0], v[1], v[2]]),
        Some(v) if v.len() == 2 => Some([v[0], v[1], 1.0]),
        Some(_) => {
            p.push(r.problem_at_key(
                "gposts",
                format!(
                    "`{}.gposts` must be [lower, upper] or [lower, upper, scale]",
                    r.path
                ),
            ));
            None
        }
        None => base.gposts,
    };
    let spec = NormaliseSpec {
        method,
        l_u: pair(r, "l_u", p).or(base.l_u),
        m_sd: pair(r, "m_sd", p).unwrap_or(base.m_sd),
        npara: pair(r, "npara", p).unwrap_or(base.npara),
        scale_factor: r.f64("scale_factor", p).unwrap_or(base.scale_factor),
        iref: r.str("iref", p).or(base.iref),
        cap_max: r.bool("cap_max", p).unwrap_or(base.cap_max),
        gposts,
        trunc2posts: r.bool("trunc2posts", p).unwrap_or(base.trunc2posts),
        ties: match r.str("ties", p) {
            None => base.ties,
            Some(name) => Ties::from_name(&name).unwrap_or_else(|| {
                p.push(r.problem_at_key(
                    "ties",
                    format!("`{}.ties` = `{name}`: expected `min` or `average`", r.path),
                ));
                base.ties
            }),
        },
    };
    if let Some([l, u]) = spec.l_u
        && l >= u
    {
        p.push(r.problem_here(format!(
            "`{}.l_u`: lower bound {l} must be below upper bound {u}",
            r.path
        )));
    }
    if spec.method == NormaliseMethod::Dist2Ref && spec.iref.is_none() {
        p.push(r.problem_here(format!(
            "`{}.method = \"n_dist2ref\"` needs `iref`, the reference jurisdiction's code",
            r.path
        )));
    }
    if spec.method == NormaliseMethod::Goalposts && spec.gposts.is_none() {
        p.push(r.problem_here(format!(
            "`{}.method = \"n_goalposts\"` needs `gposts = [lower, upper, scale]`",
            r.path
        )));
    }
    spec
}

/// The default aggregation: weighted arithmetic mean, no coverage floor.
pub(crate) fn default_aggregate() -> AggregateSpec {
    AggregateSpec {
        method: AggregateMethod::AMean,
        p: None,
        dat_thresh: None,
        min_coverage: 0.0,
        na_child: NaChild::Exclude,
    }
}

/// Reads `na_child` (`exclude`, `zero` or `na`).
fn read_na_child(r: &mut Reader<'_>, p: &mut Problems) -> Option<NaChild> {
    let tv = r.get("na_child")?;
    let names: Vec<&str> = NaChild::NAMES.iter().map(|(n, _)| *n).collect();
    match tv.as_str().and_then(NaChild::from_name) {
        Some(m) => Some(m),
        None => {
            let found = tv
                .as_str()
                .map_or_else(|| tv.type_name().to_string(), |s| format!("`{s}`"));
            let help = tv
                .as_str()
                .and_then(|s| did_you_mean(s, names.iter().copied()))
                .unwrap_or_else(|| format!("one of: {}", names.join(", ")));
            p.push(
                r.problem_at(
                    tv,
                    "na_child",
                    format!(
                        "`{}.na_child` must be one of exclude, zero, na; found {found}",
                        r.path
                    ),
                )
                .help(help),
            );
            None
        }
    }
}

/// Reads an `aggregate` table or method name (pipeline-wide or a node's override).
pub(crate) fn read_aggregate(
    tv: &Tv,
    path: &str,
    base: &AggregateSpec,
    p: &mut Problems,
) -> Option<AggregateSpec> {
    let table;
    let (t, at) = match &tv.kind {
        Kind::Table(t) => (t, &tv.at),
        Kind::Str(_) => {
            table = Table {
                entries: vec![crate::rubric::tree::Entry {
                    key: "method".to_string(),
                    key_at: tv.at.clone(),
                    value: tv.clone(),
                }],
            };
            (&table, &tv.at)
        }
        _ => {
            p.push(
                Problem::new(format!(
                    "`{path}` must be a method name or a table, found {}",
                    tv.type_name()
                ))
                .at(tv.at.location().with_key(path.to_string())),
            );
            return None;
        }
    };
    let mut r = Reader::new(t, path, at);
    let before = p.len();
    let method = method_of(&mut r, AggregateMethod::NAMES, base.method, p).unwrap_or(base.method);
    let spec = AggregateSpec {
        method,
        p: r.f64("p", p).or(base.p),
        dat_thresh: share(&mut r, "dat_thresh", p).or(base.dat_thresh),
        min_coverage: share(&mut r, "min_coverage", p).unwrap_or(base.min_coverage),
        na_child: read_na_child(&mut r, p).unwrap_or(base.na_child),
    };
    if spec.method == AggregateMethod::GenMean {
        match spec.p {
            None => p.push(r.problem_here(format!("`{path}`: `a_genmean` needs a power `p`"))),
            Some(0.0) => p.push(r.problem_here(format!(
                "`{path}`: `a_genmean` with p = 0 is the geometric mean; use `a_gmean`"
            ))),
            _ => {}
        }
    }
    r.finish(p);
    (p.len() == before).then_some(spec)
}

/// Reads the whole `[pipeline]` table.
pub(crate) fn read_pipeline(
    table: Option<(&Table, &crate::rubric::tree::Origin)>,
    root_at: &crate::rubric::tree::Origin,
    p: &mut Problems,
) -> PipelineSpec {
    let empty = Table::default();
    let (t, at) = table.unwrap_or((&empty, root_at));
    let mut r = Reader::new(t, "pipeline", at);

    let sub = |r: &mut Reader<'_>,
               key: &'static str,
               p: &mut Problems|
     -> Option<(Table, crate::rubric::tree::Origin)> {
        r.table(key, p).map(|(t, o)| (t.clone(), o.clone()))
    };

    let denominate = match sub(&mut r, "denominate", p) {
        Some((t, o)) => {
            let mut dr = Reader::new(&t, "pipeline.denominate", &o);
            let m =
                method_of(&mut dr, &[("none", false), ("divide", true)], true, p).unwrap_or(true);
            dr.finish(p);
            m
        }
        None => true,
    };
    let impute = match sub(&mut r, "impute", p) {
        Some((t, o)) => {
            let mut ir = Reader::new(&t, "pipeline.impute", &o);
            let s = read_impute(&mut ir, p);
            ir.finish(p);
            s
        }
        None => ImputeSpec {
            method: ImputeMethod::None,
            group: None,
        },
    };
    let screen = match sub(&mut r, "screen", p) {
        Some((t, o)) => {
            let mut sr = Reader::new(&t, "pipeline.screen", &o);
            let s = read_screen(&mut sr, p);
            sr.finish(p);
            s
        }
        None => ScreenSpec {
            method: ScreenMethod::None,
            dat_thresh: 2.0 / 3.0,
            nonzero_thresh: 0.05,
            include: vec![],
            exclude: vec![],
        },
    };
    let treat = match sub(&mut r, "treat", p) {
        Some((t, o)) => {
            let mut tr = Reader::new(&t, "pipeline.treat", &o);
            let s = read_treat(&mut tr, &no_treatment(), p);
            tr.finish(p);
            s
        }
        None => no_treatment(),
    };
    let normalise = match sub(&mut r, "normalise", p) {
        Some((t, o)) => {
            let mut nr = Reader::new(&t, "pipeline.normalise", &o);
            let s = read_normalise(&mut nr, &default_normalise(), p);
            nr.finish(p);
            s
        }
        None => default_normalise(),
    };
    let weights = match sub(&mut r, "weights", p) {
        Some((t, o)) => {
            let mut wr = Reader::new(&t, "pipeline.weights", &o);
            let m = method_of(&mut wr, WeightsMethod::NAMES, WeightsMethod::Rubric, p)
                .unwrap_or(WeightsMethod::Rubric);
            wr.finish(p);
            WeightsSpec { method: m }
        }
        None => WeightsSpec {
            method: WeightsMethod::Rubric,
        },
    };
    let aggregate = match r.get("aggregate") {
        Some(tv) => read_aggregate(tv, "pipeline.aggregate", &default_aggregate(), p)
            .unwrap_or_else(default_aggregate),
        None => default_aggregate(),
    };
    let rank = match sub(&mut r, "rank", p) {
        Some((t, o)) => {
            let mut rr = Reader::new(&t, "pipeline.rank", &o);
            let ties =
                choice_of(&mut rr, "ties", RANK_TIES, RankTies::default(), p).unwrap_or_default();
            rr.finish(p);
            RankSpec { ties }
        }
        None => RankSpec::default(),
    };
    r.finish(p);
    PipelineSpec {
        denominate,
        impute,
        screen,
        treat,
        normalise,
        weights,
        aggregate,
        rank,
    }
}
