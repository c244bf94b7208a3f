//! The `[rubric]` table: id, version, title, scale, levels, grid facet and horizon.

use super::check_id;
use crate::error::{Location, Problem, Problems};
use crate::rubric::tree::{Origin, Reader, Table, Tv};
use crate::rubric::{Horizon, Meta};

/// The rubric's metadata and its `grid` key (a facet name, resolved once facets are known).
pub(super) type MetaAndGrid = (Meta, Option<(String, Tv)>);

/// Reads `[rubric]`, with a problem when it is missing; `None` when it has any problem.
pub(super) fn read_rubric_table(
    top: &mut Reader<'_>,
    root: &Table,
    file: &str,
    p: &mut Problems,
) -> Option<MetaAndGrid> {
    match top.table("rubric", p) {
        None => {
            if root.get("rubric").is_none() {
                p.push(
                    Problem::new("missing the `[rubric]` table (id, version, title, scale)")
                        .at(Location::file(file)),
                );
            }
            None
        }
        Some((t, at)) => read_meta(t, at, p),
    }
}

/// Reads the keys of `[rubric]`.
fn read_meta(t: &Table, at: &Origin, p: &mut Problems) -> Option<MetaAndGrid> {
    let mut r = Reader::new(t, "rubric", at);
    let before = p.len();
    let id = r.req_str("id", p).unwrap_or_default();
    if !id.is_empty() {
        let tv = r.get("id");
        check_id(&r, &id, p, tv);
    }
    let version = r.req_str("version", p).unwrap_or_default();
    if !version.is_empty() && !is_semver(&version) {
        p.push(
            r.problem_at_key(
                "version",
                format!("`rubric.version` = `{version}` is not a semantic version"),
            )
            .help("write MAJOR.MINOR.PATCH, e.g. 1.0.0"),
        );
    }
    let title = r.req_str("title", p).unwrap_or_default();
    let scale = match r.f64_array("scale", p) {
        None => [0.0, 100.0],
        Some(v) if v.len() == 2 && v[0] < v[1] => [v[0], v[1]],
        Some(_) => {
            p.push(r.problem_at_key(
                "scale",
                "`rubric.scale` must be [lower, upper] with lower < upper",
            ));
            [0.0, 100.0]
        }
    };
    let text_source = r.str("text_source", p);
    let description = r.str("description", p);
    let levels = r
        .str_list("levels", p)
        .unwrap_or_else(|| vec!["index".into(), "principle".into()]);
    let grid = r.get("grid").and_then(|tv| match tv.as_str() {
        Some(s) => Some((s.to_string(), tv.clone())),
        None => {
            p.push(r.problem_at(tv, "grid", "`rubric.grid` must name a facet"));
            None
        }
    });
    let horizon = read_horizon(&mut r, p).flatten();
    r.allow(&["extends", "source", "license", "authors"]);
    r.finish(p);
    (p.len() == before).then_some((
        Meta {
            id,
            version,
            title,
            scale,
            text_source,
            description,
            levels,
            horizon,
        },
        grid,
    ))
}

/// Reads a `horizon` key: `None` when absent, `Some(None)` for `"none"` (no horizon, overriding
/// an inherited one), `Some(Some(h))` for a length of time.
pub(super) fn read_horizon(r: &mut Reader<'_>, p: &mut Problems) -> Option<Option<Horizon>> {
    let tv = r.get("horizon")?;
    let Some(text) = tv.as_str() else {
        p.push(r.problem_at(
            tv,
            "horizon",
            format!(
                "`{}.horizon` must be a string such as \"10 years\", found {}",
                r.path,
                tv.type_name()
            ),
        ));
        return None;
    };
    if text.trim().eq_ignore_ascii_case("none") {
        return Some(None);
    }
    match Horizon::parse(text) {
        Ok(h) => Some(Some(h)),
        Err(why) => {
            p.push(
                r.problem_at(tv, "horizon", format!("`{}.horizon`: {why}", r.path))
                    .help("write a length in years, months, weeks or days, e.g. horizon = \"10 years\", or \"none\""),
            );
            None
        }
    }
}

/// True for `MAJOR.MINOR.PATCH`, with an optional pre-release or build suffix.
fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}
#[cfg(test)]
mod tests {
    use super::is_semver;

    #[test]
    fn versions_are_three_numbers_with_optional_suffixes() {
        assert!(is_semver("1.0.0"));
        assert!(is_semver("2.10.3-rc.1+build.5"));
        assert!(!is_semver("1.0"));
        assert!(!is_semver("1.0.x"));
        assert!(!is_semver("1..0"));
        assert!(!is_semver("v1.0.0"));
    }
}
