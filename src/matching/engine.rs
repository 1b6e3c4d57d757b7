//! The matching run: tracks in, `track_matches` / `match_candidates` / `match_review` out.
//!
//! [`run`] reads the warehouse's `tracks`, works through them in batches (the size of
//! `[match] batch_size`), asks a [`CandidateSource`] for candidates, scores and decides, then
//! commits the batch: the source's new cache entries (state database) and the batch's rows
//! (warehouse). An interrupted run loses at most the batch in flight; a rerun recomputes the
//! finished batches from the cache, sending no request twice. The scorer strategy sends at most
//! two searches per track (a field-filtered one, and an unfiltered one only when the first did
//! not settle the track); [`Strategy::Original`] replays the original 7-stage cascade.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use duckdb::Connection;

use super::normalize::{Artist, Title, album_key, search_terms};
use super::score::{self, Candidate, Decision, Quality, Query, Scored, Weights};
use super::source::{CandidateSource, Search};
use super::{MatchError, Strategy, original};

/// How a run goes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub strategy: Strategy,
    pub weights: Weights,
    pub batch_size: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    /// Track key → Spotify ID, or `None` for "no match" (the overrides file).
    pub overrides: HashMap<String, Option<String>>,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub tracks: u64,
    pub matched: u64,
    pub by_quality: BTreeMap<String, u64>,
    pub by_query: BTreeMap<String, u64>,
    /// Requests the source sent to a remote service in this run.
    pub requests: u64,
    /// Set when the source stopped the run (quota): its message.
    pub stopped: Option<String>,
    pub seconds: f64,
}

/// The decided row of one track.
pub struct Outcome {
    pub track_id: String,
    pub quality: Quality,
    pub chosen: Option<usize>,
    pub decision: Option<Decision>,
    pub scored: Vec<Scored>,
    /// The search that found the chosen candidate (or the last one tried).
    pub query: Option<String>,
    pub override_id: Option<String>,
    pub reason: String,
}

const TABLES: &str = "
CREATE OR REPLACE TABLE track_matches (
    track_id VARCHAR PRIMARY KEY, spotify_id VARCHAR, quality VARCHAR, strategy VARCHAR, source VARCHAR,
    query VARCHAR, score DOUBLE, title_sim DOUBLE, artist_sim DOUBLE, album_sim DOUBLE, duration_sim DOUBLE,
    version_distance DOUBLE, runner_up_id VARCHAR, runner_up_score DOUBLE, candidates INTEGER,
    matched_name VARCHAR, matched_artists VARCHAR, matched_album VARCHAR, reason VARCHAR);
CREATE OR REPLACE TABLE match_candidates (
    track_id VARCHAR, rank INTEGER, spotify_id VARCHAR, name VARCHAR, artists VARCHAR, album VARCHAR,
    duration_ms BIGINT, query VARCHAR, score DOUBLE, title_sim DOUBLE, artist_sim DOUBLE, album_sim DOUBLE,
    duration_sim DOUBLE, version_distance DOUBLE, version VARCHAR, chosen BOOLEAN);
";

/// Reads the tracks to match from the warehouse's `tracks` table.
pub fn read_tracks(conn: &Connection) -> Result<Vec<Query>, MatchError> {
    let mut stmt = conn
        .prepare(
            "SELECT track_id, coalesce(CASE WHEN is_compilation THEN 'Various' END, artist, ''), coalesce(title, ''),
                    coalesce(album, ''), duration_ms
             FROM tracks ORDER BY track_id",
        )
        .map_err(MatchError::duck("reading tracks"))?;
    let rows = stmt
        .query_map([], |r| Ok(Query::new(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?, &r.get::<_, String>(2)?, &r.get::<_, String>(3)?, r.get(4)?)))
        .map_err(MatchError::duck("reading tracks"))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(MatchError::duck("reading tracks"))
}

/// The scorer's two searches for a track: field-filtered first, then unfiltered words.
pub fn scorer_searches(q: &Query) -> [Search; 2] {
    // Search words come from the raw strings with dots as word breaks ("B.I.G." → "b i g"),
    // the way search engines tokenize; scoring compares the folded forms.
    let undot = |s: &str| s.replace('.', " ");
    let core = search_terms(&Title::parse(&undot(&q.raw_title)).core);
    let core = if core.is_empty() { q.title.core.clone() } else { core };
    if q.artist.various || q.artist.main.is_empty() {
        let album = search_terms(&album_key(&undot(&q.raw_album)));
        let album = (!album.is_empty()).then_some(album);
        [Search::filtered(Some(&core), None, album.as_deref()), Search::free(&format!("{core} {}", album.as_deref().unwrap_or("")))]
    } else {
        let artist = search_terms(&Artist::parse(&undot(&q.raw_artist)).main);
        [Search::filtered(Some(&core), Some(&artist), None), Search::free(&format!("{core} {artist}"))]
    }
}

fn add_scored(into: &mut Vec<Scored>, q: &Query, cands: &[Candidate], w: &Weights, query: &str) {
    for c in cands {
        if !into.iter().any(|s| s.candidate.id == c.id) {
            into.push(score::score(q, c, w, query));
        }
    }
}

/// Decides one batch with the scorer. Returns the outcomes and whether the source stopped.
fn batch_scorer(tracks: &[&Query], source: &mut dyn CandidateSource, w: &Weights) -> Result<(Vec<Outcome>, Option<String>), MatchError> {
    let first: Vec<Search> = tracks.iter().map(|q| scorer_searches(q)[0].clone()).collect();
    let r1 = source.search(tracks, &first)?;
    let mut stopped = r1.stopped.clone();
    let mut scored: Vec<Vec<Scored>> = Vec::with_capacity(tracks.len());
    let mut failed: Vec<Option<String>> = vec![None; tracks.len()];
    let mut decisions = Vec::with_capacity(tracks.len());
    for (i, q) in tracks.iter().enumerate() {
        let mut s = Vec::new();
        match &r1.results[i] {
            Ok(c) => add_scored(&mut s, q, c, w, &first[i].q()),
            Err(m) => failed[i] = Some(m.clone()),
        }
        decisions.push(score::decide(&mut s, w));
        scored.push(s);
    }
    // Second search only for the tracks the first did not settle.
    let retry: Vec<usize> = (0..tracks.len()).filter(|&i| failed[i].is_none() && !decisions[i].accepted() && !scorer_searches(tracks[i])[1].is_empty()).collect();
    if !retry.is_empty() && stopped.is_none() {
        let qs: Vec<&Query> = retry.iter().map(|&i| tracks[i]).collect();
        let second: Vec<Search> = qs.iter().map(|q| scorer_searches(q)[1].clone()).collect();
        let r2 = source.search(&qs, &second)?;
        stopped = stopped.or(r2.stopped);
        for (j, &i) in retry.iter().enumerate() {
            match &r2.results[j] {
                Ok(c) => {
                    add_scored(&mut scored[i], tracks[i], c, w, &second[j].q());
                    decisions[i] = score::decide(&mut scored[i], w);
                }
                Err(m) => failed[i] = Some(m.clone()),
            }
        }
    } else if !retry.is_empty() {
        for &i in &retry {
            failed[i] = Some("not sent: the run stopped".into());
        }
    }
    let mut out = Vec::with_capacity(tracks.len());
    for (i, (q, (s, d))) in tracks.iter().zip(scored.into_iter().zip(decisions)).enumerate() {
        let query = d.best.map(|b| s[b].query.clone()).or_else(|| Some(first[i].q()));
        if let Some(m) = &failed[i] {
            out.push(Outcome { track_id: q.track_id.clone(), quality: Quality::Pending, chosen: None, decision: None, scored: s, query, override_id: None, reason: m.clone() });
            continue;
        }
        let chosen = if d.accepted() { d.best } else { None };
        let reason = d.reason.clone();
        out.push(Outcome { track_id: q.track_id.clone(), quality: d.quality, chosen, decision: Some(d), scored: s, query, override_id: None, reason });
    }
    Ok((out, stopped))
}

/// Decides one batch with the original cascade.
fn batch_original(tracks: &[&Query], source: &mut dyn CandidateSource, w: &Weights) -> Result<(Vec<Outcome>, Option<String>), MatchError> {
    let mut scored: Vec<Vec<Scored>> = (0..tracks.len()).map(|_| Vec::new()).collect();
    let mut done: Vec<Option<(usize, usize, String)>> = vec![None; tracks.len()]; // (stage, index in scored, query)
    let mut failed: Vec<Option<String>> = vec![None; tracks.len()];
    let mut stopped = None;
    for stage in 1..=original::STAGES {
        let open: Vec<usize> = (0..tracks.len()).filter(|&i| done[i].is_none() && failed[i].is_none()).collect();
        if open.is_empty() {
            break;
        }
        if stopped.is_some() {
            for i in open {
                failed[i] = Some("not sent: the run stopped".into());
            }
            break;
        }
        let qs: Vec<&Query> = open.iter().map(|&i| tracks[i]).collect();
        let searches: Vec<Search> = qs.iter().map(|q| original::search(stage, q)).collect();
        let r = source.search(&qs, &searches)?;
        stopped = stopped.or(r.stopped);
        for (j, &i) in open.iter().enumerate() {
            match &r.results[j] {
                Ok(cands) => {
                    add_scored(&mut scored[i], tracks[i], cands, w, &searches[j].q());
                    if let Some(k) = original::pick(stage, tracks[i], cands) {
                        let idx = scored[i].iter().position(|s| s.candidate.id == cands[k].id).expect("scored above");
                        done[i] = Some((stage, idx, searches[j].q()));
                    }
                }
                Err(m) => failed[i] = Some(m.clone()),
            }
        }
    }
    let mut out = Vec::with_capacity(tracks.len());
    for (i, q) in tracks.iter().enumerate() {
        let s = std::mem::take(&mut scored[i]);
        let o = match (&failed[i], &done[i]) {
            (Some(m), _) => Outcome { track_id: q.track_id.clone(), quality: Quality::Pending, chosen: None, decision: None, scored: s, query: None, override_id: None, reason: m.clone() },
            (None, Some((stage, idx, query))) => Outcome {
                track_id: q.track_id.clone(),
                quality: original::quality(*stage),
                chosen: Some(*idx),
                decision: None,
                scored: s,
                query: Some(query.clone()),
                override_id: None,
                reason: format!("original cascade, stage {stage}"),
            },
            (None, None) => Outcome { track_id: q.track_id.clone(), quality: Quality::None, chosen: None, decision: None, scored: s, query: None, override_id: None, reason: "no stage of the cascade found a result".into() },
        };
        out.push(o);
    }
    Ok((out, stopped))
}

/// Runs the matching on `conn` (the warehouse, with the state database attached as `state`).
pub fn run(conn: &Connection, source: &mut dyn CandidateSource, opts: &RunOptions) -> Result<Summary, MatchError> {
    let started = Instant::now();
    let tracks = read_tracks(conn)?;
    conn.execute_batch(TABLES).map_err(MatchError::duck("creating the match tables"))?;
    let bar = if opts.progress { indicatif::ProgressBar::new(tracks.len() as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("matching {bar:30} {pos}/{len} tracks, {per_sec}, ETA {eta} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut summary = Summary { tracks: tracks.len() as u64, ..Summary::default() };
    let requests_before = source.requests_sent();
    let mut stopped: Option<String> = None;
    for chunk in tracks.chunks(opts.batch_size.max(1)) {
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(chunk.len());
        let (forced, open): (Vec<&Query>, Vec<&Query>) = chunk.iter().partition(|q| opts.overrides.contains_key(&q.track_id));
        for q in forced {
            let id = opts.overrides[&q.track_id].clone();
            outcomes.push(Outcome {
                track_id: q.track_id.clone(),
                quality: Quality::Override,
                chosen: None,
                decision: None,
                scored: Vec::new(),
                query: Some("override".into()),
                reason: if id.is_some() { "set by the overrides file".into() } else { "the overrides file says: no match".into() },
                override_id: id,
            });
        }
        if stopped.is_some() {
            for q in open {
                outcomes.push(Outcome { track_id: q.track_id.clone(), quality: Quality::Pending, chosen: None, decision: None, scored: Vec::new(), query: None, override_id: None, reason: "not searched: the run stopped (quota exceeded)".into() });
            }
        } else if !open.is_empty() {
            let (o, s) = match opts.strategy {
                Strategy::Scorer => batch_scorer(&open, source, &opts.weights)?,
                Strategy::Original => batch_original(&open, source, &opts.weights)?,
            };
            outcomes.extend(o);
            if let Some(m) = s {
                tracing::warn!("{m}: stopping; finished tracks are kept, a rerun continues");
                bar.set_message("stopped: quota exceeded");
                stopped = Some(m);
            }
        }
        source.commit()?;
        write_batch(conn, &outcomes, opts.strategy, source.name())?;
        for o in &outcomes {
            *summary.by_quality.entry(o.quality.as_str().to_string()).or_default() += 1;
            let id = o.override_id.is_some() || o.chosen.is_some();
            if id {
                summary.matched += 1;
                *summary.by_query.entry(query_kind(o.query.as_deref())).or_default() += 1;
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    write_review(conn)?;
    log_review(conn)?;
    summary.requests = source.requests_sent() - requests_before;
    summary.stopped = stopped;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The shape of a search, for the summary: `track+artist`, `track+album`, `words`, `override`…
pub fn query_kind(q: Option<&str>) -> String {
    let Some(q) = q else { return "none".into() };
    if q == "override" {
        return q.into();
    }
    let mut parts: Vec<&str> = ["artist:", "track:", "album:"].into_iter().filter(|f| q.contains(f)).map(|f| f.trim_end_matches(':')).collect();
    if parts.is_empty() {
        parts.push("words");
    }
    parts.join("+")
}

fn write_batch(conn: &Connection, outcomes: &[Outcome], strategy: Strategy, source: &str) -> Result<(), MatchError> {
    let e = MatchError::duck;
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
fn write_review(conn: &Connection) -> Result<(), MatchError> {
    conn.execute_batch(
        "CREATE OR REPLACE TABLE match_review AS
         SELECT m.track_id, t.artist, t.title, t.album, m.quality, m.reason,
                max(CASE WHEN c.rank = 1 THEN c.spotify_id END) AS cand1_id,
                max(CASE WHEN c.rank = 1 THEN format('{} — {} ({}) {:.3}', c.name, c.artists, c.album, c.score) END) AS cand1,
                max(CASE WHEN c.rank = 2 THEN c.spotify_id END) AS cand2_id,
                max(CASE WHEN c.rank = 2 THEN format('{} — {} ({}) {:.3}', c.name, c.artists, c.album, c.score) END) AS cand2,
                max(CASE WHEN c.rank = 3 THEN c.spotify_id END) AS cand3_id,
                max(CASE WHEN c.rank = 3 THEN format('{} — {} ({}) {:.3}', c.name, c.artists, c.album, c.score) END) AS cand3
         FROM track_matches m JOIN tracks t USING (track_id)
         LEFT JOIN match_candidates c ON c.track_id = m.track_id AND c.rank <= 3
         WHERE m.spotify_id IS NULL AND m.quality <> 'override'
         GROUP BY ALL ORDER BY m.quality, m.track_id",
    )
    .map_err(MatchError::duck("writing match_review"))
}

/// Logs the tracks to review (unmatched, ambiguous, pending) with their best candidate, the
/// first 20 of them; the whole list with the top-3 candidates is the table `match_review`.
fn log_review(conn: &Connection) -> Result<(), MatchError> {
    let e = MatchError::duck;
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

/// Reads an overrides CSV: `track_id,spotify_id` (header row), `none` (or empty) for "no match".
pub fn read_overrides(path: &std::path::Path) -> Result<HashMap<String, Option<String>>, MatchError> {
    let bad = |line: u64, message: String| MatchError::Overrides { path: path.to_path_buf(), line, message };
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(0, e.to_string()))?;
    let headers = r.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let col = |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    let (Some(k), Some(v)) = (col(&["track_id", "track"]), col(&["spotify_id", "spotify"])) else {
        return Err(bad(1, "needs the columns track_id and spotify_id".into()));
    };
    let mut out = HashMap::new();
    let mut seen = HashSet::new();
    for (i, rec) in r.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| bad(line, e.to_string()))?;
        let key = rec.get(k).unwrap_or("").trim().to_string();
        let id = rec.get(v).unwrap_or("").trim();
        if key.is_empty() {
            return Err(bad(line, "empty track_id".into()));
        }
        if !seen.insert(key.clone()) {
            return Err(bad(line, format!("track {key} is listed twice")));
        }
        let id = id.strip_prefix("spotify:track:").unwrap_or(id);
        let value = if id.is_empty() || id.eq_ignore_ascii_case("none") {
            None
        } else if id.len() == 22 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
            Some(id.to_string())
        } else {
            return Err(bad(line, format!("`{id}` is not a Spotify track ID (22 letters and digits) nor `none`")));
        };
        out.insert(key, value);
    }
    Ok(out)
}

/// Prints why a track got its match, from `track_matches` and `match_candidates`.
pub fn explain(conn: &Connection, track_id: &str, out: &mut dyn std::io::Write) -> Result<bool, MatchError> {
    let e = MatchError::duck;
    let track = conn
        .query_row(
            "SELECT t.artist, t.title, t.album, m.spotify_id, m.quality, m.strategy, m.source, m.query, m.score, m.reason, m.runner_up_id, m.runner_up_score
             FROM tracks t LEFT JOIN track_matches m USING (track_id) WHERE t.track_id = ?",
            [track_id],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<f64>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<f64>>(11)?,
                ))
            },
        )
        .map(Some)
        .or_else(|err| if matches!(err, duckdb::Error::QueryReturnedNoRows) { Ok(None) } else { Err(err) })
        .map_err(e("reading the track"))?;
    let Some((artist, title, album, id, quality, strategy, source, query, score, reason, ru_id, ru_score)) = track else {
        return Ok(false);
    };
    let s = |o: Option<String>| o.unwrap_or_else(|| "—".into());
    let w = |r: std::io::Result<()>| r.map_err(|err| MatchError::Output(err.to_string()));
    w(writeln!(out, "track {track_id}: {} — {} ({})", s(artist), s(title), s(album)))?;
    w(writeln!(out, "decision: {} → {} (strategy {}, source {})", s(quality), s(id), s(strategy), s(source)))?;
    w(writeln!(out, "found by: {}", s(query)))?;
    w(writeln!(out, "why: {}", s(reason)))?;
    if let Some(sc) = score {
        w(writeln!(out, "score: {sc:.3}; runner-up: {} {}", s(ru_id), ru_score.map(|x| format!("{x:.3}")).unwrap_or_default()))?;
    }
    let mut stmt = conn
        .prepare(
            "SELECT rank, spotify_id, name, artists, album, score, title_sim, artist_sim, album_sim, duration_sim, version_distance, version, chosen, query
             FROM match_candidates WHERE track_id = ? ORDER BY rank",
        )
        .map_err(e("reading candidates"))?;
    let rows = stmt
        .query_map([track_id], |r| {
            Ok(format!(
                "{:>3}{} {:.3}  title {:.2} artist {} album {:.2} duration {} version {:.1} ({})  {} — {} — {} [{}]  via {}",
                r.get::<_, i32>(0)?,
                if r.get::<_, bool>(12)? { "*" } else { " " },
                r.get::<_, f64>(5)?,
                r.get::<_, f64>(6)?,
                r.get::<_, Option<f64>>(7)?.map(|x| format!("{x:.2}")).unwrap_or_else(|| "n/a".into()),
                r.get::<_, f64>(8)?,
                r.get::<_, Option<f64>>(9)?.map(|x| format!("{x:.2}")).unwrap_or_else(|| "n/a".into()),
                r.get::<_, f64>(10)?,
                r.get::<_, String>(11)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(13)?,
            ))
        })
        .map_err(e("reading candidates"))?;
    w(writeln!(out, "candidates (* = chosen):"))?;
    for row in rows {
        w(writeln!(out, "{}", row.map_err(e("reading candidates"))?))?;
    }
    Ok(true)
}
