//! Errors of the report.

use std::path::PathBuf;

/// Errors of the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("report: {0}")]
    Db(#[from] crate::db::DbError),
    #[error("report: cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}
