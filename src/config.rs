//! The one validated run configuration, read from a TOML file (`selecta.toml` by default).
//!
//! Every path in the file is relative to the file's own folder, so a config can be run from
//! anywhere. Each pipeline stage owns the type of its section (`[cluster]` is
//! [`crate::cluster::ClusterConfig`], …) with its documented defaults; this module only
//! reads the file, resolves paths and holds the sections together.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Errors reading or validating the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config {path}: {field}: {message}")]
    Invalid { path: PathBuf, field: String, message: String },
}

/// The `[inputs]` section: raw files loaded on every build. Each key takes a list of files;
/// the format of each file is recognised from its header row (see README, "Inputs").
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

/// The `[checks]` section: how this configuration treats the checks of `sql/schema.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksConfig {
    /// Checks (`check.…`, as the run log names them) whose offending rows make the step WARN
    /// instead of failing the build; their rows still go to `check_failures`. For inputs known
    /// not to hold a promise (an older tracklist naming releases that left the collection).
    /// Default: none. A name that is no check is an error.
    #[serde(default)]
    pub warn: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default = "default_warehouse")]
    warehouse: PathBuf,
    #[serde(default)]
    state: Option<PathBuf>,
    #[serde(default)]
    inputs: Inputs,
    #[serde(default)]
    checks: ChecksConfig,
    #[serde(default)]
    cluster: crate::cluster::ClusterConfig,
    #[serde(default)]
    discogs: crate::fetch::DiscogsConfig,
    #[serde(default)]
    reccobeats: crate::fetch::ReccoBeatsConfig,
    #[serde(default, rename = "match")]
    matching: Option<crate::matching::MatchConfig>,
    #[serde(default)]
    report: crate::report::ReportConfig,
    #[serde(default)]
    spotify: crate::playlists::SpotifyConfig,
}

fn default_warehouse() -> PathBuf {
    PathBuf::from("selecta.duckdb")
}

/// The validated configuration. Paths are absolute or relative to the working directory,
/// already resolved against the config file's folder.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file this was read from.
    pub path: PathBuf,
    /// The folder paths are relative to.
    pub root: PathBuf,
    /// The warehouse file (`warehouse`, default `selecta.duckdb`), rebuilt aside and swapped in
    /// by every successful build.
    pub warehouse: PathBuf,
    /// The state file (`state`, default: the warehouse's name with `.state.duckdb`): what must
    /// survive rebuilds — API response caches, run log, check audit, playlist IDs.
    pub state: PathBuf,
    pub inputs: Inputs,
    /// `[checks]`: checks that only warn.
    pub checks: ChecksConfig,
    pub cluster: crate::cluster::ClusterConfig,
    /// `[discogs]`: the Discogs API source (`selecta fetch discogs`, and as a build input).
    pub discogs: crate::fetch::DiscogsConfig,
    /// `[reccobeats]`: the ReccoBeats feature source (`selecta fetch features`, and as a build input).
    pub reccobeats: crate::fetch::ReccoBeatsConfig,
    /// The `[match]` section (absent: no matching, IDs come from `inputs.spotify_ids`).
    pub matching: Option<crate::matching::MatchConfig>,
    /// `[report]`: where the HTML report goes.
    pub report: crate::report::ReportConfig,
    /// `[spotify]`: endpoints, client ID and token cache of the playlists command.
    pub spotify: crate::playlists::SpotifyConfig,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Config::from_toml(path, &text)
    }

    /// Parses `text` as if read from `path` (paths resolve against `path`'s folder).
    pub fn from_toml(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse { path: path.to_path_buf(), message: e.to_string() })?;
        let root = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::new(),
        };
        let resolve = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { root.join(p) };
        let warehouse = resolve(&raw.warehouse);
        let state = match &raw.state {
            Some(s) => resolve(s),
            None => {
                let stem = warehouse.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "selecta".into());
                warehouse.with_file_name(format!("{stem}.state.duckdb"))
            }
        };
        if state == warehouse {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                field: "state".into(),
                message: "must differ from `warehouse`".into(),
            });
        }
        let resolve_all = |v: &[PathBuf]| v.iter().map(|p| resolve(p)).collect::<Vec<_>>();
        let inputs = Inputs {
            releases: resolve_all(&raw.inputs.releases),
            tracklists: resolve_all(&raw.inputs.tracklists),
            spotify_ids: resolve_all(&raw.inputs.spotify_ids),
            features: resolve_all(&raw.inputs.features),
        };
        for name in &raw.checks.warn {
            let known = crate::pipeline::checks::schema().map(|s| s.checks().any(|c| &c.name == name));
            if !matches!(known, Ok(true)) {
                let message = match known {
                    Err(e) => e.to_string(),
                    Ok(_) => format!("no check is named {name:?} (the run log and sql/schema.toml's header name them)"),
                };
                return Err(ConfigError::Invalid { path: path.to_path_buf(), field: "checks.warn".into(), message });
            }
        }
        for check in [raw.discogs.validate(), raw.reccobeats.validate()] {
            if let Err((field, message)) = check {
                return Err(ConfigError::Invalid { path: path.to_path_buf(), field, message });
            }
        }
        let config = Config {
            path: path.to_path_buf(),
            root: root.clone(),
            warehouse,
            state,
            inputs,
            checks: raw.checks,
            cluster: raw.cluster,
            discogs: raw.discogs,
            reccobeats: raw.reccobeats,
            matching: raw.matching.map(|m| m.resolved(resolve)),
            report: raw.report,
            spotify: raw.spotify,
        };
        Ok(config)
    }

    /// A path from a stage's section, resolved against the config file's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() { p.to_path_buf() } else { self.root.join(p) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_against_the_config_folder() {
        let c = Config::from_toml(Path::new("conf/selecta.toml"), "warehouse = \"out/w.duckdb\"\n[inputs]\nreleases = [\"a.csv\", \"/abs/b.csv\"]\n").unwrap();
        assert_eq!(c.warehouse, PathBuf::from("conf/out/w.duckdb"));
        assert_eq!(c.state, PathBuf::from("conf/out/w.state.duckdb"));
        assert_eq!(c.inputs.releases, [PathBuf::from("conf/a.csv"), PathBuf::from("/abs/b.csv")]);
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let e = Config::from_toml(Path::new("s.toml"), "[inputs]\nreleasez = []\n").unwrap_err();
        assert!(e.to_string().contains("releasez"), "{e}");
    }

    #[test]
    fn state_must_differ_from_the_warehouse() {
        let e = Config::from_toml(Path::new("s.toml"), "warehouse = \"w.duckdb\"\nstate = \"w.duckdb\"\n").unwrap_err();
        assert!(e.to_string().contains("state"), "{e}");
    }
}
