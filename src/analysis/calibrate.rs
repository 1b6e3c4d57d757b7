//! Spotify-comparable values: a per-feature calibration of the analysis against the tracks
//! that also have another features source, with k-fold cross-validation.
//!
//! For each target ([`TARGETS`]: Danceability, Energy, Loudness, Tempo) a ridge regression
//! (λ = 1e-3 on standardised predictors, intercept unpenalised) maps the analysis descriptors
//! onto the other source's value. Folds are deterministic (track key order, `i mod k`). The
//! out-of-fold predictions give R², the mean absolute error and Spearman's rank correlation,
//! stored in `analysis_calibration` with the final fit's coefficients (on all rows). A target
//! with fewer than [`MIN_ROWS`] tracks having both gets no fit: its analysed value stands in
//! uncalibrated (`calibrated = false`). When `analysis_tags` has rows (the musicnn model
//! ran), [`TAG_TARGETS`] join them: Instrumentalness from the derived `instrumental` and the
//! voice tags, Valence from the mood scores and a few genre tags; a track without tags has
//! NULL there.

use duckdb::Connection;

use crate::db::duck;

use super::error::AnalysisError;
use super::key::pearson;

/// The fewest tracks with both sources that a fit needs.
pub const MIN_ROWS: usize = 10;
const LAMBDA: f64 = 1e-3;

/// A calibrated feature: its `tracks_features` column and the `analysis_features` columns
/// that predict it (the first is the one that stands in when there is no fit).
pub struct Target {
    pub feature: &'static str,
    pub predictors: &'static [&'static str],
}

pub const TARGETS: &[Target] = &[
    Target { feature: "Danceability", predictors: &["danceability", "tempo_confidence", "onset_rate", "spectral_flux", "energy"] },
    Target { feature: "Energy", predictors: &["energy", "loudness_lufs", "spectral_entropy", "spectral_flux", "onset_rate", "spectral_centroid_hz"] },
    Target { feature: "Loudness", predictors: &["loudness_lufs"] },
    Target { feature: "Tempo", predictors: &["tempo_bpm"] },
];

/// The targets predicted from `analysis_tags` (src/analysis/musicnn.rs), when it has rows.
pub const TAG_TARGETS: &[Target] = &[
    Target { feature: "Instrumentalness", predictors: &["instrumental", "tag_no_vocals", "tag_no_voice", "tag_vocal", "tag_voice", "tag_singing"] },
    Target { feature: "Valence", predictors: &["bright", "energetic", "calm", "dark", "tag_pop", "tag_dance", "tag_classical", "tag_slow"] },
];

/// Whether `analysis_tags` exists and has rows.
fn have_tags(conn: &Connection) -> Result<bool, crate::db::DbError> {
    let ctx = "looking for analysis_tags";
    let exists: i64 =
        conn.query_row("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'analysis_tags' AND database_name = current_database()", [], |r| r.get(0)).map_err(duck(ctx))?;
    if exists == 0 {
        return Ok(false);
    }
    let rows: i64 = conn.query_row("SELECT count(*) FROM analysis_tags", [], |r| r.get(0)).map_err(duck(ctx))?;
    Ok(rows > 0)
}

/// A fitted linear map in original units: `intercept + Σ coef_j x_j`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub intercept: f64,
    pub coef: Vec<f64>,
}

impl Fit {
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.intercept + self.coef.iter().zip(x).map(|(c, v)| c * v).sum::<f64>()
    }
}

/// Cross-validated quality of a fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    pub r2: f64,
    pub mae: f64,
    pub spearman: f64,
}

/// Solves `a x = b` (small, symmetric positive definite) by Gaussian elimination.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for i in 0..n {
        let p = (i..n).max_by(|&x, &y| a[x][i].abs().total_cmp(&a[y][i].abs()))?;
        a.swap(i, p);
        b.swap(i, p);
        if a[i][i].abs() < 1e-12 {
            return None;
        }
        for r in i + 1..n {
            let f = a[r][i] / a[i][i];
            for c in i..n {
                a[r][c] -= f * a[i][c];
            }
            b[r] -= f * b[i];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (b[i] - (i + 1..n).map(|c| a[i][c] * x[c]).sum::<f64>()) / a[i][i];
    }
    Some(x)
}

/// Ridge regression of `y` on the rows of `x`.
pub fn fit(x: &[Vec<f64>], y: &[f64]) -> Option<Fit> {
    let n = y.len();
    let d = x.first()?.len();
    if n < 2 {
        return None;
    }
    let mean: Vec<f64> = (0..d).map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n as f64).collect();
    let sd: Vec<f64> = (0..d).map(|j| (x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n as f64).sqrt().max(1e-12)).collect();
    let ym = y.iter().sum::<f64>() / n as f64;
    let mut a = vec![vec![0.0; d]; d];
    let mut b = vec![0.0; d];
    for (r, yv) in x.iter().zip(y) {
        let z: Vec<f64> = (0..d).map(|j| (r[j] - mean[j]) / sd[j]).collect();
        for i in 0..d {
            b[i] += z[i] * (yv - ym);
            for j in 0..d {
                a[i][j] += z[i] * z[j];
            }
        }
    }
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += LAMBDA * n as f64;
    }
    let beta = solve(a, b)?;
    let coef: Vec<f64> = beta.iter().zip(&sd).map(|(b, s)| b / s).collect();
    let intercept = ym - coef.iter().zip(&mean).map(|(c, m)| c * m).sum::<f64>();
    Some(Fit { intercept, coef })
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            r[idx[k]] = avg;
        }
        i = j + 1;
    }
    r
}

/// k-fold cross-validation (`i mod k`): the out-of-fold quality.
pub fn cross_validate(x: &[Vec<f64>], y: &[f64], k: usize) -> Option<Quality> {
    let n = y.len();
    if n < k.max(2) {
        return None;
    }
    let mut pred = vec![0.0; n];
    for fold in 0..k {
        let (tx, ty): (Vec<Vec<f64>>, Vec<f64>) = (0..n).filter(|i| i % k != fold).map(|i| (x[i].clone(), y[i])).unzip();
        let f = fit(&tx, &ty)?;
        for i in (0..n).filter(|i| i % k == fold) {
            pred[i] = f.predict(&x[i]);
        }
    }
    let ym = y.iter().sum::<f64>() / n as f64;
    let ss_res: f64 = y.iter().zip(&pred).map(|(a, p)| (a - p).powi(2)).sum();
    let ss_tot: f64 = y.iter().map(|a| (a - ym).powi(2)).sum();
    Some(Quality {
        r2: if ss_tot > 0.0 { 1.0 - ss_res / ss_tot } else { 0.0 },
        mae: y.iter().zip(&pred).map(|(a, p)| (a - p).abs()).sum::<f64>() / n as f64,
        spearman: pearson(&ranks(y), &ranks(&pred)),
    })
}

/// One row of `analysis_calibration`.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub feature: &'static str,
    pub n: usize,
    pub fit: Option<Fit>,
    pub quality: Option<Quality>,
}

/// Reads the pairs, fits every target, writes `analysis_calibration` and
/// `analysis_calibrated` (one row per analysed track with its calibrated values).
pub fn calibrate(conn: &Connection, folds: usize) -> Result<Vec<Calibration>, AnalysisError> {
    let ctx = "calibrating the analysis";
    conn.execute_batch(include_str!("../../sql/outputs/analysis_calibration.sql")).map_err(duck(ctx))?;
    conn.execute_batch(include_str!("../../sql/outputs/analysis_calibrated.sql")).map_err(duck(ctx))?;
    let mut out = Vec::new();
    // one analysis per track: its first file (with its tags when there are)
    let tags = have_tags(conn)?;
    let per_track = if tags {
        "(SELECT f.*, g.* EXCLUDE (file_key, track_id) FROM analysis_features f LEFT JOIN analysis_tags g USING (file_key)
          WHERE f.track_id IS NOT NULL QUALIFY row_number() OVER (PARTITION BY f.track_id ORDER BY f.file_key) = 1)"
    } else {
        "(SELECT * FROM analysis_features WHERE track_id IS NOT NULL QUALIFY row_number() OVER (PARTITION BY track_id ORDER BY file_key) = 1)"
    };
    let targets: Vec<&Target> = TARGETS.iter().chain(TAG_TARGETS.iter().filter(|_| tags)).collect();
    let width = TARGETS.len() + TAG_TARGETS.len();
    let mut calibrated: std::collections::BTreeMap<String, Vec<Option<f64>>> = std::collections::BTreeMap::new();
    for (t_i, t) in targets.iter().enumerate() {
        let cols = t.predictors.iter().map(|p| format!("CAST(a.{p} AS DOUBLE)")).collect::<Vec<_>>().join(", ");
        let not_null = t.predictors.iter().map(|p| format!("a.{p} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
        let sql = format!(
            "SELECT a.track_id, f.{feat}, {cols} FROM {per_track} a LEFT JOIN tracks_features f ON f.Track_id = a.track_id AND f.has_features
             WHERE {not_null} ORDER BY a.track_id",
            feat = t.feature
        );
        let mut stmt = conn.prepare(&sql).map_err(duck(ctx))?;
        let mut rows = stmt.query([]).map_err(duck(ctx))?;
        let (mut all, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(r) = rows.next().map_err(duck(ctx))? {
            let id: String = r.get(0).map_err(duck(ctx))?;
            let target: Option<f64> = r.get(1).map_err(duck(ctx))?;
            let xs: Vec<f64> = (0..t.predictors.len()).map(|j| r.get::<_, f64>(2 + j)).collect::<Result<_, _>>().map_err(duck(ctx))?;
            if let Some(v) = target.filter(|v| v.is_finite()) {
                x.push(xs.clone());
                y.push(v);
            }
            all.push((id, xs));
        }
        let (fit_, quality) = if y.len() >= MIN_ROWS.max(folds) { (fit(&x, &y), cross_validate(&x, &y, folds)) } else { (None, None) };
        for (id, xs) in &all {
            let v = match &fit_ {
                Some(f) => f.predict(xs),
                None => xs[0],
            };
            calibrated.entry(id.clone()).or_insert_with(|| vec![None; width])[t_i] = Some(v);
        }
        out.push(Calibration { feature: t.feature, n: y.len(), fit: fit_, quality });
    }
    for c in &out {
        let t = targets.iter().find(|t| t.feature == c.feature).expect("a target");
        let coefficients = c.fit.as_ref().map(|f| {
            let parts: Vec<String> = std::iter::once(format!("\"intercept\": {}", f.intercept)).chain(t.predictors.iter().zip(&f.coef).map(|(p, v)| format!("\"{p}\": {v}"))).collect();
            format!("{{{}}}", parts.join(", "))
        });
        conn.execute(
            "INSERT INTO analysis_calibration VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            duckdb::params![c.feature, t.predictors.join(","), c.n as i64, folds as i64, c.quality.map(|q| q.r2), c.quality.map(|q| q.mae), c.quality.map(|q| q.spearman), coefficients],
        )
        .map_err(duck(ctx))?;
    }
    let fitted: Vec<bool> = out.iter().map(|c| c.fit.is_some()).collect();
    let mut app = conn.appender("analysis_calibrated").map_err(duck(ctx))?;
    for (id, v) in &calibrated {
        app.append_row(duckdb::params![id, v[0], v[1], v[2], v[3], v[4], v[5], fitted.iter().all(|f| *f)]).map_err(duck(ctx))?;
    }
    app.flush().map_err(duck(ctx))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On synthetic data where the target is a known linear function of the descriptors plus
    /// Gaussian noise of known variance, the cross-validated R² is what the noise allows
    /// (signal variance over total), within 0.03, and the fit recovers the coefficients.
    #[test]
    fn cross_validated_r2_matches_the_noise_bound() {
        let mut state = 12345u64;
        let mut unif = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let n = 3000;
        let (beta, sigma) = ([0.6, -0.3, 0.2], 0.25);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let r: Vec<f64> = (0..3).map(|_| unif() * 2.0 - 1.0).collect();
            // Box–Muller
            let g = (-2.0 * unif().ln()).sqrt() * (2.0 * std::f64::consts::PI * unif()).cos();
            y.push(0.5 + r.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() + sigma * g);
            x.push(r);
        }
        // var(x_j) = 1/3 for U(-1, 1)
        let signal: f64 = beta.iter().map(|b| b * b / 3.0).sum();
        let expected = signal / (signal + sigma * sigma);
        let q = cross_validate(&x, &y, 5).unwrap();
        assert!((q.r2 - expected).abs() < 0.03, "R² {:.3}, the noise allows {expected:.3}", q.r2);
        assert!((q.mae - sigma * (2.0 / std::f64::consts::PI).sqrt()).abs() < 0.02, "MAE {}", q.mae);
        let f = fit(&x, &y).unwrap();
        for (c, b) in f.coef.iter().zip(beta) {
            assert!((c - b).abs() < 0.03, "{:?}", f.coef);
        }
        assert!((f.intercept - 0.5).abs() < 0.03);
    }
}

/// The build step after `tracks_features`: `analysis_calibration`, `analysis_calibrated` and
/// `tracks_features_analysis` (what clustering reads unless `cluster_on = "features"`).
pub fn calibrate_step(ctx: &crate::step::StepContext<'_>, cfg: &super::AnalysisConfig) -> Result<crate::step::StepOutput, AnalysisError> {
    let conn = ctx.conn;
    let cals = calibrate(conn, cfg.folds)?;
    let mode = match cfg.cluster_on {
        super::ClusterOn::Analysis => "analysis",
        _ => "combined",
    };
    conn.execute_batch(&format!("SET VARIABLE analysis_cluster_on = {}", crate::db::literal(mode))).map_err(duck("setting analysis_cluster_on"))?;
    conn.execute_batch(include_str!("../../sql/outputs/tracks_features_analysis.sql")).map_err(duck("building tracks_features_analysis"))?;
    let rows: i64 = conn.query_row("SELECT count(*) FROM tracks_features_analysis", [], |r| r.get(0)).map_err(duck("counting tracks_features_analysis"))?;
    let parts: Vec<String> = cals
        .iter()
        .map(|c| match c.quality {
            Some(q) => format!("{} R² {:.2} (n {})", c.feature, q.r2, c.n),
            None => format!("{} unfitted (n {})", c.feature, c.n),
        })
        .collect();
    Ok(crate::step::StepOutput::ok(rows as u64).with_note(parts.join(", ")))
}
