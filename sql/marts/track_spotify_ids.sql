-- track_spotify_ids: the Spotify ID of each track that has one (given by an ID file).
-- Grain: one row per track with an ID. Key: track_id (schema.toml: check.track_spotify_ids_key;
-- check.track_spotify_ids_track_id_relationships: every track_id is a track of `tracks`).
-- Marts read marts: the track keys come from the public `tracks` (as matching, the report and
-- `selecta sql` users see them), the IDs from staging (stg_spotify_ids), which has no mart.
-- Tracks sharing one ID are all kept; `id_rank` orders them (1 = the first in input order:
-- file, then line), and the final table takes rank 1 as the ID's representative, as the
-- original did.

CREATE OR REPLACE TABLE track_spotify_ids AS
SELECT
    s.track_id,
    s.spotify_id,
    'file' AS origin,
    row_number() OVER (PARTITION BY s.spotify_id ORDER BY s.source_file, s.source_line) AS id_rank,
    s.source_file,
    s.source_line
FROM stg_spotify_ids s
SEMI JOIN tracks t ON t.track_id = s.track_id;

-- @note
SELECT false,
       format('{} of {} tracks have no Spotify ID; {} distinct IDs',
              (SELECT count(*) FROM tracks) - count(*), (SELECT count(*) FROM tracks), count(DISTINCT spotify_id))
FROM track_spotify_ids;
