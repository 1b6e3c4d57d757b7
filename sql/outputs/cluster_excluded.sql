-- cluster_excluded: the tracks of tracks_features left out of the clustering because a selected
-- feature is missing, with the missing features (written by the Rust step `cluster`).
-- Grain: one row per excluded track. Key: track_id.
CREATE OR REPLACE TABLE cluster_excluded (track_id VARCHAR, spotify_id VARCHAR, missing VARCHAR[]);
