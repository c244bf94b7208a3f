//! The shipped default built into the binary: the rubrics of `rubrics/` and the real data of
//! `data/`, so that an installed `accord` scores the default from any folder. Built-in files are
//! named `builtin:<path>` in messages and manifests (`builtin:data/evidence.csv`).

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// How built-in files are named.
pub(crate) const PREFIX: &str = "builtin:";

/// The bytes of a shipped file by its path in the repository (`data/evidence.csv`), with `..`
/// and `.` resolved (`data/../rubrics/x.toml` is `rubrics/x.toml`).
pub fn file(path: &str) -> Option<&'static [u8]> {
    let path = normalise(path.strip_prefix(PREFIX).unwrap_or(path));
    FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

/// A path with `.` and `..` resolved, `/`-separated.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Whether a path names a built-in file.
pub fn is_builtin(path: &str) -> bool {
    path.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_dots_and_the_prefix() {
        assert_eq!(normalise("data/../rubrics/./x.toml"), "rubrics/x.toml");
        assert!(file("builtin:data/evidence.csv").is_some());
        assert_eq!(file("data/evidence.csv"), file("data/./evidence.csv"));
        assert!(file("data/nothing.csv").is_none());
    }
}
