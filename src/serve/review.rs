//! The review queue: every track whose match a person should look at — `ambiguous`, `low`
//! (queued, not accepted), `none` and the accepted `high` ones (right only 6 times in 10) —
//! worst first, with its candidates (score and its parts) and its runner-up.
//!
//! Filters (quality, release, artist) are bound as query parameters; no SQL comes from a request.

use std::collections::BTreeMap;

use duckdb::Connection;

use crate::db::{DbError, duck};

/// The qualities the queue holds, worst first.
pub const QUALITIES: [&str; 4] = ["ambiguous", "low", "none", "high"];

/// Most tracks shown at once (the count says how many there are).
pub const LIMIT: usize = 300;

/// What the person filtered by (each optional).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct Filter {
    #[serde(default)]
    pub quality: String,
    #[serde(default)]
    pub release: String,
    #[serde(default)]
    pub artist: String,
}

/// One track to review.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    pub track_id: String,
    pub artist: String,
    pub title: String,
    pub album: String,
    pub release_id: String,
    pub quality: String,
    pub score: String,
    pub reason: String,
    /// The ID the build took (accepted `high`), or empty.
    pub spotify_id: String,
    pub runner_up: String,
    pub candidates: Vec<Cand>,
    /// What the overrides file says for the track now (`none`, an ID, or empty).
    pub decided: String,
}

/// One candidate of a track.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cand {
    pub rank: i32,
    pub spotify_id: String,
    pub name: String,
    pub artists: String,
    pub album: String,
    pub score: String,
    pub parts: String,
    pub chosen: bool,
}

/// The queue after filtering: the first [`LIMIT`] items, how many there are, and the releases
/// (id → album) the queue touches, for the filter.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Queue {
    pub items: Vec<Item>,
    pub total: usize,
    pub releases: Vec<(String, String)>,
}

const QUEUE: &str = "SELECT m.track_id, coalesce(t.artist, ''), coalesce(t.title, ''), coalesce(t.album, ''), CAST(t.release_id AS VARCHAR),
        m.quality, coalesce(format('{:.3f}', m.score), ''), coalesce(m.reason, ''), coalesce(m.spotify_id, ''),
        coalesce(m.runner_up_id || format(' ({:.3f})', m.runner_up_score), '')
    FROM track_matches m JOIN tracks t USING (track_id)
    WHERE m.quality IN ('ambiguous', 'low', 'none', 'high')
      AND ($1 = '' OR m.quality = $1)
      AND ($2 = '' OR CAST(t.release_id AS VARCHAR) = $2)
      AND ($3 = '' OR strip_accents(lower(t.artist)) LIKE '%' || strip_accents(lower($3)) || '%')
    ORDER BY CASE m.quality WHEN 'ambiguous' THEN 0 WHEN 'low' THEN 1 WHEN 'none' THEN 2 ELSE 3 END, m.score NULLS FIRST, m.track_id";

/// The queue, or `None` when the warehouse has no matching tables (no `[match]`).
pub fn queue(conn: &Connection, tables: &[String], filter: &Filter, decided: &BTreeMap<String, String>) -> Result<Option<Queue>, DbError> {
    if !["track_matches", "match_candidates", "tracks"].iter().all(|t| tables.iter().any(|x| x == t)) {
        return Ok(None);
    }
    let params = [filter.quality.trim(), filter.release.trim(), filter.artist.trim()];
    let e = || duck("reading the review queue");
    let mut items: Vec<Item> = {
        let mut stmt = conn.prepare(QUEUE).map_err(e())?;
        stmt.query_map(params, |r| {
            Ok(Item {
                track_id: r.get(0)?,
                artist: r.get(1)?,
                title: r.get(2)?,
                album: r.get(3)?,
                release_id: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                quality: r.get(5)?,
                score: r.get(6)?,
                reason: r.get(7)?,
                spotify_id: r.get(8)?,
                runner_up: r.get(9)?,
                candidates: Vec::new(),
                decided: String::new(),
            })
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(e())?
    };
    let total = items.len();
    let mut releases: BTreeMap<String, String> = BTreeMap::new();
    for it in &items {
        releases.entry(it.release_id.clone()).or_insert_with(|| it.album.clone());
    }
    items.truncate(LIMIT);
    let index: BTreeMap<String, usize> = items.iter().enumerate().map(|(i, it)| (it.track_id.clone(), i)).collect();
    {
        let sql = format!(
            "WITH q AS (SELECT * FROM ({QUEUE}) LIMIT {LIMIT})
             SELECT c.track_id, c.rank, c.spotify_id, coalesce(c.name, ''), coalesce(c.artists, ''), coalesce(c.album, ''), format('{{:.3f}}', c.score),
                    format('title {{:.2f}} · artist {{}} · album {{:.2f}} · duration {{}} · version {{}} ({{}})', c.title_sim,
                           coalesce(format('{{:.2f}}', c.artist_sim), 'n/a'), c.album_sim, coalesce(format('{{:.2f}}', c.duration_sim), 'n/a'),
                           format('{{:.1f}}', c.version_distance), coalesce(c.version, '')),
                    coalesce(c.chosen, false)
             FROM match_candidates c SEMI JOIN q ON q.track_id = c.track_id WHERE c.rank <= 5 ORDER BY c.track_id, c.rank"
        );
        let mut stmt = conn.prepare(&sql).map_err(e())?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Cand { rank: r.get(1)?, spotify_id: r.get(2)?, name: r.get(3)?, artists: r.get(4)?, album: r.get(5)?, score: r.get(6)?, parts: r.get(7)?, chosen: r.get(8)? },
                ))
            })
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(e())?;
        for (track, cand) in rows {
            if let Some(&i) = index.get(&track) {
                items[i].candidates.push(cand);
            }
        }
    }
    for it in &mut items {
        it.decided = decided.get(&it.track_id).cloned().unwrap_or_default();
    }
    Ok(Some(Queue { items, total, releases: releases.into_iter().collect() }))
}

/// Whether the warehouse has a track with this key (a decision is only taken for one).
pub fn track_exists(conn: &Connection, track_id: &str) -> Result<bool, DbError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM tracks WHERE track_id = ?", [track_id], |r| r.get(0)).map_err(duck("looking up the track"))?;
    Ok(n > 0)
}

/// The Spotify track ID in what a person pasted: an ID, a `spotify:track:` URI or an
/// `open.spotify.com/track/…` URL (with or without `?si=…`), or `none`.
pub fn parse_choice(text: &str) -> Option<String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") {
        return Some("none".into());
    }
    let id = if let Some(rest) = t.strip_prefix("spotify:track:") {
        rest
    } else if let Some(pos) = t.find("open.spotify.com/") {
        let path = &t[pos + "open.spotify.com/".len()..];
        let path = path.split(['?', '#']).next().unwrap_or("");
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        // `/track/ID`, or a locale first: `/intl-fr/track/ID`.
        loop {
            match parts.next() {
                Some("track") => break parts.next().unwrap_or(""),
                Some(_) => continue,
                None => return None,
            }
        }
    } else {
        t
    };
    (id.len() == 22 && id.chars().all(|c| c.is_ascii_alphanumeric())).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IDs, URIs and URLs (with a locale or a share suffix) give the ID; anything else nothing.
    #[test]
    fn pasted_spotify_links_give_the_id() {
        let id = "4uLU6hMCjMI75M1A2tKUQC";
        for s in [id.to_string(), format!("spotify:track:{id}"), format!("https://open.spotify.com/track/{id}?si=abc"), format!("https://open.spotify.com/intl-fr/track/{id}"), format!("  {id} ")] {
            assert_eq!(parse_choice(&s).as_deref(), Some(id), "{s}");
        }
        assert_eq!(parse_choice("None").as_deref(), Some("none"));
        for bad in ["", "spotify:album:4uLU6hMCjMI75M1A2tKUQC", "https://open.spotify.com/album/4uLU6hMCjMI75M1A2tKUQC", "4uLU6hMCjMI75M1A2tKUQ", "../../etc/passwd"] {
            assert_eq!(parse_choice(bad), None, "{bad}");
        }
    }
}
