-- What every build leaves in the state database (written by the build runner).
-- runs: one row per build. Key: run_id.
-- run_log: one row per step of a build. Key: (run_id, step_no).
-- check_failures: one row per offending key a failed check returned (its first keys).
--   Key: (run_id, check_name, key).
CREATE TABLE IF NOT EXISTS state.runs (
    run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP, seconds DOUBLE, status VARCHAR,
    config VARCHAR, warehouse VARCHAR, failure VARCHAR);
CREATE TABLE IF NOT EXISTS state.run_log (
    run_id VARCHAR, step_no INTEGER, step VARCHAR, kind VARCHAR, status VARCHAR,
    rows BIGINT, seconds DOUBLE, note VARCHAR);
CREATE TABLE IF NOT EXISTS state.check_failures (
    run_id VARCHAR, check_name VARCHAR, sql_file VARCHAR, offending_rows BIGINT,
    key VARCHAR, n BIGINT, detail VARCHAR);
