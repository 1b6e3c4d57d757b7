//! Files → tracks: which Discogs track a file (or CUE segment) is.
//!
//! In order:
//! 1. **release id + position**: the file's `DISCOGS_RELEASE_ID` names a release of the
//!    collection and its position tag (`A1`, or a track number counted in tracklist order)
//!    names one of its tracks — accepted unless the file's title clearly belongs to another
//!    track of that release (another track scores at least 0.1 more and reaches the
//!    acceptance threshold: a mis-tagged position, then matched by title);
//! 2. **release id + title**: the release is known but the position is not: its best-scoring
//!    track, when the score reaches 0.5;
//! 3. **scorer**: the matching stage's own scorer (title, artist, album, duration, version
//!    tags — passed in by the composition as a [`Scorer`], since a stage never imports
//!    another) over the collection's tracks that share a title word with the file; accepted
//!    at `[analysis] accept` when it leads the runner-up by 0.06, else `ambiguous`;
//! 4. otherwise `unmatched`.

use std::collections::{HashMap, HashSet};

use super::tags::FileTags;

/// A track of the collection, as the matcher sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRef {
    pub track_id: String,
    pub release_id: i64,
    pub position: String,
    pub artist: String,
    pub title: String,
    pub album: String,
    pub duration_ms: Option<i64>,
}

/// What a file says, for scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct FileQuery {
    pub artist: String,
    pub title: String,
    pub album: String,
    pub duration_ms: Option<i64>,
}

/// Scores a file against a track of the collection in 0..1 (the matching stage's scorer,
/// prepared by the composition over the tracks it will be asked about).
pub trait Scorer: Sync {
    fn score(&self, file: &FileQuery, track: usize) -> f64;
}

/// The lead the best track needs over the runner-up.
pub const MARGIN: f64 = 0.06;
/// How far another track of the release must out-score the position's track for the title to
/// win over the position tag (a mis-tagged position).
pub const MISTAG_LEAD: f64 = 0.1;
/// The score a title must reach within a known release.
pub const WITHIN_RELEASE: f64 = 0.5;

#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub track: Option<usize>,
    /// `release_position`, `release_title`, `scorer`, `ambiguous`, `unmatched`.
    pub quality: &'static str,
    pub reason: String,
    pub score: Option<f64>,
}

fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2).map(|w| w.to_lowercase())
}

/// The collection's tracks, indexed for matching.
pub struct Index<'a> {
    pub tracks: &'a [TrackRef],
    by_id: HashMap<&'a str, usize>,
    by_release: HashMap<i64, Vec<usize>>,
    by_word: HashMap<String, Vec<usize>>,
}

impl<'a> Index<'a> {
    pub fn new(tracks: &'a [TrackRef]) -> Index<'a> {
        let mut by_release: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in tracks.iter().enumerate() {
            by_release.entry(t.release_id).or_default().push(i);
            let ws: HashSet<String> = words(&deunicode::deunicode(&t.title)).collect();
            for w in ws {
                by_word.entry(w).or_default().push(i);
            }
        }
        Index { tracks, by_id: tracks.iter().enumerate().map(|(i, t)| (t.track_id.as_str(), i)).collect(), by_release, by_word }
    }

    fn by_position(&self, release: i64, position: &str) -> Option<usize> {
        let pos = position.trim();
        if let Some(&i) = self.by_id.get(format!("{release}_{pos}").as_str()) {
            return Some(i);
        }
        // "3" or "3/12": the third track in tracklist order
        let n: usize = pos.split('/').next()?.trim().parse().ok()?;
        self.by_release.get(&release)?.get(n.checked_sub(1)?).copied()
    }

    /// Matches one file (or CUE segment).
    pub fn match_file(&self, tags: &FileTags, duration_ms: Option<i64>, scorer: &dyn Scorer, accept: f64) -> Match {
        let q = FileQuery {
            artist: tags.artist.clone().unwrap_or_default(),
            title: tags.title.clone().unwrap_or_default(),
            album: tags.album.clone().unwrap_or_default(),
            duration_ms,
        };
        let has_title = !q.title.is_empty();
        if let Some(release) = tags.release_id.filter(|r| self.by_release.contains_key(r)) {
            let in_release = &self.by_release[&release];
            let best = in_release.iter().map(|&i| (i, if has_title { scorer.score(&q, i) } else { 0.0 })).max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some(i) = tags.position.as_deref().and_then(|p| self.by_position(release, p)) {
                let s = has_title.then(|| scorer.score(&q, i));
                match (s, best) {
                    (Some(s), Some((b, bs))) if bs - s >= MISTAG_LEAD && bs >= accept && b != i => {
                        return Match {
                            track: Some(b),
                            quality: "release_title",
                            reason: format!("position {} names {}, but the title matches {} ({bs:.2})", tags.position.as_deref().unwrap_or(""), self.tracks[i].track_id, self.tracks[b].track_id),
                            score: Some(bs),
                        };
                    }
                    _ => {
                        return Match { track: Some(i), quality: "release_position", reason: format!("DISCOGS_RELEASE_ID {release} + position {}", tags.position.as_deref().unwrap_or("")), score: s };
                    }
                }
            }
            if let Some((b, bs)) = best.filter(|(_, s)| *s >= WITHIN_RELEASE) {
                return Match { track: Some(b), quality: "release_title", reason: format!("DISCOGS_RELEASE_ID {release}, best title in the release"), score: Some(bs) };
            }
        }
        if !has_title {
            return Match { track: None, quality: "unmatched", reason: "no title in tags or file name".into(), score: None };
        }
        let mut candidates: Vec<usize> = words(&deunicode::deunicode(&q.title)).filter_map(|w| self.by_word.get(&w)).flatten().copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(usize, f64)> = candidates.into_iter().map(|i| (i, scorer.score(&q, i))).collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some(&(best, bs)) = scored.first() else {
            return Match { track: None, quality: "unmatched", reason: "no track of the collection shares a title word".into(), score: None };
        };
        let runner = scored.iter().find(|(i, _)| self.tracks[*i].title != self.tracks[best].title || self.tracks[*i].artist != self.tracks[best].artist).map_or(0.0, |r| r.1);
        if bs < accept {
            return Match { track: None, quality: "unmatched", reason: format!("best candidate {} scores {bs:.2} < {accept:.2}", self.tracks[best].track_id), score: Some(bs) };
        }
        if bs - runner < MARGIN {
            return Match { track: None, quality: "ambiguous", reason: format!("{} ({bs:.2}) leads the runner-up ({runner:.2}) by less than {MARGIN}", self.tracks[best].track_id), score: Some(bs) };
        }
        Match { track: Some(best), quality: "scorer", reason: format!("tags scored {bs:.2} against {}", self.tracks[best].track_id), score: Some(bs) }
    }
}
