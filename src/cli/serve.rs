//! `selecta serve [--port N] [--open]`: the local page over the built warehouse, until Ctrl-C.

use std::process::ExitCode;

use anyhow::Context;

use super::output;
use crate::config::Config;
use crate::serve::{self, ServeOptions};

/// `selecta serve [--port N] [--open]`
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The port on 127.0.0.1 (0: any free one).
    #[arg(long, default_value_t = serve::DEFAULT_PORT)]
    pub port: u16,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

pub fn run(config: &Config, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("finding the selecta binary (for Rebuild)")?;
    let bound = serve::bind(config, &ServeOptions { port: args.port, exe })?;
    let url = bound.url();
    output::serving(&mut std::io::stdout().lock(), &url, &config.warehouse, &bound.created)?;
    if args.open {
        let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        if let Err(e) = std::process::Command::new(opener).arg(&url).spawn() {
            output::notice(&format!("could not open a browser ({opener}: {e}); open {url} yourself"));
        }
    }
    // Two workers: a page being read never holds up the rebuild log's polling.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().context("starting the async runtime")?;
    rt.block_on(bound.serve(async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    Ok(ExitCode::SUCCESS)
}
