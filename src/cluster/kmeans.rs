//! KMeans with `n_init` restarts: our k-means++ and Lloyd, or smartcore 0.7's `KMeans`.
//!
//! [`Matrix`] is the dense row-major input; [`validate`] rejects what smartcore would mishandle
//! (it panics on an empty matrix, silently labels everything 0 when one cell is NaN or
//! infinite, refuses k = 1, accepts k > rows); [`fit`] runs [`KMeansParams::n_init`]
//! initialisations with distinct seeds derived from the configured one and keeps the lowest
//! inertia, which it computes itself (smartcore exposes none).
//!
//! [`fit_each`] fits several k at once: every restart of every k is one job, the jobs run on
//! [`KMeansParams::threads`] threads (all cores by default), and each k keeps its lowest
//! inertia (the earliest restart on ties), so the result never depends on the thread count.
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

use std::sync::Mutex;

use serde::Deserialize;

use super::ClusterError;
use super::columns::Columns;
pub use super::lloyd::{LloydRun, lloyd};
pub use super::matrix::{Matrix, sq_dist};
use crate::parallel;
pub use super::seeding::kmeans_plus_plus;

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
    /// Worker threads, each running whole initialisations (of every k of [`fit_each`]);
    /// 0 = every core. The result does not depend on it.
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

impl KMeansFit {
    /// How many restarts ran (fewer than `n_init` when stopped early).
    pub fn restarts_run(&self) -> usize {
        self.init_inertias.iter().filter(|v| !v.is_nan()).count()
    }
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

/// Fits KMeans: `n_init` runs, the lowest inertia kept (the earliest run on ties).
pub fn fit(x: &Matrix, p: &KMeansParams) -> Result<KMeansFit, ClusterError> {
    fit_each(x, &[p.k], &[Restarts::All], p, &|| {}).pop().expect("one k")
}

/// How many of the `n_init` restarts a k of [`fit_each`] runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Restarts {
    /// All `n_init` of them (the k the run keeps).
    All,
    /// Early stopping for a k that is only a row of the elbow table: the first
    /// [`EARLY_MIN_RESTARTS`], then one more at a time while the last one lowered the best
    /// inertia by at least this fraction of it (never more than `n_init`). Which restarts run
    /// depends only on their results, never on the thread count.
    UntilFlat(f64),
}

/// The restarts an early-stopped k always runs. 2 rather than 3: on the original data only
/// k = 14's elbow row moved (1.468 % → 1.491 % above ten full restarts), both `auto` rules
/// chose the same k, and the build's instructions fell by 6 % (Lloyd and seeding: a fifth).
pub const EARLY_MIN_RESTARTS: usize = 2;

/// The best run of one k so far and every restart's inertia (NaN: not run).
struct Slot {
    best: Option<(usize, LloydRun)>,
    inertias: Vec<f64>,
    error: Option<ClusterError>,
}

/// [`fit`] for every k of `ks` (with `p`'s other settings), each running the restarts
/// `restarts` says (same length as `ks`), all of them as rounds of jobs on
/// [`KMeansParams::threads`] threads; `done` is called after each job. The results are in the
/// order of `ks`; a k with [`Restarts::All`] gets what [`fit`] alone returns for it.
pub fn fit_each(x: &Matrix, ks: &[usize], restarts: &[Restarts], p: &KMeansParams, done: &(dyn Fn() + Sync)) -> Vec<Result<KMeansFit, ClusterError>> {
    assert_eq!(ks.len(), restarts.len(), "one Restarts per k");
    if p.n_init < 1 {
        return ks.iter().map(|_| Err(ClusterError::Config(crate::setting::Invalid::new("n_init", "must be at least 1")))).collect();
    }
    let mut out: Vec<Option<Result<KMeansFit, ClusterError>>> = ks
        .iter()
        .map(|&k| match validate(x, k) {
            Err(e) => Some(Err(e)),
            Ok(()) if k == 1 => {
                let inertia = total_sum_of_squares(x);
                let centroids = Matrix::new(1, x.d, mean_row(x));
                Some(Ok(KMeansFit { labels: vec![0; x.n], centroids, inertia, n_iter: 0, best_init: 0, init_inertias: vec![inertia] }))
            }
            Ok(()) => None,
        })
        .collect();
    let mut slots: Vec<Slot> = ks.iter().map(|_| Slot { best: None, inertias: vec![f64::NAN; p.n_init], error: None }).collect();
    let runner = match Runner::new(x, p) {
        Ok(r) => r,
        Err(message) => return ks.iter().map(|&k| Err(ClusterError::Smartcore { k, seed: p.seed, message: message.clone() })).collect(),
    };
    // Round 0: every restart of an `All` k, the first few of the others; then one more for
    // each early-stopped k whose last restart still paid.
    let mut next: Vec<usize> = vec![0; ks.len()];
    let mut round = 0;
    loop {
        let mut jobs: Vec<(usize, usize)> = Vec::new();
        for t in (0..ks.len()).filter(|&t| out[t].is_none()) {
            let upto = match restarts[t] {
                Restarts::All => p.n_init,
                Restarts::UntilFlat(_) if round == 0 => EARLY_MIN_RESTARTS.min(p.n_init),
                Restarts::UntilFlat(gain) => {
                    if next[t] < p.n_init && slots[t].error.is_none() && still_paying(&slots[t].inertias[..next[t]], gain) { next[t] + 1 } else { next[t] }
                }
            };
            jobs.extend((next[t]..upto).map(|i| (t, i)));
            next[t] = upto;
        }
        if jobs.is_empty() {
            break;
        }
        runner.run(ks, &jobs, &mut slots, done);
        round += 1;
    }
    for (t, slot) in slots.into_iter().enumerate() {
        if out[t].is_none() {
            out[t] = Some(slot.into_fit(ks[t]));
        }
    }
    out.into_iter().map(|r| r.expect("every k answered")).collect()
}

/// `fit` (fitted on a sample of `x`'s rows) for every row of `x`: each row labelled with its
/// nearest centre (`cols`: `x`'s columns), the inertia measured on them all.
pub fn on_all_rows(x: &Matrix, cols: &Columns, fit: KMeansFit) -> KMeansFit {
    let (labels, inertia) = super::lloyd::assign(x, cols, &fit.centroids);
    KMeansFit { labels: labels.into_iter().map(|l| l as usize).collect(), inertia, ..fit }
}

/// Runs the restarts of `fit` (a result of [`fit_each`]) that early stopping skipped, so that
/// it becomes what [`fit`] alone returns for k.
pub fn complete(x: &Matrix, k: usize, fit: KMeansFit, p: &KMeansParams) -> Result<KMeansFit, ClusterError> {
    let missing: Vec<(usize, usize)> = (0..p.n_init).filter(|&i| fit.init_inertias.get(i).is_none_or(|v| v.is_nan())).map(|i| (0, i)).collect();
    if missing.is_empty() || k == 1 {
        return Ok(fit);
    }
    let runner = Runner::new(x, p).map_err(|message| ClusterError::Smartcore { k, seed: p.seed, message })?;
    let mut inertias = fit.init_inertias.clone();
    inertias.resize(p.n_init, f64::NAN);
    let labels: Vec<u32> = fit.labels.iter().map(|&l| l as u32).collect();
    let best = LloydRun { labels, centers: fit.centroids, inertia: fit.inertia, iters: fit.n_iter };
    let mut slots = vec![Slot { best: Some((fit.best_init, best)), inertias, error: None }];
    runner.run(&[k], &missing, &mut slots, &|| {});
    slots.pop().expect("one slot").into_fit(k)
}

/// Whether the last of `inertias` (in restart order) lowered the best of those before it by
/// at least `gain` of it.
fn still_paying(inertias: &[f64], gain: f64) -> bool {
    let Some((last, before)) = inertias.split_last() else { return true };
    let best = before.iter().copied().fold(f64::INFINITY, f64::min);
    *last < best * (1.0 - gain)
}

impl Slot {
    fn into_fit(self, k: usize) -> Result<KMeansFit, ClusterError> {
        match (self.error, self.best) {
            (Some(e), _) => Err(e),
            (None, Some((best_init, run))) => Ok(KMeansFit {
                labels: run.labels.into_iter().map(|l| l as usize).collect(),
                centroids: run.centers,
                inertia: run.inertia,
                n_iter: run.iters,
                best_init,
                init_inertias: self.inertias,
            }),
            (None, None) => unreachable!("every job of k = {k} ran"),
        }
    }
}

/// What every restart shares: the data's columns, the tolerance, smartcore's matrix.
struct Runner<'a> {
    x: &'a Matrix,
    p: &'a KMeansParams,
    cols: Columns,
    tol_abs: f64,
    dense: Option<smartcore::linalg::basic::matrix::DenseMatrix<f64>>,
}

impl<'a> Runner<'a> {
    fn new(x: &'a Matrix, p: &'a KMeansParams) -> Result<Runner<'a>, String> {
        let dense = match p.algorithm {
            Algorithm::Native => None,
            _ => Some(smartcore::linalg::basic::matrix::DenseMatrix::new(x.n, x.d, x.data.clone(), false).map_err(|e| e.to_string())?),
        };
        Ok(Runner { x, p, cols: Columns::new(x), tol_abs: p.tol * mean_feature_variance(x), dense })
    }

    /// Runs restart `i` of `ks[t]` for every `(t, i)` of `jobs` on all threads (largest k
    /// first, so that the longest jobs do not come last), each k keeping its lowest inertia
    /// (the earliest restart on ties).
    fn run(&self, ks: &[usize], jobs: &[(usize, usize)], slots: &mut [Slot], done: &(dyn Fn() + Sync)) {
        let (x, p) = (self.x, self.p);
        let mut jobs = jobs.to_vec();
        jobs.sort_by_key(|&(t, i)| (std::cmp::Reverse(ks[t]), t, i));
        let cells: Vec<Mutex<&mut Slot>> = slots.iter_mut().map(Mutex::new).collect();
        let threads = parallel::threads(p.threads, jobs.len());
        parallel::map(jobs.len(), threads, |j| {
            let (t, i) = jobs[j];
            let k = ks[t];
            let seed = init_seed(p.seed, i);
            let start = match (p.algorithm, &self.dense) {
                (Algorithm::Native, _) | (_, None) => Ok(kmeans_plus_plus(x, &self.cols, k, seed)),
                (alg, Some(dm)) => {
                    let max_iter = if alg == Algorithm::Hybrid { 1 } else { p.max_iter };
                    smartcore_labels(dm, k, seed, max_iter).map(|l| centers_from_labels(x, &l, k))
                }
            };
            match start {
                Ok(centers) => {
                    let run = lloyd(x, &self.cols, centers, p.max_iter, self.tol_abs);
                    let mut slot = cells[t].lock().expect("no thread panicked");
                    slot.inertias[i] = run.inertia;
                    if slot.best.as_ref().is_none_or(|(bi, b)| (run.inertia, i) < (b.inertia, *bi)) {
                        slot.best = Some((i, run));
                    }
                }
                Err(e) => {
                    cells[t].lock().expect("no thread panicked").error.get_or_insert(e);
                }
            }
            done();
        });
    }
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

    /// Early stopping: an early-stopped k runs the first `EARLY_MIN_RESTARTS` restarts, then
    /// one more only while the last paid, in restart order (the same on any thread count); a
    /// k with `Restarts::All` in the same sweep is exactly its own fit; `complete` then makes
    /// an early-stopped fit what the full fit is.
    #[test]
    fn early_stopped_restarts() {
        let x = three_blobs();
        let p = KMeansParams { n_init: 8, ..params(2, Algorithm::Native) };
        let ks = [2, 3, 5, 7];
        let rs = [Restarts::UntilFlat(0.001), Restarts::All, Restarts::UntilFlat(0.001), Restarts::UntilFlat(0.5)];
        let one = fit_each(&x, &ks, &rs, &KMeansParams { threads: 1, ..p.clone() }, &|| {});
        let two = fit_each(&x, &ks, &rs, &KMeansParams { threads: 2, ..p.clone() }, &|| {});
        for (t, (a, b)) in one.iter().zip(&two).enumerate() {
            let (a, b) = (a.as_ref().unwrap(), b.as_ref().unwrap());
            assert_eq!((a.inertia, &a.labels, a.best_init), (b.inertia, &b.labels, b.best_init), "k = {}", ks[t]);
            assert!(a.init_inertias.iter().zip(&b.init_inertias).all(|(u, v)| u == v || (u.is_nan() && v.is_nan())));
            let run = a.restarts_run();
            assert!(a.init_inertias[..run].iter().all(|v| !v.is_nan()), "restarts run in order: {:?}", a.init_inertias);
            match rs[t] {
                Restarts::All => assert_eq!(run, 8),
                Restarts::UntilFlat(gain) => {
                    assert!((EARLY_MIN_RESTARTS..=8).contains(&run), "k = {}: {run}", ks[t]);
                    // Each restart beyond the third followed one that paid; the last did not (or it is the 8th).
                    for r in EARLY_MIN_RESTARTS..run {
                        assert!(still_paying(&a.init_inertias[..r], gain), "k = {}: restart {r} ran after one that did not pay", ks[t]);
                    }
                    assert!(run == 8 || !still_paying(&a.init_inertias[..run], gain), "k = {} stopped while still paying", ks[t]);
                }
            }
        }
        let alone = fit(&x, &KMeansParams { k: 3, ..p.clone() }).unwrap();
        assert_eq!((one[1].as_ref().unwrap().inertia, &one[1].as_ref().unwrap().labels), (alone.inertia, &alone.labels));
        for (t, &k) in ks.iter().enumerate() {
            let full = fit(&x, &KMeansParams { k, ..p.clone() }).unwrap();
            let done = complete(&x, k, one[t].as_ref().unwrap().clone(), &p).unwrap();
            assert_eq!((done.inertia, &done.labels, done.best_init, done.restarts_run()), (full.inertia, &full.labels, full.best_init, 8), "k = {k}");
            assert_eq!(done.init_inertias, full.init_inertias, "k = {k}");
        }
    }

    /// The stopping rule by hand: a restart pays when it lowers the best before it by at
    /// least `gain` of it.
    #[test]
    fn still_paying_by_hand() {
        assert!(still_paying(&[10.0, 9.0, 8.0], 0.1), "8 < 9 × 0.9 = 8.1");
        assert!(!still_paying(&[10.0, 9.0, 8.2], 0.1));
        assert!(!still_paying(&[10.0, 9.0, 9.5], 0.0));
        assert!(still_paying(&[10.0], 0.5), "nothing before it");
    }

    /// Any thread count gives the same fit, and one sweep over several k gives what each
    /// k's own fit gives.
    #[test]
    fn threads_and_sweeps_do_not_change_fits() {
        let x = three_blobs();
        let one = fit(&x, &KMeansParams { threads: 1, ..params(3, Algorithm::Native) }).unwrap();
        let three = fit(&x, &KMeansParams { threads: 3, ..params(3, Algorithm::Native) }).unwrap();
        assert_eq!(one.labels, three.labels);
        assert_eq!(one.inertia, three.inertia);
        assert_eq!(one.init_inertias, three.init_inertias);
        let p = KMeansParams { threads: 2, ..params(2, Algorithm::Native) };
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let sweep = fit_each(&x, &[1, 2, 3, 4, 61], &[Restarts::All; 5], &p, &|| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        assert_eq!(calls.into_inner(), 3 * p.n_init, "one call per job of k = 2..4");
        for (r, k) in sweep.iter().zip([1, 2, 3, 4]) {
            let alone = fit(&x, &KMeansParams { k, ..p.clone() }).unwrap();
            let r = r.as_ref().unwrap();
            assert_eq!((r.inertia, &r.labels, r.best_init), (alone.inertia, &alone.labels, alone.best_init), "k = {k}");
        }
        assert!(matches!(sweep[4], Err(ClusterError::KTooLarge { k: 61, rows: 60 })));
    }
}
