//! The tracks on the first two principal components, coloured by cluster.

use std::collections::BTreeMap;

use super::super::gather::{Db, label_of};
use super::super::svg::{self, Point, thousands};
use super::super::{ReportError, Section};
use super::{WIDTH, truncate};

pub(in crate::report) fn pca(db: &Db<'_>) -> Result<Section, ReportError> {
    if !db.has("track_clusters", &["cluster", "pc1", "pc2"])? {
        return Ok(Section::Missing("no `track_clusters` table with pc1, pc2 (clustering not run)".into()));
    }
    let rows = db.floats("SELECT CAST(pc1 AS DOUBLE), CAST(pc2 AS DOUBLE), CAST(cluster AS DOUBLE) FROM track_clusters ORDER BY track_id", 3)?;
    let points: Vec<Point> = rows.iter().filter_map(|r| Some(Point { x: r[0]?, y: r[1]?, group: r[2]? as i64 })).collect();
    if points.is_empty() {
        return Ok(Section::Missing("`track_clusters` has no rows with pc1 and pc2".into()));
    }
    let names = db.cluster_names()?;
    let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
    for p in &points {
        *counts.entry(p.group).or_default() += 1;
    }
    let legend: Vec<(i64, String)> = counts.iter().map(|(c, n)| (*c, format!("{} ({})", label_of(&names, *c), thousands(*n)))).collect();
    let legend: Vec<(i64, String)> = legend.into_iter().map(|(c, l)| (c, truncate(&l, 40))).collect();
    let mut body = format!(
        "<p class=\"note\">{} tracks projected on the first two principal components of the scaled features, coloured by cluster.</p>",
        thousands(points.len() as u64)
    );
    body.push_str(&svg::scatter(&points, &legend, WIDTH, 640.0, "PC1", "PC2"));
    Ok(Section::Drawn(body))
}

