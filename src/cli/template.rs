//! `accord template`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{DEFAULT_RUBRIC, print_exact};
use accord::error::{Error, InputError, Problem};
use accord::evidence::Form;
use accord::rubric::{self, LoadOptions};

/// Arguments of `template`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Rubric TOML [default: rubrics/paris-call.toml].
    #[arg(long, value_name = "FILE")]
    pub rubric: Option<PathBuf>,
    /// Jurisdictions CSV: one block of rows per jurisdiction.
    #[arg(long, value_name = "FILE")]
    pub jurisdictions: Option<PathBuf>,
    /// Long form (one row per jurisdiction and field, with questions) or wide form.
    #[arg(long, value_enum, default_value_t = TemplateForm::Long)]
    pub form: TemplateForm,
    /// Write to this file instead of stdout (refused if it exists, unless --force).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Sheet layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateForm {
    /// jurisdiction,criterion,value,...
    Long,
    /// jurisdiction,name,<field>,...
    Wide,
}

/// Runs `template`.
pub fn run(args: &TemplateArgs, limits: &accord::limits::Limits) -> Result<(), Error> {
    let path = args
        .rubric
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_RUBRIC));
    let options = LoadOptions {
        limits: *limits,
        ..LoadOptions::default()
    };
    let rubric = rubric::load(&path, &options)?;
    let juris = match &args.jurisdictions {
        Some(p) => Some(accord::evidence::load_jurisdictions(p, &rubric, limits)?),
        None => None,
    };
    let form = match args.form {
        TemplateForm::Long => Form::Long,
        TemplateForm::Wide => Form::Wide,
    };
    let bytes = accord::template::template(&rubric, juris.as_ref(), form);
    match &args.out {
        None => print_exact(&String::from_utf8_lossy(&bytes)),
        Some(out) => {
            let mut guard = accord::output::Inputs::new();
            guard.rubric(&rubric);
            if let Some(j) = &args.jurisdictions {
                guard.add(j);
            }
            guard.check(out)?;
            if out.exists() && !args.force {
                return Err(InputError::one(
                    Problem::new(format!("`{}` already exists", out.display()))
                        .help("pass --force to replace it"),
                )
                .into());
            }
            let dir = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            let tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| Error::Write {
                path: out.display().to_string(),
                source: e,
            })?;
            std::fs::write(tmp.path(), &bytes).map_err(|e| Error::Write {
                path: out.display().to_string(),
                source: e,
            })?;
            tmp.persist(out).map_err(|e| Error::Write {
                path: out.display().to_string(),
                source: e.error,
            })?;
            Ok(())
        }
    }
}
