//! What a run leaves in the warehouse: `cluster_runs` gets one more row, `track_clusters`,
//! `cluster_centroids`, `clusters`, `cluster_elbow`, `cluster_playlists` and `cluster_excluded`
//! are replaced, in one transaction. Their DDL is in `sql/outputs/`.

use super::config::ClusterConfig;
use super::run::Clustering;
use super::{ClusterError, choose_k};
use crate::db::{duck, literal as sql_str};

/// The cluster tables' DDL, in creation order.
const DDL: [&str; 7] = [
    include_str!("../../sql/outputs/cluster_runs.sql"),
    include_str!("../../sql/outputs/track_clusters.sql"),
    include_str!("../../sql/outputs/cluster_centroids.sql"),
    include_str!("../../sql/outputs/clusters.sql"),
    include_str!("../../sql/outputs/cluster_elbow.sql"),
    include_str!("../../sql/outputs/cluster_playlists.sql"),
    include_str!("../../sql/outputs/cluster_excluded.sql"),
];

fn list_f64(v: &[f64]) -> String {
    format!("[{}]::DOUBLE[]", v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", "))
}

fn list_str<S: AsRef<str>>(v: &[S]) -> String {
    format!("[{}]::VARCHAR[]", v.iter().map(|s| sql_str(s.as_ref())).collect::<Vec<_>>().join(", "))
}

fn opt_f64(v: Option<f64>) -> String {
    v.map_or("NULL".into(), |x| format!("{x:?}"))
}

/// The cluster tables, empty (`cluster_runs` kept): what a build leaves when there is nothing to
/// cluster, so the tables are there to query and their checks hold.
pub fn write_empty_tables(conn: &duckdb::Connection) -> Result<(), ClusterError> {
    for ddl in DDL {
        conn.execute_batch(ddl).map_err(duck("creating the cluster tables"))?;
    }
    Ok(())
}

/// Writes a run's tables in one transaction: `cluster_runs` gets one more row, the others
/// are replaced. Returns the number of `track_clusters` rows.
pub fn write_tables(conn: &duckdb::Connection, out: &Clustering, c: &ClusterConfig, run_id: &str) -> Result<u64, ClusterError> {
    conn.execute_batch("BEGIN TRANSACTION").map_err(duck("starting the cluster tables' transaction"))?;
    match write_tables_inner(conn, out, c, run_id) {
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

fn write_tables_inner(conn: &duckdb::Connection, out: &Clustering, c: &ClusterConfig, run_id: &str) -> Result<u64, ClusterError> {
    let s = &out.scaler;
    for ddl in DDL {
        conn.execute_batch(ddl).map_err(duck("creating the cluster tables"))?;
    }
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
            points.push(choose_k::ElbowPoint { k: out.k, inertia: out.inertia, silhouette: out.silhouette.map(|s| s.value), restarts: out.restarts });
            points.sort_by_key(|p| p.k);
        }
        for p in &points {
            app.append_row(duckdb::params![p.k as i64, p.inertia, p.silhouette, p.k == out.k, p.restarts as i64]).map_err(duck("writing cluster_elbow"))?;
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
    // A few statements of many rows each, not one per row.
    for chunk in out.loaded.excluded.chunks(1_000) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|e| format!("({}, {}, {})", sql_str(&e.track_id), e.spotify_id.as_deref().map_or("NULL".into(), sql_str), list_str(&e.missing)))
            .collect();
        conn.execute_batch(&format!("INSERT INTO cluster_excluded VALUES {}", rows.join(", "))).map_err(duck("writing cluster_excluded"))?;
    }
    Ok(out.loaded.tracks.len() as u64)
}

