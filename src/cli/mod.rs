//! Command-line interface: `selecta [--config FILE] <command>`.
//!
//! [`Cli`] is the clap definition; [`run`] sets up logging (tracing, on stderr), loads the
//! configuration and dispatches to one file per command ([`build`], [`sql`], [`export`],
//! [`cluster`], [`fetch`], [`matching`], [`report`], [`playlists`], [`init`], [`serve`]). Each command opens what it
//! needs, calls the stages with their own configuration section, and prints through
//! [`output`], the one place that decides what reaches stdout.

pub mod analyze;
pub mod build;
pub mod cluster;
pub mod export;
pub mod fetch;
pub mod init;
pub mod matching;
pub mod output;
pub mod playlists;
pub mod report;
pub mod serve;
pub mod sql;

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
    /// Start a project: a commented selecta.toml and a .env.example in FOLDER (default: here).
    Init(init::InitArgs),
    /// Run the whole job: fetch, ingest, staging, checks, matching, features, marts, clustering, report; swap the warehouse in on success.
    Build(build::BuildArgs),
    /// Run a SQL query on the warehouse, opened read-only.
    Sql(sql::SqlArgs),
    /// Export a table to a file (`export TABLE --format csv|parquet --out PATH`), or the marts to
    /// PostgreSQL (`export postgres --url URL`).
    Export(export::ExportArgs),
    /// Cluster the tracks by audio features (also a step of `build`).
    Cluster(cluster::ClusterArgs),
    /// Fetch inputs at their source into the state database: the Discogs collection, audio features.
    Fetch(fetch::FetchArgs),
    /// Match the warehouse's tracks to Spotify track IDs (also a step of `build` when `[match]` is set).
    Match(matching::MatchArgs),
    /// Write the HTML report (plots of matching, features and clusters) of the built warehouse.
    Report(report::ReportArgs),
    /// Publish one playlist per cluster (`playlists spotify [--dry-run] [--prune]`).
    Playlists(playlists::PlaylistsArgs),
    /// A local page (127.0.0.1) to listen to the clusters, review matches, rename clusters and rebuild.
    Serve(serve::ServeArgs),
    /// Analyse the collector's audio files (tempo, key, loudness, …) and match them to tracks
    /// (also a step of `build` when `[analysis]` is set).
    Analyze(analyze::AnalyzeArgs),
}

/// What the command line says about drawing to the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// Progress bars allowed (stderr is a terminal and `--quiet` was not given).
    pub progress: bool,
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    // A `.env` in the working directory may hold tokens; it never overrides the environment.
    let _ = dotenvy::dotenv();
    // `init` writes the configuration: it has none to load yet.
    if let Command::Init(args) = &cli.command {
        return init::run(args);
    }
    let config = Config::load(&cli.config).with_context(|| "loading the configuration (--config)")?;
    let ui = Ui { progress: !cli.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()) };
    match cli.command {
        Command::Init(_) => unreachable!("handled before the configuration is loaded"),
        Command::Build(args) => build::run(&config, &ui, &args),
        Command::Sql(args) => sql::run(&config, &args),
        Command::Export(args) => export::run(&config, &args),
        Command::Cluster(args) => cluster::run(&config, &ui, &args),
        Command::Fetch(args) => fetch::run(&config, &ui, &args),
        Command::Match(args) => matching::run(&config, &ui, &args),
        Command::Report(args) => report::run(&config, &args),
        Command::Playlists(args) => playlists::run(&config, &args),
        Command::Serve(args) => serve::run(&config, &args),
        Command::Analyze(args) => analyze::run(&config, &ui, &args),
    }
}

/// A clap value parser for a stage's enum, read the way its configuration key is (serde).
pub(crate) fn enum_arg<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    use serde::de::IntoDeserializer;
    T::deserialize(s.into_deserializer()).map_err(|e: serde::de::value::Error| e.to_string())
}

/// A tokio runtime for one command's network work.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Stage enums parse on the command line exactly as in the configuration file.
    #[test]
    fn enum_args_read_like_config_values() {
        assert_eq!(enum_arg::<crate::matching::Strategy>("original"), Ok(crate::matching::Strategy::Original));
        assert_eq!(enum_arg::<crate::cluster::Algorithm>("smartcore"), Ok(crate::cluster::Algorithm::Smartcore));
        assert!(enum_arg::<crate::matching::Strategy>("greedy").unwrap_err().contains("greedy"));
    }
}
