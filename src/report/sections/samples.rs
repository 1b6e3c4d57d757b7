//! Sample tracks per cluster, the closest to the centroid first.

use std::fmt::Write as _;

use super::super::gather::{Db, label_of};
use super::super::svg::{self, esc};
use super::super::{ReportError, Section};

fn cluster_of(r: &[Option<String>]) -> i64 {
    r[0].as_deref().and_then(|c| c.parse::<i64>().ok()).unwrap_or(0)
}

pub(in crate::report) fn sample_tracks(db: &Db<'_>, n: usize) -> Result<Section, ReportError> {
    if !db.has("track_clusters", &["cluster", "spotify_id"])? {
        return Ok(Section::Missing("no `track_clusters` table (clustering not run)".into()));
    }
    if !db.has("tracks_features", &["spotify_id", "Title", "Artist", "Album", "Genre", "Style"])? {
        return Ok(Section::Missing("no `tracks_features` table to describe the tracks".into()));
    }
    let order = if db.has("track_clusters", &["distance"])? { "c.distance, f.Artist, f.Title" } else { "f.Artist, f.Title" };
    let sql = format!(
        "SELECT CAST(cluster AS VARCHAR), Title, Artist, Album, Genre, Style, spotify_id FROM ( \
           SELECT c.cluster, f.Title, f.Artist, f.Album, f.Genre, f.Style, c.spotify_id, \
                  row_number() OVER (PARTITION BY c.cluster ORDER BY {order}) AS rn \
           FROM track_clusters c JOIN tracks_features f ON f.spotify_id = c.spotify_id) \
         WHERE rn <= {n} ORDER BY cluster, rn"
    );
    let rows = db.strings(&sql, 7)?;
    // After `selecta playlists spotify`, each cluster links to its playlist (state database).
    let playlists: std::collections::BTreeMap<i64, String> = db
        .strings("SELECT CAST(cluster AS VARCHAR), playlist_id FROM state.spotify_playlists", 2)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| Some((r[0].as_deref()?.parse().ok()?, r[1].clone()?)))
        .collect();
    if rows.is_empty() {
        return Ok(Section::Missing("`track_clusters` has no tracks found in `tracks_features`".into()));
    }
    let names = db.cluster_names()?;
    let mut body = format!("<p class=\"note\">Up to {n} tracks per cluster, the closest to its centroid first; a title opens the track on Spotify.</p>");
    let mut current: Option<String> = None;
    for r in rows {
        if current != r[0] {
            if current.is_some() {
                body.push_str("</table>");
            }
            let c = cluster_of(&r);
            let link = match playlists.get(&c) {
                Some(id) => format!(" <a class=\"pl\" href=\"https://open.spotify.com/playlist/{}\" target=\"_blank\">▶ its playlist on Spotify</a>", esc(id)),
                None => String::new(),
            };
            let _ = write!(
                body,
                "<h3><span class=\"sw\" style=\"background:{}\"></span>{}{link}</h3><table><tr><th>title</th><th>artist</th><th>album</th><th>genre</th><th>style</th></tr>",
                svg::category_color(c),
                esc(&label_of(&names, c))
            );
            current = r[0].clone();
        }
        let text = |i: usize| r[i].as_deref().unwrap_or("");
        let hover = esc(&format!("{} — {} — {}", text(2), text(1), label_of(&names, cluster_of(&r))));
        let _ = write!(body, "<tr title=\"{hover}\">");
        for (i, c) in r[1..6].iter().enumerate() {
            let cell = esc(c.as_deref().unwrap_or(""));
            match (i, r[6].as_deref()) {
                (0, Some(id)) => {
                    let _ = write!(body, "<td><a href=\"{}\" target=\"_blank\">{cell}</a></td>", esc(&svg::spotify_track_url(id)));
                }
                _ => {
                    let _ = write!(body, "<td>{cell}</td>");
                }
            }
        }
        body.push_str("</tr>");
    }
    body.push_str("</table>");
    Ok(Section::Drawn(body))
}

