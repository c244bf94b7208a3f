//! Hostile input, one case per class: inputs that are not regular files (devices, pipes, a FIFO
//! with no writer) or that never end, and too many evaluation dates; the workbooks are in
//! `hostile_workbooks.rs`. Each runs the binary under an address-space cap and a time guard, and
//! must exit 2 with a message naming the file, leaving nothing behind. The files are made here,
//! not committed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The address space a run may use: far below what any of these files made the reader ask for
/// (from 1.5 GB to 549 GB), far above what accord needs for the mini fixture (under 100 MB).
const ADDRESS_SPACE: u64 = 768 * 1024 * 1024;
/// A run still going after this long is a hang (the runs here take well under a second).
const GUARD: Duration = Duration::from_secs(120);

/// What one run did.
pub struct Run {
    pub code: Option<i32>,
    pub stderr: String,
    /// Entries left in the folder that held `--out`.
    pub left: Vec<String>,
}

/// Runs accord with `args` (then `--out` into a fresh folder, for `score`) under the address-space
/// cap where `prlimit` exists, feeding `stdin` if given, and kills it at the time guard.
pub fn run_capped(args: &[&str], stdin: Option<Stdio>) -> Run {
    let out = tempfile::tempdir().expect("tempdir");
    let target = out.path().join("results");
    let mut argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    argv.insert(1, "--error-format".into());
    argv.insert(2, "json".into());
    if args.first() == Some(&"score") && !args.contains(&"--check") {
        argv.push("--out".into());
        argv.push(target.display().to_string());
    }
    let exe = env!("CARGO_BIN_EXE_accord");
    let capped = Command::new("prlimit").arg("--version").output().is_ok();
    let mut cmd = if capped {
        let mut c = Command::new("prlimit");
        c.arg(format!("--as={ADDRESS_SPACE}")).arg(exe);
        c
    } else {
        Command::new(exe)
    };
    cmd.args(&argv)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(stdin.unwrap_or_else(Stdio::null))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run accord");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > GUARD {
            let _ = child.kill();
            panic!("`accord {}` still ran after {GUARD:?}", argv.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        e.read_to_string(&mut stderr).expect("stderr");
    }
    let left = std::fs::read_dir(out.path())
        .expect("out folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    Run {
        code: status.code(),
        stderr,
        left,
    }
}

impl Run {
    /// Exit 2, nothing written, and a problem whose message contains each of `says`, located in
    /// `file`; returns that problem.
    pub fn refused(&self, file: &str, says: &[&str]) -> serde_json::Value {
        assert_eq!(self.code, Some(2), "exit {:?}:\n{}", self.code, self.stderr);
        assert!(self.left.is_empty(), "left behind: {:?}", self.left);
        let v: serde_json::Value = serde_json::from_str(&self.stderr)
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}):\n{}", self.stderr));
        let problems = v["problems"].as_array().expect("problems").clone();
        let p = problems
            .iter()
            .find(|p| {
                let m = p["message"].as_str().unwrap_or("");
                says.iter().all(|s| m.contains(s))
            })
            .unwrap_or_else(|| panic!("no problem says all of {says:?}:\n{}", self.stderr))
            .clone();
        assert_eq!(p["file"].as_str(), Some(file), "{}", self.stderr);
        p
    }
}

pub fn mini(file: &str) -> String {
    format!("tests/fixtures/mini/{file}")
}

// ------------------------------------------------------------------------------------------------
// Inputs that are not regular files, or never end.

#[test]
fn devices_are_refused_as_every_input() {
    let (r, e, j, d) = (
        mini("rubric.toml"),
        mini("evidence.csv"),
        mini("jurisdictions.csv"),
        mini("dyads.csv"),
    );
    let cases: [(&str, [&str; 8], &str); 4] = [
        (
            "rubric",
            [
                "--rubric",
                "/dev/zero",
                "--evidence",
                &e,
                "--jurisdictions",
                &j,
                "--dyads",
                &d,
            ],
            "/dev/zero",
        ),
        (
            "evidence file",
            [
                "--rubric",
                &r,
                "--evidence",
                "/dev/zero",
                "--jurisdictions",
                &j,
                "--dyads",
                &d,
            ],
            "/dev/zero",
        ),
        (
            "jurisdictions file",
            [
                "--rubric",
                &r,
                "--evidence",
                &e,
                "--jurisdictions",
                "/dev/urandom",
                "--dyads",
                &d,
            ],
            "/dev/urandom",
        ),
        (
            "dyads file",
            [
                "--rubric",
                &r,
                "--evidence",
                &e,
                "--jurisdictions",
                &j,
                "--dyads",
                "/dev/zero",
            ],
            "/dev/zero",
        ),
    ];
    for (what, args, device) in cases {
        let mut argv = vec!["score"];
        argv.extend_from_slice(&args);
        run_capped(&argv, None).refused(
            device,
            &[&format!(
                "{what} `{device}` is a character device, not a regular file"
            )],
        );
    }
}

#[test]
fn a_pipe_that_never_ends_is_refused() {
    // `--evidence <(yes)`: a pipe with a writer that never stops.
    let mut yes = Command::new("sh")
        .args(["-c", "while :; do echo yes; done"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("a writer");
    let pipe = yes.stdout.take().expect("its pipe");
    let rubric = mini("rubric.toml");
    let r = run_capped(
        &["score", "--rubric", &rubric, "--evidence", "/dev/stdin"],
        Some(Stdio::from(pipe)),
    );
    let _ = yes.kill();
    let _ = yes.wait();
    r.refused(
        "/dev/stdin",
        &["evidence file `/dev/stdin` is a pipe, not a regular file"],
    );
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_with_no_writer_is_refused_without_waiting() {
    // Opening a FIFO for reading waits for a writer, forever if none comes.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("evidence.csv");
    mkfifo(&fifo);
    let rubric = mini("rubric.toml");
    let f = fifo.display().to_string();
    run_capped(&["score", "--rubric", &rubric, "--evidence", &f], None).refused(
        &f,
        &[&format!(
            "evidence file `{f}` is a pipe, not a regular file"
        )],
    );
    // As the base a rubric `extends`.
    let base = dir.path().join("base.toml");
    mkfifo(&base);
    let child = dir.path().join("child.toml");
    std::fs::write(
        &child,
        "[rubric]\nid = \"child\"\nversion = \"1.0.0\"\nextends = \"base.toml\"\n",
    )
    .unwrap();
    let c = child.display().to_string();
    let e = mini("evidence.csv");
    let b = base.display().to_string();
    let p = run_capped(&["score", "--rubric", &c, "--evidence", &e], None).refused(
        &b,
        &[&format!("rubric `{b}` is a pipe, not a regular file")],
    );
    assert!(p["help"].as_str().unwrap().contains("regular files"), "{p}");
}

#[test]
fn a_check_manifest_pointing_at_a_device_is_refused() {
    // A results folder whose manifest records `/dev/zero` as its evidence.
    let work = tempfile::tempdir().unwrap();
    let results = work.path().join("results");
    let rubric = mini("rubric.toml");
    let out = results.display().to_string();
    let o = accord(
        &root(),
        &[
            "score",
            "--rubric",
            &rubric,
            "--data",
            "tests/fixtures/mini",
            "--out",
            &out,
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let manifest = results.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let evidence = mini("evidence.csv");
    assert!(text.contains(&format!("\"{evidence}\"")), "{text}");
    std::fs::write(
        &manifest,
        text.replace(&format!("\"{evidence}\""), "\"/dev/zero\""),
    )
    .unwrap();
    let r = run_capped(&["score", "--check", &out], None);
    r.refused(
        "/dev/zero",
        &[&format!(
            "input `/dev/zero` is a character device, not a regular file (recorded in `{out}`)"
        )],
    );
}

#[test]
fn as_of_names_at_most_100_dates() {
    let dates: Vec<String> = (0..101).map(|i| format!("{}-01-01", 1900 + i)).collect();
    let all = dates.join(",");
    let rubric = mini("rubric.toml");
    let r = run_capped(
        &[
            "score",
            "--rubric",
            &rubric,
            "--data",
            "tests/fixtures/mini",
            "--as-of",
            &all,
        ],
        None,
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`--as-of` names more than 100 dates, the limit"),
        "{}",
        r.stderr
    );
    assert!(r.left.is_empty());
}
