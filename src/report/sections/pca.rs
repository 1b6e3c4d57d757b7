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
    // The coordinates as numbers, the labels as text: two reads in the same (key) order.
    let xy = db.floats("SELECT pc1, pc2, CAST(cluster AS DOUBLE) FROM track_clusters ORDER BY track_id", 3)?;
    let mut labels = if described {
        db.strings("SELECT f.Artist, f.Title, c.spotify_id FROM track_clusters c LEFT JOIN tracks_features f ON f.Track_id = c.track_id ORDER BY c.track_id", 3)?
    } else {
        Vec::new()
    };
    // A track listed twice in tracks_features (its key check failed) would shift the labels.
    if labels.len() != xy.len() {
        labels = vec![vec![None, None, None]; xy.len()];
    }
    let names = db.cluster_names()?;
    let points: Vec<Point> = xy
        .iter()
        .zip(&labels)
        .filter_map(|(r, l)| {
            let group = r[2]? as i64;
            let title = l[1].as_ref().map(|t| format!("{} — {} — {}", l[0].as_deref().unwrap_or("?"), t, label_of(&names, group)));
            Some(Point { x: r[0]?, y: r[1]?, group, title, href: l[2].as_deref().map(svg::spotify_track_url) })
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

