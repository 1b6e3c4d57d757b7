-- cluster_elbow: inertia and silhouette for every k tried, which k was chosen, and how many
-- KMeans restarts the inertia is the best of (the kept k runs all `n_init`; the others stop
-- early, `[cluster] elbow_stop`). Written by the Rust step `cluster`; k = 1 holds the total
-- sum of squares.
-- Grain: one row per k. Key: k.
CREATE OR REPLACE TABLE cluster_elbow (k INTEGER PRIMARY KEY, inertia DOUBLE, silhouette DOUBLE, chosen BOOLEAN, restarts INTEGER);
