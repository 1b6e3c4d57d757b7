//! `selecta build`: the whole job, its run log printed as it goes.

use std::process::ExitCode;

use super::Ui;
use super::output::RunLog;
use crate::config::Config;

/// `selecta build [--offline] [--wait SECONDS]`
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// When another build of the same warehouse is running, wait up to this many seconds for it
    /// to end (default 0: fail at once, naming its pid).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
    /// Send nothing: the network steps (fetch.discogs, match, fetch.features) use their caches only.
    #[arg(long)]
    pub offline: bool,
    /// How many independent steps may run at once, each on its own DuckDB connection (default 0:
    /// one per core, at most 4; 1 runs the steps one by one). The run log is printed in plan order
    /// either way.
    #[arg(long, value_name = "N", default_value_t = 0, env = "SELECTA_THREADS")]
    pub threads: usize,
}

pub fn run(config: &Config, ui: &Ui, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut log = RunLog::new(stdout.lock());
    let config = Config { offline: args.offline, ..config.clone() };
    let options = crate::pipeline::BuildOptions { progress: ui.progress, lock_wait: std::time::Duration::from_secs(args.wait), threads: args.threads };
    let outcome = crate::pipeline::build_with(&config, &options, &mut log)?;
    Ok(match (outcome.succeeded(), outcome.interrupted) {
        (true, _) => ExitCode::SUCCESS,
        (false, true) => ExitCode::from(130),
        (false, false) => ExitCode::FAILURE,
    })
}
