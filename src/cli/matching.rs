//! `selecta match`: match the tracks of the existing warehouse in place, or explain one track.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Ui, output};
use crate::config::Config;
use crate::matching::{SourceKind, Strategy, spotify};

/// `selecta match [--strategy …] [--source …] [--catalogue FILE] [--explain TRACK_ID]`
#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// Print the candidates of one track and why one was chosen (from the last run's tables).
    #[arg(long, value_name = "TRACK_ID")]
    pub explain: Option<String>,
    /// Override `[match] strategy`: scorer or original.
    #[arg(long, value_parser = super::enum_arg::<Strategy>)]
    pub strategy: Option<Strategy>,
    /// Override `[match] source`: spotify or catalogue.
    #[arg(long, value_parser = super::enum_arg::<SourceKind>)]
    pub source: Option<SourceKind>,
    /// Override `[match] catalogue` (and use it as the source).
    #[arg(long)]
    pub catalogue: Option<PathBuf>,
}

pub fn run(config: &Config, ui: &Ui, args: &MatchArgs) -> anyhow::Result<ExitCode> {
    if let Some(track) = &args.explain {
        let conn = crate::db::open_read_only(&config.warehouse, &config.state)?;
        let Some(explanation) = crate::matching::explain::explain(&conn, track)? else {
            output::problem(&format!("no track {track} in the warehouse"));
            return Ok(ExitCode::FAILURE);
        };
        output::explanation(&mut std::io::stdout().lock(), &explanation)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut cfg = config.matching.clone().unwrap_or_default();
    if let Some(s) = args.source {
        cfg.source = s;
    }
    if let Some(c) = &args.catalogue {
        cfg.catalogue = Some(c.clone());
        cfg.source = SourceKind::Catalogue;
    }
    let strategy = args.strategy.unwrap_or(cfg.strategy);
    let conn = crate::db::open_read_write(&config.warehouse)?;
    crate::db::attach_state(&conn, &config.state, false)?;
    let s = crate::matching::run_configured(&conn, &cfg, strategy, ui.progress, spotify::Credentials::from_env)?;
    let review: i64 =
        conn.query_row("SELECT count(*) FROM match_review", [], |r| r.get(0)).map_err(crate::db::duck("counting match_review"))?;
    output::match_summary(&mut std::io::stdout().lock(), &s, strategy, review)?;
    if let Some(m) = &s.stopped {
        output::notice(&format!("stopped: {m}; finished tracks are kept, run `selecta match` again later to continue"));
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}
