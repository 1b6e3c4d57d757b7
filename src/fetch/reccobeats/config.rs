//! The `[reccobeats]` section: which API, how many IDs per request, where its features stand
//! among the feature files.

use serde::Deserialize;

use crate::setting::Invalid;

/// Where ReccoBeats stands among the feature sources when several give one Spotify ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precedence {
    /// After every `[inputs].features` file: a file's values win.
    #[default]
    AfterFiles,
    /// Before them: ReccoBeats' values win.
    BeforeFiles,
}

/// The `[reccobeats]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReccoBeatsConfig {
    /// The API's base URL (requests go to `{base_url}/v1/audio-features`).
    /// Default: `https://api.reccobeats.com`.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Spotify IDs per request, 1 to 40. Default: 40.
    #[serde(default = "default_batch")]
    pub batch_size: usize,
    /// Old key, still accepted: a `[reccobeats]` section (even empty) makes ReccoBeats a feature
    /// source of `selecta build` (the configuration sets this at load). Default: false.
    #[serde(default)]
    pub input: bool,
    /// `after-files` (files listed in `[inputs].features` win, in their order, then ReccoBeats) or
    /// `before-files`. Default: `after-files`.
    #[serde(default)]
    pub precedence: Precedence,
}

fn default_base_url() -> String {
    "https://api.reccobeats.com".into()
}

fn default_batch() -> usize {
    40
}

/// The largest batch the API answers in full (third-party reports; it drops extras silently,
/// which would record real tracks as missing).
pub const MAX_BATCH: usize = 40;

/// `Err(why)` unless `1 <= n <= MAX_BATCH`.
pub fn check_batch_size(n: usize) -> Result<(), String> {
    if (1..=MAX_BATCH).contains(&n) { Ok(()) } else { Err(format!("must be 1 to {MAX_BATCH} (the API drops IDs beyond {MAX_BATCH} silently)")) }
}

impl Default for ReccoBeatsConfig {
    fn default() -> Self {
        ReccoBeatsConfig { base_url: default_base_url(), batch_size: default_batch(), input: false, precedence: Precedence::default() }
    }
}

impl ReccoBeatsConfig {
    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), Invalid> {
        check_batch_size(self.batch_size).map_err(|message| Invalid::new("batch_size", message))
    }

    /// The `source_rank` of ReccoBeats rows when `files` feature files are configured
    /// (files have ranks 0, 1, … in their order; lower wins).
    pub fn source_rank(&self, files: usize) -> i32 {
        match self.precedence {
            Precedence::AfterFiles => files as i32,
            Precedence::BeforeFiles => -1,
        }
    }
}

