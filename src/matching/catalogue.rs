//! Candidates from a local catalogue file (CSV or Parquet) loaded into DuckDB.
//!
//! [`LocalCatalogue::load`] reads any file with a Spotify ID, a track name, its artists and its
//! album (optionally duration and ISRC) into the temporary table `match_catalogue`, then
//! normalizes every name with the matcher's own [`super::normalize`] into two blocking tables:
//! `match_catalogue_artists` (one row per artist key) and `match_catalogue_titles` (the title
//! core). A batch of tracks is answered by one SQL query: the rows sharing the track's artist
//! key or its title core, the 20 nearest titles (Jaro-Winkler) per track. Hash joins on the
//! keys keep a 1 M-row catalogue at seconds for thousands of tracks.

use std::path::Path;

use duckdb::Connection;

use super::MatchError;
use super::normalize::{Artist, Title};
use super::score::{Candidate, Query};
use super::source::{BatchResult, CandidateSource, Search};
use crate::db::{ident, path_literal};

/// Column names accepted for each field (first found wins).
const ID_COLS: &[&str] = &["spotify_id", "id", "track_id", "track_uri"];
const NAME_COLS: &[&str] = &["name", "track_name", "title"];
const ARTIST_COLS: &[&str] = &["artists", "artist_names", "artist_name", "artist"];
const ALBUM_COLS: &[&str] = &["album", "album_name"];
const DURATION_COLS: &[&str] = &["duration_ms", "duration"];
const ISRC_COLS: &[&str] = &["isrc"];

/// Candidates per track a batch query returns.
const PER_TRACK: i64 = 20;

pub struct LocalCatalogue<'c> {
    conn: &'c Connection,
    pub rows: u64,
}

fn pick(cols: &[String], wanted: &[&str]) -> Option<String> {
    wanted.iter().find_map(|w| cols.iter().find(|c| c.eq_ignore_ascii_case(w)).cloned())
}

impl<'c> LocalCatalogue<'c> {
    /// Loads `path` (`.parquet` read as Parquet, anything else as CSV with a header).
    pub fn load(conn: &'c Connection, path: &Path) -> Result<Self, MatchError> {
        let bad = |message: String| MatchError::Catalogue { path: path.to_path_buf(), message };
        if !path.exists() {
            return Err(bad("no such file".into()));
        }
        let lit = path_literal(path);
        let parquet = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        let reader = if parquet { format!("read_parquet({lit})") } else { format!("read_csv({lit}, header = true, all_varchar = true)") };
        let mut stmt = conn.prepare(&format!("DESCRIBE SELECT * FROM {reader}")).map_err(|e| bad(e.to_string()))?;
        let cols: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(0)).and_then(|r| r.collect()).map_err(|e| bad(e.to_string()))?;
        let need = |wanted: &[&str], what: &str| pick(&cols, wanted).ok_or_else(|| bad(format!("no {what} column (one of {}); columns: {}", wanted.join(", "), cols.join(", "))));
        let id = need(ID_COLS, "Spotify ID")?;
        let name = need(NAME_COLS, "track name")?;
        let artists = need(ARTIST_COLS, "artists")?;
        let album = need(ALBUM_COLS, "album")?;
        let duration = pick(&cols, DURATION_COLS).map(|c| format!("TRY_CAST({} AS BIGINT)", ident(&c))).unwrap_or_else(|| "NULL::BIGINT".into());
        let isrc = pick(&cols, ISRC_COLS).map(|c| format!("CAST({} AS VARCHAR)", ident(&c))).unwrap_or_else(|| "NULL::VARCHAR".into());
        let sql = format!(
            "CREATE OR REPLACE TEMP TABLE match_catalogue AS
             SELECT row_number() OVER () AS rid,
                    regexp_replace(CAST({id} AS VARCHAR), '^spotify:track:', '') AS spotify_id,
                    CAST({name} AS VARCHAR) AS name, CAST({artists} AS VARCHAR) AS artists,
                    CAST({album} AS VARCHAR) AS album, {duration} AS duration_ms, {isrc} AS isrc
             FROM {reader} WHERE {id} IS NOT NULL AND {name} IS NOT NULL",
            id = ident(&id),
            name = ident(&name),
            artists = ident(&artists),
            album = ident(&album),
        );
        conn.execute_batch(&sql).map_err(|e| bad(e.to_string()))?;
        conn.execute_batch(include_str!("../../sql/work/match_catalogue_keys.sql"))
        .map_err(crate::db::duck("creating the catalogue's blocking tables"))?;
        let rows: Vec<(i64, String, Option<String>)> = {
            let mut stmt = conn.prepare("SELECT rid, name, artists FROM match_catalogue").map_err(crate::db::duck("reading the catalogue"))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).and_then(|r| r.collect()).map_err(crate::db::duck("reading the catalogue"))?
        };
        {
            let mut titles = conn.appender_to_catalog_and_db("match_catalogue_titles", "temp", "main").map_err(crate::db::duck("keying the catalogue"))?;
            let mut artists_app = conn.appender_to_catalog_and_db("match_catalogue_artists", "temp", "main").map_err(crate::db::duck("keying the catalogue"))?;
            for (rid, name, artists) in &rows {
                titles.append_row(duckdb::params![rid, Title::parse(name).core]).map_err(crate::db::duck("keying the catalogue"))?;
                let artists = artists.as_deref().unwrap_or("");
                let whole = Artist::parse(artists).main;
                for one in artists.split(", ") {
                    let key = Artist::parse(one).main;
                    if !key.is_empty() {
                        artists_app.append_row(duckdb::params![rid, key]).map_err(crate::db::duck("keying the catalogue"))?;
                    }
                }
                if artists.contains(", ") && !whole.is_empty() {
                    artists_app.append_row(duckdb::params![rid, whole]).map_err(crate::db::duck("keying the catalogue"))?;
                }
            }
            titles.flush().map_err(crate::db::duck("keying the catalogue"))?;
            artists_app.flush().map_err(crate::db::duck("keying the catalogue"))?;
        }
        tracing::info!(rows = rows.len(), file = %path.display(), "local catalogue loaded");
        Ok(LocalCatalogue { conn, rows: rows.len() as u64 })
    }

    /// Drops the temporary tables.
    pub fn close(self) {
        let _ = self.conn.execute_batch(
            "DROP TABLE IF EXISTS match_catalogue; DROP TABLE IF EXISTS match_catalogue_artists;
             DROP TABLE IF EXISTS match_catalogue_titles; DROP TABLE IF EXISTS match_probe;",
        );
    }
}

impl CandidateSource for LocalCatalogue<'_> {
    fn name(&self) -> &'static str {
        "catalogue"
    }

    fn search(&mut self, tracks: &[&Query], searches: &[Search]) -> Result<BatchResult, MatchError> {
        let conn = self.conn;
        let e = crate::db::duck;
        conn.execute_batch("DELETE FROM match_probe").map_err(e("probing the catalogue"))?;
        {
            let mut app = conn.appender_to_catalog_and_db("match_probe", "temp", "main").map_err(e("probing the catalogue"))?;
            for (i, (q, s)) in tracks.iter().zip(searches).enumerate() {
                // Free-word searches add nothing here: the blocking already saw title and artist.
                if s.free.is_some() || s.is_empty() {
                    continue;
                }
                let artist = if q.artist.various || q.artist.main.is_empty() { None } else { Some(q.artist.main.clone()) };
                app.append_row(duckdb::params![i as i64, artist, q.title.core]).map_err(e("probing the catalogue"))?;
            }
            app.flush().map_err(e("probing the catalogue"))?;
        }
        let sql = format!(
            "WITH hits AS (
                 SELECT p.qid, a.rid FROM match_probe p JOIN match_catalogue_artists a ON a.artist_key = p.artist_key
                 UNION
                 SELECT p.qid, t.rid FROM match_probe p JOIN match_catalogue_titles t ON t.title_key = p.title_key
             ), ranked AS (
                 SELECT h.qid, h.rid, jaro_winkler_similarity(t.title_key, p.title_key) AS js
                 FROM hits h JOIN match_probe p USING (qid) JOIN match_catalogue_titles t ON t.rid = h.rid
                 QUALIFY row_number() OVER (PARTITION BY h.qid ORDER BY js DESC, h.rid) <= {PER_TRACK}
             )
             SELECT r.qid, c.spotify_id, c.name, c.artists, c.album, c.duration_ms, c.isrc
             FROM ranked r JOIN match_catalogue c ON c.rid = r.rid
             ORDER BY r.qid, r.js DESC, r.rid"
        );
        let mut results: Vec<Result<Vec<Candidate>, String>> = (0..searches.len()).map(|_| Ok(Vec::new())).collect();
        let mut stmt = conn.prepare(&sql).map_err(e("querying the catalogue"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Candidate {
                        id: r.get(1)?,
                        name: r.get(2)?,
                        artists: r.get::<_, Option<String>>(3)?.unwrap_or_default().split(", ").map(str::to_string).collect(),
                        album: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                        duration_ms: r.get(5)?,
                        isrc: r.get(6)?,
                    },
                ))
            })
            .map_err(e("querying the catalogue"))?;
        for row in rows {
            let (qid, c) = row.map_err(e("querying the catalogue"))?;
            if let Some(Ok(v)) = results.get_mut(qid as usize) {
                v.push(c);
            }
        }
        Ok(BatchResult { results, stopped: None })
    }
}
