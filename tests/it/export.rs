//! `selecta export`: tables to Parquet (read back by DuckDB) and the marts to PostgreSQL.

use selecta::export::postgres::{self, checksum, table_columns, read_duck, read_pg};
use sqlx::Connection as _;

use crate::demo;

/// Why the PostgreSQL tests are `#[ignore]`d by default: `make test-all` (and CI) runs them.
const NEEDS_PG: &str = "needs PostgreSQL: eval \"$(scripts/ci-postgres.sh)\" then make test-all";

/// The PostgreSQL test server's URL (`scripts/ci-postgres.sh` prints it). The tests that call
/// this are ignored unless asked for (`--include-ignored`); asked for without a server, they fail.
fn pg_url() -> String {
    match std::env::var("SELECTA_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!("SELECTA_TEST_PG_URL is not set: {NEEDS_PG}"),
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A schema name of its own per test, so tests can run in parallel on one server.
fn schema(tag: &str) -> String {
    format!("t_{tag}_{}", std::process::id())
}

/// A table of every awkward value: special floats, NULLs, extreme integers, any Unicode.
const ZOO: &str = r#"
CREATE TABLE zoo AS SELECT * FROM (VALUES
  (1, 0.1::DOUBLE, 'plain', true, 9223372036854775807::BIGINT, 1.5::FLOAT, 12.345::DECIMAL(10,3), DATE '2024-02-29', TIMESTAMP '2024-01-01 12:34:56.789', 'ab'::BLOB, [1, 2]),
  (2, -0.0::DOUBLE, 'Sigur Rós — 東京 🎵 "q" ''s'' \ back\slash	tab
newline', false, (-9223372036854775807::BIGINT - 1), -0.0::FLOAT, -0.001::DECIMAL(10,3), DATE '1970-01-01', TIMESTAMP '1999-12-31 23:59:59', ''::BLOB, []),
  (3, 'NaN'::DOUBLE, '', NULL, NULL, 'inf'::FLOAT, NULL, NULL, NULL, NULL, NULL),
  (4, 'inf'::DOUBLE, '\N', NULL, 0, NULL, 0, NULL, NULL, NULL, [NULL]),
  (5, '-inf'::DOUBLE, NULL, true, 1, 3.4028235e38::FLOAT, 99.999, NULL, NULL, NULL, NULL),
  (6, 5e-324::DOUBLE, 'ß', false, 2, 1e-45::FLOAT, 1, NULL, NULL, NULL, NULL),
  (7, 0.30000000000000004::DOUBLE, 'x', false, 3, NULL, NULL, NULL, NULL, NULL, NULL),
  (8, NULL::DOUBLE, 'null double', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(id, d, s, b, big, f, dec, day, ts, blob, list);
"#;

/// The marts and a table of awkward values arrive in PostgreSQL with equal row counts and
/// checksums (floats compared bit for bit); a rerun replaces the export, leaving one copy.
#[test]
#[ignore = "needs PostgreSQL: eval \"$(scripts/ci-postgres.sh)\" then make test-all"]
fn postgres_round_trip_and_rerun() {
    let url = pg_url();
    let p = demo("");
    {
        let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        conn.execute_batch(ZOO).unwrap();
    }
    let schema = schema("rt");
    let tables = ["tracks_features", "track_clusters", "clusters", "cluster_centroids", "cluster_elbow", "track_matches", "zoo"];
    let mut args = vec!["-v", "export", "postgres", "--schema", schema.as_str()];
    for t in &tables {
        args.extend(["--table", t]);
    }
    // The URL comes from DATABASE_URL here; its password must not show.
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_selecta"))
            .current_dir(p.dir.path())
            .args(["--config", "selecta.toml"])
            .args(args)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "selecta=debug,sqlx=debug")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stdout}\n{stderr}");
        (stdout, stderr)
    };
    let (stdout, stderr) = run(&args);
    let password = url.split_once("://").and_then(|(_, r)| r.split_once('@')).and_then(|(ui, _)| ui.split_once(':')).map(|(_, pw)| pw.to_string());
    if let Some(pw) = &password {
        assert!(!stdout.contains(pw.as_str()) && !stderr.contains(pw.as_str()), "the password leaked:\n{stdout}\n{stderr}");
        assert!(stdout.contains(":***@"), "{stdout}");
    }
    assert!(stdout.contains("not in the warehouse: track_matches"), "{stdout}");

    // Each look at the warehouse opens and closes it: the CLI needs its lock in between.
    let check = |rt: &tokio::runtime::Runtime| {
        let duck = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        rt.block_on(async {
            let mut pg = sqlx::postgres::PgConnection::connect(&url).await.unwrap();
            for t in tables.iter().filter(|t| **t != "track_matches") {
                let cols = table_columns(&duck, t).unwrap().unwrap();
                let here = read_duck(&duck, t, &cols).unwrap();
                let there = read_pg(&mut pg, &schema, t, &cols).await.unwrap();
                assert_eq!(here.len(), there.len(), "{t}: row counts");
                assert!(!here.is_empty(), "{t} is empty: the test would prove nothing");
                assert_eq!(checksum(&here), checksum(&there), "{t}: checksums");
            }
            // A few values read by PostgreSQL itself.
            let q = format!("SELECT s, d::text FROM {schema}.zoo WHERE id = 2");
            let (s, d): (String, String) = sqlx::query_as(&q).fetch_one(&mut pg).await.unwrap();
            assert_eq!(s, "Sigur Rós — 東京 🎵 \"q\" 's' \\ back\\slash\ttab\nnewline");
            assert_eq!(d, "-0", "negative zero keeps its sign");
            let nan: String = sqlx::query_scalar(&format!("SELECT d::text FROM {schema}.zoo WHERE id = 3")).fetch_one(&mut pg).await.unwrap();
            assert_eq!(nan, "NaN");
            let nulls: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {schema}.zoo WHERE s IS NULL")).fetch_one(&mut pg).await.unwrap();
            assert_eq!(nulls, 1, "NULL text stays NULL, '' and '\\N' stay strings");
            let ty: String = sqlx::query_scalar(&format!(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = 'tracks_features' AND column_name = 'danceability'"
            ))
            .fetch_one(&mut pg)
            .await
            .unwrap();
            assert_eq!(ty, "double precision");
            let schemas: Vec<String> = sqlx::query_scalar(&format!("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE '{schema}%' ORDER BY 1"))
                .fetch_all(&mut pg)
                .await
                .unwrap();
            assert_eq!(schemas, vec![schema.clone()], "one schema, no staging left behind");
            let manifest: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {schema}._selecta_export")).fetch_one(&mut pg).await.unwrap();
            assert_eq!(manifest, 6);
        })
    };
    let rt = rt();
    check(&rt);
    // Rerun after a change in the warehouse: exactly one copy, the new one.
    duckdb::Connection::open(p.path("out/w.duckdb")).unwrap().execute_batch("DELETE FROM clusters WHERE cluster = 0").unwrap();
    run(&args);
    check(&rt);
    rt.block_on(async {
        let mut pg = sqlx::postgres::PgConnection::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {schema}.clusters")).fetch_one(&mut pg).await.unwrap();
        assert_eq!(n, 7);
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&mut pg).await.unwrap();
    });
}

/// A failing export (a table PostgreSQL refuses: text with a NUL) changes nothing: the
/// previous export stays whole.
#[test]
#[ignore = "needs PostgreSQL: eval \"$(scripts/ci-postgres.sh)\" then make test-all"]
fn postgres_failed_export_keeps_the_previous_one() {
    let url = pg_url();
    let p = demo("");
    let schema = schema("fail");
    let duck = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
    let rt = rt();
    let first = rt.block_on(postgres::export(&duck, &url, &schema, &["clusters".to_string()])).unwrap();
    assert_eq!(first.tables[0].rows, 8);
    duck.execute_batch("CREATE TABLE bad AS SELECT 'a' || chr(0) || 'b' AS s").unwrap();
    let err = rt.block_on(postgres::export(&duck, &url, &schema, &["clusters".to_string(), "bad".to_string()])).unwrap_err();
    assert!(err.to_string().contains("NUL"), "{err}");
    // A refused connection names the server without the password.
    let wrong = url.replacen("://selecta:", "://selecta:wrong", 1);
    if wrong != url {
        let err = rt.block_on(postgres::export(&duck, &wrong, &schema, &["clusters".to_string()])).unwrap_err().to_string();
        assert!(!err.contains("wrong"), "{err}");
    }
    rt.block_on(async {
        let mut pg = sqlx::postgres::PgConnection::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {schema}.clusters")).fetch_one(&mut pg).await.unwrap();
        assert_eq!(n, 8);
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&mut pg).await.unwrap();
    });
}

/// Without a URL the command says how to give one.
#[test]
fn postgres_needs_a_url() {
    let p = demo("");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_selecta"))
        .current_dir(p.dir.path())
        .args(["--config", "selecta.toml", "export", "postgres"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));
}

/// Every demo table, exported to Parquet by the CLI, reads back in DuckDB with identical rows
/// (as multisets, floats and NULLs included) and identical column types.
#[test]
fn parquet_export_reads_back_identical() {
    let p = demo("");
    {
        let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
        conn.execute_batch(ZOO).unwrap();
    }
    let tables = ["tracks", "tracks_features", "track_clusters", "clusters", "cluster_centroids", "cluster_elbow", "cluster_playlists", "zoo"];
    for t in tables {
        let out = p.run(&["export", t, "--format", "parquet", "--out", &format!("pq/{t}.parquet")]).success();
        assert!(out.stdout.contains(t), "{}", out.stdout);
    }
    let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
    for t in tables {
        let file = p.path(&format!("pq/{t}.parquet")).display().to_string();
        let q = |sql: String| conn.query_row(&sql, [], |r| r.get::<_, i64>(0)).unwrap();
        let n = q(format!("SELECT count(*) FROM {t}"));
        assert!(n > 0);
        assert_eq!(q(format!("SELECT count(*) FROM read_parquet('{file}')")), n, "{t}: rows");
        // Multiset equality both ways (EXCEPT ALL keeps duplicates; NULLs compare equal here).
        assert_eq!(q(format!("SELECT count(*) FROM (SELECT * FROM {t} EXCEPT ALL SELECT * FROM read_parquet('{file}'))")), 0, "{t}");
        assert_eq!(q(format!("SELECT count(*) FROM (SELECT * FROM read_parquet('{file}') EXCEPT ALL SELECT * FROM {t})")), 0, "{t}");
        let types = |src: String| -> Vec<String> {
            let mut stmt = conn.prepare(&format!("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM {src})")).unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(types(t.to_string()), types(format!("read_parquet('{file}')")), "{t}: column types");
    }
    // EXCEPT compares floats by value; check NaN and -0.0 by their bits too.
    let bits = |src: &str| -> Vec<Option<u64>> {
        let mut stmt = conn.prepare(&format!("SELECT d FROM {src} ORDER BY id")).unwrap();
        stmt.query_map([], |r| r.get::<_, Option<f64>>(0)).unwrap().map(|v| v.unwrap().map(f64::to_bits)).collect()
    };
    let file = p.path("pq/zoo.parquet").display().to_string();
    assert_eq!(bits("zoo"), bits(&format!("read_parquet('{file}')")));
}
