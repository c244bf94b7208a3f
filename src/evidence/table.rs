//! Tabular input (CSV, tab- or otherwise delimited text, or a sheet of an `.xlsx`/`.ods`/`.xls`
//! workbook) read row by row, with every cell's location kept for messages.

use std::path::Path;
use std::sync::Arc;

mod workbook;

use crate::error::{Location, Problem, SourceText};
use crate::files::{decode_utf8, read_bytes, sha256_hex};
use crate::limits::Limits;

/// A table in memory: its header and a row reader.
pub struct Table {
    /// How the table is named in messages (`evidence.csv`, `coding.xlsx` sheet `Evidence`).
    pub name: String,
    /// Header cells, trimmed.
    pub header: Vec<String>,
    inner: Inner,
    /// SHA-256 of the file's bytes, or the thread computing it while the rows are read.
    digest: Digest,
    /// The limits on rows and cells the rows are read within.
    limits: Limits,
}

/// The byte that separates the columns of a text table: a comma, a tab, or another visible
/// ASCII character that is not a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiter(u8);

impl Delimiter {
    /// `,`: CSV.
    pub(crate) const COMMA: Delimiter = Delimiter(b',');
    /// A tab: `.tsv` and `.tab` files.
    pub(crate) const TAB: Delimiter = Delimiter(b'\t');

    /// Reads a delimiter as it is written after `what` (`--delimiter`, an `accord.toml` key): one
    /// visible ASCII character other than a quote, or a tab (`tab`, `\t` or the character).
    pub(crate) fn parse(text: &str, what: &str) -> Result<Delimiter, Problem> {
        let refuse = |message: String| {
            Err(Problem::new(message).help("give one character, such as `;` or `|`, or `tab`"))
        };
        let byte = match text {
            "tab" | "\\t" | "\t" => b'\t',
            "" => return refuse(format!("{what} is empty: it must be one character")),
            "\"" => {
                return refuse(format!(
                    "{what} cannot be `\"`: the quote marks cells that hold the delimiter"
                ));
            }
            "\n" | "\r" | "\r\n" => {
                return refuse(format!(
                    "{what} cannot be a line break: line breaks end rows"
                ));
            }
            _ => {
                let mut chars = text.chars();
                let (Some(c), None) = (chars.next(), chars.next()) else {
                    return refuse(format!(
                        "{what} must be one character, not `{text}` ({} characters)",
                        text.chars().count()
                    ));
                };
                if !c.is_ascii() {
                    return refuse(format!(
                        "{what} must be one byte: `{c}` takes {} bytes in UTF-8",
                        c.len_utf8()
                    ));
                }
                if !c.is_ascii_graphic() {
                    return refuse(format!(
                        "{what} cannot be U+{:04X}, an invisible character (tab is the one accepted)",
                        c as u32
                    ));
                }
                c as u8
            }
        };
        Ok(Delimiter(byte))
    }

    /// The delimiter a file's name implies: a tab for `.tsv` and `.tab` (in any case), else a
    /// comma.
    pub(crate) fn of_name(name: &str) -> Delimiter {
        let ext = Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("tsv" | "tab") => Delimiter::TAB,
            _ => Delimiter::COMMA,
        }
    }

    /// As `--delimiter` takes it and a manifest records it: `tab`, or the character.
    pub(crate) fn name(self) -> String {
        match self.0 {
            b'\t' => "tab".to_string(),
            b => char::from(b).to_string(),
        }
    }

    /// As messages name the columns' separator: `` `,` ``, `tabs`, `` `;` ``.
    fn shown(self) -> String {
        match self.0 {
            b'\t' => "tabs".to_string(),
            b => format!("`{}`", char::from(b)),
        }
    }

    /// One of it, in words: `a comma`, `a tab`, `` a `;` ``.
    fn one(self) -> String {
        match self.0 {
            b',' => "a comma".to_string(),
            b'\t' => "a tab".to_string(),
            b => format!("a `{}`", char::from(b)),
        }
    }

    /// Several of it, in words: `commas`, `tabs`, `` `;` ``.
    fn many(self) -> String {
        match self.0 {
            b',' => "commas".to_string(),
            _ => self.shown(),
        }
    }

    /// What a file read with it is called: `CSV`, `tab-separated text`.
    fn format(self) -> String {
        match self.0 {
            b',' => "CSV".to_string(),
            b'\t' => "tab-separated text".to_string(),
            b => format!("`{}`-separated text", char::from(b)),
        }
    }
}

enum Digest {
    Done(String),
    /// Hashing the text, which is then byte for byte the file.
    Pending(std::thread::JoinHandle<String>, Arc<SourceText>),
}

/// How a file that is not delimited text, or not by what its first line declares, can be saved.
const SAVE_AS_CSV: &str = "save it as comma-separated CSV (choose \"CSV UTF-8 (comma delimited)\", and `.` as the decimal separator)";

/// A text table's delimiter and how it was chosen, for the help of messages about it.
#[derive(Debug, Clone, Copy)]
struct Chosen {
    delimiter: Delimiter,
    /// Given (`--delimiter`, a data folder's `delimiter`) rather than implied by the file's name.
    given: bool,
}

impl Chosen {
    fn new(name: &str, given: Option<Delimiter>) -> Chosen {
        Chosen {
            delimiter: given.unwrap_or_else(|| Delimiter::of_name(name)),
            given: given.is_some(),
        }
    }

    /// How to read the file when its columns are separated by `other` instead.
    fn help_for(self, other: Delimiter) -> String {
        match other.0 {
            b',' if self.given => "this file looks comma-separated; read it without `--delimiter` (and without `delimiter` in its data folder's accord.toml)".to_string(),
            b',' => "this file looks comma-separated; name it `.csv`".to_string(),
            b'\t' if self.given => "this file looks tab-separated; pass `--delimiter tab`".to_string(),
            b'\t' => "this file looks tab-separated; name it `.tsv`, or pass `--delimiter tab`".to_string(),
            b';' => "this file looks `;`-separated; pass `--delimiter ';'` (or write `delimiter = \";\"` in its data folder's accord.toml). Spreadsheets in many European locales export `;` with decimal commas: write decimals with `.`".to_string(),
            b => {
                let c = char::from(b);
                format!("this file looks `{c}`-separated; pass `--delimiter '{c}'`")
            }
        }
    }
}

/// The one other usual delimiter (comma, `;`, tab) that splits a header line read as a single
/// column into named columns; `None` when none or several do, so that a hint is only given when
/// it is certainly right.
fn other_delimiter(line: &str, delimiter: Delimiter) -> Option<Delimiter> {
    let splits = |d: Delimiter| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d.0)
            .from_reader(line.as_bytes());
        let mut record = csv::StringRecord::new();
        matches!(reader.read_record(&mut record), Ok(true))
            && record.iter().filter(|c| !c.trim().is_empty()).count() >= 2
    };
    let mut found = [Delimiter::COMMA, Delimiter(b';'), Delimiter::TAB]
        .into_iter()
        .filter(|d| *d != delimiter && splits(*d));
    match (found.next(), found.next()) {
        (Some(d), None) => Some(d),
        _ => None,
    }
}

/// The help for a row with more (`more`) or fewer fields than the header.
fn width_help(more: bool, delimiter: Delimiter) -> String {
    let why = match (more, delimiter.0) {
        (true, b',') => "is a decimal comma or an unquoted comma splitting a value?".to_string(),
        (true, _) => format!("is {} inside a value splitting it?", delimiter.one()),
        (false, _) => "is the line cut short, or the file truncated?".to_string(),
    };
    let example = match delimiter.0 {
        b',' => ": \"2,5\"".to_string(),
        b'\t' => String::new(),
        b => format!(": \"a{}b\"", char::from(b)),
    };
    format!(
        "{why} Quote values that contain {}{example}",
        delimiter.many()
    )
}

/// Files at least this large are hashed on a second thread while their rows are read.
const HASH_IN_PARALLEL: usize = 1 << 20;

enum Inner {
    Csv {
        source: Arc<SourceText>,
        reader: csv::Reader<std::io::Cursor<SharedBytes>>,
        record: csv::StringRecord,
        width: usize,
        delimiter: Delimiter,
    },
    Sheet {
        file: String,
        sheet: String,
        rows: workbook::Sheet,
    },
}

/// One row: its cells and where it is.
pub struct Row<'a> {
    /// Cells, untrimmed.
    pub cells: Vec<&'a str>,
    /// 1-based line (CSV) or row number (sheet).
    pub line: usize,
    place: Place<'a>,
}

enum Place<'a> {
    Csv {
        source: &'a Arc<SourceText>,
        start: usize,
        delimiter: Delimiter,
    },
    Sheet {
        file: &'a str,
        sheet: &'a str,
    },
}

impl Row<'_> {
    /// The location of cell `col` (0-based) with its column name.
    pub fn location(&self, col: usize, column_name: &str) -> Location {
        match &self.place {
            Place::Csv {
                source,
                start,
                delimiter,
            } => {
                let (s, e) = field_span(&source.text, *start, col, *delimiter);
                // Quoted line breaks in earlier cells move the cell to a later line.
                let breaks = source.text.as_bytes()[*start..s]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                Location::span_on_line(source, s, e, self.line + breaks)
                    .with_key(column_name.to_string())
            }
            Place::Sheet { file, sheet } => Location {
                file: format!("{file} (sheet `{sheet}`)"),
                line: Some(self.line),
                column: Some(col + 1),
                key: Some(format!(
                    "cell {}{} (`{column_name}`)",
                    column_letters(col),
                    self.line
                )),
                span: None,
                source: None,
            },
        }
    }

    /// The location of the row as a whole.
    pub fn row_location(&self) -> Location {
        match &self.place {
            Place::Csv { source, start, .. } => {
                let end = source.text[*start..]
                    .find('\n')
                    .map_or(source.text.len(), |e| start + e);
                let end = if end > *start && source.text.as_bytes()[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                };
                Location::span_on_line(source, *start, end, self.line)
            }
            Place::Sheet { file, sheet } => Location {
                file: format!("{file} (sheet `{sheet}`)"),
                line: Some(self.line),
                column: None,
                key: None,
                span: None,
                source: None,
            },
        }
    }
}

/// The CSV reader reads the same text the messages quote, without a second copy of it.
struct SharedBytes(Arc<SourceText>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.text.as_bytes()
    }
}

/// The byte offset of a quote that opens a cell and is never closed (RFC 4180: a quote opens a
/// cell only at its start; inside, a doubled quote is a quote).
fn unclosed_quote(text: &str, delimiter: Delimiter) -> Option<usize> {
    // Only quotes matter, so jump from one to the next. A quote opens a quoted cell when it
    // starts a cell (first byte, or after a delimiter or line end); inside, `""` is a quote and
    // any other quote closes the cell. Quotes in the middle of a cell are plain text.
    let b = text.as_bytes();
    let mut quotes = memchr::memchr_iter(b'"', b);
    while let Some(open) = quotes.next() {
        let before = open.checked_sub(1).map(|i| b[i]);
        let starts_cell = before.is_none_or(|c| c == delimiter.0 || c == b'\n' || c == b'\r');
        if !starts_cell {
            continue;
        }
        loop {
            match quotes.next() {
                None => return Some(open),
                Some(q) if b.get(q + 1) == Some(&b'"') => {
                    quotes.next();
                }
                Some(_) => break,
            }
        }
    }
    None
}

/// Spreadsheet column letters of a 0-based index (0 -> A, 26 -> AA).
pub(crate) fn column_letters(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Byte span of field `col` of the record starting at `start` (quotes handled).
fn field_span(text: &str, start: usize, col: usize, delimiter: Delimiter) -> (usize, usize) {
    let b = text.as_bytes();
    // A record's position can fall on the line break before it (CRLF files).
    let mut start = start.min(b.len());
    while start < b.len() && (b[start] == b'\r' || b[start] == b'\n') {
        start += 1;
    }
    let mut i = start;
    let mut field = 0;
    let mut field_start = start;
    let mut in_quotes = false;
    while i < b.len() {
        let c = b[i];
        if in_quotes {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if c == b'"' {
            in_quotes = true;
        } else if c == delimiter.0 || c == b'\n' || c == b'\r' {
            if field == col {
                return (field_start, i);
            }
            if c != delimiter.0 {
                break;
            }
            field += 1;
            field_start = i + 1;
        }
        i += 1;
    }
    if field == col {
        (field_start, i)
    } else {
        (start, start)
    }
}

impl Table {
    /// Opens a CSV file (tab-separated when it ends `.tsv` or `.tab`), or a sheet of a workbook
    /// when the extension says so, within `limits`.
    pub(crate) fn open(
        path: &Path,
        sheet: Option<&str>,
        what: &str,
        limits: &Limits,
    ) -> Result<Table, Problem> {
        Self::open_with(path, sheet, None, what, limits)
    }

    /// Like [`Table::open`], with the delimiter of a text table given (`None`: by its name, as
    /// [`Delimiter::of_name`]); a workbook has none and ignores it.
    pub(crate) fn open_with(
        path: &Path,
        sheet: Option<&str>,
        delimiter: Option<Delimiter>,
        what: &str,
        limits: &Limits,
    ) -> Result<Table, Problem> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
            return Self::open_sheet(path, sheet, what, limits);
        }
        if let Some(s) = sheet {
            return Err(Problem::new(format!(
                "`--sheet {s}` was given, but `{}` is not a workbook",
                path.display()
            ))
            .at(Location::file(path.display().to_string())));
        }
        let bytes = read_bytes(path, what, limits.table_bytes, Some("--max-file-mb"), None)?;
        let shown = path.display().to_string();
        Self::from_bytes_with(&shown, bytes, delimiter, what, limits)
    }

    /// Like [`Table::from_bytes`], with the delimiter given (`None`: by the name `shown`).
    pub(crate) fn from_bytes_with(
        shown: &str,
        bytes: Vec<u8>,
        delimiter: Option<Delimiter>,
        what: &str,
        limits: &Limits,
    ) -> Result<Table, Problem> {
        if bytes.len() as u64 > limits.table_bytes {
            return Err(Problem::new(format!(
                "{what} `{shown}` is {} bytes, more than the limit of {} (--max-file-mb)",
                bytes.len(),
                limits.table_bytes
            ))
            .at(Location::file(shown)));
        }
        // When the text will be the file's bytes unchanged (no BOM to strip, no line ends or
        // `sep=` line to rewrite), a large file is hashed from the text, in parallel with reading.
        let unchanged = !bytes.starts_with(b"\xEF\xBB\xBF")
            && !bytes.starts_with(b"sep=")
            && memchr::memchr(b'\r', &bytes).is_none();
        let sha256 = (!unchanged || bytes.len() < HASH_IN_PARALLEL).then(|| sha256_hex(&bytes));
        let text = decode_utf8(bytes, shown)?;
        let chosen = Chosen::new(shown, delimiter);
        Self::build(shown, text, sha256, chosen, what, limits)
    }

    /// Reads CSV text already in memory (tab-separated when `name` ends `.tsv` or `.tab`).
    pub fn from_text(
        name: &str,
        text: String,
        sha256: String,
        what: &str,
        limits: &Limits,
    ) -> Result<Table, Problem> {
        Self::build(
            name,
            text,
            Some(sha256),
            Chosen::new(name, None),
            what,
            limits,
        )
    }

    /// The delimiter the table was read with (`None`: a workbook sheet).
    pub(crate) fn delimiter(&self) -> Option<Delimiter> {
        match &self.inner {
            Inner::Csv { delimiter, .. } => Some(*delimiter),
            Inner::Sheet { .. } => None,
        }
    }

    /// The SHA-256 of the file's bytes, in hex.
    pub(crate) fn sha256(&mut self) -> String {
        let digest = std::mem::replace(&mut self.digest, Digest::Done(String::new()));
        let hex = match digest {
            Digest::Done(hex) => hex,
            Digest::Pending(thread, text) => thread
                .join()
                .unwrap_or_else(|_| sha256_hex(text.text.as_bytes())),
        };
        self.digest = Digest::Done(hex.clone());
        hex
    }

    /// `sha256`: the file's digest, or `None` to hash `text` (which is the file) in parallel.
    fn build(
        name: &str,
        text: String,
        sha256: Option<String>,
        chosen: Chosen,
        what: &str,
        limits: &Limits,
    ) -> Result<Table, Problem> {
        let delimiter = chosen.delimiter;
        if text.trim().is_empty() {
            return Err(
                Problem::new(format!("{what} `{name}` is empty: it needs a header row"))
                    .at(Location::file(name)),
            );
        }
        let mut text = text;
        // Classic Mac files end lines with CR alone: read them as LF (same length, so every
        // byte offset and column stays right).
        if text.contains('\r') {
            let b = text.as_bytes();
            let lone: Vec<usize> = (0..b.len())
                .filter(|&i| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))
                .collect();
            if !lone.is_empty() {
                let mut v = text.into_bytes();
                for i in lone {
                    v[i] = b'\n';
                }
                text = String::from_utf8(v).unwrap_or_default();
            }
        }
        read_past_sep_line(&mut text, name, what, chosen)?;
        let source = SourceText::new(name, text);
        if let Some(q) = unclosed_quote(&source.text, delimiter) {
            return Err(Problem::new("a quote opened here is never closed, so the rest of the file would be read as one cell")
                .at(Location::span(&source, q, q + 1))
                .help("close the quote; inside a quoted cell, write a quote twice (\"\")"));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter.0)
            .from_reader(std::io::Cursor::new(SharedBytes(source.clone())));
        let mut record = csv::StringRecord::new();
        let header_line;
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {
                    let line = record.position().map_or(1, |p| p.line() as usize);
                    if record.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    header_line = line;
                    break;
                }
                Ok(false) => {
                    return Err(Problem::new(format!(
                        "{what} `{name}` is empty: it needs a header row"
                    ))
                    .at(Location::file(name)));
                }
                Err(e) => return Err(csv_problem(&source, &e, delimiter)),
            }
        }
        let header_start = record.position().map_or(0, |p| p.byte() as usize);
        if let Some(i) = record.iter().position(|h| h.len() > limits.cell_bytes) {
            let (s, e) = field_span(&source.text, header_start, i, delimiter);
            return Err(Problem::new(format!(
                "a header cell is {} bytes long, more than the limit of {}",
                record[i].len(),
                limits.cell_bytes
            ))
            .at(Location::span(&source, s, e))
            .help("is a quote missing its closing quote, or is this not the header?"));
        }
        let header: Vec<String> = record.iter().map(|h| h.trim().to_string()).collect();
        if header.len() == 1 {
            let header_end = reader.position().byte() as usize;
            let line = source.text.get(header_start..header_end).unwrap_or("");
            if let Some(other) = other_delimiter(line, delimiter) {
                return Err(Problem::new(format!(
                    "{what} `{name}` separates columns with {}, not {}",
                    other.shown(),
                    delimiter.shown()
                ))
                .at(Location::line_col(name, header_line, None))
                .help(chosen.help_for(other)));
            }
        }
        check_header(&header, name, header_line, Some(delimiter))?;
        let width = header.len();
        let digest = match sha256 {
            Some(hex) => Digest::Done(hex),
            None => {
                let text = source.clone();
                let spawned = std::thread::Builder::new()
                    .name("sha256".into())
                    .spawn(move || sha256_hex(text.text.as_bytes()));
                match spawned {
                    Ok(thread) => Digest::Pending(thread, source.clone()),
                    Err(_) => Digest::Done(sha256_hex(source.text.as_bytes())),
                }
            }
        };
        Ok(Table {
            name: name.to_string(),
            header,
            inner: Inner::Csv {
                source,
                reader,
                record,
                width,
                delimiter,
            },
            digest,
            limits: *limits,
        })
    }

    fn open_sheet(
        path: &Path,
        sheet: Option<&str>,
        what: &str,
        limits: &Limits,
    ) -> Result<Table, Problem> {
        let shown = path.display().to_string();
        let bytes = read_bytes(path, what, limits.table_bytes, Some("--max-file-mb"), None)?;
        Self::from_workbook(&shown, &bytes, sheet, what, limits)
    }

    /// Reads a sheet of a workbook whose bytes are in memory, exactly as [`Table::open`] reads
    /// the file `shown`.
    pub fn from_workbook(
        shown: &str,
        bytes: &[u8],
        sheet: Option<&str>,
        what: &str,
        limits: &Limits,
    ) -> Result<Table, Problem> {
        let limit = limits.table_bytes;
        if bytes.len() as u64 > limit {
            return Err(Problem::new(format!(
                "{what} `{shown}` is {} bytes, more than the limit of {limit} (--max-file-mb)",
                bytes.len()
            ))
            .at(Location::file(shown)));
        }
        let shown = shown.to_string();
        let sha256 = sha256_hex(bytes);
        let mut rows = workbook::read(bytes, &shown, sheet, what, limits)?;
        let sheet_name = rows.name.clone();
        let header = loop {
            match rows.next() {
                None => {
                    return Err(Problem::new(format!(
                        "sheet `{sheet_name}` of `{shown}` is empty: it needs a header row"
                    ))
                    .at(Location::file(&shown)));
                }
                Some((line, cells)) if cells.iter().any(|c| !c.trim().is_empty()) => {
                    let mut header: Vec<String> =
                        cells.iter().map(|c| c.trim().to_string()).collect();
                    while header.last().is_some_and(String::is_empty) {
                        header.pop();
                    }
                    check_header(
                        &header,
                        &format!("{shown} (sheet `{sheet_name}`)"),
                        line,
                        None,
                    )?;
                    break header;
                }
                Some(_) => continue,
            }
        };
        Ok(Table {
            name: format!("{shown} (sheet `{sheet_name}`)"),
            header,
            inner: Inner::Sheet {
                file: shown,
                sheet: sheet_name,
                rows,
            },
            digest: Digest::Done(sha256),
            limits: *limits,
        })
    }

    /// Calls `f` for every non-blank row, in order. Stops at the first CSV syntax error.
    pub fn for_each_row(&mut self, mut f: impl FnMut(&Row<'_>)) -> Result<usize, Problem> {
        let mut count = 0usize;
        let header = &self.header;
        let limits = &self.limits;
        match &mut self.inner {
            Inner::Csv {
                source,
                reader,
                record,
                width,
                delimiter,
            } => {
                let csv = CsvRows {
                    source,
                    header,
                    limits,
                    width: *width,
                    delimiter: *delimiter,
                };
                if source.text.len() >= PARSE_IN_PARALLEL
                    && let Some(read) = csv.pipelined(reader, &mut f)
                {
                    return read;
                }
                // One cell list reused for every row: a fresh one per row costs an allocation.
                let mut spare: Vec<&'static str> = Vec::new();
                loop {
                    match reader.read_record(record) {
                        Ok(false) => break,
                        Ok(true) => {
                            let pos = record
                                .position()
                                .cloned()
                                .unwrap_or_else(csv::Position::new);
                            let mut cells: Vec<&str> = recycle(std::mem::take(&mut spare));
                            cells.extend(record.iter());
                            let cells = csv.row(cells, &pos, &mut count, &mut f)?;
                            spare = recycle(cells);
                        }
                        Err(e) => return Err(csv_problem(source, &e, *delimiter)),
                    }
                }
            }
            Inner::Sheet { file, sheet, rows } => {
                for (line, cells) in rows.by_ref() {
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    count += 1;
                    if count > limits.rows {
                        return Err(Problem::new(format!(
                            "sheet `{sheet}` of `{file}` has more than {} rows (--max-rows)",
                            limits.rows
                        ))
                        .at(Location::file(format!("{file} (sheet `{sheet}`)"))));
                    }
                    let row = Row {
                        cells: cells.iter().map(String::as_str).collect(),
                        line,
                        place: Place::Sheet { file, sheet },
                    };
                    f(&row);
                }
            }
        }
        Ok(count)
    }

    /// Index of a header column.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// Text files at least this large are split into records on a second thread while the rows
/// already split are handed to the reader's callback, in order (see [`CsvRows::pipelined`]).
const PARSE_IN_PARALLEL: usize = 1 << 20;

/// Records a batch holds, in [`CsvRows::pipelined`].
const BATCH_ROWS: usize = 4096;

/// Records split from the text: their fields one after another in `text`, where each ends
/// (`ends`), and for each record where its fields end in `ends` and its position.
#[derive(Default)]
struct Batch {
    text: String,
    ends: Vec<usize>,
    records: Vec<(usize, csv::Position)>,
    /// After the last record: the end of the file, or the syntax error that stopped it.
    end: Option<Result<(), csv::Error>>,
}

/// What the rows of a text table are checked against, and handed to the callback with.
struct CsvRows<'t> {
    source: &'t Arc<SourceText>,
    header: &'t [String],
    limits: &'t Limits,
    width: usize,
    delimiter: Delimiter,
}

impl<'t> CsvRows<'t> {
    /// Checks one record (its cells, untrimmed) and hands it to `f` unless it is blank;
    /// gives the cell list back for reuse.
    fn row<'c>(
        &self,
        cells: Vec<&'c str>,
        pos: &csv::Position,
        count: &mut usize,
        f: &mut impl FnMut(&Row<'_>),
    ) -> Result<Vec<&'c str>, Problem>
    where
        't: 'c,
    {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(cells);
        }
        *count += 1;
        if *count > self.limits.rows {
            return Err(Problem::new(format!(
                "`{}` has more than {} rows (--max-rows)",
                self.source.name, self.limits.rows
            ))
            .at(Location::file(&self.source.name)));
        }
        let row = Row {
            cells,
            line: pos.line() as usize,
            place: Place::Csv {
                source: self.source,
                start: pos.byte() as usize,
                delimiter: self.delimiter,
            },
        };
        if let Some((i, c)) = row
            .cells
            .iter()
            .enumerate()
            .find(|(_, c)| c.len() > self.limits.cell_bytes)
        {
            return Err(Problem::new(format!(
                "a cell is {} bytes long, more than the limit of {}",
                c.len(),
                self.limits.cell_bytes
            ))
            .at(row.location(i, self.header.get(i).map_or("", String::as_str)))
            .help("is a quote missing its closing quote?"));
        }
        if row.cells.len() != self.width {
            let (n, m) = (row.cells.len(), self.width);
            return Err(Problem::new(format!(
                "line {} has {n} fields, but the header has {m}",
                row.line
            ))
            .at(row.row_location())
            .help(width_help(n > m, self.delimiter)));
        }
        f(&row);
        Ok(row.cells)
    }

    /// Reads every record as [`Table::for_each_row`] does, with the splitting into records
    /// (the CSV syntax, quotes and UTF-8) done on a second thread a batch ahead: the rows, the
    /// problems and where reading stops are those of reading on one thread. A problem found
    /// here ends the splitting thread at its next batch. `None`, with nothing read, when the
    /// system gives no thread: the caller reads on its own.
    fn pipelined(
        &self,
        reader: &mut csv::Reader<std::io::Cursor<SharedBytes>>,
        f: &mut impl FnMut(&Row<'_>),
    ) -> Option<Result<usize, Problem>> {
        let (full, batches) = std::sync::mpsc::sync_channel::<Batch>(2);
        let (spare, used) = std::sync::mpsc::channel::<Batch>();
        std::thread::scope(|scope| {
            let splitter = std::thread::Builder::new().spawn_scoped(scope, move || {
                let mut record = csv::StringRecord::new();
                loop {
                    let mut batch = used.try_recv().unwrap_or_default();
                    batch.text.clear();
                    batch.ends.clear();
                    batch.records.clear();
                    while batch.records.len() < BATCH_ROWS && batch.end.is_none() {
                        match reader.read_record(&mut record) {
                            Ok(true) => {
                                for field in record.iter() {
                                    batch.text.push_str(field);
                                    batch.ends.push(batch.text.len());
                                }
                                let pos = record
                                    .position()
                                    .cloned()
                                    .unwrap_or_else(csv::Position::new);
                                batch.records.push((batch.ends.len(), pos));
                            }
                            Ok(false) => batch.end = Some(Ok(())),
                            Err(e) => batch.end = Some(Err(e)),
                        }
                    }
                    let last = batch.end.is_some();
                    // The reader has stopped (a problem, or the end): nothing more to split.
                    if full.send(batch).is_err() || last {
                        return;
                    }
                }
            });
            if splitter.is_err() {
                return None;
            }
            Some(self.checked(batches, spare, f))
        })
    }

    /// The rows of the batches the splitting thread sends, checked and handed to `f` in order;
    /// each batch done goes back through `spare` for reuse.
    fn checked(
        &self,
        batches: std::sync::mpsc::Receiver<Batch>,
        spare: std::sync::mpsc::Sender<Batch>,
        f: &mut impl FnMut(&Row<'_>),
    ) -> Result<usize, Problem> {
        let mut count = 0usize;
        let mut spare_cells: Vec<&'static str> = Vec::new();
        for mut batch in batches {
            let mut from = 0;
            let mut start = 0;
            for (upto, pos) in &batch.records {
                let mut cells: Vec<&str> = recycle(std::mem::take(&mut spare_cells));
                for &end in &batch.ends[from..*upto] {
                    cells.push(&batch.text[start..end]);
                    start = end;
                }
                from = *upto;
                let cells = self.row(cells, pos, &mut count, f)?;
                spare_cells = recycle(cells);
            }
            match batch.end.take() {
                Some(Ok(())) => return Ok(count),
                Some(Err(e)) => return Err(csv_problem(self.source, &e, self.delimiter)),
                None => {
                    // The splitting thread may have ended; a batch it cannot reuse is freed.
                    let _ = spare.send(batch);
                }
            }
        }
        // The splitting thread always sends the end; without it, it failed.
        Err(Problem::new(format!(
            "reading `{}` stopped before its end",
            self.source.name
        ))
        .at(Location::file(&self.source.name)))
    }
}

/// Excel's `sep=,` first line names the separator: blanks it (keeping line numbers) when it
/// names the delimiter the file is read with, and refuses the file when it names another.
fn read_past_sep_line(
    text: &mut String,
    name: &str,
    what: &str,
    chosen: Chosen,
) -> Result<(), Problem> {
    let Some(rest) = text.strip_prefix("sep=") else {
        return Ok(());
    };
    let delimiter = chosen.delimiter;
    let sep: String = rest
        .chars()
        .take_while(|c| *c != '\n' && *c != '\r')
        .collect();
    let declared = Delimiter::parse(&sep, "`sep=`").ok();
    if declared != Some(delimiter) {
        let help = match declared {
            Some(d) => chosen.help_for(d),
            None => SAVE_AS_CSV.to_string(),
        };
        return Err(Problem::new(format!("{what} `{name}` declares `sep={sep}` on its first line: its columns are separated by `{sep}`, not {}", delimiter.shown()))
            .at(Location::line_col(name, 1, Some(1)))
            .help(help));
    }
    let blank = " ".repeat(4 + sep.len());
    text.replace_range(..4 + sep.len(), &blank);
    Ok(())
}

/// Empties a list of borrowed cells so that its allocation can hold the next row's.
fn recycle<'b>(mut cells: Vec<&str>) -> Vec<&'b str> {
    cells.clear();
    cells.into_iter().map(|_| "").collect()
}

/// `delimiter`: the text table's (`None`: a workbook sheet).
fn check_header(
    header: &[String],
    name: &str,
    line: usize,
    delimiter: Option<Delimiter>,
) -> Result<(), Problem> {
    // Each name's first column, so a header of a million columns is checked in one pass.
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            let mut p = Problem::new(format!(
                "column {} of the header of `{name}` has no name",
                i + 1
            ))
            .at(Location::line_col(name, line, Some(i + 1)));
            if let Some(d) = delimiter
                && i + 1 == header.len()
            {
                p = p.help(format!(
                    "the header line ends with {}: remove it, and the matching trailing {} of the rows",
                    d.one(),
                    d.many()
                ));
            }
            return Err(p);
        }
        if let Some(&j) = first.get(h.as_str()) {
            return Err(Problem::new(format!(
                "the header of `{name}` has column `{h}` twice (columns {} and {})",
                j + 1,
                i + 1
            ))
            .at(Location::line_col(name, line, Some(i + 1))));
        }
        first.insert(h, i);
    }
    Ok(())
}

fn csv_problem(source: &Arc<SourceText>, e: &csv::Error, delimiter: Delimiter) -> Problem {
    let line = e.position().map(|p| p.line() as usize);
    let msg = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "text that is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    let mut p = Problem::new(format!(
        "cannot read `{}` as {}: {msg}",
        source.name,
        delimiter.format()
    ));
    p = match line {
        Some(l) => p.at(Location::line_col(&source.name, l, None)),
        None => p.at(Location::file(&source.name)),
    };
    p
}

/// The text of a workbook cell as a researcher would type it.
fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => crate::base::format::number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "yes".into()
            } else {
                "no".into()
            }
        }
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}
