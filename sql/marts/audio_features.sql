-- audio_features: one set of audio features per Spotify ID, from the source that wins.
-- Grain: one row per Spotify ID. Key: spotify_id (schema.toml: check.audio_features_key).
-- Precedence: the lowest source_rank wins — the files of `[inputs].features` in the order they
-- are listed, then API sources (ReccoBeats) after every file.

CREATE OR REPLACE TABLE audio_features AS
SELECT * EXCLUDE (pick, copies)
FROM (
    SELECT *, row_number() OVER (PARTITION BY spotify_id ORDER BY source_rank, source_file, source_line) AS pick
    FROM stg_audio_features
)
WHERE pick = 1;
