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
/// over two minutes in a release build of `validate`, and a rubric up to the 4 MB limit would
/// have run for hours. Fixed while fuzzing by showing the first 20 syntax errors and a count of
/// the rest (`rubric::tree::parse`). A rubric full of syntax errors gives a clear error quickly.
#[test]
fn a_rubric_full_of_syntax_errors_is_reported_quickly() {
    let text = "=\n".repeat(50_000);
    // A hang guard, not a speed test: before the fix this ran for hours.
    let (n, rendered, json) = within(Duration::from_secs(120), move || {
        let e = load_str("bad.toml", &text, &LoadOptions::default()).expect_err("not a rubric");
        (e.problems.len(), e.render(false, true), e.to_json())
    });
    assert!(n >= 1);
    assert!(rendered.contains("invalid TOML"), "{rendered}");
    assert!(json.contains("\"line\": 1"), "{json}");
}

/// Scores a one-criterion rubric whose expression rule is `expr`, for one jurisdiction with the
/// number field `y` = 1.
fn score_expression(expr: &str) -> Result<accord::Scored, accord::error::InputError> {
    let rubric = format!(
        "[rubric]\nid = \"probe\"\nversion = \"1.0.0\"\ntitle = \"probe\"\nscale = [0, 100]\n\n\
         [fields.y]\ntype = \"number\"\n\n[[node]]\nid = \"IDX\"\nname = \"Index\"\n\n\
         [[criterion]]\nid = \"e\"\nparent = \"IDX\"\nquestion = \"q\"\n\
         rule = {{ type = \"expr\", expr = {expr:?} }}\n"
    );
    let rubric = load_str("probe.toml", &rubric, &LoadOptions::default())?;
    let files = accord::evidence::memory::MemoryInputs {
        evidence: b"jurisdiction,criterion,value\nXAA,y,1\n",
        jurisdictions: None,
        dyads: None,
    };
    let inputs = accord::evidence::memory::load_from_memory(files, &rubric)?;
    accord::score(rubric, inputs, None)
}

/// The outcome of an expression that must be refused: an error (when the rubric is read or when
/// it is scored) that names the expression, and no panic.
fn assert_refused(expr: &str) {
    let outcome = std::panic::catch_unwind(|| score_expression(expr).map(|_| ()));
    match outcome {
        Err(_) => panic!("the expression `{expr}` panicked"),
        Ok(Ok(())) => panic!("the expression `{expr}` was scored"),
        Ok(Err(e)) => {
            let text = e.to_string();
            assert!(text.contains("expr"), "{text}");
        }
    }
}

/// Finding 2 (panic): evalexpr's `str::substring` slices its string by byte offsets without
/// checking character boundaries (evalexpr 13.1.0, `src/function/builtin.rs:295`), so an
/// expression such as `str::substring("é", 1)` panicked inside `rules::expr` (`src/rules.rs`,
/// `e.tree.eval_with_context`): `start byte index 1 is not a char boundary`. It must be a clean
/// error naming the criterion, as an out-of-range index already is.
#[test]
fn an_expression_cutting_inside_a_character_is_a_clean_error() {
    assert_refused(r#"if(str::substring("é", 1) == "x", 0, 100) + 0 * y"#);
    assert_refused(r#"if(str::substring("aé", 0, 2) == "x", 0, 100) + 0 * y"#);
}

/// Finding 3 (panic in debug builds, a silently wrong value in release): evalexpr's `shl` and
/// `shr` shift an `i64` with `Shl::shl` (evalexpr 13.1.0,
/// `src/value/numeric_types/default_numeric_types.rs:153`), which overflows for a shift of 64 or
/// more or a negative one: `attempt to shift left with overflow` in `cargo test`, the fuzz builds
/// and any debug build; release builds wrap the shift (`shl(1, 64)` = 1). It must be a clean
/// error.
#[test]
fn an_expression_shifting_by_64_bits_or_more_is_a_clean_error() {
    assert_refused("shl(1, 64) * 0 + y");
    assert_refused("shr(1, -1) * 0 + y");
}
