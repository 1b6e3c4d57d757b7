//! The `[spotify]` section: endpoints, the app's client ID, the token cache and how playlists are named.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::PlaylistsError;

/// The `[spotify]` section (user-authorized calls: playlists).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotifyConfig {
    /// Accounts service base URL. Default: `https://accounts.spotify.com`.
    #[serde(default = "default_accounts_url")]
    pub accounts_url: String,
    /// Web API base URL. Default: `https://api.spotify.com/v1`.
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The app's client ID (public; PKCE needs no secret). Default: the `SPOTIFY_CLIENT_ID`
    /// environment variable. Register `http://127.0.0.1:PORT/callback` as its redirect URI.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Port of the loopback redirect `http://127.0.0.1:PORT/callback`; 0 picks a free one.
    /// Default: 8888.
    #[serde(default = "default_redirect_port")]
    pub redirect_port: u16,
    /// The token cache (mode 0600). Default: beside the state file, named after the warehouse
    /// with `.spotify-token.json`; the configuration fills it in at load.
    #[serde(default)]
    pub token_cache: PathBuf,
    /// Prefix of the playlists' names. Default: `selecta · `.
    #[serde(default = "default_prefix")]
    pub playlist_prefix: String,
    /// Whether new playlists are public. Default: false.
    #[serde(default)]
    pub public: bool,
    /// Seconds to wait for the browser's redirect. Default: 300.
    #[serde(default = "default_auth_timeout")]
    pub auth_timeout_secs: u64,
}

fn default_accounts_url() -> String {
    "https://accounts.spotify.com".into()
}
fn default_api_url() -> String {
    "https://api.spotify.com/v1".into()
}
fn default_redirect_port() -> u16 {
    8888
}
fn default_prefix() -> String {
    "selecta · ".into()
}
fn default_auth_timeout() -> u64 {
    300
}

impl Default for SpotifyConfig {
    fn default() -> Self {
        SpotifyConfig {
            accounts_url: default_accounts_url(),
            api_url: default_api_url(),
            client_id: None,
            redirect_port: default_redirect_port(),
            token_cache: PathBuf::new(),
            playlist_prefix: default_prefix(),
            public: false,
            auth_timeout_secs: default_auth_timeout(),
        }
    }
}

impl SpotifyConfig {
    /// `token_cache` resolved with `resolve`, or `default` when not given.
    pub fn resolved(mut self, resolve: impl Fn(&Path) -> PathBuf, default: PathBuf) -> Self {
        self.token_cache = if self.token_cache.as_os_str().is_empty() { default } else { resolve(&self.token_cache) };
        self
    }

    pub(crate) fn client_id(&self) -> Result<String, PlaylistsError> {
        self.client_id
            .clone()
            .or_else(|| std::env::var("SPOTIFY_CLIENT_ID").ok())
            .filter(|c| !c.trim().is_empty())
            .ok_or(PlaylistsError::NoClientId)
    }
}


/// How each cluster's playlist is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// A DJ set: harmonic neighbours, tempos within the tolerance, an energy arc
    /// ([`super::sequence`]).
    #[default]
    Set,
    /// By distance to the cluster's centroid, the most typical track first.
    Centroid,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Set => "set",
            Order::Centroid => "centroid",
        }
    }
}

/// The `[playlists]` section: the order of the tracks in each cluster's playlist.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlaylistsConfig {
    /// `set` or `centroid`. Default: `set`.
    pub order: Order,
    /// Largest relative tempo step between consecutive tracks that counts as mixable (half and
    /// double time count too). Default: 0.06 (±6 %).
    pub tempo_tolerance: f64,
}

impl Default for PlaylistsConfig {
    fn default() -> Self {
        PlaylistsConfig { order: Order::Set, tempo_tolerance: 0.06 }
    }
}

impl PlaylistsConfig {
    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), crate::setting::Invalid> {
        if !(self.tempo_tolerance > 0.0 && self.tempo_tolerance < 0.5) {
            return Err(crate::setting::Invalid::new("tempo_tolerance", format!("{} is out of range (above 0, below 0.5)", self.tempo_tolerance)));
        }
        Ok(())
    }
}
