//! The overrides file: `track_id,spotify_id` decisions a person made, winning over everything.

use std::collections::{HashMap, HashSet};

use super::MatchError;

/// Reads an overrides CSV: `track_id,spotify_id` (header row), `none` (or empty) for "no match".
/// A file that does not exist yet (`selecta serve` creates it) overrides nothing.
pub fn read_overrides(path: &std::path::Path) -> Result<HashMap<String, Option<String>>, MatchError> {
    let bad = |line: u64, message: String| MatchError::Overrides { path: path.to_path_buf(), line, message };
    if !path.exists() {
        tracing::warn!("the overrides file {} does not exist yet: no overrides", path.display());
        return Ok(HashMap::new());
    }
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

