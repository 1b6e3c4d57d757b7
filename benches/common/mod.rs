//! What the benches on the original data share: `examples/original_run.toml` pointed at
//! `../shared/data` in a temporary folder, and a quiet `selecta build` of a configuration.
#![allow(dead_code)] // each bench uses its own part

use std::path::{Path, PathBuf};
use std::process::Command;

/// The original run's configuration, its warehouse moved to `w.duckdb` in `dir`.
pub struct OriginalRun {
    pub dir: tempfile::TempDir,
    /// `../shared`, canonical.
    pub shared: PathBuf,
    /// The configuration's text (paths absolute, warehouse `w.duckdb`).
    pub config: String,
}

impl OriginalRun {
    /// The configuration written to `dir/name` (with `extra` appended), its path returned.
    pub fn write(&self, name: &str, extra: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("{}{extra}", self.config)).unwrap();
        path
    }
}

/// The original run, or `None` (SKIPPED printed) when `../shared/data` is not beside the checkout.
pub fn original_run() -> Option<OriginalRun> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = repo.join("../shared");
    if !shared.join("data").exists() {
        eprintln!("SKIPPED: ../shared/data not found");
        return None;
    }
    let shared = shared.canonicalize().unwrap();
    let config = std::fs::read_to_string(repo.join("examples/original_run.toml"))
        .unwrap()
        .replace("../../shared", &shared.display().to_string())
        .replace("../out/original_run.duckdb", "w.duckdb");
    Some(OriginalRun { dir: tempfile::tempdir().unwrap(), shared, config })
}

/// `selecta --config CONFIG -q build`, which must succeed.
pub fn build(config: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_selecta")).arg("--config").arg(config).arg("-q").arg("build").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}
