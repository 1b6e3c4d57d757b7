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
    /// Old key, still accepted: the collection of `user` is a build input whenever `user` is
    /// set (the configuration sets this from `user` at load). Default: false.
    #[serde(default)]
    pub input: bool,
    /// How old (hours) the last complete listing may be before `selecta build` lists the
    /// collection again; younger, the build sends no request to Discogs. 0: every build lists.
    /// Default: 24.
    #[serde(default = "default_max_age")]
    pub max_age_hours: u64,
}

fn default_max_age() -> u64 {
    24
}

fn default_base_url() -> String {
    "https://api.discogs.com".into()
}

fn default_rpm() -> u32 {
    60
}

impl Default for DiscogsConfig {
    fn default() -> Self {
        DiscogsConfig { user: None, base_url: default_base_url(), requests_per_minute: default_rpm(), input: false, max_age_hours: default_max_age() }
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

