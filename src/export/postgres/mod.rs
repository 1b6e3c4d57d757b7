//! `selecta export postgres`: the warehouse's marts copied into a PostgreSQL schema.
//!
//! [`table_columns`] reads a DuckDB table's columns and maps each to a [`Column`]: the PostgreSQL
//! type, the DuckDB expression that reads it, and the [`Cell`] kind it travels as (booleans,
//! integers, floats and bytes are bound natively — so a DOUBLE arrives bit for bit as a
//! `double precision`; exotic types travel as text and are cast by PostgreSQL).
//! [`export`] writes every table in ONE transaction: fill a staging schema, verify each
//! table's row count and [`checksum`] by reading it back, drop the previous schema, rename the
//! staging one into place, commit. Readers see the old export or the new one, never a mix;
//! a failed export leaves the old one untouched.
//!
//! The connection URL's password is never logged nor put in an error: [`redact_url`] masks it
//! and [`PostgresError`] messages are scrubbed of it.
//!
//! [`columns`] maps the types, [`cells`] carries and checksums the values, [`url`] redacts.

mod cells;
mod columns;
mod url;

use std::fmt::Write as _;
use std::str::FromStr;

use duckdb::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection as _, Postgres, QueryBuilder};

pub use cells::{Cell, checksum, read_duck, read_pg};
pub use columns::{Column, Kind, map_type, table_columns};
pub use url::redact_url;
use crate::db::ident;
use url::password_of;

/// The tables exported by default, when they exist (the others are skipped and said so).
pub const DEFAULT_TABLES: [&str; 8] =
    ["tracks_features", "track_clusters", "clusters", "cluster_centroids", "cluster_elbow", "cluster_playlists", "cluster_runs", "track_matches"];

/// Errors of the PostgreSQL export. No variant carries the connection's password.
#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    #[error("no PostgreSQL URL: pass --url postgres://… or set DATABASE_URL")]
    NoUrl,
    #[error("PostgreSQL URL {url} is not valid: {message}")]
    BadUrl { url: String, message: String },
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("PostgreSQL {url}: {context}: {message}")]
    Sql { url: String, context: String, message: String },
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("schema name `{schema}` must match [a-z_][a-z0-9_]{{0,49}}")]
    BadSchema { schema: String },
    #[error("none of the tables to export exist in the warehouse ({tables})")]
    NothingToExport { tables: String },
    #[error("{table}: read back {got_rows} rows with checksum {got}, wrote {rows} rows with checksum {want}; the export was rolled back")]
    Mismatch { table: String, rows: u64, want: String, got_rows: u64, got: String },
    #[error("text in {table}.{column} holds a NUL character, which PostgreSQL text cannot store")]
    NulInText { table: String, column: String },
}

/// What was exported of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableExport {
    pub table: String,
    pub rows: u64,
    /// [`checksum`] of the rows, equal on both sides.
    pub checksum: String,
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub schema: String,
    pub tables: Vec<TableExport>,
    /// Requested tables the warehouse does not have.
    pub skipped: Vec<String>,
}

/// Checks a schema name: lower-case letters, digits and `_`, not starting with a digit.
pub fn check_schema(schema: &str) -> Result<(), PostgresError> {
    let ok = !schema.is_empty()
        && schema.len() <= 50
        && schema.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !schema.starts_with(|c: char| c.is_ascii_digit());
    if ok { Ok(()) } else { Err(PostgresError::BadSchema { schema: schema.into() }) }
}

/// Bind parameters per INSERT statement (PostgreSQL allows 65 535).
const MAX_BINDS: usize = 30_000;

/// Exports `tables` (those that exist) from the warehouse `duck` into `schema` at `url`, in one
/// transaction replacing the previous export.
pub async fn export(duck: &Connection, url: &str, schema: &str, tables: &[String]) -> Result<ExportSummary, PostgresError> {
    check_schema(schema)?;
    let shown = redact_url(url);
    let secret = password_of(url);
    let scrub = |e: &dyn std::fmt::Display| {
        let m = e.to_string();
        match &secret {
            Some(pw) => m.replace(pw.as_str(), "***"),
            None => m,
        }
    };
    let opts = PgConnectOptions::from_str(url).map_err(|e| PostgresError::BadUrl { url: shown.clone(), message: scrub(&e) })?;
    // Read the warehouse first: nothing is sent when a table cannot be read.
    let mut data = Vec::new();
    let mut skipped = Vec::new();
    for t in tables {
        match table_columns(duck, t)? {
            Some(cols) => {
                let rows = read_duck(duck, t, &cols)?;
                for (ci, c) in cols.iter().enumerate() {
                    if c.kind == Kind::Text && rows.iter().any(|r| matches!(&r[ci], Cell::Text(Some(s)) if s.contains('\0'))) {
                        return Err(PostgresError::NulInText { table: t.clone(), column: c.name.clone() });
                    }
                }
                data.push((t.to_lowercase(), cols, rows));
            }
            None => skipped.push(t.clone()),
        }
    }
    if data.is_empty() {
        return Err(PostgresError::NothingToExport { tables: tables.join(", ") });
    }
    let sql_err = |context: &str| {
        let context = context.to_string();
        let shown = shown.clone();
        let secret = secret.clone();
        move |e: sqlx::Error| {
            let m = e.to_string();
            let message = match &secret {
                Some(pw) => m.replace(pw.as_str(), "***"),
                None => m,
            };
            PostgresError::Sql { url: shown, context, message }
        }
    };
    let mut conn = PgConnection::connect_with(&opts).await.map_err(|e| PostgresError::Connect { url: shown.clone(), message: scrub(&e) })?;
    tracing::info!(url = %shown, schema, "exporting {} tables to PostgreSQL", data.len());
    let staging = format!("{schema}__staging");
    let mut tx = conn.begin().await.map_err(sql_err("BEGIN"))?;
    // One export per schema at a time: a second waits here until the first commits.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(schema).execute(&mut *tx).await.map_err(sql_err("taking the export lock"))?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", ident(&staging))).execute(&mut *tx).await.map_err(sql_err("dropping an old staging schema"))?;
    sqlx::query(&format!("CREATE SCHEMA {}", ident(&staging))).execute(&mut *tx).await.map_err(sql_err("creating the staging schema"))?;
    let mut summary = Vec::new();
    for (table, cols, rows) in &data {
        let target = format!("{}.{}", ident(&staging), ident(table));
        let defs: Vec<String> = cols.iter().map(|c| format!("{} {}", ident(&c.pg_name), c.pg_type)).collect();
        sqlx::query(&format!("CREATE TABLE {target} ({})", defs.join(", ")))
            .execute(&mut *tx)
            .await
            .map_err(sql_err(&format!("creating {table}")))?;
        let names: Vec<String> = cols.iter().map(|c| ident(&c.pg_name)).collect();
        let per_batch = (MAX_BINDS / cols.len().max(1)).clamp(1, 2000);
        for chunk in rows.chunks(per_batch) {
            let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(format!("INSERT INTO {target} ({}) ", names.join(", ")));
            qb.push_values(chunk, |mut b, row| {
                for (cell, col) in row.iter().zip(cols.iter()) {
                    match cell {
                        Cell::Bool(v) => b.push_bind(*v),
                        Cell::I16(v) => b.push_bind(*v),
                        Cell::I32(v) => b.push_bind(*v),
                        Cell::I64(v) => b.push_bind(*v),
                        Cell::F32(v) => b.push_bind(*v),
                        Cell::F64(v) => b.push_bind(*v),
                        Cell::Text(v) => b.push_bind(v.clone()),
                        Cell::Bytes(v) => b.push_bind(v.clone()),
                    };
                    if col.kind == Kind::Text && col.pg_type != "text" {
                        b.push_unseparated(format!("::{}", col.pg_type));
                    }
                }
            });
            qb.build().execute(&mut *tx).await.map_err(sql_err(&format!("inserting into {table}")))?;
        }
        // Verify: what PostgreSQL holds now is what the warehouse has.
        let want = checksum(rows);
        let back = read_pg(&mut *tx, &staging, table, cols).await.map_err(sql_err(&format!("reading {table} back")))?;
        let got = checksum(&back);
        if got != want || back.len() != rows.len() {
            return Err(PostgresError::Mismatch { table: table.clone(), rows: rows.len() as u64, want, got_rows: back.len() as u64, got });
        }
        tracing::debug!(table, rows = rows.len(), "exported and verified");
        summary.push(TableExport { table: table.clone(), rows: rows.len() as u64, checksum: want });
    }
    let mut manifest = String::from("CREATE TABLE ");
    let _ = write!(manifest, "{}.\"_selecta_export\" (table_name text PRIMARY KEY, row_count bigint NOT NULL, checksum text NOT NULL, exported_at timestamptz NOT NULL DEFAULT now())", ident(&staging));
    sqlx::query(&manifest).execute(&mut *tx).await.map_err(sql_err("creating _selecta_export"))?;
    for t in &summary {
        sqlx::query(&format!("INSERT INTO {}.\"_selecta_export\" (table_name, row_count, checksum) VALUES ($1, $2, $3)", ident(&staging)))
            .bind(&t.table)
            .bind(t.rows as i64)
            .bind(&t.checksum)
            .execute(&mut *tx)
            .await
            .map_err(sql_err("filling _selecta_export"))?;
    }
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", ident(schema))).execute(&mut *tx).await.map_err(sql_err("dropping the previous export"))?;
    sqlx::query(&format!("ALTER SCHEMA {} RENAME TO {}", ident(&staging), ident(schema)))
        .execute(&mut *tx)
        .await
        .map_err(sql_err("renaming the staging schema"))?;
    tx.commit().await.map_err(sql_err("COMMIT"))?;
    let _ = conn.close().await;
    Ok(ExportSummary { schema: schema.to_string(), tables: summary, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PostgreSQL URL's password (userinfo or query) is masked and still extractable for the connection.
    #[test]
    fn passwords_are_masked_in_urls() {
        assert_eq!(redact_url("postgres://me:s3cr%40t@db.example:5432/x?sslmode=require"), "postgres://me:***@db.example:5432/x?sslmode=require");
        assert_eq!(redact_url("postgres://me@host/x"), "postgres://me@host/x");
        assert_eq!(redact_url("postgresql://host/x?user=me&password=hunter2"), "postgresql://host/x?user=me&password=***");
        assert_eq!(redact_url("postgres://u:p@h/db"), "postgres://u:***@h/db");
        assert_eq!(password_of("postgres://u:p4ss@h/db").as_deref(), Some("p4ss"));
    }

    /// DuckDB column types map to PostgreSQL types; those without an exact one travel as text.
    #[test]
    fn duckdb_types_map_to_postgres_types() {
        assert_eq!(map_type("DOUBLE"), ("double precision".into(), Kind::F64));
        assert_eq!(map_type("VARCHAR"), ("text".into(), Kind::Text));
        assert_eq!(map_type("BIGINT"), ("bigint".into(), Kind::I64));
        assert_eq!(map_type("DECIMAL(18,3)"), ("numeric(18,3)".into(), Kind::Text));
        assert_eq!(map_type("UBIGINT"), ("numeric".into(), Kind::Text));
        assert_eq!(map_type("INTEGER[]"), ("text".into(), Kind::Text));
        assert_eq!(map_type("TIMESTAMP WITH TIME ZONE"), ("timestamptz".into(), Kind::Text));
    }

    /// The export checksum ignores row order but tells −0.0 from 0.0, '' from NULL and "\N" from NULL.
    #[test]
    fn checksums_ignore_row_order_but_see_float_bits_and_nulls() {
        let a = vec![vec![Cell::F64(Some(0.1)), Cell::Text(Some("é".into()))], vec![Cell::F64(None), Cell::Text(None)]];
        let b = vec![a[1].clone(), a[0].clone()];
        assert_eq!(checksum(&a), checksum(&b));
        let d = vec![vec![Cell::F64(Some(-0.0)), Cell::Text(Some("é".into()))], a[1].clone()];
        let e = vec![vec![Cell::F64(Some(0.0)), Cell::Text(Some("é".into()))], a[1].clone()];
        assert_ne!(checksum(&d), checksum(&e));
        let empty_vs_null = (checksum(&[vec![Cell::Text(Some(String::new()))]]), checksum(&[vec![Cell::Text(None)]]));
        assert_ne!(empty_vs_null.0, empty_vs_null.1);
        // A literal backslash-N is not NULL.
        assert_ne!(checksum(&[vec![Cell::Text(Some("\\N".into()))]]), checksum(&[vec![Cell::Text(None)]]));
    }

    /// Only lowercase identifiers are accepted as schema names.
    #[test]
    fn schema_names_are_checked() {
        assert!(check_schema("selecta").is_ok());
        assert!(check_schema("sel_2").is_ok());
        assert!(check_schema("Sel").is_err());
        assert!(check_schema("a;drop").is_err());
        assert!(check_schema("1a").is_err());
    }
}

