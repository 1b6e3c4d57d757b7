-- Check: spotify_id is the primary key of audio_features (not null, unique).
SELECT spotify_id AS key, count(*) AS n
FROM audio_features
GROUP BY spotify_id
HAVING spotify_id IS NULL OR count(*) > 1
ORDER BY n DESC, key;
