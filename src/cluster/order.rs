//! The order of each cluster's tracks, as the table `cluster_playlists` holds it.
//!
//! A cluster's list holds its tracks by distance to the centroid (closest first, track key on
//! ties). Near-duplicates — the same artist and title once normalised by [`normalize`]
//! (transliterated to ASCII, lower case, punctuation dropped, a Discogs ` (n)` suffix on the
//! artist dropped) — keep only their closest copy.

use std::collections::HashSet;

/// One clustered track, as the ordering needs it.
#[derive(Debug, Clone)]
pub struct OrderedTrack {
    pub cluster: usize,
    pub distance: f64,
    pub track_id: String,
    pub spotify_id: Option<String>,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
}

/// Lower-case ASCII words of `s`, space-joined.
pub fn normalize(s: &str) -> String {
    let ascii = deunicode::deunicode(s).to_lowercase();
    ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The artist without a Discogs disambiguation suffix (`Justice (5)` → `Justice`).
fn strip_discogs_number(artist: &str) -> &str {
    let t = artist.trim_end();
    if let Some(open) = t.rfind(" (") {
        let inner = &t[open + 2..];
        if inner.ends_with(')') && inner.len() > 1 && inner[..inner.len() - 1].chars().all(|c| c.is_ascii_digit()) {
            return &t[..open];
        }
    }
    t
}

/// The de-duplication key of a track.
pub fn dedup_key(artist: Option<&str>, title: Option<&str>) -> Option<(String, String)> {
    let title = normalize(title?);
    if title.is_empty() {
        return None;
    }
    Some((normalize(strip_discogs_number(artist.unwrap_or(""))), title))
}

/// Orders each cluster's tracks by distance and drops near-duplicates. Returns the kept
/// tracks in (cluster, position) order and how many were dropped.
pub fn build(mut tracks: Vec<OrderedTrack>) -> (Vec<OrderedTrack>, usize) {
    tracks.sort_by(|a, b| a.cluster.cmp(&b.cluster).then(a.distance.total_cmp(&b.distance)).then_with(|| a.track_id.cmp(&b.track_id)));
    let mut seen: HashSet<(usize, String, String)> = HashSet::new();
    let mut dropped = 0;
    let kept: Vec<OrderedTrack> = tracks
        .into_iter()
        .filter(|t| match dedup_key(t.artist.as_deref(), t.title.as_deref()) {
            Some((a, ti)) => {
                let fresh = seen.insert((t.cluster, a, ti));
                dropped += usize::from(!fresh);
                fresh
            }
            None => true,
        })
        .collect();
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(cluster: usize, distance: f64, id: &str, artist: &str, title: &str) -> OrderedTrack {
        OrderedTrack {
            cluster,
            distance,
            track_id: id.into(),
            spotify_id: Some(format!("sp{id}")),
            title: Some(title.into()),
            artist: Some(artist.into()),
            album: None,
        }
    }

    /// Ordered by distance; the farther copy of "Déjà vu" by "Justice (5)" / "justice" is
    /// dropped within a cluster, but the same song in another cluster stays.
    #[test]
    fn ordered_and_deduplicated() {
        let (kept, dropped) = build(vec![
            t(0, 2.0, "b", "justice", "Deja Vu!"),
            t(0, 1.0, "a", "Justice (5)", "Déjà vu"),
            t(0, 0.5, "c", "Other", "Song"),
            t(1, 3.0, "d", "Justice", "Deja vu"),
        ]);
        let ids: Vec<&str> = kept.iter().map(|k| k.track_id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "d"]);
        assert_eq!(dropped, 1);
    }
}
