//! The `[discogs]` section: whose collection, which API, how fast.

use serde::Deserialize;

use crate::setting::Invalid;

/// The `[discogs]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscogsConfig {
    /// The Discogs username whose collection is fetched and loaded (`--user` overrides it for
    /// `selecta fetch discogs`). Default: none.
    #[serde(default)]
    pub user: Option<String>,
    /// The API's base URL. Default: `https://api.discogs.com`.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Requests per minute at most (Discogs allows 60 with a token; the server's
    /// `X-Discogs-Ratelimit` lowers it when smaller). Default: 60.
    #[serde(default = "default_rpm")]
    pub requests_per_minute: u32,
    /// Whether `selecta build` loads the cached collection of `user` into `raw_releases` and
    /// `raw_tracks` (beside any `[inputs]` files). Default: false.
    #[serde(default)]
    pub input: bool,
}

fn default_base_url() -> String {
    "https://api.discogs.com".into()
}

fn default_rpm() -> u32 {
    60
}

impl Default for DiscogsConfig {
    fn default() -> Self {
        DiscogsConfig { user: None, base_url: default_base_url(), requests_per_minute: default_rpm(), input: false }
    }
}

impl DiscogsConfig {
    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.requests_per_minute == 0 {
            return Err(Invalid::new("requests_per_minute", "must be at least 1"));
        }
        if self.input && self.user.as_deref().is_none_or(|u| u.trim().is_empty()) {
            return Err(Invalid::new("user", "`input = true` needs the user whose collection to load"));
        }
        Ok(())
    }
}

