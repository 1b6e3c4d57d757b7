//! Robust scaling, exactly as scikit-learn's `RobustScaler` with its defaults
//! (`with_centering`, `with_scaling`, `quantile_range = (25, 75)`, `unit_variance = false`).
//!
//! For each feature: `center` = the median, `scale` = the inter-quartile range `q75 − q25`,
//! where the quantiles are NumPy's default "linear" ones (position `(n − 1)·p` in the sorted
//! column, linearly interpolated between its two neighbours). A scale below `10·ε` (a feature
//! that is constant over its middle half) is replaced by 1, as scikit-learn does, so that the
//! feature is only centred; [`RobustScaler::degenerate`] names such features.

use super::kmeans::Matrix;

/// The fitted parameters: one `center` and one `scale` per feature column.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustScaler {
    /// The median of each column.
    pub center: Vec<f64>,
    /// The inter-quartile range of each column (1 where it was ~0).
    pub scale: Vec<f64>,
    /// The 25th and 75th percentiles of each column, as measured.
    pub q25: Vec<f64>,
    pub q75: Vec<f64>,
    /// Columns whose inter-quartile range was ~0 and whose scale was therefore set to 1.
    pub degenerate: Vec<usize>,
}

/// NumPy's `percentile(..., method="linear")` of an ascending, non-empty slice, `p` in `[0, 1]`.
/// Uses NumPy's two-sided lerp (from `a` for `t < 0.5`, from `b` otherwise) so that results
/// match it to the last bit.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    debug_assert!(!sorted.is_empty());
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let t = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    let diff = b - a;
    if t >= 0.5 { b - diff * (1.0 - t) } else { a + diff * t }
}

/// NumPy's median: the middle value, or the mean of the two middle values.
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 }
}

impl RobustScaler {
    /// Fits on `x` (finite values, at least one row: [`super::kmeans::validate`] checks that).
    pub fn fit(x: &Matrix) -> RobustScaler {
        let (n, d) = (x.n, x.d);
        let mut center = Vec::with_capacity(d);
        let mut scale = Vec::with_capacity(d);
        let mut q25 = Vec::with_capacity(d);
        let mut q75 = Vec::with_capacity(d);
        let mut degenerate = Vec::new();
        let mut col = Vec::with_capacity(n);
        for j in 0..d {
            col.clear();
            col.extend((0..n).map(|i| x.get(i, j)));
            col.sort_by(f64::total_cmp);
            let (a, b) = (quantile_sorted(&col, 0.25), quantile_sorted(&col, 0.75));
            center.push(median_sorted(&col));
            q25.push(a);
            q75.push(b);
            let iqr = b - a;
            if iqr < 10.0 * f64::EPSILON {
                degenerate.push(j);
                scale.push(1.0);
            } else {
                scale.push(iqr);
            }
        }
        RobustScaler { center, scale, q25, q75, degenerate }
    }

    /// `(x − center) / scale`, column by column.
    pub fn transform(&self, x: &Matrix) -> Matrix {
        let mut out = x.clone();
        for row in out.data.chunks_exact_mut(x.d) {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (*v - self.center[j]) / self.scale[j];
            }
        }
        out
    }

    /// Back to original units: `v · scale + center`.
    pub fn inverse_row(&self, row: &[f64]) -> Vec<f64> {
        row.iter().enumerate().map(|(j, v)| v * self.scale[j] + self.center[j]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Matrix {
        Matrix::from_rows(rows.iter().map(|r| r.to_vec()).collect()).unwrap()
    }

    /// Quantiles follow NumPy's "linear" method: np.percentile([1, 2, 3, 4], 25) = 1.75,
    /// 75 → 3.25, median 2.5; on [1, 2, 3, 4, 10]: 2, 4, median 3.
    #[test]
    fn quantiles_match_numpy_linear() {
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.75), 3.25);
        assert_eq!(median_sorted(&[1.0, 2.0, 3.0, 4.0]), 2.5);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0, 10.0], 0.25), 2.0);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0, 10.0], 0.75), 4.0);
        assert_eq!(median_sorted(&[1.0, 2.0, 3.0, 4.0, 10.0]), 3.0);
        // np.percentile([0, 10], 25) = 2.5 ; one element: itself.
        assert_eq!(quantile_sorted(&[0.0, 10.0], 0.25), 2.5);
        assert_eq!(quantile_sorted(&[7.0], 0.75), 7.0);
    }

    /// RobustScaler().fit([[1, 10], [2, 20], [4, 20], [10, 80]]):
    /// center_ = [3, 20], scale_ = [5.5 − 1.75, 35 − 17.5] = [3.75, 17.5];
    /// transform row [10, 80] → [7/3.75, 60/17.5].
    #[test]
    fn fit_and_transform_like_sklearn() {
        let x = m(&[&[1.0, 10.0], &[2.0, 20.0], &[4.0, 20.0], &[10.0, 80.0]]);
        let s = RobustScaler::fit(&x);
        assert_eq!(s.center, vec![3.0, 20.0]);
        assert_eq!(s.scale, vec![3.75, 17.5]);
        assert!(s.degenerate.is_empty());
        let t = s.transform(&x);
        assert!((t.get(3, 0) - 7.0 / 3.75).abs() < 1e-12);
        assert!((t.get(3, 1) - 60.0 / 17.5).abs() < 1e-12);
        let back = s.inverse_row(&[t.get(3, 0), t.get(3, 1)]);
        assert!((back[0] - 10.0).abs() < 1e-12 && (back[1] - 80.0).abs() < 1e-12);
    }

    /// A column constant over its middle half has IQR 0: scale 1 (only centred), flagged.
    #[test]
    fn zero_iqr_is_guarded() {
        let x = m(&[&[5.0, 1.0], &[5.0, 2.0], &[5.0, 3.0], &[5.0, 4.0], &[9.0, 5.0]]);
        let s = RobustScaler::fit(&x);
        assert_eq!(s.scale[0], 1.0);
        assert_eq!(s.degenerate, vec![0]);
        let t = s.transform(&x);
        assert_eq!(t.get(4, 0), 4.0);
        assert!(t.data.iter().all(|v| v.is_finite()));
    }
}
