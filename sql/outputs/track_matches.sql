-- track_matches: the matcher's decision for each track (written by the Rust step `match`).
-- Grain: one row per track of `tracks`. Key: track_id.
-- spotify_id is NULL unless the quality is accepted (exact, high, medium, low, override);
-- score and its parts are the best candidate's; runner_up_* the second best.
CREATE OR REPLACE TABLE track_matches (
    track_id VARCHAR PRIMARY KEY, spotify_id VARCHAR, quality VARCHAR, strategy VARCHAR, source VARCHAR,
    query VARCHAR, score DOUBLE, title_sim DOUBLE, artist_sim DOUBLE, album_sim DOUBLE, duration_sim DOUBLE,
    version_distance DOUBLE, runner_up_id VARCHAR, runner_up_score DOUBLE, candidates INTEGER,
    matched_name VARCHAR, matched_artists VARCHAR, matched_album VARCHAR, reason VARCHAR);
