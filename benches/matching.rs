//! Matching benchmark (`cargo bench --bench matching`, part of `make bench`).
//!
//! 1. The 5 347 tracks of `my_tracks.csv` against the fake Spotify, whose catalogue is built
//!    from the original run (each track's true ID known): the original 7-stage cascade and the
//!    scorer side by side — precision, recall, F1, search requests per track, wall time — then
//!    the scorer again on its filled cache (must send 0 requests).
//! 2. The same tracks against a local catalogue of 1 000 000 rows (the fake catalogue plus
//!    synthetic filler) in Parquet: time and peak memory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use duckdb::Connection;
use selecta::fakes::spotify::{self, Catalogue, FakeOptions};
use selecta::matching::{MatchConfig, SourceKind, Strategy, run_configured, spotify::Credentials};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(rel)
}

struct Quality {
    precision: f64,
    recall: f64,
    f1: f64,
    predicted: usize,
    correct: usize,
}

fn quality(conn: &Connection, cat: &Catalogue) -> Quality {
    let mut stmt = conn.prepare("SELECT track_id, spotify_id FROM track_matches WHERE spotify_id IS NOT NULL").unwrap();
    let rows: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let predicted = rows.len();
    let correct = rows.iter().filter(|(t, id)| cat.truth.get(t).and_then(|x| x.as_deref()) == Some(id.as_str())).count();
    let relevant = cat.truth.values().filter(|v| v.is_some()).count();
    let precision = if predicted > 0 { correct as f64 / predicted as f64 } else { 0.0 };
    let recall = correct as f64 / relevant as f64;
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    Quality { precision, recall, f1, predicted, correct }
}

fn warehouse(dir: &Path) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    selecta::fakes::tracks_table(&conn, &data("collection/my_tracks.csv"), None).unwrap();
    conn.execute_batch(&format!("ATTACH '{}' AS state", dir.join("state.duckdb").display())).unwrap();
    conn
}

/// Peak resident memory of this process (VmHWM), in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()).map(|kb| kb / 1024.0).unwrap_or(f64::NAN)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    if !data("original_run/my_tracks_spotify_id.csv").exists() {
        eprintln!("SKIPPED: ../shared/data is not beside this checkout");
        return;
    }
    let cat = Catalogue::from_original_run(&data("original_run/my_tracks_spotify_id.csv"), 42).unwrap();
    let tracks = cat.truth.len();
    let relevant = cat.truth.values().filter(|v| v.is_some()).count();
    println!("fake catalogue: {} Spotify tracks (true entries and distractors); {tracks} Discogs tracks, {relevant} of them on the fake Spotify", cat.tracks.len());

    // --- 2 first (its peak memory must not include the fake server's run) ---------------
    let tmp = tempfile::tempdir().unwrap();
    let parquet = tmp.path().join("catalogue_1m.parquet");
    let csv = tmp.path().join("fake.csv");
    cat.write_csv(&csv).unwrap();
    {
        let g = Connection::open_in_memory().unwrap();
        let filler = 1_000_000 - cat.tracks.len();
        g.execute_batch(&format!(
            "COPY (
               SELECT spotify_id, name, artists, album, TRY_CAST(duration_ms AS BIGINT) AS duration_ms, isrc
               FROM read_csv('{csv}', header = true, all_varchar = true)
               UNION ALL
               SELECT substr(md5(i::VARCHAR), 1, 22),
                      (['Love', 'Night', 'Intro', 'Dance', 'Blue', 'Fire', 'Dream', 'City', 'Heart', 'Rain'])[1 + i % 10] || ' '
                        || (['Song', 'Theme', 'Groove', 'Light', 'Road', 'Storm', 'Sky', 'Time'])[1 + (i // 10) % 8] || ' ' || (i % 997)::VARCHAR,
                      'Artist ' || (i % 90001)::VARCHAR,
                      'Album ' || (i % 120007)::VARCHAR,
                      120000 + i % 300000, NULL
               FROM range({filler}) t(i)
             ) TO '{parquet}' (FORMAT parquet)",
            csv = csv.display(),
            parquet = parquet.display()
        ))
        .unwrap();
    }
    reset_peak();
    let local_dir = tempfile::tempdir().unwrap();
    let conn = warehouse(local_dir.path());
    let cfg = MatchConfig { source: SourceKind::Catalogue, catalogue: Some(parquet.clone()), batch_size: 1000, ..MatchConfig::default() };
    let t = Instant::now();
    let s = run_configured(&conn, &cfg, Strategy::Scorer, false, || unreachable!("a local catalogue needs no credentials")).unwrap();
    let local_secs = t.elapsed().as_secs_f64();
    let local_peak = peak_mib();
    let lq = quality(&conn, &cat);
    drop(conn);

    // --- 1. fake Spotify: original vs scorer ------------------------------------------------
    let opts = FakeOptions::default();
    let creds = || Ok(Credentials { client_id: opts.client_id.clone(), client_secret: opts.client_secret.clone() });
    let fake = spotify::start(cat.clone(), opts.clone()).unwrap();
    let cfg = |_: ()| MatchConfig { api_base_url: fake.url("/v1"), accounts_base_url: fake.base_url.clone(), concurrency: 4, batch_size: 200, ..MatchConfig::default() };
    let mut results = Vec::new();
    for strategy in [Strategy::Original, Strategy::Scorer] {
        let dir = tempfile::tempdir().unwrap();
        let conn = warehouse(dir.path());
        fake.log.clear();
        let t = Instant::now();
        let s = run_configured(&conn, &cfg(()), strategy, false, creds).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let requests = fake.log.count("/v1/search");
        let q = quality(&conn, &cat);
        // MATCH_BENCH_DUMP=DIR keeps each strategy's decisions as CSV, to study the errors.
        if let Some(dump) = std::env::var_os("MATCH_BENCH_DUMP") {
            for table in ["track_matches", "match_candidates"] {
                let out = Path::new(&dump).join(format!("{}_{table}.csv", strategy.as_str()));
                conn.execute_batch(&format!("COPY {table} TO '{}' (HEADER)", out.display())).unwrap();
            }
        }
        let second = if strategy == Strategy::Scorer {
            fake.log.clear();
            let t = Instant::now();
            run_configured(&conn, &cfg(()), strategy, false, creds).unwrap();
            Some((fake.log.count("/v1/search"), t.elapsed().as_secs_f64()))
        } else {
            None
        };
        results.push((strategy, q, requests, secs, second, s));
    }

    println!();
    println!("{:<10} {:>9} {:>7} {:>7} {:>9} {:>9} {:>13} {:>9}", "strategy", "precision", "recall", "F1", "matched", "correct", "requests/track", "wall s");
    for (strategy, q, requests, secs, _, _) in &results {
        println!(
            "{:<10} {:>9.4} {:>7.4} {:>7.4} {:>9} {:>9} {:>13.2} {:>9.1}",
            strategy.as_str(),
            q.precision,
            q.recall,
            q.f1,
            q.predicted,
            q.correct,
            *requests as f64 / tracks as f64,
            secs
        );
    }
    let (o, n) = (&results[0], &results[1]);
    println!(
        "scorer / original: precision ×{:.3}, recall ×{:.3}, requests ×{:.3}, wall ×{:.3}",
        n.1.precision / o.1.precision,
        n.1.recall / o.1.recall,
        n.2 as f64 / o.2 as f64,
        n.3 / o.3
    );
    if let Some((req, secs)) = n.4 {
        println!("scorer, second run on the filled cache: {req} requests, {secs:.1} s");
    }
    println!("scorer summary: {:?}", n.5.by_quality);
    println!();
    println!(
        "local catalogue (1 000 000 rows, Parquet), {tracks} tracks: {local_secs:.1} s, peak memory {local_peak:.0} MiB; precision {:.4}, recall {:.4} ({} matched)",
        lq.precision, lq.recall, s.matched
    );
    let ok = n.1.precision >= 0.99 && n.1.recall >= o.1.recall && (n.2 as f64 / tracks as f64) <= 2.0 && n.4.map(|x| x.0) == Some(0);
    println!("targets (precision ≥ 0.99, recall ≥ original's, ≤ 2 requests/track, second run 0 requests): {}", if ok { "MET" } else { "NOT MET" });
}
