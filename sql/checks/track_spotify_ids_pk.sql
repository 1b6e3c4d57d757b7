-- Check: track_id is the primary key of track_spotify_ids (not null, unique).
SELECT track_id AS key, count(*) AS n
FROM track_spotify_ids
GROUP BY track_id
HAVING track_id IS NULL OR count(*) > 1
ORDER BY n DESC, key;
