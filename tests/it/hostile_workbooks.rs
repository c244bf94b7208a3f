//! Hostile workbooks, one per class, made entry by entry at test time: declared or repeated sizes
//! that would make the reader allocate far more than the file (a far corner cell, a shared-strings
//! count, a shared-formula index, repeated `.ods` rows and columns, a zip bomb), a damaged zip
//! entry, and the limits on columns, rows and bytes. Each runs the binary as `hostile_inputs`
//! does (address-space cap, time guard) and must exit 2 with a message naming the file and, for a
//! zip entry, the entry.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::hostile_inputs::{Run, mini, run_capped};

/// `score` of the mini rubric on this evidence file.
fn score_evidence(evidence: &Path, extra: &[&str]) -> Run {
    let e = evidence.display().to_string();
    let rubric = mini("rubric.toml");
    let mut args = vec!["score", "--rubric", &rubric, "--evidence", &e];
    args.extend_from_slice(extra);
    run_capped(&args, None)
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Evidence" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// An inline-string cell.
fn text_cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The mini fixture's header and one good evidence row, as sheet rows.
fn good_rows() -> String {
    format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}{}</row>"#,
        text_cell("A1", "jurisdiction"),
        text_cell("B1", "criterion"),
        text_cell("C1", "value"),
        text_cell("A2", "XAA"),
        text_cell("B2", "a1"),
        text_cell("C2", "yes"),
    )
}

fn sheet_xml(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// A zip of `entries`, stored or deflated.
fn zip_bytes(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let (method, level) = if deflate {
        (zip::CompressionMethod::Deflated, Some(1))
    } else {
        (zip::CompressionMethod::Stored, None)
    };
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(level)
        .large_file(true);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, options).expect("zip entry");
        w.write_all(data).expect("zip data");
    }
    w.finish().expect("zip").into_inner()
}

/// An `.xlsx` with this sheet and, optionally, shared strings.
fn xlsx(dir: &Path, name: &str, sheet: &str, shared: Option<&str>, deflate: bool) -> PathBuf {
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ];
    if let Some(s) = shared {
        entries.push(("xl/sharedStrings.xml", s.as_bytes()));
    }
    let path = dir.join(name);
    std::fs::write(&path, zip_bytes(&entries, deflate)).expect("write the workbook");
    path
}

/// An `.ods` whose only sheet has these rows.
fn ods(dir: &Path, name: &str, rows: &str) -> PathBuf {
    ods_content(dir, name, &format!("{rows}</table:table>{ODS_END}"))
}

/// The start of an `.ods`'s `content.xml`, up to its sheet's rows.
const ODS_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Evidence">"#;
/// The end of an `.ods`'s `content.xml`, after its sheet.
const ODS_END: &str = "</office:spreadsheet></office:body></office:document-content>";

/// An `.ods` whose `content.xml` is [`ODS_START`] followed by `rest`.
fn ods_content(dir: &Path, name: &str, rest: &str) -> PathBuf {
    ods_whole(dir, name, &format!("{ODS_START}{rest}"))
}

/// An `.ods` with this `content.xml`.
fn ods_whole(dir: &Path, name: &str, content: &str) -> PathBuf {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let entries: Vec<(&str, &[u8])> = vec![
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ];
    let path = dir.join(name);
    std::fs::write(&path, zip_bytes(&entries, true)).expect("write the workbook");
    path
}

fn ods_text(text: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
    )
}

fn ods_good_rows() -> String {
    format!(
        "<table:table-row>{}{}{}</table:table-row><table:table-row>{}{}{}</table:table-row>",
        ods_text("jurisdiction"),
        ods_text("criterion"),
        ods_text("value"),
        ods_text("XAA"),
        ods_text("a1"),
        ods_text("yes"),
    )
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

fn sheet_of(p: &Path) -> String {
    format!("{} (sheet `Evidence`)", p.display())
}

#[test]
fn workbooks_made_here_are_read() {
    // The builders make files accord reads: the refusals below are about what each breaks.
    let dir = tempfile::tempdir().unwrap();
    let x = xlsx(dir.path(), "ok.xlsx", &sheet_xml(&good_rows()), None, true);
    let r = score_evidence(&x, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let o = ods(dir.path(), "ok.ods", &ods_good_rows());
    let r = score_evidence(&o, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn a_far_corner_cell_is_refused_before_the_sheet_is_allocated() {
    // A1 and XFD1048576 span 1,048,576 x 16,384 = 17,179,869,184 cells (549 GB as calamine's
    // dense range); a 2 KB file.
    let dir = tempfile::tempdir().unwrap();
    let rows = format!(
        r#"{}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        good_rows()
    );
    let x = xlsx(dir.path(), "corner.xlsx", &sheet_xml(&rows), None, true);
    score_evidence(&x, &[]).refused(
        &sheet_of(&x),
        &[
            "spread over 17179869184 cells (rows 1 to 1048576, columns A to XFD)",
            "more than the limit of 10000000 (--max-cells)",
        ],
    );
}

#[test]
fn the_used_area_is_counted_from_column_a_to_the_last_row_with_a_value() {
    // A value at Z10 with the header in row 1: rows 1 to 10, columns A to Z: 10 x 26 = 260.
    let dir = tempfile::tempdir().unwrap();
    let rows = format!(
        r#"{}<row r="10"><c r="Z10"><v>1</v></c></row>"#,
        good_rows()
    );
    let x = xlsx(dir.path(), "z10.xlsx", &sheet_xml(&rows), None, false);
    score_evidence(&x, &["--max-cells", "259"]).refused(
        &sheet_of(&x),
        &["spread over 260 cells (rows 1 to 10, columns A to Z), more than the limit of 259"],
    );
    // At the limit it is read (and then the stray value is just an unnamed column's cell).
    let r = score_evidence(&x, &["--max-cells", "260"]);
    assert!(!r.stderr.contains("--max-cells"), "{}", r.stderr);
}

#[test]
fn a_reference_beyond_xfd1048576_or_backwards_is_refused() {
    // calamine multiplies a reference's letters and digits unchecked, and subtracts a range's
    // start from its end: a column past XFD, a row past 1048576, or a range that runs backwards.
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (r#"<row r="3"><c r="XFE3"><v>1</v></c></row>"#, "XFE3"),
        (
            r#"<row r="3"><c r="A1048577"><v>1</v></c></row>"#,
            "A1048577",
        ),
        (
            r#"<row r="99999999999"><c><v>1</v></c></row>"#,
            "99999999999",
        ),
        (
            r#"<row r="3"><c r="ADDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD3"><v>1</v></c></row>"#,
            "ADDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD3",
        ),
        (
            r#"<row r="3"><c r="C3"><f t="shared" si="0" ref="C3:C1">1</f><v>1</v></c></row>"#,
            "C3:C1",
        ),
        // Of two `r`s, calamine may read the second.
        (
            r#"<row r="3"><c r="C3" r="inlineStr"><v>1</v></c></row>"#,
            "inlineStr",
        ),
        // Letters that overflow before calamine meets the character it would refuse.
        (
            r#"<row r="3"><c r="AmimetypesheetData>"><v>1</v></c></row>"#,
            "AmimetypesheetData>",
        ),
    ];
    for (i, (rows, reference)) in cases.into_iter().enumerate() {
        let rows = format!("{}{rows}", good_rows());
        let x = xlsx(
            dir.path(),
            &format!("ref{i}.xlsx"),
            &sheet_xml(&rows),
            None,
            false,
        );
        score_evidence(&x, &[]).refused(
            &shown(&x),
            &[&format!(
                "entry `xl/worksheets/sheet1.xml` has the cell reference `{reference}`, beyond `XFD1048576` or backwards"
            )],
        );
    }
    // The sheet's own `dimension`, which no cell needs.
    let sheet =
        sheet_xml(&good_rows()).replace("<sheetData>", r#"<dimension ref="D3:A1"/><sheetData>"#);
    let x = xlsx(dir.path(), "dimension.xlsx", &sheet, None, false);
    score_evidence(&x, &[]).refused(&shown(&x), &["the cell reference `D3:A1`"]);
}

#[test]
fn a_declared_shared_strings_count_is_bounded_before_it_is_reserved() {
    // calamine reserves `uniqueCount` strings (24 bytes each) when it opens the file: 103 GB.
    let dir = tempfile::tempdir().unwrap();
    let sst = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4294967295" uniqueCount="4294967295"><si><t>x</t></si></sst>"#;
    let x = xlsx(
        dir.path(),
        "sst.xlsx",
        &sheet_xml(&good_rows()),
        Some(sst),
        true,
    );
    let p = score_evidence(&x, &[]).refused(
        &shown(&x),
        &["entry `xl/sharedStrings.xml` declares 4294967295 shared strings (`uniqueCount`)"],
    );
    // 4294967295 strings cannot fit in the entry's bytes: that is the bound named.
    let bytes = sst.len();
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .ends_with(&format!("more than its {bytes} bytes can hold")),
        "{p}"
    );
    // A count its bytes could hold, over the cell limit.
    let strings: String = (0..40).map(|i| format!("<si><t>s{i}</t></si>")).collect();
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="40">{strings}</sst>"#
    );
    let x = xlsx(
        dir.path(),
        "sst40.xlsx",
        &sheet_xml(&good_rows()),
        Some(&sst),
        true,
    );
    score_evidence(&x, &["--max-cells", "39"]).refused(
        &shown(&x),
        &["declares 40 shared strings (`uniqueCount`), more than the limit of 39 (--max-cells)"],
    );
}

#[test]
fn a_shared_formula_index_is_not_a_size() {
    // `si` indexes calamine's table of shared formulas, which its expanding reader grows to the
    // index: 10^12 entries. Read as metadata, the cell is just a formula with a saved value.
    let dir = tempfile::tempdir().unwrap();
    let rows = format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}<c r="C2"><f t="shared" si="1000000000000" ref="C2:C3">B2+1</f><v>3</v></c></row>"#,
        text_cell("A1", "jurisdiction"),
        text_cell("B1", "criterion"),
        text_cell("C1", "value"),
        text_cell("A2", "XAA"),
        text_cell("B2", "b1"),
    );
    let x = xlsx(dir.path(), "si.xlsx", &sheet_xml(&rows), None, true);
    let r = score_evidence(&x, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn repeated_ods_rows_are_counted_before_calamine_writes_them_out() {
    // One row of a value and 1,000 repeated numbers, repeated 25,000 times: 25,000 x 1,001
    // cells (1.5 GB as calamine reads it) from a file of under 1 KB.
    let dir = tempfile::tempdir().unwrap();
    let rows = format!(
        r#"{}<table:table-row table:number-rows-repeated="25000">{}<table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"/></table:table-row>"#,
        ods_good_rows(),
        ods_text("x")
    );
    let o = ods(dir.path(), "rows.ods", &rows);
    score_evidence(&o, &[]).refused(
        &shown(&o),
        &[
            "its sheets (entry `content.xml`) spread over more than 10000000 cells",
            "--max-cells",
        ],
    );
}

#[test]
fn repeated_ods_columns_and_empty_rows_before_a_value_count_too() {
    // Repeated empty rows count when a value follows them: 2 + 9,998 + 1 = 10,001 rows, each 3
    // columns wide (the widest row with content): 30,003 cells.
    let dir = tempfile::tempdir().unwrap();
    let rows = format!(
        r#"{}<table:table-row table:number-rows-repeated="9998"><table:table-cell/></table:table-row><table:table-row>{}</table:table-row>"#,
        ods_good_rows(),
        ods_text("XAB")
    );
    let o = ods(dir.path(), "gap.ods", &rows);
    score_evidence(&o, &["--max-cells", "30002"])
        .refused(&shown(&o), &["spread over more than 30002 cells"]);
    let r = score_evidence(&o, &["--max-cells", "30003"]);
    assert!(!r.stderr.contains("--max-cells"), "{}", r.stderr);
    // Trailing repeated empty rows and columns, as spreadsheet programs save them, do not.
    let rows = format!(
        r#"{}<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#,
        ods_good_rows()
    );
    let o = ods(dir.path(), "trailing.ods", &rows);
    let r = score_evidence(&o, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // A value repeated across columns: 16,000 columns in one row over 2 rows above it.
    let rows = format!(
        r#"{}<table:table-row><table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"/></table:table-row>"#,
        ods_good_rows()
    );
    let o = ods(dir.path(), "wide.ods", &rows);
    score_evidence(&o, &["--max-cells", "47999"])
        .refused(&shown(&o), &["spread over more than 47999 cells"]);
}

#[test]
fn a_zip_bomb_is_refused_by_the_bytes_it_unpacks_to() {
    // 12 MB of one repeated empty row deflates to a few KB; with an 8 MB limit it is refused at
    // that entry, having unpacked no more than the limit.
    let dir = tempfile::tempdir().unwrap();
    let mut rows = good_rows();
    let filler = "<row/>".repeat(2 * 1024 * 1024);
    rows.push_str(&filler);
    let x = xlsx(dir.path(), "bomb.xlsx", &sheet_xml(&rows), None, true);
    assert!(std::fs::metadata(&x).unwrap().len() < 200_000);
    score_evidence(&x, &["--max-unzipped-mb", "8"]).refused(
        &shown(&x),
        &[
            "unpacks to more than 8388608 bytes, the limit (at entry `xl/worksheets/sheet1.xml`; --max-unzipped-mb)",
        ],
    );
    // Under the default limit of 1 GB it is an ordinary workbook.
    let r = score_evidence(&x, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn a_damaged_zip_entry_is_refused_with_its_name() {
    // Stored, so that the sheet's text can be edited in place: `yes` becomes `no!`, and the
    // CRC-32 recorded for the entry no longer matches.
    let dir = tempfile::tempdir().unwrap();
    let x = xlsx(
        dir.path(),
        "crc.xlsx",
        &sheet_xml(&good_rows()),
        None,
        false,
    );
    let mut bytes = std::fs::read(&x).unwrap();
    let at = bytes
        .windows(5)
        .position(|w| w == b">yes<")
        .expect("the value in the stored sheet");
    bytes[at + 1..at + 4].copy_from_slice(b"no!");
    std::fs::write(&x, &bytes).unwrap();
    score_evidence(&x, &[]).refused(
        &shown(&x),
        &["entry `xl/worksheets/sheet1.xml` cannot be read: its CRC-32 does not match its data"],
    );
}

#[test]
fn a_workbook_is_bounded_by_the_file_limit_as_read() {
    let dir = tempfile::tempdir().unwrap();
    let x = xlsx(
        dir.path(),
        "small.xlsx",
        &sheet_xml(&good_rows()),
        None,
        true,
    );
    let size = std::fs::metadata(&x).unwrap().len();
    score_evidence(&x, &["--max-file-mb", "0"]).refused(
        &shown(&x),
        &[&format!(
            "evidence file `{}` is {size} bytes, more than the limit of 0 (--max-file-mb)",
            x.display()
        )],
    );
}

#[test]
fn a_sheet_row_count_is_bounded_like_a_csv_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = good_rows();
    for r in 3..=5 {
        rows.push_str(&format!(
            r#"<row r="{r}">{}{}{}</row>"#,
            text_cell(&format!("A{r}"), "XAB"),
            text_cell(&format!("B{r}"), "a1"),
            text_cell(&format!("C{r}"), "no"),
        ));
    }
    let x = xlsx(dir.path(), "rows.xlsx", &sheet_xml(&rows), None, true);
    score_evidence(&x, &["--max-rows", "3"])
        .refused(&sheet_of(&x), &["has more than 3 rows (--max-rows)"]);
}

#[test]
fn an_ods_that_ends_inside_a_sheet_is_refused_not_waited_on() {
    // calamine's sheet reader waits for `</table:table>` past the end of the file: it hung.
    let dir = tempfile::tempdir().unwrap();
    let o = ods_content(dir.path(), "cut.ods", &ods_good_rows());
    score_evidence(&o, &[]).refused(
        &shown(&o),
        &["its entry `content.xml` ends inside sheet `Evidence`, whose end calamine would wait for forever"],
    );
    // The same for a cell's note, whose end calamine looks for past the sheet's.
    let rows = format!(
        r#"{}<table:table-row><table:table-cell office:value-type="string"><office:annotation><text:p>n</text:p></table:table-cell></table:table-row></table:table>{ODS_END}"#,
        ods_good_rows()
    );
    let o = ods_content(dir.path(), "note.ods", &rows);
    score_evidence(&o, &[]).refused(
        &shown(&o),
        &["ends inside a cell's note (`office:annotation`)"],
    );
}

#[test]
fn ods_text_repeats_are_counted_as_the_bytes_they_expand_to() {
    let dir = tempfile::tempdir().unwrap();
    // `<text:s text:c="N"/>` is N spaces: 2,000,000,000 of them from one element.
    let rows = format!(
        r#"{}<table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="2000000000"/></text:p></table:table-cell></table:table-row>"#,
        ods_good_rows()
    );
    let o = ods(dir.path(), "spaces.ods", &rows);
    score_evidence(&o, &[]).refused(
        &shown(&o),
        &["hold more than 1073741824 bytes of text once repeated rows, columns and spaces are written out, the limit (--max-unzipped-mb)"],
    );
    // A cell of 1,000 characters repeated over 9,000 columns and 1,000 rows: 9 GB of copies in
    // 9 million cells, under the cell limit.
    let rows = format!(
        r#"{}<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="9000" office:value-type="string"><text:p>{}</text:p></table:table-cell></table:table-row>"#,
        ods_good_rows(),
        "x".repeat(1000)
    );
    let o = ods(dir.path(), "copies.ods", &rows);
    score_evidence(&o, &[]).refused(&shown(&o), &["bytes of text once repeated rows"]);
}

/// A `content.xml` the fuzzer made (the `workbook` target's third finding), kept whole: its
/// sheet is never closed, and a start tag `office:ble:table-cell office:value-type="string"`
/// has no `=` after its first name, which calamine reads as one key, so the cell is not a string
/// cell to it. Read by another attribute parser, the walk took a different path through the
/// cells and missed that calamine would reach the end of the file inside the sheet, and wait.
const FUZZ_CUT_SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:t</table:table-cell>es:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:2.0" office:version=".2"><office:body><office:spreadsheet><table:table table:name="EviPdence"><table:table-row><table:table-cell office:value-type="string"><text:p>jurisdiction</text:p></table:table-cell><table:table-cell office:ble:table-cell office:value-type="string"><text:p>criterion</text:p></table:ta-belcell><table:table-cell office:value-type="string"><text:p>value</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string"><text:p>XAA</text:p></table:table->b1</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="3" table:formula="of:=1+2"><text:p>3</text:p></table:table-cell></table:table-row><table:table-row ated="3"><table:table-cell table:number-coimension ref="A1:D3"/><sheetData><row><c")</f><v>yes</v></c></row></sc r="C5" t="str"><f>IF(1,"yes","no")</f><v>yes</v></c>="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http:./schemas.ocell office:value-type="string"><text:p>n</text:p></table:table-cell></table:table-row></table:table?</office:spreadsheet></office:body></office:document-content>"#;

#[test]
fn the_walk_reads_attributes_as_calamine_does() {
    let dir = tempfile::tempdir().unwrap();
    let o = ods_whole(dir.path(), "fuzz.ods", FUZZ_CUT_SHEET);
    score_evidence(&o, &[]).refused(
        &shown(&o),
        &["its entry `content.xml` ends inside sheet `EviPdence`"],
    );
}
