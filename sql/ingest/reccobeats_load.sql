-- reccobeats_load: a temporary table the step `ingest.reccobeats` fills from the cache before
-- inserting it into raw_audio_features (same columns, by name).
-- Grain: one row per cached ID with features. Key: spotify_id.
CREATE OR REPLACE TEMP TABLE reccobeats_load (
    source_file VARCHAR, source_line BIGINT, source VARCHAR, source_rank INTEGER, spotify_id VARCHAR,
    danceability VARCHAR, energy VARCHAR, key VARCHAR, loudness VARCHAR, mode VARCHAR, speechiness VARCHAR,
    acousticness VARCHAR, instrumentalness VARCHAR, liveness VARCHAR, valence VARCHAR, tempo VARCHAR);
