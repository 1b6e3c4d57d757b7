//! TEMPORARY stand-in for the lead's warehouse module (branch `fetch` only; main's
//! `src/warehouse/mod.rs` wins on merge). It carries what `cli.rs`, `error.rs` and the fetch
//! module need, with the lead's signatures (`open_state`, `open_read_only`, `attach_state`).

pub mod step;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use duckdb::{AccessMode, Connection};

use crate::config::Config;

/// Errors of the warehouse itself (opening, swapping, querying).
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("{context}: {source}")]
    Duck { context: String, source: duckdb::Error },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no warehouse at {path}: run `selecta build` first")]
    Missing { path: PathBuf },
    #[error("{path}: the path cannot hold a single quote")]
    BadPath { path: PathBuf },
    #[error("not available in this branch")]
    Unavailable,
}

pub(crate) fn duck(context: impl Into<String>) -> impl FnOnce(duckdb::Error) -> WarehouseError {
    let context = context.into();
    move |source| WarehouseError::Duck { context, source }
}

/// What the command line says about drawing to the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub progress: bool,
}

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

/// An in-memory connection with the state database attached as `state`.
pub fn open_state(config: &Config) -> Result<Connection, WarehouseError> {
    let conn = Connection::open_in_memory().map_err(duck("opening DuckDB in memory"))?;
    attach_state(&conn, &config.state, false)?;
    Ok(conn)
}

/// The warehouse opened read-only.
pub fn open_read_only(config: &Config) -> Result<Connection, WarehouseError> {
    if !config.warehouse.exists() {
        return Err(WarehouseError::Missing { path: config.warehouse.clone() });
    }
    let flags = duckdb::Config::default().access_mode(AccessMode::ReadOnly).map_err(duck("configuring DuckDB"))?;
    Connection::open_with_flags(&config.warehouse, flags).map_err(duck(format!("opening {}", config.warehouse.display())))
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {}

#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    pub query: String,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    pub table: String,
}

pub fn build_command(_config: &Config, _ui: &Ui, _args: &BuildArgs) -> anyhow::Result<ExitCode> {
    Err(WarehouseError::Unavailable.into())
}

pub fn sql_command(_config: &Config, _args: &SqlArgs) -> anyhow::Result<ExitCode> {
    Err(WarehouseError::Unavailable.into())
}

pub fn export_command(_config: &Config, _args: &ExportArgs) -> anyhow::Result<ExitCode> {
    Err(WarehouseError::Unavailable.into())
}
