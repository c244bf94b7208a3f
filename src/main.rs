//! The `accord` binary: parse arguments, call the library, map errors to exit codes.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use accord::cli::{self, Cli, ErrorFormat};
use accord::error::Error;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Input(e)) => {
            let text = match cli.error_format {
                ErrorFormat::Json => format!("{}\n", e.to_json()),
                ErrorFormat::Human => {
                    let tty = std::io::stderr().is_terminal();
                    e.render(tty && std::env::var_os("NO_COLOR").is_none(), tty)
                }
            };
            eprint!("{text}");
            ExitCode::from(2)
        }
        Err(e @ Error::Write { .. }) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(Error::Mismatch(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(1)
        }
        Err(e @ Error::Internal(_)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
