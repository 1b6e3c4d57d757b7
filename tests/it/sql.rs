//! `selecta sql` and `selecta export`: read-only queries in three formats, table exports.

use crate::{Project, filters};

/// The three output formats of one query.
#[test]
fn sql_formats() {
    let p = Project::sample();
    p.run(&["build"]).success();
    let q = "SELECT release_id, artist, year FROM releases ORDER BY release_id LIMIT 3";
    let table = p.run(&["sql", q]).success();
    let csv = p.run(&["sql", q, "--format", "csv"]).success();
    let json = p.run(&["sql", q, "--format", "json"]).success();
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!(format!("{}\n{}\n{}", table.stdout, csv.stdout, json.stdout));
    });
}

/// The warehouse is opened read-only: a write is refused and changes nothing.
#[test]
fn sql_is_read_only() {
    let p = Project::sample();
    p.run(&["build"]).success();
    let out = p.run(&["sql", "DELETE FROM stg_releases"]).failure();
    assert!(out.stderr.to_lowercase().contains("read-only") || out.stderr.contains("read only"), "{}", out.stderr);
    assert_eq!(p.scalar("SELECT count(*) FROM releases"), "34");
}

/// Before any build there is nothing to query, and the error says what to do.
#[test]
fn sql_before_build() {
    let p = Project::sample();
    let out = p.run(&["sql", "SELECT 1"]).failure();
    assert!(out.stderr.contains("run `selecta build` first"), "{}", out.stderr);
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!("sql_without_warehouse", out.transcript());
    });
}

/// The run log of every build is queryable.
#[test]
fn run_log_is_queryable() {
    let p = Project::sample();
    p.run(&["build"]).success();
    p.run(&["build"]).success();
    assert_eq!(p.scalar("SELECT count(DISTINCT run_id) FROM run_log"), "2");
    assert_eq!(p.scalar("SELECT step FROM run_log WHERE step_no = 1 LIMIT 1"), "macros");
    assert_eq!(p.scalar("SELECT step FROM run_log WHERE step_no = 2 LIMIT 1"), "ingest");
}

/// CSV and Parquet exports read back with identical rows.
#[test]
fn export_round_trips() {
    let p = Project::sample();
    p.run(&["build"]).success();
    for (format, file) in [("csv", "out/tf.csv"), ("parquet", "out/tf.parquet")] {
        let out = p.run(&["export", "tracks_features", "--format", format, "--out", file]).success();
        assert!(out.stdout.contains("rows of tracks_features"), "{}", out.stdout);
        let path = p.path(file).display().to_string();
        let reader = if format == "csv" { format!("read_csv('{path}')") } else { format!("read_parquet('{path}')") };
        let diff = p.scalar_reading_files(&format!(
            "SELECT count(*) FROM ((SELECT * FROM tracks_features EXCEPT ALL SELECT * FROM {reader})
                                   UNION ALL (SELECT * FROM {reader} EXCEPT ALL SELECT * FROM tracks_features))"
        ));
        assert_eq!(diff, "0", "{format} export differs");
    }
    let out = p.run(&["export", "nope", "--out", "out/x.csv"]).failure();
    assert!(out.stderr.contains("no table or view `nope`"), "{}", out.stderr);
}
