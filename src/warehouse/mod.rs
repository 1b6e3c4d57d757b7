//! The warehouse: an embedded DuckDB file rebuilt by every `selecta build`, and the state
//! database beside it that survives rebuilds.
//!
//! - [`plan`] lists the build's steps in order (SQL files of `sql/` and Rust steps);
//! - [`runner`] runs them on a side file, logs them like dbt and swaps the file in on success;
//! - [`step`] is the contract every step implements;
//! - [`output`] prints query results (`selecta sql`).
//!
//! The commands `build`, `sql` and `export` (tables to CSV / Parquet) live here.

pub mod output;
pub mod plan;
pub mod runner;
pub mod step;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use duckdb::{AccessMode, Connection};

use crate::config::Config;
use output::OutputFormat;

/// Errors of the warehouse itself (opening, swapping, querying).
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("{context}: {source}")]
    Duck { context: String, source: duckdb::Error },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no warehouse at {path}: run `selecta build` first")]
    Missing { path: PathBuf },
    #[error("no table or view `{table}` in the warehouse; there are: {available}")]
    UnknownTable { table: String, available: String },
    #[error("{path}: the path cannot hold a single quote")]
    BadPath { path: PathBuf },
}

/// `map_err` helper: a DuckDB error with what we were doing.
pub(crate) fn duck(context: impl Into<String>) -> impl FnOnce(duckdb::Error) -> WarehouseError {
    let context = context.into();
    move |source| WarehouseError::Duck { context, source }
}

/// What the command line says about drawing to the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// Progress bars allowed (stderr is a terminal and `--quiet` was not given).
    pub progress: bool,
}

/// A path as a SQL string literal.
pub(crate) fn sql_path(path: &Path) -> Result<String, WarehouseError> {
    let s = path.display().to_string();
    if s.contains('\'') {
        return Err(WarehouseError::BadPath { path: path.to_path_buf() });
    }
    Ok(format!("'{s}'"))
}

/// Attaches the state database to `conn` as `state` (created if missing, unless read-only).
pub fn attach_state(conn: &Connection, state: &Path, read_only: bool) -> Result<(), WarehouseError> {
    if !read_only {
        if let Some(dir) = state.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| WarehouseError::Io { path: dir.to_path_buf(), source })?;
        }
    }
    let mode = if read_only { " (READ_ONLY)" } else { "" };
    conn.execute_batch(&format!("ATTACH {} AS state{mode}", sql_path(state)?))
        .map_err(duck(format!("attaching the state database {}", state.display())))
}

/// An in-memory connection with the state database attached as `state`, for commands that
/// work outside a build (fetching, playlists): the same `state.<table>` SQL works everywhere.
pub fn open_state(config: &Config) -> Result<Connection, WarehouseError> {
    let conn = Connection::open_in_memory().map_err(duck("opening DuckDB in memory"))?;
    attach_state(&conn, &config.state, false)?;
    Ok(conn)
}

/// The warehouse opened read-only, with the state database attached read-only as `state` and on
/// the search path (so `run_log` resolves) when it exists and no other process holds it.
pub fn open_read_only(config: &Config) -> Result<Connection, WarehouseError> {
    if !config.warehouse.exists() {
        return Err(WarehouseError::Missing { path: config.warehouse.clone() });
    }
    let flags = duckdb::Config::default().access_mode(AccessMode::ReadOnly).map_err(duck("configuring DuckDB"))?;
    let conn = Connection::open_with_flags(&config.warehouse, flags).map_err(duck(format!("opening {}", config.warehouse.display())))?;
    if config.state.exists() {
        match attach_state(&conn, &config.state, true) {
            Ok(()) => {
                let catalog: String = conn.query_row("SELECT current_database()", [], |r| r.get(0)).map_err(duck("naming the warehouse catalog"))?;
                conn.execute_batch(&format!("SET search_path = '{catalog}.main,state.main'")).map_err(duck("setting the search path"))?;
            }
            Err(e) => tracing::warn!("state tables (run_log, check_failures) are not available: {e}"),
        }
    }
    Ok(conn)
}

/// The warehouse opened read-write, for commands that rework tables in place (`selecta cluster`).
pub fn open_read_write(config: &Config) -> Result<Connection, WarehouseError> {
    if !config.warehouse.exists() {
        return Err(WarehouseError::Missing { path: config.warehouse.clone() });
    }
    Connection::open(&config.warehouse).map_err(duck(format!("opening {}", config.warehouse.display())))
}

/// `selecta build`
#[derive(Debug, clap::Args)]
pub struct BuildArgs {}

/// `selecta sql QUERY`
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The query (any DuckDB SQL; the warehouse is read-only).
    pub query: String,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// File formats of `selecta export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Parquet,
}

/// `selecta export TABLE --format csv|parquet --out PATH`, or `selecta export playlists
/// --format csv --out DIR` (one CSV per cluster).
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The table (or view) to export, or `playlists` for one CSV per cluster
    /// (Title, Artist, Album, Spotify URI) in the folder `--out`.
    pub table: String,
    /// File format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn build_command(config: &Config, ui: &Ui, _args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let outcome = runner::build(config, ui.progress, &mut stdout.lock())?;
    Ok(if outcome.succeeded() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub fn sql_command(config: &Config, args: &SqlArgs) -> anyhow::Result<ExitCode> {
    let conn = open_read_only(config)?;
    let result = output::query(&conn, &args.query).map_err(duck("running the query"))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    output::write_result(&mut out, &result, args.format)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn export_command(config: &Config, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let conn = open_read_only(config)?;
    if args.table == "playlists" && !table_names(&conn)?.iter().any(|t| t == "playlists") {
        if args.format != ExportFormat::Csv {
            anyhow::bail!("playlists are exported as CSV only (--format csv)");
        }
        let files = crate::cluster::playlists::export_playlists_csv(&conn, &args.out)?;
        for f in &files {
            println!("{}", f.display());
        }
        println!("{} playlists → {}", files.len(), args.out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let rows = export_table(&conn, &args.table, args.format, &args.out)?;
    println!("{} rows of {} → {}", runner::thousands(rows), args.table, args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The tables and views of the warehouse's main schema.
pub fn table_names(conn: &Connection) -> Result<Vec<String>, WarehouseError> {
    let mut stmt = conn
        .prepare("SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY 1")
        .map_err(duck("listing tables"))?;
    let names = stmt.query_map([], |r| r.get(0)).and_then(|r| r.collect::<Result<Vec<String>, _>>()).map_err(duck("listing tables"))?;
    Ok(names)
}

/// Writes a whole table to `out` (CSV with a header row, or Parquet); returns its row count.
pub fn export_table(conn: &Connection, table: &str, format: ExportFormat, out: &Path) -> Result<u64, WarehouseError> {
    let tables = table_names(conn)?;
    let Some(name) = tables.iter().find(|t| t.eq_ignore_ascii_case(table)) else {
        return Err(WarehouseError::UnknownTable { table: table.into(), available: tables.join(", ") });
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| WarehouseError::Io { path: dir.to_path_buf(), source })?;
    }
    let options = match format {
        ExportFormat::Csv => "FORMAT csv, HEADER true",
        ExportFormat::Parquet => "FORMAT parquet",
    };
    let ident = format!("\"{}\"", name.replace('"', "\"\""));
    conn.execute_batch(&format!("COPY (SELECT * FROM {ident}) TO {} ({options})", sql_path(out)?))
        .map_err(duck(format!("exporting {name} to {}", out.display())))?;
    let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {ident}"), [], |r| r.get(0)).map_err(duck("counting rows"))?;
    Ok(rows as u64)
}
