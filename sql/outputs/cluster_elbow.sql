-- cluster_elbow: inertia and silhouette for every k tried, and which k was chosen
-- (written by the Rust step `cluster`; k = 1 holds the total sum of squares).
-- Grain: one row per k. Key: k.
CREATE OR REPLACE TABLE cluster_elbow (k INTEGER PRIMARY KEY, inertia DOUBLE, silhouette DOUBLE, chosen BOOLEAN);
