-- Check: spotify_id is the primary key of tracks_features, and Track_id is unique too.
SELECT 'spotify_id ' || coalesce(spotify_id, 'NULL') AS key, count(*) AS n
FROM tracks_features
GROUP BY spotify_id
HAVING spotify_id IS NULL OR count(*) > 1
UNION ALL
SELECT 'Track_id ' || coalesce(Track_id, 'NULL'), count(*)
FROM tracks_features
GROUP BY Track_id
HAVING Track_id IS NULL OR count(*) > 1
ORDER BY n DESC, key;
