//! The one validated run configuration, read from a TOML file (`selecta.toml` by default).
//!
//! Every path in the file is relative to the file's own folder, so a config can be run from
//! anywhere. Each stage owns the type of its section (`[cluster]` is
//! [`crate::cluster::ClusterConfig`], …) with its documented defaults and its own `validate`;
//! this module reads the file, resolves every path (defaults that depend on the warehouse's
//! place included), validates every section at load — an unknown key or an out-of-range value
//! is an error naming the key, never clamped — and hands each stage its own section.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::setting::Invalid;

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default = "default_warehouse")]
    warehouse: PathBuf,
    #[serde(default)]
    state: Option<PathBuf>,
    #[serde(default)]
    inputs: crate::ingest::Inputs,
    #[serde(default)]
    checks: crate::checks::ChecksConfig,
    #[serde(default)]
    cluster: crate::cluster::ClusterConfig,
    #[serde(default)]
    discogs: crate::fetch::DiscogsConfig,
    /// Present (even empty): ReccoBeats is a feature source of the build.
    #[serde(default)]
    reccobeats: Option<crate::fetch::ReccoBeatsConfig>,
    #[serde(default, rename = "match")]
    matching: Option<crate::matching::MatchConfig>,
    #[serde(default)]
    report: crate::report::ReportConfig,
    #[serde(default)]
    spotify: crate::playlists::SpotifyConfig,
    #[serde(default)]
    playlists: crate::playlists::PlaylistsConfig,
    analysis: Option<crate::analysis::AnalysisConfig>,
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
    /// `[inputs]`: the raw files every build loads.
    pub inputs: crate::ingest::Inputs,
    /// `[checks]`: checks that only warn.
    pub checks: crate::checks::ChecksConfig,
    /// `[cluster]`: KMeans settings.
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
    /// `[playlists]`: the order of each cluster's playlist.
    pub playlists: crate::playlists::PlaylistsConfig,
    /// `selecta build --offline` (not a key of the file): network steps use their caches only.
    pub offline: bool,
    /// The `[analysis]` section (absent: no audio analysis step).
    pub analysis: Option<crate::analysis::AnalysisConfig>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Config::from_toml(path, &text)
    }

    /// Parses `text` as if read from `path` (paths resolve against `path`'s folder).
    pub fn from_toml(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| parse_error(path, text, &e))?;
        let root = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::new(),
        };
        let resolve = |p: &Path| resolve_in(&root, p);
        let invalid = |section: &str, e: Invalid| ConfigError::Invalid { path: path.to_path_buf(), field: format!("{section}.{}", e.key), message: e.message };
        let warehouse = resolve(&raw.warehouse);
        let stem = warehouse.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "selecta".into());
        let state = match &raw.state {
            Some(s) => resolve(s),
            None => warehouse.with_file_name(format!("{stem}.state.duckdb")),
        };
        if state == warehouse {
            return Err(ConfigError::Invalid { path: path.to_path_buf(), field: "state".into(), message: "must differ from `warehouse`".into() });
        }
        let inputs = raw.inputs.resolved(resolve);
        raw.checks.validate().map_err(|e| invalid("checks", e))?;
        let cluster = raw.cluster.resolved(resolve);
        cluster.validate().map_err(|e| invalid("cluster", e))?;
        // A configured source is an input: `[discogs] user` and a `[reccobeats]` section make
        // the build fetch and load them (the old `input = true` keys stay accepted).
        let mut discogs = raw.discogs;
        discogs.input = discogs.input || discogs.user.as_deref().is_some_and(|u| !u.trim().is_empty());
        discogs.validate().map_err(|e| invalid("discogs", e))?;
        let mut reccobeats = raw.reccobeats.clone().unwrap_or_default();
        reccobeats.input = reccobeats.input || raw.reccobeats.is_some();
        reccobeats.validate().map_err(|e| invalid("reccobeats", e))?;
        // A collection from Discogs has no Spotify IDs: without ID files, matching is implied.
        let implied_match = discogs.input && inputs.spotify_ids.is_empty();
        let matching = match raw.matching.or_else(|| implied_match.then(crate::matching::MatchConfig::default)) {
            Some(m) => {
                let m = m.resolved(resolve);
                m.validate().map_err(|e| invalid("match", e))?;
                Some(m)
            }
            None => None,
        };
        let report = raw.report.resolved(resolve, warehouse.with_file_name(format!("{stem}-report.html")));
        report.validate().map_err(|e| invalid("report", e))?;
        raw.playlists.validate().map_err(|e| invalid("playlists", e))?;
        let analysis = match raw.analysis {
            Some(a) => {
                let a = a.resolved(resolve);
                a.validate().map_err(|e| invalid("analysis", e))?;
                Some(a)
            }
            None => None,
        };
        let spotify = raw.spotify.resolved(resolve, state.with_file_name(format!("{stem}.spotify-token.json")));
        Ok(Config {
            path: path.to_path_buf(),
            root: root.clone(),
            warehouse,
            state,
            inputs,
            checks: raw.checks,
            cluster,
            discogs,
            reccobeats,
            matching,
            report,
            spotify,
            playlists: raw.playlists,
            offline: false,
            analysis,
        })
    }

    /// A path given on the command line or in a section, resolved against the config file's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        resolve_in(&self.root, p)
    }
}

/// A TOML error as line and message, never quoting the text: a secret pasted into the file (a
/// token, a client secret) must not reach the terminal or a log. Quoted values in the message
/// (`invalid type: string "…"`) are blanked too.
fn parse_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let mut message = String::new();
    let mut quoted = false;
    for c in e.message().chars() {
        match (c, quoted) {
            ('"', false) => {
                message.push_str("\"…");
                quoted = true;
            }
            ('"', true) => {
                message.push('"');
                quoted = false;
            }
            (_, true) => {}
            (c, false) => message.push(c),
        }
    }
    let message = match line {
        Some(n) => format!("line {n}: {message}"),
        None => message,
    };
    ConfigError::Parse { path: path.to_path_buf(), message }
}

/// `p` as given when absolute, else under `root` (the config file's folder).
fn resolve_in(root: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() { p.to_path_buf() } else { root.join(p) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative paths in the config (and the default state file) resolve against its folder; absolute ones stay.
    #[test]
    fn paths_resolve_against_the_config_folder() {
        let c = Config::from_toml(Path::new("conf/selecta.toml"), "warehouse = \"out/w.duckdb\"\n[inputs]\nreleases = [\"a.csv\", \"/abs/b.csv\"]\n").unwrap();
        assert_eq!(c.warehouse, PathBuf::from("conf/out/w.duckdb"));
        assert_eq!(c.state, PathBuf::from("conf/out/w.state.duckdb"));
        assert_eq!(c.inputs.releases, [PathBuf::from("conf/a.csv"), PathBuf::from("/abs/b.csv")]);
        assert_eq!(c.report.out, PathBuf::from("conf/out/w-report.html"));
        assert_eq!(c.spotify.token_cache, PathBuf::from("conf/out/w.spotify-token.json"));
    }

    /// A misspelt key is an error that names it, not silently ignored.
    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let e = Config::from_toml(Path::new("s.toml"), "[inputs]\nreleasez = []\n").unwrap_err();
        assert!(e.to_string().contains("releasez"), "{e}");
    }

    /// Proves: a secret pasted into the config is refused with the key and line, and the error
    /// never quotes it (neither the line nor the value).
    #[test]
    fn a_secret_in_the_config_is_not_quoted() {
        for text in [
            "[discogs]\nuser = \"me\"\ntoken = \"sekrit-4f9a1c\"\n",
            "[spotify]\nclient_secret = \"sekrit-4f9a1c\"\n",
            "[discogs]\nrequests_per_minute = \"sekrit-4f9a1c\"\n",
            "[match]\nclient_secret = sekrit-4f9a1c\n",
        ] {
            let e = Config::from_toml(Path::new("s.toml"), text).unwrap_err().to_string();
            assert!(!e.contains("sekrit"), "{e}");
            assert!(e.starts_with("invalid config s.toml: line "), "{e}");
        }
        let e = Config::from_toml(Path::new("s.toml"), "[discogs]\nuser = \"me\"\ntoken = \"sekrit-4f9a1c\"\n").unwrap_err().to_string();
        assert!(e.contains("line 3: unknown field `token`"), "{e}");
    }

    /// A state database configured as the warehouse file itself is refused, naming `state`.
    #[test]
    fn state_must_differ_from_the_warehouse() {
        let e = Config::from_toml(Path::new("s.toml"), "warehouse = \"w.duckdb\"\nstate = \"w.duckdb\"\n").unwrap_err();
        assert!(e.to_string().contains("state"), "{e}");
    }

    /// Every section is validated at load, and the error names the key; nothing is clamped.
    #[test]
    fn out_of_range_values_name_their_key() {
        let cases = [
            ("[cluster]\nk_min = 5\nk_max = 3\n", "config s.toml: cluster.k_min: the range 5..=3 is empty or starts below 1"),
            ("[cluster]\nn_init = 0\n", "config s.toml: cluster.n_init: must be at least 1"),
            ("[match]\nlimit = 50\n", "config s.toml: match.limit: 50 is out of range (1 to 10)"),
            ("[match]\nconcurrency = 0\n", "config s.toml: match.concurrency: 0 is out of range (1 to 64)"),
            ("[report]\nsample_tracks = 0\n", "config s.toml: report.sample_tracks: 0 is out of range (1 to 1000)"),
            ("[reccobeats]\nbatch_size = 41\n", "config s.toml: reccobeats.batch_size: must be 1 to 40 (the API drops IDs beyond 40 silently)"),
            ("[discogs]\nrequests_per_minute = 0\n", "config s.toml: discogs.requests_per_minute: must be at least 1"),
            ("[analysis]\nfolds = 1\n", "config s.toml: analysis.folds: 1 is out of range (2 to 100)"),
        ];
        for (toml, want) in cases {
            let e = Config::from_toml(Path::new("s.toml"), toml).unwrap_err();
            assert_eq!(e.to_string(), want, "{toml}");
        }
    }

    /// `[discogs] input = true` needs a user; a batch size over 40 is refused; defaults are documented.
    #[test]
    fn config_sections() {
        let e = Config::from_toml(Path::new("s.toml"), "[discogs]\ninput = true\n").unwrap_err().to_string();
        assert!(e.contains("discogs.user"), "{e}");
        let e = Config::from_toml(Path::new("s.toml"), "[reccobeats]\nbatch_size = 100\n").unwrap_err().to_string();
        assert!(e.contains("reccobeats.batch_size"), "{e}");
        let c = Config::from_toml(Path::new("s.toml"), "").unwrap();
        assert_eq!((c.discogs.base_url.as_str(), c.discogs.requests_per_minute, c.discogs.input), ("https://api.discogs.com", 60, false));
        assert_eq!((c.reccobeats.base_url.as_str(), c.reccobeats.batch_size, c.reccobeats.input), ("https://api.reccobeats.com", 40, false));
        let c = Config::from_toml(Path::new("s.toml"), "[reccobeats]\nprecedence = \"before-files\"\n").unwrap();
        assert_eq!(c.reccobeats.source_rank(3), -1);
    }

    /// A configured source is an input: `[discogs] user` loads the collection and implies
    /// matching (no ID files), a `[reccobeats]` section adds its features; `input = true` stays
    /// accepted.
    #[test]
    fn configured_sources_are_inputs() {
        let c = Config::from_toml(Path::new("s.toml"), "[discogs]\nuser = \"me\"\n[reccobeats]\n").unwrap();
        assert!(c.discogs.input && c.reccobeats.input);
        assert!(c.matching.is_some(), "a Discogs collection needs matching");
        assert_eq!(c.discogs.max_age_hours, 24);
        let c = Config::from_toml(Path::new("s.toml"), "[discogs]\nuser = \"me\"\ninput = true\n[inputs]\nspotify_ids = [\"ids.csv\"]\n").unwrap();
        assert!(c.discogs.input && !c.reccobeats.input && c.matching.is_none());
    }
}
