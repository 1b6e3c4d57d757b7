//! Which earlier steps each step of the plan must wait for, so that independent steps (the
//! four staging files, a table's checks beside the next mart) can run at the same time.
//!
//! What a SQL step or check reads and writes is read from its text ([`sql_io`]: the names after
//! FROM / JOIN / INTO, after CREATE [OR REPLACE] TABLE | VIEW | MACRO, after INSERT INTO); a Rust
//! step declares its tables. Step `j` waits for an earlier step `i` when `j` reads what `i`
//! writes, writes what `i` writes, or writes what `i` reads — except that two steps which both
//! append to [`APPEND_ONLY`] tables (each staging file's rows of `quarantine`, which it alone
//! reads back) do not wait for each other on that table. A Rust step waits as its [`Reach`]
//! says: for every earlier step, checks included, when it may call a network API or write the
//! state database, which a failing check must still prevent, as it does when the steps run one
//! by one; for every earlier step but the checks when it touches only the warehouse being built
//! (clustering, playlist order, calibration: its declared reads need not be complete); for the
//! steps writing what it reads, like a SQL step, when it only reads (the report, whose file is
//! published only once the build has succeeded).

use std::collections::BTreeSet;

use crate::pipeline::plan::{Reach, Step, StepKind};

/// Tables steps append their own rows to, and read back only their own rows of.
pub const APPEND_ONLY: &[&str] = &["quarantine"];

/// What a SQL text reads, creates, appends to and calls, roughly: the name after FROM / JOIN /
/// INTO is read (a name followed by `(` is a table function, `IS DISTINCT FROM` compares,
/// UNPIVOT's `INTO NAME` names a column); the name after CREATE [OR REPLACE] TABLE | VIEW |
/// MACRO is written; the name after INSERT INTO is appended to (and read: it must exist); CTE
/// names (`name AS (`) are none of these; `calls` are the names called as functions.
#[derive(Debug, Default)]
pub struct Io {
    pub reads: BTreeSet<String>,
    pub writes: BTreeSet<String>,
    pub appends: BTreeSet<String>,
    pub macros: BTreeSet<String>,
    pub calls: BTreeSet<String>,
}

/// SQL text as tokens: comments and string literals dropped, `"quoted"` identifiers unquoted,
/// identifiers lower-cased (DuckDB's names are case-insensitive).
pub fn tokens(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == c && chars.get(i + 1) == Some(&c) {
                    s.push(c);
                    i += 2;
                } else if chars[i] == c {
                    break;
                } else {
                    s.push(chars[i]);
                    i += 1;
                }
            }
            i += 1;
            out.push(if c == '"' { s.to_lowercase() } else { "'…'".into() });
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// What `sql` reads, writes, appends to and calls (see [`Io`]).
pub fn sql_io(sql: &str) -> Io {
    let t = tokens(sql);
    let at = |i: usize| t.get(i).map(String::as_str).unwrap_or("");
    let mut io = Io::default();
    let mut ctes = BTreeSet::new();
    for i in 0..t.len() {
        match at(i) {
            "from" | "join" | "into" if at(i - i.min(1)) != "distinct" && !matches!(at(i + 1), "(" | "name" | "") && at(i + 2) != "(" => {
                io.reads.insert(at(i + 1).to_string());
                if at(i) == "into" && i > 0 && at(i - 1) == "insert" {
                    io.appends.insert(at(i + 1).to_string());
                }
            }
            "create" => {
                let mut j = i + 1;
                while matches!(at(j), "or" | "replace" | "temp" | "temporary") {
                    j += 1;
                }
                if matches!(at(j), "table" | "view" | "macro") {
                    let macro_ = at(j) == "macro";
                    j += 1;
                    if at(j) == "if" {
                        j += 3;
                    }
                    // `state.runs`: a table of the attached state database.
                    let name = if at(j + 1) == "." { format!("{}.{}", at(j), at(j + 2)) } else { at(j).to_string() };
                    if macro_ {
                        io.macros.insert(name.clone());
                    }
                    io.writes.insert(name);
                }
            }
            // `name AS (`, `name AS [NOT] MATERIALIZED (`
            "as" if i > 0 && (at(i + 1) == "(" || at(i + 1) == "materialized" && at(i + 2) == "(" || at(i + 1) == "not" && at(i + 2) == "materialized" && at(i + 3) == "(") => {
                ctes.insert(t[i - 1].clone());
            }
            "(" if i > 0 => {
                io.calls.insert(t[i - 1].clone());
            }
            _ => {}
        }
    }
    io.reads.retain(|r| !ctes.contains(r) && !io.writes.contains(r));
    io
}

/// A step's tables for the schedule: read, written (created or replaced), appended to.
struct Tables {
    reads: BTreeSet<String>,
    writes: BTreeSet<String>,
    appends: BTreeSet<String>,
    /// What it waits for whatever it reads: every earlier step, or every earlier step but the checks.
    after: After,
}

#[derive(PartialEq)]
enum After {
    Inputs,
    AllButChecks,
    All,
}

/// A step's tables, from its parsed SQL (`io`, for SQL steps and checks) or its declaration.
fn tables(step: &Step<'_>, io: Option<Io>, macros: &BTreeSet<String>) -> Tables {
    let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let io = io.unwrap_or_default();
    match &step.kind {
        StepKind::Rust { reads, writes, reach, .. } => {
            let after = match reach {
                Reach::Outside => After::All,
                Reach::Within => After::AllButChecks,
                Reach::Reads => After::Inputs,
            };
            Tables { reads: own(reads), writes: own(writes), appends: BTreeSet::new(), after }
        }
        StepKind::Sql { table, .. } => {
            let mut writes = io.writes;
            writes.extend(table.iter().map(|t| t.to_string()));
            let reads = io.reads.into_iter().chain(io.calls.intersection(macros).cloned()).collect();
            Tables { reads, writes, appends: io.appends, after: After::Inputs }
        }
        StepKind::Check { .. } => Tables { reads: io.reads, writes: BTreeSet::new(), appends: BTreeSet::new(), after: After::Inputs },
    }
}

/// For each step of `plan`, the earlier steps it waits for (see the module's rule).
pub fn waits(plan: &[Step<'_>]) -> Vec<Vec<usize>> {
    // Each SQL text parsed once: the macros it creates, then its tables.
    let parsed: Vec<Option<Io>> = plan
        .iter()
        .map(|s| match &s.kind {
            StepKind::Sql { sql, .. } | StepKind::Check { sql, .. } => Some(sql_io(sql)),
            StepKind::Rust { .. } => None,
        })
        .collect();
    let macros: BTreeSet<String> = parsed.iter().flatten().flat_map(|io| io.macros.iter().cloned()).collect();
    let t: Vec<Tables> = plan.iter().zip(parsed).map(|(s, io)| tables(s, io, &macros)).collect();
    let appended_by_both = |i: &Tables, j: &Tables, table: &str| APPEND_ONLY.contains(&table) && i.appends.contains(table) && j.appends.contains(table);
    (0..plan.len())
        .map(|j| {
            (0..j)
                .filter(|&i| {
                    let (a, b) = (&t[i], &t[j]);
                    let check = matches!(plan[i].kind, StepKind::Check { .. });
                    if b.after == After::All || b.after == After::AllButChecks && !check {
                        return true;
                    }
                    let a_out = a.writes.iter().chain(&a.appends);
                    let b_out: BTreeSet<&String> = b.writes.iter().chain(&b.appends).collect();
                    let raw_or_waw = a_out.filter(|x| !appended_by_both(a, b, x)).any(|x| b.reads.contains(x) || b_out.contains(x));
                    let war = a.reads.iter().filter(|x| !appended_by_both(a, b, x)).any(|x| b_out.contains(x));
                    raw_or_waw || war
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::pipeline::plan::build_plan;

    /// On the default plan: the four staging files wait for ingest, not for each other (but the
    /// note of staging.spotify_ids counts the IDs naming no track of stg_tracks); the
    /// relationships check of tracks waits for both tables it joins; the mart joining tracks,
    /// IDs and features waits for the three; the report waits for what it reads.
    #[test]
    fn independent_steps_do_not_wait_for_each_other() {
        let config = Config::from_toml(std::path::Path::new("/nowhere/selecta.toml"), "[cluster]\nenabled = true\n").unwrap();
        let plan = build_plan(&config).unwrap();
        let waits = waits(&plan);
        let at = |name: &str| plan.iter().position(|s| s.name == name).unwrap_or_else(|| panic!("no step {name}"));
        let waits_for = |a: &str, b: &str| waits[at(a)].contains(&at(b));
        let staging = ["staging.releases", "staging.tracks", "staging.spotify_ids", "staging.audio_features"];
        for a in staging {
            assert!(waits_for(a, "ingest"), "{a} does not wait for ingest");
            for b in staging {
                let reads = a == "staging.spotify_ids" && b == "staging.tracks";
                assert_eq!(waits_for(a, b), reads, "{a} waits for {b}: {}", waits_for(a, b));
            }
        }
        assert!(waits_for("check.stg_tracks_release_id_relationships", "staging.releases"));
        assert!(waits_for("check.stg_tracks_release_id_relationships", "staging.tracks"));
        assert!(!waits_for("check.stg_tracks_key", "staging.releases"));
        for input in ["marts.tracks", "marts.track_spotify_ids", "marts.audio_features"] {
            assert!(waits_for("marts.tracks_features", input), "tracks_features does not wait for {input}");
        }
        // The report waits for the tables it reads, not for the playlist order nor the checks.
        for input in ["marts.tracks_features", "marts.track_spotify_ids", "cluster"] {
            assert!(waits_for("report", input), "report does not wait for {input}");
        }
        assert!(!waits_for("report", "playlists.order") && !waits_for("report", "check.tracks_features_key"));
        // Clustering and the playlist order work within the warehouse: they wait for every
        // earlier step but the checks; the checks of the cluster tables wait for the order.
        for rust in ["cluster", "playlists.order"] {
            let earlier: Vec<usize> = (0..at(rust)).filter(|&i| !matches!(plan[i].kind, StepKind::Check { .. })).collect();
            assert!(earlier.iter().all(|i| waits[at(rust)].contains(i)), "{rust} does not wait for every earlier step");
            assert!(!waits_for(rust, "check.tracks_features_key"), "{rust} waits for a check");
        }
        assert!(waits_for("check.cluster_playlists_key", "playlists.order"));
        // Nothing waits for a later step.
        assert!(waits.iter().enumerate().all(|(j, w)| w.iter().all(|&i| i < j)));
    }

    #[test]
    fn sql_io_reads_roughly_right() {
        let io = sql_io(
            "WITH e AS (SELECT * FROM raw_tracks), m AS NOT MATERIALIZED (SELECT 1 FROM e) CREATE OR REPLACE TABLE x AS SELECT clean_text(a) FROM e, m \
             LEFT JOIN \"Odd\" o ON o.a IS DISTINCT FROM e.a WHERE 'FROM nope' <> '' -- FROM comment\n\
             AND b IN (SELECT 1 FROM read_csv('f')) ; INSERT INTO quarantine SELECT 1 FROM (UNPIVOT y ON a INTO NAME f VALUE v)",
        );
        assert_eq!(io.reads, BTreeSet::from(["odd", "quarantine", "raw_tracks"].map(String::from)));
        assert_eq!(io.writes, BTreeSet::from(["x".to_string()]));
        assert_eq!(io.appends, BTreeSet::from(["quarantine".to_string()]));
        assert!(io.calls.contains("clean_text"));
    }
}
