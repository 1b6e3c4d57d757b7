//! KMeans fit time (k = 8, n_init = 10, the defaults) of our engines against scikit-learn's,
//! measured in the same run on the same matrices:
//! - the original data: 4 108 tracks × 6 features, RobustScaled like `selecta cluster`;
//! - Gaussian blobs (8 centres in [−10, 10]⁶, σ = 1, seeded): 100 000 × 6 and 1 000 000 × 6.
//!
//! scikit-learn runs in its own venv (`$HOME/.cache/selecta-bench-venv`, created with
//! `python3 -m venv` and `pip install scikit-learn numpy` when missing) on `.npy` copies of the
//! matrices, through `benches/cluster_sklearn.py`. Printed: median fit time of each engine and
//! of scikit-learn, their ratio, and both inertias.
//!
//! Target (issue 14): ours at most 0.5× scikit-learn's best (1 thread or all threads) on the
//! real matrix and on 1 M × 6, with equal or lower inertia; each line says whether it is met.
//!
//! `SELECTA_BENCH_THREADS=N` sets our worker threads (default 0: every core; each thread runs
//! whole initialisations).
//! `SELECTA_BENCH_QUICK=1` skips the 1 M matrix; `SELECTA_BENCH_SMARTCORE_1M=1` adds the
//! smartcore-based engines on it, one initialisation each, scaled ×10 (about 10 s per
//! initialisation for pure smartcore).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use selecta::cluster::kmeans::{self, Algorithm, KMeansParams, Matrix};
use selecta::cluster::scale::RobustScaler;

const K: usize = 8;
const N_INIT: usize = 10;

fn original() -> Matrix {
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/original_run/tracks_features.csv");
    let conn = duckdb::Connection::open_in_memory().expect("duckdb");
    conn.execute_batch(&format!("CREATE TABLE tracks_features AS SELECT * FROM read_csv('{csv}', header = true)")).expect("read csv");
    let features = selecta::cluster::ClusterConfig::default().features;
    let loaded = selecta::cluster::load(&conn, &features).expect("load");
    RobustScaler::fit(&loaded.x).transform(&loaded.x)
}

fn blobs(n: usize, seed: u64) -> Matrix {
    let mut rng = StdRng::seed_from_u64(seed);
    let d = 6;
    let centers: Vec<f64> = (0..K * d).map(|_| rng.random_range(-10.0..10.0)).collect();
    let mut data = Vec::with_capacity(n * d);
    for _ in 0..n {
        let c = rng.random_range(0..K);
        for j in 0..d {
            // Box–Muller
            let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
            data.push(centers[c * d + j] + (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos());
        }
    }
    Matrix::new(n, d, data)
}

fn write_npy(x: &Matrix, path: &Path) {
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}", x.n, x.d);
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("npy"));
    f.write_all(b"\x93NUMPY\x01\x00").unwrap();
    f.write_all(&(header.len() as u16).to_le_bytes()).unwrap();
    f.write_all(header.as_bytes()).unwrap();
    for v in &x.data {
        f.write_all(&v.to_le_bytes()).unwrap();
    }
}

fn venv_python() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let venv = Path::new(&home).join(".cache/selecta-bench-venv");
    let py = venv.join("bin/python");
    let ok = |py: &Path| Command::new(py).args(["-c", "import sklearn, numpy"]).status().is_ok_and(|s| s.success());
    if !ok(&py) {
        eprintln!("creating the scikit-learn venv in {} …", venv.display());
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip")).args(["install", "-q", "scikit-learn", "numpy"]).status().is_ok_and(|s| s.success());
        if !made || !ok(&py) {
            eprintln!("scikit-learn is not available: printing our timings only");
            return None;
        }
    }
    Some(py)
}

#[derive(Debug, Clone)]
struct Sk {
    seconds: f64,
    inertia: f64,
    n_iter: u64,
    seconds_1: f64,
    seconds_all: f64,
}

fn sklearn(py: &Path, files: &[PathBuf], repeats: usize) -> Vec<Option<Sk>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/cluster_sklearn.py");
    let out = Command::new(py).arg(script).args([K.to_string(), N_INIT.to_string(), repeats.to_string()]).args(files).output();
    let Ok(out) = out else { return vec![None; files.len()] };
    if !out.status.success() {
        eprintln!("scikit-learn failed: {}", String::from_utf8_lossy(&out.stderr));
        return vec![None; files.len()];
    }
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    files
        .iter()
        .map(|f| {
            lines.iter().find(|v| v["file"].as_str() == f.to_str()).map(|v| Sk {
                seconds: v["seconds"].as_f64().unwrap_or(f64::NAN),
                inertia: v["inertia"].as_f64().unwrap_or(f64::NAN),
                n_iter: v["n_iter"].as_u64().unwrap_or(0),
                seconds_1: v["seconds_1"].as_f64().unwrap_or(f64::NAN),
                seconds_all: v["seconds_all"].as_f64().unwrap_or(f64::NAN),
            })
        })
        .collect()
}

fn time_fit(x: &Matrix, algorithm: Algorithm, n_init: usize, repeats: usize) -> (f64, f64) {
    let threads = std::env::var("SELECTA_BENCH_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(0);
    let p = KMeansParams { k: K, n_init, seed: 42, max_iter: 300, tol: 1e-4, algorithm, threads };
    let mut times = Vec::new();
    let mut inertia = f64::NAN;
    for _ in 0..repeats {
        let t = Instant::now();
        let f = kmeans::fit(x, &p).expect("fit");
        times.push(t.elapsed().as_secs_f64());
        inertia = f.inertia;
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], inertia)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let quick = std::env::var_os("SELECTA_BENCH_QUICK").is_some();
    let smartcore_1m = std::env::var_os("SELECTA_BENCH_SMARTCORE_1M").is_some();
    let mut sets: Vec<(&str, Matrix, usize)> = vec![("original 4 108×6", original(), 5), ("blobs 100 k×6", blobs(100_000, 1), 3)];
    if !quick {
        sets.push(("blobs 1 M×6", blobs(1_000_000, 2), 1));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let files: Vec<PathBuf> = sets
        .iter()
        .enumerate()
        .map(|(i, (_, x, _))| {
            let p = dir.path().join(format!("m{i}.npy"));
            write_npy(x, &p);
            p
        })
        .collect();
    let sk = match venv_python() {
        Some(py) => sklearn(&py, &files, 5),
        None => vec![None; files.len()],
    };
    println!("KMeans k = {K}, n_init = {N_INIT}, max_iter 300, tol 1e-4 (median fit time)");
    println!("{:<18} {:<10} {:>9} {:>9} {:>7} {:>14} {:>14} {:>9}", "data", "engine", "ours s", "sklearn s", "ratio", "our inertia", "sk inertia", "Δ inertia");
    for ((name, x, reps), sk) in sets.iter().zip(&sk) {
        let big = x.n >= 1_000_000;
        let mut engines = vec![(Algorithm::Native, N_INIT)];
        if !big {
            engines.push((Algorithm::Hybrid, N_INIT));
        }
        if !big {
            engines.push((Algorithm::Smartcore, N_INIT));
        } else if smartcore_1m {
            engines.push((Algorithm::Hybrid, 1));
            engines.push((Algorithm::Smartcore, 1));
        }
        for (alg, n_init) in engines {
            let (secs, inertia) = time_fit(x, alg, n_init, *reps);
            // Engines run with fewer inits (too slow for 10 here) are scaled to 10 inits.
            let label = if n_init == N_INIT { alg.as_str().to_string() } else { format!("{}×{n_init}→10", alg.as_str()) };
            let secs = secs * N_INIT as f64 / n_init as f64;
            match sk {
                Some(s) => println!(
                    "{:<18} {:<10} {:>9.3} {:>9.3} {:>6.2}× {:>14.2} {:>14.2} {:>+8.3}%{}",
                    name,
                    label,
                    secs,
                    s.seconds,
                    secs / s.seconds,
                    inertia,
                    s.inertia,
                    (inertia - s.inertia) / s.inertia * 100.0,
                    if alg != Algorithm::Native {
                        ""
                    } else if secs <= 0.5 * s.seconds && inertia <= s.inertia * (1.0 + 1e-9) {
                        "  target ≤ 0.5×, ≤ inertia: met"
                    } else {
                        "  target ≤ 0.5×, ≤ inertia: NOT met"
                    }
                ),
                None => println!("{:<18} {:<10} {:>9.3} {:>9} {:>7} {:>14.2}", name, label, secs, "-", "-", inertia),
            }
        }
        if let Some(s) = sk {
            println!(
                "{:<18} (scikit-learn: 1 thread {:.3} s, all threads {:.3} s, the faster kept; {} Lloyd iterations in its best run)",
                "", s.seconds_1, s.seconds_all, s.n_iter
            );
        }
    }
}
