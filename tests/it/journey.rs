//! A new user's journey against the fake Discogs, Spotify and ReccoBeats servers: `selecta init
//! --discogs-user NAME`, `selecta build` (fetch.discogs → ingest → staging → match →
//! fetch.features → marts → cluster → report), `selecta playlists spotify`; a second build sends
//! nothing; without Spotify credentials the build still ends well, naming what is missing.

use std::collections::HashMap;
use std::process::Command;

use selecta::fakes::discogs::{self as fake_discogs, Collection, FakeDiscogs};
use selecta::fakes::reccobeats::{self as fake_recco, FakeReccoBeats, Features};

use crate::fetch::features;
use selecta::fakes::spotify::{self as fake_spotify, Catalogue, FakeOptions, FakeSpotify};
use selecta::fakes::{spotify_playlists, system_clock};
use selecta::fetch::discogs_ingest::{release_row, track_rows};

use crate::{Output, Project};

const USER: &str = "collector";
const RELEASES: usize = 30;

/// The three fakes, serving one consistent world: the Discogs collection, a Spotify catalogue
/// holding its tracks (under name variations, among distractors), features for every catalogue track.
struct World {
    discogs: FakeDiscogs,
    spotify: FakeSpotify,
    recco: FakeReccoBeats,
}

/// A release credited under a name variation (`anv`: K.A.B. for Karl Axel Bissler), whose A side
/// is one index track "My Kingdom" with the sub-tracks "Part 1" and "Part 2".
const KINGDOM: u64 = 999_001;

fn kingdom() -> serde_json::Value {
    let artist = serde_json::json!([{"name": "Karl Axel Bissler", "anv": "K.A.B.", "join": "", "role": "", "tracks": "", "id": 4242}]);
    serde_json::json!({
        "id": KINGDOM, "title": "Kingdom", "year": 2011, "artists": artist, "genres": ["Electronic"], "styles": ["Techno"],
        "labels": [{"name": "Bissler Records", "id": 9}], "formats": [{"name": "Vinyl", "descriptions": ["LP"]}], "country": "Sweden", "master_id": 0,
        "tracklist": [
            {"position": "", "type_": "index", "title": "My Kingdom", "duration": "",
             "sub_tracks": [{"position": "A1", "type_": "track", "title": "Part 1", "duration": "4:01"},
                            {"position": "A2", "type_": "track", "title": "Part 2", "duration": "5:02"}]},
            {"position": "B1", "type_": "track", "title": "Solstice Drone", "duration": "6:03"}
        ]
    })
}

/// The Spotify IDs of the Kingdom release's tracks.
fn kingdom_ids() -> [(&'static str, &'static str, String); 3] {
    [("999001_A1", "My Kingdom Part 1", format!("{:0>22}", "kab1")), ("999001_A2", "My Kingdom Part 2", format!("{:0>22}", "kab2")), ("999001_B1", "Solstice Drone", format!("{:0>22}", "kab3"))]
}

fn world() -> World {
    let mut collection = Collection::generated(USER, RELEASES - 1);
    collection.add(kingdom(), 9_999_999);
    let mut rows = Vec::new();
    for (track_id, title, id) in kingdom_ids() {
        rows.push(("K.A.B.".to_string(), "Kingdom".to_string(), track_id.to_string(), title.to_string(), id));
    }
    for (n, doc) in collection.releases.values().filter(|d| d["id"] != KINGDOM).enumerate() {
        let r = release_row(doc);
        for (k, t) in track_rows(doc).into_iter().filter(|t| t.type_ == "track").enumerate() {
            let id = format!("{:0>22}", format!("jr{n}x{k}"));
            let artist = t.track_artists.clone().or(r.artist.clone()).unwrap_or_default();
            let track_id = format!("{}_{}#{k}", r.release_id, t.position.clone().unwrap_or_default());
            rows.push((artist, r.title.clone().unwrap_or_default(), track_id, t.title.clone().unwrap_or_default(), id));
        }
    }
    let catalogue = Catalogue::generate(&rows, 7);
    let known: HashMap<String, Features> = catalogue.tracks.iter().enumerate().map(|(i, t)| (t.id.clone(), features(i as u64))).collect();
    let mut opts = fake_discogs::Options::new(system_clock());
    opts.rate_limit = 6000;
    World {
        discogs: fake_discogs::start(collection, opts).unwrap(),
        spotify: fake_spotify::start(catalogue, FakeOptions::default()).unwrap(),
        recco: fake_recco::start(known, fake_recco::Options { max_batch: 40, clock: system_clock() }).unwrap(),
    }
}

/// Runs the CLI in the project folder with the secrets a user would have in `.env`
/// (`spotify = false`: no Spotify credentials).
fn selecta(p: &Project, spotify: bool, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selecta"));
    cmd.current_dir(p.dir.path()).args(args).env_remove("RUST_LOG").env_remove("SELECTA_CONFIG").env("NO_COLOR", "1").env("DISCOGS_TOKEN", "fake-discogs-token");
    if spotify {
        cmd.env("SPOTIFY_CLIENT_ID", "fake-client-id").env("SPOTIFY_CLIENT_SECRET", "fake-client-secret");
    } else {
        cmd.env_remove("SPOTIFY_CLIENT_ID").env_remove("SPOTIFY_CLIENT_SECRET");
    }
    let out = cmd.output().expect("running selecta");
    Output { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

/// `selecta init --discogs-user collector`, then the written config pointed at the fakes (the
/// only edit: base URLs, as a user never needs to).
fn init(w: &World, playlists: Option<&spotify_playlists::FakeSpotify>) -> Project {
    let p = Project::new();
    let out = selecta(&p, true, &["init", "--discogs-user", USER]).success();
    eprintln!("--- selecta init --discogs-user {USER}\n{}", out.stdout);
    assert!(out.stdout.contains("wrote ./selecta.toml"), "{}", out.stdout);
    assert!(std::fs::read_to_string(p.path(".env.example")).unwrap().contains("SPOTIFY_CLIENT_ID="));
    let again = selecta(&p, true, &["init", "--discogs-user", USER]).failure();
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let mut text = std::fs::read_to_string(p.path("selecta.toml")).unwrap();
    let mut set = |from: &str, to: String| {
        assert!(text.contains(from), "selecta init wrote no `{from}`");
        text = text.replacen(from, &to, 1);
    };
    set("# base_url = \"https://api.discogs.com\"", format!("base_url = \"{}\"", w.discogs.base_url));
    set("# requests_per_minute = 60", "requests_per_minute = 6000".into());
    set("# source = \"spotify\"", format!("api_base_url = \"{}\"\naccounts_base_url = \"{}\"", w.spotify.url("/v1"), w.spotify.base_url));
    set("# base_url = \"https://api.reccobeats.com\"", format!("base_url = \"{}\"", w.recco.base_url));
    if let Some(pl) = playlists {
        set(
            "# client_id = \"\"",
            format!("client_id = \"{}\"\naccounts_url = \"{}\"\napi_url = \"{}\"\nredirect_port = 0\nauth_timeout_secs = 30", CLIENT_ID, pl.base_url, pl.url("/v1")),
        );
    }
    p.file("selecta.toml", &text);
    p
}

const CLIENT_ID: &str = "fakeclientid0123456789";

/// The run-log line of a step, with its note (the `↳` line under it).
fn step_line(out: &Output, step: &str) -> String {
    let lines: Vec<&str> = out.stdout.lines().collect();
    let i = lines.iter().position(|l| l.contains(&format!(" {step} "))).unwrap_or_else(|| panic!("no step {step} in\n{}", out.stdout));
    match lines.get(i + 1) {
        Some(next) if next.contains('↳') => format!("{}\n{next}", lines[i]),
        _ => lines[i].to_string(),
    }
}

fn counts(w: &World) -> (usize, usize, usize) {
    (w.discogs.log.len(), w.spotify.log.len(), w.recco.log.len())
}

/// From a username to playlists in three commands; the second build sends 0 requests.
#[test]
fn from_a_discogs_username_to_playlists() {
    let w = world();
    let pl = spotify_playlists::start(CLIENT_ID).unwrap();
    let p = init(&w, Some(&pl));
    let out = selecta(&p, true, &["build"]).success();
    eprintln!("--- selecta build\n{}", out.stdout);
    for step in ["fetch.discogs", "ingest.discogs_api", "match", "fetch.features", "ingest.reccobeats", "cluster", "report"] {
        assert!(step_line(&out, step).contains(" OK "), "{step}: {}", out.stdout);
    }
    let first = counts(&w);
    assert_eq!(first.0, 1 + RELEASES, "one collection page and every release");
    assert!(first.1 > 100 && first.2 > 0, "{first:?}");
    assert_eq!(p.scalar("SELECT count(*) FROM releases"), RELEASES.to_string());
    let matched: i64 = p.scalar("SELECT count(*) FROM track_spotify_ids").parse().unwrap();
    let tracks: i64 = p.scalar("SELECT count(*) FROM tracks").parse().unwrap();
    assert!(matched * 10 >= tracks * 8, "{matched} of {tracks} tracks matched");
    // Matched as printed on the record: the credit where the name fails, the index title before "Part N".
    assert_eq!(p.scalar("SELECT artist_credit FROM tracks WHERE track_id = '999001_A1'"), "K.A.B.");
    assert_eq!(p.scalar("SELECT work FROM tracks WHERE track_id = '999001_A2'"), "My Kingdom");
    for (track_id, _, id) in kingdom_ids() {
        assert_eq!(p.query(&format!("SELECT spotify_id FROM track_spotify_ids WHERE track_id = '{track_id}'")), [[id]], "{track_id}");
    }
    let clusters = p.query("SELECT cluster, name FROM clusters ORDER BY cluster");
    assert_eq!(clusters.len(), 8);
    assert!(clusters.iter().all(|c| !c[1].is_empty()), "named clusters: {clusters:?}");

    let again = selecta(&p, true, &["build"]).success();
    let second = counts(&w);
    eprintln!("requests (discogs, spotify, reccobeats): first build {first:?}, after the second build {second:?}");
    assert_eq!(second, first, "the second build sends 0 requests:\n{}", again.stdout);
    assert!(step_line(&again, "fetch.discogs").contains("nothing asked"), "{}", again.stdout);
    assert!(step_line(&again, "match").contains("0 requests"), "{}", again.stdout);
    assert!(step_line(&again, "fetch.features").contains("0 asked in 0 requests"), "{}", again.stdout);

    eprintln!("--- selecta build (again)\n{}", again.stdout);
    let (out, opened) = crate::playlists::run(&p, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    eprintln!("--- selecta playlists spotify\n{}", out.stdout);
    assert_eq!(opened, 1, "one authorization");
    let mut names: Vec<String> = pl.playlists().into_iter().map(|p| p.name).collect();
    names.sort();
    let mut want: Vec<String> = clusters.iter().map(|c| format!("selecta · {}", c[1])).collect();
    want.sort();
    assert_eq!(names, want, "one playlist per cluster, named after it");

    // The report, written again, links each cluster to its playlist and each track to its page.
    let html = std::fs::read_to_string(p.path("selecta-report.html")).unwrap();
    let playlist_links = pl.playlists().iter().filter(|x| html.contains(&format!("https://open.spotify.com/playlist/{}", x.id))).count();
    assert_eq!(playlist_links, 8, "every cluster links to its playlist");
    assert!(html.contains("<a href=\"https://open.spotify.com/track/"), "tracks link to Spotify");
    assert!(html.contains("</title></circle></a>"), "scatter points have a hover title and a link");
}

/// No Spotify credentials: `match` ends SKIP naming SPOTIFY_CLIENT_ID, the warehouse holds the
/// releases and tracks, and the build exits 0.
#[test]
fn without_spotify_credentials_the_build_still_ends_well() {
    let w = world();
    let p = init(&w, None);
    let out = selecta(&p, false, &["build"]).success();
    let line = step_line(&out, "match");
    assert!(line.contains("SKIP"), "{}", out.stdout);
    assert!(out.stdout.contains("SPOTIFY_CLIENT_ID is not set"), "{}", out.stdout);
    assert_eq!(p.scalar("SELECT count(*) FROM releases"), RELEASES.to_string());
    assert!(p.scalar("SELECT count(*) FROM tracks").parse::<i64>().unwrap() > 100);
    assert_eq!(p.scalar("SELECT count(*) FROM track_spotify_ids"), "0");
    assert!(step_line(&out, "cluster").contains("SKIP"), "{}", out.stdout);
    assert_eq!(w.spotify.log.len(), 0);
    eprintln!("{}", out.stdout);
}

/// `--offline`: nothing is sent, the network steps say so, the build still ends well.
#[test]
fn offline_sends_nothing() {
    let w = world();
    let p = init(&w, None);
    let out = selecta(&p, true, &["build", "--offline"]).success();
    assert!(step_line(&out, "fetch.discogs").contains("SKIP"), "{}", out.stdout);
    assert!(step_line(&out, "fetch.features").contains("SKIP"), "{}", out.stdout);
    assert_eq!(counts(&w), (0, 0, 0));
}
