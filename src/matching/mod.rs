//! Matching every Discogs track to its Spotify track.
//!
//! - [`normalize`]: one normalization for both sides (accents, case, punctuation, "The",
//!   Discogs suffixes, featured artists, version tags);
//! - [`score`]: a [`score::Query`] (the Discogs track) against [`score::Candidate`]s, a weighted
//!   strsim score with a version-mismatch penalty, and the decision (threshold AND margin,
//!   the title floor, which qualities are accepted without review);
//! - [`sequel`]: part and sequel markers ("Part Two", "Reprise") a candidate adds to a title;
//! - [`source`]: the [`source::CandidateSource`] trait, implemented by [`spotify`] (the Web API
//!   search, cached in the state database) and [`catalogue`] (a local CSV / Parquet in DuckDB);
//! - [`original`]: the original 7-stage cascade, to compare;
//! - [`engine`]: the batched, resumable run writing `track_matches`, `match_candidates` and
//!   `match_review`.
//!
//! - [`overrides`]: the person's decisions (`[match] overrides`), winning over everything;
//! - [`explain`]: a track's decision and candidates, read back.
//!
//! [`MatchConfig`] is the `[match]` section; [`match_step`] the build step; [`run_configured`]
//! what `selecta match` runs on an existing warehouse.

pub mod catalogue;
mod config;
pub mod engine;
mod error;
pub mod explain;
pub mod normalize;
pub mod original;
pub mod overrides;
pub mod score;
pub mod sequel;
pub mod source;
pub mod spotify;
#[cfg(test)]
mod tests;

pub use config::{MAX_LIMIT, MatchConfig, SourceKind, Strategy};
pub use error::MatchError;

use crate::step::{StepContext, StepOutput};

/// Runs a whole match on `conn` (warehouse with `tracks`, state attached as `state`), with the
/// source the configuration names. `creds` is only read for the Spotify source.
pub fn run_configured(
    conn: &duckdb::Connection,
    cfg: &MatchConfig,
    strategy: Strategy,
    progress: bool,
    creds: impl FnOnce() -> Result<spotify::Credentials, MatchError>,
) -> Result<engine::Summary, MatchError> {
    let opts = cfg.run_options(strategy, progress)?;
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

/// The run log's line for a run.
pub fn summary_note(s: &engine::Summary) -> String {
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

/// The build step (planned when `[match]` is configured, or implied by a Discogs collection):
/// matches every track. The Spotify source without credentials ends SKIP, naming them, with
/// empty match tables (the build goes on, its tracks without IDs); `--offline` answers from the
/// search cache only (uncached tracks stay pending, WARN).
pub fn match_step(ctx: &StepContext<'_>, cfg: &MatchConfig) -> Result<StepOutput, MatchError> {
    let s = match cfg.source {
        SourceKind::Spotify => {
            let creds = match spotify::Credentials::from_env() {
                Ok(c) => c,
                Err(e) => {
                    engine::write_empty(ctx.conn)?;
                    return Ok(StepOutput::skip(format!(
                        "{e}: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (an app of https://developer.spotify.com/dashboard) and build again; \
                         the tracks are kept without Spotify IDs"
                    )));
                }
            };
            let opts = cfg.run_options(cfg.strategy, ctx.progress)?;
            let mut src = spotify::SpotifySearch::new(ctx.conn, &cfg.spotify_options(), creds)?;
            src.set_offline(ctx.offline);
            engine::run(ctx.conn, &mut src, &opts)?
        }
        SourceKind::Catalogue => run_configured(ctx.conn, cfg, cfg.strategy, ctx.progress, spotify::Credentials::from_env)?,
    };
    let note = summary_note(&s);
    Ok(if s.stopped.is_some() || s.by_quality.contains_key("pending") { StepOutput::warn(s.tracks, note) } else { StepOutput::ok(s.tracks).with_note(note) })
}

