//! A fake Spotify Web API: the client-credentials token endpoint and track search, with the
//! real JSON shapes, field-filter semantics and the failure modes a client must survive.
//!
//! [`start`] serves a [`Catalogue`] through [`super::serve`] and returns a [`FakeSpotify`]
//! (a [`FakeServer`] over [`Search`]): base URL, request log, fault injection ([`Fault`]), a
//! quota, token lifetimes on [`FakeOptions::clock`].
//! [`Catalogue::from_original_run`] builds the catalogue from the original project's matched
//! tracks (`my_tracks_spotify_id.csv`), deterministically (seeded): each track gets its true
//! entry under a realistic name variation (remaster / live suffixes, feat., accents, "The",
//! punctuation, deluxe album names) and confusable distractors (live versions, covers, karaoke
//! and tribute versions, remixes, the same song on another album). [`Catalogue::truth`] keeps
//! the true Spotify ID of every Discogs track (or none when the track is not "on Spotify").
//!
//! Search semantics follow Spotify's: `field:word` or `field:"several words"` (track, artist,
//! album, isrc) must all be found in that field, the other words anywhere; accents, case and
//! punctuation do not matter; `limit` defaults to 5 and above 10 is a 400; results are ordered
//! by popularity, an exact name first.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::{FakeServer, SharedClock, serve};

/// One track of the fake catalogue.
#[derive(Debug, Clone)]
pub struct FakeTrack {
    pub id: String,
    pub name: String,
    pub artists: Vec<String>,
    pub album: String,
    pub duration_ms: i64,
    pub isrc: String,
    pub popularity: u32,
    /// What the generator made it as: `true`, `live`, `cover`, `karaoke`, `tribute`, `remix`,
    /// `other_album`, `absent`.
    pub kind: &'static str,
    tokens: [Vec<String>; 3],
}

impl FakeTrack {
    pub fn new(id: String, name: String, artists: Vec<String>, album: String, duration_ms: i64, popularity: u32, kind: &'static str) -> Self {
        let tokens = [tokens(&name), tokens(&artists.join(" ")), tokens(&album)];
        let isrc = format!("QZ{}", &id[..10.min(id.len())].to_uppercase());
        FakeTrack { id, name, artists, album, duration_ms, isrc, popularity, kind, tokens }
    }
}

/// The searchable tracks and, for each Discogs track, its true ID.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub tracks: Vec<FakeTrack>,
    /// Discogs track_id → the true Spotify ID (None: the track is not in the catalogue).
    pub truth: HashMap<String, Option<String>>,
}

/// Splitmix64: a tiny deterministic generator (the catalogue must not change between runs).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn id(&mut self) -> String {
        const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        (0..22).map(|_| B62[(self.next() % 62) as usize] as char).collect()
    }
}

const FIRST: &[&str] = &["Marcus", "Lena", "DJ", "Nina", "Jules", "Omar", "Clara", "Theo", "Ines", "Victor", "Maya", "Felix", "Rosa", "Ivan", "Zoe", "Kofi"];
const LAST: &[&str] = &["Valente", "Okafor", "Lindqvist", "Moreau", "Hart", "Sato", "Brennan", "Costa", "Novak", "Delacroix", "Reyes", "Fischer", "Quinn", "Adeyemi"];
const COVER: &[&str] = &["The Midnight Covers", "Sofia Lane", "Acoustic Revival", "Lounge Deluxe", "Piano Dreamers", "The Replicas", "Jazz Café Trio", "Nightcore Nation"];
const KARAOKE: &[&str] = &["Karaoke Hits Band", "Sing-Along Stars", "The Karaoke Channel", "Ameritz Karaoke Entertainment"];
const CITIES: &[&str] = &["Wembley", "the Olympia", "Montreux", "Brixton Academy", "Paradiso", "Glastonbury"];
const REMIXERS: &[&str] = &["Boys Noize", "Victor Ruiz", "Popof", "Madben", "Fur Coat", "Pan-Pot", "Thomas Schumacher"];
const COMPILATIONS: &[&str] = &["Now That's What I Call Music", "Ministry of Sound Anthems", "Best of the 80s", "Café del Mar Vol. 7", "Pure Dance Classics"];

impl Catalogue {
    /// Builds the catalogue from `my_tracks_spotify_id.csv` (`album_id,artist,album,track_id,title,spotify_id`).
    pub fn from_original_run(path: &Path, seed: u64) -> std::io::Result<Catalogue> {
        let mut reader = csv::Reader::from_path(path).map_err(std::io::Error::other)?;
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(std::io::Error::other)?;
            rows.push((rec[1].to_string(), rec[2].to_string(), rec[3].to_string(), rec[4].to_string(), rec[5].trim().to_string()));
        }
        Ok(Catalogue::generate(&rows, seed))
    }

    /// Rows: (artist, album, track_id, title, spotify_id or "").
    pub fn generate(rows: &[(String, String, String, String, String)], seed: u64) -> Catalogue {
        let mut rng = Rng(seed);
        let mut cat = Catalogue::default();
        let mut made: HashMap<String, ()> = HashMap::new();
        for (artist, album, track_id, title, spotify_id) in rows {
            let various = matches!(artist.trim().to_lowercase().as_str(), "various" | "various artists");
            let clean_artist = crate::matching::normalize::discogs_clean(artist);
            // Tracks the original never matched are on "Spotify" about half the time.
            let id = if !spotify_id.is_empty() {
                spotify_id.clone()
            } else if rng.f() < if various { 0.6 } else { 0.5 } {
                rng.id()
            } else {
                cat.truth.insert(track_id.clone(), None);
                continue;
            };
            cat.truth.insert(track_id.clone(), Some(id.clone()));
            if made.insert(id.clone(), ()).is_some() {
                continue;
            }
            let performer = if various {
                format!("{} {}", rng.pick(FIRST), rng.pick(LAST))
            } else {
                let mut a = clean_artist.clone();
                let r = rng.f();
                if r < 0.3 && a.starts_with("The ") {
                    a = a[4..].to_string();
                } else if r < 0.4 {
                    a = a.replace(" & ", " and ");
                } else if r < 0.45 {
                    a = deunicode::deunicode(&a);
                }
                a
            };
            let year = 1990 + rng.next() % 35;
            let r = rng.f();
            let name = if r < 0.40 {
                title.clone()
            } else if r < 0.50 {
                format!("{title} - Remastered {year}")
            } else if r < 0.55 {
                format!("{title} - {year} Remaster")
            } else if r < 0.61 {
                format!("{title} (feat. {} {})", rng.pick(FIRST), rng.pick(LAST))
            } else if r < 0.68 {
                title.replace('\'', "’").replace(" & ", " and ")
            } else if r < 0.72 {
                deunicode::deunicode(title)
            } else if r < 0.77 {
                title.to_uppercase()
            } else if r < 0.83 && !title.to_lowercase().contains("mix") {
                format!("{title} - Original Mix")
            } else if r < 0.86 && !title.contains('(') {
                format!("{title} - Radio Edit")
            } else {
                title.clone()
            };
            let r = rng.f();
            let sp_album = if r < 0.15 {
                format!("{album} (Deluxe Edition)")
            } else if r < 0.25 {
                format!("{album} (Remastered {year})")
            } else if r < 0.33 && album.contains(" / ") {
                album.split(" / ").next().unwrap_or(album).to_string()
            } else {
                album.clone()
            };
            let duration = 150_000 + (rng.next() % 270_000) as i64;
            let pop = 20 + (rng.next() % 60) as u32;
            cat.tracks.push(FakeTrack::new(id.clone(), name, vec![performer.clone()], sp_album, duration, pop, "true"));

            let add = |cat: &mut Catalogue, rng: &mut Rng, name: String, artist: String, album: String, kind: &'static str| {
                let id = rng.id();
                let pop = (rng.next() % 100) as u32;
                let d = duration + (rng.next() % 40_000) as i64 - 20_000;
                cat.tracks.push(FakeTrack::new(id, name, vec![artist], album, d, pop, kind));
            };
            if rng.f() < 0.35 {
                let city = rng.pick(CITIES);
                let n = if rng.f() < 0.5 { format!("{title} - Live") } else { format!("{title} (Live at {city})") };
                add(&mut cat, &mut rng, n, performer.clone(), format!("Live at {city}"), "live");
            }
            if rng.f() < 0.35 {
                let by = rng.pick(COVER).to_string();
                let album = format!("{} Covers", rng.pick(&["Indie", "Lounge", "Piano", "Acoustic"]));
                add(&mut cat, &mut rng, title.clone(), by, album, "cover");
            }
            if rng.f() < 0.15 {
                let by = rng.pick(KARAOKE).to_string();
                let n = if rng.f() < 0.5 { format!("{title} (Karaoke Version)") } else { format!("{title} (In the Style of {clean_artist})") };
                add(&mut cat, &mut rng, n, by, "Karaoke Hits".into(), "karaoke");
            }
            if rng.f() < 0.10 {
                add(&mut cat, &mut rng, title.clone(), format!("Tribute to {performer}"), format!("A Tribute to {performer}"), "tribute");
            }
            if rng.f() < 0.20 {
                let n = format!("{title} - {} Remix", rng.pick(REMIXERS));
                add(&mut cat, &mut rng, n, performer.clone(), format!("{album} (Remixes)"), "remix");
            }
            if rng.f() < if various { 0.5 } else { 0.15 } {
                // The same song on another record: the performer's own album, or a compilation.
                let other = if various { format!("{performer} - Greatest Hits") } else { rng.pick(COMPILATIONS).to_string() };
                add(&mut cat, &mut rng, title.clone(), performer.clone(), other, "other_album");
            }
        }
        cat
    }

    /// Writes the catalogue as a CSV a local-catalogue match can read
    /// (`spotify_id,name,artists,album,duration_ms,isrc`).
    pub fn write_csv(&self, path: &Path) -> std::io::Result<()> {
        let mut w = csv::Writer::from_path(path).map_err(std::io::Error::other)?;
        w.write_record(["spotify_id", "name", "artists", "album", "duration_ms", "isrc"]).map_err(std::io::Error::other)?;
        for t in &self.tracks {
            w.write_record([t.id.as_str(), &t.name, &t.artists.join(", "), &t.album, &t.duration_ms.to_string(), &t.isrc]).map_err(std::io::Error::other)?;
        }
        w.flush()
    }

    /// Tracks matching a Spotify query string, in result order.
    pub fn search(&self, q: &str) -> Vec<&FakeTrack> {
        let parsed = parse_query(q);
        let mut hits: Vec<(&FakeTrack, u32)> = self
            .tracks
            .iter()
            .filter(|t| {
                parsed.fields.iter().all(|(field, words)| match field.as_str() {
                    "track" => words.iter().all(|w| t.tokens[0].contains(w)),
                    "artist" => words.iter().all(|w| t.tokens[1].contains(w)),
                    "album" => words.iter().all(|w| t.tokens[2].contains(w)),
                    "isrc" => words.iter().all(|w| t.isrc.eq_ignore_ascii_case(w)),
                    _ => true,
                }) && parsed.free.iter().all(|w| t.tokens.iter().any(|f| f.contains(w)))
            })
            .map(|t| {
                let exact = parsed.fields.iter().any(|(f, w)| f == "track" && *w == t.tokens[0]);
                (t, t.popularity + if exact { 15 } else { 0 })
            })
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
        hits.into_iter().map(|(t, _)| t).collect()
    }
}

/// Lower case, accents folded, split on anything not alphanumeric (apostrophes vanish).
fn tokens(s: &str) -> Vec<String> {
    deunicode::deunicode(s)
        .to_lowercase()
        .replace(['\'', '’'], "")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

struct Parsed {
    fields: Vec<(String, Vec<String>)>,
    free: Vec<String>,
}

/// `artist:"Miles Davis" track:Doxy remaster` → fields and free words.
fn parse_query(q: &str) -> Parsed {
    let mut fields = Vec::new();
    let mut free = Vec::new();
    let mut rest = q.trim();
    while !rest.is_empty() {
        let (term, after) = match rest.find(|c: char| c.is_whitespace() || c == '"') {
            Some(i) if rest.as_bytes()[i] == b'"' => {
                // field:"…" or a bare "…" phrase
                let prefix = &rest[..i];
                let close = rest[i + 1..].find('"').map(|j| i + 1 + j).unwrap_or(rest.len());
                let value = &rest[i + 1..close.min(rest.len())];
                let after = if close < rest.len() { &rest[close + 1..] } else { "" };
                ((prefix.to_string(), value.to_string(), true), after)
            }
            Some(i) => ((rest[..i].to_string(), String::new(), false), &rest[i..]),
            None => ((rest.to_string(), String::new(), false), ""),
        };
        let (prefix, quoted, is_quoted) = term;
        let (field, value) = match prefix.split_once(':') {
            Some((f, v)) if ["track", "artist", "album", "isrc", "year", "genre"].contains(&f.to_lowercase().as_str()) => {
                (Some(f.to_lowercase()), if is_quoted { quoted } else { v.to_string() })
            }
            _ => (None, if is_quoted { format!("{prefix} {quoted}") } else { prefix }),
        };
        let words = tokens(&value);
        match field {
            Some(f) => fields.push((f, words)),
            None => free.extend(words),
        }
        rest = after.trim_start();
    }
    Parsed { fields, free }
}

/// A failure the next search request answers with (queued, one per request).
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 with `Retry-After: secs`.
    RateLimit { retry_after: u64 },
    /// 429 `QUOTA_EXCEEDED` (the quota-exceeded body).
    Quota,
    /// A 5xx status.
    Server(u16),
    /// 200 with a truncated JSON body.
    Malformed,
    /// Expire every token issued so far before answering (so this request gets a 401).
    ExpireTokens,
    /// Answer only after this many milliseconds (a client with a shorter timeout gives up).
    Delay(u64),
}

/// The fake's settings.
#[derive(Clone)]
pub struct FakeOptions {
    pub client_id: String,
    pub client_secret: String,
    /// Lifetime of issued tokens. Default 3600 s.
    pub token_ttl: Duration,
    /// After this many answered searches, every search gets the QUOTA_EXCEEDED 429.
    pub quota_after: Option<u64>,
    /// The clock token lifetimes run on and the log is stamped with (share a
    /// [`ManualClock`](crate::clock::ManualClock) with the client to expire tokens without waiting).
    /// Default: the real clock.
    pub clock: SharedClock,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            client_id: "fake-client-id".into(),
            client_secret: "fake-client-secret".into(),
            token_ttl: Duration::from_secs(3600),
            quota_after: None,
            clock: super::system_clock(),
        }
    }
}

/// The fake Spotify's state and controls (what [`FakeSpotify`] derefs to).
pub struct Search {
    catalogue: Catalogue,
    options: Mutex<FakeOptions>,
    faults: Mutex<VecDeque<Fault>>,
    /// Access token → when it expires, on the options' clock.
    tokens: Mutex<HashMap<String, Duration>>,
    searches_ok: Mutex<u64>,
}

/// A running fake Spotify search: `url("/v1")` is the Web API base (`api.spotify.com/v1`),
/// `base_url` the accounts base (`accounts.spotify.com`).
pub type FakeSpotify = FakeServer<Search>;

impl Search {
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }
    /// Queues faults for the next search requests, one each.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.lock().unwrap().extend(faults);
    }
    pub fn set_quota_after(&self, n: Option<u64>) {
        self.options.lock().unwrap().quota_after = n;
        *self.searches_ok.lock().unwrap() = 0;
    }
    /// Every access token issued so far (tests check none of them is written anywhere).
    pub fn tokens(&self) -> Vec<String> {
        self.tokens.lock().unwrap().keys().cloned().collect()
    }
    fn now(&self) -> Duration {
        self.options.lock().unwrap().clock.now()
    }
}

/// Starts the fake on 127.0.0.1 (a free port), through [`super::serve`].
pub fn start(catalogue: Catalogue, options: FakeOptions) -> std::io::Result<FakeSpotify> {
    let clock = options.clock.clone();
    let state = Arc::new(Search {
        catalogue,
        options: Mutex::new(options),
        faults: Mutex::new(VecDeque::new()),
        tokens: Mutex::new(HashMap::new()),
        searches_ok: Mutex::new(0),
    });
    let router = axum::Router::new().route("/api/token", post(token)).route("/v1/search", get(search)).with_state(state.clone());
    serve(router, state, clock)
}

fn error_body(status: u16, message: &str) -> String {
    json!({"error": {"status": status, "message": message}}).to_string()
}

fn reply(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn token(State(s): State<Arc<Search>>, headers: HeaderMap, body: String) -> Response {
    let (id, secret, ttl) = {
        let o = s.options.lock().unwrap();
        (o.client_id.clone(), o.client_secret.clone(), o.token_ttl)
    };
    use base64::Engine;
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")));
    let auth_ok = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(expected.as_str());
    let grant_ok = body.split('&').any(|kv| kv == "grant_type=client_credentials");
    if !grant_ok {
        return reply(StatusCode::BAD_REQUEST, json!({"error": "unsupported_grant_type"}).to_string());
    }
    if !auth_ok {
        return reply(StatusCode::BAD_REQUEST, json!({"error": "invalid_client", "error_description": "Invalid client"}).to_string());
    }
    let expires = s.now() + ttl;
    let mut tokens = s.tokens.lock().unwrap();
    let token = format!("fake-access-{}-{}", tokens.len() + 1, Rng(tokens.len() as u64 ^ 0x5eed).id());
    tokens.insert(token.clone(), expires);
    reply(StatusCode::OK, json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl.as_secs()}).to_string())
}

async fn search(State(s): State<Arc<Search>>, headers: HeaderMap, Query(params): Query<HashMap<String, String>>) -> Response {
    let q = params.get("q").cloned();
    let limit_raw = params.get("limit").cloned();
    let fault = s.faults.lock().unwrap().pop_front();
    if let Some(Fault::Delay(ms)) = fault {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let Some(Fault::ExpireTokens) = fault {
        for exp in s.tokens.lock().unwrap().values_mut() {
            *exp = Duration::ZERO;
        }
    }
    // Authorization first, as Spotify does.
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::to_string);
    let valid = bearer.as_ref().and_then(|t| s.tokens.lock().unwrap().get(t).copied());
    match valid {
        None => return reply(StatusCode::UNAUTHORIZED, error_body(401, "No token provided")),
        Some(exp) if exp <= s.now() => return reply(StatusCode::UNAUTHORIZED, error_body(401, "The access token expired")),
        Some(_) => {}
    }
    match fault {
        Some(Fault::RateLimit { retry_after }) => {
            return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after.to_string())], error_body(429, "API rate limit exceeded")).into_response();
        }
        Some(Fault::Quota) => return quota_response(),
        Some(Fault::Server(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return reply(status, error_body(code, "Server error"));
        }
        _ => {}
    }
    {
        let quota = s.options.lock().unwrap().quota_after;
        let mut ok = s.searches_ok.lock().unwrap();
        if quota.is_some_and(|n| *ok >= n) {
            drop(ok);
            return quota_response();
        }
        *ok += 1;
    }
    let Some(q) = q.clone().filter(|q| !q.trim().is_empty()) else {
        return reply(StatusCode::BAD_REQUEST, error_body(400, "No search query"));
    };
    if params.get("type").map(String::as_str) != Some("track") {
        return reply(StatusCode::BAD_REQUEST, error_body(400, "Missing or unsupported parameter type"));
    }
    let limit = match limit_raw.as_deref().map(str::parse::<usize>) {
        None => 5,
        Some(Ok(n)) if n <= 10 => n,
        _ => return reply(StatusCode::BAD_REQUEST, error_body(400, "Invalid limit")),
    };
    let offset = match params.get("offset").map(|o| o.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) if n <= 1000 => n,
        _ => return reply(StatusCode::BAD_REQUEST, error_body(400, "Invalid offset")),
    };
    let hits = s.catalogue.search(&q);
    let items: Vec<serde_json::Value> = hits.iter().skip(offset).take(limit).map(|t| track_json(t)).collect();
    let body = json!({"tracks": {
        "href": format!("https://api.spotify.com/v1/search?offset={offset}&limit={limit}&type=track"),
        "limit": limit,
        "next": if offset + limit < hits.len() { json!(format!("https://api.spotify.com/v1/search?offset={}&limit={limit}&type=track", offset + limit)) } else { json!(null) },
        "offset": offset,
        "previous": if offset > 0 { json!("https://api.spotify.com/v1/search") } else { json!(null) },
        "total": hits.len(),
        "items": items,
    }})
    .to_string();
    if let Some(Fault::Malformed) = fault {
        let cut = String::from_utf8_lossy(&body.as_bytes()[..body.len() / 2]).into_owned();
        return reply(StatusCode::OK, cut);
    }
    reply(StatusCode::OK, body)
}

fn quota_response() -> Response {
    let body = json!({"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}).to_string();
    (StatusCode::TOO_MANY_REQUESTS, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn track_json(t: &FakeTrack) -> serde_json::Value {
    let artists: Vec<serde_json::Value> = t
        .artists
        .iter()
        .map(|a| {
            let aid = format!("{:0>22}", a.len());
            json!({"external_urls": {"spotify": format!("https://open.spotify.com/artist/{aid}")}, "href": format!("https://api.spotify.com/v1/artists/{aid}"),
                   "id": aid, "name": a, "type": "artist", "uri": format!("spotify:artist:{aid}")})
        })
        .collect();
    let album_id = format!("{:0>22}", t.album.len());
    json!({
        "album": {"album_type": "album", "total_tracks": 12, "external_urls": {"spotify": format!("https://open.spotify.com/album/{album_id}")},
                  "href": format!("https://api.spotify.com/v1/albums/{album_id}"), "id": album_id, "images": [],
                  "name": t.album, "release_date": "2001-01-01", "release_date_precision": "day", "type": "album",
                  "uri": format!("spotify:album:{album_id}"), "artists": artists.clone()},
        "artists": artists,
        "disc_number": 1,
        "duration_ms": t.duration_ms,
        "explicit": false,
        "external_ids": {"isrc": t.isrc},
        "external_urls": {"spotify": format!("https://open.spotify.com/track/{}", t.id)},
        "href": format!("https://api.spotify.com/v1/tracks/{}", t.id),
        "id": t.id,
        "is_playable": true,
        "name": t.name,
        "preview_url": null,
        "track_number": 1,
        "type": "track",
        "uri": format!("spotify:track:{}", t.id),
        "is_local": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalogue {
        let rows = vec![
            ("The Doors".to_string(), "L.A. Woman".to_string(), "1_A1".to_string(), "Riders On The Storm".to_string(), "AAAAAAAAAAAAAAAAAAAAAA".to_string()),
            ("Various".to_string(), "Soul Hits".to_string(), "2_A1".to_string(), "Sunny".to_string(), "BBBBBBBBBBBBBBBBBBBBBB".to_string()),
        ];
        Catalogue::generate(&rows, 7)
    }

    /// The fake search's `field:` filters need every word in that field, as Spotify's do.
    #[test]
    fn field_filters_need_every_word_in_their_field() {
        let c = cat();
        let hits = c.search("track:\"riders on the storm\" artist:doors");
        assert!(hits.iter().any(|t| t.id == "AAAAAAAAAAAAAAAAAAAAAA"), "{hits:?}");
        assert!(c.search("track:\"riders on the storm\" artist:beatles").is_empty());
        // Unquoted: only the first word is the filter, the rest is free text.
        assert!(c.search("artist:The Doors track:Riders").iter().any(|t| t.id == "AAAAAAAAAAAAAAAAAAAAAA"));
    }

    /// The fake catalogue is the same for a seed, keeps each track's true ID, and credits compilations to a performer.
    #[test]
    fn generation_is_deterministic_and_keeps_the_truth() {
        let (a, b) = (cat(), cat());
        assert_eq!(a.tracks.iter().map(|t| &t.name).collect::<Vec<_>>(), b.tracks.iter().map(|t| &t.name).collect::<Vec<_>>());
        assert_eq!(a.truth["1_A1"].as_deref(), Some("AAAAAAAAAAAAAAAAAAAAAA"));
        // The compilation track is under a real performer, not "Various".
        let sunny = a.tracks.iter().find(|t| t.id == "BBBBBBBBBBBBBBBBBBBBBB").unwrap();
        assert_ne!(sunny.artists[0], "Various");
    }
}
