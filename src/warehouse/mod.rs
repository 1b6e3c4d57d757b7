//! TEMPORARY stand-in for the lead's warehouse module (branch `cluster` only, dropped on merge:
//! main's `src/warehouse/mod.rs` wins). It carries just what `cli.rs`, `error.rs` and the cluster
//! module need to compile, with the lead's signatures.

pub mod step;

use std::path::PathBuf;
use std::process::ExitCode;

use duckdb::Connection;

use crate::config::Config;

/// Errors of the warehouse itself.
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("{context}: {source}")]
    Duck { context: String, source: duckdb::Error },
    #[error("no warehouse at {path}: run `selecta build` first")]
    Missing { path: PathBuf },
    #[error("not available in this branch")]
    Unavailable,
}

/// What the command line says about drawing to the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub progress: bool,
}

/// The warehouse opened read-write, for commands that rework tables in place (`selecta cluster`).
pub fn open_read_write(config: &Config) -> Result<Connection, WarehouseError> {
    if !config.warehouse.exists() {
        return Err(WarehouseError::Missing { path: config.warehouse.clone() });
    }
    Connection::open(&config.warehouse).map_err(|source| WarehouseError::Duck { context: format!("opening {}", config.warehouse.display()), source })
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
    #[arg(long)]
    pub out: PathBuf,
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
