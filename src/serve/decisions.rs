//! The two files a person's decisions go to, where the build reads them: `[match] overrides`
//! (CSV `track_id,spotify_id`, `none` for no match) and `[cluster] names` (TOML
//! `"<cluster or computed name>" = "<name>"`). These are the only files `selecta serve` writes.
//!
//! Every change rereads the file first and refuses when the entry it changes is no longer what
//! the page showed (`was`): a hand edit made meanwhile is never overwritten, and the others are
//! kept as they are (the CSV's other rows and columns, the TOML's comments and other lines).
//! The new content is checked with the build's own reader ([`read_overrides`],
//! [`NameOverrides`]), written to a temporary file beside the target and renamed over it, so a
//! reader never sees half a file. A file configured but absent is created ([`ensure_files`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::cluster::name::NameOverrides;
use crate::matching::overrides::read_overrides;

/// Why a decision was not written.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error("decisions are not saved: set `{key}` in the configuration to the file they should go to")]
    NotConfigured { key: &'static str },
    #[error("{path} changed since this page was shown ({what}); nothing was written — reload the page to see it")]
    Conflict { path: PathBuf, what: String },
    #[error("{path}: {message}; nothing was written")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// The decision files of one configuration, with one lock so this server's own writes queue.
#[derive(Debug)]
pub struct DecisionFiles {
    pub overrides: Option<PathBuf>,
    pub names: Option<PathBuf>,
    lock: Mutex<()>,
}

const OVERRIDES_HEADER: &str = "track_id,spotify_id\n";
const NAMES_HEADER: &str = "# Cluster names chosen in `selecta serve` (key: a cluster number or its computed name).\n";

impl DecisionFiles {
    pub fn new(overrides: Option<PathBuf>, names: Option<PathBuf>) -> DecisionFiles {
        DecisionFiles { overrides, names, lock: Mutex::new(()) }
    }

    /// Creates each configured file that does not exist yet (a header only); returns those created.
    pub fn ensure_files(&self) -> Result<Vec<PathBuf>, DecisionError> {
        let mut created = Vec::new();
        for (path, header) in [(&self.overrides, OVERRIDES_HEADER), (&self.names, NAMES_HEADER)] {
            let Some(path) = path else { continue };
            if !path.exists() {
                write_atomic(path, header.as_bytes())?;
                created.push(path.clone());
            }
        }
        Ok(created)
    }

    /// The overrides file as written: track → `none` or a Spotify ID (empty when not configured).
    pub fn overrides(&self) -> Result<BTreeMap<String, String>, DecisionError> {
        let Some(path) = &self.overrides else { return Ok(BTreeMap::new()) };
        let map = read_overrides(path).map_err(|e| DecisionError::Invalid { path: path.clone(), message: e.to_string() })?;
        Ok(map.into_iter().map(|(k, v)| (k, v.unwrap_or_else(|| "none".into()))).collect())
    }

    /// Sets `track`'s decision to `value` (a 22-character Spotify ID, or `none`), provided the
    /// file still says `was` for it (`""`: no entry).
    pub fn set_override(&self, track: &str, value: &str, was: &str) -> Result<(), DecisionError> {
        let path = self.overrides.as_ref().ok_or(DecisionError::NotConfigured { key: "[match] overrides" })?;
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.overrides()?;
        let now = current.get(track).map(String::as_str).unwrap_or("");
        if now != was {
            let what = format!("track {track} is now {}", if now.is_empty() { "without a decision".to_string() } else { format!("`{now}`") });
            return Err(DecisionError::Conflict { path: path.clone(), what });
        }
        let io = |source| DecisionError::Io { path: path.clone(), source };
        let mut reader = csv::Reader::from_path(path).map_err(|e| DecisionError::Invalid { path: path.clone(), message: e.to_string() })?;
        let headers = reader.headers().map_err(|e| DecisionError::Invalid { path: path.clone(), message: e.to_string() })?.clone();
        let col = |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
        let (Some(k), Some(v)) = (col(&["track_id", "track"]), col(&["spotify_id", "spotify"])) else {
            return Err(DecisionError::Invalid { path: path.clone(), message: "needs the columns track_id and spotify_id".into() });
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut found = false;
        for rec in reader.records() {
            let rec = rec.map_err(|e| DecisionError::Invalid { path: path.clone(), message: e.to_string() })?;
            let mut row: Vec<String> = rec.iter().map(str::to_string).collect();
            if row.get(k).map(|s| s.trim()) == Some(track) {
                row.resize(row.len().max(v + 1), String::new());
                row[v] = value.to_string();
                found = true;
            }
            rows.push(row);
        }
        if !found {
            let mut row = vec![String::new(); headers.len()];
            row[k] = track.to_string();
            row[v] = value.to_string();
            rows.push(row);
        }
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        w.write_record(&headers).map_err(|e| io(std::io::Error::other(e)))?;
        for row in &rows {
            w.write_record(row).map_err(|e| io(std::io::Error::other(e)))?;
        }
        let bytes = w.into_inner().map_err(|e| io(std::io::Error::other(e.to_string())))?;
        write_checked(path, &bytes, |tmp| read_overrides(tmp).map(|_| ()).map_err(|e| e.to_string()))
    }

    /// The names file's entries (empty when not configured).
    pub fn names(&self) -> Result<BTreeMap<String, String>, DecisionError> {
        let Some(path) = &self.names else { return Ok(BTreeMap::new()) };
        NameOverrides::load(path).map(|n| n.entries).map_err(|e| DecisionError::Invalid { path: path.clone(), message: e.to_string() })
    }

    /// The name the file gives cluster `cluster` (computed name `computed`), as the build
    /// applies it (entries in key order, the last one naming the cluster wins), or `""`.
    pub fn name_of(entries: &BTreeMap<String, String>, cluster: i64, computed: &str) -> String {
        entries.iter().filter(|(k, _)| targets(k, cluster, computed)).map(|(_, v)| v.trim().to_string()).last().unwrap_or_default()
    }

    /// Names cluster `cluster` `name` (empty: back to the computed name), provided the file
    /// still says `was` for it. `others` are the other clusters' names as the next build will
    /// show them; a name already taken is refused.
    pub fn set_name(&self, cluster: i64, computed: &str, name: &str, was: &str, others: &[String]) -> Result<(), DecisionError> {
        let path = self.names.as_ref().ok_or(DecisionError::NotConfigured { key: "[cluster] names" })?;
        let name = name.trim();
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let entries = self.names()?;
        let now = Self::name_of(&entries, cluster, computed);
        if now != was.trim() {
            let what = format!("cluster {cluster} is now named {}", if now.is_empty() { "by its centroid".to_string() } else { format!("{now:?}") });
            return Err(DecisionError::Conflict { path: path.clone(), what });
        }
        if let Some(taken) = others.iter().find(|o| o.trim() == name) {
            return Err(DecisionError::Invalid { path: path.clone(), message: format!("another cluster is already named {taken:?}") });
        }
        let text = std::fs::read_to_string(path).map_err(|source| DecisionError::Io { path: path.clone(), source })?;
        // Keep every line but those naming this cluster; the new entry replaces the first of them.
        let mut lines: Vec<String> = Vec::new();
        let mut placed = false;
        let entry = |key: &str| format!("{} = {}", toml_string(key), toml_string(name));
        for line in text.lines() {
            let key = toml::from_str::<BTreeMap<String, String>>(line).ok().and_then(|m| m.into_keys().next());
            match key {
                Some(k) if targets(&k, cluster, computed) => {
                    if !placed && !name.is_empty() {
                        lines.push(entry(&k));
                    }
                    placed = true;
                }
                _ => lines.push(line.to_string()),
            }
        }
        if !placed && !name.is_empty() {
            lines.push(entry(computed));
        }
        let mut out = lines.join("\n");
        out.push('\n');
        write_checked(path, out.as_bytes(), |tmp| NameOverrides::load(tmp).map(|_| ()).map_err(|e| e.to_string()))
    }
}

/// Whether a names-file key names `cluster` (by number or by its computed name).
fn targets(key: &str, cluster: i64, computed: &str) -> bool {
    key.parse::<i64>().map_or(key == computed, |n| n == cluster)
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Writes `bytes` to a temporary file beside `path`, checks it with the build's reader, and
/// renames it over `path`.
fn write_checked(path: &Path, bytes: &[u8], check: impl Fn(&Path) -> Result<(), String>) -> Result<(), DecisionError> {
    let tmp = temp_beside(path);
    let io = |source| DecisionError::Io { path: path.to_path_buf(), source };
    std::fs::write(&tmp, bytes).map_err(io)?;
    if let Err(message) = check(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(DecisionError::Invalid { path: path.to_path_buf(), message });
    }
    std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Writes `bytes` to `path` through a temporary file renamed over it (folders created).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DecisionError> {
    write_checked(path, bytes, |_| Ok(()))
}

fn temp_beside(path: &Path) -> PathBuf {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "4uLU6hMCjMI75M1A2tKUQC";
    const B: &str = "0AbCdEfGhIjKlMnOpQrStU";

    fn files(dir: &Path) -> DecisionFiles {
        DecisionFiles::new(Some(dir.join("d/overrides.csv")), Some(dir.join("d/names.toml")))
    }

    /// Absent files are created; a decision is added, then changed in place; another column
    /// and other rows written by hand are kept.
    #[test]
    fn overrides_are_created_added_and_changed_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let f = files(dir.path());
        assert_eq!(f.ensure_files().unwrap().len(), 2);
        f.set_override("1_A1", A, "").unwrap();
        f.set_override("1_A2", "none", "").unwrap();
        let path = dir.path().join("d/overrides.csv");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("track_id,spotify_id\n1_A1,{A}\n1_A2,none\n"));
        std::fs::write(&path, format!("track_id,spotify_id,note\n1_A1,{A},by hand\n9_B1,none,gone\n")).unwrap();
        f.set_override("1_A1", B, A).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("track_id,spotify_id,note\n1_A1,{B},by hand\n9_B1,none,gone\n"));
        assert_eq!(f.overrides().unwrap().get("9_B1").map(String::as_str), Some("none"));
    }

    /// A hand edit of the same track since the page was shown is a conflict: nothing is written.
    #[test]
    fn a_concurrent_hand_edit_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let f = files(dir.path());
        f.ensure_files().unwrap();
        f.set_override("1_A1", A, "").unwrap();
        let path = dir.path().join("d/overrides.csv");
        std::fs::write(&path, "track_id,spotify_id\n1_A1,none\n").unwrap();
        let e = f.set_override("1_A1", B, A).unwrap_err();
        assert!(matches!(e, DecisionError::Conflict { .. }), "{e}");
        assert!(e.to_string().contains("track 1_A1 is now `none`"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "track_id,spotify_id\n1_A1,none\n");
        // A file broken by hand is refused, not rewritten.
        std::fs::write(&path, "track_id,spotify_id\n1_A1,not-an-id\n").unwrap();
        assert!(matches!(f.set_override("1_A2", A, "").unwrap_err(), DecisionError::Invalid { .. }));
    }

    /// Names: set by computed name, changed in place keeping the key and comments, removed
    /// with an empty name; a taken name and a stale `was` are refused.
    #[test]
    fn names_keep_comments_and_refuse_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let f = files(dir.path());
        f.ensure_files().unwrap();
        let path = dir.path().join("d/names.toml");
        std::fs::write(&path, "# mine\n\"1\" = \"Slow burn\"\n").unwrap();
        f.set_name(0, "Fast · Loud", "Peak time", "", &["Slow burn".into()]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n\"1\" = \"Slow burn\"\n\"Fast · Loud\" = \"Peak time\"\n");
        f.set_name(1, "Slow · Calm", "Sunday", "Slow burn", &["Peak time".into()]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n\"1\" = \"Sunday\"\n\"Fast · Loud\" = \"Peak time\"\n");
        let e = f.set_name(1, "Slow · Calm", "Peak time", "Sunday", &["Peak time".into()]).unwrap_err();
        assert!(e.to_string().contains("already named \"Peak time\""), "{e}");
        let e = f.set_name(1, "Slow · Calm", "Other", "Slow burn", &[]).unwrap_err();
        assert!(matches!(e, DecisionError::Conflict { .. }), "{e}");
        f.set_name(1, "Slow · Calm", "", "Sunday", &[]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n\"Fast · Loud\" = \"Peak time\"\n");
        assert!(!std::fs::read_dir(dir.path().join("d")).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp")));
    }
}
