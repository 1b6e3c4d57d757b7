//! Scoring candidates and deciding.
//!
//! [`Query`] is a Discogs track prepared for matching (normalized once); [`Candidate`] is one
//! track a source proposed. [`score`] gives a candidate its [`Components`] (title, artist,
//! album, duration similarities in 0..1, strsim) and one weighted [`Scored::score`] minus a
//! version-mismatch penalty. [`decide`] accepts the best candidate when it clears the
//! threshold AND beats the best *different recording* by the margin; otherwise the track is
//! ambiguous (or has no match). Weights and thresholds are [`Weights`], read from `[match]`.
//!
//! Acceptance follows what was measured on a held-out catalogue (right 999 in 1 000 for
//! `exact`, 9 in 10 for `medium`, 6 in 10 for `high`, 3 in 10 for `low`): a `low` decision is
//! queued for review, not accepted ([`Weights::accept`], where `high` can be queued too), and
//! a title less similar than [`Weights::title_floor`] is never accepted on artist and album
//! alone. A candidate whose title adds a part or sequel marker ([`super::sequel`]) gets the
//! version penalty.

use serde::{Deserialize, Serialize};

use super::normalize::{Artist, Title, Version, album_key, fold, norm};
use super::sequel;

/// A Discogs track, normalized once.
#[derive(Debug, Clone)]
pub struct Query {
    pub track_id: String,
    pub raw_title: String,
    pub raw_artist: String,
    pub raw_album: String,
    pub title: Title,
    pub artist: Artist,
    pub album: String,
    pub duration_ms: Option<i64>,
}

impl Query {
    pub fn new(track_id: &str, artist: &str, title: &str, album: &str, duration_ms: Option<i64>) -> Query {
        Query {
            track_id: track_id.to_string(),
            raw_title: title.to_string(),
            raw_artist: artist.to_string(),
            raw_album: album.to_string(),
            title: Title::parse(title),
            artist: Artist::parse(artist),
            album: album_key(album),
            duration_ms,
        }
    }
}

/// One track proposed by a source (the fields of a Spotify TrackObject the matcher reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub artists: Vec<String>,
    pub album: String,
    #[serde(default)]
    pub duration_ms: Option<i64>,
    #[serde(default)]
    pub isrc: Option<String>,
}

/// Weights and thresholds of the scorer (`[match]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    /// Weight of the title similarity. Default 0.45.
    pub title: f64,
    /// Weight of the artist similarity (ignored for compilations credited to "Various"). Default 0.35.
    pub artist: f64,
    /// Weight of the album similarity. Default 0.15.
    pub album: f64,
    /// Weight of the duration agreement, when both durations are known. Default 0.05.
    pub duration: f64,
    /// Subtracted per unit of version distance (live vs studio, another remixer: 1;
    /// edit vs plain: 0.2). Default 0.4.
    pub version_penalty: f64,
    /// Lowest score accepted. Default 0.80.
    pub threshold: f64,
    /// How far the best candidate must lead the best different recording. Default 0.06.
    pub margin: f64,
    /// A compilation track (artist "Various") needs this album similarity, since nothing
    /// else ties it to the record. Default 0.85.
    pub compilation_min_album: f64,
    /// Lowest title similarity a match can be accepted with: below it, artist and album alone
    /// cannot accept (the decision is `low`, queued for review whatever `accept` says).
    /// Default 0.75 (`Shelter Of Your Love` against `… Part Two` is 0.69).
    pub title_floor: f64,
    /// The qualities accepted without review; the others are queued in `match_review`.
    /// `exact` and `medium` always are; `high` may be left out; `low` may be added. Default
    /// `["exact", "high", "medium"]` (`low` was right only 3 times in 10).
    pub accept: Vec<Quality>,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            title: 0.45,
            artist: 0.35,
            album: 0.15,
            duration: 0.05,
            version_penalty: 0.4,
            threshold: 0.80,
            margin: 0.06,
            compilation_min_album: 0.85,
            title_floor: 0.75,
            accept: vec![Quality::Exact, Quality::High, Quality::Medium],
        }
    }
}

impl Weights {
    /// Every weight and threshold a finite number in 0..=1 (the version penalty in 0..=10), and
    /// at least one similarity weighted.
    pub fn validate(&self) -> Result<(), crate::setting::Invalid> {
        use crate::setting::{Invalid, in_range};
        for (key, v, hi) in [
            ("weights.title", self.title, 1.0),
            ("weights.artist", self.artist, 1.0),
            ("weights.album", self.album, 1.0),
            ("weights.duration", self.duration, 1.0),
            ("weights.version_penalty", self.version_penalty, 10.0),
            ("weights.threshold", self.threshold, 1.0),
            ("weights.margin", self.margin, 1.0),
            ("weights.compilation_min_album", self.compilation_min_album, 1.0),
            ("weights.title_floor", self.title_floor, 1.0),
        ] {
            if !v.is_finite() {
                return Err(Invalid::new(key, format!("{v} is not a finite number")));
            }
            in_range(key, v, 0.0, hi)?;
        }
        if self.title + self.artist + self.album + self.duration <= 0.0 {
            return Err(Invalid::new("weights", "at least one of title, artist, album, duration must weigh more than 0"));
        }
        for q in [Quality::Exact, Quality::Medium] {
            if !self.accept.contains(&q) {
                return Err(Invalid::new("weights.accept", format!("must include `{}` (only `high` and `low` are optional)", q.as_str())));
            }
        }
        if let Some(q) = self.accept.iter().find(|q| !matches!(q, Quality::Exact | Quality::High | Quality::Medium | Quality::Low)) {
            return Err(Invalid::new("weights.accept", format!("`{}` is not a quality a match can be accepted with (exact, high, medium, low)", q.as_str())));
        }
        Ok(())
    }
}

/// The similarities behind one score.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Components {
    pub title: f64,
    pub artist: Option<f64>,
    pub album: f64,
    pub duration: Option<f64>,
    /// Version distance (0 same recording … 1 different recording).
    pub version: f64,
}

/// A candidate with its score.
#[derive(Debug, Clone)]
pub struct Scored {
    pub candidate: Candidate,
    pub components: Components,
    pub score: f64,
    /// The candidate's version tag.
    pub version: Version,
    /// The search that found it.
    pub query: String,
    /// Identifies the recording (title core, artist, version family): candidates with the
    /// same key are the same song on different releases and do not make a track ambiguous.
    pub recording: String,
}

/// String similarity in 0..1: the better of Levenshtein on the strings and on their sorted words.
pub fn sim(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let direct = strsim::normalized_levenshtein(a, b);
    let sort = |s: &str| {
        let mut w: Vec<&str> = s.split(' ').collect();
        w.sort_unstable();
        w.join(" ")
    };
    direct.max(strsim::normalized_levenshtein(&sort(a), &sort(b)))
}

/// Scores one candidate for one track.
pub fn score(q: &Query, c: &Candidate, w: &Weights, query: &str) -> Scored {
    let ct = Title::parse(&c.name);
    let title = sim(&q.title.core, &ct.core);
    let cand_artists: Vec<String> = c.artists.iter().map(|a| norm(a)).chain(ct.featured.iter().cloned()).collect();
    let artist = if q.artist.various {
        None
    } else {
        let joined = norm(&c.artists.join(" and "));
        let best = q
            .artist
            .names()
            .take(1)
            .flat_map(|mine| cand_artists.iter().chain(std::iter::once(&joined)).map(move |theirs| sim(mine, theirs)))
            .fold(0.0, f64::max);
        Some(best)
    };
    let album = sim(&q.album, &album_key(&c.album));
    let duration = match (q.duration_ms, c.duration_ms) {
        (Some(a), Some(b)) if a > 0 && b > 0 => Some(1.0 - ((a - b).abs() as f64 / 30_000.0).min(1.0)),
        _ => None,
    };
    // A karaoke / tribute artist is not the recording, whatever its title says.
    let mut version = ct.version.clone();
    if c.artists.iter().any(|a| {
        let f = fold(a);
        f.contains("karaoke") || f.contains("tribute") || f.contains("in the style of")
    }) {
        version = Version::Karaoke;
    }
    let mut vdist = q.title.version.distance(&version);
    // "Part Two", "Reprise", "Interlude"… that the Discogs title lacks: another piece of the work.
    if !sequel::added_markers(&fold(&q.raw_title), &fold(&c.name)).is_empty() {
        vdist = vdist.max(1.0);
    }
    let mut num = w.title * title + w.album * album;
    let mut den = w.title + w.album;
    if let Some(a) = artist {
        num += w.artist * a;
        den += w.artist;
    }
    if let Some(d) = duration {
        num += w.duration * d;
        den += w.duration;
    }
    let mut total = if den > 0.0 { num / den } else { 0.0 };
    total -= w.version_penalty * vdist;
    if q.artist.various && album < w.compilation_min_album {
        // Title alone would let any same-named song through.
        total = total.min(w.threshold - 0.01) * album.max(0.5);
    }
    let recording = format!("{}|{}|{}", ct.core, cand_artists.first().map(String::as_str).unwrap_or(""), version.family());
    Scored {
        candidate: c.clone(),
        components: Components { title, artist, album, duration, version: vdist },
        score: total.clamp(0.0, 1.0),
        version,
        query: query.to_string(),
        recording,
    }
}

/// How confident a decision is (`[match.weights] accept` names them in lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    Exact,
    High,
    Medium,
    Low,
    Ambiguous,
    None,
    /// Set by the overrides file.
    Override,
    /// Not searched yet (the run stopped on a quota before reaching it).
    Pending,
}

impl Quality {
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Exact => "exact",
            Quality::High => "high",
            Quality::Medium => "medium",
            Quality::Low => "low",
            Quality::Ambiguous => "ambiguous",
            Quality::None => "none",
            Quality::Override => "override",
            Quality::Pending => "pending",
        }
    }
}

/// The decision for one track.
#[derive(Debug, Clone)]
pub struct Decision {
    pub quality: Quality,
    /// Index into the scored candidates of the best one (chosen when `quality` accepts it).
    pub best: Option<usize>,
    /// Index of the best candidate that is a different recording.
    pub runner_up: Option<usize>,
    pub reason: String,
    /// The best candidate is taken without review (its quality is in `accept` and its title
    /// clears the floor); otherwise the track waits in `match_review`.
    pub accept: bool,
}

impl Decision {
    pub fn accepted(&self) -> bool {
        self.accept
    }
}

/// Sorts `scored` best first (ties: the earlier-found candidate) and decides.
pub fn decide(scored: &mut [Scored], w: &Weights) -> Decision {
    scored.sort_by(|a, b| b.score.partial_cmp(&a.score).unwrap_or(std::cmp::Ordering::Equal));
    let Some(best) = scored.first() else {
        return Decision { quality: Quality::None, best: None, runner_up: None, reason: "no candidate found".into(), accept: false };
    };
    let runner_up = scored.iter().position(|s| s.recording != best.recording && s.candidate.id != best.candidate.id);
    let ru_score = runner_up.map(|i| scored[i].score).unwrap_or(0.0);
    if best.score < w.threshold {
        return Decision {
            quality: Quality::None,
            best: Some(0),
            runner_up,
            reason: format!("best score {:.3} is below the threshold {:.2}", best.score, w.threshold),
            accept: false,
        };
    }
    if best.score - ru_score < w.margin {
        let ru = &scored[runner_up.expect("a runner-up within the margin exists")];
        return Decision {
            quality: Quality::Ambiguous,
            best: Some(0),
            runner_up,
            reason: format!(
                "best {:.3} leads {} ({:.3}, \"{}\" by {}) by less than the margin {:.2}",
                best.score,
                ru.candidate.id,
                ru.score,
                ru.candidate.name,
                ru.candidate.artists.join(", "),
                w.margin
            ),
            accept: false,
        };
    }
    let c = &best.components;
    let exact = c.title >= 1.0 && c.artist.is_none_or(|a| a >= 1.0) && c.album >= 1.0 && c.version == 0.0;
    let quality = if exact {
        Quality::Exact
    } else if best.score >= 0.92 {
        Quality::High
    } else if best.score >= 0.86 {
        Quality::Medium
    } else {
        Quality::Low
    };
    let why = format!("score {:.3} ≥ {:.2} and leads the runner-up ({:.3}) by ≥ {:.2}", best.score, w.threshold, ru_score, w.margin);
    if c.title < w.title_floor {
        return Decision {
            quality: Quality::Low,
            best: Some(0),
            runner_up,
            reason: format!("{why}, but the title similarity {:.2} is below the floor {:.2}: artist and album alone cannot accept; queued for review", c.title, w.title_floor),
            accept: false,
        };
    }
    let accept = w.accept.contains(&quality);
    let reason = if accept { why } else { format!("{why}; queued for review (`{}` is not in [match.weights] accept)", quality.as_str()) };
    Decision { quality, best: Some(0), runner_up, reason, accept }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: &str, name: &str, artist: &str, album: &str) -> Candidate {
        Candidate { id: id.into(), name: name.into(), artists: vec![artist.into()], album: album.into(), duration_ms: None, isrc: None }
    }

    fn run(q: &Query, cands: &[Candidate]) -> (Vec<Scored>, Decision) {
        let w = Weights::default();
        let mut s: Vec<Scored> = cands.iter().map(|c| score(q, c, &w, "q")).collect();
        let d = decide(&mut s, &w);
        (s, d)
    }

    /// The scorer accepts a "Remastered" name and scores the live version below 0.6.
    #[test]
    fn a_remaster_suffix_is_the_same_recording_and_a_live_one_is_not() {
        let q = Query::new("1_A1", "The Beatles", "Hey Jude", "Hey Jude", None);
        let (s, d) = run(&q, &[cand("live", "Hey Jude - Live", "The Beatles", "Live at the BBC"), cand("rem", "Hey Jude - Remastered 2015", "The Beatles", "Hey Jude (Remastered)")]);
        assert!(d.accepted(), "{d:?}");
        assert_eq!(s[d.best.unwrap()].candidate.id, "rem");
        assert!(s.iter().find(|x| x.candidate.id == "live").unwrap().score < 0.6);
    }

    /// The same title by another artist (a cover) is not a match.
    #[test]
    fn a_cover_by_another_artist_is_not_accepted() {
        let q = Query::new("1_A1", "Agnes Obel", "Riverside", "Philharmonics", None);
        let (_, d) = run(&q, &[cand("cover", "Riverside", "Piano Tribute Players", "Piano Covers Vol. 3")]);
        assert_eq!(d.quality, Quality::None, "{d:?}");
    }

    /// Two equally good candidates by different artists are ambiguous, not a guess.
    #[test]
    fn two_different_songs_within_the_margin_are_ambiguous() {
        let q = Query::new("1_A1", "Various", "Intro", "Compilation X", None);
        let (_, d) = run(&q, &[cand("a", "Intro", "Artist A", "Compilation X"), cand("b", "Intro", "Artist B", "Compilation X")]);
        assert_eq!(d.quality, Quality::Ambiguous, "{d:?}");
    }

    /// The same recording on two releases is an exact match, not ambiguous.
    #[test]
    fn the_same_recording_on_two_releases_is_not_ambiguous() {
        let q = Query::new("1_A1", "Agoria", "Kofea", "Sky Is Clear / Kofea", None);
        let (_, d) = run(&q, &[cand("a", "Kofea", "Agoria", "Sky Is Clear / Kofea"), cand("b", "Kofea - Original Mix", "Agoria", "Best of Agoria")]);
        assert_eq!(d.quality, Quality::Exact, "{d:?}");
    }

    /// The example: `Shelter Of Your Love` by Jimmy Cliff (album `Give The People What
    /// They Want`) was taken as `Shelter Of Your Love Part Two` — title 0.69, artist and album
    /// 1.00, score 0.853, no runner-up. The part marker now costs the version penalty, and
    /// without a marker the same title similarity is below the floor: never accepted.
    #[test]
    fn shelter_of_your_love_is_not_its_part_two() {
        let q = Query::new("1040731_A4", "Jimmy Cliff", "Shelter Of Your Love", "Give The People What They Want", None);
        let part_two = cand("p2", "Shelter Of Your Love Part Two", "Jimmy Cliff", "Give The People What They Want");
        let w = Weights::default();
        let s = score(&q, &part_two, &w, "q");
        assert_eq!(format!("{:.2}", s.components.title), "0.69");
        assert_eq!((s.components.artist, s.components.album, s.components.version), (Some(1.0), 1.0, 1.0));
        assert_eq!(format!("{:.3}", s.score), "0.453", "0.853 less the version penalty 0.4");
        let (_, d) = run(&q, &[part_two.clone()]);
        assert_eq!((d.quality, d.accepted()), (Quality::None, false), "{d:?}");
        // The same title similarity without a marker (9 more characters): the floor stops it.
        let longer = cand("x", "Shelter Of Your Love One More", "Jimmy Cliff", "Give The People What They Want");
        let (s, d) = run(&q, &[longer]);
        assert_eq!(format!("{:.2} {:.3}", s[0].components.title, s[0].score), "0.69 0.853");
        assert_eq!((d.quality, d.accepted()), (Quality::Low, false), "{d:?}");
        assert!(d.reason.contains("below the floor 0.75"), "{}", d.reason);
        // The right recording is still exact.
        let (_, d) = run(&q, &[part_two, cand("ok", "Shelter Of Your Love", "Jimmy Cliff", "Give The People What They Want")]);
        assert_eq!((d.quality, d.accepted()), (Quality::Exact, true), "{d:?}");
    }

    /// `low` is queued by default and accepted only when `accept` names it; `high` can be queued.
    #[test]
    fn acceptance_follows_the_accept_list() {
        let q = Query::new("1_A1", "Agnes Obel", "Riverside", "Philharmonics", None);
        // Another album: (0.45 + 0.35 + 0.15 × 0) / 0.95 = 0.842 lands in `low`.
        let c = cand("a", "Riverside", "Agnes Obel", "Qq");
        let w = Weights::default();
        let mut s = vec![score(&q, &c, &w, "q")];
        let d = decide(&mut s, &w);
        assert_eq!((d.quality, d.accepted()), (Quality::Low, false), "{d:?} {}", s[0].score);
        assert!(d.reason.contains("queued for review"), "{}", d.reason);
        let w = Weights { accept: vec![Quality::Exact, Quality::High, Quality::Medium, Quality::Low], ..Weights::default() };
        assert!(decide(&mut s, &w).accepted());
        let w = Weights { accept: vec![Quality::Exact, Quality::Medium], ..Weights::default() };
        let mut s = vec![score(&q, &cand("b", "Riverside", "Agnes Obel", "Philharmonics (Deluxe)"), &w, "q")];
        let d = decide(&mut s, &w);
        assert_eq!(d.quality, Quality::Exact);
        let e = Weights { accept: vec![Quality::High], ..Weights::default() }.validate().unwrap_err();
        assert_eq!(e.message, "must include `exact` (only `high` and `low` are optional)");
    }

    /// A "Various" track is accepted only with its compilation album, not the song on another album.
    #[test]
    fn a_compilation_track_needs_its_album() {
        let q = Query::new("1_A1", "Various", "Sunny", "Soul Hits 1966", None);
        let (_, d) = run(&q, &[cand("x", "Sunny", "Bobby Hebb", "Sunny")]);
        assert!(!d.accepted(), "{d:?}");
        let (_, d) = run(&q, &[cand("y", "Sunny", "Bobby Hebb", "Soul Hits 1966")]);
        assert!(d.accepted(), "{d:?}");
    }
}
