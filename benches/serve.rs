//! `make bench` — `selecta serve`'s clusters page on the original data
//! (`examples/original_run.toml`: 8 clusters, 4 108 clustered tracks), over HTTP on loopback,
//! against a reference measured in the same run: DuckDB alone running the page's query and
//! reading every cell. Target: the page answers in under 200 ms.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use selecta::fakes::raw_http::request;

const RUNS: usize = 21;

mod common;

fn main() {
    let Some(run) = common::original_run() else { return };
    let config_path = run.write("selecta.toml", "");
    common::build(&config_path);

    let config = selecta::config::Config::load(&config_path).unwrap();
    let bound = selecta::serve::bind(&config, &selecta::serve::ServeOptions { port: 0, exe: PathBuf::from(env!("CARGO_BIN_EXE_selecta")) }).unwrap();
    let addr = bound.addr();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(bound.serve(std::future::pending())).unwrap();
    });
    let host = format!("127.0.0.1:{}", addr.port());
    let first = request(addr, "GET", "/clusters", &host, None).unwrap();
    assert_eq!(first.status, 200, "{}", first.body);
    let rows = first.body.matches("<tr><td class=\"n\">").count();
    let clusters = first.body.matches("<section class=\"cluster\"").count();
    let page = median(|| {
        let a = request(addr, "GET", "/clusters", &host, None).unwrap();
        assert_eq!(a.status, 200);
    });

    let conn = selecta::serve::warehouse::Warehouse::new(config.warehouse.clone());
    let reference = median(|| {
        conn.with(|c| {
            let tables = selecta::serve::warehouse::tables(c)?;
            let list = selecta::serve::clusters::clusters(c, &tables)?.unwrap_or_default();
            assert_eq!(list.iter().map(|x| x.tracks.len()).sum::<usize>(), rows);
            Ok(())
        })
        .unwrap();
    });

    println!("serve: the clusters page, examples/original_run.toml ({clusters} clusters, {rows} tracks, {} KB; {RUNS} requests, median)", first.body.len() / 1024);
    println!("  GET /clusters (HTTP)      {:>7.1} ms", ms(page));
    println!("  reference (DuckDB query)  {:>7.1} ms", ms(reference));
    println!("  ratio page / query       {:>8.2}×", page.as_secs_f64() / reference.as_secs_f64());
    println!("  target < 200 ms          {}", if page < Duration::from_millis(200) { "met" } else { "NOT met" });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}
