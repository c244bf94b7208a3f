//! Hostile text: inputs built to make reporting slow, to overflow the stack, to take over a
//! terminal, to break an SVG, or to make a message point at the wrong fault. Each test is named
//! after the class of input it pins, and runs the binary as a researcher would.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Runs accord in `cwd` and fails if it is still running after `limit`: a hang guard for inputs
/// that once took hours, not a speed test.
fn accord_within(cwd: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run accord");
    // Read the pipes on their own threads, so a child writing much is never blocked.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let read_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).map(|_| v)
    });
    let read_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).map(|_| v)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("accord {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: read_out.join().expect("join").expect("read stdout"),
        stderr: read_err.join().expect("join").expect("read stderr"),
    }
}

/// The mini fixture copied into a fresh folder, with `files` added or replaced.
fn mini_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in [
        "accord.toml",
        "rubric.toml",
        "evidence.csv",
        "jurisdictions.csv",
        "dyads.csv",
    ] {
        std::fs::copy(fixture("mini").join(f), dir.path().join(f)).expect("copy mini");
    }
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

/// The problems of a `--error-format json` run.
fn problems(o: &Output) -> Vec<serde_json::Value> {
    let (_, err) = texts(o);
    let v: serde_json::Value =
        serde_json::from_str(&err).unwrap_or_else(|e| panic!("not JSON ({e}):\n{err}"));
    v["problems"].as_array().expect("problems").clone()
}

const GUARD: Duration = Duration::from_secs(240);

// Section 3: locating and listing problems is linear in the input, whatever the count.

/// A wide evidence file whose header has a million columns that are not evidence fields: each
/// was located and listed, and checking the header for duplicates compared every pair.
#[test]
fn a_header_of_a_million_unknown_columns_lists_the_first_200_and_counts_the_rest() {
    let columns = 1_000_000;
    let mut text = String::from("jurisdiction");
    for i in 0..columns {
        text.push_str(&format!(",x{i}"));
    }
    text.push_str("\nXAA");
    text.push_str(&",".repeat(columns));
    text.push('\n');
    let dir = mini_with(&[("wide.csv", &text)]);
    let o = accord_within(
        dir.path(),
        &[
            "validate",
            "--rubric",
            "rubric.toml",
            "--evidence",
            "wide.csv",
            "--error-format",
            "json",
        ],
        GUARD,
    );
    assert_eq!(o.status.code(), Some(2));
    let p = problems(&o);
    assert_eq!(p.len(), 201);
    assert!(p[0]["message"].as_str().unwrap().contains("column `x0`"));
    assert_eq!(p[0]["column"], 2);
    assert_eq!(
        p[200]["message"],
        format!(
            "and {} more problems not shown: only the first 200 are listed",
            columns - 200
        )
    );
    assert_eq!(p[200]["file"], "wide.csv");
}

/// A rubric with 150,000 keys no table has: each was located by counting lines from the file's
/// start.
#[test]
fn a_rubric_of_150000_unknown_keys_lists_the_first_200_and_counts_the_rest() {
    let keys = 150_000;
    let rubric = std::fs::read_to_string(fixture("mini/rubric.toml")).expect("mini");
    let extra: String = (0..keys).map(|i| format!("k{i} = 1\n")).collect();
    let text = rubric.replacen(
        "scale = [0, 100]\n",
        &format!("scale = [0, 100]\n{extra}"),
        1,
    );
    let dir = mini_with(&[("rubric.toml", &text)]);
    let o = accord_within(
        dir.path(),
        &[
            "validate",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--error-format",
            "json",
        ],
        GUARD,
    );
    assert_eq!(o.status.code(), Some(2));
    let p = problems(&o);
    assert_eq!(p.len(), 201);
    // `k199` is the 200th key, on the line after `scale` (line 7) plus 199.
    assert_eq!(p[199]["message"], "unknown key `rubric.k199`");
    assert_eq!(p[199]["line"], 7 + 199);
    assert_eq!(
        p[200]["message"],
        format!(
            "and {} more problems not shown: only the first 200 are listed",
            keys - 200
        )
    );
}

/// 100,000 tiers with the same bound: every one after the first is a problem.
#[test]
fn a_rubric_of_100000_tiers_with_one_bound_lists_the_first_200_and_counts_the_rest() {
    let tiers = 100_000;
    let rubric = std::fs::read_to_string(fixture("mini/rubric.toml")).expect("mini");
    let lines = rubric.lines().count();
    let mut text = rubric.clone();
    for i in 0..tiers {
        text.push_str(&format!("[[tier]]\nid = \"t{i}\"\nmin = 10\n"));
    }
    let dir = mini_with(&[("rubric.toml", &text)]);
    let o = accord_within(
        dir.path(),
        &[
            "validate",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--error-format",
            "json",
        ],
        GUARD,
    );
    assert_eq!(o.status.code(), Some(2));
    let p = problems(&o);
    assert_eq!(p.len(), 201);
    assert_eq!(
        p[0]["message"],
        "tier `t1` has the same `min` (10) as another tier"
    );
    // Tier `t1` starts three lines after the mini rubric's last line.
    assert_eq!(p[0]["line"], lines as u64 + 4);
    assert_eq!(
        p[200]["message"],
        format!(
            "and {} more problems not shown: only the first 200 are listed",
            tiers - 1 - 200
        )
    );
}

/// Problems collected from several files add up: 150 bad codes in the jurisdictions file and
/// 150 unknown long-form columns in the evidence are 300 problems, 200 shown.
#[test]
fn problems_of_several_files_count_together() {
    let mut juris = String::from("code,name\n");
    for i in 0..150 {
        juris.push_str(&format!("Q{i},bad\n"));
    }
    let mut evidence = String::from("jurisdiction,criterion,value");
    for i in 0..150 {
        evidence.push_str(&format!(",extra{i}"));
    }
    evidence.push_str("\nXAA,a1,yes");
    evidence.push_str(&",".repeat(150));
    evidence.push('\n');
    let dir = mini_with(&[("jurisdictions.csv", &juris), ("evidence.csv", &evidence)]);
    let o = accord_within(
        dir.path(),
        &[
            "validate",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--error-format",
            "json",
        ],
        GUARD,
    );
    assert_eq!(o.status.code(), Some(2));
    let p = problems(&o);
    assert_eq!(p.len(), 201, "{p:#?}");
    assert_eq!(
        p[200]["message"],
        "and 100 more problems not shown: only the first 200 are listed"
    );
}
