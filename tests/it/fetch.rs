//! `selecta fetch discogs` and `selecta fetch features` against the fake servers, then `selecta
//! build` loading what they cached.

use std::collections::HashMap;
use std::process::Command;

use selecta::fakes::discogs::{self as fake_discogs, COMPILATION_RELEASE, Collection, HEADINGS_RELEASE};
use selecta::fakes::reccobeats::{self as fake_recco, Fault, Features};
use selecta::fakes::system_clock;

use crate::{Output, Project};

const TOKEN: &str = "fake-discogs-token";

/// Runs the CLI in the project with extra environment (`None` removes a variable).
fn run_env(p: &Project, env: &[(&str, Option<&str>)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selecta"));
    cmd.current_dir(p.dir.path()).arg("--config").arg("selecta.toml").args(args).env_remove("RUST_LOG").env("NO_COLOR", "1");
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd.output().expect("running selecta");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn discogs_project(base_url: &str) -> Project {
    let p = Project::new();
    p.file(
        "selecta.toml",
        &format!(
            r#"warehouse = "out/w.duckdb"
[discogs]
user = "collector"
base_url = "{base_url}"
requests_per_minute = 6000
input = true
[cluster]
enabled = false
"#
        ),
    );
    p
}

/// The fetch command lists and fetches the collection (the token never printed), a rerun
/// fetches only the listing; the build loads the fetched collection through the same staging as CSV files: compilation
/// tracks carry their own artists (release artist = album artist), headings are not tracks,
/// repeated positions on two discs are disambiguated.
#[test]
fn fetch_discogs_then_build() {
    let mut opts = fake_discogs::Options::new(system_clock());
    opts.rate_limit = 6000;
    let fake = fake_discogs::start(Collection::generated("collector", 30), opts).unwrap();
    let p = discogs_project(&fake.base_url);
    let out = run_env(&p, &[("DISCOGS_TOKEN", Some(TOKEN))], &["fetch", "discogs"]).success();
    assert!(out.stdout.contains("discogs collector: 30 releases"), "{}", out.stdout);
    assert!(out.stdout.contains("details fetched: 30 new"), "{}", out.stdout);
    assert!(!out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN));
    assert_eq!(fake.log.len(), 31);

    let again = run_env(&p, &[("DISCOGS_TOKEN", Some(TOKEN))], &["fetch", "discogs", "--user", "collector"]).success();
    assert!(again.stdout.contains("0 new, 0 changed; 30 cached"), "{}", again.stdout);
    assert_eq!(fake.log.len(), 32);

    p.run(&["build"]).success();
    assert_eq!(p.scalar("SELECT count(*) FROM releases"), "30");
    assert_eq!(p.scalar(&format!("SELECT count(*) FROM tracks WHERE release_id = {HEADINGS_RELEASE} AND title LIKE 'Disque%'")), "0");
    assert_eq!(
        p.scalar(&format!("SELECT string_agg(track_id, ' ' ORDER BY seq) FROM tracks WHERE release_id = {HEADINGS_RELEASE}")),
        "100000_A1 100000_A2 100000_A3 100000_A4 100000_A1#2 100000_A2#2 100000_B3 100000_B4a 100000_B4b"
    );
    let row = p.query(&format!("SELECT artist, artist_clean, album_artist, is_compilation FROM tracks WHERE release_id = {COMPILATION_RELEASE} AND position = 'A1'"));
    assert_eq!(row[0], ["Nihil (5) Feat. Human Records (2)", "Nihil Feat. Human Records", "Various", "true"]);
}

/// Without a token the command says where to put one, and sends nothing.
#[test]
fn fetch_discogs_without_token() {
    let fake = fake_discogs::start(Collection::generated("collector", 3), fake_discogs::Options::new(system_clock())).unwrap();
    let p = discogs_project(&fake.base_url);
    let out = run_env(&p, &[("DISCOGS_TOKEN", None)], &["fetch", "discogs"]).failure();
    assert!(out.stderr.contains("DISCOGS_TOKEN is not set"), "{}", out.stderr);
    assert!(fake.log.is_empty());
}

/// Deterministic features for the `seed`-th ID (also the journey's).
pub(crate) fn features(seed: u64) -> Features {
    let f = |k: u64| ((seed * 7919 + k * 104729) % 1000) as f64 / 1000.0;
    Features {
        acousticness: f(1),
        danceability: f(2),
        energy: f(3),
        instrumentalness: f(4),
        key: (seed % 12) as i64,
        liveness: f(5),
        loudness: -60.0 * f(6),
        mode: (seed % 2) as i64,
        speechiness: f(7),
        tempo: 60.0 + 150.0 * f(8),
        valence: f(9),
    }
}

fn spotify_id(i: u64) -> String {
    format!("{:0>22}", format!("sel{i}x"))
}

/// Features for IDs from a file: the known ones found, the others recorded missing, a rerun
/// asks nothing; a malformed answer is a clear error and a non-zero exit.
#[test]
fn fetch_features_from_an_ids_file() {
    let ids: Vec<String> = (0..90).map(spotify_id).collect();
    let known: HashMap<String, Features> = ids.iter().enumerate().filter(|(i, _)| i % 10 != 3).map(|(i, id)| (id.clone(), features(i as u64))).collect();
    let fake = fake_recco::start(known, fake_recco::Options { max_batch: 40, clock: system_clock() }).unwrap();
    let p = Project::new();
    p.file("selecta.toml", &format!("warehouse = \"out/w.duckdb\"\n[reccobeats]\nbase_url = \"{}\"\n", fake.base_url));
    p.file("ids.txt", &format!("{}\nnot-an-id\n", ids.join("\n")));
    fake.fault_on(2, Fault::Malformed);
    let out = run_env(&p, &[], &["fetch", "features", "--source", "reccobeats", "--ids-file", "ids.txt"]).failure();
    assert!(out.stderr.contains("malformed JSON") && out.stderr.contains("batch 2 of 3"), "{}", out.stderr);
    assert!(out.stdout.contains("90 Spotify IDs; asked 50 in 3 requests"), "{}", out.stdout);

    let out = run_env(&p, &[], &["fetch", "features", "--source", "reccobeats", "--ids-file", "ids.txt"]).success();
    assert!(out.stdout.contains("asked 40 in 1 requests: 36 with features, 4 recorded missing; 50 already cached; 1 not Spotify IDs"), "{}", out.stdout);
    assert_eq!(fake.log.len(), 4);
}

/// The original run's 4 113 distinct Spotify IDs, read by the CLI from
/// `my_tracks_spotify_id.csv` (its `spotify_id` column; empty cells skipped): ⌈4113/40⌉ = 103
/// requests, every ID found or recorded missing.
#[test]
fn fetch_features_for_the_original_ids() {
    let Some(csv_path) = crate::shared_data("original_run/my_tracks_spotify_id.csv") else { return };
    let mut rdr = csv::Reader::from_path(&csv_path).unwrap();
    let col = rdr.headers().unwrap().iter().position(|h| h == "spotify_id").unwrap();
    let mut ids: Vec<String> = rdr.records().map(|r| r.unwrap()[col].to_string()).filter(|s| !s.is_empty()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4113);
    // The fake knows all but every 25th.
    let known: HashMap<String, Features> = ids.iter().enumerate().filter(|(i, _)| i % 25 != 0).map(|(i, id)| (id.clone(), features(i as u64))).collect();
    let fake = fake_recco::start(known.clone(), fake_recco::Options { max_batch: 40, clock: system_clock() }).unwrap();
    let p = Project::new();
    p.file("selecta.toml", "warehouse = \"out/w.duckdb\"\n");
    let path = csv_path.display().to_string();
    let out = run_env(&p, &[], &["fetch", "features", "--source", "reccobeats", "--ids-file", &path, "--base-url", &fake.base_url]).success();
    let expected = format!("4113 Spotify IDs; asked 4113 in 103 requests: {} with features, {} recorded missing", known.len(), 4113 - known.len());
    assert!(out.stdout.contains(&expected), "{}", out.stdout);
    assert_eq!(fake.log.len(), 103);
}

/// Features for the warehouse's own IDs, then a build with ReccoBeats as an input: the sample's
/// Exportify file keeps precedence for the IDs it has, ReccoBeats fills the others; with
/// `precedence = "before-files"` ReccoBeats wins everywhere it answered.
#[test]
fn fetch_features_then_build() {
    let p = Project::sample();
    p.run(&["build"]).success();
    let ids: Vec<String> = p.query("SELECT DISTINCT spotify_id FROM track_spotify_ids ORDER BY 1").into_iter().map(|r| r[0].clone()).collect();
    let exportify: std::collections::HashSet<String> = p.query("SELECT spotify_id FROM audio_features").into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(p.scalar("SELECT count(*) FROM tracks_features WHERE NOT has_features"), "11", "the sample's IDs without features");
    // The fake knows every ID but the first.
    let known: HashMap<String, Features> = ids.iter().enumerate().skip(1).map(|(i, id)| (id.clone(), features(i as u64))).collect();
    let fake = fake_recco::start(known.clone(), fake_recco::Options { max_batch: 40, clock: system_clock() }).unwrap();
    let config = std::fs::read_to_string(p.path("selecta.toml")).unwrap();
    p.file("selecta.toml", &format!("{config}\n[reccobeats]\nbase_url = \"{}\"\ninput = true\n", fake.base_url));
    let out = run_env(&p, &[], &["fetch", "features", "--source", "reccobeats"]).success();
    assert!(out.stdout.contains(&format!("{} Spotify IDs; asked {}", ids.len(), ids.len())), "{}", out.stdout);
    assert_eq!(fake.log.len(), ids.len().div_ceil(40));

    p.run(&["build"]).success();
    assert_eq!(p.scalar("SELECT count(*) FROM audio_features WHERE source = 'exportify'"), exportify.len().to_string());
    let lacking = known.keys().filter(|id| !exportify.contains(*id)).count();
    assert_eq!(lacking, 11 - usize::from(!exportify.contains(&ids[0])), "the 11 IDs without features, but the one the fake does not know");
    assert_eq!(p.scalar("SELECT count(*) FROM audio_features WHERE source = 'reccobeats'"), lacking.to_string(), "ReccoBeats fills the IDs Exportify lacks");
    let id = p.scalar("SELECT spotify_id FROM audio_features WHERE source = 'reccobeats' LIMIT 1");
    let energy: f64 = p.scalar(&format!("SELECT energy FROM audio_features WHERE spotify_id = '{id}'")).parse().unwrap();
    assert_eq!(energy, known[&id].energy);
    assert_eq!(p.scalar(&format!("SELECT coalesce(time_signature::VARCHAR, 'NULL') FROM audio_features WHERE spotify_id = '{id}'")), "NULL");

    p.file("selecta.toml", &format!("{config}\n[reccobeats]\nbase_url = \"{}\"\ninput = true\nprecedence = \"before-files\"\n", fake.base_url));
    p.run(&["build"]).success();
    assert_eq!(p.scalar("SELECT count(*) FROM audio_features WHERE source = 'reccobeats'"), known.len().to_string());
}
