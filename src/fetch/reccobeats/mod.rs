//! `selecta fetch features --source reccobeats`: audio features by Spotify ID from ReccoBeats
//! (`GET {base}/v1/audio-features?ids=a,b,…`, no key), and the build step that appends them to
//! `raw_audio_features`.
//!
//! [`ReccoBeatsConfig`] is the `[reccobeats]` section; [`fetch_features`] asks for the IDs never
//! asked before, in batches of 40 (the largest batch third parties report the API answers in
//! full; it drops the extras silently), and joins each answer back **by ID**: the API leaves
//! unknown IDs out of `content`, so item *i* is not ID *i*; an item's Spotify ID is the last path
//! segment of its `href`. Every asked ID ends in `state.reccobeats_features` as found (with the
//! item's JSON) or missing; every response body is kept in `state.reccobeats_responses`.
//! 429 (with `Retry-After`) and 5xx are retried by the shared `http::Client`. A batch whose body
//! is not the expected JSON is reported with its batch number and IDs and left unrecorded (a rerun
//! asks again); the other batches go on, and the command exits non-zero.
//!
//! [`reccobeats_ingest_step`] appends every cached feature row with `source = 'reccobeats'` and a
//! `source_rank` set by [`Precedence`]: by default after every `[inputs].features` file (files
//! first, in their listed order, then ReccoBeats), or before them. ReccoBeats has no time
//! signature: it stays NULL.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use duckdb::{Connection, params};
use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde_json::Value;

mod config;
mod load;

pub use config::{MAX_BATCH, Precedence, ReccoBeatsConfig, check_batch_size};
pub use load::{FeaturesLoad, load_features, reccobeats_ingest_step};

use super::{FetchError, state_err};
use crate::http::{Client, HttpError, RetryPolicy};

/// DDL: `sql/state/reccobeats.sql`.
const STATE_TABLES: &str = include_str!("../../../sql/state/reccobeats.sql");

pub fn ensure_state_tables(conn: &Connection) -> Result<(), FetchError> {
    Ok(conn.execute_batch(STATE_TABLES).map_err(state_err("creating the reccobeats state tables"))?)
}

/// A Spotify track ID: 22 base-62 characters.
pub fn is_spotify_id(s: &str) -> bool {
    s.len() == 22 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// What a fetch did.
#[derive(Debug, Default, Clone)]
pub struct FeaturesReport {
    /// Distinct valid IDs given, and the ones skipped as not Spotify IDs.
    pub ids: u64,
    pub invalid: Vec<String>,
    /// IDs already asked before (found or missing), not asked again.
    pub cached: u64,
    /// IDs asked in this run: found, recorded missing.
    pub found: u64,
    pub missing: u64,
    pub batches: u64,
    /// Batches whose answer could not be used (error message each); their IDs stay unasked.
    pub failed_batches: Vec<String>,
    /// Items whose `href` named no ID of their batch (ignored).
    pub stray_items: u64,
    pub requests: u64,
}

#[derive(Deserialize)]
struct FeaturesResponse {
    content: Vec<Value>,
}

/// The Spotify ID an item is about: the last path segment of its `href`.
pub fn item_spotify_id(item: &Value) -> Option<&str> {
    let href = item.get("href")?.as_str()?;
    let path = href.split(['?', '#']).next()?;
    path.trim_end_matches('/').rsplit('/').next().filter(|s| !s.is_empty())
}

/// A client for ReccoBeats whose retry waits go through `pacer` when given.
pub fn client(base_url: &str, pacer: Option<Arc<dyn crate::http::Pacer>>) -> Result<Client, FetchError> {
    let c = Client::new("reccobeats", base_url, RetryPolicy::default())?;
    Ok(match pacer {
        Some(p) => c.with_pacer(p),
        None => c,
    })
}

/// Asks ReccoBeats for the features of `ids` not asked before (and of those recorded missing
/// when `retry_missing`), caching every answer in the state database `conn`.
pub async fn fetch_features(
    conn: &Connection,
    client: &Client,
    ids: &[String],
    batch_size: usize,
    retry_missing: bool,
    progress: bool,
) -> Result<FeaturesReport, FetchError> {
    ensure_state_tables(conn)?;
    let mut report = FeaturesReport::default();
    let mut seen = HashSet::new();
    let mut valid = Vec::new();
    for id in ids {
        let id = id.trim();
        if id.is_empty() || !seen.insert(id.to_string()) {
            continue;
        }
        if is_spotify_id(id) {
            valid.push(id.to_string());
        } else {
            report.invalid.push(id.to_string());
        }
    }
    report.ids = valid.len() as u64;
    let mut asked: HashMap<String, bool> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT spotify_id, found FROM state.reccobeats_features").map_err(state_err("reading cached features"))?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))).map_err(state_err("reading cached features"))?;
        for row in rows {
            let (id, found) = row.map_err(state_err("reading cached features"))?;
            asked.insert(id, found);
        }
    }
    let todo: Vec<String> = valid.into_iter().filter(|id| asked.get(id).is_none_or(|&found| retry_missing && !found)).collect();
    report.cached = report.ids - todo.len() as u64;
    let batch_size = batch_size.clamp(1, MAX_BATCH);
    let batches: Vec<&[String]> = todo.chunks(batch_size).collect();
    report.batches = batches.len() as u64;
    let mut request_id: i64 = conn
        .query_row("SELECT coalesce(max(request_id), 0) FROM state.reccobeats_responses", [], |r| r.get(0))
        .map_err(state_err("numbering requests"))?;
    let bar = super::progress_bar(progress, todo.len() as u64, "reccobeats features");
    let total = batches.len();
    for (b, batch) in batches.into_iter().enumerate() {
        let label = format!("/v1/audio-features (batch {} of {total}: {} … {})", b + 1, batch[0], batch[batch.len() - 1]);
        let url = format!("{}?ids={}", client.url("/v1/audio-features"), batch.join(","));
        let resp = client.send(&label, |c| c.get(&url).header(ACCEPT, "application/json")).await?;
        let status = resp.status().as_u16();
        let body = resp.text().await.map_err(|source| HttpError::Transport { service: "reccobeats", path: label.clone(), attempts: 1, source: source.without_url() })?;
        bar.inc(batch.len() as u64);
        if !(200..300).contains(&status) {
            let e = HttpError::Status { service: "reccobeats", path: label, status, body };
            tracing::error!("{e}");
            report.failed_batches.push(e.to_string());
            continue;
        }
        let parsed: FeaturesResponse = match serde_json::from_str(&body) {
            Ok(p) => p,
            Err(source) => {
                let e = HttpError::Json { service: "reccobeats", path: label, source };
                tracing::error!("{e}");
                report.failed_batches.push(e.to_string());
                continue;
            }
        };
        let wanted: HashSet<&str> = batch.iter().map(String::as_str).collect();
        let mut found: HashMap<&str, &Value> = HashMap::new();
        for item in &parsed.content {
            match item_spotify_id(item).filter(|id| wanted.contains(id)) {
                Some(id) => {
                    // An ID answered twice keeps its first item.
                    found.entry(id).or_insert(item);
                }
                None => report.stray_items += 1,
            }
        }
        request_id += 1;
        store_batch(conn, request_id, batch, status, &body, &found)?;
        report.found += found.len() as u64;
        report.missing += (batch.len() - found.len()) as u64;
    }
    bar.finish_and_clear();
    report.requests = client.requests_sent();
    Ok(report)
}

/// One transaction: the response, and every asked ID as found or missing.
fn store_batch(conn: &Connection, request_id: i64, batch: &[String], status: u16, body: &str, found: &HashMap<&str, &Value>) -> Result<(), FetchError> {
    let err = || state_err(format!("storing ReccoBeats request {request_id}"));
    conn.execute_batch("BEGIN TRANSACTION").map_err(err())?;
    let result = (|| {
        conn.execute(
            "INSERT INTO state.reccobeats_responses (request_id, ids, status, body, fetched_at) VALUES (?, ?, ?, ?, current_timestamp)",
            params![request_id, batch.join(","), status, body],
        )?;
        // Appended to a temp table, then one statement: per-row inserts into a keyed table are slow.
        conn.execute_batch(include_str!("../../../sql/work/reccobeats_batch.sql"))?;
        {
            let mut app = conn.appender("reccobeats_batch")?;
            for id in batch {
                let item = found.get(id.as_str()).map(|v| v.to_string());
                app.append_row(params![id, item.is_some(), item])?;
            }
            app.flush()?;
        }
        conn.execute(
            "INSERT OR REPLACE INTO state.reccobeats_features (spotify_id, found, item, request_id, fetched_at)
             SELECT spotify_id, found, item, ?, current_timestamp FROM reccobeats_batch",
            [request_id],
        )?;
        conn.execute_batch("DROP TABLE reccobeats_batch")?;
        Ok::<_, duckdb::Error>(())
    })();
    match result {
        Ok(()) => Ok(conn.execute_batch("COMMIT").map_err(err())?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(err()(e).into())
        }
    }
}

/// Reads Spotify IDs from a file: a CSV with a `spotify_id` column, or one ID per line.
pub fn read_ids_file(path: &Path) -> Result<Vec<String>, FetchError> {
    let text = std::fs::read_to_string(path).map_err(|source| FetchError::IdsFile { path: path.to_path_buf(), source })?;
    let mut lines = text.lines();
    let Some(first) = lines.next() else { return Ok(Vec::new()) };
    let header: Vec<String> = first.trim_start_matches('\u{feff}').split(',').map(|h| h.trim().to_lowercase()).collect();
    if let Some(col) = header.iter().position(|h| h == "spotify_id") {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let mut ids = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| FetchError::IdsFile { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) })?;
            if let Some(v) = rec.get(col).map(str::trim).filter(|v| !v.is_empty()) {
                ids.push(v.to_string());
            }
        }
        return Ok(ids);
    }
    Ok(text.lines().map(|l| l.trim().trim_start_matches('\u{feff}').to_string()).filter(|l| !l.is_empty()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ReccoBeats item's Spotify ID is the last path segment of its `href`.
    #[test]
    fn item_id_is_the_last_segment_of_href() {
        let item = serde_json::json!({"href": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=x"});
        assert_eq!(item_spotify_id(&item), Some("4uLU6hMCjMI75M1A2tKUQC"));
        assert_eq!(item_spotify_id(&serde_json::json!({"id": "x"})), None);
    }

    /// ReccoBeats ranks after the feature files by default, before them with `before-files`; a batch over 40 is refused.
    #[test]
    fn precedence_places_reccobeats_around_the_files() {
        let mut c = ReccoBeatsConfig::default();
        assert_eq!(c.source_rank(2), 2);
        c.precedence = Precedence::BeforeFiles;
        assert_eq!(c.source_rank(2), -1);
        c.batch_size = 41;
        assert!(c.validate().is_err());
    }
}
