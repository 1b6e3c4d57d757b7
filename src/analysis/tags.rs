//! What a file says about itself: its tags (lofty), else its name and folders.
//!
//! [`read`] takes artist, album, title and track number / Discogs position from the file's
//! primary tag (any of ID3v2, Vorbis comments, MP4 ilst, RIFF INFO, APE — whatever lofty
//! reads). `DISCOGS_RELEASE_ID` — a user-defined field (`TXXX` in ID3v2, a Vorbis comment, an
//! MP4 freeform atom) that lofty's generic tag does not carry — is found by scanning the first
//! and last 1 MiB of the file for the field name followed by its digits. An embedded
//! `CUESHEET` Vorbis comment is read the same way. A file without tags falls back to its name:
//! `NN - Artist - Title`, `NN Title` or `Title`, with the album taken from the folder.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use lofty::prelude::*;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileTags {
    pub artist: Option<String>,
    pub album: Option<String>,
    pub title: Option<String>,
    /// As written: `3`, `3/12`, `A1`.
    pub position: Option<String>,
    pub release_id: Option<i64>,
    /// An embedded CUE sheet.
    pub cuesheet: Option<String>,
    /// Whether anything came from a tag (else the name).
    pub tagged: bool,
}

const SCAN: u64 = 1 << 20;

/// The bytes of the file's first and last MiB.
fn edges(path: &Path) -> Vec<u8> {
    let Ok(mut f) = std::fs::File::open(path) else { return Vec::new() };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = Vec::new();
    let _ = (&mut f).take(SCAN).read_to_end(&mut head);
    if len > SCAN {
        let start = len.saturating_sub(SCAN).max(SCAN);
        if f.seek(SeekFrom::Start(start)).is_ok() {
            let _ = f.take(SCAN).read_to_end(&mut head);
        }
    }
    head
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    if hay.len() < needle.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len()).filter(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle)).collect()
}

/// The digits after a `DISCOGS_RELEASE_ID` field name, the name in ASCII or UTF-16LE (as
/// `lame` writes an ID3v2 TXXX description); NULs between digits allowed (UTF-16).
pub fn scan_release_id(bytes: &[u8]) -> Option<i64> {
    const NAME: &[u8] = b"DISCOGS_RELEASE_ID";
    let wide: Vec<u8> = NAME.iter().flat_map(|b| [*b, 0]).collect();
    let found = find_ci(bytes, NAME).into_iter().map(|at| at + NAME.len()).chain(find_ci(bytes, &wide).into_iter().map(|at| at + wide.len()));
    for end in found {
        let rest = &bytes[end..bytes.len().min(end + 64)];
        // skip the separator: '=', NULs, a text-encoding byte, an MP4 `data` atom header
        let Some(first) = rest.iter().position(|b| b.is_ascii_digit()) else { continue };
        if first > 24 {
            continue;
        }
        let digits: String = rest[first..].iter().take_while(|b| b.is_ascii_digit() || **b == 0).filter(|b| **b != 0).map(|b| *b as char).collect();
        if let Ok(id) = digits.parse::<i64>() {
            if id > 0 {
                return Some(id);
            }
        }
    }
    None
}

/// The text of an ID3v2 `TRCK` frame (lofty's generic tag keeps only numeric track numbers,
/// and a Discogs position is `A1`).
fn scan_trck(bytes: &[u8]) -> Option<String> {
    let at = *find_ci(bytes, b"TRCK").first()?;
    let size = bytes.get(at + 4..at + 8)?.iter().fold(0usize, |acc, b| (acc << 7) | (*b as usize & 0x7f));
    let text = bytes.get(at + 11..at + 10 + size.clamp(1, 32))?;
    let s: String = text.iter().filter(|b| **b != 0).map(|b| *b as char).collect();
    clean(&s).filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '/'))
}

/// An embedded `CUESHEET=` Vorbis comment: its text up to the next NUL or non-text byte.
fn scan_cuesheet(bytes: &[u8]) -> Option<String> {
    let at = *find_ci(bytes, b"CUESHEET=").first()?;
    let text: Vec<u8> = bytes[at + 9..].iter().take_while(|b| **b >= 0x20 || matches!(**b, b'\n' | b'\r' | b'\t')).copied().collect();
    let s = String::from_utf8_lossy(&text).into_owned();
    s.to_ascii_uppercase().contains("TRACK").then_some(s)
}

fn clean(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The file's tags, with the name as a fallback.
pub fn read(path: &Path) -> FileTags {
    let mut tags = FileTags::default();
    if let Ok(file) = lofty::read_from_path(path) {
        if let Some(tag) = file.primary_tag().or_else(|| file.first_tag()) {
            tags.artist = tag.artist().and_then(|s| clean(&s));
            tags.album = tag.album().and_then(|s| clean(&s));
            tags.title = tag.title().and_then(|s| clean(&s));
            tags.position = tag.get_string(ItemKey::TrackNumber).and_then(clean);
            tags.tagged = tags.artist.is_some() || tags.title.is_some() || tags.album.is_some();
        }
    }
    let bytes = edges(path);
    tags.release_id = scan_release_id(&bytes);
    if tags.position.is_none() {
        tags.position = scan_trck(&bytes);
    }
    tags.cuesheet = scan_cuesheet(&bytes);
    tags.tagged |= tags.release_id.is_some();
    if tags.title.is_none() {
        from_name(path, &mut tags);
    }
    tags
}

/// `NN - Artist - Title.ext`, `NN - Title.ext`, `NN Title.ext`, `Title.ext`; album from the folder.
fn from_name(path: &Path, tags: &mut FileTags) {
    let stem = path.file_stem().map(|s| s.to_string_lossy().replace('_', " ")).unwrap_or_default();
    let mut rest = stem.trim();
    let num: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let is_pos = !num.is_empty() && num.len() <= 3 && num.chars().any(|c| c.is_ascii_digit());
    if is_pos {
        rest = rest[num.len()..].trim_start_matches([' ', '-', '.']).trim();
        if tags.position.is_none() {
            tags.position = Some(num);
        }
    }
    let parts: Vec<&str> = rest.split(" - ").map(str::trim).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [artist, title @ ..] if !title.is_empty() => {
            tags.artist = tags.artist.clone().or_else(|| Some(artist.to_string()));
            tags.title = Some(title.join(" - "));
        }
        _ => tags.title = clean(rest),
    }
    if tags.album.is_none() {
        tags.album = path.parent().and_then(|p| p.file_name()).and_then(|n| clean(&n.to_string_lossy()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The release ID after its field name in a Vorbis comment, an ID3v2 TXXX (Latin-1 and
    /// UTF-16) and not in unrelated text.
    #[test]
    fn release_ids_are_found_in_raw_tags() {
        assert_eq!(scan_release_id(b"\x12\0\0\0DISCOGS_RELEASE_ID=1039596\x05\0\0"), Some(1039596));
        assert_eq!(scan_release_id(b"TXXX\0\0\0\x1a\0\0\0DISCOGS_RELEASE_ID\0123\0"), Some(123));
        assert_eq!(scan_release_id(b"discogs_release_id\0\0\xff\xfe1\x002\x003\0\0\0"), Some(123));
        assert_eq!(scan_release_id(b"TXXX\0\0\09\0\0\x01\xff\xfeD\0I\0S\0C\0O\0G\0S\0_\0R\0E\0L\0E\0A\0S\0E\0_\0I\0D\0\0\0\xff\xfe1\x000\x007\0TLEN"), Some(107));
        assert_eq!(scan_release_id(b"no id here 12345"), None);
        assert_eq!(scan_trck(b"TIT2\0\0\0\x02\0\0\x03xTRCK\0\0\0\x03\0\0\x03A1TXXX"), Some("A1".into()));
    }

    /// An untagged file's name gives position, artist and title; its folder the album.
    #[test]
    fn names_stand_in_for_tags() {
        let mut t = FileTags::default();
        from_name(Path::new("/m/Deux Disques/A2 - Nova - Le Vent.flac"), &mut t);
        assert_eq!((t.position.as_deref(), t.artist.as_deref(), t.title.as_deref(), t.album.as_deref()), (Some("A2"), Some("Nova"), Some("Le Vent"), Some("Deux Disques")));
        let mut t = FileTags::default();
        from_name(Path::new("Hidden Groove.wav"), &mut t);
        assert_eq!((t.position, t.title.as_deref()), (None, Some("Hidden Groove")));
    }
}
