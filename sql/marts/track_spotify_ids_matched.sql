-- track_spotify_ids (when `[match]` is configured): the Spotify ID of each track, from the
-- matcher's decisions in `track_matches` (written by the Rust step `matching::match_step`)
-- in place of a given ID file.
-- Grain: one row per track with an ID. Key: track_id (schema.toml: check.track_spotify_ids_key;
-- check.track_spotify_ids_track_id_relationships). Reads the marts `tracks` and `track_matches`.
-- Accepted qualities: exact, high, medium, low, override (ambiguous / none / pending have no
-- ID). Tracks sharing one ID are all kept; `id_rank` orders them (1 = the best-scored, then
-- the first track key), and the final table takes rank 1 as the ID's representative.

CREATE OR REPLACE TABLE track_spotify_ids AS
SELECT
    m.track_id,
    m.spotify_id,
    'match' AS origin,
    row_number() OVER (PARTITION BY m.spotify_id ORDER BY m.score DESC NULLS LAST, m.track_id) AS id_rank,
    'track_matches' AS source_file,
    NULL::BIGINT AS source_line,
    m.quality
FROM track_matches m
SEMI JOIN tracks t ON t.track_id = m.track_id
WHERE m.spotify_id IS NOT NULL;

-- @note
SELECT (SELECT count(*) FROM track_matches WHERE quality IN ('ambiguous', 'pending')) > 0,
       format('{} of {} tracks have no Spotify ID ({} ambiguous, {} pending); {} distinct IDs',
              (SELECT count(*) FROM tracks) - count(*), (SELECT count(*) FROM tracks),
              (SELECT count(*) FROM track_matches WHERE quality = 'ambiguous'),
              (SELECT count(*) FROM track_matches WHERE quality = 'pending'),
              count(DISTINCT spotify_id))
FROM track_spotify_ids;
