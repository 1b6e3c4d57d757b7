//! `selecta report`: the HTML report of a warehouse, whole or partial.

use crate::{Project, demo, example};

/// Every part is drawn from a warehouse holding every stage's tables; the file stands alone
/// (no script, nothing fetched) and its text is escaped.
#[test]
fn report_of_a_full_warehouse_draws_every_part() {
    let p = demo("");
    let out = p.run(&["report", "--out", "r/report.html"]).success();
    assert!(out.stdout.contains("7 of 7 parts drawn"), "{}", out.stdout);
    let html = std::fs::read_to_string(p.path("r/report.html")).unwrap();
    for title in ["Matching funnel", "Audio feature correlations", "elbow and silhouette", "Cluster centroids", "principal components", "Cluster sizes", "Sample tracks"] {
        assert!(html.contains(title), "missing {title}");
    }
    assert!(!html.contains("Not drawn"));
    assert_eq!(html.matches("<svg").count(), 7, "funnel, heatmap, 2 elbow charts, centroids, scatter, sizes");
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"));
    assert!(html.contains("Loud &amp; &lt;fast&gt;") && !html.contains("<fast>"), "a name with markup is shown, escaped");
    assert!(html.contains("Spoken &quot;word&quot;"));
    assert!(html.contains("Sunny côté") && html.contains("Sigur Rós"));
    // One dot per clustered track.
    let clustered: usize = p.scalar_direct("SELECT count(*) FROM track_clusters").parse().unwrap();
    assert_eq!(html.matches("fill-opacity=\"0.7\"").count(), clustered);
}

/// A warehouse without clustering or matching: the report says which parts have no input and
/// still draws the rest.
#[test]
fn report_of_a_partial_warehouse_says_what_is_missing() {
    let p = demo("");
    {
        let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        conn.execute_batch(
            "DROP TABLE track_clusters; DROP TABLE clusters; DROP TABLE cluster_centroids; DROP TABLE cluster_elbow; DROP TABLE cluster_playlists;",
        )
        .unwrap();
    }
    let out = p.run(&["report", "--out", "report.html"]).success();
    assert!(out.stdout.contains("2 of 7 parts drawn"), "{}", out.stdout);
    assert!(out.stdout.contains("no `cluster_elbow` table"), "{}", out.stdout);
    let html = std::fs::read_to_string(p.path("report.html")).unwrap();
    assert_eq!(html.matches("class=\"missing\"").count(), 5);
}

/// The default path: `[report] out`, relative to the config's folder.
#[test]
fn report_goes_where_the_config_says() {
    let p = demo("[report]\nout = \"reports/x.html\"\n");
    p.run(&["report"]).success();
    assert!(p.path("reports/x.html").exists());
}

/// No warehouse: a clear error, not a panic.
#[test]
fn report_without_a_warehouse_fails_clearly() {
    let p = Project::new();
    p.file("selecta.toml", "warehouse = \"nope.duckdb\"\n");
    let out = p.run(&["report"]).failure();
    assert!(out.stderr.contains("run `selecta build` first"), "{}", out.stderr);
}

/// The original run, built and clustered: the report draws every part, the funnel and the
/// correlations from the 4 108 tracks with features.
#[test]
fn report_of_the_original_run() {
    let Some(p) = example("original_run.toml") else { return };
    p.run(&["build"]).success();
    let out = p.run(&["report", "--out", "report.html"]).success();
    assert!(out.stdout.contains("7 of 7 parts drawn"), "{}", out.stdout);
    let html = std::fs::read_to_string(p.path("report.html")).unwrap();
    assert!(html.contains("Pearson&#39;s r") || html.contains("Pearson's r"));
    assert!(html.contains("4\u{202f}108"), "tracks with features");
}

impl Project {
    /// A single value read straight from the warehouse file (no `selecta sql` needed).
    pub fn scalar_direct(&self, sql: &str) -> String {
        let conn = duckdb::Connection::open(self.path("out/w.duckdb")).unwrap();
        conn.query_row(&format!("SELECT CAST(({sql}) AS VARCHAR)"), [], |r| r.get::<_, String>(0)).unwrap()
    }
}
