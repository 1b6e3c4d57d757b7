//! Ctrl-C during a build: the first one stops the build at the running step (DuckDB's query is
//! interrupted; a Rust step finishes its batch) and the runner ends the run as `interrupted`,
//! removes the side file and leaves the last good warehouse as it was. A second Ctrl-C removes
//! the side file and exits at once (code 130).
//!
//! The handler is tokio's `signal::ctrl_c` on a thread of its own, installed by the first build
//! of the process; between builds a Ctrl-C does what it always does (exit 130).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// What the handler needs from the running build.
struct Running {
    handles: Vec<Arc<duckdb::InterruptHandle>>,
    side: PathBuf,
}

static REQUESTED: AtomicBool = AtomicBool::new(false);
static RUNNING: Mutex<Option<Running>> = Mutex::new(None);

/// The build being watched; dropping it ends the watch.
pub struct Watch(());

/// Watches for Ctrl-C while a build writes `side` through the connections of `handles`.
pub fn watch(handles: Vec<Arc<duckdb::InterruptHandle>>, side: PathBuf) -> Watch {
    install();
    REQUESTED.store(false, Ordering::SeqCst);
    *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = Some(Running { handles, side });
    Watch(())
}

/// Whether Ctrl-C was pressed since the watch began.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

impl Drop for Watch {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Installs the handler (once per process); `watch` does it too.
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let spawned = std::thread::Builder::new().name("ctrl-c".into()).spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                while tokio::signal::ctrl_c().await.is_ok() {
                    on_ctrl_c();
                }
            });
        });
        if let Err(e) = spawned {
            tracing::warn!("Ctrl-C will not be handled: {e}");
        }
    });
}

fn on_ctrl_c() {
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    match running.as_ref() {
        Some(r) if !REQUESTED.swap(true, Ordering::SeqCst) => {
            tracing::warn!("interrupted: stopping the build at this step (Ctrl-C again to quit at once)");
            r.handles.iter().for_each(|h| h.interrupt());
        }
        other => {
            if let Some(r) = other {
                let _ = std::fs::remove_file(&r.side);
                let mut wal = r.side.clone().into_os_string();
                wal.push(".wal");
                let _ = std::fs::remove_file(PathBuf::from(wal));
            }
            std::process::exit(130);
        }
    }
}
