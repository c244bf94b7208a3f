//! Builds the shipped default into the binary: every file of `rubrics/` and of `data/` (not its
//! subfolders: the fictional demo stays outside), so that an installed `accord` scores the
//! default from any folder.

#![allow(
    clippy::expect_used,
    reason = "cargo sets the variables read, and a build that cannot write its output stops there"
)]

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&root);
    let mut out = String::from(
        "/// The shipped files built into the binary: (path relative to the repository, bytes).\n\
         pub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for dir in ["rubrics", "data"] {
        println!("cargo:rerun-if-changed={dir}");
        let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".toml") || n.ends_with(".csv"))
                    .collect()
            })
            .unwrap_or_default();
        // A fixed order, so that the binary does not depend on the directory's.
        names.sort();
        for name in names {
            let rel = format!("{dir}/{name}");
            println!("cargo:rerun-if-changed={rel}");
            let full = root.join(&rel);
            let _ = writeln!(
                out,
                "    ({rel:?}, include_bytes!({:?})),",
                full.display().to_string()
            );
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin.rs");
    std::fs::write(dest, out).expect("write builtin.rs");
}
