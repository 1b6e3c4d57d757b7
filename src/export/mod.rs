//! `selecta export`: tables out of the warehouse.
//!
//! - `selecta export TABLE --format csv|parquet --out PATH` writes one table to a file, and
//!   `selecta export playlists --out DIR` one CSV per cluster ([`crate::warehouse::export_command`]);
//! - `selecta export postgres --url postgres://… [--schema selecta]` copies the marts into a
//!   PostgreSQL schema ([`postgres`]).
//!
//! [`ExportArgs`] holds both forms: a subcommand (`postgres`) or a table name.

pub mod postgres;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;
use crate::warehouse::ExportFormat;

/// `selecta export TABLE --format csv|parquet --out PATH` or `selecta export postgres …`
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub target: Option<ExportTarget>,
    /// The table (or view) to write to a file, or `playlists` for one CSV per cluster in the
    /// folder `--out`.
    pub table: Option<String>,
    /// File format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Output file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ExportTarget {
    /// Copy the marts into a PostgreSQL schema, replacing the previous export atomically.
    Postgres(PostgresArgs),
}

/// `selecta export postgres [--url URL] [--schema NAME] [--table T]…`
#[derive(Debug, clap::Args)]
pub struct PostgresArgs {
    /// Connection URL, `postgres://user:password@host:port/database` (its password is never
    /// printed). Default: the `DATABASE_URL` environment variable.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub url: Option<String>,
    /// The schema the tables land in; the previous export there is replaced.
    #[arg(long, default_value = "selecta")]
    pub schema: String,
    /// Tables to export (repeatable). Default: tracks_features, track_clusters, clusters,
    /// cluster_centroids, cluster_elbow, cluster_playlists, cluster_runs, track_matches — those
    /// that exist.
    #[arg(long = "table")]
    pub tables: Vec<String>,
}

pub fn export_command(config: &Config, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    match &args.target {
        Some(ExportTarget::Postgres(pg)) => postgres_command(config, pg),
        None => {
            let (Some(table), Some(out)) = (&args.table, &args.out) else {
                anyhow::bail!("usage: selecta export TABLE --format csv|parquet --out PATH, or selecta export postgres --url URL");
            };
            // Files (and `export playlists`) are the warehouse's own command.
            let file = crate::warehouse::ExportArgs { table: table.clone(), format: args.format, out: out.clone() };
            crate::warehouse::export_command(config, &file)
        }
    }
}

fn postgres_command(config: &Config, args: &PostgresArgs) -> anyhow::Result<ExitCode> {
    let url = args.url.clone().filter(|u| !u.is_empty()).ok_or(postgres::PostgresError::NoUrl)?;
    let tables: Vec<String> =
        if args.tables.is_empty() { postgres::DEFAULT_TABLES.iter().map(|s| s.to_string()).collect() } else { args.tables.clone() };
    let conn = crate::warehouse::open_read_only(config)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(postgres::PostgresError::Runtime)?;
    let summary = rt.block_on(postgres::export(&conn, &url, &args.schema, &tables))?;
    println!("exported to {} schema {}:", postgres::redact_url(&url), summary.schema);
    for t in &summary.tables {
        println!("  {:<20} {:>8} rows  sha256 {}", t.table, t.rows, &t.checksum[..16]);
    }
    if !summary.skipped.is_empty() {
        println!("  not in the warehouse: {}", summary.skipped.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
