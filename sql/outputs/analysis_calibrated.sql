-- analysis_calibrated: every matched, analysed track's features on the Spotify scale.
-- Grain: one row per track_id with an analysis (its first file). Key: track_id.
-- calibrated is false when some feature had too few pairs to fit (its analysed value stands in).
-- Instrumentalness and Valence come from analysis_tags: NULL without tags (no model, or a
-- track shorter than one 3-second patch).
CREATE OR REPLACE TABLE analysis_calibrated (
    track_id     VARCHAR NOT NULL,
    Danceability DOUBLE,
    Energy       DOUBLE,
    Loudness     DOUBLE,
    Tempo        DOUBLE,
    Instrumentalness DOUBLE,
    Valence      DOUBLE,
    calibrated   BOOLEAN NOT NULL
);
