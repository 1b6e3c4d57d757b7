//! The `[inputs]` section: raw files loaded on every build.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The `[inputs]` section. Each key takes a list of files; the format of each file is
/// recognised from its header row (see README, "Inputs").
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// Releases: `collection.csv` (Discogs API exporter) or the Discogs website's
    /// "Export collection" CSV. Default: none.
    #[serde(default)]
    pub releases: Vec<PathBuf>,
    /// Tracklists: `collection_tracks.csv` (Python repr of Discogs Track objects) or the flat
    /// `my_tracks.csv`. Default: none.
    #[serde(default)]
    pub tracklists: Vec<PathBuf>,
    /// Spotify IDs per track key (`my_tracks_spotify_id.csv` format). Default: none.
    #[serde(default)]
    pub spotify_ids: Vec<PathBuf>,
    /// Audio features keyed by Spotify ID: Exportify CSVs or the original `tracks_features.csv`.
    /// When several give the same Spotify ID, the file listed first wins. Default: none.
    #[serde(default)]
    pub features: Vec<PathBuf>,
}

impl Inputs {
    /// Every path resolved with `resolve` (against the config file's folder).
    pub fn resolved(self, resolve: impl Fn(&Path) -> PathBuf) -> Inputs {
        let all = |v: Vec<PathBuf>| v.iter().map(|p| resolve(p)).collect();
        Inputs { releases: all(self.releases), tracklists: all(self.tracklists), spotify_ids: all(self.spotify_ids), features: all(self.features) }
    }
}
