//! Command-line interface: `selecta [--config FILE] <command>`.
//!
//! [`Cli`] is the clap definition; [`run`] sets up logging (tracing, on stderr), loads the
//! configuration and dispatches to the module that owns each command. Results go to stdout.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(name = "selecta", version, about = "Discogs collection → audio-feature clusters and playlists, in an embedded DuckDB warehouse")]
pub struct Cli {
    /// The configuration file; paths in it are relative to its folder.
    #[arg(long, global = true, default_value = "selecta.toml", env = "SELECTA_CONFIG")]
    pub config: PathBuf,
    /// Log more (-v: debug, -vv: trace). `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Log only warnings and errors, draw no progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole job: ingest, staging, checks, marts, clustering; swap the warehouse in on success.
    Build(crate::warehouse::BuildArgs),
    /// Run a SQL query on the warehouse, opened read-only.
    Sql(crate::warehouse::SqlArgs),
    /// Export a table to a file (`export TABLE --format csv|parquet --out PATH`), or the marts to
    /// PostgreSQL (`export postgres --url URL`).
    Export(crate::export::ExportArgs),
    /// Cluster the tracks by audio features (also a step of `build`).
    Cluster(crate::cluster::ClusterArgs),
    /// Fetch inputs at their source into the state database: the Discogs collection, audio features.
    Fetch(crate::fetch::FetchArgs),
    /// Match the warehouse's tracks to Spotify track IDs (also a step of `build` when `[match]` is set).
    Match(crate::matching::MatchArgs),
    /// Write the HTML report (plots of matching, features and clusters) of the built warehouse.
    Report(crate::report::ReportArgs),
    /// Publish one playlist per cluster (`playlists spotify [--dry-run]`).
    Playlists(crate::playlists::PlaylistsArgs),
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    // A `.env` in the working directory may hold tokens; it never overrides the environment.
    let _ = dotenvy::dotenv();
    let config = Config::load(&cli.config).with_context(|| "loading the configuration (--config)")?;
    let ui = crate::warehouse::Ui { progress: !cli.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()) };
    let code = match cli.command {
        Command::Build(args) => crate::warehouse::build_command(&config, &ui, &args)?,
        Command::Sql(args) => crate::warehouse::sql_command(&config, &args)?,
        Command::Export(args) => crate::export::export_command(&config, &args)?,
        Command::Cluster(args) => crate::cluster::cluster_command(&config, &ui, &args)?,
        Command::Fetch(args) => crate::fetch::fetch_command(&config, &ui, &args)?,
        Command::Match(args) => crate::matching::match_command(&config, &ui, &args)?,
        Command::Report(args) => crate::report::report_command(&config, &args)?,
        Command::Playlists(args) => crate::playlists::playlists_command(&config, &args)?,
    };
    Ok(code)
}

fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let level = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(format!("selecta={level},warn")));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).with_target(false).try_init();
}
