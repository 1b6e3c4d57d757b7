//! The architecture test: every module imports only the layers below its own.
//!
//! The layers, bottom to top (a module may use its own layer's module tree and anything below):
//! 0. `fmt`, `setting`, `clock`, `parallel`: plain values, the time source, jobs on all cores;
//! 1. `db`, `http`: DuckDB and HTTP plumbing;
//! 2. `step`, `checks`: the step contract, and the checks `sql/schema.toml` declares;
//! 3. the stages `ingest`, `analysis`, `matching`, `cluster`, `fetch`, `report`, `export`, `playlists`:
//!    none imports another;
//! 4. `fakes`: test servers and a demo warehouse (feature `fakes`), over the stages' formats;
//! 5. `config`: loads every stage's section;
//! 6. `pipeline`: composes the stages' steps; `serve`: the local web app over the warehouse
//!    (reads what the stages wrote, writes their decision files, runs `selecta build` as a child);
//! 7. `cli`: commands and printing.
//!
//! The test reads `src/**/*.rs` as text and finds every `crate::<module>` path (in `use` lines
//! and inline), so it needs no parser and cannot be fooled by re-exports. Test code (a trailing
//! `#[cfg(test)] mod tests { … }`, or a `tests.rs` file) is not shipped and may use `fakes`.

use std::path::{Path, PathBuf};

/// The rank of each top-level module; stages share one rank and may not import each other.
const LAYERS: &[(&str, u8)] = &[
    ("fmt", 0),
    ("setting", 0),
    ("clock", 0),
    ("parallel", 0),
    ("db", 1),
    ("http", 1),
    ("step", 2),
    ("checks", 2),
    ("ingest", 3),
    ("analysis", 3),
    ("matching", 3),
    ("cluster", 3),
    ("fetch", 3),
    ("report", 3),
    ("export", 3),
    ("playlists", 3),
    ("fakes", 4),
    ("config", 5),
    ("pipeline", 6),
    ("serve", 6),
    ("cli", 7),
];

/// Rank 3 is the stages': siblings there are not allowed to import each other.
const STAGES: u8 = 3;

fn rank(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The top-level module a source file belongs to (`src/cluster/run.rs` → `cluster`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    Some(first.trim_end_matches(".rs").to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every `crate::<name>` a line names.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        let after = &rest[i + "crate::".len()..];
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        // `selecta_crate::x` or `$crate::` are not ours.
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') && !name.is_empty() {
            found.push(name);
        }
        rest = after;
    }
    found
}

/// The lines of `text` before its `#[cfg(test)] mod tests { … }` (test code may use fakes).
fn shipped_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len())
        .find(|&i| lines[i].trim() == "#[cfg(test)]" && lines.get(i + 1).is_some_and(|l| l.trim_start().starts_with("mod ") && l.trim_end().ends_with('{')))
        .unwrap_or(lines.len());
    lines.into_iter().take(end).enumerate()
}

/// The imports that break the layering: `file:line: crate::x (layer a imports layer b)`.
pub fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Some(module) = module_of(src, &file) else { continue };
        let Some(own) = rank(&module) else { continue };
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue; // a `#[cfg(test)] mod tests;` file: test code is not shipped
        }
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        for (i, line) in shipped_lines(&text) {
            let code = line.split("//").next().unwrap_or("");
            for target in crate_paths(code) {
                if target == module {
                    continue;
                }
                let Some(theirs) = rank(&target) else { continue };
                let sibling_stage = own == STAGES && theirs == STAGES;
                if theirs > own || sibling_stage {
                    out.push(format!(
                        "{}:{}: `{}` imports `crate::{target}` (layer {theirs}{}) from layer {own}",
                        file.strip_prefix(src.parent().unwrap_or(src)).unwrap_or(&file).display(),
                        i + 1,
                        module,
                        if sibling_stage { ", a sibling stage" } else { "" },
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn every_module_imports_only_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(bad.is_empty(), "imports against the layering:\n{}", bad.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().trim_end_matches(".rs").to_string();
        if ["lib", "main", "layers"].contains(&name.as_str()) {
            continue;
        }
        if rank(&name).is_none() {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "modules without a layer in LAYERS: {missing:?}");
}

/// The check itself: a stage naming the pipeline, a sibling stage, or a bottom module naming a
/// stage are each reported with file and line; `$crate::` and comments are not.
#[test]
fn the_check_names_the_offending_import() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("cluster")).unwrap();
    std::fs::write(src.join("cluster").join("run.rs"), "use crate::db::duck;\nuse crate::pipeline::plan;\n// crate::cli is only named here\n").unwrap();
    std::fs::write(src.join("report.rs"), "fn f() { crate::cluster::run(); }\n#[cfg(test)]\nmod tests {\n    use crate::fakes::warehouse;\n}\n").unwrap();
    std::fs::write(src.join("db.rs"), "macro_rules! m { () => { $crate::cli::x } }\nuse crate::step::StepContext;\n").unwrap();
    let got = violations(&src);
    assert_eq!(
        got,
        [
            "src/cluster/run.rs:2: `cluster` imports `crate::pipeline` (layer 6) from layer 3",
            "src/db.rs:2: `db` imports `crate::step` (layer 2) from layer 1",
            "src/report.rs:1: `report` imports `crate::cluster` (layer 3, a sibling stage) from layer 3",
        ]
    );
}
