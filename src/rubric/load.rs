//! Loading a rubric: files, `extends`, `--set`, then validation that collects every problem.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::tree::{self, Kind, Origin, Table, Tv};
use super::validate::validate;
use super::{Provenance, Rubric};
use crate::error::{InputError, Location, Problem, Problems, SourceText};
use crate::files::{read_text, sha256_hex};
use crate::limits::Limits;

/// Deepest tree accepted: levels below the index. Real rubrics have a few; the bound keeps every
/// walk over the tree short.
pub const MAX_DEPTH: usize = 64;

/// Options for loading a rubric.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--set KEY=VALUE` overrides, applied after `extends`.
    pub overrides: Vec<String>,
    /// Let `extends` reach files outside the rubric's folder.
    pub allow_extends_outside: bool,
    /// Criteria (by id) left out of every score, as `--only-coded` chose them.
    pub leave_out: Vec<String>,
    /// Limits on the rubric: its size, nesting, `extends` chain, criteria and expressions.
    pub limits: Limits,
}

/// Loads and validates the rubric at `path`.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Rubric, InputError> {
    let mut files = Vec::new();
    let mut chain = Vec::new();
    let tree = read_with_bases(path, None, options, &mut files, &mut chain)?;
    Source::new(tree, files, options).validate(&[], &[])
}

/// Loads and validates a rubric from text (for tests and embedded rubrics); `extends` is refused.
pub fn load_str(name: &str, text: &str, options: &LoadOptions) -> Result<Rubric, InputError> {
    let source = SourceText::new(name, text);
    let mut tree =
        tree::parse(&source, &options.limits).map_err(|problems| InputError { problems })?;
    if let Some(tv) = tree
        .get("rubric")
        .and_then(Tv::as_table)
        .and_then(|t| t.get("extends"))
    {
        return Err(InputError::one(
            Problem::new("`rubric.extends` needs a rubric read from a file")
                .at(tv.at.location().with_key("rubric.extends")),
        ));
    }
    strip_extends(&mut tree);
    Source::new(
        tree,
        vec![(name.to_string(), sha256_hex(text.as_bytes()))],
        options,
    )
    .validate(&[], &[])
}

/// A rubric as read from its files, its `extends` bases merged in, before any `--set` and
/// validation: what a rubric is validated again from, in memory, for a variant of it (a
/// sensitivity alternative, a compare attribution), so that no file is read twice and a variant
/// sees the same text the run saw.
#[derive(Debug)]
pub struct Source {
    tree: Table,
    files: Vec<(String, String)>,
    options: LoadOptions,
}

impl Source {
    fn new(tree: Table, files: Vec<(String, String)>, options: &LoadOptions) -> Arc<Source> {
        Arc::new(Source {
            tree,
            files,
            options: options.clone(),
        })
    }

    /// Validates the rubric with the load's `--set` overrides followed by `extra` ones, leaving
    /// out the load's criteria and those of `leave_out` (ids that name no criterion are ignored).
    pub(crate) fn validate(
        self: &Arc<Source>,
        extra: &[String],
        leave_out: &[String],
    ) -> Result<Rubric, InputError> {
        let mut options = self.options.clone();
        options.overrides.extend(extra.iter().cloned());
        options.leave_out.extend(leave_out.iter().cloned());
        let mut rubric = finish(self.tree.clone(), self.files.clone(), &options)?;
        rubric.provenance.source = Some(Arc::clone(self));
        Ok(rubric)
    }
}

fn read_with_bases(
    path: &Path,
    from: Option<&Tv>,
    options: &LoadOptions,
    files: &mut Vec<(String, String)>,
    chain: &mut Vec<PathBuf>,
) -> Result<Table, InputError> {
    let shown = path.display().to_string();
    let text = if crate::builtin::is_builtin(&shown) {
        let bytes = crate::builtin::file(&shown).ok_or_else(|| {
            Problem::new(format!("`{shown}` is not a rubric built into accord")).at(from
                .map_or_else(
                    || Location::file(&shown),
                    |tv| tv.at.location().with_key("rubric.extends"),
                ))
        })?;
        crate::files::decode_utf8(bytes.to_vec(), &shown)?
    } else {
        read_text(
            path,
            "rubric",
            options.limits.rubric_bytes,
            from.map(|tv| tv.at.location().with_key("rubric.extends")),
        )?
    };
    files.push((shown.clone(), sha256_hex(text.as_bytes())));
    let source = SourceText::new(shown, text);
    let mut tree =
        tree::parse(&source, &options.limits).map_err(|problems| InputError { problems })?;
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    chain.push(canonical.clone());

    let extends = tree
        .get("rubric")
        .and_then(Tv::as_table)
        .and_then(|t| t.get("extends"))
        .cloned();
    strip_extends(&mut tree);
    let Some(ext) = extends else {
        chain.pop();
        return Ok(tree);
    };
    let Some(rel) = ext.as_str() else {
        return Err(InputError::one(
            Problem::new(format!(
                "`rubric.extends` must be a file name, found {}",
                ext.type_name()
            ))
            .at(ext.at.location().with_key("rubric.extends")),
        ));
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let base_path = dir.join(rel);
    let base_canonical = base_path
        .canonicalize()
        .unwrap_or_else(|_| base_path.clone());
    if !options.allow_extends_outside {
        let dir_canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if base_path.exists() && !base_canonical.starts_with(&dir_canonical) {
            return Err(InputError::one(
                Problem::new(format!("`rubric.extends` = `{rel}` points outside the rubric's folder"))
                    .at(ext.at.location().with_key("rubric.extends"))
                    .help("keep a rubric and its bases in one folder, or pass --allow-extends-outside if you trust the base"),
            ));
        }
    }
    if chain.contains(&base_canonical) {
        return Err(InputError::one(
            Problem::new(format!("`rubric.extends` = `{rel}` makes a cycle: a rubric cannot extend itself, directly or through others"))
                .at(ext.at.location().with_key("rubric.extends"))
                .help(format!(
                    "the chain: {} -> {}",
                    chain.iter().map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())).collect::<Vec<_>>().join(" -> "),
                    base_canonical.file_name().map_or_else(|| rel.to_string(), |n| n.to_string_lossy().into_owned())
                )),
        ));
    }
    if chain.len() >= options.limits.extends {
        return Err(InputError::one(
            Problem::new(format!(
                "`rubric.extends` chains more than {} rubrics",
                options.limits.extends
            ))
            .at(ext.at.location().with_key("rubric.extends")),
        ));
    }
    let mut base = read_with_bases(&base_path, Some(&ext), options, files, chain)?;
    chain.pop();
    tree::merge(&mut base, tree);
    Ok(base)
}

fn strip_extends(tree: &mut Table) {
    if let Some(Tv {
        kind: Kind::Table(t),
        ..
    }) = tree.get_mut("rubric")
    {
        t.remove("extends");
    }
}

fn finish(
    mut tree: Table,
    files: Vec<(String, String)>,
    options: &LoadOptions,
) -> Result<Rubric, InputError> {
    let mut problems = Problems::new();
    let mut applied = Vec::new();
    // `--set criterion.<id>.remove=true` (or `node.<id>.remove`) leaves the element out of every
    // score, as `--only-coded` does: removing it would make its evidence unknown fields.
    let mut removed: Vec<(&str, String)> = Vec::new();
    for (i, set) in options.overrides.iter().enumerate() {
        let key = set.split_once('=').map_or("", |(k, _)| k.trim());
        let parts: Vec<&str> = key.split('.').collect();
        if key == "rubric.extends" {
            let source = SourceText::new(format!("--set #{}", i + 1), set.clone());
            problems.push(
                Problem::new("`--set rubric.extends` cannot change what a rubric extends: its bases are read before any override")
                    .at(Location::span(&source, 0, key.len()).with_key(key))
                    .help("write `extends` in the rubric file, or pass the other rubric with --rubric"),
            );
            continue;
        }
        match tree::set(&mut tree, set, i, &options.limits) {
            Ok(s) => applied.push(s),
            Err(p) => {
                problems.push(p);
                continue;
            }
        }
        if let [kind @ ("criterion" | "node"), id, "remove"] = parts.as_slice() {
            let value = tree
                .get(kind)
                .and_then(|tv| match &tv.kind {
                    Kind::Array(items) => items.iter().find(|e| {
                        e.as_table().and_then(|t| t.get("id")).and_then(Tv::as_str) == Some(*id)
                    }),
                    _ => None,
                })
                .and_then(Tv::as_table)
                .and_then(|t| t.get("remove"));
            match value.map(|v| &v.kind) {
                Some(Kind::Bool(true)) => removed.push((kind, id.to_string())),
                Some(Kind::Bool(false)) => {}
                _ => {
                    let source = SourceText::new(format!("--set #{}", i + 1), set.clone());
                    problems.push(
                        Problem::new(format!("`{key}` must be true or false")).at(Location::span(
                            &source,
                            0,
                            set.len(),
                        )
                        .with_key(key)),
                    );
                }
            }
        }
    }
    problems.check()?;
    let effective = Tv {
        kind: Kind::Table(tree.clone()),
        at: Origin {
            source: SourceText::new(
                files.first().map(|f| f.0.clone()).unwrap_or_default(),
                String::new(),
            ),
            span: (0, 0),
        },
    }
    .to_json();
    let mut rubric = validate(
        &tree,
        files.first().map(|f| f.0.as_str()).unwrap_or("rubric"),
        &options.limits,
        &mut problems,
    );
    if let Some(r) = rubric.as_mut() {
        r.provenance = Provenance {
            files,
            overrides: applied,
            effective,
            left_out: Vec::new(),
            source: None,
        };
    }
    problems.finish(())?;
    let mut rubric =
        rubric.ok_or_else(|| InputError::one(Problem::new("the rubric could not be read")))?;
    let mut ids: Vec<usize> = options
        .leave_out
        .iter()
        .filter_map(|id| rubric.criterion_index(id))
        .collect();
    for (kind, id) in &removed {
        let under = |mut n: Option<usize>| {
            while let Some(k) = n {
                if rubric.nodes[k].id == *id {
                    return true;
                }
                n = rubric.nodes[k].parent;
            }
            false
        };
        ids.extend((0..rubric.criteria.len()).filter(|&c| match *kind {
            "criterion" => rubric.criteria[c].id == *id,
            _ => under(Some(rubric.criteria[c].parent)),
        }));
    }
    if !removed.is_empty() && (0..rubric.criteria.len()).all(|c| ids.contains(&c)) {
        return Err(InputError::one(
            Problem::new("`--set ... remove=true` leaves no criterion to score")
                .help("remove fewer criteria or nodes"),
        ));
    }
    if !options.leave_out.is_empty() || !ids.is_empty() {
        ids.sort_unstable();
        ids.dedup();
        rubric.leave_out(&ids);
    }
    Ok(rubric)
}
