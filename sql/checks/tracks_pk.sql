-- Check: track_id is the primary key of tracks (not null, unique).
-- Returns the offending keys with how many rows carry each; empty means the check holds.
SELECT CAST(track_id AS VARCHAR) AS key, count(*) AS n
FROM tracks
GROUP BY track_id
HAVING track_id IS NULL OR count(*) > 1
ORDER BY n DESC, key;
