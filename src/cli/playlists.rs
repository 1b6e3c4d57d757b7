//! `selecta playlists spotify [--dry-run] [--prune]`: one Spotify playlist per cluster.

use std::process::ExitCode;

use super::output;
use crate::config::Config;
use crate::playlists::{current_changes, sync};

#[derive(Debug, clap::Args)]
pub struct PlaylistsArgs {
    #[command(subcommand)]
    pub service: PlaylistsService,
}

#[derive(Debug, clap::Subcommand)]
pub enum PlaylistsService {
    /// One Spotify playlist per cluster: created on the first run, updated in place after.
    Spotify(SpotifyArgs),
}

/// `selecta playlists spotify [--dry-run] [--prune]`
#[derive(Debug, clap::Args)]
pub struct SpotifyArgs {
    /// Print what would change (from the remembered playlist IDs) without calling Spotify.
    #[arg(long)]
    pub dry_run: bool,
    /// Empty, rename ("… (retired)") and unfollow the playlists of clusters that no longer exist
    /// (after k went down), and forget them.
    #[arg(long)]
    pub prune: bool,
}

pub fn run(config: &Config, args: &PlaylistsArgs) -> anyhow::Result<ExitCode> {
    let PlaylistsService::Spotify(args) = &args.service;
    let conn = crate::playlists::open(&config.warehouse, &config.state)?;
    let (changes, orphans) = current_changes(&conn, &config.spotify.playlist_prefix)?;
    let stdout = std::io::stdout();
    if args.dry_run {
        output::playlist_changes(&mut stdout.lock(), &changes, &orphans)?;
        return Ok(ExitCode::SUCCESS);
    }
    let summary = super::runtime()?.block_on(sync(&conn, &config.spotify, &changes, args.prune, &open_in_browser))?;
    let left: Vec<(i64, String)> = orphans.into_iter().filter(|o| !summary.pruned.contains(o)).collect();
    output::playlists_synced(&mut stdout.lock(), &summary, &left)?;
    // The report links each cluster to its playlist: written again now that they exist.
    drop(conn);
    if config.report.out.exists() {
        let wh = crate::db::open_read_only(&config.warehouse, &config.state)?;
        let report = crate::report::Report::gather(&wh, config.report.sample_tracks)?;
        crate::report::write_report(&report, &config.report.out)?;
        output::report_written(&mut stdout.lock(), &report, &config.report.out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the authorization URL and opens it in a browser when one can be started.
fn open_in_browser(url: &str) {
    output::notice(&format!("Authorize selecta in your browser:\n  {url}"));
    let has_display = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    if cfg!(target_os = "macos") || has_display {
        let _ = std::process::Command::new(opener)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}
