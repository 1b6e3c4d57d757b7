//! The matching run: tracks in, `track_matches` / `match_candidates` / `match_review` out.
//!
//! [`run`] reads the warehouse's `tracks`, works through them in batches (the size of
//! `[match] batch_size`), asks a [`CandidateSource`] for candidates, scores and decides, then
//! commits the batch: the source's new cache entries (state database) and the batch's rows
//! (warehouse). An interrupted run loses at most the batch in flight; a rerun recomputes the
//! finished batches from the cache, sending no request twice. The scorer strategy sends at most
//! two searches per track (a field-filtered one, and an unfiltered one only when the first did
//! not settle the track, [`scorer`]); [`Strategy::Original`] replays the original 7-stage
//! cascade ([`cascade`]). [`store`] writes the tables.

mod cascade;
mod scorer;
mod store;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use duckdb::Connection;

use super::score::{Decision, Quality, Query, Scored, Weights};
use super::source::CandidateSource;
use super::{MatchError, Strategy};
pub use scorer::scorer_searches;
pub use store::{read_tracks, read_tracks_with_credits};

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
pub struct TrackDecision {
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

/// Runs the matching on `conn` (the warehouse, with the state database attached as `state`).
pub fn run(conn: &Connection, source: &mut dyn CandidateSource, opts: &RunOptions) -> Result<Summary, MatchError> {
    let started = Instant::now();
    let (tracks, credits): (Vec<Query>, Vec<Option<String>>) = read_tracks_with_credits(conn)?.into_iter().unzip();
    // The artists as credited on the record, tried where the name finds nothing (scorer).
    let credits: HashMap<String, String> = tracks.iter().zip(credits).filter_map(|(q, c)| Some((q.track_id.clone(), c?))).collect();
    store::create_tables(conn)?;
    let bar = if opts.progress { indicatif::ProgressBar::new(tracks.len() as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("matching {bar:30} {pos}/{len} tracks, {per_sec}, ETA {eta} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut summary = Summary { tracks: tracks.len() as u64, ..Summary::default() };
    let requests_before = source.requests_sent();
    let mut stopped: Option<String> = None;
    for chunk in tracks.chunks(opts.batch_size.max(1)) {
        let mut outcomes: Vec<TrackDecision> = Vec::with_capacity(chunk.len());
        let (forced, open): (Vec<&Query>, Vec<&Query>) = chunk.iter().partition(|q| opts.overrides.contains_key(&q.track_id));
        for q in forced {
            let id = opts.overrides[&q.track_id].clone();
            outcomes.push(TrackDecision {
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
                outcomes.push(TrackDecision { track_id: q.track_id.clone(), quality: Quality::Pending, chosen: None, decision: None, scored: Vec::new(), query: None, override_id: None, reason: "not searched: the run stopped (quota exceeded)".into() });
            }
        } else if !open.is_empty() {
            let (o, s) = match opts.strategy {
                Strategy::Scorer => scorer::batch_scorer(&open, source, &opts.weights, &credits)?,
                Strategy::Original => cascade::batch_original(&open, source, &opts.weights)?,
            };
            outcomes.extend(o);
            if let Some(m) = s {
                tracing::warn!("{m}: stopping; finished tracks are kept, a rerun continues");
                bar.set_message("stopped: quota exceeded");
                stopped = Some(m);
            }
        }
        source.commit()?;
        store::write_batch(conn, &outcomes, opts.strategy, source.name())?;
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
    store::write_review(conn)?;
    store::log_review(conn)?;
    summary.requests = source.requests_sent() - requests_before;
    summary.stopped = stopped;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Empty match tables (no track matched), for a build whose matching cannot run (no
/// credentials): the marts and checks that follow still find their tables.
pub fn write_empty(conn: &Connection) -> Result<(), MatchError> {
    store::create_tables(conn)?;
    store::write_review(conn)
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

