//! `selecta cluster` and `selecta export playlists`: on the original run and on the sample.

use crate::{Project, example, filters};

/// The original run, k = 8 (the default), n_init 10: 4 108 tracks clustered, 5 excluded and
/// listed, inertia printed and within 0.1 % of 4 870.77 (the best known), silhouette and sizes
/// printed; the tables agree with the summary.
#[test]
fn original_run_k8() {
    let Some(p) = example("original_run.toml") else { return };
    p.run(&["build"]).success();
    let out = p.run(&["cluster", "--k", "8", "--n-init", "10", "--seed", "42"]).success();
    assert!(out.stdout.starts_with("clustered 4108 tracks on Danceability, Energy, Loudness, Instrumentalness, Valence, Tempo (5 excluded"), "{}", out.stdout);
    let inertia: f64 = out
        .stdout
        .lines()
        .find_map(|l| l.split("inertia ").nth(1))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no inertia in\n{}", out.stdout));
    assert!(((inertia - 4870.77) / 4870.77).abs() < 0.001, "inertia {inertia}");
    assert!(out.stdout.contains("silhouette 0."), "{}", out.stdout);
    assert_eq!(p.scalar("SELECT count(*) FROM track_clusters"), "4108");
    assert_eq!(p.scalar("SELECT count(*) FROM cluster_excluded"), "5");
    assert_eq!(p.scalar("SELECT sum(size) FROM clusters"), "4108");
    assert_eq!(p.scalar("SELECT count(DISTINCT name) FROM clusters"), "8");
    // Every printed cluster line matches the clusters table.
    for row in p.query("SELECT cluster, size, name FROM clusters") {
        let line = format!("{:>7}  {:>5}  {}", row[0], row[1], row[2]);
        assert!(out.stdout.contains(&line), "{line:?} not in\n{}", out.stdout);
    }
    // The build's run and this one.
    assert_eq!(p.scalar("SELECT count(*) FROM cluster_runs"), "2");
    assert_eq!(p.scalar("SELECT k FROM cluster_elbow WHERE chosen"), "8");
    assert_eq!(p.scalar("SELECT count(*) FROM cluster_elbow"), "20");
}

/// `export playlists` writes one CSV per cluster, named after it, with the importers' columns,
/// in playlist order; `--k auto` finds the generator's six families by the elbow rule (by hand,
/// over k = 2..20: normalised drop − normalised k is 0.646, 0.667, 0.628 at k = 5, 6, 7) and
/// marks k = 6 chosen.
#[test]
fn sample_playlists_and_auto() {
    let p = Project::sample();
    p.run(&["build"]).success();
    let out = p.run(&["cluster", "--k", "auto"]).success();
    assert!(out.stdout.contains("k = 6 (elbow)"), "{}", out.stdout);
    let k: usize = p.scalar("SELECT k FROM cluster_elbow WHERE chosen").parse().unwrap();
    assert_eq!(k, 6);
    p.run(&["export", "playlists", "--format", "csv", "--out", "lists"]).success();
    let names = p.query("SELECT name FROM clusters ORDER BY cluster");
    assert_eq!(names.len(), k);
    let mut files: Vec<String> = std::fs::read_dir(p.path("lists")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    let mut expected: Vec<String> = names.iter().map(|n| format!("{}.csv", n[0])).collect();
    expected.sort();
    assert_eq!(files, expected);
    let first = std::fs::read_to_string(p.path(&format!("lists/{}.csv", names[0][0]))).unwrap();
    assert!(first.starts_with("Title,Artist,Album,Spotify URI,Spotify URL\n"), "{first}");
    let rows = first.lines().count() - 1;
    assert_eq!(rows.to_string(), p.scalar("SELECT count(*) FROM cluster_playlists WHERE cluster = 0"));
    let top = p.query("SELECT spotify_id FROM cluster_playlists WHERE cluster = 0 AND position = 1");
    let id = &top[0][0];
    assert!(first.lines().nth(1).unwrap().ends_with(&format!("spotify:track:{id},https://open.spotify.com/track/{id}")), "{first}");
}

/// The `selecta cluster` summary on the sample with the defaults (k = 8, seed 42, n_init 10):
/// tracks clustered and excluded, k, inertia, silhouette, each cluster's size and name.
#[test]
fn sample_cluster_summary() {
    let p = Project::sample();
    p.run(&["build"]).success();
    let out = p.run(&["cluster"]).success();
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!(out.transcript());
    });
    assert_eq!(p.scalar("SELECT count(*) FROM track_clusters"), "335");
    assert_eq!(p.scalar("SELECT count(*) FROM cluster_excluded"), "11");
}

/// Degenerate requests fail with a clear message and leave the tables alone.
#[test]
fn clear_errors() {
    let p = Project::sample();
    p.run(&["build"]).success();
    let out = p.run(&["cluster", "--k", "0"]).failure();
    assert!(out.stderr.contains("k = 0: the number of clusters must be at least 1"), "{}", out.stderr);
    let out = p.run(&["cluster", "--k", "100000"]).failure();
    assert!(out.stderr.contains("k = 100000 is more than the"), "{}", out.stderr);
    let out = p.run(&["cluster", "--k", "many"]).failure();
    assert!(out.stderr.contains("neither a number of clusters nor `auto`"), "{}", out.stderr);
    p.file("selecta.toml", &(std::fs::read_to_string(p.path("selecta.toml")).unwrap() + "\n[cluster]\nfeatures = [\"Energy\", \"Groove\"]\n"));
    let out = p.run(&["cluster"]).failure();
    assert!(out.stderr.contains("no column \"Groove\" in tracks_features"), "{}", out.stderr);
    assert_eq!(p.scalar("SELECT count(*) FROM cluster_runs"), "1");
}
