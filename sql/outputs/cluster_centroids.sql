-- cluster_centroids: every cluster's centre, scaled and in the feature's original units
-- (written by the Rust step `cluster`).
-- Grain: one row per (cluster, feature). Key: (cluster, feature).
CREATE OR REPLACE TABLE cluster_centroids (
    cluster INTEGER, feature VARCHAR, scaled DOUBLE, value DOUBLE,
    PRIMARY KEY (cluster, feature));
