//! The ground floor for DuckDB: opening the warehouse and the state database, quoting, and the
//! one error every stage wraps ([`DbError`]).
//!
//! The warehouse is rebuilt by every build; the state database beside it survives rebuilds (run
//! log, check audit, API caches, playlist IDs) and is attached as `state`, so the same
//! `state.<table>` SQL works in a build, in a command and in `selecta sql`.

use std::path::{Path, PathBuf};

use duckdb::{AccessMode, Connection};

/// A DuckDB or file-system error, with what we were doing.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{context}: {source}")]
    Duck { context: String, source: duckdb::Error },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no warehouse at {path}: run `selecta build` first")]
    Missing { path: PathBuf },
    #[error("no table or view `{table}` in the warehouse; there are: {available}")]
    UnknownTable { table: String, available: String },
}

/// `map_err` helper: a DuckDB error with what we were doing.
pub fn duck(context: impl Into<String>) -> impl FnOnce(duckdb::Error) -> DbError {
    let context = context.into();
    move |source| DbError::Duck { context, source }
}

/// A SQL identifier, double-quoted (`a"b` → `"a""b"`).
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A SQL string literal, single-quoted (`Bob's` → `'Bob''s'`).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A path as a SQL string literal (any character, quotes included).
pub fn path_literal(path: &Path) -> String {
    literal(&path.display().to_string())
}

/// Creates the folder that will hold `file`, if it has one.
pub fn create_parent(file: &Path) -> Result<(), DbError> {
    match file.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir).map_err(|source| DbError::Io { path: dir.to_path_buf(), source }),
        None => Ok(()),
    }
}

/// Removes `path`; a missing file is not an error.
pub fn remove_if_exists(path: &Path) -> Result<(), DbError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(DbError::Io { path: path.to_path_buf(), source }),
    }
}

/// Attaches the state database to `conn` as `state` (created if missing, unless read-only).
pub fn attach_state(conn: &Connection, state: &Path, read_only: bool) -> Result<(), DbError> {
    if !read_only {
        create_parent(state)?;
    }
    let mode = if read_only { " (READ_ONLY)" } else { "" };
    conn.execute_batch(&format!("ATTACH {} AS state{mode}", path_literal(state)))
        .map_err(duck(format!("attaching the state database {}", state.display())))
}

/// An in-memory connection with the state database attached as `state`, for commands that
/// work outside a build (fetching, playlists).
pub fn open_state(state: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open_in_memory().map_err(duck("opening DuckDB in memory"))?;
    attach_state(&conn, state, false)?;
    Ok(conn)
}

/// The warehouse opened read-only, with the state database attached read-only as `state` and on
/// the search path (so `run_log` resolves) when it exists and no other process holds it.
pub fn open_read_only(warehouse: &Path, state: &Path) -> Result<Connection, DbError> {
    if !warehouse.exists() {
        return Err(DbError::Missing { path: warehouse.to_path_buf() });
    }
    let flags = duckdb::Config::default().access_mode(AccessMode::ReadOnly).map_err(duck("configuring DuckDB"))?;
    let conn = Connection::open_with_flags(warehouse, flags).map_err(duck(format!("opening {}", warehouse.display())))?;
    if state.exists() {
        match attach_state(&conn, state, true) {
            Ok(()) => {
                let catalog: String = conn.query_row("SELECT current_database()", [], |r| r.get(0)).map_err(duck("naming the warehouse catalog"))?;
                conn.execute_batch(&format!("SET search_path = {}", literal(&format!("{catalog}.main,state.main"))))
                    .map_err(duck("setting the search path"))?;
            }
            Err(e) => tracing::warn!("state tables (run_log, check_failures) are not available: {e}"),
        }
    }
    Ok(conn)
}

/// The warehouse opened read-write, for commands that rework tables in place (`selecta cluster`).
pub fn open_read_write(warehouse: &Path) -> Result<Connection, DbError> {
    if !warehouse.exists() {
        return Err(DbError::Missing { path: warehouse.to_path_buf() });
    }
    Connection::open(warehouse).map_err(duck(format!("opening {}", warehouse.display())))
}

/// Another connection to `conn`'s database, on the same default catalog (`USE`): for work on
/// several threads at once, each with its own session.
pub fn clone_session(conn: &Connection) -> Result<Connection, DbError> {
    let catalog: String = conn.query_row("SELECT current_database()", [], |r| r.get(0)).map_err(duck("naming the current catalog"))?;
    let other = conn.try_clone().map_err(duck("opening another connection"))?;
    other.execute_batch(&format!("USE {}", ident(&catalog))).map_err(duck(format!("opening another connection to {catalog}")))?;
    Ok(other)
}

/// The tables and views of the connection's main schema.
pub fn table_names(conn: &Connection) -> Result<Vec<String>, DbError> {
    let mut stmt = conn
        .prepare("SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY 1")
        .map_err(duck("listing tables"))?;
    let names = stmt.query_map([], |r| r.get(0)).and_then(|r| r.collect::<Result<Vec<String>, _>>()).map_err(duck("listing tables"))?;
    Ok(names)
}

/// Whether `table` exists in the attached database `catalog` (e.g. `state`).
pub fn table_exists(conn: &Connection, catalog: &str, table: &str) -> Result<bool, DbError> {
    let n: i64 = conn
        .query_row("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?", [catalog, table], |r| r.get(0))
        .map_err(duck(format!("looking for {catalog}.{table}")))?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_the_quote_character() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("Bob's music"), "'Bob''s music'");
    }

    #[test]
    fn a_path_with_a_quote_attaches() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("Bob's music").join("s.state.duckdb");
        let conn = open_state(&state).unwrap();
        conn.execute_batch("CREATE TABLE state.t (x INTEGER)").unwrap();
        assert!(table_exists(&conn, "state", "t").unwrap());
    }
}
