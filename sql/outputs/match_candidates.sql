-- match_candidates: every candidate the matcher considered for a track, with its score
-- (written by the Rust step `match`).
-- Grain: one row per (track, candidate). Key: (track_id, rank); rank 1 is the best score.
CREATE OR REPLACE TABLE match_candidates (
    track_id VARCHAR, rank INTEGER, spotify_id VARCHAR, name VARCHAR, artists VARCHAR, album VARCHAR,
    duration_ms BIGINT, query VARCHAR, score DOUBLE, title_sim DOUBLE, artist_sim DOUBLE, album_sim DOUBLE,
    duration_sim DOUBLE, version_distance DOUBLE, version VARCHAR, chosen BOOLEAN);
