//! `selecta report [--out FILE.html]`: the HTML report of the built warehouse.

use std::path::PathBuf;
use std::process::ExitCode;

use super::output;
use crate::config::Config;
use crate::report::{Report, write_report};

/// `selecta report [--out FILE.html]`
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The HTML file to write. Default: `[report] out`, else beside the warehouse.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(config: &Config, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let conn = crate::db::open_read_only(&config.warehouse, &config.state)?;
    let out = args.out.clone().unwrap_or_else(|| config.report.out.clone());
    let report = Report::gather(&conn, config.report.sample_tracks)?;
    write_report(&report, &out)?;
    output::report_written(&mut std::io::stdout().lock(), &report, &out)?;
    Ok(ExitCode::SUCCESS)
}
