-- tracks_features_analysis: what clustering reads when `[analysis]` is configured.
-- Grain: one row per track with features. Key: Track_id.
-- Precedence (`[analysis] cluster_on`): "combined" — a track's Spotify-source row from
-- tracks_features (files, then ReccoBeats) first, its calibrated analysis otherwise;
-- "analysis" — every analysed track on its calibrated analysis alone. features_source says
-- which. Instrumentalness and Valence of an analysed track come from its musicnn tags
-- (analysis_calibrated), NULL when no tag model ran.
CREATE OR REPLACE TABLE tracks_features_analysis AS
WITH candidates AS (
    SELECT f.Track_id, f.spotify_id, f.Title, f.Artist, f.Album, f.Danceability, f.Energy, f.Loudness, f.Tempo,
           f.Instrumentalness, f.Valence, f.features_source, 1 AS source_rank
    FROM tracks_features f
    WHERE f.has_features AND getvariable('analysis_cluster_on') = 'combined'
    UNION ALL
    SELECT c.track_id, NULL, t.title, t.artist, t.album, c.Danceability, c.Energy, c.Loudness, c.Tempo,
           c.Instrumentalness, c.Valence, 'analysis', 2
    FROM analysis_calibrated c
    JOIN tracks t ON t.track_id = c.track_id
)
SELECT * EXCLUDE (source_rank)
FROM candidates
QUALIFY row_number() OVER (PARTITION BY Track_id ORDER BY source_rank) = 1;
