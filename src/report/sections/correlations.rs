//! The Pearson correlations of the audio features, as a heatmap.


use super::super::gather::Db;
use super::super::svg::{self, Heatmap, thousands};
use super::super::{ReportError, Section};
use super::FEATURES;

/// Pearson's r over the pairs where both values are present; `None` with fewer than 3 pairs
/// or no variance.
pub fn pearson(xs: &[Option<f64>], ys: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = xs.iter().zip(ys).filter_map(|(x, y)| Some(((*x)?, (*y)?))).filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

pub(in crate::report) fn correlations(db: &Db<'_>) -> Result<Section, ReportError> {
    let Some(cols) = db.columns("tracks_features") else {
        return Ok(Section::Missing("no `tracks_features` table in the warehouse".into()));
    };
    let present: Vec<&str> = FEATURES.iter().copied().filter(|f| cols.iter().any(|(n, _)| n.eq_ignore_ascii_case(f))).collect();
    let select: Vec<String> = present.iter().map(|f| format!("CAST({f} AS DOUBLE)")).collect();
    if select.is_empty() {
        return Ok(Section::Missing("`tracks_features` has none of the audio feature columns".into()));
    }
    let rows = db.floats(&format!("SELECT {} FROM tracks_features", select.join(", ")), present.len())?;
    let columns: Vec<Vec<Option<f64>>> = (0..present.len()).map(|c| rows.iter().map(|r| r[c]).collect()).collect();
    // Keep features with values that vary (Popularity is empty for new data).
    let keep: Vec<usize> = (0..present.len()).filter(|&i| pearson(&columns[i], &columns[i]).is_some()).collect();
    if keep.len() < 2 {
        return Ok(Section::Missing("fewer than two audio features have values in `tracks_features`".into()));
    }
    let names: Vec<String> = keep.iter().map(|&i| present[i].to_string()).collect();
    let m: Vec<Vec<Option<f64>>> = keep.iter().map(|&i| keep.iter().map(|&j| pearson(&columns[i], &columns[j])).collect()).collect();
    let n_rows = columns[keep[0]].iter().filter(|v| v.is_some()).count();
    let color = |r: usize, c: usize| svg::diverging(m[r][c].unwrap_or(0.0));
    let ink = |r: usize, c: usize| svg::ink_on(m[r][c].unwrap_or(0.0));
    let text = |r: usize, c: usize| m[r][c].map(|v| format!("{v:.2}")).unwrap_or_default();
    let hm = Heatmap { rows: &names, cols: &names, cell: 58.0, color: &color, ink: &ink, text: &text, row_label_w: 140.0 };
    let mut body = format!(
        "<p class=\"note\">Pearson's r between audio features over the {} tracks that have them (blue −1, white 0, red +1).</p>",
        thousands(n_rows as u64)
    );
    body.push_str(&svg::heatmap(&hm));
    Ok(Section::Drawn(body))
}

