-- spotify_playlists: the Spotify playlist kept for each cluster (state database; written by
-- `selecta playlists spotify`), so a rerun updates the same playlists.
-- Grain: one row per cluster. Key: cluster.
CREATE TABLE IF NOT EXISTS state.spotify_playlists (
    cluster INTEGER PRIMARY KEY,
    playlist_id VARCHAR NOT NULL,
    name VARCHAR,
    user_id VARCHAR,
    tracks INTEGER,
    snapshot_id VARCHAR,
    updated_at TIMESTAMP
);
