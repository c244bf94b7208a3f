//! The `accord` binary: parse arguments, call the library, map errors to exit codes. The command
//! line (clap, the progress bar) lives here and in `cli/`; the library knows neither.

mod cli;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use accord::error::{Error, InputError, Problem, terminal_safe, unsafe_on_terminal};
use cli::{Cli, ErrorFormat};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, &args),
    };
    match cli::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e, cli.error_format);
            ExitCode::from(e.exit_code())
        }
    }
}

/// Writes a failure to stderr: every problem of bad input (as JSON when asked for), else one
/// line; an internal error's line asks for it to be reported.
fn report(e: &Error, format: ErrorFormat) {
    let text = match e {
        Error::Input(e) => match format {
            ErrorFormat::Json => format!("{}\n", e.to_json()),
            ErrorFormat::Human => {
                let tty = std::io::stderr().is_terminal();
                e.render(tty && std::env::var_os("NO_COLOR").is_none(), tty)
            }
        },
        Error::Mismatch(m) => format!("error: {}\n", terminal_safe(m)),
        Error::Write { .. } | Error::Cancelled { .. } | Error::Internal(_) => {
            format!("error: {}\n", terminal_safe(&e.to_string()))
        }
    };
    to_stderr(&text);
}

/// Writes to stderr, ignoring failure: with stderr closed or full (`2>/dev/full`) there is
/// nowhere to report to, and the exit code still says what happened.
fn to_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// True when the command line asks for `--error-format json`, read from the raw arguments
/// because clap could not parse them.
fn json_asked(args: &[OsString]) -> bool {
    let mut asked = false;
    let mut args = args.iter().skip(1).map(|a| a.to_str().unwrap_or(""));
    while let Some(a) = args.next() {
        match a {
            "--" => break,
            "--error-format" => asked = args.next() == Some("json"),
            _ => {
                if let Some(v) = a.strip_prefix("--error-format=") {
                    asked = v == "json";
                }
            }
        }
    }
    asked
}

/// A command line clap refused: `--help` and `--version` print as asked (exit 0); a usage
/// error is a problem like any other (exit 2), as JSON when asked for, else clap's text made
/// safe for a terminal.
fn usage_error(e: &clap::Error, args: &[OsString]) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let json = json_asked(args);
    // Without colours: clap leaves out escape sequences, and the rest is escaped here.
    let plain = e.render().to_string();
    if json && e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let problem = Problem::new("no command given").help("`accord --help` lists the commands");
        to_stderr(&format!("{}\n", InputError::one(problem).to_json()));
    } else if json {
        let mut lines = plain.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or("invalid command line");
        let message = first.strip_prefix("error: ").unwrap_or(first);
        let mut problem = Problem::new(message.to_string());
        let help: Vec<&str> = lines.collect();
        if !help.is_empty() {
            problem = problem.help(help.join("\n"));
        }
        let arg = e.get(ContextKind::InvalidArg).and_then(|v| match v {
            ContextValue::String(s) => Some(s.clone()),
            _ => None,
        });
        let mut json = InputError::one(problem).to_json();
        if let Some(arg) = arg
            && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&json)
        {
            v["problems"][0]["key"] = serde_json::Value::String(arg);
            json = serde_json::to_string_pretty(&v).unwrap_or(json);
        }
        to_stderr(&format!("{json}\n"));
    } else if !args
        .iter()
        .any(|a| a.to_string_lossy().chars().any(unsafe_on_terminal))
    {
        // Nothing to escape: clap's own rendering, coloured on a terminal.
        let _ = e.print();
    } else {
        to_stderr(&terminal_safe(&plain));
    }
    ExitCode::from(2)
}
