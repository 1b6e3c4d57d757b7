//! The original project's 7-stage cascade, replayed batch by batch for comparison: the first
//! stage whose search returns an acceptable result wins.

use super::TrackDecision;
use super::scorer::add_scored;
use crate::matching::score::{Quality, Query, Scored, Weights};
use crate::matching::source::{CandidateSource, Search};
use crate::matching::{MatchError, original};

/// Decides one batch with the original cascade.
pub(super) fn batch_original(tracks: &[&Query], source: &mut dyn CandidateSource, w: &Weights) -> Result<(Vec<TrackDecision>, Option<String>), MatchError> {
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
            (Some(m), _) => TrackDecision { track_id: q.track_id.clone(), quality: Quality::Pending, chosen: None, decision: None, scored: s, query: None, override_id: None, reason: m.clone() },
            (None, Some((stage, idx, query))) => {
                // The same acceptance policy as the scorer: a `low` stage waits for review.
                let quality = original::quality(*stage);
                let accept = w.accept.contains(&quality);
                TrackDecision {
                    track_id: q.track_id.clone(),
                    quality,
                    chosen: accept.then_some(*idx),
                    decision: None,
                    scored: s,
                    query: Some(query.clone()),
                    override_id: None,
                    reason: if accept { format!("original cascade, stage {stage}") } else { format!("original cascade, stage {stage}; queued for review (`{}` is not in [match.weights] accept)", quality.as_str()) },
                }
            }
            (None, None) => TrackDecision { track_id: q.track_id.clone(), quality: Quality::None, chosen: None, decision: None, scored: s, query: None, override_id: None, reason: "no stage of the cascade found a result".into() },
        };
        out.push(o);
    }
    Ok((out, stopped))
}

