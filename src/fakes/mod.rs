//! Fake external services for tests and benches: our own axum servers on 127.0.0.1, port 0,
//! started in-process (`selecta::fakes::<service>::start(...)` → a handle with its base URLs).
//!
//! - [`spotify`]: Spotify's accounts service (client credentials) and search, with a catalogue
//!   built from the original run and fault injection;
//! - [`spotify_playlists`]: Spotify's accounts service (PKCE authorization, token refresh) and
//!   the Web API's playlist endpoints;
//! - [`warehouse`]: a small deterministic warehouse with every stage's tables.

pub mod spotify;
pub mod spotify_playlists;
pub mod warehouse;

/// Creates a `tracks` table shaped like the spine's (track_id, artist, artist_clean,
/// album_artist, is_compilation, title, album, duration_ms) from a flat `my_tracks.csv`, for
/// tests and benches that match without running a whole build. `limit`: the first n rows.
pub fn tracks_table(conn: &duckdb::Connection, my_tracks_csv: &std::path::Path, limit: Option<usize>) -> duckdb::Result<()> {
    let path = my_tracks_csv.display().to_string().replace('\'', "''");
    let limit = limit.map(|n| format!("LIMIT {n}")).unwrap_or_default();
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TABLE tracks AS
         SELECT track_id, artist, regexp_replace(artist, ' \\(\\d+\\)$', '') AS artist_clean, artist AS album_artist,
                lower(artist) IN ('various', 'various artists') AS is_compilation, title, album, NULL::BIGINT AS duration_ms
         FROM (SELECT * FROM read_csv('{path}', header = true, all_varchar = true) {limit})"
    ))
}
