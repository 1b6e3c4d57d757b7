//! The build's network steps: `fetch.discogs` (before ingest) and `fetch.features` (after the
//! Spotify IDs are known). Each one asks only for what its cache in the state database lacks, so
//! a second build sends no request, and none of them fails a build for a missing credential or
//! an unreachable service: it ends SKIP (offline) or WARN, names what is missing and how to
//! provide it, and the build goes on with what is cached.
//!
//! - [`discogs_fetch_step`]: the listing of `[discogs] user` is reused while younger than
//!   `max_age_hours` (default 24, no request at all); older, the collection is listed again and
//!   the new or changed releases fetched ([`super::discogs::DiscogsFetcher`]). Without
//!   `DISCOGS_TOKEN` the cached collection is used.
//! - [`reccobeats_fetch_step`]: features for the distinct IDs of `track_spotify_ids` never asked
//!   before ([`super::reccobeats::fetch_features`]; IDs recorded missing are not asked again).

use std::sync::Arc;

use super::discogs::{DiscogsFetcher, Token, ensure_state_tables};
use super::{DiscogsConfig, FetchError, ReccoBeatsConfig, reccobeats, state_err};
use crate::clock::SystemClock;
use crate::http::ClockPacer;
use crate::step::{StepContext, StepOutput};

fn runtime() -> Result<tokio::runtime::Runtime, FetchError> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| FetchError::Runtime(e.to_string()))
}

/// Seconds since the latest complete listing of `user` finished, if there is one.
pub fn listing_age(conn: &duckdb::Connection, user: &str) -> Result<Option<u64>, FetchError> {
    ensure_state_tables(conn)?;
    let secs: Option<i64> = conn
        .query_row(
            "SELECT date_diff('second', max(finished_at), current_timestamp::TIMESTAMP) FROM state.discogs_listings
             WHERE username = ? AND finished_at IS NOT NULL",
            [user.to_lowercase()],
            |r| r.get(0),
        )
        .map_err(state_err("reading the age of the last listing"))?;
    Ok(secs.map(|s| s.max(0) as u64))
}

/// `3 h 12 min`, `12 min`, `40 s`.
fn age_text(secs: u64) -> String {
    match secs {
        s if s >= 3600 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// The build step `fetch.discogs` (planned when `[discogs] user` is set).
pub fn discogs_fetch_step(ctx: &StepContext<'_>, cfg: &DiscogsConfig) -> Result<StepOutput, FetchError> {
    let user = cfg.user.as_deref().unwrap_or_default();
    let age = listing_age(ctx.conn, user)?;
    let cached = match age {
        Some(a) => format!("the collection listed {} ago is used", age_text(a)),
        None => format!("nothing is cached for `{user}` yet, so the build has no Discogs releases"),
    };
    if let Some(a) = age.filter(|a| cfg.max_age_hours > 0 && *a < cfg.max_age_hours * 3600) {
        return Ok(StepOutput::ok(0).with_note(format!("listed {} ago (max_age_hours = {}): nothing asked", age_text(a), cfg.max_age_hours)));
    }
    if ctx.offline {
        return Ok(StepOutput::skip(format!("--offline: {cached}")));
    }
    let token = match Token::from_env() {
        Ok(t) => t,
        Err(e) => return Ok(StepOutput::warn(0, format!("{e}; {cached}"))),
    };
    let fetcher = DiscogsFetcher::new(&cfg.base_url, token, cfg.requests_per_minute, Arc::new(SystemClock::new()))?;
    match runtime()?.block_on(fetcher.fetch(ctx.conn, user, false, ctx.progress)) {
        Ok(r) => {
            let note = format!(
                "{} releases; details: {} new, {} changed, {} cached; {} requests",
                r.releases, r.fetched_new, r.fetched_changed, r.cached, r.requests
            );
            let rows = r.fetched_new + r.fetched_changed;
            if r.not_found.is_empty() {
                Ok(StepOutput::ok(rows).with_note(note))
            } else {
                Ok(StepOutput::warn(rows, format!("{note}; {} listed releases not found on Discogs: {:?}", r.not_found.len(), r.not_found)))
            }
        }
        Err(e @ (FetchError::Http(_) | FetchError::Unauthorized { .. })) => {
            Ok(StepOutput::warn(0, format!("{e}; {cached}; what was fetched is kept, the next build goes on from there")))
        }
        Err(e) => Err(e),
    }
}

/// The build step `fetch.features` (planned with a `[reccobeats]` section, after
/// `track_spotify_ids` is built): features for the IDs never asked.
pub fn reccobeats_fetch_step(ctx: &StepContext<'_>, cfg: &ReccoBeatsConfig) -> Result<StepOutput, FetchError> {
    reccobeats::ensure_state_tables(ctx.conn)?;
    let read = |sql: &str| -> Result<Vec<String>, FetchError> {
        let mut stmt = ctx.conn.prepare(sql).map_err(crate::db::duck("reading track_spotify_ids"))?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(crate::db::duck("reading track_spotify_ids"))?;
        Ok(ids)
    };
    let ids = read("SELECT DISTINCT spotify_id FROM track_spotify_ids WHERE spotify_id IS NOT NULL ORDER BY 1")?;
    if ctx.offline {
        let unasked = read("SELECT DISTINCT spotify_id FROM track_spotify_ids t WHERE spotify_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM state.reccobeats_features f WHERE f.spotify_id = t.spotify_id)")?;
        return Ok(StepOutput::skip(format!("--offline: {} of {} IDs have no cached features and were not asked", unasked.len(), ids.len())));
    }
    let client = reccobeats::client(&cfg.base_url, Some(Arc::new(ClockPacer(Arc::new(SystemClock::new())))))?;
    match runtime()?.block_on(reccobeats::fetch_features(ctx.conn, &client, &ids, cfg.batch_size, false, ctx.progress)) {
        Ok(r) => {
            let note = format!(
                "{} IDs: {} asked in {} requests ({} with features, {} recorded missing), {} cached",
                r.ids,
                r.found + r.missing,
                r.requests,
                r.found,
                r.missing,
                r.cached
            );
            if r.failed_batches.is_empty() {
                Ok(StepOutput::ok(r.found + r.missing).with_note(note))
            } else {
                Ok(StepOutput::warn(r.found + r.missing, format!("{note}; {} batches failed (the next build asks again): {}", r.failed_batches.len(), r.failed_batches[0])))
            }
        }
        Err(FetchError::Http(e)) => Ok(StepOutput::warn(0, format!("{e}; the features cached so far are used, the next build asks again"))),
        Err(e) => Err(e),
    }
}
