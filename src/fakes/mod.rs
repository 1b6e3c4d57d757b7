//! Fake external services for tests and benches (compiled only with the `fakes` feature, which
//! the crate's dev-dependency on itself turns on; the shipped binary has none of this).
//!
//! One way to run any of them: each service module builds an axum `Router` over its state and
//! hands both to [`serve`], which binds 127.0.0.1 on a free port, serves from a thread of its own
//! (so sync tests, async tests and CLI subprocesses can all talk to it) and returns the one
//! handle type, [`FakeServer`]: its `base_url`, its [`RequestLog`] (every [`Request`]: method,
//! path, query, status, arrival time on the fake's [`Clock`], `Authorization`, `User-Agent`),
//! and its service's controls (the handle derefs to the state). Dropping it stops the server.
//!
//! ```text
//! let fake = selecta::fakes::spotify::start(catalogue, FakeOptions::default())?;
//! fake.push_faults([Fault::RateLimit { retry_after: 1 }]);       // the service's controls
//! let api = fake.url("/v1");                                       // where to point the client
//! assert_eq!(fake.log.count("/v1/search"), 12);                    // what it received
//! ```
//!
//! - [`spotify`]: Spotify's accounts service (client credentials) and search, with a catalogue
//!   built from the original run and fault injection;
//! - [`spotify_playlists`]: Spotify's accounts service (PKCE authorization, token refresh) and
//!   the Web API's playlist endpoints;
//! - [`discogs`]: collection pages, releases, rate-limit headers and 429s, a generated collection;
//! - [`reccobeats`]: batch audio features that leave unknown IDs out, scripted faults;
//! - [`warehouse`]: a small deterministic warehouse with every stage's tables (no server);
//! - [`tracks_table`] builds a spine-shaped `tracks` table for tests.
//!
//! A [`ManualClock`](crate::clock::ManualClock) shared by a fake and the client under test shows
//! rate-limited or token-expiring traffic in virtual time.

pub mod discogs;
pub mod raw_http;
pub mod reccobeats;
pub mod spotify;
pub mod spotify_playlists;
pub mod warehouse;

use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request as HttpRequest, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::clock::{Clock, SystemClock};

/// The clock a fake stamps its log with (and runs its windows and token lifetimes on): shared
/// with the client under test.
pub type SharedClock = Arc<dyn Clock>;

/// The real clock, for fakes whose timing does not matter to the test.
pub fn system_clock() -> SharedClock {
    Arc::new(SystemClock::new())
}

/// One request as a fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// When it arrived, on the fake's clock.
    pub at: Duration,
    pub method: String,
    pub path: String,
    /// The raw query string (`page=2&per_page=100`), percent-encoded as sent.
    pub query: String,
    /// The status the fake answered (0 while it has not answered, or when the client gave up).
    pub status: u16,
    /// The `Authorization` header as sent.
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
}

impl Request {
    /// The first value of query parameter `name`, percent-decoded (`+` is a space).
    pub fn param(&self, name: &str) -> Option<String> {
        self.query.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| decode(k) == name).map(|(_, v)| decode(v))
    }
}

/// `application/x-www-form-urlencoded` decoding (an invalid escape is kept as written).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        match (b[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(h)) => {
                out.push(u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap());
                i += 2;
            }
            (c, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug, Default)]
struct Entries {
    requests: Vec<Request>,
    /// Bumped by [`RequestLog::clear`], so an answer arriving after a clear is not misfiled.
    generation: u64,
}

/// The requests a fake received, in order of arrival.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Entries>>);

impl RequestLog {
    /// A copy of every logged request so far.
    pub fn entries(&self) -> Vec<Request> {
        self.0.lock().unwrap().requests.clone()
    }
    /// The requests to `path` (exact), in order.
    pub fn to(&self, path: &str) -> Vec<Request> {
        self.0.lock().unwrap().requests.iter().filter(|r| r.path == path).cloned().collect()
    }
    /// How many requests went to `path` (exact), answered or not.
    pub fn count(&self, path: &str) -> usize {
        self.0.lock().unwrap().requests.iter().filter(|r| r.path == path).count()
    }
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().requests.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Forgets everything logged so far.
    pub fn clear(&self) {
        let mut e = self.0.lock().unwrap();
        e.requests.clear();
        e.generation += 1;
    }
    fn arrive(&self, r: Request) -> (u64, usize) {
        let mut e = self.0.lock().unwrap();
        e.requests.push(r);
        (e.generation, e.requests.len() - 1)
    }
    fn answer(&self, (generation, index): (u64, usize), status: u16) {
        let mut e = self.0.lock().unwrap();
        if e.generation == generation {
            if let Some(r) = e.requests.get_mut(index) {
                r.status = status;
            }
        }
    }
}

/// A running fake: where it listens, what it received, and (through `Deref`) its service's
/// state and controls. Dropping it stops the server.
pub struct FakeServer<S = ()> {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    pub log: RequestLog,
    state: Arc<S>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<S> FakeServer<S> {
    /// `base_url` + `path` (`fake.url("/v1")`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
    /// The service's state (also reachable through `Deref`).
    pub fn state(&self) -> &S {
        &self.state
    }
}

impl<S> Deref for FakeServer<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.state
    }
}

impl<S> Drop for FakeServer<S> {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Clone)]
struct Recorder {
    log: RequestLog,
    clock: SharedClock,
}

/// Logs every request on arrival and its status once answered.
async fn record(State(rec): State<Recorder>, req: HttpRequest, next: Next) -> Response {
    let slot = {
        // In a block: nothing borrowing `req` (whose body is not `Sync`) may live across the await.
        let header = |name: axum::http::HeaderName| req.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
        rec.log.arrive(Request {
            at: rec.clock.now(),
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().unwrap_or("").to_string(),
            status: 0,
            authorization: header(axum::http::header::AUTHORIZATION),
            user_agent: header(axum::http::header::USER_AGENT),
        })
    };
    let resp = next.run(req).await;
    rec.log.answer(slot, resp.status().as_u16());
    resp
}

/// Serves `router` (already given its state) on 127.0.0.1, a free port, from a thread of its
/// own with a single-threaded tokio runtime; every request is logged with `clock`'s time.
/// `state` is what the handle derefs to (the same `Arc` the router holds).
pub fn serve<S: Send + Sync + 'static>(router: Router, state: Arc<S>, clock: SharedClock) -> std::io::Result<FakeServer<S>> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let log = RequestLog::default();
    let app = router.layer(axum::middleware::from_fn_with_state(Recorder { log: log.clone(), clock }, record));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new().name("fake-server".into()).spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("the fake server's runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("the fake server's listener");
            tokio::select! {
                _ = axum::serve(listener, app) => {}
                _ = rx => {}
            }
        });
    })?;
    Ok(FakeServer { base_url, log, state, shutdown: Some(tx), thread: Some(thread) })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Query parameters come back percent-decoded, `+` as a space, a broken escape as written.
    #[test]
    fn params_are_decoded() {
        let r = Request {
            at: Duration::ZERO,
            method: "GET".into(),
            path: "/v1/search".into(),
            query: "q=track%3A%22riders+on%22%20x&limit=10&bad=%zz%4".into(),
            status: 200,
            authorization: None,
            user_agent: None,
        };
        assert_eq!(r.param("q").as_deref(), Some("track:\"riders on\" x"));
        assert_eq!(r.param("limit").as_deref(), Some("10"));
        assert_eq!(r.param("bad").as_deref(), Some("%zz%4"));
        assert_eq!(r.param("offset"), None);
    }

    /// A served router logs each request with method, path, query, headers and final status,
    /// in arrival order; `clear` empties the log.
    #[test]
    fn serve_logs_every_request() {
        use axum::http::StatusCode;
        let router = Router::new()
            .route("/ok", axum::routing::get(|| async { "fine" }))
            .route("/teapot", axum::routing::post(|| async { StatusCode::IM_A_TEAPOT }));
        let clock = Arc::new(crate::clock::ManualClock::new());
        let fake = serve(router, Arc::new(()), clock.clone()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let c = reqwest::Client::builder().user_agent("probe/1").build().unwrap();
            assert_eq!(c.get(fake.url("/ok?a=1")).bearer_auth("t0k").send().await.unwrap().status(), 200);
            clock.advance(Duration::from_secs(5));
            assert_eq!(c.post(fake.url("/teapot")).send().await.unwrap().status(), 418);
            assert_eq!(c.get(fake.url("/nowhere")).send().await.unwrap().status(), 404);
        });
        let log = fake.log.entries();
        let seen: Vec<(u64, &str, &str, &str, u16)> = log.iter().map(|r| (r.at.as_secs(), r.method.as_str(), r.path.as_str(), r.query.as_str(), r.status)).collect();
        assert_eq!(seen, [(0, "GET", "/ok", "a=1", 200), (5, "POST", "/teapot", "", 418), (5, "GET", "/nowhere", "", 404)]);
        assert_eq!(log[0].authorization.as_deref(), Some("Bearer t0k"));
        assert_eq!(log[0].user_agent.as_deref(), Some("probe/1"));
        assert_eq!((fake.log.count("/ok"), fake.log.to("/teapot").len()), (1, 1));
        fake.log.clear();
        assert!(fake.log.is_empty());
    }
}
