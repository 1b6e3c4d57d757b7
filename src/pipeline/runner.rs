//! The build runner: runs the plan's steps on a side copy of the warehouse, independent ones at
//! the same time on their own connections ([`crate::pipeline::schedule`], `--threads`), logs
//! each one like dbt (one numbered line: status, name, rows, duration) in plan order, keeps
//! every step in `state.run_log`, and swaps the side file in only when every step and check
//! passed.
//!
//! A failed run — a step's error or a check that returned rows — deletes the side file and
//! leaves the last good warehouse as it was, still queryable; its log and the failing check's
//! offending keys stay in the state database (`run_log`, `check_failures`). One build runs per
//! warehouse at a time ([`crate::pipeline::lock`]); Ctrl-C ends the run as `interrupted`
//! ([`crate::pipeline::interrupt`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config::Config;
use crate::db::{DbError, attach_state, duck, remove_if_exists};
use crate::pipeline::{interrupt, schedule};
use crate::pipeline::lock::BuildLock;
use crate::pipeline::plan::{self, Step, StepKind};
use crate::step::{StepContext, StepError, StepOutput, StepStatus};

/// How many offending keys a failed check prints and stores.
pub const SAMPLE_KEYS: usize = 10;

/// Errors that stop a build before its run log can say how it ended.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Locked(#[from] crate::pipeline::lock::LockError),
    #[error(transparent)]
    Checks(#[from] crate::checks::ChecksError),
    #[error("starting the build's worker threads: {0}")]
    Threads(std::io::Error),
}

/// Who hears about a build as it runs: the command line prints the run log from these calls.
pub trait BuildObserver {
    /// The build has started: run id, configuration file, warehouse, the plan's step names.
    fn started(&mut self, run_id: &str, config: &Path, warehouse: &Path, steps: &[&str]);
    /// One step has ended (`total` steps in the plan).
    fn step_done(&mut self, record: &StepRecord, total: usize);
    /// The build has ended; `warehouse_exists` tells whether a warehouse is there now.
    fn finished(&mut self, outcome: &BuildOutcome, warehouse: &Path, warehouse_exists: bool);
}

/// One step's line of the run log.
#[derive(Debug, Clone)]
pub struct StepRecord {
    pub no: usize,
    pub name: &'static str,
    pub kind: &'static str,
    /// OK, WARN, SKIP, FAIL (a check returned rows) or ERROR (the step itself failed).
    pub status: &'static str,
    pub rows: Option<u64>,
    pub seconds: f64,
    pub note: Option<String>,
}

/// How a build ended.
#[derive(Debug)]
pub struct BuildOutcome {
    pub run_id: String,
    pub steps: Vec<StepRecord>,
    /// The failing step's message, when the build failed.
    pub failure: Option<String>,
    /// Whether Ctrl-C stopped it (then `failure` says where).
    pub interrupted: bool,
    pub seconds: f64,
}

impl BuildOutcome {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }
}

/// How long a build waits for a `selecta sql` that holds the state database to let it go.
const STATE_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// DDL: `sql/state/run_log.sql`.
const STATE_TABLES: &str = include_str!("../../sql/state/run_log.sql");

/// The side file a build writes before the swap.
pub fn side_path(warehouse: &Path) -> PathBuf {
    let mut name = warehouse.file_name().unwrap_or_default().to_os_string();
    name.push(".building");
    warehouse.with_file_name(name)
}

fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".wal");
    db.with_file_name(name)
}

/// How a build is run (the command line's flags).
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// Whether progress bars may be drawn.
    pub progress: bool,
    /// How long to wait for another build of the same warehouse to end (default: not at all).
    pub lock_wait: std::time::Duration,
    /// How many steps may run at once, each on its own connection (0: one per core).
    pub threads: usize,
}

/// Runs a whole build, telling `observer` about each step.
pub fn build(config: &Config, progress: bool, observer: &mut dyn BuildObserver) -> Result<BuildOutcome, PipelineError> {
    build_with(config, &BuildOptions { progress, ..BuildOptions::default() }, observer)
}

/// Runs a whole build with `options`. The build lock is taken first (one build per warehouse);
/// from the moment its `runs` row exists, the run ends `succeeded`, `failed` or `interrupted`
/// whatever happens — an error of the runner itself included — and a run that did not succeed
/// removes its side file.
pub fn build_with(config: &Config, options: &BuildOptions, observer: &mut dyn BuildObserver) -> Result<BuildOutcome, PipelineError> {
    let started = Instant::now();
    let run_id = new_run_id();
    let steps = plan::build_plan(config)?;
    crate::db::create_parent(&config.warehouse)?;
    let _lock = BuildLock::acquire(&config.warehouse, options.lock_wait)?;
    interrupt::install();
    let side = side_path(&config.warehouse);
    remove_side(&side)?;
    // What an interrupted build of the same plan may have left half-published.
    let publishes = published_files(&steps);
    remove_staged(&publishes)?;

    let conn = match open_side(config, &side, &run_id) {
        Ok(conn) => conn,
        Err(e) => {
            let _ = remove_side(&side);
            return Err(e.into());
        }
    };
    // By default one connection per core, at most DEFAULT_WORKERS (the plan seldom has more
    // independent steps at once); `--threads N` is taken as given.
    let threads = match options.threads {
        0 => crate::parallel::threads(0, steps.len()).min(DEFAULT_WORKERS),
        n => n.min(steps.len()).max(1),
    };
    let workers = match duckdb_threads(&conn, threads).and_then(|()| (0..threads).map(|_| crate::db::clone_session(&conn)).collect::<Result<Vec<_>, _>>()) {
        Ok(w) => w,
        Err(e) => return Err(abandon(conn, &run_id, started, &side, &publishes, e.into())),
    };
    let _watch = interrupt::watch(workers.iter().map(|w| w.interrupt_handle()).collect(), side.clone());
    tracing::debug!("side file and state database open, {threads} connections, in {:.3} s", started.elapsed().as_secs_f64());
    let ran = run_steps(&conn, workers, &run_id, &steps, options.progress, config, observer);
    tracing::debug!("steps ended at {:.3} s", started.elapsed().as_secs_f64());
    let (records, failure, interrupted) = match ran {
        Ok(r) => r,
        // The runner itself failed (the state database, the check audit): the run still ends.
        Err(e) => return Err(abandon(conn, &run_id, started, &side, &publishes, e)),
    };
    let status = match (&failure, interrupted) {
        (_, true) => "interrupted",
        (Some(_), false) => "failed",
        (None, false) => "succeeded",
    };
    let ended = store_steps(&conn, &run_id, &records).and_then(|()| end_run(&conn, &run_id, started, status, failure.as_deref()));
    let swappable = ended.and_then(|()| match failure {
        None => conn.execute_batch("CHECKPOINT").map_err(duck("checkpointing the new warehouse")),
        Some(_) => Ok(()),
    });
    if let Err(e) = swappable {
        return Err(abandon(conn, &run_id, started, &side, &publishes, e.into()));
    }
    tracing::debug!("run log stored, side file checkpointed at {:.3} s", started.elapsed().as_secs_f64());
    drop(conn);
    if failure.is_none() {
        // A WAL beside the old warehouse belongs to the old file: it must not replay on the new one.
        remove_if_exists(&wal_path(&config.warehouse))?;
        std::fs::rename(&side, &config.warehouse).map_err(|source| DbError::Io { path: config.warehouse.clone(), source })?;
        remove_if_exists(&wal_path(&side))?;
        publish(&publishes)?;
    } else {
        remove_side(&side)?;
        remove_staged(&publishes)?;
    }
    tracing::debug!("side file closed and swapped in at {:.3} s", started.elapsed().as_secs_f64());
    let outcome = BuildOutcome { run_id, steps: records, failure, interrupted, seconds: started.elapsed().as_secs_f64() };
    observer.finished(&outcome, &config.warehouse, config.warehouse.exists());
    Ok(outcome)
}

/// The most connections a build opens by default (`--threads 0`).
pub const DEFAULT_WORKERS: usize = 4;

/// With steps running on several connections, DuckDB's own pool gets the cores the steps'
/// threads leave (`cores − workers + 1` threads in all, the query's own thread counted; at
/// least 1): each query runs on its step's thread, helped by the pool where cores are left.
/// Measured on 2 cores (a pool of 1), a pool as large as the machine made builds slower, its
/// threads polling for work beside the steps' (the original data without clustering: 0.65 s
/// against 0.43 s; 200 000 tracks: 19.0 s against 15.6 s). With one connection (`--threads
/// 1`), DuckDB keeps its default pool.
fn duckdb_threads(conn: &duckdb::Connection, workers: usize) -> Result<(), DbError> {
    if workers > 1 {
        let cores = crate::parallel::threads(0, usize::MAX);
        let pool = (cores + 1).saturating_sub(workers).max(1);
        conn.execute_batch(&format!("SET threads = {pool}")).map_err(duck("setting DuckDB's worker threads"))?;
    }
    Ok(())
}

/// A run the runner itself could not finish: recorded as failed (as far as the state database
/// still answers), its side file and staged files removed; `e` is handed back.
fn abandon(conn: duckdb::Connection, run_id: &str, started: Instant, side: &Path, publishes: &[PathBuf], e: PipelineError) -> PipelineError {
    let _ = end_run(&conn, run_id, started, "failed", Some(&e.to_string()));
    drop(conn);
    let _ = remove_side(side);
    let _ = remove_staged(publishes);
    e
}

/// The side file created, the state database attached, the run recorded as `running`.
fn open_side(config: &Config, side: &Path, run_id: &str) -> Result<duckdb::Connection, DbError> {
    let conn = open_side_file(side)?;
    // A `selecta sql` reading the state database holds it for its query: wait for it.
    let t0 = Instant::now();
    loop {
        match attach_state(&conn, &config.state, false) {
            Ok(()) => break,
            Err(DbError::Duck { source, .. }) if source.to_string().contains("Could not set lock") && t0.elapsed() < STATE_LOCK_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
    conn.execute_batch(STATE_TABLES).map_err(duck("creating the state tables"))?;
    conn.execute(
        "INSERT INTO state.runs VALUES (?, now()::TIMESTAMP, NULL, 'running', ?, ?, NULL)",
        duckdb::params![run_id, config.path.display().to_string(), config.warehouse.display().to_string()],
    )
    .map_err(duck("recording the run"))?;
    Ok(conn)
}

/// The run's end in `state.runs`, and the state database detached.
fn end_run(conn: &duckdb::Connection, run_id: &str, started: Instant, status: &str, failure: Option<&str>) -> Result<(), DbError> {
    conn.execute(
        "UPDATE state.runs SET seconds = ?, status = ?, failure = ? WHERE run_id = ?",
        duckdb::params![started.elapsed().as_secs_f64(), status, failure, run_id],
    )
    .map_err(duck("recording the run's end"))?;
    conn.execute_batch("DETACH state").map_err(duck("detaching the state database"))
}

/// The files the plan's steps publish (see `StepKind::Rust`).
fn published_files(steps: &[Step<'_>]) -> Vec<PathBuf> {
    steps
        .iter()
        .flat_map(|s| match &s.kind {
            StepKind::Rust { publishes, .. } => publishes.iter().map(|p| p.to_path_buf()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Each published file's staged copy moved into place (a step that did not write one, as one
/// that skipped, leaves the old file as it was).
fn publish(files: &[PathBuf]) -> Result<(), DbError> {
    for file in files {
        let staged = crate::step::staged_path(file);
        if staged.exists() {
            std::fs::rename(&staged, file).map_err(|source| DbError::Io { path: file.clone(), source })?;
        }
    }
    Ok(())
}

fn remove_staged(files: &[PathBuf]) -> Result<(), DbError> {
    files.iter().try_for_each(|f| remove_if_exists(&crate::step::staged_path(f)))
}

fn remove_side(side: &Path) -> Result<(), DbError> {
    remove_if_exists(side)?;
    remove_if_exists(&wal_path(side))
}

/// The steps' records, the failure that stopped the build, and whether Ctrl-C did.
type Ran = (Vec<StepRecord>, Option<String>, bool);

/// One step's end as a worker hands it back: its result and its seconds.
struct Ended {
    result: Result<StepResult, StepError>,
    seconds: f64,
}

impl Ended {
    /// Whether the build stops at this step: an error, or a check that fails (not one that warns).
    fn stops(&self) -> bool {
        match &self.result {
            Ok(StepResult::Done(_)) => false,
            Ok(StepResult::CheckFailed { warn, .. }) => !warn,
            Err(_) => true,
        }
    }
}

/// Runs the plan's steps on `workers` (connections to the side file), independent steps at the
/// same time ([`crate::pipeline::schedule`]), and tells `observer` about each in plan order.
fn run_steps(
    conn: &duckdb::Connection,
    workers: Vec<duckdb::Connection>,
    run_id: &str,
    steps: &[Step<'_>],
    progress: bool,
    config: &Config,
    observer: &mut dyn BuildObserver,
) -> Result<Ran, PipelineError> {
    let total = steps.len();
    let names: Vec<&str> = steps.iter().map(|s| s.name).collect();
    observer.started(run_id, &config.path, &config.warehouse, &names);
    let (mut tasks, mut waits) = schedule::tasks(steps);
    // The side file is checkpointed (written to disk) once every step writing it and every
    // check has ended, beside the Rust steps that only read it (the report): queries beside a
    // checkpoint wait for the tables it writes (checks of 0.03 s took 0.1 s beside it). The
    // checkpoint after the run log then finds nothing left to write; should this one fail,
    // that one still runs.
    schedule::with_final(&mut tasks, &mut waits, |task| task.steps.clone().any(|i| !reads_only(&steps[i])));
    let exec = |conn: &mut duckdb::Connection, task: &schedule::Task| {
        if task.steps.is_empty() {
            if let Err(e) = conn.execute_batch("CHECKPOINT") {
                tracing::debug!("the checkpoint beside the last steps failed ({e}); the final one follows");
            }
            return Vec::new();
        }
        let ctx = StepContext { conn, run_id, progress, offline: config.offline };
        run_task(&ctx, steps, task.steps.clone())
    };
    let mut records = Vec::new();
    let mut failure = None;
    let mut audit: Result<(), DbError> = Ok(());
    let report = |i: usize, ended: Ended| {
        let step = &steps[i];
        let seconds = ended.seconds;
        let (record, failed) = match ended.result {
            Ok(StepResult::Done(o)) => (record(i + 1, step, o.status.as_str(), o.rows, seconds, o.note), None),
            Ok(StepResult::CheckFailed { rows, keys, warn }) => {
                let sample: Vec<String> = keys.iter().map(|(k, n, _)| format!("{k} ({n}×)")).collect();
                let note = format!("{rows} offending rows: {}{}", sample.join(", "), if rows as usize > keys.len() { ", …" } else { "" });
                if audit.is_ok() {
                    audit = store_check_failure(conn, run_id, step, rows, &keys);
                }
                if warn {
                    // `[checks] warn`: reported and audited, the build goes on.
                    (record(i + 1, step, "WARN", Some(rows), seconds, Some(note)), None)
                } else {
                    let msg = format!("check {} failed: {note}", step.name);
                    (record(i + 1, step, "FAIL", Some(rows), seconds, Some(note)), Some(msg))
                }
            }
            Err(_) if interrupt::requested() => {
                let msg = format!("interrupted (Ctrl-C) during step {}", step.name);
                (record(i + 1, step, "ERROR", None, seconds, Some("interrupted (Ctrl-C)".into())), Some(msg))
            }
            Err(e) => {
                let msg = format!("step {} failed: {e}", step.name);
                (record(i + 1, step, "ERROR", None, seconds, Some(e.to_string())), Some(msg))
            }
        };
        observer.step_done(&record, total);
        records.push(record);
        if failure.is_none() {
            failure = failed;
        }
    };
    let stopped = schedule::run(&tasks, &waits, workers, exec, Ended::stops, interrupt::requested, report)
        .map_err(PipelineError::Threads)?;
    audit?;
    let interrupted = stopped || interrupt::requested();
    if interrupted && failure.is_none() {
        failure = Some(match steps.get(records.len()) {
            Some(next) => format!("interrupted (Ctrl-C) before step {}", next.name),
            None => "interrupted (Ctrl-C) after the last step".into(),
        });
    }
    Ok((records, failure, interrupted))
}

/// Whether a step only reads the warehouse ([`plan::Reach::Reads`]: the report): one the side
/// file's checkpoint may run beside.
fn reads_only(step: &Step<'_>) -> bool {
    matches!(&step.kind, StepKind::Rust { reach: plan::Reach::Reads, .. })
}

/// Runs the steps `range` of one task on `ctx`'s connection, ending at the first that stops the
/// build. The run of checks a task holds is counted in one query (see `count_checks`).
fn run_task(ctx: &StepContext<'_>, steps: &[Step<'_>], range: std::ops::Range<usize>) -> Vec<(usize, Ended)> {
    let mut out = Vec::new();
    let mut counted: Vec<Option<(i64, f64)>> = vec![None; steps.len()];
    for i in range {
        let step = &steps[i];
        let t0 = Instant::now();
        let _span = tracing::info_span!("step", name = step.name).entered();
        // The first check of the task counts the offending rows of every check of it.
        let mut batch_seconds = 0.0;
        // A panic in a step is a bug, but it ends the step as ERROR like any failure: the run
        // still ends, the side file still goes.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &step.kind {
            StepKind::Rust { run, .. } => run(ctx).map(StepResult::Done),
            StepKind::Sql { file, sql, table } => run_sql(ctx, file, sql, *table).map(StepResult::Done),
            StepKind::Check { file, sql, warn, .. } => {
                let counts = if counted[i].is_none() {
                    let r = count_checks(ctx, steps, i, &mut counted);
                    batch_seconds = t0.elapsed().as_secs_f64();
                    r
                } else {
                    Ok(())
                };
                counts.and_then(|()| check_result(ctx, file, sql, counted[i].map_or(0, |(n, _)| n), *warn))
            }
        }))
        .unwrap_or_else(|panic| {
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            Err(format!("panicked (a bug in selecta, please report it): {what}").into())
        });
        // A check's time is its share of the batch count, plus its own look at offending rows.
        let seconds = t0.elapsed().as_secs_f64() - batch_seconds + counted[i].map_or(0.0, |(_, share)| share);
        tracing::debug!("ended after {:.3} s", t0.elapsed().as_secs_f64());
        let ended = Ended { result, seconds };
        let stop = ended.stops();
        out.push((i, ended));
        if stop {
            break;
        }
    }
    out
}

/// The side file, attached without a write-ahead log (`RECOVERY_MODE NO_WAL_WRITES`) as the
/// connection's default database: a build's tables reach the disk once, at the `CHECKPOINT`
/// beside the last steps, instead of once in the WAL at every step's commit and again at the
/// checkpoint. Nothing is lost by it: a build that does not reach the swap deletes the file.
/// No commit checkpoints on its own (`checkpoint_threshold`): DuckDB otherwise wrote the whole
/// side file inside whichever step's commit passed its 16 MiB estimate (playlists.order's).
fn open_side_file(side: &Path) -> Result<duckdb::Connection, DbError> {
    let context = || format!("creating {}", side.display());
    let conn = duckdb::Connection::open_in_memory().map_err(duck(context()))?;
    conn.execute_batch(&format!(
        "SET checkpoint_threshold = '1TB'; ATTACH {} AS building (RECOVERY_MODE NO_WAL_WRITES); USE building;",
        crate::db::path_literal(side)
    ))
        .map_err(duck(context()))?;
    Ok(conn)
}

enum StepResult {
    Done(StepOutput),
    /// A check that returned rows; `warn`: it only warns (`[checks] warn`).
    CheckFailed { rows: u64, keys: Vec<(String, i64, Option<String>)>, warn: bool },
}

/// Runs a SQL file that builds `table` (counted for the run log) and its optional `-- @note`.
fn run_sql(ctx: &StepContext<'_>, file: &str, sql: &str, table: Option<&str>) -> Result<StepOutput, StepError> {
    let (body, note) = plan::split_note(sql);
    ctx.conn.execute_batch(body).map_err(duck(format!("running {file}")))?;
    let rows = match table {
        Some(table) => {
            let n: i64 = ctx.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).map_err(duck(format!("counting {table}")))?;
            Some(n as u64)
        }
        None => None,
    };
    let mut out = StepOutput { status: StepStatus::Ok, rows, note: None };
    if let Some(note_sql) = note {
        let (warn, text): (bool, Option<String>) =
            ctx.conn.query_row(note_sql, [], |r| Ok((r.get(0)?, r.get(1)?))).map_err(duck(format!("running the note query of {file}")))?;
        if let Some(text) = text {
            out.note = Some(text);
            if warn {
                out.status = StepStatus::Warn;
            }
        }
    }
    Ok(out)
}

/// A check's `SELECT`, without its trailing semicolon.
fn check_body(sql: &str) -> &str {
    sql.trim().trim_end_matches(';')
}

/// Counts the offending rows of the checks `steps[i..j]` that follow one step, in one query
/// (one round trip instead of one per check: most checks hold, and their count is all they
/// need), into `counted`, each with its share of the query's time.
fn count_checks(ctx: &StepContext<'_>, steps: &[Step<'_>], i: usize, counted: &mut [Option<(i64, f64)>]) -> Result<(), StepError> {
    let t0 = Instant::now();
    // The run of checks from i on: (step index, name, file, SQL).
    let run: Vec<(usize, &str, &str, &str)> = steps[i..]
        .iter()
        .enumerate()
        .map_while(|(k, s)| match &s.kind {
            StepKind::Check { file, count, .. } => Some((i + k, s.name, *file, *count)),
            _ => None,
        })
        .collect();
    let union: Vec<String> = run.iter().map(|(k, _, _, sql)| format!("SELECT {k} AS step, count(*) AS n FROM ({})", check_body(sql))).collect();
    let context = || {
        let names: Vec<&str> = run.iter().map(|r| r.1).collect();
        let files: Vec<&str> = run.iter().map(|r| r.2).collect();
        format!("running the checks {} ({})", names.join(", "), files.join(", "))
    };
    let mut stmt = ctx.conn.prepare(&union.join("\nUNION ALL\n")).map_err(|e| duck(context())(e))?;
    let counts = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| duck(context())(e))?;
    let share = t0.elapsed().as_secs_f64() / run.len() as f64;
    for (k, n) in counts {
        counted[k as usize] = Some((n, share));
    }
    Ok(())
}

/// A check whose offending rows were counted: OK when none, else its first keys.
fn check_result(ctx: &StepContext<'_>, file: &str, sql: &str, rows: i64, warn: bool) -> Result<StepResult, StepError> {
    if rows == 0 {
        return Ok(StepResult::Done(StepOutput { status: StepStatus::Ok, rows: Some(0), note: None }));
    }
    // Every check returns key VARCHAR, n BIGINT, detail VARCHAR (sql/schema.toml's header).
    let mut stmt = ctx
        .conn
        .prepare(&format!("SELECT key, n, detail FROM ({}) LIMIT {SAMPLE_KEYS}", check_body(sql)))
        .map_err(duck(format!("reading the offending rows of {file}")))?;
    let keys = stmt
        .query_map([], |r| Ok((r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "NULL".into()), r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(duck(format!("reading the offending rows of {file}")))?;
    Ok(StepResult::CheckFailed { rows: rows as u64, keys, warn })
}

fn record(no: usize, step: &Step<'_>, status: &'static str, rows: Option<u64>, seconds: f64, note: Option<String>) -> StepRecord {
    StepRecord { no, name: step.name, kind: step.kind.as_str(), status, rows, seconds, note }
}

/// The run log's rows, in one append at the end of the build (failed or not).
fn store_steps(conn: &duckdb::Connection, run_id: &str, records: &[StepRecord]) -> Result<(), DbError> {
    let mut app = conn.appender_to_catalog_and_db("run_log", "state", "main").map_err(duck("writing the run log"))?;
    for r in records {
        app.append_row(duckdb::params![run_id, r.no as i64, r.name, r.kind, r.status, r.rows.map(|n| n as i64), r.seconds, r.note])
            .map_err(duck("writing the run log"))?;
    }
    app.flush().map_err(duck("writing the run log"))
}

fn store_check_failure(conn: &duckdb::Connection, run_id: &str, step: &Step<'_>, rows: u64, keys: &[(String, i64, Option<String>)]) -> Result<(), DbError> {
    let file = match &step.kind {
        StepKind::Check { file, .. } => *file,
        _ => "",
    };
    // One append, one commit (one sync of the state database), for all the keys.
    let mut app = conn.appender_to_catalog_and_db("check_failures", "state", "main").map_err(duck("writing the check audit"))?;
    for (key, n, detail) in keys {
        app.append_row(duckdb::params![run_id, step.name, file, rows as i64, key, n, detail]).map_err(duck("writing the check audit"))?;
    }
    app.flush().map_err(duck("writing the check audit"))
}

/// `20261128T031500Z-1a2b`: UTC time of the run and a few hex digits of the process id.
fn new_run_id() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{}-{:04x}", crate::fmt::compact_utc(now.as_secs() as i64), (std::process::id() ^ now.subsec_nanos()) & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The build writes its side file next to the warehouse, as `<warehouse>.building`.
    #[test]
    fn side_file_sits_beside_the_warehouse() {
        assert_eq!(side_path(Path::new("out/w.duckdb")), PathBuf::from("out/w.duckdb.building"));
    }
}
