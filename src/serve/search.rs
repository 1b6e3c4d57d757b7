//! Search over tracks: the words of a title, an artist, an album or a track key (accents and case folded),
//! with what the build decided for each track (its Spotify ID, match quality and cluster).

use duckdb::Connection;

use crate::db::{DbError, duck};

/// Most results shown.
pub const LIMIT: usize = 200;

/// One track found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub track_id: String,
    pub artist: String,
    pub title: String,
    pub album: String,
    pub spotify_id: String,
    pub quality: String,
    pub cluster: String,
}

/// The tracks whose title, artist or album contains every word of `q`.
pub fn search(conn: &Connection, tables: &[String], q: &str) -> Result<Vec<Hit>, DbError> {
    let has = |t: &str| tables.iter().any(|x| x == t);
    if !has("tracks") || q.trim().is_empty() {
        return Ok(Vec::new());
    }
    // Only fixed fragments are put together here, by which tables exist; the words are bound.
    let (id, id_join) = if has("track_spotify_ids") { ("coalesce(s.spotify_id, '')", "LEFT JOIN track_spotify_ids s USING (track_id)") } else { ("''", "") };
    let (quality, m_join) = if has("track_matches") { ("coalesce(m.quality, '')", "LEFT JOIN track_matches m USING (track_id)") } else { ("''", "") };
    let (cluster, c_join) = if has("track_clusters") && has("clusters") {
        ("coalesce(CAST(c.cluster AS VARCHAR) || ': ' || cl.name, '')", "LEFT JOIN track_clusters c ON c.track_id = t.track_id LEFT JOIN clusters cl ON cl.cluster = c.cluster")
    } else {
        ("''", "")
    };
    let sql = format!(
        "SELECT t.track_id, coalesce(t.artist, ''), coalesce(t.title, ''), coalesce(t.album, ''), {id}, {quality}, {cluster}
         FROM tracks t {id_join} {m_join} {c_join}
         WHERE list_bool_and(list_transform(string_split(strip_accents(lower(trim($1))), ' '),
                 lambda w: w = '' OR strip_accents(lower(concat_ws(' ', t.title, t.artist, t.album, t.track_id))) LIKE '%' || w || '%'))
         ORDER BY t.artist, t.album, t.track_id LIMIT {LIMIT}"
    );
    let mut stmt = conn.prepare(&sql).map_err(duck("searching tracks"))?;
    stmt.query_map([q], |r| Ok(Hit { track_id: r.get(0)?, artist: r.get(1)?, title: r.get(2)?, album: r.get(3)?, spotify_id: r.get(4)?, quality: r.get(5)?, cluster: r.get(6)? }))
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(duck("searching tracks"))
}
