//! Fake external services for tests and benches: our own axum servers on 127.0.0.1, port 0,
//! started in-process (`selecta::fakes::<service>::start(...)` → a handle with its base URLs).
//!
//! - [`spotify`]: Spotify's accounts service (client credentials) and search, with a catalogue
//!   built from the original run and fault injection;
//! - [`spotify_playlists`]: Spotify's accounts service (PKCE authorization, token refresh) and
//!   the Web API's playlist endpoints;
//! - [`warehouse`]: a small deterministic warehouse with every stage's tables.
//! - [`discogs`]: collection pages, releases, rate-limit headers and 429s, a generated collection;
//! - [`reccobeats`]: batch audio features that leave unknown IDs out, scripted faults.
//!
//! The Discogs and ReccoBeats fakes log every request in a [`RequestLog`], stamped with a shared
//! [`Clock`] (a [`ManualClock`](crate::fetch::ratelimit::ManualClock) shows rate-limited traffic in
//! virtual time); [`tracks_table`] builds a spine-shaped `tracks` table for tests.

pub mod discogs;
pub mod reccobeats;
pub mod spotify;
pub mod spotify_playlists;
pub mod warehouse;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::fetch::ratelimit::Clock;

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// When it arrived, on the fake's clock.
    pub at: Duration,
    pub method: String,
    pub path: String,
    /// The raw query string (`page=2&per_page=100`).
    pub query: String,
    /// The status the fake answered.
    pub status: u16,
    /// Whether the request carried the expected credentials (always true when none are expected).
    pub authorized: bool,
    pub user_agent: Option<String>,
}

/// The requests a fake received, in order.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<LoggedRequest>>>);

impl RequestLog {
    pub fn push(&self, r: LoggedRequest) {
        self.0.lock().unwrap().push(r);
    }
    /// A copy of every logged request so far.
    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.0.lock().unwrap().clone()
    }
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// A running fake: where it listens, and how to stop it (dropping the handle stops it too).
pub struct Server {
    pub base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    /// Binds `router` to 127.0.0.1 on a free port and serves it on the current tokio runtime.
    pub async fn spawn(router: axum::Router) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Server { base_url: format!("http://{addr}"), shutdown: Some(tx) })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The clock a fake stamps its log with: shared with the client under test.
pub type SharedClock = Arc<dyn Clock>;

/// Creates a `tracks` table shaped like the spine's (track_id, artist, artist_clean,
/// album_artist, is_compilation, title, album, duration_ms) from a flat `my_tracks.csv`, for
/// tests and benches that match without running a whole build. `limit`: the first n rows.
pub fn tracks_table(conn: &duckdb::Connection, my_tracks_csv: &std::path::Path, limit: Option<usize>) -> duckdb::Result<()> {
    let path = my_tracks_csv.display().to_string().replace('\'', "''");
    let limit = limit.map(|n| format!("LIMIT {n}")).unwrap_or_default();
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TABLE tracks AS
         SELECT track_id, artist, regexp_replace(artist, ' \\(\\d+\\)$', '') AS artist_clean, artist AS album_artist,
                lower(artist) IN ('various', 'various artists') AS is_compilation, title, album, NULL::BIGINT AS duration_ms
         FROM (SELECT * FROM read_csv('{path}', header = true, all_varchar = true) {limit})"
    ))
}
