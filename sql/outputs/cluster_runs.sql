-- cluster_runs: every clustering run's settings and results (appended by the Rust step `cluster`
-- and by `selecta cluster`; the other cluster tables hold the latest run).
-- Grain: one row per clustering run. Key: run_id.
CREATE TABLE IF NOT EXISTS cluster_runs (
    run_id VARCHAR, created_at TIMESTAMP, features VARCHAR[],
    scaler_center DOUBLE[], scaler_scale DOUBLE[], scaler_q25 DOUBLE[], scaler_q75 DOUBLE[],
    k INTEGER, k_rule VARCHAR, k_min INTEGER, k_max INTEGER, seed UBIGINT, n_init INTEGER,
    max_iter INTEGER, tol DOUBLE, algorithm VARCHAR, tracks BIGINT, excluded BIGINT,
    inertia DOUBLE, silhouette DOUBLE, silhouette_rows BIGINT, n_iter INTEGER, best_init INTEGER,
    playlist_duplicates_dropped BIGINT, seconds DOUBLE);
