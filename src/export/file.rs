//! One warehouse table to a file: CSV with a header row, or Parquet (`selecta export TABLE`).

use std::path::Path;

use duckdb::Connection;
use serde::Deserialize;

use crate::db::{DbError, duck, ident, path_literal, table_names};

/// File formats of `selecta export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Parquet,
}

/// Writes a whole table to `out` (CSV with a header row, or Parquet); returns its row count.
/// The table name is matched case-insensitively against the warehouse's tables and views.
pub fn export_table(conn: &Connection, table: &str, format: FileFormat, out: &Path) -> Result<u64, DbError> {
    let tables = table_names(conn)?;
    let Some(name) = tables.iter().find(|t| t.eq_ignore_ascii_case(table)) else {
        return Err(DbError::UnknownTable { table: table.into(), available: tables.join(", ") });
    };
    crate::db::create_parent(out)?;
    let options = match format {
        FileFormat::Csv => "FORMAT csv, HEADER true",
        FileFormat::Parquet => "FORMAT parquet",
    };
    let ident = ident(name);
    conn.execute_batch(&format!("COPY (SELECT * FROM {ident}) TO {} ({options})", path_literal(out)))
        .map_err(duck(format!("exporting {name} to {}", out.display())))?;
    let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {ident}"), [], |r| r.get(0)).map_err(duck("counting rows"))?;
    Ok(rows as u64)
}
