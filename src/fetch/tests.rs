//! Library-level tests of the fetchers against the fake servers of `crate::fakes`, on a manual
//! clock shared by client and server (rate-limited minutes run in milliseconds).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use duckdb::Connection;

use super::discogs::{DiscogsFetcher, Token};
use super::discogs_ingest::load_collection;
use super::ratelimit::max_in_window;
use crate::clock::{Clock, ManualClock};
use crate::http::ClockPacer;
use super::reccobeats::{fetch_features, load_features};
use crate::fakes::discogs::{self as fake_discogs, COMPILATION_RELEASE, Collection, HEADINGS_RELEASE};
use crate::fakes::reccobeats::{self as fake_recco, Fault, Features};

const TOKEN: &str = "fake-discogs-token";

/// An in-memory warehouse with the raw tables, and an in-memory state database attached as `state`.
fn conn() -> Connection {
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch("ATTACH ':memory:' AS state").unwrap();
    c.execute_batch(include_str!("../../sql/ingest/raw_tables.sql")).unwrap();
    c
}

fn count(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn release_requests(log: &[crate::fakes::Request]) -> Vec<String> {
    log.iter().filter(|r| r.path.starts_with("/releases/") && r.status == 200).map(|r| r.path.clone()).collect()
}

/// 600 releases at 60 requests/minute: 6 pages + 600 details, never more than 60 in any 60 s of
/// the server's clock, no 429, every request authenticated with a selecta User-Agent; a rerun asks
/// for the listing only, and an edited release is fetched again.
#[tokio::test]
async fn discogs_600_releases_hold_the_rate_limit() {
    let clock = Arc::new(ManualClock::new());
    let fake = fake_discogs::start(Collection::generated("collector", 600), fake_discogs::Options::new(clock.clone())).unwrap();
    let fetcher = DiscogsFetcher::new(&fake.base_url, Token::new(TOKEN), 60, clock.clone()).unwrap();
    let c = conn();
    let report = fetcher.fetch(&c, "collector", false, false).await.unwrap();
    let log = fake.log.entries();
    assert_eq!(log.len(), 606, "6 pages + 600 releases");
    assert_eq!((report.releases, report.fetched_new, report.cached, report.pages_fetched), (600, 600, 0, 6));
    assert!(log.iter().all(|r| r.status == 200), "no 429: {:?}", log.iter().find(|r| r.status != 200));
    assert!(log.iter().all(|r| r.authorization.as_deref() == Some("Discogs token=fake-discogs-token")));
    assert!(log.iter().all(|r| r.user_agent.as_deref().is_some_and(|ua| ua.starts_with("selecta/"))));
    let times: Vec<Duration> = log.iter().map(|r| r.at).collect();
    assert_eq!(max_in_window(&times, Duration::from_secs(60)), 60);
    // 606 requests at 60/min: the n-th goes out at the start of window n / 60, each window 60 s
    // and the 1 s safety margin long, the last at 610 s.
    assert_eq!(times[605], Duration::from_secs(610), "last request");
    assert_eq!(times[60], Duration::from_secs(61), "the 61st waits for the first to leave the window, and the margin");
    assert!(log[..6].iter().all(|r| r.path == "/users/collector/collection/folders/0/releases" && r.query.contains("per_page=100")));
    eprintln!(
        "600 releases: {} requests over {:.0} virtual s, max {} in any 60 s, held back {:.0} s",
        log.len(),
        times[605].as_secs_f64(),
        max_in_window(&times, Duration::from_secs(60)),
        report.waited.as_secs_f64()
    );

    // Rerun: the listing again (that is how changes show), no details.
    fake.log.clear();
    let again = fetcher.fetch(&c, "collector", false, false).await.unwrap();
    assert_eq!((again.fetched_new, again.fetched_changed, again.cached), (0, 0, 600));
    assert_eq!(fake.log.len(), 6);
    assert_eq!(count(&c, "SELECT count(*) FROM state.discogs_collection_pages"), 6, "older listings are dropped");

    // An edit on Discogs changes the collection entry: that release only is fetched again.
    fake.edit(|col| {
        col.releases.get_mut(&(100_000 + 37 * 5)).unwrap()["title"] = "Retitled".into();
    });
    fake.log.clear();
    let edited = fetcher.fetch(&c, "collector", false, false).await.unwrap();
    assert_eq!((edited.fetched_new, edited.fetched_changed), (0, 1));
    assert_eq!(release_requests(&fake.log.entries()), ["/releases/100185"]);
}

/// An outage after 250 releases stops the fetch; the rerun fetches the other 350 and none twice.
#[tokio::test]
async fn interrupted_fetch_resumes_without_refetching() {
    let clock = Arc::new(ManualClock::new());
    let fake = fake_discogs::start(Collection::generated("collector", 600), fake_discogs::Options::new(clock.clone())).unwrap();
    let c = conn();
    fake.fail_releases_after(250);
    let fetcher = DiscogsFetcher::new(&fake.base_url, Token::new(TOKEN), 60, clock.clone()).unwrap();
    let err = fetcher.fetch(&c, "collector", false, false).await.unwrap_err();
    assert!(err.to_string().contains("HTTP 500"), "{err}");
    assert_eq!(count(&c, "SELECT count(*) FROM state.discogs_releases"), 250);
    let first: Vec<String> = release_requests(&fake.log.entries());
    assert_eq!(first.len(), 250);

    fake.heal();
    fake.log.clear();
    let fetcher = DiscogsFetcher::new(&fake.base_url, Token::new(TOKEN), 60, clock.clone()).unwrap();
    let report = fetcher.fetch(&c, "collector", false, false).await.unwrap();
    let second = release_requests(&fake.log.entries());
    assert_eq!((report.fetched_new, report.cached, second.len()), (350, 250, 350));
    let all: HashSet<&String> = first.iter().chain(&second).collect();
    assert_eq!(all.len(), 600, "no release fetched twice");
    assert_eq!(count(&c, "SELECT count(*) FROM state.discogs_releases"), 600);
}

/// The server's own lower limit (25/min, unauthenticated-like) is adopted from its headers.
#[tokio::test]
async fn server_limit_below_the_configured_one_is_honoured() {
    let clock = Arc::new(ManualClock::new());
    let mut opts = fake_discogs::Options::new(clock.clone());
    opts.rate_limit = 25;
    let fake = fake_discogs::start(Collection::generated("collector", 80), opts).unwrap();
    let fetcher = DiscogsFetcher::new(&fake.base_url, Token::new(TOKEN), 60, clock.clone()).unwrap();
    fetcher.fetch(&conn(), "collector", false, false).await.unwrap();
    let log = fake.log.entries();
    assert_eq!(log.len(), 81);
    assert!(log.iter().all(|r| r.status == 200));
    let times: Vec<Duration> = log.iter().map(|r| r.at).collect();
    assert_eq!(max_in_window(&times, Duration::from_secs(60)), 25);
}

/// Proves: the limiter keeps a safety margin, so a server that counts a strict window (a request
/// exactly 60 s after another still counts with it) never answers 429.
#[tokio::test]
async fn the_discogs_limiter_keeps_a_safety_margin() {
    let clock = Arc::new(ManualClock::new());
    let mut opts = fake_discogs::Options::new(clock.clone());
    opts.strict_window = true;
    let fake = fake_discogs::start(Collection::generated("collector", 150), opts).unwrap();
    let fetcher = DiscogsFetcher::new(&fake.base_url, Token::new(TOKEN), 60, clock.clone()).unwrap();
    let report = fetcher.fetch(&conn(), "collector", false, false).await.unwrap();
    assert_eq!(report.fetched_new, 150);
    let log = fake.log.entries();
    assert_eq!(log.len(), 152, "2 pages + 150 releases");
    assert!(log.iter().all(|r| r.status == 200), "no 429: {:?}", log.iter().find(|r| r.status != 200));
    let times: Vec<Duration> = log.iter().map(|r| r.at).collect();
    assert_eq!(super::ratelimit::max_in_window_inclusive(&times, Duration::from_secs(60)), 60);
}

/// Quota used by someone else on the same IP: 429s (with Retry-After) are waited out, and the
/// fetch completes.
#[tokio::test]
async fn a_429_is_waited_out() {
    let clock = Arc::new(ManualClock::new());
    let mut opts = fake_discogs::Options::new(clock.clone());
    opts.retry_after = Some(20);
    let fake = fake_discogs::start(Collection::generated("collector", 30), opts).unwrap();
    fake.consume_quota(60);
    let fetcher = DiscogsFetcher::new(&fake.base_url, Token::new(TOKEN), 60, clock.clone()).unwrap();
    let report = fetcher.fetch(&conn(), "collector", false, false).await.unwrap();
    assert_eq!(report.fetched_new, 30);
    let log = fake.log.entries();
    // The first request is refused at 0, 20 and 40 s (Retry-After 20) and served at 60 s, when
    // the other program's 60 requests leave the window.
    let throttled: Vec<Duration> = log.iter().filter(|r| r.status == 429).map(|r| r.at).collect();
    assert_eq!(throttled, [0, 20, 40].map(Duration::from_secs), "the pre-used quota gives 429s until the window frees");
    assert_eq!(log.iter().filter(|r| r.status == 200).count(), 31);
    assert_eq!(log.iter().find(|r| r.status == 200).unwrap().at, Duration::from_secs(60), "nothing served before the window freed");
}

/// A wrong token is a clear error that does not contain the token.
#[tokio::test]
async fn a_refused_token_is_a_clear_error() {
    let clock = Arc::new(ManualClock::new());
    let fake = fake_discogs::start(Collection::generated("collector", 3), fake_discogs::Options::new(clock.clone())).unwrap();
    let fetcher = DiscogsFetcher::new(&fake.base_url, Token::new("wrong-secret-123"), 60, clock).unwrap();
    let err = fetcher.fetch(&conn(), "collector", false, false).await.unwrap_err().to_string();
    assert!(err.contains("token was refused"), "{err}");
    assert!(!err.contains("wrong-secret-123"));
}

/// The cached collection lands in the raw tables: headings are heading rows (not tracks), index
/// sub-tracks are tracks, compilation tracks carry their own artists while the release artist
/// stays; the token is nowhere in the state database.
#[tokio::test]
async fn cached_collection_lands_in_the_raw_tables() {
    let clock = Arc::new(ManualClock::new());
    let mut data = Collection::generated("collector", 40);
    // A second copy of a release: one row.
    let dup = data.items[5].clone();
    data.items.push(fake_discogs::Item { instance_id: 1, ..dup });
    let fake = fake_discogs::start(data, fake_discogs::Options::new(clock.clone())).unwrap();
    let fetcher = DiscogsFetcher::new(&fake.base_url, Token::new(TOKEN), 600, clock).unwrap();
    let c = conn();
    fetcher.fetch(&c, "collector", false, false).await.unwrap();
    let load = load_collection(&c, "collector").unwrap();
    assert_eq!((load.releases, load.duplicates, load.without_details), (40, 1, 0));
    assert_eq!(count(&c, "SELECT count(*) FROM raw_releases WHERE source_format = 'discogs_api'"), 40);
    let h = HEADINGS_RELEASE;
    assert_eq!(count(&c, &format!("SELECT count(*) FROM raw_tracks WHERE release_id = '{h}' AND type_ = 'heading'")), 2);
    assert_eq!(count(&c, &format!("SELECT count(*) FROM raw_tracks WHERE release_id = '{h}' AND type_ = 'track'")), 9);
    assert_eq!(count(&c, &format!("SELECT count(*) FROM raw_tracks WHERE release_id = '{h}' AND type_ = 'heading' AND title LIKE 'Disque%'")), 2);
    let comp = COMPILATION_RELEASE;
    let (artist, album_artist): (String, String) = c
        .query_row(&format!("SELECT track_artists, release_artist FROM raw_tracks WHERE release_id = '{comp}' AND position = 'A1'"), [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((artist.as_str(), album_artist.as_str()), ("Nihil (5) Feat. Human Records (2)", "Various"));
    assert_eq!(count(&c, "SELECT count(*) FROM raw_releases WHERE source_file = 'discogs-api:/releases/100000' AND source_line IS NOT NULL"), 1);
    let leaks = count(
        &c,
        &format!(
            "SELECT (SELECT count(*) FROM state.discogs_releases WHERE body LIKE '%{TOKEN}%') + (SELECT count(*) FROM state.discogs_collection_pages WHERE body LIKE '%{TOKEN}%')"
        ),
    );
    assert_eq!(leaks, 0);
}

// ---- ReccoBeats ----------------------------------------------------------------------------

fn shared(rel: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/")).join(rel)
}

/// The 4 113 distinct Spotify IDs of the original run, in file order.
fn original_ids() -> Vec<String> {
    let ids = super::reccobeats::read_ids_file(&shared("original_run/my_tracks_spotify_id.csv")).unwrap();
    let mut seen = HashSet::new();
    ids.into_iter().filter(|i| seen.insert(i.clone())).collect()
}

/// The original table's features by Spotify ID (rows without features left out), minus every
/// 50th ID, which the fake does not know either.
fn original_features() -> HashMap<String, Features> {
    let mut rdr = csv::Reader::from_path(shared("original_run/tracks_features.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let (id, dance) = (col("spotify_id"), col("Danceability"));
    let mut map = HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap();
        if rec[dance].is_empty() || i % 50 == 7 {
            continue;
        }
        let f = |name: &str| rec[col(name)].parse::<f64>().unwrap();
        map.insert(
            rec[id].to_string(),
            Features {
                acousticness: f("Acousticness"),
                danceability: f("Danceability"),
                energy: f("Energy"),
                instrumentalness: f("Instrumentalness"),
                key: f("Spotify_key") as i64,
                liveness: f("Liveness"),
                loudness: f("Loudness"),
                mode: f("Spotify_mode") as i64,
                speechiness: f("Speechiness"),
                tempo: f("Tempo"),
                valence: f("Valence"),
            },
        );
    }
    map
}

fn recco_client(base_url: &str, clock: Arc<ManualClock>) -> crate::http::Client {
    super::reccobeats::client(base_url, Some(Arc::new(ClockPacer(clock)))).unwrap()
}

/// The 4 113 original IDs in ⌈4113/40⌉ = 103 requests; every ID found or recorded missing, and
/// every found ID carries the fake's values for that ID (the fake answers in reverse order and
/// leaves unknown IDs out, so a positional join would shift them); a rerun sends nothing; the
/// build step lands them with time_signature NULL.
#[tokio::test]
async fn reccobeats_original_ids_in_103_requests_none_shifted() {
    let ids = original_ids();
    assert_eq!(ids.len(), 4113);
    let known = original_features();
    let clock = Arc::new(ManualClock::new());
    let fake = fake_recco::start(known.clone(), fake_recco::Options { max_batch: 40, clock: clock.clone() }).unwrap();
    let client = recco_client(&fake.base_url, clock.clone());
    let c = conn();
    let report = fetch_features(&c, &client, &ids, 40, false, false).await.unwrap();
    assert_eq!(fake.log.len(), 103);
    assert_eq!(report.requests, 103);
    let expected_found = ids.iter().filter(|i| known.contains_key(*i)).count() as u64;
    assert_eq!(expected_found, 4025, "4 113 less the 5 IDs without features and the 83 of every 50th row");
    assert_eq!((report.found, report.missing), (expected_found, 4113 - expected_found));
    assert!(report.failed_batches.is_empty());
    assert!(fake.log.entries().iter().all(|r| r.query.split(',').count() <= 40));

    // Every ID is in the state, found or missing, and found ones carry their own values.
    let mut stmt = c.prepare("SELECT spotify_id, found, item FROM state.reccobeats_features").unwrap();
    let rows: Vec<(String, bool, Option<String>)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), 4113);
    for (id, found, item) in &rows {
        assert_eq!(*found, known.contains_key(id), "{id}");
        if let Some(item) = item {
            let v: serde_json::Value = serde_json::from_str(item).unwrap();
            let f = &known[id];
            assert_eq!(v["danceability"].as_f64(), Some(f.danceability), "{id}");
            assert_eq!(v["tempo"].as_f64(), Some(f.tempo), "{id}");
            assert_eq!(v["key"].as_i64(), Some(f.key), "{id}");
        }
    }

    // Rerun: nothing asked again.
    let again = fetch_features(&c, &client, &ids, 40, false, false).await.unwrap();
    assert_eq!((again.cached, again.found + again.missing), (4113, 0));
    assert_eq!(fake.log.len(), 103);

    // The build step's load: one row per found ID, values as the fake gave them.
    let load = load_features(&c, 1).unwrap();
    assert_eq!((load.rows, load.missing), (expected_found, 4113 - expected_found));
    let mut stmt = c.prepare("SELECT spotify_id, energy, loudness, time_signature, source, source_rank FROM raw_audio_features").unwrap();
    let raw: Vec<(String, String, String, Option<String>, String, i32)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(raw.len() as u64, expected_found);
    for (id, energy, loudness, ts, source, rank) in raw {
        let f = &known[&id];
        assert_eq!(energy.parse::<f64>().unwrap(), f.energy, "{id}");
        assert_eq!(loudness.parse::<f64>().unwrap(), f.loudness, "{id}");
        assert_eq!((ts, source.as_str(), rank), (None, "reccobeats", 1));
    }
    eprintln!("reccobeats: 4113 IDs, {} requests, {} found, {} missing", fake.log.len(), report.found, report.missing);
}

/// 429 with Retry-After and a 500 are retried; a malformed body fails its batch with a clear
/// error (batch number, IDs), the other batches go on, and a rerun asks for that batch only.
#[tokio::test]
async fn reccobeats_faults() {
    let ids: Vec<String> = original_ids().into_iter().take(200).collect();
    let known = original_features();
    let clock = Arc::new(ManualClock::new());
    let fake = fake_recco::start(known.clone(), fake_recco::Options { max_batch: 40, clock: clock.clone() }).unwrap();
    fake.fault_on(2, Fault::TooManyRequests { retry_after: 7 });
    fake.fault_on(4, Fault::ServerError);
    fake.fault_on(6, Fault::Malformed);
    let client = recco_client(&fake.base_url, clock.clone());
    let c = conn();
    let report = fetch_features(&c, &client, &ids, 40, false, false).await.unwrap();
    // 5 batches + 2 retries; request 6 is batch 4's answer (malformed).
    assert_eq!(fake.log.len(), 7);
    assert!(clock.now() >= Duration::from_secs(7), "Retry-After waited");
    assert_eq!(report.failed_batches.len(), 1);
    let msg = &report.failed_batches[0];
    assert!(msg.contains("malformed JSON") && msg.contains("batch 4 of 5") && msg.contains(&ids[120]), "{msg}");
    assert_eq!(report.found + report.missing, 160);
    assert_eq!(count(&c, "SELECT count(*) FROM state.reccobeats_features"), 160);

    let again = fetch_features(&c, &client, &ids, 40, false, false).await.unwrap();
    assert_eq!((again.found + again.missing, again.batches), (40, 1));
    assert_eq!(fake.log.len(), 8);
    let q = &fake.log.entries()[7].query;
    assert!(q.contains(&ids[120]) && q.contains(&ids[159]));
}

/// The build steps (planned when configured as inputs): never fetched, the Discogs load warns
/// naming the fetch (the build goes on) and ReccoBeats' is a clear error; rows once fetched,
/// ReccoBeats ranked after the two feature files.
#[tokio::test]
async fn build_steps_fail_or_load() {
    use crate::step::{StepContext, StepStatus};
    let c = conn();
    let discogs = super::DiscogsConfig { user: Some("collector".into()), input: true, ..super::DiscogsConfig::default() };
    let rank = super::ReccoBeatsConfig::default().source_rank(2);
    let ctx = StepContext { conn: &c, run_id: "t", progress: false, offline: false };
    let out = super::discogs_ingest_step(&ctx, &discogs).unwrap();
    assert_eq!((out.status, out.rows), (StepStatus::Warn, Some(0)));
    assert!(out.note.as_deref().unwrap().contains("selecta fetch discogs --user collector"), "{:?}", out.note);
    let e = super::reccobeats_ingest_step(&ctx, rank).unwrap_err().to_string();
    assert!(e.contains("selecta fetch features --source reccobeats"), "{e}");

    let clock = Arc::new(ManualClock::new());
    let fake = fake_discogs::start(Collection::generated("collector", 12), fake_discogs::Options::new(clock.clone())).unwrap();
    DiscogsFetcher::new(&fake.base_url, Token::new(TOKEN), 600, clock.clone()).unwrap().fetch(&c, "collector", false, false).await.unwrap();
    let out = super::discogs_ingest_step(&ctx, &discogs).unwrap();
    assert_eq!(out.status, StepStatus::Ok);
    assert_eq!(out.rows, Some(count(&c, "SELECT (SELECT count(*) FROM raw_releases) + (SELECT count(*) FROM raw_tracks)") as u64));

    let ids: Vec<String> = original_ids().into_iter().take(10).collect();
    let recco = fake_recco::start(original_features(), fake_recco::Options { max_batch: 40, clock: clock.clone() }).unwrap();
    fetch_features(&c, &recco_client(&recco.base_url, clock), &ids, 40, false, false).await.unwrap();
    let out = super::reccobeats_ingest_step(&ctx, rank).unwrap();
    assert_eq!(out.rows, Some(count(&c, "SELECT count(*) FROM raw_audio_features") as u64));
    assert_eq!(count(&c, "SELECT min(source_rank) + max(source_rank) FROM raw_audio_features"), 4, "after the two files: rank 2");
}
