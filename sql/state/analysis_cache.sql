-- state.analysis_cache: every analysis done, by content, so a rerun analyses only new or
-- changed files (and a renamed file is not analysed again).
-- Grain: one row per (content_hash, segment_start_ms, analyzer_version): a whole file is the
-- segment starting at 0; a CUE-split side has one segment per track. A file that failed
-- keeps its error (same bytes, same error) and NULL features.
-- Written one file at a time as each finishes: an interrupted run keeps every finished file.
CREATE TABLE IF NOT EXISTS state.analysis_cache (
    content_hash         VARCHAR NOT NULL,
    segment_start_ms     BIGINT NOT NULL,
    analyzer_version     VARCHAR NOT NULL,
    codec                VARCHAR,
    channels             INTEGER,
    sample_rate          INTEGER,
    error                VARCHAR,
    duration_s           DOUBLE,
    tempo_bpm            DOUBLE,
    tempo_confidence     DOUBLE,
    key                  INTEGER,
    mode                 INTEGER,
    key_strength         DOUBLE,
    loudness_lufs        DOUBLE,
    loudness_range_lu    DOUBLE,
    danceability         DOUBLE,
    energy               DOUBLE,
    spectral_centroid_hz DOUBLE,
    spectral_rolloff_hz  DOUBLE,
    spectral_flatness    DOUBLE,
    spectral_entropy     DOUBLE,
    spectral_flux        DOUBLE,
    zcr                  DOUBLE,
    onset_rate           DOUBLE,
    analysed_at          TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (content_hash, segment_start_ms, analyzer_version)
);
