//! `accord report`: one self-contained HTML file (and, with `--format svg`, a folder of
//! standalone SVG charts) from results folders.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{Cli, print};
use accord::error::{Error, Location, Problem};
use accord::output::OutputDir;
use accord::report;

/// What `report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The HTML file only.
    Html,
    /// The HTML file, and every chart as a standalone SVG in a folder beside it (`NAME_svg/`).
    Svg,
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Results folders: a `score` folder, and optionally an `align` and a `sensitivity` folder.
    #[arg(required = true, value_name = "RESULTS_DIR")]
    pub results: Vec<PathBuf>,
    /// A `compare` folder: adds the rank-shift slope chart.
    #[arg(long, value_name = "DIR")]
    pub compare: Option<PathBuf>,
    /// The HTML file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace the HTML file (and the SVG folder) if they exist.
    #[arg(long)]
    pub force: bool,
    /// Also write each chart as a standalone SVG file.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
}

/// The SVG folder beside the report: `report.html` gives `report_svg`.
pub fn svg_folder(out: &Path) -> PathBuf {
    let stem = out.file_stem().map_or_else(
        || "report".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    out.with_file_name(format!("{stem}_svg"))
}

/// Runs `report`.
pub fn run(args: &ReportArgs, cli: &Cli) -> Result<(), Error> {
    check_target(&args.out, args.force)?;
    let svg_dir = (args.format == ReportFormat::Svg).then(|| svg_folder(&args.out));
    check_not_inside(&args.out, &args.results, args.compare.as_deref())?;
    let mut guard = accord::output::Inputs::new();
    for dir in args.results.iter().chain(args.compare.as_ref()) {
        guard.add(dir);
    }
    guard.check(&args.out)?;
    let model = report::read(&args.results, args.compare.as_deref())?;
    let rendered = report::html::render(&model)?;
    if let Some(dir) = &svg_dir {
        let out = OutputDir::begin(dir, args.force)?;
        for chart in &rendered.charts {
            out.write(
                &format!("{}.svg", chart.file),
                chart.svg.finish(true).as_bytes(),
            )?;
        }
        out.commit(&guard)?;
    }
    write_atomically(&args.out, rendered.html.as_bytes(), args.force)?;
    if !cli.quiet {
        let mut line = format!(
            "wrote {} ({:.1} MB, {} charts) from {} results folder{}",
            args.out.display(),
            rendered.html.len() as f64 / 1e6,
            rendered.charts.len(),
            args.results.len() + usize::from(args.compare.is_some()),
            if args.results.len() + usize::from(args.compare.is_some()) == 1 {
                ""
            } else {
                "s"
            }
        );
        if let Some(dir) = &svg_dir {
            line.push_str(&format!(
                "; {} SVG files in {}/",
                rendered.charts.len(),
                dir.display()
            ));
        }
        line.push('\n');
        print(&line)?;
    }
    Ok(())
}

/// Refuses an existing file unless `force`, and anything that is not a file.
fn check_target(out: &Path, force: bool) -> Result<(), Error> {
    let shown = out.display().to_string();
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.is_dir() => Err(Problem::new(format!(
            "`{shown}` is a folder; --out names the HTML file to write"
        ))
        .at(Location::file(&shown))
        .help("give a file name, e.g. --out report.html")
        .into()),
        Ok(_) if !force => Err(Problem::new(format!("the report `{shown}` already exists"))
            .at(Location::file(&shown))
            .help("pass --force to replace it (atomically), or choose another --out")
            .into()),
        _ => Ok(()),
    }
}

/// Refuses to write into one of the folders read: a report never changes its inputs.
fn check_not_inside(out: &Path, dirs: &[PathBuf], compare: Option<&Path>) -> Result<(), Error> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The nearest folder that exists: the report's folder may be created below it.
    let Some(parent) = parent.ancestors().find_map(|p| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        p.canonicalize().ok()
    }) else {
        return Ok(());
    };
    for dir in dirs.iter().map(PathBuf::as_path).chain(compare) {
        if dir.canonicalize().is_ok_and(|d| parent.starts_with(&d)) {
            return Err(Problem::new(format!(
                "--out `{}` is inside the results folder `{}`, which a report only reads",
                out.display(),
                dir.display()
            ))
            .at(Location::file(out.display().to_string()))
            .help("write the report beside the folder, e.g. --out report.html")
            .into());
        }
    }
    Ok(())
}

/// Writes a file whole or not at all: a temporary file beside the target, renamed onto it.
fn write_atomically(out: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let err = |e: std::io::Error, p: &Path| Error::Write {
        path: p.display().to_string(),
        source: e,
    };
    if !parent.is_dir() {
        std::fs::create_dir_all(&parent).map_err(|e| err(e, &parent))?;
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".accord-partial-")
        .suffix(".html")
        .tempfile_in(&parent)
        .map_err(|e| err(e, &parent))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.flush())
        .map_err(|e| err(e, out))?;
    // Temporary files are private (0600); a report is a document to share like any other file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| err(e, out))?;
    }
    let persisted = if force {
        tmp.persist(out)
    } else {
        tmp.persist_noclobber(out)
    };
    persisted.map_err(|e| err(e.error, out))?;
    Ok(())
}
