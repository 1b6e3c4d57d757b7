//! The `[match]` section: which source and strategy, the scorer's weights, and the retry and
//! batching of a run.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{MatchError, engine, score, spotify};
use crate::setting::{Invalid, in_range};

/// Which candidate source a run asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The Spotify Web API search.
    #[default]
    Spotify,
    /// A local catalogue file (`catalogue = …`).
    Catalogue,
}

/// How candidates are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Score every candidate, accept on threshold and margin (at most 2 searches per track).
    #[default]
    Scorer,
    /// The original 7-stage cascade (up to 7 searches per track, first hit wins).
    Original,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Scorer => "scorer",
            Strategy::Original => "original",
        }
    }
}

/// The largest `limit` the Spotify search accepts (since Feb 2026).
pub const MAX_LIMIT: u32 = 10;

/// The `[match]` section. When present, `selecta build` matches the tracks (this step) and
/// builds `track_spotify_ids` from `track_matches`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MatchConfig {
    /// `spotify` or `catalogue`. Default `spotify`.
    pub source: SourceKind,
    /// `scorer` or `original`. Default `scorer`.
    pub strategy: Strategy,
    /// The local catalogue (CSV with a header, or `.parquet`): columns `spotify_id`, `name`,
    /// `artists` (", "-joined), `album`, optional `duration_ms`, `isrc`. Default: none.
    pub catalogue: Option<PathBuf>,
    /// Overrides CSV `track_id,spotify_id` (`none` = no match); wins over everything. Default: none.
    pub overrides: Option<PathBuf>,
    /// Spotify Web API base. Default `https://api.spotify.com/v1`.
    pub api_base_url: String,
    /// Spotify accounts base (token endpoint `/api/token`). Default `https://accounts.spotify.com`.
    pub accounts_base_url: String,
    /// Results per search (Spotify allows at most 10 since Feb 2026). Default 10.
    pub limit: u32,
    /// Searches in flight at once. Default 4.
    pub concurrency: usize,
    /// Tracks per committed batch (a crash loses at most one batch). Default 100.
    pub batch_size: usize,
    /// Attempts per request (429, 5xx, timeouts). Default 5.
    pub max_attempts: u32,
    /// First retry backoff in milliseconds, doubling. Default 500.
    pub backoff_ms: u64,
    /// Seconds before a request is abandoned (and retried). Default 30.
    pub timeout_secs: u64,
    /// Scorer weights and thresholds (`[match.weights]`). Defaults: see [`score::Weights`].
    pub weights: score::Weights,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            source: SourceKind::Spotify,
            strategy: Strategy::Scorer,
            catalogue: None,
            overrides: None,
            api_base_url: "https://api.spotify.com/v1".into(),
            accounts_base_url: "https://accounts.spotify.com".into(),
            limit: 10,
            concurrency: 4,
            batch_size: 100,
            max_attempts: 5,
            backoff_ms: 500,
            timeout_secs: 30,
            weights: score::Weights::default(),
        }
    }
}

impl MatchConfig {
    /// Paths resolved against the config file's folder.
    pub fn resolved(mut self, resolve: impl Fn(&Path) -> PathBuf) -> Self {
        self.catalogue = self.catalogue.as_deref().map(&resolve);
        self.overrides = self.overrides.as_deref().map(&resolve);
        self
    }

    /// Checks what serde cannot: every count and limit in its range.
    pub fn validate(&self) -> Result<(), Invalid> {
        in_range("limit", self.limit, 1, MAX_LIMIT)?;
        in_range("concurrency", self.concurrency, 1, 64)?;
        in_range("batch_size", self.batch_size, 1, 100_000)?;
        in_range("max_attempts", self.max_attempts, 1, 20)?;
        in_range("timeout_secs", self.timeout_secs, 1, 3600)?;
        self.weights.validate()
    }

    pub fn spotify_options(&self) -> spotify::SpotifyOptions {
        let retry = crate::http::RetryPolicy {
            max_attempts: self.max_attempts,
            base_backoff: std::time::Duration::from_millis(self.backoff_ms),
            timeout: std::time::Duration::from_secs(self.timeout_secs),
            ..crate::http::RetryPolicy::default()
        };
        spotify::SpotifyOptions {
            api_base_url: self.api_base_url.clone(),
            accounts_base_url: self.accounts_base_url.clone(),
            limit: self.limit,
            concurrency: self.concurrency,
            retry,
            clock: std::sync::Arc::new(crate::clock::SystemClock::new()),
        }
    }

    pub(crate) fn run_options(&self, strategy: Strategy, progress: bool) -> Result<engine::RunOptions, MatchError> {
        let overrides = match &self.overrides {
            Some(p) => super::overrides::read_overrides(p)?,
            None => Default::default(),
        };
        Ok(engine::RunOptions { strategy, weights: self.weights.clone(), batch_size: self.batch_size, progress, overrides })
    }
}

