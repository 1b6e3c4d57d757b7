//! `selecta export postgres`: the warehouse's marts copied into a PostgreSQL schema.
//!
//! [`plan_table`] reads a DuckDB table's columns and maps each to a [`Column`]: the PostgreSQL
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

use std::fmt::Write as _;
use std::str::FromStr;

use duckdb::Connection;
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgRow};
use sqlx::{Connection as _, Postgres, QueryBuilder, Row};

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
    #[error("reading {table} from the warehouse: {source}")]
    Duck { table: String, source: duckdb::Error },
    #[error("schema name `{schema}` must match [a-z_][a-z0-9_]{{0,49}}")]
    BadSchema { schema: String },
    #[error("none of the tables to export exist in the warehouse ({tables})")]
    NothingToExport { tables: String },
    #[error("{table}: read back {got_rows} rows with checksum {got}, wrote {rows} rows with checksum {want}; the export was rolled back")]
    Mismatch { table: String, rows: u64, want: String, got_rows: u64, got: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("text in {table}.{column} holds a NUL character, which PostgreSQL text cannot store")]
    NulInText { table: String, column: String },
}

/// The URL with its password (in the user-info or a `password=` parameter) replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..].find(['/', '?']).map(|i| rest_start + i).unwrap_or(out.len());
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest_start + colon + 1..rest_start + at, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let parts: Vec<String> = query
            .split('&')
            .map(|kv| if kv.to_ascii_lowercase().starts_with("password=") { "password=***".to_string() } else { kv.to_string() })
            .collect();
        out = format!("{base}{}", parts.join("&"));
    }
    out
}

/// The password of a URL, to scrub it from messages that might echo it.
fn password_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    let pw = userinfo.split_once(':')?.1;
    (!pw.is_empty()).then(|| pw.to_string())
}

/// How a value travels from DuckDB to PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    I16,
    I32,
    I64,
    F32,
    F64,
    /// Text, cast by PostgreSQL to the column's type when it is not `text`.
    Text,
    Bytes,
}

/// One exported column.
#[derive(Debug, Clone)]
pub struct Column {
    /// The DuckDB name (case kept).
    pub name: String,
    /// The PostgreSQL name: lower-cased, so no quoting is needed to query it.
    pub pg_name: String,
    pub duck_type: String,
    pub pg_type: String,
    pub kind: Kind,
}

impl Column {
    /// The DuckDB expression reading this column as its [`Kind`].
    fn select_expr(&self) -> String {
        let q = quote(&self.name);
        match self.kind {
            Kind::Bool => format!("CAST({q} AS BOOLEAN)"),
            Kind::I16 => format!("CAST({q} AS SMALLINT)"),
            Kind::I32 => format!("CAST({q} AS INTEGER)"),
            Kind::I64 => format!("CAST({q} AS BIGINT)"),
            Kind::F32 => format!("CAST({q} AS FLOAT)"),
            Kind::F64 => format!("CAST({q} AS DOUBLE)"),
            Kind::Text => format!("CAST({q} AS VARCHAR)"),
            Kind::Bytes => format!("CAST({q} AS BLOB)"),
        }
    }

    /// The PostgreSQL expression reading this column back as its [`Kind`].
    fn pg_select_expr(&self) -> String {
        let q = quote(&self.pg_name);
        if self.kind == Kind::Text && self.pg_type != "text" { format!("{q}::text") } else { q }
    }
}

/// `"name"` with inner quotes doubled.
fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// The PostgreSQL type and transport kind of a DuckDB type (as `information_schema` spells it).
pub fn map_type(duck_type: &str) -> (String, Kind) {
    let t = duck_type.trim().to_ascii_uppercase();
    let simple = |pg: &str, k: Kind| (pg.to_string(), k);
    match t.as_str() {
        "BOOLEAN" => simple("boolean", Kind::Bool),
        "TINYINT" | "SMALLINT" | "UTINYINT" => simple("smallint", Kind::I16),
        "INTEGER" | "USMALLINT" => simple("integer", Kind::I32),
        "BIGINT" | "UINTEGER" => simple("bigint", Kind::I64),
        "HUGEINT" | "UBIGINT" | "UHUGEINT" => simple("numeric", Kind::Text),
        "FLOAT" | "REAL" => simple("real", Kind::F32),
        "DOUBLE" => simple("double precision", Kind::F64),
        "VARCHAR" => simple("text", Kind::Text),
        "BLOB" => simple("bytea", Kind::Bytes),
        "DATE" => simple("date", Kind::Text),
        "TIME" => simple("time", Kind::Text),
        "TIMESTAMP" | "TIMESTAMP_S" | "TIMESTAMP_MS" | "TIMESTAMP_NS" | "DATETIME" => simple("timestamp", Kind::Text),
        "TIMESTAMP WITH TIME ZONE" | "TIMESTAMPTZ" => simple("timestamptz", Kind::Text),
        "UUID" => simple("uuid", Kind::Text),
        "INTERVAL" => simple("interval", Kind::Text),
        _ if t.starts_with("DECIMAL") || t.starts_with("NUMERIC") => {
            let args = t.find('(').map(|i| t[i..].to_string()).unwrap_or_default();
            (format!("numeric{}", args.to_ascii_lowercase()), Kind::Text)
        }
        // Lists, structs, maps, enums, JSON: their DuckDB text form.
        _ => simple("text", Kind::Text),
    }
}

/// One value in transit.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Bool(Option<bool>),
    I16(Option<i16>),
    I32(Option<i32>),
    I64(Option<i64>),
    F32(Option<f32>),
    F64(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Cell {
    /// The canonical text of a value for checksums: floats by their bits, text escaped.
    fn canonical(&self, out: &mut String) {
        fn opt<T>(out: &mut String, v: &Option<T>, f: impl FnOnce(&mut String, &T)) {
            match v {
                None => out.push_str("\\N"),
                Some(v) => f(out, v),
            }
        }
        match self {
            Cell::Bool(v) => opt(out, v, |o, b| o.push(if *b { 't' } else { 'f' })),
            Cell::I16(v) => opt(out, v, |o, x| {
                let _ = write!(o, "{x}");
            }),
            Cell::I32(v) => opt(out, v, |o, x| {
                let _ = write!(o, "{x}");
            }),
            Cell::I64(v) => opt(out, v, |o, x| {
                let _ = write!(o, "{x}");
            }),
            Cell::F32(v) => opt(out, v, |o, x| {
                let _ = write!(o, "f{:08x}", x.to_bits());
            }),
            Cell::F64(v) => opt(out, v, |o, x| {
                let _ = write!(o, "d{:016x}", x.to_bits());
            }),
            Cell::Text(v) => opt(out, v, |o, s| {
                for c in s.chars() {
                    match c {
                        '\\' => o.push_str("\\\\"),
                        '\t' => o.push_str("\\t"),
                        '\n' => o.push_str("\\n"),
                        c => o.push(c),
                    }
                }
            }),
            Cell::Bytes(v) => opt(out, v, |o, b| {
                o.push_str("\\x");
                for byte in b {
                    let _ = write!(o, "{byte:02x}");
                }
            }),
        }
    }
}

/// The order-independent checksum of rows: SHA-256 over the sorted canonical rows, as hex.
pub fn checksum(rows: &[Vec<Cell>]) -> String {
    let mut lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let mut s = String::new();
            for (i, c) in r.iter().enumerate() {
                if i > 0 {
                    s.push('\t');
                }
                c.canonical(&mut s);
            }
            s
        })
        .collect();
    lines.sort_unstable();
    let mut h = Sha256::new();
    for l in &lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The columns of a warehouse table mapped for PostgreSQL, or `None` when the table is absent.
pub fn plan_table(conn: &Connection, table: &str) -> Result<Option<Vec<Column>>, PostgresError> {
    let duck = |source| PostgresError::Duck { table: table.to_string(), source };
    let mut stmt = conn
        .prepare(
            "SELECT column_name, data_type FROM information_schema.columns \
             WHERE table_catalog = current_database() AND table_schema = 'main' AND lower(table_name) = lower(?) ORDER BY ordinal_position",
        )
        .map_err(duck)?;
    let cols: Vec<(String, String)> =
        stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?))).and_then(|r| r.collect::<Result<Vec<_>, _>>()).map_err(duck)?;
    if cols.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        cols.into_iter()
            .map(|(name, duck_type)| {
                let (pg_type, kind) = map_type(&duck_type);
                Column { pg_name: name.to_lowercase(), name, duck_type, pg_type, kind }
            })
            .collect(),
    ))
}

/// Every row of a warehouse table, read as the plan's kinds.
pub fn read_duck(conn: &Connection, table: &str, cols: &[Column]) -> Result<Vec<Vec<Cell>>, PostgresError> {
    let duck = |source| PostgresError::Duck { table: table.to_string(), source };
    let select: Vec<String> = cols.iter().map(Column::select_expr).collect();
    let mut stmt = conn.prepare(&format!("SELECT {} FROM {}", select.join(", "), quote(table))).map_err(duck)?;
    let rows = stmt
        .query_map([], |r| {
            cols.iter()
                .enumerate()
                .map(|(i, c)| {
                    Ok(match c.kind {
                        Kind::Bool => Cell::Bool(r.get(i)?),
                        Kind::I16 => Cell::I16(r.get(i)?),
                        Kind::I32 => Cell::I32(r.get(i)?),
                        Kind::I64 => Cell::I64(r.get(i)?),
                        Kind::F32 => Cell::F32(r.get(i)?),
                        Kind::F64 => Cell::F64(r.get(i)?),
                        Kind::Text => Cell::Text(r.get(i)?),
                        Kind::Bytes => Cell::Bytes(r.get(i)?),
                    })
                })
                .collect::<Result<Vec<_>, duckdb::Error>>()
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(duck)?;
    Ok(rows)
}

fn cells_of_pg(row: &PgRow, cols: &[Column]) -> Result<Vec<Cell>, sqlx::Error> {
    cols.iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(match c.kind {
                Kind::Bool => Cell::Bool(row.try_get(i)?),
                Kind::I16 => Cell::I16(row.try_get(i)?),
                Kind::I32 => Cell::I32(row.try_get(i)?),
                Kind::I64 => Cell::I64(row.try_get(i)?),
                Kind::F32 => Cell::F32(row.try_get(i)?),
                Kind::F64 => Cell::F64(row.try_get(i)?),
                Kind::Text => Cell::Text(row.try_get(i)?),
                Kind::Bytes => Cell::Bytes(row.try_get(i)?),
            })
        })
        .collect()
}

/// Every row of `schema.table` in PostgreSQL, read as the plan's kinds.
pub async fn read_pg(conn: &mut PgConnection, schema: &str, table: &str, cols: &[Column]) -> Result<Vec<Vec<Cell>>, sqlx::Error> {
    let select: Vec<String> = cols.iter().map(Column::pg_select_expr).collect();
    let sql = format!("SELECT {} FROM {}.{}", select.join(", "), quote(schema), quote(&table.to_lowercase()));
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| cells_of_pg(r, cols)).collect()
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
        match plan_table(duck, t)? {
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
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", quote(&staging))).execute(&mut *tx).await.map_err(sql_err("dropping an old staging schema"))?;
    sqlx::query(&format!("CREATE SCHEMA {}", quote(&staging))).execute(&mut *tx).await.map_err(sql_err("creating the staging schema"))?;
    let mut summary = Vec::new();
    for (table, cols, rows) in &data {
        let target = format!("{}.{}", quote(&staging), quote(table));
        let defs: Vec<String> = cols.iter().map(|c| format!("{} {}", quote(&c.pg_name), c.pg_type)).collect();
        sqlx::query(&format!("CREATE TABLE {target} ({})", defs.join(", ")))
            .execute(&mut *tx)
            .await
            .map_err(sql_err(&format!("creating {table}")))?;
        let names: Vec<String> = cols.iter().map(|c| quote(&c.pg_name)).collect();
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
    let _ = write!(manifest, "{}.\"_selecta_export\" (table_name text PRIMARY KEY, row_count bigint NOT NULL, checksum text NOT NULL, exported_at timestamptz NOT NULL DEFAULT now())", quote(&staging));
    sqlx::query(&manifest).execute(&mut *tx).await.map_err(sql_err("creating _selecta_export"))?;
    for t in &summary {
        sqlx::query(&format!("INSERT INTO {}.\"_selecta_export\" (table_name, row_count, checksum) VALUES ($1, $2, $3)", quote(&staging)))
            .bind(&t.table)
            .bind(t.rows as i64)
            .bind(&t.checksum)
            .execute(&mut *tx)
            .await
            .map_err(sql_err("filling _selecta_export"))?;
    }
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", quote(schema))).execute(&mut *tx).await.map_err(sql_err("dropping the previous export"))?;
    sqlx::query(&format!("ALTER SCHEMA {} RENAME TO {}", quote(&staging), quote(schema)))
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
