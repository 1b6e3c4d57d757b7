//! The ingest property, over any bytes: [`load_file`](super::load_file) either fails with an
//! error naming the file and a line, or accounts for every physical line (header + landed +
//! quarantined + blank = lines, as `wc -l` counts them plus an unterminated last line), with
//! exactly as many `quarantine` rows as it counted, and it never panics.
//!
//! Inputs are a header (one of each kind's real ones, or noise) and a body of CSV-shaped noise:
//! separators, quotes, CR and LF, letters, digits, numbers, tracklist fragments, invalid UTF-8.
//! `make test` runs `SELECTA_FUZZ_CASES` cases (default 1 000); `make fuzz` runs 100 000.

use std::cell::Cell;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::formats::InputKind;
use super::{IngestError, load_file};

const KINDS: [InputKind; 4] = [InputKind::Releases, InputKind::Tracklists, InputKind::SpotifyIds, InputKind::Features];

/// Real header rows, per kind.
fn headers(kind: InputKind) -> &'static [&'static str] {
    match kind {
        InputKind::Releases => &[
            "id,title,artist,year,genre,style,master_id,release_country,labels,format",
            "Catalog#,Artist,Title,Label,Format,Rating,Released,release_id,CollectionFolder,Date Added,Collection Media Condition,Collection Sleeve Condition,Collection Notes",
        ],
        InputKind::Tracklists => &["id,artist,album,tracklist", "album_id,artist,album,track_id,title"],
        InputKind::SpotifyIds => &["album_id,artist,album,track_id,title,spotify_id"],
        InputKind::Features => &[
            "\u{feff}Track URI,Track Name,Duration (ms),Popularity,Danceability,Energy,Key,Loudness,Mode,Valence,Tempo,Time Signature",
            "Track ID,Track Name,\t\t\t\tDanceability,Energy,Loudness,Valence,Tempo",
            "Track_id,Artist,Title,Danceability,Energy,Loudness,Valence,Tempo,Time,Spotify_key,Spotify_mode,spotify_id",
        ],
    }
}

/// A piece of CSV-shaped noise.
fn chunk() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => Just(b",".to_vec()),
        1 => Just(b"\"".to_vec()),
        1 => "\"[a-z ,]{0,8}\"".prop_map(String::into_bytes),
        1 => Just(b"\"\"".to_vec()),
        5 => Just(b"\n".to_vec()),
        2 => Just(b"\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(b"\n\n".to_vec()),
        6 => "[a-zA-Z ]{1,6}".prop_map(String::into_bytes),
        4 => "[0-9]{1,8}".prop_map(String::into_bytes),
        2 => prop_oneof![Just("0.5"), Just("NaN"), Just("1e309"), Just("-1"), Just("7"), Just("1007920.7"), Just("0A1b2C3d4E5f6G7h8I9j0K")]
            .prop_map(|s| s.as_bytes().to_vec()),
        1 => prop_oneof![Just("\"[<Track 'A1' 'x'>, <Track '' 'Side B'>]\""), Just("\"[<Track 'A1' 'x'\""), Just("'it''s'")]
            .prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 1..4),
    ]
}

/// (kind, file bytes)
fn input() -> impl Strategy<Value = (usize, Vec<u8>)> {
    // Header choice 3 is noise for every kind (most kinds have fewer real headers).
    (0..KINDS.len(), 0..4usize, prop::collection::vec(chunk(), 0..80)).prop_map(|(k, h, body)| {
        let hs = headers(KINDS[k]);
        let mut bytes = match hs.get(h).or(if h < 3 { hs.first() } else { None }) {
            Some(header) => format!("{header}\n").into_bytes(),
            None => Vec::new(),
        };
        bytes.extend(body.concat());
        (k, bytes)
    })
}

/// Lines as a person counts them: every `\n`, and a last line without one.
fn lines(bytes: &[u8]) -> u64 {
    let pieces = bytes.split(|b| *b == b'\n').count() as u64;
    if bytes.is_empty() || bytes.ends_with(b"\n") { pieces - 1 } else { pieces }
}

/// (rows of `table`, rows of `quarantine`) from `file`.
fn counts(conn: &duckdb::Connection, table: &str, file: &str) -> (u64, u64) {
    let sql = format!("SELECT (SELECT count(*) FROM {table} WHERE source_file = $1), (SELECT count(*) FROM quarantine WHERE source_file = $1)");
    conn.query_row(&sql, [file], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))).unwrap()
}

/// Loads one generated file: `Ok(true)` loaded with every line accounted for, `Ok(false)`
/// refused with an error naming the file and a line.
fn check(conn: &duckdb::Connection, dir: &Path, n: u64, kind: InputKind, bytes: &[u8]) -> Result<bool, TestCaseError> {
    let path = dir.join(format!("case {n}.csv"));
    std::fs::write(&path, bytes).unwrap();
    let file = path.display().to_string();
    match load_file(conn, kind, &path, 0) {
        Err(IngestError::Db(e)) => Err(TestCaseError::fail(format!("a DuckDB error is a bug: {e}"))),
        Err(e) => {
            let text = e.to_string();
            let line = text.strip_prefix(&format!("{file}:")).and_then(|rest| rest.split(':').next()).and_then(|l| l.parse::<u64>().ok());
            prop_assert!(line.is_some_and(|l| l >= 1), "the error names no file and line: {}", text);
            Ok(false)
        }
        Ok(c) => {
            prop_assert_eq!(c.lines, lines(bytes), "lines");
            prop_assert!(c.accounted(), "not every line is accounted for: {:?}", c);
            let table = ["raw_releases", "raw_tracks", "raw_spotify_ids", "raw_audio_features"][KINDS.iter().position(|k| *k == kind).unwrap()];
            let (rows, quarantined) = counts(conn, table, &file);
            prop_assert_eq!(quarantined, c.quarantined, "quarantine rows");
            prop_assert_eq!(rows, c.rows, "raw rows");
            Ok(true)
        }
    }
}

/// Proves the property of the module doc over `SELECTA_FUZZ_CASES` generated files.
#[test]
fn any_bytes_fail_naming_file_and_line_or_account_for_every_line() {
    let cases: u32 = std::env::var("SELECTA_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    let dir = tempfile::tempdir().unwrap();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch(super::RAW_TABLES).unwrap();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let (n, loaded, refused) = (Cell::new(0u64), Cell::new(0u64), Cell::new(0u64));
    let result = runner.run(&input(), |(k, bytes)| {
        n.set(n.get() + 1);
        let ok = check(&conn, dir.path(), n.get(), KINDS[k], &bytes);
        // Every file has its own name; the tables are emptied every 500 cases so that a case
        // costs the same at the 100 000th as at the first.
        let _ = std::fs::remove_file(dir.path().join(format!("case {}.csv", n.get())));
        if n.get() % 500 == 0 {
            conn.execute_batch("DELETE FROM raw_releases; DELETE FROM raw_tracks; DELETE FROM raw_spotify_ids; DELETE FROM raw_audio_features; DELETE FROM quarantine;").unwrap();
        }
        if n.get() % 10_000 == 0 {
            eprintln!("ingest fuzz: {} inputs so far", n.get());
        }
        let ok = ok?;
        let tally = if ok { &loaded } else { &refused };
        tally.set(tally.get() + 1);
        Ok(())
    });
    eprintln!(
        "ingest fuzz: {} inputs: {} loaded with every line accounted for, {} refused naming file and line, no panic",
        n.get(),
        loaded.get(),
        refused.get()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
