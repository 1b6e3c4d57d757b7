//! Sample tracks per cluster, the closest to the centroid first.

use std::fmt::Write as _;

use super::super::gather::{Db, label_of};
use super::super::svg::{self, esc};
use super::super::{ReportError, Section};

pub(in crate::report) fn sample_tracks(db: &Db<'_>, n: usize) -> Result<Section, ReportError> {
    if !db.has("track_clusters", &["cluster", "spotify_id"])? {
        return Ok(Section::Missing("no `track_clusters` table (clustering not run)".into()));
    }
    if !db.has("tracks_features", &["spotify_id", "Title", "Artist", "Album", "Genre", "Style"])? {
        return Ok(Section::Missing("no `tracks_features` table to describe the tracks".into()));
    }
    let order = if db.has("track_clusters", &["distance"])? { "c.distance, f.Artist, f.Title" } else { "f.Artist, f.Title" };
    let sql = format!(
        "SELECT CAST(cluster AS VARCHAR), Title, Artist, Album, Genre, Style FROM ( \
           SELECT c.cluster, f.Title, f.Artist, f.Album, f.Genre, f.Style, \
                  row_number() OVER (PARTITION BY c.cluster ORDER BY {order}) AS rn \
           FROM track_clusters c JOIN tracks_features f ON f.spotify_id = c.spotify_id) \
         WHERE rn <= {n} ORDER BY cluster, rn"
    );
    let rows = db.strings(&sql, 6)?;
    if rows.is_empty() {
        return Ok(Section::Missing("`track_clusters` has no tracks found in `tracks_features`".into()));
    }
    let names = db.cluster_names()?;
    let mut body = format!("<p class=\"note\">Up to {n} tracks per cluster, the closest to its centroid first.</p>");
    let mut current: Option<String> = None;
    for r in rows {
        if current != r[0] {
            if current.is_some() {
                body.push_str("</table>");
            }
            let c = r[0].as_deref().and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
            let _ = write!(
                body,
                "<h3><span class=\"sw\" style=\"background:{}\"></span>{}</h3><table><tr><th>title</th><th>artist</th><th>album</th><th>genre</th><th>style</th></tr>",
                svg::category_color(c),
                esc(&label_of(&names, c))
            );
            current = r[0].clone();
        }
        body.push_str("<tr>");
        for c in &r[1..] {
            let _ = write!(body, "<td>{}</td>", esc(c.as_deref().unwrap_or("")));
        }
        body.push_str("</tr>");
    }
    body.push_str("</table>");
    Ok(Section::Drawn(body))
}

