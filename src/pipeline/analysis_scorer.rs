//! The matching stage's scorer, handed to the analysis stage (stages never import each other:
//! the composition joins them here).
//!
//! Each collection track becomes a matching [`Query`] once; a file's tags become a
//! [`Candidate`] (title, artist, album, duration), scored with [`score`] and the `[match]`
//! weights (their defaults without a `[match]` section) — the same title/artist/album/duration
//! similarities and version-tag penalty that match tracks to Spotify.

use crate::analysis::matcher::{FileQuery, Scorer, TrackRef};
use crate::matching::score::{Candidate, Query, Weights, score};

pub struct MatchingScorer {
    queries: Vec<Query>,
    weights: Weights,
}

impl MatchingScorer {
    pub fn new(tracks: &[TrackRef], weights: Weights) -> MatchingScorer {
        let queries = tracks.iter().map(|t| Query::new(&t.track_id, &t.artist, &t.title, &t.album, t.duration_ms)).collect();
        MatchingScorer { queries, weights }
    }
}

impl Scorer for MatchingScorer {
    fn score(&self, file: &FileQuery, track: usize) -> f64 {
        let c = Candidate {
            id: String::new(),
            name: file.title.clone(),
            artists: if file.artist.is_empty() { Vec::new() } else { vec![file.artist.clone()] },
            album: file.album.clone(),
            duration_ms: file.duration_ms,
            isrc: None,
        };
        score(&self.queries[track], &c, &self.weights, "").score
    }
}

/// The scorer factory the analysis step takes, with the configuration's weights.
pub fn factory(weights: Weights) -> impl Fn(&[TrackRef]) -> Box<dyn Scorer> {
    move |tracks| Box::new(MatchingScorer::new(tracks, weights.clone()))
}
