//! A small, deterministic warehouse holding the documented tables of every stage (spine,
//! clustering), for the tests and benches of what reads them: the report, the exports, the
//! playlists. Text carries the traps (markup, quotes, accents, CJK, emoji, an empty string),
//! features carry NULLs; 8 clusters of about 120 tracks, so playlists need several item requests.

use duckdb::Connection;

/// Tracks in the demo warehouse.
pub const TRACKS: i64 = 1000;
/// Clusters in the demo warehouse.
pub const CLUSTERS: i64 = 8;

/// Creates the demo tables in `conn` (replacing any of the same names).
pub fn fill_demo(conn: &Connection) -> duckdb::Result<()> {
    conn.execute_batch(&format!(
        r#"
CREATE OR REPLACE TABLE releases AS
SELECT (1000 + i)::BIGINT AS release_id,
       ['Rock', 'Electronic', 'Jazz', 'Funk / Soul'][1 + i % 4] AS genre,
       ['Post-Punk, New Wave', 'Techno', 'Free Jazz', 'Disco', 'Ambient, Drone'][1 + i % 5] AS style
FROM range(0, {tracks} // 10) t(i);

CREATE OR REPLACE TABLE tracks AS
SELECT format('{{}}_A{{}}', 1000 + i // 10, i % 10) AS track_id,
       (1000 + i // 10)::BIGINT AS release_id,
       'A' || (i % 10) AS position,
       CASE i % 7 WHEN 0 THEN 'Sigur Rós' WHEN 1 THEN 'Björk & <The Sugarcubes>' WHEN 2 THEN '坂本龍一'
                  WHEN 3 THEN 'The "Quoted" Band' ELSE 'Artist ' || (i % 37) END AS artist,
       CASE WHEN i = 5 THEN '<script>alert("x")</script>' WHEN i % 11 = 0 THEN 'Ünïcödé — 東京 🎵 #' || i
            WHEN i = 17 THEN '' ELSE 'Track ' || i || ' it''s' END AS title,
       'Album ' || (i // 10) || CASE WHEN i % 13 = 0 THEN ' (Remastered)' ELSE '' END AS album,
       (120000 + (i * 7919) % 240000)::BIGINT AS duration_ms
FROM range(0, {tracks}) t(i);

CREATE OR REPLACE TABLE track_spotify_ids AS
SELECT track_id, 'sp' || lpad(CAST(i AS VARCHAR), 20, '0') AS spotify_id, 'file' AS origin
FROM (SELECT track_id, row_number() OVER (ORDER BY track_id) - 1 AS i FROM tracks)
WHERE i % 20 <> 7;

CREATE OR REPLACE TABLE tracks_features AS
WITH base AS (
  SELECT s.spotify_id, t.*, r.genre, r.style,
         CAST(substr(s.spotify_id, 3) AS BIGINT) AS n
  FROM track_spotify_ids s JOIN tracks t USING (track_id) JOIN releases r USING (release_id)
), f AS (
  SELECT *, ((n * 37 + 11) % 101) / 100.0 AS d, ((n * 53 + 7) % 97) / 96.0 AS e FROM base
)
SELECT track_id AS Track_id, artist AS Artist, title AS Title, album AS Album, genre AS Genre, style AS Style,
       CAST(NULL AS INTEGER) AS Popularity,
       CASE WHEN n % 50 = 3 THEN NULL ELSE d END::DOUBLE AS Danceability,
       CASE WHEN n % 50 = 3 THEN NULL ELSE 0.6 * d + 0.4 * e END::DOUBLE AS Energy,
       CASE WHEN n % 50 = 3 THEN NULL ELSE -30 + 25 * (0.6 * d + 0.4 * e) END::DOUBLE AS Loudness,
       CASE WHEN n % 50 = 3 THEN NULL ELSE 0.02 + ((n * 13) % 17) / 100.0 END::DOUBLE AS Speechiness,
       CASE WHEN n % 50 = 3 THEN NULL ELSE 1 - (0.6 * d + 0.4 * e) * 0.9 END::DOUBLE AS Acousticness,
       CASE WHEN n % 50 = 3 THEN NULL ELSE e * e END::DOUBLE AS Instrumentalness,
       CASE WHEN n % 50 = 3 THEN NULL ELSE 0.05 + ((n * 29) % 31) / 40.0 END::DOUBLE AS Liveness,
       CASE WHEN n % 50 = 3 THEN NULL ELSE 1 - d * 0.5 - e * 0.3 END::DOUBLE AS Valence,
       CASE WHEN n % 50 = 3 THEN NULL ELSE 70 + (n * 53) % 110 + 0.123 END::DOUBLE AS Tempo,
       CASE WHEN n % 50 = 3 THEN NULL ELSE 4 END::INTEGER AS Time_Signature,
       concat(duration_ms // 60000, ':', lpad(CAST((duration_ms % 60000) // 1000 AS VARCHAR), 2, '0')) AS Time,
       CASE WHEN n % 50 = 3 THEN NULL ELSE ['C Major', 'A Minor', 'G Major'][1 + n % 3] END AS Key,
       CASE WHEN n % 50 = 3 THEN NULL ELSE ['8B', '8A', '9B'][1 + n % 3] END AS Camelot,
       CASE WHEN n % 50 = 3 THEN NULL ELSE [0, 9, 7][1 + n % 3] END::INTEGER AS Spotify_key,
       CASE WHEN n % 50 = 3 THEN NULL ELSE [1, 0, 1][1 + n % 3] END::INTEGER AS Spotify_mode,
       spotify_id, release_id, n % 50 <> 3 AS has_features
FROM f;

CREATE OR REPLACE TABLE track_clusters AS
WITH c AS (
  SELECT Track_id AS track_id, spotify_id, CAST(substr(spotify_id, 3) AS BIGINT) AS n
  FROM tracks_features WHERE has_features
), k AS (
  SELECT *, ((n * 7 + n // 8) % {clusters})::INTEGER AS cluster FROM c
)
SELECT track_id, spotify_id, cluster,
       (((n * 31) % 100) / 50.0)::DOUBLE AS distance,
       (3 * cos(2 * pi() * cluster / {clusters}) + (((n * 17) % 41) - 20) / 18.0)::DOUBLE AS pc1,
       (3 * sin(2 * pi() * cluster / {clusters}) + (((n * 23) % 43) - 21) / 18.0)::DOUBLE AS pc2
FROM k;

CREATE OR REPLACE TABLE clusters AS
SELECT cluster, count(*)::BIGINT AS size,
       ['Mellow acoustic', 'Loud & <fast>', 'Dance floor', 'Spoken "word"', 'Instrumental drift',
        'Live rooms', 'Sad songs', 'Sunny côté'][cluster + 1] AS name,
       'Cluster ' || cluster || ': tracks sharing a feel' AS description
FROM track_clusters GROUP BY cluster;

CREATE OR REPLACE TABLE cluster_centroids AS
SELECT c.cluster, avg(f.Danceability) AS danceability, avg(f.Energy) AS energy, avg(f.Loudness) AS loudness,
       avg(f.Speechiness) AS speechiness, avg(f.Acousticness) AS acousticness, avg(f.Instrumentalness) AS instrumentalness,
       avg(f.Liveness) AS liveness, avg(f.Valence) AS valence, avg(f.Tempo) AS tempo
FROM track_clusters c JOIN tracks_features f USING (spotify_id) GROUP BY c.cluster;

CREATE OR REPLACE TABLE cluster_elbow AS
SELECT k::INTEGER AS k, (4000.0 / k + 60 * k)::DOUBLE AS inertia,
       (0.18 + 0.02 * k - 0.0013 * k * k)::DOUBLE AS silhouette, k = {clusters} AS chosen
FROM range(2, 13) t(k);

CREATE OR REPLACE TABLE cluster_playlists AS
SELECT c.cluster, cl.name AS cluster_name,
       (row_number() OVER (PARTITION BY c.cluster ORDER BY c.distance, c.spotify_id))::INTEGER AS position,
       c.track_id, c.spotify_id, f.Title AS title, f.Artist AS artist, f.Album AS album
FROM track_clusters c JOIN clusters cl USING (cluster) JOIN tracks_features f USING (spotify_id);
"#,
        tracks = TRACKS,
        clusters = CLUSTERS
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo warehouse has 8 clusters of more than 100 tracks each and one row per Spotify ID.
    #[test]
    fn demo_tables_have_the_documented_shape() {
        let conn = Connection::open_in_memory().unwrap();
        fill_demo(&conn).unwrap();
        let n: i64 = conn.query_row("SELECT count(DISTINCT cluster) FROM cluster_playlists", [], |r| r.get(0)).unwrap();
        assert_eq!(n, CLUSTERS);
        let min: i64 = conn.query_row("SELECT min(size) FROM clusters", [], |r| r.get(0)).unwrap();
        assert!(min > 100, "every cluster needs more than one items request: {min}");
        let dup: i64 = conn.query_row("SELECT count(*) - count(DISTINCT spotify_id) FROM tracks_features", [], |r| r.get(0)).unwrap();
        assert_eq!(dup, 0);
    }
}
