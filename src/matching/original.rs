//! The original project's 7-stage cascade, kept to measure the scorer against it.
//!
//! Stages, each one search (unquoted filters, as the original sent them), the first hit wins:
//! 1. `artist:A track:T`, a result whose name and first artist equal T and A;
//! 2. `track:T album:L`, name and album equal;
//! 3. `artist:A track:T album:L`, all three equal;
//! 4. `A T L` (free words), the first result whose "artist title album" is ≥ 80 % similar;
//! 5. `track:T album:L`, the first result;
//! 6. `artist:A track:T`, the first result;
//! 7. `T A` (free words), the first result.
//! Equality is case-insensitive on the raw strings, as in the original. Stages 5 and 6 repeat
//! the searches of stages 2 and 1, which the cache answers.

use super::score::{Candidate, Query, Quality};
use super::source::Search;

pub const STAGES: usize = 7;

/// The search of stage `stage` (1-based) for a track.
pub fn search(stage: usize, q: &Query) -> Search {
    let (a, t, l) = (q.raw_artist.as_str(), q.raw_title.as_str(), q.raw_album.as_str());
    let mut s = match stage {
        1 | 6 => Search::filtered(Some(t), Some(a), None),
        2 | 5 => Search::filtered(Some(t), None, Some(l)),
        3 => Search::filtered(Some(t), Some(a), Some(l)),
        4 => Search::free(&format!("{a} {t} {l}")),
        _ => Search::free(&format!("{t} {a}")),
    };
    s.unquoted = true;
    s
}

fn eq(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Which candidate stage `stage` takes, if any.
pub fn pick(stage: usize, q: &Query, cands: &[Candidate]) -> Option<usize> {
    let first_artist = |c: &Candidate| c.artists.first().cloned().unwrap_or_default();
    match stage {
        1 => cands.iter().position(|c| eq(&c.name, &q.raw_title) && eq(&first_artist(c), &q.raw_artist)),
        2 => cands.iter().position(|c| eq(&c.name, &q.raw_title) && eq(&c.album, &q.raw_album)),
        3 => cands.iter().position(|c| eq(&c.name, &q.raw_title) && eq(&first_artist(c), &q.raw_artist) && eq(&c.album, &q.raw_album)),
        4 => {
            let mine = format!("{} {} {}", q.raw_artist, q.raw_title, q.raw_album).to_lowercase();
            cands.iter().position(|c| {
                let theirs = format!("{} {} {}", first_artist(c), c.name, c.album).to_lowercase();
                strsim::normalized_levenshtein(&mine, &theirs) >= 0.80
            })
        }
        _ => (!cands.is_empty()).then_some(0),
    }
}

/// The quality the cascade's stage stands for: exact equality, fuzzy, or "first result".
pub fn quality(stage: usize) -> Quality {
    match stage {
        1..=3 => Quality::Exact,
        4 => Quality::Medium,
        _ => Quality::Low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The original cascade's flaw, reproduced: a remaster suffix defeats the exact stages and stage 5 takes the karaoke version.
    #[test]
    fn a_remaster_suffix_defeats_every_exact_stage_and_the_first_result_wins() {
        let q = Query::new("1", "The Beatles", "Hey Jude", "Hey Jude", None);
        let c = |id: &str, name: &str, artist: &str| Candidate { id: id.into(), name: name.into(), artists: vec![artist.into()], album: "Hey Jude".into(), duration_ms: None, isrc: None };
        let cands = vec![c("karaoke", "Hey Jude (Karaoke Version)", "Karaoke Hits Band"), c("true", "Hey Jude - Remastered 2015", "The Beatles")];
        for stage in 1..=3 {
            assert_eq!(pick(stage, &q, &cands), None);
        }
        assert_eq!(pick(5, &q, &cands), Some(0), "stage 5 takes the karaoke version");
    }
}
