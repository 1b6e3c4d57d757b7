//! A fake of the Spotify accounts service and of the Web API's playlist endpoints, for tests
//! and benches, served by [`super::serve`].
//!
//! [`start`] returns a [`FakeSpotify`] (a [`FakeServer`] over [`Playlists`]): `base_url`
//! serves `/authorize` (which redirects at once to the `redirect_uri` with a code, as if the
//! user had clicked "Agree") and `/api/token` (authorization_code with the PKCE verifier
//! checked, refresh_token with rotation); `url("/v1")` serves `GET /v1/me`,
//! `POST /v1/me/playlists`, `PUT /v1/playlists/{id}` and `GET|POST|PUT /v1/playlists/{id}/items`
//! with the JSON shapes of the 2026 Web API, plus `GET /v1/me/playlists` (the playlists the user
//! follows), `GET /v1/playlists/{id}/followers/contains` (needs `playlist-read-private`) and
//! `DELETE /v1/playlists/{id}/followers` (unfollow). Items are read at most 50 per request
//! (`limit` above 50 is a 400, as the API documents). On demand: the next requests answer 429
//! with `Retry-After` ([`Playlists::throttle_next`]), every issued access token expires
//! ([`Playlists::expire_access_tokens`]) so calls get 401, a write is applied and then answered
//! 502 ([`Playlists::fail_after_applying`]), and a playlist is unfollowed as the app's "delete"
//! does ([`Playlists::unfollow`]): Spotify has no delete, so it stays there, writable, unfollowed.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{FakeServer, serve};

/// A playlist as the fake holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct FakePlaylist {
    pub id: String,
    pub name: String,
    pub description: String,
    pub public: bool,
    pub owner: String,
    /// Track URIs in playlist order.
    pub items: Vec<String>,
    pub snapshot: u64,
    /// Whether the user still follows it (removing a playlist in the app only unfollows it).
    pub followed: bool,
}

/// What the fake saw, for assertions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// `POST /v1/me/playlists` that created a playlist.
    pub playlists_created: u64,
    /// `POST /v1/playlists/{id}/items` that succeeded.
    pub items_posts: u64,
    /// `PUT /v1/playlists/{id}/items` that succeeded.
    pub items_puts: u64,
    /// Largest number of URIs seen in one items request.
    pub max_uris_per_request: usize,
    /// Codes exchanged (`grant_type=authorization_code`).
    pub code_grants: u64,
    /// Refreshes (`grant_type=refresh_token`) that succeeded.
    pub refresh_grants: u64,
    /// 401 answers given for an expired or unknown access token.
    pub unauthorized: u64,
    /// 429 answers given.
    pub throttled: u64,
    /// Requests refused for a bad PKCE verifier, redirect URI or reused refresh token.
    pub bad_grants: u64,
    /// Writes applied and then answered 502 (see [`Playlists::fail_after_applying`]).
    pub failed_after_apply: u64,
    /// `DELETE /v1/playlists/{id}/followers` that unfollowed a playlist.
    pub unfollows: u64,
}

struct PendingCode {
    challenge: String,
    redirect_uri: String,
    scope: String,
}

#[derive(Default)]
struct Inner {
    client_id: String,
    user: String,
    codes: HashMap<String, PendingCode>,
    /// Access token → still valid.
    access: HashMap<String, bool>,
    /// Access token → its scopes; refresh token → the scopes it renews.
    scopes: HashMap<String, String>,
    refresh_scopes: HashMap<String, String>,
    /// Writes (method, path suffix) to apply and then answer 502, next first.
    fail_after: Vec<(String, String)>,
    refresh: HashSet<String>,
    playlists: Vec<FakePlaylist>,
    stats: Stats,
    throttle: u32,
    retry_after: u64,
    next_id: u64,
    expires_in: u64,
}

impl Inner {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        // Base-62-looking IDs, 22 characters like Spotify's.
        format!("{prefix}{:0>width$}", self.next_id, width = 22 - prefix.len())
    }
}

/// The fake's state and controls (what [`FakeSpotify`] derefs to).
pub struct Playlists(Mutex<Inner>);

type Shared = Arc<Playlists>;

/// A running fake Spotify (accounts + playlists): `base_url` is the accounts base
/// (`/authorize`, `/api/token`), `url("/v1")` the Web API base.
pub type FakeSpotify = FakeServer<Playlists>;

impl Playlists {
    fn lock(&self) -> std::sync::LockResult<std::sync::MutexGuard<'_, Inner>> {
        self.0.lock()
    }
    /// The user's playlists, in creation order.
    pub fn playlists(&self) -> Vec<FakePlaylist> {
        self.lock().unwrap().playlists.clone()
    }
    pub fn stats(&self) -> Stats {
        self.lock().unwrap().stats.clone()
    }
    /// The next `n` requests (any endpoint) answer 429 with `Retry-After: seconds`.
    pub fn throttle_next(&self, n: u32, seconds: u64) {
        let mut s = self.lock().unwrap();
        s.throttle = n;
        s.retry_after = seconds;
    }
    /// Every access token issued so far expires: API calls with it answer 401.
    pub fn expire_access_tokens(&self) {
        for v in self.lock().unwrap().access.values_mut() {
            *v = false;
        }
    }
    /// `expires_in` of the tokens issued from now on (default 3600).
    pub fn set_expires_in(&self, seconds: u64) {
        self.lock().unwrap().expires_in = seconds;
    }
    /// Removes a playlist for good (as no user can: a 404 from then on).
    pub fn delete_playlist(&self, id: &str) {
        self.lock().unwrap().playlists.retain(|p| p.id != id);
    }
    /// What the app's "Delete" does: the user no longer follows the playlist; it stays, writable.
    pub fn unfollow(&self, id: &str) {
        for p in self.lock().unwrap().playlists.iter_mut().filter(|p| p.id == id) {
            p.followed = false;
        }
    }
    /// The next `method` request whose path ends with `suffix` is applied, then answered 502
    /// (a gateway that lost the answer).
    pub fn fail_after_applying(&self, method: &str, suffix: &str) {
        self.lock().unwrap().fail_after.push((method.to_string(), suffix.to_string()));
    }
}

/// After a write was applied: 502 when one was asked for this request.
fn fail_after_apply(s: &mut Inner, method: &str, path: &str) -> Option<Response> {
    let i = s.fail_after.iter().position(|(m, suffix)| m == method && path.ends_with(suffix.as_str()))?;
    s.fail_after.remove(i);
    s.stats.failed_after_apply += 1;
    Some(api_error(StatusCode::BAD_GATEWAY, "Bad gateway"))
}

/// The bearer token of a request.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

/// Starts the fake for an app with `client_id`, logged in as user `fakeuser`, through
/// [`super::serve`] (the log on the real clock).
pub fn start(client_id: &str) -> std::io::Result<FakeSpotify> {
    let inner: Shared = Arc::new(Playlists(Mutex::new(Inner {
        client_id: client_id.to_string(),
        user: "fakeuser".into(),
        expires_in: 3600,
        retry_after: 1,
        ..Inner::default()
    })));
    serve(router(inner.clone()), inner, super::system_clock())
}

fn router(inner: Shared) -> Router {
    Router::new()
        .route("/authorize", get(authorize))
        .route("/api/token", post(token))
        .route("/v1/me", get(me))
        .route("/v1/me/playlists", post(create_playlist).get(my_playlists))
        .route("/v1/playlists/{id}", put(change_details))
        .route("/v1/playlists/{id}/followers/contains", get(follows))
        .route("/v1/playlists/{id}/followers", axum::routing::delete(unfollow))
        .route("/v1/playlists/{id}/items", get(get_items).post(add_items).put(replace_items))
        .with_state(inner)
}

fn api_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": {"status": status.as_u16(), "message": message}}))).into_response()
}

fn oauth_error(error: &str, description: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": error, "error_description": description}))).into_response()
}

/// 429 when throttling is on.
fn throttled(s: &mut Inner) -> Option<Response> {
    if s.throttle > 0 {
        s.throttle -= 1;
        s.stats.throttled += 1;
        let mut r = api_error(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded");
        r.headers_mut().insert(header::RETRY_AFTER, s.retry_after.to_string().parse().unwrap());
        return Some(r);
    }
    None
}

/// Throttling, then the bearer token: `Err` is the answer to give.
fn guard(s: &mut Inner, headers: &HeaderMap) -> Result<(), Response> {
    if let Some(r) = throttled(s) {
        return Err(r);
    }
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match token.and_then(|t| s.access.get(t)) {
        Some(true) => Ok(()),
        Some(false) => {
            s.stats.unauthorized += 1;
            Err(api_error(StatusCode::UNAUTHORIZED, "The access token expired"))
        }
        None => {
            s.stats.unauthorized += 1;
            Err(api_error(StatusCode::UNAUTHORIZED, if token.is_some() { "Invalid access token" } else { "No token provided" }))
        }
    }
}

async fn authorize(State(inner): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut s = inner.lock().unwrap();
    let Some(redirect) = q.get("redirect_uri").cloned() else {
        return (StatusCode::BAD_REQUEST, "INVALID_CLIENT: Invalid redirect URI").into_response();
    };
    if !(redirect.starts_with("http://127.0.0.1:") || redirect.starts_with("http://[::1]:") || redirect.starts_with("https://")) {
        return (StatusCode::BAD_REQUEST, "INVALID_CLIENT: Insecure redirect URI").into_response();
    }
    if q.get("client_id") != Some(&s.client_id) {
        return (StatusCode::BAD_REQUEST, "INVALID_CLIENT: Invalid client").into_response();
    }
    let state = q.get("state").cloned().unwrap_or_default();
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let location = if q.get("response_type").map(String::as_str) != Some("code")
        || q.get("code_challenge_method").map(String::as_str) != Some("S256")
        || q.get("code_challenge").is_none_or(|c| c.len() != 43)
    {
        format!("{redirect}{sep}error=invalid_request&state={state}")
    } else {
        let code = s.fresh("code");
        let pending = PendingCode {
            challenge: q["code_challenge"].clone(),
            redirect_uri: redirect.clone(),
            scope: q.get("scope").cloned().unwrap_or_default(),
        };
        s.codes.insert(code.clone(), pending);
        format!("{redirect}{sep}code={code}&state={state}")
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn issue(s: &mut Inner, scope: &str) -> Value {
    let access = s.fresh("at");
    let refresh = s.fresh("rt");
    s.access.insert(access.clone(), true);
    s.scopes.insert(access.clone(), scope.to_string());
    s.refresh_scopes.insert(refresh.clone(), scope.to_string());
    s.refresh.insert(refresh.clone());
    json!({"access_token": access, "token_type": "Bearer", "scope": scope, "expires_in": s.expires_in, "refresh_token": refresh})
}

async fn token(State(inner): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    let mut s = inner.lock().unwrap();
    if let Some(r) = throttled(&mut s) {
        return r;
    }
    // (Nothing to apply before a 502 here: the token endpoint just fails.)
    if let Some(r) = fail_after_apply(&mut s, "POST", "/api/token") {
        return r;
    }
    if f.get("client_id") != Some(&s.client_id) {
        s.stats.bad_grants += 1;
        return oauth_error("invalid_client", "Invalid client");
    }
    match f.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some(pending) = f.get("code").and_then(|c| s.codes.remove(c)) else {
                s.stats.bad_grants += 1;
                return oauth_error("invalid_grant", "Invalid authorization code");
            };
            if f.get("redirect_uri") != Some(&pending.redirect_uri) {
                s.stats.bad_grants += 1;
                return oauth_error("invalid_grant", "Invalid redirect URI");
            }
            let verifier = f.get("code_verifier").cloned().unwrap_or_default();
            let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if challenge != pending.challenge {
                s.stats.bad_grants += 1;
                return oauth_error("invalid_grant", "code_verifier was incorrect");
            }
            s.stats.code_grants += 1;
            let body = issue(&mut s, &pending.scope);
            Json(body).into_response()
        }
        Some("refresh_token") => {
            let Some(rt) = f.get("refresh_token") else {
                s.stats.bad_grants += 1;
                return oauth_error("invalid_request", "refresh_token must be supplied");
            };
            // Refresh tokens rotate: each one works once.
            if !s.refresh.remove(rt) {
                s.stats.bad_grants += 1;
                return oauth_error("invalid_grant", "Refresh token revoked");
            }
            s.stats.refresh_grants += 1;
            // A refreshed token keeps the scopes of the grant.
            let scope = s.refresh_scopes.remove(rt).unwrap_or_default();
            let body = issue(&mut s, &scope);
            Json(body).into_response()
        }
        _ => {
            s.stats.bad_grants += 1;
            oauth_error("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
        }
    }
}

fn user_json(base: &str, user: &str) -> Value {
    json!({
        "id": user, "account_id": format!("acct-{user}"), "display_name": "Fake User", "type": "user",
        "uri": format!("spotify:user:{user}"), "href": format!("{base}/v1/users/{user}"),
        "external_urls": {"spotify": format!("https://open.spotify.com/user/{user}")},
        "images": [], "followers": {"href": null, "total": 0}
    })
}

async fn me(State(inner): State<Shared>, headers: HeaderMap) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    Json(user_json("https://api.spotify.com", &s.user)).into_response()
}

fn playlist_json(p: &FakePlaylist) -> Value {
    json!({
        "collaborative": false, "description": p.description, "public": p.public,
        "external_urls": {"spotify": format!("https://open.spotify.com/playlist/{}", p.id)},
        "href": format!("https://api.spotify.com/v1/playlists/{}", p.id), "id": p.id, "images": [],
        "name": p.name, "owner": user_json("https://api.spotify.com", &p.owner),
        "snapshot_id": format!("snap{}", p.snapshot),
        "items": {"href": format!("https://api.spotify.com/v1/playlists/{}/items", p.id), "total": p.items.len()},
        "type": "playlist", "uri": format!("spotify:playlist:{}", p.id)
    })
}

async fn create_playlist(State(inner): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "Error parsing JSON.");
    };
    let Some(name) = v.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
        return api_error(StatusCode::BAD_REQUEST, "Missing required field: name");
    };
    let id = s.fresh("pl");
    let p = FakePlaylist {
        id,
        name: name.to_string(),
        description: v.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
        public: v.get("public").and_then(Value::as_bool).unwrap_or(true),
        owner: s.user.clone(),
        items: Vec::new(),
        snapshot: 1,
        followed: true,
    };
    s.stats.playlists_created += 1;
    let body = playlist_json(&p);
    s.playlists.push(p);
    if let Some(r) = fail_after_apply(&mut s, "POST", "/me/playlists") {
        return r;
    }
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn change_details(State(inner): State<Shared>, headers: HeaderMap, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "Error parsing JSON.");
    };
    let Some(p) = s.playlists.iter_mut().find(|p| p.id == id) else {
        return api_error(StatusCode::NOT_FOUND, "Resource not found");
    };
    if let Some(n) = v.get("name").and_then(Value::as_str) {
        p.name = n.to_string();
    }
    if let Some(d) = v.get("description").and_then(Value::as_str) {
        p.description = d.to_string();
    }
    if let Some(b) = v.get("public").and_then(Value::as_bool) {
        p.public = b;
    }
    StatusCode::OK.into_response()
}

/// `GET /v1/me/playlists`: the playlists the user follows, paged (limit ≤ 50).
async fn my_playlists(State(inner): State<Shared>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    let limit = q.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return api_error(StatusCode::BAD_REQUEST, "Invalid limit");
    }
    let offset = q.get("offset").and_then(|l| l.parse::<usize>().ok()).unwrap_or(0);
    let followed: Vec<&FakePlaylist> = s.playlists.iter().filter(|p| p.followed).collect();
    let items: Vec<Value> = followed.iter().skip(offset).take(limit).map(|p| playlist_json(p)).collect();
    let next = (offset + limit < followed.len()).then(|| format!("https://api.spotify.com/v1/me/playlists?offset={}&limit={limit}", offset + limit));
    Json(json!({"href": "https://api.spotify.com/v1/me/playlists", "items": items, "limit": limit, "next": next, "offset": offset, "previous": null, "total": followed.len()}))
        .into_response()
}

/// `GET /v1/playlists/{id}/followers/contains?ids=USER`: `[true]` or `[false]`; needs
/// `playlist-read-private` for a private playlist.
async fn follows(State(inner): State<Shared>, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    let scope = bearer(&headers).and_then(|t| s.scopes.get(t)).cloned().unwrap_or_default();
    let Some(p) = s.playlists.iter().find(|p| p.id == id) else {
        return api_error(StatusCode::NOT_FOUND, "Resource not found");
    };
    if !p.public && !scope.split(' ').any(|x| x == "playlist-read-private") {
        return api_error(StatusCode::FORBIDDEN, "Insufficient client scope");
    }
    let user = q.get("ids").cloned().unwrap_or_default();
    Json(json!([p.followed && user == s.user])).into_response()
}

/// `DELETE /v1/playlists/{id}/followers`: the user unfollows the playlist.
async fn unfollow(State(inner): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    let Some(p) = s.playlists.iter_mut().find(|p| p.id == id) else {
        return api_error(StatusCode::NOT_FOUND, "Resource not found");
    };
    p.followed = false;
    s.stats.unfollows += 1;
    StatusCode::OK.into_response()
}

async fn get_items(State(inner): State<Shared>, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    let Some(p) = s.playlists.iter().find(|p| p.id == id) else {
        return api_error(StatusCode::NOT_FOUND, "Resource not found");
    };
    let limit = q.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(50);
    if !(1..=50).contains(&limit) {
        return api_error(StatusCode::BAD_REQUEST, "Invalid limit: the maximum is 50");
    }
    let offset = q.get("offset").and_then(|l| l.parse::<usize>().ok()).unwrap_or(0);
    let href = |o: usize| format!("https://api.spotify.com/v1/playlists/{id}/items?offset={o}&limit={limit}");
    let items: Vec<Value> = p
        .items
        .iter()
        .skip(offset)
        .take(limit)
        .map(|uri| {
            let tid = uri.rsplit(':').next().unwrap_or_default();
            json!({"added_at": "2026-11-28T00:00:00Z", "added_by": {"id": p.owner, "type": "user"}, "is_local": false,
                   "item": {"id": tid, "uri": uri, "type": "track", "name": format!("Track {tid}"), "duration_ms": 200000,
                            "href": format!("https://api.spotify.com/v1/tracks/{tid}")}})
        })
        .collect();
    let total = p.items.len();
    let next = (offset + limit < total).then(|| href(offset + limit));
    let previous = (offset > 0).then(|| href(offset.saturating_sub(limit)));
    Json(json!({"href": href(offset), "items": items, "limit": limit, "next": next, "offset": offset, "previous": previous, "total": total}))
        .into_response()
}

/// The `uris` of an items request: ≤ 100 `spotify:track:` URIs.
fn uris_of(s: &mut Inner, body: &[u8]) -> Result<(Vec<String>, Option<usize>), Response> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Err(api_error(StatusCode::BAD_REQUEST, "Error parsing JSON."));
    };
    let Some(list) = v.get("uris").and_then(Value::as_array) else {
        return Err(api_error(StatusCode::BAD_REQUEST, "Missing required field: uris"));
    };
    if list.len() > 100 {
        return Err(api_error(StatusCode::BAD_REQUEST, "You can add a maximum of 100 tracks per request."));
    }
    let mut uris = Vec::new();
    for u in list {
        match u.as_str() {
            Some(u) if u.starts_with("spotify:track:") && u.len() > "spotify:track:".len() => uris.push(u.to_string()),
            _ => return Err(api_error(StatusCode::BAD_REQUEST, "Invalid track uri")),
        }
    }
    s.stats.max_uris_per_request = s.stats.max_uris_per_request.max(uris.len());
    Ok((uris, v.get("position").and_then(Value::as_u64).map(|p| p as usize)))
}

async fn add_items(State(inner): State<Shared>, headers: HeaderMap, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    let (uris, position) = match uris_of(&mut s, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(p) = s.playlists.iter_mut().find(|p| p.id == id) else {
        return api_error(StatusCode::NOT_FOUND, "Resource not found");
    };
    let at = position.unwrap_or(p.items.len()).min(p.items.len());
    p.items.splice(at..at, uris);
    p.snapshot += 1;
    let snap = format!("snap{}", p.snapshot);
    s.stats.items_posts += 1;
    if let Some(r) = fail_after_apply(&mut s, "POST", "/items") {
        return r;
    }
    (StatusCode::CREATED, Json(json!({"snapshot_id": snap}))).into_response()
}

async fn replace_items(State(inner): State<Shared>, headers: HeaderMap, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let mut s = inner.lock().unwrap();
    if let Err(r) = guard(&mut s, &headers) {
        return r;
    }
    let (uris, _) = match uris_of(&mut s, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(p) = s.playlists.iter_mut().find(|p| p.id == id) else {
        return api_error(StatusCode::NOT_FOUND, "Resource not found");
    };
    p.items = uris;
    p.snapshot += 1;
    let snap = format!("snap{}", p.snapshot);
    s.stats.items_puts += 1;
    Json(json!({"snapshot_id": snap})).into_response()
}
