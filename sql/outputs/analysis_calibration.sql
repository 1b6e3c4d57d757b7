-- analysis_calibration: how well the analysis predicts each Spotify-scale feature.
-- Grain: one row per calibrated feature (Danceability, Energy, Loudness, Tempo). Key: feature.
-- n is the number of tracks with both an analysis and another source's value; r2, mae and
-- spearman are out-of-fold (k-fold, `folds`); coefficients are the final fit on all n rows
-- (JSON: intercept and one coefficient per predictor, original units). NULL fit: too few pairs.
CREATE OR REPLACE TABLE analysis_calibration (
    feature      VARCHAR NOT NULL,
    predictors   VARCHAR NOT NULL,
    n            BIGINT NOT NULL,
    folds        BIGINT NOT NULL,
    r2           DOUBLE,
    mae          DOUBLE,
    spearman     DOUBLE,
    coefficients VARCHAR
);
