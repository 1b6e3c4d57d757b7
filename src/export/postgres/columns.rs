//! A DuckDB table's columns mapped to PostgreSQL types and to the kind of value they travel as.

use duckdb::Connection;

use super::PostgresError;
use crate::db::ident;

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
    pub(super) fn select_expr(&self) -> String {
        let q = ident(&self.name);
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
    pub(super) fn pg_select_expr(&self) -> String {
        let q = ident(&self.pg_name);
        if self.kind == Kind::Text && self.pg_type != "text" { format!("{q}::text") } else { q }
    }
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

/// The columns of a warehouse table mapped for PostgreSQL, or `None` when the table is absent.
pub fn table_columns(conn: &Connection, table: &str) -> Result<Option<Vec<Column>>, PostgresError> {
    let duck = duck_of(table);
    let mut stmt = conn
        .prepare(
            "SELECT column_name, data_type FROM information_schema.columns \
             WHERE table_catalog = current_database() AND table_schema = 'main' AND lower(table_name) = lower(?) ORDER BY ordinal_position",
        )
        .map_err(&duck)?;
    let cols: Vec<(String, String)> =
        stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?))).and_then(|r| r.collect::<Result<Vec<_>, _>>()).map_err(&duck)?;
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

/// A DuckDB error reading `table`.
pub(super) fn duck_of(table: &str) -> impl Fn(duckdb::Error) -> super::PostgresError + '_ {
    move |source| crate::db::DbError::Duck { context: format!("reading {table} from the warehouse"), source }.into()
}
