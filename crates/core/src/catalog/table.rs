//! Reading a catalog file into rows of text cells: CSV (UTF-8 or GBK), XLSX and JSON.

use super::MAX_FILE_BYTES;
use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::{ImportFormat, TextEncoding};
use std::io::Read;
use std::path::Path;

/// A file's contents as text cells. Rows keep the number a person sees in the source (the
/// spreadsheet row, the CSV line, or the JSON record), so errors can point at them.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub file_name: String,
    pub format: ImportFormat,
    pub encoding: Option<TextEncoding>,
    pub sheet: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// 1-based: the line or sheet row (the header is row 1), or the JSON record number.
    pub number: u32,
    pub cells: Vec<String>,
}

impl Table {
    pub fn cell<'r>(&self, row: &'r TableRow, column: u32) -> &'r str {
        row.cells.get(column as usize).map(|s| s.trim()).unwrap_or("")
    }

    /// Where a cell is, for an error message.
    pub fn locate(&self, row: u32, column: Option<u32>) -> Rejection {
        Rejection::new(Code::ImportValueInvalid).arg("file", &self.file_name).arg("row", row).with_place(
            self.format,
            column.map(|c| (c, self.headers.get(c as usize).map(String::as_str).unwrap_or(""))),
        )
    }
}

impl Rejection {
    /// Adds the row kind and the column (header name and, for sheets, its letter) to a rejection.
    pub(crate) fn with_place(mut self, format: ImportFormat, column: Option<(u32, &str)>) -> Self {
        self = self.arg("unit", if format == ImportFormat::Json { "record" } else { "row" });
        if let Some((index, header)) = column {
            let letter = if format == ImportFormat::Json { String::new() } else { column_letter(index) };
            self = self.arg("column", header).arg("letter", letter);
        }
        self
    }
}

/// `0 → A`, `25 → Z`, `26 → AA`, as spreadsheets name columns.
pub fn column_letter(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Reads and parses a file from disk; `file_name` in errors is the file's own name.
pub fn read_file(path: &Path) -> Result<Table> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let unreadable = |e: std::io::Error| {
        Rejection::new(Code::ImportFileUnreadable)
            .field("path")
            .arg("file", path.display())
            .arg("reason", e.to_string())
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Rejection::new(Code::ImportFileUnreadable)
            .field("path")
            .arg("file", path.display())
            .arg("reason", "not a file")
            .into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(&file_name, meta.len()).into());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Read no more than the cap even if the file grows meanwhile.
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&file_name, bytes.len() as u64).into());
    }
    parse(&file_name, &bytes)
}

fn too_large(file: &str, len: u64) -> Rejection {
    Rejection::new(Code::ImportFileTooLarge)
        .field("path")
        .arg("file", file)
        .arg("mb", format!("{:.1}", len as f64 / 1048576.0))
        .arg("max_mb", MAX_FILE_BYTES / 1048576)
}

/// Parses a file's bytes. The format is taken from the extension, and checked against the
/// content so that a spreadsheet or binary renamed `.csv` is named for what it is.
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<Table> {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let format = match ext.as_str() {
        "xlsx" | "xlsm" => ImportFormat::Xlsx,
        "json" => ImportFormat::Json,
        "csv" | "txt" | "tsv" => ImportFormat::Csv,
        _ if is_zip => ImportFormat::Xlsx,
        _ => {
            match bytes.iter().find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF)
            {
                Some(b'[') | Some(b'{') => ImportFormat::Json,
                _ if ext == "xls" || is_ole => {
                    return Err(Rejection::new(Code::ImportUnknownFormat)
                        .arg("file", file_name)
                        .arg("kind", "xls")
                        .into())
                }
                _ if ext.is_empty() || looks_textual(bytes) => ImportFormat::Csv,
                _ => {
                    return Err(Rejection::new(Code::ImportUnknownFormat)
                        .arg("file", file_name)
                        .arg("kind", ext)
                        .into())
                }
            }
        }
    };
    if format == ImportFormat::Csv && (is_zip || is_ole) {
        // An .xlsx or .xls saved under a .csv name: say so rather than "binary".
        return Err(Rejection::new(Code::ImportNotATable)
            .arg("file", file_name)
            .arg("kind", if is_zip { "xlsx" } else { "xls" })
            .into());
    }
    let table = match format {
        ImportFormat::Csv => csv_table(file_name, bytes)?,
        ImportFormat::Xlsx => xlsx_table(file_name, bytes)?,
        ImportFormat::Json => json_table(file_name, bytes)?,
    };
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(Rejection::new(Code::ImportEmpty).arg("file", file_name).into());
    }
    if table.rows.is_empty() {
        return Err(Rejection::new(Code::ImportEmpty).arg("file", file_name).into());
    }
    Ok(table)
}

fn looks_textual(bytes: &[u8]) -> bool {
    !bytes.iter().take(64 * 1024).any(|b| *b == 0)
}

// ---- CSV ----

fn csv_table(file_name: &str, bytes: &[u8]) -> Result<Table> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Rejection::new(Code::ImportEncoding)
            .arg("file", file_name)
            .arg("found", "UTF-16")
            .arg("row", 1)
            .arg("column", "")
            .into());
    }
    if let Some(at) = bytes.iter().take(64 * 1024).position(|b| *b == 0) {
        return Err(Rejection::new(Code::ImportNotATable)
            .arg("file", file_name)
            .arg("kind", "binary")
            .arg("offset", at)
            .into());
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, encoding) = match std::str::from_utf8(body) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), TextEncoding::Utf8),
        Err(utf8_err) => match encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(body) {
            Some(s) => (s, TextEncoding::Gbk),
            None => return Err(encoding_error(file_name, body, utf8_err.valid_up_to()).into()),
        },
    };
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut headers = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter { text: text.as_bytes(), offset: 0, line: 1 };
    loop {
        let line = reader.position().line() as u32;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| lines.line_at(p.byte() as usize));
                let cells: Vec<String> = record.iter().map(str::to_owned).collect();
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue; // blank lines, as spreadsheets often leave at the end
                }
                if headers.is_none() {
                    headers = Some(cells.iter().map(|c| c.trim().to_owned()).collect());
                } else {
                    rows.push(TableRow { number: line, cells });
                }
            }
            Err(e) => {
                let row = e.position().map_or(line, |p| p.line() as u32);
                return Err(Rejection::new(Code::ImportValueInvalid)
                    .arg("file", file_name)
                    .arg("row", row)
                    .arg("unit", "row")
                    .arg("reason", e.to_string())
                    .into());
            }
        }
    }
    let headers = headers.ok_or_else(|| Rejection::new(Code::ImportEmpty).arg("file", file_name))?;
    Ok(Table {
        file_name: file_name.to_owned(),
        format: ImportFormat::Csv,
        encoding: Some(encoding),
        sheet: None,
        headers,
        rows,
    })
}

/// Line numbers from byte offsets, counted forwards once. (The csv crate's own line count
/// puts a record that follows a CRLF on the line before.)
struct LineCounter<'t> {
    text: &'t [u8],
    offset: usize,
    line: u32,
}

impl LineCounter<'_> {
    fn line_at(&mut self, mut start: usize) -> u32 {
        while self.text.get(start).is_some_and(|b| *b == b'\r' || *b == b'\n') {
            start += 1;
        }
        let end = start.min(self.text.len());
        if end > self.offset {
            self.line += self.text[self.offset..end].iter().filter(|b| **b == b'\n').count() as u32;
            self.offset = end;
        }
        self.line
    }
}

/// Comma unless the header line clearly uses semicolons or tabs (some exports do).
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| first.matches(c).count();
    let (comma, semi, tab) = (count(','), count(';'), count('\t'));
    if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// Neither UTF-8 nor GBK: point at the line and field where the bytes stop making sense.
fn encoding_error(file_name: &str, body: &[u8], valid_up_to: usize) -> Rejection {
    let before = &body[..valid_up_to.min(body.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let field = before[line_start..].iter().filter(|b| **b == b',').count();
    let header_line = body.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let header = String::from_utf8_lossy(header_line);
    let name =
        header.split(',').nth(field).map(|h| h.trim().trim_matches('"').to_owned()).unwrap_or_default();
    Rejection::new(Code::ImportEncoding)
        .arg("file", file_name)
        .arg("found", "")
        .arg("row", line)
        .arg("column", if name.contains('\u{FFFD}') { String::new() } else { name })
        .arg("letter", column_letter(field as u32))
}

// ---- XLSX ----

fn xlsx_table(file_name: &str, bytes: &[u8]) -> Result<Table> {
    use calamine::{Data, Reader, Xlsx};
    let invalid =
        |reason: String| Rejection::new(Code::ImportXlsxInvalid).arg("file", file_name).arg("reason", reason);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| invalid(e.to_string()))?;
    let names = book.sheet_names();
    // The catalog is the sheet with the most rows: exports often add a notes sheet in front.
    let mut best: Option<(String, calamine::Range<Data>)> = None;
    for name in names {
        let range = book.worksheet_range(&name).map_err(|e| invalid(e.to_string()))?;
        if best.as_ref().is_none_or(|(_, r)| range.height() > r.height()) {
            best = Some((name, range));
        }
    }
    let Some((sheet, range)) = best else {
        return Err(Rejection::new(Code::ImportEmpty).arg("file", file_name).into());
    };
    let first_row = range.start().map_or(0, |(r, _)| r);
    let first_col = range.start().map_or(0, |(_, c)| c);
    let mut headers = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        // Cells left of the used range are empty; keep column positions as the sheet has them.
        let mut cells = vec![String::new(); first_col as usize];
        cells.extend(row.iter().map(cell_text));
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let number = first_row + i as u32 + 1;
        if headers.is_none() {
            headers = Some(cells.iter().map(|c| c.trim().to_owned()).collect());
        } else {
            rows.push(TableRow { number, cells });
        }
    }
    let headers = headers.ok_or_else(|| Rejection::new(Code::ImportEmpty).arg("file", file_name))?;
    Ok(Table {
        file_name: file_name.to_owned(),
        format: ImportFormat::Xlsx,
        encoding: None,
        sheet: Some(sheet),
        headers,
        rows,
    })
}

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Whole numbers typed into a sheet come back as floats: 15.0 is "15".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

// ---- JSON ----

fn json_table(file_name: &str, bytes: &[u8]) -> Result<Table> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Rejection::new(Code::ImportJsonInvalid)
            .arg("file", file_name)
            .arg("line", e.line())
            .arg("col", e.column())
            .arg("reason", e.to_string())
    })?;
    // Either an array of records, or an object holding one (e.g. {"data": [...]}).
    let records = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(map) => {
            match map
                .into_iter()
                .find_map(|(_, v)| if let serde_json::Value::Array(a) = v { Some(a) } else { None })
            {
                Some(items) => items,
                None => return Err(Rejection::new(Code::ImportEmpty).arg("file", file_name).into()),
            }
        }
        _ => return Err(Rejection::new(Code::ImportEmpty).arg("file", file_name).into()),
    };
    let mut headers: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let serde_json::Value::Object(map) = record else {
            return Err(Rejection::new(Code::ImportJsonInvalid)
                .arg("file", file_name)
                .arg("line", 0)
                .arg("col", 0)
                .arg("reason", format!("record {} is not an object", i + 1))
                .into());
        };
        for key in map.keys() {
            if !index.contains_key(key) {
                index.insert(key.clone(), headers.len());
                headers.push(key.clone());
            }
        }
    }
    let rows = records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let mut cells = vec![String::new(); headers.len()];
            if let serde_json::Value::Object(map) = record {
                for (k, v) in map {
                    cells[index[k]] = json_text(v);
                }
            }
            TableRow { number: i as u32 + 1, cells }
        })
        .collect();
    Ok(Table {
        file_name: file_name.to_owned(),
        format: ImportFormat::Json,
        encoding: None,
        sheet: None,
        headers,
        rows,
    })
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        other => other.to_string(),
    }
}
