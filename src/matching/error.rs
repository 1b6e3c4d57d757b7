//! Errors of the matching stage.

use std::path::PathBuf;

/// Errors of the matching stage.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    #[error("{name} is not set (environment or .env): the Spotify search needs client credentials")]
    MissingCredential { name: &'static str },
    #[error("Spotify refused the client credentials (HTTP {status} from the token endpoint)")]
    Auth { status: u16 },
    #[error("state.spotify_search_cache: entry {key}: {message}")]
    Cache { key: String, message: String },
    #[error("catalogue {path}: {message}")]
    Catalogue { path: PathBuf, message: String },
    #[error("overrides {path}, line {line}: {message}")]
    Overrides { path: PathBuf, line: u64, message: String },
    #[error("[match] source = \"catalogue\" needs `catalogue = \"FILE\"`")]
    NoCatalogue,
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}
