//! Errors of the clustering stage, with what and where.

use std::path::PathBuf;

/// Errors of the clustering stage, with what and where.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("no table `tracks_features` in the warehouse (it is built by `selecta build`)")]
    MissingTable,
    #[error("cluster.features: no column {feature:?} in tracks_features; its columns are: {available}")]
    UnknownFeature { feature: String, available: String },
    #[error("tracks_features has no {column:?} column (needed as the {role})")]
    MissingColumn { column: String, role: String },
    #[error("cluster.features: no feature selected")]
    NoFeatures,
    #[error("cluster.features: {feature:?} is selected twice")]
    DuplicateFeature { feature: String },
    #[error("track {key}: {feature} is {value}; features must be finite numbers")]
    NonFinite { key: String, feature: String, value: f64 },
    #[error("tracks_features: Track_id {key:?} appears on {count} rows; clustering needs one row per track")]
    DuplicateKey { key: String, count: usize },
    #[error("no track has every selected feature ({excluded} rows excluded): nothing to cluster")]
    NoRows { excluded: usize },
    #[error("k = {k}: the number of clusters must be at least 1")]
    KTooSmall { k: usize },
    #[error("k = {k} is more than the {rows} tracks to cluster")]
    KTooLarge { k: usize, rows: usize },
    #[error("{}", too_few_distinct(.k, .distinct, .rows))]
    TooFewDistinct { k: usize, distinct: usize, rows: usize },
    #[error("cluster.{}", .0)]
    Config(#[from] crate::setting::Invalid),
    #[error("smartcore KMeans (k = {k}, seed {seed}): {message}")]
    Smartcore { k: usize, seed: u64, message: String },
    #[error("smartcore PCA: {message}")]
    Pca { message: String },
    #[error("names file {path}: {message}")]
    NamesFile { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

fn too_few_distinct(k: &usize, distinct: &usize, rows: &usize) -> String {
    if *distinct == 1 {
        format!("all {rows} tracks have identical features: they cannot form k = {k} clusters")
    } else {
        format!("the {rows} tracks have only {distinct} distinct feature vectors: they cannot form k = {k} clusters")
    }
}

