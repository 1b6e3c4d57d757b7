-- analysis_calibrated: every matched, analysed track's features on the Spotify scale.
-- Grain: one row per track_id with an analysis (its first file). Key: track_id.
-- calibrated is false when some feature had too few pairs to fit (its analysed value stands in).
CREATE OR REPLACE TABLE analysis_calibrated (
    track_id     VARCHAR NOT NULL,
    Danceability DOUBLE,
    Energy       DOUBLE,
    Loudness     DOUBLE,
    Tempo        DOUBLE,
    calibrated   BOOLEAN NOT NULL
);
