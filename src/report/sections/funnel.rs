//! The matching funnel: tracks → with a Spotify ID → with features → clustered, and matches by quality.

use std::fmt::Write as _;

use super::super::gather::Db;
use super::super::svg::{self, Bar, esc, thousands};
use super::super::{ReportError, Section};
use super::WIDTH;

pub(in crate::report) fn funnel(db: &Db<'_>) -> Result<Section, ReportError> {
    let mut bars = Vec::new();
    let mut notes = Vec::new();
    let tracks = db.count("tracks")?;
    let Some(total) = tracks else {
        return Ok(Section::Missing("no `tracks` table in the warehouse".into()));
    };
    let pct = |n: u64| if total > 0 { format!("{} ({:.1} %)", thousands(n), 100.0 * n as f64 / total as f64) } else { thousands(n) };
    let mut stage = |label: &str, n: u64, color: &str| bars.push(Bar { label: label.into(), value: n as f64, color: color.into(), note: Some(pct(n)) });
    stage("tracks in the collection", total, "#4e79a7");
    let matches = db.has("track_matches", &["track_id", "quality"])?;
    if db.has("track_spotify_ids", &["track_id"])? {
        let n = db.opt_i64("SELECT count(DISTINCT track_id) FROM track_spotify_ids")?.unwrap_or(0) as u64;
        stage("tracks with a Spotify ID", n, "#59a14f");
    } else {
        notes.push("no `track_spotify_ids` table".to_string());
    }
    if db.has("tracks_features", &["has_features", "Track_id"])? {
        let with = db.opt_i64("SELECT count(*) FILTER (WHERE has_features) FROM tracks_features")?.unwrap_or(0) as u64;
        let ids = db.count("tracks_features")?.unwrap_or(0);
        stage("distinct Spotify IDs", ids, "#76b7b2");
        stage("IDs with audio features", with, "#edc948");
    } else {
        notes.push("no `tracks_features` table".to_string());
    }
    if let Some(n) = db.count("track_clusters")? {
        stage("clustered", n, "#b07aa1");
    }
    let mut body = String::new();
    body.push_str(&svg::hbars(&bars, WIDTH));
    if matches {
        let has_id = db.has("track_matches", &["spotify_id"])?;
        let sql = format!(
            "SELECT coalesce(CAST(quality AS VARCHAR), '(no quality)'), count(*), {} FROM track_matches GROUP BY 1 ORDER BY 2 DESC, 1",
            if has_id { "count(spotify_id)" } else { "count(*)" }
        );
        let rows = db.strings(&format!("SELECT CAST(c0 AS VARCHAR), CAST(c1 AS VARCHAR), CAST(c2 AS VARCHAR) FROM ({sql}) t(c0, c1, c2)"), 3)?;
        let qbars: Vec<Bar> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let n = r[1].as_deref().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
                let with_id = r[2].as_deref().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
                Bar {
                    label: format!("quality: {}", r[0].clone().unwrap_or_default()),
                    value: n,
                    color: svg::category_color(i as i64).into(),
                    note: Some(format!("{} tracks, {} with an ID", thousands(n as u64), thousands(with_id))),
                }
            })
            .collect();
        body.push_str("<h3>Matches by quality (track_matches)</h3>");
        body.push_str(&svg::hbars(&qbars, WIDTH));
    } else {
        notes.push("no `track_matches` table (matching not run): the stages come from tracks, track_spotify_ids and tracks_features".into());
    }
    // Which tracks did not match: a sample.
    let unmatched_sql = if matches && db.has("track_matches", &["spotify_id"])? && db.has("tracks", &["title", "artist", "album"])? {
        Some("SELECT t.artist, t.title, t.album, CAST(m.quality AS VARCHAR) FROM track_matches m JOIN tracks t USING (track_id) WHERE m.spotify_id IS NULL ORDER BY t.artist, t.album, t.title LIMIT 15")
    } else if db.has("track_spotify_ids", &["track_id"])? && db.has("tracks", &["title", "artist", "album"])? {
        Some("SELECT t.artist, t.title, t.album, CAST(NULL AS VARCHAR) FROM tracks t WHERE t.track_id NOT IN (SELECT track_id FROM track_spotify_ids) ORDER BY t.artist, t.album, t.title LIMIT 15")
    } else {
        None
    };
    if let Some(sql) = unmatched_sql {
        let rows = db.strings(sql, 4)?;
        if !rows.is_empty() {
            body.push_str("<h3>Tracks without a Spotify ID (first 15)</h3><table><tr><th>artist</th><th>title</th><th>album</th><th>quality</th></tr>");
            for r in rows {
                body.push_str("<tr>");
                for c in r {
                    let _ = write!(body, "<td>{}</td>", esc(c.as_deref().unwrap_or("")));
                }
                body.push_str("</tr>");
            }
            body.push_str("</table>");
        }
    }
    for n in notes {
        let _ = write!(body, "<p class=\"note\">{}</p>", esc(&n));
    }
    Ok(Section::Drawn(body))
}

