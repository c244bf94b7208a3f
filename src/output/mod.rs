//! Writing results: CSV cells, numbers, and results folders written whole or not at all.

pub mod check;
mod columnar;
mod files;
pub mod manifest;
pub mod schema;
mod stream;

pub use files::{
    manifest, manifest_of, manifest_with, ranking_order as files_ranking, score_files,
    score_files_as, score_tables, share, write_score_folder,
};

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Problem};

pub(crate) use stream::Rows;
pub use stream::{FolderWriter, TableWriter};

pub use crate::base::format::{number, opt_number};

/// A text cell made safe for spreadsheets: cells that begin with `=`, `+`, `-`, `@`, tab or
/// carriage return get a leading apostrophe so they are not run as formulas.
pub(crate) fn text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Builds a CSV file in memory.
pub(crate) struct Csv {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

impl Csv {
    /// An empty CSV with `\n` line endings.
    pub(crate) fn new() -> Csv {
        Csv {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new()),
        }
    }

    /// Writes one record (cells already formatted).
    pub(crate) fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        // Writing to a Vec cannot fail.
        let _ = self.writer.write_record(cells);
    }

    /// Writes one field of the current record (already formatted).
    pub(crate) fn field(&mut self, cell: &[u8]) {
        // Writing to a Vec cannot fail.
        let _ = self.writer.write_field(cell);
    }

    /// Ends the current record.
    pub(crate) fn end_row(&mut self) {
        let _ = self.writer.write_record(None::<&[u8]>);
    }

    /// The bytes.
    pub(crate) fn finish(self) -> Vec<u8> {
        self.writer.into_inner().unwrap_or_default()
    }
}

/// The files and folders a run reads. An output never replaces one of them, is never one of
/// them, and never holds one (all resolved through symlinks), whatever `--force` says.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    paths: Vec<PathBuf>,
}

impl Inputs {
    /// No inputs yet.
    pub fn new() -> Inputs {
        Inputs::default()
    }

    /// Adds a file or folder read by the run.
    pub fn add(&mut self, path: impl AsRef<Path>) -> &mut Inputs {
        self.paths.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds every rubric file read (the rubric and its `extends` bases).
    pub fn rubric(&mut self, rubric: &crate::rubric::Rubric) -> &mut Inputs {
        for (path, _) in &rubric.provenance.files {
            self.paths.push(PathBuf::from(path));
        }
        self
    }

    /// Refuses a target that is an input, or a folder holding one. A target that does not exist
    /// yet holds nothing. Writing beside or below the inputs stays allowed.
    pub fn check(&self, target: &Path) -> Result<(), Problem> {
        let Ok(t) = target.canonicalize() else {
            return Ok(());
        };
        let shown = target.display().to_string();
        for input in &self.paths {
            let Ok(i) = input.canonicalize() else {
                continue;
            };
            let what = if i == t {
                "is"
            } else if i.starts_with(&t) {
                "holds"
            } else {
                continue;
            };
            let kind = if i.is_dir() { "folder" } else { "file" };
            return Err(Problem::new(format!(
                "`{shown}` {what} the input {kind} `{}` of this run: an output never replaces an input",
                input.display()
            ))
            .at(Location::file(&shown))
            .help("choose another --out: a new folder beside or below the inputs is fine"));
        }
        Ok(())
    }
}

/// A results folder being written: files go to a hidden temporary folder beside the target,
/// which replaces the target only when every file is written.
pub struct OutputDir {
    target: PathBuf,
    tmp: Option<tempfile::TempDir>,
    replace: bool,
}

impl OutputDir {
    /// Prepares to write `target`. An existing target is refused unless `force`.
    pub fn begin(target: &Path, force: bool) -> Result<OutputDir, Error> {
        let shown = target.display().to_string();
        let replace = match std::fs::symlink_metadata(target) {
            Ok(meta) if meta.is_dir() => {
                if !force {
                    return Err(Problem::new(format!("the results folder `{shown}` already exists"))
                        .at(Location::file(&shown))
                        .help("pass --force to replace it (it is replaced whole, only once the new results are complete), or choose another --out")
                        .into());
                }
                true
            }
            Ok(_) => {
                return Err(
                    Problem::new(format!("`{shown}` exists and is not a folder"))
                        .at(Location::file(&shown))
                        .into(),
                );
            }
            Err(_) => false,
        };
        // A process cannot replace the folder it runs in (the rename fails with EBUSY).
        if replace
            && let (Ok(t), Ok(cwd)) = (
                target.canonicalize(),
                std::env::current_dir().and_then(|d| d.canonicalize()),
            )
            && t == cwd
        {
            return Err(Problem::new(format!(
                "`{shown}` is the current folder, which a run cannot replace"
            ))
            .at(Location::file(&shown))
            .help("choose a new folder with --out, e.g. --out results")
            .into());
        }
        // The hidden folder goes beside the target, never inside it: `--out .` names the current
        // folder, whose parent is found from its full path.
        let parent = match target.canonicalize().ok().filter(|_| replace) {
            Some(full) => match full.parent() {
                Some(p) => p.to_path_buf(),
                None => {
                    return Err(Problem::new(format!(
                        "`{shown}` is the root of the file system, which cannot be replaced"
                    ))
                    .at(Location::file(&shown))
                    .into());
                }
            },
            None => match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            },
        };
        if !parent.is_dir() {
            std::fs::create_dir_all(&parent).map_err(|e| Error::Write {
                path: parent.display().to_string(),
                source: e,
            })?;
        }
        let tmp = tempfile::Builder::new()
            .prefix(".accord-partial-")
            .tempdir_in(&parent)
            .map_err(|e| Error::Write {
                path: parent.display().to_string(),
                source: e,
            })?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            tmp: Some(tmp),
            replace,
        })
    }

    /// Writes one file into the folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let Some(tmp) = &self.tmp else {
            return Err(Error::Internal("results folder already committed".into()));
        };
        let path = tmp.path().join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::Write {
            path: self.target.join(name).display().to_string(),
            source: e,
        })
    }

    /// Creates the file `name` in the folder, for writing as it is built: the file, and its
    /// path in the target as messages name it.
    pub(crate) fn create(&self, name: &str) -> Result<(std::fs::File, String), Error> {
        let Some(tmp) = &self.tmp else {
            return Err(Error::Internal("results folder already committed".into()));
        };
        let shown = self.target.join(name).display().to_string();
        match std::fs::File::create(tmp.path().join(name)) {
            Ok(f) => Ok((f, shown)),
            Err(e) => Err(Error::Write {
                path: shown,
                source: e,
            }),
        }
    }

    /// Puts the folder in place: renames the finished temporary folder onto the target, unless
    /// the target is one of the run's inputs or holds one (then nothing is changed).
    pub fn commit(mut self, inputs: &Inputs) -> Result<(), Error> {
        let Some(tmp) = self.tmp.take() else {
            return Err(Error::Internal("results folder already committed".into()));
        };
        // Refused before anything moves; dropping `tmp` removes the unfinished folder.
        inputs.check(&self.target)?;
        let built = tmp.keep();
        let err = |e: std::io::Error, path: &Path| Error::Write {
            path: path.display().to_string(),
            source: e,
        };
        if self.replace {
            // Swap the new folder and the old one in one atomic step where the system can (Linux
            // renameat2 RENAME_EXCHANGE), so that the target is never missing, even if the
            // process is killed; the old folder, now at the temporary name, is then removed.
            if exchange(&built, &self.target) {
                let _ = std::fs::remove_dir_all(&built);
                return Ok(());
            }
            // Elsewhere: move the old folder aside, then the new one in. The target is missing
            // between the two renames; a process killed there leaves both hidden folders.
            let parent = built
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            let fail = |e: Error| {
                let _ = std::fs::remove_dir_all(&built);
                e
            };
            let old = tempfile::Builder::new()
                .prefix(".accord-old-")
                .tempdir_in(&parent)
                .map_err(|e| fail(err(e, &parent)))?
                .keep();
            std::fs::remove_dir(&old).map_err(|e| fail(err(e, &old)))?;
            std::fs::rename(&self.target, &old).map_err(|e| fail(err(e, &self.target)))?;
            if let Err(e) = std::fs::rename(&built, &self.target) {
                let _ = std::fs::rename(&old, &self.target);
                let _ = std::fs::remove_dir_all(&built);
                return Err(err(e, &self.target));
            }
            let _ = std::fs::remove_dir_all(&old);
        } else if let Err(e) = std::fs::rename(&built, &self.target) {
            let _ = std::fs::remove_dir_all(&built);
            return Err(err(e, &self.target));
        }
        Ok(())
    }
}

/// Exchanges two existing paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`); false if
/// the system or the file system cannot, and nothing was changed.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

/// Exchanges two existing paths atomically: not available here, so never done.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}
