//! The clusters page's content: each cluster with its tracks in playlist order, and what a
//! listener wants beside each (genre, style, key / Camelot, tempo, the Spotify ID).

use duckdb::Connection;

use crate::db::{DbError, duck};

/// One cluster and its playlist.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClusterView {
    pub cluster: i64,
    pub name: String,
    pub computed: String,
    pub size: i64,
    pub description: String,
    pub tracks: Vec<TrackRow>,
}

/// One playlist entry, its cells ready to show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrackRow {
    pub position: i64,
    pub track_id: String,
    pub spotify_id: String,
    pub title: String,
    pub artist: String,
    pub album: String,
    pub genre: String,
    pub style: String,
    pub key: String,
    pub camelot: String,
    pub tempo: String,
}

/// Every cluster with its playlist, or `None` when the warehouse has no clusters.
pub fn clusters(conn: &Connection, tables: &[String]) -> Result<Option<Vec<ClusterView>>, DbError> {
    if !["clusters", "cluster_playlists"].iter().all(|t| tables.iter().any(|x| x == t)) {
        return Ok(None);
    }
    let mut out: Vec<ClusterView> = {
        let mut stmt = conn.prepare("SELECT cluster, name, coalesce(computed_name, name), size, coalesce(description, '') FROM clusters ORDER BY cluster").map_err(duck("reading clusters"))?;
        stmt.query_map([], |r| Ok(ClusterView { cluster: r.get(0)?, name: r.get(1)?, computed: r.get(2)?, size: r.get(3)?, description: r.get(4)?, tracks: Vec::new() }))
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(duck("reading clusters"))?
    };
    let features = tables.iter().any(|t| t == "tracks_features");
    let sql = if features {
        "SELECT p.cluster, p.position, p.track_id, coalesce(p.spotify_id, ''), coalesce(p.title, ''), coalesce(p.artist, ''), coalesce(p.album, ''),
                coalesce(f.Genre, ''), coalesce(f.Style, ''), coalesce(f.Key, ''), coalesce(f.Camelot, ''), coalesce(format('{:.0f}', f.Tempo), '')
         FROM cluster_playlists p LEFT JOIN tracks_features f ON f.spotify_id = p.spotify_id ORDER BY p.cluster, p.position"
    } else {
        "SELECT cluster, position, track_id, coalesce(spotify_id, ''), coalesce(title, ''), coalesce(artist, ''), coalesce(album, ''), '', '', '', '', ''
         FROM cluster_playlists ORDER BY cluster, position"
    };
    let mut stmt = conn.prepare(sql).map_err(duck("reading cluster_playlists"))?;
    let mut rows = stmt.query([]).map_err(duck("reading cluster_playlists"))?;
    let mut at = 0;
    while let Some(r) = rows.next().map_err(duck("reading cluster_playlists"))? {
        let cluster: i64 = r.get(0).map_err(duck("reading cluster_playlists"))?;
        let row = (|| {
            Ok::<_, duckdb::Error>(TrackRow {
                position: r.get(1)?,
                track_id: r.get(2)?,
                spotify_id: r.get(3)?,
                title: r.get(4)?,
                artist: r.get(5)?,
                album: r.get(6)?,
                genre: r.get(7)?,
                style: r.get(8)?,
                key: r.get(9)?,
                camelot: r.get(10)?,
                tempo: r.get(11)?,
            })
        })()
        .map_err(duck("reading cluster_playlists"))?;
        // Both are ordered by cluster: walk forward to this row's cluster.
        while at < out.len() && out[at].cluster < cluster {
            at += 1;
        }
        if let Some(c) = out.get_mut(at).filter(|c| c.cluster == cluster) {
            c.tracks.push(row);
        }
    }
    Ok(Some(out))
}
