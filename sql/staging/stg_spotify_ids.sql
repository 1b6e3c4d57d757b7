-- stg_spotify_ids: the given track → Spotify ID pairs, cleaned.
-- Grain: one row per input row that has an ID. Key: track_id (schema.toml: check.stg_spotify_ids_key).
-- Rows without an ID are the tracks the original search did not find: they stay out of this
-- table (and are counted in the run log). An ID that is not 22 base-62 characters (a URI is
-- reduced to its ID) goes to `quarantine`.

CREATE OR REPLACE TABLE stg_spotify_ids AS
SELECT
    trim(track_id)                                    AS track_id,
    regexp_extract(trim(spotify_id), '([^:/]+)$', 1) AS spotify_id,
    source_file,
    source_line
FROM raw_spotify_ids
WHERE nullif(trim(spotify_id), '') IS NOT NULL;

INSERT INTO quarantine
SELECT source_file, source_line, 'spotify_ids', 'spotify_id', 'not a Spotify track ID: ' || spotify_id, track_id
FROM stg_spotify_ids
WHERE NOT regexp_full_match(spotify_id, '[0-9A-Za-z]{22}') OR track_id IS NULL;

DELETE FROM stg_spotify_ids
WHERE NOT regexp_full_match(spotify_id, '[0-9A-Za-z]{22}') OR track_id IS NULL;

-- @note
SELECT count(*) FILTER (WHERE t.track_id IS NULL) > 0,
       CASE WHEN count(*) FILTER (WHERE t.track_id IS NULL) > 0 THEN format('{} IDs name a track key that is not in tracks (they stay in stg_spotify_ids)', count(*) FILTER (WHERE t.track_id IS NULL)) END
FROM stg_spotify_ids s LEFT JOIN stg_tracks t USING (track_id);
