//! A dense row-major matrix of `n` rows × `d` features, and the squared distance between rows.

/// A dense row-major matrix of `n` rows × `d` columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub n: usize,
    pub d: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn new(n: usize, d: usize, data: Vec<f64>) -> Matrix {
        assert_eq!(n * d, data.len(), "matrix shape");
        Matrix { n, d, data }
    }

    /// From equally long rows; `None` when they are not.
    pub fn from_rows(rows: Vec<Vec<f64>>) -> Option<Matrix> {
        let d = rows.first().map_or(0, Vec::len);
        if rows.iter().any(|r| r.len() != d) {
            return None;
        }
        let n = rows.len();
        Some(Matrix { n, d, data: rows.into_iter().flatten().collect() })
    }

    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.d + j]
    }

    #[inline]
    /// The rows `rows` of the matrix, in that order.
    pub fn select(&self, rows: &[usize]) -> Matrix {
        Matrix::new(rows.len(), self.d, rows.iter().flat_map(|&i| self.row(i).iter().copied()).collect())
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.d..(i + 1) * self.d]
    }
}

#[inline]
pub fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// [`sq_dist`] with the dimension known at compile time (`D = 0`: any dimension), so that the
/// hot loops are unrolled for the usual 2–8 features (see `by_dim!` in [`super`]).
#[inline(always)]
pub fn sqd<const D: usize>(a: &[f64], b: &[f64]) -> f64 {
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

