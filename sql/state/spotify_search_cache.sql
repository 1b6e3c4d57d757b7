-- spotify_search_cache: every Spotify search response (state database; written by matching).
-- Grain: one row per distinct search (query and limit). Key: key.
CREATE TABLE IF NOT EXISTS state.spotify_search_cache (
    key VARCHAR PRIMARY KEY, q VARCHAR, status INTEGER, total BIGINT, items VARCHAR, fetched_at TIMESTAMP);
