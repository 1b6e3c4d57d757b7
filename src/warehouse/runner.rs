//! The build runner: runs the plan's steps on a side copy of the warehouse, logs each one like
//! dbt (one numbered line: status, name, rows, duration), keeps every step in `state.run_log`,
//! and swaps the side file in only when every step and check passed.
//!
//! A failed run — a step's error or a check that returned rows — deletes the side file and
//! leaves the last good warehouse as it was, still queryable; its log and the failing check's
//! offending keys stay in the state database (`run_log`, `check_failures`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config::Config;
use crate::warehouse::plan::{self, Step, StepKind};
use crate::warehouse::step::{StepContext, StepOutput, StepStatus};
use crate::warehouse::{WarehouseError, attach_state, duck};

/// How many offending keys a failed check prints and stores.
pub const SAMPLE_KEYS: usize = 10;

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
    pub seconds: f64,
}

impl BuildOutcome {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }
}

const STATE_TABLES: &str = "
CREATE TABLE IF NOT EXISTS state.runs (
    run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP, seconds DOUBLE, status VARCHAR,
    config VARCHAR, warehouse VARCHAR, failure VARCHAR);
CREATE TABLE IF NOT EXISTS state.run_log (
    run_id VARCHAR, step_no INTEGER, step VARCHAR, kind VARCHAR, status VARCHAR,
    rows BIGINT, seconds DOUBLE, note VARCHAR);
CREATE TABLE IF NOT EXISTS state.check_failures (
    run_id VARCHAR, check_name VARCHAR, sql_file VARCHAR, offending_rows BIGINT,
    key VARCHAR, n BIGINT, detail VARCHAR);
";

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

fn remove_if_exists(path: &Path) -> Result<(), WarehouseError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(WarehouseError::Io { path: path.to_path_buf(), source }),
    }
}

/// Runs a whole build, printing the run log to `out`.
pub fn build(config: &Config, progress: bool, out: &mut dyn Write) -> Result<BuildOutcome, crate::Error> {
    let started = Instant::now();
    let run_id = new_run_id();
    let steps = plan::build_plan(config)?;
    if let Some(dir) = config.warehouse.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| WarehouseError::Io { path: dir.to_path_buf(), source })?;
    }
    let side = side_path(&config.warehouse);
    remove_if_exists(&side)?;
    remove_if_exists(&wal_path(&side))?;

    let conn = duckdb::Connection::open(&side).map_err(duck(format!("creating {}", side.display())))?;
    attach_state(&conn, &config.state, false)?;
    conn.execute_batch(STATE_TABLES).map_err(duck("creating the state tables"))?;
    conn.execute(
        "INSERT INTO state.runs VALUES (?, now()::TIMESTAMP, NULL, 'running', ?, ?, NULL)",
        duckdb::params![run_id, config.path.display().to_string(), config.warehouse.display().to_string()],
    )
    .map_err(duck("recording the run"))?;

    let total = steps.len();
    let name_width = steps.iter().map(|s| s.name.chars().count() + 4).max().unwrap_or(0).max(40);
    let _ = writeln!(out, "selecta build · run {run_id} · {} → {}", config.path.display(), config.warehouse.display());
    let ctx = StepContext { conn: &conn, config, run_id: &run_id, progress };
    let mut records = Vec::new();
    let mut failure = None;
    for (i, step) in steps.iter().enumerate() {
        let t0 = Instant::now();
        let result = run_step(&ctx, step);
        let seconds = t0.elapsed().as_secs_f64();
        let (record, failed) = match result {
            Ok(StepResult::Done(o)) => (record(i + 1, step, o.status.as_str(), o.rows, seconds, o.note), None),
            Ok(StepResult::CheckFailed { rows, keys }) => {
                let sample: Vec<String> = keys.iter().map(|(k, n, _)| format!("{k} ({n}×)")).collect();
                let note = format!("{rows} offending rows: {}{}", sample.join(", "), if rows as usize > keys.len() { ", …" } else { "" });
                store_check_failure(&conn, &run_id, step, rows, &keys)?;
                if matches!(step.kind, StepKind::Check { warn: true, .. }) {
                    // `[checks] warn`: reported and audited, the build goes on.
                    (record(i + 1, step, "WARN", Some(rows), seconds, Some(note)), None)
                } else {
                    let msg = format!("check {} failed: {note}", step.name);
                    (record(i + 1, step, "FAIL", Some(rows), seconds, Some(note)), Some(msg))
                }
            }
            Err(e) => {
                let msg = format!("step {} failed: {e}", step.name);
                (record(i + 1, step, "ERROR", None, seconds, Some(e.to_string())), Some(msg))
            }
        };
        print_step(out, &record, total, name_width);
        store_step(&conn, &run_id, &record)?;
        records.push(record);
        if failed.is_some() {
            failure = failed;
            break;
        }
    }

    let seconds = started.elapsed().as_secs_f64();
    let status = if failure.is_some() { "failed" } else { "succeeded" };
    conn.execute(
        "UPDATE state.runs SET seconds = ?, status = ?, failure = ? WHERE run_id = ?",
        duckdb::params![seconds, status, failure, run_id],
    )
    .map_err(duck("recording the run's end"))?;
    conn.execute_batch("DETACH state").map_err(duck("detaching the state database"))?;

    if failure.is_none() {
        conn.execute_batch("CHECKPOINT").map_err(duck("checkpointing the new warehouse"))?;
        drop(conn);
        // A WAL beside the old warehouse belongs to the old file: it must not replay on the new one.
        remove_if_exists(&wal_path(&config.warehouse))?;
        std::fs::rename(&side, &config.warehouse).map_err(|source| WarehouseError::Io { path: config.warehouse.clone(), source })?;
        remove_if_exists(&wal_path(&side))?;
    } else {
        drop(conn);
        remove_if_exists(&side)?;
        remove_if_exists(&wal_path(&side))?;
    }
    let outcome = BuildOutcome { run_id, steps: records, failure, seconds };
    print_summary(out, &outcome, config);
    Ok(outcome)
}

enum StepResult {
    Done(StepOutput),
    CheckFailed { rows: u64, keys: Vec<(String, i64, Option<String>)> },
}

fn run_step(ctx: &StepContext<'_>, step: &Step) -> Result<StepResult, crate::Error> {
    let _span = tracing::info_span!("step", name = step.name).entered();
    match step.kind {
        StepKind::Rust { run, .. } => Ok(StepResult::Done(run(ctx)?)),
        StepKind::Sql { file, sql, table } => {
            let (body, note) = plan::split_note(sql);
            ctx.conn.execute_batch(body).map_err(duck(format!("running {file}")))?;
            let rows = match table {
                Some(table) => {
                    let n: i64 = ctx
                        .conn
                        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                        .map_err(duck(format!("counting {table}")))?;
                    Some(n as u64)
                }
                None => None,
            };
            let mut out = StepOutput { status: StepStatus::Ok, rows, note: None };
            if let Some(note_sql) = note {
                let (warn, text): (bool, Option<String>) = ctx
                    .conn
                    .query_row(note_sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(duck(format!("running the note query of {file}")))?;
                if let Some(text) = text {
                    out.note = Some(text);
                    if warn {
                        out.status = StepStatus::Warn;
                    }
                }
            }
            Ok(StepResult::Done(out))
        }
        StepKind::Check { file, sql, .. } => {
            let body = sql.trim().trim_end_matches(';');
            let rows: i64 = ctx
                .conn
                .query_row(&format!("SELECT count(*) FROM ({body})"), [], |r| r.get(0))
                .map_err(duck(format!("running {file}")))?;
            if rows == 0 {
                return Ok(StepResult::Done(StepOutput { status: StepStatus::Ok, rows: Some(0), note: None }));
            }
            // Every check returns key VARCHAR, n BIGINT, detail VARCHAR (sql/schema.toml's header).
            let mut stmt = ctx
                .conn
                .prepare(&format!("SELECT key, n, detail FROM ({body}) LIMIT {SAMPLE_KEYS}"))
                .map_err(duck(format!("reading the offending rows of {file}")))?;
            let keys = stmt
                .query_map([], |r| Ok((r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "NULL".into()), r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(duck(format!("reading the offending rows of {file}")))?;
            Ok(StepResult::CheckFailed { rows: rows as u64, keys })
        }
    }
}

fn record(no: usize, step: &Step, status: &'static str, rows: Option<u64>, seconds: f64, note: Option<String>) -> StepRecord {
    StepRecord { no, name: step.name, kind: step.kind.as_str(), status, rows, seconds, note }
}

fn store_step(conn: &duckdb::Connection, run_id: &str, r: &StepRecord) -> Result<(), WarehouseError> {
    conn.execute(
        "INSERT INTO state.run_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        duckdb::params![run_id, r.no as i64, r.name, r.kind, r.status, r.rows.map(|n| n as i64), r.seconds, r.note],
    )
    .map(|_| ())
    .map_err(duck("writing the run log"))
}

fn store_check_failure(conn: &duckdb::Connection, run_id: &str, step: &Step, rows: u64, keys: &[(String, i64, Option<String>)]) -> Result<(), WarehouseError> {
    let file = match step.kind {
        StepKind::Check { file, .. } => file,
        _ => "",
    };
    for (key, n, detail) in keys {
        conn.execute(
            "INSERT INTO state.check_failures VALUES (?, ?, ?, ?, ?, ?, ?)",
            duckdb::params![run_id, step.name, file, rows as i64, key, n, detail],
        )
        .map_err(duck("writing the check audit"))?;
    }
    Ok(())
}

/// `  3 of 15 OK    staging.tracks ............ [6 248 rows in 0.02s]`; names padded to
/// `name_width` (the longest step name of the plan and a few dots, at least 40).
fn print_step(out: &mut dyn Write, r: &StepRecord, total: usize, name_width: usize) {
    let width = total.to_string().len();
    let name = format!("{} ", r.name);
    let rows = match r.rows {
        Some(n) => format!("{} rows in ", thousands(n)),
        None => String::new(),
    };
    let _ = writeln!(out, "{:>width$} of {total} {:<5} {name:.<name_width$} [{rows}{:.2}s]", r.no, r.status, r.seconds);
    if let Some(note) = &r.note {
        let _ = writeln!(out, "{:>width$}          ↳ {note}", "");
    }
}

fn print_summary(out: &mut dyn Write, o: &BuildOutcome, config: &Config) {
    let count = |s: &str| o.steps.iter().filter(|r| r.status == s).count();
    let _ = writeln!(
        out,
        "\nDone in {:.2}s: {} OK, {} WARN, {} SKIP, {} FAIL, {} ERROR.",
        o.seconds,
        count("OK"),
        count("WARN"),
        count("SKIP"),
        count("FAIL"),
        count("ERROR")
    );
    match &o.failure {
        None => {
            let _ = writeln!(out, "Warehouse ready: {}", config.warehouse.display());
        }
        Some(msg) => {
            let _ = writeln!(out, "Build failed: {msg}");
            let kept = if config.warehouse.exists() { "the last good warehouse is unchanged" } else { "no warehouse was written" };
            let _ = writeln!(out, "Nothing was swapped in: {kept} ({}).", config.warehouse.display());
        }
    }
}

/// `6248` → `6 248`.
pub fn thousands(n: u64) -> String {
    group_digits(n, ' ')
}

/// Digits in groups of three with `sep` between them (the report uses a narrow no-break space).
pub fn group_digits(n: u64, sep: char) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `20261128T031500Z-1a2b`: UTC time of the run and a few hex digits of the process id.
fn new_run_id() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as i64;
    let date = crate::warehouse::output::civil_date(secs.div_euclid(86_400)).replace('-', "");
    let t = secs.rem_euclid(86_400);
    format!("{date}T{:02}{:02}{:02}Z-{:04x}", t / 3600, (t / 60) % 60, t % 60, (std::process::id() ^ now.subsec_nanos()) & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(613), "613");
        assert_eq!(thousands(6248), "6 248");
        assert_eq!(thousands(1_000_000), "1 000 000");
    }

    #[test]
    fn side_file_sits_beside_the_warehouse() {
        assert_eq!(side_path(Path::new("out/w.duckdb")), PathBuf::from("out/w.duckdb.building"));
    }
}
