//! `make bench` — playlist order on the original data (`examples/original_run.toml`, k = 8):
//! `[playlists] order = "set"` (greedy + 2-opt over the transition cost, src/playlists/sequence.rs)
//! against the reference measured in the same run, `order = "centroid"` (by distance to the
//! centroid, selecta's order before). Printed for each: the share of harmonically compatible
//! transitions (same Camelot code, ±1, relative major/minor), of transitions within the tempo
//! tolerance (±6 %, half/double counted), the harmonic share in playlists of 20+ tracks, and
//! the time. Target: at least 90 % harmonically compatible in playlists of 20 or more tracks.

use std::time::Instant;

use selecta::playlists::order::OrderSummary;
use selecta::playlists::{Order, PlaylistsConfig, order_playlists};

mod common;

fn main() {
    let Some(run) = common::original_run() else { return };
    let config_path = run.write("selecta.toml", "");
    common::build(&config_path);
    let conn = duckdb::Connection::open(run.dir.path().join("w.duckdb")).unwrap();

    println!("playlist order, examples/original_run.toml (k = 8), reference: order = \"centroid\"");
    println!("  {:<9} {:>12} {:>14} {:>18} {:>9}", "order", "harmonic", "tempo ±6 %", "harmonic (20+)", "time");
    let mut shares = Vec::new();
    for order in [Order::Centroid, Order::Set] {
        let cfg = PlaylistsConfig { order, ..PlaylistsConfig::default() };
        let t = Instant::now();
        let s = order_playlists(&conn, &cfg).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let (h, tempo, big) = (OrderSummary::share(s.harmonic, s.transitions), OrderSummary::share(s.tempo, s.transitions), OrderSummary::share(s.big_harmonic, s.big_transitions));
        println!("  {:<9} {:>10.1} % {:>12.1} % {:>16.1} % {:>7.2} s   ({} transitions)", order.as_str(), h, tempo, big, secs, s.transitions);
        shares.push((h, tempo, big));
    }
    let (c, s) = (shares[0], shares[1]);
    println!("  ratio set / centroid: harmonic {:.2}×, tempo {:.2}×", s.0 / c.0, s.1 / c.1);
    println!("  target ≥ 90 % harmonic in playlists of 20+ tracks: {}", if s.2 >= 90.0 { "met" } else { "NOT met" });
}
