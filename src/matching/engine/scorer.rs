//! The scorer strategy: at most two searches per track — field-filtered first, then plain
//! words only when the first did not settle it — every candidate scored, the decision taken on
//! threshold and margin.

use super::TrackDecision;
use crate::matching::MatchError;
use crate::matching::normalize::{Artist, Title, album_key, search_terms};
use crate::matching::score::{self, Candidate, Quality, Query, Scored, Weights};
use crate::matching::source::{CandidateSource, Search};

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

pub(super) fn add_scored(into: &mut Vec<Scored>, q: &Query, cands: &[Candidate], w: &Weights, query: &str) {
    for c in cands {
        if !into.iter().any(|s| s.candidate.id == c.id) {
            into.push(score::score(q, c, w, query));
        }
    }
}

/// Decides one batch with the scorer. Returns the outcomes and whether the source stopped.
/// A track still unsettled after its two searches, whose artists are credited on the record
/// under another name (`credits`: Discogs' `anv`), gets a third: the field-filtered search with
/// the credit, its candidates scored against the credit.
pub(super) fn batch_scorer(
    tracks: &[&Query],
    source: &mut dyn CandidateSource,
    w: &Weights,
    credits: &std::collections::HashMap<String, String>,
) -> Result<(Vec<TrackDecision>, Option<String>), MatchError> {
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
    let third: Vec<(usize, Query)> = (0..tracks.len())
        .filter(|&i| failed[i].is_none() && !decisions[i].accepted())
        .filter_map(|i| {
            let q = tracks[i];
            let credit = credits.get(&q.track_id)?;
            Some((i, Query::new(&q.track_id, credit, &q.raw_title, &q.raw_album, q.duration_ms)))
        })
        .collect();
    if !third.is_empty() && stopped.is_none() {
        let qs: Vec<&Query> = third.iter().map(|(_, q)| q).collect();
        let searches: Vec<Search> = qs.iter().map(|q| scorer_searches(q)[0].clone()).collect();
        let r3 = source.search(&qs, &searches)?;
        stopped = stopped.or(r3.stopped);
        for (j, (i, cq)) in third.iter().enumerate() {
            if let Ok(c) = &r3.results[j] {
                add_scored(&mut scored[*i], cq, c, w, &searches[j].q());
                decisions[*i] = score::decide(&mut scored[*i], w);
            }
        }
    }
    let mut out = Vec::with_capacity(tracks.len());
    for (i, (q, (s, d))) in tracks.iter().zip(scored.into_iter().zip(decisions)).enumerate() {
        let query = d.best.map(|b| s[b].query.clone()).or_else(|| Some(first[i].q()));
        if let Some(m) = &failed[i] {
            out.push(TrackDecision { track_id: q.track_id.clone(), quality: Quality::Pending, chosen: None, decision: None, scored: s, query, override_id: None, reason: m.clone() });
            continue;
        }
        let chosen = if d.accepted() { d.best } else { None };
        let reason = d.reason.clone();
        out.push(TrackDecision { track_id: q.track_id.clone(), quality: d.quality, chosen, decision: Some(d), scored: s, query, override_id: None, reason });
    }
    Ok((out, stopped))
}

