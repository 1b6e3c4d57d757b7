//! Tables out of the warehouse:
//! - [`file`]: one table to a CSV or Parquet file;
//! - [`playlists_csv`]: one CSV per cluster, named after it;
//! - [`postgres`]: the marts into a PostgreSQL schema, replacing the previous export atomically.

pub mod file;
pub mod playlists_csv;
pub mod postgres;

use std::path::PathBuf;

pub use file::{FileFormat, export_table};
pub use playlists_csv::export_playlists_csv;

/// Errors of the file exports.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
}
