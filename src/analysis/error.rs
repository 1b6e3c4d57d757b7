//! [`AnalysisError`]: what can stop the analysis stage. A file that cannot be decoded is *not*
//! one of these: it is recorded in `track_files` with its reason ([`FileError`]) and the run
//! goes on.

use std::path::PathBuf;

use crate::db::DbError;

/// Errors of the analysis stage as a whole (the warehouse, a configured folder).
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("analysis.music_dirs: {path}: {source}")]
    MusicDir { path: PathBuf, source: std::io::Error },
    #[error("{context}: {message}")]
    Calibration { context: String, message: String },
    #[error(transparent)]
    Invalid(#[from] crate::setting::Invalid),
}

/// Why one file could not be analysed (stored as `track_files.error`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum FileError {
    #[error("cannot read: {0}")]
    Io(String),
    #[error("unsupported format: {0}")]
    Unsupported(String),
    #[error("decode error: {0}")]
    Decode(String),
    #[error("no audio: {0}")]
    Empty(String),
    /// An earlier run's error for the same bytes, as it was recorded.
    #[error("{0}")]
    Cached(String),
}
