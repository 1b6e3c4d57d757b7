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
    // Each point says what it is on hover and links to the track's Spotify page.
    let described = db.has("track_clusters", &["track_id", "spotify_id"])? && db.has("tracks_features", &["Track_id", "Artist", "Title"])?;
    let sql = if described {
        "SELECT CAST(c.pc1 AS VARCHAR), CAST(c.pc2 AS VARCHAR), CAST(c.cluster AS VARCHAR), f.Artist, f.Title, c.spotify_id \
         FROM track_clusters c LEFT JOIN tracks_features f ON f.Track_id = c.track_id ORDER BY c.track_id"
    } else {
        "SELECT CAST(pc1 AS VARCHAR), CAST(pc2 AS VARCHAR), CAST(cluster AS VARCHAR), NULL, NULL, NULL FROM track_clusters ORDER BY track_id"
    };
    let rows = db.strings(sql, 6)?;
    let names = db.cluster_names()?;
    let num = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<f64>().ok());
    let points: Vec<Point> = rows
        .iter()
        .filter_map(|r| {
            let group = num(&r[2])? as i64;
            let title = r[4].as_ref().map(|t| format!("{} — {} — {}", r[3].as_deref().unwrap_or("?"), t, label_of(&names, group)));
            Some(Point { x: num(&r[0])?, y: num(&r[1])?, group, title, href: r[5].as_deref().map(svg::spotify_track_url) })
        })
        .collect();
    if points.is_empty() {
        return Ok(Section::Missing("`track_clusters` has no rows with pc1 and pc2".into()));
    }
    let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
    for p in &points {
        *counts.entry(p.group).or_default() += 1;
    }
    let legend: Vec<(i64, String)> = counts.iter().map(|(c, n)| (*c, format!("{} ({})", label_of(&names, *c), thousands(*n)))).collect();
    let legend: Vec<(i64, String)> = legend.into_iter().map(|(c, l)| (c, truncate(&l, 40))).collect();
    let mut body = format!(
        "<p class=\"note\">{} tracks projected on the first two principal components of the scaled features, coloured by cluster. Hover a point for the track, click it to hear it on Spotify.</p>",
        thousands(points.len() as u64)
    );
    body.push_str(&svg::scatter(&points, &legend, WIDTH, 640.0, "PC1", "PC2"));
    Ok(Section::Drawn(body))
}

