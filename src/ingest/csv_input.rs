//! A CSV file read record by record, with physical line numbers and per-record problems (a
//! wrong column count), and the one error a file that cannot be read at all gets.

use std::path::{Path, PathBuf};

use super::IngestError;
use super::formats::Header;

/// A CSV file read record by record, with line numbers and per-record problems.
pub(super) struct CsvInput {
    pub(super) header: Header,
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
}

pub(super) struct Record {
    pub(super) line: u64,
    pub(super) fields: csv::StringRecord,
    /// Why the record cannot be used as it is (wrong column count).
    pub(super) problem: Option<String>,
}

impl Record {
    pub(super) fn raw(&self) -> String {
        self.fields.iter().collect::<Vec<_>>().join(",")
    }
}

impl CsvInput {
    pub(super) fn open(path: &Path) -> Result<CsvInput, IngestError> {
        let file = std::fs::File::open(path).map_err(|source| IngestError::Io { path: path.to_path_buf(), source })?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(file);
        let names = reader
            .headers()
            .map_err(|e| csv_error(path, &e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect::<Vec<_>>();
        if names.is_empty() || names.iter().all(|n| n.is_empty()) {
            return Err(IngestError::Empty { path: path.to_path_buf() });
        }
        Ok(CsvInput { path: path.to_path_buf(), header: Header::new(names), reader })
    }

    pub(super) fn next_record(&mut self) -> Result<Option<Record>, IngestError> {
        let mut fields = csv::StringRecord::new();
        let more = self.reader.read_record(&mut fields).map_err(|e| csv_error(&self.path, &e))?;
        if !more {
            return Ok(None);
        }
        let line = fields.position().map(|p| p.line()).unwrap_or(0);
        let expected = self.header.len();
        let mut problem = None;
        if fields.len() != expected {
            // A quoted value that runs over a line end and leaves the record short is a quote
            // that never closed: everything after it was read into one field.
            if let Some(i) = fields.iter().position(|f| f.contains('\n')) {
                let field = self.header.names.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
                return Err(IngestError::UnbalancedQuote { path: self.path.clone(), line, field });
            }
            problem = Some(format!("{} fields where the header has {expected}", fields.len()));
        }
        Ok(Some(Record { line, fields, problem }))
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> IngestError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    IngestError::Csv { path: path.to_path_buf(), line, message: e.to_string() }
}
