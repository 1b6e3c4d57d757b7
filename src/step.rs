//! The contract between the build runner and every step of the job.
//!
//! A build is an ordered list of steps. SQL steps are files under `sql/`; Rust steps (ingest,
//! matching, clustering, report, …) are functions a stage exports, called with a
//! [`StepContext`] and the stage's own configuration section, returning a [`StepOutput`]. The
//! runner (in `pipeline`) times each step, numbers it, logs it and stores it in `run_log`.

/// What a step sees: the connection to the warehouse being built (the state database is
/// attached to it as `state`) and the id of this run.
pub struct StepContext<'a> {
    pub conn: &'a duckdb::Connection,
    pub run_id: &'a str,
    /// Whether progress bars may be drawn (stderr is a terminal and `--quiet` was not given).
    pub progress: bool,
    /// `selecta build --offline`: network steps use their caches only and send nothing.
    pub offline: bool,
}

/// How a step ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Did its work.
    Ok,
    /// Did its work, but something deserves a look (quarantined rows, tracks without features).
    Warn,
    /// Not configured for this run (e.g. no matching section): nothing was done.
    Skip,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Ok => "OK",
            StepStatus::Warn => "WARN",
            StepStatus::Skip => "SKIP",
        }
    }
}

/// What a step reports back to the runner.
#[derive(Debug, Clone)]
pub struct StepOutput {
    pub status: StepStatus,
    /// Rows the step wrote (for a table-building step, the table's row count).
    pub rows: Option<u64>,
    /// One short line shown after the step's line in the run log ("3 rows quarantined").
    pub note: Option<String>,
}

impl StepOutput {
    pub fn ok(rows: u64) -> Self {
        StepOutput { status: StepStatus::Ok, rows: Some(rows), note: None }
    }
    pub fn skip(why: impl Into<String>) -> Self {
        StepOutput { status: StepStatus::Skip, rows: None, note: Some(why.into()) }
    }
    pub fn warn(rows: u64, note: impl Into<String>) -> Self {
        StepOutput { status: StepStatus::Warn, rows: Some(rows), note: Some(note.into()) }
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// Where a step writes a file it publishes (a plan's `publishes`): beside it, with `.part`
/// added to its name; the runner renames it into place once the build has succeeded and
/// removes it otherwise.
pub fn staged_path(path: &std::path::Path) -> std::path::PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".part");
    path.with_file_name(name)
}

/// A step's failure, whatever stage it comes from: the runner only shows and stores its text.
pub type StepError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A Rust step as the plan holds it: the stage's function with its configuration bound (`Sync`:
/// the runner may call it on any of its worker threads).
pub type RustStep<'a> = Box<dyn Fn(&StepContext<'_>) -> Result<StepOutput, StepError> + Sync + 'a>;
