//! 2-D coordinates for plots: smartcore's PCA (covariance, via SVD) of the scaled matrix.
//!
//! A principal axis has no intrinsic sign; each is oriented so that its largest loading (by
//! absolute value, the first such feature on ties) is positive, so reruns and other engines
//! draw the same picture.

use smartcore::decomposition::pca::{PCA, PCAParameters};
use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;

use super::ClusterError;
use super::kmeans::Matrix;

/// `(pc1, pc2)` per row. With a single feature, pc2 is 0.
pub fn project_2d(x: &Matrix) -> Result<Vec<(f64, f64)>, ClusterError> {
    let comps = x.d.min(2);
    let err = |e: smartcore::error::Failed| ClusterError::Pca { message: e.to_string() };
    let dm = DenseMatrix::new(x.n, x.d, x.data.clone(), false).map_err(err)?;
    let pca = PCA::fit(&dm, PCAParameters::default().with_n_components(comps)).map_err(err)?;
    let t = pca.transform(&dm).map_err(err)?;
    let proj = pca.components(); // d × comps
    let mut sign = [1.0; 2];
    for (c, s) in sign.iter_mut().enumerate().take(comps) {
        let mut best = (0.0f64, 1.0);
        for j in 0..x.d {
            let v = *proj.get((j, c));
            if v.abs() > best.0 {
                best = (v.abs(), v.signum());
            }
        }
        *s = best.1;
    }
    Ok((0..x.n)
        .map(|i| {
            let a = *t.get((i, 0)) * sign[0];
            let b = if comps > 1 { *t.get((i, 1)) * sign[1] } else { 0.0 };
            (a, b)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points on a line y = 2x: all variance on pc1 (|pc1| = distance from the mean along
    /// the line), pc2 ≈ 0; the axis points towards growing x and y.
    #[test]
    fn line_projects_on_first_axis() {
        let rows: Vec<Vec<f64>> = (0..10).map(|i| vec![i as f64, 2.0 * i as f64]).collect();
        let x = Matrix::from_rows(rows).unwrap();
        let p = project_2d(&x).unwrap();
        for (i, (a, b)) in p.iter().enumerate() {
            let expected = (i as f64 - 4.5) * 5f64.sqrt();
            assert!((a - expected).abs() < 1e-9, "{a} vs {expected}");
            assert!(b.abs() < 1e-9);
        }
    }
}
