//! Workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`, `.xls`) read within the limits. A zip workbook
//! is checked entry by entry before calamine opens it: every entry is unpacked once, counting the
//! bytes (`--max-unzipped-mb`) and checking its CRC-32, and the counts calamine allocates for
//! while opening (the shared strings' `uniqueCount`, the cells an `.ods` repeats) are bounded.
//! The cells of an `.xlsx` or `.xlsb` sheet are then collected one by one, never as the dense
//! rectangle a file's corner cells would make, and the sheet's used area is bounded (`--max-cells`)
//! before any row is built.

use std::io::{Cursor, Read};

use calamine::{Data, Reader as _};
use quick_xml::events::{BytesStart, Event};

use crate::error::{Location, Problem};
use crate::limits::Limits;

mod ods;

/// What calamine reads a workbook as, decided from its bytes (not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

/// One sheet's cells that hold a value, ready to be read as rows.
pub(super) struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// Cells by position (0-based row, column), sorted, one per position.
    cells: Vec<((u32, u32), String)>,
    /// Row width: one past the last column holding a value.
    width: usize,
    /// The next cell to read.
    next: usize,
}

impl Iterator for Sheet {
    /// A 1-based row number and the row's cells, from column A to the sheet's last column.
    type Item = (usize, Vec<String>);

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.cells.get(self.next)?.0.0;
        let mut cells = vec![String::new(); self.width];
        while let Some(((r, c), text)) = self.cells.get_mut(self.next) {
            if *r != row {
                break;
            }
            if let Some(slot) = cells.get_mut(*c as usize) {
                *slot = std::mem::take(text);
            }
            self.next += 1;
        }
        Some((row as usize + 1, cells))
    }
}

/// Reads one sheet of the workbook in `bytes` (the file `shown`): the one named, or the only one.
pub(super) fn read(
    bytes: &[u8],
    shown: &str,
    sheet: Option<&str>,
    what: &str,
    limits: &Limits,
) -> Result<Sheet, Problem> {
    let format = if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Format::Xls
    } else {
        check_zip(bytes, shown, limits)?
    };
    let open_error = |e: &dyn std::fmt::Display| {
        let p =
            Problem::new(format!("cannot open workbook `{shown}`: {e}")).at(Location::file(shown));
        if format == Format::Xls {
            p
        } else {
            p.help("is it a workbook saved by a spreadsheet program? Its parts are not those of an .xlsx, .xlsb or .ods file")
        }
    };
    let data = Cursor::new(bytes);
    let found = match format {
        Format::Xlsx => {
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(data).map_err(|e| open_error(&e))?;
            let name = choose(&book.sheet_names(), sheet, shown, what)?;
            let reader = book
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_error(&name, shown, &e))?;
            xlsx_cells(reader, &name, shown, limits)?.named(name)
        }
        Format::Xlsb => {
            let mut book: calamine::Xlsb<_> =
                calamine::open_workbook_from_rs(data).map_err(|e| open_error(&e))?;
            let name = choose(&book.sheet_names(), sheet, shown, what)?;
            xlsb_cells(&mut book, &name, shown, limits)?.named(name)
        }
        Format::Ods => {
            let mut book: calamine::Ods<_> =
                calamine::open_workbook_from_rs(data).map_err(|e| open_error(&e))?;
            let name = choose(&book.sheet_names(), sheet, shown, what)?;
            range_cells(&mut book, &name, shown, limits)?.named(name)
        }
        Format::Xls => {
            let mut book: calamine::Xls<_> =
                calamine::open_workbook_from_rs(data).map_err(|e| open_error(&e))?;
            let name = choose(&book.sheet_names(), sheet, shown, what)?;
            range_cells(&mut book, &name, shown, limits)?.named(name)
        }
    };
    found.into_sheet(shown)
}

/// The sheet to read: the one named, or the workbook's only sheet.
fn choose(
    names: &[String],
    sheet: Option<&str>,
    shown: &str,
    what: &str,
) -> Result<String, Problem> {
    match sheet {
        Some(s) if names.iter().any(|n| n == s) => Ok(s.to_string()),
        Some(s) => Err(
            Problem::new(format!("workbook `{shown}` has no sheet `{s}`"))
                .at(Location::file(shown))
                .help(
                    match crate::error::did_you_mean(s, names.iter().map(String::as_str)) {
                        Some(h) => h,
                        None => format!("its sheets: {}", names.join(", ")),
                    },
                ),
        ),
        None => match names {
            [only] => Ok(only.clone()),
            _ => Err(Problem::new(format!(
                "workbook `{shown}` has {} sheets; say which holds the {what} with --sheet",
                names.len()
            ))
            .at(Location::file(shown))
            .help(format!("its sheets: {}", names.join(", ")))),
        },
    }
}

fn sheet_error(name: &str, shown: &str, e: &dyn std::fmt::Display) -> Problem {
    Problem::new(format!("cannot read sheet `{name}` of `{shown}`: {e}")).at(Location::file(shown))
}

// ------------------------------------------------------------------------------------------------
// The zip container, before calamine sees it.

/// Checks every entry of a zip workbook within the limits and says which format it holds.
fn check_zip(bytes: &[u8], shown: &str, limits: &Limits) -> Result<Format, Problem> {
    let text_like =
        !bytes.starts_with(b"PK") && std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        let p = Problem::new(format!("cannot open workbook `{shown}`: {e}"))
            .at(Location::file(shown));
        if text_like {
            p.help("the file holds text: if it is CSV, give it a .csv name")
        } else {
            p.help("an .xlsx, .xlsm, .xlsb or .ods workbook is a zip archive, and this file is not one")
        }
    })?;
    let limit = limits.unzipped_bytes;
    let over = |entry: &str| {
        Problem::new(format!(
            "workbook `{shown}` unpacks to more than {limit} bytes, the limit (at entry `{entry}`; --max-unzipped-mb)"
        ))
        .at(Location::file(shown))
        .help("a workbook this large is better exported as CSV; a small file that unpacks to this much is a zip bomb")
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.to_string())
        .collect();
    // The sizes the archive declares first (zip refuses an entry that unpacks to more than its
    // declared size), so that a bomb is refused before anything is inflated.
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| damaged(shown, &format!("#{}", i + 1), &e))?;
        declared = declared.saturating_add(entry.size());
        if declared > limit {
            return Err(over(&entry.name().unwrap_or_default()));
        }
    }
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let name = zip
            .by_index_raw(i)
            .ok()
            .and_then(|e| e.name().ok().map(|n| n.to_string()))
            .unwrap_or_else(|| format!("#{}", i + 1));
        let mut entry = zip.by_index(i).map_err(|e| damaged(shown, &name, &e))?;
        if entry.is_dir() {
            continue;
        }
        let size = entry.size();
        let room = limit - unpacked;
        let base = name.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        let mut counted = Counted::new((&mut entry).take(room + 1));
        if base == "sharedstrings.xml" {
            shared_strings(&mut counted, size, shown, &name, limits.cells)?;
        } else if base.ends_with(".xml") && name != "content.xml" {
            cell_references(&mut counted, shown, &name)?;
        } else if name == "content.xml" && names.iter().any(|n| n == "mimetype") {
            ods::check(
                &mut counted,
                shown,
                limits.cells as u64,
                limits.unzipped_bytes,
            )?;
        }
        std::io::copy(&mut counted, &mut std::io::sink()).map_err(|e| damaged(shown, &name, &e))?;
        if counted.count > room {
            return Err(over(&name));
        }
        unpacked += counted.count;
    }
    let has = |suffix: &str| {
        names
            .iter()
            .any(|n| n.to_ascii_lowercase().ends_with(suffix))
    };
    Ok(if has("workbook.bin") {
        Format::Xlsb
    } else if names.iter().any(|n| n == "content.xml") && names.iter().any(|n| n == "mimetype") {
        Format::Ods
    } else {
        Format::Xlsx
    })
}

/// A zip entry that cannot be unpacked: a CRC-32 that does not match, a method or encryption zip
/// does not read, a broken stream.
fn damaged(shown: &str, entry: &str, e: &dyn std::fmt::Display) -> Problem {
    let text = e.to_string();
    let why = if text.contains("checksum") {
        "its CRC-32 does not match its data, so the file is damaged".to_string()
    } else {
        text
    };
    Problem::new(format!(
        "workbook `{shown}`: entry `{entry}` cannot be read: {why}"
    ))
    .at(Location::file(shown))
    .help("open the file in a spreadsheet program and save it again, or export the sheet as CSV")
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R> Counted<R> {
    fn new(inner: R) -> Self {
        Counted { inner, count: 0 }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// An XML reader configured as calamine configures its own, so that both see the same elements.
fn xml<R: Read>(r: R) -> quick_xml::Reader<std::io::BufReader<R>> {
    let mut x = quick_xml::Reader::from_reader(std::io::BufReader::new(r));
    let c = x.config_mut();
    c.check_end_names = false;
    c.trim_text(false);
    c.check_comments = false;
    x
}

/// A raw attribute value (not unescaped, as calamine reads counts), by local name.
fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| a.value.into_owned())
}

/// A count as calamine parses it (digits only, leading zeros allowed), saturating; `None` when
/// calamine would not read it as a number.
fn count(raw: &str) -> Option<u64> {
    let raw = raw.as_bytes();
    if raw.is_empty() || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(raw.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// The shared-strings table: calamine reserves room for its `uniqueCount` strings when it opens an
/// `.xlsx`. The count is refused above the cell limit, and above what the entry's bytes can hold
/// (each string takes at least the five bytes of `<si/>`).
fn shared_strings<R: Read>(
    r: &mut R,
    size: u64,
    shown: &str,
    entry: &str,
    cells: usize,
) -> Result<(), Problem> {
    let mut x = xml(r);
    let mut buf = Vec::new();
    let declared = loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                break attr(&e, "uniqueCount").and_then(|v| count(&v));
            }
            Ok(Event::Eof) | Err(_) => break None,
            Ok(_) => {}
        }
    };
    let Some(n) = declared else { return Ok(()) };
    let most = (cells as u64).min(size / 5);
    if n > most {
        let why = if most == cells as u64 {
            format!("the limit of {cells} (--max-cells)")
        } else {
            format!("its {size} bytes can hold")
        };
        return Err(Problem::new(format!(
            "workbook `{shown}`: entry `{entry}` declares {n} shared strings (`uniqueCount`), more than {why}"
        ))
        .at(Location::file(shown))
        .help("open the file in a spreadsheet program and save it again, or export the sheet as CSV"));
    }
    Ok(())
}

/// Cell references calamine turns into numbers in an `.xlsx` sheet (a `dimension`'s and a shared
/// formula's `ref`, a `row`'s and a cell's `r`): it multiplies and subtracts them unchecked, so
/// that a column of many letters, a row of many digits or a range that runs backwards overflows.
/// A reference beyond `XFD1048576`, or a range whose end comes before its start, is refused.
fn cell_references<R: Read>(r: &mut R, shown: &str, entry: &str) -> Result<(), Problem> {
    let mut x = xml(r);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let e = match x.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => e,
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => continue,
        };
        let key = match e.local_name().as_ref() {
            "dimension" | "f" => "ref",
            "row" | "c" => "r",
            _ => continue,
        };
        // Every attribute of that name, read as calamine reads them: of two `r`s it may take
        // either.
        for value in ods::raw_attrs(&e)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v)
        {
            check_reference(&value, shown, entry)?;
        }
    }
}

/// Refuses a reference calamine's arithmetic would overflow on, or a range that runs backwards.
fn check_reference(value: &str, shown: &str, entry: &str) -> Result<(), Problem> {
    let parts: Vec<Result<Option<(u64, u64)>, ()>> = value.split(':').map(reference).collect();
    let backwards = match parts.as_slice() {
        [Ok(Some(a)), Ok(Some(b))] => b.0 < a.0 || b.1 < a.1,
        _ => false,
    };
    if parts.iter().any(Result::is_err) || backwards {
        let shown_ref: String = value.chars().take(40).collect();
        return Err(Problem::new(format!(
            "workbook `{shown}`: entry `{entry}` has the cell reference `{shown_ref}`, beyond `XFD1048576` or backwards"
        ))
        .at(Location::file(shown))
        .help("open the file in a spreadsheet program and save it again, or export the sheet as CSV"));
    }
    Ok(())
}

/// One part of a reference as calamine reads it, letters then digits: `Err` where calamine's
/// arithmetic would overflow or the reference lies beyond `XFD1048576` (more than 3 letters or 7
/// digits in a row, whatever follows them), `Ok(None)` where calamine refuses it itself (another
/// character), else its (column, row), 1-based.
fn reference(part: &str) -> Result<Option<(u64, u64)>, ()> {
    let b = part.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let digits = b[letters..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if letters > 3 || digits > 7 {
        return Err(());
    }
    if digits == 0 || letters + digits < b.len() {
        return Ok(None);
    }
    let col = b[..letters].iter().fold(0u64, |n, c| {
        n * 26 + u64::from(c.to_ascii_uppercase() - b'A') + 1
    });
    let row = b[letters..]
        .iter()
        .fold(0u64, |n, c| n * 10 + u64::from(c - b'0'));
    if col > 16_384 || row > 1_048_576 {
        return Err(());
    }
    Ok(Some((col, row)))
}

// ------------------------------------------------------------------------------------------------
// Cells, collected one by one.

/// A sheet's cells as collected, before rows are made of them.
struct Found {
    name: String,
    cells: Vec<((u32, u32), String)>,
    /// Formula cells with no saved value: how many, and the first few as `C7 (`=...`)`.
    unsaved: (usize, Vec<String>),
    /// The limits on cells and columns the sheet is checked against.
    limits: Limits,
}

impl Found {
    fn new(limits: &Limits) -> Found {
        Found {
            name: String::new(),
            cells: Vec::new(),
            unsaved: (0, Vec::new()),
            limits: *limits,
        }
    }

    fn named(mut self, name: String) -> Found {
        self.name = name;
        self
    }

    /// Records a cell's value; refuses a sheet with more cells than the cell limit can hold.
    fn push(
        &mut self,
        pos: (u32, u32),
        value: Data,
        shown: &str,
        sheet: &str,
    ) -> Result<(), Problem> {
        if matches!(value, Data::Empty) {
            return Ok(());
        }
        let most = self.limits.cells;
        if self.cells.len() >= most {
            return Err(too_many_cells(
                shown,
                sheet,
                format!("more than {most} cells hold a value"),
            ));
        }
        self.cells.push((pos, super::cell_text(&value)));
        Ok(())
    }

    /// Records a formula cell whose value is empty, for the message.
    fn unsaved(&mut self, pos: (u32, u32), formula: &str) {
        self.unsaved.0 += 1;
        if self.unsaved.1.len() < 5 {
            self.unsaved.1.push(format!(
                "{}{} (`={}`)",
                super::column_letters(pos.1 as usize),
                pos.0 as u64 + 1,
                formula.chars().take(40).collect::<String>()
            ));
        }
    }

    /// Checks the used area against the limits and makes the rows' reader.
    fn into_sheet(self, shown: &str) -> Result<Sheet, Problem> {
        let Found {
            name,
            mut cells,
            unsaved,
            limits,
        } = self;
        // A formula whose result was never saved (a file written by a program, not yet opened
        // in a spreadsheet) reads as an empty cell: refuse it rather than read it as unknown.
        if unsaved.0 > 0 {
            let (count, shown_cells) = unsaved;
            let more = if count > shown_cells.len() {
                format!(" and {} more", count - shown_cells.len())
            } else {
                String::new()
            };
            return Err(Problem::new(format!(
                "sheet `{name}` of `{shown}` has {count} formula cell{} with no saved value: {}{more}",
                if count == 1 { "" } else { "s" },
                shown_cells.join(", ")
            ))
            .at(Location::file(format!("{shown} (sheet `{name}`)")))
            .help("accord reads the values a spreadsheet program saved with the formulas: open the file, recalculate and save it (or export the sheet as CSV)"));
        }
        // Stable: of two cells at one position, the later in the file wins, as in calamine.
        cells.sort_by_key(|c| c.0);
        let mut kept: Vec<((u32, u32), String)> = Vec::with_capacity(cells.len());
        for c in cells {
            match kept.last_mut() {
                Some(last) if last.0 == c.0 => *last = c,
                _ => kept.push(c),
            }
        }
        let (first, last) = match (kept.first(), kept.last()) {
            (Some(f), Some(l)) => (f.0.0, l.0.0),
            _ => (0, 0),
        };
        let width = kept.iter().map(|c| c.0.1 as u64 + 1).max().unwrap_or(0);
        if width > limits.columns as u64 {
            return Err(too_many_cells(
                shown,
                &name,
                format!(
                    "it has a value in column {} (number {width}), beyond the limit of {} columns (`{}`)",
                    super::column_letters(width as usize - 1),
                    limits.columns,
                    super::column_letters(limits.columns - 1)
                ),
            ));
        }
        let area = (u64::from(last - first) + 1).saturating_mul(width);
        if !kept.is_empty() && area > limits.cells as u64 {
            return Err(too_many_cells(
                shown,
                &name,
                format!(
                    "its values spread over {area} cells (rows {} to {}, columns A to {}), more than the limit of {} (--max-cells)",
                    u64::from(first) + 1,
                    u64::from(last) + 1,
                    super::column_letters(width as usize - 1),
                    limits.cells
                ),
            ));
        }
        Ok(Sheet {
            name,
            cells: kept,
            width: width as usize,
            next: 0,
        })
    }
}

fn too_many_cells(shown: &str, sheet: &str, why: String) -> Problem {
    Problem::new(format!("sheet `{sheet}` of `{shown}` is too large: {why}"))
        .at(Location::file(format!("{shown} (sheet `{sheet}`)")))
        .help("delete the sheet's unused rows and columns (a stray value far from the table counts), or export it as CSV")
}

/// An `.xlsx` sheet's cells and formulas, one by one from calamine's streaming reader. Shared
/// formulas are read as metadata (calamine's expanding reader sizes a table by the index a file
/// declares); a derived cell's formula is expanded from its anchor only for the message.
fn xlsx_cells<RS: Read + std::io::Seek>(
    mut reader: calamine::XlsxCellReader<'_, RS>,
    sheet: &str,
    shown: &str,
    limits: &Limits,
) -> Result<Found, Problem> {
    use calamine::XlsxFormulaMetadata as F;
    let mut found = Found::new(limits);
    let mut anchors: std::collections::HashMap<usize, (String, (u32, u32))> =
        std::collections::HashMap::new();
    loop {
        let record = reader
            .next_cell_with_formula_metadata()
            .map_err(|e| sheet_error(sheet, shown, &e))?;
        let Some(record) = record else { break };
        let pos = record.pos;
        let value: Data = record.value.into();
        let formula = match record.formula {
            Some(F::Normal { formula }) => Some(formula),
            Some(F::Shared {
                shared_index,
                formula,
                ..
            }) => {
                anchors
                    .entry(shared_index)
                    .or_insert_with(|| (formula.clone(), pos));
                Some(formula)
            }
            Some(F::SharedDerived { shared_index }) => anchors
                .get(&shared_index)
                .and_then(|(f, at)| calamine::expand_shared_formula(f, *at, pos).ok()),
            Some(_) | None => None,
        };
        if let Some(f) = formula.filter(|f| !f.trim().is_empty())
            && is_blank(&value)
        {
            found.unsaved(pos, &f);
        }
        found.push(pos, value, shown, sheet)?;
    }
    Ok(found)
}

/// An `.xlsb` sheet's cells, then its formulas, each from a streaming reader.
fn xlsb_cells<RS: Read + std::io::Seek>(
    book: &mut calamine::Xlsb<RS>,
    sheet: &str,
    shown: &str,
    limits: &Limits,
) -> Result<Found, Problem> {
    let mut found = Found::new(limits);
    {
        let mut reader = book
            .worksheet_cells_reader(sheet)
            .map_err(|e| sheet_error(sheet, shown, &e))?;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| sheet_error(sheet, shown, &e))?
        {
            let value: Data = cell.get_value().clone().into();
            found.push(cell.get_position(), value, shown, sheet)?;
        }
    }
    found.cells.sort_by_key(|c| c.0);
    let mut reader = book
        .worksheet_cells_reader(sheet)
        .map_err(|e| sheet_error(sheet, shown, &e))?;
    let mut formulas = 0usize;
    while let Some(cell) = reader
        .next_formula()
        .map_err(|e| sheet_error(sheet, shown, &e))?
    {
        let f = cell.get_value();
        if f.trim().is_empty() {
            continue;
        }
        formulas += 1;
        if formulas > limits.cells {
            return Err(too_many_cells(
                shown,
                sheet,
                format!("more than {} formulas", limits.cells),
            ));
        }
        let pos = cell.get_position();
        let blank = match found.cells.binary_search_by_key(&pos, |c| c.0) {
            Ok(i) => found.cells.get(i).is_none_or(|c| c.1.is_empty()),
            Err(_) => true,
        };
        if blank {
            found.unsaved(pos, f);
        }
    }
    Ok(found)
}

/// The cells of a sheet calamine has already read whole (`.ods` when it opened the file, after
/// the check of `content.xml`; `.xls` with no check before, only the cells it reports).
fn range_cells<RS, R>(
    book: &mut R,
    sheet: &str,
    shown: &str,
    limits: &Limits,
) -> Result<Found, Problem>
where
    RS: Read + std::io::Seek,
    R: calamine::Reader<RS>,
    R::Error: std::fmt::Display,
{
    let range = book
        .worksheet_range(sheet)
        .map_err(|e| sheet_error(sheet, shown, &e))?;
    let most = limits.cells as u64;
    let (h, w) = range.get_size();
    if (h as u64).saturating_mul(w as u64) > most {
        return Err(too_many_cells(
            shown,
            sheet,
            format!(
                "its values spread over {} cells, more than the limit of {most} (--max-cells)",
                (h as u64).saturating_mul(w as u64)
            ),
        ));
    }
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut found = Found::new(limits);
    for (r, c, v) in range.used_cells() {
        found.push((r0 + r as u32, c0 + c as u32), v.clone(), shown, sheet)?;
    }
    if let Ok(formulas) = book.worksheet_formula(sheet) {
        let (f0, g0) = formulas.start().unwrap_or((0, 0));
        for (r, c, f) in formulas.used_cells() {
            if f.trim().is_empty() {
                continue;
            }
            let pos = (f0 + r as u32, g0 + c as u32);
            if range.get_value(pos).is_none_or(is_blank) {
                found.unsaved(pos, f);
            }
        }
    }
    Ok(found)
}

/// An empty cell, or an empty string: what a formula with no saved value reads as.
fn is_blank(v: &Data) -> bool {
    match v {
        Data::Empty => true,
        Data::String(s) => s.is_empty(),
        _ => false,
    }
}
