//! Reading input files: size limits, encodings, hashes.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Location, Problem};

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a file as UTF-8 text, within a size limit.
pub fn read_text(
    path: &Path,
    what: &str,
    limit: u64,
    from: Option<Location>,
) -> Result<String, Problem> {
    let bytes = read_bytes(path, what, limit, None, from)?;
    decode_utf8(bytes, &path.display().to_string())
}

/// Reads a file's bytes, refusing folders, anything that is not a regular file, and files over
/// `limit` bytes. The limit is on the bytes read, not on what the file system reports: the read
/// stops one byte past it, so a file that grows while it is read, or reports no size, costs at most
/// `limit + 1` bytes. `flag` is the option that raises the limit, named in the message; `from` is
/// where the file was referred to (for a file that cannot be opened).
pub fn read_bytes(
    path: &Path,
    what: &str,
    limit: u64,
    flag: Option<&str>,
    from: Option<Location>,
) -> Result<Vec<u8>, Problem> {
    let shown = path.display().to_string();
    let cannot = |e: &std::io::Error, at: Location| {
        Problem::new(format!("cannot read {what} `{shown}`: {}", io_reason(e))).at(at)
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| cannot(&e, from.clone().unwrap_or_else(|| Location::file(&shown))))?;
    check_kind(&meta, what, &shown)?;
    let too_large = |size: Option<u64>| {
        let flag = flag.map(|f| format!(" ({f})")).unwrap_or_default();
        let size = match size {
            Some(n) => format!("is {n} bytes"),
            None => "has more bytes than that".to_string(),
        };
        Problem::new(format!(
            "{what} `{shown}` {size}, more than the limit of {limit}{flag}"
        ))
        .at(Location::file(&shown))
    };
    if meta.len() > limit {
        return Err(too_large(Some(meta.len())));
    }
    let file = open_regular(path).map_err(|e| cannot(&e, Location::file(&shown)))?;
    // Checked again on the open file: the path may have been replaced since.
    let meta = file
        .metadata()
        .map_err(|e| cannot(&e, Location::file(&shown)))?;
    check_kind(&meta, what, &shown)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0) + 1);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(&e, Location::file(&shown)))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(None));
    }
    Ok(bytes)
}

/// Refuses folders and anything else that is not a regular file: a FIFO or a terminal can block
/// forever, a device never ends, and neither can be read again by `score --check`.
fn check_kind(meta: &std::fs::Metadata, what: &str, shown: &str) -> Result<(), Problem> {
    if meta.is_dir() {
        return Err(
            Problem::new(format!("{what} `{shown}` is a folder, not a file"))
                .at(Location::file(shown)),
        );
    }
    if !meta.is_file() {
        return Err(Problem::new(format!(
            "{what} `{shown}` is {}, not a regular file",
            special_kind(meta)
        ))
        .at(Location::file(shown))
        .help("accord reads its inputs from regular files, which it can hash and read again: save the data to a file first"));
    }
    Ok(())
}

/// What a file that is neither a folder nor a regular file is.
#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a pipe"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// What a file that is neither a folder nor a regular file is.
#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// Opens a file for reading without waiting: on Linux with `O_NONBLOCK`, so that a FIFO put in
/// place after the check above does not block the open until a writer appears.
#[cfg(target_os = "linux")]
fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let nonblock = i32::try_from(rustix::fs::OFlags::NONBLOCK.bits()).unwrap_or(0);
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nonblock)
        .open(path)
}

/// Opens a file for reading.
#[cfg(not(target_os = "linux"))]
fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Turns bytes into text: strips a UTF-8 BOM, refuses UTF-16 and other encodings clearly.
pub(crate) fn decode_utf8(owned: Vec<u8>, shown: &str) -> Result<String, Problem> {
    let bytes = owned.as_slice();
    // Spreadsheets are where most CSV comes from; rubrics are edited as text.
    let help = if shown.ends_with(".toml") {
        "save it as UTF-8 from your editor (most editors offer it under \"Save with encoding\")"
    } else {
        "save it as UTF-8 (in Excel: Save As > \"CSV UTF-8\"; in LibreOffice: character set \"Unicode (UTF-8)\")"
    };
    if let Some(kind) = binary_kind(bytes) {
        let mut p =
            Problem::new(format!("`{shown}` is {kind}, not a text file")).at(Location::file(shown));
        // A text file with one NUL byte (in a note, say) is told where it is.
        if let Some(at) = memchr::memchr(0, bytes).filter(|_| kind == "binary data") {
            let (line, column) = crate::error::line_col_of(bytes, at);
            p = Problem::new(format!(
                "`{shown}` has a NUL byte, so it is {kind}, not a text file"
            ))
            .at(Location::line_col(shown, line, Some(column)))
            .help("remove the NUL byte (a text editor shows it as ^@ or \\0), or export the file again as text");
        }
        if kind.contains("zip") {
            p = p.help("if it is a workbook, give it its .xlsx (or .ods) name and choose the sheet with --sheet");
        }
        return Err(p);
    }
    let mut owned = owned;
    if owned.starts_with(b"\xEF\xBB\xBF") {
        owned.drain(..3);
    }
    let bytes = owned.as_slice();
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || looks_utf16(bytes) {
        return Err(
            Problem::new(format!("`{shown}` is encoded as UTF-16, not UTF-8"))
                .at(Location::file(shown))
                .help(help),
        );
    }
    // Valid text keeps its buffer: a large file is not copied.
    match String::from_utf8(owned) {
        Ok(s) => Ok(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&bytes[line_start..at])
                .chars()
                .count()
                + 1;
            Err(Problem::new(format!(
                "`{shown}` is not valid UTF-8: byte 0x{:02X} at line {line}, column {column} (the file is probably Latin-1 or Windows-1252)",
                bytes[at]
            ))
            .at(Location::line_col(shown, line, Some(column)))
            .help(help))
        }
    }
}

/// What a file is when its first bytes say it is not text (a PNG, a zip archive, ...).
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a zip archive (an .xlsx or .ods workbook?)"),
        (b"\x1F\x8B", "a gzip archive"),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an old Office document (.xls?)",
        ),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(kind);
    }
    // NUL bytes that are not UTF-16's every-other-byte pattern: some other binary format.
    let head = &bytes[..bytes.len().min(512)];
    let nul = head.iter().filter(|&&b| b == 0).count();
    (nul > 0
        && !looks_utf16(bytes)
        && !bytes.starts_with(b"\xFF\xFE")
        && !bytes.starts_with(b"\xFE\xFF"))
    .then_some("binary data")
}

/// True when the bytes look like UTF-16 without a byte-order mark: NULs at every other byte.
fn looks_utf16(bytes: &[u8]) -> bool {
    let n = bytes.len().min(64) & !1;
    if n < 4 {
        return false;
    }
    let even = (0..n).step_by(2).filter(|&i| bytes[i] == 0).count();
    let odd = (1..n).step_by(2).filter(|&i| bytes[i] == 0).count();
    let half = n / 2;
    (even * 10 >= half * 9 && odd * 10 <= half) || (odd * 10 >= half * 9 && even * 10 <= half)
}

/// A short reason for an I/O error.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
