//! `selecta fetch discogs|features`: inputs fetched at their source into the state database.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::{Ui, output};
use crate::config::Config;
use crate::fetch::FetchError;
use crate::fetch::discogs::{DiscogsFetcher, Token};
use crate::clock::SystemClock;
use crate::http::ClockPacer;
use crate::fetch::reccobeats;

/// `selecta fetch discogs|features`
#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    #[command(subcommand)]
    pub what: FetchWhat,
}

#[derive(Debug, clap::Subcommand)]
pub enum FetchWhat {
    /// The Discogs collection (folder 0) and every release's details, cached in the state database.
    Discogs(DiscogsArgs),
    /// Audio features by Spotify ID, cached in the state database.
    Features(FeaturesArgs),
}

/// `selecta fetch discogs`
#[derive(Debug, clap::Args)]
pub struct DiscogsArgs {
    /// The Discogs username (default: `user` of [discogs]).
    #[arg(long)]
    pub user: Option<String>,
    /// The API's base URL (default: `base_url` of [discogs]).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Requests per minute at most, at least 1 (default: `requests_per_minute` of [discogs]).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub requests_per_minute: Option<u32>,
    /// Fetch every release's details again, cached or not.
    #[arg(long)]
    pub refetch: bool,
}

/// Feature sources `selecta fetch features` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FeatureSource {
    Reccobeats,
}

/// `selecta fetch features --source reccobeats`
#[derive(Debug, clap::Args)]
pub struct FeaturesArgs {
    /// Where to get features from.
    #[arg(long, value_enum)]
    pub source: FeatureSource,
    /// Spotify IDs to ask for, from a file: one per line, or a CSV with a `spotify_id` column
    /// (default: the warehouse's `track_spotify_ids`).
    #[arg(long, conflicts_with = "ids")]
    pub ids_file: Option<PathBuf>,
    /// Spotify IDs to ask for, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ids: Option<Vec<String>>,
    /// The API's base URL (default: `base_url` of [reccobeats]).
    #[arg(long)]
    pub base_url: Option<String>,
    /// IDs per request, 1 to 40 (default: `batch_size` of [reccobeats]).
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Ask again for the IDs recorded missing.
    #[arg(long)]
    pub retry_missing: bool,
}

pub fn run(config: &Config, ui: &Ui, args: &FetchArgs) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    match &args.what {
        FetchWhat::Discogs(a) => rt.block_on(discogs(config, ui, a)),
        FetchWhat::Features(a) => rt.block_on(features(config, ui, a)),
    }
}

/// `selecta fetch discogs`: one summary line; fails when a listed release was not found.
async fn discogs(config: &Config, ui: &Ui, args: &DiscogsArgs) -> anyhow::Result<ExitCode> {
    let user = args.user.clone().or_else(|| config.discogs.user.clone()).filter(|u| !u.trim().is_empty()).ok_or(FetchError::MissingUser)?;
    let token = Token::from_env()?;
    let base_url = args.base_url.clone().unwrap_or_else(|| config.discogs.base_url.clone());
    let rpm = args.requests_per_minute.unwrap_or(config.discogs.requests_per_minute);
    let fetcher = DiscogsFetcher::new(&base_url, token, rpm, Arc::new(SystemClock::new()))?;
    let conn = crate::db::open_state(&config.state)?;
    let report = fetcher.fetch(&conn, &user, args.refetch, ui.progress).await?;
    output::discogs_fetched(&mut std::io::stdout().lock(), &user, &report)?;
    if !report.not_found.is_empty() {
        output::problem(&format!("{} listed releases were not found on Discogs: {:?}", report.not_found.len(), report.not_found));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The distinct Spotify IDs of the warehouse's `track_spotify_ids`.
fn warehouse_ids(config: &Config) -> anyhow::Result<Vec<String>> {
    let conn = crate::db::open_read_only(&config.warehouse, &config.state)?;
    let context = "reading track_spotify_ids from the warehouse";
    let mut stmt = conn
        .prepare("SELECT DISTINCT spotify_id FROM track_spotify_ids WHERE spotify_id IS NOT NULL ORDER BY 1")
        .map_err(crate::db::duck(context))?;
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(crate::db::duck(context))?;
    Ok(ids)
}

/// `selecta fetch features --source reccobeats`: one summary line; fails when a batch failed.
async fn features(config: &Config, ui: &Ui, args: &FeaturesArgs) -> anyhow::Result<ExitCode> {
    let FeatureSource::Reccobeats = args.source;
    let ids = match (&args.ids, &args.ids_file) {
        (Some(ids), _) => ids.clone(),
        (None, Some(path)) => reccobeats::read_ids_file(&config.resolve(path))?,
        (None, None) => warehouse_ids(config)?,
    };
    let base_url = args.base_url.clone().unwrap_or_else(|| config.reccobeats.base_url.clone());
    let batch_size = args.batch_size.unwrap_or(config.reccobeats.batch_size);
    reccobeats::check_batch_size(batch_size).map_err(|why| anyhow::anyhow!("--batch-size {why}"))?;
    let client = reccobeats::client(&base_url, Some(Arc::new(ClockPacer(Arc::new(SystemClock::new())))))?;
    let conn = crate::db::open_state(&config.state)?;
    let report = reccobeats::fetch_features(&conn, &client, &ids, batch_size, args.retry_missing, ui.progress).await?;
    output::features_fetched(&mut std::io::stdout().lock(), &report)?;
    if !report.invalid.is_empty() {
        tracing::warn!(count = report.invalid.len(), first = %report.invalid[0], "skipped values that are not Spotify track IDs");
    }
    if !report.failed_batches.is_empty() {
        for e in &report.failed_batches {
            output::problem(e);
        }
        output::problem(&format!("{} batches failed; their IDs were not recorded, rerun to ask for them again", report.failed_batches.len()));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
