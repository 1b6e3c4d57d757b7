//! Matching every Discogs track to its Spotify track.
//!
//! - [`normalize`]: one normalization for both sides (accents, case, punctuation, "The",
//!   Discogs suffixes, featured artists, version tags);
//! - [`score`]: a [`score::Query`] (the Discogs track) against [`score::Candidate`]s, a weighted
//!   strsim score with a version-mismatch penalty, and the decision (threshold AND margin);
//! - [`source`]: the [`source::CandidateSource`] trait, implemented by [`spotify`] (the Web API
//!   search, cached in the state database) and [`catalogue`] (a local CSV / Parquet in DuckDB);
//! - [`original`]: the original 7-stage cascade, to compare;
//! - [`engine`]: the batched, resumable run writing `track_matches`, `match_candidates` and
//!   `match_review`.
//!
//! [`MatchConfig`] is the `[match]` section; [`match_step`] the build step; [`match_command`]
//! the `selecta match` command (on the existing warehouse, or `--explain TRACK_ID`).

pub mod catalogue;
pub mod engine;
pub mod normalize;
pub mod original;
pub mod score;
pub mod source;
pub mod spotify;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Deserialize;

use crate::config::Config;
use crate::warehouse::Ui;
use crate::warehouse::step::{StepContext, StepOutput};

/// Errors of the matching stage.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("{context}: {source}")]
    Duck { context: String, source: duckdb::Error },
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
    #[error("writing output: {0}")]
    Output(String),
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::WarehouseError),
}

impl MatchError {
    /// `map_err` helper: a DuckDB error with what we were doing.
    pub fn duck(context: &str) -> impl FnOnce(duckdb::Error) -> MatchError + '_ {
        move |source| MatchError::Duck { context: context.to_string(), source }
    }
}

/// Which candidate source a run asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The Spotify Web API search.
    #[default]
    Spotify,
    /// A local catalogue file (`catalogue = …`).
    Catalogue,
}

/// How candidates are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
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

    pub fn spotify_options(&self) -> spotify::SpotifyOptions {
        let retry = crate::http::RetryPolicy {
            max_attempts: self.max_attempts.max(1),
            base_backoff: std::time::Duration::from_millis(self.backoff_ms),
            timeout: std::time::Duration::from_secs(self.timeout_secs.max(1)),
            ..crate::http::RetryPolicy::default()
        };
        spotify::SpotifyOptions {
            api_base_url: self.api_base_url.clone(),
            accounts_base_url: self.accounts_base_url.clone(),
            limit: self.limit.clamp(1, 10),
            concurrency: self.concurrency.max(1),
            retry,
            clock: std::sync::Arc::new(crate::clock::SystemClock::new()),
        }
    }

    fn options(&self, strategy: Strategy, progress: bool) -> Result<engine::RunOptions, MatchError> {
        let overrides = match &self.overrides {
            Some(p) => engine::read_overrides(p)?,
            None => Default::default(),
        };
        Ok(engine::RunOptions { strategy, weights: self.weights.clone(), batch_size: self.batch_size.max(1), progress, overrides })
    }
}

/// Runs a whole match on `conn` (warehouse with `tracks`, state attached as `state`), with the
/// source the configuration names. `creds` is only read for the Spotify source.
pub fn run_configured(
    conn: &duckdb::Connection,
    cfg: &MatchConfig,
    strategy: Strategy,
    progress: bool,
    creds: impl FnOnce() -> Result<spotify::Credentials, MatchError>,
) -> Result<engine::Summary, MatchError> {
    let opts = cfg.options(strategy, progress)?;
    match cfg.source {
        SourceKind::Spotify => {
            let mut src = spotify::SpotifySearch::new(conn, &cfg.spotify_options(), creds()?)?;
            engine::run(conn, &mut src, &opts)
        }
        SourceKind::Catalogue => {
            let path = cfg.catalogue.as_deref().ok_or(MatchError::NoCatalogue)?;
            let mut src = catalogue::LocalCatalogue::load(conn, path)?;
            let summary = engine::run(conn, &mut src, &opts);
            src.close();
            summary
        }
    }
}

fn summary_note(s: &engine::Summary) -> String {
    let q = |k: &str| s.by_quality.get(k).copied().unwrap_or(0);
    let mut note = format!(
        "{} of {} matched (exact {}, high {}, medium {}, low {}, override {}); {} ambiguous, {} none; {} requests",
        s.matched,
        s.tracks,
        q("exact"),
        q("high"),
        q("medium"),
        q("low"),
        q("override"),
        q("ambiguous"),
        q("none"),
        s.requests
    );
    if q("pending") > 0 {
        note.push_str(&format!("; {} pending (rerun to continue)", q("pending")));
    }
    note
}

/// The build step: matches when `[match]` is configured, else skips.
pub fn match_step(ctx: &StepContext<'_>) -> Result<StepOutput, crate::Error> {
    let Some(cfg) = &ctx.config.matching else {
        return Ok(StepOutput::skip("no [match] section"));
    };
    let s = run_configured(ctx.conn, cfg, cfg.strategy, ctx.progress, spotify::Credentials::from_env)?;
    let note = summary_note(&s);
    Ok(if s.stopped.is_some() || s.by_quality.contains_key("pending") { StepOutput::warn(s.tracks, note) } else { StepOutput::ok(s.tracks).with_note(note) })
}

/// `selecta match [--strategy …] [--source …] [--explain TRACK_ID]`
#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// Print the candidates of one track and why one was chosen (from the last run's tables).
    #[arg(long, value_name = "TRACK_ID")]
    pub explain: Option<String>,
    /// Override `[match] strategy`.
    #[arg(long, value_enum)]
    pub strategy: Option<Strategy>,
    /// Override `[match] source`.
    #[arg(long, value_enum)]
    pub source: Option<SourceKind>,
    /// Override `[match] catalogue`.
    #[arg(long)]
    pub catalogue: Option<PathBuf>,
}

/// `selecta match`: matches the tracks of the existing warehouse in place.
pub fn match_command(config: &Config, ui: &Ui, args: &MatchArgs) -> anyhow::Result<ExitCode> {
    if let Some(track) = &args.explain {
        let conn = crate::warehouse::open_read_only(config)?;
        let stdout = std::io::stdout();
        let found = engine::explain(&conn, track, &mut stdout.lock())?;
        if !found {
            eprintln!("error: no track {track} in the warehouse");
            return Ok(ExitCode::FAILURE);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut cfg = config.matching.clone().unwrap_or_default();
    if let Some(s) = args.source {
        cfg.source = s;
    }
    if let Some(c) = &args.catalogue {
        cfg.catalogue = Some(c.clone());
        cfg.source = SourceKind::Catalogue;
    }
    let strategy = args.strategy.unwrap_or(cfg.strategy);
    let conn = crate::warehouse::open_read_write(config)?;
    crate::warehouse::attach_state(&conn, &config.state, false)?;
    let s = run_configured(&conn, &cfg, strategy, ui.progress, spotify::Credentials::from_env)?;
    print_summary(&s, strategy, &mut std::io::stdout().lock())?;
    let review: i64 = conn.query_row("SELECT count(*) FROM match_review", [], |r| r.get(0)).map_err(MatchError::duck("counting match_review"))?;
    println!("{review} tracks to review in match_review (unmatched, ambiguous, pending) with their top-3 candidates");
    if let Some(m) = &s.stopped {
        eprintln!("stopped: {m}; finished tracks are kept, run `selecta match` again later to continue");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// The run's summary: counts by quality and by the kind of search that found the match.
pub fn print_summary(s: &engine::Summary, strategy: Strategy, out: &mut dyn std::io::Write) -> Result<(), MatchError> {
    let w = |r: std::io::Result<()>| r.map_err(|e| MatchError::Output(e.to_string()));
    w(writeln!(out, "matched {} of {} tracks ({}), {} requests, {:.1} s", s.matched, s.tracks, strategy.as_str(), s.requests, s.seconds))?;
    w(writeln!(out, "by quality:"))?;
    for (k, v) in &s.by_quality {
        w(writeln!(out, "  {k:<10} {v:>6}"))?;
    }
    w(writeln!(out, "matched by query:"))?;
    for (k, v) in &s.by_query {
        w(writeln!(out, "  {k:<18} {v:>6}"))?;
    }
    Ok(())
}
