//! Choosing k: inertia and silhouette over k, with the chosen k marked.

use std::fmt::Write as _;

use super::super::gather::Db;
use super::super::svg::{self};
use super::super::{ReportError, Section};

pub(in crate::report) fn elbow(db: &Db<'_>) -> Result<Section, ReportError> {
    if !db.has("cluster_elbow", &["k", "inertia"])? {
        return Ok(Section::Missing("no `cluster_elbow` table (clustering not run)".into()));
    }
    let has_sil = db.has("cluster_elbow", &["silhouette"])?;
    let has_chosen = db.has("cluster_elbow", &["chosen"])?;
    let sql = format!(
        "SELECT CAST(k AS DOUBLE), CAST(inertia AS DOUBLE), {}, {} FROM cluster_elbow ORDER BY k",
        if has_sil { "CAST(silhouette AS DOUBLE)" } else { "CAST(NULL AS DOUBLE)" },
        if has_chosen { "CASE WHEN chosen THEN 1.0 ELSE 0.0 END" } else { "0.0" }
    );
    let rows = db.floats(&sql, 4)?;
    if rows.is_empty() {
        return Ok(Section::Missing("`cluster_elbow` is empty".into()));
    }
    let ks: Vec<f64> = rows.iter().map(|r| r[0].unwrap_or(f64::NAN)).collect();
    let inertia: Vec<f64> = rows.iter().map(|r| r[1].unwrap_or(f64::NAN)).collect();
    let sil: Vec<f64> = rows.iter().map(|r| r[2].unwrap_or(f64::NAN)).collect();
    let chosen = rows.iter().find(|r| r[3] == Some(1.0)).and_then(|r| r[0]);
    let label = chosen.map(|k| format!("chosen k = {k}")).unwrap_or_default();
    let mut body = String::from("<p class=\"note\">KMeans inertia (within-cluster sum of squares, lower is tighter) and mean silhouette (higher is better separated) for each k tried");
    if let Some(k) = chosen {
        let _ = write!(body, "; the dashed line marks the chosen k = {k}");
    }
    body.push_str(".</p><div class=\"row\">");
    body.push_str(&svg::line_chart(&ks, &inertia, 580.0, 330.0, "inertia", "#4e79a7", chosen, &label));
    if has_sil && sil.iter().any(|v| v.is_finite()) {
        body.push_str(&svg::line_chart(&ks, &sil, 580.0, 330.0, "silhouette", "#e15759", chosen, &label));
    } else {
        body.push_str("<p class=\"missing\">Not drawn: no silhouette values in `cluster_elbow`.</p>");
    }
    body.push_str("</div>");
    Ok(Section::Drawn(body))
}

