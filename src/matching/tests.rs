//! Tests of a whole matching run against the fake Spotify (`crate::fakes::spotify`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use duckdb::Connection;

use super::source::CandidateSource;
use super::spotify::{Credentials, SpotifySearch};
use super::{MatchConfig, Strategy, engine};
use crate::clock::{Clock, ManualClock};
use crate::fakes::spotify::{self, Catalogue, Fault, FakeOptions, FakeSpotify};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(rel)
}

fn catalogue() -> Catalogue {
    Catalogue::from_original_run(&data("original_run/my_tracks_spotify_id.csv"), 42).expect("fake catalogue")
}

fn fake(options: FakeOptions) -> FakeSpotify {
    spotify::start(catalogue(), options).expect("fake spotify")
}

/// A warehouse connection with the first `n` real tracks and a state file in `dir`.
fn warehouse(dir: &Path, n: usize) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    crate::fakes::tracks_table(&conn, &data("collection/my_tracks.csv"), Some(n)).unwrap();
    conn.execute_batch(&format!("ATTACH '{}' AS state", dir.join("state.duckdb").display())).unwrap();
    conn
}

fn config(f: &FakeSpotify) -> MatchConfig {
    MatchConfig { api_base_url: f.url("/v1"), accounts_base_url: f.base_url.clone(), backoff_ms: 10, batch_size: 25, ..MatchConfig::default() }
}

fn creds(o: &FakeOptions) -> Credentials {
    Credentials { client_id: o.client_id.clone(), client_secret: o.client_secret.clone() }
}

fn run(conn: &Connection, cfg: &MatchConfig, o: &FakeOptions, strategy: Strategy) -> engine::Summary {
    super::run_configured(conn, cfg, strategy, false, || Ok(creds(o))).expect("matching run")
}

/// [`run`] with the Spotify source's token lifetimes and retry waits on `clock`.
fn run_on(conn: &Connection, cfg: &MatchConfig, o: &FakeOptions, clock: Arc<dyn Clock>) -> engine::Summary {
    let mut options = cfg.spotify_options();
    options.clock = clock;
    let mut src = SpotifySearch::new(conn, &options, creds(o)).expect("spotify source");
    engine::run(conn, &mut src, &cfg.run_options(Strategy::Scorer, false).unwrap()).expect("matching run")
}

fn matches(conn: &Connection) -> HashMap<String, (Option<String>, String)> {
    let mut stmt = conn.prepare("SELECT track_id, spotify_id, quality FROM track_matches").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))).unwrap().map(Result::unwrap).collect()
}

/// Search `q`s answered 200, in order.
fn answered(f: &FakeSpotify) -> Vec<String> {
    f.log.to("/v1/search").into_iter().filter(|r| r.status == 200).filter_map(|r| r.param("q")).collect()
}

/// Proves: a run stopped mid-way (QUOTA_EXCEEDED) keeps every finished match, and the rerun
/// ends where an uninterrupted run ends while never sending a request answered before.
#[test]
fn an_interrupted_run_resumes_without_losing_or_repeating_anything() {
    let o = FakeOptions::default();
    // Reference: one uninterrupted run.
    let ref_dir = tempfile::tempdir().unwrap();
    let f = fake(o.clone());
    let conn = warehouse(ref_dir.path(), 300);
    let full = run(&conn, &config(&f), &o, Strategy::Scorer);
    let reference = matches(&conn);
    assert!(full.stopped.is_none());
    assert_eq!(reference.len(), 300);

    let dir = tempfile::tempdir().unwrap();
    let f = fake(o.clone());
    f.set_quota_after(Some(120));
    let conn = warehouse(dir.path(), 300);
    let first = run(&conn, &config(&f), &o, Strategy::Scorer);
    assert_eq!(first.stopped.as_deref(), Some("Spotify quota exceeded (429 QUOTA_EXCEEDED)"), "the quota stops the run");
    let after_first = matches(&conn);
    let pending = after_first.values().filter(|(_, q)| q == "pending").count();
    assert!(pending > 0 && pending < 300, "{pending} pending");
    let finished: HashMap<_, _> = after_first.into_iter().filter(|(_, (_, q))| q != "pending").collect();
    let sent_first: Vec<String> = answered(&f);
    assert_eq!(sent_first.len(), 120);

    f.set_quota_after(None);
    f.log.clear();
    let second = run(&conn, &config(&f), &o, Strategy::Scorer);
    assert!(second.stopped.is_none());
    let after_second = matches(&conn);
    for (track, m) in &finished {
        assert_eq!(&after_second[track], m, "finished match of {track} kept");
    }
    assert_eq!(after_second, reference, "the rerun ends where an uninterrupted run ends");
    let before: HashSet<&String> = sent_first.iter().collect();
    let resent: Vec<String> = answered(&f).into_iter().filter(|q| before.contains(q)).collect();
    assert!(resent.is_empty(), "re-sent {} cached requests: {:?}", resent.len(), &resent[..resent.len().min(3)]);

    // A third run sends nothing at all.
    f.log.clear();
    let third = run(&conn, &config(&f), &o, Strategy::Scorer);
    assert_eq!((third.requests, f.log.count("/v1/search")), (0, 0));
    assert_eq!(matches(&conn), reference);
}

/// Proves: an expired token (401) is renewed and the search retried.
#[test]
fn a_401_renews_the_token() {
    let o = FakeOptions::default();
    let f = fake(o.clone());
    f.push_faults([Fault::ExpireTokens]);
    let dir = tempfile::tempdir().unwrap();
    let conn = warehouse(dir.path(), 10);
    let mut cfg = config(&f);
    cfg.concurrency = 1;
    let s = run(&conn, &cfg, &o, Strategy::Scorer);
    assert_eq!(s.by_quality.get("pending"), None);
    let log = f.log.entries();
    assert_eq!(log.iter().filter(|r| r.path == "/api/token").count(), 2, "one token, then one renewal");
    assert_eq!(log.iter().filter(|r| r.status == 401).count(), 1);
}

/// Proves: a token is reused while it lives and renewed once its lifetime is up, before use
/// (no 401), with client and fake on one manual clock (no real waiting).
#[test]
fn an_expiring_token_is_renewed_before_it_expires() {
    let clock = Arc::new(ManualClock::new());
    let o = FakeOptions { token_ttl: Duration::from_secs(1), clock: clock.clone(), ..FakeOptions::default() };
    let f = fake(o.clone());
    let dir = tempfile::tempdir().unwrap();
    let conn = warehouse(dir.path(), 1);
    let mut options = config(&f).spotify_options();
    options.clock = clock.clone();
    let mut src = SpotifySearch::new(&conn, &options, creds(&o)).unwrap();
    let q = super::score::Query::new("x", "Agnes Obel", "Riverside", "Philharmonics", None);
    let mut search = |text: &str| assert!(src.search(&[&q], &[super::source::Search::free(text)]).unwrap().results[0].is_ok());
    search("riverside agnes obel");
    clock.advance(Duration::from_millis(999));
    search("brother sparrow agnes obel");
    assert_eq!(f.log.count("/api/token"), 1, "still valid at 0.999 s: reused");
    clock.advance(Duration::from_millis(101));
    search("fuel to fire agnes obel");
    assert_eq!(f.log.count("/api/token"), 2, "expired at 1 s: renewed");
    assert_eq!(f.log.entries().iter().filter(|r| r.status == 401).count(), 0);
    assert_eq!(f.log.to("/v1/search").iter().map(|r| r.status).collect::<Vec<_>>(), [200, 200, 200]);
}

/// Proves: a 429 is retried after its Retry-After, 5xx are retried with the doubling backoff,
/// malformed JSON is asked again after 100 ms: the waits add up to exactly 1 s + 20 ms + 40 ms
/// + 100 ms on the manual clock, nothing stays pending, and the malformed answer is not cached.
#[test]
fn rate_limits_server_errors_and_malformed_json_are_survived() {
    let clock = Arc::new(ManualClock::new());
    let o = FakeOptions { clock: clock.clone(), ..FakeOptions::default() };
    let f = fake(o.clone());
    f.push_faults([Fault::RateLimit { retry_after: 1 }, Fault::Server(500), Fault::Server(503), Fault::Malformed]);
    let dir = tempfile::tempdir().unwrap();
    let conn = warehouse(dir.path(), 8);
    let mut cfg = config(&f);
    cfg.concurrency = 1;
    let s = run_on(&conn, &cfg, &o, clock.clone());
    assert_eq!(clock.now(), Duration::from_millis(1000 + 20 + 40 + 100), "Retry-After, backoff 10 ms × 2 and × 4, the malformed pause");
    assert_eq!(s.by_quality.get("pending"), None, "{s:?}");
    let statuses: Vec<u16> = f.log.to("/v1/search").iter().map(|r| r.status).collect();
    assert_eq!(&statuses[..5], &[429, 500, 503, 200, 200], "the fourth answer was malformed, the fifth asks again");
    assert!(statuses[5..].iter().all(|&st| st == 200), "{statuses:?}");
    // The malformed answer was not cached: every cached entry parses.
    let mut stmt = conn.prepare("SELECT items FROM state.spotify_search_cache").unwrap();
    let items: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(items.len(), statuses.iter().filter(|&&st| st == 200).count() - 1, "one entry per well-formed answer");
    for i in items {
        serde_json::from_str::<Vec<super::score::Candidate>>(&i).expect("cached entries parse");
    }
}

/// Proves: the quota's 429 is not retried; the run stops and says so.
#[test]
fn quota_exceeded_stops_without_retrying() {
    let o = FakeOptions::default();
    let f = fake(o.clone());
    f.push_faults([Fault::Quota]);
    let dir = tempfile::tempdir().unwrap();
    let conn = warehouse(dir.path(), 30);
    let mut cfg = config(&f);
    cfg.concurrency = 1;
    let s = run(&conn, &cfg, &o, Strategy::Scorer);
    assert_eq!(s.stopped.as_deref(), Some("Spotify quota exceeded (429 QUOTA_EXCEEDED)"));
    assert_eq!(f.log.count("/v1/search"), 1, "nothing sent after the quota");
    assert_eq!(s.by_quality.get("pending"), Some(&30));
}

/// Proves: a limit over 10 is refused by the section's validation (never clamped), the
/// searches ask for 10, and the fake refuses more, as Spotify does.
#[test]
fn searches_ask_at_most_ten_results() {
    let o = FakeOptions::default();
    let f = fake(o.clone());
    let dir = tempfile::tempdir().unwrap();
    let conn = warehouse(dir.path(), 20);
    let mut cfg = config(&f);
    cfg.limit = 50;
    assert_eq!(cfg.validate().unwrap_err().to_string(), "limit: 50 is out of range (1 to 10)");
    cfg.limit = super::MAX_LIMIT;
    run(&conn, &cfg, &o, Strategy::Scorer);
    let searches = f.log.to("/v1/search");
    assert!(searches.len() >= 20, "at least one search per track: {}", searches.len());
    assert!(searches.iter().all(|r| r.param("limit").as_deref() == Some("10")));
    // The fake itself refuses a limit above 10, as Spotify does.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = rt.block_on(async {
        let c = reqwest::Client::new();
        let tok: serde_json::Value = c
            .post(f.url("/api/token"))
            .basic_auth(&o.client_id, Some(&o.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let t = tok["access_token"].as_str().unwrap().to_string();
        c.get(f.url("/v1/search")).bearer_auth(t).query(&[("q", "track:kofea"), ("type", "track"), ("limit", "11")]).send().await.unwrap().status().as_u16()
    });
    assert_eq!(status, 400);
}

/// Proves: neither the client secret nor any access token is stored in a table or file.
#[test]
fn secrets_are_in_no_table_or_file() {
    let o = FakeOptions { client_id: "id-5f2c9".into(), client_secret: "sekrit-9d1e7a44".into(), ..FakeOptions::default() };
    let f = fake(o.clone());
    let dir = tempfile::tempdir().unwrap();
    let conn = warehouse(dir.path(), 40);
    run(&conn, &config(&f), &o, Strategy::Scorer);
    let tokens = f.tokens();
    assert_eq!(tokens.len(), 1, "one token lives the whole run");
    conn.execute_batch("CHECKPOINT state").unwrap();
    let mut texts = Vec::new();
    for table in ["state.spotify_search_cache", "track_matches", "match_candidates", "match_review"] {
        let t: String = conn.query_row(&format!("SELECT coalesce(string_agg(CAST(x AS VARCHAR), ' '), '') FROM {table} x"), [], |r| r.get(0)).unwrap();
        texts.push(t);
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        texts.push(String::from_utf8_lossy(&std::fs::read(entry.unwrap().path()).unwrap()).into_owned());
    }
    for secret in tokens.iter().chain([&o.client_secret]) {
        for t in &texts {
            assert!(!t.contains(secret.as_str()), "a secret was written");
        }
    }
}

/// Proves: the overrides file wins over the search.
#[test]
fn overrides_win() {
    let o = FakeOptions::default();
    let f = fake(o.clone());
    let dir = tempfile::tempdir().unwrap();
    let conn = warehouse(dir.path(), 3);
    let ov = dir.path().join("overrides.csv");
    std::fs::write(&ov, "track_id,spotify_id\n118668_A,none\n118668_B,0123456789abcdefABCDEF\n").unwrap();
    let mut cfg = config(&f);
    cfg.overrides = Some(ov);
    run(&conn, &cfg, &o, Strategy::Scorer);
    let m = matches(&conn);
    assert_eq!(m["118668_A"], (None, "override".to_string()));
    assert_eq!(m["118668_B"], (Some("0123456789abcdefABCDEF".to_string()), "override".to_string()));
}

/// Proves: the local catalogue source (CSV and Parquet) finds the true tracks among the
/// distractors, with no request sent anywhere.
#[test]
fn a_local_catalogue_matches_like_the_search() {
    let cat = catalogue();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("catalogue.csv");
    cat.write_csv(&csv).unwrap();
    let parquet = dir.path().join("catalogue.parquet");
    let g = Connection::open_in_memory().unwrap();
    g.execute_batch(&format!("COPY (SELECT * FROM read_csv('{}', header = true, all_varchar = true)) TO '{}' (FORMAT parquet)", csv.display(), parquet.display())).unwrap();
    for file in [csv, parquet] {
        let conn = warehouse(dir.path(), 400);
        let cfg = MatchConfig { source: super::SourceKind::Catalogue, catalogue: Some(file.clone()), batch_size: 100, ..MatchConfig::default() };
        let s = super::run_configured(&conn, &cfg, Strategy::Scorer, false, || unreachable!("no credentials for a local catalogue")).unwrap();
        assert_eq!(s.requests, 0);
        let m = matches(&conn);
        let predicted: Vec<_> = m.iter().filter_map(|(t, (id, _))| id.as_ref().map(|id| (t, id))).collect();
        let correct = predicted.iter().filter(|(t, id)| cat.truth[*t].as_deref() == Some(id.as_str())).count();
        let relevant = m.keys().filter(|t| cat.truth[*t].is_some()).count();
        assert!(correct as f64 >= 0.98 * predicted.len() as f64, "{file:?}: precision {correct}/{}", predicted.len());
        assert!(correct as f64 >= 0.9 * relevant as f64, "{file:?}: recall {correct}/{relevant}");
    }
}

/// Proves: `--strategy original` replays the cascade: at most 7 searches per track, and the
/// scorer is at least as right on the same tracks.
#[test]
fn the_original_cascade_runs_side_by_side() {
    let o = FakeOptions::default();
    let f = fake(o.clone());
    let cat = f.catalogue().clone();
    let mut right = Vec::new();
    for strategy in [Strategy::Original, Strategy::Scorer] {
        let dir = tempfile::tempdir().unwrap();
        let conn = warehouse(dir.path(), 150);
        f.log.clear();
        let s = run(&conn, &config(&f), &o, strategy);
        assert!(f.log.count("/v1/search") <= 7 * 150, "{strategy:?}: {}", f.log.count("/v1/search"));
        assert_eq!(s.tracks, 150);
        let m = matches(&conn);
        right.push(m.iter().filter(|(t, (id, _))| id.is_some() && cat.truth[*t] == *id).count());
        let wrong = m.iter().filter(|(t, (id, _))| id.is_some() && cat.truth[*t] != *id).count();
        if strategy == Strategy::Scorer {
            assert!(wrong <= 2, "scorer: {wrong} wrong");
        }
    }
    assert!(right[1] >= right[0], "scorer right {} < original right {}", right[1], right[0]);
}

/// Proves: a request that times out is abandoned and sent again.
#[test]
fn a_timeout_is_retried() {
    let o = FakeOptions::default();
    let f = fake(o.clone());
    f.push_faults([Fault::Delay(2500)]);
    let dir = tempfile::tempdir().unwrap();
    let conn = warehouse(dir.path(), 3);
    let mut cfg = config(&f);
    cfg.concurrency = 1;
    cfg.timeout_secs = 1;
    let t = Instant::now();
    let s = run(&conn, &cfg, &o, Strategy::Scorer);
    assert!(t.elapsed() >= Duration::from_secs(1));
    assert_eq!(s.by_quality.get("pending"), None, "{s:?}");
    assert_eq!(matches(&conn).values().filter(|(id, _)| id.is_some()).count(), 3);
    // The abandoned request counts: more requests than searches answered to the client.
    assert!(s.requests as usize > matches(&conn).len(), "{} requests for 3 tracks", s.requests);
}
