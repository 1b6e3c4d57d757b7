//! Lloyd's iterations: the same assignments as the plain algorithm (each row to its nearest
//! centre, the lowest index on ties), either with every distance at every pass or with
//! Hamerly's bounds, which skip most distance computations once the centres settle. With few
//! centres × features ([`FULL_PASS_MAX_KD`]) the full passes, branch-free over the columns, are
//! the faster; above it the bounds are used.
//!
//! Each row keeps an upper bound `u` on the distance to its centre and a lower bound `l` on the
//! distance to every other one. When the centres move, `u` grows by its centre's move and `l`
//! shrinks by the largest move of another centre. A row whose `u` is at most `max(l, s)` —
//! `s` being half the distance from its centre to the nearest other centre — cannot have a
//! nearer centre (triangle inequality), and is not looked at again; otherwise `u` is made
//! exact, and only if the test still fails are all `k` distances computed.
//!
//! The first assignment computes every distance, over the columns ([`Columns`], 4 rows per
//! lane array) in the expanded form `‖x‖² − 2 x·c + ‖c‖²` with the norms cached; the per-row
//! distances of later passes are direct, but for a full search over the centres, which goes
//! through the same expanded form over the centres stored 4 by 4 column by column. The
//! per-centre sums are updated when a row changes centre, so a row within its bounds costs a
//! few comparisons and is not read. Convergence is scikit-learn's: the labels stop
//! changing, or the centres move by at most `tol_abs` (sum of squared shifts), after at most
//! `max_iter` updates; the final labels always belong to the final centres, and the inertia
//! is measured on them directly.

use super::columns::{Columns, LANES};
use super::matrix::{Matrix, sqd};

/// The outcome of [`lloyd`].
#[derive(Debug, Clone)]
pub struct LloydRun {
    pub labels: Vec<u32>,
    pub centers: Matrix,
    pub inertia: f64,
    pub iters: usize,
}

/// Up to this many centres × features, every pass is a full one ([`full_pass`]): measured on
/// the original data (4 108 rows × 6 features, 10 restarts, one thread), the full passes took
/// 0.45–0.6× the time of the bounded ones for every k of 2..20 (k = 8: 12.1 ms against 23.7 ms;
/// k = 20: 33.8 ms against 59.2 ms), and as long on 100 000 and 1 000 000 rows of blobs. Above
/// it (more features or centres, not measured) the bounds are kept.
pub const FULL_PASS_MAX_KD: usize = 128;

/// Lloyd iterations from `centers` (see the module overview); `x` and `cols` hold the same rows.
pub fn lloyd(x: &Matrix, cols: &Columns, centers: Matrix, max_iter: usize, tol_abs: f64) -> LloydRun {
    let full = centers.n * x.d <= FULL_PASS_MAX_KD;
    lloyd_with(x, cols, centers, max_iter, tol_abs, full)
}

/// [`lloyd`] with its passes chosen: full ones (`full`) or bounded ones.
fn lloyd_with(x: &Matrix, cols: &Columns, centers: Matrix, max_iter: usize, tol_abs: f64, full: bool) -> LloydRun {
    by_dim!(x.d, lloyd_any(x, cols, centers, max_iter, tol_abs, full))
}

avx2_or_plain!(fn lloyd_any<const D: usize>(x: &Matrix, cols: &Columns, centers: Matrix, max_iter: usize, tol_abs: f64, full: bool) -> LloydRun = lloyd_d);

/// Per-centre sums and counts of the rows assigned to it, kept up to date as rows change
/// centre (a row that stays is not read again).
struct Sums {
    sums: Vec<f64>,
    counts: Vec<usize>,
}

impl Sums {
    fn new(k: usize, d: usize) -> Sums {
        Sums { sums: vec![0.0; k * d], counts: vec![0; k] }
    }

    #[inline(always)]
    fn add(&mut self, c: usize, row: &[f64]) {
        let d = row.len();
        self.counts[c] += 1;
        for (s, v) in self.sums[c * d..(c + 1) * d].iter_mut().zip(row) {
            *s += v;
        }
    }

    /// [`Sums::sub`] with the dimension known at compile time (`D = 0`: any).
    #[inline(always)]
    fn sub_d<const D: usize>(&mut self, c: usize, row: &[f64]) {
        if D == 0 {
            return self.sub(c, row);
        }
        self.counts[c] -= 1;
        let s: &mut [f64; D] = (&mut self.sums[c * D..(c + 1) * D]).try_into().expect("D sums");
        let row: &[f64; D] = row.try_into().expect("row of D values");
        for j in 0..D {
            s[j] -= row[j];
        }
    }

    /// [`Sums::add`] with the dimension known at compile time (`D = 0`: any).
    #[inline(always)]
    fn add_d<const D: usize>(&mut self, c: usize, row: &[f64]) {
        if D == 0 {
            return self.add(c, row);
        }
        self.counts[c] += 1;
        let s: &mut [f64; D] = (&mut self.sums[c * D..(c + 1) * D]).try_into().expect("D sums");
        let row: &[f64; D] = row.try_into().expect("row of D values");
        for j in 0..D {
            s[j] += row[j];
        }
    }

    #[inline(always)]
    fn sub(&mut self, c: usize, row: &[f64]) {
        let d = row.len();
        self.counts[c] -= 1;
        for (s, v) in self.sums[c * d..(c + 1) * d].iter_mut().zip(row) {
            *s -= v;
        }
    }
}

/// The centres 4 at a time, each group column by column (`cols[(g·d + j)·4 + l]` is feature j
/// of centre 4g + l), padded to a multiple of [`LANES`] with centres that never win (norm
/// +∞), and their squared norms: one row's distances to all of them are a few vector
/// operations per feature.
struct CentresT {
    k: usize,
    cols: Vec<f64>,
    norms: Vec<f64>,
}

impl CentresT {
    fn new(k: usize, d: usize) -> CentresT {
        let kp = k.div_ceil(LANES) * LANES;
        CentresT { k, cols: vec![0.0; kp * d], norms: vec![f64::INFINITY; kp] }
    }

    #[inline(always)]
    fn set(&mut self, centers: &Matrix) {
        let d = centers.d;
        for c in 0..self.k {
            let row = centers.row(c);
            let mut s = 0.0;
            for (j, &v) in row.iter().enumerate() {
                self.cols[((c / LANES) * d + j) * LANES + c % LANES] = v;
                s += v * v;
            }
            self.norms[c] = s;
        }
    }

    /// The nearest centre to `row` (of squared norm `norm`; lowest index on ties), its
    /// distance and the second-nearest distance, through `‖c‖² − 2 x·c` (`scratch`: d values).
    #[inline(always)]
    fn nearest_two<const D: usize>(&self, row: &[f64], norm: f64, scratch: &mut [f64]) -> (usize, f64, f64) {
        let d = if D == 0 { row.len() } else { D };
        let m = &mut scratch[..d];
        for j in 0..d {
            m[j] = -2.0 * row[j];
        }
        // Lane by lane, the smallest value (and its centre) and the second smallest; the
        // padding centres are +∞ and never win.
        let mut best = [f64::INFINITY; LANES];
        let mut next = [f64::INFINITY; LANES];
        let mut idx = [0.0; LANES];
        let groups = self.cols.chunks_exact(d * LANES).zip(self.norms.chunks_exact(LANES));
        for (gi, (g, n)) in groups.enumerate() {
            let mut acc = [0.0; LANES];
            acc.copy_from_slice(n);
            for j in 0..d {
                let col = &g[j * LANES..(j + 1) * LANES];
                for l in 0..LANES {
                    acc[l] += m[j] * col[l];
                }
            }
            let base = (gi * LANES) as f64;
            for l in 0..LANES {
                let v = acc[l];
                let lt = v < best[l];
                next[l] = if lt { best[l] } else if v < next[l] { v } else { next[l] };
                idx[l] = if lt { base + l as f64 } else { idx[l] };
                best[l] = if lt { v } else { best[l] };
            }
        }
        // Across lanes: the lowest value, the lowest centre on ties; the second smallest is
        // the least of the other lanes' smallest and every lane's second.
        let mut bl = 0;
        for l in 1..LANES {
            if best[l] < best[bl] || (best[l] == best[bl] && idx[l] < idx[bl]) {
                bl = l;
            }
        }
        let mut d2 = next[bl];
        for l in 0..LANES {
            if l != bl {
                d2 = d2.min(best[l]).min(next[l]);
            }
        }
        (idx[bl] as usize, (norm + best[bl]).max(0.0).sqrt(), (norm + d2).max(0.0).sqrt())
    }
}

#[inline(always)]
fn lloyd_d<const D: usize>(x: &Matrix, cols: &Columns, mut centers: Matrix, max_iter: usize, tol_abs: f64, full: bool) -> LloydRun {
    let (n, d, k) = (x.n, x.d, centers.n);
    let mut labels = vec![0u32; n];
    let mut upper = vec![0.0; n];
    let mut lower = vec![0.0; n];
    let mut sums = Sums::new(k, d);
    assign_all::<D>(cols, &centers, &mut labels, &mut upper, &mut lower);
    let dd = if D == 0 { d } else { D };
    for (row, &l) in x.data.chunks_exact(dd).zip(&labels) {
        sums.add_d::<D>(l as usize, row);
    }
    let mut t = CentresT::new(k, d);
    let mut scratch = vec![0.0; d];
    let mut changed = n;
    let mut iters = 0;
    let mut moved = vec![0.0; k];
    let mut half = vec![0.0; k];
    while changed > 0 && iters < max_iter.max(1) {
        if sums.counts.contains(&0) {
            relocate_empty(x, &centers, &mut labels, &mut upper, &mut lower, &mut sums);
        }
        // New centres, how far each moved, and the total squared shift.
        let mut shift = 0.0;
        for c in 0..k {
            let count = sums.counts[c];
            let mut m = 0.0;
            if count > 0 {
                for j in 0..d {
                    let v = sums.sums[c * d + j] / count as f64;
                    let old = &mut centers.data[c * d + j];
                    m += (v - *old) * (v - *old);
                    *old = v;
                }
            }
            shift += m;
            moved[c] = m.sqrt();
        }
        iters += 1;
        if full {
            // Small k·d: every row measured against every centre, branch-free (FULL_PASS_MAX_KD).
            changed = full_pass::<D>(x, cols, &centers, &mut labels, &mut sums);
        } else {
            t.set(&centers);
            half_gaps::<D>(&centers, &mut half);
            // The largest move, and the largest of the others (for rows of that centre).
            let (mut top, mut second, mut top_c) = (0.0, 0.0, usize::MAX);
            for (c, &m) in moved.iter().enumerate() {
                if m > top {
                    second = top;
                    top = m;
                    top_c = c;
                } else if m > second {
                    second = m;
                }
            }
            changed = 0;
            let rows = x.data.chunks_exact(dd).zip(&cols.norms);
            for ((row, &norm), (label, (up, lo))) in rows.zip(labels.iter_mut().zip(upper.iter_mut().zip(lower.iter_mut()))) {
                let a = *label as usize;
                let mut u = *up + moved[a];
                let mut l = *lo - if a == top_c { second } else { top };
                let bound = if half[a] > l { half[a] } else { l };
                if u > bound {
                    u = sqd::<D>(row, centers.row(a)).sqrt();
                    if u > bound {
                        let (b, d1, d2) = t.nearest_two::<D>(row, norm, &mut scratch);
                        if b != a {
                            *label = b as u32;
                            changed += 1;
                            sums.sub_d::<D>(a, row);
                            sums.add_d::<D>(b, row);
                        }
                        u = d1;
                        l = d2;
                    }
                }
                *up = u;
                *lo = l;
            }
        }
        if shift <= tol_abs {
            break;
        }
    }
    let inertia = x.data.chunks_exact(dd).zip(&labels).map(|(row, &l)| sqd::<D>(row, centers.row(l as usize))).sum();
    LloydRun { labels, centers, inertia, iters }
}

/// Each centre's squared norm `‖c‖²`.
fn sq_norms(centers: &Matrix) -> Vec<f64> {
    (0..centers.n).map(|c| centers.row(c).iter().map(|v| v * v).sum()).collect()
}

/// `x·c` for the 4 rows from `base` (over the columns).
#[inline(always)]
fn block_dot<const D: usize>(cols: &Columns, center: &[f64], base: usize) -> [f64; LANES] {
    let (n, d) = (cols.n, if D == 0 { cols.d } else { D });
    let mut dot = [0.0; LANES];
    for j in 0..d {
        let col = &cols.data[j * n + base..j * n + base + LANES];
        for l in 0..LANES {
            dot[l] += col[l] * center[j];
        }
    }
    dot
}

/// `x·c` for row `i` alone (the rows after the last block of 4).
#[inline(always)]
fn row_dot<const D: usize>(cols: &Columns, center: &[f64], i: usize) -> f64 {
    let (n, d) = (cols.n, if D == 0 { cols.d } else { D });
    let mut dot = 0.0;
    for j in 0..d {
        dot += cols.data[j * n + i] * center[j];
    }
    dot
}

/// One full pass: every row to its nearest centre (the lowest index on ties), 4 rows at a time
/// over the columns through `‖c‖² − 2 x·c`; the per-centre sums recomputed from the new labels.
/// Returns how many rows changed centre.
#[inline(always)]
fn full_pass<const D: usize>(x: &Matrix, cols: &Columns, centers: &Matrix, labels: &mut [u32], sums: &mut Sums) -> usize {
    let (n, k) = (cols.n, centers.n);
    let d = if D == 0 { cols.d } else { D };
    let cnorm = sq_norms(centers);
    let mut changed = 0;
    let blocks = n / LANES;
    for blk in 0..blocks {
        let base = blk * LANES;
        let mut best = [f64::INFINITY; LANES];
        let mut idx = [0.0; LANES];
        for c in 0..k {
            let dot = block_dot::<D>(cols, centers.row(c), base);
            for l in 0..LANES {
                let v = cnorm[c] - 2.0 * dot[l];
                let lt = v < best[l];
                idx[l] = if lt { c as f64 } else { idx[l] };
                best[l] = if lt { v } else { best[l] };
            }
        }
        for l in 0..LANES {
            let b = idx[l] as u32;
            changed += usize::from(labels[base + l] != b);
            labels[base + l] = b;
        }
    }
    for i in blocks * LANES..n {
        let (mut b, mut best) = (0u32, f64::INFINITY);
        for c in 0..k {
            let dot = row_dot::<D>(cols, centers.row(c), i);
            let v = cnorm[c] - 2.0 * dot;
            if v < best {
                best = v;
                b = c as u32;
            }
        }
        changed += usize::from(labels[i] != b);
        labels[i] = b;
    }
    sums.sums.iter_mut().for_each(|s| *s = 0.0);
    sums.counts.iter_mut().for_each(|c| *c = 0);
    for (row, &l) in x.data.chunks_exact(d).zip(labels.iter()) {
        sums.add_d::<D>(l as usize, row);
    }
    changed
}

/// Every row's nearest centre (the lowest index on ties) and the inertia of that labelling.
pub fn assign(x: &Matrix, cols: &Columns, centers: &Matrix) -> (Vec<u32>, f64) {
    let mut labels = vec![0u32; x.n];
    let (mut upper, mut lower) = (vec![0.0; x.n], vec![0.0; x.n]);
    by_dim!(x.d, assign_any(cols, centers, &mut labels, &mut upper, &mut lower));
    let inertia = x.data.chunks_exact(x.d).zip(&labels).map(|(row, &l)| super::matrix::sq_dist(row, centers.row(l as usize))).sum();
    (labels, inertia)
}

avx2_or_plain!(fn assign_any<const D: usize>(cols: &Columns, centers: &Matrix, labels: &mut [u32], upper: &mut [f64], lower: &mut [f64]) -> () = assign_all);

/// Half the distance from each centre to its nearest other centre (∞ with one centre).
#[inline(always)]
fn half_gaps<const D: usize>(centers: &Matrix, half: &mut [f64]) {
    half.iter_mut().for_each(|h| *h = f64::INFINITY);
    for a in 0..centers.n {
        for b in a + 1..centers.n {
            let g = sqd::<D>(centers.row(a), centers.row(b)).sqrt() / 2.0;
            if g < half[a] {
                half[a] = g;
            }
            if g < half[b] {
                half[b] = g;
            }
        }
    }
}

/// Every row's nearest and second-nearest centre, 4 rows at a time over the columns, through
/// `‖c‖² − 2 x·c` (the row's own norm added only to the two distances kept).
#[inline(always)]
fn assign_all<const D: usize>(cols: &Columns, centers: &Matrix, labels: &mut [u32], upper: &mut [f64], lower: &mut [f64]) {
    let (n, k) = (cols.n, centers.n);
    let cnorm = sq_norms(centers);
    let blocks = n / LANES;
    let finish = |i: usize, b: f64, d1: f64, d2: f64, labels: &mut [u32], upper: &mut [f64], lower: &mut [f64]| {
        labels[i] = b as u32;
        upper[i] = (cols.norms[i] + d1).max(0.0).sqrt();
        lower[i] = (cols.norms[i] + d2).max(0.0).sqrt();
    };
    for blk in 0..blocks {
        let base = blk * LANES;
        let mut best = [f64::INFINITY; LANES];
        let mut next = [f64::INFINITY; LANES];
        let mut idx = [0.0; LANES];
        for c in 0..k {
            let dot = block_dot::<D>(cols, centers.row(c), base);
            for l in 0..LANES {
                let v = cnorm[c] - 2.0 * dot[l];
                let lt = v < best[l];
                next[l] = if lt { best[l] } else if v < next[l] { v } else { next[l] };
                idx[l] = if lt { c as f64 } else { idx[l] };
                best[l] = if lt { v } else { best[l] };
            }
        }
        for l in 0..LANES {
            finish(base + l, idx[l], best[l], next[l], labels, upper, lower);
        }
    }
    for i in blocks * LANES..n {
        let (mut b, mut d1, mut d2) = (0.0, f64::INFINITY, f64::INFINITY);
        for c in 0..k {
            let dot = row_dot::<D>(cols, centers.row(c), i);
            let v = cnorm[c] - 2.0 * dot;
            if v < d1 {
                d2 = d1;
                d1 = v;
                b = c as f64;
            } else if v < d2 {
                d2 = v;
            }
        }
        finish(i, b, d1, d2, labels, upper, lower);
    }
}

/// Empty clusters take the rows farthest from their centres (as scikit-learn does), one each,
/// from clusters that keep at least one row; a moved row's bounds are reset so that the next
/// pass measures it.
fn relocate_empty(x: &Matrix, centers: &Matrix, labels: &mut [u32], upper: &mut [f64], lower: &mut [f64], sums: &mut Sums) {
    let dist: Vec<f64> = (0..x.n).map(|i| super::matrix::sq_dist(x.row(i), centers.row(labels[i] as usize))).collect();
    let mut order: Vec<usize> = (0..x.n).collect();
    order.sort_by(|&a, &b| dist[b].total_cmp(&dist[a]).then(a.cmp(&b)));
    let mut next = order.into_iter();
    for c in 0..centers.n {
        if sums.counts[c] > 0 {
            continue;
        }
        let Some(i) = next.by_ref().find(|&i| sums.counts[labels[i] as usize] > 1) else { return };
        let old = labels[i] as usize;
        sums.sub(old, x.row(i));
        sums.add(c, x.row(i));
        labels[i] = c as u32;
        upper[i] = f64::INFINITY;
        lower[i] = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::matrix::sq_dist;

    /// Plain Lloyd, written the obvious way: every distance at every pass.
    fn plain(x: &Matrix, mut centers: Matrix, max_iter: usize, tol_abs: f64) -> (Vec<u32>, f64, usize) {
        let (k, d) = (centers.n, x.d);
        let nearest = |c: &Matrix, i: usize| (0..k).min_by(|&a, &b| sq_dist(x.row(i), c.row(a)).total_cmp(&sq_dist(x.row(i), c.row(b)))).unwrap() as u32;
        let mut labels: Vec<u32> = (0..x.n).map(|i| nearest(&centers, i)).collect();
        let mut iters = 0;
        let mut changed = true;
        while changed && iters < max_iter {
            let mut shift = 0.0;
            for c in 0..k {
                let members: Vec<usize> = (0..x.n).filter(|&i| labels[i] as usize == c).collect();
                for j in 0..d {
                    let v = members.iter().map(|&i| x.get(i, j)).sum::<f64>() / members.len() as f64;
                    shift += (v - centers.data[c * d + j]).powi(2);
                    centers.data[c * d + j] = v;
                }
            }
            iters += 1;
            let new: Vec<u32> = (0..x.n).map(|i| nearest(&centers, i)).collect();
            changed = new != labels;
            labels = new;
            if shift <= tol_abs {
                break;
            }
        }
        let inertia = (0..x.n).map(|i| sq_dist(x.row(i), centers.row(labels[i] as usize))).sum();
        (labels, inertia, iters)
    }

    /// The bounded iterations and the full ones give plain Lloyd's labels, inertia and
    /// iteration count, from the same start, on data without clear clusters (where bounds are
    /// tested hardest).
    #[test]
    fn same_as_plain_lloyd() {
        let rows: Vec<Vec<f64>> = (0..517)
            .map(|i| {
                let t = i as f64;
                vec![(t * 0.37).sin() * 3.0 + (t * 0.013).cos(), (t * 0.91).cos() * 2.0, ((t * 0.173).sin() * 7.0).fract(), (t * 0.057).sin()]
            })
            .collect();
        let x = Matrix::from_rows(rows).unwrap();
        let cols = Columns::new(&x);
        for k in [2, 5, 9] {
            let start = Matrix::new(k, 4, (0..k).flat_map(|c| x.row(c * 37).to_vec()).collect());
            let (labels, inertia, iters) = plain(&x, start.clone(), 300, 0.0);
            for full in [false, true] {
                let run = lloyd_with(&x, &cols, start.clone(), 300, 0.0, full);
                assert_eq!(run.labels, labels, "k = {k}, full passes: {full}");
                assert_eq!(run.iters, iters, "k = {k}, full passes: {full}");
                assert!((run.inertia - inertia).abs() < 1e-9 * inertia, "k = {k}, full passes: {full}: {} vs {inertia}", run.inertia);
            }
        }
    }

    /// A centre left without rows takes the farthest row, and the run still ends with every
    /// cluster used and labels that belong to the final centres.
    #[test]
    fn empty_cluster_is_reseeded() {
        let x = Matrix::from_rows(vec![vec![0.0], vec![0.1], vec![0.2], vec![10.0], vec![10.1]]).unwrap();
        let cols = Columns::new(&x);
        // The third centre is far from every row: it starts empty.
        for full in [false, true] {
            let run = lloyd_with(&x, &cols, Matrix::new(3, 1, vec![0.0, 10.0, 100.0]), 100, 0.0, full);
            let mut used = run.labels.clone();
            used.sort();
            used.dedup();
            assert_eq!(used.len(), 3, "full passes: {full}: {:?}", run.labels);
            let expect: f64 = (0..x.n).map(|i| sq_dist(x.row(i), run.centers.row(run.labels[i] as usize))).sum();
            assert!((run.inertia - expect).abs() < 1e-12);
        }
    }
}
