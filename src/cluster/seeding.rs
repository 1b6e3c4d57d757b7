//! scikit-learn's greedy k-means++ seeding: the first centre uniformly at random, then each
//! next one the best (lowest resulting potential) of `2 + ⌊ln k⌋` candidates drawn with
//! probability proportional to the squared distance to the nearest centre so far.
//!
//! One step reads the data twice, whatever the number of candidates: one pass computes every
//! candidate's potential at once (4 rows per lane array, over the columns), a second one
//! updates the distances with the winner. The random draws are those of one candidate at a
//! time, so a seed picks the same centres as before this was batched.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::columns::{Columns, LANES, min};
use super::matrix::Matrix;

/// The `k` initial centres for `seed` (`x` and `cols` hold the same rows).
pub fn kmeans_plus_plus(x: &Matrix, cols: &Columns, k: usize, seed: u64) -> Matrix {
    let n = x.n;
    let mut rng = StdRng::seed_from_u64(seed);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k * x.d);
    let first = rng.random_range(0..n);
    centers.extend_from_slice(x.row(first));
    let mut closest = vec![f64::INFINITY; n];
    by_dim!(x.d, update_closest(cols, x.row(first), &mut closest));
    let mut cumsum = vec![0.0; n];
    let mut cands: Vec<usize> = Vec::with_capacity(trials);
    let mut cand_rows: Vec<f64> = Vec::with_capacity(trials * x.d);
    let mut pots = vec![0.0; trials];
    for _ in 1..k {
        let mut acc = 0.0;
        for (c, d) in cumsum.iter_mut().zip(&closest) {
            acc += d;
            *c = acc;
        }
        cands.clear();
        cand_rows.clear();
        for _ in 0..trials {
            let r = rng.random::<f64>() * acc;
            let cand = cumsum.partition_point(|&c| c < r).min(n - 1);
            cands.push(cand);
            cand_rows.extend_from_slice(x.row(cand));
        }
        by_dim!(x.d, potentials(cols, &cand_rows, &closest, &mut pots));
        // The lowest potential, the first candidate drawn on ties.
        let mut best = 0;
        for t in 1..trials {
            if pots[t] < pots[best] {
                best = t;
            }
        }
        let row = x.row(cands[best]);
        by_dim!(x.d, update_closest(cols, row, &mut closest));
        centers.extend_from_slice(row);
    }
    Matrix::new(k, x.d, centers)
}

/// The squared distance of row `i` of `cols` to `c`, summed over the columns in order (the
/// same value in every pass, so the winner's potential is the sum of its updated distances).
#[inline(always)]
fn lane_dist<const D: usize>(cols: &Columns, base: usize, c: &[f64]) -> [f64; LANES] {
    let d = if D == 0 { cols.d } else { D };
    let mut s = [0.0; LANES];
    for j in 0..d {
        let col = &cols.data[j * cols.n + base..j * cols.n + base + LANES];
        for l in 0..LANES {
            let t = col[l] - c[j];
            s[l] += t * t;
        }
    }
    s
}

#[inline(always)]
fn one_dist<const D: usize>(cols: &Columns, i: usize, c: &[f64]) -> f64 {
    let d = if D == 0 { cols.d } else { D };
    let mut s = 0.0;
    for j in 0..d {
        let t = cols.data[j * cols.n + i] - c[j];
        s += t * t;
    }
    s
}

avx2_or_plain!(fn potentials<const D: usize>(cols: &Columns, cands: &[f64], closest: &[f64], pots: &mut [f64]) -> () = potentials_d);
avx2_or_plain!(fn update_closest<const D: usize>(cols: &Columns, c: &[f64], closest: &mut [f64]) -> () = update_closest_d);

/// Each candidate's potential: Σ min(closest, distance to the candidate), lane by lane, the
/// lanes added at the end (a fixed order, whatever the vector width the CPU offers).
#[inline(always)]
fn potentials_d<const D: usize>(cols: &Columns, cands: &[f64], closest: &[f64], pots: &mut [f64]) {
    let d = if D == 0 { cols.d } else { D };
    let t = cands.len() / d;
    let mut acc = vec![[0.0; LANES]; t];
    let blocks = cols.n / LANES;
    for b in 0..blocks {
        let base = b * LANES;
        let cl: &[f64] = &closest[base..base + LANES];
        for (a, c) in acc.iter_mut().zip(cands.chunks_exact(d)) {
            let s = lane_dist::<D>(cols, base, c);
            for l in 0..LANES {
                a[l] += min(s[l], cl[l]);
            }
        }
    }
    for i in blocks * LANES..cols.n {
        for (a, c) in acc.iter_mut().zip(cands.chunks_exact(d)) {
            a[i % LANES] += min(one_dist::<D>(cols, i, c), closest[i]);
        }
    }
    for (p, a) in pots.iter_mut().zip(&acc) {
        *p = (a[0] + a[1]) + (a[2] + a[3]);
    }
}

/// `closest[i] = min(closest[i], ‖row i − c‖²)`.
#[inline(always)]
fn update_closest_d<const D: usize>(cols: &Columns, c: &[f64], closest: &mut [f64]) {
    let blocks = cols.n / LANES;
    for b in 0..blocks {
        let base = b * LANES;
        let s = lane_dist::<D>(cols, base, c);
        let cl = &mut closest[base..base + LANES];
        for l in 0..LANES {
            cl[l] = min(s[l], cl[l]);
        }
    }
    for i in blocks * LANES..cols.n {
        closest[i] = min(one_dist::<D>(cols, i, c), closest[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batched potentials equal one candidate at a time, computed naively, and every
    /// centre is a row of the data, distinct from the others on separated data.
    #[test]
    fn batched_potentials_match_naive() {
        let rows: Vec<Vec<f64>> = (0..103).map(|i| vec![(i as f64 * 0.37).sin() * 5.0, (i as f64 * 0.11).cos(), (i % 7) as f64]).collect();
        let x = Matrix::from_rows(rows).unwrap();
        let cols = Columns::new(&x);
        let closest: Vec<f64> = (0..x.n).map(|i| super::super::matrix::sq_dist(x.row(i), x.row(5))).collect();
        let cands = [x.row(10).to_vec(), x.row(50).to_vec(), x.row(99).to_vec()].concat();
        let mut pots = vec![0.0; 3];
        potentials::<3>(&cols, &cands, &closest, &mut pots);
        let mut generic = vec![0.0; 3];
        potentials::<0>(&cols, &cands, &closest, &mut generic);
        assert_eq!(pots, generic);
        for (t, c) in [10, 50, 99].iter().enumerate() {
            let naive: f64 = (0..x.n).map(|i| super::super::matrix::sq_dist(x.row(i), x.row(*c)).min(closest[i])).sum();
            assert!((pots[t] - naive).abs() < 1e-9 * naive, "{} vs {naive}", pots[t]);
        }
        let centers = kmeans_plus_plus(&x, &cols, 5, 3);
        for c in 0..5 {
            assert!((0..x.n).any(|i| x.row(i) == centers.row(c)));
            assert!((0..c).all(|o| centers.row(o) != centers.row(c)));
        }
        assert_eq!(centers, kmeans_plus_plus(&x, &cols, 5, 3));
    }
}
