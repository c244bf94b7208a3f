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
    /// Checkpoints for turning offsets into lines and columns, built on first use.
    index: std::sync::OnceLock<LineIndex>,
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

/// Bytes between two checkpoints of a [`LineIndex`].
const STRIDE: usize = 4096;

/// What is known at every [`STRIDE`]th byte of a text: how many line breaks and characters come
/// before it, and where the last line break before it is. Built once per text in one pass, it
/// turns any offset into a line and column by reading at most one stride, so locating every
/// problem of a file costs the same as reading the file once, however many problems there are
/// and however long its lines. It takes 24 bytes per 4 KB of text.
#[derive(Debug)]
struct LineIndex {
    /// Line breaks in `text[..k * STRIDE]`.
    breaks: Vec<usize>,
    /// Characters (UTF-8 lead bytes) in `text[..k * STRIDE]`.
    chars: Vec<usize>,
    /// One past the last line break in `text[..k * STRIDE]` (0 if none): the start of the line
    /// holding byte `k * STRIDE`.
    line_start: Vec<usize>,
}

/// Characters in a slice of UTF-8: the bytes that are not continuation bytes.
fn lead_bytes(b: &[u8]) -> usize {
    b.iter().filter(|&&c| (c as i8) >= -0x40).count()
}

impl LineIndex {
    fn new(b: &[u8]) -> Self {
        let n = b.len() / STRIDE + 1;
        let (mut breaks, mut chars, mut line_start) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut nl, mut ch, mut start) = (0, 0, 0);
        for (k, chunk) in b.chunks(STRIDE).enumerate() {
            breaks.push(nl);
            chars.push(ch);
            line_start.push(start);
            nl += memchr::memchr_iter(b'\n', chunk).count();
            ch += lead_bytes(chunk);
            if let Some(p) = memchr::memrchr(b'\n', chunk) {
                start = k * STRIDE + p + 1;
            }
        }
        if b.len().is_multiple_of(STRIDE) {
            breaks.push(nl);
            chars.push(ch);
            line_start.push(start);
        }
        LineIndex {
            breaks,
            chars,
            line_start,
        }
    }

    /// The checkpoint at or before `offset`, and its byte position.
    fn checkpoint(&self, offset: usize) -> (usize, usize) {
        let k = (offset / STRIDE).min(self.breaks.len() - 1);
        (k, k * STRIDE)
    }

    /// 0-based line of `offset`.
    fn line(&self, b: &[u8], offset: usize) -> usize {
        let (k, at) = self.checkpoint(offset);
        self.breaks[k] + memchr::memchr_iter(b'\n', &b[at..offset]).count()
    }

    /// Characters before `offset`.
    fn chars(&self, b: &[u8], offset: usize) -> usize {
        let (k, at) = self.checkpoint(offset);
        self.chars[k] + lead_bytes(&b[at..offset])
    }

    /// Start of the line holding `offset`.
    fn line_start(&self, b: &[u8], offset: usize) -> usize {
        let (k, at) = self.checkpoint(offset);
        memchr::memrchr(b'\n', &b[at..offset]).map_or(self.line_start[k], |p| at + p + 1)
    }
}

impl SourceText {
    /// Wraps a named text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(SourceText {
            name: name.into(),
            text: text.into(),
            index: std::sync::OnceLock::new(),
        })
    }

    fn index(&self) -> &LineIndex {
        self.index
            .get_or_init(|| LineIndex::new(self.text.as_bytes()))
    }

    /// 1-based line and column of a byte offset (columns count characters).
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.index().line(self.text.as_bytes(), offset) + 1;
        (line, self.column(offset))
    }

    /// 1-based column (in characters) of a byte offset. A line start within a stride before
    /// the offset is found directly, so a problem on a row of a large table does not build the
    /// index of the whole file; a longer line is measured through the index.
    pub(crate) fn column(&self, offset: usize) -> usize {
        let b = self.text.as_bytes();
        let offset = offset.min(b.len());
        let near = offset.saturating_sub(STRIDE);
        let start = match memchr::memrchr(b'\n', &b[near..offset]) {
            Some(p) => near + p + 1,
            None if near == 0 => 0,
            None => {
                let index = self.index();
                let start = index.line_start(b, offset);
                return index.chars(b, offset) - index.chars(b, start) + 1;
            }
        };
        lead_bytes(&b[start..offset]) + 1
    }
}

/// How [`Problem::stopped`] begins: [`Problems`] keeps it past the cap.
const STOPPED: &str = "stopped after the first";

/// How the count of problems not kept begins (`and 12 more problems not shown`).
const NOT_SHOWN: &str = "and ";

/// The count in a message of problems not kept, so that collections merged into one add up.
fn not_shown(message: &str) -> Option<usize> {
    let rest = message.strip_prefix(NOT_SHOWN)?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let tail = &rest[digits..];
    if digits == 0
        || !tail.starts_with(" more problem")
        || !tail.contains(" not shown: only the first")
    {
        return None;
    }
    rest[..digits].parse().ok()
}

/// 1-based line and column (in characters, bytes that are not UTF-8 counting one each) of byte
/// `at` of a file that could not be read as text.
pub(crate) fn line_col_of(bytes: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(bytes.len());
    let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1;
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
    (
        line,
        String::from_utf8_lossy(&bytes[start..at]).chars().count() + 1,
    )
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
    pub(crate) fn span(source: &Arc<SourceText>, start: usize, end: usize) -> Self {
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
    pub(crate) fn span_on_line(
        source: &Arc<SourceText>,
        start: usize,
        end: usize,
        line: usize,
    ) -> Self {
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
    pub(crate) fn place(place: &str) -> Self {
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
    pub(crate) fn line_col(file: impl Into<String>, line: usize, column: Option<usize>) -> Self {
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
    pub(crate) fn with_key(mut self, key: impl Into<String>) -> Self {
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
            "{STOPPED} {MAX_PROBLEMS} problems; the rest of the file was not checked"
        ))
        .at(Location::file(file))
        .help("fix these and run again")
    }

    /// Adds a related place with a short label.
    pub(crate) fn related(mut self, label: impl Into<String>, location: Location) -> Self {
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
                    || loc
                        .source
                        .as_ref()
                        .is_some_and(|s| loc.span.is_some_and(|span| !showable(s, span))) =>
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
/// make reporting 200 problems take seconds. The lines are made safe for a terminal
/// ([`terminal_safe`]), which lengthens them; offsets are the file's up to the snippet's start
/// and count in the safe text from there ([`Snippet::place`] maps a file offset).
struct Snippet {
    name: String,
    /// The lines shown, made safe for a terminal.
    text: String,
    /// Byte offset of the first line in the file.
    offset: usize,
    /// 0-based line of `text`'s first line in the file.
    first_line: usize,
    /// Where `text` grew: (offset in the original lines, bytes added there).
    grew: Vec<(usize, usize)>,
}

impl Snippet {
    /// The span's lines and up to `context` short lines either side; `line` is the 1-based line
    /// of `start`. The span's own line is short ([`showable`]); a longer neighbour ends the
    /// context, so at most a few KB are copied.
    fn around(source: &SourceText, start: usize, end: usize, line: usize, context: usize) -> Self {
        let b = source.text.as_bytes();
        let (start, end) = (start.min(b.len()), end.min(b.len()));
        let line_start = |at: usize| {
            let lo = at.saturating_sub(SNIPPET_MAX + 1);
            match memchr::memrchr(b'\n', &b[lo..at]) {
                Some(p) => Some(lo + p + 1),
                None => (lo == 0).then_some(0),
            }
        };
        let line_end = |at: usize| {
            let hi = (at + SNIPPET_MAX + 1).min(b.len());
            match memchr::memchr(b'\n', &b[at..hi]) {
                Some(p) => Some(at + p),
                None => (hi == b.len()).then_some(hi),
            }
        };
        let mut from = line_start(start).unwrap_or(start);
        let mut breaks = 0;
        while breaks < context && from > 0 {
            match line_start(from - 1) {
                Some(s) => {
                    from = s;
                    breaks += 1;
                }
                None => break,
            }
        }
        let mut to = line_end(end).unwrap_or(end);
        for _ in 0..context {
            if to >= b.len() {
                break;
            }
            match line_end(to + 1) {
                Some(e) => to = e,
                None => break,
            }
        }
        // Offsets from spans are character boundaries and line breaks are ASCII.
        let original = source.text.get(from..to).unwrap_or_default();
        let mut text = String::with_capacity(original.len());
        let mut grew = Vec::new();
        for (i, c) in original.char_indices() {
            let before = text.len();
            push_safe(&mut text, c, original[i + c.len_utf8()..].starts_with('\n'));
            let added = text.len() - before - c.len_utf8();
            if added > 0 {
                grew.push((i + c.len_utf8(), added));
            }
        }
        Snippet {
            name: terminal_safe(&source.name).into_owned(),
            text,
            offset: from,
            first_line: line.saturating_sub(1).saturating_sub(breaks),
            grew,
        }
    }

    /// Where a byte offset of the file is in the snippet's coordinates.
    fn place(&self, at: usize) -> usize {
        let local = at.saturating_sub(self.offset);
        let added: usize = self
            .grew
            .iter()
            .take_while(|(o, _)| *o <= local)
            .map(|(_, n)| n)
            .sum();
        self.offset + local + added
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
        f.write_str(&terminal_safe(&self.problem.to_string()))
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
            Some(Box::new(terminal_safe(&parts.join("\n")).into_owned()))
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.named.as_ref().map(|n| n as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.problem.location.as_ref()?;
        let (start, end) = loc.span?;
        let snippet = self.named.as_ref()?;
        let label = loc
            .key
            .as_deref()
            .map_or_else(|| "here".to_string(), |k| terminal_safe(k).into_owned());
        let (start, end) = (snippet.place(start), snippet.place(end));
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(label),
            start,
            end - start,
        ))))
    }
}

/// Longest line, and longest span, shown in a snippet: a snippet of a 10 MB cell would drown
/// the message.
const SNIPPET_MAX: usize = 400;

/// True when the line holding byte `at` is longer than [`SNIPPET_MAX`]; reads at most that many
/// bytes either side, so asking costs the same for a line of 10 MB.
fn long_line(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    let at = at.min(b.len());
    let back = &b[at.saturating_sub(SNIPPET_MAX + 1)..at];
    let before = match memchr::memrchr(b'\n', back) {
        Some(p) => back.len() - p - 1,
        None if at <= SNIPPET_MAX => at,
        None => return true,
    };
    let ahead = &b[at..(at + SNIPPET_MAX + 1).min(b.len())];
    let after = memchr::memchr(b'\n', ahead).unwrap_or(ahead.len());
    before + after > SNIPPET_MAX
}

/// True when a problem's span can be shown as a snippet: its line and the span are short.
fn showable(source: &SourceText, (start, end): (usize, usize)) -> bool {
    !long_line(&source.text, start) && end - start <= SNIPPET_MAX
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
            let named = problem
                .location
                .as_ref()
                .filter(|l| {
                    l.span
                        .is_some_and(|span| l.source.as_ref().is_some_and(|s| showable(s, span)))
                })
                .and_then(|l| {
                    let (start, end) = l.span?;
                    let source = l.source.as_ref()?;
                    let line = l.line.unwrap_or_else(|| source.line_col(start).0);
                    Some(Snippet::around(source, start, end, line, 3))
                });
            let rendered = Rendered { problem, named };
            if handler.render_report(&mut out, &rendered).is_err() {
                out.push_str(&terminal_safe(&problem.one_line()));
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
    /// Long work was cancelled through its progress callback (exit code 1).
    #[error("cancelled after {done} of {total} runs")]
    Cancelled {
        /// Units of work finished.
        done: usize,
        /// Units of work in all.
        total: usize,
    },
    /// A bug: an invariant of accord itself was violated (exit code 1).
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl Error {
    /// The exit code the command line reports this failure with: 2 for bad input (nothing was
    /// written), 1 for everything else (a write that failed, a mismatch, a cancellation, a bug).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) => 2,
            Error::Write { .. }
            | Error::Mismatch(_)
            | Error::Cancelled { .. }
            | Error::Internal(_) => 1,
        }
    }
}

/// A bug: a state accord itself should never reach, such as a results folder written to after
/// it was committed. Kept apart from the user's mistakes ([`Problem`]): nothing in the input can
/// fix it, so it asks to be reported and exits with 1, not 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error (a bug in accord, please report it): {what}")]
pub struct Internal {
    /// The invariant that did not hold.
    pub what: String,
}

impl Internal {
    /// The bug, described by the invariant that did not hold.
    pub fn new(what: impl Into<String>) -> Self {
        Internal { what: what.into() }
    }
}

impl From<&str> for Internal {
    fn from(what: &str) -> Self {
        Internal::new(what)
    }
}

impl From<String> for Internal {
    fn from(what: String) -> Self {
        Internal::new(what)
    }
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error::Input(InputError::one(p))
    }
}

/// Problems kept from one stage: past this, a wrong separator or a shifted column would print the
/// same mistake for every row, and a reader of a large file stops there.
pub(crate) const MAX_PROBLEMS: usize = 200;

/// Collects problems while a stage keeps going, so that all of them are reported at once. It
/// keeps the first [`MAX_PROBLEMS`] of every kind (a header of a million unknown columns, a
/// rubric of a hundred thousand unknown keys) and counts the rest, which `finish` and `check`
/// report as one more problem.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    /// Problems found past the cap, not kept.
    dropped: usize,
    /// The file of the first problem not kept.
    dropped_file: Option<String>,
    /// A reader's [`Problem::stopped`], kept past the cap.
    stopped: Option<Problem>,
}

impl Problems {
    /// An empty collection.
    pub(crate) fn new() -> Self {
        Problems::default()
    }

    /// Records a problem, or counts it once [`MAX_PROBLEMS`] are kept. Another collection's
    /// count of problems not kept adds to this one's.
    pub(crate) fn push(&mut self, p: Problem) {
        let file = p.location.as_ref().map(|l| l.file.as_str());
        if p.message.starts_with(STOPPED) {
            self.stopped.get_or_insert(p);
        } else if let Some(n) = not_shown(&p.message) {
            self.count_many(n, file);
        } else if self.list.len() < MAX_PROBLEMS {
            self.list.push(p);
        } else {
            self.count_many(1, file);
        }
    }

    /// Counts one problem in `file` past the cap without building it: a loop that may find a
    /// million (one per column of a header) asks [`Problems::full`] first.
    pub(crate) fn count(&mut self, file: &str) {
        self.count_many(1, Some(file));
    }

    fn count_many(&mut self, n: usize, file: Option<&str>) {
        if self.dropped_file.is_none() {
            self.dropped_file = file.map(String::from);
        }
        self.dropped += n;
    }

    /// True once [`MAX_PROBLEMS`] are recorded: a reader of a large file stops looking there, and
    /// then records [`Problem::stopped`].
    pub(crate) fn full(&self) -> bool {
        self.list.len() >= MAX_PROBLEMS
    }

    /// Records what another collection recorded, as if its problems had been pushed here one
    /// by one after this one's: its kept problems in order, then its count of those not kept
    /// (which, past its own cap, are past this one's too), and its reader's stop if this has
    /// none.
    pub(crate) fn absorb(&mut self, other: Problems) {
        for p in other.list {
            self.push(p);
        }
        if other.dropped > 0 {
            self.count_many(other.dropped, other.dropped_file.as_deref());
        }
        if let Some(p) = other.stopped {
            self.stopped.get_or_insert(p);
        }
    }

    /// Records every problem of another collection or error.
    pub(crate) fn extend(&mut self, e: InputError) {
        for p in e.problems {
            self.push(p);
        }
    }

    /// True when nothing was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty() && self.stopped.is_none() && self.dropped == 0
    }

    /// How many problems so far, counted or kept.
    pub(crate) fn len(&self) -> usize {
        self.list.len() + self.dropped + usize::from(self.stopped.is_some())
    }

    /// Every problem kept, then one saying how many were not kept and where reading stopped.
    fn take(&mut self) -> Vec<Problem> {
        let mut list = std::mem::take(&mut self.list);
        let stopped = self.stopped.take();
        let dropped = std::mem::take(&mut self.dropped);
        let file = self.dropped_file.take();
        if dropped > 0 {
            let mut p = Problem::new(format!(
                "{NOT_SHOWN}{dropped} more problem{} not shown: only the first {MAX_PROBLEMS} are listed",
                if dropped == 1 { "" } else { "s" }
            ))
            .help("fix these and run again");
            if let Some(file) = file {
                p = p.at(Location::file(file));
            }
            list.push(p);
        }
        list.extend(stopped);
        list
    }

    /// `Ok(value)` if nothing was recorded, else every problem.
    pub(crate) fn finish<T>(mut self, value: T) -> std::result::Result<T, InputError> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(InputError {
                problems: self.take(),
            })
        }
    }

    /// Fails now with what was recorded, if anything.
    pub(crate) fn check(&mut self) -> std::result::Result<(), InputError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(InputError {
                problems: self.take(),
            })
        }
    }
}

/// "did you mean `x`?" when a candidate is close, else the list of what there is: the help for a
/// name that is not among `candidates` (called `what`, e.g. "declared instruments").
pub(crate) fn suggest<'a>(
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
/// of a third of the word's length (at least 1), or very similar by Jaro-Winkler. A word holding
/// an invisible character, or a character that is not ASCII where the candidates are, is
/// told which character it is and where (a zero-width space after `a1` otherwise gives "did you
/// mean `a1`?" about what looks like `a1`), with or without a candidate.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let w = word.to_lowercase();
    let allowed = (w.chars().count() / 3).max(1);
    let mut best: Option<(usize, f64, &str)> = None;
    let mut ascii = true;
    for c in candidates {
        ascii &= c.is_ascii();
        let lc = c.to_lowercase();
        if lc == w {
            best = Some((0, 1.0, c));
            break;
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
    let odd = odd_characters(word, ascii);
    match (best, odd) {
        (Some((_, _, c)), Some(odd)) => Some(format!("did you mean `{c}`? ({odd})")),
        (Some((_, _, c)), None) => Some(format!("did you mean `{c}`?")),
        (None, Some(odd)) => Some(format!("`{word}`: {odd}")),
        (None, None) => None,
    }
}

/// True for a character that must not reach a terminal as it is: the C0 and C1 control
/// characters but tab and line feed (ESC and CSI start escape sequences that clear the screen or
/// set the window title; BEL, backspace and carriage return sound or move the cursor), DEL, and
/// the invisible characters that hide or reorder text: bidirectional controls (which make a
/// line read differently from what it holds), zero-width and other invisible spaces, line and
/// paragraph separators, the byte-order mark, interlinear annotations, tag characters and the
/// noncharacters U+FFFE and U+FFFF.
pub fn unsafe_on_terminal(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{ad}' | '\u{61c}'
        | '\u{115f}' | '\u{1160}' | '\u{180e}' | '\u{200b}' | '\u{200e}' | '\u{200f}'
        | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
        | '\u{3164}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{fffe}' | '\u{ffff}'
        | '\u{e0000}'..='\u{e007f}')
}

/// Pushes `c`, or its escape `\u{..}` when it is [`unsafe_on_terminal`]; a carriage return
/// before a line feed (a CRLF line end) is kept.
fn push_safe(out: &mut String, c: char, before_line_feed: bool) {
    if unsafe_on_terminal(c) && !(c == '\r' && before_line_feed) {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// Text made safe to print on a terminal: every [`unsafe_on_terminal`] character written as
/// `\u{1b}`, `\u{202e}`, ... (as Rust and JSON5 write them), everything else unchanged. Applying
/// it twice changes nothing more. Used for every message, table and summary accord prints;
/// JSON and CSV outputs keep the exact text.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(unsafe_on_terminal) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        push_safe(&mut out, c, chars.peek() == Some(&'\n'));
    }
    std::borrow::Cow::Owned(out)
}

/// Characters easy to mistake for another or to miss, by code point (sorted, for binary search):
/// controls, invisible and space characters, dashes and quotes.
const NAMED_CHARS: [(char, &str); 53] = [
    ('\u{0}', "NULL"),
    ('\u{7}', "BELL"),
    ('\u{8}', "BACKSPACE"),
    ('\u{9}', "CHARACTER TABULATION"),
    ('\u{a}', "LINE FEED"),
    ('\u{d}', "CARRIAGE RETURN"),
    ('\u{1b}', "ESCAPE"),
    ('\u{7f}', "DELETE"),
    ('\u{a0}', "NO-BREAK SPACE"),
    ('\u{ad}', "SOFT HYPHEN"),
    ('\u{61c}', "ARABIC LETTER MARK"),
    ('\u{180e}', "MONGOLIAN VOWEL SEPARATOR"),
    ('\u{2000}', "EN QUAD"),
    ('\u{2001}', "EM QUAD"),
    ('\u{2002}', "EN SPACE"),
    ('\u{2003}', "EM SPACE"),
    ('\u{2007}', "FIGURE SPACE"),
    ('\u{2009}', "THIN SPACE"),
    ('\u{200a}', "HAIR SPACE"),
    ('\u{200b}', "ZERO WIDTH SPACE"),
    ('\u{200c}', "ZERO WIDTH NON-JOINER"),
    ('\u{200d}', "ZERO WIDTH JOINER"),
    ('\u{200e}', "LEFT-TO-RIGHT MARK"),
    ('\u{200f}', "RIGHT-TO-LEFT MARK"),
    ('\u{2010}', "HYPHEN"),
    ('\u{2011}', "NON-BREAKING HYPHEN"),
    ('\u{2012}', "FIGURE DASH"),
    ('\u{2013}', "EN DASH"),
    ('\u{2014}', "EM DASH"),
    ('\u{2018}', "LEFT SINGLE QUOTATION MARK"),
    ('\u{2019}', "RIGHT SINGLE QUOTATION MARK"),
    ('\u{201c}', "LEFT DOUBLE QUOTATION MARK"),
    ('\u{201d}', "RIGHT DOUBLE QUOTATION MARK"),
    ('\u{2028}', "LINE SEPARATOR"),
    ('\u{2029}', "PARAGRAPH SEPARATOR"),
    ('\u{202a}', "LEFT-TO-RIGHT EMBEDDING"),
    ('\u{202b}', "RIGHT-TO-LEFT EMBEDDING"),
    ('\u{202c}', "POP DIRECTIONAL FORMATTING"),
    ('\u{202d}', "LEFT-TO-RIGHT OVERRIDE"),
    ('\u{202e}', "RIGHT-TO-LEFT OVERRIDE"),
    ('\u{202f}', "NARROW NO-BREAK SPACE"),
    ('\u{205f}', "MEDIUM MATHEMATICAL SPACE"),
    ('\u{2060}', "WORD JOINER"),
    ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
    ('\u{2067}', "RIGHT-TO-LEFT ISOLATE"),
    ('\u{2068}', "FIRST STRONG ISOLATE"),
    ('\u{2069}', "POP DIRECTIONAL ISOLATE"),
    ('\u{2212}', "MINUS SIGN"),
    ('\u{3000}', "IDEOGRAPHIC SPACE"),
    ('\u{3164}', "HANGUL FILLER"),
    ('\u{feff}', "ZERO WIDTH NO-BREAK SPACE"),
    ('\u{fffe}', "a noncharacter"),
    ('\u{ffff}', "a noncharacter"),
];

/// The Cyrillic capital (and small) letters U+0410 to U+042F (U+0430 to U+044F).
const CYRILLIC: [&str; 32] = [
    "A",
    "BE",
    "VE",
    "GHE",
    "DE",
    "IE",
    "ZHE",
    "ZE",
    "I",
    "SHORT I",
    "KA",
    "EL",
    "EM",
    "EN",
    "O",
    "PE",
    "ER",
    "ES",
    "TE",
    "U",
    "EF",
    "HA",
    "TSE",
    "CHE",
    "SHA",
    "SHCHA",
    "HARD SIGN",
    "YERU",
    "SOFT SIGN",
    "E",
    "YU",
    "YA",
];

/// The Greek small letters U+03B1 to U+03C9; the capitals have no final sigma (U+03A2).
const GREEK: [&str; 25] = [
    "ALPHA",
    "BETA",
    "GAMMA",
    "DELTA",
    "EPSILON",
    "ZETA",
    "ETA",
    "THETA",
    "IOTA",
    "KAPPA",
    "LAMDA",
    "MU",
    "NU",
    "XI",
    "OMICRON",
    "PI",
    "RHO",
    "FINAL SIGMA",
    "SIGMA",
    "TAU",
    "UPSILON",
    "PHI",
    "CHI",
    "PSI",
    "OMEGA",
];

/// The Latin letters, for the fullwidth forms.
const LATIN: [&str; 26] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U", "V", "W", "X", "Y", "Z",
];

/// Runs of letters that look like Latin ones: (first code point, prefix of the name, the names
/// in code point order).
const LETTER_RUNS: [(u32, &str, &[&str]); 7] = [
    (0x391, "GREEK CAPITAL LETTER ", GREEK.split_at(17).0),
    (0x3a3, "GREEK CAPITAL LETTER ", GREEK.split_at(18).1),
    (0x3b1, "GREEK SMALL LETTER ", &GREEK),
    (0x410, "CYRILLIC CAPITAL LETTER ", &CYRILLIC),
    (0x430, "CYRILLIC SMALL LETTER ", &CYRILLIC),
    (0xff21, "FULLWIDTH LATIN CAPITAL LETTER ", &LATIN),
    (0xff41, "FULLWIDTH LATIN SMALL LETTER ", &LATIN),
];

/// The Unicode name of a character that is easy to mistake for another or to miss: invisible
/// and space characters, dashes and quotes, and the Cyrillic, Greek and fullwidth letters that
/// look like Latin ones.
fn char_name(c: char) -> Option<String> {
    if let Ok(i) = NAMED_CHARS.binary_search_by_key(&c, |(x, _)| *x) {
        return Some(NAMED_CHARS[i].1.to_string());
    }
    let u = c as u32;
    LETTER_RUNS.iter().find_map(|(first, prefix, names)| {
        let name = names.get(usize::try_from(u.checked_sub(*first)?).ok()?)?;
        Some(format!("{prefix}{name}"))
    })
}

/// `U+200B ZERO WIDTH SPACE`, or `U+00E9` for a character without a name here.
pub(crate) fn describe_char(c: char) -> String {
    match char_name(c) {
        Some(name) => format!("U+{:04X} {name}", c as u32),
        None => format!("U+{:04X}", c as u32),
    }
}

/// What makes a name hard to read or to match: its first invisible character, or, when
/// `ascii_expected`, its first character that is not ASCII, named with its 1-based position
/// (`character 3 is U+200B ZERO WIDTH SPACE, which is invisible`), and how many more there are.
pub(crate) fn odd_characters(word: &str, ascii_expected: bool) -> Option<String> {
    let invisible = |c: char| unsafe_on_terminal(c) || c.is_whitespace() && c != ' ';
    let odd = |c: char| invisible(c) || (ascii_expected && !c.is_ascii());
    let mut found = word.chars().enumerate().filter(|(_, c)| odd(*c));
    let (i, c) = found.next()?;
    let more = found.count();
    let what = if invisible(c) {
        format!("{}, which is invisible", describe_char(c))
    } else {
        format!("`{c}`, {}, not ASCII", describe_char(c))
    };
    let more = match more {
        0 => String::new(),
        1 => " (and 1 more such character)".to_string(),
        n => format!(" (and {n} more such characters)"),
    };
    Some(format!("character {} is {what}{more}", i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Problems collected in pieces and absorbed in order are those pushed one by one: the
    /// same kept list, the same count of those not kept and the same file named for them,
    /// whether the cap is reached inside a piece or between pieces.
    #[test]
    fn absorbed_pieces_are_problems_pushed_in_order() {
        let problem = |file: usize, i: usize| {
            Problem::new(format!("problem {i}")).at(Location::file(format!("f{file}.csv")))
        };
        for sizes in [
            vec![150, 150, 150],
            vec![0, 199, 1, 5],
            vec![250, 3],
            vec![10, 20],
        ] {
            let mut one_by_one = Problems::new();
            let mut absorbed = Problems::new();
            let mut i = 0;
            for (file, &n) in sizes.iter().enumerate() {
                let mut piece = Problems::new();
                for _ in 0..n {
                    one_by_one.push(problem(file, i));
                    piece.push(problem(file, i));
                    i += 1;
                }
                absorbed.absorb(piece);
            }
            let shown = |p: Problems| {
                p.finish(())
                    .err()
                    .map(|e| e.problems.iter().map(Problem::one_line).collect::<Vec<_>>())
            };
            assert_eq!(shown(absorbed), shown(one_by_one), "{sizes:?}");
        }
    }

    #[test]
    fn an_internal_error_exits_with_1_and_asks_to_be_reported() {
        // No input reaches an internal error, so the mapping is checked on the value itself.
        let e = Error::from(Internal::new("results folder already committed"));
        assert_eq!(e.exit_code(), 1);
        assert_eq!(
            e.to_string(),
            "internal error (a bug in accord, please report it): results folder already committed"
        );
    }

    #[test]
    fn input_errors_exit_with_2_and_other_failures_with_1() {
        assert_eq!(Error::from(Problem::new("bad")).exit_code(), 2);
        assert_eq!(Error::Mismatch("differs".into()).exit_code(), 1);
        assert_eq!(Error::Cancelled { done: 1, total: 2 }.exit_code(), 1);
        let write = Error::Write {
            path: "out".into(),
            source: std::io::Error::other("full"),
        };
        assert_eq!(write.exit_code(), 1);
    }

    #[test]
    fn named_chars_are_sorted_for_binary_search() {
        assert!(NAMED_CHARS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn chars_have_their_unicode_names() {
        // Names as in the Unicode character database.
        for (c, name) in [
            ('\u{9}', "CHARACTER TABULATION"),
            ('\u{200b}', "ZERO WIDTH SPACE"),
            ('\u{feff}', "ZERO WIDTH NO-BREAK SPACE"),
            ('\u{2212}', "MINUS SIGN"),
            ('\u{391}', "GREEK CAPITAL LETTER ALPHA"),
            ('\u{3a1}', "GREEK CAPITAL LETTER RHO"),
            ('\u{3a3}', "GREEK CAPITAL LETTER SIGMA"),
            ('\u{3a9}', "GREEK CAPITAL LETTER OMEGA"),
            ('\u{3c2}', "GREEK SMALL LETTER FINAL SIGMA"),
            ('\u{410}', "CYRILLIC CAPITAL LETTER A"),
            ('\u{42f}', "CYRILLIC CAPITAL LETTER YA"),
            ('\u{43e}', "CYRILLIC SMALL LETTER O"),
            ('\u{ff21}', "FULLWIDTH LATIN CAPITAL LETTER A"),
            ('\u{ff5a}', "FULLWIDTH LATIN SMALL LETTER Z"),
        ] {
            assert_eq!(char_name(c).as_deref(), Some(name), "U+{:04X}", c as u32);
        }
        // Unassigned (U+03A2), just past a run, and ordinary letters have no name here.
        for c in ['\u{3a2}', '\u{3aa}', '\u{450}', '\u{ff3b}', 'a', 'é'] {
            assert_eq!(char_name(c), None, "U+{:04X}", c as u32);
        }
        assert_eq!(describe_char('\u{200b}'), "U+200B ZERO WIDTH SPACE");
    }

    /// Line and column by counting from the start: what the index must agree with.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |p| p + 1);
        (line, before[start..].chars().count() + 1)
    }

    /// Lines shorter and much longer than a stride, multi-byte characters across checkpoints,
    /// empty lines, a text ending in a line break and one ending without.
    fn texts() -> Vec<String> {
        let mut v = vec![
            String::new(),
            "\n".to_string(),
            "a".to_string(),
            "é\n\nü".to_string(),
        ];
        let mut long = String::new();
        for i in 0..3 * STRIDE {
            long.push(match i % 7 {
                0 => 'é',
                1 => '\n',
                2 => '字',
                _ => 'x',
            });
        }
        v.push(long);
        let mut one = "é".repeat(STRIDE);
        one.push('\n');
        one.push_str(&"😀".repeat(STRIDE / 2));
        one.push_str("\nend");
        v.push(one.clone());
        one.push('\n');
        v.push(one);
        v.push("x".repeat(2 * STRIDE));
        v
    }

    #[test]
    fn line_index_agrees_with_counting_at_every_character() {
        for text in texts() {
            let source = SourceText::new("t", text.clone());
            let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            offsets.push(text.len());
            for at in offsets {
                assert_eq!(source.line_col(at), counted(&text, at), "offset {at}");
                assert_eq!(source.column(at), counted(&text, at).1, "offset {at}");
            }
        }
    }

    #[test]
    fn an_offset_past_the_end_is_the_end() {
        let source = SourceText::new("t", "ab\ncd");
        assert_eq!(source.line_col(99), (2, 3));
    }

    #[test]
    fn terminal_safe_escapes_controls_and_bidi_and_keeps_text() {
        assert_eq!(
            terminal_safe("a\u{1b}[2J\u{1b}]0;pwned\u{7}b"),
            "a\\u{1b}[2J\\u{1b}]0;pwned\\u{7}b"
        );
        assert_eq!(terminal_safe("x\u{202e}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
        assert_eq!(terminal_safe("lone\rcr\r\n"), "lone\\u{d}cr\r\n");
        assert_eq!(terminal_safe("tab\tand\nnewline"), "tab\tand\nnewline");
        let kept = "Côte d'Ivoire, 中国, मराठी, فارسی\u{200c}ها";
        assert_eq!(terminal_safe(kept), kept);
        let once = terminal_safe("\u{1b}\u{202e}").into_owned();
        assert_eq!(terminal_safe(&once), once);
    }

    #[test]
    fn odd_characters_are_named_with_their_position() {
        assert_eq!(
            odd_characters("a1\u{200b}", true).as_deref(),
            Some("character 3 is U+200B ZERO WIDTH SPACE, which is invisible")
        );
        assert_eq!(
            odd_characters("X\u{410}A", true).as_deref(),
            Some("character 2 is `\u{410}`, U+0410 CYRILLIC CAPITAL LETTER A, not ASCII")
        );
        assert_eq!(odd_characters("Côte", false), None);
        assert_eq!(
            odd_characters("\u{3b1}\u{3bf}", true).as_deref(),
            Some(
                "character 1 is `\u{3b1}`, U+03B1 GREEK SMALL LETTER ALPHA, not ASCII (and 1 more such character)"
            )
        );
    }

    #[test]
    fn problems_past_the_cap_are_counted_and_merged_counts_add_up() {
        let mut inner = Problems::new();
        for i in 0..250 {
            inner.push(Problem::new(format!("p{i}")).at(Location::file("a.csv")));
        }
        let inner = inner.finish(()).expect_err("problems");
        assert_eq!(inner.problems.len(), MAX_PROBLEMS + 1);
        let mut outer = Problems::new();
        outer.push(Problem::new("first"));
        outer.extend(inner);
        let all = outer.finish(()).expect_err("problems");
        assert_eq!(all.problems.len(), MAX_PROBLEMS + 1);
        // 1 + 250 found, 200 kept.
        assert_eq!(
            all.problems[MAX_PROBLEMS].message,
            "and 51 more problems not shown: only the first 200 are listed"
        );
        // A count alone is still a failure.
        let mut counted = Problems::new();
        counted.count("a.csv");
        let e = counted.finish(()).expect_err("one problem counted");
        assert_eq!(
            e.problems[0].message,
            "and 1 more problem not shown: only the first 200 are listed"
        );
    }
}
