//! `selecta fetch discogs`: a user's Discogs collection and each release's details, cached in
//! the state database so a rerun asks only for what it has not seen.
//!
//! [`DiscogsConfig`] is the `[discogs]` section; [`DiscogsFetcher`] does the work with the shared
//! `http::Client`, paced by a [`RateLimiter`](super::ratelimit::RateLimiter) (60 requests per
//! minute by default, lowered by `X-Discogs-Ratelimit`, held on `Remaining: 0` and 429s).
//!
//! A fetch has two phases:
//! 1. **listing**: `GET /users/{user}/collection/folders/0/releases?page=N&per_page=100`, every
//!    page, each stored in `state.discogs_collection_pages` under a listing id
//!    (`state.discogs_listings`, finished when its last page is stored). An interrupted listing is
//!    resumed from its next page; a finished one is replaced by a new listing on the next run
//!    (the listing is how changes are noticed), and older pages of the user are then dropped.
//! 2. **details**: `GET /releases/{id}` for each listed release not in `state.discogs_releases`,
//!    or whose collection entry (`basic_information`: title, artists, labels, formats, genres,
//!    styles, year) hashes differently from when it was fetched (`listing_sha256`) — an edit on
//!    Discogs — or all of them with `--refetch`. Each release is stored as soon as it arrives, so
//!    an interrupted fetch resumes where it stopped.
//!
//! The token (`DISCOGS_TOKEN`, environment or `.env`) travels only in the `Authorization:
//! Discogs token=…` header, marked sensitive; it is never logged, stored or put in an error.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use duckdb::{Connection, params};
use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

mod config;
mod token;

pub use config::DiscogsConfig;
pub use token::Token;

use super::ratelimit::{Clock, RateLimiter};
use super::{FetchError, state_err};
use crate::http::{Client, HttpError, RetryPolicy};

/// DDL: `sql/state/discogs.sql`.
const STATE_TABLES: &str = include_str!("../../../sql/state/discogs.sql");

/// Creates the state tables if missing.
pub fn ensure_state_tables(conn: &Connection) -> Result<(), FetchError> {
    Ok(conn.execute_batch(STATE_TABLES).map_err(state_err("creating the discogs state tables"))?)
}

/// One entry of a listing, as the details phase and the ingest step read it.
#[derive(Debug, Clone)]
pub struct ListedItem {
    pub release_id: i64,
    pub instance_id: Option<i64>,
    pub date_added: Option<String>,
    /// The page it came from and its 1-based place in the whole listing.
    pub page: i64,
    pub index: i64,
    pub basic_information: Value,
    pub listing_sha256: String,
}

/// What a fetch did.
#[derive(Debug, Default, Clone)]
pub struct DiscogsReport {
    pub listing_id: i64,
    /// Pages requested in this run / already stored by an interrupted run and kept.
    pub pages_fetched: u64,
    pub pages_resumed: u64,
    /// Collection entries, and distinct releases among them.
    pub items: u64,
    pub releases: u64,
    /// Details fetched in this run: new releases, changed ones; and those served from the cache.
    pub fetched_new: u64,
    pub fetched_changed: u64,
    pub cached: u64,
    /// Releases the API answered 404 for (listed, but their page is gone).
    pub not_found: Vec<i64>,
    /// HTTP requests sent (retries included), and time held back by the rate limiter.
    pub requests: u64,
    pub waited: Duration,
}

/// Fetches one user's collection with a client paced for Discogs.
pub struct DiscogsFetcher {
    client: Client,
    limiter: Arc<RateLimiter>,
    token: Token,
}

impl DiscogsFetcher {
    /// `requests_per_minute` at most, on `clock`.
    pub fn new(base_url: &str, token: Token, requests_per_minute: u32, clock: Arc<dyn Clock>) -> Result<DiscogsFetcher, FetchError> {
        let limiter = Arc::new(RateLimiter::new(clock, requests_per_minute, Duration::from_secs(60)));
        // Discogs may not send Retry-After on a 429: back off long enough for a window slot.
        let policy = RetryPolicy { max_attempts: 6, base_backoff: Duration::from_secs(2), max_backoff: Duration::from_secs(60), ..RetryPolicy::default() };
        let client = Client::new("discogs", base_url, policy)?.with_pacer(limiter.clone());
        Ok(DiscogsFetcher { client, limiter, token })
    }

    pub fn requests_sent(&self) -> u64 {
        self.client.requests_sent()
    }

    /// GET `path` (no secrets in it), the body as text with its status.
    async fn get(&self, path: &str) -> Result<(u16, String), FetchError> {
        let url = self.client.url(path);
        let auth = self.token.header()?;
        let resp = self
            .client
            .send(path, |c| c.get(&url).header(AUTHORIZATION, auth.clone()).header(ACCEPT, "application/vnd.discogs.v2.discogs+json"))
            .await?;
        let status = resp.status().as_u16();
        let body = resp.text().await.map_err(|source| HttpError::Transport { service: "discogs", path: path.into(), attempts: 1, source: source.without_url() })?;
        if status == 401 || status == 403 {
            return Err(FetchError::Unauthorized { path: path.into(), status });
        }
        Ok((status, body))
    }

    /// Lists the collection and fetches the details that are missing or changed.
    pub async fn fetch(&self, conn: &Connection, user: &str, refetch: bool, progress: bool) -> Result<DiscogsReport, FetchError> {
        ensure_state_tables(conn)?;
        let mut report = DiscogsReport::default();
        let listing_id = self.list(conn, user, &mut report).await?;
        report.listing_id = listing_id;
        let items = listed_items(conn, listing_id)?;
        report.items = items.len() as u64;
        let mut seen = HashSet::new();
        let items: Vec<ListedItem> = items.into_iter().filter(|i| seen.insert(i.release_id)).collect();
        report.releases = items.len() as u64;

        let mut cached: HashMap<i64, String> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT release_id, listing_sha256 FROM state.discogs_releases").map_err(state_err("reading cached releases"))?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).map_err(state_err("reading cached releases"))?;
            for row in rows {
                let (id, sha) = row.map_err(state_err("reading cached releases"))?;
                cached.insert(id, sha);
            }
        }
        let todo: Vec<&ListedItem> = items
            .iter()
            .filter(|i| refetch || cached.get(&i.release_id).is_none_or(|sha| *sha != i.listing_sha256))
            .collect();
        report.cached = report.releases - todo.len() as u64;
        tracing::info!(user, releases = report.releases, to_fetch = todo.len(), cached = report.cached, "discogs: collection listed");

        let bar = super::progress_bar(progress, todo.len() as u64, "discogs releases");
        let mut insert = conn
            .prepare(
                "INSERT OR REPLACE INTO state.discogs_releases
                 (release_id, body, body_sha256, listing_sha256, instance_id, date_added, fetched_at)
                 VALUES (?, ?, ?, ?, ?, ?, current_timestamp)",
            )
            .map_err(state_err("preparing the release insert"))?;
        for item in todo {
            let path = format!("/releases/{}", item.release_id);
            let (status, body) = self.get(&path).await?;
            bar.inc(1);
            if status == 404 {
                tracing::warn!(release_id = item.release_id, "discogs: release listed in the collection but not found");
                report.not_found.push(item.release_id);
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(HttpError::Status { service: "discogs", path, status, body }.into());
            }
            let json: Value = serde_json::from_str(&body).map_err(|source| HttpError::Json { service: "discogs", path: path.clone(), source })?;
            if json.get("id").and_then(Value::as_i64) != Some(item.release_id) {
                return Err(FetchError::Shape { service: "discogs", path, message: "the body's `id` is not the release asked for".into() });
            }
            if cached.contains_key(&item.release_id) {
                report.fetched_changed += 1;
            } else {
                report.fetched_new += 1;
            }
            insert
                .execute(params![item.release_id, body, sha256(body.as_bytes()), item.listing_sha256, item.instance_id, item.date_added])
                .map_err(state_err(format!("storing release {}", item.release_id)))?;
        }
        bar.finish_and_clear();
        report.requests = self.client.requests_sent();
        report.waited = self.limiter.waited();
        Ok(report)
    }

    /// Phase 1: resumes the user's unfinished listing or starts one; returns its id once every
    /// page is stored.
    async fn list(&self, conn: &Connection, user: &str, report: &mut DiscogsReport) -> Result<i64, FetchError> {
        let username = user.to_lowercase();
        let unfinished: Option<i64> = conn
            .query_row(
                "SELECT max(listing_id) FROM state.discogs_listings WHERE username = ? AND finished_at IS NULL",
                [&username],
                |r| r.get(0),
            )
            .map_err(state_err("looking for an unfinished listing"))?;
        let (listing_id, mut page) = match unfinished {
            Some(id) => {
                let done: i64 = conn
                    .query_row("SELECT coalesce(max(page), 0) FROM state.discogs_collection_pages WHERE listing_id = ?", [id], |r| r.get(0))
                    .map_err(state_err("reading stored pages"))?;
                report.pages_resumed = done as u64;
                tracing::info!(user, listing_id = id, pages_kept = done, "discogs: resuming an interrupted listing");
                (id, done + 1)
            }
            None => {
                let id: i64 = conn
                    .query_row("SELECT coalesce(max(listing_id), 0) + 1 FROM state.discogs_listings", [], |r| r.get(0))
                    .map_err(state_err("numbering the listing"))?;
                conn.execute("INSERT INTO state.discogs_listings (listing_id, username, started_at) VALUES (?, ?, current_timestamp)", params![id, username])
                    .map_err(state_err("starting a listing"))?;
                (id, 1)
            }
        };
        let user_path = urlencode(user);
        loop {
            let path = format!("/users/{user_path}/collection/folders/0/releases?page={page}&per_page=100");
            let (status, body) = self.get(&path).await?;
            if status == 404 && page == 1 {
                return Err(FetchError::UnknownUser { user: user.into(), body });
            }
            if status == 404 {
                // The collection shrank since this listing started: it ends here.
                break;
            }
            if !(200..300).contains(&status) {
                return Err(HttpError::Status { service: "discogs", path, status, body }.into());
            }
            let parsed: CollectionPage = serde_json::from_str(&body).map_err(|source| HttpError::Json { service: "discogs", path: path.clone(), source })?;
            conn.execute(
                "INSERT OR REPLACE INTO state.discogs_collection_pages (listing_id, username, page, pages, items, body, fetched_at)
                 VALUES (?, ?, ?, ?, ?, ?, current_timestamp)",
                params![listing_id, username, page, parsed.pagination.pages, parsed.pagination.items, body],
            )
            .map_err(state_err(format!("storing collection page {page}")))?;
            report.pages_fetched += 1;
            if page >= parsed.pagination.pages {
                break;
            }
            page += 1;
        }
        let (pages, items): (i64, i64) = conn
            .query_row(
                "SELECT count(*), coalesce(max(items), 0) FROM state.discogs_collection_pages WHERE listing_id = ?",
                [listing_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(state_err("counting pages"))?;
        conn.execute_batch("BEGIN TRANSACTION").map_err(state_err("finishing the listing"))?;
        let finish = conn
            .execute("UPDATE state.discogs_listings SET finished_at = current_timestamp, pages = ?, items = ? WHERE listing_id = ?", params![pages, items, listing_id])
            .and_then(|_| {
                // Older listings of this user are superseded.
                conn.execute("DELETE FROM state.discogs_collection_pages WHERE username = ? AND listing_id < ?", params![username, listing_id])
            })
            .and_then(|_| conn.execute("DELETE FROM state.discogs_listings WHERE username = ? AND listing_id < ?", params![username, listing_id]));
        match finish {
            Ok(_) => conn.execute_batch("COMMIT").map_err(state_err("finishing the listing"))?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(state_err("finishing the listing")(e).into());
            }
        }
        Ok(listing_id)
    }
}

#[derive(Deserialize)]
struct CollectionPage {
    pagination: Pagination,
}

#[derive(Deserialize)]
struct Pagination {
    pages: i64,
    items: i64,
}

/// The latest finished listing of `user`, if any.
pub fn latest_listing(conn: &Connection, user: &str) -> Result<Option<i64>, FetchError> {
    conn.query_row(
        "SELECT max(listing_id) FROM state.discogs_listings WHERE username = ? AND finished_at IS NOT NULL",
        [user.to_lowercase()],
        |r| r.get(0),
    )
    .map_err(|e| state_err("looking for the latest listing")(e).into())
}

/// The entries of a stored listing in listing order (duplicates kept).
pub fn listed_items(conn: &Connection, listing_id: i64) -> Result<Vec<ListedItem>, FetchError> {
    let mut stmt = conn
        .prepare("SELECT page, body FROM state.discogs_collection_pages WHERE listing_id = ? ORDER BY page")
        .map_err(state_err("reading collection pages"))?;
    let pages = stmt
        .query_map([listing_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(state_err("reading collection pages"))?;
    let mut items = Vec::new();
    for (page, body) in pages {
        let source_file = format!("discogs-api:collection page {page} (listing {listing_id})");
        let json: Value = serde_json::from_str(&body).map_err(|e| FetchError::Cached { source_file: source_file.clone(), message: e.to_string() })?;
        let releases = json
            .get("releases")
            .and_then(Value::as_array)
            .ok_or_else(|| FetchError::Cached { source_file: source_file.clone(), message: "no `releases` array".into() })?;
        for r in releases {
            let basic = r.get("basic_information").cloned().unwrap_or(Value::Null);
            let Some(release_id) = r.get("id").and_then(Value::as_i64).or_else(|| basic.get("id").and_then(Value::as_i64)) else {
                return Err(FetchError::Cached { source_file, message: "a collection entry without a release id".into() });
            };
            items.push(ListedItem {
                release_id,
                instance_id: r.get("instance_id").and_then(Value::as_i64),
                date_added: r.get("date_added").and_then(Value::as_str).map(String::from),
                page,
                index: items.len() as i64 + 1,
                listing_sha256: sha256(basic.to_string().as_bytes()),
                basic_information: basic,
            });
        }
    }
    Ok(items)
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encodes a path segment (usernames may hold spaces or unicode).
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

