-- Check: the ID files give at most one Spotify ID per track (track_id is the key of stg_spotify_ids).
-- Returns the offending track keys; empty means the check holds.
SELECT track_id AS key, count(*) AS n, string_agg(DISTINCT spotify_id, ', ') AS detail
FROM stg_spotify_ids
GROUP BY track_id
HAVING count(*) > 1
ORDER BY n DESC, key;
