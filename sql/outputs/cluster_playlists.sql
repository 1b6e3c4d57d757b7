-- cluster_playlists: each cluster's tracks in playlist order — by distance to the centroid,
-- near-duplicates (same artist and title) dropped (written by the Rust step `cluster`).
-- Grain: one row per playlist entry. Key: (cluster, position).
CREATE OR REPLACE TABLE cluster_playlists (
    cluster INTEGER, cluster_name VARCHAR, position INTEGER, track_id VARCHAR,
    spotify_id VARCHAR, title VARCHAR, artist VARCHAR, album VARCHAR, PRIMARY KEY (cluster, position));
