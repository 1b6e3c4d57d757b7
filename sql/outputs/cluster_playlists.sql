-- cluster_playlists: each cluster's tracks in playlist order, near-duplicates (same artist and
-- title) dropped: written by the Rust step `cluster` by distance to the centroid, then
-- reordered by the step `playlists.order` as `[playlists] order` says (default "set": a DJ set).
-- Grain: one row per playlist entry. Key: (cluster, position).
CREATE OR REPLACE TABLE cluster_playlists (
    cluster INTEGER, cluster_name VARCHAR, position INTEGER, track_id VARCHAR,
    spotify_id VARCHAR, title VARCHAR, artist VARCHAR, album VARCHAR, PRIMARY KEY (cluster, position));
