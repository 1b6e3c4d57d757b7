//! `selecta match`: matching the warehouse's tracks against the fake Spotify, explaining a
//! decision, resuming after a kill, and never writing a secret.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use selecta::fakes::spotify::{self, Catalogue, FakeOptions, FakeSpotify};

use crate::{Output, Project, filters, shared_data};

const SECRET: &str = "sekrit-3b9f61d2c7";

fn options() -> FakeOptions {
    FakeOptions { client_id: "it-client-5e1".into(), client_secret: SECRET.into(), ..FakeOptions::default() }
}

/// A project with a warehouse holding the first `n` tracks of `my_tracks.csv`, and a config
/// whose `[match]` points at the fake.
fn project(f: &FakeSpotify, n: usize, extra: &str) -> Option<Project> {
    let tracks = shared_data("collection/my_tracks.csv")?;
    let p = Project::new();
    std::fs::create_dir_all(p.path("out")).unwrap();
    {
        let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        selecta::fakes::tracks_table(&conn, &tracks, Some(n)).unwrap();
    }
    p.file(
        "selecta.toml",
        &format!(
            "warehouse = \"out/w.duckdb\"\n[match]\napi_base_url = \"{}\"\naccounts_base_url = \"{}\"\nbackoff_ms = 10\n{extra}\n",
            f.url("/v1"),
            f.base_url
        ),
    );
    Some(p)
}

fn command(p: &Project, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_selecta"));
    c.current_dir(p.dir.path())
        .arg("--config")
        .arg("selecta.toml")
        .args(args)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .env("SPOTIFY_CLIENT_ID", "it-client-5e1")
        .env("SPOTIFY_CLIENT_SECRET", SECRET);
    c
}

fn run(p: &Project, args: &[&str]) -> Output {
    let out = command(p, args).output().expect("running selecta");
    Output { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

fn fake() -> Option<FakeSpotify> {
    let ids = shared_data("original_run/my_tracks_spotify_id.csv")?;
    Some(spotify::start(Catalogue::from_original_run(&ids, 42).unwrap(), options()).unwrap())
}

fn matches(db: &Path) -> Vec<(String, Option<String>, String)> {
    let conn = duckdb::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT track_id, spotify_id, quality FROM track_matches ORDER BY track_id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

/// `selecta match` fills track_matches, prints a summary; `--explain` shows the candidates;
/// with -vv, neither the secret nor a token appears on stdout, stderr or in any file.
#[test]
fn match_then_explain_and_no_secret_anywhere() {
    let Some(f) = fake() else { return };
    let Some(p) = project(&f, 40, "") else { return };
    let out = run(&p, &["-vv", "match"]).success();
    assert!(out.stdout.contains("matched") && out.stdout.contains("by quality:"), "{}", out.stdout);
    let m = matches(&p.path("out/w.duckdb"));
    assert_eq!(m.len(), 40);
    assert_eq!(m.iter().filter(|r| r.1.is_some()).count(), 39, "{m:?}");
    let explain = run(&p, &["match", "--explain", "2469079_A2"]).success();
    assert!(explain.stdout.contains("candidates (* = chosen):") && explain.stdout.contains("Riverside"), "{}", explain.stdout);
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!("match_summary", out.stdout);
        insta::assert_snapshot!("match_explain", explain.transcript());
    });
    let missing = run(&p, &["match", "--explain", "nope"]).failure();
    assert!(missing.stderr.contains("no track nope"), "{}", missing.stderr);

    let mut secrets: Vec<String> = f.tokens();
    secrets.push(SECRET.into());
    let mut texts = vec![out.stdout, out.stderr, explain.stdout, explain.stderr];
    for entry in walk(p.dir.path()) {
        texts.push(String::from_utf8_lossy(&std::fs::read(entry).unwrap()).into_owned());
    }
    for s in &secrets {
        assert!(texts.iter().all(|t| !t.contains(s.as_str())), "a secret leaked");
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// A run killed mid-way (SIGKILL) loses no committed match and, rerun, sends no request
/// whose answer was already cached; it ends where an uninterrupted run ends.
#[test]
fn a_killed_run_resumes_without_repeating_cached_requests() {
    let Some(f) = fake() else { return };
    let extra = "batch_size = 10\nconcurrency = 1";
    // Reference: uninterrupted.
    let Some(reference) = project(&f, 300, extra) else { return };
    run(&reference, &["match"]).success();
    let want = matches(&reference.path("out/w.duckdb"));

    let Some(f) = fake() else { return };
    let p = project(&f, 300, extra).unwrap();
    let mut child = command(&p, &["match"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let t = Instant::now();
    while f.log.count("/v1/search") < 150 && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(f.log.count("/v1/search") >= 150);
    let cached: HashSet<String> = {
        let conn = duckdb::Connection::open(p.path("out/w.state.duckdb")).unwrap();
        let mut stmt = conn.prepare("SELECT q FROM spotify_search_cache").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(cached.len() >= 100, "batches were committed before the kill: {}", cached.len());
    f.log.clear();
    run(&p, &["match"]).success();
    let resent: Vec<String> = f.log.to("/v1/search").iter().filter_map(|r| r.param("q")).filter(|q| cached.contains(q)).collect();
    assert!(resent.is_empty(), "{} cached requests sent again", resent.len());
    assert_eq!(matches(&p.path("out/w.duckdb")), want);
}
