-- analysis_features: the audio features the analyser computed, per analysed file or CUE track.
-- Grain: one row per row of track_files that decoded. Key: file_key. track_id is the matched
-- track (NULL when unmatched: its features are kept). Units: tempo in BPM, key 0 = C … 11 = B,
-- mode 1 major / 0 minor, loudness in LUFS, loudness range in LU, centroid and rolloff in Hz,
-- the rest in 0..1 (zcr per sample, onset_rate per second). analyzer_version names the code.
CREATE OR REPLACE TABLE analysis_features (
    file_key             VARCHAR NOT NULL,
    track_id             VARCHAR,
    analyzer_version     VARCHAR NOT NULL,
    duration_s           DOUBLE,
    tempo_bpm            DOUBLE,
    tempo_confidence     DOUBLE,
    key                  INTEGER,
    mode                 INTEGER,
    camelot              VARCHAR,
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
    onset_rate           DOUBLE
);
