//! The `[analysis]` section: which folders hold the collector's audio, how many files are
//! analysed at once, and how the analysed features meet the others.

use std::path::PathBuf;

use serde::Deserialize;

use crate::setting::Invalid;

/// How clustering uses the analysis (`[analysis] cluster_on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterOn {
    /// Every track with features: the other sources' values first, calibrated analysis values
    /// for the tracks that have only an analysis.
    Combined,
    /// Every analysed track on its calibrated analysis values alone, so mixed sources cannot
    /// split the clusters by source.
    Analysis,
    /// Clustering reads `tracks_features` as without analysis.
    Features,
}

/// The `[analysis]` section. Present: the build analyses `music_dirs`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    /// Folders walked recursively for audio files (`flac mp3 wav aif aiff ogg m4a mp4 alac`).
    /// Default: none.
    pub music_dirs: Vec<PathBuf>,
    /// Files analysed at once. Default: 0 = every core.
    pub threads: usize,
    /// What clustering reads. Default: `"combined"`.
    pub cluster_on: ClusterOn,
    /// Features of the combined table clustered on when `cluster_on` is not `features`.
    /// Default: the four calibrated ones, `["Danceability", "Energy", "Loudness", "Tempo"]`.
    pub cluster_features: Vec<String>,
    /// Folds of the calibration's cross-validation. Default: 5.
    pub folds: usize,
    /// Lowest score the matching scorer must give a file's tags to accept a track. Default: 0.80
    /// (the scorer's own `[match.weights] threshold` default).
    pub accept: f64,
    /// The musicnn MTT model (ONNX) the `analysis.tags` step runs. Default: none set, i.e.
    /// `~/.cache/selecta/models/musicnn-mtt.onnx` (what `make tag-model` builds); missing,
    /// the step skips the tags with a note.
    pub tag_model: Option<PathBuf>,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            music_dirs: Vec::new(),
            threads: 0,
            cluster_on: ClusterOn::Combined,
            cluster_features: ["Danceability", "Energy", "Loudness", "Tempo"].map(String::from).to_vec(),
            folds: 5,
            accept: 0.80,
            tag_model: None,
        }
    }
}

impl AnalysisConfig {
    /// The section with its folders resolved against the config file's folder.
    pub fn resolved(mut self, resolve: impl Fn(&std::path::Path) -> PathBuf) -> Self {
        self.music_dirs = self.music_dirs.iter().map(|p| resolve(p)).collect();
        self.tag_model = self.tag_model.as_deref().map(&resolve);
        self
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        crate::setting::in_range("threads", self.threads, 0, 1024)?;
        crate::setting::in_range("folds", self.folds, 2, 100)?;
        crate::setting::in_range("accept", self.accept, 0.0, 1.0)?;
        if self.cluster_features.is_empty() {
            return Err(Invalid::new("cluster_features", "must name at least one feature"));
        }
        Ok(())
    }

    /// Worker threads: `threads`, or every core.
    pub fn workers(&self) -> usize {
        if self.threads > 0 { self.threads } else { std::thread::available_parallelism().map_or(1, |n| n.get()) }
    }
}
