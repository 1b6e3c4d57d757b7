//! What a run writes: the match tables' DDL (`sql/outputs/`), each batch's decisions and
//! candidates, the review table, and the tracks a run reads.

use duckdb::Connection;

use super::TrackDecision;
use crate::db::duck;
use crate::matching::score::{Quality, Query, Scored};
use crate::matching::{MatchError, Strategy};

/// Creates (replaces) `track_matches` and `match_candidates`.
pub(super) fn create_tables(conn: &Connection) -> Result<(), MatchError> {
    conn.execute_batch(include_str!("../../../sql/outputs/track_matches.sql")).map_err(duck("creating track_matches"))?;
    conn.execute_batch(include_str!("../../../sql/outputs/match_candidates.sql")).map_err(duck("creating match_candidates"))?;
    Ok(())
}

/// Reads the tracks to match from the warehouse's `tracks` table. With the Discogs collection as
/// a source (columns `work`, `artist_credit`), a sub-track whose title is generic ("Part 1") is
/// searched as "<work> <title>".
pub fn read_tracks(conn: &Connection) -> Result<Vec<Query>, MatchError> {
    Ok(read_tracks_with_credits(conn)?.into_iter().map(|(q, _)| q).collect())
}

/// [`read_tracks`], each with the artists as credited on the record when that differs.
pub fn read_tracks_with_credits(conn: &Connection) -> Result<Vec<(Query, Option<String>)>, MatchError> {
    let has = |col: &str| -> Result<bool, MatchError> {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM information_schema.columns WHERE table_catalog = current_database() AND table_name = 'tracks' AND column_name = ?",
                [col],
                |r| r.get(0),
            )
            .map_err(duck("reading the columns of tracks"))?;
        Ok(n > 0)
    };
    let credited = has("artist_credit")? && has("work")?;
    let extra = if credited { "artist_credit, work" } else { "NULL::VARCHAR, NULL::VARCHAR" };
    let mut stmt = conn
        .prepare(&format!(
            "SELECT track_id, coalesce(CASE WHEN is_compilation THEN 'Various' END, artist, ''), coalesce(title, ''),
                    coalesce(album, ''), duration_ms, {extra}
             FROM tracks ORDER BY track_id"
        ))
        .map_err(duck("reading tracks"))?;
    let rows = stmt
        .query_map([], |r| {
            let (title, work): (String, Option<String>) = (r.get(2)?, r.get(6)?);
            let title = match work {
                Some(w) if super::super::normalize::generic_title(&title) => format!("{w} {title}"),
                _ => title,
            };
            let q = Query::new(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?, &title, &r.get::<_, String>(3)?, r.get(4)?);
            Ok((q, r.get::<_, Option<String>>(5)?))
        })
        .map_err(duck("reading tracks"))?;
    Ok(rows.collect::<Result<Vec<_>, _>>().map_err(duck("reading tracks"))?)
}

pub(super) fn write_batch(conn: &Connection, outcomes: &[TrackDecision], strategy: Strategy, source: &str) -> Result<(), MatchError> {
    let e = duck;
    let mut m = conn.appender("track_matches").map_err(e("writing track_matches"))?;
    for o in outcomes {
        let best = o.chosen.map(|i| &o.scored[i]);
        let ru = o.decision.as_ref().and_then(|d| d.runner_up).map(|i| &o.scored[i]).or_else(|| {
            // For the cascade, the runner-up is the best-scored other candidate.
            if o.decision.is_none() { o.scored.iter().filter(|s| Some(&s.candidate.id) != best.map(|b| &b.candidate.id)).max_by(|a, b| a.score.total_cmp(&b.score)) } else { None }
        });
        let top = best.or_else(|| o.decision.as_ref().and_then(|d| d.best).map(|i| &o.scored[i]));
        let spotify_id = o.override_id.clone().or_else(|| best.map(|b| b.candidate.id.clone()));
        let c = top.map(|t| t.components);
        m.append_row(duckdb::params![
            o.track_id,
            spotify_id,
            o.quality.as_str(),
            strategy.as_str(),
            if o.quality == Quality::Override { "overrides" } else { source },
            o.query,
            top.map(|t| t.score),
            c.map(|c| c.title),
            c.and_then(|c| c.artist),
            c.map(|c| c.album),
            c.and_then(|c| c.duration),
            c.map(|c| c.version),
            ru.map(|r| r.candidate.id.clone()),
            ru.map(|r| r.score),
            o.scored.len() as i32,
            best.map(|b| b.candidate.name.clone()),
            best.map(|b| b.candidate.artists.join(", ")),
            best.map(|b| b.candidate.album.clone()),
            o.reason,
        ])
        .map_err(e("writing track_matches"))?;
    }
    m.flush().map_err(e("writing track_matches"))?;
    drop(m);
    let mut c = conn.appender("match_candidates").map_err(e("writing match_candidates"))?;
    for o in outcomes {
        let chosen_id = o.chosen.map(|i| o.scored[i].candidate.id.as_str());
        let mut order: Vec<&Scored> = o.scored.iter().collect();
        order.sort_by(|a, b| b.score.total_cmp(&a.score));
        for (rank, s) in order.iter().enumerate() {
            let k = s.components;
            c.append_row(duckdb::params![
                o.track_id,
                rank as i32 + 1,
                s.candidate.id,
                s.candidate.name,
                s.candidate.artists.join(", "),
                s.candidate.album,
                s.candidate.duration_ms,
                s.query,
                s.score,
                k.title,
                k.artist,
                k.album,
                k.duration,
                k.version,
                s.version.to_string(),
                chosen_id == Some(s.candidate.id.as_str()),
            ])
            .map_err(e("writing match_candidates"))?;
        }
    }
    c.flush().map_err(e("writing match_candidates"))?;
    Ok(())
}

/// `match_review`: the unmatched, ambiguous and pending tracks with their top-3 candidates.
pub(super) fn write_review(conn: &Connection) -> Result<(), MatchError> {
    conn.execute_batch(include_str!("../../../sql/outputs/match_review.sql")).map_err(duck("writing match_review"))?;
    Ok(())
}

/// Logs the tracks to review (unmatched, ambiguous, pending) with their best candidate, the
/// first 20 of them; the whole list with the top-3 candidates is the table `match_review`.
pub(super) fn log_review(conn: &Connection) -> Result<(), MatchError> {
    let e = duck;
    let total: i64 = conn.query_row("SELECT count(*) FROM match_review", [], |r| r.get(0)).map_err(e("reading match_review"))?;
    if total == 0 {
        return Ok(());
    }
    tracing::info!("{total} tracks to review (table match_review, with their top-3 candidates)");
    let mut stmt = conn
        .prepare("SELECT track_id, quality, artist, title, coalesce(cand1, '(no candidate)') FROM match_review ORDER BY quality, track_id LIMIT 20")
        .map_err(e("reading match_review"))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, Option<String>>(3)?, r.get::<_, String>(4)?)))
        .map_err(e("reading match_review"))?;
    for row in rows {
        let (id, quality, artist, title, cand) = row.map_err(e("reading match_review"))?;
        tracing::info!("  {quality:<9} {id}: {} — {}; best candidate: {cand}", artist.unwrap_or_default(), title.unwrap_or_default());
    }
    Ok(())
}

