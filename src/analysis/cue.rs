//! CUE sheets: a side-long rip split into its tracks.
//!
//! [`parse`] reads the lines that matter — `PERFORMER`, `TITLE`, `FILE`, `TRACK nn AUDIO`,
//! `INDEX 01 mm:ss:ff` (75 frames per second) — at disc and track level. A track runs from
//! its `INDEX 01` to the next track's (the last one to the end of the file). The sheet is read
//! from a `CUESHEET` tag embedded in the file, or from a `.cue` beside it: one with the same
//! stem, or one whose `FILE` line names the file.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CueTrack {
    pub number: u32,
    pub title: Option<String>,
    pub performer: Option<String>,
    /// Start, seconds from the file's beginning.
    pub start_s: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CueSheet {
    pub performer: Option<String>,
    pub title: Option<String>,
    /// The `FILE` the sheet names (first one).
    pub file: Option<String>,
    pub tracks: Vec<CueTrack>,
}

fn unquote(rest: &str) -> String {
    let r = rest.trim();
    if let Some(s) = r.strip_prefix('"') {
        s.rsplit_once('"').map(|(a, _)| a).unwrap_or(s).to_string()
    } else {
        r.to_string()
    }
}

fn index_time(s: &str) -> Option<f64> {
    let mut it = s.trim().split(':').map(|p| p.trim().parse::<u32>().ok());
    let (m, sec, f) = (it.next()??, it.next()??, it.next()??);
    Some(m as f64 * 60.0 + sec as f64 + f as f64 / 75.0)
}

/// Parses a CUE sheet; `None` when it names no track with an `INDEX 01`.
pub fn parse(text: &str) -> Option<CueSheet> {
    let mut sheet = CueSheet::default();
    let mut current: Option<CueTrack> = None;
    for line in text.lines() {
        let line = line.trim().trim_start_matches('\u{feff}');
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match word.to_ascii_uppercase().as_str() {
            "FILE" if sheet.file.is_none() => {
                // FILE "name.flac" WAVE
                let r = rest.trim();
                let name = if r.starts_with('"') { unquote(r) } else { r.rsplit_once(' ').map(|(a, _)| a).unwrap_or(r).to_string() };
                sheet.file = Some(name);
            }
            "TRACK" => {
                if let Some(t) = current.take() {
                    sheet.tracks.push(t);
                }
                let n = rest.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(sheet.tracks.len() as u32 + 1);
                current = Some(CueTrack { number: n, start_s: f64::NAN, ..Default::default() });
            }
            "TITLE" => match &mut current {
                Some(t) => t.title = Some(unquote(rest)),
                None => sheet.title = Some(unquote(rest)),
            },
            "PERFORMER" => match &mut current {
                Some(t) => t.performer = Some(unquote(rest)),
                None => sheet.performer = Some(unquote(rest)),
            },
            "INDEX" => {
                let mut p = rest.split_whitespace();
                if let (Some("01"), Some(time), Some(t)) = (p.next(), p.next(), current.as_mut()) {
                    if let Some(s) = index_time(time) {
                        t.start_s = s;
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(t) = current.take() {
        sheet.tracks.push(t);
    }
    sheet.tracks.retain(|t| t.start_s.is_finite());
    sheet.tracks.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    if sheet.tracks.is_empty() { None } else { Some(sheet) }
}

/// The `.cue` beside `audio`: same stem first, else any `.cue` of the folder naming the file.
pub fn beside(audio: &Path) -> Option<(PathBuf, CueSheet)> {
    let same = audio.with_extension("cue");
    if let Some(s) = std::fs::read(&same).ok().and_then(|b| parse(&String::from_utf8_lossy(&b))) {
        return Some((same, s));
    }
    let name = audio.file_name()?.to_string_lossy().into_owned();
    let dir = audio.parent()?;
    let mut cues: Vec<PathBuf> = std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("cue"))).collect();
    cues.sort();
    cues.into_iter().find_map(|p| {
        let s = parse(&String::from_utf8_lossy(&std::fs::read(&p).ok()?))?;
        (s.file.as_deref() == Some(name.as_str())).then_some((p, s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A side of three tracks: starts from INDEX 01 (75 frames a second), titles and performers.
    #[test]
    fn parses_a_side() {
        let s = parse(
            "PERFORMER \"Nova\"\nTITLE \"Side A\"\nFILE \"side a.flac\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"One\"\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    TITLE \"Two\"\n    PERFORMER \"Nova feat. X\"\n    INDEX 00 03:58:00\n    INDEX 01 04:00:37\n  TRACK 03 AUDIO\n    TITLE \"Three\"\n    INDEX 01 09:01:00\n",
        )
        .unwrap();
        assert_eq!(s.file.as_deref(), Some("side a.flac"));
        assert_eq!(s.performer.as_deref(), Some("Nova"));
        let t: Vec<(u32, &str, f64)> = s.tracks.iter().map(|t| (t.number, t.title.as_deref().unwrap(), t.start_s)).collect();
        assert_eq!(t, [(1, "One", 0.0), (2, "Two", 240.0 + 37.0 / 75.0), (3, "Three", 541.0)]);
        assert_eq!(s.tracks[1].performer.as_deref(), Some("Nova feat. X"));
        assert_eq!(parse("REM nothing\n"), None);
    }
}
