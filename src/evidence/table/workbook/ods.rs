//! An `.ods`'s `content.xml`, walked before calamine opens the file. calamine reads every sheet
//! whole when it opens an `.ods`, writing out repeated rows and columns and copying a repeated
//! cell's value into every cell it repeats to; and two of its loops wait for an element's end past
//! the end of the file (a sheet's, a note's), forever. This walks the XML events calamine's reader
//! walks, with its reader settings, through the same elements, stopping where it stops, and
//! counts what it would make: the cells of each sheet's used area (from its first to its last
//! row holding something, from column A to its last such column) and the text it would copy. A
//! count can exceed calamine's, never fall short of it.

use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use crate::error::{Location, Problem};

/// Why the walk stopped early.
enum Stop {
    /// calamine stops here with an error, having made no more than what was counted.
    Calamine,
    /// The file is refused.
    Refused(Problem),
}

/// Checks `content.xml` (read from `r`) of the workbook `shown` against the limits on cells and
/// on the bytes of text the repeats expand to.
pub(super) fn check<R: Read>(r: R, shown: &str, cells: u64, bytes: u64) -> Result<(), Problem> {
    let mut walk = Walk {
        x: quick_xml::Reader::from_reader(std::io::BufReader::new(r)),
        buf: Vec::new(),
        skip: Vec::new(),
        shown,
        limits: (cells, bytes),
        done: (0, 0),
    };
    let c = walk.x.config_mut();
    c.check_end_names = false;
    c.trim_text(false);
    c.check_comments = false;
    c.expand_empty_elements = true;
    match walk.content() {
        Ok(()) | Err(Stop::Calamine) => Ok(()),
        Err(Stop::Refused(p)) => Err(p),
    }
}

/// Rows so far of one sheet, repeats written out.
#[derive(Default)]
struct Sheet {
    rows: u64,
    /// The first row with something in it, and one past the last.
    used: Option<(u64, u64)>,
    /// One past the last column with something in it, over all rows.
    width: u64,
    /// Bytes of text the sheet's cells hold, repeats written out.
    bytes: u64,
}

impl Sheet {
    fn area(&self) -> u64 {
        self.used
            .map_or(0, |(a, b)| (b - a).saturating_mul(self.width))
    }
}

struct Walk<'s, R: Read> {
    x: quick_xml::Reader<std::io::BufReader<R>>,
    buf: Vec<u8>,
    skip: Vec<u8>,
    shown: &'s str,
    /// Most cells, most bytes of text.
    limits: (u64, u64),
    /// Cells and bytes of the sheets already walked.
    done: (u64, u64),
}

/// A start tag's attributes as calamine reads them (its `RawAttrIter`): a key is everything up to
/// the next `=`, a value what lies between the quotes after it, unescaped later if at all; `Err`
/// where calamine's reading fails (a key with no `=`, an unquoted value), which ends its reading.
pub(super) fn raw_attrs(e: &BytesStart<'_>) -> Vec<Result<(String, String), ()>> {
    let raw = e.attributes_raw();
    let b = raw.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        while pos < b.len() && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= b.len() {
            return out;
        }
        let start = pos;
        while pos < b.len() && b[pos] != b'=' {
            pos += 1;
        }
        if pos >= b.len() {
            out.push(Err(()));
            return out;
        }
        let key = raw[start..pos].trim_ascii_end().to_string();
        pos += 1;
        while pos < b.len() && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match b.get(pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                out.push(Err(()));
                return out;
            }
        };
        pos += 1;
        let value_start = pos;
        while pos < b.len() && b[pos] != quote {
            pos += 1;
        }
        out.push(Ok((key, raw[value_start..pos].to_string())));
        if pos < b.len() {
            pos += 1;
        }
    }
}

/// calamine's `raw_attr`: the first attribute named `key`; `Err` where it fails before finding it.
fn raw_attr(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, Stop> {
    for a in raw_attrs(e) {
        match a {
            Ok((k, v)) if k == key => return Ok(Some(v)),
            Ok(_) => {}
            Err(()) => return Err(Stop::Calamine),
        }
    }
    Ok(None)
}

/// A count as calamine reads it: `unescaped` first or not, then parsed whole; where it fails to
/// read it, it stops.
fn count(e: &BytesStart<'_>, key: &str, unescaped: bool) -> Result<u64, Stop> {
    let Some(raw) = raw_attr(e, key)? else {
        return Ok(1);
    };
    let text = if unescaped {
        quick_xml::escape::unescape(&raw)
            .map_err(|_| Stop::Calamine)?
            .into_owned()
    } else {
        raw
    };
    text.parse::<u64>().map_err(|_| Stop::Calamine)
}

impl<R: Read> Walk<'_, R> {
    fn next(&mut self) -> Result<Event<'_>, Stop> {
        self.buf.clear();
        self.x
            .read_event_into(&mut self.buf)
            .map_err(|_| Stop::Calamine)
    }

    /// calamine's `parse_content`: sheets, and the named expressions it reads on the way.
    fn content(&mut self) -> Result<(), Stop> {
        loop {
            match self.next()? {
                Event::Start(e) if e.name().as_ref() == "table:table" => {
                    raw_attr(&e, "table:style-name")?;
                    if let Some(name) = raw_attr(&e, "table:name")? {
                        self.sheet(&name)?;
                    }
                }
                Event::Start(e) if e.name().as_ref() == "table:named-expressions" => {
                    self.named_expressions()?;
                }
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    fn named_expressions(&mut self) -> Result<(), Stop> {
        loop {
            match self.next()? {
                Event::Start(e)
                    if matches!(
                        e.name().as_ref(),
                        "table:named-range" | "table:named-expression"
                    ) => {}
                Event::End(e)
                    if matches!(
                        e.name().as_ref(),
                        "table:named-range" | "table:named-expression"
                    ) => {}
                Event::End(e) if e.name().as_ref() == "table:named-expressions" => return Ok(()),
                _ => return Err(Stop::Calamine),
            }
        }
    }

    /// calamine's `read_table`: rows until the sheet's end, which it waits for past the end of
    /// the file.
    fn sheet(&mut self, name: &str) -> Result<(), Stop> {
        let mut sheet = Sheet::default();
        loop {
            let rep = match self.next()? {
                Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                    count(&e, "table:number-rows-repeated", true)?
                }
                Event::End(e) if e.name().as_ref() == "table:table" => break,
                Event::Eof => {
                    return Err(self.refused(format!(
                        "its entry `content.xml` ends inside sheet `{name}`, whose end calamine would wait for forever"
                    ), "the file is cut short or damaged: open it in a spreadsheet program and save it again, or export the sheet as CSV"));
                }
                _ => continue,
            };
            let (last, bytes) = self.row()?;
            let start = sheet.rows;
            sheet.rows = sheet.rows.saturating_add(rep);
            if last > 0 {
                let first = sheet.used.map_or(start, |u| u.0);
                sheet.used = Some((first, sheet.rows));
                sheet.width = sheet.width.max(last);
                sheet.bytes = sheet.bytes.saturating_add(bytes.saturating_mul(rep));
            }
            self.over(&sheet)?;
        }
        self.done.0 = self.done.0.saturating_add(sheet.area());
        self.done.1 = self.done.1.saturating_add(sheet.bytes);
        Ok(())
    }

    /// Refuses the sheets so far, with `sheet` being walked, above either limit.
    fn over(&self, sheet: &Sheet) -> Result<(), Stop> {
        let cells = self.done.0.saturating_add(sheet.area());
        let bytes = self.done.1.saturating_add(sheet.bytes);
        if cells > self.limits.0 {
            return Err(self.refused(
                format!("its sheets (entry `content.xml`) spread over more than {} cells once repeated rows and columns are counted, the limit (--max-cells)", self.limits.0),
                "repeated empty rows and columns count when cells with values follow them: delete the unused rows and columns, or export the sheet as CSV",
            ));
        }
        if bytes > self.limits.1 {
            return Err(self.refused(
                format!("its sheets' cells (entry `content.xml`) hold more than {} bytes of text once repeated rows, columns and spaces are written out, the limit (--max-unzipped-mb)", self.limits.1),
                "a cell repeated across rows or columns is copied into each, and `<text:s text:c=\"N\"/>` is N spaces: export the sheet as CSV",
            ));
        }
        Ok(())
    }

    fn refused(&self, why: String, help: &str) -> Stop {
        let shown = self.shown;
        Stop::Refused(
            Problem::new(format!("workbook `{shown}`: {why}"))
                .at(Location::file(shown))
                .help(help),
        )
    }

    /// calamine's `read_row`: one past the last column holding something, and the bytes of text
    /// of the row's cells, their repeats written out.
    fn row(&mut self) -> Result<(u64, u64), Stop> {
        let (mut cols, mut last, mut bytes) = (0u64, 0u64, 0u64);
        loop {
            let e = match self.next()? {
                Event::Start(e)
                    if matches!(
                        e.name().as_ref(),
                        "table:table-cell" | "table:covered-table-cell"
                    ) =>
                {
                    e.into_owned()
                }
                Event::End(e) if e.name().as_ref() == "table:table-row" => {
                    return Ok((last, bytes));
                }
                _ => return Err(Stop::Calamine),
            };
            let rep = count(&e, "table:number-columns-repeated", false)?;
            let (something, text) = self.cell(&e)?;
            cols = cols.saturating_add(rep);
            if something {
                last = cols;
                bytes = bytes.saturating_add(text.saturating_mul(rep));
            }
        }
    }

    /// calamine's `get_datatype` and what follows it: whether the cell holds something, and an
    /// upper bound on the bytes of its value and formula (its start tag, its text, its spaces).
    fn cell(&mut self, e: &BytesStart<'_>) -> Result<(bool, u64), Stop> {
        // calamine's reading of the attributes, in their order; where it would fail on a value
        // (a number that is not one), the walk goes on, counting more than calamine makes.
        let (mut valued, mut string, mut error, mut formula) = (false, false, false, false);
        let mut empty_string_value = false;
        for a in raw_attrs(e) {
            let (key, value) = a.map_err(|()| Stop::Calamine)?;
            match key.as_str() {
                "office:value"
                | "office:date-value"
                | "office:time-value"
                | "office:boolean-value"
                    if !valued =>
                {
                    valued = true;
                }
                "office:string-value" if !valued => {
                    valued = true;
                    empty_string_value = value.is_empty();
                }
                "office:value-type" if !valued => string = value == "string",
                "calcext:value-type" => error = value == "error",
                "table:formula" => formula = !value.is_empty(),
                _ => {}
            }
        }
        // calamine reads the text of a string cell without a `office:string-value`, and of an
        // error cell whose string value is empty; any other cell's content it skips.
        let reads_text = (string && !valued) || (error && empty_string_value);
        let something = valued || reads_text || formula;
        let mut bytes = e.len() as u64;
        if !reads_text {
            let name = e.name().as_ref().to_string();
            self.skip.clear();
            self.x
                .read_to_end_into(quick_xml::name::QName(&name), &mut self.skip)
                .map_err(|_| Stop::Calamine)?;
            return Ok((something, bytes));
        }
        loop {
            match self.next()? {
                Event::Text(t) => bytes = bytes.saturating_add(t.len() as u64),
                Event::GeneralRef(t) => bytes = bytes.saturating_add(t.len() as u64 + 2),
                Event::End(t)
                    if matches!(
                        t.name().as_ref(),
                        "table:table-cell" | "table:covered-table-cell"
                    ) =>
                {
                    return Ok((something, bytes));
                }
                Event::Start(t) if t.name().as_ref() == "office:annotation" => loop {
                    match self.next()? {
                        Event::End(t) if t.name().as_ref() == "office:annotation" => break,
                        Event::Eof => {
                            return Err(self.refused(
                                "its entry `content.xml` ends inside a cell's note (`office:annotation`), whose end calamine would wait for forever".to_string(),
                                "the file is cut short or damaged: open it in a spreadsheet program and save it again, or export the sheet as CSV",
                            ));
                        }
                        _ => {}
                    }
                },
                Event::Start(t) if t.name().as_ref() == "text:s" => {
                    let n = count(&t, "text:c", true)?;
                    bytes = bytes.saturating_add(n);
                }
                Event::Start(_) => bytes = bytes.saturating_add(1),
                Event::Eof => return Err(Stop::Calamine),
                _ => {}
            }
        }
    }
}
