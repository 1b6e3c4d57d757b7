//! selecta's integration tests: one binary, one module per command, each driving the real CLI
//! (`selecta` built by cargo) on files in a temporary folder.

mod bad_input;
mod analyze;
mod build;
mod fetch;
mod journey;
mod cluster;
mod export;
mod matching;
mod playlists;
mod report;
mod serve;
mod sql;
mod tags;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (tests read `data/sample` and `../shared/data` from here).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The original project's data, or `None` (with a loud note) where this checkout has none.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared/data").join(rel);
    if p.exists() {
        Some(p)
    } else if std::env::var_os("CI").is_some() {
        panic!("{} is missing: CI must have ../shared/data beside the clone", p.display());
    } else {
        eprintln!("SKIPPED: {} not found (the original project's data is not beside this checkout)", p.display());
        None
    }
}

/// What a run of the CLI gave.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "expected success\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
    #[track_caller]
    pub fn failure(self) -> Self {
        assert_ne!(self.code, 0, "expected failure\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
    /// stdout and stderr with the exit code, for snapshots.
    pub fn transcript(&self) -> String {
        format!("exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A temporary project folder with a config file, and the CLI run in it.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// An empty project folder.
    pub fn new() -> Project {
        Project { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating folders).
    pub fn file(&self, rel: &str, text: &str) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// Copies a file of the repository (e.g. `data/sample/collection.csv`) into the project.
    pub fn copy(&self, from: &Path, rel: &str) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::copy(from, p).unwrap();
        self
    }

    /// A project holding the sample collection and a config `selecta.toml` pointing at it.
    pub fn sample() -> Project {
        let p = Project::new();
        for f in ["collection.csv", "collection_tracks.csv", "spotify_ids.csv", "exportify.csv"] {
            p.copy(&repo().join("data/sample").join(f), &format!("data/{f}"));
        }
        p.file(
            "selecta.toml",
            r#"warehouse = "out/w.duckdb"
[inputs]
releases = ["data/collection.csv"]
tracklists = ["data/collection_tracks.csv"]
spotify_ids = ["data/spotify_ids.csv"]
features = ["data/exportify.csv"]
"#,
        );
        p
    }

    /// Runs `selecta --config selecta.toml ARGS` in the project folder.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_config("selecta.toml", args)
    }

    pub fn run_config(&self, config: &str, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_selecta"))
            .current_dir(self.dir.path())
            .arg("--config")
            .arg(config)
            .args(args)
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            // the default tag model (~/.cache/selecta/models) is not the tests' unless they name it
            .env("XDG_CACHE_HOME", self.dir.path().join(".cache"))
            .output()
            .expect("running selecta");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `selecta sql QUERY --format csv`, parsed into rows of fields (header dropped).
    pub fn query(&self, sql: &str) -> Vec<Vec<String>> {
        self.query_config("selecta.toml", sql)
    }

    pub fn query_config(&self, config: &str, sql: &str) -> Vec<Vec<String>> {
        let out = self.run_config(config, &["sql", sql, "--format", "csv"]).success();
        let mut rdr = csv::Reader::from_reader(out.stdout.as_bytes());
        rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
    }

    /// A single value of a query.
    pub fn scalar(&self, sql: &str) -> String {
        self.query(sql).remove(0).remove(0)
    }

    /// A single value of a query that also reads files (`read_csv`): `selecta sql` refuses any
    /// file access, so the test opens the warehouse (`out/w.duckdb`) itself, read-only.
    pub fn scalar_reading_files(&self, sql: &str) -> String {
        let flags = duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly).unwrap();
        let conn = duckdb::Connection::open_with_flags(self.path("out/w.duckdb"), flags).unwrap();
        conn.query_row(&format!("SELECT CAST(({sql}) AS VARCHAR)"), [], |r| r.get(0)).unwrap()
    }
}

/// A project whose config is one of `examples/*.toml`, with its paths to the original data
/// made absolute and its warehouse moved into the project folder. `None` where the data is absent.
pub fn example(name: &str) -> Option<Project> {
    shared_data("collection/collection.csv")?;
    let text = std::fs::read_to_string(repo().join("examples").join(name)).unwrap();
    let shared = repo().join("../shared").canonicalize().unwrap();
    let text = text.replace("../../shared", &shared.display().to_string());
    let text = text.lines().map(|l| if l.starts_with("warehouse") { "warehouse = \"out/w.duckdb\"" } else { l }).collect::<Vec<_>>().join("\n");
    let p = Project::new();
    p.file("selecta.toml", &text);
    Some(p)
}

/// insta filters for run ids, timings (`0.12s` in the run log, `0.1 s` in summaries), log
/// timestamps and temporary paths.
pub fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"\d{8}T\d{6}Z-[0-9a-f]{4}", "[RUN_ID]"),
        (r"\d+\.\d{2}s\b", "[T]s"),
        (r"\b\d+\.\d+ s\b", "[T] s"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "[TIMESTAMP]"),
        (r"/tmp/\.tmp[A-Za-z0-9]+|/tmp/[A-Za-z0-9_.-]+", "[TMP]"),
    ]
}

/// A project whose warehouse (`out/w.duckdb`) is the demo warehouse of
/// `selecta::fakes::warehouse` (every stage's tables), with `extra` appended to its config.
pub fn demo(extra: &str) -> Project {
    let p = Project::new();
    std::fs::create_dir_all(p.path("out")).unwrap();
    let conn = duckdb::Connection::open(p.path("out/w.duckdb")).unwrap();
    selecta::fakes::warehouse::fill_demo(&conn).unwrap();
    drop(conn);
    p.file("selecta.toml", &format!("warehouse = \"out/w.duckdb\"\n{extra}"));
    p
}
