//! Finding the audio files: every file under the music folders with an audio extension, in
//! path order, with its size, modification time and content hash.
//!
//! The content hash is the SHA-256 of the file's bytes. It is remembered in the state database
//! by (path, size, mtime) — `state.analysis_file_hashes` — so a rerun hashes only new or
//! changed files, and the analysis cache (keyed by hash) is looked up without reading audio.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::AnalysisError;

/// Extensions read as audio (case-insensitive).
pub const AUDIO_EXTENSIONS: &[&str] = &["flac", "mp3", "wav", "wave", "aif", "aiff", "aifc", "ogg", "oga", "m4a", "mp4", "alac", "aac"];

#[derive(Debug, Clone)]
pub struct AudioFile {
    pub path: PathBuf,
    pub size: u64,
    /// Seconds since the epoch.
    pub mtime: i64,
    /// Lower-case extension.
    pub format: String,
}

/// Every audio file under `dirs`, sorted by path; a missing folder is an error naming it.
pub fn walk(dirs: &[PathBuf]) -> Result<Vec<AudioFile>, AnalysisError> {
    let mut out = Vec::new();
    for d in dirs {
        let meta = std::fs::metadata(d).map_err(|source| AnalysisError::MusicDir { path: d.clone(), source })?;
        if !meta.is_dir() {
            return Err(AnalysisError::MusicDir { path: d.clone(), source: std::io::Error::other("not a folder") });
        }
        walk_into(d, &mut out);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

fn walk_into(dir: &Path, out: &mut Vec<AudioFile>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.is_dir() {
            walk_into(&path, out);
            continue;
        }
        let Some(ext) = path.extension().map(|x| x.to_string_lossy().to_ascii_lowercase()) else { continue };
        if !AUDIO_EXTENSIONS.contains(&ext.as_str()) {
            continue;
        }
        let mtime = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs() as i64);
        out.push(AudioFile { path, size: meta.len(), mtime, format: ext });
    }
}

/// The SHA-256 of a file, hex.
pub fn content_hash(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
