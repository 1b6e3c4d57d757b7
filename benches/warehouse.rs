//! `make bench` — the whole job's wall time on the original data (`examples/original_run.toml`),
//! against a reference measured in the same run: the same four files loaded by DuckDB's own
//! `read_csv` and joined in one query — the least any tool must do to produce that table. Beside
//! it, the same reference as a build must run it, for scale: in a process of its own, into a
//! new database file, checkpointed (the cost of leaving a warehouse on disk).
//!
//! Targets (issue 14): the build without clustering at most 1.5× the reference, the build with
//! clustering (k = 8 with the k = 2..20 elbow, 10 restarts each) at most 0.8 s, both medians of
//! 5 in this run. Then the build's profile: each step's median time over the 5 builds with
//! clustering (from `run_log`), the checks summed. Last, the scale test: a 200 000-track
//! collection written by `benches/generate_collection.py` (same raw formats) built once, with
//! clustering and elbow, its time and peak memory (target: 10 s). `SELECTA_BENCH_SCALE=N` sets
//! its size (0 skips it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The reference runs in this process: it gets the allocator the `selecta` binary has
/// (mimalloc, see build.rs), so the ratio compares the work, not the allocators.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 5;

mod common;

/// Set in the child process that runs the durable reference (see [`durable_reference`]): the
/// folder of the original data and the database file to write.
const CHILD_ENV: &str = "SELECTA_BENCH_DURABLE_REFERENCE";

fn main() {
    if let Ok(args) = std::env::var(CHILD_ENV) {
        let (data, db) = args.split_once('\n').expect("data folder and database file");
        reference_join(Path::new(data), Some(Path::new(db)));
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let Some(run) = common::original_run() else { return };
    let spine_path = run.write("spine.toml", "\n[cluster]\nenabled = false\n");
    let config_path = run.write("selecta.toml", "");
    let build = common::build;
    let job = median(|| build(&spine_path));
    let whole = median(|| build(&config_path));
    let data = run.shared.join("data");
    let reference = median(|| reference_join(&data, None));
    let durable = median(|| durable_reference(&data, &run.dir.path().join("reference.duckdb")));

    let ratio = job.as_secs_f64() / reference.as_secs_f64();
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    println!("whole job, examples/original_run.toml ({RUNS} runs, median)");
    println!("  selecta build, no cluster   {:>7.3} s", job.as_secs_f64());
    println!("  reference (read_csv+join)   {:>7.3} s", reference.as_secs_f64());
    println!("  ratio job / reference       {:>7.2}×  (target ≤ 1.5×: {})", ratio, met(ratio <= 1.5));
    println!(
        "  reference, durable          {:>7.3} s  (the same in its own process, into a database file, checkpointed: {:.2}× the reference; job / it {:.2}×)",
        durable.as_secs_f64(),
        durable.as_secs_f64() / reference.as_secs_f64(),
        job.as_secs_f64() / durable.as_secs_f64()
    );
    println!(
        "  selecta build, with cluster {:>7.3} s  (target ≤ 0.8 s: {}; clustering {:.3} s)",
        whole.as_secs_f64(),
        met(whole <= Duration::from_millis(800)),
        whole.as_secs_f64() - job.as_secs_f64()
    );
    profile(&run.dir.path().join("w.state.duckdb"));
    scale(&repo, run.dir.path());
}

/// Each step's median time over the builds with clustering (the last `RUNS` runs of the
/// state database), largest first; the checks summed on one line.
fn profile(state: &Path) {
    let conn = duckdb::Connection::open(state).unwrap();
    let sql = format!(
        "WITH runs AS (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT {RUNS}),
              steps AS (SELECT run_id, CASE WHEN kind = 'check' THEN 'checks (all, summed)' ELSE step END AS step, sum(seconds) AS s
                        FROM run_log WHERE run_id IN (SELECT run_id FROM runs) GROUP BY ALL)
         SELECT step, median(s), count(*) FROM steps GROUP BY step ORDER BY 2 DESC"
    );
    let rows: Vec<(String, f64)> = conn.prepare(&sql).unwrap().query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let total: f64 = rows.iter().map(|r| r.1).sum();
    let run: f64 = conn
        .query_row(&format!("SELECT median(seconds) FROM (SELECT seconds FROM runs ORDER BY started_at DESC LIMIT {RUNS})"), [], |r| r.get(0))
        .unwrap();
    println!("profile of the build with clustering (median seconds per step over {RUNS} builds; steps sum to {total:.3} s,");
    println!("  runs to their last step {run:.3} s: independent steps overlap, one per core)");
    for (step, s) in rows {
        println!("  {step:<34} {s:>7.3} s {:>5.1} %", 100.0 * s / total);
    }
}

/// The scale test: a generated collection built once, with its time and peak memory.
fn scale(repo: &Path, dir: &Path) {
    let n: usize = std::env::var("SELECTA_BENCH_SCALE").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    if n == 0 {
        return;
    }
    let data = dir.join("scale");
    let made = Command::new("python3").arg(repo.join("benches/generate_collection.py")).arg(&data).arg(n.to_string()).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let config = data.join("selecta.toml");
    std::fs::write(
        &config,
        "warehouse = \"w.duckdb\"\n[inputs]\nreleases = [\"collection.csv\"]\ntracklists = [\"my_tracks.csv\"]\n\
         spotify_ids = [\"my_tracks_spotify_id.csv\"]\nfeatures = [\"tracks_features.csv\"]\n",
    )
    .unwrap();
    let t = Instant::now();
    common::build(&config);
    let secs = t.elapsed().as_secs_f64();
    // SAFETY: getrusage only fills the struct it is given (Linux's 64-bit layout, below).
    let peak_kb = unsafe {
        let mut u: libc_rusage::Rusage = std::mem::zeroed();
        libc_rusage::getrusage(libc_rusage::RUSAGE_CHILDREN, &mut u);
        u.ru_maxrss
    };
    println!("scale: {n} generated tracks (benches/generate_collection.py), one build with clustering and elbow");
    println!("  selecta build               {secs:>7.3} s  (target ≤ 10 s: {})", if secs <= 10.0 { "met" } else { "NOT met" });
    println!("  peak memory (largest child) {:>7.1} MB", peak_kb as f64 / 1024.0);
    let state = duckdb::Connection::open(data.join("w.state.duckdb")).unwrap();
    let steps: Vec<(String, f64)> = state
        .prepare("SELECT step, seconds FROM run_log WHERE kind <> 'check' ORDER BY seconds DESC LIMIT 6")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (step, s) in steps {
        println!("  {step:<27} {s:>7.3} s");
    }
}

/// `getrusage(RUSAGE_CHILDREN)` (Linux, 64-bit): `ru_maxrss` is the peak resident memory, in
/// KB, of the largest finished child — here the scale build.
mod libc_rusage {
    pub const RUSAGE_CHILDREN: i32 = -1;
    #[repr(C)]
    pub struct Rusage {
        pub ru_utime: [i64; 2],
        pub ru_stime: [i64; 2],
        pub ru_maxrss: i64,
        pub rest: [i64; 13],
    }
    unsafe extern "C" {
        pub fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
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

/// The reference as a build must run it: in a process of its own (this bench's executable,
/// so the same DuckDB and allocator), into a new database file at `db`, checkpointed — what
/// any job that leaves a warehouse on disk pays besides the work itself.
fn durable_reference(data: &Path, db: &Path) {
    let _ = std::fs::remove_file(db);
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe).env(CHILD_ENV, format!("{}\n{}", data.display(), db.display())).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The minimal equivalent: load the four CSVs and join them into the final table, in memory
/// (`db` = `None`) or into the database file `db`, then checkpointed.
fn reference_join(data: &Path, db: Option<&Path>) {
    let conn = match db {
        Some(path) => duckdb::Connection::open(path).unwrap(),
        None => duckdb::Connection::open_in_memory().unwrap(),
    };
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
    if db.is_some() {
        conn.execute_batch("CHECKPOINT").unwrap();
    }
}
