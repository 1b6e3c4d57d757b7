//! What stops the load of a file: it cannot be read, its header is unknown or repeats a
//! column, a quote never closes.

use std::path::PathBuf;

/// Errors that stop the load of a file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: cannot read: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Csv { path: PathBuf, line: u64, message: String },
    #[error("{path}:{line}: not a known {input} file: its header is `{header}`; {missing}")]
    UnknownFormat { path: PathBuf, line: u64, input: &'static str, header: String, missing: String },
    #[error("{path}:{line}: the header names column `{column}` twice (columns {first} and {second}): the second's values would be ignored")]
    DuplicateColumn { path: PathBuf, line: u64, column: String, first: usize, second: usize },
    #[error("{path}:{line}: field `{field}`: unbalanced quote — the quoted value opened on this line never closes, so the rest of the file would be read into it")]
    UnbalancedQuote { path: PathBuf, line: u64, field: String },
    #[error("{path}:{line}: the file is empty (no header row)")]
    Empty { path: PathBuf, line: u64 },
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

