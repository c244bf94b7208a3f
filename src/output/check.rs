//! `score --check`: compare a results folder with a fresh rerun, byte for byte, and name the
//! first difference in terms a researcher can find (file, line, column).

use std::path::Path;

use super::schema::{self, Folder, Format, fields};
use crate::files::io_reason;

/// The first difference between the files a rerun produced and the folder, or `None`; each
/// file of the folder is read within `limit` bytes.
pub fn first_difference(rerun: &[(String, Vec<u8>)], dir: &Path, limit: u64) -> Option<String> {
    for (name, bytes) in rerun {
        let path = dir.join(name);
        if let Err(e) = std::fs::symlink_metadata(&path) {
            return Some(format!(
                "`{name}` is missing from the folder ({})",
                io_reason(&e)
            ));
        }
        let found = match crate::files::read_bytes(
            &path,
            "results file",
            limit,
            Some("--max-file-mb"),
            None,
        ) {
            Ok(b) => b,
            Err(e) => return Some(e.message),
        };
        if found == *bytes {
            continue;
        }
        return Some(describe(name, &found, bytes));
    }
    let expected: Vec<&str> = rerun.iter().map(|(n, _)| n.as_str()).collect();
    let mut extra: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .filter(|n| !expected.contains(&n.as_str()))
        .collect();
    extra.sort();
    extra
        .first()
        .map(|n| format!("the folder has a file the run does not write: `{n}`"))
}

fn describe(name: &str, found: &[u8], rerun: &[u8]) -> String {
    if name.ends_with(".parquet") {
        return describe_parquet(name, found, rerun);
    }
    let (a, b) = (
        String::from_utf8_lossy(found),
        String::from_utf8_lossy(rerun),
    );
    let header: Vec<String> = b.lines().next().map(fields).unwrap_or_default();
    let table = matches!(
        schema::describe(Folder::Score, name).map(|f| f.format),
        Some(Format::Csv { .. })
    );
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x == y {
            continue;
        }
        if table {
            let (fx, fy) = (fields(x), fields(y));
            for (k, (cx, cy)) in fx.iter().zip(&fy).enumerate() {
                if cx != cy {
                    let column = header
                        .get(k)
                        .map_or_else(|| format!("{}", k + 1), |h| format!("`{h}`"));
                    let row = fy.first().map(|j| format!(" (`{j}`)")).unwrap_or_default();
                    return format!(
                        "`{name}` line {}{row}, column {column}: `{cx}` in the folder, `{cy}` on rerun",
                        i + 1
                    );
                }
            }
            return format!(
                "`{name}` line {}: {} fields in the folder, {} on rerun",
                i + 1,
                fx.len(),
                fy.len()
            );
        }
        return format!(
            "`{name}` line {}: `{}` in the folder, `{}` on rerun",
            i + 1,
            x.trim(),
            y.trim()
        );
    }
    let (na, nb) = (a.lines().count(), b.lines().count());
    if na != nb {
        format!("`{name}` has {na} lines in the folder, {nb} on rerun")
    } else {
        format!("`{name}` differs in its line endings or final newline")
    }
}

/// The first cell that differs between two parquet tables (row 1 is the first data row).
fn describe_parquet(name: &str, found: &[u8], rerun: &[u8]) -> String {
    let (a, b) = match (
        schema::read_parquet(found.to_vec()),
        schema::read_parquet(rerun.to_vec()),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) => {
            return format!("`{name}` in the folder is not a parquet table accord reads: {e}");
        }
        (_, Err(e)) => return format!("`{name}` on rerun is not readable: {e}"),
    };
    if a.0 != b.0 {
        return format!(
            "`{name}` has the columns {} in the folder, {} on rerun",
            a.0.join(","),
            b.0.join(",")
        );
    }
    for (i, (x, y)) in a.1.iter().zip(&b.1).enumerate() {
        for (k, (cx, cy)) in x.iter().zip(y).enumerate() {
            if cx != cy {
                let row = y
                    .first()
                    .and_then(|c| c.as_text())
                    .map(|j| format!(" (`{j}`)"))
                    .unwrap_or_default();
                let show = |c: &schema::Cell| c.to_csv();
                return format!(
                    "`{name}` row {}{row}, column `{}`: `{}` in the folder, `{}` on rerun",
                    i + 1,
                    b.0.get(k).map_or("", String::as_str),
                    show(cx),
                    show(cy)
                );
            }
        }
    }
    if a.1.len() != b.1.len() {
        return format!(
            "`{name}` has {} rows in the folder, {} on rerun",
            a.1.len(),
            b.1.len()
        );
    }
    format!("`{name}` holds the same cells but differs in its bytes (its encoding)")
}
