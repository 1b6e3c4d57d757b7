//! Fetch the inputs at their source: the Discogs collection through the Discogs API, audio
//! features through ReccoBeats. Responses are cached in the state database; build steps turn
//! the cache into rows of the same raw tables the CSV inputs land in, so one staging path serves
//! files and APIs.
//!
//! - [`discogs`]: the fetcher behind `selecta fetch discogs` — collection pages and release details into
//!   `state.discogs_listings` / `state.discogs_collection_pages` / `state.discogs_releases`
//!   ([`discogs::DiscogsConfig`] is the `[discogs]` section);
//! - [`discogs_ingest`]: the build step [`discogs_ingest_step`] — cached JSON → `raw_releases`,
//!   `raw_tracks` (source_format `discogs_api`);
//! - [`reccobeats`]: the fetcher behind `selecta fetch features --source reccobeats` — features by Spotify ID into
//!   `state.reccobeats_features` (found or missing) and `state.reccobeats_responses`, and the build
//!   step [`reccobeats_ingest_step`] → `raw_audio_features` (source `reccobeats`)
//!   ([`reccobeats::ReccoBeatsConfig`] is the `[reccobeats]` section);
//! - [`ratelimit`]: the [`ratelimit::RateLimiter`] (on the shared [`crate::clock::Clock`]) plugged into the
//!   shared `http::Client` as its pacer.
//!
//! - [`steps`]: the build's network steps `fetch.discogs` and `fetch.features`, cached and
//!   incremental, ending SKIP or WARN (never failing the build) without credentials or network.
//!
//! The build plans them, and the ingest steps, when the source is configured (`[discogs] user`,
//! a `[reccobeats]` section); the fetch commands do the same work on demand.

pub mod discogs;
pub mod discogs_ingest;
pub mod ratelimit;
pub mod reccobeats;
pub mod steps;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use discogs::DiscogsConfig;
pub use discogs_ingest::discogs_ingest_step;
pub use reccobeats::{ReccoBeatsConfig, reccobeats_ingest_step};
pub use steps::{discogs_fetch_step, reccobeats_fetch_step};

/// Errors of fetching and of turning cached responses into raw rows.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("DISCOGS_TOKEN is not set (environment or .env): create a personal access token at https://www.discogs.com/settings/developers")]
    MissingToken,
    #[error("no Discogs user: pass --user NAME or set `user` in [discogs]")]
    MissingUser,
    #[error("discogs: {path}: HTTP {status}: the token was refused (check DISCOGS_TOKEN)")]
    Unauthorized { path: String, status: u16 },
    #[error("discogs: user `{user}` not found (or the collection is private): {body}")]
    UnknownUser { user: String, body: String },
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    #[error("{service}: {path}: unexpected response: {message}")]
    Shape { service: &'static str, path: String, message: String },
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("{path}: cannot read the Spotify IDs: {source}")]
    IdsFile { path: PathBuf, source: std::io::Error },
    #[error("{what} is configured as a build input, but nothing was fetched yet: run `{command}` first")]
    NotFetched { what: String, command: String },
    #[error("cached response {source_file}: {message}")]
    Cached { source_file: String, message: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// `map_err` helper for state-database errors.
pub(crate) fn state_err(context: impl Into<String>) -> impl FnOnce(duckdb::Error) -> crate::db::DbError {
    crate::db::duck(format!("state database: {}", context.into()))
}

/// A progress bar on stderr, or a hidden one.
pub(crate) fn progress_bar(show: bool, len: u64, what: &str) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} ({eta})") {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}
