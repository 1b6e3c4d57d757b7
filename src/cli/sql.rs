//! `selecta sql QUERY`: a query on the warehouse, opened read-only.

use std::io::Write;
use std::process::ExitCode;

use super::output::table::{self, OutputFormat};
use crate::config::Config;

/// `selecta sql QUERY`
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The query (any DuckDB SQL; the warehouse is read-only).
    pub query: String,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

pub fn run(config: &Config, args: &SqlArgs) -> anyhow::Result<ExitCode> {
    let conn = crate::db::open_read_only(&config.warehouse, &config.state)?;
    let result = table::query(&conn, &args.query).map_err(crate::db::duck("running the query"))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    table::write_result(&mut out, &result, args.format)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
