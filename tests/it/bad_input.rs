//! What real users feed the built binary: files written by other tools, broken CSVs, hostile
//! queries, odd folders, two builds at once. One test per case of issue 10, each named after it:
//! nothing is dropped silently, nothing panics, the last good warehouse stays intact.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Output, Project, repo};

/// The sample's CSV `rel` as rows (header first).
fn rows(p: &Project, rel: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(p.path(rel)).unwrap();
    r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect()
}

/// Writes rows as CSV (LF line ends, quoting where needed).
fn write_rows(p: &Project, rel: &str, rows: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::Any(b'\n')).from_path(p.path(rel)).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// Sets column `col` (by header name) of data row `i` (1 = first after the header).
fn set(rows: &mut [Vec<String>], i: usize, col: &str, value: &str) {
    let c = rows[0].iter().position(|h| h.trim_start_matches('\u{feff}') == col).unwrap_or_else(|| panic!("no column {col}"));
    rows[i][c] = value.to_string();
}

fn edit(p: &Project, rel: &str, f: impl FnOnce(&mut Vec<Vec<String>>)) {
    let mut r = rows(p, rel);
    f(&mut r);
    write_rows(p, rel, &r);
}

/// The sample built once (a last good warehouse), for the cases that must leave it intact.
fn built_sample() -> Project {
    let p = Project::sample();
    p.run(&["build"]).success();
    p
}

/// A failed build: exit 1 (never a panic's 101), the failure printed, the side file gone, the
/// last good warehouse still answering, and the run ended `failed` in `runs`.
#[track_caller]
fn failed_cleanly(p: &Project, out: &Output) {
    assert_eq!(out.code, 1, "exit code\n{}\n{}", out.stdout, out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(!p.path("out/w.duckdb.building").exists(), "the side file is removed");
    assert_eq!(p.scalar("SELECT count(*) FROM tracks"), "365", "the last good warehouse answers");
    assert_eq!(p.scalar("SELECT status FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1"), "failed");
    assert_eq!(p.scalar("SELECT count(*) FROM runs WHERE status = 'running'"), "0");
}

fn step_line<'a>(out: &'a Output, step: &str) -> &'a str {
    let needle = format!(" {step} ");
    out.stdout.lines().find(|l| l.contains(&needle)).unwrap_or_else(|| panic!("no step {step}\n{}", out.stdout))
}

/// The note printed under a step's line.
fn step_note<'a>(out: &'a Output, step: &str) -> &'a str {
    let needle = format!(" {step} ");
    let mut lines = out.stdout.lines().skip_while(|l| !l.contains(&needle));
    lines.next();
    lines.next().map(|l| l.trim().trim_start_matches("↳ ")).unwrap_or("")
}

// --- Silent loss -----------------------------------------------------------------------------

/// Proves: one unbalanced quote mid-file that would swallow the next 44 lines into one field
/// fails the build naming the file, the line where the quote opened and the field.
#[test]
fn an_unbalanced_quote_mid_file_fails_naming_file_line_and_field() {
    let p = built_sample();
    let text = std::fs::read_to_string(p.path("data/exportify.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Line 20: the track name opens a quote; line 64's closes it, 44 lines later.
    lines[19] = lines[19].replacen(",", ",\"", 1);
    lines[63] = lines[63].replacen(",", "\",", 1);
    p.file("data/exportify.csv", &(lines.join("\n") + "\n"));
    let out = p.run(&["build"]);
    assert!(out.stdout.contains("data/exportify.csv:20: field `Track Name`: unbalanced quote"), "{}", out.stdout);
    failed_cleanly(&p, &out);
}

// --- Panics instead of failed checks -----------------------------------------------------------

/// Proves: a release listed twice in one file fails `check.stg_releases_key` (stored in
/// check_failures with both lines), not a panic.
#[test]
fn a_release_listed_twice_fails_its_key_check() {
    let p = built_sample();
    edit(&p, "data/collection.csv", |r| {
        let again = r[3].clone();
        r.push(again);
    });
    let out = p.run(&["build"]);
    assert!(out.stdout.contains("FAIL  check.stg_releases_key"), "{}", out.stdout);
    assert!(out.stdout.contains("1 offending rows: 1015839 (2×)"), "{}", out.stdout);
    failed_cleanly(&p, &out);
    assert_eq!(p.scalar("SELECT detail FROM check_failures WHERE check_name = 'check.stg_releases_key'"), "data/collection.csv:4, data/collection.csv:36");
}

/// Proves: the same releases file listed twice fails `check.stg_releases_key` for every release.
#[test]
fn the_same_releases_file_listed_twice_fails_its_key_check() {
    let p = built_sample();
    let config = std::fs::read_to_string(p.path("selecta.toml")).unwrap();
    p.file("selecta.toml", &config.replace(r#"releases = ["data/collection.csv"]"#, r#"releases = ["data/collection.csv", "data/collection.csv"]"#));
    let out = p.run(&["build"]);
    assert!(out.stdout.contains("FAIL  check.stg_releases_key") && out.stdout.contains("[34 rows in"), "{}", out.stdout);
    failed_cleanly(&p, &out);
    assert_eq!(p.scalar("SELECT count(*) || ' ' || max(offending_rows) FROM check_failures WHERE check_name = 'check.stg_releases_key'"), "10 34");
}

/// Proves: two tracks with the same key (a tracklist file listed twice) fail `check.stg_tracks_key`.
#[test]
fn two_tracks_with_the_same_key_fail_their_key_check() {
    let p = built_sample();
    edit(&p, "data/collection_tracks.csv", |r| {
        let again = r[1].clone();
        r.push(again);
    });
    let out = p.run(&["build"]);
    assert!(out.stdout.contains("FAIL  check.stg_tracks_key"), "{}", out.stdout);
    assert!(out.stdout.contains("1000001_A1 (2×)"), "{}", out.stdout);
    failed_cleanly(&p, &out);
}

// --- Line numbers ------------------------------------------------------------------------------

/// Proves: on a CRLF file every source_line is the physical line, as on the LF file: in the raw
/// tables, in quarantine and in errors.
#[test]
fn crlf_files_have_the_same_line_numbers_as_lf() {
    let p = Project::sample();
    edit(&p, "data/spotify_ids.csv", |r| r[10].push("extra".into()));
    p.run(&["build"]).success();
    let lf = (p.query("SELECT source_line, field, problem FROM quarantine"), p.scalar("SELECT max(source_line) FROM raw_spotify_ids"));
    let text = std::fs::read_to_string(p.path("data/spotify_ids.csv")).unwrap();
    p.file("data/spotify_ids.csv", &text.replace('\n', "\r\n"));
    p.run(&["build"]).success();
    let crlf = (p.query("SELECT source_line, field, problem FROM quarantine"), p.scalar("SELECT max(source_line) FROM raw_spotify_ids"));
    assert_eq!(lf.0, [["11".to_string(), String::new(), "7 fields where the header has 6".into()]]);
    assert_eq!(lf, crlf);
    assert_eq!(crlf.1, text.lines().count().to_string(), "the last row is on the file's last line");
}

// --- Numbers accepted as they came ------------------------------------------------------------

/// The quarantine rows of features, as `line field problem`.
fn feature_quarantine(p: &Project) -> Vec<String> {
    p.query("SELECT source_line || ' ' || field || ' ' || problem FROM quarantine WHERE input = 'features' ORDER BY source_line, field")
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

/// Proves: NaN, inf and 1e309 features are quarantined with the field and reason, with
/// clustering on the build succeeds, and none is stored.
#[test]
fn nan_inf_and_1e309_features_are_quarantined() {
    let p = Project::sample();
    edit(&p, "data/exportify.csv", |r| {
        set(r, 1, "Danceability", "NaN");
        set(r, 2, "Energy", "inf");
        set(r, 3, "Valence", "1e309");
    });
    let out = p.run(&["build"]).success();
    assert_eq!(
        feature_quarantine(&p),
        ["2 danceability not a finite number: NaN", "3 energy not a finite number: inf", "4 valence not a finite number: 1e309"]
    );
    assert!(step_line(&out, "staging.audio_features").contains("WARN"), "{}", out.stdout);
    assert_eq!(p.scalar("SELECT count(*) FROM stg_audio_features WHERE NOT (isfinite(danceability) AND isfinite(energy) AND isfinite(valence))"), "0");
    assert_eq!(p.scalar("SELECT count(*) FROM audio_features"), "333");
}

/// Proves: `Key = 1e20` and `Duration (ms) = 1e300` are quarantined instead of crashing staging.
#[test]
fn a_huge_key_or_duration_is_quarantined_not_a_crash() {
    let p = Project::sample();
    edit(&p, "data/exportify.csv", |r| {
        set(r, 1, "Key", "1e20");
        set(r, 2, "Duration (ms)", "1e300");
    });
    p.run(&["build"]).success();
    assert_eq!(feature_quarantine(&p), ["2 key out of range (-1 to 11): 1e20", "3 duration_ms out of range (over 0 to 86400000): 1e300"]);
}

/// Proves: danceability 7, tempo −1 and mode 2 are quarantined, naming the field and range.
#[test]
fn out_of_range_features_are_quarantined() {
    let p = Project::sample();
    edit(&p, "data/exportify.csv", |r| {
        set(r, 1, "Danceability", "7");
        set(r, 2, "Tempo", "-1");
        set(r, 3, "Mode", "2");
        set(r, 4, "Key", "5.5");
    });
    let out = p.run(&["build"]).success();
    assert_eq!(
        feature_quarantine(&p),
        [
            "2 danceability out of range (0 to 1): 7",
            "3 tempo out of range (0 to 500): -1",
            "4 mode out of range (0 to 1): 2",
            "5 key not a whole number: 5.5"
        ]
    );
    assert_eq!(step_note(&out, "staging.audio_features"), "4 rows quarantined (see table quarantine)");
}

/// Proves: a release id `1007920.7` is quarantined (never rounded to 1007921), and a year that is
/// not a number is quarantined as a field while its release stays with no year.
#[test]
fn a_fractional_release_id_and_a_non_numeric_year_are_quarantined() {
    let p = Project::sample();
    edit(&p, "data/collection.csv", |r| {
        let mut extra = r[2].clone();
        extra[0] = "1007920.7".into();
        r.push(extra);
        set(r, 3, "year", "19x5");
    });
    let out = p.run(&["build"]).success();
    let q: Vec<String> = p.query("SELECT source_line || ' ' || field || ' ' || problem FROM quarantine ORDER BY 1").into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(q, ["36 release_id release id is not a whole number: 1007920.7", "4 year year is not a whole number from 1860 to 2100: 19x5"]);
    assert_eq!(p.scalar("SELECT count(*) FROM releases WHERE release_id = 1007921"), "0");
    assert_eq!(p.scalar("SELECT coalesce(CAST(year AS VARCHAR), 'NULL') FROM releases WHERE release_id = 1015839"), "NULL");
    assert_eq!(step_note(&out, "staging.releases"), "2 rows quarantined (see table quarantine)");
}

// --- Paths -------------------------------------------------------------------------------------

/// Proves: a warehouse in a folder named `Bob's music` builds, is queried and exported, and so
/// does one under a long path of spaces and non-ASCII letters; an export file may hold an
/// apostrophe too.
#[test]
fn a_warehouse_in_bob_s_music_builds() {
    let long = format!("Bob's music/Été 2024 — ünïcode/{}", "a folder with spaces ".repeat(10).trim_end());
    for folder in ["Bob's music", long.as_str()] {
        let p = Project::new();
        for f in ["collection.csv", "collection_tracks.csv", "spotify_ids.csv", "exportify.csv"] {
            p.copy(&repo().join("data/sample").join(f), &format!("{folder}/data/it's {f}"));
        }
        p.file(
            &format!("{folder}/selecta.toml"),
            "warehouse = \"out/Bob's w.duckdb\"\n[inputs]\nreleases = [\"data/it's collection.csv\"]\ntracklists = [\"data/it's collection_tracks.csv\"]\nspotify_ids = [\"data/it's spotify_ids.csv\"]\nfeatures = [\"data/it's exportify.csv\"]\n",
        );
        let config = format!("{folder}/selecta.toml");
        let out = p.run_config(&config, &["build"]).success();
        assert!(out.stdout.contains("Warehouse ready"), "{}", out.stdout);
        assert_eq!(p.query_config(&config, "SELECT count(*) FROM tracks_features")[0][0], "346");
        assert_eq!(p.query_config(&config, "SELECT count(*) FROM run_log")[0][0], "55");
        p.run_config(&config, &["export", "tracks", "--format", "csv", "--out", "out/Bob's tracks.csv"]).success();
        // `--out` is relative to the working directory (the project folder here).
        let exported = std::fs::read_to_string(p.path("out/Bob's tracks.csv")).unwrap();
        assert_eq!(exported.lines().count(), 366);
    }
}

// --- "Read-only" SQL writes ----------------------------------------------------------------------

/// `selecta sql QUERY` refused: exit 2, a refusal on stderr, nothing written, the warehouse still opens.
#[track_caller]
fn refused(p: &Project, query: &str) -> String {
    let out = p.run(&["sql", query]);
    assert_eq!(out.code, 2, "{query}\n{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.starts_with("error: refused: "), "{}", out.stderr);
    assert_eq!(p.scalar("SELECT count(*) FROM tracks"), "365", "the warehouse still opens");
    out.stderr
}

/// Proves: `COPY (…) TO 'file.csv'` is refused and writes no file.
#[test]
fn sql_copy_to_a_file_is_refused() {
    let p = built_sample();
    let e = refused(&p, "COPY tracks TO 'x.csv'");
    assert!(e.contains("COPY is not a read statement"), "{e}");
    refused(&p, "COPY (SELECT * FROM tracks) TO 'x.csv' (HEADER)");
    refused(&p, "SELECT 1; COPY tracks TO 'x.csv'");
    assert!(!p.path("x.csv").exists());
}

/// Proves: `EXPORT DATABASE` is refused and writes nothing.
#[test]
fn sql_export_database_is_refused() {
    let p = built_sample();
    refused(&p, "EXPORT DATABASE 'dump'");
    assert!(!p.path("dump").exists());
}

/// Proves: `COPY … TO` the warehouse's own path is refused and the warehouse is unharmed.
#[test]
fn sql_copy_to_the_warehouse_itself_is_refused() {
    let p = built_sample();
    let before = std::fs::read(p.path("out/w.duckdb")).unwrap();
    refused(&p, "COPY tracks TO 'out/w.duckdb' (FORMAT csv)");
    assert_eq!(std::fs::read(p.path("out/w.duckdb")).unwrap(), before);
}

/// Proves: `INSTALL httpfs` (and LOAD, ATTACH, SET) is refused before DuckDB tries, and no
/// `~/.duckdb/extensions` appears.
#[test]
fn sql_install_is_refused() {
    let p = built_sample();
    let home = p.path("home");
    std::fs::create_dir_all(&home).unwrap();
    for q in ["INSTALL httpfs", "LOAD httpfs", "ATTACH 'other.duckdb' AS o", "SET enable_external_access = true", "PRAGMA threads = 1"] {
        let out = Command::new(env!("CARGO_BIN_EXE_selecta")).current_dir(p.dir.path()).env("HOME", &home).args(["sql", q]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{q}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(!home.join(".duckdb").exists(), "no extension folder is created");
    assert!(!p.path("other.duckdb").exists());
}

// --- Two builds at once --------------------------------------------------------------------------

/// The sample with a large extra features file (60 000 IDs no track has): a build that takes
/// long enough for another to start meanwhile.
fn slow_sample() -> Project {
    let p = Project::sample();
    let mut text = std::fs::read_to_string(p.path("data/exportify.csv")).unwrap();
    for i in 0..60_000u64 {
        let id: String = format!("{i:0>22}").chars().map(|c| if c == '0' { 'z' } else { c }).collect();
        text.push_str(&format!("spotify:track:{id},Extra {i},Album,Artist,2000-01-01,200000,10,false,x,2026-01-01T00:00:00Z,,,0.5,0.5,1,-8.0,1,0.04,0.1,0.5,0.1,0.3,120.0,4\n"));
    }
    p.file("data/exportify.csv", &text);
    p
}

fn spawn_build(p: &Project, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_selecta"))
        .current_dir(p.dir.path())
        .args(["--config", "selecta.toml", "build"])
        .args(extra)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: std::process::Child) -> Output {
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Proves: of two builds started together, one builds and the other fails at once with
/// "another build (pid N) is running"; `selecta sql` answers from the last good warehouse
/// meanwhile; the warehouse is valid afterwards. With `--wait`, the second waits and builds.
#[test]
fn two_builds_at_once_one_fails_with_the_lock_message() {
    let p = slow_sample();
    p.run(&["build"]).success();
    let first = spawn_build(&p, &[]);
    let second = spawn_build(&p, &[]);
    let during = p.scalar("SELECT count(*) FROM tracks");
    let (a, b) = (finish(first), finish(second));
    let (won, lost) = if a.code == 0 { (a, b) } else { (b, a) };
    assert_eq!(won.code, 0, "{}\n{}", won.stdout, won.stderr);
    assert_eq!(lost.code, 1, "{}\n{}", lost.stdout, lost.stderr);
    let msg = lost.stderr.lines().find(|l| l.contains("another build (pid ")).unwrap_or_else(|| panic!("{}", lost.stderr));
    assert!(msg.contains(") is running on out/w.duckdb"), "{msg}");
    assert_eq!(during, "365", "selecta sql answers during a build");
    assert_eq!(p.scalar("SELECT count(*) FROM tracks"), "365");
    assert_eq!(p.scalar("SELECT count(*) FROM audio_features"), "60336");
    assert!(p.scalar("SELECT count(*) FROM duckdb_tables()").parse::<i64>().unwrap() > 20, "the warehouse has its tables");
    assert!(!p.path("out/w.duckdb.building").exists());

    // Both wait: whichever takes the lock second builds after the first.
    let first = spawn_build(&p, &["--wait", "120"]);
    let second = spawn_build(&p, &["--wait", "120"]);
    let (a, b) = (finish(first), finish(second));
    assert_eq!((a.code, b.code), (0, 0), "{}\n{}", a.stderr, b.stderr);
    assert_eq!(p.scalar("SELECT count(*) FROM runs WHERE status = 'succeeded'"), "4");
}

/// Proves: a lock file left by a dead build (its pid written, no lock held) is taken over.
#[test]
fn a_stale_lock_of_a_dead_build_is_taken_over() {
    let p = Project::sample();
    p.file("out/w.duckdb.lock", "999999999");
    p.run(&["build"]).success();
}

/// Proves: Ctrl-C (SIGINT) during a build ends the run as `interrupted` (exit 130), removes the
/// side file and leaves the last good warehouse as it was.
#[test]
fn ctrl_c_ends_the_run_interrupted_and_removes_the_side_file() {
    let p = slow_sample();
    p.run(&["build"]).success();
    let child = spawn_build(&p, &[]);
    let t0 = Instant::now();
    while !p.path("out/w.duckdb.building").exists() && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(150));
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = finish(child);
    assert_eq!(out.code, 130, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("interrupted (Ctrl-C)"), "{}", out.stdout);
    assert!(!p.path("out/w.duckdb.building").exists());
    assert_eq!(p.scalar("SELECT status FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1"), "interrupted");
    assert_eq!(p.scalar("SELECT count(*) FROM tracks"), "365");
}

// --- Missing features ------------------------------------------------------------------------

/// Proves: a features file with only its header builds: clustering is a SKIP with the reason,
/// tracks and IDs are swapped in, the report says what is missing.
#[test]
fn a_features_file_with_only_a_header_builds_without_clusters() {
    let p = Project::sample();
    let header = std::fs::read_to_string(p.path("data/exportify.csv")).unwrap().lines().next().unwrap().to_string();
    p.file("data/exportify.csv", &format!("{header}\n"));
    let out = p.run(&["build"]).success();
    assert!(step_line(&out, "cluster").contains("SKIP"), "{}", out.stdout);
    assert!(step_note(&out, "cluster").starts_with("no track has every selected feature (346 rows excluded)"), "{}", out.stdout);
    assert!(step_note(&out, "report").contains("no input for: Audio feature correlations"), "{}", out.stdout);
    assert_eq!(p.scalar("SELECT count(*) || ' ' || count(*) FILTER (WHERE has_features) FROM tracks_features"), "346 0");
    assert_eq!(p.scalar("SELECT count(*) FROM clusters"), "0");
}

/// Proves: a features file whose rows carry no feature builds the same way.
#[test]
fn features_rows_without_features_build_without_clusters() {
    let p = Project::sample();
    edit(&p, "data/exportify.csv", |r| {
        for i in 1..r.len() {
            for c in ["Danceability", "Energy", "Key", "Loudness", "Mode", "Speechiness", "Acousticness", "Instrumentalness", "Liveness", "Valence", "Tempo", "Time Signature"] {
                set(r, i, c, "");
            }
        }
    });
    let out = p.run(&["build"]).success();
    assert!(step_line(&out, "cluster").contains("SKIP"), "{}", out.stdout);
    assert_eq!(p.scalar("SELECT count(*) FROM tracks"), "365");
}

// --- Real export formats -------------------------------------------------------------------------

/// Proves: Exportify's `Track ID` header (bare IDs, four tabs before `Danceability`) loads the
/// same features as `Track URI`.
#[test]
fn exportify_track_id_header_with_tabs_loads() {
    let p = Project::sample();
    edit(&p, "data/exportify.csv", |r| {
        r[0][0] = "Track ID".into();
        set(r, 0, "Danceability", "\t\t\t\tDanceability");
        for row in r.iter_mut().skip(1) {
            row[0] = row[0].trim_start_matches("spotify:track:").to_string();
        }
    });
    p.run(&["build"]).success();
    assert_eq!(p.scalar("SELECT count(*) FILTER (WHERE has_features) FROM tracks_features"), "335");
}

/// Proves: an unrecognised header fails naming the columns each format needs and those missing.
#[test]
fn an_unknown_header_names_needed_and_missing_columns() {
    let p = Project::sample();
    edit(&p, "data/exportify.csv", |r| set(r, 0, "Danceability", "Dancability"));
    let out = p.run(&["build"]).failure();
    assert!(
        out.stdout.contains("exportify needs `track uri` or `track id` or `spotify id`, `danceability`, `energy`, `loudness`, `valence`, `tempo` (missing: `danceability`)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("data/exportify.csv:1: not a known features file"), "{}", out.stdout);
}

/// Proves: a playlist listing one track twice collapses to one row with a WARN; the build succeeds.
#[test]
fn a_track_listed_twice_in_a_playlist_collapses_with_a_warn() {
    let p = Project::sample();
    edit(&p, "data/exportify.csv", |r| {
        let again = r[5].clone();
        r.push(again);
    });
    let out = p.run(&["build"]).success();
    assert!(step_line(&out, "staging.audio_features").contains("WARN"), "{}", out.stdout);
    assert_eq!(step_note(&out, "staging.audio_features"), "1 identical duplicate rows collapsed (see stg_audio_features.copies)");
    assert_eq!(p.scalar("SELECT count(*) FROM audio_features"), "336");
}

/// Proves: the same ID twice with different features fails `check.stg_audio_features_key`,
/// naming both files and lines.
#[test]
fn conflicting_duplicate_features_fail_naming_both_files_and_lines() {
    let p = built_sample();
    edit(&p, "data/exportify.csv", |r| {
        let mut again = r[5].clone();
        let c = r[0].iter().position(|h| h == "Energy").unwrap();
        again[c] = "0.1234".into();
        r.push(again);
    });
    let out = p.run(&["build"]);
    assert!(out.stdout.contains("FAIL  check.stg_audio_features_key"), "{}", out.stdout);
    failed_cleanly(&p, &out);
    assert_eq!(
        p.scalar("SELECT detail FROM check_failures WHERE check_name = 'check.stg_audio_features_key'"),
        "data/exportify.csv:6 and data/exportify.csv:338"
    );
}

/// Proves: Discogs website export rows that lack only the trailing empty `Notes` column load.
#[test]
fn discogs_export_rows_without_the_trailing_notes_column_load() {
    let p = Project::new();
    p.file(
        "data/export.csv",
        "Catalog#,Artist,Title,Label,Format,Rating,Released,release_id,CollectionFolder,Date Added,Collection Media Condition,Collection Sleeve Condition,Collection Notes\n\
         LB 001,Nova (2),Horizon Sessions,Label Blanc,\"LP, Album\",,1975,1000001,Uncategorized,2024-01-01 10:00:00,Mint (M),Mint (M),\n\
         LB 002,Les Ondes,Nuit EP,Label Blanc,\"LP, Album\",,1978,1007920,Uncategorized,2024-01-01 10:00:00,Mint (M),Mint (M)\n\
         LB 003,Mira,Silence EP,Label Blanc,LP,,1981,1015839,Uncategorized,2024-01-01 10:00:00,Mint (M),Mint (M),a note\n\
         LB 004,Short,Row,Label Blanc,LP,,1981\n",
    );
    p.file("selecta.toml", "warehouse = \"out/w.duckdb\"\n[inputs]\nreleases = [\"data/export.csv\"]\n[cluster]\nenabled = false\n");
    let out = p.run(&["build"]).success();
    assert_eq!(p.scalar("SELECT string_agg(CAST(release_id AS VARCHAR), ' ' ORDER BY release_id) FROM releases"), "1000001 1007920 1015839");
    assert_eq!(p.scalar("SELECT source_line || ' ' || problem FROM quarantine"), "5 7 fields where the header has 13");
    assert!(step_note(&out, "ingest").contains("5 lines = 1 header + 3 landed + 1 quarantined + 0 blank"), "{}", out.stdout);
}

// --- Quarantines nobody sees --------------------------------------------------------------------

/// Proves: each staging step that quarantines rows ends in WARN with its count.
#[test]
fn each_staging_step_that_quarantines_ends_in_warn_with_its_count() {
    let p = Project::sample();
    edit(&p, "data/spotify_ids.csv", |r| set(r, 1, "spotify_id", "not-an-id"));
    edit(&p, "data/exportify.csv", |r| set(r, 1, "Energy", "loud"));
    let out = p.run(&["build"]).success();
    for step in ["staging.spotify_ids", "staging.audio_features"] {
        assert!(step_line(&out, step).contains("WARN"), "{step}\n{}", out.stdout);
        assert_eq!(step_note(&out, step), "1 rows quarantined (see table quarantine)", "{step}");
    }
    assert!(step_line(&out, "staging.releases").contains("OK"));
    assert_eq!(p.scalar("SELECT string_agg(found_by, ' ' ORDER BY found_by) FROM quarantine"), "staging.audio_features staging.spotify_ids");
}

// --- Smaller ones --------------------------------------------------------------------------------

/// Proves: a header naming one column twice is refused, naming the column and both positions.
#[test]
fn a_duplicated_header_column_is_refused() {
    let p = Project::sample();
    edit(&p, "data/spotify_ids.csv", |r| r[0][2] = "Artist".into());
    let out = p.run(&["build"]).failure();
    assert!(out.stdout.contains("data/spotify_ids.csv:1: the header names column `Artist` twice (columns 2 and 3)"), "{}", out.stdout);
}

/// Proves: a secret pasted into the config is refused without being printed.
#[test]
fn a_secret_pasted_in_the_config_is_refused_without_quoting_it() {
    let p = Project::sample();
    let config = std::fs::read_to_string(p.path("selecta.toml")).unwrap();
    p.file("selecta.toml", &format!("{config}[discogs]\nuser = \"me\"\ntoken = \"sekrit-77aa99bb\"\n"));
    let out = p.run(&["build"]).failure();
    assert!(!out.stderr.contains("sekrit") && !out.stdout.contains("sekrit"), "{}", out.stderr);
    assert!(out.stderr.contains("unknown field `token`"), "{}", out.stderr);
}

/// Proves: a tracklist entry with an empty position from an older Discogs body (no `type_`) is a
/// heading, in the API's rows as in the CSV's repr: it names the section of the tracks below it
/// and is quarantined as nothing.
#[test]
fn an_empty_position_from_an_older_discogs_body_is_a_heading() {
    let body = serde_json::json!({"id": 42, "title": "Old", "tracklist": [
        {"position": "", "title": "Side One"},
        {"position": "A1", "title": "First"},
        {"position": " ", "title": "Side Two", "type_": "track"},
        {"position": "B1", "title": "Second"},
    ]});
    let conn = duckdb::Connection::open_in_memory().unwrap();
    for f in ["sql/macros.sql", "sql/ingest/raw_tables.sql"] {
        conn.execute_batch(&std::fs::read_to_string(repo().join(f)).unwrap()).unwrap();
    }
    conn.execute_batch("INSERT INTO raw_releases (source_file, source_line, source_format, release_id, title) VALUES ('api', 1, 'discogs_api', '42', 'Old')").unwrap();
    for t in selecta::fetch::discogs_ingest::track_rows(&body) {
        conn.execute(
            "INSERT INTO raw_tracks (source_file, source_line, source_format, release_id, seq, position, type_, title) VALUES ('api', 1, 'discogs_api', '42', ?, ?, ?, ?)",
            duckdb::params![t.seq, t.position, t.type_, t.title],
        )
        .unwrap();
    }
    for f in ["sql/staging/stg_releases.sql", "sql/staging/stg_tracks.sql"] {
        let sql = std::fs::read_to_string(repo().join(f)).unwrap();
        conn.execute_batch(sql.split("-- @note").next().unwrap()).unwrap();
    }
    let got: Vec<String> = conn
        .prepare("SELECT track_id || ' ' || section FROM stg_tracks ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got, ["42_A1 Side One", "42_B1 Side Two"]);
    let quarantined: i64 = conn.query_row("SELECT count(*) FROM quarantine", [], |r| r.get(0)).unwrap();
    assert_eq!(quarantined, 0);
}
