//! The matrix column by column (structure of arrays), with each row's squared norm: the layout
//! of the bulk distance passes (k-means++ potentials, a full assignment, a silhouette's
//! distance rows), where 4 consecutive rows fill the lanes of one vector register.

use super::matrix::Matrix;

/// Rows processed together by the bulk passes (the lanes of their arrays).
pub const LANES: usize = 4;

/// `n` rows × `d` columns stored column-major, and `‖row‖²` for each row.
#[derive(Debug, Clone)]
pub struct Columns {
    pub n: usize,
    pub d: usize,
    /// Column j is `data[j·n .. (j+1)·n]`.
    pub data: Vec<f64>,
    pub norms: Vec<f64>,
}

impl Columns {
    pub fn new(x: &Matrix) -> Columns {
        Columns::of_rows(x, (0..x.n).collect::<Vec<_>>().as_slice())
    }

    /// The columns of the rows `rows` of `x`, in that order.
    pub fn of_rows(x: &Matrix, rows: &[usize]) -> Columns {
        let (n, d) = (rows.len(), x.d);
        let mut data = vec![0.0; n * d];
        let mut norms = vec![0.0; n];
        for (q, &i) in rows.iter().enumerate() {
            let row = x.row(i);
            let mut s = 0.0;
            for (j, &v) in row.iter().enumerate() {
                data[j * n + q] = v;
                s += v * v;
            }
            norms[q] = s;
        }
        Columns { n, d, data, norms }
    }

    #[inline(always)]
    pub fn col(&self, j: usize) -> &[f64] {
        &self.data[j * self.n..(j + 1) * self.n]
    }
}

/// The smaller of two values, as one `minpd` (`f64::min` also orders NaNs, which
/// [`super::kmeans::validate`] has already refused).
#[inline(always)]
pub fn min(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_norms() {
        let x = Matrix::from_rows(vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]).unwrap();
        let c = Columns::new(&x);
        assert_eq!(c.col(0), &[1.0, 3.0, 5.0]);
        assert_eq!(c.col(1), &[2.0, 4.0, 6.0]);
        assert_eq!(c.norms, vec![5.0, 25.0, 61.0]);
        let sub = Columns::of_rows(&x, &[2, 0]);
        assert_eq!(sub.col(0), &[5.0, 1.0]);
        assert_eq!(sub.norms, vec![61.0, 5.0]);
    }
}
