//! One build at a time: a lock file beside the warehouse (`<warehouse>.lock`) holding the pid of
//! the build that runs.
//!
//! The lock is the operating system's advisory file lock on that file (`File::try_lock`), so a
//! build that dies — killed, crashed, power lost — releases it with its process: a stale lock
//! of a dead process is taken over by the next build without a word. The pid in the file is
//! only there to say who holds it. A second build waits up to `wait` (default: not at all,
//! `selecta build --wait SECONDS`) and then fails with "another build (pid N) is running".
//! The file itself stays (empty) after the build: removing it could let a waiting build and a
//! new one lock two different files.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting build tries the lock again.
const RETRY: Duration = Duration::from_millis(100);

/// Why a build could not take the lock.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another build (pid {pid}) is running on {warehouse} (lock file {lock}); waited {waited:.0?}")]
    Busy { pid: String, warehouse: PathBuf, lock: PathBuf, waited: Duration },
    #[error("{path}: cannot take the build lock: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// The build lock, held until dropped.
#[derive(Debug)]
pub struct BuildLock {
    file: File,
}

/// `<warehouse>.lock`
pub fn lock_path(warehouse: &Path) -> PathBuf {
    let mut name = warehouse.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    warehouse.with_file_name(name)
}

impl BuildLock {
    /// Takes the lock of `warehouse`, waiting up to `wait` for another build to end.
    pub fn acquire(warehouse: &Path, wait: Duration) -> Result<BuildLock, LockError> {
        let path = lock_path(warehouse);
        let io = |source| LockError::Io { path: path.clone(), source };
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        let t0 = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if t0.elapsed() < wait => std::thread::sleep(RETRY),
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Busy { pid: holder(&mut file), warehouse: warehouse.to_path_buf(), lock: path, waited: t0.elapsed() });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).and_then(|()| file.flush()).map_err(io)?;
        Ok(BuildLock { file })
    }
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        // Emptied before the lock goes with the file handle: the next holder writes its own pid.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// The pid the holder wrote (it may be writing it right now: a few tries).
fn holder(file: &mut File) -> String {
    for _ in 0..10 {
        let mut text = String::new();
        if file.rewind().is_ok() && file.read_to_string(&mut text).is_ok() && !text.trim().is_empty() {
            return text.trim().to_string();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    "unknown".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves: a second lock of the same warehouse fails naming the holder's pid; after the first
    /// is dropped it is taken; a stale pid left in the file by a dead build does not block.
    #[test]
    fn one_build_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let w = dir.path().join("w.duckdb");
        let first = BuildLock::acquire(&w, Duration::ZERO).unwrap();
        assert_eq!(std::fs::read_to_string(lock_path(&w)).unwrap(), std::process::id().to_string());
        let e = BuildLock::acquire(&w, Duration::from_millis(250)).unwrap_err().to_string();
        assert!(e.starts_with(&format!("another build (pid {}) is running on ", std::process::id())), "{e}");
        drop(first);
        std::fs::write(lock_path(&w), "999999999").unwrap();
        let again = BuildLock::acquire(&w, Duration::ZERO).unwrap();
        assert_eq!(std::fs::read_to_string(lock_path(&w)).unwrap(), std::process::id().to_string());
        drop(again);
    }
}
