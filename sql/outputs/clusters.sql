-- clusters: each cluster's size, name (computed, or given by `[cluster] names`) and description
-- (written by the Rust step `cluster`). Clusters are numbered by size, 0 = largest.
-- Grain: one row per cluster. Key: cluster; name is unique.
CREATE OR REPLACE TABLE clusters (
    cluster INTEGER PRIMARY KEY, size BIGINT, name VARCHAR UNIQUE, description VARCHAR,
    computed_name VARCHAR);
