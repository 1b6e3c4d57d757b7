//! Candidates from the Spotify Web API search, every response cached in the state database.
//!
//! [`SpotifySearch`] implements [`CandidateSource`]: each batch's searches not yet in
//! `state.spotify_search_cache` run concurrently (at most `concurrency` in flight) through the
//! shared [`crate::http::Client`] (429 Retry-After, 5xx and timeout backoff, QUOTA_EXCEEDED).
//! [`Credentials`] come from `SPOTIFY_CLIENT_ID` / `SPOTIFY_CLIENT_SECRET`; the client-credentials
//! token is fetched once, renewed before it expires and again on a 401. A `QUOTA_EXCEEDED`
//! stops the source: the batch's finished searches are kept, the rest are left for a rerun.
//! The cache is keyed by the request (`GET /search?q=…&type=track&limit=…`, no secret in it)
//! and stores the response reduced to the fields the matcher reads.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use duckdb::Connection;
use serde::Deserialize;

use super::MatchError;
use super::score::{Candidate, Query};
use super::source::{BatchResult, CandidateSource, Search};
use crate::clock::Clock;
use crate::http::{Client, ClockPacer, HttpError, RetryPolicy};

/// Client credentials. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { client_id: <redacted>, client_secret: <redacted> }")
    }
}

impl Credentials {
    /// From `SPOTIFY_CLIENT_ID` / `SPOTIFY_CLIENT_SECRET` (the CLI has loaded `.env` into the
    /// environment already, never overriding it).
    pub fn from_env() -> Result<Credentials, MatchError> {
        let get = |name: &'static str| std::env::var(name).ok().filter(|v| !v.trim().is_empty()).ok_or(MatchError::MissingCredential { name });
        Ok(Credentials { client_id: get("SPOTIFY_CLIENT_ID")?, client_secret: get("SPOTIFY_CLIENT_SECRET")? })
    }
}

/// Where and how to search (from `[match]`).
#[derive(Clone)]
pub struct SpotifyOptions {
    pub api_base_url: String,
    pub accounts_base_url: String,
    pub limit: u32,
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// What token lifetimes and retry waits run on: the real clock, or a test's manual one.
    pub clock: Arc<dyn Clock>,
}

/// DDL: `sql/state/spotify_search_cache.sql`.
const CACHE_TABLE: &str = include_str!("../../sql/state/spotify_search_cache.sql");

struct Token {
    value: String,
    /// On `Inner::clock`.
    renew_at: Duration,
}

struct Inner {
    api: Client,
    accounts: Client,
    creds: Credentials,
    token: tokio::sync::Mutex<Option<Token>>,
    limit: u32,
    stop: AtomicBool,
    clock: Arc<dyn Clock>,
}

/// Why one search has no answer this run.
enum Fail {
    Quota(String),
    Item(String),
    Fatal(MatchError),
}

/// The Spotify search source.
pub struct SpotifySearch<'c> {
    conn: &'c Connection,
    rt: tokio::runtime::Runtime,
    inner: Arc<Inner>,
    concurrency: usize,
    cache: HashMap<String, Vec<Candidate>>,
    /// Responses received in the current batch, not yet in the state database.
    fresh: Vec<(String, String, u64, String)>,
    cache_hits: u64,
    /// Answer from the cache only (`selecta build --offline`): an uncached search stops the run.
    offline: bool,
}

#[derive(Deserialize)]
struct SearchResponse {
    tracks: Paging,
}
#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    total: u64,
    items: Vec<Option<TrackObject>>,
}
#[derive(Deserialize)]
struct TrackObject {
    id: Option<String>,
    name: String,
    #[serde(default)]
    artists: Vec<Named>,
    album: Option<Named>,
    duration_ms: Option<i64>,
    external_ids: Option<ExternalIds>,
}
#[derive(Deserialize)]
struct Named {
    name: String,
}
#[derive(Deserialize)]
struct ExternalIds {
    isrc: Option<String>,
}

impl<'c> SpotifySearch<'c> {
    /// Opens the source; `conn` has the state database attached as `state` (the cache lives there).
    pub fn new(conn: &'c Connection, options: &SpotifyOptions, creds: Credentials) -> Result<Self, MatchError> {
        conn.execute_batch(CACHE_TABLE).map_err(crate::db::duck("creating state.spotify_search_cache"))?;
        let mut cache = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT key, items FROM state.spotify_search_cache WHERE status = 200").map_err(crate::db::duck("reading the search cache"))?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(crate::db::duck("reading the search cache"))?;
            for row in rows {
                let (key, items) = row.map_err(crate::db::duck("reading the search cache"))?;
                let items: Vec<Candidate> = serde_json::from_str(&items).map_err(|e| MatchError::Cache { key: key.clone(), message: e.to_string() })?;
                cache.insert(key, items);
            }
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| MatchError::Runtime(e.to_string()))?;
        // Retry waits (Retry-After, backoff) go through the clock, as the fetch clients' do.
        let pacer = Arc::new(ClockPacer(options.clock.clone()));
        let api = Client::new("spotify", &options.api_base_url, options.retry.clone())?.with_pacer(pacer.clone());
        let accounts = Client::new("spotify-accounts", &options.accounts_base_url, options.retry.clone())?.with_pacer(pacer);
        let inner = Arc::new(Inner {
            api,
            accounts,
            creds,
            token: tokio::sync::Mutex::new(None),
            limit: options.limit.clamp(1, 10),
            stop: AtomicBool::new(false),
            clock: options.clock.clone(),
        });
        tracing::debug!(cached = cache.len(), "search cache loaded");
        Ok(SpotifySearch { conn, rt, inner, concurrency: options.concurrency.max(1), cache, fresh: Vec::new(), cache_hits: 0, offline: false })
    }

    /// The cache key of a search: the request without its credentials.
    pub fn cache_key(&self, q: &str) -> String {
        format!("GET /search?type=track&limit={}&q={}", self.inner.limit, q)
    }

    pub fn cache_hits(&self) -> u64 {
        self.cache_hits
    }

    /// Answer from the cache only: the first batch with an uncached search stops the run (its
    /// tracks and the rest stay pending), and nothing is sent.
    pub fn set_offline(&mut self, offline: bool) {
        self.offline = offline;
    }
}

impl Inner {
    async fn token(&self) -> Result<String, Fail> {
        let mut guard = self.token.lock().await;
        if let Some(t) = guard.as_ref() {
            if self.clock.now() < t.renew_at {
                return Ok(t.value.clone());
            }
        }
        #[derive(Deserialize)]
        struct TokenResponse {
            access_token: String,
            expires_in: u64,
        }
        let url = self.accounts.url("/api/token");
        let resp = self
            .accounts
            .send_repeatable("/api/token", |c| c.post(&url).basic_auth(&self.creds.client_id, Some(&self.creds.client_secret)).form(&[("grant_type", "client_credentials")]))
            .await
            .map_err(|e| Fail::Fatal(e.into()))?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(Fail::Fatal(MatchError::Auth { status }));
        }
        let t: TokenResponse = self.accounts.json("/api/token", resp).await.map_err(|e| Fail::Fatal(e.into()))?;
        // Renew a little before expiry: a tenth of the lifetime, at most a minute.
        let slack = Duration::from_secs((t.expires_in / 10).min(60));
        let renew_at = self.clock.now() + Duration::from_secs(t.expires_in).saturating_sub(slack);
        tracing::debug!(expires_in = t.expires_in, "spotify token obtained");
        *guard = Some(Token { value: t.access_token.clone(), renew_at });
        Ok(t.access_token)
    }

    async fn invalidate(&self, used: &str) {
        let mut guard = self.token.lock().await;
        if guard.as_ref().is_some_and(|t| t.value == used) {
            *guard = None;
        }
    }

    /// One search: Ok((total, items)).
    async fn search(&self, q: &str) -> Result<(u64, Vec<Candidate>), Fail> {
        let url = self.api.url("/search");
        let limit = self.limit.to_string();
        let mut unauthorized = 0;
        let mut malformed = 0;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Err(Fail::Item("not sent: the run stopped (quota exceeded)".into()));
            }
            let token = self.token().await?;
            let sent = self.api.send("/search", |c| c.get(&url).bearer_auth(&token).query(&[("q", q), ("type", "track"), ("limit", limit.as_str())])).await;
            let resp = match sent {
                Ok(r) => r,
                Err(HttpError::QuotaExceeded { .. }) => {
                    self.stop.store(true, Ordering::Relaxed);
                    return Err(Fail::Quota("Spotify quota exceeded (429 QUOTA_EXCEEDED)".into()));
                }
                Err(e) => return Err(Fail::Item(e.to_string())),
            };
            if resp.status().as_u16() == 401 && unauthorized < 2 {
                unauthorized += 1;
                tracing::debug!("spotify answered 401: renewing the token");
                self.invalidate(&token).await;
                continue;
            }
            match self.api.json::<SearchResponse>("/search", resp).await {
                Ok(r) => {
                    let items = r
                        .tracks
                        .items
                        .into_iter()
                        .flatten()
                        .filter_map(|t| {
                            Some(Candidate {
                                id: t.id?,
                                name: t.name,
                                artists: t.artists.into_iter().map(|a| a.name).collect(),
                                album: t.album.map(|a| a.name).unwrap_or_default(),
                                duration_ms: t.duration_ms,
                                isrc: t.external_ids.and_then(|e| e.isrc),
                            })
                        })
                        .collect();
                    return Ok((r.tracks.total, items));
                }
                Err(HttpError::Json { .. }) if malformed < 2 => {
                    malformed += 1;
                    tracing::debug!("spotify sent malformed JSON: asking again");
                    self.clock.sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(Fail::Item(e.to_string())),
            }
        }
    }
}

impl CandidateSource for SpotifySearch<'_> {
    fn name(&self) -> &'static str {
        "spotify"
    }

    fn search(&mut self, _tracks: &[&Query], searches: &[Search]) -> Result<BatchResult, MatchError> {
        let keys: Vec<String> = searches.iter().map(|s| self.cache_key(&s.q())).collect();
        // Distinct uncached requests of the batch.
        let mut todo: Vec<(String, String)> = Vec::new();
        for (s, k) in searches.iter().zip(&keys) {
            if self.cache.contains_key(k) {
                self.cache_hits += 1;
            } else if !s.is_empty() && !todo.iter().any(|(tk, _)| tk == k) {
                todo.push((k.clone(), s.q()));
            }
        }
        let mut answers: HashMap<String, Result<(u64, Vec<Candidate>), String>> = HashMap::new();
        let mut stopped = None;
        if self.offline && !todo.is_empty() {
            for (key, _) in &todo {
                answers.insert(key.clone(), Err("not sent: --offline and not in the search cache".into()));
            }
            stopped = Some(format!("--offline: {} searches of this batch are not in the search cache", todo.len()));
            todo.clear();
        }
        if !todo.is_empty() && !self.inner.stop.load(Ordering::Relaxed) {
            let inner = self.inner.clone();
            let concurrency = self.concurrency;
            let results = self.rt.block_on(async move {
                let sem = Arc::new(tokio::sync::Semaphore::new(concurrency));
                let mut set = tokio::task::JoinSet::new();
                for (key, q) in todo {
                    let inner = inner.clone();
                    let sem = sem.clone();
                    set.spawn(async move {
                        let _permit = sem.acquire_owned().await.expect("semaphore open");
                        let r = inner.search(&q).await;
                        (key, q, r)
                    });
                }
                let mut out = Vec::new();
                while let Some(joined) = set.join_next().await {
                    out.push(joined.expect("search task panicked"));
                }
                out
            });
            for (key, q, r) in results {
                match r {
                    Ok((total, items)) => {
                        let json = serde_json::to_string(&items).expect("candidates serialize");
                        self.fresh.push((key.clone(), q, total, json));
                        answers.insert(key, Ok((total, items)));
                    }
                    Err(Fail::Quota(m)) => {
                        stopped = Some(m.clone());
                        answers.insert(key, Err(m));
                    }
                    Err(Fail::Item(m)) => {
                        answers.insert(key, Err(m));
                    }
                    Err(Fail::Fatal(e)) => return Err(e),
                }
            }
        }
        if self.inner.stop.load(Ordering::Relaxed) && stopped.is_none() {
            stopped = Some("Spotify quota exceeded (429 QUOTA_EXCEEDED)".into());
        }
        let mut results = Vec::with_capacity(searches.len());
        for (s, k) in searches.iter().zip(&keys) {
            if s.is_empty() {
                results.push(Ok(Vec::new()));
            } else if let Some(c) = self.cache.get(k) {
                results.push(Ok(c.clone()));
            } else {
                match answers.get(k) {
                    Some(Ok((_, items))) => results.push(Ok(items.clone())),
                    Some(Err(m)) => results.push(Err(m.clone())),
                    None => results.push(Err("not sent: the run stopped (quota exceeded)".into())),
                }
            }
        }
        for (k, _, _, json) in &self.fresh {
            if let Ok(items) = serde_json::from_str(json) {
                self.cache.insert(k.clone(), items);
            }
        }
        Ok(BatchResult { results, stopped })
    }

    fn requests_sent(&self) -> u64 {
        self.inner.api.requests_sent()
    }

    fn commit(&mut self) -> Result<(), MatchError> {
        if self.fresh.is_empty() {
            return Ok(());
        }
        let conn = self.conn;
        conn.execute_batch("BEGIN TRANSACTION").map_err(crate::db::duck("caching search responses"))?;
        let result = (|| {
            let mut stmt = conn
                .prepare("INSERT OR REPLACE INTO state.spotify_search_cache VALUES (?, ?, 200, ?, ?, now()::TIMESTAMP)")
                .map_err(crate::db::duck("caching search responses"))?;
            for (key, q, total, items) in &self.fresh {
                stmt.execute(duckdb::params![key, q, *total as i64, items]).map_err(crate::db::duck("caching search responses"))?;
            }
            Ok::<(), MatchError>(())
        })();
        match result {
            Ok(()) => {
                conn.execute_batch("COMMIT").map_err(crate::db::duck("caching search responses"))?;
                self.fresh.clear();
                Ok(())
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}
