//! The `[cluster]` section: which features, how many clusters (or how k is chosen), and the
//! KMeans engine's settings.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use super::choose_k::KRule;
use super::kmeans::{self, Algorithm};
use crate::setting::Invalid;

/// How k is chosen: a number, or `auto` (the [`KRule`] over `k_min..=k_max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KSetting {
    Fixed(usize),
    Auto,
}

impl FromStr for KSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(KSetting::Auto);
        }
        s.parse::<usize>().map(KSetting::Fixed).map_err(|_| format!("{s:?} is neither a number of clusters nor `auto`"))
    }
}

impl fmt::Display for KSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KSetting::Fixed(k) => write!(f, "{k}"),
            KSetting::Auto => f.write_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for KSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(usize),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(k) => Ok(KSetting::Fixed(k)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// The `[cluster]` section of the configuration. Every key is optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// Run clustering as a step of `selecta build`. Default: `true`.
    pub enabled: bool,
    /// Columns of `tracks_features` to cluster on (case-insensitive). Default: the original
    /// six, `["Danceability", "Energy", "Loudness", "Instrumentalness", "Valence", "Tempo"]`.
    pub features: Vec<String>,
    /// Number of clusters, or `"auto"`. Default: `8` (the original run's choice).
    pub k: KSetting,
    /// The range of k for `auto` and for the elbow table. Default: `2` to `20`.
    pub k_min: usize,
    pub k_max: usize,
    /// The rule of `auto`: `"elbow"` (kneedle point of the inertia curve) or `"silhouette"`
    /// (highest silhouette). Default: `"elbow"`.
    pub k_rule: KRule,
    /// Fill `cluster_elbow` over the whole range even when k is fixed. Default: `true`.
    pub elbow: bool,
    /// Seed of the k-means++ initialisations (each restart derives its own). Default: `42`.
    pub seed: u64,
    /// KMeans restarts; the lowest inertia wins. Default: `10`.
    pub n_init: usize,
    /// Early stopping of the restarts of every k but the kept one (rows of the elbow table):
    /// after the first three, one more while the last lowered the best inertia by at least this
    /// fraction. `0` runs all `n_init` for every k. Default: `0.001`.
    pub elbow_stop: f64,
    /// Iteration cap of each KMeans run. Default: `300` (scikit-learn's).
    pub max_iter: usize,
    /// Convergence tolerance, relative to the mean feature variance. Default: `1e-4`
    /// (scikit-learn's).
    pub tol: f64,
    /// KMeans engine: `"hybrid"`, `"smartcore"` or `"native"` (see the module overview for
    /// what each is and what was measured). Default: `"native"`, the only one measured no
    /// slower than scikit-learn.
    pub algorithm: Algorithm,
    /// A TOML file renaming clusters (see [`super::name::NameOverrides`]), relative to the config
    /// file (resolved at load). Default: none (computed names).
    pub names: Option<PathBuf>,
    /// The table clustered. Default: `"tracks_features"`; with `[analysis]` (unless its
    /// `cluster_on = "features"`) the build clusters `tracks_features_analysis` instead.
    pub table: String,
}

/// The six features of the original project.
pub const DEFAULT_FEATURES: [&str; 6] = ["Danceability", "Energy", "Loudness", "Instrumentalness", "Valence", "Tempo"];

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            enabled: true,
            features: DEFAULT_FEATURES.iter().map(|s| s.to_string()).collect(),
            k: KSetting::Fixed(8),
            k_min: 2,
            k_max: 20,
            k_rule: KRule::Elbow,
            elbow: true,
            seed: 42,
            n_init: 10,
            elbow_stop: 0.001,
            max_iter: 300,
            tol: 1e-4,
            algorithm: Algorithm::Native,
            names: None,
            table: "tracks_features".into(),
        }
    }
}

impl ClusterConfig {
    /// The names file resolved with `resolve` (against the config file's folder).
    pub fn resolved(mut self, resolve: impl Fn(&Path) -> PathBuf) -> Self {
        self.names = self.names.as_deref().map(resolve);
        self
    }

    /// Checks the values that serde cannot (at load, and again after command-line overrides).
    pub fn validate(&self) -> Result<(), Invalid> {
        let bad = |key: &str, message: String| Err(Invalid::new(key, message));
        if self.features.is_empty() {
            return bad("features", "no feature selected".into());
        }
        for (i, f) in self.features.iter().enumerate() {
            if self.features[..i].iter().any(|g| g.eq_ignore_ascii_case(f)) {
                return bad("features", format!("{f:?} is selected twice"));
            }
        }
        if let KSetting::Fixed(k) = self.k {
            if k < 1 {
                return bad("k", format!("k = {k}: the number of clusters must be at least 1"));
            }
        }
        if self.k_min < 1 || self.k_min > self.k_max {
            return bad("k_min", format!("the range {}..={} is empty or starts below 1", self.k_min, self.k_max));
        }
        if self.n_init < 1 {
            return bad("n_init", "must be at least 1".into());
        }
        if !(self.elbow_stop.is_finite() && (0.0..1.0).contains(&self.elbow_stop)) {
            return bad("elbow_stop", format!("{} is not a fraction in [0, 1)", self.elbow_stop));
        }
        if self.max_iter < 1 {
            return bad("max_iter", "must be at least 1".into());
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return bad("tol", format!("{} is not a finite number ≥ 0", self.tol));
        }
        Ok(())
    }

    /// The KMeans parameters of one fit with `k` clusters.
    pub fn params(&self, k: usize) -> kmeans::KMeansParams {
        kmeans::KMeansParams { k, n_init: self.n_init, seed: self.seed, max_iter: self.max_iter, tol: self.tol, algorithm: self.algorithm, threads: 0 }
    }
}

