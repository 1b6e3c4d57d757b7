//! `selecta export`: one table to a file, one CSV per cluster (`export playlists`), or the marts
//! into PostgreSQL (`export postgres`).

use std::path::PathBuf;
use std::process::ExitCode;

use super::output;
use crate::config::Config;
use crate::export::{FileFormat, postgres};

/// `selecta export TABLE --format csv|parquet --out PATH` or `selecta export postgres …`
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub target: Option<ExportTarget>,
    /// The table (or view) to write to a file, or `playlists` for one CSV per cluster
    /// (Title, Artist, Album, Spotify URI, Spotify URL) in the folder `--out`.
    pub table: Option<String>,
    /// File format: csv or parquet.
    #[arg(long, value_parser = super::enum_arg::<FileFormat>, default_value = "csv")]
    pub format: FileFormat,
    /// Output file (a folder for `playlists`).
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

pub fn run(config: &Config, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    if let Some(ExportTarget::Postgres(pg)) = &args.target {
        return to_postgres(config, pg);
    }
    let (Some(table), Some(out)) = (&args.table, &args.out) else {
        anyhow::bail!("usage: selecta export TABLE --format csv|parquet --out PATH, or selecta export postgres --url URL");
    };
    let conn = crate::db::open_read_only(&config.warehouse, &config.state)?;
    let stdout = std::io::stdout();
    if table == "playlists" && !crate::db::table_names(&conn)?.iter().any(|t| t == "playlists") {
        if args.format != FileFormat::Csv {
            anyhow::bail!("playlists are exported as CSV only (--format csv)");
        }
        let files = crate::export::export_playlists_csv(&conn, out)?;
        output::playlist_files(&mut stdout.lock(), &files, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows = crate::export::export_table(&conn, table, args.format, out)?;
    output::exported_table(&mut stdout.lock(), rows, table, out)?;
    Ok(ExitCode::SUCCESS)
}

fn to_postgres(config: &Config, args: &PostgresArgs) -> anyhow::Result<ExitCode> {
    let url = args.url.clone().filter(|u| !u.is_empty()).ok_or(postgres::PostgresError::NoUrl)?;
    let tables: Vec<String> =
        if args.tables.is_empty() { postgres::DEFAULT_TABLES.iter().map(|s| s.to_string()).collect() } else { args.tables.clone() };
    let conn = crate::db::open_read_only(&config.warehouse, &config.state)?;
    let summary = super::runtime()?.block_on(postgres::export(&conn, &url, &args.schema, &tables))?;
    output::postgres_export(&mut std::io::stdout().lock(), &postgres::redact_url(&url), &summary)?;
    Ok(ExitCode::SUCCESS)
}
