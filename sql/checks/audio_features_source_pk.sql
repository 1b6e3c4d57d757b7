-- Check: one features source gives each Spotify ID at most once ((source_rank, spotify_id) is
-- the key of stg_audio_features). Returns the offending IDs; empty means the check holds.
SELECT spotify_id AS key, count(*) AS n, any_value(source_file) AS detail
FROM stg_audio_features
GROUP BY source_rank, spotify_id
HAVING count(*) > 1
ORDER BY n DESC, key;
