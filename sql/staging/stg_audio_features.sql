-- stg_audio_features: audio features per Spotify ID and source, typed.
-- Grain: one row per (source_rank, spotify_id). Key: (source_rank, spotify_id)
-- (schema.toml: check.stg_audio_features_key): one file must not give one ID twice.
-- A value that does not parse as a number sends its row to `quarantine`, naming the field.
-- Rows with no feature at all (the original table's tracks that Exportify had nothing for)
-- are not features: they stay out, and those tracks show up as `has_features = false`.

INSERT INTO quarantine
SELECT source_file, source_line, 'features', field, 'not a number: ' || value, spotify_id
FROM (
    UNPIVOT (SELECT source_file, source_line, spotify_id, danceability, energy, key, loudness, mode, speechiness,
                    acousticness, instrumentalness, liveness, valence, tempo, time_signature, duration_ms, popularity
             FROM raw_audio_features)
    ON danceability, energy, key, loudness, mode, speechiness, acousticness, instrumentalness, liveness,
       valence, tempo, time_signature, duration_ms, popularity
    INTO NAME field VALUE value
)
WHERE TRY_CAST(trim(value) AS DOUBLE) IS NULL;

INSERT INTO quarantine
SELECT source_file, source_line, 'features', 'spotify_id', 'missing or not a Spotify track ID: ' || coalesce(spotify_id, ''), track_name
FROM raw_audio_features
WHERE spotify_id IS NULL OR NOT regexp_full_match(trim(spotify_id), '[0-9A-Za-z]{22}');

CREATE OR REPLACE TABLE stg_audio_features AS
SELECT
    trim(r.spotify_id)                          AS spotify_id,
    r.source,
    r.source_rank,
    TRY_CAST(r.danceability AS DOUBLE)          AS danceability,
    TRY_CAST(r.energy AS DOUBLE)                AS energy,
    TRY_CAST(r.loudness AS DOUBLE)              AS loudness,
    TRY_CAST(r.speechiness AS DOUBLE)           AS speechiness,
    TRY_CAST(r.acousticness AS DOUBLE)          AS acousticness,
    TRY_CAST(r.instrumentalness AS DOUBLE)      AS instrumentalness,
    TRY_CAST(r.liveness AS DOUBLE)              AS liveness,
    TRY_CAST(r.valence AS DOUBLE)               AS valence,
    TRY_CAST(r.tempo AS DOUBLE)                 AS tempo,
    CAST(TRY_CAST(r.key AS DOUBLE) AS INTEGER)  AS key,
    CAST(TRY_CAST(r.mode AS DOUBLE) AS INTEGER) AS mode,
    CAST(TRY_CAST(r.time_signature AS DOUBLE) AS INTEGER) AS time_signature,
    coalesce(CAST(TRY_CAST(r.duration_ms AS DOUBLE) AS BIGINT),
             CASE WHEN regexp_full_match(trim(r.duration), '\d+:\d{2}')
                  THEN (CAST(split_part(trim(r.duration), ':', 1) AS BIGINT) * 60
                        + CAST(split_part(trim(r.duration), ':', 2) AS BIGINT)) * 1000 END) AS duration_ms,
    CAST(TRY_CAST(r.popularity AS DOUBLE) AS INTEGER) AS popularity,
    r.track_name,
    r.artist_names,
    r.album_name,
    r.source_file,
    r.source_line
FROM raw_audio_features r
ANTI JOIN (SELECT DISTINCT source_file, source_line FROM quarantine WHERE input = 'features') q
    ON q.source_file = r.source_file AND q.source_line IS NOT DISTINCT FROM r.source_line
WHERE coalesce(r.danceability, r.energy, r.loudness, r.speechiness, r.acousticness, r.instrumentalness,
               r.liveness, r.valence, r.tempo) IS NOT NULL;
