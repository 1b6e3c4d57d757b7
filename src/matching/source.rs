//! Where candidates come from: one trait, [`CandidateSource`], over a batch of [`Search`]es.
//!
//! [`crate::matching::spotify::SpotifySearch`] sends them to the Spotify Web API (cached);
//! [`crate::matching::catalogue::LocalCatalogue`] answers them from a local file loaded into
//! DuckDB. The engine asks a batch at a time, so a source can parallelise or join in SQL.

use super::score::{Candidate, Query};

/// One search: Spotify field filters and free words. [`Search::q`] renders Spotify's syntax.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Search {
    pub track: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub free: Option<String>,
    /// Render filters unquoted (`artist:Agnes Obel`), as the original project did: only the
    /// first word is then the filter, the others are free words.
    pub unquoted: bool,
}

impl Search {
    pub fn filtered(track: Option<&str>, artist: Option<&str>, album: Option<&str>) -> Search {
        let clean = |s: Option<&str>| s.map(|s| s.replace('"', " ").trim().to_string()).filter(|s| !s.is_empty());
        Search { track: clean(track), artist: clean(artist), album: clean(album), free: None, unquoted: false }
    }

    pub fn free(words: &str) -> Search {
        Search { track: None, artist: None, album: None, free: Some(words.replace('"', " ").trim().to_string()), unquoted: false }
    }

    /// The `q` parameter.
    pub fn q(&self) -> String {
        let mut parts = Vec::new();
        for (field, value) in [("artist", &self.artist), ("track", &self.track), ("album", &self.album)] {
            if let Some(v) = value {
                if self.unquoted || !v.contains(' ') {
                    parts.push(format!("{field}:{v}"));
                } else {
                    parts.push(format!("{field}:\"{v}\""));
                }
            }
        }
        if let Some(f) = &self.free {
            parts.push(f.clone());
        }
        parts.join(" ")
    }

    pub fn is_empty(&self) -> bool {
        self.track.is_none() && self.artist.is_none() && self.album.is_none() && self.free.as_deref().is_none_or(str::is_empty)
    }
}

/// What a batch of searches gave.
#[derive(Debug, Default)]
pub struct BatchResult {
    /// Per search, in order: its candidates, or the reason it has none this run (an error
    /// for this one search, or the run stopped before sending it).
    pub results: Vec<Result<Vec<Candidate>, String>>,
    /// Set when the source must not be asked again this run (quota exceeded): the message.
    pub stopped: Option<String>,
}

/// A source of candidates.
pub trait CandidateSource {
    /// `spotify` or `catalogue`: stored in `track_matches.source`.
    fn name(&self) -> &'static str;
    /// Answers a batch of searches for the given tracks (`tracks[i]` asked `searches[i]`).
    fn search(&mut self, tracks: &[&Query], searches: &[Search]) -> Result<BatchResult, super::MatchError>;
    /// Requests sent to a remote service so far (0 for a local source).
    fn requests_sent(&self) -> u64 {
        0
    }
    /// Makes durable what this source learnt in the last batch (the response cache).
    fn commit(&mut self) -> Result<(), super::MatchError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A multi-word field filter is quoted in `q`; the original cascade's unquoted form is kept when asked for.
    #[test]
    fn q_quotes_multi_word_filters() {
        let s = Search::filtered(Some("riders on the storm"), Some("doors"), None);
        assert_eq!(s.q(), "artist:doors track:\"riders on the storm\"");
        let mut o = Search::filtered(Some("Riverside"), Some("Agnes Obel"), None);
        o.unquoted = true;
        assert_eq!(o.q(), "artist:Agnes Obel track:Riverside");
    }
}
