-- track_clusters: each clustered track's cluster, its distance to the centroid (scaled units)
-- and its 2-D PCA coordinates (written by the Rust step `cluster`).
-- Grain: one row per clustered track of tracks_features. Key: track_id.
CREATE OR REPLACE TABLE track_clusters (
    track_id VARCHAR PRIMARY KEY, spotify_id VARCHAR, cluster INTEGER NOT NULL,
    distance DOUBLE NOT NULL, pc1 DOUBLE, pc2 DOUBLE);
