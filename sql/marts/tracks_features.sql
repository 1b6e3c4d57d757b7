-- tracks_features: the original project's final table.
-- Grain: one row per distinct Spotify ID of the collection's tracks. Key: spotify_id
-- (schema.toml: check.tracks_features_key); Track_id is a second key (the ID's first track:
-- check.tracks_features_Track_id_key) and a track of `tracks`; with features, spotify_id is an
-- ID of audio_features.
-- Joins (marts only): track_spotify_ids (rank 1) ← tracks ← releases (genre, style) ← audio_features.
-- IDs without features are kept, with NULL features and has_features = false.
-- Key (note name), Camelot and Time (m:ss) are computed from key, mode and duration_ms, with
-- the original's spellings (`C♯/D♭ Minor`, `G#/A♭ Major`); the original left Key and Camelot
-- empty on 222 rows whose key and mode were known: here they are filled.

CREATE OR REPLACE TABLE tracks_features AS
SELECT
    t.track_id                                    AS Track_id,
    t.artist                                      AS Artist,
    t.title                                       AS Title,
    t.album                                       AS Album,
    r.genre                                       AS Genre,
    r.style                                       AS Style,
    f.popularity                                  AS Popularity,
    f.danceability                                AS Danceability,
    f.energy                                      AS Energy,
    f.loudness                                    AS Loudness,
    f.speechiness                                 AS Speechiness,
    f.acousticness                                AS Acousticness,
    f.instrumentalness                            AS Instrumentalness,
    f.liveness                                    AS Liveness,
    f.valence                                     AS Valence,
    f.tempo                                       AS Tempo,
    f.time_signature                              AS Time_Signature,
    CASE WHEN f.duration_ms IS NOT NULL
         THEN concat(f.duration_ms // 60000, ':', lpad(CAST((f.duration_ms % 60000) // 1000 AS VARCHAR), 2, '0')) END AS Time,
    CASE WHEN f.key BETWEEN 0 AND 11 AND f.mode IN (0, 1)
         THEN ['C', 'C♯/D♭', 'D', 'D#/E♭', 'E', 'F', 'F#/G♭', 'G', 'G#/A♭', 'A', 'A#/B♭', 'B'][f.key + 1]
              || CASE f.mode WHEN 1 THEN ' Major' ELSE ' Minor' END END AS Key,
    CASE WHEN f.key BETWEEN 0 AND 11 AND f.mode IN (0, 1)
         THEN CASE f.mode
                  WHEN 1 THEN concat([8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1][f.key + 1], 'B')
                  ELSE concat([5, 12, 7, 2, 9, 4, 11, 6, 1, 8, 3, 10][f.key + 1], 'A') END END AS Camelot,
    f.key                                         AS Spotify_key,
    f.mode                                        AS Spotify_mode,
    s.spotify_id,
    t.release_id,
    f.spotify_id IS NOT NULL                      AS has_features,
    f.source                                      AS features_source
FROM track_spotify_ids s
JOIN tracks t ON t.track_id = s.track_id
LEFT JOIN releases r ON r.release_id = t.release_id
LEFT JOIN audio_features f ON f.spotify_id = s.spotify_id
WHERE s.id_rank = 1;

-- @note
SELECT count(*) FILTER (WHERE NOT has_features) > 0,
       CASE WHEN count(*) FILTER (WHERE NOT has_features) > 0
            THEN format('{} rows without features (has_features = false)', count(*) FILTER (WHERE NOT has_features)) END
FROM tracks_features;
