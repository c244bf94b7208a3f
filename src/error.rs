//! Errors: user mistakes (`Problem`, collected into `InputError`) kept apart from internal faults.
//!
//! Every problem a user can fix names the file, and where known the line, column and TOML key or CSV
//! field, and carries an optional `help` line. Problems are collected, not thrown one at a time, so a
//! researcher sees every mistake in a file in one run.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

/// The text of an input file, shared by every problem that points into it.
pub struct SourceText {
    /// The name the user gave (a path as typed, or `--set` for command-line overrides).
    pub name: String,
    /// The whole text, used to turn byte offsets into lines and to render snippets.
    pub text: String,
}

/// Shows the name and size, not the text: a problem in a 50 MB file prints as one line.
impl std::fmt::Debug for SourceText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceText")
            .field("name", &self.name)
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl SourceText {
    /// Wraps a named text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(SourceText {
            name: name.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column of a byte offset (columns count characters).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.text.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        (line, self.column(offset))
    }

    /// 1-based column (in characters) of a byte offset, found from the start of its line only.
    pub fn column(&self, offset: usize) -> usize {
        let before = &self.text.as_bytes()[..offset.min(self.text.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1
    }
}

/// Where a problem is: a file and, when known, a line, column, span and key or field name.
#[derive(Debug, Clone)]
pub struct Location {
    /// File name as the user gave it.
    pub file: String,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// TOML key path, CSV column name or spreadsheet cell.
    pub key: Option<String>,
    /// Byte span in `source`, for an underlined snippet.
    pub span: Option<(usize, usize)>,
    /// The file's text, when it is in memory.
    pub source: Option<Arc<SourceText>>,
}

impl Location {
    /// A location that only names a file.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
            key: None,
            span: None,
            source: None,
        }
    }

    /// A location at a byte span of a text in memory.
    pub fn span(source: &Arc<SourceText>, start: usize, end: usize) -> Self {
        let (line, column) = source.line_col(start);
        Location {
            file: source.name.clone(),
            line: Some(line),
            column: Some(column),
            key: None,
            span: Some((start, end.max(start))),
            source: Some(source.clone()),
        }
    }

    /// A location at a byte span whose 1-based line the caller already knows (a table row knows
    /// its line), so nothing before the line's start is read: problems in a large file stay cheap.
    pub fn span_on_line(source: &Arc<SourceText>, start: usize, end: usize, line: usize) -> Self {
        Location {
            file: source.name.clone(),
            line: Some(line),
            column: Some(source.column(start)),
            key: None,
            span: Some((start, end.max(start))),
            source: Some(source.clone()),
        }
    }

    /// A location from a `file:line` place (as evidence rows record them).
    pub fn place(place: &str) -> Self {
        match place.rsplit_once(':') {
            Some((file, line))
                if !file.is_empty()
                    && line.chars().all(|c| c.is_ascii_digit())
                    && !line.is_empty() =>
            {
                Location::line_col(file, line.parse().unwrap_or(0), None)
            }
            _ => Location::file(place),
        }
    }

    /// A location given by line and column only.
    pub fn line_col(file: impl Into<String>, line: usize, column: Option<usize>) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
            column,
            key: None,
            span: None,
            source: None,
        }
    }

    /// Adds the key path or column name.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// One thing wrong with the user's input.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Lowercase sentence naming the user's input in backticks.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Where it is (boxed: problems travel in `Result`s and should stay small).
    pub location: Option<Box<Location>>,
    /// Other places involved (the first of two conflicting rows, the base of an `extends`).
    pub related: Vec<(String, Location)>,
}

impl Problem {
    /// A problem with a message and no location yet.
    pub fn new(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            help: None,
            location: None,
            related: Vec::new(),
        }
    }

    /// Sets where the problem is.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Says that reading `file` stopped after [`MAX_PROBLEMS`] problems.
    pub fn stopped(file: &str) -> Self {
        Problem::new(format!(
            "stopped after the first {MAX_PROBLEMS} problems; the rest of the file was not checked"
        ))
        .at(Location::file(file))
        .help("fix these and run again")
    }

    /// Adds a related place with a short label.
    pub fn related(mut self, label: impl Into<String>, location: Location) -> Self {
        self.related.push((label.into(), location));
        self
    }

    /// `file:line:col: message`, the one-line form used in tests and plain logs.
    pub fn one_line(&self) -> String {
        let mut out = String::new();
        if let Some(loc) = &self.location {
            out.push_str(&loc.to_string());
            out.push_str(": ");
        }
        out.push_str(&self.message);
        if let Some(key) = self.location.as_ref().and_then(|l| l.key.as_ref()) {
            out.push_str(&format!(" [{key}]"));
        }
        out
    }

    /// The problem as a JSON object for `--error-format json`.
    pub fn to_json(&self) -> serde_json::Value {
        let loc = self.location.as_ref();
        serde_json::json!({
            "message": self.message,
            "help": self.help,
            "file": loc.map(|l| l.file.clone()),
            "line": loc.and_then(|l| l.line),
            "column": loc.and_then(|l| l.column),
            "key": loc.and_then(|l| l.key.clone()),
            "related": self.related.iter().map(|(label, l)| serde_json::json!({
                "label": label, "file": l.file, "line": l.line, "column": l.column,
            })).collect::<Vec<_>>(),
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            // With a snippet miette prints the location itself; without one the headline carries it.
            Some(loc)
                if loc.span.is_none()
                    || loc.source.as_ref().is_some_and(|s| {
                        loc.span
                            .is_some_and(|(a, b)| line_len(&s.text, a) > 400 || b - a > 400)
                    }) =>
            {
                write!(f, "{}: {}", loc, self.message)
            }
            _ => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for Problem {}

/// A `Problem` seen through miette, with its snippet.
struct Rendered<'a> {
    problem: &'a Problem,
    named: Option<Snippet>,
}

/// The few lines around a problem's span, standing in for the whole file: miette reads a source
/// from its start to find lines, and copying or scanning a 50 MB file once per problem would
/// make reporting 200 problems take seconds. Offsets stay those of the whole file.
struct Snippet {
    name: String,
    /// The lines shown.
    text: String,
    /// Byte offset of `text` in the file.
    offset: usize,
    /// 0-based line of `text`'s first line in the file.
    first_line: usize,
}

impl Snippet {
    /// The span's lines and `context` lines either side; `line` is the 1-based line of `start`.
    fn around(source: &SourceText, start: usize, end: usize, line: usize, context: usize) -> Self {
        let b = source.text.as_bytes();
        let (start, end) = (start.min(b.len()), end.min(b.len()));
        // Back over the span's own line start and `context` more line breaks.
        let mut from = start;
        let mut breaks = 0;
        while from > 0 {
            if b[from - 1] == b'\n' {
                if breaks == context {
                    break;
                }
                breaks += 1;
            }
            from -= 1;
        }
        let mut to = end;
        let mut after = 0;
        while to < b.len() {
            if b[to] == b'\n' {
                if after == context {
                    break;
                }
                after += 1;
            }
            to += 1;
        }
        // Offsets from spans are character boundaries and line breaks are ASCII.
        let text = source.text.get(from..to).unwrap_or_default().to_string();
        Snippet {
            name: source.name.clone(),
            text,
            offset: from,
            first_line: line.saturating_sub(1).saturating_sub(breaks),
        }
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> std::result::Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let local =
            miette::SourceSpan::new(span.offset().saturating_sub(self.offset).into(), span.len());
        let inner =
            self.text
                .as_str()
                .read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            miette::SourceSpan::new(
                (inner.span().offset() + self.offset).into(),
                inner.span().len(),
            ),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.problem, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.problem, f)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(h) = &self.problem.help {
            parts.push(h.clone());
        }
        for (label, loc) in &self.problem.related {
            parts.push(format!("{label}: {loc}"));
        }
        if parts.is_empty() {
            None
        } else {
            Some(Box::new(parts.join("\n")))
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.named.as_ref().map(|n| n as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.problem.location.as_ref()?;
        let (start, end) = loc.span?;
        self.named.as_ref()?;
        let label = loc.key.clone().unwrap_or_else(|| "here".to_string());
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(label),
            start,
            end - start,
        ))))
    }
}

/// Length of the line holding byte `at`.
fn line_len(text: &str, at: usize) -> usize {
    let b = text.as_bytes();
    let at = at.min(b.len());
    let start = b[..at]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let end = b[at..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| at + p);
    end - start
}

/// Every problem found in the user's input; nothing was written.
#[derive(Debug, Clone, Default)]
pub struct InputError {
    /// The problems, in the order they were found.
    pub problems: Vec<Problem>,
}

impl InputError {
    /// A single problem.
    pub fn one(problem: Problem) -> Self {
        InputError {
            problems: vec![problem],
        }
    }

    /// Renders every problem for a terminal (`color`, `unicode`) or plain text.
    pub fn render(&self, color: bool, unicode: bool) -> String {
        let theme = match (color, unicode) {
            (true, true) => miette::GraphicalTheme::unicode(),
            (false, true) => miette::GraphicalTheme::unicode_nocolor(),
            (true, false) => miette::GraphicalTheme {
                characters: miette::ThemeCharacters::ascii(),
                ..miette::GraphicalTheme::unicode()
            },
            (false, false) => miette::GraphicalTheme::none(),
        };
        // Wrap for a terminal; not for logs and scripts, which search the messages.
        let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(if unicode {
            100
        } else {
            100_000
        });
        let mut out = String::new();
        for problem in &self.problems {
            // A snippet of a very long line (a 10 MB cell) would drown the message.
            let named = problem
                .location
                .as_ref()
                .filter(|l| {
                    l.span.is_some_and(|(start, end)| {
                        l.source
                            .as_ref()
                            .is_some_and(|s| line_len(&s.text, start) <= 400 && end - start <= 400)
                    })
                })
                .and_then(|l| {
                    let (start, end) = l.span?;
                    let source = l.source.as_ref()?;
                    let line = l.line.unwrap_or_else(|| source.line_col(start).0);
                    Some(Snippet::around(source, start, end, line, 3))
                });
            let rendered = Rendered { problem, named };
            if handler.render_report(&mut out, &rendered).is_err() {
                out.push_str(&problem.one_line());
                out.push('\n');
            }
        }
        let n = self.problems.len();
        out.push_str(&format!(
            "error: {n} problem{} found; nothing was written\n",
            if n == 1 { "" } else { "s" }
        ));
        out
    }

    /// The problems as a JSON array.
    pub fn to_json(&self) -> String {
        let arr: Vec<_> = self.problems.iter().map(Problem::to_json).collect();
        serde_json::to_string_pretty(&serde_json::json!({ "problems": arr }))
            .unwrap_or_else(|_| "{\"problems\":[]}".to_string())
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", p.one_line())?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

impl From<Problem> for InputError {
    fn from(p: Problem) -> Self {
        InputError::one(p)
    }
}

/// Any failure of an accord command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input is wrong (exit code 2).
    #[error("{0}")]
    Input(#[from] InputError),
    /// Writing output failed (exit code 1 unless the cause is a user path, reported as input).
    #[error("could not write `{path}`: {source}")]
    Write {
        /// The path being written.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// `score --check` found that a folder is not reproduced (exit code 1).
    #[error("{0}")]
    Mismatch(String),
    /// A bug: an invariant of accord itself was violated (exit code 1).
    #[error("internal error (a bug in accord, please report it): {0}")]
    Internal(String),
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error::Input(InputError::one(p))
    }
}

/// Result of accord operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Problems a reader records before it stops reading a file: past this, a wrong separator or a
/// shifted column would print the same mistake for every row.
pub const MAX_PROBLEMS: usize = 200;

/// Collects problems while a stage keeps going, so that all of them are reported at once.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    /// An empty collection.
    pub fn new() -> Self {
        Problems::default()
    }

    /// Records a problem.
    pub fn push(&mut self, p: Problem) {
        self.list.push(p);
    }

    /// True once [`MAX_PROBLEMS`] are recorded: a reader of a large file stops looking there, and
    /// then records [`Problem::stopped`].
    pub fn full(&self) -> bool {
        self.list.len() >= MAX_PROBLEMS
    }

    /// Records every problem of another collection or error.
    pub fn extend(&mut self, e: InputError) {
        self.list.extend(e.problems);
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many problems so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// `Ok(value)` if nothing was recorded, else every problem.
    pub fn finish<T>(self, value: T) -> std::result::Result<T, InputError> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(InputError {
                problems: self.list,
            })
        }
    }

    /// Fails now with what was recorded, if anything.
    pub fn check(&mut self) -> std::result::Result<(), InputError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(InputError {
                problems: std::mem::take(&mut self.list),
            })
        }
    }
}

/// "did you mean `x`?" when a candidate is close, else the list of what there is: the help for a
/// name that is not among `candidates` (called `what`, e.g. "declared instruments").
pub fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    did_you_mean(word, candidates.clone()).unwrap_or_else(|| {
        let all: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
        if all.is_empty() {
            format!("there are no {what}")
        } else {
            format!("{what}: {}", all.join(", "))
        }
    })
}

/// "did you mean `x`?" for the closest candidate, if one is close enough: within an edit distance
/// of a third of the word's length (at least 1), or very similar by Jaro-Winkler.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let w = word.to_lowercase();
    let allowed = (w.chars().count() / 3).max(1);
    let mut best: Option<(usize, f64, &str)> = None;
    for c in candidates {
        let lc = c.to_lowercase();
        if lc == w {
            return Some(format!("did you mean `{c}`?"));
        }
        let d = strsim::levenshtein(&w, &lc);
        let jw = strsim::jaro_winkler(&w, &lc);
        if d > allowed && jw < 0.88 {
            continue;
        }
        let better = match best {
            None => true,
            Some((bd, bj, _)) => d < bd || (d == bd && jw > bj),
        };
        if better {
            best = Some((d, jw, c));
        }
    }
    best.map(|(_, _, c)| format!("did you mean `{c}`?"))
}
