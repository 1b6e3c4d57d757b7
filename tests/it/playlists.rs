//! `selecta playlists spotify`: against the fake Spotify of `selecta::fakes::spotify_playlists`,
//! the user's authorization driven the way a browser would (the test opens the printed URL).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use selecta::fakes::spotify_playlists::{self, FakeSpotify};

use crate::{Output, Project, demo};

const CLIENT_ID: &str = "fakeclientid0123456789";

fn project(fake: &FakeSpotify) -> Project {
    demo(&format!(
        "[spotify]\naccounts_url = \"{}\"\napi_url = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nredirect_port = 0\nauth_timeout_secs = 30\n",
        fake.base_url,
        fake.url("/v1")
    ))
}

/// Runs `selecta playlists spotify ARGS`; when it prints an authorization URL, opens it like a
/// browser (following the fake's redirect to the local callback).
pub(crate) fn run(p: &Project, args: &[&str]) -> (Output, u32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_selecta"))
        .current_dir(p.dir.path())
        .args(["--config", "selecta.toml", "playlists", "spotify"])
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("SPOTIFY_CLIENT_ID")
        .env("RUST_LOG", "selecta=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let out_thread = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap());
    let mut err_text = String::new();
    let mut opened = 0;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        let trimmed = line.trim();
        if trimmed.starts_with("http://127.0.0.1:") && trimmed.contains("/authorize?") {
            opened += 1;
            let url = trimmed.to_string();
            let status = rt.block_on(async { reqwest::get(&url).await.map(|r| r.status().as_u16()) }).unwrap();
            assert_eq!(status, 200, "the callback page");
        }
        err_text.push_str(&line);
        err_text.push('\n');
    }
    let status = child.wait().unwrap();
    let out = Output { code: status.code().unwrap_or(-1), stdout: out_thread.join().unwrap(), stderr: err_text };
    (out, opened)
}

/// The URIs each cluster's playlist must hold, from the warehouse.
fn expected(p: &Project) -> BTreeMap<i64, (String, Vec<String>)> {
    let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
    let mut stmt = conn.prepare("SELECT cluster, cluster_name, spotify_id FROM cluster_playlists ORDER BY cluster, position").unwrap();
    let mut m: BTreeMap<i64, (String, Vec<String>)> = BTreeMap::new();
    for r in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))).unwrap() {
        let (c, name, id) = r.unwrap();
        m.entry(c).or_insert_with(|| (name, Vec::new())).1.push(format!("spotify:track:{id}"));
    }
    m
}

/// Playlist name → items, of the playlists the user follows, as the fake holds them.
fn held(fake: &FakeSpotify) -> BTreeMap<String, Vec<String>> {
    fake.playlists().into_iter().filter(|p| p.followed).map(|p| (p.name, p.items)).collect()
}

fn assert_in_step(p: &Project, fake: &FakeSpotify) {
    let want = expected(p);
    let have = held(fake);
    assert_eq!(have.len(), want.len(), "one playlist per cluster: {:?}", have.keys().collect::<Vec<_>>());
    for (_, (name, uris)) in want {
        let items = have.get(&format!("selecta · {name}")).unwrap_or_else(|| panic!("no playlist for {name}"));
        assert_eq!(items, &uris, "{name}: the playlist's items are its cluster, in order");
    }
}

/// First run: authorization with PKCE, 8 playlists created and filled 100 URIs at a time.
/// Rerun: no playlist created, each one replaced by its cluster, the cached token reused.
#[test]
fn creates_then_updates_one_playlist_per_cluster() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    let (dry, _) = run(&p, &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(dry.stdout.matches("create ").count(), 8, "{}", dry.stdout);
    assert_eq!(fake.stats(), Default::default(), "a dry run sends nothing");

    let (out, opened) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(opened, 1, "one authorization");
    assert!(out.stdout.contains("8 playlists created, 0 updated"), "{}", out.stdout);
    let s = fake.stats();
    assert_eq!(s.playlists_created, 8);
    assert_eq!(s.code_grants, 1);
    assert_eq!(s.max_uris_per_request, 100, "items go 100 per request");
    assert_eq!(s.bad_grants, 0);
    assert_in_step(&p, &fake);
    let ids: Vec<String> = fake.playlists().into_iter().map(|p| p.id).collect();

    // The token cache is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let cache = p.path("out/w.spotify-token.json");
        assert_eq!(std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777, 0o600);
        let text = std::fs::read_to_string(&cache).unwrap();
        assert!(!out.stderr.contains(text.split('"').nth(3).unwrap()), "the access token is not logged");
    }

    // The clusters change: the rerun updates the same playlists in place.
    {
        let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        conn.execute_batch("DELETE FROM cluster_playlists WHERE cluster = 2 AND position % 3 = 0; UPDATE cluster_playlists SET position = -position WHERE cluster = 5;").unwrap();
    }
    let (dry, _) = run(&p, &["--dry-run"]);
    assert_eq!(dry.stdout.matches("replace ").count(), 8, "{}", dry.stdout);
    let (out, opened) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(opened, 0, "the cached token is reused");
    assert!(out.stdout.contains("0 playlists created, 8 updated"), "{}", out.stdout);
    assert_eq!(fake.stats().playlists_created, 8, "no new playlist");
    assert_eq!(fake.playlists().into_iter().map(|p| p.id).collect::<Vec<_>>(), ids, "the same playlists");
    assert_in_step(&p, &fake);
}

/// An expired access token: the API answers 401, the client refreshes (the refresh token
/// rotates) and goes on; a later run uses the rotated refresh token.
#[test]
fn refreshes_the_token_on_401() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    assert_eq!(run(&p, &[]).0.code, 0);
    fake.expire_access_tokens();
    let (out, opened) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(opened, 0, "refreshed, not authorized again");
    let s = fake.stats();
    assert_eq!(s.unauthorized, 1, "one 401, then the refreshed token: {s:?}");
    assert_eq!(s.refresh_grants, 1);
    fake.expire_access_tokens();
    let (out, opened) = run(&p, &[]);
    assert_eq!((out.code, opened), (0, 0), "{}", out.stderr);
    assert_eq!(fake.stats().refresh_grants, 2, "the rotated refresh token was stored and works");
    assert_eq!(fake.stats().bad_grants, 0);
    assert_in_step(&p, &fake);
}

/// 429 with Retry-After: the client waits and retries; nothing is duplicated.
#[test]
fn waits_out_429() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    assert_eq!(run(&p, &[]).0.code, 0);
    fake.throttle_next(2, 1);
    let started = std::time::Instant::now();
    let (out, _) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(fake.stats().throttled, 2);
    assert!(started.elapsed().as_secs_f64() >= 2.0, "Retry-After was honoured");
    assert_eq!(fake.stats().playlists_created, 8);
    assert_in_step(&p, &fake);
}

/// A playlist deleted in the app is created again on the next run.
#[test]
fn recreates_a_deleted_playlist() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    assert_eq!(run(&p, &[]).0.code, 0);
    let gone = fake.playlists()[3].id.clone();
    fake.delete_playlist(&gone);
    let (out, _) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("1 playlists created, 7 updated"), "{}", out.stdout);
    assert_in_step(&p, &fake);
}

/// No clusters in the warehouse: a clear error before any network call.
#[test]
fn needs_cluster_playlists() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    {
        let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        conn.execute_batch("DROP TABLE cluster_playlists").unwrap();
    }
    let (out, _) = run(&p, &[]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("cluster_playlists"), "{}", out.stderr);
    assert_eq!(fake.stats(), Default::default());
}

/// Removing a playlist in the app only unfollows it (Spotify has no delete): the rerun sees it
/// through the follow state and creates a new one, leaving the unfollowed one as it was.
#[test]
fn an_unfollowed_playlist_is_created_anew_not_refilled() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    assert_eq!(run(&p, &[]).0.code, 0);
    {
        let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        conn.execute_batch("DELETE FROM cluster_playlists WHERE cluster = 3 AND position % 2 = 0").unwrap();
    }
    let gone = fake.playlists()[3].clone();
    fake.unfollow(&gone.id);
    let (out, _) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("1 playlists created, 7 updated"), "{}", out.stdout);
    assert!(out.stdout.contains("1 of the created replace playlists removed in Spotify"), "{}", out.stdout);
    let old = fake.playlists().into_iter().find(|x| x.id == gone.id).unwrap();
    assert_eq!((old.items, old.followed), (gone.items, false), "the unfollowed playlist is not written to");
    assert_eq!(fake.playlists().len(), 9);
    assert_in_step(&p, &fake);
}

/// A 502 after the server applied the write: the create is found among the user's playlists
/// instead of made twice, the append is checked against the count instead of sent twice.
#[test]
fn a_502_after_an_applied_write_duplicates_nothing() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    fake.fail_after_applying("POST", "/me/playlists");
    fake.fail_after_applying("POST", "/items");
    let (out, _) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(fake.stats().failed_after_apply, 2);
    assert_eq!(fake.playlists().len(), 8, "no extra empty playlist");
    assert_eq!(fake.stats().playlists_created, 8);
    assert!(out.stderr.contains("looking for the playlist before creating it again"), "{}", out.stderr);
    assert!(out.stderr.contains("the playlist now has 200 tracks (100 before the append)") || out.stderr.contains("tracks (100 before the append)"), "{}", out.stderr);
    assert_in_step(&p, &fake);
}

/// Every playlist is filled by replace-then-append and read back 50 items at a time (the
/// API's maximum for `/items`), so the final count is verified.
#[test]
fn fills_by_replace_then_append_and_verifies_50_at_a_time() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    let (out, _) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = fake.stats();
    assert_eq!(s.items_puts, 8, "one replace per playlist");
    let want: usize = expected(&p).values().map(|(_, u)| u.len().saturating_sub(1) / 100).sum();
    assert_eq!(s.items_posts as usize, want, "the rest appended 100 at a time");
    let reads: Vec<_> = fake.log.entries().into_iter().filter(|r| r.method == "GET" && r.path.ends_with("/items")).collect();
    let pages: usize = expected(&p).values().map(|(_, u)| u.len().div_ceil(50)).sum();
    assert_eq!(reads.len(), pages, "each playlist read back once, 50 per page");
    assert!(reads.iter().all(|r| r.param("limit").as_deref() == Some("50")));
    assert_in_step(&p, &fake);
}

/// When the clustering shrinks, the leftover playlists are left alone and named; `--prune`
/// empties, renames and unfollows them, and the others' descriptions follow the new clustering.
#[test]
fn prune_retires_the_playlists_of_clusters_that_are_gone() {
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = project(&fake);
    assert_eq!(run(&p, &[]).0.code, 0);
    {
        let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        conn.execute_batch("DELETE FROM cluster_playlists WHERE cluster >= 6; DELETE FROM clusters WHERE cluster >= 6;").unwrap();
    }
    let before = fake.playlists();
    let (out, _) = run(&p, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.matches("left alone: the cluster no longer exists").count(), 2, "{}", out.stdout);
    assert_eq!(fake.playlists()[6].items, before[6].items, "without --prune, left as they were");
    let (out, _) = run(&p, &["--prune"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.matches("pruned playlist").count(), 2, "{}", out.stdout);
    let after = fake.playlists();
    for x in &after[6..] {
        assert!(x.items.is_empty() && !x.followed && x.name.ends_with("(retired)"), "{x:?}");
    }
    assert!(after[0].description.starts_with("Cluster 0 of 6 "), "{}", after[0].description);
    assert_eq!(fake.stats().unfollows, 2);
    assert_in_step(&p, &fake);
    let (again, _) = run(&p, &["--prune"]);
    assert!(!again.stdout.contains("pruned") && !again.stdout.contains("left alone"), "forgotten once pruned: {}", again.stdout);
}

/// The shared client retries by method: a POST answered 5xx is not sent again (the server may
/// have applied it), a POST whose connection was refused is, like any GET.
#[test]
fn http_retries_non_idempotent_requests_only_when_unapplied() {
    use selecta::http::{Client, HttpError, RetryPolicy};
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let policy = RetryPolicy { max_attempts: 3, base_backoff: std::time::Duration::from_millis(1), ..RetryPolicy::default() };
    let fake = spotify_playlists::start(CLIENT_ID).unwrap();
    fake.fail_after_applying("POST", "/api/token");
    let client = Client::new("t", &fake.base_url, policy.clone()).unwrap();
    let url = client.url("/api/token");
    let e = rt.block_on(client.send("/api/token", |c| c.post(&url).form(&[("grant_type", "nope")]))).unwrap_err();
    assert!(matches!(e, HttpError::MaybeApplied { .. }), "{e}");
    assert_eq!(client.requests_sent(), 1, "a POST is not retried after a 5xx");

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::new("t", &format!("http://127.0.0.1:{port}"), policy).unwrap();
    let url = client.url("/x");
    let e = rt.block_on(client.send("/x", |c| c.post(&url).body("{}"))).unwrap_err();
    assert!(matches!(e, HttpError::Transport { attempts: 3, .. }), "{e}");
    assert_eq!(client.requests_sent(), 3, "a refused connection cannot have been applied: retried");
}
