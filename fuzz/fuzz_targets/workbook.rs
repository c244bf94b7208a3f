//! Workbooks: bytes read as an `.xlsx` or `.ods` sheet through `Table::from_workbook`, the reader
//! `--evidence coding.xlsx` uses once the file is read, give rows or a clean error that renders.
//!
//! Input layout: one selector byte, then the parts. Its low two bits choose what the parts are:
//! 0 (and 3): the workbook's bytes as they are (the zip container and its checks); 1: an `.xlsx`
//! made of the parts, separated by NUL bytes: the sheet's XML, then optionally the shared strings
//! and the workbook XML; 2: an `.ods` whose `content.xml` is the first part. Parts are stored, not
//! deflated, so that mutations reach the XML readers (a mutated deflated or checksummed entry is
//! refused at its CRC-32). Bit 2 asks for the sheet `Evidence` by name.
#![no_main]

use std::io::Write;

use accord::evidence::table::Table;
use accord_fuzz::{optional, sections};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Evidence" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// A stored zip of `entries`.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, options).expect("entry");
        w.write_all(data).expect("data");
    }
    w.finish().expect("zip").into_inner()
}

fuzz_target!(|data: &[u8]| {
    // Limits small enough that an input the reader accepts stays quick: the fuzzer looks for
    // inputs that get past them, not for workbooks that are merely large.
    let limits = accord::limits::Limits {
        cells: 200_000,
        unzipped_bytes: 16 * 1024 * 1024,
        ..accord::limits::Limits::default()
    };
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let parts = sections(rest);
    let (name, bytes) = match selector & 3 {
        1 => {
            let mut entries: Vec<(&str, &[u8])> = vec![
                ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
                ("_rels/.rels", RELS.as_bytes()),
                ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
                ("xl/worksheets/sheet1.xml", parts[0]),
                ("xl/workbook.xml", optional(&parts, 2).unwrap_or(WORKBOOK.as_bytes())),
            ];
            if let Some(s) = optional(&parts, 1) {
                entries.push(("xl/sharedStrings.xml", s));
            }
            ("coding.xlsx", zip(&entries))
        }
        2 => {
            let entries: Vec<(&str, &[u8])> = vec![
                ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                ("META-INF/manifest.xml", MANIFEST.as_bytes()),
                ("content.xml", parts[0]),
            ];
            ("coding.ods", zip(&entries))
        }
        _ => ("coding.xlsx", rest.to_vec()),
    };
    let sheet = (selector & 4 != 0).then_some("Evidence");
    match Table::from_workbook(name, &bytes, sheet, "evidence file", &limits) {
        Ok(mut table) => {
            let width = table.header.len();
            assert!(width > 0 && table.header.iter().all(|h| !h.is_empty()));
            let mut last = 0;
            let r = table.for_each_row(|row| {
                // Rows come in order, each as wide as the sheet's used area (at least the header).
                assert!(row.line > last && row.cells.len() >= width);
                last = row.line;
                let _ = row.location(0, "first").to_string();
                let _ = row.row_location();
            });
            if let Err(p) = r {
                assert!(!p.message.is_empty());
                let _ = p.one_line();
            }
        }
        Err(p) => {
            assert!(!p.message.is_empty(), "a problem with no message");
            assert!(p.location.is_some(), "a workbook problem names its file");
            let _ = p.one_line();
        }
    }
});
