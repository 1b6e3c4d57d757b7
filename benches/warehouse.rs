//! `make bench` — the whole job's wall time on the original data (`examples/original_run.toml`),
//! against a reference measured in the same run: the same four files loaded by DuckDB's own
//! `read_csv` and joined in one query — the least any tool must do to produce that table.
//! Target: the job under 2 s once built.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = repo.join("../shared");
    if !shared.join("data").exists() {
        eprintln!("SKIPPED: ../shared/data not found");
        return;
    }
    let shared = shared.canonicalize().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(repo.join("examples/original_run.toml"))
        .unwrap()
        .replace("../../shared", &shared.display().to_string())
        .replace("../out/original_run.duckdb", "w.duckdb");
    let config_path = dir.path().join("selecta.toml");
    std::fs::write(&config_path, config).unwrap();

    let job = median(|| {
        let out = Command::new(env!("CARGO_BIN_EXE_selecta")).arg("--config").arg(&config_path).arg("-q").arg("build").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    });
    let data = shared.join("data");
    let reference = median(|| reference_join(&data));

    println!("whole job, examples/original_run.toml ({RUNS} runs, median)");
    println!("  selecta build            {:>8.3} s", job.as_secs_f64());
    println!("  reference (read_csv+join) {:>7.3} s", reference.as_secs_f64());
    println!("  ratio job / reference    {:>8.2}×", job.as_secs_f64() / reference.as_secs_f64());
    println!("  target < 2 s             {}", if job < Duration::from_secs(2) { "met" } else { "NOT met" });
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

/// The minimal equivalent: load the four CSVs and join them into the final table.
fn reference_join(data: &Path) {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let p = |rel: &str| data.join(rel).display().to_string();
    let sql = format!(
        "CREATE TABLE c AS SELECT * FROM read_csv('{}');
         CREATE TABLE t AS SELECT * FROM read_csv('{}');
         CREATE TABLE s AS SELECT * FROM read_csv('{}');
         CREATE TABLE f AS SELECT * FROM read_csv('{}');
         CREATE TABLE final AS
         SELECT * FROM (SELECT s.*, row_number() OVER (PARTITION BY s.spotify_id ORDER BY s.track_id) AS rk FROM s WHERE s.spotify_id IS NOT NULL) s
         JOIN t USING (track_id) LEFT JOIN c ON c.id = t.album_id LEFT JOIN f ON f.spotify_id = s.spotify_id WHERE rk = 1;",
        p("collection/collection.csv"),
        p("collection/my_tracks.csv"),
        p("original_run/my_tracks_spotify_id.csv"),
        p("original_run/tracks_features.csv"),
    );
    conn.execute_batch(&sql).unwrap();
}
