//! A fake Discogs API: a user's collection (folder 0) and release details, with Discogs'
//! pagination (body `pagination` object and `Link` header), personal-token auth, rate-limit
//! headers and 429s on a moving window, and failures on demand.
//!
//! [`Collection`] is the data: release JSON documents as `GET /releases/{id}` returns them
//! and the collection's items (instance, date added), newest first. [`Collection::generated`]
//! makes a deterministic collection of any size whose first releases are the awkward cases:
//! release [`HEADINGS_RELEASE`] (headings, repeated positions on two discs, index tracks with and
//! without positioned sub-tracks) and [`COMPILATION_RELEASE`] (a "Various" compilation whose
//! tracks carry their own artists, join strings and ` (n)` suffixes). [`start`] serves it
//! through [`super::serve`]; [`FakeDiscogs`] is the handle (a [`FakeServer`] over [`Discogs`]:
//! request log, edits, failures).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::{FakeServer, SharedClock, serve};

/// The release with headings and index tracks in a generated collection.
pub const HEADINGS_RELEASE: u64 = 100_000;
/// The compilation with per-track artists in a generated collection.
pub const COMPILATION_RELEASE: u64 = 100_037;

/// One entry of the collection (a release may be owned twice: two instances).
#[derive(Debug, Clone)]
pub struct Item {
    pub release_id: u64,
    pub instance_id: u64,
    pub date_added: String,
}

/// What the fake serves.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    pub user: String,
    /// `GET /releases/{id}` documents by id.
    pub releases: BTreeMap<u64, Value>,
    /// The collection in the order the API lists it (newest first).
    pub items: Vec<Item>,
}

impl Collection {
    /// A deterministic collection of `n` releases (ids 100000, 100037, … step 37), the first
    /// two being [`HEADINGS_RELEASE`] and [`COMPILATION_RELEASE`]; every tenth other release
    /// is a compilation too.
    pub fn generated(user: &str, n: usize) -> Collection {
        let mut c = Collection { user: user.to_string(), ..Default::default() };
        for i in 0..n {
            let id = 100_000 + 37 * i as u64;
            let release = match i {
                0 => headings_release(id),
                1 => compilation_release(id, 0),
                _ if i % 10 == 1 => compilation_release(id, i),
                _ => album_release(id, i),
            };
            c.releases.insert(id, release);
            // Newest first: the last generated was added last.
            let day = (n - i) as u64;
            c.items.push(Item { release_id: id, instance_id: 9_000_000 + i as u64, date_added: date(day) });
        }
        c.items.reverse();
        c
    }

    /// Adds a release to the collection (newest first).
    pub fn add(&mut self, release: Value, instance_id: u64) {
        let id = release["id"].as_u64().expect("release id");
        self.releases.insert(id, release);
        self.items.insert(0, Item { release_id: id, instance_id, date_added: date(10_000 + instance_id % 1000) });
    }
}

fn date(day: u64) -> String {
    // 2015-01-01 plus `day` days, written like Discogs (`2020-11-12T12:24:52-08:00`).
    let (mut y, mut d) = (2015u64, day);
    loop {
        let len = if y % 4 == 0 { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let months = [31, if y % 4 == 0 { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!("{y}-{:02}-{:02}T12:{:02}:{:02}-08:00", m + 1, d + 1, day % 60, (day * 7) % 60)
}

const WORDS: [&str; 16] = [
    "Nuit", "Soleil", "Brume", "Orage", "Velours", "Néon", "Marée", "Echo", "Sable", "Glace", "Aurore", "Fièvre", "L'Horizon", "Cendre", "Lumière", "Jardin",
];

fn words(seed: usize, k: usize) -> String {
    (0..k).map(|j| WORDS[(seed * 7 + j * 5 + seed / 3) % WORDS.len()]).collect::<Vec<_>>().join(" ")
}

fn artist(name: &str, id: u64, join: &str) -> Value {
    json!({
        "name": name, "anv": "", "join": join, "role": "", "tracks": "", "id": id,
        "resource_url": format!("https://api.discogs.com/artists/{id}"),
    })
}

fn track(position: &str, title: &str, duration: &str) -> Value {
    json!({"position": position, "type_": "track", "title": title, "duration": duration})
}

fn heading(title: &str) -> Value {
    json!({"position": "", "type_": "heading", "title": title, "duration": ""})
}

fn duration(seed: usize) -> String {
    if seed % 9 == 4 { String::new() } else { format!("{}:{:02}", 2 + seed % 6, (seed * 13) % 60) }
}

fn release(id: u64, title: &str, artists: Vec<Value>, year: i64, tracklist: Vec<Value>, seed: usize) -> Value {
    let artists_sort = artists.iter().map(|a| a["name"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>().join(", ");
    let master_id = if seed % 5 == 3 { 0 } else { 2_000_000 + id };
    let country = ["France", "UK", "US", "Germany", "Europe"][seed % 5];
    json!({
        "id": id,
        "status": "Accepted",
        "year": year,
        "resource_url": format!("https://api.discogs.com/releases/{id}"),
        "uri": format!("https://www.discogs.com/release/{id}"),
        "artists": artists,
        "artists_sort": artists_sort,
        "labels": [
            {"name": format!("Label {} (2)", seed % 13), "catno": format!("LBL {seed}"), "entity_type": "1", "entity_type_name": "Label", "id": 500 + seed % 13,
             "resource_url": format!("https://api.discogs.com/labels/{}", 500 + seed % 13)},
            {"name": "Disques Nuit", "catno": "none", "entity_type": "1", "entity_type_name": "Label", "id": 777,
             "resource_url": "https://api.discogs.com/labels/777"}
        ],
        "series": [],
        "companies": [],
        "formats": [{"name": "Vinyl", "qty": "1", "descriptions": ["LP", "Album"]}],
        "data_quality": "Needs Vote",
        "community": {"have": 100 + seed, "want": 50 + seed % 17, "rating": {"count": 10, "average": 4.2}},
        "format_quantity": 1,
        "date_added": "2012-03-04T05:06:07-08:00",
        "date_changed": "2024-01-02T03:04:05-08:00",
        "num_for_sale": 3,
        "lowest_price": 12.5,
        "master_id": master_id,
        "master_url": if master_id == 0 { Value::Null } else { json!(format!("https://api.discogs.com/masters/{master_id}")) },
        "title": title,
        "country": country,
        "released": format!("{year}"),
        "notes": "",
        "released_formatted": format!("{year}"),
        "identifiers": [{"type": "Barcode", "value": format!("3 700000 {seed:06}")}],
        "videos": [],
        "genres": if seed % 3 == 0 { json!(["Electronic"]) } else { json!(["Electronic", "Funk / Soul"]) },
        "styles": if seed % 2 == 0 { json!(["Techno", "Tech House"]) } else { json!(["Disco"]) },
        "tracklist": tracklist,
        "extraartists": [],
        "images": [],
        "thumb": "",
        "estimated_weight": 230,
        "blocked_from_sale": false
    })
}

/// A plain album: 4–10 tracks on sides A and B.
fn album_release(id: u64, seed: usize) -> Value {
    let n = 4 + seed % 7;
    let tracks = (0..n)
        .map(|k| {
            let side = if k < n / 2 { "A" } else { "B" };
            let num = if k < n / 2 { k + 1 } else { k + 1 - n / 2 };
            track(&format!("{side}{num}"), &words(seed + k, 2), &duration(seed + k))
        })
        .collect();
    let name = format!("{} ({})", words(seed, 1), 1 + seed % 4);
    release(id, &words(seed + 3, 2), vec![artist(&name, 10_000 + seed as u64, "")], 1970 + (seed % 50) as i64, tracks, seed)
}

/// A compilation ("Various") whose tracks carry their own artists.
fn compilation_release(id: u64, seed: usize) -> Value {
    let mut tracks = Vec::new();
    for k in 0..6 {
        let mut t = track(&format!("{}{}", if k < 3 { "A" } else { "B" }, k % 3 + 1), &words(seed + k + 11, 2), &duration(seed + k));
        let artists = match k {
            0 => vec![artist("Nihil (5)", 61, "Feat."), artist("Human Records (2)", 62, "")],
            1 => vec![artist("Les Ondes", 63, ","), artist("Cassius", 64, "&"), artist("Nova (2)", 65, "")],
            _ => vec![artist(&format!("{} {}", words(seed + k, 1), k), 70 + k as u64, "")],
        };
        t["artists"] = Value::Array(artists);
        tracks.push(t);
    }
    release(id, &format!("Compilation {}", words(seed, 2)), vec![artist("Various", 194, "")], 1990 + (seed % 30) as i64, tracks, seed)
}

/// Two discs under headings with repeated positions, and three kinds of index tracks.
fn headings_release(id: u64) -> Value {
    let mut index_positioned = json!({"position": "", "type_": "index", "title": "Suite Nuit", "duration": ""});
    index_positioned["sub_tracks"] = json!([track("A3", "Nuit I", "3:01"), track("A4", "Nuit II", "4:02")]);
    let mut index_medley = json!({"position": "B3", "type_": "index", "title": "Medley", "duration": "6:30"});
    index_medley["sub_tracks"] = json!([track("", "Brume", ""), track("", "Orage", "")]);
    let mut index_parts = json!({"position": "B4", "type_": "index", "title": "Velours", "duration": ""});
    index_parts["sub_tracks"] = json!([track("B4a", "Velours (Part 1)", "2:00"), track("B4b", "Velours (Part 2)", "2:10")]);
    let tracks = vec![
        heading("Disque 1"),
        track("A1", "Foxxy", "5:12"),
        track("A2", "Dub Tool", "4:48"),
        index_positioned,
        heading("Disque 2"),
        track("A1", "Foxxy (Reprise)", "5:13"),
        track("A2", "Dub Tool (Reprise)", "4:49"),
        index_medley,
        index_parts,
    ];
    release(id, "1999 DJ Tool", vec![artist("Cassius", 64, "")], 1999, tracks, 0)
}

/// The collection entry's `basic_information`, as the collection endpoint gives it.
pub fn basic_information(release: &Value) -> Value {
    json!({
        "id": release["id"],
        "master_id": release["master_id"],
        "master_url": release["master_url"],
        "resource_url": release["resource_url"],
        "thumb": "",
        "cover_image": "",
        "title": release["title"],
        "year": release["year"],
        "formats": release["formats"],
        "labels": release["labels"],
        "artists": release["artists"],
        "genres": release["genres"],
        "styles": release["styles"],
    })
}

/// How the fake behaves.
#[derive(Clone)]
pub struct Options {
    /// The personal token a request must carry (`Authorization: Discogs token=…`); `None`: any.
    pub token: Option<String>,
    /// Requests allowed per `window` (Discogs: 60 authenticated).
    pub rate_limit: u32,
    pub window: Duration,
    /// Count a strict window: a request exactly `window` after another still counts with it
    /// (a server whose clock sees our requests late). Default false.
    pub strict_window: bool,
    /// `Retry-After` (seconds) sent with a 429; Discogs' own is unconfirmed, so default none.
    pub retry_after: Option<u64>,
    pub clock: SharedClock,
}

impl Options {
    pub fn new(clock: SharedClock) -> Options {
        Options { token: Some("fake-discogs-token".into()), rate_limit: 60, window: Duration::from_secs(60), retry_after: None, strict_window: false, clock }
    }
}

/// The fake Discogs' state and controls (what [`FakeDiscogs`] derefs to).
pub struct Discogs {
    opts: Options,
    base_url: Mutex<String>,
    data: Mutex<Collection>,
    /// When the requests counted against the limit arrived.
    window: Mutex<VecDeque<Duration>>,
    /// Release requests still answered before every release request fails with 500.
    release_budget: Mutex<Option<usize>>,
}

type Shared = Discogs;

/// A running fake Discogs.
pub type FakeDiscogs = FakeServer<Discogs>;

/// Starts the fake on 127.0.0.1 (port chosen by the system), through [`super::serve`]; the log
/// and the rate-limit window run on `opts.clock`.
pub fn start(data: Collection, opts: Options) -> std::io::Result<FakeDiscogs> {
    let clock = opts.clock.clone();
    let shared = Arc::new(Discogs {
        opts,
        base_url: Mutex::new(String::new()),
        data: Mutex::new(data),
        window: Mutex::new(VecDeque::new()),
        release_budget: Mutex::new(None),
    });
    let router = Router::new()
        .route("/users/{user}/collection/folders/{folder}/releases", get(collection))
        .route("/releases/{id}", get(release_details))
        .fallback(not_found)
        .with_state(shared.clone());
    let server = serve(router, shared.clone(), clock)?;
    *shared.base_url.lock().unwrap() = server.base_url.clone();
    Ok(server)
}

impl Discogs {
    /// From now on, answer `n` more release requests, then 500 to every release request
    /// (an outage that interrupts a fetch).
    pub fn fail_releases_after(&self, n: usize) {
        *self.release_budget.lock().unwrap() = Some(n);
    }
    /// Ends a [`Discogs::fail_releases_after`] outage.
    pub fn heal(&self) {
        *self.release_budget.lock().unwrap() = None;
    }
    /// Changes the served data (add a release, edit one).
    pub fn edit(&self, f: impl FnOnce(&mut Collection)) {
        f(&mut self.data.lock().unwrap());
    }
    /// Counts `n` requests made now by someone else on the same IP (they fill the window).
    pub fn consume_quota(&self, n: usize) {
        let now = self.opts.clock.now();
        self.window.lock().unwrap().extend(std::iter::repeat_n(now, n));
    }
    /// Forgets the rate-limit window (as if a long pause had passed).
    pub fn reset_window(&self) {
        self.window.lock().unwrap().clear();
    }
}

/// Checks auth and the rate limit (the request itself is logged by [`super::serve`]); `Err` is
/// the response to send instead.
fn admit(s: &Shared, headers: &HeaderMap) -> Result<HeaderMap, (StatusCode, HeaderMap, Value)> {
    let now = s.opts.clock.now();
    let authorized = match &s.opts.token {
        None => true,
        Some(t) => headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(format!("Discogs token={t}").as_str()),
    };
    let mut out = HeaderMap::new();
    let mut window = s.window.lock().unwrap();
    let expired = |age: Duration| if s.opts.strict_window { age > s.opts.window } else { age >= s.opts.window };
    while window.front().is_some_and(|&t| expired(now.saturating_sub(t))) {
        window.pop_front();
    }
    let limit = s.opts.rate_limit as usize;
    if window.len() >= limit {
        set(&mut out, "x-discogs-ratelimit", limit);
        set(&mut out, "x-discogs-ratelimit-used", window.len());
        set(&mut out, "x-discogs-ratelimit-remaining", 0);
        if let Some(secs) = s.opts.retry_after {
            set(&mut out, "retry-after", secs);
        }
        return Err((StatusCode::TOO_MANY_REQUESTS, out, json!({"message": "You are making requests too quickly."})));
    }
    window.push_back(now);
    set(&mut out, "x-discogs-ratelimit", limit);
    set(&mut out, "x-discogs-ratelimit-used", window.len());
    set(&mut out, "x-discogs-ratelimit-remaining", limit - window.len());
    if !authorized {
        return Err((StatusCode::UNAUTHORIZED, out, json!({"message": "You must authenticate to access this resource."})));
    }
    Ok(out)
}

fn set(h: &mut HeaderMap, name: &'static str, v: impl ToString) {
    h.insert(name, HeaderValue::from_str(&v.to_string()).unwrap());
}

fn reply(status: StatusCode, headers: HeaderMap, body: Value) -> Response {
    (status, headers, axum::Json(body)).into_response()
}

fn query_param(q: &str, name: &str) -> Option<String> {
    q.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
}

async fn collection(
    State(s): State<Arc<Shared>>,
    Path((user, folder)): Path<(String, u64)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut out = match admit(&s, &headers) {
        Ok(h) => h,
        Err((st, h, body)) => return reply(st, h, body),
    };
    let q = query.unwrap_or_default();
    let data = s.data.lock().unwrap();
    if !user.eq_ignore_ascii_case(&data.user) {
        return reply(StatusCode::NOT_FOUND, out, json!({"message": "User does not exist or may have been deleted."}));
    }
    if folder != 0 {
        return reply(StatusCode::NOT_FOUND, out, json!({"message": "Folder not found."}));
    }
    let per_page = query_param(&q, "per_page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(50).clamp(1, 100);
    let page = query_param(&q, "page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1);
    let items = data.items.len();
    let pages = items.div_ceil(per_page).max(1);
    if page > pages {
        return reply(StatusCode::NOT_FOUND, out, json!({"message": format!("Page {page} is out of range.")}));
    }
    let base = s.base_url.lock().unwrap().clone();
    let url = |p: usize| format!("{base}/users/{}/collection/folders/0/releases?page={p}&per_page={per_page}", data.user);
    let mut urls = serde_json::Map::new();
    let mut links = Vec::new();
    if page > 1 {
        urls.insert("first".into(), json!(url(1)));
        urls.insert("prev".into(), json!(url(page - 1)));
        links.push(format!("<{}>; rel=\"first\"", url(1)));
        links.push(format!("<{}>; rel=\"prev\"", url(page - 1)));
    }
    if page < pages {
        urls.insert("next".into(), json!(url(page + 1)));
        urls.insert("last".into(), json!(url(pages)));
        links.push(format!("<{}>; rel=\"next\"", url(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", url(pages)));
    }
    if !links.is_empty() {
        out.insert("link", HeaderValue::from_str(&links.join(", ")).unwrap());
    }
    let releases: Vec<Value> = data
        .items
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|item| {
            json!({
                "id": item.release_id,
                "instance_id": item.instance_id,
                "date_added": item.date_added,
                "rating": 0,
                "folder_id": 1,
                "basic_information": basic_information(&data.releases[&item.release_id]),
            })
        })
        .collect();
    let body = json!({
        "pagination": {"page": page, "pages": pages, "per_page": per_page, "items": items, "urls": urls},
        "releases": releases,
    });
    reply(StatusCode::OK, out, body)
}

async fn release_details(State(s): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let out = match admit(&s, &headers) {
        Ok(h) => h,
        Err((st, h, body)) => return reply(st, h, body),
    };
    {
        let mut budget = s.release_budget.lock().unwrap();
        if let Some(n) = budget.as_mut() {
            if *n == 0 {
                return reply(StatusCode::INTERNAL_SERVER_ERROR, out, json!({"message": "Internal server error."}));
            }
            *n -= 1;
        }
    }
    let data = s.data.lock().unwrap();
    match id.parse::<u64>().ok().and_then(|id| data.releases.get(&id)) {
        Some(r) => reply(StatusCode::OK, out, r.clone()),
        None => {
            reply(StatusCode::NOT_FOUND, out, json!({"message": "Release not found."}))
        }
    }
}

async fn not_found(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let out = match admit(&s, &headers) {
        Ok(h) => h,
        Err((st, h, body)) => return reply(st, h, body),
    };
    reply(StatusCode::NOT_FOUND, out, json!({"message": "The requested resource was not found."}))
}
