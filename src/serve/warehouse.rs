//! The served warehouse: opened read-only, and reopened when a build has swapped a new one in.
//!
//! A build writes `<warehouse>.building` and renames it over the warehouse; the connection held
//! here keeps reading the file it opened until a request sees that the path now names another
//! file (inode, size or modification time differ), and then opens the new one. The state
//! database is never attached: a running build holds it for writing.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use duckdb::{AccessMode, Connection};

use crate::db::{DbError, duck};

/// Which file a path named when it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

fn file_id(path: &Path) -> Option<FileId> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(FileId { inode, len: m.len(), modified: m.modified().ok() })
}

/// The warehouse, shared by the request handlers (one query at a time).
pub struct Warehouse {
    path: PathBuf,
    open: Mutex<Option<(FileId, Connection)>>,
}

impl Warehouse {
    pub fn new(path: PathBuf) -> Warehouse {
        Warehouse { path, open: Mutex::new(None) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a read-only connection to the warehouse the path names now.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, DbError>) -> Result<T, DbError> {
        let mut guard = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let id = file_id(&self.path).ok_or_else(|| DbError::Missing { path: self.path.clone() })?;
        if guard.as_ref().is_none_or(|(had, _)| *had != id) {
            *guard = None;
            let flags = duckdb::Config::default().access_mode(AccessMode::ReadOnly).map_err(duck("configuring DuckDB"))?;
            let conn = Connection::open_with_flags(&self.path, flags).map_err(duck(format!("opening {}", self.path.display())))?;
            tracing::info!("serving {}", self.path.display());
            *guard = Some((id, conn));
        }
        let (_, conn) = guard.as_ref().expect("opened above");
        f(conn)
    }
}

/// The tables of the main schema (lower case).
pub fn tables(conn: &Connection) -> Result<Vec<String>, DbError> {
    Ok(crate::db::table_names(conn)?.into_iter().map(|t| t.to_lowercase()).collect())
}
