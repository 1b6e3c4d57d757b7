//! The cluster centroids, feature by feature, as a heatmap of scaled values.

use std::collections::BTreeMap;

use super::super::gather::{Db, label_of};
use super::super::svg::{self, Heatmap, short};
use super::super::{ReportError, Section};
use super::WIDTH;

pub(in crate::report) fn centroids(db: &Db<'_>) -> Result<Section, ReportError> {
    let Some(cols) = db.columns("cluster_centroids") else {
        return Ok(Section::Missing("no `cluster_centroids` table (clustering not run)".into()));
    };
    let names = db.cluster_names()?;
    let find = |n: &str| cols.iter().find(|(c, _)| c.eq_ignore_ascii_case(n)).map(|(c, _)| c.clone());
    // Long form (cluster, feature, value) or wide form (cluster, <one column per feature>).
    let mut grid: BTreeMap<i64, BTreeMap<String, f64>> = BTreeMap::new();
    let mut features: Vec<String> = Vec::new();
    if let (Some(cl), Some(fe), Some(va)) = (find("cluster"), find("feature"), find("value")) {
        let sql = format!("SELECT CAST({cl} AS VARCHAR), CAST({fe} AS VARCHAR), CAST({va} AS VARCHAR) FROM cluster_centroids ORDER BY 1, 2");
        for r in db.strings(&sql, 3)? {
            let (Some(c), Some(f)) = (r[0].as_deref().and_then(|c| c.parse::<i64>().ok()), r[1].clone()) else { continue };
            let v = r[2].as_deref().and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
            if !features.contains(&f) {
                features.push(f.clone());
            }
            grid.entry(c).or_default().insert(f, v);
        }
    } else if let Some(cl) = find("cluster") {
        const NUMERIC: [&str; 8] = ["DOUBLE", "FLOAT", "REAL", "DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "HUGEINT"];
        const NOT_FEATURES: [&str; 5] = ["cluster", "run_id", "k", "size", "n"];
        features = cols
            .iter()
            .filter(|(n, t)| NUMERIC.iter().any(|p| t.to_uppercase().starts_with(p)) && !NOT_FEATURES.iter().any(|x| n.eq_ignore_ascii_case(x)))
            .map(|(n, _)| n.clone())
            .collect();
        if !features.is_empty() {
            let sel: Vec<String> = std::iter::once(format!("CAST({cl} AS DOUBLE)")).chain(features.iter().map(|f| format!("CAST(\"{f}\" AS DOUBLE)"))).collect();
            for r in db.floats(&format!("SELECT {} FROM cluster_centroids ORDER BY 1", sel.join(", ")), sel.len())? {
                let Some(c) = r[0] else { continue };
                let row = grid.entry(c as i64).or_default();
                for (i, f) in features.iter().enumerate() {
                    row.insert(f.clone(), r[i + 1].unwrap_or(f64::NAN));
                }
            }
        }
    }
    if grid.is_empty() || features.is_empty() {
        return Ok(Section::Missing("`cluster_centroids` has no (cluster, feature) values".into()));
    }
    let clusters: Vec<i64> = grid.keys().copied().collect();
    let value = |r: usize, c: usize| grid[&clusters[r]].get(&features[c]).copied().unwrap_or(f64::NAN);
    // Colour by how far a centroid sits from the other clusters' on that feature (z over clusters).
    let z: Vec<Vec<f64>> = {
        let stats: Vec<(f64, f64)> = (0..features.len())
            .map(|c| {
                let v: Vec<f64> = (0..clusters.len()).map(|r| value(r, c)).filter(|x| x.is_finite()).collect();
                let n = v.len().max(1) as f64;
                let m = v.iter().sum::<f64>() / n;
                let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
                (m, sd)
            })
            .collect();
        (0..clusters.len())
            .map(|r| (0..features.len()).map(|c| if stats[c].1 > 0.0 { (value(r, c) - stats[c].0) / stats[c].1 / 2.0 } else { 0.0 }).collect())
            .collect()
    };
    let rows: Vec<String> = clusters.iter().map(|c| label_of(&names, *c)).collect();
    let color = |r: usize, c: usize| svg::diverging(z[r][c]);
    let ink = |r: usize, c: usize| svg::ink_on(z[r][c]);
    let text = |r: usize, c: usize| {
        let v = value(r, c);
        if v.is_finite() { short(v) } else { String::new() }
    };
    let cell = ((WIDTH - 330.0) / features.len() as f64).clamp(50.0, 78.0);
    let hm = Heatmap { rows: &rows, cols: &features, cell, color: &color, ink: &ink, text: &text, row_label_w: 320.0 };
    let mut body = String::from(
        "<p class=\"note\">Each cluster's centroid; cells show the centroid's value, coloured by how far it lies from the other clusters on that feature (blue below, red above).</p>",
    );
    body.push_str(&svg::heatmap(&hm));
    Ok(Section::Drawn(body))
}

