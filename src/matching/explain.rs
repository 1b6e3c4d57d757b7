//! Why a track got its match: its decision in `track_matches` and every candidate of
//! `match_candidates`, read back for `selecta match --explain TRACK_ID`.

use duckdb::Connection;

use super::MatchError;
use crate::db::duck;

/// A track's decision with its candidates, best first.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub track_id: String,
    pub artist: Option<String>,
    pub title: Option<String>,
    pub album: Option<String>,
    pub spotify_id: Option<String>,
    pub quality: Option<String>,
    pub strategy: Option<String>,
    pub source: Option<String>,
    pub query: Option<String>,
    pub score: Option<f64>,
    pub reason: Option<String>,
    pub runner_up_id: Option<String>,
    pub runner_up_score: Option<f64>,
    pub candidates: Vec<ExplainedCandidate>,
}

/// One candidate of a track, with its score and the score's parts.
#[derive(Debug, Clone)]
pub struct ExplainedCandidate {
    pub rank: i32,
    pub chosen: bool,
    pub score: f64,
    pub title_sim: f64,
    pub artist_sim: Option<f64>,
    pub album_sim: f64,
    pub duration_sim: Option<f64>,
    pub version_distance: f64,
    pub version: String,
    pub name: String,
    pub artists: String,
    pub album: String,
    pub spotify_id: String,
    pub query: String,
}

/// The explanation of `track_id`, or `None` when the warehouse has no such track.
pub fn explain(conn: &Connection, track_id: &str) -> Result<Option<Explanation>, MatchError> {
    let track = conn
        .query_row(
            "SELECT t.artist, t.title, t.album, m.spotify_id, m.quality, m.strategy, m.source, m.query, m.score, m.reason, m.runner_up_id, m.runner_up_score
             FROM tracks t LEFT JOIN track_matches m USING (track_id) WHERE t.track_id = ?",
            [track_id],
            |r| {
                Ok(Explanation {
                    track_id: track_id.to_string(),
                    artist: r.get(0)?,
                    title: r.get(1)?,
                    album: r.get(2)?,
                    spotify_id: r.get(3)?,
                    quality: r.get(4)?,
                    strategy: r.get(5)?,
                    source: r.get(6)?,
                    query: r.get(7)?,
                    score: r.get(8)?,
                    reason: r.get(9)?,
                    runner_up_id: r.get(10)?,
                    runner_up_score: r.get(11)?,
                    candidates: Vec::new(),
                })
            },
        )
        .map(Some)
        .or_else(|err| if matches!(err, duckdb::Error::QueryReturnedNoRows) { Ok(None) } else { Err(err) })
        .map_err(duck("reading the track"))?;
    let Some(mut track) = track else {
        return Ok(None);
    };
    let mut stmt = conn
        .prepare(
            "SELECT rank, spotify_id, name, artists, album, score, title_sim, artist_sim, album_sim, duration_sim, version_distance, version, chosen, query
             FROM match_candidates WHERE track_id = ? ORDER BY rank",
        )
        .map_err(duck("reading candidates"))?;
    track.candidates = stmt
        .query_map([track_id], |r| {
            Ok(ExplainedCandidate {
                rank: r.get(0)?,
                spotify_id: r.get(1)?,
                name: r.get(2)?,
                artists: r.get(3)?,
                album: r.get(4)?,
                score: r.get(5)?,
                title_sim: r.get(6)?,
                artist_sim: r.get(7)?,
                album_sim: r.get(8)?,
                duration_sim: r.get(9)?,
                version_distance: r.get(10)?,
                version: r.get(11)?,
                chosen: r.get(12)?,
                query: r.get(13)?,
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(duck("reading candidates"))?;
    Ok(Some(track))
}
