//! Regressions found by fuzzing (`fuzz/`, see the README's "Fuzzing"): each test is named after
//! the bug and asserts the correct behaviour, a clear error in bounded time, never a panic or a
//! hang. A test whose bug is not fixed yet is marked `#[ignore]` with the finding; remove the
//! mark with the fix.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use accord::rubric::{LoadOptions, load_str};

/// Runs `f` on another thread and fails if it takes longer than `limit` (debug build).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => panic!(
            "still running after {:?} (limit {limit:?})",
            start.elapsed()
        ),
    }
}

/// Finding 1 (hang): every TOML syntax error of a rubric became a problem, and each problem's
/// location (`SourceText::line_col`) and rendering (miette reads the span from the file's start)
/// scanned the text from its start, so error reporting was quadratic: 100 KB of `=` lines ran for
/// over two minutes in a release build, and a rubric up to the 4 MB limit for hours. A rubric full
/// of syntax errors must give a clear error quickly.
#[test]
fn a_rubric_full_of_syntax_errors_is_reported_quickly() {
    let text = "=\n".repeat(10_000);
    let (n, rendered, json) = within(Duration::from_secs(10), move || {
        let e = load_str("bad.toml", &text, &LoadOptions::default()).expect_err("not a rubric");
        (e.problems.len(), e.render(false, true), e.to_json())
    });
    assert!(n >= 1);
    assert!(rendered.contains("invalid TOML"), "{rendered}");
    assert!(json.contains("\"line\": 1"), "{json}");
}
