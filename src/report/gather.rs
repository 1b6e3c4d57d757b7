//! Reading the warehouse for the report, with the tolerance it needs: a missing table is `None`,
//! so a partial warehouse still gives a report.

use std::collections::BTreeMap;

use duckdb::Connection;

use super::ReportError;
use crate::db::duck;

/// Queries the warehouse with the tolerance the report needs: missing tables are `None`.
pub(super) struct Db<'a> {
    pub(super) conn: &'a Connection,
    /// Every table and view of the main schema (lower-case name) → its columns `(name, type)`,
    /// read once: the sections ask for them often.
    columns: BTreeMap<String, Vec<(String, String)>>,
}

impl<'a> Db<'a> {
    /// Reads the catalogue of `conn`'s main schema.
    pub(super) fn new(conn: &'a Connection) -> Result<Db<'a>, ReportError> {
        let mut stmt = conn
            .prepare(
                "SELECT lower(table_name), column_name, data_type FROM information_schema.columns \
                 WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY table_name, ordinal_position",
            )
            .map_err(duck("listing columns"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(duck("listing columns"))?;
        let mut columns: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (table, name, ty) in rows {
            columns.entry(table).or_default().push((name, ty));
        }
        Ok(Db { conn, columns })
    }

    /// The columns `(name, type)` of a table or view of the main schema, or `None` when absent.
    pub(super) fn columns(&self, table: &str) -> Option<&[(String, String)]> {
        self.columns.get(&table.to_lowercase()).map(Vec::as_slice)
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

