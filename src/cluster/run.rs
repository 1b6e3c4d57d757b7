//! One clustering run, nothing written: scale, the elbow over k (and `auto`), the chosen fit,
//! clusters renumbered by size (0 = largest), distances, PCA coordinates, names, ordered lists.

use std::time::Instant;

use super::columns::Columns;
use super::config::{ClusterConfig, KSetting};
use super::load::{Loaded, load_from};
use super::matrix::Matrix;
use super::{ClusterError, choose_k, kmeans, name, order, pca, scale, silhouette};
use crate::setting::Invalid;

/// Above this many rows, the elbow's k other than the kept one are fitted on the
/// silhouette's sample of [`silhouette::SILHOUETTE_MAX_ROWS`] rows (see [`run`]).
pub const ELBOW_MAX_ROWS: usize = silhouette::SILHOUETTE_MAX_ROWS;

/// One cluster of the result.
#[derive(Debug, Clone)]
pub struct ClusterInfo {
    pub cluster: usize,
    pub size: usize,
    pub name: name::ClusterName,
}

/// Everything a run computed.
#[derive(Debug)]
pub struct Clustering {
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
    pub silhouette: Option<silhouette::Silhouette>,
    pub n_iter: usize,
    pub best_init: usize,
    /// The restarts the kept fit is the best of (`n_init`).
    pub restarts: usize,
    pub elbow: Vec<choose_k::ElbowPoint>,
    pub clusters: Vec<ClusterInfo>,
    pub playlist: Vec<order::OrderedTrack>,
    pub duplicates_dropped: usize,
    pub seconds: f64,
}

/// Runs the whole clustering on `conn`'s `c.table` (`tracks_features` by default; nothing is written).
pub fn run(conn: &duckdb::Connection, c: &ClusterConfig, progress: bool) -> Result<Clustering, ClusterError> {
    let started = Instant::now();
    let loaded = load_from(conn, &c.table, &c.features)?;
    tracing::debug!("cluster: {} rows loaded in {:.3} s", loaded.x.n, started.elapsed().as_secs_f64());
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

    // Every fit at once: the elbow's range (for the table and `auto`) and a fixed k, all
    // their initialisations spread over the cores.
    let hi = c.k_max.min(xs.n);
    let sweep = c.elbow || c.k == KSetting::Auto;
    let mut ks: Vec<usize> = if sweep { (c.k_min.max(2)..=hi).collect() } else { Vec::new() };
    if let KSetting::Fixed(k) = c.k {
        if !ks.contains(&k) {
            ks.push(k);
        }
    }
    // The k the run keeps (a fixed one) runs every restart on every row. The others are rows
    // of the elbow table: their restarts stop early (`elbow_stop`), and above
    // ELBOW_MAX_ROWS rows they are fitted on the silhouette's sample, their inertia measured
    // on every row with the sample's centres. `auto` refits its chosen k below.
    let sampled = (sweep && xs.n > ELBOW_MAX_ROWS).then(|| xs.select(&silhouette::sample(xs.n, ELBOW_MAX_ROWS, c.seed)));
    let kept = |k: usize| c.k == KSetting::Fixed(k);
    let restarts = |k: usize| if kept(k) || c.elbow_stop == 0.0 { kmeans::Restarts::All } else { kmeans::Restarts::UntilFlat(c.elbow_stop) };
    let bar = progress.then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(indicatif::ProgressStyle::with_template("cluster: {pos} KMeans runs {spinner} {elapsed}").expect("template"));
        b
    });
    let phase = Instant::now();
    let params = c.params(0);
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let mut results: Vec<Option<Result<kmeans::KMeansFit, ClusterError>>> = ks.iter().map(|_| None).collect();
    for on_sample in [false, true] {
        let x = match (&sampled, on_sample) {
            (_, false) => &xs,
            (Some(s), true) => s,
            (None, true) => break,
        };
        let picked: Vec<usize> = (0..ks.len()).filter(|&t| on_sample == (sampled.is_some() && !kept(ks[t]))).collect();
        if picked.is_empty() {
            continue;
        }
        let these: Vec<usize> = picked.iter().map(|&t| ks[t]).collect();
        let rs: Vec<kmeans::Restarts> = these.iter().map(|&k| restarts(k)).collect();
        let all_rows = on_sample.then(|| Columns::new(&xs));
        for (t, r) in picked.into_iter().zip(kmeans::fit_each(x, &these, &rs, &params, &tick)) {
            results[t] = Some(match &all_rows {
                Some(cols) => r.map(|f| kmeans::on_all_rows(&xs, cols, f)),
                None => r,
            });
        }
    }
    let results: Vec<Result<kmeans::KMeansFit, ClusterError>> = results.into_iter().map(|r| r.expect("every k fitted")).collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    tracing::debug!(
        "cluster: KMeans in {:.3} s; (k, restarts run, Lloyd iterations of the best): {:?}",
        phase.elapsed().as_secs_f64(),
        ks.iter().zip(&results).map(|(k, r)| (*k, r.as_ref().map_or(0, |f| f.restarts_run()), r.as_ref().map_or(0, |f| f.n_iter))).collect::<Vec<_>>()
    );
    // The elbow stops at the first k with fewer distinct rows than clusters.
    let mut fits: Vec<(usize, kmeans::KMeansFit)> = Vec::new();
    let mut fixed: Option<Result<kmeans::KMeansFit, ClusterError>> = None;
    let mut range_open = sweep;
    for (&k, r) in ks.iter().zip(results) {
        let in_range = sweep && k >= c.k_min.max(2) && k <= hi;
        if c.k == KSetting::Fixed(k) && !(in_range && r.is_ok()) {
            fixed = Some(r);
            continue;
        }
        match r {
            Ok(f) if in_range && range_open => fits.push((k, f)),
            Ok(_) => {}
            Err(ClusterError::TooFewDistinct { .. }) if in_range => range_open = false,
            Err(e) => return Err(e),
        }
    }
    let fixed = match fixed {
        Some(r) => Some(r?),
        None => None,
    };
    // Every silhouette at once (one distance matrix): the elbow's and a fixed k's.
    let mut labellings: Vec<(&[usize], usize)> = fits.iter().map(|(k, f)| (f.labels.as_slice(), *k)).collect();
    if let (Some(f), KSetting::Fixed(k)) = (&fixed, c.k) {
        labellings.push((f.labels.as_slice(), k));
    }
    let phase = Instant::now();
    let mut sils = silhouette::silhouettes(&xs, &labellings, silhouette::SILHOUETTE_MAX_ROWS, c.seed);
    tracing::debug!("cluster: {} silhouettes in {:.3} s", labellings.len(), phase.elapsed().as_secs_f64());
    let fixed_sil = if fixed.is_some() { sils.pop().expect("the fixed k's") } else { None };
    let mut elbow = Vec::new();
    if sweep {
        elbow.push(choose_k::ElbowPoint { k: 1, inertia: kmeans::total_sum_of_squares(&xs), silhouette: None, restarts: 1 });
        elbow.extend(fits.iter().zip(&sils).map(|((k, f), s)| choose_k::ElbowPoint {
            k: *k,
            inertia: f.inertia,
            silhouette: s.map(|s| s.value),
            restarts: f.restarts_run(),
        }));
    }
    let (k, k_rule) = match c.k {
        KSetting::Fixed(k) => (k, "fixed"),
        KSetting::Auto => {
            let range: Vec<choose_k::ElbowPoint> = elbow.iter().copied().filter(|p| p.k >= c.k_min).collect();
            if range.is_empty() {
                return Err(ClusterError::Config(Invalid::new("k_min", format!("no k of {}..={} can be fitted on {} tracks", c.k_min, c.k_max, xs.n))));
            }
            (choose_k::choose(&range, c.k_rule), c.k_rule.as_str())
        }
    };
    let (fit, silhouette) = match fixed {
        Some(f) => {
            if c.elbow && k > 1 {
                // A fixed k outside the range still gets its elbow row.
                elbow.push(choose_k::ElbowPoint { k, inertia: f.inertia, silhouette: fixed_sil.map(|s| s.value), restarts: f.restarts_run() });
                elbow.sort_by_key(|p| p.k);
            }
            (f, fixed_sil)
        }
        None => {
            // The chosen k gets the restarts early stopping skipped; its elbow row follows.
            let t = fits.iter().position(|(kk, _)| *kk == k).expect("the chosen k was fitted");
            let early = fits.swap_remove(t).1;
            let before = early.best_init;
            // Refitted on every row only when its elbow fit was on the sample (a fixed k in
            // the range was fitted on every row, every restart, in the first pass).
            let on_sample = sampled.is_some() && !kept(k);
            let f = if on_sample { kmeans::fit(&xs, &kmeans::KMeansParams { k, ..params.clone() })? } else { kmeans::complete(&xs, k, early, &params)? };
            let s = if !on_sample && f.best_init == before {
                sils[t]
            } else {
                silhouette::silhouette(&xs, &f.labels, k, silhouette::SILHOUETTE_MAX_ROWS, c.seed)
            };
            if let Some(p) = elbow.iter_mut().find(|p| p.k == k) {
                *p = choose_k::ElbowPoint { k, inertia: f.inertia, silhouette: s.map(|s| s.value), restarts: f.restarts_run() };
            }
            (f, s)
        }
    };
    drop(fits);

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
    let phase = Instant::now();
    let pcs = pca::project_2d(&xs)?;
    tracing::debug!("cluster: PCA in {:.3} s", phase.elapsed().as_secs_f64());

    let mut names = name::name_clusters(&loaded.features, &loaded.x, &centroids, &sizes);
    if let Some(path) = &c.names {
        name::NameOverrides::load(path)?.apply(&mut names, path)?;
    }
    let clusters: Vec<ClusterInfo> = names.into_iter().enumerate().map(|(c, name)| ClusterInfo { cluster: c, size: sizes[c], name }).collect();
    let (playlist, duplicates_dropped) = order::build(
        loaded
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| order::OrderedTrack {
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
    tracing::debug!("cluster: done in {:.3} s", started.elapsed().as_secs_f64());
    Ok(Clustering {
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
        restarts: fit.restarts_run(),
        elbow,
        clusters,
        playlist,
        duplicates_dropped,
        seconds: started.elapsed().as_secs_f64(),
        loaded,
    })
}

