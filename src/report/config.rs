//! The `[report]` section: where the build writes the report, how many sample tracks it shows.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::setting::{Invalid, in_range};

/// The `[report]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// Where the build writes the report. Default: beside the warehouse, named after it with
    /// `-report.html` (`out/original_run.duckdb` → `out/original_run-report.html`); the
    /// configuration fills it in at load, so it is never empty afterwards.
    #[serde(default)]
    pub out: PathBuf,
    /// Tracks shown per cluster in the samples table (the closest to the centroid first).
    /// Default: 8.
    #[serde(default = "default_samples")]
    pub sample_tracks: usize,
}

fn default_samples() -> usize {
    8
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig { out: PathBuf::new(), sample_tracks: default_samples() }
    }
}

impl ReportConfig {
    /// `out` resolved with `resolve`, or `default` when not given.
    pub fn resolved(mut self, resolve: impl Fn(&Path) -> PathBuf, default: PathBuf) -> Self {
        self.out = if self.out.as_os_str().is_empty() { default } else { resolve(&self.out) };
        self
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), Invalid> {
        in_range("sample_tracks", self.sample_tracks, 1, 1000)
    }
}
