//! Query results as text: an aligned table, CSV with a header row, or JSON (an array of
//! objects). Used by `selecta sql`; one place decides how a DuckDB value becomes text.

use std::io::Write;

use duckdb::types::{TimeUnit, Value};

use crate::fmt::{civil_date, time_of_day as clock};

/// How `selecta sql` prints a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people (long cells cut at 60 characters).
    Table,
    /// CSV with a header row (RFC 4180 quoting), for other tools.
    Csv,
    /// A JSON array of objects, one per row; numbers stay numbers, NULL is null.
    Json,
}

/// A result held in memory: column names and rows of values.
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Runs `sql` and collects its result.
pub fn query(conn: &duckdb::Connection, sql: &str) -> duckdb::Result<QueryResult> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let n = row.as_ref().column_count();
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(row.get::<_, Value>(i)?);
        }
        out.push(values);
    }
    drop(rows);
    let columns = stmt.column_names();
    Ok(QueryResult { columns, rows: out })
}

/// Text of a value; `None` for NULL.
pub fn value_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => return None,
        Value::Boolean(b) => b.to_string(),
        Value::TinyInt(x) => x.to_string(),
        Value::SmallInt(x) => x.to_string(),
        Value::Int(x) => x.to_string(),
        Value::BigInt(x) => x.to_string(),
        Value::HugeInt(x) => x.to_string(),
        Value::UTinyInt(x) => x.to_string(),
        Value::USmallInt(x) => x.to_string(),
        Value::UInt(x) => x.to_string(),
        Value::UBigInt(x) => x.to_string(),
        Value::UHugeInt(x) => x.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Double(x) => x.to_string(),
        Value::Decimal(d) => d.to_string(),
        Value::Text(s) | Value::Enum(s) => s.clone(),
        Value::Date32(days) => civil_date(*days as i64),
        Value::Timestamp(unit, t) => {
            let micros = to_micros(*unit, *t);
            let (days, rem) = (micros.div_euclid(86_400_000_000), micros.rem_euclid(86_400_000_000));
            format!("{} {}", civil_date(days), clock(rem))
        }
        Value::Time64(unit, t) => clock(to_micros(*unit, *t)),
        Value::List(items) | Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| value_text(i).unwrap_or_else(|| "NULL".into())).collect();
            format!("[{}]", parts.join(", "))
        }
        other => format!("{other:?}"),
    })
}

fn to_micros(unit: TimeUnit, t: i64) -> i64 {
    match unit {
        TimeUnit::Second => t * 1_000_000,
        TimeUnit::Millisecond => t * 1_000,
        TimeUnit::Microsecond => t,
        TimeUnit::Nanosecond => t / 1_000,
    }
}

fn json_value(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::TinyInt(x) => J::from(*x),
        Value::SmallInt(x) => J::from(*x),
        Value::Int(x) => J::from(*x),
        Value::BigInt(x) => J::from(*x),
        Value::UTinyInt(x) => J::from(*x),
        Value::USmallInt(x) => J::from(*x),
        Value::UInt(x) => J::from(*x),
        Value::UBigInt(x) => J::from(*x),
        Value::Float(x) => serde_json::Number::from_f64(*x as f64).map(J::Number).unwrap_or(J::Null),
        Value::Double(x) => serde_json::Number::from_f64(*x).map(J::Number).unwrap_or(J::Null),
        Value::List(items) | Value::Array(items) => J::Array(items.iter().map(json_value).collect()),
        other => value_text(other).map(J::String).unwrap_or(J::Null),
    }
}

/// Writes `result` in `format`.
pub fn write_result(out: &mut dyn Write, result: &QueryResult, format: OutputFormat) -> std::io::Result<()> {
    match format {
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&result.columns)?;
            for row in &result.rows {
                w.write_record(row.iter().map(|v| value_text(v).unwrap_or_default()))?;
            }
            w.flush()?;
        }
        OutputFormat::Json => {
            let rows: Vec<serde_json::Value> = result
                .rows
                .iter()
                .map(|row| {
                    let obj = result.columns.iter().cloned().zip(row.iter().map(json_value)).collect::<serde_json::Map<_, _>>();
                    serde_json::Value::Object(obj)
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
        OutputFormat::Table => write_table(out, result)?,
    }
    Ok(())
}

const MAX_CELL: usize = 60;

fn write_table(out: &mut dyn Write, result: &QueryResult) -> std::io::Result<()> {
    let cell = |v: &Value| {
        let s = value_text(v).unwrap_or_else(|| "NULL".into()).replace('\n', "\\n");
        if s.chars().count() > MAX_CELL { format!("{}…", s.chars().take(MAX_CELL - 1).collect::<String>()) } else { s }
    };
    let cells: Vec<Vec<String>> = result.rows.iter().map(|r| r.iter().map(cell).collect()).collect();
    let mut widths: Vec<usize> = result.columns.iter().map(|c| c.chars().count()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric: Vec<bool> = (0..result.columns.len())
        .map(|i| result.rows.iter().all(|r| matches!(r[i], Value::Null | Value::TinyInt(_) | Value::SmallInt(_) | Value::Int(_) | Value::BigInt(_) | Value::HugeInt(_) | Value::UTinyInt(_) | Value::USmallInt(_) | Value::UInt(_) | Value::UBigInt(_) | Value::Float(_) | Value::Double(_) | Value::Decimal(_))))
        .collect();
    let line = |out: &mut dyn Write, row: &[String]| -> std::io::Result<()> {
        let parts: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i] - c.chars().count();
                if numeric[i] { format!("{}{c}", " ".repeat(pad)) } else { format!("{c}{}", " ".repeat(pad)) }
            })
            .collect();
        writeln!(out, "{}", parts.join(" │ ").trim_end())
    };
    line(out, &result.columns)?;
    writeln!(out, "{}", widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("─┼─"))?;
    for row in &cells {
        line(out, row)?;
    }
    writeln!(out, "({} row{})", cells.len(), if cells.len() == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Days since the epoch print as the right calendar dates on both sides of 1970.
    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_785), "2026-11-28");
        assert_eq!(civil_date(-1), "1969-12-31");
        assert_eq!(value_text(&Value::Timestamp(TimeUnit::Second, 86_399)).unwrap(), "1970-01-01 23:59:59");
    }

    /// CSV quotes what needs quoting and leaves NULL empty; JSON keeps numbers as numbers and NULL as null.
    #[test]
    fn csv_and_json_keep_nulls_and_numbers() {
        let r = QueryResult {
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec![Value::Int(1), Value::Text("x, \"y\"".into())], vec![Value::Double(0.5), Value::Null]],
        };
        let mut csv_out = Vec::new();
        write_result(&mut csv_out, &r, OutputFormat::Csv).unwrap();
        assert_eq!(String::from_utf8(csv_out).unwrap(), "a,b\n1,\"x, \"\"y\"\"\"\n0.5,\n");
        let mut json_out = Vec::new();
        write_result(&mut json_out, &r, OutputFormat::Json).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json_out).unwrap();
        assert_eq!(v[0]["a"], 1);
        assert_eq!(v[1]["b"], serde_json::Value::Null);
    }
}
