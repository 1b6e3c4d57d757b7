//! Values in transit between DuckDB and PostgreSQL, read from either side and checksummed.

use std::fmt::Write as _;

use duckdb::Connection;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgRow};

use super::PostgresError;
use super::columns::{Column, Kind, duck_of};
use crate::db::ident;

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

/// Every row of a warehouse table, read as the plan's kinds.
pub fn read_duck(conn: &Connection, table: &str, cols: &[Column]) -> Result<Vec<Vec<Cell>>, PostgresError> {
    let duck = duck_of(table);
    let select: Vec<String> = cols.iter().map(Column::select_expr).collect();
    let mut stmt = conn.prepare(&format!("SELECT {} FROM {}", select.join(", "), ident(table))).map_err(&duck)?;
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
        .map_err(&duck)?;
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
    let sql = format!("SELECT {} FROM {}.{}", select.join(", "), ident(schema), ident(&table.to_lowercase()));
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| cells_of_pg(r, cols)).collect()
}
