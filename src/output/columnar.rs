//! Parquet serialisation of a results table (`--format parquet`), driven by the table's schema
//! description: one column per header column, of the column's type.
//!
//! | schema type                 | parquet column                              |
//! |-----------------------------|---------------------------------------------|
//! | `Code`, `Text`, `Label`     | `BYTE_ARRAY`, logical type `STRING` (UTF-8) |
//! | `Number`, `Share`           | `DOUBLE`                                    |
//! | `Integer`                   | `INT64`                                     |
//! | `Date`                      | `INT32`, logical type `DATE`                |
//! | `Boolean`                   | `BOOLEAN`                                   |
//!
//! Every column is `OPTIONAL`: `NA` is a null. A blank cell (no value is due: a matrix's
//! diagonal) is an empty string in a text column and a null in any other. Text is written as
//! it is, without the spreadsheet guard of the CSV (a parquet cell is never run as a formula).
//! The bytes depend on the table only: uncompressed, format version 1, a fixed `created_by`,
//! no key-value metadata and no timestamps.

use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type as SchemaType;

use super::schema::{Cell, Table, Type};
use crate::base::format::number;

/// Rows per row group: a reader holds one group's column at a time.
pub(crate) const ROW_GROUP: usize = 1 << 20;

/// What `created_by` says: the same for every run of one accord version.
fn created_by() -> String {
    format!("accord {}", env!("CARGO_PKG_VERSION"))
}

fn field(name: &str, ty: Type) -> parquet::errors::Result<SchemaType> {
    let (physical, logical) = match ty {
        Type::Code | Type::Text | Type::Label(_) => {
            (Physical::BYTE_ARRAY, Some(LogicalType::String))
        }
        Type::Number | Type::Share => (Physical::DOUBLE, None),
        Type::Integer => (Physical::INT64, None),
        Type::Date => (Physical::INT32, Some(LogicalType::Date)),
        Type::Boolean => (Physical::BOOLEAN, None),
    };
    SchemaType::primitive_type_builder(name, physical)
        .with_repetition(Repetition::OPTIONAL)
        .with_logical_type(logical)
        .build()
}

/// Days from 1970-01-01 to a `YYYY-MM-DD` date.
fn days(s: &str) -> Option<i32> {
    let d = crate::evidence::parse_date(s)?;
    let epoch = jiff::civil::date(1970, 1, 1);
    // A civil date's span is counted in days unless told otherwise.
    epoch.until(d).ok().map(|s| s.get_days())
}

/// A number as the CSV writes it: `-0` as `0`, a non-finite value missing.
fn double(c: &Cell) -> Option<f64> {
    match c {
        Cell::Number(x) if x.is_finite() => Some(if *x == 0.0 { 0.0 } else { *x }),
        Cell::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

fn integer(c: &Cell) -> Option<i64> {
    match c {
        Cell::Integer(i) => Some(*i),
        Cell::Number(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
        _ => None,
    }
}

fn string(c: &Cell) -> Option<String> {
    match c {
        Cell::Na => None,
        Cell::Blank => Some(String::new()),
        Cell::Text(s) => Some(s.to_string()),
        Cell::Number(_) => double(c).map(number),
        Cell::Integer(i) => Some(i.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
    }
}

fn date(c: &Cell) -> Option<i32> {
    c.as_text().and_then(days)
}

fn boolean(c: &Cell) -> Option<bool> {
    match c {
        Cell::Bool(b) => Some(*b),
        _ => None,
    }
}

/// The values and definition levels (1 present, 0 null) of the column `col` of some rows, their
/// cells one row after another, `width` to a row.
fn levels<T>(
    cells: &[Cell],
    width: usize,
    col: usize,
    get: impl Fn(&Cell) -> Option<T>,
) -> (Vec<T>, Vec<i16>) {
    let n = cells.len() / width.max(1);
    let mut values = Vec::with_capacity(n);
    let mut defs = Vec::with_capacity(n);
    for row in cells.chunks(width.max(1)) {
        match row.get(col).and_then(&get) {
            Some(v) => {
                values.push(v);
                defs.push(1);
            }
            None => defs.push(0),
        }
    }
    (values, defs)
}

/// Writes the column `col` of `rows` into the column writer `w`.
fn write_column(
    w: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    rows: &[Cell],
    width: usize,
    col: usize,
    ty: Type,
) -> parquet::errors::Result<()> {
    match ty {
        Type::Code | Type::Text | Type::Label(_) => {
            let (v, d) = levels(rows, width, col, |c| {
                string(c).map(|s| ByteArray::from(s.into_bytes()))
            });
            w.typed::<ByteArrayType>().write_batch(&v, Some(&d), None)?;
        }
        Type::Number | Type::Share => {
            let (v, d) = levels(rows, width, col, double);
            w.typed::<DoubleType>().write_batch(&v, Some(&d), None)?;
        }
        Type::Integer => {
            let (v, d) = levels(rows, width, col, integer);
            w.typed::<Int64Type>().write_batch(&v, Some(&d), None)?;
        }
        Type::Date => {
            let (v, d) = levels(rows, width, col, date);
            w.typed::<Int32Type>().write_batch(&v, Some(&d), None)?;
        }
        Type::Boolean => {
            let (v, d) = levels(rows, width, col, boolean);
            w.typed::<BoolType>().write_batch(&v, Some(&d), None)?;
        }
    }
    Ok(())
}

/// The parquet bytes of a table, or the writer's error.
pub(crate) fn write(t: &Table) -> parquet::errors::Result<Vec<u8>> {
    let types = t.types();
    let mut writer = start(t.header(), &types, Vec::new())?;
    for first in (0..t.len()).step_by(ROW_GROUP) {
        let rows = t.row_cells(first, (first + ROW_GROUP).min(t.len()));
        write_group(&mut writer, rows, &types)?;
    }
    writer.into_inner()
}

/// A parquet writer onto `sink` for a table of these columns, before its first row group.
pub(crate) fn start<W: std::io::Write + Send>(
    header: &[String],
    types: &[Type],
    sink: W,
) -> parquet::errors::Result<SerializedFileWriter<W>> {
    let fields = header
        .iter()
        .zip(types)
        .map(|(name, ty)| field(name, *ty).map(Arc::new))
        .collect::<parquet::errors::Result<Vec<_>>>()?;
    let schema = SchemaType::group_type_builder("schema")
        .with_fields(fields)
        .build()?;
    let props = WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_created_by(created_by())
        .build();
    SerializedFileWriter::new(sink, Arc::new(schema), Arc::new(props))
}

/// Writes `rows` (their cells one row after another, one per column of `types`) as one row
/// group. Row groups of [`ROW_GROUP`] rows, the last shorter, give the bytes of [`write`].
pub(crate) fn write_group<W: std::io::Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    rows: &[Cell],
    types: &[Type],
) -> parquet::errors::Result<()> {
    let mut group = writer.next_row_group()?;
    let mut col = 0;
    while let Some(mut w) = group.next_column()? {
        write_column(&mut w, rows, types.len(), col, types[col])?;
        w.close()?;
        col += 1;
    }
    group.close()?;
    Ok(())
}

/// The number of rows a parquet file's footer records (`None` when it is not one).
pub(crate) fn rows(bytes: &[u8]) -> Option<u64> {
    let n = bytes.len();
    if n < 12 || &bytes[n - 4..] != b"PAR1" {
        return None;
    }
    let len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().ok()?) as usize;
    let start = n.checked_sub(8 + len)?;
    let meta =
        parquet::file::metadata::ParquetMetaDataReader::decode_metadata(&bytes[start..n - 8])
            .ok()?;
    u64::try_from(meta.file_metadata().num_rows()).ok()
}

/// Reads a parquet file's rows back as cells of the schema's kinds (a date as its
/// `YYYY-MM-DD` text, a null as `NA`): its header and rows, or the reader's message.
pub(crate) fn read(bytes: Vec<u8>) -> Result<(Vec<String>, Vec<Vec<Cell>>), String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).map_err(|e| e.to_string())?;
    let header = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let epoch = jiff::civil::date(1970, 1, 1);
    let mut rows = Vec::new();
    for row in reader.get_row_iter(None).map_err(|e| e.to_string())? {
        let row = row.map_err(|e| e.to_string())?;
        let cells = row
            .get_column_iter()
            .map(|(_, f)| match f {
                Field::Null => Ok(Cell::Na),
                Field::Bool(b) => Ok(Cell::Bool(*b)),
                Field::Long(i) => Ok(Cell::Integer(*i)),
                Field::Double(x) => Ok(Cell::Number(*x)),
                Field::Str(s) => Ok(Cell::Text(s.as_str().into())),
                Field::Date(d) => epoch
                    .checked_add(jiff::Span::new().days(i64::from(*d)))
                    .map(|d| Cell::Text(d.to_string().into()))
                    .map_err(|e| e.to_string()),
                other => Err(format!("a cell of an unexpected kind: {other:?}")),
            })
            .collect::<Result<Vec<_>, String>>()?;
        rows.push(cells);
    }
    Ok((header, rows))
}
