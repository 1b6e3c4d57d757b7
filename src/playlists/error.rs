//! Errors of the playlists stage.

use std::path::PathBuf;

/// Errors of the playlists command.
#[derive(Debug, thiserror::Error)]
pub enum PlaylistsError {
    #[error("no Spotify client ID: set `[spotify] client_id` or SPOTIFY_CLIENT_ID (the app's ID; PKCE needs no secret)")]
    NoClientId,
    #[error("the warehouse has no `cluster_playlists` table: run `selecta build` with clustering enabled first")]
    NoClusters,
    #[error("playlists: {0}")]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    #[error("cannot listen on 127.0.0.1:{port} for the authorization redirect: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("no authorization within {seconds} s (open the printed URL in a browser)")]
    AuthTimeout { seconds: u64 },
    #[error("authorization not granted: {reason}")]
    AuthDenied { reason: String },
    #[error("Spotify refused the token request (HTTP {status}): {reason}")]
    TokenRefused { status: u16, reason: String },
    #[error("token cache {path}: {source}")]
    TokenCache { path: PathBuf, source: std::io::Error },
    #[error("playlist {id} holds {found} tracks after the update, {expected} were sent (rerun `selecta playlists spotify` to replace them)")]
    Verify { id: String, expected: usize, found: usize },
    #[error("Spotify {method} {path}: HTTP {status}: {message}")]
    Api { method: &'static str, path: String, status: u16, message: String },
}

