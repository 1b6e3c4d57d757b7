//! Tests of the whole clustering pipeline on in-memory DuckDB tables.

use std::collections::BTreeMap;

use super::*;

const ORIGINAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/original_run/tracks_features.csv");

fn settings(k: usize) -> ClusterConfig {
    let config = ClusterConfig { k: KSetting::Fixed(k), elbow: false, n_init: 3, seed: 11, ..ClusterConfig::default() };
    config
}

/// A deterministic synthetic `tracks_features`: 60 tracks in 3 loose groups over the six
/// default features, keys `t000`..`t059`.
fn synthetic_rows() -> Vec<String> {
    (0..60)
        .map(|i| {
            let g = (i % 3) as f64;
            let w = ((i * 7919) % 101) as f64 / 101.0;
            format!(
                "('t{i:03}', 'sp{i}', 'Title {i}', 'Artist {}', 'Album', {:.4}, {:.4}, {:.3}, {:.4}, {:.4}, {:.2})",
                i % 5,
                0.3 + 0.2 * g + 0.1 * w,
                0.2 + 0.3 * g + 0.05 * (w * 3.0).sin(),
                -20.0 + 6.0 * g + w,
                if g == 2.0 { 0.8 + 0.1 * w } else { 0.01 * w },
                0.6 - 0.2 * g + 0.1 * (w * 5.0).cos(),
                90.0 + 20.0 * g + 10.0 * w
            )
        })
        .collect()
}

fn table(conn: &duckdb::Connection, rows: &[String]) {
    conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS tracks_features;
         CREATE TABLE tracks_features (Track_id VARCHAR, spotify_id VARCHAR, Title VARCHAR, Artist VARCHAR, Album VARCHAR,
           Danceability DOUBLE, Energy DOUBLE, Loudness DOUBLE, Instrumentalness DOUBLE, Valence DOUBLE, Tempo DOUBLE);
         INSERT INTO tracks_features VALUES {};",
        rows.join(", ")
    ))
    .unwrap();
}

fn clusters_by_key(conn: &duckdb::Connection) -> BTreeMap<String, i64> {
    let mut stmt = conn.prepare("SELECT track_id, cluster FROM track_clusters").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

/// Labels follow keys: shuffling the input rows and adding rows without features changes no
/// track's cluster (the original attached labels by position after dropping such rows).
#[test]
fn labels_follow_keys() {
    let s = settings(3);
    let a = duckdb::Connection::open_in_memory().unwrap();
    let rows = synthetic_rows();
    table(&a, &rows);
    let out_a = run(&a, &s, false).unwrap();
    write_tables(&a, &out_a, &s, "a").unwrap();
    let before = clusters_by_key(&a);
    assert_eq!(before.len(), 60);

    let mut shuffled = rows.clone();
    // A fixed permutation (reverse, then interleave halves), plus rows without features spread
    // through the table, including before the first clustered key.
    shuffled.reverse();
    let (x, y) = shuffled.split_at(30);
    let mut mixed: Vec<String> = x.iter().zip(y).flat_map(|(p, q)| [q.clone(), p.clone()]).collect();
    mixed.insert(0, "('a_first', 'spx', 'No features', 'X', 'Y', NULL, NULL, NULL, NULL, NULL, NULL)".into());
    mixed.insert(17, "('t0305', 'spy', 'Half', 'X', 'Y', 0.5, NULL, -5, 0.1, 0.2, 120)".into());
    mixed.push("('zzz', NULL, 'None', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)".into());
    let b = duckdb::Connection::open_in_memory().unwrap();
    table(&b, &mixed);
    let out_b = run(&b, &s, false).unwrap();
    write_tables(&b, &out_b, &s, "b").unwrap();
    assert_eq!(clusters_by_key(&b), before);
    assert_eq!(out_b.inertia, out_a.inertia);
    let excluded: Vec<(String, String)> = b
        .prepare("SELECT track_id, array_to_string(missing, ',') FROM cluster_excluded ORDER BY 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(excluded.len(), 3);
    assert_eq!(excluded[1], ("t0305".to_string(), "Energy".to_string()));
}

/// Every table is written with its grain: one track_clusters row per clustered track, k
/// clusters with unique names, k × d centroids, the elbow with the chosen k marked, playlists
/// covering every track (no duplicates in this data), and one more cluster_runs row per run.
#[test]
fn tables_are_written() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    table(&conn, &synthetic_rows());
    let mut s = settings(3);
    s.elbow = true;
    s.k_max = 6;
    let out = run(&conn, &s, false).unwrap();
    write_tables(&conn, &out, &s, "r1").unwrap();
    write_tables(&conn, &out, &s, "r2").unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM track_clusters"), 60);
    assert_eq!(count("SELECT count(DISTINCT name) FROM clusters"), 3);
    assert_eq!(count("SELECT sum(size)::BIGINT FROM clusters"), 60);
    assert_eq!(count("SELECT count(*) FROM cluster_centroids"), 18);
    assert_eq!(count("SELECT count(*) FROM cluster_elbow"), 6);
    assert_eq!(count("SELECT k FROM cluster_elbow WHERE chosen"), 3);
    assert_eq!(count("SELECT count(*) FROM cluster_playlists"), 60);
    assert_eq!(count("SELECT count(*) FROM cluster_runs"), 2);
    assert_eq!(count("SELECT len(scaler_center) FROM cluster_runs LIMIT 1"), 6);
    // Playlists are ordered by distance to the centroid.
    assert_eq!(
        count(
            "SELECT count(*) FROM (SELECT p.position, t.distance, lag(t.distance) OVER (PARTITION BY p.cluster ORDER BY p.position) AS prev
             FROM cluster_playlists p JOIN track_clusters t USING (track_id)) WHERE distance < prev"
        ),
        0
    );
    // Centroids in original units are the means of their tracks.
    let gap: f64 = conn
        .query_row(
            "SELECT max(abs(c.value - m.mean)) FROM cluster_centroids c JOIN (
               SELECT cluster, avg(f.Tempo) AS mean FROM track_clusters t JOIN tracks_features f ON f.Track_id = t.track_id GROUP BY 1
             ) m USING (cluster) WHERE c.feature = 'Tempo'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(gap < 1e-9, "{gap}");
}

/// Degenerate inputs give clear errors naming what is wrong.
#[test]
fn degenerate_inputs() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let e = run(&conn, &settings(3), false).unwrap_err();
    assert!(matches!(e, ClusterError::MissingTable), "{e}");

    table(&conn, &synthetic_rows());
    let mut s = settings(3);
    s.features.push("Groove".into());
    let e = run(&conn, &s, false).unwrap_err().to_string();
    assert!(e.contains("no column \"Groove\"") && e.contains("Danceability"), "{e}");

    let e = run(&conn, &settings(61), false).unwrap_err().to_string();
    assert_eq!(e, "k = 61 is more than the 60 tracks to cluster");

    conn.execute_batch("UPDATE tracks_features SET Tempo = 'NaN'::DOUBLE WHERE Track_id = 't007'").unwrap();
    let e = run(&conn, &settings(3), false).unwrap_err().to_string();
    assert_eq!(e, "track t007: Tempo is NaN; features must be finite numbers");

    let same: Vec<String> = (0..5).map(|i| format!("('s{i}', 'x', 'T', 'A', 'B', 0.5, 0.5, -5, 0.1, 0.5, 120)")).collect();
    table(&conn, &same);
    let e = run(&conn, &settings(2), false).unwrap_err().to_string();
    assert_eq!(e, "all 5 tracks have identical features: they cannot form k = 2 clusters");

    let none: Vec<String> = (0..3).map(|i| format!("('n{i}', 'x', 'T', 'A', 'B', NULL, 0.5, -5, 0.1, 0.5, 120)")).collect();
    table(&conn, &none);
    let e = run(&conn, &settings(2), false).unwrap_err().to_string();
    assert!(e.contains("no track has every selected feature (3 rows excluded)"), "{e}");

    let mut s = settings(2);
    s.features = vec!["Energy".into(), "energy".into()];
    assert!(s.validate().unwrap_err().to_string().contains("selected twice"));
}

/// `--k auto` on 60 tracks generated in 3 groups: the elbow rule finds the 3 groups, and the
/// elbow's k = 1 point is the total sum of squares of the robust-scaled features, computed here
/// independently in SQL (deviations from the mean over the interquartile range).
#[test]
fn auto_k() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    table(&conn, &synthetic_rows());
    let mut s = settings(3);
    s.k = KSetting::Auto;
    s.k_max = 8;
    let out = run(&conn, &s, false).unwrap();
    assert_eq!(out.k_rule, "elbow");
    assert_eq!(out.k, 3, "three groups were generated");
    assert_eq!(out.elbow.iter().map(|p| p.k).collect::<Vec<_>>(), (1..=8).collect::<Vec<_>>());
    let terms: Vec<String> = s
        .features
        .iter()
        .map(|f| format!("power(({f} - (SELECT avg({f}) FROM tracks_features)) / (SELECT quantile_cont({f}, 0.75) - quantile_cont({f}, 0.25) FROM tracks_features), 2)"))
        .collect();
    let total_ss: f64 = conn.query_row(&format!("SELECT sum({}) FROM tracks_features", terms.join(" + ")), [], |r| r.get(0)).unwrap();
    assert!((out.elbow[0].inertia - total_ss).abs() < 1e-9 * total_ss, "k = 1: {} vs {total_ss}", out.elbow[0].inertia);
}

fn load_original(conn: &duckdb::Connection) {
    conn.execute_batch(&format!("CREATE TABLE tracks_features AS SELECT * FROM read_csv('{ORIGINAL}', header = true)")).unwrap();
}

/// The original data, k = 8, n_init = 10: 4 108 tracks clustered (5 excluded), inertia within
/// 0.1 % of 4 870.77 (the best known over 550 scikit-learn k-means++ runs), for every engine.
#[test]
fn original_run_k8() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    load_original(&conn);
    for algorithm in [Algorithm::Hybrid, Algorithm::Native, Algorithm::Smartcore] {
        let config = ClusterConfig { elbow: false, algorithm, ..ClusterConfig::default() };
        let s = config;
        let out = run(&conn, &s, false).unwrap();
        assert_eq!(out.loaded.x.n, 4108);
        assert_eq!(out.loaded.excluded.len(), 5);
        let rel = (out.inertia - 4870.77) / 4870.77;
        assert!(rel.abs() < 0.001, "{algorithm:?}: inertia {} ({:+.4} %)", out.inertia, rel * 100.0);
        let sil = out.silhouette.unwrap();
        assert!(sil.value > 0.18 && sil.value < 0.23, "{sil:?}");
        assert_eq!(out.clusters.iter().map(|c| c.size).sum::<usize>(), 4108);
        eprintln!(
            "{algorithm:?}: inertia {:.2}, silhouette {:.4}, sizes {:?}, names {:?}, {:.2} s",
            out.inertia,
            sil.value,
            out.clusters.iter().map(|c| c.size).collect::<Vec<_>>(),
            out.clusters.iter().map(|c| c.name.name.as_str()).collect::<Vec<_>>(),
            out.seconds
        );
    }
}

/// The scaler on the original data matches NumPy's median and linear percentiles, as DuckDB's
/// `quantile_cont` (the same interpolation, an independent implementation) computes them.
#[test]
fn original_scaler_matches_numpy() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    load_original(&conn);
    let loaded = load(&conn, &ClusterConfig::default().features).unwrap();
    let s = scale::RobustScaler::fit(&loaded.x);
    for (j, f) in loaded.features.iter().enumerate() {
        let (med, q25, q75): (f64, f64, f64) = conn
            .query_row(
                &format!(
                    "SELECT quantile_cont({f}, 0.5), quantile_cont({f}, 0.25), quantile_cont({f}, 0.75) FROM tracks_features
                     WHERE Danceability IS NOT NULL AND Energy IS NOT NULL AND Loudness IS NOT NULL
                       AND Instrumentalness IS NOT NULL AND Valence IS NOT NULL AND Tempo IS NOT NULL"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!((s.center[j] - med).abs() < 1e-12, "{f}: {} vs {med}", s.center[j]);
        assert!((s.scale[j] - (q75 - q25)).abs() < 1e-12, "{f}: {} vs {}", s.scale[j], q75 - q25);
    }
}

/// Above ELBOW_MAX_ROWS rows, the kept k is the full fit on every row, and the elbow's other
/// k carry the exact inertia, on every row, of centres fitted on the sample; `auto` refits
/// its chosen k on every row with all restarts.
#[test]
fn bounded_elbow_on_many_rows() {
    let n = run::ELBOW_MAX_ROWS + 2_345;
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let g = (i % 4) as f64;
            let w = ((i * 7919) % 1009) as f64 / 1009.0;
            let v = ((i * 104_729) % 997) as f64 / 997.0;
            format!(
                "('t{i:06}', NULL, NULL, NULL, NULL, {:.4}, {:.4}, {:.3}, {:.4}, {:.4}, {:.2})",
                0.2 + 0.2 * g + 0.1 * w,
                0.3 + 0.1 * g + 0.2 * v,
                -20.0 + 3.0 * g + 2.0 * w,
                (v * w).fract(),
                0.5 + 0.3 * (w * 6.0).sin(),
                80.0 + 15.0 * g + 20.0 * v
            )
        })
        .collect();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    table(&conn, &rows);
    let s = ClusterConfig { k: KSetting::Fixed(4), k_max: 6, n_init: 4, seed: 5, ..ClusterConfig::default() };
    let out = run(&conn, &s, false).unwrap();
    let xs = out.scaler.transform(&out.loaded.x);
    let full = kmeans::fit(&xs, &s.params(4)).unwrap();
    assert_eq!(out.inertia, full.inertia, "the kept k is the full fit");
    assert_eq!(out.restarts, 4);
    for p in out.elbow.iter().filter(|p| p.k >= 2) {
        assert!(p.restarts >= kmeans::EARLY_MIN_RESTARTS.min(4) && p.restarts <= 4, "{p:?}");
        if p.k != 4 {
            let sample = xs.select(&silhouette::sample(xs.n, run::ELBOW_MAX_ROWS, s.seed));
            let f = kmeans::fit_each(&sample, &[p.k], &[kmeans::Restarts::UntilFlat(s.elbow_stop)], &s.params(p.k), &|| {}).pop().unwrap().unwrap();
            let measured = kmeans::inertia(&xs, &kmeans::on_all_rows(&xs, &columns::Columns::new(&xs), f.clone()).labels, &f.centroids);
            assert!((p.inertia - measured).abs() <= 1e-9 * measured, "k = {}: {} vs {measured}", p.k, p.inertia);
        }
    }
    let auto = run(&conn, &ClusterConfig { k: KSetting::Auto, ..s.clone() }, false).unwrap();
    let refit = kmeans::fit(&xs, &s.params(auto.k)).unwrap();
    assert_eq!((auto.inertia, auto.restarts), (refit.inertia, 4), "auto's k = {} refitted on every row", auto.k);
}
