//! Clustering: tracks → audio-feature clusters, named, with playlists; every decision stored.
//!
//! The pipeline ([`run`]), one concept per file:
//! 1. [`load`]: the selected feature columns of `tracks_features` (matched case-insensitively),
//!    keyed by `Track_id` and sorted by it, so neither the input's row order nor rows without
//!    features can move a label; rows lacking a feature are excluded and listed
//!    (`cluster_excluded`, and a log line), NaN / infinite values are errors;
//! 2. [`scale::RobustScaler`]: scikit-learn's RobustScaler (median, inter-quartile range);
//! 3. [`kmeans::fit`]: KMeans around smartcore, `n_init` seeded restarts, lowest inertia kept;
//! 4. [`choose_k`]: the elbow curve (inertia and silhouette for every k of the range, and the
//!    total sum of squares for k = 1) and the rule of `--k auto`;
//! 5. clusters renumbered by size (0 = largest), distances to centroids, [`pca`] coordinates;
//! 6. [`name`]: names from the centroids relative to the collection, optionally overridden;
//! 7. [`playlists`]: per-cluster ordered, de-duplicated playlists, and their CSV export;
//! 8. [`write_tables`]: `cluster_runs` (appended), `track_clusters`, `cluster_centroids`,
//!    `clusters`, `cluster_elbow`, `cluster_playlists`, `cluster_excluded` (replaced).
//!
//! [`ClusterConfig`] is the `[cluster]` section; [`cluster_step`] is the build step,
//! [`cluster_command`] is `selecta cluster`, [`export_playlists_csv`] serves
//! `selecta export playlists --format csv --out DIR`.
//!
//! ## Engine and measurements (2-core machine, `cargo bench --bench cluster`, k = 8, n_init = 10)
//! MEASUREMENTS_PLACEHOLDER

pub mod choose_k;
pub mod kmeans;
pub mod name;
pub mod pca;
pub mod playlists;
pub mod scale;

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;

use serde::Deserialize;

pub use choose_k::KRule;
pub use kmeans::{Algorithm, Matrix};
pub use playlists::export_playlists_csv;

use crate::config::Config;
use crate::warehouse::Ui;
use crate::warehouse::step::{StepContext, StepOutput};

/// Errors of the clustering stage, with what and where.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{context}: {source}")]
    Duck { context: String, source: duckdb::Error },
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
    #[error("cluster.{field}: {message}")]
    Config { field: String, message: String },
    #[error("smartcore KMeans (k = {k}, seed {seed}): {message}")]
    Smartcore { k: usize, seed: u64, message: String },
    #[error("smartcore PCA: {message}")]
    Pca { message: String },
    #[error("names file {path}: {message}")]
    NamesFile { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
}

fn too_few_distinct(k: &usize, distinct: &usize, rows: &usize) -> String {
    if *distinct == 1 {
        format!("all {rows} tracks have identical features: they cannot form k = {k} clusters")
    } else {
        format!("the {rows} tracks have only {distinct} distinct feature vectors: they cannot form k = {k} clusters")
    }
}

fn duck(context: impl Into<String>) -> impl FnOnce(duckdb::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Duck { context, source }
}

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
    /// Iteration cap of each KMeans run. Default: `300` (scikit-learn's).
    pub max_iter: usize,
    /// Convergence tolerance, relative to the mean feature variance. Default: `1e-4`
    /// (scikit-learn's).
    pub tol: f64,
    /// KMeans engine: `"hybrid"`, `"smartcore"` or `"native"` (see the module overview for
    /// what each is and what was measured). Default: `"hybrid"`.
    pub algorithm: Algorithm,
    /// A TOML file renaming clusters (see [`name::NameOverrides`]), relative to the config
    /// file. Default: none (computed names).
    pub names: Option<PathBuf>,
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
            max_iter: 300,
            tol: 1e-4,
            algorithm: Algorithm::Hybrid,
            names: None,
        }
    }
}

impl ClusterConfig {
    /// Checks the values that serde cannot.
    pub fn validate(&self) -> Result<(), ClusterError> {
        let bad = |field: &str, message: String| Err(ClusterError::Config { field: field.into(), message });
        if self.features.is_empty() {
            return Err(ClusterError::NoFeatures);
        }
        for (i, f) in self.features.iter().enumerate() {
            if self.features[..i].iter().any(|g| g.eq_ignore_ascii_case(f)) {
                return Err(ClusterError::DuplicateFeature { feature: f.clone() });
            }
        }
        if let KSetting::Fixed(k) = self.k {
            if k < 1 {
                return Err(ClusterError::KTooSmall { k });
            }
        }
        if self.k_min < 1 || self.k_min > self.k_max {
            return bad("k_min", format!("the range {}..={} is empty or starts below 1", self.k_min, self.k_max));
        }
        if self.n_init < 1 {
            return bad("n_init", "must be at least 1".into());
        }
        if self.max_iter < 1 {
            return bad("max_iter", "must be at least 1".into());
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return bad("tol", format!("{} is not a finite number ≥ 0", self.tol));
        }
        Ok(())
    }
}

/// `selecta cluster`: recompute the cluster tables of the existing warehouse.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ClusterArgs {
    /// Number of clusters, or `auto` to choose over the configured range [default: config, 8].
    #[arg(long)]
    pub k: Option<KSetting>,
    /// Seed of the k-means++ initialisations [default: config, 42].
    #[arg(long)]
    pub seed: Option<u64>,
    /// KMeans restarts, the lowest inertia kept [default: config, 10].
    #[arg(long)]
    pub n_init: Option<usize>,
    /// KMeans engine [default: config, hybrid].
    #[arg(long, value_enum)]
    pub algorithm: Option<Algorithm>,
}

/// A clustered track (the key, its metadata, its feature row in [`Loaded::x`]).
#[derive(Debug, Clone)]
pub struct TrackRow {
    pub track_id: String,
    pub spotify_id: Option<String>,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
}

/// A track left out because a selected feature is missing.
#[derive(Debug, Clone)]
pub struct Excluded {
    pub track_id: String,
    pub spotify_id: Option<String>,
    pub missing: Vec<String>,
}

/// The input of a run, sorted by track key.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The feature columns as named in the table.
    pub features: Vec<String>,
    pub tracks: Vec<TrackRow>,
    /// n × d, original units; row i is `tracks[i]`.
    pub x: Matrix,
    pub excluded: Vec<Excluded>,
}

fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Reads the selected features of `tracks_features`.
pub fn load(conn: &duckdb::Connection, features: &[String]) -> Result<Loaded, ClusterError> {
    let mut stmt = conn
        .prepare(
            "SELECT column_name FROM information_schema.columns
             WHERE table_catalog = current_database() AND table_schema = 'main' AND lower(table_name) = 'tracks_features'
             ORDER BY ordinal_position",
        )
        .map_err(duck("listing the columns of tracks_features"))?;
    let columns: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|m| m.collect::<Result<Vec<String>, _>>())
        .map_err(duck("listing the columns of tracks_features"))?;
    if columns.is_empty() {
        return Err(ClusterError::MissingTable);
    }
    let find = |name: &str| columns.iter().find(|c| c.eq_ignore_ascii_case(name)).cloned();
    let mut feature_cols = Vec::with_capacity(features.len());
    for f in features {
        match find(f) {
            Some(c) => feature_cols.push(c),
            None => return Err(ClusterError::UnknownFeature { feature: f.clone(), available: columns.join(", ") }),
        }
    }
    let key = find("track_id").ok_or_else(|| ClusterError::MissingColumn { column: "Track_id".into(), role: "track key".into() })?;
    let optional = |name: &str| find(name).map(|c| ident(&c)).unwrap_or_else(|| "NULL".into());
    let mut select = vec![
        format!("CAST({} AS VARCHAR)", ident(&key)),
        format!("CAST({} AS VARCHAR)", optional("spotify_id")),
        format!("CAST({} AS VARCHAR)", optional("title")),
        format!("CAST({} AS VARCHAR)", optional("artist")),
        format!("CAST({} AS VARCHAR)", optional("album")),
    ];
    select.extend(feature_cols.iter().map(|c| format!("CAST({} AS DOUBLE)", ident(c))));
    let sql = format!(
        "SELECT {} FROM tracks_features WHERE {} IS NOT NULL ORDER BY 1, 2 NULLS LAST",
        select.join(", "),
        ident(&key)
    );
    let d = feature_cols.len();
    let mut stmt = conn.prepare(&sql).map_err(duck("reading the features of tracks_features"))?;
    let mut rows = stmt.query([]).map_err(duck("reading the features of tracks_features"))?;
    let mut tracks = Vec::new();
    let mut data = Vec::new();
    let mut excluded = Vec::new();
    let mut values = vec![None; d];
    while let Some(r) = rows.next().map_err(duck("reading the features of tracks_features"))? {
        let get = |i: usize| -> Result<Option<String>, ClusterError> { r.get(i).map_err(duck("reading tracks_features")) };
        let track = TrackRow { track_id: get(0)?.unwrap_or_default(), spotify_id: get(1)?, title: get(2)?, artist: get(3)?, album: get(4)? };
        for (j, v) in values.iter_mut().enumerate() {
            *v = r.get::<_, Option<f64>>(5 + j).map_err(duck("reading tracks_features"))?;
        }
        let missing: Vec<String> = (0..d).filter(|&j| values[j].is_none()).map(|j| feature_cols[j].clone()).collect();
        if !missing.is_empty() {
            excluded.push(Excluded { track_id: track.track_id, spotify_id: track.spotify_id, missing });
            continue;
        }
        for (j, v) in values.iter().enumerate() {
            let v = v.expect("checked");
            if !v.is_finite() {
                return Err(ClusterError::NonFinite { key: track.track_id.clone(), feature: feature_cols[j].clone(), value: v });
            }
            data.push(v);
        }
        if let Some(prev) = tracks.last().map(|t: &TrackRow| &t.track_id) {
            if *prev == track.track_id {
                let count = 1 + tracks.iter().rev().take_while(|t| t.track_id == track.track_id).count();
                return Err(ClusterError::DuplicateKey { key: track.track_id, count });
            }
        }
        tracks.push(track);
    }
    let n = tracks.len();
    Ok(Loaded { features: feature_cols, tracks, x: Matrix::new(n, d, data), excluded })
}

/// The settings of one run (configuration with command-line overrides applied).
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: ClusterConfig,
    /// The names file, resolved.
    pub names: Option<PathBuf>,
}

impl Settings {
    pub fn new(config: &Config, args: &ClusterArgs) -> Result<Settings, ClusterError> {
        let mut c = config.cluster.clone();
        if let Some(k) = args.k {
            c.k = k;
        }
        if let Some(s) = args.seed {
            c.seed = s;
        }
        if let Some(n) = args.n_init {
            c.n_init = n;
        }
        if let Some(a) = args.algorithm {
            c.algorithm = a;
        }
        c.validate()?;
        let names = c.names.as_ref().map(|p| config.resolve(p));
        Ok(Settings { config: c, names })
    }

    fn params(&self, k: usize) -> kmeans::KMeansParams {
        let c = &self.config;
        kmeans::KMeansParams { k, n_init: c.n_init, seed: c.seed, max_iter: c.max_iter, tol: c.tol, algorithm: c.algorithm, threads: 0 }
    }
}

/// One cluster of the result.
#[derive(Debug, Clone)]
pub struct ClusterInfo {
    pub cluster: usize,
    pub size: usize,
    pub name: name::ClusterName,
}

/// Everything a run computed.
#[derive(Debug)]
pub struct Outcome {
    pub loaded: Loaded,
    pub scaler: scale::RobustScaler,
    pub k: usize,
    /// "fixed", "elbow" or "silhouette".
    pub k_rule: &'static str,
    /// Labels renumbered by size, row i = `loaded.tracks[i]`.
    pub labels: Vec<usize>,
    pub distances: Vec<f64>,
    pub pcs: Vec<(f64, f64)>,
    /// Scaled and original-unit centroids (k × d).
    pub centroids_scaled: Matrix,
    pub centroids: Matrix,
    pub inertia: f64,
    pub silhouette: Option<choose_k::Silhouette>,
    pub n_iter: usize,
    pub best_init: usize,
    pub elbow: Vec<choose_k::ElbowPoint>,
    pub clusters: Vec<ClusterInfo>,
    pub playlist: Vec<playlists::PlaylistTrack>,
    pub duplicates_dropped: usize,
    pub seconds: f64,
}

/// Runs the whole clustering on `conn`'s `tracks_features` (nothing is written).
pub fn run(conn: &duckdb::Connection, settings: &Settings, progress: bool) -> Result<Outcome, ClusterError> {
    let started = Instant::now();
    let c = &settings.config;
    let loaded = load(conn, &c.features)?;
    if !loaded.excluded.is_empty() {
        let shown: Vec<&str> = loaded.excluded.iter().take(20).map(|e| e.track_id.as_str()).collect();
        let more = if loaded.excluded.len() > shown.len() { format!(" and {} more", loaded.excluded.len() - shown.len()) } else { String::new() };
        tracing::warn!(
            "{} tracks lack a selected feature and are not clustered (listed in cluster_excluded): {}{more}",
            loaded.excluded.len(),
            shown.join(", ")
        );
    }
    if loaded.x.n == 0 {
        return Err(ClusterError::NoRows { excluded: loaded.excluded.len() });
    }
    kmeans::validate(&loaded.x, 1)?;
    let scaler = scale::RobustScaler::fit(&loaded.x);
    for &j in &scaler.degenerate {
        tracing::warn!("{}: the inter-quartile range is 0, so it is only centred (scale 1), as scikit-learn does", loaded.features[j]);
    }
    let xs = scaler.transform(&loaded.x);

    // The elbow curve (and `auto`).
    let mut elbow = Vec::new();
    let mut fits: Vec<(usize, kmeans::KMeansFit, Option<choose_k::Silhouette>)> = Vec::new();
    if c.elbow || c.k == KSetting::Auto {
        elbow.push(choose_k::ElbowPoint { k: 1, inertia: kmeans::total_sum_of_squares(&xs), silhouette: None });
        let hi = c.k_max.min(xs.n);
        let bar = progress.then(|| {
            let b = indicatif::ProgressBar::new((hi + 1).saturating_sub(c.k_min) as u64);
            b.set_style(indicatif::ProgressStyle::with_template("cluster: elbow k = {pos}/{len} {bar:30} {elapsed}").expect("template"));
            b
        });
        for k in c.k_min.max(2)..=hi {
            let fit = match kmeans::fit(&xs, &settings.params(k)) {
                Ok(f) => f,
                Err(ClusterError::TooFewDistinct { .. }) => break,
                Err(e) => return Err(e),
            };
            let sil = choose_k::silhouette(&xs, &fit.labels, k, choose_k::SILHOUETTE_MAX_ROWS, c.seed);
            tracing::debug!("k = {k}: inertia {:.2}, silhouette {:?}", fit.inertia, sil.map(|s| s.value));
            elbow.push(choose_k::ElbowPoint { k, inertia: fit.inertia, silhouette: sil.map(|s| s.value) });
            fits.push((k, fit, sil));
            if let Some(b) = &bar {
                b.inc(1);
            }
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
    }
    let (k, k_rule) = match c.k {
        KSetting::Fixed(k) => (k, "fixed"),
        KSetting::Auto => {
            let range: Vec<choose_k::ElbowPoint> = elbow.iter().copied().filter(|p| p.k >= c.k_min).collect();
            if range.is_empty() {
                return Err(ClusterError::Config { field: "k_min".into(), message: format!("no k of {}..={} can be fitted on {} tracks", c.k_min, c.k_max, xs.n) });
            }
            (choose_k::choose(&range, c.k_rule), c.k_rule.as_str())
        }
    };
    let (fit, silhouette) = match fits.into_iter().find(|(kk, _, _)| *kk == k) {
        Some((_, f, s)) => (f, s),
        None => {
            let f = kmeans::fit(&xs, &settings.params(k))?;
            let s = choose_k::silhouette(&xs, &f.labels, k, choose_k::SILHOUETTE_MAX_ROWS, c.seed);
            if c.elbow && k > 1 {
                // A fixed k outside the range still gets its elbow row.
                elbow.push(choose_k::ElbowPoint { k, inertia: f.inertia, silhouette: s.map(|s| s.value) });
                elbow.sort_by_key(|p| p.k);
            }
            (f, s)
        }
    };

    // Renumber clusters by size, largest first (ties: the old label order).
    let mut sizes = vec![0usize; k];
    fit.labels.iter().for_each(|&l| sizes[l] += 1);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut new_of = vec![0; k];
    order.iter().enumerate().for_each(|(new, &old)| new_of[old] = new);
    let labels: Vec<usize> = fit.labels.iter().map(|&l| new_of[l]).collect();
    let centroids_scaled = Matrix::new(k, xs.d, order.iter().flat_map(|&old| fit.centroids.row(old).to_vec()).collect());
    let centroids = Matrix::new(k, xs.d, (0..k).flat_map(|c| scaler.inverse_row(centroids_scaled.row(c))).collect());
    let sizes: Vec<usize> = order.iter().map(|&old| sizes[old]).collect();
    let distances: Vec<f64> = (0..xs.n).map(|i| kmeans::sq_dist(xs.row(i), centroids_scaled.row(labels[i])).sqrt()).collect();
    let pcs = pca::project_2d(&xs)?;

    let mut names = name::name_clusters(&loaded.features, &loaded.x, &centroids, &sizes);
    if let Some(path) = &settings.names {
        name::NameOverrides::load(path)?.apply(&mut names, path)?;
    }
    let clusters: Vec<ClusterInfo> = names.into_iter().enumerate().map(|(c, name)| ClusterInfo { cluster: c, size: sizes[c], name }).collect();
    let (playlist, duplicates_dropped) = playlists::build(
        loaded
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| playlists::PlaylistTrack {
                cluster: labels[i],
                distance: distances[i],
                track_id: t.track_id.clone(),
                spotify_id: t.spotify_id.clone(),
                title: t.title.clone(),
                artist: t.artist.clone(),
                album: t.album.clone(),
            })
            .collect(),
    );
    Ok(Outcome {
        scaler,
        k,
        k_rule,
        labels,
        distances,
        pcs,
        centroids_scaled,
        centroids,
        inertia: fit.inertia,
        silhouette,
        n_iter: fit.n_iter,
        best_init: fit.best_init,
        elbow,
        clusters,
        playlist,
        duplicates_dropped,
        seconds: started.elapsed().as_secs_f64(),
        loaded,
    })
}

fn list_f64(v: &[f64]) -> String {
    format!("[{}]::DOUBLE[]", v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", "))
}

fn list_str<S: AsRef<str>>(v: &[S]) -> String {
    format!("[{}]::VARCHAR[]", v.iter().map(|s| sql_str(s.as_ref())).collect::<Vec<_>>().join(", "))
}

fn opt_f64(v: Option<f64>) -> String {
    v.map_or("NULL".into(), |x| format!("{x:?}"))
}

/// Writes a run's tables in one transaction: `cluster_runs` gets one more row, the others
/// are replaced. Returns the number of `track_clusters` rows.
pub fn write_tables(conn: &duckdb::Connection, out: &Outcome, settings: &Settings, run_id: &str) -> Result<u64, ClusterError> {
    conn.execute_batch("BEGIN TRANSACTION").map_err(duck("starting the cluster tables' transaction"))?;
    match write_tables_inner(conn, out, settings, run_id) {
        Ok(n) => {
            conn.execute_batch("COMMIT").map_err(duck("committing the cluster tables"))?;
            Ok(n)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn write_tables_inner(conn: &duckdb::Connection, out: &Outcome, settings: &Settings, run_id: &str) -> Result<u64, ClusterError> {
    let c = &settings.config;
    let s = &out.scaler;
    conn.execute_batch(
        "-- One row per clustering run (appended; the other cluster tables hold the latest run).
         CREATE TABLE IF NOT EXISTS cluster_runs (
             run_id VARCHAR, created_at TIMESTAMP, features VARCHAR[],
             scaler_center DOUBLE[], scaler_scale DOUBLE[], scaler_q25 DOUBLE[], scaler_q75 DOUBLE[],
             k INTEGER, k_rule VARCHAR, k_min INTEGER, k_max INTEGER, seed UBIGINT, n_init INTEGER,
             max_iter INTEGER, tol DOUBLE, algorithm VARCHAR, tracks BIGINT, excluded BIGINT,
             inertia DOUBLE, silhouette DOUBLE, silhouette_rows BIGINT, n_iter INTEGER, best_init INTEGER,
             playlist_duplicates_dropped BIGINT, seconds DOUBLE);
         DROP TABLE IF EXISTS track_clusters;
         CREATE TABLE track_clusters (track_id VARCHAR PRIMARY KEY, spotify_id VARCHAR, cluster INTEGER NOT NULL,
             distance DOUBLE NOT NULL, pc1 DOUBLE, pc2 DOUBLE);
         DROP TABLE IF EXISTS cluster_centroids;
         CREATE TABLE cluster_centroids (cluster INTEGER, feature VARCHAR, scaled DOUBLE, value DOUBLE,
             PRIMARY KEY (cluster, feature));
         DROP TABLE IF EXISTS clusters;
         CREATE TABLE clusters (cluster INTEGER PRIMARY KEY, size BIGINT, name VARCHAR UNIQUE, description VARCHAR,
             computed_name VARCHAR);
         DROP TABLE IF EXISTS cluster_elbow;
         CREATE TABLE cluster_elbow (k INTEGER PRIMARY KEY, inertia DOUBLE, silhouette DOUBLE, chosen BOOLEAN);
         DROP TABLE IF EXISTS cluster_playlists;
         CREATE TABLE cluster_playlists (cluster INTEGER, cluster_name VARCHAR, position INTEGER, track_id VARCHAR,
             spotify_id VARCHAR, title VARCHAR, artist VARCHAR, album VARCHAR, PRIMARY KEY (cluster, position));
         DROP TABLE IF EXISTS cluster_excluded;
         CREATE TABLE cluster_excluded (track_id VARCHAR, spotify_id VARCHAR, missing VARCHAR[]);",
    )
    .map_err(duck("creating the cluster tables"))?;
    let sil = out.silhouette;
    conn.execute_batch(&format!(
        "INSERT INTO cluster_runs VALUES ({}, now()::TIMESTAMP, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {:?}, {}, {}, {}, {:?}, {}, {}, {}, {}, {}, {:?})",
        sql_str(run_id),
        list_str(&out.loaded.features),
        list_f64(&s.center),
        list_f64(&s.scale),
        list_f64(&s.q25),
        list_f64(&s.q75),
        out.k,
        sql_str(out.k_rule),
        c.k_min,
        c.k_max,
        c.seed,
        c.n_init,
        c.max_iter,
        c.tol,
        sql_str(c.algorithm.as_str()),
        out.loaded.x.n,
        out.loaded.excluded.len(),
        out.inertia,
        opt_f64(sil.map(|s| s.value)),
        sil.map_or("NULL".into(), |s| s.rows.to_string()),
        out.n_iter,
        out.best_init,
        out.duplicates_dropped,
        out.seconds,
    ))
    .map_err(duck("writing cluster_runs"))?;
    {
        let mut app = conn.appender("track_clusters").map_err(duck("writing track_clusters"))?;
        for (i, t) in out.loaded.tracks.iter().enumerate() {
            app.append_row(duckdb::params![t.track_id, t.spotify_id, out.labels[i] as i64, out.distances[i], out.pcs[i].0, out.pcs[i].1])
                .map_err(duck("writing track_clusters"))?;
        }
        app.flush().map_err(duck("writing track_clusters"))?;
    }
    {
        let mut app = conn.appender("cluster_centroids").map_err(duck("writing cluster_centroids"))?;
        for cl in 0..out.k {
            for (j, f) in out.loaded.features.iter().enumerate() {
                app.append_row(duckdb::params![cl as i64, f, out.centroids_scaled.get(cl, j), out.centroids.get(cl, j)])
                    .map_err(duck("writing cluster_centroids"))?;
            }
        }
        app.flush().map_err(duck("writing cluster_centroids"))?;
    }
    {
        let mut app = conn.appender("clusters").map_err(duck("writing clusters"))?;
        for cl in &out.clusters {
            app.append_row(duckdb::params![cl.cluster as i64, cl.size as i64, cl.name.name, cl.name.description, cl.name.computed])
                .map_err(duck("writing clusters"))?;
        }
        app.flush().map_err(duck("writing clusters"))?;
    }
    {
        let mut app = conn.appender("cluster_elbow").map_err(duck("writing cluster_elbow"))?;
        let mut points = out.elbow.clone();
        if !points.iter().any(|p| p.k == out.k) {
            points.push(choose_k::ElbowPoint { k: out.k, inertia: out.inertia, silhouette: out.silhouette.map(|s| s.value) });
            points.sort_by_key(|p| p.k);
        }
        for p in &points {
            app.append_row(duckdb::params![p.k as i64, p.inertia, p.silhouette, p.k == out.k]).map_err(duck("writing cluster_elbow"))?;
        }
        app.flush().map_err(duck("writing cluster_elbow"))?;
    }
    {
        let mut app = conn.appender("cluster_playlists").map_err(duck("writing cluster_playlists"))?;
        let mut position = 0i64;
        let mut current = usize::MAX;
        for t in &out.playlist {
            if t.cluster != current {
                current = t.cluster;
                position = 0;
            }
            position += 1;
            app.append_row(duckdb::params![
                t.cluster as i64,
                out.clusters[t.cluster].name.name,
                position,
                t.track_id,
                t.spotify_id,
                t.title,
                t.artist,
                t.album
            ])
            .map_err(duck("writing cluster_playlists"))?;
        }
        app.flush().map_err(duck("writing cluster_playlists"))?;
    }
    for e in &out.loaded.excluded {
        conn.execute(
            &format!("INSERT INTO cluster_excluded VALUES (?, ?, {})", list_str(&e.missing)),
            duckdb::params![e.track_id, e.spotify_id],
        )
        .map_err(duck("writing cluster_excluded"))?;
    }
    Ok(out.loaded.tracks.len() as u64)
}

/// A one-line summary for the run log.
fn summary_line(out: &Outcome) -> String {
    let sil = out.silhouette.map_or("n/a".to_string(), |s| format!("{:.4}", s.value));
    format!("k = {} ({}), inertia {:.2}, silhouette {sil}, {} excluded", out.k, out.k_rule, out.inertia, out.loaded.excluded.len())
}

/// The build step: clusters `tracks_features` and writes every cluster table.
pub fn cluster_step(ctx: &StepContext<'_>) -> Result<StepOutput, crate::Error> {
    let settings = Settings::new(ctx.config, &ClusterArgs::default())?;
    if !settings.config.enabled {
        return Ok(StepOutput::skip("cluster.enabled = false"));
    }
    let out = run(ctx.conn, &settings, ctx.progress)?;
    let rows = write_tables(ctx.conn, &out, &settings, ctx.run_id)?;
    let line = summary_line(&out);
    Ok(if out.loaded.excluded.is_empty() { StepOutput::ok(rows).with_note(line) } else { StepOutput::warn(rows, line) })
}

/// Writes the human summary of a run.
pub fn print_summary(out: &Outcome, settings: &Settings, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let c = &settings.config;
    writeln!(
        w,
        "clustered {} tracks on {} ({} excluded for a missing feature, see cluster_excluded)",
        out.loaded.x.n,
        out.loaded.features.join(", "),
        out.loaded.excluded.len()
    )?;
    writeln!(
        w,
        "k = {} ({}), best of {} inits (seed {}, {}): inertia {:.2}",
        out.k,
        out.k_rule,
        c.n_init,
        c.seed,
        c.algorithm.as_str(),
        out.inertia
    )?;
    match out.silhouette {
        Some(s) if s.rows < out.loaded.x.n => writeln!(w, "silhouette {:.4} (on a sample of {} tracks)", s.value, s.rows)?,
        Some(s) => writeln!(w, "silhouette {:.4}", s.value)?,
        None => writeln!(w, "silhouette n/a")?,
    }
    writeln!(w, "{:>7}  {:>5}  name", "cluster", "size")?;
    for cl in &out.clusters {
        writeln!(w, "{:>7}  {:>5}  {}", cl.cluster, cl.size, cl.name.name)?;
    }
    writeln!(w, "{} near-duplicates left out of the playlists; {:.2} s", out.duplicates_dropped, out.seconds)?;
    Ok(())
}

/// `selecta cluster`: recompute the cluster tables of the existing warehouse, print a summary.
pub fn cluster_command(config: &Config, ui: &Ui, args: &ClusterArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::new(config, args)?;
    let conn = crate::warehouse::open_read_write(config)?;
    let out = run(&conn, &settings, ui.progress)?;
    let run_id = format!("cluster-{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    write_tables(&conn, &out, &settings, &run_id)?;
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    print_summary(&out, &settings, &mut w)?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests;
