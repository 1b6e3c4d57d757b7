-- stg_spotify_ids: the given track → Spotify ID pairs, cleaned.
-- Grain: one row per input row that has an ID. Key: track_id (schema.toml: check.stg_spotify_ids_key).
-- Rows without an ID are the tracks the original search did not find: they stay out of this
-- table (and are counted in the run log). An ID that is not 22 base-62 characters (a URI is
-- reduced to its ID) goes to `quarantine`.

CREATE OR REPLACE TABLE stg_spotify_ids AS
SELECT
    nullif(trim(track_id), '')                        AS track_id,
    regexp_extract(trim(spotify_id), '([^:/]+)$', 1) AS spotify_id,
    source_file,
    source_line
FROM raw_spotify_ids
WHERE nullif(trim(spotify_id), '') IS NOT NULL;

INSERT INTO quarantine
SELECT source_file, source_line, 'spotify_ids', CASE WHEN track_id IS NULL THEN 'track_id' ELSE 'spotify_id' END,
       CASE WHEN track_id IS NULL THEN 'track key is missing' ELSE 'not a Spotify track ID: ' || spotify_id END, track_id,
       'staging.spotify_ids'
FROM stg_spotify_ids
WHERE NOT regexp_full_match(spotify_id, '[0-9A-Za-z]{22}') OR track_id IS NULL;

DELETE FROM stg_spotify_ids
WHERE NOT regexp_full_match(spotify_id, '[0-9A-Za-z]{22}') OR track_id IS NULL;

-- @note
SELECT q > 0 OR u > 0,
       CASE WHEN q > 0 OR u > 0 THEN concat_ws('; ',
            CASE WHEN q > 0 THEN format('{} rows quarantined (see table quarantine)', q) END,
            CASE WHEN u > 0 THEN format('{} IDs name a track key that is not in tracks (they stay in stg_spotify_ids)', u) END) END
FROM (SELECT (SELECT count(*) FROM quarantine WHERE found_by = 'staging.spotify_ids') AS q,
             (SELECT count(*) FROM stg_spotify_ids s ANTI JOIN stg_tracks t USING (track_id)) AS u);
