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

// Section 6: text that reaches a terminal is safe; data keeps the exact text.

/// A name holding what a terminal obeys: clear the screen (CSI 2 J), set the window title
/// (OSC 0), ring the bell, reverse the line (U+202E), and the C1 form of CSI (U+009B).
const HOSTILE: &str = "A\u{1b}[2J\u{1b}]0;pwned\u{7}land\u{202e}x\u{9b}1m";
/// The same as `terminal_safe` prints it.
const HOSTILE_SHOWN: &str = "A\\u{1b}[2J\\u{1b}]0;pwned\\u{7}land\\u{202e}x\\u{9b}1m";

/// Characters that must never reach a terminal raw.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

fn hostile_names() -> tempfile::TempDir {
    let juris = format!(
        "code,name,group:bloc,complete:ext\nXAA,{HOSTILE},north,yes\nXAB,Bomia,north,yes\nXAC,Cando,south,no\nXAD,Dorn,south,yes\n"
    );
    mini_with(&[("jurisdictions.csv", &juris)])
}

#[test]
fn a_hostile_jurisdiction_name_is_escaped_in_score_and_explain_and_exact_in_data() {
    let dir = hostile_names();
    let o = accord(
        dir.path(),
        &[
            "score",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--out",
            "out",
        ],
    );
    let (out, err) = texts(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(raw_controls(&out), Vec::<char>::new(), "{out:?}");
    assert!(out.contains(HOSTILE_SHOWN), "{out}");
    // The CSV outputs are data: the exact name.
    let ranking = std::fs::read_to_string(dir.path().join("out/ranking.csv")).expect("ranking");
    assert!(ranking.contains(&format!(",{HOSTILE},")), "{ranking:?}");

    let o = accord(
        dir.path(),
        &["explain", "XAA", "--rubric", "rubric.toml", "--data", "."],
    );
    let (out, err) = texts(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(raw_controls(&out), Vec::<char>::new(), "{out:?}");
    assert!(
        out.starts_with(&format!("XAA {HOSTILE_SHOWN}: index")),
        "{out}"
    );

    let o = accord(
        dir.path(),
        &[
            "explain",
            "XAA",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--format",
            "json",
        ],
    );
    let (out, _) = texts(&o);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["name"], HOSTILE);
}

/// Every class of character a terminal obeys, in a cell quoted by a message, in a snippet, in a
/// file name and in a key: none reaches stderr raw; JSON keeps the exact text.
#[test]
fn a_hostile_cell_is_escaped_in_messages_and_snippets_and_exact_in_json() {
    let cell = format!("y{HOSTILE}\u{8}s");
    let evidence = format!(
        "jurisdiction,criterion,value,source,as_of,note\nXAA,a1,{cell},s1,,\nXAB,a1,no,s1,,\n"
    );
    let dir = mini_with(&[("evidence.csv", &evidence)]);
    let args = ["validate", "--rubric", "rubric.toml", "--data", "."];
    let o = accord(dir.path(), &args);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err:?}");
    let shown = format!("y{HOSTILE_SHOWN}\\u{{8}}s");
    // The headline quotes it, the snippet shows it, and the underline covers all of it.
    assert!(
        err.contains(&format!("`{shown}` is not yes or no")),
        "{err}"
    );
    assert!(err.contains(&format!(" 2 | XAA,a1,{shown},s1,,")), "{err}");
    let underline = err.lines().find(|l| l.contains('^')).expect("an underline");
    assert_eq!(
        underline.matches('^').count() + 1,
        shown.chars().count(),
        "{err}"
    );

    let mut json_args = args.to_vec();
    json_args.extend(["--error-format", "json"]);
    let o = accord(dir.path(), &json_args);
    let p = problems(&o);
    assert_eq!(
        p[0]["message"],
        format!(
            "`{}` is not yes or no (field `a1` expects yes or no)",
            cell.trim()
        )
    );
}

#[test]
fn a_hostile_key_and_file_name_are_escaped_in_messages() {
    let rubric = std::fs::read_to_string(fixture("mini/rubric.toml")).expect("mini");
    let text = rubric.replacen(
        "scale = [0, 100]\n",
        "scale = [0, 100]\n\"k\\u001b[2J\\u202e\" = 1\n",
        1,
    );
    let name = "r\u{1b}]0;t\u{7}.toml";
    let dir = mini_with(&[(name, &text)]);
    let o = accord(dir.path(), &["validate", "--rubric", name, "--data", "."]);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err:?}");
    assert!(
        err.contains("unknown key `rubric.k\\u{1b}[2J\\u{202e}`"),
        "{err}"
    );
    assert!(err.contains("r\\u{1b}]0;t\\u{7}.toml:7:1]"), "{err}");
}

// Section 4: diagnostics with nowhere to go.

/// Runs accord with stderr on `/dev/full`, where every write fails.
fn accord_stderr_full(cwd: &Path, args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(cwd)
        .stderr(full)
        .output()
        .expect("run accord")
}

#[test]
fn bad_input_with_stderr_unwritable_exits_2_without_a_panic() {
    let dir = mini_with(&[]);
    for args in [
        &["score", "--rubric", "nope", "--out", "out"][..],
        &[
            "score",
            "--rubric",
            "nope",
            "--error-format",
            "json",
            "--out",
            "out",
        ],
        &["score", "--no-such-flag"],
        &["sensitivity", "--runs", "many"],
    ] {
        let o = accord_stderr_full(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
    assert!(!dir.path().join("out").exists());
}

// Usage errors are problems like any other.

#[test]
fn usage_errors_are_json_when_json_is_asked_for() {
    let dir = mini_with(&[]);
    for (args, message, key) in [
        (
            &["--error-format", "json", "score", "--no-such-flag"][..],
            "unexpected argument '--no-such-flag' found",
            "--no-such-flag",
        ),
        (
            &["sensitivity", "--runs", "many", "--error-format=json"],
            "invalid value 'many' for '--runs <N>': invalid digit found in string",
            "--runs <N>",
        ),
    ] {
        let o = accord(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let p = problems(&o);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0]["message"], message);
        assert_eq!(p[0]["key"], key);
        for field in ["help", "file", "line", "column", "related"] {
            assert!(p[0].get(field).is_some(), "{field} in {:?}", p[0]);
        }
    }
    // Without it, clap's own text.
    let o = accord(dir.path(), &["score", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        texts(&o)
            .1
            .starts_with("error: unexpected argument '--no-such-flag' found")
    );
    // Help is not an error.
    let o = accord(dir.path(), &["--error-format", "json", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(texts(&o).0.contains("Usage: accord"));
}

#[test]
fn a_hostile_argument_is_escaped_in_a_usage_error() {
    let dir = mini_with(&[]);
    let o = accord(dir.path(), &["score", "--x\u{202e}\u{7}y"]);
    assert_eq!(o.status.code(), Some(2));
    let (_, err) = texts(&o);
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err:?}");
}

// Messages point at the real fault.

#[test]
fn an_invisible_character_in_a_name_is_named_with_its_position() {
    // After an evidence field in long form, in a wide header, and in a rubric key.
    let long = "jurisdiction,criterion,value\nXAA,a1\u{200b},yes\n";
    let wide = "jurisdiction,a1,\u{feff}b1\nXAA,yes,3\n";
    let dir = mini_with(&[("long.csv", long), ("wide.csv", wide)]);
    for (file, message, help) in [
        (
            "long.csv",
            "unknown criterion `a1\u{200b}`",
            "did you mean `a1`? (character 3 is U+200B ZERO WIDTH SPACE, which is invisible)",
        ),
        (
            "wide.csv",
            "column `\u{feff}b1` of `wide.csv`",
            "did you mean `b1`? (character 1 is U+FEFF ZERO WIDTH NO-BREAK SPACE, which is invisible)",
        ),
    ] {
        let o = accord(
            dir.path(),
            &[
                "validate",
                "--rubric",
                "rubric.toml",
                "--evidence",
                file,
                "--error-format",
                "json",
            ],
        );
        let p = problems(&o);
        assert!(p[0]["message"].as_str().unwrap().contains(message), "{p:?}");
        assert_eq!(p[0]["help"], help, "{file}");
    }
    let rubric = std::fs::read_to_string(fixture("mini/rubric.toml")).expect("mini");
    let text = rubric.replacen("weight = 3\n", "\"weight\\u00a0\" = 3\n", 1);
    let dir = mini_with(&[("rubric.toml", &text)]);
    let o = accord(
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
    );
    let p = problems(&o);
    assert_eq!(
        p[0]["help"],
        "did you mean `weight`? (character 7 is U+00A0 NO-BREAK SPACE, which is invisible)"
    );
}

#[test]
fn a_code_with_a_letter_from_another_script_says_which_letter() {
    // Cyrillic capital A in place of the Latin one, with and without a jurisdictions file.
    let evidence = "jurisdiction,criterion,value\nX\u{410}A,a1,yes\n";
    let dir = mini_with(&[("cyrillic.csv", evidence)]);
    let o = accord(
        dir.path(),
        &[
            "validate",
            "--rubric",
            "rubric.toml",
            "--evidence",
            "cyrillic.csv",
            "--error-format",
            "json",
        ],
    );
    let p = problems(&o);
    assert_eq!(
        p[0]["message"],
        "unknown jurisdiction code `X\u{410}A`: a jurisdiction code has three ASCII letters, and character 2 is `\u{410}`, U+0410 CYRILLIC CAPITAL LETTER A, not ASCII"
    );
    assert_eq!(
        (p[0]["line"].as_u64(), p[0]["column"].as_u64()),
        (Some(2), Some(1))
    );
    let o = accord(
        dir.path(),
        &[
            "validate",
            "--rubric",
            "rubric.toml",
            "--evidence",
            "cyrillic.csv",
            "--jurisdictions",
            "jurisdictions.csv",
            "--error-format",
            "json",
        ],
    );
    let p = problems(&o);
    assert_eq!(
        p[0]["help"],
        "did you mean `XAA`? (character 2 is `\u{410}`, U+0410 CYRILLIC CAPITAL LETTER A, not ASCII)"
    );
}

#[test]
fn a_nul_byte_in_a_note_is_located() {
    let evidence = "jurisdiction,criterion,value,note\nXAA,a1,yes,ok\nXAB,a1,no,bad\0note\n";
    let dir = mini_with(&[("nul.csv", evidence)]);
    let o = accord(
        dir.path(),
        &[
            "validate",
            "--rubric",
            "rubric.toml",
            "--evidence",
            "nul.csv",
            "--error-format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let p = problems(&o);
    assert_eq!(
        p[0]["message"],
        "`nul.csv` has a NUL byte, so it is binary data, not a text file"
    );
    // `bad` starts at column 11 of line 3; the NUL byte follows it.
    assert_eq!(
        (p[0]["line"].as_u64(), p[0]["column"].as_u64()),
        (Some(3), Some(14))
    );
}

// Number hints are right or absent.

/// `digits` grouped by threes (or the Indian way: a last three, then twos) with `sep`.
fn grouped(digits: &str, sep: char, indian: bool) -> String {
    let mut groups: Vec<String> = Vec::new();
    let mut rest = digits;
    let mut size = 3;
    while rest.len() > size {
        let (head, tail) = rest.split_at(rest.len() - size);
        groups.push(tail.to_string());
        rest = head;
        if indian {
            size = 2;
        }
    }
    groups.push(rest.to_string());
    groups.reverse();
    groups.join(&sep.to_string())
}

/// The numbers a hint tells to write.
fn written(message: &str) -> Vec<String> {
    message
        .split("write `")
        .skip(1)
        .filter_map(|s| s.split('`').next().map(String::from))
        .collect()
}

#[test]
fn one_thousand_and_a_half_in_german_notation_is_not_hinted_as_a_thousandth() {
    let e = accord::evidence::parse_number("1.000,5").expect_err("not a number");
    assert_eq!(written(&e.to_string()), vec!["1000.5"], "{e}");
    let e = accord::evidence::parse_number("-1.234.567,25").expect_err("not a number");
    assert_eq!(written(&e.to_string()), vec!["-1234567.25"], "{e}");
    // No notation writes these: no hint.
    for cell in ["1,2,3", "1.5,3", "1,2.5", "12.34.5"] {
        let e = accord::evidence::parse_number(cell).expect_err("not a number");
        assert_eq!(written(&e.to_string()), Vec::<String>::new(), "{cell}: {e}");
    }
}

proptest::proptest! {
    #![proptest_config(crate::common::proptest_config(2000))]

    /// A number written in a common notation (German, English, Indian grouping, a decimal
    /// comma, dots grouping an integer): accord reads it as written, or refuses it with a hint
    /// whose number is the one meant (one of two, when the cell has two readings), or with none.
    #[test]
    fn a_number_hint_is_the_number_meant(
        whole in 0u64..10_000_000_000_000,
        fraction in proptest::option::of("[0-9]{1,4}"),
        negative in proptest::bool::ANY,
        notation in 0usize..5,
    ) {
        let digits = whole.to_string();
        let (group, decimal, indian) = match notation {
            0 => ('.', ',', false),
            1 => (',', '.', false),
            2 => (',', '.', true),
            3 => ('\0', ',', false),
            _ => ('.', '\0', false),
        };
        let fraction = if decimal == '\0' { None } else { fraction };
        let mut cell = if group == '\0' { digits.clone() } else { grouped(&digits, group, indian) };
        let mut meant = digits.clone();
        if let Some(f) = &fraction {
            cell.push(decimal);
            cell.push_str(f);
            meant.push('.');
            meant.push_str(f);
        }
        if negative {
            cell.insert(0, '-');
            meant.insert(0, '-');
        }
        let meant: f64 = meant.parse().expect("a number");
        if let Err(message) = accord::evidence::parse_number(&cell) {
            let hints: Vec<f64> = written(&message.to_string()).iter().map(|w| w.parse().expect("a hint is a number")).collect();
            proptest::prop_assert!(hints.len() <= 2, "{cell}: {message}");
            if !hints.is_empty() {
                proptest::prop_assert!(hints.contains(&meant), "{cell} means {meant}: {message}");
            }
        }
    }
}

// Standalone SVGs are well-formed XML whatever the names.

/// Every character XML 1.0 forbids or that must be escaped, as a TOML escape and as text.
const XML_HOSTILE_TOML: &str = "\\u0001\\u001B\\u0008\\uFFFE\\uFFFF\\u007F\\u009B&<>\\\"'";
const XML_HOSTILE: &str = "\u{1}\u{1b}\u{8}\u{fffe}\u{ffff}\u{7f}\u{9b}&<>\"'";

#[test]
fn every_svg_is_well_formed_xml_whatever_the_names() {
    let mut rubric = std::fs::read_to_string(fixture("mini/rubric.toml")).expect("mini");
    for (from, to) in [
        ("title = \"Mini rubric for tests\"", "title = \"Mini%\""),
        ("name = \"Index\"", "name = \"Index%\""),
        ("id = \"A\"\n", "id = \"A\"\nname = \"Alpha%\"\n"),
        ("id = \"B\"\n", "id = \"B\"\nname = \"Beta%\"\n"),
        ("name = \"Dimension\"", "name = \"Dimension%\""),
        ("id = \"legal\"", "id = \"legal\"\nname = \"Legal%\""),
        ("name = \"extradition treaty\"", "name = \"treaty%\""),
        (
            "question = \"Is it an offence?\"",
            "question = \"Offence%\"",
        ),
    ] {
        assert!(rubric.contains(from), "{from}");
        rubric = rubric.replacen(from, &to.replace('%', XML_HOSTILE_TOML), 1);
    }
    let juris = format!(
        "code,name,group:bloc,complete:ext\nXAA,Aland{XML_HOSTILE},north{XML_HOSTILE},yes\nXAB,Bomia,north{XML_HOSTILE},yes\nXAC,Cando,south,no\nXAD,Dorn,south,yes\n"
    );
    let spec = format!(
        "target = \"IDX\"\n[[factor]]\nname = \"Weights{XML_HOSTILE_TOML}\"\nnoise = {{ levels = [1], factor = 0.25, sets = 10 }}\n[[factor]]\nname = \"Coverage{XML_HOSTILE_TOML}\"\nset = \"pipeline.aggregate.min_coverage\"\nvalues = [0.5, 0.75]\n"
    );
    let dir = mini_with(&[
        ("rubric.toml", &rubric),
        ("jurisdictions.csv", &juris),
        ("spec.toml", &spec),
    ]);
    let data = ["--rubric", "rubric.toml", "--data", "."];
    let run = |args: &[&str]| {
        let o = accord(dir.path(), args);
        assert!(o.status.success(), "{args:?}: {}", texts(&o).1);
    };
    run(&[&["score"][..], &data, &["--out", "score"]].concat());
    run(&[
        &["score"][..],
        &data,
        &["--set", "criterion.a1.weight=3", "--out", "score2"],
    ]
    .concat());
    run(&[&["align"][..], &data, &["--out", "align"]].concat());
    run(&[
        &["sensitivity"][..],
        &data,
        &[
            "--spec",
            "spec.toml",
            "--runs",
            "8",
            "--seed",
            "1",
            "--out",
            "sa",
        ],
    ]
    .concat());
    run(&["compare", "score", "score2", "--out", "cmp"]);
    run(&[
        "report",
        "score",
        "align",
        "sa",
        "--compare",
        "cmp",
        "--out",
        "report.html",
        "--format",
        "svg",
    ]);
    let mut svgs = 0;
    for entry in std::fs::read_dir(dir.path().join("report_svg")).expect("svg folder") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("svg");
        if let Err(e) = roxmltree::Document::parse(&text) {
            panic!("{} is not well-formed XML: {e}", path.display());
        }
        svgs += 1;
    }
    assert!(svgs >= 8, "{svgs} SVG files");
}

// Section 4: a key of thousands of parts is refused, wherever a key is written.

#[test]
fn a_settings_key_of_30000_parts_is_refused_not_a_stack_overflow() {
    let key = vec!["a"; 30_000].join(".");
    let long = format!("rubric.{}", "x".repeat(2000));
    let refused = |o: &Output, what: &str| {
        assert_eq!(o.status.code(), Some(2), "{what}: {}", texts(o).1);
        let p = problems(o);
        let m = p[0]["message"].as_str().expect("message");
        assert!(
            m.contains("a settings key has at most 1024 characters and 64 parts"),
            "{what}: {m}"
        );
    };
    let dir = mini_with(&[]);
    let data = [
        "--rubric",
        "rubric.toml",
        "--data",
        ".",
        "--error-format",
        "json",
    ];
    for k in [&key, &long] {
        let set = format!("{k}=1");
        let o = accord_within(
            dir.path(),
            &[&["validate"][..], &data, &["--set", &set]].concat(),
            GUARD,
        );
        refused(&o, "--set");
    }
    // A sensitivity spec's `set` (discrete and continuous) and an alternative's key, and the
    // rubric's own [[uncertainty.factor]].
    let values = format!(
        "target = \"IDX\"\n[[factor]]\nname = \"deep\"\nset = \"{key}\"\nvalues = [1, 2]\n"
    );
    let range =
        format!("target = \"IDX\"\n[[factor]]\nname = \"deep\"\nset = \"{key}\"\nrange = [0, 1]\n");
    let alternative = format!(
        "target = \"IDX\"\n[[factor]]\nname = \"deep\"\nalternatives = [{{ \"{key}\" = 1 }}, {{}}]\n"
    );
    let rubric = std::fs::read_to_string(fixture("mini/rubric.toml")).expect("mini")
        + &format!("\n[[uncertainty.factor]]\nname = \"deep\"\nset = \"{key}\"\nvalues = [1, 2]\n");
    let dir = mini_with(&[
        ("values.toml", &values),
        ("range.toml", &range),
        ("alternative.toml", &alternative),
        ("deep.toml", &rubric),
    ]);
    let sa = [
        "sensitivity",
        "--data",
        ".",
        "--runs",
        "4",
        "--seed",
        "1",
        "--out",
        "sa",
    ];
    for spec in ["values.toml", "range.toml", "alternative.toml"] {
        let o = accord_within(
            dir.path(),
            &[
                &sa[..],
                &[
                    "--rubric",
                    "rubric.toml",
                    "--spec",
                    spec,
                    "--error-format",
                    "json",
                ],
            ]
            .concat(),
            GUARD,
        );
        refused(&o, spec);
    }
    let o = accord_within(
        dir.path(),
        &[
            &sa[..],
            &["--rubric", "deep.toml", "--error-format", "json"],
        ]
        .concat(),
        GUARD,
    );
    refused(&o, "[[uncertainty.factor]]");
    assert!(!dir.path().join("sa").exists());
}

// An override takes effect or is an error; it is never ignored.

#[test]
fn setting_rubric_extends_from_the_command_line_is_an_error() {
    let dir = mini_with(&[]);
    let o = accord(
        dir.path(),
        &[
            "score",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--set",
            "rubric.extends=/etc/passwd",
            "--out",
            "out",
            "--error-format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let p = problems(&o);
    assert_eq!(
        p[0]["message"],
        "`--set rubric.extends` cannot change what a rubric extends: its bases are read before any override"
    );
    assert_eq!(p[0]["file"], "--set #1");
    assert_eq!(p[0]["key"], "rubric.extends");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn removing_a_criterion_from_the_command_line_leaves_it_out_of_every_score() {
    let dir = mini_with(&[]);
    let o = accord(
        dir.path(),
        &[
            "score",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--set",
            "criterion.a1.remove=true",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    // a1's evidence rows are still read (no "unknown field"); the score of XAB is that of the
    // mini rubric without a1, by hand: A = a2 = full = 100; B = mean(b2 "no" = 0, b3 one
    // partner = 50) = 25; index = (2 x 100 + 1 x 25) / 3 = 75 (with a1 = "no" it is 58.33).
    let scores = std::fs::read_to_string(dir.path().join("out/scores.csv")).expect("scores");
    // COINr's order ((2/3) * 100 + (1/3) * 25) lands one ulp below 75.
    let xab: f64 = scores
        .lines()
        .find(|l| l.starts_with("XAB,IDX,index,"))
        .and_then(|l| l.split(',').nth(3))
        .and_then(|v| v.parse().ok())
        .expect("XAB index");
    assert!((xab - 75.0).abs() < 1e-12, "{scores}");
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).expect("manifest"),
    )
    .expect("json");
    assert_eq!(m["rubric"]["left_out"], serde_json::json!(["a1"]));
    assert_eq!(
        m["rubric"]["overrides"],
        serde_json::json!(["criterion.a1.remove=true"])
    );

    // A node: every criterion under it. XAA without A is B: mean(b1 3 years = 50, b2 in force
    // = 100, b3 one partner in force on 2021-01-01 = 50) = 66.67 (66.66666666666666 in COINr's
    // order, each third times its value, then summed).
    let o = accord(
        dir.path(),
        &[
            "score",
            "--rubric",
            "rubric.toml",
            "--data",
            ".",
            "--set",
            "node.A.remove=true",
            "--out",
            "out_a",
        ],
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let scores = std::fs::read_to_string(dir.path().join("out_a/scores.csv")).expect("scores");
    assert!(
        scores.contains("XAA,IDX,index,66.66666666666666,"),
        "{scores}"
    );

    // Not a boolean, or nothing left: errors.
    for (set, message) in [
        (
            "criterion.a1.remove=1",
            "`criterion.a1.remove` must be true or false",
        ),
        (
            "node.IDX.remove=true",
            "`--set ... remove=true` leaves no criterion to score",
        ),
    ] {
        let o = accord(
            dir.path(),
            &[
                "validate",
                "--rubric",
                "rubric.toml",
                "--data",
                ".",
                "--set",
                set,
                "--error-format",
                "json",
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{set}");
        assert_eq!(problems(&o)[0]["message"], message);
    }
}

// Inputs are found again by the names a manifest records.

#[cfg(unix)]
#[test]
fn an_input_name_that_is_not_utf8_is_refused_clearly() {
    use std::os::unix::ffi::OsStrExt;
    let dir = mini_with(&[]);
    let name = std::ffi::OsStr::from_bytes(b"evidence-\xff.csv");
    std::fs::copy(dir.path().join("evidence.csv"), dir.path().join(name)).expect("copy");
    let o = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir.path())
        .args([
            "score",
            "--rubric",
            "rubric.toml",
            "--jurisdictions",
            "jurisdictions.csv",
        ])
        .arg("--evidence")
        .arg(name)
        .args(["--out", "out", "--error-format", "json"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    let p = problems(&o);
    assert_eq!(
        p[0]["message"],
        "the name `evidence-\u{fffd}.csv` given to --evidence is not valid UTF-8"
    );
    assert!(!dir.path().join("out").exists());
}

// `compare` reads a results folder only as accord wrote it.

#[test]
fn compare_refuses_a_folder_whose_files_no_longer_match_its_manifest() {
    let dir = mini_with(&[]);
    let data = ["--rubric", "rubric.toml", "--data", "."];
    for (out, set) in [
        ("a", "criterion.a1.weight=1"),
        ("b", "criterion.a1.weight=2"),
    ] {
        let o = accord(
            dir.path(),
            &[&["score"][..], &data, &["--set", set, "--out", out]].concat(),
        );
        assert!(o.status.success());
    }
    let o = accord(dir.path(), &["compare", "a", "b", "--out", "c1"]);
    assert!(o.status.success(), "{}", texts(&o).1);
    // Any listed file, not only the two compare reads.
    for file in ["ranking.csv", "matrix_cells.csv"] {
        let path = dir.path().join("b").join(file);
        let before = std::fs::read_to_string(&path).expect("file");
        std::fs::write(&path, before.replacen("XAB", "XAC", 1)).expect("edit");
        let o = accord(
            dir.path(),
            &["compare", "a", "b", "--out", "c2", "--error-format", "json"],
        );
        assert_eq!(o.status.code(), Some(2), "{file}");
        let p = problems(&o);
        let m = p[0]["message"].as_str().expect("message");
        assert!(
            m.starts_with(&format!("`b/{file}` has changed since accord wrote it")),
            "{m}"
        );
        assert_eq!(p[0]["file"], format!("b/{file}"));
        assert!(!dir.path().join("c2").exists());
        std::fs::write(&path, before).expect("restore");
    }
    // A listed file that is gone.
    std::fs::remove_file(dir.path().join("a/matrix_dimensions.csv")).expect("remove");
    let o = accord(
        dir.path(),
        &["compare", "a", "b", "--out", "c3", "--error-format", "json"],
    );
    assert_eq!(o.status.code(), Some(2));
    let m = problems(&o)[0]["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(m.contains("a/matrix_dimensions.csv"), "{m}");
}
