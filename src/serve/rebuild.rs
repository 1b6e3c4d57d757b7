//! The "Rebuild" action: `selecta --config FILE build` as a child process, one at a time, its
//! output lines kept for the page to stream (it polls [`Rebuild::since`]).
//!
//! The build swaps the new warehouse in only when every step and check passed, so a failed
//! rebuild leaves the served warehouse as it was; the page then shows the failing lines
//! (`FAIL` / `ERROR` steps, their `↳` details, `Build failed: …`) picked out of the log.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// What the latest rebuild did so far.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Status {
    /// Rebuilds started since the server started (0: none yet).
    pub run: u64,
    pub running: bool,
    /// The exit code once finished (`-1`: killed by a signal or not started).
    pub exit: Option<i32>,
    /// Every line the build printed (stdout and stderr, in arrival order).
    pub lines: Vec<String>,
}

impl Status {
    pub fn failed(&self) -> bool {
        !self.running && self.exit.is_some_and(|c| c != 0)
    }

    /// The lines that say what failed.
    pub fn failure_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut after_fail = false;
        for l in &self.lines {
            let t = l.trim_start();
            let bad = l.contains(" FAIL ") || l.contains(" ERROR ") || t.starts_with("Build failed") || t.starts_with("error:");
            if bad || (after_fail && t.starts_with('↳')) {
                out.push(l.clone());
            }
            after_fail = bad || (after_fail && t.starts_with('↳'));
        }
        out
    }
}

/// The rebuild runner, shared by the handlers.
pub struct Rebuild {
    exe: PathBuf,
    config: PathBuf,
    status: Arc<Mutex<Status>>,
}

impl Rebuild {
    /// `exe` is the selecta binary, `config` the configuration file the server was started with.
    pub fn new(exe: PathBuf, config: PathBuf) -> Rebuild {
        Rebuild { exe, config, status: Arc::new(Mutex::new(Status::default())) }
    }

    pub fn status(&self) -> Status {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The status with only the lines from `from` on (what the page has not shown yet).
    pub fn since(&self, from: usize) -> (Status, usize) {
        let s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let total = s.lines.len();
        let lines = s.lines.get(from.min(total)..).unwrap_or_default().to_vec();
        (Status { lines, ..s.clone() }, total)
    }

    /// Starts a build; `false` when one is already running.
    pub fn start(&self) -> bool {
        let run = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            if s.running {
                return false;
            }
            *s = Status { run: s.run + 1, running: true, exit: None, lines: Vec::new() };
            s.run
        };
        tracing::info!("rebuild {run}: {} --config {} build", self.exe.display(), self.config.display());
        let spawned = Command::new(&self.exe)
            .arg("--config")
            .arg(&self.config)
            .arg("build")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let status = Arc::clone(&self.status);
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                let mut s = status.lock().unwrap_or_else(|p| p.into_inner());
                s.lines.push(format!("error: cannot start {}: {e}", self.exe.display()));
                s.running = false;
                s.exit = Some(-1);
                return true;
            }
        };
        let readers: Vec<std::thread::JoinHandle<()>> = [child.stdout.take().map(|o| Box::new(o) as Box<dyn std::io::Read + Send>), child.stderr.take().map(|e| Box::new(e) as Box<dyn std::io::Read + Send>)]
            .into_iter()
            .flatten()
            .map(|pipe| {
                let status = Arc::clone(&status);
                std::thread::spawn(move || {
                    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                        status.lock().unwrap_or_else(|p| p.into_inner()).lines.push(line);
                    }
                })
            })
            .collect();
        std::thread::spawn(move || {
            for r in readers {
                let _ = r.join();
            }
            let code = child.wait().ok().and_then(|s| s.code()).unwrap_or(-1);
            let mut s = status.lock().unwrap_or_else(|p| p.into_inner());
            s.running = false;
            s.exit = Some(code);
            tracing::info!("rebuild {run} exited with {code}");
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The failing check's line and its details are picked out of a failed build's log.
    #[test]
    fn failure_lines_name_the_failing_check() {
        let s = Status {
            run: 1,
            running: false,
            exit: Some(1),
            lines: [
                "11 of 46 OK    check.stg_tracks_key ....... [0 rows in 0.01s]",
                "12 of 46 FAIL  check.stg_tracks_release_id_relationships ... [2 rows in 0.03s]",
                "            ↳ 2 offending rows: 9999_A1 (1×), 9999_A2 (1×)",
                "Done in 0.60s: 11 OK, 0 WARN, 0 SKIP, 1 FAIL, 0 ERROR.",
                "Build failed: check check.stg_tracks_release_id_relationships failed: 2 offending rows",
            ]
            .map(String::from)
            .to_vec(),
        };
        assert!(s.failed());
        let f = s.failure_lines();
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(f[0].contains("FAIL  check.stg_tracks_release_id_relationships") && f[1].contains("9999_A1") && f[2].starts_with("Build failed"));
    }
}
