//! Reading the warehouse for the report, with the tolerance it needs: a missing table is `None`,
//! so a partial warehouse still gives a report.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use duckdb::Connection;

use super::ReportError;
use crate::db::duck;

/// A table's columns `(name, type)`.
type Columns = Arc<Vec<(String, String)>>;

/// What the report's connections share: the warehouse's catalog (its main schema is where
/// tables are looked for), and each table or view asked about (lower-case name) → its columns,
/// or `None` when it is not there, read once per table (`DESCRIBE`) for every section.
pub(super) struct Known {
    catalog: String,
    columns: Mutex<BTreeMap<String, Option<Columns>>>,
}

impl Known {
    /// What the report knows before asking: the tables of `absent` are not there (a build
    /// knows which tables its plan makes), so they are never looked up.
    pub(super) fn new(conn: &Connection, absent: &[&str]) -> Result<Known, ReportError> {
        let catalog: String = conn.query_row("SELECT current_database()", [], |r| r.get(0)).map_err(duck("naming the warehouse catalog"))?;
        let columns = absent.iter().map(|t| (t.to_lowercase(), None)).collect();
        Ok(Known { catalog, columns: Mutex::new(columns) })
    }
}

/// Queries the warehouse with the tolerance the report needs: missing tables are `None`.
pub(super) struct Db<'a> {
    pub(super) conn: &'a Connection,
    known: &'a Known,
}

impl<'a> Db<'a> {
    /// The report's view of `conn`. Tables are described when first asked about, not listed
    /// from `information_schema.columns` (a view over `duckdb_columns()`, whose scan of every
    /// catalogue made it the report's costliest query). A table that is not there costs one
    /// failed DuckDB lookup, which builds the system views to suggest a similar name (about 65 M
    /// instructions, 3.6 % of a build without clustering): tables known absent ([`Known::new`])
    /// are not looked up.
    pub(super) fn new(conn: &'a Connection, known: &'a Known) -> Db<'a> {
        Db { conn, known }
    }

    /// The columns `(name, type)` of a table or view of the main schema, or `None` when absent.
    pub(super) fn columns(&self, table: &str) -> Option<Columns> {
        let key = table.to_lowercase();
        if let Some(known) = self.known.columns.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return known.clone();
        }
        let found = self.describe(table).map(Arc::new);
        self.known.columns.lock().unwrap_or_else(|e| e.into_inner()).insert(key, found.clone());
        found
    }

    /// `DESCRIBE` of a table or view of the main schema; `None` when there is none by that name.
    fn describe(&self, table: &str) -> Option<Vec<(String, String)>> {
        let sql = format!("DESCRIBE {}.main.{}", crate::db::ident(&self.known.catalog), crate::db::ident(table));
        let described = self.conn.prepare(&sql).and_then(|mut stmt| {
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        });
        match described {
            Ok(cols) => Some(cols),
            Err(e) => {
                if !e.to_string().contains("Catalog Error") {
                    tracing::warn!("report: cannot describe {table}: {e}");
                }
                None
            }
        }
    }

    pub(super) fn has(&self, table: &str, cols: &[&str]) -> Result<bool, ReportError> {
        Ok(match self.columns(table) {
            None => false,
            Some(have) => cols.iter().all(|c| have.iter().any(|(n, _)| n.eq_ignore_ascii_case(c))),
        })
    }

    pub(super) fn count(&self, table: &str) -> Result<Option<u64>, ReportError> {
        if self.columns(table).is_none() {
            return Ok(None);
        }
        let n: i64 = self.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).map_err(duck(format!("counting {table}")))?;
        Ok(Some(n as u64))
    }

    pub(super) fn opt_i64(&self, sql: &str) -> Result<Option<i64>, ReportError> {
        Ok(self.conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).map_err(duck(sql.to_string()))?)
    }

    /// Rows of text cells (every column cast to VARCHAR by the caller's SQL).
    pub(super) fn strings(&self, sql: &str, n: usize) -> Result<Vec<Vec<Option<String>>>, ReportError> {
        let mut stmt = self.conn.prepare(sql).map_err(duck(sql.to_string()))?;
        let rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get::<_, Option<String>>(i)).collect::<Result<Vec<_>, _>>())
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(duck(sql.to_string()))?;
        Ok(rows)
    }

    /// Rows of float cells.
    pub(super) fn floats(&self, sql: &str, n: usize) -> Result<Vec<Vec<Option<f64>>>, ReportError> {
        let mut stmt = self.conn.prepare(sql).map_err(duck(sql.to_string()))?;
        let rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get::<_, Option<f64>>(i)).collect::<Result<Vec<_>, _>>())
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(duck(sql.to_string()))?;
        Ok(rows)
    }

    /// `cluster → name` from `clusters` (empty when the table is missing).
    pub(super) fn cluster_names(&self) -> Result<BTreeMap<i64, String>, ReportError> {
        let mut names = BTreeMap::new();
        if self.has("clusters", &["cluster", "name"])? {
            for row in self.strings("SELECT CAST(cluster AS VARCHAR), name FROM clusters ORDER BY cluster", 2)? {
                if let Some(c) = row[0].as_deref().and_then(|c| c.parse::<i64>().ok()) {
                    names.insert(c, row[1].clone().unwrap_or_default());
                }
            }
        }
        Ok(names)
    }
}

/// `3: Name`, or `cluster 3` when the cluster has no name.
pub(super) fn label_of(names: &BTreeMap<i64, String>, c: i64) -> String {
    match names.get(&c) {
        Some(n) if !n.is_empty() => format!("{c}: {n}"),
        _ => format!("cluster {c}"),
    }
}

