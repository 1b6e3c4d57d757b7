//! `selecta sql QUERY`: one read statement on the warehouse, opened read-only.
//!
//! Read-only for real, in two layers. First the text: exactly one statement, and it must read —
//! `SELECT`, `WITH`, `FROM`, `VALUES`, `TABLE`, `DESCRIBE`, `SHOW`, `SUMMARIZE`, `EXPLAIN` (not
//! `EXPLAIN ANALYZE` of anything else) or a read-only `PRAGMA`; anything else (`COPY`, `EXPORT`,
//! `ATTACH`, `INSTALL`, `LOAD`, `SET`, every write) is refused with exit code 2 before DuckDB
//! sees it. Then DuckDB itself: the warehouse is opened read-only, and before the user's text
//! runs, `enable_external_access = false` (no file, extension or network is reached:
//! `read_csv`, `COPY`, `ATTACH` all fail) and `lock_configuration = true` (no `SET` undoes it).
//! What DuckDB refuses on those grounds exits 2 as well.

use std::io::Write;
use std::process::ExitCode;

use super::output::table::{self, OutputFormat};
use crate::config::Config;

/// The exit code of a refused statement.
const REFUSED: u8 = 2;

/// `selecta sql QUERY`
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// One read statement (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, read-only PRAGMA).
    pub query: String,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

pub fn run(config: &Config, args: &SqlArgs) -> anyhow::Result<ExitCode> {
    if let Err(why) = check_read_only(&args.query) {
        super::output::problem(&format!("refused: {why}. `selecta sql` only reads the warehouse (write files with `selecta export`)"));
        return Ok(ExitCode::from(REFUSED));
    }
    let conn = crate::db::open_read_only(&config.warehouse, &config.state)?;
    conn.execute_batch("SET enable_external_access = false; SET lock_configuration = true;")
        .map_err(crate::db::duck("locking the query session (no external access, configuration locked)"))?;
    let result = match table::query(&conn, &args.query) {
        Ok(r) => r,
        Err(e) if refused_by_duckdb(&e) => {
            super::output::problem(&format!("refused: {e}. `selecta sql` only reads the warehouse, without files or extensions"));
            return Ok(ExitCode::from(REFUSED));
        }
        Err(e) => return Err(crate::db::duck("running the query")(e).into()),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    table::write_result(&mut out, &result, args.format)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// DuckDB's own refusals: a write on the read-only file, external access, the locked configuration.
fn refused_by_duckdb(e: &duckdb::Error) -> bool {
    let text = e.to_string();
    ["Permission Error", "read-only mode", "Cannot execute statement of type", "configuration has been locked"].iter().any(|m| text.contains(m))
}

/// Statements whose first word makes them reads.
const READS: &[&str] = &["select", "with", "from", "values", "table", "describe", "show", "summarize"];

/// PRAGMAs that only read (DuckDB's `PRAGMA name` and `PRAGMA name('arg')` forms).
const READ_PRAGMAS: &[&str] = &[
    "table_info",
    "show",
    "show_tables",
    "show_tables_expanded",
    "show_databases",
    "database_list",
    "database_size",
    "storage_info",
    "metadata_info",
    "version",
    "platform",
    "functions",
    "collations",
    "user_agent",
];

/// Words that write or reach outside when they appear at the top level of a `WITH` statement.
const WRITES: &[&str] = &["insert", "update", "delete", "merge", "copy", "create", "drop", "alter", "attach", "install", "load", "export", "set"];

/// `Ok` when `sql` is exactly one read statement; else why not.
pub fn check_read_only(sql: &str) -> Result<(), String> {
    let statements = split_statements(sql)?;
    let statement = match statements.as_slice() {
        [] => return Err("the query is empty".into()),
        [one] => one,
        many => return Err(format!("{} statements; run one statement at a time", many.len())),
    };
    check_statement(statement)
}

fn check_statement(words: &[Word]) -> Result<(), String> {
    let first = words.first().map(|w| w.text.as_str()).unwrap_or_default();
    match first {
        "explain" => {
            let rest = if words.get(1).is_some_and(|w| w.text == "analyze") { &words[2..] } else { &words[1..] };
            check_statement(rest).map_err(|why| format!("EXPLAIN of a statement that is not a read ({why})"))
        }
        "pragma" => match words.get(1) {
            Some(name) if READ_PRAGMAS.contains(&name.text.as_str()) && !words.iter().any(|w| w.text == "=") => Ok(()),
            Some(name) => Err(format!("PRAGMA {} is not one of the read-only PRAGMAs ({})", name.text, READ_PRAGMAS.join(", "))),
            None => Err("PRAGMA without a name".into()),
        },
        "with" => match words.iter().find(|w| w.depth == 0 && WRITES.contains(&w.text.as_str())) {
            Some(w) => Err(format!("a WITH statement that runs {}", w.text.to_uppercase())),
            None => Ok(()),
        },
        w if READS.contains(&w) => Ok(()),
        "" => Err("the statement has no keyword".into()),
        w => Err(format!("{} is not a read statement (allowed: SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, read-only PRAGMA)", w.to_uppercase())),
    }
}

/// A word outside strings and comments (lower-cased), or `=`, with its parenthesis depth.
#[derive(Debug)]
struct Word {
    text: String,
    depth: usize,
}

/// The statements of `sql` (split on `;` outside strings, quoted names and comments), each as
/// its words; empty statements are dropped. A leading `(` does not count as a word.
fn split_statements(sql: &str) -> Result<Vec<Vec<Word>>, String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut tokens = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("a comment that never closes".into());
                }
                i += 2;
            }
            '\'' | '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("a {c} that never closes")),
                        Some(&q) if q == c && chars.get(i + 1) == Some(&c) => i += 2,
                        Some(&q) if q == c => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
                tokens += 1;
            }
            '$' if chars.get(i + 1) == Some(&'$') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '$' && chars.get(i + 1) == Some(&'$')) {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("a $$ string that never closes".into());
                }
                i += 2;
                tokens += 1;
            }
            ';' => {
                if tokens > 0 {
                    out.push(std::mem::take(&mut words));
                }
                tokens = 0;
                depth = 0;
                i += 1;
            }
            '(' => {
                depth += 1;
                tokens += 1;
                i += 1;
            }
            ')' => {
                depth = depth.saturating_sub(1);
                tokens += 1;
                i += 1;
            }
            '=' => {
                words.push(Word { text: "=".into(), depth });
                tokens += 1;
                i += 1;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                words.push(Word { text: chars[start..i].iter().collect::<String>().to_lowercase(), depth });
                tokens += 1;
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                tokens += 1;
                i += 1;
            }
        }
    }
    if tokens > 0 {
        out.push(words);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves: single read statements pass; every write, file access, extension, setting and a
    /// second statement is refused, whatever its case, comments or strings.
    #[test]
    fn only_one_read_statement_passes() {
        for ok in [
            "SELECT 1",
            "  (select count(*) from tracks);  ",
            "with t as (select 1) select * from t",
            "FROM tracks LIMIT 3",
            "DESCRIBE tracks",
            "SHOW TABLES",
            "SUMMARIZE tracks",
            "EXPLAIN SELECT 1",
            "EXPLAIN ANALYZE SELECT 1",
            "PRAGMA table_info('tracks')",
            "SELECT 'COPY x TO y; DROP TABLE t' AS s -- ; DELETE\n",
            "SELECT \"a;b\" FROM t /* ; INSERT */",
        ] {
            assert_eq!(check_read_only(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("COPY tracks TO 'x.csv'", "COPY is not a read statement"),
            ("copy (select 1) to 'x.csv'", "COPY is not a read statement"),
            ("EXPORT DATABASE 'dir'", "EXPORT is not a read statement"),
            ("ATTACH 'x.duckdb' AS x", "ATTACH is not"),
            ("INSTALL httpfs", "INSTALL is not"),
            ("LOAD httpfs", "LOAD is not"),
            ("SET enable_external_access = true", "SET is not"),
            ("DELETE FROM tracks", "DELETE is not"),
            ("SELECT 1; SELECT 2", "2 statements"),
            ("SELECT 1; COPY tracks TO 'x.csv'", "2 statements"),
            ("EXPLAIN ANALYZE COPY tracks TO 'x'", "EXPLAIN of a statement that is not a read"),
            ("PRAGMA enable_profiling", "PRAGMA enable_profiling is not one of"),
            ("PRAGMA threads = 1", "PRAGMA threads"),
            ("WITH t AS (SELECT 1) INSERT INTO x SELECT * FROM t", "a WITH statement that runs INSERT"),
            ("", "empty"),
            ("SELECT 'never closes", "never closes"),
        ] {
            let e = check_read_only(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
