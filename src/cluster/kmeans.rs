//! KMeans with `n_init` restarts around smartcore 0.7's `KMeans`.
//!
//! [`Matrix`] is the dense row-major input; [`validate`] rejects what smartcore would mishandle
//! (it panics on an empty matrix, silently labels everything 0 when one cell is NaN or
//! infinite, refuses k = 1, accepts k > rows); [`fit`] runs [`KMeansParams::n_init`]
//! initialisations with distinct seeds derived from the configured one and keeps the lowest
//! inertia, which it computes itself (smartcore exposes none).
//!
//! Three [`Algorithm`]s share the same finishing [`lloyd`] loop (our code: convergence by
//! unchanged labels or centre shift ≤ `tol × mean feature variance`, as scikit-learn; empty
//! clusters re-seeded with the farthest points; the final labels always belong to the final
//! centres, and the inertia is measured on them):
//! - [`Algorithm::Smartcore`]: smartcore's own fit (k-means++ seeding, BBD-tree filtering
//!   iterations up to `max_iter`), then Lloyd to convergence from its labels;
//! - [`Algorithm::Hybrid`]: smartcore's k-means++ seeding and one filtering pass
//!   (`max_iter = 1`), then our Lloyd;
//! - [`Algorithm::Native`]: our greedy k-means++ (scikit-learn's: `2 + ⌊ln k⌋` candidate
//!   centres per step, the one lowering the potential most is kept), then our Lloyd.
//!
//! Why more than smartcore (measured on this 2-core machine, see `benches/cluster.rs` and the
//! figures in [`crate::cluster`]'s overview): with the same n_init = 10 and at the same
//! inertia, smartcore's fit was 11–18× slower than scikit-learn on the real 4 108 × 6 matrix,
//! 20–32× on 100 k × 6 blobs and ~13× on 1 M × 6 (one init, ×10); seeding with smartcore and
//! finishing with our Lloyd (`hybrid`) was still 2–4× / 18–24× / ~14× slower (its BBD tree is
//! rebuilt for every fit). Our greedy k-means++ with Lloyd, unrolled for 2–8 features
//! (`native`, the default), was 0.35–0.8× / 0.55–1.5× / 0.68–1.07× of scikit-learn's time at
//! equal or lower inertia.
//! k = 1 is computed directly (the total sum of squares), since smartcore refuses it.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use super::ClusterError;
pub use super::matrix::{Matrix, sq_dist};

/// Squared distance with the dimension known at compile time (`D = 0`: any dimension), so
/// the hot loops below are unrolled for the usual 2–8 features.
#[inline(always)]
fn sqd<const D: usize>(a: &[f64], b: &[f64]) -> f64 {
    if D == 0 {
        return sq_dist(a, b);
    }
    let a: &[f64; D] = a[..D].try_into().expect("row of D values");
    let b: &[f64; D] = b[..D].try_into().expect("row of D values");
    let mut s = 0.0;
    for j in 0..D {
        let t = a[j] - b[j];
        s += t * t;
    }
    s
}

/// Calls `$f::<D>(args)` with D = the dimension when it is 2..=8, else 0 (generic).
macro_rules! by_dim {
    ($d:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $d {
            2 => $f::<2>($($arg),*),
            3 => $f::<3>($($arg),*),
            4 => $f::<4>($($arg),*),
            5 => $f::<5>($($arg),*),
            6 => $f::<6>($($arg),*),
            7 => $f::<7>($($arg),*),
            8 => $f::<8>($($arg),*),
            _ => $f::<0>($($arg),*),
        }
    };
}

/// Which engine runs each initialisation (see the module overview).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    Smartcore,
    Hybrid,
    Native,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Smartcore => "smartcore",
            Algorithm::Hybrid => "hybrid",
            Algorithm::Native => "native",
        }
    }
}

/// Parameters of one [`fit`].
#[derive(Debug, Clone)]
pub struct KMeansParams {
    pub k: usize,
    pub n_init: usize,
    pub seed: u64,
    /// Iteration cap of smartcore's fit ([`Algorithm::Smartcore`]) and of our Lloyd loop.
    pub max_iter: usize,
    /// Relative tolerance: Lloyd stops when the centres moved by at most
    /// `tol × mean feature variance` (sum of squared shifts), as scikit-learn.
    pub tol: f64,
    pub algorithm: Algorithm,
    /// Worker threads for k-means++ and the Lloyd passes; 0 = all cores from
    /// [`PARALLEL_ROWS`] rows, 1 below.
    pub threads: usize,
}

/// The best of the `n_init` runs.
#[derive(Debug, Clone)]
pub struct KMeansFit {
    pub labels: Vec<usize>,
    /// k × d centres, in the units of the input.
    pub centroids: Matrix,
    /// Sum of squared distances of each row to its centre.
    pub inertia: f64,
    /// Lloyd iterations of the best run (after smartcore's own, for `Smartcore`).
    pub n_iter: usize,
    /// Which initialisation won (0-based) and the inertia of every one.
    pub best_init: usize,
    pub init_inertias: Vec<f64>,
}

/// The seed of initialisation `i`: SplitMix64 of `seed + i` — a bijection, so distinct
/// initialisations always get distinct seeds, and the same configured seed gives the same runs.
pub fn init_seed(seed: u64, i: usize) -> u64 {
    let mut z = seed.wrapping_add(i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Rejects what KMeans cannot meaningfully fit, before smartcore sees it.
pub fn validate(x: &Matrix, k: usize) -> Result<(), ClusterError> {
    if x.d == 0 {
        return Err(ClusterError::NoFeatures);
    }
    if x.n == 0 {
        return Err(ClusterError::NoRows { excluded: 0 });
    }
    if let Some(pos) = x.data.iter().position(|v| !v.is_finite()) {
        return Err(ClusterError::NonFinite {
            key: format!("row {}", pos / x.d),
            feature: format!("column {}", pos % x.d),
            value: x.data[pos],
        });
    }
    if k < 1 {
        return Err(ClusterError::KTooSmall { k });
    }
    if k > x.n {
        return Err(ClusterError::KTooLarge { k, rows: x.n });
    }
    // At least k distinct rows; stops as soon as k are found (usually within the first rows).
    let mut distinct: Vec<usize> = Vec::with_capacity(k);
    for i in 0..x.n {
        if distinct.len() >= k {
            break;
        }
        if !distinct.iter().any(|&j| x.row(j) == x.row(i)) {
            distinct.push(i);
        }
    }
    if distinct.len() < k {
        return Err(ClusterError::TooFewDistinct { k, distinct: distinct.len(), rows: x.n });
    }
    Ok(())
}

/// Column means.
pub fn mean_row(x: &Matrix) -> Vec<f64> {
    let mut m = vec![0.0; x.d];
    for row in x.data.chunks_exact(x.d) {
        for (a, v) in m.iter_mut().zip(row) {
            *a += v;
        }
    }
    m.iter_mut().for_each(|a| *a /= x.n as f64);
    m
}

/// Total sum of squares around the mean: the inertia of k = 1.
pub fn total_sum_of_squares(x: &Matrix) -> f64 {
    let m = mean_row(x);
    x.data.chunks_exact(x.d).map(|r| sq_dist(r, &m)).sum()
}

/// Sum of squared distances of each row to the centre of its label.
pub fn inertia(x: &Matrix, labels: &[usize], centroids: &Matrix) -> f64 {
    (0..x.n).map(|i| sq_dist(x.row(i), centroids.row(labels[i]))).sum()
}

fn mean_feature_variance(x: &Matrix) -> f64 {
    let m = mean_row(x);
    let mut var = vec![0.0; x.d];
    for row in x.data.chunks_exact(x.d) {
        for j in 0..x.d {
            var[j] += (row[j] - m[j]) * (row[j] - m[j]);
        }
    }
    var.iter().map(|v| v / x.n as f64).sum::<f64>() / x.d as f64
}

/// From this many rows the native engine uses every core (measured on 2 shared cores: at
/// 100 000 rows one thread was faster, 0.20 s against 0.25 s for 10 inits; at 1 M rows two
/// threads were faster, 2.95 s against 4.77 s).
pub const PARALLEL_ROWS: usize = 250_000;

fn threads_for(x: &Matrix, requested: usize) -> usize {
    match requested {
        0 if x.n >= PARALLEL_ROWS => std::thread::available_parallelism().map_or(1, |n| n.get()),
        0 => 1,
        t => t,
    }
}

/// Fits KMeans: `n_init` runs, the lowest inertia kept (the earliest run on ties).
pub fn fit(x: &Matrix, p: &KMeansParams) -> Result<KMeansFit, ClusterError> {
    validate(x, p.k)?;
    if p.n_init < 1 {
        return Err(ClusterError::Config(crate::setting::Invalid::new("n_init", "must be at least 1")));
    }
    if p.k == 1 {
        let centroids = Matrix::new(1, x.d, mean_row(x));
        let inertia = total_sum_of_squares(x);
        return Ok(KMeansFit { labels: vec![0; x.n], centroids, inertia, n_iter: 0, best_init: 0, init_inertias: vec![inertia] });
    }
    let tol_abs = p.tol * mean_feature_variance(x);
    let threads = threads_for(x, p.threads);
    let dense = match p.algorithm {
        Algorithm::Native => None,
        _ => Some(
            smartcore::linalg::basic::matrix::DenseMatrix::new(x.n, x.d, x.data.clone(), false)
                .map_err(|e| ClusterError::Smartcore { k: p.k, seed: p.seed, message: e.to_string() })?,
        ),
    };
    let mut best: Option<(Vec<usize>, Matrix, f64, usize, usize)> = None;
    let mut init_inertias = Vec::with_capacity(p.n_init);
    for i in 0..p.n_init {
        let seed = init_seed(p.seed, i);
        let start = match (p.algorithm, &dense) {
            (Algorithm::Native, _) | (_, None) => Start::Centers(kmeans_plus_plus(x, p.k, seed, threads)),
            (alg, Some(dm)) => {
                let max_iter = if alg == Algorithm::Hybrid { 1 } else { p.max_iter };
                Start::Labels(smartcore_labels(dm, p.k, seed, max_iter)?)
            }
        };
        let centers = match start {
            Start::Centers(c) => c,
            Start::Labels(l) => centers_from_labels(x, &l, p.k),
        };
        let run = lloyd(x, centers, p.max_iter, tol_abs, threads);
        init_inertias.push(run.inertia);
        if best.as_ref().is_none_or(|b| run.inertia < b.2) {
            best = Some((run.labels, run.centers, run.inertia, run.iters, i));
        }
    }
    let (labels, centroids, inertia, n_iter, best_init) = best.expect("n_init >= 1");
    Ok(KMeansFit { labels, centroids, inertia, n_iter, best_init, init_inertias })
}

enum Start {
    Centers(Matrix),
    Labels(Vec<usize>),
}

/// One smartcore fit; its labels for the data (smartcore keeps its own private).
fn smartcore_labels(dm: &smartcore::linalg::basic::matrix::DenseMatrix<f64>, k: usize, seed: u64, max_iter: usize) -> Result<Vec<usize>, ClusterError> {
    use smartcore::cluster::kmeans::{KMeans, KMeansParameters};
    let mut params = KMeansParameters::default().with_k(k).with_max_iter(max_iter.max(1));
    params.seed = Some(seed);
    let err = |e: smartcore::error::Failed| ClusterError::Smartcore { k, seed, message: e.to_string() };
    let model: KMeans<f64, u32, smartcore::linalg::basic::matrix::DenseMatrix<f64>, Vec<u32>> = KMeans::fit(dm, params).map_err(err)?;
    let labels: Vec<u32> = model.predict(dm).map_err(err)?;
    Ok(labels.into_iter().map(|l| l as usize).collect())
}

/// Means of the rows of each label; a label without rows gets row 0 (the first Lloyd pass
/// re-seeds it if it stays empty).
pub fn centers_from_labels(x: &Matrix, labels: &[usize], k: usize) -> Matrix {
    let mut sums = vec![0.0; k * x.d];
    let mut counts = vec![0usize; k];
    for (i, &l) in labels.iter().enumerate() {
        counts[l] += 1;
        for (s, v) in sums[l * x.d..(l + 1) * x.d].iter_mut().zip(x.row(i)) {
            *s += v;
        }
    }
    for c in 0..k {
        let dst = &mut sums[c * x.d..(c + 1) * x.d];
        if counts[c] == 0 {
            dst.copy_from_slice(x.row(0));
        } else {
            dst.iter_mut().for_each(|s| *s /= counts[c] as f64);
        }
    }
    Matrix::new(k, x.d, sums)
}

/// scikit-learn's greedy k-means++: the first centre uniformly at random, then each next one
/// the best (lowest resulting potential) of `2 + ⌊ln k⌋` candidates drawn with probability
/// proportional to the squared distance to the nearest centre so far.
pub fn kmeans_plus_plus(x: &Matrix, k: usize, seed: u64, threads: usize) -> Matrix {
    let mut rng = StdRng::seed_from_u64(seed);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k * x.d);
    let first = rng.random_range(0..x.n);
    centers.extend_from_slice(x.row(first));
    let mut closest: Vec<f64> = (0..x.n).map(|i| sq_dist(x.row(i), x.row(first))).collect();
    let mut cumsum = vec![0.0; x.n];
    let mut cand_dist = vec![0.0; x.n];
    let mut best_dist = vec![0.0; x.n];
    for _ in 1..k {
        let mut acc = 0.0;
        for (c, d) in cumsum.iter_mut().zip(&closest) {
            acc += d;
            *c = acc;
        }
        let mut best: Option<(usize, f64)> = None;
        for _ in 0..trials {
            let r = rng.random::<f64>() * acc;
            let cand = cumsum.partition_point(|&c| c < r).min(x.n - 1);
            let row = x.row(cand);
            let cand_pot = if threads <= 1 {
                by_dim!(x.d, candidate_distances(&x.data, x.d, row, &closest, &mut cand_dist))
            } else {
                // Contiguous blocks on `threads` threads, potentials summed in block order.
                let chunk = x.n.div_ceil(threads);
                let closest = &closest;
                std::thread::scope(|s| {
                    let handles: Vec<_> = x
                        .data
                        .chunks(chunk * x.d)
                        .zip(closest.chunks(chunk))
                        .zip(cand_dist.chunks_mut(chunk))
                        .map(|((rows, c), o)| s.spawn(move || by_dim!(x.d, candidate_distances(rows, x.d, row, c, o))))
                        .collect();
                    handles.into_iter().map(|h| h.join().expect("k-means++ thread")).sum::<f64>()
                })
            };
            if best.is_none_or(|(_, p)| cand_pot < p) {
                best = Some((cand, cand_pot));
                std::mem::swap(&mut best_dist, &mut cand_dist);
            }
        }
        let (cand, _) = best.expect("trials >= 2");
        std::mem::swap(&mut closest, &mut best_dist);
        centers.extend_from_slice(x.row(cand));
    }
    Matrix::new(k, x.d, centers)
}

/// Distances to the nearest centre if `row` were added; returns their sum (the potential).
fn candidate_distances<const D: usize>(rows: &[f64], d: usize, row: &[f64], closest: &[f64], out: &mut [f64]) -> f64 {
    let mut pot = 0.0;
    for ((r, c), o) in rows.chunks_exact(d).zip(closest).zip(out.iter_mut()) {
        let d = sqd::<D>(r, row).min(*c);
        *o = d;
        pot += d;
    }
    pot
}

/// The outcome of [`lloyd`].
#[derive(Debug, Clone)]
pub struct LloydRun {
    pub labels: Vec<usize>,
    pub centers: Matrix,
    pub inertia: f64,
    pub iters: usize,
}

struct Pass {
    sums: Vec<f64>,
    counts: Vec<usize>,
    inertia: f64,
    changed: usize,
}

/// One assignment pass over a block of rows: nearest centre (the lowest index on ties), its
/// squared distance, and the per-centre sums and counts of the block.
fn assign_block(rows: &[f64], d: usize, centers: &Matrix, labels: &mut [usize], dist: &mut [f64]) -> Pass {
    by_dim!(d, assign_block_d(rows, d, centers, labels, dist))
}

fn assign_block_d<const D: usize>(rows: &[f64], d: usize, centers: &Matrix, labels: &mut [usize], dist: &mut [f64]) -> Pass {
    let k = centers.n;
    let mut pass = Pass { sums: vec![0.0; k * d], counts: vec![0; k], inertia: 0.0, changed: 0 };
    for (i, row) in rows.chunks_exact(d).enumerate() {
        let mut best = 0;
        let mut best_d = f64::INFINITY;
        for (c, center) in centers.data.chunks_exact(d).enumerate() {
            let dd = sqd::<D>(row, center);
            if dd < best_d {
                best_d = dd;
                best = c;
            }
        }
        if labels[i] != best {
            labels[i] = best;
            pass.changed += 1;
        }
        dist[i] = best_d;
        pass.inertia += best_d;
        pass.counts[best] += 1;
        for (s, v) in pass.sums[best * d..(best + 1) * d].iter_mut().zip(row) {
            *s += v;
        }
    }
    pass
}

/// Assigns every row, on `threads` threads over contiguous blocks (merged in block order, so
/// the result depends only on the data and the thread count).
fn assign(x: &Matrix, centers: &Matrix, labels: &mut [usize], dist: &mut [f64], threads: usize) -> Pass {
    if threads <= 1 {
        return assign_block(&x.data, x.d, centers, labels, dist);
    }
    let chunk = x.n.div_ceil(threads);
    let passes: Vec<Pass> = std::thread::scope(|s| {
        let handles: Vec<_> = x
            .data
            .chunks(chunk * x.d)
            .zip(labels.chunks_mut(chunk))
            .zip(dist.chunks_mut(chunk))
            .map(|((rows, l), dd)| s.spawn(move || assign_block(rows, x.d, centers, l, dd)))
            .collect();
        handles.into_iter().map(|h| h.join().expect("assignment thread")).collect()
    });
    let mut total = Pass { sums: vec![0.0; centers.n * x.d], counts: vec![0; centers.n], inertia: 0.0, changed: 0 };
    for p in passes {
        total.sums.iter_mut().zip(&p.sums).for_each(|(a, b)| *a += b);
        total.counts.iter_mut().zip(&p.counts).for_each(|(a, b)| *a += b);
        total.inertia += p.inertia;
        total.changed += p.changed;
    }
    total
}

/// Lloyd iterations from `centers` until the labels stop changing or the centres move by at
/// most `tol_abs` (sum of squared shifts), at most `max_iter` updates; then one last
/// assignment so that labels, centres and inertia agree.
pub fn lloyd(x: &Matrix, mut centers: Matrix, max_iter: usize, tol_abs: f64, threads: usize) -> LloydRun {
    let (k, d) = (centers.n, x.d);
    let mut labels = vec![usize::MAX; x.n];
    let mut dist = vec![0.0; x.n];
    let mut iters = 0;
    loop {
        let mut pass = assign(x, &centers, &mut labels, &mut dist, threads);
        if pass.changed == 0 || iters >= max_iter.max(1) {
            return LloydRun { labels, centers, inertia: pass.inertia, iters };
        }
        // Empty clusters take the rows farthest from their centres (as scikit-learn does).
        let empty: Vec<usize> = (0..k).filter(|&c| pass.counts[c] == 0).collect();
        if !empty.is_empty() {
            let mut order: Vec<usize> = (0..x.n).collect();
            order.sort_by(|&a, &b| dist[b].total_cmp(&dist[a]).then(a.cmp(&b)));
            for (&c, &i) in empty.iter().zip(&order) {
                let old = labels[i];
                if pass.counts[old] <= 1 {
                    continue;
                }
                pass.counts[old] -= 1;
                for (j, v) in x.row(i).iter().enumerate() {
                    pass.sums[old * d + j] -= v;
                    pass.sums[c * d + j] += v;
                }
                pass.counts[c] += 1;
                labels[i] = c;
            }
        }
        let mut shift = 0.0;
        for c in 0..k {
            if pass.counts[c] == 0 {
                continue;
            }
            for j in 0..d {
                let v = pass.sums[c * d + j] / pass.counts[c] as f64;
                let old = &mut centers.data[c * d + j];
                shift += (v - *old) * (v - *old);
                *old = v;
            }
        }
        iters += 1;
        if shift <= tol_abs {
            let last = assign(x, &centers, &mut labels, &mut dist, threads);
            return LloydRun { labels, centers, inertia: last.inertia, iters };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(k: usize, algorithm: Algorithm) -> KMeansParams {
        KMeansParams { k, n_init: 4, seed: 7, max_iter: 300, tol: 1e-4, algorithm, threads: 1 }
    }

    fn three_blobs() -> Matrix {
        let mut rows = Vec::new();
        for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
            for i in 0..20 {
                let t = i as f64;
                rows.push(vec![cx + (t * 0.37).sin(), cy + (t * 0.91).cos()]);
            }
        }
        Matrix::from_rows(rows).unwrap()
    }

    /// All three engines separate three far-apart blobs exactly, and report the inertia of
    /// their own labels and centres.
    #[test]
    fn engines_find_well_separated_blobs() {
        let x = three_blobs();
        for alg in [Algorithm::Smartcore, Algorithm::Hybrid, Algorithm::Native] {
            let f = fit(&x, &params(3, alg)).unwrap();
            for b in 0..3 {
                let l = f.labels[b * 20];
                assert!(f.labels[b * 20..(b + 1) * 20].iter().all(|&v| v == l), "{alg:?}");
            }
            let mut ls = vec![f.labels[0], f.labels[20], f.labels[40]];
            ls.sort();
            ls.dedup();
            assert_eq!(ls.len(), 3, "{alg:?}");
            assert!((f.inertia - inertia(&x, &f.labels, &f.centroids)).abs() < 1e-9);
            assert_eq!(f.init_inertias.len(), 4);
            assert_eq!(f.inertia, f.init_inertias.iter().cloned().fold(f64::INFINITY, f64::min));
        }
    }

    /// Same seed, same result; the per-init seeds are distinct.
    #[test]
    fn deterministic_for_a_seed() {
        let x = three_blobs();
        let a = fit(&x, &params(4, Algorithm::Native)).unwrap();
        let b = fit(&x, &params(4, Algorithm::Native)).unwrap();
        assert_eq!(a.labels, b.labels);
        assert_eq!(a.inertia, b.inertia);
        let seeds: std::collections::BTreeSet<u64> = (0..100).map(|i| init_seed(42, i)).collect();
        assert_eq!(seeds.len(), 100);
    }

    /// k = 1 is the total sum of squares (smartcore refuses k = 1).
    #[test]
    fn k_one_is_total_sum_of_squares() {
        let x = Matrix::from_rows(vec![vec![0.0, 0.0], vec![2.0, 0.0], vec![4.0, 3.0]]).unwrap();
        let f = fit(&x, &params(1, Algorithm::Smartcore)).unwrap();
        // mean (2, 1): 4+1 + 0+1 + 4+4 = 14
        assert!((f.inertia - 14.0).abs() < 1e-12);
        assert_eq!(f.labels, vec![0, 0, 0]);
    }

    /// Degenerate inputs are refused with a clear error before smartcore sees them.
    #[test]
    fn degenerate_inputs_are_refused() {
        let x = three_blobs();
        assert!(matches!(fit(&x, &params(0, Algorithm::Smartcore)), Err(ClusterError::KTooSmall { k: 0 })));
        assert!(matches!(fit(&x, &params(61, Algorithm::Smartcore)), Err(ClusterError::KTooLarge { k: 61, rows: 60 })));
        let empty = Matrix::new(0, 6, vec![]);
        assert!(matches!(fit(&empty, &params(2, Algorithm::Smartcore)), Err(ClusterError::NoRows { .. })));
        let same = Matrix::from_rows(vec![vec![1.0, 2.0]; 10]).unwrap();
        let e = fit(&same, &params(2, Algorithm::Smartcore)).unwrap_err();
        assert!(matches!(e, ClusterError::TooFewDistinct { k: 2, distinct: 1, rows: 10 }), "{e}");
        assert!(e.to_string().contains("identical"), "{e}");
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut m = three_blobs();
            m.data[7] = bad;
            let e = fit(&m, &params(3, Algorithm::Smartcore)).unwrap_err();
            assert!(matches!(e, ClusterError::NonFinite { .. }), "{e}");
            assert!(e.to_string().contains("row 3"), "{e}");
        }
    }

    /// The multi-threaded assignment gives the same labels as the single-threaded one.
    #[test]
    fn threads_do_not_change_labels() {
        let x = three_blobs();
        let c = kmeans_plus_plus(&x, 3, 1, 1);
        assert_eq!(c, kmeans_plus_plus(&x, 3, 1, 3));
        let a = lloyd(&x, c.clone(), 100, 0.0, 1);
        let b = lloyd(&x, c, 100, 0.0, 3);
        assert_eq!(a.labels, b.labels);
        assert!((a.inertia - b.inertia).abs() < 1e-9);
    }
}
