//! `selecta analyze [DIR…]`: analyse the audio files of `[analysis] music_dirs` (or the folders
//! given) into the existing warehouse — `track_files`, `analysis_features`,
//! `tracks_without_file` — with the cache in the state database, and print what was done.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Ui, output};
use crate::config::Config;

/// `selecta analyze [DIR…] [--threads N]`
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AnalyzeArgs {
    /// Folders to analyse instead of `[analysis] music_dirs` (relative to the working directory).
    pub dirs: Vec<PathBuf>,
    /// Files analysed at once [default: config, 0 = every core].
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn run(config: &Config, ui: &Ui, args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let mut cfg = config.analysis.clone().unwrap_or_default();
    if let Some(t) = args.threads {
        cfg.threads = t;
    }
    cfg.validate().map_err(crate::analysis::AnalysisError::from)?;
    if args.dirs.is_empty() && cfg.music_dirs.is_empty() {
        anyhow::bail!("no folders to analyse: give them on the command line or set [analysis] music_dirs");
    }
    let conn = crate::db::open_read_write(&config.warehouse)?;
    crate::db::attach_state(&conn, &config.state, false)?;
    let weights = config.matching.as_ref().map(|m| m.weights.clone()).unwrap_or_default();
    let scorer = crate::pipeline::analysis_scorer::factory(weights);
    let dirs = (!args.dirs.is_empty()).then_some(args.dirs.as_slice());
    let summary = crate::analysis::run(&conn, &cfg, dirs, ui.progress, &scorer)?;
    output::analysis_summary(&mut std::io::stdout().lock(), &summary)?;
    Ok(ExitCode::SUCCESS)
}
