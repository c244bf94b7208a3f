//! Writing a results folder's tables as they are built, row block by row block: each block's
//! bytes are written into the folder's temporary directory (or kept in memory) and hashed as
//! they go, so that neither a whole table's cells nor a whole file's bytes are held. The bytes
//! are those of the whole-table writers ([`super::schema::to_csv`], [`super::schema::to_parquet`]):
//! a CSV record depends on its own cells only, and a parquet file is written one row group of
//! [`ROW_GROUP`] rows at a time, as the whole-table writer groups its rows.

use std::io::Write;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::OutputDir;
use super::columnar::{self, ROW_GROUP};
use super::manifest::{Output, Outputs};
use super::schema::{
    Cell, Table, TableFormat, Type, csv_header, csv_rows, write_integer, write_text,
};
use crate::base::format::write_number;
use crate::error::Error;

/// Cells of a CSV block: about a megabyte of text.
const CSV_BLOCK_CELLS: usize = 1 << 16;

/// Cells a thread formats at a time within a block.
const CSV_PIECE_CELLS: usize = 1 << 13;

/// Pieces of [`TableWriter::extend`] formatted together before they are written.
const EXTEND_PIECES: usize = 32;

/// The text a piece of [`TableWriter::extend`] aims at (about [`CSV_PIECE_CELLS`] cells), and
/// past which it stops, whatever its calls were judged to make: a batch never holds more than
/// [`EXTEND_PIECES`] times that (and one call's rows).
const EXTEND_PIECE_BYTES: usize = 1 << 17;
const EXTEND_PIECE_CAP: usize = 4 * EXTEND_PIECE_BYTES;

/// One piece of [`TableWriter::extend`]: its text, its rows, and the call after its last.
struct Piece {
    text: Vec<u8>,
    rows: usize,
    next: usize,
    /// Whether it stopped at [`EXTEND_PIECE_CAP`] before the calls it was given.
    stopped: bool,
}

/// Where a file's bytes go.
enum Sink {
    /// Kept, for a folder built in memory.
    Memory(Vec<u8>),
    /// A file of a results folder being written.
    File(std::fs::File),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Memory(v) => v.write(buf),
            Sink::File(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Memory(v) => v.write_all(buf),
            Sink::File(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Memory(_) => Ok(()),
            Sink::File(f) => f.flush(),
        }
    }
}

/// A sink that hashes (SHA-256, as the manifest records) and counts the line ends of every byte
/// written through it.
struct Hashed {
    sink: Sink,
    hash: Sha256,
    lines: u64,
}

impl Hashed {
    fn new(sink: Sink) -> Hashed {
        Hashed {
            sink,
            hash: Sha256::new(),
            lines: 0,
        }
    }

    /// The sink, and the hash as lowercase hex.
    fn finish(self) -> (Sink, u64, String) {
        let digest = self.hash.finalize();
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        (self.sink, self.lines, hex)
    }
}

impl Write for Hashed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.sink.write(buf)?;
        let done = &buf[..n];
        self.hash.update(done);
        self.lines += memchr::memchr_iter(b'\n', done).count() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sink.flush()
    }
}

/// How a table's blocks are turned into bytes.
enum Encoder {
    /// Not at all: every row is kept (a table built whole, for a caller that reads its cells).
    Keep,
    /// CSV, block by block.
    Csv(Hashed),
    /// Parquet, a row group a block.
    Parquet(
        Box<parquet::file::writer::SerializedFileWriter<Hashed>>,
        Vec<Type>,
    ),
}

/// A table being written: rows pushed into it are kept until a block is full, then written.
pub struct TableWriter {
    name: String,
    shown: String,
    block: Table,
    block_rows: usize,
    rows: u64,
    encoder: Encoder,
}

impl TableWriter {
    /// A table built whole in memory, its rows kept: [`TableWriter::into_table`] gives it back.
    pub(crate) fn keep(head: Table) -> TableWriter {
        TableWriter {
            name: head.file().name.to_string(),
            shown: head.file().name.to_string(),
            block: head,
            block_rows: usize::MAX,
            rows: 0,
            encoder: Encoder::Keep,
        }
    }

    /// A table of `head`'s description and header (its rows, if any, are the first written)
    /// written in `format` into `sink`; `shown` names the file in messages.
    fn new(
        mut head: Table,
        format: TableFormat,
        sink: Sink,
        shown: String,
    ) -> Result<TableWriter, Error> {
        let name = format.name(head.file().name);
        let width = head.header().len().max(1);
        let mut sink = Hashed::new(sink);
        let (encoder, block_rows) = match format {
            TableFormat::Csv => {
                sink.write_all(&csv_header(head.header()))
                    .map_err(|e| write_error(&shown, e))?;
                (Encoder::Csv(sink), (CSV_BLOCK_CELLS / width).max(1))
            }
            TableFormat::Parquet => {
                let types = head.types();
                let writer = columnar::start(head.header(), &types, sink)
                    .map_err(|e| parquet_error(&shown, e))?;
                (Encoder::Parquet(Box::new(writer), types), ROW_GROUP)
            }
        };
        let first = head.take_cells();
        let mut t = TableWriter {
            name,
            shown,
            block: head,
            block_rows,
            rows: 0,
            encoder,
        };
        for row in first.chunks(width) {
            t.push(row.to_vec())?;
        }
        Ok(t)
    }

    /// Adds a row, one cell per column of the header; a full block is written.
    pub fn push(&mut self, row: Vec<Cell>) -> Result<(), Error> {
        self.block.push(row);
        if self.block.len() >= self.block_rows {
            self.flush()?;
        }
        Ok(())
    }

    /// How many rows were pushed.
    pub fn len(&self) -> u64 {
        self.rows + self.block.len() as u64
    }

    /// Whether no row was pushed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the rows held.
    fn flush(&mut self) -> Result<(), Error> {
        if self.block.is_empty() {
            return Ok(());
        }
        let width = self.block.header().len();
        match &mut self.encoder {
            Encoder::Keep => return Ok(()),
            Encoder::Csv(sink) => {
                let cells = self.block.cells();
                // Pieces formatted in parallel and written in order: the same bytes on any
                // number of threads.
                let piece = (CSV_PIECE_CELLS / width.max(1)).max(1) * width.max(1);
                let texts: Vec<Vec<u8>> = cells
                    .par_chunks(piece)
                    .map(|c| csv_rows(c, width))
                    .collect();
                for t in &texts {
                    sink.write_all(t).map_err(|e| write_error(&self.shown, e))?;
                }
            }
            Encoder::Parquet(writer, types) => {
                columnar::write_group(writer, self.block.cells(), types)
                    .map_err(|e| parquet_error(&self.shown, e))?;
            }
        }
        self.rows += self.block.len() as u64;
        self.block.clear();
        Ok(())
    }

    /// The table, for one made by [`TableWriter::keep`] (`None` for one written as it went).
    pub(crate) fn into_table(self) -> Option<Table> {
        match self.encoder {
            Encoder::Keep => Some(self.block),
            _ => None,
        }
    }

    /// Writes what is left and the file's end: its name, the sink and its record.
    fn finish(mut self) -> Result<(String, Sink, Output), Error> {
        self.flush()?;
        let shown = self.shown;
        let (sink, rows, sha256) = match self.encoder {
            Encoder::Keep => {
                return Err(Error::Internal("a kept table is not a file".into()));
            }
            Encoder::Csv(sink) => {
                let (sink, lines, sha) = sink.finish();
                (sink, lines.saturating_sub(1), sha)
            }
            Encoder::Parquet(writer, _) => {
                let sink = writer.into_inner().map_err(|e| parquet_error(&shown, e))?;
                let (sink, _, sha) = sink.finish();
                (sink, self.rows, sha)
            }
        };
        Ok((self.name, sink, Output { rows, sha256 }))
    }
}

/// The rows a [`TableWriter::extend`] closure makes, cell by cell: as CSV text straight away
/// (the bytes [`csv_rows`] writes for the same cells, with no [`Cell`] in between), or as cells
/// for the other formats.
pub(crate) struct Rows {
    out: RowsOut,
    /// Rows ended.
    rows: usize,
}

enum RowsOut {
    /// CSV text, written here as the `csv` crate writes a record with `\n` line ends and the
    /// necessary quotes (a text with a comma, a quote or a line end is quoted, its quotes
    /// doubled; a line that would be empty is `""`), without a writer's state machine per
    /// value. Tested against [`Csv`] in this file's tests.
    Csv {
        text: String,
        /// Where the current row starts in `text`.
        row_start: usize,
        /// Cells of the current row so far.
        cells: usize,
    },
    Cells(Vec<Cell>),
}

impl Rows {
    fn csv() -> Rows {
        Rows {
            out: RowsOut::Csv {
                text: String::new(),
                row_start: 0,
                cells: 0,
            },
            rows: 0,
        }
    }

    fn cells() -> Rows {
        Rows {
            out: RowsOut::Cells(Vec::new()),
            rows: 0,
        }
    }

    /// Adds a cell that never needs quotes (a number, a whole number, `NA`) written by `write`
    /// after the delimiter, or the cell itself.
    fn add(&mut self, write: impl FnOnce(&mut String), cell: impl FnOnce() -> Cell) {
        match &mut self.out {
            RowsOut::Csv { text, cells, .. } => write(next_cell(text, cells)),
            RowsOut::Cells(cells) => cells.push(cell()),
        }
    }

    /// A text cell ([`Cell::Text`]).
    pub(crate) fn text(&mut self, s: &str) {
        match &mut self.out {
            RowsOut::Csv { text, cells, .. } => {
                let text = next_cell(text, cells);
                let cell = text.len();
                write_text(text, s);
                if text.as_bytes()[cell..]
                    .iter()
                    .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
                {
                    let written = text.split_off(cell);
                    text.push('"');
                    for ch in written.chars() {
                        if ch == '"' {
                            text.push('"');
                        }
                        text.push(ch);
                    }
                    text.push('"');
                }
            }
            RowsOut::Cells(cells) => cells.push(Cell::text(s)),
        }
    }

    /// A missing value ([`Cell::Na`]).
    pub(crate) fn na(&mut self) {
        self.add(|b| b.push_str("NA"), || Cell::Na);
    }

    /// A number, or `NA` ([`Cell::number`]).
    pub(crate) fn number(&mut self, x: Option<f64>) {
        match x {
            Some(x) => self.add(|b| write_number(b, x), || Cell::Number(x)),
            None => self.na(),
        }
    }

    /// A whole number, or `NA` ([`Cell::integer`]).
    pub(crate) fn integer<T: TryInto<i64>>(&mut self, x: Option<T>) {
        match x.and_then(|v| v.try_into().ok()) {
            Some(i) => self.add(|b| write_integer(b, i), || Cell::Integer(i)),
            None => self.na(),
        }
    }

    /// Any cell, as pushing it would write it.
    pub(crate) fn cell(&mut self, cell: Cell) {
        match cell {
            Cell::Text(s) => self.text(&s),
            Cell::Number(x) => self.number(Some(x)),
            Cell::Integer(i) => self.integer(Some(i)),
            Cell::Na => self.na(),
            // Blank and yes/no cells never need quotes.
            other => {
                let csv = other.to_csv();
                self.add(|b| b.push_str(&csv), || other);
            }
        }
    }

    /// Ends the row.
    pub(crate) fn end_row(&mut self) {
        if let RowsOut::Csv {
            text,
            row_start,
            cells,
        } = &mut self.out
        {
            // A line that would be empty (no cell, or one empty text) is `""`, as the `csv`
            // crate writes it: it counts a row's bytes, delimiters included.
            if text.len() == *row_start {
                text.push_str("\"\"");
            }
            text.push('\n');
            *row_start = text.len();
            *cells = 0;
        }
        self.rows += 1;
    }

    /// The cells made, for [`Rows::cells`].
    fn take_cells(&mut self) -> Vec<Cell> {
        match &mut self.out {
            RowsOut::Cells(cells) => std::mem::take(cells),
            RowsOut::Csv { .. } => Vec::new(),
        }
    }

    /// The length of the CSV text made so far (none for [`Rows::cells`]).
    fn len(&self) -> usize {
        match &self.out {
            RowsOut::Csv { text, .. } => text.len(),
            RowsOut::Cells(_) => 0,
        }
    }

    /// The CSV bytes made, for [`Rows::csv`].
    fn into_bytes(self) -> Vec<u8> {
        match self.out {
            RowsOut::Csv { text, .. } => text.into_bytes(),
            RowsOut::Cells(_) => Vec::new(),
        }
    }
}

/// Starts the next cell of a CSV row in `text`: the delimiter unless it is the row's first.
fn next_cell<'t>(text: &'t mut String, cells: &mut usize) -> &'t mut String {
    if *cells > 0 {
        text.push(',');
    }
    *cells += 1;
    text
}

impl TableWriter {
    /// Adds the rows `fill(i, rows)` makes for every `i` in `0..n`, in that order. For CSV the
    /// calls run in parallel on pieces of consecutive `i`, each piece formatting its own text,
    /// and the pieces are written in order while the next ones are made: the bytes of pushing the
    /// same rows one by one, on any number of threads, without a cell per value.
    pub(crate) fn extend<F>(&mut self, n: usize, fill: F) -> Result<(), Error>
    where
        F: Fn(usize, &mut Rows) + Sync,
    {
        if n == 0 {
            return Ok(());
        }
        let width = self.block.header().len().max(1);
        if !matches!(self.encoder, Encoder::Csv(_)) {
            let mut rows = Rows::cells();
            for i in 0..n {
                fill(i, &mut rows);
                let cells = rows.take_cells();
                let mut cells = cells.into_iter();
                loop {
                    let row: Vec<Cell> = cells.by_ref().take(width).collect();
                    if row.is_empty() {
                        break;
                    }
                    self.push(row)?;
                }
            }
            return Ok(());
        }
        self.flush()?;
        // How many calls make a piece of about EXTEND_PIECE_BYTES: judged first by the first
        // call, then by what the batch before made per call.
        let mut probe = Rows::csv();
        fill(0, &mut probe);
        let mut per_call = probe.len().max(1);
        // The pieces of calls `start..` (at most a batch), made in parallel; a piece that
        // reaches the cap stops there, and the pieces after it are then not used.
        let make = |start: usize, per_call: usize| -> Vec<Piece> {
            let piece = (EXTEND_PIECE_BYTES / per_call).max(1);
            let end = start
                .saturating_add(piece.saturating_mul(EXTEND_PIECES))
                .min(n);
            (start..end)
                .step_by(piece)
                .collect::<Vec<usize>>()
                .into_par_iter()
                .map(|a| {
                    let mut rows = Rows::csv();
                    let last = a.saturating_add(piece).min(end);
                    let mut i = a;
                    while i < last {
                        fill(i, &mut rows);
                        i += 1;
                        if rows.len() >= EXTEND_PIECE_CAP {
                            break;
                        }
                    }
                    Piece {
                        rows: rows.rows,
                        text: rows.into_bytes(),
                        next: i,
                        stopped: i < last,
                    }
                })
                .collect()
        };
        let Encoder::Csv(sink) = &mut self.encoder else {
            return Ok(());
        };
        let shown = &self.shown;
        // Writes the pieces up to the first that stopped: the rows, the bytes per call, and
        // where the next batch starts.
        let write = |sink: &mut Hashed, pieces: &[Piece], start: usize| {
            let (mut rows, mut bytes, mut next) = (0u64, 0usize, start);
            for p in pieces {
                sink.write_all(&p.text).map_err(|e| write_error(shown, e))?;
                rows += p.rows as u64;
                bytes += p.text.len();
                next = p.next;
                if p.stopped {
                    break;
                }
            }
            Ok::<_, Error>((rows, (bytes / (next - start).max(1)).max(1), next))
        };
        let mut start = 0;
        let mut made = make(start, per_call);
        loop {
            let planned = made.last().map_or(start, |p| p.next);
            let stopped = made.iter().any(|p| p.stopped);
            if planned >= n || stopped {
                // The last batch, or one whose end is not known until it is written.
                let (rows, bytes, next) = write(sink, &made, start)?;
                self.rows += rows;
                if next >= n {
                    break;
                }
                (start, per_call) = (next, bytes);
                made = make(start, per_call);
                continue;
            }
            let (written, ahead) =
                rayon::join(|| write(sink, &made, start), || make(planned, per_call));
            let (rows, bytes, next) = written?;
            self.rows += rows;
            (start, per_call) = (next, bytes);
            made = ahead;
        }
        Ok(())
    }
}

fn write_error(shown: &str, e: std::io::Error) -> Error {
    Error::Write {
        path: shown.to_string(),
        source: e,
    }
}

fn parquet_error(shown: &str, e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => write_error(shown, *io),
                Err(other) => write_error(shown, std::io::Error::other(other.to_string())),
            }
        }
        other => write_error(shown, std::io::Error::other(other.to_string())),
    }
}

/// The files of a results folder as they are written: into a results folder being written (its
/// temporary directory, put in place by [`OutputDir::commit`]) or kept in memory. Each file's
/// record (rows, SHA-256) is taken as its bytes go, for the manifest.
pub struct FolderWriter<'a> {
    dir: Option<&'a OutputDir>,
    kept: Vec<(String, Vec<u8>)>,
    records: Vec<(String, Output)>,
}

impl FolderWriter<'static> {
    /// A folder kept in memory: [`FolderWriter::into_files`] gives its files.
    pub fn memory() -> FolderWriter<'static> {
        FolderWriter {
            dir: None,
            kept: Vec::new(),
            records: Vec::new(),
        }
    }
}

impl<'a> FolderWriter<'a> {
    /// A folder written into `out`'s temporary directory.
    pub fn to_dir(out: &'a OutputDir) -> FolderWriter<'a> {
        FolderWriter {
            dir: Some(out),
            kept: Vec::new(),
            records: Vec::new(),
        }
    }

    fn sink(&self, name: &str) -> Result<(Sink, String), Error> {
        match self.dir {
            None => Ok((Sink::Memory(Vec::new()), name.to_string())),
            Some(dir) => {
                let (file, shown) = dir.create(name)?;
                Ok((Sink::File(file), shown))
            }
        }
    }

    /// Starts the table `head` describes (its header, and any rows it holds) in `format`.
    pub fn open(&self, head: Table, format: TableFormat) -> Result<TableWriter, Error> {
        let name = format.name(head.file().name);
        let (sink, shown) = self.sink(&name)?;
        TableWriter::new(head, format, sink, shown)
    }

    /// Finishes a table started by [`FolderWriter::open`].
    pub fn close(&mut self, t: TableWriter) -> Result<(), Error> {
        let (name, sink, record) = t.finish()?;
        self.done(name, sink, record)
    }

    fn done(&mut self, name: String, sink: Sink, record: Output) -> Result<(), Error> {
        if let Sink::Memory(bytes) = sink {
            self.kept.push((name.clone(), bytes));
        }
        self.records.push((name, record));
        Ok(())
    }

    /// Writes a table built whole.
    pub(crate) fn table(&mut self, t: Table, format: TableFormat) -> Result<(), Error> {
        let w = self.open(t, format)?;
        self.close(w)
    }

    /// Writes a file of bytes (a manifest).
    pub(crate) fn file(&mut self, name: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let record = Output::of(name, &bytes);
        match self.dir {
            None => self.kept.push((name.to_string(), bytes)),
            Some(dir) => dir.write(name, &bytes)?,
        }
        self.records.push((name.to_string(), record));
        Ok(())
    }

    /// The records of the files written so far, in writing order.
    pub fn outputs(&self) -> Outputs {
        Outputs(self.records.clone())
    }

    /// How many files were written.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The files kept in memory, `(name, bytes)` in writing order (none for a folder on disk).
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        self.kept
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test shows the value it did not get"
)]
mod tests {
    use super::*;
    use crate::output::schema::SCORES;
    use proptest::prelude::*;

    /// A value of one cell: text, number, whole number or missing.
    #[derive(Debug, Clone)]
    enum Value {
        Text(String),
        Number(Option<f64>),
        Integer(Option<i64>),
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            // Texts a CSV writer must quote or neutralise, and plain ones.
            prop::sample::select(vec![
                "U001",
                "a,b",
                "say \"hi\"",
                "=1+1",
                "-x",
                "line\nend",
                ""
            ])
            .prop_map(|s| Value::Text(s.to_string())),
            any::<Option<f64>>().prop_map(Value::Number),
            any::<Option<i64>>().prop_map(Value::Integer),
        ]
    }

    /// Groups of rows of six cells (the width of `scores.csv`), some groups empty.
    fn groups() -> impl Strategy<Value = Vec<Vec<[Value; 6]>>> {
        let row = [value(), value(), value(), value(), value(), value()];
        prop::collection::vec(prop::collection::vec(row, 0..4), 1..300)
    }

    fn cell(v: &Value) -> Cell {
        match v {
            Value::Text(s) => Cell::text(s),
            Value::Number(x) => Cell::number(*x),
            Value::Integer(i) => Cell::integer(*i),
        }
    }

    /// The folder written by pushing every row as cells.
    fn pushed(groups: &[Vec<[Value; 6]>], format: TableFormat) -> Vec<(String, Vec<u8>)> {
        let folder = FolderWriter::memory();
        let mut t = folder.open(Table::new(&SCORES), format).unwrap();
        for row in groups.iter().flatten() {
            t.push(row.iter().map(cell).collect()).unwrap();
        }
        finished(folder, t)
    }

    /// Closes `t`: each file's record (its name and row count), then its bytes.
    fn finished(mut folder: FolderWriter<'_>, t: TableWriter) -> Vec<(String, Vec<u8>)> {
        folder.close(t).unwrap();
        let mut files = folder
            .outputs()
            .0
            .iter()
            .map(|(n, o)| (n.clone(), o.rows.to_string().into_bytes()))
            .collect::<Vec<_>>();
        files.extend(folder.into_files());
        files
    }

    /// The folder written by `extend`, one call a group, on `threads` threads.
    fn extended(
        groups: &[Vec<[Value; 6]>],
        format: TableFormat,
        threads: usize,
    ) -> Vec<(String, Vec<u8>)> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let folder = FolderWriter::memory();
            let mut t = folder.open(Table::new(&SCORES), format).unwrap();
            t.extend(groups.len(), |i, out| {
                for row in &groups[i] {
                    for v in row {
                        match v {
                            Value::Text(s) => out.text(s),
                            Value::Number(x) => out.number(*x),
                            Value::Integer(i) => out.integer(*i),
                        }
                    }
                    out.end_row();
                }
            })
            .unwrap();
            finished(folder, t)
        })
    }

    proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 64,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x05ee_d0e4_7e4d),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]

        /// The CSV text `Rows` writes itself is what the `csv` crate writes for the same
        /// cells, for tables of any width (rows of no cell, of one empty text) and any text,
        /// quotes, commas, line ends and spreadsheet prefixes included.
        #[test]
        fn rows_write_csv_as_the_csv_crate_does(rows in (0..5usize).prop_flat_map(|width| {
            prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![
                        value(),
                        "[,\"\r\n=+@\t a-é]{0,6}".prop_map(Value::Text),
                        any::<String>().prop_map(Value::Text),
                    ],
                    width..=width,
                ),
                0..40,
            )
        })) {
            let mut made = Rows::csv();
            let mut csv = super::super::Csv::new();
            let mut buf = String::new();
            for row in &rows {
                for v in row {
                    match v {
                        Value::Text(s) => made.text(s),
                        Value::Number(x) => made.number(*x),
                        Value::Integer(i) => made.integer(*i),
                    }
                    buf.clear();
                    cell(v).write_csv(&mut buf);
                    csv.field(buf.as_bytes());
                }
                made.end_row();
                csv.end_row();
            }
            prop_assert_eq!(
                String::from_utf8(made.into_bytes()).unwrap(),
                String::from_utf8(csv.finish()).unwrap()
            );
        }

        /// Rows made by `extend` are the bytes (and the row count) of the same rows pushed as
        /// cells, in CSV and parquet, on one, two and three threads.
        #[test]
        fn extend_writes_what_push_writes(groups in groups()) {
            for format in [TableFormat::Csv, TableFormat::Parquet] {
                let want = pushed(&groups, format);
                for threads in [1, 2, 3] {
                    prop_assert_eq!(&extended(&groups, format, threads), &want);
                }
            }
        }
    }

    /// Enough rows for several batches of pieces, so that writing one batch overlaps making the
    /// next: the bytes stay those of pushing them.
    #[test]
    fn extend_over_many_batches() {
        let row = |i: usize| {
            [
                Value::Text(format!("U{i:06}")),
                Value::Text("P1".into()),
                Value::Text(if i.is_multiple_of(7) {
                    "a,b".into()
                } else {
                    "node".into()
                }),
                Value::Number(if i.is_multiple_of(5) {
                    None
                } else {
                    Some(i as f64 / 3.0)
                }),
                Value::Integer(Some(i as i64)),
                Value::Number(Some(1.0 / (i as f64 + 1.0))),
            ]
        };
        // 3 rows a call of about 50 bytes each: pieces of some 870 calls, batches of 28,000.
        let groups: Vec<Vec<[Value; 6]>> = (0..40_000)
            .map(|g| (0..3).map(|k| row(g * 3 + k)).collect())
            .collect();
        let want = pushed(&groups, TableFormat::Csv);
        assert_eq!(want[0].1, b"120000");
        for threads in [1, 2] {
            assert_eq!(extended(&groups, TableFormat::Csv, threads), want);
        }
        // A first call with no rows, or with one, makes the calls look tiny: the pieces stop
        // at their cap, those after the first that stopped are not used, and the next batch
        // starts where it stopped, judged again; the bytes are still those of pushing. Then
        // calls that grow from no row to many.
        let dense = |g: usize| (0..20).map(|k| row(g * 20 + k)).collect::<Vec<_>>();
        let uneven: Vec<Vec<[Value; 6]>> = std::iter::once(Vec::new())
            .chain(std::iter::once(vec![row(0)]))
            .chain((0..6_000).map(dense))
            .chain((0..300).map(|g| (0..g).map(row).collect()))
            .collect();
        for skip in [0, 1] {
            let uneven = &uneven[skip..];
            let want = pushed(uneven, TableFormat::Csv);
            for threads in [1, 2, 3] {
                assert_eq!(extended(uneven, TableFormat::Csv, threads), want);
            }
        }
    }
}
