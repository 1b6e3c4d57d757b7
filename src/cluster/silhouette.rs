//! The mean silhouette coefficient of scikit-learn's `silhouette_score` (Euclidean), for
//! several labellings of the same rows at once.
//!
//! For each row, `a` = mean distance to the other rows of its cluster, `b` = the lowest mean
//! distance to the rows of another cluster, `s = (b − a) / max(a, b)`, and `s = 0` for a row
//! alone in its cluster. It is exact (O(n²)) up to [`SILHOUETTE_MAX_ROWS`] rows; above, it is
//! computed on a deterministic sample of that many rows (a Fisher–Yates shuffle seeded by the
//! run's seed), like `silhouette_score(..., sample_size=...)`, and the run says so.
//!
//! Every labelling needs the same n² distances, so [`silhouettes`] computes them once, 16 rows
//! at a time (a block's distances to every row, row-major so that one row's 16 values are
//! adjacent), and then, per labelling, each cluster's sums for the 16 rows by reading its
//! members' distances in row order: one index read per 16 sums, 4-wide additions. The
//! elbow's 19 silhouettes cost one distance matrix, never held whole (each thread keeps one
//! block's), and give each row the very sums the definition adds up.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::matrix::Matrix;
use crate::parallel;

/// Above this many rows the silhouette is computed on a deterministic sample of this size.
pub const SILHOUETTE_MAX_ROWS: usize = 10_000;

/// A silhouette value and how many rows it was measured on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Silhouette {
    pub value: f64,
    pub rows: usize,
}

/// The mean silhouette of `labels` (values `0..k`); see [`silhouettes`].
pub fn silhouette(x: &Matrix, labels: &[usize], k: usize, max_rows: usize, seed: u64) -> Option<Silhouette> {
    silhouettes(x, &[(labels, k)], max_rows, seed).pop().expect("one labelling")
}

/// The rows (ascending) of the sample of `max_rows` of `n` rows drawn with `seed` (a
/// Fisher–Yates shuffle), or all of them when `n ≤ max_rows`.
pub fn sample(n: usize, max_rows: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    if n > max_rows {
        idx.shuffle(&mut StdRng::seed_from_u64(seed));
        idx.truncate(max_rows);
        idx.sort_unstable();
    }
    idx
}

/// One labelling of the sample: its rows in cluster order and each cluster's span and size.
struct Order {
    labels: Vec<u32>,
    sorted: Vec<u32>,
    starts: Vec<usize>,
}

impl Order {
    fn size(&self, c: usize) -> usize {
        self.starts[c + 1] - self.starts[c]
    }
}

/// Rows per job: their distances to every row are computed together, and each cluster's
/// sums for all of them come from one read of each member's distances.
const BLOCK: usize = 16;

/// The mean silhouette of each labelling `(labels, k)` of the rows of `x`, exact up to
/// `max_rows` rows, else on a sample of `max_rows` rows drawn with `seed` (the same sample
/// for every labelling). `None` where it is undefined (fewer than 2 clusters, or as many
/// clusters as rows).
pub fn silhouettes(x: &Matrix, labellings: &[(&[usize], usize)], max_rows: usize, seed: u64) -> Vec<Option<Silhouette>> {
    let rows = sample(x.n, max_rows, seed);
    let m = rows.len();
    let orders: Vec<Option<Order>> = labellings
        .iter()
        .map(|&(labels, k)| {
            let labels: Vec<u32> = rows.iter().map(|&i| labels[i] as u32).collect();
            let mut starts = vec![0usize; k + 1];
            labels.iter().for_each(|&l| starts[l as usize + 1] += 1);
            let used = starts.iter().filter(|&&s| s > 0).count();
            if used < 2 || used >= m {
                return None;
            }
            for c in 0..k {
                starts[c + 1] += starts[c];
            }
            let mut next = starts.clone();
            let mut sorted = vec![0u32; m];
            for (q, &l) in labels.iter().enumerate() {
                sorted[next[l as usize]] = q as u32;
                next[l as usize] += 1;
            }
            Some(Order { labels, sorted, starts })
        })
        .collect();
    if orders.iter().all(Option::is_none) {
        return vec![None; labellings.len()];
    }
    let sample = Matrix::new(m, x.d, rows.iter().flat_map(|&i| x.row(i).iter().copied()).collect());
    let blocks = m.div_ceil(BLOCK);
    let threads = parallel::threads(0, if m >= 1_000 { blocks } else { 1 });
    // Per block, each labelling's sum of s over the block's rows (added in block order).
    let sums: Vec<Vec<f64>> = parallel::map_with(
        blocks,
        threads,
        || (vec![0.0; m * BLOCK], Vec::new()),
        |(dist, cluster_sums), b| by_dim!(x.d, block(&sample, &orders, b * BLOCK, dist, cluster_sums)),
    );
    orders
        .iter()
        .enumerate()
        .map(|(t, o)| o.as_ref().map(|_| Silhouette { value: sums.iter().map(|s| s[t]).sum::<f64>() / m as f64, rows: m }))
        .collect()
}

avx2_or_plain!(fn block<const D: usize>(sample: &Matrix, orders: &[Option<Order>], q0: usize, dist: &mut [f64], sums: &mut Vec<f64>) -> Vec<f64> = block_d);

/// Rows `q0 .. q0 + BLOCK` (fewer at the end): `dist[r·BLOCK + q]` = the distance of row
/// `q0 + q` to row r, then each labelling's sum of their `s`. A cluster's sum of distances is
/// added member by member in row order (as the definition reads).
#[inline(always)]
fn block_d<const D: usize>(sample: &Matrix, orders: &[Option<Order>], q0: usize, dist: &mut [f64], sums: &mut Vec<f64>) -> Vec<f64> {
    let (m, d) = (sample.n, if D == 0 { sample.d } else { D });
    let bq = BLOCK.min(m - q0);
    let mut xq = vec![0.0; d * BLOCK];
    for q in 0..bq {
        for (j, &v) in sample.row(q0 + q).iter().enumerate() {
            xq[j * BLOCK + q] = v;
        }
    }
    for (r, out) in sample.data.chunks_exact(d).zip(dist.chunks_exact_mut(BLOCK)) {
        let mut s = [0.0; BLOCK];
        for j in 0..d {
            let v = r[j];
            let col = &xq[j * BLOCK..(j + 1) * BLOCK];
            for q in 0..BLOCK {
                let t = col[q] - v;
                s[q] += t * t;
            }
        }
        for q in 0..BLOCK {
            out[q] = s[q].sqrt();
        }
    }
    // Plain loops, so that all of it is compiled for the CPU's vectors (see `avx2_or_plain!`).
    let mut out = vec![0.0; orders.len()];
    for (o, total) in orders.iter().zip(out.iter_mut()) {
        let Some(o) = o else { continue };
        let k = o.starts.len() - 1;
        sums.clear();
        sums.resize(k * BLOCK, 0.0);
        for c in 0..k {
            let mut acc = [0.0; BLOCK];
            for &r in &o.sorted[o.starts[c]..o.starts[c + 1]] {
                let row: &[f64; BLOCK] = dist[r as usize * BLOCK..(r as usize + 1) * BLOCK].try_into().expect("BLOCK distances");
                for q in 0..BLOCK {
                    acc[q] += row[q];
                }
            }
            // Transposed: row q's k sums are adjacent.
            for q in 0..BLOCK {
                sums[q * k + c] = acc[q];
            }
        }
        for q in 0..bq {
            *total += row_silhouette(o, q0 + q, &sums[q * k..(q + 1) * k]);
        }
    }
    out
}

/// `s` of row `q` for one labelling, from its sum of distances to each cluster.
#[inline(always)]
fn row_silhouette(o: &Order, q: usize, sums: &[f64]) -> f64 {
    let own = o.labels[q] as usize;
    let size = o.size(own);
    if size <= 1 {
        return 0.0; // a row alone in its cluster
    }
    // The row's distance to itself is 0: the sum over its cluster is over the others.
    let a = sums[own] / (size - 1) as f64;
    let mut b = f64::INFINITY;
    for (c, &sum) in sums.iter().enumerate() {
        let n = o.size(c);
        if c != own && n > 0 && sum / (n as f64) < b {
            b = sum / n as f64;
        }
    }
    let most = a.max(b);
    if most > 0.0 { (b - a) / most } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::matrix::sq_dist;

    /// Two tight pairs far apart: by hand, a(0) = 1, b(0) = mean(10, √101) → s ≈ 0.9;
    /// checked against the formula row by row.
    #[test]
    fn silhouette_by_hand() {
        let x = Matrix::from_rows(vec![vec![0.0, 0.0], vec![0.0, 1.0], vec![10.0, 0.0], vec![10.0, 1.0]]).unwrap();
        let labels = [0, 0, 1, 1];
        let s = silhouette(&x, &labels, 2, 100, 0).unwrap();
        let b = (10.0 + 101f64.sqrt()) / 2.0;
        let expected = (b - 1.0) / b;
        assert!((s.value - expected).abs() < 1e-12, "{s:?} vs {expected}");
        assert_eq!(s.rows, 4);
        // a singleton contributes 0; one cluster is undefined.
        let s3 = silhouette(&x, &[0, 0, 1, 2], 3, 100, 0).unwrap();
        assert!(s3.value < s.value);
        assert!(silhouette(&x, &[0, 0, 0, 0], 1, 100, 0).is_none());
    }

    /// Above the cap the sample is deterministic for a seed and has the cap's size.
    #[test]
    fn sampled_silhouette_is_deterministic() {
        let rows: Vec<Vec<f64>> = (0..300).map(|i| vec![(i % 3) as f64 * 10.0 + (i as f64 * 0.1).sin(), 0.0]).collect();
        let labels: Vec<usize> = (0..300).map(|i| i % 3).collect();
        let x = Matrix::from_rows(rows).unwrap();
        let a = silhouette(&x, &labels, 3, 100, 5).unwrap();
        let b = silhouette(&x, &labels, 3, 100, 5).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rows, 100);
        assert!(a.value > 0.8);
    }

    /// Several labellings at once (on more than one thread) equal each computed alone by
    /// the definition, pair by pair.
    #[test]
    fn many_labellings_match_the_definition() {
        let n = 1_203;
        let rows: Vec<Vec<f64>> = (0..n).map(|i| vec![(i as f64 * 0.37).sin(), (i as f64 * 0.11).cos() * 2.0, (i % 5) as f64 * 0.3]).collect();
        let x = Matrix::from_rows(rows).unwrap();
        let l2: Vec<usize> = (0..n).map(|i| usize::from(x.get(i, 0) > 0.0)).collect();
        let l4: Vec<usize> = (0..n).map(|i| (i * 7) % 4).collect();
        let l1 = vec![0; n];
        let got = silhouettes(&x, &[(&l2, 2), (&l1, 1), (&l4, 4)], 10_000, 0);
        assert!(got[1].is_none());
        for (labels, k, s) in [(&l2, 2, got[0]), (&l4, 4, got[2])] {
            let mut total = 0.0;
            for i in 0..n {
                let mut sum = vec![0.0; k];
                let mut size = vec![0usize; k];
                for j in 0..n {
                    sum[labels[j]] += sq_dist(x.row(i), x.row(j)).sqrt();
                    size[labels[j]] += 1;
                }
                let own = labels[i];
                let a = sum[own] / (size[own] - 1) as f64;
                let b = (0..k).filter(|&c| c != own).map(|c| sum[c] / size[c] as f64).fold(f64::INFINITY, f64::min);
                total += (b - a) / a.max(b);
            }
            let want = total / n as f64;
            assert!((s.unwrap().value - want).abs() < 1e-12, "k = {k}: {:?} vs {want}", s);
        }
    }
}
