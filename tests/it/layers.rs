//! The library's layers, read from the table in the README's Development section: no module
//! imports a module of a higher layer, and no two modules or files import each other in a cycle.
//! Imports are the `crate::...` paths of the library's source files (comments left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::root;

/// One layer of the README's table: its name and its top-level modules, lowest layer first.
struct Layer {
    name: String,
    modules: Vec<String>,
}

/// The README's layer table: the rows after the `| layer | modules |` header in the Development
/// section, the modules being the identifiers written in backticks in the second column.
fn layer_table() -> Vec<Layer> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let development = readme
        .split("\n## Development")
        .nth(1)
        .expect("the README has a Development section");
    let mut lines = development
        .lines()
        .skip_while(|l| !l.starts_with("| layer | modules |"))
        .skip(2);
    let mut layers = Vec::new();
    for line in lines.by_ref().take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let modules = cells[2]
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|m| m.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(str::to_string)
            .collect();
        layers.push(Layer {
            name: cells[1].to_string(),
            modules,
        });
    }
    assert!(
        layers.len() >= 2,
        "no layer table found in the README's Development section"
    );
    layers
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library's source files (the binary's `src/main.rs` and `src/cli/` are not the library's)
/// with their paths relative to `src/`.
fn library_files() -> Vec<(String, String)> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .filter(|(rel, _)| !is_binary(rel))
        .collect()
}

/// True for the files of the binary.
fn is_binary(rel: &str) -> bool {
    rel == "main.rs" || rel.starts_with("cli/")
}

/// The source without comments: line comments and doc comments are dropped, string contents
/// are kept (no import path is written inside a string).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path named after `crate::` in `code`, as its segments (`crate::a::{b::c, d}` gives
/// `[a, b, c]` and `[a, d]`).
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        // `accord::crate::` does not occur; a preceding identifier character means another name.
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        tree_paths(rest, Vec::new(), &mut out);
    }
    out
}

/// The paths of a use tree starting at `s`, each prefixed with `prefix`.
fn tree_paths(s: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let s = s.trim_start();
    if let Some(inner) = s.strip_prefix('{') {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    tree_paths(&inner[start..i], prefix.clone(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    tree_paths(&inner[start..i], prefix.clone(), out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    if end == 0 {
        if !prefix.is_empty() {
            out.push(prefix);
        }
        return;
    }
    let mut path = prefix;
    path.push(s[..end].to_string());
    match s[end..].strip_prefix("::") {
        Some(more) => tree_paths(more, path, out),
        None => out.push(path),
    }
}

/// The top-level module of a file (`pipeline/treat.rs` is in `pipeline`).
fn module_of(rel: &str) -> String {
    let first = rel.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first).to_string()
}

/// The file a `crate::` path leads to: the deepest module file its segments name
/// (`[pipeline, screen, Availability]` is `pipeline/screen.rs`).
fn file_of(path: &[String], files: &BTreeSet<String>) -> Option<String> {
    let mut found = None;
    let mut dir = String::new();
    for segment in path {
        let file = format!("{dir}{segment}.rs");
        let module = format!("{dir}{segment}/mod.rs");
        if files.contains(&file) {
            found = Some(file);
        } else if files.contains(&module) {
            found = Some(module);
        } else {
            break;
        }
        dir = format!("{dir}{segment}/");
    }
    found
}

/// A cycle in a directed graph, if there is one, as its nodes in order.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str()) {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, edges, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

/// The top-level modules `lib.rs` declares.
fn declared_modules(lib: &str) -> BTreeSet<String> {
    code_of(lib)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(str::to_string)
        })
        .collect()
}

/// The import violations of a set of files against a layer table: an import of a higher layer,
/// or of a module no layer lists.
fn violations(layers: &[Layer], files: &[(String, String)]) -> Vec<String> {
    let layer_of: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.modules.iter().map(move |m| (m.as_str(), i)))
        .collect();
    let mut found = Vec::new();
    for (rel, text) in files {
        if rel == "lib.rs" {
            continue;
        }
        let from = module_of(rel);
        let Some(&from_layer) = layer_of.get(from.as_str()) else {
            found.push(format!("src/{rel}: module `{from}` is in no layer"));
            continue;
        };
        for path in crate_paths(&code_of(text)) {
            let to = &path[0];
            match layer_of.get(to.as_str()) {
                None => found.push(format!(
                    "src/{rel}: `crate::{}` names no module of a layer",
                    path.join("::")
                )),
                Some(&to_layer) if to_layer > from_layer => found.push(format!(
                    "src/{rel} ({}) imports `crate::{}` ({})",
                    layers[from_layer].name,
                    path.join("::"),
                    layers[to_layer].name
                )),
                Some(_) => {}
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The import graph of the files, between top-level modules and between files.
fn graphs(
    files: &[(String, String)],
) -> (
    BTreeMap<String, BTreeSet<String>>,
    BTreeMap<String, BTreeSet<String>>,
) {
    let names: BTreeSet<String> = files.iter().map(|(r, _)| r.clone()).collect();
    let mut modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files {
        if rel == "lib.rs" {
            continue;
        }
        let from = module_of(rel);
        for path in crate_paths(&code_of(text)) {
            if path[0] != from {
                modules
                    .entry(from.clone())
                    .or_default()
                    .insert(path[0].clone());
            }
            if let Some(to) = file_of(&path, &names)
                && to != *rel
            {
                by_file.entry(rel.clone()).or_default().insert(to);
            }
        }
    }
    (modules, by_file)
}

#[test]
fn no_module_imports_a_higher_layer() {
    let layers = layer_table();
    let files = library_files();
    let found = violations(&layers, &files);
    assert!(
        found.is_empty(),
        "imports against the README's layer table:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_module_of_the_library_is_in_one_layer() {
    let layers = layer_table();
    let listed: Vec<&String> = layers.iter().flat_map(|l| &l.modules).collect();
    let unique: BTreeSet<&String> = listed.iter().copied().collect();
    assert_eq!(listed.len(), unique.len(), "a module is in two layers");
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let declared = declared_modules(&lib);
    let listed: BTreeSet<String> = unique.into_iter().cloned().collect();
    let missing: Vec<&String> = declared.difference(&listed).collect();
    assert!(missing.is_empty(), "modules in no layer: {missing:?}");
    let gone: Vec<&String> = listed
        .difference(&declared)
        .filter(|m| m.as_str() != "cli")
        .collect();
    assert!(
        gone.is_empty(),
        "layers list modules lib.rs does not declare: {gone:?}"
    );
}

#[test]
fn no_cycle_between_modules_or_files() {
    let (modules, files) = graphs(&library_files());
    assert_eq!(find_cycle(&modules), None, "modules import each other");
    assert_eq!(find_cycle(&files), None, "files import each other");
}

/// True when `code` names the crate `name` (`name::...` or `use name`), not as part of a longer
/// name.
fn names_crate(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = &code[i + name.len()..];
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && (after.starts_with("::")
                || (code[..i].trim_end().ends_with("use") && !after.starts_with('_')))
    })
}

#[test]
fn only_the_binary_uses_the_command_line_crates() {
    for (rel, text) in library_files() {
        let code = code_of(&text);
        for name in ["clap", "indicatif"] {
            assert!(
                !names_crate(&code, name),
                "src/{rel} uses `{name}`: the command line and its progress bar live in the binary (src/main.rs, src/cli/)"
            );
        }
    }
    // And the package builds the library without them: they are optional, and only the `cli`
    // feature (on by default, required by the binary) turns them on.
    let manifest: toml::Table = std::fs::read_to_string(crate::common::root().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    for name in ["clap", "indicatif"] {
        let dep = &manifest["dependencies"][name];
        assert_eq!(
            dep.get("optional").and_then(toml::Value::as_bool),
            Some(true),
            "Cargo.toml: `{name}` must be optional"
        );
        for (feature, turns_on) in manifest["features"].as_table().unwrap() {
            let on = turns_on
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v.as_str() == Some(&format!("dep:{name}")));
            assert_eq!(
                on,
                feature == "cli",
                "Cargo.toml: feature `{feature}` and `{name}`"
            );
        }
    }
    let bin = manifest["bin"].as_array().unwrap();
    assert!(bin.iter().all(|b| {
        b["required-features"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x.as_str() == Some("cli")))
    }));
    assert!(names_crate("#[derive(clap::ValueEnum)]", "clap"));
    assert!(names_crate("use indicatif;", "indicatif"));
    assert!(!names_crate(
        &code_of("// clap::Parser\nlet clapper = 1;"),
        "clap"
    ));
}

// The checks themselves, on made-up sources, so that a check that cannot fail is caught.

fn layers_of(rows: &[(&str, &[&str])]) -> Vec<Layer> {
    rows.iter()
        .map(|(n, m)| Layer {
            name: n.to_string(),
            modules: m.iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

#[test]
fn an_import_of_a_higher_layer_is_found() {
    let layers = layers_of(&[("base", &["base"]), ("pipeline", &["pipeline"])]);
    let files = vec![
        (
            "base/frame.rs".to_string(),
            "// crate::pipeline in a comment is no import\nuse crate::{base::rank, pipeline::Params};\n"
                .to_string(),
        ),
        (
            "pipeline/mod.rs".to_string(),
            "use crate::base::frame::Frame;\nfn f() { crate::unknown::g() }\n".to_string(),
        ),
    ];
    assert_eq!(
        violations(&layers, &files),
        vec![
            "src/base/frame.rs (base) imports `crate::pipeline::Params` (pipeline)".to_string(),
            "src/pipeline/mod.rs: `crate::unknown::g` names no module of a layer".to_string(),
        ]
    );
}

#[test]
fn a_cycle_between_files_is_found() {
    let files = vec![
        (
            "pipeline/mod.rs".to_string(),
            "use crate::pipeline::results::Results;".to_string(),
        ),
        (
            "pipeline/results.rs".to_string(),
            "use crate::rules::X;".to_string(),
        ),
        (
            "rules.rs".to_string(),
            "use crate::pipeline::Frame;".to_string(),
        ),
    ];
    let (modules, by_file) = graphs(&files);
    assert_eq!(
        find_cycle(&modules),
        Some(vec![
            "pipeline".to_string(),
            "rules".to_string(),
            "pipeline".to_string()
        ])
    );
    assert_eq!(
        find_cycle(&by_file),
        Some(vec![
            "pipeline/mod.rs".to_string(),
            "pipeline/results.rs".to_string(),
            "rules.rs".to_string(),
            "pipeline/mod.rs".to_string()
        ])
    );
}
