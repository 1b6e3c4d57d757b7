//! `selecta build`: the whole job, its run log printed as it goes.

use std::process::ExitCode;

use super::Ui;
use super::output::RunLog;
use crate::config::Config;

/// `selecta build [--offline]`
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Send nothing: the network steps (fetch.discogs, match, fetch.features) use their caches only.
    #[arg(long)]
    pub offline: bool,
}

pub fn run(config: &Config, ui: &Ui, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut log = RunLog::new(stdout.lock());
    let config = Config { offline: args.offline, ..config.clone() };
    let outcome = crate::pipeline::build(&config, ui.progress, &mut log)?;
    Ok(if outcome.succeeded() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
