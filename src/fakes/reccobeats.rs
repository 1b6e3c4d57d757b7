//! A fake ReccoBeats API: `GET /v1/audio-features?ids=…` answering `{"content": [...]}` with
//! the items it knows, in its own order (reversed, so a client mapping by position fails),
//! unknown IDs silently left out, and at most [`Options::max_batch`] IDs read per request
//! (extras dropped, like the real API).
//!
//! [`Features`] is one track's values; [`start`] serves a map Spotify ID → features through
//! [`super::serve`]; [`FakeReccoBeats`] is the handle (a [`FakeServer`] over [`ReccoBeats`]),
//! with [`Fault`]s scripted per request number (429 with `Retry-After`, 500, malformed JSON).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::{FakeServer, SharedClock, serve};

/// One track's audio features as ReccoBeats gives them (no time signature).
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub acousticness: f64,
    pub danceability: f64,
    pub energy: f64,
    pub instrumentalness: f64,
    pub key: i64,
    pub liveness: f64,
    pub loudness: f64,
    pub mode: i64,
    pub speechiness: f64,
    pub tempo: f64,
    pub valence: f64,
}

/// Something to go wrong on a given request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 with `Retry-After: seconds`.
    TooManyRequests { retry_after: u64 },
    /// 500 with an error body.
    ServerError,
    /// 200 with a body that is not JSON.
    Malformed,
}

#[derive(Clone)]
pub struct Options {
    /// IDs read per request; the rest are dropped silently (ReccoBeats: 40, per third parties).
    pub max_batch: usize,
    pub clock: SharedClock,
}

/// The fake ReccoBeats' state and controls (what [`FakeReccoBeats`] derefs to).
pub struct ReccoBeats {
    opts: Options,
    known: HashMap<String, Features>,
    /// Requests received so far (the number faults are scripted by).
    received: AtomicUsize,
    /// Faults by 1-based request number.
    faults: Mutex<HashMap<usize, Fault>>,
}

/// A running fake ReccoBeats.
pub type FakeReccoBeats = FakeServer<ReccoBeats>;

/// Starts the fake on 127.0.0.1, through [`super::serve`] (the log on `opts.clock`).
pub fn start(known: HashMap<String, Features>, opts: Options) -> std::io::Result<FakeReccoBeats> {
    let clock = opts.clock.clone();
    let shared = Arc::new(ReccoBeats { opts, known, received: AtomicUsize::new(0), faults: Mutex::new(HashMap::new()) });
    let router = Router::new().route("/v1/audio-features", get(audio_features)).with_state(shared.clone());
    serve(router, shared, clock)
}

impl ReccoBeats {
    /// Makes request number `n` (1-based, counting every request the fake receives) fail.
    pub fn fault_on(&self, n: usize, fault: Fault) {
        self.faults.lock().unwrap().insert(n, fault);
    }
    /// The features the fake serves for `spotify_id`.
    pub fn features(&self, spotify_id: &str) -> Option<&Features> {
        self.known.get(spotify_id)
    }
}

/// A stable fake ReccoBeats UUID for a Spotify ID.
fn uuid_for(spotify_id: &str) -> String {
    let h = spotify_id.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
    format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", h >> 32, (h >> 16) & 0xffff, h & 0xfff, (h >> 20) & 0xfff, h & 0xffff_ffff_ffff)
}

fn item(spotify_id: &str, f: &Features) -> Value {
    json!({
        "id": uuid_for(spotify_id),
        "href": format!("https://open.spotify.com/track/{spotify_id}"),
        "isrc": format!("FR{:010}", spotify_id.len() * 1_000_003 % 10_000_000_000),
        "acousticness": f.acousticness,
        "danceability": f.danceability,
        "energy": f.energy,
        "instrumentalness": f.instrumentalness,
        "key": f.key,
        "liveness": f.liveness,
        "loudness": f.loudness,
        "mode": f.mode,
        "speechiness": f.speechiness,
        "tempo": f.tempo,
        "valence": f.valence,
    })
}

async fn audio_features(State(s): State<Arc<ReccoBeats>>, RawQuery(query): RawQuery) -> Response {
    let n = s.received.fetch_add(1, Ordering::SeqCst) + 1;
    let fault = s.faults.lock().unwrap().remove(&n);
    let status = match &fault {
        Some(Fault::TooManyRequests { .. }) => StatusCode::TOO_MANY_REQUESTS,
        Some(Fault::ServerError) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    };
    match fault {
        Some(Fault::TooManyRequests { retry_after }) => {
            let mut h = HeaderMap::new();
            h.insert("retry-after", HeaderValue::from_str(&retry_after.to_string()).unwrap());
            return (status, h, axum::Json(json!({"timestamp": "2026-11-28T00:00:00Z", "error": 4291, "message": "Too many requests"}))).into_response();
        }
        Some(Fault::ServerError) => {
            return (status, axum::Json(json!({"timestamp": "2026-11-28T00:00:00Z", "error": 5000, "message": "Internal server error"}))).into_response();
        }
        Some(Fault::Malformed) => {
            return (StatusCode::OK, [("content-type", "application/json")], "{\"content\": [{\"id\": \"0f1e\", \"href\": ").into_response();
        }
        None => {}
    }
    // `ids=a,b,c` or `ids=a&ids=b`.
    let ids: Vec<String> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k == "ids")
        .flat_map(|(_, v)| v.replace("%2C", ",").replace("%2c", ",").split(',').map(String::from).collect::<Vec<_>>())
        .filter(|v| !v.is_empty())
        .collect();
    if ids.is_empty() {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"timestamp": "2026-11-28T00:00:00Z", "error": 4001, "message": "Required parameter 'ids' is missing"})))
            .into_response();
    }
    let content: Vec<Value> = ids.iter().take(s.opts.max_batch).rev().filter_map(|id| s.known.get(id).map(|f| item(id, f))).collect();
    (StatusCode::OK, axum::Json(json!({ "content": content }))).into_response()
}
